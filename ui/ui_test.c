/* ui/ui_test.c: unit tests of the views' building blocks: JSON escaping and layout, conn.log
 * fields (Zeek's unset rules), the report's bounded, ordered aggregate of failed attempts, and
 * two captures' attempts merged at any time the files give. Whole outputs are the golden
 * tests' (tests/golden/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attempt_ring.h"
#include "connlog.h"
#include "json.h"
#include "report.h"

/* Runs the writer into memory; the returned text is owned by the caller. */
struct membuf {
    char *text;
    size_t len;
    FILE *f;
};

static void membuf_open(struct membuf *m)
{
    m->text = NULL;
    m->len = 0;
    m->f = open_memstream(&m->text, &m->len);
    assert_non_null(m->f);
}

static char *membuf_close(struct membuf *m)
{
    fclose(m->f);
    return m->text;
}

static void json_escapes_and_nests(void **state)
{
    (void)state;
    struct membuf m;
    struct json j;
    membuf_open(&m);
    json_init(&j, m.f, false);
    json_begin_object(&j, NULL);
    json_string(&j, "s", "a\"b\\c\n\t\x01\x7f");
    json_begin_array(&j, "a");
    json_u64(&j, NULL, 18446744073709551615ull);
    json_i64(&j, NULL, -5);
    json_begin_object(&j, NULL);
    json_end_object(&j);
    json_end_array(&j);
    json_null(&j, "n");
    json_bool(&j, "b", false);
    json_string(&j, "z", NULL);
    json_end_object(&j);
    char *text = membuf_close(&m);
    assert_string_equal(text, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\"a\":"
                              "[18446744073709551615,-5,{}],\"n\":null,\"b\":false,\"z\":null}");
    free(text);
}

static void json_seconds_are_exact(void **state)
{
    (void)state;
    struct membuf m;
    struct json j;
    membuf_open(&m);
    json_init(&j, m.f, false);
    json_begin_array(&j, NULL);
    json_seconds(&j, NULL, 1700000000250000ull);
    json_seconds(&j, NULL, 1);
    json_seconds(&j, NULL, 3000000);
    json_seconds(&j, NULL, 1234567891123456ull);
    json_end_array(&j);
    char *text = membuf_close(&m);
    assert_string_equal(text, "[1700000000.25,0.000001,3.0,1234567891.123456]");
    free(text);
}

static struct conn_record sample_record(void)
{
    struct conn_record r;
    memset(&r, 0, sizeof r);
    r.ts_us = 1700000000000001ull;
    fw_addr_parse(&r.orig_h, "2001:db8::10");
    fw_addr_parse(&r.resp_h, "2001:db8:1::20");
    r.orig_p = 49500;
    r.resp_p = 135;
    r.ip_proto = 6;
    r.state = CONN_S0;
    snprintf(r.history, sizeof r.history, "S");
    r.orig_pkts = 1;
    r.orig_ip_bytes = 60;
    r.orig_bytes = 7; /* must not show: Zeek logs bytes only with a duration */
    return r;
}

/* Zeek (base/protocols/conn/main.zeek) sets duration and the byte counts only when the
 * duration is above zero, and the history only when not empty. */
static void connlog_tsv_follows_zeeks_unset_rules(void **state)
{
    (void)state;
    struct membuf m;
    struct connlog l;
    struct conn_record r = sample_record();
    membuf_open(&m);
    connlog_init(&l, m.f, CONNLOG_TSV);
    connlog_write(&l, &r, r.ts_us);
    r.duration_us = 1500000;
    r.history[0] = '\0';
    connlog_write(&l, &r, r.ts_us);
    assert_int_equal(connlog_fini(&l, r.ts_us, r.ts_us + 86400000000ull), 0);
    char *text = membuf_close(&m);
    char uid[32];
    char expect[512];
    conn_uid(&r, uid, sizeof uid);
    assert_non_null(strstr(text, "#open\t2023-11-14-22-13-20\n#fields\tts\tuid\t"));
    snprintf(expect, sizeof expect, "\n1700000000.000001\t%s\t2001:db8::10\t49500\t"
             "2001:db8:1::20\t135\ttcp\t-\t-\t-\t-\tS0\t-\t-\t0\tS\t1\t60\t0\t0\t-\n", uid);
    assert_non_null(strstr(text, expect));
    assert_non_null(strstr(text, "\ttcp\t-\t1.500000\t7\t0\tS0\t-\t-\t0\t-\t1\t60\t0\t0\t-\n"));
    assert_non_null(strstr(text, "#close\t2023-11-15-22-13-20\n"));
    assert_int_equal(l.records, 2);
    free(text);
}

