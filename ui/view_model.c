/* ui/view_model.c: the view model's data side: host pairs, the matrix rows of a pair (sorted,
 * filtered) and the cells' short texts. The keys that change the selection are
 * view_model_keys.c's, the lines of the screen view_model_screen.c's; painting them is tui.c's.
 * It reads the settled verdicts only, in the collector's order, so the same analysis always
 * gives the same screen. */
#include "view_model_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static bool view_same_pair(const struct verdict_item *x, const struct verdict_item *y)
{
    return (fw_addr_eq(&x->from, &y->from) && fw_addr_eq(&x->to, &y->to)) ||
           (fw_addr_eq(&x->from, &y->to) && fw_addr_eq(&x->to, &y->from));
}

bool view_pair_at_from(const struct verdict_collector *vc, size_t first, struct view_pair *out)
{
    size_t n = vc != NULL ? verdict_count(vc) : 0, end = first + 1;
    if (first >= n)
        return false;
    while (end < n && view_same_pair(verdict_at(vc, first), verdict_at(vc, end)))
        end++;
    const struct verdict_item *f = verdict_at(vc, first);
    bool lower = fw_addr_cmp(&f->from, &f->to) <= 0;
    *out = (struct view_pair){ first, end, lower ? f->from : f->to, lower ? f->to : f->from };
    return true;
}

/* The collector sorts by host pair, so a pair is a run of items: linear, cheap next to a
 * repaint, and nothing is kept that the next settle could invalidate. */
bool view_pair_at(const struct verdict_collector *vc, size_t index, struct view_pair *out)
{
    size_t i = 0;
    for (size_t k = 0; view_pair_at_from(vc, i, out); k++, i = out->end)
        if (k == index)
            return true;
    return false;
}

size_t view_model_pairs(const struct verdict_collector *vc)
{
    size_t n = vc != NULL ? verdict_count(vc) : 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || !view_same_pair(verdict_at(vc, i - 1), verdict_at(vc, i)))
            pairs++;
    return pairs;
}

void view_port_text(uint8_t proto, uint16_t port, char *buf, size_t len)
{
    if (proto == VERDICT_PROTO_ECHO)
        snprintf(buf, len, "echo");
    else
        snprintf(buf, len, "%u", (unsigned)port);
}

const char *view_row_service(const struct view_row *r)
{
    const struct verdict_item *any = r->cell[0] != NULL ? r->cell[0] : r->cell[1];
    return r->rank == SIZE_MAX || any == NULL ? "other ports" : any->service;
}

/* Only the names longer than VIEW_CELL_NAME_MAX change: at 80 columns a cell has 22, and
 * "REPLY-DROPPED 4 SYN 0 ans" would be cut into the next column. */
const char *view_verdict_abbr(enum verdict_kind k)
{
    switch (k) {
    case VERDICT_REPLY_DROPPED: return "RPL-DROP";
    case VERDICT_UNREACHABLE:   return "UNREACH";
    case VERDICT_INCONCLUSIVE:  return "INCONCL";
    default:                    return verdict_name(k);
    }
}

int view_cell_text(const struct verdict_item *it, enum view_cell_form form, char *buf,
                   size_t len)
{
    if (it == NULL)
        return snprintf(buf, len, "-");
    const char *name = form >= VIEW_CELL_ABBR ? view_verdict_abbr(it->v.kind)
                                              : verdict_name(it->v.kind);
    if (form == VIEW_CELL_NAME || it->v.kind == VERDICT_UNTESTED || it->counts.attempts == 0)
        return snprintf(buf, len, "%s", name);
    const char *unit = it->proto == 6 ? "SYN" : it->proto == 17 ? "req" : "ping";
    unsigned req = (unsigned)it->counts.requests, answers = it->counts.by_outcome[VO_ANSWERED];
    if (form == VIEW_CELL_LONG)
        return snprintf(buf, len, "%s %u %s, %u answer%s", name, req, unit, answers,
                        answers == 1 ? "" : "s");
    if (form == VIEW_CELL_TINY)
        return snprintf(buf, len, "%s %u/%u", name, req, answers);
    return snprintf(buf, len, "%s %u %s %u ans", name, req, unit, answers);
}

enum view_cell_form view_cell_form_for(const struct view_row *rows, size_t n, int room)
{
    char buf[96];
    enum view_cell_form f = VIEW_CELL_LONG;
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 2; d++)
            while (f < VIEW_CELL_NAME && view_cell_text(rows[i].cell[d], f, buf, sizeof buf) > room)
                f++;
    return f;
}

unsigned view_verdict_attr(const struct verdict_item *it)
{
    if (it == NULL)
        return VIEW_A_DIM;
    switch (verdict_kind_tone(it->v.kind)) {
    case VERDICT_TONE_GOOD: return VIEW_A_GOOD;
    case VERDICT_TONE_WARN: return VIEW_A_WARN;
    case VERDICT_TONE_DIM:  return VIEW_A_DIM;
    default:                return VIEW_A_BAD | VIEW_A_BOLD;
    }
}

