/* ui/live_stream.c: streaming lines of a live run (see live_stream.h). Times are UTC, like the
 * report's. Verdict changes are found with a hash table keyed by the verdict's cell, so that a
 * wake-up costs one pass over the verdicts however many there are. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "live_stream.h"

struct live_seen {
    bool used;
    struct fw_addr from, to;
    uint8_t proto;
    uint16_t port;
    enum verdict_kind kind;
};

void live_stream_init(struct live_stream *s, FILE *out, const struct profile *prof)
{
    memset(s, 0, sizeof *s);
    s->out = out;
    s->prof = prof;
    siphash_key_random(&s->key); /* falls back to a key still unknown beforehand */
}

void live_stream_fini(struct live_stream *s)
{
    free(s->seen);
    s->seen = NULL;
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

void live_stream_conn(struct live_stream *s, const struct conn_record *r)
{
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], t[16];
    if (!live_is_attempt(r))
        return;
    const struct profile_entry *e = profile_lookup(s->prof, r->ip_proto, r->resp_p);
    if (e == NULL)
        return;
    fw_addr_format(&r->orig_h, a, sizeof a);
    fw_addr_format(&r->resp_h, b, sizeof b);
    /* The connection's own record: Zeek's state and history. What an ICMP error said about it
     * (REJECTED) is the verdict line's, as the record does not carry it. */
    if (r->ip_proto == 1 || r->ip_proto == 58)
        fprintf(s->out, "%s attempt icmp echo %s -> %s: %s (%s; frames %" PRIu64 "-%" PRIu64
                ")\n", live_clock(r->ts_us, t), a, b,
                r->resp_pkts > 0 ? "answered" : "no reply", e->service, r->first_frame,
                r->last_frame);
    else
        fprintf(s->out, "%s attempt %s %s:%u -> %s:%u: %s, history %s (%s; frames %" PRIu64
                "-%" PRIu64 ")\n", live_clock(r->ts_us, t), conn_proto_name(r->ip_proto), a,
                r->orig_p, b, r->resp_p, conn_state_name(r->state),
                r->history[0] != '\0' ? r->history : "-", e->service, r->first_frame,
                r->last_frame);
    fflush(s->out);
}

/* The cells come from the traffic, so whoever sends it chooses their keys: a hash they can
 * compute would let them make every lookup probe every verdict. SipHash-1-3 under the
 * stream's own random key (siphash.h) cannot be aimed. The lines follow the verdicts' order,
 * never the table's. */
static size_t live_hash(const struct live_stream *s, const struct verdict_item *it)
{
    uint64_t w[5];
    memcpy(&w[0], it->from.b, sizeof it->from.b);
    memcpy(&w[2], it->to.b, sizeof it->to.b);
    w[4] = (uint64_t)it->from.family | (uint64_t)it->to.family << 8 |
           (uint64_t)it->proto << 16 | (uint64_t)it->port << 32;
    return (size_t)siphash13_words(&s->key, w, 5);
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
        struct live_seen *old = s->seen, *nt = calloc(cap, sizeof *nt);
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
    bool printed = false;
    for (size_t i = 0; !s->failed && i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        struct live_seen *e = live_slot(s, it);
        if (e == NULL) {
            s->failed = true;
            fprintf(s->out, "%s out of memory: verdict changes are no longer shown (the final "
                    "report will have them)\n", live_clock(now_us, t));
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
        fprintf(s->out, "%s verdict %s%s %s -> %s: %s%s%s%s (%s, %s confidence)\n",
                live_clock(now_us, t), verdict_proto_name(it->proto),
                it->proto == VERDICT_PROTO_ECHO ? " echo" : port,
                fw_addr_format(&it->from, a, sizeof a), fw_addr_format(&it->to, b, sizeof b),
                verdict_name(it->v.kind), news ? "" : " (was ", news ? "" : verdict_name(was),
                news ? "" : ")", it->service, verdict_conf_name(it->confidence));
        printed = true;
    }
    if (printed)
        fflush(s->out);
}

void live_stream_status(struct live_stream *s, uint64_t now_us, uint64_t packets,
                        uint64_t kernel_drops, uint64_t if_drops)
{
    char t[16];
    fprintf(s->out, "%s status: %" PRIu64 " packets captured, %" PRIu64 " dropped by the "
            "kernel, %" PRIu64 " by the interface\n", live_clock(now_us, t), packets,
            kernel_drops, if_drops);
    fflush(s->out);
}
