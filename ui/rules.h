/* ui/rules.h: `--rules FORMAT`: the changes to make (analyze/changes.h) printed as the rules to
 * add, ready to paste: nftables, iptables, or Windows Firewall (New-NetFirewallRule). The
 * output is a shell (or PowerShell) script: every line is a command or a `#` comment, so it can
 * be read, edited and run as it is. rules.c prints what every format shares (the device and
 * direction of each group, what each rule is for, the dynamic RPC advice, the tests to run);
 * one file per format (rules_nft.c, rules_iptables.c, rules_windows.c) writes its own rule
 * lines, and one row each in rules.c's table names it. */
#ifndef FW_RULES_H
#define FW_RULES_H

#include <stdbool.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "analyze/changes.h"

/* One output format. rule() prints the line(s) that pass r in g's device and direction, each
 * line starting with lead ("" for a rule to run, "# " for one shown only). */
struct rules_format {
    const char *name;      /* --rules NAME */
    const char *title;     /* "nftables" */
    const char *assumes;   /* one paragraph: where the rules go (table, chain, shell) */
    bool host_side;        /* its rules go on a host (Windows Firewall), not on a firewall */
    void (*rule)(FILE *out, const struct change_group *g, const struct change_rule *r,
                 const char *lead);
};

extern const struct rules_format RULES_NFT, RULES_IPTABLES, RULES_WINDOWS;

/* The format named so, or NULL; rules_format_names() lists them for messages and help. */
const struct rules_format *rules_format_find(const char *name);
const char *rules_format_names(void); /* "nftables, iptables, windows" */

/* What the rules are made from. */
struct rules_source {
    const struct verdict_collector *vc;
    const struct fw_config *cfg;
    const struct profile *profile;  /* the loaded profile: which ports are required */
    const char *profile_arg;        /* --profile as given (NULL: the default) */
    const char *rpc_range;          /* --rpc-range as given (NULL: none) */
};

/* Prints the rules in format f. Returns 0, or FW_ENOMEM (nothing printed). */
int rules_print(FILE *out, const struct rules_format *f, const struct rules_source *src);

/* For the formats' files: the port list of r as the format writes it, ranges joined by sep
 * and written LO<dash>HI ("6320, 6325-6326"; iptables: "6320,6325:6326"). */
void rules_port_list(FILE *out, const struct change_range *r, size_t n, const char *sep,
                     const char *dash);
/* A `#` comment, word-wrapped to 100 columns (continuation lines "#   "). */
void rules_comment(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The services of r and its verdicts' kinds, one short line: "Double-Take (DROPPED)". */
void rules_what(FILE *out, const struct change_rule *r);

#endif
