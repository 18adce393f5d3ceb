/* analyze/diagnose/explain_not_attempt.c: probes that are no connection attempt. No TCP stack
 * opens a connection with SYN and FIN, or SYN and RST, set: scanners (nmap's OS detection,
 * hping) send them to see how a host or a firewall reacts. Whatever met them says nothing
 * about whether the product's connections pass, so they never count as blocked; a cell that
 * holds nothing else is INCONCLUSIVE. FIN, null and Xmas probes count too: every segment a
 * real connection sends after its SYN carries ACK, so a segment with neither opens nothing. */
#include "diagnose.h"

#include <stdio.h>

static bool is_probe(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_NOT_ATTEMPT;
}

static bool probe_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                          struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_INCONCLUSIVE, is_probe, out))
        return false;
    out->lookalike = LOOKALIKE_NOT_ATTEMPT;
    out->tentative = true;
    out->confidence = VERDICT_CONF_HIGH; /* that these were probes is certain */
    return true;
}

static void probe_advice(const struct evidence *e, const struct finding *f,
                         const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], a[FW_ADDRSTRLEN];
    snprintf(buf, len, "nothing to change: %s saw only scanner probes from %s (SYN with FIN or "
             "RST, null, FIN or Xmas segments), no connection attempt; to test the path, open a "
             "real connection (fwsight test)", diag_what(it, w, sizeof w), fw_addr_format(&e->cell->from, a, sizeof a));
}

const struct explanation EXPLAIN_NOT_ATTEMPT = { "not-an-attempt", probe_propose, NULL,
                                                 probe_advice };
