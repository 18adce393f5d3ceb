/* analyze/rpc_ports.h: the dynamic RPC ports the capture taught. Each TCP 135 payload goes to
 * the DCE/RPC parser (dcerpc.c) with the connection's small memory; every TCP port an endpoint
 * mapper answer names is remembered as (server, port) -> interface and the frame it was
 * learned at, so an attempt to that port can be named and judged (verdict_settle.c). Bounded:
 * a fixed number of ports and of connections; beyond them the oldest goes, and it is counted
 * (rpc_ports_replaced, rpc_ports_evicted).
 * A connection's parser memory (about 192 KiB) is allocated at its first payload and given
 * back when it ends (a RST, or a FIN from each side), so a capture without TCP 135 payload
 * allocates none.
 * Deciding what is TCP 135 payload is flow_track.c's; words are the verdicts'. */
#ifndef FW_RPC_PORTS_H
#define FW_RPC_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "dcerpc.h"
#include "decode.h"

#define RPC_PORTS_MAX 256 /* learned ports; a server names a few dozen at most */
#define RPC_CONNS_MAX 32  /* port-135 connections parsed at once */

struct rpc_learned {
    struct fw_addr host; /* the server that answered (or the address its tower names) */
    uint16_t port;
    struct dcerpc_uuid iface;
    uint64_t frame;      /* where it was learned */
};

struct rpc_ports;

/* The connections' parser memory. alloc_failed: segments that started a connection whose
 * memory could not be had; they went unparsed (the connection's next segment tries again). */
struct rpc_mem {
    uint32_t in_use, peak; /* struct dcerpc_conn allocations held now, and at most */
    uint64_t alloc_failed;
};

/* NULL on allocation failure; rpc_ports_free(NULL) does nothing. */
struct rpc_ports *rpc_ports_new(void);
void rpc_ports_free(struct rpc_ports *r);

/* One TCP segment to or from port 135 that carries payload (p->payload, p->payload_caplen)
 * or ends the connection (TH_FIN, TH_RST), on the flow whose creation number is flow_seq, at
 * frame. */
void rpc_ports_segment(struct rpc_ports *r, uint64_t flow_seq, const struct pkt *p,
                       uint64_t frame);

/* What the endpoint mapper said of (host, port); NULL if nothing. */
const struct rpc_learned *rpc_ports_lookup(const struct rpc_ports *r, const struct fw_addr *host,
                                           uint16_t port);

/* The learned ports, i in [0, rpc_ports_count()), in the order learned until the cap. */
uint32_t rpc_ports_count(const struct rpc_ports *r);
const struct rpc_learned *rpc_ports_at(const struct rpc_ports *r, uint32_t i);

const struct dcerpc_stats *rpc_ports_stats(const struct rpc_ports *r);
uint64_t rpc_ports_replaced(const struct rpc_ports *r); /* learned ports pushed out by the cap */
uint64_t rpc_ports_changes(const struct rpc_ports *r);  /* ports learned or renamed so far */
/* Live connections pushed out by RPC_CONNS_MAX: a PDU they had begun is lost, and their later
 * bytes start a new parse, mid-stream (a slot an ended connection leaves is reused uncounted:
 * nothing of it was still to come). */
uint64_t rpc_ports_evicted(const struct rpc_ports *r);
const struct rpc_mem *rpc_ports_mem(const struct rpc_ports *r);

#endif
