/* capture/cap_gunzip.c: the gzip stream of a capture file or stdin, inflated by a thread of its
 * own into a ring of blocks that the reader copies out. The thread reads the compressed bytes
 * and drives inflate() itself (gzip is told from bytes already read, so stdin, which cannot
 * seek back, works as a file does); the reader's thread does everything else. One mutex and two
 * conditions hand the blocks over, once per block. A process allowed only one CPU (or that may
 * start no thread) has no thread: the reader inflates straight into its own buffer as it reads,
 * with the same code.
 *
 * The stream is what gunzip makes of it: several members in a row are one stream (what
 * `cat a.gz b.gz` makes); bytes after a complete member that do not start a new one are
 * ignored ("trailing garbage"); a stream cut before its end marker is truncated; corrupt data
 * is an error that comes after every byte inflated before it (often all of them: a bad CRC
 * shows only at the end).
 *
 * The thread takes no signal (they stay the reader's). It waits for input in poll(2), beside an
 * eventfd that stopping it writes to: a stop never waits for a pipe whose writer keeps it open
 * and sends nothing. (Not pthread_cancel: its unwinding is not one AddressSanitizer follows.) */
#define _GNU_SOURCE /* sched_getaffinity(), CPU_COUNT() */
#include "cap_gunzip.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <zlib.h>

/* At most 256 KiB per inflate() call and per block (and per read of compressed input): zlib
 * then runs its CRC over output still in the L2 cache (after 1 MiB calls a third of the run's
 * L2 read misses, in cachegrind, were the CRC re-reading evicted output); the price, zlib
 * copying 32 KiB of window per call, is smaller. Four blocks: 1 MiB inflated ahead. */
#define GZ_BLOCK (256u * 1024u)
#define GZ_BLOCKS 4u

struct cap_gunzip {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled;  /* a block was filled, or the stream ended */
    pthread_cond_t drained; /* a block was copied out, or stop */
    /* Under mu. Blocks [head, head + count) (mod GZ_BLOCKS) are the reader's, the rest the
     * thread's; the reader has taken head_off bytes of the head block. */
    uint8_t *block[GZ_BLOCKS];
    size_t len[GZ_BLOCKS];
    unsigned head, count;
    size_t head_off;
    bool threaded; /* else the reader inflates as it reads (one core) */
    bool ended; /* the thread is done: status, detail and truncated say how */
    bool stop;
    int stop_fd; /* an eventfd: written to stop the thread waiting in gz_read */
    int status;
    bool truncated;
    char detail[FW_ERRLEN];
    /* The thread's alone until it ends. */
    int fd;
    uint8_t *zbuf; /* compressed input */
    size_t zsize;
    z_stream zs;
    bool member_done; /* the last member ended; the next byte starts a new one or is garbage */
    bool new_member;  /* a member after the first was begun and nothing inflated from it yet:
                       * kept across blocks, whose ends fall where the reads do */
};

/* The thread was told to stop while it waited for input. */
#define GZ_STOPPED 2

/* Reads compressed input, waiting for it beside the stop signal: 0, GZ_STOPPED or FW_EIO. */
static int gz_read(struct cap_gunzip *g, size_t *got)
{
    size_t want = g->zsize < GZ_BLOCK ? g->zsize : GZ_BLOCK;
    for (;;) {
        struct pollfd p[2] = { { .fd = g->fd, .events = POLLIN },
                               { .fd = g->stop_fd, .events = POLLIN } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            snprintf(g->detail, sizeof g->detail, "%s", strerror(errno));
            return FW_EIO;
        }
        if (p[1].revents != 0)
            return GZ_STOPPED;
        ssize_t r = read(g->fd, g->zbuf, want); /* ready: a file always is */
        if (r >= 0) {
            *got = (size_t)r;
            return 0;
        }
        if (errno != EINTR && errno != EAGAIN) {
            snprintf(g->detail, sizeof g->detail, "%s", strerror(errno));
            return FW_EIO;
        }
    }
}

/* Inflates into out (size bytes, at most GZ_BLOCK) until it is full, the input read so far is
 * used up, or the stream ends, saying in *len how many bytes came. 0: more may come; 1: the
 * stream ended (g->truncated says how); GZ_STOPPED; negative FW_E* with g->detail filled. */
