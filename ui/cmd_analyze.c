/* ui/cmd_analyze.c: `fwsight analyze FILE [FILE2]`: reads one saved capture, or the two servers'
 * captures of one test, through the analyzer; writes the conn.log as connections end; correlates
 * two captures; prints the report (text or JSON) or opens the ncurses view (--ui). Reading is
 * capture/cap_file's, the analysis analyze/'s, the views the other ui/ files'.
 *
 * Exit status: 0 nothing blocked, 1 blocking found (a verdict DROPPED, REPLY-DROPPED, REJECTED
 * or PARTIAL), 2 usage or input error (a truncated capture too: what came before it is still
 * reported, and the input error wins over 1, as the verdicts may rest on half a capture). */
#include "cmd_analyze.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/analyzer.h"
#include "analyze/profile.h"
#include "capture/cap_file.h"
#include "attempt_ring.h"
#include "cli.h"
#include "cmd_profiles.h"
#include "connlog.h"
#include "msg.h"
#include "report.h"
#include "tui.h"

enum { EXIT_OK = 0, EXIT_BLOCKED = 1, EXIT_USAGE = 2 };

static const char analyze_usage[] =
    "usage: fwsight analyze [OPTIONS] FILE [FILE2]\n"
    "\n"
    "Reads a saved capture (pcap, pcapng, either one gzip-compressed, or - for stdin),\n"
    "tracks every TCP, UDP and ICMP connection the way Zeek does (conn_state, history),\n"
    "gives a firewall verdict for every port attempted and every port of the profile (OPEN,\n"
    "CLOSED, DROPPED, REPLY-DROPPED, REJECTED, PARTIAL, UNTESTED) with its evidence and\n"
    "advice, and prints the report on stdout.\n"
    "\n"
    "With FILE2, the capture of the same test taken on the other server: both are read, the\n"
    "same attempts are matched in both despite the clock offset between the machines (it is\n"
    "estimated and printed), and the verdicts tell a request that never arrived (DROPPED)\n"
    "from one that arrived and whose answer was lost (REPLY-DROPPED), and a drop before the\n"
    "far host from one after it. --local then names FILE's host; FILE2's is inferred.\n"
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
    "  --ui                 browse the verdicts in the interactive view (needs a terminal);\n"
    "                       q quits, ? shows the keys\n"
    "  --report             with --ui: print the report when the view is left\n"
    "  --verify-checksums   verify IP and TCP/UDP checksums as Zeek does by default: drop\n"
    "                       packets with a bad IP checksum, mark bad TCP/UDP ones 'C' in the\n"
    "                       history. Off by default: a capture taken on the sending host\n"
    "                       shows checksum offload as bad checksums on every packet it sent\n"
    "  --max-flows N        track at most N connections at once (default %u); beyond it\n"
    "                       the oldest idle one is cut short and counted as an eviction\n"
    "  --max-verdicts N     keep at most N (from, to, protocol, port) verdicts (default %u);\n"
    "                       beyond it OPEN ones outside the profile make room, then new\n"
    "                       attempts are counted but not judged (the report warns)\n"
    "  -q, --quiet          no report on stdout (with --conn-log: only the log)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found (a verdict DROPPED, REPLY-DROPPED,\n"
    "REJECTED or PARTIAL), 2 usage or input error (for a capture that ends in the middle of\n"
    "a packet, what was read before is still analysed and reported, and the status is 2).\n";

void cmd_analyze_usage(void)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    printf(analyze_usage, cfg.max_flows, VERDICT_DEFAULT_MAX_CELLS);
}


struct analyze_opts {
    const char *file, *file2; /* file2: the other server's capture of the same test, or NULL */
    const char *conn_log; /* NULL: none */
    bool json, quiet;
    bool ui, report;      /* --ui: the interactive view; --report: the report after it */
    struct cli_verdict v; /* --profile, --ports, --rpc-range, --source, --target, --local */
    struct fw_config cfg;
};

/* What the analyzer's sink needs: every finished connection streams to the conn.log and the
 * report's fixed-size aggregate; none is kept. One per capture (two for analyze A B). */
