/* analyze/decode.c: the decoder's entry point and its link layers. Finds the IP datagram in a
 * frame of any link type we read (Ethernet with VLAN tags, MPLS or PPPoE; Linux cooked v1/v2;
 * raw IP; BSD and OpenBSD loopback; PPP; Cisco HDLC; 802.11 with or without radiotap) and
 * leaves the IP and transport headers to decode_ip.c and decode_l4.c. Tunnels are not
 * opened: the outer datagram is the packet. */
#include "decode_int.h"

#include <string.h>

/* Link types libpcap also writes that common/linktype.h does not name
 * (www.tcpdump.org/linktypes.html). */
enum {
    LT_DLT_RAW_A = 12,    /* DLT_RAW on most BSDs */
    LT_DLT_RAW_B = 14,    /* DLT_RAW on OpenBSD */
    LT_PPP_HDLC = 50,     /* PPP in HDLC-like framing, RFC 1662 */
    LT_PPP_ETHER = 51,    /* PPPoE session without the Ethernet header */
    LT_C_HDLC = 104,      /* Cisco HDLC: address, control, Ethernet type */
};

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_BY_NIBBLE 0  /* the IP version nibble decides */
#define DECODE_MAX_TAGS 8 /* VLAN tags or MPLS labels we look through; more is malformed */

#define PKT_NAME(name, text) text,
static const char *const pkt_status_names[] = { PKT_STATUSES(PKT_NAME) };
#undef PKT_NAME

const char *pkt_status_name(enum pkt_status s)
{
    if ((unsigned)s >= PKT_STATUS_COUNT)
        return "?";
    return pkt_status_names[s];
}

