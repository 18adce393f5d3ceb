/* ui/view_model_attempts.c: the attempts pane of the view: the recent attempts (the ring that
 * cmd_analyze.c or the live loop fills) of the selected cell, or all of them, newest first, one
 * a line: time (UTC), the 5-tuple, conn_state and history, as conn.log says them. Two
 * captures' merged ring lists each attempt once, after its time the captures that saw it
 * ("both", "1 only", "2 only", as the report counts them) and, where the other capture saw it
 * otherwise, its view. Where the pane goes and the keys that reach it are
 * view_model_screen.c's and view_model.c's. */
#include "view_model_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does a belong to the cell (from, to, proto, port)? Echo cells take ICMP and ICMPv6. */
static bool view_attempt_in_cell(const struct attempt *a, const struct fw_addr *from,
                                 const struct fw_addr *to, uint8_t proto, uint16_t port)
{
    if (!fw_addr_eq(&a->orig_h, from) || !fw_addr_eq(&a->resp_h, to))
        return false;
    if (proto == VERDICT_PROTO_ECHO)
        return a->ip_proto == 1 || a->ip_proto == 58;
    return a->ip_proto == proto && a->resp_p == port;
}

static void view_endpoint(const struct fw_addr *h, uint16_t port, bool with_port, char *buf,
                          size_t len)
{
    char t[FW_ADDRSTRLEN];
    fw_addr_format(h, t, sizeof t);
    if (!with_port)
        snprintf(buf, len, "%s", t);
    else if (h->family == 6)
        snprintf(buf, len, "[%s]:%u", t, (unsigned)port);
    else
        snprintf(buf, len, "%s:%u", t, (unsigned)port);
}

/* Two captures: "both  ", "1 only", "2 only" (one column wide), or "1, 2?" when the other
 * capture no longer keeps attempts that old; and where both saw it differently, what the
 * other one saw: "  (2: S0 S)". One capture: nothing. */
static void view_attempt_seen(const struct attempt *a, char *mark, size_t mlen, char *other,
                              size_t olen)
{
    mark[0] = other[0] = '\0';
    if (a->seen == 0)
        return;
    static const char *const marks[] = { [1] = "1 only", [2] = "2 only", [3] = "both",
                                         [1 | ATTEMPT_SEEN_UNKNOWN] = "1, 2?",
                                         [2 | ATTEMPT_SEEN_UNKNOWN] = "2, 1?" };
    snprintf(mark, mlen, "%-6s  ", a->seen < sizeof marks / sizeof marks[0] && marks[a->seen] ?
                                       marks[a->seen] : "?");
    if (a->seen == 3 && a->other_state != NULL &&
        (strcmp(a->other_state, a->state) != 0 || strcmp(a->other_history, a->history) != 0))
        snprintf(other, olen, "  (%d: %s  %s)", a->vantage == 0 ? 2 : 1, a->other_state,
                 a->other_history[0] != '\0' ? a->other_history : "-");
}

/* "HH:MM:SS.mmm  198.51.100.10:40414 -> 203.0.113.20:6325  S0  S"; UDP and ICMP say so,
 * ICMP without ports (conn.log's are message types). The time is the capture's own clock.
 * What the other capture saw comes last, and only where it fits whole in width. */
static void view_attempt_text(const struct attempt *a, int width, char *buf, size_t len)
{
    char o[FW_ADDRSTRLEN + 10], r[FW_ADDRSTRLEN + 10], mark[16], other[64];
    bool ports = a->ip_proto == 6 || a->ip_proto == 17;
    uint64_t ms = a->ts_us / 1000u, s = ms / 1000u;
    view_endpoint(&a->orig_h, a->orig_p, ports, o, sizeof o);
    view_endpoint(&a->resp_h, a->resp_p, ports, r, sizeof r);
    view_attempt_seen(a, mark, sizeof mark, other, sizeof other);
    snprintf(buf, len, "%02u:%02u:%02u.%03u  %s%s -> %s%s  %s  %s%s", (unsigned)(s / 3600 % 24),
             (unsigned)(s / 60 % 60), (unsigned)(s % 60), (unsigned)(ms % 1000), mark, o, r,
             a->ip_proto == 6 ? "" : a->ip_proto == 17 ? " udp" : " icmp", a->state,
             a->history[0] != '\0' ? a->history : "-", other);
    if (other[0] != '\0' && (int)strlen(buf) > width)
        buf[strlen(buf) - strlen(other)] = '\0';
}

