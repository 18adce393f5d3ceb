/* analyze/correlate.h: two captures of the same test, one per server. It matches the attempts
 * both captures saw (TCP by 5-tuple and initial sequence number, UDP by 5-tuple, ICMP echo by
 * host pair, the last two nearest in time), estimates the clock offset between the two
 * machines (the median of the time differences of the matched requests), and classifies each
 * attempt from both ends: never arrived, arrived and not answered, answered and the answer
 * lost, refused in the host's name by someone else. The combined attempts go into a verdict
 * collector (verdict_collector_add), which settles and words them like any other. Reading
 * the captures and printing are left to others; pure C, no I/O. */
#ifndef FW_CORRELATE_H
#define FW_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "verdict.h"

/* UDP and echo requests are matched to the nearest one in the other capture within this
 * window, after the clock offset is taken off: test tools repeat the same request seconds
 * apart, never minutes. */
#define CORRELATE_WINDOW_US 30000000ull

/* What one side of the correlation is: its attempts, and the host it was captured on. */
struct correlate_side {
    const struct verdict_seen *seen;
    size_t n;
    struct fw_addr host;  /* the capture point; family 0 if unknown */
    struct fw_addr host2; /* its address of the other family; family 0 if none */
    uint64_t end_us;      /* its last frame's time, on its own clock; 0: not known */
};

struct correlate_result {
    uint32_t matched;           /* attempts seen in both captures */
    uint32_t offset_pairs;      /* unambiguous matches the offset rests on */
    uint32_t only[2];           /* attempts only capture 0 (resp. 1) saw */
    uint32_t unplaced;          /* attempts between hosts neither capture was taken on */
    bool offset_known;
    int64_t offset_us;          /* capture 1's clock minus capture 0's */
    bool same_host;             /* both captures were taken on one host: nothing to combine */
};

/* The clock offset from the unambiguous matches: TCP attempts by 5-tuple and ISN (the same
 * whatever the clocks say), UDP and echo only when their key occurs once in each capture.
 * The median of t1 - t0, so a few wrong pairs do not move it. False if none matched. */
bool correlate_offset(const struct correlate_side *s0, const struct correlate_side *s1,
                      int64_t *offset_us, uint32_t *pairs);

/* Matches both sides and adds every attempt, classified from both ends where both were
 * captured, to out (a collector made with cfg.combined). Returns 0, or FW_ENOMEM. */
int correlate_run(const struct correlate_side *s0, const struct correlate_side *s1,
                  struct verdict_collector *out, struct correlate_result *res);

#endif
