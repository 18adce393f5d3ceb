/* analyze/verdict_settle.c: settling the collector's cells into verdicts (verdict.h): the
 * capture point (diagnose/capture_point.c), one item per cell (diagnosed by diagnose/) and
 * per cell of the live preview, judged again only when what it reads changed, UNTESTED items
 * for the profile's ports of the pairs under test, made again only when those pairs or the
 * cells on those ports changed, in a stable order (verdict_order.c); and the getters the ui
 * reads them through. Collecting is verdict.c's, the items' words verdict_words.c's. */
#include "diagnose/diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/frame.h"
#include "../common/mem.h"
#include "path_clues.h"
#include "rpc_ports.h"

#define UNTESTED_MAX_RANGE 16 /* ranges up to this wide (135-139) get UNTESTED entries */

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

/* A TCP port the endpoint mapper named gets its interface and the frame that named it (in
 * service_text, kept while the epoch stays: a port learned moves it); another one in a
 * dynamic RPC range of the profile is "RPC dynamic (range)". NULL: not a dynamic RPC port.
 * was: the cell's service when it was last judged, if in this epoch (else NULL): what the
 * endpoint mapper said of it has not changed since, so its text is taken again. */
static const char *rpc_service(struct verdict_collector *c, const struct verdict_cell *x,
                               const char *was)
{
    if (x->proto != 6 || x->port == 135)
        return NULL;
    const struct rpc_learned *l = rpc_ports_lookup(c->cfg.rpc, &x->to, x->port);
    if (l != NULL && was != NULL)
        return was;
    if (l != NULL) {
        char t[DCERPC_UUID_STRLEN], buf[VERDICT_SERVICE_LEN];
        int n = snprintf(buf, sizeof buf,
                         "RPC dynamic (%s, learned from the endpoint mapper at packet %llu)",
                         dcerpc_iface_text(&l->iface, t, sizeof t),
                         (unsigned long long)l->frame);
        size_t len = n < 0 ? 0 : (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
        if (c->service_epoch != c->epoch) {
            verdict_arena_reset(&c->service_text); /* every item is judged again now */
            c->service_epoch = c->epoch;
        }
        return verdict_arena_keep(&c->service_text, buf, len);
    }
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->rpc_dynamic && p->proto == 6 && x->port >= p->lo && x->port <= p->hi)
            return "RPC dynamic (range)";
    }
    return NULL;
}

/* Item ix of items (cap of them), written for the first time or again. */
static struct verdict_item *item_at(struct verdict_item *items, uint32_t ix, uint32_t cap)
{
    fw_prefault_elem(items, ix, sizeof *items, cap);
    return &items[ix];
}

static void item_init(struct verdict_item *it)
{
    memset(it, 0, sizeof *it);
    it->advice = "";
    it->service = "";
    it->v.routers = -1;
}

/* An UNTESTED item, made anew at this settle. */
static struct verdict_item *extra_new(struct verdict_collector *c)
{
    if (!verdict_grow((void **)&c->extra, &c->extra_cap, c->nextra, UINT32_MAX / 2,
                      sizeof *c->extra))
        return NULL;
    struct verdict_item *it = &c->extra[c->nextra++];
    item_init(it);
    it->settled = c->settles;
    return it;
}

/* The item's key: its cell's. */
static void item_key(struct verdict_item *it, const struct verdict_cell *x)
{
    it->from = x->from;
    it->to = x->to;
    it->proto = x->proto;
    it->port = x->port;
}

/* The item's fields that come from its cell as they are (was: as rpc_service's). */
static void item_fill(struct verdict_collector *c, const struct verdict_cell *x,
                      struct verdict_item *it, const char *was)
{
    it->owner = c;
    item_key(it, x);
    const char *rpc = rpc_service(c, x, was);
    it->rpc_dynamic = rpc != NULL;
    it->service = rpc != NULL ? rpc : service_of(c, x->proto, x->port);
    it->counts = x->counts;
    it->first_us = x->first_us;
    it->last_us = x->last_us;
}

