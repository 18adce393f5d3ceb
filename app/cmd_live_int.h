/* app/cmd_live_int.h: what the files of `fwsight live` share: the parsed options
 * (cmd_live_opts.c), the run (cmd_live.c: capture, analysis, stream) and the interactive
 * view's part of it (cmd_live_view.c). */
#ifndef FW_CMD_LIVE_INT_H
#define FW_CMD_LIVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "capture/cap_live.h"
#include "capture/cap_writer.h"
#include "cli.h"
#include "live_loop.h"
#include "session.h"
#include "ui/attempt_ring.h"
#include "ui/live_out.h"
#include "ui/live_stream.h"
#include "ui/report.h"
#include "ui/tui.h"

/* A live run's flow table: about 560 bytes a flow, so 75 MB at most. Offline the cap is a
 * million (a file is read once, and its flows are what they are); live, a flood of spoofed
 * SYNs lasts as long as someone sends it, and the memory it may take must be known. The
 * connections of a replication server fit many times over. */
#define LIVE_MAX_FLOWS 131072u

struct live_opts {
    const char *iface, *filter, *wpath, *user;
    bool full, force, print_filter;
    struct cli_report r;    /* --json, --rules FORMAT, --all: the report at the end */
    bool no_ui;             /* --no-ui: stream text even on a terminal */
    bool mouse;             /* --mouse: clicks select in the view */
    bool packet_buffered;   /* -U: the -w file flushed after every frame, not every second */
    uint64_t duration_us;
    uint32_t buffer_kib, snaplen;
    struct cli_verdict v;   /* --profile, --ports, --rpc-range, --source, --target, --local */
    struct fw_config cfg;
};

/* Parses argv (argv[0] is "live") into o, whose cfg is preset by fw_config_defaults(), and
 * loads the profile. Returns 0 to run, 1 when the help was printed, -1 on a usage error
 * (reported on stderr). */
int live_parse(int argc, char **argv, struct live_opts *o);

struct live_run {
    const struct live_opts *o;
    struct cap_live *cap;
    struct cap_writer *w;
    const char *wname;          /* -w PATH, or wpath_typed after w */
    char wpath_typed[VIEW_PATH_LEN];
    uint64_t nwritten;          /* frames handed to w */
    struct session s;           /* the analyzer, the report's aggregate, the view's attempts */
    struct live_stream stream;
    struct live_out out;        /* the stream's queue toward stdout (stderr with --json) */
    struct live_watch outw;     /* the loop wakes when out's fd takes more */
    struct live_loop_cfg *lc;   /* the loop's settings: the pump sets the watch on out */
    bool told_broken;           /* the stream's end was said on stderr */
    uint64_t flush_due_us;      /* when the -w file must reach the kernel; 0: nothing pending */
    bool write_failed;
    char werr[FW_ERRLEN];
    uint64_t next_status_us;
    bool ui;                    /* the interactive view instead of the stream */
    struct tui *tui;            /* open while the loop runs */
    struct attempt_ring attempts; /* the view's attempts pane; empty without the view */
    struct live_watch kbd;
    bool view_dirty, kbd_gone;
    bool told_incomplete;       /* the view was told the verdict table is full: once is enough */
    uint64_t start_us, last_paint_us;
};

/* The view joins the loop: its keyboard becomes one more fd of the poll(), w saves. */
void live_view_attach(struct live_run *run, struct live_loop_cfg *lc);

/* The view's share of a wake-up (the loop's pump calls it last). Returns 1 when the user
 * quit or the terminal went away, else 0; may lower *next_us to the next repaint. */
int live_view(struct live_run *run, uint64_t now_us, uint64_t *next_us);

/* Connections ended: tells the view's user, once, when the verdict table first overflows. */
void live_tell_incomplete(struct live_run *run);

#endif
