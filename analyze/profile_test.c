/* analyze/profile_test.c: port profiles: the built-in double-take profile port by port, the
 * index against a plain first-match scan over all ports, --ports and --rpc-range, the file
 * format (errors with their line numbers, first entry wins), and profiles/double-take.profile
 * parsed equal to the built-in one so that the two cannot drift apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/profile.h"

enum { ICMP = 1, TCP = 6, UDP = 17, ICMPV6 = 58 };

static const char *service_of(const struct profile *p, uint8_t proto, uint16_t port)
{
    const struct profile_entry *e = profile_lookup(p, proto, port);
    return e ? e->service : NULL;
}

static void builtin_double_take_names_each_port(void **state)
{
    (void)state;
    struct profile *p = profile_builtin("double-take");
    assert_non_null(p);
    assert_string_equal(p->name, "double-take");
    static const uint16_t dt[] = {6320, 6325, 6326};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(service_of(p, TCP, dt[i]), "Double-Take");
        assert_string_equal(service_of(p, UDP, dt[i]), "Double-Take");
        assert_true(profile_lookup(p, TCP, dt[i])->required);
    }
    assert_null(profile_lookup(p, TCP, 6321));
    assert_null(profile_lookup(p, TCP, 6324));
    assert_null(profile_lookup(p, TCP, 6327));

    const struct profile_entry *e = profile_lookup(p, ICMP, 0);
    assert_non_null(e);
    assert_string_equal(e->service, "failover monitor");
    assert_int_equal(e->protos, PROFILE_ICMP_ECHO);
    assert_non_null(strstr(e->purpose, "monitor through its service"));
    assert_ptr_equal(profile_lookup(p, ICMPV6, 1234), e);

    e = profile_lookup(p, TCP, 135);
    assert_string_equal(e->service, "WMI / RPC");
    assert_int_equal(e->rpc, PROFILE_RPC_MAPPER);
    assert_false(e->required);
    assert_string_equal(service_of(p, UDP, 135), "File share");
    assert_string_equal(service_of(p, UDP, 137), "File share");
    assert_string_equal(service_of(p, TCP, 139), "File share");
    assert_null(profile_lookup(p, TCP, 134));
    assert_null(profile_lookup(p, TCP, 140));
    assert_string_equal(service_of(p, TCP, 445), "Directory");
    assert_string_equal(service_of(p, UDP, 445), "Directory");

    e = profile_lookup(p, TCP, 443);
    assert_string_equal(e->service, "ESX");
    assert_false(e->required);
    assert_null(profile_lookup(p, UDP, 443)); /* ESX is TCP only */

    assert_null(profile_lookup(p, TCP, 8080)); /* other ports */
    assert_null(profile_lookup(p, UDP, 8080));
    assert_null(profile_lookup(p, 47, 6320)); /* GRE has no ports in a profile */

    e = profile_lookup(p, TCP, 50000);
    assert_int_equal(e->rpc, PROFILE_RPC_DYNAMIC);
    assert_int_equal(e->ranges[0].lo, 49152);
    assert_int_equal(e->ranges[0].hi, 65535);
    assert_ptr_equal(profile_lookup(p, TCP, 65535), e);
    const struct profile_entry *legacy = profile_lookup(p, TCP, 3000);
    assert_int_equal(legacy->rpc, PROFILE_RPC_DYNAMIC);
    assert_ptr_not_equal(legacy, e);
    assert_int_equal(legacy->ranges[0].lo, 1025);
    assert_int_equal(legacy->ranges[0].hi, 5000);
    assert_null(profile_lookup(p, TCP, 5001));
    assert_null(profile_lookup(p, UDP, 50000)); /* dynamic RPC is TCP */

    assert_null(profile_builtin("no-such-profile"));
    const char *desc = NULL;
    assert_string_equal(profile_builtin_name(0, &desc), PROFILE_DEFAULT);
    assert_non_null(desc);
    assert_null(profile_builtin_name(1, NULL));
    profile_free(p);
    profile_free(NULL);
}

