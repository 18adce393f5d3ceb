/* analyze/correlate_test.c: matching two captures' attempts with crafted lists: the clock
 * offset (ahead, behind, robust to a stray pair), no match at all, partial matches, and the
 * combined outcomes: never arrived, dropped after arrival, answer lost, forged RST. Then the
 * whole path from packets: two analyzers (source and target capture, the target's clock off
 * by some seconds either way) whose kept attempts correlate into REPLY-DROPPED and DROPPED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/correlate.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
#define SEC 1000000ll
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"

static struct fw_addr addr(const char *s)
{
    struct fw_addr a;
    assert_true(fw_addr_parse(&a, s));
    return a;
}

/* A TCP attempt from SRC to TGT:port at T0 + t_us, with the outcome seen where captured. */
static struct verdict_seen tcp(uint16_t sport, uint16_t port, uint32_t isn, int64_t t_us,
                               enum verdict_outcome o)
{
    struct verdict_seen s;
    memset(&s, 0, sizeof s);
    s.a.from = addr(SRC);
    s.a.to = addr(TGT);
    s.a.proto = 6;
    s.a.port = port;
    s.a.outcome = o;
    s.a.first_us = (uint64_t)((int64_t)T0 + t_us);
    s.a.req_frame = 1;
    s.a.requests = 1;
    s.sport = sport;
    s.isn = isn;
    return s;
}

static struct correlate_side side(const struct verdict_seen *s, size_t n, const char *host)
{
    struct correlate_side x = { s, n, { 0 }, { 0 }, 0 };
    if (host != NULL)
        x.host = addr(host);
    return x;
}

/* A collector of the attempts a (captured on SRC) and b (on TGT) correlated, r its result. */
static struct verdict_collector *combined(const struct verdict_seen *a, size_t na,
                                          const struct verdict_seen *b, size_t nb,
                                          struct correlate_result *r)
{
    struct correlate_side s0 = side(a, na, SRC), s1 = side(b, nb, TGT);
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    assert_non_null(c);
    assert_int_equal(correlate_run(&s0, &s1, c, r), 0);
    return c;
}

static void offset_ahead_and_behind(void **state)
{
    (void)state;
    struct verdict_seen a[3] = { tcp(40001, 6320, 11, 0, VO_ANSWERED),
                                 tcp(40002, 6325, 22, SEC, VO_ANSWERED),
                                 tcp(40003, 6326, 33, 2 * SEC, VO_ANSWERED) };
    struct verdict_seen b[3] = { tcp(40001, 6320, 11, 7 * SEC + 300, VO_ANSWERED),
                                 tcp(40002, 6325, 22, 8 * SEC + 200, VO_ANSWERED),
                                 tcp(40003, 6326, 33, 9 * SEC + 400, VO_ANSWERED) };
    struct correlate_side s0 = side(a, 3, SRC), s1 = side(b, 3, TGT);
    int64_t off = 0;
    uint32_t pairs = 0;
    assert_true(correlate_offset(&s0, &s1, &off, &pairs));
    assert_int_equal(pairs, 3);
    assert_int_equal(off, 7 * SEC + 300); /* the median, not the mean */
    assert_true(correlate_offset(&s1, &s0, &off, &pairs));
    assert_int_equal(off, -(7 * SEC + 300));
}

static void offset_ignores_a_stray_pair(void **state)
{
    (void)state;
    struct verdict_seen a[3] = { tcp(1, 6320, 1, 0, VO_ANSWERED), tcp(2, 6320, 2, 0, VO_ANSWERED),
                                 tcp(3, 6320, 3, 0, VO_ANSWERED) };
    struct verdict_seen b[3] = { tcp(1, 6320, 1, -5 * SEC, VO_ANSWERED),
                                 tcp(2, 6320, 2, -5 * SEC, VO_ANSWERED),
                                 tcp(3, 6320, 3, 600 * SEC, VO_ANSWERED) };
    struct correlate_side s0 = side(a, 3, SRC), s1 = side(b, 3, TGT);
    int64_t off = 0;
    uint32_t pairs = 0;
    assert_true(correlate_offset(&s0, &s1, &off, &pairs));
    assert_int_equal(off, -5 * SEC);
}

