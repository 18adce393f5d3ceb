/* app/main.c: the fwsight command line: which command runs, the general help and the version.
 * Each command (cmd_*.c) parses its own options, wires a capture source into the analyzer and
 * the analysis into the views, and returns the exit status that main() passes on: 0 nothing
 * blocked, 1 blocking found, 2 usage or input error, 3 capture error (live, test, listen), as
 * common/exit.h lists them.
 * Before any of them runs, fds 0-2 are made valid (cap_out.h). */
#include <stdio.h>
#include <string.h>

#include "capture/cap_out.h"
#include "cmd_analyze.h"
#include "cmd_listen.h"
#include "cmd_live.h"
#include "cmd_probe.h"
#include "cmd_profiles.h"
#include "common/exit.h"

static const char main_usage[] =
    "usage: fwsight COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "fwsight tells which firewall blocks which port, in which direction, and how.\n"
    "\n"
    "Commands:\n"
    "  analyze FILE [FILE2]   analyse a saved capture (pcap, pcapng, .gz, - for stdin), or\n"
    "                         the captures of both servers: which ports pass, which are\n"
    "                         blocked, where, and how\n"
    "  live -i IFACE          capture on an interface, stream attempts and verdicts, report\n"
    "  test --peer HOST       capture while probing the profile's ports toward HOST, report\n"
    "  listen                 on the far side: accept and answer on the profile's ports\n"
    "  profiles [NAME|FILE]   list the port profiles, or show one and what each port is for\n"
    "  help [COMMAND]         show this help, or a command's\n"
    "\n"
    "Options:\n"
    "  -h, --help             show this help\n"
    "  --version              show the version\n"
    "\n"
    "Exit status: 0 nothing blocked, 1 blocking found, 2 usage or input error,\n"
    "3 capture error (live, test).\n"
    "See fwsight(1) and 'fwsight help COMMAND'.\n";

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stdout);
        return FW_EXIT_OK;
    }
    if (strcmp(argv[1], "analyze") == 0) {
        cmd_analyze_usage();
        return FW_EXIT_OK;
    }
    if (strcmp(argv[1], "listen") == 0) {
        cmd_listen_usage();
        return FW_EXIT_OK;
    }
    if (strcmp(argv[1], "test") == 0) {
        cmd_probe_usage();
        return FW_EXIT_OK;
    }
    if (strcmp(argv[1], "live") == 0) {
        cmd_live_usage();
        return FW_EXIT_OK;
    }
    if (strcmp(argv[1], "profiles") == 0) {
        char *args[] = { argv[1], (char *)"--help", NULL };
        return cmd_profiles(2, args);
    }
    fprintf(stderr, "fwsight help: no command '%s' (see fwsight --help)\n", argv[1]);
    return FW_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    /* Before anything is opened: started with stdout closed (>&-, some service managers), the
     * -w file would be given fd 1 and the report written into the capture. */
    if (cap_out_std_fds() != 0)
        return 3;
    if (argc < 2) {
        fputs(main_usage, stderr);
        return FW_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "analyze") == 0)
        return cmd_analyze(argc - 1, argv + 1);
    if (strcmp(cmd, "profiles") == 0)
        return cmd_profiles(argc - 1, argv + 1);
    if (strcmp(cmd, "listen") == 0)
        return cmd_listen(argc - 1, argv + 1);
    if (strcmp(cmd, "test") == 0)
        return cmd_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "live") == 0)
        return cmd_live(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc - 1, argv + 1);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(main_usage, stdout);
        return FW_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("fwsight %s\n", FW_VERSION);
        return FW_EXIT_OK;
    }
    if (cmd[0] == '-')
        fprintf(stderr, "fwsight: unknown option '%s' (see fwsight --help)\n", cmd);
    else
        fprintf(stderr, "fwsight: unknown command '%s' (see fwsight --help)\n", cmd);
    return FW_EXIT_USAGE;
}
