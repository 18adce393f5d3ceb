/* ui/msg.h: the one path for the messages a command prints on stderr (its warnings and errors),
 * so that the interactive view can take them while it owns the terminal. Normally a message is
 * printed at once, byte for byte as given. Between msg_hold() and msg_release() it is kept
 * instead: the view shows the newest with a count of the others (tui.c reads msg_last()), and
 * msg_release(), called once the terminal is the user's again, prints them all in their order.
 * Printed while curses draws, a message would garble the screen until the next full repaint,
 * and on a terminal with an alternate screen vanish with it when the view closes.
 *
 * capture/ and analyze/ never print: they hand their text to the caller (err and warn buffers),
 * which prints it through here. One thread, so no lock. */
#ifndef FW_MSG_H
#define FW_MSG_H

#include <stddef.h>

/* Kept at most while held; beyond it messages are counted, and the count printed on release. */
#define MSG_KEEP_LEN 32768

/* One message: a whole line, newline included, as fprintf(stderr, ...) would print it. */
void msg_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on keep the messages (the view is up, or about to be). Held already: nothing. */
void msg_hold(void);
/* Prints what was kept, in order, and prints at once from now on. Not held: nothing. */
void msg_release(void);
/* msg_release() for a crash handler: write(2) only, no stdio, no allocation. */
void msg_release_on_crash(void);

/* The number of messages kept since msg_hold() (0 when not held), and the newest in buf as the
 * view shows it: one line, without the program's "fwsight: " and the newline. */
size_t msg_last(char *buf, size_t len);

#endif
