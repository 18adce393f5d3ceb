/* app/cmd_analyze_opts.c: the command line of `fwsight analyze`: its help, its options, and
 * the profile and hosts they name. Running the analysis is cmd_analyze.c's. */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "cli.h"
#include "cmd_analyze.h"
#include "cmd_analyze_int.h"
#include "ui/tui.h"

static const char analyze_usage[] =
    "usage: fwsight analyze [OPTIONS] FILE [FILE2 [FILE3 ... FILE8]]\n"
    "\n"
    "Reads a saved capture (pcap, pcapng, either one gzip-compressed, or - for stdin),\n"
    "tracks every TCP, UDP and ICMP connection the way Zeek does (conn_state, history),\n"
    "gives a firewall verdict for every port attempted and every port of the profile (OPEN,\n"
    "CLOSED, DROPPED, REPLY-DROPPED, REJECTED, PARTIAL, STALLED, UNREACHABLE, INCONCLUSIVE,\n"
    "UNTESTED) with its evidence and advice, names the look-alikes that are no firewall's\n"
    "doing (a full listen backlog, rate-limited refusals, a capture that ended too soon...),\n"
    "and prints the report on stdout.\n"
    "\n"
    "Windows captures: pcapng as pktmon (pktmon etl2pcap) and Wireshark write it, a packet\n"
    "logged at several interfaces or pktmon components counted once; an ETL or Network\n"
    "Monitor file is refused with the command that converts it (docs/windows.md).\n"
    "\n"
    "With FILE2, the capture of the same test taken on the other server: both are read, the\n"
    "same attempts are matched in both despite the clock offset between the machines (it is\n"
    "estimated and printed), and the verdicts tell a request that never arrived (DROPPED)\n"
    "from one that arrived and whose answer was lost (REPLY-DROPPED), and a drop before the\n"
    "far host from one after it. --local then names FILE's host; FILE2's is inferred.\n"
    "\n"
    "With three to eight captures of one test taken at several points of the path (the two\n"
    "servers, a firewall's inside and outside, a tap): they are ordered along the path by\n"
    "the TTL of the same packets (matched by addresses, ports, sequence numbers and IP ID,\n"
    "not by time), the two end captures give the verdicts as FILE and FILE2 would, and for\n"
    "each blocked path the report names the segment where its requests or answers vanish\n"
    "and where a reset or ICMP error first appears. The order of the arguments does not\n"
    "matter; stdin is not one of them.\n"
    "\n"
    "Options:\n"
    "  --profile NAME|FILE  the ports under test (default double-take; see 'fwsight profiles')\n"
    "  --ports LIST         test these ports instead of the profile's TCP/UDP ones:\n"
    "                       6320,6325-6326,udp:137,tcp:135-139 (no prefix: TCP and UDP)\n"
    "  --rpc-range LO-HI    the dynamic RPC range set on the servers (replaces the profile's)\n"
    "  --source ADDR --target ADDR\n"
    "                       the two servers under test (both or neither): their untested\n"
    "                       ports are listed even when the capture shows no traffic on them\n"
    "  --local ADDR         the host the capture was taken on, when it cannot be inferred\n"
    "  --conn-log PATH      also write a Zeek-compatible conn.log to PATH (- for stdout:\n"
    "                       then stdout carries the conn.log only, no report); a new file:\n"
    "                       never through a symbolic link, never over an existing file\n"
    "                       unless --force; a write error is said as it happens\n"
    "  --html FILE          also write the verdicts as one self-contained HTML page for a\n"
    "                       ticket: the change to make, the matrix, and per blocked path a\n"
    "                       ladder diagram of the packets that prove it (no script, nothing\n"
    "                       fetched); a new file, as for --conn-log. The captures are read\n"
    "                       again for the packets (not stdin: its ladders are left empty)\n"
    "  --force              let --conn-log and --html replace an existing file\n"
    "  --json               print the report as one JSON document, and write the conn.log\n"
    "                       as JSON lines (Zeek's field names)\n"
    CLI_REPORT_HELP
    "  --ui                 browse the verdicts in the interactive view (needs a terminal):\n"
    "                       the change to make first (c shows all of it), then the matrix;\n"
    "                       q quits, ? shows the keys\n"
    "  --report             with --ui: print the report when the view is left\n"
    "  --mouse              with --ui: clicks select (the mouse then no longer selects text)\n"
    "  --verify-checksums   verify IP and TCP/UDP checksums as Zeek does by default: drop\n"
    "                       packets with a bad IP checksum, mark bad TCP/UDP ones 'C' in the\n"
    "                       history. Off by default: a capture taken on the sending host\n"
    "                       shows checksum offload as bad checksums on every packet it sent\n"
    "  --max-flows N        track at most N connections at once (default %u); beyond it\n"
    "                       the oldest idle one is cut short and counted as an eviction\n"
    "  --max-verdicts N     keep at most N (from, to, protocol, port) verdicts (default %u:\n"
    "                       the table grows with the capture, to 80-110 MiB at most at the\n"
    "                       default, about 330 bytes a verdict); beyond it OPEN ones outside\n"
    "                       the profile make room, then new attempts are counted but not\n"
    "                       judged (the report warns)\n"
    "  -q, --quiet          no report on stdout (with --conn-log: only the log)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found (a verdict DROPPED, REPLY-DROPPED,\n"
    "REJECTED, PARTIAL, STALLED or UNREACHABLE that no look-alike explains away), 2 usage or\n"
    "input error (for a capture that ends in the middle of a packet, what was read before is\n"
    "still analysed and reported, and the status is 2).\n";

