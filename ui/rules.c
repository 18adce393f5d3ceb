/* ui/rules.c: what every --rules format shares: the table of formats, the header that says
 * what the rules assume, one comment per device and direction and per rule (what it is for,
 * its verdicts, its weakest confidence), the dynamic RPC advice with the commands that
 * restrict the range on a Windows server, what no rule fixes, and the tests to run. The rule
 * lines themselves are the formats' (rules_nft.c, rules_iptables.c, rules_windows.c); which
 * ports go into a rule is analyze/changes.c's. */
#include "rules.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define RULES_WIDTH 100 /* comments are wrapped to it; commands never are */

static const struct rules_format *const FORMATS[] = { &RULES_NFT, &RULES_IPTABLES,
                                                      &RULES_WINDOWS };
#define NFORMATS (sizeof FORMATS / sizeof FORMATS[0])

const struct rules_format *rules_format_find(const char *name)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(FORMATS[i]->name, name) == 0)
            return FORMATS[i];
    return NULL;
}

const char *rules_format_names(void)
{
    return "nftables, iptables, windows";
}

/* A comment, word-wrapped: "# " then the text, continuation lines "#   ". */
static void vcomment(FILE *out, const char *fmt, va_list ap)
{
    char text[2048];
    vsnprintf(text, sizeof text, fmt, ap);
    int col = fprintf(out, "#");
    bool first = true;
    const char *p = text;
    for (int w; (w = report_next_word(&p)) > 0; p += w) {
        if (!first && col + 1 + w > RULES_WIDTH)
            col = fprintf(out, "\n#  ") - 1;
        fputc(' ', out);
        fwrite(p, 1, (size_t)w, out);
        col += w + 1;
        first = false;
    }
    fputc('\n', out);
}

void rules_comment(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcomment(out, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void comment(FILE *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vcomment(out, fmt, ap);
    va_end(ap);
}

void rules_port_list(FILE *out, const struct change_range *r, size_t n, const char *sep,
                     const char *dash)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s%u", i > 0 ? sep : "", (unsigned)r[i].lo);
        if (r[i].hi != r[i].lo)
            fprintf(out, "%s%u", dash, (unsigned)r[i].hi);
    }
}

/* "Double-Take: tcp 6320,6325-6326, DROPPED, confidence medium" into buf. */
static void what_text(const struct change_rule *r, char *buf, size_t len)
{
    char services[512], ports[512];
    changes_rule_services(r, services, sizeof services);
    if (r->proto == VERDICT_PROTO_ECHO)
        snprintf(ports, sizeof ports, "ICMP echo");
    else if (changes_ranges_text(r->ranges, r->nranges, false, ports, sizeof ports) >=
             sizeof ports)
        snprintf(ports + sizeof ports - 5, 5, "...");
    bool kinds[VERDICT_KIND_COUNT] = { false };
    for (size_t i = 0; i < r->nitems; i++)
        kinds[r->items[i]->v.kind] = true;
    char k[160] = "";
    size_t at = 0;
    for (int i = 0; i < VERDICT_KIND_COUNT && at < sizeof k; i++)
        if (kinds[i])
            at += (size_t)snprintf(k + at, sizeof k - at, "%s%s", at > 0 ? "/" : "",
                                   verdict_name((enum verdict_kind)i));
    snprintf(buf, len, "%s: %s%s%s, %s, confidence %s", services,
             r->proto == VERDICT_PROTO_ECHO ? "" : verdict_proto_name(r->proto),
             r->proto == VERDICT_PROTO_ECHO ? "" : " ", ports, k, verdict_conf_name(r->weakest));
}

void rules_what(FILE *out, const struct change_rule *r)
{
    char buf[1200];
    what_text(r, buf, sizeof buf);
    fputs(buf, out);
}

