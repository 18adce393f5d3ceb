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

#define FW_VERDICTS(X)                        \
    X(VERDICT_OPEN,          "OPEN")          \
    X(VERDICT_CLOSED,        "CLOSED")        \
    X(VERDICT_DROPPED,       "DROPPED")       \
    X(VERDICT_REPLY_DROPPED, "REPLY-DROPPED") \
    X(VERDICT_REJECTED,      "REJECTED")      \
    X(VERDICT_PARTIAL,       "PARTIAL")       \
    X(VERDICT_UNTESTED,      "UNTESTED")
/* Expanded once into the enum and once into verdict_name(): they cannot drift apart. */
#define VERDICT_ENUM(name, text) name,
enum verdict_kind { FW_VERDICTS(VERDICT_ENUM) VERDICT_KIND_COUNT };
#undef VERDICT_ENUM
const char *verdict_name(enum verdict_kind k);

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
    X(VO_RST_FORGED, "reset the host never sent (two captures)")
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
    uint64_t req_frame, ans_frame; /* ans_frame: the answer, RST or ICMP error; 0 if none */
    uint32_t requests;          /* SYNs, UDP datagrams, echo requests */
    uint32_t retransmits;       /* TCP: repeated SYNs */
    uint32_t answers;           /* packets from the far side (echo replies, UDP answers) */
    uint8_t req_ttl;            /* TTL of the requester's packets, as captured */
    uint8_t ans_ttl;            /* TTL of the RST (or first answer) */
    uint16_t ans_ip_id;
    uint8_t icmp_type, icmp_code;
    struct fw_addr icmp_from;
    /* Two captures only: which capture req_frame is from (0 or 1), and the frame of the same
     * request in the other capture (0: it never arrived there, or no second capture). */
    int vantage;
    uint64_t far_frame;
};

/* One attempt as kept for matching two captures (verdict_config.keep_attempts). */
struct verdict_seen {
    struct verdict_attempt a;
    uint16_t sport;   /* the requester's port; 0 for echo */
    uint32_t isn;     /* TCP: the SYN's sequence number, the same in both captures */
    bool evicted;
};

/* STYLE 4: a verdict is a pure function of flow state, and it carries its evidence. */
struct verdict {
    enum verdict_kind kind;
    struct fw_addr answered_by;       /* sender of the answer, RST or ICMP error, if known */
    uint64_t first_frame, last_frame; /* evidence: frame numbers in their capture */
    uint8_t ttl;                      /* of the answer: a RST unlike the host's is a firewall */
};

/* Classifies the attempt in f; false if f holds none (no SYN from its originator, a UDP flow
 * its originator never sent on, ICMP other than echo). */
bool verdict_attempt_of(const struct flow *f, struct verdict_attempt *out);

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
    /* The SipHash key of the cell and host tables. Zero (the default): a random key per
     * collector, so that no capture can be crafted to pile its cells into one hash chain.
     * Tests fix it. */
    uint64_t hash_key[2];
};
/* The cell table grows with the traffic (doubling) up to max_cells; beyond it uninformative
 * cells (answered only, on ports outside the profile) make room, so the cap never hides a
 * failure or fakes an UNTESTED (verdict.c). A cell takes 184 bytes, 8 of hash buckets, and
 * 120 for the first attempt of each outcome it met (one or two in practice): at the default
 * 262144 cells, 48 MiB of cells, 2 MiB of buckets and about 30 to 60 MiB of first attempts,
 * 80 to 110 MiB in all, before settling (verdict_item, 360 bytes a cell, and its text). A
 * capture of 10M packets among 400 hosts behind a busy firewall (bench/, --mix fw) makes 77k. */
#define VERDICT_DEFAULT_MAX_CELLS 262144u
#define VERDICT_DEFAULT_MAX_HOSTS 4096u

struct verdict_counts {
    uint32_t attempts;
    uint32_t by_outcome[VO_COUNT];
    uint32_t host_rst, forged_rst; /* VO_RST split when settled */
    uint32_t requests, retransmits;
    uint32_t evicted;              /* attempts whose flow the table's cap cut short */
};

#define VERDICT_MAX_EVIDENCE 6
#define VERDICT_EVIDENCE_LEN 160 /* longest evidence line, with its NUL; longer is truncated */
#define VERDICT_ADVICE_LEN 512
/* Long enough for "RPC dynamic (<interface UUID>, learned from the endpoint mapper at
 * packet N)". */
#define VERDICT_SERVICE_LEN 112

/* One settled verdict as the ui reads it. */
struct verdict_item {
    struct fw_addr from, to;
    uint8_t proto;                 /* 6, 17 or VERDICT_PROTO_ECHO */
    uint16_t port;                 /* 0 for echo */
    char service[VERDICT_SERVICE_LEN]; /* from the profile, "other ports" otherwise */
    struct verdict v;
    enum verdict_conf confidence;
    bool inferred;                 /* REPLY-DROPPED read from one capture: labelled so */
    struct verdict_counts counts;
    uint64_t first_us, last_us;    /* first and last attempt */
    int nevidence;
    /* Owned by the collector (a text arena, not per item: an item is made for every cell at
     * each settle), valid like the item itself; never NULL up to nevidence, advice never. */
    const char *evidence[VERDICT_MAX_EVIDENCE];
    const char *advice;
};

/* Where the capture was taken, and what that lets one capture tell. */
struct verdict_capture_point {
    bool known;
    bool from_config;              /* --local */
    struct fw_addr addr;
    enum verdict_conf confidence;
    char how[VERDICT_EVIDENCE_LEN];        /* why this host */
    char can_tell[VERDICT_ADVICE_LEN];
    char cannot_tell[VERDICT_ADVICE_LEN];
};

struct verdict_collector;

/* NULL on allocation failure. cfg is copied; cfg->ports is borrowed. */
struct verdict_collector *verdict_collector_new(const struct verdict_config *cfg);
void verdict_collector_free(struct verdict_collector *c);

/* An ended flow (any flow: all of them feed the per-host TTL and endpoint observations).
 * evicted: the table's cap ended it early, so an unanswered attempt may be an artefact. */
void verdict_collector_observe(struct verdict_collector *c, const struct flow *f, bool evicted);

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

/* Settled results, valid until the next observe or settle. Stable order: host pair (lower
 * address first), direction (from the lower address first), proto (tcp, udp, icmp), port. */
size_t verdict_count(const struct verdict_collector *c);
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

#endif
