/* analyze/verdict_int.h: what verdict.c (cells, hosts, settling) and verdict_text.c (evidence
 * and advice in words) share. Not for ui/: it reads verdict.h only. */
#ifndef FW_VERDICT_INT_H
#define FW_VERDICT_INT_H

#include "verdict.h"

/* What the capture showed of one address: the TTLs of the packets it sent (answers that were
 * only a RST are left out: they may be forged) and how many two-way flows it was an endpoint
 * of. Both locate the capture point and tell a host's RST from a firewall's. */
struct verdict_host {
    struct fw_addr addr;
    uint8_t ttl_min, ttl_max;
    uint64_t pkts;
    uint32_t flows;
    uint32_t next; /* hash chain: index + 1 */
};

/* All attempts on one (from, to, proto, port), and the first of each outcome. */
struct verdict_cell {
    struct fw_addr from, to;
    uint8_t proto;
    uint16_t port;
    uint32_t next;
    struct verdict_counts counts;
    uint64_t first_us, last_us;
    uint8_t rst_ttl_min, rst_ttl_max;
    struct verdict_attempt first[VO_COUNT];
};

/* How one cell settled, before it is put into words. */
struct verdict_ctx {
    const struct verdict_capture_point *cp;
    const struct verdict_host *to_host; /* NULL: nothing seen from the host */
    bool rst_forged;                    /* RSTs whose TTL does not fit the host's */
    bool rst_compared;                  /* there was something to compare with */
    bool mixed_failures;
};

/* verdict_text.c */
void verdict_text_cell(struct verdict_item *it, const struct verdict_cell *c,
                       const struct verdict_ctx *x);
void verdict_text_untested(struct verdict_item *it, const struct verdict_capture_point *cp);
void verdict_text_capture_point(struct verdict_capture_point *cp);
void verdict_add_evidence(struct verdict_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
