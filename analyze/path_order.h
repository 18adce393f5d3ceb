/* analyze/path_order.h: more than two captures of one test, taken at several points of the
 * path (the two servers, a firewall's inside and outside, a tap): orders them along the path
 * by the TTL (hop limit) of the same packets and names, for one attempt's cell, the segment
 * where its requests or answers vanish and where a refusal (a RST, an ICMP error) first
 * appears. A packet is known again in another capture by a key of its addresses, ports and
 * the fields no router changes (TCP sequence and acknowledgement numbers and flags, IPv4 ID,
 * IP length, ICMP type, code, id and sequence, an ICMP error's quoted ports): never by its
 * time, as the machines' clocks differ. The verdicts themselves are left to the two end
 * captures (correlate.h); reading files and wording to others. Pure C, no I/O. */
#ifndef FW_PATH_ORDER_H
#define FW_PATH_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"
#include "siphash.h"

/* Captures of one path: `fwsight analyze` takes at most this many. Eight points are two
 * hosts and three firewalls' both sides; the masks below are one byte. */
#define PATH_MAX_CAPTURES 8
/* Packets kept per capture: only those that open or answer an attempt (TCP SYN, SYN-ACK and
 * RST, UDP, ICMP echo and errors), 32 bytes each: 2 MB a capture at most. A test's fit many
 * times over; beyond it a capture is cut and the rest counted (not_kept). */
#define PATH_MAX_PACKETS 65536u
/* Host pairs ordered: their packets' keys; packets of pairs beyond are not used for the
 * order (still for the cells). */
#define PATH_MAX_PAIRS 256u

/* What a kept packet is to its attempt. */
enum path_role { PATH_REQUEST, PATH_ANSWER, PATH_RESET, PATH_ICMP_ERROR };

struct path_packet {
    uint64_t key;        /* the packet, the same in every capture that saw it */
    uint64_t req_cell;   /* the cell it opens (a request of), 0: none */
    uint64_t back_cell;  /* the cell it answers or refuses, 0: none */
    uint16_t pair;       /* index into path_set.pair; PATH_MAX_PAIRS: not tracked */
    uint8_t ttl;
    uint8_t role;        /* enum path_role of back_cell (UDP: both cells possible) */
    bool lo_to_hi;       /* sent from the pair's lower address to its higher one */
};

struct path_capture {
    struct path_packet *pk;
    size_t n;
    uint64_t not_kept;   /* packets of interest beyond PATH_MAX_PACKETS */
    uint64_t twice;      /* packets kept again with another TTL: the capture spans a router
                          * (both its interfaces), no host's; set by path_set_seal */
};

struct path_pair {
    struct fw_addr lo, hi; /* lower address first */
    uint64_t packets;      /* kept packets of the pair, all captures */
};

struct path_set {
    struct path_capture cap[PATH_MAX_CAPTURES];
    size_t ncap;
    struct path_pair pair[PATH_MAX_PAIRS];
    size_t npairs;
    struct siphash_key key;
};

/* Where each capture sits on the path between one host pair: hop[i] is the number of routers
 * between capture i and the capture nearest lo (by TTL: the same packet one router later is
 * one lower, whichever way it goes). Captures with no packet of the pair in common with the
 * others are not placed. Two captures on one link see the same TTLs: the same hop. */
struct path_order {
    bool placed[PATH_MAX_CAPTURES];
    int hop[PATH_MAX_CAPTURES];
    size_t nplaced;
    int max_hop;
    uint32_t matched;      /* packets seen in two placed captures (counted per capture pair) */
    bool inconsistent;     /* the TTL differences contradicted each other (NAT, a capture
                            * spanning a router): the order rests on the most packets */
};

/* One way packets go for a cell (requests, answers, the refusal) along its path, hops counted
 * from the requester's side. */
struct path_passage {
    bool seen;             /* some placed capture saw them */
    bool vanish;           /* they stop between seen_hop and next_hop */
    bool tie;              /* at seen_hop some captures saw them and some did not: the same
                            * TTL, so which comes first cannot be told */
    int seen_hop, next_hop;
    uint8_t seen_mask;     /* captures (bits by index) at seen_hop that saw them */
    uint8_t next_mask;     /* captures at next_hop (vanish), or at seen_hop that did not (tie) */
};

struct path_segment {
    struct fw_addr from, to;
    uint8_t proto;         /* 6, 17 or VERDICT_PROTO_ECHO */
    uint16_t port;
    bool placed;           /* the pair's captures could be ordered */
    int hop[PATH_MAX_CAPTURES]; /* from `from`'s side; -1 not placed */
    struct path_passage req, ans, refusal;
    bool refusal_rst;      /* the refusal seen was a RST (else an ICMP error) */
};

/* ncap captures (at most PATH_MAX_CAPTURES); key is the packet keys' hash key (any: the
 * results do not depend on it). Returns 0, or FW_EINVAL. */
int path_set_init(struct path_set *s, size_t ncap, const struct siphash_key *key);
void path_set_fini(struct path_set *s);

/* One decoded packet of capture cap. Returns 0, or FW_ENOMEM (the packet is not kept). */
int path_set_feed(struct path_set *s, size_t cap, const struct pkt *p);

/* After the last feed: sorts each capture's packets by key. */
void path_set_seal(struct path_set *s);

/* The pair with the most packets kept; false if none. */
bool path_set_main_pair(const struct path_set *s, struct fw_addr *lo, struct fw_addr *hi);

/* Orders the captures along the path between a and b (either order). */
void path_order_of(const struct path_set *s, const struct fw_addr *a, const struct fw_addr *b,
                   struct path_order *o);

/* Where the cell's packets pass and vanish: requests from from toward to, the answers and the
 * refusal back. proto is 6, 17 or VERDICT_PROTO_ECHO (port 0). */
void path_segment_of(const struct path_set *s, const struct fw_addr *from,
                     const struct fw_addr *to, uint8_t proto, uint16_t port,
                     struct path_segment *out);

#endif
