/* analyze/locate_test.c: the reading of TTL-limited probe series, on series shaped like the
 * two-router lab's (samples/path-lab.sh): a reset forged two hops away, ICMP admin-prohibited,
 * a silent drop, routers that keep quiet, time exceeded filtered everywhere, the peer reached,
 * a probe that could not be sent; and the line each gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/locate.h"

static struct locate_hop hop(uint8_t ttl, enum locate_answer a, const char *addr)
{
    struct locate_hop h = { .ttl = ttl, .sent = 1, .answer = a };
    struct fw_addr fa;
    if (addr != NULL && fw_addr_parse(&fa, addr)) {
        h.family = fa.family;
        memcpy(h.addr, fa.b, sizeof h.addr);
    }
    if (a == LOCATE_TIME_EXCEEDED)
        h.icmp_type = h.family == 6 ? 3 : 11;
    return h;
}

static struct locate_hop icmp(uint8_t ttl, const char *addr, uint8_t type, uint8_t code)
{
    struct locate_hop h = hop(ttl, LOCATE_UNREACH, addr);
    h.icmp_type = type;
    h.icmp_code = code;
    return h;
}

static void assert_addr(const struct fw_addr *a, const char *want)
{
    char buf[FW_ADDRSTRLEN];
    assert_string_equal(fw_addr_format(a, buf, sizeof buf), want);
}

static void assert_line(const struct locate_finding *f, const char *peer, const char *want)
{
    struct fw_addr p;
    char buf[300];
    assert_true(fw_addr_parse(&p, peer));
    locate_describe(f, &p, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* rtr2 forges the reset: TTL 1 and 2 expire at rtr1 and rtr2, TTL 3 passes rtr2's TTL check
 * and meets its rule. */
static void reset_two_hops_away(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                              hop(2, LOCATE_TIME_EXCEEDED, "192.0.2.2"),
                              hop(3, LOCATE_RESET, "203.0.113.20") };
    struct locate_finding f;
    locate_interpret(h, 3, &f);
    assert_int_equal(f.how, LOCATE_HOW_RESET);
    assert_int_equal(f.last_hop_ttl, 2);
    assert_int_equal(f.blocked_after_hop, 2);
    assert_int_equal(f.first_ttl, 3);
    assert_addr(&f.last_hop, "192.0.2.2");
    assert_string_equal(locate_how_name(f.how), "reset");
    assert_line(&f, "203.0.113.20", "blocked between hop 2 (192.0.2.2) and hop 3: from TTL 3 "
                "on, a TCP reset comes back in 203.0.113.20's name");
}

static void prohibited_names_its_sender(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_TIME_EXCEEDED, "2001:db8:1::1"),
                              hop(2, LOCATE_TIME_EXCEEDED, "2001:db8:3::2"),
                              icmp(3, "2001:db8:3::2", 1, 1) };
    struct locate_finding f;
    locate_interpret(h, 3, &f);
    assert_int_equal(f.how, LOCATE_HOW_PROHIBITED);
    assert_addr(&f.answered_by, "2001:db8:3::2");
    assert_line(&f, "2001:db8:2::20", "blocked between hop 2 (2001:db8:3::2) and hop 3: from "
                "TTL 3 on, ICMPv6 administratively prohibited comes back from 2001:db8:3::2");
    /* IPv4 code 13; a port unreachable is an ICMP error, not "prohibited" */
    struct locate_hop v4[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                               icmp(2, "192.0.2.2", 3, 13) };
    locate_interpret(v4, 2, &f);
    assert_int_equal(f.how, LOCATE_HOW_PROHIBITED);
    v4[1].icmp_code = 3;
    locate_interpret(v4, 2, &f);
    assert_int_equal(f.how, LOCATE_HOW_UNREACH);
    assert_int_equal(f.blocked_after_hop, 1);
}

/* rtr1 drops, seen from the target: hop 1 rtr2, hop 2 rtr1 (its address toward rtr2), then
 * nothing: the issue's own example. */
