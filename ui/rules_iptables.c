/* ui/rules_iptables.c: --rules iptables: `iptables -I` (ip6tables for IPv6) in the FORWARD
 * chain of a firewall on the path, or INPUT (OUTPUT) of a host's own firewall. Several ports go
 * through the multiport match, which takes 15 ports at most (a range counts two): longer lists
 * are split over several rules. What each rule is for is rules.c's. */
#include "rules.h"

#define MULTIPORT_MAX 15

static void ipt_head(FILE *out, const struct change_group *g, const char *lead)
{
    const char *chain = g->device.kind != CHANGE_DEV_HOST ? "FORWARD"
                        : g->outbound                     ? "OUTPUT"
                                                          : "INPUT";
    const struct fw_addr *src = g->reply ? &g->to : &g->from;
    const struct fw_addr *dst = g->reply ? &g->from : &g->to;
    char s[FW_ADDRSTRLEN], d[FW_ADDRSTRLEN];
    fprintf(out, "%s%s -I %s -s %s -d %s", lead, g->from.family == 6 ? "ip6tables" : "iptables",
            chain, fw_addr_format(src, s, sizeof s), fw_addr_format(dst, d, sizeof d));
}

static void ipt_rule(FILE *out, const struct change_group *g, const struct change_rule *r,
                     const char *lead)
{
    if (r->proto == VERDICT_PROTO_ECHO) {
        ipt_head(out, g, lead);
        const char *type = g->reply ? "echo-reply" : "echo-request";
        if (g->from.family == 6)
            fprintf(out, " -p ipv6-icmp --icmpv6-type %s -j ACCEPT\n", type);
        else
            fprintf(out, " -p icmp --icmp-type %s -j ACCEPT\n", type);
        return;
    }
    const char *proto = verdict_proto_name(r->proto), *dir = g->reply ? "sport" : "dport";
    for (size_t i = 0; i < r->nranges;) {
        size_t j = i, slots = 0; /* the ranges [i, j) fit one multiport match */
        while (j < r->nranges) {
            size_t need = r->ranges[j].lo != r->ranges[j].hi ? 2u : 1u;
            if (slots + need > MULTIPORT_MAX)
                break;
            slots += need;
            j++;
        }
        ipt_head(out, g, lead);
        if (j - i == 1)
            fprintf(out, " -p %s --%s ", proto, dir);
        else
            fprintf(out, " -p %s -m multiport --%ss ", proto, dir);
        rules_port_list(out, r->ranges + i, j - i, ",", ":");
        fputs(" -j ACCEPT\n", out);
        i = j;
    }
}

const struct rules_format RULES_IPTABLES = {
    "iptables", "iptables",
    "Run as root on the device named above each group (a sh script: 'sh FILE'): FORWARD on a "
    "firewall on the path, INPUT or OUTPUT on a host's own. 'iptables -I' puts each rule first "
    "in its chain; save them as your system does (iptables-save, netfilter-persistent).",
    false, ipt_rule,
};
