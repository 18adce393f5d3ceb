/* capture/cap_pcapng.c: the pcapng half of the capture-file reader (draft-ietf-opsawg-pcapng):
 * sections with their byte order, interfaces with their link type, snapshot length and clock
 * (if_tsresol, if_tsoffset), the three packet blocks (EPB, SPB, the obsolete PB), and the
 * drops the capturing tool counted (ISB: isb_ifdrop, isb_osdrop); every other block is skipped,
 * and so is every option but those named here. The copies of one
 * packet (several interfaces, pktmon's components: cap_dedup.c) are delivered once. Each
 * block's lengths are checked before its bytes are used. The byte source, the public API and
 * the wording of shared errors are cap_file.c's. */
#include "cap_file_impl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A damaged file could declare millions of interfaces; no real capture has this many. */
#define CAP_FILE_MAX_IFACES 65536u

enum {
    NG_OPT_COMMENT = 1,
    NG_SHB = 0x0A0D0D0A,
    NG_IDB = 1,
    NG_PB = 2, /* obsolete Packet Block, still written by old tools */
    NG_SPB = 3,
    NG_ISB = 5,
    NG_EPB = 6,
    NG_OPT_TSRESOL = 9,
    NG_OPT_TSOFFSET = 14,
    NG_OPT_ISB_IFDROP = 5,
    NG_OPT_ISB_OSDROP = 7,
};

/* No capture loses more packets than this (2^48, years at line rate): larger counts are
 * damage, and are held here. */
#define NG_MAX_DROPS (1ull << 48)

/* The last second a classic pcap can stamp (2106-02-07 06:28:15 UTC). Later stamps saturate
 * there rather than near 2^64: the analysis adds its timeouts to packet times, and a damaged
 * stamp of all ones bits would wrap them round and expire every connection at once. */
#define NG_MAX_TS_US (0xffffffffull * 1000000u + 999999u)

/* Ticks to microseconds without overflow: whole seconds and the fraction apart, saturating
 * at NG_MAX_TS_US rather than wrapping to 1970. */
static uint64_t ng_ts_us(const struct ng_iface *ifc, uint64_t ticks)
{
    uint64_t u = ifc->units_per_s;
    uint64_t s = ticks / u, frac = ticks % u, frac_us;
    if (u <= 1000000u && 1000000u % u == 0)
        frac_us = frac * (1000000u / u);
    else if (u % 1000000u == 0)
        frac_us = frac / (u / 1000000u);
    else if (u <= (1ull << 44))
        frac_us = frac * 1000000u / u; /* 2^n: frac < 2^44, so frac * 10^6 < 2^64 */
    else
        frac_us = (frac / (u >> 44)) * 1000000u >> 44;
    int64_t off = ifc->offset_s;
    if (off >= 0) {
        if (s > UINT64_MAX - (uint64_t)off)
            return NG_MAX_TS_US;
        s += (uint64_t)off;
    } else {
        uint64_t back = (uint64_t)-(off + 1) + 1; /* -off without overflow at INT64_MIN */
        if (back > s)
            return 0;
        s -= back;
    }
    if (s > NG_MAX_TS_US / 1000000u)
        return NG_MAX_TS_US;
    return s * 1000000u + frac_us;
}

