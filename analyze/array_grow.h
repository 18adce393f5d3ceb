/* analyze/array_grow.h: arrays that grow while a capture is read (the verdict tables), moved
 * without copying a byte. realloc copied each doubling into fresh memory (on the bench's fw 1M
 * file about a twentieth of the time, in memcpy and in the faults of the copy's pages); here an
 * array is a mapping of its own, and mremap(2) moves its pages: the page tables change, not the
 * bytes, and from 2 MiB on, aligned, it keeps its huge pages (common/mem.h). */
#ifndef FW_ARRAY_GROW_H
#define FW_ARRAY_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* The length mapped for an array of n bytes (n > 0): whole pages, whole 2 MiB from 2 MiB on. */
size_t array_mapped_len(size_t n);

/* Grows *arr, an array of from bytes made here (NULL and 0 at first), to hold to bytes, its
 * contents kept, its address possibly changed, the bytes past from zero. False, changing
 * nothing, when no memory can be had. Under AddressSanitizer what is mapped past to is
 * poisoned: reading or writing past the array is caught as in a malloc'd block. */
bool array_grow(void **arr, size_t from, size_t to);

/* Gives back an array of n bytes made by array_grow(); NULL: nothing. */
void array_free(void *arr, size_t n);

#endif
