/* app/live_loop.c: poll(), a self-pipe for signals, deadlines (see live_loop.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live_loop.h"

/* A capture fd that keeps reporting an error without the pump failing (a driver that does not
 * say why) must not spin: after this many wake-ups in a row it ends the run. */
#define LIVE_FD_ERROR_WAKEUPS 5

static int live_sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t live_sig_seen;

static void live_on_signal(int signo)
{
    int saved = errno;
    live_sig_seen = signo;
    unsigned char b = (unsigned char)signo;
    if (write(live_sig_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a wake-up is already pending, nothing is lost */
    }
    errno = saved;
}

uint64_t live_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The signals that end a capture as q does: Ctrl-C, kill, and the terminal closing under it
 * (SIGHUP), which must not lose the -w file's last buffer either. */
static const int live_stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define LIVE_NSIG (sizeof live_stop_signals / sizeof live_stop_signals[0])

static int live_signals_on(struct sigaction old[LIVE_NSIG], char err[FW_ERRLEN])
{
    if (pipe(live_sig_pipe) != 0) {
        snprintf(err, FW_ERRLEN, "cannot create a pipe: %s", strerror(errno));
        return FW_EIO;
    }
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(live_sig_pipe[i], F_GETFL);
        fcntl(live_sig_pipe[i], F_SETFL, fl | O_NONBLOCK);
        fcntl(live_sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = live_on_signal; /* no SA_RESTART: poll() returns EINTR, we look again */
    sigemptyset(&sa.sa_mask);
    live_sig_seen = 0;
    for (size_t i = 0; i < LIVE_NSIG; i++)
        sigaction(live_stop_signals[i], &sa, &old[i]);
    return 0;
}

static void live_signals_off(const struct sigaction old[LIVE_NSIG])
{
    for (size_t i = 0; i < LIVE_NSIG; i++)
        sigaction(live_stop_signals[i], &old[i], NULL);
    close(live_sig_pipe[0]);
    close(live_sig_pipe[1]);
    live_sig_pipe[0] = live_sig_pipe[1] = -1;
}

/* One wake-up's pump; the error wins over everything else. */
static int live_pump(const struct live_loop_cfg *cfg, uint64_t *next_us, char err[FW_ERRLEN])
{
    uint64_t now = live_now_us();
    uint32_t wait_ms = cfg->max_wait_ms != 0 ? cfg->max_wait_ms : 1000;
    *next_us = now + (uint64_t)wait_ms * 1000u;
    if (cfg->end_us != 0 && cfg->end_us < *next_us)
        *next_us = cfg->end_us;
    return cfg->pump(cfg->ctx, now, next_us, err);
}

enum live_stop live_loop_run(const struct live_loop_cfg *cfg, int *signo, char err[FW_ERRLEN])
{
    struct pollfd pfd[2 + LIVE_MAX_WATCH];
    struct sigaction old[LIVE_NSIG];
    enum live_stop stop = LIVE_STOP_ERROR;
    int fd_errors = 0;
    uint64_t next_us = 0;
    *signo = 0;
    if (cfg->nwatch > LIVE_MAX_WATCH) {
        snprintf(err, FW_ERRLEN, "too many descriptors to watch (%zu)", cfg->nwatch);
        return LIVE_STOP_ERROR;
    }
    if (live_signals_on(old, err) != 0)
        return LIVE_STOP_ERROR;

    int rc = live_pump(cfg, &next_us, err);
    for (;;) {
        if (rc != 0) {
            stop = rc > 0 ? LIVE_STOP_PUMP : LIVE_STOP_ERROR;
            break;
        }
        uint64_t now = live_now_us();
        if (cfg->end_us != 0 && now >= cfg->end_us) {
            stop = LIVE_STOP_END;
            break;
        }
        if (live_sig_seen != 0) {
            *signo = live_sig_seen;
            stop = LIVE_STOP_SIGNAL;
            break;
        }
        if (cfg->nwatch > LIVE_MAX_WATCH) { /* the pump may have changed it */
            snprintf(err, FW_ERRLEN, "too many descriptors to watch (%zu)", cfg->nwatch);
            break;
        }
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){.fd = live_sig_pipe[0], .events = POLLIN};
        pfd[n++] = (struct pollfd){.fd = cfg->cap_fd, .events = POLLIN}; /* -1 is ignored */
        for (size_t i = 0; i < cfg->nwatch; i++)
            pfd[n++] = (struct pollfd){.fd = cfg->watch[i].fd, .events = cfg->watch[i].events};
        /* Round up: waking a little late is harmless, waking early spins until the deadline. */
        uint64_t wait_us = next_us > now ? next_us - now : 0;
        if (wait_us > 60000000u)
            wait_us = 60000000u; /* fits poll()'s int milliseconds; the pump re-arms it */
        int timeout_ms = (int)((wait_us + 999u) / 1000u);
        int pr = poll(pfd, n, timeout_ms);
        if (pr < 0 && errno != EINTR) {
            snprintf(err, FW_ERRLEN, "poll failed: %s", strerror(errno));
            break;
        }
        if (pr > 0) {
            if (pfd[0].revents & POLLIN) {
                unsigned char b[16];
                while (read(live_sig_pipe[0], b, sizeof b) > 0) {
                }
            }
            fd_errors = (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)) ? fd_errors + 1 : 0;
            /* a ready() may change the set: only the fds polled, and only those still in it */
            for (size_t i = 0; i + 2 < (size_t)n && i < cfg->nwatch; i++)
                if (pfd[2 + i].revents != 0 && cfg->watch[i].ready != NULL)
                    cfg->watch[i].ready(cfg->watch[i].ctx, pfd[2 + i].fd, pfd[2 + i].revents);
        }
        rc = live_pump(cfg, &next_us, err);
        if (rc == 0 && fd_errors >= LIVE_FD_ERROR_WAKEUPS) {
            snprintf(err, FW_ERRLEN, "the capture device reports an error (is the interface "
                     "gone?)");
            break;
        }
    }
    /* Frames captured before the end are still waiting in the buffer: hand them over. */
    if (stop != LIVE_STOP_ERROR) {
        rc = live_pump(cfg, &next_us, err);
        if (rc < 0)
            stop = LIVE_STOP_ERROR;
    }
    live_signals_off(old);
    return stop;
}
