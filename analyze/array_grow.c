/* analyze/array_grow.c: arrays grown by moving their pages (mremap), not their bytes; see
 * array_grow.h. What the arrays hold and how fast they grow is their owners' (verdict.c). */
#define _GNU_SOURCE /* mremap's flags */
#include "array_grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
    return fw_align_up(n, FW_HUGE_PAGE);
}

/* The mapping of len bytes that holds the array, from had bytes mapped at old (0: none): old's
 * pages moved into it, MAP_FAILED when none can be had (old then untouched). Where the
 * addresses after it are free, it grows where it is; else into a fresh aligned mapping, whose
 * first had bytes its pages replace (MREMAP_FIXED). Both ends aligned, a huge page moves as
 * one entry. */
static void *remap(void *old, size_t had, size_t len)
{
    void *p = had != 0 ? mremap(old, had, len, 0) : MAP_FAILED;
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
    if (to <= from && *arr != NULL)
        return true;
    if (to < ARRAY_MAPPED_FROM) {
        void *p = realloc(*arr, to);
        if (p == NULL)
            return false;
        *arr = p;
        return true;
    }
    if (from < ARRAY_MAPPED_FROM) { /* from the heap into a mapping of its own: copied once */
        void *p = fw_huge_map_len(array_mapped_len(to));
        if (p == NULL)
            return false;
        if (from != 0)
            memcpy(p, *arr, from);
        free(*arr);
        *arr = p;
        fw_huge(p, array_mapped_len(to));
        POISON((char *)p + to, array_mapped_len(to) - to);
        return true;
    }
    size_t had = array_mapped_len(from), len = array_mapped_len(to);
    if (len == had) {
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
    if (n < ARRAY_MAPPED_FROM) {
        free(arr);
    } else if (arr != NULL) {
        UNPOISON(arr, array_mapped_len(n));
        (void)munmap(arr, array_mapped_len(n));
    }
}
