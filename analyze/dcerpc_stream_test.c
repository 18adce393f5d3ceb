/* analyze/dcerpc_stream_test.c: the DCE/RPC parser's reassembly (dcerpc_stream.c): an answer
 * cut across TCP segments, retransmitted, overlapping or with a segment missing, and split
 * into RPC fragments, cut again at every point, in both byte orders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/dcerpc.h"
#include "analyze/dcerpc_testlib.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_segments),
        cmocka_unit_test(rpc_fragments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
