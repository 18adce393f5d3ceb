/* analyze/diagnose/explain_fw_reject.c: a firewall refused and said so. ICMP prohibited (RFC 792
 * codes 9, 10, 13; RFC 4443 codes 1, 5, 6), another ICMP error, port unreachable sent by an
 * address that is not the host's (or by the host about TCP: its own firewall), a routing code (net
 * or host unreachable, no route, address unreachable) for a host that answered other requests in
 * the same capture, or a RST in the host's name that the host never sent (its TTL unlike the
 * host's own packets, its Ethernet source unlike an on-link host's, or absent from the host's
 * capture), also once the connection is set up (an IPS or application-aware firewall killing it:
 * VO_RESET_ON_PATH). Who sent it is attribute.c's; a routing code for a host never heard from is
 * explain_unreachable.c's. */
#include "diagnose.h"

#include <stdio.h>

/* A destination unreachable with a routing code (not time exceeded: traceroute's probes die on
 * the way by design) that came at once while the host answered requests or refused them
 * itself: there is a way there, so the device refuses these requests only. Firewalls do
 * answer so: nftables' "reject with icmpx type no-route", iptables' "--reject-with
 * icmp-host-unreachable". The same code seconds late is a router that gave up resolving the
 * host's link address: the host went down during the capture (explain_unreachable.c), unless
 * that router refused other requests to the host at once (its ICMP rate limit held the late
 * ones back). */
static bool routing_code_for_reachable_host(const struct evidence *e)
{
    const struct verdict_attempt *a = e->first[VO_ICMP_UNREACH];
    uint8_t dest_unreach = e->cell->to.family == 6 ? 1 : 3;
    return a != NULL && a->icmp_type == dest_unreach && !diag_routing_code_host_down(e, a) &&
           diag_host_answered(e);
}

/* A TCP stack answers a SYN to a closed port with a RST (RFC 9293), never with ICMP: a port
 * unreachable about TCP from the host's own address is its own firewall's reject, the default
 * of iptables' REJECT and of nftables' plain reject, whether or not its service listens. */
static bool host_firewall_reject(const struct evidence *e)
{
    const struct verdict_attempt *a = e->first[VO_ICMP_PORT];
    return e->cell->proto == 6 && a != NULL && fw_addr_eq(&a->icmp_from, &e->cell->to);
}

static bool refused_on_the_way(const struct evidence *e, enum verdict_outcome o)
{
    switch (o) {
    case VO_ICMP_UNREACH: return routing_code_for_reachable_host(e);
    case VO_RST: return e->rst_forged;
    case VO_ICMP_PORT: return !fw_addr_eq(&e->first[o]->icmp_from, &e->cell->to) ||
                              host_firewall_reject(e);
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER:
    case VO_RESET_ON_PATH:
    case VO_RST_FORGED: return true;
    default: return false;
    }
}

static bool reject_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                           struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_REJECTED, refused_on_the_way, out))
        return false;
    struct attribution at;
    diag_attribute(e, e->first[out->rep], &at);
    out->answered_by = at.by;
    out->basis = at.basis;
    out->routers = at.routers;
    out->from_requester = at.near.family != 0;
    out->confidence = out->rep == VO_ICMP_OTHER || out->rep == VO_ICMP_UNREACH
                          ? VERDICT_CONF_MEDIUM
                          : VERDICT_CONF_HIGH;
    return true;
}

