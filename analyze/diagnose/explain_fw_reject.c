/* analyze/diagnose/explain_fw_reject.c: a firewall refused and said so. ICMP prohibited (RFC
 * 792 codes 9, 10, 13; RFC 4443 codes 1, 5, 6), another ICMP error, port unreachable sent by
 * an address that is not the host's, or a RST in the host's name that the host never sent (its
 * TTL unlike the host's own packets, or absent from the host's capture). */
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
    default: return false;
    }
}

static bool reject_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                           struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_REJECTED, refused_on_the_way, out))
        return false;
    if (out->rep != VO_RST && out->rep != VO_RST_FORGED)
        out->answered_by = e->first[out->rep]->icmp_from; /* a forged RST hides its maker */
    out->confidence = out->rep == VO_ICMP_OTHER ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
    return true;
}

static void reject_words(const struct evidence *e, const struct finding *f,
                         struct verdict_item *it)
{
    if (f->rep == VO_RST && !e->combined)
        verdict_add_evidence(e->text, it, "the RST's TTL does not fit the host's own packets: "
                             "a firewall %u hops from the capture point made it",
                             verdict_hops(e->first[f->rep]->ans_ttl));
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
    if (f->rep == VO_RST || f->rep == VO_RST_FORGED)
        snprintf(buf, len, "open %s from %s to %s on the firewall %u hops from the capture "
                 "point; it resets the connection in %s's name (TTL %u)", w, a, b,
                 verdict_hops(first->ans_ttl), b, (unsigned)first->ans_ttl);
    else
        snprintf(buf, len, "open %s from %s to %s on the firewall at %s; it answers with ICMP "
                 "%s%s", w, a, b, r,
                 diag_icmp_text(e->cell->to.family, first->icmp_type, first->icmp_code),
                 e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
}

const struct explanation EXPLAIN_FW_REJECT = { "firewall-reject", reject_propose, reject_words,
                                               reject_advice };
