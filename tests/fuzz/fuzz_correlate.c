/* tests/fuzz/fuzz_correlate.c: libFuzzer target for the two-capture path of `fwsight analyze
 * A B` (app/cmd_analyze.c): each capture read through the reader from a memory file and
 * analysed by its own analyzer (the default profile's ports, attempts kept for matching, the
 * second's capture point inferred), the attempts matched and the clock offset estimated
 * (analyze/correlate.c), the combined verdicts settled and worded (diagnose/), and the
 * two-capture report printed, text and JSON, to /dev/null. Input (fuzz_common.h): an options
 * byte, the first capture's length (4 bytes, big endian), the two captures. What must hold
 * besides no crash or sanitizer report: every attempt is counted once, matched or alone; an
 * offset is known exactly when some pair gave one; every verdict has its advice and at most
 * its evidence lines, each within its length. */
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/correlate.h"
#include "analyze/profile.h"
#include "capture/cap_file.h"
#include "fuzz_common.h"
#include "ui/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* As cmd_analyze.c: enough attempts kept to match a test's many times over. */
#define KEEP_ATTEMPTS 200000u

struct run {
    struct analyzer *a;
    struct report rep;
    struct report_capture cap;
    struct cap_file *cf;
    char err[FW_ERRLEN];
};

static void sink(void *ctx, const struct conn_record *r)
{
    report_add(&((struct run *)ctx)->rep, r);
}

/* Reads one capture as cmd_analyze.c's analyze_capture does. False when it cannot be
 * analysed at all (fwsight stops there with exit status 2). */
static bool analyse(struct run *run, struct fz_memfile *m, const uint8_t *data, size_t size,
                    int vantage, const struct fw_config *cfg)
{
    fz_memfile_put(m, data, size);
    run->cf = cap_file_open(m->path, vantage, run->err);
    if (run->cf == NULL)
        return false;
    const struct cap_file_info *info = cap_file_info(run->cf);
    if (info->linktype >= 0 && !decode_has_linktype(info->linktype))
        return false;
    report_init(&run->rep);
    run->a = analyzer_new(cfg, sink, run);
    if (run->a == NULL)
        return false;
    struct frame f;
    bool checked = info->linktype >= 0;
    int rc;
    while ((rc = cap_file_next(run->cf, &f, run->err)) == 1) {
        if (!checked && !decode_has_linktype(f.linktype))
            return false;
        checked = true;
        analyzer_feed(run->a, &f);
    }
    analyzer_finish(run->a);
    info = cap_file_info(run->cf);
    run->cap = (struct report_capture){
        .file = vantage ? "b.pcap" : "a.pcap", .format = info->format, .gzip = info->gzip,
        .linktype = info->linktype, .packets = info->frames, .bad_records = info->bad_records,
        .warning = cap_file_warning(run->cf), .error = rc < 0 ? run->err : NULL,
    };
    return true;
}

static void check_verdicts(const struct verdict_collector *vc)
{
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        CHECK((unsigned)it->v.kind < VERDICT_KIND_COUNT);
        CHECK(!it->worded || it->v.kind == VERDICT_UNTESTED); /* words only when asked */
        verdict_item_words(it);
        CHECK(it->worded);
        CHECK(it->nevidence >= 0 && it->nevidence <= VERDICT_MAX_EVIDENCE);
        for (int e = 0; e < it->nevidence; e++)
            CHECK(it->evidence[e] != NULL && strlen(it->evidence[e]) < VERDICT_EVIDENCE_LEN);
        CHECK(it->advice != NULL && strlen(it->advice) < VERDICT_ADVICE_LEN);
        CHECK(it->service != NULL && memchr(it->service, '\0', VERDICT_SERVICE_LEN) != NULL);
    }
}

/* The default profile's ports, made once: the collectors borrow them. */
static void default_ports(struct verdict_config *vc)
{
    static struct verdict_port ports[64];
    static size_t n;
    static struct profile *p; /* the ports' service names are its own: kept to the end */
    if (n == 0) {
        p = profile_builtin(PROFILE_DEFAULT);
        CHECK(p != NULL);
        n = verdict_ports_from_profile(p, ports, 64);
        CHECK(n <= 64);
    }
    vc->ports = ports;
    vc->nports = n;
}

