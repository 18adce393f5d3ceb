/* analyze/verdict_attempt.c: what one flow says about one attempt, as a pure function of the
 * flow (verdict_attempt_of). How attempts add up to a cell is left to verdict.c, what a cell
 * means to diagnose/. */
#include "verdict.h"

#include <string.h>

#include "decode.h"
#include "flow.h"

const char *verdict_proto_name(uint8_t proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

/* Hosts start from 64 (Linux, macOS), 128 (Windows) or 255 (routers, NDP): the smallest of
 * those at or above the TTL seen is the likeliest start. */
unsigned verdict_hops(uint8_t ttl)
{
    if (ttl <= 64)
        return 64u - ttl;
    if (ttl <= 128)
        return 128u - ttl;
    return 255u - ttl;
}

/* RFC 792 destination unreachable codes 9, 10, 13 and RFC 4443 codes 1, 5, 6 are a
 * firewall's refusal; port unreachable (3/3, 1/4) is "closed" when the host itself sends it. */
static enum verdict_outcome icmp_outcome(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == 6) {
        if (type == 1 && code == 4)
            return VO_ICMP_PORT;
        if (type == 1 && (code == 1 || code == 5 || code == 6))
            return VO_ICMP_PROHIB;
        return VO_ICMP_OTHER;
    }
    if (type == 3 && code == 3)
        return VO_ICMP_PORT;
    if (type == 3 && (code == 9 || code == 10 || code == 13))
        return VO_ICMP_PROHIB;
    return VO_ICMP_OTHER;
}

static void take_icmp(const struct flow *f, struct verdict_attempt *a)
{
    a->outcome = icmp_outcome(f->key.a.family, f->icmp_err_type, f->icmp_err_code);
    a->icmp_type = f->icmp_err_type;
    a->icmp_code = f->icmp_err_code;
    a->icmp_from = f->icmp_err_from;
    a->ans_frame = f->icmp_err_frame;
}

/* Multicast and broadcast "requests" (mDNS, SSDP, NetBIOS name broadcasts) test no path. */
static bool is_group(const struct fw_addr *x)
{
    if (x->family == 4)
        return (x->b[0] & 0xf0) == 0xe0 || (x->b[0] == 255 && x->b[1] == 255 &&
                                            x->b[2] == 255 && x->b[3] == 255);
    return x->family == 6 && x->b[0] == 0xff;
}

/* Did the originator go on after the SYN-ACK (ACK, data, FIN or RST: Zeek's upper-case
 * letters after the handshake)? If not, and it repeated its SYN, the SYN-ACK was lost. */
static bool orig_went_on(const struct flow *f)
{
    for (int i = 0; i < f->hist_len && i < FLOW_HIST_MAX; i++) {
        char c = f->hist[i];
        if (c == 'A' || c == 'D' || c == 'F' || c == 'R')
            return true;
    }
    return false;
}

static bool tcp_attempt(const struct flow *f, struct verdict_attempt *a)
{
    if (f->orig_syns == 0)
        return false;
    a->proto = 6;
    a->requests = f->orig_syns;
    a->retransmits = f->orig_syn_rexmits;
    a->answers = (uint32_t)f->side[1].pkts;
    if (f->synack_seen) {
        a->outcome = VO_ANSWERED;
        a->ans_ttl = f->side[1].ttl_first;
        if (!orig_went_on(f) && f->orig_syn_rexmits > 0)
            a->outcome = VO_REPLY_LOST;
    } else if (f->resp_rst) {
        a->outcome = VO_RST;
        a->ans_ttl = f->resp_rst_ttl;
        a->ans_ip_id = f->resp_rst_ip_id;
        a->ans_frame = f->resp_rst_frame;
    } else if (f->icmp_errors > 0) {
        take_icmp(f, a);
    } else {
        a->outcome = VO_NO_ANSWER;
    }
    return true;
}

static bool udp_attempt(const struct flow *f, struct verdict_attempt *a)
{
    if (!f->side[0].active || is_group(&a->to))
        return false;
    a->proto = 17;
    a->requests = (uint32_t)f->side[0].pkts;
    a->answers = (uint32_t)f->side[1].pkts;
    if (f->side[1].pkts > 0) {
        a->outcome = VO_ANSWERED;
        a->ans_ttl = f->side[1].ttl_first;
    } else if (f->icmp_errors > 0) {
        take_icmp(f, a);
    } else {
        a->outcome = VO_NO_ANSWER;
    }
    return true;
}

/* Echo flows pair request and reply types (Zeek keys them so); the requester is whichever
 * side sent type 8 (128), whoever the first packet came from. */
static bool echo_attempt(const struct flow *f, struct verdict_attempt *a)
{
    if (f->key.one_way)
        return false;
    uint16_t orig_type = f->orig_is_a ? f->key.pa : f->key.pb;
    int req;
    if (orig_type == 8 || orig_type == 128)
        req = 0;
    else if (orig_type == 0 || orig_type == 129)
        req = 1;
    else
        return false;
    if (f->side[req].pkts == 0)
        return false;
    if (req == 1) {
        struct fw_addr t = a->from;
        a->from = a->to;
        a->to = t;
    }
    if (is_group(&a->to))
        return false;
    a->proto = VERDICT_PROTO_ECHO;
    a->port = 0;
    a->requests = (uint32_t)f->side[req].pkts;
    a->answers = (uint32_t)f->side[1 - req].pkts;
    a->req_ttl = f->side[req].ttl_first;
    if (a->answers > 0) {
        a->outcome = VO_ANSWERED;
        a->ans_ttl = f->side[1 - req].ttl_first;
        a->ans_frame = f->last_frame;
    } else if (f->icmp_errors > 0) {
        take_icmp(f, a);
    } else {
        a->outcome = VO_NO_ANSWER;
    }
    return true;
}

bool verdict_attempt_of(const struct flow *f, struct verdict_attempt *a)
{
    memset(a, 0, sizeof *a);
    a->from = f->orig_is_a ? f->key.a : f->key.b;
    a->to = f->orig_is_a ? f->key.b : f->key.a;
    a->port = f->orig_is_a ? f->key.pb : f->key.pa;
    a->first_us = f->first_us;
    a->req_frame = f->first_frame;
    a->req_ttl = f->side[0].ttl_first;
    if (fw_addr_eq(&a->from, &a->to))
        return false;
    switch (f->kind) {
    case FLOW_TCP: return tcp_attempt(f, a);
    case FLOW_UDP: return udp_attempt(f, a);
    case FLOW_ICMP: return echo_attempt(f, a);
    default: return false;
    }
}
