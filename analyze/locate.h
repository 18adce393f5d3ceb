/* analyze/locate.h: where on the path a blocked port dies, read from the answers to one series
 * of TTL-limited probes of that port (`fwsight test --locate`; capture/locate.c sends them):
 * the last hop that answered "time exceeded", and what the next TTLs met (silence, a reset,
 * an ICMP error, or the peer itself). A pure function of the hops, and the one line the
 * report, the JSON and the view print for it. */
#ifndef FW_LOCATE_H
#define FW_LOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "capture/locate_hop.h"

#define LOCATE_HOWS(X)                                                  \
    X(LOCATE_HOW_SILENT,     "silent")      /* probes die: no answer */ \
    X(LOCATE_HOW_RESET,      "reset")       /* a TCP reset comes back */ \
    X(LOCATE_HOW_PROHIBITED, "icmp-prohibited") /* admin/net/host prohibited */ \
    X(LOCATE_HOW_UNREACH,    "icmp-unreachable") /* another ICMP error */ \
    X(LOCATE_HOW_REACHED,    "reached")     /* the peer answered: not blocked for these */ \
    X(LOCATE_HOW_UNMEASURED, "not-measured")
#define LOCATE_ENUM(name, text) name,
enum locate_how { LOCATE_HOWS(LOCATE_ENUM) LOCATE_HOW_COUNT };
#undef LOCATE_ENUM
const char *locate_how_name(enum locate_how h);

enum locate_unmeasured {
    LOCATE_OK,
    LOCATE_NO_TIME_EXCEEDED, /* probes died and no hop answered "time exceeded" */
    LOCATE_SEND_FAILED,      /* a probe could not be sent */
    LOCATE_NO_HOPS,          /* nothing was probed */
};

struct locate_finding {
    enum locate_how how;
    enum locate_unmeasured why;   /* LOCATE_HOW_UNMEASURED: why */
    uint8_t last_hop_ttl;         /* last hop that answered time exceeded; 0: none */
    struct fw_addr last_hop;      /* its address (family 0: none) */
    uint8_t blocked_after_hop;    /* the block sits after this hop (0: before the first) */
    uint8_t first_ttl;            /* first TTL that met the block (silence or the refusal) */
    uint8_t last_ttl;             /* highest TTL probed */
    struct fw_addr answered_by;   /* ICMP error sender; a reset's or reply's claimed source */
    uint8_t icmp_type, icmp_code;
    uint8_t silent_before;        /* silent TTLs below last_hop_ttl: routers that keep quiet */
    int err;                      /* LOCATE_SEND_FAILED: errno */
};

/* hops in TTL order as probed (hops[i].ttl rising, not necessarily from 1); family is the
 * probes' (4 or 6). */
void locate_interpret(const struct locate_hop *hops, size_t n, struct locate_finding *out);

/* The finding in words, without the path's name ("blocked between hop 2 (192.0.2.2) and
 * hop 3: from TTL 3 on, a TCP reset comes back in the peer's name"). peer names the peer in
 * the text; returns what snprintf returns. */
int locate_describe(const struct locate_finding *f, const struct fw_addr *peer, char *buf,
                    size_t len);

#endif
