/* analyze/flow_track_test.c: connection tracking on hand-made struct pkt values (no decoder):
 * every conn_state from a minimal sequence, history letters and their repetition rules, the
 * attempt-timeout split, 5-tuple reuse, direction flips, UDP and ICMP pairing, ICMP errors
 * tied to their flow, eviction at the cap and timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/flow_track.h"

#define T0 1700000000000000ull
#define SEC 1000000ull
#define MAXREC 16

struct env {
    struct fw_config cfg;
    struct analyzer_stats stats;
    struct flow_tracker tr;
    struct conn_record rec[MAXREC];
    int n;
    uint64_t now, frame;
    uint32_t next_seq[2]; /* [0] client, [1] server */
    uint16_t cport, sport;
    const char *caddr, *saddr;
};

static void sink(void *ctx, const struct conn_record *r)
{
    struct env *e = ctx;
    if (e->n < MAXREC)
        e->rec[e->n++] = *r;
}

static struct env *env_new(uint32_t max_flows, uint16_t server_port)
{
    static struct env e;
    memset(&e, 0, sizeof e);
    fw_config_defaults(&e.cfg);
    e.cfg.verify_checksums = true;
    if (max_flows)
        e.cfg.max_flows = max_flows;
    assert_int_equal(flow_track_init(&e.tr, &e.cfg, &e.stats, sink, &e), 0);
    e.now = T0;
    e.next_seq[0] = 1000;
    e.next_seq[1] = 500000;
    e.caddr = "198.51.100.10";
    e.saddr = "203.0.113.20";
    e.cport = 49500;
    e.sport = server_port;
    return &e;
}

static void env_done(struct env *e)
{
    flow_table_finish(e->tr.table);
    flow_track_fini(&e->tr);
}

static struct pkt ip_pkt(const char *src, const char *dst, uint8_t proto, uint32_t len)
{
    struct pkt p;
    memset(&p, 0, sizeof p);
    p.status = PKT_OK;
    fw_addr_parse(&p.src, src);
    fw_addr_parse(&p.dst, dst);
    p.ip_version = p.src.family;
    p.proto = proto;
    p.ttl = 64;
    p.ip_len = 20 + len;
    p.l4_complete = true;
    p.l4_cksum = CKSUM_OK;
    p.ip_cksum = CKSUM_OK;
    p.l4_payload_len = len;
    return p;
}

static void feed(struct env *e, const struct pkt *p)
{
    e->frame++;
    flow_table_advance(e->tr.table, e->now);
    flow_track_packet(&e->tr, p, e->now, e->frame, 0);
    e->now += 100000; /* 100 ms between packets */
}

/* A TCP segment of the test connection; seq/ack numbered automatically per direction. */
static struct pkt seg_pkt(struct env *e, bool from_client, uint8_t flags, uint32_t len)
{
    int me = from_client ? 0 : 1;
    struct pkt p = ip_pkt(from_client ? e->caddr : e->saddr, from_client ? e->saddr : e->caddr,
                          6, len);
    p.has_ports = true;
    p.sport = from_client ? e->cport : e->sport;
    p.dport = from_client ? e->sport : e->cport;
    p.tcp_flags = flags;
    p.seq = e->next_seq[me];
    p.ack = (flags & TH_ACK) ? e->next_seq[1 - me] : 0;
    p.win = 64240;
    e->next_seq[me] += len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
    return p;
}

static void seg(struct env *e, bool from_client, uint8_t flags, uint32_t len)
{
    struct pkt p = seg_pkt(e, from_client, flags, len);
    feed(e, &p);
}

#define C true
#define S false

static void check_one(struct env *e, enum conn_state st, const char *hist)
{
    env_done(e);
    assert_int_equal(e->n, 1);
    assert_string_equal(conn_state_name(e->rec[0].state), conn_state_name(st));
    assert_string_equal(e->rec[0].history, hist);
}

static void handshake(struct env *e)
{
    seg(e, C, TH_SYN, 0);
    seg(e, S, TH_SYN | TH_ACK, 0);
    seg(e, C, TH_ACK, 0);
}