static void different_isn_is_no_match(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(40001, 6320, 11, 0, VO_NO_ANSWER) };
    struct verdict_seen b[1] = { tcp(40001, 6320, 12, 0, VO_ANSWERED) };
    struct correlate_result r;
    struct verdict_collector *c = combined(a, 1, b, 1, &r);
    assert_false(r.offset_known);
    assert_int_equal(r.matched, 0);
    assert_int_equal(r.only[0], 1);
    assert_int_equal(r.only[1], 1);
    verdict_collector_free(c);
}

static const struct verdict_item *settled_proto(struct verdict_collector *c, uint8_t proto,
                                                uint16_t port)
{
    assert_int_equal(verdict_collector_settle(c), 0);
    for (size_t i = 0; i < verdict_count(c); i++)
        if (verdict_at(c, i)->port == port && verdict_at(c, i)->proto == proto) {
            verdict_item_words(verdict_at(c, i));
            return verdict_at(c, i);
        }
    fail_msg("no verdict for %u/%u", proto, port);
    return NULL;
}

static const struct verdict_item *settled(struct verdict_collector *c, uint16_t port)
{
    return settled_proto(c, 6, port);
}

/* One of the item's evidence lines holds phrase. */
static bool says(const struct verdict_item *it, const char *phrase)
{
    for (int i = 0; i < it->nevidence; i++)
        if (strstr(it->evidence[i], phrase) != NULL)
            return true;
    return false;
}

/* 6320: never arrived; 6325: answered, answer lost; 6326: arrived, no answer; 443: a RST the
 * target never sent; 445: open. Capture 1's clock is 3 s behind. */
static void partial_matches_combine(void **state)
{
    (void)state;
    struct verdict_seen a[5] = { tcp(1, 6320, 1, 0, VO_NO_ANSWER),
                                 tcp(2, 6325, 2, SEC, VO_NO_ANSWER),
                                 tcp(3, 6326, 3, 2 * SEC, VO_NO_ANSWER),
                                 tcp(4, 443, 4, 3 * SEC, VO_RST),
                                 tcp(5, 445, 5, 4 * SEC, VO_ANSWERED) };
    struct verdict_seen b[3] = { tcp(2, 6325, 2, -2 * SEC, VO_REPLY_LOST),
                                 tcp(3, 6326, 3, -1 * SEC, VO_NO_ANSWER),
                                 tcp(5, 445, 5, SEC, VO_ANSWERED) };
    struct correlate_result r;
    struct verdict_collector *c = combined(a, 5, b, 3, &r);
    assert_true(r.offset_known);
    assert_int_equal(r.offset_us, -3 * SEC);
    assert_int_equal(r.matched, 3);
    assert_int_equal(r.only[0], 2);
    assert_int_equal(r.only[1], 0);

    const struct verdict_item *it = settled(c, 6320);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->confidence, VERDICT_CONF_HIGH);
    assert_int_equal(it->counts.by_outcome[VO_NEVER_ARRIVED], 1);
    it = settled(c, 6325);
    assert_int_equal(it->v.kind, VERDICT_REPLY_DROPPED);
    assert_false(it->inferred);
    it = settled(c, 6326);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_non_null(strstr(it->advice, "after arrival"));
    it = settled(c, 443);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_int_equal(it->v.answered_by.family, 0);
    it = settled(c, 445);
    assert_int_equal(it->v.kind, VERDICT_OPEN);
    verdict_collector_free(c);
}

/* A connection cut mid-transfer: the target sent its data again and again (its capture), the
 * source only saw it stop and had nothing to send again (its own capture: answered). Either
 * capture given first: STALLED, the target's repeats in the evidence. */
