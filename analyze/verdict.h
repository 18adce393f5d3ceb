/* analyze/verdict.h: firewall verdicts. Every ended flow that holds an attempt (a TCP SYN, a
 * UDP request, an ICMP echo request) is classified by a pure function of the flow
 * (verdict_attempt_of); the collector aggregates attempts into cells, one per (from, to,
 * proto, port), keeps per-host TTL observations, and settles the cells into verdicts with
 * their evidence and one line of advice: OPEN, CLOSED, DROPPED, REPLY-DROPPED, REJECTED,
 * PARTIAL, and UNTESTED for the profile's ports that no attempt tested. It also infers the
 * capture point (the host the capture was taken on) and says what one capture can and cannot
 * tell. Correlating two captures is correlate.c's: it feeds the combined attempts back in
 * through verdict_collector_add() (the VO_* outcomes marked "two captures").
 * Pure C, no I/O: time comes from the flows. Reading the flows is left to flow_track.c. */
#ifndef FW_VERDICT_H
#define FW_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct flow;
struct rpc_ports;
struct path_clues;

/* The verdict kinds, one row each: the text every output prints, whether it is a block (exit
 * status 1, listed under "Blocked"), its severity (0 first: the order the view sorts by), and
 * its tone (how a view colours it). Expanded into the enum and into the one table that
 * verdict_name(), verdict_kind_blocking(), verdict_kind_severity() and verdict_kind_tone() read
 * (diagnose/verdict_kinds.c): a new kind is one row here, and no switch elsewhere. */
enum verdict_tone { VERDICT_TONE_GOOD, VERDICT_TONE_WARN, VERDICT_TONE_BAD, VERDICT_TONE_DIM };
#define FW_VERDICTS(X)                                                     \
    X(VERDICT_OPEN,          "OPEN",          false, 8, VERDICT_TONE_GOOD) \
    X(VERDICT_CLOSED,        "CLOSED",        false, 6, VERDICT_TONE_WARN) \
    X(VERDICT_DROPPED,       "DROPPED",       true,  1, VERDICT_TONE_BAD)  \
    X(VERDICT_REPLY_DROPPED, "REPLY-DROPPED", true,  2, VERDICT_TONE_BAD)  \
    X(VERDICT_REJECTED,      "REJECTED",      true,  0, VERDICT_TONE_BAD)  \
    X(VERDICT_PARTIAL,       "PARTIAL",       true,  4, VERDICT_TONE_BAD)  \
    X(VERDICT_STALLED,       "STALLED",       true,  3, VERDICT_TONE_BAD)  \
    X(VERDICT_UNREACHABLE,   "UNREACHABLE",   true,  5, VERDICT_TONE_BAD)  \
    X(VERDICT_INCONCLUSIVE,  "INCONCLUSIVE",  false, 7, VERDICT_TONE_WARN) \
    X(VERDICT_UNTESTED,      "UNTESTED",      false, 9, VERDICT_TONE_DIM)
#define VERDICT_ENUM(name, text, blocking, severity, tone) name,
enum verdict_kind { FW_VERDICTS(VERDICT_ENUM) VERDICT_KIND_COUNT };
#undef VERDICT_ENUM
const char *verdict_name(enum verdict_kind k);
bool verdict_kind_blocking(enum verdict_kind k); /* a firewall blocks: exit status 1 */
int verdict_kind_severity(enum verdict_kind k);  /* 0: the most severe */
enum verdict_tone verdict_kind_tone(enum verdict_kind k);

/* What looks like a block at first sight and is not a firewall's doing (PRODUCT.md, "Look-
 * alikes"): the name JSON prints, or null for none. */
