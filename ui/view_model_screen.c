/* ui/view_model_screen.c: view_model_build(): the lines of the screen, from the rows and the
 * selection that view_model.c keeps. Layout, top to bottom: the title bar and the newest
 * message (view_model_header.c), the change to make (view_model_changes.c: the answer first,
 * as the text report gives it), the host pair and the capture point or points, the pair, the
 * rows shown ("rows 1-10 of 20" when they do not all fit), the sort, filter and search, the
 * matrix (a '>' marks the selected row, so it reads without reverse video, a '*' the rows the
 * search matches), the lower pane (the evidence of the selected cell, view_model_evidence.c,
 * or its attempts, view_model_attempts.c), and the status line with the keys. The help, and
 * c's change to make, take the place of the matrix and the pane. Everything is ASCII and
 * clipped to the width, and no cell runs into the next column: all the cells take the longest
 * form that fits every one of them (view_cell_form_for()); the text is wrapped. The rule above
 * the lower pane is marked (VIEW_A_RULE) for tui.c to draw as a line where the terminal can.
 * Where the matrix and the evidence went is recorded, so that view_model_click() maps a click
 * back. */
#include "view_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const view_help[] = {
    "fwsight: keys",
    "  Up/Down, k/j      move in the matrix (or scroll the evidence)",
    "  Left/Right, h/l   the direction: A -> B or B -> A",
    "  PgUp/PgDn, g/G    a page up or down, the first or last row",
    "  Tab               matrix -> evidence -> attempts (lower pane shows either)",
    "  a                 attempts (time, 5-tuple, state, history): the cell's or all",
    "  Enter             show the evidence (or the attempts) on the whole screen",
    "  c                 the change to make whole: every rule, the tests to run",
    "  Esc               back to the matrix; again: clear the filter, then the search",
    "  /                 search the cells (service, port, address or verdict), as less",
    "  n / N             next / previous match (* marks the rows that match)",
    "  &                 filter the rows (service, protocol, port or verdict)",
    "  ] / [             next / previous host pair",
    "  s                 sort: profile order, by port, blocked first",
    "  p                 pause the display (live: the capture goes on)",
    "  w                 live: save the capture (from now on, or flush the -w file)",
    "  mouse click       with --mouse: select the cell or the pane under the pointer",
    "  ?                 this help; any key leaves it        q  quit",
    "",
    "Verdicts: OPEN the path works; CLOSED passes but nothing listens; DROPPED requests",
    "vanish; REPLY-DROPPED the answer was lost; REJECTED a firewall refused (names who);",
    "PARTIAL mixed; UNTESTED no attempt seen: the advice says which test to run from where.",
    "Narrow cells: RPL-DROP REPLY-DROPPED, UNREACH UNREACHABLE, INCONCL INCONCLUSIVE.",
};

static const char *const view_sort_name[VIEW_SORT_COUNT] = { "profile order", "port",
                                                             "blocked first" };

struct view_ctx {
    struct view_screen *out;
    int width;
};

int view_put(struct view_line *l, int width, int col, const char *s)
{
    for (; *s != '\0' && col < width; s++, col++)
        l->text[col] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    return col;
}

void view_span(struct view_line *l, int width, int col, int len, unsigned attr)
{
    if (l->nspans >= VIEW_MAX_SPANS || col >= width)
        return;
    if (col + len > width)
        len = width - col;
    l->span[l->nspans++] = (struct view_span){ col, len, attr };
}

static void view_clear(struct view_screen *out)
{
    for (int y = 0; y < out->height; y++) {
        memset(out->line[y].text, ' ', (size_t)out->width);
        out->line[y].text[out->width] = '\0';
        out->line[y].attr = 0;
        out->line[y].nspans = 0;
    }
}

/* The matrix: a header line then rows [sel->top, ...) in height lines from y. A cell gets cw - 1
 * columns: the last one of each stays blank, so no cell runs into the next. */
