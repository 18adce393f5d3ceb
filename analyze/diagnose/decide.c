/* analyze/diagnose/decide.c: the one decision. Every explanation of the table proposes itself
 * for the attempts no earlier row claimed; the failure that accounts for the most attempts
 * names the verdict (PARTIAL when some attempts were answered too), its confidence is lowered
 * when other failures compete or the flow table cut attempts short, and, when they are asked
 * for, its words become the item's evidence and advice. What each explanation looks for is in its own explain_*.c. */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

bool finding_claim(const struct evidence *e, const uint32_t avail[VO_COUNT],
                   enum verdict_kind kind,
                   bool (*keep)(const struct evidence *e, enum verdict_outcome o),
                   struct finding *out)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->rep = VO_COUNT;
    out->routers = -1;
    for (int o = 0; o < VO_COUNT; o++) {
        if (avail[o] == 0 || !keep(e, (enum verdict_outcome)o))
            continue;
        out->claimed[o] = avail[o];
        out->total += avail[o];
        if (out->rep == VO_COUNT)
            out->rep = (enum verdict_outcome)o;
    }
    return out->total > 0;
}

bool diag_is_silent(const struct evidence *e, enum verdict_outcome o)
{
    (void)e;
    return o == VO_NO_ANSWER || o == VO_SILENT_AFTER_ARRIVAL;
}

uint64_t diag_first_silent_us(const struct evidence *e)
{
    const struct verdict_attempt *a = e->first[VO_NO_ANSWER], *b =
                                                                 e->first[VO_SILENT_AFTER_ARRIVAL];
    if (a == NULL)
        return b->first_us;
    return b != NULL && b->first_us < a->first_us ? b->first_us : a->first_us;
}

static void partial_advice(const struct evidence *e, uint32_t n_open,
                           const struct verdict_item *it, char *buf, size_t len)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    snprintf(buf, len, "%s from %s to %s passes only sometimes (%u of %u attempts): look for "
             "rules that change, rate limits, or paths through different firewalls",
             diag_what(it, w, sizeof w), fw_addr_format(&e->cell->from, a, sizeof a),
             fw_addr_format(&e->cell->to, b, sizeof b), n_open, e->n->attempts);
}

void diagnose_cell(struct verdict_item *it, const struct evidence *e, bool words)
{
    struct finding found[16];
    const struct explanation *by[16];
    size_t nfound = 0;
    uint32_t avail[VO_COUNT];
    memcpy(avail, e->n->by_outcome, sizeof avail);
    for (size_t i = 0; i < DIAGNOSE_NEXPLANATIONS && nfound < 16; i++) {
        const struct explanation *x = DIAGNOSE_EXPLANATIONS[i];
        if (!x->propose(e, avail, &found[nfound]))
            continue;
        for (int o = 0; o < VO_COUNT; o++)
            avail[o] -= found[nfound].claimed[o];
        by[nfound++] = x;
    }
    /* Tentative findings (probes, a capture that ended too soon) decide only a cell that
     * nothing else explains. */
    bool any_firm = false;
    for (size_t i = 0; i < nfound; i++)
        any_firm |= !found[i].tentative;
    const struct finding *open = NULL, *fail = NULL;
    size_t nfail = 0;
    uint32_t n_open = 0;
    for (size_t i = 0; i < nfound; i++) {
        if (found[i].tentative && any_firm)
            continue;
        if (found[i].kind == VERDICT_OPEN) {
            if (open == NULL)
                open = &found[i];
            n_open += found[i].total;
            continue;
        }
        nfail++;
        if (fail == NULL || found[i].total > fail->total)
            fail = &found[i];
    }
    uint32_t nrst = e->n->by_outcome[VO_RST];
    it->counts.forged_rst = e->rst_forged ? nrst : 0;
    it->counts.host_rst = e->rst_forged ? 0 : nrst;
    const struct finding *f = fail != NULL ? fail : open;
    if (f == NULL) { /* no attempt: nothing to decide (cells always hold one) */
        it->v.kind = VERDICT_UNTESTED;
        it->confidence = VERDICT_CONF_LOW;
        return;
    }
    size_t win = (size_t)(f - found);
    enum verdict_kind kind = fail == NULL ? VERDICT_OPEN : n_open > 0 ? VERDICT_PARTIAL
                                                                      : fail->kind;
    const struct verdict_attempt *first = e->first[f->rep];
    it->v.kind = kind;
    it->v.first_frame = first->req_frame;
    it->v.last_frame = first->ans_frame != 0 ? first->ans_frame : first->req_frame;
    it->v.ttl = first->ans_ttl;
    enum verdict_conf conf = f->confidence;
    if (kind == VERDICT_PARTIAL) {
        it->v.answered_by = e->cell->to;
        if (f->kind != VERDICT_PARTIAL) /* a finding that names PARTIAL itself weighed it */
            conf = VERDICT_CONF_MEDIUM;
    } else {
        it->v.answered_by = f->answered_by;
        it->v.basis = f->basis;
        it->v.routers = f->routers;
        it->v.routers_from_requester = f->from_requester;
        it->inferred = f->inferred;
    }
    if (nfail > 1)
        conf = diag_lower(conf);
    if (e->n->evicted > 0)
        conf = diag_lower(conf);
    /* The look-alike: the deciding finding's, else the first other one's (an OPEN cell whose
     * first SYN met a TIME-WAIT). */
    it->lookalike = f->lookalike;
    for (size_t i = 0; i < nfound && it->lookalike == LOOKALIKE_NONE; i++)
        if (!(found[i].tentative && any_firm))
            it->lookalike = found[i].lookalike;
    /* Answers the capture itself lost would look like silence. */
    bool drops_matter = e->capture_drops > 0 &&
                        (kind == VERDICT_DROPPED || kind == VERDICT_REPLY_DROPPED ||
                         kind == VERDICT_STALLED || kind == VERDICT_PARTIAL);
    if (drops_matter) {
        conf = diag_lower(conf);
        if (it->lookalike == LOOKALIKE_NONE)
            it->lookalike = LOOKALIKE_CAPTURE_DROPS;
    }
    it->confidence = conf;
    it->cause = by[win]->name;
    if (!words)
        return;

    it->nevidence = 0;
    diag_counts_line(e, it);
    for (int o = 0; o < VO_COUNT; o++)
        if (e->n->by_outcome[o] > 0)
            diag_attempt_line(e, it, (enum verdict_outcome)o);
    if (by[win]->words != NULL && (kind == f->kind || f->lookalike != LOOKALIKE_NONE))
        by[win]->words(e, f, it);
    for (size_t i = 0; i < nfound; i++) /* what the other look-alikes explain */
        if (i != win && found[i].lookalike != LOOKALIKE_NONE && by[i]->words != NULL &&
            !(found[i].tentative && any_firm))
            by[i]->words(e, &found[i], it);
    if (e->n->evicted > 0)
        verdict_add_evidence(e->text, it, "%u attempt(s) cut short by the flow table's cap",
                             e->n->evicted);
    if (drops_matter)
        verdict_add_evidence(e->text, it, "the capture lost %llu packet(s) (kernel or interface "
                             "drops): an answer may be among them",
                             (unsigned long long)e->capture_drops);
    char adv[VERDICT_ADVICE_LEN] = "";
    if (kind == VERDICT_PARTIAL && f->lookalike == LOOKALIKE_NONE)
        partial_advice(e, n_open, it, adv, sizeof adv);
    else if (by[win]->advice != NULL)
        by[win]->advice(e, f, it, adv, sizeof adv);
    it->advice = verdict_arena_keep(e->text, adv, strlen(adv));
    it->worded = true;
}
