/* app/live_filter.h: the BPF expression live capture starts from, made from the profile: only
 * what the diagnosis needs, so that fwsight can run on a busy replication server. Compiling and
 * installing it is capture/cap_live's; the user's --filter is ANDed here. */
#ifndef FW_LIVE_FILTER_H
#define FW_LIVE_FILTER_H

#include <stdbool.h>

#include "analyze/profile.h"

/* Default: TCP segments with SYN, FIN or RST on any port (IPv4, and IPv6 without extension
 * headers), every segment of the profile's RPC endpoint mapper ports (TCP 135: its replies
 * name the dynamic ports), UDP on the profile's UDP ports, all ICMP and ICMPv6. full adds
 * every TCP segment on the profile's TCP ports. extra (NULL or "": none) is ANDed with the
 * result. Returns a malloc'ed string, or NULL with err filled (out of memory). */
char *live_filter_build(const struct profile *p, bool full, const char *extra,
                        char err[FW_ERRLEN]);

#endif
