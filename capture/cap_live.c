/* capture/cap_live.c: live capture through libpcap (see cap_live.h). The only file that sees
 * pcap_t: it opens and activates the device, turns libpcap's records into struct frame and
 * its DLT_* values into FW_LINKTYPE_*, and reads the kernel's drop counters. It never waits
 * (the caller's poll() does, so one thread serves the capture, the keyboard and the probes),
 * except for the last block at the end of a capture (cap_live_dispatch_rest). */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cap_live.h"

struct cap_live {
    pcap_t *p;
    char iface[64];
    int linktype;
    uint32_t snaplen;
    uint32_t timeout_ms; /* the buffer timeout; 0 in immediate mode */
    uint64_t frames;
    struct cap_live_stats last; /* kernel counters of the last pcap_stats() that worked */
    frame_sink_fn sink;         /* of the dispatch in progress */
    void *sink_ctx;
};

/* libpcap hands DLT_* values, files store LINKTYPE_* ones: they differ for raw IP (DLT_RAW is
 * 12 or 14 depending on the platform) and OpenBSD loopback; the others fwsight reads share
 * their numbers. */
static int live_linktype_of(int dlt)
{
    switch (dlt) {
    case DLT_RAW: return FW_LINKTYPE_RAW;
#ifdef DLT_LOOP
    case DLT_LOOP: return FW_LINKTYPE_LOOP;
#endif
    default: return dlt;
    }
}

/* The words a user can act on, for the statuses that need no libpcap text to be understood. */
static void live_activate_error(const struct cap_live_opts *o, pcap_t *p, int rc,
                                char err[FW_ERRLEN])
{
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE:
        snprintf(err, FW_ERRLEN, "%s: no such interface (see 'ip link')", o->iface);
        break;
    case PCAP_ERROR_PERM_DENIED:
        snprintf(err, FW_ERRLEN, "%s: permission denied: capturing needs root, or "
                 "CAP_NET_RAW and CAP_NET_ADMIN on the fwsight binary (%s)", o->iface,
                 pcap_geterr(p));
        break;
    case PCAP_ERROR_IFACE_NOT_UP:
        snprintf(err, FW_ERRLEN, "%s: the interface is down (ip link set %s up)", o->iface,
                 o->iface);
        break;
    default:
        snprintf(err, FW_ERRLEN, "%s: cannot capture: %s (%s)", o->iface,
                 pcap_statustostr(rc), pcap_geterr(p));
        break;
    }
}

/* pcap_set_*() fail only on an already activated handle or a bad value: check them anyway. */
static int live_configure(const struct cap_live_opts *o, pcap_t *p, char err[FW_ERRLEN])
{
    const char *what = NULL;
    uint32_t snaplen = o->snaplen != 0 ? o->snaplen : CAP_LIVE_DEFAULT_SNAPLEN;
    uint32_t kib = o->buffer_kib != 0 ? o->buffer_kib : CAP_LIVE_DEFAULT_BUFFER_KIB;
    uint32_t tmo = o->timeout_ms != 0 ? o->timeout_ms : CAP_LIVE_DEFAULT_TIMEOUT_MS;
    if (snaplen > 262144 || kib > 1024u * 1024u || tmo > 60000) {
        snprintf(err, FW_ERRLEN, "%s: snap length %u, buffer %u KiB or timeout %u ms out of "
                 "range", o->iface, snaplen, kib, tmo);
        return FW_EUSAGE;
    }
    if (pcap_set_snaplen(p, (int)snaplen) != 0)
        what = "snap length";
    else if (pcap_set_promisc(p, 0) != 0)
        what = "promiscuous mode";
    else if (pcap_set_timeout(p, (int)tmo) != 0)
        what = "timeout";
    else if (pcap_set_immediate_mode(p, o->immediate ? 1 : 0) != 0)
        what = "immediate mode";
    else if (pcap_set_buffer_size(p, (int)(kib * 1024u)) != 0)
        what = "buffer size";
    if (what != NULL) {
        snprintf(err, FW_ERRLEN, "%s: cannot set the %s", o->iface, what);
        return FW_EUSAGE;
    }
    return 0;
}

static int live_set_filter(const struct cap_live_opts *o, pcap_t *p, char err[FW_ERRLEN])
{
    struct bpf_program prog;
    if (o->filter == NULL || o->filter[0] == '\0')
        return 0;
    if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, FW_ERRLEN, "bad capture filter: %s (filter: %s)", pcap_geterr(p),
                 o->filter);
        return FW_EUSAGE;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        snprintf(err, FW_ERRLEN, "%s: cannot install the capture filter: %s", o->iface,
                 pcap_geterr(p));
        return FW_EIO;
    }
    return 0;
}

int cap_live_check_filter(const char *filter, char err[FW_ERRLEN])
{
    struct bpf_program prog;
    pcap_t *p = pcap_open_dead(DLT_EN10MB, (int)CAP_LIVE_DEFAULT_SNAPLEN);
    if (p == NULL) {
        snprintf(err, FW_ERRLEN, "out of memory");
        return FW_ENOMEM;
    }
    int rc = 0;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, FW_ERRLEN, "bad capture filter: %s (filter: %s)", pcap_geterr(p), filter);
        rc = FW_EUSAGE;
    } else {
        pcap_freecode(&prog);
    }
    pcap_close(p);
    return rc;
}

