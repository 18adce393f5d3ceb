/* ui/view_model_changes.c: the change to make in the view, as the text report opens with it
 * and in its words: report_changes_of() builds the model (analyze/changes.h) from the settled
 * verdicts, report_changes_each() words it part by part, and this file only wraps the parts to
 * the screen's width and picks what fits. Over the matrix, a block: the heading, then the
 * parts in the report's order (per device and direction the rules to open, required before
 * optional; the dynamic RPC range; what no rule fixes; the untested directions and their
 * tests), whole parts only, as many as its share of the height holds (a device is never shown
 * without a rule of its, nor a direction without its test), and a last line counting the rest
 * and naming c. Each look-alike and the --rules hint are left to c, which shows everything on
 * the whole screen. Built again with every screen: live, it follows the verdicts as they
 * settle. Where the block goes is view_model_screen.c's. */
#include "view_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define VIEW_PART_LINES 32 /* one part wrapped: a rule naming many services and ranges */

struct view_cline {
    char text[VIEW_MAX_WIDTH + 1];
    enum report_change_part part;
    bool first; /* the first line of its part */
};

struct view_clist {
    struct view_cline *line;
    size_t n, cap;
    int width;
    bool compact; /* the block: no single look-alikes, no hint */
    bool oom;
};

static void view_clist_add(void *ctx, const struct report_change_line *l)
{
    struct view_clist *c = ctx;
    if (c->oom || (c->compact && (l->part == REPORT_CHANGE_LOOKALIKE ||
                                  l->part == REPORT_CHANGE_HINT)))
        return;
    char (*wrapped)[VIEW_MAX_WIDTH + 1] = malloc(VIEW_PART_LINES * sizeof *wrapped);
    if (wrapped == NULL) {
        c->oom = true;
        return;
    }
    /* The report prints some parts on one line whatever their length (a test's command, to
     * be copied whole); a screen has to wrap them: under their own text. */
    int hang = l->hang >= 0 ? l->hang : (int)strlen(l->lead) + 2;
    size_t k = (size_t)view_wrap(wrapped, 0, VIEW_PART_LINES, c->width, l->lead, l->text, hang);
    if (c->n + k > c->cap) {
        size_t cap = c->cap * 2 > c->n + k ? c->cap * 2 : c->n + k + 16;
        struct view_cline *grown = realloc(c->line, cap * sizeof *grown);
        if (grown == NULL) {
            c->oom = true;
            free(wrapped);
            return;
        }
        c->line = grown;
        c->cap = cap;
    }
    for (size_t i = 0; i < k; i++) {
        struct view_cline *d = &c->line[c->n++];
        snprintf(d->text, sizeof d->text, "%s", wrapped[i]);
        d->part = l->part;
        d->first = i == 0;
    }
    free(wrapped);
}

/* The change to make of in's verdicts, wrapped to width, into out (free out->line). Returns 0
 * or FW_ENOMEM. */
static int view_changes_lines(const struct view_input *in, bool compact, int width,
                              struct view_clist *out)
{
    static const struct report_answer none = { 0 };
    struct changes c;
    *out = (struct view_clist){ .width = width, .compact = compact };
    if (in->vc == NULL)
        memset(&c, 0, sizeof c); /* nothing analysed: nothing to change */
    else if (report_changes_of(&c, in->vc, in->cfg, in->answer != NULL ? in->answer : &none)
             != 0)
        out->oom = true;
    if (!out->oom)
        report_changes_each(&c, in->vc, in->cfg, !compact, view_clist_add, out);
    changes_fini(&c);
    return out->oom ? FW_ENOMEM : 0;
}

/* How many of the lines to show when no more than k fit: whole parts, the last of them
 * neither a device nor an untested direction (what they announce would be cut off); the
 * first k lines as they come when not even one part is whole. */
static size_t view_whole_parts(const struct view_clist *l, size_t k)
{
    size_t end = k;
    while (end > 0 && end < l->n && !l->line[end].first)
        end--;
    while (end > 0) {
        size_t start = end - 1;
        while (start > 0 && !l->line[start].first)
            start--;
        enum report_change_part p = l->line[start].part;
        if (p != REPORT_CHANGE_DEVICE && p != REPORT_CHANGE_TEST)
            break;
        end = start;
    }
    return end > 0 ? end : k;
}