/* Whether the item of cell ix of hc (whose hosts it reads) must be judged again: an attempt
 * came, something every item reads changed (epoch: the settling collector's), or its host did
 * (or, with none then, it has one now: a silent host's cell looks again only when hosts were
 * made since). Reads the cell's judge alone, unless it has no host. */
static bool cell_stale(struct verdict_collector *hc, uint32_t epoch, uint32_t ix)
{
    struct verdict_judge *j = &hc->judge[ix];
    if (j->stale || j->epoch != epoch)
        return true;
    if (j->host_ix != 0)
        return hc->hosts[j->host_ix - 1].mod != j->host_mod;
    if (j->host_mod == hc->hosts_made)
        return false;
    if (verdict_host_find(hc, &hc->cells[ix].to) != NULL)
        return true;
    j->host_mod = hc->hosts_made; /* still none */
    return false;
}

/* Cell ix of hc was judged now, reading host h (NULL: none) of hc. */
static void cell_judged(struct verdict_collector *hc, uint32_t epoch, uint32_t ix,
                        const struct verdict_host *h)
{
    hc->judge[ix] = (struct verdict_judge){
        .epoch = epoch,
        .host_ix = h != NULL ? (uint32_t)(h - hc->hosts) + 1 : 0,
        .host_mod = h != NULL ? h->mod : hc->hosts_made,
        .placed = hc->judge[ix].placed,
        .shadowed = hc->judge[ix].shadowed,
    };
}

static void settle_cell(struct verdict_collector *c, uint32_t ix)
{
    struct verdict_cell *x = &c->cells[ix];
    struct verdict_item *it = item_at(c->cell_items, ix, c->cell_items_cap);
    const char *was = c->judge[ix].epoch == c->epoch ? it->service : NULL;
    item_init(it);
    item_fill(c, x, it, was);
    it->cell_ix = ix + 1;
    it->settled = c->settles;
    struct evidence e;
    evidence_of(c, x, &e);
    e.rpc_dynamic = it->rpc_dynamic;
    diagnose_cell(it, &e, false);
    diagnose_where(it, &e);
    x->rst_forged = e.rst_forged;
    cell_judged(c, c->epoch, ix, e.to_refusals); /* the host at x->to, packets or not */
}

/* The kept attempts learn what their capture judged of their RSTs (a combination with a far
 * capture that proves nothing keeps that judgement), and whether it holds none of their host's
 * packets while that host answered out of its sight (its silence then proves nothing): both
 * for correlate.c. */
static void seen_mark(struct verdict_collector *c)
{
    for (uint32_t i = 0; i < c->nseen; i++) {
        struct verdict_attempt *a = &c->seen[i].a;
        if (a->outcome == VO_NO_ANSWER)
            a->host_unseen = verdict_host_unseen(verdict_host_find(c, &a->to));
        if (a->outcome != VO_RST)
            continue;
        const struct verdict_cell *x = verdict_cell_find(c, &a->from, &a->to, a->proto, a->port);
        a->rst_forged = x != NULL && x->rst_forged;
    }
}

/* A cell of the live preview: its item is kept in the preview's cell_items and judged again
 * only when its inputs changed, as a cell's is; put in words when read (verdict_words.c). */
static void settle_preview_cell(struct verdict_collector *c, uint32_t ix)
{
    struct verdict_collector *p = c->preview;
    struct verdict_cell *x = &p->cells[ix];
    struct verdict_item *it = item_at(p->cell_items, ix, p->cell_items_cap);
    const char *was = p->judge[ix].epoch == c->epoch ? it->service : NULL;
    item_init(it);
    item_fill(c, x, it, was);
    it->provisional = true;
    it->cell_ix = ix + 1;
    it->settled = c->settles;
    struct evidence e;
    verdict_preview_evidence(c, x, it, &e);
    diagnose_cell(it, &e, false);
    cell_judged(p, c->epoch, ix, e.to_refusals);
}

/* The preview's cells judged again (p->judged, their number returned): those no cell of this
 * collector shadows whose inputs changed. */
