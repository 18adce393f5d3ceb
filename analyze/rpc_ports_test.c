/* analyze/rpc_ports_test.c: DCE/RPC end to end through the analyzer (rpc_ports.c): a dynamic
 * port learned on TCP 135 and then dropped, the connections' parser memory held only while a
 * TCP 135 connection with payload lives, reused by the next one (and refused: linked with
 * -Wl,--wrap=calloc), the cap
 * on connections parsed at once, counted when it pushes a live one out, the real rpcdump
 * sample, and live, the learned port's service named right from settle to settle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "capture/cap_file.h"
#include "analyze/dcerpc.h"
#include "analyze/dcerpc_testlib.h"
#include "analyze/rpc_ports.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

static struct pb b;

static void feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

/* An analyzer with the default configuration and no connection sink. */
static struct analyzer *default_analyzer(void)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    return a;
}

/* A data segment carrying p; its bytes replace pb's pattern (checksums are not verified). */
static void segment(const char *src, uint16_t sp, const char *dst, uint16_t dp,
                    const struct pdu *p)
{
    b.next.payload_len = (uint32_t)p->n;
    int i = pb_tcp(&b, src, sp, dst, dp, TH_ACK | TH_PUSH);
    assert_true(i >= 0);
    memcpy(&b.pool[b.rec[i].off + b.rec[i].ip_off + 20 + 20], p->b, p->n);
}

static const struct verdict_port PORTS[] = {
    { 6, 135, 135, "WMI / RPC", false },
    { 6, 49152, 65535, "WMI / RPC", true },
};

static const struct verdict_item *find(const struct verdict_collector *vc, uint16_t port)
{
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        if (it->proto == 6 && it->port == port) {
            verdict_item_words(it);
            return it;
        }
    }
    fail_msg("no verdict for port %u", port);
    return NULL;
}

/* An analyzer with PORTS for its profile. */
static struct analyzer *profile_analyzer(void)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.ports = PORTS;
    cfg.verdict.nports = sizeof PORTS / sizeof PORTS[0];
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    return a;
}

/* An endpoint-mapper exchange on 135 from source port sp whose response names the towers t;
 * returns the response's frame number. */
static uint64_t epm_exchange(uint16_t sp, const struct tower *t, uint32_t n)
{
    pb_tcp(&b, SRC, sp, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, sp, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0), rq = request_pdu(true, 3);
    struct pdu rs = epm_response(true, 3, 0x03, t, n);
    segment(SRC, sp, TGT, 135, &bd);
    segment(TGT, 135, SRC, sp, &ba);
    segment(SRC, sp, TGT, 135, &rq);
    segment(TGT, 135, SRC, sp, &rs);
    uint64_t frame = pb_count(&b);
    pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK | TH_FIN);
    pb_tcp(&b, TGT, 135, SRC, sp, TH_ACK | TH_FIN);
    pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK);
    return frame;
}

static void learned_port_dropped(void **state)
{
    (void)state;
    pb_init(&b, T0);
    assert_int_equal(epm_exchange(50100, &T1, 1), 7);
    pb_tcp(&b, SRC, 50101, TGT, 49712, TH_SYN); /* the learned port: no answer */
    pb_wait(&b, 1000000);
    for (int again = 0; again < 2; again++) { /* each SYN retransmitted a second later */
        pb_tcp(&b, SRC, 50101, TGT, 49712, TH_SYN);
        pb_tcp(&b, SRC, 50102, TGT, 50000, TH_SYN); /* in the range, never named */
        pb_wait(&b, 1000000);
    }

    struct analyzer *a = profile_analyzer();
    pb_feed(&b, feed_fn, a);
    analyzer_finish(a);

    const struct rpc_ports *rp = analyzer_rpc_ports(a);
    struct fw_addr tgt;
    assert_true(fw_addr_parse(&tgt, TGT));
    const struct rpc_learned *l = rpc_ports_lookup(rp, &tgt, 49712);
    assert_non_null(l);
    assert_int_equal(l->frame, 7);

    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_int_equal(find(vc, 135)->v.kind, VERDICT_OPEN);
    const struct verdict_item *it = find(vc, 49712);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_string_equal(it->service,
                        "RPC dynamic (SAMR, learned from the endpoint mapper at packet 7)");
    assert_non_null(strstr(it->advice, "endpoint mapper on 135 reachable, dynamic port 49712 "
                                       "dropped: open the RPC range"));
    it = find(vc, 50000);
    assert_string_equal(it->service, "RPC dynamic (range)");
    assert_non_null(strstr(it->advice, "endpoint mapper on 135 reachable"));
    analyzer_free(a);
}

