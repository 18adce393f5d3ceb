/* ui/report.h: the summary of one analysed capture, as readable text or as the JSON document.
 * It aggregates finished connections as they stream past (fixed-size: counts by protocol and
 * conn_state, and a bounded table of failed attempts by protocol and responder port) and
 * prints them with the capture's and the decoder's counters. It reads the analysis only
 * through const records and stats; reading the capture and exit codes are the commands'
 * (app/). Sections are printed by separate calls so that a later issue can put firewall
 * verdicts above them. */
#ifndef FW_REPORT_H
#define FW_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "analyze/changes.h"
#include "analyze/conn.h"
#include "analyze/correlate.h"
#include "analyze/profile.h"

/* What the command (app/) learnt about the capture file (plain data: ui/ does not see capture/). */
struct report_capture {
    const char *file;      /* as given on the command line; "-" is stdin */
    const char *format;    /* "pcap", "pcap-nsec", "pcapng" */
    bool gzip;
    int linktype;          /* -1 if none */
    uint64_t packets;      /* frames read */
    uint64_t bad_records;  /* records skipped by the reader */
    uint64_t interfaces;   /* pcapng: interfaces described (0: pcap) */
    uint64_t duplicates;   /* pcapng: copies of one packet at several interfaces, skipped */
    const char *warning;   /* first bad record, "" if none */
    const char *error;     /* the error that stopped reading early, NULL if none */
    bool has_drops;        /* the counters below are known: live, or a pcapng's statistics */
    bool saved_drops;      /* ...recorded in a saved pcapng (ISB), not counted by fwsight */
    uint64_t kernel_drops; /* pcap_stats ps_drop: no room in the capture buffer; pcapng:
                              isb_osdrop */
    uint64_t if_drops;     /* ps_ifdrop: dropped by the interface or its driver; pcapng:
                              isb_ifdrop */
    bool has_stream;       /* live --no-ui: the stream's counts below are known */
    uint64_t stream_dropped; /* stream lines not written: its reader lagged or went away */
};

