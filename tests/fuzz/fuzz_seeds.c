/* tests/fuzz/fuzz_seeds.c: makes the fuzz targets' seed corpora from the samples, at build
 * time, into the build directory. Files are named by a hash of their content, so duplicates
 * collapse into one.
 *   fuzz_seeds copy DIR FILE...        the files themselves (reader, profile)
 *   fuzz_seeds frames DIR PATH...      each capture's first frames, behind fuzz_decode's two
 *                                      header bytes (link type, options); PATH may be a
 *                                      directory of captures
 *   fuzz_seeds pairs DIR FILE...       source.pcap and target.pcap of one directory as one
 *                                      fuzz_correlate input, in both orders
 * The input layouts are fuzz_common.h's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/decode.h"
#include "capture/cap_file.h"
#include "fuzz_common.h"

/* Frames kept per capture: the first ones hold the handshakes and the errors; a sample's
 * other frames are more of the same. */
#define FRAMES_PER_FILE 24

static int write_seed(const char *dir, const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < na; i++)
        h = (h ^ a[i]) * 1099511628211ull;
    for (size_t i = 0; i < nb; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    char path[4096];
    snprintf(path, sizeof path, "%s/%016llx", dir, (unsigned long long)h);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(a, 1, na, f) != na || (nb && fwrite(b, 1, nb, f) != nb) ||
        fclose(f) != 0) {
        fprintf(stderr, "fuzz_seeds: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *p = realloc(buf, cap *= 2);
            if (p == NULL)
                free(buf);
            buf = p;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int copy_files(const char *dir, int n, char **files)
{
    for (int i = 0; i < n; i++) {
        size_t len;
        uint8_t *b = slurp(files[i], &len);
        if (b == NULL || write_seed(dir, b, len, NULL, 0) != 0) {
            fprintf(stderr, "fuzz_seeds: cannot copy %s\n", files[i]);
            free(b);
            return -1;
        }
        free(b);
    }
    return 0;
}

/* The first frames of one capture, and the IP datagram of each Ethernet one as the quote of
 * a synthesised ICMP error (FZ_DECODE_QUOTE). Unreadable files are skipped: the tcpdump corpus
 * holds link types and damage on purpose. */
static void frames_of(const char *dir, const char *path)
{
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    struct frame f;
    int kept = 0;
    while (cf != NULL && kept < FRAMES_PER_FILE && cap_file_next(cf, &f, err) == 1) {
        int idx = fz_linktype_index(f.linktype);
        if (idx < 0)
            break;
        uint8_t hdr[2] = { (uint8_t)idx, 0 };
        uint32_t len = f.caplen < FZ_DECODE_MAX_FRAME ? f.caplen : FZ_DECODE_MAX_FRAME;
        write_seed(dir, hdr, 2, f.bytes, len);
        if (f.linktype == FW_LINKTYPE_ETHERNET && len > 14 &&
            ((f.bytes[12] == 0x08 && f.bytes[13] == 0x00) ||
             (f.bytes[12] == 0x86 && f.bytes[13] == 0xdd))) {
            hdr[1] = FZ_DECODE_QUOTE | (f.bytes[12] == 0x86 ? FZ_DECODE_QUOTE6 : 0);
            write_seed(dir, hdr, 2, f.bytes + 14, len - 14 > 256 ? 256 : len - 14);
        }
        kept++;
    }
    cap_file_close(cf);
}

static void frames_in(const char *dir, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        frames_of(dir, path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        frames_of(dir, sub);
    }
    if (d != NULL)
        closedir(d);
}

/* path ends in "source.pcap[.gz]": its directory's target capture is the other half. */
static int pair_of(const char *dir, const char *source)
{
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    if (strncmp(base, "source.pcap", 11) != 0)
        return 0;
    char target[4096];
    snprintf(target, sizeof target, "%.*starget%s", (int)(base - source), source, base + 6);
    size_t n0, n1;
    uint8_t *c0 = slurp(source, &n0), *c1 = slurp(target, &n1);
    int rc = -1;
    if (c0 != NULL && c1 != NULL) {
        for (int order = 0; order < 2; order++) {
            uint8_t hdr[FZ_CORR_HDR];
            size_t first = order ? n1 : n0;
            hdr[0] = 0;
            for (int i = 0; i < 4; i++)
                hdr[1 + i] = (uint8_t)(first >> (24 - 8 * i));
            uint8_t *both = malloc(n0 + n1);
            if (both == NULL)
                break;
            memcpy(both, order ? c1 : c0, first);
            memcpy(both + first, order ? c0 : c1, n0 + n1 - first);
            rc = write_seed(dir, hdr, sizeof hdr, both, n0 + n1);
            free(both);
        }
    }
    if (rc != 0)
        fprintf(stderr, "fuzz_seeds: cannot pair %s with %s\n", source, target);
    free(c0);
    free(c1);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_seeds copy|frames|pairs DIR FILE...\n");
        return 2;
    }
    const char *dir = argv[2];
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "fuzz_seeds: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (strcmp(argv[1], "copy") == 0)
        return copy_files(dir, argc - 3, argv + 3) == 0 ? 0 : 1;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[1], "frames") == 0)
            frames_in(dir, argv[i]);
        else if (strcmp(argv[1], "pairs") == 0 && pair_of(dir, argv[i]) != 0)
            return 1;
    }
    return 0;
}
