/* analyze/verdict_text.c: from one settled cell to its verdict in words: which kind the
 * outcomes add up to, how sure one capture can be from where it was taken, the evidence
 * (frames, times, TTLs) and one line of advice. The cells themselves are kept by verdict.c. */
#include "verdict_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ECHO_ADVICE                                                                            \
    "; the failover monitor needs ICMP echo between source and target, or must be set to "     \
    "monitor the service instead"

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
static const char *clock_text(uint64_t us, char *buf, size_t len)
{
    uint64_t s = us / 1000000u;
    snprintf(buf, len, "%02u:%02u:%02u.%06u", (unsigned)(s / 3600 % 24), (unsigned)(s / 60 % 60),
             (unsigned)(s % 60), (unsigned)(us % 1000000u));
    return buf;
}

static const char *what(const struct verdict_item *it, char *buf, size_t len)
{
    if (it->proto == VERDICT_PROTO_ECHO)
        snprintf(buf, len, "ICMP echo");
    else
        snprintf(buf, len, "%s %u", it->proto == 6 ? "TCP" : "UDP", (unsigned)it->port);
    return buf;
}

/* "4 attempts: 2 answered, 2 unanswered; 9 requests, 5 retransmitted": only the outcomes that
 * occurred, in words that fit their number, so the line reads as a sentence at 2 a.m. */
