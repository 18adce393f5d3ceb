/* capture/cap_file_test.c: the capture-file reader against crafted files: pcap in both byte
 * orders and both time resolutions, pcapng with several interfaces, sections and block kinds
 * (and the drops its statistics blocks record), gzip and stdin versions of each, and the
 * damaged ones (truncated, bad lengths, bad magic, corrupt gzip, every prefix of a file). The
 * gzip tests run twice: as the process is allowed (two CPUs or more: inflated by a thread of its
 * own) and pinned to one CPU (inflated as it is read).
 * Files are written to a temporary directory; the payload bytes are arbitrary because the
 * reader does not look inside them. */
/* nftw() to remove the temporary directory; sched_setaffinity() for the one-CPU runs */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/cap_file.h"
#include "capture/cap_writer.h"
#include "tests/one_cpu.h"

static char tmpdir[64];

/* Hand-built bytes in either byte order, for what the writer will not make. */
struct bb {
    uint8_t b[8192];
    size_t n;
    bool big;
};

static void bb_u8(struct bb *b, uint8_t v)
{
    assert_true(b->n < sizeof b->b);
    b->b[b->n++] = v;
}

static void bb_u16(struct bb *b, uint16_t v)
{
    bb_u8(b, (uint8_t)(b->big ? v >> 8 : v));
    bb_u8(b, (uint8_t)(b->big ? v : v >> 8));
}

static void bb_u32(struct bb *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        bb_u8(b, (uint8_t)(v >> (b->big ? 24 - 8 * i : 8 * i)));
}

static void bb_bytes(struct bb *b, const void *p, size_t len)
{
    assert_true(b->n + len <= sizeof b->b);
    memcpy(b->b + b->n, p, len);
    b->n += len;
}

static const uint8_t PAYLOAD[64] = "fwsight test payload: the reader never looks inside these.";

static char *tmp_path(const char *name)
{
    static char path[4][256];
    static int slot;
    slot = (slot + 1) % 4;
    snprintf(path[slot], sizeof path[slot], "%s/%s", tmpdir, name);
    return path[slot];
}

