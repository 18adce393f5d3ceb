/* analyze/rpc_ports.c: the learned dynamic RPC ports (see rpc_ports.h). Both tables are small
 * arrays searched in full: the port table is read once per verdict cell when verdicts settle,
 * the connection table once per TCP 135 segment, neither on any other packet. Parsing and the
 * bounded reassembly (two 64 KiB stream buffers and a 64 KiB stub buffer in each connection's
 * dcerpc_conn: about 6 MiB for the 32, calloc'd once, touched only by TCP 135 traffic) are
 * dcerpc.c's. */
#include "rpc_ports.h"

#include <stdlib.h>
#include <string.h>

struct rpc_conn {
    bool used;
    uint64_t flow_seq, last_frame;
    struct dcerpc_conn dc;
};

struct rpc_ports {
    struct rpc_learned learned[RPC_PORTS_MAX];
    uint32_t nlearned, next;  /* next: the slot a full table overwrites (the oldest) */
    uint64_t replaced;
    struct rpc_conn conns[RPC_CONNS_MAX];
    struct dcerpc_stats stats;
};

struct rpc_ports *rpc_ports_new(void)
{
    return calloc(1, sizeof(struct rpc_ports));
}

void rpc_ports_free(struct rpc_ports *r)
{
    free(r);
}

static struct rpc_learned *find(struct rpc_ports *r, const struct fw_addr *host, uint16_t port)
{
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
        }
        return;
    }
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

/* The connection's parser memory; a new connection takes a free slot or the one idle longest. */
static struct dcerpc_conn *conn_get(struct rpc_ports *r, uint64_t flow_seq, uint64_t frame)
{
    struct rpc_conn *old = &r->conns[0];
    for (size_t i = 0; i < RPC_CONNS_MAX; i++) {
        struct rpc_conn *c = &r->conns[i];
        if (c->used && c->flow_seq == flow_seq) {
            c->last_frame = frame;
            return &c->dc;
        }
        if (!c->used || (old->used && c->last_frame < old->last_frame))
            old = c;
    }
    memset(old, 0, sizeof *old);
    old->used = true;
    old->flow_seq = flow_seq;
    old->last_frame = frame;
    return &old->dc;
}

void rpc_ports_segment(struct rpc_ports *r, uint64_t flow_seq, const struct pkt *p,
                       uint64_t frame)
{
    if (p->payload == NULL || p->payload_caplen == 0)
        return;
    bool from_server = p->sport == 135;
    struct learn_ctx x = { r, from_server ? &p->src : &p->dst, frame };
    dcerpc_segment(conn_get(r, flow_seq, frame), p->payload, p->payload_caplen,
                   p->l4_payload_len, p->seq, from_server, &r->stats, on_endpoint, &x);
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
