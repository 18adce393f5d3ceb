/* analyze/dcerpc_test.c: the DCE/RPC parser (dcerpc.c) on PDUs built here field by field
 * (C706 12.6, appendix L towers, appendix O ept_map/ept_lookup), in both byte orders; every
 * prefix of every PDU; lies in lengths and floor counts; and, end to end through the analyzer,
 * a dynamic port learned on TCP 135 and then dropped, the connections' parser memory held
 * only while a TCP 135 connection with payload lives, and the cap on connections parsed at
 * once, counted when it pushes a live one out (rpc_ports.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "capture/cap_file.h"
#include "analyze/dcerpc.h"
#include "analyze/rpc_ports.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

#define EPM "e1af8308-5d1f-11c9-91a4-08002b14a0fa"
#define NDR "8a885d04-1ceb-11c9-9fe8-08002b104860"
#define SAMR "12345778-1234-abcd-ef00-0123456789ac"
#define ODD "01020304-0506-0708-090a-0b0c0d0e0f10"

/* --- a PDU builder ------------------------------------------------------------------------ */

struct pdu {
    uint8_t b[1024];
    size_t n;
    bool le; /* integers little-endian (drep 0x10) or big-endian (drep 0x00) */
};

static void put8(struct pdu *p, uint8_t v)
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

static void put16(struct pdu *p, uint16_t v)
{
    put16x(p, v, p->le);
}

static void put32(struct pdu *p, uint32_t v)
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

static struct pdu hdr(bool le, uint8_t ptype, uint8_t flags, uint32_t call_id)
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

static struct pdu done(struct pdu p)
{
    p.b[8] = (uint8_t)(p.le ? p.n : p.n >> 8);
    p.b[9] = (uint8_t)(p.le ? p.n >> 8 : p.n);
    return p;
}

static struct pdu bind_pdu(bool le, const char *iface)
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

static struct pdu bind_ack_pdu(bool le, uint16_t result)
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

static struct pdu request_pdu(bool le, uint16_t opnum)
{
    struct pdu p = hdr(le, 0, 0x03, 2);
    put32(&p, 0);
    put16(&p, 0);
    put16(&p, opnum);
    for (int i = 0; i < 40; i++) /* the stub: not read */
        put8(&p, 0);
    return done(p);
}

struct tower {
    const char *iface;
    uint16_t port;
    uint8_t ip[4];
    uint16_t floors; /* 0: 5, as written; otherwise the count to claim */
};

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
static struct pdu epm_response(bool le, uint16_t opnum, uint8_t flags, const struct tower *t,
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

struct seen {
    struct dcerpc_endpoint e[8];
    int n;
};

static void on_ep(void *ctx, const struct dcerpc_endpoint *e)
{
    struct seen *s = ctx;
    if (s->n < 8)
        s->e[s->n++] = *e;
}

/* The next sequence number of each direction: segments fed here follow each other. A fresh
 * connection (memset) takes whatever number its first segment has. */
static uint32_t next_seq[2] = { 1000, 5000 };

static void feed(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *p,
                 bool from_server, struct seen *s)
{
    dcerpc_segment(c, p->b, p->n, p->n, next_seq[from_server], from_server, st, on_ep, s);
    next_seq[from_server] += (uint32_t)p->n;
}

static void request(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *q)
{
    dcerpc_segment(c, q->b, q->n, q->n, next_seq[0], false, st, NULL, NULL);
    next_seq[0] += (uint32_t)q->n;
}

/* A bound epmapper context and an outstanding call of opnum. */
static void prime(struct dcerpc_conn *c, struct dcerpc_stats *st, bool le, uint16_t opnum)
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

static const struct tower T1 = { SAMR, 49712, { 203, 0, 113, 20 }, 0 };
static const struct tower T2[2] = { { SAMR, 49712, { 203, 0, 113, 20 }, 0 },
                                    { ODD, 49713, { 0, 0, 0, 0 }, 0 } };

static void map_one_tower(bool le)
{
    struct dcerpc_conn c;
    struct dcerpc_stats st;
    prime(&c, &st, le, 3);
    struct pdu r = epm_response(le, 3, 0x03, &T1, 1);
    struct seen s = { .n = 0 };
    feed(&c, &st, &r, true, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.e[0].port, 49712);
    assert_true(s.e[0].has_ip);
    assert_memory_equal(s.e[0].ip, T1.ip, 4);
    char t[DCERPC_UUID_STRLEN];
    dcerpc_uuid_format(&s.e[0].iface, t, sizeof t);
    assert_string_equal(t, SAMR);
    assert_string_equal(dcerpc_iface_text(&s.e[0].iface, t, sizeof t), "SAMR");
    assert_int_equal(st.epm_answers, 1);
    assert_int_equal(st.by_result[DCERPC_MALFORMED] + st.by_result[DCERPC_TRUNCATED], 0);
}

static void map_one_tower_le(void **state)
{
    (void)state;
    map_one_tower(true);
}

static void map_one_tower_be(void **state)
{
    (void)state;
    map_one_tower(false);
}

static void map_and_lookup_two_towers(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        for (uint16_t op = 2; op <= 3; op++) {
            struct dcerpc_conn c;
            struct dcerpc_stats st;
            prime(&c, &st, le, op);
            struct pdu r = epm_response(le, op, 0x03, T2, 2);
            struct seen s = { .n = 0 };
            feed(&c, &st, &r, true, &s);
            assert_int_equal(s.n, 2);
            assert_int_equal(s.e[0].port, 49712);
            assert_int_equal(s.e[1].port, 49713);
            char t[DCERPC_UUID_STRLEN];
            assert_string_equal(dcerpc_iface_text(&s.e[1].iface, t, sizeof t), ODD);
        }
    }
}

