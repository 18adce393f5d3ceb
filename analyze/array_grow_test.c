/* analyze/array_grow_test.c: arrays grown by moving their pages (array_grow.c). The mappings
 * are tested directly (array_grow), in every build: an array keeps every byte as it
 * grows from a few pages to megabytes, is aligned for huge pages from 2 MiB on, reads zero
 * where it is new, leaves no mapping behind where it moved from, moves without faulting a page
 * in (a copy would fault in every page it writes), and stays whole when it cannot grow. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "analyze/array_grow.h"
#include "common/mem.h"
#include "tests/mapped.h"

#if defined(__SANITIZE_ADDRESS__)
#define FW_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FW_TEST_ASAN 1
#endif
#endif
#ifdef FW_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

static uint8_t pattern(size_t off)
{
    return (uint8_t)(off * 7 + (off >> 12) + 1); /* never 0: a zero byte is a lost one */
}

static void an_array_keeps_every_byte_as_it_grows(void **state)
{
    (void)state;
    uint8_t *a = NULL;
    size_t had = 0;
    for (size_t to = 100; to <= (size_t)12 << 20; to = to * 2 + 4096) {
        uint8_t *was = a;
        size_t was_len = had >= ARRAY_MAPPED_FROM ? array_mapped_len(had) : 0;
        assert_true(array_grow((void **)&a, had, to));
        if (to >= ARRAY_MAPPED_FROM) {
            assert_true(mapped(a, array_mapped_len(to)));
            assert_int_equal((uintptr_t)a % FW_HUGE_PAGE, 0);
            if (was_len != 0 && was != a) /* moved: nothing is left where it was */
                assert_true(unmapped(was, was_len));
        }
        for (size_t i = 0; i < had; i++)
            if (a[i] != pattern(i))
                fail_msg("byte %zu lost growing from %zu to %zu bytes", i, had, to);
        for (size_t i = had; i < to; i++)
            a[i] = pattern(i);
        had = to;
    }
    uint8_t *last = a;
    array_free(a, had);
    assert_true(unmapped(last, array_mapped_len(had)));
}

static long minor_faults(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_minflt;
}

/* With the addresses after the array taken, it must move: its 8 MiB, every page written, arrive
 * without a page fault, where copying them would fault in every page of the copy. */
static void a_move_faults_no_page_in(void **state)
{
    (void)state;
    const size_t n = (size_t)8 << 20;
    uint8_t *a = NULL;
    assert_true(array_grow((void **)&a, 0, n));
    memset(a, 0x5a, n);
    /* The page after it: taken here, or already (EEXIST: most often the mapping made before). */
    void *block = mmap(a + n, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                       -1, 0);
    if (block == MAP_FAILED)
        assert_int_equal(errno, EEXIST);
    else
        assert_ptr_equal(block, a + n);
    uint8_t *was = a;
    long before = minor_faults();
    assert_true(array_grow((void **)&a, n, 2 * n));
    long faults = minor_faults() - before;
    assert_ptr_not_equal(a, was);
    /* None, but under AddressSanitizer, which writes its shadow of the ranges it unpoisons and
     * poisons (about 30 here). A copy into small pages would fault in 2048. */
    if (faults >= (long)(n / 4096 / 8))
        fail_msg("%ld page faults moving %zu bytes", faults, n);
    assert_int_equal(a[0], 0x5a);
    assert_int_equal(a[n - 1], 0x5a);
    assert_int_equal(a[n], 0);
    if (block != MAP_FAILED)
        assert_int_equal(munmap(block, 4096), 0);
    array_free(a, 2 * n);
}

/* More than the address space: refused, and the array is as it was. */
static void an_array_that_cannot_grow_stays_whole(void **state)
{
    (void)state;
    const size_t n = (size_t)3 << 20;
    uint8_t *a = NULL;
    assert_true(array_grow((void **)&a, 0, n));
    memset(a, 0x33, n);
    uint8_t *was = a;
    assert_false(array_grow((void **)&a, n, (size_t)1 << 48));
    assert_ptr_equal(a, was);
    assert_true(mapped(a, array_mapped_len(n)));
    assert_int_equal(a[n - 1], 0x33);
    array_free(a, n);
}

/* Under AddressSanitizer the array is addressable and what is mapped past it is not, as past a
 * malloc'd block: an overrun is caught, after the array grew in place or moved. */
static void past_the_array_is_poisoned_under_the_sanitizer(void **state)
{
    (void)state;
#ifdef FW_TEST_ASAN
    uint8_t *a = NULL;
    size_t had = 0;
    for (size_t to = 1000; to <= (size_t)5 << 20; to = to * 3 + 8) {
        assert_true(array_grow((void **)&a, had, to));
        assert_null(__asan_region_is_poisoned(a, to));
        assert_true(__asan_address_is_poisoned(a + to));
        if (to >= ARRAY_MAPPED_FROM)
            assert_true(__asan_address_is_poisoned(a + array_mapped_len(to) - 1));
        had = to;
    }
    array_free(a, had);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_array_keeps_every_byte_as_it_grows),
        cmocka_unit_test(a_move_faults_no_page_in),
        cmocka_unit_test(an_array_that_cannot_grow_stays_whole),
        cmocka_unit_test(past_the_array_is_poisoned_under_the_sanitizer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
