/* ui/view_model_changes.c: the change to make in the view, as the text report opens with it
 * and in its words: report_changes_lines() builds the model (analyze/changes.h) from the
 * settled verdicts and words it part by part, and this file only wraps the parts to
 * the screen's width and picks what fits. Over the matrix, a block: the heading, then the
 * parts in the report's order (per device and direction the rules to open, required before
 * optional; the dynamic RPC range; what no rule fixes; the untested directions and their
 * tests), whole parts only, as many as its share of the height holds (a device is never shown
 * without a rule of its, nor a direction without its test), and a last line counting the rest
 * and naming c. Each look-alike and the --rules hint are left to c, which shows everything on
 * the whole screen. Built again with every screen: live, it follows the verdicts as they
 * settle. Where the block goes is view_model_screen.c's. */
#include "view_model_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define VIEW_PART_LINES 32 /* one part wrapped: a rule naming many services and ranges */

struct view_cline {
    char text[VIEW_MAX_WIDTH + 1];
    enum report_change_line_kind part;
    bool first; /* the first line of its part */
};

/* The lines kept of the parts wrapped: [from, from + keep) of them, a screenful, whatever the
 * length of the whole (a scan makes thousands of rules). */
struct view_clist {
    struct view_cline *line;           /* n kept, the first is line `from` */
    size_t n, cap;
    size_t total;                      /* lines wrapped in all */
    size_t from, keep;
    int width;
    bool compact;                      /* the block: no single look-alikes, no hint, and parts
                                          past the lines kept only counted (not wrapped) */
    size_t rules, tests, notes;        /* ...so many of each */
    char (*wrapped)[VIEW_MAX_WIDTH + 1]; /* one part wrapped (VIEW_PART_LINES) */
    bool oom;
};

/* Counts a part that is not kept, as view_more_text() names it. */
static void view_clist_count(struct view_clist *c, enum report_change_line_kind part)
{
    switch (part) {
    case RCL_RULE: c->rules++; break;
    case RCL_TEST: c->tests++; break;
    case RCL_GROUP: case RCL_COMMAND: break;
    default: c->notes++; break;
    }
}

static void view_clist_add(void *ctx, const struct report_change_line *l)
{
    struct view_clist *c = ctx;
    if (c->oom || l->kind == RCL_END ||
        (c->compact && (l->kind == RCL_LOOKALIKE || l->kind == RCL_HINT)))
        return;
    /* A scan can make thousands of rules: past what the block can show they are counted,
     * not wrapped (wrapping them all took 200 ms a screen for 15,000 verdicts). */
    if (c->compact && c->total >= c->keep) {
        view_clist_count(c, l->kind);
        return;
    }
    char (*wrapped)[VIEW_MAX_WIDTH + 1] = c->wrapped;
    /* The report prints some parts on one line whatever their length (a test's command, to
     * be copied whole); a screen has to wrap them: under their own text. */
    int hang = l->hang > 0 ? l->hang : (int)strlen(l->lead) + 2;
    size_t k = (size_t)view_wrap(wrapped, 0, VIEW_PART_LINES, c->width, l->lead, l->text, hang);
    size_t at = c->total;
    c->total += k;
    if (c->total <= c->from || at >= c->from + c->keep)
        return;
    if (c->n + k > c->cap) {
        size_t cap = c->cap * 2 > c->n + k ? c->cap * 2 : c->n + k + 16;
        struct view_cline *grown = realloc(c->line, cap * sizeof *grown);
        if (grown == NULL) {
            c->oom = true;
            return;
        }
        c->line = grown;
        c->cap = cap;
    }
    for (size_t i = 0; i < k; i++) {
        if (at + i < c->from || at + i >= c->from + c->keep)
            continue;
        struct view_cline *d = &c->line[c->n++];
        snprintf(d->text, sizeof d->text, "%s", wrapped[i]);
        d->part = l->kind;
        d->first = i == 0;
    }
}

/* The change to make of in's verdicts, wrapped to width, lines [from, from + keep) into out
 * (free out->line). Returns 0 or FW_ENOMEM. */
