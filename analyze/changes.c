/* analyze/changes.c: the rules to add, from the settled verdicts: which failures a rule fixes,
 * on which device and in which direction, how much the profile needs each port, and the ports
 * merged per device, direction, need and protocol. The tests to run and the RPC advice are
 * changes_fold.c's; the model and its rules are described in changes.h. */
#include "changes_int.h"

#include <stdlib.h>
#include <string.h>

enum { IP_ICMP = 1 };

/* One failure a rule fixes, placed. */
struct cand {
    const struct verdict_item *it;
    size_t index; /* input order: ties between groups keep it */
    struct change_device dev;
    bool reply, outbound, rpc;
    enum change_need need;
};

const char *change_need_name(enum change_need n)
{
    return n == CHANGE_REQUIRED ? "required" : n == CHANGE_OPTIONAL ? "optional" : "other";
}

int changes_proto_order(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

enum verdict_conf changes_weaker(enum verdict_conf a, enum verdict_conf b)
{
    return a > b ? a : b; /* HIGH is 0: the larger is the weaker */
}

int changes_dir_cmp(const struct fw_addr *f1, const struct fw_addr *t1, const struct fw_addr *f2,
                    const struct fw_addr *t2)
{
    const struct fw_addr *lo1 = fw_addr_cmp(f1, t1) <= 0 ? f1 : t1;
    const struct fw_addr *hi1 = lo1 == f1 ? t1 : f1;
    const struct fw_addr *lo2 = fw_addr_cmp(f2, t2) <= 0 ? f2 : t2;
    const struct fw_addr *hi2 = lo2 == f2 ? t2 : f2;
    int c = fw_addr_cmp(lo1, lo2);
    if (c == 0)
        c = fw_addr_cmp(hi1, hi2);
    if (c == 0)
        c = fw_addr_cmp(f1, f2);
    return c;
}

size_t changes_merge(const uint8_t *proto, const uint16_t *port, size_t n,
                     struct change_range *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct change_range *last = m > 0 ? &out[m - 1] : NULL;
        if (last != NULL && last->proto == proto[i] &&
            (proto[i] == VERDICT_PROTO_ECHO || port[i] == last->hi))
            continue; /* the same port again (two items cannot share one; a caller's may) */
        if (last != NULL && last->proto == proto[i] && (uint32_t)port[i] == last->hi + 1u) {
            last->hi = port[i];
            continue;
        }
        out[m++] = (struct change_range){ proto[i], proto[i] == VERDICT_PROTO_ECHO ? 0 : port[i],
                                          proto[i] == VERDICT_PROTO_ECHO ? 0 : port[i] };
    }
    return m;
}

/* A failure a firewall rule fixes: a block no look-alike explains away, decided by a
 * firewall's explanation. Routing (UNREACHABLE) and stalls (state lost, an IPS, a path-MTU
 * black hole) are blocks too, but opening a port fixes neither. */
static bool fixed_by_rule(const struct verdict_item *it)
{
    if (!verdict_item_blocking(it))
        return false;
    const char *c = it->cause;
    bool fw = c == NULL || strcmp(c, "firewall-drop") == 0 || strcmp(c, "firewall-reject") == 0 ||
              strcmp(c, "reply-dropped") == 0;
    switch (it->v.kind) {
    case VERDICT_DROPPED:
    case VERDICT_REJECTED:
    case VERDICT_REPLY_DROPPED: return fw;
    case VERDICT_PARTIAL: return c != NULL && fw; /* the failing part must be a firewall's */
    default: return false;
    }
}

static bool is_lookalike(const struct verdict_item *it)
{
    return it->v.kind != VERDICT_OPEN && it->v.kind != VERDICT_UNTESTED &&
           it->lookalike != LOOKALIKE_NONE && !verdict_item_blocking(it);
}

/* The request arrived and nothing answered: the host's own firewall dropped it. Two captures
 * say so (arrived, unanswered); one capture taken on the host sees it arrive. */
