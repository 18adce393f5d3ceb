/* capture/locate_hop.h: what one TTL of a `fwsight test --locate` probe series met, as plain
 * data: capture/locate.c fills it from its sockets, analyze/locate.c reads it (no socket or
 * libpcap type here, so the analysis can include it). */
#ifndef FW_LOCATE_HOP_H
#define FW_LOCATE_HOP_H

#include <stdint.h>

/* Bounds of one series (one blocked port): TTL 1 to LOCATE_MAX_HOPS, at most
 * LOCATE_PROBES_PER_HOP probes a TTL, the second only when the first got nothing within half
 * of LOCATE_HOP_TIMEOUT_MS; the series stops at the first answer that is not "time exceeded"
 * or after LOCATE_SILENT_STOP silent TTLs in a row (past a block nothing answers any more). */
#define LOCATE_MAX_HOPS 16
#define LOCATE_PROBES_PER_HOP 2
#define LOCATE_HOP_TIMEOUT_MS 1000u
#define LOCATE_SILENT_STOP 3
#define LOCATE_MAX_SERIES 16 /* blocked paths located per test; the rest are listed as not */

enum locate_answer {
    LOCATE_SILENT,        /* nothing within the hop's time */
    LOCATE_TIME_EXCEEDED, /* ICMP time exceeded (ICMPv6 type 3): addr is that hop */
    LOCATE_UNREACH,       /* another ICMP error (type and code below) sent by addr */
    LOCATE_RESET,         /* TCP reset: the connect was refused, in the peer's name */
    LOCATE_REPLY,         /* the peer answered: connected, a UDP answer, an echo reply */
    LOCATE_FAILED,        /* the probe could not be sent (err) */
};

struct locate_hop {
    uint8_t ttl;
    uint8_t sent;                 /* probes sent with this TTL */
    enum locate_answer answer;
    uint8_t icmp_type, icmp_code; /* TIME_EXCEEDED and UNREACH: as received (ICMPv6 for v6) */
    uint8_t family;               /* of addr: 4 or 6; 0 when unknown */
    uint8_t addr[16];             /* who answered; IPv4 in the first 4 bytes */
    uint32_t rtt_us;              /* from the probe that was answered */
    int err;                      /* errno of LOCATE_FAILED */
};

#endif
