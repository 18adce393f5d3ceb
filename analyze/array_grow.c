/* analyze/array_grow.c: arrays grown by moving their pages (mremap), not their bytes; see
 * array_grow.h. What the arrays hold and how fast they grow is their owners' (verdict.c). */
#define _GNU_SOURCE /* mremap's flags */
#include "array_grow.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/mem.h"

/* AddressSanitizer knows nothing of a mapping's use: the slack past the array is poisoned by
 * hand, and a range given back or moved away is unpoisoned first, for what is mapped there
 * later. */
#if defined(__SANITIZE_ADDRESS__)
#define FW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang's way to tell */
#define FW_ASAN 1
#endif
#endif
#ifdef FW_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

size_t array_mapped_len(size_t n)
{
    uintptr_t unit = n >= FW_HUGE_PAGE ? FW_HUGE_PAGE : (uintptr_t)getpagesize();
    return fw_align_up(n, unit);
}

/* The mapping of len bytes that holds the array, from had bytes at old (NULL: none): old's
 * pages moved into it, MAP_FAILED when none can be had (old then untouched). */
static void *remap(void *old, size_t had, size_t len)
{
    if (len < FW_HUGE_PAGE)
        return had != 0 ? mremap(old, had, len, MREMAP_MAYMOVE)
                        : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                               -1, 0);
    /* From 2 MiB on: where the addresses after it are free, it grows where it is; else into a
     * fresh aligned mapping, whose first had bytes its pages replace (MREMAP_FIXED). Both ends
     * aligned, a huge page moves as one entry. */
    void *p = had >= FW_HUGE_PAGE ? mremap(old, had, len, 0) : MAP_FAILED;
    if (p != MAP_FAILED)
        return p;
    p = fw_huge_map_len(len);
    if (p == NULL)
        return MAP_FAILED;
    if (had != 0 && mremap(old, had, had, MREMAP_MAYMOVE | MREMAP_FIXED, p) == MAP_FAILED) {
        (void)munmap(p, len);
        return MAP_FAILED;
    }
    return p;
}

bool array_grow(void **arr, size_t from, size_t to)
{
    size_t had = *arr != NULL ? array_mapped_len(from) : 0, len = array_mapped_len(to);
    if (len <= had) {
        if (to > from)
            UNPOISON((char *)*arr + from, to - from);
        return true;
    }
    UNPOISON(*arr, had);
    void *p = remap(*arr, had, len);
    if (p == MAP_FAILED) {
        POISON((char *)*arr + from, had - from);
        return false;
    }
    fw_huge(p, len);
    POISON((char *)p + to, len - to);
    *arr = p;
    return true;
}

void array_free(void *arr, size_t n)
{
    if (arr == NULL)
        return;
    UNPOISON(arr, array_mapped_len(n));
    (void)munmap(arr, array_mapped_len(n));
}
