/* app/cli.h: what the commands' option parsing shares: usage errors that name the command and
 * point at its help, bounded numbers, and the verdict options (--profile, --ports,
 * --rpc-range, --source, --target, --local) turned into the analyzer's verdict_config. Each
 * command keeps its own getopt table and its own checks. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze/verdict.h"

struct profile;
struct rules_format;

/* Prints "fwsight CMD: <fmt with arg> (see 'fwsight help CMD')" on stderr; returns -1. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);

/* Parses a whole decimal number in [lo, hi]; -1 with a usage error otherwise. */
int cli_number(const char *cmd, const char *opt, const char *text, unsigned long lo,
               unsigned long hi, unsigned long *out);

/* Parses an IPv4 or IPv6 address; -1 with a usage error otherwise. */
int cli_addr(const char *cmd, const char *opt, const char *text, struct fw_addr *a);

/* The verdict options as given (NULL: not given), and what they load. */
struct cli_verdict {
    const char *profile, *ports, *rpc_range;
    const char *source, *target, *local;
    struct profile *prof;        /* owns the service names vc->ports borrows */
    struct verdict_port *vports; /* vc->ports */
};

/* Checks the options, loads the profile and fills vc (its ports, and the hosts named).
 * Returns 0, or -1 with a usage error printed. Release with cli_verdict_fini() either way. */
int cli_verdict_setup(const char *cmd, struct cli_verdict *v, struct verdict_config *vc);
void cli_verdict_fini(struct cli_verdict *v);

/* The report's options, the same for analyze, live and test: which format the finished
 * analysis is printed in, and whether its long tables are shown whole. A command lists
 * CLI_REPORT_OPTIONS in its getopt table and hands every code to cli_report_opt(). */
struct cli_report {
    bool json;                        /* --json: one JSON document */
    bool all;                         /* --all: the text report's tables whole, no summaries */
    const struct rules_format *rules; /* --rules FORMAT: the rules to add, alone */
};

enum { CLI_OPT_JSON = 0x1000, CLI_OPT_RULES, CLI_OPT_ALL };
#define CLI_REPORT_OPTIONS                                 \
    {"json", no_argument, NULL, CLI_OPT_JSON},             \
    {"rules", required_argument, NULL, CLI_OPT_RULES},     \
    {"all", no_argument, NULL, CLI_OPT_ALL}

/* The help's lines for --rules and --all, in every command's usage text (--json says more for
 * analyze, which also writes the conn.log as JSON). */
#define CLI_REPORT_HELP                                                                         \
    "  --rules FORMAT       print the rules to add instead of the report, ready to paste:\n"   \
    "                       nftables, iptables or windows (New-NetFirewallRule); exact\n"      \
    "                       addresses and the ports found blocked, nothing wider\n"            \
    "  --all                print the report's tables whole (every matrix row, blocked path\n" \
    "                       and host pair) instead of ending long ones in a line of counts\n"

/* 1 when c is one of the report's options (taken into r), 0 when it is not, -1 on a usage
 * error (printed). */
int cli_report_opt(const char *cmd, int c, const char *arg, struct cli_report *r);

/* After parsing: -1 with a usage error when the options contradict each other. */
int cli_report_check(const char *cmd, const struct cli_report *r);

/* Whether stdout holds the report alone, for a program to read (JSON, or rules to paste): the
 * live stream then goes to stderr, and no view is drawn. */
bool cli_report_alone(const struct cli_report *r);

#endif
