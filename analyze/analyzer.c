/* analyze/analyzer.c: the engine's front door. Decodes each frame, keeps the counters and
 * the clock (frame time, never wall time; a frame older than the previous one is counted and
 * treated as happening "now", so deadlines stay ordered), and hands IP packets to the flow
 * tracker. Decoding itself is left to decode*.c, connections to flow_track.c and beyond.
 *
 * One frame stamped far ahead of the clock would move it there and expire every live flow at
 * once: a damaged stamp would turn an open port into a dropped one. So such a frame is held
 * (a copy) until the next event tells which it is. The next frame stamped near it or later
 * confirms a real jump (a capture with a long gap): the held frame is handled at its own time,
 * then the next. A next frame well before it shows a glitch: the held frame is handled at the
 * clock, counted out of order like an older frame, and its flow's times do not jump either.
 * Live, the wall clock decides the same way (analyzer_advance); at the end of input nothing
 * confirmed it, so it is a glitch. Frames are still handled, and connections still written
 * out, in the order they came. The first frame sets the clock: there is nothing to compare
 * it with, so a damaged stamp there still misleads (every later frame counts out of order). */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "flow_track.h"
#include "path_clues.h"
#include "rpc_ports.h"

/* How far ahead of the clock a stamp must be for its frame to be held and checked against
 * the next event. Above every timeout the analysis uses (TCP inactivity, 5 min, is the
 * longest): a jump that long ends every live flow at once, the harm one bad stamp must not
 * do, while a shorter jump is taken as an ordinary quiet stretch. Live, frames come within a
 * second of the wall clock that drives analyzer_advance, so none is held in ordinary running. */
#define ANALYZER_AHEAD_US (3600ull * 1000000)
#define ANALYZER_PREVIEW_US 200000u
/* Live, settles come at most this often (advance's time): each one costs what changed, plus a
 * pass over the list, and a busy link ends flows all the time. A verdict still shows within
 * the second. */
#define ANALYZER_SETTLE_US 200000u
#define ANALYZER_END_GRID_US 100000u

/* A frame stamped far ahead, waiting for the next event (see the top of the file). Its bytes
 * are a copy in buf, which is reused and only grows, to the largest caplen held so far. */
struct held_frame {
    struct frame f; /* f.bytes points into buf */
    uint8_t *buf;
    uint32_t size;
    bool on;
};

struct analyzer {
    struct fw_config cfg;
    struct decode_opts dopts;
    struct analyzer_stats stats;
    struct flow_tracker tracker;
    uint64_t now_us;
    bool have_time, have_span;
    struct verdict_collector *verdicts; /* fed every ended flow */
    struct rpc_ports *rpc; /* ports the endpoint mapper named */
    uint64_t rpc_changes;  /* rpc_ports_changes() at the last settle */
    uint64_t preview_us;   /* when the open flows were last looked at (live: advance's time);
                            * 0: never */
    uint64_t settle_us;    /* when advance last settled (its time); 0: never */
    struct held_frame held;
    struct path_clues clues; /* ARP/NDP bindings, ICMP error senders: who forged a RST */
};

/* The flow tracker hands every ended flow to the verdict collector; a flow the end of the
 * input ended is marked with that time (the clock: the last frame's). */
static void observe_flow(void *ctx, const struct flow *f, enum conn_end why)
{
    const struct analyzer *a = ctx;
    verdict_collector_observe(a->verdicts, f, why == CONN_END_EVICTED,
                              why == CONN_END_INPUT ? (a->now_us != 0 ? a->now_us : 1) : 0);
}

void fw_config_defaults(struct fw_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->verify_checksums = false;
    /* About 560 bytes per flow: the default cap is about 560 MB at most, allocated only as
     * flows appear (the pool grows 2 MiB at a time: about 3,700 flows). */
    cfg->max_flows = 1000000;
    cfg->tcp_timeout_us = 300ull * 1000000;   /* Zeek's tcp_inactivity_timeout */
    cfg->udp_timeout_us = 60ull * 1000000;    /* udp_inactivity_timeout */
    cfg->icmp_timeout_us = 60ull * 1000000;   /* icmp_inactivity_timeout */
    cfg->other_timeout_us = 60ull * 1000000;  /* unknown_ip_inactivity_timeout */
    cfg->attempt_timeout_us = 5ull * 1000000; /* tcp_attempt_delay */
    cfg->flow_hash_key[0] = cfg->flow_hash_key[1] = 0; /* the caller's to draw */
}

