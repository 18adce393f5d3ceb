/* ui/report.c: aggregates finished connections for the summary and prints the text report.
 * Memory is fixed whatever the capture's size: counters, and at most REPORT_FAIL_GROUPS
 * groups of failed attempts with REPORT_FAIL_EXAMPLES examples each (the first seen, so the
 * output is the same on every run). The JSON form of the same data is report_json.c's. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/rpc_ports.h"
#include "connlog.h"

void report_init(struct report *rep)
{
    memset(rep, 0, sizeof *rep);
}

static enum report_proto report_proto_of(uint8_t ip_proto)
{
    switch (ip_proto) {
    case 6:  return REPORT_TCP;
    case 17: return REPORT_UDP;
    case 1:
    case 58: return REPORT_ICMP;
    default: return REPORT_OTHER;
    }
}

const char *report_proto_name(enum report_proto p)
{
    static const char *const names[REPORT_PROTO_COUNT] = {"tcp", "udp", "icmp", "other"};
    return (unsigned)p < REPORT_PROTO_COUNT ? names[p] : "?";
}

int report_next_word(const char **p)
{
    while (**p == ' ')
        (*p)++;
    return (int)strcspn(*p, " ");
}

void report_wrapped(FILE *out, const char *lead, const char *text, int hang)
{
    int col = fprintf(out, "%s", lead);
    size_t n = strlen(lead);
    bool first = n == 0 || lead[n - 1] == ' '; /* no space after an indent */
    const char *p = text;
    for (int w; (w = report_next_word(&p)) > 0; p += w) {
        if (!first && col + 1 + w > REPORT_WIDTH) {
            col = fprintf(out, "\n%*s", hang, "") - 1;
        } else if (!first) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, (size_t)w, out);
        col += w;
        first = false;
    }
    fputc('\n', out);
}

const char *report_state_meaning(enum conn_state s)
{
    switch (s) {
    case CONN_S0:     return "attempt seen, no answer";
    case CONN_S1:     return "established, not closed";
    case CONN_SF:     return "normal: established and closed";
    case CONN_REJ:    return "refused: the attempt was answered with a reset";
    case CONN_S2:     return "established, originator closed, no reply from responder";
    case CONN_S3:     return "established, responder closed, no reply from originator";
    case CONN_RSTO:   return "established, then reset by the originator";
    case CONN_RSTR:   return "established, then reset by the responder";
    case CONN_RSTOS0: return "originator sent SYN then reset, no answer seen";
    case CONN_RSTRH:  return "responder sent SYN-ACK then reset, no SYN seen";
    case CONN_SH:     return "originator sent SYN then FIN, no answer seen";
    case CONN_SHR:    return "responder sent SYN-ACK then FIN, no SYN seen";
    case CONN_OTH:    return "other: TCP without a SYN seen (midstream); ICMP always";
    default:          return "";
    }
}

const char *report_linktype_name(int linktype)
{
    switch (linktype) {
    case FW_LINKTYPE_NULL:                return "BSD loopback";
    case FW_LINKTYPE_ETHERNET:            return "Ethernet";
    case FW_LINKTYPE_PPP:                 return "PPP";
    case FW_LINKTYPE_RAW:                 return "raw IP";
    case FW_LINKTYPE_LOOP:                return "OpenBSD loopback";
    case FW_LINKTYPE_LINUX_SLL:           return "Linux cooked (SLL)";
    case FW_LINKTYPE_IEEE802_11:          return "IEEE 802.11";
    case FW_LINKTYPE_IEEE802_11_RADIOTAP: return "IEEE 802.11 radiotap";
    case FW_LINKTYPE_IPV4:                return "raw IPv4";
    case FW_LINKTYPE_IPV6:                return "raw IPv6";
    case FW_LINKTYPE_LINUX_SLL2:          return "Linux cooked v2 (SLL2)";
    default:                              return "unknown";
    }
}

/* A failed attempt: the originator asked and got no answer or a refusal. ICMP echo requests
 * (type 8, ICMPv6 128) that got no reply count too: the failover monitor depends on them. */
static bool report_is_failed(const struct conn_record *r, enum report_proto p)
{
    if (p == REPORT_TCP)
        return r->state == CONN_S0 || r->state == CONN_REJ || r->state == CONN_RSTOS0 ||
               r->state == CONN_SH;
    if (p == REPORT_UDP)
        return r->state == CONN_S0;
    if (p == REPORT_ICMP)
        return (r->orig_p == 8 || r->orig_p == 128) && r->resp_pkts == 0;
    return false;
}

