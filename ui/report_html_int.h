/* ui/report_html_int.h: what the files of the HTML page share (report_html.c, the page;
 * report_html_matrix.c, its tables by port). Every string is escaped on the way out. */
#ifndef FW_REPORT_HTML_INT_H
#define FW_REPORT_HTML_INT_H

#include <stdio.h>

#include "analyze/analyzer.h"

void hx_addr(FILE *out, const struct fw_addr *a);
/* The verdict in its tone's colour, "(inferred)" and the look-alike as the text report. */
void hx_verdict(FILE *out, const struct verdict_item *it);
void hx_port(FILE *out, const struct verdict_item *it); /* "tcp 445", "icmp echo" */

/* Items [first, end) of vc share one host pair: its matrix. */
void report_html_matrix(FILE *out, const struct verdict_collector *vc, size_t first, size_t end,
                        const struct fw_config *cfg);
/* Per direction, the untested ports as ranges and the test that covers them. */
void report_html_untested(FILE *out, const struct verdict_collector *vc);

#endif
