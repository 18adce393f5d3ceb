/* analyze/flow_track.c: decoded packets to connections (see flow_track.h). Zeek's rules for
 * who is the originator, how ICMP messages pair into connections and what UDP and other IP
 * protocols record live here; TCP's rules are in tcp_state.c, lifetimes in flow_table.c. */
#include "flow_track.h"

#include <stdlib.h>
#include <string.h>

#include "flow_recall.h"
#include "rpc_ports.h"
#include "tcp_state.h"
#include "udp_answers.h"

#define CLOSE_LINGER_US 5000000u /* Zeek's tcp_close_delay: a closed flow lingers 5 s */

/* Zeek flips a connection that does not begin with a plain SYN (and any UDP flow) when only
 * its source port is a "likely server port". Zeek fills that set from the analyzers a run
 * loads, so it differs between configurations; this is the set of its default (full) run,
 * the one users meet. tests/ZEEK_DIFFERENCES.md lists the bare-run cases it does not match. */
static const uint16_t TCP_SERVER_PORTS[] = {
    21, 22, 23, 25, 53, 80, 81, 88, 110, 135, 139, 143, 389, 443, 445, 502, 563, 585, 587,
    614, 631, 636, 989, 990, 992, 993, 994, 995, 1080, 1723, 1883, 2811, 3128, 3268, 3306,
    3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
};
static const uint16_t UDP_SERVER_PORTS[] = {
    53, 67, 69, 88, 123, 137, 161, 162, 443, 514, 1812, 2123, 2152, 3389, 3544, 4789,
    5060, 5072, 5353, 5355, 6081, 20000,
};

/* The lists are sorted: ephemeral ports leave at once, the others at the first larger entry. */
static bool in_list(const uint16_t *l, size_t n, uint16_t port)
{
    if (n == 0 || port > l[n - 1])
        return false;
    for (size_t i = 0; i < n; i++)
        if (l[i] >= port)
            return l[i] == port;
    return false;
}

bool flow_track_is_server_port(uint8_t proto, uint16_t port)
{
    if (proto == 6)
        return in_list(TCP_SERVER_PORTS, sizeof TCP_SERVER_PORTS / 2, port);
    if (proto == 17)
        return in_list(UDP_SERVER_PORTS, sizeof UDP_SERVER_PORTS / 2, port);
    return false;
}

/* --- history ------------------------------------------------------------------------------ */

void flow_hist_add(struct flow *f, char code)
{
    if (f->hist_len < FLOW_HIST_MAX)
        f->hist[f->hist_len++] = code;
}

/* Zeek's CheckHistory: adds the letter the first time; returns whether it was seen before. */
bool flow_hist_once(struct flow *f, uint32_t bit, bool is_orig, char code)
{
    uint32_t mask = is_orig ? bit : bit << 16;
    if (f->hist_seen & mask)
        return true;
    f->hist_seen |= mask;
    flow_hist_add(f, is_orig ? code : (char)(code + 32));
    return false;
}

void flow_hist_scaled(struct flow *f, struct hist_scale *s, bool is_orig, char code)
{
    uint64_t threshold = 1;
    for (uint8_t i = 0; i < s->level; i++)
        threshold *= 10;
    if (++s->count == threshold) {
        flow_hist_add(f, is_orig ? code : (char)(code + 32));
        s->level++;
    }
}

void flow_flip(struct flow *f)
{
    struct flow_side s = f->side[0];
    f->side[0] = f->side[1];
    f->side[1] = s;
    struct tcp_ep e = f->tcp.ep[0];
    f->tcp.ep[0] = f->tcp.ep[1];
    f->tcp.ep[1] = e;
    f->orig_is_a = !f->orig_is_a;
    flow_hist_add(f, '^');
}

/* --- keys ------------------------------------------------------------------------------------ */

/* fw_addr_cmp() and fw_addr_eq() inlined for the per-packet path (they were two library
 * calls and a memcmp each): the same order, bytes compared as big-endian words. */
