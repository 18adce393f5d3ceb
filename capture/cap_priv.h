/* capture/cap_priv.h: giving up root once the capture device is open, so that no packet is
 * ever parsed with privileges. Opening the device and the files to keep open across the drop
 * (the -w capture) are the caller's, done before; what runs after is everyone else's. */
#ifndef FW_CAP_PRIV_H
#define FW_CAP_PRIV_H

#include <stdbool.h>

#include "frame.h"

/* CAP_PRIV_DEFAULT_USER: what -Z defaults to. */
#define CAP_PRIV_DEFAULT_USER "nobody"

/* Running as root (uid or euid 0): becomes user (clears supplementary groups, then setgid,
 * then setuid) and verifies that root cannot be regained; *dropped is set. Not root (e.g. a
 * binary given CAP_NET_RAW,CAP_NET_ADMIN with setcap): the user stays, every capability is
 * cleared (and verified), and *dropped is false. Any failure returns FW_EIO with err filled:
 * the caller must stop, not carry on privileged. */
int cap_priv_drop(const char *user, bool *dropped, char err[FW_ERRLEN]);

#endif
