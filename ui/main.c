/* ui/main.c: the fwsight command line. It parses the command and its options, wires a
 * capture source into the analyzer and the analyzer's finished connections into the views
 * (report, JSON, conn.log), and alone decides the exit status. It is the only file that sees
 * all three layers; the work itself is capture/'s, analyze/'s and the other ui/ files'.
 *
 * Exit status: 0 nothing blocked, 1 blocking found (a verdict DROPPED, REPLY-DROPPED, REJECTED
 * or PARTIAL), 2 usage or input error (a truncated capture too: what came before it is still
 * reported, and the input error wins over 1, as the verdicts may rest on half a capture). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/analyzer.h"
#include "capture/cap_file.h"
#include "cmd_profiles.h"
#include "connlog.h"
#include "report.h"

enum { EXIT_OK = 0, EXIT_BLOCKED = 1, EXIT_USAGE = 2 };

static const char main_usage[] =
    "usage: fwsight COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "fwsight tells which firewall blocks which port, in which direction, and how.\n"
    "\n"
    "Commands:\n"
    "  analyze FILE           analyse a saved capture (pcap, pcapng, .gz, - for stdin):\n"
    "                         which ports pass, which are blocked, where, and how\n"
    "  profiles [NAME|FILE]   list the port profiles, or show one and what each port is for\n"
    "  help [COMMAND]         show this help, or a command's\n"
    "\n"
    "Options:\n"
    "  -h, --help             show this help\n"
    "  --version              show the version\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found, 2 usage or input error.\n"
    "See fwsight(1) and 'fwsight help analyze'.\n";

static const char analyze_usage[] =
    "usage: fwsight analyze [OPTIONS] FILE\n"
    "\n"
    "Reads a saved capture (pcap, pcapng, either one gzip-compressed, or - for stdin),\n"
    "tracks every TCP, UDP and ICMP connection the way Zeek does (conn_state, history),\n"
    "gives a firewall verdict for every port attempted and every port of the profile (OPEN,\n"
    "CLOSED, DROPPED, REPLY-DROPPED, REJECTED, PARTIAL, UNTESTED) with its evidence and\n"
    "advice, and prints the report on stdout.\n"
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
    "                       then stdout carries the conn.log only, no report)\n"
    "  --json               print the report as one JSON document, and write the conn.log\n"
    "                       as JSON lines (Zeek's field names)\n"
    "  --verify-checksums   verify IP and TCP/UDP checksums as Zeek does by default: drop\n"
    "                       packets with a bad IP checksum, mark bad TCP/UDP ones 'C' in the\n"
    "                       history. Off by default: a capture taken on the sending host\n"
    "                       shows checksum offload as bad checksums on every packet it sent\n"
    "  --max-flows N        track at most N connections at once (default %u); beyond it\n"
    "                       the oldest idle one is cut short and counted as an eviction\n"
    "  -q, --quiet          no report on stdout (with --conn-log: only the log)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found (a verdict DROPPED, REPLY-DROPPED,\n"
    "REJECTED or PARTIAL), 2 usage or input error (for a capture that ends in the middle of\n"
    "a packet, what was read before is still analysed and reported, and the status is 2).\n";

struct analyze_opts {
    const char *file;
    const char *conn_log; /* NULL: none */
    bool json, quiet;
    const char *profile, *ports, *rpc_range; /* NULL: not given */
    const char *source, *target, *local;
    struct fw_config cfg;
    struct profile *prof;       /* owns the service names cfg.verdict.ports borrows */
    struct verdict_port *vports;
};

/* What the analyzer's sink needs: every finished connection streams to the conn.log and the
 * report's fixed-size aggregate; none is kept. */
struct analyze_run {
    struct analyzer *a;
    struct connlog log;
    bool have_log;
    struct report rep;
};

static void analyze_sink(void *ctx, const struct conn_record *r)
{
    struct analyze_run *run = ctx;
    if (run->have_log)
        connlog_write(&run->log, r, analyzer_stats(run->a)->first_ts_us);
    report_add(&run->rep, r);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("fwsight analyze: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see 'fwsight help analyze')\n", stderr);
    return -1;
}

static int parse_addr(const char *opt, const char *text, struct fw_addr *a)
{
    char what[64];
    if (fw_addr_parse(a, text))
        return 0;
    snprintf(what, sizeof what, "%s wants an IPv4 or IPv6 address, not '%%s'", opt);
    return usage_error(what, text);
}

