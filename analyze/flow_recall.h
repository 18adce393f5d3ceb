/* analyze/flow_recall.h: what the flow tracker remembers past a flow's end (flow_recall.c):
 * connections that ended idle, and when routers answered each requester with an ICMP error. */
#ifndef FW_FLOW_RECALL_H
#define FW_FLOW_RECALL_H

#include <stdbool.h>
#include <stdint.h>

#include "flow_track.h"

/* Both tables, empty; 0 or FW_ENOMEM. fini frees them (also after a failed init). */
int flow_recall_init(struct flow_tracker *t);
void flow_recall_fini(struct flow_tracker *t);
/* f ends (before the verdict collector sees it): kept if it ended idle while established, and
 * marked quiet_silent if unanswered where no router's limit explains the silence. */
void flow_recall_end(struct flow_tracker *t, struct flow *f, enum conn_end why);
/* f, just created by a TCP segment without SYN: resumes a connection that ended idle. */
void flow_recall_resume(struct flow_tracker *t, struct flow *f, bool is_orig, uint64_t now_us);
/* A request of f (a SYN, a datagram, an echo request) sent now, before any answer. */
void flow_recall_request(struct flow_tracker *t, struct flow *f, uint64_t now_us);
/* p, an ICMP error from a router (not the quoted destination) about the request sent at
 * req_us. */
void flow_recall_router_error(struct flow_tracker *t, const struct pkt *p, uint64_t req_us);

#endif