static uint32_t settle_preview(struct verdict_collector *c)
{
    struct verdict_collector *p = c->preview;
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->ncells; i++) {
        if (p->judge[i].shadowed || !cell_stale(p, c->epoch, i))
            continue;
        settle_preview_cell(c, i);
        p->judged[n++] = i;
    }
    p->ncell_items = p->ncells;
    return n;
}

/* The cells that met a RST are judged again: who made it is read from the ARP/NDP and ICMP
 * clues (diagnose/attribute.c), and those grew. */
static void rst_cells_stale(struct verdict_collector *c)
{
    for (uint32_t i = 0; i < c->ncells; i++) {
        struct verdict_cell *x = &c->cells[i];
        if (x->counts.by_outcome[VO_RST] > 0 || x->counts.by_outcome[VO_RST_FORGED] > 0)
            c->judge[i].stale = true;
    }
}

/* What every item reads: where the capture was taken, the packets it lost, the ports the
 * endpoint mapper named. When one changed every item is judged again. The clues (a list that
 * only grows, to its cap) are read by the cells that met a RST alone. */
static void settle_inputs(struct verdict_collector *c)
{
    struct verdict_capture_point was = c->cp;
    diagnose_capture_point(c);
    const struct verdict_capture_point *cp = &c->cp;
    /* what the items read of it (its confidence and its words are the report's) */
    bool moved = was.known != cp->known || was.from_config != cp->from_config ||
                 was.in_path != cp->in_path || was.spans_router != cp->spans_router ||
                 !fw_addr_eq(&was.addr, &cp->addr) || !fw_addr_eq(&was.other, &cp->other);
    uint64_t rpc = c->cfg.rpc != NULL ? rpc_ports_changes(c->cfg.rpc) : 0, clues = 0;
    for (int i = 0; i < 2; i++)
        if (c->cfg.clues[i] != NULL)
            clues += c->cfg.clues[i]->nbind + c->cfg.clues[i]->nsend;
    if (moved || c->epoch_drops != c->capture_drops || c->epoch_rpc != rpc) {
        c->epoch++;
        c->epoch_drops = c->capture_drops;
        c->epoch_rpc = rpc;
    }
    if (c->epoch_clues != clues) {
        c->epoch_clues = clues;
        rst_cells_stale(c);
        if (c->preview != NULL)
            rst_cells_stale(c->preview);
    }
}

/* Is (proto, port) a port UNTESTED items are made for by one of the first upto profile
 * entries (those at most UNTESTED_MAX_RANGE wide)? With upto an entry's index: was it offered
 * by an earlier one (135 is in two services). */
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

/* Whether a new cell (from, to, proto, port) can take the place of an UNTESTED item made at
 * the last settle: on a port they are made for (in a profile entry at most
 * UNTESTED_MAX_RANGE wide), between a pair they were made for. (A pair not made for yet
 * changes the pairs under test, which settle_untested sees anyway.) */
static bool untested_cell(const struct verdict_collector *c, const struct verdict_cell *x)
{
    bool port = offered_before(c, c->cfg.nports, x->proto, x->port);
    for (uint32_t i = 0; port && i < c->untested_npairs; i++) {
        const struct fw_addr *lo = &c->untested_lo[i], *hi = &c->untested_hi[i];
        if ((fw_addr_eq(lo, &x->from) && fw_addr_eq(hi, &x->to)) ||
            (fw_addr_eq(lo, &x->to) && fw_addr_eq(hi, &x->from)))
            return true;
    }
    return false;
}

/* The new cells, here (c->fresh, nfresh) and in the preview (its fresh, pfresh): one that can
 * take an UNTESTED item's place moves untested_mod, and a new cell of either collector
 * looks for its key in the other, to mark the preview's cell shadowed (preview_dead counts
 * them). A shadow is for good: the cells evicted here are off the profile's ports
 * (verdict.c), the preview's all on them, so no eviction takes away a key that shadows. */
