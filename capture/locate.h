/* capture/locate.h: the TTL-limited probes of `fwsight test --locate`, toward ONE peer: for a
 * port found blocked, one series of probes of that same port and protocol with TTL 1, 2, ...
 * from one source port (one flow, as Paris traceroute keeps it: a load balancer hashing the
 * 5-tuple sends every probe the way the test went), bounded as locate_hop.h says. What each
 * TTL met comes from the probe's own socket (IP_RECVERR: the ICMP error and the router that
 * sent it), so no other flow's ICMP can be taken for it. Reading the series is
 * analyze/locate.c's. */
#ifndef FW_LOCATE_PROBE_H
#define FW_LOCATE_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "frame.h"
#include "locate_hop.h"
#include "probe.h"

struct locate;

/* Copies peer. Opens the echo socket at once (a ping socket where allowed, else a raw one,
 * which needs CAP_NET_RAW): call it before giving up privileges; TCP and UDP probes need
 * none. NULL with err on bad arguments or out of memory; no echo socket is not an error
 * (locate_series says so for echo). */
struct locate *locate_new(const struct sockaddr *peer, socklen_t peer_len, char err[FW_ERRLEN]);
void locate_free(struct locate *l); /* NULL does nothing */

/* One series toward the peer's port (0 for echo): fills hops (max at least LOCATE_MAX_HOPS)
 * and returns how many TTLs were probed; *src_port is the flow's source port (the echo id for
 * echo). 0 with err when it could not start (no echo socket). Blocks for at most
 * LOCATE_MAX_HOPS x LOCATE_HOP_TIMEOUT_MS; usually the first refusal or three silent TTLs end
 * it much sooner. */
size_t locate_series(struct locate *l, enum probe_kind kind, uint16_t port,
                     struct locate_hop *hops, size_t max, uint16_t *src_port,
                     char err[FW_ERRLEN]);

#endif
