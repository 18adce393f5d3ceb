/* analyze/diagnose/capture_point.c: where the capture was taken (--local, or inferred from
 * the hosts' TTLs and flows): on a host, or on the path between hosts (a router's interfaces,
 * a tap, a mirror port), and what one capture taken there can and cannot tell. */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#include "../path_clues.h"

static void capture_point_words(struct verdict_capture_point *cp, const char *why)
{
    if (cp->in_path) {
        snprintf(cp->how, sizeof cp->how, "%s", why);
        snprintf(cp->can_tell, sizeof cp->can_tell, "what passed this point both ways: requests, "
                 "answers, RSTs and ICMP errors, and which device sent a refusal");
        snprintf(cp->cannot_tell, sizeof cp->cannot_tell, "what happened to a request beyond "
                 "this point: dropped on the way there or its answer on the way back; captures "
                 "on the hosts settle it");
        return;
    }
    if (!cp->known) {
        snprintf(cp->how, sizeof cp->how, "no endpoint sends with a full TTL here: a capture "
                 "between the hosts? (--local names it)");
        snprintf(cp->can_tell, sizeof cp->can_tell, "answers, RSTs and ICMP errors that passed "
                 "this point");
        snprintf(cp->cannot_tell, sizeof cp->cannot_tell, "on which side of this point a "
                 "request or its answer was lost");
        return;
    }
    char h[FW_ADDRSTRLEN];
    fw_addr_format(&cp->addr, h, sizeof h);
    if (cp->from_config)
        snprintf(cp->how, sizeof cp->how, "%s, as --local says", h);
    else
        snprintf(cp->how, sizeof cp->how, "%s: its packets leave with a full TTL (no router "
                 "between) and it is an endpoint of the most flows", h);
    snprintf(cp->can_tell, sizeof cp->can_tell, "what %s's requests met (answers, RSTs, ICMP "
             "errors, silence) and how it answered the requests that reached it", h);
    snprintf(cp->cannot_tell, sizeof cp->cannot_tell, "whether an unanswered request of %s's was "
             "lost on the way there or its answer on the way back, nor attempts toward %s that "
             "never arrived; a capture on the peer settles both", h, h);
}

/* The capture host's own packets are captured before any router decrements their TTL: hop 0.
 * Routers next to it are hop 0 too, but they are no endpoint of two-way flows; among the
 * hop-0 senders the one in the most flows is the capture point. */
bool verdict_capture_point_is(const struct verdict_capture_point *cp, const struct fw_addr *a)
{
    return cp->known && (fw_addr_eq(&cp->addr, a) || (cp->other.family != 0 &&
                                                      fw_addr_eq(&cp->other, a)));
}

/* The conversations h took part in: its two-way flows, and the requests it refused itself with
 * ICMP port unreachable from its own address. A host whose every port is closed answers only
 * with ICMP errors, each a flow of its own (one way, no endpoint of any): it is an endpoint all
 * the same, and a capture on it must not look like one between routers. */
static uint32_t conversations(const struct verdict_host *h)
{
    return h->flows + h->refused;
}

/* The hop-0 endpoint of the most conversations among family's (0: either), and how many the
 * runner-up had. */
static const struct verdict_host *best_sender(const struct verdict_collector *c, uint8_t family,
                                              uint32_t *second)
{
    const struct verdict_host *best = NULL;
    *second = 0;
    for (uint32_t i = 0; i < c->nhosts; i++) {
        const struct verdict_host *h = &c->hosts[i];
        uint32_t n = conversations(h);
        if (n == 0 || verdict_hops(h->ttl_max) != 0 || path_clues_link_local(&h->addr) ||
            (family != 0 && h->addr.family != family))
            continue;
        if (best == NULL || n > conversations(best) ||
            (n == conversations(best) && fw_addr_cmp(&h->addr, &best->addr) < 0)) {
            if (best != NULL)
                *second = conversations(best);
            best = h;
        } else if (n > *second) {
            *second = n;
        }
    }
    return best;
}

/* Why no host's, or NULL: two-way flows whose every endpoint is behind a router (TTLs already
 * lowered both ways); the best host's own packets also seen one router later (the capture
 * spans a router's interfaces); or conversations half or more of which involve neither of the
 * best host's addresses (a mirror port). */
