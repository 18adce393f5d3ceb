/* analyze/changes_fold.c: the parts of the changes that are no rule: the UNTESTED entries
 * folded into one test to run per direction (with the fwsight command that runs it), the
 * dynamic RPC ports folded into the range they come from, and the texts of port lists and
 * services. Choosing which failures become rules is changes.c's. */
#include "changes_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends to buf (len bytes) at *at, truncating; *at counts what is needed, like snprintf. */
static void put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(*at < len ? buf + *at : NULL, *at < len ? len - *at : 0, fmt, ap);
    va_end(ap);
    if (w > 0)
        *at += (size_t)w;
}

size_t changes_ranges_text(const struct change_range *r, size_t n, bool with_proto, char *buf,
                           size_t len)
{
    size_t at = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *sep = i > 0 ? "," : "";
        const char *proto = with_proto ? verdict_proto_name(r[i].proto) : "";
        const char *colon = with_proto ? ":" : "";
        if (r[i].proto == VERDICT_PROTO_ECHO)
            put(buf, len, &at, "%s%s%secho", sep, proto, colon);
        else if (r[i].lo == r[i].hi)
            put(buf, len, &at, "%s%s%s%u", sep, proto, colon, (unsigned)r[i].lo);
        else
            put(buf, len, &at, "%s%s%s%u-%u", sep, proto, colon, (unsigned)r[i].lo,
                (unsigned)r[i].hi);
    }
    return at;
}

#define SERVICES_KEPT 16 /* distinct names compared against; a port scan has one ("other") */

size_t changes_rule_services(const struct change_rule *r, char *buf, size_t len)
{
    size_t at = 0, nseen = 0;
    int cut[SERVICES_KEPT];
    const char *seen[SERVICES_KEPT];
    bool more = false;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < r->nitems; i++) {
        const char *s = r->items[i]->service;
        const char *learned = strstr(s, ", learned");
        int n = learned != NULL ? (int)(learned - s) : (int)strlen(s);
        bool dup = false;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = cut[k] == n && strncmp(seen[k], s, (size_t)n) == 0;
        if (dup)
            continue;
        if (nseen == SERVICES_KEPT) {
            more = true;
            continue;
        }
        seen[nseen] = s;
        cut[nseen++] = n;
        put(buf, len, &at, "%s%.*s%s", nseen > 1 ? ", " : "", n, s, learned != NULL ? ")" : "");
    }
    if (more)
        put(buf, len, &at, ", ...");
    return at;
}

static int untested_cmp(const void *x, const void *y)
{
    const struct verdict_item *a = *(const struct verdict_item *const *)x;
    const struct verdict_item *b = *(const struct verdict_item *const *)y;
    int c = changes_dir_cmp(&a->from, &a->to, &b->from, &b->to);
    if (c == 0)
        c = fw_addr_cmp(&a->to, &b->to);
    if (c == 0)
        c = changes_proto_order(a->proto) - changes_proto_order(b->proto);
    if (c == 0)
        c = (int)a->port - (int)b->port;
    return c;
}

/* A word the shell takes as is; anything else goes in single quotes. */
static void put_word(char *buf, size_t len, size_t *at, const char *w)
{
    bool plain = *w != '\0';
    for (const char *p = w; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-:+,=@",
                       *p) != NULL;
    if (plain) {
        put(buf, len, at, " %s", w);
        return;
    }
    put(buf, len, at, " '");
    for (const char *p = w; *p; p++)
        put(buf, len, at, *p == '\'' ? "'\\''" : "%c", *p);
    put(buf, len, at, "'");
}

/* "fwsight test --peer TO [--profile P] [--ports LIST]" into buf; returns the length needed.
 * The echo needs no --ports: the profile's ICMP echo entries stay under --ports. */
static size_t command_text(const struct change_test *t, const struct changes_input *in,
                           char *buf, size_t len)
{
    char to[FW_ADDRSTRLEN];
    size_t at = 0, nports = 0;
    if (len > 0)
        buf[0] = '\0';
    put(buf, len, &at, "fwsight test --peer %s", fw_addr_format(&t->to, to, sizeof to));
    if (in->profile_arg != NULL) {
        put(buf, len, &at, " --profile");
        put_word(buf, len, &at, in->profile_arg);
    }
    while (nports < t->nranges && t->ranges[nports].proto != VERDICT_PROTO_ECHO)
        nports++;
    if (nports > 0) {
        put(buf, len, &at, " --ports ");
        at += changes_ranges_text(t->ranges, nports, true, at < len ? buf + at : NULL,
                                  at < len ? len - at : 0);
    }
    return at;
}

/* One direction's UNTESTED items [first, end), sorted by protocol and port. */
static int test_make(struct change_test *t, const struct verdict_item *const *u, size_t first,
                     size_t end, const struct changes_input *in)
{
    size_t n = end - first;
    t->from = u[first]->from;
    t->to = u[first]->to;
    uint8_t *protos = malloc(n);
    uint16_t *ports = malloc(n * sizeof *ports);
    t->ranges = malloc(n * sizeof *t->ranges);
    int rc = protos == NULL || ports == NULL || t->ranges == NULL ? FW_ENOMEM : 0;
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            protos[i] = u[first + i]->proto;
            ports[i] = u[first + i]->port;
        }
        t->nranges = changes_merge(protos, ports, n, t->ranges);
        for (size_t i = 0; i < t->nranges; i++)
            t->nports += t->ranges[i].proto == VERDICT_PROTO_ECHO
                             ? 1u
                             : (uint32_t)(t->ranges[i].hi - t->ranges[i].lo) + 1u;
        size_t need = command_text(t, in, NULL, 0);
        t->command = malloc(need + 1);
        if (t->command == NULL)
            rc = FW_ENOMEM;
        else
            command_text(t, in, t->command, need + 1);
    }
    free(protos);
    free(ports);
    return rc;
}

