/* ui/report_changes.c: the text report's opening, "Change to make": per device and direction
 * the ports to open, merged into lists and ranges, required before optional, each with its
 * services, verdicts and weakest confidence; the dynamic RPC range to restrict; the
 * look-alikes, one line each, named as no firewall change; and the untested ports, one line
 * per direction with the fwsight command that tests them. The lines are worded once, here
 * (report_changes_lines), and printed by the text report below, the HTML page
 * (report_html_changes.c) and the view (view_model_changes.c), so they all say the same.
 * What goes into which rule is analyze/changes.c's (the same model --rules and the JSON
 * print); the evidence per path is report_verdicts.c's, printed after this. */
#include "report.h"

#include <string.h>

#include "analyze/changes.h"

/* Beyond these, the opening ends in a line of counts (--all prints it whole; the JSON always
 * has every change and untested direction): a scan of a whole subnet must not push the matrix
 * and the evidence screens away. */
#define RC_GROUPS_SHOWN 12
#define RC_TESTS_SHOWN 6
#define RC_NOT_RULES_SHOWN 5

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

static void rc_group_text(const struct change_group *g, const struct fw_config *cfg, char *line,
                          size_t len)
{
    char from[FW_ADDRSTRLEN + 8], to[FW_ADDRSTRLEN + 8], dev[FW_ADDRSTRLEN];
    report_role_addr(cfg, &g->from, from, sizeof from);
    report_role_addr(cfg, &g->to, to, sizeof to);
    fw_addr_format(&g->device.addr, dev, sizeof dev);
    if (g->reply)
        snprintf(line, len, "On the firewall between them, the answers of %s -> %s "
                 "(the requests arrive, the answers are lost on the way back):", from, to);
    else if (g->device.kind == CHANGE_DEV_FIREWALL_AT)
        snprintf(line, len, "On the firewall at %s (it refused), %s -> %s:", dev, from, to);
    else if (g->device.kind == CHANGE_DEV_HOST && g->outbound)
        snprintf(line, len, "On %s's own firewall, outgoing, %s -> %s:", dev, from, to);
    else if (g->device.kind == CHANGE_DEV_HOST)
        snprintf(line, len, "On %s's own firewall, %s -> %s:", dev, from, to);
    else
        snprintf(line, len, "On a firewall between them (%s), %s -> %s:",
                 g->never_arrived ? "the requests never arrived" : "it did not name itself",
                 from, to);
}

/* "open TCP 6320, 6325-6326 (Double-Take, DROPPED, medium)" and its need. */
static void rc_rule_text(const struct change_rule *r, char *text, size_t len)
{
    char services[512], ports[512] = "", kinds[160] = "";
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
    snprintf(text, len, "%s %s (%s, %s, %s)", lead, what, services, kinds,
             verdict_conf_name(r->weakest));
}

static void rc_rpc_text(const struct change_rpc *r, char *text, size_t len)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], ports[256], range[80];
    fw_addr_format(&r->from, from, sizeof from);
    fw_addr_format(&r->to, to, sizeof to);
    changes_ranges_text(r->ports, r->nranges, false, ports, sizeof ports);
    if (r->lo != 0)
        snprintf(range, sizeof range, "its dynamic range %u-%u (%s)", (unsigned)r->lo,
                 (unsigned)r->hi, r->from_option ? "--rpc-range" : "the Windows default");
    else
        snprintf(range, sizeof range, "the dynamic range set on it");
    snprintf(text, len, "%s hands its RPC clients a TCP port from %s; %s was found "
             "blocked from %s (%s). Opening that port alone breaks after a restart: %s, then "
             "open the range from %s to %s ('fwsight analyze --rules windows' prints the "
             "commands).", to, range, ports, from, verdict_conf_name(r->weakest),
             r->from_option ? "the range is restricted already" : "restrict the range on the "
             "server to a small one", from, to);
}

/* Hands one line to fn; text is formatted by the caller. */
static void rc_emit(report_change_line_fn fn, void *ctx, enum report_change_line_kind kind,
                    const char *lead, int hang, const char *text, const struct change_group *g,
                    const struct change_rule *r)
{
    struct report_change_line l = { kind, lead, hang, text, g, r };
    fn(ctx, &l);
}