/* "198.51.100.10 -> 203.0.113.20, on the firewall at 198.51.100.1 (...)". */
static void group_header(FILE *out, const struct change_group *g)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], dev[FW_ADDRSTRLEN];
    fw_addr_format(&g->from, from, sizeof from);
    fw_addr_format(&g->to, to, sizeof to);
    fw_addr_format(&g->device.addr, dev, sizeof dev);
    fputc('\n', out);
    if (g->reply)
        comment(out, "%s -> %s, the answers: on the firewall between them (the requests arrive, "
                "the answers are lost on the way back)", from, to);
    else if (g->device.kind == CHANGE_DEV_FIREWALL_AT)
        comment(out, "%s -> %s: on the firewall at %s (it refuses with ICMP)", from, to, dev);
    else if (g->device.kind == CHANGE_DEV_HOST && g->outbound)
        comment(out, "%s -> %s: on %s's own firewall, outgoing (it refuses its own requests)",
                from, to, dev);
    else if (g->device.kind == CHANGE_DEV_HOST)
        comment(out, "%s -> %s: on %s's own firewall (it refuses, or the requests arrive there "
                "and go unanswered)", from, to, dev);
    else
        comment(out, "%s -> %s: on the firewall between them (it did not name itself)", from,
                to);
}

static void print_groups(FILE *out, const struct rules_format *f, const struct changes *c)
{
    for (size_t i = 0; i < c->ngroups; i++) {
        const struct change_group *g = &c->groups[i];
        group_header(out, g);
        for (size_t j = 0; j < g->nrules; j++) {
            const struct change_rule *r = &g->rules[j];
            char what[1200];
            what_text(r, what, sizeof what);
            if (r->need == CHANGE_OTHER) {
                comment(out, "not needed by the profile (attempted and blocked: open it only "
                        "if something needs it): %s", what);
                f->rule(out, g, r, "# ");
            } else {
                comment(out, "%s: %s", change_need_name(r->need), what);
                f->rule(out, g, r, "");
            }
        }
    }
}

/* Where a dynamic range comes from, in words. */
static const char *range_origin(const struct change_rpc *r)
{
    if (r->from_option)
        return "--rpc-range: the range set on the server";
    if (r->lo == 49152 && r->hi == 65535)
        return "the Windows default since Windows Server 2008";
    if (r->lo == 1025 && r->hi == 5000)
        return "the default of Windows Server 2003 and earlier";
    return "the profile's";
}

/* The example range the restricting commands set: 255 ports (netsh takes no fewer), inside
 * the current default range so that nothing else there expected them. */
#define RPC_EXAMPLE_LO 50000u
#define RPC_EXAMPLE_NUM 255u

static void print_rpc(FILE *out, const struct rules_format *f, const struct change_rpc *r)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], ports[256];
    fw_addr_format(&r->from, from, sizeof from);
    fw_addr_format(&r->to, to, sizeof to);
    changes_ranges_text(r->ports, r->nranges, false, ports, sizeof ports);
    fputc('\n', out);
    if (r->lo != 0)
        comment(out, "Dynamic RPC: %s hands its RPC clients a TCP port from its dynamic range "
                "%u-%u (%s); %s was found blocked from %s (confidence %s). The rule above "
                "opens only the port%s found blocked: after a restart the service may take "
                "another one.", to, (unsigned)r->lo, (unsigned)r->hi, range_origin(r), ports,
                from, verdict_conf_name(r->weakest), r->nranges > 1 ? "s" : "");
    else
        comment(out, "Dynamic RPC: %s hands its RPC clients a TCP port from the dynamic range "
                "set on it ('netsh int ipv4 show dynamicport tcp' shows it there); %s was found "
                "blocked from %s (confidence %s). The rule above opens only the port%s found "
                "blocked: after a restart the service may take another one.", to, ports, from,
                verdict_conf_name(r->weakest), r->nranges > 1 ? "s" : "");
    struct change_range range = { 6, r->lo, r->hi };
    if (!r->from_option) {
        range.lo = RPC_EXAMPLE_LO;
        range.hi = RPC_EXAMPLE_LO + RPC_EXAMPLE_NUM - 1;
        comment(out, "Restrict the range on %s (Windows, as Administrator) to a small one, "
                "%u-%u here, then open that range from %s to %s. Either RPC's own range "
                "(registry, Microsoft KB 154596; restart the server after):", to,
                (unsigned)range.lo, (unsigned)range.hi, from, to);
        fprintf(out, "#   reg add HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet /v Ports "
                "/t REG_MULTI_SZ /d %u-%u /f\n", (unsigned)range.lo, (unsigned)range.hi);
        fputs("#   reg add HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet /v PortsInternetAvailable "
              "/t REG_SZ /d Y /f\n", out);
        fputs("#   reg add HKLM\\SOFTWARE\\Microsoft\\Rpc\\Internet /v UseInternetPorts "
              "/t REG_SZ /d Y /f\n", out);
        comment(out, "or the dynamic TCP port range of the whole server, which RPC uses when "
                "the registry sets none; it also moves every program's outgoing ports "
                "(netsh, Microsoft KB 929851; 255 ports at least):");
        fprintf(out, "#   netsh int ipv4 set dynamicport tcp start=%u num=%u\n",
                RPC_EXAMPLE_LO, RPC_EXAMPLE_NUM);
        comment(out, "then open the range you chose:");
    } else {
        comment(out, "The range is restricted already: open it from %s to %s:", from, to);
    }
    struct change_rule rule = { .need = CHANGE_OPTIONAL, .proto = 6, .ranges = &range,
                                .nranges = 1, .nports = (uint32_t)(range.hi - range.lo) + 1u };
    struct change_group g = { .device = { CHANGE_DEV_BETWEEN, { 0 } }, .from = r->from,
                              .to = r->to, .rules = &rule, .nrules = 1 };
    if (f->host_side)
        g.device = (struct change_device){ CHANGE_DEV_HOST, r->to };
    f->rule(out, &g, &rule, "# ");
}

