/* ui/view_model_header.c: the header lines of the view: the title bar (what is shown, the
 * profile, the counters) and, when the run printed a message while the view was up, the
 * newest one; then, over the matrix (below the change to make), the host pair with the capture
 * point, and for two captures a line of their own: where each was taken and the clock offset
 * between them, as the report says it. What does not fit the width goes in a set order, the
 * least useful first (full paths before base names, then the elapsed time, the program's
 * name, the details of a capture point), so that 80 columns keep what matters and wider
 * terminals show it all. */
#include "view_model_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *view_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

const char *view_short_path(const char *path, const char *other)
{
    const char *base = view_base(path);
    if (other == NULL || base == path || strcmp(base, view_base(other)) != 0)
        return base;
    const char *p = base - 1; /* the last '/': back to the one before it, if any */
    while (p > path && p[-1] != '/')
        p--;
    return p;
}

/* Writes the first of n texts that fits in the width from col, or the last one clipped.
 * Returns the column after it. */
static int view_put_first(struct view_line *l, int width, int col, const char *const *text,
                          int n)
{
    int k = 0;
    while (k + 1 < n && col + (int)strlen(text[k]) > width)
        k++;
    return view_put(l, width, col, text[k]);
}

/* A title bar as one of its forms: the title or the short one, with or without the program's
 * name, the profile and the elapsed time. Returns how wide it is. */
struct view_title_form {
    bool whole_title, name, profile, elapsed;
};

