/* ui/live_stream_test.c: the live stream's limits: a flood of attempts on one cell gives a few
 * lines and one summary per second with the exact count; many cells at once stay within the
 * second's line budget and are all counted; the lines come in time order whatever order their
 * times came in; a reader that does not read makes lines drop and be counted, never block; a
 * reader gone ends the stream without killing the process. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/profile.h"
#include "ui/live_out.h"
#include "ui/live_stream.h"

#define T0 1700000000000000ull /* 2023-11-14 22:13:20 UTC */

struct fixture {
    int pipe[2];
    struct live_out out;
    struct live_stream s;
    struct profile *prof;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_int_equal(pipe(fx->pipe), 0);
    fcntl(fx->pipe[1], F_SETPIPE_SZ, 1 << 20); /* room for every line of a test */
    fx->prof = profile_builtin("double-take");
    assert_non_null(fx->prof);
    live_out_init(&fx->out, fx->pipe[1]);
    live_stream_init(&fx->s, &fx->out, fx->prof);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    live_stream_fini(&fx->s);
    live_out_fini(&fx->out);
    close(fx->pipe[0]);
    close(fx->pipe[1]);
    profile_free(fx->prof);
    free(fx);
    return 0;
}

/* An unanswered SYN from 198.51.100.10:sport to 203.0.113.<host>:port. */
static struct conn_record syn(uint16_t sport, int host, uint16_t port, uint64_t ts_us)
{
    struct conn_record r = {.ts_us = ts_us, .orig_p = sport, .resp_p = port, .ip_proto = 6,
                            .state = CONN_S0, .orig_pkts = 1, .first_frame = 1,
                            .last_frame = 1};
    char to[32];
    snprintf(to, sizeof to, "203.0.113.%d", host);
    assert_true(fw_addr_parse(&r.orig_h, "198.51.100.10"));
    assert_true(fw_addr_parse(&r.resp_h, to));
    strcpy(r.history, "S");
    return r;
}

