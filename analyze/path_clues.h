/* analyze/path_clues.h: what one capture tells about the devices next to and along the path,
 * beyond the flows: which address each MAC answers for (ARP replies and requests, IPv6
 * neighbour solicitations and advertisements: RFC 826, RFC 4861) and which routers sent ICMP
 * errors from how many routers away. The diagnosis reads it to name who forged a RST
 * (diagnose/attribute.c). Frames in, lookups out; pure C, no I/O. The tables are capped:
 * beyond the cap new entries are counted and ignored, never a wrong answer. */
#ifndef FW_PATH_CLUES_H
#define FW_PATH_CLUES_H

#include <stdbool.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "addr.h"
#include "decode.h"

#define PATH_CLUES_MAX_BINDINGS 256
#define PATH_CLUES_MAX_SENDERS 64

struct path_binding {
    struct fw_addr addr;
    uint8_t mac[6];
};

struct path_sender {
    struct fw_addr addr;  /* a router that sent ICMP errors (not the quoted destination) */
    uint8_t hops;         /* routers between it and the capture point (its TTL's count) */
    uint32_t errors;
};

struct path_clues {
    struct path_binding bind[PATH_CLUES_MAX_BINDINGS];
    uint32_t nbind;
    struct path_sender send[PATH_CLUES_MAX_SENDERS];
    uint32_t nsend;
    uint64_t overflow;    /* bindings or senders the caps left out */
};

void path_clues_init(struct path_clues *pc);

/* One frame and its decoding (any status: ARP frames are PKT_NOT_IP). */
void path_clues_feed(struct path_clues *pc, const struct frame *f, const struct pkt *p);

/* The address of family that ARP or NDP tied to mac (a global one before a link-local one,
 * then the first seen); false if none. */
bool path_clues_addr_of(const struct path_clues *pc, const uint8_t mac[6], uint8_t family,
                        struct fw_addr *out);

/* The one router of family that sent ICMP errors from hops routers away; false if none, or if
 * several addresses did (the distance names no single device then). */
bool path_clues_sender_at(const struct path_clues *pc, uint8_t family, unsigned hops,
                          struct fw_addr *out);

/* An IPv6 link-local address (fe80::/10): no server under test is known by one. */
bool path_clues_link_local(const struct fw_addr *a);

#endif