static int view_title_text(const struct view_input *in, const struct view_sel *sel,
                           struct view_title_form f, char *left, size_t llen, char *right,
                           size_t rlen)
{
    const char *title = in->title != NULL ? in->title : "";
    if (!f.whole_title && in->short_title != NULL)
        title = in->short_title;
    snprintf(left, llen, " %s%s%s%.60s", f.name ? "fwsight  " : "", title,
             f.profile && in->profile != NULL ? "  profile " : "",
             f.profile && in->profile != NULL ? in->profile : "");
    int len = snprintf(right, rlen, "%spackets %llu", sel->paused ? "[PAUSED]  " : "",
                       (unsigned long long)in->packets);
    if (in->has_drops)
        len += snprintf(right + len, rlen - (size_t)len, "  kernel drops %llu",
                        (unsigned long long)in->kernel_drops);
    uint64_t s = in->elapsed_us / 1000000u;
    if (f.elapsed)
        snprintf(right + len, rlen - (size_t)len, "  elapsed %llu:%02u:%02u ",
                 (unsigned long long)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
    else
        snprintf(right + len, rlen - (size_t)len, " ");
    return (int)strlen(left) + 2 + (int)strlen(right);
}

static void view_title(const struct view_input *in, const struct view_sel *sel,
                       struct view_screen *out)
{
    static const struct view_title_form forms[] = {
        { true, true, true, true },    /* everything */
        { false, true, true, true },   /* base names instead of the paths */
        { false, true, true, false },  /* no elapsed time */
        { false, false, true, false }, /* no "fwsight" */
        { false, false, false, false },
    };
    const int nforms = (int)(sizeof forms / sizeof forms[0]);
    struct view_line *l = &out->line[0];
    char left[VIEW_MAX_WIDTH + 1], right[160];
    for (int k = 0; k < nforms; k++)
        if (view_title_text(in, sel, forms[k], left, sizeof left, right, sizeof right) <=
                out->width ||
            k + 1 == nforms)
            break;
    view_put(l, out->width, 0, left);
    int rcol = out->width - (int)strlen(right), lcol = (int)strlen(left);
    view_put(l, out->width, rcol > lcol + 1 ? rcol : lcol + 2, right);
    l->attr = VIEW_A_REVERSE | VIEW_A_BOLD;
}

/* "198.51.100.10 (inferred, high)", or the address alone. */
static void view_point_text(const struct verdict_capture_point *cp, bool details, char *buf,
                            size_t len)
{
    char h[FW_ADDRSTRLEN];
    if (cp != NULL && cp->in_path)
        snprintf(buf, len, "in-path");
    else if (cp == NULL || !cp->known)
        snprintf(buf, len, "(unknown)");
    else if (details)
        snprintf(buf, len, "%s (%s, %s)", fw_addr_format(&cp->addr, h, sizeof h),
                 cp->from_config ? "--local" : "inferred", verdict_conf_name(cp->confidence));
    else
        snprintf(buf, len, "%s", fw_addr_format(&cp->addr, h, sizeof h));
}

/* Two captures, after the pair: how their attempts matched, or why they were not combined
 * (the matrix is then the first capture's). */
static void view_two_summary(const struct view_two *two, struct view_line *l, int width,
                             int col)
{
    const struct correlate_result *r = two->corr;
    char whole[160], brief[80];
    if (two->combined) {
        snprintf(whole, sizeof whole, "attempts seen in both captures %" PRIu32 ", in 1 only %"
                 PRIu32 ", in 2 only %" PRIu32, r->matched, r->only[0], r->only[1]);
        snprintf(brief, sizeof brief, "%" PRIu32 " attempts seen in both", r->matched);
    } else {
        snprintf(whole, sizeof whole, "captures not combined (%s): capture 1's verdicts",
                 r->same_host ? "same capture point" : "no attempt matched");
        snprintf(brief, sizeof brief, "not combined: capture 1's verdicts");
    }
    const char *const text[] = { whole, brief };
    view_put_first(l, width, col, text, 2);
}

/* Two captures: " captures: 1 at 198.51.100.10, 2 at 203.0.113.20   clock offset +0.000007 s",
 * with the capture points' details and the offset's meaning where there is room. */
static void view_captures_line(const struct view_two *two, struct view_line *l, int width)
{
    const struct correlate_result *r = two->corr;
    char p[2][2][FW_ADDRSTRLEN + 32], off[40], meaning[64], text[4][400];
    for (int v = 0; v < 2; v++)
        for (int d = 0; d < 2; d++)
            view_point_text(two->cp[v], d == 1, p[v][d], sizeof p[v][d]);
    uint64_t mag = r->offset_us < 0 ? 0 - (uint64_t)r->offset_us : (uint64_t)r->offset_us;
    if (r->offset_known)
        snprintf(off, sizeof off, "clock offset %c%" PRIu64 ".%06" PRIu64 " s",
                 r->offset_us < 0 ? '-' : '+', mag / 1000000u, mag % 1000000u);
    else
        snprintf(off, sizeof off, "clock offset unknown");
    snprintf(meaning, sizeof meaning, "%s", !r->offset_known ? ""
             : r->offset_us == 0 ? " (the clocks agree)"
             : r->offset_us > 0 ? " (2's clock ahead of 1's)" : " (2's clock behind 1's)");
    snprintf(text[0], sizeof text[0], " captures: 1 at %s, 2 at %s   %s%s", p[0][1], p[1][1],
             off, meaning);
    snprintf(text[1], sizeof text[1], " captures: 1 at %s, 2 at %s   %s", p[0][1], p[1][1], off);
    snprintf(text[2], sizeof text[2], " captures: 1 at %s, 2 at %s   %s", p[0][0], p[1][0], off);
    snprintf(text[3], sizeof text[3], " captures: 1 at %s, 2 at %s", p[0][0], p[1][0]);
    const char *const t[] = { text[0], text[1], text[2], text[3] };
    view_put_first(l, width, 0, t, 4);
}

/* The pair first: at 80 columns the capture point is what gets clipped. */
static void view_pair_line(const struct view_input *in, const struct view_pair *pair,
                           bool has_pair, struct view_line *l, int width)
{
    const struct verdict_capture_point *cp = in->vc != NULL ? verdict_capture_point(in->vc) : NULL;
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], t[400];
    int col = 1;
    if (has_pair) {
        snprintf(t, sizeof t, "A = %s  B = %s   ", fw_addr_format(&pair->a, a, sizeof a),
                 fw_addr_format(&pair->b, b, sizeof b));
        col = view_put(l, width, col, t);
    }
    if (in->two != NULL) {
        view_two_summary(in->two, l, width, col);
        return;
    }
    char point[FW_ADDRSTRLEN + 32];
    view_point_text(cp, true, point, sizeof point);
    if (cp != NULL && (cp->known || cp->in_path))
        snprintf(t, sizeof t, "capture: %s", point);
    else
        snprintf(t, sizeof t, "capture point unknown");
    view_put(l, width, col, t);
}

/* The newest message with how many came before it (all are printed when the view closes).
 * Bold in the warning colour: messages are rare, and each is something the user must know. */
static void view_message_line(const struct view_input *in, struct view_line *l, int width)
{
    char t[VIEW_MAX_WIDTH + 1];
    if (in->nmessages > 1)
        snprintf(t, sizeof t, " (+%zu earlier) %s", in->nmessages - 1, in->message);
    else
        snprintf(t, sizeof t, " %s", in->message);
    view_put(l, width, 0, t);
    l->attr = VIEW_A_BOLD | VIEW_A_WARN;
}

int view_header(const struct view_input *in, const struct view_sel *sel,
                struct view_screen *out)
{
    int n = 1;
    view_title(in, sel, out);
    if (in->nmessages > 0 && in->message != NULL)
        view_message_line(in, &out->line[n++], out->width);
    return n;
}

int view_pair_head(const struct view_input *in, const struct view_pair *pair, bool has_pair,
                   int y, struct view_screen *out)
{
    int n = 1;
    view_pair_line(in, pair, has_pair, &out->line[y], out->width);
    if (in->two != NULL)
        view_captures_line(in->two, &out->line[y + n++], out->width);
    return n;
}
