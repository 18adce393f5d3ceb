/* ui/view_model_int.h: what view_model.c (pairs, rows, keys), view_model_screen.c (the lines
 * of the screen), view_model_header.c and view_model_attempts.c share. Not for other files:
 * they use view_model.h. */
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

/* The selected pair's rows, sorted as sel says and filtered by sel->filter: an owned array
 * (free() it) of *n rows, NULL with *n = 0 when there are none; *oom when allocation failed. */
struct view_row *view_rows_of(const struct view_input *in, const struct view_sel *sel,
                              struct view_pair *pair, size_t *n, bool *oom);

/* "tcp 6325" or "icmp echo"; the row's service ("other ports" outside the profile). */
void view_port_text(uint8_t proto, uint16_t port, char *buf, size_t len);
const char *view_row_service(const struct view_row *r);

/* A cell as the matrix shows it: "DROPPED 4 SYN, 0 answers", or "-" without an attempt. */
void view_cell_text(const struct verdict_item *it, char *buf, size_t len);
unsigned view_verdict_attr(const struct verdict_item *it);

/* Writes s at col of l, clipped to width (non-ASCII becomes '?'). Returns the column after it. */
int view_put(struct view_line *l, int width, int col, const char *s);

/* The header lines from the top of out: the title, the pair (has_pair: there is one) with the
 * capture point, for two captures where each was taken, and the newest message if there is one
 * (in->nmessages). Returns how many lines. */
int view_header(const struct view_input *in, const struct view_sel *sel,
                const struct view_pair *pair, bool has_pair, struct view_screen *out);

/* The attempts pane: the selected cell's attempts (r, the row, NULL when there is none), or all
 * of them with sel->all_attempts, in dh lines from y, scrolled by sel->scroll (clamped). The
 * pane's title goes into head. Returns how many attempts match. */
int view_attempts_pane(const struct view_input *in, struct view_sel *sel,
                       const struct view_row *r, const struct view_pair *pair, int y, int dh,
                       struct view_screen *out, char *head, size_t head_len);

#endif
