/* analyze/diagnose/untested.c: the words of an UNTESTED entry: no attempt seen in that
 * direction, and the test to run from where (or, captured on the host, that nothing arrived). */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

void diagnose_untested(struct verdict_arena *ar, struct verdict_item *it,
                           const struct verdict_capture_point *cp)
{
    char w[24], a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], adv[VERDICT_ADVICE_LEN];
    diag_what(it, w, sizeof w);
    fw_addr_format(&it->from, a, sizeof a);
    fw_addr_format(&it->to, b, sizeof b);
    it->v.kind = VERDICT_UNTESTED;
    it->cause = "untested";
    it->confidence = VERDICT_CONF_LOW;
    if (verdict_capture_point_is(cp, &it->to)) {
        verdict_add_evidence(ar, it, "no attempt seen here (captured on %s)", b);
        snprintf(adv, sizeof adv, "no %s from %s arrived here: if %s tried, it died on the way; "
                 "a capture on %s shows whether it left (fwsight test --peer %s, run on %s)", w,
                 a, a, a, b, a);
    } else {
        verdict_add_evidence(ar, it, "no attempt seen");
        snprintf(adv, sizeof adv, "untested: run fwsight test --peer %s on %s (or make it try %s "
                 "toward %s) while capturing", b, a, w, b);
    }
    it->advice = verdict_arena_keep(ar, adv, strlen(adv));
    it->worded = true;
}
