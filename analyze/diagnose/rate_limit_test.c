/* analyze/diagnose/rate_limit_test.c: refusals the host rate limits (explain_rate_limit.c): a
 * burst of attempts of which some are refused by the host itself (RST, ICMP port unreachable)
 * and the rest go unanswered is a closed port, not a drop, over TCP, IPv6 and UDP; silence far
 * outside the burst is still a drop. Captured on the source. */
#include "diag_test.h"

/* n attempts to TGT's TCP port 6320, 100 ms apart, the first nrst refused by the host (TTL
 * 63, as its own packets); gap_us more before the silent ones. */
static void tcp_burst(const char *src, const char *tgt, int nrst, int nsilent, uint64_t gap_us)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    uint16_t sport = 50001;
    for (int i = 0; i < nrst; i++, sport++) {
        pb_tcp(&b, src, sport, tgt, 6320, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, tgt, 6320, src, sport, TH_RST | TH_ACK);
    }
    pb_wait(&b, gap_us);
    for (int i = 0; i < nsilent; i++, sport++)
        pb_tcp(&b, src, sport, tgt, 6320, TH_SYN);
    diag_tail(src, 49401, tgt, 5 * SEC);
}

static void check_rst_rate(const char *src, const char *tgt)
{
    tcp_burst(src, tgt, 2, 3, 0);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_RST_RATE,
                                        "rate-limited-refusals", VERDICT_CONF_MEDIUM, tgt, false,
                                        "limits how often it says so" });
    assert_int_equal(it->counts.by_outcome[VO_NO_ANSWER], 3);
    diag_evidence_has(it, "its RST rate limit, not a filter");
}

static void rsts_then_silence_in_one_burst_are_closed(void **state)
{
    (void)state;
    check_rst_rate(SRC, TGT);
}

static void rsts_then_silence_in_one_burst_are_closed_v6(void **state)
{
    (void)state;
    check_rst_rate(SRC6, TGT6);
}

static void check_silence_far_from_rsts(const char *src, const char *tgt)
{
    tcp_burst(src, tgt, 1, 3, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, src, tgt, 6, 6320);
    /* Three silent against one RST: the drop decides, its confidence lowered by the RST. */
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_LOW, NULL, true,
                                        "on the firewall between them" });
}

static void silence_far_outside_the_burst_stays_dropped(void **state)
{
    (void)state;
    check_silence_far_from_rsts(SRC, TGT);
}

static void silence_far_outside_the_burst_stays_dropped_v6(void **state)
{
    (void)state;
    check_silence_far_from_rsts(SRC6, TGT6);
}

/* A UDP request from sport to TGT's dport, refused by TGT itself when refuse. */
static void udp_try(uint16_t sport, uint16_t dport, bool refuse)
{
    int q = pb_udp(&b, SRC, sport, TGT, dport, 20);
    assert_true(q >= 0);
    if (refuse) {
        b.next.ttl = 63;
        pb_icmp_error(&b, TGT, SRC, 3, 3, q);
    }
}

static void udp_unreachables_then_silence_are_closed(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    for (uint16_t i = 0; i < 5; i++)
        udp_try((uint16_t)(40001 + i), 6320, i < 2);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_ICMP_RATE,
                                        "rate-limited-refusals", VERDICT_CONF_MEDIUM, TGT, false,
                                        "probe one port at a time" });
    diag_evidence_has(it, "its ICMP rate limit");
}

/* Port unreachables for 7001 and 7002, then 7003 unanswered gap_us later. */
static void other_ports_refused(uint64_t gap_us)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    udp_try(40001, 7001, true);
    udp_try(40002, 7002, true);
    pb_wait(&b, gap_us);
    udp_try(40003, 7003, false);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void silence_after_unreachables_for_other_ports_is_closed(void **state)
{
    (void)state;
    other_ports_refused(0);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 7003);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_ICMP_RATE,
                                        "rate-limited-refusals", VERDICT_CONF_LOW, TGT, false,
                                        "nothing listens on UDP 7003" });
    diag_evidence_has(it, "sent 2 port unreachable(s) for other ports");
}

static void silence_long_after_unreachables_for_other_ports_is_dropped(void **state)
{
    (void)state;
    other_ports_refused(5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 7003);
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_LOW, NULL, true,
                                        "a UDP service that ignores the request" });
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsts_then_silence_in_one_burst_are_closed),
        cmocka_unit_test(rsts_then_silence_in_one_burst_are_closed_v6),
        cmocka_unit_test(silence_far_outside_the_burst_stays_dropped),
        cmocka_unit_test(silence_far_outside_the_burst_stays_dropped_v6),
        cmocka_unit_test(udp_unreachables_then_silence_are_closed),
        cmocka_unit_test(silence_after_unreachables_for_other_ports_is_closed),
        cmocka_unit_test(silence_long_after_unreachables_for_other_ports_is_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
