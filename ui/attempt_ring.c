/* ui/attempt_ring.c: the ring of recent attempts behind the view's attempts pane. Fixed size,
 * allocated once: a long live capture keeps the last ATTEMPT_RING_CAP and counts the rest,
 * rather than grow without bound. Reading it is the view model's. */
#include "attempt_ring.h"

#include <stdlib.h>
#include <string.h>

#include "capture/frame.h"

int attempt_ring_init(struct attempt_ring *r, size_t cap)
{
    *r = (struct attempt_ring){ NULL, cap != 0 ? cap : ATTEMPT_RING_CAP, 0, 0, 0 };
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
                           conn_state_name(c->state), "", c->first_frame, c->vantage };
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
