/* analyze/diagnose/explanations.c: the table of explanations, one row each, in the order they
 * claim a cell's attempts. Among failures that account for as many attempts the earlier row
 * wins: a refusal names a culprit, silence does not. */
#include "diagnose.h"

extern const struct explanation EXPLAIN_OPEN, EXPLAIN_FW_REJECT, EXPLAIN_HOST_CLOSED,
    EXPLAIN_REPLY_DROPPED, EXPLAIN_FW_DROP;

const struct explanation *const DIAGNOSE_EXPLANATIONS[] = {
    &EXPLAIN_OPEN,
    &EXPLAIN_FW_REJECT,
    &EXPLAIN_HOST_CLOSED,
    &EXPLAIN_REPLY_DROPPED,
    &EXPLAIN_FW_DROP,
};
const size_t DIAGNOSE_NEXPLANATIONS = sizeof DIAGNOSE_EXPLANATIONS /
                                      sizeof DIAGNOSE_EXPLANATIONS[0];
