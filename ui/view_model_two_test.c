/* ui/view_model_two_test.c: the interactive view of two captures of one test (analyze --ui A
 * B), without a terminal. The analysis is real: a sample's source and target captures, each
 * read into its own analyzer, matched by analyze/correlate and fed to the view as
 * app/cmd_analyze.c does (the combined verdicts, each capture's point, the merged attempts).
 * The tests read the header and the attempts pane; one capture's screen is view_model_test.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view_model_fixture.h"

struct two {
    struct cli_verdict v;
    struct fw_config cfg;
    struct analyzer *a[2];
    struct attempt_ring ring[2], merged;
    struct verdict_collector *combined;
    struct correlate_result corr;
    struct view_two two;
    struct view_input in;
    struct view_sel sel;
    struct view_screen *scr;
};

static void two_sink(void *ctx, const struct conn_record *r)
{
    attempt_ring_add(ctx, r);
}

static void two_read(struct two *t, int v, const char *path)
{
    struct fw_config cfg = t->cfg;
    cfg.verdict.keep_attempts = 200000;
    t->a[v] = analyzer_new(&cfg, two_sink, &t->ring[v]);
    assert_non_null(t->a[v]);
    fixture_read(t->a[v], path, v);
}

/* Both captures matched and shown as cmd_analyze.c does. */
static struct two *two_open(const char *file0, const char *file1)
{
    struct two *t = calloc(1, sizeof *t);
    assert_non_null(t);
    fw_config_defaults(&t->cfg);
    assert_int_equal(cli_verdict_setup("analyze", &t->v, &t->cfg.verdict), 0);
    struct correlate_side side[2];
    struct fw_addr host[2] = {{0}};
    for (int v = 0; v < 2; v++) {
        assert_int_equal(attempt_ring_init(&t->ring[v], 0), 0);
        two_read(t, v, v == 0 ? file0 : file1);
        const struct verdict_collector *vc = analyzer_verdicts(t->a[v]);
        t->two.cp[v] = verdict_capture_point(vc);
        if (t->two.cp[v]->known)
            host[v] = t->two.cp[v]->addr;
        side[v] = (struct correlate_side){ verdict_seen_at(vc, 0), verdict_seen_count(vc),
                                           host[v], { 0 }, 0 };
    }
    struct verdict_config vcfg = t->cfg.verdict;
    vcfg.combined = true;
    t->combined = verdict_collector_new(&vcfg);
    assert_non_null(t->combined);
    assert_int_equal(correlate_run(&side[0], &side[1], t->combined, &t->corr), 0);
    assert_int_equal(verdict_collector_settle(t->combined), 0);
    t->two.corr = &t->corr;
    t->two.combined = !t->corr.same_host && t->corr.matched > 0;
    assert_int_equal(attempt_ring_merge(&t->merged, &t->ring[0], &t->ring[1],
                                        t->corr.offset_us, host), 0);
    t->in = (struct view_input){
        .vc = t->two.combined ? t->combined : analyzer_verdicts(t->a[0]), .cfg = &t->cfg,
        .title = "analyze samples/demo/source.pcap.gz + samples/demo/target.pcap.gz",
        .short_title = "analyze source.pcap.gz + target.pcap.gz", .packets = 80,
        .elapsed_us = 5200000, .attempts = &t->merged, .two = &t->two,
        .profile = t->v.prof->name };
    t->scr = malloc(sizeof *t->scr);
    assert_non_null(t->scr);
    return t;
}

static int two_demo_setup(void **state)
{
    *state = two_open(FW_SAMPLES_DIR "/demo/source.pcap.gz", FW_SAMPLES_DIR
                      "/demo/target.pcap.gz");
    return 0;
}

static int teardown(void **state)
{
    struct two *t = *state;
    free(t->scr);
    for (int v = 0; v < 2; v++) {
        analyzer_free(t->a[v]);
        attempt_ring_fini(&t->ring[v]);
    }
    attempt_ring_fini(&t->merged);
    verdict_collector_free(t->combined);
    cli_verdict_fini(&t->v);
    free(t);
    return 0;
}

static void build(struct two *t, int w, int h)
{
    assert_int_equal(view_model_build(&t->in, &t->sel, w, h, t->scr), 0);
}

