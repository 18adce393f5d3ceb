/* analyze/diagnose/where.c: on which side of the capture point a blocked cell failed, from
 * one capture (verdict.h's FW_WHERES). A host's capture sees only what left it and what came
 * back: whatever blocked lies beyond it. A capture on the path tells more, by general rules:
 * requests that pass the point and meet silence or a refusal failed beyond it (toward the
 * target, or their answers on the way back beyond it); answers that pass the point toward a
 * requester who keeps asking were lost between the point and the requester; and on a capture
 * spanning a router (both its interfaces), requests seen going in and never again one router
 * later died in that router. Two captures combined say it in their own verdicts: none here.
 * Which verdict a cell gets is decide.c's. */
#include "diagnose.h"

/* Some request of the cell seen again one router later: it left the router the capture
 * spans. Only first attempts are kept per outcome: those are what is asked. */
static bool requests_went_through(const struct evidence *e)
{
    for (int o = 0; o < VO_COUNT; o++) {
        const struct verdict_attempt *a = e->first[o];
        if (a != NULL && a->req_ttl != 0 && a->req_ttl_min < a->req_ttl)
            return true;
    }
    return false;
}

void diagnose_where(struct verdict_item *it, const struct evidence *e)
{
    it->where = WHERE_NONE;
    if (e->combined || !verdict_kind_blocking(it->v.kind))
        return;
    if (!e->cp->in_path) {
        /* A host's capture: only what is beyond it can block. Unknown point: unsaid. */
        if (e->cp->known)
            it->where = WHERE_AFTER;
        return;
    }
    if (e->cp->spans_router && !requests_went_through(e)) {
        it->where = WHERE_AT;
        return;
    }
    it->where = it->v.kind == VERDICT_REPLY_DROPPED ? WHERE_BEFORE : WHERE_AFTER;
}
