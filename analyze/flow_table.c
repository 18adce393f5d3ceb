/* analyze/flow_table.c: the connection table: hash, pool, idle lists, deadline queues,
 * eviction. No allocation per packet: flows come from chunks of a pool that grows up to the
 * cap and are recycled through a free list; links are 32-bit pool indices. What a packet
 * means for a flow is left to flow_track.c and tcp_state.c. */
#include "flow_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../common/mem.h"
#include "siphash.h"

/* A chunk of the pool is one 2 MiB huge page: see chunk_new(). */
#define CHUNK_BYTES ((size_t)FW_HUGE_PAGE)
#define CHUNK_LEN ((uint32_t)(CHUNK_BYTES / sizeof(struct flow)))
/* The bucket array starts small and doubles when the live flows reach half of it: sized for
 * the cap up front (4 MB for a million flows), every lookup missed the cache on a random
 * bucket; with the benchmark's 20k live flows the lookup was a fifth of the run time. */
#define BUCKETS_MIN 4096u
#define KEY_WORDS (sizeof(struct flow_key) / 8)
_Static_assert(sizeof(struct flow_key) % 8 == 0, "flow keys are hashed and compared by words");

struct list {
    uint32_t head, tail;
};

struct flow_table {
    struct flow **chunks;
    uint32_t nchunks, max_chunks;
    uint32_t cap, used_slots, free_head;
    uint32_t *buckets;
    uint64_t mask, mask_max;
    struct siphash_key key; /* the hash's: the config's (app/ draws it at random) */
    /* No expiry can happen before next_due_us unless a list head changed since it was
     * computed (heads_dirty): most packets then skip the six list heads of advance(). */
    uint64_t next_due_us;
    bool heads_dirty;
    struct list lru[FLOW_KIND_COUNT]; /* per kind: one timeout each, so oldest is first */
    struct list dl[FLOW_DL_COUNT];
    struct list order;                /* creation order, for the end of input */
    uint64_t timeout_us[FLOW_KIND_COUNT];
    uint64_t next_seq;
    flow_end_fn on_end;
    void *ctx;
    struct flow_table_counts counts;
    /* The flows noted for the next look (flow_table_note); lost: past its bound, dropped. */
    struct noted {
        uint64_t seq;
        uint32_t id;
    } *noted;
    uint32_t nnoted, noted_cap;
    bool noted_lost;
};

/* A chunk of flows, mapped with its pages already there: slots are taken in order, so the
 * whole chunk is used soon anyway, and one call that fills its pages costs less than a page
 * fault for every 7 flows (the bench's fw 1M file: 8% less time, 2 MiB more at most).
 * It is one 2 MiB huge page where the kernel gives them (transparent huge pages, asked for
 * with madvise): a packet's flow is a random one of up to hundreds of thousands, and with 4 KiB
 * pages nearly every lookup also missed the TLB. With the verdict cells' (common/mem.h), on
 * the bench's fw 1M file (75,000 flows at once): a tenth less CPU (medians of 20 runs, 0.80 s
 * against 0.89 s). Without huge pages, the same chunk in 512 small ones.
 * Under AddressSanitizer, malloc, whose blocks it checks and whose leaks it reports (the
 * mapping itself is tested under it, in flow_pool_test). */
#if defined(__SANITIZE_ADDRESS__)
#define CHUNK_MAPPED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang's way to tell */
#define CHUNK_MAPPED 0
#endif
#endif
#ifndef CHUNK_MAPPED
#define CHUNK_MAPPED 1
#endif

static struct flow *chunk_new(void)
{
    return CHUNK_MAPPED ? fw_huge_map() : malloc(CHUNK_BYTES);
}

static void chunk_free(struct flow *c)
{
    if (!CHUNK_MAPPED)
        free(c);
    else
        fw_huge_unmap(c);
}

static inline struct flow *slot(const struct flow_table *t, uint32_t id)
{
    uint32_t i = id - 1;
    return &t->chunks[i / CHUNK_LEN][i % CHUNK_LEN]; /* a constant divisor: a multiply */
}

/* Intrusive doubly linked lists; which links a list uses is given by offsets into struct
 * flow, so one set of functions serves the idle, deadline and creation lists. */
