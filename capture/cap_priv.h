/* capture/cap_priv.h: giving up root once the capture device is open, so that no packet is
 * ever parsed with privileges. Opening the device and the files to keep open across the drop
 * (the -w capture) are the caller's, done before; what runs after is everyone else's. */
#ifndef FW_CAP_PRIV_H
#define FW_CAP_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"

/* CAP_PRIV_DEFAULT_USER: what -Z defaults to. */
#define CAP_PRIV_DEFAULT_USER "nobody"

/* A file opened before the drop (the -w capture), by the path it was opened with. */
struct cap_priv_file {
    int fd;           /* -1: none */
    const char *path;
};

/* Running as root (uid or euid 0): hands each of files to user and its group, so that it
 * belongs to whom it was written for (only a root-owned regular file with one name that the
 * path still names itself, not through a symlink: never a file of someone else's); then
 * empties the capability bounding set, becomes user (one group: its own; then setgid, then
 * setuid) and verifies that root cannot be regained; *dropped is set. Not root (e.g. a binary
 * given CAP_NET_RAW,CAP_NET_ADMIN with setcap): the user stays, the files are already the
 * user's, every capability is cleared (and verified), and *dropped is false. Either way no
 * capability is left and none can come back through exec (no_new_privs). A file that cannot
 * be handed over (a file system without owners) is reported in warn (empty otherwise) and the
 * run goes on; any other failure returns FW_EIO with err filled: the caller must stop, not
 * carry on privileged. */
int cap_priv_drop(const char *user, const struct cap_priv_file *files, size_t nfiles,
                  bool *dropped, char warn[FW_ERRLEN], char err[FW_ERRLEN]);

#endif
