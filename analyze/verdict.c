/* analyze/verdict.c: the verdict collector (see verdict.h). Ended flows come in; attempts are
 * aggregated into a capped hash of cells, senders into a capped table of host observations,
 * and with two captures the attempts themselves into a capped list for correlate.c. All are
 * capped (a verdict list must not grow with a busy server's traffic); what did not fit is
 * counted. The cell table grows with the traffic up to its cap (its buckets with it); a full
 * one makes room by evicting an uninformative cell, the least recently used of a list kept as
 * cells change (cell_evict), so no insertion scans.
 * Settling is left to verdict_settle.c, their meaning and words to diagnose/. */
#include "verdict_int.h"

#include <stdlib.h>
#include <string.h>

#include "../capture/frame.h"
#include "../common/mem.h"
#include "flow.h"
#include "siphash.h"

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 16;
    while (p < n && p < (1u << 30))
        p <<= 1;
    return p;
}

/* Whoever writes a capture chooses its addresses and ports, and so the cells' and hosts' keys:
 * under a hash they can compute (a constant basis) they could put every cell in one chain and
 * make each attempt walk up to --max-verdicts cells. SipHash-1-3 under a key drawn per
 * collector (siphash.h, as the flow table's) cannot be aimed without that key. No output
 * shows the hashes or follows their order: the cells and hosts are kept, and settled, in the
 * order they came. */
static uint64_t addr_hash(const struct verdict_collector *c, const struct fw_addr *a)
{
    uint64_t w[3] = { 0, 0, a->family };
    memcpy(w, a->b, sizeof a->b);
    return siphash13_words(&c->key, w, 3);
}

static uint64_t cell_hash(const struct verdict_collector *c, const struct fw_addr *from,
                          const struct fw_addr *to, uint8_t proto, uint16_t port)
{
    uint64_t w[5];
    memcpy(&w[0], from->b, sizeof from->b);
    memcpy(&w[2], to->b, sizeof to->b);
    w[4] = (uint64_t)from->family | (uint64_t)to->family << 8 | (uint64_t)proto << 16 |
           (uint64_t)port << 32;
    return siphash13_words(&c->key, w, 5);
}

uint64_t verdict_cell_hash(const struct verdict_collector *c, const struct fw_addr *from,
                           const struct fw_addr *to, uint8_t proto, uint16_t port)
{
    return cell_hash(c, from, to, proto, port);
}

struct verdict_collector *verdict_collector_new(const struct verdict_config *cfg)
{
    struct verdict_collector *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->cfg = *cfg;
    c->changed = true; /* the first settle lists the untested ports, with no attempt yet */
    c->epoch = 1;      /* a new cell's is 0: judged at its first settle */
    if (c->cfg.max_cells == 0)
        c->cfg.max_cells = VERDICT_DEFAULT_MAX_CELLS;
    if (c->cfg.max_hosts == 0)
        c->cfg.max_hosts = VERDICT_DEFAULT_MAX_HOSTS;
    c->key = (struct siphash_key){ cfg->hash_key[0], cfg->hash_key[1] };
    c->cell_nb = pow2_at_least(0); /* grows with the cells (cells_grow) */
    c->host_nb = pow2_at_least(c->cfg.max_hosts * 2);
    c->cell_buckets = fw_zalloc(c->cell_nb, sizeof *c->cell_buckets);
    c->host_buckets = fw_zalloc(c->host_nb, sizeof *c->host_buckets);
    if (c->cell_buckets == NULL || c->host_buckets == NULL) {
        verdict_collector_free(c);
        return NULL;
    }
    return c;
}

