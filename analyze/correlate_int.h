/* analyze/correlate_int.h: what correlate.c shares with correlate_points.c: each capture
 * point's addresses as both captures show them, and when each capture last saw a request of
 * one host pair arrive. Private to the correlation. */
#ifndef FW_CORRELATE_INT_H
#define FW_CORRELATE_INT_H

#include "correlate.h"

/* A capture point's addresses: the one its own capture named, its other family's, and the
 * ones the two captures together show (at most one more per family). */
#define CORR_MAX_ADDRS 4

struct corr_points {
    struct fw_addr addr[2][CORR_MAX_ADDRS];
    size_t n[2];
    uint32_t learned[2]; /* of those, how many the captures together showed */
};

/* Both sides' addresses: host and host2, and what the two captures show beyond them. The
 * same whichever side is given first. */
void corr_points_learn(const struct correlate_side *s0, const struct correlate_side *s1,
                       struct corr_points *p);
bool corr_points_is(const struct corr_points *p, int v, const struct fw_addr *a);

/* When one capture last saw a request from one host to another: that capture was still
 * receiving that pair's requests then. Sorted by pair; made by corr_last_build. */
struct corr_last {
    struct fw_addr from, to;
    uint64_t last_us;
};
struct corr_last_table {
    struct corr_last *e;
    size_t n;
};
int corr_last_build(const struct correlate_side *s, struct corr_last_table *t);
/* The last request time of (from, to) in t; 0 if none. */
uint64_t corr_last_of(const struct corr_last_table *t, const struct fw_addr *from,
                      const struct fw_addr *to);
void corr_last_free(struct corr_last_table *t);

#endif