static void cells_track(struct verdict_collector *c, uint32_t nfresh, uint32_t pfresh)
{
    struct verdict_collector *p = c->preview;
    for (uint32_t i = 0; i < nfresh; i++) {
        const struct verdict_cell *x = &c->cells[c->fresh[i]];
        if (untested_cell(c, x))
            c->untested_mod++;
        const struct verdict_cell *y =
            p != NULL ? verdict_cell_find(p, &x->from, &x->to, x->proto, x->port) : NULL;
        if (y != NULL && !p->judge[y - p->cells].shadowed) {
            p->judge[y - p->cells].shadowed = true;
            c->preview_dead++;
        }
    }
    for (uint32_t i = 0; i < pfresh; i++) {
        const struct verdict_cell *y = &p->cells[p->fresh[i]];
        struct verdict_judge *j = &p->judge[p->fresh[i]];
        if (untested_cell(c, y))
            c->untested_mod++;
        if (!j->shadowed && verdict_cell_find(c, &y->from, &y->to, y->proto, y->port) != NULL) {
            j->shadowed = true;
            c->preview_dead++;
        }
    }
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
            if (offered_before(c, i, p->proto, pt) ||
                verdict_cell_find(c, from, to, p->proto, pt) != NULL ||
                (c->preview != NULL &&
                 verdict_cell_find(c->preview, from, to, p->proto, pt) != NULL))
                continue;
            struct verdict_item *it = extra_new(c);
            if (it == NULL)
                return FW_ENOMEM;
            it->from = *from;
            it->to = *to;
            it->proto = p->proto;
            it->port = pt;
            it->service = p->service;
            diagnose_untested(&c->untested_text, it, &c->cp);
            if (p->proto == VERDICT_PROTO_ECHO)
                break;
        }
    }
    return 0;
}

/* The cells' items (cells grow between settles: so do they), and settle's scratch lists of
 * cells: those not placed yet, those judged. */
static int cells_reserve(struct verdict_collector *c)
{
    uint32_t n = c->cells_cap;
    bool ok = verdict_reserve((void **)&c->cell_items, &c->cell_items_cap, n,
                              sizeof *c->cell_items) &&
              verdict_reserve((void **)&c->fresh, &c->fresh_cap, n, sizeof *c->fresh) &&
              verdict_reserve((void **)&c->judged, &c->judged_cap, n, sizeof *c->judged);
    return ok ? 0 : FW_ENOMEM;
}

/* The pairs under test: --source/--target, else the pairs with traffic on the profile, the
 * placed cells' then the preview's, in the order their cells were placed. */
static uint32_t pairs_under_test(const struct verdict_collector *c, struct fw_addr *lo,
                                 struct fw_addr *hi)
{
    uint32_t np = 0;
    if (c->cfg.source.family != 0 && c->cfg.target.family != 0) {
        verdict_pair_add(lo, hi, &np, &c->cfg.source, &c->cfg.target);
        return np;
    }
    memcpy(lo, c->pairs_lo, c->npairs * sizeof *lo);
    memcpy(hi, c->pairs_hi, c->npairs * sizeof *hi);
    np = c->npairs;
    const struct verdict_collector *p = c->preview;
    for (uint32_t i = 0; p != NULL && i < p->npairs; i++)
        verdict_pair_add(lo, hi, &np, &p->pairs_lo[i], &p->pairs_hi[i]);
    return np;
}

static bool pairs_same(const struct verdict_collector *c, const struct fw_addr *lo,
                       const struct fw_addr *hi, uint32_t np)
{
    if (np != c->untested_npairs)
        return false;
    for (uint32_t i = 0; i < np; i++)
        if (!fw_addr_eq(&lo[i], &c->untested_lo[i]) || !fw_addr_eq(&hi[i], &c->untested_hi[i]))
            return false;
    return true;
}

/* The UNTESTED items of the pairs under test, made again only when the pairs, the epoch (where
 * the capture was taken: their words) or the cells on their ports changed since they were. */
