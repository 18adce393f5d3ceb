/* analyze/flow.h: one tracked connection as the flow table keeps it, shared by the table
 * (flow_table.c), the per-protocol trackers (flow_track.c, tcp_state.c) and, later, the
 * verdicts. Fixed size, no pointers to own: a flow lives in the table's pool and is recycled.
 * Roles are by index: side[0] and tcp.ep[0] are the originator, index 1 the responder; a
 * direction flip swaps them (and orig_is_a), so the rest of the code never asks "who began".
 * It leaves hashing and lifetimes to flow_table.c and the TCP rules to tcp_state.c. */
#ifndef FW_FLOW_H
#define FW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* The key sorts the two endpoints so that both directions find one entry (STYLE 4). One-way
 * ICMP messages keep their direction instead, as Zeek keys them (one_way = 1). The struct is
 * always zeroed before it is filled, so hashing and memcmp see no stray padding bytes. */
struct flow_key {
    struct fw_addr a, b; /* a: the lower (address, port) pair, unless one_way */
    uint16_t pa, pb;     /* ports; ICMP: type and counterpart type or code */
    uint8_t proto;       /* IP protocol number */
    uint8_t one_way;
};

/* Zeek's TCP endpoint states (TCP_Endpoint.h), in its order: conn_state() is written on them. */
enum tcp_ep_state {
    TCP_EP_INACTIVE,
    TCP_EP_SYN_SENT,
    TCP_EP_SYN_ACK_SENT,
    TCP_EP_PARTIAL,
    TCP_EP_ESTABLISHED,
    TCP_EP_CLOSED,
    TCP_EP_RESET,
};

/* A history letter counted on a log scale (Zeek's C, G, T, W): written at the 1st, 10th,
 * 100th... occurrence. level is the power of ten of the next threshold. */
struct hist_scale {
    uint32_t count;
    uint8_t level;
};

/* One TCP endpoint, as Zeek keeps it. Sequence numbers are unwrapped to 64 bits around a base
 * of 2^32, so sizes and relative numbers survive wrap-around without wrap counters. */
struct tcp_ep {
    uint8_t state, prev_state;
    bool did_close;
    uint8_t fin_cnt;           /* saturates at 255: only "any" matters */
    uint32_t start_seq32;      /* for the 5-tuple reuse test */
    uint64_t start_seq, last_seq, ack_seq;
    int64_t hist_last_syn, hist_last_fin, hist_last_rst;
    struct hist_scale rxmit, cksum, zero_win;
};

struct tcp_conn {
    struct tcp_ep ep[2];
};

/* What one side sent; the TTLs feed firewall verdicts (a RST unlike its host's own packets). */
struct flow_side {
    uint64_t pkts, ip_bytes;
    uint64_t payload_bytes; /* UDP/other: payload per the headers (Zeek's orig/resp_bytes) */
    uint8_t ttl_first, ttl_min, ttl_max;
    bool active;            /* sent a counted packet (Zeek's UDP_ACTIVE) */
    /* Ethernet: the source MAC of its first packet that was no RST (a RST may be forged), and
     * whether later ones came from another MAC (the capture spans a router). */
    bool has_mac, mac_mixed;
    uint8_t mac[6];
};

enum flow_kind { FLOW_TCP, FLOW_UDP, FLOW_ICMP, FLOW_OTHER, FLOW_KIND_COUNT };

#define FLOW_HIST_MAX 40
#define FLOW_NIL 0u /* list links are pool index + 1; 0 ends a list */

struct flow {
    struct flow_key key;
    uint8_t kind;            /* enum flow_kind */
    bool orig_is_a;          /* the originator is key.a (else key.b) */
    uint8_t dl_list;         /* which deadline queue holds it (flow_table.c) */
    bool closed;             /* Zeek's close_complete: only the close deadline remains */
    bool previewed;          /* live: the verdict preview has judged it (verdict_preview.c) */
    bool quiet_silent;       /* unanswered, and a request of it met a router that had sent its
                              * requester no ICMP error for a second and sent none then: no
                              * rate limit held its error back (flow_recall.c) */
    uint32_t id;             /* its own pool index + 1 */
    uint32_t hnext;          /* hash chain */
    uint32_t lru_prev, lru_next, dl_prev, dl_next, ord_prev, ord_next;
    uint64_t seq;            /* creation number: order of output at the end, and the uid */
    uint64_t first_us, last_us, deadline_us;
    uint64_t first_frame, last_frame;
    int vantage;
    /* Unanswered so far: the first request that met a quiet router as it was sent (ms after
     * first_us, + 1; 0: none), checked again when the flow ends (flow_recall.c). */
    uint32_t quiet_first_ms;
    struct flow_side side[2];
    struct tcp_conn tcp;
    uint32_t hist_seen;      /* Zeek's hist_seen bits: orig in the low half, resp high */
    uint8_t hist_len;
    char hist[FLOW_HIST_MAX];

