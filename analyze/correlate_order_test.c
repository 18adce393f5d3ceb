/* analyze/correlate_order_test.c: two captures give the same verdicts whichever is given first,
 * with crafted attempt lists run both ways: a capture point's other address that only the two
 * captures together show (its IPv6 requests, sent with a full hop limit toward the other
 * capture's host), with its near misses (two such requesters, an address shown for both); a
 * far capture that ended soon after a request but saw a later one of the same pair arrive; and
 * an attempt neither capture took at its requester, whose nearer view stands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/correlate.h"

#define T0 1700000000000000ull
#define MS 1000ll
#define SRC "198.51.100.10"
#define TGT "203.0.113.20"
#define SRC6 "2001:db8:1::10"
#define TGT6 "2001:db8:2::20"

static struct fw_addr addr(const char *s)
{
    struct fw_addr a;
    assert_true(fw_addr_parse(&a, s));
    return a;
}

/* A TCP attempt from -> to:port at T0 + t_us, with the outcome and the TTLs (request, answer)
 * as seen where captured. */
static struct verdict_seen tcp(const char *from, const char *to, uint16_t port, uint32_t isn,
                               int64_t t_us, enum verdict_outcome o, uint8_t req_ttl,
                               uint8_t ans_ttl)
{
    struct verdict_seen s;
    memset(&s, 0, sizeof s);
    s.a.from = addr(from);
    s.a.to = addr(to);
    s.a.proto = 6;
    s.a.port = port;
    s.a.outcome = o;
    s.a.first_us = (uint64_t)((int64_t)T0 + t_us);
    s.a.req_frame = 1;
    s.a.requests = 1;
    s.a.req_ttl = req_ttl;
    s.a.ans_ttl = ans_ttl;
    s.sport = (uint16_t)(40000 + isn);
    s.isn = isn;
    return s;
}

struct side_spec {
    const struct verdict_seen *seen;
    size_t n;
    const char *host, *host2; /* NULL: not named by its own capture */
    int64_t end_ms;           /* its last frame, after T0; 0: not known */
};

static struct correlate_side side(const struct side_spec *s)
{
    struct correlate_side x = { s->seen, s->n, { 0 }, { 0 }, 0 };
    if (s->host != NULL)
        x.host = addr(s->host);
    if (s->host2 != NULL)
        x.host2 = addr(s->host2);
    if (s->end_ms != 0)
        x.end_us = (uint64_t)((int64_t)T0 + s->end_ms * MS);
    return x;
}

/* The settled verdict of (from, to, tcp, port) when the captures are given in this order, and
 * how many of its attempts were resets the host never sent. */
static enum verdict_kind verdict_in_order(const struct side_spec *first,
                                          const struct side_spec *second, const char *from,
                                          uint16_t port, uint32_t *forged)
{
    struct correlate_side s0 = side(first), s1 = side(second);
    struct verdict_config cfg = { .combined = true };
    struct verdict_collector *c = verdict_collector_new(&cfg);
    assert_non_null(c);
    struct correlate_result r;
    assert_int_equal(correlate_run(&s0, &s1, c, &r), 0);
    assert_int_equal(verdict_collector_settle(c), 0);
    struct fw_addr f = addr(from);
    for (size_t i = 0; i < verdict_count(c); i++) {
        const struct verdict_item *it = verdict_at(c, i);
        if (it->proto == 6 && it->port == port && fw_addr_eq(&it->from, &f)) {
            enum verdict_kind k = it->v.kind;
            *forged = it->counts.by_outcome[VO_RST_FORGED];
            verdict_collector_free(c);
            return k;
        }
    }
    fail_msg("no verdict for %s port %u", from, port);
    return VERDICT_UNTESTED;
}

/* The verdict, required to be the same both ways. */
static enum verdict_kind both_orders(const struct side_spec *a, const struct side_spec *b,
                                     const char *from, uint16_t port, uint32_t *forged)
{
    uint32_t f2 = 0;
    enum verdict_kind k1 = verdict_in_order(a, b, from, port, forged);
    enum verdict_kind k2 = verdict_in_order(b, a, from, port, &f2);
    assert_string_equal(verdict_name(k1), verdict_name(k2));
    assert_int_equal(*forged, f2);
    return k1;
}

/* The source's capture names only its IPv4 address (its IPv6 one is lost among neighbour
 * discovery): a reset to its IPv6 request that the target never saw is forged, whichever
 * capture comes first, because the request left the source with a full hop limit toward the
 * target's known address. With two such requesters the source's address stays unknown. */
