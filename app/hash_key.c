/* app/hash_key.c: the hash keys of a run (see hash_key.h): from the kernel's random
 * generator, or a fallback from the clocks and addresses. analyze/ takes its keys from the
 * config and reads neither; this file is where the application draws them. */
#include "hash_key.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>

void hash_key_fallback(struct siphash_key *k)
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
        (uint64_t)(uintptr_t)k, (uint64_t)(uintptr_t)hash_key_fallback, ++calls,
    };
    static const struct siphash_key mix = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
    k->k0 = siphash24(&mix, in, sizeof in);
    in[0] ^= 1; /* the second word from another input */
    k->k1 = siphash24(&mix, in, sizeof in);
}

bool hash_key_random(struct siphash_key *k)
{
    uint8_t buf[16];
    /* GRND_NONBLOCK: early at boot, before the kernel's pool is ready, fall back rather than
     * hang. 16 bytes come whole from a ready pool; EINTR is retried a few times. */
    for (int tries = 0; tries < 4; tries++) {
        ssize_t n = getrandom(buf, sizeof buf, GRND_NONBLOCK);
        if (n == (ssize_t)sizeof buf) {
            memcpy(&k->k0, buf, 8); /* any byte order: the bytes are random */
            memcpy(&k->k1, buf + 8, 8);
            return true;
        }
        if (n >= 0 || errno != EINTR)
            break;
    }
    hash_key_fallback(k);
    return false;
}

void hash_keys_config(struct fw_config *cfg)
{
    struct siphash_key k;
    hash_key_random(&k); /* falls back to a key still unknown beforehand */
    cfg->flow_hash_key[0] = k.k0;
    cfg->flow_hash_key[1] = k.k1;
    hash_key_random(&k);
    cfg->verdict.hash_key[0] = k.k0;
    cfg->verdict.hash_key[1] = k.k1;
}
