/* bench/bareloop.c: fwsight-bench-bare FILE, the yardstick for `fwsight analyze`: the fastest
 * plain libpcap reading of a capture, counting frames and bytes and nothing else. The file is
 * read through a 1 MiB stdio buffer (plain pcap_open_offline reads 4 KiB per system call and
 * is about four times slower); a gzip file (told by its magic bytes) is inflated by zlib
 * behind a stdio FILE (fopencookie), so both readers pay the same decompression. Prints
 * frames, bytes and the seconds of the loop (CLOCK_MONOTONIC). */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>
#include <zlib.h>

#define READ_BUF_LEN (1u << 20)

static ssize_t gz_cookie_read(void *cookie, char *buf, size_t size)
{
    /* gzread takes an unsigned count: ask for at most 1 GiB at a time. */
    unsigned want = size > (1u << 30) ? 1u << 30 : (unsigned)size;
    int n = gzread((gzFile)cookie, buf, want);
    return n < 0 ? -1 : n;
}

static int gz_cookie_close(void *cookie)
{
    return gzclose_r((gzFile)cookie) == Z_OK ? 0 : -1;
}

static int is_gzip(FILE *fp)
{
    int a = getc(fp);
    int b = getc(fp);
    rewind(fp);
    return a == 0x1f && b == 0x8b;
}

/* Opens path as a stdio stream of pcap bytes with a 1 MiB buffer, inflating a gzip file. */
static FILE *open_stream(const char *path, char *buf)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    if (!is_gzip(fp)) {
        if (setvbuf(fp, buf, _IOFBF, READ_BUF_LEN) != 0) {
            fclose(fp);
            return NULL;
        }
        return fp;
    }
    fclose(fp);
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return NULL;
    if (gzbuffer(gz, READ_BUF_LEN) != 0) {
        gzclose_r(gz);
        return NULL;
    }
    cookie_io_functions_t io = { .read = gz_cookie_read, .close = gz_cookie_close };
    fp = fopencookie(gz, "rb", io);
    if (!fp) {
        gzclose_r(gz);
        return NULL;
    }
    /* The same 1 MiB between the inflater and libpcap: reads of stdio's default 4 KiB would
     * cost a gzread call each. */
    if (setvbuf(fp, buf, _IOFBF, READ_BUF_LEN) != 0) {
        fclose(fp);
        return NULL;
    }
    return fp;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fwsight-bench-bare FILE\n");
        return 2;
    }
    static char buf[READ_BUF_LEN];
    char err[PCAP_ERRBUF_SIZE] = "";
    FILE *fp = open_stream(argv[1], buf);
    if (!fp) {
        fprintf(stderr, "fwsight-bench-bare: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    double t0 = now_s();
    pcap_t *p = pcap_fopen_offline(fp, err); /* owns fp from here, closes it with p */
    if (!p) {
        fprintf(stderr, "fwsight-bench-bare: %s: %s\n", argv[1], err);
        fclose(fp);
        return 1;
    }

    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t frames = 0, bytes = 0;
    unsigned touch = 0; /* one byte of every frame, so the reads cannot be optimised away */
    int rc;
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        frames++;
        bytes += h->caplen;
        if (h->caplen)
            touch += data[h->caplen - 1];
    }
    double secs = now_s() - t0;
    int status = 0;
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "fwsight-bench-bare: %s: %s\n", argv[1], pcap_geterr(p));
        status = 1;
    }
    pcap_close(p);
    double rate = secs > 0 ? 1 / secs : 0.0;
    printf("frames %" PRIu64 " bytes %" PRIu64 " seconds %.3f mpkt_per_s %.3f mb_per_s %.1f"
           " check %u\n", frames, bytes, secs, (double)frames * rate / 1e6,
           (double)bytes * rate / 1e6, touch & 0xff);
    return status;
}
