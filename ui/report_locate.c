/* ui/report_locate.c: prints what `fwsight test --locate` found (see report_locate.h): per
 * blocked path the line analyze/locate.c words, and the hops behind it, in text and JSON. */
#include "report_locate.h"

#include <string.h>

#include "analyze/verdict.h"
#include "json.h"

static const char *proto_name(uint8_t proto)
{
    return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

static const char *answer_name(enum locate_answer a)
{
    switch (a) {
    case LOCATE_SILENT: return "none";
    case LOCATE_TIME_EXCEEDED: return "time-exceeded";
    case LOCATE_UNREACH: return "icmp-error";
    case LOCATE_RESET: return "reset";
    case LOCATE_REPLY: return "reply";
    case LOCATE_FAILED: return "send-failed";
    }
    return "?";
}

static void hop_addr(const struct locate_hop *h, struct fw_addr *a)
{
    memset(a, 0, sizeof *a);
    if (h->family == 4)
        fw_addr_set4(a, h->addr);
    else if (h->family == 6)
        fw_addr_set6(a, h->addr);
}

int report_locate_line(const struct report_locate *l, char *buf, size_t len)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], port[12] = "echo", what[400];
    if (l->proto != VERDICT_PROTO_ECHO)
        snprintf(port, sizeof port, "%u", l->port);
    if (l->error[0] != '\0')
        snprintf(what, sizeof what, "not located: %s", l->error);
    else
        locate_describe(&l->finding, &l->to, what, sizeof what);
    return snprintf(buf, len, "%s %s %s -> %s: %s", proto_name(l->proto), port,
                    fw_addr_format(&l->from, from, sizeof from),
                    fw_addr_format(&l->to, to, sizeof to), what);
}

void report_print_locate(FILE *out, const struct report_locate *l, size_t n, bool asked)
{
    if (n == 0) {
        if (asked)
            fprintf(out, "\nWhere on the path (--locate): nothing blocked, nothing to locate\n");
        return;
    }
    fprintf(out, "\nWhere on the path (--locate: TTL-limited probes of each blocked port, one "
            "flow each)\n");
    for (size_t i = 0; i < n; i++) {
        char line[600];
        report_locate_line(&l[i], line, sizeof line);
        fprintf(out, "  %s\n", line);
        if (l[i].nhops == 0)
            continue;
        fprintf(out, "    hops:");
        for (size_t k = 0; k < l[i].nhops; k++) {
            const struct locate_hop *h = &l[i].hops[k];
            char a[FW_ADDRSTRLEN];
            struct fw_addr fa;
            hop_addr(h, &fa);
            fw_addr_format(&fa, a, sizeof a);
            switch (h->answer) {
            case LOCATE_SILENT: fprintf(out, " %u *", h->ttl); break;
            case LOCATE_TIME_EXCEEDED: fprintf(out, " %u %s", h->ttl, a); break;
            case LOCATE_FAILED: fprintf(out, " %u (not sent)", h->ttl); break;
            default: fprintf(out, " %u %s(%s)", h->ttl, answer_name(h->answer), a); break;
            }
        }
        fprintf(out, "\n");
    }
}

void report_json_locate(struct json *j, const struct report_locate *l, size_t n)
{
    char a[FW_ADDRSTRLEN], line[600];
    json_begin_array(j, "locate");
    for (size_t i = 0; i < n; i++) {
        const struct report_locate *e = &l[i];
        const struct locate_finding *f = &e->finding;
        bool located = e->error[0] == '\0' && f->how != LOCATE_HOW_UNMEASURED;
        json_begin_object(j, NULL);
        json_string(j, "from", fw_addr_format(&e->from, a, sizeof a));
        json_string(j, "to", fw_addr_format(&e->to, a, sizeof a));
        json_string(j, "proto", proto_name(e->proto));
        if (e->proto == VERDICT_PROTO_ECHO)
            json_null(j, "port");
        else
            json_u64(j, "port", e->port);
        json_u64(j, "source_port", e->src_port);
        if (e->error[0] == '\0' && f->last_hop_ttl > 0) {
            json_begin_object(j, "last_hop");
            json_u64(j, "ttl", f->last_hop_ttl);
            json_string(j, "addr", fw_addr_format(&f->last_hop, a, sizeof a));
            json_end_object(j);
        } else {
            json_null(j, "last_hop");
        }
        if (located) {
            json_u64(j, "blocked_after_hop", f->blocked_after_hop);
            json_u64(j, "first_ttl", f->first_ttl);
        } else {
            json_null(j, "blocked_after_hop");
            json_null(j, "first_ttl");
        }
        json_string(j, "how", e->error[0] != '\0' ? "not-measured" : locate_how_name(f->how));
        json_string(j, "answered_by", located && f->answered_by.family != 0
                                          ? fw_addr_format(&f->answered_by, a, sizeof a) : NULL);
        report_locate_line(e, line, sizeof line);
        json_string(j, "text", line);
        json_begin_array(j, "hops");
        for (size_t k = 0; k < e->nhops; k++) {
            const struct locate_hop *h = &e->hops[k];
            struct fw_addr fa;
            hop_addr(h, &fa);
            json_begin_object(j, NULL);
            json_u64(j, "ttl", h->ttl);
            json_u64(j, "probes", h->sent);
            json_string(j, "answer", answer_name(h->answer));
            json_string(j, "addr", fa.family != 0 ? fw_addr_format(&fa, a, sizeof a) : NULL);
            if (h->answer == LOCATE_TIME_EXCEEDED || h->answer == LOCATE_UNREACH) {
                json_u64(j, "icmp_type", h->icmp_type);
                json_u64(j, "icmp_code", h->icmp_code);
            }
            if (h->answer != LOCATE_SILENT && h->answer != LOCATE_FAILED)
                json_u64(j, "rtt_us", h->rtt_us);
            json_end_object(j);
        }
        json_end_array(j);
        json_end_object(j);
    }
    json_end_array(j);
}