static void write_bytes(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static size_t read_bytes(const char *path, uint8_t *p, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(p, 1, cap, f);
    fclose(f);
    return n;
}

static void gzip_file(const char *src, const char *dst)
{
    static uint8_t data[1 << 20];
    size_t n = read_bytes(src, data, sizeof data);
    gzFile gz = gzopen(dst, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* What a read produced: frames copied out (their bytes live only until the next call). */
struct got {
    int n, rc;
    uint64_t bad;
    char err[FW_ERRLEN];
    struct {
        uint64_t number, ts_us;
        uint32_t caplen, wirelen;
        int linktype, vantage;
        uint8_t head[8];
    } f[64];
};

static void read_open(struct cap_file *cf, struct got *g)
{
    struct frame fr;
    while ((g->rc = cap_file_next(cf, &fr, g->err)) == 1) {
        if (g->n < 64) {
            g->f[g->n].number = fr.number;
            g->f[g->n].ts_us = fr.ts_us;
            g->f[g->n].caplen = fr.caplen;
            g->f[g->n].wirelen = fr.wirelen;
            g->f[g->n].linktype = fr.linktype;
            g->f[g->n].vantage = fr.vantage;
            memcpy(g->f[g->n].head, fr.bytes, fr.caplen < 8 ? fr.caplen : 8);
        }
        g->n++;
    }
    g->bad = cap_file_info(cf)->bad_records;
}

/* Reads the whole file; returns NULL-open as rc -100 with err set. */
static void read_all(const char *path, struct got *g)
{
    memset(g, 0, sizeof *g);
    struct cap_file *cf = cap_file_open(path, 1, g->err);
    if (!cf) {
        g->rc = -100;
        return;
    }
    read_open(cf, g);
    cap_file_close(cf);
}

static void assert_same_frames(const struct got *a, const struct got *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->rc, b->rc);
    assert_int_equal(a->bad, b->bad);
    assert_memory_equal(a->f, b->f, sizeof a->f[0] * (size_t)(a->n < 64 ? a->n : 64));
}

/* ---- pcap ---------------------------------------------------------------------------------- */

static void write_pcap_with_writer(const char *path, int count)
{
    char err[FW_ERRLEN];
    struct cap_writer *w = cap_writer_open(path, FW_LINKTYPE_ETHERNET, 65535, false, true, err);
    assert_non_null(w);
    for (int i = 0; i < count; i++) {
        struct frame f = { .bytes = PAYLOAD, .caplen = (uint32_t)(20 + i),
                           .wirelen = (uint32_t)(100 + i),
                           .ts_us = 1700000000000000ull + (uint64_t)i * 1500001u };
        assert_int_equal(cap_writer_write(w, &f, err), 0);
    }
    assert_int_equal(cap_writer_close(w, err), 0);
}

static void pcap_written_by_writer_reads_back(void **state)
{
    (void)state;
    char err[FW_ERRLEN];
    const char *path = tmp_path("w.pcap");
    write_pcap_with_writer(path, 3);
    struct cap_file *cf = cap_file_open(path, 1, err);
    assert_non_null(cf);
    const struct cap_file_info *info = cap_file_info(cf);
    assert_string_equal(info->format, "pcap");
    assert_false(info->gzip);
    assert_int_equal(info->linktype, FW_LINKTYPE_ETHERNET);
    assert_int_equal(info->snaplen, 65535);
    struct got g = { 0 };
    read_open(cf, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(g.f[i].number, i + 1);
        assert_int_equal(g.f[i].caplen, 20 + i);
        assert_int_equal(g.f[i].wirelen, 100 + i);
        assert_int_equal(g.f[i].ts_us, 1700000000000000ull + (uint64_t)i * 1500001u);
        assert_int_equal(g.f[i].vantage, 1);
        assert_memory_equal(g.f[i].head, PAYLOAD, 8);
    }
    assert_int_equal(info->frames, 3);
    assert_int_equal(info->bytes_read, 24 + 3 * 16 + 20 + 21 + 22);
    struct frame f;
    assert_int_equal(cap_file_next(cf, &f, err), 0); /* EOF stays EOF */
    cap_file_close(cf);
}

/* Classic pcap by hand: magic written in the chosen order, linktype with FCS bits set. */
static void build_pcap(struct bb *b, bool big, bool nsec, uint32_t snaplen)
{
    memset(b, 0, sizeof *b);
    b->big = big;
    bb_u32(b, nsec ? 0xa1b23c4du : 0xa1b2c3d4u);
    bb_u16(b, 2);
    bb_u16(b, 4);
    bb_u32(b, 0);
    bb_u32(b, 0);
    bb_u32(b, snaplen);
    bb_u32(b, 0x14000000u | FW_LINKTYPE_RAW); /* FCS length 4 in the upper bits */
}

static void build_pcap_record(struct bb *b, uint32_t sec, uint32_t frac, uint32_t caplen,
                              uint32_t wirelen)
{
    bb_u32(b, sec);
    bb_u32(b, frac);
    bb_u32(b, caplen);
    bb_u32(b, wirelen);
    for (uint32_t i = 0; i < caplen; i++)
        bb_u8(b, PAYLOAD[i % sizeof PAYLOAD]);
}

static void pcap_both_orders_both_resolutions(void **state)
{
    (void)state;
    for (int v = 0; v < 4; v++) {
        bool big = v & 1, nsec = v & 2;
        struct bb b;
        build_pcap(&b, big, nsec, 262144);
        build_pcap_record(&b, 1000, nsec ? 123456789u : 123456u, 30, 60);
        build_pcap_record(&b, 1001, nsec ? 999999999u : 999999u, 40, 40);
        const char *path = tmp_path("order.pcap");
        write_bytes(path, b.b, b.n);
        struct got g;
        read_all(path, &g);
        assert_int_equal(g.rc, 0);
        assert_int_equal(g.n, 2);
        assert_int_equal(g.f[0].ts_us, 1000123456u);
        assert_int_equal(g.f[1].ts_us, 1001999999u);
        assert_int_equal(g.f[0].caplen, 30);
        assert_int_equal(g.f[0].wirelen, 60);
        assert_int_equal(g.f[1].caplen, 40);
        assert_int_equal(g.f[0].linktype, FW_LINKTYPE_RAW);
        assert_memory_equal(g.f[1].head, PAYLOAD, 8);

        char err[FW_ERRLEN];
        struct cap_file *cf = cap_file_open(path, 0, err);
        assert_non_null(cf);
        assert_string_equal(cap_file_info(cf)->format, nsec ? "pcap-nsec" : "pcap");
        assert_int_equal(cap_file_info(cf)->linktype, FW_LINKTYPE_RAW);
        cap_file_close(cf);
    }
}

static void pcap_header_only_is_empty_not_an_error(void **state)
{
    (void)state;
    struct bb b;
    build_pcap(&b, false, false, 65535);
    const char *path = tmp_path("hdr.pcap");
    write_bytes(path, b.b, b.n);
    struct got g;
    read_all(path, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 0);
}

static void bad_records_are_skipped_counted_and_numbered(void **state)
{
    (void)state;
    struct bb b;
    build_pcap(&b, false, false, 100);
    build_pcap_record(&b, 1, 0, 10, 10);
    build_pcap_record(&b, 2, 0, 0, 10);    /* zero caplen */
    build_pcap_record(&b, 3, 0, 20, 10);   /* caplen above wirelen */
    build_pcap_record(&b, 4, 0, 120, 500); /* caplen above the snaplen of 100 */
    build_pcap_record(&b, 5, 0, 10, 10);
    const char *path = tmp_path("bad.pcap");
    write_bytes(path, b.b, b.n);
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    assert_non_null(cf);
    assert_string_equal(cap_file_warning(cf), "");
    struct got g = { 0 };
    read_open(cf, &g);
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.bad, 3);
    assert_int_equal(g.f[0].number, 1);
    assert_int_equal(g.f[1].number, 5); /* Wireshark's numbering survives the skips */
    assert_int_equal(g.f[1].ts_us, 5000000u);
    char want[FW_ERRLEN];
    snprintf(want, sizeof want, "%s: packet 2: captured length 0 (skipped)", path);
    assert_string_equal(cap_file_warning(cf), want);
    cap_file_close(cf);
}

static void huge_caplen_is_a_format_error(void **state)
{
    (void)state;
    struct bb b;
    build_pcap(&b, true, false, 65535);
    build_pcap_record(&b, 1, 0, 10, 10);
    bb_u32(&b, 2);
    bb_u32(&b, 0);
    bb_u32(&b, 0x7fffffffu);
    bb_u32(&b, 0x7fffffffu);
    const char *path = tmp_path("huge.pcap");
    write_bytes(path, b.b, b.n);
    struct got g;
    read_all(path, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "packet 2: captured length 2147483647"));
}