static inline uint64_t addr_word(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return __builtin_bswap64(w);
}

static inline int addr_cmp(const struct fw_addr *x, const struct fw_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    uint64_t a = addr_word(x->b), b = addr_word(y->b);
    if (a == b) {
        a = addr_word(x->b + 8);
        b = addr_word(y->b + 8);
    }
    return a < b ? -1 : a > b;
}

static inline bool addr_eq(const struct fw_addr *x, const struct fw_addr *y)
{
    return addr_cmp(x, y) == 0;
}

static void key_pair(struct flow_key *k, uint8_t proto, const struct fw_addr *src, uint16_t sp,
                     const struct fw_addr *dst, uint16_t dp, bool one_way)
{
    memset(k, 0, sizeof *k);
    int c = addr_cmp(src, dst);
    bool src_first = one_way || c < 0 || (c == 0 && sp <= dp);
    k->a = src_first ? *src : *dst;
    k->b = src_first ? *dst : *src;
    k->pa = src_first ? sp : dp;
    k->pb = src_first ? dp : sp;
    k->proto = proto;
    k->one_way = one_way;
}

/* Zeek pairs ICMP request and answer into one connection by giving each the other's type as
 * its second "port"; one-way messages (errors, ...) put their code there. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 }, { 10, 9 } };
    static const uint8_t v6[][2] = { { 128, 129 }, { 133, 134 }, { 135, 136 }, { 130, 131 },
                                     { 139, 140 }, { 144, 145 } };
    const uint8_t(*t)[2] = proto == 1 ? v4 : v6;
    size_t n = proto == 1 ? sizeof v4 / sizeof v4[0] : sizeof v6 / sizeof v6[0];
    for (size_t i = 0; i < n; i++) {
        if (t[i][0] == type)
            return t[i][1];
        if (t[i][1] == type)
            return t[i][0];
    }
    return -1;
}

static bool is_icmp_error(uint8_t proto, uint8_t type)
{
    if (proto == 1)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

static enum flow_kind kind_of(uint8_t proto)
{
    switch (proto) {
    case 6: return FLOW_TCP;
    case 17: return FLOW_UDP;
    case 1:
    case 58: return FLOW_ICMP;
    default: return FLOW_OTHER;
    }
}

static bool is_broadcast(const struct fw_addr *a)
{
    static const uint8_t all[4] = { 255, 255, 255, 255 };
    return a->family == 4 && memcmp(a->b, all, 4) == 0;
}

/* Zeek's WantConnection: whether the first packet's receiver is the originator instead. */
static bool first_packet_flips(const struct pkt *p)
{
    if (is_broadcast(&p->dst))
        return false;
    bool src_srv = flow_track_is_server_port(p->proto, p->sport);
    bool dst_srv = flow_track_is_server_port(p->proto, p->dport);
    if (p->proto == 17)
        return src_srv && !dst_srv;
    if (p->proto != 6)
        return false;
    uint8_t fl = p->tcp_flags;
    if ((fl & TH_SYN) && !(fl & TH_ACK))
        return false; /* a plain SYN names its originator */
    if (!src_srv)
        return false;
    if (dst_srv) /* both plausible: not for SYN-ACKs (stealth scans), favour the lower port */
        return !(fl & TH_SYN) && p->sport < p->dport;
    return true;
}

/* --- ICMP errors ------------------------------------------------------------------------------ */

/* f met its first answer: live, the next look takes it (verdict_preview.c). */
static void first_answer(struct flow_tracker *t, struct flow *f)
{
    t->answered = true;
    flow_table_note(t->table, f);
}

/* A RST once the connection was set up (the originator acknowledged the SYN-ACK), in the name
 * of a side whose own packets before it all came with other TTLs: the stack that sent those
 * sends its RSTs with the same initial TTL over the same path, so this one was made on the way,
 * by a device that kills the connection for what it carries (an application-aware firewall, an
 * IPS). Counted before this packet: the side's TTLs are those of its packets so far.
 * Not told apart: a path that changed mid-connection after two packets of that side. */
