/* tests/fuzz/fuzz_profile.c: libFuzzer target for the profile parser and the port options
 * (analyze/profile.c, profile_parse.c). Input: a profile file's text, then NUL, a --ports
 * list, NUL, an --rpc-range value (each part optional). The text is parsed; the list and the
 * range are applied to the parsed profile, or to the built-in one when the text is not a
 * profile. What must hold besides no crash or sanitizer report: an error names the file and a
 * line; a profile that was accepted (or changed) is well formed, and profile_lookup() agrees
 * with the rule "the first entry that names a port owns it" at every range's edges; a refused
 * --ports or --rpc-range leaves the profile as it was. */
#include <stdlib.h>
#include <string.h>

#include "analyze/profile.h"
#include "analyze/verdict.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The owner of (proto, port) by the rule, found the slow way. */
static const struct profile_entry *owner(const struct profile *p, uint8_t proto, uint16_t port)
{
    unsigned bit = proto == 6 ? PROFILE_TCP : proto == 17 ? PROFILE_UDP : PROFILE_ICMP_ECHO;
    for (size_t i = 0; i < p->n_entries; i++) {
        const struct profile_entry *e = &p->entries[i];
        if (!(e->protos & bit))
            continue;
        if (bit == PROFILE_ICMP_ECHO)
            return e;
        for (size_t r = 0; r < e->n_ranges; r++)
            if (e->ranges[r].lo <= port && port <= e->ranges[r].hi)
                return e;
    }
    return NULL;
}

static void check_port(const struct profile *p, uint16_t port)
{
    CHECK(profile_lookup(p, 6, port) == owner(p, 6, port));
    CHECK(profile_lookup(p, 17, port) == owner(p, 17, port));
}

static void check_profile(const struct profile *p)
{
    CHECK(p->name != NULL && p->n_entries <= PROFILE_MAX_ENTRIES);
    CHECK(profile_lookup(p, 1, 0) == owner(p, 1, 0));
    CHECK(profile_lookup(p, 58, 0) == owner(p, 1, 0));
    for (size_t i = 0; i < p->n_entries; i++) {
        const struct profile_entry *e = &p->entries[i];
        CHECK(e->service != NULL && e->purpose != NULL);
        CHECK(e->protos != 0 && (e->protos & ~7u) == 0);
        CHECK((e->protos == PROFILE_ICMP_ECHO) == (e->n_ranges == 0));
        for (size_t r = 0; r < e->n_ranges; r++) {
            const struct profile_range *g = &e->ranges[r];
            CHECK(g->lo >= 1 && g->lo <= g->hi);
            check_port(p, g->lo);
            check_port(p, g->hi);
            check_port(p, (uint16_t)(g->lo - 1));
            check_port(p, (uint16_t)(g->hi + 1));
        }
    }
    size_t n = verdict_ports_from_profile(p, NULL, 0);
    struct verdict_port *vp = malloc((n ? n : 1) * sizeof *vp);
    if (vp != NULL) {
        CHECK(verdict_ports_from_profile(p, vp, n) == n);
        free(vp);
    }
}

/* What a refused option must leave untouched, in short. */
static uint64_t fingerprint(const struct profile *p)
{
    uint64_t h = p->n_entries;
    for (size_t i = 0; i < p->n_entries; i++) {
        const struct profile_entry *e = &p->entries[i];
        h = h * 31 + e->protos * 7 + e->n_ranges + (uint64_t)e->rpc * 3;
        for (size_t r = 0; r < e->n_ranges; r++)
            h = h * 131 + e->ranges[r].lo * 65537u + e->ranges[r].hi;
    }
    return h;
}

/* The next NUL-terminated part of the input, copied (the calls want strings). */
static char *next_part(const uint8_t **data, size_t *size, size_t *len)
{
    const uint8_t *end = memchr(*data, '\0', *size);
    size_t n = end ? (size_t)(end - *data) : *size;
    char *s = malloc(n + 1);
    if (s == NULL)
        abort();
    memcpy(s, *data, n);
    s[n] = '\0';
    *len = n;
    *data += end ? n + 1 : n;
    *size -= end ? n + 1 : n;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t tlen, plen, rlen;
    char *text = next_part(&data, &size, &tlen);
    char *ports = next_part(&data, &size, &plen);
    char *range = next_part(&data, &size, &rlen);
    char err[FW_ERRLEN] = "";
    struct profile *p = NULL;
    /* Exactly tlen bytes: the parser is promised no NUL, and ASan watches the end. */
    char *exact = malloc(tlen ? tlen : 1);
    if (exact == NULL)
        abort();
    memcpy(exact, text, tlen);
    int rc = profile_parse(exact, tlen, "fuzz.profile", &p, err);
    free(exact);
    if (rc == 0) {
        CHECK(p != NULL);
        check_profile(p);
    } else {
        CHECK(p == NULL && strncmp(err, "fuzz.profile:", 13) == 0);
        p = profile_builtin(PROFILE_DEFAULT);
        CHECK(p != NULL);
    }

    if (plen > 0) {
        uint64_t before = fingerprint(p);
        err[0] = '\0';
        if (profile_set_ports(p, ports, err) == 0)
            check_profile(p);
        else
            CHECK(fingerprint(p) == before && err[0] != '\0');
    }
    if (rlen > 0) {
        struct profile_range r;
        if (profile_parse_range(range, &r, err) == 0) {
            CHECK(r.lo >= 1 && r.lo <= r.hi);
            uint64_t before = fingerprint(p);
            err[0] = '\0';
            if (profile_set_rpc_range(p, r.lo, r.hi, err) == 0)
                check_profile(p);
            else
                CHECK(fingerprint(p) == before && err[0] != '\0');
        }
    }
    profile_free(p);
    free(text);
    free(ports);
    free(range);
    return 0;
}
