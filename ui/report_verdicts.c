/* ui/report_verdicts.c: the firewall verdicts part of the text report, printed above the
 * capture summary, after the change to make (report_changes.c, which also folds what is still
 * untested into the test to run): where the capture was taken and what that lets it tell; per
 * host pair a matrix of the profile's services and ports (then other ports) by direction, its
 * hosts named source and target when the roles are known; the blocked paths with their
 * evidence and advice. Long tables end in a line of counts; --all prints them whole. It only reads the settled verdicts (analyzer_verdicts()); the order is the
 * collector's, or the profile's for the matrix rows, so every run prints the same bytes. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define RV_MATRIX_ROWS 60   /* per pair: a scan of thousands of ports must not flood it (--all) */
#define RV_BLOCKED_SHOWN 40 /* --all and the JSON list every verdict */
#define RV_PAIRS_SHOWN 16   /* host pairs with a matrix (--all: every one) */
#define RV_SERVICE_COLS 20

/* One matrix row: a (proto, port) with its verdict in each direction, if any. */
struct rv_row {
    uint8_t proto;
    uint16_t port;
    size_t rank;                   /* the profile's first entry naming it; SIZE_MAX: other */
    const struct verdict_item *cell[2]; /* [0]: A -> B, [1]: B -> A */
};

bool report_verdict_blocking(const struct verdict_item *it)
{
    return verdict_item_blocking(it);
}

bool report_blocking(const struct verdict_collector *vc)
{
    for (size_t i = 0; i < verdict_count(vc); i++)
        if (report_verdict_blocking(verdict_at(vc, i)))
            return true;
    return false;
}

/* The profile's entry order, so the matrix reads like the profile (docs/profiles.md). */
size_t report_matrix_rank(const struct fw_config *cfg, uint8_t proto, uint16_t port)
{
    /* Rows go by service in the profile's order, then protocol and port (rv_row_cmp): one
     * service's TCP and UDP ports and ranges read as one block. */
    if (cfg == NULL)
        return SIZE_MAX;
    const struct verdict_port *ports = cfg->verdict.ports;
    for (size_t i = 0; i < cfg->verdict.nports; i++) {
        const struct verdict_port *p = &ports[i];
        if (p->proto != proto || (proto != VERDICT_PROTO_ECHO && (port < p->lo || port > p->hi)))
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ports[j].service, p->service) == 0)
                return j;
        return i;
    }
    return SIZE_MAX;
}

int report_proto_order(uint8_t proto)
{
    return proto == 6 ? 0 : proto == 17 ? 1 : 2;
}

static int rv_row_cmp(const void *x, const void *y)
{
    const struct rv_row *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->proto != b->proto)
        return report_proto_order(a->proto) - report_proto_order(b->proto);
    return (int)a->port - (int)b->port;
}

/* Brings one (proto, port) of both directions together before the rows are merged. */
static int rv_port_cmp(const void *x, const void *y)
{
    const struct rv_row *a = x, *b = y;
    if (a->proto != b->proto)
        return report_proto_order(a->proto) - report_proto_order(b->proto);
    if (a->port != b->port)
        return (int)a->port - (int)b->port;
    return (a->cell[0] == NULL) - (b->cell[0] == NULL);
}

static bool rv_same_pair(const struct verdict_item *x, const struct verdict_item *y)
{
    return (fw_addr_eq(&x->from, &y->from) && fw_addr_eq(&x->to, &y->to)) ||
           (fw_addr_eq(&x->from, &y->to) && fw_addr_eq(&x->to, &y->from));
}

static void rv_port_text(const struct verdict_item *it, char *buf, size_t len)
{
    if (it->proto == VERDICT_PROTO_ECHO)
        snprintf(buf, len, "echo");
    else
        snprintf(buf, len, "%u", (unsigned)it->port);
}

