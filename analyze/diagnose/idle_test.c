/* analyze/diagnose/idle_test.c: the idle-timeout reading (explain_idle_timeout.c, flow_track.c
 * note_idle and flow_recall.c flow_recall_resume) where it must stay silent: TCP keepalives
 * answered (Linux's empty probe, Windows' one byte at snd_nxt - 1), a connection idle past the
 * 5 min of a flow that then closes or talks normally, whichever end speaks first.
 * Captured on the source; the target's packets arrive with TTL 63. */
#include "diag_test.h"

#define SPORT 50001

/* A connection from src to tgt's 6320 that exchanged a little, everything acknowledged. */
static void connected(const char *src, const char *tgt)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    diag_connect(src, SPORT, tgt, 6320);
    b.next.payload_len = 100;
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_PUSH | TH_ACK);
    b.next.ttl = 63;
    b.next.payload_len = 50;
    pb_tcp(&b, tgt, 6320, src, SPORT, TH_PUSH | TH_ACK);
    pb_tcp(&b, src, SPORT, tgt, 6320, TH_ACK);
}

/* n keepalives from the source every every_us, of len bytes (0: Linux, 1: Windows) at
 * snd_nxt - 1, each answered by the target's ACK of snd_nxt when answered. */
static void keepalives(uint64_t every_us, int n, uint32_t len, bool answered)
{
    connected(SRC, TGT);
    uint32_t nxt = pb_tcp_seq(&b, SRC, SPORT, TGT, 6320);
    for (int i = 0; i < n; i++) {
        pb_wait(&b, every_us);
        b.next.set_seq = true;
        b.next.seq = nxt - 1;
        b.next.payload_len = len;
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_ACK);
        if (answered) {
            b.next.ttl = 63;
            b.next.set_ack = true;
            b.next.ack = nxt;
            pb_tcp(&b, TGT, 6320, SRC, SPORT, TH_ACK);
        }
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
}

static void expect_open(const char *src, const char *tgt)
{
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_NONE, "open", VERDICT_CONF_HIGH,
                                        tgt, false, "nothing to do" });
}

/* Linux's keepalive carries no byte: answered, every 30 s or every 2 h, the path works. */
static void empty_keepalives_answered_are_open(void **state)
{
    (void)state;
    keepalives(30 * SEC, 4, 0, true);
    expect_open(SRC, TGT);
    keepalives(2 * 3600 * SEC, 3, 0, true);
    expect_open(SRC, TGT);
}

/* Windows' keepalive is one byte at snd_nxt - 1, already acknowledged: sent again "data" only
 * to a reader of sequence numbers. Answered every 30 s (KeepAliveTime lowered as the
 * idle-timeout advice says), the connection is healthy. */
static void one_byte_keepalives_answered_are_open(void **state)
{
    (void)state;
    keepalives(30 * SEC, 4, 1, true);
    expect_open(SRC, TGT);
}

/* The same every 2 h: each probe resumes the connection after Zeek's 5 min (a new flow). */
static void one_byte_keepalives_answered_after_hours_are_open(void **state)
{
    (void)state;
    keepalives(2 * 3600 * SEC, 3, 1, true);
    expect_open(SRC, TGT);
}

/* The keepalive a firewall's idle timeout dropped: after 30 s of silence, Windows' one byte sent
 * again every second (KeepAliveInterval), never answered: the idle timeout, seen through the
 * keepalives (the lowered KeepAliveTime still above the firewall's timeout). */
static void one_byte_keepalives_unanswered_after_a_silence_are_the_timeout(void **state)
{
    (void)state;
    connected(SRC, TGT);
    uint32_t nxt = pb_tcp_seq(&b, SRC, SPORT, TGT, 6320);
    pb_wait(&b, 30 * SEC);
    for (int i = 0; i < 5; i++) {
        b.next.set_seq = true;
        b.next.seq = nxt - 1;
        b.next.payload_len = 1;
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_ACK);
        pb_wait(&b, SEC);
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_string_equal(verdict_name(it->v.kind), "STALLED");
    assert_string_equal(it->cause, "idle-timeout");
}

/* Idle 6 min (the flow ended, as Zeek ends it), then one end (the target when by_target)
 * sends a segment of flags and len, the other answers alike with plen bytes, and the first
 * acknowledges: a close (FIN both ways) or a request and its answer. */
