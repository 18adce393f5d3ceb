/* analyze/changes_test.c: the changes to make, from settled verdicts written by hand (the
 * diagnosis is tested elsewhere: here only what the model does with its results): ports merged
 * into ranges and never wider than the evidence, groups per device and direction, required
 * before optional, look-alikes and stalls left out, UNTESTED folded into one test per
 * direction, the host's own firewall, answers lost on the way back, the dynamic RPC range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/changes.h"

#define SRC "198.51.100.10"
#define TGT "203.0.113.20"
#define FW "198.51.100.1"

static struct verdict_item pool[64];
static const struct verdict_item *items[64];
static size_t nitems;

static struct fw_addr addr(const char *text)
{
    struct fw_addr a;
    assert_true(fw_addr_parse(&a, text));
    return a;
}

static void assert_addr(const struct fw_addr *a, const char *want)
{
    char buf[FW_ADDRSTRLEN];
    assert_string_equal(fw_addr_format(a, buf, sizeof buf), want);
}

/* A settled verdict as decide.c leaves it: kind, cause, confidence, who answered. */
static struct verdict_item *add(const char *from, const char *to, uint8_t proto, uint16_t port,
                                enum verdict_kind kind, const char *cause)
{
    assert_true(nitems < 64);
    struct verdict_item *it = &pool[nitems];
    memset(it, 0, sizeof *it);
    it->from = addr(from);
    it->to = addr(to);
    it->proto = proto;
    it->port = port;
    it->v.kind = kind;
    it->cause = cause;
    it->confidence = VERDICT_CONF_HIGH;
    it->advice = "";
    it->service = "other ports";
    if (kind == VERDICT_DROPPED)
        it->counts.by_outcome[VO_NO_ANSWER] = 1;
    items[nitems++] = it;
    return it;
}

static struct verdict_item *drop(const char *from, const char *to, uint8_t proto, uint16_t port)
{
    return add(from, to, proto, port, VERDICT_DROPPED, "firewall-drop");
}

static struct verdict_item *reject(const char *from, const char *to, uint16_t port,
                                   const char *by)
{
    struct verdict_item *it = add(from, to, 6, port, VERDICT_REJECTED, "firewall-reject");
    it->v.answered_by = addr(by);
    return it;
}

static int reset(void **state)
{
    (void)state;
    nitems = 0;
    return 0;
}

/* The double-take profile, and its ports as the collector's config holds them. */
struct world {
    struct profile *p;
    struct verdict_port ports[32];
    struct verdict_config vc;
    struct changes_input in;
};

static void world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    w->p = profile_builtin("double-take");
    assert_non_null(w->p);
    w->vc.nports = verdict_ports_from_profile(w->p, w->ports, 32);
    assert_true(w->vc.nports <= 32);
    w->vc.ports = w->ports;
    w->in.profile = w->p;
    w->in.verdict = &w->vc;
}

static void build(struct changes *c, const struct changes_input *in)
{
    assert_int_equal(changes_build(c, items, nitems, in), 0);
}

static const char *ranges(const struct change_range *r, size_t n)
{
    static char buf[256];
    changes_ranges_text(r, n, false, buf, sizeof buf);
    return buf;
}

static void blocked_ports_merge_into_ranges(void **state)
{
    (void)state;
    drop(SRC, TGT, 6, 6326);
    drop(SRC, TGT, 6, 6320);
    drop(SRC, TGT, 6, 6325);
    drop(SRC, TGT, 17, 6325);
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 1);
    const struct change_group *g = &c.groups[0];
    assert_int_equal(g->device.kind, CHANGE_DEV_BETWEEN);
    assert_addr(&g->from, SRC);
    assert_addr(&g->to, TGT);
    assert_int_equal(g->nrules, 2);
    assert_int_equal(g->rules[0].proto, 6);
    assert_string_equal(ranges(g->rules[0].ranges, g->rules[0].nranges), "6320,6325-6326");
    assert_int_equal(g->rules[0].nports, 3);
    assert_int_equal(g->rules[0].nitems, 3);
    assert_int_equal(g->rules[0].items[0]->port, 6320); /* by port */
    assert_int_equal(g->rules[1].proto, 17);
    assert_string_equal(ranges(g->rules[1].ranges, g->rules[1].nranges), "6325");
    changes_fini(&c);
}

/* 6326 answered: 6325 and 6327 stay two ports, never 6325-6327. Nor does an untested port
 * between two blocked ones join them. */