/* How many lines hold text. */
static int count(const struct view_screen *s, const char *text)
{
    int n = 0;
    for (int y = 0; y < s->height; y++)
        n += strstr(s->line[y].text, text) != NULL;
    return n;
}

/* Each capture's point and the clock offset, as the report prints them: the short form at 80
 * columns, the confidences and the offset's meaning on a wide terminal. */
static void header_shows_both_capture_points(void **state)
{
    struct two *t = *state;
    build(t, 80, 24);
    assert_int_equal(screen_find(t->scr, "capture point unknown"), -1);
    int ab = screen_after_changes(t->scr);
    assert_true(ab > 2);
    assert_int_equal(screen_find(t->scr, " A = 198.51.100.10  B = 203.0.113.20   7 attempts seen "
                                         "in both"), ab);
    assert_string_equal(t->scr->line[ab + 1].text, " captures: 1 at 198.51.100.10, 2 at "
                                                   "203.0.113.20   clock offset +0.000007 s     ");
    assert_int_equal(screen_find(t->scr, " pair 1/1   rows 1-"), ab + 2);
    assert_true(screen_find(t->scr, "tcp   6325   DROPPED") > ab + 3);
    build(t, 200, 40);
    ab = screen_after_changes(t->scr);
    assert_int_equal(screen_find(t->scr, "attempts seen in both captures 7, in 1 only 2, in 2 "
                                         "only 0"), ab);
    assert_int_equal(screen_find(t->scr, " captures: 1 at 198.51.100.10 (inferred, high), 2 at "
                                         "203.0.113.20 (inferred, high)   clock offset "
                                         "+0.000007 s (2's clock ahead of 1's)"), ab + 1);
}

/* At 80 columns the base names replace the paths and the elapsed time goes, the packets stay
 * whole; a wide terminal shows it all. */
static void title_fits_80_columns(void **state)
{
    struct two *t = *state;
    build(t, 80, 24);
    const char *l = t->scr->line[0].text;
    assert_non_null(strstr(l, " analyze source.pcap.gz + target.pcap.gz  profile double-take"));
    assert_string_equal(l + 80 - strlen("packets 80 "), "packets 80 ");
    assert_null(strstr(l, "samples/"));
    build(t, 200, 40);
    l = t->scr->line[0].text;
    assert_non_null(strstr(l, " fwsight  analyze samples/demo/source.pcap.gz + "
                              "samples/demo/target.pcap.gz  profile double-take"));
    assert_non_null(strstr(l, "packets 80  elapsed 0:00:05 "));
    /* In between, the paths go before the elapsed time. */
    build(t, 110, 30);
    assert_non_null(strstr(t->scr->line[0].text, "fwsight  analyze source.pcap.gz + "
                                                 "target.pcap.gz  profile double-take"));
    assert_non_null(strstr(t->scr->line[0].text, "elapsed 0:00:05 "));
}

/* The short title's names: base names, unless both captures have the same one. */
static void short_paths_tell_the_captures_apart(void **state)
{
    (void)state;
    assert_string_equal(view_short_path("samples/demo/source.pcap.gz", "x/target.pcap.gz"),
                        "source.pcap.gz");
    assert_string_equal(view_short_path("/srv/a/capture.pcap", "/srv/b/capture.pcap"),
                        "a/capture.pcap");
    assert_string_equal(view_short_path("a/capture.pcap", "b/capture.pcap"), "a/capture.pcap");
    assert_string_equal(view_short_path("capture.pcap", "b/capture.pcap"), "capture.pcap");
    assert_string_equal(view_short_path("dir/one.pcap", NULL), "one.pcap");
}

/* Every attempt once, marked with the captures that saw it, as the report counts them: 7 in
 * both, 2 in the source's only (tcp 6325 dropped on the way, tcp 445 refused by the router). */
