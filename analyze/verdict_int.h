/* analyze/verdict_int.h: what verdict.c (cells, hosts), verdict_settle.c (settling) and
 * diagnose/ (what a cell means, in words) share. Not for ui/: it reads verdict.h only. */
#ifndef FW_VERDICT_INT_H
#define FW_VERDICT_INT_H

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
    /* Ethernet: the source MAC of its packets (not RSTs), whether they came from several, and
     * whether the same packets were seen both as sent and one router later (the capture
     * spans a router: it is no host's). */
    bool has_mac, mac_mixed, forwarded;
    uint8_t mac[6];
};

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
    bool rst_forged;          /* settled: its RSTs were not the host's (diagnose/evidence.c) */
    uint32_t idle_prev, idle_next; /* the idle list, least recently used first: index + 1 */
    uint32_t first[VO_COUNT]; /* index + 1 into verdict_collector.pool; 0: outcome not met */
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
    struct verdict_item *items;
    size_t nitems, items_cap;
    struct verdict_sort_key *keys; /* the items' order, as settle sorts it (items_cap of them) */
    struct verdict_arena text;     /* the items' strings */
    struct verdict_capture_point cp;
    uint64_t capture_drops;        /* verdict_collector_set_capture_drops() */
    bool changed;                  /* something settle reads changed since the last settle */
    /* Live: the open flows' cells that no ended attempt judged yet (verdict_preview.c);
     * NULL: none. */
    struct verdict_collector *preview;
};

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