struct cap_live *cap_live_open(const struct cap_live_opts *o, char warn[FW_ERRLEN],
                               char err[FW_ERRLEN])
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    struct cap_live *c = calloc(1, sizeof *c);
    warn[0] = '\0';
    if (c == NULL) {
        snprintf(err, FW_ERRLEN, "out of memory");
        return NULL;
    }
    if (o->iface == NULL || o->iface[0] == '\0' || strlen(o->iface) >= sizeof c->iface) {
        snprintf(err, FW_ERRLEN, "which interface? give a name from 'ip link', or any");
        goto fail;
    }
    snprintf(c->iface, sizeof c->iface, "%s", o->iface);
    c->p = pcap_create(o->iface, perr);
    if (c->p == NULL) {
        snprintf(err, FW_ERRLEN, "%s: %s", o->iface, perr);
        goto fail;
    }
    if (live_configure(o, c->p, err) != 0)
        goto fail;
    int rc = pcap_activate(c->p);
    if (rc < 0) {
        live_activate_error(o, c->p, rc, err);
        goto fail;
    }
    if (rc > 0)
        snprintf(warn, FW_ERRLEN, "%s: %s (%s)", o->iface, pcap_statustostr(rc),
                 pcap_geterr(c->p));
    if (live_set_filter(o, c->p, err) != 0)
        goto fail;
    if (pcap_setnonblock(c->p, 1, perr) != 0) {
        snprintf(err, FW_ERRLEN, "%s: cannot read without blocking: %s", o->iface, perr);
        goto fail;
    }
    c->linktype = live_linktype_of(pcap_datalink(c->p));
    int snap = pcap_snapshot(c->p);
    c->snaplen = snap > 0 ? (uint32_t)snap : CAP_LIVE_DEFAULT_SNAPLEN;
    c->timeout_ms = o->immediate ? 0
                    : o->timeout_ms != 0 ? o->timeout_ms : CAP_LIVE_DEFAULT_TIMEOUT_MS;
    return c;

fail:
    if (c->p != NULL)
        pcap_close(c->p);
    free(c);
    return NULL;
}

int cap_live_fd(const struct cap_live *c)
{
    return pcap_get_selectable_fd(c->p);
}

int cap_live_linktype(const struct cap_live *c)
{
    return c->linktype;
}

uint32_t cap_live_snaplen(const struct cap_live *c)
{
    return c->snaplen;
}

const char *cap_live_iface(const struct cap_live *c)
{
    return c->iface;
}

static void live_handler(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct cap_live *c = (struct cap_live *)user;
    struct frame f = {
        .bytes = bytes,
        .caplen = h->caplen,
        .wirelen = h->len,
        /* pcap's default precision is microseconds, on CLOCK_REALTIME like gettimeofday(). */
        .ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec,
        .number = ++c->frames,
        .linktype = c->linktype,
        .vantage = 0,
    };
    c->sink(c->sink_ctx, &f);
}

int cap_live_dispatch(struct cap_live *c, int max, frame_sink_fn sink, void *ctx,
                      char err[FW_ERRLEN])
{
    c->sink = sink;
    c->sink_ctx = ctx;
    int n = pcap_dispatch(c->p, max > 0 ? max : -1, live_handler, (u_char *)c);
    if (n >= 0)
        return n;
    if (n == PCAP_ERROR_IFACE_NOT_UP)
        snprintf(err, FW_ERRLEN, "%s: the interface went down during the capture (%s)",
                 c->iface, pcap_geterr(c->p));
    else
        snprintf(err, FW_ERRLEN, "%s: the capture failed: %s", c->iface, pcap_geterr(c->p));
    return FW_EIO;
}

static uint64_t live_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Whether the kernel queued frames not handed over yet: it counts every packet the filter
 * passed (ps_recv, drops included). Packets queued before the filter was installed and then
 * refused by libpcap count too: they only make the caller wait its bound. */
static bool live_kernel_holds_more(struct cap_live *c)
{
    struct pcap_stat ps;
    if (pcap_stats(c->p, &ps) != 0)
        return false;
    c->last.received = ps.ps_recv;
    c->last.kernel_drops = ps.ps_drop;
    c->last.if_drops = ps.ps_ifdrop;
    /* 32-bit counters in libpcap: compare what they can tell, modulo 2^32 */
    uint32_t queued = ps.ps_recv - ps.ps_drop, got = (uint32_t)c->frames;
    return (int32_t)(queued - got) > 0;
}

int cap_live_dispatch_rest(struct cap_live *c, frame_sink_fn sink, void *ctx,
                           char err[FW_ERRLEN])
{
    uint64_t end_ms = live_mono_ms() + 2u * c->timeout_ms + 50u;
    int total = 0;
    for (;;) {
        /* bounded, so that a flood cannot keep the end from coming */
        int n = cap_live_dispatch(c, 65536, sink, ctx, err);
        if (n < 0)
            return n;
        total += n;
        if (c->timeout_ms == 0 || !live_kernel_holds_more(c))
            break;
        uint64_t now = live_mono_ms();
        if (now >= end_ms)
            break;
        struct pollfd pfd = {.fd = pcap_get_selectable_fd(c->p), .events = POLLIN};
        if (pfd.fd < 0 || (poll(&pfd, 1, (int)(end_ms - now)) < 0 && errno != EINTR))
            break;
    }
    return total;
}

void cap_live_stats(struct cap_live *c, struct cap_live_stats *out)
{
    struct pcap_stat ps;
    if (pcap_stats(c->p, &ps) == 0) {
        c->last.received = ps.ps_recv;
        c->last.kernel_drops = ps.ps_drop;
        c->last.if_drops = ps.ps_ifdrop;
    }
    *out = c->last;
    out->frames = c->frames;
}

void cap_live_close(struct cap_live *c)
{
    if (c == NULL)
        return;
    pcap_close(c->p);
    free(c);
}