static int settle_untested(struct verdict_collector *c)
{
    struct fw_addr lo[VERDICT_MAX_PAIRS], hi[VERDICT_MAX_PAIRS];
    uint32_t np = pairs_under_test(c, lo, hi);
    if (c->untested_made && c->untested_made_mod == c->untested_mod &&
        c->untested_epoch == c->epoch && pairs_same(c, lo, hi, np))
        return 0;
    c->untested_made = false;
    c->nextra = 0;
    verdict_arena_reset(&c->untested_text);
    for (uint32_t i = 0; i < np; i++) {
        if (add_untested(c, &lo[i], &hi[i]) != 0 || add_untested(c, &hi[i], &lo[i]) != 0)
            return FW_ENOMEM;
    }
    if (c->untested_text.failed || verdict_order_extra(c) != 0)
        return FW_ENOMEM;
    memcpy(c->untested_lo, lo, np * sizeof *lo);
    memcpy(c->untested_hi, hi, np * sizeof *hi);
    c->untested_npairs = np;
    c->untested_epoch = c->epoch;
    c->untested_made_mod = c->untested_mod;
    c->untested_made = true;
    return 0;
}

/* Out of memory mid-settle: the lists could hold items of this settle and the last mixed, so
 * none is listed; every cell is judged again at the next settle, and a reader that keeps what
 * it saw (the stream) looks at every item then. */
static int settle_failed(struct verdict_collector *c)
{
    c->norder = c->njudged = c->nextra = 0;
    c->order_made = true;
    c->untested_made = false;
    c->epoch++;
    return FW_ENOMEM;
}

/* Settling judges again only the cells whose inputs changed (cell_stale); the others keep
 * their items, so live a settle costs what changed, not every verdict. */
int verdict_collector_settle(struct verdict_collector *c)
{
    struct verdict_collector *p = c->preview;
    c->changed = false;
    c->settles++;
    c->order_made = false;
    verdict_unword(c);
    if (p != NULL)
        verdict_unword(p); /* its words are in this collector's text */
    verdict_arena_reset(&c->text);
    settle_inputs(c);
    if (cells_reserve(c) != 0 || (p != NULL && cells_reserve(p) != 0))
        return settle_failed(c);
    uint32_t nfresh = 0, njudged = 0, pfresh = 0, npreview = 0;
    for (uint32_t i = 0; i < c->ncells; i++) {
        if (cell_stale(c, c->epoch, i)) {
            settle_cell(c, i);
            c->judged[njudged++] = i;
        }
        if (!c->judge[i].placed)
            c->fresh[nfresh++] = i;
    }
    c->ncell_items = c->ncells;
    for (uint32_t i = 0; p != NULL && i < p->ncells; i++) {
        if (p->judge[i].placed)
            continue;
        p->fresh[pfresh++] = i;
        item_init(item_at(p->cell_items, i, p->cell_items_cap)); /* its key, to place it */
        item_key(&p->cell_items[i], &p->cells[i]);
    }
    seen_mark(c);
    cells_track(c, nfresh, pfresh);
    if (verdict_order_cells(c, nfresh) != 0 || (p != NULL && verdict_order_cells(p, pfresh) != 0))
        return settle_failed(c);
    if (p != NULL)
        npreview = settle_preview(c);
    if (settle_untested(c) != 0 || verdict_order_judged(c, njudged, npreview) != 0)
        return settle_failed(c);
    return c->text.failed ? FW_ENOMEM : 0;
}

uint32_t verdict_settles(const struct verdict_collector *c)
{
    return c == NULL ? 0 : c->settles;
}

const struct verdict_capture_point *verdict_capture_point(const struct verdict_collector *c)
{
    return &c->cp;
}

uint64_t verdict_cells_overflow(const struct verdict_collector *c)
{
    return c->cells_overflow;
}

uint64_t verdict_cells_evicted(const struct verdict_collector *c)
{
    return c->cells_evicted;
}

uint64_t verdict_cells_evicted_attempts(const struct verdict_collector *c)
{
    return c->cells_evicted_attempts;
}

uint32_t verdict_cells_max(const struct verdict_collector *c)
{
    return c->cfg.max_cells;
}

size_t verdict_seen_count(const struct verdict_collector *c)
{
    return c == NULL ? 0 : c->nseen;
}

const struct verdict_seen *verdict_seen_at(const struct verdict_collector *c, size_t i)
{
    return c != NULL && i < c->nseen ? &c->seen[i] : NULL;
}

uint64_t verdict_seen_overflow(const struct verdict_collector *c)
{
    return c->seen_overflow;
}
