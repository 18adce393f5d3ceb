/* analyze/verdict_settle.c: settling the collector's cells into verdicts (verdict.h): the
 * capture point (diagnose/capture_point.c), one item per cell (diagnosed by diagnose/, its
 * strings kept in the text arena here), UNTESTED items for the profile's ports of the pairs
 * under test, in a stable order; and the getters the ui reads them through. Collecting is
 * verdict.c's. */
#include "diagnose/diagnose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../capture/frame.h"
#include "rpc_ports.h"

#define UNTESTED_MAX_RANGE 16 /* ranges up to this wide (135-139) get UNTESTED entries */

/* --- the items' text ---------------------------------------------------------------------- */

#define ARENA_CHUNK_LEN 65536 /* ~150 items' evidence and advice; a longer string gets its own */

/* Strings are copied at their exact length into chunks that are never moved or freed until
 * the collector is, so the items' pointers stay valid until the next settle. A settle reuses
 * the chunks from the first: the arena is as large as the largest settle, not the sum. */
const char *verdict_arena_keep(struct verdict_arena *ar, const char *s, size_t len)
{
    if (ar->cur == NULL) {
        ar->cur = ar->head;
        if (ar->cur != NULL)
            ar->cur->used = 0;
    }
    while (ar->cur != NULL && ar->cur->cap - ar->cur->used <= len && ar->cur->next != NULL) {
        ar->cur = ar->cur->next;
        ar->cur->used = 0; /* text of an earlier settle, no longer pointed to */
    }
    if (ar->cur == NULL || ar->cur->cap - ar->cur->used <= len) {
        size_t cap = len >= ARENA_CHUNK_LEN ? len + 1 : ARENA_CHUNK_LEN;
        struct verdict_chunk *k = malloc(sizeof *k + cap);
        if (k == NULL) {
            ar->failed = true;
            return "";
        }
        k->next = NULL;
        k->used = 0;
        k->cap = cap;
        if (ar->cur == NULL)
            ar->head = k;
        else
            ar->cur->next = k;
        ar->cur = k;
    }
    char *d = ar->cur->text + ar->cur->used;
    memcpy(d, s, len);
    d[len] = '\0';
    ar->cur->used += len + 1;
    return d;
}

void verdict_arena_reset(struct verdict_arena *ar)
{
    ar->cur = NULL;
    ar->failed = false;
}

