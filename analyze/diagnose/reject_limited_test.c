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

/* The words with the longest IPv6 addresses (the router's and the target's on one line): every
 * line whole, none cut at VERDICT_EVIDENCE_LEN. */
static void limited_words_fit_long_ipv6_addresses(void **state)
{
    (void)state;
    burst(SRC6L, TGT6L, "2001:db8:1234:5678:9abc:def0:1234:1", 8, 3, 1, 1, 1);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC6L, TGT6L, 6, FIRST_PORT + 5);
    assert_string_equal(verdict_name(it->v.kind), "REJECTED");
    diag_evidence_has(it, "its ICMP rate limit, not a silent rule");
    diag_no_line_cut(it);
}

/* The frames of b through a fresh analyzer whose flow hash key is k (the application draws
 * one at random): the kind of src's verdict toward port. */
static enum verdict_kind kind_under_key(uint64_t k, const char *src, uint16_t port)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.flow_hash_key[0] = k;
    cfg.flow_hash_key[1] = ~k;
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    pb_feed(&b, diag_feed_fn, a);
    analyzer_finish(a);
    enum verdict_kind kind = diag_find(a, src, TGT, 6, port)->v.kind;
    analyzer_free(a);
    return kind;
}

/* A policy that rejects three ports and drops the rest, SYNs sent again 2.5 s later: the
 * silent ports met a router quiet for a second, DROPPED. Forty other requesters meet the
 * router's errors after that. The verdict of a file must not depend on the random key of the
 * run (the requesters' error logs share 256 slots by that hash: another requester in the
 * slot made "cannot tell", and the limit's reading REJECTED). */
static void the_quiet_reading_does_not_depend_on_the_hash_key(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 8; i++) {
            pb_at(&b, T0 + 100 * MS + 2500 * MS * (unsigned)k + MS * (unsigned)i);
            int syn = pb_tcp(&b, SRC, (uint16_t)(50001 + i), TGT, (uint16_t)(FIRST_PORT + i),
                             TH_SYN);
            if (i < 3 && k == 0)
                assert_true(pb_icmp_error(&b, RTR, SRC, 3, 13, syn) >= 0);
        }
    for (int j = 0; j < 40; j++) {
        char other[32];
        snprintf(other, sizeof other, "198.51.100.%d", 100 + j);
        int syn = pb_tcp(&b, other, 50001, TGT, 7100, TH_SYN);
        assert_true(pb_icmp_error(&b, RTR, other, 3, 13, syn) >= 0);
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    enum verdict_kind want = kind_under_key(1, SRC, FIRST_PORT + 5);
    assert_string_equal(verdict_name(want), "DROPPED");
    for (uint64_t k = 2; k < 66; k++)
        if (kind_under_key(k * 0x9e3779b97f4a7c15ull, SRC, FIRST_PORT + 5) != want)
            fail_msg("key %llu: another verdict", (unsigned long long)k);
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

/* --- review: silences the router's limit cannot explain --------------------------------- */

#define SRC2 "198.51.100.11" /* another requester, in the same capture */
#define TGT3 "203.0.113.30"  /* a host nothing answered for in the capture */

/* A capture on SRC (its answered control connection first), and its end: a control connection
 * 10 s later, then the analysis. */
static void capture_begin(void)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
}

static void capture_end(void)
{
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
}

/* The least proof of the limit the detector takes, in time order from t: a UDP datagram to
 * FIRST_PORT refused by the router with type/code at once and sent again 2 ms later without
 * an error (requests 2, errors 1), and two more ports each refused at once. */
static void limited_at(const char *src, const char *tgt, const char *rtr, uint8_t type,
                       uint8_t code, uint64_t t)
{
    pb_at(&b, t);
    int q = pb_udp(&b, src, 51000, tgt, FIRST_PORT, 20);
    pb_at(&b, t + 1 * MS);
    assert_true(q >= 0 && pb_icmp_error(&b, rtr, src, type, code, q) >= 0);
    pb_at(&b, t + 2 * MS);
    assert_true(pb_udp(&b, src, 51000, tgt, FIRST_PORT, 20) >= 0);
    for (uint16_t i = 1; i < 3; i++) {
        pb_at(&b, t + (3u + 2u * i) * MS);
        q = pb_udp(&b, src, (uint16_t)(51000 + i), tgt, (uint16_t)(FIRST_PORT + i), 20);
        pb_at(&b, t + (4u + 2u * i) * MS);
        assert_true(q >= 0 && pb_icmp_error(&b, rtr, src, type, code, q) >= 0);
    }
}