void verdict_collector_free(struct verdict_collector *c)
{
    if (c == NULL)
        return;
    VERDICT_ARRAY_FREE(c->cells, c->cells_cap);
    VERDICT_ARRAY_FREE(c->judge, c->judge_cap);
    free(c->cell_buckets);
    VERDICT_ARRAY_FREE(c->pool, c->pool_cap);
    verdict_arena_fini(&c->text);
    verdict_arena_fini(&c->untested_text);
    verdict_arena_fini(&c->service_text);
    VERDICT_ARRAY_FREE(c->hosts, c->hosts_cap);
    free(c->host_buckets);
    VERDICT_ARRAY_FREE(c->cell_items, c->cell_items_cap);
    VERDICT_ARRAY_FREE(c->extra, c->extra_cap);
    verdict_order_fini(c);
    VERDICT_ARRAY_FREE(c->fresh, c->fresh_cap);
    VERDICT_ARRAY_FREE(c->judged, c->judged_cap);
    VERDICT_ARRAY_FREE(c->extra_refs, c->extra_refs_cap);
    VERDICT_ARRAY_FREE(c->worded, c->worded_cap);
    VERDICT_ARRAY_FREE(c->seen, c->seen_cap);
    verdict_collector_free(c->preview);
    free(c);
}

void verdict_collector_clear(struct verdict_collector *c)
{
    verdict_unword(c); /* no item keeps words in a text it does not own */
    memset(c->cell_buckets, 0, (size_t)c->cell_nb * sizeof *c->cell_buckets);
    memset(c->host_buckets, 0, (size_t)c->host_nb * sizeof *c->host_buckets);
    c->ncells = c->nhosts = c->npool = c->pool_spare = c->nseen = 0;
    c->idle_head = c->idle_tail = 0;
    c->cells_overflow = c->cells_evicted = c->cells_evicted_attempts = c->seen_overflow = 0;
    c->nsorted = c->norder = c->nextra = c->nworded = c->npairs = c->ncell_items = 0;
    c->njudged = c->npending = 0;
    c->order_made = false;
    c->untested_made = false;
    c->evicted_seen = 0;
    c->worded_lost = false;
    c->epoch++;
    verdict_arena_reset(&c->text);
    c->changed = true;
}

bool verdict_reserve(void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
    if (*cap >= n)
        return true;
    /* At least doubled: a scratch list sized to each live settle's count would otherwise grow
     * at nearly every settle. What is not written is never faulted in. */
    uint32_t want = *cap > UINT32_MAX / 2 ? UINT32_MAX : *cap * 2;
    if (want < n)
        want = n;
    if (!array_grow(arr, (size_t)*cap * elem, (size_t)want * elem)) {
        if (want == n || !array_grow(arr, (size_t)*cap * elem, (size_t)n * elem))
            return false;
        want = n;
    }
    *cap = want;
    return true;
}

/* Makes room in *arr (of size elem) for element used, its next, growing it up to max; false if
 * full. The caller writes that element next: its pages are faulted in ahead (common/mem.h). */
bool verdict_grow(void **arr, uint32_t *cap, uint32_t used, uint32_t max, size_t elem)
{
    if (used >= *cap) {
        if (used >= max)
            return false;
        uint32_t n = *cap == 0 ? 64 : *cap * 2;
        if (n > max)
            n = max;
        if (!array_grow(arr, (size_t)*cap * elem, (size_t)n * elem))
            return false;
        *cap = n;
        fw_prefault_rest(*arr, used, elem, n);
    }
    fw_prefault_elem(*arr, used, elem, *cap);
    return true;
}

const struct verdict_host *verdict_host_find(const struct verdict_collector *c,
                                            const struct fw_addr *a)
{
    uint32_t i = c->host_buckets[addr_hash(c, a) & (c->host_nb - 1)];
    for (; i != 0; i = c->hosts[i - 1].next)
        if (fw_addr_eq(&c->hosts[i - 1].addr, a))
            return &c->hosts[i - 1];
    return NULL;
}

static struct verdict_host *host_get(struct verdict_collector *c, const struct fw_addr *a)
{
    struct verdict_host *h = (struct verdict_host *)verdict_host_find(c, a);
    if (h != NULL)
        return h;
    if (!verdict_grow((void **)&c->hosts, &c->hosts_cap, c->nhosts, c->cfg.max_hosts,
                      sizeof *h))
        return NULL;
    uint32_t b = (uint32_t)(addr_hash(c, a) & (c->host_nb - 1));
    h = &c->hosts[c->nhosts++];
    memset(h, 0, sizeof *h);
    h->addr = *a;
    c->hosts_made++; /* the cells toward it that found no host look again */
    h->next = c->host_buckets[b];
    c->host_buckets[b] = c->nhosts;
    return h;
}