static int gz_fill(struct cap_gunzip *g, uint8_t *out, size_t size, size_t *len)
{
    *len = 0;
    while (*len < size) {
        if (g->zs.avail_in == 0) {
            if (*len > 0)
                return 0; /* handed over before waiting for more: a pipe may be slow */
            size_t got;
            int rc = gz_read(g, &got);
            if (rc != 0)
                return rc;
            if (got == 0) {
                g->truncated = !g->member_done && !g->new_member;
                return 1;
            }
            g->zs.next_in = g->zbuf;
            g->zs.avail_in = (uInt)got;
        }
        if (g->member_done) {
            if (inflateReset(&g->zs) != Z_OK) {
                snprintf(g->detail, sizeof g->detail, "gzip: cannot restart the decompressor");
                return FW_EIO;
            }
            g->member_done = false;
            g->new_member = true;
        }
        size_t room = size - *len;
        g->zs.next_out = out + *len;
        g->zs.avail_out = (uInt)room;
        int zrc = inflate(&g->zs, Z_NO_FLUSH);
        size_t produced = room - g->zs.avail_out;
        *len += produced;
        if (produced > 0)
            g->new_member = false;
        if (zrc == Z_STREAM_END) {
            g->member_done = true;
        } else if (zrc == Z_DATA_ERROR && g->new_member) {
            return 1; /* trailing garbage after a complete member */
        } else if (zrc == Z_MEM_ERROR) {
            snprintf(g->detail, sizeof g->detail, "gzip: out of memory");
            return FW_ENOMEM;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            snprintf(g->detail, sizeof g->detail, "gzip data is corrupt: %s",
                     g->zs.msg ? g->zs.msg : "unexpected decompressor state");
            return FW_EFORMAT;
        }
    }
    return 0;
}

/* gz_fill's rc, not 0: the stream is over (its status: 0, a clean end, or the error). */
static void gz_ended(struct cap_gunzip *g, int rc)
{
    g->ended = true;
    g->status = rc < 0 ? rc : 0;
}

static void *gz_main(void *arg)
{
    struct cap_gunzip *g = arg;
    for (unsigned tail = 0;;) {
        pthread_mutex_lock(&g->mu);
        while (g->count == GZ_BLOCKS && !g->stop)
            pthread_cond_wait(&g->drained, &g->mu);
        bool stop = g->stop;
        pthread_mutex_unlock(&g->mu);
        if (stop)
            return NULL;
        size_t len;
        int rc = gz_fill(g, g->block[tail], GZ_BLOCK, &len);
        if (rc == GZ_STOPPED)
            return NULL;
        pthread_mutex_lock(&g->mu);
        if (len > 0) {
            g->len[tail] = len;
            g->count++;
            tail = (tail + 1) % GZ_BLOCKS;
        }
        if (rc != 0)
            gz_ended(g, rc);
        pthread_cond_signal(&g->filled);
        pthread_mutex_unlock(&g->mu);
        if (rc != 0)
            return NULL;
    }
}

/* The CPUs this process may run on: a thread of its own pays only with a second one (pinned
 * to one core, the hand-over and the copy would cost about a tenth more than inflating in
 * place). */
static int cpus_available(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

static void gz_free(struct cap_gunzip *g)
{
    inflateEnd(&g->zs);
    for (unsigned i = 0; i < GZ_BLOCKS; i++)
        free(g->block[i]);
    free(g->zbuf);
    if (g->stop_fd >= 0)
        close(g->stop_fd);
    pthread_cond_destroy(&g->filled);
    pthread_cond_destroy(&g->drained);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Starts the thread: true if it runs. Else (no memory, descriptor or thread to spare) the
 * reader inflates as it reads, as on one CPU, as before the thread was there: a tight ulimit
 * is no reason to refuse a file. */
static bool gz_thread_start(struct cap_gunzip *g)
{
    for (unsigned i = 0; i < GZ_BLOCKS; i++)
        if ((g->block[i] = malloc(GZ_BLOCK)) == NULL)
            return false;
    g->stop_fd = eventfd(0, EFD_CLOEXEC);
    if (g->stop_fd < 0)
        return false;
    /* Signals stay the reader's: the thread starts with them blocked, all but those its own
     * fault raises (a crash in zlib), which then reach the handler that puts the terminal
     * back (ui/tui.c) instead of killing the process with it left raw. */
    static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS };
    sigset_t all, was;
    sigfillset(&all);
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_SETMASK, &all, &was);
    int rc = pthread_create(&g->thread, NULL, gz_main, g);
    pthread_sigmask(SIG_SETMASK, &was, NULL);
    return rc == 0; /* what it took is gz_free's */
}