static void text_counts(struct verdict_arena *ar, struct verdict_item *it,
                        const struct verdict_counts *n)
{
    uint32_t resets = n->by_outcome[VO_RST] + n->by_outcome[VO_RST_FORGED];
    uint32_t forged = it->counts.forged_rst + n->by_outcome[VO_RST_FORGED];
    const struct {
        uint32_t count;
        const char *one, *many;
    } part[] = {
        { n->by_outcome[VO_ANSWERED] + n->by_outcome[VO_REPLY_LOST] +
              n->by_outcome[VO_ANSWER_LOST], "answered", "answered" },
        { resets - (forged < resets ? forged : resets), "reset by the host",
          "reset by the host" },
        { forged, "reset by a firewall", "reset by a firewall" },
        { n->by_outcome[VO_ICMP_PORT] + n->by_outcome[VO_ICMP_PROHIB] +
              n->by_outcome[VO_ICMP_OTHER], "ICMP error", "ICMP errors" },
        { n->by_outcome[VO_NO_ANSWER] + n->by_outcome[VO_NEVER_ARRIVED] +
              n->by_outcome[VO_SILENT_AFTER_ARRIVAL], "unanswered", "unanswered" },
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

static const char *icmp_text(uint8_t family, uint8_t type, uint8_t code)
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

/* The kind one outcome stands for, in this cell. */
static enum verdict_kind kind_of(const struct verdict_cell *c, enum verdict_outcome o,
                                 const struct verdict_ctx *x)
{
    switch (o) {
    case VO_ANSWERED: return VERDICT_OPEN;
    case VO_RST: return x->rst_forged ? VERDICT_REJECTED : VERDICT_CLOSED;
    case VO_ICMP_PORT:
        return fw_addr_eq(&x->first[o]->icmp_from, &c->to) ? VERDICT_CLOSED : VERDICT_REJECTED;
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER: return VERDICT_REJECTED;
    case VO_NO_ANSWER: return VERDICT_DROPPED;
    case VO_REPLY_LOST:
        /* Seen at the requester, a SYN-ACK that arrived is an answer. */
        return x->cp->known && fw_addr_eq(&x->cp->addr, &c->from) ? VERDICT_OPEN
                                                                  : VERDICT_REPLY_DROPPED;
    case VO_NEVER_ARRIVED:
    case VO_SILENT_AFTER_ARRIVAL: return VERDICT_DROPPED;
    case VO_ANSWER_LOST: return VERDICT_REPLY_DROPPED;
    case VO_RST_FORGED: return VERDICT_REJECTED;
    default: return VERDICT_DROPPED;
    }
}

static void attempt_evidence(struct verdict_item *it, const struct verdict_cell *c,
                             enum verdict_outcome o, const struct verdict_ctx *x)
{
    const struct verdict_attempt *a = x->first[o];
    char t[24], ab[FW_ADDRSTRLEN];
    const char *req = c->proto == 6 ? "SYN" : c->proto == 17 ? "request" : "echo request";
    /* Two captures: frame numbers are their capture's, so each says which. */
    char fr[48], fa[48];
    snprintf(fr, sizeof fr, "frame %llu%s", (unsigned long long)a->req_frame,
             x->combined ? (a->vantage == 0 ? " of capture 1" : " of capture 2") : "");
    snprintf(fa, sizeof fa, "frame %llu%s", (unsigned long long)a->ans_frame,
             x->combined ? (a->vantage == 0 ? " of capture 1" : " of capture 2") : "");
    clock_text(a->first_us, t, sizeof t);
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
        verdict_add_evidence(ar, it, "%s: RST in the name of %s, TTL %u (%u hops), IP ID %u; %s",
                             fa, fw_addr_format(&c->to, ab, sizeof ab), (unsigned)a->ans_ttl,
                             verdict_hops(a->ans_ttl), (unsigned)a->ans_ip_id, seen);
        break;
    }
    case VO_ICMP_PORT:
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER:
        verdict_add_evidence(ar, it, "%s: ICMP type %u code %u (%s) from %s, quoting the %s of "
                             "frame %llu", fa, (unsigned)a->icmp_type, (unsigned)a->icmp_code,
                             icmp_text(c->to.family, a->icmp_type, a->icmp_code),
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
    case VO_RST_FORGED:
        verdict_add_evidence(ar, it, "frame %llu of capture %d: RST in the name of %s, TTL %u (%u "
                             "hops), which the capture on %s shows it never sent",
                             (unsigned long long)a->ans_frame, a->vantage + 1,
                             fw_addr_format(&c->to, ab, sizeof ab), (unsigned)a->ans_ttl,
                             verdict_hops(a->ans_ttl), ab);
        break;
    default: break;
    }
}

static enum verdict_conf lower(enum verdict_conf c)
{
    return c == VERDICT_CONF_HIGH ? VERDICT_CONF_MEDIUM : VERDICT_CONF_LOW;
}

static void advise(struct verdict_item *it, const struct verdict_cell *c,
                   const struct verdict_ctx *x, enum verdict_outcome rep, uint32_t n_open)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
    what(it, w, sizeof w);
    fw_addr_format(&c->from, a, sizeof a);
    fw_addr_format(&c->to, b, sizeof b);
    fw_addr_format(&it->v.answered_by, r, sizeof r);
    bool at_from = x->cp->known && fw_addr_eq(&x->cp->addr, &c->from);
    bool at_to = x->cp->known && fw_addr_eq(&x->cp->addr, &c->to);
    bool echo = c->proto == VERDICT_PROTO_ECHO;
    char adv[VERDICT_ADVICE_LEN] = "";
    size_t n = sizeof adv;
    const struct verdict_attempt *f = x->first[rep];
    switch (it->v.kind) {
    case VERDICT_OPEN:
        snprintf(adv, n, "nothing to do: %s from %s to %s passes", w, a, b);
        break;
    case VERDICT_CLOSED:
        snprintf(adv, n, "the path is open, but nothing listens on %s at %s: start the service "
                 "there or check its port", w, b);
        break;
    case VERDICT_REJECTED:
        if (rep == VO_RST || rep == VO_RST_FORGED)
            snprintf(adv, n, "open %s from %s to %s on the firewall %u hops from the capture "
                     "point; it resets the connection in %s's name (TTL %u)", w, a, b,
                     verdict_hops(f->ans_ttl), b, (unsigned)f->ans_ttl);
        else
            snprintf(adv, n, "open %s from %s to %s on the firewall at %s; it answers with ICMP "
                     "%s%s", w, a, b, r, icmp_text(c->to.family, f->icmp_type, f->icmp_code),
                     echo ? ECHO_ADVICE : "");
        break;
    case VERDICT_DROPPED:
        /* The firewall passes the endpoint mapper but not the port it hands out. */
        if (x->rpc_dynamic && x->mapper_open && c->proto == 6 &&
            rep != VO_SILENT_AFTER_ARRIVAL) {
            snprintf(adv, n, "endpoint mapper on 135 reachable, dynamic port %u dropped%s: open "
                     "the RPC range, or restrict it to a small range on the server and open "
                     "that", (unsigned)c->port,
                     rep == VO_NEVER_ARRIVED ? " (both captures: its requests never arrive)"
                                             : "");
            break;
        }
        if (rep == VO_SILENT_AFTER_ARRIVAL) {
            snprintf(adv, n, "%s from %s arrives at %s, which does not answer: check the host's "
                     "own firewall and that something listens on %s (dropped after arrival at "
                     "the far host)", w, a, b, w);
            break;
        }
        if (rep == VO_NEVER_ARRIVED) {
            snprintf(adv, n, "%s %s from %s to %s on the firewall between them: requests leave "
                     "%s and never arrive at %s%s", echo ? "allow" : "open", w, a, b, a, b,
                     echo ? ECHO_ADVICE : "");
            break;
        }
        snprintf(adv, n, "%s %s from %s to %s on the firewall between them; it gets no answer and "
                 "no error%s%s", echo ? "allow" : "open", w, a, b,
                 at_from ? " (it may have arrived and the answer been lost: a capture on the "
                           "target settles it)"
                 : at_to ? " (it arrives here and the host does not answer: check its own "
                           "firewall)"
                         : "",
                 echo ? ECHO_ADVICE
                 : c->proto == 17 ? "; a UDP service that ignores the request looks the same: "
                                    "open or filtered"
                                  : "");
        break;
    case VERDICT_REPLY_DROPPED:
        if (x->combined && rep == VO_ANSWER_LOST) {
            snprintf(adv, n, "allow the answers of %s from %s back to %s: requests arrive and "
                     "are answered, the answers never reach %s (both captures show it)%s", w, b,
                     a, a, echo ? ECHO_ADVICE : "");
            break;
        }
        snprintf(adv, n, "allow the answers of %s from %s back to %s: the request arrives, the "
                 "answer does not get back (inferred from this capture alone: a capture on %s "
                 "confirms it)", w, b, a, a);
        break;
    case VERDICT_PARTIAL:
        snprintf(adv, n, "%s from %s to %s passes only sometimes (%u of %u attempts): look for "
                 "rules that change, rate limits, or paths through different firewalls", w, a,
                 b, n_open, c->counts.attempts);
        break;
    default: break;
    }
    it->advice = verdict_arena_keep(x->text, adv, strlen(adv));
}

