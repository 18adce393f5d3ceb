/* ui/cmd_live_int.h: what cmd_live.c and cmd_live_opts.c share: the parsed options. */
#ifndef FW_CMD_LIVE_INT_H
#define FW_CMD_LIVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "cli.h"

struct live_opts {
    const char *iface, *filter, *wpath, *user;
    bool full, force, json, print_filter;
    bool no_ui;             /* --no-ui: stream text even on a terminal */
    uint64_t duration_us;
    uint32_t buffer_kib, snaplen;
    struct cli_verdict v;   /* --profile, --ports, --rpc-range, --source, --target, --local */
    struct fw_config cfg;
};

/* Parses argv (argv[0] is "live") into o, whose cfg is preset by fw_config_defaults(), and
 * loads the profile. Returns 0 to run, 1 when the help was printed, -1 on a usage error
 * (reported on stderr). */
int live_parse(int argc, char **argv, struct live_opts *o);

#endif