/* "198.51.100.10 -> 203.0.113.20 tcp 6320" ("... icmp echo"). */
#define RC_PATH_LEN (2 * FW_ADDRSTRLEN + 24)
static const char *rc_path(const struct verdict_item *it, char buf[RC_PATH_LEN])
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], port[8];
    if (it->proto == VERDICT_PROTO_ECHO)
        snprintf(port, sizeof port, "echo");
    else
        snprintf(port, sizeof port, "%u", (unsigned)it->port);
    snprintf(buf, RC_PATH_LEN, "%s -> %s %s %s", fw_addr_format(&it->from, from, sizeof from),
             fw_addr_format(&it->to, to, sizeof to), verdict_proto_name(it->proto), port);
    return buf;
}

/* The look-alikes, one line each: failures no firewall rule would fix. */
static void rc_lookalikes(const struct verdict_collector *vc, size_t count, bool all,
                          report_change_line_fn fn, void *ctx)
{
    size_t shown = 0, cap = all ? SIZE_MAX : 10;
    char text[400];
    snprintf(text, sizeof text, "Not firewall changes (%zu look-alike%s; evidence below):",
             count, count == 1 ? "" : "s");
    rc_emit(fn, ctx, RCL_LOOKALIKES, "  ", 0, text, NULL, NULL);
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->v.kind == VERDICT_OPEN || it->v.kind == VERDICT_UNTESTED ||
            it->lookalike == LOOKALIKE_NONE || verdict_item_blocking(it))
            continue;
        if (shown++ >= cap)
            continue;
        char path[RC_PATH_LEN];
        snprintf(text, sizeof text, "%s: %s (%s), no rule needed", rc_path(it, path),
                 verdict_lookalike_name(it->lookalike), verdict_name(it->v.kind));
        rc_emit(fn, ctx, RCL_LOOKALIKE, "    ", 0, text, NULL, NULL);
    }
    if (shown > cap) {
        snprintf(text, sizeof text, "... %zu more look-alikes (--all lists them)", shown - cap);
        rc_emit(fn, ctx, RCL_LOOKALIKE, "    ", 0, text, NULL, NULL);
    }
}

/* The blocked paths no firewall rule fixes (a route missing, a connection that stalls, one
 * forgotten while idle): what to change is in each one's advice, so the block gives it, up to
 * RC_NOT_RULES_SHOWN of them without --all. */
static void rc_not_rules(const struct changes *c, bool all, report_change_line_fn fn, void *ctx)
{
    char text[VERDICT_ADVICE_LEN + 200];
    snprintf(text, sizeof text, "Not a rule's to fix (%zu blocked path%s: a route missing, a "
             "connection that stalls):", c->not_rules, c->not_rules == 1 ? "" : "s");
    rc_emit(fn, ctx, RCL_NOT_RULES, "  ", 0, text, NULL, NULL);
    size_t shown = all ? c->not_rules : RC_NOT_RULES_SHOWN;
    for (size_t i = 0; i < c->not_rules && i < shown; i++) {
        const struct verdict_item *it = c->not_rule[i];
        verdict_item_words(it);
        char path[RC_PATH_LEN];
        snprintf(text, sizeof text, "%s: %s (%s): %s", rc_path(it, path),
                 verdict_name(it->v.kind), it->cause != NULL ? it->cause : "-", it->advice);
        rc_emit(fn, ctx, RCL_NOT_RULE, "    ", 6, text, NULL, NULL);
    }
    if (c->not_rules > shown) {
        snprintf(text, sizeof text, "... %zu more (--all lists them)", c->not_rules - shown);
        rc_emit(fn, ctx, RCL_NOT_RULE, "    ", 0, text, NULL, NULL);
    }
}

/* One line per direction: how many ports no attempt tried, and the test that tries them (its
 * --ports is the list). */
static void rc_tests(const struct changes *c, const struct fw_config *cfg, bool all,
                     report_change_line_fn fn, void *ctx)
{
    size_t shown = all ? c->ntests : RC_TESTS_SHOWN;
    char text[300];
    for (size_t i = 0; i < c->ntests && i < shown; i++) {
        const struct change_test *t = &c->tests[i];
        char from[FW_ADDRSTRLEN + 8], to[FW_ADDRSTRLEN + 8], host[FW_ADDRSTRLEN];
        snprintf(text, sizeof text, "Untested %s -> %s (%u port%s): run on %s while capturing:",
                 report_role_addr(cfg, &t->from, from, sizeof from),
                 report_role_addr(cfg, &t->to, to, sizeof to), (unsigned)t->nports,
                 t->nports == 1 ? "" : "s", fw_addr_format(&t->from, host, sizeof host));
        rc_emit(fn, ctx, RCL_TEST, "  ", 0, text, NULL, NULL);
        rc_emit(fn, ctx, RCL_COMMAND, "    ", 0, t->command, NULL, NULL);
    }
    if (c->ntests > shown) {
        unsigned ports = 0;
        for (size_t i = shown; i < c->ntests; i++)
            ports += c->tests[i].nports;
        snprintf(text, sizeof text, "... %zu more directions untested, %u ports in all (--all "
                 "lists them)", c->ntests - shown, ports);
        rc_emit(fn, ctx, RCL_MORE, "  ", 0, text, NULL, NULL);
    }
}