static bool arrived_unanswered(const struct verdict_item *it, const struct changes_input *in)
{
    const uint32_t *o = it->counts.by_outcome;
    if (o[VO_NEVER_ARRIVED] > 0)
        return false;
    if (o[VO_SILENT_AFTER_ARRIVAL] > 0)
        return o[VO_NO_ANSWER] == 0;
    return in->cp != NULL && verdict_capture_point_is(in->cp, &it->to);
}

static void place(struct cand *c, const struct changes_input *in)
{
    const struct verdict_item *it = c->it;
    c->dev = (struct change_device){ CHANGE_DEV_BETWEEN, { 0 } };
    if (it->v.kind == VERDICT_REPLY_DROPPED ||
        (it->cause != NULL && strcmp(it->cause, "reply-dropped") == 0)) {
        c->reply = true; /* lost somewhere on the way back */
        return;
    }
    if (it->v.kind == VERDICT_REJECTED) {
        const struct fw_addr *by = &it->v.answered_by;
        if (by->family == 0)
            return; /* a reset forged on the way hides its maker */
        if (fw_addr_eq(by, &it->to)) {
            c->dev = (struct change_device){ CHANGE_DEV_HOST, it->to };
        } else if (fw_addr_eq(by, &it->from)) {
            c->dev = (struct change_device){ CHANGE_DEV_HOST, it->from };
            c->outbound = true;
        } else {
            c->dev = (struct change_device){ CHANGE_DEV_FIREWALL_AT, *by };
        }
        return;
    }
    /* DROPPED, and PARTIAL (its answered_by is the host that sometimes answered: no culprit) */
    if (it->v.kind == VERDICT_DROPPED || it->cause == NULL ||
        strcmp(it->cause, "firewall-drop") == 0) {
        if (arrived_unanswered(it, in))
            c->dev = (struct change_device){ CHANGE_DEV_HOST, it->to };
    }
}

static const struct profile_entry *dynamic_entry(const struct profile *p)
{
    for (size_t i = 0; i < p->n_entries; i++)
        if (p->entries[i].rpc == PROFILE_RPC_DYNAMIC)
            return &p->entries[i];
    for (size_t i = 0; i < p->n_entries; i++)
        if (p->entries[i].rpc == PROFILE_RPC_MAPPER)
            return &p->entries[i];
    return NULL;
}

/* The profile's need of the port in this direction, and whether it is a dynamic RPC port. */
static enum change_need need_of(struct cand *c, const struct changes_input *in)
{
    const struct verdict_item *it = c->it;
    c->rpc = it->proto == 6 && strncmp(it->service, "RPC dynamic", 11) == 0;
    if (in->profile == NULL)
        return CHANGE_OTHER;
    const struct profile_entry *e = profile_lookup(
        in->profile, it->proto == VERDICT_PROTO_ECHO ? IP_ICMP : it->proto, it->port);
    if (e != NULL && e->rpc == PROFILE_RPC_DYNAMIC && it->proto == 6)
        c->rpc = true;
    if (c->rpc && (e == NULL || e->rpc != PROFILE_RPC_DYNAMIC))
        e = dynamic_entry(in->profile); /* learned from the mapper, outside the ranges */
    if (e == NULL)
        return CHANGE_OTHER;
    const struct verdict_config *v = in->verdict;
    if (e->dir != PROFILE_DIR_BOTH && v != NULL && v->source.family != 0) {
        bool to_target = fw_addr_eq(&it->from, &v->source) && fw_addr_eq(&it->to, &v->target);
        bool to_source = fw_addr_eq(&it->from, &v->target) && fw_addr_eq(&it->to, &v->source);
        if ((to_target || to_source) && (e->dir == PROFILE_DIR_TO_TARGET) != to_target)
            return CHANGE_OTHER; /* the profile needs it the other way only */
    }
    return e->required ? CHANGE_REQUIRED : CHANGE_OPTIONAL;
}

/* The group a candidate belongs to: device, direction, reply. */
static int group_cmp(const struct cand *a, const struct cand *b)
{
    if (a->dev.kind != b->dev.kind)
        return (int)a->dev.kind - (int)b->dev.kind;
    int c = fw_addr_cmp(&a->dev.addr, &b->dev.addr);
    if (c == 0)
        c = changes_dir_cmp(&a->it->from, &a->it->to, &b->it->from, &b->it->to);
    if (c == 0)
        c = (int)a->reply - (int)b->reply;
    return c;
}

