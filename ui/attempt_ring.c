/* ui/attempt_ring.c: the ring of recent attempts behind the view's attempts pane. Fixed size,
 * allocated once: a long live capture keeps the last ATTEMPT_RING_CAP and counts the rest,
 * rather than grow without bound. Two captures' rings merge into one, so that the pane lists
 * an attempt once however many captures saw it. Reading it is the view model's. */
#include "attempt_ring.h"

#include <stdlib.h>
#include <string.h>

#include "analyze/correlate.h"
#include "capture/frame.h"

int attempt_ring_init(struct attempt_ring *r, size_t cap)
{
    *r = (struct attempt_ring){ NULL, cap != 0 ? cap : ATTEMPT_RING_CAP, 0, 0, 0, 0 };
    r->slot = calloc(r->cap, sizeof *r->slot);
    if (r->slot == NULL) {
        r->cap = 0;
        return FW_ENOMEM;
    }
    return 0;
}

void attempt_ring_fini(struct attempt_ring *r)
{
    free(r->slot);
    *r = (struct attempt_ring){ 0 };
}

bool attempt_is(const struct conn_record *c)
{
    switch (c->ip_proto) {
    case 6:  return c->history[0] == 'S'; /* upper case: the originator's SYN */
    case 17: return true;
    case 1:  return c->orig_p == 8;       /* echo request (RFC 792) */
    case 58: return c->orig_p == 128;     /* echo request (RFC 4443) */
    default: return false;
    }
}

void attempt_ring_add(struct attempt_ring *r, const struct conn_record *c)
{
    if (r->cap == 0 || !attempt_is(c))
        return;
    struct attempt *a = &r->slot[r->next];
    *a = (struct attempt){ c->ts_us, c->orig_h, c->resp_h, c->orig_p, c->resp_p, c->ip_proto,
                           conn_state_name(c->state), "", c->first_frame, c->vantage, 0, NULL,
                           "" };
    size_t len = strnlen(c->history, sizeof c->history);
    len = len < sizeof a->history - 1 ? len : sizeof a->history - 1;
    memcpy(a->history, c->history, len);
    a->history[len] = '\0';
    r->next = (r->next + 1) % r->cap;
    if (r->n < r->cap)
        r->n++;
    else
        r->dropped++;
}

size_t attempt_ring_count(const struct attempt_ring *r)
{
    return r != NULL ? r->n : 0;
}

const struct attempt *attempt_ring_at(const struct attempt_ring *r, size_t i)
{
    if (r == NULL || i >= r->n)
        return NULL;
    return &r->slot[(r->next + r->cap - 1 - i) % r->cap];
}

uint64_t attempt_ring_dropped(const struct attempt_ring *r)
{
    return r != NULL ? r->dropped : 0;
}

/* Modulo 2^64, like attempt_gap(): the times are a file's, and a crafted one would overflow
 * signed arithmetic. */
uint64_t attempt_ring_order_us(const struct attempt_ring *r, const struct attempt *a)
{
    int64_t off = r != NULL && a->vantage == 1 ? r->offset_us : 0;
    return a->ts_us - (uint64_t)off;
}

/* The same attempt in both captures: the same flow key (ICMP: its type, as the answer's type
 * or code differs where the answer was lost) and a start within the window. */
static bool attempt_same(const struct attempt *x, const struct attempt *y)
{
    if (x->ip_proto != y->ip_proto || x->orig_p != y->orig_p ||
        !fw_addr_eq(&x->orig_h, &y->orig_h) || !fw_addr_eq(&x->resp_h, &y->resp_h))
        return false;
    return (x->ip_proto != 6 && x->ip_proto != 17) || x->resp_p == y->resp_p;
}

/* |t1 on capture 0's clock minus t0|, in unsigned arithmetic: the times come from the files,
 * and in int64_t a crafted one would overflow (undefined behaviour). */
static uint64_t attempt_gap(uint64_t t0, uint64_t t1, int64_t offset_us)
{
    uint64_t d = t1 - t0 - (uint64_t)offset_us;
    return d <= INT64_MAX ? d : 0 - d;
}