static void print_tests(FILE *out, const struct changes *c)
{
    if (c->ntests == 0)
        return;
    fputc('\n', out);
    comment(out, "Untested (no attempt seen in that direction): run each test on the host "
            "named, while capturing there.");
    for (size_t i = 0; i < c->ntests; i++) {
        const struct change_test *t = &c->tests[i];
        char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], list[1024];
        if (changes_ranges_text(t->ranges, t->nranges, true, list, sizeof list) >= sizeof list)
            snprintf(list + sizeof list - 5, 5, "...");
        fw_addr_format(&t->from, from, sizeof from);
        fw_addr_format(&t->to, to, sizeof to);
        fprintf(out, "#   %s -> %s: %s\n", from, to, list);
        fprintf(out, "#     on %s: %s\n", from, t->command);
    }
}

int rules_print(FILE *out, const struct rules_format *f, const struct rules_source *src)
{
    struct report_answer ans = { src->profile, src->profile_arg, src->rpc_range, false };
    struct changes c;
    if (report_changes_of(&c, src->vc, src->cfg, &ans) != 0)
        return FW_ENOMEM;
    comment(out, "fwsight --rules %s: the rules to add, from the verdicts of the capture. "
            "Each passes exactly the addresses and the ports found blocked, nothing wider; "
            "required ports first. %s", f->name, f->assumes);
    if (c.ngroups == 0) {
        fputc('\n', out);
        comment(out, "Nothing to open: no port was found blocked by a firewall.");
    }
    print_groups(out, f, &c);
    for (size_t i = 0; i < c.nrpc; i++)
        print_rpc(out, f, &c.rpc[i]);
    if (c.not_rules > 0 || c.lookalikes > 0)
        fputc('\n', out);
    if (c.not_rules > 0)
        comment(out, "Not a rule's to fix: %zu blocked path%s (a route missing, a connection "
                "that stalls); the report's change-to-make block says what to do.", c.not_rules,
                c.not_rules == 1 ? "" : "s");
    if (c.lookalikes > 0)
        comment(out, "%zu failure%s only look%s like a firewall's (a full backlog, rate "
                "limits, a capture cut short...): no rule is needed for %s.", c.lookalikes,
                c.lookalikes == 1 ? "" : "s", c.lookalikes == 1 ? "s" : "",
                c.lookalikes == 1 ? "it" : "them");
    print_tests(out, &c);
    changes_fini(&c);
    return 0;
}
