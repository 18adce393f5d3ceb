/* analyze/diagnose/explain_backlog.c: a listen backlog overflowing. When a service stops
 * calling accept(), the kernel's queue of connections waiting for it fills: Linux then drops
 * new SYNs silently, and the ACK completing a handshake in progress too, so it repeats its
 * SYN-ACK although the ACK arrived. Seen as a port where earlier connections were set up (and,
 * at the host, never served: no byte, no FIN from it) and later SYNs go unanswered. The host
 * drops them, not a firewall: PARTIAL, with the service to look at. */
#include "diagnose.h"

#include <stdio.h>

static bool backlog_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                            struct finding *out)
{
    const struct verdict_counts *n = e->n;
    if (e->cell->proto != 6 || avail[VO_NO_ANSWER] + avail[VO_SILENT_AFTER_ARRIVAL] == 0 ||
        n->by_outcome[VO_ANSWERED] == 0)
        return false;
    /* The SYN-ACK repeated after the ACK: the queue was full when the ACK came. */
    bool full = n->synack_after_ack > 0;
    /* At the host: the SYNs arrived while the connections it had were all left unserved. */
    bool waiting = (e->at_to || n->by_outcome[VO_SILENT_AFTER_ARRIVAL] > 0) &&
                   n->unserved == n->by_outcome[VO_ANSWERED] &&
                   e->first[VO_ANSWERED]->first_us < diag_first_silent_us(e);
    if (!full && !waiting)
        return false;
    finding_claim(e, avail, VERDICT_PARTIAL, diag_is_silent, out);
    out->lookalike = LOOKALIKE_BACKLOG;
    out->answered_by = e->cell->to;
    out->confidence = full ? VERDICT_CONF_HIGH : VERDICT_CONF_MEDIUM;
    return true;
}

static void backlog_words(const struct evidence *e, const struct finding *f,
                          struct verdict_item *it)
{
    const struct verdict_counts *n = e->n;
    char b[FW_ADDRSTRLEN];
    fw_addr_format(&e->cell->to, b, sizeof b);
    if (n->synack_after_ack > 0)
        verdict_add_evidence(e->text, it, "%u connection(s) got their SYN-ACK again after the "
                             "ACK: %s's accept queue was full", n->synack_after_ack, b);
    verdict_add_evidence(e->text, it, "%u connection(s) set up and %u left unserved, then %u SYN(s) "
                         "unanswered: %s's listen backlog overflows, the host drops them",
                         n->by_outcome[VO_ANSWERED], n->unserved, f->total, b);
}

static void backlog_advice(const struct evidence *e, const struct finding *f,
                           const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "no firewall rule to open: the service on %s at %s does not accept its "
             "connections (hung, overloaded, or a listen backlog too small), so the host drops "
             "new ones; check the service (Linux: ss -ltn shows Recv-Q at the backlog)",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->to, b, sizeof b));
}

const struct explanation EXPLAIN_BACKLOG = { "listen-backlog-overflow", backlog_propose,
                                             backlog_words, backlog_advice };
