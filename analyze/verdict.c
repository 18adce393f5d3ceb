/* analyze/verdict.c: the verdict collector (see verdict.h). Ended flows come in; attempts are
 * aggregated into a capped hash of cells, senders into a capped table of host observations;
 * settling turns cells into verdicts, adds UNTESTED entries for the profile's ports and
 * infers the capture point. Both tables are capped (a verdict list must not grow with a busy
 * server's traffic); what did not fit is counted. Words are left to verdict_text.c. */
#include "verdict_int.h"

#include <stdlib.h>
#include <string.h>

#include "../capture/frame.h"
#include "flow.h"

#define UNTESTED_MAX_RANGE 16 /* ranges up to this wide (135-139) get UNTESTED entries */

struct verdict_collector {
    struct verdict_config cfg;
    struct verdict_cell *cells;
    uint32_t ncells, cells_cap, *cell_buckets, cell_nb;
    struct verdict_host *hosts;
    uint32_t nhosts, hosts_cap, *host_buckets, host_nb;
    uint64_t cells_overflow;
    struct verdict_item *items;
    size_t nitems, items_cap;
    struct verdict_capture_point cp;
};

static uint32_t pow2_at_least(uint32_t n)
{
    uint32_t p = 16;
    while (p < n && p < (1u << 30))
        p <<= 1;
    return p;
}

static uint32_t hash_bytes(const uint8_t *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u; /* FNV-1a */
    return h;
}

static uint32_t addr_hash(const struct fw_addr *a, uint32_t h)
{
    h = hash_bytes(&a->family, 1, h);
    return hash_bytes(a->b, sizeof a->b, h);
}

struct verdict_collector *verdict_collector_new(const struct verdict_config *cfg)
{
    struct verdict_collector *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->cfg = *cfg;
    if (c->cfg.max_cells == 0)
        c->cfg.max_cells = VERDICT_DEFAULT_MAX_CELLS;
    if (c->cfg.max_hosts == 0)
        c->cfg.max_hosts = VERDICT_DEFAULT_MAX_HOSTS;
    c->cell_nb = pow2_at_least(c->cfg.max_cells * 2);
    c->host_nb = pow2_at_least(c->cfg.max_hosts * 2);
    c->cell_buckets = calloc(c->cell_nb, sizeof *c->cell_buckets);
    c->host_buckets = calloc(c->host_nb, sizeof *c->host_buckets);
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
    free(c->cells);
    free(c->cell_buckets);
    free(c->hosts);
    free(c->host_buckets);
    free(c->items);
    free(c);
}

