/* analyze/flow_pool_test.c: the flow table's pool (flow_table.c). Flows live in chunks of one
 * 2 MiB huge page each, a number of flows that is not a power of two, found by dividing the
 * slot number: every flow of several chunks must be a slot of its own, found again by its key,
 * a slot freed must be the one taken next, and the cap must hold across chunk boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/flow.h"
#include "analyze/flow_table.h"
#include "analyze/flow_testlib.h"
#include "common/mem.h"
#include "tests/mapped.h"

#define NFLOWS 20000 /* five chunks and more: 2 MiB holds a few thousand flows */

static uint64_t ended;         /* the last flow ended (its frame number) */
static uint32_t ended_by_input, ended_in_order; /* ...of which in creation order */
static uint64_t expected;       /* the frame of the flow the input's end should end next */
#define ENDED_BEFORE 777u       /* a flow ended before the input's */

static void on_end(void *ctx, struct flow *f, enum conn_end why)
{
    (void)ctx;
    if (why == CONN_END_INPUT) {
        ended_in_order += f->first_frame == expected;
        expected = f->first_frame + (f->first_frame + 1 == ENDED_BEFORE ? 2 : 1);
        ended_by_input++;
    }
    ended = f->first_frame;
}

static struct flow_table *table(uint32_t max_flows)
{
    return flow_test_table(max_flows, on_end);
}

/* Flow n: 192.0.2.1:n -> 198.51.100.1:6320. */
static struct flow_key key(uint32_t n)
{
    struct flow_key k;
    memset(&k, 0, sizeof k);
    k.a.family = k.b.family = 4;
    memcpy(k.a.b, (uint8_t[]){192, 0, 2, 1}, 4);
    memcpy(k.b.b, (uint8_t[]){198, 51, 100, 1}, 4);
    k.pa = (uint16_t)n;
    k.pb = 6320;
    k.proto = 6;
    return k;
}

/* Inserted at time n, frame n; the flow's every byte after the table's own fields is written,
 * so that two flows sharing memory would overwrite each other's marks. */
static struct flow *add(struct flow_table *t, uint32_t n)
{
    struct flow_key k = key(n);
    struct flow *f = flow_table_insert(t, &k, FLOW_TCP, 1000 + n, n);
    assert_non_null(f);
    memset(&f->side, (int)(n & 0xff), sizeof *f - offsetof(struct flow, side));
    return f;
}

static void every_flow_of_several_chunks_is_a_slot_of_its_own(void **state)
{
    (void)state;
    struct flow_table *t = table(NFLOWS);
    static struct flow *made[NFLOWS];
    for (uint32_t n = 0; n < NFLOWS; n++)
        made[n] = add(t, n);
    assert_int_equal(flow_table_counts(t)->live, NFLOWS);
    assert_int_equal(flow_table_counts(t)->evicted, 0);
    for (uint32_t n = 0; n < NFLOWS; n++) {
        struct flow_key k = key(n);
        struct flow *f = flow_table_lookup(t, &k);
        assert_ptr_equal(f, made[n]);
        assert_int_equal(f->first_frame, n);
        assert_int_equal(f->key.pa, n);
        assert_int_equal(f->tcp.ep[1].cksum.level, n & 0xff); /* its last bytes are its own */
        assert_int_equal((uint8_t)f->retries_after_answer, n & 0xff);
    }
    /* A flow ended mid-pool gives its slot to the next new one. */
    flow_table_end(t, made[12345], CONN_END_CLOSED);
    assert_int_equal(ended, 12345);
    struct flow *f = add(t, NFLOWS);
    assert_ptr_equal(f, made[12345]);
    struct flow_key k = key(12345);
    assert_null(flow_table_lookup(t, &k));
    flow_table_free(t);
}

/* A cap that is no multiple of a chunk's flows: exactly that many, then the oldest goes. */
static void the_cap_holds_across_chunks(void **state)
{
    (void)state;
    struct flow_table *t = table(5000);
    for (uint32_t n = 0; n < 5000; n++)
        add(t, n);
    assert_int_equal(flow_table_counts(t)->evicted, 0);
    add(t, 5000);
    assert_int_equal(flow_table_counts(t)->evicted, 1);
    assert_int_equal(ended, 0); /* idle the longest */
    assert_int_equal(flow_table_counts(t)->live, 5000);
    struct flow_key k = key(4999);
    assert_non_null(flow_table_lookup(t, &k));
    flow_table_free(t);
}