static void silent_drop_after_last_answer(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_TIME_EXCEEDED, "203.0.113.1"),
                              hop(2, LOCATE_TIME_EXCEEDED, "192.0.2.1"),
                              hop(3, LOCATE_SILENT, NULL), hop(4, LOCATE_SILENT, NULL),
                              hop(5, LOCATE_SILENT, NULL) };
    struct locate_finding f;
    locate_interpret(h, 5, &f);
    assert_int_equal(f.how, LOCATE_HOW_SILENT);
    assert_int_equal(f.blocked_after_hop, 2);
    assert_int_equal(f.first_ttl, 3);
    assert_int_equal(f.last_ttl, 5);
    assert_int_equal(f.answered_by.family, 0);
    assert_line(&f, "198.51.100.10", "blocked between hop 2 (192.0.2.1) and hop 3: probes "
                "with TTL 3 to 5 get no answer");
}

/* A quiet router in the middle does not move the location: the last hop that answered does. */
static void quiet_router_before_last_hop(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                              hop(2, LOCATE_SILENT, NULL),
                              hop(3, LOCATE_TIME_EXCEEDED, "192.0.2.9"),
                              hop(4, LOCATE_SILENT, NULL), hop(5, LOCATE_SILENT, NULL),
                              hop(6, LOCATE_SILENT, NULL) };
    struct locate_finding f;
    locate_interpret(h, 6, &f);
    assert_int_equal(f.how, LOCATE_HOW_SILENT);
    assert_int_equal(f.blocked_after_hop, 3);
    assert_int_equal(f.silent_before, 1);
    assert_addr(&f.last_hop, "192.0.2.9");
}

/* Time exceeded filtered everywhere: silence is no location. */
static void no_time_exceeded_is_not_located(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_SILENT, NULL), hop(2, LOCATE_SILENT, NULL),
                              hop(3, LOCATE_SILENT, NULL) };
    struct locate_finding f;
    locate_interpret(h, 3, &f);
    assert_int_equal(f.how, LOCATE_HOW_UNMEASURED);
    assert_int_equal(f.why, LOCATE_NO_TIME_EXCEEDED);
    assert_int_equal(f.last_hop_ttl, 0);
    assert_line(&f, "203.0.113.20", "not located: no hop answered ICMP time exceeded (TTL 1 "
                "to 3): the routers on the way do not send it, or a firewall filters it");
    locate_interpret(h, 0, &f);
    assert_int_equal(f.how, LOCATE_HOW_UNMEASURED);
    assert_int_equal(f.why, LOCATE_NO_HOPS);
}

/* A refusal before any time exceeded: a firewall that checks its rules before the TTL. */
static void refused_at_first_hop(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_RESET, "203.0.113.20") };
    struct locate_finding f;
    locate_interpret(h, 1, &f);
    assert_int_equal(f.how, LOCATE_HOW_RESET);
    assert_int_equal(f.blocked_after_hop, 0);
    assert_int_equal(f.first_ttl, 1);
    assert_line(&f, "203.0.113.20", "blocked at hop 1, before any hop answered time exceeded: "
                "from TTL 1 on, a TCP reset comes back in 203.0.113.20's name");
}

static void peer_reached_and_send_failure(void **state)
{
    (void)state;
    struct locate_hop h[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                              hop(2, LOCATE_REPLY, "203.0.113.20") };
    struct locate_finding f;
    locate_interpret(h, 2, &f);
    assert_int_equal(f.how, LOCATE_HOW_REACHED);
    assert_addr(&f.answered_by, "203.0.113.20");
    struct locate_hop g[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                              hop(2, LOCATE_FAILED, NULL) };
    g[1].err = 1;
    locate_interpret(g, 2, &f);
    assert_int_equal(f.how, LOCATE_HOW_UNMEASURED);
    assert_int_equal(f.why, LOCATE_SEND_FAILED);
    /* the series ran out of TTLs while hops still answered */
    struct locate_hop k[] = { hop(1, LOCATE_TIME_EXCEEDED, "198.51.100.1"),
                              hop(2, LOCATE_TIME_EXCEEDED, "192.0.2.2") };
    locate_interpret(k, 2, &f);
    assert_int_equal(f.how, LOCATE_HOW_UNMEASURED);
    assert_int_equal(f.why, LOCATE_NO_HOPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reset_two_hops_away),
        cmocka_unit_test(prohibited_names_its_sender),
        cmocka_unit_test(silent_drop_after_last_answer),
        cmocka_unit_test(quiet_router_before_last_hop),
        cmocka_unit_test(no_time_exceeded_is_not_located),
        cmocka_unit_test(refused_at_first_hop),
        cmocka_unit_test(peer_reached_and_send_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
