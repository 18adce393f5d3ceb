/* ui/view_model_test.c: the interactive view's screen without a terminal. The analysis is
 * real: samples/demo/source.pcap.gz read by capture/cap_file into the analyzer with the
 * double-take profile, as `fwsight analyze --ui` does (view_model_fixture.c); the tests read
 * the lines the view model builds and press its keys. Painting them with curses is tui.c's
 * (tests/tui/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view_model_fixture.h"

/* The selected matrix row: the one marked '>' in its first column. */
static int selected(const struct view_screen *s)
{
    for (int y = 0; y < s->height; y++)
        if (s->line[y].text[0] == '>')
            return y;
    return -1;
}

static void key(struct demo *d, int k)
{
    view_model_key(&d->in, &d->sel, k);
}

static void matrix_cells_carry_the_verdicts(void **state)
{
    struct demo *d = *state;
    demo_build(d, 100, 30);
    assert_int_equal(d->scr->width, 100);
    assert_true(screen_find(d->scr, "fwsight  analyze source.pcap.gz  profile double-take") == 0);
    /* The change to make first, under the title; the pair over the matrix. */
    assert_int_equal(screen_find(d->scr, " Change to make"), 1);
    int ab = screen_after_changes(d->scr);
    assert_true(ab > 2);
    assert_int_equal(screen_find(d->scr, "capture: 198.51.100.10 (inferred, high)"), ab);
    assert_int_equal(screen_find(d->scr, "A = 198.51.100.10  B = 203.0.113.20"), ab);
    /* The profile's order: Double-Take first, its tcp 6325 dropped from A with retransmits. */
    int y = screen_find(d->scr, "tcp   6325");
    assert_true(y > 3);
    assert_non_null(strstr(d->scr->line[y].text, "Double-Take"));
    assert_non_null(strstr(d->scr->line[y].text, "DROPPED 4 SYN, 0 answers"));
    assert_non_null(strstr(d->scr->line[y].text, "OPEN"));
    y = screen_find(d->scr, "icmp  echo");
    assert_non_null(strstr(d->scr->line[y].text, "DROPPED 3 ping, 0 answers"));
    /* Rows in the report's order (report_matrix_rank): a service's TCP ports, then its UDP
     * ports, then the next service. */
    int t6326 = screen_find(d->scr, "tcp   6326"), u6320 = screen_find(d->scr, "udp   6320");
    assert_true(screen_find(d->scr, "tcp   6325") < t6326 && t6326 < u6320 && u6320 < y);
    /* The first row is selected: marked in the text, its A -> B cell in reverse video. */
    y = screen_find(d->scr, "> Double-Take");
    assert_true(y > 3);
    assert_non_null(strstr(d->scr->line[y].text, "6320"));
    bool rev = false;
    for (int i = 0; i < d->scr->line[y].nspans; i++)
        rev = rev || (d->scr->line[y].span[i].attr & VIEW_A_REVERSE) != 0;
    assert_true(rev);
    assert_true(screen_find(d->scr, "q quit  ? help") == 29);
}

static void enter_shows_the_evidence_of_the_cell(void **state)
{
    struct demo *d = *state;
    demo_build(d, 100, 30);
    while (strstr(d->scr->line[selected(d->scr)].text, "DROPPED 4 SYN") == NULL) {
        size_t before = d->sel.row;
        key(d, 'j');
        assert_true(d->sel.row == before + 1);
        demo_build(d, 100, 30);
    }
    assert_true(screen_find(d->scr, "evidence: 198.51.100.10 -> 203.0.113.20 tcp 6325") > 0);
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, "6320"), -1); /* zoomed: the matrix is gone */
    assert_true(screen_find(d->scr, "DROPPED, confidence medium, answered by nobody") > 0);
    assert_true(screen_find(d->scr, "frame 5") > 0);
    assert_true(screen_find(d->scr, "advice: open TCP 6325 from 198.51.100.10") > 0);
    key(d, VIEW_KEY_ESC);
    demo_build(d, 100, 30);
    assert_true(screen_find(d->scr, "6320") > 0);
    /* The other direction answered. */
    key(d, 'l');
    demo_build(d, 100, 30);
    assert_true(screen_find(d->scr, "evidence: 203.0.113.20 -> 198.51.100.10 tcp 6325") > 0);
    assert_true(screen_find(d->scr, "OPEN, confidence") > 0);
}

/* Tab goes on to the attempts of the cell: the dropped SYNs of tcp 6325, never answered (S0);
 * a lists every attempt, newest first. */