static void state_s0(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    env_done(e);
    assert_int_equal(e->rec[0].state, CONN_S0);
    assert_string_equal(e->rec[0].history, "S");
    assert_int_equal(e->rec[0].orig_pkts, 1);
    assert_int_equal(e->rec[0].resp_pkts, 0);
    assert_int_equal(e->rec[0].orig_p, 49500);
}

static void state_s1(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    handshake(e);
    seg(e, C, TH_ACK | TH_PUSH, 100);
    seg(e, S, TH_ACK | TH_PUSH, 200);
    check_one(e, CONN_S1, "ShADd");
    assert_int_equal(e->rec[0].orig_bytes, 100);
    assert_int_equal(e->rec[0].resp_bytes, 200);
}

static void state_sf(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    handshake(e);
    seg(e, C, TH_FIN | TH_ACK, 0);
    seg(e, S, TH_FIN | TH_ACK, 0);
    seg(e, C, TH_ACK, 0);
    check_one(e, CONN_SF, "ShAFf");
    assert_int_equal(e->rec[0].orig_pkts, 4);
    assert_int_equal(e->rec[0].resp_pkts, 2);
}

static void state_rej(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    seg(e, S, TH_RST | TH_ACK, 0);
    check_one(e, CONN_REJ, "Sr");
}

static void state_s2_s3(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    handshake(e);
    seg(e, C, TH_FIN | TH_ACK, 0);
    check_one(e, CONN_S2, "ShAF");
    e = env_new(0, 6320);
    handshake(e);
    seg(e, S, TH_FIN | TH_ACK, 0);
    check_one(e, CONN_S3, "ShAf");
}

static void state_rsto_rstr(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    handshake(e);
    seg(e, C, TH_RST | TH_ACK, 0);
    check_one(e, CONN_RSTO, "ShAR");
    e = env_new(0, 6320);
    handshake(e);
    seg(e, C, TH_ACK | TH_PUSH, 10);
    seg(e, S, TH_RST, 0);
    check_one(e, CONN_RSTR, "ShADr");
}

static void state_rstos0(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    seg(e, C, TH_RST, 0);
    check_one(e, CONN_RSTOS0, "SR");
}

static void state_rstrh_and_shr(void **s)
{
    (void)s;
    /* A lone SYN-ACK from port 80 (a likely server port): Zeek flips, then the RST. */
    struct env *e = env_new(0, 80);
    seg(e, S, TH_SYN | TH_ACK, 0);
    seg(e, S, TH_RST, 0);
    check_one(e, CONN_RSTRH, "^hr");
    assert_int_equal(e->rec[0].orig_p, 49500);
    assert_int_equal(e->rec[0].resp_pkts, 2);
    e = env_new(0, 80);
    seg(e, S, TH_SYN | TH_ACK, 0);
    seg(e, S, TH_FIN | TH_ACK, 0);
    check_one(e, CONN_SHR, "^hf");
}

static void state_sh_and_oth(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    seg(e, C, TH_FIN, 0);
    check_one(e, CONN_SH, "SF");
    e = env_new(0, 6320);
    seg(e, C, TH_ACK, 0);
    check_one(e, CONN_OTH, "A");
}

static void history_repeats(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    e->next_seq[0]--;
    seg(e, C, TH_SYN, 0); /* the same SYN again: no second S */
    seg(e, S, TH_SYN | TH_ACK, 0);
    seg(e, C, TH_ACK, 0);
    seg(e, C, TH_ACK | TH_PUSH, 10);
    e->next_seq[0] -= 10;
    seg(e, C, TH_ACK | TH_PUSH, 10); /* retransmitted data: T */
    struct pkt p = seg_pkt(e, S, TH_ACK, 0);
    p.win = 0;
    feed(e, &p); /* zero window: w */
    seg(e, C, TH_FIN | TH_ACK, 0);
    e->next_seq[0]--;
    seg(e, C, TH_FIN | TH_ACK, 0); /* the same FIN again: no second F */
    assert_int_equal(flow_table_counts(e->tr.table)->created, 1);
    check_one(e, CONN_S2, "ShADTawF");
    assert_int_equal(e->rec[0].orig_pkts, 7);
}

