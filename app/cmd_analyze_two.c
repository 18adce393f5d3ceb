/* app/cmd_analyze_two.c: the two-capture path of `fwsight analyze A B`: both servers' captures
 * of one test, each read by its own analyzer, then matched despite the clock offset
 * (analyze/correlate) into combined verdicts, and the merged attempts for the view. Reading
 * one capture, the report and the view are cmd_analyze.c's. */
#include <stdint.h>

#include "analyze/analyzer.h"
#include "cmd_analyze_int.h"
#include "ui/attempt_ring.h"
#include "ui/msg.h"

/* Attempts kept per capture for matching two captures: a test's attempts fit many times
 * over; a busy server's capture is cut there, and what was not kept is counted. */
#define ANALYZE_KEEP_ATTEMPTS 200000u

/* Two captures: match them and settle the combined verdicts into *out (NULL when they could
 * not be combined; then each capture's own verdicts stand). */
static int analyze_correlate(struct analyze_run run[2], const struct fw_config *cfg,
                             struct verdict_collector **out, struct correlate_result *res)
{
    struct correlate_side side[2];
    for (int i = 0; i < 2; i++) {
        const struct verdict_collector *vc = analyzer_verdicts(run[i].s.a);
        const struct verdict_capture_point *cp = verdict_capture_point(vc);
        side[i] = (struct correlate_side){ verdict_seen_at(vc, 0), verdict_seen_count(vc), {0},
                                           {0}, analyzer_stats(run[i].s.a)->last_ts_us };
        if (cp->known) {
            side[i].host = cp->addr;
            side[i].host2 = cp->other;
        }
        if (verdict_seen_overflow(vc) > 0)
            msg_printf("fwsight: warning: %s: %llu attempts beyond the first %u were not "
                       "matched with the other capture\n", run[i].s.cap.file,
                    (unsigned long long)verdict_seen_overflow(vc), ANALYZE_KEEP_ATTEMPTS);
    }
    struct verdict_config vcfg = cfg->verdict;
    vcfg.local = (struct fw_addr){0};
    vcfg.keep_attempts = 0;
    vcfg.combined = true;
    /* Dynamic RPC ports learned from the endpoint mapper: its answer crosses both capture
     * points when it passed at all, so the first capture's table names them. */
    vcfg.rpc = analyzer_rpc_ports(run[0].s.a);
    vcfg.clues[0] = analyzer_path_clues(run[0].s.a); /* who refused: each attempt's capture */
    vcfg.clues[1] = analyzer_path_clues(run[1].s.a);
    *out = verdict_collector_new(&vcfg);
    /* Packets either capture lost (its pcapng statistics) may hide a combined answer too. */
    uint64_t drops = 0;
    for (int i = 0; i < 2; i++)
        drops = report_capture_drops(drops, report_capture_drops(run[i].s.cap.kernel_drops,
                                                                 run[i].s.cap.if_drops));
    if (*out != NULL)
        verdict_collector_set_capture_drops(*out, drops);
    if (*out == NULL || correlate_run(&side[0], &side[1], *out, res) != 0 ||
        verdict_collector_settle(*out) != 0)
        return -1;
    if (res->same_host || res->matched == 0) {
        verdict_collector_free(*out);
        *out = NULL;
    }
    return 0;
}

/* One capture after the other, each by its own analyzer: memory stays bounded. --local
 * names the first capture's host; the second's is inferred. */
int analyze_two_read(struct analyze_opts *o, struct analyze_run run[2],
                     struct verdict_collector **combined, struct correlate_result *corr)
{
    struct fw_config cfg2 = o->cfg;
    o->cfg.verdict.keep_attempts = cfg2.verdict.keep_attempts = ANALYZE_KEEP_ATTEMPTS;
    cfg2.verdict.local = (struct fw_addr){0};
    if (analyze_capture(o->file, &o->cfg, &run[0]) != 0)
        return -1;
    run[1].s.log_open_us = analyzer_stats(run[0].s.a)->first_ts_us; /* one log, opened once */
    if (analyze_capture(o->file2, &cfg2, &run[1]) != 0)
        return -1;
    if (analyze_correlate(run, &o->cfg, combined, corr) != 0) {
        msg_printf("fwsight: out of memory\n");
        return -1;
    }
    return 0;
}

void analyze_two_browse(const struct analyze_run run[2], const struct correlate_result *corr,
                        const struct verdict_collector *combined, struct attempt_ring *merged,
                        struct view_two *two)
{
    struct fw_addr host[2] = {{0}};
    for (int v = 0; v < 2; v++) {
        two->cp[v] = verdict_capture_point(analyzer_verdicts(run[v].s.a));
        if (two->cp[v]->known)
            host[v] = two->cp[v]->addr;
    }
    two->corr = corr;
    two->combined = combined != NULL;
    if (run[0].s.attempts != NULL && run[1].s.attempts != NULL)
        attempt_ring_merge(merged, run[0].s.attempts, run[1].s.attempts,
                           corr->offset_known ? corr->offset_us : 0, host);
}
