/* analyze/verdict_settle_test.c: settling live judges again only what changed
 * (verdict_settle.c, verdict_order.c), so it must come out as one settle of everything would.
 * The same mixed capture (answered, dropped, refused by the host and by a forged RST, ICMP
 * admin-prohibited from a router, UDP, echo, the endpoint mapper and a dynamic RPC port
 * behind it, answered ports outside the profile) is read twice: once as live reads it, settled
 * every few frames with the open flows' preview, and once as a file, settled once at its end.
 * Every item, its words included, must be the same, in the same order; and the live run must
 * have kept items from earlier settles, else nothing was incremental, and listed the ones it
 * judged, in order. Once more with a small cell cap, so that cells are evicted and their
 * places reused between settles; on a capture whose capture point moves, which every item
 * reads; and on one where an ARP reply names the maker of a forged RST already judged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define MS 1000ull
#define RTR "198.51.100.1"

static const struct verdict_port PORTS[] = {
    { 6, 6320, 6320, "Double-Take", false },
    { 6, 6325, 6325, "Double-Take", false },
    { 17, 6320, 6320, "Double-Take", false },
    { 6, 135, 135, "RPC endpoint mapper", false },
    { VERDICT_PROTO_ECHO, 0, 0, "failover monitor", false },
    { 6, 49152, 65535, "RPC dynamic", true },
};

static const char *const SRCS[] = { "198.51.100.10", "198.51.100.11", "198.51.100.12" };
static const char *const TGTS[] = { "203.0.113.20", "203.0.113.21", "203.0.113.22",
                                    "203.0.113.23" };

static struct pb b;
static uint32_t rng;

static uint32_t next(uint32_t n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

/* A connection answered (TTL 63) and closed. */
static void answered(const char *s, uint16_t sport, const char *t, uint16_t port)
{
    pb_tcp(&b, s, sport, t, port, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, t, port, s, sport, TH_SYN | TH_ACK);
    pb_tcp(&b, s, sport, t, port, TH_ACK);
    pb_tcp(&b, s, sport, t, port, TH_FIN | TH_ACK);
    b.next.ttl = 63;
    pb_tcp(&b, t, port, s, sport, TH_FIN | TH_ACK);
    pb_tcp(&b, s, sport, t, port, TH_ACK);
}

/* One attempt of a random kind between a random pair; the far side answers with TTL 63. */
static void one(uint16_t sport)
{
    const char *s = SRCS[next(3)], *t = TGTS[next(4)];
    uint16_t port = next(2) ? 6320 : 6325;
    int ix;
    switch (next(10)) {
    case 0:
        answered(s, sport, t, port);
        break;
    case 1: /* unanswered */
        pb_tcp(&b, s, sport, t, port, TH_SYN);
        break;
    case 2: /* refused: by the host (63) or by a RST forged next to the source (64) */
        pb_tcp(&b, s, sport, t, port, TH_SYN);
        b.next.ttl = next(2) ? 63 : 64;
        pb_tcp(&b, t, port, s, sport, TH_RST | TH_ACK);
        break;
    case 3:
        ix = pb_tcp(&b, s, sport, t, port, TH_SYN);
        pb_icmp_error(&b, RTR, s, 3, 13, ix);
        break;
    case 4: /* UDP: answered, unanswered, or port unreachable from the host */
        ix = pb_udp(&b, s, sport, t, 6320, 20);
        if (next(3) == 0) {
            b.next.ttl = 63;
            pb_udp(&b, t, 6320, s, sport, 30);
        } else if (next(2) == 0) {
            b.next.ttl = 63;
            pb_icmp_error(&b, t, s, 3, 3, ix);
        }
        break;
    case 5:
        pb_icmp_echo(&b, s, t, false, sport, 1);
        if (next(2)) {
            b.next.ttl = 63;
            pb_icmp_echo(&b, t, s, true, sport, 1);
        }
        break;
    case 6: /* the endpoint mapper answers (the pair's dynamic ports are judged again) */
        pb_tcp(&b, s, sport, t, 135, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, t, 135, s, sport, TH_SYN | TH_ACK);
        pb_tcp(&b, s, sport, t, 135, TH_RST);
        break;
    case 7: /* a dynamic RPC port, unanswered */
        pb_tcp(&b, s, sport, t, (uint16_t)(49152 + next(4)), TH_SYN);
        break;
    default: /* answered, outside the profile: evictable */
        port = (uint16_t)(8000 + next(40));
        pb_tcp(&b, s, sport, t, port, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, t, port, s, sport, TH_SYN | TH_ACK);
        pb_tcp(&b, s, sport, t, port, TH_RST);
        break;
    }
    pb_wait(&b, (20 + next(400)) * MS);
}