static void ranges_never_wider_than_the_evidence(void **state)
{
    (void)state;
    drop(SRC, TGT, 6, 6325);
    add(SRC, TGT, 6, 6326, VERDICT_OPEN, "open");
    drop(SRC, TGT, 6, 6327);
    drop(SRC, TGT, 6, 7000);
    add(SRC, TGT, 6, 7001, VERDICT_UNTESTED, "untested");
    drop(SRC, TGT, 6, 7002);
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 1);
    assert_string_equal(ranges(c.groups[0].rules[0].ranges, c.groups[0].rules[0].nranges),
                        "6325,6327,7000,7002");
    assert_int_equal(c.groups[0].rules[0].nports, 4);
    changes_fini(&c);
}

/* The firewall that refused, the silent one between, each direction, the host's own. */
static void grouped_per_device_and_direction(void **state)
{
    (void)state;
    reject(SRC, TGT, 445, FW);
    drop(SRC, TGT, 6, 6320);
    drop(TGT, SRC, 6, 6320);
    reject(SRC, TGT, 139, TGT); /* admin-prohibited from the host itself */
    reject(SRC, TGT, 443, FW);
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 4);
    int seen = 0;
    for (size_t i = 0; i < c.ngroups; i++) {
        const struct change_group *g = &c.groups[i];
        const char *list = ranges(g->rules[0].ranges, g->rules[0].nranges);
        assert_int_equal(g->nrules, 1);
        if (g->device.kind == CHANGE_DEV_FIREWALL_AT) {
            assert_addr(&g->device.addr, FW);
            assert_string_equal(list, "443,445");
            seen |= 1;
        } else if (g->device.kind == CHANGE_DEV_HOST) {
            assert_addr(&g->device.addr, TGT);
            assert_false(g->outbound);
            assert_string_equal(list, "139");
            seen |= 2;
        } else if (fw_addr_eq(&g->from, &pool[1].from)) {
            assert_addr(&g->to, TGT);
            assert_string_equal(list, "6320");
            seen |= 4;
        } else {
            assert_addr(&g->from, TGT);
            assert_addr(&g->to, SRC);
            seen |= 8;
        }
    }
    assert_int_equal(seen, 15);
    changes_fini(&c);
}

/* Optional 445 comes first in the input; required Double-Take still leads, across groups and
 * within one; a port outside the profile comes last. */
static void required_before_optional(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    reject(SRC, TGT, 445, FW);
    drop(SRC, TGT, 6, 8080);
    drop(SRC, TGT, 6, 443);
    drop(SRC, TGT, 6, 6325);
    drop(SRC, TGT, 6, 6320);
    struct changes c;
    build(&c, &w.in);
    assert_int_equal(c.ngroups, 2);
    assert_int_equal(c.groups[0].device.kind, CHANGE_DEV_BETWEEN); /* holds a required port */
    assert_int_equal(c.groups[0].need, CHANGE_REQUIRED);
    assert_int_equal(c.groups[0].nrules, 3);
    assert_int_equal(c.groups[0].rules[0].need, CHANGE_REQUIRED);
    assert_string_equal(ranges(c.groups[0].rules[0].ranges, 2), "6320,6325");
    assert_int_equal(c.groups[0].rules[1].need, CHANGE_OPTIONAL);
    assert_string_equal(ranges(c.groups[0].rules[1].ranges, 1), "443");
    assert_int_equal(c.groups[0].rules[2].need, CHANGE_OTHER);
    assert_int_equal(c.groups[1].device.kind, CHANGE_DEV_FIREWALL_AT); /* first in the input */
    assert_int_equal(c.groups[1].need, CHANGE_OPTIONAL);
    assert_int_equal(c.groups[1].nrules, 1);
    assert_int_equal(c.groups[1].rules[0].ranges[0].lo, 445);
    changes_fini(&c);
    profile_free(w.p);
}

/* A full backlog, refusals cut by a rate limit, a stall, a route missing, a capture that
 * ended, a connection forgotten while idle: no rule opens anything for them. */
static void lookalikes_are_no_changes(void **state)
{
    (void)state;
    add(SRC, TGT, 6, 6320, VERDICT_DROPPED, "listen-backlog-overflow")->lookalike =
        LOOKALIKE_BACKLOG;
    add(SRC, TGT, 17, 6325, VERDICT_PARTIAL, "rate-limited-refusals")->lookalike =
        LOOKALIKE_ICMP_RATE;
    add(SRC, TGT, 6, 6326, VERDICT_STALLED, "stall");
    add(SRC, TGT, 6, 445, VERDICT_UNREACHABLE, "routing");
    add(SRC, TGT, 6, 443, VERDICT_INCONCLUSIVE, "capture-ended")->lookalike =
        LOOKALIKE_CAPTURE_ENDED;
    add(SRC, TGT, 6, 135, VERDICT_PARTIAL, "host-closed"); /* a service restarting */
    add(SRC, TGT, 6, 139, VERDICT_CLOSED, "host-closed");
    add(SRC, TGT, 6, 6327, VERDICT_STALLED, "idle-timeout");
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 0);
    assert_int_equal(c.lookalikes, 3);
    /* The blocked ones, in input order, for the block to give their advice. */
    assert_int_equal(c.not_rules, 4);
    static const uint16_t blocked[] = { 6326, 445, 135, 6327 };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(c.not_rule[i]->port, blocked[i]);
    changes_fini(&c);
    /* the same drop without the look-alike is a rule */
    reset(NULL);
    drop(SRC, TGT, 6, 6320)->lookalike = LOOKALIKE_CAPTURE_DROPS; /* lowers confidence only */
    build(&c, NULL);
    assert_int_equal(c.ngroups, 1);
    changes_fini(&c);
}

