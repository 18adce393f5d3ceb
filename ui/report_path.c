/* ui/report_path.c: prints where several captures sit along the path and where each blocked
 * path's packets vanish between them (see report_path.h). The order and the segments are
 * analyze/path_order.c's; this file chooses the words, text and JSON. */
#include "report_path.h"

#include <stdarg.h>
#include <string.h>

#include "json.h"
#include "report.h"

/* Appends to the string in buf, cut at len. */
static void path_cat(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void path_cat(char *buf, size_t len, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, len - n, fmt, ap);
    va_end(ap);
}

/* "a.pcap, b.pcap": the captures of mask, in name order. */
static const char *path_names(const struct report_path *p, uint8_t mask, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < p->ncap; i++)
        if (mask & (1u << i))
            path_cat(buf, len, "%s%s", buf[0] != '\0' ? ", " : "", p->file[i]);
    return buf;
}

static void path_passage_words(const struct report_path *p, const char *what,
                               const struct path_passage *ps, char *buf, size_t len)
{
    char seen[400], next[400];
    path_names(p, ps->seen_mask, seen, sizeof seen);
    path_names(p, ps->next_mask, next, sizeof next);
    if (buf[0] != '\0')
        path_cat(buf, len, "; ");
    if (ps->tie)
        path_cat(buf, len, "%s reach %s but not %s (both hop %d: the same TTL, which comes "
                 "first cannot be told)", what, seen, next, ps->seen_hop);
    else if (ps->vanish)
        path_cat(buf, len, "%s pass %s (hop %d) and never reach %s (hop %d)", what, seen,
                 ps->seen_hop, next, ps->next_hop);
    else
        path_cat(buf, len, "%s reach %s (hop %d)", what, seen, ps->seen_hop);
}

const char *report_path_words(const struct report_path *p, const struct path_segment *s,
                              char *buf, size_t len)
{
    buf[0] = '\0';
    if (!s->placed) {
        path_cat(buf, len, "the captures share no packet of these two hosts: their order, and "
                 "so the segment, cannot be told");
        return buf;
    }
    if (!s->req.seen)
        path_cat(buf, len, "no capture saw its requests");
    else
        path_passage_words(p, "requests", &s->req, buf, len);
    if (s->ans.seen)
        path_passage_words(p, "answers", &s->ans, buf, len);
    if (!s->refusal.seen)
        return buf;
    char seen[400], next[400];
    path_names(p, s->refusal.seen_mask, seen, sizeof seen);
    path_names(p, s->refusal.next_mask, next, sizeof next);
    path_cat(buf, len, "; %s first appears at %s (hop %d)",
             s->refusal_rst ? "the reset" : "the ICMP error", seen, s->refusal.seen_hop);
    if (s->refusal.vanish)
        path_cat(buf, len, ", not at %s (hop %d): sent between them", next,
                 s->refusal.next_hop);
    else if (s->refusal.tie)
        path_cat(buf, len, ", not at %s (the same hop: which comes first cannot be told)", next);
    else
        path_cat(buf, len, ", the farthest capture: sent beyond it");
    return buf;
}

static const char *path_proto(uint8_t proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

void report_print_path_text(FILE *out, const struct report_path *p)
{
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN], line[2048];
    fprintf(out, "Along the path (%zu captures, ordered by the TTL of the packets they share)\n",
            p->ncap);
    if (!p->have_pair || p->order.nplaced < 2) {
        fprintf(out, "  The captures share no packet: their order, and where packets vanish, "
                     "cannot be\n  told (not the same test?). The verdicts above are the first "
                     "two captures' by\n  name: %s and %s.\n\n", p->file[0],
                p->ncap > 1 ? p->file[1] : "-");
        return;
    }
    fprintf(out, "  %s ... %s (hop: routers between a capture and the one nearest the\n"
                 "  first host; the captures of one link share a hop):\n",
            fw_addr_format(&p->lo, a, sizeof a), fw_addr_format(&p->hi, b, sizeof b));
    for (int h = 0; h <= p->order.max_hop; h++) {
        uint8_t mask = 0;
        for (size_t i = 0; i < p->ncap; i++)
            if (p->order.placed[i] && p->order.hop[i] == h)
                mask |= (uint8_t)(1u << i);
        if (mask != 0)
            fprintf(out, "    hop %d  %s\n", h, path_names(p, mask, line, sizeof line));
    }
    for (size_t i = 0; i < p->ncap; i++)
        if (p->order.placed[i] && p->set->cap[i].twice > 0)
            fprintf(out, "    %s saw packets twice, before and after a router: it spans "
                         "one, placed by its side\n      nearest %s\n", p->file[i],
                    fw_addr_format(&p->lo, a, sizeof a));
    for (size_t i = 0; i < p->ncap; i++)
        if (!p->order.placed[i])
            fprintf(out, "    not placed: %s (no packet in common with the others)\n",
                    p->file[i]);
    if (p->order.inconsistent)
        fputs("    warning: the TTL differences between some captures disagree (NAT, or a\n"
              "      capture spanning a router): the order rests on those sharing most\n",
              out);
    if (p->end[0] >= 0 && p->end[1] >= 0 && p->end[0] != p->end[1])
        fprintf(out, "  The verdicts above are the two end captures': %s and %s.\n",
                p->file[p->end[0]], p->file[p->end[1]]);
    if (p->nseg == 0) {
        fputs("  Nothing blocked: no segment to name.\n\n", out);
        return;
    }
    fputs("  Where the blocked paths' packets vanish (hops from the requester's side):\n", out);
    for (size_t k = 0; k < p->nseg; k++) {
        const struct path_segment *s = &p->seg[k];
        char port[8] = "echo";
        if (s->proto != VERDICT_PROTO_ECHO)
            snprintf(port, sizeof port, "%u", (unsigned)s->port);
        report_path_words(p, s, line, sizeof line);
        fprintf(out, "  %s -> %s %s %s (%s):\n", fw_addr_format(&s->from, a, sizeof a),
                fw_addr_format(&s->to, b, sizeof b), path_proto(s->proto), port,
                verdict_name(p->item[k]->v.kind));
        report_wrapped(out, "    ", line, 4);
    }
    if (p->seg_left_out > 0)
        fprintf(out, "  %zu more blocked paths not placed (the first %d are)\n", p->seg_left_out,
                REPORT_PATH_MAX_SEGMENTS);
    fputc('\n', out);
}