struct verdict_cell *verdict_cell_find(const struct verdict_collector *c,
                                      const struct fw_addr *from, const struct fw_addr *to,
                                      uint8_t proto, uint16_t port)
{
    uint32_t i = c->cell_buckets[cell_hash(c, from, to, proto, port) & (c->cell_nb - 1)];
    for (; i != 0; i = c->cells[i - 1].next) {
        struct verdict_cell *x = &c->cells[i - 1];
        if (x->proto == proto && x->port == port && fw_addr_eq(&x->from, from) &&
            fw_addr_eq(&x->to, to))
            return x;
    }
    return NULL;
}

bool verdict_port_in_profile(const struct verdict_collector *c, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->proto == proto && (proto == VERDICT_PROTO_ECHO || (port >= p->lo && port <= p->hi)))
            return true;
    }
    return false;
}

/* A cell whose verdict can go unreported: every attempt answered (OPEN), on a port the profile
 * does not name. Failures and profile ports stay, so eviction never hides a blocked path and
 * never turns a tested profile port into UNTESTED. A cell can only stop being evictable (an
 * attempt that was not answered stays counted), so the evictable ones are kept in a list as
 * their attempts come: least recently used first, the cell an eviction takes. */
static void idle_unlink(struct verdict_collector *c, struct verdict_cell *x)
{
    if (x->idle_prev != 0)
        c->cells[x->idle_prev - 1].idle_next = x->idle_next;
    else
        c->idle_head = x->idle_next;
    if (x->idle_next != 0)
        c->cells[x->idle_next - 1].idle_prev = x->idle_prev;
    else
        c->idle_tail = x->idle_prev;
    x->idle_prev = x->idle_next = 0;
}

static void idle_append(struct verdict_collector *c, struct verdict_cell *x)
{
    uint32_t i = (uint32_t)(x - c->cells) + 1;
    x->idle_prev = c->idle_tail;
    x->idle_next = 0;
    if (c->idle_tail != 0)
        c->cells[c->idle_tail - 1].idle_next = i;
    else
        c->idle_head = i;
    c->idle_tail = i;
}

/* Frees the least recently used evictable cell for reuse; NULL if there is none. The cell's
 * one pool slot (its VO_ANSWERED attempt) becomes the spare that the new cell's first attempt
 * takes. */
static struct verdict_cell *cell_evict(struct verdict_collector *c)
{
    if (c->idle_head == 0)
        return NULL;
    uint32_t i = c->idle_head - 1;
    struct verdict_cell *x = &c->cells[i];
    idle_unlink(c, x);
    uint32_t *link = &c->cell_buckets[cell_hash(c, &x->from, &x->to, x->proto, x->port) &
                                      (c->cell_nb - 1)];
    while (*link != i + 1)
        link = &c->cells[*link - 1].next;
    *link = x->next;
    c->cells_evicted++;
    c->cells_evicted_attempts += x->counts.attempts;
    c->pool_spare = x->first[VO_ANSWERED];
    return x;
}

/* Room for one more cell: the array doubles up to the cap, and the buckets follow at twice
 * its capacity (rehashed), so chains stay short at any size and a small capture allocates
 * little. A bucket array that cannot be had leaves longer chains, never a wrong answer. */