static void truncated_record_names_packet_after_earlier_frames(void **state)
{
    (void)state;
    uint8_t data[4096];
    const char *full = tmp_path("full.pcap"), *cut = tmp_path("cut.pcap");
    write_pcap_with_writer(full, 3);
    size_t n = read_bytes(full, data, sizeof data);
    write_bytes(cut, data, n - 10); /* the third record (16 + 22 bytes) loses 10 */
    struct got g;
    read_all(cut, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.rc, FW_ETRUNC);
    char want[FW_ERRLEN];
    snprintf(want, sizeof want, "%s: packet 3: file ends after 28 of 38 bytes of the record", cut);
    assert_string_equal(g.err, want);
}

/* ---- pcapng -------------------------------------------------------------------------------- */

static void ng_block_start(struct bb *b, uint32_t type, size_t *start)
{
    *start = b->n;
    bb_u32(b, type);
    bb_u32(b, 0); /* length, patched by ng_block_end */
}

static void ng_block_end(struct bb *b, size_t start)
{
    while (b->n % 4)
        bb_u8(b, 0);
    uint32_t len = (uint32_t)(b->n - start + 4);
    bb_u32(b, len);
    size_t end = b->n;
    b->n = start + 4;
    bb_u32(b, len);
    b->n = end;
}

static void ng_shb(struct bb *b)
{
    size_t s;
    ng_block_start(b, 0x0A0D0D0A, &s);
    bb_u32(b, 0x1A2B3C4D);
    bb_u16(b, 1);
    bb_u16(b, 0);
    bb_u32(b, 0xffffffffu); /* section length unknown */
    bb_u32(b, 0xffffffffu);
    ng_block_end(b, s);
}