#define FW_LOOKALIKES(X)                                           \
    X(LOOKALIKE_NONE,           NULL)                              \
    X(LOOKALIKE_BACKLOG,        "listen-backlog-overflow")         \
    X(LOOKALIKE_ICMP_RATE,      "icmp-rate-limit")                 \
    X(LOOKALIKE_RST_RATE,       "rst-rate-limit")                  \
    X(LOOKALIKE_TIME_WAIT,      "time-wait-reuse")                 \
    X(LOOKALIKE_OTHER_ADDR,     "reply-from-other-address")        \
    X(LOOKALIKE_CKSUM_OFFLOAD,  "checksum-offload")                \
    X(LOOKALIKE_CAPTURE_DROPS,  "capture-drops")                   \
    X(LOOKALIKE_NOT_ATTEMPT,    "not-an-attempt")                  \
    X(LOOKALIKE_CAPTURE_ENDED,  "capture-ended")                   \
    X(LOOKALIKE_ONE_WAY,        "capture-one-way")
#define LOOKALIKE_ENUM(name, text) name,
enum verdict_lookalike { FW_LOOKALIKES(LOOKALIKE_ENUM) LOOKALIKE_COUNT };
#undef LOOKALIKE_ENUM
const char *verdict_lookalike_name(enum verdict_lookalike l); /* NULL for LOOKALIKE_NONE */
/* The verdict blocks (exit status 1, listed as blocked): its kind is a block and no look-alike
 * explains it away (capture drops only lower the confidence of a block). */
struct verdict_item;
bool verdict_item_blocking(const struct verdict_item *it);

enum verdict_conf { VERDICT_CONF_HIGH, VERDICT_CONF_MEDIUM, VERDICT_CONF_LOW };
const char *verdict_conf_name(enum verdict_conf c); /* "high", "medium", "low" */

/* What one attempt met. RSTs are told apart (host or forged) only when the cells settle,
 * because that needs the host's packets from the whole capture. */
#define VERDICT_OUTCOMES(X)                                           \
    X(VO_ANSWERED,   "answered")                                      \
    X(VO_RST,        "reset")                                         \
    X(VO_ICMP_PORT,  "ICMP port unreachable")                         \
    X(VO_ICMP_PROHIB, "ICMP prohibited")                              \
    X(VO_ICMP_OTHER, "other ICMP error")                              \
    X(VO_NO_ANSWER,  "no answer")                                     \
    X(VO_REPLY_LOST, "answered, answer not acknowledged")                 \
    X(VO_NEVER_ARRIVED, "never arrived (two captures)")                   \
    X(VO_SILENT_AFTER_ARRIVAL, "arrived, no answer (two captures)")       \
    X(VO_ANSWER_LOST, "answered, answer never got back (two captures)")   \
    X(VO_REFUSAL_LOST, "refused by the host, refusal never got back (two captures)") \
    X(VO_RST_FORGED, "reset the host never sent (two captures)")          \
    X(VO_ICMP_UNREACH, "ICMP net or host unreachable (routing)")          \
    X(VO_STALLED,    "connected, then data unanswered")                   \
    X(VO_STALE_ACK,  "answered with the ACK of an earlier connection")    \
    X(VO_OTHER_ADDR, "answered from another address")                     \
    X(VO_REPEATED,   "answered, then asked again")                        \
    X(VO_NOT_ATTEMPT, "a probe, no connection attempt")                   \
    X(VO_ANSWER_UNSEEN, "answered out of the capture's sight")                 \
    X(VO_RESET_ON_PATH, "connected, then reset on the way")
#define VERDICT_ENUM(name, text) name,
enum verdict_outcome { VERDICT_OUTCOMES(VERDICT_ENUM) VO_COUNT };
#undef VERDICT_ENUM
const char *verdict_outcome_name(enum verdict_outcome o);

#define VERDICT_PROTO_ECHO 1 /* the cell's proto for ICMP and ICMPv6 echo; port is 0 */