static void note_path_reset(struct flow *f, bool is_orig, const struct pkt *p, uint64_t frame)
{
    const struct flow_side *s = &f->side[is_orig ? 0 : 1];
    /* Two packets at least to compare with: one SYN-ACK alone leaves a route that changed by a
     * hop since (a capture of SYN, FIN and RST holds nothing else of the responder's) looking
     * like a device on the way. */
    if (!f->synack_seen || !f->orig_acked || s->pkts < 2 ||
        (p->ttl >= s->ttl_min && p->ttl <= s->ttl_max))
        return;
    f->path_reset = true;
    f->path_reset_ttl = p->ttl;
    f->path_reset_frame = frame;
}

/* Finds the flow an ICMP error quotes (never creates one) and records the error on it. */
static void note_icmp_error(struct flow_tracker *t, const struct pkt *p, uint64_t now_us,
                            uint64_t frame)
{
    t->stats->icmp_errors++;
    const struct pkt_quote *q = &p->quote;
    if (!p->has_quote || !q->has_ports)
        return;
    struct flow_key k;
    if (q->proto == 1 || q->proto == 58) {
        uint8_t req = q->proto == 1 ? 8 : 128; /* quoted ICMP: an echo request */
        key_pair(&k, q->proto, &q->src, req, &q->dst, (uint16_t)icmp_counterpart(q->proto, req),
                 false);
    } else {
        key_pair(&k, q->proto, &q->src, q->sport, &q->dst, q->dport, false);
    }
    struct flow *f = flow_table_lookup(t->table, &k);
    /* The request it answers: the flow's last before it (a SYN sent again, a datagram). */
    flow_recall_router_error(t, p, f != NULL && f->last_us <= now_us ? f->last_us : now_us);
    if (f == NULL)
        return;
    t->stats->icmp_errors_matched++;
    if ((p->proto == 1 && p->icmp_type == 3 && p->icmp_code == 4) ||
        (p->proto == 58 && p->icmp_type == 2))
        f->pmtu_icmp = true; /* path-MTU discovery works on this path */
    if (f->icmp_errors++ == 0) {
        first_answer(t, f);
        f->icmp_err_type = p->icmp_type;
        f->icmp_err_code = p->icmp_code;
        f->icmp_err_from = p->src;
        f->icmp_err_frame = frame;
        uint64_t after = now_us > f->first_us ? now_us - f->first_us : 0;
        f->icmp_err_after_us = after > UINT32_MAX ? UINT32_MAX : (uint32_t)after;
    }
}

/* A UDP request sent again after it was answered: the requester did not get the answer (a
 * retry carries the same payload length as the first request). */
static void udp_evidence(struct flow *f, bool is_orig, const struct pkt *p)
{
    uint16_t len = p->l4_payload_len > UINT16_MAX ? UINT16_MAX : (uint16_t)p->l4_payload_len;
    if (!is_orig)
        return;
    if (f->side[0].pkts == 0)
        f->first_req_len = len;
    else if (f->side[1].pkts > 0 && len == f->first_req_len &&
             f->retries_after_answer < UINT16_MAX)
        f->retries_after_answer++;
}

/* A new UDP flow either answers a recent request that went to another address of its sender
 * (then both flows are marked: the request as answered from elsewhere, this one as no attempt
 * of its own), or is a request to remember. */
static void udp_new_flow(struct flow_tracker *t, struct flow *f, const struct pkt *p,
                         uint64_t now_us)
{
    struct fw_addr asked;
    if (udp_answers_match(t->udp, &p->src, p->sport, &p->dst, p->dport, now_us, &asked)) {
        struct flow_key rk;
        key_pair(&rk, 17, &p->dst, p->dport, &asked, p->sport, false);
        struct flow *req = flow_table_lookup(t->table, &rk);
        if (req != NULL && req != f && req->side[1].pkts == 0) {
            req->other_answer = p->src;
            f->stray_answer = true;
            return;
        }
    }
    udp_answers_request(t->udp, &p->src, p->sport, &p->dst, p->dport, now_us);
}