static void view_matrix(const struct view_sel *sel, const struct view_row *rows, size_t n,
                        const struct view_pair *pair, int y, int height, struct view_screen *out)
{
    int w = out->width, sw = w >= 120 ? 22 : 17; /* 17: "failover monitor" whole */
    int c0 = 2 + sw + 1 + 6 + 7, cw = (w - c0) / 2;
    if (cw > 44)
        cw = 44;
    enum view_cell_form form = view_cell_form_for(rows, n, cw - 1);
    struct view_line *hl = &out->line[y];
    view_put(hl, w, 2, "service");
    view_put(hl, w, 2 + sw + 1, "proto");
    view_put(hl, w, 2 + sw + 7, "port");
    view_put(hl, w, c0, "A -> B");
    view_put(hl, w, c0 + cw, "B -> A");
    hl->attr = VIEW_A_BOLD;
    out->rows_y = y + 1;
    out->cell_x = c0;
    out->cell_w = cw;
    out->top = sel->top;
    if (n == 0) {
        view_put(&out->line[y + 1], w, 2, sel->filter[0] != '\0' ? "no row matches the filter"
                                                               : "no verdict yet");
        return;
    }
    for (int i = 0; i + 1 < height && sel->top + (size_t)i < n; i++) {
        size_t r = sel->top + (size_t)i;
        out->rows_n = i + 1;
        struct view_line *l = &out->line[y + 1 + i];
        char port[8], cell[96], svc[64];
        view_port_text(rows[r].proto, rows[r].port, port, sizeof port);
        snprintf(svc, sizeof svc, "%.*s", sw - 1, view_row_service(&rows[r]));
        view_put(l, w, 0, r == sel->row ? ">" : " ");
        if (sel->search[0] != '\0' && (view_cell_matches(&rows[r], 0, pair, sel->search) ||
                                       view_cell_matches(&rows[r], 1, pair, sel->search)))
            view_put(l, w, 1, "*");
        view_put(l, w, 2, svc);
        view_put(l, w, 2 + sw + 1, verdict_proto_name(rows[r].proto));
        view_put(l, w, 2 + sw + 7, port);
        for (int d = 0; d < 2; d++) {
            int col = c0 + d * cw;
            /* Cut only when even the name alone is too long, which 80 columns never are. */
            view_cell_text(rows[r].cell[d], form, cell, (size_t)(cw > 1 && cw < 96 ? cw : 96));
            view_put(l, w, col, cell);
            unsigned attr = view_verdict_attr(rows[r].cell[d]);
            if (r == sel->row && d == sel->col)
                attr |= VIEW_A_REVERSE;
            view_span(l, w, col, (int)strlen(cell), attr);
        }
    }
}

static void view_status(const struct view_sel *sel, struct view_screen *out)
{
    struct view_line *l = &out->line[out->height - 1];
    char t[VIEW_PATH_LEN + 48];
    if (sel->prompting) {
        snprintf(t, sizeof t, "save the capture from now on to: %s_", sel->path);
        int col = view_put(l, out->width, 0, t);
        view_put(l, out->width, col + 3, "Enter save  Esc cancel");
    } else if (sel->msg[0] != '\0') {
        view_put(l, out->width, 0, sel->msg);
    } else if (sel->editing) {
        snprintf(t, sizeof t, "&%s_", sel->filter);
        int col = view_put(l, out->width, 0, t);
        view_put(l, out->width, col + 3, "Enter keep the filter  Esc clear it");
    } else if (sel->searching) {
        snprintf(t, sizeof t, "/%s_", sel->typed);
        int col = view_put(l, out->width, 0, t);
        view_put(l, out->width, col + 3, sel->search[0] != '\0' && sel->typed[0] == '\0'
                                             ? "Enter search again  Esc cancel"
                                             : "Enter search  Esc cancel");
    } else {
        /* 79 columns: the whole line at 80; wider terminals get the rest. */
        int col = view_put(l, out->width, 0, "q quit  ? help  Enter evidence  / search  n/N match"
                                             "  ]/[ pair  & filter  s sort");
        view_put(l, out->width, col, "  p pause  Esc back");
    }
    l->attr = VIEW_A_REVERSE;
}

