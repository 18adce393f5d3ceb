/* ui/report_json.c: the JSON document that --json prints on stdout, "fwsight_json": 1, as
 * docs/json-schema.md describes it. Same data as the text report (report.c aggregates it);
 * member names are a stable interface for scripts: add members, never rename or drop one
 * without raising the version. "verdicts" follows "captures": one per (from, to, proto, port)
 * in the collector's order, with its evidence and advice. */
#include "report.h"

#include <string.h>

#include "json.h"
#include "report_path.h"

/* Decoder outcome names as JSON keys: one word, lower case, stable. */
static const char *report_status_key(int s)
{
    switch (s) {
    case PKT_OK:               return "ok";
    case PKT_TRUNCATED:        return "truncated";
    case PKT_MALFORMED:        return "malformed";
    case PKT_NOT_IP:           return "not_ip";
    case PKT_UNSUPPORTED_LINK: return "unsupported_link";
    case PKT_FRAGMENT:         return "fragment";
    default:                   return "unknown";
    }
}

/* Why connections ended, as JSON keys (conn_end_name() is prose with spaces). */
static const char *report_end_key(int e)
{
    switch (e) {
    case CONN_END_CLOSED:  return "closed";
    case CONN_END_TIMEOUT: return "inactivity";
    case CONN_END_ATTEMPT: return "attempt_timeout";
    case CONN_END_REUSED:  return "tuple_reused";
    case CONN_END_EVICTED: return "evicted";
    case CONN_END_INPUT:   return "end_of_input";
    default:               return "unknown";
    }
}

static void report_json_summary(struct json *j, const struct report *rep,
                                const struct analyzer_stats *st, const struct fw_config *cfg);
static void report_json_failures(struct json *j, const struct report *rep);
static void report_json_verdicts(struct json *j, const struct verdict_collector *vc);

/* What the text report's "verdicts incomplete" warning (report_verdicts_incomplete) says of
 * vc, as numbers: each capture's table, and with two captures the one the top-level verdicts
 * come from. */
static void report_json_verdict_table(struct json *j, const struct verdict_collector *vc)
{
    json_begin_object(j, "verdict_table");
    json_u64(j, "max_verdicts", verdict_cells_max(vc));
    json_u64(j, "attempts_not_kept", verdict_cells_overflow(vc));
    json_u64(j, "evicted_open_verdicts", verdict_cells_evicted(vc));
    json_u64(j, "evicted_attempts", verdict_cells_evicted_attempts(vc));
    json_end_object(j);
}

/* rep: two captures, each entry carries its own summary (and its own verdicts when the two
 * could not be combined); NULL for one capture, whose summary is at the top level. */
static void report_json_capture(struct json *j, const struct report_capture *cap,
                                const struct analyzer_stats *st, const struct fw_config *cfg,
                                const struct verdict_collector *vc, const struct report *rep,
                                bool own_verdicts)
{
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char h[FW_ADDRSTRLEN];
    json_begin_object(j, NULL);
    json_string(j, "file", cap->file);
    json_string(j, "format", cap->format);
    json_bool(j, "gzip", cap->gzip);
    if (cap->linktype >= 0)
        json_i64(j, "linktype", cap->linktype);
    else
        json_null(j, "linktype");
    json_u64(j, "packets", cap->packets);
    json_u64(j, "interfaces", cap->interfaces);
    json_u64(j, "duplicates", cap->duplicates);
    if (cap->has_stream)
        json_u64(j, "stream_lines_dropped", cap->stream_dropped);
    else
        json_null(j, "stream_lines_dropped"); /* no stream: analyze, test, the view */
    if (cap->has_drops)
        json_u64(j, "kernel_drops", report_capture_drops(cap->kernel_drops, cap->if_drops));
    else
        json_null(j, "kernel_drops");  /* a pcap file does not say, nor a pcapng without ISB */
    json_string(j, "capture_point", cp != NULL && cp->in_path ? "in-path" : cp != NULL &&
                                    cp->known ? fw_addr_format(&cp->addr, h, sizeof h) : NULL);
    if (st->frames > 0) {
        json_seconds(j, "first_ts", st->first_ts_us);
        json_seconds(j, "last_ts", st->last_ts_us);
    } else {
        json_null(j, "first_ts");
        json_null(j, "last_ts");
    }
    json_u64(j, "ts_backwards", st->ts_backwards);
    json_u64(j, "bad_records", cap->bad_records);
    json_string(j, "bad_record_warning", cap->bad_records > 0 ? cap->warning : NULL);
    json_string(j, "error", cap->error);
    json_begin_object(j, "decode");
    for (int s = 0; s < PKT_STATUS_COUNT; s++)
        json_u64(j, report_status_key(s), st->by_status[s]);
    json_end_object(j);
    json_bool(j, "checksums_verified", cfg->verify_checksums);
    json_u64(j, "bad_ip_checksums", st->bad_ip_cksum);
    json_u64(j, "bad_l4_checksums", st->bad_l4_cksum);
    json_u64(j, "offloaded_l4_checksums", st->offloaded_l4_cksum);
    json_u64(j, "icmp_errors", st->icmp_errors);
    json_u64(j, "icmp_errors_matched", st->icmp_errors_matched);
    json_begin_object(j, "dcerpc");
    json_u64(j, "pdus", st->rpc_pdus);
    json_u64(j, "truncated", st->rpc_truncated);
    json_u64(j, "malformed", st->rpc_malformed);
    json_u64(j, "incomplete", st->rpc_incomplete);
    json_u64(j, "ports_learned", st->rpc_ports_learned);
    json_u64(j, "connections_evicted", st->rpc_conns_evicted);
    json_u64(j, "memory_failures", st->rpc_alloc_failed);
    json_end_object(j);
    report_json_verdict_table(j, vc);
    if (rep != NULL) {
        report_json_summary(j, rep, st, cfg);
        report_json_failures(j, rep);
    }
    if (own_verdicts)
        report_json_verdicts(j, vc);
    json_end_object(j);
}

