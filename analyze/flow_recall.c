/* analyze/flow_recall.c: what the flow tracker remembers of flows past their end, in two small
 * tables of fixed size, overwritten when full (hints: never needed for a verdict to be right):
 * TCP connections that ended idle while established, so that one speaking again after more
 * than the 5 minutes of inactivity that end a flow is told as the same connection (a
 * firewall's idle timeout, diagnose/explain_idle_timeout.c); and, per requester, when the
 * requests that routers answered with an ICMP error were sent, so that a silent request can be
 * told from one a router's rate limit held back (diagnose/explain_reject_limited.c). */
#include "flow_recall.h"

#include <stdlib.h>
#include <string.h>

#include "siphash.h"

#define IDLE_SLOTS 1024u

/* Not the flow table's hash: its key is drawn at random each run, and which connections share
 * a slot decides what is remembered, so a file's verdicts would change from run to run. A
 * fixed key: a capture crafted to pile connections into one slot only loses hints (the array
 * is fixed, one probe each). */
static struct idle_end *idle_slot(struct flow_tracker *t, const struct flow_key *k)
{
    static const struct siphash_key fixed = { 0, 0 };
    uint64_t w[sizeof *k / 8];
    memcpy(w, k, sizeof w);
    return t->idle != NULL ? &t->idle[siphash13_words(&fixed, w, sizeof w / 8) & (IDLE_SLOTS - 1)]
                           : NULL;
}

/* An established TCP connection that ends idle (its inactivity timeout, or evicted from a full
 * table: the oldest idle flow goes first, an idle connection before all), nothing in flight,
 * no close or reset: kept, in case it speaks again (flow_recall_resume). */
static void keep_idle(struct flow_tracker *t, const struct flow *f, enum conn_end why)
{
    if ((why != CONN_END_TIMEOUT && why != CONN_END_EVICTED) || f->kind != FLOW_TCP ||
        f->side[0].pkts == 0 ||
        f->side[1].pkts == 0 || f->closed || f->tcp.ep[0].fin_cnt > 0 ||
        f->tcp.ep[1].fin_cnt > 0 || f->tcp.ep[0].state == TCP_EP_RESET ||
        f->tcp.ep[1].state == TCP_EP_RESET || flow_data_unacked(f, 0) ||
        flow_data_unacked(f, 1))
        return;
    struct idle_end *e = idle_slot(t, &f->key);
    if (e == NULL)
        return;
    *e = (struct idle_end){ f->key, f->last_us, true,
                            f->resumed ? f->resumed_orig_is_a : f->orig_is_a };
}

/* A new TCP flow whose first segment is no SYN, on the 5-tuple of a connection that ended
 * idle: the same connection speaking again after that silence, by the side that sent it. */
void flow_recall_resume(struct flow_tracker *t, struct flow *f, bool is_orig, uint64_t now_us)
{
    struct idle_end *e = idle_slot(t, &f->key);
    if (e == NULL || !e->used || memcmp(&e->key, &f->key, sizeof e->key) != 0 ||
        now_us < e->last_us + FLOW_IDLE_MIN_US) /* evicted: maybe only a moment ago */
        return;
    f->resumed = true;
    f->resumed_orig_is_a = e->orig_is_a;
    f->idle_gap_ms = flow_idle_ms(now_us - e->last_us);
    f->idle_resumer = is_orig ? 0 : 1;
    f->idle_answered = false;
    e->used = false;
}

#define ERR_SLOTS 256u
#define ERR_RING 64u
/* A router's ICMP limit refills within a second (Linux: one a second per peer after a burst of
 * 6; IOS: one each 500 ms): if it answered none of the requester's requests for that long, it
 * had an error to spend on the next one. (With 1.25 s, a silent SYN 1.1 s after a host-down
 * queue's request read as the limit: reject_limited_test host_down_queue_is_no_reject.) */
#define ERR_QUIET_US 1000000u
/* Requests sent within this of each other (one timer tick of the requester, one burst) reach
 * the limiter in no order the capture can tell: an error for any of them may have been the
 * one the limiter had. Measured on Linux 6.18 (udp6_lab rejectburst): of three SYNs captured
 * 30 us apart, the limiter answered the last. */
#define ERR_SLACK_US 10000u

static uint64_t newest(const struct err_log *l)
{
    return l->at[(l->n - 1) % ERR_RING];
}

/* A requester's log: one of ERR_WAYS slots from a hash of its address (a multiply: every
 * request of an unanswered flow looks here, and the flow table's SipHash cost 6% of the fw
 * bench mix's time; its key is drawn at random each run, and which requesters share slots
 * must not change a file's verdicts). make: take a slot for it, the free one or the one whose
 * newest error is oldest (its history is lost: t->errs_lost). NULL when it has none. */