/* bind, bind_ack, request and response back to back in one segment: all four parsed. */
static void several_pdus_in_one_segment(void **state)
{
    (void)state;
    struct pdu all = { .le = true };
    struct pdu parts[4] = { bind_pdu(true, EPM), bind_ack_pdu(true, 0), request_pdu(true, 3),
                            epm_response(true, 3, 0x03, &T1, 1) };
    for (int i = 0; i < 4; i++)
        for (size_t j = 0; j < parts[i].n; j++)
            put8(&all, parts[i].b[j]);
    struct dcerpc_conn c = { 0 };
    struct dcerpc_stats st = { 0 };
    struct seen s = { .n = 0 };
    feed(&c, &st, &all, true, &s);
    assert_int_equal(st.by_result[DCERPC_OK], 4);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.e[0].port, 49712);
}

/* Towers a PDU of every_prefix names once whole. */
static int towers_of(size_t k)
{
    return k == 3 ? 1 : k >= 4 ? 2 : 0;
}

/* Every prefix of every PDU: cut by the capture (truncated: a gap, the buffer dropped) and
 * ending the segment (the rest follows in the next one and the PDU is read whole). Never a
 * crash, never a port from a part, and the conversation still works afterwards. */
static void every_prefix(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        struct pdu pdus[] = { bind_pdu(le, EPM), bind_ack_pdu(le, 0), request_pdu(le, 3),
                              epm_response(le, 3, 0x03, &T1, 1), epm_response(le, 2, 0x03, T2, 2),
                              epm_response(le, 3, 0x03, T2, 2) };
        for (size_t k = 0; k < sizeof pdus / sizeof pdus[0]; k++) {
            const struct pdu *q = &pdus[k];
            for (size_t n = 0; n < q->n; n++) {
                for (int cut = 0; cut < 2; cut++) {
                    struct dcerpc_conn c;
                    struct dcerpc_stats st;
                    prime(&c, &st, le, k == 4 ? 2 : 3);
                    struct seen s = { .n = 0 };
                    uint32_t seq = next_seq[1];
                    dcerpc_segment(&c, q->b, n, cut ? q->n : n, seq, true, &st, on_ep, &s);
                    assert_int_equal(s.n, 0);
                    assert_int_equal(st.by_result[DCERPC_TRUNCATED], cut);
                    if (cut) {
                        next_seq[1] += (uint32_t)q->n;
                        feed(&c, &st, q, true, &s); /* in step again */
                    } else {
                        dcerpc_segment(&c, q->b + n, q->n - n, q->n - n, seq + (uint32_t)n,
                                       true, &st, on_ep, &s);
                        next_seq[1] += (uint32_t)q->n;
                    }
                    assert_int_equal(s.n, towers_of(k));
                    assert_int_equal(st.by_result[DCERPC_MALFORMED], 0);
                }
            }
        }
    }
}

