/* app/cmd_live_view.c: the interactive view's part of `fwsight live`: its keyboard as one more
 * fd of the live loop, its repaints paced on wall time, and the warning that the verdict table
 * is full. In the view, w flushes the -w file; without -w it starts one at a path typed at a
 * prompt, created as the -Z user, and writes the frames from then on: earlier frames are not
 * kept in memory, so not in the file. Capturing, analysing and streaming are cmd_live.c's,
 * drawing tui.c's. */
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "analyze/profile.h"
#include "capture/cap_live.h"
#include "capture/cap_writer.h"
#include "cmd_live_int.h"
#include "live_loop.h"
#include "ui/msg.h"
#include "ui/report.h"
#include "ui/tui.h"

/* The view repaints what changed at most 4 times a second (the eye needs no more, and a flood
 * of frames must not become a flood of repaints), and once a second for the counters. */
#define LIVE_PAINT_US 250000u
#define LIVE_TICK_US 1000000u

static void live_kbd_ready(void *ctx, int fd, short revents)
{
    struct live_run *run = ctx;
    (void)fd;
    /* A terminal that went away keeps poll() ready: end the run rather than spin. */
    if (revents & (POLLHUP | POLLERR | POLLNVAL))
        run->kbd_gone = true;
}

/* w in the view: flush the file being written, or start one at path. A failed flush ends the
 * run like a failed write (the pump sees write_failed); a failed open only says why. */
static void live_save(void *ctx, const char *path, char msg[VIEW_MSG_LEN])
{
    struct live_run *run = ctx;
    char err[FW_ERRLEN] = "";
    if (run->w != NULL) {
        if (cap_writer_flush(run->w, run->werr) != 0) {
            run->write_failed = true;
            snprintf(msg, VIEW_MSG_LEN, "saving failed: %.150s", run->werr);
            return;
        }
        snprintf(msg, VIEW_MSG_LEN, "saved %llu packets to %.150s",
                 (unsigned long long)run->nwritten, run->wname);
        return;
    }
    run->w = cap_writer_open(path, cap_live_linktype(run->cap), cap_live_snaplen(run->cap),
                             cap_writer_path_gz(path), false, err);
    if (run->w == NULL) {
        snprintf(msg, VIEW_MSG_LEN, "not saved: %.180s", err);
        return;
    }
    snprintf(run->wpath_typed, sizeof run->wpath_typed, "%s", path);
    run->wname = run->wpath_typed;
    snprintf(msg, VIEW_MSG_LEN, "saving to %.120s from now on (earlier frames were not kept)",
             path);
}

/* The view's share of a wake-up: keys repaint at once, new data at most every LIVE_PAINT_US,
 * the counters every LIVE_TICK_US; paused, only keys do. Returns 1 when the user quit. */
int live_view(struct live_run *run, uint64_t now_us, uint64_t *next_us)
{
    struct cap_live_stats cs;
    char title[96];
    cap_live_stats(run->cap, &cs);
    snprintf(title, sizeof title, "live %s", run->o->iface);
    const struct cli_verdict *v = &run->o->v;
    struct report_answer answer = { .profile = v->prof, .profile_arg = v->profile,
                                    .rpc_range = v->rpc_range };
    struct view_input in = {
        .vc = analyzer_verdicts(run->s.a), .cfg = &run->o->cfg, .title = title,
        .packets = cs.frames, .kernel_drops = cs.kernel_drops + cs.if_drops, .has_drops = true,
        .elapsed_us = now_us > run->start_us ? now_us - run->start_us : 0,
        .saving = run->w != NULL, .attempts = &run->attempts,
        .profile = v->prof != NULL ? v->prof->name : NULL, .answer = &answer,
    };
    enum view_action act = tui_keys(run->tui, &in);
    if (act == VIEW_QUIT || run->kbd_gone)
        return 1;
    uint64_t due = run->last_paint_us + (run->view_dirty ? LIVE_PAINT_US : LIVE_TICK_US);
    if (act == VIEW_REDRAW || (!tui_sel(run->tui)->paused && now_us >= due)) {
        tui_paint(run->tui, &in);
        run->view_dirty = false;
        /* On the beat when the wake-up was merely late, so the lateness does not add up
         * (4 paints a second, not 3.99); after a key, or a long stall, from now. */
        bool on_beat = act != VIEW_REDRAW && now_us - due < LIVE_PAINT_US;
        run->last_paint_us = on_beat ? due : now_us;
        due = run->last_paint_us + LIVE_TICK_US;
    }
    if (!tui_sel(run->tui)->paused && due < *next_us)
        *next_us = due;
    return 0;
}

/* The view's user is told, once, when the verdict table first overflows (the final report
 * warns too, as offline): the view shows the message and it is printed when the view closes.
 * The stream says nothing new: its stderr stays as it was. */
void live_tell_incomplete(struct live_run *run)
{
    char why[400];
    if (run->told_incomplete ||
        !report_verdicts_incomplete(analyzer_verdicts(run->s.a), "the verdicts", why, sizeof why))
        return;
    run->told_incomplete = true;
    msg_printf("fwsight: warning: %s\n", why);
}

void live_view_attach(struct live_run *run, struct live_loop_cfg *lc)
{
    run->kbd = (struct live_watch){ tui_fd(run->tui), POLLIN, live_kbd_ready, run };
    tui_set_save(run->tui, live_save, run);
    lc->watch = &run->kbd;
    lc->nwatch = 1;
    run->start_us = live_now_us();
}