/* One attempt, as verdict_attempt_of() reads it from one flow. */
struct verdict_attempt {
    struct fw_addr from, to;
    uint8_t proto;              /* 6, 17 or VERDICT_PROTO_ECHO */
    uint16_t port;
    enum verdict_outcome outcome;
    uint64_t first_us;          /* the request */
    uint64_t last_us;           /* the flow's last packet (a SYN sent again, an error) */
    uint64_t req_frame, ans_frame; /* ans_frame: the answer, RST or ICMP error; 0 if none */
    uint32_t requests;          /* SYNs, UDP datagrams, echo requests */
    uint32_t retransmits;       /* TCP: repeated SYNs */
    uint16_t icmp_errors;       /* ICMP errors that quoted the flow's requests */
    uint32_t answers;           /* packets from the far side (echo replies, UDP answers) */
    uint8_t req_ttl;            /* TTL of the requester's packets, as captured */
    uint8_t req_ttl_min;        /* the lowest of them: below req_ttl when a capture spanning a
                                 * router saw them again on its far side */
    uint8_t ans_ttl;            /* TTL of the RST (or first answer) */
    uint16_t ans_ip_id;
    bool ans_has_mac;           /* the RST's Ethernet source MAC (who put it on the link) */
    uint8_t ans_mac[6];
    bool rst_forged;            /* kept attempts, once settled: the RST's own capture judged it
                                 * not the host's (TTL or MAC); correlate.c keeps that */
    bool forged_by_near;        /* VO_RST_FORGED on that judgement alone: the far capture proved
                                 * nothing either way */
    bool host_unseen;           /* kept attempts, once settled: their capture holds no packet of
                                 * the host, though it answered TCP out of its sight (a capture
                                 * of one direction: explain_one_way.c); correlate.c reads it */
    uint8_t icmp_type, icmp_code;
    struct fw_addr icmp_from;
    uint32_t icmp_after_us;     /* the ICMP error came so long after the first request */
    /* Two captures only: which capture req_frame is from (0 or 1), and the frame of the same
     * request in the other capture (0: it never arrived there, or no second capture). */
    int vantage;
    uint64_t far_frame;
    /* VO_STALLED: which side's data was sent again (0 the requester, 1 the responder), how
     * often, the smallest payload sent again against the largest one acknowledged, whether the
     * peer had acknowledged it already (its ACKs are lost beyond the capture point), and
     * whether an ICMP "fragmentation needed" / "packet too big" came back. */
    uint8_t stall_side;
    bool stall_acked, pmtu_icmp;
    uint16_t stall_rexmits, stall_len, ok_len;
    bool synack_after_ack;      /* TCP: the SYN-ACK repeated although the ACK was seen */
    bool unserved;              /* TCP: connected, and the host sent no byte and no FIN */
    bool resumed;               /* VO_STALLED: the connection ended idle and spoke again
                                 * without a handshake (a new flow of the same 5-tuple) */
    uint64_t idle_us;           /* VO_STALLED: the connection had been silent so long (both
                                 * ways) when the side that stalled spoke again, and the other
                                 * never answered after; 0: no such silence */
    uint8_t proxy_synack_ttl;   /* VO_RST: the SYN-ACK's TTL when it came from nearer than the
                                 * RST that followed (a SYN proxy answered the handshake, the
                                 * host refused); 0 otherwise */
    uint16_t retries;           /* UDP: the request again after an answer */
    struct fw_addr other_addr;  /* VO_OTHER_ADDR: the address the answer came from */
    uint32_t rtt_us;            /* answered: from the request to the first answer */
    /* VO_NO_ANSWER ended by the end of the input less than VERDICT_ANSWER_DUE_US after its
     * first request: how long it had (diagnose/explain_cut_short.c decides if that was too
     * short for an answer). */
    bool late;
    uint32_t late_span_us;
    /* Its last packet came less than VERDICT_ANSWER_DUE_US before the end of the input: an
     * ICMP error for its last request may have come after the capture stopped. */
    bool end_cut;
    /* Two captures: ans_frame is the other capture's (a refusal seen leaving the host there and
     * never arriving here: correlate.c refusal_lost). */
    bool ans_in_far;
    /* Unanswered, and a request of it met a router that had sent the requester no error for a
     * second and sent none then (flow_recall.c): no rate limit held its error back. */
    bool quiet_silent;
};

/* One attempt as kept for matching two captures (verdict_config.keep_attempts). */
struct verdict_seen {
    struct verdict_attempt a;
    uint16_t sport;   /* the requester's port; 0 for echo */
    uint32_t isn;     /* TCP: the SYN's sequence number, the same in both captures */
    bool evicted;
};