/* The index must agree with the definition: the first entry naming the port, for every port. */
static void index_matches_first_match_scan(struct profile *p)
{
    static const struct { uint8_t proto; unsigned bit; } P[] = {{TCP, PROFILE_TCP},
                                                                {UDP, PROFILE_UDP}};
    for (size_t k = 0; k < 2; k++) {
        for (uint32_t port = 0; port < 65536; port++) {
            const struct profile_entry *want = NULL;
            for (size_t i = 0; i < p->n_entries && !want; i++) {
                const struct profile_entry *e = &p->entries[i];
                for (size_t r = 0; r < e->n_ranges && (e->protos & P[k].bit); r++)
                    if (port >= e->ranges[r].lo && port <= e->ranges[r].hi)
                        want = e;
            }
            if (profile_lookup(p, P[k].proto, (uint16_t)port) != want)
                fail_msg("proto %u port %u: index disagrees with the scan", P[k].proto, port);
        }
    }
}

static void index_agrees_with_scan(void **state)
{
    (void)state;
    char err[FW_ERRLEN];
    struct profile *p = profile_builtin("double-take");
    index_matches_first_match_scan(p);
    assert_int_equal(profile_set_rpc_range(p, 5000, 5100, err), 0);
    index_matches_first_match_scan(p);
    profile_free(p);
}

static void ports_option_replaces_port_entries(void **state)
{
    (void)state;
    char err[FW_ERRLEN];
    struct profile *p = profile_builtin("double-take");
    assert_int_equal(profile_set_ports(p, "6320, udp:137,tcp:8080-8081", err), 0);
    assert_string_equal(service_of(p, TCP, 6320), "ports");
    assert_string_equal(service_of(p, UDP, 6320), "ports");
    assert_string_equal(service_of(p, UDP, 137), "ports");
    assert_null(profile_lookup(p, TCP, 137));
    assert_string_equal(service_of(p, TCP, 8081), "ports");
    assert_null(profile_lookup(p, UDP, 8080));
    assert_null(profile_lookup(p, TCP, 6325)); /* the profile's own ports are gone */
    assert_null(profile_lookup(p, TCP, 445));
    assert_null(profile_lookup(p, TCP, 50000));
    assert_string_equal(service_of(p, ICMP, 0), "failover monitor"); /* echo has no port */
    assert_int_equal(p->n_entries, 4); /* monitor, tcp+udp, tcp, udp */

    /* After --ports there is no dynamic range left to replace. */
    assert_int_equal(profile_set_rpc_range(p, 5000, 5100, err), FW_EUSAGE);
    assert_non_null(strstr(err, "--rpc-range"));
    profile_free(p);

    static const char *const bad[] = {"0", "65536", "70000", "5-3", "x", "", " , ", "sctp:5",
                                      "tcp:", "6320-", "-5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = profile_builtin("double-take");
        err[0] = '\0';
        if (profile_set_ports(p, bad[i], err) != FW_EUSAGE)
            fail_msg("--ports '%s' accepted", bad[i]);
        assert_non_null(strstr(err, "--ports"));
        /* A rejected list leaves the profile as it was. */
        assert_string_equal(service_of(p, TCP, 6320), "Double-Take");
        assert_int_equal(p->n_entries, 8);
        profile_free(p);
    }
}

static void rpc_range_replaces_dynamic_ranges(void **state)
{
    (void)state;
    char err[FW_ERRLEN];
    struct profile_range r;
    struct profile *p = profile_builtin("double-take");
    assert_int_equal(profile_parse_range("5000-5100", &r, err), 0);
    assert_int_equal(r.lo, 5000);
    assert_int_equal(r.hi, 5100);
    assert_int_equal(profile_set_rpc_range(p, r.lo, r.hi, err), 0);
    const struct profile_entry *e = profile_lookup(p, TCP, 5050);
    assert_non_null(e);
    assert_int_equal(e->rpc, PROFILE_RPC_DYNAMIC);
    assert_null(profile_lookup(p, TCP, 50000)); /* the default ranges are replaced */
    assert_null(profile_lookup(p, TCP, 3000));
    assert_int_equal(profile_lookup(p, TCP, 135)->rpc, PROFILE_RPC_MAPPER);
    size_t dynamic = 0;
    for (size_t i = 0; i < p->n_entries; i++)
        dynamic += p->entries[i].rpc == PROFILE_RPC_DYNAMIC;
    assert_int_equal(dynamic, 1);
    assert_int_equal(p->n_entries, 7);

    assert_int_equal(profile_set_rpc_range(p, 6000, 5000, err), FW_EUSAGE);
    assert_int_equal(profile_set_rpc_range(p, 0, 5000, err), FW_EUSAGE);
    assert_non_null(profile_lookup(p, TCP, 5050)); /* unchanged by the refusals */
    assert_int_equal(profile_parse_range("5100-5000", &r, err), FW_EUSAGE);
    assert_int_equal(profile_parse_range("5000", &r, err), 0); /* one port is a range too */
    assert_int_equal(profile_parse_range("49152-65536", &r, err), FW_EUSAGE);
    assert_int_equal(profile_parse_range("abc", &r, err), FW_EUSAGE);
    assert_non_null(strstr(err, "--rpc-range"));
    profile_free(p);
}

