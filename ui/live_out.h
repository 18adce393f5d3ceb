/* ui/live_out.h: where the live stream's lines go: a bounded queue in memory, written to a
 * file descriptor without ever blocking, so that a reader that pauses (less, a slow ssh
 * session, a stalled log shipper) or goes away never stalls the capture loop. Lines that find
 * the queue full are dropped whole and counted; a broken output (EPIPE, the reader gone) ends
 * the stream and is remembered, never fatal. Formatting the lines is live_stream.c's; when to
 * drain, the loop's. */
#ifndef FW_LIVE_OUT_H
#define FW_LIVE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 256 KiB: about 2500 lines, 30 s of a busy stream; a reader stalled longer loses lines, the
 * capture nothing. */
#define LIVE_OUT_QUEUE_LEN (256u * 1024u)

enum live_out_prio {
    LIVE_OUT_LOW,   /* attempts: dropped first, once the queue is three quarters full */
    LIVE_OUT_HIGH,  /* verdicts, status, summaries: dropped only when the queue is full */
};

struct live_out {
    bool active;         /* live_out_init() ran: fini has something to undo */
    int fd;              /* what is written to: fd itself, or a non-blocking reopening of it */
    int own_fd;          /* the reopening (closed by fini), -1 if none */
    int restore_fl;      /* fd's flags to put back at fini when O_NONBLOCK was set on it, or -1 */
    bool is_socket;      /* send(MSG_DONTWAIT): no flag on a shared socket changes */
    bool broken;         /* the output failed: the stream is over */
    int error;           /* its errno */
    uint64_t dropped;    /* lines that found the queue full (or came after it broke) */
    uint64_t lines;      /* lines queued */
    char *buf;           /* ring of LIVE_OUT_QUEUE_LEN bytes; NULL: out of memory, all dropped */
    size_t head, used;   /* the next byte to write, and how many wait */
};

/* Takes fd (stdout's, or stderr's with --json) for the stream: a pipe, FIFO or terminal is
 * opened again, non-blocking, through /proc/self/fd (its own file description: the shell's
 * stays blocking), or else O_NONBLOCK is set on it and put back at fini. Call it while still
 * privileged: /proc/self/fd is root's once a process has changed its uid. */
void live_out_init(struct live_out *o, int fd);
void live_out_fini(struct live_out *o);

/* Queues one line (printf format, the newline included by the caller). */
void live_out_printf(struct live_out *o, enum live_out_prio prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes what the fd takes now, never waiting. Returns true while lines remain queued (then
 * the loop should wake when fd is writable: live_out_fd()). */
bool live_out_drain(struct live_out *o);

/* At the end of the run: writes everything still queued, waiting for the reader as long as
 * it takes (the capture is over; a reader gone breaks it). Returns false if the output broke. */
bool live_out_finish(struct live_out *o);

int live_out_fd(const struct live_out *o);
bool live_out_pending(const struct live_out *o);

#endif
