/* analyze/diagnose/explain_host_closed.c: the firewall passes, but nothing listens. The host
 * itself refused: a RST whose TTL fits the host's own packets, or, for UDP, ICMP port
 * unreachable sent from the host's own address (for TCP that is its own firewall's reject:
 * explain_fw_reject.c), also when two captures show that refusal lost on the way back
 * (the port is closed all the same: starting the service is the change to make). Behind a SYN
 * proxy the host's RST follows a handshake the proxy made (verdict_attempt.c): still closed,
 * and the proxy is named so that its SYN-ACK is not read as the service answering. */
#include "diagnose.h"

#include <stdio.h>

static bool refused_by_host(const struct evidence *e, enum verdict_outcome o)
{
    if (o == VO_RST)
        return !e->rst_forged;
    return (o == VO_ICMP_PORT && e->cell->proto != 6 &&
            fw_addr_eq(&e->first[o]->icmp_from, &e->cell->to)) ||
           o == VO_REFUSAL_LOST;
}

static bool closed_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                           struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_CLOSED, refused_by_host, out))
        return false;
    out->answered_by = e->cell->to;
    /* A RST with nothing of the host's to compare it with might still be a firewall's. */
    out->confidence = out->rep == VO_RST && !e->rst_compared ? VERDICT_CONF_MEDIUM
                                                              : VERDICT_CONF_HIGH;
    return true;
}

/* The first RST that followed a SYN proxy's handshake, if any. */
static const struct verdict_attempt *proxied(const struct evidence *e, const struct finding *f)
{
    const struct verdict_attempt *a = e->first[VO_RST];
    return f->claimed[VO_RST] > 0 && a != NULL && a->proxy_synack_ttl != 0 ? a : NULL;
}

/* Two captures show the host's refusals lost on the way back; not when the requester's capture
 * holds nothing of the host's (one direction only: explain_one_way.c), which cannot tell. */
static bool refusal_lost(const struct evidence *e, const struct finding *f)
{
    return f->claimed[VO_REFUSAL_LOST] > 0 && !e->first[VO_REFUSAL_LOST]->host_unseen;
}

/* The host's refusal in words: its RST, or its ICMP code. */
static const char *refusal_text(const struct evidence *e, const struct verdict_attempt *a)
{
    return e->cell->proto == 6 ? "RST" : diag_icmp_text(e->cell->to.family, a->icmp_type,
                                                        a->icmp_code);
}

static void closed_words(const struct evidence *e, const struct finding *f,
                         struct verdict_item *it)
{
    /* The refusal is the port's answer and the missing piece is the service: the refusal lost
     * on the way back only makes the requester wait for a timeout instead of failing at once. */
    if (refusal_lost(e, f)) {
        char a[FW_ADDRSTRLEN];
        verdict_add_evidence(e->text, it, "its refusals (%s) never reached %s: dropped on the "
                             "way back, it waits for a timeout instead of failing at once",
                             refusal_text(e, e->first[VO_REFUSAL_LOST]),
                             fw_addr_format(&e->cell->from, a, sizeof a));
    }
    const struct verdict_attempt *a = proxied(e, f);
    if (a == NULL)
        return;
    char near[32], far[32];
    verdict_add_evidence(e->text, it, "its SYN-ACK came first, TTL %u (%s), the RST's TTL %u (%s): "
                         "a SYN proxy on the way made the handshake, the host refused",
                         a->proxy_synack_ttl,
                         diag_routers_text(a->proxy_synack_ttl, near, sizeof near),
                         a->ans_ttl, diag_routers_text(a->ans_ttl, far, sizeof far));
}

static void closed_advice(const struct evidence *e, const struct finding *f,
                          const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], b[FW_ADDRSTRLEN];
    const char *lost = refusal_lost(e, f)
                           ? " (its refusals are dropped on the way back, so clients time out "
                             "instead of being refused: no rule is missing for the requests; "
                             "test again once it listens, its answers may meet the same drop)"
                           : "";
    /* A UDP port's refusal is the same ICMP whether nothing listens or the host's own firewall
     * rejects it (iptables' REJECT, nftables' reject): the advice says both. */
    const char *own_fw = e->cell->proto == 17
                             ? " (if it runs, a reject rule in the host's own firewall answers "
                               "the same way: iptables' REJECT, nftables' reject)"
                             : "";
    snprintf(buf, len, "%snothing listens on %s at %s: start the service there or check its "
             "port%s%s%s", *lost != '\0' ? "the requests arrive, but " : "the path is open, but ",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->to, b, sizeof b),
             proxied(e, f) != NULL ? " (a SYN proxy on the way completes the handshake in its "
                                     "name: a connect() that succeeds proves nothing there)"
                                   : "", own_fw, lost);
}

const struct explanation EXPLAIN_HOST_CLOSED = { "host-closed", closed_propose, closed_words,
                                                 closed_advice };
