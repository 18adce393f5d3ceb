/* tests/mapped.h: whether memory is mapped, page by page, for the tests of what maps it
 * (analyze/flow_pool_test.c, analyze/array_grow_test.c). msync fails with ENOMEM on a range
 * that holds a page not mapped. */
#ifndef FW_TEST_MAPPED_H
#define FW_TEST_MAPPED_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mman.h>

/* Whether [p, p + n) is mapped, every page of it. */
static inline bool mapped(const void *p, size_t n)
{
    return msync((void *)p, n, MS_ASYNC) == 0;
}

/* Whether no page of [p, p + n) is mapped. */
static inline bool unmapped(const void *p, size_t n)
{
    for (size_t off = 0; off < n; off += 4096)
        if (msync((char *)p + off, 4096, MS_ASYNC) == 0 || errno != ENOMEM)
            return false;
    return true;
}

#endif