int cap_gunzip_start(struct cap_gunzip **out, int fd, uint8_t *first, size_t n, size_t cap,
                     char detail[FW_ERRLEN])
{
    *out = NULL;
    struct cap_gunzip *g = calloc(1, sizeof *g);
    if (g == NULL) {
        free(first);
        snprintf(detail, FW_ERRLEN, "out of memory");
        return FW_ENOMEM;
    }
    g->fd = fd;
    g->stop_fd = -1;
    g->zbuf = first;
    g->zsize = cap;
    g->zs.next_in = first;
    g->zs.avail_in = (uInt)n;
    pthread_mutex_init(&g->mu, NULL);
    pthread_cond_init(&g->filled, NULL);
    pthread_cond_init(&g->drained, NULL);
    if (inflateInit2(&g->zs, 16 + MAX_WBITS) != Z_OK) {
        gz_free(g);
        snprintf(detail, FW_ERRLEN, "out of memory");
        return FW_ENOMEM;
    }
    g->threaded = cpus_available() > 1 && gz_thread_start(g);
    *out = g;
    return 0;
}

/* How the stream ended, once every byte before was taken. */
static int gz_end(const struct cap_gunzip *g, bool *truncated, char detail[FW_ERRLEN])
{
    *truncated = g->truncated;
    if (g->status < 0)
        snprintf(detail, FW_ERRLEN, "%s", g->detail);
    return g->status;
}

/* One core: inflated straight into the reader's buffer, as it asks. */
static int read_inline(struct cap_gunzip *g, uint8_t *dst, size_t room, size_t *got,
                       bool *truncated, char detail[FW_ERRLEN])
{
    if (!g->ended) {
        int rc = gz_fill(g, dst, room < GZ_BLOCK ? room : GZ_BLOCK, got);
        if (rc != 0)
            gz_ended(g, rc);
    }
    return *got > 0 ? 0 : gz_end(g, truncated, detail);
}

int cap_gunzip_read(struct cap_gunzip *g, uint8_t *dst, size_t room, size_t *got,
                    bool *truncated, char detail[FW_ERRLEN])
{
    *got = 0;
    if (!g->threaded)
        return read_inline(g, dst, room, got, truncated, detail);
    pthread_mutex_lock(&g->mu);
    while (g->count == 0 && !g->ended)
        pthread_cond_wait(&g->filled, &g->mu);
    if (g->count == 0) {
        int rc = gz_end(g, truncated, detail);
        pthread_mutex_unlock(&g->mu);
        return rc;
    }
    unsigned h = g->head;
    size_t off = g->head_off, len = g->len[h];
    pthread_mutex_unlock(&g->mu);
    /* The head block is the reader's until it is handed back: copied without the lock. */
    size_t n = len - off < room ? len - off : room;
    memcpy(dst, g->block[h] + off, n);
    *got = n;
    pthread_mutex_lock(&g->mu);
    if (off + n == len) {
        g->head = (h + 1) % GZ_BLOCKS;
        g->head_off = 0;
        g->count--;
        pthread_cond_signal(&g->drained);
    } else {
        g->head_off = off + n;
    }
    pthread_mutex_unlock(&g->mu);
    return 0;
}

void cap_gunzip_stop(struct cap_gunzip *g)
{
    if (g == NULL)
        return;
    if (!g->threaded) {
        gz_free(g);
        return;
    }
    pthread_mutex_lock(&g->mu);
    g->stop = true;
    pthread_cond_signal(&g->drained);
    pthread_mutex_unlock(&g->mu);
    uint64_t one = 1; /* and if it waits for input */
    while (write(g->stop_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
    pthread_join(g->thread, NULL);
    gz_free(g);
}
