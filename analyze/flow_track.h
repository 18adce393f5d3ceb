/* analyze/flow_track.h: decoded packets to connections. Builds the flow key, picks the
 * originator (Zeek's rules, with one fixed set of likely server ports), finds or creates the
 * flow, hands TCP segments to tcp_state.c, keeps UDP, ICMP and other protocols itself, ties
 * ICMP errors to the flow they quote, and writes each ended flow out as a conn_record.
 * Decoding, the clock and the table's mechanics are left to analyzer.c and flow_table.c. */
#ifndef FW_FLOW_TRACK_H
#define FW_FLOW_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "decode.h"
#include "flow_table.h"

struct udp_answers;

struct flow_tracker {
    struct flow_table *table;
    const struct fw_config *cfg;   /* borrowed from the analyzer */
    struct analyzer_stats *stats;  /* borrowed: the tracker adds to its counters */
    conn_sink_fn sink;
    void *sink_ctx;
    /* Verdict hook: sees every ended flow after the sink, before it is recycled.
     * NULL: none. Set by analyzer.c. */
    void (*observe)(void *ctx, const struct flow *f, enum conn_end why);
    void *observe_ctx;
    /* TCP 135 payloads go to the learned RPC ports (rpc_ports.h). NULL: none. Set
     * by analyzer.c. */
    struct rpc_ports *rpc;
    struct udp_answers *udp;       /* recent UDP requests (udp_answers.h); NULL: none */
    /* TCP connections that ended idle (inactivity) while established with all their data
     * acknowledged, by hash of their key: a segment of one of them later, without a SYN,
     * resumes it after that silence (a firewall's idle timeout may have forgotten it). A
     * slot is overwritten by the next connection that hashes to it: a hint, bounded. */
    /* When the requests that routers answered with an ICMP error (not the quoted host's own)
     * were sent, the last 64 per requester, in one of 4 slots by a hash of its address: whether
     * a router's rate limit can have held back an error (flow_recall.c router_quiet). A full
     * set of slots gives up the one whose newest error is oldest. */
    struct err_log {
        struct fw_addr to;
        uint64_t at[64];
        uint32_t n; /* errors logged: the newest is at[(n - 1) % 64] */
    } *errs;
    bool errs_lost; /* a requester's log was taken for another's: absent is not quiet */
    struct idle_end {
        struct flow_key key;
        uint64_t last_us;
        bool used, orig_is_a;
    } *idle;
    /* A flow met its first answer (a packet from the responder, an ICMP error) since the
     * analyzer last cleared it: live, its verdict may show before the flow ends. */
    bool answered;
};

/* 0 or FW_ENOMEM. cfg and stats must outlive the tracker. */
int flow_track_init(struct flow_tracker *t, const struct fw_config *cfg,
                    struct analyzer_stats *stats, conn_sink_fn sink, void *sink_ctx);
void flow_track_fini(struct flow_tracker *t);

/* One decoded IP packet (p->status PKT_OK, or a TCP header cut short) at time now_us. */
void flow_track_packet(struct flow_tracker *t, const struct pkt *p, uint64_t now_us,
                       uint64_t frame, int vantage);

/* Zeek's likely server ports (one fixed set: what its default, full configuration loads). */
bool flow_track_is_server_port(uint8_t proto, uint16_t port);

/* For the table: the flow's conn_record, as it would be written if it ended now. */
void flow_track_record(const struct flow *f, enum conn_end why, struct conn_record *r);

#endif
