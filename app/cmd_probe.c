/* app/cmd_probe.c: `fwsight test --peer HOST`, the active connection test (the command
 * probes; the file is not a test of fwsight). It opens the live capture on the
 * interface that routes to HOST (or -i), filtered to HOST, then probes every port of the
 * profile toward HOST and nothing else (TCP connect, UDP request, ICMP echo; the dynamic RPC
 * range is not scanned), --rounds times to catch intermittent blocks, and prints the verdicts
 * the capture of its own probes gives, with the local address as the capture point: the same
 * analysis and report as `fwsight analyze`. The probes' own outcomes are only shown as they
 * come, on stderr: a refused connect() cannot tell the host's RST from a firewall's.
 * With --locate, each blocked port is then followed along the path with TTL-limited probes
 * (cmd_probe_locate.c), once the capture is over.
 * The options and what to probe are cmd_probe_opts.c's; probing is capture/probe's, capturing
 * capture/cap_live's, waiting app/live_loop's, the analysis and its outputs session.c's. */
#include "cmd_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "capture/cap_live.h"
#include "capture/cap_priv.h"
#include "capture/cap_writer.h"
#include "capture/locate.h"
#include "capture/probe.h"
#include "cli.h"
#include "cmd_probe_int.h"
#include "common/exit.h"
#include "hash_key.h"
#include "live_filter.h"
#include "live_loop.h"
#include "session.h"
#include "ui/report.h"
#include "ui/report_locate.h"

#define TEST_MAX_WATCH 12     /* live_loop watches at most 14 fds besides the capture's */
#define TEST_LINGER_MS 1000u  /* after the last probe: late answers, FIN exchanges */

struct test_run {
    struct session s;
    struct cap_live *cap;
    struct cap_writer *w;
    struct probe_set *ps;
    struct locate *loc;            /* --locate */
    struct report_locate *located;
    size_t nlocated;
    char write_err[FW_ERRLEN];
    bool write_failed;
    uint64_t frames, linger_us;
    struct live_loop_cfg cfg; /* the pump changes cfg.nwatch: the probes' fds come and go */
    struct live_watch watch[TEST_MAX_WATCH];
    struct pollfd pfds[TEST_MAX_WATCH];
    size_t npfds;
};