/* The inverse of the layout below, from what the last build recorded in scr. */
enum view_action view_model_click(const struct view_screen *scr, struct view_sel *sel, int x,
                                  int y)
{
    if (sel->editing || sel->prompting || sel->help || x < 0 || y < 0 || y >= scr->height - 1)
        return VIEW_NONE;
    sel->msg[0] = '\0';
    if (y >= scr->rows_y && y < scr->rows_y + scr->rows_n) {
        sel->row = scr->top + (size_t)(y - scr->rows_y); /* the build clamps it to the rows */
        sel->top = scr->top;
        if (x >= scr->cell_x + scr->cell_w)
            sel->col = 1;
        else if (x >= scr->cell_x)
            sel->col = 0;
        sel->pane = VIEW_PANE_MATRIX;
        sel->scroll = 0;
        return VIEW_REDRAW;
    }
    if (scr->detail_y > 0 && y >= scr->detail_y) {
        sel->pane = VIEW_PANE_EVIDENCE;
        return VIEW_REDRAW;
    }
    return VIEW_NONE;
}

static void view_small(struct view_screen *out, int width, int height)
{
    char t[120];
    snprintf(t, sizeof t, "fwsight needs at least %dx%d (this terminal: %dx%d)",
             VIEW_MIN_WIDTH, VIEW_MIN_HEIGHT, width, height);
    view_put(&out->line[0], out->width, 0, t);
    if (out->height > 1)
        view_put(&out->line[1], out->width, 0, "enlarge it, or press q to quit");
}

/* The line above the matrix: the pair, the rows shown (where they stand when they do not all
 * fit, as less's "lines 1-10" does), the sort, the filter and the search with its matches. The
 * position comes first: at 80 columns what does not fit is the end of a long pattern. */
static void view_pair_line(const struct view_input *in, const struct view_sel *sel,
                           size_t npairs, size_t n, size_t shown, struct view_line *l, int w,
                           bool *oom)
{
    char t[300], rows[64], filter[VIEW_FILTER_LEN + 16] = "", search[VIEW_FILTER_LEN + 48] = "";
    if (n > shown && shown > 0)
        snprintf(rows, sizeof rows, "rows %zu-%zu of %zu", sel->top + 1,
                 sel->top + shown < n ? sel->top + shown : n, n);
    else
        snprintf(rows, sizeof rows, "%zu row%s", n, n == 1 ? "" : "s");
    if (sel->filter[0] != '\0')
        snprintf(filter, sizeof filter, "   filter: %s", sel->filter);
    if (sel->search[0] != '\0') {
        struct view_search_scan sc;
        view_search_count(in, sel, &sc, oom);
        if (sc.index > 0)
            snprintf(search, sizeof search, "   search: %s (%zu/%zu)", sel->search, sc.index,
                     sc.count);
        else
            snprintf(search, sizeof search, "   search: %s (%zu match%s)", sel->search,
                     sc.count, sc.count == 1 ? "" : "es");
    }
    snprintf(t, sizeof t, " pair %zu/%zu   %s   sort: %s%s%s", npairs > 0 ? sel->pair + 1 : 0,
             npairs, rows, view_sort_name[sel->sort], filter, search);
    view_put(l, w, 0, t);
}

/* The title of a lower pane between rules: "--" (or "==" where j/k go) before, '-' up to the
 * edge. Only the rules are marked, not the title: a service or a path may hold a '-'. */
