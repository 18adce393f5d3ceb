/* app/cmd_analyze.h: `fwsight analyze FILE [FILE2]`: the verdicts (and a Zeek conn.log) from
 * saved captures, as a report, JSON or the ncurses view. */
#ifndef FW_CMD_ANALYZE_H
#define FW_CMD_ANALYZE_H

/* `fwsight analyze ...`, argv[0] being "analyze". Returns the exit status: 0 nothing blocked,
 * 1 blocking found, 2 usage or input error. */
int cmd_analyze(int argc, char **argv);

/* Prints the help of `fwsight analyze` on stdout. */
void cmd_analyze_usage(void);

#endif
