/* ui/tui.h: the terminal side of the interactive view: ncurses setup and teardown, painting the
 * view model's screen (view_model.h), and turning keys into view keys. The terminal is
 * restored on every way out: tui_close(), exit(), SIGINT/SIGTERM (the caller's loop sees them
 * and closes), and crash signals (the handler ends curses, then re-raises). What is shown is
 * view_model's; when to repaint is the caller's (tui_browse() for a finished analysis, the
 * live loop's pump for a capture). */
#ifndef FW_TUI_H
#define FW_TUI_H

#include <stdbool.h>

#include "capture/frame.h"
#include "view_model.h"

struct tui;

/* True when stdin and stdout are both terminals: the view needs them. */
bool tui_is_possible(void);
/* True when the terminal ($TERM) can draw the view: known to terminfo and with cursor
 * addressing. TERM=dumb (Emacs' shell, some CI logs) has none, and the view would be a blank
 * screen: false, with why filled, and the caller prints text instead (tui_term.c). */
bool tui_can_draw(char why[FW_ERRLEN]);

/* Takes over the terminal, and from then on keeps the messages (msg_hold()): they are painted
 * under the header. mouse: clicks select (--mouse); otherwise the mouse stays the terminal's,
 * so that text (the advice) can be selected and copied. NULL with err filled if it cannot (no
 * terminal, unknown TERM). */
struct tui *tui_open(bool mouse, char err[FW_ERRLEN]);
/* Gives the terminal back as it was, and the signal handlers curses set (SIGINT, SIGTERM,
 * SIGTSTP, SIGWINCH) as they were before tui_open(); then prints the messages kept
 * (msg_release()). A crash or exit() with the view up restores the terminal and prints them
 * too. NULL does nothing. */
void tui_close(struct tui *t);

/* The keyboard's fd, to watch for POLLIN. */
int tui_fd(const struct tui *t);
/* Reads every pending key (and resizes) without blocking and applies them to the selection:
 * mouse clicks select (with mouse on, where the terminal reports them).
 * VIEW_QUIT when the user quit, VIEW_REDRAW when the screen must be painted again. */
enum view_action tui_keys(struct tui *t, const struct view_input *in);
/* w's work, which is the caller's: flush the file being written, or start one at path (typed
 * at the prompt); msg says what happened. Without one, w says it cannot save. */
typedef void (*tui_save_fn)(void *ctx, const char *path, char msg[VIEW_MSG_LEN]);
void tui_set_save(struct tui *t, tui_save_fn fn, void *ctx);

/* Builds the screen for the terminal's size and paints it, with the newest message kept. */
void tui_paint(struct tui *t, const struct view_input *in);
/* The selection (the live pump reads paused from it). */
const struct view_sel *tui_sel(const struct tui *t);

/* Shows a finished analysis until q, SIGINT or SIGTERM, or the terminal going away. Returns 0,
 * or -1 with err filled when the terminal could not be used. */
int tui_browse(const struct view_input *in, bool mouse, char err[FW_ERRLEN]);

#endif