static void test_to_fw_addr(const struct sockaddr_storage *ss, struct fw_addr *a)
{
    if (ss->ss_family == AF_INET6)
        fw_addr_set6(a, ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr);
    else
        fw_addr_set4(a, (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr.s_addr);
}

static void test_on_probe(void *ctx, const struct probe_event *ev)
{
    (void)ctx;
    char port[16] = "echo";
    if (ev->kind != PROBE_ECHO)
        snprintf(port, sizeof port, "%u", ev->port);
    fprintf(stderr, "fwsight test: round %u: %s %s: %s (%u ms)%s%s\n", ev->round,
            probe_kind_name(ev->kind), port, probe_outcome_name(ev->outcome), ev->elapsed_ms,
            ev->err ? ": " : "", ev->err ? strerror(ev->err) : "");
}

static void test_sink(void *ctx, const struct frame *f)
{
    struct test_run *run = ctx;
    run->frames++;
    if (run->w != NULL && !run->write_failed &&
        cap_writer_write(run->w, f, run->write_err) != 0)
        run->write_failed = true;
    session_feed(&run->s, f);
}

static void test_ready(void *ctx, int fd, short revents)
{
    struct pollfd *p = ctx;
    if (p->fd == fd)
        p->revents = revents;
}

/* After every wake-up: the probes read their answers and launch what is due, the frames
 * waiting are analysed, then the probes' fds become the loop's watch list. */
static int test_pump(void *ctx, uint64_t now_us, uint64_t *next_us, char err[FW_ERRLEN])
{
    struct test_run *run = ctx;
    uint64_t now_ms = probe_now_ms();
    probe_step(run->ps, run->pfds, run->npfds, now_ms);
    if (cap_live_dispatch(run->cap, 0, test_sink, run, err) < 0)
        return FW_EIO;
    session_advance(&run->s, now_us);
    if (probe_done(run->ps)) {
        if (run->linger_us == 0)
            run->linger_us = now_us + TEST_LINGER_MS * 1000u;
        if (now_us >= run->linger_us)
            return 1;
        *next_us = run->linger_us < *next_us ? run->linger_us : *next_us;
    }
    run->npfds = probe_pollfds(run->ps, run->pfds, TEST_MAX_WATCH);
    for (size_t i = 0; i < run->npfds; i++)
        run->watch[i] = (struct live_watch){ .fd = run->pfds[i].fd,
                                             .events = run->pfds[i].events,
                                             .ready = test_ready, .ctx = &run->pfds[i] };
    run->cfg.nwatch = run->npfds;
    uint64_t d = probe_deadline_ms(run->ps);
    if (d != UINT64_MAX) {
        uint64_t d_us = now_us + (d > now_ms ? (d - now_ms) * 1000u : 0);
        *next_us = d_us < *next_us ? d_us : *next_us;
    }
    return 0;
}

/* Capture, probes and privileges, in that order: the device and the echo socket need root,
 * nothing after them does. Returns 0, or an exit status with the message printed. */
static int test_open(struct test_run *run, const struct test_opts *o, const struct profile *p,
                     const struct sockaddr_storage *peer, socklen_t peer_len)
{
    char err[FW_ERRLEN] = "", warn[FW_ERRLEN] = "", host[INET6_ADDRSTRLEN + 160] = "";
    struct probe_item *items = calloc(PROBE_MAX_ITEMS, sizeof *items);
    char *filter = NULL;
    int status = FW_EXIT_USAGE;
    if (items == NULL)
        goto fail;
    size_t n = test_items(p, items, PROBE_MAX_ITEMS);
    if (n == 0) {
        snprintf(err, sizeof err, "the profile leaves no port to probe");
        goto fail;
    }
    const void *a = peer->ss_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)peer)->sin_addr;
    char ip[INET6_ADDRSTRLEN] = "";
    inet_ntop(peer->ss_family, a, ip, sizeof ip);
    /* A router's ICMP error comes from the router: it names HOST only in its quote. Errors
     * only (ICMPv6 types below 128): other hosts' pings are not this test's business. */
    snprintf(host, sizeof host, "host %s or (icmp and icmp[icmptype] != icmp-echo and "
             "icmp[icmptype] != icmp-echoreply) or (icmp6 and ip6[40] < 128)", ip);
    filter = live_filter_build(p, false, host, err);
    status = FW_EXIT_CAPTURE;
    if (filter == NULL)
        goto fail;
    /* A few probes' packets, and the analyzer advanced on the wall clock itself: each frame
     * as it comes, so none is older than that clock. */
    struct cap_live_opts co = { .iface = o->iface, .filter = filter, .immediate = true };
    run->cap = cap_live_open(&co, warn, err);
    if (run->cap == NULL)
        goto fail;
    if (warn[0] != '\0')
        fprintf(stderr, "fwsight test: warning: %s\n", warn);
    if (o->write != NULL) {
        run->w = cap_writer_open(o->write, cap_live_linktype(run->cap),
                                 cap_live_snaplen(run->cap), cap_writer_path_gz(o->write), false,
                                 err);
        if (run->w == NULL)
            goto fail;
    }
    struct probe_opts po = { .rounds = (uint32_t)o->rounds, .max_inflight = TEST_MAX_WATCH };
    run->ps = probe_new((const struct sockaddr *)peer, peer_len, items, n, &po, test_on_probe,
                        run, err);
    if (run->ps == NULL)
        goto fail;
    if (o->locate) { /* its echo socket may need the privileges about to go */
        run->loc = locate_new((const struct sockaddr *)peer, peer_len, err);
        if (run->loc == NULL)
            goto fail;
    }
    bool dropped;
    struct cap_priv_file wf = {
        run->w != NULL && cap_writer_created(run->w) ? cap_writer_fd(run->w) : -1, o->write };
    if (cap_priv_drop(o->user, &wf, 1, &dropped, warn, err) != 0)
        goto fail;
    if (warn[0] != '\0')
        fprintf(stderr, "fwsight test: warning: %s\n", warn);
    if (!dropped && o->user != NULL)
        fprintf(stderr, "fwsight test: not running as root: -Z %s ignored (capabilities "
                "dropped)\n", o->user);
    free(filter);
    free(items);
    return 0;

fail:
    fprintf(stderr, "fwsight test: %s\n", items == NULL ? "out of memory" : err);
    free(filter);
    free(items);
    return status;
}

static int test_report(struct test_run *run, const struct test_opts *o,
                       const struct fw_config *cfg, const char *capture_err)
{
    session_live_capture(&run->s, run->cap, run->frames, capture_err); /* as `fwsight live` */
    struct report_two two;
    session_result_one(&run->s, &two);
    struct session_result res = { .two = &two, .ncap = 1, .cfg = cfg, .opt = &o->r,
                                  .locate = o->locate,
                                  .located = run->located, .nlocated = run->nlocated,
                                  .profile = o->v.prof, .profile_arg = o->v.profile,
                                  .rpc_range = o->v.rpc_range };
    session_print(stdout, &res);
    int status = capture_err != NULL ? FW_EXIT_CAPTURE : FW_EXIT_OK;
    if (status == FW_EXIT_OK && session_blocking(&res))
        status = FW_EXIT_BLOCKED;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fwsight test: writing to stdout failed\n");
        status = FW_EXIT_CAPTURE;
    }
    return status;
}

