/* analyze/flow_table.c: the connection table: hash, pool, idle lists, deadline queues,
 * eviction. No allocation per packet: flows come from chunks of a pool that grows up to the
 * cap and are recycled through a free list; links are 32-bit pool indices. What a packet
 * means for a flow is left to flow_track.c and tcp_state.c. */
#include "flow_table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SHIFT 12u
#define CHUNK_LEN (1u << CHUNK_SHIFT)
/* A keyed mix (not SipHash, but a full 64-bit multiply-xorshift avalanche per word) with a
 * constant seed: deterministic across runs, and not collidable by choosing ports alone. */
#define TABLE_SEED 0x6a09e667f3bcc909ULL

struct list {
    uint32_t head, tail;
};

struct flow_table {
    struct flow **chunks;
    uint32_t nchunks, max_chunks;
    uint32_t cap, used_slots, free_head;
    uint32_t *buckets;
    uint64_t mask, seed;
    struct list lru[FLOW_KIND_COUNT]; /* per kind: one timeout each, so oldest is first */
    struct list dl[FLOW_DL_COUNT];
    struct list order;                /* creation order, for the end of input */
    uint64_t timeout_us[FLOW_KIND_COUNT];
    uint64_t next_seq;
    flow_end_fn on_end;
    void *ctx;
    struct flow_table_counts counts;
};

static inline struct flow *slot(const struct flow_table *t, uint32_t id)
{
    uint32_t i = id - 1;
    return &t->chunks[i >> CHUNK_SHIFT][i & (CHUNK_LEN - 1)];
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
    if (l->tail != FLOW_NIL)
        *lnk(slot(t, l->tail), k.next) = id;
    else
        l->head = id;
    l->tail = id;
}

static void list_unlink(struct flow_table *t, struct list *l, struct links k, uint32_t id)
{
    struct flow *f = slot(t, id);
    uint32_t p = *lnk(f, k.prev), n = *lnk(f, k.next);
    if (p != FLOW_NIL)
        *lnk(slot(t, p), k.next) = n;
    else
        l->head = n;
    if (n != FLOW_NIL)
        *lnk(slot(t, n), k.prev) = p;
    else
        l->tail = p;
    *lnk(f, k.prev) = *lnk(f, k.next) = FLOW_NIL;
}

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t key_hash(const struct flow_table *t, const struct flow_key *k)
{
    uint64_t w[(sizeof *k + 7) / 8] = { 0 };
    memcpy(w, k, sizeof *k);
    uint64_t h = t->seed;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        h = mix64(h ^ w[i]) + 0x9e3779b97f4a7c15ULL;
    return mix64(h);
}

static uint32_t *bucket_of(struct flow_table *t, const struct flow_key *k)
{
    return &t->buckets[key_hash(t, k) & t->mask];
}

struct flow_table *flow_table_new(const struct fw_config *cfg, flow_end_fn on_end, void *ctx)
{
    if (cfg->max_flows == 0)
        return NULL;
    struct flow_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->cap = cfg->max_flows;
    t->max_chunks = (uint32_t)(((uint64_t)t->cap + CHUNK_LEN - 1) >> CHUNK_SHIFT);
    uint64_t nb = 1024;
    while (nb < t->cap)
        nb <<= 1;
    t->mask = nb - 1;
    t->seed = TABLE_SEED;
    t->chunks = calloc(t->max_chunks, sizeof *t->chunks);
    t->buckets = calloc(nb, sizeof *t->buckets); /* untouched pages cost nothing until used */
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
        free(t->chunks[i]);
    free(t->chunks);
    free(t->buckets);
    free(t);
}

struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *k)
{
    for (uint32_t id = *bucket_of(t, k); id != FLOW_NIL; id = slot(t, id)->hnext) {
        struct flow *f = slot(t, id);
        if (memcmp(&f->key, k, sizeof *k) == 0)
            return f;
    }
    return NULL;
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
        if ((t->used_slots & (CHUNK_LEN - 1)) == 0) {
            struct flow *c = malloc(CHUNK_LEN * sizeof *c);
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
    if (l->tail != FLOW_NIL && slot(t, l->tail) == f)
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

void flow_table_advance(struct flow_table *t, uint64_t now_us)
{
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
}

void flow_table_finish(struct flow_table *t)
{
    uint32_t id;
    while ((id = t->order.head) != FLOW_NIL)
        end_id(t, id, CONN_END_INPUT);
}

const struct flow_table_counts *flow_table_counts(const struct flow_table *t)
{
    return &t->counts;
}