static void attempts_of_the_cell_or_all(void **state)
{
    struct demo *d = *state;
    demo_build(d, 80, 24);
    while (strstr(d->scr->line[selected(d->scr)].text, "6325") == NULL) {
        key(d, 'j');
        demo_build(d, 80, 24);
    }
    key(d, VIEW_KEY_TAB);
    key(d, VIEW_KEY_TAB);
    assert_int_equal(d->sel.pane, VIEW_PANE_ATTEMPTS);
    demo_build(d, 80, 24);
    int y = screen_find(d->scr, "== attempts: 198.51.100.10 -> 203.0.113.20 tcp 6325");
    assert_true(y > 3);
    const char *l = d->scr->line[y + 1].text;
    assert_non_null(strstr(l, " 198.51.100.10:"));
    assert_non_null(strstr(l, " -> 203.0.113.20:6325  S0  S"));
    assert_true(l[3] == ':' && l[6] == ':' && l[9] == '.'); /* " HH:MM:SS.mmm" */
    for (int i = y + 1; i < 23; i++)
        assert_true(d->scr->line[i].text[1] == ' ' || strstr(d->scr->line[i].text, ":6325  ")
                    != NULL);
    key(d, 'a');
    demo_build(d, 80, 24);
    y = screen_find(d->scr, "== attempts: all, ");
    assert_true(y > 3);
    size_t all = attempt_ring_count(&d->attempts);
    assert_true(all > 4);
    /* Newest first: the times do not go up. */
    for (int i = y + 2; i < 23 && d->scr->line[i].text[1] != ' '; i++)
        assert_true(strncmp(d->scr->line[i].text, d->scr->line[i - 1].text, 13) <= 0);
    key(d, 'G');
    demo_build(d, 80, 24);
    assert_true(d->sel.scroll > 0 || all <= 19);
    key(d, VIEW_KEY_TAB);
    assert_int_equal(d->sel.pane, VIEW_PANE_MATRIX);
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "-- evidence:") > 3);
}

static void filter_narrows_the_rows(void **state)
{
    struct demo *d = *state;
    key(d, '&');
    for (const char *p = "rej"; *p != '\0'; p++)
        key(d, *p);
    demo_build(d, 100, 30);
    assert_true(screen_find(d->scr, "&rej_") == 29);
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 100, 30);
    assert_int_equal(view_model_rows(&d->in, &d->sel), 1);
    assert_true(screen_find(d->scr, "1 row   sort: profile order   filter: rej") ==
                screen_after_changes(d->scr) + 1);
    int y = screen_find(d->scr, "> Directory");
    assert_true(y > 0);
    assert_non_null(strstr(d->scr->line[y].text, "REJECTED 1 SYN, 0 answers"));
    assert_int_equal(screen_find(d->scr, "6320"), -1);
    key(d, VIEW_KEY_ESC);
    assert_int_equal(d->sel.filter[0], '\0');
    assert_true(view_model_rows(&d->in, &d->sel) > 10);
    /* Sorted blocked first: the rejected port leads. */
    key(d, 's');
    key(d, 's');
    demo_build(d, 100, 30);
    assert_non_null(strstr(d->scr->line[selected(d->scr)].text, "REJECTED"));
}

static void pairs_wrap_around(void **state)
{
    struct demo *d = *state;
    size_t n = view_model_pairs(d->in.vc);
    assert_true(n >= 1);
    key(d, ']');
    assert_int_equal(d->sel.pair, n > 1 ? 1 : 0);
    key(d, '[');
    assert_int_equal(d->sel.pair, 0);
    key(d, '[');
    assert_int_equal(d->sel.pair, n - 1);
    demo_build(d, 100, 30);
    char want[32];
    snprintf(want, sizeof want, "pair %zu/%zu", n, n);
    assert_true(screen_find(d->scr, want) == screen_after_changes(d->scr) + 1);
}

static void help_and_quit(void **state)
{
    struct demo *d = *state;
    key(d, '?');
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "fwsight: keys") > 0);
    assert_true(screen_find(d->scr, "next / previous host pair") > 0);
    key(d, 'x');
    demo_build(d, 80, 24);
    assert_int_equal(screen_find(d->scr, "fwsight: keys"), -1);
    key(d, 'p');
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "[PAUSED]") == 0);
    assert_int_equal(view_model_key(&d->in, &d->sel, 'q'), VIEW_QUIT);
}

