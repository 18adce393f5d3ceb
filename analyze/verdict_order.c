/* analyze/verdict_order.c: the settled items in their order (verdict.h): host pair (lower
 * address first), direction from the lower address first, TCP, UDP then echo, the port. The
 * cells' items stay placed from settle to settle (a cell's key never changes), and so do the
 * live preview's, so a settle sorts only the cells new since the last one and merges them in:
 * live, a settle costs what it adds, not every verdict. The whole list is made only when a
 * reader asks for it (the report, the view); the stream reads what a settle judged. */
#include "verdict_int.h"

#include <stdlib.h>
#include <string.h>

#include "../common/fw_err.h"

#define ITEM_EXTRA 0x80000000u   /* in order: an index into extra, not a cell's */
#define ITEM_PREVIEW 0x40000000u /* an index into the preview's cell_items */
#define ITEM_INDEX 0x3fffffffu   /* cells are fewer (--max-verdicts) */

int verdict_proto_order(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

/* The order as one byte string, compared with memcmp. No two items share one: a cell is one
 * (from, to, proto, port), and the extra items are for keys no cell has. */
#define SORT_KEY_LEN 38
struct verdict_sort_key {
    uint8_t k[SORT_KEY_LEN];
    uint32_t ref; /* an index into cell_items, or ITEM_EXTRA | ITEM_PREVIEW | an index */
};

static const struct verdict_item *item_of(const struct verdict_collector *c, uint32_t ref)
{
    if (ref & ITEM_EXTRA)
        return &c->extra[ref & ITEM_INDEX];
    if (ref & ITEM_PREVIEW)
        return &c->preview->cell_items[ref & ITEM_INDEX];
    return &c->cell_items[ref];
}

static void sort_key(const struct verdict_item *it, uint8_t k[SORT_KEY_LEN])
{
    bool up = fw_addr_cmp(&it->from, &it->to) <= 0;
    const struct fw_addr *lo = up ? &it->from : &it->to, *hi = up ? &it->to : &it->from;
    k[0] = lo->family;
    memcpy(k + 1, lo->b, 16);
    k[17] = hi->family;
    memcpy(k + 18, hi->b, 16);
    k[34] = up ? 0 : 1;
    k[35] = (uint8_t)verdict_proto_order(it->proto);
    k[36] = (uint8_t)(it->port >> 8);
    k[37] = (uint8_t)it->port;
}

static int sort_key_cmp(const void *pa, const void *pb)
{
    const struct verdict_sort_key *a = pa, *b = pb;
    return memcmp(a->k, b->k, SORT_KEY_LEN);
}

/* Sorts n refs by their items' keys. The keys go in a scratch buffer kept from settle to
 * settle: live, a fresh one of this size each time was memory the kernel had to fault in. */
static int sort_refs(struct verdict_collector *c, uint32_t *refs, uint32_t n)
{
    if (n < 2)
        return 0;
    if (!verdict_reserve((void **)&c->keys, &c->keys_cap, n, sizeof *c->keys))
        return FW_ENOMEM;
    struct verdict_sort_key *keys = c->keys;
    for (uint32_t i = 0; i < n; i++) {
        sort_key(item_of(c, refs[i]), keys[i].k);
        keys[i].ref = refs[i];
    }
    qsort(keys, n, sizeof *keys, sort_key_cmp);
    for (uint32_t i = 0; i < n; i++)
        refs[i] = keys[i].ref;
    return 0;
}

/* out = base and add (both sorted) merged, side by side: each key made once. */
static void merge_linear(const struct verdict_collector *c, const uint32_t *base,
                         uint32_t nbase, const uint32_t *add, uint32_t nadd, uint32_t *out)
{
    uint32_t b = 0, i = 0, o = 0;
    uint8_t ka[SORT_KEY_LEN], kb[SORT_KEY_LEN];
    if (nbase > 0)
        sort_key(item_of(c, base[0]), kb);
    if (nadd > 0)
        sort_key(item_of(c, add[0]), ka);
    while (b < nbase && i < nadd) {
        if (memcmp(kb, ka, SORT_KEY_LEN) < 0) {
            out[o++] = base[b++];
            if (b < nbase)
                sort_key(item_of(c, base[b]), kb);
        } else {
            out[o++] = add[i++];
            if (i < nadd)
                sort_key(item_of(c, add[i]), ka);
        }
    }
    while (b < nbase)
        out[o++] = base[b++];
    while (i < nadd)
        out[o++] = add[i++];
}

/* out = base and add (both sorted) merged. A few added: each is put after the run of base
 * below it, found by binary search, so the keys made are add's times log of base's and base
 * moves in runs; many: side by side. */
static void merge(const struct verdict_collector *c, const uint32_t *base, uint32_t nbase,
                  const uint32_t *add, uint32_t nadd, uint32_t *out)
{
    if ((uint64_t)nadd * 32 >= nbase) {
        merge_linear(c, base, nbase, add, nadd, out);
        return;
    }
    uint32_t b = 0, o = 0;
    uint8_t ka[SORT_KEY_LEN], kb[SORT_KEY_LEN];
    for (uint32_t i = 0; i < nadd; i++) {
        sort_key(item_of(c, add[i]), ka);
        uint32_t lo = b, hi = nbase;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            sort_key(item_of(c, base[mid]), kb);
            if (memcmp(kb, ka, SORT_KEY_LEN) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > b)
            memcpy(out + o, base + b, (size_t)(lo - b) * sizeof *out);
        o += lo - b;
        b = lo;
        out[o++] = add[i];
    }
    if (nbase > b)
        memcpy(out + o, base + b, (size_t)(nbase - b) * sizeof *out);
}

/* sorted and order, each at least n long (order is sorted's double buffer). */
static int order_reserve(struct verdict_collector *c, uint32_t n)
{
    if (c->order_cap >= n && c->sorted_cap >= n)
        return 0;
    uint32_t cap = c->order_cap > c->sorted_cap ? c->order_cap : c->sorted_cap;
    while (cap < n)
        cap = cap == 0 ? 64 : cap * 2;
    if (!verdict_reserve((void **)&c->order, &c->order_cap, cap, sizeof *c->order) ||
        !verdict_reserve((void **)&c->sorted, &c->sorted_cap, cap, sizeof *c->sorted))
        return FW_ENOMEM;
    return 0;
}

void verdict_pair_add(struct fw_addr *lo, struct fw_addr *hi, uint32_t *n,
                      const struct fw_addr *a, const struct fw_addr *b)
{
    bool up = fw_addr_cmp(a, b) <= 0;
    const struct fw_addr *l = up ? a : b, *h = up ? b : a;
    for (uint32_t j = 0; j < *n; j++)
        if (fw_addr_eq(&lo[j], l) && fw_addr_eq(&hi[j], h))
            return;
    if (*n == VERDICT_MAX_PAIRS)
        return;
    lo[*n] = *l;
    hi[*n] = *h;
    (*n)++;
}

/* Keeps the refs of list whose cells are still placed: a cell evicted and reused since is
 * not (until this settle places it again). */
static uint32_t still_placed(const struct verdict_collector *c, uint32_t *list, uint32_t n)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (c->judge[list[i]].placed)
            list[k++] = list[i];
    return k;
}

