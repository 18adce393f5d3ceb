/* app/cmd_probe.h: `fwsight test --peer HOST`: capture on the interface that routes to HOST
 * while probing every port of the profile toward HOST (and nothing else), then the verdict
 * report. The probes are capture/probe's, the capture capture/cap_live's, the loop
 * app/live_loop's, the verdicts analyze/'s and the report ui/report's. */
#ifndef FW_CMD_PROBE_H
#define FW_CMD_PROBE_H

/* `fwsight test ...`, argv[0] being "test". Returns the exit status: 0 nothing blocked,
 * 1 blocking found, 2 usage error, 3 capture error (the report of what was seen is still
 * printed when the capture broke during the test). */
int cmd_probe(int argc, char **argv);

/* Prints the help of `fwsight test` on stdout. */
void cmd_probe_usage(void);

#endif