static void reject_words(const struct evidence *e, const struct finding *f,
                         struct verdict_item *it)
{
    if (f->rep == VO_ICMP_UNREACH) {
        char b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
        const struct verdict_attempt *a = e->first[f->rep];
        verdict_add_evidence(e->text, it, "%s answered other requests in this capture, so "
                             "there is a way to it: %s refuses these with a routing code, as a "
                             "filter's reject rule does", fw_addr_format(&e->cell->to, b, sizeof b),
                             fw_addr_format(&a->icmp_from, r, sizeof r));
        if (verdict_routing_code_late(a))
            verdict_add_evidence(e->text, it, "it came %u.%02u s after the request, held back by "
                                 "the router's ICMP rate limit: it refused other requests to %s "
                                 "at once", a->icmp_after_us / 1000000u,
                                 a->icmp_after_us % 1000000u / 10000u, b);
        else
            verdict_add_evidence(e->text, it, "it came %u.%u ms after the request, at once: for "
                                 "a host that went down a router answers after seconds of "
                                 "resolving its address (or at once, if its route went too)",
                                 a->icmp_after_us / 1000u, a->icmp_after_us % 1000u / 100u);
        return;
    }
    if (f->rep == VO_ICMP_PORT && host_firewall_reject(e)) {
        char b[FW_ADDRSTRLEN];
        verdict_add_evidence(e->text, it, "TCP refuses a closed port with a RST, never ICMP: "
                             "port unreachable from %s itself is its own firewall's reject",
                             fw_addr_format(&e->cell->to, b, sizeof b));
        return;
    }
    if (f->rep == VO_RESET_ON_PATH) {
        struct attribution at;
        char dev[200];
        diag_attribute(e, e->first[f->rep], &at);
        verdict_add_evidence(e->text, it, "reset by %s once connected",
                             diag_device_text(&at, dev, sizeof dev));
        return;
    }
    if (f->rep != VO_RST && f->rep != VO_RST_FORGED)
        return;
    const struct verdict_attempt *rst = e->first[f->rep];
    char b[FW_ADDRSTRLEN], dev[200], hops[32];
    fw_addr_format(&e->cell->to, b, sizeof b);
    const struct verdict_host *h = e->to_host;
    if (f->rep == VO_RST && diag_rst_request_stopped(e))
        verdict_add_evidence(e->text, it, "this capture spans a router: the packets of %s "
                             "cross it, this request never did, so %s never got it and the RST "
                             "was made in the router", b, b);
    else if (f->rep == VO_RST && diag_rst_other_mac(e, rst))
        verdict_add_evidence(e->text, it, "the RST came from another MAC than the packets of %s, "
                             "which is on this link: the host did not send it", b);
    else if (f->rep == VO_RST && h != NULL)
        verdict_add_evidence(e->text, it, "the RST's TTL %u (%s) does not fit the host's own "
                             "packets (TTL %u-%u): the host did not send it",
                             (unsigned)rst->ans_ttl, diag_routers_text(rst->ans_ttl, hops,
                                                                       sizeof hops),
                             (unsigned)h->ttl_min, (unsigned)h->ttl_max);
    struct attribution at;
    diag_attribute(e, rst, &at);
    verdict_add_evidence(e->text, it, "forged by %s", diag_device_text(&at, dev, sizeof dev));
}

static void reject_advice(const struct evidence *e, const struct finding *f,
                          const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
    diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->from, a, sizeof a);
    fw_addr_format(&e->cell->to, b, sizeof b);
    fw_addr_format(&it->v.answered_by, r, sizeof r);
    const struct verdict_attempt *first = e->first[f->rep];
    if (f->rep == VO_RESET_ON_PATH) {
        struct attribution at;
        char dev[200];
        diag_attribute(e, first, &at);
        snprintf(buf, len, "%s from %s to %s opens, then %s resets it (TTL %u, unlike the "
                 "endpoints' own packets): an application-aware firewall or IPS that blocks what "
                 "the connection carries; allow that traffic there", w, a, b,
                 diag_device_text(&at, dev, sizeof dev), (unsigned)first->ans_ttl);
    } else if (f->rep == VO_RST || f->rep == VO_RST_FORGED) {
        struct attribution at;
        char dev[200];
        diag_attribute(e, first, &at);
        snprintf(buf, len, "open %s from %s to %s on %s; it resets the connection in %s's name "
                 "(TTL %u)", w, a, b, diag_device_text(&at, dev, sizeof dev), b,
                 (unsigned)first->ans_ttl);
    } else if (fw_addr_eq(&it->v.answered_by, &e->cell->to))
        /* The host refuses itself with a filter's ICMP: its own firewall (firewalld's default
         * reject is host-prohibited; iptables' REJECT and nftables' reject, port unreachable). */
        snprintf(buf, len, "open %s from %s in the firewall of %s itself (iptables, nftables, "
                 "firewalld on the host); it answers with ICMP %s, as a reject rule there does%s",
                 w, a, b, diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code),
                 e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
    else
        snprintf(buf, len, "open %s from %s to %s on the firewall at %s; it answers with ICMP "
                 "%s%s", w, a, b, r,
                 diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code),
                 e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
}

const struct explanation EXPLAIN_FW_REJECT = { "firewall-reject", reject_propose, reject_words,
                                               reject_advice };