static void ng_idb(struct bb *b, uint16_t linktype, uint32_t snaplen, int tsresol,
                   int64_t tsoffset)
{
    size_t s;
    ng_block_start(b, 1, &s);
    bb_u16(b, linktype);
    bb_u16(b, 0);
    bb_u32(b, snaplen);
    bb_u16(b, 2); /* if_name, to be skipped */
    bb_u16(b, 3);
    bb_bytes(b, "et0\0", 4);
    if (tsresol >= 0) {
        bb_u16(b, 9);
        bb_u16(b, 1);
        bb_u8(b, (uint8_t)tsresol);
        bb_bytes(b, "\0\0\0", 3);
    }
    if (tsoffset != 0) {
        bb_u16(b, 14);
        bb_u16(b, 8);
        bb_u32(b, b->big ? (uint32_t)((uint64_t)tsoffset >> 32) : (uint32_t)tsoffset);
        bb_u32(b, b->big ? (uint32_t)tsoffset : (uint32_t)((uint64_t)tsoffset >> 32));
    }
    bb_u32(b, 0); /* opt_endofopt */
    ng_block_end(b, s);
}

static void ng_epb(struct bb *b, uint32_t type, uint32_t iface, uint64_t ts, uint32_t caplen,
                   uint32_t wirelen)
{
    size_t s;
    ng_block_start(b, type, &s);
    if (type == 2) {
        bb_u16(b, (uint16_t)iface);
        bb_u16(b, 0); /* drops */
    } else {
        bb_u32(b, iface);
    }
    bb_u32(b, (uint32_t)(ts >> 32));
    bb_u32(b, (uint32_t)ts);
    bb_u32(b, caplen);
    bb_u32(b, wirelen);
    bb_bytes(b, PAYLOAD, caplen);
    ng_block_end(b, s);
}

static void ng_spb(struct bb *b, uint32_t wirelen, uint32_t stored)
{
    size_t s;
    ng_block_start(b, 3, &s);
    bb_u32(b, wirelen);
    bb_bytes(b, PAYLOAD, stored);
    ng_block_end(b, s);
}

static void ng_other(struct bb *b, uint32_t type)
{
    size_t s;
    ng_block_start(b, type, &s);
    bb_bytes(b, "skip me!", 8);
    ng_block_end(b, s);
}

/* Two interfaces with different link types and clocks, every packet block kind. */
static void build_pcapng(struct bb *b, bool big)
{
    memset(b, 0, sizeof *b);
    b->big = big;
    ng_shb(b);
    ng_other(b, 4);                                  /* name resolution block before the IDB */
    ng_idb(b, FW_LINKTYPE_ETHERNET, 0, 9, 0);        /* nanoseconds */
    ng_idb(b, FW_LINKTYPE_RAW, 48, 0x80 | 10, 100);  /* 1/1024 s, clock 100 s behind */
    ng_epb(b, 6, 0, 1500000000123456789ull, 50, 60);
    ng_other(b, 5);                                  /* interface statistics */
    ng_epb(b, 6, 1, 1024ull * 7 + 512, 40, 40);
    ng_spb(b, 30, 32);                               /* 30 on the wire, padded to 32 */
    ng_epb(b, 2, 1, 1024ull * 8, 20, 1000);          /* obsolete Packet Block */
}

