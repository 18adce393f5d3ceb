/* analyze/diagnose/explain_one_way.c: the capture holds one direction only. A capture filter
 * that names one side (`src host`, `dst port`), a SPAN port mirroring one direction, pktmon
 * filtered on outbound packets, or a capture point that the answers bypass (asymmetric
 * routing: they come back through another router or another interface) shows every request
 * and none of the answers: every port looks DROPPED. TCP gives it away: a requester leaves
 * SYN-SENT only on a SYN-ACK, so an ACK with its next sequence number proves an answer came
 * (tcp_state.c, VO_ANSWER_UNSEEN). Such an attempt passed: OPEN. And where the capture holds
 * not one packet of the host while its answers are proven that way, its silence to UDP and
 * echo requests proves nothing either: INCONCLUSIVE, never a drop. A SYN the requester never
 * followed up still failed (no SYN-ACK reached it, whichever way it went): that stays a drop,
 * as from any one capture. A host that sends packets the capture does hold is not taken for
 * one out of sight: its silence stays its own. With the host's capture beside it, a UDP or
 * echo request the host answered is VO_ANSWER_UNSEEN too (correlate.c), not an answer lost
 * on the way back: the requester's capture would not have shown it either way. */
#include "diagnose.h"

#include <stdio.h>

/* Not one packet of the host in this capture, though it answered out of its sight. */
static bool host_out_of_sight(const struct evidence *e)
{
    return !e->combined && verdict_host_unseen(e->to_refusals);
}

static bool unseen(const struct evidence *e, enum verdict_outcome o)
{
    return o == VO_ANSWER_UNSEEN ||
           (o == VO_NO_ANSWER && e->cell->proto != 6 && host_out_of_sight(e));
}

static bool one_way_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                            struct finding *out)
{
    bool answered = avail[VO_ANSWER_UNSEEN] > 0;
    if (!finding_claim(e, avail, answered ? VERDICT_OPEN : VERDICT_INCONCLUSIVE, unseen, out))
        return false;
    out->lookalike = LOOKALIKE_ONE_WAY;
    if (answered)
        out->answered_by = e->cell->to;
    out->confidence = answered ? VERDICT_CONF_MEDIUM : VERDICT_CONF_LOW;
    return true;
}

static void one_way_words(const struct evidence *e, const struct finding *f,
                          struct verdict_item *it)
{
    (void)f;
    char b[FW_ADDRSTRLEN];
    if (!host_out_of_sight(e))
        return;
    verdict_add_evidence(e->text, it, "this capture holds no packet from %s, yet its answers to "
                         "%u TCP attempt(s) were acknowledged: it shows one direction only",
                         fw_addr_format(&e->cell->to, b, sizeof b),
                         e->to_refusals->answered_unseen);
}

static void one_way_advice(const struct evidence *e, const struct finding *f,
                           const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    const char *what = diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->from, a, sizeof a);
    fw_addr_format(&e->cell->to, b, sizeof b);
    if (f->kind == VERDICT_OPEN && e->combined)
        snprintf(buf, len, "no firewall rule to open: %s from %s to %s was answered (%s), and "
                 "the requester's capture, of one direction only, missed the answer", what, a, b,
                 e->cell->proto == 6 ? "the requester acknowledged the answer"
                                     : "the host's capture holds it");
    else if (f->kind == VERDICT_OPEN)
        snprintf(buf, len, "no firewall rule to open: %s from %s to %s was answered (the "
                 "requester acknowledged the answer), and the capture missed the answer; capture "
                 "both directions (no host or direction filter, or on %s) to see it", what, a, b,
                 b);
    else
        snprintf(buf, len, "not known: the capture shows only %s's side of the traffic with %s, "
                 "so silence proves nothing; capture again without a host or direction filter, "
                 "or on %s, to judge %s", a, b, b, what);
}

const struct explanation EXPLAIN_ONE_WAY = { "capture-one-way", one_way_propose, one_way_words,
                                             one_way_advice };