void verdict_text_cell(struct verdict_item *it, const struct verdict_cell *c,
                       const struct verdict_ctx *xin)
{
    struct verdict_ctx x = *xin;
    uint32_t by_kind[VERDICT_KIND_COUNT] = { 0 };
    enum verdict_outcome rep_of[VERDICT_KIND_COUNT];
    for (int o = VO_COUNT - 1; o >= 0; o--) {
        if (c->counts.by_outcome[o] == 0)
            continue;
        enum verdict_kind k = kind_of(c, (enum verdict_outcome)o, &x);
        by_kind[k] += c->counts.by_outcome[o];
        rep_of[k] = (enum verdict_outcome)o; /* the lowest outcome represents its kind */
    }
    /* Failures in order of what they tell: a refusal names a culprit, silence does not. */
    static const enum verdict_kind FAIL_ORDER[] = { VERDICT_REJECTED, VERDICT_CLOSED,
                                                    VERDICT_REPLY_DROPPED, VERDICT_DROPPED };
    enum verdict_kind fail = VERDICT_KIND_COUNT;
    int kinds = 0;
    for (size_t i = 0; i < sizeof FAIL_ORDER / sizeof FAIL_ORDER[0]; i++) {
        enum verdict_kind k = FAIL_ORDER[i];
        if (by_kind[k] == 0)
            continue;
        kinds++;
        if (fail == VERDICT_KIND_COUNT || by_kind[k] > by_kind[fail])
            fail = k;
    }
    x.mixed_failures = kinds > 1;
    uint32_t n_open = by_kind[VERDICT_OPEN];
    enum verdict_kind kind = fail == VERDICT_KIND_COUNT ? VERDICT_OPEN
                             : n_open > 0             ? VERDICT_PARTIAL
                                                      : fail;
    enum verdict_outcome rep = rep_of[kind == VERDICT_PARTIAL ? fail : kind];
    const struct verdict_attempt *f = x.first[rep];

    it->v.kind = kind;
    it->v.first_frame = f->req_frame;
    it->v.last_frame = f->ans_frame != 0 ? f->ans_frame : f->req_frame;
    it->v.ttl = f->ans_ttl;
    enum verdict_conf conf = VERDICT_CONF_HIGH;
    bool at_from = x.cp->known && fw_addr_eq(&x.cp->addr, &c->from);
    switch (kind) {
    case VERDICT_OPEN:
    case VERDICT_PARTIAL:
        it->v.answered_by = c->to;
        conf = kind == VERDICT_PARTIAL ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
        break;
    case VERDICT_CLOSED:
        it->v.answered_by = c->to;
        if (rep == VO_RST && !x.rst_compared)
            conf = VERDICT_CONF_MEDIUM;
        break;
    case VERDICT_REJECTED:
        if (rep != VO_RST && rep != VO_RST_FORGED)
            it->v.answered_by = f->icmp_from; /* a forged RST hides its maker's address */
        if (rep == VO_ICMP_OTHER)
            conf = VERDICT_CONF_MEDIUM;
        break;
    case VERDICT_DROPPED:
        if (rep == VO_NEVER_ARRIVED || rep == VO_SILENT_AFTER_ARRIVAL) {
            conf = VERDICT_CONF_HIGH; /* both ends seen: nothing is guessed */
            break;
        }
        conf = c->proto == 17                                  ? VERDICT_CONF_LOW
               : c->counts.retransmits > 0 || c->counts.requests > 1 ? VERDICT_CONF_MEDIUM
                                                                     : VERDICT_CONF_LOW;
        break;
    case VERDICT_REPLY_DROPPED:
        it->v.answered_by = c->to;
        it->inferred = rep != VO_ANSWER_LOST;
        conf = it->inferred ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
        break;
    default: break;
    }
    if (x.mixed_failures)
        conf = lower(conf);
    if (c->counts.evicted > 0)
        conf = lower(conf);
    it->confidence = conf;

    const struct verdict_counts *n = &c->counts;
    struct verdict_arena *ar = x.text;
    text_counts(ar, it, n);
    for (int o = 0; o < VO_COUNT; o++)
        if (n->by_outcome[o] > 0)
            attempt_evidence(it, c, (enum verdict_outcome)o, &x);
    if (kind == VERDICT_REJECTED && rep == VO_RST && !x.combined)
        verdict_add_evidence(ar, it, "the RST's TTL does not fit the host's own packets: a "
                             "firewall %u hops from the capture point made it",
                             verdict_hops(f->ans_ttl));
    if (kind == VERDICT_DROPPED && at_from)
        verdict_add_evidence(ar, it, "captured at the requester: the request may have arrived "
                             "and the answer been lost; a capture on the target settles it");
    if (n->evicted > 0)
        verdict_add_evidence(ar, it, "%u attempt(s) cut short by the flow table's cap",
                             n->evicted);
    advise(it, c, &x, rep, n_open);
}

