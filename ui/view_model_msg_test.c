/* ui/view_model_msg_test.c: the message line of the interactive view. A message the run prints
 * while the view is up is kept (msg.h) and shown on a line of its own under the header: the
 * newest, with how many came before it, one ASCII line clipped to the width; the layout below
 * moves down by that line and clicks still land where they were painted. The analysis is the
 * demo capture's (view_model_fixture.c), as in view_model_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "msg.h"
#include "view_model_fixture.h"

static void no_message_no_line(void **state)
{
    struct demo *d = *state;
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, " Change to make"), 1); /* right under the title */
    int pair = screen_find(d->scr, " pair 1/1");
    assert_int_equal(pair, screen_after_changes(d->scr) + 1);
    d->in.message = "warning: ignored without a count";
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, " Change to make"), 1);
    assert_int_equal(screen_find(d->scr, " pair 1/1"), pair);
    assert_int_equal(screen_find(d->scr, "ignored"), -1);
}

static void the_newest_under_the_header(void **state)
{
    struct demo *d = *state;
    char t[VIEW_MAX_WIDTH + 1];
    demo_build(d, 100, 30);
    int rows_y = d->scr->rows_y, pair = screen_find(d->scr, " pair 1/1");
    d->in.message = "warning: a.pcap: packet 43: captured length 98 above the length on the "
                    "wire 97 (skipped) (1 bad records skipped in all)";
    d->in.nmessages = 1;
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, "fwsight  analyze source.pcap.gz"), 0);
    screen_trimmed(&d->scr->line[1], t, sizeof t);
    assert_string_equal(t, " warning: a.pcap: packet 43: captured length 98 above the length on "
                           "the wire 97 (skipped) (1 bad rec");
    assert_int_equal((int)strlen(d->scr->line[1].text), 100);
    assert_int_equal(d->scr->line[1].attr, VIEW_A_BOLD | VIEW_A_WARN);
    assert_int_equal(d->scr->line[1].nspans, 0);
    /* Everything below moves down by one, the change to make first; the status line stays the
     * last. */
    assert_int_equal(screen_find(d->scr, " Change to make"), 2);
    assert_int_equal(screen_find(d->scr, " pair 1/1"), pair + 1);
    assert_int_equal(d->scr->rows_y, rows_y + 1);
    assert_int_equal(screen_find(d->scr, "-- evidence: "), d->scr->detail_y);
    assert_int_equal(screen_find(d->scr, "q quit  ? help"), 29);

    /* Three kept: the newest, and how many came before it. */
    d->in.message = "fwsight: writing the capture failed: No space left on device";
    d->in.nmessages = 3;
    demo_build(d, 100, 30);
    screen_trimmed(&d->scr->line[1], t, sizeof t);
    assert_string_equal(t, " (+2 earlier) fwsight: writing the capture failed: No space left on "
                           "device");
}

static void a_click_lands_where_it_was_painted(void **state)
{
    struct demo *d = *state;
    d->in.message = "warning: something";
    d->in.nmessages = 1;
    demo_build(d, 100, 30);
    int y = screen_find(d->scr, "udp   6320");
    assert_true(y > d->scr->rows_y);
    assert_int_equal(view_model_click(d->scr, &d->sel, d->scr->cell_x + d->scr->cell_w + 1, y),
                     VIEW_REDRAW);
    demo_build(d, 100, 30);
    assert_int_equal(d->scr->line[y].text[0], '>');
    assert_int_equal(d->sel.col, 1);
    /* A click on the message line, or on the change to make, selects nothing. */
    assert_int_equal(view_model_click(d->scr, &d->sel, 5, 1), VIEW_NONE);
    assert_int_equal(view_model_click(d->scr, &d->sel, 5, 3), VIEW_NONE);
}

static void every_width_and_byte(void **state)
{
    struct demo *d = *state;
    char longer[600];
    memset(longer, 'y', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "w\x1b[1m\xc3\xa9", 7);
    d->in.message = longer;
    d->in.nmessages = 1000000;
    for (int w = 80; w <= 400; w += 160) {
        demo_build(d, w, 24);
        const char *l = d->scr->line[1].text;
        assert_int_equal((int)strlen(l), w);
        assert_memory_equal(l, " (+999999 earlier) w?[1m??yyy", 29);
        for (int x = 0; x < w; x++)
            assert_true(l[x] >= 0x20 && l[x] < 0x7f);
        assert_int_equal(screen_find(d->scr, "q quit"), 23);
    }
    /* The message under the title, two captures' extra line under the pair. */
    struct verdict_capture_point cp = {0};
    struct correlate_result corr = {0};
    struct view_two two = { { &cp, &cp }, &corr, false };
    d->in.two = &two;
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, " (+999999 earlier) w?"), 1);
    int ab = screen_after_changes(d->scr);
    assert_int_equal(screen_find(d->scr, " A = 198.51.100.10"), ab);
    assert_int_equal(screen_find(d->scr, " captures: 1 at"), ab + 1);
    assert_int_equal(screen_find(d->scr, " pair 1/1"), ab + 2);
}

/* What tui_paint() does: the sink's newest and count into the input. */
static void the_sink_feeds_the_line(void **state)
{
    struct demo *d = *state;
    char last[VIEW_MAX_WIDTH + 1], t[VIEW_MAX_WIDTH + 1];
    FILE *err = tmpfile();
    assert_non_null(err);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0 && dup2(fileno(err), STDERR_FILENO) >= 0);
    msg_hold();
    msg_printf("fwsight: warning: %s\n", "x.pcap stays root's: cannot give it to nobody");
    msg_printf("fwsight: warning: %s (%d bad records skipped in all)\n", "b.pcap: packet 9", 1);
    d->in.nmessages = msg_last(last, sizeof last);
    d->in.message = last;
    demo_build(d, 100, 30);
    assert_int_equal(lseek(STDERR_FILENO, 0, SEEK_END), 0); /* nothing printed yet */
    msg_release();
    fflush(stderr);
    char got[200] = "";
    assert_true(pread(STDERR_FILENO, got, sizeof got - 1, 0) > 0);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(err);
    screen_trimmed(&d->scr->line[1], t, sizeof t);
    assert_string_equal(t, " (+1 earlier) warning: b.pcap: packet 9 (1 bad records skipped in "
                           "all)");
    assert_string_equal(got, "fwsight: warning: x.pcap stays root's: cannot give it to nobody\n"
                             "fwsight: warning: b.pcap: packet 9 (1 bad records skipped in "
                             "all)\n");
}

#define DEMO_TEST(f) cmocka_unit_test_setup_teardown(f, demo_setup, demo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEMO_TEST(no_message_no_line),
        DEMO_TEST(the_newest_under_the_header),
        DEMO_TEST(a_click_lands_where_it_was_painted),
        DEMO_TEST(every_width_and_byte),
        DEMO_TEST(the_sink_feeds_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
