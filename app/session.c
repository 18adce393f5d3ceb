/* app/session.c: one analysis wired once (see session.h), and the table of outputs. Each row
 * adapts one ui/ printer to the session's result: the printers keep their own arguments, the
 * commands only name a row. The messages of a failing conn.log are said here, as the
 * connection that failed ends: the user may stop the run then. */
#include "session.h"

#include <string.h>

#include "capture/cap_live.h"
#include "ui/msg.h"

static void session_text(FILE *out, const struct session_result *r)
{
    const struct report_two *t = r->two;
    struct report_answer ans = { r->profile, r->profile_arg, r->rpc_range,
                                 r->opt != NULL && r->opt->all };
    if (r->ncap == 2) {
        report_print_two_text(out, t, r->cfg, &ans);
        return;
    }
    if (r->after_stream)
        fputc('\n', out);
    report_print_verdicts(out, t->vc[0], r->cfg, &ans);
    report_print_locate(out, r->located, r->nlocated, r->locate);
    report_print_text(out, t->rep[0], t->cap[0], t->st[0], r->cfg, ans.all);
}

static void session_json_locate(struct json *j, void *ctx)
{
    const struct session_result *r = ctx;
    report_json_locate(j, r->located, r->nlocated);
}

static void session_json(FILE *out, const struct session_result *r)
{
    const struct report_two *t = r->two;
    struct report_answer ans = { r->profile, r->profile_arg, r->rpc_range,
                                 r->opt != NULL && r->opt->all };
    if (r->ncap == 2)
        report_print_two_json(out, t, r->cfg, &ans);
    else
        report_print_json_more(out, t->rep[0], t->cap[0], t->st[0], r->cfg, t->vc[0],
                               r->locate ? session_json_locate : NULL, (void *)r, &ans);
}

static void session_connlog(struct session *s, const struct conn_record *r)
{
    uint64_t open_us = s->log_open_us != 0 ? s->log_open_us : analyzer_stats(s->a)->first_ts_us;
    if (connlog_write(s->log, r, open_us) == 0 || s->log->error_told)
        return;
    s->log->error_told = true;
    msg_printf("fwsight: %s: writing the conn.log failed: %s (at packet %llu); the analysis "
               "goes on without it\n", s->log_path, strerror(s->log->error),
               (unsigned long long)analyzer_stats(s->a)->frames);
}

static void session_rules(FILE *out, const struct session_result *r)
{
    const struct report_two *t = r->two;
    struct rules_source src = { t->combined != NULL ? t->combined : t->vc[0], r->cfg,
                                r->profile, r->profile_arg, r->rpc_range };
    if (rules_print(out, r->opt->rules, &src) != 0)
        msg_printf("fwsight: out of memory: no rules printed\n");
}

const struct session_output session_outputs[SESSION_NFORMATS] = {
    [SESSION_TEXT] = { "text report", "(default)", session_text, NULL },
    [SESSION_JSON] = { "JSON report", "--json", session_json, NULL },
    [SESSION_CONNLOG] = { "conn.log", "--conn-log PATH", NULL, session_connlog },
    [SESSION_RULES] = { "rules", "--rules FORMAT", session_rules, NULL },
};

/* The analyzer's sink: every finished connection, to each output that wants it as it ends,
 * then to the report's aggregate, the view and the command; none is kept. */
static void session_conn(void *ctx, const struct conn_record *r)
{
    struct session *s = ctx;
    if (s->log != NULL)
        session_outputs[SESSION_CONNLOG].conn(s, r);
    report_add(&s->rep, r);
    if (s->attempts != NULL)
        attempt_ring_add(s->attempts, r);
    if (s->hook != NULL)
        s->hook(s->hook_ctx, r);
}

int session_init(struct session *s, const struct fw_config *cfg)
{
    report_init(&s->rep);
    s->a = analyzer_new(cfg, session_conn, s);
    return s->a != NULL ? 0 : -1;
}

void session_feed(struct session *s, const struct frame *f)
{
    analyzer_feed(s->a, f);
}

bool session_advance(struct session *s, uint64_t now_us)
{
    return analyzer_advance(s->a, now_us);
}

void session_finish(struct session *s, bool has_drops, uint64_t drops)
{
    if (has_drops)
        analyzer_set_capture_drops(s->a, drops);
    analyzer_finish(s->a);
}

void session_live_capture(struct session *s, struct cap_live *cap, uint64_t packets,
                          const char *error)
{
    struct cap_live_stats cs;
    cap_live_stats(cap, &cs);
    snprintf(s->cap_name, sizeof s->cap_name, "live:%s", cap_live_iface(cap));
    s->cap = (struct report_capture){
        .file = s->cap_name, .format = "live", .linktype = cap_live_linktype(cap),
        .packets = packets, .warning = "", .error = error, .has_drops = true,
        .kernel_drops = cs.kernel_drops, .if_drops = cs.if_drops,
    };
}

void session_result_one(const struct session *s, struct report_two *two)
{
    *two = (struct report_two){
        .rep = { &s->rep }, .cap = { &s->cap }, .st = { analyzer_stats(s->a) },
        .vc = { analyzer_verdicts(s->a) },
    };
}

void session_print(FILE *out, const struct session_result *r)
{
    enum session_format f = r->opt == NULL           ? SESSION_TEXT
                            : r->opt->rules != NULL ? SESSION_RULES
                            : r->opt->json          ? SESSION_JSON
                                                    : SESSION_TEXT;
    if (session_outputs[f].print != NULL)
        session_outputs[f].print(out, r);
}

bool session_blocking(const struct session_result *r)
{
    return r->ncap == 2 ? report_two_blocking(r->two) : report_blocking(r->two->vc[0]);
}

void session_fini(struct session *s)
{
    analyzer_free(s->a);
    s->a = NULL;
}