int cmd_probe(int argc, char **argv)
{
    struct test_opts o = {0};
    struct test_run run = {0};
    struct fw_config cfg;
    struct sockaddr_storage peer, local;
    socklen_t peer_len;
    char err[FW_ERRLEN] = "", ifname[IF_NAMESIZE] = "";
    int status = FW_EXIT_USAGE, signo = 0;

    fw_config_defaults(&cfg);
    hash_keys_config(&cfg);
    int prc = test_parse(argc, argv, &o);
    if (prc != 0)
        return prc > 0 ? FW_EXIT_OK : FW_EXIT_USAGE;
    if (cli_verdict_setup("test", &o.v, &cfg.verdict) != 0)
        goto out;
    if (probe_resolve(o.peer, &peer, &peer_len, err) != 0) {
        fprintf(stderr, "fwsight test: %s\n", err);
        goto out;
    }
    status = FW_EXIT_CAPTURE;
    if (probe_route((struct sockaddr *)&peer, peer_len, &local, ifname, err) != 0) {
        fprintf(stderr, "fwsight test: %s: %s\n", o.peer, err);
        goto out;
    }
    if (o.iface == NULL)
        o.iface = ifname;
    /* The pair under test is named, so its untested ports are listed both ways. */
    test_to_fw_addr(&local, &cfg.verdict.local);
    cfg.verdict.source = cfg.verdict.local;
    test_to_fw_addr(&peer, &cfg.verdict.target);
    if (fw_addr_eq(&cfg.verdict.source, &cfg.verdict.target)) {
        fprintf(stderr, "fwsight test: %s is this host: nothing to test\n", o.peer);
        status = FW_EXIT_USAGE;
        goto out;
    }
    if (session_init(&run.s, &cfg) != 0) {
        fprintf(stderr, "fwsight test: out of memory\n");
        goto out;
    }
    status = test_open(&run, &o, o.v.prof, &peer, peer_len);
    if (status != 0)
        goto out;
    char addr[FW_ADDRSTRLEN];
    fprintf(stderr, "fwsight test: probing %s from %s, capturing on %s\n", o.peer,
            fw_addr_format(&cfg.verdict.local, addr, sizeof addr), cap_live_iface(run.cap));

    run.cfg = (struct live_loop_cfg){ .cap_fd = cap_live_fd(run.cap), .pump = test_pump,
                                      .ctx = &run, .max_wait_ms = 200, .watch = run.watch };
    enum live_stop stop = live_loop_run(&run.cfg, &signo, err);
    const char *cap_error = stop == LIVE_STOP_ERROR ? err : NULL;
    if (cap_error != NULL)
        fprintf(stderr, "fwsight test: %s\n", err);
    else if (stop == LIVE_STOP_SIGNAL)
        fprintf(stderr, "fwsight test: interrupted: the report covers the probes so far\n");
    struct cap_live_stats cs; /* what the capture lost weakens the verdicts it could hide */
    cap_live_stats(run.cap, &cs);
    session_finish(&run.s, true, cs.kernel_drops + cs.if_drops);
    if (run.w != NULL && (cap_writer_close(run.w, run.write_err) != 0 || run.write_failed)) {
        fprintf(stderr, "fwsight test: %s: %s\n", o.write, run.write_err);
        cap_error = run.write_err;
    }
    run.w = NULL;
    if (o.locate && cap_error == NULL && stop != LIVE_STOP_SIGNAL) {
        run.located = calloc(TEST_MAX_LOCATE, sizeof *run.located);
        if (run.located == NULL) {
            fprintf(stderr, "fwsight test: out of memory\n");
            status = FW_EXIT_CAPTURE;
            goto out;
        }
        run.nlocated = test_locate(run.loc, analyzer_verdicts(run.s.a), &cfg.verdict.local,
                                   &cfg.verdict.target, run.located, TEST_MAX_LOCATE);
    }
    status = test_report(&run, &o, &cfg, cap_error);

out:
    cap_writer_close(run.w, err);
    probe_free(run.ps);
    locate_free(run.loc);
    free(run.located);
    cap_live_close(run.cap);
    session_fini(&run.s);
    cli_verdict_fini(&o.v);
    return status;
}
