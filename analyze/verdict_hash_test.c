/* analyze/verdict_hash_test.c: the verdict collector's keyed cell hash against a crafted
 * capture. With a known key, attempts are searched out whose cells share a bucket; as
 * packets (packet builder, then the whole analyzer) they make one chain that every new cell
 * walks. The same packets under another key, one the crafter did not know, make short
 * chains, and the same verdicts in the same order: no output follows the hash. The keys are
 * the caller's (the application draws them: app/hash_key.c); these are fixed, so that every
 * run of the test is the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/analyzer.h"
#include "analyze/verdict_int.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
/* 1000 cells under a cap of 1024: verdict.c grows the bucket array with the cells to twice
 * their capacity (1024 once 1000 are in, the cap), rounded
 * up to a power of two, so the bucket is the hash's low 11 bits. */
#define N_CELLS 1000
#define MAX_CELLS 1024
#define BUCKET_MASK (2u * MAX_CELLS - 1u)
#define BATCH 1000 /* frames per packet builder (it holds 1024) */
#define CLIENT "2001:db8::1"

static const uint64_t KNOWN_KEY[2] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL };
/* A key the capture was not crafted for, as the application's random one would be. */
static const uint64_t OTHER_KEY[2] = { 0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL };

/* One crafted attempt: a SYN from CLIENT:40000 to server:port. */
struct crafted {
    char server[FW_ADDRSTRLEN];
    uint16_t port;
};
static struct crafted crafted[N_CELLS];

static struct verdict_collector *collector_with(uint64_t k0, uint64_t k1)
{
    struct verdict_config cfg = { .max_cells = MAX_CELLS };
    cfg.hash_key[0] = k0;
    cfg.hash_key[1] = k1;
    struct verdict_collector *c = verdict_collector_new(&cfg);
    assert_non_null(c);
    return c;
}

/* The search: servers 2001:db8::2:0 to 2001:db8::2:ffff on port 1024, then the next port,
 * each cell hashed as verdict.c hashes it (from's bytes, to's bytes, then the families,
 * proto and port in one word). A cell is kept when its bucket under KNOWN_KEY is the first
 * one's: about 2048 candidates per cell, 2 million in all. The first three words (from, and
 * to's first half) never change, so SipHash's state after them is computed once. Each cell
 * kept is checked against the collector's own hash. */
static int craft(void **state)
{
    (void)state;
    struct verdict_collector *c = collector_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct fw_addr from, to;
    if (!fw_addr_parse(&from, CLIENT) || !fw_addr_parse(&to, "2001:db8::2:0"))
        return -1;
    const struct siphash_key sk = { KNOWN_KEY[0], KNOWN_KEY[1] };
    uint64_t w[5];
    memcpy(&w[0], from.b, 16);
    memcpy(&w[2], to.b, 16);
    struct siphash_state prefix = siphash_start(&sk);
    for (int i = 0; i < 3; i++)
        siphash_absorb(&prefix, w[i], 1);
    uint64_t target = 0;
    size_t n = 0;
    for (uint32_t i = 0; n < N_CELLS && i < 1u << 26; i++) {
        to.b[14] = (uint8_t)(i >> 8);
        to.b[15] = (uint8_t)i;
        uint16_t port = (uint16_t)(1024 + (i >> 16));
        memcpy(&w[3], to.b + 8, 8);
        w[4] = 6u | 6u << 8 | 6u << 16 | (uint64_t)port << 32;
        struct siphash_state s = prefix;
        siphash_absorb(&s, w[3], 1);
        siphash_absorb(&s, w[4], 1);
        siphash_absorb(&s, (uint64_t)40 << 56, 1);
        uint64_t bucket = siphash_finish(&s, 3) & BUCKET_MASK;
        if (n == 0)
            target = bucket;
        if (bucket != target)
            continue;
        if ((verdict_cell_hash(c, &from, &to, 6, port) & BUCKET_MASK) != target)
            break;
        fw_addr_format(&to, crafted[n].server, sizeof crafted[n].server);
        crafted[n++].port = port;
    }
    verdict_collector_free(c);
    return n == N_CELLS ? 0 : -1;
}

/* How long the chains are: the longest, and the cells compared beyond the first by the
 * lookups that inserted them (each new cell's lookup misses after walking its bucket's chain
 * so far: a chain of L cost 0 + 1 + ... + L - 1). */
struct chains {
    uint32_t max;
    uint64_t walked;
};

static struct chains chains_of(const struct verdict_collector *c)
{
    struct chains r = { 0, 0 };
    for (uint32_t b = 0; b < c->cell_nb; b++) {
        uint32_t len = 0;
        for (uint32_t i = c->cell_buckets[b]; i != 0; i = c->cells[i - 1].next)
            len++;
        if (len > r.max)
            r.max = len;
        r.walked += (uint64_t)len * (len - 1) / 2;
    }
    return r;
}