struct analyze_run {
    struct analyzer *a;
    struct connlog *log; /* NULL: none; two captures write one log, the first one's first */
    struct attempt_ring *attempts; /* --ui: the view's attempts pane; NULL: not kept */
    uint64_t log_open_us;
    struct report rep;
    struct cap_file *cf;
    struct report_capture cap;
    bool read_failed;
    char err[FW_ERRLEN];
};

static void analyze_sink(void *ctx, const struct conn_record *r)
{
    struct analyze_run *run = ctx;
    if (run->log != NULL)
        connlog_write(run->log, r, run->log_open_us != 0 ? run->log_open_us
                                                        : analyzer_stats(run->a)->first_ts_us);
    report_add(&run->rep, r);
    if (run->attempts != NULL)
        attempt_ring_add(run->attempts, r);
}

static int usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("analyze", fmt, arg);
}

static int analyze_parse(int argc, char **argv, struct analyze_opts *o)
{
    enum { OPT_CONN_LOG = 256, OPT_JSON, OPT_VERIFY, OPT_MAX_FLOWS, OPT_MAX_VERDICTS, OPT_PROFILE, OPT_PORTS,
           OPT_RPC_RANGE, OPT_SOURCE, OPT_TARGET, OPT_LOCAL, OPT_UI, OPT_REPORT };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"rpc-range", required_argument, NULL, OPT_RPC_RANGE},
        {"source", required_argument, NULL, OPT_SOURCE},
        {"target", required_argument, NULL, OPT_TARGET},
        {"local", required_argument, NULL, OPT_LOCAL},
        {"conn-log", required_argument, NULL, OPT_CONN_LOG},
        {"json", no_argument, NULL, OPT_JSON},
        {"ui", no_argument, NULL, OPT_UI},
        {"report", no_argument, NULL, OPT_REPORT},
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
        switch (c) {
        case OPT_CONN_LOG: o->conn_log = optarg; break;
        case OPT_JSON: o->json = true; break;
        case OPT_UI: o->ui = true; break;
        case OPT_REPORT: o->report = true; break;
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
    if (argc - optind > 2)
        return usage_error("at most two captures (one per server), not '%s' too",
                           argv[optind + 2]);
    o->file = argv[optind];
    o->file2 = argc - optind == 2 ? argv[optind + 1] : NULL;
    if (o->file2 != NULL && strcmp(o->file, "-") == 0 && strcmp(o->file2, "-") == 0)
        return usage_error("%s", "only one of the two captures can be stdin ('-')");
    if (o->report && !o->ui)
        return usage_error("%s", "--report goes with --ui (without it the report is printed)");
    /* The view reads keys from stdin: a capture on stdin would leave it no keyboard. */
    if (o->ui && (strcmp(o->file, "-") == 0 || (o->file2 && strcmp(o->file2, "-") == 0)))
        return usage_error("%s", "--ui reads the keyboard on stdin: give the capture as a file");
    if (o->ui && (o->conn_log != NULL && strcmp(o->conn_log, "-") == 0))
        return usage_error("%s", "--ui draws on stdout: --conn-log - cannot share it");
    if (o->ui && !tui_is_possible())
        return usage_error("%s", "--ui needs a terminal on stdin and stdout");
    return cli_verdict_setup("analyze", &o->v, &o->cfg.verdict);
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

/* Opens one capture (vantage 0 or 1) and checks what can be checked before reading it.
 * Returns 0, or -1 with the message printed. */
static int analyze_open(const char *file, int vantage, struct analyze_run *run)
{
    run->cf = cap_file_open(file, vantage, run->err);
    if (run->cf == NULL) {
        msg_printf("fwsight: %s\n", run->err);
        return -1;
    }
    const struct cap_file_info *info = cap_file_info(run->cf);
    if (info->linktype >= 0 && !decode_has_linktype(info->linktype)) {
        msg_printf("fwsight: %s: unsupported link type %d (fwsight(1) lists those it "
                   "reads)\n", file, info->linktype);
        return -1;
    }
    return 0;
}

/* Reads an opened capture into run. Returns 0 (a read cut short is reported, and
 * run->read_failed set), or -1 when nothing can be analysed (message printed). */
static int analyze_capture(const char *file, const struct fw_config *cfg,
                           struct analyze_run *run)
{
    report_init(&run->rep);
    run->a = analyzer_new(cfg, analyze_sink, run);
    if (run->a == NULL) {
        msg_printf("fwsight: out of memory\n");
        return -1;
    }
    int rrc = analyze_read(run->cf, run->a, run->err);
    const struct cap_file_info *info;
    if (rrc == -2) {
        msg_printf("fwsight: %s\n", run->err);
        return -1;
    }
    run->read_failed = rrc < 0;
    if (run->read_failed)
        msg_printf("fwsight: %s\n", run->err);
    analyzer_finish(run->a);
    info = cap_file_info(run->cf);
    if (info->bad_records > 0)
        msg_printf("fwsight: warning: %s (%llu bad records skipped in all)\n",
                cap_file_warning(run->cf), (unsigned long long)info->bad_records);
    run->cap = (struct report_capture){
        .file = file, .format = info->format, .gzip = info->gzip,
        .linktype = info->linktype, .packets = info->frames, .bad_records = info->bad_records,
        .warning = cap_file_warning(run->cf), .error = run->read_failed ? run->err : NULL,
    };
    return 0;
}

/* Attempts kept per capture for matching two captures: a test's attempts fit many times
 * over; a busy server's capture is cut there, and what was not kept is counted. */
#define ANALYZE_KEEP_ATTEMPTS 200000u

/* Two captures: match them and settle the combined verdicts into *out (NULL when they could
 * not be combined; then each capture's own verdicts stand). */
static int analyze_correlate(struct analyze_run run[2], const struct fw_config *cfg,
                             struct verdict_collector **out, struct correlate_result *res)
{
    struct correlate_side side[2];
    for (int i = 0; i < 2; i++) {
        const struct verdict_collector *vc = analyzer_verdicts(run[i].a);
        const struct verdict_capture_point *cp = verdict_capture_point(vc);
        side[i] = (struct correlate_side){ verdict_seen_at(vc, 0), verdict_seen_count(vc), {0} };
        if (cp->known)
            side[i].host = cp->addr;
        if (verdict_seen_overflow(vc) > 0)
            msg_printf("fwsight: warning: %s: %llu attempts beyond the first %u were not "
                       "matched with the other capture\n", run[i].cap.file,
                    (unsigned long long)verdict_seen_overflow(vc), ANALYZE_KEEP_ATTEMPTS);
    }
    struct verdict_config vcfg = cfg->verdict;
    vcfg.local = (struct fw_addr){0};
    vcfg.keep_attempts = 0;
    vcfg.combined = true;
    /* Dynamic RPC ports learned from the endpoint mapper: its answer crosses both capture
     * points when it passed at all, so the first capture's table names them. */
    vcfg.rpc = analyzer_rpc_ports(run[0].a);
    *out = verdict_collector_new(&vcfg);
    if (*out == NULL || correlate_run(&side[0], &side[1], *out, res) != 0 ||
        verdict_collector_settle(*out) != 0)
        return -1;
    if (res->same_host || res->matched == 0) {
        verdict_collector_free(*out);
        *out = NULL;
    }
    return 0;
}

/* Two captures in the view: one list of attempts where each is listed once, and where each
 * capture was taken. Out of memory, capture 1's attempts alone (marked as one capture's). */
static void analyze_browse_two(const struct analyze_run run[2], const struct correlate_result
                               *corr, const struct verdict_collector *combined,
                               struct attempt_ring *merged, struct view_two *two)
{
    struct fw_addr host[2] = {{0}};
    for (int v = 0; v < 2; v++) {
        two->cp[v] = verdict_capture_point(analyzer_verdicts(run[v].a));
        if (two->cp[v]->known)
            host[v] = two->cp[v]->addr;
    }
    two->corr = corr;
    two->combined = combined != NULL;
    if (run[0].attempts != NULL && run[1].attempts != NULL)
        attempt_ring_merge(merged, run[0].attempts, run[1].attempts,
                           corr->offset_known ? corr->offset_us : 0, host);
}

/* --ui: the finished analysis in the interactive view; the combined verdicts of two captures
 * when there are some. Returns 0, or -1 when the terminal could not be used (message printed). */
static int analyze_browse(const struct analyze_opts *o, const struct analyze_run run[2],
                          int ncap, const struct verdict_collector *combined,
                          const struct correlate_result *corr)
{
    char title[300], short_title[300], err[FW_ERRLEN];
    const struct analyzer_stats *st = analyzer_stats(run[0].a);
    uint64_t first = st->first_ts_us, last = st->last_ts_us, packets = run[0].cap.packets;
    struct attempt_ring merged = {0};
    struct view_two two = {0};
    if (ncap == 2) {
        const struct analyzer_stats *st2 = analyzer_stats(run[1].a);
        first = st2->first_ts_us != 0 && st2->first_ts_us < first ? st2->first_ts_us : first;
        last = st2->last_ts_us > last ? st2->last_ts_us : last;
        packets += run[1].cap.packets;
        analyze_browse_two(run, corr, combined, &merged, &two);
    }
    snprintf(title, sizeof title, "analyze %.120s%s%.120s", o->file, ncap == 2 ? " + " : "",
             ncap == 2 ? o->file2 : "");
    snprintf(short_title, sizeof short_title, "analyze %.120s%s%.120s",
             view_short_path(o->file, o->file2), ncap == 2 ? " + " : "",
             ncap == 2 ? view_short_path(o->file2, o->file) : "");
    struct view_input in = {
        .vc = combined != NULL ? combined : analyzer_verdicts(run[0].a), .cfg = &o->cfg,
        .title = title, .short_title = short_title, .packets = packets,
        .elapsed_us = last > first ? last - first : 0, .on_disk = title + strlen("analyze "),
        .attempts = merged.slot != NULL ? &merged : run[0].attempts,
        .two = ncap == 2 ? &two : NULL,
        .profile = o->v.prof != NULL ? o->v.prof->name : NULL,
    };
    /* The text report warns when the verdict table was full; a view user needs telling too,
     * and the view shows messages (msg.h). Said only here, so stderr without it is as was. */
    char why[400];
    if (report_verdicts_incomplete(in.vc, "the verdicts", why, sizeof why))
        msg_printf("fwsight: warning: %s\n", why);
    int rc = tui_browse(&in, err);
    msg_release(); /* the view printed them as it closed; one that did not open, here */
    attempt_ring_fini(&merged);
    if (rc != 0) {
        msg_printf("fwsight: %s\n", err);
        return -1;
    }
    return 0;
}

int cmd_analyze(int argc, char **argv)
{
    struct analyze_opts o = {0};
    struct analyze_run run[2] = {{0}};
    struct connlog log;
    struct verdict_collector *combined = NULL;
    struct correlate_result corr;
    struct attempt_ring attempts[2] = {{0}};
    FILE *log_out = NULL;
    int status = EXIT_USAGE;

    fw_config_defaults(&o.cfg);
    int prc = analyze_parse(argc, argv, &o);
    if (prc != 0) {
        status = prc > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    /* With --ui the analysis' messages wait for the view, which shows them, and are printed
     * when it closes: printed now, before it, the view would hide them. */
    if (o.ui)
        msg_hold();
    int ncap = o.file2 != NULL ? 2 : 1;
    if (analyze_open(o.file, 0, &run[0]) != 0 || (ncap == 2 && analyze_open(o.file2, 1, &run[1])
                                                   != 0))
        goto out;
    if (o.conn_log != NULL && (analyze_same_file(o.file, o.conn_log) ||
                               (ncap == 2 && analyze_same_file(o.file2, o.conn_log)))) {
        msg_printf("fwsight: %s: refusing to write the conn.log over the capture "
                   "itself\n", o.conn_log);
        goto out;
    }
    if (o.conn_log != NULL) {
        log_out = strcmp(o.conn_log, "-") == 0 ? stdout : fopen(o.conn_log, "w");
        if (log_out == NULL) {
            msg_printf("fwsight: %s: cannot write the conn.log: %s\n", o.conn_log,
                    strerror(errno));
            goto out;
        }
        connlog_init(&log, log_out, o.json ? CONNLOG_JSON : CONNLOG_TSV);
        run[0].log = run[1].log = &log;
    }
    /* Only the view lists attempts: without --ui nothing is copied. Out of memory, the pane
     * just says none were kept. One ring per capture: the view merges them (an attempt both
     * saw is listed once), and a busy first capture cannot push the second's out. */
    if (o.ui) {
        for (int i = 0; i < ncap; i++) {
            attempt_ring_init(&attempts[i], 0);
            run[i].attempts = &attempts[i];
        }
    }
    /* One capture after the other, each by its own analyzer: memory stays bounded. --local
     * names the first capture's host; the second's is inferred. */
    struct fw_config cfg2 = o.cfg;
    if (ncap == 2) {
        o.cfg.verdict.keep_attempts = cfg2.verdict.keep_attempts = ANALYZE_KEEP_ATTEMPTS;
        cfg2.verdict.local = (struct fw_addr){0};
    }
    if (analyze_capture(o.file, &o.cfg, &run[0]) != 0)
        goto out;
    if (ncap == 2) {
        run[1].log_open_us = analyzer_stats(run[0].a)->first_ts_us;
        if (analyze_capture(o.file2, &cfg2, &run[1]) != 0)
            goto out;
        if (analyze_correlate(run, &o.cfg, &combined, &corr) != 0) {
            msg_printf("fwsight: out of memory\n");
            goto out;
        }
    }

    const struct analyzer_stats *st = analyzer_stats(run[0].a);
    const struct analyzer_stats *st2 = ncap == 2 ? analyzer_stats(run[1].a) : st;
    status = run[0].read_failed || run[ncap - 1].read_failed ? EXIT_USAGE : EXIT_OK;
    if (log_out != NULL &&
        connlog_fini(&log, st->first_ts_us, st2->last_ts_us > st->last_ts_us ? st2->last_ts_us
                                                                             : st->last_ts_us)
            != 0) {
        msg_printf("fwsight: %s: writing the conn.log failed\n", o.conn_log);
        status = EXIT_USAGE;
    }
    struct report_two two = {
        .rep = { &run[0].rep, &run[1].rep }, .cap = { &run[0].cap, &run[1].cap },
        .st = { st, st2 }, .vc = { analyzer_verdicts(run[0].a), analyzer_verdicts(run[1].a) },
        .combined = combined, .corr = &corr,
    };
    if (o.ui && analyze_browse(&o, run, ncap, combined, &corr) != 0)
        status = EXIT_USAGE;
    if (!o.quiet && log_out != stdout && (!o.ui || o.report)) {
        if (ncap == 2 && o.json)
            report_print_two_json(stdout, &two, &o.cfg);
        else if (ncap == 2)
            report_print_two_text(stdout, &two, &o.cfg);
        else if (o.json)
            report_print_json(stdout, &run[0].rep, &run[0].cap, st, &o.cfg, two.vc[0]);
        else {
            report_print_verdicts(stdout, two.vc[0], &o.cfg);
            report_print_text(stdout, &run[0].rep, &run[0].cap, st, &o.cfg);
        }
    }
    if (ncap == 2 && corr.same_host)
        msg_printf("fwsight: warning: %s and %s were both captured on the same host: "
                   "they were not combined\n", o.file, o.file2);
    bool blocking = false;
    if (ncap == 2) {
        blocking = report_two_blocking(&two);
    } else {
        for (size_t i = 0; i < verdict_count(two.vc[0]); i++)
            blocking = blocking || report_verdict_blocking(verdict_at(two.vc[0], i));
    }
    if (status == EXIT_OK && blocking)
        status = EXIT_BLOCKED;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_printf("fwsight: writing to stdout failed\n");
        status = EXIT_USAGE;
    }

out:
    msg_release(); /* --ui: the view did not open */
    if (log_out != NULL && log_out != stdout && fclose(log_out) != 0 && status != EXIT_USAGE) {
        msg_printf("fwsight: %s: writing the conn.log failed\n", o.conn_log);
        status = EXIT_USAGE;
    }
    verdict_collector_free(combined);
    attempt_ring_fini(&attempts[0]);
    attempt_ring_fini(&attempts[1]);
    for (int i = 0; i < 2; i++) {
        analyzer_free(run[i].a);
        cap_file_close(run[i].cf);
    }
    cli_verdict_fini(&o.v);
    return status;
}