static void pcapng_interfaces_blocks_and_clocks(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++) {
        struct bb b;
        build_pcapng(&b, big);
        const char *path = tmp_path("two.pcapng");
        write_bytes(path, b.b, b.n);
        char err[FW_ERRLEN];
        struct cap_file *cf = cap_file_open(path, 0, err);
        assert_non_null(cf);
        /* known right after open, although a block came before the first interface */
        assert_int_equal(cap_file_info(cf)->linktype, FW_LINKTYPE_ETHERNET);
        assert_string_equal(cap_file_info(cf)->format, "pcapng");
        struct got g = { 0 };
        read_open(cf, &g);
        cap_file_close(cf);
        assert_int_equal(g.rc, 0);
        assert_int_equal(g.n, 4);
        assert_int_equal(g.f[0].linktype, FW_LINKTYPE_ETHERNET);
        assert_int_equal(g.f[0].ts_us, 1500000000123456ull);
        assert_int_equal(g.f[0].caplen, 50);
        assert_int_equal(g.f[0].wirelen, 60);
        assert_int_equal(g.f[1].linktype, FW_LINKTYPE_RAW);
        assert_int_equal(g.f[1].ts_us, 107500000u);      /* 7.5 s + if_tsoffset 100 s */
        assert_int_equal(g.f[2].linktype, FW_LINKTYPE_ETHERNET); /* SPB: interface 0 */
        assert_int_equal(g.f[2].ts_us, 107500000u);      /* SPB: the previous time */
        assert_int_equal(g.f[2].caplen, 30);
        assert_int_equal(g.f[3].linktype, FW_LINKTYPE_RAW);
        assert_int_equal(g.f[3].ts_us, 108000000u);
        assert_int_equal(g.f[3].caplen, 20);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(g.f[i].number, i + 1);
            assert_memory_equal(g.f[i].head, PAYLOAD, 8);
        }
    }
}

static void pcapng_new_section_resets_interfaces(void **state)
{
    (void)state;
    struct bb b;
    build_pcapng(&b, false);
    b.big = true; /* the second section may use the other byte order */
    ng_shb(&b);
    ng_idb(&b, FW_LINKTYPE_LINUX_SLL, 0, -1, 0);
    ng_epb(&b, 6, 0, 5000000, 10, 10);
    ng_epb(&b, 6, 1, 5000000, 10, 10); /* interface 1 belonged to the first section */
    const char *path = tmp_path("sections.pcapng");
    write_bytes(path, b.b, b.n);
    struct got g;
    read_all(path, &g);
    assert_int_equal(g.n, 5);
    assert_int_equal(g.f[4].linktype, FW_LINKTYPE_LINUX_SLL);
    assert_int_equal(g.f[4].ts_us, 5000000u); /* default resolution: microseconds */
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "packet 6: interface 1 is not defined (the section has 1)"));
}

/* An Interface Statistics Block: interface id, time, then options (code, u64 value) pairs. */
static void ng_isb(struct bb *b, uint32_t iface, int nopts, ...)
{
    size_t s;
    va_list ap;
    ng_block_start(b, 5, &s);
    bb_u32(b, iface);
    bb_u32(b, 0);
    bb_u32(b, 1000);
    va_start(ap, nopts);
    for (int i = 0; i < nopts; i++) {
        uint16_t code = (uint16_t)va_arg(ap, int);
        uint64_t v = va_arg(ap, uint64_t);
        bb_u16(b, code);
        bb_u16(b, 8);
        bb_u32(b, b->big ? (uint32_t)(v >> 32) : (uint32_t)v);
        bb_u32(b, b->big ? (uint32_t)v : (uint32_t)(v >> 32));
    }
    va_end(ap);
    bb_u32(b, 0); /* opt_endofopt */
    ng_block_end(b, s);
}

/* The drops a pcapng's statistics record: each interface's last ISB counts (its counters run
 * from the capture's start), summed over interfaces and sections; an ISB naming no interface
 * of its section, or a value beyond any real capture, does not make up a count. */
static void pcapng_statistics_give_the_drops(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++) {
        struct bb b;
        build_pcapng(&b, big);
        ng_isb(&b, 0, 2, 5, (uint64_t)2, 7, (uint64_t)1);
        ng_isb(&b, 0, 1, 5, (uint64_t)6);                /* interface 0 again: replaces 2 */
        ng_isb(&b, 1, 1, 7, (uint64_t)10);
        ng_isb(&b, 9, 1, 5, (uint64_t)1000);             /* no interface 9: skipped */
        ng_shb(&b);                                      /* a new section keeps what was */
        ng_idb(&b, FW_LINKTYPE_ETHERNET, 0, -1, 0);
        ng_isb(&b, 0, 1, 5, ~(uint64_t)0);               /* damage: held at 2^48 */
        const char *path = tmp_path("isb.pcapng");
        write_bytes(path, b.b, b.n);
        char err[FW_ERRLEN];
        struct cap_file *cf = cap_file_open(path, 0, err);
        assert_non_null(cf);
        struct got g = {0};
        read_open(cf, &g);
        assert_int_equal(g.rc, 0);
        const struct cap_file_info *in = cap_file_info(cf);
        assert_true(in->has_drops);
        assert_int_equal(in->if_drops, 6 + (1ull << 48));
        assert_int_equal(in->os_drops, 1 + 10);
        cap_file_close(cf);
    }
    struct bb b; /* without statistics nothing is known */
    build_pcapng(&b, false);
    const char *path = tmp_path("noisb.pcapng");
    write_bytes(path, b.b, b.n);
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    assert_non_null(cf);
    struct got g = {0};
    read_open(cf, &g);
    assert_false(cap_file_info(cf)->has_drops);
    cap_file_close(cf);
}