int verdict_order_cells(struct verdict_collector *c, uint32_t nfresh)
{
    /* A cell evicted and reused since keeps its old place: taken out first. */
    if (c->evicted_seen != c->cells_evicted) {
        c->nsorted = still_placed(c, c->sorted, c->nsorted);
        c->npending = still_placed(c, c->pending, c->npending);
        c->evicted_seen = c->cells_evicted;
    }
    if (nfresh == 0)
        return 0;
    /* The pairs under test come in the cells' order, before their sort. */
    for (uint32_t i = 0; i < nfresh; i++) {
        const struct verdict_cell *x = &c->cells[c->fresh[i]];
        if (verdict_port_in_profile(c, x->proto, x->port))
            verdict_pair_add(c->pairs_lo, c->pairs_hi, &c->npairs, &x->from, &x->to);
    }
    uint32_t need = c->npending + nfresh;
    if (!verdict_reserve((void **)&c->pending, &c->pending_cap,
                         need > c->cells_cap ? need : c->cells_cap, sizeof *c->pending))
        return FW_ENOMEM;
    memcpy(c->pending + c->npending, c->fresh, (size_t)nfresh * sizeof *c->fresh);
    c->npending += nfresh;
    for (uint32_t i = 0; i < nfresh; i++)
        c->judge[c->fresh[i]].placed = true;
    return 0;
}