/* A connection to port answered and closed at once. */
static void answered(uint16_t sp, uint16_t port)
{
    pb_tcp(&b, SRC, sp, TGT, port, TH_SYN);
    pb_tcp(&b, TGT, port, SRC, sp, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, sp, TGT, port, TH_ACK | TH_FIN);
    pb_tcp(&b, TGT, port, SRC, sp, TH_ACK | TH_FIN);
    pb_tcp(&b, SRC, sp, TGT, port, TH_ACK);
}

/* Live, settles come one after another: a learned port's item judged again (a new attempt)
 * names the interface and frame it did, with the same text (not a copy more for each
 * settle); after another port is learned (every item is judged again, the texts made anew),
 * each names its own. (A port named again keeps the frame that first named it.) */
static void learned_service_across_live_settles(void **state)
{
    (void)state;
    char want[VERDICT_SERVICE_LEN];
    pb_init(&b, T0);
    uint64_t f1 = epm_exchange(50100, &T1, 1);
    answered(50101, 49712);
    pb_wait(&b, 10000000);
    size_t mark1 = pb_count(&b);
    answered(50102, 49712);
    pb_wait(&b, 10000000);
    size_t mark2 = pb_count(&b);
    uint64_t f2 = epm_exchange(50103, T2, 2); /* 49712 again, and 49713 */
    answered(50104, 49713);
    pb_wait(&b, 10000000);
    struct analyzer *a = profile_analyzer();
    const struct verdict_collector *vc = analyzer_verdicts(a);
    size_t i = 0;
    const char *first = NULL;
    for (int step = 0; step < 3; step++) {
        size_t upto = step == 0 ? mark1 : step == 1 ? mark2 : pb_count(&b);
        uint64_t now = 0;
        for (; i < upto; i++) {
            struct frame f = pb_frame(&b, i);
            analyzer_feed(a, &f);
            now = f.ts_us;
        }
        assert_true(analyzer_advance(a, now + 6000000)); /* past their close's 5 s linger */
        const struct verdict_item *it = find(vc, 49712);
        snprintf(want, sizeof want, "RPC dynamic (SAMR, learned from the endpoint mapper at "
                 "packet %llu)", (unsigned long long)f1);
        assert_string_equal(it->service, want);
        assert_int_equal(it->counts.attempts, step == 0 ? 1 : 2);
        assert_int_equal(it->settled, verdict_settles(vc)); /* judged at this settle */
        if (step == 0)
            first = it->service;
        else if (step == 1)
            assert_ptr_equal(it->service, first); /* judged again, the same text */
    }
    snprintf(want, sizeof want, "RPC dynamic (01020304-0506-0708-090a-0b0c0d0e0f10, learned "
             "from the endpoint mapper at packet %llu)", (unsigned long long)f2);
    assert_string_equal(find(vc, 49713)->service, want); /* an interface with no name */
    analyzer_free(a);
}

static void handshake(uint16_t sp)
{
    pb_tcp(&b, SRC, sp, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, sp, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK);
}

/* Feeds frames [*fed, pb_count()) and returns the parser memory held after them. */
static const struct rpc_mem *feed_upto(struct analyzer *a, size_t *fed)
{
    for (; *fed < pb_count(&b); (*fed)++) {
        struct frame f = pb_frame(&b, *fed);
        analyzer_feed(a, &f);
    }
    return rpc_ports_mem(analyzer_rpc_ports(a));
}

/* A connection's parser memory is allocated only when TCP 135 carries payload, and given back
 * when the connection ends, by a FIN from each side or by a RST. */
