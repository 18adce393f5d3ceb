/* analyze/correlate_points.c: what two captures together say about where each was taken,
 * beyond what each says alone (see correlate_int.h). A capture names its host by the
 * address of the most flows sent with a full TTL; the host's other addresses may show no flow
 * of their own there (its IPv6 requests all refused on the way, or lost among neighbour
 * discovery's link-local chatter), and the other capture then still knows them as its
 * peer's. Matching and classifying are correlate.c's. */
#include "correlate_int.h"

#include <stdlib.h>
#include <string.h>

static bool given(const struct correlate_side *s, const struct fw_addr *a)
{
    return (s->host.family != 0 && fw_addr_eq(&s->host, a)) ||
           (s->host2.family != 0 && fw_addr_eq(&s->host2, a));
}

static bool given_family(const struct correlate_side *s, uint8_t family)
{
    return s->host.family == family || s->host2.family == family;
}

/* The host answered itself: a SYN-ACK, a UDP answer or an echo reply from its address (a
 * RST or an ICMP error may come from any device on the way). */
static bool self_answer(enum verdict_outcome o)
{
    return o == VO_ANSWERED || o == VO_STALLED || o == VO_REPLY_LOST || o == VO_REPEATED;
}

/* The address x shows to be capture s's, if any: s's own request toward the other capture's
 * host (or s's answer to it) captured before any router took a hop off its TTL, from an
 * address neither capture named. A router beside the host is hop 0 too, but it neither
 * opens connections to the far server nor answers them. */
static const struct fw_addr *shown(const struct correlate_side *s,
                                   const struct correlate_side *o, const struct verdict_seen *x)
{
    const struct verdict_attempt *a = &x->a;
    const struct fw_addr *cand = NULL;
    if (a->req_ttl != 0 && verdict_hops(a->req_ttl) == 0 && given(o, &a->to))
        cand = &a->from;
    else if (self_answer(a->outcome) && a->ans_ttl != 0 && verdict_hops(a->ans_ttl) == 0 &&
             given(o, &a->from))
        cand = &a->to;
    if (cand == NULL || given(o, cand) || given(s, cand) || given_family(s, cand->family))
        return NULL;
    return cand;
}

/* Per family (IPv4, IPv6): the one address the attempts show, or none when they show two
 * (another host on the capture's link talks to the far server too: naming neither is safe). */
struct shown_family {
    struct fw_addr addr;
    bool conflict;
};

static void shown_all(const struct correlate_side *s, const struct correlate_side *o,
                      struct shown_family f[2])
{
    memset(f, 0, 2 * sizeof *f);
    for (size_t i = 0; i < s->n; i++) {
        const struct fw_addr *c = shown(s, o, &s->seen[i]);
        if (c == NULL)
            continue;
        struct shown_family *sf = &f[c->family == 6];
        if (sf->addr.family == 0)
            sf->addr = *c;
        else if (!fw_addr_eq(&sf->addr, c))
            sf->conflict = true;
    }
}

static void add(struct corr_points *p, int v, const struct fw_addr *a)
{
    if (a->family != 0 && p->n[v] < CORR_MAX_ADDRS)
        p->addr[v][p->n[v]++] = *a;
}

void corr_points_learn(const struct correlate_side *s0, const struct correlate_side *s1,
                       struct corr_points *p)
{
    const struct correlate_side *s[2] = { s0, s1 };
    struct shown_family f[2][2];
    memset(p, 0, sizeof *p);
    for (int v = 0; v < 2; v++) {
        add(p, v, &s[v]->host);
        add(p, v, &s[v]->host2);
        shown_all(s[v], s[1 - v], f[v]);
    }
    for (int v = 0; v < 2; v++)
        for (int k = 0; k < 2; k++) {
            const struct shown_family *x = &f[v][k], *y = &f[1 - v][k];
            /* Shown for both captures: a host beside both, not either capture's. */
            if (x->addr.family == 0 || x->conflict ||
                (y->addr.family != 0 && fw_addr_eq(&x->addr, &y->addr)))
                continue;
            add(p, v, &x->addr);
            p->learned[v]++;
        }
}

bool corr_points_is(const struct corr_points *p, int v, const struct fw_addr *a)
{
    for (size_t i = 0; i < p->n[v]; i++)
        if (fw_addr_eq(&p->addr[v][i], a))
            return true;
    return false;
}

static int last_cmp(const void *pa, const void *pb)
{
    const struct corr_last *x = pa, *y = pb;
    int d = fw_addr_cmp(&x->from, &y->from);
    return d != 0 ? d : fw_addr_cmp(&x->to, &y->to);
}

int corr_last_build(const struct correlate_side *s, struct corr_last_table *t)
{
    t->n = 0;
    t->e = malloc((s->n > 0 ? s->n : 1) * sizeof *t->e);
    if (t->e == NULL)
        return FW_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        t->e[i] = (struct corr_last){ s->seen[i].a.from, s->seen[i].a.to, s->seen[i].a.first_us };
    if (s->n > 1)
        qsort(t->e, s->n, sizeof *t->e, last_cmp);
    for (size_t i = 0; i < s->n; i++) { /* one entry per pair, its latest request */
        if (t->n > 0 && last_cmp(&t->e[t->n - 1], &t->e[i]) == 0) {
            if (t->e[i].last_us > t->e[t->n - 1].last_us)
                t->e[t->n - 1].last_us = t->e[i].last_us;
        } else {
            t->e[t->n++] = t->e[i];
        }
    }
    return 0;
}

uint64_t corr_last_of(const struct corr_last_table *t, const struct fw_addr *from,
                      const struct fw_addr *to)
{
    struct corr_last key = { *from, *to, 0 };
    const struct corr_last *e = t->n > 0 ? bsearch(&key, t->e, t->n, sizeof *t->e, last_cmp)
                                         : NULL;
    return e != NULL ? e->last_us : 0;
}

void corr_last_free(struct corr_last_table *t)
{
    free(t->e);
    t->e = NULL;
    t->n = 0;
}
