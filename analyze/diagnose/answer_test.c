/* analyze/diagnose/answer_test.c: answered attempts and what a capture on either end can say of
 * them. An answer seen at the requester is OPEN, high (explain_open.c); a UDP answer or echo
 * reply (IPv4, IPv6) seen leaving the host that answered is OPEN, medium (whether it arrived
 * is not seen there), with the capture point from --local or inferred; a UDP request sent
 * again with the same length after its answer is REPLY-DROPPED, inferred, at the responder
 * (explain_reply_dropped.c) and OPEN at the requester, where the answer was seen to arrive. */
#include "diag_test.h"

static void tcp_answer_at_the_requester_is_open(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 6, 6325),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH, TGT,
                                    false, "nothing to do: TCP 6325 from 198.51.100.10 to "
                                           "203.0.113.20 passes" });
}

/* A UDP query from SRC to TGT's 53 answered, sent again with the same length after the
 * answer when again; captured at the target (its own packets leave with 64, the source's
 * arrive with 63) unless at_source. */
static void udp_query(bool at_source, bool again)
{
    uint8_t own = 64, far = 63;
    pb_init(&b, T0);
    /* A connection from SRC to TGT's 6325: puts the capture point on its side. */
    b.next.ttl = at_source ? own : far;
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_SYN);
    b.next.ttl = at_source ? far : own;
    pb_tcp(&b, TGT, 6325, SRC, 49400, TH_SYN | TH_ACK);
    b.next.ttl = at_source ? own : far;
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_ACK);
    b.next.ttl = at_source ? own : far;
    pb_udp(&b, SRC, 40001, TGT, 53, 30);
    b.next.ttl = at_source ? far : own;
    pb_udp(&b, TGT, 53, SRC, 40001, 90);
    if (again) {
        pb_wait(&b, SEC);
        b.next.ttl = at_source ? own : far;
        pb_udp(&b, SRC, 40001, TGT, 53, 30);
        b.next.ttl = at_source ? far : own;
        pb_udp(&b, TGT, 53, SRC, 40001, 90);
    }
    pb_wait(&b, 5 * SEC);
    b.next.ttl = at_source ? own : far;
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_ACK);
}

static void udp_answer_seen_leaving_the_responder_is_open_medium(void **state)
{
    (void)state;
    static const char *const local[] = { TGT, NULL }; /* --local, then inferred */
    for (size_t i = 0; i < 2; i++) {
        udp_query(false, false);
        diag_run(local[i]);
        const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(diag_a));
        struct fw_addr t;
        assert_true(fw_addr_parse(&t, TGT));
        assert_true(cp->known);
        assert_true(fw_addr_eq(&cp->addr, &t));
        const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, 53);
        diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open",
                                            VERDICT_CONF_MEDIUM, TGT, false, "passes" });
        diag_evidence_has(it, "captured at the host that answered");
    }
}

static void udp_answer_seen_at_the_requester_is_open_high(void **state)
{
    (void)state;
    udp_query(true, false);
    diag_run(SRC);
    diag_expect(diag_find(diag_a, SRC, TGT, 17, 53),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH, TGT,
                                    false, "passes" });
}

static void udp_asked_again_after_the_answer_at_the_responder_is_reply_dropped(void **state)
{
    (void)state;
    static const char *const local[] = { TGT, NULL };
    for (size_t i = 0; i < 2; i++) {
        udp_query(false, true);
        diag_run(local[i]);
        const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, 53);
        diag_expect(it, (struct diag_want){ VERDICT_REPLY_DROPPED, LOOKALIKE_NONE,
                                            "reply-dropped", VERDICT_CONF_MEDIUM, TGT, true,
                                            "inferred from this capture alone" });
        assert_true(it->inferred);
        assert_int_equal(it->counts.by_outcome[VO_REPEATED], 1);
    }
}

static void udp_asked_again_after_the_answer_at_the_requester_is_open(void **state)
{
    (void)state;
    udp_query(true, true);
    diag_run(SRC);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, 53);
    diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open",
                                        VERDICT_CONF_HIGH, TGT, false, "passes" });
    assert_false(it->inferred);
}

static void echo_answer_seen_leaving_the_responder_is_open_medium(void **state)
{
    (void)state;
    static const char *const pair[][2] = { { SRC, TGT }, { SRC6, TGT6 } };
    for (size_t i = 0; i < 2; i++) {
        pb_init(&b, T0);
        b.next.ttl = 63;
        pb_icmp_echo(&b, pair[i][0], pair[i][1], false, 7, 1);
        pb_icmp_echo(&b, pair[i][1], pair[i][0], true, 7, 1);
        diag_run(pair[i][1]);
        const struct verdict_item *it = diag_find(diag_a, pair[i][0], pair[i][1],
                                                  VERDICT_PROTO_ECHO, 0);
        diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open",
                                            VERDICT_CONF_MEDIUM, pair[i][1], false, "passes" });
        diag_evidence_has(it, "captured at the host that answered");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_answer_at_the_requester_is_open),
        cmocka_unit_test(udp_answer_seen_leaving_the_responder_is_open_medium),
        cmocka_unit_test(udp_answer_seen_at_the_requester_is_open_high),
        cmocka_unit_test(echo_answer_seen_leaving_the_responder_is_open_medium),
        cmocka_unit_test(udp_asked_again_after_the_answer_at_the_responder_is_reply_dropped),
        cmocka_unit_test(udp_asked_again_after_the_answer_at_the_requester_is_open),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