static bool cells_grow(struct verdict_collector *c)
{
    uint32_t cap = c->cells_cap;
    if (!verdict_grow((void **)&c->cells, &c->cells_cap, c->ncells, c->cfg.max_cells,
                      sizeof *c->cells))
        return false;
    if (c->judge_cap < c->cells_cap) {
        if (!verdict_reserve((void **)&c->judge, &c->judge_cap, c->cells_cap, sizeof *c->judge))
            return false; /* no room for the cell after all (an eviction may make some) */
        cap = 0; /* the buckets may be owed the growth an earlier call made */
    }
    if (c->cells_cap == cap)
        return true;
    uint32_t nb = pow2_at_least(c->cells_cap * 2);
    uint32_t *b = nb > c->cell_nb ? fw_zalloc(nb, sizeof *b) : NULL;
    if (b == NULL)
        return true;
    for (uint32_t i = 0; i < c->ncells; i++) {
        struct verdict_cell *x = &c->cells[i];
        uint32_t k = (uint32_t)(cell_hash(c, &x->from, &x->to, x->proto, x->port) & (nb - 1));
        x->next = b[k];
        b[k] = i + 1;
    }
    free(c->cell_buckets);
    c->cell_buckets = b;
    c->cell_nb = nb;
    return true;
}

static struct verdict_cell *cell_get(struct verdict_collector *c, const struct verdict_attempt *a)
{
    struct verdict_cell *x = verdict_cell_find(c, &a->from, &a->to, a->proto, a->port);
    if (x != NULL)
        return x;
    if (cells_grow(c))
        x = &c->cells[c->ncells++];
    else if (c->ncells == 0 || (x = cell_evict(c)) == NULL)
        return NULL;
    uint64_t h = cell_hash(c, &a->from, &a->to, a->proto, a->port);
    uint32_t b = (uint32_t)(h & (c->cell_nb - 1));
    memset(x, 0, sizeof *x);
    x->from = a->from;
    x->to = a->to;
    x->proto = a->proto;
    x->port = a->port;
    x->first_us = a->first_us;
    c->judge[x - c->cells] = (struct verdict_judge){.stale = true};
    x->next = c->cell_buckets[b];
    c->cell_buckets[b] = (uint32_t)(x - c->cells) + 1;
    x->evictable = !verdict_port_in_profile(c, a->proto, a->port);
    if (x->evictable)
        idle_append(c, x); /* its first attempt decides whether it stays there */
    return x;
}

/* Makes sure a slot is free before a cell is touched, so an attempt is kept whole or not at
 * all (a cell without the first attempt of an outcome it counts could not be put in words). */
static bool pool_reserve(struct verdict_collector *c)
{
    return c->pool_spare != 0 ||
           verdict_grow((void **)&c->pool, &c->pool_cap, c->npool, UINT32_MAX / 2,
                        sizeof *c->pool);
}

/* Keeps a, in the spare slot an eviction gave back or a new one; pool_reserve() made room. */
static uint32_t pool_keep(struct verdict_collector *c, const struct verdict_attempt *a)
{
    uint32_t slot = c->pool_spare;
    c->pool_spare = 0;
    if (slot == 0)
        slot = ++c->npool;
    c->pool[slot - 1] = *a;
    return slot;
}

static void host_saw(struct verdict_collector *c, const struct fw_addr *a,
                     const struct flow_side *s, bool endpoint)
{
    if (s->pkts == 0)
        return;
    struct verdict_host *h = host_get(c, a);
    if (h == NULL)
        return;
    struct verdict_host was = *h;
    if (h->pkts == 0 || s->ttl_min < h->ttl_min)
        h->ttl_min = s->ttl_min;
    if (h->pkts == 0 || s->ttl_max > h->ttl_max)
        h->ttl_max = s->ttl_max;
    h->pkts += s->pkts;
    if (s->has_mac) {
        if (!h->has_mac) {
            h->has_mac = true;
            memcpy(h->mac, s->mac, sizeof h->mac);
        } else if (memcmp(h->mac, s->mac, sizeof h->mac) != 0) {
            h->mac_mixed = true;
        }
        h->mac_mixed |= s->mac_mixed;
    }
    /* Sent with a full TTL and seen again one lower: a router between two captured links. */
    if (verdict_hops(s->ttl_max) == 0 && s->ttl_max - s->ttl_min == 1)
        h->forwarded = true;
    if (endpoint)
        h->flows++;
    if (was.pkts == 0 || was.ttl_min != h->ttl_min || was.ttl_max != h->ttl_max ||
        was.has_mac != h->has_mac || was.mac_mixed != h->mac_mixed ||
        was.forwarded != h->forwarded)
        h->mod++; /* what evidence_of() reads of it (its packets and flows alone are not) */
}

