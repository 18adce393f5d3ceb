/* analyze/correlate.c: matching the attempts of two captures and classifying each from both
 * ends (see correlate.h). Both sides are sorted by key (proto, hosts, ports, ISN) once, so
 * matching is O(n log n) on the capped lists the collectors keep. Which capture is given first
 * never changes a verdict. Each capture point's addresses as both captures show them are
 * correlate_points.c's; settling and words are left to verdict.c and diagnose/, reading and
 * printing to ui/. */
#include "correlate.h"
#include "correlate_int.h"

#include <stdlib.h>
#include <string.h>

/* One side's attempts, sorted by key then time, with what matching has used. */
struct corr_index {
    const struct correlate_side *side;
    size_t *order;
    bool *used;
    int v;                        /* which capture: 0 or 1 */
    const struct corr_points *pt; /* both captures' addresses */
    struct corr_last_table last;  /* its latest request per host pair */
};

static int key_cmp(const struct verdict_seen *x, const struct verdict_seen *y)
{
    if (x->a.proto != y->a.proto)
        return (int)x->a.proto - (int)y->a.proto;
    int d = fw_addr_cmp(&x->a.from, &y->a.from);
    if (d == 0)
        d = fw_addr_cmp(&x->a.to, &y->a.to);
    if (d != 0)
        return d;
    if (x->a.port != y->a.port)
        return (int)x->a.port - (int)y->a.port;
    if (x->sport != y->sport)
        return (int)x->sport - (int)y->sport;
    return x->isn < y->isn ? -1 : x->isn > y->isn;
}

static const struct correlate_side *sort_side; /* qsort has no context argument in C11 */

static int order_cmp(const void *pa, const void *pb)
{
    const struct verdict_seen *x = &sort_side->seen[*(const size_t *)pa];
    const struct verdict_seen *y = &sort_side->seen[*(const size_t *)pb];
    int d = key_cmp(x, y);
    if (d != 0)
        return d;
    if (x->a.first_us != y->a.first_us)
        return x->a.first_us < y->a.first_us ? -1 : 1;
    /* Ties in the order kept: the same files match the same way on every run. */
    return x < y ? -1 : x > y;
}

static int index_init(struct corr_index *ix, const struct correlate_side *s)
{
    ix->side = s;
    ix->order = malloc((s->n > 0 ? s->n : 1) * sizeof *ix->order);
    ix->used = calloc(s->n > 0 ? s->n : 1, sizeof *ix->used);
    if (ix->order == NULL || ix->used == NULL)
        return FW_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        ix->order[i] = i;
    sort_side = s;
    if (s->n > 1)
        qsort(ix->order, s->n, sizeof *ix->order, order_cmp);
    return 0;
}

static void index_fini(struct corr_index *ix)
{
    free(ix->order);
    free(ix->used);
    corr_last_free(&ix->last);
}

/* The first position in ix->order whose key is not below x's; *end: past the equal ones. */
static size_t index_range(const struct corr_index *ix, const struct verdict_seen *x, size_t *end)
{
    size_t lo = 0, hi = ix->side->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&ix->side->seen[ix->order[mid]], x) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t e = lo;
    while (e < ix->side->n && key_cmp(&ix->side->seen[ix->order[e]], x) == 0)
        e++;
    *end = e;
    return lo;
}

static int i64_cmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return a < b ? -1 : a > b;
}

static int offset_of(const struct corr_index *i0, const struct corr_index *i1, int64_t *off,
                     uint32_t *pairs)
{
    const struct correlate_side *s0 = i0->side, *s1 = i1->side;
    int64_t *d = malloc((s0->n > 0 ? s0->n : 1) * sizeof *d);
    if (d == NULL)
        return FW_ENOMEM;
    size_t n = 0;
    for (size_t k = 0; k < s0->n;) {
        const struct verdict_seen *x = &s0->seen[i0->order[k]];
        size_t end0 = k + 1;
        while (end0 < s0->n && key_cmp(&s0->seen[i0->order[end0]], x) == 0)
            end0++;
        size_t end1, b = index_range(i1, x, &end1);
        /* TCP: the ISN makes the key one connection (a repeat is its retransmission). */
        if (b < end1 && (x->a.proto == 6 || (end0 - k == 1 && end1 - b == 1)))
            d[n++] = (int64_t)s1->seen[i1->order[b]].a.first_us - (int64_t)x->a.first_us;
        k = end0;
    }
    *pairs = (uint32_t)n;
    if (n > 0) {
        qsort(d, n, sizeof *d, i64_cmp);
        *off = n % 2 == 1 ? d[n / 2] : d[n / 2 - 1] + (d[n / 2] - d[n / 2 - 1]) / 2;
    }
    free(d);
    return 0;
}

