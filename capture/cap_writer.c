/* capture/cap_writer.c: frames out to a classic pcap file, plain or through zlib. The format
 * is the oldest one on purpose: every tool reads it. Plain files go through a small buffer of
 * our own and write(2), so that every write error (disk full) is seen with its errno, and the
 * buffer only ever holds whole records, so that a process killed between two writes leaves a
 * file that ends on a record boundary; gzip goes through zlib's gzdopen(). Opening follows
 * cap_out.h's policy. Which frames to write, and when to flush, is the caller's business. */
#include "cap_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "cap_out.h"

#define CAP_WRITER_BUF_LEN (64u * 1024u)

struct cap_writer {
    int fd;
    bool created;           /* the file is new: force did not overwrite one */
    gzFile gz;
    char *path;
    bool pending;           /* written since the last flush */
    int error;              /* first error, sticky: later calls report it again */
    char errmsg[FW_ERRLEN];
    size_t used;
    uint8_t buf[CAP_WRITER_BUF_LEN];
};

static int writer_fail(struct cap_writer *w, int code, const char *what, char err[FW_ERRLEN])
{
    if (w->error == 0) {
        w->error = code;
        snprintf(w->errmsg, sizeof w->errmsg, "%s: %s", w->path, what);
    }
    snprintf(err, FW_ERRLEN, "%s", w->errmsg);
    return w->error;
}

static int writer_gz_fail(struct cap_writer *w, char err[FW_ERRLEN])
{
    int zerr = 0;
    const char *msg = gzerror(w->gz, &zerr);
    return writer_fail(w, FW_EIO, zerr == Z_ERRNO ? strerror(errno) : msg, err);
}

static int writer_drain(struct cap_writer *w, char err[FW_ERRLEN])
{
    size_t done = 0;
    while (done < w->used) {
        ssize_t r = write(w->fd, w->buf + done, w->used - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return writer_fail(w, FW_EIO, r < 0 ? strerror(errno) : "write made no progress",
                               err);
        done += (size_t)r;
    }
    w->used = 0;
    return 0;
}

static int writer_put(struct cap_writer *w, const void *p, size_t len, char err[FW_ERRLEN])
{
    if (w->error)
        return writer_fail(w, w->error, "", err);
    if (w->gz) {
        /* gzwrite takes an unsigned int: feed huge spans in pieces. */
        const uint8_t *b = p;
        while (len > 0) {
            unsigned n = len > (1u << 30) ? (1u << 30) : (unsigned)len;
            if (gzwrite(w->gz, b, n) != (int)n)
                return writer_gz_fail(w, err);
            b += n;
            len -= n;
        }
        return 0;
    }
    if (w->used + len > sizeof w->buf) {
        int rc = writer_drain(w, err);
        if (rc < 0)
            return rc;
    }
    if (len > sizeof w->buf) {
        const uint8_t *b = p;
        while (len > 0) {
            ssize_t r = write(w->fd, b, len);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return writer_fail(w, FW_EIO, r < 0 ? strerror(errno) : "write failed", err);
            b += r;
            len -= (size_t)r;
        }
        return 0;
    }
    memcpy(w->buf + w->used, p, len);
    w->used += len;
    return 0;
}

/* Fields in host byte order, as libpcap writes them: the magic tells readers the order. */
static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

bool cap_writer_path_gz(const char *path)
{
    size_t len = strlen(path);
    return len > 3 && strcmp(path + len - 3, ".gz") == 0;
}

struct cap_writer *cap_writer_open(const char *path, int linktype, uint32_t snaplen, bool gzip,
                                   bool force, char err[FW_ERRLEN])
{
    struct cap_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        snprintf(err, FW_ERRLEN, "%s: out of memory", path);
        free(w);
        return NULL;
    }
    w->fd = cap_out_open(path, force, &w->created, err);
    if (w->fd < 0)
        goto fail;
    if (gzip) {
        w->gz = gzdopen(w->fd, "wb");
        if (!w->gz) {
            snprintf(err, FW_ERRLEN, "%s: cannot start gzip compression", path);
            goto fail;
        }
        gzbuffer(w->gz, 256u * 1024u);
    }
    uint8_t hdr[24];
    put32(hdr, 0xa1b2c3d4u);
    uint16_t ver[2] = { 2, 4 };
    memcpy(hdr + 4, ver, 4);
    put32(hdr + 8, 0);
    put32(hdr + 12, 0);
    put32(hdr + 16, snaplen);
    put32(hdr + 20, (uint32_t)linktype);
    if (writer_put(w, hdr, sizeof hdr, err) < 0)
        goto fail;
    return w;

fail:
    if (w->gz)
        gzclose(w->gz); /* closes the fd too */
    else if (w->fd >= 0)
        close(w->fd);
    free(w->path);
    free(w);
    return NULL;
}

int cap_writer_fd(const struct cap_writer *w)
{
    return w->fd;
}

bool cap_writer_created(const struct cap_writer *w)
{
    return w->created;
}

int cap_writer_write(struct cap_writer *w, const struct frame *f, char err[FW_ERRLEN])
{
    uint8_t rec[16];
    put32(rec, (uint32_t)(f->ts_us / 1000000u));
    put32(rec + 4, (uint32_t)(f->ts_us % 1000000u));
    put32(rec + 8, f->caplen);
    put32(rec + 12, f->wirelen);
    w->pending = true;
    /* A record that does not fit behind what is buffered: the buffer goes out first, so that
     * a drain never writes a record's header without its bytes. */
    if (w->gz == NULL && !w->error && w->used + sizeof rec + f->caplen > sizeof w->buf) {
        int rc = writer_drain(w, err);
        if (rc < 0)
            return rc;
    }
    int rc = writer_put(w, rec, sizeof rec, err);
    if (rc == 0 && f->caplen > 0)
        rc = writer_put(w, f->bytes, f->caplen, err);
    return rc;
}

bool cap_writer_pending(const struct cap_writer *w)
{
    return w->pending;
}

int cap_writer_flush(struct cap_writer *w, char err[FW_ERRLEN])
{
    if (w->error)
        return writer_fail(w, w->error, "", err);
    w->pending = false;
    if (w->gz)
        return gzflush(w->gz, Z_SYNC_FLUSH) == Z_OK ? 0 : writer_gz_fail(w, err);
    return writer_drain(w, err);
}

int cap_writer_close(struct cap_writer *w, char err[FW_ERRLEN])
{
    if (!w)
        return 0;
    int rc = cap_writer_flush(w, err);
    if (w->gz) {
        int zrc = gzclose(w->gz);
        if (zrc != Z_OK && rc == 0)
            rc = writer_fail(w, FW_EIO, zrc == Z_ERRNO ? strerror(errno)
                                                       : "gzip compression failed", err);
    } else if (close(w->fd) != 0 && rc == 0) {
        rc = writer_fail(w, FW_EIO, strerror(errno), err);
    }
    free(w->path);
    free(w);
    return rc;
}