/* --- packets ---------------------------------------------------------------------------------- */

static void count_packet(struct flow *f, bool is_orig, const struct pkt *p, uint64_t now_us,
                         uint64_t frame)
{
    struct flow_side *s = &f->side[is_orig ? 0 : 1];
    /* A RST made on the way (note_path_reset) is not the side's: its TTL would widen the side's
     * range, and a host seen at two TTLs looks like one behind a router this capture spans. */
    bool made_on_path = f->path_reset && p->proto == 6 && (p->tcp_flags & TH_RST) &&
                        p->ttl == f->path_reset_ttl && s->pkts > 0;
    if (s->pkts == 0 || (p->ttl < s->ttl_min && !made_on_path))
        s->ttl_min = p->ttl;
    if (s->pkts == 0) {
        s->ttl_first = p->ttl;
        if (!is_orig)
            f->resp_first_us = now_us;
    }
    if (p->ttl > s->ttl_max && !made_on_path)
        s->ttl_max = p->ttl;
    if (p->has_l2 && !(p->proto == 6 && (p->tcp_flags & TH_RST))) {
        if (!s->has_mac) {
            s->has_mac = true;
            memcpy(s->mac, p->l2_src, sizeof s->mac);
        } else if (memcmp(s->mac, p->l2_src, sizeof s->mac) != 0) {
            s->mac_mixed = true;
        }
    }
    s->pkts++;
    s->ip_bytes += p->ip_len;
    f->last_us = now_us;
    f->last_frame = frame;
}

/* A TCP packet after the connection's longest silence so far starts a new watch: from now on,
 * does the other side say anything? (See flow.h.) Called before the packet is tracked: the
 * silence is an idle connection only if it began with everything acknowledged both ways (a
 * stall's retransmissions back off past FLOW_IDLE_MIN_US with data outstanding). */
static void note_idle(struct flow *f, bool is_orig, uint64_t now_us)
{
    uint8_t side = is_orig ? 0 : 1;
    if (f->idle_gap_ms > 0 && side != f->idle_resumer)
        f->idle_answered = true;
    if (f->side[0].pkts == 0 || f->side[1].pkts == 0 || flow_data_unacked(f, 0) ||
        flow_data_unacked(f, 1))
        return;
    uint64_t gap = now_us > f->last_us ? now_us - f->last_us : 0;
    if (gap >= FLOW_IDLE_MIN_US && gap / 1000u >= f->idle_gap_ms) {
        f->idle_gap_ms = flow_idle_ms(gap);
        f->idle_resumer = side;
        f->idle_answered = false;
    }
}

static bool packet_is_orig(const struct flow *f, const struct pkt *p, uint16_t sp)
{
    const struct fw_addr *oa = flow_orig_addr(f);
    uint16_t op = f->orig_is_a ? f->key.pa : f->key.pb;
    return sp == op && addr_eq(&p->src, oa);
}

static struct flow *new_flow(struct flow_tracker *t, const struct flow_key *k,
                             const struct pkt *p, uint16_t sp, uint64_t now_us, uint64_t frame,
                             int vantage, bool flip)
{
    struct flow *f = flow_table_insert(t->table, k, kind_of(p->proto), now_us, frame);
    if (f == NULL)
        return NULL;
    f->vantage = vantage;
    f->orig_is_a = fw_addr_eq(&p->src, &k->a) && sp == k->pa;
    if (flip)
        flow_flip(f);
    return f;
}

/* A request the requester sent: its SYN (not a SYN-ACK), a datagram of the flow's originator,
 * an echo request. */
