/* capture/frame.h: what every frame source (a file, stdin, an interface, the far side's
 * capture) hands to the analysis. Plain C types only: analyze/ includes this header and
 * nothing else of capture/, so it never sees libpcap or zlib. The error codes and the link
 * types it uses are common/'s. */
#ifndef FW_FRAME_H
#define FW_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "common/fw_err.h"
#include "common/linktype.h"

struct frame {
    const uint8_t *bytes; /* borrowed: valid only during the callback */
    uint32_t caplen;      /* bytes captured; every read is checked against it */
    uint32_t wirelen;     /* length on the wire, may exceed caplen */
    uint64_t ts_us;       /* capture time, microseconds since the Unix epoch (UTC) */
    uint64_t number;      /* 1-based frame number in its source, for evidence */
    int linktype;         /* FW_LINKTYPE_* of the source (per interface for pcapng) */
    int vantage;          /* which capture it came from (0 or 1) */
};

typedef void (*frame_sink_fn)(void *ctx, const struct frame *f);

#endif
