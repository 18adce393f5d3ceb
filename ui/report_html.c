/* ui/report_html.c: the page of `fwsight analyze --html FILE` (report_html.h): first the
 * change to make (report_html_changes.c: the text report's lines, and the verdicts behind
 * each device and direction), then per host pair the matrix of the profile's ports by
 * direction (rows untested both ways folded into one <details>), then each blocked path with
 * its ladder (report_svg.c), evidence and advice, what is no firewall's doing, and the
 * captures. Readable without script or network: inline CSS, inline SVG, a Content-Security-
 * Policy that forbids anything else should an escape ever be missed. Finding the packets is
 * cmd_analyze_html.c's; the words (who answered, the capture point, the advice) are the text
 * report's, from the functions it prints them with. */
#include "report_html.h"

#include <inttypes.h>

#include "report.h"
#include "report_html_int.h"

void report_html_text(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default:
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
                fputs("\xef\xbf\xbd", out); /* U+FFFD: no control character reaches the page */
            else
                fputc(*p, out);
        }
    }
}

void hx_addr(FILE *out, const struct fw_addr *a)
{
    char b[FW_ADDRSTRLEN];
    report_html_text(out, fw_addr_format(a, b, sizeof b));
}

static const char *hx_tone(enum verdict_kind k)
{
    static const char *const cls[] = { "good", "warn", "bad", "dim" };
    return cls[verdict_kind_tone(k)];
}

void hx_verdict(FILE *out, const struct verdict_item *it)
{
    const char *like = verdict_lookalike_name(it->lookalike);
    fprintf(out, "<span class=\"v %s\">%s</span>", hx_tone(it->v.kind), verdict_name(it->v.kind));
    if (it->inferred)
        fputs(" (inferred)", out);
    if (like != NULL)
        fprintf(out, " [%s]", like);
}

void hx_port(FILE *out, const struct verdict_item *it)
{
    if (it->proto == VERDICT_PROTO_ECHO)
        fputs("icmp echo", out);
    else
        fprintf(out, "%s %u", verdict_proto_name(it->proto), (unsigned)it->port);
}

/* "198.51.100.10 → 203.0.113.20 tcp 445 (Directory)": a path's name, in headings. */
static void hx_path(FILE *out, const struct verdict_item *it)
{
    hx_addr(out, &it->from);
    fputs(" &rarr; ", out);
    hx_addr(out, &it->to);
    fputc(' ', out);
    hx_port(out, it);
    fputs(" (", out);
    report_html_text(out, it->service);
    fputc(')', out);
}

