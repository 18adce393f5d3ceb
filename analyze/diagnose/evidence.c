/* analyze/diagnose/evidence.c: the evidence of one cell, gathered once for every explanation
 * to read: its counts and first attempts, where the capture was taken, what the host's own
 * packets showed (so a RST can be told forged or not), and what the endpoint mapper did for
 * the same pair. Reading it into a verdict is the explanations' and decide.c's. */
#include "diagnose.h"

#include <string.h>

bool diag_rst_request_stopped(const struct evidence *e)
{
    const struct verdict_attempt *rst = e->first[VO_RST];
    return rst != NULL && e->cp->spans_router && e->to_host != NULL &&
           e->to_host->ttl_min < e->to_host->ttl_max && rst->req_ttl != 0 &&
           rst->req_ttl_min == rst->req_ttl;
}

bool diag_routing_code_host_down(const struct evidence *e, const struct verdict_attempt *a)
{
    const struct verdict_host *h = e->to_refusals;
    return verdict_routing_code_late(a) &&
           !(h != NULL && h->unreach_prompt && fw_addr_eq(&h->unreach_prompt_from, &a->icmp_from));
}

bool diag_host_answered(const struct evidence *e)
{
    return e->to_rtt_us > 0 || (e->to_refusals != NULL && e->to_refusals->refused > 0);
}

void evidence_of(const struct verdict_collector *c, const struct verdict_cell *x,
                 struct evidence *e)
{
    memset(e, 0, sizeof *e);
    e->cell = x;
    e->n = &x->counts;
    e->cp = &c->cp;
    e->text = (struct verdict_arena *)&c->text;
    e->capture_drops = c->capture_drops;
    e->clues[0] = c->cfg.clues[0];
    e->clues[1] = c->cfg.clues[1];
    e->at_from = verdict_capture_point_is(&c->cp, &x->from);
    e->at_to = verdict_capture_point_is(&c->cp, &x->to);
    e->to_host = verdict_host_find(c, &x->to);
    e->to_rtt_us = e->to_host != NULL ? e->to_host->rtt_max_us : 0;
    e->to_refusals = e->to_host; /* kept by the combined collector too, without packets */
    if (e->to_host != NULL && e->to_host->pkts == 0)
        e->to_host = NULL;
    /* Whether the endpoint mapper answered this pair: a dynamic port dropped behind it. */
    const struct verdict_cell *mapper = verdict_cell_find(c, &x->from, &x->to, 6, 135);
    e->mapper_open = mapper != NULL && mapper->counts.by_outcome[VO_ANSWERED] > 0;
    for (int o = 0; o < VO_COUNT; o++)
        e->first[o] = x->first[o] != 0 ? &c->pool[x->first[o] - 1] : NULL;
    uint32_t nrst = x->counts.by_outcome[VO_RST];
    if (nrst > 0 && e->to_host != NULL) {
        e->rst_compared = true;
        /* Forged when no RST fits the range the host's own packets showed. */
        e->rst_forged = x->rst_ttl_max < e->to_host->ttl_min ||
                        x->rst_ttl_min > e->to_host->ttl_max ||
                        diag_rst_other_mac(e, e->first[VO_RST]);
    }
    if (nrst > 0 && diag_rst_request_stopped(e)) {
        e->rst_compared = true;
        e->rst_forged = true;
    }
    if (nrst > 0 && !e->rst_compared && e->at_to)
        e->rst_compared = true; /* the capture host's own RST, seen leaving it */
    if (c->cfg.combined) {
        /* Two captures: correlate.c already split the host's own RSTs (VO_RST, seen leaving
         * it) from the others (VO_RST_FORGED); TTLs add nothing. */
        e->rst_compared = true;
        e->rst_forged = false;
        e->combined = true;
    }
}
