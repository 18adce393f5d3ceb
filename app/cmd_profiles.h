/* app/cmd_profiles.h: `fwsight profiles [NAME|FILE]`, and the loading of --profile, --ports and
 * --rpc-range that every command shares (a profile file is read here; parsing is
 * analyze/profile.c's). Exit codes are the caller's to return. */
#ifndef FW_CMD_PROFILES_H
#define FW_CMD_PROFILES_H

#include <stdio.h>

#include "analyze/profile.h"

#define PROFILE_FILE_MAX (1u << 20) /* a profile is a few KiB; more is the wrong file */

/* `fwsight profiles ...`, argv[0] being "profiles". Returns 0, or 2 (usage or input error). */
int cmd_profiles(int argc, char **argv);

/* --profile NAME|FILE: a built-in profile's name, else a file's path (a name with a '/' is
 * always a path). NULL on error, with "FILE: what was wrong" or "FILE:LINE: ..." in err. */
struct profile *profile_load_arg(const char *name_or_path, char err[FW_ERRLEN]);

/* The whole of --profile (NULL: PROFILE_DEFAULT), then --rpc-range LO-HI and --ports LIST
 * (each NULL if not given), in that order; both together are refused, as --ports leaves no
 * dynamic RPC range to set. NULL on error, with the message in err. */
struct profile *profile_load_args(const char *profile, const char *ports, const char *rpc_range,
                                  char err[FW_ERRLEN]);

/* Prints p as a table that fits 100 columns: service, protocols, ports, need, direction and
 * purpose (wrapped), then the note on ports outside the profile. */
void profile_print(FILE *out, const struct profile *p);

#endif
