/* ui/view_model_int.h: what view_model.c (pairs, rows, cells), view_model_keys.c (the keys),
 * view_model_screen.c (the lines of the screen), view_model_header.c, view_model_changes.c,
 * view_model_search.c, view_model_evidence.c and view_model_attempts.c share. Not for other
 * files: they use view_model.h. */
#ifndef FW_VIEW_MODEL_INT_H
#define FW_VIEW_MODEL_INT_H

#include "view_model.h"

/* One matrix row: a (proto, port) with its verdict in each direction, if any. */
struct view_row {
    uint8_t proto;
    uint16_t port;
    size_t rank;                        /* the profile's first entry naming it; SIZE_MAX: other */
    const struct verdict_item *cell[2]; /* [0]: A -> B, [1]: B -> A */
};

/* A host pair: items [first, end) of the collector; A is the lower address. */
struct view_pair {
    size_t first, end;
    struct fw_addr a, b;
};

/* The index-th pair; false if there is none. */
bool view_pair_at(const struct verdict_collector *vc, size_t index, struct view_pair *out);
/* The pair whose items start at first (0, then the previous pair's end); false past the last. */
bool view_pair_at_from(const struct verdict_collector *vc, size_t first, struct view_pair *out);

/* The selected pair's rows, sorted as sel says and filtered by sel->filter: an owned array
 * (free() it) of *n rows, NULL with *n = 0 when there are none; *oom when allocation failed. */
struct view_row *view_rows_of(const struct view_input *in, const struct view_sel *sel,
                              struct view_pair *pair, size_t *n, bool *oom);
/* The same for a pair already found (view_pair_at(), or a walk over all of them). */
struct view_row *view_rows_of_pair(const struct view_input *in, const struct view_sel *sel,
                                   const struct view_pair *pair, size_t *n, bool *oom);

/* Case-insensitive substring; an empty needle matches. */
bool view_text_contains(const char *hay, const char *needle);

/* "tcp 6325" or "icmp echo"; the row's service ("other ports" outside the profile). */
void view_port_text(uint8_t proto, uint16_t port, char *buf, size_t len);
const char *view_row_service(const struct view_row *r);

/* How much a cell says, longest first: every cell of a matrix uses one form (the longest that
 * fits all of the pair's cells), so a verdict is spelled one way on a screen. */
enum view_cell_form {
    VIEW_CELL_LONG,  /* DROPPED 4 SYN, 0 answers */
    VIEW_CELL_SHORT, /* DROPPED 4 SYN 0 ans */
    VIEW_CELL_ABBR,  /* RPL-DROP 4 SYN 0 ans: the long names abbreviated */
    VIEW_CELL_TINY,  /* RPL-DROP 4/0 */
    VIEW_CELL_NAME,  /* RPL-DROP: at most VIEW_CELL_NAME_MAX characters */
};
#define VIEW_CELL_NAME_MAX 8

/* A verdict's name in at most VIEW_CELL_NAME_MAX characters (the help lists them). */
const char *view_verdict_abbr(enum verdict_kind k);
/* A cell in the given form: "DROPPED 4 SYN, 0 answers", or "-" without an attempt. Returns the
 * length it needs (as snprintf: more than len - 1 means it did not fit). */
int view_cell_text(const struct verdict_item *it, enum view_cell_form form, char *buf,
                   size_t len);
/* The longest form in which every cell of rows[0, n) takes at most room characters. */
enum view_cell_form view_cell_form_for(const struct view_row *rows, size_t n, int room);
unsigned view_verdict_attr(const struct verdict_item *it);

/* Search (view_model_search.c): where the pattern is found, over every cell of every pair in
 * the order shown (pair, row, direction). */
struct view_search_scan {
    size_t count;      /* cells that match */
    size_t index;      /* 1-based rank of the selected cell among them; 0: it does not match */
};
/* Does the cell of r in direction dir (0: A -> B) hold pattern? */
bool view_cell_matches(const struct view_row *r, int dir, const struct view_pair *pair,
                       const char *pattern);
/* Counts the matches of sel->search (0 without one). *oom when allocation failed. */
void view_search_count(const struct view_input *in, const struct view_sel *sel,
                       struct view_search_scan *out, bool *oom);
/* n (back: N), and Enter after '/' (here: the selected cell counts as the next match): moves
 * the selection to the next match, wrapping around, and says so in sel->msg when it wraps or
 * finds nothing. */
void view_search_step(const struct view_input *in, struct view_sel *sel, bool back, bool here);
/* A key typed at the '/' prompt. */
enum view_action view_key_search(const struct view_input *in, struct view_sel *sel, int key);

/* Writes s at col of l, clipped to width (non-ASCII becomes '?'). Returns the column after it. */
int view_put(struct view_line *l, int width, int col, const char *s);

/* The header lines from the top of out: the title, and the newest message if there is one
 * (in->nmessages). Returns how many lines. */
int view_header(const struct view_input *in, const struct view_sel *sel,
                struct view_screen *out);
/* The lines over the matrix from y: the pair (has_pair: there is one) with the capture point,
 * and for two captures where each was taken. Returns how many lines. */
int view_pair_head(const struct view_input *in, const struct view_pair *pair, bool has_pair,
                   int y, struct view_screen *out);

/* Marks len columns of l from col with attr (clipped to width; at most VIEW_MAX_SPANS). */
void view_span(struct view_line *l, int width, int col, int len, unsigned attr);
/* A lower pane's title line: the title between rules drawn up to the edge (VIEW_A_RULE). */
void view_pane_rule(struct view_line *sep, int w, const char *title);
/* Word-wraps lead then text into lines[n, max) at width columns, continuation lines indented
 * by hang; a space parts lead and text unless lead is empty or ends in one (report_wrapped()'s
 * rule); a word longer than a line is cut over lines. Returns the new count. */
int view_wrap(char (*lines)[VIEW_MAX_WIDTH + 1], int n, int max, int width, const char *lead,
              const char *text, int hang);

/* The evidence pane (view_model_evidence.c): the evidence and advice of r's cell in
 * sel->col (r NULL: no row) in dh lines from y, scrolled by sel->scroll (clamped); the pane's
 * title goes into head. Returns 0 or FW_ENOMEM. */
int view_evidence_pane(struct view_sel *sel, const struct view_row *r,
                       const struct view_pair *pair, int y, int dh, struct view_screen *out,
                       char *head, size_t head_len);

/* The change to make (view_model_changes.c), in the text report's words
 * (report_changes_lines()). The block over the matrix from y: a heading, then the rules per
 * device and direction and the tests to run, as many whole ones as its share of the height
 * holds, the rest counted on a last line that names c. Returns how many lines it took; *oom
 * when allocation failed (said on its line). */
int view_changes_block(const struct view_input *in, int y, struct view_screen *out, bool *oom);
/* c: all of it, every look-alike too, in dh lines from y under a title, scrolled by
 * sel->scroll (clamped). Returns 0 or FW_ENOMEM. */
int view_changes_pane(const struct view_input *in, struct view_sel *sel, int y, int dh,
                      struct view_screen *out);

/* The attempts pane: the selected cell's attempts (r, the row, NULL when there is none), or all
 * of them with sel->all_attempts, in dh lines from y, scrolled by sel->scroll (clamped). The
 * pane's title goes into head. Returns how many attempts match. */
int view_attempts_pane(const struct view_input *in, struct view_sel *sel,
                       const struct view_row *r, const struct view_pair *pair, int y, int dh,
                       struct view_screen *out, char *head, size_t head_len);

#endif
