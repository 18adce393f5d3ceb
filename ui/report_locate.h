/* ui/report_locate.h: the "where on the path" part of `fwsight test --locate`'s report: one
 * entry per blocked path that was located (or could not be), as text below the verdicts and
 * as the JSON document's top-level "locate" array (docs/json-schema.md). The probes are
 * capture/locate.c's, their reading analyze/locate.c's; this file only prints. */
#ifndef FW_REPORT_LOCATE_H
#define FW_REPORT_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/locate.h"

struct json;

#define REPORT_LOCATE_ERRLEN 200

struct report_locate {
    struct fw_addr from, to;
    uint8_t proto;                     /* 6, 17, or VERDICT_PROTO_ECHO */
    uint16_t port;                     /* 0 for echo */
    uint16_t src_port;                 /* the series' source port (echo: its id) */
    size_t nhops;
    struct locate_hop hops[LOCATE_MAX_HOPS];
    struct locate_finding finding;
    char error[REPORT_LOCATE_ERRLEN];  /* why no series was sent, "" if one was */
};

/* The one line for an entry: "tcp 6320 198.51.100.10 -> 203.0.113.20: blocked between ...";
 * the view can show it as it is. Returns what snprintf returns. */
int report_locate_line(const struct report_locate *l, char *buf, size_t len);

/* The text section; nothing is printed for n == 0 unless asked (then it says nothing was
 * blocked, so nothing was located). */
void report_print_locate(FILE *out, const struct report_locate *l, size_t n, bool asked);
/* The "locate" member of the top-level object (an array, empty when nothing was blocked). */
void report_json_locate(struct json *j, const struct report_locate *l, size_t n);

#endif