/* Grows *arr (of size elem) to hold one more than *cap allows, up to max; false if full. */
static bool grow(void **arr, uint32_t *cap, uint32_t used, uint32_t max, size_t elem)
{
    if (used < *cap)
        return true;
    if (used >= max)
        return false;
    uint32_t n = *cap == 0 ? 64 : *cap * 2;
    if (n > max)
        n = max;
    void *p = realloc(*arr, (size_t)n * elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

static const struct verdict_host *host_find(const struct verdict_collector *c,
                                            const struct fw_addr *a)
{
    uint32_t i = c->host_buckets[addr_hash(a, 2166136261u) & (c->host_nb - 1)];
    for (; i != 0; i = c->hosts[i - 1].next)
        if (fw_addr_eq(&c->hosts[i - 1].addr, a))
            return &c->hosts[i - 1];
    return NULL;
}

static struct verdict_host *host_get(struct verdict_collector *c, const struct fw_addr *a)
{
    struct verdict_host *h = (struct verdict_host *)host_find(c, a);
    if (h != NULL)
        return h;
    if (!grow((void **)&c->hosts, &c->hosts_cap, c->nhosts, c->cfg.max_hosts, sizeof *h))
        return NULL;
    uint32_t b = addr_hash(a, 2166136261u) & (c->host_nb - 1);
    h = &c->hosts[c->nhosts++];
    memset(h, 0, sizeof *h);
    h->addr = *a;
    h->next = c->host_buckets[b];
    c->host_buckets[b] = c->nhosts;
    return h;
}

static uint32_t cell_hash(const struct fw_addr *from, const struct fw_addr *to, uint8_t proto,
                          uint16_t port)
{
    uint32_t h = addr_hash(to, addr_hash(from, 2166136261u));
    uint8_t k[3] = { proto, (uint8_t)(port >> 8), (uint8_t)port };
    return hash_bytes(k, sizeof k, h);
}

static struct verdict_cell *cell_find(const struct verdict_collector *c,
                                      const struct fw_addr *from, const struct fw_addr *to,
                                      uint8_t proto, uint16_t port)
{
    uint32_t i = c->cell_buckets[cell_hash(from, to, proto, port) & (c->cell_nb - 1)];
    for (; i != 0; i = c->cells[i - 1].next) {
        struct verdict_cell *x = &c->cells[i - 1];
        if (x->proto == proto && x->port == port && fw_addr_eq(&x->from, from) &&
            fw_addr_eq(&x->to, to))
            return x;
    }
    return NULL;
}

static struct verdict_cell *cell_get(struct verdict_collector *c, const struct verdict_attempt *a)
{
    struct verdict_cell *x = cell_find(c, &a->from, &a->to, a->proto, a->port);
    if (x != NULL)
        return x;
    if (!grow((void **)&c->cells, &c->cells_cap, c->ncells, c->cfg.max_cells, sizeof *x))
        return NULL;
    uint32_t b = cell_hash(&a->from, &a->to, a->proto, a->port) & (c->cell_nb - 1);
    x = &c->cells[c->ncells++];
    memset(x, 0, sizeof *x);
    x->from = a->from;
    x->to = a->to;
    x->proto = a->proto;
    x->port = a->port;
    x->first_us = a->first_us;
    x->next = c->cell_buckets[b];
    c->cell_buckets[b] = c->ncells;
    return x;
}

static void host_saw(struct verdict_collector *c, const struct fw_addr *a,
                     const struct flow_side *s, bool endpoint)
{
    if (s->pkts == 0)
        return;
    struct verdict_host *h = host_get(c, a);
    if (h == NULL)
        return;
    if (h->pkts == 0 || s->ttl_min < h->ttl_min)
        h->ttl_min = s->ttl_min;
    if (h->pkts == 0 || s->ttl_max > h->ttl_max)
        h->ttl_max = s->ttl_max;
    h->pkts += s->pkts;
    if (endpoint)
        h->flows++;
}

void verdict_collector_observe(struct verdict_collector *c, const struct flow *f, bool evicted)
{
    const struct fw_addr *o = f->orig_is_a ? &f->key.a : &f->key.b;
    const struct fw_addr *r = f->orig_is_a ? &f->key.b : &f->key.a;
    bool two_way = !f->key.one_way;
    host_saw(c, o, &f->side[0], two_way);
    /* A responder that only sent a RST teaches nothing about its TTL: the RST may be forged. */
    if (!(f->kind == FLOW_TCP && f->resp_rst && !f->synack_seen))
        host_saw(c, r, &f->side[1], two_way);

    struct verdict_attempt a;
    if (!verdict_attempt_of(f, &a))
        return;
    struct verdict_cell *x = cell_get(c, &a);
    if (x == NULL) {
        c->cells_overflow++;
        return;
    }
    if (x->counts.by_outcome[a.outcome] == 0)
        x->first[a.outcome] = a;
    if (a.outcome == VO_RST) {
        if (x->counts.by_outcome[VO_RST] == 0 || a.ans_ttl < x->rst_ttl_min)
            x->rst_ttl_min = a.ans_ttl;
        if (x->counts.by_outcome[VO_RST] == 0 || a.ans_ttl > x->rst_ttl_max)
            x->rst_ttl_max = a.ans_ttl;
    }
    x->counts.attempts++;
    x->counts.by_outcome[a.outcome]++;
    x->counts.requests += a.requests;
    x->counts.retransmits += a.retransmits;
    if (evicted)
        x->counts.evicted++;
    if (a.first_us < x->first_us)
        x->first_us = a.first_us;
    if (a.first_us > x->last_us)
        x->last_us = a.first_us;
}

/* --- the capture point ------------------------------------------------------------------- */

/* The capture host's own packets are captured before any router decrements their TTL: hop 0.
 * Routers next to it are hop 0 too, but they are no endpoint of two-way flows; among the
 * hop-0 senders the one in the most flows is the capture point. */
static void infer_capture_point(struct verdict_collector *c)
{
    struct verdict_capture_point *cp = &c->cp;
    memset(cp, 0, sizeof *cp);
    if (c->cfg.local.family != 0) {
        cp->known = true;
        cp->from_config = true;
        cp->addr = c->cfg.local;
        cp->confidence = VERDICT_CONF_HIGH;
        verdict_text_capture_point(cp);
        return;
    }
    const struct verdict_host *best = NULL;
    uint32_t second = 0;
    for (uint32_t i = 0; i < c->nhosts; i++) {
        const struct verdict_host *h = &c->hosts[i];
        if (h->flows == 0 || verdict_hops(h->ttl_max) != 0)
            continue;
        if (best == NULL || h->flows > best->flows ||
            (h->flows == best->flows && fw_addr_cmp(&h->addr, &best->addr) < 0)) {
            if (best != NULL)
                second = best->flows;
            best = h;
        } else if (h->flows > second) {
            second = h->flows;
        }
    }
    if (best != NULL) {
        cp->known = true;
        cp->addr = best->addr;
        cp->confidence = best->flows > second ? VERDICT_CONF_HIGH : VERDICT_CONF_LOW;
    }
    verdict_text_capture_point(cp);
}

/* --- settling ------------------------------------------------------------------------------ */

static const char *service_of(const struct verdict_collector *c, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->proto == proto && (proto == VERDICT_PROTO_ECHO || (port >= p->lo && port <= p->hi)))
            return p->service;
    }
    return "other ports";
}