/* An ept_map answer cut across three TCP segments at a and b, sent at seq (the order given). */
static void send3(struct dcerpc_conn *c, struct dcerpc_stats *st, const struct pdu *r,
                  const int *order, int norder, uint32_t seq, struct seen *s)
{
    size_t cut[4] = { 0, 30, 101, r->n };
    for (int i = 0; i < norder; i++) {
        size_t from = cut[order[i]], to = cut[order[i] + 1];
        dcerpc_segment(c, r->b + from, to - from, to - from, seq + (uint32_t)from, true, st,
                       on_ep, s);
    }
}

static void three_segments(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        struct dcerpc_conn c;
        struct dcerpc_stats st;
        struct pdu r = epm_response(le, 3, 0x03, T2, 2);
        assert_true(r.n > 101);

        static const int in_order[] = { 0, 1, 2 }, again[] = { 0, 1, 1, 2 };
        prime(&c, &st, le, 3);
        struct seen s = { .n = 0 };
        send3(&c, &st, &r, in_order, 3, next_seq[1], &s);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.e[1].port, 49713);

        /* The middle segment retransmitted: skipped, the answer read once. */
        prime(&c, &st, le, 3);
        s.n = 0;
        send3(&c, &st, &r, again, 4, next_seq[1], &s);
        assert_int_equal(s.n, 2);
        assert_int_equal(st.stream_retrans, 1);
        assert_int_equal(st.epm_answers, 1);

        /* A retransmission that overlaps old and new bytes: only the new ones are taken. */
        prime(&c, &st, le, 3);
        s.n = 0;
        uint32_t seq = next_seq[1];
        dcerpc_segment(&c, r.b, 101, 101, seq, true, &st, on_ep, &s);
        dcerpc_segment(&c, r.b + 30, r.n - 30, r.n - 30, seq + 30, true, &st, on_ep, &s);
        assert_int_equal(s.n, 2);
        assert_int_equal(st.stream_retrans, 1);

        /* The middle segment missing from the capture: nothing learned, the gap counted, and
         * the next answer (a segment starting a PDU) is read again. */
        static const int gap[] = { 0, 2 };
        prime(&c, &st, le, 3);
        s.n = 0;
        send3(&c, &st, &r, gap, 2, next_seq[1], &s);
        assert_int_equal(s.n, 0);
        assert_int_equal(st.stream_gaps, 1);
        assert_int_equal(st.by_result[DCERPC_FRAGMENTED], 1);
        assert_int_equal(st.by_result[DCERPC_MALFORMED], 0);
        next_seq[1] += (uint32_t)r.n;
        struct pdu q = request_pdu(le, 3);
        request(&c, &st, &q);
        feed(&c, &st, &r, true, &s);
        assert_int_equal(s.n, 2);
    }
}

/* r's stub in RPC fragments cut at stub offsets cuts[0..ncut), each a response PDU (C706
 * 12.6.4.10) with its own header; flags first/last as they fall. */
static size_t split_rpc(const struct pdu *r, const size_t *cuts, int ncut, struct pdu *out)
{
    size_t stub = 24, n = 0;
    for (int i = 0; i <= ncut; i++) {
        size_t from = stub + (i == 0 ? 0 : cuts[i - 1]);
        size_t to = i == ncut ? r->n : stub + cuts[i];
        uint8_t flags = (uint8_t)((i == 0 ? 0x01 : 0) | (i == ncut ? 0x02 : 0));
        struct pdu f = hdr(r->le, 2, flags, 2);
        put32(&f, (uint32_t)(r->n - stub));
        put16(&f, 0);
        put8(&f, 0);
        put8(&f, 0);
        for (size_t j = from; j < to; j++)
            put8(&f, r->b[j]);
        out[n++] = done(f);
    }
    return n;
}

/* An ept_lookup answer in two and in three RPC fragments (Samba answers rpcdump so), in both
 * byte orders; their bytes cut into two TCP segments at every point. */
