/* analyze/diagnose/where_test.c: on which side of one capture's point a blocked path failed
 * (where.c): beyond a host's capture always; on the path, beyond the point when the requests
 * pass it and nothing comes back, between the point and the requester when the answers pass
 * it and the requester keeps asking, and at a router whose two interfaces were captured
 * together when its requests went in and never out (and a RST in the host's name for such a
 * request was made there). Nothing for what is not blocked. */
#include "diag_test.h"

/* Answered SYNs that show where the capture was taken: each seen at the TTLs given (two for
 * a capture spanning a router: as it came in and one router later). */
static void control(uint8_t req_ttl, uint8_t req_ttl2, uint8_t ans_ttl)
{
    for (uint16_t i = 0; i < 3; i++) {
        uint16_t p = (uint16_t)(49400 + i);
        b.next.ttl = req_ttl;
        pb_tcp(&b, SRC, p, TGT, 445, TH_SYN);
        if (req_ttl2 != 0) {
            b.next.ttl = req_ttl2;
            pb_tcp(&b, SRC, p, TGT, 445, TH_SYN);
        }
        b.next.ttl = ans_ttl;
        pb_tcp(&b, TGT, 445, SRC, p, TH_SYN | TH_ACK);
    }
}

/* A SYN to port sent four times, seen at ttl (and again at ttl2 unless 0), unanswered. */
static void unanswered(uint16_t port, uint8_t ttl, uint8_t ttl2)
{
    for (int k = 0; k < 4; k++) {
        b.next.ttl = ttl;
        pb_tcp(&b, SRC, 49500, TGT, port, TH_SYN);
        if (ttl2 != 0) {
            b.next.ttl = ttl2;
            pb_tcp(&b, SRC, 49500, TGT, port, TH_SYN);
        }
        pb_wait(&b, SEC);
    }
}

static const struct verdict_item *where_of(uint16_t port, enum verdict_kind kind)
{
    pb_wait(&b, 30 * SEC);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, port);
    assert_int_equal(it->v.kind, kind);
    return it;
}

static void host_capture_blocked_beyond_it(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(64, 0, 63);
    unanswered(6326, 64, 0);
    assert_int_equal(where_of(6326, VERDICT_DROPPED)->where, WHERE_AFTER);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 445)->where, WHERE_NONE); /* open */
}

/* Between two routers: the requests pass the point and nothing comes back. */
static void in_path_request_passes_then_silence_is_after(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(63, 0, 63);
    unanswered(6326, 63, 0);
    const struct verdict_item *it = where_of(6326, VERDICT_DROPPED);
    assert_true(verdict_capture_point(analyzer_verdicts(diag_a))->in_path);
    assert_int_equal(it->where, WHERE_AFTER);
}

/* The target's answers pass the point toward the requester, who keeps sending its SYN: they
 * were lost between the point and the requester. */
static void in_path_answers_pass_requester_retries_is_before(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(63, 0, 63);
    for (int k = 0; k < 4; k++) {
        b.next.ttl = 63;
        pb_tcp(&b, SRC, 49500, TGT, 6330, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 6330, SRC, 49500, TH_SYN | TH_ACK);
        pb_wait(&b, SEC);
    }
    assert_int_equal(where_of(6330, VERDICT_REPLY_DROPPED)->where, WHERE_BEFORE);
}

/* A router's two interfaces in one file: a SYN seen going in and never one router later died
 * in that router; one seen on both sides went on, and was lost beyond. */
static void spanning_capture_tells_at_from_after(void **state)
{
    (void)state;
    pb_init(&b, T0);
    control(64, 63, 62);
    unanswered(6326, 64, 0);
    unanswered(6320, 64, 63);
    const struct verdict_item *it = where_of(6326, VERDICT_DROPPED);
    assert_true(verdict_capture_point(analyzer_verdicts(diag_a))->spans_router);
    assert_int_equal(it->where, WHERE_AT);
    it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_DROPPED);
    assert_int_equal(it->where, WHERE_AFTER);
}

/* A RST in the target's name on a capture spanning the router: the target's packets are seen
 * on both sides (TTL 64, then 63), so a RST whose SYN never left the router was made in it,
 * though its TTL fits; a SYN that went through and its RST seen on both sides are the host's.
 * IPv6 the same (nftables' "reject with tcp reset" on the router's forward hook). */
static void spanning_capture_rst_of_a_stopped_request_is_forged(void **state)
{
    (void)state;
    static const char *const pairs[][2] = { { SRC, TGT }, { SRC6, TGT6 } };
    for (size_t k = 0; k < 2; k++) {
        const char *s = pairs[k][0], *t = pairs[k][1];
        pb_init(&b, T0);
        for (uint16_t i = 0; i < 3; i++) {
            uint16_t p = (uint16_t)(49400 + i);
            static const uint8_t flags[] = { TH_SYN, TH_SYN | TH_ACK, TH_ACK };
            for (int f = 0; f < 3; f++)
                for (uint8_t ttl = 64; ttl >= 63; ttl--) {
                    b.next.ttl = ttl;
                    bool from_s = f != 1;
                    pb_tcp(&b, from_s ? s : t, from_s ? p : 445, from_s ? t : s,
                           from_s ? 445 : p, flags[f]);
                }
        }
        b.next.ttl = 64;
        pb_tcp(&b, s, 50001, t, 6320, TH_SYN);
        b.next.ttl = 64;
        pb_tcp(&b, t, 6320, s, 50001, TH_RST | TH_ACK);
        for (uint8_t ttl = 64; ttl >= 63; ttl--) {
            b.next.ttl = ttl;
            pb_tcp(&b, s, 50002, t, 6325, TH_SYN);
        }
        for (uint8_t ttl = 64; ttl >= 63; ttl--) {
            b.next.ttl = ttl;
            pb_tcp(&b, t, 6325, s, 50002, TH_RST | TH_ACK);
        }
        diag_run(NULL);
        assert_true(verdict_capture_point(analyzer_verdicts(diag_a))->spans_router);
        const struct verdict_item *it = diag_find(diag_a, s, t, 6, 6320);
        assert_int_equal(it->v.kind, VERDICT_REJECTED);
        assert_int_equal(it->where, WHERE_AT);
        diag_evidence_has(it, "the RST was made in the router");
        assert_int_equal(diag_find(diag_a, s, t, 6, 6325)->v.kind, VERDICT_CLOSED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_capture_blocked_beyond_it),
        cmocka_unit_test(in_path_request_passes_then_silence_is_after),
        cmocka_unit_test(in_path_answers_pass_requester_retries_is_before),
        cmocka_unit_test(spanning_capture_tells_at_from_after),
        cmocka_unit_test(spanning_capture_rst_of_a_stopped_request_is_forged),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