static int cand_cmp(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    int c = group_cmp(a, b);
    if (c == 0)
        c = (int)a->need - (int)b->need;
    if (c == 0)
        c = changes_proto_order(a->it->proto) - changes_proto_order(b->it->proto);
    if (c == 0)
        c = (int)a->it->port - (int)b->it->port;
    return c;
}

/* Rule r from cands [first, end): one need and protocol. */
static int rule_make(struct change_rule *r, const struct cand *cs, size_t first, size_t end,
                     uint8_t *protos, uint16_t *ports)
{
    size_t n = end - first;
    r->need = cs[first].need;
    r->proto = cs[first].it->proto;
    r->weakest = VERDICT_CONF_HIGH;
    r->items = malloc(n * sizeof *r->items);
    r->ranges = malloc(n * sizeof *r->ranges);
    if (r->items == NULL || r->ranges == NULL)
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct cand *c = &cs[first + i];
        r->items[i] = c->it;
        r->weakest = changes_weaker(r->weakest, c->it->confidence);
        r->rpc_dynamic |= c->rpc;
        protos[i] = c->it->proto;
        ports[i] = c->it->port;
    }
    r->nitems = n;
    r->nranges = changes_merge(protos, ports, n, r->ranges);
    for (size_t i = 0; i < r->nranges; i++)
        r->nports += r->proto == VERDICT_PROTO_ECHO ? 1u
                                                    : (uint32_t)(r->ranges[i].hi - r->ranges[i].lo)
                                                          + 1u;
    return 0;
}

/* Group g from cands [first, end), sorted by need, protocol, port. */
static int group_make(struct change_group *g, const struct cand *cs, size_t first, size_t end,
                      uint8_t *protos, uint16_t *ports)
{
    const struct cand *c0 = &cs[first];
    g->device = c0->dev;
    g->from = c0->it->from;
    g->to = c0->it->to;
    g->reply = c0->reply;
    g->outbound = c0->outbound;
    g->need = c0->need;
    g->weakest = VERDICT_CONF_HIGH;
    g->never_arrived = g->device.kind == CHANGE_DEV_BETWEEN && !g->reply;
    for (size_t i = first; i < end; i++) {
        const uint32_t *o = cs[i].it->counts.by_outcome;
        g->never_arrived &= o[VO_NEVER_ARRIVED] > 0 && o[VO_NO_ANSWER] == 0;
    }
    size_t nrules = 0;
    for (size_t i = first; i < end; i++)
        if (i == first || cs[i].need != cs[i - 1].need || cs[i].it->proto != cs[i - 1].it->proto)
            nrules++;
    g->rules = calloc(nrules, sizeof *g->rules);
    if (g->rules == NULL)
        return FW_ENOMEM;
    for (size_t i = first; i < end;) {
        size_t j = i + 1;
        while (j < end && cs[j].need == cs[i].need && cs[j].it->proto == cs[i].it->proto)
            j++;
        struct change_rule *r = &g->rules[g->nrules++];
        if (rule_make(r, cs, i, j, protos, ports) != 0)
            return FW_ENOMEM;
        g->weakest = changes_weaker(g->weakest, r->weakest);
        i = j;
    }
    return 0;
}

static void group_free(struct change_group *g)
{
    for (size_t j = 0; j < g->nrules; j++) {
        free(g->rules[j].ranges);
        free(g->rules[j].items);
    }
    free(g->rules);
}

/* Groups ordered by need, then by the input position of their first verdict. */
struct group_key {
    enum change_need need;
    size_t index;
    struct change_group g;
};

static int group_key_cmp(const void *x, const void *y)
{
    const struct group_key *a = x, *b = y;
    if (a->need != b->need)
        return (int)a->need - (int)b->need;
    return (a->index > b->index) - (a->index < b->index);
}

