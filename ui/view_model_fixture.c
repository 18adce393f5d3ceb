/* ui/view_model_fixture.c: the view model tests' shared fixture (view_model_fixture.h). The
 * analysis is real, not a hand-made verdict table: the screen is checked against what the
 * analyzer makes of a committed capture. Linked into the tests only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/cap_file.h"
#include "view_model_fixture.h"

static void demo_sink(void *ctx, const struct conn_record *r)
{
    attempt_ring_add(ctx, r);
}

int demo_setup(void **state)
{
    struct demo *d = calloc(1, sizeof *d);
    assert_non_null(d);
    fw_config_defaults(&d->cfg);
    assert_int_equal(cli_verdict_setup("analyze", &d->v, &d->cfg.verdict), 0);
    assert_int_equal(attempt_ring_init(&d->attempts, 0), 0);
    d->a = analyzer_new(&d->cfg, demo_sink, &d->attempts);
    assert_non_null(d->a);
    fixture_read(d->a, FW_SAMPLES_DIR "/demo/source.pcap.gz", 0);
    const struct analyzer_stats *st = analyzer_stats(d->a);
    d->answer = (struct report_answer){ .profile = d->v.prof, .profile_arg = d->v.profile,
                                        .rpc_range = d->v.rpc_range };
    d->in = (struct view_input){ .vc = analyzer_verdicts(d->a), .cfg = &d->cfg,
                                 .title = "analyze source.pcap.gz", .packets = st->frames,
                                 .elapsed_us = st->last_ts_us - st->first_ts_us,
                                 .attempts = &d->attempts, .profile = d->v.prof->name,
                                 .answer = &d->answer };
    d->scr = malloc(sizeof *d->scr);
    assert_non_null(d->scr);
    *state = d;
    return 0;
}

int demo_teardown(void **state)
{
    struct demo *d = *state;
    free(d->scr);
    analyzer_free(d->a);
    attempt_ring_fini(&d->attempts);
    cli_verdict_fini(&d->v);
    free(d);
    return 0;
}

void demo_build(struct demo *d, int w, int h)
{
    assert_int_equal(view_model_build(&d->in, &d->sel, w, h, d->scr), 0);
}

void fixture_read(struct analyzer *a, const char *path, int vantage)
{
    char err[FW_ERRLEN];
    struct frame f;
    struct cap_file *cf = cap_file_open(path, vantage, err);
    assert_non_null(cf);
    while (cap_file_next(cf, &f, err) == 1)
        analyzer_feed(a, &f);
    cap_file_close(cf);
    analyzer_finish(a);
}

int screen_find(const struct view_screen *s, const char *text)
{
    for (int y = 0; y < s->height; y++)
        if (strstr(s->line[y].text, text) != NULL)
            return y;
    return -1;
}

int screen_after_changes(const struct view_screen *s)
{
    int y = screen_find(s, " Change to make");
    if (y < 0)
        return -1;
    for (y++; y < s->height && strncmp(s->line[y].text, "   ", 3) == 0; y++)
        continue;
    return y;
}

void screen_trimmed(const struct view_line *l, char *buf, size_t len)
{
    snprintf(buf, len, "%s", l->text);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
}