/* --source/--target from the first IPv4 addresses of the first capture's first frame, as a
 * user who names the two servers would. */
static void pair_from(const uint8_t *cap, size_t n, struct verdict_config *vc)
{
    if (n < 24 + 16 + 14 + 20)
        return;
    const uint8_t *ip = cap + 24 + 16 + 14;
    fw_addr_set4(&vc->source, ip + 12);
    fw_addr_set4(&vc->target, ip + 16);
    if (fw_addr_eq(&vc->source, &vc->target))
        vc->source = vc->target = (struct fw_addr){ 0 };
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz_memfile files[2];
    static FILE *devnull;
    if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
        abort();
    if (size < FZ_CORR_HDR)
        return 0;
    uint8_t opt = data[0];
    size_t n0 = (size_t)data[1] << 24 | (size_t)data[2] << 16 | (size_t)data[3] << 8 | data[4];
    data += FZ_CORR_HDR;
    size -= FZ_CORR_HDR;
    if (n0 > size)
        n0 = size;

    struct fw_config cfg;
    fw_config_defaults(&cfg);
    default_ports(&cfg.verdict);
    if (opt & FZ_CORR_FEW_FLOWS)
        cfg.max_flows = 16;
    if (opt & FZ_CORR_FEW_CELLS)
        cfg.verdict.max_cells = 16;
    cfg.verify_checksums = (opt & FZ_CORR_CHECKSUMS) != 0;
    if (opt & FZ_CORR_PAIR)
        pair_from(data, n0, &cfg.verdict);
    cfg.verdict.keep_attempts = KEEP_ATTEMPTS;
    struct fw_config cfg2 = cfg;
    cfg2.verdict.local = (struct fw_addr){ 0 };

    struct run run[2];
    memset(run, 0, sizeof run);
    struct verdict_collector *combined = NULL;
    if (!analyse(&run[0], &files[0], data, n0, 0, &cfg) ||
        !analyse(&run[1], &files[1], data + n0, size - n0, 1, &cfg2))
        goto out;

    /* cmd_analyze.c's analyze_correlate. */
    struct correlate_side side[2];
    for (int i = 0; i < 2; i++) {
        const struct verdict_collector *vc = analyzer_verdicts(run[i].a);
        const struct verdict_capture_point *cp = verdict_capture_point(vc);
        check_verdicts(vc);
        side[i] = (struct correlate_side){ verdict_seen_at(vc, 0), verdict_seen_count(vc), {0}, {0}, 0 };
        if (cp->known)
            side[i].host = cp->addr;
    }
    struct verdict_config vcfg = cfg.verdict;
    vcfg.local = (struct fw_addr){ 0 };
    vcfg.keep_attempts = 0;
    vcfg.combined = true;
    vcfg.rpc = analyzer_rpc_ports(run[0].a);
    struct correlate_result res;
    memset(&res, 0, sizeof res);
    combined = verdict_collector_new(&vcfg);
    CHECK(combined != NULL);
    CHECK(correlate_run(&side[0], &side[1], combined, &res) == 0);
    CHECK(verdict_collector_settle(combined) == 0);
    /* Every attempt is counted once: matched (with one of the other side's), or alone. */
    CHECK(2 * (size_t)res.matched + res.only[0] + res.only[1] == side[0].n + side[1].n);
    CHECK(res.unplaced <= side[0].n + side[1].n);
    CHECK(res.offset_known == (res.offset_pairs > 0));
    check_verdicts(combined);
    if (res.same_host || res.matched == 0) {
        verdict_collector_free(combined);
        combined = NULL;
    }

    struct report_two two = {
        .rep = { &run[0].rep, &run[1].rep }, .cap = { &run[0].cap, &run[1].cap },
        .st = { analyzer_stats(run[0].a), analyzer_stats(run[1].a) },
        .vc = { analyzer_verdicts(run[0].a), analyzer_verdicts(run[1].a) },
        .combined = combined, .corr = &res,
    };
    report_print_two_text(devnull, &two, &cfg, NULL);
    report_print_two_json(devnull, &two, &cfg, NULL);
    (void)report_two_blocking(&two);

out:
    verdict_collector_free(combined);
    for (int i = 0; i < 2; i++) {
        analyzer_free(run[i].a);
        cap_file_close(run[i].cf);
    }
    return 0;
}