/* The input's end ends every flow once, in order of creation, and leaves the table empty, its
 * chunks taken again in order by the flows that come next (the live view keeps its table). */
static void the_end_of_input_ends_every_flow_and_empties_the_table(void **state)
{
    (void)state;
    struct flow_table *t = table(NFLOWS);
    for (int round = 0; round < 2; round++) {
        ended_in_order = ended_by_input = 0;
        expected = 0;
        for (uint32_t n = 0; n < NFLOWS; n++)
            add(t, n);
        struct flow_key k = key(ENDED_BEFORE);
        flow_table_end(t, flow_table_lookup(t, &k), CONN_END_CLOSED); /* a slot to reuse */
        flow_table_finish(t);
        assert_int_equal(ended_by_input, NFLOWS - 1);
        assert_int_equal(ended_in_order, NFLOWS - 1);
        assert_int_equal(flow_table_counts(t)->live, 0);
        assert_int_equal(flow_table_next_due_us(t), UINT64_MAX);
        for (uint32_t n = 0; n < NFLOWS; n += 97) {
            k = key(n);
            assert_null(flow_table_lookup(t, &k));
        }
    }
    /* Full again after the second end: every slot its own, none evicted for want of one. */
    static struct flow *made[NFLOWS];
    for (uint32_t n = 0; n < NFLOWS; n++)
        made[n] = add(t, n);
    assert_int_equal(flow_table_counts(t)->evicted, 0);
    for (uint32_t n = 0; n < NFLOWS; n++) {
        struct flow_key k = key(n);
        assert_ptr_equal(flow_table_lookup(t, &k), made[n]);
        assert_int_equal((uint8_t)made[n]->retries_after_answer, n & 0xff);
    }
    flow_table_free(t);
}

/* A chunk's memory (common/mem.h): 2 MiB aligned for one huge page, all of it usable. */
static void a_chunk_is_one_aligned_block_of_2_mib(void **state)
{
    (void)state;
    uint8_t *c = fw_huge_map();
    assert_non_null(c);
    assert_int_equal((uintptr_t)c % FW_HUGE_PAGE, 0);
    assert_true(mapped(c, FW_HUGE_PAGE));
    for (size_t i = 0; i < FW_HUGE_PAGE; i += 512)
        assert_int_equal(c[i], 0);
    memset(c, 0xa5, FW_HUGE_PAGE);
    fw_huge_unmap(c);
    assert_true(unmapped(c, FW_HUGE_PAGE));
}

/* Mapped where it is not aligned (a page past a 2 MiB boundary, so the kernel's own alignment
 * cannot hide a mistake), twice the size is trimmed to the aligned 2 MiB inside: what lies
 * before and after it is given back, every page of it. */
static void the_mapping_around_a_chunk_is_given_back(void **state)
{
    (void)state;
    const size_t n = FW_HUGE_PAGE;
    for (size_t skew = 4096; skew <= n; skew += n - 4096) { /* a page past, and aligned */
        char *r = mmap(NULL, 4 * n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(r != MAP_FAILED);
        char *a = (char *)(((uintptr_t)r + n - 1) & ~(uintptr_t)(n - 1));
        char *p = mmap(a + skew % n, 2 * n, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        assert_ptr_equal(p, a + skew % n); /* inside our own reservation */
        if (p > r)
            assert_int_equal(munmap(r, (size_t)(p - r)), 0);
        assert_int_equal(munmap(p + 2 * n, (size_t)(r + 4 * n - (p + 2 * n))), 0);
        char *c = fw_huge_trim(p, n);
        assert_int_equal((uintptr_t)c % n, 0);
        assert_ptr_equal(c, skew % n == 0 ? p : a + n);
        assert_true(mapped(c, n));
        assert_true(unmapped(p, (size_t)(c - p)));
        assert_true(unmapped(c + n, (size_t)(p + 2 * n - (c + n))));
        fw_huge_unmap(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_flow_of_several_chunks_is_a_slot_of_its_own),
        cmocka_unit_test(the_cap_holds_across_chunks),
        cmocka_unit_test(the_end_of_input_ends_every_flow_and_empties_the_table),
        cmocka_unit_test(a_chunk_is_one_aligned_block_of_2_mib),
        cmocka_unit_test(the_mapping_around_a_chunk_is_given_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
