/* ui/live_stream.c: streaming lines of a live run (see live_stream.h). Times are UTC, like the
 * report's. Verdict changes are found with a hash table keyed by the verdict's cell, so that a
 * wake-up costs one pass over the verdicts however many there are; a flood's attempts are
 * counted per cell in a fixed table cleared every second, so that a flood costs neither
 * lines nor memory. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live_stream.h"
#include "../common/mem.h"

struct live_seen {
    bool used;
    struct fw_addr from, to;
    uint8_t proto;
    uint16_t port;
    enum verdict_kind kind;
};

struct live_flood_cell {
    bool used;
    struct fw_addr from, to;
    uint8_t proto;
    uint16_t port;
    uint32_t lines;  /* attempt lines written this second */
    uint64_t more;   /* attempts counted, not written */
};

void live_stream_init(struct live_stream *s, struct live_out *out, const struct profile *prof)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->prof = prof;
    /* Without it every attempt past the second's line budget is an "other cells" one. */
    s->flood = fw_zalloc(LIVE_FLOOD_CELLS, sizeof *s->flood);
}

void live_stream_fini(struct live_stream *s)
{
    free(s->seen);
    free(s->flood);
    s->seen = NULL;
    s->flood = NULL;
    s->nseen = s->cap = 0;
}

static const char *live_clock(uint64_t us, char buf[16])
{
    time_t t = (time_t)(us / 1000000u);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, 16, "%H:%M:%S", &tm) == 0)
        snprintf(buf, 16, "--:--:--");
    return buf;
}

static bool live_is_attempt(const struct conn_record *r)
{
    switch (r->ip_proto) {
    case 6: return strchr(r->history, 'S') != NULL;   /* the originator sent a SYN */
    case 17: return r->orig_pkts > 0;
    case 1: return r->orig_p == 8;                     /* echo request */
    case 58: return r->orig_p == 128;
    default: return false;
    }
}

/* 9874 -> "9,874": a count a reader takes in at a glance. */
static const char *live_count(uint64_t n, char buf[32])
{
    char d[24];
    int len = snprintf(d, sizeof d, "%" PRIu64, n), o = 0;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
    return buf;
}

static uint64_t live_cell_hash(const struct live_stream *s, const struct fw_addr *from,
                               const struct fw_addr *to, uint8_t proto, uint16_t port)
{
    uint64_t w[5];
    memcpy(&w[0], from->b, sizeof from->b);
    memcpy(&w[2], to->b, sizeof to->b);
    w[4] = (uint64_t)from->family | (uint64_t)to->family << 8 | (uint64_t)proto << 16 |
           (uint64_t)port << 32;
    return siphash13_words(&s->key, w, 5);
}

/* This second's counts of r's cell; NULL when the table is full (or was never allocated). */
static struct live_flood_cell *live_flood_slot(struct live_stream *s, const struct conn_record *r)
{
    if (s->flood == NULL)
        return NULL;
    size_t j = (size_t)live_cell_hash(s, &r->orig_h, &r->resp_h, r->ip_proto, r->resp_p) &
               (LIVE_FLOOD_CELLS - 1);
    for (size_t n = 0; n < LIVE_FLOOD_CELLS; n++, j = (j + 1) & (LIVE_FLOOD_CELLS - 1)) {
        struct live_flood_cell *c = &s->flood[j];
        if (!c->used) {
            *c = (struct live_flood_cell){.used = true, .from = r->orig_h, .to = r->resp_h,
                                          .proto = r->ip_proto, .port = r->resp_p};
            return c;
        }
        if (c->proto == r->ip_proto && c->port == r->resp_p && fw_addr_eq(&c->from, &r->orig_h) &&
            fw_addr_eq(&c->to, &r->resp_h))
            return c;
    }
    return NULL;
}