#define ERR_WAYS 4u
static struct err_log *err_find(struct flow_tracker *t, const struct fw_addr *to, bool make)
{
    if (t->errs == NULL)
        return NULL;
    uint64_t w[2];
    memcpy(w, to->b, sizeof w);
    uint64_t h = (w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull) ^ to->family) * 0xff51afd7ed558ccdull;
    struct err_log *victim = NULL;
    for (uint32_t i = 0; i < ERR_WAYS; i++) {
        struct err_log *l = &t->errs[((h >> 32) + i) & (ERR_SLOTS - 1)];
        if (l->n > 0 && fw_addr_eq(&l->to, to))
            return l;
        if (victim == NULL || (victim->n > 0 && (l->n == 0 || newest(l) < newest(victim))))
            victim = l;
    }
    if (!make)
        return NULL;
    if (victim->n > 0)
        t->errs_lost = true;
    victim->to = *to;
    victim->n = 0;
    return victim;
}

/* A router (not the quoted packet's destination) sent p, an ICMP error, to its requester, about
 * the request sent at req_us: the moment its limiter spent an error. */
void flow_recall_router_error(struct flow_tracker *t, const struct pkt *p, uint64_t req_us)
{
    if (fw_addr_eq(&p->src, &p->quote.dst))
        return;
    struct err_log *l = err_find(t, &p->dst, true);
    if (l != NULL)
        l->at[l->n++ % ERR_RING] = req_us;
}

/* No router answered any request of `to` with an error in the ERR_QUIET_US up to at (nor one
 * sent with it, ERR_SLACK_US): a limiter on the way had an error to spend on a request sent
 * then, and spent none on it. False when the log cannot tell (its oldest kept error is later
 * than the window). */
static bool router_quiet(struct flow_tracker *t, const struct fw_addr *to, uint64_t at)
{
    struct err_log *l = err_find(t, to, false);
    if (l == NULL) /* none logged for it: quiet, unless another's took its slot */
        return !t->errs_lost;
    uint32_t kept = l->n < ERR_RING ? l->n : ERR_RING;
    uint64_t from = at > ERR_QUIET_US ? at - ERR_QUIET_US : 0;
    bool covered = l->n <= ERR_RING;
    for (uint32_t i = 0; i < kept; i++) {
        uint64_t e = l->at[(l->n - 1 - i) % ERR_RING];
        if (e >= from && e <= at + ERR_SLACK_US)
            return false;
        if (e < from)
            covered = true;
    }
    return covered;
}

/* A request of a flow still unanswered, sent now: a candidate when the router errors logged so
 * far leave its requester quiet (an error for a request just before it may still be on its
 * way: flow_recall_end checks again with the whole log). */
void flow_recall_request(struct flow_tracker *t, struct flow *f, uint64_t now_us)
{
    if (f->side[1].pkts > 0 || f->icmp_errors > 0 || now_us < f->first_us)
        return;
    const struct fw_addr *req = flow_orig_addr(f);
    if (!router_quiet(t, req, now_us))
        return;
    uint64_t ms = (now_us - f->first_us) / 1000u + 1u;
    uint32_t at = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
    if (f->quiet_first_ms == 0)
        f->quiet_first_ms = at;
    f->quiet_last_ms = at;
}

/* An unanswered flow with a request that met a quiet router (router_quiet), as the whole log
 * tells now: its silence is no rate limit's. */
static void note_quiet_silence(struct flow_tracker *t, struct flow *f)
{
    if (f->side[0].pkts == 0 || f->side[1].pkts > 0 || f->icmp_errors > 0)
        return;
    const struct fw_addr *req = flow_orig_addr(f);
    uint32_t cand[2] = { f->quiet_first_ms, f->quiet_last_ms };
    for (size_t i = 0; i < 2 && !f->quiet_silent; i++)
        f->quiet_silent = cand[i] != 0 &&
                          router_quiet(t, req, f->first_us + (uint64_t)(cand[i] - 1u) * 1000u);
}

void flow_recall_end(struct flow_tracker *t, struct flow *f, enum conn_end why)
{
    keep_idle(t, f, why);
    note_quiet_silence(t, f);
}

int flow_recall_init(struct flow_tracker *t)
{
    t->idle = calloc(IDLE_SLOTS, sizeof *t->idle);
    t->errs = calloc(ERR_SLOTS, sizeof *t->errs);
    return t->idle != NULL && t->errs != NULL ? 0 : FW_ENOMEM;
}

void flow_recall_fini(struct flow_tracker *t)
{
    free(t->idle);
    t->idle = NULL;
    free(t->errs);
    t->errs = NULL;
}