/* A SYN from src:sport to port at t, sent again as Linux does (1 s, then 3 s after the first),
 * never answered. */
static void silent_syn_at(const char *src, uint16_t sport, const char *tgt, uint16_t port,
                          uint64_t t)
{
    static const uint64_t again[] = { 0, 1 * SEC, 3 * SEC };
    for (size_t i = 0; i < sizeof again / sizeof again[0]; i++) {
        pb_at(&b, t + again[i]);
        assert_true(pb_tcp(&b, src, sport, tgt, port, TH_SYN) >= 0);
    }
}

static void expect_not_rejected(const char *src, const char *tgt, uint8_t proto, uint16_t port)
{
    const struct verdict_item *it = diag_find(diag_a, src, tgt, proto, port);
    if (it->v.kind == VERDICT_REJECTED)
        for (int i = 0; i < it->nevidence; i++)
            print_error("  %s\n", it->evidence[i]);
    assert_string_not_equal(verdict_name(it->v.kind), "REJECTED");
    assert_string_not_equal(it->cause, "firewall-reject");
}

/* A router with no route to the host (it never answered anything): net unreachable at once,
 * under its ICMP rate limit. The refused ports are UNREACHABLE (routing, not a rule); the
 * silent port of the same burst is no firewall's reject either ("open TCP ... on the
 * firewall at"): the routing code is a reject rule's only for a host that answered. */
static void no_route_burst_is_no_reject(void **state)
{
    (void)state;
    capture_begin();
    limited_at(SRC, TGT3, RTR, 3, 0, T0 + SEC);
    silent_syn_at(SRC, 50010, TGT3, FIRST_PORT + 9, T0 + SEC + 10 * MS);
    capture_end();
    assert_string_equal(verdict_name(diag_find(diag_a, SRC, TGT3, 17, FIRST_PORT + 1)->v.kind),
                        "UNREACHABLE");
    expect_not_rejected(SRC, TGT3, 6, FIRST_PORT + 9);
}

/* The same port refused (no route) once and then silent: the refusal is UNREACHABLE's, and
 * the new row, earlier in the table, must not take it for a reject. */
static void no_route_refused_then_silent_stays_unreachable(void **state)
{
    (void)state;
    capture_begin();
    limited_at(SRC, TGT3, RTR, 3, 0, T0 + SEC);
    pb_at(&b, T0 + SEC + 10 * MS); /* the same port asked again, from another port: silent */
    assert_true(pb_udp(&b, SRC, 51009, TGT3, FIRST_PORT + 1, 20) >= 0);
    capture_end();
    expect_not_rejected(SRC, TGT3, 17, FIRST_PORT + 1);
}

/* Linux limits ICMP errors per requester (icmp_ratelimit, per peer): the limit the router
 * showed toward SRC held nothing back toward SRC2, whose own refused port got its error. Its
 * silent port is a drop. (A capture on a shared segment, or on the router, sees both.) */
static void another_requesters_silence_is_not_this_limit(void **state)
{
    (void)state;
    capture_begin();
    limited_at(SRC, TGT, RTR, 3, 13, T0 + SEC);
    pb_at(&b, T0 + SEC + 20 * MS);
    int q = pb_tcp(&b, SRC2, 50020, TGT, FIRST_PORT + 1, TH_SYN);
    pb_at(&b, T0 + SEC + 21 * MS);
    assert_true(q >= 0 && pb_icmp_error(&b, RTR, SRC2, 3, 13, q) >= 0);
    silent_syn_at(SRC2, 50021, TGT, FIRST_PORT + 9, T0 + SEC + 30 * MS);
    capture_end();
    expect_not_rejected(SRC2, TGT, 6, FIRST_PORT + 9);
}

