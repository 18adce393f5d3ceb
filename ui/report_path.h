/* ui/report_path.h: the "along the path" part of `fwsight analyze` with more than two
 * captures: where each capture sits (analyze/path_order.h orders them) and, per blocked path,
 * the segment where its packets vanish, as text after the combined verdicts and as the JSON
 * document's top-level "path" object (docs/json-schema.md). This file only words and prints. */
#ifndef FW_REPORT_PATH_H
#define FW_REPORT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyze/path_order.h"
#include "analyze/verdict.h"

/* Blocked paths a report places at most (each costs a pass over the kept packets). */
#define REPORT_PATH_MAX_SEGMENTS 256

struct report_path {
    size_t ncap;
    const char *file[PATH_MAX_CAPTURES];  /* sorted by name: the order of arguments is moot */
    const struct path_set *set;
    bool have_pair;
    struct fw_addr lo, hi;                /* the host pair the order is shown for */
    struct path_order order;              /* of that pair, hops from lo */
    int end[2];                           /* the captures the verdicts are from; -1: none */
    const struct verdict_item *item[REPORT_PATH_MAX_SEGMENTS];
    struct path_segment seg[REPORT_PATH_MAX_SEGMENTS];
    size_t nseg;
    size_t seg_left_out;                  /* blocked paths beyond the cap */
};

/* One blocked path's segment in words ("requests pass a.pcap (hop 1) and never reach b.pcap
 * (hop 2); ..."): writes at most len bytes into buf, returns buf. */
const char *report_path_words(const struct report_path *p, const struct path_segment *s,
                              char *buf, size_t len);

void report_print_path_text(FILE *out, const struct report_path *p);
struct json;
void report_json_path(struct json *j, const struct report_path *p);

#endif
