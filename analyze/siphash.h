/* analyze/siphash.h: SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012), a keyed hash whose outputs cannot be predicted, nor collided on purpose, without its
 * 128-bit key. SipHash-c-d absorbs the message in 8-byte little-endian words, each followed
 * by c rounds, the last word carrying the length in its top byte, then runs d rounds.
 * SipHash-2-4 is the paper's recommended PRF; SipHash-1-3 is the faster variant used by hash
 * tables that never show their hashes (Rust's HashMap, CPython's str hash): the flow table's.
 * The word-level core is inline so that a hot path hashing fixed-size keys unrolls it; what
 * the hash is used for is left to its callers (flow_table.c), and so is the key: analyze/
 * takes it from its config (app/hash_key.c draws one nobody can guess). */
#ifndef FW_SIPHASH_H
#define FW_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
    uint64_t k0, k1; /* the key's bytes 0-7 and 8-15, read little-endian */
};

struct siphash_state {
    uint64_t v0, v1, v2, v3;
};

static inline uint64_t siphash_rotl(uint64_t x, unsigned b)
{
    return x << b | x >> (64 - b);
}

/* One SipRound (the paper's figure 2.1). */
static inline void siphash_round(struct siphash_state *s)
{
    s->v0 += s->v1;
    s->v1 = siphash_rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = siphash_rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = siphash_rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = siphash_rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = siphash_rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = siphash_rotl(s->v2, 32);
}

/* Initialization: the key XORed into "somepseudorandomlygeneratedbytes". */
static inline struct siphash_state siphash_start(const struct siphash_key *k)
{
    return (struct siphash_state){
        .v0 = k->k0 ^ 0x736f6d6570736575ULL,
        .v1 = k->k1 ^ 0x646f72616e646f6dULL,
        .v2 = k->k0 ^ 0x6c7967656e657261ULL,
        .v3 = k->k1 ^ 0x7465646279746573ULL,
    };
}

/* Compression of one message word m with c rounds. */
static inline void siphash_absorb(struct siphash_state *s, uint64_t m, int c)
{
    s->v3 ^= m;
    for (int i = 0; i < c; i++)
        siphash_round(s);
    s->v0 ^= m;
}

/* Finalization with d rounds; the last word (length byte and tail) must be absorbed. */
static inline uint64_t siphash_finish(struct siphash_state *s, int d)
{
    s->v2 ^= 0xff;
    for (int i = 0; i < d; i++)
        siphash_round(s);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* SipHash-1-3 of n whole words (a message of 8 * n bytes, n < 32), in host order: on a
 * little-endian host the same value as siphash13() of their bytes. */
static inline uint64_t siphash13_words(const struct siphash_key *k, const uint64_t *w, size_t n)
{
    struct siphash_state s = siphash_start(k);
    for (size_t i = 0; i < n; i++)
        siphash_absorb(&s, w[i], 1);
    siphash_absorb(&s, (uint64_t)(8 * n) << 56, 1); /* no tail bytes: the length alone */
    return siphash_finish(&s, 3);
}

/* The two standard variants over any bytes, for keys of any length and for the reference
 * test vectors. */
uint64_t siphash13(const struct siphash_key *k, const void *data, size_t len);
uint64_t siphash24(const struct siphash_key *k, const void *data, size_t len);

#endif
