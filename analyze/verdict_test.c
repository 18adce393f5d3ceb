/* analyze/verdict_test.c: the verdict engine on frames from the packet builder, one scenario
 * per verdict (as captured on the source unless said otherwise), the forged-RST test by TTL,
 * UNTESTED entries, REPLY-DROPPED inferred at the target, and the capture point. In the
 * captures the far host's packets arrive with TTL 63 (one router), the capture host's own
 * leave with 64, and a router next to the capture host sends with 64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SEC 1000000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"
#define RTR "198.51.100.1"

static const struct verdict_port PORTS[] = {
    { 6, 6320, 6320, "Double-Take", false },
    { 6, 6325, 6325, "Double-Take", false },
    { 17, 6320, 6320, "Double-Take", false },
    { VERDICT_PROTO_ECHO, 0, 0, "failover monitor", false },
    { 6, 49152, 65535, "WMI / RPC", false }, /* rpc_dynamic: off here */
};

static struct pb b;

static void feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

static struct analyzer *run_with(const char *local)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = PORTS;
    cfg.verdict.nports = sizeof PORTS / sizeof PORTS[0];
    if (local != NULL)
        assert_true(fw_addr_parse(&cfg.verdict.local, local));
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    pb_feed(&b, feed_fn, a);
    analyzer_finish(a);
    return a;
}

static struct analyzer *run(void)
{
    return run_with(NULL);
}

static const struct verdict_item *find_in(const struct verdict_collector *vc, const char *from,
                                          const char *to, uint8_t proto, uint16_t port)
{
    struct fw_addr f, t;
    assert_true(fw_addr_parse(&f, from));
    assert_true(fw_addr_parse(&t, to));
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (fw_addr_eq(&it->from, &f) && fw_addr_eq(&it->to, &t) && it->proto == proto &&
            it->port == port) {
            verdict_item_words(it);
            return it;
        }
    }
    fail_msg("no verdict for %s -> %s %u/%u", from, to, proto, port);
    return NULL;
}

static const struct verdict_item *find(const struct analyzer *a, const char *from,
                                       const char *to, uint8_t proto, uint16_t port)
{
    return find_in(analyzer_verdicts(a), from, to, proto, port);
}

static void assert_by(const struct verdict_item *it, const char *addr)
{
    struct fw_addr x;
    if (addr == NULL) {
        assert_int_equal(it->v.answered_by.family, 0);
        return;
    }
    assert_true(fw_addr_parse(&x, addr));
    assert_true(fw_addr_eq(&it->v.answered_by, &x));
}

/* An answered SYN from the source to 6325: the far host's TTL (63), and traffic that puts the
 * capture point on the source. */
static void control(uint16_t sport)
{
    pb_tcp(&b, SRC, sport, TGT, 6325, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6325, SRC, sport, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, sport, TGT, 6325, TH_ACK);
}

static void syn_tries(uint16_t sport, int n)
{
    for (int i = 0; i < n; i++) {
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
        pb_wait(&b, SEC);
    }
}

static void syn_unanswered_is_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    syn_tries(49500, 4);
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->confidence, VERDICT_CONF_MEDIUM);
    assert_int_equal(it->counts.retransmits, 3);
    assert_by(it, NULL);
    assert_non_null(strstr(it->advice, "a capture on the target settles it"));
    assert_string_equal(it->service, "Double-Take");
    analyzer_free(a);
}

static void rst(uint8_t ttl)
{
    pb_init(&b, T0);
    control(49400);
    int syn = pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    assert_true(syn >= 0);
    b.next.ttl = ttl;
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_RST | TH_ACK);
}

static void host_rst_is_closed(void **state)
{
    (void)state;
    rst(63);
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    assert_int_equal(it->confidence, VERDICT_CONF_HIGH);
    assert_int_equal(it->counts.host_rst, 1);
    assert_by(it, TGT);
    analyzer_free(a);
}

static void forged_rst_is_rejected(void **state)
{
    (void)state;
    rst(64); /* made by the router next to the source: 0 hops, where the target is 1 away */
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_int_equal(it->counts.forged_rst, 1);
    assert_int_equal(it->v.ttl, 64);
    assert_by(it, NULL);
    assert_non_null(strstr(it->advice, "resets the connection"));
    analyzer_free(a);
}