static void connlog_json_omits_unset_fields(void **state)
{
    (void)state;
    struct membuf m;
    struct connlog l;
    struct conn_record r = sample_record();
    membuf_open(&m);
    connlog_init(&l, m.f, CONNLOG_JSON);
    connlog_write(&l, &r, r.ts_us);
    assert_int_equal(connlog_fini(&l, r.ts_us, r.ts_us), 0);
    char *text = membuf_close(&m);
    assert_null(strchr(text, '#'));
    assert_null(strstr(text, "duration"));
    assert_null(strstr(text, "orig_bytes"));
    assert_null(strstr(text, "service"));
    assert_non_null(strstr(text, "{\"ts\":1700000000.000001,\"uid\":\"C"));
    assert_non_null(strstr(text, "\"id.resp_h\":\"2001:db8:1::20\",\"id.resp_p\":135,"
                                 "\"proto\":\"tcp\",\"conn_state\":\"S0\""));
    assert_int_equal(text[strlen(text) - 1], '\n');
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1); /* one line */
    free(text);
}

/* More distinct ports than groups: the first REPORT_FAIL_GROUPS are kept, the rest counted;
 * groups come out by attempts, then protocol, then port; successes are not failures. */
static void report_groups_are_bounded_and_ordered(void **state)
{
    (void)state;
    static struct report rep_mem; /* static: a failed assert must not leak it */
    struct report *rep = &rep_mem;
    report_init(rep);
    struct conn_record r = sample_record();
    for (int i = 0; i < REPORT_FAIL_GROUPS + 5; i++) {
        r.resp_p = (uint16_t)(1000 + i);
        report_add(rep, &r);
    }
    r.resp_p = 1010;
    r.state = CONN_REJ;
    report_add(rep, &r);
    report_add(rep, &r);
    r.state = CONN_SF;
    report_add(rep, &r);
    r.ip_proto = 17;
    r.state = CONN_S0;
    r.resp_p = 1000;
    report_add(rep, &r);

    assert_int_equal(rep->conns, REPORT_FAIL_GROUPS + 9);
    assert_int_equal(rep->failed, REPORT_FAIL_GROUPS + 8);
    assert_int_equal(rep->failed_unlisted, 6); /* 5 TCP ports, and UDP found no group */
    assert_int_equal(rep->by_state[REPORT_TCP][CONN_REJ], 2);
    assert_int_equal(rep->by_state[REPORT_UDP][CONN_S0], 1);

    const struct report_fail_group *g[REPORT_FAIL_GROUPS];
    int n = report_sorted_groups(rep, g);
    assert_int_equal(n, REPORT_FAIL_GROUPS);
    assert_int_equal(g[0]->port, 1010);
    assert_int_equal(g[0]->attempts, 3);
    assert_int_equal(g[0]->by_state[CONN_S0], 1);
    assert_int_equal(g[0]->by_state[CONN_REJ], 2);
    assert_int_equal(g[0]->nexamples, REPORT_FAIL_EXAMPLES);
    assert_int_equal(g[1]->proto, REPORT_TCP);
    assert_int_equal(g[1]->port, 1000);
    assert_int_equal(g[2]->proto, REPORT_TCP);
    assert_int_equal(g[2]->port, 1001);
    for (int i = 1; i < n; i++)
        assert_true(g[i - 1]->attempts >= g[i]->attempts);
}