static void pcapng_bad_block_lengths_are_errors(void **state)
{
    (void)state;
    struct bb b;
    build_pcapng(&b, false);
    size_t at = b.n;
    ng_epb(&b, 6, 0, 0, 10, 10);
    b.b[b.n - 4] ^= 0x40; /* trailing copy of the length differs */
    const char *path = tmp_path("trailer.pcapng");
    write_bytes(path, b.b, b.n);
    struct got g;
    read_all(path, &g);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "packet 5: block length"));

    b.n = at;
    ng_epb(&b, 6, 0, 0, 10, 10);
    b.b[at + 4] = 13; /* not a multiple of 4 */
    write_bytes(path, b.b, b.n);
    read_all(path, &g);
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "block length 13 is invalid"));

    b.n = at;
    ng_epb(&b, 6, 0, 0, 10, 10);
    b.b[at + 20] = 200; /* caplen beyond the block */
    write_bytes(path, b.b, b.n);
    read_all(path, &g);
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "captured length 200 does not fit"));
}

/* ---- gzip and stdin ------------------------------------------------------------------------ */

static void each_crafted_file(void (*check)(const char *path))
{
    struct bb b;
    char path[256];
    snprintf(path, sizeof path, "%s", tmp_path("each.cap"));
    build_pcap(&b, true, true, 65535);
    build_pcap_record(&b, 7, 5000, 33, 60);
    build_pcap_record(&b, 8, 0, 0, 60);
    build_pcap_record(&b, 9, 6000, 44, 60);
    write_bytes(path, b.b, b.n);
    check(path);
    build_pcapng(&b, false);
    write_bytes(path, b.b, b.n);
    check(path);
    build_pcapng(&b, true);
    write_bytes(path, b.b, b.n);
    check(path);
    write_pcap_with_writer(path, 40);
    check(path);
}

/* count frames written as NAME.pcap and gzip-compressed to NAME.pcap.gz, whose bytes are
 * copied to data (cap bytes); returns how many. */
static size_t gzip_capture(const char *name, int count, uint8_t *data, size_t cap)
{
    char plain[300], gz[300];
    snprintf(plain, sizeof plain, "%s/%s.pcap", tmpdir, name);
    snprintf(gz, sizeof gz, "%s/%s.pcap.gz", tmpdir, name);
    write_pcap_with_writer(plain, count);
    gzip_file(plain, gz);
    return read_bytes(gz, data, cap);
}

static void check_gzip_same_frames(const char *path)
{
    const char *gz = tmp_path("each.cap.gz");
    gzip_file(path, gz);
    struct got plain, packed;
    read_all(path, &plain);
    read_all(gz, &packed);
    assert_int_equal(plain.rc, 0);
    assert_true(plain.n > 0);
    assert_same_frames(&plain, &packed);
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(gz, 0, err);
    assert_non_null(cf);
    assert_true(cap_file_info(cf)->gzip);
    cap_file_close(cf);
}

static void gzip_gives_the_same_frames(void **state)
{
    (void)state;
    each_crafted_file(check_gzip_same_frames);
}

/* A child process that writes data[0..n) into a new pipe, chunk bytes at a time, and then
 * (stay) keeps it open until it is killed. The pipe's read end becomes stdin; the old stdin is
 * in *saved. */
