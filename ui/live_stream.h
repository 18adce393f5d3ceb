/* ui/live_stream.h: the streaming text of a live run (when stdout is no terminal, or with
 * --no-ui): one line per attempt on the profile's ports as its connection ends, one line per
 * verdict that appears or changes, and a status line with the capture's drop counters. It reads
 * the analysis through const records; the loop, the capture and the final report are others'. */
#ifndef FW_LIVE_STREAM_H
#define FW_LIVE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/conn.h"
#include "analyze/profile.h"
#include "analyze/siphash.h"
#include "analyze/verdict.h"

struct live_seen; /* private: the last verdict printed per (from, to, proto, port) */

struct live_stream {
    FILE *out;
    const struct profile *prof; /* borrowed: which ports make an attempt worth a line */
    struct live_seen *seen;     /* open-addressing table, power-of-two size */
    size_t nseen, cap;
    struct siphash_key key;     /* the table's hash key: random per stream (live_stream.c) */
    bool failed;                /* out of memory: verdict changes are no longer printed */
};

void live_stream_init(struct live_stream *s, FILE *out, const struct profile *prof);
void live_stream_fini(struct live_stream *s);

/* A finished connection: a line if it holds an attempt (TCP SYN, UDP request, ICMP echo) on a
 * port of the profile. */
void live_stream_conn(struct live_stream *s, const struct conn_record *r);

/* Lines for the verdicts that appeared (other than UNTESTED) or changed since the last call. */
void live_stream_verdicts(struct live_stream *s, const struct verdict_collector *vc,
                          uint64_t now_us);

/* "HH:MM:SS status: N packets captured, K dropped by the kernel, I by the interface". */
void live_stream_status(struct live_stream *s, uint64_t now_us, uint64_t packets,
                        uint64_t kernel_drops, uint64_t if_drops);

#endif