static void rpc_fragments(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        struct pdu r = epm_response(le, 2, 0x03, T2, 2), f[3];
        static const size_t two[] = { 37 }, three[] = { 10, 77 };
        for (int v = 0; v < 2; v++) {
            size_t nf = v == 0 ? split_rpc(&r, two, 1, f) : split_rpc(&r, three, 2, f);
            struct pdu all = { .le = le };
            for (size_t i = 0; i < nf; i++)
                for (size_t j = 0; j < f[i].n; j++)
                    put8(&all, f[i].b[j]);
            for (size_t n = 0; n <= all.n; n++) {
                struct dcerpc_conn c;
                struct dcerpc_stats st;
                prime(&c, &st, le, 2);
                struct seen s = { .n = 0 };
                uint32_t seq = next_seq[1];
                dcerpc_segment(&c, all.b, n, n, seq, true, &st, on_ep, &s);
                dcerpc_segment(&c, all.b + n, all.n - n, all.n - n, seq + (uint32_t)n, true,
                               &st, on_ep, &s);
                next_seq[1] += (uint32_t)all.n;
                assert_int_equal(s.n, 2);
                assert_int_equal(s.e[0].port, 49712);
                assert_int_equal(st.frag_joined, 1);
                assert_int_equal(st.by_result[DCERPC_OK], 3 + nf);
            }
        }

        /* The middle of three fragments missing from the capture: the gap drops the chain, the
         * last fragment is not joined to the first. */
        struct dcerpc_conn g;
        struct dcerpc_stats gst;
        prime(&g, &gst, le, 2);
        split_rpc(&r, three, 2, f);
        struct seen gs = { .n = 0 };
        uint32_t seq = next_seq[1];
        dcerpc_segment(&g, f[0].b, f[0].n, f[0].n, seq, true, &gst, on_ep, &gs);
        seq += (uint32_t)(f[0].n + f[1].n);
        dcerpc_segment(&g, f[2].b, f[2].n, f[2].n, seq, true, &gst, on_ep, &gs);
        next_seq[1] = seq + (uint32_t)f[2].n;
        assert_int_equal(gs.n, 0);
        assert_int_equal(gst.stream_gaps, 1);
        assert_int_equal(gst.by_result[DCERPC_FRAGMENTED], 1);
        assert_int_equal(gst.by_result[DCERPC_MALFORMED], 0);

        /* A later fragment without its first: counted incomplete, nothing learned. */
        struct dcerpc_conn c;
        struct dcerpc_stats st;
        prime(&c, &st, le, 2);
        split_rpc(&r, two, 1, f);
        struct seen s = { .n = 0 };
        feed(&c, &st, &f[1], true, &s);
        assert_int_equal(s.n, 0);
        assert_int_equal(st.by_result[DCERPC_FRAGMENTED], 1);
    }
}

