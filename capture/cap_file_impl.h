/* capture/cap_file_impl.h: what the two halves of the capture-file reader share: the reader's
 * state, byte-order-aware loads and the helpers that check records and word errors.
 * cap_file.c owns the public API and pcap; cap_pcapng.c parses pcapng. Private to capture/. */
#ifndef FW_CAP_FILE_IMPL_H
#define FW_CAP_FILE_IMPL_H

#include "cap_dedup.h"
#include "cap_file.h"
#include "cap_input.h"

/* Beyond this a captured length is not a packet but a lost frame boundary (libpcap's own
 * maximum snapshot length is 256 KiB). */
#define CAP_FILE_MAX_PACKET (256u * 1024u)

struct ng_iface {
    int linktype;
    uint32_t snaplen;
    uint64_t units_per_s; /* timestamp ticks per second: 10^n or 2^n */
    int64_t offset_s;     /* if_tsoffset: added to every timestamp */
    uint64_t if_drops, os_drops; /* its last ISB's isb_ifdrop, isb_osdrop (0: none yet) */
};

struct cap_file {
    struct cap_input in;
    char *path;
    const char *name; /* path, or "stdin" for "-": what messages call the file */
    int vantage;
    bool pcapng;
    bool big;  /* the file (or current section) is big-endian */
    bool nsec; /* pcap with nanosecond timestamps */
    bool at_packet; /* the record being read is a packet: errors name its number */
    int linktype;   /* pcap: of the file */
    uint32_t snaplen;
    struct ng_iface *ifaces;
    size_t n_ifaces, cap_ifaces;
    uint64_t number; /* records consumed so far, skipped ones included */
    uint64_t last_ts_us;
    struct cap_dedup dedup; /* pcapng: copies of one packet, see cap_dedup.h */
    struct cap_file_info info;
    char warning[FW_ERRLEN];
};

static inline uint16_t rd16(const struct cap_file *cf, const uint8_t *p)
{
    if (cf->big)
        return (uint16_t)(p[0] << 8 | p[1]);
    return (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t rd32(const struct cap_file *cf, const uint8_t *p)
{
    if (cf->big)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

__attribute__((format(printf, 4, 5)))
int cap_file_fail(const struct cap_file *cf, char err[FW_ERRLEN], int code, const char *fmt, ...);
const char *cap_file_where(const struct cap_file *cf, char buf[96]);
int cap_file_need(struct cap_file *cf, size_t n, const char *what, char err[FW_ERRLEN]);
bool cap_file_is_bad(struct cap_file *cf, uint32_t caplen, uint32_t wirelen, uint32_t snaplen);
void cap_file_deliver(struct cap_file *cf, struct frame *out, const uint8_t *bytes,
                      uint32_t caplen, uint32_t wirelen, uint64_t ts_us, int linktype);

/* pcapng: reads the section header and on to the first interface; then one frame a call. */
int cap_pcapng_open(struct cap_file *cf, char err[FW_ERRLEN]);
int cap_pcapng_next(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN]);

#endif
