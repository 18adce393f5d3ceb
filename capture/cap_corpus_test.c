/* capture/cap_corpus_test.c: reads every capture of the shared corpora to the end. tcpdump's
 * 830 files (many deliberately malformed inside their packets, none at the file level) must
 * give exactly the record count of INDEX.tsv as frames plus skipped bad records, and no error;
 * Zeek's traces must read without error. Usage: cap_corpus_test CORPUS_DIR. Exit 77 (skipped)
 * when the corpus is absent. What the packets mean is tested elsewhere. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <glob.h>

#include "capture/cap_file.h"

/* Reads the whole file; -1 on error (printed). */
static int64_t read_all(const char *path, uint64_t *bad)
{
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    if (!cf) {
        fprintf(stderr, "FAIL open: %s\n", err);
        return -1;
    }
    struct frame f;
    int rc;
    uint64_t n = 0;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        const struct cap_file_info *info = cap_file_info(cf);
        if (f.caplen == 0 || f.number != n + 1 + info->bad_records + info->duplicates ||
            f.linktype < 0) {
            fprintf(stderr, "FAIL %s: frame %" PRIu64 " inconsistent\n", path, f.number);
            rc = -100;
            break;
        }
        n++;
    }
    *bad = cap_file_info(cf)->bad_records;
    if (rc < 0 && rc != -100)
        fprintf(stderr, "FAIL read: %s\n", err);
    cap_file_close(cf);
    return rc < 0 ? -1 : (int64_t)n;
}

static int check_tcpdump(const char *dir)
{
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/tcpdump/INDEX.tsv", dir);
    FILE *idx = fopen(path, "r");
    if (!idx) {
        fprintf(stderr, "FAIL: %s missing\n", path);
        return 1;
    }
    int failures = 0, files = 0;
    uint64_t total = 0, total_bad = 0;
    if (!fgets(line, sizeof line, idx)) /* header */
        line[0] = 0;
    while (fgets(line, sizeof line, idx)) {
        char *save = NULL, *name = strtok_r(line, "\t", &save);
        char *col = NULL;
        for (int i = 0; i < 5 && name; i++)
            col = strtok_r(NULL, "\t", &save);
        if (!name || !col)
            continue;
        uint64_t want = strtoull(col, NULL, 10), bad = 0;
        snprintf(path, sizeof path, "%s/tcpdump/captures/%s", dir, name);
        int64_t got = read_all(path, &bad);
        files++;
        if (got < 0 || (uint64_t)got + bad != want) {
            if (got >= 0)
                fprintf(stderr, "FAIL %s: %" PRId64 " frames + %" PRIu64 " bad, INDEX says %"
                        PRIu64 "\n", name, got, bad, want);
            failures++;
            continue;
        }
        total += (uint64_t)got;
        total_bad += bad;
    }
    fclose(idx);
    printf("tcpdump corpus: %d files, %" PRIu64 " frames, %" PRIu64 " bad records, %d failures\n",
           files, total, total_bad, failures);
    return failures || files < 800;
}

static int check_zeek(const char *dir)
{
    char pattern[4096];
    snprintf(pattern, sizeof pattern, "%s/zeek/cases/*/trace.pcap*", dir);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0) {
        fprintf(stderr, "FAIL: no zeek traces under %s\n", dir);
        return 1;
    }
    int failures = 0;
    uint64_t total = 0, bad;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        int64_t got = read_all(g.gl_pathv[i], &bad);
        if (got < 0)
            failures++;
        else
            total += (uint64_t)got;
    }
    printf("zeek corpus: %zu traces, %" PRIu64 " frames, %d failures\n", g.gl_pathc, total,
           failures);
    globfree(&g);
    return failures != 0;
}

int main(int argc, char **argv)
{
    struct stat st;
    if (argc != 2 || stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("corpus folder %s not found: skipped\n", argc > 1 ? argv[1] : "(none given)");
        return 77;
    }
    int fail = check_tcpdump(argv[1]);
    fail |= check_zeek(argv[1]);
    return fail ? 1 : 0;
}
