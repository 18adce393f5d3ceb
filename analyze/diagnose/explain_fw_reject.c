/* analyze/diagnose/explain_fw_reject.c: a firewall refused and said so. ICMP prohibited (RFC
 * 792 codes 9, 10, 13; RFC 4443 codes 1, 5, 6), another ICMP error, port unreachable sent by
 * an address that is not the host's, net or host unreachable about a host that answers other
 * requests (explain_unreachable.c), or a RST in the host's name that the host never sent (its
 * TTL unlike the host's own packets, its Ethernet source unlike an on-link host's, or absent
 * from the host's capture). Who sent it is attribute.c's. */
#include "diagnose.h"

#include <stdio.h>

static bool refused_on_the_way(const struct evidence *e, enum verdict_outcome o)
{
    switch (o) {
    case VO_RST: return e->rst_forged;
    case VO_ICMP_PORT: return !fw_addr_eq(&e->first[o]->icmp_from, &e->cell->to);
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER:
    case VO_RST_FORGED: return true;
    case VO_ICMP_UNREACH: return diag_unreach_filtered(e, e->first[o]);
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
                          ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
    return true;
}

static void reject_words(const struct evidence *e, const struct finding *f,
                         struct verdict_item *it)
{
    if (f->rep == VO_ICMP_UNREACH) {
        char b[FW_ADDRSTRLEN], r[FW_ADDRSTRLEN];
        verdict_add_evidence(e->text, it, "%s answered other requests in this capture, so %s "
                             "has a way to it: its \"unreachable\" refuses these requests only",
                             fw_addr_format(&e->cell->to, b, sizeof b),
                             fw_addr_format(&e->first[f->rep]->icmp_from, r, sizeof r));
        return;
    }
    if (f->rep != VO_RST && f->rep != VO_RST_FORGED)
        return;
    const struct verdict_attempt *rst = e->first[f->rep];
    char b[FW_ADDRSTRLEN], dev[200], hops[32];
    fw_addr_format(&e->cell->to, b, sizeof b);
    const struct verdict_host *h = e->to_host;
    if (f->rep == VO_RST && diag_rst_other_mac(e, rst))
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
    if (f->rep == VO_RST || f->rep == VO_RST_FORGED) {
        struct attribution at;
        char dev[200];
        diag_attribute(e, first, &at);
        snprintf(buf, len, "open %s from %s to %s on %s; it resets the connection in %s's name "
                 "(TTL %u)", w, a, b, diag_device_text(&at, dev, sizeof dev), b,
                 (unsigned)first->ans_ttl);
    } else
        snprintf(buf, len, "open %s from %s to %s on the firewall at %s; it answers with ICMP "
                 "%s%s", w, a, b, r,
                 diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code),
                 e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
}

const struct explanation EXPLAIN_FW_REJECT = { "firewall-reject", reject_propose, reject_words,
                                               reject_advice };
