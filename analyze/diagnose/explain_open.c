/* analyze/diagnose/explain_open.c: the path works. An answer (SYN-ACK, UDP reply, echo reply)
 * came back; captured at the requester, a SYN-ACK that arrived is an answer even when the
 * requester then repeated its SYN, and a UDP answer that arrived is one even when the request
 * was sent again. Captured at the host that answered, a UDP or echo answer is only seen
 * leaving: nothing there shows it arrived (a TCP handshake does: the ACK comes back). */
#include "diagnose.h"

#include <stdio.h>

static bool answered(const struct evidence *e, enum verdict_outcome o)
{
    return o == VO_ANSWERED || ((o == VO_REPLY_LOST || o == VO_REPEATED) && e->at_from);
}

static bool answer_unseen(const struct evidence *e)
{
    return e->at_to && e->cell->proto != 6 && !e->combined;
}

static bool open_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                         struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_OPEN, answered, out))
        return false;
    /* A connection that ended idle and stalled when it spoke again was answered once: that
     * answer is the stall's (explain_idle_timeout.c), not a second connection that passed. */
    uint32_t same = out->claimed[VO_ANSWERED] < e->n->resumed ? out->claimed[VO_ANSWERED]
                                                               : e->n->resumed;
    out->claimed[VO_ANSWERED] -= same;
    out->total -= same;
    if (out->total == 0)
        return false;
    out->confidence = answer_unseen(e) ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
    out->answered_by = e->cell->to;
    return true;
}

static void open_words(const struct evidence *e, const struct finding *f,
                       struct verdict_item *it)
{
    (void)f;
    if (answer_unseen(e))
        verdict_add_evidence(e->text, it, "captured at the host that answered: its answers "
                             "left, whether they arrived cannot be seen here (a capture on the "
                             "requester shows it)");
}

static void open_advice(const struct evidence *e, const struct finding *f,
                        const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "nothing to do: %s from %s to %s passes", diag_what(it, w, sizeof w),
             fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b));
}

const struct explanation EXPLAIN_OPEN = { "open", open_propose, open_words, open_advice };