/* The pending cells sorted and merged into sorted. */
static int place_pending(struct verdict_collector *c)
{
    if (c->npending == 0)
        return 0;
    if (order_reserve(c, c->nsorted + c->npending) != 0 ||
        sort_refs(c, c->pending, c->npending) != 0)
        return FW_ENOMEM;
    merge(c, c->sorted, c->nsorted, c->pending, c->npending, c->order);
    uint32_t *t = c->sorted;
    c->sorted = c->order;
    c->order = t;
    uint32_t cap = c->sorted_cap;
    c->sorted_cap = c->order_cap;
    c->order_cap = cap;
    c->nsorted += c->npending;
    c->npending = 0;
    return 0;
}

int verdict_order_extra(struct verdict_collector *c)
{
    if (c->nextra > c->extra_refs_cap &&
        !verdict_reserve((void **)&c->extra_refs, &c->extra_refs_cap, c->extra_cap,
                         sizeof *c->extra_refs))
        return FW_ENOMEM;
    for (uint32_t i = 0; i < c->nextra; i++)
        c->extra_refs[i] = ITEM_EXTRA | i;
    return sort_refs(c, c->extra_refs, c->nextra);
}

/* Every item: the cells', the preview's that no cell shadows, and the extra ones. */
static int order_all(struct verdict_collector *c)
{
    c->norder = 0;
    struct verdict_collector *p = c->preview;
    if (place_pending(c) != 0 || (p != NULL && place_pending(p) != 0))
        return FW_ENOMEM;
    uint32_t np = p != NULL ? p->nsorted : 0, n = 0;
    if (order_reserve(c, c->nsorted + np + c->nextra) != 0)
        return FW_ENOMEM;
    /* never empty: mix + n is then valid */
    if (!verdict_reserve((void **)&c->mix, &c->mix_cap, 2 * np + c->nextra + 1, sizeof *c->mix))
        return FW_ENOMEM;
    for (uint32_t i = 0; i < np; i++)
        if (!p->judge[p->sorted[i]].shadowed)
            c->mix[n++] = ITEM_PREVIEW | p->sorted[i];
    merge(c, c->mix, n, c->extra_refs, c->nextra, c->mix + n);
    merge(c, c->sorted, c->nsorted, c->mix + n, n + c->nextra, c->order);
    c->norder = c->nsorted + n + c->nextra;
    return 0;
}

/* The whole order, made at the first read after a settle. The collector is const to its
 * readers: the order is a cache of what the settle decided, as the items' words are. */
static const struct verdict_collector *ordered(const struct verdict_collector *cc)
{
    if (!cc->order_made) {
        struct verdict_collector *c = (struct verdict_collector *)cc;
        c->order_made = true;
        if (order_all(c) != 0)
            c->norder = 0; /* out of memory: nothing listed until the next settle */
    }
    return cc;
}

int verdict_order_judged(struct verdict_collector *c, uint32_t njudged, uint32_t npreview)
{
    c->njudged = 0;
    bool extra = c->nextra > 0 && c->extra[0].settled == c->settles; /* made by this one */
    uint32_t n = njudged + npreview + (extra ? c->nextra : 0);
    if (!verdict_reserve((void **)&c->judged, &c->judged_cap, n, sizeof *c->judged))
        return FW_ENOMEM;
    n = njudged;
    for (uint32_t i = 0; i < npreview; i++)
        c->judged[n++] = ITEM_PREVIEW | c->preview->judged[i];
    for (uint32_t i = 0; extra && i < c->nextra; i++)
        c->judged[n++] = ITEM_EXTRA | i;
    if (sort_refs(c, c->judged, n) != 0)
        return FW_ENOMEM;
    c->njudged = n;
    return 0;
}

size_t verdict_judged_count(const struct verdict_collector *c)
{
    return c == NULL ? 0 : c->njudged;
}

const struct verdict_item *verdict_judged_at(const struct verdict_collector *c, size_t i)
{
    return c != NULL && i < c->njudged ? item_of(c, c->judged[i]) : NULL;
}

size_t verdict_count(const struct verdict_collector *c)
{
    return c == NULL ? 0 : ordered(c)->norder;
}

const struct verdict_item *verdict_at(const struct verdict_collector *c, size_t i)
{
    return c != NULL && i < ordered(c)->norder ? item_of(c, c->order[i]) : NULL;
}

void verdict_order_fini(struct verdict_collector *c)
{
    VERDICT_ARRAY_FREE(c->order, c->order_cap);
    VERDICT_ARRAY_FREE(c->sorted, c->sorted_cap);
    VERDICT_ARRAY_FREE(c->pending, c->pending_cap);
    VERDICT_ARRAY_FREE(c->mix, c->mix_cap);
    VERDICT_ARRAY_FREE(c->keys, c->keys_cap);
}