static void rc_walk(const struct changes *c, const struct verdict_collector *vc,
                    const struct fw_config *cfg, bool all, report_change_line_fn fn, void *ctx)
{
    char text[1400];
    if (c->ngroups == 0)
        rc_emit(fn, ctx, RCL_NONE, "  ", 0, "None: no port was found blocked by a firewall.",
                NULL, NULL);
    size_t shown = all ? c->ngroups : RC_GROUPS_SHOWN;
    for (size_t i = 0; i < c->ngroups && i < shown; i++) {
        const struct change_group *g = &c->groups[i];
        rc_group_text(g, cfg, text, sizeof text);
        rc_emit(fn, ctx, RCL_GROUP, "  ", 4, text, g, NULL);
        for (size_t j = 0; j < g->nrules; j++) {
            rc_rule_text(&g->rules[j], text, sizeof text);
            rc_emit(fn, ctx, RCL_RULE, "    ", 6, text, g, &g->rules[j]);
        }
    }
    if (c->ngroups > shown) {
        size_t rules = 0, required = 0;
        for (size_t i = shown; i < c->ngroups; i++) {
            rules += c->groups[i].nrules;
            required += c->groups[i].need == CHANGE_REQUIRED;
        }
        snprintf(text, sizeof text, "... %zu more places to open ports (%zu with required "
                 "ones), %zu rule%s in all (--all lists them)", c->ngroups - shown, required,
                 rules, rules == 1 ? "" : "s");
        rc_emit(fn, ctx, RCL_MORE, "  ", 0, text, NULL, NULL);
    }
    for (size_t i = 0; i < c->nrpc; i++) {
        rc_rpc_text(&c->rpc[i], text, sizeof text);
        rc_emit(fn, ctx, RCL_RPC, "  Dynamic RPC:", 4, text, NULL, NULL);
    }
    if (c->not_rules > 0)
        rc_not_rules(c, all, fn, ctx);
    if (c->lookalikes > 0)
        rc_lookalikes(vc, c->lookalikes, all, fn, ctx);
    rc_tests(c, cfg, all, fn, ctx);
    if (c->ngroups > 0)
        rc_emit(fn, ctx, RCL_HINT, "  ", 0, "('fwsight analyze --rules nftables|iptables|"
                "windows' prints these as rules to paste)", NULL, NULL);
    rc_emit(fn, ctx, RCL_END, "", 0, "", NULL, NULL);
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

int report_changes_lines(const struct verdict_collector *vc, const struct fw_config *cfg,
                         const struct report_answer *ans, report_change_line_fn fn, void *ctx)
{
    static const struct report_answer none = { 0 };
    if (ans == NULL)
        ans = &none;
    struct changes c;
    int rc = 0;
    if (vc == NULL)
        memset(&c, 0, sizeof c); /* nothing analysed yet (a view before its first verdicts) */
    else
        rc = report_changes_of(&c, vc, cfg, ans);
    if (rc == 0)
        rc_walk(&c, vc, cfg, ans->all, fn, ctx);
    changes_fini(&c);
    return rc;
}

/* The text report's way with a line: wrapped under its lead, or whole (a command to paste). */
static void rc_print_line(void *ctx, const struct report_change_line *l)
{
    FILE *out = ctx;
    if (l->kind == RCL_END)
        return;
    if (l->hang > 0)
        report_wrapped(out, l->lead, l->text, l->hang);
    else
        fprintf(out, "%s%s\n", l->lead, l->text);
}

int report_print_changes(FILE *out, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans)
{
    fputs("Change to make\n", out);
    int rc = report_changes_lines(vc, cfg, ans, rc_print_line, out);
    if (rc != 0)
        fputs("  (out of memory: see the verdicts below)\n", out);
    fputc('\n', out);
    return rc;
}