void verdict_text_untested(struct verdict_arena *ar, struct verdict_item *it,
                           const struct verdict_capture_point *cp)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], adv[VERDICT_ADVICE_LEN];
    what(it, w, sizeof w);
    fw_addr_format(&it->from, a, sizeof a);
    fw_addr_format(&it->to, b, sizeof b);
    it->v.kind = VERDICT_UNTESTED;
    it->confidence = VERDICT_CONF_LOW;
    if (cp->known && fw_addr_eq(&cp->addr, &it->to)) {
        verdict_add_evidence(ar, it, "no attempt seen here (captured on %s)", b);
        snprintf(adv, sizeof adv, "no %s from %s arrived here: if %s tried, it died on the way; "
                 "a capture on %s shows whether it left (fwsight test --peer %s, run on %s)", w,
                 a, a, a, b, a);
    } else {
        verdict_add_evidence(ar, it, "no attempt seen");
        snprintf(adv, sizeof adv, "untested: run fwsight test --peer %s on %s (or make it try %s "
                 "toward %s) while capturing", b, a, w, b);
    }
    it->advice = verdict_arena_keep(ar, adv, strlen(adv));
}

void verdict_text_capture_point(struct verdict_capture_point *cp)
{
    if (!cp->known) {
        snprintf(cp->how, sizeof cp->how, "no endpoint sends with a full TTL here: a capture "
                 "between the hosts? (--local names it)");
        snprintf(cp->can_tell, sizeof cp->can_tell, "answers, RSTs and ICMP errors that passed "
                 "this point");
        snprintf(cp->cannot_tell, sizeof cp->cannot_tell, "on which side of this point a "
                 "request or its answer was lost");
        return;
    }
    char h[FW_ADDRSTRLEN];
    fw_addr_format(&cp->addr, h, sizeof h);
    if (cp->from_config)
        snprintf(cp->how, sizeof cp->how, "%s, as --local says", h);
    else
        snprintf(cp->how, sizeof cp->how, "%s: its packets leave with a full TTL (0 hops) and it "
                 "is an endpoint of the most flows", h);
    snprintf(cp->can_tell, sizeof cp->can_tell, "what %s's requests met (answers, RSTs, ICMP "
             "errors, silence) and how it answered the requests that reached it", h);
    snprintf(cp->cannot_tell, sizeof cp->cannot_tell, "whether an unanswered request of %s's was "
             "lost on the way there or its answer on the way back, nor attempts toward %s that "
             "never arrived; a capture on the peer settles both", h, h);
}
