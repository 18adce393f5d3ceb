/* ui/report_changes.c: the text report's opening, "Change to make": per device and direction
 * the ports to open, merged into lists and ranges, required before optional, each with its
 * services, verdicts and weakest confidence; the dynamic RPC range to restrict; the
 * look-alikes, one line each, named as no firewall change; and the untested ports, one line
 * per direction with the fwsight command that tests them. What goes into which rule is
 * analyze/changes.c's (the same model --rules and --html print); the evidence per path is
 * report_verdicts.c's, printed after this. The words are made once, part by part
 * (report_changes_each()): the report prints them, the interactive view
 * (view_model_changes.c) wraps them to its width. */
#include "report.h"

#include <string.h>

#include "analyze/changes.h"


/* "source 198.51.100.10" when --source/--target name the host, else the address alone. */
const char *report_role_addr(const struct fw_config *cfg, const struct fw_addr *a, char *buf,
                             size_t len)
{
    char h[FW_ADDRSTRLEN];
    fw_addr_format(a, h, sizeof h);
    const char *role = "";
    if (cfg != NULL && cfg->verdict.source.family != 0) {
        if (fw_addr_eq(a, &cfg->verdict.source))
            role = "source ";
        else if (fw_addr_eq(a, &cfg->verdict.target))
            role = "target ";
    }
    snprintf(buf, len, "%s%s", role, h);
    return buf;
}

/* Hands one part to the walker's function. */
static void rc_emit(report_change_fn fn, void *ctx, enum report_change_part part,
                    enum change_need need, const char *lead, const char *text, int hang)
{
    struct report_change_line l = { part, need, lead, text, hang };
    fn(ctx, &l);
}

static void rc_group_header(const struct change_group *g, const struct fw_config *cfg,
                            report_change_fn fn, void *ctx)
{
    char from[FW_ADDRSTRLEN + 8], to[FW_ADDRSTRLEN + 8], dev[FW_ADDRSTRLEN], line[400];
    report_role_addr(cfg, &g->from, from, sizeof from);
    report_role_addr(cfg, &g->to, to, sizeof to);
    fw_addr_format(&g->device.addr, dev, sizeof dev);
    if (g->reply)
        snprintf(line, sizeof line, "On the firewall between them, the answers of %s -> %s "
                 "(the requests arrive, the answers are lost on the way back):", from, to);
    else if (g->device.kind == CHANGE_DEV_FIREWALL_AT)
        snprintf(line, sizeof line, "On the firewall at %s (it refused), %s -> %s:", dev, from,
                 to);
    else if (g->device.kind == CHANGE_DEV_HOST && g->outbound)
        snprintf(line, sizeof line, "On %s's own firewall, outgoing, %s -> %s:", dev, from, to);
    else if (g->device.kind == CHANGE_DEV_HOST)
        snprintf(line, sizeof line, "On %s's own firewall, %s -> %s:", dev, from, to);
    else
        snprintf(line, sizeof line, "On a firewall between them (%s), %s -> %s:",
                 g->never_arrived ? "the requests never arrived" : "it did not name itself",
                 from, to);
    rc_emit(fn, ctx, REPORT_CHANGE_DEVICE, g->need, "  ", line, 4);
}

