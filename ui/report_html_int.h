/* ui/report_html_int.h: what the files of the HTML page share (report_html.c, the page;
 * report_html_matrix.c, its tables by port; report_html_changes.c, the change to make). Every
 * string is escaped on the way out. */
#ifndef FW_REPORT_HTML_INT_H
#define FW_REPORT_HTML_INT_H

#include <stdio.h>

#include "analyze/analyzer.h"

void hx_addr(FILE *out, const struct fw_addr *a);
/* The verdict in its tone's colour, "(inferred)" and the look-alike as the text report. */
void hx_verdict(FILE *out, const struct verdict_item *it);
void hx_port(FILE *out, const struct verdict_item *it); /* "tcp 445", "icmp echo" */

/* "192.0.2.2 (ttl+icmp-source, 1 router from the capture point)", "nobody": the text
 * report's words (verdict_answered_text). */
void hx_answered(FILE *out, const struct verdict_item *it);

/* Items [first, end) of vc share one host pair: its matrix. */
void report_html_matrix(FILE *out, const struct verdict_collector *vc, size_t first, size_t end,
                        const struct fw_config *cfg);
/* "The change to make" of vc (report_html_changes.c): the text report's lines, and under each
 * device and direction the verdicts behind it. */
struct report_answer;
void report_html_changes(FILE *out, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans);

#endif