void verdict_arena_fini(struct verdict_arena *ar)
{
    while (ar->head != NULL) {
        struct verdict_chunk *k = ar->head;
        ar->head = k->next;
        free(k);
    }
    ar->cur = NULL;
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

/* A TCP port the endpoint mapper named gets its interface and the frame that named
 * it; another one in a dynamic RPC range of the profile is "RPC dynamic (range)". False: not
 * a dynamic RPC port, buf untouched. */
static bool rpc_service(const struct verdict_collector *c, const struct verdict_cell *x,
                        char *buf, size_t len)
{
    if (x->proto != 6 || x->port == 135)
        return false;
    const struct rpc_learned *l = rpc_ports_lookup(c->cfg.rpc, &x->to, x->port);
    if (l != NULL) {
        char t[DCERPC_UUID_STRLEN];
        snprintf(buf, len, "RPC dynamic (%s, learned from the endpoint mapper at packet %llu)",
                 dcerpc_iface_text(&l->iface, t, sizeof t), (unsigned long long)l->frame);
        return true;
    }
    for (size_t i = 0; i < c->cfg.nports; i++) {
        const struct verdict_port *p = &c->cfg.ports[i];
        if (p->rpc_dynamic && p->proto == 6 && x->port >= p->lo && x->port <= p->hi) {
            snprintf(buf, len, "RPC dynamic (range)");
            return true;
        }
    }
    return false;
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
    it->advice = "";
    it->v.routers = -1;
    return it;
}

/* The evidence of the item's cell (settle_cell filled the item from it). */
static void item_evidence(const struct verdict_collector *c, const struct verdict_cell *x,
                          const struct verdict_item *it, struct evidence *e)
{
    evidence_of(c, x, e);
    e->rpc_dynamic = it->rpc_dynamic;
}

/* The item's fields that come from its cell as they are. */
static void item_fill(struct verdict_collector *c, const struct verdict_cell *x,
                      struct verdict_item *it)
{
    it->owner = c;
    it->from = x->from;
    it->to = x->to;
    it->proto = x->proto;
    it->port = x->port;
    it->rpc_dynamic = rpc_service(c, x, it->service, sizeof it->service);
    if (!it->rpc_dynamic)
        strncpy(it->service, service_of(c, x->proto, x->port), sizeof it->service - 1);
    it->counts = x->counts;
    it->first_us = x->first_us;
    it->last_us = x->last_us;
}

static void settle_cell(struct verdict_collector *c, uint32_t ix, struct verdict_item *it)
{
    const struct verdict_cell *x = &c->cells[ix];
    item_fill(c, x, it);
    it->cell_ix = ix + 1;
    struct evidence e;
    item_evidence(c, x, it, &e);
    diagnose_cell(it, &e, false);
    diagnose_where(it, &e);
    c->cells[ix].rst_forged = e.rst_forged;
}

/* The kept attempts learn what their capture judged of their RSTs: a combination with a far
 * capture that proves nothing keeps that judgement (correlate.c). */
static void seen_mark_forged(struct verdict_collector *c)
{
    for (uint32_t i = 0; i < c->nseen; i++) {
        struct verdict_attempt *a = &c->seen[i].a;
        if (a->outcome != VO_RST)
            continue;
        const struct verdict_cell *x = verdict_cell_find(c, &a->from, &a->to, a->proto, a->port);
        a->rst_forged = x != NULL && x->rst_forged;
    }
}

/* A cell of the live preview (verdict_preview.c): judged from the preview's attempts and
 * hosts, where the capture was taken as settled here, and put in words at once, into this
 * collector's text: the preview is rebuilt before the next settle, the item must not point
 * into it. */
static void settle_preview_cell(struct verdict_collector *c, const struct verdict_cell *x,
                                struct verdict_item *it)
{
    item_fill(c, x, it);
    it->provisional = true;
    struct evidence e;
    evidence_of(c->preview, x, &e);
    e.rpc_dynamic = it->rpc_dynamic;
    e.cp = &c->cp;
    e.at_from = verdict_capture_point_is(&c->cp, &x->from);
    e.at_to = verdict_capture_point_is(&c->cp, &x->to);
    e.text = &c->text;
    e.capture_drops = c->capture_drops;
    diagnose_cell(it, &e, true);
    verdict_add_evidence(&c->text, it, "still open: the verdict is what the connection showed "
                         "so far, and is settled when it ends");
}

void verdict_item_words(const struct verdict_item *cit)
{
    if (cit == NULL || cit->worded || cit->owner == NULL || cit->cell_ix == 0 ||
        cit < cit->owner->items || cit >= cit->owner->items + cit->owner->nitems)
        return; /* a copy of an item is worded only if its original was */
    /* The collector owns its items: the words are filled in place, once. */
    struct verdict_item *it = &cit->owner->items[cit - cit->owner->items];
    struct evidence e;
    item_evidence(it->owner, &it->owner->cells[it->cell_ix - 1], it, &e);
    diagnose_cell(it, &e, true);
}

static int proto_rank(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

/* The items' order as one byte string: the host pair (lower address first), the direction
 * from the lower one first, TCP, UDP then echo, the port. Compared with memcmp: a settle sorts
 * every cell, and its items are large, so they are sorted by key and moved once. */
#define SORT_KEY_LEN 38
struct verdict_sort_key {
    uint8_t k[SORT_KEY_LEN];
    uint32_t ix; /* the item's index before the sort */
};

static void sort_key(const struct verdict_item *it, uint32_t ix, struct verdict_sort_key *out)
{
    bool up = fw_addr_cmp(&it->from, &it->to) <= 0;
    const struct fw_addr *lo = up ? &it->from : &it->to, *hi = up ? &it->to : &it->from;
    out->k[0] = lo->family;
    memcpy(out->k + 1, lo->b, 16);
    out->k[17] = hi->family;
    memcpy(out->k + 18, hi->b, 16);
    out->k[34] = up ? 0 : 1;
    out->k[35] = (uint8_t)proto_rank(it->proto);
    out->k[36] = (uint8_t)(it->port >> 8);
    out->k[37] = (uint8_t)it->port;
    out->ix = ix;
}

static int sort_key_cmp(const void *pa, const void *pb)
{
    const struct verdict_sort_key *a = pa, *b = pb;
    int d = memcmp(a->k, b->k, SORT_KEY_LEN);
    return d != 0 ? d : (a->ix > b->ix) - (a->ix < b->ix);
}

/* Sorts the items by key, then moves each once, following the permutation's cycles. */
static int sort_items(struct verdict_collector *c)
{
    if (c->nitems < 2)
        return 0;
    struct verdict_sort_key *keys = realloc(c->keys, c->items_cap * sizeof *keys);
    if (keys == NULL)
        return FW_ENOMEM;
    c->keys = keys;
    for (size_t i = 0; i < c->nitems; i++)
        sort_key(&c->items[i], (uint32_t)i, &keys[i]);
    qsort(keys, c->nitems, sizeof *keys, sort_key_cmp);
    /* position i takes the item at keys[i].ix; a place filled is marked keys[j].ix = j */
    for (size_t i = 0; i < c->nitems; i++) {
        if (keys[i].ix == i)
            continue;
        struct verdict_item tmp = c->items[i];
        size_t j = i;
        while (keys[j].ix != i) {
            size_t from = keys[j].ix;
            c->items[j] = c->items[from];
            keys[j].ix = (uint32_t)j;
            j = from;
        }
        c->items[j] = tmp;
        keys[j].ix = (uint32_t)j;
    }
    return 0;
}

struct pair {
    struct fw_addr lo, hi;
};

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
    uint32_t nprev = c->preview != NULL ? c->preview->ncells : 0;
    for (uint32_t i = 0; i < c->ncells + nprev && n < VERDICT_MAX_PAIRS; i++) {
        const struct verdict_cell *x = i < c->ncells ? &c->cells[i]
                                                     : &c->preview->cells[i - c->ncells];
        if (!verdict_port_in_profile(c, x->proto, x->port))
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
            if (offered_before(c, i, p->proto, pt) ||
                verdict_cell_find(c, from, to, p->proto, pt) != NULL ||
                (c->preview != NULL &&
                 verdict_cell_find(c->preview, from, to, p->proto, pt) != NULL))
                continue;
            struct verdict_item *it = item_new(c);
            if (it == NULL)
                return FW_ENOMEM;
            it->from = *from;
            it->to = *to;
            it->proto = p->proto;
            it->port = pt;
            strncpy(it->service, p->service, sizeof it->service - 1);
            diagnose_untested(&c->text, it, &c->cp);
            if (p->proto == VERDICT_PROTO_ECHO)
                break;
        }
    }
    return 0;
}