/* The profile (with --ports and --rpc-range applied) and the hosts become cfg.verdict. */
static int analyze_setup_verdicts(struct analyze_opts *o)
{
    char err[FW_ERRLEN] = "";
    struct verdict_config *vc = &o->cfg.verdict;
    if ((o->source == NULL) != (o->target == NULL))
        return usage_error("%s", "--source and --target name the two servers under test: give "
                                 "both or neither");
    if (o->source != NULL && (parse_addr("--source", o->source, &vc->source) != 0 ||
                              parse_addr("--target", o->target, &vc->target) != 0))
        return -1;
    if (o->source != NULL && fw_addr_eq(&vc->source, &vc->target))
        return usage_error("--source and --target are the same address '%s'", o->source);
    if (o->local != NULL && parse_addr("--local", o->local, &vc->local) != 0)
        return -1;

    o->prof = profile_load_args(o->profile, o->ports, o->rpc_range, err);
    if (o->prof == NULL)
        return usage_error("%s", err);
    size_t n = verdict_ports_from_profile(o->prof, NULL, 0);
    o->vports = calloc(n > 0 ? n : 1, sizeof *o->vports);
    if (o->vports == NULL)
        return usage_error("%s", "out of memory");
    vc->ports = o->vports;
    vc->nports = verdict_ports_from_profile(o->prof, o->vports, n);
    return 0;
}

