/* app/cmd_listen.c: `fwsight listen`, the responder for the far side. It accepts on the
 * profile's TCP ports and answers on its UDP ports (IPv4 and IPv6), so that `fwsight test` on
 * the other server can tell a firewall from a port nobody listens on before the product is
 * installed, and it logs one line for every connection and datagram that reached it.
 *
 * It is built to be left running on a production server: it never sends more than it got (TCP:
 * nothing at all; UDP: a short fixed answer no longer than the request), it caps connections
 * per peer and in total, closes idle ones and any held too long or sending too much, stops
 * after --duration, gives up root (or its capabilities) once its ports are bound, and does not
 * listen on the dynamic RPC ranges (thousands of ports the real RPC services need free). This
 * file parses the options, picks the ports, turns SIGINT/SIGTERM into a signalfd and drops
 * privileges; the sockets and their poll() loop are listen_serve.c's, loading the profile
 * cmd_profiles.c's, and the exit status main.c's to return. */
#include "cmd_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/cap_priv.h"
#include "cli.h"
#include "cmd_profiles.h"
#include "common/exit.h"
#include "listen_serve.h"

#define LISTEN_MAX_RANGE 16       /* wider ranges (dynamic RPC) are not listened on */
#define LISTEN_DEFAULT_S 600      /* a troubleshooting session, not a service */
#define LISTEN_DEFAULT_CONNS 64
#define LISTEN_MAX_CONNS 512      /* with the listeners, under the usual 1024 fd soft limit */

static const char listen_usage[] =
    "usage: fwsight listen [OPTIONS]\n"
    "\n"
    "Responder for the far side of a test: accepts TCP connections and answers UDP\n"
    "datagrams on the profile's ports (IPv4 and IPv6), so that 'fwsight test --peer HOST'\n"
    "run on the other server can tell a firewall from a port nobody listens on. Logs one\n"
    "line per connection or datagram that reached it (time, proto, port, peer). Sends\n"
    "nothing on TCP, and on UDP a short fixed answer no longer than the request. Ports\n"
    "already in use are reported and skipped; the dynamic RPC range and any range wider\n"
    "than " "16 ports are not listened on (give single ports with --ports).\n"
    "\n"
    "Options:\n"
    "  --profile NAME|FILE  the ports to listen on (default double-take)\n"
    "  --ports LIST         these ports instead: 6320,6325-6326,udp:137,tcp:135\n"
    "  --rpc-range LO-HI    accepted for symmetry with test; the range is not listened on\n"
    "  --bind ADDR          listen on this address only (default: every address, v4 and v6)\n"
    "  --duration S         stop after S seconds (default 600)\n"
    "  --max-conns N        at most N connections open at once (default 64, at most 512;\n"
    "                       8 per peer); more are accepted and closed at once\n"
    "  -Z USER              once the ports are bound, run as USER (default nobody); without\n"
    "                       root, the capabilities are given up instead\n"
    "  -h, --help           show this help\n"
    "\n"
    "A connection is closed after 5 s without data, 10 s after it was accepted, or once\n"
    "it has sent more than 64 KiB. Ctrl-C or SIGTERM stops it with a summary, which\n"
    "ends with the ports that never received anything (tcp:6326,135-139; udp:6325),\n"
    "those a test from the other side did not reach. Exit status: 0 done, 2 usage\n"
    "error, 3 no port could be listened on.\n";

struct listen_opts {
    const char *profile, *ports, *rpc_range, *bind, *user;
    unsigned long duration_s, max_conns;
    struct listen_bind b;
};

void cmd_listen_usage(void)
{
    fputs(listen_usage, stdout);
}

static int listen_usage_error(const char *fmt, const char *arg)
{
    return cli_usage_error("listen", fmt, arg);
}

static int listen_number(const char *opt, const char *text, unsigned long lo, unsigned long hi,
                         unsigned long *out)
{
    return cli_number("listen", opt, text, lo, hi, out);
}

static int listen_set_bind(struct listen_opts *o)
{
    memset(&o->b.addr, 0, sizeof o->b.addr);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&o->b.addr;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->b.addr;
    if (o->bind == NULL) {
        /* One dual-stack socket per port; a host without IPv6 gets IPv4 only. */
        int fd = socket(AF_INET6, SOCK_DGRAM, 0);
        if (fd >= 0) {
            close(fd);
            s6->sin6_family = AF_INET6;
            s6->sin6_addr = in6addr_any;
            o->b.len = sizeof *s6;
            o->b.dual = true;
            return 0;
        }
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_ANY);
        o->b.len = sizeof *s4;
        return 0;
    }
    if (inet_pton(AF_INET, o->bind, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        o->b.len = sizeof *s4;
        return 0;
    }
    if (inet_pton(AF_INET6, o->bind, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        o->b.len = sizeof *s6;
        return 0;
    }
    return listen_usage_error("--bind wants an IPv4 or IPv6 address, not '%s'", o->bind);
}

/* Returns 0 to run, 1 after --help, -1 on a usage error (already reported). */
static int listen_parse(int argc, char **argv, struct listen_opts *o)
{
    enum { OPT_PROFILE = 256, OPT_PORTS, OPT_RPC_RANGE, OPT_BIND, OPT_DURATION, OPT_MAX_CONNS };
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"ports", required_argument, NULL, OPT_PORTS},
        {"rpc-range", required_argument, NULL, OPT_RPC_RANGE},
        {"bind", required_argument, NULL, OPT_BIND},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"max-conns", required_argument, NULL, OPT_MAX_CONNS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    o->duration_s = LISTEN_DEFAULT_S;
    o->max_conns = LISTEN_DEFAULT_CONNS;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":Z:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_PORTS: o->ports = optarg; break;
        case OPT_RPC_RANGE: o->rpc_range = optarg; break;
        case OPT_BIND: o->bind = optarg; break;
        case 'Z': o->user = optarg; break;
        case OPT_DURATION:
            if (listen_number("--duration", optarg, 1, 7 * 24 * 3600, &o->duration_s) != 0)
                return -1;
            break;
        case OPT_MAX_CONNS:
            if (listen_number("--max-conns", optarg, 1, LISTEN_MAX_CONNS, &o->max_conns) != 0)
                return -1;
            break;
        case 'h': cmd_listen_usage(); return 1;
        case ':': return listen_usage_error("option '%s' needs an argument", argv[optind - 1]);
        default: return listen_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return listen_usage_error("unexpected argument '%s'", argv[optind]);
    return listen_set_bind(o);
}