static int view_changes_lines(const struct view_input *in, bool compact, size_t from,
                              size_t keep, int width, struct view_clist *out)
{
    /* Every part, whatever --all says: the block cuts and counts on its own (c shows all). */
    struct report_answer ans = in->answer != NULL ? *in->answer : (struct report_answer){ 0 };
    ans.all = true;
    *out = (struct view_clist){ .width = width, .compact = compact, .from = from,
                                .keep = keep };
    out->wrapped = malloc(VIEW_PART_LINES * sizeof *out->wrapped);
    if (out->wrapped == NULL ||
        report_changes_lines(in->vc, in->cfg, &ans, view_clist_add, out) != 0)
        out->oom = true;
    free(out->wrapped);
    out->wrapped = NULL;
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
        enum report_change_line_kind p = l->line[start].part;
        if (p != RCL_GROUP && p != RCL_TEST)
            break;
        end = start;
    }
    return end > 0 ? end : k;
}

/* "  ... 1 more rule, 2 tests to run: c shows all", for the parts from line `from` on and
 * those counted only. */
static void view_more_text(struct view_clist *l, size_t from, char *buf, size_t len)
{
    for (size_t i = from; i < l->n; i++)
        if (l->line[i].first)
            view_clist_count(l, l->line[i].part);
    size_t rules = l->rules, tests = l->tests, notes = l->notes;
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
    if (view_changes_lines(in, true, 0, (size_t)max, w - 2, &l) != 0) {
        view_put(&out->line[y + 1], w, 3, "(out of memory: see the report, --report)");
        free(l.line);
        *oom = true;
        return 2;
    }
    size_t room = (size_t)max - 1, shown = l.n;
    /* Parts are only counted once more than room lines are kept: then some are cut. */
    if (l.n > room)
        shown = view_whole_parts(&l, room - 1);
    for (size_t i = 0; i < shown; i++) {
        struct view_line *d = &out->line[y + 1 + (int)i];
        view_put(d, w, 1, l.line[i].text);
        if (l.line[i].part == RCL_RULE)
            d->attr = VIEW_A_BOLD;
    }
    bool more = shown < l.n;
    if (more) {
        char t[160];
        view_more_text(&l, shown, t, sizeof t);
        view_put(&out->line[y + 1 + (int)shown], w, 1, t);
    }
    free(l.line);
    return 1 + (int)shown + (more ? 1 : 0);
}

int view_changes_pane(const struct view_input *in, struct view_sel *sel, int y, int dh,
                      struct view_screen *out)
{
    int w = out->width, body = dh - 1 > 0 ? dh - 1 : 0;
    struct view_clist l;
    int rc = view_changes_lines(in, false, (size_t)sel->scroll, (size_t)body, w - 2, &l);
    int n = l.total > INT_MAX ? INT_MAX : (int)l.total;
    if (rc == 0 && sel->scroll > 0 && sel->scroll > n - body) {
        /* Scrolled past the end (G): the last screenful, wrapped again. */
        sel->scroll = n - body > 0 ? n - body : 0;
        free(l.line);
        rc = view_changes_lines(in, false, (size_t)sel->scroll, (size_t)body, w - 2, &l);
    }
    char where[48] = "", t[120];
    if (n > body && body > 0)
        snprintf(where, sizeof where, "lines %d-%d of %d ", sel->scroll + 1,
                 sel->scroll + body < n ? sel->scroll + body : n, n);
    snprintf(t, sizeof t, "== change to make %s(c or Esc: back) ", where);
    view_pane_rule(&out->line[y], w, t);
    if (rc != 0)
        view_put(&out->line[y + 1], w, 1, "out of memory: see the report (--report) instead");
    for (size_t i = 0; i < l.n; i++) {
        struct view_line *d = &out->line[y + 1 + (int)i];
        view_put(d, w, 1, l.line[i].text);
        if (l.line[i].part == RCL_RULE)
            d->attr = VIEW_A_BOLD;
    }
    free(l.line);
    return rc;
}