static void expect_malformed(struct pdu *p, bool le)
{
    struct dcerpc_conn c;
    struct dcerpc_stats st;
    prime(&c, &st, le, 3);
    struct seen s = { .n = 0 };
    feed(&c, &st, p, true, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(st.by_result[DCERPC_MALFORMED], 1);
}

static void malformed(void **state)
{
    (void)state;
    for (int le = 0; le < 2; le++) {
        struct pdu p = epm_response(le, 3, 0x03, &T1, 1);
        p.b[0] = 4; /* version 4 */
        expect_malformed(&p, le);

        p = epm_response(le, 3, 0x03, &T1, 1);
        p.b[le ? 8 : 9] = 10; /* frag_length smaller than the header */
        p.b[le ? 9 : 8] = 0;
        expect_malformed(&p, le);

        p = epm_response(le, 3, 0x03, &T1, 1);
        p.b[le ? 10 : 11] = 0xff; /* auth_length beyond the PDU */
        expect_malformed(&p, le);

        for (uint16_t floors = 6; floors < 20; floors += 13) {
            struct tower lying = T1;
            lying.floors = floors; /* more floors than the tower holds; more than any tower */
            p = epm_response(le, 3, 0x03, &lying, 1);
            expect_malformed(&p, le);
        }

        p = epm_response(le, 3, 0x03, T2, 2);
        size_t at = 16 + 8 + 20 + 4 + 8; /* actual_count of the towers array */
        p.b[le ? at : at + 3] = 3;       /* three claimed, max_count two */
        expect_malformed(&p, le);
    }
}

/* A refused context is forgotten: its response is not read as the endpoint mapper's. */
static void refused_context(void **state)
{
    (void)state;
    struct dcerpc_conn c = { 0 };
    struct dcerpc_stats st = { 0 };
    struct seen s = { .n = 0 };
    struct pdu b = bind_pdu(true, EPM), a = bind_ack_pdu(true, 2), q = request_pdu(true, 3);
    struct pdu r = epm_response(true, 3, 0x03, &T1, 1);
    feed(&c, &st, &b, false, &s);
    feed(&c, &st, &a, true, &s);
    feed(&c, &st, &q, false, &s);
    feed(&c, &st, &r, true, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(st.epm_answers, 0);
    /* A response without its request is counted, not guessed. */
    memset(&c, 0, sizeof c);
    feed(&c, &st, &r, true, &s);
    assert_int_equal(st.unmatched_responses, 1);
    assert_int_equal(s.n, 0);
}

/* --- end to end --------------------------------------------------------------------------- */

static struct pb b;

static void feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

/* A data segment carrying p; its bytes replace pb's pattern (checksums are not verified). */
static void segment(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                    const struct pdu *p)
{
    b.next.payload_len = (uint32_t)p->n;
    int i = pb_tcp(&b, src, sp, dst, dp, TH_ACK | TH_PUSH);
    assert_true(i >= 0);
    memcpy(&b.pool[b.rec[i].off + b.rec[i].ip_off + 20 + 20], p->b, p->n);
}

static const struct verdict_port PORTS[] = {
    { 6, 135, 135, "WMI / RPC", false },
    { 6, 49152, 65535, "WMI / RPC", true },
};

static const struct verdict_item *find(const struct verdict_collector *vc, uint16_t port)
{
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->proto == 6 && it->port == port)
            return it;
    }
    fail_msg("no verdict for port %u", port);
    return NULL;
}

static void learned_port_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 50100, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, 50100, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50100, TGT, 135, TH_ACK);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0), rq = request_pdu(true, 3);
    struct pdu rs = epm_response(true, 3, 0x03, &T1, 1);
    segment(SRC, 50100, TGT, 135, &bd);
    segment(TGT, 135, SRC, 50100, &ba);
    segment(SRC, 50100, TGT, 135, &rq);
    segment(TGT, 135, SRC, 50100, &rs); /* frame 7 */
    pb_tcp(&b, SRC, 50100, TGT, 135, TH_ACK | TH_FIN);
    pb_tcp(&b, TGT, 135, SRC, 50100, TH_ACK | TH_FIN);
    pb_tcp(&b, SRC, 50100, TGT, 135, TH_ACK);
    pb_tcp(&b, SRC, 50101, TGT, 49712, TH_SYN); /* the learned port: no answer */
    pb_wait(&b, 1000000);
    pb_tcp(&b, SRC, 50101, TGT, 49712, TH_SYN);
    pb_tcp(&b, SRC, 50102, TGT, 50000, TH_SYN); /* in the range, never named */

    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = PORTS;
    cfg.verdict.nports = sizeof PORTS / sizeof PORTS[0];
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    pb_feed(&b, feed_fn, a);
    analyzer_finish(a);

    const struct rpc_ports *rp = analyzer_rpc_ports(a);
    struct fw_addr tgt;
    assert_true(fw_addr_parse(&tgt, TGT));
    const struct rpc_learned *l = rpc_ports_lookup(rp, &tgt, 49712);
    assert_non_null(l);
    assert_int_equal(l->frame, 7);

    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_int_equal(find(vc, 135)->v.kind, VERDICT_OPEN);
    const struct verdict_item *it = find(vc, 49712);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_string_equal(it->service,
                        "RPC dynamic (SAMR, learned from the endpoint mapper at packet 7)");
    assert_non_null(strstr(it->advice, "endpoint mapper on 135 reachable, dynamic port 49712 "
                                       "dropped: open the RPC range"));
    it = find(vc, 50000);
    assert_string_equal(it->service, "RPC dynamic (range)");
    assert_non_null(strstr(it->advice, "endpoint mapper on 135 reachable"));
    analyzer_free(a);
}

