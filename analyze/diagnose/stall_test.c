/* analyze/diagnose/stall_test.c: connections that open and then stop. Large segments sent
 * again and again while small ones passed, with no ICMP to say why, are a path-MTU black hole
 * (explain_pmtu.c); small segments sent again, or large ones after an ICMP "fragmentation
 * needed", are a plain stall (explain_stalled.c), and one segment sent again once is nothing;
 * a receiver's FIN sent again and again into the sender's silence is a stall too; data sent
 * again and again after the connection was silent 10 s or more, unanswered ever after, is a
 * device's idle timeout (explain_idle_timeout.c).
 * Captured on the source; the target's packets arrive with TTL 63. */
#include "diag_test.h"

#define SPORT 50001

/* A connection to tgt's 6320: a small segment of ok_len acknowledged (none if 0), then a
 * segment of len sent 1 + again times and never acknowledged (acked: acknowledged at once,
 * sent again all the same); frag_needed: rtr says the path's MTU is smaller. */
static void session(const char *src, const char *tgt, const char *rtr, uint32_t ok_len,
                    uint32_t len, int again, bool acked, bool frag_needed)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    diag_connect(src, SPORT, tgt, 6320);
    if (ok_len > 0) {
        b.next.payload_len = ok_len;
        pb_tcp(&b, src, SPORT, tgt, 6320, TH_PUSH | TH_ACK);
        b.next.ttl = 63;
        pb_tcp(&b, tgt, 6320, src, SPORT, TH_ACK);
    }
    uint32_t seq = pb_tcp_seq(&b, src, SPORT, tgt, 6320);
    b.next.payload_len = len;
    int big = pb_tcp(&b, src, SPORT, tgt, 6320, TH_PUSH | TH_ACK);
    assert_true(big >= 0);
    if (acked) {
        b.next.ttl = 63;
        pb_tcp(&b, tgt, 6320, src, SPORT, TH_ACK);
    }
    bool v6 = strchr(tgt, ':') != NULL; /* ICMPv6 packet too big (2/0), ICMP 3/4 */
    if (frag_needed)
        assert_true(pb_icmp_error(&b, rtr, src, v6 ? 2 : 3, v6 ? 0 : 4, big) >= 0);
    for (int i = 0; i < again; i++) {
        pb_wait(&b, SEC << i);
        b.next.set_seq = true;
        b.next.seq = seq;
        b.next.payload_len = len;
        pb_tcp(&b, src, SPORT, tgt, 6320, TH_PUSH | TH_ACK);
    }
    diag_tail(src, 49401, tgt, 10 * SEC);
}

static void large_segments_lost_small_ones_pass_is_a_pmtu_black_hole(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 100, 1400, 3, false, false);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_STALLED, LOOKALIKE_NONE, "pmtu-blackhole",
                                        VERDICT_CONF_MEDIUM, NULL, true,
                                        "fragmentation-needed (type 3 code 4) to "
                                        "198.51.100.10" });
    diag_evidence_has(it, "segments of 1400 bytes sent again unacknowledged while 100-byte");
}

static void large_segments_lost_small_ones_pass_is_a_pmtu_black_hole_v6(void **state)
{
    (void)state;
    session(SRC6, TGT6, RTR6, 100, 1400, 3, false, false);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC6, TGT6, 6, 6320),
                (struct diag_want){ VERDICT_STALLED, LOOKALIKE_NONE, "pmtu-blackhole",
                                    VERDICT_CONF_MEDIUM, NULL, true,
                                    "packet-too-big (ICMPv6 type 2)" });
}

static void expect_plain_stall(const char *src, const char *tgt, const char *advice)
{
    diag_run(NULL);
    diag_expect(diag_find(diag_a, src, tgt, 6, 6320),
                (struct diag_want){ VERDICT_STALLED, LOOKALIKE_NONE, "stall",
                                    VERDICT_CONF_MEDIUM, NULL, true, advice });
}

static void small_segments_sent_again_are_a_plain_stall(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 0, 200, 3, false, false);
    expect_plain_stall(SRC, TGT, "198.51.100.10's data gets no answer");
}

