/* tests/fuzz/fuzz_reader.c: libFuzzer target for the capture-file reader (capture/cap_file.c,
 * cap_pcapng.c, cap_input.c). The input is a capture file: it is put in a memory file and
 * opened by path, as fwsight opens any file (pcap, pcapng or gzip by magic); every frame is
 * read to the end or the first error, copied to a buffer of its exact size and decoded, as
 * the analysis would. Then, unless the input is gzip already, the same bytes are read again
 * gzip-compressed (two gzip members, cut where the input's last byte says), and must give the
 * same frames, the same skipped records and the same end: compression is the reader's
 * business, never the result's. Besides: no crash or sanitizer report, no frame with a
 * captured length of 0 or above its wire length, frame numbers increasing. */
#include <string.h>
#include <zlib.h>

#include "analyze/decode.h"
#include "capture/cap_file.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one read of a capture gave. */
struct outcome {
    bool opened;
    int rc; /* cap_file_next's last: 0 clean end, negative error */
    uint64_t frames, bad_records;
    uint64_t digest; /* of every frame's bytes, lengths, time and link type */
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static void one_frame(const struct frame *f, struct outcome *o, uint64_t *last_number)
{
    CHECK(f->caplen > 0 && f->caplen <= f->wirelen);
    CHECK(f->number > *last_number);
    *last_number = f->number;
    uint8_t *copy = malloc(f->caplen);
    if (copy == NULL)
        return;
    memcpy(copy, f->bytes, f->caplen);
    struct frame g = *f;
    g.bytes = copy;
    struct pkt p;
    struct decode_opts opts = { .verify_checksums = (f->number & 1) != 0 };
    if (decode_has_linktype(f->linktype))
        decode_frame(&g, &opts, &p);
    o->digest = mix(o->digest, copy, f->caplen);
    uint64_t meta[4] = { f->caplen, f->wirelen, f->ts_us, (uint64_t)f->linktype };
    o->digest = mix(o->digest, meta, sizeof meta);
    free(copy);
}

static struct outcome read_all(struct fz_memfile *m, const uint8_t *data, size_t size)
{
    struct outcome o = { .digest = 1469598103934665603ull };
    char err[FW_ERRLEN];
    fz_memfile_put(m, data, size);
    struct cap_file *cf = cap_file_open(m->path, 0, err);
    if (cf == NULL)
        return o;
    o.opened = true;
    struct frame f;
    uint64_t last = 0;
    while ((o.rc = cap_file_next(cf, &f, err)) == 1) {
        one_frame(&f, &o, &last);
        o.frames++;
    }
    CHECK(o.rc <= 0);
    const struct cap_file_info *info = cap_file_info(cf);
    CHECK(info->frames == o.frames);
    o.bad_records = info->bad_records;
    CHECK((o.bad_records == 0) == (cap_file_warning(cf)[0] == '\0'));
    cap_file_close(cf);
    return o;
}

/* Appends one gzip member holding in[0..n) to out; returns its length, 0 on failure. */
static size_t gzip_member(const uint8_t *in, size_t n, uint8_t *out, size_t room)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = out;
    zs.avail_out = (uInt)room;
    int rc = deflate(&zs, Z_FINISH);
    size_t len = room - zs.avail_out;
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? len : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz_memfile plain_file, gzip_file;
    struct outcome plain = read_all(&plain_file, data, size);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return 0;
    size_t cut = size > 0 ? (size_t)data[size - 1] * size / 256 : 0;
    size_t room = 2 * (size + 64) + 128;
    uint8_t *gz = malloc(room);
    if (gz == NULL)
        return 0;
    size_t n0 = gzip_member(data, cut, gz, room);
    size_t n1 = n0 ? gzip_member(data + cut, size - cut, gz + n0, room - n0) : 0;
    if (n1 > 0) {
        struct outcome zipped = read_all(&gzip_file, gz, n0 + n1);
        CHECK(zipped.opened == plain.opened);
        CHECK(zipped.rc == plain.rc && zipped.frames == plain.frames);
        CHECK(zipped.bad_records == plain.bad_records && zipped.digest == plain.digest);
    }
    free(gz);
    return 0;
}