static void icmp_prohibited_from_router_is_rejected(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    int syn = pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_icmp_error(&b, RTR, SRC, 3, 13, syn);
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_int_equal(it->confidence, VERDICT_CONF_HIGH);
    assert_by(it, RTR);
    assert_string_equal(it->advice, "open TCP 6320 from 198.51.100.10 to 203.0.113.20 on the "
                                    "firewall at 198.51.100.1; it answers with ICMP "
                                    "admin-prohibited");
    analyzer_free(a);
}

static void udp_port_unreachable(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    int req = pb_udp(&b, SRC, 40000, TGT, 6320, 20);
    b.next.ttl = 63;
    pb_icmp_error(&b, TGT, SRC, 3, 3, req);
    req = pb_udp(&b, SRC, 40001, TGT, 445, 20);
    pb_icmp_error(&b, RTR, SRC, 3, 3, req); /* a firewall's plain reject */
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 17, 6320);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    assert_by(it, TGT);
    it = find(a, SRC, TGT, 17, 445);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_by(it, RTR);
    assert_string_equal(it->service, "other ports");
    analyzer_free(a);
}

static void echo_unanswered_is_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    for (uint16_t i = 1; i <= 3; i++) { /* one a second, as ping sends them */
        pb_icmp_echo(&b, SRC, TGT, false, 7, i);
        pb_wait(&b, SEC);
    }
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, VERDICT_PROTO_ECHO, 0);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->counts.requests, 3);
    assert_non_null(strstr(it->advice, "failover monitor"));
    analyzer_free(a);
}

static void mixed_outcomes_are_partial(void **state)
{
    (void)state;
    pb_init(&b, T0);
    for (uint16_t i = 0; i < 3; i++) {
        uint16_t sp = (uint16_t)(49500 + i);
        pb_tcp(&b, SRC, sp, TGT, 6320, TH_SYN);
        if (i == 1) {
            syn_tries(sp, 2);
            continue;
        }
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 6320, SRC, sp, TH_SYN | TH_ACK);
        pb_tcp(&b, SRC, sp, TGT, 6320, TH_ACK);
        pb_wait(&b, SEC);
    }
    struct analyzer *a = run();
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_PARTIAL);
    assert_int_equal(it->counts.attempts, 3);
    assert_int_equal(it->counts.by_outcome[VO_ANSWERED], 2);
    assert_by(it, TGT);
    analyzer_free(a);
}

static void profile_ports_without_attempt_are_untested(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    struct analyzer *a = run();
    assert_int_equal(find(a, SRC, TGT, 6, 6325)->v.kind, VERDICT_OPEN);
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_UNTESTED);
    assert_non_null(strstr(it->advice, "fwsight test --peer 203.0.113.20 on 198.51.100.10"));
    assert_int_equal(find(a, TGT, SRC, 6, 6325)->v.kind, VERDICT_UNTESTED);
    assert_int_equal(find(a, TGT, SRC, 17, 6320)->v.kind, VERDICT_UNTESTED);
    assert_int_equal(find(a, SRC, TGT, VERDICT_PROTO_ECHO, 0)->v.kind, VERDICT_UNTESTED);
    /* Stable order: the pair, direction from the lower address first, tcp, udp, icmp. */
    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_int_equal(verdict_count(vc), 8);
    assert_int_equal(verdict_at(vc, 0)->port, 6320);
    assert_int_equal(verdict_at(vc, 1)->port, 6325);
    assert_int_equal(verdict_at(vc, 2)->proto, 17);
    assert_int_equal(verdict_at(vc, 3)->proto, VERDICT_PROTO_ECHO);
    analyzer_free(a);
}

/* Captured on the target: the SYN arrives (TTL 63), the SYN-ACK leaves (64), the SYN comes
 * again and again and no ACK: the SYN-ACK is lost on the way back. */
static void reply_dropped_inferred_at_target(void **state)
{
    (void)state;
    pb_init(&b, T0);
    b.next.ttl = 63;
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_SYN);
    pb_tcp(&b, TGT, 6325, SRC, 49400, TH_SYN | TH_ACK);
    b.next.ttl = 63;
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_ACK);
    for (int i = 0; i < 3; i++) {
        b.next.ttl = 63;
        pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
        pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
        pb_wait(&b, SEC);
    }
    struct analyzer *a = run();
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(a));
    assert_true(cp->known);
    char h[FW_ADDRSTRLEN];
    assert_string_equal(fw_addr_format(&cp->addr, h, sizeof h), TGT);
    const struct verdict_item *it = find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_REPLY_DROPPED);
    assert_true(it->inferred);
    assert_int_equal(it->confidence, VERDICT_CONF_MEDIUM);
    assert_by(it, TGT);
    /* At the target, source->target 6320/udp was never seen: no attempt arrived here. */
    it = find(a, SRC, TGT, 17, 6320);
    assert_int_equal(it->v.kind, VERDICT_UNTESTED);
    assert_non_null(strstr(it->evidence[0], "no attempt seen here"));
    analyzer_free(a);
}

