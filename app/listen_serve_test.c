/* app/listen_serve_test.c: how `fwsight listen` words the ports that never received anything:
 * ranges of consecutive ports, per protocol, and a list too long for its buffer cut at a
 * whole range. The sockets themselves are tested in namespaces (tests/testlisten/). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "app/listen_serve.h"

static void ports_become_ranges(void **state)
{
    (void)state;
    char buf[64];
    const uint16_t p[] = { 135, 136, 137, 138, 139, 443, 445, 6320, 6325, 6326, 65535 };
    size_t n = listen_port_list(p, 11, buf, sizeof buf);
    assert_string_equal(buf, "135-139,443,445,6320,6325-6326,65535");
    assert_int_equal(n, strlen(buf));
    assert_int_equal(listen_port_list(p, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(listen_port_list(p + 5, 1, buf, sizeof buf), 3);
    assert_string_equal(buf, "443");
}

static void a_long_list_ends_at_a_whole_range(void **state)
{
    (void)state;
    char buf[12];
    const uint16_t p[] = { 135, 136, 137, 443, 6320 };
    listen_port_list(p, 5, buf, sizeof buf); /* "135-137,443" is 11 bytes and its NUL */
    assert_string_equal(buf, "135-137,443");
    listen_port_list(p, 5, buf, 8);
    assert_string_equal(buf, "135-137");
    listen_port_list(p, 5, buf, 7);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ports_become_ranges),
        cmocka_unit_test(a_long_list_ends_at_a_whole_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
