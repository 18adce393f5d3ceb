/* tests/faults/mkfaults.c: writes the damaged and lying captures that faults_test.sh feeds to
 * fwsight. Every file starts from one scenario built with the packet builder, whose verdicts
 * are known, and is then damaged in one place: cut short, its gzip corrupted, a length field
 * lying, its clock going backwards. The damage sits after the packets that decide the first
 * verdicts, so the test can check that they survive. Usage: faults_mkfaults DIR.
 *
 * The scenario (frame: what; verdict it decides, from 198.51.100.10 to 203.0.113.20):
 *    1-3  SYN, SYN-ACK, ACK to tcp 6320           OPEN
 *    4-6  SYN to tcp 6325, twice retransmitted   DROPPED
 *    7    an ARP request (42 bytes)               none: the record the length tests damage
 *    8-9  SYN to tcp 445, ICMP admin-prohibited   REJECTED (by 203.0.113.1)
 *   10-11 SYN to tcp 6326, RST-ACK               CLOSED
 * Sizes: TCP frames 54 bytes, the ICMP error 70; a pcap record adds 16, so record 7 starts at
 * byte 24 + 6 * 70 = 444 and record 10 at 444 + 58 + 70 + 86 = 658; the file is 798 bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tests/pb.h"

#define T0 1700000000000000ull /* 2023-11-14 22:13:20 UTC */
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"
#define FW "203.0.113.1"
#define N_FRAMES 11
#define IMG_MAX (1u << 20)

static struct pb b;

/* A file's bytes in memory, and where each record (pcap) or block (pcapng) starts. */
struct img {
    uint8_t bytes[IMG_MAX];
    size_t len;
    size_t rec[N_FRAMES + 1]; /* rec[i]: frame i (1-based) */
};

static struct img base, work, gz;
static uint32_t frame7_extra; /* zero bytes added to frame 7, captured and on the wire */
static const char *out_dir;
static int failures;

static void put32(uint8_t *p, uint32_t v) /* little-endian, as both formats are written here */
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void add(struct img *m, const void *p, size_t n)
{
    if (m->len + n > IMG_MAX) {
        fprintf(stderr, "faults_mkfaults: image too large\n");
        exit(1);
    }
    memcpy(m->bytes + m->len, p, n);
    m->len += n;
}

static void add32(struct img *m, uint32_t v)
{
    uint8_t q[4];
    put32(q, v);
    add(m, q, 4);
}

static void save(const struct img *m, size_t len, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    FILE *fp = fopen(path, "wb");
    if (fp == NULL || fwrite(m->bytes, 1, len, fp) != len || fclose(fp) != 0) {
        fprintf(stderr, "faults_mkfaults: %s: %s\n", path, strerror(errno));
        failures++;
    }
}

static void scenario(void)
{
    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x0a, 0x08, 0x06,
        0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x0a, 198, 51, 100, 10,
        0, 0, 0, 0, 0, 0, 198, 51, 100, 1,
    };
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_tcp(&b, TGT, 6320, SRC, 49500, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_ACK);
    pb_tcp(&b, SRC, 49501, TGT, 6325, TH_SYN);
    pb_wait(&b, 1000000);
    pb_tcp(&b, SRC, 49501, TGT, 6325, TH_SYN);
    pb_wait(&b, 2000000);
    pb_tcp(&b, SRC, 49501, TGT, 6325, TH_SYN);
    pb_raw(&b, FW_LINKTYPE_ETHERNET, arp, sizeof arp);
    int syn = pb_tcp(&b, SRC, 49502, TGT, 445, TH_SYN);
    b.next.ttl = 254;
    pb_icmp_error(&b, FW, SRC, 3, 13, syn);
    pb_tcp(&b, SRC, 49503, TGT, 6326, TH_SYN);
    pb_tcp(&b, TGT, 6326, SRC, 49503, TH_RST | TH_ACK);
}