const char *report_capture_point_text(const struct verdict_capture_point *cp, char *buf,
                                      size_t len)
{
    char h[FW_ADDRSTRLEN];
    if (cp->known)
        snprintf(buf, len, "captured on %s (%s, confidence %s)",
                 fw_addr_format(&cp->addr, h, sizeof h), cp->from_config ? "--local" : "inferred",
                 verdict_conf_name(cp->confidence));
    else if (cp->in_path)
        snprintf(buf, len, "captured on the path between the hosts (in-path)");
    else
        snprintf(buf, len, "capture point unknown");
    return buf;
}

static void rv_capture_point(FILE *out, const struct verdict_collector *vc)
{
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char h[FW_ADDRSTRLEN];
    if (cp->in_path) {
        report_wrapped(out, "  Capture point: in-path:", cp->how, 6);
    } else if (!cp->known) {
        report_wrapped(out, "  Capture point: unknown:", cp->how[0] ? cp->how : "no host found", 6);
    } else {
        fprintf(out, "  Capture point: %s (%s, confidence %s)\n",
                fw_addr_format(&cp->addr, h, sizeof h),
                cp->from_config ? "--local" : "inferred", verdict_conf_name(cp->confidence));
        if (!cp->from_config && cp->how[0])
            report_wrapped(out, "    why:", cp->how, 6);
    }
    if (cp->can_tell[0])
        report_wrapped(out, "    it can tell:", cp->can_tell, 6);
    if (cp->cannot_tell[0])
        report_wrapped(out, "    it cannot tell:", cp->cannot_tell, 6);
}

/* Items [first, end) share one host pair; A is the lower address (the collector's order). */
/* The matrix column is narrow: "RPC dynamic (LSA, learned from the endpoint mapper at packet
 * 26)" shows as "RPC dynamic (LSA)"; the blocked items below give the whole name. */
static const char *rv_short_service(const char *service, char *buf, size_t len)
{
    const char *cut = strstr(service, ", learned");
    if (cut == NULL)
        return service;
    snprintf(buf, len, "%.*s)", (int)(cut - service), service);
    return buf;
}

/* The pair's roles: --source/--target when they name it, else the one host whose requests
 * are all the pair's attempts (the other only answered). True: a is the source. */
static bool rv_roles(const struct verdict_collector *vc, size_t first, size_t end,
                     const struct fw_config *cfg, struct fw_addr *a, struct fw_addr *b)
{
    const struct verdict_config *v = cfg != NULL ? &cfg->verdict : NULL;
    if (v != NULL && v->source.family != 0 &&
        ((fw_addr_eq(a, &v->source) && fw_addr_eq(b, &v->target)) ||
         (fw_addr_eq(b, &v->source) && fw_addr_eq(a, &v->target)))) {
        *a = v->source;
        *b = v->target;
        return true;
    }
    bool dir[2] = { false, false };
    for (size_t i = first; i < end; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->v.kind != VERDICT_UNTESTED)
            dir[fw_addr_eq(&it->from, a) ? 0 : 1] = true;
    }
    if (dir[0] == dir[1])
        return false;
    if (dir[1]) {
        struct fw_addr t = *a;
        *a = *b;
        *b = t;
    }
    return true;
}

/* Counts of the rows a summary line stands for: "12 OPEN, 3 DROPPED". */
static void rv_counts(FILE *out, const size_t count[VERDICT_KIND_COUNT])
{
    bool first = true;
    for (int k = 0; k < VERDICT_KIND_COUNT; k++)
        if (count[k] > 0) {
            fprintf(out, "%s%zu %s", first ? "" : ", ", count[k],
                    verdict_name((enum verdict_kind)k));
            first = false;
        }
}