/* The unused attempt of r1 nearest to a0 in time, or SIZE_MAX. Quadratic, but both rings are
 * bounded (ATTEMPT_RING_CAP each) and it runs once, when a file's analysis is done. */
static size_t attempt_match(const struct attempt *a0, const struct attempt_ring *r1,
                            const bool *used, int64_t offset_us)
{
    size_t best = SIZE_MAX;
    uint64_t best_gap = CORRELATE_WINDOW_US + 1;
    for (size_t j = 0; j < r1->n; j++) {
        const struct attempt *a1 = attempt_ring_at(r1, j);
        uint64_t gap = attempt_gap(a0->ts_us, a1->ts_us, offset_us);
        if (!used[j] && attempt_same(a0, a1) && gap < best_gap) {
            best = j;
            best_gap = gap;
        }
    }
    return best;
}

/* Appends a to out, the other capture's copy (NULL: none) noted in it. */
static void attempt_push(struct attempt_ring *out, const struct attempt *a, unsigned seen,
                         const struct attempt *other)
{
    struct attempt *slot = &out->slot[out->next];
    *slot = *a;
    slot->seen = seen;
    if (other != NULL) {
        slot->other_state = other->state;
        memcpy(slot->other_history, other->history, sizeof slot->other_history);
    }
    out->next = (out->next + 1) % out->cap;
    out->n++;
}

/* Whether an attempt at t (on r's clock, unsigned like attempt_gap()) came before every
 * attempt r kept while r dropped older ones: r may have seen it, and no one can tell. */
static bool attempt_before_kept(const struct attempt_ring *r, uint64_t t)
{
    if (attempt_ring_dropped(r) == 0 || r->n == 0)
        return false;
    uint64_t d = attempt_ring_at(r, r->n - 1)->ts_us - t;
    return d <= INT64_MAX && d > CORRELATE_WINDOW_US;
}

static bool attempt_from(const struct fw_addr *host, const struct attempt *a)
{
    return host->family != 0 && fw_addr_eq(host, &a->orig_h);
}

int attempt_ring_merge(struct attempt_ring *out, const struct attempt_ring *r0,
                       const struct attempt_ring *r1, int64_t offset_us,
                       const struct fw_addr host[2])
{
    size_t n0 = attempt_ring_count(r0), n1 = attempt_ring_count(r1);
    bool *used = calloc(n1 > 0 ? n1 : 1, sizeof *used);
    if (used == NULL || attempt_ring_init(out, n0 + n1 > 0 ? n0 + n1 : 1) != 0) {
        free(used);
        return FW_ENOMEM;
    }
    out->offset_us = offset_us;
    out->dropped = attempt_ring_dropped(r0) + attempt_ring_dropped(r1);
    /* Oldest first, as they were added: the view sorts by time, ties by this order. */
    for (size_t i = n0; i-- > 0;) {
        const struct attempt *a0 = attempt_ring_at(r0, i);
        size_t j = attempt_match(a0, r1, used, offset_us);
        if (j == SIZE_MAX) {
            bool maybe = attempt_before_kept(r1, a0->ts_us + (uint64_t)offset_us);
            attempt_push(out, a0, 1u | (maybe ? ATTEMPT_SEEN_UNKNOWN : 0), NULL);
            continue;
        }
        used[j] = true;
        const struct attempt *a1 = attempt_ring_at(r1, j);
        /* The copy of the capture it left from: its start, state and history are the
         * requester's; the far end's are the other's. */
        if (attempt_from(&host[1], a1) && !attempt_from(&host[0], a0))
            attempt_push(out, a1, 3u, a0);
        else
            attempt_push(out, a0, 3u, a1);
    }
    for (size_t j = n1; j-- > 0;) {
        const struct attempt *a1 = attempt_ring_at(r1, j);
        if (!used[j])
            attempt_push(out, a1, 2u | (attempt_before_kept(r0, a1->ts_us - (uint64_t)offset_us) ?
                                        ATTEMPT_SEEN_UNKNOWN : 0), NULL);
    }
    free(used);
    return 0;
}
