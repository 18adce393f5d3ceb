/* ui/live_stream.h: the streaming text of a live run (when stdout is no terminal, or with
 * --no-ui): one line per attempt on the profile's ports as its connection ends, one line per
 * verdict that appears or changes, and a status line with the capture's drop counters. The
 * lines are in time order: each is stamped with the time it became known, on the clock the
 * caller passes (the analyzer's), never earlier than the line before. Whoever
 * sends the packets must not decide how much is written: each second, a cell (from, to,
 * protocol, port) gets at most LIVE_CELL_LINES attempt lines and the stream LIVE_SECOND_LINES;
 * the rest are counted, and said in one line per cell when the second is over ("tcp 6320
 * 198.51.100.10 -> 203.0.113.20: 9,874 more attempts this second"). It reads the analysis
 * through const records and writes into a live_out queue; the loop, the capture and the final
 * report are others'. */
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
#include "live_out.h"

#define LIVE_CELL_LINES 3     /* attempt lines per cell and second: enough to see it happen */
#define LIVE_SECOND_LINES 50  /* attempt lines per second in all */
#define LIVE_FLOOD_CELLS 256  /* cells counted per second; attempts beyond: "other cells" */
#define LIVE_FLOOD_SAY 16     /* summary lines per second; the rest in one more line */

struct live_seen; /* private: the last verdict printed per (from, to, proto, port) */
struct live_flood_cell; /* private: this second's attempts of one cell */

struct live_stream {
    struct live_out *out;       /* borrowed */
    const struct profile *prof; /* borrowed: which ports make an attempt worth a line */
    struct live_seen *seen;     /* open-addressing table, power-of-two size */
    size_t nseen, cap;
    struct siphash_key key;     /* the table's hash key: the caller's, set after init */
    bool failed;                /* out of memory: verdict changes are no longer printed */
    uint32_t settles;           /* the collector's settles at the last look: items judged
                                 * no later are as they were then */
    struct live_flood_cell *flood; /* LIVE_FLOOD_CELLS slots, this second's; NULL: no memory */
    uint64_t clock_us;          /* the latest time given: every line's stamp */
    uint64_t second;            /* the second the counts are for (UTC seconds; 0: none yet) */
    uint32_t second_lines;      /* attempt lines written in it */
    uint64_t other_more;        /* attempts not written in it, of cells the table had no room for */
    uint64_t summarised;        /* attempts said only in summaries, over the run */
};

/* The key of s's table (s->key) is the caller's to set after it: zero until then. */
void live_stream_init(struct live_stream *s, struct live_out *out, const struct profile *prof);
void live_stream_fini(struct live_stream *s);

/* Each call below takes the time now_us on the caller's clock, which should only go forward
 * (an earlier one counts as the latest given); when it starts a new second, the summary lines
 * of the second that ended come first. */

/* A finished connection, ended by now_us: a line if it holds an attempt (TCP SYN, UDP
 * request, ICMP echo) on a port of the profile, within the limits of the current second. The
 * line says when the connection began. */
void live_stream_conn(struct live_stream *s, const struct conn_record *r, uint64_t now_us);

/* The clock moved: called at every wake-up, and with UINT64_MAX at the end of the run (the
 * summaries of the last second, however far it got). */
void live_stream_tick(struct live_stream *s, uint64_t now_us);

/* Lines for the verdicts that appeared (other than UNTESTED) or changed since the last call. */
void live_stream_verdicts(struct live_stream *s, const struct verdict_collector *vc,
                          uint64_t now_us);

/* "HH:MM:SS status: N packets captured, K dropped by the kernel, I by the interface". */
void live_stream_status(struct live_stream *s, uint64_t now_us, uint64_t packets,
                        uint64_t kernel_drops, uint64_t if_drops);

#endif
