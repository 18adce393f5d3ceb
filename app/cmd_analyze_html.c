/* app/cmd_analyze_html.c: `fwsight analyze --html FILE`: the page for a ticket (report_html.c).
 * The verdicts keep counts and first frames, not every packet, so the packets each ladder
 * draws are found by reading the captures once more, after the analysis: per blocked path, the
 * requests, answers and ICMP errors of its first attempts (the same reader, so the frame
 * numbers are the report's); with two captures, the copies of one packet in both are matched
 * (TCP by sequence number, UDP by IP ID and length, echo by sequence) so the ladder can show
 * which capture saw what. A capture on stdin cannot be read twice: its ladders say so. The
 * page is written as every file fwsight writes (capture/cap_out.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/cap_file.h"
#include "capture/cap_out.h"
#include "cmd_analyze_int.h"
#include "ui/msg.h"
#include "ui/report_html.h"

/* Two copies of one packet are at most this far apart once the clock offset is applied. */
#define HTML_MATCH_US 2000000

/* One capture's packets of one path, before the two captures are merged. */
struct hg_side {
    struct html_pkt pkts[HTML_LADDER_PKTS];
    uint32_t seq[HTML_LADDER_PKTS], ack[HTML_LADDER_PKTS]; /* what matches copies */
    uint16_t ip_id[HTML_LADDER_PKTS];
    size_t n;
    uint64_t more;
};

struct hg_path {
    struct html_ladder *l;
    uint16_t attempts[HTML_LADDER_ATTEMPTS];
    int nattempts;
    struct hg_side side[2];
};

/* Whether p belongs to the path of it, and as what (and which attempt). */
static bool hg_role(const struct verdict_item *it, const struct pkt *p, enum html_pkt_role *role,
                    uint16_t *attempt)
{
    bool icmp = p->proto == 1 || p->proto == 58;
    if (icmp && p->has_quote) {
        const struct pkt_quote *q = &p->quote;
        bool qecho = q->proto == 1 || q->proto == 58;
        bool same = it->proto == VERDICT_PROTO_ECHO ? qecho
                                                    : q->proto == it->proto && q->dport == it->port;
        if (!q->has_ports || !same || !fw_addr_eq(&q->src, &it->from) ||
            !fw_addr_eq(&q->dst, &it->to))
            return false;
        *role = HTML_PKT_ERROR;
        *attempt = it->proto == VERDICT_PROTO_ECHO ? q->icmp_id : q->sport;
        return true;
    }
    bool out = fw_addr_eq(&p->src, &it->from) && fw_addr_eq(&p->dst, &it->to);
    bool back = fw_addr_eq(&p->src, &it->to) && fw_addr_eq(&p->dst, &it->from);
    if (!out && !back)
        return false;
    if (it->proto == VERDICT_PROTO_ECHO) {
        bool req = p->icmp_type == (p->proto == 1 ? 8 : 128);
        bool rep = p->icmp_type == (p->proto == 1 ? 0 : 129);
        if (!icmp || !(out ? req : rep))
            return false;
        *role = out ? HTML_PKT_REQUEST : HTML_PKT_ANSWER;
        *attempt = p->icmp_id;
        return true;
    }
    if (p->proto != it->proto || !p->l4_complete || (out ? p->dport : p->sport) != it->port)
        return false;
    if (p->proto == 6) {
        /* The handshake and refusals: a stall's data is the evidence text's to tell. */
        uint8_t f = p->tcp_flags;
        if (out ? (f & (TH_SYN | TH_ACK)) != TH_SYN : (f & (TH_SYN | TH_RST)) == 0)
            return false;
    }
    *role = out ? HTML_PKT_REQUEST : HTML_PKT_ANSWER;
    *attempt = out ? p->sport : p->dport;
    return true;
}

/* The first attempts only: capture 2 keeps those capture 1 chose, so both tell of the same. */
static bool hg_attempt_kept(struct hg_path *g, uint16_t attempt, bool may_add)
{
    for (int i = 0; i < g->nattempts; i++)
        if (g->attempts[i] == attempt)
            return true;
    if (!may_add || g->nattempts == HTML_LADDER_ATTEMPTS)
        return false;
    g->attempts[g->nattempts++] = attempt;
    return true;
}

