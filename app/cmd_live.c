/* app/cmd_live.c: `fwsight live` (see cmd_live.h). It builds the capture filter from the
 * profile, opens the device and the -w file while still privileged, drops to -Z USER before
 * the first packet is parsed, then runs the live loop: frames go to the same session as a
 * file's (session.h), wall time (the clock frames are stamped with) drives its advance, and the
 * stream prints what settled (on a terminal the interactive view shows it instead: its part of
 * the run is cmd_live_view.c's, the options cmd_live_opts.c's). At the end the same report as
 * `fwsight analyze` prints, with the kernel's drop counters. The -w file is created before the
 * drop, so it can be written where root can write, then handed to the -Z user; it is flushed
 * at most a second after its frames (-U: after each), and after a signal closed, so it is a
 * valid capture. The stream goes through live_out.h's queue, which never blocks the loop: a
 * stdout gone ends the stream only, and the report then goes to stderr. Messages go through
 * msg.h: on a terminal
 * they wait for the view, which shows the newest, and are printed once the terminal is
 * restored. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/analyzer.h"
#include "analyze/profile.h"
#include "capture/cap_live.h"
#include "capture/cap_out.h"
#include "capture/cap_priv.h"
#include "capture/cap_writer.h"
#include "cmd_live.h"
#include "cmd_live_int.h"
#include "common/exit.h"
#include "hash_key.h"
#include "live_filter.h"
#include "live_loop.h"
#include "ui/attempt_ring.h"
#include "ui/live_stream.h"
#include "ui/msg.h"
#include "ui/report.h"
#include "ui/tui.h"

#define LIVE_STATUS_US (5u * 1000000u) /* a status line every 5 s: often enough to see drops */
/* The -w file reaches the kernel at most this long after a frame: what a crash, the OOM killer
 * or SIGKILL can take is one second, and a write() a second costs nothing (-U: every frame). */
#define LIVE_FLUSH_US 1000000u
/* A frame the kernel stamped just before our clock read may be handed over just after it:
 * timers run this far behind the wall clock so that frame times never go backwards. */
#define LIVE_CLOCK_SLACK_US 500000u
/* Frames taken per dispatch, and dispatches per wake-up at most: a block of the kernel's ring
 * holds a few thousand small frames. */
#define LIVE_DISPATCH_MAX 4096
#define LIVE_DISPATCH_ROUNDS 16

/* After the session's sinks (the report's aggregate, the view's attempts): the stream, on the
 * analyzer's clock, which says when the connection was found ended. */
static void live_conn(void *ctx, const struct conn_record *r)
{
    struct live_run *run = ctx;
    if (!run->ui)
        live_stream_conn(&run->stream, r, analyzer_now_us(run->s.a));
}

/* The stream's time at a wake-up: the analyzer's clock, which the timer keeps at least
 * LIVE_CLOCK_SLACK_US behind the wall clock (before the first frame it has none). Lines stamped
 * with it, or with the frames' stamps, come in time order; the wall clock would run ahead of
 * the connections the next frames end. */
static uint64_t live_stream_now(const struct live_run *run, uint64_t now_us)
{
    uint64_t t = analyzer_now_us(run->s.a), behind = now_us - LIVE_CLOCK_SLACK_US;
    return now_us > LIVE_CLOCK_SLACK_US && behind > t ? behind : t;
}

static void live_frame(void *ctx, const struct frame *f)
{
    struct live_run *run = ctx;
    /* After a write error the file stays as it was (valid up to there); the frame still
     * counts for the analysis, and the pump ends the run. */
    if (run->w != NULL && !run->write_failed) {
        if (cap_writer_write(run->w, f, run->werr) != 0 ||
            (run->o->packet_buffered && cap_writer_flush(run->w, run->werr) != 0))
            run->write_failed = true;
        else
            run->nwritten++;
        if (run->flush_due_us == 0 && !run->o->packet_buffered)
            run->flush_due_us = live_now_us() + LIVE_FLUSH_US;
    }
    session_feed(&run->s, f);
}

