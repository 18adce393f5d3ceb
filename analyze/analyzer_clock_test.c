/* analyze/analyzer_clock_test.c: the analyzer's clock against one frame stamped far ahead.
 * A lone damaged stamp must not move the clock (expiring every flow and turning an open port
 * into a dropped one); a real gap in the capture must, whether the next frame or, live, the
 * wall clock confirms it; and a damaged stamp on the last frame is caught at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SEC 1000000ull
#define YEAR (365ull * 86400 * SEC)
#define DAY (86400ull * SEC)
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

static struct analyzer *start(struct pb_conns *o)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    memset(o, 0, sizeof *o);
    struct analyzer *a = analyzer_new(&cfg, pb_conns_sink, o);
    assert_non_null(a);
    return a;
}

/* Frame i, its bytes lent as a reader lends them: valid only during the call, then the
 * buffer is reused (here wiped), so a frame kept for later must have been copied. */
static void feed(struct analyzer *a, const struct pb *b, size_t i)
{
    static uint8_t lent[PB_FRAME_MAX];
    struct frame f = pb_frame(b, i);
    memcpy(lent, f.bytes, f.caplen);
    f.bytes = lent;
    analyzer_feed(a, &f);
    memset(lent, 0, sizeof lent);
}

static void feed_all(struct analyzer *a, const struct pb *b)
{
    for (size_t i = 0; i < pb_count(b); i++)
        feed(a, b, i);
}

/* The one verdict of a capture with one port tried. */
static enum verdict_kind only_verdict(const struct analyzer *a, uint16_t port)
{
    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_int_equal(verdict_count(vc), 1);
    assert_int_equal(verdict_at(vc, 0)->port, port);
    return verdict_at(vc, 0)->v.kind;
}

/* SYN, then the SYN-ACK stamped a year ahead, then the ACK at the right time: the SYN-ACK is
 * handled at the clock, so the handshake completes and the port reads OPEN. */
static void synack_stamped_ahead_is_a_glitch(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_at(&b, T0 + YEAR);
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
    pb_at(&b, T0 + 200000);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_ACK);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed_all(a, &b);
    analyzer_finish(a);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].state, CONN_S1);
    assert_string_equal(o.rec[0].history, "ShA");
    assert_int_equal(o.rec[0].end, CONN_END_INPUT);
    assert_int_equal(o.rec[0].first_frame, 1);
    assert_int_equal(o.rec[0].last_frame, 3);
    /* The glitch's time is the clock's: the connection lasts 0.2 s, not a year. */
    assert_int_equal(o.rec[0].ts_us, T0);
    assert_int_equal(o.rec[0].duration_us, 200000);
    const struct analyzer_stats *st = analyzer_stats(a);
    assert_int_equal(st->ts_backwards, 1);
    assert_int_equal(st->frames, 3);
    assert_int_equal(st->by_status[PKT_OK], 3);
    assert_int_equal(st->first_ts_us, T0); /* the span leaves the glitch out */
    assert_int_equal(st->last_ts_us, T0 + 200000);
    assert_int_equal(only_verdict(a, 6320), VERDICT_OPEN);
    analyzer_free(a);
}

/* A day of silence, then two frames: the jump is real. The first connection ends by its
 * timeout, before the second starts, and the second is analysed on the new time. */
static void real_gap_moves_the_clock(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_handshake(&b, SRC, 49500, TGT, 6320);
    pb_at(&b, T0 + DAY);
    pb_tcp(&b, SRC, 49501, TGT, 6320, TH_SYN);
    pb_tcp(&b, TGT, 6320, SRC, 49501, TH_SYN | TH_ACK);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed_all(a, &b);
    assert_int_equal(o.n, 1); /* expired on the new time, before the end of input */
    assert_int_equal(o.rec[0].end, CONN_END_TIMEOUT);
    assert_int_equal(o.rec[0].state, CONN_S1);
    assert_int_equal(o.rec[0].orig_p, 49500);
    analyzer_finish(a);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.rec[1].orig_p, 49501);
    assert_int_equal(o.rec[1].state, CONN_S1);
    assert_int_equal(o.rec[1].ts_us, T0 + DAY);
    assert_int_equal(o.rec[1].duration_us, PB_DEFAULT_STEP_US);
    assert_int_equal(o.rec[1].first_frame, 4);
    assert_int_equal(analyzer_stats(a)->ts_backwards, 0);
    assert_int_equal(analyzer_stats(a)->last_ts_us, T0 + DAY + PB_DEFAULT_STEP_US); /* spans it */
    analyzer_free(a);
}