static void idle_then_exchange(bool by_target, uint8_t flags, uint32_t len, uint32_t plen)
{
    connected(SRC, TGT);
    pb_wait(&b, 6 * 60 * SEC);
    const char *me = by_target ? TGT : SRC, *peer = by_target ? SRC : TGT;
    uint16_t mport = by_target ? 6320 : SPORT, pport = by_target ? SPORT : 6320;
    uint8_t mttl = by_target ? 63 : 64, pttl = by_target ? 64 : 63;
    b.next.ttl = mttl;
    b.next.payload_len = len;
    pb_tcp(&b, me, mport, peer, pport, flags);
    b.next.ttl = pttl;
    b.next.payload_len = plen;
    pb_tcp(&b, peer, pport, me, mport, flags);
    b.next.ttl = mttl;
    pb_tcp(&b, me, mport, peer, pport, TH_ACK);
    diag_tail(SRC, 49401, TGT, 10 * SEC);
}

/* Closed by a FIN either way after the silence: the connection that passed, nothing more. */
static void idle_past_five_minutes_then_closed_by_fin_is_open(void **state)
{
    (void)state;
    for (int by_target = 0; by_target < 2; by_target++) {
        idle_then_exchange(by_target, TH_FIN | TH_ACK, 0, 0);
        expect_open(SRC, TGT);
    }
}

/* Data after the silence, answered, whichever end speaks first: still OPEN, and nothing said
 * of the other direction (the client's port). */
static void idle_past_five_minutes_then_answered_is_open(void **state)
{
    (void)state;
    for (int by_target = 0; by_target < 2; by_target++) {
        idle_then_exchange(by_target, TH_PUSH | TH_ACK, 300, 40);
        expect_open(SRC, TGT);
        const struct verdict_collector *vc = analyzer_verdicts(diag_a);
        for (size_t i = 0; i < verdict_count(vc); i++) {
            const struct verdict_item *it = verdict_at(vc, i);
            assert_false(it->proto == 6 && it->port == SPORT &&
                         it->v.kind != VERDICT_UNTESTED);
        }
    }
}

/* An idle connection is the flow a full table evicts first (the oldest idle): evicted, it is
 * remembered as one that timed out, and its data stalling after the silence is the timeout's.
 * A table of 4 flows; 6 connections to 6325 while the one to 6320 sits idle for 60 s. */
static void an_idle_connection_evicted_then_stalled_is_the_timeout(void **state)
{
    (void)state;
    connected(SRC, TGT);
    pb_wait(&b, 30 * SEC);
    for (int j = 0; j < 6; j++)
        diag_control(SRC, (uint16_t)(49500 + j), TGT);
    pb_wait(&b, 30 * SEC);
    uint32_t seq = pb_tcp_seq(&b, SRC, SPORT, TGT, 6320);
    for (int i = 0; i < 4; i++) {
        b.next.set_seq = true;
        b.next.seq = seq;
        b.next.payload_len = 200;
        pb_tcp(&b, SRC, SPORT, TGT, 6320, TH_PUSH | TH_ACK);
        pb_wait(&b, (SEC / 5) << i);
    }
    diag_tail(SRC, 49401, TGT, 10 * SEC);
    diag_done(NULL);
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.max_flows = 4;
    diag_a = analyzer_new(&cfg, NULL, NULL);
    assert_non_null(diag_a);
    pb_feed(&b, diag_feed_fn, diag_a);
    analyzer_finish(diag_a);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    if (strcmp(it->cause, "idle-timeout") != 0)
        print_error("got %s (%s)\n", verdict_name(it->v.kind), it->cause);
    assert_string_equal(it->cause, "idle-timeout");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_keepalives_answered_are_open),
        cmocka_unit_test(one_byte_keepalives_answered_are_open),
        cmocka_unit_test(one_byte_keepalives_answered_after_hours_are_open),
        cmocka_unit_test(one_byte_keepalives_unanswered_after_a_silence_are_the_timeout),
        cmocka_unit_test(idle_past_five_minutes_then_closed_by_fin_is_open),
        cmocka_unit_test(idle_past_five_minutes_then_answered_is_open),
        cmocka_unit_test(an_idle_connection_evicted_then_stalled_is_the_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