static void live_status(struct live_run *run, uint64_t now_us)
{
    struct cap_live_stats cs;
    cap_live_stats(run->cap, &cs);
    live_stream_status(&run->stream, live_stream_now(run, now_us), cs.frames, cs.kernel_drops,
                       cs.if_drops);
}

/* The stream's share of a wake-up: what it queued goes out as far as stdout takes it without
 * waiting; the loop wakes when it takes more. A broken stdout ends the stream, said once. */
static void live_stream_out(struct live_run *run)
{
    bool more = live_out_drain(&run->out);
    if (run->lc != NULL) {
        run->outw = (struct live_watch){live_out_fd(&run->out), POLLOUT, NULL, NULL};
        run->lc->watch = &run->outw;
        run->lc->nwatch = more ? 1 : 0;
    }
    if (run->out.broken && !run->told_broken) {
        run->told_broken = true;
        msg_printf("fwsight: %s: %s: the stream ends here, the capture goes on (the report "
                   "will be on stderr)\n", cli_report_alone(&run->o->r) ? "stderr" : "stdout",
                   strerror(run->out.error));
    }
}

/* Every frame waiting, LIVE_DISPATCH_MAX at a time: fewer than that means the kernel had no
 * more (one more look would cost a syscall to learn it), and the rounds are bounded so that
 * signals are seen on a flood. */
static int live_take_frames(struct live_run *run, char err[FW_ERRLEN])
{
    for (int i = 0; i < LIVE_DISPATCH_ROUNDS; i++) {
        int n = cap_live_dispatch(run->cap, LIVE_DISPATCH_MAX, live_frame, run, err);
        if (run->write_failed) {
            snprintf(err, FW_ERRLEN, "writing the capture failed: %.400s", run->werr);
            return FW_EIO;
        }
        if (n < 0)
            return n;
        if (n > 0)
            run->view_dirty = true;
        if (n < LIVE_DISPATCH_MAX)
            break;
    }
    return 0;
}

/* After every wake-up: every waiting frame, then the timers, then what changed. */
static int live_pump(void *ctx, uint64_t now_us, uint64_t *next_us, char err[FW_ERRLEN])
{
    struct live_run *run = ctx;
    int rc = live_take_frames(run, err);
    if (rc != 0)
        return rc;
    /* Not before the first frame: the capture's time starts with it. The verdicts are settled
     * again when a connection ended or one still open showed its outcome: then they are shown. */
    if (analyzer_stats(run->s.a)->frames > 0 && now_us > LIVE_CLOCK_SLACK_US &&
        session_advance(&run->s, now_us - LIVE_CLOCK_SLACK_US)) {
        run->view_dirty = true;
        if (!run->ui)
            live_stream_verdicts(&run->stream, analyzer_verdicts(run->s.a),
                                 live_stream_now(run, now_us));
        else
            live_tell_incomplete(run);
    }
    if (!run->ui)
        live_stream_tick(&run->stream, live_stream_now(run, now_us));
    if (run->flush_due_us != 0 && now_us >= run->flush_due_us) {
        /* The saved file catches up: a reader (or a crash) sees it whole up to the last
         * second, and a full disk shows now rather than at the end. */
        run->flush_due_us = 0;
        if (run->w != NULL && cap_writer_pending(run->w) &&
            cap_writer_flush(run->w, run->werr) != 0) {
            run->write_failed = true;
            snprintf(err, FW_ERRLEN, "writing the capture failed: %.400s", run->werr);
            return FW_EIO;
        }
    }
    /* A connection that met its first answer is judged at the analyzer's next look, an
     * unanswered attempt when its time is up: wake for either rather than for whatever comes
     * next, so its verdict shows within the second. */
    uint64_t look = analyzer_next_due_us(run->s.a);
    if (look != UINT64_MAX && look + LIVE_CLOCK_SLACK_US < *next_us)
        *next_us = look + LIVE_CLOCK_SLACK_US;
    if (run->flush_due_us != 0 && run->flush_due_us < *next_us)
        *next_us = run->flush_due_us;
    if (run->next_status_us == 0)
        run->next_status_us = now_us + LIVE_STATUS_US;
    if (now_us >= run->next_status_us) {
        if (!run->ui)
            live_status(run, now_us);
        run->next_status_us = now_us + LIVE_STATUS_US;
    }
    if (run->next_status_us < *next_us)
        *next_us = run->next_status_us;
    if (!run->ui) {
        /* the stream's second ends (on its clock, behind the wall's): its summaries are due */
        uint64_t tick = (live_stream_now(run, now_us) / 1000000u + 1u) * 1000000u +
                        LIVE_CLOCK_SLACK_US;
        if (tick < *next_us)
            *next_us = tick;
        live_stream_out(run);
    }
    return run->tui != NULL ? live_view(run, now_us, next_us) : 0;
}

