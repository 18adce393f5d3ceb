/* analyze/dcerpc_testlib.h: DCE/RPC PDUs built field by field and fed to one dcerpc_conn, for
 * the parser's tests (dcerpc_test.c, dcerpc_stream_test.c) and the end-to-end ones
 * (rpc_ports_test.c). Test code only. */
#ifndef FW_DCERPC_TESTLIB_H
#define FW_DCERPC_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/dcerpc.h"

#define EPM "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
#define NDR "8a885d04-1ceb-11c9-9fe8-08002b104860"
#define SAMR "12345778-1234-abcd-ef00-0123456789ac"
#define ODD "01020304-0506-0708-090a-0b0c0d0e0f10"

struct pdu {
    uint8_t b[1024];
    size_t n;
    bool le; /* integers little-endian (drep 0x10) or big-endian (drep 0x00) */
};

struct tower {
    const char *iface;
    uint16_t port;
    uint8_t ip[4];
    uint16_t floors; /* 0: 5, as written; otherwise the count to claim */
};

/* One SAMR tower on 203.0.113.20:49712; that one and a second, ODD on 49713, no address. */
extern const struct tower T1;
extern const struct tower T2[2];

void put8(struct pdu *p, uint8_t v);
void put16(struct pdu *p, uint16_t v); /* in p's byte order */
void put32(struct pdu *p, uint32_t v);

/* A common header (C706 12.6.3.1); done() writes frag_length once the PDU is complete. */
struct pdu hdr(bool le, uint8_t ptype, uint8_t flags, uint32_t call_id);
struct pdu done(struct pdu p);

struct pdu bind_pdu(bool le, const char *iface);
struct pdu bind_ack_pdu(bool le, uint16_t result);
struct pdu request_pdu(bool le, uint16_t opnum);
/* ept_map (opnum 3) or ept_lookup (opnum 2) response naming the n towers t (appendix O). */
struct pdu epm_response(bool le, uint16_t opnum, uint8_t flags, const struct tower *t,
                        uint32_t n);

/* The endpoints the parser names, the first 8 kept. */
struct seen {
    struct dcerpc_endpoint e[8];
    int n;
};

void on_ep(void *ctx, const struct dcerpc_endpoint *e);

/* The next sequence number of each direction: segments fed here follow each other. A fresh
 * connection (memset) takes whatever number its first segment has. */
extern uint32_t next_seq[2];

/* p as one whole segment at next_seq of its direction; request() a client one, nothing seen. */
void feed(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *p,
          bool from_server, struct seen *s);
void request(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *q);

/* A bound epmapper context and an outstanding call of opnum. */
void prime(struct dcerpc_conn *c, struct dcerpc_stats *st, bool le, uint16_t opnum);

#endif