static int ng_add_iface(struct cap_file *cf, const uint8_t *p, uint32_t len,
                        char err[FW_ERRLEN])
{
    char where[96];
    struct ng_iface ifc = { .linktype = rd16(cf, p + 8), .snaplen = rd32(cf, p + 12),
                            .units_per_s = 1000000u };
    const uint8_t *o = p + 16, *o_end = p + len - 4;
    /* Options are optional: a malformed list ends the parsing, not the file. */
    while (o_end - o >= 4) {
        uint16_t code = rd16(cf, o), olen = rd16(cf, o + 2);
        size_t padded = ((size_t)olen + 3) & ~(size_t)3;
        if (code == 0 || padded > (size_t)(o_end - o) - 4)
            break;
        if (code == NG_OPT_TSRESOL && olen >= 1) {
            uint8_t v = o[4];
            unsigned e = v & 0x7fu;
            if ((v & 0x80u) ? e > 63 : e > 19)
                return cap_file_fail(cf, err, FW_EFORMAT, "%s: interface %zu: if_tsresol 0x%02x is "
                                     "out of range", cap_file_where(cf, where), cf->n_ifaces, v);
            ifc.units_per_s = 1;
            for (unsigned i = 0; i < e; i++)
                ifc.units_per_s *= (v & 0x80u) ? 2u : 10u;
        } else if (code == NG_OPT_TSOFFSET && olen >= 8) {
            uint64_t hi = rd32(cf, o + 4), lo = rd32(cf, o + 8);
            ifc.offset_s = (int64_t)(cf->big ? hi << 32 | lo : lo << 32 | hi);
        }
        o += 4 + padded;
    }
    if (cf->n_ifaces == CAP_FILE_MAX_IFACES)
        return cap_file_fail(cf, err, FW_EFORMAT, "%s: more than %u interfaces in one section",
                             cap_file_where(cf, where), CAP_FILE_MAX_IFACES);
    if (cf->n_ifaces == cf->cap_ifaces) {
        size_t cap = cf->cap_ifaces ? cf->cap_ifaces * 2 : 4;
        struct ng_iface *a = realloc(cf->ifaces, cap * sizeof *a);
        if (!a)
            return cap_file_fail(cf, err, FW_ENOMEM, "out of memory");
        cf->ifaces = a;
        cf->cap_ifaces = cap;
    }
    ifc.if_drops = ifc.os_drops = 0;
    cf->ifaces[cf->n_ifaces++] = ifc;
    cf->info.interfaces++;
    if (cf->info.linktype < 0) {
        cf->info.linktype = ifc.linktype;
        cf->info.snaplen = ifc.snaplen;
    }
    return 0;
}

static uint64_t ng_u64(const struct cap_file *cf, const uint8_t *p)
{
    uint64_t a = rd32(cf, p), b = rd32(cf, p + 4);
    return cf->big ? a << 32 | b : b << 32 | a;
}

/* An Interface Statistics Block: the drops its interface counted since the capture started
 * (each ISB replaces the one before). Statistics are optional: an ISB that names no interface
 * of the section, or whose options are malformed, is skipped, never an error. */
static void ng_stats(struct cap_file *cf, const uint8_t *p, uint32_t len)
{
    if (len < 24)
        return;
    uint32_t id = rd32(cf, p + 8);
    if (id >= cf->n_ifaces)
        return;
    struct ng_iface *ifc = &cf->ifaces[id];
    const uint8_t *o = p + 20, *o_end = p + len - 4;
    while (o_end - o >= 4) {
        uint16_t code = rd16(cf, o), olen = rd16(cf, o + 2);
        size_t padded = ((size_t)olen + 3) & ~(size_t)3;
        if (code == 0 || padded > (size_t)(o_end - o) - 4)
            break;
        if ((code == NG_OPT_ISB_IFDROP || code == NG_OPT_ISB_OSDROP) && olen == 8) {
            uint64_t v = ng_u64(cf, o + 4);
            v = v < NG_MAX_DROPS ? v : NG_MAX_DROPS;
            uint64_t *mine = code == NG_OPT_ISB_IFDROP ? &ifc->if_drops : &ifc->os_drops;
            uint64_t *all = code == NG_OPT_ISB_IFDROP ? &cf->info.if_drops : &cf->info.os_drops;
            /* The total holds this interface's last count (or saturated above it): take it
             * out, put the new one in, saturating over many sections. */
            uint64_t base = *all - *mine;
            *all = base > UINT64_MAX - v ? UINT64_MAX : base + v;
            *mine = v;
            cf->info.has_drops = true;
        }
        o += 4 + padded;
    }
}