int verdict_collector_settle(struct verdict_collector *c)
{
    c->changed = false;
    c->nitems = 0;
    verdict_arena_reset(&c->text);
    diagnose_capture_point(c);
    for (uint32_t i = 0; i < c->ncells; i++) {
        struct verdict_item *it = item_new(c);
        if (it == NULL)
            return FW_ENOMEM;
        settle_cell(c, i, it);
    }
    for (uint32_t i = 0; c->preview != NULL && i < c->preview->ncells; i++) {
        const struct verdict_cell *x = &c->preview->cells[i];
        if (verdict_cell_find(c, &x->from, &x->to, x->proto, x->port) != NULL)
            continue; /* its flow ended since the preview was made: the cell tells now */
        struct verdict_item *it = item_new(c);
        if (it == NULL)
            return FW_ENOMEM;
        settle_preview_cell(c, x, it);
    }
    seen_mark_forged(c);
    struct pair pairs[VERDICT_MAX_PAIRS];
    size_t np = pairs_under_test(c, pairs);
    for (size_t i = 0; i < np; i++) {
        if (add_untested(c, &pairs[i].lo, &pairs[i].hi) != 0 ||
            add_untested(c, &pairs[i].hi, &pairs[i].lo) != 0)
            return FW_ENOMEM;
    }
    if (sort_items(c) != 0)
        return FW_ENOMEM;
    return c->text.failed ? FW_ENOMEM : 0;
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
