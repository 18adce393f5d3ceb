/* analyze/dcerpc_testlib.c: DCE/RPC PDUs built field by field (C706 12.6, appendix L towers,
 * appendix O ept_map/ept_lookup) in either byte order, and a dcerpc_conn fed with them, for
 * dcerpc_test.c and dcerpc_stream_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/dcerpc_testlib.h"

void put8(struct pdu *p, uint8_t v)
{
    assert_true(p->n < sizeof p->b);
    p->b[p->n++] = v;
}

static void put16x(struct pdu *p, uint16_t v, bool le)
{
    put8(p, (uint8_t)(le ? v : v >> 8));
    put8(p, (uint8_t)(le ? v >> 8 : v));
}

static void put32x(struct pdu *p, uint32_t v, bool le)
{
    put16x(p, (uint16_t)(le ? v : v >> 16), le);
    put16x(p, (uint16_t)(le ? v >> 16 : v), le);
}

void put16(struct pdu *p, uint16_t v)
{
    put16x(p, v, p->le);
}

void put32(struct pdu *p, uint32_t v)
{
    put32x(p, v, p->le);
}

static unsigned hexval(char c)
{
    return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

/* A UUID from its text, time fields in the given byte order (C706 A.1). */
static void put_uuid(struct pdu *p, const char *text, bool le)
{
    uint8_t u[16];
    for (int i = 0, j = 0; i < 16; j++) {
        if (text[j] == '-')
            continue;
        u[i++] = (uint8_t)(hexval(text[j]) << 4 | hexval(text[j + 1]));
        j++;
    }
    put32x(p, (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3], le);
    put16x(p, (uint16_t)(u[4] << 8 | u[5]), le);
    put16x(p, (uint16_t)(u[6] << 8 | u[7]), le);
    for (int i = 8; i < 16; i++)
        put8(p, u[i]);
}

static void align(struct pdu *p, size_t from)
{
    while ((p->n - from) % 4 != 0)
        put8(p, 0);
}

struct pdu hdr(bool le, uint8_t ptype, uint8_t flags, uint32_t call_id)
{
    struct pdu p = { .le = le };
    put8(&p, 5);
    put8(&p, 0);
    put8(&p, ptype);
    put8(&p, flags);
    put8(&p, le ? 0x10 : 0x00);
    put8(&p, 0);
    put8(&p, 0);
    put8(&p, 0);
    put16(&p, 0); /* frag_length, set by done() */
    put16(&p, 0); /* auth_length */
    put32(&p, call_id);
    return p;
}

struct pdu done(struct pdu p)
{
    p.b[8] = (uint8_t)(p.le ? p.n : p.n >> 8);
    p.b[9] = (uint8_t)(p.le ? p.n >> 8 : p.n);
    return p;
}

struct pdu bind_pdu(bool le, const char *iface)
{
    struct pdu p = hdr(le, 11, 0x03, 1);
    put16(&p, 4280);
    put16(&p, 4280);
    put32(&p, 0);
    put8(&p, 1); /* one context */
    put8(&p, 0);
    put16(&p, 0);
    put16(&p, 0); /* context id 0 */
    put8(&p, 1);  /* one transfer syntax */
    put8(&p, 0);
    put_uuid(&p, iface, le);
    put32(&p, 3);
    put_uuid(&p, NDR, le);
    put32(&p, 2);
    return done(p);
}

struct pdu bind_ack_pdu(bool le, uint16_t result)
{
    struct pdu p = hdr(le, 12, 0x03, 1);
    put16(&p, 4280);
    put16(&p, 4280);
    put32(&p, 0x1234);
    put16(&p, 4);
    for (const char *s = "135"; *s; s++)
        put8(&p, (uint8_t)*s);
    put8(&p, 0);
    align(&p, 0);
    put8(&p, 1);
    put8(&p, 0);
    put16(&p, 0);
    put16(&p, result);
    put16(&p, 0);
    put_uuid(&p, NDR, le);
    put32(&p, 2);
    return done(p);
}

struct pdu request_pdu(bool le, uint16_t opnum)
{
    struct pdu p = hdr(le, 0, 0x03, 2);
    put32(&p, 0);
    put16(&p, 0);
    put16(&p, opnum);
    for (int i = 0; i < 40; i++) /* the stub: not read */
        put8(&p, 0);
    return done(p);
}

