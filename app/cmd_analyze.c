/* app/cmd_analyze.c: `fwsight analyze FILE [FILE2]`: reads one saved capture, or the two servers'
 * captures of one test, through the analyzer; writes the conn.log as connections end; prints
 * the report (text or JSON) or opens the ncurses view (--ui). The options are
 * cmd_analyze_opts.c's, matching two captures cmd_analyze_two.c's; reading is
 * capture/cap_file's, the analysis and its outputs session.c's, the views ui/'s.
 *
 * Exit status: 0 nothing blocked, 1 blocking found (verdict_item_blocking: a block no look-alike
 * explains away), 2 usage or input error (a truncated capture too: what came before it is still
 * reported, and the input error wins over 1, as the verdicts may rest on half a capture). */
#include "cmd_analyze.h"

#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "analyze/profile.h"
#include "capture/cap_file.h"
#include "capture/cap_out.h"
#include "cmd_analyze_int.h"
#include "common/exit.h"
#include "hash_key.h"
#include "ui/attempt_ring.h"
#include "ui/connlog.h"
#include "ui/msg.h"
#include "ui/report.h"
#include "ui/tui.h"

/* Writing the conn.log over the capture would destroy the evidence before it is read. */
bool analyze_same_file(const char *capture, const char *log)
{
    struct stat a, b;
    if (strcmp(capture, "-") == 0 || strcmp(log, "-") == 0)
        return false;
    if (strcmp(capture, log) == 0)
        return true;
    return stat(capture, &a) == 0 && stat(log, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Feeds every frame of cf to the session. Returns 0, or -1 with err filled when reading
 * stopped early (what came before was fed and stays valid). */
static int analyze_read(struct cap_file *cf, struct session *s, char err[FW_ERRLEN])
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
        session_feed(s, &f);
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

int analyze_capture(const char *file, const struct fw_config *cfg, struct analyze_run *run)
{
    if (session_init(&run->s, cfg) != 0) {
        msg_printf("fwsight: out of memory\n");
        return -1;
    }
    int rrc = analyze_read(run->cf, &run->s, run->err);
    const struct cap_file_info *info;
    if (rrc == -2) {
        msg_printf("fwsight: %s\n", run->err);
        return -1;
    }
    run->read_failed = rrc < 0;
    if (run->read_failed)
        msg_printf("fwsight: %s\n", run->err);
    info = cap_file_info(run->cf);
    /* The drops a pcapng's statistics record weigh as a live capture's do. */
    session_finish(&run->s, info->has_drops,
                   report_capture_drops(info->if_drops, info->os_drops));
    if (info->bad_records > 0)
        msg_printf("fwsight: warning: %s (%llu bad records skipped in all)\n",
                cap_file_warning(run->cf), (unsigned long long)info->bad_records);
    run->s.cap = (struct report_capture){
        .file = file, .format = info->format, .gzip = info->gzip,
        .linktype = info->linktype, .packets = info->frames, .bad_records = info->bad_records,
        .interfaces = info->interfaces, .duplicates = info->duplicates,
        .warning = cap_file_warning(run->cf), .error = run->read_failed ? run->err : NULL,
        .has_drops = info->has_drops, .saved_drops = info->has_drops,
        .kernel_drops = info->os_drops, .if_drops = info->if_drops,
    };
    return 0;
}

/* --ui: the finished analysis in the interactive view; the combined verdicts of two captures
 * when there are some. Returns 0, or -1 when the terminal could not be used (message printed). */
static int analyze_browse(const struct analyze_opts *o, const struct analyze_run run[2],
                          int ncap, const struct verdict_collector *combined,
                          const struct correlate_result *corr)
{
    char title[300], short_title[300], err[FW_ERRLEN];
    const struct analyzer_stats *st = analyzer_stats(run[0].s.a);
    uint64_t first = st->first_ts_us, last = st->last_ts_us, packets = run[0].s.cap.packets;
    struct attempt_ring merged = {0};
    struct view_two two = {0};
    if (ncap == 2) {
        const struct analyzer_stats *st2 = analyzer_stats(run[1].s.a);
        first = st2->first_ts_us != 0 && st2->first_ts_us < first ? st2->first_ts_us : first;
        last = st2->last_ts_us > last ? st2->last_ts_us : last;
        packets += run[1].s.cap.packets;
        analyze_two_browse(run, corr, combined, &merged, &two);
    }
    snprintf(title, sizeof title, "analyze %.120s%s%.120s", o->file, ncap == 2 ? " + " : "",
             ncap == 2 ? o->file2 : "");
    snprintf(short_title, sizeof short_title, "analyze %.120s%s%.120s",
             view_short_path(o->file, o->file2), ncap == 2 ? " + " : "",
             ncap == 2 ? view_short_path(o->file2, o->file) : "");
    struct report_answer answer = { .profile = o->v.prof, .profile_arg = o->v.profile,
                                    .rpc_range = o->v.rpc_range };
    struct view_input in = {
        .vc = combined != NULL ? combined : analyzer_verdicts(run[0].s.a), .cfg = &o->cfg,
        .title = title, .short_title = short_title, .packets = packets,
        .elapsed_us = last > first ? last - first : 0, .on_disk = title + strlen("analyze "),
        .attempts = merged.slot != NULL ? &merged : run[0].s.attempts,
        .two = ncap == 2 ? &two : NULL,
        .profile = o->v.prof != NULL ? o->v.prof->name : NULL, .answer = &answer,
    };
    /* The text report warns when the verdict table was full; a view user needs telling too,
     * and the view shows messages (msg.h). Said only here, so stderr without it is as was. */
    char why[400];
    if (report_verdicts_incomplete(in.vc, "the verdicts", why, sizeof why))
        msg_printf("fwsight: warning: %s\n", why);
    int rc = tui_browse(&in, o->mouse, err);
    msg_release(); /* the view printed them as it closed; one that did not open, here */
    attempt_ring_fini(&merged);
    if (rc != 0) {
        msg_printf("fwsight: %s\n", err);
        return -1;
    }
    return 0;
}

/* --conn-log, opened before anything is read. Returns 0, or -1 with the message printed. */
static int analyze_log_open(const struct analyze_opts *o, struct connlog *log, FILE **log_out)
{
    bool over = analyze_same_file(o->file, o->conn_log) ||
                (o->file2 != NULL && analyze_same_file(o->file2, o->conn_log));
    for (size_t i = 0; i < o->nfiles; i++)
        over = over || analyze_same_file(o->files[i], o->conn_log);
    if (over) {
        msg_printf("fwsight: %s: refusing to write the conn.log over the capture "
                   "itself\n", o->conn_log);
        return -1;
    }
    if (strcmp(o->conn_log, "-") == 0) {
        *log_out = stdout;
    } else {
        char err[FW_ERRLEN];
        bool created;
        int fd = cap_out_open(o->conn_log, o->force, &created, err);
        if (fd < 0 || (*log_out = fdopen(fd, "w")) == NULL) {
            if (fd >= 0) {
                snprintf(err, sizeof err, "%s: %s", o->conn_log, strerror(errno));
                close(fd);
            }
            msg_printf("fwsight: cannot write the conn.log: %s\n", err);
            return -1;
        }
    }
    connlog_init(log, *log_out, o->r.json ? CONNLOG_JSON : CONNLOG_TSV);
    return 0;
}

int cmd_analyze(int argc, char **argv)
{
    struct analyze_opts o = {0};
    struct analyze_run run[2] = {{.cf = NULL}, {.cf = NULL}};
    struct connlog log = {0};
    struct verdict_collector *combined = NULL;
    struct correlate_result corr;
    struct attempt_ring attempts[2] = {{0}};
    struct path_set *pset = NULL;     /* more than two captures */
    struct report_path *rpath = NULL;
    FILE *log_out = NULL;
    int status = FW_EXIT_USAGE;

    fw_config_defaults(&o.cfg);
    hash_keys_config(&o.cfg);
    int prc = analyze_parse(argc, argv, &o);
    if (prc != 0) {
        status = prc > 0 ? FW_EXIT_OK : FW_EXIT_USAGE;
        goto out;
    }
    /* With --ui the analysis' messages wait for the view, which shows them, and are printed
     * when it closes: printed now, before it, the view would hide them. */
    if (o.ui)
        msg_hold();
    if (o.nfiles > 2) {
        pset = calloc(1, sizeof *pset);
        rpath = calloc(1, sizeof *rpath);
        if (pset == NULL || rpath == NULL) {
            msg_printf("fwsight: out of memory\n");
            goto out;
        }
        int prc2 = analyze_path_prepare(&o, pset, rpath);
        if (prc2 != 0)
            goto out;
    }
    int ncap = o.file2 != NULL ? 2 : 1;
    if (analyze_open(o.file, 0, &run[0]) != 0 || (ncap == 2 && analyze_open(o.file2, 1, &run[1])
                                                   != 0))
        goto out;
    if (o.conn_log != NULL) {
        if (analyze_log_open(&o, &log, &log_out) != 0)
            goto out;
        run[0].s.log = run[1].s.log = &log;
        run[0].s.log_path = run[1].s.log_path = o.conn_log;
    }
    /* Only the view lists attempts: without --ui nothing is copied. Out of memory, the pane
     * just says none were kept. One ring per capture: the view merges them (an attempt both
     * saw is listed once), and a busy first capture cannot push the second's out. */
    if (o.ui) {
        for (int i = 0; i < ncap; i++) {
            attempt_ring_init(&attempts[i], 0);
            run[i].s.attempts = &attempts[i];
        }
    }
    if (ncap == 2 ? analyze_two_read(&o, run, &combined, &corr) != 0
                  : analyze_capture(o.file, &o.cfg, &run[0]) != 0)
        goto out;

    const struct analyzer_stats *st = analyzer_stats(run[0].s.a);
    const struct analyzer_stats *st2 = ncap == 2 ? analyzer_stats(run[1].s.a) : st;
    status = run[0].read_failed || run[ncap - 1].read_failed ? FW_EXIT_USAGE : FW_EXIT_OK;
    if (log_out != NULL &&
        connlog_fini(&log, st->first_ts_us, st2->last_ts_us > st->last_ts_us ? st2->last_ts_us
                                                                             : st->last_ts_us)
            != 0) {
        if (!log.error_told)
            msg_printf("fwsight: %s: writing the conn.log failed: %s\n", o.conn_log,
                       strerror(log.error));
        log.error_told = true;
        status = FW_EXIT_USAGE;
    }
    if (rpath != NULL)
        analyze_path_segments(rpath, combined != NULL ? combined : analyzer_verdicts(run[0].s.a));
    struct report_two two = {
        .rep = { &run[0].s.rep, &run[1].s.rep }, .cap = { &run[0].s.cap, &run[1].s.cap },
        .st = { st, st2 }, .vc = { analyzer_verdicts(run[0].s.a), analyzer_verdicts(run[1].s.a) },
        .combined = combined, .corr = &corr, .path = rpath,
    };
    struct session_result res = { .two = &two, .ncap = ncap, .cfg = &o.cfg, .opt = &o.r,
                                  .profile = o.v.prof, .profile_arg = o.v.profile,
                                  .rpc_range = o.v.rpc_range };
    if (o.ui && analyze_browse(&o, run, ncap, combined, &corr) != 0)
        status = FW_EXIT_USAGE;
    if (!o.quiet && log_out != stdout && (!o.ui || o.report))
        session_print(stdout, &res);
    if (o.html != NULL && analyze_html_write(&o, run, ncap, combined, &corr) != 0)
        status = FW_EXIT_USAGE;
    if (ncap == 2 && corr.same_host)
        msg_printf("fwsight: warning: %s and %s were both captured on the same host: "
                   "they were not combined\n", o.file, o.file2);
    if (status == FW_EXIT_OK && session_blocking(&res))
        status = FW_EXIT_BLOCKED;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_printf("fwsight: writing to stdout failed\n");
        status = FW_EXIT_USAGE;
    }

out:
    msg_release(); /* --ui: the view did not open */
    if (log_out != NULL && log_out != stdout && fclose(log_out) != 0 && !log.error_told) {
        msg_printf("fwsight: %s: writing the conn.log failed: %s\n", o.conn_log,
                   strerror(errno));
        status = FW_EXIT_USAGE;
    }
    verdict_collector_free(combined);
    attempt_ring_fini(&attempts[0]);
    attempt_ring_fini(&attempts[1]);
    for (int i = 0; i < 2; i++) {
        session_fini(&run[i].s);
        cap_file_close(run[i].cf);
    }
    if (pset != NULL)
        path_set_fini(pset);
    free(pset);
    free(rpath);
    cli_verdict_fini(&o.v);
    return status;
}
