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
        /* no route, beyond scope, address unreachable (neighbour discovery failed), hop limit
         * exceeded: routing or a host down, no filter */
        if ((type == 1 && (code == 0 || code == 2 || code == 3)) || type == 3)
            return VO_ICMP_UNREACH;
        return VO_ICMP_OTHER;
    }
    if (type == 3 && code == 3)
        return VO_ICMP_PORT;
    if (type == 3 && (code == 9 || code == 10 || code == 13))
        return VO_ICMP_PROHIB;
    /* net or host unreachable or unknown (0, 1, 6, 7), for the type of service (11, 12), or the
     * TTL ran out (type 11): a router has no way there */
    if ((type == 3 && (code <= 1 || code == 6 || code == 7 || code == 11 || code == 12)) ||
        type == 11)
        return VO_ICMP_UNREACH;
    return VO_ICMP_OTHER;
}

static void take_icmp(const struct flow *f, struct verdict_attempt *a)
{
    a->outcome = icmp_outcome(f->key.a.family, f->icmp_err_type, f->icmp_err_code);
    a->icmp_type = f->icmp_err_type;
    a->icmp_code = f->icmp_err_code;
    a->icmp_from = f->icmp_err_from;
    a->ans_frame = f->icmp_err_frame;
    a->icmp_after_us = f->icmp_err_after_us;
    a->icmp_errors = f->icmp_errors;
}

/* Measured on Linux 6.18 (tests/paths/udp6_lab.sh, scenario down): with the server's link
 * down, the router's host unreachable (ICMPv6 address unreachable) came 3.05 s after the
 * request, for UDP and TCP alike: three solicitations a second apart (mcast_solicit 3,
 * retrans_time_ms 1000; RFC 4861's MAX_MULTICAST_SOLICIT and RETRANS_TIMER say the same for
 * IPv6), then an error for every request queued meanwhile. nftables' reject with icmpx type
 * host-unreachable answered within 1 ms, within the round trip as every reject rule does. The
 * line sits at 2 s, counted from the flow's first request (a TCP client's SYN sent again
 * every second meets the error as it leaves: which request it quotes is not known): above a
 * reject whose error the router's ICMP rate limit held back to the SYN sent again a second
 * later, below the 3 s that the defaults take to give up. Later ones from a rate limit under
 * a burst (6 errors at once, then 1 a second: scenario rejectburst, 2.01 s for one of 20
 * SYNs) are told by the same router's errors that came at once. Time exceeded is neither
 * (reassembly gives up after 30 s). */
static bool routing_dest_unreach(const struct verdict_attempt *a)
{
    return a->outcome == VO_ICMP_UNREACH && a->icmp_type == (a->to.family == 6 ? 1 : 3);
}

bool verdict_routing_code_late(const struct verdict_attempt *a)
{
    return routing_dest_unreach(a) && a->icmp_after_us >= VERDICT_NEIGH_GIVEUP_US;
}

bool verdict_routing_code_prompt(const struct verdict_attempt *a)
{
    return routing_dest_unreach(a) && a->icmp_after_us < VERDICT_NEIGH_GIVEUP_US;
}

