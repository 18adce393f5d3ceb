/* analyze/diagnose/ending_test.c: what the capture itself does to a verdict. A capture that
 * ends before an answer was due (explain_cut_short.c) is INCONCLUSIVE, never blocked, over TCP
 * (IPv4 and IPv6) and UDP (its due time from the host's round trip); one that ends long enough
 * after stays a drop. Packets the capture lost (verdict_collector_set_capture_drops) lower a
 * drop's confidence and name capture-drops, and it stays blocking. Captured on the source. */
#include "diag_test.h"

/* The control connection's ACK dt_us from now: the last frame, so the input ends then. */
static void end_after(const char *src, const char *tgt, uint64_t dt_us)
{
    pb_wait(&b, dt_us);
    pb_tcp(&b, src, 49400, tgt, 6325, TH_ACK);
}

static void check_lone_syn_at_the_end(const char *src, const char *tgt)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    pb_wait(&b, 5 * SEC);
    pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN);
    end_after(src, tgt, 500 * MS);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_INCONCLUSIVE, LOOKALIKE_CAPTURE_ENDED,
                                        "capture-ended", VERDICT_CONF_LOW, NULL, false,
                                        "capture a few seconds longer" });
    diag_evidence_has(it, "too soon to tell");
}

static void lone_syn_in_the_last_second_is_inconclusive(void **state)
{
    (void)state;
    check_lone_syn_at_the_end(SRC, TGT);
}

static void lone_syn_in_the_last_second_is_inconclusive_v6(void **state)
{
    (void)state;
    check_lone_syn_at_the_end(SRC6, TGT6);
}

static void check_syn_retransmitted_until_the_end(const char *src, const char *tgt)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    pb_wait(&b, 5 * SEC);
    pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN);
    pb_wait(&b, SEC);
    pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN);
    pb_wait(&b, 2 * SEC);
    pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN); /* the last frame, 3 s after the first SYN */
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_MEDIUM, NULL, true,
                                        "a capture on the target settles it" });
    assert_int_equal(it->counts.retransmits, 2);
}

static void syn_retransmitted_for_3s_until_the_end_stays_dropped(void **state)
{
    (void)state;
    check_syn_retransmitted_until_the_end(SRC, TGT);
}

static void syn_retransmitted_for_3s_until_the_end_stays_dropped_v6(void **state)
{
    (void)state;
    check_syn_retransmitted_until_the_end(SRC6, TGT6);
}

/* A UDP query to TGT's 53 answered after 0.2 ms, then a request to 6320 dt_us before the
 * capture ends. */
static void udp_before_the_end(uint64_t dt_us)
{
    pb_init(&b, T0);
    b.step_us = 0;
    diag_control(SRC, 49400, TGT);
    pb_wait(&b, SEC);
    pb_udp(&b, SRC, 40001, TGT, 53, 30);
    pb_wait(&b, 200);
    b.next.ttl = 63;
    pb_udp(&b, TGT, 53, SRC, 40001, 60);
    pb_wait(&b, 5 * SEC);
    pb_udp(&b, SRC, 40002, TGT, 6320, 30);
    end_after(SRC, TGT, dt_us);
}

static void udp_request_1ms_before_the_end_with_a_fast_host_is_inconclusive(void **state)
{
    (void)state;
    udp_before_the_end(1 * MS);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 17, 53),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH,
                                    TGT, false, "passes" });
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_INCONCLUSIVE, LOOKALIKE_CAPTURE_ENDED,
                                        "capture-ended", VERDICT_CONF_LOW, NULL, false,
                                        "capture a few seconds longer" });
    diag_evidence_has(it, "an answer is due after 2 ms");
}

static void udp_request_4ms_before_the_end_with_a_fast_host_stays_dropped(void **state)
{
    (void)state;
    udp_before_the_end(4 * MS);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 17, 6320),
                (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                    VERDICT_CONF_LOW, NULL, true,
                                    "a UDP service that ignores the request" });
}

static void capture_drops_lower_a_drop_and_keep_it_blocking(void **state)
{
    (void)state;
    check_syn_retransmitted_until_the_end(SRC, TGT);
    /* The analyzer hands its collector out read-only; the capture layer sets the drops. */
    struct verdict_collector *vc = (struct verdict_collector *)analyzer_verdicts(diag_a);
    verdict_collector_set_capture_drops(vc, 7);
    assert_int_equal(verdict_collector_settle(vc), 0);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_CAPTURE_DROPS,
                                        "firewall-drop", VERDICT_CONF_LOW, NULL, true,
                                        "on the firewall between them" });
    diag_evidence_has(it, "the capture lost 7 packet(s)");
    /* An answered cell has nothing the drops could have hidden. */
    diag_expect(diag_find(diag_a, SRC, TGT, 6, 6325),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH,
                                    TGT, false, "passes" });
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lone_syn_in_the_last_second_is_inconclusive),
        cmocka_unit_test(lone_syn_in_the_last_second_is_inconclusive_v6),
        cmocka_unit_test(syn_retransmitted_for_3s_until_the_end_stays_dropped),
        cmocka_unit_test(syn_retransmitted_for_3s_until_the_end_stays_dropped_v6),
        cmocka_unit_test(udp_request_1ms_before_the_end_with_a_fast_host_is_inconclusive),
        cmocka_unit_test(udp_request_4ms_before_the_end_with_a_fast_host_stays_dropped),
        cmocka_unit_test(capture_drops_lower_a_drop_and_keep_it_blocking),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