static const char *in_path_why(const struct verdict_collector *c,
                               const struct verdict_host *best, const struct fw_addr *other)
{
    uint32_t two_way = 0, mine = 0;
    for (uint32_t i = 0; i < c->nhosts; i++) {
        const struct verdict_host *h = &c->hosts[i];
        uint32_t n = conversations(h);
        if (n == 0 || path_clues_link_local(&h->addr))
            continue;
        two_way += n; /* every two-way flow twice: once per end */
        if (best != NULL && (fw_addr_eq(&h->addr, &best->addr) ||
                             (other->family != 0 && fw_addr_eq(&h->addr, other))))
            mine += n;
    }
    if (two_way == 0)
        return NULL;
    if (best == NULL)
        return "every host's packets arrive with TTLs already lowered by routers, both ways: "
               "a capture on the path between them";
    if (best->forwarded)
        return "the same packets are seen as sent and again one router later: a capture on "
               "a router's interfaces";
    /* Requests toward the best host that it left unanswered are its conversations too, though
     * only the requester's end was seen (a closed port's host rate-limits its refusals): its
     * own end, as an answer would have counted. Read only when its own ends do not already
     * decide (a walk over every cell). */
    for (uint32_t i = 0; i < c->ncells && 2 * mine <= two_way / 2; i++) {
        const struct verdict_cell *x = &c->cells[i];
        if (fw_addr_eq(&x->to, &best->addr) || (other->family != 0 && fw_addr_eq(&x->to, other)))
            mine += x->counts.by_outcome[VO_NO_ANSWER];
    }
    if (2 * mine <= two_way / 2)
        return "most conversations involve none of one host's addresses: a capture on the "
               "path (a tap or a mirror port)";
    return NULL;
}

/* A capture of one direction (explain_one_way.c) tells less than its point would: said once,
 * for the whole capture, after what the point cannot tell. */
static void one_way_words(const struct verdict_collector *c, struct verdict_capture_point *cp)
{
    const struct verdict_host *first = NULL;
    for (uint32_t i = 0; i < c->nhosts && first == NULL; i++)
        if (verdict_host_unseen(&c->hosts[i]))
            first = &c->hosts[i];
    if (first == NULL || c->cfg.combined)
        return;
    char a[FW_ADDRSTRLEN];
    size_t len = strlen(cp->cannot_tell);
    snprintf(cp->cannot_tell + len, sizeof cp->cannot_tell - len, "; and this capture holds one "
             "direction only: no packet of %s, whose TCP answers were acknowledged all the same, "
             "so its silence proves nothing (capture-one-way)",
             fw_addr_format(&first->addr, a, sizeof a));
}

void diagnose_capture_point(struct verdict_collector *c)
{
    struct verdict_capture_point *cp = &c->cp;
    memset(cp, 0, sizeof *cp);
    uint32_t second = 0;
    if (c->cfg.local.family != 0) {
        cp->known = true;
        cp->from_config = true;
        cp->addr = c->cfg.local;
        cp->confidence = VERDICT_CONF_HIGH;
    } else {
        const struct verdict_host *best = best_sender(c, 0, &second);
        if (best != NULL) {
            cp->known = true;
            cp->addr = best->addr;
            cp->confidence = conversations(best) > second ? VERDICT_CONF_HIGH
                                                          : VERDICT_CONF_LOW;
        }
    }
    if (cp->known) { /* the same host's other family, when one address alone leads it */
        const struct verdict_host *o = best_sender(c, cp->addr.family == 4 ? 6 : 4, &second);
        if (o != NULL && conversations(o) > second)
            cp->other = o->addr;
    }
    const char *why = NULL;
    if (!cp->from_config) {
        why = in_path_why(c, cp->known ? verdict_host_find(c, &cp->addr) : NULL, &cp->other);
        if (why != NULL) {
            const struct verdict_host *b = cp->known ? verdict_host_find(c, &cp->addr) : NULL;
            memset(cp, 0, sizeof *cp);
            cp->in_path = true;
            cp->spans_router = b != NULL && b->forwarded;
            cp->confidence = VERDICT_CONF_HIGH;
        }
    }
    capture_point_words(cp, why);
    one_way_words(c, cp);
}