/* A capture whose capture point moves. The first source's SYN is answered and sent again
 * (the SYN-ACK did not get back); its flow ends after TCP's five minutes, and its cell is
 * judged while the first source is the point. Then the second source's connections to other
 * hosts move the point. The SYN's cell must be judged again, though nothing of its own or of
 * its host changed since. */
static void build_late_point(uint32_t seed)
{
    pb_init(&b, T0);
    (void)seed;
    pb_tcp(&b, SRCS[0], 40000, TGTS[0], 6320, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGTS[0], 6320, SRCS[0], 40000, TH_SYN | TH_ACK);
    pb_wait(&b, 1000 * MS);
    pb_tcp(&b, SRCS[0], 40000, TGTS[0], 6320, TH_SYN);
    pb_wait(&b, 301000 * MS); /* the flow ends: answered, after TCP's 5 minutes */
    for (uint16_t i = 0; i < 8; i++) { /* frames for a settle to come before the point moves */
        pb_udp(&b, SRCS[0], (uint16_t)(42000 + i), TGTS[3], 9999, 20);
        pb_wait(&b, 100 * MS);
    }
    for (uint16_t i = 0; i < 60; i++) {
        answered(SRCS[1], (uint16_t)(41000 + i), TGTS[1 + i % 3], 6325);
        pb_wait(&b, 200 * MS);
    }
}

/* A RST forged by the gateway next to the source (TTL 64, the gateway's MAC) is judged while
 * nothing ties that MAC to an address; then the gateway's ARP reply names it. Only the clues
 * changed: the RST's cell must be judged again, and name the gateway. */
static void build_late_clue(uint32_t seed)
{
    uint8_t gw[6];
    (void)seed;
    pb_init(&b, T0);
    pb_mac_of(RTR, gw);
    answered(SRCS[0], 30000, TGTS[0], 6325);
    pb_tcp(&b, SRCS[0], 40000, TGTS[0], 6320, TH_SYN);
    b.next.ttl = 64;
    b.next.set_eth_src = true;
    memcpy(b.next.eth_src, gw, 6);
    pb_tcp(&b, TGTS[0], 6320, SRCS[0], 40000, TH_RST | TH_ACK);
    pb_wait(&b, 6000 * MS);
    for (uint16_t i = 0; i < 12; i++) { /* connections that end: settles around the ARP */
        if (i == 6)
            pb_arp(&b, 2, RTR, gw, SRCS[0]);
        answered(SRCS[0], (uint16_t)(42000 + i), TGTS[3], 6325);
        pb_wait(&b, 300 * MS);
    }
}

static void build(uint32_t seed)
{
    pb_init(&b, T0);
    rng = seed;
    for (uint16_t i = 0; pb_count(&b) < PB_MAX_FRAMES - 8; i++)
        one((uint16_t)(40000 + i));
}

static struct analyzer *new_analyzer(uint32_t max_cells)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = PORTS;
    cfg.verdict.nports = sizeof PORTS / sizeof PORTS[0];
    cfg.verdict.max_cells = max_cells;
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    return a;
}

/* The item of the cell SRCS[0] -> TGTS[0] tcp/port. */
static const struct verdict_item *find_cell(const struct verdict_collector *vc, uint16_t port)
{
    struct fw_addr f, t;
    assert_true(fw_addr_parse(&f, SRCS[0]));
    assert_true(fw_addr_parse(&t, TGTS[0]));
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->proto == 6 && it->port == port && fw_addr_eq(&it->from, &f) &&
            fw_addr_eq(&it->to, &t))
            return it;
    }
    fail_msg("no item for port %u", port);
    return NULL;
}

static bool same_key(const struct verdict_item *x, const struct verdict_item *y)
{
    return x->proto == y->proto && x->port == y->port && fw_addr_eq(&x->from, &y->from) &&
           fw_addr_eq(&x->to, &y->to);
}

/* Everything a reader sees of the items, one line each, words included. */
static char *dump(const struct verdict_collector *vc)
{
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i), *w = it;
        /* the verdict as settled: putting it in words judges the cell again, from now */
        struct verdict_item snap = *it;
        it = &snap;
        verdict_item_words(w);
        char f[64], t[64], by[64];
        fw_addr_format(&it->from, f, sizeof f);
        fw_addr_format(&it->to, t, sizeof t);
        fw_addr_format(&it->v.answered_by, by, sizeof by);
        int n = snprintf(out + len, cap - len,
                         "%s>%s %u/%u %s k%d c%d %s w%d l%d i%d p%d by %s r%d b%d f%llu-%llu "
                         "n%u/%u/%u/%u",
                         f, t, it->proto, it->port, it->service, it->v.kind, it->confidence,
                         it->cause != NULL ? it->cause : "-", it->where, it->lookalike,
                         it->inferred, it->provisional, by, it->v.routers, it->v.basis,
                         (unsigned long long)it->v.first_frame,
                         (unsigned long long)it->v.last_frame, it->counts.attempts,
                         it->counts.host_rst, it->counts.forged_rst, it->counts.retransmits);
        assert_true(n > 0 && (size_t)n < cap - len);
        len += (size_t)n;
        for (int e = 0; e < w->nevidence; e++) {
            n = snprintf(out + len, cap - len, " | %s", w->evidence[e]);
            assert_true(n > 0 && (size_t)n < cap - len);
            len += (size_t)n;
        }
        n = snprintf(out + len, cap - len, " => %s\n", w->advice);
        assert_true(n > 0 && (size_t)n < cap - len);
        len += (size_t)n;
    }
    return out;
}