void report_add(struct report *rep, const struct conn_record *r)
{
    enum report_proto p = report_proto_of(r->ip_proto);
    unsigned state = (unsigned)r->state < CONN_STATE_COUNT ? (unsigned)r->state : CONN_OTH;
    rep->conns++;
    rep->by_proto[p]++;
    rep->by_state[p][state]++;
    if ((unsigned)r->end < CONN_END_COUNT)
        rep->by_end[r->end]++;
    if (!report_is_failed(r, p))
        return;
    rep->failed++;
    uint16_t port = p == REPORT_ICMP ? r->orig_p : r->resp_p;
    struct report_fail_group *g = NULL;
    for (int i = 0; i < rep->ngroups; i++) {
        if (rep->groups[i].proto == p && rep->groups[i].port == port) {
            g = &rep->groups[i];
            break;
        }
    }
    if (g == NULL) {
        if (rep->ngroups == REPORT_FAIL_GROUPS) {
            rep->failed_unlisted++;
            return;
        }
        g = &rep->groups[rep->ngroups++];
        g->proto = p;
        g->port = port;
    }
    g->attempts++;
    g->by_state[state]++;
    if (g->nexamples < REPORT_FAIL_EXAMPLES) {
        struct report_example *e = &g->examples[g->nexamples++];
        e->orig_h = r->orig_h;
        e->resp_h = r->resp_h;
        e->orig_p = r->orig_p;
        e->resp_p = r->resp_p;
        e->state = r->state;
        e->first_frame = r->first_frame;
        conn_uid(r, e->uid, sizeof e->uid);
    }
}

static int report_group_cmp(const void *x, const void *y)
{
    const struct report_fail_group *a = *(const struct report_fail_group *const *)x;
    const struct report_fail_group *b = *(const struct report_fail_group *const *)y;
    if (a->attempts != b->attempts)
        return a->attempts > b->attempts ? -1 : 1;
    if (a->proto != b->proto)
        return a->proto < b->proto ? -1 : 1;
    return (int)a->port - (int)b->port;
}

int report_sorted_groups(const struct report *rep,
                         const struct report_fail_group *out[REPORT_FAIL_GROUPS])
{
    for (int i = 0; i < rep->ngroups; i++)
        out[i] = &rep->groups[i];
    qsort(out, (size_t)rep->ngroups, sizeof out[0], report_group_cmp);
    return rep->ngroups;
}

/* "2024-01-02 03:04:05.678901 UTC" */
static void report_utc(uint64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000u);
    struct tm tm;
    char day[24];
    if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(day, sizeof day, "?");
    snprintf(buf, len, "%s.%06u UTC", day, (unsigned)(us % 1000000u));
}

void report_print_capture(FILE *out, const struct report_capture *cap,
                          const struct analyzer_stats *st, const struct fw_config *cfg)
{
    char a[48], b[48], dur[32];
    fprintf(out, "Capture\n");
    fprintf(out, "  file         %s\n", strcmp(cap->file, "-") == 0 ? "- (stdin)" : cap->file);
    fprintf(out, "  format       %s%s\n", cap->format != NULL ? cap->format : "-",
            cap->gzip ? ", gzip-compressed" : "");
    if (cap->linktype >= 0)
        fprintf(out, "  link type    %d (%s)\n", cap->linktype,
                report_linktype_name(cap->linktype));
    fprintf(out, "  packets      %" PRIu64 "\n", cap->packets);
    /* pcapng of several interfaces (pktmon writes one per component): the copies of a packet
     * recorded at more than one are analysed once, and the reader says how many it left out. */
    if (cap->interfaces > 1 || cap->duplicates > 0)
        fprintf(out, "  interfaces   %" PRIu64 "; duplicates %" PRIu64 " (copies at another "
                     "interface or pktmon component: skipped)\n",
                cap->interfaces, cap->duplicates);
    const char *weigh = report_capture_drops(cap->kernel_drops, cap->if_drops) > 0 ?
                        " (missing packets look like unanswered attempts: weigh DROPPED "
                        "verdicts)" : "";
    if (cap->has_drops && cap->saved_drops)
        fprintf(out, "  drops        %" PRIu64 " lost while capturing, as the capturing tool "
                     "recorded them (pcapng statistics: isb_ifdrop %" PRIu64 ", isb_osdrop %"
                     PRIu64 ")%s\n", report_capture_drops(cap->kernel_drops, cap->if_drops),
                cap->if_drops, cap->kernel_drops, weigh);
    else if (cap->has_drops)
        fprintf(out, "  drops        %" PRIu64 " by the kernel, %" PRIu64 " by the interface%s\n",
                cap->kernel_drops, cap->if_drops, weigh);
    if (cap->has_stream && cap->stream_dropped > 0)
        fprintf(out, "  stream       %" PRIu64 " lines not written (its reader did not keep up "
                     "or went away); the capture lost nothing\n", cap->stream_dropped);
    if (st->frames > 0) {
        report_utc(st->first_ts_us, a, sizeof a);
        report_utc(st->last_ts_us, b, sizeof b);
        uint64_t span = st->last_ts_us >= st->first_ts_us ? st->last_ts_us - st->first_ts_us : 0;
        fprintf(out, "  time span    %s to %s (%s s)\n", a, b,
                connlog_format_time(span, dur, sizeof dur));
    }
    if (st->ts_backwards > 0)
        fprintf(out, "  out of order %" PRIu64 " packets (older than the one before, or alone "
                     "far ahead)\n",
                st->ts_backwards);
    fprintf(out, "  bad records  %" PRIu64 "%s%s%s\n", cap->bad_records,
            cap->bad_records > 0 ? " (skipped; first: " : "",
            cap->bad_records > 0 ? cap->warning : "", cap->bad_records > 0 ? ")" : "");
    if (cfg->verify_checksums)
        fprintf(out, "  checksums    verified: %" PRIu64 " bad IP (dropped), %" PRIu64
                     " bad TCP/UDP\n", st->bad_ip_cksum, st->bad_l4_cksum);
    if (cfg->verify_checksums && st->offloaded_l4_cksum > 0)
        fprintf(out, "               %" PRIu64 " TCP/UDP checksums offloaded (not damage): the "
                     "sender left them to its network card, so a capture on the sender (or across "
                     "a virtual link) shows them unfilled; analysed as good\n", st->offloaded_l4_cksum);
    else
        fprintf(out, "  checksums    not verified (captures taken on a sender show offloaded "
                     "checksums as bad)\n");
    if (cap->error != NULL)
        fprintf(out, "  READ ERROR   %s\n"
                     "               the report covers the %" PRIu64 " packets read before it\n",
                cap->error, cap->packets);
    fputc('\n', out);
}

