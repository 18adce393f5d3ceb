/* analyze/flow_hash_test.c: the flow table's keyed hash against a crafted capture. With a
 * known key, flows are searched out whose hashes share a bucket; as packets (packet builder,
 * decoder, tracker) they make one chain that every lookup walks. The same packets under
 * another key, one the crafter did not know, make short chains. Also: a key gives the same
 * hashes in every table (SipHash-1-3 of the key's words), another key other hashes. The keys
 * are the caller's (the application draws them: app/hash_key.c); these are fixed, so that
 * every run of the test is the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/flow_track.h"
#include "analyze/siphash.h"
#include "tests/pb.h"

#define T0 1700000000000000ull
/* 2000 flows, all live at once under a cap of 2048: the bucket array is then 2048 buckets
 * from the start and never grows (flow_table.c sizes it to the cap, rounded up to a power
 * of two, when the cap is under 4096), so the bucket is the hash's low 11 bits. */
#define N_FLOWS 2000
#define MAX_FLOWS 2048
#define BUCKET_MASK (MAX_FLOWS - 1u)
#define BATCH 1000 /* frames per packet builder (it holds 1024) */
#define CLIENT "2001:db8::1"
#define SERVER_PORT 6320

static const uint64_t KNOWN_KEY[2] = { 0x5be0cd19137e2179ULL, 0x1f83d9abfb41bd6bULL };
/* A key the capture was not crafted for, as the application's random one would be. */
static const uint64_t OTHER_KEY[2] = { 0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL };

/* One crafted flow: a SYN from CLIENT:cport to server:SERVER_PORT. */
struct crafted {
    char server[FW_ADDRSTRLEN];
    uint16_t cport;
};
static struct crafted crafted[N_FLOWS];

static void no_end(void *ctx, struct flow *f, enum conn_end why)
{
    (void)ctx, (void)f, (void)why;
}

static struct flow_table *table_with(uint64_t k0, uint64_t k1)
{
    struct fw_config cfg;
    fw_config_defaults(&cfg);
    cfg.max_flows = MAX_FLOWS;
    cfg.flow_hash_key[0] = k0;
    cfg.flow_hash_key[1] = k1;
    struct flow_table *t = flow_table_new(&cfg, no_end, NULL);
    assert_non_null(t);
    return t;
}

/* The search: servers 2001:db8::2:0 to 2001:db8::2:ffff, then the next client port, each
 * keyed as the tracker keys a TCP flow (flow_track.c: zeroed, the lower endpoint first,
 * here always CLIENT). A flow is kept when its bucket under KNOWN_KEY is the first one's:
 * about MAX_FLOWS candidates per flow, 4 million in all. What varies (the server's last two
 * bytes, the client port) is all in the key's last word, so SipHash's state after the first
 * four is computed once: 5 rounds a candidate instead of 9, about 1 s under ASan. Each flow
 * kept is checked against the table's own hash. */
_Static_assert(offsetof(struct flow_key, b) + offsetof(struct fw_addr, b) + 14 >= 32 &&
                   offsetof(struct flow_key, pa) + 2 <= 40 && sizeof(struct flow_key) == 40,
               "the search varies the fifth and last key word only");
static int craft(void **state)
{
    (void)state;
    struct flow_table *t = table_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct flow_key k;
    memset(&k, 0, sizeof k);
    if (!fw_addr_parse(&k.a, CLIENT) || !fw_addr_parse(&k.b, "2001:db8::2:0"))
        return -1;
    k.pb = SERVER_PORT;
    k.proto = 6;
    const struct siphash_key sk = { KNOWN_KEY[0], KNOWN_KEY[1] };
    uint64_t w[5];
    memcpy(w, &k, sizeof w);
    struct siphash_state prefix = siphash_start(&sk);
    for (int i = 0; i < 4; i++)
        siphash_absorb(&prefix, w[i], 1);
    uint64_t target = 0;
    size_t n = 0;
    for (uint32_t i = 0; n < N_FLOWS && i < 1u << 26; i++) {
        k.b.b[14] = (uint8_t)(i >> 8);
        k.b.b[15] = (uint8_t)i;
        k.pa = (uint16_t)(1024 + (i >> 16));
        memcpy(&w[4], (const char *)&k + 32, 8);
        struct siphash_state s = prefix;
        siphash_absorb(&s, w[4], 1);
        siphash_absorb(&s, (uint64_t)40 << 56, 1);
        uint64_t bucket = siphash_finish(&s, 3) & BUCKET_MASK;
        if (n == 0)
            target = bucket;
        if (bucket != target)
            continue;
        if ((flow_table_hash(t, &k) & BUCKET_MASK) != target)
            break;
        fw_addr_format(&k.b, crafted[n].server, sizeof crafted[n].server);
        crafted[n++].cport = k.pa;
    }
    flow_table_free(t);
    return n == N_FLOWS ? 0 : -1;
}

struct run {
    struct fw_config cfg;
    struct analyzer_stats stats;
    struct flow_tracker tr;
    struct decode_opts opts;
};