bool correlate_offset(const struct correlate_side *s0, const struct correlate_side *s1,
                      int64_t *offset_us, uint32_t *pairs)
{
    struct corr_index i0 = {0}, i1 = {0};
    *pairs = 0;
    if (index_init(&i0, s0) == 0 && index_init(&i1, s1) == 0)
        offset_of(&i0, &i1, offset_us, pairs);
    index_fini(&i0);
    index_fini(&i1);
    return *pairs > 0;
}

/* A request takes less than this to cross a path (a satellite hop is 300 ms one way): a far
 * capture that ended sooner after it left may simply not have seen it yet. */
#define CORRELATE_ARRIVAL_US 100000

/* The far capture saw the request arrive and a refusal leave, the near one no answer: the
 * refusal was lost on the way back. When the host refused itself (its own port unreachable,
 * its own RST) nothing listens there: the port is closed, and what the requester needs is the
 * service started, not a rule for the refusal (explain_host_closed.c); the refusal is kept so
 * that the evidence can name it. Another sender's refusal seen there stays an answer lost. */
static void refusal_lost(struct verdict_attempt *a, const struct verdict_attempt *far)
{
    bool host_icmp = far->outcome == VO_ICMP_PORT && fw_addr_eq(&far->icmp_from, &far->to);
    bool own = far->outcome == VO_RST ? !far->rst_forged : host_icmp && a->proto != 6;
    /* About TCP the host's port unreachable is its own firewall's reject, not a closed port
     * (explain_fw_reject.c): the request met that rule, whether its answer got back or not. */
    a->outcome = own ? VO_REFUSAL_LOST : host_icmp ? VO_ICMP_PORT : VO_ANSWER_LOST;
    if (a->outcome == VO_ANSWER_LOST)
        return;
    a->icmp_type = far->icmp_type;
    a->icmp_code = far->icmp_code;
    a->icmp_from = far->icmp_from;
    a->ans_ttl = far->ans_ttl;
    a->ans_frame = far->ans_frame; /* the near capture holds none */
    a->ans_in_far = true;
}

