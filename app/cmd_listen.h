/* app/cmd_listen.h: `fwsight listen`, the responder run on the far side so that `fwsight test`
 * finds something listening on every port of the profile before the product is installed.
 * What it answers and logs is cmd_listen.c's; the exit status is the caller's to return. */
#ifndef FW_CMD_LISTEN_H
#define FW_CMD_LISTEN_H

/* `fwsight listen ...`, argv[0] being "listen". Returns 0 (ended by its duration or by a
 * signal), 2 (usage error) or 3 (no port could be listened on). */
int cmd_listen(int argc, char **argv);

/* Prints the help of `fwsight listen` on stdout. */
void cmd_listen_usage(void);

#endif
