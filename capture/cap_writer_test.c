/* capture/cap_writer_test.c: the pcap writer: what it writes reads back (plain and gzip),
 * it will not overwrite a file unless forced nor write through a symbolic link even then, a
 * full disk is reported, not swallowed, and what reaches the disk before a flush (what a
 * killed process leaves) is whole records only; the output policy of cap_out.h for devices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/cap_file.h"
#include "capture/cap_out.h"
#include "capture/cap_writer.h"

static char tmpdir[64];
static uint8_t big_payload[70000];

static void write_frames(const char *path, bool gzip, int count)
{
    char err[FW_ERRLEN];
    struct cap_writer *w = cap_writer_open(path, FW_LINKTYPE_LINUX_SLL, 262144, gzip, false,
                                           err);
    assert_non_null(w);
    for (int i = 0; i < count; i++) {
        /* every 100th frame is larger than the writer's buffer */
        uint32_t len = i % 100 == 99 ? (uint32_t)sizeof big_payload : (uint32_t)(i % 1500 + 1);
        struct frame f = { .bytes = big_payload, .caplen = len, .wirelen = len + 4,
                           .ts_us = (uint64_t)i * 1000001u };
        assert_int_equal(cap_writer_write(w, &f, err), 0);
        if (i == count / 2)
            assert_int_equal(cap_writer_flush(w, err), 0);
    }
    assert_int_equal(cap_writer_close(w, err), 0);
}

static void check_frames(const char *path, bool gzip, int count)
{
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    assert_non_null(cf);
    assert_int_equal(cap_file_info(cf)->gzip, gzip);
    assert_int_equal(cap_file_info(cf)->linktype, FW_LINKTYPE_LINUX_SLL);
    assert_int_equal(cap_file_info(cf)->snaplen, 262144);
    struct frame f;
    int n = 0, rc;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        uint32_t len = n % 100 == 99 ? (uint32_t)sizeof big_payload : (uint32_t)(n % 1500 + 1);
        assert_int_equal(f.caplen, len);
        assert_int_equal(f.wirelen, len + 4);
        assert_int_equal(f.ts_us, (uint64_t)n * 1000001u);
        assert_memory_equal(f.bytes, big_payload, len);
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, count);
    cap_file_close(cf);
}

static void round_trip_plain_and_gzip(void **state)
{
    (void)state;
    char path[128];
    for (int gz = 0; gz < 2; gz++) {
        snprintf(path, sizeof path, "%s/rt%d.pcap", tmpdir, gz);
        write_frames(path, gz, 1000);
        check_frames(path, gz, 1000);
        unlink(path);
    }
}

static void refuses_to_overwrite_unless_forced(void **state)
{
    (void)state;
    char path[128], err[FW_ERRLEN];
    snprintf(path, sizeof path, "%s/exists.pcap", tmpdir);
    write_frames(path, false, 3);
    struct cap_writer *w = cap_writer_open(path, 1, 65535, false, false, err);
    assert_null(w);
    assert_non_null(strstr(err, strerror(EEXIST)));
    check_frames(path, false, 3); /* untouched */
    w = cap_writer_open(path, FW_LINKTYPE_LINUX_SLL, 262144, false, true, err);
    assert_non_null(w);
    assert_int_equal(cap_writer_close(w, err), 0);
    check_frames(path, false, 0);
    unlink(path);
}

/* A symbolic link at the path is refused even with force, and what it points to is untouched;
 * a loop of links among the directories is no link at the path, and is named as what it is. */
static void refuses_a_symlink_even_forced(void **state)
{
    (void)state;
    char target[128], link[128], loop[128], through[160], err[FW_ERRLEN];
    snprintf(target, sizeof target, "%s/target.pcap", tmpdir);
    snprintf(link, sizeof link, "%s/link.pcap", tmpdir);
    snprintf(loop, sizeof loop, "%s/loop", tmpdir);
    snprintf(through, sizeof through, "%s/x.pcap", loop);
    write_frames(target, false, 3);
    assert_int_equal(symlink(target, link), 0);
    assert_int_equal(symlink(loop, loop), 0);
    for (int force = 0; force < 2; force++) {
        assert_null(cap_writer_open(link, 1, 65535, false, force, err));
        char want[FW_ERRLEN];
        snprintf(want, sizeof want, "%s: is a symbolic link (will not write through it)", link);
        assert_string_equal(err, want);
        check_frames(target, false, 3);
    }
    assert_null(cap_writer_open(through, 1, 65535, false, true, err));
    char want[FW_ERRLEN];
    snprintf(want, sizeof want, "%s: %s", through, strerror(ELOOP));
    assert_string_equal(err, want);
    unlink(loop);
    unlink(link);
    unlink(target);
}

/* Without any flush, the buffer goes to the file whenever it fills: the file on disk (what a
 * SIGKILL leaves) must then end on a record boundary, never after a header without its bytes. */
