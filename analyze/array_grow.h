/* analyze/array_grow.h: arrays that grow while a capture is read (the verdict tables), moved
 * without copying a byte. realloc copied each doubling into fresh memory (on the bench's fw 1M
 * file about a twentieth of the time, in memcpy and in the faults of the copy's pages); here an
 * array of 2 MiB or more is a mapping of its own, aligned for huge pages (common/mem.h), and
 * mremap(2) moves its pages: the page tables change, not the bytes. */
#ifndef FW_ARRAY_GROW_H
#define FW_ARRAY_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Below this, an array is in the heap: realloc copies little, and moving pages would cost the
 * other cores' TLBs a flush for less. An array of n bytes is mapped if n is at least this. */
#define ARRAY_MAPPED_FROM ((size_t)2 << 20)

/* The length mapped for an array of n bytes (n at least ARRAY_MAPPED_FROM): whole 2 MiB. */
size_t array_mapped_len(size_t n);

/* Grows *arr, an array of from bytes made here (NULL and 0 at first), to hold to bytes, its
 * contents kept, its address possibly changed, what lies past from undefined. False, changing
 * nothing, when no memory can be had. Under AddressSanitizer what is mapped past a mapped
 * array is poisoned: reading or writing past it is caught as past a malloc'd block. */
bool array_grow(void **arr, size_t from, size_t to);

/* Gives back an array of n bytes made by array_grow(); NULL: nothing. */
void array_free(void *arr, size_t n);

#endif
