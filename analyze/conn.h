/* analyze/conn.h: a finished connection as the analysis reports it: Zeek's conn.log record
 * (five-tuple, conn_state, history, counts) plus the evidence that places it in a capture.
 * The flow table fills it when a flow ends; ui/ only reads it. */
#ifndef FW_CONN_H
#define FW_CONN_H

#include <stdint.h>

#include "addr.h"

/* Zeek's conn_state codes (base/protocols/conn/main.zeek), in Zeek's own order. */
#define CONN_STATES(X)         \
    X(CONN_S0,     "S0")       \
    X(CONN_S1,     "S1")       \
    X(CONN_SF,     "SF")       \
    X(CONN_REJ,    "REJ")      \
    X(CONN_S2,     "S2")       \
    X(CONN_S3,     "S3")       \
    X(CONN_RSTO,   "RSTO")     \
    X(CONN_RSTR,   "RSTR")     \
    X(CONN_RSTOS0, "RSTOS0")   \
    X(CONN_RSTRH,  "RSTRH")    \
    X(CONN_SH,     "SH")       \
    X(CONN_SHR,    "SHR")      \
    X(CONN_OTH,    "OTH")
#define CONN_ENUM(name, text) name,
enum conn_state { CONN_STATES(CONN_ENUM) CONN_STATE_COUNT };
#undef CONN_ENUM
const char *conn_state_name(enum conn_state s);

/* Why a record was written. Evictions matter: a flow cut short by the table's cap would
 * otherwise look like an unanswered attempt. */
#define CONN_ENDS(X)                        \
    X(CONN_END_CLOSED,   "closed")          \
    X(CONN_END_TIMEOUT,  "inactivity")      \
    X(CONN_END_ATTEMPT,  "attempt timeout") \
    X(CONN_END_REUSED,   "5-tuple reused")  \
    X(CONN_END_EVICTED,  "evicted")         \
    X(CONN_END_INPUT,    "end of input")
#define CONN_ENUM(name, text) name,
enum conn_end { CONN_ENDS(CONN_ENUM) CONN_END_COUNT };
#undef CONN_ENUM
const char *conn_end_name(enum conn_end e);

#define CONN_HISTORY_LEN 64

struct conn_record {
    uint64_t ts_us;          /* first packet of the connection */
    uint64_t duration_us;    /* last packet minus first */
    struct fw_addr orig_h, resp_h;
    uint16_t orig_p, resp_p; /* ICMP: message type, and answer type or code, as Zeek does */
    uint8_t ip_proto;        /* 6, 17, 1, 58, or any other IP protocol */
    enum conn_state state;
    char history[CONN_HISTORY_LEN]; /* Zeek's letters, NUL-terminated, "" when empty */
    uint64_t orig_bytes, resp_bytes; /* payload bytes (TCP: by sequence numbers, as Zeek) */
    uint64_t missed_bytes;
    uint64_t orig_pkts, resp_pkts;
    uint64_t orig_ip_bytes, resp_ip_bytes;
    uint64_t first_frame, last_frame; /* frame numbers in their capture, for evidence */
    int vantage;                      /* which capture */
    uint64_t seq;                     /* 0, 1, 2... in order of creation: stable uids */
    enum conn_end end;
};

/* "tcp", "udp", "icmp" (ICMP and ICMPv6, as Zeek) or "unknown_transport". */
const char *conn_proto_name(uint8_t ip_proto);

/* A Zeek-style uid ("C" and 17 base-62 characters) derived from r->seq and r->vantage, so
 * that a file gives the same uids on every run. buf holds at least 20 bytes. */
const char *conn_uid(const struct conn_record *r, char *buf, size_t len);

#endif
