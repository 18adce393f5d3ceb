/* ui/attempt_ring.h: the last attempts seen, for the interactive view's attempts pane. A
 * bounded ring of copies of the conn_records that are attempts (a TCP SYN from the
 * originator, UDP, an ICMP echo request), newest kept, oldest dropped and counted: the view
 * lists them, the report and the verdicts do not depend on it. Only the paths that show the
 * view fill one, so the others pay nothing. */
#ifndef FW_ATTEMPT_RING_H
#define FW_ATTEMPT_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/conn.h"

#define ATTEMPT_RING_CAP 2048 /* a few screens of scrolling; 2048 x ~100 bytes */
#define ATTEMPT_HISTORY_LEN 24 /* an attempt's history is short; longer ones are cut */

struct attempt {
    uint64_t ts_us;
    struct fw_addr orig_h, resp_h;
    uint16_t orig_p, resp_p; /* ICMP: the message type, and the answer's */
    uint8_t ip_proto;
    const char *state;       /* conn_state_name(): static text */
    char history[ATTEMPT_HISTORY_LEN];
    uint64_t first_frame;
    int vantage;
};

struct attempt_ring {
    struct attempt *slot; /* cap entries; NULL when the allocation failed (the ring stays empty) */
    size_t cap, next, n;  /* next: where the next one goes; n: how many are kept */
    uint64_t dropped;     /* older attempts overwritten */
};

/* cap 0 means ATTEMPT_RING_CAP. Returns 0, or FW_ENOMEM (the ring then keeps nothing). */
int attempt_ring_init(struct attempt_ring *r, size_t cap);
void attempt_ring_fini(struct attempt_ring *r);

/* True when c is an attempt: TCP whose history starts with the originator's SYN, UDP, or an
 * ICMP or ICMPv6 echo request. */
bool attempt_is(const struct conn_record *c);
/* Copies c in when it is an attempt; the oldest goes when the ring is full. */
void attempt_ring_add(struct attempt_ring *r, const struct conn_record *c);

size_t attempt_ring_count(const struct attempt_ring *r);
/* The i-th newest (0: the last one added); NULL past the end. */
const struct attempt *attempt_ring_at(const struct attempt_ring *r, size_t i);
uint64_t attempt_ring_dropped(const struct attempt_ring *r);

#endif