/* How the device that refused was found (JSON answered_by_basis; diagnose/attribute.c): the
 * ICMP error's source address; the forged RST's Ethernet source tied by ARP/NDP to an address
 * (an adjacent device); its TTL alone (a device so many routers away, unnamed); its TTL and
 * the one router that sent ICMP errors from that distance. NULL for none: no refusal, or
 * the host's own. */
#define FW_BASES(X)                                 \
    X(BASIS_NONE,        NULL)                      \
    X(BASIS_ICMP_SOURCE, "icmp-source")             \
    X(BASIS_LINK_LAYER,  "link-layer")              \
    X(BASIS_TTL,         "ttl")                     \
    X(BASIS_TTL_ICMP,    "ttl+icmp-source")
#define BASIS_ENUM(name, text) name,
enum verdict_basis { FW_BASES(BASIS_ENUM) BASIS_COUNT };
#undef BASIS_ENUM
const char *verdict_basis_name(enum verdict_basis b); /* NULL for BASIS_NONE */

/* Where a blocked path failed against the capture point (JSON "where"; diagnose/where.c):
 * beyond it (after: the device, or the loss, is past the point along the way the requests
 * go, or the answers were lost beyond it), at it (the capture spans the device: the requests
 * went in and never out), or between it and the requester (before: the answers passed the
 * point and never reached the requester, who kept asking). NULL for none: not blocked, or
 * two captures combined. */
#define FW_WHERES(X)              \
    X(WHERE_NONE,   NULL)         \
    X(WHERE_BEFORE, "before")     \
    X(WHERE_AT,     "at")         \
    X(WHERE_AFTER,  "after")
#define WHERE_ENUM(name, text) name,
enum verdict_where { FW_WHERES(WHERE_ENUM) WHERE_COUNT };
#undef WHERE_ENUM
const char *verdict_where_name(enum verdict_where w); /* NULL for WHERE_NONE */

/* STYLE 4: a verdict is a pure function of flow state, and it carries its evidence. */
struct verdict {
    enum verdict_kind kind;
    struct fw_addr answered_by;       /* sender of the answer, RST or ICMP error, if known */
    enum verdict_basis basis;         /* how the refusing device was found */
    int8_t routers;                   /* routers between that device and the capture point, by
                                       * the refusal's TTL; -1: not known */
    bool routers_from_requester;      /* two captures: counted from the requester's (from) */
    uint64_t first_frame, last_frame; /* evidence: frame numbers in their capture */
    uint8_t ttl;                      /* of the answer: a RST unlike the host's is a firewall */
};

/* Classifies the attempt in f; false if f holds none (no SYN from its originator, a UDP flow
 * its originator never sent on, ICMP other than echo). */
bool verdict_attempt_of(const struct flow *f, struct verdict_attempt *out);
/* Copies what a stall is said with (side, acknowledged, repetitions, lengths, PMTU ICMP) from
 * one attempt to another: the far capture's stall, told in the near one's (correlate.c). */
void verdict_stall_copy(struct verdict_attempt *to, const struct verdict_attempt *from);

/* One port (or range) the profile cares about. UNTESTED entries are made for single ports
 * (lo == hi) and for ICMP echo (proto VERDICT_PROTO_ECHO), not for ranges. */
struct verdict_port {
    uint8_t proto; /* 6, 17, VERDICT_PROTO_ECHO */
    uint16_t lo, hi;
    const char *service; /* borrowed: must outlive the collector */
    bool rpc_dynamic;    /* a dynamic RPC range (profile_rpc PROFILE_RPC_DYNAMIC) */
};

#define VERDICT_MAX_PAIRS 16

