/* analyze/diagnose/explain_idle_timeout.c: a connection that stalls when it speaks again after a
 * long silence. Stateful firewalls, NAT gateways and load balancers forget a TCP connection
 * that carried nothing for their idle timeout (often an hour on firewalls, minutes on cloud
 * load balancers and NAT gateways, whatever an administrator set), while both hosts still hold
 * it open: TCP sends nothing on an idle connection unless keepalives are on, and their default
 * is two hours. The next segment, from either side, is no longer part of a known connection
 * and is dropped (or reset), so the sender repeats it unanswered: a replication link that
 * worked, went quiet, and broke.
 *
 * Read from the packets: the connection had been silent both ways for FLOW_IDLE_MIN_US or more,
 * with all its data acknowledged, when one side spoke again; that side's data was then sent
 * again and again without an answer, and the other side never sent anything after the silence
 * (flow_track.c note_idle).
 * A stall in the middle of a transfer (an IPS, a path-MTU black hole) has no such silence
 * before it. */
#include "diagnose.h"

#include <stdio.h>

/* Data, not a FIN: a receiver that closes after a stream stopped mid-transfer saw the same
 * silence from its side (the sender's lost data never reached its capture). */
static bool after_idle(const struct evidence *e, enum verdict_outcome o)
{
    return o == VO_STALLED && e->first[o]->idle_us > 0 && e->first[o]->stall_len > 0;
}

static bool idle_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                         struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_STALLED, after_idle, out))
        return false;
    /* The answered attempts that the resumed stalls continue (explain_open.c left them). */
    uint32_t same = avail[VO_ANSWERED] < e->n->resumed ? avail[VO_ANSWERED] : e->n->resumed;
    out->claimed[VO_ANSWERED] += same;
    out->total += same;
    out->confidence = VERDICT_CONF_MEDIUM;
    return true;
}

/* "1 h 5 min", "6 min 40 s", "12 s". */
static const char *span_text(uint64_t us, char *buf, size_t len)
{
    uint64_t s = us / 1000000u;
    if (s >= 3600)
        snprintf(buf, len, "%llu h %llu min", (unsigned long long)(s / 3600),
                 (unsigned long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(buf, len, "%llu min %llu s", (unsigned long long)(s / 60),
                 (unsigned long long)(s % 60));
    else
        snprintf(buf, len, "%llu s", (unsigned long long)s);
    return buf;
}

static void idle_words(const struct evidence *e, const struct finding *f, struct verdict_item *it)
{
    const struct verdict_attempt *a = e->first[f->rep];
    char span[40], s[FW_ADDRSTRLEN], o[FW_ADDRSTRLEN];
    bool from_side = a->stall_side == 0;
    fw_addr_format(from_side ? &e->cell->from : &e->cell->to, s, sizeof s);
    fw_addr_format(from_side ? &e->cell->to : &e->cell->from, o, sizeof o);
    /* Each address on a line of its own: two IPv6 ones in one passed VERDICT_EVIDENCE_LEN. */
    verdict_add_evidence(e->text, it, "the connection carried nothing either way for %s; then "
                         "%s's data went unanswered", span_text(a->idle_us, span, sizeof span), s);
    verdict_add_evidence(e->text, it, "and %s sent nothing more: a device on the way forgot the "
                         "idle connection (its TCP idle timeout)", o);
    if (a->resumed)
        verdict_add_evidence(e->text, it, "it spoke again without a new handshake: the same "
                             "connection (counted anew, as Zeek does after 5 min of silence)");
}

static void idle_advice(const struct evidence *e, const struct finding *f,
                        const struct verdict_item *it, char *buf, size_t len)
{
    const struct verdict_attempt *a = e->first[f->rep];
    char w[24], x[FW_ADDRSTRLEN], y[FW_ADDRSTRLEN], span[40];
    snprintf(buf, len, "%s from %s to %s breaks after %s idle: raise the TCP idle (session) "
             "timeout of the firewall, NAT or load balancer between them above the connection's "
             "idle time, or have the hosts send TCP keepalives more often than it (Windows: "
             "KeepAliveTime; Linux: net.ipv4.tcp_keepalive_time, with SO_KEEPALIVE)",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->from, x, sizeof x),
             fw_addr_format(&e->cell->to, y, sizeof y), span_text(a->idle_us, span, sizeof span));
}

const struct explanation EXPLAIN_IDLE_TIMEOUT = { "idle-timeout", idle_propose, idle_words,
                                                  idle_advice };
