/* capture/cap_input.c: buffered bytes from a capture file or stdin, inflated on the fly when
 * they are gzip. One buffer, parsed in place by cap_file.c: read(2) fills it, records that
 * straddle its end are moved to the front, and it grows for spans larger than it. gzip is
 * recognised from bytes already read, so stdin (which cannot seek back) works the same way;
 * that is why this drives inflate() itself instead of gzdopen(). Framing is left to others. */
#include "cap_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 MiB: large enough that the syscall and the compaction cost vanish per record, small
 * enough to stay in cache-friendly territory. */
#define CAP_INPUT_BUF_LEN (1024u * 1024u)
/* gzip is still inflated straight into that buffer, but at most 256 KiB per inflate() call
 * (and per read of compressed input): zlib then runs its CRC over output that is still in
 * the L2 cache (after 1 MiB calls a third of the run's L2 read misses, in cachegrind, were
 * the CRC re-reading evicted output); the price, zlib copying 32 KiB of window per call, is
 * smaller. */
#define CAP_INPUT_GZ_STEP (256u * 1024u)

static int input_read(struct cap_input *in, uint8_t *dst, size_t len, size_t *got,
                      char detail[FW_ERRLEN])
{
    for (;;) {
        ssize_t r = read(in->fd, dst, len);
        if (r >= 0) {
            *got = (size_t)r;
            return 0;
        }
        if (errno != EINTR) {
            snprintf(detail, FW_ERRLEN, "%s", strerror(errno));
            return FW_EIO;
        }
    }
}

static int input_fill_plain(struct cap_input *in, char detail[FW_ERRLEN])
{
    size_t got;
    int rc = input_read(in, in->buf + in->end, in->size - in->end, &got, detail);
    if (rc < 0)
        return rc;
    if (got == 0)
        in->eof = true;
    in->end += got;
    return 0;
}

/* Inflates until some output came or the input ended. Several gzip members in a row are one
 * stream (what `cat a.gz b.gz` makes); bytes after a complete member that do not start a new
 * one are ignored, as gunzip does with "trailing garbage". */
static int input_fill_gzip(struct cap_input *in, char detail[FW_ERRLEN])
{
    bool new_member = false;
    for (;;) {
        size_t got;
        int rc;
        if (in->zs.avail_in == 0) {
            size_t want = in->zsize < CAP_INPUT_GZ_STEP ? in->zsize : CAP_INPUT_GZ_STEP;
            rc = input_read(in, in->zbuf, want, &got, detail);
            if (rc < 0)
                return rc;
            if (got == 0) {
                in->eof = true;
                in->gz_truncated = !in->gz_member_done && !new_member;
                return 0;
            }
            in->zs.next_in = in->zbuf;
            in->zs.avail_in = (uInt)got;
        }
        if (in->gz_member_done) {
            if (inflateReset(&in->zs) != Z_OK) {
                snprintf(detail, FW_ERRLEN, "gzip: cannot restart the decompressor");
                return FW_EIO;
            }
            in->gz_member_done = false;
            new_member = true;
        }
        size_t room = in->size - in->end;
        if (room > CAP_INPUT_GZ_STEP)
            room = CAP_INPUT_GZ_STEP;
        in->zs.next_out = in->buf + in->end;
        in->zs.avail_out = (uInt)room;
        int zrc = inflate(&in->zs, Z_NO_FLUSH);
        size_t produced = room - in->zs.avail_out;
        in->end += produced;
        if (produced > 0)
            new_member = false;
        if (zrc == Z_STREAM_END)
            in->gz_member_done = true;
        else if (zrc == Z_DATA_ERROR && new_member) {
            in->eof = true;
            return 0;
        } else if (zrc == Z_MEM_ERROR) {
            snprintf(detail, FW_ERRLEN, "gzip: out of memory");
            return FW_ENOMEM;
        } else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
            /* Hand over what was inflated before the damage (often all of it: a bad CRC
             * shows only at the end); the error comes when the reader wants more. */
            snprintf(in->gz_error, sizeof in->gz_error, "gzip data is corrupt: %s",
                     in->zs.msg ? in->zs.msg : "unexpected decompressor state");
            in->eof = true;
            in->gz_failed = true;
        }
        if (produced > 0 || in->gz_failed)
            return 0;
    }
}

int cap_input_open(struct cap_input *in, const char *path, char detail[FW_ERRLEN])
{
    memset(in, 0, sizeof *in);
    in->fd = -1;
    if (strcmp(path, "-") == 0) {
        in->fd = STDIN_FILENO;
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            snprintf(detail, FW_ERRLEN, "%s", strerror(errno));
            return FW_EIO;
        }
        in->close_fd = true;
    }
    in->size = CAP_INPUT_BUF_LEN;
    in->buf = malloc(in->size);
    if (!in->buf)
        goto nomem;
    /* Peek at the magic with plain reads; a pipe may hand over one byte at a time. */
    while (in->end < 2 && !in->eof) {
        int rc = input_fill_plain(in, detail);
        if (rc < 0)
            goto fail;
    }
    if (in->end >= 2 && in->buf[0] == 0x1f && in->buf[1] == 0x8b) {
        /* What was read is compressed input: it becomes the inflate buffer. */
        in->zbuf = in->buf;
        in->zsize = in->size;
        in->zs.next_in = in->zbuf;
        in->zs.avail_in = (uInt)in->end;
        in->buf = malloc(in->size);
        if (!in->buf)
            goto nomem;
        in->end = 0;
        in->eof = false;
        in->gzip = true;
        if (inflateInit2(&in->zs, 16 + MAX_WBITS) != Z_OK)
            goto nomem;
        in->gz_live = true;
    }
    return 0;

nomem:
    snprintf(detail, FW_ERRLEN, "out of memory");
    cap_input_close(in);
    return FW_ENOMEM;
fail:
    cap_input_close(in);
    return FW_EIO;
}

int cap_input_need(struct cap_input *in, size_t n, char detail[FW_ERRLEN])
{
    if (in->end - in->pos >= n)
        return 0;
    if (n > CAP_INPUT_MAX_SPAN) {
        snprintf(detail, FW_ERRLEN, "span of %zu bytes is beyond the reader's limit", n);
        return FW_EUSAGE;
    }
    if (in->pos + n > in->size) {
        /* The record straddles the end: move the unread tail to the front, and grow
         * only when the record itself is larger than the buffer. */
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->end -= in->pos;
        in->pos = 0;
        if (n > in->size) {
            size_t size = in->size;
            while (size < n)
                size *= 2;
            uint8_t *p = realloc(in->buf, size);
            if (!p) {
                snprintf(detail, FW_ERRLEN, "out of memory");
                return FW_ENOMEM;
            }
            in->buf = p;
            in->size = size;
        }
    }
    while (in->end - in->pos < n) {
        if (in->gz_failed) {
            snprintf(detail, FW_ERRLEN, "%s", in->gz_error);
            return FW_EFORMAT;
        }
        if (in->eof)
            return 1;
        int rc = in->gzip ? input_fill_gzip(in, detail) : input_fill_plain(in, detail);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void cap_input_close(struct cap_input *in)
{
    if (in->gz_live)
        inflateEnd(&in->zs);
    if (in->close_fd && in->fd >= 0)
        close(in->fd);
    free(in->buf);
    free(in->zbuf);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}