static pid_t stdin_writer(const uint8_t *data, size_t n, size_t chunk, bool stay, int *saved)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t off = 0; off < n; off += chunk)
            if (write(fds[1], data + off, n - off < chunk ? n - off : chunk) < 0)
                _exit(1);
        struct timespec t = { stay ? 30 : 0, 0 };
        while (nanosleep(&t, &t) != 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(fds[1]);
    *saved = dup(STDIN_FILENO);
    assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
    close(fds[0]);
    return pid;
}

static void stdin_back(int saved)
{
    assert_true(dup2(saved, STDIN_FILENO) >= 0);
    close(saved);
}

/* Reads path through a pipe on fd 0, fed by a child process, as "-". */
static void read_stdin(const char *path, struct got *g)
{
    static uint8_t data[1 << 20];
    size_t n = read_bytes(path, data, sizeof data);
    int saved;
    /* small writes: the reader must cope with a pipe handing over bits at a time */
    pid_t pid = stdin_writer(data, n, 7, false, &saved);
    read_all("-", g);
    stdin_back(saved);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
}

static void check_stdin_same_frames(const char *path)
{
    const char *gz = tmp_path("each.cap.gz");
    gzip_file(path, gz);
    struct got plain, piped;
    read_all(path, &plain);
    read_stdin(path, &piped);
    assert_same_frames(&plain, &piped);
    read_stdin(gz, &piped);
    assert_same_frames(&plain, &piped);
}