bool decode_has_linktype(int linktype)
{
    switch (linktype) {
    case FW_LINKTYPE_NULL: case FW_LINKTYPE_ETHERNET: case FW_LINKTYPE_PPP:
    case LT_DLT_RAW_A: case LT_DLT_RAW_B: case LT_PPP_HDLC: case LT_PPP_ETHER:
    case FW_LINKTYPE_RAW: case LT_C_HDLC: case FW_LINKTYPE_IEEE802_11:
    case FW_LINKTYPE_LOOP: case FW_LINKTYPE_LINUX_SLL: case FW_LINKTYPE_IEEE802_11_RADIOTAP:
    case FW_LINKTYPE_IPV4: case FW_LINKTYPE_IPV6: case FW_LINKTYPE_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}

/* PPP protocol field (RFC 1661 2), possibly compressed to one byte (PFC: an odd first byte). */
static uint16_t decode_ppp_proto(struct cur *c)
{
    uint16_t proto = cur_u8(c);
    if ((proto & 1) == 0)
        proto = (uint16_t)(proto << 8 | cur_u8(c));
    if (proto == 0x0021)
        return ETH_IPV4;
    if (proto == 0x0057)
        return ETH_IPV6;
    return 1; /* not IP */
}

/* PPPoE session stage (RFC 2516 4): ver/type, code, session id, length, then PPP. The length
 * narrows the cursor, so Ethernet padding stays out. */
static uint16_t decode_pppoe(struct cur *c)
{
    cur_skip(c, 4);
    uint16_t len = cur_be16(c);
    if (c->short_read)
        return 0;
    *c = cur_sub(c, len);
    return decode_ppp_proto(c);
}

/* MPLS label stack (RFC 3032): entries until bottom of stack; what follows carries no type,
 * so the IP version nibble decides (RFC 4385's control word starts with 0 and is not IP). */
static bool decode_mpls(struct cur *c)
{
    for (int i = 0; i < DECODE_MAX_TAGS * 2; i++) {
        uint32_t entry = cur_be32(c);
        if (c->short_read)
            return false;
        if (entry & 0x100)
            return true;
    }
    return false;
}

/* RFC 1042 LLC/SNAP header (aa aa 03, OUI 00 00 00 or 00 00 f8): returns its Ethernet type,
 * or 1 when it is some other LLC. */
static uint16_t decode_snap(struct cur *c)
{
    uint32_t llc = cur_be32(c);
    uint16_t oui_lo = cur_be16(c);
    uint16_t type = cur_be16(c);
    if ((llc & 0xffffff00u) != 0xaaaa0300u || ((llc & 0xff) != 0) ||
        (oui_lo != 0 && oui_lo != 0x00f8))
        return 1;
    return type;
}

/* Bytes between a shim's Ethernet type and the next type field, or 0 if type is no shim:
 * 802.1Q/802.1ad/QinQ tags (the TCI), Cisco VN-Tag (4-byte tag), and the two that wrap a whole
 * inner Ethernet header: Cisco FabricPath (FTag and TTL, then inner MACs) and 802.1ah
 * provider backbone bridging (I-TAG, then customer MACs). */
static size_t ether_shim_len(uint16_t type)
{
    switch (type) {
    case 0x8100:
    case 0x88a8:
    case 0x9100:
        return 2;
    case 0x8926:
        return 4;
    case 0x8903:
        return 2 + 12;
    case 0x88e7:
        return 4 + 12;
    default:
        return 0;
    }
}

/* Ethernet II or 802.3 with SNAP, through tags and shims (ether_shim_len), then MPLS or
 * PPPoE. */
static uint16_t decode_ether(struct cur *c, bool *bad)
{
    cur_skip(c, 12);
    uint16_t type = cur_be16(c);
    int tags = 0;
    for (size_t shim; (shim = ether_shim_len(type)) != 0 && !c->short_read;) {
        if (++tags > DECODE_MAX_TAGS) {
            *bad = true;
            return 1;
        }
        cur_skip(c, shim);
        type = cur_be16(c);
    }
    if (type <= 1500 && !c->short_read) /* an 802.3 length: LLC follows */
        type = decode_snap(c);
    if (type == 0x8847 || type == 0x8848) {
        if (!decode_mpls(c) && !c->short_read)
            *bad = true;
        return ETH_BY_NIBBLE;
    }
    if (type == 0x8864)
        return decode_pppoe(c);
    return type;
}

/* IEEE 802.11 data frame (802.11-2020 9.3.2.1): header length from the frame control field,
 * then LLC/SNAP. Management, control, null-data and protected frames carry no IP we read. */
static uint16_t decode_80211(struct cur *c)
{
    uint16_t fc = cur_le16(c);
    if (c->short_read)
        return 0;
    unsigned type = fc >> 2 & 3, subtype = fc >> 4 & 0xf, flags = fc >> 8;
    if (type != 2 || (subtype & 4) || (flags & 0x40))
        return 1;
    size_t hdr_len = 24;
    if ((flags & 3) == 3)
        hdr_len += 6; /* four addresses: WDS */
    if (subtype & 8) {
        hdr_len += 2; /* QoS control */
        if (flags & 0x80)
            hdr_len += 4; /* HT control */
    }
    cur_skip(c, hdr_len - 2);
    return decode_snap(c);
}

/* Radiotap (radiotap.org): a little-endian length covers the whole radiotap header. A
 * trailing FCS is left alone: the IP length narrows the datagram before it. */
static uint16_t decode_radiotap(struct cur *c)
{
    cur_skip(c, 2);
    uint16_t len = cur_le16(c);
    if (c->short_read)
        return 0;
    if (len < 8) {
        cur_fail(c);
        return 1;
    }
    cur_skip(c, (size_t)len - 4);
    return decode_80211(c);
}

/* BSD loopback: the address family in the capturing host's byte order (either), OpenBSD
 * loop in network order. AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by system. */
static uint16_t decode_null(struct cur *c, bool network_order)
{
    uint32_t af = network_order ? cur_be32(c) : cur_le32(c);
    if (!network_order && af > 0xffff)
        af = (af >> 24) | (af >> 8 & 0xff00);
    if (af == 2)
        return ETH_IPV4;
    if (af == 24 || af == 28 || af == 30)
        return ETH_IPV6;
    return 1;
}

/* Returns the Ethernet type of what follows the link header (ETH_BY_NIBBLE: IP, version
 * unknown); c is left at it. A short read means the link header was cut off. */
static uint16_t decode_link(struct cur *c, int linktype, bool *bad)
{
    switch (linktype) {
    case FW_LINKTYPE_ETHERNET:
        return decode_ether(c, bad);
    case FW_LINKTYPE_RAW: case LT_DLT_RAW_A: case LT_DLT_RAW_B:
    case FW_LINKTYPE_IPV4: case FW_LINKTYPE_IPV6:
        return ETH_BY_NIBBLE;
    case FW_LINKTYPE_LINUX_SLL: /* type, ARPHRD, address length, 8 address bytes, protocol */
        cur_skip(c, 14);
        return cur_be16(c);
    case FW_LINKTYPE_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, addr len+8 */
    {
        uint16_t proto = cur_be16(c);
        cur_skip(c, 18);
        return proto;
    }
    case FW_LINKTYPE_NULL:
        return decode_null(c, false);
    case FW_LINKTYPE_LOOP:
        return decode_null(c, true);
    case FW_LINKTYPE_PPP: case LT_PPP_HDLC: /* RFC 1662: ff 03 may be left out (ACFC) */
    {
        struct cur peek = *c;
        if (cur_u8(&peek) == 0xff) /* all-stations address, then control 03 */
            cur_skip(c, 2);
        return decode_ppp_proto(c);
    }
    case LT_PPP_ETHER:
        return decode_pppoe(c);
    case LT_C_HDLC:
        cur_skip(c, 2);
        return cur_be16(c);
    case FW_LINKTYPE_IEEE802_11:
        return decode_80211(c);
    case FW_LINKTYPE_IEEE802_11_RADIOTAP:
        return decode_radiotap(c);
    default:
        *bad = true;
        return 1;
    }
}

/* memset() of the whole struct pkt became `rep stos`, whose start-up cost was a third of
 * decode_frame()'s samples; in pieces of 64 bytes the compiler writes plain vector stores. */
static inline void decode_zero(struct pkt *p)
{
    unsigned char *b = (unsigned char *)p;
    size_t i = 0;
    for (; i + 64 <= sizeof *p; i += 64)
        memset(b + i, 0, 64);
    memset(b + i, 0, sizeof *p - i);
}

/* The common case read straight: Ethernet II, then IPv4 without options or IPv6 without
 * extension headers, unfragmented, carrying TCP or UDP, checksums not verified. It fills *p
 * and *in exactly as decode_link() and decode_ip() would, with one bounds check per header
 * instead of one per field (decoding took half the instructions); anything else returns
 * false and takes the general path. c is at the Ethernet header and p freshly zeroed. */
static bool decode_fast(const struct cur *c, const struct decode_opts *opts, struct pkt *p,
                        struct decode_l4_in *in)
{
    if ((opts != NULL && opts->verify_checksums) || !cur_has(c, 14 + 20))
        return false;
    uint16_t type = cur_peek_be16(c, 12);
    uint8_t vihl = cur_peek_u8(c, 14);
    struct cur ip = *c;
    cur_skip(&ip, 14);
    if (type == ETH_IPV4 && vihl == 0x45) {
        uint16_t tot_len = cur_peek_be16(&ip, 2);
        uint16_t frag = cur_peek_be16(&ip, 6);
        uint8_t proto = cur_peek_u8(&ip, 9);
        if (tot_len < 20 || (frag & 0x3fff) != 0 || (proto != 6 && proto != 17))
            return false; /* total length 0 or too short, fragments, other transports */
        p->ip_version = 4;
        p->ip_id = cur_peek_be16(&ip, 4);
        p->ttl = cur_peek_u8(&ip, 8);
        p->proto = proto;
        p->src.family = p->dst.family = 4;
        cur_peek_bytes(&ip, 12, p->src.b, 4);
        cur_peek_bytes(&ip, 16, p->dst.b, 4);
        p->ip_len = tot_len;
        struct cur dgram = cur_sub(&ip, tot_len);
        in->complete = dgram.left == tot_len;
        cur_skip(&dgram, 20);
        in->l4 = dgram;
        in->l4_len = tot_len - 20u;
        return true;
    }
    if (type == ETH_IPV6 && (vihl >> 4) == 6 && cur_has(&ip, 40)) {
        uint16_t pay_len = cur_peek_be16(&ip, 4);
        uint8_t nh = cur_peek_u8(&ip, 6);
        if (pay_len == 0 || (nh != 6 && nh != 17))
            return false; /* jumbograms, extension headers, other transports */
        p->ip_version = 6;
        p->ttl = cur_peek_u8(&ip, 7);
        p->proto = nh;
        p->src.family = p->dst.family = 6;
        cur_peek_bytes(&ip, 8, p->src.b, 16);
        cur_peek_bytes(&ip, 24, p->dst.b, 16);
        p->ip_len = 40u + pay_len;
        cur_skip(&ip, 40);
        struct cur dgram = cur_sub(&ip, pay_len);
        in->complete = dgram.left == pay_len;
        in->l4 = dgram;
        in->l4_len = pay_len;
        return true;
    }
    return false;
}

enum pkt_status decode_frame(const struct frame *f, const struct decode_opts *opts,
                             struct pkt *out)
{
    decode_zero(out);
    out->linktype = f->linktype;
    struct cur c = cur_make(f->bytes, f->bytes != NULL ? f->caplen : 0);
    struct decode_l4_in in;
    if (f->linktype == FW_LINKTYPE_ETHERNET && cur_has(&c, 14)) {
        out->has_l2 = true;
        cur_peek_bytes(&c, 6, out->l2_src, 6);
    }
    if (f->linktype == FW_LINKTYPE_ETHERNET && decode_fast(&c, opts, out, &in))
        return out->status = decode_l4(opts, out, &in);
    if (!decode_has_linktype(f->linktype))
        return out->status = PKT_UNSUPPORTED_LINK;
    bool bad = false;
    uint16_t type = decode_link(&c, f->linktype, &bad);
    if (c.short_read)
        return out->status = PKT_TRUNCATED;
    if (bad)
        return out->status = PKT_MALFORMED;
    if (type != ETH_BY_NIBBLE && type != ETH_IPV4 && type != ETH_IPV6)
        return out->status = PKT_NOT_IP;
    struct cur peek = c;
    uint8_t version = cur_u8(&peek) >> 4;
    if (peek.short_read)
        return out->status = PKT_TRUNCATED;
    if (type == ETH_BY_NIBBLE && version != 4 && version != 6)
        return out->status = PKT_NOT_IP;
    if ((type == ETH_IPV4 && version != 4) || (type == ETH_IPV6 && version != 6))
        return out->status = PKT_MALFORMED; /* the link layer and the IP header disagree */
    enum pkt_status st = decode_ip(&c, opts, out, &in);
    if (st == PKT_OK)
        st = decode_l4(opts, out, &in);
    return out->status = st;
}