static void parser_memory_on_demand(void **state)
{
    (void)state;
    struct analyzer *a = default_analyzer();
    size_t fed = 0;
    pb_init(&b, T0);
    /* No payload on 135: a web exchange and a refused connection to 135. */
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_SYN);
    pb_tcp(&b, TGT, 80, SRC, 50200, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_ACK);
    b.next.payload_len = 200;
    pb_tcp(&b, SRC, 50200, TGT, 80, TH_ACK | TH_PUSH);
    pb_tcp(&b, SRC, 50201, TGT, 135, TH_SYN);
    pb_tcp(&b, TGT, 135, SRC, 50201, TH_RST | TH_ACK);
    const struct rpc_mem *m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 0);
    assert_int_equal(m->peak, 0);

    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    handshake(50300); /* two connections bind */
    assert_int_equal(feed_upto(a, &fed)->in_use, 0);
    segment(SRC, 50300, TGT, 135, &bd);
    const struct pb_rec *rec = &b.rec[pb_count(&b) - 1];
    const uint8_t *tcp = &b.pool[rec->off + rec->ip_off + 20];
    uint32_t bind_seq = 0;
    for (int i = 4; i < 8; i++)
        bind_seq = bind_seq << 8 | tcp[i]; /* its sequence number, for a retransmission */
    handshake(50301);
    segment(SRC, 50301, TGT, 135, &bd);
    segment(TGT, 135, SRC, 50301, &ba);
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, SRC, 50300, TGT, 135, TH_ACK | TH_FIN); /* the first one closes */
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, TGT, 135, SRC, 50300, TH_ACK | TH_FIN);
    pb_tcp(&b, SRC, 50300, TGT, 135, TH_ACK);
    assert_int_equal(feed_upto(a, &fed)->in_use, 1);
    b.next.set_seq = true; /* its bind again, after the end: a retransmission, not a start */
    b.next.seq = bind_seq;
    segment(SRC, 50300, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(rpc_ports_stats(analyzer_rpc_ports(a))->stream_retrans, 1);
    handshake(50302); /* a third binds and is reset */
    segment(SRC, 50302, TGT, 135, &bd);
    assert_int_equal(feed_upto(a, &fed)->in_use, 2);
    pb_tcp(&b, TGT, 135, SRC, 50302, TH_RST | TH_ACK);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(m->peak, 2);
    assert_int_equal(m->alloc_failed, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->binds, 3);
    assert_int_equal(st->bind_acks, 1);
    assert_int_equal(st->by_result[DCERPC_OK], 4);
    analyzer_free(a);
}

/* At most RPC_CONNS_MAX connections are parsed at once: the 33rd live one pushes the one idle
 * longest out, counted, and hands its memory on; a slot a connection ended leaves is taken
 * uncounted. The analyzer's stats carry the count for the report. */
static void parser_cap_evicts(void **state)
{
    (void)state;
    struct analyzer *a = default_analyzer();
    size_t fed = 0;
    pb_init(&b, T0);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    for (uint16_t i = 0; i < RPC_CONNS_MAX; i++) {
        handshake((uint16_t)(50500 + i));
        segment(SRC, (uint16_t)(50500 + i), TGT, 135, &bd);
    }
    const struct rpc_mem *m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 0);
    handshake(50600); /* one too many: 50500, idle longest, goes */
    segment(SRC, 50600, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 1);
    assert_int_equal(analyzer_stats(a)->rpc_conns_evicted, 1);
    segment(TGT, 135, SRC, 50500, &ba); /* the evicted one again: a new start, pushing out 50501 */
    feed_upto(a, &fed);
    assert_int_equal(rpc_ports_evicted(analyzer_rpc_ports(a)), 2);
    pb_tcp(&b, TGT, 135, SRC, 50510, TH_RST | TH_ACK); /* one ends: its slot is free to take */
    handshake(50601);
    segment(SRC, 50601, TGT, 135, &bd);
    m = feed_upto(a, &fed);
    assert_int_equal(m->in_use, RPC_CONNS_MAX);
    assert_int_equal(m->peak, RPC_CONNS_MAX);
    assert_int_equal(m->alloc_failed, 0);
    analyzer_finish(a);
    const struct analyzer_stats *as = analyzer_stats(a);
    assert_int_equal(as->rpc_conns_evicted, 2);
    assert_int_equal(as->rpc_alloc_failed, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->binds, RPC_CONNS_MAX + 2);
    assert_int_equal(st->bind_acks, 1); /* the evicted one's answer, parsed afresh */
    analyzer_free(a);
}

/* Linked with -Wl,--wrap=calloc: the parser memory's allocation can be made to fail. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static bool fail_conn_alloc;
static unsigned conn_allocs; /* parser memory allocated, refused or not */

void *__wrap_calloc(size_t n, size_t size)
{
    if (n == 1 && size == sizeof(struct dcerpc_conn)) {
        conn_allocs++;
        if (fail_conn_alloc)
            return NULL;
    }
    return __real_calloc(n, size);
}

/* Connections one after another share one parser memory, reset between them: the first
 * leaves half a request in its buffer and is reset; the next two bind and ask the mapper
 * afresh, and are parsed as if their memory were new (nothing malformed, both answers
 * read). */
