/* ui/rules_nft.c: --rules nftables: one `nft insert rule` per rule, in the forward chain of a
 * firewall on the path, or the input (output) chain of a host's own firewall, of the table
 * `inet filter` (Debian's /etc/nftables.conf names them so). `insert` puts the rule first in
 * its chain, ahead of the drop or reject rule that blocked the port. What each rule is for is
 * rules.c's. */
#include "rules.h"

static void nft_rule(FILE *out, const struct change_group *g, const struct change_rule *r,
                     const char *lead)
{
    const char *chain = g->device.kind != CHANGE_DEV_HOST ? "forward"
                        : g->outbound                     ? "output"
                                                          : "input";
    bool v6 = g->from.family == 6;
    /* the answers of a reply group travel the other way, from the ports */
    const struct fw_addr *src = g->reply ? &g->to : &g->from;
    const struct fw_addr *dst = g->reply ? &g->from : &g->to;
    char s[FW_ADDRSTRLEN], d[FW_ADDRSTRLEN];
    fprintf(out, "%snft insert rule inet filter %s %s saddr %s %s daddr %s ", lead, chain,
            v6 ? "ip6" : "ip", fw_addr_format(src, s, sizeof s), v6 ? "ip6" : "ip",
            fw_addr_format(dst, d, sizeof d));
    if (r->proto == VERDICT_PROTO_ECHO) {
        fprintf(out, "%s type %s accept\n", v6 ? "icmpv6" : "icmp",
                g->reply ? "echo-reply" : "echo-request");
        return;
    }
    fprintf(out, "%s %s ", verdict_proto_name(r->proto), g->reply ? "sport" : "dport");
    if (r->nranges > 1)
        fputs("{ ", out);
    rules_port_list(out, r->ranges, r->nranges, ", ", "-");
    fputs(r->nranges > 1 ? " } accept\n" : " accept\n", out);
}

const struct rules_format RULES_NFT = {
    "nftables", "nftables",
    "Run as root on the device named above each group (a sh script: 'sh FILE'); it assumes "
    "the table 'inet filter' with the chains 'forward' (a firewall on the path) and 'input', "
    "'output' (a host's own firewall), as in Debian's /etc/nftables.conf: edit the names to "
    "yours. 'nft insert' puts each rule first in its chain.",
    false, nft_rule,
};