/* The router refused three requests in 10 ms and sent nothing after: its limiter (6 at once
 * on Linux, one each 500 ms on IOS) had room again within a second, yet this port's SYN, sent
 * again 1 s and 3 s later, got no error: a silent rule (a policy that rejects some ports and
 * drops others), not the limit. */
static void silence_outlasting_the_limit_is_a_drop(void **state)
{
    (void)state;
    capture_begin();
    limited_at(SRC, TGT, RTR, 3, 13, T0 + SEC);
    silent_syn_at(SRC, 50010, TGT, FIRST_PORT + 9, T0 + SEC + 10 * MS);
    capture_end();
    expect_dropped(FIRST_PORT + 9);
}

/* Ping (one echo request a second for 5 s) in the same burst, dropped by the policy while
 * TCP is refused: the limiter was idle for seconds of it. */
static void echo_silent_for_seconds_is_a_drop(void **state)
{
    (void)state;
    capture_begin();
    limited_at(SRC, TGT, RTR, 3, 13, T0 + SEC);
    for (uint16_t seq = 1; seq <= 5; seq++) {
        pb_at(&b, T0 + SEC + 10 * MS + (seq - 1u) * SEC);
        assert_true(pb_icmp_echo(&b, SRC, TGT, false, 77, seq) >= 0);
    }
    capture_end();
    expect_not_rejected(SRC, TGT, VERDICT_PROTO_ECHO, 0);
}

/* The host answered, then went down: the router resolves its address for 3 s and then sends
 * host unreachable for every request queued meanwhile, at once. A request sent 1.5 s into
 * that wait gets its error 1.55 s after it: "at once" by the 2 s line, though no rule sent it.
 * The requests queued then, and a SYN the limit left without an error, are the host down's,
 * not a firewall's reject. */
static void host_down_queue_is_no_reject(void **state)
{
    (void)state;
    capture_begin();
    pb_at(&b, T0 + SEC);
    int a = pb_udp(&b, SRC, 51000, TGT, FIRST_PORT, 20);
    pb_at(&b, T0 + 2500 * MS);
    int q = pb_udp(&b, SRC, 51001, TGT, FIRST_PORT + 1, 20);
    pb_at(&b, T0 + 2501 * MS);
    assert_true(a >= 0 && q >= 0 && pb_udp(&b, SRC, 51001, TGT, FIRST_PORT + 1, 20) >= 0);
    for (uint64_t t = 2600 * MS; t < 4 * SEC; t += SEC) { /* a SYN, sent again 1 s later */
        pb_at(&b, T0 + t);
        assert_true(pb_tcp(&b, SRC, 50010, TGT, FIRST_PORT + 9, TH_SYN) >= 0);
    }
    pb_at(&b, T0 + 4050 * MS);
    assert_true(pb_icmp_error(&b, RTR, SRC, 3, 1, a) >= 0);
    pb_at(&b, T0 + 4051 * MS);
    assert_true(pb_icmp_error(&b, RTR, SRC, 3, 1, q) >= 0);
    capture_end();
    expect_not_rejected(SRC, TGT, 6, FIRST_PORT + 9);
}

/* The words, with addresses as long as IPv6 writes them: no evidence line cut short
 * (VERDICT_EVIDENCE_LEN). */
static void words_fit_with_long_addresses(void **state)
{
    (void)state;
    static const char *src = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:10",
                      *tgt = "2001:db8:aaaa:bbbb:cccc:dddd:ffff:20",
                      *rtr = "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1";
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    limited_at(src, tgt, rtr, 1, 5, T0 + SEC); /* source address failed ingress policy */
    pb_at(&b, T0 + SEC + 20 * MS);
    assert_true(pb_udp(&b, src, 51009, tgt, FIRST_PORT + 9, 20) >= 0);
    diag_tail(src, 49401, tgt, 10 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 17, FIRST_PORT + 9);
    assert_string_equal(verdict_name(it->v.kind), "REJECTED");
    for (int i = 0; i < it->nevidence; i++) {
        print_message("  %s\n", it->evidence[i]);
        assert_true(strlen(it->evidence[i]) < VERDICT_EVIDENCE_LEN - 1);
    }
    print_message("  advice: %s\n", it->advice);
}

