/* analyze/udp_answers.c: pairing UDP answers sent from another address with their requests (see
 * udp_answers.h). The flows themselves are marked by flow_track.c; what it means is diagnose/'s
 * (explain_other_address.c). */
#include "udp_answers.h"

#include <string.h>

static size_t slot_of(const struct fw_addr *req, uint16_t sport, uint16_t dport)
{
    /* Not keyed by the asked address: the answer comes from another one. A plain mix is
     * enough: a crafted collision costs a missed pairing, never a longer search. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof req->b; i++)
        h = (h ^ req->b[i]) * 16777619u;
    h = (h ^ sport) * 16777619u;
    h = (h ^ dport) * 16777619u;
    return h % UDP_ANSWERS_SLOTS;
}

void udp_answers_request(struct udp_answers *u, const struct fw_addr *from, uint16_t sport,
                         const struct fw_addr *to, uint16_t dport, uint64_t now_us)
{
    struct udp_request_note *n = &u->slot[slot_of(from, sport, dport)];
    n->from = *from;
    n->to = *to;
    n->sport = sport;
    n->dport = dport;
    n->us = now_us;
}

bool udp_answers_match(const struct udp_answers *u, const struct fw_addr *src, uint16_t sport,
                       const struct fw_addr *dst, uint16_t dport, uint64_t now_us,
                       struct fw_addr *asked)
{
    const struct udp_request_note *n = &u->slot[slot_of(dst, dport, sport)];
    if (n->from.family == 0 || n->sport != dport || n->dport != sport ||
        !fw_addr_eq(&n->from, dst) || n->to.family != src->family || fw_addr_eq(&n->to, src))
        return false;
    if (now_us < n->us || now_us - n->us > UDP_ANSWER_WINDOW_US)
        return false;
    *asked = n->to;
    return true;
}
