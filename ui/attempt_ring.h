/* ui/attempt_ring.h: the last attempts seen, for the interactive view's attempts pane. A
 * bounded ring of copies of the conn_records that are attempts (a TCP SYN from the
 * originator, UDP, an ICMP echo request), newest kept, oldest dropped and counted: the view
 * lists them, the report and the verdicts do not depend on it. Only the paths that show the
 * view fill one, so the others pay nothing. Two captures of one test fill one ring each, then
 * merge them: an attempt both saw is listed once, marked with the captures that saw it. */
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
    int vantage;             /* the capture this copy is from */
    /* Merged rings (attempt_ring_merge): bit v set when capture v saw it; 0: one capture. Seen
     * by both, the copy kept is the requester's capture's, other_* the other capture's view.
     * ATTEMPT_SEEN_UNKNOWN: seen by one, older than all the other kept (it dropped some). */
    unsigned seen;
    const char *other_state;
    char other_history[ATTEMPT_HISTORY_LEN];
};

#define ATTEMPT_SEEN_UNKNOWN 4u

struct attempt_ring {
    struct attempt *slot; /* cap entries; NULL when the allocation failed (the ring stays empty) */
    size_t cap, next, n;  /* next: where the next one goes; n: how many are kept */
    uint64_t dropped;     /* older attempts overwritten */
    int64_t offset_us;    /* merged: capture 1's clock minus capture 0's, to order them */
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

/* Two captures' rings into out (initialised here, freed by attempt_ring_fini): an attempt of
 * one matched in the other (same protocol, hosts and ports, ICMP by its type, nearest in time
 * within CORRELATE_WINDOW_US after offset_us, capture 1's clock minus capture 0's) is kept
 * once, with seen = 3; the others with their own capture's bit. host[v]: where capture v was
 * taken (family 0: unknown), so a matched attempt keeps the copy of the capture it left from.
 * Returns 0, or FW_ENOMEM (out then keeps nothing). */
int attempt_ring_merge(struct attempt_ring *out, const struct attempt_ring *r0,
                       const struct attempt_ring *r1, int64_t offset_us,
                       const struct fw_addr host[2]);
/* a's start on capture 0's clock: what the view orders a merged ring by. */
uint64_t attempt_ring_order_us(const struct attempt_ring *r, const struct attempt *a);

#endif