/* Frame i (1-based) as written, frame 7 grown by frame7_extra bytes. */
static struct frame frame_at(size_t i, uint8_t *buf)
{
    struct frame f = pb_frame(&b, i - 1);
    if (i == 7 && frame7_extra > 0) {
        memset(buf, 0, f.caplen + frame7_extra);
        memcpy(buf, f.bytes, f.caplen);
        f.bytes = buf;
        f.caplen += frame7_extra;
        f.wirelen += frame7_extra;
    }
    return f;
}

/* Classic pcap, microseconds, little-endian. */
static void mk_pcap(struct img *m, uint32_t snaplen)
{
    m->len = 0;
    add32(m, 0xa1b2c3d4u);
    add32(m, 2u | 4u << 16);
    add32(m, 0);
    add32(m, 0);
    add32(m, snaplen);
    add32(m, FW_LINKTYPE_ETHERNET);
    uint8_t buf[PB_FRAME_MAX];
    for (size_t i = 1; i <= pb_count(&b); i++) {
        struct frame f = frame_at(i, buf);
        m->rec[i] = m->len;
        add32(m, (uint32_t)(f.ts_us / 1000000u));
        add32(m, (uint32_t)(f.ts_us % 1000000u));
        add32(m, f.caplen);
        add32(m, f.wirelen);
        add(m, f.bytes, f.caplen);
    }
}

/* pcapng: a section header, one Ethernet interface, one enhanced packet block per frame. */
static void mk_pcapng(struct img *m, uint32_t snaplen)
{
    static const uint8_t zero[4];
    m->len = 0;
    add32(m, 0x0A0D0D0Au);
    add32(m, 28);
    add32(m, 0x1A2B3C4Du);
    add32(m, 1u);           /* version 1.0 */
    add32(m, 0xffffffffu); /* section length unknown */
    add32(m, 0xffffffffu);
    add32(m, 28);
    add32(m, 1);
    add32(m, 20);
    add32(m, FW_LINKTYPE_ETHERNET);
    add32(m, snaplen);
    add32(m, 20);
    uint8_t buf[PB_FRAME_MAX];
    for (size_t i = 1; i <= pb_count(&b); i++) {
        struct frame f = frame_at(i, buf);
        uint32_t pad = (4u - f.caplen % 4u) % 4u, len = 32u + f.caplen + pad;
        m->rec[i] = m->len;
        add32(m, 6);
        add32(m, len);
        add32(m, 0);
        add32(m, (uint32_t)(f.ts_us >> 32));
        add32(m, (uint32_t)f.ts_us);
        add32(m, f.caplen);
        add32(m, f.wirelen);
        add(m, f.bytes, f.caplen);
        add(m, zero, pad);
        add32(m, len);
    }
}

/* gzip as gzip(1) writes it, through zlib. flush_at > 0: a full flush after that many input
 * bytes, so that the compressed stream restarts on a byte boundary there; *flush_out gets its
 * offset in the output. */
static void mk_gzip(struct img *out, const struct img *in, size_t flush_at, size_t *flush_out)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        fprintf(stderr, "faults_mkfaults: deflateInit2 failed\n");
        exit(1);
    }
    zs.next_out = out->bytes;
    zs.avail_out = IMG_MAX;
    zs.next_in = (Bytef *)in->bytes;
    zs.avail_in = (uInt)(flush_at > 0 ? flush_at : in->len);
    if (flush_at > 0) {
        deflate(&zs, Z_FULL_FLUSH);
        *flush_out = zs.total_out;
        zs.avail_in = (uInt)(in->len - flush_at);
    }
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        fprintf(stderr, "faults_mkfaults: deflate did not finish\n");
        exit(1);
    }
    out->len = zs.total_out;
    deflateEnd(&zs);
}

/* gzip with stored (uncompressed) deflate blocks, written by hand so that every compressed
 * byte maps to a known file byte: block 1 holds in[0, split), block 2 the rest. */