struct analyzer *analyzer_new(const struct fw_config *cfg, conn_sink_fn sink, void *sink_ctx)
{
    struct analyzer *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->cfg = *cfg;
    a->dopts.verify_checksums = cfg->verify_checksums;
    a->stats.last_unsupported_linktype = -1;
    if (flow_track_init(&a->tracker, &a->cfg, &a->stats, sink, sink_ctx) != 0) {
        free(a);
        return NULL;
    }
    /* The learned RPC ports, fed by the tracker, read by the verdicts. */
    a->rpc = rpc_ports_new();
    a->cfg.verdict.rpc = a->rpc;
    path_clues_init(&a->clues);
    a->cfg.verdict.clues[0] = a->cfg.verdict.clues[1] = &a->clues; /* its frames' vantage */
    a->verdicts = a->rpc == NULL ? NULL : verdict_collector_new(&a->cfg.verdict);
    if (a->verdicts == NULL) {
        rpc_ports_free(a->rpc);
        flow_track_fini(&a->tracker);
        free(a);
        return NULL;
    }
    a->tracker.rpc = a->rpc;
    a->tracker.observe = observe_flow;
    a->tracker.observe_ctx = a;
    return a;
}

void analyzer_free(struct analyzer *a)
{
    if (a == NULL)
        return;
    flow_track_fini(&a->tracker);
    verdict_collector_free(a->verdicts);
    rpc_ports_free(a->rpc);
    free(a->held.buf);
    free(a);
}

static void sync_counts(struct analyzer *a)
{
    const struct flow_table_counts *c = flow_table_counts(a->tracker.table);
    a->stats.flows_total = c->created;
    a->stats.flows_live = c->live;
    a->stats.flows_peak = c->peak;
    a->stats.flows_evicted = c->evicted;
    if (a->rpc != NULL) {
        const struct dcerpc_stats *r = rpc_ports_stats(a->rpc);
        a->stats.rpc_pdus = r->pdus;
        a->stats.rpc_truncated = r->by_result[DCERPC_TRUNCATED];
        a->stats.rpc_malformed = r->by_result[DCERPC_MALFORMED];
        a->stats.rpc_incomplete = r->by_result[DCERPC_FRAGMENTED];
        a->stats.rpc_ports_learned = rpc_ports_count(a->rpc);
        a->stats.rpc_conns_evicted = rpc_ports_evicted(a->rpc);
        a->stats.rpc_alloc_failed = rpc_ports_mem(a->rpc)->alloc_failed;
    }
}

/* Moves the clock to t (never backwards) and returns the time the frame is handled at. */
static uint64_t clock_at(struct analyzer *a, uint64_t t)
{
    if (!a->have_time) {
        a->have_time = true;
        a->now_us = t;
    } else if (t < a->now_us) {
        a->stats.ts_backwards++;
    } else {
        a->now_us = t;
    }
    return a->now_us;
}

/* Decodes and tracks frame f at time now: what now has expired goes first. The one place a
 * frame is handled, whether it came just now or was held. */