struct verdict_config {
    struct fw_addr local;          /* --local: the capture point; family 0 = infer it */
    struct fw_addr source, target; /* --source/--target: the pair under test (both or none) */
    const struct verdict_port *ports; /* borrowed; NULL/0: no profile, no UNTESTED entries */
    size_t nports;
    uint32_t max_cells;            /* 0: VERDICT_DEFAULT_MAX_CELLS */
    uint32_t max_hosts;            /* 0: VERDICT_DEFAULT_MAX_HOSTS */
    uint32_t keep_attempts;        /* two captures: keep up to this many attempts to match */
    bool combined;                 /* the collector of two correlated captures (correlate.c) */
    /* The ports the endpoint mapper named (rpc_ports.h), borrowed; NULL: none. The
     * analyzer sets it to its own. */
    const struct rpc_ports *rpc;
    /* What each capture (by frame vantage 0, 1) showed of the devices on the path
     * (path_clues.h), borrowed; NULL: nothing. The analyzer sets both to its own; the
     * collector of two captures gets one from each. */
    const struct path_clues *clues[2];
    /* The SipHash key of the cell and host tables: the caller's, used as given (zero by
     * default). The application draws a random one (app/hash_key.c), so that no capture can
     * be crafted to pile its cells into one hash chain; tests fix it. */
    uint64_t hash_key[2];
};
/* The cell table grows with the traffic (doubling) up to max_cells; beyond it uninformative
 * cells (answered only, on ports outside the profile) make room, so the cap never hides a
 * failure or fakes an UNTESTED (verdict.c). A cell takes 272 bytes, 16 for what its item was
 * judged from, 8 of hash buckets, and 184 for the first attempt of each outcome it met (one
 * or two in practice): at the default 262144 cells, 72 MiB of cells and their judges, 2 MiB
 * of buckets and about 45 to 90 MiB of first attempts, 120 to 165 MiB in all, before
 * settling; settling adds its item (verdict_item, 336 bytes) and about 20 bytes of lists a
 * cell, 90 MiB more at the cap (live keeps them from settle to settle). A capture of 10M
 * packets among 400 hosts behind a busy firewall (bench/, --mix fw) makes 77k. */
#define VERDICT_DEFAULT_MAX_CELLS 262144u
#define VERDICT_DEFAULT_MAX_HOSTS 4096u

struct verdict_counts {
    uint32_t attempts;
    uint32_t by_outcome[VO_COUNT];
    uint32_t host_rst, forged_rst; /* VO_RST split when settled */
    uint32_t requests, retransmits;
    uint32_t evicted;              /* attempts whose flow the table's cap cut short */
    uint32_t synack_after_ack;     /* SYN-ACK repeated though the ACK was seen: a full queue */
    uint32_t unserved;             /* connected, and the host never sent a byte nor closed */
    uint32_t resumed;              /* stalls of connections that ended idle and spoke again:
                                    * each continues one of the answered attempts */
};

#define VERDICT_MAX_EVIDENCE 6
#define VERDICT_EVIDENCE_LEN 160 /* longest evidence line, with its NUL; longer is truncated */
#define VERDICT_ADVICE_LEN 512
/* Long enough for "RPC dynamic (<interface UUID>, learned from the endpoint mapper at
 * packet N)". */
#define VERDICT_SERVICE_LEN 112

/* One settled verdict as the ui reads it. */
struct verdict_collector;

struct verdict_item {
    struct fw_addr from, to;
    uint8_t proto;                 /* 6, 17 or VERDICT_PROTO_ECHO */
    uint16_t port;                 /* 0 for echo */
    /* From the profile, "other ports" otherwise; a port the endpoint mapper named tells its
     * interface and the frame that named it (shorter than VERDICT_SERVICE_LEN). Never NULL;
     * valid like the item itself. */
    const char *service;
    struct verdict v;
    enum verdict_conf confidence;
    bool inferred;                 /* REPLY-DROPPED read from one capture: labelled so */
    enum verdict_lookalike lookalike; /* what this is instead of a firewall, if anything */
    enum verdict_where where;      /* blocked: on which side of the capture point */
    const char *cause;             /* the explanation that decided it: "firewall-drop", ... */
    struct verdict_counts counts;
    uint64_t first_us, last_us;    /* first and last attempt */
    /* The words: empty until verdict_item_words() formats them (settling decides the
     * verdicts only, most are never printed). Owned by the collector (a text arena, not per
     * item), valid like the item itself; never NULL up to nevidence, advice never. */
    int nevidence;
    const char *evidence[VERDICT_MAX_EVIDENCE];
    const char *advice;
    bool worded;                   /* evidence and advice are formatted */
    bool provisional;              /* live: judged from connections still open (so far) */
    bool rpc_dynamic;              /* a dynamic RPC port (learned, or in the profile's range) */
    uint32_t cell_ix;              /* the cell it settled (index + 1); 0: none (UNTESTED) */
    uint32_t settled;              /* the settle that judged it (verdict_settles()): an item
                                    * whose cell did not change is kept from an earlier one */
    struct verdict_collector *owner;
};

