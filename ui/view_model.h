/* ui/view_model.h: the screen of the interactive view as plain data. From the settled verdicts
 * (analyze/verdict.h getters) and a few counters it builds rows of text with attributes: the
 * title, then the change to make (the text report's opening, in its words: the rules to open
 * per device and direction, required first, as many as fit and a count of the rest; c shows
 * it whole), the host pair (one more line for two captures: where each was taken), the
 * verdict matrix of the selected pair (the profile's services and ports, then other ports, by
 * direction), the evidence and advice of the selected cell or its recent attempts (or all of
 * them), the help, and a status line with the keys. A message the run printed while the view
 * was up (a warning) gets a line of its own under the title. The keys and clicks change only
 * the selection (struct view_sel); they follow less: / searches the cells, n and N go to the
 * next and previous match, & filters the rows, ] and [ go to the next and previous host pair.
 * Pure: no curses, no I/O, no clock, so tests read the screen without a terminal; painting it
 * and reading the keyboard is tui.c's. The text alone carries every verdict: colour is extra. */
#ifndef FW_VIEW_MODEL_H
#define FW_VIEW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "analyze/correlate.h"
#include "attempt_ring.h"

struct report_answer;

#define VIEW_MAX_WIDTH 400  /* wider terminals show this much */
#define VIEW_MAX_HEIGHT 200
#define VIEW_MIN_WIDTH 80   /* below it the screen says so instead of a garbled matrix */
#define VIEW_MIN_HEIGHT 24
#define VIEW_MAX_SPANS 6
#define VIEW_FILTER_LEN 32
#define VIEW_PATH_LEN 256   /* the path typed after w */
#define VIEW_MSG_LEN 200

/* Attributes: flags, and at most one colour role. tui.c maps them; without colour the roles
 * become bold (blocking verdicts) or nothing. */
enum {
    VIEW_A_BOLD = 1u << 0,
    VIEW_A_REVERSE = 1u << 1,
    VIEW_A_RULE = 1u << 2,   /* a span of '-' or '=' that draws a line: tui.c may use box
                                drawing for it; the text stays ASCII for everything else */
    VIEW_A_GOOD = 1u << 8,   /* OPEN */
    VIEW_A_BAD = 1u << 9,    /* DROPPED, REPLY-DROPPED, REJECTED, PARTIAL */
    VIEW_A_WARN = 1u << 10,  /* CLOSED */
    VIEW_A_DIM = 1u << 11,   /* UNTESTED, no attempt */
};

struct view_span {
    int col, len;
    unsigned attr;
};

struct view_line {
    char text[VIEW_MAX_WIDTH + 1]; /* at most the screen's width; ASCII only */
    unsigned attr;                 /* the whole line's */
    int nspans;                    /* parts painted with their own attributes, over attr */
    struct view_span span[VIEW_MAX_SPANS];
};

struct view_screen {
    int width, height;
    /* Where things were painted, for view_model_click(): matrix rows [rows_y, rows_y + rows_n)
     * show rows from top; the cells start at cell_x, cell_w wide; the evidence from detail_y. */
    int rows_y, rows_n, cell_x, cell_w, detail_y;
    size_t top;
    struct view_line line[VIEW_MAX_HEIGHT];
};

/* Two captures of one test (analyze A B), numbered 1 and 2 as the report does. */
struct view_two {
    const struct verdict_capture_point *cp[2]; /* where each one was taken */
    const struct correlate_result *corr;       /* attempts matched, the clock offset */
    bool combined;                             /* false: the matrix is capture 1's alone */
};