static void rv_matrix(FILE *out, const struct verdict_collector *vc, size_t first, size_t end,
                      const struct fw_config *cfg, bool all)
{
    const struct verdict_item *f = verdict_at(vc, first);
    struct fw_addr a = fw_addr_cmp(&f->from, &f->to) <= 0 ? f->from : f->to;
    struct fw_addr b = fw_addr_cmp(&f->from, &f->to) <= 0 ? f->to : f->from;
    bool roles = rv_roles(vc, first, end, cfg, &a, &b);
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char ha[FW_ADDRSTRLEN], hb[FW_ADDRSTRLEN];
    fw_addr_format(&a, ha, sizeof ha);
    fw_addr_format(&b, hb, sizeof hb);
    const char *ca = cp->known && fw_addr_eq(&cp->addr, &a) ? " (capture point)" : "";
    const char *cb = cp->known && fw_addr_eq(&cp->addr, &b) ? " (capture point)" : "";
    if (roles)
        fprintf(out, "\n  Source %s%s, target %s%s\n", ha, ca, hb, cb);
    else
        fprintf(out, "\n  Hosts A = %s%s, B = %s%s\n", ha, ca, hb, cb);

    struct rv_row *rows = calloc(end - first, sizeof *rows);
    if (rows == NULL) {
        fputs("    (out of memory: see --json)\n", out);
        return;
    }
    /* One row per item, sorted by port, then the two directions of a port merged: linear
     * after the sort, so a scan of every port stays fast. */
    size_t m = end - first, n = 0;
    for (size_t i = 0; i < m; i++) {
        const struct verdict_item *it = verdict_at(vc, first + i);
        int dir = fw_addr_eq(&it->from, &a) ? 0 : 1;
        rows[i] = (struct rv_row){ it->proto, it->port, 0, { NULL, NULL } };
        rows[i].cell[dir] = it;
    }
    qsort(rows, m, sizeof *rows, rv_port_cmp);
    for (size_t i = 0; i < m; i++) {
        if (n > 0 && rows[n - 1].proto == rows[i].proto && rows[n - 1].port == rows[i].port) {
            if (rows[i].cell[0] != NULL)
                rows[n - 1].cell[0] = rows[i].cell[0];
            if (rows[i].cell[1] != NULL)
                rows[n - 1].cell[1] = rows[i].cell[1];
            continue;
        }
        rows[n] = rows[i];
        rows[n].rank = report_matrix_rank(cfg, rows[n].proto, rows[n].port);
        n++;
    }
    qsort(rows, n, sizeof *rows, rv_row_cmp);
    fprintf(out, "    %-*s %-5s %-6s %-14s %s\n", RV_SERVICE_COLS, "service", "proto", "port",
            roles ? "source->target" : "A -> B", roles ? "target->source" : "B -> A");
    size_t shown = all ? n : RV_MATRIX_ROWS;
    for (size_t r = 0; r < n && r < shown; r++) {
        const struct verdict_item *any = rows[r].cell[0] ? rows[r].cell[0] : rows[r].cell[1];
        char port[8], service[VERDICT_SERVICE_LEN];
        rv_port_text(any, port, sizeof port);
        fprintf(out, "    %-*.*s %-5s %-6s %-14s %s\n", RV_SERVICE_COLS, RV_SERVICE_COLS,
                rows[r].rank == SIZE_MAX ? "other ports"
                                         : rv_short_service(any->service, service, sizeof service),
                verdict_proto_name(any->proto), port,
                rows[r].cell[0] ? verdict_name(rows[r].cell[0]->v.kind) : "-",
                rows[r].cell[1] ? verdict_name(rows[r].cell[1]->v.kind) : "-");
    }
    if (n > shown) {
        size_t count[VERDICT_KIND_COUNT] = { 0 };
        for (size_t r = shown; r < n; r++)
            for (int d = 0; d < 2; d++)
                if (rows[r].cell[d] != NULL)
                    count[rows[r].cell[d]->v.kind]++;
        fprintf(out, "    ... %zu more rows, their cells: ", n - shown);
        rv_counts(out, count);
        fputs(" (--all shows every row)\n", out);
    }
    free(rows);
}

/* Listed with its evidence: everything but plain OPEN and UNTESTED (an OPEN path with a
 * look-alike is listed: it explains a delay or a failure that is no firewall's). */
static bool rv_listed(const struct verdict_item *it)
{
    return it->v.kind != VERDICT_UNTESTED &&
           (it->v.kind != VERDICT_OPEN || it->lookalike != LOOKALIKE_NONE);
}