static void handshake(uint16_t sp)
{
    pb_tcp(&b, SRC, sp, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, sp, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK);
}

/* Feeds frames [*fed, pb_count()) and returns the parser memory held after them. */
static const struct rpc_mem *feed_upto(struct analyzer *a, size_t *fed)
{
    for (; *fed < pb_count(&b); (*fed)++) {
        struct frame f = pb_frame(&b, *fed);
        analyzer_feed(a, &f);
    }
    return rpc_ports_mem(analyzer_rpc_ports(a));
}

/* A connection's parser memory is allocated only when TCP 135 carries payload, and given back
 * when the connection ends, by a FIN from each side or by a RST. */
static void parser_memory_on_demand(void **state)
{
    (void)state;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    size_t fed = 0;
    pb_init(&b, T0);
    /* No payload on 135: a web exchange and a refused connection to 135. */
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_SYN);
    pb_tcp(&b, TGT, 80, SRC, 50200, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_ACK);
    b.next.payload_len = 200;
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_ACK | TH_PUSH);
    pb_tcp(&b, SRC, 50201, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, 50201, TH_RST | TH_ACK);
    const struct rpc_mem *m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 0);
    assert_int_equal(m->peak, 0);

    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    handshake(50300); /* two connections bind */
    assert_int_equal(feed_upto(a, &fed)->in_use, 0);
    segment(SRC, 50300, TGT, 135, &bd);
    const struct pb_rec *rec = &b.rec[pb_count(&b) - 1];
    const uint8_t *tcp = &b.pool[rec->off + rec->ip_off + 20];
    uint32_t bind_seq = 0;
    for (int i = 4; i < 8; i++)
        bind_seq = bind_seq << 8 | tcp[i]; /* its sequence number, for a retransmission */
    handshake(50301);
    segment(SRC, 50301, TGT, 135, &bd);
    segment(TGT, 135, SRC, 50301, &ba);
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, SRC, 50300, TGT, 135, TH_ACK | TH_FIN); /* the first one closes */
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, TGT, 135, SRC, 50300, TH_ACK | TH_FIN);
    pb_tcp(&b, SRC, 50300, TGT, 135, TH_ACK);
    assert_int_equal(feed_upto(a, &fed)->in_use, 1);
    b.next.set_seq = true; /* its bind again, after the end: a retransmission, not a start */
    b.next.seq = bind_seq;
    segment(SRC, 50300, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(rpc_ports_stats(analyzer_rpc_ports(a))->stream_retrans, 1);
    handshake(50302); /* a third binds and is reset */
    segment(SRC, 50302, TGT, 135, &bd);
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, TGT, 135, SRC, 50302, TH_RST | TH_ACK);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(m->peak, 2);
    assert_int_equal(m->alloc_failed, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->binds, 3);
    assert_int_equal(st->bind_acks, 1);
    assert_int_equal(st->by_result[DCERPC_OK], 4);
    analyzer_free(a);
}

/* At most RPC_CONNS_MAX connections are parsed at once: the 33rd live one pushes the one idle
 * longest out, counted, and hands its memory on; a slot a connection ended leaves is taken
 * uncounted. The analyzer's stats carry the count for the report. */
static void parser_cap_evicts(void **state)
{
    (void)state;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    size_t fed = 0;
    pb_init(&b, T0);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    for (uint16_t i = 0; i < RPC_CONNS_MAX; i++) {
        handshake((uint16_t)(50500 + i));
        segment(SRC, (uint16_t)(50500 + i), TGT, 135, &bd);
    }
    const struct rpc_mem *m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 0);
    handshake(50600); /* one too many: 50500, idle longest, goes */
    segment(SRC, 50600, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 1);
    assert_int_equal(analyzer_stats(a)->rpc_conns_evicted, 1);
    segment(TGT, 135, SRC, 50500, &ba); /* the evicted one again: a new start, pushing out 50501 */
    feed_upto(a, &fed);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 2);
    pb_tcp(&b, TGT, 135, SRC, 50510, TH_RST | TH_ACK); /* one ends: its slot is free to take */
    handshake(50601);
    segment(SRC, 50601, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(m->peak, RPC_CONNS_MAX);
    assert_int_equal(m->alloc_failed, 0);
    analyzer_finish(a);
    const struct analyzer_stats *as = analyzer_stats(a);
    assert_int_equal(as->rpc_conns_evicted, 2);
    assert_int_equal(as->rpc_alloc_failed, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->binds, RPC_CONNS_MAX + 2);
    assert_int_equal(st->bind_acks, 1); /* the evicted one's answer, parsed afresh */
    analyzer_free(a);
}