static int parse_text(const char *text, struct profile **p, char err[FW_ERRLEN])
{
    return profile_parse(text, strlen(text), "t.profile", p, err);
}

#define HEAD "name = t\n"
#define SVC "service = S\nprotocols = tcp\nports = 10\npurpose = why\n"

static void parse_errors_name_file_and_line(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        {HEAD "bogus = 1\n", "t.profile:2: unknown key 'bogus'"},
        {HEAD "\n# c\nservice S\n", "t.profile:4: expected 'key = value'"},
        {HEAD SVC "ports = 11\n", "t.profile:6: 'ports' given twice"},
        {HEAD "ports = 10\n", "t.profile:2: 'ports' comes before any 'service"},
        {HEAD SVC "name = u\n", "t.profile:6: 'name' belongs before"},
        {HEAD "service = S\nprotocols = tcp\nports = 0\n", "t.profile:4: '0' is not a port"},
        {HEAD "service = S\nprotocols = tcp\nports = 65536\n", "t.profile:4:"},
        {HEAD "service = S\nprotocols = tcp\nports = 9-8\n", "t.profile:4: range 9-8 ends"},
        {HEAD "service = S\nprotocols = tcp\nports = udp:8\n", "t.profile:4:"},
        {HEAD "service = S\nprotocols = sctp\n", "t.profile:3: unknown protocol 'sctp'"},
        {HEAD "service = S\nprotocols = tcp\npurpose = w\n\nservice = T\n",
         "t.profile:2: service 'S' has no 'ports'"},
        {HEAD "\nservice = S\nports = 1\npurpose = w\n", "t.profile:3: service 'S' has no 'prot"},
        {HEAD "service = S\nprotocols = tcp\nports = 1\n", "t.profile:2: service 'S' has no 'purp"},
        {HEAD "service = S\nprotocols = icmp-echo\nports = 1\npurpose = w\n",
         "t.profile:2: service 'S' is icmp-echo, which has no ports"},
        {HEAD "service = S\nprotocols = tcp icmp-echo\nports = 1\npurpose = w\n", "mixes"},
        {HEAD "service = S\nprotocols = udp\nports = 1\nrpc = dynamic\npurpose = w\n",
         "t.profile:2: service 'S' has 'rpc' but not"},
        {HEAD SVC "need = maybe\n", "t.profile:6: need is required or optional"},
        {HEAD SVC "direction = up\n", "t.profile:6: direction is"},
        {HEAD SVC "purpose2 = x\n", "t.profile:6: unknown key 'purpose2'"},
        {HEAD "service =\n", "t.profile:2: no value for 'service'"},
        {HEAD SVC "purpose = a\tb\x01\n", "t.profile:6: control character"},
        {"name = bad name\n" SVC, "t.profile:1: a name is"},
        {SVC, "t.profile: no 'name = ...' line"},
        {HEAD "# nothing\n", "t.profile: no 'service = ...' line"},
        {"", "t.profile: no 'name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[FW_ERRLEN] = "";
        struct profile *p = (struct profile *)&cases; /* must be reset to NULL */
        int rc = parse_text(cases[i].text, &p, err);
        if (rc != FW_EFORMAT || p != NULL || !strstr(err, cases[i].want))
            fail_msg("case %zu: rc %d, err '%s', wanted '%s'", i, rc, err, cases[i].want);
    }
}

