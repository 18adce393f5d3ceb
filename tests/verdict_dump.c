/* tests/verdict_dump.c: a test driver for the verdict engine. Reads one capture, runs the
 * analysis and prints one line per verdict: "from to proto port verdict answered_by" (tab
 * separated, "-" for none), then the capture point as a comment line. With -v it adds the
 * confidence, evidence and advice. tests/samples_verdicts.sh compares its lines with
 * samples/.../expected.tsv. The ports under test are the double-take profile's (PRODUCT.md). */
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "capture/cap_file.h"

static const struct verdict_port DOUBLE_TAKE[] = {
    { 6, 6320, 6320, "Double-Take", false },       { 17, 6320, 6320, "Double-Take", false },
    { 6, 6325, 6326, "Double-Take", false },       { 17, 6325, 6326, "Double-Take", false },
    { VERDICT_PROTO_ECHO, 0, 0, "failover monitor", false },
    { 6, 135, 135, "WMI / RPC", false },           { 6, 49152, 65535, "WMI / RPC", true },
    { 6, 1025, 5000, "WMI / RPC", true },          { 6, 136, 139, "File share", false },
    { 17, 135, 139, "File share", false },         { 6, 445, 445, "Directory", false },
    { 17, 445, 445, "Directory", false },          { 6, 443, 443, "ESX", false },
};

static int usage(void)
{
    fprintf(stderr, "usage: verdict_dump [-v] [--local ADDR] [--source ADDR --target ADDR] "
                    "FILE\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = DOUBLE_TAKE;
    cfg.verdict.nports = sizeof DOUBLE_TAKE / sizeof DOUBLE_TAKE[0];
    bool verbose = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        struct fw_addr *want = NULL;
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--local") == 0)
            want = &cfg.verdict.local;
        else if (strcmp(argv[i], "--source") == 0)
            want = &cfg.verdict.source;
        else if (strcmp(argv[i], "--target") == 0)
            want = &cfg.verdict.target;
        else if (path == NULL)
            path = argv[i];
        else
            return usage();
        if (want != NULL && (++i >= argc || !fw_addr_parse(want, argv[i])))
            return usage();
    }
    if (path == NULL)
        return usage();

    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(path, 0, err);
    if (cf == NULL) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    if (a == NULL) {
        cap_file_close(cf);
        return 2;
    }
    struct frame f;
    int rc;
    while ((rc = cap_file_next(cf, &f, err)) > 0)
        analyzer_feed(a, &f);
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    analyzer_finish(a);

    const struct verdict_collector *vc = analyzer_verdicts(a);
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        char from[FW_ADDRSTRLEN], to[FW_ADDRSTRLEN], by[FW_ADDRSTRLEN], port[8] = "-";
        if (it->proto != VERDICT_PROTO_ECHO)
            snprintf(port, sizeof port, "%u", (unsigned)it->port);
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", fw_addr_format(&it->from, from, sizeof from),
               fw_addr_format(&it->to, to, sizeof to), verdict_proto_name(it->proto), port,
               verdict_name(it->v.kind), fw_addr_format(&it->v.answered_by, by, sizeof by));
        if (verbose) {
            verdict_item_words(it);
            printf("#   %s, confidence %s%s\n", it->service, verdict_conf_name(it->confidence),
                   it->inferred ? ", inferred" : "");
            for (int e = 0; e < it->nevidence; e++)
                printf("#   - %s\n", it->evidence[e]);
            printf("#   advice: %s\n", it->advice);
        }
    }
    const struct verdict_capture_point *cp = verdict_capture_point(vc);
    char h[FW_ADDRSTRLEN];
    printf("# capture point: %s (%s)\n", cp->known ? fw_addr_format(&cp->addr, h, sizeof h) : "-",
           cp->how);
    if (verbose)
        printf("#   can tell: %s\n#   cannot tell: %s\n", cp->can_tell, cp->cannot_tell);
    analyzer_free(a);
    cap_file_close(cf);
    return rc < 0 ? 2 : 0;
}