/* What the endpoint mapper's PDUs came to: a truncated or malformed one is never trusted,
 * and a learned port depends on them, so the reader must see both; and bytes the parser never
 * read (a connection pushed out by its cap, no memory for it), since a port they named was
 * not learned. */
static void report_print_dcerpc(FILE *out, const struct analyzer_stats *st)
{
    bool unparsed = st->rpc_conns_evicted > 0 || st->rpc_alloc_failed > 0;
    if (st->rpc_pdus == 0 && !unparsed)
        return;
    fprintf(out, "  %-28s %" PRIu64 " PDUs, %" PRIu64 " dynamic ports learned\n"
                 "  %-28s %" PRIu64 " truncated, %" PRIu64 " malformed, %" PRIu64
                 " incomplete\n", "DCE/RPC on TCP 135", st->rpc_pdus,
            st->rpc_ports_learned, "  not trusted", st->rpc_truncated, st->rpc_malformed,
            st->rpc_incomplete);
    if (unparsed)
        fprintf(out, "  %-28s %" PRIu64 " connection%s pushed out (over %d at once), %" PRIu64
                     " segment%s without parser memory\n", "  not parsed",
                st->rpc_conns_evicted, st->rpc_conns_evicted == 1 ? "" : "s", RPC_CONNS_MAX,
                st->rpc_alloc_failed, st->rpc_alloc_failed == 1 ? "" : "s");
}

void report_print_decoding(FILE *out, const struct analyzer_stats *st)
{
    fprintf(out, "Decoding\n");
    for (int s = 0; s < PKT_STATUS_COUNT; s++) {
        if (s != PKT_OK && st->by_status[s] == 0)
            continue;
        fprintf(out, "  %-28s %" PRIu64, pkt_status_name((enum pkt_status)s), st->by_status[s]);
        if (s == PKT_UNSUPPORTED_LINK && st->last_unsupported_linktype >= 0)
            fprintf(out, " (link type %d)", st->last_unsupported_linktype);
        fputc('\n', out);
    }
    if (st->icmp_errors > 0)
        fprintf(out, "  %-28s %" PRIu64 " (%" PRIu64 " quote a tracked connection)\n",
                "ICMP errors", st->icmp_errors, st->icmp_errors_matched);
    report_print_dcerpc(out, st);
    fputc('\n', out);
}

