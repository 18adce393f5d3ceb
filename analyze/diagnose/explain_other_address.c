/* analyze/diagnose/explain_other_address.c: the host answered from another of its addresses. A
 * UDP service bound to every address of a multi-homed host may answer from the address its
 * route prefers; the requester's connected socket drops that answer (and sends ICMP port
 * unreachable to it), so the request looks unanswered. The path passed both ways: the fix is on
 * the host (bind the service to the address clients use), not on a firewall. Paired by
 * analyze/udp_answers.c. */
#include "diagnose.h"

#include <stdio.h>

static bool from_elsewhere(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_OTHER_ADDR;
}

static bool other_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                          struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_OPEN, from_elsewhere, out))
        return false;
    out->lookalike = LOOKALIKE_OTHER_ADDR;
    out->answered_by = e->first[out->rep]->other_addr;
    out->confidence = VERDICT_CONF_MEDIUM;
    return true;
}

static void other_advice(const struct evidence *e, const struct finding *f,
                         const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], o[FW_ADDRSTRLEN];
    snprintf(buf, len, "no firewall rule to open: %s from %s reaches %s, which answers from its "
             "other address %s, and the requester does not take that answer; bind the service "
             "on %s to %s (or route its answers out from it)", diag_what(it, w, sizeof w),
             fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b),
             fw_addr_format(&e->first[f->rep]->other_addr, o, sizeof o), b, b);
}

const struct explanation EXPLAIN_OTHER_ADDRESS = { "reply-from-other-address", other_propose,
                                                   NULL, other_advice };