static void bad_checksum_not_counted(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    struct pkt p = seg_pkt(e, C, TH_SYN, 0);
    p.l4_cksum = CKSUM_BAD;
    feed(e, &p);
    check_one(e, CONN_OTH, "C");
    assert_int_equal(e->rec[0].orig_pkts, 0);
}

static void attempt_timeout_splits(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    seg(e, C, TH_ACK, 0);
    seg(e, C, TH_ACK | TH_PUSH, 50);
    e->now = T0 + 6 * SEC;
    seg(e, C, TH_ACK | TH_PUSH, 50);
    seg(e, C, TH_FIN | TH_ACK, 0);
    env_done(e);
    assert_int_equal(e->n, 2);
    assert_int_equal(e->rec[0].state, CONN_S0);
    assert_string_equal(e->rec[0].history, "SAD");
    assert_int_equal(e->rec[0].end, CONN_END_ATTEMPT);
    assert_int_equal(e->rec[1].state, CONN_SH);
    assert_string_equal(e->rec[1].history, "DF");
}

static void reuse_after_reset(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    seg(e, C, TH_SYN, 0);
    seg(e, S, TH_RST | TH_ACK, 0);
    e->next_seq[0] += 1000;
    seg(e, C, TH_SYN, 0);
    seg(e, S, TH_RST | TH_ACK, 0);
    env_done(e);
    assert_int_equal(e->n, 2);
    assert_int_equal(e->rec[0].end, CONN_END_REUSED);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(e->rec[i].state, CONN_REJ);
        assert_string_equal(e->rec[i].history, "Sr");
    }
}

static void late_flip_rewrites_history(void **s)
{
    (void)s;
    /* Both ports likely servers: a SYN-ACK first is not flipped until the ACK shows. */
    struct env *e = env_new(0, 8000);
    e->cport = 1080;
    seg(e, S, TH_SYN | TH_ACK, 0);
    seg(e, C, TH_ACK, 0);
    seg(e, C, TH_FIN | TH_ACK, 0);
    seg(e, S, TH_FIN | TH_ACK, 0);
    check_one(e, CONN_SF, "^hAFf");
    assert_int_equal(e->rec[0].orig_p, 1080);
    assert_int_equal(e->rec[0].orig_pkts, 2);
}

static struct pkt udp(const char *src, uint16_t sp, const char *dst, uint16_t dp)
{
    struct pkt p = ip_pkt(src, dst, 17, 40);
    p.has_ports = true;
    p.sport = sp;
    p.dport = dp;
    return p;
}

static void udp_pairing_and_flip(void **s)
{
    (void)s;
    struct env *e = env_new(0, 0);
    struct pkt q = udp("10.0.0.1", 40000, "10.0.0.2", 53), a = udp("10.0.0.2", 53, "10.0.0.1",
                                                                     40000);
    feed(e, &q);
    feed(e, &a);
    check_one(e, CONN_SF, "Dd");
    e = env_new(0, 0);
    feed(e, &a); /* an answer alone: flipped, the client is the originator */
    check_one(e, CONN_SHR, "^d");
    assert_int_equal(e->rec[0].orig_p, 40000);
    assert_int_equal(e->rec[0].resp_pkts, 1);
}

static struct pkt icmp(const char *src, const char *dst, uint8_t type, uint8_t code)
{
    struct pkt p = ip_pkt(src, dst, 1, 56);
    p.icmp_type = type;
    p.icmp_code = code;
    return p;
}

static void icmp_echo_pairs(void **s)
{
    (void)s;
    struct env *e = env_new(0, 0);
    struct pkt rq = icmp("10.0.0.1", "10.0.0.2", 8, 0), rp = icmp("10.0.0.2", "10.0.0.1", 0, 0);
    feed(e, &rq);
    feed(e, &rp);
    check_one(e, CONN_OTH, "");
    assert_int_equal(e->rec[0].orig_p, 8);
    assert_int_equal(e->rec[0].resp_p, 0);
    assert_int_equal(e->rec[0].orig_pkts, 1);
    assert_int_equal(e->rec[0].resp_pkts, 1);
}

