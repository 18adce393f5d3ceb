/* common/zalloc.h: zeroed memory for tables that are read before they are written (hash
 * buckets). calloc's fresh pages map the kernel's shared zero page at the first read, and the
 * first write to each then faults again to copy it, flushing the TLB of every core the
 * process ran on: live, as tables grew, about a twentieth of fwsight's time. Written once up
 * front, each page faults once. */
#ifndef FW_ZALLOC_H
#define FW_ZALLOC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void *fw_zalloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = malloc(n * size != 0 ? n * size : 1);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

#endif