static void capture_point_inferred_and_overridden(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(49400);
    control(49401);
    int syn = pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_icmp_error(&b, RTR, SRC, 3, 13, syn); /* the router is 0 hops too, but no endpoint */
    char h[FW_ADDRSTRLEN];
    struct analyzer *a = run();
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(a));
    assert_true(cp->known);
    assert_false(cp->from_config);
    assert_string_equal(fw_addr_format(&cp->addr, h, sizeof h), SRC);
    analyzer_free(a);
    a = run_with(TGT);
    cp = verdict_capture_point(analyzer_verdicts(a));
    assert_true(cp->from_config);
    assert_string_equal(fw_addr_format(&cp->addr, h, sizeof h), TGT);
    analyzer_free(a);
}

/* --- the collector's caps, on attempts fed in directly ------------------------------------ */

static struct verdict_collector *collector(uint32_t max_cells)
{
    struct verdict_config cfg = { .ports = PORTS, .nports = sizeof PORTS / sizeof PORTS[0],
                                  .max_cells = max_cells };
    struct verdict_collector *vc = verdict_collector_new(&cfg);
    assert_non_null(vc);
    return vc;
}

static void attempt(struct verdict_collector *vc, uint16_t port, enum verdict_outcome o)
{
    struct verdict_attempt a = { .proto = 6, .port = port, .outcome = o, .requests = 1,
                                 .first_us = T0 + port, .req_frame = port };
    assert_true(fw_addr_parse(&a.from, SRC));
    assert_true(fw_addr_parse(&a.to, TGT));
    verdict_collector_add(vc, &a, false);
}

/* A full table makes room by evicting answered-only cells outside the profile: a failure on
 * a profile port seen late still gets its verdict, and an OPEN profile port is kept (evicting
 * it would turn it into a false UNTESTED). */
static void full_table_evicts_open_cells_outside_the_profile(void **state)
{
    (void)state;
    struct verdict_collector *vc = collector(8);
    attempt(vc, 6325, VO_ANSWERED);
    attempt(vc, 1000, VO_ANSWERED);
    attempt(vc, 1000, VO_NO_ANSWER); /* PARTIAL: not evictable */
    for (uint16_t p = 2000; p < 2020; p++)
        attempt(vc, p, VO_ANSWERED);
    attempt(vc, 6320, VO_NO_ANSWER);
    assert_int_equal(verdict_collector_settle(vc), 0);
    assert_int_equal(verdict_cells_overflow(vc), 0);
    assert_int_equal(verdict_cells_evicted(vc), 15); /* 2000-2019 and 6320 into 6 free cells */
    assert_int_equal(verdict_cells_evicted_attempts(vc), 15);
    const struct verdict_item *it = find_in(vc, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->v.first_frame, 6320);
    assert_non_null(strstr(it->evidence[1], "SYN sent 1 time, no answer"));
    assert_int_equal(find_in(vc, SRC, TGT, 6, 6325)->v.kind, VERDICT_OPEN);
    assert_int_equal(find_in(vc, SRC, TGT, 6, 1000)->v.kind, VERDICT_PARTIAL);
    verdict_collector_free(vc);
}

/* The cell evicted is the least recently used evictable one, not the oldest: an OPEN cell
 * that keeps being answered stays; and the table grows from small to its cap (here 200 cells,
 * past the first allocation of 64) with every attempt kept. */
