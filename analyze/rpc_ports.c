/* analyze/rpc_ports.c: the learned dynamic RPC ports (see rpc_ports.h). Both tables are small
 * arrays searched in full: the port table is read once per verdict cell when verdicts settle
 * (after a bitmap of the ports ever learned, which most cells' ports are not),
 * the connection table once per TCP 135 segment, neither on any other packet. Parsing and the
 * bounded reassembly are dcerpc*.c's; a connection's parser memory (struct dcerpc_conn: two
 * 64 KiB stream buffers and a 64 KiB stub buffer) is taken at its first payload and given
 * back when the connection ends, so a capture without TCP 135 payload allocates none. Given
 * back means kept for the next connection (at most RPC_CONNS_MAX are ever allocated) and
 * reset without touching the buffers (dcerpc_conn_reset): a capture with thousands of mapper
 * connections allocates, faults in and clears 192 KiB once per connection at once, not per
 * connection. */
#include "rpc_ports.h"

#include <stdlib.h>
#include <string.h>

#define FIN_CLIENT 0x01
#define FIN_SERVER 0x02

struct rpc_conn {
    bool used;
    bool ended;       /* both FINs or a RST seen: dc given back, later payload is stale */
    uint8_t fins;     /* FIN_CLIENT, FIN_SERVER */
    uint64_t flow_seq, last_frame;
    struct dcerpc_conn *dc; /* NULL until the first payload and once ended */
};

struct rpc_ports {
    struct rpc_learned learned[RPC_PORTS_MAX];
    /* Every port ever learned, one bit each: most cells are on ports no mapper named, and
     * the bit answers them without the scan (a replaced entry's bit stays: the scan says). */
    uint8_t named[65536 / 8];
    uint32_t nlearned, next;  /* next: the slot a full table overwrites (the oldest) */
    uint64_t replaced;
    uint64_t changes;         /* ports learned or renamed: the verdicts' services change */
    struct rpc_conn conns[RPC_CONNS_MAX];
    struct dcerpc_conn *spare[RPC_CONNS_MAX]; /* parser memory given back, for reuse */
    uint32_t nspare;
    uint64_t evicted;         /* live connections pushed out by the cap */
    struct dcerpc_stats stats;
    struct rpc_mem mem;
};

struct rpc_ports *rpc_ports_new(void)
{
    return calloc(1, sizeof(struct rpc_ports));
}

void rpc_ports_free(struct rpc_ports *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < RPC_CONNS_MAX; i++)
        free(r->conns[i].dc);
    for (uint32_t i = 0; i < r->nspare; i++)
        free(r->spare[i]);
    free(r);
}

static struct rpc_learned *find(struct rpc_ports *r, const struct fw_addr *host, uint16_t port)
{
    if ((r->named[port >> 3] & (1u << (port & 7))) == 0)
        return NULL;
    for (uint32_t i = 0; i < r->nlearned; i++)
        if (r->learned[i].port == port && fw_addr_eq(&r->learned[i].host, host))
            return &r->learned[i];
    return NULL;
}

const struct rpc_learned *rpc_ports_lookup(const struct rpc_ports *r, const struct fw_addr *host,
                                           uint16_t port)
{
    return r == NULL ? NULL : find((struct rpc_ports *)r, host, port);
}

/* The first answer naming a port is kept (its frame is the evidence); a later answer that
 * names another interface on it replaces the interface, keeping what the server says now. */
static void learn(struct rpc_ports *r, const struct fw_addr *host, uint16_t port,
                  const struct dcerpc_uuid *iface, uint64_t frame)
{
    struct rpc_learned *l = find(r, host, port);
    if (l != NULL) {
        if (memcmp(&l->iface, iface, sizeof *iface) != 0) {
            l->iface = *iface;
            l->frame = frame;
            r->changes++;
        }
        return;
    }
    r->named[port >> 3] = (uint8_t)(r->named[port >> 3] | (1u << (port & 7)));
    if (r->nlearned < RPC_PORTS_MAX) {
        l = &r->learned[r->nlearned++];
    } else {
        l = &r->learned[r->next];
        r->next = (r->next + 1) % RPC_PORTS_MAX;
        r->replaced++;
    }
    l->host = *host;
    l->port = port;
    l->iface = *iface;
    l->frame = frame;
    r->changes++;
}

uint64_t rpc_ports_changes(const struct rpc_ports *r)
{
    return r == NULL ? 0 : r->changes;
}

struct learn_ctx {
    struct rpc_ports *r;
    const struct fw_addr *server;
    uint64_t frame;
};

static void on_endpoint(void *ctx, const struct dcerpc_endpoint *e)
{
    struct learn_ctx *x = ctx;
    learn(x->r, x->server, e->port, &e->iface, x->frame);
    /* A tower may name another address of the server (0.0.0.0: "this one"). */
    static const uint8_t any[4] = { 0, 0, 0, 0 };
    if (e->has_ip && memcmp(e->ip, any, 4) != 0) {
        struct fw_addr a;
        fw_addr_set4(&a, e->ip);
        if (!fw_addr_eq(&a, x->server))
            learn(x->r, &a, e->port, &e->iface, x->frame);
    }
}

