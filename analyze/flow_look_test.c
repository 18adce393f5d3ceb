/* analyze/flow_look_test.c: live looks at the flows noted since the last one, not at every
 * open flow (flow_table.c: flow_table_note, flow_table_look). A look must visit each noted
 * flow still open, skip a noted flow that ended (its slot reused by another flow or not),
 * keep for the next look only the flows its callback asks to see again, walk every open flow
 * when asked to or when the notes outgrew their bound (twice the open flows, plus a floor),
 * and then go back to the notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/flow.h"
#include "analyze/flow_table.h"
#include "analyze/flow_testlib.h"

#define NFLOWS 64

static void on_end(void *ctx, struct flow *f, enum conn_end why)
{
    (void)ctx;
    (void)f;
    (void)why;
}

static struct flow_table *table(uint32_t max_flows)
{
    return flow_test_table(max_flows, on_end);
}

/* Flow n: 192.0.2.1:n -> 198.51.100.1:6320. */
static struct flow *add(struct flow_table *t, uint16_t n)
{
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.a.family = k.b.family = 4;
    memcpy(k.a.b, (uint8_t[]){192, 0, 2, 1}, 4);
    memcpy(k.b.b, (uint8_t[]){198, 51, 100, 1}, 4);
    k.pa = n;
    k.pb = 6320;
    k.proto = 6;
    struct flow *f = flow_table_insert(t, &k, FLOW_TCP, 1000 + n, n);
    assert_non_null(f);
    return f;
}

/* The callback: counts visits per source port; asks again for the ports in again[]. */
struct seen {
    uint32_t visits[70000];
    uint32_t total;
    bool again[70000];
};

static bool visit(void *ctx, struct flow *f)
{
    struct seen *s = ctx;
    s->visits[f->key.pa]++;
    s->total++;
    return s->again[f->key.pa];
}

static struct seen *look(struct flow_table *t, bool all, const uint16_t *again, size_t nagain)
{
    static struct seen s;
    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < nagain; i++)
        s.again[again[i]] = true;
    flow_table_look(t, all, visit, &s);
    return &s;
}

static void a_look_takes_the_noted_flows_still_open(void **state)
{
    (void)state;
    struct flow_table *t = table(1024);
    struct flow *f[NFLOWS];
    for (uint16_t i = 0; i < NFLOWS; i++)
        f[i] = add(t, (uint16_t)(1000 + i));
    flow_table_note(t, f[3]);
    flow_table_note(t, f[5]);
    flow_table_note(t, f[7]);
    flow_table_note(t, f[9]);
    flow_table_end(t, f[5], CONN_END_TIMEOUT); /* ended, its slot free */
    flow_table_end(t, f[7], CONN_END_TIMEOUT);
    struct flow *g = add(t, 2000); /* takes a free slot: f[7]'s or f[5]'s */
    assert_true(g == f[7] || g == f[5]);
    struct seen *s = look(t, false, (const uint16_t[]){1009}, 1);
    assert_int_equal(s->total, 2);
    assert_int_equal(s->visits[1003], 1);
    assert_int_equal(s->visits[1009], 1);
    assert_int_equal(s->visits[2000], 0); /* the slot's new flow was not noted */
    /* the next look: only the one asked for again */
    s = look(t, false, NULL, 0);
    assert_int_equal(s->total, 1);
    assert_int_equal(s->visits[1009], 1);
    s = look(t, false, NULL, 0);
    assert_int_equal(s->total, 0);
    flow_table_free(t);
}

static void a_look_at_all_walks_every_open_flow(void **state)
{
    (void)state;
    struct flow_table *t = table(1024);
    for (uint16_t i = 0; i < NFLOWS; i++)
        add(t, (uint16_t)(1000 + i));
    struct seen *s = look(t, true, (const uint16_t[]){1010, 1020}, 2);
    assert_int_equal(s->total, NFLOWS);
    for (uint16_t i = 0; i < NFLOWS; i++)
        assert_int_equal(s->visits[1000 + i], 1);
    s = look(t, false, NULL, 0); /* the two it asked for again */
    assert_int_equal(s->total, 2);
    assert_int_equal(s->visits[1010] + s->visits[1020], 2);
    flow_table_free(t);
}

/* Notes beyond twice the open flows plus the floor (4096) are not kept: the next look walks
 * every open flow instead, once, and then notes work again. */
static void too_many_notes_make_the_next_look_walk_every_flow(void **state)
{
    (void)state;
    struct flow_table *t = table(65536);
    struct flow *f[NFLOWS];
    for (uint16_t i = 0; i < NFLOWS; i++)
        f[i] = add(t, (uint16_t)(1000 + i));
    for (uint32_t i = 0; i < 2 * NFLOWS + 8192; i++)
        flow_table_note(t, f[0]); /* far past the bound for 64 open flows */
    struct seen *s = look(t, false, NULL, 0);
    assert_int_equal(s->total, NFLOWS); /* every open flow once, not f[0] thousands of times */
    assert_int_equal(s->visits[1000], 1);
    flow_table_note(t, f[1]);
    s = look(t, false, NULL, 0);
    assert_int_equal(s->total, 1);
    assert_int_equal(s->visits[1001], 1);
    flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_look_takes_the_noted_flows_still_open),
        cmocka_unit_test(a_look_at_all_walks_every_open_flow),
        cmocka_unit_test(too_many_notes_make_the_next_look_walk_every_flow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