static int analyze_parse(int argc, char **argv, struct analyze_opts *o)
{
    enum { OPT_CONN_LOG = 256, OPT_JSON, OPT_VERIFY, OPT_MAX_FLOWS, OPT_PROFILE, OPT_PORTS,
           OPT_RPC_RANGE, OPT_SOURCE, OPT_TARGET, OPT_LOCAL };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"rpc-range", required_argument, NULL, OPT_RPC_RANGE},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"target", required_argument, NULL, OPT_TARGET},
        {"local", required_argument, NULL, OPT_LOCAL},
        {"conn-log", required_argument, NULL, OPT_CONN_LOG},
        {"json", no_argument, NULL, OPT_JSON},
        {"verify-checksums", no_argument, NULL, OPT_VERIFY},
        {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0; /* our own messages, which name the command */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        char *end;
        unsigned long long n;
        switch (c) {
        case OPT_CONN_LOG: o->conn_log = optarg; break;
        case OPT_JSON: o->json = true; break;
        case OPT_VERIFY: o->cfg.verify_checksums = true; break;
        case OPT_MAX_FLOWS:
            errno = 0;
            n = strtoull(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || n == 0 ||
                n > UINT32_MAX)
                return usage_error("--max-flows wants a number from 1 to 4294967295, not '%s'",
                                   optarg);
            o->cfg.max_flows = (uint32_t)n;
            break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_PORTS: o->ports = optarg; break;
        case OPT_RPC_RANGE: o->rpc_range = optarg; break;
        case OPT_SOURCE: o->source = optarg; break;
        case OPT_TARGET: o->target = optarg; break;
        case OPT_LOCAL: o->local = optarg; break;
        case 'q': o->quiet = true; break;
        case 'h': printf(analyze_usage, o->cfg.max_flows); return 1;
        case ':': return usage_error("option '%s' needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return usage_error("%s", "which capture? give a FILE (or - for stdin)");
    if (argc - optind > 1)
        return usage_error("two captures ('%s'): correlating the captures of both servers is "
                           "not available yet; analyse each one on its own", argv[optind + 1]);
    o->file = argv[optind];
    return analyze_setup_verdicts(o);
}

/* Writing the conn.log over the capture would destroy the evidence before it is read. */
static bool analyze_same_file(const char *capture, const char *log)
{
    struct stat a, b;
    if (strcmp(capture, "-") == 0 || strcmp(log, "-") == 0)
        return false;
    if (strcmp(capture, log) == 0)
        return true;
    return stat(capture, &a) == 0 && stat(log, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Feeds every frame of cf to the analyzer. Returns 0, or -1 with err filled when reading
 * stopped early (what came before was fed and stays valid). */
static int analyze_read(struct cap_file *cf, struct analyzer *a, char err[FW_ERRLEN])
{
    struct frame f;
    bool checked_link = cap_file_info(cf)->linktype >= 0;
    int rc;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        /* pcapng names its link type in a block that may follow the header: check once. */
        if (!checked_link && !decode_has_linktype(f.linktype)) {
            snprintf(err, FW_ERRLEN, "%s: packet %llu: unsupported link type %d",
                     cap_file_path(cf), (unsigned long long)f.number, f.linktype);
            return -2;
        }
        checked_link = true;
        analyzer_feed(a, &f);
    }
    return rc == 0 ? 0 : -1;
}

static int cmd_analyze(int argc, char **argv)
{
    struct analyze_opts o = {0};
    struct analyze_run run = {0};
    struct cap_file *cf = NULL;
    FILE *log_out = NULL;
    char err[FW_ERRLEN] = "";
    int status = EXIT_USAGE;

    fw_config_defaults(&o.cfg);
    int prc = analyze_parse(argc, argv, &o);
    if (prc != 0) {
        status = prc > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }

    cf = cap_file_open(o.file, 0, err);
    if (cf == NULL) {
        fprintf(stderr, "fwsight: %s\n", err);
        goto out;
    }
    const struct cap_file_info *info = cap_file_info(cf);
    if (info->linktype >= 0 && !decode_has_linktype(info->linktype)) {
        fprintf(stderr, "fwsight: %s: unsupported link type %d (fwsight(1) lists those it "
                        "reads)\n", o.file, info->linktype);
        goto out;
    }
    if (o.conn_log != NULL) {
        if (analyze_same_file(o.file, o.conn_log)) {
            fprintf(stderr, "fwsight: %s: refusing to write the conn.log over the capture "
                            "itself\n", o.conn_log);
            goto out;
        }
        log_out = strcmp(o.conn_log, "-") == 0 ? stdout : fopen(o.conn_log, "w");
        if (log_out == NULL) {
            fprintf(stderr, "fwsight: %s: cannot write the conn.log: %s\n", o.conn_log,
                    strerror(errno));
            goto out;
        }
        connlog_init(&run.log, log_out, o.json ? CONNLOG_JSON : CONNLOG_TSV);
        run.have_log = true;
    }
    report_init(&run.rep);
    run.a = analyzer_new(&o.cfg, analyze_sink, &run);
    if (run.a == NULL) {
        fprintf(stderr, "fwsight: out of memory\n");
        goto out;
    }

    int rrc = analyze_read(cf, run.a, err);
    if (rrc == -2) {
        fprintf(stderr, "fwsight: %s\n", err);
        goto out;
    }
    bool read_failed = rrc < 0;
    if (read_failed)
        fprintf(stderr, "fwsight: %s\n", err);
    analyzer_finish(run.a);

    const struct analyzer_stats *st = analyzer_stats(run.a);
    info = cap_file_info(cf);
    if (info->bad_records > 0)
        fprintf(stderr, "fwsight: warning: %s (%llu bad records skipped in all)\n",
                cap_file_warning(cf), (unsigned long long)info->bad_records);
    struct report_capture cap = {
        .file = o.file, .format = info->format, .gzip = info->gzip,
        .linktype = info->linktype, .packets = info->frames, .bad_records = info->bad_records,
        .warning = cap_file_warning(cf), .error = read_failed ? err : NULL,
    };
    status = read_failed ? EXIT_USAGE : EXIT_OK;
    if (run.have_log && connlog_fini(&run.log, st->first_ts_us, st->last_ts_us) != 0) {
        fprintf(stderr, "fwsight: %s: writing the conn.log failed\n", o.conn_log);
        status = EXIT_USAGE;
    }
    if (!o.quiet && log_out != stdout) {
        if (o.json) {
            report_print_json(stdout, &run.rep, &cap, st, &o.cfg, analyzer_verdicts(run.a));
        } else {
            report_print_verdicts(stdout, analyzer_verdicts(run.a), &o.cfg);
            report_print_text(stdout, &run.rep, &cap, st, &o.cfg);
        }
    }
    const struct verdict_collector *vc = analyzer_verdicts(run.a);
    for (size_t i = 0; status == EXIT_OK && i < verdict_count(vc); i++)
        if (report_verdict_blocking(verdict_at(vc, i)))
            status = EXIT_BLOCKED;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fwsight: writing to stdout failed\n");
        status = EXIT_USAGE;
    }

out:
    if (log_out != NULL && log_out != stdout && fclose(log_out) != 0 && status != EXIT_USAGE) {
        fprintf(stderr, "fwsight: %s: writing the conn.log failed\n", o.conn_log);
        status = EXIT_USAGE;
    }
    analyzer_free(run.a);
    cap_file_close(cf);
    free(o.vports);
    profile_free(o.prof);
    return status;
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "analyze") == 0) {
        struct fw_config cfg;
        fw_config_defaults(&cfg);
        printf(analyze_usage, cfg.max_flows);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "profiles") == 0) {
        char *args[] = { argv[1], (char *)"--help", NULL };
        return cmd_profiles(2, args);
    }
    fprintf(stderr, "fwsight help: no command '%s' (see fwsight --help)\n", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "profiles") == 0)
        return cmd_profiles(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(main_usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("fwsight %s\n", FW_VERSION);
        return EXIT_OK;
    }
    if (cmd[0] == '-')
        fprintf(stderr, "fwsight: unknown option '%s' (see fwsight --help)\n", cmd);
    else
        fprintf(stderr, "fwsight: unknown command '%s' (see fwsight --help)\n", cmd);
    return EXIT_USAGE;
}