static void parse_accepts_layout_and_first_entry_wins(void **state)
{
    (void)state;
    static const char text[] =
        "# a comment\r\n"
        "  name   =  lab  \r\n"
        "\n"
        "service = First\r\n"
        "protocols = tcp, udp\n"
        "ports = 100-200 150\n"
        "need = optional\n"
        "direction = to-target\n"
        "purpose = ticket #42: keep it\n"
        "\t# indented comment\n"
        "service = Second\n"
        "protocols = tcp\n"
        "ports = 150-300\n"
        "rpc = endpoint-mapper\n"
        "purpose = overlaps First\n"
        "service = Ping\n"
        "protocols = icmp-echo\n"
        "purpose = echo"; /* no final newline */
    char err[FW_ERRLEN] = "";
    struct profile *p = NULL;
    assert_int_equal(parse_text(text, &p, err), 0);
    assert_string_equal(p->name, "lab");
    assert_string_equal(p->description, "");
    assert_int_equal(p->n_entries, 3);
    const struct profile_entry *e = &p->entries[0];
    assert_string_equal(e->purpose, "ticket #42: keep it");
    assert_false(e->required);
    assert_int_equal(e->dir, PROFILE_DIR_TO_TARGET);
    assert_int_equal(e->n_ranges, 2);
    assert_true(p->entries[1].required); /* need defaults to required */
    assert_int_equal(p->entries[1].rpc, PROFILE_RPC_MAPPER);
    assert_string_equal(service_of(p, TCP, 150), "First");
    assert_string_equal(service_of(p, TCP, 200), "First");
    assert_string_equal(service_of(p, TCP, 201), "Second");
    assert_null(profile_lookup(p, UDP, 201));
    assert_string_equal(service_of(p, ICMP, 0), "Ping");
    index_matches_first_match_scan(p);
    profile_free(p);
}

/* A file of the repository: CMake passes its root, so the test runs from any directory. */
static char *read_profile_file(const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", FW_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void double_take_file_equals_builtin(void **state)
{
    (void)state;
    char err[FW_ERRLEN] = "";
    size_t len;
    char *text = read_profile_file("profiles/double-take.profile", &len);
    struct profile *f = NULL, *b = profile_builtin("double-take");
    if (profile_parse(text, len, "double-take.profile", &f, err) != 0)
        fail_msg("%s", err);
    assert_string_equal(f->name, b->name);
    assert_string_equal(f->description, b->description);
    assert_int_equal(f->n_entries, b->n_entries);
    for (size_t i = 0; i < b->n_entries; i++) {
        const struct profile_entry *x = &f->entries[i], *y = &b->entries[i];
        assert_string_equal(x->service, y->service);
        assert_string_equal(x->purpose, y->purpose);
        assert_int_equal(x->protos, y->protos);
        assert_int_equal(x->rpc, y->rpc);
        assert_int_equal(x->dir, y->dir);
        assert_int_equal(x->required, y->required);
        assert_int_equal(x->n_ranges, y->n_ranges);
        for (size_t r = 0; r < y->n_ranges; r++) {
            assert_int_equal(x->ranges[r].lo, y->ranges[r].lo);
            assert_int_equal(x->ranges[r].hi, y->ranges[r].hi);
        }
    }
    /* Every prefix parses or fails cleanly (ASan/UBSan watch the cut lines). */
    for (size_t n = 0; n <= len; n++) {
        struct profile *q = NULL;
        if (profile_parse(text, n, "prefix", &q, err) == 0)
            assert_non_null(q);
        profile_free(q);
    }
    profile_free(f);
    profile_free(b);
    free(text);
}

static void example_file_parses(void **state)
{
    (void)state;
    char err[FW_ERRLEN] = "";
    size_t len;
    char *text = read_profile_file("profiles/example-custom.profile", &len);
    struct profile *p = NULL;
    if (profile_parse(text, len, "example-custom.profile", &p, err) != 0)
        fail_msg("%s", err);
    assert_true(p->n_entries > 0);
    profile_free(p);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_double_take_names_each_port),
        cmocka_unit_test(index_agrees_with_scan),
        cmocka_unit_test(ports_option_replaces_port_entries),
        cmocka_unit_test(rpc_range_replaces_dynamic_ranges),
        cmocka_unit_test(parse_errors_name_file_and_line),
        cmocka_unit_test(parse_accepts_layout_and_first_entry_wins),
        cmocka_unit_test(double_take_file_equals_builtin),
        cmocka_unit_test(example_file_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