/* The summaries of the second s->second, and its counts cleared. */
static void live_summaries(struct live_stream *s)
{
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], t[16], n[32], port[16];
    uint64_t rest = s->other_more, rest_cells = 0;
    int said = 0;
    live_clock(s->second * 1000000u, t);
    for (size_t i = 0; s->flood != NULL && i < LIVE_FLOOD_CELLS; i++) {
        const struct live_flood_cell *c = &s->flood[i];
        if (!c->used || c->more == 0)
            continue;
        if (said >= LIVE_FLOOD_SAY) {
            rest += c->more;
            rest_cells++;
            continue;
        }
        said++;
        bool echo = c->proto == 1 || c->proto == 58;
        snprintf(port, sizeof port, " %u", c->port);
        live_out_printf(s->out, LIVE_OUT_HIGH, "%s %s%s %s -> %s: %s more attempt%s this "
                        "second\n", t, echo ? "icmp" : conn_proto_name(c->proto),
                        echo ? " echo" : port, fw_addr_format(&c->from, a, sizeof a),
                        fw_addr_format(&c->to, b, sizeof b), live_count(c->more, n),
                        c->more == 1 ? "" : "s");
    }
    if (rest > 0)
        live_out_printf(s->out, LIVE_OUT_HIGH, "%s %s more attempt%s this second to %s other "
                        "cell%s\n", t, live_count(rest, n), rest == 1 ? "" : "s",
                        s->other_more > 0 ? "many" : live_count(rest_cells, a),
                        s->other_more == 0 && rest_cells == 1 ? "" : "s");
    if (s->flood != NULL)
        memset(s->flood, 0, LIVE_FLOOD_CELLS * sizeof *s->flood);
    s->other_more = 0;
    s->second_lines = 0;
}

/* Every line is stamped with the stream's clock, moved to now_us first (never back): so the
 * times only go forward in the order written, whatever the order the caller's times came in.
 * A new second first closes the one before with its summaries. Returns the stamp. */
static uint64_t live_stream_at(struct live_stream *s, uint64_t now_us)
{
    if (now_us > s->clock_us)
        s->clock_us = now_us;
    uint64_t sec = s->clock_us / 1000000u;
    if (s->second != 0 && sec > s->second)
        live_summaries(s);
    s->second = sec;
    return s->clock_us;
}

void live_stream_tick(struct live_stream *s, uint64_t now_us)
{
    if (now_us != UINT64_MAX) {
        live_stream_at(s, now_us);
        return;
    }
    if (s->second != 0)
        live_summaries(s); /* the run's last second */
    s->second = 0;
}

void live_stream_conn(struct live_stream *s, const struct conn_record *r, uint64_t now_us)
{
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], t[16], began[24];
    if (!live_is_attempt(r))
        return;
    const struct profile_entry *e = profile_lookup(s->prof, r->ip_proto, r->resp_p);
    if (e == NULL)
        return;
    uint64_t at = live_stream_at(s, now_us);
    struct live_flood_cell *c = live_flood_slot(s, r);
    if (c == NULL || c->lines >= LIVE_CELL_LINES || s->second_lines >= LIVE_SECOND_LINES) {
        if (c != NULL)
            c->more++;
        else
            s->other_more++;
        s->summarised++;
        return;
    }
    c->lines++;
    s->second_lines++;
    fw_addr_format(&r->orig_h, a, sizeof a);
    fw_addr_format(&r->resp_h, b, sizeof b);
    /* Stamped when it ended, like every line; when it began is said inside. */
    live_clock(r->ts_us, began);
    snprintf(began + strlen(began), sizeof began - strlen(began), ".%03u",
             (unsigned)(r->ts_us / 1000u % 1000u));
    /* The connection's own record: Zeek's state and history. What an ICMP error said about it
     * (REJECTED) is the verdict line's, as the record does not carry it. */
    if (r->ip_proto == 1 || r->ip_proto == 58)
        live_out_printf(s->out, LIVE_OUT_LOW, "%s attempt icmp echo %s -> %s: %s (%s; began %s, "
                        "frames %" PRIu64 "-%" PRIu64 ")\n", live_clock(at, t), a, b,
                        r->resp_pkts > 0 ? "answered" : "no reply", e->service, began,
                        r->first_frame, r->last_frame);
    else
        live_out_printf(s->out, LIVE_OUT_LOW, "%s attempt %s %s:%u -> %s:%u: %s, history %s (%s; "
                        "began %s, frames %" PRIu64 "-%" PRIu64 ")\n", live_clock(at, t),
                        conn_proto_name(r->ip_proto), a, r->orig_p, b, r->resp_p,
                        conn_state_name(r->state), r->history[0] != '\0' ? r->history : "-",
                        e->service, began, r->first_frame, r->last_frame);
}

/* The cells come from the traffic, so whoever sends it chooses their keys: a hash they can
 * compute would let them make every lookup probe every verdict. SipHash-1-3 under the
 * stream's own random key (the caller's: app/hash_key.c) cannot be aimed. The lines follow
 * the verdicts' order, never the table's. */
