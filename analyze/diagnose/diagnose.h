/* analyze/diagnose/diagnose.h: the diagnosis stage. For each cell (one (from, to, proto, port)
 * and all its attempts) the evidence is gathered once (evidence.c); every explanation in the
 * table (explanations.c) looks at it and proposes itself for the attempts it accounts for,
 * with the verdict it stands for; one decision (decide.c) weighs the proposals and sets the
 * verdict, confidence, who answered, the evidence lines and the advice. A new cause is one
 * explain_*.c file and one row in explanations.c. Collecting the cells is verdict.c's, ordering
 * and handing the items to ui/ is verdict_settle.c's. Pure C: no I/O, no clock. */
#ifndef FW_DIAGNOSE_H
#define FW_DIAGNOSE_H

#include "../verdict_int.h"

/* Everything known about one cell when it settles. */
struct evidence {
    const struct verdict_cell *cell;
    const struct verdict_counts *n;     /* the cell's counts */
    const struct verdict_capture_point *cp;
    const struct verdict_host *to_host; /* NULL: nothing seen from the host */
    uint32_t to_rtt_us;                 /* the slowest answer the host gave; 0: none seen */
    const struct verdict_host *to_refusals; /* the host's own refusals; NULL: none kept */
    bool at_from, at_to;                /* the capture was taken on the requester / on the host */
    bool rst_forged;                    /* RSTs whose TTL does not fit the host's */
    bool rst_compared;                  /* there was something to compare with */
    bool combined;                      /* two correlated captures: nothing is inferred */
    bool rpc_dynamic;                   /* a dynamic RPC port (learned or in range) */
    bool mapper_open;                   /* TCP 135 answered for the same pair */
    const struct verdict_attempt *first[VO_COUNT]; /* the cell's, from the pool; NULL: not met */
    uint64_t capture_drops;             /* packets the capture lost (kernel, interface) */
    const struct path_clues *clues[2];  /* per capture (vantage): ARP/NDP, ICMP senders */
    struct verdict_arena *text;         /* where the item's strings go */
};

/* What one explanation proposes: the attempts it accounts for (by outcome) and the verdict
 * they stand for. */
struct finding {
    enum verdict_kind kind;
    uint32_t claimed[VO_COUNT];
    uint32_t total;                     /* the sum of claimed */
    enum verdict_outcome rep;           /* the first outcome claimed: its attempt is shown */
    enum verdict_conf confidence;
    struct fw_addr answered_by;         /* family 0: nobody known */
    enum verdict_basis basis;           /* how answered_by (or the refusing device) was found */
    int8_t routers;                     /* between that device and the capture point; -1 */
    bool from_requester;                /* two captures: routers counted from the requester */
    bool inferred;                      /* read from one capture where two would see it */
    enum verdict_lookalike lookalike;   /* what it is instead of a firewall, if anything */
    bool tentative;                     /* decides only a cell that nothing else explains
                                         * (INCONCLUSIVE: probes, a capture ended too soon) */
};

/* One explanation. propose() looks at the evidence and at the attempts no earlier row has
 * claimed (avail, by outcome); it fills out and returns true when it accounts for some. When
 * its finding decides the verdict, words() adds its own evidence lines (after the attempts')
 * and advice() writes the advice (buf, len). Both may be NULL. */
struct explanation {
    const char *name;
    bool (*propose)(const struct evidence *e, const uint32_t avail[VO_COUNT],
                    struct finding *out);
    void (*words)(const struct evidence *e, const struct finding *f, struct verdict_item *it);
    void (*advice)(const struct evidence *e, const struct finding *f,
                   const struct verdict_item *it, char *buf, size_t len);
};

/* The table, in the order the rows claim attempts; among failures that account for as many
 * attempts, the earlier row wins (a refusal names a culprit, silence does not). */
extern const struct explanation *const DIAGNOSE_EXPLANATIONS[];
extern const size_t DIAGNOSE_NEXPLANATIONS;

/* evidence.c: the evidence of cell x in collector c. */
void evidence_of(const struct verdict_collector *c, const struct verdict_cell *x,
                 struct evidence *e);