int changes_fold_tests(struct changes *out, const struct verdict_item *const *items, size_t n,
                       const struct changes_input *in)
{
    size_t nu = 0;
    for (size_t i = 0; i < n; i++)
        nu += items[i]->v.kind == VERDICT_UNTESTED;
    if (nu == 0)
        return 0;
    const struct verdict_item **u = malloc(nu * sizeof *u);
    if (u == NULL)
        return FW_ENOMEM;
    nu = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i]->v.kind == VERDICT_UNTESTED)
            u[nu++] = items[i];
    qsort(u, nu, sizeof *u, untested_cmp);
    size_t ndir = 0;
    for (size_t i = 0; i < nu; i++)
        if (i == 0 || !fw_addr_eq(&u[i]->from, &u[i - 1]->from) ||
            !fw_addr_eq(&u[i]->to, &u[i - 1]->to))
            ndir++;
    int rc = 0;
    out->tests = calloc(ndir, sizeof *out->tests);
    if (out->tests == NULL)
        rc = FW_ENOMEM;
    for (size_t i = 0; i < nu && rc == 0;) {
        size_t j = i + 1;
        while (j < nu && fw_addr_eq(&u[j]->from, &u[i]->from) && fw_addr_eq(&u[j]->to, &u[i]->to))
            j++;
        rc = test_make(&out->tests[out->ntests++], u, i, j, in);
        i = j;
    }
    free(u);
    return rc;
}

/* The dynamic RPC range a port comes from: the profile's (or --rpc-range's) range that holds
 * it; 0-0 when none does (a port the mapper named outside them). */
static void rpc_range_of(uint16_t port, const struct changes_input *in, uint16_t *lo,
                         uint16_t *hi)
{
    *lo = *hi = 0;
    const struct verdict_config *v = in->verdict;
    for (size_t i = 0; v != NULL && i < v->nports; i++) {
        const struct verdict_port *p = &v->ports[i];
        if (p->rpc_dynamic && p->proto == 6 && port >= p->lo && port <= p->hi) {
            *lo = p->lo;
            *hi = p->hi;
            return;
        }
    }
    if (in->rpc_range != NULL && port >= in->rpc_range->lo && port <= in->rpc_range->hi) {
        *lo = in->rpc_range->lo;
        *hi = in->rpc_range->hi;
    }
}

struct rpc_port {
    const struct verdict_item *it;
    uint16_t lo, hi;
};

static int rpc_port_cmp(const void *x, const void *y)
{
    const struct rpc_port *a = x, *b = y;
    int c = changes_dir_cmp(&a->it->from, &a->it->to, &b->it->from, &b->it->to);
    if (c == 0)
        c = fw_addr_cmp(&a->it->to, &b->it->to);
    if (c == 0)
        c = (int)a->lo - (int)b->lo;
    if (c == 0)
        c = (int)a->hi - (int)b->hi;
    if (c == 0)
        c = (int)a->it->port - (int)b->it->port;
    return c;
}

static bool rpc_same(const struct rpc_port *a, const struct rpc_port *b)
{
    return fw_addr_eq(&a->it->from, &b->it->from) && fw_addr_eq(&a->it->to, &b->it->to) &&
           a->lo == b->lo && a->hi == b->hi;
}

static int rpc_make(struct change_rpc *r, const struct rpc_port *ps, size_t n,
                    const struct changes_input *in)
{
    r->from = ps[0].it->from;
    r->to = ps[0].it->to;
    r->lo = ps[0].lo;
    r->hi = ps[0].hi;
    r->from_option = in->rpc_range != NULL && r->lo == in->rpc_range->lo &&
                     r->hi == in->rpc_range->hi && r->lo != 0;
    r->weakest = VERDICT_CONF_HIGH;
    uint8_t *protos = malloc(n);
    uint16_t *ports = malloc(n * sizeof *ports);
    r->ports = malloc(n * sizeof *r->ports);
    int rc = protos == NULL || ports == NULL || r->ports == NULL ? FW_ENOMEM : 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        protos[i] = 6;
        ports[i] = ps[i].it->port;
        r->weakest = changes_weaker(r->weakest, ps[i].it->confidence);
    }
    if (rc == 0)
        r->nranges = changes_merge(protos, ports, n, r->ports);
    free(protos);
    free(ports);
    return rc;
}

int changes_fold_rpc(struct changes *out, const struct verdict_item **its, size_t n,
                     const struct changes_input *in)
{
    if (n == 0)
        return 0;
    struct rpc_port *ps = malloc(n * sizeof *ps);
    if (ps == NULL)
        return FW_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ps[i].it = its[i];
        rpc_range_of(its[i]->port, in, &ps[i].lo, &ps[i].hi);
    }
    qsort(ps, n, sizeof *ps, rpc_port_cmp);
    size_t nr = 0;
    for (size_t i = 0; i < n; i++)
        nr += i == 0 || !rpc_same(&ps[i], &ps[i - 1]);
    int rc = 0;
    out->rpc = calloc(nr, sizeof *out->rpc);
    if (out->rpc == NULL)
        rc = FW_ENOMEM;
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && rpc_same(&ps[j], &ps[i]))
            j++;
        rc = rpc_make(&out->rpc[out->nrpc++], ps + i, j - i, in);
        i = j;
    }
    free(ps);
    return rc;
}
