/* analyze/analyzer_test.c: the engine end to end on frames from the packet builder: decode,
 * counters, the clock (time going backwards), checksum handling as Zeek does it, truncated
 * TCP headers, and ICMP errors matched to the connection they quote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

static void feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

static struct analyzer *run(const struct pb *b, bool verify, struct pb_conns *o)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verify_checksums = verify;
    memset(o, 0, sizeof *o);
    struct analyzer *a = analyzer_new(&cfg, pb_conns_sink, o);
    assert_non_null(a);
    pb_feed(b, feed_fn, a);
    analyzer_finish(a);
    return a;
}

static void handshake_and_close(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_handshake(&b, SRC, 49500, TGT, 6320);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_FIN | TH_ACK);
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_FIN | TH_ACK);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_ACK);
    struct pb_conns o;
    struct analyzer *a = run(&b, true, &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].state, CONN_SF);
    assert_string_equal(o.rec[0].history, "ShAFf");
    assert_int_equal(o.rec[0].orig_pkts, 4);
    assert_int_equal(o.rec[0].first_frame, 1);
    assert_int_equal(o.rec[0].last_frame, 6);
    const struct analyzer_stats *s = analyzer_stats(a);
    assert_int_equal(s->frames, 6);
    assert_int_equal(s->by_status[PKT_OK], 6);
    assert_int_equal(s->flows_total, 1);
    assert_int_equal(s->flows_live, 0);
    analyzer_free(a);
}

static void bad_ip_checksum_is_ignored(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    b.next.bad_ip_cksum = true;
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
    struct pb_conns o;
    struct analyzer *a = run(&b, true, &o);
    assert_int_equal(o.rec[0].state, CONN_S0);
    assert_int_equal(o.rec[0].resp_pkts, 0);
    assert_int_equal(analyzer_stats(a)->bad_ip_cksum, 1);
    analyzer_free(a);
    a = run(&b, false, &o); /* not verifying: the answer counts */
    assert_int_equal(o.rec[0].state, CONN_S1);
    analyzer_free(a);
}

static void bad_tcp_checksum_marks_c(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    b.next.bad_l4_cksum = true;
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    struct pb_conns o;
    struct analyzer *a = run(&b, true, &o);
    assert_int_equal(o.rec[0].state, CONN_OTH);
    assert_string_equal(o.rec[0].history, "C");
    assert_int_equal(o.rec[0].orig_pkts, 0);
    assert_int_equal(analyzer_stats(a)->bad_l4_cksum, 1);
    analyzer_free(a);
}

static void time_backwards_is_counted(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0 + 10000000);
    pb_udp(&b, SRC, 40000, TGT, 9999, 20);
    pb_at(&b, T0);
    pb_udp(&b, TGT, 9999, SRC, 40000, 20);
    struct pb_conns o;
    struct analyzer *a = run(&b, false, &o);
    assert_int_equal(analyzer_stats(a)->ts_backwards, 1);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].state, CONN_SF);
    analyzer_free(a);
}

/* Live, the loop advances the clock before the first frame comes: the capture's time span
 * must still be the frames' own, not the loop's wall clock. */
static void span_is_the_frames_even_after_an_early_advance(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct pb_conns o = {0};
    struct analyzer *a = analyzer_new(&cfg, pb_conns_sink, &o);
    assert_non_null(a);
    analyzer_advance(a, T0 - 2000000);
    pb_feed(&b, feed_fn, a);
    analyzer_finish(a);
    const struct analyzer_stats *st = analyzer_stats(a);
    assert_int_equal(st->first_ts_us, T0);
    assert_int_equal(st->last_ts_us, T0 + PB_DEFAULT_STEP_US);
    assert_int_equal(st->frames, 2);
    analyzer_free(a);
}

static void truncated_tcp_header_creates_uncounted_flow(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    b.next.tcp_opt_len = 12;
    b.next.snaplen = 14 + 20 + 24; /* the options are cut off */
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    struct pb_conns o;
    struct analyzer *a = run(&b, false, &o);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.rec[0].state, CONN_OTH);
    assert_int_equal(o.rec[0].orig_pkts, 0);
    analyzer_free(a);
}

static void icmp_error_matches_quoted_flow(void **state)
{
    (void)state;
    static struct pb b;
    pb_init(&b, T0);
    int syn = pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_icmp_error(&b, "192.0.2.1", SRC, 3, 13, syn);
    struct pb_conns o;
    struct analyzer *a = run(&b, true, &o);
    const struct analyzer_stats *s = analyzer_stats(a);
    assert_int_equal(s->icmp_errors, 1);
    assert_int_equal(s->icmp_errors_matched, 1);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.rec[1].ip_proto, 1);
    assert_int_equal(o.rec[1].orig_p, 3);
    assert_int_equal(o.rec[1].resp_p, 13);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(handshake_and_close),
        cmocka_unit_test(bad_ip_checksum_is_ignored),
        cmocka_unit_test(bad_tcp_checksum_marks_c),
        cmocka_unit_test(time_backwards_is_counted),
        cmocka_unit_test(span_is_the_frames_even_after_an_early_advance),
        cmocka_unit_test(truncated_tcp_header_creates_uncounted_flow),
        cmocka_unit_test(icmp_error_matches_quoted_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