/* "open TCP 6320, 6325-6326 (Double-Take, DROPPED, medium)" and its need. */
static void rc_rule(const struct change_rule *r, report_change_fn fn, void *ctx)
{
    char services[512], ports[512] = "", kinds[160] = "", text[1400];
    changes_rule_services(r, services, sizeof services);
    size_t at = 0;
    for (size_t i = 0; i < r->nranges && at < sizeof ports; i++) {
        const struct change_range *g = &r->ranges[i];
        if (g->hi != g->lo)
            at += (size_t)snprintf(ports + at, sizeof ports - at, "%s%u-%u", i > 0 ? ", " : "",
                                   (unsigned)g->lo, (unsigned)g->hi);
        else
            at += (size_t)snprintf(ports + at, sizeof ports - at, "%s%u", i > 0 ? ", " : "",
                                   (unsigned)g->lo);
    }
    bool seen[VERDICT_KIND_COUNT] = { false };
    for (size_t i = 0; i < r->nitems; i++)
        seen[r->items[i]->v.kind] = true;
    at = 0;
    for (int i = 0; i < VERDICT_KIND_COUNT && at < sizeof kinds; i++)
        if (seen[i])
            at += (size_t)snprintf(kinds + at, sizeof kinds - at, "%s%s", at > 0 ? "/" : "",
                                   verdict_name((enum verdict_kind)i));
    char what[600];
    if (r->proto == VERDICT_PROTO_ECHO)
        snprintf(what, sizeof what, "ICMP echo");
    else
        snprintf(what, sizeof what, "%s %s", r->proto == 6 ? "TCP" : "UDP", ports);
    const char *lead = r->need == CHANGE_REQUIRED   ? "open"
                       : r->need == CHANGE_OPTIONAL ? "optional, open"
                                                    : "not in the profile, open only if needed:";
    snprintf(text, sizeof text, "%s %s (%s, %s, %s)", lead, what, services, kinds,
             verdict_conf_name(r->weakest));
    rc_emit(fn, ctx, REPORT_CHANGE_RULE, r->need, "    ", text, 6);
}

static void rc_rpc(const struct change_rpc *r, report_change_fn fn, void *ctx)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], ports[256], text[900], range[80];
    fw_addr_format(&r->from, from, sizeof from);
    fw_addr_format(&r->to, to, sizeof to);
    changes_ranges_text(r->ports, r->nranges, false, ports, sizeof ports);
    if (r->lo != 0)
        snprintf(range, sizeof range, "its dynamic range %u-%u (%s)", (unsigned)r->lo,
                 (unsigned)r->hi, r->from_option ? "--rpc-range" : "the Windows default");
    else
        snprintf(range, sizeof range, "the dynamic range set on it");
    snprintf(text, sizeof text, "%s hands its RPC clients a TCP port from %s; %s was found "
             "blocked from %s (%s). Opening that port alone breaks after a restart: %s, then "
             "open the range from %s to %s ('fwsight analyze --rules windows' prints the "
             "commands).", to, range, ports, from, verdict_conf_name(r->weakest),
             r->from_option ? "the range is restricted already" : "restrict the range on the "
             "server to a small one", from, to);
    rc_emit(fn, ctx, REPORT_CHANGE_RPC, CHANGE_REQUIRED, "  Dynamic RPC:", text, 4);
}

/* The look-alikes, one line each: failures no firewall rule would fix. */
static void rc_lookalikes(const struct verdict_collector *vc, size_t count, bool all,
                          report_change_fn fn, void *ctx)
{
    char text[300];
    size_t shown = 0, cap = all ? SIZE_MAX : 10;
    snprintf(text, sizeof text, "Not firewall changes (%zu look-alike%s; evidence below):",
             count, count == 1 ? "" : "s");
    rc_emit(fn, ctx, REPORT_CHANGE_LOOKALIKES, CHANGE_OTHER, "  ", text, -1);
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->v.kind == VERDICT_OPEN || it->v.kind == VERDICT_UNTESTED ||
            it->lookalike == LOOKALIKE_NONE || verdict_item_blocking(it))
            continue;
        if (shown++ >= cap)
            continue;
        char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], port[8];
        if (it->proto == VERDICT_PROTO_ECHO)
            snprintf(port, sizeof port, "echo");
        else
            snprintf(port, sizeof port, "%u", (unsigned)it->port);
        snprintf(text, sizeof text, "%s -> %s %s %s: %s (%s), no rule needed",
                 fw_addr_format(&it->from, from, sizeof from),
                 fw_addr_format(&it->to, to, sizeof to), verdict_proto_name(it->proto), port,
                 verdict_lookalike_name(it->lookalike), verdict_name(it->v.kind));
        rc_emit(fn, ctx, REPORT_CHANGE_LOOKALIKE, CHANGE_OTHER, "    ", text, -1);
    }
    if (shown > cap) {
        snprintf(text, sizeof text, "... %zu more look-alikes (--all lists them)", shown - cap);
        rc_emit(fn, ctx, REPORT_CHANGE_LOOKALIKE, CHANGE_OTHER, "    ", text, -1);
    }
}

/* One line per direction: how many ports no attempt tried, and the test that tries them (its
 * --ports is the list). */
