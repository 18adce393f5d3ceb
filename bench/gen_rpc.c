/* bench/gen_rpc.c: the four DCE/RPC PDUs of an endpoint-mapper exchange, for the firewall-heavy
 * mix of the benchmark generator: a bind to the mapper (C706 12.6.4.3), its bind_ack, an
 * ept_map request (opnum 3) and the response naming one TCP endpoint in a five-floor tower
 * (C706 appendix L and O). Little-endian NDR, built once; the response's port is written in
 * for each call. Which session sends them, and when, is gen_sess.c's. */
#include <string.h>

#include "gen_int.h"

#define PDU_MAX 256

struct rpc_buf {
    uint8_t b[PDU_MAX];
    size_t n;
};

static struct rpc_buf pdus[RPC_PDU_COUNT];
static size_t resp_port_at; /* offset of the big-endian port in the response's tower */

/* The endpoint mapper, the NDR transfer syntax, and SAMR: the interface the answer names. */
static const uint8_t EPM_UUID[16] = { 0xe1, 0xaf, 0x83, 0x08, 0x5d, 0x1f, 0x11, 0xc9,
                                      0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa };
static const uint8_t NDR_UUID[16] = { 0x8a, 0x88, 0x5d, 0x04, 0x1c, 0xeb, 0x11, 0xc9,
                                      0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60 };
static const uint8_t SAMR_UUID[16] = { 0x12, 0x34, 0x57, 0x78, 0x12, 0x34, 0xab, 0xcd,
                                       0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac };

static void p8(struct rpc_buf *p, uint32_t v)
{
    if (p->n < PDU_MAX)
        p->b[p->n++] = (uint8_t)v;
}

static void p16(struct rpc_buf *p, uint32_t v)
{
    p8(p, v);
    p8(p, v >> 8);
}

static void p32(struct rpc_buf *p, uint32_t v)
{
    p16(p, v);
    p16(p, v >> 16);
}

/* A UUID as NDR puts it (C706 A.1): the three time fields little-endian, the rest as is. */
static void puuid(struct rpc_buf *p, const uint8_t u[16])
{
    p32(p, (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3]);
    p16(p, (uint32_t)(u[4] << 8 | u[5]));
    p16(p, (uint32_t)(u[6] << 8 | u[7]));
    for (int i = 8; i < 16; i++)
        p8(p, u[i]);
}

static void palign(struct rpc_buf *p, size_t from)
{
    while ((p->n - from) % 4 != 0)
        p8(p, 0);
}

/* The common header (C706 12.6.3.1): version 5.0, first and last fragment, little-endian. */
static void phdr(struct rpc_buf *p, uint8_t ptype, uint32_t call_id)
{
    p->n = 0;
    p8(p, 5);
    p8(p, 0);
    p8(p, ptype);
    p8(p, 0x03);
    p32(p, 0x10);
    p16(p, 0); /* frag_length, set by pdone() */
    p16(p, 0);
    p32(p, call_id);
}

static void pdone(struct rpc_buf *p)
{
    p->b[8] = (uint8_t)p->n;
    p->b[9] = (uint8_t)(p->n >> 8);
}

/* One floor of a tower: its left side (protocol id and data) and right side lengths. */
static void pfloor(struct rpc_buf *p, uint8_t proto, const uint8_t *uuid, uint16_t major,
                   uint16_t rhs_len)
{
    p16(p, uuid ? 19 : 1);
    p8(p, proto);
    if (uuid) {
        puuid(p, uuid);
        p16(p, major);
    }
    p16(p, rhs_len);
}

void gen_rpc_init(void)
{
    struct rpc_buf *p = &pdus[RPC_BIND];
    phdr(p, 11, 1);
    p16(p, 4280);
    p16(p, 4280);
    p32(p, 0);
    p32(p, 1);  /* one context, padding */
    p16(p, 0);  /* context id 0 */
    p16(p, 1);  /* one transfer syntax, padding */
    puuid(p, EPM_UUID);
    p32(p, 3);
    puuid(p, NDR_UUID);
    p32(p, 2);
    pdone(p);

    p = &pdus[RPC_BIND_ACK];
    phdr(p, 12, 1);
    p16(p, 4280);
    p16(p, 4280);
    p32(p, 0x1234);
    p16(p, 4);
    for (const char *s = "135"; *s; s++)
        p8(p, (uint8_t)*s);
    p8(p, 0);
    palign(p, 0);
    p32(p, 1);  /* one result, padding */
    p16(p, 0);  /* acceptance */
    p16(p, 0);
    puuid(p, NDR_UUID);
    p32(p, 2);
    pdone(p);

    p = &pdus[RPC_MAP_REQ];
    phdr(p, 0, 2);
    p32(p, 0);
    p16(p, 0);
    p16(p, 3);  /* ept_map */
    for (int i = 0; i < 40; i++)
        p8(p, 0); /* the map tower asked about: the parser does not read it */
    pdone(p);

    p = &pdus[RPC_MAP_RESP];
    phdr(p, 2, 2);
    p32(p, 0);
    p16(p, 0);
    p16(p, 0);
    size_t stub = p->n;
    p32(p, 0);  /* entry handle: 4 bytes and a UUID */
    puuid(p, SAMR_UUID);
    p32(p, 1);  /* one tower: num_towers, max_count, offset, actual_count */
    p32(p, 1);
    p32(p, 0);
    p32(p, 1);
    p32(p, 0x20000); /* the tower's referent */
    struct rpc_buf t = { .n = 0 };
    p16(&t, 5);
    pfloor(&t, 0x0d, SAMR_UUID, 1, 2);
    p16(&t, 0);
    pfloor(&t, 0x0d, NDR_UUID, 2, 2);
    p16(&t, 0);
    pfloor(&t, 0x0b, NULL, 0, 2);
    p16(&t, 0);
    pfloor(&t, 0x07, NULL, 0, 2);
    size_t port_in_tower = t.n;
    p16(&t, 0);
    pfloor(&t, 0x09, NULL, 0, 4);
    p32(&t, 0); /* 0.0.0.0: the server that answers */
    p32(p, (uint32_t)t.n);
    p32(p, (uint32_t)t.n);
    resp_port_at = p->n + port_in_tower;
    for (size_t i = 0; i < t.n; i++)
        p8(p, t.b[i]);
    palign(p, stub);
    p32(p, 0);  /* status */
    pdone(p);
}

const uint8_t *gen_rpc_pdu(enum gen_rpc_pdu which, uint16_t port, size_t *len)
{
    struct rpc_buf *p = &pdus[which];
    if (which == RPC_MAP_RESP) {
        p->b[resp_port_at] = (uint8_t)(port >> 8); /* big-endian (C706 L.2) */
        p->b[resp_port_at + 1] = (uint8_t)port;
    }
    *len = p->n;
    return p->b;
}
