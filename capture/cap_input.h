/* capture/cap_input.h: the byte source under the capture-file reader: a file or stdin,
 * plain or gzip-compressed (told apart by the magic bytes 1f 8b, never by the name), read
 * into one buffer that the reader parses in place. It knows nothing of pcap or pcapng: framing,
 * record numbers and the wording of errors are cap_file.c's. Private to capture/. */
#ifndef FW_CAP_INPUT_H
#define FW_CAP_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* The largest span the reader may ask to see at once (one pcapng block). Beyond it the
 * length field is garbage, and trusting it would let a damaged file allocate gigabytes. */
#define CAP_INPUT_MAX_SPAN (16u * 1024u * 1024u)

struct cap_gunzip;

struct cap_input {
    int fd;
    bool close_fd;     /* false for stdin: it is not ours */
    bool eof;          /* no byte will come any more */
    bool gz_truncated; /* the compressed stream ended before its end marker */
    uint8_t *buf;      /* [pos, end) holds bytes not yet consumed */
    size_t size, pos, end;
    struct cap_gunzip *gz; /* gzip-compressed: what inflates it (cap_gunzip.c); else NULL */
    uint64_t consumed; /* bytes handed over so far (uncompressed) */
};

/* Opens path ("-": stdin) and peeks at its first bytes to decide whether it is gzip.
 * On failure returns a negative FW_E* with a reason in detail (no file name). */
int cap_input_open(struct cap_input *in, const char *path, char detail[FW_ERRLEN]);

/* Makes at least n bytes available at cap_input_ptr(). 0 when they are; 1 when the input
 * ended first (cap_input_avail() says how many came); negative FW_E* with detail filled on a
 * read or decompression error. n must not exceed CAP_INPUT_MAX_SPAN. Moves the buffer:
 * pointers taken from cap_input_ptr() before the call are invalid after it. */
int cap_input_need(struct cap_input *in, size_t n, char detail[FW_ERRLEN]);

static inline size_t cap_input_avail(const struct cap_input *in)
{
    return in->end - in->pos;
}

static inline const uint8_t *cap_input_ptr(const struct cap_input *in)
{
    return in->buf + in->pos;
}

static inline void cap_input_consume(struct cap_input *in, size_t n)
{
    in->pos += n;
    in->consumed += n;
}

void cap_input_close(struct cap_input *in);

#endif
