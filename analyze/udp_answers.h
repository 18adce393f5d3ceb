/* analyze/udp_answers.h: UDP answers sent from another address of the host that was asked. A
 * multi-homed server whose service is bound to every address may answer from the address its
 * route prefers, not the one the request went to; the requester's connected socket then takes
 * the answer for a stranger's datagram (and refuses it with ICMP port unreachable). Seen as
 * flows, the request stays unanswered and the answer opens a flow of its own toward the
 * requester's port. This remembers the latest requests by (requester, its port, the service
 * port), so that such an answer can be paired with its request when its flow is created. */
#ifndef FW_UDP_ANSWERS_H
#define FW_UDP_ANSWERS_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define UDP_ANSWERS_SLOTS 4096 /* direct-mapped: a newer request takes an older one's slot */
#define UDP_ANSWER_WINDOW_US 2000000u /* an answer comes within 2 s of its request */

struct udp_request_note {
    struct fw_addr from, to;
    uint16_t sport, dport;
    uint64_t us;
};

struct udp_answers {
    struct udp_request_note slot[UDP_ANSWERS_SLOTS];
};

/* A UDP flow was created by its requester's first datagram (from:sport -> to:dport). */
void udp_answers_request(struct udp_answers *u, const struct fw_addr *from, uint16_t sport,
                         const struct fw_addr *to, uint16_t dport, uint64_t now_us);

/* A new UDP flow begins with src:sport -> dst:dport. If it answers a recent request of dst's
 * (from its port dport, to port sport) that went to another address than src, returns true and
 * that request's destination in *asked. */
bool udp_answers_match(const struct udp_answers *u, const struct fw_addr *src, uint16_t sport,
                       const struct fw_addr *dst, uint16_t dport, uint64_t now_us,
                       struct fw_addr *asked);

#endif
