/* analyze/diagnose/explain_host_closed.c: the firewall passes, but nothing listens. The host
 * itself refused: a RST whose TTL fits the host's own packets, or ICMP port unreachable sent
 * from the host's own address. */
#include "diagnose.h"

#include <stdio.h>

static bool refused_by_host(const struct evidence *e, enum verdict_outcome o)
{
    if (o == VO_RST)
        return !e->rst_forged;
    return o == VO_ICMP_PORT && fw_addr_eq(&e->first[o]->icmp_from, &e->cell->to);
}

static bool closed_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                           struct finding *out)
{
    if (!finding_claim(e, avail, VERDICT_CLOSED, refused_by_host, out))
        return false;
    out->answered_by = e->cell->to;
    /* A RST with nothing of the host's to compare it with might still be a firewall's. */
    out->confidence = out->rep == VO_RST && !e->rst_compared ? VERDICT_CONF_MEDIUM
                                                              : VERDICT_CONF_HIGH;
    return true;
}

static void closed_advice(const struct evidence *e, const struct finding *f,
                          const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "the path is open, but nothing listens on %s at %s: start the service "
             "there or check its port", diag_what(it, w, sizeof w),
             fw_addr_format(&e->cell->to, b, sizeof b));
}

const struct explanation EXPLAIN_HOST_CLOSED = { "host-closed", closed_propose, NULL,
                                                 closed_advice };