/* One TCP attempt 198.51.100.10:40000 -> 203.0.113.20:445 at ts_us into a ring of its own. */
static void ring_of_one(struct attempt_ring *r, uint64_t ts_us, int vantage)
{
    static const uint8_t o[4] = { 198, 51, 100, 10 }, t[4] = { 203, 0, 113, 20 };
    assert_int_equal(attempt_ring_init(r, 4), 0);
    struct attempt *a = &r->slot[0];
    memset(a, 0, sizeof *a);
    fw_addr_set4(&a->orig_h, o);
    fw_addr_set4(&a->resp_h, t);
    a->orig_p = 40000;
    a->resp_p = 445;
    a->ip_proto = 6;
    a->state = "S0";
    a->ts_us = ts_us;
    a->vantage = vantage;
    r->next = r->n = 1;
}

/* The times come from the files: far apart or across the clock offset's range, matching
 * must neither overflow (UBSan stops the test) nor pair attempts a window apart. */
static void attempt_merge_survives_any_time(void **state)
{
    (void)state;
    static const struct {
        uint64_t t0, t1;
        int64_t offset;
        unsigned seen; /* of the first kept: 3 matched, else 1 */
    } cases[] = {
        { 1000000, 3000100, 2000000, 3 },         /* 2's clock 2 s ahead, 100 us apart */
        { 3000100, 1000000, -2000000, 3 },        /* behind */
        { 0, (uint64_t)INT64_MAX, -1, 1 },        /* the difference past INT64_MAX */
        { (uint64_t)INT64_MAX + 2, 1, INT64_MIN, 3 }, /* modulo 2^64, 1 - offset is t0 */
        { 5, UINT64_MAX, INT64_MIN, 1 },
    };
    static const struct fw_addr none[2];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct attempt_ring r0, r1, out;
        ring_of_one(&r0, cases[i].t0, 0);
        ring_of_one(&r1, cases[i].t1, 1);
        assert_int_equal(attempt_ring_merge(&out, &r0, &r1, cases[i].offset, none), 0);
        assert_int_equal(attempt_ring_count(&out), cases[i].seen == 3 ? 1 : 2);
        const struct attempt *first = attempt_ring_at(&out, attempt_ring_count(&out) - 1);
        assert_int_equal(first->seen, cases[i].seen);
        for (size_t k = 0; k < attempt_ring_count(&out); k++)
            (void)attempt_ring_order_us(&out, attempt_ring_at(&out, k));
        attempt_ring_fini(&r0);
        attempt_ring_fini(&r1);
        attempt_ring_fini(&out);
    }
}

/* An attempt only one capture kept, older than everything the other one kept while that one
 * dropped older attempts: the other may have seen it, so the mark says "maybe". */
static void attempt_merge_says_when_the_other_forgot(void **state)
{
    (void)state;
    static const struct fw_addr none[2];
    static const struct {
        uint64_t t0;
        uint64_t dropped1;
        unsigned seen;
    } cases[] = {
        { 10000000, 5, 1 | ATTEMPT_SEEN_UNKNOWN }, /* 90 s before 2's oldest kept */
        { 200000000, 5, 1 },                       /* after it: 2 kept that time, not seen */
        { 10000000, 0, 1 },                        /* 2 dropped nothing: it did not see it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct attempt_ring r0, r1, out;
        ring_of_one(&r0, cases[i].t0, 0);
        ring_of_one(&r1, 100000000, 1);
        r0.slot[0].orig_p = 40001; /* not the same attempt */
        r1.dropped = cases[i].dropped1;
        assert_int_equal(attempt_ring_merge(&out, &r0, &r1, 0, none), 0);
        assert_int_equal(attempt_ring_count(&out), 2);
        const struct attempt *from0 = attempt_ring_at(&out, 1); /* added first */
        assert_int_equal(from0->orig_p, 40001);
        assert_int_equal(from0->seen, cases[i].seen);
        assert_int_equal(attempt_ring_at(&out, 0)->seen, 2u); /* 1 dropped nothing */
        attempt_ring_fini(&r0);
        attempt_ring_fini(&r1);
        attempt_ring_fini(&out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_escapes_and_nests),
        cmocka_unit_test(json_seconds_are_exact),
        cmocka_unit_test(connlog_tsv_follows_zeeks_unset_rules),
        cmocka_unit_test(connlog_json_omits_unset_fields),
        cmocka_unit_test(report_groups_are_bounded_and_ordered),
        cmocka_unit_test(attempt_merge_survives_any_time),
        cmocka_unit_test(attempt_merge_says_when_the_other_forgot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