static const char hx_style[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#1b1b1b;max-width:1000px;margin:1em auto;"
    "padding:0 1em}\n"
    "h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;border-bottom:1px solid #ccc;"
    "margin-top:1.6em}h3{font-size:1.05em;margin:1.2em 0 .4em}\n"
    "table{border-collapse:collapse;margin:.4em 0}td,th{border:1px solid #ccc;padding:2px 8px;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}\n"
    ".v{font-weight:bold}.bad{color:#b00020}.good{color:#0a6b2f}.warn{color:#8a5a00}"
    ".dim{color:#777}\n"
    ".change{border:2px solid #b00020;border-radius:6px;padding:.2em 1em .6em;margin:.8em 0}\n"
    ".ok{border:2px solid #0a6b2f;border-radius:6px;padding:.6em 1em}\n"
    ".path{border-top:1px dashed #bbb;margin-top:1em}.advice{background:#fff4e5;padding:.4em;"
    "border-left:4px solid #e69500}\n"
    "svg.ladder{display:block;max-width:100%;height:auto;margin:.4em 0}\n"
    "code,.mono{font-family:ui-monospace,monospace;font-size:.95em}\n"
    "footer{margin-top:2em;color:#777;font-size:.9em}\n";

static bool hx_same_pair(const struct verdict_item *x, const struct verdict_item *y)
{
    return (fw_addr_eq(&x->from, &y->from) && fw_addr_eq(&x->to, &y->to)) ||
           (fw_addr_eq(&x->from, &y->to) && fw_addr_eq(&x->to, &y->from));
}

void hx_answered(FILE *out, const struct verdict_item *it)
{
    char by[200];
    report_html_text(out, verdict_answered_text(it, by, sizeof by));
}

static void hx_item_text(FILE *out, const struct verdict_item *it)
{
    fprintf(out, "<p class=\"answered\">confidence %s, answered by ",
            verdict_conf_name(it->confidence));
    hx_answered(out, it);
    fputs("</p>\n<ul class=\"evidence\">\n", out);
    verdict_item_words(it);
    for (int e = 0; e < it->nevidence; e++) {
        fputs("<li>", out);
        report_html_text(out, it->evidence[e]);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n<p class=\"advice\">advice: ", out);
    report_html_text(out, it->advice);
    fputs("</p>\n", out);
}

/* pathno numbers the paths across the page's sets of verdicts: their ids stay unique. */
static void hx_paths(FILE *out, const struct html_input *in, const struct html_verdicts *set,
                     size_t *pathno)
{
    const struct verdict_collector *vc = set->vc;
    size_t other = 0, total = 0;
    fputs("<h2>The blocked paths, and the packets that prove it</h2>\n", out);
    if (in->no_packets != NULL && set->nladders > 0) {
        fputs("<p>", out);
        report_html_text(out, in->no_packets);
        fputs("</p>\n", out);
    }
    for (size_t i = 0; i < set->nladders; i++) {
        const struct html_ladder *l = &set->ladders[i];
        fprintf(out, "<section class=\"path\" id=\"path-%zu\">\n<h3>", ++*pathno);
        hx_path(out, l->it);
        fputs(": ", out);
        hx_verdict(out, l->it);
        fputs("</h3>\n", out);
        report_svg_ladder(out, in, l);
        if (l->more > 0)
            fprintf(out, "<p>%" PRIu64 " more packet%s of this path not drawn (the first "
                         "attempts are)</p>\n", l->more, l->more == 1 ? "" : "s");
        hx_item_text(out, l->it);
        fputs("</section>\n", out);
    }
    for (size_t i = 0; i < verdict_count(vc); i++)
        total += verdict_item_blocking(verdict_at(vc, i));
    if (total > set->nladders)
        fprintf(out, "<p>&hellip; %zu more blocked paths (--json lists them all)</p>\n",
                total - set->nladders);
    if (total == 0)
        fputs("<p>None.</p>\n", out);
    /* Listed by the text report too: refused by the host, look-alikes, too soon to tell. */
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (verdict_item_blocking(it) || it->v.kind == VERDICT_UNTESTED ||
            (it->v.kind == VERDICT_OPEN && it->lookalike == LOOKALIKE_NONE))
            continue;
        if (other++ == 0)
            fputs("<h2>Not a firewall&#39;s doing</h2>\n", out);
        fputs("<section class=\"other\">\n<h3>", out);
        hx_path(out, it);
        fputs(": ", out);
        hx_verdict(out, it);
        fputs("</h3>\n", out);
        hx_item_text(out, it);
        fputs("</section>\n", out);
    }
}

static void hx_verdict_set(FILE *out, const struct html_input *in, const struct html_verdicts *set,
                           int level, size_t *pathno)
{
    const struct verdict_collector *vc = set->vc;
    char why[400];
    if (set->title != NULL) {
        fprintf(out, "<h%d>", level);
        report_html_text(out, set->title);
        fprintf(out, "</h%d>\n", level);
    }
    if (report_verdicts_incomplete(vc, "the verdicts below", why, sizeof why)) {
        fputs("<p class=\"warn\">warning: ", out);
        report_html_text(out, why);
        fputs("</p>\n", out);
    }
    const char *sfx = set == &in->set[1] ? "-2" : ""; /* ids stay unique with two sets */
    fprintf(out, "<section id=\"summary%s\">\n<h2>The change to make</h2>\n", sfx);
    report_html_changes(out, vc, in->cfg, in->ans);
    fprintf(out, "</section>\n<section id=\"matrix%s\">\n<h2>Verdicts by port and "
                 "direction</h2>\n", sfx);
    size_t n = verdict_count(vc);
    if (n == 0)
        fputs("<p>No attempt on any port was seen, and no host pair was named (--source, "
              "--target).</p>\n", out);
    for (size_t i = 0, end; i < n; i = end) {
        for (end = i + 1; end < n && hx_same_pair(verdict_at(vc, i), verdict_at(vc, end)); end++)
            ;
        report_html_matrix(out, vc, i, end, in->cfg);
    }
    fprintf(out, "</section>\n<section id=\"paths%s\">\n", sfx);
    hx_paths(out, in, set, pathno);
    fputs("</section>\n", out);
}

