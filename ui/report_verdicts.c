/* ui/report_verdicts.c: the firewall verdicts part of the text report, printed above the
 * capture summary, after the change to make (report_changes.c, which also folds what is still
 * untested into the test to run): where the capture was taken and what that lets it tell; per
 * host pair a matrix of the profile's services and ports (then other ports) by direction, its
 * hosts named source and target when the roles are known; the blocked paths with their
 * evidence and advice; the matrices are report_matrix.c's. Long tables end in a line of
 * counts; --all prints them whole. It only reads the settled verdicts (analyzer_verdicts());
 * the order is the collector's, so every run prints the same bytes. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define RV_BLOCKED_SHOWN 40 /* --all and the JSON list every verdict */

bool report_verdict_blocking(const struct verdict_item *it)
{
    return verdict_item_blocking(it);
}

bool report_blocking(const struct verdict_collector *vc)
{
    for (size_t i = 0; i < verdict_count(vc); i++)
        if (report_verdict_blocking(verdict_at(vc, i)))
            return true;
    return false;
}

void report_port_text(const struct verdict_item *it, char *buf, size_t len)
{
    if (it->proto == VERDICT_PROTO_ECHO)
        snprintf(buf, len, "echo");
    else
        snprintf(buf, len, "%u", (unsigned)it->port);
}

const char *report_capture_point_text(const struct verdict_capture_point *cp, char *buf,
                                      size_t len)
{
    char h[FW_ADDRSTRLEN];
    if (cp->known)
        snprintf(buf, len, "captured on %s (%s, confidence %s)",
                 fw_addr_format(&cp->addr, h, sizeof h), cp->from_config ? "--local" : "inferred",
                 verdict_conf_name(cp->confidence));
    else if (cp->in_path)
        snprintf(buf, len, "captured on the path between the hosts (in-path)");
    else
        snprintf(buf, len, "capture point unknown");
    return buf;
}

static void rv_capture_point(FILE *out, const struct verdict_collector *vc)
{
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char h[FW_ADDRSTRLEN];
    if (cp->in_path) {
        report_wrapped(out, "  Capture point: in-path:", cp->how, 6);
    } else if (!cp->known) {
        report_wrapped(out, "  Capture point: unknown:", cp->how[0] ? cp->how : "no host found", 6);
    } else {
        fprintf(out, "  Capture point: %s (%s, confidence %s)\n",
                fw_addr_format(&cp->addr, h, sizeof h),
                cp->from_config ? "--local" : "inferred", verdict_conf_name(cp->confidence));
        if (!cp->from_config && cp->how[0])
            report_wrapped(out, "    why:", cp->how, 6);
    }
    if (cp->can_tell[0])
        report_wrapped(out, "    it can tell:", cp->can_tell, 6);
    if (cp->cannot_tell[0])
        report_wrapped(out, "    it cannot tell:", cp->cannot_tell, 6);
}

/* Items [first, end) share one host pair; A is the lower address (the collector's order). */
/* The matrix column is narrow: "RPC dynamic (LSA, learned from the endpoint mapper at packet
 * 26)" shows as "RPC dynamic (LSA)"; the blocked items below give the whole name. */
void report_verdict_counts(FILE *out, const size_t count[VERDICT_KIND_COUNT])
{
    bool first = true;
    for (int k = 0; k < VERDICT_KIND_COUNT; k++)
        if (count[k] > 0) {
            fprintf(out, "%s%zu %s", first ? "" : ", ", count[k],
                    verdict_name((enum verdict_kind)k));
            first = false;
        }
}

/* Listed with its evidence: everything but plain OPEN and UNTESTED (an OPEN path with a
 * look-alike is listed: it explains a delay or a failure that is no firewall's). */
static bool rv_listed(const struct verdict_item *it)
{
    return it->v.kind != VERDICT_UNTESTED &&
           (it->v.kind != VERDICT_OPEN || it->lookalike != LOOKALIKE_NONE);
}

