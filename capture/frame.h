/* capture/frame.h: what every frame source (a file, stdin, an interface, the far side's
 * capture) hands to the analysis. Plain C types only: analyze/ includes this header and
 * nothing else of capture/, so it never sees libpcap or zlib. */
#ifndef FW_FRAME_H
#define FW_FRAME_H

#include <stdbool.h>
#include <stdint.h>

/* Size of the error buffers that library calls fill, the libpcap way. */
#define FW_ERRLEN 512

/* Return codes: 0 or one of these (negative). */
enum {
    FW_EIO = -1,          /* read or write failed (errno-level trouble) */
    FW_EFORMAT = -2,      /* the bytes are not what they claim to be */
    FW_ETRUNC = -3,       /* input ended in the middle of a record */
    FW_ENOMEM = -4,       /* an allocation failed */
    FW_EUNSUPPORTED = -5, /* valid input we do not handle (e.g. a link type) */
    FW_EUSAGE = -6,       /* the caller asked for something impossible */
};

/* Link types as stored in pcap and pcapng files (LINKTYPE_*, www.tcpdump.org/linktypes.html).
 * Live sources convert libpcap's DLT_* values to these before handing frames over. */
enum {
    FW_LINKTYPE_NULL = 0,        /* BSD loopback: 4-byte address family, host byte order */
    FW_LINKTYPE_ETHERNET = 1,
    FW_LINKTYPE_PPP = 9,
    FW_LINKTYPE_RAW = 101,       /* raw IPv4 or IPv6, version nibble decides */
    FW_LINKTYPE_LOOP = 108,      /* OpenBSD loopback: address family in network byte order */
    FW_LINKTYPE_LINUX_SLL = 113,
    FW_LINKTYPE_IEEE802_11 = 105,
    FW_LINKTYPE_IEEE802_11_RADIOTAP = 127,
    FW_LINKTYPE_IPV4 = 228,
    FW_LINKTYPE_IPV6 = 229,
    FW_LINKTYPE_LINUX_SLL2 = 276,
};

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