void verdict_collector_set_capture_drops(struct verdict_collector *c, uint64_t drops)
{
    c->changed |= c->capture_drops != drops;
    c->capture_drops = drops;
}

bool verdict_collector_changed(const struct verdict_collector *c)
{
    return c->changed;
}

void verdict_collector_observe(struct verdict_collector *c, const struct flow *f, bool evicted,
                               uint64_t input_end_us)
{
    const struct fw_addr *o = flow_orig_addr(f);
    const struct fw_addr *r = f->orig_is_a ? &f->key.b : &f->key.a;
    bool two_way = !f->key.one_way;
    c->changed = true; /* the hosts' TTLs and flows, if not an attempt */
    host_saw(c, o, &f->side[0], two_way);
    /* A responder that only sent a RST teaches nothing about its TTL: the RST may be forged. */
    if (!(f->kind == FLOW_TCP && f->resp_rst && !f->synack_seen))
        host_saw(c, r, &f->side[1], two_way);

    struct verdict_attempt a;
    if (!verdict_attempt_of(f, &a))
        return;
    a.vantage = f->vantage;
    if (a.outcome == VO_NO_ANSWER && input_end_us != 0 && input_end_us >= a.first_us &&
        input_end_us - a.first_us < VERDICT_ANSWER_DUE_US) {
        a.late = true;
        a.late_span_us = (uint32_t)(input_end_us - a.first_us);
    }
    a.end_cut = input_end_us != 0 && a.last_us + VERDICT_ANSWER_DUE_US > input_end_us;
    if (c->cfg.keep_attempts > 0) {
        if (verdict_grow((void **)&c->seen, &c->seen_cap, c->nseen, c->cfg.keep_attempts,
                 sizeof *c->seen)) {
            struct verdict_seen *s = &c->seen[c->nseen++];
            s->a = a;
            s->sport = a.proto == VERDICT_PROTO_ECHO ? 0 : f->orig_is_a ? f->key.pa : f->key.pb;
            s->isn = a.proto == 6 ? f->tcp.ep[0].start_seq32 : 0;
            s->evicted = evicted;
        } else {
            c->seen_overflow++; /* counted and shown: an unmatched attempt may be one of these */
        }
    }
    verdict_collector_add(c, &a, evicted);
}

/* A router refused a request to h: counted for the first router and requester it did, with the
 * time, and whether some of the attempt's own requests got no error (more requests than errors
 * quoting them): its ICMP rate limit at work. */
static void note_router_refusal(struct verdict_host *h, const struct verdict_attempt *a)
{
    if (h == NULL)
        return;
    if (h->rtr_refused == 0) {
        h->rtr_from = a->icmp_from;
        h->rtr_req = a->from;
        h->rtr_icmp_type = a->icmp_type;
        h->rtr_icmp_code = a->icmp_code;
    } else if (!fw_addr_eq(&h->rtr_from, &a->icmp_from) || !fw_addr_eq(&h->rtr_req, &a->from)) {
        return;
    }
    if (h->rtr_refused == 0 || a->first_us < h->rtr_first_us)
        h->rtr_first_us = a->first_us;
    /* Its last request, not its first: a refused SYN is sent again and refused again (host
     * unreachable is a soft error to TCP), and the limit goes on as long. */
    uint64_t last = a->last_us > a->first_us ? a->last_us : a->first_us;
    if (last > h->rtr_last_us)
        h->rtr_last_us = last;
    h->rtr_refused++;
    if (a->outcome == VO_ICMP_UNREACH)
        h->rtr_routing = true;
    /* A last request the capture stopped right after may have had its error: not counted. */
    if (a->requests > a->icmp_errors + (a->end_cut ? 1u : 0u)) {
        if (h->rtr_limited++ == 0) {
            h->rtr_limited_proto = a->proto;
            h->rtr_limited_port = a->port;
            h->rtr_limited_requests = a->requests;
            h->rtr_limited_errors = a->icmp_errors;
        }
    }
    h->mod++;
}