/* What the view shows, borrowed for one build: valid like the collector's snapshot. */
struct view_input {
    const struct verdict_collector *vc;
    const struct fw_config *cfg; /* the profile's order for the rows */
    const char *title;           /* "analyze FILE", "live eth0" */
    const char *short_title;     /* where the title does not fit ("analyze" and base names);
                                    NULL: the title */
    const struct view_two *two;  /* NULL: one capture (or live) */
    uint64_t packets, kernel_drops;
    uint64_t elapsed_us;
    bool has_drops;              /* live: kernel_drops means something */
    const char *on_disk;         /* offline: the file shown, so w has nothing to save */
    bool saving;                 /* live: a file is being written (w flushes it, no prompt) */
    const struct attempt_ring *attempts; /* the recent attempts; NULL: none kept */
    const char *profile;         /* the profile's name, for the title; NULL: not shown */
    const char *message;         /* the newest message kept while the view is up (msg.h) */
    size_t nmessages;            /* how many were kept, that one included; 0: no message line */
    const struct report_answer *answer; /* what the change to make needs besides the verdicts
                                           (report.h: the profile, --profile, --rpc-range);
                                           NULL: none, every port "other" */
};

enum view_pane { VIEW_PANE_MATRIX, VIEW_PANE_EVIDENCE, VIEW_PANE_ATTEMPTS };
enum view_sort { VIEW_SORT_PROFILE, VIEW_SORT_PORT, VIEW_SORT_VERDICT, VIEW_SORT_COUNT };

/* The selection: everything the keys change. Zero is a valid start. */
struct view_sel {
    size_t pair;                 /* host pair, in the collector's order */
    size_t row, top;             /* selected matrix row and the first one shown */
    int col;                     /* 0: A -> B, 1: B -> A */
    enum view_pane pane;         /* where j/k go */
    bool zoom;                   /* Enter: the evidence fills the body */
    int scroll;                  /* first evidence (or attempt) line shown */
    bool all_attempts;           /* a: the attempts pane lists all, not the cell's */
    char filter[VIEW_FILTER_LEN];
    bool editing;                /* typing the filter after '&' */
    char search[VIEW_FILTER_LEN]; /* the last pattern searched for ("": none) */
    char typed[VIEW_FILTER_LEN]; /* the pattern being typed after '/' */
    bool searching;              /* typing it: Enter searches, Esc leaves search as it was */
    enum view_sort sort;
    bool paused, help;
    bool changes;                /* c: the change to make on the whole screen (j/k scroll) */
    bool prompting;              /* typing the path to save to after w */
    char path[VIEW_PATH_LEN];    /* the path typed; VIEW_SAVE hands it to the caller */
    char msg[VIEW_MSG_LEN];      /* shown on the status line until the next key */
};

/* Keys as the model knows them; printable characters are themselves. */
enum {
    VIEW_KEY_UP = 0x100, VIEW_KEY_DOWN, VIEW_KEY_LEFT, VIEW_KEY_RIGHT, VIEW_KEY_PGUP,
    VIEW_KEY_PGDN, VIEW_KEY_HOME, VIEW_KEY_END, VIEW_KEY_TAB, VIEW_KEY_ENTER, VIEW_KEY_ESC,
    VIEW_KEY_BACKSPACE,
};

/* VIEW_SAVE: w asked to save: the caller flushes the file being written (in->saving) or
 * starts one at sel->path, and says what it did in sel->msg. */
enum view_action { VIEW_NONE, VIEW_REDRAW, VIEW_QUIT, VIEW_SAVE };

/* Builds the screen (width x height, clipped to the maxima) and clamps sel to what exists.
 * Returns 0, or FW_ENOMEM (the screen then says so). */
int view_model_build(const struct view_input *in, struct view_sel *sel, int width, int height,
                     struct view_screen *out);

/* Applies one key to sel. in is read for the number of pairs and rows. */
enum view_action view_model_key(const struct view_input *in, struct view_sel *sel, int key);

/* A click at (x, y) on the screen last built: a matrix cell selects its row and direction, the
 * evidence pane becomes the one j/k scroll. Elsewhere, and while typing, nothing. */
enum view_action view_model_click(const struct view_screen *scr, struct view_sel *sel, int x,
                                  int y);

/* A path as the short title names it: its base name, or its last two components when the
 * other capture's base name is the same (srv1/capture.pcap, srv2/capture.pcap). other: the
 * other capture's path, or NULL. Points into path. */
const char *view_short_path(const char *path, const char *other);

/* The number of host pairs and, for the selected pair with the filter, of matrix rows. */
size_t view_model_pairs(const struct verdict_collector *vc);
size_t view_model_rows(const struct view_input *in, const struct view_sel *sel);

#endif