static struct verdict_item *item_new(struct verdict_collector *c)
{
    if (c->nitems == c->items_cap) {
        size_t n = c->items_cap == 0 ? 64 : c->items_cap * 2;
        void *p = realloc(c->items, n * sizeof *c->items);
        if (p == NULL)
            return NULL;
        c->items = p;
        c->items_cap = n;
    }
    struct verdict_item *it = &c->items[c->nitems++];
    memset(it, 0, sizeof *it);
    return it;
}

static void settle_cell(struct verdict_collector *c, const struct verdict_cell *x,
                        struct verdict_item *it)
{
    it->from = x->from;
    it->to = x->to;
    it->proto = x->proto;
    it->port = x->port;
    const char *svc = service_of(c, x->proto, x->port);
    strncpy(it->service, svc, sizeof it->service - 1);
    it->counts = x->counts;
    it->first_us = x->first_us;
    it->last_us = x->last_us;

    struct verdict_ctx ctx = { .cp = &c->cp, .to_host = host_find(c, &x->to) };
    if (ctx.to_host != NULL && ctx.to_host->pkts == 0)
        ctx.to_host = NULL;
    uint32_t nrst = x->counts.by_outcome[VO_RST];
    if (nrst > 0 && ctx.to_host != NULL) {
        ctx.rst_compared = true;
        /* Forged when no RST fits the range the host's own packets showed. */
        ctx.rst_forged = x->rst_ttl_max < ctx.to_host->ttl_min ||
                         x->rst_ttl_min > ctx.to_host->ttl_max;
    }
    if (nrst > 0 && !ctx.rst_compared && c->cp.known && fw_addr_eq(&c->cp.addr, &x->to))
        ctx.rst_compared = true; /* the capture host's own RST, seen leaving it */
    it->counts.forged_rst = ctx.rst_forged ? nrst : 0;
    it->counts.host_rst = ctx.rst_forged ? 0 : nrst;
    verdict_text_cell(it, x, &ctx);
}

static int proto_rank(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

static int item_cmp(const void *pa, const void *pb)
{
    const struct verdict_item *a = pa, *b = pb;
    bool a_up = fw_addr_cmp(&a->from, &a->to) <= 0, b_up = fw_addr_cmp(&b->from, &b->to) <= 0;
    const struct fw_addr *alo = a_up ? &a->from : &a->to, *ahi = a_up ? &a->to : &a->from;
    const struct fw_addr *blo = b_up ? &b->from : &b->to, *bhi = b_up ? &b->to : &b->from;
    int d = fw_addr_cmp(alo, blo);
    if (d == 0)
        d = fw_addr_cmp(ahi, bhi);
    if (d == 0)
        d = (int)b_up - (int)a_up;
    if (d == 0)
        d = proto_rank(a->proto) - proto_rank(b->proto);
    if (d == 0)
        d = (int)a->port - (int)b->port;
    return d;
}

struct pair {
    struct fw_addr lo, hi;
};

static bool in_profile(const struct verdict_collector *c, uint8_t proto, uint16_t port)
{
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->proto == proto && (proto == VERDICT_PROTO_ECHO || (port >= p->lo && port <= p->hi)))
            return true;
    }
    return false;
}

