/* app/live_filter.c: the capture filter made from a profile (see live_filter.h).
 *
 * IPv6 limit, on purpose: libpcap's tcp[] offsets apply to IPv4 only, and the TCP header of an
 * IPv6 packet is at a fixed offset only when no extension header comes first. The filter reads
 * the flags at ip6[53] (40 bytes of IPv6 header + 13) when the next header is TCP (ip6[6] == 6);
 * IPv6 TCP behind extension headers is missed, except on the ports taken whole. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_filter.h"

struct sbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void sbuf_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s != NULL ? b->s + b->len : NULL, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* "port 6320 or portrange 135-139 ..." for the entries whose protocols include proto (and, for
 * rpc != PROFILE_RPC_NONE, only those of that kind). Returns how many ports clauses it wrote. */
static int filter_ports(struct sbuf *b, const struct profile *p, unsigned proto, bool mapper)
{
    int n = 0;
    for (size_t i = 0; i < p->n_entries; i++) {
        const struct profile_entry *e = &p->entries[i];
        if (!(e->protos & proto) || (mapper && e->rpc != PROFILE_RPC_MAPPER))
            continue;
        for (size_t r = 0; r < e->n_ranges; r++) {
            const struct profile_range *pr = &e->ranges[r];
            if (pr->lo == pr->hi)
                sbuf_add(b, "%sport %u", n > 0 ? " or " : "", pr->lo);
            else
                sbuf_add(b, "%sportrange %u-%u", n > 0 ? " or " : "", pr->lo, pr->hi);
            n++;
        }
    }
    return n;
}

/* One alternative "proto and (ports)", omitted when the profile names no such port. */
static void filter_alt(struct sbuf *b, const struct profile *p, const char *name,
                       unsigned proto, bool mapper)
{
    struct sbuf probe = {0};
    if (filter_ports(&probe, p, proto, mapper) > 0 && !probe.failed)
        sbuf_add(b, " or (%s and (%s))", name, probe.s);
    b->failed |= probe.failed;
    free(probe.s);
}

char *live_filter_build(const struct profile *p, bool full, const char *extra,
                        char err[FW_ERRLEN])
{
    struct sbuf b = {0};
    bool has_extra = extra != NULL && extra[0] != '\0';
    if (has_extra)
        sbuf_add(&b, "(");
    /* 0x07: FIN|SYN|RST, the segments that open, refuse and close connections. */
    sbuf_add(&b, "(tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)"
                 " or (ip6 and ip6[6] == 6 and ip6[53] & 0x07 != 0)");
    if (p != NULL) {
        filter_alt(&b, p, "tcp", PROFILE_TCP, !full);
        filter_alt(&b, p, "udp", PROFILE_UDP, false);
    }
    sbuf_add(&b, " or icmp or icmp6");
    if (has_extra)
        sbuf_add(&b, ") and (%s)", extra);
    if (b.failed) {
        free(b.s);
        snprintf(err, FW_ERRLEN, "out of memory");
        return NULL;
    }
    return b.s;
}
