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

/* x rounded up to a multiple of a (a power of two). */
static inline uintptr_t fw_align_up(uintptr_t x, uintptr_t a)
{
    return (x + a - 1) & ~(a - 1);
}

/* Faults in the pages wholly inside [base + from, base + to), writable. */
static inline void fw_prefault(void *base, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t pg = (uintptr_t)getpagesize();
    uintptr_t a = fw_align_up((uintptr_t)base + from, pg);
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
 * not on the array's start, so that none splits a page. Inside an aligned 2 MiB block that
 * asks for a huge page (fw_huge) the first step brings the whole block. */
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

/* Tables read at random over megabytes (the flow pool, the verdict cells and their hash
 * buckets) ask for 2 MiB huge pages (transparent huge pages, where the system gives them on
 * request): with 4 KiB pages nearly every lookup in them also missed the TLB. Only the aligned
 * 2 MiB blocks inside [p, p + n) can be one; an array that small keeps its small pages. */
#define FW_HUGE_PAGE ((uintptr_t)2 << 20)

static inline void fw_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = fw_align_up((uintptr_t)p, FW_HUGE_PAGE);
    uintptr_t b = ((uintptr_t)p + n) & ~(FW_HUGE_PAGE - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE); /* refused (THP off): small pages */
#else
    (void)p, (void)n;
#endif
}

/* The aligned n bytes (a multiple of 2 MiB) inside a fresh mapping of n + 2 MiB at p; the rest
 * is given back. */
static inline void *fw_huge_trim(char *p, size_t n)
{
    char *c = (char *)fw_align_up((uintptr_t)p, FW_HUGE_PAGE);
    if (c > p)
        (void)munmap(p, (size_t)(c - p));
    if (c + n < p + n + FW_HUGE_PAGE)
        (void)munmap(c + n, (size_t)(p + n + FW_HUGE_PAGE - (c + n)));
    return c;
}

/* n bytes (a multiple of 2 MiB) of zeroed memory, mapped on a 2 MiB boundary so that huge pages
 * can map all of it; NULL when none can be mapped. Recent kernels align a mapping of that size
 * already; else 2 MiB more is mapped and trimmed around it. */
static inline void *fw_huge_map_len(size_t n)
{
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (fw_align_up((uintptr_t)p, FW_HUGE_PAGE) == (uintptr_t)p)
        return p;
    (void)munmap(p, n);
    p = mmap(NULL, n + FW_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : fw_huge_trim(p, n);
}

/* 2 MiB, asked for as one huge page and faulted in (flow_table.c's chunks). Given back with
 * fw_huge_unmap(). */
static inline void *fw_huge_map(void)
{
    void *p = fw_huge_map_len(FW_HUGE_PAGE);
    if (p != NULL) {
        fw_huge(p, FW_HUGE_PAGE);
        fw_prefault(p, 0, FW_HUGE_PAGE);
    }
    return p;
}

static inline void fw_huge_unmap(void *p)
{
    if (p != NULL)
        (void)munmap(p, FW_HUGE_PAGE);
}

/* Zeroed memory for tables that are read before they are written (hash buckets). calloc's
 * fresh pages map the kernel's shared zero page at the first read, and the first write to
 * each then faults again to copy it, flushing the TLB of every core the process ran on: live,
 * as tables grew, about a twentieth of fwsight's time. Faulted in and written once up front. */
static inline void *fw_zalloc(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - FW_HUGE_PAGE) / size)
        return NULL;
    size_t bytes = n * size, huge = fw_align_up(bytes, FW_HUGE_PAGE);
    /* From 2 MiB on, aligned on a huge page, so that all of it can be in them. */
    void *p = bytes >= FW_HUGE_PAGE ? aligned_alloc(FW_HUGE_PAGE, huge)
                                    : malloc(bytes != 0 ? bytes : 1);
    if (p != NULL) {
        fw_huge(p, bytes);
        fw_prefault(p, 0, bytes);
        memset(p, 0, bytes);
    }
    return p;
}

#endif
