/* capture/cap_gunzip_test.c: what follows a complete gzip member, through cap_input: a member
 * cut in its header and bytes that are not a member are both ignored, as gunzip's "trailing
 * garbage" is, wherever the reads of the compressed stream happen to split them from the
 * member before (a pipe decides that, not the file); and a process that cannot start the
 * inflating thread reads the stream all the same. Run as the process is allowed (inflated by a
 * thread of its own when it has two CPUs) and pinned to one CPU (inflated as it is read).
 * The streams are made in memory and handed over through a pipe, opened as /dev/fd/N. */
/* sched_setaffinity() for the one-CPU run */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include "capture/cap_input.h"
#include "tests/one_cpu.h"

static uint8_t data[5000];

/* One gzip member of data into out; its length. */
static size_t gzip_member(uint8_t *out, size_t cap)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = data;
    zs.avail_in = sizeof data;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    return n;
}

static void put(int fd, const void *p, size_t n)
{
    assert_int_equal(write(fd, p, n), (ssize_t)n);
}

/* A new pipe holding one gzip member of data, its write end still open. */
static void member_in_a_pipe(int fds[2])
{
    static uint8_t gz[sizeof data + 1024];
    size_t n = gzip_member(gz, sizeof gz);
    assert_int_equal(pipe(fds), 0);
    put(fds[1], gz, n);
}

/* Opens the read end of a pipe as a file is opened. */
static void open_pipe(struct cap_input *in, int fd)
{
    char path[32], detail[FW_ERRLEN];
    snprintf(path, sizeof path, "/dev/fd/%d", fd);
    assert_int_equal(cap_input_open(in, path, detail), 0);
    assert_non_null(in->gz);
}

/* The member's bytes came, then a clean end: neither an error nor a truncated stream. Closes
 * the input and the pipe's read end rfd. */
static void assert_data_then_clean_end(struct cap_input *in, int rfd)
{
    char detail[FW_ERRLEN] = "";
    assert_int_equal(cap_input_need(in, sizeof data, detail), 0);
    assert_memory_equal(cap_input_ptr(in), data, sizeof data);
    int rc = cap_input_need(in, sizeof data + 1, detail);
    if (rc < 0)
        fail_msg("an error after the member: %s", detail);
    assert_int_equal(rc, 1);
    assert_int_equal(cap_input_avail(in), sizeof data);
    assert_false(in->gz_truncated);
    cap_input_close(in);
    close(rfd);
}

/* The member and the first bytes of a header that never ends, in one read. */
static void member_then_a_cut_header_ends_cleanly(void **state)
{
    (void)state;
    int fds[2];
    member_in_a_pipe(fds);
    put(fds[1], "\x1f\x8b\x08", 3);
    close(fds[1]);
    struct cap_input in;
    open_pipe(&in, fds[0]);
    assert_data_then_clean_end(&in, fds[0]);
}

/* The member and the first byte of garbage that looks like a header, then (once the member's
 * bytes were read) the rest of the garbage. */
static void garbage_split_from_its_first_byte_ends_cleanly(void **state)
{
    (void)state;
    int fds[2];
    member_in_a_pipe(fds);
    put(fds[1], "\x1f", 1);
    struct cap_input in;
    open_pipe(&in, fds[0]);
    char detail[FW_ERRLEN];
    assert_int_equal(cap_input_need(&in, sizeof data, detail), 0);
    put(fds[1], "\x8b\x00 not a gzip member", 21); /* method 0: not deflate */
    close(fds[1]);
    assert_data_then_clean_end(&in, fds[0]);
}

/* A process with no descriptor to spare beyond the capture's own (a tight ulimit -n), or that
 * may start no thread, still reads it: inflated as it is read, as on one CPU. */
static void gzip_reads_with_no_descriptor_to_spare(void **state)
{
    (void)state;
    int fds[2];
    member_in_a_pipe(fds);
    close(fds[1]);
    int lowest = dup(0); /* the descriptor the capture will get */
    assert_true(lowest >= 0);
    close(lowest);
    struct rlimit was, tight;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &was), 0);
    tight = was;
    tight.rlim_cur = (rlim_t)lowest + 1;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
    char path[32], detail[FW_ERRLEN] = "";
    snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
    struct cap_input in;
    int rc = cap_input_open(&in, path, detail);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &was), 0);
    if (rc != 0)
        fail_msg("open: %s", detail);
    assert_data_then_clean_end(&in, fds[0]);
}

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + i / 13);
    return 0;
}

/* The same, pinned to the first CPU the process may use. */
static int setup_one_cpu(void **state)
{
    return test_pin_one_cpu() == 0 ? setup(state) : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(member_then_a_cut_header_ends_cleanly),
        cmocka_unit_test(garbage_split_from_its_first_byte_ends_cleanly),
        cmocka_unit_test(gzip_reads_with_no_descriptor_to_spare),
    };
    int failed = cmocka_run_group_tests_name("gzip tail, as allowed", tests, setup, NULL);
    return failed + cmocka_run_group_tests_name("gzip tail, one CPU", tests, setup_one_cpu,
                                                NULL);
}
