/* analyze/verdict_int.h: what verdict.c (cells, hosts), verdict_settle.c (settling) and
 * diagnose/ (what a cell means, in words) share. Not for ui/: it reads verdict.h only. */
#ifndef FW_VERDICT_INT_H
#define FW_VERDICT_INT_H

#include "array_grow.h"
#include "siphash.h"
#include "verdict.h"

/* What the capture showed of one address: the TTLs of the packets it sent (answers that were
 * only a RST are left out: they may be forged) and how many two-way flows it was an endpoint
 * of. Both locate the capture point and tell a host's RST from a firewall's. */
struct verdict_host {
    struct fw_addr addr;
    uint8_t ttl_min, ttl_max;
    uint64_t pkts;
    uint32_t flows;
    uint32_t next; /* hash chain: index + 1 */
    /* Refusals it sent itself (ICMP port unreachable from its own address, RSTs): when, and
     * how many. Silence toward it in the same burst is its rate limit, not a filter. */
    uint64_t refused_first_us, refused_last_us;
    uint32_t refused;
    uint32_t rtt_max_us;      /* the slowest answer it gave (0: none seen) */
    uint32_t answered_unseen; /* TCP attempts it answered out of the capture's sight */
    /* A routing code about it came at once (verdict_routing_code_prompt), and who sent the
     * first: that router refuses requests to it by rule, so its late ones were held back by
     * its ICMP rate limit, not a host down. */
    bool unreach_prompt;
    struct fw_addr unreach_prompt_from;
    /* Requests to it that a router refused with ICMP (verdict_router_refusal): the first such
     * router and requester, how many of its refusals, over what time, and how many of them left some of
     * their own requests (SYNs sent again, UDP datagrams, echo requests) without an error:
     * that router's ICMP rate limit at work (explain_reject_limited.c). The first of those is
     * kept for the words. */
    struct fw_addr rtr_from;
    struct fw_addr rtr_req; /* the requester it refused: a limit is per requester (Linux) */
    uint32_t rtr_refused, rtr_limited;
    uint64_t rtr_first_us, rtr_last_us;
    uint8_t rtr_icmp_type, rtr_icmp_code;
    uint8_t rtr_limited_proto;
    uint16_t rtr_limited_port, rtr_limited_errors;
    uint32_t rtr_limited_requests;
    bool rtr_routing; /* some of them with a routing code: a rule's only if the host answered */
    /* Ethernet: the source MAC of its packets (not RSTs), whether they came from several, and
     * whether the same packets were seen both as sent and one router later (the capture
     * spans a router: it is no host's). */
    bool has_mac, mac_mixed, forwarded;
    uint8_t mac[6];
    uint32_t mod; /* counts the changes of what a cell's verdict reads of it (settle) */
};

/* The capture holds none of h's packets, though h answered TCP out of its sight (a capture of
 * one direction: diagnose/explain_one_way.c); false for NULL. */
static inline bool verdict_host_unseen(const struct verdict_host *h)
{
    return h != NULL && h->pkts == 0 && h->answered_unseen > 0;
}

/* All attempts on one (from, to, proto, port), and the first of each outcome. The first
 * attempts live in the collector's pool, not in the cell: a cell meets one or two of the
 * VO_COUNT outcomes, and an embedded array cost ~1.4 KB a cell. */
struct verdict_cell {
    struct fw_addr from, to;
    uint8_t proto;
    uint16_t port;
    uint32_t next;
    struct verdict_counts counts;
    uint64_t first_us, last_us;
    uint8_t rst_ttl_min, rst_ttl_max;
    uint64_t silent_last_us;  /* the last unanswered attempt (VO_NO_ANSWER) */
    uint64_t refused_last_us; /* the last refused by the host (VO_RST, VO_ICMP_PORT) */
    uint32_t late, late_span_max_us; /* unanswered attempts marked late, the oldest's age */
    bool evictable;           /* answered only, port outside the profile: in the idle list */
    bool quiet_silent;        /* an unanswered attempt no router's rate limit explains
                               * (verdict_attempt.quiet_silent): its silence is a drop */
    bool rst_forged;          /* settled: its RSTs were not the host's (diagnose/evidence.c) */
    uint32_t idle_prev, idle_next; /* the idle list, least recently used first: index + 1 */
    uint32_t first[VO_COUNT]; /* index + 1 into verdict_collector.pool; 0: outcome not met */
};