static int threads_now(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Stopping early (an error further on, Ctrl-C) closes a gzip stdin whose writer keeps the
 * pipe open: the inflating thread, waiting for bytes that never come, must not keep the close
 * waiting too (with a writer that never ends, for ever). The thread is there only when a
 * second CPU can run it beside the reader. */
static void gzip_stdin_closes_while_the_writer_waits(void **state)
{
    (void)state;
    static uint8_t data[1 << 16];
    size_t n = gzip_capture("w", 40, data, sizeof data);
    int saved;
    pid_t pid = stdin_writer(data, n, n, true, &saved); /* the pipe stays open; killed below */
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    int before = threads_now();
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open("-", 1, err);
    assert_non_null(cf);
    struct frame fr;
    assert_int_equal(cap_file_next(cf, &fr, err), 1);
    assert_int_equal(fr.caplen, 20);
    usleep(200 * 1000); /* the thread has inflated it all and waits for more */
    assert_int_equal(threads_now(), before + (CPU_COUNT(&set) > 1));
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cap_file_close(cf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int status;
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* the writer was still there */
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    stdin_back(saved);
    assert_true(t1.tv_sec - t0.tv_sec < 10); /* not the writer's 30 s */
    assert_int_equal(threads_now(), before);
}

static void stdin_plain_and_gzip(void **state)
{
    (void)state;
    each_crafted_file(check_stdin_same_frames);
    const char *path = tmp_path("html.txt");
    write_bytes(path, "<html>", 6);
    struct got g;
    read_stdin(path, &g);
    assert_int_equal(g.rc, -100);
    assert_string_equal(g.err, "stdin: not a pcap, pcapng or gzip file (starts with 3c 68 74 6d)");
}

static void corrupt_gzip_is_a_clear_error(void **state)
{
    (void)state;
    static uint8_t data[1 << 16];
    const char *bad = tmp_path("bad.pcap.gz");
    size_t n = gzip_capture("c", 40, data, sizeof data);
    struct got g;

    data[n - 8] ^= 0xff; /* CRC-32 of the trailer: all data decodes, then the check fails */
    write_bytes(bad, data, n);
    read_all(bad, &g);
    assert_int_equal(g.n, 40);
    assert_int_equal(g.rc, FW_EFORMAT);
    assert_non_null(strstr(g.err, "gzip data is corrupt: incorrect data check"));
    data[n - 8] ^= 0xff;

    data[2] = 7; /* compression method: not deflate */
    write_bytes(bad, data, n);
    read_all(bad, &g);
    assert_int_equal(g.rc, -100);
    assert_non_null(strstr(g.err, "unknown compression method"));
    data[2] = 8;

    write_bytes(bad, data, n / 2); /* cut in the middle */
    read_all(bad, &g);
    assert_true(g.n < 40);
    assert_int_equal(g.rc, FW_ETRUNC);
    assert_non_null(strstr(g.err, "gzip"));
}

/* ---- what is not a capture ----------------------------------------------------------------- */

static void not_captures_fail_cleanly(void **state)
{
    (void)state;
    struct got g;
    char want[FW_ERRLEN];
    const char *path = tmp_path("index.html");
    write_bytes(path, "<html><body>", 12);
    read_all(path, &g);
    assert_int_equal(g.rc, -100);
    snprintf(want, sizeof want, "%s: not a pcap, pcapng or gzip file (starts with 3c 68 74 6d)",
             path);
    assert_string_equal(g.err, want);

    path = tmp_path("empty.pcap");
    write_bytes(path, "", 0);
    read_all(path, &g);
    assert_int_equal(g.rc, -100);
    assert_non_null(strstr(g.err, "empty file (0 bytes)"));

    read_all(tmpdir, &g);
    assert_int_equal(g.rc, -100);
    snprintf(want, sizeof want, "%s: %s", tmpdir, strerror(EISDIR));
    assert_string_equal(g.err, want);

    path = tmp_path("missing.pcap");
    read_all(path, &g);
    assert_int_equal(g.rc, -100);
    snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
    assert_string_equal(g.err, want);
}

/* Every prefix of a valid file: a clean end at a record boundary, an error elsewhere, never
 * a crash (ASan and UBSan watch), never more frames than the whole file has. */
static void check_prefixes(const uint8_t *data, size_t n, int frames)
{
    const char *path = tmp_path("prefix.cap");
    for (size_t len = 0; len <= n; len++) {
        write_bytes(path, data, len);
        struct got g;
        read_all(path, &g);
        assert_true(g.n <= frames);
        assert_true(g.rc <= 0);
        if (g.rc < 0)
            assert_true(strlen(g.err) > 0);
        if (len == n) {
            assert_int_equal(g.rc, 0);
            assert_int_equal(g.n, frames);
        }
    }
}

/* Every prefix of the gzip file of a capture: frames or a named error, never more frames
 * than the whole file has, and all of them from the whole stream. */
static void every_gzip_prefix_is_safe(void **state)
{
    (void)state;
    static uint8_t data[1 << 16];
    size_t n = gzip_capture("gp", 6, data, sizeof data);
    check_prefixes(data, n, 6);
}

static void every_prefix_is_safe(void **state)
{
    (void)state;
    struct bb b;
    build_pcap(&b, false, false, 65535);
    build_pcap_record(&b, 1, 2, 10, 10);
    build_pcap_record(&b, 3, 4, 12, 20);
    check_prefixes(b.b, b.n, 2);
    build_pcapng(&b, true);
    check_prefixes(b.b, b.n, 4);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cap_file_test.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* The same, pinned to the first CPU the process may use. */
static int setup_one_cpu(void **state)
{
    return test_pin_one_cpu() == 0 ? setup(state) : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcap_written_by_writer_reads_back),
        cmocka_unit_test(pcap_both_orders_both_resolutions),
        cmocka_unit_test(pcap_header_only_is_empty_not_an_error),
        cmocka_unit_test(bad_records_are_skipped_counted_and_numbered),
        cmocka_unit_test(huge_caplen_is_a_format_error),
        cmocka_unit_test(truncated_record_names_packet_after_earlier_frames),
        cmocka_unit_test(pcapng_interfaces_blocks_and_clocks),
        cmocka_unit_test(pcapng_new_section_resets_interfaces),
        cmocka_unit_test(pcapng_statistics_give_the_drops),
        cmocka_unit_test(pcapng_bad_block_lengths_are_errors),
        cmocka_unit_test(not_captures_fail_cleanly),
        cmocka_unit_test(every_prefix_is_safe),
    };
    const struct CMUnitTest gzip[] = {
        cmocka_unit_test(gzip_gives_the_same_frames),
        cmocka_unit_test(stdin_plain_and_gzip),
        cmocka_unit_test(gzip_stdin_closes_while_the_writer_waits),
        cmocka_unit_test(corrupt_gzip_is_a_clear_error),
        cmocka_unit_test(every_gzip_prefix_is_safe),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    failed += cmocka_run_group_tests_name("gzip, as allowed", gzip, setup, teardown);
    return failed + cmocka_run_group_tests_name("gzip, one CPU", gzip, setup_one_cpu,
                                                teardown);
}
