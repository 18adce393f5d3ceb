/* capture/cap_out.h: the one way fwsight opens a file to write the user's evidence into (-w,
 * --conn-log, the view's w, and any later output): never through a symbolic link, never over
 * an existing file unless the user said --force, and an error that names the file and the
 * cause. Also makes sure that fds 0-2 are open before anything is: a file opened while one of
 * them is closed would get its number and receive what is printed. What is written is the
 * caller's. */
#ifndef FW_CAP_OUT_H
#define FW_CAP_OUT_H

#include <stdbool.h>

#include "frame.h"

/* Opens path for writing. A new file (O_EXCL: two writers cannot race for one name); with
 * force an existing regular file is truncated instead. A symbolic link at path is refused even
 * with force (O_NOFOLLOW: root writing into a world-writable directory must not truncate what
 * a planted link points to). An existing character device or FIFO (/dev/null, a named pipe)
 * is written to as it is: there is no file to lose. *created says whether the file is new (only a new file may be
 * handed to another user). Returns the descriptor (close-on-exec), or FW_EUSAGE when the file
 * exists and force was not given, FW_EIO for anything else, with err filled:
 * "PATH: File exists (overwritten only with --force)",
 * "PATH: is a symbolic link (will not write through it)", "PATH: Permission denied". */
int cap_out_open(const char *path, bool force, bool *created, char err[FW_ERRLEN]);

/* Points each of fds 0, 1 and 2 that is closed at /dev/null, so that no file opened later
 * takes its number. Returns 0, or -1 when /dev/null could not be opened (then the caller must
 * not open anything). Call it first thing in main(). */
int cap_out_std_fds(void);
/* Whether fd (0-2) was closed when cap_out_std_fds() ran: a closed stdout means that nobody
 * reads it, so a report is better on stderr. */
bool cap_out_std_was_closed(int fd);

#endif
