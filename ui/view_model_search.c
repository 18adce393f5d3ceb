/* ui/view_model_search.c: the view's search, as in less: '/' and a pattern, then n and N for
 * the next and previous match. A match is a cell (one direction of one port of one host pair)
 * whose text holds the pattern, in any case: its service, protocol and port, both addresses,
 * the verdict's name (whole and abbreviated) and its counts. The matches are taken in the order
 * the screen shows them (pair, then row as sorted and filtered, then A -> B before B -> A), and
 * the search goes on past the last one from the first, saying so. The prompt's keys and the
 * moves are here; marking the matching rows and showing "3/7" is view_model_screen.c's. */
#include "view_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a cell stands in the order of the matches. */
struct view_pos {
    size_t pair, row;
    int dir;
};

static int view_pos_cmp(const struct view_pos *a, const struct view_pos *b)
{
    if (a->pair != b->pair)
        return a->pair < b->pair ? -1 : 1;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return a->dir - b->dir;
}

bool view_cell_matches(const struct view_row *r, int dir, const struct view_pair *pair,
                       const char *pattern)
{
    char text[400], port[8], from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], cell[96];
    const struct verdict_item *it = r->cell[dir];
    view_port_text(r->proto, r->port, port, sizeof port);
    fw_addr_format(dir == 0 ? &pair->a : &pair->b, from, sizeof from);
    fw_addr_format(dir == 0 ? &pair->b : &pair->a, to, sizeof to);
    view_cell_text(it, VIEW_CELL_LONG, cell, sizeof cell);
    snprintf(text, sizeof text, "%s %s %s %s -> %s %s %s", view_row_service(r),
             verdict_proto_name(r->proto), port, from, to, cell,
             it != NULL ? view_verdict_abbr(it->v.kind) : "");
    return view_text_contains(text, pattern);
}

/* One walk over every cell in order: the matches around the selected cell. A linear pass over
 * the collector (its pairs are runs of items), one sort per pair, done per key or repaint only
 * while a search is set. */
struct view_walk {
    struct view_pos cur;
    bool has_first, has_next, has_prev;
    struct view_pos first, last, next, prev; /* next: after cur (or at it, with here) */
    size_t count, index;
};

static bool view_walk(const struct view_input *in, const struct view_sel *sel, bool here,
                      struct view_walk *w)
{
    memset(w, 0, sizeof *w);
    w->cur = (struct view_pos){ sel->pair, sel->row, sel->col };
    size_t n = in->vc != NULL ? verdict_count(in->vc) : 0, i = 0;
    for (size_t p = 0; i < n; p++) {
        struct view_pair pair;
        if (!view_pair_at_from(in->vc, i, &pair))
            break;
        i = pair.end;
        size_t nrows;
        bool oom;
        struct view_row *rows = view_rows_of_pair(in, sel, &pair, &nrows, &oom);
        if (oom)
            return false;
        for (size_t r = 0; r < nrows; r++) {
            for (int d = 0; d < 2; d++) {
                if (!view_cell_matches(&rows[r], d, &pair, sel->search))
                    continue;
                struct view_pos at = { p, r, d };
                int c = view_pos_cmp(&at, &w->cur);
                w->count++;
                if (c == 0)
                    w->index = w->count;
                if (!w->has_first)
                    w->first = at;
                w->has_first = true;
                w->last = at;
                if (c < 0) {
                    w->prev = at;
                    w->has_prev = true;
                }
                if (!w->has_next && (c > 0 || (here && c == 0))) {
                    w->next = at;
                    w->has_next = true;
                }
            }
        }
        free(rows);
    }
    return true;
}

void view_search_count(const struct view_input *in, const struct view_sel *sel,
                       struct view_search_scan *out, bool *oom)
{
    struct view_walk w;
    *out = (struct view_search_scan){ 0, 0 };
    *oom = false;
    if (sel->search[0] == '\0')
        return;
    if (!view_walk(in, sel, false, &w)) {
        *oom = true;
        return;
    }
    *out = (struct view_search_scan){ w.count, w.index };
}

void view_search_step(const struct view_input *in, struct view_sel *sel, bool back, bool here)
{
    struct view_walk w;
    if (sel->search[0] == '\0') {
        snprintf(sel->msg, sizeof sel->msg, "no search yet: / and a pattern");
        return;
    }
    if (!view_walk(in, sel, here, &w)) {
        snprintf(sel->msg, sizeof sel->msg, "out of memory: search not done");
        return;
    }
    if (w.count == 0) {
        snprintf(sel->msg, sizeof sel->msg, "pattern not found: %s", sel->search);
        return;
    }
    struct view_pos to;
    if (back ? w.has_prev : w.has_next) {
        to = back ? w.prev : w.next;
    } else {
        to = back ? w.last : w.first;
        if (w.count > 1 || w.index == 0)
            snprintf(sel->msg, sizeof sel->msg, "%s", back ? "search passed the first match: "
                     "went on from the last" : "search passed the last match: went on from "
                     "the first");
    }
    if (to.pair != sel->pair)
        sel->top = 0;
    sel->pair = to.pair;
    sel->row = to.row;
    sel->col = to.dir;
    sel->scroll = 0;
}

/* The pattern being typed after '/': Enter searches from the selected cell on (Enter alone:
 * the last pattern again, as less does), Esc cancels and keeps the last pattern. */
enum view_action view_key_search(const struct view_input *in, struct view_sel *sel, int key)
{
    size_t len = strlen(sel->typed);
    if (key == VIEW_KEY_ENTER) {
        sel->searching = false;
        if (len > 0)
            snprintf(sel->search, sizeof sel->search, "%s", sel->typed);
        view_search_step(in, sel, false, len > 0);
    } else if (key == VIEW_KEY_ESC) {
        sel->searching = false;
    } else if (key == VIEW_KEY_BACKSPACE) {
        if (len == 0)
            sel->searching = false; /* as in less: backspace on an empty prompt leaves it */
        else
            sel->typed[len - 1] = '\0';
    } else if (key >= 0x20 && key < 0x7f && len + 1 < sizeof sel->typed) {
        sel->typed[len] = (char)key;
        sel->typed[len + 1] = '\0';
    } else {
        return VIEW_NONE;
    }
    return VIEW_REDRAW;
}