    /* Evidence for verdicts, cheap to keep: counters and the first interesting packets. */
    uint16_t orig_syns;         /* SYNs (without ACK) from the originator */
    uint16_t orig_syn_rexmits;  /* ...of which repeated the same sequence number */
    bool synack_seen;           /* the responder answered with SYN-ACK */
    bool resp_rst;              /* the responder sent a RST */
    uint8_t resp_rst_ttl;
    uint16_t resp_rst_ip_id;
    uint64_t resp_rst_frame;
    bool resp_rst_has_mac;      /* Ethernet: the RST's source MAC (who put it on the link) */
    uint8_t resp_rst_mac[6];
    uint16_t icmp_errors;       /* ICMP errors that quoted this flow */
    uint8_t icmp_err_type, icmp_err_code;
    struct fw_addr icmp_err_from;
    uint64_t icmp_err_frame;
    bool pmtu_icmp;             /* an ICMP "fragmentation needed" / "packet too big" quoted it */
    bool acked_unseen;          /* the originator went on past its SYN (ACK set, sequence past
                                 * the ISN) though the capture holds no answer: one came unseen */
    bool path_reset;            /* once connected, a RST in one side's name whose TTL fits none
                                 * of that side's own packets before it: made on the way */
    uint8_t path_reset_ttl;
    /* The idle silence's (idle_gap_ms): which side ended it (0 the originator) and whether the
     * other answered after; resumed: this flow continues a connection that ended idle
     * (flow_recall.c), opened by key.a when resumed_orig_is_a. In the hole before
     * path_reset_frame. */
    uint8_t idle_resumer;
    bool idle_answered, resumed, resumed_orig_is_a;
    uint64_t path_reset_frame;
    uint32_t icmp_err_after_us; /* the first ICMP error came so long after the flow's first
                                 * packet (saturates): a router that gave up resolving the
                                 * host's link address answers seconds late, a reject rule at
                                 * once (in the padding before resp_first_us: no bigger) */
    uint32_t quiet_last_ms;     /* ...and the last one (see quiet_first_ms) */
    uint64_t resp_first_us;     /* the responder's first packet */

    /* Evidence for the look-alikes and stalls (tcp_state.c, flow_track.c): counters that
     * saturate, so a long flow costs nothing more. */
    uint16_t orig_probes;       /* scanner probes from the originator: SYN with FIN or RST,
                                 * or no SYN and no ACK (null, FIN, Xmas) */
    bool orig_acked;            /* the originator acknowledged the SYN-ACK */
    bool synack_after_ack;      /* ...and the responder repeated its SYN-ACK all the same */
    bool resp_bare_ack;         /* the responder answered the SYN with a bare ACK */
    uint16_t synack_rexmits;    /* SYN-ACKs repeated */
    uint16_t data_rexmits[2];   /* per side: data sent again after the handshake */
    uint16_t rexmit_acked[2];   /* ...of which the peer had acknowledged already */
    uint16_t min_rexmit_len[2]; /* the smallest payload sent again */
    uint16_t max_acked_len[2];  /* the largest payload the peer acknowledged */
    uint16_t last_len[2];       /* the last new segment's payload and where it ends */
    uint32_t last_end32[2];
    /* TCP, once both sides have spoken: the longest silence of the connection in ms (no packet
     * either way, all data acknowledged, FLOW_IDLE_MIN_US at least; saturates at 49 days),
     * which side ended it (idle_resumer, below), and whether the other side sent anything
     * after. A stall that follows it, never answered, is a firewall that forgot the idle
     * connection (diagnose/explain_idle_timeout.c). In a hole of the layout: no bigger. */
    uint32_t idle_gap_ms;
    uint16_t first_req_len;     /* UDP: the first request's payload */
    bool stray_answer;          /* UDP: this flow is another address's answer to a request */
    struct fw_addr other_answer; /* UDP: ...and this request's answer came from there */
    uint16_t retries_after_answer; /* UDP: the same request again after an answer */
};

/* The shortest silence taken for an idle connection: far beyond any retransmission or
 * delayed-ACK timer, short enough for a lab's firewall with a timeout of seconds. */
#define FLOW_IDLE_MIN_US (10ull * 1000000u)

/* The originator's address (who sent the first SYN, request, ...). */
static inline const struct fw_addr *flow_orig_addr(const struct flow *f)
{
    return f->orig_is_a ? &f->key.a : &f->key.b;
}

/* A silence in ms, for idle_gap_ms (saturates at 49 days). */
static inline uint32_t flow_idle_ms(uint64_t us)
{
    return us / 1000u > UINT32_MAX ? UINT32_MAX : (uint32_t)(us / 1000u);
}

/* TCP: side s's last new data is not yet acknowledged by its peer. */
static inline bool flow_data_unacked(const struct flow *f, int s)
{
    return f->last_len[s] > 0 &&
           (int32_t)((uint32_t)f->tcp.ep[s].ack_seq - f->last_end32[s]) < 0;
}

/* History helpers (flow_track.c): Zeek's Connection::CheckHistory/AddHistory. bit is the
 * originator's bit; the responder's is bit << 16 and its letter is lower case. */
void flow_hist_add(struct flow *f, char code);
bool flow_hist_once(struct flow *f, uint32_t bit, bool is_orig, char code);
void flow_hist_scaled(struct flow *f, struct hist_scale *s, bool is_orig, char code);
/* Swaps originator and responder; appends '^' as Zeek's FlipRoles does. */
void flow_flip(struct flow *f);

#endif
