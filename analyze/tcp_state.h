/* analyze/tcp_state.h: what one TCP segment does to a connection, the way Zeek's TCP
 * analyzer sees it: endpoint states, sizes by sequence numbers, history letters, the close
 * and attempt clocks it asks for, and conn_state at the end. Finding the flow, the first
 * packet's direction and the clocks themselves are left to flow_track.c and flow_table.c. */
#ifndef FW_TCP_STATE_H
#define FW_TCP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "decode.h"
#include "flow.h"

struct tcp_result {
    bool counted;        /* the segment was analysed: count it for its side */
    bool is_orig;        /* its side, after any flip the segment caused */
    bool arm_attempt;    /* the originator just sent its opening SYN: start the 5 s clock */
    bool close_complete; /* Zeek's close_complete: the flow ends 5 s after its last packet */
};

/* Zeek's IsReuse: a SYN (or, for half-seen connections, a SYN-ACK) that starts a new
 * connection on this 5-tuple after a close or reset, or with another initial sequence. */
bool tcp_is_reuse(const struct flow *f, const struct pkt *p);

/* Feeds one segment from side is_orig at now_us (before the flow counts it: f->last_us is the
 * packet before). bad_cksum: the TCP checksum was verified and wrong (history C/c, nothing
 * else changes). */
void tcp_state_packet(struct flow *f, bool is_orig, const struct pkt *p, bool bad_cksum,
                      uint64_t now_us, struct tcp_result *out);

/* Zeek's conn_state() for a TCP flow, and its orig/resp sizes (payload by sequence). */
enum conn_state tcp_conn_state(const struct flow *f);
uint64_t tcp_ep_size(const struct tcp_ep *e, const struct tcp_ep *peer);

#endif