struct links {
    size_t prev, next;
};
#define LINKS(p, n) { offsetof(struct flow, p), offsetof(struct flow, n) }
static const struct links LRU_L = LINKS(lru_prev, lru_next);
static const struct links DL_L = LINKS(dl_prev, dl_next);
static const struct links ORD_L = LINKS(ord_prev, ord_next);

static inline uint32_t *lnk(struct flow *f, size_t off)
{
    return (uint32_t *)((char *)f + off);
}

static void list_push(struct flow_table *t, struct list *l, struct links k, uint32_t id)
{
    struct flow *f = slot(t, id);
    *lnk(f, k.prev) = l->tail;
    *lnk(f, k.next) = FLOW_NIL;
    if (l->tail != FLOW_NIL) {
        *lnk(slot(t, l->tail), k.next) = id;
    } else {
        l->head = id;
        t->heads_dirty = true;
    }
    l->tail = id;
}

static void list_unlink(struct flow_table *t, struct list *l, struct links k, uint32_t id)
{
    struct flow *f = slot(t, id);
    uint32_t p = *lnk(f, k.prev), n = *lnk(f, k.next);
    if (p != FLOW_NIL) {
        *lnk(slot(t, p), k.next) = n;
    } else {
        l->head = n;
        t->heads_dirty = true;
    }
    if (n != FLOW_NIL)
        *lnk(slot(t, n), k.prev) = p;
    else
        l->tail = p;
    *lnk(f, k.prev) = *lnk(f, k.next) = FLOW_NIL;
}

/* Whoever writes a capture chooses its keys: with IPv6, whole key words. Any hash they can
 * compute (a constant seed, however well mixed) lets them pile every flow into one chain
 * that each packet walks: quadratic time. SipHash under a key drawn at random per run
 * (app/hash_key.c) cannot be computed without the key, which never leaves the process, and
 * no output shows the hash order (flows end by their clocks, or in creation order).
 * SipHash-1-3 rather than 2-4: the hashes are never seen, as in Rust's HashMap; on the
 * benchmark it costs about 140 instructions a frame more than the multiply mix it replaced
 * (2-4: 250), and no measurable wall time (2-4: 4%): the bucket and flow cache misses
 * dominate. Keys are zeroed before they are filled (flow.h), so whole words hash and compare
 * alike. */
static inline uint64_t key_hash(const struct flow_table *t, const struct flow_key *k)
{
    uint64_t w[KEY_WORDS];
    memcpy(w, k, sizeof w);
    return siphash13_words(&t->key, w, KEY_WORDS);
}

/* Inline word compare: memcmp was a library call on every packet. */
static inline bool key_eq(const struct flow_key *x, const struct flow_key *y)
{
    uint64_t a[KEY_WORDS], b[KEY_WORDS], d = 0;
    memcpy(a, x, sizeof a);
    memcpy(b, y, sizeof b);
    for (size_t i = 0; i < KEY_WORDS; i++)
        d |= a[i] ^ b[i];
    return d == 0;
}

static inline uint32_t *bucket_of(struct flow_table *t, const struct flow_key *k)
{
    return &t->buckets[key_hash(t, k) & t->mask];
}

/* Doubles the bucket array, rehashing the live flows (all on the creation list). On
 * allocation failure the old array stays: chains grow longer, nothing else changes. */
static void grow_buckets(struct flow_table *t)
{
    uint64_t nb = (t->mask + 1) * 2;
    uint32_t *b = fw_zalloc(nb, sizeof *b);
    if (b == NULL)
        return;
    free(t->buckets);
    t->buckets = b;
    t->mask = nb - 1;
    for (uint32_t id = t->order.head; id != FLOW_NIL;) {
        struct flow *f = slot(t, id);
        uint32_t *bk = bucket_of(t, &f->key);
        f->hnext = *bk;
        *bk = id;
        id = f->ord_next;
    }
}