static int build_groups(struct changes *out, struct cand *cs, size_t n)
{
    qsort(cs, n, sizeof *cs, cand_cmp);
    size_t ngroups = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || group_cmp(&cs[i], &cs[i - 1]) != 0)
            ngroups++;
    struct group_key *keys = calloc(ngroups ? ngroups : 1, sizeof *keys);
    uint8_t *protos = malloc(n ? n : 1);
    uint16_t *ports = malloc((n ? n : 1) * sizeof *ports);
    int rc = keys == NULL || protos == NULL || ports == NULL ? FW_ENOMEM : 0;
    size_t made = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1, index = cs[i].index;
        while (j < n && group_cmp(&cs[j], &cs[i]) == 0) {
            index = cs[j].index < index ? cs[j].index : index;
            j++;
        }
        struct group_key *k = &keys[made++];
        k->need = cs[i].need;
        k->index = index;
        rc = group_make(&k->g, cs, i, j, protos, ports);
        i = j;
    }
    if (rc == 0)
        qsort(keys, made, sizeof *keys, group_key_cmp);
    out->groups = calloc(made ? made : 1, sizeof *out->groups);
    if (out->groups == NULL)
        rc = FW_ENOMEM;
    for (size_t i = 0; i < made; i++) {
        if (out->groups != NULL)
            out->groups[out->ngroups++] = keys[i].g;
        else
            group_free(&keys[i].g);
    }
    free(keys);
    free(protos);
    free(ports);
    return rc;
}

int changes_build(struct changes *out, const struct verdict_item *const *items, size_t n,
                  const struct changes_input *in)
{
    static const struct changes_input none = { 0 };
    if (in == NULL)
        in = &none;
    memset(out, 0, sizeof *out);
    struct cand *cs = malloc((n ? n : 1) * sizeof *cs);
    const struct verdict_item **rpc = malloc((n ? n : 1) * sizeof *rpc);
    out->not_rule = malloc((n ? n : 1) * sizeof *out->not_rule);
    size_t ncand = 0, nrpc = 0;
    int rc = cs == NULL || rpc == NULL || out->not_rule == NULL ? FW_ENOMEM : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct verdict_item *it = items[i];
        if (!fixed_by_rule(it)) {
            out->lookalikes += is_lookalike(it);
            if (verdict_item_blocking(it))
                out->not_rule[out->not_rules++] = it;
            continue;
        }
        struct cand *c = &cs[ncand++];
        *c = (struct cand){ .it = it, .index = i };
        place(c, in);
        c->need = need_of(c, in);
        if (c->rpc)
            rpc[nrpc++] = it;
    }
    if (rc == 0)
        rc = build_groups(out, cs, ncand);
    if (rc == 0)
        rc = changes_fold_tests(out, items, n, in);
    if (rc == 0)
        rc = changes_fold_rpc(out, rpc, nrpc, in);
    free(cs);
    free(rpc);
    if (rc != 0)
        changes_fini(out);
    return rc;
}

int changes_of_collector(struct changes *out, const struct verdict_collector *vc,
                         const struct changes_input *in)
{
    struct changes_input mine = in != NULL ? *in : (struct changes_input){ 0 };
    if (mine.cp == NULL)
        mine.cp = verdict_capture_point(vc);
    size_t n = verdict_count(vc);
    const struct verdict_item **items = malloc((n ? n : 1) * sizeof *items);
    if (items == NULL) {
        memset(out, 0, sizeof *out);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        items[i] = verdict_at(vc, i);
    int rc = changes_build(out, items, n, &mine);
    free(items);
    return rc;
}

void changes_fini(struct changes *c)
{
    for (size_t i = 0; i < c->ngroups; i++)
        group_free(&c->groups[i]);
    free(c->groups);
    for (size_t i = 0; i < c->ntests; i++) {
        free(c->tests[i].ranges);
        free(c->tests[i].command);
    }
    free(c->tests);
    for (size_t i = 0; i < c->nrpc; i++)
        free(c->rpc[i].ports);
    free(c->rpc);
    free(c->not_rule);
    memset(c, 0, sizeof *c);
}
