/* analyze/dcerpc.h: DCE/RPC connection-oriented PDUs (DCE 1.1 RPC, C706 chapter 12; MS-RPCE
 * 2.2.2) read from the TCP payload of a port-135 connection, for one purpose: the endpoint
 * mapper's answers (ept_map, opnum 3; ept_lookup, opnum 2) name the dynamic ports that RPC
 * servers listen on. Binds teach which interface a context id stands for, requests which
 * opnum a call id is, and responses to the endpoint mapper are decoded down to their towers
 * (C706 appendix L: floors UUID, NDR, RPC CO, TCP port, IP address).
 *
 * Reassembly, bounded (dcerpc_stream.c): each direction's in-order payload (by TCP sequence
 * number) is kept in a buffer of DCERPC_STREAM_CAP bytes and whole PDUs are parsed from its
 * front; a retransmission is skipped; bytes missing from the capture (a gap) drop the buffer,
 * counted, and parsing resumes at the next segment that starts a PDU. An endpoint-mapper
 * answer in several RPC fragments has its stubs joined per call (DCERPC_STUB_CAP bytes) and is
 * decoded at the last fragment; a chain that breaks is counted "incomplete, not parsed".
 * Learning the ports (host, port -> interface) and judging them is rpc_ports.c's and the
 * verdicts'. Pure C, no I/O; every read goes through the bounded cursor (common/cur.h). */
#ifndef FW_DCERPC_H
#define FW_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A UUID in its text order (time_low first, most significant byte first), whatever the
 * byte order it came in. */
struct dcerpc_uuid {
    uint8_t b[16];
};

#define DCERPC_UUID_STRLEN 37 /* "e1af8308-5d1f-11c9-91a4-08002b14a0fa" and its NUL */

/* One tower of an endpoint-mapper answer that names a TCP port. */
struct dcerpc_endpoint {
    struct dcerpc_uuid iface; /* floor 1: the interface */
    uint16_t iface_vers;      /* its major version */
    uint16_t port;            /* floor 0x07: TCP port (big-endian on the wire, C706 L.2) */
    bool has_ip;              /* floor 0x09 present */
    uint8_t ip[4];            /* IPv4 address, 0.0.0.0 when the server left it open */
};

/* What one PDU came to. Truncated (the capture cut it) and malformed (its fields contradict
 * each other) are distinct, as everywhere (STYLE 3). */
#define DCERPC_RESULTS(X)                               \
    X(DCERPC_OK,         "ok")                          \
    X(DCERPC_TRUNCATED,  "truncated")                   \
    X(DCERPC_MALFORMED,  "malformed")                   \
    X(DCERPC_FRAGMENTED, "incomplete, not parsed")
#define DCERPC_ENUM(name, text) name,
enum dcerpc_result { DCERPC_RESULTS(DCERPC_ENUM) DCERPC_RESULT_COUNT };
#undef DCERPC_ENUM
const char *dcerpc_result_name(enum dcerpc_result r);

struct dcerpc_stats {
    uint64_t segments;                     /* payloads handed in */
    uint64_t pdus;                         /* PDUs looked at */
    uint64_t by_result[DCERPC_RESULT_COUNT];
    uint64_t binds, bind_acks, requests, responses, other_ptypes;
    uint64_t epm_answers;                  /* ept_map / ept_lookup responses decoded */
    uint64_t unmatched_responses;          /* no request seen for the call id */
    uint64_t towers, towers_not_tcp;       /* towers read; of which named no TCP port */
    uint64_t stream_gaps;                  /* bytes missing from the capture: buffer dropped */
    uint64_t stream_retrans;               /* segments (or their parts) already seen, skipped */
    uint64_t stream_unsynced;              /* segments skipped waiting for a PDU to start */
    uint64_t frag_joined;                  /* answers joined from several RPC fragments */
    uint64_t frag_overflows;               /* fragment chains longer than the stub buffer */
};

/* One PDU is at most 65535 bytes (frag_length is 16 bits), so a stream buffer of 64 KiB always
 * holds the one incomplete PDU it may keep (appending stops at the cap and parses first). The
 * stub buffer bounds an answer joined from RPC fragments; beyond it the chain is counted and
 * dropped. */
#define DCERPC_STREAM_CAP 65536u
#define DCERPC_STUB_CAP 65536u

/* One direction of the TCP stream: the bytes of a PDU not yet whole. */
struct dcerpc_stream {
    uint8_t buf[DCERPC_STREAM_CAP];
    uint32_t len;
    uint32_t next_seq;  /* the sequence number the next new byte has */
    bool has_seq;       /* next_seq is known */
    bool synced;        /* buf starts at a PDU's start */
};

/* What one connection taught so far: bound contexts and calls awaiting their response. Small
 * and fixed: a connection that binds more contexts or keeps more calls in flight forgets the
 * oldest (a forgotten call's response is counted unmatched, never guessed). */
#define DCERPC_MAX_CTX 8
#define DCERPC_MAX_CALLS 8
struct dcerpc_conn {
    struct {
        bool used;
        uint16_t id;
        struct dcerpc_uuid iface;
    } ctx[DCERPC_MAX_CTX];
    struct {
        bool used;
        uint16_t ctx_id, opnum;
        uint32_t call_id;
    } call[DCERPC_MAX_CALLS];
    uint8_t ctx_next, call_next;              /* ring positions for the next insertion */
    uint16_t bind_ids[DCERPC_MAX_CTX];        /* the last bind's context ids, in its order */
    uint8_t nbind;
    struct dcerpc_stream dir[2];              /* 0: client to server, 1: server to client */
    struct {                                  /* the epm answer being joined from fragments */
        bool active, le;
        uint16_t opnum;
        uint32_t call_id, len;
        uint8_t buf[DCERPC_STUB_CAP];
    } frag;
};

typedef void (*dcerpc_endpoint_fn)(void *ctx, const struct dcerpc_endpoint *e);

/* Makes c what a zero-filled one is to the parser, for a new connection, without writing its
 * buffers (192 KiB): they are read only below the lengths this clears. */
void dcerpc_conn_reset(struct dcerpc_conn *c);

/* One TCP segment's payload: caplen bytes captured of wire_len, at sequence number seq.
 * from_server: sent from port 135. Its new bytes join the direction's stream and every PDU
 * made whole is parsed (a capture cut short is a gap: counted truncated); fn is called for
 * each TCP endpoint of an endpoint mapper answer, and only for answers that decoded whole. */
void dcerpc_segment(struct dcerpc_conn *c, const uint8_t *p, size_t caplen, size_t wire_len,
                    uint32_t seq, bool from_server, struct dcerpc_stats *st,
                    dcerpc_endpoint_fn fn, void *ctx);

/* The interface's usual name ("SAMR", "IWbemLevel1Login", ...), or NULL if not known. */
const char *dcerpc_iface_name(const struct dcerpc_uuid *u);
/* The name if known, the UUID text otherwise; buf has DCERPC_UUID_STRLEN bytes. */
const char *dcerpc_iface_text(const struct dcerpc_uuid *u, char *buf, size_t len);
void dcerpc_uuid_format(const struct dcerpc_uuid *u, char *buf, size_t len);
bool dcerpc_is_epmapper(const struct dcerpc_uuid *u);

#endif