static void sizes_small_and_large(void **state)
{
    struct demo *d = *state;
    demo_build(d, 60, 20);
    assert_true(screen_find(d->scr, "needs at least 80x24") == 0);
    demo_build(d, 80, 24);
    for (int y = 0; y < 24; y++)
        assert_int_equal((int)strlen(d->scr->line[y].text), 80);
    assert_true(screen_find(d->scr, "DROPPED") > 0);
    demo_build(d, 200, 60);
    assert_true(screen_find(d->scr, "ESX") > 0); /* every row fits, the last one too */
    demo_build(d, 1000, 500);
    assert_int_equal(d->scr->width, VIEW_MAX_WIDTH);
    assert_int_equal(d->scr->height, VIEW_MAX_HEIGHT);
    /* Moving far down keeps the selected row on the screen. */
    key(d, 'G');
    demo_build(d, 80, 24);
    assert_true(selected(d->scr) > 3);
}

/* A click maps the screen as last built back to a selection: the row and the direction under
 * the pointer, the evidence pane below the matrix; nothing on the title or status lines. */
static void click_selects_the_cell_under_the_pointer(void **state)
{
    struct demo *d = *state;
    demo_build(d, 100, 30);
    int y = screen_find(d->scr, "tcp   6325");
    assert_true(y > 3);
    int x = d->scr->cell_x + d->scr->cell_w + 1; /* in the B -> A column */
    assert_int_equal(view_model_click(d->scr, &d->sel, x, y), VIEW_REDRAW);
    demo_build(d, 100, 30);
    assert_int_equal(selected(d->scr), y);
    assert_int_equal(d->sel.col, 1);
    assert_true(screen_find(d->scr, "evidence: 203.0.113.20 -> 198.51.100.10 tcp 6325") > 0);
    assert_int_equal(view_model_click(d->scr, &d->sel, d->scr->cell_x, y), VIEW_REDRAW);
    assert_int_equal(d->sel.col, 0);
    assert_int_equal(view_model_click(d->scr, &d->sel, 5, d->scr->detail_y + 2), VIEW_REDRAW);
    assert_int_equal(d->sel.pane, VIEW_PANE_EVIDENCE);
    demo_build(d, 100, 30);
    assert_true(screen_find(d->scr, "== evidence:") > 0);
    size_t row = d->sel.row;
    assert_int_equal(view_model_click(d->scr, &d->sel, 5, 0), VIEW_NONE);
    assert_int_equal(view_model_click(d->scr, &d->sel, 5, 29), VIEW_NONE);
    assert_int_equal(d->sel.row, row);
    d->sel.editing = true;
    assert_int_equal(view_model_click(d->scr, &d->sel, x, y), VIEW_NONE);
}

/* w: offline it names the file; live with a file it hands over; without, a prompt for a path
 * that Enter hands over and Esc cancels. */
static void w_saves_or_says_why_not(void **state)
{
    struct demo *d = *state;
    d->in.on_disk = "source.pcap.gz";
    key(d, 'w');
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "capture already on disk: source.pcap.gz") == 23);
    key(d, 'j');
    demo_build(d, 80, 24);
    assert_int_equal(screen_find(d->scr, "already on disk"), -1);
    d->in.on_disk = NULL;
    d->in.saving = true;
    assert_int_equal(view_model_key(&d->in, &d->sel, 'w'), VIEW_SAVE);
    d->in.saving = false;
    key(d, 'w');
    assert_true(d->sel.prompting);
    for (const char *p = "/tmp/xq"; *p != '\0'; p++)
        key(d, *p);
    key(d, VIEW_KEY_BACKSPACE);
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "save the capture from now on to: /tmp/x_") == 23);
    assert_int_equal(view_model_key(&d->in, &d->sel, VIEW_KEY_ENTER), VIEW_SAVE);
    assert_string_equal(d->sel.path, "/tmp/x");
    assert_false(d->sel.prompting);
    key(d, 'w');
    key(d, 'q'); /* typed into the path, not quitting */
    assert_int_equal(view_model_key(&d->in, &d->sel, VIEW_KEY_ESC), VIEW_REDRAW);
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "not saved") == 23);
}

/* Is column x of line y in a span marked as a rule? */
static bool in_rule(const struct view_screen *s, int y, int x)
{
    const struct view_line *l = &s->line[y];
    for (int i = 0; i < l->nspans; i++)
        if ((l->span[i].attr & VIEW_A_RULE) && x >= l->span[i].col &&
            x < l->span[i].col + l->span[i].len)
            return true;
    return false;
}