static void large_segments_after_fragmentation_needed_are_a_plain_stall(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 100, 1400, 3, false, true);
    expect_plain_stall(SRC, TGT, "data gets no answer");
    session(SRC6, TGT6, RTR6, 100, 1400, 3, false, true);
    expect_plain_stall(SRC6, TGT6, "data gets no answer");
}

static void data_acknowledged_and_sent_again_is_a_stall_of_the_acks(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 0, 1400, 3, true, false);
    expect_plain_stall(SRC, TGT, "the ACKs of 198.51.100.10's data do not get back");
}

static void one_segment_sent_again_once_is_no_stall(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 100, 1400, 1, false, false);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 6, 6320),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH,
                                    TGT, false, "nothing to do" });
}

/* The target streams to the source, which acknowledges it; then the target's packets stop (a
 * firewall that dropped the connection mid-transfer) and the source, with nothing to send,
 * closes after silence_us: its FIN goes out 1 + again times, unacknowledged unless fin_acked
 * (the target's ACK of the first one came, and the FIN was sent again all the same). */
static void receiver_closes_into_silence(int again, bool fin_acked, uint64_t silence_us)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    diag_connect(SRC, SPORT, TGT, 6320);
    for (int i = 0; i < 3; i++) {
        b.next.ttl = 63;
        b.next.payload_len = 1024;
        pb_tcp(&b, TGT, 6320, SRC, SPORT, TH_PUSH | TH_ACK);
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_ACK);
    }
    pb_wait(&b, silence_us);
    uint32_t seq = pb_tcp_seq(&b, SRC, SPORT, TGT, 6320);
    pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_FIN | TH_ACK);
    if (fin_acked) {
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 6320, SRC, SPORT, TH_ACK);
    }
    for (int i = 0; i < again; i++) {
        pb_wait(&b, (SEC / 5) << i);
        b.next.set_seq = true;
        b.next.seq = seq;
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_FIN | TH_ACK);
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
}

static void fin_sent_again_into_silence_is_a_stall(void **state)
{
    (void)state;
    receiver_closes_into_silence(3, false, 8 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_STALLED, LOOKALIKE_NONE, "stall",
                                        VERDICT_CONF_MEDIUM, NULL, true,
                                        "198.51.100.10's FIN (its close) gets no answer" });
    diag_evidence_has(it, "the host's packets stopped: the requester sent its FIN again 3 times");
}

static void fin_sent_again_once_or_acknowledged_is_no_stall(void **state)
{
    (void)state;
    receiver_closes_into_silence(1, false, 8 * SEC);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
    receiver_closes_into_silence(3, true, 8 * SEC);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
}

/* A connection that exchanged a little, then carried nothing for idle_us; then one side (the
 * target when by_target) sends 200 bytes, again 3 times, never acknowledged. peer_once: the
 * other side acknowledged the first of them (it heard it: not forgotten), the rest not.
 * Captured on the side that resumes: the other's packets arrive with TTL 63. */
static void idle_then_stall(const char *src, const char *tgt, uint64_t idle_us, bool by_target,
                            bool peer_once, uint32_t len)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    const char *me = by_target ? tgt : src, *peer = by_target ? src : tgt;
    uint16_t mport = by_target ? 6320 : SPORT, pport = by_target ? SPORT : 6320;
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_SYN);
    b.next.ttl = by_target ? 64 : 63;
    pb_tcp(&b, tgt, 6320, src, SPORT, TH_SYN | TH_ACK);
    b.next.ttl = by_target ? 63 : 64;
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_ACK);
    b.next.payload_len = 100;
    pb_tcp(&b, me, mport, peer, pport, TH_PUSH | TH_ACK);
    b.next.ttl = 63;
    b.next.payload_len = 50;
    pb_tcp(&b, peer, pport, me, mport, TH_PUSH | TH_ACK);
    pb_tcp(&b, me, mport, peer, pport, TH_ACK);
    pb_wait(&b, idle_us);
    uint32_t seq = pb_tcp_seq(&b, me, mport, peer, pport);
    b.next.payload_len = len;
    assert_true(pb_tcp(&b, me, mport, peer, pport, TH_PUSH | TH_ACK) >= 0);
    if (peer_once) {
        b.next.ttl = 63;
        pb_tcp(&b, peer, pport, me, mport, TH_ACK);
        seq = pb_tcp_seq(&b, me, mport, peer, pport);
        b.next.payload_len = len;
        pb_tcp(&b, me, mport, peer, pport, TH_PUSH | TH_ACK);
    }
    for (int i = 0; i < 3; i++) {
        pb_wait(&b, (SEC / 5) << i);
        b.next.set_seq = true;
        b.next.seq = seq;
        b.next.payload_len = len;
        pb_tcp(&b, me, mport, peer, pport, TH_PUSH | TH_ACK);
    }
    diag_tail(src, 49401, tgt, 10 * SEC);
}

