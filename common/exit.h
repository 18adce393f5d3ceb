/* common/exit.h: fwsight's exit status, one list for every command (app/cmd_*.c) and for what
 * the help and the man page promise. Scripts test these numbers: they never change meaning. */
#ifndef FW_EXIT_H
#define FW_EXIT_H

enum fw_exit {
    FW_EXIT_OK = 0,      /* nothing blocked (or nothing to do: help, version) */
    FW_EXIT_BLOCKED = 1, /* blocking found */
    FW_EXIT_USAGE = 2,   /* usage or input error */
    FW_EXIT_CAPTURE = 3, /* capture or socket error (live, test, listen) */
};

#endif
