/* tests/fuzz/fuzz_common.h: what the fuzz targets and the seed maker (fuzz_seeds.c) agree on:
 * the input layouts, the link types a decoder input can choose from, and handing bytes to
 * the capture-file reader, which only opens paths, without touching production code.
 * memfd_create needs _GNU_SOURCE, which CMakeLists.txt defines for these files. */
#ifndef FW_FUZZ_COMMON_H
#define FW_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/decode.h"

/* A property of the code under test that must hold: abort() is a finding, with the input. */
#define CHECK(cond)      \
    do {                 \
        if (!(cond))     \
            abort();     \
    } while (0)

/* fuzz_decode: byte 0 picks the link type (fz_linktype_at, modulo their number), byte 1 holds
 * these options, the rest is the frame. With FZ_DECODE_QUOTE the rest is instead the datagram
 * quoted by an ICMP error (ICMPv6 with FZ_DECODE_QUOTE6) inside a raw IP frame. */
enum {
    FZ_DECODE_CHECKSUMS = 1 << 0, /* decode_opts.verify_checksums */
    FZ_DECODE_QUOTE = 1 << 1,
    FZ_DECODE_QUOTE6 = 1 << 2,
    FZ_DECODE_SHORT = 1 << 3,     /* the wire length exceeds the capture (a snap length) */
};
#define FZ_DECODE_MAX_FRAME 2046u

/* fuzz_correlate: byte 0 options (FZ_CORR_*), bytes 1-4 the first capture's length (big
 * endian, clamped to what is there), the first capture, then the second. */
#define FZ_CORR_HDR 5u
enum {
    FZ_CORR_FEW_FLOWS = 1 << 0, /* a flow table of 16: evictions */
    FZ_CORR_FEW_CELLS = 1 << 1, /* the smallest verdict table (--max-verdicts 16) */
    FZ_CORR_CHECKSUMS = 1 << 2, /* --verify-checksums */
    FZ_CORR_PAIR = 1 << 3,      /* --source and --target from the first capture's hosts */
};

/* The link types decode_has_linktype() accepts, in increasing order, found by asking it: the
 * list cannot drift from the decoder's. */
static inline int fz_linktypes(const int **out)
{
    static int types[64];
    static int n = -1;
    if (n < 0) {
        n = 0;
        for (int lt = 0; lt < 65536 && n < 64; lt++)
            if (decode_has_linktype(lt))
                types[n++] = lt;
    }
    *out = types;
    return n;
}

static inline int fz_linktype_at(uint8_t b)
{
    const int *types;
    int n = fz_linktypes(&types);
    return types[b % n];
}

static inline int fz_linktype_index(int linktype)
{
    const int *types;
    int n = fz_linktypes(&types);
    for (int i = 0; i < n; i++)
        if (types[i] == linktype)
            return i;
    return -1;
}

/* A memory file the reader opens by path ("/proc/self/fd/N" opens it afresh, at offset 0,
 * with a descriptor of its own that cap_file_close() closes). One per slot, made once. */
struct fz_memfile {
    int fd;
    char path[64];
};

static inline void fz_memfile_put(struct fz_memfile *m, const uint8_t *data, size_t size)
{
    if (m->fd <= 0) {
        m->fd = memfd_create("fwsight-fuzz", MFD_CLOEXEC);
        if (m->fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(m->path, sizeof m->path, "/proc/self/fd/%d", m->fd);
    }
    if (ftruncate(m->fd, 0) != 0 || (size > 0 && pwrite(m->fd, data, size, 0) != (ssize_t)size)) {
        perror("memfd write");
        abort();
    }
}

#endif