static void stall_seen_at_the_far_end_is_a_stall(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(1, 6320, 1, 0, VO_ANSWERED) };
    struct verdict_seen b[1] = { tcp(1, 6320, 1, SEC, VO_STALLED) };
    b[0].a.stall_side = 1;
    b[0].a.stall_rexmits = 5;
    b[0].a.stall_len = 1024;
    for (int order = 0; order < 2; order++) {
        struct correlate_side s0 = side(a, 1, SRC), s1 = side(b, 1, TGT);
        struct verdict_config cfg = { .combined = true };
        struct verdict_collector *c = verdict_collector_new(&cfg);
        assert_non_null(c);
        struct correlate_result r;
        assert_int_equal(order == 0 ? correlate_run(&s0, &s1, c, &r)
                                    : correlate_run(&s1, &s0, c, &r), 0);
        assert_int_equal(r.matched, 1);
        const struct verdict_item *it = settled(c, 6320);
        assert_int_equal(it->v.kind, VERDICT_STALLED);
        assert_int_equal(it->counts.by_outcome[VO_STALLED], 1);
        assert_true(says(it, "again 5 times"));
        verdict_collector_free(c);
    }
}

/* Without the far host's capture point nothing may be concluded from its silence. */
static void unknown_far_host_keeps_the_single_view(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(1, 6320, 1, 0, VO_NO_ANSWER) };
    struct verdict_seen b[1] = { tcp(9, 6325, 9, 0, VO_ANSWERED) };
    struct correlate_side s0 = side(a, 1, SRC), s1 = side(b, 1, NULL);
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    const struct verdict_item *it = settled(c, 6320);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->counts.by_outcome[VO_NO_ANSWER], 1);
    assert_int_equal(it->counts.by_outcome[VO_NEVER_ARRIVED], 0);
    verdict_collector_free(c);
}

/* A far capture that ended before the request could arrive proves nothing: a RST its own
 * capture judged forged stays forged (REJECTED, "unlike the host's own packets"), one it
 * judged the host's stays closed. */
static void far_capture_ended_keeps_the_near_judgement(void **state)
{
    (void)state;
    struct verdict_seen a[2] = { tcp(1, 6320, 1, 10 * SEC, VO_RST),
                                 tcp(2, 6325, 2, 10 * SEC, VO_RST) };
    a[0].a.rst_forged = true;
    a[0].a.ans_ttl = 64;
    struct verdict_seen b[1] = { tcp(9, 445, 9, 0, VO_ANSWERED) };
    struct correlate_side s0 = side(a, 2, SRC), s1 = side(b, 1, TGT);
    s1.end_us = T0 + SEC; /* long before the requests */
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    assert_non_null(c);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    const struct verdict_item *it = settled(c, 6320);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_int_equal(it->counts.by_outcome[VO_RST_FORGED], 1);
    assert_true(says(it, "unlike the host's own packets"));
    it = settled(c, 6325);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    verdict_collector_free(c);
}

/* The target refused itself (its RST on 6320; its ICMP port unreachable on UDP 6325) and the
 * source never saw the refusal: nothing listens there, the port is CLOSED and the advice is to
 * start the service, not to let answers back (the refusal lost on the way back is said too).
 * A port unreachable the target's capture saw from another address (a device next to it) is
 * no sign of a closed port: that answer lost stays REPLY-DROPPED. A port unreachable from the
 * target about TCP 445 is its own firewall's reject (REJECTED by the target), lost or not. */
