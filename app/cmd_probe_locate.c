/* app/cmd_probe_locate.c: `fwsight test --locate`, after the verdicts are settled: for each path
 * from this host to the peer whose verdict is neither OPEN nor CLOSED (nor UNTESTED), one
 * series of TTL-limited probes of that port (capture/locate.c), read by analyze/locate.c.
 * Sequential, so each router sees at most two probes a TTL at a time (routers rate-limit
 * their ICMP errors). The capture is over by then: the series are no part of the verdicts. */
#include <stdio.h>
#include <string.h>

#include "analyze/verdict.h"
#include "capture/locate.h"
#include "cmd_probe_int.h"

static bool to_probe(uint8_t proto, enum probe_kind *kind)
{
    if (proto == 6)
        *kind = PROBE_TCP;
    else if (proto == 17)
        *kind = PROBE_UDP;
    else if (proto == VERDICT_PROTO_ECHO)
        *kind = PROBE_ECHO;
    else
        return false;
    return true;
}

size_t test_locate(struct locate *loc, const struct verdict_collector *vc,
                   const struct fw_addr *local, const struct fw_addr *peer,
                   struct report_locate *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < verdict_count(vc) && n < max; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        enum verdict_kind k = it->v.kind;
        enum probe_kind kind;
        if (k == VERDICT_OPEN || k == VERDICT_CLOSED || k == VERDICT_UNTESTED ||
            !fw_addr_eq(&it->from, local) || !fw_addr_eq(&it->to, peer) ||
            !to_probe(it->proto, &kind))
            continue;
        struct report_locate *l = &out[n++];
        memset(l, 0, sizeof *l);
        l->from = it->from;
        l->to = it->to;
        l->proto = it->proto;
        l->port = it->port;
        if (n > LOCATE_MAX_SERIES) {
            snprintf(l->error, sizeof l->error, "more than %d blocked paths: only the first "
                     "%d were located", LOCATE_MAX_SERIES, LOCATE_MAX_SERIES);
            continue;
        }
        char err[FW_ERRLEN] = "";
        fprintf(stderr, "fwsight test: locating %s %u (%s)...\n", probe_kind_name(kind),
                it->port, verdict_name(k));
        l->nhops = locate_series(loc, kind, it->port, l->hops, LOCATE_MAX_HOPS, &l->src_port,
                                 err);
        if (l->nhops == 0)
            snprintf(l->error, sizeof l->error, "%.199s", err);
        locate_interpret(l->hops, l->nhops, &l->finding);
    }
    return n;
}