/* Both counts in one, saturating (a damaged file's counts may be anything). */
static inline uint64_t report_capture_drops(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

enum report_proto { REPORT_TCP, REPORT_UDP, REPORT_ICMP, REPORT_OTHER, REPORT_PROTO_COUNT };

/* Failed attempts are grouped by (protocol, responder port); a fixed number of groups keeps the
 * memory flat on any capture; groups past the limit are counted, not listed. */
#define REPORT_FAIL_GROUPS 64
#define REPORT_FAIL_EXAMPLES 3
#define REPORT_FAIL_SHOWN 20   /* rows in the text table; JSON lists every group */

struct report_example {
    struct fw_addr orig_h, resp_h;
    uint16_t orig_p, resp_p;
    enum conn_state state;
    uint64_t first_frame;
    char uid[24];
};

struct report_fail_group {
    enum report_proto proto;
    uint16_t port;                 /* responder port; ICMP: the request's type (8: echo) */
    uint64_t attempts;
    uint64_t by_state[CONN_STATE_COUNT];
    int nexamples;
    struct report_example examples[REPORT_FAIL_EXAMPLES];
};

struct report {
    uint64_t conns;
    uint64_t by_proto[REPORT_PROTO_COUNT];
    uint64_t by_state[REPORT_PROTO_COUNT][CONN_STATE_COUNT];
    uint64_t by_end[CONN_END_COUNT];
    uint64_t failed;               /* attempts that got no answer or a refusal */
    uint64_t failed_unlisted;      /* ...of which in groups beyond REPORT_FAIL_GROUPS */
    int ngroups;
    struct report_fail_group groups[REPORT_FAIL_GROUPS];
};

void report_init(struct report *rep);
/* Called from the analyzer's sink for each finished connection. */
void report_add(struct report *rep, const struct conn_record *r);

const char *report_proto_name(enum report_proto p);
/* Plain words for a conn_state ("no answer", "refused"...). */
const char *report_state_meaning(enum conn_state s);
/* "Ethernet", "Linux cooked (SLL)"..., or "unknown". */
const char *report_linktype_name(int linktype);
/* Moves *p past spaces to the next word and returns its length (0: no word is left); the
 * word wrappers of the text report and of the view share it. */
int report_next_word(const char **p);
#define REPORT_WIDTH 100 /* the text report's evidence and advice are wrapped to it */
/* Prints lead then text, word-wrapped to REPORT_WIDTH columns, continuation lines
 * indented by hang; a space parts lead and text unless lead is empty or ends in one. */
void report_wrapped(FILE *out, const char *lead, const char *text, int hang);
/* Fills out with the groups in report order (most attempts first, then protocol, then port)
 * and returns how many there are. */
int report_sorted_groups(const struct report *rep,
                         const struct report_fail_group *out[REPORT_FAIL_GROUPS]);

/* The order of the verdict matrix's rows, shared by the report and the ncurses view so the two
 * read alike: the rank of (proto, port) is its service's place in the profile (SIZE_MAX: other
 * ports), then rows go by protocol (verdict_proto_order: TCP, UDP, ICMP) and port. */
size_t report_matrix_rank(const struct fw_config *cfg, uint8_t proto, uint16_t port);

/* The text report: every section below, in this order; all: the failed attempts' table whole
 * (--all), not its first REPORT_FAIL_SHOWN groups. */
void report_print_text(FILE *out, const struct report *rep, const struct report_capture *cap,
                       const struct analyzer_stats *st, const struct fw_config *cfg, bool all);
void report_print_capture(FILE *out, const struct report_capture *cap,
                          const struct analyzer_stats *st, const struct fw_config *cfg);
void report_print_decoding(FILE *out, const struct analyzer_stats *st);
void report_print_connections(FILE *out, const struct report *rep,
                              const struct analyzer_stats *st, const struct fw_config *cfg);
void report_print_failures(FILE *out, const struct report *rep, bool all);

/* What the text report's opening names besides the verdicts; every field may be NULL (0). */
struct report_answer {
    const struct profile *profile; /* which ports are required, optional (else all "other") */
    const char *profile_arg;       /* --profile as given: repeated in the test commands */
    const char *rpc_range;         /* --rpc-range as given */
    bool all;                      /* --all: every matrix row, path and host pair, no summary */
};

/* The changes to make of vc (analyze/changes.h), from what the command was given: the
 * profile, --source/--target, --profile and --rpc-range as typed (one that does not parse
 * gives no range). What changes_of_collector() returns; release c with changes_fini(). */
int report_changes_of(struct changes *c, const struct verdict_collector *vc,
                      const struct fw_config *cfg, const struct report_answer *ans);
/* One line of "Change to make". The text report and the HTML page both print the lines that
 * report_changes_lines() hands them, so the two cannot word, group or order a change apart. */
struct change_group;
struct change_rule;
enum report_change_line_kind {
    RCL_NONE,       /* nothing blocked by a firewall: no rule to open */
    RCL_GROUP,      /* a device and direction (group); its RCL_RULE lines follow */
    RCL_RULE,       /* one rule of that group (group, rule) */
    RCL_RPC,        /* a server's dynamic RPC range to restrict, then open */
    RCL_NOT_RULES,  /* blocked paths no rule fixes, counted; their RCL_NOT_RULE lines follow */
    RCL_NOT_RULE,   /* one of them with its advice, or how many more (without --all) */
    RCL_LOOKALIKES, /* the look-alikes counted; their RCL_LOOKALIKE lines follow */
    RCL_LOOKALIKE,  /* one look-alike, or how many more are not listed (without --all) */
    RCL_TEST,       /* a direction's untested ports; its RCL_COMMAND (the test to run) follows */
    RCL_COMMAND,
    RCL_MORE,       /* how many places to open or untested directions are not listed (no --all) */
    RCL_HINT,       /* --rules prints the rules */
    RCL_END,        /* no more lines */
};
struct report_change_line {
    enum report_change_line_kind kind;
    const char *lead;  /* the text report's indent or label ("  Dynamic RPC:") before text */
    int hang;          /* the text report wraps text with this indent; 0: whole (a command) */
    const char *text;
    const struct change_group *group; /* RCL_GROUP and RCL_RULE; else NULL */
    const struct change_rule *rule;   /* RCL_RULE; else NULL */
};
typedef void (*report_change_line_fn)(void *ctx, const struct report_change_line *l);
/* Builds vc's changes to make (report_changes_of) and hands fn their lines in the report's
 * order, then one RCL_END (text ""): the last moment group and rule are valid. ans->all
 * (--all): every place, look-alike and untested direction listed, else the long parts end in
 * a line of counts; ans may be NULL. Strings are valid during the call only. Returns 0, or
 * FW_ENOMEM with no line handed. */
int report_changes_lines(const struct verdict_collector *vc, const struct fw_config *cfg,
                         const struct report_answer *ans, report_change_line_fn fn, void *ctx);
/* "Change to make" (report_changes.c), the report's opening: analyze/changes.h printed per
 * device and direction, the dynamic RPC advice, the look-alikes one line each, the untested
 * ports one line per direction with the test to run. Returns 0 or FW_ENOMEM (said). */
int report_print_changes(FILE *out, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans);
/* The JSON report's "changes" and "untested" arrays: the same model as data
 * (report_json_changes.c; docs/json-schema.md). */
struct json;
void report_json_changes(struct json *j, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans);
/* "source 198.51.100.10" / "target ..." when --source/--target name a, else a's address. */
const char *report_role_addr(const struct fw_config *cfg, const struct fw_addr *a, char *buf,
                             size_t len);

/* The verdicts part (report_verdicts.c), printed above the sections above: capture point,
 * per host pair a service-by-direction matrix, the blocked paths with evidence and advice,
 * and the untested ones with the test to run. cfg->verdict.ports orders the matrix rows. */
void report_print_verdicts(FILE *out, const struct verdict_collector *vc,
                           const struct fw_config *cfg, const struct report_answer *ans);
/* Its parts, for the two-capture report: the capture point and what it can tell; the rest
 * (matrix, blocked paths, untested ones). */
void report_print_capture_point(FILE *out, const struct verdict_collector *vc);
/* One matrix row: a (proto, port) of a host pair with its verdict each way, if any. */
struct report_row {
    uint8_t proto;
    uint16_t port;
    size_t rank;                        /* report_matrix_rank(); SIZE_MAX: other ports */
    const struct verdict_item *cell[2]; /* [0]: a -> b, [1]: b -> a */
};
/* The rows of items [first, end) of vc (one host pair, a one of its two hosts) in the
 * matrix's order: by the profile's service order (report_matrix_rank), then protocol and
 * port, the two directions of a port in one row. Malloc'd (*n rows), or NULL when out of
 * memory. Shared by the text report and the HTML page, so their matrices read alike. */
struct report_row *report_matrix_rows(const struct verdict_collector *vc, size_t first,
                                      size_t end, const struct fw_config *cfg,
                                      const struct fw_addr *a, size_t *n);
/* The matrices of every host pair (report_matrix.c): without all, the pairs blocked most and
 * their first rows, each cut ending in a line of counts. */
void report_print_matrices(FILE *out, const struct verdict_collector *vc,
                           const struct fw_config *cfg, bool all);
/* A verdict's port as the report prints it ("6320", "echo"). */
void report_port_text(const struct verdict_item *it, char *buf, size_t len);
/* Counts of the rows a summary line stands for: "12 OPEN, 3 DROPPED". */
void report_verdict_counts(FILE *out, const size_t count[VERDICT_KIND_COUNT]);
/* Where a capture was taken, in a few words: "captured on 198.51.100.10 (inferred, confidence
 * high)", "captured on the path between the hosts (in-path)", "capture point unknown". The
 * two-capture report's and the HTML page's. */
const char *report_capture_point_text(const struct verdict_capture_point *cp, char *buf,
                                      size_t len);
void report_print_verdict_body(FILE *out, const struct verdict_collector *vc,
                               const struct fw_config *cfg, bool all);
/* The verdict table was full (--max-verdicts): true, and in buf what was lost, ending
 * "<which> are incomplete (raise --max-verdicts)". The report's warning and the view's. */
bool report_verdicts_incomplete(const struct verdict_collector *vc, const char *which,
                                char *buf, size_t len);

struct report_path;

/* Two captures of one test (report_two.c): what the command hands over for each capture, and how
 * they were correlated. combined is NULL when they could not be (no attempt matched, or both
 * were taken on one host): then each capture's own verdicts are printed, labelled so. */
struct report_two {
    const struct report *rep[2];
    const struct report_capture *cap[2];
    const struct analyzer_stats *st[2];
    const struct verdict_collector *vc[2];
    const struct verdict_collector *combined;
    const struct correlate_result *corr;
    /* More than two captures: the order and segments (report_path.h), printed after the
     * combined verdicts; NULL for two, whose output is unchanged. */
    const struct report_path *path;
};
void report_print_two_text(FILE *out, const struct report_two *t, const struct fw_config *cfg,
                           const struct report_answer *ans);
void report_print_two_json(FILE *out, const struct report_two *t, const struct fw_config *cfg,
                           const struct report_answer *ans);
/* The verdicts that decide the exit status: the combined ones, or both captures' own. */
bool report_two_blocking(const struct report_two *t);

/* DROPPED, REPLY-DROPPED, REJECTED or PARTIAL: what makes fwsight exit 1. */
bool report_verdict_blocking(const struct verdict_item *it);
/* Whether any of vc's verdicts is blocking. */
bool report_blocking(const struct verdict_collector *vc);

/* The JSON document (docs/json-schema.md, "fwsight_json": 1). */
void report_print_json(FILE *out, const struct report *rep, const struct report_capture *cap,
                       const struct analyzer_stats *st, const struct fw_config *cfg,
                       const struct verdict_collector *vc);
/* The same, with members of the caller's added at the end of the top-level object (`fwsight
 * test --locate` adds "locate"); more may be NULL. */
struct json;
typedef void (*report_json_more_fn)(struct json *j, void *ctx);
void report_print_json_more(FILE *out, const struct report *rep, const struct report_capture *cap,
                            const struct analyzer_stats *st, const struct fw_config *cfg,
                            const struct verdict_collector *vc, report_json_more_fn more,
                            void *ctx, const struct report_answer *ans);

#endif
