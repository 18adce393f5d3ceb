/* capture/cap_writer.h: writes frames as a classic pcap file (microsecond timestamps, host
 * byte order, what Wireshark and tcpdump open), optionally gzip-compressed. Used by live
 * capture (-w) and by tests to build crafted captures. It writes what it is given: it does
 * not check or trim frames, so tests can write records that a reader must reject. */
#ifndef FW_CAP_WRITER_H
#define FW_CAP_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

struct cap_writer;

/* Whether a path asks for gzip: it ends in .gz (how users say it, for -w and the view's w). */
bool cap_writer_path_gz(const char *path);

/* Creates path (cap_out_open(): no symbolic link followed, no existing file overwritten unless
 * force) and writes the file header. NULL with err filled on failure. */
struct cap_writer *cap_writer_open(const char *path, int linktype, uint32_t snaplen, bool gzip,
                                   bool force, char err[FW_ERRLEN]);

/* Appends one record: f->caplen bytes of f->bytes, f->wirelen, f->ts_us. Buffered: a write
 * error may show only at a later call, at cap_writer_flush() or at cap_writer_close(). A plain
 * file only ever receives whole records from the buffer (a record bigger than the buffer goes
 * out in pieces, right after what came before it). */
int cap_writer_write(struct cap_writer *w, const struct frame *f, char err[FW_ERRLEN]);

/* Hands buffered records to the kernel, so that a reader sees them now (gzip: a sync flush,
 * after which a reader can decompress every record written so far). */
int cap_writer_flush(struct cap_writer *w, char err[FW_ERRLEN]);
/* Whether records were written since the last flush: a flush with nothing new costs a gzip
 * file a few bytes, so the caller's timer asks first. */
bool cap_writer_pending(const struct cap_writer *w);

/* The file's descriptor, for the owner it is handed to before a privilege drop (cap_priv.h). */
int cap_writer_fd(const struct cap_writer *w);
/* Whether cap_writer_open() created the file, rather than overwrite one with force: only a
 * file it created may be given away (--force over /etc/something must not hand that name to
 * nobody). */
bool cap_writer_created(const struct cap_writer *w);

/* Flushes, closes and frees; returns the first write error seen (e.g. "No space left on
 * device"), so that the caller can say the capture is incomplete. NULL does nothing. */
int cap_writer_close(struct cap_writer *w, char err[FW_ERRLEN]);

#endif
