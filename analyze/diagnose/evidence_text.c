/* analyze/diagnose/evidence_text.c: the words every explanation shares: the counts line, one
 * line per outcome met (its first attempt: frames, times, TTLs, ICMP type and code), times of
 * day and ICMP names. What an explanation concludes from them, and its advice, is its own. */
#include "diagnose.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Formatted on the stack, kept in the arena at its exact length: ~100 bytes a line, where a
 * fixed array in every item cost VERDICT_EVIDENCE_LEN. */
void verdict_add_evidence(struct verdict_arena *ar, struct verdict_item *it, const char *fmt, ...)
{
    if (it->nevidence >= VERDICT_MAX_EVIDENCE)
        return;
    char line[VERDICT_EVIDENCE_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    it->evidence[it->nevidence++] = verdict_arena_keep(ar, line, strlen(line));
}

/* "14:03:07.123456": UTC time of day, computed, not read from any clock or locale. */
const char *diag_clock(uint64_t us, char *buf, size_t len)
{
    uint64_t s = us / 1000000u;
    snprintf(buf, len, "%02u:%02u:%02u.%06u", (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60),
             (unsigned)(s % 60), (unsigned)(us % 1000000u));
    return buf;
}

const char *diag_what(const struct verdict_item *it, char *buf, size_t len)
{
    if (it->proto == VERDICT_PROTO_ECHO)
        snprintf(buf, len, "ICMP echo");
    else
        snprintf(buf, len, "%s %u", it->proto == 6 ? "TCP" : "UDP", (unsigned)it->port);
    return buf;
}

/* "4 attempts: 2 answered, 2 unanswered; 9 requests, 5 retransmitted": only the outcomes that
 * occurred, in words that fit their number, so the line reads as a sentence at 2 a.m. */
void diag_counts_line(const struct evidence *e, struct verdict_item *it)
{
    const struct verdict_counts *n = e->n;
    struct verdict_arena *ar = e->text;
    uint32_t resets = n->by_outcome[VO_RST] + n->by_outcome[VO_RST_FORGED];
    uint32_t forged = it->counts.forged_rst + n->by_outcome[VO_RST_FORGED];
    const struct {
        uint32_t count;
        const char *one, *many;
    } part[] = {
        { n->by_outcome[VO_ANSWERED] + n->by_outcome[VO_REPLY_LOST] +
              n->by_outcome[VO_ANSWER_LOST] + n->by_outcome[VO_REPEATED], "answered",
          "answered" },
        { n->by_outcome[VO_STALLED], "connected then stalled", "connected then stalled" },
        { n->by_outcome[VO_RESET_ON_PATH], "connected then reset on the way",
          "connected then reset on the way" },
        { n->by_outcome[VO_STALE_ACK], "met a TIME-WAIT", "met a TIME-WAIT" },
        { n->by_outcome[VO_OTHER_ADDR], "answered from another address",
          "answered from another address" },
        { n->by_outcome[VO_ANSWER_UNSEEN], "answered out of the capture's sight",
          "answered out of the capture's sight" },
        { resets - (forged < resets ? forged : resets), "reset by the host",
          "reset by the host" },
        { forged, "reset by a firewall", "reset by a firewall" },
        { n->by_outcome[VO_REFUSAL_LOST], "refused by the host, refusal lost",
          "refused by the host, refusals lost" },
        { n->by_outcome[VO_ICMP_PORT] + n->by_outcome[VO_ICMP_PROHIB] +
              n->by_outcome[VO_ICMP_OTHER] + n->by_outcome[VO_ICMP_UNREACH], "ICMP error",
          "ICMP errors" },
        { n->by_outcome[VO_NO_ANSWER] + n->by_outcome[VO_NEVER_ARRIVED] +
              n->by_outcome[VO_SILENT_AFTER_ARRIVAL], "unanswered", "unanswered" },
        { n->by_outcome[VO_NOT_ATTEMPT], "scanner probe", "scanner probes" },
    };
    char buf[VERDICT_EVIDENCE_LEN];
    int len = snprintf(buf, sizeof buf, "%u attempt%s:", n->attempts,
                       n->attempts == 1 ? "" : "s");
    const char *sep = " ";
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
        if (part[i].count == 0 || len < 0 || (size_t)len >= sizeof buf)
            continue;
        len += snprintf(buf + len, sizeof buf - (size_t)len, "%s%u %s", sep, part[i].count,
                        part[i].count == 1 ? part[i].one : part[i].many);
        sep = ", ";
    }
    if (len >= 0 && (size_t)len < sizeof buf)
        len += snprintf(buf + len, sizeof buf - (size_t)len, "; %u request%s", n->requests,
                        n->requests == 1 ? "" : "s");
    if (n->retransmits > 0 && len >= 0 && (size_t)len < sizeof buf)
        snprintf(buf + len, sizeof buf - (size_t)len, ", %u retransmitted", n->retransmits);
    verdict_add_evidence(ar, it, "%s", buf);
}