/* An attempt with its start on one clock (the first capture's, for two captures). */
struct view_timed {
    uint64_t t;
    const struct attempt *a;
};

/* Newest first by start time: the ring holds them in the order they ended, and an unanswered
 * SYN ends (times out) well after answered ones that started later. Ties go by slot, so one
 * paint orders them as the next. */
static int view_attempt_cmp(const void *x, const void *y)
{
    const struct view_timed *a = x, *b = y;
    if (a->t != b->t)
        return a->t > b->t ? -1 : 1;
    return a->a < b->a ? -1 : a->a > b->a;
}

int view_attempts_pane(const struct view_input *in, struct view_sel *sel,
                       const struct view_row *r, const struct view_pair *pair, int y, int dh,
                       struct view_screen *out, char *head, size_t head_len)
{
    size_t total = attempt_ring_count(in->attempts), match = 0;
    const struct fw_addr *from = sel->col == 0 ? &pair->a : &pair->b;
    const struct fw_addr *to = sel->col == 0 ? &pair->b : &pair->a;
    bool all = sel->all_attempts || r == NULL;
    /* At most two rings' worth (two captures), sorted on every paint: cheap next to the
     * repaint. */
    struct view_timed *list = total > 0 ? malloc(total * sizeof *list) : NULL;
    for (size_t i = 0; list != NULL && i < total; i++) {
        const struct attempt *a = attempt_ring_at(in->attempts, i);
        if (all || view_attempt_in_cell(a, from, to, r->proto, r->port))
            list[match++] = (struct view_timed){ attempt_ring_order_us(in->attempts, a), a };
    }
    if (match > 1)
        qsort(list, match, sizeof *list, view_attempt_cmp);
    if (sel->scroll > (int)match - dh)
        sel->scroll = (int)match - dh > 0 ? (int)match - dh : 0;
    for (int line = 0; line < dh && (size_t)(sel->scroll + line) < match; line++) {
        char t[VIEW_MAX_WIDTH + 1];
        view_attempt_text(list[sel->scroll + line].a, out->width - 1, t, sizeof t);
        view_put(&out->line[y + line], out->width, 1, t);
    }
    if (match == 0 && dh > 0)
        view_put(&out->line[y], out->width, 1, total > 0 && list == NULL
                 ? "out of memory: see the conn.log (--conn-log) instead"
                 : in->attempts == NULL ? "no attempts kept in this view"
                 : all ? "no attempt seen yet" : "no attempt in this cell (a: all attempts)");
    free(list);
    char cell[96] = "all";
    if (!all) {
        char f[FW_ADDRSTRLEN], tt[FW_ADDRSTRLEN], port[8];
        view_port_text(r->proto, r->port, port, sizeof port);
        snprintf(cell, sizeof cell, "%s -> %s %s %s", fw_addr_format(from, f, sizeof f),
                 fw_addr_format(to, tt, sizeof tt), verdict_proto_name(r->proto), port);
    }
    uint64_t dropped = attempt_ring_dropped(in->attempts);
    int n = snprintf(head, head_len, "%s attempts: %s, %zu kept, newest first",
                     sel->pane == VIEW_PANE_ATTEMPTS ? "==" : "--", cell, match);
    if (dropped > 0 && n >= 0 && (size_t)n < head_len)
        snprintf(head + n, head_len - (size_t)n, " (%llu older gone)",
                 (unsigned long long)dropped);
    size_t len = strlen(head);
    if (len + 1 < head_len) {
        head[len] = ' ';
        head[len + 1] = '\0';
    }
    return (int)match;
}