/* The rule above the lower pane is marked for box drawing, and only its '-' and '=': the
 * title between them ("Double-Take", "->") stays text. */
static void rules_are_marked_and_titles_are_not(void **state)
{
    struct demo *d = *state;
    const char *titles[] = { "-- evidence: ", "== evidence: ", "== attempts: " };
    for (int k = 0; k < 3; k++) {
        if (k > 0)
            key(d, VIEW_KEY_TAB);
        demo_build(d, 80, 24);
        int y = screen_find(d->scr, titles[k]);
        assert_true(y > 3);
        const char *text = d->scr->line[y].text;
        int end = (int)(strrchr(text, ' ') - text) + 1; /* the title ends with a space */
        assert_true(end > 20 && end < 80);
        for (int x = 0; x < 80; x++)
            assert_int_equal(in_rule(d->scr, y, x), x < 2 || x >= end);
        assert_true(strchr("-=", text[0]) != NULL && text[1] == text[0]);
        for (int x = end; x < 80; x++)
            assert_int_equal(text[x], '-');
    }
    assert_non_null(strstr(d->scr->line[screen_find(d->scr, "== attempts: ")].text, " -> "));
    for (int y = 0; y < 24; y++)
        if (y != screen_find(d->scr, "== attempts: "))
            for (int x = 0; x < 80; x++)
                assert_false(in_rule(d->scr, y, x));
}

/* Names from the command line and profile files reach the screen: escape sequences and UTF-8
 * in them become '?', so every byte painted is printable ASCII in every view. */
static void every_byte_on_screen_is_printable_ascii(void **state)
{
    struct demo *d = *state;
    d->in.title = "analyze \x1b]0;owned\x07\x1b[2J\xe2\x94\x80.pcap\r\n";
    d->in.profile = "lab\x9b" "31m\t";
    const int keys[] = { 0, VIEW_KEY_TAB, VIEW_KEY_TAB, 'a', VIEW_KEY_ENTER, '?' };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (keys[k] != 0)
            key(d, keys[k]);
        snprintf(d->sel.msg, sizeof d->sel.msg, "saved to /tmp/\x1b[1m\xc3\xa9");
        demo_build(d, 100, 30);
        for (int y = 0; y < 30; y++) {
            const char *t = d->scr->line[y].text;
            assert_int_equal(strlen(t), 100);
            for (int x = 0; x < 100; x++)
                assert_true(t[x] >= 0x20 && t[x] < 0x7f);
        }
    }
    assert_true(screen_find(d->scr, "analyze ?]0;owned??[2J???.pcap??") == 0);
    assert_true(screen_find(d->scr, "saved to /tmp/?[1m??") == 29);
}

static void no_analysis_is_a_screen_too(void **state)
{
    (void)state;
    struct view_input in = { .title = "live eth0", .has_drops = true, .kernel_drops = 7 };
    struct view_sel sel = {0};
    struct view_screen *s = malloc(sizeof *s);
    assert_non_null(s);
    assert_int_equal(view_model_build(&in, &sel, 80, 24, s), 0);
    assert_true(screen_find(s, "kernel drops 7") == 0);
    assert_true(screen_find(s, "no verdict yet") > 0);
    assert_int_equal(view_model_key(&in, &sel, 'j'), VIEW_REDRAW);
    assert_int_equal(view_model_key(&in, &sel, 'n'), VIEW_REDRAW);
    assert_int_equal(view_model_key(&in, &sel, VIEW_KEY_ENTER), VIEW_REDRAW);
    assert_int_equal(view_model_build(&in, &sel, 80, 24, s), 0);
    free(s);
}

#define DEMO_TEST(f) cmocka_unit_test_setup_teardown(f, demo_setup, demo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEMO_TEST(matrix_cells_carry_the_verdicts),
        DEMO_TEST(enter_shows_the_evidence_of_the_cell),
        DEMO_TEST(attempts_of_the_cell_or_all),
        DEMO_TEST(filter_narrows_the_rows),
        DEMO_TEST(pairs_wrap_around),
        DEMO_TEST(help_and_quit),
        DEMO_TEST(sizes_small_and_large),
        DEMO_TEST(click_selects_the_cell_under_the_pointer),
        DEMO_TEST(w_saves_or_says_why_not),
        DEMO_TEST(rules_are_marked_and_titles_are_not),
        DEMO_TEST(every_byte_on_screen_is_printable_ascii),
        cmocka_unit_test(no_analysis_is_a_screen_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
