/* ui/connlog.h: writes finished connections as Zeek's conn.log, one record at a time: the
 * TSV format with Zeek's header lines (for zeek-cut and log tooling) or JSON lines with Zeek's
 * field names (as Zeek's JSON logs). Records are written as they come and never kept, so a
 * capture of any size costs the same memory. Opening and closing the file is the caller's. */
#ifndef FW_CONNLOG_H
#define FW_CONNLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/conn.h"

enum connlog_format { CONNLOG_TSV, CONNLOG_JSON };

struct connlog {
    FILE *out;                /* borrowed */
    enum connlog_format format;
    bool header_written;
    uint64_t records;
    int error;                /* errno of the first write that failed; then nothing more */
    bool error_told;          /* the caller has said it (the log may be shared by two runs) */
};

void connlog_init(struct connlog *l, FILE *out, enum connlog_format format);

/* open_ts_us: the capture's first frame time, for the #open line, which Zeek writes when the
 * log opens; taken from the capture, never the wall clock, so that a file gives the same log on
 * every run. The header is written before the first record, or by connlog_fini if none came.
 * Returns 0, or FW_EIO from the write that first fails (disk full: l->error has its errno, to
 * be said at once) and at every call after it, which writes nothing more. */
int connlog_write(struct connlog *l, const struct conn_record *r, uint64_t open_ts_us);

/* Writes what is still due (header, #close with the capture's last frame time) and flushes.
 * Returns 0, or FW_EIO if anything could not be written (disk full...). */
int connlog_fini(struct connlog *l, uint64_t open_ts_us, uint64_t close_ts_us);

/* Zeek's time format: seconds with six decimals ("1128727435.633408"). buf >= 32 bytes. */
const char *connlog_format_time(uint64_t us, char *buf, size_t len);

#endif