/* Opens the device and the -w file, then drops privileges: before any frame is parsed. */
static int live_open(struct live_run *run, const char *filter)
{
    const struct live_opts *o = run->o;
    char err[FW_ERRLEN] = "", warn[FW_ERRLEN] = "";
    /* -U asks for every packet in the file as it comes: then for every packet as it comes
     * from the kernel too, one wake-up each. */
    struct cap_live_opts co = {.iface = o->iface, .filter = filter, .snaplen = o->snaplen,
                               .buffer_kib = o->buffer_kib, .immediate = o->packet_buffered};
    run->cap = cap_live_open(&co, warn, err);
    if (run->cap == NULL) {
        msg_printf("fwsight: %s\n", err);
        return FW_EXIT_CAPTURE;
    }
    if (warn[0] != '\0')
        msg_printf("fwsight: warning: %s\n", warn);
    if (o->wpath != NULL) {
        run->wname = o->wpath;
        run->w = cap_writer_open(o->wpath, cap_live_linktype(run->cap),
                                 cap_live_snaplen(run->cap), cap_writer_path_gz(o->wpath),
                                 o->force, err);
        if (run->w == NULL) {
            /* An existing file without --force is the command line's fault (2); anything
             * else (no such directory, no permission, a symbolic link) the file's (3). */
            struct stat st;
            bool exists = !o->force && lstat(o->wpath, &st) == 0 && !S_ISLNK(st.st_mode);
            msg_printf("fwsight: %s\n", err);
            return exists ? FW_EXIT_USAGE : FW_EXIT_CAPTURE;
        }
    }
    bool dropped;
    struct cap_priv_file wf = {
        run->w != NULL && cap_writer_created(run->w) ? cap_writer_fd(run->w) : -1, o->wpath };
    if (cap_priv_drop(o->user, &wf, 1, &dropped, warn, err) != 0) {
        msg_printf("fwsight: %s\n", err);
        return FW_EXIT_CAPTURE;
    }
    if (warn[0] != '\0')
        msg_printf("fwsight: warning: %s\n", warn);
    if (!dropped && o->user != NULL)
        msg_printf("fwsight: not running as root: -Z %s ignored (capabilities dropped)\n",
                o->user);
    /* Printed at once even when the view is coming (msg.h keeps the rest): it says that the
     * capture runs, on what and as whom, and scripts wait for it. */
    fprintf(stderr, "fwsight: capturing on %s as uid %u%s%s; Ctrl-C ends it\n", o->iface,
            (unsigned)getuid(), o->wpath != NULL ? ", saving to " : "",
            o->wpath != NULL ? o->wpath : "");
    return FW_EXIT_OK;
}

