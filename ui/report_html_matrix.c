/* ui/report_html_matrix.c: the tables of the HTML page (report_html.h) that go by port: per
 * host pair the matrix of the profile's ports (then other ports) by direction, in the text
 * report's order (report_matrix_rank), with the rows untested both ways folded into one
 * <details> (no script opens it). The untested ports and the test to run per direction are
 * the change to make's (report_html_changes.c); the rest of the page is report_html.c's. */
#include <stdlib.h>

#include "report.h"
#include "report_html.h"
#include "report_html_int.h"

#define HTML_MATRIX_ROWS 4000 /* per pair; a scan of every port is counted beyond it */

/* One matrix row: a (proto, port) with its verdict in each direction, as the text report's. */
struct hx_row {
    uint8_t proto;
    uint16_t port;
    size_t rank;
    const struct verdict_item *cell[2];
};

static int hx_port_cmp(const void *x, const void *y)
{
    const struct hx_row *a = x, *b = y;
    if (a->proto != b->proto)
        return report_proto_order(a->proto) - report_proto_order(b->proto);
    if (a->port != b->port)
        return (int)a->port - (int)b->port;
    return (a->cell[0] == NULL) - (b->cell[0] == NULL);
}

static int hx_row_cmp(const void *x, const void *y)
{
    const struct hx_row *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return hx_port_cmp(x, y);
}

static bool hx_row_untested(const struct hx_row *r)
{
    for (int d = 0; d < 2; d++)
        if (r->cell[d] != NULL && r->cell[d]->v.kind != VERDICT_UNTESTED)
            return false;
    return true;
}

static void hx_row(FILE *out, const struct hx_row *r)
{
    const struct verdict_item *any = r->cell[0] != NULL ? r->cell[0] : r->cell[1];
    fputs("<tr><td>", out);
    report_html_text(out, r->rank == SIZE_MAX ? "other ports" : any->service);
    fprintf(out, "</td><td>%s</td><td>", verdict_proto_name(any->proto));
    if (any->proto == VERDICT_PROTO_ECHO)
        fputs("echo", out);
    else
        fprintf(out, "%u", (unsigned)any->port);
    fputs("</td>", out);
    for (int d = 0; d < 2; d++) {
        fputs("<td>", out);
        if (r->cell[d] != NULL)
            hx_verdict(out, r->cell[d]);
        else
            fputs("-", out);
        fputs("</td>", out);
    }
    fputs("</tr>\n", out);
}

static void hx_matrix_head(FILE *out, const struct fw_addr *a, const struct fw_addr *b)
{
    fputs("<table class=\"matrix\"><tr><th>service</th><th>proto</th><th>port</th><th>", out);
    hx_addr(out, a);
    fputs(" &rarr; ", out);
    hx_addr(out, b);
    fputs("</th><th>", out);
    hx_addr(out, b);
    fputs(" &rarr; ", out);
    hx_addr(out, a);
    fputs("</th></tr>\n", out);
}

/* Items [first, end) share one host pair; a is the lower address (the collector's order). */
void report_html_matrix(FILE *out, const struct verdict_collector *vc, size_t first, size_t end,
                      const struct fw_config *cfg)
{
    const struct verdict_item *f = verdict_at(vc, first);
    struct fw_addr a = fw_addr_cmp(&f->from, &f->to) <= 0 ? f->from : f->to;
    struct fw_addr b = fw_addr_cmp(&f->from, &f->to) <= 0 ? f->to : f->from;
    size_t m = end - first, n = 0, untested = 0, shown = 0;
    struct hx_row *rows = calloc(m, sizeof *rows);
    if (rows == NULL) {
        fputs("<p>(out of memory: see the text report)</p>\n", out);
        return;
    }
    for (size_t i = 0; i < m; i++) {
        const struct verdict_item *it = verdict_at(vc, first + i);
        rows[i] = (struct hx_row){ it->proto, it->port, 0, { NULL, NULL } };
        rows[i].cell[fw_addr_eq(&it->from, &a) ? 0 : 1] = it;
    }
    qsort(rows, m, sizeof *rows, hx_port_cmp);
    for (size_t i = 0; i < m; i++) { /* the two directions of one port into one row */
        if (n > 0 && rows[n - 1].proto == rows[i].proto && rows[n - 1].port == rows[i].port) {
            for (int d = 0; d < 2; d++)
                if (rows[i].cell[d] != NULL)
                    rows[n - 1].cell[d] = rows[i].cell[d];
            continue;
        }
        rows[n] = rows[i];
        rows[n].rank = report_matrix_rank(cfg, rows[n].proto, rows[n].port);
        n++;
    }
    qsort(rows, n, sizeof *rows, hx_row_cmp);
    fputs("<h3>", out);
    hx_addr(out, &a);
    fputs(" and ", out);
    hx_addr(out, &b);
    fputs("</h3>\n", out);
    hx_matrix_head(out, &a, &b);
    for (size_t r = 0; r < n; r++) {
        if (hx_row_untested(&rows[r]))
            untested++;
        else if (shown++ < HTML_MATRIX_ROWS)
            hx_row(out, &rows[r]);
    }
    fputs("</table>\n", out);
    if (shown > HTML_MATRIX_ROWS)
        fprintf(out, "<p>&hellip; %zu more tested rows (--json lists them all)</p>\n",
                shown - HTML_MATRIX_ROWS);
    if (untested > 0) {
        /* Folded: they bury the answer, and <details> needs no script to open. */
        fprintf(out, "<details><summary>%zu port%s untested in both directions</summary>\n",
                untested, untested == 1 ? "" : "s");
        hx_matrix_head(out, &a, &b);
        for (size_t r = 0, k = 0; r < n && k < HTML_MATRIX_ROWS; r++)
            if (hx_row_untested(&rows[r])) {
                hx_row(out, &rows[r]);
                k++;
            }
        fputs("</table>\n</details>\n", out);
    }
    free(rows);
}

