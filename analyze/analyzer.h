/* analyze/analyzer.h: the analysis engine's front door. Frames in (from any source, live or
 * offline, through the same calls), finished connections out through a sink, and counters.
 * Time is an argument, never read from a clock here: offline it is the frames' timestamps,
 * so a file gives the same results on every run. */
#ifndef FW_ANALYZER_H
#define FW_ANALYZER_H

#include <stdbool.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "conn.h"
#include "decode.h"
#include "verdict.h"

struct fw_config {
    bool verify_checksums;       /* Zeek's default; fwsight's is off (see README: offload) */
    uint32_t max_flows;          /* cap on live flows; beyond it the oldest idle is evicted */
    uint64_t tcp_timeout_us;     /* inactivity, established TCP (Zeek: 5 min) */
    uint64_t udp_timeout_us;     /* inactivity, UDP (Zeek: 1 min) */
    uint64_t icmp_timeout_us;    /* inactivity, ICMP (Zeek: 1 min) */
    uint64_t other_timeout_us;   /* inactivity, other IP protocols (Zeek: 1 min) */
    uint64_t attempt_timeout_us; /* unanswered SYN (Zeek: 5 s) */
    struct verdict_config verdict; /* --local, --source/--target, the profile's ports */
    /* The flow table's SipHash key: the caller's, used as given (zero by default). The
     * application draws a random one (app/hash_key.c), so that no capture can be crafted to
     * pile its flows into one hash chain; tests fix it. */
    uint64_t flow_hash_key[2];
};
void fw_config_defaults(struct fw_config *cfg);

typedef void (*conn_sink_fn)(void *ctx, const struct conn_record *r);

struct analyzer_stats {
    uint64_t frames;                        /* frames fed */
    uint64_t wire_bytes;                    /* sum of wirelen */
    uint64_t by_status[PKT_STATUS_COUNT];   /* decode outcomes */
    int last_unsupported_linktype;          /* for the message, -1 if none */
    uint64_t bad_ip_cksum, bad_l4_cksum;    /* only when verifying */
    uint64_t offloaded_l4_cksum; /* verifying: left to the sender's card (CKSUM_PARTIAL),
                                    analysed as good: its own outgoing packets */
    uint64_t icmp_errors;                   /* ICMP/ICMPv6 errors seen */
    uint64_t icmp_errors_matched;           /* ...whose quote named a tracked flow */
    uint64_t flows_total;                   /* connections created */
    uint64_t flows_live, flows_peak;        /* in the table now, and at most */
    uint64_t flows_evicted;                 /* pushed out by the cap: cut short */
    uint64_t ts_backwards;                  /* frames out of order: older than the one
                                             * before, or alone far ahead (handled at the
                                             * clock: see analyzer_feed) */
    uint64_t first_ts_us, last_ts_us;       /* capture time span (0 if no frame), without
                                             * a lone stamp far ahead (a glitch) */
    /* DCE/RPC on TCP 135 (the endpoint mapper): PDUs read, those not trusted, ports learned;
     * what went unparsed: live connections pushed out by the parser's cap (rpc_ports.h), and
     * segments for which the parser's memory could not be allocated. */
    uint64_t rpc_pdus, rpc_truncated, rpc_malformed, rpc_incomplete, rpc_ports_learned;
    uint64_t rpc_conns_evicted, rpc_alloc_failed;
};

/* Returns NULL on allocation failure. sink is called once per finished connection, during
 * analyzer_feed, analyzer_advance or analyzer_finish; the record is valid only during the
 * call. */
struct analyzer *analyzer_new(const struct fw_config *cfg, conn_sink_fn sink, void *sink_ctx);
void analyzer_free(struct analyzer *a);

/* Decodes and tracks one frame; expires what the frame's time has expired first. A frame
 * stamped more than an hour ahead of the clock waits (copied) for the next feed, advance or
 * finish: if that confirms the jump it is handled at its own time, else (a damaged stamp) at
 * the clock, counted in ts_backwards. Frames are handled in the order fed either way. */
void analyzer_feed(struct analyzer *a, const struct frame *f);
/* Expires flows whose timeouts have passed at now_us (live sources call it on a timer, with
 * wall time: a frame waiting as above was real if now_us is within the hour of its stamp).
 * True when the verdicts were settled again (they may have changed): at most once per 200 ms
 * of now_us; a settle held back is due at analyzer_next_due_us(). */
bool analyzer_advance(struct analyzer *a, uint64_t now_us);
/* Live: the advance time from which an advance would judge the open connections that met
 * their first answer since the last look (at most 5 looks a second), or UINT64_MAX when none
 * did: a timer set to it shows such a verdict without waiting for anything else. */
uint64_t analyzer_preview_due_us(const struct analyzer *a);
/* Live: the advance time from which an advance could change a verdict: the next look, the
 * next end of a flow (an unanswered attempt's 5 s, a timeout), or a settle held back (at
 * most 5 a second), whichever comes first; UINT64_MAX: none. A timer set to it shows a
 * silence's verdict when its time comes. */
uint64_t analyzer_next_due_us(const struct analyzer *a);
/* End of input: a frame still waiting is handled at the clock (nothing confirmed it), then
 * every live flow is written out (CONN_END_INPUT). */
void analyzer_finish(struct analyzer *a);

/* Packets the capture itself lost so far (pcap_stats' drops, a pcapng's isb_ifdrop): the
 * verdicts they could hide lose confidence from the next settle (advance or finish) on. */
void analyzer_set_capture_drops(struct analyzer *a, uint64_t drops);

const struct analyzer_stats *analyzer_stats(const struct analyzer *a);

/* The analyzer's clock: the latest frame stamp or advance time, whichever is later (0 before
 * either). It never goes back; a connection handed to the sink ended by then. */
uint64_t analyzer_now_us(const struct analyzer *a);

/* The firewall verdicts (verdict.h), settled at analyzer_finish and analyzer_advance: iterate
 * with verdict_count()/verdict_at(), capture point with verdict_capture_point(). Valid until
 * the next feed, advance or finish. NULL only if the analyzer is NULL. */
const struct verdict_collector *analyzer_verdicts(const struct analyzer *a);

/* What the capture told of the devices beside and along the path (ARP/NDP, ICMP error
 * senders: path_clues.h), for attributing two captures' combined verdicts. Valid like the
 * verdicts. NULL only if the analyzer is NULL. */
struct path_clues;
const struct path_clues *analyzer_path_clues(const struct analyzer *a);

/* The dynamic RPC ports learned from the endpoint mapper, and the DCE/RPC parser's
 * counters (rpc_ports.h). Valid like the verdicts. NULL only if the analyzer is NULL. */
struct rpc_ports;
const struct rpc_ports *analyzer_rpc_ports(const struct analyzer *a);

#endif