static void listen_open_profile(struct listen_serve *r, const struct listen_opts *o,
                                const struct profile *p)
{
    for (size_t e = 0; e < p->n_entries; e++) {
        const struct profile_entry *en = &p->entries[e];
        for (size_t k = 0; k < en->n_ranges; k++) {
            const struct profile_range *rg = &en->ranges[k];
            if (en->rpc == PROFILE_RPC_DYNAMIC || rg->hi - rg->lo + 1 > LISTEN_MAX_RANGE) {
                printf("not listening on %s %u-%u (%s): %s\n",
                       en->protos & PROFILE_TCP ? "tcp" : "udp", rg->lo, rg->hi, en->service,
                       en->rpc == PROFILE_RPC_DYNAMIC ? "the dynamic RPC range"
                                                      : "a range this wide");
                continue;
            }
            for (unsigned port = rg->lo; port <= rg->hi; port++) {
                if ((en->protos & PROFILE_TCP) &&
                    listen_serve_open(r, &o->b, IPPROTO_TCP, (uint16_t)port) != 0)
                    return;
                if ((en->protos & PROFILE_UDP) &&
                    listen_serve_open(r, &o->b, IPPROTO_UDP, (uint16_t)port) != 0)
                    return;
            }
        }
    }
}

/* Ports below 1024 need root (or CAP_NET_BIND_SERVICE) to bind, nothing after does: what
 * peers send is read as USER, or without capabilities. 0, or -1 with the message printed. */
static int listen_drop(const char *user)
{
    char err[FW_ERRLEN] = "", warn[FW_ERRLEN] = "";
    bool dropped;
    if (cap_priv_drop(user, NULL, 0, &dropped, warn, err) != 0) {
        fprintf(stderr, "fwsight listen: %s\n", err);
        return -1;
    }
    if (!dropped && user != NULL)
        fprintf(stderr, "fwsight listen: not running as root: -Z %s ignored (capabilities "
                "dropped)\n", user);
    return 0;
}

int cmd_listen(int argc, char **argv)
{
    struct listen_opts o = {0};
    struct listen_serve *r = NULL;
    struct profile *p = NULL;
    char err[FW_ERRLEN] = "", addr[64];
    sigset_t set, old;
    int sigfd = -1, status = FW_EXIT_USAGE;
    bool masked = false;

    int prc = listen_parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? FW_EXIT_OK : FW_EXIT_USAGE;
    p = profile_load_args(o.profile, o.ports, o.rpc_range, err);
    if (p == NULL) {
        fprintf(stderr, "fwsight listen: %s\n", err);
        goto out;
    }
    status = FW_EXIT_CAPTURE;
    setvbuf(stdout, NULL, _IOLBF, 0); /* the log is read as it comes, often through a pipe */
    /* The signals become readable on an fd, so that the one poll() sees them too. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, &old) != 0 ||
        (masked = true, sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
        fprintf(stderr, "fwsight listen: signalfd: %s\n", strerror(errno));
        goto out;
    }
    r = listen_serve_new(o.max_conns);
    if (r == NULL) {
        fprintf(stderr, "fwsight listen: out of memory\n");
        goto out;
    }
    listen_open_profile(r, &o, p);
    if (listen_serve_count(r) == 0) {
        fprintf(stderr, "fwsight listen: no port could be listened on\n");
        goto out;
    }
    if (listen_drop(o.user) != 0)
        goto out;
    if (listen_addr_text(&o.b.addr, addr, sizeof addr) == NULL)
        snprintf(addr, sizeof addr, "?");
    printf("fwsight listen: listening on %zu ports at %s%s for %lu s (Ctrl-C stops):",
           listen_serve_count(r), addr, o.b.dual ? " (IPv4 and IPv6)" : "", o.duration_s);
    listen_serve_print_ports(r, stdout);
    printf("\n");
    status = listen_serve_run(r, sigfd, o.duration_s * 1000u) == 0 ? FW_EXIT_OK : FW_EXIT_CAPTURE;

out:
    listen_serve_free(r);
    if (sigfd >= 0)
        close(sigfd);
    if (masked)
        sigprocmask(SIG_SETMASK, &old, NULL);
    profile_free(p);
    return status;
}