static void path_json_passage(struct json *j, const struct report_path *p, const char *key,
                              const struct path_passage *ps)
{
    if (!ps->seen) {
        json_null(j, key);
        return;
    }
    json_begin_object(j, key);
    json_bool(j, "vanish", ps->vanish);
    json_bool(j, "cannot_tell", ps->tie);
    json_begin_array(j, "seen_at");
    for (size_t i = 0; i < p->ncap; i++)
        if (ps->seen_mask & (1u << i))
            json_string(j, NULL, p->file[i]);
    json_end_array(j);
    json_i64(j, "seen_hop", ps->seen_hop);
    json_begin_array(j, "not_seen_at");
    for (size_t i = 0; i < p->ncap; i++)
        if (ps->next_mask & (1u << i))
            json_string(j, NULL, p->file[i]);
    json_end_array(j);
    if (ps->vanish || ps->tie)
        json_i64(j, "not_seen_hop", ps->next_hop);
    else
        json_null(j, "not_seen_hop");
    json_end_object(j);
}

void report_json_path(struct json *j, const struct report_path *p)
{
    char a[FW_ADDRSTRLEN], line[2048];
    json_begin_object(j, "path");
    json_u64(j, "max_captures", PATH_MAX_CAPTURES);
    bool ordered = p->have_pair && p->order.nplaced >= 2;
    json_bool(j, "ordered", ordered);
    json_string(j, "a", p->have_pair ? fw_addr_format(&p->lo, a, sizeof a) : NULL);
    json_string(j, "b", p->have_pair ? fw_addr_format(&p->hi, a, sizeof a) : NULL);
    json_bool(j, "inconsistent", p->order.inconsistent);
    json_begin_array(j, "captures");
    for (size_t i = 0; i < p->ncap; i++) {
        json_begin_object(j, NULL);
        json_string(j, "file", p->file[i]);
        if (ordered && p->order.placed[i])
            json_i64(j, "hop", p->order.hop[i]);
        else
            json_null(j, "hop");
        json_bool(j, "end", (int)i == p->end[0] || (int)i == p->end[1]);
        json_u64(j, "packets_kept", p->set->cap[i].n);
        json_u64(j, "packets_not_kept", p->set->cap[i].not_kept);
        json_end_object(j);
    }
    json_end_array(j);
    json_begin_array(j, "segments");
    for (size_t k = 0; k < p->nseg; k++) {
        const struct path_segment *s = &p->seg[k];
        json_begin_object(j, NULL);
        json_string(j, "from", fw_addr_format(&s->from, a, sizeof a));
        json_string(j, "to", fw_addr_format(&s->to, a, sizeof a));
        json_string(j, "proto", path_proto(s->proto));
        if (s->proto == VERDICT_PROTO_ECHO)
            json_null(j, "port");
        else
            json_u64(j, "port", s->port);
        json_string(j, "verdict", verdict_name(p->item[k]->v.kind));
        json_bool(j, "placed", s->placed);
        path_json_passage(j, p, "requests", &s->req);
        path_json_passage(j, p, "answers", &s->ans);
        path_json_passage(j, p, "refusal", &s->refusal);
        json_string(j, "refusal_kind", !s->refusal.seen ? NULL : s->refusal_rst ? "reset"
                                                                                 : "icmp-error");
        json_string(j, "text", report_path_words(p, s, line, sizeof line));
        json_end_object(j);
    }
    json_end_array(j);
    json_u64(j, "segments_left_out", p->seg_left_out);
    json_end_object(j);
}