const char *diag_routers_text(uint8_t ttl, char *buf, size_t len)
{
    unsigned n = verdict_hops(ttl);
    if (n == 0)
        snprintf(buf, len, "sent with no router between");
    else
        snprintf(buf, len, "%u router%s away", n, n == 1 ? "" : "s");
    return buf;
}

const char *diag_icmp_text(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == 6 && type == 1) {
        static const char *const v6[] = { "no route", "administratively prohibited",
                                          "beyond scope", "address unreachable",
                                          "port unreachable", "source address failed policy",
                                          "reject route" };
        return code < 7 ? v6[code] : "destination unreachable";
    }
    if (family == 4 && type == 3) {
        switch (code) {
        case 0: return "net unreachable";
        case 1: return "host unreachable";
        case 3: return "port unreachable";
        case 9: return "net prohibited";
        case 10: return "host prohibited";
        case 13: return "admin-prohibited";
        default: return "destination unreachable";
        }
    }
    return (family == 4 && type == 11) || (family == 6 && type == 3) ? "time exceeded"
                                                                     : "error";
}

void diag_attempt_line(const struct evidence *x, struct verdict_item *it,
                       enum verdict_outcome o)
{
    const struct verdict_cell *c = x->cell;
    const struct verdict_attempt *a = x->first[o];
    char t[24], ab[FW_ADDRSTRLEN], ab2[FW_ADDRSTRLEN];
    const char *req = c->proto == 6 ? "SYN" : c->proto == 17 ? "request" : "echo request";
    /* Two captures: frame numbers are their capture's, so each says which. */
    char fr[48], fa[48];
    snprintf(fr, sizeof fr, "frame %llu%s", (unsigned long long)a->req_frame,
             x->combined ? (a->vantage == 0 ? " of capture 1" : " of capture 2") : "");
    int ans_vantage = a->ans_in_far ? 1 - a->vantage : a->vantage;
    snprintf(fa, sizeof fa, "frame %llu%s", (unsigned long long)a->ans_frame,
             x->combined ? (ans_vantage == 0 ? " of capture 1" : " of capture 2") : "");
    diag_clock(a->first_us, t, sizeof t);
    struct verdict_arena *ar = x->text;
    switch (o) {
    case VO_ANSWERED:
        verdict_add_evidence(ar, it, "%s at %s: %s answered (%u packets back, TTL %u)", fr, t,
                             req, a->answers, (unsigned)a->ans_ttl);
        break;
    case VO_RST: {
        const struct verdict_host *h = x->to_host;
        char seen[64] = "no other packet from the host to compare with";
        if (h != NULL)
            snprintf(seen, sizeof seen, "the host's own packets show TTL %u-%u",
                     (unsigned)h->ttl_min, (unsigned)h->ttl_max);
        char id[24] = "", hops[32]; /* IPv6 has no IP ID */
        if (c->to.family == 4)
            snprintf(id, sizeof id, ", IP ID %u", (unsigned)a->ans_ip_id);
        verdict_add_evidence(ar, it, "%s: RST in the name of %s, TTL %u (%s)%s; %s", fa,
                             fw_addr_format(&c->to, ab, sizeof ab), (unsigned)a->ans_ttl,
                             diag_routers_text(a->ans_ttl, hops, sizeof hops), id, seen);
        break;
    }
    case VO_ICMP_PORT:
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER:
    case VO_ICMP_UNREACH:
        verdict_add_evidence(ar, it, "%s: ICMP type %u code %u (%s) from %s, quoting the %s of "
                             "frame %llu", fa, (unsigned)a->icmp_type, (unsigned)a->icmp_code,
                             diag_icmp_text(c->to.family, a->icmp_type, a->icmp_code),
                             fw_addr_format(&a->icmp_from, ab, sizeof ab), req,
                             (unsigned long long)a->req_frame);
        break;
    case VO_NO_ANSWER:
        if (a->retransmits > 0)
            verdict_add_evidence(ar, it, "%s at %s: %s sent %u times (%u retransmissions), no "
                                 "answer, no ICMP error", fr, t, req, a->requests,
                                 a->retransmits);
        else
            verdict_add_evidence(ar, it, "%s at %s: %s sent %u time%s, no answer, no ICMP "
                                 "error", fr, t, req, a->requests, a->requests == 1 ? "" : "s");
        break;
    case VO_REPLY_LOST:
        verdict_add_evidence(ar, it, "%s at %s: SYN in, SYN-ACK out, then the SYN again (%u "
                             "retransmissions) and no ACK: the SYN-ACK did not get back "
                             "(inferred)", fr, t, a->retransmits);
        break;
    case VO_NEVER_ARRIVED:
        verdict_add_evidence(ar, it, "frame %llu of capture %d at %s: %s sent %u times; the "
                             "capture on %s never saw it arrive", (unsigned long long)a->req_frame,
                             a->vantage + 1, t, req, a->requests,
                             fw_addr_format(&c->to, ab, sizeof ab));
        break;
    case VO_SILENT_AFTER_ARRIVAL:
        verdict_add_evidence(ar, it, "frame %llu of capture %d at %s: %s sent; it arrived (frame "
                             "%llu of capture %d) and %s sent nothing back",
                             (unsigned long long)a->req_frame, a->vantage + 1, t, req,
                             (unsigned long long)a->far_frame, 2 - a->vantage,
                             fw_addr_format(&c->to, ab, sizeof ab));
        break;
    case VO_ANSWER_LOST:
        verdict_add_evidence(ar, it, "frame %llu of capture %d at %s: %s sent %u times; it "
                             "arrived (frame %llu of capture %d) and was answered, and no answer "
                             "got back", (unsigned long long)a->req_frame, a->vantage + 1, t, req,
                             a->requests, (unsigned long long)a->far_frame, 2 - a->vantage);
        break;
    case VO_REFUSAL_LOST:
        verdict_add_evidence(ar, it, "%s at %s: %s sent %u time%s; it arrived (frame %llu of "
                             "capture %d), the host refused it (%s), %s", fr, t, req,
                             a->requests, a->requests == 1 ? "" : "s",
                             (unsigned long long)a->far_frame, 2 - a->vantage,
                             c->proto == 6 ? "RST" : diag_icmp_text(c->to.family, a->icmp_type,
                                                                    a->icmp_code),
                             a->host_unseen ? "unseen back" : "none got back");
        break;
    case VO_RST_FORGED: {
        char hops[32];
        verdict_add_evidence(ar, it, "frame %llu of capture %d: RST in the name of %s, TTL %u "
                             "(%s), %s", (unsigned long long)a->ans_frame, a->vantage + 1,
                             fw_addr_format(&c->to, ab, sizeof ab), (unsigned)a->ans_ttl,
                             diag_routers_text(a->ans_ttl, hops, sizeof hops),
                             a->forged_by_near ? "unlike the host's own packets in that capture"
                                               : "which the host's own capture shows it never "
                                                 "sent");
        break;
    }
    case VO_STALLED:
        if (a->stall_len == 0) /* its FIN: it had no data left to send (verdict_attempt.c) */
            verdict_add_evidence(ar, it, "%s at %s: connected; then %s's packets stopped: %s "
                                 "sent its FIN again %u times and it was never acknowledged",
                                 fr, t, a->stall_side == 0 ? "the host" : "the requester",
                                 a->stall_side == 0 ? "the requester" : "the host",
                                 (unsigned)a->stall_rexmits);
        else
            verdict_add_evidence(ar, it, "%s at %s: connected; then %s sent its data again %u "
                                 "times (%u bytes at least) %s", fr, t,
                                 a->stall_side == 0 ? "the requester" : "the host",
                                 (unsigned)a->stall_rexmits, (unsigned)a->stall_len,
                                 a->stall_acked ? "though it had been acknowledged"
                                                : "and it was never acknowledged");
        break;
    case VO_STALE_ACK:
        verdict_add_evidence(ar, it, "%s at %s: the SYN was answered with a bare ACK (TTL %u), the "
                             "answer of a host that still keeps an earlier connection of this "
                             "5-tuple", fr, t, (unsigned)a->ans_ttl);
        break;
    case VO_OTHER_ADDR:
        verdict_add_evidence(ar, it, "%s at %s: %s sent, and the answer came from %s instead of "
                             "%s", fr, t, req, fw_addr_format(&a->other_addr, ab, sizeof ab),
                             fw_addr_format(&c->to, ab2, sizeof ab2));
        break;
    case VO_RESET_ON_PATH: {
        char hops[32];
        if (a->ans_frame == 0) /* seen by the other capture (correlate.c) */
            verdict_add_evidence(ar, it, "%s at %s: connected; then the other capture holds a RST "
                                 "in an endpoint's name, TTL %u, unlike that endpoint's own "
                                 "packets there", fr, t, (unsigned)a->ans_ttl);
        else
            verdict_add_evidence(ar, it, "%s at %s: connected; then frame %llu: a RST, TTL %u "
                                 "(%s), unlike that endpoint's own packets", fr, t,
                                 (unsigned long long)a->ans_frame, (unsigned)a->ans_ttl,
                                 diag_routers_text(a->ans_ttl, hops, sizeof hops));
        break;
    }
    case VO_ANSWER_UNSEEN:
        if (c->proto == 6)
            verdict_add_evidence(ar, it, "%s at %s: %s sent, no answer captured, yet the "
                                 "requester went on (ACK, next sequence number): TCP does only "
                                 "after a SYN-ACK", fr, t, req);
        else /* two captures: the host's holds the answer (correlate.c) */
            verdict_add_evidence(ar, it, "%s at %s: %s sent; this capture holds none of the "
                                 "host's packets, the host's own shows it answered", fr, t, req);
        break;
    case VO_REPEATED:
        verdict_add_evidence(ar, it, "%s at %s: %s answered, and then sent again %u time%s, as "
                             "if the answer never arrived", fr, t, req, (unsigned)a->retries,
                             a->retries == 1 ? "" : "s");
        break;
    case VO_NOT_ATTEMPT:
        verdict_add_evidence(ar, it, "%s at %s: %u segment(s) with SYN and FIN or RST, or with "
                             "neither SYN nor ACK (null, FIN, Xmas): a scanner's probes, no "
                             "connection attempt", fr, t, a->requests);
        break;
    default: break;
    }
}

enum verdict_conf diag_lower(enum verdict_conf c)
{
    return c == VERDICT_CONF_HIGH ? VERDICT_CONF_MEDIUM : VERDICT_CONF_LOW;
}