static void same_as_one_settle(void (*make)(uint32_t), uint32_t seed, uint32_t max_cells)
{
    make(seed);
    struct analyzer *file = new_analyzer(max_cells), *live = new_analyzer(max_cells);
    uint32_t settles = 0;
    size_t kept = 0;        /* items a live settle kept from an earlier one */
    size_t provisional = 0; /* items of the open flows' preview listed */
    for (size_t i = 0; i < pb_count(&b); i++) {
        struct frame f = pb_frame(&b, i);
        analyzer_feed(file, &f);
        analyzer_feed(live, &f);
        if (i % 7 == 6 && analyzer_advance(live, f.ts_us)) {
            settles++;
            /* a reader's look between settles: the words are made, then taken back */
            const struct verdict_collector *vc = analyzer_verdicts(live);
            for (size_t j = 0; j < verdict_count(vc); j += 3)
                verdict_item_words(verdict_at(vc, j));
            /* what it judged is listed apart, in the same order: the stream reads only that */
            size_t k = 0;
            for (size_t j = 0; j < verdict_count(vc); j++) {
                const struct verdict_item *it = verdict_at(vc, j);
                provisional += it->provisional;
                /* one item a key: a preview's cell gives way to the cell of its ended flow */
                if (j > 0)
                    assert_false(same_key(verdict_at(vc, j - 1), it));
                if (it->settled < verdict_settles(vc))
                    kept++;
                else
                    assert_ptr_equal(verdict_judged_at(vc, k++), it);
            }
            assert_int_equal(k, verdict_judged_count(vc));
        }
    }
    analyzer_finish(file);
    analyzer_finish(live);
    const struct verdict_collector *lv = analyzer_verdicts(live);
    assert_true(settles >= 5);
    assert_true(kept > 0); /* else every settle judged every cell again */
    assert_true(provisional > 0);
    assert_true(verdict_count(lv) >= 5);
    char *want = dump(analyzer_verdicts(file)), *got = dump(lv);
    if (strcmp(want, got) != 0) {
        size_t k = 0;
        while (want[k] == got[k])
            k++;
        while (k > 0 && want[k - 1] != '\n')
            k--;
        fail_msg("seed %u: live settles differ from one settle at:\nwant %.400s\ngot  %.400s",
                 seed, want + k, got + k);
    }
    if (max_cells != 0)
        assert_true(verdict_cells_evicted(lv) > 0);
    free(want);
    free(got);
    analyzer_free(file);
    analyzer_free(live);
}

static void incremental_settles_match(void **state)
{
    (void)state;
    for (uint32_t seed = 1; seed <= 6; seed++)
        same_as_one_settle(build, seed, 0);
}

static void incremental_settles_match_when_the_point_moves(void **state)
{
    (void)state;
    same_as_one_settle(build_late_point, 0, 0);
}

static void incremental_settles_match_when_a_clue_comes(void **state)
{
    (void)state;
    same_as_one_settle(build_late_clue, 0, 0);
}

static void incremental_settles_match_with_evictions(void **state)
{
    (void)state;
    for (uint32_t seed = 11; seed <= 14; seed++)
        same_as_one_settle(build, seed, 48);
}

/* Live, settles are held back (at most 5 a second) while attempts keep coming: an item put in
 * words meanwhile keeps the decision it was settled with, and its words never tell the counts
 * of a cell that moved on; the next settle words it with the new ones. */