/* Everything written so far, NUL-terminated (the caller frees it). */
static char *drain_all(struct fixture *fx)
{
    live_out_drain(&fx->out);
    size_t cap = 1 << 21, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    fcntl(fx->pipe[0], F_SETFL, O_NONBLOCK);
    ssize_t r;
    while ((r = read(fx->pipe[0], buf + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    return buf;
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void flood_on_one_cell_is_summarised(void **state)
{
    struct fixture *fx = *state;
    live_stream_tick(&fx->s, T0);
    for (int i = 0; i < 10000; i++) {
        struct conn_record r = syn((uint16_t)(10000 + i), 20, 6325, T0);
        live_stream_conn(&fx->s, &r, T0);
    }
    live_stream_tick(&fx->s, T0 + 1000000u);
    char *text = drain_all(fx);
    assert_int_equal(count(text, " attempt tcp "), LIVE_CELL_LINES);
    assert_non_null(strstr(text, "22:13:20 tcp 6325 198.51.100.10 -> 203.0.113.20: 9,997 more "
                                 "attempts this second\n"));
    assert_int_equal(fx->s.summarised, 9997);
    free(text);
    /* The next second starts afresh: its first attempts are written again. */
    struct conn_record r = syn(9999, 20, 6325, T0 + 1000000u);
    live_stream_conn(&fx->s, &r, T0 + 1000000u);
    live_stream_tick(&fx->s, UINT64_MAX);
    text = drain_all(fx);
    assert_int_equal(count(text, " attempt tcp "), 1);
    assert_int_equal(count(text, "more attempt"), 0);
    free(text);
}

static void many_cells_stay_within_the_budget(void **state)
{
    struct fixture *fx = *state;
    live_stream_tick(&fx->s, T0);
    /* 400 targets: more cells than the table counts, each attempted twice */
    for (int rep = 0; rep < 2; rep++)
        for (int h = 0; h < 400; h++) {
            struct conn_record r = syn((uint16_t)(20000 + h), 1 + h % 250, 6320, T0);
            r.resp_h.b[15] = (uint8_t)h; /* 400 distinct targets */
            r.resp_h.b[14] = (uint8_t)(h >> 8);
            live_stream_conn(&fx->s, &r, T0);
        }
    live_stream_tick(&fx->s, UINT64_MAX);
    char *text = drain_all(fx);
    int lines = count(text, " attempt tcp ");
    assert_int_equal(lines, LIVE_SECOND_LINES);
    assert_true(count(text, "more attempt") <= LIVE_FLOOD_SAY + 1);
    assert_non_null(strstr(text, "this second to many other cells\n"));
    assert_int_equal(fx->s.summarised, 800 - LIVE_SECOND_LINES);
    free(text);
}

/* The HH:MM:SS of every line of text, in order; how many in *n. */
static int stamps(const char *text, int out[], int max)
{
    int n = 0;
    for (const char *p = text; *p != '\0' && n < max; p++) {
        int h, m, sec;
        if (sscanf(p, "%2d:%2d:%2d ", &h, &m, &sec) == 3)
            out[n++] = h * 3600 + m * 60 + sec;
        p = strchr(p, '\n');
        if (p == NULL)
            break;
    }
    return n;
}

/* Lines come from different moments: a connection's when it ended (it began long before), a
 * status line on the wall clock, a summary when its second is over. Each is stamped when it
 * became known and never before the line above it, so the times only go forward. */
static void lines_come_in_time_order(void **state)
{
    struct fixture *fx = *state;
    live_stream_tick(&fx->s, T0);
    struct conn_record r = syn(40000, 20, 6325, T0); /* began at T0, ended 5 s later */
    live_stream_conn(&fx->s, &r, T0 + 5000000u);
    live_stream_status(&fx->s, T0 + 7000000u, 10, 0, 0);
    r = syn(40001, 21, 6325, T0 + 1000000u); /* handed over late: after the status */
    live_stream_conn(&fx->s, &r, T0 + 6000000u);
    for (int i = 0; i < 5; i++) { /* a flood in the next second: summarised when it ends */
        r = syn((uint16_t)(40002 + i), 22, 6325, T0 + 8000000u);
        live_stream_conn(&fx->s, &r, T0 + 8000000u);
    }
    live_stream_status(&fx->s, T0 + 9000000u, 20, 0, 0);
    live_stream_tick(&fx->s, UINT64_MAX);
    char *text = drain_all(fx);
    int t[16], n = stamps(text, t, 16);
    assert_int_equal(n, 8); /* 2 + 3 attempts, 1 summary, 2 status lines */
    for (int i = 1; i < n; i++)
        assert_true(t[i] >= t[i - 1]);
    /* an attempt says when it began, and is stamped when it was known to have ended */
    assert_non_null(strstr(text, "22:13:25 attempt tcp 198.51.100.10:40000 -> "
                                 "203.0.113.20:6325: S0, history S (Double-Take; began "
                                 "22:13:20.000, frames 1-1)\n"));
    assert_non_null(strstr(text, "22:13:27 attempt tcp 198.51.100.10:40001 -> "));
    assert_non_null(strstr(text, "22:13:28 tcp 6325 198.51.100.10 -> 203.0.113.22: 2 more "
                                 "attempts this second\n22:13:29 status: 20 packets"));
    free(text);
}

static void a_reader_that_stops_reading_costs_lines_not_time(void **state)
{
    struct fixture *fx = *state;
    fcntl(fx->pipe[1], F_SETPIPE_SZ, 4096);
    for (int i = 0; i < 20000; i++) {
        live_out_printf(&fx->out, LIVE_OUT_HIGH, "line %d of a stream nobody reads yet\n", i);
        live_out_drain(&fx->out); /* must return at once: the pipe is full */
    }
    assert_true(fx->out.dropped > 0);
    assert_int_equal(fx->out.lines + fx->out.dropped, 20000);
    assert_false(fx->out.broken);
    /* The reader goes away: the stream breaks, the process lives on (SIGPIPE not raised on
     * the socket path; here it is ignored as fwsight live does). */
    signal(SIGPIPE, SIG_IGN);
    close(fx->pipe[0]);
    fx->pipe[0] = open("/dev/null", O_RDONLY);
    live_out_printf(&fx->out, LIVE_OUT_HIGH, "after the reader left\n");
    assert_false(live_out_finish(&fx->out));
    assert_true(fx->out.broken);
    signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(flood_on_one_cell_is_summarised, setup, teardown),
        cmocka_unit_test_setup_teardown(many_cells_stay_within_the_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(lines_come_in_time_order, setup, teardown),
        cmocka_unit_test_setup_teardown(a_reader_that_stops_reading_costs_lines_not_time, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