void cmd_analyze_usage(void)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    printf(analyze_usage, cfg.max_flows, VERDICT_DEFAULT_MAX_CELLS);
}

static int usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("analyze", fmt, arg);
}

int analyze_parse(int argc, char **argv, struct analyze_opts *o)
{
    enum { OPT_CONN_LOG = 256, OPT_FORCE, OPT_VERIFY, OPT_MAX_FLOWS, OPT_MAX_VERDICTS,
           OPT_PROFILE, OPT_PORTS, OPT_RPC_RANGE, OPT_SOURCE, OPT_TARGET, OPT_LOCAL, OPT_UI,
           OPT_REPORT, OPT_HTML, OPT_MOUSE };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"rpc-range", required_argument, NULL, OPT_RPC_RANGE},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"target", required_argument, NULL, OPT_TARGET},
        {"local", required_argument, NULL, OPT_LOCAL},
        {"conn-log", required_argument, NULL, OPT_CONN_LOG},
        {"force", no_argument, NULL, OPT_FORCE},
        {"html", required_argument, NULL, OPT_HTML},
        CLI_REPORT_OPTIONS,
        {"ui", no_argument, NULL, OPT_UI},
        {"report", no_argument, NULL, OPT_REPORT},
        {"mouse", no_argument, NULL, OPT_MOUSE},
        {"verify-checksums", no_argument, NULL, OPT_VERIFY},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"max-verdicts", required_argument, NULL, OPT_MAX_VERDICTS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0; /* our own messages, which name the command */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        unsigned long n;
        int taken = cli_report_opt("analyze", c, optarg, &o->r);
        if (taken != 0) {
            if (taken < 0)
                return -1;
            continue;
        }
        switch (c) {
        case OPT_CONN_LOG: o->conn_log = optarg; break;
        case OPT_FORCE: o->force = true; break;
        case OPT_HTML: o->html = optarg; break;
        case OPT_UI: o->ui = true; break;
        case OPT_REPORT: o->report = true; break;
        case OPT_MOUSE: o->mouse = true; break;
        case OPT_VERIFY: o->cfg.verify_checksums = true; break;
        case OPT_MAX_FLOWS:
            if (cli_number("analyze", "--max-flows", optarg, 1, UINT32_MAX, &n) != 0)
                return -1;
            o->cfg.max_flows = (uint32_t)n;
            break;
        case OPT_MAX_VERDICTS:
            if (cli_number("analyze", "--max-verdicts", optarg, 16, 1u << 22, &n) != 0)
                return -1;
            o->cfg.verdict.max_cells = (uint32_t)n;
            break;
        case OPT_PROFILE: o->v.profile = optarg; break;
        case OPT_PORTS: o->v.ports = optarg; break;
        case OPT_RPC_RANGE: o->v.rpc_range = optarg; break;
        case OPT_SOURCE: o->v.source = optarg; break;
        case OPT_TARGET: o->v.target = optarg; break;
        case OPT_LOCAL: o->v.local = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': cmd_analyze_usage(); return 1;
        case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return usage_error("%s", "which capture? give a FILE (or - for stdin)");
    if (argc - optind > PATH_MAX_CAPTURES)
        return usage_error("at most eight captures of one path, not '%s' too",
                           argv[optind + PATH_MAX_CAPTURES]);
    o->nfiles = (size_t)(argc - optind);
    for (size_t i = 0; i < o->nfiles; i++) {
        o->files[i] = argv[optind + (int)i];
        if (o->nfiles > 2 && strcmp(o->files[i], "-") == 0)
            return usage_error("%s", "more than two captures are read twice: give each as a "
                                     "file, not stdin ('-')");
    }
    o->file = argv[optind];
    o->file2 = argc - optind == 2 ? argv[optind + 1] : NULL;
    if (o->file2 != NULL && strcmp(o->file, "-") == 0 && strcmp(o->file2, "-") == 0)
        return usage_error("%s", "only one of the two captures can be stdin ('-')");
    if (cli_report_check("analyze", &o->r) != 0)
        return -1;
    if (o->r.rules != NULL && o->ui)
        return usage_error("%s", "--rules prints the rules alone: not with --ui");
    if (o->html != NULL && (o->html[0] == '\0' || strcmp(o->html, "-") == 0))
        return usage_error("%s", "--html writes a file: give its path");
    if (o->report && !o->ui)
        return usage_error("%s", "--report goes with --ui (without it the report is printed)");
    /* The view reads keys from stdin: a capture on stdin would leave it no keyboard. */
    if (o->ui && (strcmp(o->file, "-") == 0 || (o->file2 && strcmp(o->file2, "-") == 0)))
        return usage_error("%s", "--ui reads the keyboard on stdin: give the capture as a file");
    if (o->ui && (o->conn_log != NULL && strcmp(o->conn_log, "-") == 0))
        return usage_error("%s", "--ui draws on stdout: --conn-log - cannot share it");
    if (o->ui && !tui_is_possible())
        return usage_error("%s", "--ui needs a terminal on stdin and stdout");
    if (o->mouse && !o->ui)
        return usage_error("%s", "--mouse goes with --ui");
    /* A terminal that cannot draw (TERM=dumb) would show a blank screen: the report instead. */
    char why[FW_ERRLEN];
    if (o->ui && !tui_can_draw(why)) {
        fprintf(stderr, "fwsight: %s; printing the report instead\n", why);
        o->ui = false;
    }
    return cli_verdict_setup("analyze", &o->v, &o->cfg.verdict);
}
