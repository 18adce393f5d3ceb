/* app/cli.h: what the commands' option parsing shares: usage errors that name the command and
 * point at its help, bounded numbers, and the verdict options (--profile, --ports,
 * --rpc-range, --source, --target, --local) turned into the analyzer's verdict_config. Each
 * command keeps its own getopt table and its own checks. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <stdint.h>

#include "analyze/verdict.h"

struct profile;

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

#endif