/* The packet comment's pktmon key (see cap_dedup.h), from the options in [o, end). The
 * other options (epb_flags, epb_hash, epb_dropcount, epb_packetid, epb_queue, epb_verdict,
 * custom ones) say nothing the analysis uses and are stepped over by their length; a
 * malformed list ends the look, not the file. */
static void ng_epb_comment_key(const struct cap_file *cf, const uint8_t *o, const uint8_t *end,
                               struct cap_dedup_key *key)
{
    while (o < end && end - o >= 4) {
        uint16_t code = rd16(cf, o), olen = rd16(cf, o + 2);
        size_t padded = ((size_t)olen + 3) & ~(size_t)3;
        if (code == 0 || padded > (size_t)(end - o) - 4)
            return;
        if (code == NG_OPT_COMMENT) {
            cap_dedup_parse_comment(o + 4, olen, key);
            if (key->known)
                return;
        }
        o += 4 + padded;
    }
}

/* The packet blocks. EPB and the obsolete PB share one layout but for the interface id's
 * width; SPB has neither interface nor time (interface 0, the previous packet's time). */
static int ng_packet(struct cap_file *cf, uint32_t type, const uint8_t *p, uint32_t len,
                     struct frame *out, char err[FW_ERRLEN])
{
    char where[96];
    uint32_t min_len = type == NG_SPB ? 16 : 32;
    if (len < min_len)
        return cap_file_fail(cf, err, FW_EFORMAT, "%s: block of %" PRIu32 " bytes is too short for "
                             "its type", cap_file_where(cf, where), len);
    uint32_t id = type == NG_SPB ? 0 : type == NG_EPB ? rd32(cf, p + 8) : rd16(cf, p + 8);
    if (id >= cf->n_ifaces)
        return cap_file_fail(cf, err, FW_EFORMAT, "%s: interface %" PRIu32 " is not defined (the "
                             "section has %zu)", cap_file_where(cf, where), id, cf->n_ifaces);
    const struct ng_iface *ifc = &cf->ifaces[id];
    uint32_t caplen, wirelen;
    const uint8_t *data;
    uint64_t ts_us = cf->last_ts_us;
    if (type == NG_SPB) {
        wirelen = rd32(cf, p + 8);
        caplen = wirelen < len - 16 ? wirelen : len - 16;
        if (ifc->snaplen != 0 && caplen > ifc->snaplen)
            caplen = ifc->snaplen;
        data = p + 12;
    } else {
        caplen = rd32(cf, p + 20);
        wirelen = rd32(cf, p + 24);
        if (caplen > len - 32)
            return cap_file_fail(cf, err, FW_EFORMAT, "%s: captured length %" PRIu32 " does "
                                 "not fit in its block of %" PRIu32 " bytes",
                                 cap_file_where(cf, where), caplen, len);
        ts_us = ng_ts_us(ifc, (uint64_t)rd32(cf, p + 12) << 32 | rd32(cf, p + 16));
        data = p + 28;
    }
    cf->number++;
    if (cap_file_is_bad(cf, caplen, wirelen, ifc->snaplen))
        return 2;
    cf->last_ts_us = ts_us;
    struct cap_dedup_key key = {0};
    if (type == NG_EPB)
        ng_epb_comment_key(cf, p + 28 + (((size_t)caplen + 3) & ~(size_t)3), p + len - 4, &key);
    /* A file of one interface without pktmon's comments has no copies to look for. */
    if ((cf->n_ifaces > 1 || key.known) &&
        cap_dedup_is_copy(&cf->dedup, data, caplen, ifc->linktype, id, ts_us, &key)) {
        cf->info.duplicates++;
        return 2;
    }
    cap_file_deliver(cf, out, data, caplen, wirelen, ts_us, ifc->linktype);
    return 1;
}

/* One block: 1 a frame in *out, 2 a block without one, 0 clean end, or an error. Nothing is
 * consumed or changed on error, so asking again gives the same error. */
