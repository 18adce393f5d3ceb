/* capture/cap_live.h: frames from a network interface through libpcap. It opens the device
 * (pcap_create, every pcap_set_* checked, a buffer timeout or immediate mode, a settable kernel
 * buffer), installs a BPF filter, and hands frames to a frame_sink_fn without ever blocking,
 * with their link type
 * converted to FW_LINKTYPE_*, so that the analyzer sees them exactly as it sees a file's.
 * Waiting is left to the caller: it polls cap_live_fd() (with its other fds) and calls
 * cap_live_dispatch() after every wake-up. Building the filter from a profile, dropping
 * privileges (cap_priv.h) and saving frames (cap_writer.h) are left to others. */
#ifndef FW_CAP_LIVE_H
#define FW_CAP_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

struct cap_live;

struct cap_live_opts {
    const char *iface;     /* "eth0", or "any" (Linux cooked capture of every interface) */
    const char *filter;    /* BPF expression; NULL or "" takes everything */
    uint32_t snaplen;      /* bytes kept per packet; 0: CAP_LIVE_DEFAULT_SNAPLEN */
    uint32_t buffer_kib;   /* kernel buffer; 0: CAP_LIVE_DEFAULT_BUFFER_KIB */
    bool immediate;        /* every frame handed over as it comes, one wake-up each (the
                            * probes of `fwsight test`, -U): else in blocks, see below */
    uint32_t timeout_ms;   /* the buffer timeout; 0: CAP_LIVE_DEFAULT_TIMEOUT_MS */
};

/* Without immediate mode (TPACKET_V3 on Linux) the kernel fills blocks of frames and hands one
 * over when it is full or when its timer fires, every timeout_ms: a frame waits at most about
 * twice that, and a busy link costs one wake-up a block, not one a frame (bench/live_bench.sh
 * measures both). 100 ms leaves most of the second a verdict may take to show. */
#define CAP_LIVE_DEFAULT_TIMEOUT_MS 100u

/* Enough for every header fwsight decodes and the endpoint mapper's replies on TCP 135, and
 * small on purpose: in immediate mode the kernel ring has one slot of about snaplen bytes per
 * packet, so 65535 would leave a 16 MiB buffer 250 slots, and a scheduling hiccup at 100k
 * packets/s becomes kernel drops (bench/live_bench.sh). 2 KiB gives about 8000 slots. (Blocks
 * hold frames at their captured length, so there it only bounds the largest.) */
#define CAP_LIVE_DEFAULT_SNAPLEN 2048u
/* Four times libpcap's default: a replication server's bursts must not become kernel drops. */
#define CAP_LIVE_DEFAULT_BUFFER_KIB 16384u

struct cap_live_stats {
    uint64_t frames;       /* frames handed to the sink */
    uint64_t received;     /* pcap_stats ps_recv: packets that passed the filter */
    uint64_t kernel_drops; /* ps_drop: no room in the buffer */
    uint64_t if_drops;     /* ps_ifdrop: dropped by the interface or its driver */
};

/* Opens and activates the device and installs the filter. NULL with err filled on failure
 * ("eth9: no such interface", "eth0: permission denied (needs root or CAP_NET_RAW)",
 * "bad filter '...': ..."). A warning from pcap_activate (e.g. promiscuous mode not
 * supported) goes into warn ("" if none): the capture works, the user should know. */
struct cap_live *cap_live_open(const struct cap_live_opts *o, char warn[FW_ERRLEN],
                               char err[FW_ERRLEN]);

/* Checks that filter compiles (for Ethernet), without a device or privileges, so that a typo
 * is a usage error found before anything is opened. 0, or FW_EUSAGE with err filled. */
int cap_live_check_filter(const char *filter, char err[FW_ERRLEN]);

/* A file descriptor that becomes readable when frames may be waiting; -1 if the platform has
 * none (then poll with a short timeout: cap_live_dispatch() never blocks anyway). */
int cap_live_fd(const struct cap_live *c);

/* FW_LINKTYPE_* of the frames, and the snap length in effect (for cap_writer_open). */
int cap_live_linktype(const struct cap_live *c);
uint32_t cap_live_snaplen(const struct cap_live *c);
const char *cap_live_iface(const struct cap_live *c);

/* Hands every frame already waiting (up to max, 0: no limit beyond one buffer) to sink,
 * numbered from 1 in capture order; never blocks. Returns how many, or FW_EIO with err
 * when the capture broke ("eth0: the interface went down", "...disappeared"): frames before
 * it were delivered. */
int cap_live_dispatch(struct cap_live *c, int max, frame_sink_fn sink, void *ctx,
                      char err[FW_ERRLEN]);

/* At the end of a capture: the frames the kernel still holds in a block not handed over yet
 * are waited for (its timer hands it over within two timeouts; the kernel's counters tell
 * whether any is left) and handed to sink, as cap_live_dispatch() does. Returns how many, or
 * FW_EIO with err filled. Waits at most 2 * timeout_ms + 50 ms, none in immediate mode. */
int cap_live_dispatch_rest(struct cap_live *c, frame_sink_fn sink, void *ctx,
                           char err[FW_ERRLEN]);

/* Counters so far; the kernel's are those of the last successful pcap_stats() call (it may
 * fail once the interface is gone: the last good values stay). */
void cap_live_stats(struct cap_live *c, struct cap_live_stats *out);

/* NULL does nothing. */
void cap_live_close(struct cap_live *c);

#endif