static void hosts_refusal_lost_is_closed(void **state)
{
    (void)state;
    struct verdict_seen a[4] = { tcp(1, 6320, 1, 0, VO_NO_ANSWER),
                                 tcp(2, 6325, 2, SEC, VO_NO_ANSWER),
                                 tcp(3, 6326, 3, 2 * SEC, VO_NO_ANSWER),
                                 tcp(4, 445, 4, 3 * SEC, VO_NO_ANSWER) };
    struct verdict_seen b[4] = { tcp(1, 6320, 1, 0, VO_RST), tcp(2, 6325, 2, SEC, VO_ICMP_PORT),
                                 tcp(3, 6326, 3, 2 * SEC, VO_ICMP_PORT),
                                 tcp(4, 445, 4, 3 * SEC, VO_ICMP_PORT) };
    a[1].a.proto = b[1].a.proto = 17;
    b[1].a.icmp_type = b[3].a.icmp_type = 3;
    b[1].a.icmp_code = b[3].a.icmp_code = 3;
    b[1].a.icmp_from = b[3].a.icmp_from = addr(TGT);
    b[2].a.icmp_from = addr("203.0.113.1");
    b[3].a.ans_frame = 7; /* the port unreachable as the target's capture saw it leave */
    struct correlate_result r;
    struct verdict_collector *c = combined(a, 4, b, 4, &r);
    assert_int_equal(r.matched, 4);
    assert_int_equal(verdict_collector_settle(c), 0);
    for (size_t i = 0; i < verdict_count(c); i++) {
        const struct verdict_item *it = verdict_at(c, i);
        if (it->port != 6320 && it->port != 6325 && it->port != 6326 && it->port != 445)
            continue;
        verdict_item_words(it);
        if (it->port == 6326) {
            assert_int_equal(it->v.kind, VERDICT_REPLY_DROPPED);
            continue;
        }
        if (it->port == 445) { /* TCP: the host's port unreachable is its own firewall's */
            assert_int_equal(it->v.kind, VERDICT_REJECTED);
            assert_true(fw_addr_eq(&it->v.answered_by, &b[3].a.icmp_from));
            /* Its frame is the target's capture's: the source's holds none. */
            assert_true(says(it, "frame 7 of capture 2: ICMP type 3 code 3"));
            continue;
        }
        assert_int_equal(it->v.kind, VERDICT_CLOSED);
        assert_int_equal(it->confidence, VERDICT_CONF_HIGH);
        assert_int_equal(it->counts.by_outcome[VO_REFUSAL_LOST], 1);
        assert_non_null(strstr(it->advice, "start the service"));
        assert_non_null(strstr(it->advice, "refusals are dropped on the way back"));
        assert_null(strstr(it->advice, "allow the answers"));
        assert_true(says(it, it->proto == 6 ? "the host refused it (RST)"
                                            : "refused it (port unreachable)"));
    }
    verdict_collector_free(c);
}

/* A requester's capture of one direction (it holds nothing of the target's: the target's TCP
 * answers were seen unseen) cannot tell whether a refusal got back: still CLOSED, without the
 * words of a refusal lost. */
static void one_way_capture_says_no_refusal_lost(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(2, 6325, 2, 0, VO_NO_ANSWER) };
    struct verdict_seen b[1] = { tcp(2, 6325, 2, 0, VO_ICMP_PORT) };
    a[0].a.proto = b[0].a.proto = 17;
    a[0].a.host_unseen = true;
    b[0].a.icmp_type = 3;
    b[0].a.icmp_code = 3;
    b[0].a.icmp_from = addr(TGT);
    struct correlate_result r;
    struct verdict_collector *c = combined(a, 1, b, 1, &r);
    const struct verdict_item *it = settled_proto(c, 17, 6325);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    assert_non_null(strstr(it->advice, "start the service"));
    assert_null(strstr(it->advice, "dropped on the way back"));
    verdict_collector_free(c);
}

/* The host's own capture holds none of its packets (inbound only: pktmon or tcpdump -Q in):
 * that it sent nothing back is not there to see, so the request is not read as arrived and
 * left unanswered (the host's own doing): the requester's reading stands. */
static void inbound_only_far_capture_proves_no_silence(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(2, 6325, 2, 0, VO_NO_ANSWER) };
    struct verdict_seen b[1] = { tcp(2, 6325, 2, 0, VO_NO_ANSWER) };
    a[0].a.proto = b[0].a.proto = 17;
    b[0].a.host_unseen = true;
    struct correlate_result r;
    struct verdict_collector *c = combined(a, 1, b, 1, &r);
    const struct verdict_item *it = settled_proto(c, 17, 6325);
    assert_int_equal(it->counts.by_outcome[VO_SILENT_AFTER_ARRIVAL], 0);
    assert_null(strstr(it->advice, "own firewall"));
    verdict_collector_free(c);
}

static void same_host_combines_nothing(void **state)
{
    (void)state;
    struct verdict_seen a[1] = { tcp(1, 6320, 1, 0, VO_NO_ANSWER) };
    struct correlate_side s0 = side(a, 1, SRC), s1 = side(a, 1, SRC);
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    assert_true(r.same_host);
    assert_int_equal(verdict_collector_settle(c), 0);
    assert_int_equal(verdict_count(c), 0);
    verdict_collector_free(c);
}

static struct pb b;