static void report_json_verdicts(struct json *j, const struct verdict_collector *vc)
{
    json_begin_array(j, "verdicts");
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], by[FW_ADDRSTRLEN];
        json_begin_object(j, NULL);
        json_string(j, "from", fw_addr_format(&it->from, from, sizeof from));
        json_string(j, "to", fw_addr_format(&it->to, to, sizeof to));
        json_string(j, "proto", verdict_proto_name(it->proto));
        if (it->proto == VERDICT_PROTO_ECHO)
            json_null(j, "port");
        else
            json_u64(j, "port", it->port);
        json_string(j, "service", it->service);
        json_string(j, "verdict", verdict_name(it->v.kind));
        json_string(j, "answered_by", it->v.answered_by.family != 0 ?
                                          fw_addr_format(&it->v.answered_by, by, sizeof by) : NULL);
        json_string(j, "answered_by_basis", verdict_basis_name(it->v.basis));
        json_string(j, "confidence", verdict_conf_name(it->confidence));
        json_bool(j, "inferred", it->inferred);
        json_string(j, "lookalike", verdict_lookalike_name(it->lookalike));
        /* One capture taken on the path only: on a host's, whatever blocked is beyond it. */
        if (verdict_capture_point(vc)->in_path)
            json_string(j, "where", verdict_where_name(it->where));
        json_string(j, "cause", it->cause);
        json_bool(j, "blocking", verdict_item_blocking(it));
        verdict_item_words(it);
        json_begin_array(j, "evidence");
        for (int e = 0; e < it->nevidence; e++)
            json_string(j, NULL, it->evidence[e]);
        json_end_array(j);
        json_string(j, "advice", it->advice);
        json_end_object(j);
    }
    json_end_array(j);
}

static void report_json_summary(struct json *j, const struct report *rep,
                                const struct analyzer_stats *st, const struct fw_config *cfg)
{
    json_begin_object(j, "connections_summary");
    json_u64(j, "total", rep->conns);
    json_begin_object(j, "by_proto");
    for (int p = 0; p < REPORT_PROTO_COUNT; p++) {
        json_begin_object(j, report_proto_name((enum report_proto)p));
        json_u64(j, "total", rep->by_proto[p]);
        json_begin_object(j, "conn_state");
        for (int s = 0; s < CONN_STATE_COUNT; s++)
            json_u64(j, conn_state_name((enum conn_state)s), rep->by_state[p][s]);
        json_end_object(j);
        json_end_object(j);
    }
    json_end_object(j);
    json_begin_object(j, "ended_by");
    for (int e = 0; e < CONN_END_COUNT; e++)
        json_u64(j, report_end_key(e), rep->by_end[e]);
    json_end_object(j);
    json_u64(j, "evictions", st->flows_evicted);
    json_u64(j, "max_flows", cfg->max_flows);
    json_u64(j, "peak_flows", st->flows_peak);
    json_end_object(j);
}