/* Blocking first, then CLOSED, OPEN, UNTESTED: what the user came to see. */
static int view_severity(const struct verdict_item *it)
{
    if (it == NULL)
        return 9;
    return verdict_kind_severity(it->v.kind);
}


static int view_port_cmp(const struct view_row *a, const struct view_row *b)
{
    if (a->port != b->port)
        return (int)a->port - (int)b->port;
    return verdict_proto_order(a->proto) - verdict_proto_order(b->proto);
}

static int view_profile_cmp(const void *x, const void *y)
{
    const struct view_row *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->proto != b->proto)
        return verdict_proto_order(a->proto) - verdict_proto_order(b->proto);
    return (int)a->port - (int)b->port;
}

static int view_byport_cmp(const void *x, const void *y)
{
    int c = view_port_cmp(x, y);
    return c != 0 ? c : view_profile_cmp(x, y);
}

static int view_verdict_cmp(const void *x, const void *y)
{
    const struct view_row *a = x, *b = y;
    int sa = view_severity(a->cell[0]) < view_severity(a->cell[1]) ? view_severity(a->cell[0])
                                                                   : view_severity(a->cell[1]);
    int sb = view_severity(b->cell[0]) < view_severity(b->cell[1]) ? view_severity(b->cell[0])
                                                                   : view_severity(b->cell[1]);
    return sa != sb ? sa - sb : view_profile_cmp(x, y);
}


/* Case-insensitive: the filter and the search match what the screen shows, in any case. */
bool view_text_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h != '\0'; h++) {
        size_t i = 0;
        while (i < n && h[i] != '\0' &&
               tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static bool view_row_matches(const struct view_row *r, const char *filter)
{
    char text[256], port[8], c0[64], c1[64];
    if (filter[0] == '\0')
        return true;
    view_port_text(r->proto, r->port, port, sizeof port);
    view_cell_text(r->cell[0], VIEW_CELL_LONG, c0, sizeof c0);
    view_cell_text(r->cell[1], VIEW_CELL_LONG, c1, sizeof c1);
    snprintf(text, sizeof text, "%s %s %s %s %s", view_row_service(r),
             verdict_proto_name(r->proto), port, c0, c1);
    return view_text_contains(text, filter);
}

static int view_merge_cmp(const void *x, const void *y)
{
    const struct view_row *a = x, *b = y;
    if (a->proto != b->proto)
        return verdict_proto_order(a->proto) - verdict_proto_order(b->proto);
    return (int)a->port - (int)b->port;
}

struct view_row *view_rows_of(const struct view_input *in, const struct view_sel *sel,
                              struct view_pair *pair, size_t *n, bool *oom)
{
    *n = 0;
    *oom = false;
    if (!view_pair_at(in->vc, sel->pair, pair))
        return NULL;
    return view_rows_of_pair(in, sel, pair, n, oom);
}

struct view_row *view_rows_of_pair(const struct view_input *in, const struct view_sel *sel,
                                   const struct view_pair *pair, size_t *n, bool *oom)
{
    *n = 0;
    *oom = false;
    size_t m = pair->end - pair->first, k = 0;
    struct view_row *rows = calloc(m, sizeof *rows);
    if (rows == NULL) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < m; i++) {
        const struct verdict_item *it = verdict_at(in->vc, pair->first + i);
        rows[i] = (struct view_row){ it->proto, it->port, 0, { NULL, NULL } };
        rows[i].cell[fw_addr_eq(&it->from, &pair->a) ? 0 : 1] = it;
    }
    /* Both directions of a port side by side, then merged in one linear pass. */
    qsort(rows, m, sizeof *rows, view_merge_cmp);
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && rows[k - 1].proto == rows[i].proto && rows[k - 1].port == rows[i].port) {
            for (int d = 0; d < 2; d++)
                if (rows[i].cell[d] != NULL)
                    rows[k - 1].cell[d] = rows[i].cell[d];
            continue;
        }
        rows[k] = rows[i];
        rows[k].rank = report_matrix_rank(in->cfg, rows[k].proto, rows[k].port);
        k++;
    }
    size_t kept = 0;
    for (size_t i = 0; i < k; i++)
        if (view_row_matches(&rows[i], sel->filter))
            rows[kept++] = rows[i];
    qsort(rows, kept, sizeof *rows, sel->sort == VIEW_SORT_PORT      ? view_byport_cmp
                                    : sel->sort == VIEW_SORT_VERDICT ? view_verdict_cmp
                                                                     : view_profile_cmp);
    *n = kept;
    if (kept == 0) {
        free(rows);
        return NULL;
    }
    return rows;
}

size_t view_model_rows(const struct view_input *in, const struct view_sel *sel)
{
    struct view_pair pair;
    size_t n;
    bool oom;
    free(view_rows_of(in, sel, &pair, &n, &oom));
    return n;
}
