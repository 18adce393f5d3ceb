/* common/mem.h: memory faulted in ahead of its first use, for the tables and arrays that grow
 * while a live capture runs. Each page of a fresh block otherwise costs a page fault at its
 * first touch: in a virtual machine several microseconds each, and live, as cells, attempts and
 * items kept growing, the largest single cost after the per-packet work (about a seventh of
 * fwsight's time at 10,000 packets/s). One madvise(MADV_POPULATE_WRITE) call fills a run of
 * pages for the price of clearing them. On a kernel without it (before 5.14) the call fails
 * and the pages fault one by one, as they would have. */
#ifndef FW_MEM_H
#define FW_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Faults in the pages wholly inside [base + from, base + to), writable. */
static inline void fw_prefault(void *base, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t pg = (uintptr_t)getpagesize();
    uintptr_t a = ((uintptr_t)base + from + pg - 1) & ~(pg - 1);
    uintptr_t b = ((uintptr_t)base + to) & ~(pg - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
    (void)base, (void)from, (void)to;
#endif
}

/* An array filled in index order is faulted in a step at a time, not a page at a time: large
 * enough that the call costs less than the faults it saves, small enough that an array's
 * memory still follows what it holds, not what it could. Steps are aligned on the address,
 * not on the array's start, so that none splits a page. */
#define FW_PREFAULT_STEP ((uintptr_t)64 << 10)

/* [base + from, the end of the step holding base + from) within the array's n bytes. */
static inline void fw_prefault_step(void *base, size_t from, size_t n)
{
    uintptr_t b = (uintptr_t)base;
    uintptr_t to = ((b + from) / FW_PREFAULT_STEP + 1) * FW_PREFAULT_STEP - b;
    fw_prefault(base, from, to < n ? to : n);
}

/* Element i of arr (cap elements of elem bytes) is about to be written for the first time: if
 * it is the first element to reach a step, that step is faulted in. */
static inline void fw_prefault_elem(void *arr, size_t i, size_t elem, size_t cap)
{
    uintptr_t a = (uintptr_t)arr, last = a + (i + 1) * elem - 1; /* its last byte */
    if (i != 0 && (last - elem) / FW_PREFAULT_STEP == last / FW_PREFAULT_STEP)
        return; /* the element before it reached this step: done then */
    uintptr_t step = last / FW_PREFAULT_STEP * FW_PREFAULT_STEP;
    fw_prefault_step(arr, step > a ? step - a : 0, cap * elem);
}

/* arr was just moved or grown, holding i elements of elem: the rest of the step they end in,
 * which the element that began it faulted in where the array was, is faulted in here. */
static inline void fw_prefault_rest(void *arr, size_t i, size_t elem, size_t cap)
{
    fw_prefault_step(arr, i * elem, cap * elem);
}

/* Zeroed memory for tables that are read before they are written (hash buckets). calloc's
 * fresh pages map the kernel's shared zero page at the first read, and the first write to
 * each then faults again to copy it, flushing the TLB of every core the process ran on: live,
 * as tables grew, about a twentieth of fwsight's time. Faulted in and written once up front. */
static inline void *fw_zalloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = malloc(n * size != 0 ? n * size : 1);
    if (p != NULL) {
        fw_prefault(p, 0, n * size);
        memset(p, 0, n * size);
    }
    return p;
}

#endif