static void untested_folded_per_direction(void **state)
{
    (void)state;
    static const uint16_t tcp[] = { 135, 136, 137, 443 };
    for (size_t i = 0; i < 4; i++)
        add(SRC, TGT, 6, tcp[i], VERDICT_UNTESTED, "untested");
    add(SRC, TGT, VERDICT_PROTO_ECHO, 0, VERDICT_UNTESTED, "untested");
    add(SRC, TGT, 17, 445, VERDICT_UNTESTED, "untested");
    add(TGT, SRC, VERDICT_PROTO_ECHO, 0, VERDICT_UNTESTED, "untested");
    add("2001:db8::1", "2001:db8::2", 17, 6320, VERDICT_UNTESTED, "untested");
    struct changes c;
    struct changes_input in = { .profile_arg = "./my app.profile" };
    build(&c, &in);
    assert_int_equal(c.ngroups, 0);
    assert_int_equal(c.ntests, 3);
    const struct change_test *t = &c.tests[0];
    assert_addr(&t->from, SRC);
    assert_int_equal(t->nports, 6);
    char buf[128];
    changes_ranges_text(t->ranges, t->nranges, true, buf, sizeof buf);
    assert_string_equal(buf, "tcp:135-137,tcp:443,udp:445,icmp:echo");
    assert_string_equal(t->command, "fwsight test --peer " TGT " --profile './my app.profile' "
                                    "--ports tcp:135-137,tcp:443,udp:445");
    assert_addr(&c.tests[1].from, TGT);
    assert_string_equal(c.tests[1].command, "fwsight test --peer " SRC
                                            " --profile './my app.profile'");
    assert_string_equal(c.tests[2].command,
                        "fwsight test --peer 2001:db8::2 --profile './my app.profile' "
                        "--ports udp:6320");
    changes_fini(&c);
}

/* Arrived and left unanswered: the host's own firewall (two captures; or one taken on the
 * host). Never arrived: the firewall between. */
static void host_firewall_when_the_host_itself_filters(void **state)
{
    (void)state;
    struct verdict_item *it = add(SRC, TGT, 6, 6320, VERDICT_DROPPED, "firewall-drop");
    it->counts.by_outcome[VO_NO_ANSWER] = 0;
    it->counts.by_outcome[VO_SILENT_AFTER_ARRIVAL] = 2;
    it = add(SRC, TGT, 6, 6325, VERDICT_DROPPED, "firewall-drop");
    it->counts.by_outcome[VO_NO_ANSWER] = 0;
    it->counts.by_outcome[VO_NEVER_ARRIVED] = 2;
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 2);
    assert_int_equal(c.groups[0].device.kind, CHANGE_DEV_HOST); /* input order */
    assert_addr(&c.groups[0].device.addr, TGT);
    assert_int_equal(c.groups[0].rules[0].ranges[0].lo, 6320);
    assert_false(c.groups[0].never_arrived);
    assert_int_equal(c.groups[1].device.kind, CHANGE_DEV_BETWEEN);
    assert_true(c.groups[1].never_arrived); /* not the target's own firewall */
    assert_int_equal(c.groups[1].rules[0].ranges[0].lo, 6325);
    changes_fini(&c);

    reset(NULL);
    drop(SRC, TGT, VERDICT_PROTO_ECHO, 0);
    struct verdict_capture_point cp = { .known = true, .addr = addr(TGT) };
    struct changes_input in = { .cp = &cp };
    build(&c, &in);
    assert_int_equal(c.ngroups, 1);
    assert_int_equal(c.groups[0].device.kind, CHANGE_DEV_HOST);
    assert_int_equal(c.groups[0].rules[0].proto, VERDICT_PROTO_ECHO);
    changes_fini(&c);
    cp.addr = addr(SRC); /* captured at the requester: it cannot tell */
    build(&c, &in);
    assert_int_equal(c.groups[0].device.kind, CHANGE_DEV_BETWEEN);
    assert_false(c.groups[0].never_arrived);
    changes_fini(&c);
}

