/* analyze/verdict_preview_test.c: live, the verdicts of connections still open
 * (verdict_preview.c): an answered UDP request and an established connection show at the next
 * look, provisional, before their flows end; silence does not (it is known only when its
 * attempt ends); the flow's end replaces the provisional item with the real one, never both;
 * the end of the input leaves nothing provisional; a look takes each open flow once; the
 * looks are paced on the caller's timer, not on the frames' stamps; and that timer can be set
 * to when an unanswered attempt's time is up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/flow.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define MS 1000ull
#define SEC 1000000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

static const struct verdict_port PORTS[] = {
    { 6, 6320, 6320, "Double-Take", false },
    { 6, 6325, 6325, "Double-Take", false },
    { 17, 6320, 6320, "Double-Take", false },
    { 17, 6325, 6325, "Double-Take", false },
};

/* An analyzer of the profile above, fed nothing yet. */
static struct analyzer *new_analyzer(void)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = PORTS;
    cfg.verdict.nports = sizeof PORTS / sizeof PORTS[0];
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    return a;
}

static struct analyzer *run(const struct pb *b)
{
    struct analyzer *a = new_analyzer();
    for (size_t i = 0; i < pb_count(b); i++) {
        struct frame f = pb_frame(b, i);
        analyzer_feed(a, &f);
    }
    return a;
}

/* The one item of (SRC -> TGT, proto, port); fails on none or on two. */
static const struct verdict_item *item(const struct analyzer *a, uint8_t proto, uint16_t port)
{
    const struct verdict_collector *vc = analyzer_verdicts(a);
    struct fw_addr s, t;
    assert_true(fw_addr_parse(&s, SRC));
    assert_true(fw_addr_parse(&t, TGT));
    const struct verdict_item *found = NULL;
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->proto == proto && it->port == port && fw_addr_eq(&it->from, &s) &&
            fw_addr_eq(&it->to, &t)) {
            assert_null(found); /* one item a cell: the preview never doubles one */
            found = it;
        }
    }
    assert_non_null(found);
    return found;
}

static bool says(const struct verdict_item *it, const char *phrase)
{
    verdict_item_words(it);
    for (int e = 0; e < it->nevidence; e++)
        if (strstr(it->evidence[e], phrase) != NULL)
            return true;
    return false;
}

/* A UDP request on 6320 answered 2 ms later, its flow still open (UDP ends after a minute). */
static struct analyzer *answered_udp_open(void)
{
    struct pb b = pb_start(T0);
    pb_udp(&b, SRC, 50000, TGT, 6320, 40);
    pb_wait(&b, 2 * MS);
    pb_udp(&b, TGT, 6320, SRC, 50000, 60);
    return run(&b);
}

static void answered_udp_shows_before_its_flow_ends(void **state)
{
    (void)state;
    struct analyzer *a = answered_udp_open();
    analyzer_advance(a, T0 + 300 * MS);
    const struct verdict_item *it = item(a, 17, 6320);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_true(it->provisional);
    assert_true(says(it, "still open"));
    /* a minute of quiet ends the flow: the real attempt, and the preview item is gone */
    analyzer_advance(a, T0 + 61 * SEC);
    it = item(a, 17, 6320);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_false(it->provisional);
    assert_int_equal(it->counts.attempts, 1);
    assert_false(says(it, "still open"));
    analyzer_free(a);
}

