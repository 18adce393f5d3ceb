/* ui/report_matrix.c: the text report's matrices, one per host pair: the profile's services
 * and ports (then other ports) by direction, the hosts named source and target when the roles
 * are known. Without --all a pair shows its first RV_MATRIX_ROWS rows and the report the
 * RV_PAIRS_SHOWN pairs blocked most, each cut ending in a line of counts. The rows go in the
 * profile's order (report_matrix_rank, shared with the view), so every run prints the same
 * bytes. The blocked paths after them are report_verdicts.c's. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#define RV_MATRIX_ROWS 60   /* per pair: a scan of thousands of ports must not flood it (--all) */
#define RV_PAIRS_SHOWN 16   /* host pairs with a matrix (--all: every one) */
#define RV_SERVICE_COLS 20

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

static int rv_row_cmp(const void *x, const void *y)
{
    const struct report_row *a = x, *b = y;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->proto != b->proto)
        return verdict_proto_order(a->proto) - verdict_proto_order(b->proto);
    return (int)a->port - (int)b->port;
}

/* Brings one (proto, port) of both directions together before the rows are merged. */
static int rv_port_cmp(const void *x, const void *y)
{
    const struct report_row *a = x, *b = y;
    if (a->proto != b->proto)
        return verdict_proto_order(a->proto) - verdict_proto_order(b->proto);
    if (a->port != b->port)
        return (int)a->port - (int)b->port;
    return (a->cell[0] == NULL) - (b->cell[0] == NULL);
}

struct report_row *report_matrix_rows(const struct verdict_collector *vc, size_t first,
                                      size_t end, const struct fw_config *cfg,
                                      const struct fw_addr *a, size_t *n)
{
    size_t m = end - first;
    struct report_row *rows = calloc(m ? m : 1, sizeof *rows);
    *n = 0;
    if (rows == NULL)
        return NULL;
    /* One row per item, sorted by port, then the two directions of a port merged: linear
     * after the sort, so a scan of every port stays fast. */
    for (size_t i = 0; i < m; i++) {
        const struct verdict_item *it = verdict_at(vc, first + i);
        rows[i] = (struct report_row){ it->proto, it->port, 0, { NULL, NULL } };
        rows[i].cell[fw_addr_eq(&it->from, a) ? 0 : 1] = it;
    }
    qsort(rows, m, sizeof *rows, rv_port_cmp);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && rows[k - 1].proto == rows[i].proto && rows[k - 1].port == rows[i].port) {
            for (int d = 0; d < 2; d++)
                if (rows[i].cell[d] != NULL)
                    rows[k - 1].cell[d] = rows[i].cell[d];
            continue;
        }
        rows[k] = rows[i];
        rows[k].rank = report_matrix_rank(cfg, rows[k].proto, rows[k].port);
        k++;
    }
    qsort(rows, k, sizeof *rows, rv_row_cmp);
    *n = k;
    return rows;
}

static bool rv_same_pair(const struct verdict_item *x, const struct verdict_item *y)
{
    return (fw_addr_eq(&x->from, &y->from) && fw_addr_eq(&x->to, &y->to)) ||
           (fw_addr_eq(&x->from, &y->to) && fw_addr_eq(&x->to, &y->from));
}

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

    size_t n;
    struct report_row *rows = report_matrix_rows(vc, first, end, cfg, &a, &n);
    if (rows == NULL) {
        fputs("    (out of memory: see --json)\n", out);
        return;
    }
    fprintf(out, "    %-*s %-5s %-6s %-14s %s\n", RV_SERVICE_COLS, "service", "proto", "port",
            roles ? "source->target" : "A -> B", roles ? "target->source" : "B -> A");
    size_t shown = all ? n : RV_MATRIX_ROWS;
    for (size_t r = 0; r < n && r < shown; r++) {
        const struct verdict_item *any = rows[r].cell[0] ? rows[r].cell[0] : rows[r].cell[1];
        char port[8], service[VERDICT_SERVICE_LEN];
        report_port_text(any, port, sizeof port);
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
        report_verdict_counts(out, count);
        fputs(" (--all shows every row)\n", out);
    }
    free(rows);
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

void report_print_matrices(FILE *out, const struct verdict_collector *vc,
                           const struct fw_config *cfg, bool all)
{
    size_t n = verdict_count(vc);
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
}