void report_print_connections(FILE *out, const struct report *rep,
                              const struct analyzer_stats *st, const struct fw_config *cfg)
{
    fprintf(out, "Connections: %" PRIu64 " (tcp %" PRIu64 ", udp %" PRIu64 ", icmp %" PRIu64
                 ", other %" PRIu64 ")\n",
            rep->conns, rep->by_proto[REPORT_TCP], rep->by_proto[REPORT_UDP],
            rep->by_proto[REPORT_ICMP], rep->by_proto[REPORT_OTHER]);
    if (rep->conns > 0) {
        fprintf(out, "  %-7s %8s %8s %8s %8s  %s\n", "state", "tcp", "udp", "icmp", "other",
                "meaning");
        for (int s = 0; s < CONN_STATE_COUNT; s++) {
            uint64_t n = 0;
            for (int p = 0; p < REPORT_PROTO_COUNT; p++)
                n += rep->by_state[p][s];
            if (n == 0)
                continue;
            fprintf(out, "  %-7s", conn_state_name((enum conn_state)s));
            for (int p = 0; p < REPORT_PROTO_COUNT; p++)
                fprintf(out, " %8" PRIu64, rep->by_state[p][s]);
            fprintf(out, "  %s\n", report_state_meaning((enum conn_state)s));
        }
    }
    if (st->flows_evicted > 0)
        fprintf(out, "  WARNING: %" PRIu64 " connections were evicted when the table was full "
                     "(--max-flows %" PRIu32 ");\n  they were cut short and may look unanswered."
                     " Raise --max-flows.\n", st->flows_evicted, cfg->max_flows);
    fputc('\n', out);
}

/* "198.51.100.10:49500" or "[2001:db8::1]:80" */
static void report_endpoint(const struct fw_addr *a, uint16_t port, char *buf, size_t len)
{
    char text[FW_ADDRSTRLEN];
    fw_addr_format(a, text, sizeof text);
    snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", text, (unsigned)port);
}

void report_print_failures(FILE *out, const struct report *rep, bool all)
{
    const struct report_fail_group *g[REPORT_FAIL_GROUPS];
    int n = report_sorted_groups(rep, g);
    fprintf(out, "Attempts that failed: %" PRIu64 "\n", rep->failed);
    if (n == 0) {
        fputc('\n', out);
        return;
    }
    fprintf(out, "  %-5s %-6s %8s  %-30s %s\n", "proto", "port", "attempts", "outcomes",
            "first examples (frame)");
    int shown = all ? n : REPORT_FAIL_SHOWN;
    for (int i = 0; i < n && i < shown; i++) {
        char port[16], outcomes[64] = "", ep1[64], ep2[64];
        size_t used = 0;
        if (g[i]->proto == REPORT_ICMP)
            snprintf(port, sizeof port, "%s", g[i]->port == 8 || g[i]->port == 128 ? "echo"
                                                                                    : "?");
        else
            snprintf(port, sizeof port, "%u", (unsigned)g[i]->port);
        for (int s = 0; s < CONN_STATE_COUNT && used < sizeof outcomes; s++) {
            if (g[i]->by_state[s] == 0)
                continue;
            int w = snprintf(outcomes + used, sizeof outcomes - used, "%s%s %" PRIu64,
                             used > 0 ? ", " : "", conn_state_name((enum conn_state)s),
                             g[i]->by_state[s]);
            used += w > 0 ? (size_t)w : 0;
        }
        if (g[i]->proto == REPORT_ICMP)
            snprintf(outcomes, sizeof outcomes, "no reply %" PRIu64, g[i]->attempts);
        for (int e = 0; e < g[i]->nexamples; e++) {
            const struct report_example *x = &g[i]->examples[e];
            report_endpoint(&x->orig_h, x->orig_p, ep1, sizeof ep1);
            report_endpoint(&x->resp_h, x->resp_p, ep2, sizeof ep2);
            if (e == 0)
                fprintf(out, "  %-5s %-6s %8" PRIu64 "  %-30s ", report_proto_name(g[i]->proto),
                        port, g[i]->attempts, outcomes);
            else
                fprintf(out, "  %-5s %-6s %8s  %-30s ", "", "", "", "");
            if (g[i]->proto == REPORT_ICMP) { /* ICMP has no ports: the addresses say it */
                fw_addr_format(&x->orig_h, ep1, sizeof ep1);
                fw_addr_format(&x->resp_h, ep2, sizeof ep2);
            }
            fprintf(out, "%s > %s (%" PRIu64 ")\n", ep1, ep2, x->first_frame);
        }
    }
    if (n > shown)
        fprintf(out, "  ... %d more protocol/port groups (--all lists them)\n", n - shown);
    if (rep->failed_unlisted > 0)
        fprintf(out, "  ... %" PRIu64 " more attempts on further ports (not itemised)\n",
                rep->failed_unlisted);
    fputc('\n', out);
}

void report_print_text(FILE *out, const struct report *rep, const struct report_capture *cap,
                       const struct analyzer_stats *st, const struct fw_config *cfg, bool all)
{
    report_print_capture(out, cap, st, cfg);
    report_print_decoding(out, st);
    report_print_connections(out, rep, st, cfg);
    report_print_failures(out, rep, all);
}