/* "  ... 1 more rule, 2 tests to run: c shows all", for the parts from line `from` on. */
static void view_more_text(const struct view_clist *l, size_t from, char *buf, size_t len)
{
    size_t rules = 0, tests = 0, notes = 0;
    for (size_t i = from; i < l->n; i++) {
        if (!l->line[i].first)
            continue;
        switch (l->line[i].part) {
        case REPORT_CHANGE_RULE: rules++; break;
        case REPORT_CHANGE_TEST: tests++; break;
        case REPORT_CHANGE_DEVICE: case REPORT_CHANGE_COMMAND: break;
        default: notes++; break;
        }
    }
    int at = snprintf(buf, len, "  ...");
    const char *sep = " ";
    if (rules > 0) {
        at += snprintf(buf + at, len - (size_t)at, "%s%zu more rule%s", sep, rules,
                       rules == 1 ? "" : "s");
        sep = ", ";
    }
    if (tests > 0) {
        at += snprintf(buf + at, len - (size_t)at, "%s%zu test%s to run", sep, tests,
                       tests == 1 ? "" : "s");
        sep = ", ";
    }
    if (notes > 0)
        at += snprintf(buf + at, len - (size_t)at, "%s%zu note%s", sep, notes,
                       notes == 1 ? "" : "s");
    snprintf(buf + at, len - (size_t)at, "%s", rules + tests + notes > 0 ? ": c shows all"
                                                                        : " c shows all");
}

int view_changes_block(const struct view_input *in, int y, struct view_screen *out, bool *oom)
{
    /* Its share of the height: 6 lines of 24, so that 80x24 keeps 7 matrix rows and 5 lines
     * of evidence; a taller screen gives it a fifth of the rest. */
    int w = out->width, max = 2 + (out->height - 4) / 5;
    struct view_line *head = &out->line[y];
    view_put(head, w, 1, "Change to make");
    head->attr = VIEW_A_BOLD;
    struct view_clist l;
    if (view_changes_lines(in, true, w - 2, &l) != 0) {
        view_put(&out->line[y + 1], w, 3, "(out of memory: see the report, --report)");
        free(l.line);
        *oom = true;
        return 2;
    }
    size_t room = (size_t)max - 1, shown = l.n;
    if (l.n > room)
        shown = view_whole_parts(&l, room - 1);
    for (size_t i = 0; i < shown; i++) {
        struct view_line *d = &out->line[y + 1 + (int)i];
        view_put(d, w, 1, l.line[i].text);
        if (l.line[i].part == REPORT_CHANGE_RULE)
            d->attr = VIEW_A_BOLD;
    }
    if (shown < l.n) {
        char t[160];
        view_more_text(&l, shown, t, sizeof t);
        view_put(&out->line[y + 1 + (int)shown], w, 1, t);
    }
    free(l.line);
    return 1 + (int)shown + (shown < l.n ? 1 : 0);
}

int view_changes_pane(const struct view_input *in, struct view_sel *sel, int y, int dh,
                      struct view_screen *out)
{
    int w = out->width, body = dh - 1;
    struct view_clist l;
    int rc = view_changes_lines(in, false, w - 2, &l);
    int n = (int)l.n;
    if (sel->scroll > n - body)
        sel->scroll = n - body > 0 ? n - body : 0;
    char where[48] = "", t[120];
    if (n > body && body > 0)
        snprintf(where, sizeof where, "lines %d-%d of %d ", sel->scroll + 1,
                 sel->scroll + body < n ? sel->scroll + body : n, n);
    snprintf(t, sizeof t, "== change to make %s(c or Esc: back) ", where);
    view_pane_rule(&out->line[y], w, t);
    if (rc != 0)
        view_put(&out->line[y + 1], w, 1, "out of memory: see the report (--report) instead");
    for (int i = 0; i < body && sel->scroll + i < n; i++) {
        struct view_line *d = &out->line[y + 1 + i];
        view_put(d, w, 1, l.line[sel->scroll + i].text);
        if (l.line[sel->scroll + i].part == REPORT_CHANGE_RULE)
            d->attr = VIEW_A_BOLD;
    }
    free(l.line);
    return rc;
}