static void icmp_error_finds_its_flow(void **s)
{
    (void)s;
    struct env *e = env_new(0, 6320);
    struct pkt syn = seg_pkt(e, C, TH_SYN, 0);
    feed(e, &syn);
    struct pkt err = icmp("192.0.2.1", e->caddr, 3, 13);
    err.has_quote = true;
    err.quote.src = syn.src;
    err.quote.dst = syn.dst;
    err.quote.proto = 6;
    err.quote.has_ports = true;
    err.quote.sport = syn.sport;
    err.quote.dport = syn.dport;
    feed(e, &err);
    assert_int_equal(e->stats.icmp_errors, 1);
    assert_int_equal(e->stats.icmp_errors_matched, 1);
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.a = syn.src; /* 198.51.100.10 sorts before 203.0.113.20 */
    k.b = syn.dst;
    k.pa = syn.sport;
    k.pb = syn.dport;
    k.proto = 6;
    const struct flow *f = flow_table_lookup(e->tr.table, &k);
    assert_non_null(f);
    assert_int_equal(f->icmp_errors, 1);
    assert_int_equal(f->icmp_err_code, 13);
    assert_true(fw_addr_eq(&f->icmp_err_from, &err.src));
    /* An error quoting an unknown flow creates none. */
    err.quote.sport = 1;
    feed(e, &err);
    assert_int_equal(e->stats.icmp_errors_matched, 1);
    env_done(e);
    assert_int_equal(e->n, 2); /* the TCP attempt and the ICMP error's own row */
    assert_int_equal(e->rec[1].orig_p, 3);
    assert_int_equal(e->rec[1].resp_p, 13);
    assert_int_equal(e->rec[1].orig_pkts, 2);
}

static void eviction_at_cap(void **s)
{
    (void)s;
    struct env *e = env_new(2, 0);
    struct pkt a = udp("10.0.0.1", 1001, "10.0.0.2", 9999);
    struct pkt b = udp("10.0.0.1", 1002, "10.0.0.2", 9999);
    struct pkt c = udp("10.0.0.1", 1003, "10.0.0.2", 9999);
    feed(e, &a);
    feed(e, &b);
    feed(e, &a); /* a is now the younger: b is the one idle the longest */
    feed(e, &c);
    assert_int_equal(e->n, 1);
    assert_int_equal(e->rec[0].orig_p, 1002);
    assert_int_equal(e->rec[0].end, CONN_END_EVICTED);
    assert_int_equal(flow_table_counts(e->tr.table)->evicted, 1);
    env_done(e);

    assert_int_equal(e->n, 3);
    assert_int_equal(e->rec[1].orig_p, 1001); /* the rest in order of creation */
    assert_int_equal(e->rec[2].orig_p, 1003);
}

static void inactivity_timeout(void **s)
{
    (void)s;
    struct env *e = env_new(0, 0);
    struct pkt a = udp("10.0.0.1", 1001, "10.0.0.2", 9999);
    feed(e, &a);
    flow_table_advance(e->tr.table, T0 + 59 * SEC);
    assert_int_equal(e->n, 0);
    flow_table_advance(e->tr.table, T0 + 61 * SEC);
    assert_int_equal(e->n, 1);
    assert_int_equal(e->rec[0].end, CONN_END_TIMEOUT);
    assert_int_equal(e->rec[0].state, CONN_S0);
    env_done(e);
    assert_int_equal(e->n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_s0),
        cmocka_unit_test(state_s1),
        cmocka_unit_test(state_sf),
        cmocka_unit_test(state_rej),
        cmocka_unit_test(state_s2_s3),
        cmocka_unit_test(state_rsto_rstr),
        cmocka_unit_test(state_rstos0),
        cmocka_unit_test(state_rstrh_and_shr),
        cmocka_unit_test(state_sh_and_oth),
        cmocka_unit_test(history_repeats),
        cmocka_unit_test(bad_checksum_not_counted),
        cmocka_unit_test(attempt_timeout_splits),
        cmocka_unit_test(reuse_after_reset),
        cmocka_unit_test(late_flip_rewrites_history),
        cmocka_unit_test(udp_pairing_and_flip),
        cmocka_unit_test(icmp_echo_pairs),
        cmocka_unit_test(icmp_error_finds_its_flow),
        cmocka_unit_test(eviction_at_cap),
        cmocka_unit_test(inactivity_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