/* Formats the item's evidence lines and advice on first call, into the collector's text
 * arena; later calls do nothing. The item is const to its readers: the words are a cache of
 * a pure function of the settled cell. Valid until the next settle, like the item. */
void verdict_item_words(const struct verdict_item *it);

/* Where the capture was taken, and what that lets one capture tell. */
struct verdict_capture_point {
    bool known;
    bool from_config;              /* --local */
    /* No host's: a capture on the path (a router, a tap, a mirror port), recognised by TTLs
     * already lowered both ways, packets seen before and after a router, or conversations
     * most of which involve no one host. known is false then. */
    bool in_path;
    bool spans_router;             /* in_path: the same packets seen before and after a router
                                    * (its interfaces captured together) */
    struct fw_addr addr;
    /* The same host's address of the other family (IPv6 for an IPv4 addr...), inferred the same
     * way; family 0: none seen. A dual-stack server is one capture point. */
    struct fw_addr other;
    enum verdict_conf confidence;
    char how[VERDICT_EVIDENCE_LEN];        /* why this host */
    char can_tell[VERDICT_ADVICE_LEN];
    char cannot_tell[VERDICT_ADVICE_LEN];
};

/* Who answered, in words for the report and the view: "192.0.2.2 (ttl+icmp-source, 1 router
 * from the capture point)", "an unnamed device (ttl, 1 router from the capture point)",
 * "nobody" (silence). */
const char *verdict_answered_text(const struct verdict_item *it, char *buf, size_t len);
/* Its distance part, alone: "adjacent to the capture point", "1 router from 198.51.100.10"
 * (two captures: counted from the requester's); "" when not known. The HTML page's ladder
 * writes it under the device's lane. */
const char *verdict_answered_distance(const struct verdict_item *it, char *buf, size_t len);

/* a is the capture point's address (either family). */
bool verdict_capture_point_is(const struct verdict_capture_point *cp, const struct fw_addr *a);


/* NULL on allocation failure. cfg is copied; cfg->ports is borrowed. */
struct verdict_collector *verdict_collector_new(const struct verdict_config *cfg);
void verdict_collector_free(struct verdict_collector *c);

/* An ended flow (any flow: all of them feed the per-host TTL and endpoint observations).
 * evicted: the table's cap ended it early, so an unanswered attempt may be an artefact.
 * input_end_us: not 0 when the end of the input ended it, at that time: an unanswered attempt
 * younger than VERDICT_ANSWER_DUE_US then is marked late (the capture may have ended before
 * its answer was due). */
void verdict_collector_observe(struct verdict_collector *c, const struct flow *f, bool evicted,
                               uint64_t input_end_us);
/* A SYN is retransmitted after 1 s (RFC 6298's initial RTO): a SYN younger than that when the
 * capture ended had not yet been left unanswered. UDP and echo answers are due after a few
 * round trips, where one was seen (explain_cut_short.c); this is their bound too. */
#define VERDICT_ANSWER_DUE_US 1000000u

/* Packets the capture itself lost (kernel or interface drops): unanswered attempts may be
 * answers it did not keep, so their verdicts lose confidence and say so. */
void verdict_collector_set_capture_drops(struct verdict_collector *c, uint64_t drops);

/* One attempt, already classified (correlate.c's combined attempts). */
void verdict_collector_add(struct verdict_collector *c, const struct verdict_attempt *a,
                           bool evicted);

/* The attempts kept for matching (keep_attempts), in the order their flows ended; those
 * beyond the cap are counted, not kept. */
size_t verdict_seen_count(const struct verdict_collector *c);
const struct verdict_seen *verdict_seen_at(const struct verdict_collector *c, size_t i);
uint64_t verdict_seen_overflow(const struct verdict_collector *c);