static void feed_fn(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

static struct analyzer *analyze_pb(int vantage)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.keep_attempts = 100;
    b.vantage = vantage;
    struct analyzer *a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(a);
    pb_feed(&b, feed_fn, a);
    analyzer_finish(a);
    return a;
}

/* The same test seen from both servers, the target's clock at skew_us from the source's:
 * 6325 opens; 6320's SYN-ACKs are lost on the way back; 6326 never arrives. One router: TTL
 * 63 on arrival. */
static void from_packets(int64_t skew_us)
{
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 40001, TGT, 6325, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6325, SRC, 40001, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 40001, TGT, 6325, TH_ACK);
    for (int i = 0; i < 3; i++) {
        pb_tcp(&b, SRC, 40002, TGT, 6320, TH_SYN);
        pb_wait(&b, (uint64_t)SEC);
    }
    for (int i = 0; i < 3; i++) {
        pb_tcp(&b, SRC, 40003, TGT, 6326, TH_SYN);
        pb_wait(&b, (uint64_t)SEC);
    }
    struct analyzer *src = analyze_pb(0);

    uint64_t t1 = (uint64_t)((int64_t)T0 + skew_us) + 200;
    pb_init(&b, t1);
    b.next.ttl = 63;
    pb_tcp(&b, SRC, 40001, TGT, 6325, TH_SYN);
    pb_tcp(&b, TGT, 6325, SRC, 40001, TH_SYN | TH_ACK);
    b.next.ttl = 63;
    pb_tcp(&b, SRC, 40001, TGT, 6325, TH_ACK);
    for (int i = 0; i < 3; i++) {
        b.next.ttl = 63;
        pb_tcp(&b, SRC, 40002, TGT, 6320, TH_SYN);
        pb_tcp(&b, TGT, 6320, SRC, 40002, TH_SYN | TH_ACK);
        pb_wait(&b, (uint64_t)SEC);
    }
    struct analyzer *tgt = analyze_pb(1);

    const struct verdict_collector *v0 = analyzer_verdicts(src), *v1 = analyzer_verdicts(tgt);
    assert_int_equal(verdict_seen_count(v0), 3);
    assert_int_equal(verdict_seen_count(v1), 2);
    struct correlate_side s0 = { verdict_seen_at(v0, 0), verdict_seen_count(v0),
                                 verdict_capture_point(v0)->addr, { 0 }, 0 };
    struct correlate_side s1 = { verdict_seen_at(v1, 0), verdict_seen_count(v1),
                                 verdict_capture_point(v1)->addr, { 0 }, 0 };
    struct fw_addr sa = addr(SRC), ta = addr(TGT);
    assert_true(verdict_capture_point(v0)->known && fw_addr_eq(&s0.host, &sa));
    assert_true(verdict_capture_point(v1)->known && fw_addr_eq(&s1.host, &ta));
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    assert_true(r.offset_known);
    assert_true(r.offset_us >= skew_us && r.offset_us <= skew_us + 1000);
    assert_int_equal(r.matched, 2);
    assert_int_equal(r.only[0], 1);
    assert_int_equal(settled(c, 6325)->v.kind, VERDICT_OPEN);
    assert_int_equal(settled(c, 6320)->v.kind, VERDICT_REPLY_DROPPED);
    assert_false(settled(c, 6320)->inferred);
    assert_int_equal(settled(c, 6326)->v.kind, VERDICT_DROPPED);
    assert_int_equal(settled(c, 6326)->counts.by_outcome[VO_NEVER_ARRIVED], 1);
    verdict_collector_free(c);
    analyzer_free(src);
    analyzer_free(tgt);
}

/* The handshake of src:sport with TGT:6325 as the capture on `at` sees it: what arrives there
 * crossed one router (TTL 63). */
static void handshake_at(const char *at, uint16_t sport)
{
    b.next.ttl = strcmp(at, SRC) == 0 ? 0 : 63;
    pb_tcp(&b, SRC, sport, TGT, 6325, TH_SYN);
    b.next.ttl = strcmp(at, TGT) == 0 ? 0 : 63;
    pb_tcp(&b, TGT, 6325, SRC, sport, TH_SYN | TH_ACK);
    b.next.ttl = strcmp(at, SRC) == 0 ? 0 : 63;
    pb_tcp(&b, SRC, sport, TGT, 6325, TH_ACK);
}

