/* analyze/diagnose/explain_unreachable.c: a router says there is no way there. ICMP net or host
 * unreachable (RFC 792 codes 0, 1, 6, 7, 11, 12), time exceeded, or ICMPv6 no route, beyond
 * scope, address unreachable (RFC 4443: neighbour discovery failed) or hop limit exceeded:
 * routing, or a host that is down, not a filter rule. Prohibited codes are a firewall's
 * (explain_fw_reject.c), and so is a routing code that came at once for a host that answered
 * other requests in the same capture (a reject rule that answers "no route"); one that came
 * seconds late is a router that could not resolve the host's address: it went down. */
#include "diagnose.h"

#include <stdio.h>

static bool no_route(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_ICMP_UNREACH;
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

/* A routing code seconds after the request: the router tried to resolve the host's link
 * address and nobody answered (diag_routing_code_host_down): down, or gone from its link. When
 * the host answered earlier in the capture, it went down meanwhile. */
static void unreach_words(const struct evidence *e, const struct finding *f,
                          struct verdict_item *it)
{
    const struct verdict_attempt *a = e->first[f->rep];
    if (!diag_routing_code_host_down(e, a))
        return;
    char b[FW_ADDRSTRLEN];
    verdict_add_evidence(e->text, it, "the error came %u.%02u s after the request, as late as a "
                         "router gives up resolving a silent host's link address (ARP, NDP); a "
                         "reject rule answers at once", a->icmp_after_us / 1000000u,
                         a->icmp_after_us % 1000000u / 10000u);
    if (diag_host_answered(e))
        verdict_add_evidence(e->text, it, "%s answered earlier in this capture and went down "
                             "since", fw_addr_format(&e->cell->to, b, sizeof b));
}

static void unreach_advice(const struct evidence *e, const struct finding *f,
                           const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
    const struct verdict_attempt *first = e->first[f->rep];
    bool down = diag_routing_code_host_down(e, first);
    diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->to, b, sizeof b);
    fw_addr_format(&first->icmp_from, r, sizeof r);
    snprintf(buf, len, "no firewall rule to open: %s says it has no way to %s (ICMP %s%s); "
             "check that %s is up%s", r, b,
             diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code),
             down ? ", after failing to resolve its address" : "", b,
             down ? " and on its link" : " and that the routers between have a route to it");
}

const struct explanation EXPLAIN_UNREACHABLE = { "routing", unreach_propose, unreach_words,
                                                 unreach_advice };
