/* ui/view_model_search_test.c: the keys as in less and the 80x24 layout, on the view model
 * without a terminal: / searches the cells, n and N go to the next and previous match (across
 * host pairs, wrapping around), the line above the matrix says which rows are shown when they
 * do not all fit, and at 80 columns no cell runs into the next column (the longest form that
 * fits every cell, the long verdict names abbreviated alike) and the evidence is wrapped, not
 * clipped. The captures are the demo (view_model_fixture.c) and the target's capture of
 * samples/reply-dropped-6320, whose REPLY-DROPPED cell did not fit 80 columns. */
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

static void type(struct demo *d, const char *s)
{
    for (; *s != '\0'; s++)
        key(d, (unsigned char)*s);
}

static int selected(const struct view_screen *s)
{
    for (int y = 0; y < s->height; y++)
        if (s->line[y].text[0] == '>')
            return y;
    return -1;
}

/* The demo has two DROPPED cells (tcp 6325 and icmp echo from A) and one REJECTED (445). */
static void slash_n_and_N_go_from_match_to_match(void **state)
{
    struct demo *d = *state;
    key(d, '/');
    type(d, "dropped");
    demo_build(d, 100, 30);
    assert_int_equal(screen_find(d->scr, "/dropped_"), 29);
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 100, 30);
    int y = selected(d->scr);
    assert_non_null(strstr(d->scr->line[y].text, "tcp   6325"));
    assert_int_equal(d->sel.col, 0);
    assert_true(screen_find(d->scr, "search: dropped (1/2)") ==
                screen_after_changes(d->scr) + 1);
    assert_true(screen_find(d->scr, "evidence: 198.51.100.10 -> 203.0.113.20 tcp 6325") > y);
    /* The rows that match are marked, and only those. */
    int marked = 0;
    for (int i = 0; i < 30; i++)
        marked += d->scr->line[i].text[1] == '*';
    assert_int_equal(marked, 2);
    key(d, 'n');
    demo_build(d, 100, 30);
    assert_non_null(strstr(d->scr->line[selected(d->scr)].text, "icmp  echo"));
    assert_true(screen_find(d->scr, "search: dropped (2/2)") ==
                screen_after_changes(d->scr) + 1);
    /* Past the last match: back to the first, and the status line says so. */
    key(d, 'n');
    demo_build(d, 100, 30);
    assert_non_null(strstr(d->scr->line[selected(d->scr)].text, "tcp   6325"));
    assert_true(screen_find(d->scr, "passed the last match") == 29);
    key(d, 'N');
    demo_build(d, 100, 30);
    assert_non_null(strstr(d->scr->line[selected(d->scr)].text, "icmp  echo"));
    key(d, 'N');
    demo_build(d, 100, 30);
    assert_non_null(strstr(d->scr->line[selected(d->scr)].text, "tcp   6325"));
    /* The other direction is a cell of its own: an address, then the B -> A cell's verdict. */
    key(d, '/');
    type(d, "203.0.113.20 -> 198.51");
    key(d, VIEW_KEY_ENTER);
    assert_int_equal(d->sel.col, 1);
    /* Esc at the prompt keeps the last search; nothing found says so and moves nothing. */
    key(d, '/');
    type(d, "zzz");
    key(d, VIEW_KEY_ESC);
    assert_string_equal(d->sel.search, "203.0.113.20 -> 198.51");
    size_t row = d->sel.row;
    key(d, '/');
    type(d, "NOSUCH");
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 100, 30);
    assert_true(screen_find(d->scr, "pattern not found: NOSUCH") == 29);
    assert_int_equal(d->sel.row, row);
    /* n is no longer the next pair; ] is. */
    assert_int_equal(d->sel.pair, 0);
    key(d, VIEW_KEY_ESC);
    assert_int_equal(d->sel.search[0], '\0');
}

/* The rows shown, when they do not all fit: at 80x24, under the change to make, the demo's 20
 * rows get 7 lines. */
