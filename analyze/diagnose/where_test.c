/* analyze/diagnose/where_test.c: on which side of one capture's point a blocked path failed
 * (where.c): beyond a host's capture always; on the path, beyond the point when the requests
 * pass it and nothing comes back, between the point and the requester when the answers pass
 * it and the requester keeps asking, and at a router whose two interfaces were captured
 * together when its requests went in and never out. Nothing for what is not blocked. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_capture_blocked_beyond_it),
        cmocka_unit_test(in_path_request_passes_then_silence_is_after),
        cmocka_unit_test(in_path_answers_pass_requester_retries_is_before),
        cmocka_unit_test(spanning_capture_tells_at_from_after),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