static void hx_capture_point(FILE *out, const struct verdict_capture_point *cp)
{
    char words[FW_ADDRSTRLEN + 80];
    report_html_text(out, report_capture_point_text(cp, words, sizeof words));
}

static void hx_captures(FILE *out, const struct html_input *in)
{
    fputs("<section id=\"captures\">\n<h2>Captures</h2>\n<ul>\n", out);
    for (int k = 0; k < in->ncap; k++) {
        fprintf(out, "<li>Capture %d: <span class=\"mono\">", k + 1);
        report_html_text(out, in->file[k]);
        fprintf(out, "</span> (%" PRIu64 " packets), ", in->packets[k]);
        hx_capture_point(out, in->cp[k]);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
    const struct correlate_result *r = in->corr;
    if (in->ncap == 2 && r != NULL) {
        if (r->offset_known) {
            int64_t off = r->offset_us;
            uint64_t mag = off < 0 ? 0 - (uint64_t)off : (uint64_t)off;
            fprintf(out, "<p>Clock offset: %c%" PRIu64 ".%06" PRIu64 " s (capture 2 minus "
                         "capture 1, median over %" PRIu32 " matched requests); the ladders "
                         "show capture 2&#39;s packets on capture 1&#39;s clock.</p>\n",
                    off < 0 ? '-' : '+', mag / 1000000u, mag % 1000000u, r->offset_pairs);
        } else {
            fputs("<p>Clock offset: unknown (no attempt seen in both captures).</p>\n", out);
        }
        fprintf(out, "<p>Matched: %" PRIu32 " attempts seen in both captures, %" PRIu32
                     " only in capture 1, %" PRIu32 " only in capture 2.</p>\n",
                r->matched, r->only[0], r->only[1]);
    }
    if (in->ncap == 1) {
        const struct verdict_capture_point *cp = in->cp[0];
        if (cp->how[0] && !cp->from_config) {
            fputs("<p>Why: ", out);
            report_html_text(out, cp->how);
            fputs("</p>\n", out);
        }
        if (cp->can_tell[0]) {
            fputs("<p>It can tell: ", out);
            report_html_text(out, cp->can_tell);
            fputs("</p>\n", out);
        }
        if (cp->cannot_tell[0]) {
            fputs("<p>It cannot tell: ", out);
            report_html_text(out, cp->cannot_tell);
            fputs("</p>\n", out);
        }
    }
    fputs("</section>\n", out);
}

void report_html_print(FILE *out, const struct html_input *in)
{
    size_t pathno = 0;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>fwsight: ", out);
    report_html_text(out, in->file[0]);
    if (in->ncap == 2) {
        fputs(" + ", out);
        report_html_text(out, in->file[1]);
    }
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Firewall verdicts%s</h1>\n",
            hx_style, in->ncap == 2 ? " (two captures)" : "");
    for (int k = 0; k < in->ncap; k++) {
        fputs(k == 0 ? "<p class=\"mono\">" : "<br>", out);
        report_html_text(out, in->file[k]);
        fputs(": ", out);
        hx_capture_point(out, in->cp[k]);
    }
    fputs("</p>\n", out);
    for (int s = 0; s < 2; s++)
        if (in->set[s].vc != NULL)
            hx_verdict_set(out, in, &in->set[s], 2, &pathno);
    hx_captures(out, in);
    fputs("<footer>Written by fwsight analyze --html: the verdicts, the advice and the frame "
          "numbers are those of the text report and the JSON.</footer>\n</body>\n</html>\n",
          out);
}
