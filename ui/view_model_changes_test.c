/* ui/view_model_changes_test.c: the change to make at the top of the view, on the view model
 * without a terminal: the demo's first screen at 80x24 opens with it (the required rules, the
 * rest counted with the key that shows it) and keeps the matrix; on a wide screen its lines
 * are the text report's "Change to make", word for word; c shows it whole, Esc goes back; a
 * capture with nothing blocked says so; and the block follows the verdicts as they settle, as
 * the live view rebuilds it. The captures are the demo (view_model_fixture.c) and
 * samples/all-open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view_model_fixture.h"

static void key(struct demo *d, int k)
{
    view_model_key(&d->in, &d->sel, k);
}

static void assert_line(const struct demo *d, int y, const char *want)
{
    char t[VIEW_MAX_WIDTH + 1];
    screen_trimmed(&d->scr->line[y], t, sizeof t);
    assert_string_equal(t, want);
}

/* The demo: TCP 6325 and ICMP echo dropped by a silent firewall (required), TCP 445 refused by
 * the one at 198.51.100.1 (optional), untested ports both ways. */
static void first_screen_at_80x24_opens_with_it(void **state)
{
    struct demo *d = *state;
    demo_build(d, 80, 24);
    assert_line(d, 1, " Change to make");
    assert_line(d, 2, "   On a firewall between them (it did not name itself), 198.51.100.10 ->");
    assert_line(d, 3, "     203.0.113.20:");
    assert_line(d, 4, "     open TCP 6325 (Double-Take, DROPPED, medium)");
    assert_line(d, 5, "     open ICMP echo (failover monitor, DROPPED, medium)");
    assert_line(d, 6, "   ... 1 more rule, 2 tests to run: c shows all");
    assert_int_equal(d->scr->line[1].attr, VIEW_A_BOLD);
    assert_int_equal(d->scr->line[4].attr, VIEW_A_BOLD);
    assert_int_equal(screen_after_changes(d->scr), 7);
    assert_int_equal(screen_find(d->scr, " A = 198.51.100.10  B = 203.0.113.20"), 7);
    /* The matrix still shows, with its dropped row, and the evidence under it. */
    assert_int_equal(d->scr->rows_n, 7);
    assert_true(screen_find(d->scr, "tcp   6325   DROPPED 4 SYN 0 ans") > 7);
    assert_true(d->scr->detail_y > d->scr->rows_y + d->scr->rows_n - 1);
    assert_int_equal(screen_find(d->scr, "q quit  ? help"), 23);
    for (int y = 0; y < 24; y++)
        assert_int_equal((int)strlen(d->scr->line[y].text), 80);
}

/* Wide, everything but the --rules hint fits: the lines are the report's own. */
static void the_report_s_words_on_a_wide_screen(void **state)
{
    struct demo *d = *state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(report_print_changes(f, d->in.vc, &d->cfg, &d->answer), 0);
    fclose(f);
    demo_build(d, 200, 60);
    assert_line(d, 1, " Change to make");
    int y = 2, lines = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
         l = strtok_r(NULL, "\n", &save)) {
        if (strcmp(l, "Change to make") == 0 || strstr(l, "--rules nftables") != NULL)
            continue;
        char want[VIEW_MAX_WIDTH + 2];
        snprintf(want, sizeof want, " %s", l);
        assert_line(d, y++, want);
        lines++;
    }
    free(text);
    assert_int_equal(lines, 9); /* 2 devices, 3 rules, 2 untested directions and their tests */
    assert_int_equal(screen_after_changes(d->scr), y);
    /* Required before optional. */
    assert_true(screen_find(d->scr, "open ICMP echo") < screen_find(d->scr, "optional, open TCP"));
}

static void c_shows_it_whole_and_esc_goes_back(void **state)
{
    struct demo *d = *state;
    key(d, 'c');
    demo_build(d, 80, 24);
    assert_true(strncmp(d->scr->line[1].text, "== change to make (c or Esc: back) ---", 38) == 0);
    assert_true(screen_find(d->scr, "optional, open TCP 445 (Directory, REJECTED, high)") > 1);
    assert_true(screen_find(d->scr, "fwsight test --peer 198.51.100.10 --ports") > 1);
    assert_true(screen_find(d->scr, "('fwsight analyze --rules") > 1);
    assert_int_equal(d->scr->rows_n, 0); /* no matrix under it */
    assert_int_equal(screen_find(d->scr, "q quit  ? help"), 23);
    /* Keys that act on the matrix do nothing here; the moves scroll (all of it fits: 0). */
    assert_int_equal(view_model_key(&d->in, &d->sel, 's'), VIEW_NONE);
    assert_int_equal(view_model_key(&d->in, &d->sel, 'j'), VIEW_REDRAW);
    demo_build(d, 80, 24);
    assert_int_equal(d->sel.scroll, 0);
    assert_int_equal(d->sel.sort, VIEW_SORT_PROFILE);
    assert_int_equal(view_model_key(&d->in, &d->sel, VIEW_KEY_ESC), VIEW_REDRAW);
    demo_build(d, 80, 24);
    assert_line(d, 1, " Change to make");
    assert_int_equal(d->scr->rows_n, 7);
    /* c toggles too. */
    key(d, 'c');
    key(d, 'c');
    assert_false(d->sel.changes);
    /* Enter (the evidence on the whole screen) and the help leave the block out. */
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 80, 24);
    assert_int_equal(screen_find(d->scr, " Change to make"), -1);
    assert_true(screen_find(d->scr, "== evidence: ") > 0);
}

static void nothing_to_change_says_so(void **state)
{
    struct demo *d = *state;
    analyzer_free(d->a);
    d->a = analyzer_new(&d->cfg, NULL, NULL);
    assert_non_null(d->a);
    fixture_read(d->a, FW_SAMPLES_DIR "/all-open/source.pcap", 0);
    d->in.vc = analyzer_verdicts(d->a);
    demo_build(d, 80, 24);
    assert_line(d, 1, " Change to make");
    assert_line(d, 2, "   None: no port was found blocked by a firewall.");
    assert_true(screen_find(d->scr, "tcp   6320   OPEN") > 2);
}

/* Live, the screen is built again as verdicts settle: nothing yet, then the rules. */
static void it_follows_the_verdicts(void **state)
{
    struct demo *d = *state;
    analyzer_free(d->a);
    d->a = analyzer_new(&d->cfg, NULL, NULL);
    assert_non_null(d->a);
    d->in.vc = analyzer_verdicts(d->a);
    demo_build(d, 100, 30);
    assert_line(d, 2, "   None: no port was found blocked by a firewall.");
    fixture_read(d->a, FW_SAMPLES_DIR "/demo/source.pcap.gz", 0);
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, "None: no port"), -1);
    assert_line(d, 3, "     open TCP 6325 (Double-Take, DROPPED, medium)");
}

#define DEMO_TEST(f) cmocka_unit_test_setup_teardown(f, demo_setup, demo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEMO_TEST(first_screen_at_80x24_opens_with_it),
        DEMO_TEST(the_report_s_words_on_a_wide_screen),
        DEMO_TEST(c_shows_it_whole_and_esc_goes_back),
        DEMO_TEST(nothing_to_change_says_so),
        DEMO_TEST(it_follows_the_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
