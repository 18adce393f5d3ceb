/* analyze/diagnose/explain_rate_limit.c: a closed port whose host rate-limits its refusals. A
 * burst of requests to a closed port gets ICMP port unreachable (or a RST) for some and silence
 * for the rest, all from the host itself: Linux sends one ICMP error per peer and second after
 * a short burst (icmp_ratelimit), other stacks limit RSTs the same way. Silence in the same
 * burst as the host's own refusals (or, for UDP, while the host was refusing the requester's
 * other ports: nmap -sU, a tester probing every port at once) is the limiter, not a filter: the
 * port is CLOSED. A UDP port that stayed silent all along while the same host refused its
 * neighbours is taken for closed too, with low confidence. */
#include "diagnose.h"

#include <stdio.h>

#define BURST_US 1000000u /* the limiter refills once a second */

static bool in_burst(uint64_t s_first, uint64_t s_last, uint64_t r_first, uint64_t r_last)
{
    return s_first <= r_last + BURST_US && s_last + BURST_US >= r_first;
}

static bool refused_or_silent(const struct evidence *e, enum verdict_outcome o)
{
    if (diag_is_silent(e, o))
        return true;
    if (e->cell->proto == 17)
        return o == VO_ICMP_PORT && fw_addr_eq(&e->first[o]->icmp_from, &e->cell->to);
    return o == VO_RST && !e->rst_forged;
}

static bool rate_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                         struct finding *out)
{
    const struct verdict_cell *x = e->cell;
    if (x->proto != 6 && x->proto != 17)
        return false;
    uint32_t silent = avail[VO_NO_ANSWER] + avail[VO_SILENT_AFTER_ARRIVAL];
    if (silent == 0)
        return false;
    uint64_t s_first = diag_first_silent_us(e);
    uint64_t s_last = x->silent_last_us > s_first ? x->silent_last_us : s_first;
    enum verdict_outcome r = x->proto == 17 ? VO_ICMP_PORT : VO_RST;
    bool own = avail[r] > 0 && refused_or_silent(e, r);
    enum verdict_lookalike kind = x->proto == 17 ? LOOKALIKE_ICMP_RATE : LOOKALIKE_RST_RATE;
    /* The host refusing other ports of this requester's burst at the time (ICMP). */
    const struct verdict_host *h = e->to_refusals;
    bool host_busy = x->proto == 17 && h != NULL && h->refused > 0 &&
                     in_burst(s_first, s_last, h->refused_first_us, h->refused_last_us);
    if (own && (host_busy || in_burst(s_first, s_last, e->first[r]->first_us,
                                      x->refused_last_us))) {
        finding_claim(e, avail, VERDICT_CLOSED, refused_or_silent, out);
        out->confidence = VERDICT_CONF_MEDIUM; /* the port is closed: the host said so */
    } else if (avail[r] == 0 && host_busy) {
        finding_claim(e, avail, VERDICT_CLOSED, diag_is_silent, out);
        out->confidence = VERDICT_CONF_LOW; /* or a service that ignores the request */
    } else {
        return false;
    }
    out->lookalike = kind;
    out->answered_by = x->to;
    return true;
}

static void rate_words(const struct evidence *e, const struct finding *f,
                       struct verdict_item *it)
{
    char b[FW_ADDRSTRLEN];
    fw_addr_format(&e->cell->to, b, sizeof b);
    if (f->claimed[VO_ICMP_PORT] + f->claimed[VO_RST] > 0)
        verdict_add_evidence(e->text, it, "%s refused some attempts of the burst itself and let "
                             "the others go unanswered: its %s rate limit, not a filter", b,
                             e->cell->proto == 17 ? "ICMP" : "RST");
    else
        verdict_add_evidence(e->text, it, "%s sent %u port unreachable(s) for other ports in the "
                             "same burst and then fell silent: its ICMP rate limit, not a "
                             "filter (or a service that ignores the request)", b,
                             e->to_refusals->refused);
}

static void rate_advice(const struct evidence *e, const struct finding *f,
                        const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "no firewall rule to open: nothing listens on %s at %s, and the host "
             "limits how often it says so; start the service there or check its port, and "
             "probe one port at a time, a second apart, to see every refusal",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->to, b, sizeof b));
}

const struct explanation EXPLAIN_RATE_LIMIT = { "rate-limited-refusals", rate_propose,
                                                rate_words, rate_advice };