/* Recomputes the verdicts from what was observed so far (cheap: cells, not packets). */
int verdict_collector_settle(struct verdict_collector *c);
/* Whether anything settle reads changed since the last settle (live: most wake-ups add no
 * attempt, and settling every cell again would give the same items). */
bool verdict_collector_changed(const struct verdict_collector *c);

/* Live, before a settle: the open flows whose outcome is known already, for the cells no
 * ended attempt judged (verdict_preview.c). The preview is kept from look to look: begin
 * empties it only when it has grown with cells whose flows have ended, and then returns true
 * (every open flow is to be offered again); flow offers one open flow, taken once (it is
 * marked previewed: its item tells what it showed at that look, until it ends or the
 * preview is made again), and returns true when it is an attempt on the profile's ports whose
 * answer came but does not decide it yet, or a datagram flow not an attempt yet (to be offered
 * again at the next look). Either marks the collector changed when the items to list change;
 * the next settle lists them as provisional items, and the list the last settle made keeps
 * its own until then. drop empties it for good: every flow has ended. Never called offline. */
bool verdict_preview_begin(struct verdict_collector *c);
bool verdict_preview_flow(struct verdict_collector *c, struct flow *f, bool again);
void verdict_preview_drop(struct verdict_collector *c);

/* Settled results, valid until the next observe or settle. Stable order: host pair (lower
 * address first), direction (from the lower address first), proto (tcp, udp, icmp), port. */
size_t verdict_count(const struct verdict_collector *c);
/* Where a protocol goes in that order: TCP 0, UDP 1, echo 2 (the reports' rows follow it). */
int verdict_proto_order(uint8_t proto);
/* Settles so far. An item whose settled is older than the last one is the same as then: a
 * reader that saw it need not look again (the live stream). */
uint32_t verdict_settles(const struct verdict_collector *c);
/* The items the last settle judged (the others are as they were), in the same order: a reader
 * that saw every earlier settle need look only at these. */
size_t verdict_judged_count(const struct verdict_collector *c);
const struct verdict_item *verdict_judged_at(const struct verdict_collector *c, size_t i);
const struct verdict_item *verdict_at(const struct verdict_collector *c, size_t i);
const struct verdict_capture_point *verdict_capture_point(const struct verdict_collector *c);
uint64_t verdict_cells_overflow(const struct verdict_collector *c); /* attempts not kept */
/* Cells evicted to make room (answered only, on ports outside the profile: their OPEN verdicts
 * are missing from the list), and the attempts they held. */
uint64_t verdict_cells_evicted(const struct verdict_collector *c);
uint64_t verdict_cells_evicted_attempts(const struct verdict_collector *c);
uint32_t verdict_cells_max(const struct verdict_collector *c); /* the cap: max_cells, resolved */

/* The profile's ports (profile.h) as a list for verdict_config.ports, in entry order: writes
 * at most max and returns how many there are (call again with a larger array if more). The
 * entries' service names are borrowed from the profile: it must outlive the collector. */
struct profile;
size_t verdict_ports_from_profile(const struct profile *p, struct verdict_port *out,
                                  size_t max);

/* "tcp", "udp", "icmp". */
const char *verdict_proto_name(uint8_t proto);

/* The common initial TTLs (64, 128, 255): hops from the sender, as seen at the capture. */
unsigned verdict_hops(uint8_t ttl);

/* A destination unreachable that came as late after the attempt's first request as a router
 * gives up resolving a silent host's link address (ARP, NDP): the host was down or gone from
 * its link, unless the same router was refusing requests to it at once too (its reject rule,
 * held back by its ICMP rate limit; diagnose/evidence.c). A reject rule answers at once. */
#define VERDICT_NEIGH_GIVEUP_US 2000000u
bool verdict_routing_code_late(const struct verdict_attempt *a);
bool verdict_routing_code_prompt(const struct verdict_attempt *a); /* a destination unreachable
                                                                   * that was not late */
/* An ICMP error from a device on the way (not the host) refused the attempt by rule: prohibited,
 * port unreachable, or a routing code that came at once. */
bool verdict_router_refusal(const struct verdict_attempt *a);

#endif
