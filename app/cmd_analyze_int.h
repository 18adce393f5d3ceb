/* app/cmd_analyze_int.h: what the files of `fwsight analyze` share: the parsed options
 * (cmd_analyze_opts.c), one capture's run (cmd_analyze.c) and the two-capture path
 * (cmd_analyze_two.c). */
#ifndef FW_CMD_ANALYZE_INT_H
#define FW_CMD_ANALYZE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "analyze/path_order.h"
#include "capture/cap_file.h"
#include "cli.h"
#include "session.h"
#include "ui/attempt_ring.h"
#include "ui/connlog.h"
#include "ui/report.h"
#include "ui/report_path.h"
#include "ui/rules.h"
#include "ui/tui.h"

struct analyze_opts {
    const char *file, *file2; /* file2: the other server's capture of the same test, or NULL;
                               * with more than two, the two end captures once ordered */
    const char *files[PATH_MAX_CAPTURES]; /* every capture named, in argument order */
    size_t nfiles;
    const char *conn_log; /* NULL: none */
    bool force;           /* --force: --conn-log (and --html) may replace an existing file */
    const char *html;     /* --html FILE: the page for a ticket; NULL: none */
    struct cli_report r;  /* --json, --rules FORMAT, --all */
    bool quiet;
    bool ui, report;      /* --ui: the interactive view; --report: the report after it */
    bool mouse;           /* --mouse: clicks select in the view */
    struct cli_verdict v; /* --profile, --ports, --rpc-range, --source, --target, --local */
    struct fw_config cfg;
};

/* One capture's run (two for analyze A B): its session (the analyzer, the conn.log, the
 * view's attempts, the report's aggregate and capture) and its file. */
struct analyze_run {
    struct session s;
    struct cap_file *cf;
    bool read_failed;
    char err[FW_ERRLEN];
};

/* Parses argv (argv[0] is "analyze") into o, whose cfg is preset by fw_config_defaults(), and
 * loads the profile. Returns 0 to run, 1 when the help was printed, -1 on a usage error
 * (reported on stderr). */
int analyze_parse(int argc, char **argv, struct analyze_opts *o);

/* Reads an opened capture into run. Returns 0 (a read cut short is reported, and
 * run->read_failed set), or -1 when nothing can be analysed (message printed). */
int analyze_capture(const char *file, const struct fw_config *cfg, struct analyze_run *run);

/* Two captures (o->file, then o->file2): reads both, then matches them and settles the
 * combined verdicts into *combined (NULL when they could not be combined; then each capture's
 * own verdicts stand). o->cfg keeps the attempts both need for matching. Returns 0, or -1 with
 * the message printed (*combined may need freeing even then). */
int analyze_two_read(struct analyze_opts *o, struct analyze_run run[2],
                     struct verdict_collector **combined, struct correlate_result *corr);

/* Two captures in the view: one list of attempts where each is listed once, and where each
 * capture was taken. Out of memory, capture 1's attempts alone (marked as one capture's). */
void analyze_two_browse(const struct analyze_run run[2], const struct correlate_result *corr,
                        const struct verdict_collector *combined, struct attempt_ring *merged,
                        struct view_two *two);

/* More than two captures (o->files): reads each for its packets' keys into set, orders them
 * along the path into rp, and names the two end captures o->file and o->file2 for
 * analyze_two_read(). Returns 0, or -1 with the message printed (set needs path_set_fini). */
int analyze_path_prepare(struct analyze_opts *o, struct path_set *set, struct report_path *rp);
/* Once the verdicts (vc) are settled: where each blocked path's packets vanish. */
void analyze_path_segments(struct report_path *rp, const struct verdict_collector *vc);

/* Whether writing log would overwrite capture (the same name, or the same file). */
bool analyze_same_file(const char *capture, const char *log);

/* --html: finds the blocked paths' packets in the captures (read again) and writes the page
 * (report_html.h) to o->html as cap_out.h writes files. Returns 0, or -1 with the message
 * printed. combined and corr as analyze_two_read() left them (two captures). */
int analyze_html_write(const struct analyze_opts *o, const struct analyze_run run[2], int ncap,
                       const struct verdict_collector *combined,
                       const struct correlate_result *corr);

#endif
