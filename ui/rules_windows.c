/* ui/rules_windows.c: --rules windows: New-NetFirewallRule (PowerShell, as Administrator) for
 * a Windows host's own firewall: inbound on the host that refused or left the requests
 * unanswered, outbound on one that refused its own. A firewall on the path is no Windows host:
 * its rules are said in words (nftables and iptables write them). A silent drop seen from the
 * requester may be the target's own Windows Firewall, which drops silently by default: its
 * rule is shown, commented, for when a capture on the target shows the requests arriving. */
#include "rules.h"

#include <string.h>

/* A PowerShell single-quoted string: only ' is special, written twice. */
static void ps_quoted(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', out);
        fputc(*s, out);
    }
    fputc('\'', out);
}

static void ps_ports(FILE *out, const struct change_rule *r)
{
    for (size_t i = 0; i < r->nranges; i++) {
        fprintf(out, "%s'%u", i > 0 ? "," : "", (unsigned)r->ranges[i].lo);
        if (r->ranges[i].hi != r->ranges[i].lo)
            fprintf(out, "-%u", (unsigned)r->ranges[i].hi);
        fputc('\'', out);
    }
}

static void win_host_rule(FILE *out, const struct change_group *g, const struct change_rule *r,
                          const char *lead)
{
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], services[256], name[400];
    fw_addr_format(&g->from, from, sizeof from);
    fw_addr_format(&g->to, to, sizeof to);
    if (changes_rule_services(r, services, sizeof services) == 0)
        snprintf(services, sizeof services, "RPC dynamic range"); /* the advice's own rule */
    bool echo = r->proto == VERDICT_PROTO_ECHO, v6 = g->from.family == 6;
    snprintf(name, sizeof name, "fwsight: %s %s %s %s", services,
             echo ? "ICMP echo" : r->proto == 6 ? "TCP" : "UDP", g->outbound ? "to" : "from",
             g->outbound ? to : from);
    fprintf(out, "%sNew-NetFirewallRule -DisplayName ", lead);
    ps_quoted(out, name);
    fprintf(out, " -Direction %s", g->outbound ? "Outbound" : "Inbound");
    if (echo)
        fprintf(out, " -Protocol %s -IcmpType %s", v6 ? "ICMPv6" : "ICMPv4", v6 ? "128" : "8");
    else {
        fprintf(out, " -Protocol %s -%s ", r->proto == 6 ? "TCP" : "UDP",
                g->outbound ? "RemotePort" : "LocalPort");
        ps_ports(out, r);
    }
    fprintf(out, " -LocalAddress %s -RemoteAddress %s -Action Allow\n",
            g->outbound ? from : to, g->outbound ? to : from);
}

/* Every verdict of r is silence (a reset forged on the way is no Windows Firewall's). */
static bool silent(const struct change_rule *r)
{
    for (size_t i = 0; i < r->nitems; i++) {
        const struct verdict_item *it = r->items[i];
        if (it->v.kind != VERDICT_DROPPED &&
            !(it->v.kind == VERDICT_PARTIAL && it->cause != NULL &&
              strcmp(it->cause, "firewall-drop") == 0))
            return false;
    }
    return true;
}

static void win_rule(FILE *out, const struct change_group *g, const struct change_rule *r,
                     const char *lead)
{
    if (g->device.kind == CHANGE_DEV_HOST && !g->reply) {
        win_host_rule(out, g, r, lead);
        return;
    }
    char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], ports[512] = "ICMP echo";
    fw_addr_format(&g->from, from, sizeof from);
    fw_addr_format(&g->to, to, sizeof to);
    if (r->proto != VERDICT_PROTO_ECHO) {
        size_t n = (size_t)snprintf(ports, sizeof ports, "%s ", r->proto == 6 ? "TCP" : "UDP");
        changes_ranges_text(r->ranges, r->nranges, false, ports + n, sizeof ports - n);
    }
    if (g->reply)
        rules_comment(out, "  a network device, not Windows: allow %s answers from %s back to %s "
                      "there (--rules nftables or iptables write it)", ports, to, from);
    else
        rules_comment(out, "  a network device, not Windows: allow %s from %s to %s there "
                      "(--rules nftables or iptables write it)", ports, from, to);
    if (g->device.kind != CHANGE_DEV_BETWEEN || g->reply || g->never_arrived || !silent(r))
        return;
    /* Silent: it may be the target's own firewall (Windows Firewall drops without a word). */
    rules_comment(out, "  or, if it is %s's own Windows Firewall (a capture on %s shows the "
                  "requests arriving), on %s:", to, to, to);
    struct change_group host = *g;
    host.device = (struct change_device){ CHANGE_DEV_HOST, g->to };
    win_host_rule(out, &host, r, "# ");
}

const struct rules_format RULES_WINDOWS = {
    "windows", "Windows Firewall",
    "Run in PowerShell as Administrator on the Windows host named above each group (its own "
    "firewall, Windows Defender Firewall); a firewall on the path is no Windows host, and its "
    "rule is said in words.",
    true, win_rule,
};