/* Linked with -Wl,--wrap=calloc: the parser memory's allocation can be made to fail. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static bool fail_conn_alloc;

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_conn_alloc && n == 1 && size == sizeof(struct dcerpc_conn))
        return NULL;
    return __real_calloc(n, size);
}

/* Without memory for a connection its segments go unparsed and are counted; the next segment
 * tries again. */
static void parser_memory_refused(void **state)
{
    (void)state;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    size_t fed = 0;
    pb_init(&b, T0);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    handshake(50400);
    segment(SRC, 50400, TGT, 135, &bd);
    fail_conn_alloc = true;
    const struct rpc_mem *m = feed_upto(a, &fed);
    fail_conn_alloc = false;
    assert_int_equal(m->alloc_failed, 1);
    assert_int_equal(m->in_use, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->segments, 0);
    segment(TGT, 135, SRC, 50400, &ba);
    m = feed_upto(a, &fed);
    assert_int_equal(m->alloc_failed, 1);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(st->segments, 1);
    assert_int_equal(st->bind_acks, 1);
    assert_int_equal(analyzer_stats(a)->rpc_alloc_failed, 1); /* for the report */
    assert_int_equal(analyzer_stats(a)->rpc_conns_evicted, 0);
    analyzer_free(a);
}

/* The real sample (samples/rpc/open, made by samples/rpc/lab.sh): impacket-rpcdump's ept_lookup
 * answer from Samba spans several TCP segments and two RPC fragments; reassembled, its entries
 * teach the dynamic ports, more than the single one rpcclient's ept_map names. */
static void sample_rpcdump_learned(void **state)
{
    (void)state;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(FW_SAMPLES_DIR "/rpc/open/source.pcap", 0, err);
    if (cf == NULL)
        fail_msg("%s", err);
    struct frame f;
    while (cap_file_next(cf, &f, err) == 1)
        analyzer_feed(a, &f);
    cap_file_close(cf);
    analyzer_finish(a);
    const struct rpc_ports *r = analyzer_rpc_ports(a);
    const struct dcerpc_stats *st = rpc_ports_stats(r);
    assert_true(st->frag_joined >= 1);
    assert_true(st->epm_answers >= 2);
    assert_int_equal(st->by_result[DCERPC_MALFORMED], 0);
    assert_int_equal(st->stream_gaps, 0);
    uint8_t tgt[4] = { 203, 0, 113, 20 };
    struct fw_addr host;
    fw_addr_set4(&host, tgt);
    uint32_t on_tgt = 0, ept_lookup = 0;
    for (uint32_t i = 0; i < rpc_ports_count(r); i++) {
        const struct rpc_learned *l = rpc_ports_at(r, i);
        if (fw_addr_eq(&l->host, &host)) {
            on_tgt++;
            ept_lookup += l->frame >= 12 && l->frame <= 13; /* the rpcdump answer's frames */
        }
    }
    assert_true(on_tgt > 1);
    assert_true(ept_lookup > 1);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_one_tower_le),
        cmocka_unit_test(map_one_tower_be),
        cmocka_unit_test(map_and_lookup_two_towers),
        cmocka_unit_test(several_pdus_in_one_segment),
        cmocka_unit_test(every_prefix),
        cmocka_unit_test(three_segments),
        cmocka_unit_test(rpc_fragments),
        cmocka_unit_test(malformed),
        cmocka_unit_test(refused_context),
        cmocka_unit_test(learned_port_dropped),
        cmocka_unit_test(parser_memory_on_demand),
        cmocka_unit_test(parser_memory_refused),
        cmocka_unit_test(parser_cap_evicts),
        cmocka_unit_test(sample_rpcdump_learned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
