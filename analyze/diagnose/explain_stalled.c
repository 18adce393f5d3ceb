/* analyze/diagnose/explain_stalled.c: the connection opens, then its data stops. After the
 * handshake one side sends its data again and again without an answer (or its ACKs are seen
 * leaving and it is sent again all the same): a firewall that lost the connection's state or
 * drops it after inspection (an IPS), an asymmetric path. Path-MTU black holes, a stall of
 * their own, are explain_pmtu.c's. */
#include "diagnose.h"

#include <stdio.h>

static bool is_stall(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_STALLED;
}

static bool stall_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                          struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_STALLED, is_stall, out))
        return false;
    out->confidence = VERDICT_CONF_MEDIUM;
    return true;
}

static void stall_advice(const struct evidence *e, const struct finding *f,
                         const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    const struct verdict_attempt *at = e->first[f->rep];
    fw_addr_format(&e->cell->from, a, sizeof a);
    fw_addr_format(&e->cell->to, b, sizeof b);
    diag_what(it, w, sizeof w);
    if (at->stall_acked)
        snprintf(buf, len, "%s from %s to %s connects, then the ACKs of %s's data do not get back "
                 "to it: look on the path for a firewall or IPS that drops the connection after "
                 "the handshake (lost state, asymmetric routing, inspection)", w, a, b,
                 at->stall_side == 0 ? a : b);
    else
        snprintf(buf, len, "%s from %s to %s connects, then %s's %s gets no answer: look on "
                 "the path for a firewall or IPS that drops the connection after the handshake "
                 "(lost state, asymmetric routing, inspection)", w, a, b,
                 at->stall_side == 0 ? a : b, at->stall_len == 0 ? "FIN (its close)" : "data");
}

const struct explanation EXPLAIN_STALLED = { "stall", stall_propose, NULL, stall_advice };