static void scroll_position_when_the_matrix_does_not_fit(void **state)
{
    struct demo *d = *state;
    demo_build(d, 80, 24);
    int ph = screen_after_changes(d->scr) + 1;
    assert_true(ph > 3);
    assert_int_equal(screen_find(d->scr, " pair 1/1   rows 1-7 of 20   sort: profile order"),
                     ph);
    key(d, 'G');
    demo_build(d, 80, 24);
    assert_int_equal(screen_find(d->scr, " pair 1/1   rows 14-20 of 20"), ph);
    key(d, 'k');
    key(d, VIEW_KEY_PGUP);
    demo_build(d, 80, 24);
    assert_int_equal(screen_find(d->scr, " pair 1/1   rows 9-15 of 20"), ph);
    /* Everything fits: a count, no position. */
    demo_build(d, 200, 60);
    assert_int_equal(screen_find(d->scr, " pair 1/1   20 rows   sort"),
                     screen_after_changes(d->scr) + 1);
    assert_int_equal(screen_find(d->scr, "rows 1-"), -1);
}

/* At 80 columns: every line 80 long, every cell ends before the next column starts (its last
 * column blank), one form for all the cells, and the evidence wrapped inside the width. */
static void check_80_columns(const struct view_screen *s)
{
    assert_int_equal(s->width, 80);
    for (int y = 0; y < s->height; y++)
        assert_int_equal((int)strlen(s->line[y].text), 80);
    assert_true(s->rows_n > 0 && s->cell_w > 8);
    for (int y = s->rows_y; y < s->rows_y + s->rows_n; y++) {
        const char *l = s->line[y].text;
        for (int d = 0; d < 2; d++) {
            int end = s->cell_x + (d + 1) * s->cell_w - 1;
            assert_true(end < 80);
            assert_int_equal(l[end], ' ');
            assert_true(l[s->cell_x + d * s->cell_w] != ' ');
        }
        assert_int_equal(l[s->cell_x - 1], ' '); /* the port column ends before the cells */
    }
    for (int y = s->detail_y + 1; y < s->height - 1; y++)
        assert_int_equal(s->line[y].text[79], ' ');
    /* The change to make too is wrapped inside the width. */
    for (int y = 1; y < screen_after_changes(s); y++)
        assert_int_equal(s->line[y].text[79], ' ');
}

static void reply_dropped_fits_80_columns(void **state)
{
    struct demo *d = *state;
    analyzer_free(d->a);
    attempt_ring_fini(&d->attempts);
    assert_int_equal(attempt_ring_init(&d->attempts, 0), 0);
    d->a = analyzer_new(&d->cfg, NULL, NULL);
    assert_non_null(d->a);
    fixture_read(d->a, FW_SAMPLES_DIR "/reply-dropped-6320/target.pcap", 0);
    d->in.vc = analyzer_verdicts(d->a);
    demo_build(d, 80, 24);
    check_80_columns(d->scr);
    int y = screen_find(d->scr, "tcp   6320");
    assert_true(y > 3);
    /* Cut before ("REPLY-DROPPED 4 SYN 0"): now abbreviated, and the OPEN cell of the same
     * screen in the same short form. */
    assert_non_null(strstr(d->scr->line[y].text, "RPL-DROP 4 SYN 0 ans   OPEN 1 SYN 1 ans"));
    assert_null(strstr(d->scr->line[y].text, "answer"));
    assert_true(screen_find(d->scr, " REPLY-DROPPED (inferred), confidence") > y);
    /* A search finds it by its whole name too. */
    key(d, '/');
    type(d, "reply-dropped");
    key(d, VIEW_KEY_ENTER);
    demo_build(d, 80, 24);
    assert_true(screen_find(d->scr, "search: reply-dropped (1/1)") ==
                screen_after_changes(d->scr) + 1);
    /* Wider, the whole name and counts come back. */
    demo_build(d, 120, 30);
    assert_true(screen_find(d->scr, "REPLY-DROPPED 4 SYN, 0 answers") > 3);
    /* The demo at 80x24, each pane. */
}

static void demo_fits_80_columns(void **state)
{
    struct demo *d = *state;
    for (int i = 0; i < 20; i++) {
        demo_build(d, 80, 24);
        check_80_columns(d->scr);
        key(d, 'j');
    }
    key(d, 'l');
    demo_build(d, 80, 24);
    check_80_columns(d->scr);
}

#define DEMO_TEST(f) cmocka_unit_test_setup_teardown(f, demo_setup, demo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        DEMO_TEST(slash_n_and_N_go_from_match_to_match),
        DEMO_TEST(scroll_position_when_the_matrix_does_not_fit),
        DEMO_TEST(reply_dropped_fits_80_columns),
        DEMO_TEST(demo_fits_80_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
