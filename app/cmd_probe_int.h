/* app/cmd_probe_int.h: what the files of `fwsight test` share: the parsed options and the
 * probes they name (cmd_probe_opts.c), for the run (cmd_probe.c). */
#ifndef FW_CMD_PROBE_INT_H
#define FW_CMD_PROBE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/profile.h"
#include "capture/probe.h"
#include "cli.h"
#include "ui/report_locate.h"

struct test_opts {
    const char *peer, *iface, *write, *user;
    struct cli_verdict v; /* --profile, --ports, --rpc-range; the hosts are the test's own */
    unsigned long rounds;
    struct cli_report r;    /* --json, --rules FORMAT, --all */
    bool locate; /* --locate: TTL-limited probes of each blocked port */
};

/* Parses argv (argv[0] is "test") into o. Returns 0 to run, 1 when the help was printed, -1
 * on a usage error (reported on stderr). The profile is loaded later, by cli_verdict_setup(). */
int test_parse(int argc, char **argv, struct test_opts *o);

/* The profile's ports as probes: TCP and UDP single ports and small ranges, one ICMP echo;
 * never the dynamic RPC range. Returns how many, or 0 if nothing is left to probe. */
size_t test_items(const struct profile *p, struct probe_item *items, size_t max);

/* The room for --locate's entries: at most LOCATE_MAX_SERIES series, and one entry past
 * them that says the rest were not located. */
#define TEST_MAX_LOCATE (LOCATE_MAX_SERIES + 1)

struct locate;
struct verdict_collector;
/* --locate (cmd_probe_locate.c): one probe series for each path local -> peer that vc found
 * blocked; fills out (at most max) and returns how many. Blocks while it probes. */
size_t test_locate(struct locate *loc, const struct verdict_collector *vc,
                   const struct fw_addr *local, const struct fw_addr *peer,
                   struct report_locate *out, size_t max);

#endif
