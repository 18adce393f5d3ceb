/* ui/cmd_test_int.h: what the files of `fwsight test` share: the parsed options and the
 * probes they name (cmd_test_opts.c), for the run (cmd_test.c). */
#ifndef FW_CMD_TEST_INT_H
#define FW_CMD_TEST_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "analyze/profile.h"
#include "capture/probe.h"
#include "cli.h"

struct test_opts {
    const char *peer, *iface, *write, *user;
    struct cli_verdict v; /* --profile, --ports, --rpc-range; the hosts are the test's own */
    unsigned long rounds;
    bool json;
};

/* Parses argv (argv[0] is "test") into o. Returns 0 to run, 1 when the help was printed, -1
 * on a usage error (reported on stderr). The profile is loaded later, by cli_verdict_setup(). */
int test_parse(int argc, char **argv, struct test_opts *o);

/* The profile's ports as probes: TCP and UDP single ports and small ranges, one ICMP echo;
 * never the dynamic RPC range. Returns how many, or 0 if nothing is left to probe. */
size_t test_items(const struct profile *p, struct probe_item *items, size_t max);

#endif
