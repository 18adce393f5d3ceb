/* app/cmd_probe_opts.c: the command line of `fwsight test`: its help, its options, and the
 * probes the profile they name makes (never a scan: small ranges only). Running the test is
 * cmd_probe.c's. */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/probe.h"
#include "cli.h"
#include "cmd_probe.h"
#include "cmd_probe_int.h"

#define TEST_MAX_RANGE 64     /* wider ranges are not probed: that would be a scan */

static const char test_usage[] =
    "usage: fwsight test --peer HOST [OPTIONS]\n"
    "\n"
    "Active test toward one server: captures on the interface that routes to HOST while\n"
    "probing every port of the profile toward HOST, and HOST only (a TCP connect, a UDP\n"
    "request, an ICMP echo request), then prints the verdict report, as 'fwsight analyze'\n"
    "would on that capture. The dynamic RPC range is not scanned (TCP 135 and the single\n"
    "ports are). Run 'fwsight listen' on HOST first so that something answers, and run the\n"
    "test on each server toward the other to test both directions. Needs root (or\n"
    "CAP_NET_RAW): the capture, and the ICMP echo where ping sockets are not allowed.\n"
    "\n"
    "Options:\n"
    "  --peer HOST          the server to probe (a name or an IPv4/IPv6 address)\n"
    "  -i IFACE             capture on IFACE (default: the interface that routes to HOST)\n"
    "  --rounds N           probe every port N times (default 1, at most 100), half a second\n"
    "                       apart, to catch intermittent blocks (PARTIAL)\n"
    "  --profile NAME|FILE  the ports to probe (default double-take)\n"
    "  --ports LIST         these ports instead: 6320,6325-6326,udp:137,tcp:135\n"
    "  --rpc-range LO-HI    the dynamic RPC range set on the servers (not scanned: reported)\n"
    "  -w PATH              also save the capture to PATH (classic pcap; gzip if it ends in\n"
    "                       .gz); an existing file is not overwritten; it belongs to USER\n"
    "  -Z USER              once the capture and the echo socket are open, run as USER\n"
    "                       (default nobody); without root, the capabilities are given\n"
    "                       up instead\n"
    "  --json               print the report as one JSON document\n"
    CLI_REPORT_HELP
    "  --locate             then, for each blocked port, find where on the path it dies:\n"
    "                       probes of that port with TTL 1, 2, ... (one flow, at most 16\n"
    "                       hops, 2 probes and 1 s a hop) and the routers' ICMP time exceeded\n"
    "  -h, --help           show this help\n"
    "\n"
    "Each probe's outcome is shown on stderr as it comes. A TCP probe waits 3.5 s for an\n"
    "answer (three SYNs), UDP and ICMP 2 s. Exit status: 0 nothing blocked, 1 blocking\n"
    "found, 2 usage error, 3 capture error. With --locate the report adds, per blocked\n"
    "path, \"blocked between hop 2 (192.0.2.1) and hop 3\" and how the probes end there.\n";

void cmd_probe_usage(void)
{
    fputs(test_usage, stdout);
}

static int test_usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("test", fmt, arg);
}

int test_parse(int argc, char **argv, struct test_opts *o)
{
    enum { OPT_PEER = 256, OPT_ROUNDS, OPT_PROFILE, OPT_PORTS, OPT_RPC_RANGE, OPT_LOCATE };
    static const struct option longopts[] = {
        {"peer", required_argument, NULL, OPT_PEER},
        {"rounds", required_argument, NULL, OPT_ROUNDS},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"rpc-range", required_argument, NULL, OPT_RPC_RANGE},
        CLI_REPORT_OPTIONS,
        {"locate", no_argument, NULL, OPT_LOCATE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    o->rounds = 1;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":i:w:Z:h", longopts, NULL)) != -1) {
        int taken = cli_report_opt("test", c, optarg, &o->r);
        if (taken != 0) {
            if (taken < 0)
                return -1;
            continue;
        }
        switch (c) {
        case OPT_PEER: o->peer = optarg; break;
        case 'i': o->iface = optarg; break;
        case 'w': o->write = optarg; break;
        case 'Z': o->user = optarg; break;
        case OPT_PROFILE: o->v.profile = optarg; break;
        case OPT_PORTS: o->v.ports = optarg; break;
        case OPT_RPC_RANGE: o->v.rpc_range = optarg; break;
        case OPT_LOCATE: o->locate = true; break;
        case OPT_ROUNDS:
            if (cli_number("test", "--rounds", optarg, 1, PROBE_MAX_ROUNDS, &o->rounds) != 0)
                return -1;
            break;
        case 'h': cmd_probe_usage(); return 1;
        case ':': return test_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return test_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return test_usage_error("unexpected argument '%s' (the peer is given with --peer)",
                                argv[optind]);
    if (o->peer == NULL)
        return test_usage_error("%s", "which server? give --peer HOST");
    return cli_report_check("test", &o->r);
}

size_t test_items(const struct profile *p, struct probe_item *items, size_t max)
{
    size_t n = 0;
    bool echo = false;
    for (size_t e = 0; e < p->n_entries; e++) {
        const struct profile_entry *en = &p->entries[e];
        if ((en->protos & PROFILE_ICMP_ECHO) && !echo && n < max) {
            items[n++] = (struct probe_item){ .kind = PROBE_ECHO };
            echo = true;
        }
        for (size_t k = 0; k < en->n_ranges; k++) {
            const struct profile_range *r = &en->ranges[k];
            if (en->rpc == PROFILE_RPC_DYNAMIC || r->hi - r->lo + 1 > TEST_MAX_RANGE) {
                fprintf(stderr, "fwsight test: not probing %u-%u (%s): %s\n", r->lo, r->hi,
                        en->service, en->rpc == PROFILE_RPC_DYNAMIC ? "the dynamic RPC range"
                                                                    : "too wide a range");
                continue;
            }
            for (unsigned port = r->lo; port <= r->hi; port++) {
                for (int kind = PROBE_TCP; kind <= PROBE_UDP; kind++) {
                    if (!(en->protos & (kind == PROBE_TCP ? PROFILE_TCP : PROFILE_UDP)))
                        continue;
                    bool dup = false;
                    for (size_t i = 0; i < n && !dup; i++)
                        dup = items[i].kind == (enum probe_kind)kind && items[i].port == port;
                    if (!dup && n < max)
                        items[n++] = (struct probe_item){ .kind = (enum probe_kind)kind,
                                                          .port = (uint16_t)port };
                }
            }
        }
    }
    return n;
}