/* The loop, then the end of the analysis. Returns FW_EXIT_OK or FW_EXIT_CAPTURE (err filled). */
static int live_capture(struct live_run *run, char err[FW_ERRLEN])
{
    int signo = 0;
    struct live_loop_cfg lc = {
        .cap_fd = cap_live_fd(run->cap), .pump = live_pump, .ctx = run,
        .end_us = run->o->duration_us != 0 ? live_now_us() + run->o->duration_us : 0,
        .max_wait_ms = cap_live_fd(run->cap) >= 0 ? 1000 : 100,
    };
    if (run->tui != NULL)
        live_view_attach(run, &lc);
    else
        run->lc = &lc;
    enum live_stop stop = live_loop_run(&lc, &signo, err);
    /* The kernel's last block, not handed over yet: its frames were captured, so they go to
     * the file and the report too. */
    if (stop != LIVE_STOP_ERROR && cap_live_dispatch_rest(run->cap, live_frame, run, err) < 0)
        stop = LIVE_STOP_ERROR;
    if (stop != LIVE_STOP_ERROR && run->write_failed) {
        snprintf(err, FW_ERRLEN, "writing the capture failed: %.400s", run->werr);
        stop = LIVE_STOP_ERROR;
    }
    run->lc = NULL;
    /* The terminal is the user's again before anything more is printed. */
    tui_close(run->tui);
    run->tui = NULL;
    struct cap_live_stats cs; /* what the capture lost weakens the verdicts it could hide */
    cap_live_stats(run->cap, &cs);
    session_finish(&run->s, true, cs.kernel_drops + cs.if_drops);
    if (!run->ui) {
        live_stream_tick(&run->stream, UINT64_MAX);
        live_stream_verdicts(&run->stream, analyzer_verdicts(run->s.a), live_now_us());
        /* the last status: what the whole capture took and lost, however it ended */
        live_stream_status(&run->stream, live_now_us(), cs.frames, cs.kernel_drops, cs.if_drops);
        /* The capture is over: the stream may now wait for its reader. */
        live_out_finish(&run->out);
        live_stream_out(run);
        if (run->out.dropped > 0)
            msg_printf("fwsight: %llu lines of the stream were not written (%s); the capture "
                       "lost nothing\n", (unsigned long long)run->out.dropped,
                       run->out.broken ? "its output went away" : "its reader did not keep up");
        if (run->stream.summarised > 0)
            msg_printf("fwsight: %llu attempts were said only in the per-second summaries of "
                       "the stream\n", (unsigned long long)run->stream.summarised);
    }
    if (stop == LIVE_STOP_SIGNAL)
        msg_printf("fwsight: stopped by signal %d; reporting what was captured\n", signo);
    int status = FW_EXIT_OK;
    if (stop == LIVE_STOP_ERROR) {
        msg_printf("fwsight: %s; reporting what was captured before\n", err);
        status = FW_EXIT_CAPTURE;
    }
    char werr[FW_ERRLEN] = "";
    if (cap_writer_close(run->w, werr) != 0 && !run->write_failed) {
        msg_printf("fwsight: writing the capture failed: %s\n", werr);
        snprintf(err, FW_ERRLEN, "writing the capture failed: %.400s", werr);
        status = FW_EXIT_CAPTURE;
    }
    run->w = NULL;
    return status;
}

/* The same report as `fwsight analyze`, after the stream (or the view). */
static void live_report(struct live_run *run, FILE *out, const char *error)
{
    struct cap_live_stats cs;
    cap_live_stats(run->cap, &cs);
    session_live_capture(&run->s, run->cap, cs.frames, error);
    run->s.cap.has_stream = !run->ui;
    run->s.cap.stream_dropped = run->out.dropped;
    struct report_two two;
    session_result_one(&run->s, &two);
    struct session_result res = { .two = &two, .ncap = 1, .cfg = &run->o->cfg,
                                  .after_stream = true, .opt = &run->o->r,
                                  .profile = run->o->v.prof,
                                  .profile_arg = run->o->v.profile,
                                  .rpc_range = run->o->v.rpc_range };
    session_print(out, &res);
}

/* Whether stdout is known to have no reader: closed when fwsight started (cap_out.h), or the
 * stream found it broken. The report then goes to stderr rather than nowhere. */
static bool live_stdout_dead(const struct live_run *run)
{
    return cap_out_std_was_closed(1) || (!cli_report_alone(&run->o->r) && run->out.broken);
}

