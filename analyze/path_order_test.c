/* analyze/path_order_test.c: captures of one path ordered by the TTL of the packets they share,
 * whatever order they are given in, and the segment named for a cell's requests, answers and
 * refusal; silent, or "cannot tell", when the captures share no packet or sit at one TTL. The
 * path is S - router - router - T: a capture at hop h sees S's packets at TTL 64 - h and T's
 * at 64 - (2 - h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/path_order.h"
#include "analyze/verdict.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define S "198.51.100.10"
#define T "203.0.113.20"
#define ROUTERS 2

static struct pb b[PATH_MAX_CAPTURES];
static struct path_set set;
static struct fw_addr s_addr, t_addr;

/* One packet as the capture at hop h sees it: TTL from where it was sent (sent_hop, the
 * sender's position: 0 for S, ROUTERS for T, a router's for a forged one). */
static void at(int c, int h, int sent_hop, uint16_t id, uint32_t seq)
{
    int hops = h > sent_hop ? h - sent_hop : sent_hop - h;
    b[c].next.ttl = (uint8_t)(64 - hops);
    b[c].next.set_ip_id = true;
    b[c].next.ip_id = id;
    b[c].next.set_seq = true;
    b[c].next.seq = seq;
}

static void syn(int c, int h, uint16_t sport, uint16_t dport, uint32_t seq)
{
    at(c, h, 0, (uint16_t)(dport + sport), seq);
    pb_tcp(&b[c], S, sport, T, dport, TH_SYN);
}

static void synack(int c, int h, uint16_t sport, uint16_t dport, uint32_t seq)
{
    at(c, h, ROUTERS, (uint16_t)(dport ^ sport), seq);
    pb_tcp(&b[c], T, dport, S, sport, TH_SYN | TH_ACK);
}

/* A reset in T's name made by a device at hop forged_at. */
static void rst(int c, int h, int forged_at, uint16_t sport, uint16_t dport)
{
    at(c, h, forged_at, 0, 0);
    pb_tcp(&b[c], T, dport, S, sport, TH_RST | TH_ACK);
}

static void feed_all(size_t ncap)
{
    struct siphash_key k = { 1, 2 };
    assert_int_equal(path_set_init(&set, ncap, &k), 0);
    for (size_t c = 0; c < ncap; c++)
        for (size_t i = 0; i < pb_count(&b[c]); i++) {
            struct frame f = pb_frame(&b[c], i);
            struct pkt p;
            decode_frame(&f, NULL, &p);
            assert_int_equal(path_set_feed(&set, c, &p), 0);
        }
    path_set_seal(&set);
    fw_addr_parse(&s_addr, S);
    fw_addr_parse(&t_addr, T);
}

static void start(size_t ncap)
{
    for (size_t c = 0; c < ncap; c++)
        b[c] = pb_start(T0);
}

/* An open port every capture saw both ways (what places them), then port 6326's SYN that
 * passes hops up to last_hop. hop_of[c]: where capture c sits. */
static void open_and_dropped(size_t ncap, const int hop_of[], int last_hop)
{
    start(ncap);
    for (size_t c = 0; c < ncap; c++) {
        syn((int)c, hop_of[c], 49500, 445, 1000);
        synack((int)c, hop_of[c], 49500, 445, 5000);
        if (hop_of[c] <= last_hop)
            syn((int)c, hop_of[c], 49501, 6326, 2000);
    }
    feed_all(ncap);
}

static void orders_by_ttl_whatever_the_order(void **state)
{
    (void)state;
    static const int orders[][3] = { {0, 1, 2}, {2, 0, 1}, {1, 2, 0} };
    for (size_t k = 0; k < 3; k++) {
        open_and_dropped(3, orders[k], 1); /* the router between hop 1 and 2 drops it */
        struct path_order o;
        path_order_of(&set, &t_addr, &s_addr, &o); /* either way round */
        assert_int_equal(o.nplaced, 3);
        assert_false(o.inconsistent);
        for (size_t c = 0; c < 3; c++)
            assert_int_equal(o.hop[c], orders[k][c]); /* S is the lower address */
        struct path_segment sg;
        path_segment_of(&set, &s_addr, &t_addr, 6, 6326, &sg);
        assert_true(sg.placed);
        assert_true(sg.req.vanish);
        assert_false(sg.req.tie);
        assert_int_equal(sg.req.seen_hop, 1);
        assert_int_equal(sg.req.next_hop, 2);
        for (size_t c = 0; c < 3; c++) {
            assert_int_equal(!!(sg.req.seen_mask & (1u << c)), orders[k][c] == 1);
            assert_int_equal(!!(sg.req.next_mask & (1u << c)), orders[k][c] == 2);
        }
        assert_false(sg.ans.seen);
        assert_false(sg.refusal.seen);
        path_set_fini(&set);
    }
}

static void requests_reaching_the_farthest_capture_vanish_nowhere(void **state)
{
    (void)state;
    static const int hops[] = { 0, 1, 2 };
    open_and_dropped(3, hops, 2);
    struct path_segment sg;
    path_segment_of(&set, &s_addr, &t_addr, 6, 6326, &sg);
    assert_true(sg.req.seen);
    assert_false(sg.req.vanish);
    assert_int_equal(sg.req.seen_hop, 2);
    path_set_fini(&set);
}

