/* ui/view_model_evidence.c: the evidence pane of the view: the selected cell's verdict, who
 * answered, its evidence lines and its advice, word-wrapped to the width and scrolled, under a
 * title that says which cell it is and, when it does not fit, which lines are shown. The word
 * wrapper is the view's (the change to make uses it too). Where the pane goes is
 * view_model_screen.c's; the words of the evidence and advice are the analysis' own
 * (verdict_item_words()), as the text report prints them. */
#include "view_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define VIEW_DETAIL_MAX 64 /* evidence lines of one cell, wrapped: 6 evidence lines and advice */

int view_wrap(char (*lines)[VIEW_MAX_WIDTH + 1], int n, int max, int width, const char *lead,
              const char *text, int hang)
{
    if (n >= max)
        return n;
    int col = snprintf(lines[n], VIEW_MAX_WIDTH + 1, "%s", lead);
    const char *p = text;
    for (int w; (w = report_next_word(&p)) > 0; p += w) {
        if (col > hang && col + 1 + w > width) {
            if (++n >= max)
                return n;
            col = snprintf(lines[n], VIEW_MAX_WIDTH + 1, "%*s", hang, "");
        } else if (col > 0 && lines[n][col - 1] != ' ') {
            lines[n][col++] = ' ';
        }
        /* A word longer than the line (a long path, an IPv6 address with its port) is cut
         * over lines rather than clipped at the edge. */
        while (col + w > width && width - col > 0 && w > width - hang) {
            int take = width - col;
            memcpy(lines[n] + col, p, (size_t)take);
            lines[n][col + take] = '\0';
            p += take;
            w -= take;
            if (++n >= max)
                return n;
            col = snprintf(lines[n], VIEW_MAX_WIDTH + 1, "%*s", hang, "");
        }
        int room = VIEW_MAX_WIDTH - col;
        int take = w < room ? w : room;
        memcpy(lines[n] + col, p, (size_t)take);
        col += take;
        lines[n][col] = '\0';
    }
    return n + 1;
}

/* The selected cell's evidence and advice, wrapped to the width. */
static int view_detail(const struct view_row *r, int dir, const struct view_pair *pair,
                       int width, char (*lines)[VIEW_MAX_WIDTH + 1])
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], by[160], head[320];
    const struct verdict_item *it = r->cell[dir];
    int n = 0;
    if (it == NULL) {
        fw_addr_format(dir == 0 ? &pair->a : &pair->b, from, sizeof from);
        fw_addr_format(dir == 0 ? &pair->b : &pair->a, to, sizeof to);
        snprintf(head, sizeof head, "no attempt from %s to %s on this port, and the profile "
                 "does not list it in this direction", from, to);
        return view_wrap(lines, n, VIEW_DETAIL_MAX, width, "", head, 2);
    }
    snprintf(head, sizeof head, "%s%s, confidence %s, answered by %s", verdict_name(it->v.kind),
             it->inferred ? " (inferred)" : "", verdict_conf_name(it->confidence),
             verdict_answered_text(it, by, sizeof by));
    n = view_wrap(lines, n, VIEW_DETAIL_MAX, width, "", head, 2);
    verdict_item_words(it);
    for (int e = 0; e < it->nevidence; e++)
        n = view_wrap(lines, n, VIEW_DETAIL_MAX, width, "-", it->evidence[e], 2);
    return view_wrap(lines, n, VIEW_DETAIL_MAX, width, "advice:", it->advice, 2);
}

int view_evidence_pane(struct view_sel *sel, const struct view_row *r,
                       const struct view_pair *pair, int y, int dh, struct view_screen *out,
                       char *head, size_t head_len)
{
    int w = out->width;
    if (r == NULL) {
        snprintf(head, head_len, "-- evidence ");
        return 0;
    }
    char (*lines)[VIEW_MAX_WIDTH + 1] = malloc(VIEW_DETAIL_MAX * sizeof *lines);
    if (lines == NULL) {
        snprintf(head, head_len, "-- evidence ");
        return FW_ENOMEM;
    }
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], port[8];
    view_port_text(r->proto, r->port, port, sizeof port);
    fw_addr_format(sel->col == 0 ? &pair->a : &pair->b, a, sizeof a);
    fw_addr_format(sel->col == 0 ? &pair->b : &pair->a, b, sizeof b);
    int nd = view_detail(r, sel->col, pair, w - 2, lines);
    if (sel->scroll > nd - dh)
        sel->scroll = nd - dh > 0 ? nd - dh : 0;
    char where[48] = ""; /* the evidence's own position, when it does not fit */
    if (nd > dh && dh > 0)
        snprintf(where, sizeof where, "lines %d-%d of %d ", sel->scroll + 1,
                 sel->scroll + dh < nd ? sel->scroll + dh : nd, nd);
    snprintf(head, head_len, "%s evidence: %s -> %s %s %s (%s) %s",
             sel->pane == VIEW_PANE_EVIDENCE ? "==" : "--", a, b, verdict_proto_name(r->proto),
             port, view_row_service(r), where);
    for (int i = 0; i < dh && sel->scroll + i < nd; i++)
        view_put(&out->line[y + i], w, 1, lines[sel->scroll + i]);
    free(lines);
    return 0;
}