static void hg_add(struct hg_path *g, int k, const struct frame *f, const struct pkt *p,
                   enum html_pkt_role role, uint16_t attempt, bool may_add)
{
    struct hg_side *s = &g->side[k];
    if (!hg_attempt_kept(g, attempt, may_add && role == HTML_PKT_REQUEST) ||
        s->n == HTML_LADDER_PKTS) {
        s->more++;
        return;
    }
    struct html_pkt *h = &s->pkts[s->n];
    *h = (struct html_pkt){ .role = role, .src = p->src, .ts_us = f->ts_us, .attempt = attempt,
                            .tcp_flags = p->tcp_flags, .icmp_type = p->icmp_type,
                            .icmp_code = p->icmp_code, .echo_seq = p->icmp_seq,
                            .len = p->l4_payload_len };
    h->frame[k] = f->number;
    for (size_t i = 0; i < s->n && role == HTML_PKT_REQUEST && p->proto != 1 && p->proto != 58;
         i++) {
        const struct html_pkt *e = &s->pkts[i];
        if (e->role == HTML_PKT_REQUEST && e->attempt == attempt &&
            (p->proto == 6 ? s->seq[i] == p->seq : e->len == h->len))
            h->again = true;
    }
    s->seq[s->n] = p->seq;
    s->ack[s->n] = p->ack;
    s->ip_id[s->n] = p->ip_id;
    s->n++;
}

/* Reads capture k again and files its packets under the paths. Returns 0, or -1 with err. */
static int hg_read(const char *file, int k, struct hg_path *g, size_t ng,
                   const struct fw_config *cfg, char err[FW_ERRLEN])
{
    struct cap_file *cf = cap_file_open(file, k, err);
    if (cf == NULL)
        return -1;
    struct decode_opts opts = { .verify_checksums = cfg->verify_checksums };
    struct frame f;
    struct pkt p;
    int rc;
    while ((rc = cap_file_next(cf, &f, err)) == 1) {
        if (decode_frame(&f, &opts, &p) != PKT_OK && !(p.status == PKT_TRUNCATED &&
                                                       (p.l4_complete || p.has_quote)))
            continue;
        for (size_t i = 0; i < ng; i++) {
            enum html_pkt_role role;
            uint16_t attempt;
            if (hg_role(g[i].l->it, &p, &role, &attempt))
                hg_add(&g[i], k, &f, &p, role, attempt, k == 0 || g[i].nattempts == 0);
        }
    }
    cap_file_close(cf);
    return rc == 0 ? 0 : -1; /* a capture cut short: what came before is drawn */
}

static bool hg_same(const struct hg_side *a, size_t i, const struct hg_side *b, size_t j)
{
    const struct html_pkt *x = &a->pkts[i], *y = &b->pkts[j];
    if (x->role != y->role || x->attempt != y->attempt || !fw_addr_eq(&x->src, &y->src) ||
        x->tcp_flags != y->tcp_flags || x->icmp_type != y->icmp_type ||
        x->icmp_code != y->icmp_code || x->echo_seq != y->echo_seq || x->len != y->len)
        return false;
    return a->seq[i] == b->seq[j] && a->ack[i] == b->ack[j] && a->ip_id[i] == b->ip_id[j];
}

static int hg_ts_cmp(const void *x, const void *y)
{
    const struct html_pkt *a = x, *b = y;
    if (a->ts_us != b->ts_us)
        return a->ts_us < b->ts_us ? -1 : 1;
    uint64_t fa = a->frame[0] ? a->frame[0] : a->frame[1], fb = b->frame[0] ? b->frame[0]
                                                                             : b->frame[1];
    return fa < fb ? -1 : fa > fb;
}

/* Capture 2's copies into capture 1's packets; its own ones moved onto capture 1's clock. */
static void hg_merge(struct hg_path *g, const struct correlate_result *corr)
{
    struct html_ladder *l = g->l;
    struct hg_side *s0 = &g->side[0], *s1 = &g->side[1];
    struct html_pkt all[2 * HTML_LADDER_PKTS];
    bool used[HTML_LADDER_PKTS] = {false};
    size_t n = s0->n;
    int64_t off = corr != NULL && corr->offset_known ? corr->offset_us : 0;
    memcpy(all, s0->pkts, s0->n * sizeof all[0]);
    for (size_t j = 0; j < s1->n; j++) {
        struct html_pkt p = s1->pkts[j];
        p.ts_us = (uint64_t)((int64_t)p.ts_us - off);
        size_t i = 0;
        for (; i < s0->n; i++) {
            int64_t d = (int64_t)(p.ts_us - s0->pkts[i].ts_us);
            if (!used[i] && hg_same(s0, i, s1, j) && d <= HTML_MATCH_US && d >= -HTML_MATCH_US)
                break;
        }
        if (i < s0->n) {
            used[i] = true;
            all[i].frame[1] = p.frame[1];
        } else {
            all[n++] = p;
        }
    }
    qsort(all, n, sizeof all[0], hg_ts_cmp);
    l->npkts = n < HTML_LADDER_PKTS ? n : HTML_LADDER_PKTS;
    memcpy(l->pkts, all, l->npkts * sizeof all[0]);
    l->more = (s0->more > s1->more ? s0->more : s1->more) + (n - l->npkts);
}