void view_pane_rule(struct view_line *sep, int w, const char *title)
{
    int col = view_put(sep, w, 0, title);
    view_span(sep, w, 0, 2, VIEW_A_RULE);
    view_span(sep, w, col, w - col, VIEW_A_RULE);
    while (col < w)
        sep->text[col++] = '-';
    sep->attr = VIEW_A_BOLD;
}

int view_model_build(const struct view_input *in, struct view_sel *sel, int width, int height,
                     struct view_screen *out)
{
    out->width = width < 1 ? 1 : width > VIEW_MAX_WIDTH ? VIEW_MAX_WIDTH : width;
    out->height = height < 1 ? 1 : height > VIEW_MAX_HEIGHT ? VIEW_MAX_HEIGHT : height;
    view_clear(out);
    out->rows_y = out->rows_n = out->cell_x = out->cell_w = out->detail_y = 0;
    out->top = 0;
    if (width < VIEW_MIN_WIDTH || height < VIEW_MIN_HEIGHT) {
        view_small(out, width, height);
        return 0;
    }
    int w = out->width, h = out->height;
    size_t npairs = view_model_pairs(in->vc);
    if (sel->pair >= npairs)
        sel->pair = npairs > 0 ? npairs - 1 : 0;
    int hl = view_header(in, sel, out);
    view_status(sel, out);
    if (sel->changes && !sel->help)
        return view_changes_pane(in, sel, hl, h - 1 - hl, out);
    bool changes_oom = false;
    /* The answer first, as in the text report; the evidence or the help on the whole screen
     * leave it out. */
    if (!sel->zoom && !sel->help)
        hl += view_changes_block(in, hl, out, &changes_oom);
    struct view_pair pair;
    size_t n;
    bool oom;
    struct view_row *rows = view_rows_of(in, sel, &pair, &n, &oom);
    if (sel->row >= n)
        sel->row = n > 0 ? n - 1 : 0;
    hl += view_pair_head(in, &pair, npairs > 0, hl, out);
    int y = hl + 1, body = h - 1 - y;
    /* The matrix gets half the body (all its rows if they fit), the evidence the rest. */
    int mh = sel->zoom || sel->help ? 0 : body / 2 + 1;
    if (mh > 0 && (int)n + 1 < mh)
        mh = (int)n + 2;
    if (mh > 0) {
        size_t shown = (size_t)(mh - 1);
        if (sel->row < sel->top)
            sel->top = sel->row;
        else if (sel->row >= sel->top + shown)
            sel->top = sel->row + 1 - shown;
    }
    bool search_oom = false;
    view_pair_line(in, sel, npairs, n, mh > 0 ? (size_t)(mh - 1) : n, &out->line[hl], w,
                   &search_oom);
    if (oom || search_oom) {
        view_put(&out->line[hl + 2], w, 2, "out of memory: see the report (--report) instead");
        free(rows);
        return FW_ENOMEM;
    }
    if (sel->help) {
        for (int i = 0; i < body && i < (int)(sizeof view_help / sizeof view_help[0]); i++)
            view_put(&out->line[y + i], w, 1, view_help[i]);
        out->line[y].attr = VIEW_A_BOLD;
        free(rows);
        return 0;
    }
    if (mh > 0) {
        view_matrix(sel, rows, n, &pair, y, mh, out);
        y += mh;
    }
    char t[200];
    out->detail_y = y;
    int rc = 0, dh = h - 1 - (y + 1);
    if (sel->pane == VIEW_PANE_ATTEMPTS)
        view_attempts_pane(in, sel, n > 0 ? &rows[sel->row] : NULL, &pair, y + 1, dh, out, t,
                           sizeof t);
    else
        rc = view_evidence_pane(sel, n > 0 ? &rows[sel->row] : NULL, &pair, y + 1, dh, out, t,
                                sizeof t);
    view_pane_rule(&out->line[y], w, t);
    free(rows);
    return rc != 0 || changes_oom ? FW_ENOMEM : 0;
}
