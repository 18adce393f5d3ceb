/* ui/report_two.c: the text report of two captures of one test (fwsight analyze A B): both
 * change to make of both together (report_changes.c), then both captures with their capture
 * points, the clock offset between the two machines and how many attempts matched, then the verdicts of both together (matrix, blocked paths, untested) and
 * each capture's summary. When the captures could not be combined it says why and prints
 * each capture's own verdicts, labelled. Matching is correlate.c's, the JSON report_json.c's,
 * reading the files and the exit status the command's (app/). */
#include "report.h"

#include <inttypes.h>

#include "report_path.h"

static void two_capture_line(FILE *out, int i, const struct report_capture *cap,
                             const struct verdict_collector *vc)
{
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char words[FW_ADDRSTRLEN + 80];
    fprintf(out, "  Capture %d: %s (%" PRIu64 " packets)\n    %s%s\n", i + 1, cap->file,
            cap->packets, report_capture_point_text(cp, words, sizeof words),
            cp->known || cp->in_path ? "" : " (--local names the first capture's)");
}

static void two_offset(FILE *out, const struct correlate_result *r)
{
    if (!r->offset_known) {
        fputs("  Clock offset: unknown (no attempt seen in both captures)\n", out);
        return;
    }
    int64_t off = r->offset_us;
    uint64_t mag = off < 0 ? 0 - (uint64_t)off : (uint64_t)off; /* -INT64_MIN overflows */
    fprintf(out, "  Clock offset: %c%" PRIu64 ".%06" PRIu64 " s: ", off < 0 ? '-' : '+',
            mag / 1000000u, mag % 1000000u);
    if (off == 0)
        fputs("the two clocks agree", out);
    else
        fprintf(out, "capture 2's clock is %s capture 1's", off > 0 ? "ahead of" : "behind");
    fprintf(out, "\n    (median over %" PRIu32 " matched request%s; times below are each "
                 "capture's own)\n", r->offset_pairs, r->offset_pairs == 1 ? "" : "s");
}

void report_print_two_text(FILE *out, const struct report_two *t, const struct fw_config *cfg,
                           const struct report_answer *ans)
{
    const struct correlate_result *r = t->corr;
    bool all = ans != NULL && ans->all;
    if (t->combined != NULL) {
        report_print_changes(out, t->combined, cfg, ans);
    } else {
        for (int i = 0; i < 2; i++) {
            fprintf(out, "Capture %d alone (%s): ", i + 1, t->cap[i]->file);
            report_print_changes(out, t->vc[i], cfg, ans);
        }
    }
    fputs("Firewall verdicts (two captures)\n", out);
    for (int i = 0; i < 2; i++)
        two_capture_line(out, i, t->cap[i], t->vc[i]);
    two_offset(out, r);
    fprintf(out, "  Matched: %" PRIu32 " attempt%s seen in both captures, %" PRIu32 " only in "
                 "capture 1, %" PRIu32 " only in capture 2\n", r->matched,
            r->matched == 1 ? "" : "s", r->only[0], r->only[1]);
    if (r->same_host)
        fputs("  warning: both captures were taken on the same host: they cannot tell where a\n"
              "    request was lost (capture on the other server too)\n", out);
    if (t->combined != NULL) {
        fputs("    together they tell: whether a lost request never arrived, arrived and was "
              "not\n      answered, or was answered and the answer lost on the way back\n", out);
        if (r->unplaced > 0)
            fprintf(out, "    %" PRIu32 " attempts were between hosts neither capture was "
                         "taken on: one capture's view\n", r->unplaced);
        report_print_verdict_body(out, t->combined, cfg, all);
    } else {
        fprintf(out, "  The captures were not combined (%s):\n    each capture's own verdicts "
                     "follow.\n\n", r->same_host ? "same capture point"
                                                 : "no attempt matched: not the same test?");
        for (int i = 0; i < 2; i++) {
            fprintf(out, "Firewall verdicts, capture %d alone (%s)\n", i + 1, t->cap[i]->file);
            report_print_capture_point(out, t->vc[i]);
            report_print_verdict_body(out, t->vc[i], cfg, all);
        }
    }
    if (t->path != NULL)
        report_print_path_text(out, t->path);
    for (int i = 0; i < 2; i++)
        report_print_text(out, t->rep[i], t->cap[i], t->st[i], cfg, all);
}

bool report_two_blocking(const struct report_two *t)
{
    if (t->combined != NULL)
        return report_blocking(t->combined);
    return report_blocking(t->vc[0]) || report_blocking(t->vc[1]);
}
