/* capture/cap_input.c: buffered bytes from a capture file or stdin, inflated on the fly when
 * they are gzip. One buffer, parsed in place by cap_file.c: read(2) fills it (gzip: the blocks
 * cap_gunzip.c's thread inflates), records that straddle its end are moved to the front, and
 * it grows for spans larger than it. gzip is recognised from bytes already read, so stdin
 * (which cannot seek back) works the same way. Framing is left to others. */
#include "cap_input.h"

#include "cap_gunzip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 MiB: large enough that the syscall and the compaction cost vanish per record, small
 * enough to stay in cache-friendly territory. */
#define CAP_INPUT_BUF_LEN (1024u * 1024u)

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

/* Reads what comes next into the buffer's free room: the file's bytes, or (gzip) what the
 * thread inflated since (cap_gunzip.c). */
static int input_fill(struct cap_input *in, char detail[FW_ERRLEN])
{
    size_t got, room = in->size - in->end;
    uint8_t *dst = in->buf + in->end;
    int rc = in->gz != NULL
                 ? cap_gunzip_read(in->gz, dst, room, &got, &in->gz_truncated, detail)
                 : input_read(in, dst, room, &got, detail);
    if (rc < 0)
        return rc;
    if (got == 0)
        in->eof = true;
    in->end += got;
    return 0;
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
        int rc = input_fill(in, detail);
        if (rc < 0)
            goto fail;
    }
    if (in->end >= 2 && in->buf[0] == 0x1f && in->buf[1] == 0x8b) {
        /* What was read is compressed input: the thread takes it over. */
        uint8_t *first = in->buf;
        in->buf = malloc(in->size);
        if (!in->buf) {
            free(first);
            goto nomem;
        }
        int rc = cap_gunzip_start(&in->gz, in->fd, first, in->end, in->size, detail);
        if (rc < 0) {
            cap_input_close(in);
            return rc;
        }
        in->end = 0;
        in->eof = false;
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
        if (in->eof)
            return 1;
        int rc = input_fill(in, detail);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void cap_input_close(struct cap_input *in)
{
    cap_gunzip_stop(in->gz); /* before the fd it reads is closed */
    if (in->close_fd && in->fd >= 0)
        close(in->fd);
    free(in->buf);
    memset(in, 0, sizeof *in);
    in->fd = -1;
}
