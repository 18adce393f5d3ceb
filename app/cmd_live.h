/* app/cmd_live.h: `fwsight live -i IFACE`: capture on an interface, stream the attempts and
 * verdicts as they settle, save what was captured (-w) and print the verdict report at the end.
 * The capture is capture/cap_live's, the loop app/live_loop's, the analysis analyze/'s. */
#ifndef FW_CMD_LIVE_H
#define FW_CMD_LIVE_H

/* `fwsight live ...`, argv[0] being "live". Returns the exit status: 0 nothing blocked,
 * 1 blocking found, 2 usage error, 3 capture error (no such interface, no permission, the
 * interface went away, the -w file could not be written: the report of what was seen is still
 * printed and the saved file is valid up to that point). */
int cmd_live(int argc, char **argv);

/* Prints the help of `fwsight live` on stdout. */
void cmd_live_usage(void);

#endif