static void established_connection_shows_open(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_handshake(&b, SRC, 50001, TGT, 6320);
    struct analyzer *a = run(&b);
    analyzer_advance(a, T0 + 300 * MS);
    const struct verdict_item *it = item(a, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_true(it->provisional);
    /* the end of the input ends every flow: nothing stays provisional */
    analyzer_finish(a);
    it = item(a, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_false(it->provisional);
    analyzer_free(a);
}

/* The preview is kept from look to look: a look takes the connections opened since the last
 * one, never one it already took (the cell counts each open connection once). */
static void a_look_takes_each_open_flow_once(void **state)
{
    (void)state;
    struct pb b1 = pb_start(T0), b2 = pb_start(T0 + 2 * SEC);
    pb_handshake(&b1, SRC, 50007, TGT, 6320);
    pb_handshake(&b2, SRC, 50008, TGT, 6320);
    struct analyzer *a = run(&b1);
    assert_true(analyzer_advance(a, T0 + SEC));
    assert_int_equal(item(a, 6, 6320)->counts.attempts, 1);
    assert_false(analyzer_advance(a, T0 + 1500 * MS)); /* nothing new: no look, no settle */
    for (size_t i = 0; i < pb_count(&b2); i++) {
        struct frame f = pb_frame(&b2, i);
        analyzer_feed(a, &f);
    }
    assert_true(analyzer_advance(a, T0 + 3 * SEC));
    const struct verdict_item *it = item(a, 6, 6320);
    assert_int_equal(it->counts.attempts, 2);
    assert_true(it->provisional);
    analyzer_finish(a);
    it = item(a, 6, 6320);
    assert_int_equal(it->counts.attempts, 2);
    assert_false(it->provisional);
    analyzer_free(a);
}

/* An ICMP port unreachable from the host is known at once, too. */
static void refused_udp_shows_closed(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_udp(&b, SRC, 50002, TGT, 6325, 40);
    pb_wait(&b, MS);
    pb_icmp_error(&b, TGT, SRC, 3, 3, 0);
    struct analyzer *a = run(&b);
    analyzer_advance(a, T0 + 300 * MS);
    const struct verdict_item *it = item(a, 17, 6325);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    assert_true(it->provisional);
    analyzer_free(a);
}

/* A SYN without an answer is not known 300 ms later: no provisional DROPPED, the port stays
 * untested until the attempt ends; and with no answer at all no look is made. */
static void silence_waits_for_its_attempt(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_tcp(&b, SRC, 50003, TGT, 6325, TH_SYN);
    struct analyzer *a = run(&b);
    analyzer_advance(a, T0 + 300 * MS);
    const struct verdict_collector *vc = analyzer_verdicts(a);
    for (size_t i = 0; i < verdict_count(vc); i++) { /* nothing judged yet */
        assert_false(verdict_at(vc, i)->provisional);
        assert_int_equal(verdict_at(vc, i)->v.kind, VERDICT_UNTESTED);
    }
    analyzer_advance(a, T0 + 6 * SEC); /* the attempt's 5 s are over */
    const struct verdict_item *it = item(a, 6, 6325);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_false(it->provisional);
    analyzer_free(a);
}

/* Live, the timer that advances the analyzer runs behind the frames' stamps (they must never
 * be older than its clock): the looks are paced on the timer, so frames stamped ahead of it do
 * not put off the next look, and the timer can be set to the time the next one is due. */
static void looks_are_paced_on_the_timer(void **state)
{
    (void)state;
    struct analyzer *a = new_analyzer();
    assert_int_equal(analyzer_preview_due_us(a), UINT64_MAX); /* nothing answered */
    struct pb b1 = pb_start(T0 + SEC), b2 = pb_start(T0 + SEC + 100 * MS);
    pb_handshake(&b1, SRC, 50004, TGT, 6320);
    pb_handshake(&b2, SRC, 50005, TGT, 6325);
    for (size_t i = 0; i < pb_count(&b1); i++) {
        struct frame f = pb_frame(&b1, i);
        analyzer_feed(a, &f);
    }
    analyzer_advance(a, T0 + 500 * MS); /* half a second behind the frames */
    assert_int_equal(item(a, 6, 6320)->v.kind, VERDICT_OPEN);
    for (size_t i = 0; i < pb_count(&b2); i++) {
        struct frame f = pb_frame(&b2, i);
        analyzer_feed(a, &f);
    }
    assert_int_equal(analyzer_preview_due_us(a), T0 + 700 * MS);
    analyzer_advance(a, T0 + 700 * MS); /* 200 ms of the timer after the last look */
    const struct verdict_item *it = item(a, 6, 6325);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_true(it->provisional);
    assert_int_equal(analyzer_preview_due_us(a), UINT64_MAX);
    analyzer_free(a);
}

/* An unanswered SYN is judged when its attempt's time is up (5 s): the timer can be set to
 * that time, not left to the next frame or status line. */
static void silence_is_due_when_the_attempt_ends(void **state)
{
    (void)state;
    struct analyzer *a = new_analyzer();
    assert_int_equal(analyzer_next_due_us(a), UINT64_MAX); /* no flow */
    struct pb b1 = pb_start(T0);
    pb_tcp(&b1, SRC, 50006, TGT, 6320, TH_SYN);
    struct frame f = pb_frame(&b1, 0);
    analyzer_feed(a, &f);
    analyzer_advance(a, T0 + 100 * MS);
    uint64_t due = analyzer_next_due_us(a);
    assert_true(due > T0 + 100 * MS && due <= T0 + 5 * SEC);
    analyzer_advance(a, due - 1);
    const struct verdict_collector *vc = analyzer_verdicts(a);
    for (size_t i = 0; i < verdict_count(vc); i++)
        assert_int_not_equal(verdict_at(vc, i)->v.kind, VERDICT_DROPPED); /* not yet */
    assert_true(analyzer_advance(a, due));
    assert_int_equal(item(a, 6, 6320)->v.kind, VERDICT_DROPPED);
    analyzer_free(a);
}

/* The preview is emptied at a look whose settle is held back (verdict_preview_begin: it holds
 * many ended flows, or the collector had no room for one) before anyone read the last
 * settle's list: the list is still the one that settle made, the provisional item of the flow
 * still open included, until the next settle (the UNTESTED items were made without its port). */
static void an_emptied_preview_leaves_the_settled_list(void **state)
{
    (void)state;
    struct analyzer *a = answered_udp_open();
    assert_true(analyzer_advance(a, T0 + 300 * MS));
    const struct verdict_collector *vc = analyzer_verdicts(a);
    size_t judged = verdict_judged_count(vc);
    /* what begin does when it empties the preview (the same function) */
    verdict_preview_drop((struct verdict_collector *)vc);
    const struct verdict_item *it = item(a, 17, 6320);
    assert_true(it->provisional);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    assert_int_equal(verdict_count(vc), judged); /* the first settle judged every item */
    analyzer_free(a);
}

/* A flow the preview can never take (no attempt: a connection picked up mid-stream; or not
 * on the profile's ports) is not asked again at every look for as long as it stays open: the
 * looks would cost every open flow again. One on the profile's ports whose answer does not
 * decide it yet is. */
static struct flow tcp_flow(uint16_t port, uint16_t syns, bool bare_ack)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.kind = FLOW_TCP;
    assert_true(fw_addr_parse(&f.key.a, SRC));
    assert_true(fw_addr_parse(&f.key.b, TGT));
    f.key.pa = 50000;
    f.key.pb = port;
    f.key.proto = 6;
    f.orig_is_a = true;
    f.side[0].pkts = 3;
    f.side[1].pkts = 2;
    f.orig_syns = syns;
    f.resp_bare_ack = bare_ack;
    return f;
}

static void a_flow_never_judged_is_not_asked_again(void **state)
{
    (void)state;
    struct verdict_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ports = PORTS;
    cfg.nports = sizeof PORTS / sizeof PORTS[0];
    struct verdict_collector *c = verdict_collector_new(&cfg);
    assert_non_null(c);
    struct flow mid = tcp_flow(6320, 0, false), other = tcp_flow(8080, 1, true),
                undecided = tcp_flow(6320, 1, true);
    assert_false(verdict_preview_flow(c, &mid, false));
    assert_false(verdict_preview_flow(c, &other, false));
    assert_true(verdict_preview_flow(c, &undecided, false)); /* a bare ACK: asked again */
    verdict_collector_free(c);
}

/* More open connections on the profile's ports than the preview holds (4096 cells,
 * verdict_preview.c's PREVIEW_MAX_CELLS): a look that brings one more answered connection
 * does not make the full preview again from every open flow (it filled up the same way, and
 * the settle judged each of its cells again); once PREVIEW_REBUILD (256) of its connections
 * have ended, it is made again, and a connection it had no room for shows then. */
#define MANY 4200u
#define RPC_LO 50000u

static const struct verdict_port RPC_PORTS[] = {
    { 6, RPC_LO, RPC_LO + 9999, "RPC dynamic", true },
};

/* Connections from SRC:(10000 + i) to TGT:(RPC_LO + i), i in [from, to), all answered and open,
 * fed to a at t_us; 16 a builder (its automatic sequence numbers cover 32 directions). If rst,
 * the client resets each instead: they end. */
static void feed_conns(struct analyzer *a, uint64_t t_us, uint32_t from, uint32_t to, bool rst)
{
    static struct pb b;
    for (uint32_t i = from; i < to;) {
        pb_init(&b, t_us);
        b.step_us = 1;
        for (uint32_t k = 0; k < 16 && i < to; k++, i++) {
            if (rst)
                assert_true(pb_tcp(&b, SRC, (uint16_t)(10000 + i), TGT, (uint16_t)(RPC_LO + i),
                                   TH_RST) >= 0);
            else
                assert_true(pb_handshake(&b, SRC, (uint16_t)(10000 + i), TGT,
                                         (uint16_t)(RPC_LO + i)) >= 0);
        }
        for (size_t j = 0; j < pb_count(&b); j++) {
            struct frame f = pb_frame(&b, j);
            analyzer_feed(a, &f);
        }
    }
}

/* The item of TGT's port, provisional or not; NULL when there is none. */
static const struct verdict_item *rpc_item(const struct analyzer *a, uint16_t port)
{
    const struct verdict_collector *vc = analyzer_verdicts(a);
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->proto == 6 && it->port == port)
            return it;
    }
    return NULL;
}