static void attempts_seen_by_both_listed_once(void **state)
{
    struct two *t = *state;
    assert_int_equal(attempt_ring_count(&t->merged),
                     t->corr.matched + t->corr.only[0] + t->corr.only[1]);
    assert_int_equal(attempt_ring_count(&t->merged), 9);
    view_model_key(&t->in, &t->sel, 'a');
    view_model_key(&t->in, &t->sel, VIEW_KEY_ENTER); /* the whole screen: all 9 in sight */
    build(t, 80, 24);
    assert_true(screen_find(t->scr, "== attempts: all, 9 kept, newest first") > 3);
    assert_int_equal(count(t->scr, ":6320  SF  ShAfFa"), 1 + 1); /* one each way */
    assert_int_equal(count(t->scr, "both    198.51.100.10:47015 -> 203.0.113.20:6320 udp  SF  "
                                   "Dd"), 1);
    assert_int_equal(count(t->scr, " -> 203.0.113.20:6326  SF"), 1);
    assert_int_equal(count(t->scr, "1 only  198.51.100.10:"), 2);
    assert_int_equal(count(t->scr, "2 only"), 0);
    int y = screen_find(t->scr, " -> 203.0.113.20:6325  S0  S");
    assert_true(y > 0);
    assert_non_null(strstr(t->scr->line[y].text, "  1 only  198.51.100.10:"));
    assert_int_equal(count(t->scr, "  both    203.0.113.20:36764 -> 198.51.100.10:6325  SF"), 1);
    /* The cell's attempts: 6325 from A, once, and the capture that saw it. */
    for (const char *k = "&6325"; *k != '\0'; k++)
        view_model_key(&t->in, &t->sel, *k);
    view_model_key(&t->in, &t->sel, VIEW_KEY_ENTER); /* keeps the filter */
    view_model_key(&t->in, &t->sel, VIEW_KEY_ESC);   /* back to the matrix, unzoomed */
    view_model_key(&t->in, &t->sel, 'a');            /* the selected cell's attempts */
    build(t, 80, 24);
    y = screen_find(t->scr, "== attempts: 198.51.100.10 -> 203.0.113.20 tcp 6325, 1 kept");
    assert_true(y > 3);
    assert_non_null(strstr(t->scr->line[y + 1].text, "1 only  198.51.100.10:54788 -> "
                                                      "203.0.113.20:6325  S0  S"));
    assert_true(t->scr->line[y + 2].text[1] == ' ');
}

/* The answer that left the target and never arrived: one line, the requester's view first,
 * the target's after it where the width has room for it whole. */
static void other_capture_view_where_it_fits(void **state)
{
    struct two *t = two_open(FW_SAMPLES_DIR "/reply-dropped-6320/source.pcap", FW_SAMPLES_DIR
                             "/reply-dropped-6320/target.pcap");
    *state = t;
    view_model_key(&t->in, &t->sel, 'a');
    build(t, 120, 30);
    assert_int_equal(count(t->scr, ":59390 -> "), 1);
    assert_true(screen_find(t->scr, "both    198.51.100.10:59390 -> 203.0.113.20:6320  S0  S  "
                                    "(2: S1  Sh)") > 3);
    build(t, 80, 24);
    int y = screen_find(t->scr, "both    198.51.100.10:59390 -> 203.0.113.20:6320  S0  S");
    assert_true(y > 3);
    assert_null(strstr(t->scr->line[y].text, "(2:"));
}

/* The same capture twice: one capture point, nothing combined, and the header says so. */
static void not_combined_says_so(void **state)
{
    struct two *t = two_open(FW_SAMPLES_DIR "/demo/source.pcap.gz", FW_SAMPLES_DIR
                             "/demo/source.pcap.gz");
    *state = t;
    assert_true(t->corr.same_host);
    build(t, 80, 24);
    int ab = screen_after_changes(t->scr);
    assert_true(screen_find(t->scr, "not combined: capture 1's verdicts") == ab);
    assert_true(screen_find(t->scr, " captures: 1 at 198.51.100.10, 2 at 198.51.100.10") ==
                ab + 1);
    build(t, 160, 30);
    assert_true(screen_find(t->scr, "captures not combined (same capture point): capture 1's "
                                    "verdicts") == screen_after_changes(t->scr));
}

/* A conn_record that is an attempt: a TCP SYN from orig_p to 6320 at ts_us. */
static struct conn_record two_syn(const char *from, const char *to, uint16_t orig_p,
                                  uint64_t ts_us, int vantage, const char *history)
{
    struct conn_record c = { .ts_us = ts_us, .orig_p = orig_p, .resp_p = 6320, .ip_proto = 6,
                             .state = CONN_S0, .vantage = vantage };
    assert_true(fw_addr_parse(&c.orig_h, from));
    assert_true(fw_addr_parse(&c.resp_h, to));
    snprintf(c.history, sizeof c.history, "%s", history);
    return c;
}

