/* analyze/siphash.c: SipHash over bytes (the inline word core is in siphash.h) and random
 * keys. Written from the paper's description; checked against the reference
 * implementation's test vectors in siphash_test.c. */
#include "siphash.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

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

void siphash_key_fallback(struct siphash_key *k)
{
    /* What differs between runs and cannot be known when a capture is crafted: the time to
     * the nanosecond, how long this process has run, and where ASLR put the stack, this
     * code and the caller's key; a counter sets apart two keys made in one nanosecond.
     * SipHash-2-4 under a constant key spreads it all over both key words. */
    static uint64_t calls;
    struct timespec rt = { 0 }, mono = { 0 }, cpu = { 0 };
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    int on_stack = 0;
    uint64_t in[] = {
        (uint64_t)rt.tv_sec,    (uint64_t)rt.tv_nsec,  (uint64_t)mono.tv_sec,
        (uint64_t)mono.tv_nsec, (uint64_t)cpu.tv_nsec, (uint64_t)(uintptr_t)&on_stack,
        (uint64_t)(uintptr_t)k, (uint64_t)(uintptr_t)siphash_key_fallback, ++calls,
    };
    static const struct siphash_key mix = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
    k->k0 = siphash24(&mix, in, sizeof in);
    in[0] ^= 1; /* the second word from another input */
    k->k1 = siphash24(&mix, in, sizeof in);
}

bool siphash_key_random(struct siphash_key *k)
{
    uint8_t buf[16];
    /* GRND_NONBLOCK: early at boot, before the kernel's pool is ready, fall back rather than
     * hang. 16 bytes come whole from a ready pool; EINTR is retried a few times. */
    for (int tries = 0; tries < 4; tries++) {
        ssize_t n = getrandom(buf, sizeof buf, GRND_NONBLOCK);
        if (n == (ssize_t)sizeof buf) {
            k->k0 = load_le64(buf, 8);
            k->k1 = load_le64(buf + 8, 8);
            return true;
        }
        if (n >= 0 || errno != EINTR)
            break;
    }
    siphash_key_fallback(k);
    return false;
}
