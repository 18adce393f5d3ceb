/* analyze/diagnose/explain_time_wait.c: a port reused while the host still holds the earlier
 * connection of the same 5-tuple in TIME-WAIT. The host answers the new SYN with a bare ACK of
 * the old connection (RFC 793's answer to an unacceptable segment; RFC 6191 accepts the SYN
 * only when its sequence number or timestamp is newer); the client resets and tries again a
 * second later. The host is reachable and answered: no firewall is involved. */
#include "diagnose.h"

#include <stdio.h>

static bool met_time_wait(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_STALE_ACK;
}

static bool tw_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                       struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_OPEN, met_time_wait, out))
        return false;
    out->lookalike = LOOKALIKE_TIME_WAIT;
    out->answered_by = e->cell->to;
    out->confidence = VERDICT_CONF_MEDIUM;
    return true;
}

static void tw_words(const struct evidence *e, const struct finding *f, struct verdict_item *it)
{
    verdict_add_evidence(e->text, it, "%u SYN(s) met a TIME-WAIT: the client reused a source "
                         "port the host still remembered; not a firewall", f->total);
}

static void tw_advice(const struct evidence *e, const struct finding *f,
                      const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "nothing to open: %s from %s to %s passes; the delay comes from a source "
             "port reused while %s still held its earlier connection (TIME-WAIT): let the "
             "client pick fresh ports", diag_what(it, w, sizeof w),
             fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b), b);
}

const struct explanation EXPLAIN_TIME_WAIT = { "time-wait-reuse", tw_propose, tw_words,
                                               tw_advice };
