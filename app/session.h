/* app/session.h: one analysis, wired once for every command (analyze, live, test): the
 * analyzer made from the config, what each finished connection goes to (the report's
 * aggregate, the conn.log, the view's attempts, the command's own hook), the capture's drops,
 * the end, and the outputs, printed through one table of formats (session.c). Where frames
 * come from (a file, an interface, probes), when to stop and the exit status are the
 * commands'; what the outputs say is ui/'s. */
#ifndef FW_SESSION_H
#define FW_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "cli.h"
#include "ui/attempt_ring.h"
#include "ui/connlog.h"
#include "ui/report.h"
#include "ui/report_locate.h"
#include "ui/rules.h"

struct cap_live;

/* The outputs: a report printed once the analysis is finished, or a log written as
 * connections end. A new output is one file in ui/ and one row in session_outputs[]. */
enum session_format {
    SESSION_TEXT,    /* the text report, the default */
    SESSION_JSON,    /* --json: the JSON report (docs/json-schema.md) */
    SESSION_CONNLOG, /* --conn-log PATH: Zeek's conn.log (TSV, or JSON lines with --json) */
    SESSION_RULES,   /* --rules FORMAT: the rules to add, ready to paste (ui/rules.h) */
    SESSION_NFORMATS
};

/* What a report prints: one capture's analysis (two->*[0]), or two's with their combined
 * verdicts, and what the command adds. */
struct session_result {
    const struct report_two *two;
    int ncap;                    /* 1 or 2 */
    const struct fw_config *cfg;
    bool after_stream;           /* live: a blank line parts the text report from the stream */
    bool locate;                 /* test --locate was asked: its part, even when empty */
    const struct report_locate *located;
    size_t nlocated;
    const struct cli_report *opt; /* --json, --rules FORMAT, --all; NULL: the text report */
    /* what the report and the rules name besides the verdicts */
    const struct profile *profile;
    const char *profile_arg, *rpc_range;
};

struct session;

struct session_output {
    const char *name;   /* for messages and the docs */
    const char *option; /* what asks for it */
    /* Prints the finished analysis; NULL for an output written as connections end. */
    void (*print)(FILE *out, const struct session_result *r);
    /* Writes one finished connection; NULL for a report printed at the end. */
    void (*conn)(struct session *s, const struct conn_record *r);
};

extern const struct session_output session_outputs[SESSION_NFORMATS];

struct session {
    struct analyzer *a;
    struct report rep;           /* the report's fixed-size aggregate of the connections */
    struct report_capture cap;   /* what the report says of the capture: the command's */
    /* Set by the command before session_init(); each may stay NULL (0). */
    struct connlog *log;         /* --conn-log; two captures write one log, opened once */
    const char *log_path;        /* its PATH, for its messages */
    uint64_t log_open_us;        /* the #open time when not this capture's first frame's */
    struct attempt_ring *attempts; /* the view's attempts pane */
    void (*hook)(void *ctx, const struct conn_record *r); /* the command's own, last */
    void *hook_ctx;
    char cap_name[96];           /* cap.file of a live capture ("live:IFACE") */
};

/* The analyzer for cfg, with every finished connection going where s says. Returns 0, or -1
 * when out of memory (the caller says so, in its own words). s must not move afterwards. */
int session_init(struct session *s, const struct fw_config *cfg);

void session_feed(struct session *s, const struct frame *f);
bool session_advance(struct session *s, uint64_t now_us); /* true: verdicts settled */

/* The end of the analysis. drops: the frames the capture lost (kernel and interface), which
 * weaken the verdicts they could hide; has_drops false for a file, which counts none. */
void session_finish(struct session *s, bool has_drops, uint64_t drops);

/* s->cap for a live capture (live, test): its name, link type, drops; packets as the command
 * counted them; error: why the capture ended early, or NULL. */
void session_live_capture(struct session *s, struct cap_live *cap, uint64_t packets,
                          const char *error);

/* two for the report of s alone (index 0 only). */
void session_result_one(const struct session *s, struct report_two *two);

/* Prints r in the format r->opt asks for (the text report by default), through its row of
 * session_outputs[]. */
void session_print(FILE *out, const struct session_result *r);

/* The verdicts that decide the exit status are blocking: the combined ones when two captures
 * were combined, both captures' own otherwise. */
bool session_blocking(const struct session_result *r);

void session_fini(struct session *s);

#endif
