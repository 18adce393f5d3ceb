/* analyze/diagnose/explain_pmtu.c: a path-MTU black hole. The handshake and small segments pass;
 * full-size segments are sent again and again and never acknowledged, and no ICMP
 * "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big" (RFC 8201) comes back: a link
 * on the way has a smaller MTU and a firewall drops the ICMP that would say so. The rule to
 * change is that ICMP's, not the port's. */
#include "diagnose.h"

#include <stdio.h>

#define PMTU_MIN_LEN 512 /* below any real MTU problem: smaller stalls are something else */

static bool is_pmtu(const struct evidence *e, enum verdict_outcome o)
{
    if (o != VO_STALLED)
        return false;
    const struct verdict_attempt *a = e->first[o];
    return !a->pmtu_icmp && a->stall_len >= PMTU_MIN_LEN && a->stall_len > a->ok_len &&
           !a->stall_acked;
}

static bool pmtu_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                         struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_STALLED, is_pmtu, out))
        return false;
    out->confidence = VERDICT_CONF_MEDIUM;
    return true;
}

static void pmtu_words(const struct evidence *e, const struct finding *f, struct verdict_item *it)
{
    const struct verdict_attempt *a = e->first[f->rep];
    verdict_add_evidence(e->text, it, "segments of %u bytes sent again unacknowledged while "
                         "%u-byte ones passed, and no ICMP %s came back: a path-MTU black hole",
                         (unsigned)a->stall_len, (unsigned)a->ok_len,
                         e->cell->to.family == 6 ? "packet too big" : "fragmentation needed");
}

static void pmtu_advice(const struct evidence *e, const struct finding *f,
                        const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], s[FW_ADDRSTRLEN];
    const struct verdict_attempt *at = e->first[f->rep];
    const struct fw_addr *sender = at->stall_side == 0 ? &e->cell->from : &e->cell->to;
    snprintf(buf, len, "allow ICMP %s to %s on the firewalls between %s and %s (a link has a "
             "smaller MTU and the ICMP that says so is dropped), or clamp the TCP MSS there; "
             "%s itself passes", e->cell->to.family == 6 ? "packet-too-big (ICMPv6 type 2)"
                                                        : "fragmentation-needed (type 3 code 4)",
             fw_addr_format(sender, s, sizeof s), fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b), diag_what(it, w, sizeof w));
}

const struct explanation EXPLAIN_PMTU = { "pmtu-blackhole", pmtu_propose, pmtu_words,
                                          pmtu_advice };
