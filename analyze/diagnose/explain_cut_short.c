/* analyze/diagnose/explain_cut_short.c: the capture ended before an answer was due. A file
 * does not say when its capture stopped: its last packet is all there is. An unanswered
 * request that young proves nothing: a SYN is only retransmitted after 1 s (RFC 6298), and a
 * UDP or echo answer takes a few round trips (the slowest answer this host gave in the same
 * capture, times DUE_RTTS; without one, 1 s). It never counts as blocked; a cell that holds
 * nothing else is INCONCLUSIVE (a SYN flood cut off mid-burst, a capture stopped at once). */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#define DUE_RTTS 8       /* round trips an answer may take, processing included */
#define DUE_MIN_US 2000u /* and at least this */

static uint64_t answer_due_us(const struct evidence *e)
{
    if (e->cell->proto == 6 || e->to_rtt_us == 0)
        return VERDICT_ANSWER_DUE_US;
    uint64_t due = (uint64_t)e->to_rtt_us * DUE_RTTS;
    return due < DUE_MIN_US ? DUE_MIN_US : due > VERDICT_ANSWER_DUE_US ? VERDICT_ANSWER_DUE_US
                                                                       : due;
}

static bool cut_propose(const struct evidence *e, const uint32_t avail[VO_COUNT],
                        struct finding *out)
{
    const struct verdict_cell *x = e->cell;
    uint32_t n = x->late < avail[VO_NO_ANSWER] ? x->late : avail[VO_NO_ANSWER];
    if (n == 0 || x->late_span_max_us >= answer_due_us(e))
        return false;
    memset(out, 0, sizeof *out);
    out->kind = VERDICT_INCONCLUSIVE;
    out->claimed[VO_NO_ANSWER] = n;
    out->total = n;
    out->rep = VO_NO_ANSWER;
    out->lookalike = LOOKALIKE_CAPTURE_ENDED;
    out->tentative = true;
    out->confidence = VERDICT_CONF_LOW;
    return true;
}

static void cut_words(const struct evidence *e, const struct finding *f, struct verdict_item *it)
{
    verdict_add_evidence(e->text, it, "%u request(s) sent at most %u ms before the capture "
                         "ended, and an answer is due after %u ms: too soon to tell",
                         f->total, (unsigned)(e->cell->late_span_max_us / 1000),
                         (unsigned)(answer_due_us(e) / 1000));
}

static void cut_advice(const struct evidence *e, const struct finding *f,
                       const struct verdict_item *it, char *buf, size_t len)
{
    (void)f;
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "not known yet: the capture ended before %s from %s to %s could be "
             "answered; capture a few seconds longer after the last attempt",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b));
}

const struct explanation EXPLAIN_CUT_SHORT = { "capture-ended", cut_propose, cut_words,
                                               cut_advice };
