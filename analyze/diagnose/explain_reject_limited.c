/* analyze/diagnose/explain_reject_limited.c: a firewall that refuses with ICMP, and whose ICMP
 * rate limit leaves some requests without their error. A router sends ICMP errors sparingly:
 * Linux allows a burst of 6 to one requester, then one a second (icmp_ratelimit, per peer);
 * Cisco IOS one every 500 ms. Under a burst of requests to ports its reject rule refuses (a
 * tester or an application opening many ports at once), the first get their errors and the
 * rest nothing: those read as a silent drop by "a firewall between them", though the same
 * device refused their neighbours by rule.
 *
 * The rule, read from the packets: the router that refused requests to this host also let
 * some of those same refused attempts go with fewer errors than requests (a SYN sent again,
 * another datagram, that it did not answer as it had the first: its rule did not change, its
 * limiter did; verdict.c counts them as rtr_limited), and this cell's silence falls within
 * the same burst, no earlier than that router's first refusal. Then the silence is the
 * limiter's, and the port is REJECTED by that router: medium confidence when the router
 * refused this very port too, low when it is inferred from the neighbours alone.
 *
 * It stays silent (the silence stays a drop) when every refused request got its error (a
 * policy that rejects some ports and drops others), when the silence came before the router
 * refused anything, far from its refusals, or where the request was seen arriving at the host
 * (the router let it through); for another requester than the one the router was seen
 * limiting (the limit is per peer); for a routing code about a host that never answered (no
 * route: routing, not a rule); and when a request of the silent attempt came after the router
 * had answered none of the requester's requests for a second (flow_recall.c router_quiet): its
 * limiter had an error to spend then and spent none on it, so a rule dropped it. That last
 * test tells a policy that rejects some ports and drops others, probed at once as `fwsight
 * test` does (udp6_lab mixedburst), from the limit itself (rejectburst). */
#include "diagnose.h"

#include <stdio.h>

#define BURST_US 1000000u /* a limiter refills within a second */

/* A routing code refuses by rule only for a host that answered (explain_fw_reject.c): for one
 * never heard from, it is a router without a route, and what its limit held back is as
 * UNREACHABLE as what it answered, no rule to open. */
static const struct verdict_host *limiting_router(const struct evidence *e)
{
    const struct verdict_host *h = e->to_refusals;
    if (h == NULL || h->rtr_refused == 0 || h->rtr_limited == 0)
        return NULL;
    if (h->rtr_routing && !diag_host_answered(e))
        return NULL;
    /* Its limit is per requester (Linux: per peer): what it held back from one says nothing of
     * another's silence. */
    return fw_addr_eq(&h->rtr_req, &e->cell->from) ? h : NULL;
}

/* The cell's own refusal by that router (any ICMP error it sent, late ones included: a late
 * error is what the limiter held back). */
static bool refused_by_it(const struct evidence *e, enum verdict_outcome o)
{
    if (o != VO_ICMP_PROHIB && o != VO_ICMP_PORT && o != VO_ICMP_UNREACH)
        return false;
    const struct verdict_host *h = limiting_router(e);
    const struct verdict_attempt *a = e->first[o];
    return h != NULL && a != NULL && fw_addr_eq(&a->icmp_from, &h->rtr_from);
}

/* Silence the router could have caused: the request was not seen arriving at the host. */
static bool silent_before_host(const struct evidence *e, enum verdict_outcome o)
{
    return o == VO_NEVER_ARRIVED || (o == VO_NO_ANSWER && !e->at_to);
}

static bool limited_or_refused(const struct evidence *e, enum verdict_outcome o)
{
    return silent_before_host(e, o) || refused_by_it(e, o);
}

static bool limited_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                            struct finding *out)
{
    const struct verdict_host *h = limiting_router(e);
    if (h == NULL || e->cell->quiet_silent)
        return false;
    uint64_t s_first = UINT64_MAX;
    for (int o = 0; o < VO_COUNT; o++)
        if (avail[o] > 0 && silent_before_host(e, (enum verdict_outcome)o) &&
            e->first[o]->first_us < s_first)
            s_first = e->first[o]->first_us;
    if (s_first == UINT64_MAX)
        return false;
    if (s_first < h->rtr_first_us || s_first > h->rtr_last_us + BURST_US)
        return false;
    if (!finding_claim(e, avail, VERDICT_REJECTED, limited_or_refused, out))
        return false;
    bool own = false;
    for (int o = 0; o < VO_COUNT; o++) {
        if (out->claimed[o] > 0 && refused_by_it(e, (enum verdict_outcome)o)) {
            if (!own)
                out->rep = (enum verdict_outcome)o; /* show the refusal, not the silence */
            own = true;
        }
    }
    out->answered_by = h->rtr_from;
    out->basis = BASIS_ICMP_SOURCE;
    if (own) {
        struct attribution at;
        diag_attribute(e, e->first[out->rep], &at);
        out->basis = at.basis;
        out->routers = at.routers;
        out->from_requester = at.near.family != 0;
    }
    out->confidence = own ? VERDICT_CONF_MEDIUM : VERDICT_CONF_LOW;
    return true;
}

static void limited_words(const struct evidence *e, const struct finding *f,
                          struct verdict_item *it)
{
    const struct verdict_host *h = limiting_router(e);
    char r[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], w[24];
    fw_addr_format(&h->rtr_from, r, sizeof r);
    fw_addr_format(&e->cell->to, b, sizeof b);
    struct verdict_item lim = { .proto = h->rtr_limited_proto, .port = h->rtr_limited_port };
    verdict_add_evidence(e->text, it, "%s refused %u attempt(s) to %s with ICMP %s", r,
                         h->rtr_refused, b,
                         diag_icmp_text(e->cell->to.family, h->rtr_icmp_type, h->rtr_icmp_code));
    verdict_add_evidence(e->text, it, "it sent fewer errors than requests for %u of those (%s: "
                         "%u requests, %u error(s)): its ICMP rate limit, not a silent rule",
                         h->rtr_limited, diag_what(&lim, w, sizeof w), h->rtr_limited_requests,
                         (unsigned)h->rtr_limited_errors);
    uint32_t silent = 0;
    for (int o = 0; o < VO_COUNT; o++)
        if (silent_before_host(e, (enum verdict_outcome)o))
            silent += f->claimed[o];
    if (silent > 0)
        verdict_add_evidence(e->text, it, "%u attempt(s) here got no error: held back by that "
                             "limit (Linux: 6 at once, then one a second per requester)", silent);
}

static void limited_advice(const struct evidence *e, const struct finding *f,
                           const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    const struct verdict_host *h = limiting_router(e);
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
    snprintf(buf, len, "open %s from %s to %s on the firewall at %s; it answers with ICMP %s, "
             "and its ICMP rate limit left some requests of the burst without one (probe one "
             "port at a time, a second apart, to see each refusal)%s",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b), fw_addr_format(&h->rtr_from, r, sizeof r),
             diag_icmp_text(e->cell->to.family, h->rtr_icmp_type, h->rtr_icmp_code),
             e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
}

const struct explanation EXPLAIN_REJECT_LIMITED = { "firewall-reject", limited_propose,
                                                    limited_words, limited_advice };