static void weakest_confidence_and_lost_answers(void **state)
{
    (void)state;
    drop(SRC, TGT, 6, 6320)->confidence = VERDICT_CONF_MEDIUM;
    drop(SRC, TGT, 6, 6321)->confidence = VERDICT_CONF_LOW;
    drop(SRC, TGT, 17, 6320);
    add(SRC, TGT, 6, 445, VERDICT_REPLY_DROPPED, "reply-dropped");
    struct changes c;
    build(&c, NULL);
    assert_int_equal(c.ngroups, 2);
    assert_false(c.groups[0].reply);
    assert_int_equal(c.groups[0].rules[0].weakest, VERDICT_CONF_LOW);
    assert_int_equal(c.groups[0].rules[1].weakest, VERDICT_CONF_HIGH);
    assert_int_equal(c.groups[0].weakest, VERDICT_CONF_LOW);
    assert_true(c.groups[1].reply);
    assert_addr(&c.groups[1].from, SRC); /* the requests' direction */
    assert_int_equal(c.groups[1].rules[0].ranges[0].lo, 445);
    changes_fini(&c);
}

/* A dynamic RPC port is opened alone (it was found blocked), and its range comes as advice. */
static void dynamic_rpc_port_exact_and_its_range(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    drop(SRC, TGT, 6, 49671)->service =
        "RPC dynamic (LSA, learned from the endpoint mapper at packet 26)";
    drop(SRC, TGT, 6, 49672)->service = "RPC dynamic (range)";
    drop(SRC, TGT, 6, 3000)->service = "RPC dynamic (range)";
    struct changes c;
    build(&c, &w.in);
    assert_int_equal(c.ngroups, 1);
    assert_int_equal(c.groups[0].nrules, 1);
    const struct change_rule *r = &c.groups[0].rules[0];
    assert_true(r->rpc_dynamic);
    assert_int_equal(r->need, CHANGE_OPTIONAL);
    assert_string_equal(ranges(r->ranges, r->nranges), "3000,49671-49672");
    char buf[128];
    changes_rule_services(r, buf, sizeof buf);
    assert_string_equal(buf, "RPC dynamic (range), RPC dynamic (LSA)");
    assert_int_equal(c.nrpc, 2);
    assert_int_equal(c.rpc[0].lo, 1025);
    assert_int_equal(c.rpc[0].hi, 5000);
    assert_int_equal(c.rpc[1].lo, 49152);
    assert_int_equal(c.rpc[1].hi, 65535);
    assert_false(c.rpc[1].from_option);
    assert_addr(&c.rpc[1].to, TGT);
    assert_string_equal(ranges(c.rpc[1].ports, c.rpc[1].nranges), "49671-49672");
    changes_fini(&c);
    profile_free(w.p);
}

/* A profile entry needed one way only: the other way it is no requirement. */
static void direction_of_the_profile_entry(void **state)
{
    (void)state;
    static const char text[] = "name = oneway\n"
                               "service = failover monitor\nprotocols = icmp-echo\n"
                               "direction = to-source\npurpose = ping\n";
    struct profile *p;
    char err[FW_ERRLEN];
    assert_int_equal(profile_parse(text, strlen(text), "oneway", &p, err), 0);
    struct verdict_config vc = { .source = addr(SRC), .target = addr(TGT) };
    struct changes_input in = { .profile = p, .verdict = &vc };
    drop(SRC, TGT, VERDICT_PROTO_ECHO, 0);
    drop(TGT, SRC, VERDICT_PROTO_ECHO, 0);
    struct changes c;
    build(&c, &in);
    assert_int_equal(c.ngroups, 2);
    assert_addr(&c.groups[0].from, TGT); /* to the source: required, first */
    assert_int_equal(c.groups[0].need, CHANGE_REQUIRED);
    assert_int_equal(c.groups[1].need, CHANGE_OTHER);
    changes_fini(&c);
    profile_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(blocked_ports_merge_into_ranges, reset),
        cmocka_unit_test_setup(ranges_never_wider_than_the_evidence, reset),
        cmocka_unit_test_setup(grouped_per_device_and_direction, reset),
        cmocka_unit_test_setup(required_before_optional, reset),
        cmocka_unit_test_setup(lookalikes_are_no_changes, reset),
        cmocka_unit_test_setup(untested_folded_per_direction, reset),
        cmocka_unit_test_setup(host_firewall_when_the_host_itself_filters, reset),
        cmocka_unit_test_setup(weakest_confidence_and_lost_answers, reset),
        cmocka_unit_test_setup(dynamic_rpc_port_exact_and_its_range, reset),
        cmocka_unit_test_setup(direction_of_the_profile_entry, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