/* The host pairs under test: --source/--target, or every pair with traffic on the profile. */
static size_t pairs_under_test(const struct verdict_collector *c, struct pair *out)
{
    size_t n = 0;
    if (c->cfg.source.family != 0 && c->cfg.target.family != 0) {
        bool up = fw_addr_cmp(&c->cfg.source, &c->cfg.target) <= 0;
        out[0].lo = up ? c->cfg.source : c->cfg.target;
        out[0].hi = up ? c->cfg.target : c->cfg.source;
        return 1;
    }
    for (uint32_t i = 0; i < c->ncells && n < VERDICT_MAX_PAIRS; i++) {
        const struct verdict_cell *x = &c->cells[i];
        if (!in_profile(c, x->proto, x->port))
            continue;
        bool up = fw_addr_cmp(&x->from, &x->to) <= 0;
        struct pair p = { up ? x->from : x->to, up ? x->to : x->from };
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = fw_addr_eq(&out[j].lo, &p.lo) && fw_addr_eq(&out[j].hi, &p.hi);
        if (!dup)
            out[n++] = p;
    }
    return n;
}

/* Was (proto, port) already offered by an earlier profile entry? (135 is in two services.) */
static bool offered_before(const struct verdict_collector *c, size_t upto, uint8_t proto,
                           uint16_t port)
{
    for (size_t i = 0; i < upto; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->proto == proto && p->hi - p->lo < UNTESTED_MAX_RANGE &&
            (proto == VERDICT_PROTO_ECHO || (port >= p->lo && port <= p->hi)))
            return true;
    }
    return false;
}

static int add_untested(struct verdict_collector *c, const struct fw_addr *from,
                        const struct fw_addr *to)
{
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->hi < p->lo || p->hi - p->lo >= UNTESTED_MAX_RANGE)
            continue;
        for (uint32_t port = p->lo; port <= p->hi; port++) {
            uint16_t pt = p->proto == VERDICT_PROTO_ECHO ? 0 : (uint16_t)port;
            if (offered_before(c, i, p->proto, pt) || cell_find(c, from, to, p->proto, pt))
                continue;
            struct verdict_item *it = item_new(c);
            if (it == NULL)
                return FW_ENOMEM;
            it->from = *from;
            it->to = *to;
            it->proto = p->proto;
            it->port = pt;
            strncpy(it->service, p->service, sizeof it->service - 1);
            verdict_text_untested(it, &c->cp);
            if (p->proto == VERDICT_PROTO_ECHO)
                break;
        }
    }
    return 0;
}

int verdict_collector_settle(struct verdict_collector *c)
{
    c->nitems = 0;
    infer_capture_point(c);
    for (uint32_t i = 0; i < c->ncells; i++) {
        struct verdict_item *it = item_new(c);
        if (it == NULL)
            return FW_ENOMEM;
        settle_cell(c, &c->cells[i], it);
    }
    struct pair pairs[VERDICT_MAX_PAIRS];
    size_t np = pairs_under_test(c, pairs);
    for (size_t i = 0; i < np; i++) {
        if (add_untested(c, &pairs[i].lo, &pairs[i].hi) != 0 ||
            add_untested(c, &pairs[i].hi, &pairs[i].lo) != 0)
            return FW_ENOMEM;
    }
    if (c->nitems > 1)
        qsort(c->items, c->nitems, sizeof *c->items, item_cmp);
    return 0;
}

size_t verdict_count(const struct verdict_collector *c)
{
    return c == NULL ? 0 : c->nitems;
}

const struct verdict_item *verdict_at(const struct verdict_collector *c, size_t i)
{
    return c != NULL && i < c->nitems ? &c->items[i] : NULL;
}

const struct verdict_capture_point *verdict_capture_point(const struct verdict_collector *c)
{
    return &c->cp;
}

uint64_t verdict_cells_overflow(const struct verdict_collector *c)
{
    return c->cells_overflow;
}