static void unflushed_file_holds_whole_records(void **state)
{
    (void)state;
    char path[128], err[FW_ERRLEN];
    snprintf(path, sizeof path, "%s/whole.pcap", tmpdir);
    struct cap_writer *w = cap_writer_open(path, 1, 65535, false, false, err);
    assert_non_null(w);
    const uint32_t len = 1000, rec = 16 + 1000;
    for (int i = 0; i < 200; i++) {
        struct frame f = {.bytes = big_payload, .caplen = len, .wirelen = len,
                          .ts_us = (uint64_t)i};
        assert_int_equal(cap_writer_write(w, &f, err), 0);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_true(st.st_size == 0 || (st.st_size >= 24 && (st.st_size - 24) % rec == 0));
    }
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 100 * (off_t)rec); /* the buffer did go out, several times */
    assert_true(cap_writer_pending(w));
    assert_int_equal(cap_writer_flush(w, err), 0);
    assert_false(cap_writer_pending(w));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 24 + 200 * (off_t)rec);
    assert_int_equal(cap_writer_close(w, err), 0);
    unlink(path);
}

/* A gzip file after a sync flush, not closed (the process killed): a reader decompresses every
 * record written before the flush, then finds the file cut short. */
static void gzip_sync_flush_is_readable_before_close(void **state)
{
    (void)state;
    char path[128], copy[160], err[FW_ERRLEN], cmd[400];
    snprintf(path, sizeof path, "%s/sync.pcap.gz", tmpdir);
    snprintf(copy, sizeof copy, "%s/sync-copy.pcap.gz", tmpdir);
    struct cap_writer *w = cap_writer_open(path, 1, 65535, true, false, err);
    assert_non_null(w);
    for (int i = 0; i < 50; i++) {
        struct frame f = {.bytes = big_payload, .caplen = 100, .wirelen = 100,
                          .ts_us = (uint64_t)i};
        assert_int_equal(cap_writer_write(w, &f, err), 0);
    }
    assert_int_equal(cap_writer_flush(w, err), 0);
    snprintf(cmd, sizeof cmd, "cp %s %s", path, copy);
    assert_int_equal(system(cmd), 0);
    struct cap_file *cf = cap_file_open(copy, 0, err);
    assert_non_null(cf);
    struct frame f;
    int n = 0;
    while (cap_file_next(cf, &f, err) == 1)
        n++;
    assert_int_equal(n, 50);
    cap_file_close(cf);
    assert_int_equal(cap_writer_close(w, err), 0);
    unlink(copy);
    unlink(path);
}

/* A device holds no file to lose: /dev/null is written to without --force; a directory or a
 * regular file is not replaced without it. */
static void out_policy_for_devices(void **state)
{
    (void)state;
    char err[FW_ERRLEN], path[128];
    bool created = true;
    int fd = cap_out_open("/dev/null", false, &created, err);
    assert_true(fd >= 0);
    assert_false(created);
    close(fd);
    assert_int_equal(cap_out_open(tmpdir, true, &created, err), FW_EIO);
    assert_non_null(strstr(err, "not a regular file"));
    snprintf(path, sizeof path, "%s/plain.log", tmpdir);
    fd = cap_out_open(path, false, &created, err);
    assert_true(fd >= 0 && created);
    close(fd);
    assert_int_equal(cap_out_open(path, false, &created, err), FW_EUSAGE);
    assert_non_null(strstr(err, "overwritten only with --force"));
    fd = cap_out_open(path, true, &created, err);
    assert_true(fd >= 0 && !created);
    close(fd);
    unlink(path);
}

static void full_disk_is_reported(void **state)
{
    (void)state;
    char err[FW_ERRLEN];
    if (access("/dev/full", W_OK) != 0)
        skip();
    for (int gz = 0; gz < 2; gz++) {
        struct cap_writer *w = cap_writer_open("/dev/full", 1, 65535, gz, true, err);
        assert_non_null(w);
        struct frame f = { .bytes = big_payload, .caplen = 1000, .wirelen = 1000 };
        int rc = 0;
        for (int i = 0; i < 10 && rc == 0; i++)
            rc = cap_writer_write(w, &f, err);
        int crc = cap_writer_close(w, err);
        assert_true(rc < 0 || crc < 0);
        assert_int_equal(rc < 0 ? rc : crc, FW_EIO);
        assert_non_null(strstr(err, strerror(ENOSPC)));
    }
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof big_payload; i++)
        big_payload[i] = (uint8_t)(i * 7 + i / 251);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cap_writer_test.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_plain_and_gzip),
        cmocka_unit_test(refuses_to_overwrite_unless_forced),
        cmocka_unit_test(refuses_a_symlink_even_forced),
        cmocka_unit_test(full_disk_is_reported),
        cmocka_unit_test(unflushed_file_holds_whole_records),
        cmocka_unit_test(gzip_sync_flush_is_readable_before_close),
        cmocka_unit_test(out_policy_for_devices),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