/* The request as its far end saw it decides what the near end's silence or refusal means. */
static struct verdict_attempt combine(const struct verdict_seen *near,
                                      const struct verdict_seen *far, bool far_at_to,
                                      bool far_ended_early)
{
    struct verdict_attempt a = near->a;
    enum verdict_outcome n = near->a.outcome, f;
    bool near_silent = n == VO_NO_ANSWER || n == VO_REPLY_LOST;
    if (far == NULL) {
        if (!far_at_to || far_ended_early) {
            /* The other capture was not taken on the far host, or ended before the request
             * could arrive: it proves nothing, and the near capture's own judgement stands. */
            if (n == VO_RST && near->a.rst_forged) {
                a.outcome = VO_RST_FORGED;
                a.forged_by_near = true;
            }
            return a;
        }
        if (near_silent)
            a.outcome = VO_NEVER_ARRIVED;
        else if (n == VO_RST)
            a.outcome = VO_RST_FORGED; /* the host never saw the request it "answered" */
        return a;
    }
    a.far_frame = far->a.req_frame;
    f = far->a.outcome;
    if (f == VO_ANSWERED || f == VO_REPLY_LOST) {
        /* The host answered: a SYN-ACK that reached the requester is an answer (the far end's
         * repeated SYNs were its retransmissions crossing the SYN-ACK). */
        if (n == VO_NO_ANSWER && a.proto != 6 && near->a.host_unseen)
            a.outcome = VO_ANSWER_UNSEEN; /* the near capture holds no answer of the host's:
                                           * not that none got back (explain_one_way.c) */
        else if (near_silent)
            a.outcome = n == VO_REPLY_LOST ? VO_ANSWERED : VO_ANSWER_LOST;
        else if (n == VO_ANSWER_UNSEEN)
            a.outcome = VO_ANSWERED; /* the far capture holds the answer the near one missed */
        else if (n == VO_RST)
            a.outcome = VO_RST_FORGED;
    } else if (f == VO_RST || f == VO_ICMP_PORT) {
        /* The host refused itself (closed): lost on the way back if the requester saw none. */
        if (near_silent)
            refusal_lost(&a, &far->a);
        else if (n == VO_RST && f != VO_RST)
            a.outcome = VO_RST_FORGED;
    } else if (f == VO_NO_ANSWER && far->a.host_unseen) {
        /* The host's own capture holds none of its packets (inbound only): whether it answered
         * is not there to see; the near capture's reading stands. */
    } else if (f == VO_NO_ANSWER) {
        if (near_silent)
            a.outcome = VO_SILENT_AFTER_ARRIVAL;
        else if (n == VO_RST)
            a.outcome = VO_RST_FORGED;
    } else if (f == VO_RESET_ON_PATH && n == VO_ANSWERED) {
        /* The far capture saw a RST made on the way kill the connection the near one saw
         * open: the far one's reading stands. Its TTL counts routers from the far capture, not
         * from the requester's: no frame and no device are named from it here. */
        a.outcome = VO_RESET_ON_PATH;
        a.ans_ttl = far->a.ans_ttl;
        a.ans_frame = 0;
    } else if (f == VO_STALLED && n == VO_ANSWERED) {
        /* The far end sent its data again and again, the near end saw it stop: cut on the way
         * after the handshake (a firewall that dropped the connection's state), although the
         * near end had nothing of its own to send again. */
        a.outcome = VO_STALLED;
        verdict_stall_copy(&a, &far->a);
    }
    if (a.outcome == VO_ANSWER_LOST)
        a.answers = far->a.answers;
    return a;
}

static bool addr_is(const struct corr_index *ix, const struct fw_addr *a)
{
    return corr_points_is(ix->pt, ix->v, a);
}

static uint64_t abs_diff(int64_t a, int64_t b)
{
    return a > b ? (uint64_t)(a - b) : (uint64_t)(b - a);
}