static void rc_tests(const struct changes *c, const struct fw_config *cfg, report_change_fn fn,
                     void *ctx)
{
    for (size_t i = 0; i < c->ntests; i++) {
        const struct change_test *t = &c->tests[i];
        char from[FW_ADDRSTRLEN + 8], to[FW_ADDRSTRLEN + 8], host[FW_ADDRSTRLEN], text[300];
        snprintf(text, sizeof text, "Untested %s -> %s (%u port%s): run on %s while capturing:",
                 report_role_addr(cfg, &t->from, from, sizeof from),
                 report_role_addr(cfg, &t->to, to, sizeof to), (unsigned)t->nports,
                 t->nports == 1 ? "" : "s", fw_addr_format(&t->from, host, sizeof host));
        rc_emit(fn, ctx, REPORT_CHANGE_TEST, CHANGE_OTHER, "  ", text, -1);
        rc_emit(fn, ctx, REPORT_CHANGE_COMMAND, CHANGE_OTHER, "    ", t->command, -1);
    }
}

void report_changes_each(const struct changes *c, const struct verdict_collector *vc,
                         const struct fw_config *cfg, bool all, report_change_fn fn, void *ctx)
{
    if (c->ngroups == 0)
        rc_emit(fn, ctx, REPORT_CHANGE_NONE, CHANGE_OTHER, "  ",
                "None: no port was found blocked by a firewall.", -1);
    for (size_t i = 0; i < c->ngroups; i++) {
        rc_group_header(&c->groups[i], cfg, fn, ctx);
        for (size_t j = 0; j < c->groups[i].nrules; j++)
            rc_rule(&c->groups[i].rules[j], fn, ctx);
    }
    for (size_t i = 0; i < c->nrpc; i++)
        rc_rpc(&c->rpc[i], fn, ctx);
    if (c->not_rules > 0) {
        char text[200];
        snprintf(text, sizeof text, "Not a rule's to fix: %zu blocked path%s (a route missing, "
                 "a connection that stalls): see its advice below", c->not_rules,
                 c->not_rules == 1 ? "" : "s");
        rc_emit(fn, ctx, REPORT_CHANGE_NOT_RULES, CHANGE_OTHER, "  ", text, -1);
    }
    if (c->lookalikes > 0 && vc != NULL)
        rc_lookalikes(vc, c->lookalikes, all, fn, ctx);
    rc_tests(c, cfg, fn, ctx);
    if (c->ngroups > 0)
        rc_emit(fn, ctx, REPORT_CHANGE_HINT, CHANGE_OTHER, "  ", "('fwsight analyze --rules "
                "nftables|iptables|windows' prints these as rules to paste)", -1);
}

int report_changes_of(struct changes *c, const struct verdict_collector *vc,
                      const struct fw_config *cfg, const struct report_answer *ans)
{
    struct profile_range rpc_range;
    char err[FW_ERRLEN];
    struct changes_input in = {
        .profile = ans->profile,
        .verdict = cfg != NULL ? &cfg->verdict : NULL,
        .profile_arg = ans->profile_arg,
        .rpc_range = ans->rpc_range != NULL &&
                             profile_parse_range(ans->rpc_range, &rpc_range, err) == 0
                         ? &rpc_range : NULL,
    };
    return changes_of_collector(c, vc, &in);
}

/* The text report's way: wrapped to REPORT_WIDTH, or one line as it is. */
static void rc_print(void *ctx, const struct report_change_line *l)
{
    FILE *out = ctx;
    if (l->hang < 0)
        fprintf(out, "%s%s\n", l->lead, l->text);
    else
        report_wrapped(out, l->lead, l->text, l->hang);
}

int report_print_changes(FILE *out, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans)
{
    static const struct report_answer none = { 0 };
    if (ans == NULL)
        ans = &none;
    struct changes c;
    if (report_changes_of(&c, vc, cfg, ans) != 0) {
        changes_fini(&c);
        fputs("Change to make\n  (out of memory: see the verdicts below)\n\n", out);
        return FW_ENOMEM;
    }
    fputs("Change to make\n", out);
    report_changes_each(&c, vc, cfg, ans->all, rc_print, out);
    fputc('\n', out);
    changes_fini(&c);
    return 0;
}