static void report_json_failures(struct json *j, const struct report *rep)
{
    const struct report_fail_group *g[REPORT_FAIL_GROUPS];
    int n = report_sorted_groups(rep, g);
    json_begin_object(j, "failed_attempts");
    json_u64(j, "total", rep->failed);
    json_u64(j, "unlisted", rep->failed_unlisted);
    json_begin_array(j, "groups");
    for (int i = 0; i < n; i++) {
        char orig[FW_ADDRSTRLEN], resp[FW_ADDRSTRLEN];
        json_begin_object(j, NULL);
        json_string(j, "proto", report_proto_name(g[i]->proto));
        if (g[i]->proto == REPORT_ICMP) {
            json_null(j, "resp_p");
            json_u64(j, "icmp_type", g[i]->port);
        } else {
            json_u64(j, "resp_p", g[i]->port);
        }
        json_u64(j, "attempts", g[i]->attempts);
        json_begin_object(j, "conn_state");
        for (int s = 0; s < CONN_STATE_COUNT; s++)
            if (g[i]->by_state[s] > 0)
                json_u64(j, conn_state_name((enum conn_state)s), g[i]->by_state[s]);
        json_end_object(j);
        json_begin_array(j, "examples");
        for (int e = 0; e < g[i]->nexamples; e++) {
            const struct report_example *x = &g[i]->examples[e];
            json_begin_object(j, NULL);
            json_string(j, "uid", x->uid);
            json_string(j, "id.orig_h", fw_addr_format(&x->orig_h, orig, sizeof orig));
            json_u64(j, "id.orig_p", x->orig_p);
            json_string(j, "id.resp_h", fw_addr_format(&x->resp_h, resp, sizeof resp));
            json_u64(j, "id.resp_p", x->resp_p);
            json_string(j, "conn_state", conn_state_name(x->state));
            json_u64(j, "first_frame", x->first_frame);
            json_end_object(j);
        }
        json_end_array(j);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}

void report_print_json(FILE *out, const struct report *rep, const struct report_capture *cap,
                       const struct analyzer_stats *st, const struct fw_config *cfg,
                       const struct verdict_collector *vc)
{
    report_print_json_more(out, rep, cap, st, cfg, vc, NULL, NULL, NULL);
}

void report_print_json_more(FILE *out, const struct report *rep, const struct report_capture *cap,
                            const struct analyzer_stats *st, const struct fw_config *cfg,
                            const struct verdict_collector *vc, report_json_more_fn more,
                            void *ctx, const struct report_answer *ans)
{
    struct json j;
    json_init(&j, out, true);
    json_begin_object(&j, NULL);
    json_u64(&j, "fwsight_json", 2);
    json_begin_array(&j, "captures");
    report_json_capture(&j, cap, st, cfg, vc, NULL, false);
    json_end_array(&j);
    report_json_verdicts(&j, vc);
    report_json_changes(&j, vc, cfg, ans);
    report_json_summary(&j, rep, st, cfg);
    report_json_failures(&j, rep);
    if (more != NULL)
        more(&j, ctx);
    json_end_object(&j);
}

void report_print_two_json(FILE *out, const struct report_two *t, const struct fw_config *cfg,
                           const struct report_answer *ans)
{
    const struct correlate_result *r = t->corr;
    /* Combined: the verdicts of both captures together. Not combined: the first capture's,
     * as with one capture (each capture entry holds its own). */
    const struct verdict_collector *top = t->combined != NULL ? t->combined : t->vc[0];
    struct json j;
    json_init(&j, out, true);
    json_begin_object(&j, NULL);
    json_u64(&j, "fwsight_json", 2);
    json_begin_array(&j, "captures");
    for (int i = 0; i < 2; i++)
        report_json_capture(&j, t->cap[i], t->st[i], cfg, t->vc[i], t->rep[i],
                            t->combined == NULL);
    json_end_array(&j);
    json_begin_object(&j, "correlation");
    json_bool(&j, "combined", t->combined != NULL);
    json_bool(&j, "same_capture_point", r->same_host);
    json_u64(&j, "matched", r->matched);
    json_u64(&j, "only_first", r->only[0]);
    json_u64(&j, "only_second", r->only[1]);
    json_u64(&j, "offset_pairs", r->offset_pairs);
    if (r->offset_known)
        json_i64(&j, "clock_offset_us", r->offset_us);
    else
        json_null(&j, "clock_offset_us");
    report_json_verdict_table(&j, top); /* the cap on the verdicts that follow */
    json_end_object(&j);
    report_json_verdicts(&j, top);
    report_json_changes(&j, top, cfg, ans);
    report_json_summary(&j, t->rep[0], t->st[0], cfg);
    report_json_failures(&j, t->rep[0]);
    if (t->path != NULL)
        report_json_path(&j, t->path);
    json_end_object(&j);
}
