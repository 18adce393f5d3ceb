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

static bool hx_row_untested(const struct report_row *r)
{
    for (int d = 0; d < 2; d++)
        if (r->cell[d] != NULL && r->cell[d]->v.kind != VERDICT_UNTESTED)
            return false;
    return true;
}

static void hx_row(FILE *out, const struct report_row *r)
{
    const struct verdict_item *any = r->cell[0] != NULL ? r->cell[0] : r->cell[1];
    fputs("<tr><td>", out);
    report_html_text(out, r->rank == SIZE_MAX ? "other ports" : any->service);
    char port[8];
    report_port_text(any, port, sizeof port);
    fprintf(out, "</td><td>%s</td><td>%s</td>", verdict_proto_name(any->proto), port);
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
    size_t n, untested = 0, shown = 0;
    struct report_row *rows = report_matrix_rows(vc, first, end, cfg, &a, &n);
    if (rows == NULL) {
        fputs("<p>(out of memory: see the text report)</p>\n", out);
        return;
    }
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

