/* analyze/diagnose/explain_fw_drop.c: requests vanish on the way. No answer and no ICMP error;
 * with two captures, seen leaving and never arriving (or arriving and left unanswered, which
 * points at the host's own firewall). Captured at the requester alone, a lost answer looks the
 * same: the words say so. A dynamic RPC port dropped although the endpoint mapper on 135
 * answered is named as such: some firewalls open it only after they read the mapper's reply. */
#include "diagnose.h"

#include <stdio.h>

static bool vanished(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_NO_ANSWER || o == VO_NEVER_ARRIVED || o == VO_SILENT_AFTER_ARRIVAL;
}

static bool drop_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                         struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_DROPPED, vanished, out))
        return false;
    if (out->rep == VO_NEVER_ARRIVED || out->rep == VO_SILENT_AFTER_ARRIVAL)
        out->confidence = VERDICT_CONF_HIGH; /* both ends seen: nothing is guessed */
    else if (e->cell->proto == 17)
        out->confidence = VERDICT_CONF_LOW; /* a UDP service may ignore what it gets */
    else
        out->confidence = e->n->retransmits > 0 || e->n->requests > 1 ? VERDICT_CONF_MEDIUM
                                                                       : VERDICT_CONF_LOW;
    return true;
}

static void drop_words(const struct evidence *e, const struct finding *f,
                       struct verdict_item *it)
{
    (void)f;
    if (e->at_from)
        verdict_add_evidence(e->text, it, "captured at the requester: the request may have "
                             "arrived and the answer been lost; a capture on the target "
                             "settles it");
}

static void drop_advice(const struct evidence *e, const struct finding *f,
                        const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    diag_what(it, w, sizeof w);
    fw_addr_format(&e->cell->from, a, sizeof a);
    fw_addr_format(&e->cell->to, b, sizeof b);
    bool echo = e->cell->proto == VERDICT_PROTO_ECHO;
    enum verdict_outcome rep = f->rep;
    if (e->rpc_dynamic && e->mapper_open && e->cell->proto == 6 &&
        rep != VO_SILENT_AFTER_ARRIVAL) {
        snprintf(buf, len, "endpoint mapper on 135 reachable, dynamic port %u dropped%s: open "
                 "the RPC range, or restrict it to a small range on the server and open that",
                 (unsigned)e->cell->port,
                 rep == VO_NEVER_ARRIVED ? " (both captures: its requests never arrive)" : "");
    } else if (rep == VO_SILENT_AFTER_ARRIVAL ||
               (e->at_to && e->to_host != NULL && rep == VO_NO_ANSWER)) {
        /* Seen arriving at the host (its own capture, or the far one of two): what drops it is
         * on the host, its own firewall (a capture is taken before the input chain) or a
         * service that ignores it; no firewall between them is to blame. Not when the capture
         * holds none of the host's own packets (inbound only): its answer may have left
         * unseen. An echo request is answered by the kernel itself: only the host's settings
         * keep it silent, Windows Firewall's by default. */
        const char *where = rep == VO_SILENT_AFTER_ARRIVAL ? "the far host" : "this capture point";
        if (echo)
            snprintf(buf, len, "ICMP echo from %s arrives at %s, which does not answer: allow echo "
                     "requests in its own firewall (Windows Firewall blocks them by default: "
                     "enable \"File and Printer Sharing (Echo Request - ICMPv%d-In)\"; Linux: "
                     "icmp_echo_ignore_all) (dropped after arrival at %s)", a, b,
                     e->cell->to.family == 6 ? 6 : 4, where);
        else
            snprintf(buf, len, "%s from %s arrives at %s, which does not answer: check the host's "
                     "own firewall and that something listens on %s (dropped after arrival at "
                     "%s)", w, a, b, w, where);
    } else if (rep == VO_NEVER_ARRIVED) {
        snprintf(buf, len, "%s %s from %s to %s on the firewall between them: requests leave "
                 "%s and never arrive at %s%s", echo ? "allow" : "open", w, a, b, a, b,
                 echo ? DIAG_ECHO_ADVICE : "");
    } else {
        snprintf(buf, len, "%s %s from %s to %s on the firewall between them; it gets no "
                 "answer and no error%s%s", echo ? "allow" : "open", w, a, b,
                 e->at_from ? " (it may have arrived and the answer been lost: a capture on "
                              "the target settles it)"
                            : "",
                 echo                    ? DIAG_ECHO_ADVICE
                 : e->cell->proto == 17 ? "; a UDP service that ignores the request looks the "
                                          "same: open or filtered"
                                        : "");
    }
}

const struct explanation EXPLAIN_FW_DROP = { "firewall-drop", drop_propose, drop_words,
                                             drop_advice };