bool verdict_router_refusal(const struct verdict_attempt *a)
{
    if (a->icmp_from.family == 0 || fw_addr_eq(&a->icmp_from, &a->to))
        return false;
    return a->outcome == VO_ICMP_PROHIB || a->outcome == VO_ICMP_PORT ||
           verdict_routing_code_prompt(a);
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

/* The data of side s (0 the originator) unacknowledged at the end: the peer's ACK does not reach
 * the end of its last new segment. */

/* Side s of f stopped being answered after the handshake: what it sent again (len 0: its
 * FIN), how often, and whether the peer had acknowledged it. */
static void note_stall(const struct flow *f, struct verdict_attempt *a, int s, bool acked,
                       uint16_t rexmits, uint16_t len)
{
    a->stall_side = (uint8_t)s;
    a->stall_acked = acked;
    a->stall_rexmits = rexmits;
    a->stall_len = len;
    a->ok_len = f->max_acked_len[s];
    a->pmtu_icmp = f->pmtu_icmp;
    if (f->idle_gap_ms > 0 && f->idle_resumer == s && !f->idle_answered)
        a->idle_us = (uint64_t)f->idle_gap_ms * 1000u;
}

void verdict_stall_copy(struct verdict_attempt *to, const struct verdict_attempt *from)
{
    to->stall_side = from->stall_side;
    to->stall_acked = from->stall_acked;
    to->stall_rexmits = from->stall_rexmits;
    to->stall_len = from->stall_len;
    to->ok_len = from->ok_len;
    to->pmtu_icmp = from->pmtu_icmp;
    to->idle_us = from->idle_us;
    to->resumed = from->resumed;
}

/* After the handshake, a side sent its data again and again and it was never acknowledged, or
 * was acknowledged and sent again all the same (the ACKs die beyond the capture point) on a
 * connection that never closed both ways: the connection opened, then its data stopped. Two
 * repetitions at least: one lost segment on a busy path is no stall. Its FIN repeated the
 * same way is the same stall, seen from the side that was only receiving. */
static bool tcp_stalled(const struct flow *f, struct verdict_attempt *a)
{
    bool closed = f->tcp.ep[0].fin_cnt > 0 && f->tcp.ep[1].fin_cnt > 0;
    for (int s = 0; s < 2; s++) {
        if (f->data_rexmits[s] < 2)
            continue;
        bool unacked = flow_data_unacked(f, s);
        if (!unacked && (f->rexmit_acked[s] < 2 || closed))
            continue;
        note_stall(f, a, s, !unacked, f->data_rexmits[s], f->min_rexmit_len[s]);
        return true;
    }
    /* A side with nothing left to send closes: its FIN sent three times (the kernel repeats it
     * only when no ACK came), never acknowledged, the peer neither closing nor resetting. The
     * peer's packets stopped mid-connection although this side had no data to send again (a
     * firewall that dropped the connection's state, or a rule added while it ran). */
    for (int s = 0; s < 2; s++) {
        const struct tcp_ep *e = &f->tcp.ep[s], *o = &f->tcp.ep[1 - s];
        if (e->fin_cnt < 3 || o->fin_cnt > 0 || o->state == TCP_EP_RESET ||
            e->ack_seq >= e->last_seq)
            continue;
        note_stall(f, a, s, false, (uint16_t)(e->fin_cnt - 1), 0); /* a FIN: no data */
        return true;
    }
    return false;
}

static void take_rst(const struct flow *f, struct verdict_attempt *a)
{
    a->outcome = VO_RST;
    a->ans_ttl = f->resp_rst_ttl;
    a->ans_ip_id = f->resp_rst_ip_id;
    a->ans_frame = f->resp_rst_frame;
    a->ans_has_mac = f->resp_rst_has_mac;
    memcpy(a->ans_mac, f->resp_rst_mac, sizeof a->ans_mac);
}

/* A SYN proxy (nftables and iptables SYNPROXY, a load balancer's SYN cookies) answers the
 * handshake itself and only then opens the connection to the host; a host that refuses it
 * resets, and the proxy passes the RST on. The requester sees a handshake, then the RST
 * before any byte from the responder, and the two from different distances: the SYN-ACK
 * made nearer (fewer routers from the capture point) than the RST. The RST is the host's
 * answer to the attempt; the handshake was the proxy's. */
static bool proxied_then_reset(const struct flow *f)
{
    if (!f->resp_rst || verdict_hops(f->side[1].ttl_first) >= verdict_hops(f->resp_rst_ttl))
        return false;
    for (int i = 0; i < f->hist_len && i < FLOW_HIST_MAX; i++)
        if (f->hist[i] == 'd') /* the responder's data (Zeek's history): a real connection */
            return false;
    return true;
}

/* A connection that ended idle and spoke again without a handshake (flow_recall.c
 * flow_recall_resume): an attempt only if its data then stalled after that silence (a FIN into
 * it only closes it), told from the end that opened it. */
static bool resumed_stall(const struct flow *f, struct verdict_attempt *a)
{
    if (!f->resumed || !tcp_stalled(f, a) || a->idle_us == 0 || a->stall_len == 0)
        return false;
    a->outcome = VO_STALLED;
    a->resumed = true;
    if (f->resumed_orig_is_a != f->orig_is_a) {
        struct fw_addr x = a->from;
        a->from = a->to;
        a->to = x;
        a->port = f->orig_is_a ? f->key.pa : f->key.pb;
        a->stall_side = (uint8_t)(1 - a->stall_side);
        a->req_ttl = f->side[1].ttl_first;
        a->req_ttl_min = f->side[1].ttl_min;
    }
    return true;
}

static bool tcp_attempt(const struct flow *f, struct verdict_attempt *a)
{
    a->proto = 6;
    if (f->orig_syns == 0) {
        if (f->orig_probes == 0)
            return resumed_stall(f, a);
        a->requests = f->orig_probes; /* SYN+FIN, null, FIN, Xmas: probes, no connection */
        a->outcome = VO_NOT_ATTEMPT;
        return true;
    }
    a->requests = f->orig_syns;
    a->retransmits = f->orig_syn_rexmits;
    a->answers = (uint32_t)f->side[1].pkts;
    a->synack_after_ack = f->synack_after_ack;
    if (f->synack_seen) {
        a->outcome = VO_ANSWERED;
        a->ans_ttl = f->side[1].ttl_first;
        a->unserved = orig_went_on(f) && f->tcp.ep[1].fin_cnt == 0 && !f->resp_rst &&
                      f->tcp.ep[1].last_seq <= f->tcp.ep[1].start_seq + 1;
        /* The SYN or the SYN-ACK repeated and the originator never went on: the SYN-ACK did
         * not get back. */
        if (!orig_went_on(f) && (f->orig_syn_rexmits > 0 || f->synack_rexmits > 0)) {
            a->outcome = VO_REPLY_LOST;
        } else if (proxied_then_reset(f)) {
            a->proxy_synack_ttl = a->ans_ttl;
            a->unserved = false;
            take_rst(f, a);
        } else if (f->path_reset) {
            a->outcome = VO_RESET_ON_PATH;
            a->ans_ttl = f->path_reset_ttl;
            a->ans_frame = f->path_reset_frame;
            a->unserved = false;
        } else if (tcp_stalled(f, a)) {
            a->outcome = VO_STALLED;
        }
    } else if (f->acked_unseen) {
        /* Whatever came after (a RST, the host's bare ACKs, an ICMP error about its data), the
         * handshake was answered: the requester went on. */
        a->outcome = VO_ANSWER_UNSEEN;
    } else if (f->resp_rst) {
        take_rst(f, a);
    } else if (f->icmp_errors > 0) {
        take_icmp(f, a);
    } else if (f->resp_bare_ack) {
        a->outcome = VO_STALE_ACK; /* an earlier connection of this 5-tuple, in TIME-WAIT */
        a->ans_ttl = f->side[1].ttl_first;
    } else {
        a->outcome = VO_NO_ANSWER;
    }
    return true;
}

static bool udp_attempt(const struct flow *f, struct verdict_attempt *a)
{
    if (!f->side[0].active || is_group(&a->to) || f->stray_answer)
        return false;
    a->proto = 17;
    a->requests = (uint32_t)f->side[0].pkts;
    a->answers = (uint32_t)f->side[1].pkts;
    if (f->side[1].pkts > 0) {
        a->outcome = f->retries_after_answer > 0 ? VO_REPEATED : VO_ANSWERED;
        a->retries = f->retries_after_answer;
        a->ans_ttl = f->side[1].ttl_first;
    } else if (f->other_answer.family != 0) {
        a->outcome = VO_OTHER_ADDR;
        a->other_addr = f->other_answer;
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
    a->req_ttl_min = f->side[req].ttl_min;
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

static bool attempt_of(const struct flow *f, struct verdict_attempt *a);

bool verdict_attempt_of(const struct flow *f, struct verdict_attempt *a)
{
    if (!attempt_of(f, a))
        return false;
    a->quiet_silent = f->quiet_silent && a->outcome == VO_NO_ANSWER;
    if (a->outcome == VO_ANSWERED && f->side[1].pkts > 0 && f->resp_first_us > f->first_us)
        a->rtt_us = f->resp_first_us - f->first_us > UINT32_MAX
                        ? UINT32_MAX
                        : (uint32_t)(f->resp_first_us - f->first_us);
    return true;
}

static bool attempt_of(const struct flow *f, struct verdict_attempt *a)
{
    memset(a, 0, sizeof *a);
    a->from = *flow_orig_addr(f);
    a->to = f->orig_is_a ? f->key.b : f->key.a;
    a->port = f->orig_is_a ? f->key.pb : f->key.pa;
    a->first_us = f->first_us;
    a->last_us = f->last_us;
    a->req_frame = f->first_frame;
    a->req_ttl = f->side[0].ttl_first;
    a->req_ttl_min = f->side[0].ttl_min;
    if (fw_addr_eq(&a->from, &a->to))
        return false;
    switch (f->kind) {
    case FLOW_TCP: return tcp_attempt(f, a);
    case FLOW_UDP: return udp_attempt(f, a);
    case FLOW_ICMP: return echo_attempt(f, a);
    default: return false;
    }
}