static void rv_item(FILE *out, const struct verdict_item *it)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], by[160], port[8];
    rv_port_text(it, port, sizeof port);
    const char *like = verdict_lookalike_name(it->lookalike);
    fprintf(out, "\n  %s -> %s %s %s (%s): %s%s%s%s%s\n",
            fw_addr_format(&it->from, from, sizeof from), fw_addr_format(&it->to, to, sizeof to),
            verdict_proto_name(it->proto), port, it->service, verdict_name(it->v.kind),
            it->inferred ? " (inferred)" : "", like != NULL ? " [" : "", like != NULL ? like : "",
            like != NULL ? "]" : "");
    fprintf(out, "    confidence %s, answered by %s\n", verdict_conf_name(it->confidence),
            verdict_answered_text(it, by, sizeof by));
    /* One capture on the path: which side of it (a host's sees only what is beyond it). */
    if (it->owner != NULL && verdict_capture_point(it->owner)->in_path) {
        if (it->where == WHERE_AFTER)
            fprintf(out, "    where: beyond this capture point: the requests passed it (lost or "
                         "refused farther on,\n      or the answers lost before they got back "
                         "here)\n");
        else if (it->where == WHERE_BEFORE)
            fprintf(out, "    where: between this capture point and %s: the answers passed it "
                         "and %s kept asking\n", from, from);
        else if (it->where == WHERE_AT)
            fprintf(out, "    where: at the router this capture spans: the requests went in "
                         "and never out\n");
    }
    verdict_item_words(it);
    for (int e = 0; e < it->nevidence; e++)
        report_wrapped(out, "    -", it->evidence[e], 6);
    report_wrapped(out, "    advice:", it->advice, 6);
}

void report_print_verdicts(FILE *out, const struct verdict_collector *vc,
                           const struct fw_config *cfg, const struct report_answer *ans)
{
    report_print_changes(out, vc, cfg, ans);
    fputs("Firewall verdicts\n", out);
    rv_capture_point(out, vc);
    report_print_verdict_body(out, vc, cfg, ans != NULL && ans->all);
}

void report_print_capture_point(FILE *out, const struct verdict_collector *vc)
{
    rv_capture_point(out, vc);
}

bool report_verdicts_incomplete(const struct verdict_collector *vc, const char *which,
                                char *buf, size_t len)
{
    uint64_t lost = verdict_cells_overflow(vc), evicted = verdict_cells_evicted(vc);
    if (lost > 0 && evicted == 0)
        snprintf(buf, len, "%llu attempts were not kept (too many ports and hosts): %s are "
                 "incomplete (raise --max-verdicts)", (unsigned long long)lost, which);
    else if (evicted > 0)
        snprintf(buf, len, "%llu attempts were not kept and %llu OPEN verdicts on ports "
                 "outside the profile (%llu attempts) were evicted (too many ports and "
                 "hosts): %s are incomplete (raise --max-verdicts)", (unsigned long long)lost,
                 (unsigned long long)evicted,
                 (unsigned long long)verdict_cells_evicted_attempts(vc), which);
    else
        return false;
    return true;
}

/* Where the host pair whose first item is i ends. */
static size_t rv_pair_end(const struct verdict_collector *vc, size_t i, size_t n)
{
    size_t end = i + 1;
    while (end < n && rv_same_pair(verdict_at(vc, i), verdict_at(vc, end)))
        end++;
    return end;
}

static size_t rv_pair_blocked(const struct verdict_collector *vc, size_t i, size_t end)
{
    size_t b = 0;
    for (; i < end; i++)
        b += verdict_item_blocking(verdict_at(vc, i));
    return b;
}

static int rv_size_desc(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a < b) - (a > b);
}

/* The RV_PAIRS_SHOWN host pairs that get a matrix without --all: those with the most blocked
 * cells, the first ones among equals, so that a sweep over many hosts cannot push the pair
 * blocked most out of sight. NULL when out of memory (then the first ones). */