struct flow_table *flow_table_new(const struct fw_config *cfg, flow_end_fn on_end, void *ctx)
{
    if (cfg->max_flows == 0)
        return NULL;
    struct flow_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->cap = cfg->max_flows;
    t->max_chunks = (uint32_t)(((uint64_t)t->cap + CHUNK_LEN - 1) / CHUNK_LEN);
    uint64_t nb = 1024;
    while (nb < t->cap)
        nb <<= 1;
    t->mask_max = nb - 1;
    if (nb > BUCKETS_MIN)
        nb = BUCKETS_MIN;
    t->mask = nb - 1;
    t->key = (struct siphash_key){ cfg->flow_hash_key[0], cfg->flow_hash_key[1] };
    t->chunks = calloc(t->max_chunks, sizeof *t->chunks);
    t->buckets = fw_zalloc(nb, sizeof *t->buckets);
    if (t->chunks == NULL || t->buckets == NULL) {
        flow_table_free(t);
        return NULL;
    }
    t->timeout_us[FLOW_TCP] = cfg->tcp_timeout_us;
    t->timeout_us[FLOW_UDP] = cfg->udp_timeout_us;
    t->timeout_us[FLOW_ICMP] = cfg->icmp_timeout_us;
    t->timeout_us[FLOW_OTHER] = cfg->other_timeout_us;
    t->on_end = on_end;
    t->ctx = ctx;
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < t->nchunks; i++)
        chunk_free(t->chunks[i]);
    free(t->chunks);
    free(t->buckets);
    free(t->noted);
    free(t);
}

/* A found flow is used at once, all of it: its key, times, sides, TCP endpoints, history.
 * With a few thousand live flows they miss the cache; asking for every line while the key
 * compare waits for the first overlaps the misses instead of taking them one by one.
 * from: 64 when the first line is being read anyway. */
static inline void prefetch_flow(const struct flow *f, size_t from)
{
    for (size_t off = from; off < sizeof *f; off += 64)
        __builtin_prefetch((const char *)f + off, 1);
}

/* A chain's length is what a lookup costs: counted so that a test can tell. */
static inline void note_chain(struct flow_table *t, uint64_t walked)
{
    if (walked > 1)
        t->counts.chain_extra += walked - 1;
    if (walked > t->counts.chain_max)
        t->counts.chain_max = walked;
}

struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *k)
{
    uint64_t walked = 0;
    for (uint32_t id = *bucket_of(t, k); id != FLOW_NIL; id = slot(t, id)->hnext) {
        struct flow *f = slot(t, id);
        prefetch_flow(f, 64);
        walked++;
        if (key_eq(&f->key, k)) {
            /* Its idle-list neighbours are re-linked by flow_table_touch() after the packet
             * is handled: fetched now, they arrive meanwhile. */
            if (f->lru_prev != FLOW_NIL)
                __builtin_prefetch(slot(t, f->lru_prev), 1);
            if (f->lru_next != FLOW_NIL)
                __builtin_prefetch(slot(t, f->lru_next), 1);
            note_chain(t, walked);
            return f;
        }
    }
    note_chain(t, walked);
    return NULL;
}

uint64_t flow_table_hash(const struct flow_table *t, const struct flow_key *k)
{
    return key_hash(t, k);
}

static void release(struct flow_table *t, uint32_t id)
{
    struct flow *f = slot(t, id);
    uint32_t *pp = bucket_of(t, &f->key);
    while (*pp != id)
        pp = &slot(t, *pp)->hnext;
    *pp = f->hnext;
    list_unlink(t, &t->lru[f->kind], LRU_L, id);
    if (f->dl_list != FLOW_DL_NONE)
        list_unlink(t, &t->dl[f->dl_list], DL_L, id);
    list_unlink(t, &t->order, ORD_L, id);
    f->id = FLOW_NIL; /* free: a note of it is stale */
    f->hnext = t->free_head;
    t->free_head = id;
    t->counts.live--;
}

static void end_id(struct flow_table *t, uint32_t id, enum conn_end why)
{
    t->on_end(t->ctx, slot(t, id), why);
    release(t, id);
}

void flow_table_end(struct flow_table *t, struct flow *f, enum conn_end why)
{
    end_id(t, f->id, why);
}

/* The flow idle the longest: the oldest head among the per-kind idle lists. Evicting it
 * loses the least (it is the likeliest to be over already) and costs O(1). */
static uint32_t oldest_idle(const struct flow_table *t)
{
    uint32_t best = FLOW_NIL;
    for (int k = 0; k < FLOW_KIND_COUNT; k++) {
        uint32_t id = t->lru[k].head;
        if (id != FLOW_NIL && (best == FLOW_NIL || slot(t, id)->last_us < slot(t, best)->last_us))
            best = id;
    }
    return best;
}