/* What a run's verdicts say, in their order: (to, port, kind) of each. */
struct outcome {
    size_t n;
    struct fw_addr to[N_CELLS];
    uint16_t port[N_CELLS];
    enum verdict_kind kind[N_CELLS];
};

static void no_sink(void *ctx, const struct conn_record *r)
{
    (void)ctx, (void)r;
}

static void feed(void *ctx, const struct frame *f)
{
    analyzer_feed(ctx, f);
}

/* The crafted capture, one SYN per cell, 10 us apart, through the analyzer with the verdict
 * key k0, k1; the chains as they stand at the end, and the verdicts. */
static struct chains run_capture(uint64_t k0, uint64_t k1, struct outcome *out)
{
    static struct pb b;
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.verdict.max_cells = MAX_CELLS;
    cfg.verdict.hash_key[0] = k0;
    cfg.verdict.hash_key[1] = k1;
    struct analyzer *a = analyzer_new(&cfg, no_sink, NULL);
    assert_non_null(a);
    uint64_t now = T0;
    for (size_t at = 0; at < N_CELLS; at += BATCH) {
        pb_init(&b, now);
        b.step_us = 10;
        for (size_t i = at; i < at + BATCH && i < N_CELLS; i++)
            assert_true(pb_tcp(&b, CLIENT, 40000, crafted[i].server, crafted[i].port,
                               TH_SYN) >= 0);
        pb_feed(&b, feed, a);
        now = b.now_us;
    }
    analyzer_finish(a);
    const struct verdict_collector *vc = analyzer_verdicts(a);
    assert_int_equal(vc->ncells, N_CELLS); /* distinct cells, all kept */
    assert_int_equal(verdict_cells_overflow(vc), 0);
    struct chains r = chains_of(vc);
    out->n = verdict_count(vc);
    assert_int_equal(out->n, N_CELLS);
    for (size_t i = 0; i < out->n; i++) {
        const struct verdict_item *it = verdict_at(vc, i);
        out->to[i] = it->to;
        out->port[i] = it->port;
        out->kind[i] = it->v.kind;
    }
    analyzer_free(a);
    return r;
}

static struct outcome crafted_out, other_out;

/* Under the key it was crafted for, all the cells are in one chain: each new cell walked
 * every cell before it. */
static void crafted_capture_collides_under_its_key(void **state)
{
    (void)state;
    struct chains c = run_capture(KNOWN_KEY[0], KNOWN_KEY[1], &crafted_out);
    assert_int_equal(c.max, N_CELLS);
    assert_true(c.walked == (uint64_t)N_CELLS * (N_CELLS - 1) / 2); /* quadratic */
}

/* Under another key the same cells are 1000 random hashes into 2048 buckets: the chance
 * that any bucket holds 10 or more is below 2048 * C(1000, 10) / 2048^10 < 5e-7, so at most
 * 9. The cells walked add up to C(1000, 2) / 2048, about 244, on average: below N_CELLS,
 * linear, by a wide margin. And the verdicts are the same, in the same order. */
static void crafted_capture_is_harmless_under_another_key(void **state)
{
    (void)state;
    struct chains c = run_capture(OTHER_KEY[0], OTHER_KEY[1], &other_out);
    assert_true(c.max <= 9);
    assert_true(c.walked < N_CELLS);
    run_capture(KNOWN_KEY[0], KNOWN_KEY[1], &crafted_out);
    assert_int_equal(other_out.n, crafted_out.n);
    for (size_t i = 0; i < other_out.n; i++) {
        assert_true(fw_addr_eq(&other_out.to[i], &crafted_out.to[i]));
        assert_int_equal(other_out.port[i], crafted_out.port[i]);
        assert_int_equal(other_out.kind[i], crafted_out.kind[i]);
    }
}

/* A key gives the same hashes in every collector; another key other hashes (alike only by
 * chance: 2^-64 per cell): a collector hashes with the key it was given. */
static void fixed_key_is_shared_other_keys_differ(void **state)
{
    (void)state;
    struct verdict_collector *x = collector_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct verdict_collector *y = collector_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct verdict_collector *p = x, *q = collector_with(OTHER_KEY[0], OTHER_KEY[1]);
    struct fw_addr from, to;
    assert_true(fw_addr_parse(&from, "198.51.100.10"));
    assert_true(fw_addr_parse(&to, "203.0.113.20"));
    for (uint16_t port = 1; port <= 8; port++) {
        assert_true(verdict_cell_hash(x, &from, &to, 6, port) ==
                    verdict_cell_hash(y, &from, &to, 6, port));
        assert_true(verdict_cell_hash(p, &from, &to, 6, port) !=
                    verdict_cell_hash(q, &from, &to, 6, port));
    }
    verdict_collector_free(x);
    verdict_collector_free(y);
    verdict_collector_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_key_is_shared_other_keys_differ),
        cmocka_unit_test(crafted_capture_collides_under_its_key),
        cmocka_unit_test(crafted_capture_is_harmless_under_another_key),
    };
    return cmocka_run_group_tests(tests, craft, NULL);
}