static void rv_item(FILE *out, const struct verdict_item *it)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], by[160], port[8];
    report_port_text(it, port, sizeof port);
    const char *like = verdict_lookalike_name(it->lookalike);
    fprintf(out, "\n  %s -> %s %s %s (%s): %s%s%s%s%s\n",
            fw_addr_format(&it->from, from, sizeof from), fw_addr_format(&it->to, to, sizeof to),
            verdict_proto_name(it->proto), port, it->service, verdict_name(it->v.kind),
            it->inferred ? " (inferred)" : "", like != NULL ? " [" : "", like != NULL ? like : "",
            like != NULL ? "]" : "");
    fprintf(out, "    confidence %s, answered by %s\n", verdict_conf_name(it->confidence),
            verdict_answered_text(it, by, sizeof by));
    /* One capture on the path: which side of it (a host's sees only what is beyond it). */
    if (it->owner != NULL && verdict_capture_point(it->owner)->in_path) {
        if (it->where == WHERE_AFTER)
            fprintf(out, "    where: beyond this capture point: the requests passed it (lost or "
                         "refused farther on,\n      or the answers lost before they got back "
                         "here)\n");
        else if (it->where == WHERE_BEFORE)
            fprintf(out, "    where: between this capture point and %s: the answers passed it "
                         "and %s kept asking\n", from, from);
        else if (it->where == WHERE_AT)
            fprintf(out, "    where: at the router this capture spans: the requests went in "
                         "and never out\n");
    }
    verdict_item_words(it);
    for (int e = 0; e < it->nevidence; e++)
        report_wrapped(out, "    -", it->evidence[e], 6);
    report_wrapped(out, "    advice:", it->advice, 6);
}

void report_print_verdicts(FILE *out, const struct verdict_collector *vc,
                           const struct fw_config *cfg, const struct report_answer *ans)
{
    report_print_changes(out, vc, cfg, ans);
    fputs("Firewall verdicts\n", out);
    rv_capture_point(out, vc);
    report_print_verdict_body(out, vc, cfg, ans != NULL && ans->all);
}

void report_print_capture_point(FILE *out, const struct verdict_collector *vc)
{
    rv_capture_point(out, vc);
}

bool report_verdicts_incomplete(const struct verdict_collector *vc, const char *which,
                                char *buf, size_t len)
{
    uint64_t lost = verdict_cells_overflow(vc), evicted = verdict_cells_evicted(vc);
    if (lost > 0 && evicted == 0)
        snprintf(buf, len, "%llu attempts were not kept (too many ports and hosts): %s are "
                 "incomplete (raise --max-verdicts)", (unsigned long long)lost, which);
    else if (evicted > 0)
        snprintf(buf, len, "%llu attempts were not kept and %llu OPEN verdicts on ports "
                 "outside the profile (%llu attempts) were evicted (too many ports and "
                 "hosts): %s are incomplete (raise --max-verdicts)", (unsigned long long)lost,
                 (unsigned long long)evicted,
                 (unsigned long long)verdict_cells_evicted_attempts(vc), which);
    else
        return false;
    return true;
}

void report_print_verdict_body(FILE *out, const struct verdict_collector *vc,
                               const struct fw_config *cfg, bool all)
{
    size_t n = verdict_count(vc);
    char why[400];
    if (report_verdicts_incomplete(vc, "the verdicts below", why, sizeof why))
        fprintf(out, "  warning: %s\n", why);
    if (n == 0) {
        fputs("\n  No attempt on any port was seen, and no host pair was named (--source, "
              "--target).\n\n", out);
        return;
    }
    report_print_matrices(out, vc, cfg, all);

    size_t shown = 0, blocked = 0, other = 0, closed = 0;
    size_t hidden[VERDICT_KIND_COUNT] = { 0 };
    for (size_t i = 0; i < n; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (report_verdict_blocking(it))
            blocked++;
        else if (rv_listed(it))
            other++;
        if (!report_verdict_blocking(it) && it->v.kind == VERDICT_CLOSED &&
            it->lookalike == LOOKALIKE_NONE)
            closed++;
    }
    /* "closed (nothing listening)" while that is all there is; look-alikes are named. */
    const char *others = closed == other ? "closed (nothing listening)"
                                         : "not a firewall's doing (closed, look-alikes, too "
                                           "soon to tell)";
    if (blocked + other > 0)
        fprintf(out, "\n  %s\n", blocked == 0   ? (closed == other ? "Closed" : "Not blocked")
                                 : other == 0   ? "Blocked"
                                 : closed == other ? "Blocked or closed"
                                                   : "Blocked, and what is not a firewall's doing");
    for (size_t i = 0; i < n; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (!rv_listed(it))
            continue;
        if (all || shown < RV_BLOCKED_SHOWN)
            rv_item(out, it);
        else
            hidden[it->v.kind]++;
        shown++;
    }
    if (!all && shown > RV_BLOCKED_SHOWN) {
        fprintf(out, "\n  ... %zu more paths: ", shown - RV_BLOCKED_SHOWN);
        report_verdict_counts(out, hidden);
        fputs(" (--all shows their evidence)\n", out);
    }
    if (shown == 0)
        fputs("\n  Nothing blocked: every attempt seen was answered.\n", out);
    else if (blocked == 0)
        fprintf(out, "\n  Nothing blocked by a firewall; %zu %s\n", other, others);
    else
        fprintf(out, "\n  %zu blocked by a firewall, %zu %s\n", blocked, other, others);
    fputc('\n', out);
}