static void other_address_shown_by_both(void **state)
{
    (void)state;
    struct verdict_seen src[3] = {
        tcp(SRC, TGT, 445, 1, 0, VO_ANSWERED, 64, 62),
        tcp(SRC6, TGT6, 6320, 2, 10 * MS, VO_RST, 64, 64),
        tcp(SRC6, TGT6, 445, 3, 20 * MS, VO_ANSWERED, 64, 62),
    };
    struct verdict_seen tgt[2] = {
        tcp(SRC, TGT, 445, 1, 1 * MS, VO_ANSWERED, 62, 64),
        tcp(SRC6, TGT6, 445, 3, 21 * MS, VO_ANSWERED, 62, 64),
    };
    struct side_spec s = { src, 3, SRC, NULL, 0 }, t = { tgt, 2, TGT, TGT6, 0 };
    uint32_t forged = 0;
    assert_int_equal(both_orders(&s, &t, SRC6, 6320, &forged), VERDICT_REJECTED);
    assert_int_equal(forged, 1);

    /* Near miss: another host beside the source asks the target too; neither is named. */
    struct verdict_seen two[4] = {
        src[0], src[1], src[2], tcp("2001:db8:1::11", TGT6, 445, 4, 30 * MS, VO_ANSWERED, 64, 62),
    };
    struct verdict_seen tgt2[3] = {
        tgt[0], tgt[1], tcp("2001:db8:1::11", TGT6, 445, 4, 31 * MS, VO_ANSWERED, 62, 64),
    };
    s = (struct side_spec){ two, 4, SRC, NULL, 0 };
    t = (struct side_spec){ tgt2, 3, TGT, TGT6, 0 };
    both_orders(&s, &t, SRC6, 6320, &forged);
    assert_int_equal(forged, 0);
}

/* The target's capture names only its IPv4 address; its IPv6 one shows in its own SYN-ACK,
 * sent with a full hop limit to the source's known address. A reset in its name that its
 * capture never saw leave is then forged. */
static void answer_shows_the_responder(void **state)
{
    (void)state;
    struct verdict_seen src[3] = {
        tcp(SRC, TGT, 445, 1, 0, VO_ANSWERED, 64, 62),
        tcp(SRC6, TGT6, 6320, 2, 10 * MS, VO_RST, 64, 64),
        tcp(SRC6, TGT6, 445, 3, 20 * MS, VO_ANSWERED, 64, 62),
    };
    struct verdict_seen tgt[2] = {
        tcp(SRC, TGT, 445, 1, 1 * MS, VO_ANSWERED, 62, 64),
        tcp(SRC6, TGT6, 445, 3, 21 * MS, VO_ANSWERED, 62, 64),
    };
    struct side_spec s = { src, 3, SRC, SRC6, 0 }, t = { tgt, 2, TGT, NULL, 0 };
    uint32_t forged = 0;
    assert_int_equal(both_orders(&s, &t, SRC6, 6320, &forged), VERDICT_REJECTED);
    assert_int_equal(forged, 1);

    /* Near miss: a RST is no answer of the host's (a router beside it forges them too). */
    tgt[1].a.outcome = VO_RST;
    src[2].a.outcome = VO_RST;
    both_orders(&s, &t, SRC6, 6320, &forged);
    assert_int_equal(forged, 0);
}

/* The target's capture ends 10 ms after the source's reset request left, too soon to say it
 * never arrived; but a later request of the same pair arrived there, so this one had the time
 * too: the reset is forged. Without that later request nothing is concluded. */
static void far_capture_alive_after_the_request(void **state)
{
    (void)state;
    struct verdict_seen src[3] = {
        tcp(SRC, TGT, 445, 1, 0, VO_ANSWERED, 64, 62),
        tcp(SRC, TGT, 6320, 2, 1000 * MS, VO_RST, 64, 64),
        tcp(SRC, TGT, 445, 3, 1005 * MS, VO_ANSWERED, 64, 62),
    };
    struct verdict_seen tgt[2] = {
        tcp(SRC, TGT, 445, 1, 1 * MS, VO_ANSWERED, 62, 64),
        tcp(SRC, TGT, 445, 3, 1006 * MS, VO_ANSWERED, 62, 64),
    };
    struct side_spec s = { src, 3, SRC, NULL, 0 }, t = { tgt, 2, TGT, NULL, 1010 };
    uint32_t forged = 0;
    assert_int_equal(both_orders(&s, &t, SRC, 6320, &forged), VERDICT_REJECTED);
    assert_int_equal(forged, 1);

    t.n = 1; /* near miss: the target's capture saw nothing of the pair after it */
    assert_int_not_equal(both_orders(&s, &t, SRC, 6320, &forged), VERDICT_REJECTED);
    assert_int_equal(forged, 0);
}

/* Neither capture was taken at the requester (a third host): the view nearer to it stands,
 * the one whose request had crossed fewer routers, whichever capture is given first. */
static void nearer_view_stands(void **state)
{
    (void)state;
    struct verdict_seen near[2] = {
        tcp(SRC, TGT, 445, 1, 0, VO_ANSWERED, 64, 62),
        tcp("192.0.2.7", TGT, 6320, 2, 10 * MS, VO_STALLED, 63, 62),
    };
    struct verdict_seen far[2] = {
        tcp(SRC, TGT, 445, 1, 1 * MS, VO_ANSWERED, 62, 64),
        tcp("192.0.2.7", TGT, 6320, 2, 11 * MS, VO_ANSWERED, 61, 64),
    };
    struct side_spec s = { near, 2, SRC, NULL, 0 }, t = { far, 2, TGT, NULL, 0 };
    uint32_t forged = 0;
    assert_int_equal(both_orders(&s, &t, "192.0.2.7", 6320, &forged), VERDICT_STALLED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(other_address_shown_by_both),
        cmocka_unit_test(answer_shows_the_responder),
        cmocka_unit_test(far_capture_alive_after_the_request),
        cmocka_unit_test(nearer_view_stands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