static size_t live_hash(const struct live_stream *s, const struct verdict_item *it)
{
    return (size_t)live_cell_hash(s, &it->from, &it->to, it->proto, it->port);
}

static bool live_same_cell(const struct live_seen *e, const struct verdict_item *it)
{
    return e->proto == it->proto && e->port == it->port && fw_addr_eq(&e->from, &it->from) &&
           fw_addr_eq(&e->to, &it->to);
}

/* The slot of it's cell: an existing one, or a free one to fill. NULL when out of memory. */
static struct live_seen *live_slot(struct live_stream *s, const struct verdict_item *it)
{
    if (s->nseen * 2 >= s->cap) {
        size_t cap = s->cap != 0 ? s->cap * 2 : 256;
        struct live_seen *old = s->seen, *nt = fw_zalloc(cap, sizeof *nt);
        if (nt == NULL)
            return NULL;
        for (size_t i = 0; i < s->cap; i++) {
            if (!old[i].used)
                continue;
            struct verdict_item key = {.from = old[i].from, .to = old[i].to,
                                       .proto = old[i].proto, .port = old[i].port};
            size_t j = live_hash(s, &key) & (cap - 1);
            while (nt[j].used)
                j = (j + 1) & (cap - 1);
            nt[j] = old[i];
        }
        free(old);
        s->seen = nt;
        s->cap = cap;
    }
    size_t j = live_hash(s, it) & (s->cap - 1);
    while (s->seen[j].used && !live_same_cell(&s->seen[j], it))
        j = (j + 1) & (s->cap - 1);
    return &s->seen[j];
}

void live_stream_verdicts(struct live_stream *s, const struct verdict_collector *vc,
                          uint64_t now_us)
{
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], t[16], port[16];
    uint32_t looked = s->settles;
    s->settles = verdict_settles(vc);
    /* Having seen the settle before, only what this one judged can have changed; else every
     * item judged since the last look. */
    bool all = s->settles != looked + 1;
    size_t n = all ? verdict_count(vc) : verdict_judged_count(vc);
    for (size_t i = 0; !s->failed && i < n; i++) {
        const struct verdict_item *it = all ? verdict_at(vc, i) : verdict_judged_at(vc, i);
        if (it->settled <= looked)
            continue; /* kept from a settle already looked at: no change to tell */
        struct live_seen *e = live_slot(s, it);
        if (e == NULL) {
            s->failed = true;
            live_out_printf(s->out, LIVE_OUT_HIGH, "%s out of memory: verdict changes are no "
                            "longer shown (the final report will have them)\n",
                            live_clock(live_stream_at(s, now_us), t));
            break;
        }
        bool fresh = !e->used;
        if (!fresh && e->kind == it->v.kind)
            continue;
        enum verdict_kind was = e->kind;
        bool news = fresh || was == VERDICT_UNTESTED; /* "(was UNTESTED)" says nothing */
        if (fresh) {
            *e = (struct live_seen){.used = true, .from = it->from, .to = it->to,
                                    .proto = it->proto, .port = it->port};
            s->nseen++;
        }
        e->kind = it->v.kind;
        if (fresh && it->v.kind == VERDICT_UNTESTED)
            continue;
        snprintf(port, sizeof port, "/%u", it->port);
        live_out_printf(s->out, LIVE_OUT_HIGH,
                "%s verdict %s%s %s -> %s: %s%s%s%s (%s, %s confidence)\n",
                live_clock(live_stream_at(s, now_us), t), verdict_proto_name(it->proto),
                it->proto == VERDICT_PROTO_ECHO ? " echo" : port,
                fw_addr_format(&it->from, a, sizeof a), fw_addr_format(&it->to, b, sizeof b),
                verdict_name(it->v.kind), news ? "" : " (was ", news ? "" : verdict_name(was),
                news ? "" : ")", it->service, verdict_conf_name(it->confidence));
    }
}

void live_stream_status(struct live_stream *s, uint64_t now_us, uint64_t packets,
                        uint64_t kernel_drops, uint64_t if_drops)
{
    char t[16];
    live_out_printf(s->out, LIVE_OUT_HIGH, "%s status: %" PRIu64 " packets captured, %" PRIu64
                    " dropped by the kernel, %" PRIu64 " by the interface\n",
                    live_clock(live_stream_at(s, now_us), t), packets, kernel_drops, if_drops);
}