/* The same from packets: nothing listens on UDP 6326 or TCP 6320 at the target; its port
 * unreachable and its RSTs (one for each SYN) leave it and never reach the source. 6325 opens
 * (it puts each capture on its host and sets the clocks' offset). */
static void packets_refusal_lost(void **state)
{
    (void)state;
    pb_init(&b, T0);
    handshake_at(SRC, 40001);
    pb_udp(&b, SRC, 40002, TGT, 6326, 32);
    pb_tcp(&b, SRC, 40003, TGT, 6320, TH_SYN);
    pb_wait(&b, (uint64_t)SEC);
    pb_tcp(&b, SRC, 40003, TGT, 6320, TH_SYN);
    pb_wait(&b, 5 * (uint64_t)SEC);
    struct analyzer *src = analyze_pb(0);

    pb_init(&b, T0 + 200);
    handshake_at(TGT, 40001);
    b.next.ttl = 63;
    int req = pb_udp(&b, SRC, 40002, TGT, 6326, 32);
    assert_true(pb_icmp_error(&b, TGT, SRC, 3, 3, req) >= 0);
    for (int i = 0; i < 2; i++) {
        b.next.ttl = 63;
        pb_tcp(&b, SRC, 40003, TGT, 6320, TH_SYN);
        pb_tcp(&b, TGT, 6320, SRC, 40003, TH_RST | TH_ACK);
        pb_wait(&b, (uint64_t)SEC);
    }
    pb_wait(&b, 5 * (uint64_t)SEC);
    struct analyzer *tgt = analyze_pb(1);

    const struct verdict_collector *v0 = analyzer_verdicts(src), *v1 = analyzer_verdicts(tgt);
    struct correlate_side s0 = { verdict_seen_at(v0, 0), verdict_seen_count(v0),
                                 verdict_capture_point(v0)->addr, { 0 }, 0 };
    struct correlate_side s1 = { verdict_seen_at(v1, 0), verdict_seen_count(v1),
                                 verdict_capture_point(v1)->addr, { 0 }, 0 };
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    assert_true(r.offset_known);
    for (int i = 0; i < 2; i++) { /* each settle puts the items in words anew */
        const struct verdict_item *it = i == 0 ? settled_proto(c, 17, 6326) : settled(c, 6320);
        assert_string_equal(verdict_name(it->v.kind), "CLOSED");
        assert_int_equal(it->confidence, VERDICT_CONF_HIGH);
        assert_true(fw_addr_eq(&it->v.answered_by, &s1.host));
        assert_non_null(strstr(it->advice, "start the service"));
        assert_non_null(strstr(it->advice, "dropped on the way back"));
    }
    verdict_collector_free(c);
    analyzer_free(src);
    analyzer_free(tgt);
}

static void packets_clocks_agree(void **state)
{
    (void)state;
    from_packets(0);
}

static void packets_target_ahead(void **state)
{
    (void)state;
    from_packets(95 * SEC);
}

static void packets_target_behind(void **state)
{
    (void)state;
    from_packets(-42 * SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(offset_ahead_and_behind),
        cmocka_unit_test(offset_ignores_a_stray_pair),
        cmocka_unit_test(different_isn_is_no_match),
        cmocka_unit_test(partial_matches_combine),
        cmocka_unit_test(stall_seen_at_the_far_end_is_a_stall),
        cmocka_unit_test(unknown_far_host_keeps_the_single_view),
        cmocka_unit_test(far_capture_ended_keeps_the_near_judgement),
        cmocka_unit_test(hosts_refusal_lost_is_closed),
        cmocka_unit_test(one_way_capture_says_no_refusal_lost),
        cmocka_unit_test(inbound_only_far_capture_proves_no_silence),
        cmocka_unit_test(same_host_combines_nothing),
        cmocka_unit_test(packets_clocks_agree),
        cmocka_unit_test(packets_target_ahead),
        cmocka_unit_test(packets_target_behind),
        cmocka_unit_test(packets_refusal_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