static void words_between_settles_keep_the_item(void **state)
{
    (void)state;
    pb_init(&b, T0);
    answered(SRCS[0], 40000, TGTS[0], 6320); /* closed at once: ends 5 s later */
    pb_at(&b, T0 + 5000 * MS);
    for (uint16_t i = 1; i <= 6; i++) /* six more, ending 5 s after the first */
        answered(SRCS[0], (uint16_t)(40000 + i), TGTS[0], 6320);
    struct analyzer *a = new_analyzer(0);
    for (size_t i = 0; i < pb_count(&b); i++) {
        struct frame f = pb_frame(&b, i);
        analyzer_feed(a, &f);
    }
    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_true(analyzer_advance(a, T0 + 10300 * MS)); /* the first has ended */
    const struct verdict_item *it = find_cell(vc, 6320);
    assert_int_equal(it->counts.attempts, 1);
    enum verdict_kind kind = it->v.kind;
    /* the six end from 5 s after their close on: the first of them within 200 ms */
    uint64_t ms = 10300;
    while (!verdict_collector_changed(vc) && ms < 10490) {
        ms += 10;
        assert_false(analyzer_advance(a, T0 + ms * MS)); /* held back */
    }
    assert_true(verdict_collector_changed(vc));
    verdict_item_words(it);
    assert_int_equal(it->counts.attempts, 1);
    assert_int_equal(it->v.kind, kind);
    if (it->nevidence > 0) /* words, if any, of the cell as settled */
        assert_ptr_equal(strstr(it->evidence[0], "1 attempt:"), it->evidence[0]);
    assert_true(analyzer_advance(a, T0 + 20000 * MS)); /* the settle held back, all ended */
    it = find_cell(vc, 6320);
    verdict_item_words(it);
    assert_int_equal(it->counts.attempts, 7);
    assert_true(it->nevidence > 0);
    assert_non_null(strstr(it->evidence[0], "7 attempts"));
    analyzer_free(a);
}

/* The UNTESTED items of the pairs under test are made again only when something they read
 * changed: a settle after a connection on a port outside the profile keeps them (the stream
 * is not told of them again); one after a connection on a port they were made for replaces
 * that port's UNTESTED item by the cell's, and makes the others again. */
static void untested_items_are_made_again_only_when_they_change(void **state)
{
    (void)state;
    pb_init(&b, T0);
    answered(SRCS[0], 40000, TGTS[0], 6320);
    pb_at(&b, T0 + 20000 * MS);
    answered(SRCS[0], 40001, TGTS[0], 8080); /* outside the profile */
    pb_at(&b, T0 + 40000 * MS);
    answered(SRCS[0], 40002, TGTS[0], 6325); /* UNTESTED until now */
    struct analyzer *a = new_analyzer(0);
    const struct verdict_collector *vc = analyzer_verdicts(a);
    struct fw_addr src, tgt;
    assert_true(fw_addr_parse(&src, SRCS[0]));
    assert_true(fw_addr_parse(&tgt, TGTS[0]));
    uint32_t made = 0;
    size_t n0 = 0, i = 0;
    for (int step = 0; step < 3; step++) {
        uint64_t until = T0 + (uint64_t)(step + 1) * 20000 * MS;
        for (; i < pb_count(&b) && pb_frame(&b, i).ts_us < until; i++) {
            struct frame f = pb_frame(&b, i);
            analyzer_feed(a, &f);
        }
        assert_true(analyzer_advance(a, until - 1000 * MS)); /* its connection has ended */
        size_t untested = 0, judged_untested = 0, n6325 = 0;
        for (size_t j = 0; j < verdict_count(vc); j++) {
            const struct verdict_item *it = verdict_at(vc, j);
            if (it->proto == 6 && it->port == 6325 && fw_addr_eq(&it->from, &src) &&
                fw_addr_eq(&it->to, &tgt))
                n6325++;
            if (it->v.kind != VERDICT_UNTESTED)
                continue;
            untested++;
            if (step == 0)
                made = it->settled;
            else if (step == 1)
                assert_int_equal(it->settled, made); /* kept */
            else
                assert_int_equal(it->settled, verdict_settles(vc)); /* made again */
        }
        for (size_t j = 0; j < verdict_judged_count(vc); j++)
            judged_untested += verdict_judged_at(vc, j)->v.kind == VERDICT_UNTESTED;
        assert_int_equal(n6325, 1);
        if (step == 0) {
            n0 = untested;
            assert_true(untested >= 6); /* 6325, UDP 6320, 135, echo: both ways, less 6320 */
            assert_int_equal(judged_untested, untested);
        } else if (step == 1) {
            assert_int_equal(untested, n0);
            assert_int_equal(judged_untested, 0);
        } else {
            assert_int_equal(untested, n0 - 1);
            assert_int_equal(find_cell(vc, 6325)->v.kind, VERDICT_OPEN);
            assert_int_equal(judged_untested, untested);
        }
    }
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(incremental_settles_match),
        cmocka_unit_test(incremental_settles_match_with_evictions),
        cmocka_unit_test(incremental_settles_match_when_the_point_moves),
        cmocka_unit_test(incremental_settles_match_when_a_clue_comes),
        cmocka_unit_test(words_between_settles_keep_the_item),
        cmocka_unit_test(untested_items_are_made_again_only_when_they_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