/* The ladders of one set of verdicts: the blocked paths, HTML_PATHS_MAX at most. */
static struct html_ladder *hg_ladders(const struct verdict_collector *vc, size_t *n)
{
    struct html_ladder *l = calloc(HTML_PATHS_MAX, sizeof *l);
    *n = 0;
    for (size_t i = 0; l != NULL && i < verdict_count(vc) && *n < HTML_PATHS_MAX; i++)
        if (verdict_item_blocking(verdict_at(vc, i)))
            l[(*n)++].it = verdict_at(vc, i);
    return l;
}

/* Finds the packets of every ladder of in's sets. Returns a message when they could not be
 * read (stdin), NULL otherwise. A capture cut short was said when it was first read. */
static const char *hg_find(const struct analyze_opts *o, const struct analyze_run run[2],
                           struct html_input *in, struct html_ladder *ls[2])
{
    const char *files[2] = { o->file, o->file2 };
    for (int k = 0; k < in->ncap; k++)
        if (strcmp(files[k], "-") == 0)
            return "The capture was read from stdin, which cannot be read twice: the ladders "
                   "show no packet (give the capture as a file to see them); the evidence "
                   "below each one still holds.";
    size_t ng = in->set[0].nladders + in->set[1].nladders;
    struct hg_path *g = calloc(ng > 0 ? ng : 1, sizeof *g);
    if (g == NULL)
        return "Out of memory: the ladders show no packet.";
    for (size_t i = 0; i < ng; i++)
        g[i].l = i < in->set[0].nladders ? &ls[0][i] : &ls[1][i - in->set[0].nladders];
    char err[FW_ERRLEN];
    for (int k = 0; k < in->ncap; k++)
        if (hg_read(files[k], k, g, ng, &o->cfg, err) != 0 && !run[k].read_failed)
            msg_printf("fwsight: --html: reading again: %s (the ladders show what came "
                       "before)\n", err);
    for (size_t i = 0; i < ng; i++)
        hg_merge(&g[i], in->corr);
    free(g);
    return NULL;
}

int analyze_html_write(const struct analyze_opts *o, const struct analyze_run run[2], int ncap,
                       const struct verdict_collector *combined,
                       const struct correlate_result *corr)
{
    if (analyze_same_file(o->file, o->html) ||
        (o->file2 != NULL && analyze_same_file(o->file2, o->html))) {
        msg_printf("fwsight: %s: refusing to write the HTML page over the capture itself\n",
                   o->html);
        return -1;
    }
    struct report_answer ans = { o->v.prof, o->v.profile, o->v.rpc_range, o->r.all };
    struct html_input in = { .cfg = &o->cfg, .ans = &ans, .ncap = ncap,
                             .file = { o->file, o->file2 }, .corr = ncap == 2 ? corr : NULL };
    struct html_ladder *ls[2] = { NULL, NULL };
    for (int k = 0; k < ncap; k++) {
        in.packets[k] = run[k].s.cap.packets;
        in.cp[k] = verdict_capture_point(analyzer_verdicts(run[k].s.a));
    }
    /* Two captures not combined: each one's own verdicts, as the text report gives them. */
    int nsets = ncap == 2 && combined == NULL ? 2 : 1;
    static const char *const titles[2] = { "Capture 1 alone (the captures were not combined)",
                                           "Capture 2 alone" };
    int rc = -1;
    for (int s = 0; s < nsets; s++) {
        in.set[s].vc = combined != NULL ? combined : analyzer_verdicts(run[s].s.a);
        in.set[s].title = nsets == 2 ? titles[s] : NULL;
        if ((ls[s] = hg_ladders(in.set[s].vc, &in.set[s].nladders)) == NULL) {
            msg_printf("fwsight: out of memory\n");
            goto out;
        }
        in.set[s].ladders = ls[s];
    }
    in.no_packets = hg_find(o, run, &in, ls);

    char err[FW_ERRLEN];
    bool created;
    int fd = cap_out_open(o->html, o->force, &created, err);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out == NULL) {
        if (fd >= 0) {
            snprintf(err, sizeof err, "%s: %s", o->html, strerror(errno));
            close(fd);
        }
        msg_printf("fwsight: cannot write the HTML page: %s\n", err);
        goto out;
    }
    report_html_print(out, &in);
    int werr = 0;
    if (fflush(out) != 0 || ferror(out))
        werr = errno != 0 ? errno : EIO;
    if (fclose(out) != 0 && werr == 0)
        werr = errno != 0 ? errno : EIO;
    if (werr != 0)
        msg_printf("fwsight: %s: writing the HTML page failed: %s\n", o->html, strerror(werr));
    else
        rc = 0;
out:
    free(ls[0]);
    free(ls[1]);
    return rc;
}
