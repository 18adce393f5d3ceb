/* ui/report_json_changes.c: the JSON report's "changes" array: analyze/changes.h written as
 * data, one object per device and direction with its rules (protocol, port ranges, need,
 * verdicts, weakest confidence), so that a script reads the same change to make as the text
 * report, --rules and --html print. The members are documented in docs/json-schema.md. */
#include "report.h"

#include "analyze/changes.h"
#include "json.h"

static const char *kind_key(const struct change_group *g)
{
    return g->device.kind == CHANGE_DEV_FIREWALL_AT ? "firewall-at"
           : g->device.kind == CHANGE_DEV_HOST      ? "host"
                                                    : "between";
}

static void json_rule(struct json *j, const struct change_rule *r)
{
    json_begin_object(j, NULL);
    json_string(j, "proto", verdict_proto_name(r->proto));
    if (r->proto == VERDICT_PROTO_ECHO) {
        json_null(j, "ports");
    } else {
        json_begin_array(j, "ports");
        for (size_t i = 0; i < r->nranges; i++) {
            json_begin_array(j, NULL);
            json_u64(j, NULL, r->ranges[i].lo);
            json_u64(j, NULL, r->ranges[i].hi);
            json_end_array(j);
        }
        json_end_array(j);
    }
    json_u64(j, "nports", r->nports);
    json_string(j, "need", change_need_name(r->need));
    bool seen[VERDICT_KIND_COUNT] = { false };
    for (size_t i = 0; i < r->nitems; i++)
        seen[r->items[i]->v.kind] = true;
    json_begin_array(j, "verdicts");
    for (int k = 0; k < VERDICT_KIND_COUNT; k++)
        if (seen[k])
            json_string(j, NULL, verdict_name((enum verdict_kind)k));
    json_end_array(j);
    json_string(j, "confidence", verdict_conf_name(r->weakest));
    char services[512];
    changes_rule_services(r, services, sizeof services);
    json_string(j, "services", services);
    json_bool(j, "rpc_dynamic", r->rpc_dynamic);
    json_end_object(j);
}

void report_json_changes(struct json *j, const struct verdict_collector *vc,
                         const struct fw_config *cfg, const struct report_answer *ans)
{
    static const struct report_answer none = { 0 };
    if (ans == NULL)
        ans = &none;
    struct changes c;
    report_changes_of(&c, vc, cfg, ans); /* out of memory: c is empty, so are the arrays */
    json_begin_array(j, "changes");
    for (size_t i = 0; i < c.ngroups; i++) {
        const struct change_group *g = &c.groups[i];
        char a[FW_ADDRSTRLEN];
        json_begin_object(j, NULL);
        json_string(j, "device", g->device.addr.family != 0
                                     ? fw_addr_format(&g->device.addr, a, sizeof a) : NULL);
        json_string(j, "device_kind", kind_key(g));
        json_string(j, "from", fw_addr_format(&g->from, a, sizeof a));
        json_string(j, "to", fw_addr_format(&g->to, a, sizeof a));
        json_bool(j, "reply", g->reply);
        json_bool(j, "outbound", g->outbound);
        json_begin_array(j, "rules");
        for (size_t k = 0; k < g->nrules; k++)
            json_rule(j, &g->rules[k]);
        json_end_array(j);
        json_end_object(j);
    }
    json_end_array(j);
    json_begin_array(j, "untested");
    for (size_t i = 0; i < c.ntests; i++) {
        char a[FW_ADDRSTRLEN];
        json_begin_object(j, NULL);
        json_string(j, "from", fw_addr_format(&c.tests[i].from, a, sizeof a));
        json_string(j, "to", fw_addr_format(&c.tests[i].to, a, sizeof a));
        json_u64(j, "nports", c.tests[i].nports);
        json_string(j, "command", c.tests[i].command);
        json_end_object(j);
    }
    json_end_array(j);
    changes_fini(&c);
}
