/* ui/report_html_changes.c: the page's "The change to make" (report_html.h): the lines of the
 * text report's "Change to make", as report_changes_lines() words them, made into HTML, each
 * line one element of class "cl" so that a reader (or a test) finds the report's lines in
 * the report's order; under each device and direction, a table of the verdicts behind its
 * rules (port, service, verdict, confidence, who answered, advice). What is grouped with what
 * is analyze/changes.c's, the words report_changes.c's: nothing is derived here. The rest of
 * the page is report_html.c's. */
#include "analyze/changes.h"
#include "report.h"
#include "report_html.h"
#include "report_html_int.h"

/* What the previous lines left open: the closing tags of a list, and the group whose table
 * follows its rules. */
struct hc_state {
    FILE *out;
    const char *close;
    const struct change_group *group;
};

/* The verdicts behind a group's rules, rule by rule. */
static void hc_table(FILE *out, const struct change_group *g)
{
    fputs("<table><tr><th>port</th><th>service</th><th>verdict</th><th>confidence</th>"
          "<th>answered by</th><th>advice</th></tr>\n", out);
    for (size_t r = 0; r < g->nrules; r++)
        for (size_t i = 0; i < g->rules[r].nitems; i++) {
            const struct verdict_item *it = g->rules[r].items[i];
            fputs("<tr><td class=\"mono\">", out);
            hx_port(out, it);
            fputs("</td><td>", out);
            report_html_text(out, it->service);
            fputs("</td><td>", out);
            hx_verdict(out, it);
            fprintf(out, "</td><td>%s</td><td>", verdict_conf_name(it->confidence));
            hx_answered(out, it);
            fputs("</td><td>", out);
            verdict_item_words(it);
            report_html_text(out, it->advice);
            fputs("</td></tr>\n", out);
        }
    fputs("</table>\n", out);
}

static void hc_close(struct hc_state *s)
{
    if (s->close != NULL)
        fputs(s->close, s->out);
    if (s->group != NULL) {
        hc_table(s->out, s->group);
        fputs("</div>\n", s->out);
    }
    s->close = NULL;
    s->group = NULL;
}

/* The line's label, if its lead has one ("Dynamic RPC:"), then its text. */
static void hc_text(FILE *out, const struct report_change_line *l)
{
    const char *lead = l->lead;
    while (*lead == ' ')
        lead++;
    if (*lead != '\0') {
        report_html_text(out, lead);
        fputc(' ', out);
    }
    report_html_text(out, l->text);
}

/* Each kind of line as an element: its opening and closing markup, and what it leaves open
 * for the lines that belong to it (a group's rules, the look-alikes listed, an untested
 * direction's command), closed by the next line that does not. */
static const struct {
    const char *open, *close, *stays;
    bool belongs; /* to the line before: nothing is closed before it */
} hc_markup[] = {
    [RCL_NONE] = { "<p class=\"cl ok\">", "</p>\n", NULL, false },
    [RCL_GROUP] = { "<div class=\"change\">\n<h3 class=\"cl\">", "</h3>\n<ul>\n", "</ul>\n",
                    false },
    [RCL_RULE] = { "<li class=\"cl\">", "</li>\n", NULL, true },
    [RCL_RPC] = { "<p class=\"cl advice\">", "</p>\n", NULL, false },
    [RCL_NOT_RULES] = { "<p class=\"cl\">", "</p>\n<ul>\n", "</ul>\n", false },
    [RCL_NOT_RULE] = { "<li class=\"cl advice\">", "</li>\n", NULL, true },
    [RCL_LOOKALIKES] = { "<p class=\"cl\">", "</p>\n<ul class=\"mono\">\n", "</ul>\n", false },
    [RCL_LOOKALIKE] = { "<li class=\"cl\">", "</li>\n", NULL, true },
    [RCL_TEST] = { "<p class=\"test\"><span class=\"cl\">", "</span><br>\n", "</p>\n", false },
    [RCL_COMMAND] = { "<code class=\"cl\">", "</code>", NULL, true },
    [RCL_MORE] = { "<p class=\"cl\">", "</p>\n", NULL, false },
    [RCL_HINT] = { "<p class=\"cl dim\">", "</p>\n", NULL, false },
    [RCL_END] = { NULL, NULL, NULL, false },
};

static void hc_line(void *ctx, const struct report_change_line *l)
{
    struct hc_state *s = ctx;
    if (!hc_markup[l->kind].belongs)
        hc_close(s);
    if (hc_markup[l->kind].open == NULL)
        return; /* the end */
    fputs(hc_markup[l->kind].open, s->out);
    hc_text(s->out, l);
    fputs(hc_markup[l->kind].close, s->out);
    if (hc_markup[l->kind].stays != NULL) {
        s->close = hc_markup[l->kind].stays;
        s->group = l->group; /* NULL but for a group, whose table follows its rules */
    }
}

void report_html_changes(FILE *out, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans)
{
    struct hc_state s = { out, NULL, NULL };
    if (report_changes_lines(vc, cfg, ans, hc_line, &s) != 0)
        fputs("<p>(out of memory: see the verdicts below)</p>\n", out);
}