static void expect_idle_timeout(const char *src, const char *tgt, const char *local,
                                const char *advice, const char *words)
{
    diag_run(local);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_STALLED, LOOKALIKE_NONE, "idle-timeout",
                                        VERDICT_CONF_MEDIUM, NULL, true, advice });
    diag_evidence_has(it, words);
    diag_evidence_has(it, "forgot the idle connection");
}

static void data_unanswered_after_a_long_silence_is_an_idle_timeout(void **state)
{
    (void)state;
    idle_then_stall(SRC, TGT, 90 * SEC, false, false, 200);
    expect_idle_timeout(SRC, TGT, NULL, "breaks after 1 min 30 s idle: raise the TCP idle",
                        "carried nothing either way for 1 min 30 s; then 198.51.100.10's data "
                        "went unanswered");
    diag_evidence_has(diag_find(diag_a, SRC, TGT, 6, 6320),
                      "and 203.0.113.20 sent nothing more: a device");
    idle_then_stall(SRC6, TGT6, 12 * SEC, false, false, 200);
    expect_idle_timeout(SRC6, TGT6, NULL, "breaks after 12 s idle", "for 12 s; then");
}

/* The host speaks first after the silence (captured there): the same. */
static void the_host_resuming_into_a_forgotten_connection_too(void **state)
{
    (void)state;
    idle_then_stall(SRC, TGT, 30 * SEC, true, false, 200);
    expect_idle_timeout(SRC, TGT, TGT, "TCP keepalives",
                        "then 203.0.113.20's data went unanswered");
    diag_evidence_has(diag_find(diag_a, SRC, TGT, 6, 6320), "and 198.51.100.10 sent nothing more");
}

/* A full-size segment after the silence, though only small ones passed before: the silence
 * explains it first (a path-MTU black hole would have no silence before it). */
static void a_large_segment_after_the_silence_is_still_the_timeout(void **state)
{
    (void)state;
    idle_then_stall(SRC, TGT, 30 * SEC, false, false, 1400);
    expect_idle_timeout(SRC, TGT, NULL, "raise the TCP idle", "for 30 s");
}

/* The words with the longest IPv6 addresses: every line whole (one of them held both
 * addresses and was cut at 160 characters). */
static void idle_timeout_words_fit_long_ipv6_addresses(void **state)
{
    (void)state;
    idle_then_stall(SRC6L, TGT6L, 65 * 60 * SEC, false, false, 200);
    expect_idle_timeout(SRC6L, TGT6L, NULL, "breaks after 1 h 5 min idle",
                        "and 2001:db8:8765:4321:fedc:ba98:7654:3210 sent nothing more");
    diag_no_line_cut(diag_find(diag_a, SRC6L, TGT6L, 6, 6320));
}

/* A silence longer than the 5 min after which a connection counts as ended: the data that
 * comes after (no SYN) resumes the same connection, its stall is the timeout's. */