int cmd_live(int argc, char **argv)
{
    struct live_opts o = {0};
    struct live_run run = {.o = &o};
    char err[FW_ERRLEN] = "";
    char *filter = NULL;
    int status = FW_EXIT_USAGE;

    /* A reader of the stream that goes away (| head -1) ends the stream, not the capture:
     * writes then fail with EPIPE instead of killing fwsight with its file half written. */
    signal(SIGPIPE, SIG_IGN);
    fw_config_defaults(&o.cfg);
    hash_keys_config(&o.cfg);
    int prc = live_parse(argc, argv, &o);
    if (prc != 0) {
        status = prc > 0 ? FW_EXIT_OK : FW_EXIT_USAGE;
        goto out;
    }
    filter = live_filter_build(o.v.prof, o.full, o.filter, err);
    if (filter == NULL) {
        msg_printf("fwsight: %s\n", err);
        goto out;
    }
    if (cap_live_check_filter(filter, err) != 0) {
        msg_printf("fwsight: %s\n", err);
        goto out;
    }
    if (o.print_filter) {
        printf("%s\n", filter);
        status = FW_EXIT_OK;
        goto out;
    }
    /* On a terminal, the messages of the run from here on go to the view, which shows them,
     * and are printed when it closes (msg.h): printed now, the view would hide them. */
    run.ui = !o.no_ui && !cli_report_alone(&o.r) && tui_is_possible();
    /* A terminal that cannot draw (TERM=dumb) would show a blank screen: the stream instead. */
    if (run.ui && !tui_can_draw(err)) {
        msg_printf("fwsight: %s; streaming text instead\n", err);
        run.ui = false;
    }
    if (run.ui)
        msg_hold();
    else
        live_out_init(&run.out, cli_report_alone(&o.r) ? STDERR_FILENO : STDOUT_FILENO); /* still privileged */
    status = live_open(&run, filter);
    if (status != FW_EXIT_OK)
        goto out;
    if (!decode_has_linktype(cap_live_linktype(run.cap))) {
        msg_printf("fwsight: %s: unsupported link type %d (fwsight(1) lists those it "
                "reads)\n", o.iface, cap_live_linktype(run.cap));
        status = FW_EXIT_CAPTURE;
        goto out;
    }
    live_stream_init(&run.stream, &run.out, o.v.prof);
    hash_key_random(&run.stream.key);
    run.s.hook = live_conn;
    run.s.hook_ctx = &run;
    if (session_init(&run.s, &o.cfg) != 0) {
        msg_printf("fwsight: out of memory\n");
        status = FW_EXIT_CAPTURE;
        goto out;
    }
    if (run.ui && (run.tui = tui_open(o.mouse, err)) == NULL) {
        msg_release(); /* no view: what was kept first, then why */
        msg_printf("fwsight: %s; streaming text instead\n", err);
        run.ui = false;
    }
    /* Only the view lists attempts; out of memory, its pane says none were kept. */
    if (run.ui) {
        attempt_ring_init(&run.attempts, 0);
        run.s.attempts = &run.attempts;
    }

    status = live_capture(&run, err);
    const char *rerr = status == FW_EXIT_OK ? NULL : err;
    if (live_stdout_dead(&run)) {
        live_report(&run, stderr, rerr);
    } else {
        live_report(&run, stdout, rerr);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            /* The reader left after the stream: the report is not lost for that. */
            int e = errno;
            msg_printf("fwsight: stdout: %s: the report follows on stderr\n", strerror(e));
            live_report(&run, stderr, rerr);
        }
    }
    fflush(stderr);
    if (status == FW_EXIT_OK && report_blocking(analyzer_verdicts(run.s.a)))
        status = FW_EXIT_BLOCKED;

out:
    tui_close(run.tui);
    msg_release(); /* the view did not open */
    attempt_ring_fini(&run.attempts);
    live_stream_fini(&run.stream);
    live_out_fini(&run.out);
    session_fini(&run.s);
    cap_writer_close(run.w, err);
    cap_live_close(run.cap);
    free(filter);
    cli_verdict_fini(&o.v);
    return status;
}