void verdict_collector_add(struct verdict_collector *c, const struct verdict_attempt *ap,
                           bool evicted)
{
    struct verdict_attempt a = *ap;
    c->changed = true;
    struct verdict_cell *x = pool_reserve(c) ? cell_get(c, &a) : NULL;
    if (x == NULL) {
        c->cells_overflow++;
        return;
    }
    if (x->counts.by_outcome[a.outcome] == 0)
        x->first[a.outcome] = pool_keep(c, &a);
    if ((a.outcome == VO_NO_ANSWER || a.outcome == VO_SILENT_AFTER_ARRIVAL) &&
        a.first_us > x->silent_last_us)
        x->silent_last_us = a.first_us;
    x->quiet_silent |= a.quiet_silent;
    if ((a.outcome == VO_RST || (a.outcome == VO_ICMP_PORT && fw_addr_eq(&a.icmp_from, &a.to))) &&
        a.first_us > x->refused_last_us) {
        x->refused_last_us = a.first_us;
    }
    if (a.late && a.outcome == VO_NO_ANSWER) {
        x->late++;
        if (a.late_span_us > x->late_span_max_us)
            x->late_span_max_us = a.late_span_us;
    }
    if (a.outcome == VO_ANSWERED && a.rtt_us > 0) {
        struct verdict_host *h = host_get(c, &a.to);
        if (h != NULL && a.rtt_us > h->rtt_max_us) {
            h->rtt_max_us = a.rtt_us;
            h->mod++;
        }
    }
    if (a.outcome == VO_ANSWER_UNSEEN) {
        struct verdict_host *h = host_get(c, &a.to);
        if (h != NULL) {
            h->answered_unseen++;
            h->mod++;
        }
    }
    if (verdict_routing_code_prompt(&a)) {
        struct verdict_host *h = host_get(c, &a.to);
        if (h != NULL && !h->unreach_prompt) {
            h->unreach_prompt = true;
            h->unreach_prompt_from = a.icmp_from;
            h->mod++;
        }
    }
    if (verdict_router_refusal(&a))
        note_router_refusal(host_get(c, &a.to), &a);
    if (a.outcome == VO_ICMP_PORT && fw_addr_eq(&a.icmp_from, &a.to)) {
        struct verdict_host *h = host_get(c, &a.to);
        if (h != NULL) {
            if (h->refused == 0 || a.first_us < h->refused_first_us)
                h->refused_first_us = a.first_us;
            if (a.first_us > h->refused_last_us)
                h->refused_last_us = a.first_us;
            h->refused++;
            h->mod++;
        }
    }
    if (a.outcome == VO_RST) {
        if (x->counts.by_outcome[VO_RST] == 0 || a.ans_ttl < x->rst_ttl_min)
            x->rst_ttl_min = a.ans_ttl;
        if (x->counts.by_outcome[VO_RST] == 0 || a.ans_ttl > x->rst_ttl_max)
            x->rst_ttl_max = a.ans_ttl;
    }
    if (x->evictable) {
        idle_unlink(c, x);
        x->evictable = a.outcome == VO_ANSWERED;
        if (x->evictable)
            idle_append(c, x); /* the most recently used now */
    }
    c->judge[x - c->cells].stale = true;
    x->counts.attempts++;
    x->counts.by_outcome[a.outcome]++;
    x->counts.synack_after_ack += a.synack_after_ack;
    x->counts.unserved += a.unserved;
    x->counts.resumed += a.resumed;
    x->counts.requests += a.requests;
    x->counts.retransmits += a.retransmits;
    if (evicted)
        x->counts.evicted++;
    if (a.first_us < x->first_us)
        x->first_us = a.first_us;
    if (a.first_us > x->last_us)
        x->last_us = a.first_us;
}