/* decide.c: the cell's verdict into it; with words, its evidence lines and advice too (the
 * decision is the same either way: words only adds the text). */
void diagnose_cell(struct verdict_item *it, const struct evidence *e, bool words);

/* capture_point.c: c->cp, from --local or inferred, with its words. */
void diagnose_capture_point(struct verdict_collector *c);
/* Once diagnose_cell decided it: on which side of the capture point a blocked cell failed
 * (it->where; where.c). */
void diagnose_where(struct verdict_item *it, const struct evidence *e);

/* attribute.c: who sent a refusal on the way (a RST the host did not send, an ICMP error
 * from another address), as far as this capture tells, and on what basis. */
struct attribution {
    struct fw_addr by;                  /* family 0: not named */
    enum verdict_basis basis;
    int8_t routers;                     /* between it and the capture point; -1: not known */
    struct fw_addr near;                /* two captures: the requester, whose capture tells it;
                                         * family 0: the capture point */
    bool has_mac;                       /* a forged RST's Ethernet source, when adjacent */
    uint8_t mac[6];
};
void diag_attribute(const struct evidence *e, const struct verdict_attempt *a,
                    struct attribution *out);
/* The device in words: "the gateway 198.51.100.1, adjacent to the capture point", "a device
 * 1 router(s) from the capture point, probably 192.0.2.2", ... */
const char *diag_device_text(const struct attribution *at, char *buf, size_t len);
/* The host's own packets came from one MAC at full TTL and this RST from another: the host is
 * on the capture's link and did not send it. */
bool diag_rst_other_mac(const struct evidence *e, const struct verdict_attempt *rst);

/* evidence.c: on a capture spanning a router that saw the host's packets cross it, the RST's
 * request never left the router: the host never got it, so the RST in its name was made on
 * the way (a reject rule on that router), whatever its TTL. e->to_host must be set. */
bool diag_rst_request_stopped(const struct evidence *e);

/* evidence.c: a routing code (net or host unreachable, no route, address unreachable) that came
 * as late as a router gives up resolving the host's link address (ARP, NDP), from a router
 * that never refused a request to that host at once: the host was down or gone from its link
 * then, whatever it answered before (verdict_routing_code_late). */
bool diag_routing_code_host_down(const struct evidence *e, const struct verdict_attempt *a);
/* The host answered a request in this capture, or refused one itself: it was up then. */
bool diag_host_answered(const struct evidence *e);

/* untested.c: the words of an UNTESTED item. */
void diagnose_untested(struct verdict_arena *ar, struct verdict_item *it,
                       const struct verdict_capture_point *cp);

/* A finding for the outcomes of avail that keep(o) picks; false if none is there. */
bool finding_claim(const struct evidence *e, const uint32_t avail[VO_COUNT],
                   enum verdict_kind kind, bool (*keep)(const struct evidence *e,
                                                        enum verdict_outcome o),
                   struct finding *out);

/* decide.c: silence, as two explanations read it (a rate limit, a full backlog): an attempt
 * left unanswered (one capture) or arrived and unanswered (two), and the first one's time (the
 * cell must hold one). */
bool diag_is_silent(const struct evidence *e, enum verdict_outcome o);
uint64_t diag_first_silent_us(const struct evidence *e);

/* evidence_text.c: the words every explanation shares. */
const char *diag_what(const struct verdict_item *it, char *buf, size_t len); /* "TCP 6320" */
const char *diag_clock(uint64_t us, char *buf, size_t len); /* "14:03:07.123456" UTC */
const char *diag_icmp_text(uint8_t family, uint8_t type, uint8_t code);
/* What a TTL says of the sender's distance: "1 router away", "sent with no router between". */
const char *diag_routers_text(uint8_t ttl, char *buf, size_t len);
void diag_counts_line(const struct evidence *e, struct verdict_item *it);
void diag_attempt_line(const struct evidence *e, struct verdict_item *it,
                       enum verdict_outcome o);
enum verdict_conf diag_lower(enum verdict_conf c);

#define DIAG_ECHO_ADVICE                                                                       \
    "; the failover monitor needs ICMP echo between source and target, or must be set to "     \
    "monitor the service instead"

#endif
