/* app/cli.c: option helpers every command uses (see cli.h). Messages name the command and the
 * option, and say what was expected, so a typo at 2 a.m. is fixed from the message alone. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyze/profile.h"
#include "cmd_profiles.h"
#include "ui/rules.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "fwsight %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'fwsight help %s')\n", cmd);
    return -1;
}

int cli_number(const char *cmd, const char *opt, const char *text, unsigned long lo,
               unsigned long hi, unsigned long *out)
{
    char *end, what[128];
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
        snprintf(what, sizeof what, "%s wants a number from %lu to %lu, not '%%s'", opt, lo, hi);
        return cli_usage_error(cmd, what, text);
    }
    *out = v;
    return 0;
}

int cli_addr(const char *cmd, const char *opt, const char *text, struct fw_addr *a)
{
    char what[96];
    if (fw_addr_parse(a, text))
        return 0;
    snprintf(what, sizeof what, "%s wants an IPv4 or IPv6 address, not '%%s'", opt);
    return cli_usage_error(cmd, what, text);
}

int cli_verdict_setup(const char *cmd, struct cli_verdict *v, struct verdict_config *vc)
{
    char err[FW_ERRLEN] = "";
    if ((v->source == NULL) != (v->target == NULL))
        return cli_usage_error(cmd, "%s", "--source and --target name the two servers under "
                                          "test: give both or neither");
    if (v->source != NULL && (cli_addr(cmd, "--source", v->source, &vc->source) != 0 ||
                              cli_addr(cmd, "--target", v->target, &vc->target) != 0))
        return -1;
    if (v->source != NULL && fw_addr_eq(&vc->source, &vc->target))
        return cli_usage_error(cmd, "--source and --target are the same address '%s'",
                               v->source);
    if (v->local != NULL && cli_addr(cmd, "--local", v->local, &vc->local) != 0)
        return -1;

    v->prof = profile_load_args(v->profile, v->ports, v->rpc_range, err);
    if (v->prof == NULL)
        return cli_usage_error(cmd, "%s", err);
    size_t n = verdict_ports_from_profile(v->prof, NULL, 0);
    v->vports = calloc(n > 0 ? n : 1, sizeof *v->vports);
    if (v->vports == NULL)
        return cli_usage_error(cmd, "%s", "out of memory");
    vc->ports = v->vports;
    vc->nports = verdict_ports_from_profile(v->prof, v->vports, n);
    return 0;
}

void cli_verdict_fini(struct cli_verdict *v)
{
    free(v->vports);
    profile_free(v->prof);
    v->vports = NULL;
    v->prof = NULL;
}

int cli_report_opt(const char *cmd, int c, const char *arg, struct cli_report *r)
{
    switch (c) {
    case CLI_OPT_JSON: r->json = true; return 1;
    case CLI_OPT_ALL: r->all = true; return 1;
    case CLI_OPT_RULES:
        if ((r->rules = rules_format_find(arg)) == NULL)
            return cli_usage_error(cmd, "--rules takes nftables, iptables or windows, not '%s'",
                                   arg);
        return 1;
    default: return 0;
    }
}

int cli_report_check(const char *cmd, const struct cli_report *r)
{
    if (r->rules != NULL && r->json)
        return cli_usage_error(cmd, "%s", "--rules prints the rules alone: not with --json");
    return 0;
}

bool cli_report_alone(const struct cli_report *r)
{
    return r->json || r->rules != NULL;
}