static void mk_gzip_stored(struct img *out, const struct img *in, size_t split)
{
    static const uint8_t hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff };
    uint8_t blk[5];
    out->len = 0;
    add(out, hdr, sizeof hdr);
    size_t part[2][2] = { { 0, split }, { split, in->len } };
    for (int i = 0; i < 2; i++) {
        uint16_t n = (uint16_t)(part[i][1] - part[i][0]);
        blk[0] = i == 1; /* BFINAL on the last, BTYPE 00: stored */
        put16(blk + 1, n);
        put16(blk + 3, (uint16_t)~n);
        add(out, blk, sizeof blk);
        add(out, in->bytes + part[i][0], n);
    }
    add32(out, (uint32_t)crc32(0, in->bytes, (uInt)in->len));
    add32(out, (uint32_t)in->len);
}

static void restamp(struct img *m, int frame, uint64_t ts_us)
{
    put32(m->bytes + m->rec[frame], (uint32_t)(ts_us / 1000000u));
    put32(m->bytes + m->rec[frame] + 4, (uint32_t)(ts_us % 1000000u));
}

/* Files cut short and gzip damaged. */
static void mk_truncated(void)
{
    mk_pcap(&base, 65535);
    save(&base, base.len, "base.pcap");
    size_t cut = base.rec[10] + 30; /* 30 of the 70 bytes of record 10 */
    save(&base, cut, "cut.pcap");
    save(&base, base.rec[10] + 10, "cut-header.pcap"); /* 10 of its 16 header bytes */
    save(&base, 20, "cut-file-header.pcap");
    save(&base, 24, "header-only.pcap");
    work = base;
    work.len = cut;
    mk_gzip(&gz, &work, 0, NULL);
    save(&gz, gz.len, "cut.pcap.gz");

    mk_gzip(&gz, &base, 0, NULL);
    save(&gz, gz.len, "base.pcap.gz");
    save(&gz, gz.len - 4, "gz-no-size.pcap.gz"); /* the deflate data whole, the trailer cut */
    save(&gz, 5, "gz-header-cut.pcap.gz");
    gz.bytes[gz.len - 8] ^= 0x01; /* one bit of the CRC-32 */
    save(&gz, gz.len, "gz-bad-crc.pcap.gz");
    gz.bytes[gz.len - 8] ^= 0x01;
    gz.bytes[gz.len - 4] ^= 0x01; /* the length modulo 2^32 */
    save(&gz, gz.len, "gz-bad-size.pcap.gz");

    /* Garbage where the compressed stream restarts after record 9: 0xff reads as a final
     * block of the reserved type 3. */
    size_t at;
    mk_gzip(&gz, &base, base.rec[10], &at);
    memset(gz.bytes + at, 0xff, 16);
    save(&gz, gz.len, "gz-garbage.pcap.gz");

    /* Stored blocks: cut 40 bytes into record 10, or its second block's length mangled. */
    mk_gzip_stored(&gz, &base, base.rec[10] + 20);
    save(&gz, gz.len, "gz-stored.pcap.gz");
    save(&gz, 10 + 5 + base.rec[10] + 20 + 5 + 20, "gz-cut.pcap.gz");
    gz.bytes[10 + 5 + base.rec[10] + 20 + 3] ^= 0x01; /* NLEN no longer ~LEN */
    save(&gz, gz.len, "gz-bad-stored-len.pcap.gz");
}