static bool *rv_pairs_chosen(const struct verdict_collector *vc, size_t n, size_t pairs)
{
    size_t *count = malloc(pairs * sizeof *count), *sorted = malloc(pairs * sizeof *sorted);
    bool *show = calloc(pairs, sizeof *show);
    if (count == NULL || sorted == NULL || show == NULL) {
        free(count);
        free(sorted);
        free(show);
        return NULL;
    }
    size_t p = 0;
    for (size_t i = 0, end; i < n; i = end, p++) {
        end = rv_pair_end(vc, i, n);
        count[p] = sorted[p] = rv_pair_blocked(vc, i, end);
    }
    qsort(sorted, pairs, sizeof *sorted, rv_size_desc);
    size_t least = sorted[RV_PAIRS_SHOWN - 1], room = 0;
    for (size_t k = 0; k < RV_PAIRS_SHOWN; k++)
        room += sorted[k] == least;
    for (p = 0; p < pairs; p++) {
        if (count[p] > least)
            show[p] = true;
        else if (count[p] == least && room > 0) {
            show[p] = true;
            room--;
        }
    }
    free(count);
    free(sorted);
    return show;
}

void report_print_verdict_body(FILE *out, const struct verdict_collector *vc,
                               const struct fw_config *cfg, bool all)
{
    size_t n = verdict_count(vc);
    char why[400];
    if (report_verdicts_incomplete(vc, "the verdicts below", why, sizeof why))
        fprintf(out, "  warning: %s\n", why);
    if (n == 0) {
        fputs("\n  No attempt on any port was seen, and no host pair was named (--source, "
              "--target).\n\n", out);
        return;
    }
    size_t pairs = 0;
    for (size_t i = 0; i < n; i = rv_pair_end(vc, i, n))
        pairs++;
    bool *show = all || pairs <= RV_PAIRS_SHOWN ? NULL : rv_pairs_chosen(vc, n, pairs);
    size_t p = 0, hidden_pairs = 0, hidden_blocked = 0;
    for (size_t i = 0, end; i < n; i = end, p++) {
        end = rv_pair_end(vc, i, n);
        if (all || (show != NULL ? show[p] : p < RV_PAIRS_SHOWN)) {
            rv_matrix(out, vc, i, end, cfg, all);
        } else {
            hidden_pairs++;
            hidden_blocked += rv_pair_blocked(vc, i, end) > 0;
        }
    }
    free(show);
    if (hidden_pairs > 0)
        fprintf(out, "\n  ... %zu more host pairs, %zu of them with a blocked port (--all shows "
                "their matrices)\n", hidden_pairs, hidden_blocked);

    size_t shown = 0, blocked = 0, other = 0, closed = 0;
    size_t hidden[VERDICT_KIND_COUNT] = { 0 };
    for (size_t i = 0; i < n; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (report_verdict_blocking(it))
            blocked++;
        else if (rv_listed(it))
            other++;
        if (!report_verdict_blocking(it) && it->v.kind == VERDICT_CLOSED &&
            it->lookalike == LOOKALIKE_NONE)
            closed++;
    }
    /* "closed (nothing listening)" while that is all there is; look-alikes are named. */
    const char *others = closed == other ? "closed (nothing listening)"
                                         : "not a firewall's doing (closed, look-alikes, too "
                                           "soon to tell)";
    if (blocked + other > 0)
        fprintf(out, "\n  %s\n", blocked == 0   ? (closed == other ? "Closed" : "Not blocked")
                                 : other == 0   ? "Blocked"
                                 : closed == other ? "Blocked or closed"
                                                   : "Blocked, and what is not a firewall's doing");
    for (size_t i = 0; i < n; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (!rv_listed(it))
            continue;
        if (all || shown < RV_BLOCKED_SHOWN)
            rv_item(out, it);
        else
            hidden[it->v.kind]++;
        shown++;
    }
    if (!all && shown > RV_BLOCKED_SHOWN) {
        fprintf(out, "\n  ... %zu more paths: ", shown - RV_BLOCKED_SHOWN);
        rv_counts(out, hidden);
        fputs(" (--all shows their evidence)\n", out);
    }
    if (shown == 0)
        fputs("\n  Nothing blocked: every attempt seen was answered.\n", out);
    else if (blocked == 0)
        fprintf(out, "\n  Nothing blocked by a firewall; %zu %s\n", other, others);
    else
        fprintf(out, "\n  %zu blocked by a firewall, %zu %s\n", blocked, other, others);
    fputc('\n', out);
}
