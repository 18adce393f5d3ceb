/* ui/msg_test.c: the message sink (msg.h). Printed at once, it must be byte for byte what
 * fprintf(stderr, ...) printed (the golden tests compare stderr); held, nothing may reach
 * stderr until msg_release(), which prints every message in order, once. stderr is a temporary
 * file here, read back after each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "msg.h"

struct err_capture {
    FILE *file;
    int saved; /* the real stderr, given back by err_stop() */
};

static void err_start(struct err_capture *c)
{
    fflush(stderr);
    c->file = tmpfile();
    assert_non_null(c->file);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

/* What reached stderr since err_start() or the last err_read(): an owned string. */
static char *err_read(void)
{
    fflush(stderr);
    long end = lseek(STDERR_FILENO, 0, SEEK_CUR);
    assert_true(end >= 0);
    char *s = calloc(1, (size_t)end + 1);
    assert_non_null(s);
    assert_int_equal(pread(STDERR_FILENO, s, (size_t)end, 0), end);
    assert_int_equal(ftruncate(STDERR_FILENO, 0), 0);
    assert_int_equal(lseek(STDERR_FILENO, 0, SEEK_SET), 0);
    return s;
}

static void err_stop(struct err_capture *c)
{
    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    fclose(c->file);
}

static void expect_err(const char *want)
{
    char *got = err_read();
    assert_string_equal(got, want);
    free(got);
}

static void not_held_prints_at_once_as_given(void **state)
{
    (void)state;
    struct err_capture c;
    char last[64];
    err_start(&c);
    msg_printf("fwsight: warning: %s (%llu bad records skipped in all)\n", "a.pcap: packet 3",
               2ull);
    expect_err("fwsight: warning: a.pcap: packet 3 (2 bad records skipped in all)\n");
    msg_printf("no newline, no prefix");
    expect_err("no newline, no prefix");
    assert_int_equal(msg_last(last, sizeof last), 0);
    assert_string_equal(last, "");
    msg_release(); /* not held: prints nothing */
    expect_err("");
    err_stop(&c);
}

static void held_messages_wait_and_print_in_order_once(void **state)
{
    (void)state;
    struct err_capture c;
    char last[64];
    err_start(&c);
    msg_hold();
    msg_printf("fwsight: warning: %s\n", "first");
    msg_hold(); /* the view opening after the caller held them: the first one stays */
    msg_printf("fwsight: %s; reporting what was captured before\n", "second");
    expect_err("");
    assert_int_equal(msg_last(last, sizeof last), 2);
    assert_string_equal(last, "second; reporting what was captured before");
    msg_release();
    expect_err("fwsight: warning: first\n"
                   "fwsight: second; reporting what was captured before\n");
    assert_int_equal(msg_last(last, sizeof last), 0);
    msg_release();
    expect_err("");
    msg_printf("fwsight: after\n");
    expect_err("fwsight: after\n");
    /* A new hold starts afresh. */
    msg_hold();
    msg_printf("fwsight: third\n");
    assert_int_equal(msg_last(last, sizeof last), 1);
    assert_string_equal(last, "third");
    msg_release();
    expect_err("fwsight: third\n");
    err_stop(&c);
}

static void the_view_gets_one_line(void **state)
{
    (void)state;
    struct err_capture c;
    char last[16];
    err_start(&c);
    msg_hold();
    msg_printf("fwsight live: two\nlines\n");
    assert_int_equal(msg_last(last, sizeof last), 1);
    assert_string_equal(last, "fwsight live: t"); /* another prefix stays; clipped to len */
    msg_printf("fwsight: \tx\r\ny \n");
    assert_int_equal(msg_last(last, sizeof last), 2);
    assert_string_equal(last, " x  y");
    assert_int_equal(msg_last(NULL, 0), 2);
    msg_release();
    expect_err("fwsight live: two\nlines\nfwsight: \tx\r\ny \n");
    err_stop(&c);
}

static void beyond_the_buffer_messages_are_counted(void **state)
{
    (void)state;
    struct err_capture c;
    char line[1001], last[32];
    memset(line, 'x', 998);
    line[998] = '\0';
    err_start(&c);
    msg_hold();
    for (int i = 0; i < 40; i++)
        msg_printf("%c%s\n", 'A' + i, line); /* 1000 bytes each: 32 fit in 32768 */
    msg_printf("fwsight: short\n");             /* still fits after them */
    assert_int_equal(msg_last(last, sizeof last), 41);
    assert_string_equal(last, "short");
    msg_release();
    char *got = err_read();
    assert_int_equal(strlen(got), 32 * 1000 + strlen("fwsight: short\n") +
                                      strlen("fwsight: 8 more messages were not kept while the "
                                             "view was open\n"));
    for (int i = 0; i < 32; i++) {
        assert_int_equal(got[i * 1000], 'A' + i);
        assert_int_equal(got[i * 1000 + 999], '\n');
    }
    assert_string_equal(got + 32000, "fwsight: short\n"
                                     "fwsight: 8 more messages were not kept while the view was "
                                     "open\n");
    free(got);
    err_stop(&c);
}

static void one_lost_is_said_in_the_singular(void **state)
{
    (void)state;
    struct err_capture c;
    char line[1001];
    memset(line, 'x', 998);
    line[998] = '\0';
    err_start(&c);
    msg_hold();
    for (int i = 0; i < 33; i++)
        msg_printf("%c%s\n", 'A' + i, line); /* the 33rd does not fit */
    msg_release();
    char *got = err_read();
    assert_int_equal(strlen(got), 32000 + strlen("fwsight: 1 more message was not kept while "
                                                 "the view was open\n"));
    assert_string_equal(got + 32000, "fwsight: 1 more message was not kept while the view was "
                                     "open\n");
    free(got);
    err_stop(&c);
}

static void a_crash_prints_them_once(void **state)
{
    (void)state;
    struct err_capture c;
    err_start(&c);
    msg_hold();
    msg_printf("fwsight: warning: kept\n");
    msg_release_on_crash();
    expect_err("fwsight: warning: kept\n");
    msg_release(); /* the atexit handler after it: nothing twice */
    msg_release_on_crash();
    expect_err("");
    err_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_held_prints_at_once_as_given),
        cmocka_unit_test(held_messages_wait_and_print_in_order_once),
        cmocka_unit_test(the_view_gets_one_line),
        cmocka_unit_test(beyond_the_buffer_messages_are_counted),
        cmocka_unit_test(one_lost_is_said_in_the_singular),
        cmocka_unit_test(a_crash_prints_them_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
