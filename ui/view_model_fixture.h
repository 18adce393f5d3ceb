/* ui/view_model_fixture.h: what the view model's tests share. The demo capture analysed as
 * `fwsight analyze --ui samples/demo/source.pcap.gz` does it (the double-take profile, the
 * attempts kept by the sink), ready to build screens from; reading a capture into an analyzer;
 * finding text on a built screen. Each test keeps its own keys, clicks and checks. */
#ifndef FW_VIEW_MODEL_FIXTURE_H
#define FW_VIEW_MODEL_FIXTURE_H

#include <stddef.h>

#include "analyze/profile.h"
#include "attempt_ring.h"
#include "app/cli.h"
#include "report.h"
#include "view_model.h"

struct demo {
    struct cli_verdict v;
    struct fw_config cfg;
    struct analyzer *a;
    struct attempt_ring attempts; /* filled by the sink, as cmd_analyze.c does with --ui */
    struct report_answer answer;  /* the profile, as cmd_analyze.c hands it to the view */
    struct view_input in;
    struct view_sel sel;
    struct view_screen *scr;
};

/* cmocka setup and teardown: *state is a struct demo, the source capture analysed. */
int demo_setup(void **state);
int demo_teardown(void **state);

/* The screen of d->in and d->sel at w x h, into d->scr; a failed build fails the test. */
void demo_build(struct demo *d, int w, int h);

/* Every frame of the capture at path (as capture point vantage) fed to a, then finished. */
void fixture_read(struct analyzer *a, const char *path, int vantage);

/* The first line holding text, or -1. */
int screen_find(const struct view_screen *s, const char *text);

/* The first line under the change to make (the heading "Change to make" and the lines
 * indented under it): the host pair's. -1 without the heading. */
int screen_after_changes(const struct view_screen *s);

/* Line l's text without the spaces that pad it to the width, into buf. */
void screen_trimmed(const struct view_line *l, char *buf, size_t len);

#endif