static struct rpc_conn *conn_find(struct rpc_ports *r, uint64_t flow_seq)
{
    for (size_t i = 0; i < RPC_CONNS_MAX; i++)
        if (r->conns[i].used && r->conns[i].flow_seq == flow_seq)
            return &r->conns[i];
    return NULL;
}

/* Which slot a new connection takes: a free one, else the ended one idle longest, else the
 * live one idle longest (at most RPC_CONNS_MAX are parsed at once, as ever). */
static struct rpc_conn *conn_victim(struct rpc_ports *r)
{
    struct rpc_conn *old = NULL;
    for (size_t i = 0; i < RPC_CONNS_MAX; i++) {
        struct rpc_conn *c = &r->conns[i];
        if (!c->used)
            return c;
        if (old == NULL || (c->ended && !old->ended) ||
            (c->ended == old->ended && c->last_frame < old->last_frame))
            old = c;
    }
    return old;
}

/* A new connection's slot and parser memory: a live connection pushed out by the cap hands its
 * memory on and is counted; otherwise memory an ended connection gave back is taken, or
 * allocated. Either way it is reset, not cleared: the buffers are only read below their
 * lengths. NULL when the allocation fails: counted, and the segment goes unparsed as if the
 * connection were not there. */
static struct rpc_conn *conn_new(struct rpc_ports *r, uint64_t flow_seq, uint64_t frame)
{
    struct rpc_conn *c = conn_victim(r);
    struct dcerpc_conn *dc = c->dc;
    if (c->used && !c->ended)
        r->evicted++;
    if (dc != NULL) {
        dcerpc_conn_reset(dc);
    } else {
        if (r->nspare > 0) {
            dc = r->spare[--r->nspare];
            dcerpc_conn_reset(dc);
        } else {
            dc = calloc(1, sizeof *dc);
        }
        if (dc == NULL) {
            r->mem.alloc_failed++;
            return NULL;
        }
        r->mem.in_use++;
        if (r->mem.in_use > r->mem.peak)
            r->mem.peak = r->mem.in_use;
    }
    memset(c, 0, sizeof *c);
    c->used = true;
    c->flow_seq = flow_seq;
    c->last_frame = frame;
    c->dc = dc;
    return c;
}

/* A RST, or the second side's FIN, ends the connection: nothing after it is new, so its parser
 * memory goes back (a PDU left incomplete was never going to be parsed). */
static void conn_closing(struct rpc_ports *r, struct rpc_conn *c, const struct pkt *p)
{
    if (p->tcp_flags & TH_FIN)
        c->fins |= p->sport == 135 ? FIN_SERVER : FIN_CLIENT;
    if (!(p->tcp_flags & TH_RST) && c->fins != (FIN_CLIENT | FIN_SERVER))
        return;
    c->ended = true;
    if (c->dc != NULL) {
        r->spare[r->nspare++] = c->dc; /* in_use + nspare <= RPC_CONNS_MAX: there is room */
        c->dc = NULL;
        r->mem.in_use--;
    }
}

void rpc_ports_segment(struct rpc_ports *r, uint64_t flow_seq, const struct pkt *p,
                       uint64_t frame)
{
    struct rpc_conn *c = conn_find(r, flow_seq);
    if (p->payload != NULL && p->payload_caplen > 0) {
        if (c == NULL)
            c = conn_new(r, flow_seq, frame);
        if (c != NULL && c->ended) { /* bytes after the end: only a retransmission */
            r->stats.segments++;
            r->stats.stream_retrans++;
        } else if (c != NULL) {
            c->last_frame = frame;
            bool from_server = p->sport == 135;
            struct learn_ctx x = { r, from_server ? &p->src : &p->dst, frame };
            dcerpc_segment(c->dc, p->payload, p->payload_caplen, p->l4_payload_len, p->seq,
                           from_server, &r->stats, on_endpoint, &x);
        }
    }
    if (c != NULL && (p->tcp_flags & (TH_FIN | TH_RST)))
        conn_closing(r, c, p);
}

uint32_t rpc_ports_count(const struct rpc_ports *r)
{
    return r == NULL ? 0 : r->nlearned;
}

const struct rpc_learned *rpc_ports_at(const struct rpc_ports *r, uint32_t i)
{
    return r == NULL || i >= r->nlearned ? NULL : &r->learned[i];
}

const struct dcerpc_stats *rpc_ports_stats(const struct rpc_ports *r)
{
    return &r->stats;
}

uint64_t rpc_ports_replaced(const struct rpc_ports *r)
{
    return r->replaced;
}

uint64_t rpc_ports_evicted(const struct rpc_ports *r)
{
    return r->evicted;
}

const struct rpc_mem *rpc_ports_mem(const struct rpc_ports *r)
{
    return &r->mem;
}