static void track_frame(void *ctx, const struct frame *f)
{
    struct run *r = ctx;
    struct pkt p;
    assert_int_equal(decode_frame(f, &r->opts, &p), PKT_OK);
    flow_table_advance(r->tr.table, f->ts_us);
    flow_track_packet(&r->tr, &p, f->ts_us, f->number, 0);
}

/* The crafted capture, one SYN per flow, 10 us apart (all 2000 live: well within the 5 s
 * attempt timeout), through the decoder and the tracker under the key k0, k1. */
static struct flow_table_counts run_capture(uint64_t k0, uint64_t k1)
{
    static struct run r;
    static struct pb b;
    memset(&r, 0, sizeof r);
    fw_config_defaults(&r.cfg);
    r.cfg.max_flows = MAX_FLOWS;
    r.cfg.flow_hash_key[0] = k0;
    r.cfg.flow_hash_key[1] = k1;
    assert_int_equal(flow_track_init(&r.tr, &r.cfg, &r.stats, NULL, NULL), 0);
    uint64_t now = T0;
    for (size_t at = 0; at < N_FLOWS; at += BATCH) {
        pb_init(&b, now);
        b.step_us = 10;
        for (size_t i = at; i < at + BATCH && i < N_FLOWS; i++)
            assert_true(pb_tcp(&b, CLIENT, crafted[i].cport, crafted[i].server, SERVER_PORT,
                               TH_SYN) >= 0);
        pb_feed(&b, track_frame, &r);
        now = b.now_us;
    }
    struct flow_table_counts c = *flow_table_counts(r.tr.table);
    flow_table_finish(r.tr.table);
    flow_track_fini(&r.tr);
    assert_int_equal(c.created, N_FLOWS); /* distinct flows, all kept */
    assert_int_equal(c.live, N_FLOWS);
    assert_int_equal(c.evicted, 0);
    return c;
}

/* Under the key it was crafted for, every SYN's lookup walks all the flows before it: the
 * n-th compares n - 1, so the last 1999, and n - 2 beyond the first. */
static void crafted_capture_collides_under_its_key(void **state)
{
    (void)state;
    struct flow_table_counts c = run_capture(KNOWN_KEY[0], KNOWN_KEY[1]);
    assert_int_equal(c.chain_max, N_FLOWS - 1);
    assert_int_equal(c.chain_extra, (uint64_t)(N_FLOWS - 1) * (N_FLOWS - 2) / 2); /* quadratic */
}

/* Under another key the same flows are 2000 random hashes into 2048 buckets. A lookup
 * compares at most the flows of one bucket, and the chance that any bucket holds 13 or
 * more is below 2048 * C(2000, 13) / 2048^13 < 2048 / 13! < 4e-7: so at most 12. The
 * compares beyond the first add up to about 270 on average (a miss at load L walks
 * L - 1 + e^-L beyond the first): below N_FLOWS, linear, by a wide margin. */
static void crafted_capture_is_harmless_under_another_key(void **state)
{
    (void)state;
    struct flow_table_counts c = run_capture(OTHER_KEY[0], OTHER_KEY[1]);
    assert_true(c.chain_max <= 12);
    assert_true(c.chain_extra < N_FLOWS);
}

static struct flow_key key_of(int i)
{
    struct flow_key k;
    memset(&k, 0, sizeof k);
    fw_addr_parse(&k.a, "198.51.100.10");
    fw_addr_parse(&k.b, "203.0.113.20");
    k.pa = (uint16_t)(49152 + i);
    k.pb = 6320;
    k.proto = 6;
    return k;
}

/* A fixed key: the same hash in every table, and it is SipHash-1-3 of the key's words. */
static void fixed_key_gives_identical_hashes(void **state)
{
    (void)state;
    struct flow_table *x = table_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct flow_table *y = table_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    const struct siphash_key sk = { KNOWN_KEY[0], KNOWN_KEY[1] };
    for (int i = 0; i < 8; i++) {
        struct flow_key k = key_of(i);
        uint64_t w[sizeof k / 8];
        memcpy(w, &k, sizeof w);
        assert_true(flow_table_hash(x, &k) == flow_table_hash(y, &k));
        assert_true(flow_table_hash(x, &k) == siphash13_words(&sk, w, sizeof k / 8));
    }
    flow_table_free(x);
    flow_table_free(y);
}

/* Another key, other hashes: a table hashes with the key it was given (equal hashes by
 * chance: 2^-64 per flow). */
static void other_keys_give_other_hashes(void **state)
{
    (void)state;
    struct flow_table *x = table_with(KNOWN_KEY[0], KNOWN_KEY[1]);
    struct flow_table *y = table_with(OTHER_KEY[0], OTHER_KEY[1]);
    for (int i = 0; i < 8; i++) {
        struct flow_key k = key_of(i);
        assert_true(flow_table_hash(x, &k) != flow_table_hash(y, &k));
    }
    flow_table_free(x);
    flow_table_free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_key_gives_identical_hashes),
        cmocka_unit_test(other_keys_give_other_hashes),
        cmocka_unit_test(crafted_capture_collides_under_its_key),
        cmocka_unit_test(crafted_capture_is_harmless_under_another_key),
    };
    return cmocka_run_group_tests(tests, craft, NULL);
}