/* Record 7 (the ARP request) lying about its lengths, in pcap and pcapng. */
static void mk_lying(void)
{
    /* Claims 128 bytes captured and on the wire, beyond the snapshot length of 96. */
    frame7_extra = 128 - 42;
    mk_pcap(&work, 96);
    save(&work, work.len, "over-snaplen.pcap");
    mk_pcapng(&work, 96);
    save(&work, work.len, "ng-over-snaplen.pcapng");
    frame7_extra = 0;

    work = base;
    uint8_t *r7 = work.bytes + work.rec[7];
    put32(r7 + 12, 40); /* 42 captured, 40 on the wire */
    save(&work, work.len, "over-wirelen.pcap");
    put32(r7 + 8, 0x7fffffffu);
    put32(r7 + 12, 0x7fffffffu);
    save(&work, work.len, "huge-caplen.pcap");
    put32(r7 + 8, 200000); /* below the sanity limit: it swallows the rest of the file */
    put32(r7 + 12, 200000);
    save(&work, work.len, "swallowing-caplen.pcap");
    /* Captured length 0: the record header alone, its 42 bytes gone. */
    put32(r7 + 8, 0);
    put32(r7 + 12, 42);
    memmove(r7 + 16, r7 + 16 + 42, base.len - base.rec[8]);
    save(&work, work.len - 42, "zero-caplen.pcap");

    mk_pcapng(&work, 65535);
    save(&work, work.len, "base.pcapng");
    save(&work, work.rec[10] + 30, "cut.pcapng");
    r7 = work.bytes + work.rec[7];
    put32(r7 + 72, 80); /* the trailing copy of the block length, 76 */
    save(&work, work.len, "ng-trailer.pcapng");
    put32(r7 + 72, 76);
    put32(r7 + 4, 0xfffffffcu);
    save(&work, work.len, "ng-huge-block.pcapng");
    put32(r7 + 4, 1u << 20);
    save(&work, work.len, "ng-long-block.pcapng");
    put32(r7 + 4, 76);
    put32(r7 + 20, 0x7fffffffu);
    save(&work, work.len, "ng-huge-caplen.pcapng");
    put32(r7 + 20, 42);
    put32(r7 + 24, 40);
    save(&work, work.len, "ng-over-wirelen.pcapng");
}

/* The clock going backwards: by seconds within the test, by a day (a clock stepped back),
 * and one record stamped a year ahead of the others, or at the end of 64-bit time; and the
 * last two records at the end of time, a jump confirmed by the frame after it. */
static void mk_clock(void)
{
    mk_pcap(&work, 65535);
    restamp(&work, 5, T0 + 200000);  /* the first retransmission 0.1 s before the SYN */
    restamp(&work, 9, T0 - 5000000); /* the ICMP error 8.7 s before its SYN */
    restamp(&work, 11, T0 + 3000000);
    save(&work, work.len, "ts-back-seconds.pcap");
    mk_pcap(&work, 65535);
    for (int i = 7; i <= N_FRAMES; i++)
        restamp(&work, i, T0 - 86400000000ull + (uint64_t)i * 100000u);
    save(&work, work.len, "ts-back-day.pcap");
    mk_pcap(&work, 65535);
    restamp(&work, 7, T0 + 365ull * 86400000000ull);
    save(&work, work.len, "ts-ahead-year.pcap");
    mk_pcap(&work, 65535);
    restamp(&work, 2, T0 + 365ull * 86400000000ull); /* the SYN-ACK itself a year ahead */
    save(&work, work.len, "ts-synack-ahead.pcap");
    /* pcapng stamps have 64 bits: the ARP request at 2^64 - 1 microseconds. */
    mk_pcapng(&work, 65535);
    put32(work.bytes + work.rec[7] + 12, 0xffffffffu);
    put32(work.bytes + work.rec[7] + 16, 0xffffffffu);
    save(&work, work.len, "ts-end-of-time.pcapng");
    /* The last two frames both there: a real jump, which the clock follows to the end. */
    mk_pcapng(&work, 65535);
    for (int i = 10; i <= N_FRAMES; i++) {
        put32(work.bytes + work.rec[i] + 12, 0xffffffffu);
        put32(work.bytes + work.rec[i] + 16, 0xffffffffu);
    }
    save(&work, work.len, "ts-jump-end-of-time.pcapng");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: faults_mkfaults DIR\n");
        return 2;
    }
    out_dir = argv[1];
    scenario();
    if (pb_count(&b) != N_FRAMES) {
        fprintf(stderr, "faults_mkfaults: the scenario has %zu frames\n", pb_count(&b));
        return 1;
    }
    mk_truncated();
    mk_lying();
    mk_clock();
    return failures == 0 ? 0 : 1;
}