static void a_full_preview_is_not_made_again_at_every_look(void **state)
{
    (void)state;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = RPC_PORTS;
    cfg.verdict.nports = 1;
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    const struct verdict_collector *vc = analyzer_verdicts(a);
    feed_conns(a, T0, 0, MANY, false);
    assert_true(analyzer_advance(a, T0 + SEC));
    const uint16_t left_out = (uint16_t)(RPC_LO + MANY - 1); /* the last made: no room */
    assert_true(rpc_item(a, (uint16_t)RPC_LO)->provisional);
    assert_null(rpc_item(a, left_out));
    /* One more answered connection: a look, and a settle that judges what changed only. */
    feed_conns(a, T0 + 2 * SEC, MANY, MANY + 1, false);
    assert_true(analyzer_advance(a, T0 + 3 * SEC));
    assert_in_range(verdict_judged_count(vc), 0, 16);
    assert_null(rpc_item(a, left_out));
    /* 300 of the previewed connections end: their cells judge them, and the next look makes
     * the preview again with room for the rest. */
    feed_conns(a, T0 + 4 * SEC, 0, 300, true);
    assert_true(analyzer_advance(a, T0 + 15 * SEC)); /* past the close delay: they ended */
    feed_conns(a, T0 + 16 * SEC, MANY + 1, MANY + 2, false);
    assert_true(analyzer_advance(a, T0 + 17 * SEC));
    const struct verdict_item *it = rpc_item(a, left_out);
    assert_non_null(it);
    assert_true(it->provisional);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answered_udp_shows_before_its_flow_ends),
        cmocka_unit_test(silence_is_due_when_the_attempt_ends),
        cmocka_unit_test(a_look_takes_each_open_flow_once),
        cmocka_unit_test(established_connection_shows_open),
        cmocka_unit_test(refused_udp_shows_closed),
        cmocka_unit_test(silence_waits_for_its_attempt),
        cmocka_unit_test(looks_are_paced_on_the_timer),
        cmocka_unit_test(an_emptied_preview_leaves_the_settled_list),
        cmocka_unit_test(a_flow_never_judged_is_not_asked_again),
        cmocka_unit_test(a_full_preview_is_not_made_again_at_every_look),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