/* What a cell's item was judged from (verdict_settle.c: an item whose inputs did not change
 * is kept as it is), and where it is in the order: apart from the cell, in an array of their
 * own (verdict_collector.judge, by cell index), since a settle reads these of every cell and
 * nothing else of most of them. */
struct verdict_judge {
    uint32_t epoch;           /* the collector's epoch then */
    uint32_t host_ix;         /* its `to` host (index + 1); 0: there was none */
    uint32_t host_mod;        /* that host's mod then; with no host, the hosts made then */
    bool stale;               /* an attempt came since (or the cell is new) */
    bool placed;              /* in verdict_collector.sorted or pending */
    bool shadowed;            /* the live preview's: the collector it previews has a cell of
                               * the same key now (its flow ended since): that one tells */
};

/* The settled items' evidence and advice: chunks that are never moved (the items point into
 * them), reused from the start at each settle. */
struct verdict_chunk {
    struct verdict_chunk *next;
    size_t used, cap;
    char text[];
};
struct verdict_arena {
    struct verdict_chunk *head, *cur;
    bool failed; /* out of memory since the last reset: settle reports it */
};

/* The collector (verdict.c collects, verdict_settle.c settles). */
struct verdict_collector {
    struct verdict_config cfg;
    struct siphash_key key;        /* the cells' and hosts' hash: the config's key */
    struct verdict_cell *cells;
    uint32_t ncells, cells_cap, *cell_buckets, cell_nb;
    struct verdict_judge *judge;   /* one per cell, judge_cap of them */
    uint32_t judge_cap;
    struct verdict_host *hosts;
    uint32_t nhosts, hosts_cap, *host_buckets, host_nb;
    uint64_t cells_overflow;
    uint64_t cells_evicted, cells_evicted_attempts;
    uint32_t idle_head, idle_tail; /* evictable cells, least recently used first: index + 1 */
    struct verdict_attempt *pool;  /* the cells' first attempts, grown by doubling */
    uint32_t npool, pool_cap;
    uint32_t pool_spare;           /* index + 1 of the slot an evicted cell gave back; 0: none */
    struct verdict_seen *seen;     /* keep_attempts: what correlate.c matches */
    uint32_t nseen, seen_cap;
    uint64_t seen_overflow;
    /* The settled items: one per cell (cell_items[i] is cells[i]'s, kept from settle to
     * settle while its inputs stay the same), the live preview's (in its own cell_items, kept
     * the same way), and the UNTESTED ports of the pairs under test (extra, made again only
     * when what they read changed). sorted lists the cells in the items' order, kept from
     * settle to settle; order lists every item (ITEM_EXTRA, ITEM_PREVIEW mark indices into
     * extra and the preview's items), made when first read after a settle (order_made). */
    struct verdict_item *cell_items, *extra;
    uint32_t cell_items_cap, nextra, extra_cap;
    uint32_t *order, norder, order_cap;
    bool order_made;
    uint32_t *sorted, nsorted, sorted_cap;
    uint32_t *pending, npending, pending_cap; /* placed cells not in sorted yet: merged in when
                                               * the order is next made */
    uint32_t ncell_items;          /* the cells at the last settle: those with an item */
    uint64_t evicted_seen;         /* cells_evicted then: a reused cell left sorted stale */
    uint32_t *fresh, fresh_cap;    /* settle's scratch: the cells not placed yet */
    uint32_t *judged, njudged, judged_cap; /* the items the last settle judged, in order */
    struct verdict_sort_key *keys;         /* verdict_order.c's scratch: keys_cap of them */
    uint32_t keys_cap;
    uint32_t *extra_refs, extra_refs_cap; /* extra in the items' order */
    uint32_t *mix, mix_cap;        /* verdict_order.c's scratch: the items not cells' */
    uint32_t *worded, nworded, worded_cap; /* cells whose items were put in words since */
    bool worded_lost;              /* one could not be listed: unword every item */
    uint32_t settles;              /* settles so far (verdict_item.settled) */
    /* What every item reads: when one of them changes, epoch moves and every item is judged
     * again. */
    uint32_t epoch, hosts_made;
    uint64_t epoch_drops, epoch_rpc, epoch_clues;
    struct fw_addr pairs_lo[VERDICT_MAX_PAIRS], pairs_hi[VERDICT_MAX_PAIRS];
    uint32_t npairs;               /* the placed cells' host pairs on the profile, in order */
    struct verdict_arena text;     /* the items' strings */
    /* The services of the dynamic RPC ports the endpoint mapper named, as the items name
     * them: emptied when the epoch moves (a port learned), since every item is judged again
     * then. */
    struct verdict_arena service_text;
    uint32_t service_epoch;
    /* What the UNTESTED items (extra) were made from: the pairs under test, the epoch, and
     * untested_mod, which moves when a cell comes (here or in the preview) on a port they
     * are made for, or the preview is emptied. Their strings have their own arena. */
    struct fw_addr untested_lo[VERDICT_MAX_PAIRS], untested_hi[VERDICT_MAX_PAIRS];
    uint32_t untested_npairs, untested_epoch, untested_mod, untested_made_mod;
    bool untested_made;
    struct verdict_arena untested_text;
    struct verdict_capture_point cp;
    uint64_t capture_drops;        /* verdict_collector_set_capture_drops() */
    bool changed;                  /* something settle reads changed since the last settle */
    /* Live: the open flows' cells that no ended attempt judged yet (verdict_preview.c);
     * NULL: none. */
    struct verdict_collector *preview;
    uint32_t preview_dead;         /* its cells shadowed (a cell of this collector judges them) */
    uint64_t preview_overflow;     /* cells_overflow when it was last emptied */
};