static void parser_memory_reused(void **state)
{
    (void)state;
    struct analyzer *a = default_analyzer();
    size_t fed = 0;
    pb_init(&b, T0);
    conn_allocs = 0;
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0), rq = request_pdu(true, 3);
    struct pdu rs = epm_response(true, 3, 0x03, &T1, 1), half = rq;
    half.n = 20;
    handshake(50600);
    segment(SRC, 50600, TGT, 135, &bd);
    segment(SRC, 50600, TGT, 135, &half);
    pb_tcp(&b, TGT, 135, SRC, 50600, TH_RST | TH_ACK);
    for (uint16_t sp = 50601; sp <= 50602; sp++) {
        handshake(sp);
        segment(SRC, sp, TGT, 135, &bd);
        segment(TGT, 135, SRC, sp, &ba);
        segment(SRC, sp, TGT, 135, &rq);
        segment(TGT, 135, SRC, sp, &rs);
        pb_tcp(&b, SRC, sp, TGT, 135, TH_ACK | TH_FIN);
        pb_tcp(&b, TGT, 135, SRC, sp, TH_ACK | TH_FIN);
    }
    const struct rpc_mem *m = feed_upto(a, &fed);
    assert_int_equal(conn_allocs, 1);
    assert_int_equal(m->in_use, 0);
    assert_int_equal(m->peak, 1);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->binds, 3);
    assert_int_equal(st->epm_answers, 2);
    assert_int_equal(st->by_result[DCERPC_MALFORMED], 0);
    assert_int_equal(st->by_result[DCERPC_OK], 9);
    assert_int_equal(rpc_ports_count(analyzer_rpc_ports(a)), 1);
    analyzer_free(a);
}

/* Without memory for a connection its segments go unparsed and are counted; the next segment
 * tries again. */
static void parser_memory_refused(void **state)
{
    (void)state;
    struct analyzer *a = default_analyzer();
    size_t fed = 0;
    pb_init(&b, T0);
    struct pdu bd = bind_pdu(true, EPM), ba = bind_ack_pdu(true, 0);
    handshake(50400);
    segment(SRC, 50400, TGT, 135, &bd);
    fail_conn_alloc = true;
    const struct rpc_mem *m = feed_upto(a, &fed);
    fail_conn_alloc = false;
    assert_int_equal(m->alloc_failed, 1);
    assert_int_equal(m->in_use, 0);
    const struct dcerpc_stats *st = rpc_ports_stats(analyzer_rpc_ports(a));
    assert_int_equal(st->segments, 0);
    segment(TGT, 135, SRC, 50400, &ba);
    m = feed_upto(a, &fed);
    assert_int_equal(m->alloc_failed, 1);
    assert_int_equal(m->in_use, 1);
    assert_int_equal(st->segments, 1);
    assert_int_equal(st->bind_acks, 1);
    assert_int_equal(analyzer_stats(a)->rpc_alloc_failed, 1); /* for the report */
    assert_int_equal(analyzer_stats(a)->rpc_conns_evicted, 0);
    analyzer_free(a);
}

/* The real sample (samples/rpc/open, made by samples/rpc/lab.sh): impacket-rpcdump's ept_lookup
 * answer from Samba spans several TCP segments and two RPC fragments; reassembled, its entries
 * teach the dynamic ports, more than the single one rpcclient's ept_map names. */
static void sample_rpcdump_learned(void **state)
{
    (void)state;
    struct analyzer *a = default_analyzer();
    char err[FW_ERRLEN];
    struct cap_file *cf = cap_file_open(FW_SAMPLES_DIR "/rpc/open/source.pcap", 0, err);
    if (cf == NULL)
        fail_msg("%s", err);
    struct frame f;
    while (cap_file_next(cf, &f, err) == 1)
        analyzer_feed(a, &f);
    cap_file_close(cf);
    analyzer_finish(a);
    const struct rpc_ports *r = analyzer_rpc_ports(a);
    const struct dcerpc_stats *st = rpc_ports_stats(r);
    assert_true(st->frag_joined >= 1);
    assert_true(st->epm_answers >= 2);
    assert_int_equal(st->by_result[DCERPC_MALFORMED], 0);
    assert_int_equal(st->stream_gaps, 0);
    uint8_t tgt[4] = { 203, 0, 113, 20 };
    struct fw_addr host;
    fw_addr_set4(&host, tgt);
    uint32_t on_tgt = 0, ept_lookup = 0;
    for (uint32_t i = 0; i < rpc_ports_count(r); i++) {
        const struct rpc_learned *l = rpc_ports_at(r, i);
        if (fw_addr_eq(&l->host, &host)) {
            on_tgt++;
            ept_lookup += l->frame >= 12 && l->frame <= 13; /* the rpcdump answer's frames */
        }
    }
    assert_true(on_tgt > 1);
    assert_true(ept_lookup > 1);
    analyzer_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learned_port_dropped),
        cmocka_unit_test(learned_service_across_live_settles),
        cmocka_unit_test(parser_memory_on_demand),
        cmocka_unit_test(parser_memory_refused),
        cmocka_unit_test(parser_memory_reused),
        cmocka_unit_test(parser_cap_evicts),
        cmocka_unit_test(sample_rpcdump_learned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