/* The merged copy of the attempt from orig_p that capture v kept, or NULL. */
static const struct attempt *two_kept(const struct attempt_ring *m, uint16_t orig_p, int v)
{
    for (size_t i = 0; i < attempt_ring_count(m); i++)
        if (attempt_ring_at(m, i)->orig_p == orig_p && attempt_ring_at(m, i)->vantage == v)
            return attempt_ring_at(m, i);
    return NULL;
}

/* Matching: the clock offset is taken off before the window applies; the same 5-tuple out of
 * it is another attempt; the copy kept is the one of the capture the attempt left from. */
static void merge_takes_the_offset_and_the_requester(void **state)
{
    (void)state;
    struct attempt_ring r[2], m;
    struct fw_addr host[2];
    assert_true(fw_addr_parse(&host[0], "198.51.100.10"));
    assert_true(fw_addr_parse(&host[1], "203.0.113.20"));
    const int64_t off = 100000000; /* the second capture's clock runs 100 s ahead */
    for (int v = 0; v < 2; v++)
        assert_int_equal(attempt_ring_init(&r[v], 8), 0);
    struct conn_record c;
    c = two_syn("203.0.113.20", "198.51.100.10", 40000, 1000000000, 0, "Sh");
    attempt_ring_add(&r[0], &c);
    c = two_syn("203.0.113.20", "198.51.100.10", 40000, (uint64_t)(1000000000 + off + 2000), 1,
                "S");
    attempt_ring_add(&r[1], &c);
    c = two_syn("198.51.100.10", "203.0.113.20", 40001, 2000000000, 0, "S");
    attempt_ring_add(&r[0], &c);
    c = two_syn("198.51.100.10", "203.0.113.20", 40001, 2000000000, 1, "S");
    attempt_ring_add(&r[1], &c);
    assert_int_equal(attempt_ring_merge(&m, &r[0], &r[1], off, host), 0);
    assert_int_equal(attempt_ring_count(&m), 3);
    /* 40000: 2 ms apart after the offset, one attempt, the second capture's copy (its host
     * 203.0.113.20 sent it), the first's view beside it, ordered on the first's clock. */
    const struct attempt *a = two_kept(&m, 40000, 1);
    assert_non_null(a);
    assert_null(two_kept(&m, 40000, 0));
    assert_int_equal(a->seen, 3);
    assert_string_equal(a->history, "S");
    assert_string_equal(a->other_history, "Sh");
    assert_int_equal(attempt_ring_order_us(&m, a), 1000002000);
    /* 40001: at the same clock time, 100 s apart after the offset: two attempts. */
    assert_int_equal(two_kept(&m, 40001, 0)->seen, 1);
    assert_int_equal(two_kept(&m, 40001, 1)->seen, 2);
    attempt_ring_fini(&m);
    /* Without the offset, the other way round. */
    assert_int_equal(attempt_ring_merge(&m, &r[0], &r[1], 0, host), 0);
    assert_int_equal(attempt_ring_count(&m), 3);
    assert_int_equal(two_kept(&m, 40001, 0)->seen, 3);
    assert_int_equal(two_kept(&m, 40000, 0)->seen, 1);
    assert_int_equal(two_kept(&m, 40000, 1)->seen, 2);
    attempt_ring_fini(&m);
    for (int v = 0; v < 2; v++)
        attempt_ring_fini(&r[v]);
}

#define DEMO_TEST(f) cmocka_unit_test_setup_teardown(f, two_demo_setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEMO_TEST(header_shows_both_capture_points),
        DEMO_TEST(title_fits_80_columns),
        cmocka_unit_test(short_paths_tell_the_captures_apart),
        DEMO_TEST(attempts_seen_by_both_listed_once),
        cmocka_unit_test_teardown(other_capture_view_where_it_fits, teardown),
        cmocka_unit_test_teardown(not_combined_says_so, teardown),
        cmocka_unit_test(merge_takes_the_offset_and_the_requester),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
