/* analyze/diagnose/explain_unreachable.c: a router says there is no way there. ICMP net or host
 * unreachable (RFC 792 codes 0, 1, 6, 7, 11, 12), time exceeded, or ICMPv6 no route, beyond
 * scope, address unreachable (RFC 4443: neighbour discovery failed) or hop limit exceeded:
 * routing, or a host that is down, not a filter rule. Prohibited codes are a firewall's
 * (explain_fw_reject.c), and so is "unreachable" about a host that answers other requests. */
#include "diagnose.h"

#include <stdio.h>

/* A router's net or host unreachable (not time exceeded) for a host that answered other
 * requests in the same capture: there is a route, and the router says there is none for these
 * requests alone. That is a filter's refusal in routing's words (iptables' --reject-with
 * icmp-host-unreachable or icmp-net-unreachable, nftables' reject with icmp type
 * host-unreachable): explain_fw_reject.c's, not ours. A host that went down during the
 * capture says the same, hence the medium confidence there. */
bool diag_unreach_filtered(const struct evidence *e, const struct verdict_attempt *a)
{
    bool v6 = e->cell->to.family == 6;
    return a != NULL && a->outcome == VO_ICMP_UNREACH && a->icmp_type == (v6 ? 1 : 3) &&
           e->to_rtt_us > 0 && !fw_addr_eq(&a->icmp_from, &e->cell->to);
}

static bool no_route(const struct evidence *e, enum verdict_outcome o)
{
    return o == VO_ICMP_UNREACH && !diag_unreach_filtered(e, e->first[o]);
}

static bool unreach_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                            struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_UNREACHABLE, no_route, out))
        return false;
    out->answered_by = e->first[out->rep]->icmp_from;
    out->basis = BASIS_ICMP_SOURCE;
    out->confidence = VERDICT_CONF_HIGH;
    return true;
}

static void unreach_advice(const struct evidence *e, const struct finding *f,
                           const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
    const struct verdict_attempt *first = e->first[f->rep];
    diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->to, b, sizeof b);
    fw_addr_format(&first->icmp_from, r, sizeof r);
    snprintf(buf, len, "no firewall rule to open: %s says it has no way to %s (ICMP %s); check "
             "that %s is up and that the routers between have a route to it", r, b,
             diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code), b);
}

const struct explanation EXPLAIN_UNREACHABLE = { "routing", unreach_propose, NULL,
                                                 unreach_advice };
