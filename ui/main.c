/* ui/main.c: the fwsight command line. It parses the command and its options, wires a
 * capture source into the analyzer and the analyzer's finished connections into the views
 * (report, JSON, conn.log), and alone decides the exit status. It is the only file that sees
 * all three layers; the work itself is capture/'s, analyze/'s and the other ui/ files'.
 *
 * Exit status: 0 analysed (later: nothing blocked), 1 reserved for "blocking found",
 * 2 usage or input error (a truncated capture too: what came before it is still reported). */
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
#include "connlog.h"
#include "report.h"

enum { EXIT_OK = 0, EXIT_USAGE = 2 };

static const char main_usage[] =
    "usage: fwsight COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "fwsight tells which firewall blocks which port, in which direction, and how.\n"
    "\n"
    "Commands:\n"
    "  analyze FILE     analyse a saved capture (pcap, pcapng, .gz, - for stdin)\n"
    "  help [COMMAND]   show this help, or a command's\n"
    "\n"
    "Options:\n"
    "  -h, --help       show this help\n"
    "  --version        show the version\n"
    "\n"
    "Exit status: 0 done, 2 usage or input error.\n"
    "See fwsight(1) and 'fwsight help analyze'.\n";

static const char analyze_usage[] =
    "usage: fwsight analyze [OPTIONS] FILE\n"
    "\n"
    "Reads a saved capture (pcap, pcapng, either one gzip-compressed, or - for stdin),\n"
    "tracks every TCP, UDP and ICMP connection the way Zeek does (conn_state, history) and\n"
    "prints a summary report on stdout.\n"
    "\n"
    "Options:\n"
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
    "Exit status: 0 analysed, 2 usage or input error (for a capture that ends in the\n"
    "middle of a packet, what was read before is still analysed and reported).\n";

struct analyze_opts {
    const char *file;
    const char *conn_log; /* NULL: none */
    bool json, quiet;
    struct fw_config cfg;
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

static int analyze_parse(int argc, char **argv, struct analyze_opts *o)
{
    enum { OPT_CONN_LOG = 256, OPT_JSON, OPT_VERIFY, OPT_MAX_FLOWS };
    static const struct option longopts[] = {
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
    return 0;
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
    if (prc != 0)
        return prc > 0 ? EXIT_OK : EXIT_USAGE;

    cf = cap_file_open(o.file, 0, err);
    if (cf == NULL) {
        fprintf(stderr, "fwsight: %s\n", err);
        return EXIT_USAGE;
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
        if (o.json)
            report_print_json(stdout, &run.rep, &cap, st, &o.cfg);
        else
            report_print_text(stdout, &run.rep, &cap, st, &o.cfg);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fwsight: writing to stdout failed\n");
        status = EXIT_USAGE;
    }

out:
    if (log_out != NULL && log_out != stdout && fclose(log_out) != 0 && status == EXIT_OK) {
        fprintf(stderr, "fwsight: %s: writing the conn.log failed\n", o.conn_log);
        status = EXIT_USAGE;
    }
    analyzer_free(run.a);
    cap_file_close(cf);
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