static void handle_at(struct analyzer *a, const struct frame *f, uint64_t now)
{
    flow_table_advance(a->tracker.table, now);
    struct pkt p;
    enum pkt_status st = decode_frame(f, &a->dopts, &p);
    a->stats.by_status[st < PKT_STATUS_COUNT ? st : PKT_MALFORMED]++;
    if (st == PKT_UNSUPPORTED_LINK)
        a->stats.last_unsupported_linktype = f->linktype;
    if (st == PKT_NOT_IP || p.proto == 1 || p.proto == 58)
        path_clues_feed(&a->clues, f, &p);
    if (st == PKT_NOT_IP || st == PKT_UNSUPPORTED_LINK || st == PKT_FRAGMENT ||
        p.ip_version == 0)
        return;
    if (a->cfg.verify_checksums && p.ip_cksum == CKSUM_BAD) {
        a->stats.bad_ip_cksum++; /* Zeek drops these before any connection handling */
        return;
    }
    if (a->cfg.verify_checksums && p.l4_cksum == CKSUM_BAD)
        a->stats.bad_l4_cksum++;
    else if (a->cfg.verify_checksums && p.l4_cksum == CKSUM_PARTIAL)
        a->stats.offloaded_l4_cksum++; /* no damage: analysed as the packet it will be */
    /* A TCP header cut short still creates its connection in Zeek (not counted in it). */
    if (st == PKT_OK || (p.proto == 6 && p.has_ports))
        flow_track_packet(&a->tracker, &p, now, f->number, f->vantage);
}

static bool far_ahead(const struct analyzer *a, uint64_t t)
{
    return a->have_time && t > a->now_us && t - a->now_us > ANALYZER_AHEAD_US;
}

/* Keeps a copy of f until the next event. False if the copy could not be made. */
static bool hold(struct analyzer *a, const struct frame *f)
{
    struct held_frame *h = &a->held;
    if (f->caplen > h->size) {
        uint8_t *buf = malloc(f->caplen);
        if (buf == NULL)
            return false;
        free(h->buf);
        h->buf = buf;
        h->size = f->caplen;
    }
    if (f->caplen > 0)
        memcpy(h->buf, f->bytes, f->caplen);
    h->f = *f;
    h->f.bytes = h->buf;
    h->on = true;
    return true;
}

/* The capture's time span is the frames' own stamps (live, analyzer_advance() may have moved
 * the clock before the first frame came), except a lone stamp found to be a glitch: a span
 * "to 2106" would tell the reader nothing true. */
static void span_add(struct analyzer *a, uint64_t ts)
{
    if (!a->have_span || ts < a->stats.first_ts_us)
        a->stats.first_ts_us = ts;
    if (!a->have_span || ts > a->stats.last_ts_us)
        a->stats.last_ts_us = ts;
    a->have_span = true;
}

/* Handles the held frame: at its own time if the jump was real, else at the clock. */
static void release(struct analyzer *a, bool real)
{
    a->held.on = false;
    if (real)
        span_add(a, a->held.f.ts_us);
    else
        a->stats.ts_backwards++; /* out of order, like a frame older than the clock */
    handle_at(a, &a->held.f, real ? clock_at(a, a->held.f.ts_us) : a->now_us);
}

void analyzer_feed(struct analyzer *a, const struct frame *f)
{
    a->stats.frames++;
    a->stats.wire_bytes += f->wirelen;
    /* Near the held stamp or past it confirms the jump. (The held stamp is more than
     * ANALYZER_AHEAD_US past the clock, so the subtraction cannot wrap.) */
    if (a->held.on)
        release(a, f->ts_us >= a->held.f.ts_us - ANALYZER_AHEAD_US);
    /* Without memory for the copy the stamp is trusted, as it was before the look-ahead. */
    if (!far_ahead(a, f->ts_us) || !hold(a, f)) {
        span_add(a, f->ts_us);
        handle_at(a, f, clock_at(a, f->ts_us));
    }
    sync_counts(a);
}

static bool preview_flow(void *ctx, struct flow *f)
{
    return verdict_preview_flow(ctx, f, false);
}

static bool preview_flow_again(void *ctx, struct flow *f)
{
    return verdict_preview_flow(ctx, f, true);
}

/* The looks are paced on advance's own time, the caller's timer, not on the clock: frames
 * stamped ahead of it (the caller runs its timer behind the wall clock so that frames are
 * never older than the clock) would otherwise put the next look that much later. A timer that
 * went back (the wall clock was set) does not stop them. */
static bool preview_due(const struct analyzer *a, uint64_t now_us)
{
    return now_us >= a->preview_us + ANALYZER_PREVIEW_US || now_us < a->preview_us;
}

uint64_t analyzer_preview_due_us(const struct analyzer *a)
{
    return a->tracker.answered ? a->preview_us + ANALYZER_PREVIEW_US : UINT64_MAX;
}