/* The items' order (verdict_order.c). order_cells places the cells of c->fresh (nfresh, not
 * placed yet: they wait in c->pending) and notes their host pairs; order_extra sorts the extra
 * items into c->extra_refs. The whole order (c->order) is made when first read (verdict_count,
 * verdict_at): the pending cells are sorted and merged into c->sorted then. */
int verdict_order_cells(struct verdict_collector *c, uint32_t nfresh);
int verdict_order_extra(struct verdict_collector *c);
/* c->judged: its first njudged cells (judged by this settle), the preview's cells listed in
 * its judged (npreview), and the extra items if this settle made them, in the items' order. */
int verdict_order_judged(struct verdict_collector *c, uint32_t njudged, uint32_t npreview);
/* Gives back the order's arrays: sorted, order, pending, mix, the sort keys. */
void verdict_order_fini(struct verdict_collector *c);
/* Adds the host pair (a, b), lower address first, unless it is listed or the list is full. */
void verdict_pair_add(struct fw_addr *lo, struct fw_addr *hi, uint32_t *n,
                      const struct fw_addr *a, const struct fw_addr *b);

/* Room for one more in *arr (elem bytes each, used of *cap in use): doubled from 64, up to
 * max; false when full or out of memory. */
bool verdict_grow(void **arr, uint32_t *cap, uint32_t used, uint32_t max, size_t elem);
/* Gives back an array of cap elements made by verdict_grow() or verdict_reserve(). */
#define VERDICT_ARRAY_FREE(arr, cap) array_free((arr), (size_t)(cap) * sizeof *(arr))
/* Room for n in *arr (elem bytes each, *cap of them now): grown to n or more if fewer; false
 * when out of memory (*arr as it was). */
bool verdict_reserve(void **arr, uint32_t *cap, uint32_t n, size_t elem);

/* The words (verdict_words.c): the evidence of a cell of the live preview, read as this
 * collector settled it; and the items worded since the last settle, made wordless again (the
 * text arena is reused). */
struct evidence;
void verdict_preview_evidence(const struct verdict_collector *c, const struct verdict_cell *x,
                              const struct verdict_item *it, struct evidence *e);
void verdict_unword(struct verdict_collector *c);

/* Empties it, keeping its memory (the live preview's, remade at every look). */
void verdict_collector_clear(struct verdict_collector *c);

const struct verdict_host *verdict_host_find(const struct verdict_collector *c,
                                             const struct fw_addr *a);
struct verdict_cell *verdict_cell_find(const struct verdict_collector *c,
                                       const struct fw_addr *from, const struct fw_addr *to,
                                       uint8_t proto, uint16_t port);
/* The hash that picks a cell's bucket (cell_buckets[hash & (cell_nb - 1)]): tests. */
uint64_t verdict_cell_hash(const struct verdict_collector *c, const struct fw_addr *from,
                           const struct fw_addr *to, uint8_t proto, uint16_t port);
bool verdict_port_in_profile(const struct verdict_collector *c, uint8_t proto, uint16_t port);

/* The item's strings (diagnose/evidence_text.c, verdict_settle.c). */
void verdict_add_evidence(struct verdict_arena *ar, struct verdict_item *it, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A copy of s in the arena; "" (and ar->failed) if out of memory. */
const char *verdict_arena_keep(struct verdict_arena *ar, const char *s, size_t len);
void verdict_arena_reset(struct verdict_arena *ar);
void verdict_arena_fini(struct verdict_arena *ar);

#endif