static uint32_t take_slot(struct flow_table *t)
{
    if (t->free_head != FLOW_NIL) {
        uint32_t id = t->free_head;
        t->free_head = slot(t, id)->hnext;
        return id;
    }
    if (t->used_slots < t->cap) {
        if (t->used_slots % CHUNK_LEN == 0 && t->used_slots / CHUNK_LEN == t->nchunks) {
            struct flow *c = chunk_new();
            if (c == NULL)
                return FLOW_NIL;
            t->chunks[t->nchunks++] = c;
        }
        return ++t->used_slots;
    }
    uint32_t victim = oldest_idle(t);
    if (victim == FLOW_NIL)
        return FLOW_NIL;
    t->counts.evicted++;
    end_id(t, victim, CONN_END_EVICTED);
    return take_slot(t);
}

struct flow *flow_table_insert(struct flow_table *t, const struct flow_key *k,
                               enum flow_kind kind, uint64_t now_us, uint64_t frame)
{
    uint32_t id = take_slot(t);
    if (id == FLOW_NIL)
        return NULL;
    struct flow *f = slot(t, id);
    memset(f, 0, sizeof *f); /* once per connection, not per packet */
    f->id = id;
    f->key = *k;
    f->kind = (uint8_t)kind;
    f->seq = t->next_seq++;
    f->first_us = f->last_us = now_us;
    f->first_frame = f->last_frame = frame;
    if (t->counts.live >= (t->mask + 1) / 2 && t->mask < t->mask_max)
        grow_buckets(t); /* before f is on the creation list: it is hashed below */
    uint32_t *b = bucket_of(t, k);
    f->hnext = *b;
    *b = id;
    list_push(t, &t->lru[kind], LRU_L, id);
    list_push(t, &t->order, ORD_L, id);
    t->counts.created++;
    if (++t->counts.live > t->counts.peak)
        t->counts.peak = t->counts.live;
    return f;
}

void flow_table_touch(struct flow_table *t, struct flow *f)
{
    struct list *l = &t->lru[f->kind];
    if (l->tail == f->id)
        return; /* the common case: the same flow packet after packet */
    uint32_t id = f->id;
    list_unlink(t, l, LRU_L, id);
    list_push(t, l, LRU_L, id);
}

void flow_table_set_deadline(struct flow_table *t, struct flow *f, enum flow_deadline q,
                             uint64_t at_us)
{
    uint32_t id = f->id;
    if (f->dl_list != FLOW_DL_NONE)
        list_unlink(t, &t->dl[f->dl_list], DL_L, id);
    f->dl_list = (uint8_t)q;
    f->deadline_us = at_us;
    if (q != FLOW_DL_NONE)
        list_push(t, &t->dl[q], DL_L, id);
}

/* Zeek's attempt timer ends a connection only if it is still an unanswered attempt. */
static bool attempt_still_open(const struct flow *f)
{
    const struct tcp_ep *o = &f->tcp.ep[0], *r = &f->tcp.ep[1];
    return (o->state == TCP_EP_SYN_SENT || o->state == TCP_EP_SYN_ACK_SENT) &&
           r->state == TCP_EP_INACTIVE;
}

/* The earliest time at which advance() can end a flow: the minimum over the list heads of
 * the very conditions it tests. */
static uint64_t next_due(const struct flow_table *t)
{
    uint64_t due = UINT64_MAX;
    for (int q = FLOW_DL_ATTEMPT; q < FLOW_DL_COUNT; q++) {
        uint32_t id = t->dl[q].head;
        if (id != FLOW_NIL && slot(t, id)->deadline_us < due)
            due = slot(t, id)->deadline_us;
    }
    for (int k = 0; k < FLOW_KIND_COUNT; k++) {
        uint32_t id = t->lru[k].head;
        if (id != FLOW_NIL && slot(t, id)->last_us + t->timeout_us[k] < due)
            due = slot(t, id)->last_us + t->timeout_us[k];
    }
    return due;
}

