/* app/cmd_live_opts.c: the command line of `fwsight live`: its help, its options, and the
 * profile and hosts they name (as for analyze). Running the capture is cmd_live.c's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/cap_live.h"
#include "cli.h"
#include "cmd_live.h"
#include "cmd_live_int.h"

static const char live_usage[] =
    "usage: fwsight live -i IFACE [OPTIONS]\n"
    "\n"
    "Captures on IFACE (or 'any') what the diagnosis needs, prints each attempt on the\n"
    "profile's ports and each verdict as it appears or changes, a status line with the\n"
    "kernel's drop counters every 5 s, and the verdict report (as 'fwsight analyze') at the\n"
    "end. On a terminal it shows the interactive view instead of the stream (the change to\n"
    "make first, as verdicts settle; keys as in 'fwsight analyze --ui', c shows all of the\n"
    "change; q or Ctrl-C ends the capture); when stdout is no terminal, with --json,\n"
    "--rules or --no-ui, it always streams text.\n"
    "\n"
    "The stream never holds up the capture: a reader that pauses makes it queue, then drop\n"
    "lines (counted at the end); a reader that goes away (| head -1) ends the stream, not the\n"
    "capture, and the report then goes to stderr. Each second a cell (from, to, protocol,\n"
    "port) gets at most 3 attempt lines and the stream 50; the others are counted in one line\n"
    "per cell ('tcp 6325 A -> B: 9,874 more attempts this second').\n"
    "\n"
    "Options:\n"
    "  -i IFACE             the interface to capture on ('any': all of them)\n"
    "  --duration S         stop after S seconds (default: at Ctrl-C or SIGTERM)\n"
    "  -w PATH              save what was captured as pcap (gzip-compressed when PATH ends\n"
    "                       in .gz); created before privileges are dropped, then handed to\n"
    "                       the -Z user\n"
    "  --force              overwrite PATH if it exists (never without; the file keeps its\n"
    "                       owner, and a symbolic link is never written through)\n"
    "  -U, --packet-buffered  write every packet to PATH as it comes (default: at most\n"
    "                       one second later; gzip: a sync flush each second), as tcpdump -U\n"
    "  --filter EXPR        a BPF expression ANDed with the default filter\n"
    "  --full               capture every packet on the profile's TCP ports, not only SYN,\n"
    "                       FIN and RST (the default: TCP SYN/FIN/RST on any port, TCP 135\n"
    "                       whole, UDP on the profile's ports, all ICMP and ICMPv6; IPv6\n"
    "                       TCP behind extension headers is missed)\n"
    "  --print-filter       print the capture filter and exit\n"
    "  -B KIB               kernel capture buffer in KiB (default %u)\n"
    "  -s SNAPLEN           bytes kept per packet (default %u)\n"
    "  -Z USER              after opening the device, run as USER (default nobody); without\n"
    "                       root (a binary given CAP_NET_RAW,CAP_NET_ADMIN) the capabilities\n"
    "                       are given up instead\n"
    "  --max-flows N        track at most N connections at once (default %u, about 75 MB;\n"
    "                       beyond it the oldest idle one is cut short and counted as an\n"
    "                       eviction): a flood of spoofed SYNs cannot grow memory past it\n"
    "  --no-ui              stream text even on a terminal\n"
    "  --mouse              in the view, clicks select (the mouse then no longer selects text)\n"
    "  --json               print the final report as JSON (the stream then goes to stderr)\n"
    CLI_REPORT_HELP
    "                       (--rules: the stream goes to stderr, as with --json)\n"
    "  --profile NAME|FILE, --ports LIST, --rpc-range LO-HI, --source ADDR --target ADDR,\n"
    "  --local ADDR         as for 'fwsight analyze'\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found, 2 usage error, 3 capture error (no\n"
    "such interface, no permission, the interface went away, the -w file could not be\n"
    "written: what was seen is still reported, and the saved file is valid up to there).\n";

void cmd_live_usage(void)
{
    printf(live_usage, CAP_LIVE_DEFAULT_BUFFER_KIB, CAP_LIVE_DEFAULT_SNAPLEN, LIVE_MAX_FLOWS);
}

static int live_usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("live", fmt, arg);
}

/* A number option into a uint32_t field. */
static int live_number(const char *opt, const char *text, unsigned long lo, unsigned long hi,
                       uint32_t *out)
{
    unsigned long v;
    if (cli_number("live", opt, text, lo, hi, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int live_duration(const char *text, uint64_t *out_us)
{
    char *end;
    errno = 0;
    double s = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(s > 0) || s > 31.0 * 86400)
        return live_usage_error("--duration wants seconds (up to 31 days), not '%s'", text);
    *out_us = (uint64_t)(s * 1e6);
    return 0;
}

/* Returns 0 to run, 1 when help was printed, -1 on a usage error (already reported). */
int live_parse(int argc, char **argv, struct live_opts *o)
{
    enum { O_DURATION = 256, O_FORCE, O_MAXFLOWS, O_FILTER, O_FULL, O_PRINT, O_NOUI, O_MOUSE,
           O_PROFILE, O_PORTS, O_RPC, O_SOURCE, O_TARGET, O_LOCAL };
    static const struct option longopts[] = {
        {"duration", required_argument, NULL, O_DURATION}, {"force", no_argument, NULL, O_FORCE},
        {"packet-buffered", no_argument, NULL, 'U'},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"filter", required_argument, NULL, O_FILTER}, {"full", no_argument, NULL, O_FULL},
        {"print-filter", no_argument, NULL, O_PRINT}, {"no-ui", no_argument, NULL, O_NOUI},
        {"mouse", no_argument, NULL, O_MOUSE},
        CLI_REPORT_OPTIONS, {"profile", required_argument, NULL, O_PROFILE},
        {"ports", required_argument, NULL, O_PORTS}, {"rpc-range", required_argument, NULL, O_RPC},
        {"source", required_argument, NULL, O_SOURCE},
        {"target", required_argument, NULL, O_TARGET},
        {"local", required_argument, NULL, O_LOCAL}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    optind = 1;
    o->cfg.max_flows = LIVE_MAX_FLOWS;
    while ((c = getopt_long(argc, argv, ":i:w:B:s:Z:Uh", longopts, NULL)) != -1) {
        int taken = cli_report_opt("live", c, optarg, &o->r);
        if (taken != 0) {
            if (taken < 0)
                return -1;
            continue;
        }
        switch (c) {
        case 'i': o->iface = optarg; break;
        case 'w': o->wpath = optarg; break;
        case 'Z': o->user = optarg; break;
        case 'B':
            if (live_number("-B", optarg, 64, 1024u * 1024u, &o->buffer_kib) != 0)
                return -1;
            break;
        case 's':
            if (live_number("-s", optarg, 96, 262144, &o->snaplen) != 0)
                return -1;
            break;
        case O_DURATION:
            if (live_duration(optarg, &o->duration_us) != 0)
                return -1;
            break;
        case O_FORCE: o->force = true; break;
        case 'U': o->packet_buffered = true; break;
        case O_MAXFLOWS:
            if (live_number("--max-flows", optarg, 1024, UINT32_MAX, &o->cfg.max_flows) != 0)
                return -1;
            break;
        case O_FILTER: o->filter = optarg; break;
        case O_FULL: o->full = true; break;
        case O_PRINT: o->print_filter = true; break;
        case O_NOUI: o->no_ui = true; break;
        case O_MOUSE: o->mouse = true; break;
        case O_PROFILE: o->v.profile = optarg; break;
        case O_PORTS: o->v.ports = optarg; break;
        case O_RPC: o->v.rpc_range = optarg; break;
        case O_SOURCE: o->v.source = optarg; break;
        case O_TARGET: o->v.target = optarg; break;
        case O_LOCAL: o->v.local = optarg; break;
        case 'h': cmd_live_usage(); return 1;
        case ':': return live_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return live_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return live_usage_error("unexpected argument '%s'", argv[optind]);
    if (o->iface == NULL && !o->print_filter)
        return live_usage_error("%s", "which interface? give -i IFACE (or -i any)");
    if (cli_report_check("live", &o->r) != 0)
        return -1;
    return cli_verdict_setup("live", &o->v, &o->cfg.verdict);
}
