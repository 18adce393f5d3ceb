/* analyze/diagnose/explanations.c: the table of explanations, one row each, in the order they
 * claim a cell's attempts: look-alikes before the firewall they would otherwise be blamed on.
 * Among failures that account for as many attempts the earlier row wins: a host's own doing
 * before a firewall's, a refusal (it names a culprit) before silence. */
#include "diagnose.h"

extern const struct explanation EXPLAIN_NOT_ATTEMPT, EXPLAIN_CUT_SHORT, EXPLAIN_OPEN,
    EXPLAIN_TIME_WAIT, EXPLAIN_OTHER_ADDRESS, EXPLAIN_BACKLOG, EXPLAIN_RATE_LIMIT,
    EXPLAIN_REJECT_LIMITED, EXPLAIN_FW_REJECT, EXPLAIN_UNREACHABLE, EXPLAIN_HOST_CLOSED,
    EXPLAIN_IDLE_TIMEOUT, EXPLAIN_PMTU, EXPLAIN_STALLED, EXPLAIN_REPLY_DROPPED, EXPLAIN_FW_DROP,
    EXPLAIN_ONE_WAY;

const struct explanation *const DIAGNOSE_EXPLANATIONS[] = {
    &EXPLAIN_NOT_ATTEMPT,   /* scanner probes: never an attempt */
    &EXPLAIN_ONE_WAY,       /* the capture holds one direction: silence there proves nothing,
                             * however late */
    &EXPLAIN_CUT_SHORT,     /* the capture ended before an answer was due */
    &EXPLAIN_OPEN,          /* answered */
    &EXPLAIN_TIME_WAIT,     /* answered by the ACK of an earlier connection */
    &EXPLAIN_OTHER_ADDRESS, /* answered from another address of the host */
    &EXPLAIN_BACKLOG,       /* the host's listen queue is full */
    &EXPLAIN_RATE_LIMIT,    /* the host limits its refusals */
    &EXPLAIN_REJECT_LIMITED, /* a firewall refused, its ICMP rate limit left some
                              * requests without an error */
    &EXPLAIN_FW_REJECT,     /* a firewall refused: ICMP prohibited, a forged RST */
    &EXPLAIN_UNREACHABLE,   /* a router has no route */
    &EXPLAIN_HOST_CLOSED,   /* nothing listens */
    &EXPLAIN_IDLE_TIMEOUT,  /* connected, idle, then the data stops: a timeout forgot it */
    &EXPLAIN_PMTU,          /* large segments lost, no ICMP says why */
    &EXPLAIN_STALLED,       /* connected, then the data stops */
    &EXPLAIN_REPLY_DROPPED, /* the answer is lost on the way back */
    &EXPLAIN_FW_DROP,       /* the request vanishes */
};
const size_t DIAGNOSE_NEXPLANATIONS = sizeof DIAGNOSE_EXPLANATIONS /
                                      sizeof DIAGNOSE_EXPLANATIONS[0];