static bool is_request(const struct flow *f, const struct pkt *p, bool is_orig)
{
    switch (f->kind) {
    case FLOW_TCP: return is_orig && (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN;
    case FLOW_UDP: return is_orig;
    case FLOW_ICMP: return is_orig && (p->icmp_type == 8 || p->icmp_type == 128);
    default: return false;
    }
}

void flow_track_packet(struct flow_tracker *t, const struct pkt *p, uint64_t now_us,
                       uint64_t frame, int vantage)
{
    struct flow_key k;
    uint16_t sp = 0, dp = 0;
    bool one_way = false;
    if (p->proto == 6 || p->proto == 17) {
        sp = p->sport;
        dp = p->dport;
    } else if (p->proto == 1 || p->proto == 58) {
        int cp = icmp_counterpart(p->proto, p->icmp_type);
        sp = p->icmp_type;
        dp = cp >= 0 ? (uint16_t)cp : p->icmp_code;
        one_way = cp < 0;
        if (is_icmp_error(p->proto, p->icmp_type))
            note_icmp_error(t, p, now_us, frame);
    }
    key_pair(&k, p->proto, &p->src, sp, &p->dst, dp, one_way);
    bool bad_cksum = t->cfg->verify_checksums && p->l4_cksum == CKSUM_BAD;

    struct flow *f = flow_table_lookup(t->table, &k);
    if (f != NULL && f->kind == FLOW_TCP && tcp_is_reuse(f, p)) {
        flow_table_end(t->table, f, CONN_END_REUSED);
        f = NULL;
    }
    bool created = f == NULL;
    if (f == NULL) {
        f = new_flow(t, &k, p, sp, now_us, frame, vantage, first_packet_flips(p));
        if (f == NULL)
            return;
        if (f->kind == FLOW_UDP && t->udp != NULL)
            udp_new_flow(t, f, p, now_us);
    }
    bool is_orig = packet_is_orig(f, p, sp);
    if (created && f->kind == FLOW_TCP && !(p->tcp_flags & TH_SYN))
        flow_recall_resume(t, f, is_orig, now_us);

    if (f->kind == FLOW_TCP) {
        struct tcp_result r;
        note_idle(f, is_orig, now_us);
        tcp_state_packet(f, is_orig, p, bad_cksum, now_us, &r);
        if (!r.counted)
            return;
        is_orig = r.is_orig;
        /* The endpoint mapper's answers name the dynamic RPC ports; a FIN or RST gives
         * the connection's parser memory back. The payload and flags first, so other
         * segments pay little more. */
        if ((p->payload_caplen > 0 || (p->tcp_flags & (TH_FIN | TH_RST))) &&
            (p->sport == 135 || p->dport == 135) && t->rpc != NULL)
            rpc_ports_segment(t->rpc, f->seq, p, frame);
        if ((p->tcp_flags & TH_RST) && !f->path_reset)
            note_path_reset(f, is_orig, p, frame);
        if ((p->tcp_flags & TH_RST) && !is_orig && !f->resp_rst) {
            f->resp_rst = true;
            f->resp_rst_ttl = p->ttl;
            f->resp_rst_ip_id = p->ip_id;
            f->resp_rst_frame = frame;
            f->resp_rst_has_mac = p->has_l2;
            memcpy(f->resp_rst_mac, p->l2_src, sizeof f->resp_rst_mac);
        }
        bool both_closed = f->tcp.ep[0].did_close && f->tcp.ep[1].did_close;
        uint64_t last = f->last_us;
        if (!is_orig && f->side[1].pkts == 0)
            first_answer(t, f);
        count_packet(f, is_orig, p, now_us, frame);
        if (both_closed && !r.close_complete)
            f->last_us = last; /* Zeek stops the clock once both sides have closed */
        if (r.close_complete && !f->closed) {
            f->closed = true;
            flow_table_set_deadline(t->table, f, FLOW_DL_CLOSE, f->last_us + CLOSE_LINGER_US);
        } else if (r.arm_attempt && !f->closed) {
            flow_table_set_deadline(t->table, f, FLOW_DL_ATTEMPT,
                                    now_us + t->cfg->attempt_timeout_us);
        }
    } else {
        if (bad_cksum) {
            if (f->kind == FLOW_UDP)
                flow_hist_scaled(f, &f->tcp.ep[is_orig ? 0 : 1].cksum, is_orig, 'C');
            return;
        }
        if (f->kind == FLOW_UDP) {
            flow_hist_once(f, 0x10, is_orig, 'D');
            udp_evidence(f, is_orig, p);
        }
        f->side[is_orig ? 0 : 1].active = true;
        f->side[is_orig ? 0 : 1].payload_bytes += p->l4_payload_len;
        if (!is_orig && f->side[1].pkts == 0)
            first_answer(t, f);
        count_packet(f, is_orig, p, now_us, frame);
    }
    if (is_request(f, p, is_orig))
        flow_recall_request(t, f, now_us);
    flow_table_touch(t->table, f);
}

/* --- output ----------------------------------------------------------------------------------- */

void flow_track_record(const struct flow *f, enum conn_end why, struct conn_record *r)
{
    memset(r, 0, sizeof *r);
    r->ts_us = f->first_us;
    r->duration_us = f->last_us - f->first_us;
    r->orig_h = *flow_orig_addr(f);
    r->resp_h = f->orig_is_a ? f->key.b : f->key.a;
    r->orig_p = f->orig_is_a ? f->key.pa : f->key.pb;
    r->resp_p = f->orig_is_a ? f->key.pb : f->key.pa;
    r->ip_proto = f->key.proto;
    memcpy(r->history, f->hist, f->hist_len);
    r->history[f->hist_len] = '\0';
    if (f->kind == FLOW_TCP) {
        r->state = tcp_conn_state(f);
        r->orig_bytes = tcp_ep_size(&f->tcp.ep[0], &f->tcp.ep[1]);
        r->resp_bytes = tcp_ep_size(&f->tcp.ep[1], &f->tcp.ep[0]);
    } else {
        bool o = f->side[0].active, rr = f->side[1].active;
        if (f->kind == FLOW_UDP)
            r->state = o ? (rr ? CONN_SF : CONN_S0) : (rr ? CONN_SHR : CONN_OTH);
        else
            r->state = CONN_OTH;
        r->orig_bytes = f->side[0].payload_bytes;
        r->resp_bytes = f->side[1].payload_bytes;
    }
    r->orig_pkts = f->side[0].pkts;
    r->resp_pkts = f->side[1].pkts;
    r->orig_ip_bytes = f->side[0].ip_bytes;
    r->resp_ip_bytes = f->side[1].ip_bytes;
    r->first_frame = f->first_frame;
    r->last_frame = f->last_frame;
    r->vantage = f->vantage;
    r->seq = f->seq;
    r->end = why;
}

static void on_end(void *ctx, struct flow *f, enum conn_end why)
{
    struct flow_tracker *t = ctx;
    flow_recall_end(t, f, why);
    struct conn_record r;
    flow_track_record(f, why, &r);
    if (t->sink != NULL)
        t->sink(t->sink_ctx, &r);
    if (t->observe != NULL) /* the verdict collector */
        t->observe(t->observe_ctx, f, why);
}

int flow_track_init(struct flow_tracker *t, const struct fw_config *cfg,
                    struct analyzer_stats *stats, conn_sink_fn sink, void *sink_ctx)
{
    t->cfg = cfg;
    t->stats = stats;
    t->sink = sink;
    t->sink_ctx = sink_ctx;
    t->rpc = NULL; /* analyzer.c sets it */
    t->udp = calloc(1, sizeof *t->udp);
    t->table = flow_table_new(cfg, on_end, t);
    if (t->table == NULL || t->udp == NULL || flow_recall_init(t) != 0) {
        flow_track_fini(t);
        return FW_ENOMEM;
    }
    return 0;
}

void flow_track_fini(struct flow_tracker *t)
{
    flow_table_free(t->table);
    t->table = NULL;
    free(t->udp);
    t->udp = NULL;
    flow_recall_fini(t);
}
