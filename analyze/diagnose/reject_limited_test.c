/* analyze/diagnose/reject_limited_test.c: a router that refuses with ICMP and whose ICMP rate
 * limit leaves some requests of a burst without their error (explain_reject_limited.c). The
 * silent ports of the burst are the router's REJECTED, not a silent drop, once the router is
 * seen holding back errors for requests it did refuse; and the detector stays silent where that
 * proof is missing, where the silence came first or far away, or where the requests reached the
 * host. Captured on the requester (and once on the host). */
#include "diag_test.h"

enum { FIRST_PORT = 7001 };

/* A TCP attempt from sport to port: the SYN and `again` copies of it a second apart; the router
 * refuses the first `errors` of them with ICMP type/code at once. */
static void syn_tries(const char *src, const char *tgt, const char *rtr, uint16_t sport,
                      uint16_t port, int again, int errors, uint8_t type, uint8_t code,
                      uint64_t t0)
{
    for (int i = 0; i <= again; i++) {
        pb_at(&b, t0 + SEC * (unsigned)i + MS * (port % 100u));
        int syn = pb_tcp(&b, src, sport, tgt, port, TH_SYN);
        assert_true(syn >= 0);
        if (i < errors)
            assert_true(pb_icmp_error(&b, rtr, src, type, code, syn) >= 0);
    }
}

/* A burst to nports ports from FIRST_PORT, each SYN sent twice: the first `refused` ports get
 * an error for their first SYN only (the limiter then holds back the rest), the others none. */
static void burst(const char *src, const char *tgt, const char *rtr, int nports, int refused,
                  int errors_each, uint8_t type, uint8_t code)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    uint64_t t0 = T0 + 100 * MS;
    for (int i = 0; i < nports; i++)
        syn_tries(src, tgt, rtr, (uint16_t)(50001 + i), (uint16_t)(FIRST_PORT + i), 1,
                  i < refused ? errors_each : 0, type, code, t0);
    diag_tail(src, 49401, tgt, 10 * SEC);
}

static void check_burst(const char *src, const char *tgt, const char *rtr, uint8_t type,
                        uint8_t code)
{
    burst(src, tgt, rtr, 8, 3, 1, type, code);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, FIRST_PORT + 5);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_LOW, rtr, true,
                                        "its ICMP rate limit left some requests" });
    diag_evidence_has(it, "its ICMP rate limit, not a silent rule");
    diag_evidence_has(it, "TCP 7001: 2 requests, 1 error(s)");
    diag_evidence_has(it, "1 attempt(s) here got no error");
    /* The refused ports themselves: the router's reject rule. */
    it = diag_find(diag_a, src, tgt, 6, FIRST_PORT);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_string_equal(it->cause, "firewall-reject");
}

static void silent_ports_of_a_limited_burst_are_the_routers(void **state)
{
    (void)state;
    check_burst(SRC, TGT, RTR, 3, 13); /* admin-prohibited */
}

static void silent_ports_of_a_limited_burst_are_the_routers_v6(void **state)
{
    (void)state;
    check_burst(SRC6, TGT6, RTR6, 1, 1); /* administratively prohibited */
}

/* The host-unreachable of a reject rule (nftables' icmpx host-unreachable) is the same rule. */
static void routing_code_reject_counts_too(void **state)
{
    (void)state;
    check_burst(SRC, TGT, RTR, 3, 1);
}

/* UDP: a datagram sent again by the application, refused once. */
static void udp_burst_with_a_repeat_refused_once(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_at(&b, T0 + 100 * MS);
    int q = pb_udp(&b, SRC, 51000, TGT, FIRST_PORT, 20);
    assert_true(q >= 0 && pb_icmp_error(&b, RTR, SRC, 3, 13, q) >= 0);
    assert_true(pb_udp(&b, SRC, 51000, TGT, FIRST_PORT, 20) >= 0); /* no error: limited */
    for (uint16_t p = FIRST_PORT + 1; p < FIRST_PORT + 4; p++)
        assert_true(pb_udp(&b, SRC, 51000, TGT, p, 20) >= 0);
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, FIRST_PORT + 2);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_LOW, RTR, true, "on the firewall at" });
    diag_evidence_has(it, "UDP 7001: 2 requests, 1 error(s)");
}

/* One port of the burst refused for one attempt and silent for another: its own rule, held
 * back; medium confidence. */
static void a_port_refused_then_silent_is_medium(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    uint64_t t0 = T0 + 100 * MS;
    syn_tries(SRC, TGT, RTR, 50001, FIRST_PORT, 1, 1, 3, 13, t0);
    syn_tries(SRC, TGT, RTR, 50002, FIRST_PORT + 1, 0, 1, 3, 13, t0);
    syn_tries(SRC, TGT, RTR, 50003, FIRST_PORT + 1, 0, 0, 3, 13, t0 + 200 * MS);
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, FIRST_PORT + 1);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_MEDIUM, RTR, true, "on the firewall at" });
    assert_int_equal(it->counts.by_outcome[VO_NO_ANSWER], 1);
}

/* --- where it must stay silent ---------------------------------------------------------- */

static void expect_dropped(uint16_t port)
{
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, port);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
    assert_string_equal(it->cause, "firewall-drop");
}

/* Every refused request got its error: a policy that rejects some ports and drops others. */
static void every_refusal_answered_is_a_mixed_policy(void **state)
{
    (void)state;
    burst(SRC, TGT, RTR, 8, 3, 2, 3, 13);
    diag_run(NULL);
    expect_dropped(FIRST_PORT + 5);
}

/* The silence came before the router refused anything. */
static void silence_before_the_first_refusal_stays_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    syn_tries(SRC, TGT, RTR, 50009, FIRST_PORT + 8, 1, 0, 3, 13, T0 + 100 * MS);
    for (int i = 0; i < 3; i++)
        syn_tries(SRC, TGT, RTR, (uint16_t)(50001 + i), (uint16_t)(FIRST_PORT + i), 1, 1, 3,
                  13, T0 + 300 * MS);
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    expect_dropped(FIRST_PORT + 8);
}

/* The silence came long after the burst the router limited. */
static void silence_far_from_the_burst_stays_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    for (int i = 0; i < 3; i++)
        syn_tries(SRC, TGT, RTR, (uint16_t)(50001 + i), (uint16_t)(FIRST_PORT + i), 1, 1, 3,
                  13, T0 + 100 * MS);
    syn_tries(SRC, TGT, RTR, 50009, FIRST_PORT + 8, 1, 0, 3, 13, T0 + 20 * SEC);
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    expect_dropped(FIRST_PORT + 8);
}

/* Captured on the host: the silent requests arrived there, past the router. */
static void requests_seen_at_the_host_are_not_the_routers(void **state)
{
    (void)state;
    burst(SRC, TGT, RTR, 8, 3, 1, 3, 13);
    diag_run(TGT);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, FIRST_PORT + 5);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(silent_ports_of_a_limited_burst_are_the_routers),
        cmocka_unit_test(silent_ports_of_a_limited_burst_are_the_routers_v6),
        cmocka_unit_test(routing_code_reject_counts_too),
        cmocka_unit_test(udp_burst_with_a_repeat_refused_once),
        cmocka_unit_test(a_port_refused_then_silent_is_medium),
        cmocka_unit_test(every_refusal_answered_is_a_mixed_policy),
        cmocka_unit_test(silence_before_the_first_refusal_stays_dropped),
        cmocka_unit_test(silence_far_from_the_burst_stays_dropped),
        cmocka_unit_test(requests_seen_at_the_host_are_not_the_routers),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
