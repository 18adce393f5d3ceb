/* analyze/diagnose/explain_host_closed.c: the firewall passes, but nothing listens. The host
 * itself refused: a RST whose TTL fits the host's own packets, or ICMP port unreachable sent
 * from the host's own address. Behind a SYN proxy the host's RST follows a handshake the
 * proxy made (verdict_attempt.c): still closed, and the proxy is named so that its SYN-ACK
 * is not read as the service answering. */
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

/* The first RST that followed a SYN proxy's handshake, if any. */
static const struct verdict_attempt *proxied(const struct evidence *e, const struct finding *f)
{
    const struct verdict_attempt *a = e->first[VO_RST];
    return f->claimed[VO_RST] > 0 && a != NULL && a->proxy_synack_ttl != 0 ? a : NULL;
}

static void closed_words(const struct evidence *e, const struct finding *f,
                         struct verdict_item *it)
{
    const struct verdict_attempt *a = proxied(e, f);
    if (a == NULL)
        return;
    char near[32], far[32];
    verdict_add_evidence(e->text, it, "its SYN-ACK came first, TTL %u (%s), the RST's TTL %u (%s): "
                         "a SYN proxy on the way made the handshake, the host refused",
                         a->proxy_synack_ttl,
                         diag_routers_text(a->proxy_synack_ttl, near, sizeof near),
                         a->ans_ttl, diag_routers_text(a->ans_ttl, far, sizeof far));
}

static void closed_advice(const struct evidence *e, const struct finding *f,
                          const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "the path is open, but nothing listens on %s at %s: start the service "
             "there or check its port%s", diag_what(it, w, sizeof w),
             fw_addr_format(&e->cell->to, b, sizeof b),
             proxied(e, f) != NULL ? " (a SYN proxy on the way completes the handshake in its "
                                     "name: a connect() that succeeds proves nothing there)"
                                   : "");
}

const struct explanation EXPLAIN_HOST_CLOSED = { "host-closed", closed_propose, closed_words,
                                                 closed_advice };
