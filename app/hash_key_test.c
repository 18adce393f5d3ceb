/* app/hash_key_test.c: the application's hash keys: from the kernel, the fallback, and the
 * config's keys drawn for each run (analyze/ takes them as given and draws none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app/hash_key.h"

static bool same_key(const struct siphash_key *x, const struct siphash_key *y)
{
    return x->k0 == y->k0 && x->k1 == y->k1;
}

/* Each call draws a new key from getrandom(2) (on Linux it is there and its pool is ready
 * long before a test runs). Equal keys would mean a constant, or one drawn once. */
static void random_keys_come_from_the_kernel_and_differ(void **state)
{
    (void)state;
    struct siphash_key a, b;
    assert_true(hash_key_random(&a));
    assert_true(hash_key_random(&b));
    assert_false(same_key(&a, &b));
    assert_true(a.k0 != a.k1); /* both words drawn, not one copied */
}

static void fallback_keys_differ(void **state)
{
    (void)state;
    struct siphash_key a, b;
    hash_key_fallback(&a);
    b = a;
    hash_key_fallback(&a); /* the same place: only the clocks and the count differ */
    assert_false(same_key(&a, &b));
    assert_true(a.k0 != 0 && a.k1 != 0 && a.k0 != a.k1);
}

/* Each run's config gets its own keys, the flow table's and the verdict tables' apart: a
 * config left with fw_config_defaults()'s zero keys would hash predictably. */
static void config_keys_are_drawn_per_run(void **state)
{
    (void)state;
    struct fw_config a, b;
    fw_config_defaults(&a);
    fw_config_defaults(&b);
    hash_keys_config(&a);
    hash_keys_config(&b);
    assert_true(a.flow_hash_key[0] != 0 && a.flow_hash_key[1] != 0);
    assert_true(a.flow_hash_key[0] != b.flow_hash_key[0]);
    assert_true(a.verdict.hash_key[0] != b.verdict.hash_key[0]);
    assert_true(a.flow_hash_key[0] != a.verdict.hash_key[0]);
    assert_true(a.flow_hash_key[1] != a.verdict.hash_key[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_keys_come_from_the_kernel_and_differ),
        cmocka_unit_test(fallback_keys_differ),
        cmocka_unit_test(config_keys_are_drawn_per_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
