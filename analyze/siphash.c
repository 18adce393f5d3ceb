/* analyze/siphash.c: SipHash over bytes (the inline word core is in siphash.h). Written from
 * the paper's description; checked against the reference implementation's test vectors in
 * siphash_test.c. The keys are the callers': analyze/ reads no clock and no entropy, so a run
 * is a function of its input and its config (app/hash_key.c draws the application's keys). */
#include "siphash.h"

#include <stdint.h>
#include <string.h>

static uint64_t load_le64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The message in whole words, then its 0 to 7 last bytes with the length's low byte on top
 * (the paper: the last word always exists, even for an empty or word-aligned message). */
static uint64_t siphash_bytes(const struct siphash_key *k, const void *data, size_t len, int c,
                              int d)
{
    const uint8_t *p = data;
    struct siphash_state s = siphash_start(k);
    size_t whole = len & ~(size_t)7;
    for (size_t i = 0; i < whole; i += 8)
        siphash_absorb(&s, load_le64(p + i, 8), c);
    siphash_absorb(&s, load_le64(p + whole, len - whole) | (uint64_t)(len & 0xff) << 56, c);
    return siphash_finish(&s, d);
}

uint64_t siphash13(const struct siphash_key *k, const void *data, size_t len)
{
    return siphash_bytes(k, data, len, 1, 3);
}

uint64_t siphash24(const struct siphash_key *k, const void *data, size_t len)
{
    return siphash_bytes(k, data, len, 2, 4);
}