/* The unused attempt in the other index nearest to x's time (after the offset), if any. */
static const struct verdict_seen *match_of(struct corr_index *o, const struct verdict_seen *x,
                                           int64_t off_to_o)
{
    size_t end, b = index_range(o, x, &end), best = SIZE_MAX;
    uint64_t best_d = CORRELATE_WINDOW_US + 1;
    int64_t want = (int64_t)x->a.first_us + off_to_o;
    for (size_t k = b; k < end; k++) {
        if (o->used[o->order[k]])
            continue;
        uint64_t d = abs_diff((int64_t)o->side->seen[o->order[k]].a.first_us, want);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    if (best == SIZE_MAX)
        return NULL;
    o->used[o->order[best]] = true;
    return &o->side->seen[o->order[best]];
}

/* Capture v's attempts where v is the requester's side, each with its match in oth. */
static void run_near(struct corr_index *ix, struct corr_index *oth, int v, int64_t off,
                     struct verdict_collector *out, struct correlate_result *res)
{
    const struct correlate_side *s = ix->side;
    for (size_t i = 0; i < s->n; i++) {
        const struct verdict_seen *x = &s->seen[i];
        if (ix->used[i] || !addr_is(ix, &x->a.from))
            continue;
        ix->used[i] = true;
        const struct verdict_seen *far = match_of(oth, x, v == 0 ? off : -off);
        if (far != NULL)
            res->matched++;
        else
            res->only[v]++;
        /* The far capture ended before the request could have arrived (on its clock), unless
         * it saw a later request of the same pair arrive: this one had the time too. */
        int64_t far_t = (int64_t)x->a.first_us + (v == 0 ? off : -off);
        bool early = oth->side->end_us != 0 &&
                     (int64_t)oth->side->end_us < far_t + CORRELATE_ARRIVAL_US &&
                     (int64_t)corr_last_of(&oth->last, &x->a.from, &x->a.to) <= far_t;
        struct verdict_attempt a = combine(x, far, addr_is(oth, &x->a.to), early);
        verdict_collector_add(out, &a, x->evicted || (far != NULL && far->evicted));
    }
}

/* Of two views of one attempt that neither capture took at its requester, whether x's stands
 * before y's: the one nearer the requester (fewer routers took from the request's TTL), else
 * the one not taken at the responder, else the one with the answer. Never the order the
 * captures were given in. */
static bool view_first(const struct verdict_seen *x, bool x_at_to, const struct verdict_seen *y,
                       bool y_at_to)
{
    unsigned hx = x->a.req_ttl != 0 ? verdict_hops(x->a.req_ttl) : 256;
    unsigned hy = y->a.req_ttl != 0 ? verdict_hops(y->a.req_ttl) : 256;
    if (hx != hy)
        return hx < hy;
    if (x_at_to != y_at_to)
        return !x_at_to;
    return x->a.outcome <= y->a.outcome;
}

/* The rest: attempts seen only where they arrived (the requester's capture, if any, never saw
 * them leave), or between hosts neither capture was taken on. One capture's view stands (the
 * one view_first puts first when both saw it); its match in the other is marked used so that
 * the attempt counts once. */
static void run_rest(struct corr_index *ix, struct corr_index *oth, int v, int64_t off,
                     struct verdict_collector *out, struct correlate_result *res)
{
    for (size_t i = 0; i < ix->side->n; i++) {
        if (ix->used[i])
            continue;
        const struct verdict_seen *x = &ix->side->seen[i], *keep = x;
        ix->used[i] = true;
        const struct verdict_seen *m = match_of(oth, x, v == 0 ? off : -off);
        if (m != NULL)
            res->matched++;
        else
            res->only[v]++;
        bool x_at_to = addr_is(ix, &x->a.to), m_at_to = addr_is(oth, &x->a.to);
        if (!x_at_to && !m_at_to)
            res->unplaced++;
        if (m != NULL && !view_first(x, x_at_to, m, m_at_to))
            keep = m;
        verdict_collector_add(out, &keep->a, x->evicted || (m != NULL && m->evicted));
    }
}

int correlate_run(const struct correlate_side *s0, const struct correlate_side *s1,
                  struct verdict_collector *out, struct correlate_result *res)
{
    struct corr_index i0 = {0}, i1 = {0};
    int rc = FW_ENOMEM;
    memset(res, 0, sizeof *res);
    struct corr_points pt;
    corr_points_learn(s0, s1, &pt);
    if (index_init(&i0, s0) != 0 || index_init(&i1, s1) != 0 ||
        corr_last_build(s0, &i0.last) != 0 || corr_last_build(s1, &i1.last) != 0)
        goto fail;
    i0.v = 0;
    i1.v = 1;
    i0.pt = i1.pt = &pt;
    res->same_host = s0->host.family != 0 && fw_addr_eq(&s0->host, &s1->host);
    int64_t off = 0;
    if (offset_of(&i0, &i1, &off, &res->offset_pairs) != 0)
        goto fail;
    res->offset_known = res->offset_pairs > 0;
    res->offset_us = off;
    if (res->same_host) {
        res->only[0] = (uint32_t)s0->n;
        res->only[1] = (uint32_t)s1->n;
        rc = 0;
        goto fail;
    }
    run_near(&i0, &i1, 0, off, out, res);
    run_near(&i1, &i0, 1, off, out, res);
    run_rest(&i0, &i1, 0, off, out, res);
    run_rest(&i1, &i0, 1, off, out, res);
    rc = 0;
fail:
    index_fini(&i0);
    index_fini(&i1);
    return rc;
}
