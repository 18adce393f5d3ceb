/* analyze/dcerpc_test.c: the DCE/RPC parser (dcerpc.c) on PDUs built field by field
 * (dcerpc_testlib.c), in both byte orders: endpoint mapper answers read, every prefix of every
 * PDU, lies in lengths and floor counts, a refused context. Reassembly across TCP segments and
 * RPC fragments is in dcerpc_stream_test.c; the analyzer's use of it in rpc_ports_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/dcerpc.h"
#include "analyze/dcerpc_testlib.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_one_tower_le),
        cmocka_unit_test(map_one_tower_be),
        cmocka_unit_test(map_and_lookup_two_towers),
        cmocka_unit_test(several_pdus_in_one_segment),
        cmocka_unit_test(every_prefix),
        cmocka_unit_test(malformed),
        cmocka_unit_test(refused_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