static void full_table_evicts_the_least_recently_used(void **state)
{
    (void)state;
    struct verdict_collector *vc = collector(8);
    for (uint16_t p = 2000; p < 2008; p++)
        attempt(vc, p, VO_ANSWERED);
    attempt(vc, 2000, VO_ANSWERED); /* used again: now 2001 is the least recent */
    attempt(vc, 2100, VO_ANSWERED);
    assert_int_equal(verdict_cells_evicted(vc), 1);
    assert_int_equal(verdict_collector_settle(vc), 0);
    assert_int_equal(find_in(vc, SRC, TGT, 6, 2000)->counts.attempts, 2);
    for (size_t i = 0; i < verdict_count(vc); i++)
        assert_int_not_equal(verdict_at(vc, i)->port, 2001);
    verdict_collector_free(vc);

    vc = collector(200);
    for (uint16_t p = 3000; p < 3200; p++)
        attempt(vc, p, VO_NO_ANSWER);
    assert_int_equal(verdict_collector_settle(vc), 0);
    assert_int_equal(verdict_cells_overflow(vc), 0);
    assert_int_equal(verdict_count(vc), 200);
    attempt(vc, 3200, VO_NO_ANSWER);
    assert_int_equal(verdict_cells_overflow(vc), 1);
    verdict_collector_free(vc);
}

/* Nothing evictable (every cell a failure): the new attempt is dropped and counted. */
static void full_table_of_failures_counts_the_overflow(void **state)
{
    (void)state;
    struct verdict_collector *vc = collector(8);
    for (uint16_t p = 3000; p < 3008; p++)
        attempt(vc, p, p % 2 ? VO_NO_ANSWER : VO_RST);
    attempt(vc, 6320, VO_NO_ANSWER);
    attempt(vc, 3000, VO_RST); /* an existing cell still counts it */
    assert_int_equal(verdict_collector_settle(vc), 0);
    assert_int_equal(verdict_cells_overflow(vc), 1);
    assert_int_equal(verdict_cells_evicted(vc), 0);
    assert_int_equal(verdict_count(vc), 8);
    assert_int_equal(find_in(vc, SRC, TGT, 6, 3000)->counts.attempts, 2);
    verdict_collector_free(vc);
}

/* The items' strings live in the collector's arena, across several chunks here: each must be
 * whole after settle (ASan catches a pointer into moved memory), and again after a second. */
static void item_strings_survive_settle(void **state)
{
    (void)state;
    struct verdict_collector *vc = collector(0);
    for (uint16_t p = 4000; p < 4600; p++)
        attempt(vc, p, VO_NO_ANSWER);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(verdict_collector_settle(vc), 0);
        assert_int_equal(verdict_count(vc), 600);
        for (size_t i = 0; i < verdict_count(vc); i++) {
            const struct verdict_item *it = verdict_at(vc, i);
            assert_false(it->worded); /* settling decides; words only when asked */
            assert_int_equal(it->nevidence, 0);
            verdict_item_words(it);
            char want[96];
            snprintf(want, sizeof want, "open TCP %u from %s to %s on the firewall",
                     (unsigned)it->port, SRC, TGT);
            assert_int_equal(it->nevidence, 2);
            assert_string_equal(it->evidence[0], "1 attempt: 1 unanswered; 1 request");
            assert_non_null(strstr(it->evidence[1], "no answer, no ICMP error"));
            assert_non_null(strstr(it->advice, want));
        }
    }
    verdict_collector_free(vc);
}

static void names_come_from_one_list(void **state)
{
    (void)state;
    assert_string_equal(verdict_name(VERDICT_REPLY_DROPPED), "REPLY-DROPPED");
    assert_string_equal(verdict_name(VERDICT_UNTESTED), "UNTESTED");
    assert_string_equal(verdict_conf_name(VERDICT_CONF_MEDIUM), "medium");
    assert_int_equal(verdict_hops(63), 1);
    assert_int_equal(verdict_hops(120), 8);
    assert_int_equal(verdict_hops(250), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syn_unanswered_is_dropped),
        cmocka_unit_test(host_rst_is_closed),
        cmocka_unit_test(forged_rst_is_rejected),
        cmocka_unit_test(icmp_prohibited_from_router_is_rejected),
        cmocka_unit_test(udp_port_unreachable),
        cmocka_unit_test(echo_unanswered_is_dropped),
        cmocka_unit_test(mixed_outcomes_are_partial),
        cmocka_unit_test(profile_ports_without_attempt_are_untested),
        cmocka_unit_test(reply_dropped_inferred_at_target),
        cmocka_unit_test(capture_point_inferred_and_overridden),
        cmocka_unit_test(full_table_evicts_open_cells_outside_the_profile),
        cmocka_unit_test(full_table_evicts_the_least_recently_used),
        cmocka_unit_test(full_table_of_failures_counts_the_overflow),
        cmocka_unit_test(item_strings_survive_settle),
        cmocka_unit_test(names_come_from_one_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
