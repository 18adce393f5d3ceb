/* app/live_loop.h: the one loop of a live run (STYLE 2): one thread, one poll() over the
 * capture's fd, SIGINT/SIGTERM (through a self-pipe) and the caller's other fds (keyboard,
 * probe sockets) until the next deadline; after every wake-up the caller's pump dispatches
 * frames without blocking, advances the analyzer on wall time and prints or redraws what
 * changed. No capture thread, no locks. What the pump does is the caller's (cmd_live.c, and
 * `fwsight test`); this file only waits, wakes and stops. */
#ifndef FW_LIVE_LOOP_H
#define FW_LIVE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "capture/frame.h"

/* Called after every wake-up (and once more before the loop returns, so that frames already
 * captured are not lost). now_us is live_now_us(). The pump may lower *next_us to when it next
 * needs to run (a timer); it is preset to now + max_wait. Returns 0 to go on, 1 to stop
 * cleanly (its work is done), or a negative FW_E* code with err filled to stop on an error. */
typedef int (*live_pump_fn)(void *ctx, uint64_t now_us, uint64_t *next_us, char err[FW_ERRLEN]);

/* Another fd to wait on; ready() runs before the pump when poll() reports it. */
struct live_watch {
    int fd;
    short events;
    void (*ready)(void *ctx, int fd, short revents);
    void *ctx;
};

struct live_loop_cfg {
    int cap_fd;                     /* cap_live_fd(), -1 if none: then max_wait paces it */
    live_pump_fn pump;
    void *ctx;
    uint64_t end_us;                /* wall-clock end (--duration), 0: none */
    uint32_t max_wait_ms;           /* longest sleep; 0: 1000 */
    const struct live_watch *watch; /* may be NULL; watch and nwatch are read afresh at */
    size_t nwatch;                  /* every wake-up, so the pump may change them */
};
#define LIVE_MAX_WATCH 14           /* nwatch at most */

enum live_stop {
    LIVE_STOP_END,    /* end_us reached */
    LIVE_STOP_SIGNAL, /* SIGINT or SIGTERM: *signo says which */
    LIVE_STOP_PUMP,   /* the pump returned 1 */
    LIVE_STOP_ERROR,  /* the pump failed, or poll() or the capture fd did: err says why */
};

/* Runs until one of the above; returns it (LIVE_STOP_ERROR with err filled). SIGINT and SIGTERM
 * handlers are installed for the run and the previous ones restored after it. */
enum live_stop live_loop_run(const struct live_loop_cfg *cfg, int *signo, char err[FW_ERRLEN]);

/* Wall-clock time in microseconds since the epoch: CLOCK_REALTIME, the clock libpcap stamps
 * frames with, so that timers and frame times can be compared. */
uint64_t live_now_us(void);

#endif
