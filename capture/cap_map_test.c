/* capture/cap_map_test.c: a plain file read through cap_input's mapped windows gives what the
 * read path gives for the same bytes (the file handed over as stdin): every frame, byte for
 * byte, across window boundaries that records straddle, and the same error, word for word,
 * when the file ends inside a record beyond the first window. cap_file_test.c covers the
 * formats and the damaged records; both paths run them (files are mapped, stdin is read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/cap_file.h"

/* ~15 MB in ~20000 records of 60 to 1459 bytes: two 8 MiB window ends fall inside records. */
#define N_RECORDS 20000u

static char path[64];
static uint8_t *file;
static size_t file_len;

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the file is written in host order, as its magic says */
}

static uint32_t caplen_of(uint32_t i)
{
    return 60u + (i * 37u) % 1400u;
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/fwsight-map-test-%d.pcap", (int)getpid());
    file = malloc(24 + (size_t)N_RECORDS * (16 + 1460));
    if (file == NULL)
        return -1;
    put32(file, 0xa1b2c3d4u);
    put32(file + 4, 2u | 4u << 16);
    put32(file + 8, 0);
    put32(file + 12, 0);
    put32(file + 16, 65535);
    put32(file + 20, 1);
    size_t n = 24;
    for (uint32_t i = 0; i < N_RECORDS; i++) {
        uint32_t len = caplen_of(i);
        put32(file + n, 1700000000u + i / 1000u);
        put32(file + n + 4, i % 1000u * 1000u);
        put32(file + n + 8, len);
        put32(file + n + 12, len);
        n += 16;
        for (uint32_t k = 0; k < len; k++)
            file[n + k] = (uint8_t)(i * 7u + k);
        n += len;
    }
    file_len = n;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    free(file);
    return 0;
}

static void write_file(size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(file, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Reads the file by its path (mapped) or as stdin (read), checking every frame; returns
 * cap_file_next's last result with its error in err. */
static int read_back(bool as_stdin, uint32_t *frames, char err[FW_ERRLEN])
{
    int saved = -1;
    if (as_stdin) {
        int fd = open(path, O_RDONLY);
        assert_true(fd >= 0);
        saved = dup(STDIN_FILENO);
        assert_true(dup2(fd, STDIN_FILENO) >= 0);
        close(fd);
    }
    struct cap_file *cf = cap_file_open(as_stdin ? "-" : path, 0, err);
    assert_non_null(cf);
    struct frame f;
    int rc;
    uint32_t i = 0;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        assert_int_equal(f.number, i + 1);
        assert_int_equal(f.caplen, caplen_of(i));
        assert_int_equal(f.ts_us, (1700000000ull + i / 1000u) * 1000000u + i % 1000u * 1000u);
        for (uint32_t k = 0; k < f.caplen; k++)
            if (f.bytes[k] != (uint8_t)(i * 7u + k))
                fail_msg("frame %u byte %u differs", i + 1, k);
        i++;
    }
    cap_file_close(cf);
    if (as_stdin) {
        assert_true(dup2(saved, STDIN_FILENO) >= 0);
        close(saved);
    }
    *frames = i;
    return rc;
}

static void every_frame_across_windows(void **state)
{
    (void)state;
    write_file(file_len);
    char err[FW_ERRLEN];
    uint32_t n;
    assert_int_equal(read_back(false, &n, err), 0);
    assert_int_equal(n, N_RECORDS);
    assert_int_equal(read_back(true, &n, err), 0);
    assert_int_equal(n, N_RECORDS);
}

/* Cut 10 bytes into the record that starts after 12 MB: both paths deliver the records before
 * it and say the same thing about it. */
static void truncated_beyond_the_first_window(void **state)
{
    (void)state;
    size_t off = 24;
    uint32_t i = 0;
    while (off < 12u * 1000u * 1000u)
        off += 16 + caplen_of(i++);
    write_file(off + 10);
    char err_map[FW_ERRLEN], err_read[FW_ERRLEN];
    uint32_t n_map, n_read;
    int rc_map = read_back(false, &n_map, err_map);
    int rc_read = read_back(true, &n_read, err_read);
    assert_int_equal(rc_map, FW_ETRUNC);
    assert_int_equal(rc_read, FW_ETRUNC);
    assert_int_equal(n_map, i);
    assert_int_equal(n_read, i);
    const char *m = strchr(err_map, ':'), *r = strchr(err_read, ':'); /* past the file's name */
    assert_non_null(m);
    assert_non_null(r);
    assert_string_equal(m, r);
    assert_non_null(strstr(m, "file ends after 10 of 16 bytes of the record header"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_frame_across_windows),
        cmocka_unit_test(truncated_beyond_the_first_window),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