static int ng_block(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN])
{
    char where[96];
    cf->at_packet = false;
    int rc = cap_file_need(cf, 12, "block header", err);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    const uint8_t *p = cap_input_ptr(&cf->in);
    bool shb = memcmp(p, "\x0a\x0d\x0d\x0a", 4) == 0;
    if (shb) {
        if (memcmp(p + 8, "\x1a\x2b\x3c\x4d", 4) != 0 && memcmp(p + 8, "\x4d\x3c\x2b\x1a", 4))
            return cap_file_fail(cf, err, FW_EFORMAT, "%s: section header with a bad byte-order "
                                 "magic", cap_file_where(cf, where));
        cf->big = p[8] == 0x1a; /* idempotent: the same bytes decide again after an error */
    }
    uint32_t type = rd32(cf, p), len = rd32(cf, p + 4);
    cf->at_packet = type == NG_EPB || type == NG_SPB || type == NG_PB;
    if (len < 12 || len % 4 != 0 || len > CAP_INPUT_MAX_SPAN)
        return cap_file_fail(cf, err, FW_EFORMAT, "%s: block length %" PRIu32 " is invalid",
                             cap_file_where(cf, where), len);
    rc = cap_file_need(cf, len, "block", err);
    if (rc != 0)
        return rc > 0 ? FW_ETRUNC : rc;
    p = cap_input_ptr(&cf->in);
    uint32_t trailer = rd32(cf, p + len - 4);
    if (trailer != len)
        return cap_file_fail(cf, err, FW_EFORMAT, "%s: block length %" PRIu32 " differs from its "
                             "trailing copy %" PRIu32, cap_file_where(cf, where), len, trailer);
    rc = 2;
    if (shb) {
        if (len < 28)
            return cap_file_fail(cf, err, FW_EFORMAT, "%s: section header of %" PRIu32 " bytes is "
                                 "too short", cap_file_where(cf, where), len);
        if (rd16(cf, p + 12) != 1)
            return cap_file_fail(cf, err, FW_EUNSUPPORTED, "%s: pcapng version %u.%u is not "
                                 "supported", cap_file_where(cf, where), rd16(cf, p + 12),
                                 rd16(cf, p + 14));
        cf->n_ifaces = 0; /* interface ids are per section */
        memset(&cf->dedup, 0, sizeof cf->dedup);
    } else if (type == NG_IDB) {
        if (len < 20)
            return cap_file_fail(cf, err, FW_EFORMAT, "%s: interface description of %" PRIu32
                                 " bytes is too short", cap_file_where(cf, where), len);
        rc = ng_add_iface(cf, p, len, err);
        if (rc < 0)
            return rc;
        rc = 2;
    } else if (type == NG_ISB) {
        ng_stats(cf, p, len);
    } else if (cf->at_packet) {
        rc = ng_packet(cf, type, p, len, out, err);
        if (rc < 0)
            return rc;
    }
    cap_input_consume(&cf->in, len);
    return rc;
}

int cap_pcapng_next(struct cap_file *cf, struct frame *out, char err[FW_ERRLEN])
{
    int rc;
    do
        rc = ng_block(cf, out, err);
    while (rc == 2);
    return rc;
}

/* Reads the section header, then on to the first interface so that the link type is known
 * right after open. Blocks met on the way carry no frames; a packet block or an error stops
 * the look-ahead and waits, unconsumed, for cap_file_next() to meet it with its number. */
int cap_pcapng_open(struct cap_file *cf, char err[FW_ERRLEN])
{
    struct frame unused;
    char scratch[FW_ERRLEN];
    cf->info.format = "pcapng";
    int rc = ng_block(cf, &unused, err);
    if (rc < 0)
        return rc;
    while (rc == 2 && cf->n_ifaces == 0) {
        if (cap_input_need(&cf->in, 8, scratch) != 0)
            break;
        uint32_t type = rd32(cf, cap_input_ptr(&cf->in));
        if (type == NG_EPB || type == NG_SPB || type == NG_PB)
            break;
        rc = ng_block(cf, &unused, scratch);
    }
    return 0;
}
