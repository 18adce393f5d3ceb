/* capture/cap_gunzip.h: a gzip stream inflated by a thread of its own, a few blocks ahead of
 * its reader. Inflating takes as long as the analysis of what it yields or longer (zlib makes
 * about 300 to 400 MB/s here), so on a machine with a second core a .gz capture is read in
 * about the time of whichever of the two is slower, not of both; allowed one CPU only, it
 * inflates as it reads, without a thread. The reader (cap_input.c) copies the blocks out;
 * nothing else of the thread shows. Private to capture/. */
#ifndef FW_CAP_GUNZIP_H
#define FW_CAP_GUNZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct cap_gunzip;

/* Starts inflating: the compressed stream is the n bytes at first (already read; the buffer,
 * of cap bytes, is taken over) followed by what fd yields. On failure returns a negative FW_E*
 * with detail filled; first is freed either way, fd stays the caller's. */
int cap_gunzip_start(struct cap_gunzip **out, int fd, uint8_t *first, size_t n, size_t cap,
                     char detail[FW_ERRLEN]);

/* Copies at most room (> 0) inflated bytes to dst, waiting for them, and says how many in
 * *got. 0 with *got == 0: the stream ended, *truncated telling whether it was cut before its
 * end marker. Negative FW_E* with detail filled, once every byte inflated before the trouble
 * was taken: FW_EFORMAT (the data is corrupt), FW_EIO (a read failed), FW_ENOMEM. */
int cap_gunzip_read(struct cap_gunzip *g, uint8_t *dst, size_t room, size_t *got,
                    bool *truncated, char detail[FW_ERRLEN]);

/* Stops the thread (at once, even while it waits on a pipe that sends nothing) and frees
 * everything. */
void cap_gunzip_stop(struct cap_gunzip *g);

#endif