/* The last frame stamped a year ahead: nothing follows to confirm it, so it is a glitch. */
static void glitch_as_last_frame(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_handshake(&b, SRC, 49500, TGT, 6320);
    pb_at(&b, T0 + YEAR);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_FIN | TH_ACK);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed_all(a, &b);
    analyzer_finish(a);
    assert_int_equal(o.n, 1); /* one connection, not one expired and one more */
    assert_string_equal(o.rec[0].history, "ShAF");
    assert_int_equal(o.rec[0].state, CONN_S2);
    assert_int_equal(o.rec[0].last_frame, 4);
    assert_int_equal(o.rec[0].duration_us, 2 * PB_DEFAULT_STEP_US);
    assert_int_equal(analyzer_stats(a)->ts_backwards, 1);
    assert_int_equal(only_verdict(a, 6320), VERDICT_OPEN);
    analyzer_free(a);
}

/* Live: the wall clock, through analyzer_advance, decides a held frame before the next frame
 * comes. Far from the held stamp: a glitch. */
static void live_advance_finds_a_glitch(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_at(&b, T0 + YEAR);
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
    pb_at(&b, T0 + 2 * SEC);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_ACK);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed(a, &b, 0);
    feed(a, &b, 1);
    analyzer_advance(a, T0 + SEC);
    assert_int_equal(analyzer_stats(a)->by_status[PKT_OK], 2); /* the SYN-ACK is handled */
    assert_int_equal(analyzer_stats(a)->ts_backwards, 1);
    feed(a, &b, 2);
    analyzer_finish(a);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].state, CONN_S1);
    assert_string_equal(o.rec[0].history, "ShA");
    assert_int_equal(o.rec[0].duration_us, 2 * SEC);
    assert_int_equal(analyzer_stats(a)->ts_backwards, 1);
    assert_int_equal(only_verdict(a, 6320), VERDICT_OPEN);
    analyzer_free(a);
}

/* Live, the wall clock within the hour of the held stamp: the jump was real (the host's
 * clock was stepped), the flows before it expire, and the held frame starts the next. */
static void live_advance_confirms_a_jump(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_udp(&b, SRC, 40000, TGT, 9999, 20);
    pb_at(&b, T0 + DAY);
    pb_udp(&b, SRC, 40001, TGT, 9999, 20);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed(a, &b, 0);
    feed(a, &b, 1);
    analyzer_advance(a, T0 + DAY - 1800 * SEC);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].orig_p, 40000);
    assert_int_equal(o.rec[0].end, CONN_END_TIMEOUT);
    assert_int_equal(analyzer_stats(a)->flows_live, 1); /* the held frame's flow */
    analyzer_finish(a);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.rec[1].orig_p, 40001);
    assert_int_equal(o.rec[1].ts_us, T0 + DAY);
    assert_int_equal(o.rec[1].first_frame, 2);
    assert_int_equal(analyzer_stats(a)->ts_backwards, 0);
    analyzer_free(a);
}

/* Held frames of different sizes share one buffer, grown when a larger one comes: each is
 * handled with its own bytes, at the clock, in the order it came. */
static void held_frames_keep_their_own_bytes(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_udp(&b, SRC, 40000, TGT, 9999, 20);
    pb_at(&b, T0 + YEAR);
    pb_udp(&b, SRC, 40002, TGT, 53, 8);
    pb_at(&b, T0 + SEC);
    pb_udp(&b, SRC, 40000, TGT, 9999, 20);
    pb_at(&b, T0 + YEAR);
    b.next.payload_len = 1200;
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_ACK);
    pb_at(&b, T0 + 2 * SEC);
    pb_udp(&b, SRC, 40000, TGT, 9999, 20);
    struct pb_conns o;
    struct analyzer *a = start(&o);
    feed_all(a, &b);
    analyzer_finish(a);
    const struct analyzer_stats *st = analyzer_stats(a);
    assert_int_equal(st->ts_backwards, 2);
    assert_int_equal(st->by_status[PKT_OK], 5);
    assert_int_equal(o.n, 3); /* in order of creation: 40000, 40002, the TCP one */
    assert_int_equal(o.rec[0].orig_p, 40000);
    assert_int_equal(o.rec[0].orig_pkts, 3);
    assert_int_equal(o.rec[0].duration_us, 2 * SEC);
    assert_int_equal(o.rec[1].resp_p, 53);
    assert_int_equal(o.rec[1].orig_bytes, 8);
    assert_int_equal(o.rec[1].ts_us, T0);
    assert_int_equal(o.rec[1].first_frame, 2);
    assert_int_equal(o.rec[2].orig_p, 49500);
    assert_int_equal(o.rec[2].orig_bytes, 1200);
    assert_int_equal(o.rec[2].ts_us, T0 + SEC);
    assert_int_equal(o.rec[2].first_frame, 4);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(synack_stamped_ahead_is_a_glitch),
        cmocka_unit_test(real_gap_moves_the_clock),
        cmocka_unit_test(glitch_as_last_frame),
        cmocka_unit_test(live_advance_finds_a_glitch),
        cmocka_unit_test(live_advance_confirms_a_jump),
        cmocka_unit_test(held_frames_keep_their_own_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