/* Something to settle (an ended flow, a look, a port the endpoint mapper named). */
static bool settle_wanted(const struct analyzer *a)
{
    return verdict_collector_changed(a->verdicts) || rpc_ports_changes(a->rpc) != a->rpc_changes;
}

static bool settle_due(const struct analyzer *a, uint64_t now_us)
{
    return a->settle_us == 0 || now_us >= a->settle_us + ANALYZER_SETTLE_US ||
           now_us < a->settle_us;
}

uint64_t analyzer_next_due_us(const struct analyzer *a)
{
    uint64_t look = analyzer_preview_due_us(a), end = flow_table_next_due_us(a->tracker.table);
    /* Flows end at scattered times: their ends are taken together, on a 100 ms grid. */
    if (end < UINT64_MAX - ANALYZER_END_GRID_US)
        end = (end + ANALYZER_END_GRID_US - 1) / ANALYZER_END_GRID_US * ANALYZER_END_GRID_US;
    uint64_t due = look < end ? look : end;
    if (a->settle_us != 0 && settle_wanted(a) && a->settle_us + ANALYZER_SETTLE_US < due)
        due = a->settle_us + ANALYZER_SETTLE_US; /* a settle held back below */
    return due;
}

bool analyzer_advance(struct analyzer *a, uint64_t now_us)
{
    /* Live, the wall clock tells: a stamp it has come near was real. */
    if (a->held.on)
        release(a, now_us >= a->held.f.ts_us - ANALYZER_AHEAD_US);
    if (!a->have_time || now_us > a->now_us) {
        a->now_us = now_us;
        a->have_time = true;
    }
    flow_table_advance(a->tracker.table, a->now_us);
    sync_counts(a);
    /* Live, a flow's first answer shows at the next wake-up ANALYZER_PREVIEW_US after the
     * last look, not at the flow's end (verdict_preview.c): a busy link pays for at most a
     * few looks a second, each at the flows answered since the one before. */
    if (a->tracker.answered && preview_due(a, now_us)) {
        a->tracker.answered = false;
        a->preview_us = now_us;
        /* The flows answered since the last look, and those not decided then; every open
         * flow when the preview was emptied. */
        bool again = verdict_preview_begin(a->verdicts);
        flow_table_look(a->tracker.table, again, again ? preview_flow_again : preview_flow,
                        a->verdicts);
    }
    /* Most wake-ups end no flow and learn no port: the items would come out the same. One
     * that comes too soon after the last settle leaves it to the next (analyzer_next_due_us). */
    if (settle_wanted(a) && settle_due(a, now_us)) {
        a->settle_us = now_us;
        a->rpc_changes = rpc_ports_changes(a->rpc);
        verdict_collector_settle(a->verdicts); /* on failure the list is empty until the next */
        return true;
    }
    return false;
}

void analyzer_finish(struct analyzer *a)
{
    if (a->held.on)
        release(a, false); /* nothing came to confirm it */
    flow_table_finish(a->tracker.table);
    sync_counts(a);
    verdict_preview_drop(a->verdicts); /* every flow has ended: nothing is provisional */
    verdict_collector_settle(a->verdicts);
}

void analyzer_set_capture_drops(struct analyzer *a, uint64_t drops)
{
    verdict_collector_set_capture_drops(a->verdicts, drops);
}

const struct analyzer_stats *analyzer_stats(const struct analyzer *a)
{
    return &a->stats;
}

uint64_t analyzer_now_us(const struct analyzer *a)
{
    return a->now_us;
}

const struct verdict_collector *analyzer_verdicts(const struct analyzer *a)
{
    return a == NULL ? NULL : a->verdicts;
}

/* What the DCE/RPC parser met on TCP 135 (truncated, malformed, incomplete PDUs are
 * counted there), and the ports it learned. NULL only if the analyzer is NULL. */
const struct path_clues *analyzer_path_clues(const struct analyzer *a)
{
    return a == NULL ? NULL : &a->clues;
}

const struct rpc_ports *analyzer_rpc_ports(const struct analyzer *a)
{
    return a == NULL ? NULL : a->rpc;
}
