/* analyze/flow_table.h: the connection table. A chained hash on the sorted flow key (SipHash
 * under a key of its own, so no capture can be crafted to collide it) over a pool of
 * fixed-size flows, a fixed capacity (cfg->max_flows) and the clocks that end flows:
 * inactivity per protocol, Zeek's 5 s attempt timer, and the linger after a close. Every end
 * goes through one callback, with its reason. What a packet does to a flow is left to
 * flow_track.c and tcp_state.c. */
#ifndef FW_FLOW_TABLE_H
#define FW_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "flow.h"

struct flow_table;

/* Called once per ending flow, before the flow is recycled; f is valid only during the call. */
typedef void (*flow_end_fn)(void *ctx, struct flow *f, enum conn_end why);

/* Deadline queues. Each holds deadlines set with one fixed delay in packet-time order, so
 * a FIFO stays sorted and expiry only ever looks at its head. */
enum flow_deadline { FLOW_DL_NONE, FLOW_DL_ATTEMPT, FLOW_DL_CLOSE, FLOW_DL_COUNT };

struct flow_table_counts {
    uint64_t created, live, peak, evicted;
    /* Hash chains, as lookups walked them: the most flows one lookup compared (a miss walks
     * its whole chain), and all compares beyond the first in each lookup. A few, and a small
     * fraction of the lookups, under a random key whatever the traffic; a capture crafted
     * against a known key shows here. Tests read them; no report does, as under a random key
     * they vary from run to run and the output must not. */
    uint64_t chain_max, chain_extra;
};

/* NULL on allocation failure or a zero capacity. The pool grows in chunks up to the cap.
 * The hash key is cfg->flow_hash_key, as given (app/ draws it at random). */
struct flow_table *flow_table_new(const struct fw_config *cfg, flow_end_fn on_end, void *ctx);
void flow_table_free(struct flow_table *t);

/* Both return NULL when absent (lookup) or when no memory is left (insert). insert makes
 * room first, evicting the flow idle the longest (reported with CONN_END_EVICTED); the new
 * flow is zeroed except its key, kind, seq, times and frame. */
struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *k);
struct flow *flow_table_insert(struct flow_table *t, const struct flow_key *k,
                               enum flow_kind kind, uint64_t now_us, uint64_t frame);

/* A packet made f active at f->last_us: it moves to the young end of its idle list. */
void flow_table_touch(struct flow_table *t, struct flow *f);
/* Puts f on a deadline queue (FLOW_DL_NONE takes it off). */
void flow_table_set_deadline(struct flow_table *t, struct flow *f, enum flow_deadline q,
                             uint64_t at_us);
/* Ends f now: the callback runs, then f is recycled. */
void flow_table_end(struct flow_table *t, struct flow *f, enum conn_end why);

/* Ends every flow whose deadline or inactivity timeout is at or before now_us. */
void flow_table_advance(struct flow_table *t, uint64_t now_us);
/* The earliest time at which advance() would end a flow (a deadline or an inactivity
 * timeout); UINT64_MAX: no flow. */
uint64_t flow_table_next_due_us(const struct flow_table *t);
/* Ends every remaining flow, in order of creation (CONN_END_INPUT). */
void flow_table_finish(struct flow_table *t);
/* Live looks at open flows (verdict_preview.c). note keeps f for the next look (the tracker
 * notes a flow's first answer). look calls fn on the noted flows still open (in the order
 * noted, a flow noted twice twice), or with all on every open flow in order of creation (so
 * too when the notes outgrew their bound: twice the open flows); afterwards the notes are
 * the flows fn returned true for (to be asked again). fn may mark the flow (previewed), never
 * end one or add one. */
typedef bool (*flow_look_fn)(void *ctx, struct flow *f);
void flow_table_note(struct flow_table *t, const struct flow *f);
void flow_table_look(struct flow_table *t, bool all, flow_look_fn fn, void *ctx);

const struct flow_table_counts *flow_table_counts(const struct flow_table *t);
/* The hash of k under the table's key (its bucket is the low bits): for tests. */
uint64_t flow_table_hash(const struct flow_table *t, const struct flow_key *k);

#endif
