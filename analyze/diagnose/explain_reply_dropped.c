/* analyze/diagnose/explain_reply_dropped.c: the request arrived, the answer was lost coming
 * back. Seen by both captures (answered at the far host, never back at the requester), or
 * inferred where the answers are seen leaving: a SYN-ACK sent and the SYN or SYN-ACK repeated
 * without an ACK; a UDP request answered and then sent again, as a client does whose answer
 * never came. */
#include "diagnose.h"

#include <stdio.h>

static bool answer_lost(const struct evidence *e, enum verdict_outcome o)
{
    return ((o == VO_REPLY_LOST || o == VO_REPEATED) && !e->at_from) || o == VO_ANSWER_LOST;
}

static bool reply_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                          struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_REPLY_DROPPED, answer_lost, out))
        return false;
    out->answered_by = e->cell->to;
    out->inferred = out->rep != VO_ANSWER_LOST;
    out->confidence = out->inferred ? VERDICT_CONF_MEDIUM : VERDICT_CONF_HIGH;
    return true;
}

static void reply_advice(const struct evidence *e, const struct finding *f,
                         const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->from, a, sizeof a);
    fw_addr_format(&e->cell->to, b, sizeof b);
    if (e->combined && f->rep == VO_ANSWER_LOST)
        snprintf(buf, len, "allow the answers of %s from %s back to %s: requests arrive and "
                 "are answered, the answers never reach %s (both captures show it)%s", w, b, a,
                 a, e->cell->proto == VERDICT_PROTO_ECHO ? DIAG_ECHO_ADVICE : "");
    else
        snprintf(buf, len, "allow the answers of %s from %s back to %s: the request arrives, "
                 "the answer does not get back (inferred from this capture alone: a capture "
                 "on %s confirms it)", w, b, a, a);
}

const struct explanation EXPLAIN_REPLY_DROPPED = { "reply-dropped", reply_propose, NULL,
                                                   reply_advice };