/* twr_t referent: max_count, length, the octets (little-endian, C706 L.1), padding. */
static void put_tower(struct pdu *p, const struct tower *t, size_t stub)
{
    struct pdu o = { .le = true };
    put16(&o, t->floors ? t->floors : 5);
    put16(&o, 19);
    put8(&o, 0x0d);
    put_uuid(&o, t->iface, true);
    put16(&o, 1);
    put16(&o, 2);
    put16(&o, 0);
    put16(&o, 19);
    put8(&o, 0x0d);
    put_uuid(&o, NDR, true);
    put16(&o, 2);
    put16(&o, 2);
    put16(&o, 0);
    put16(&o, 1);
    put8(&o, 0x0b);
    put16(&o, 2);
    put16(&o, 0);
    put16(&o, 1);
    put8(&o, 0x07);
    put16(&o, 2);
    put16x(&o, t->port, false); /* big-endian (C706 L.2) */
    put16(&o, 1);
    put8(&o, 0x09);
    put16(&o, 4);
    for (int i = 0; i < 4; i++)
        put8(&o, t->ip[i]);
    put32(p, (uint32_t)o.n);
    put32(p, (uint32_t)o.n);
    for (size_t i = 0; i < o.n; i++)
        put8(p, o.b[i]);
    align(p, stub);
}

/* ept_map (opnum 3) or ept_lookup (opnum 2) response stub (C706 appendix O). */
struct pdu epm_response(bool le, uint16_t opnum, uint8_t flags, const struct tower *t,
                        uint32_t n)
{
    struct pdu p = hdr(le, 2, flags, 2);
    put32(&p, 0);
    put16(&p, 0); /* context id */
    put8(&p, 0);
    put8(&p, 0);
    size_t stub = p.n;
    put32(&p, 0); /* entry_handle */
    put_uuid(&p, ODD, le);
    put32(&p, n);
    put32(&p, n); /* max_count */
    put32(&p, 0); /* offset */
    put32(&p, n); /* actual_count */
    for (uint32_t i = 0; i < n; i++) {
        if (opnum == 2) {
            put_uuid(&p, ODD, le); /* object */
            put32(&p, 0x20000 + i);
            put32(&p, 0); /* annotation: offset, length, bytes */
            put32(&p, 3);
            put8(&p, 'a');
            put8(&p, 'b');
            put8(&p, 0);
            align(&p, stub);
        } else {
            put32(&p, 0x20000 + i);
        }
    }
    for (uint32_t i = 0; i < n; i++)
        put_tower(&p, &t[i], stub);
    put32(&p, 0); /* status */
    return done(p);
}

/* --- running the parser ------------------------------------------------------------------- */

void on_ep(void *ctx, const struct dcerpc_endpoint *e)
{
    struct seen *s = ctx;
    if (s->n < 8)
        s->e[s->n++] = *e;
}

uint32_t next_seq[2] = { 1000, 5000 };

void feed(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *p,
          bool from_server, struct seen *s)
{
    dcerpc_segment(c, p->b, p->n, p->n, next_seq[from_server], from_server, st, on_ep, s);
    next_seq[from_server] += (uint32_t)p->n;
}

void request(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *q)
{
    dcerpc_segment(c, q->b, q->n, q->n, next_seq[0], false, st, NULL, NULL);
    next_seq[0] += (uint32_t)q->n;
}

/* A bound epmapper context and an outstanding call of opnum. */
void prime(struct dcerpc_conn *c, struct dcerpc_stats *st, bool le, uint16_t opnum)
{
    memset(c, 0, sizeof *c);
    memset(st, 0, sizeof *st);
    struct seen s = { .n = 0 };
    struct pdu b = bind_pdu(le, EPM), a = bind_ack_pdu(le, 0), r = request_pdu(le, opnum);
    feed(c, st, &b, false, &s);
    feed(c, st, &a, true, &s);
    feed(c, st, &r, false, &s);
    assert_int_equal(st->by_result[DCERPC_OK], 3);
    assert_int_equal(s.n, 0);
}

const struct tower T1 = { SAMR, 49712, { 203, 0, 113, 20 }, 0 };
const struct tower T2[2] = { { SAMR, 49712, { 203, 0, 113, 20 }, 0 },
                             { ODD, 49713, { 0, 0, 0, 0 }, 0 } };
