/* ui/live_out.c: the live stream's bounded, non-blocking output (see live_out.h). */
#include "live_out.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void live_out_init(struct live_out *o, int fd)
{
    memset(o, 0, sizeof *o);
    o->active = true;
    o->fd = fd;
    o->own_fd = o->restore_fl = -1;
    o->buf = malloc(LIVE_OUT_QUEUE_LEN);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        o->broken = true;
        o->error = errno;
        return;
    }
    if (S_ISSOCK(st.st_mode)) {
        o->is_socket = true;
        return;
    }
    /* A regular file or a disk takes writes at disk speed: nothing to wait for. */
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
        return;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (nfd >= 0) {
        o->fd = o->own_fd = nfd;
        return;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
        o->restore_fl = fl;
}

void live_out_fini(struct live_out *o)
{
    if (!o->active)
        return;
    if (o->own_fd >= 0)
        close(o->own_fd);
    if (o->restore_fl >= 0)
        fcntl(o->fd, F_SETFL, o->restore_fl);
    free(o->buf);
    memset(o, 0, sizeof *o);
}

int live_out_fd(const struct live_out *o)
{
    return o->fd;
}

bool live_out_pending(const struct live_out *o)
{
    return !o->broken && o->used > 0;
}

void live_out_printf(struct live_out *o, enum live_out_prio prio, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    size_t room = LIVE_OUT_QUEUE_LEN - o->used;
    if (prio == LIVE_OUT_LOW)
        room = o->used < LIVE_OUT_QUEUE_LEN / 4 * 3 ? LIVE_OUT_QUEUE_LEN / 4 * 3 - o->used : 0;
    if (o->broken || o->buf == NULL || len > room) {
        o->dropped++;
        return;
    }
    size_t tail = (o->head + o->used) % LIVE_OUT_QUEUE_LEN;
    size_t first = len < LIVE_OUT_QUEUE_LEN - tail ? len : LIVE_OUT_QUEUE_LEN - tail;
    memcpy(o->buf + tail, line, first);
    memcpy(o->buf, line + first, len - first);
    o->used += len;
    o->lines++;
}

/* One write of the queue's first contiguous span. >0 written, 0 would block, -1 broken. */
static ssize_t out_write_once(struct live_out *o)
{
    size_t span = o->used < LIVE_OUT_QUEUE_LEN - o->head ? o->used : LIVE_OUT_QUEUE_LEN - o->head;
    ssize_t r;
    do {
        r = o->is_socket ? send(o->fd, o->buf + o->head, span, MSG_DONTWAIT | MSG_NOSIGNAL)
                         : write(o->fd, o->buf + o->head, span);
    } while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (r <= 0) {
        /* EPIPE (the reader went away), EBADF, EIO: the stream is over, the capture is not. */
        o->broken = true;
        o->error = r < 0 ? errno : EIO;
        o->used = 0;
        return -1;
    }
    o->head = (o->head + (size_t)r) % LIVE_OUT_QUEUE_LEN;
    o->used -= (size_t)r;
    return r;
}

bool live_out_drain(struct live_out *o)
{
    while (!o->broken && o->used > 0)
        if (out_write_once(o) <= 0)
            break;
    return live_out_pending(o);
}

bool live_out_finish(struct live_out *o)
{
    while (!o->broken && o->used > 0) {
        ssize_t r = out_write_once(o);
        if (r == 0) {
            struct pollfd p = {.fd = o->fd, .events = POLLOUT};
            if (poll(&p, 1, -1) < 0 && errno != EINTR) {
                o->broken = true;
                o->error = errno;
            }
        }
    }
    return !o->broken;
}
