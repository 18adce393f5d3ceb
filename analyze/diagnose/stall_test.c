/* analyze/diagnose/stall_test.c: connections that open and then stop. Large segments sent
 * again and again while small ones passed, with no ICMP to say why, are a path-MTU black hole
 * (explain_pmtu.c); small segments sent again, or large ones after an ICMP "fragmentation
 * needed", are a plain stall (explain_stalled.c), and one segment sent again once is nothing;
 * a receiver's FIN sent again and again into the sender's silence is a stall too.
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
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, tgt, 6320, src, SPORT, TH_SYN | TH_ACK);
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_ACK);
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
 * closes: its FIN goes out 1 + again times, unacknowledged unless fin_acked (the target's
 * ACK of the first one came, and the FIN was sent again all the same). */
static void receiver_closes_into_silence(int again, bool fin_acked)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6320, SRC, SPORT, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_ACK);
    for (int i = 0; i < 3; i++) {
        b.next.ttl = 63;
        b.next.payload_len = 1024;
        pb_tcp(&b, TGT, 6320, SRC, SPORT, TH_PUSH | TH_ACK);
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_ACK);
    }
    pb_wait(&b, 8 * SEC);
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
    receiver_closes_into_silence(3, false);
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
    receiver_closes_into_silence(1, false);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
    receiver_closes_into_silence(3, true);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
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
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