/* Two captures on one link see the same TTLs: when one saw the request and the other did
 * not, which comes first cannot be told. */
static void equal_ttls_cannot_tell(void **state)
{
    (void)state;
    static const int hops[] = { 0, 1, 1 };
    start(3);
    for (int c = 0; c < 3; c++) {
        syn(c, hops[c], 49500, 445, 1000);
        synack(c, hops[c], 49500, 445, 5000);
        if (c != 2)
            syn(c, hops[c], 49501, 6326, 2000);
    }
    feed_all(3);
    struct path_segment sg;
    path_segment_of(&set, &s_addr, &t_addr, 6, 6326, &sg);
    assert_true(sg.placed);
    assert_true(sg.req.tie);
    assert_false(sg.req.vanish);
    assert_int_equal(sg.req.seen_hop, 1);
    assert_int_equal(sg.req.seen_mask, 1u << 1);
    assert_int_equal(sg.req.next_mask, 1u << 2);
    path_set_fini(&set);
}

/* No packet in common (another test, another day): nothing is placed, no segment named. */
static void no_common_packets_stays_silent(void **state)
{
    (void)state;
    start(2);
    syn(0, 0, 49500, 445, 1000);
    syn(0, 0, 49501, 6326, 2000);
    syn(1, 2, 50500, 445, 7000);
    synack(1, 2, 50500, 445, 9000);
    feed_all(2);
    struct path_order o;
    path_order_of(&set, &s_addr, &t_addr, &o);
    assert_true(o.nplaced < 2);
    struct path_segment sg;
    path_segment_of(&set, &s_addr, &t_addr, 6, 6326, &sg);
    assert_false(sg.placed);
    assert_false(sg.req.seen);
    path_set_fini(&set);
}

/* A reset forged by the router between hop 1 and hop 2: the request stops there and the
 * reset first appears at hop 1. Seen from T's side (the reverse cell) hops count from T. */
static void reset_first_appears_beside_its_router(void **state)
{
    (void)state;
    static const int hops[] = { 2, 0, 1 };
    start(3);
    for (int c = 0; c < 3; c++) {
        syn(c, hops[c], 49500, 445, 1000);
        synack(c, hops[c], 49500, 445, 5000);
        if (hops[c] <= 1) {
            syn(c, hops[c], 49502, 6320, 3000);
            rst(c, hops[c], 1, 49502, 6320);
        }
    }
    feed_all(3);
    struct path_segment sg;
    path_segment_of(&set, &s_addr, &t_addr, 6, 6320, &sg);
    assert_true(sg.req.vanish);
    assert_true(sg.refusal.seen);
    assert_true(sg.refusal_rst);
    assert_true(sg.refusal.vanish);
    assert_int_equal(sg.refusal.seen_hop, 1);
    assert_int_equal(sg.refusal.seen_mask, 1u << 2);
    assert_int_equal(sg.refusal.next_mask, 1u << 0);
    /* T's hops run the other way: capture 0 (next to T) is hop 0 of a T -> S cell. */
    path_segment_of(&set, &t_addr, &s_addr, 6, 6320, &sg);
    assert_int_equal(sg.hop[0], 0);
    assert_int_equal(sg.hop[1], 2);
    path_set_fini(&set);
}

/* The answer is lost on its way back between hop 1 and hop 0: the requests reach T, the
 * answers pass hop 1 and never reach hop 0. */
static void answers_lost_on_the_way_back(void **state)
{
    (void)state;
    static const int hops[] = { 0, 1, 2 };
    start(3);
    for (int c = 0; c < 3; c++) {
        syn(c, hops[c], 49500, 445, 1000);
        synack(c, hops[c], 49500, 445, 5000);
        syn(c, hops[c], 49503, 6330, 4000);
        if (hops[c] >= 1)
            synack(c, hops[c], 49503, 6330, 8000);
    }
    feed_all(3);
    struct path_segment sg;
    path_segment_of(&set, &s_addr, &t_addr, 6, 6330, &sg);
    assert_true(sg.req.seen);
    assert_false(sg.req.vanish);
    assert_true(sg.ans.vanish);
    assert_int_equal(sg.ans.seen_hop, 1);
    assert_int_equal(sg.ans.next_hop, 0);
    assert_int_equal(sg.ans.next_mask, 1u << 0);
    path_set_fini(&set);
}

static void too_many_captures_refused(void **state)
{
    (void)state;
    struct siphash_key k = { 1, 2 };
    assert_int_not_equal(path_set_init(&set, PATH_MAX_CAPTURES + 1, &k), 0);
    assert_int_equal(path_set_init(&set, PATH_MAX_CAPTURES, &k), 0);
    path_set_fini(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(orders_by_ttl_whatever_the_order),
        cmocka_unit_test(requests_reaching_the_farthest_capture_vanish_nowhere),
        cmocka_unit_test(equal_ttls_cannot_tell),
        cmocka_unit_test(no_common_packets_stays_silent),
        cmocka_unit_test(reset_first_appears_beside_its_router),
        cmocka_unit_test(answers_lost_on_the_way_back),
        cmocka_unit_test(too_many_captures_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