void flow_table_advance(struct flow_table *t, uint64_t now_us)
{
    /* A head's time only moves later while it stays the head (a packet raises last_us; a
     * new deadline or a move re-links, which marks the heads dirty), so the cached minimum
     * stays a lower bound. */
    if (!t->heads_dirty && now_us < t->next_due_us)
        return;
    uint32_t id;
    while ((id = t->dl[FLOW_DL_ATTEMPT].head) != FLOW_NIL && slot(t, id)->deadline_us <= now_us) {
        struct flow *f = slot(t, id);
        if (attempt_still_open(f)) {
            end_id(t, id, CONN_END_ATTEMPT);
        } else {
            list_unlink(t, &t->dl[FLOW_DL_ATTEMPT], DL_L, id);
            f->dl_list = FLOW_DL_NONE;
        }
    }
    while ((id = t->dl[FLOW_DL_CLOSE].head) != FLOW_NIL && slot(t, id)->deadline_us <= now_us)
        end_id(t, id, CONN_END_CLOSED);
    for (int k = 0; k < FLOW_KIND_COUNT; k++) {
        while ((id = t->lru[k].head) != FLOW_NIL &&
               slot(t, id)->last_us + t->timeout_us[k] <= now_us)
            end_id(t, id, CONN_END_TIMEOUT);
    }
    t->next_due_us = next_due(t);
    t->heads_dirty = false;
}

uint64_t flow_table_next_due_us(const struct flow_table *t)
{
    return next_due(t);
}

/* Every flow ends, and none is taken off its hash chain and lists one at a time: that touched
 * two or three other flows each (its neighbours, at random in memory), which all end too. The
 * table is emptied at once after the last, its chunks kept for flows to come. */
void flow_table_finish(struct flow_table *t)
{
    for (uint32_t id = t->order.head; id != FLOW_NIL;) {
        struct flow *f = slot(t, id);
        id = f->ord_next;
        if (id != FLOW_NIL) /* the next one's memory arrives while this one ends */
            prefetch_flow(slot(t, id), 0);
        t->on_end(t->ctx, f, CONN_END_INPUT);
        f->id = FLOW_NIL; /* free: a note of it is stale */
    }
    memset(t->buckets, 0, (t->mask + 1) * sizeof *t->buckets);
    for (int k = 0; k < FLOW_KIND_COUNT; k++)
        t->lru[k] = (struct list){ FLOW_NIL, FLOW_NIL };
    for (int q = 0; q < FLOW_DL_COUNT; q++)
        t->dl[q] = (struct list){ FLOW_NIL, FLOW_NIL };
    t->order = (struct list){ FLOW_NIL, FLOW_NIL };
    t->heads_dirty = true;
    t->free_head = FLOW_NIL;
    t->used_slots = 0; /* taken again in order, from the first chunk */
    t->counts.live = 0;
    t->nnoted = 0;
    t->noted_lost = false;
}

/* The notes are bounded by the open flows (each is noted at most twice between two looks:
 * its first answer, its first ICMP error) plus a floor; past that the list is dropped, and
 * the next look walks every open flow. */
#define NOTED_FLOOR 4096u

void flow_table_note(struct flow_table *t, const struct flow *f)
{
    if (t->noted_lost)
        return;
    if (t->nnoted == t->noted_cap) {
        uint64_t bound = 2 * t->counts.live + NOTED_FLOOR;
        uint32_t cap = t->noted_cap == 0 ? 256 : t->noted_cap * 2;
        void *p = cap <= bound ? realloc(t->noted, (size_t)cap * sizeof *t->noted) : NULL;
        if (p == NULL) {
            t->noted_lost = true;
            t->nnoted = 0;
            return;
        }
        t->noted = p;
        t->noted_cap = cap;
    }
    t->noted[t->nnoted++] = (struct noted){f->seq, f->id};
}

/* Asks fn about f, noting it again if fn wants it asked at the next look. */
static void look_at(struct flow_table *t, struct flow *f, flow_look_fn fn, void *ctx)
{
    if (fn(ctx, f) && !t->noted_lost)
        flow_table_note(t, f);
}

void flow_table_look(struct flow_table *t, bool all, flow_look_fn fn, void *ctx)
{
    uint32_t n = t->nnoted;
    t->nnoted = 0;
    if (all || t->noted_lost) {
        t->noted_lost = false;
        for (uint32_t id = t->order.head; id != FLOW_NIL; id = slot(t, id)->ord_next)
            look_at(t, slot(t, id), fn, ctx);
        return;
    }
    /* The list is rewritten in place as it is read: a note kept goes at or before its own. */
    for (uint32_t i = 0; i < n; i++) {
        struct noted e = t->noted[i];
        struct flow *f = slot(t, e.id);
        if (f->id == e.id && f->seq == e.seq) /* still open: not ended, slot not reused */
            look_at(t, f, fn, ctx);
    }
}

const struct flow_table_counts *flow_table_counts(const struct flow_table *t)
{
    return &t->counts;
}