/* The cell's first silence came a second before the router refused anything; a later attempt
 * on the same port, in the burst, is silent too. The cell's first silent request is the early
 * one, whichever attempt the collector met first (flows end in the flow table's order). */
static void earliest_silence_decides_whatever_the_order(void **state)
{
    (void)state;
    for (uint16_t sport = 50000; sport < 50040; sport += 3) {
        capture_begin();
        pb_at(&b, T0 + SEC);
        assert_true(pb_udp(&b, SRC, sport, TGT, FIRST_PORT + 9, 20) >= 0);
        limited_at(SRC, TGT, RTR, 3, 13, T0 + 2 * SEC);
        pb_at(&b, T0 + 2 * SEC + 20 * MS);
        assert_true(pb_udp(&b, SRC, (uint16_t)(sport + 1), TGT, FIRST_PORT + 9, 20) >= 0);
        capture_end();
        const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 17, FIRST_PORT + 9);
        if (it->v.kind == VERDICT_REJECTED)
            print_error("sport %u: REJECTED\n", sport);
        assert_string_not_equal(verdict_name(it->v.kind), "REJECTED");
    }
}

/* No rate limit at all: a reject rule answers every SYN with host unreachable (iptables'
 * --reject-with icmp-host-unreachable), a soft error that Linux's TCP meets by sending the SYN
 * again a second later, and the capture stops between the last SYN and its error. That SYN
 * without an error is the capture's end, not the router's limit: the port dropped by the same
 * policy in the same second is a drop. */
static void capture_ending_between_a_syn_and_its_error_is_no_limit(void **state)
{
    (void)state;
    capture_begin();
    for (uint64_t i = 0; i < 4; i++) {
        pb_at(&b, T0 + SEC + i * SEC);
        int syn = pb_tcp(&b, SRC, 50001, TGT, FIRST_PORT, TH_SYN);
        assert_true(syn >= 0);
        pb_at(&b, T0 + SEC + i * SEC + 1 * MS);
        if (i < 3) /* the last one's error comes after the capture stopped */
            assert_true(pb_icmp_error(&b, RTR, SRC, 3, 1, syn) >= 0);
        pb_at(&b, T0 + SEC + i * SEC + 10 * MS);
        if (i != 2) /* the dropped port's SYN, sent again 1 s and 3 s later */
            assert_true(pb_tcp(&b, SRC, 50009, TGT, FIRST_PORT + 9, TH_SYN) >= 0);
    }
    diag_run(NULL);
    assert_string_equal(verdict_name(diag_find(diag_a, SRC, TGT, 6, FIRST_PORT)->v.kind),
                        "REJECTED");
    expect_dropped(FIRST_PORT + 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(silent_ports_of_a_limited_burst_are_the_routers),
        cmocka_unit_test(limited_words_fit_long_ipv6_addresses),
        cmocka_unit_test(the_quiet_reading_does_not_depend_on_the_hash_key),
        cmocka_unit_test(silent_ports_of_a_limited_burst_are_the_routers_v6),
        cmocka_unit_test(routing_code_reject_counts_too),
        cmocka_unit_test(udp_burst_with_a_repeat_refused_once),
        cmocka_unit_test(a_port_refused_then_silent_is_medium),
        cmocka_unit_test(every_refusal_answered_is_a_mixed_policy),
        cmocka_unit_test(silence_before_the_first_refusal_stays_dropped),
        cmocka_unit_test(silence_far_from_the_burst_stays_dropped),
        cmocka_unit_test(requests_seen_at_the_host_are_not_the_routers),
        cmocka_unit_test(no_route_burst_is_no_reject),
        cmocka_unit_test(no_route_refused_then_silent_stays_unreachable),
        cmocka_unit_test(another_requesters_silence_is_not_this_limit),
        cmocka_unit_test(silence_outlasting_the_limit_is_a_drop),
        cmocka_unit_test(echo_silent_for_seconds_is_a_drop),
        cmocka_unit_test(host_down_queue_is_no_reject),
        cmocka_unit_test(words_fit_with_long_addresses),
        cmocka_unit_test(earliest_silence_decides_whatever_the_order),
        cmocka_unit_test(capture_ending_between_a_syn_and_its_error_is_no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