static void a_connection_resumed_after_minutes_is_the_timeouts(void **state)
{
    (void)state;
    idle_then_stall(SRC, TGT, 65 * 60 * SEC, false, false, 200);
    expect_idle_timeout(SRC, TGT, NULL, "breaks after 1 h 5 min idle",
                        "carried nothing either way for 1 h 5 min");
    diag_evidence_has(diag_find(diag_a, SRC, TGT, 6, 6320), "without a new handshake");
    /* The host resumes it: still told from the end that opened it. */
    idle_then_stall(SRC, TGT, 20 * 60 * SEC, true, false, 200);
    expect_idle_timeout(SRC, TGT, TGT, "breaks after 20 min 0 s idle",
                        "then 203.0.113.20's data went unanswered");
}

/* A capture that begins in the middle of a connection, whose data then stalls: no silence is
 * known and no attempt is seen, so nothing is said of the port (at most UNTESTED). */
static void a_stall_seen_only_mid_connection_is_not_judged(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    b.next.payload_len = 200;
    uint32_t seq = pb_tcp_seq(&b, SRC, SPORT, TGT, 6320);
    pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_PUSH | TH_ACK);
    for (int i = 0; i < 3; i++) {
        pb_wait(&b, (SEC / 5) << i);
        b.next.set_seq = true;
        b.next.seq = seq;
        b.next.payload_len = 200;
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_PUSH | TH_ACK);
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    const struct verdict_collector *vc = analyzer_verdicts(diag_a);
    for (size_t i = 0; i < verdict_count(vc); i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        assert_false(it->proto == 6 && it->port == 6320 && it->v.kind != VERDICT_UNTESTED);
    }
}

/* Where it must stay silent: a pause shorter than FLOW_IDLE_MIN_US, and a peer that heard the
 * first segment after the silence (the connection was still known on the way). */
static void a_short_pause_or_a_peer_that_answered_is_a_plain_stall(void **state)
{
    (void)state;
    idle_then_stall(SRC, TGT, 9 * SEC, false, false, 200);
    expect_plain_stall(SRC, TGT, "data gets no answer");
    idle_then_stall(SRC, TGT, 30 * SEC, false, true, 200);
    expect_plain_stall(SRC, TGT, "data gets no answer");
}

/* A stall long enough for its retransmissions to back off past 10 s (1, 2, 4, 8, 16 s): the
 * gaps come with data outstanding, no idle connection. A receiver that closes after 30 s of a
 * stream stopped mid-transfer: its FIN into that silence is the stall it was. */
static void a_long_stall_or_a_late_close_is_no_idle_timeout(void **state)
{
    (void)state;
    session(SRC, TGT, RTR, 0, 200, 5, false, false);
    expect_plain_stall(SRC, TGT, "data gets no answer");
    receiver_closes_into_silence(3, false, 30 * SEC);
    expect_plain_stall(SRC, TGT, "FIN (its close) gets no answer");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(large_segments_lost_small_ones_pass_is_a_pmtu_black_hole),
        cmocka_unit_test(large_segments_lost_small_ones_pass_is_a_pmtu_black_hole_v6),
        cmocka_unit_test(small_segments_sent_again_are_a_plain_stall),
        cmocka_unit_test(large_segments_after_fragmentation_needed_are_a_plain_stall),
        cmocka_unit_test(data_acknowledged_and_sent_again_is_a_stall_of_the_acks),
        cmocka_unit_test(one_segment_sent_again_once_is_no_stall),
        cmocka_unit_test(fin_sent_again_into_silence_is_a_stall),
        cmocka_unit_test(fin_sent_again_once_or_acknowledged_is_no_stall),
        cmocka_unit_test(data_unanswered_after_a_long_silence_is_an_idle_timeout),
        cmocka_unit_test(the_host_resuming_into_a_forgotten_connection_too),
        cmocka_unit_test(a_large_segment_after_the_silence_is_still_the_timeout),
        cmocka_unit_test(a_short_pause_or_a_peer_that_answered_is_a_plain_stall),
        cmocka_unit_test(a_connection_resumed_after_minutes_is_the_timeouts),
        cmocka_unit_test(idle_timeout_words_fit_long_ipv6_addresses),
        cmocka_unit_test(a_stall_seen_only_mid_connection_is_not_judged),
        cmocka_unit_test(a_long_stall_or_a_late_close_is_no_idle_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
