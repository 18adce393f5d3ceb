/* tests/pb_link.c: the packet builder's way out. Puts a link header (any link type the
 * decoder reads, with VLAN/MPLS/PPPoE between Ethernet and IP) in front of an IP datagram
 * that tests/pb.c built, hands frames to sinks, and writes classic pcap files. */
#include "pb.h"

#include <stdio.h>
#include <string.h>

static void pb_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void pb_be32(uint8_t *p, uint32_t v)
{
    pb_be16(p, v >> 16);
    pb_be16(p + 2, v & 0xffff);
}

/* MAC addresses derived from the last byte of an IP address: stable and readable. */
static void pb_mac(uint8_t *p, uint8_t last)
{
    static const uint8_t base[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x00 };
    memcpy(p, base, 6);
    p[5] = last;
}

static uint32_t pb_eth(const struct pb *b, uint8_t *buf, uint32_t p, uint8_t version)
{
    const struct pb_encap *e = &b->encap;
    const uint8_t *ip = buf + p;
    uint32_t ip_len = version == 4 ? (uint32_t)(ip[2] << 8 | ip[3])
                                   : 40u + (uint32_t)(ip[4] << 8 | ip[5]);
    uint32_t type = version == 4 ? 0x0800 : 0x86dd;
    int n = e->count < PB_MAX_TAGS ? e->count : PB_MAX_TAGS;
    if (e->kind == PB_ENCAP_PPPOE) { /* RFC 2516 session stage, then the PPP protocol */
        p -= 8;
        buf[p] = 0x11;
        buf[p + 1] = 0;
        pb_be16(buf + p + 2, 0x1234);
        pb_be16(buf + p + 4, ip_len + 2);
        pb_be16(buf + p + 6, version == 4 ? 0x0021 : 0x0057);
        type = 0x8864;
    } else if (e->kind == PB_ENCAP_MPLS) { /* RFC 3032 label stack entries */
        for (int i = n - 1; i >= 0; i--) {
            p -= 4;
            pb_be32(buf + p, (e->tag[i] & 0xfffff) << 12 | (i == n - 1 ? 0x100u : 0) | 64);
        }
        type = 0x8847;
    }
    p -= 2;
    pb_be16(buf + p, type);
    if (e->kind == PB_ENCAP_VLAN) {
        for (int i = n - 1; i >= 0; i--) {
            p -= 4;
            pb_be16(buf + p, e->tpid[i] ? e->tpid[i] : 0x8100);
            pb_be16(buf + p + 2, e->tag[i] & 0x0fff);
        }
    }
    p -= 12;
    pb_mac(buf + p, version == 4 ? ip[19] : ip[39]);
    if (b->next.set_eth_src)
        memcpy(buf + p + 6, b->next.eth_src, 6);
    else
        pb_mac(buf + p + 6, version == 4 ? ip[15] : ip[23]);
    return p;
}

/* Writes the link header that ends at ip_at; returns where the frame starts. */
uint32_t pb_link_wrap(const struct pb *b, uint8_t *buf, uint32_t ip_at, uint8_t version)
{
    uint32_t p = ip_at, type = version == 4 ? 0x0800 : 0x86dd;
    uint32_t af;
    switch (b->linktype) {
    case FW_LINKTYPE_ETHERNET:
        return pb_eth(b, buf, p, version);
    case FW_LINKTYPE_NULL: /* host order of the capturing machine; 24: the BSDs' AF_INET6 */
        p -= 4;
        af = version == 4 ? 2 : 24;
        if (b->null_swapped)
            pb_be32(buf + p, af);
        else
            memcpy(buf + p, &af, 4);
        return p;
    case FW_LINKTYPE_LOOP:
        p -= 4;
        pb_be32(buf + p, version == 4 ? 2 : 24);
        return p;
    case FW_LINKTYPE_PPP:
    case 50: /* PPP_HDLC. RFC 1661 protocol field, RFC 1662 address and control bytes */
        p -= 2;
        pb_be16(buf + p, version == 4 ? 0x0021 : 0x0057);
        if (!b->ppp_no_addr_ctl) {
            p -= 2;
            pb_be16(buf + p, 0xff03);
        }
        return p;
    case FW_LINKTYPE_LINUX_SLL: /* packet type, ARPHRD, address length, address, protocol */
        p -= 16;
        memset(buf + p, 0, 16);
        pb_be16(buf + p + 2, 1);
        pb_be16(buf + p + 4, 6);
        pb_mac(buf + p + 6, 1);
        pb_be16(buf + p + 14, type);
        return p;
    case FW_LINKTYPE_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, addr len+addr */
        p -= 20;
        memset(buf + p, 0, 20);
        pb_be16(buf + p, type);
        pb_be32(buf + p + 4, 2);
        pb_be16(buf + p + 8, 1);
        buf[p + 10] = 4; /* PACKET_OUTGOING */
        buf[p + 11] = 6;
        pb_mac(buf + p + 12, 1);
        return p;
    case FW_LINKTYPE_IEEE802_11:
    case FW_LINKTYPE_IEEE802_11_RADIOTAP:
        p -= 8; /* RFC 1042 LLC/SNAP */
        memcpy(buf + p, "\xaa\xaa\x03\x00\x00\x00", 6);
        pb_be16(buf + p + 6, type);
        p -= 24; /* 802.11 data frame, To DS: addr1 BSSID, addr2 source, addr3 destination */
        memset(buf + p, 0, 24);
        buf[p] = 0x08;
        buf[p + 1] = 0x01;
        pb_mac(buf + p + 4, 0xaa);
        pb_mac(buf + p + 10, 1);
        pb_mac(buf + p + 16, 2);
        if (b->linktype == FW_LINKTYPE_IEEE802_11)
            return p;
        p -= 10; /* radiotap: version, pad, length (LE), present (LE): flags and rate */
        memcpy(buf + p, "\x00\x00\x0a\x00\x06\x00\x00\x00\x00\x02", 10);
        return p;
    default: /* RAW, IPV4, IPV6 and anything else: the datagram alone */
        return p;
    }
}

struct frame pb_frame(const struct pb *b, size_t i)
{
    const struct pb_rec *r = &b->rec[i];
    struct frame f = {
        .bytes = b->pool + r->off,
        .caplen = r->len,
        .wirelen = r->wirelen,
        .ts_us = r->ts_us,
        .number = (uint64_t)i + 1,
        .linktype = r->linktype,
        .vantage = b->vantage,
    };
    return f;
}

void pb_feed(const struct pb *b, frame_sink_fn fn, void *ctx)
{
    for (size_t i = 0; i < b->count; i++) {
        struct frame f = pb_frame(b, i);
        fn(ctx, &f);
    }
}

int pb_write_pcap(const struct pb *b, const char *path)
{
    int linktype = b->count > 0 ? b->rec[0].linktype : b->linktype;
    for (size_t i = 0; i < b->count; i++)
        if (b->rec[i].linktype != linktype)
            return FW_EUSAGE;
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return FW_EIO;
    /* Native byte order, as libpcap writes it; readers swap by the magic number. */
    uint32_t hdr[6] = { 0xa1b2c3d4u, 0, 0, 0, 65535, (uint32_t)linktype };
    const uint16_t version[2] = { 2, 4 };
    memcpy(hdr + 1, version, sizeof version);
    bool ok = fwrite(hdr, sizeof hdr, 1, fp) == 1;
    for (size_t i = 0; ok && i < b->count; i++) {
        const struct pb_rec *r = &b->rec[i];
        uint32_t rec[4] = { (uint32_t)(r->ts_us / 1000000u), (uint32_t)(r->ts_us % 1000000u),
                            r->len, r->wirelen };
        ok = fwrite(rec, sizeof rec, 1, fp) == 1 &&
             fwrite(b->pool + r->off, 1, r->len, fp) == r->len;
    }
    if (fclose(fp) != 0)
        ok = false;
    return ok ? 0 : FW_EIO;
}

void pb_mac_of(const char *addr, uint8_t mac[6])
{
    struct fw_addr a;
    if (!fw_addr_parse(&a, addr))
        memset(&a, 0, sizeof a);
    pb_mac(mac, a.family == 6 ? a.b[15] : a.b[3]);
}

int pb_arp(struct pb *b, uint16_t op, const char *ip, const uint8_t mac[6], const char *to)
{
    struct fw_addr s, d;
    if (!fw_addr_parse(&s, ip) || !fw_addr_parse(&d, to) || s.family != 4 || d.family != 4)
        return FW_EUSAGE;
    uint8_t f[42] = {0};
    if (op == 1)
        memset(f, 0xff, 6);
    else
        pb_mac_of(to, f);
    memcpy(f + 6, mac, 6);
    pb_be16(f + 12, 0x0806);
    pb_be16(f + 14, 1);      /* Ethernet */
    pb_be16(f + 16, 0x0800); /* IPv4 */
    f[18] = 6;
    f[19] = 4;
    pb_be16(f + 20, op);
    memcpy(f + 22, mac, 6);
    memcpy(f + 28, s.b, 4);
    if (op != 1)
        pb_mac_of(to, f + 32);
    memcpy(f + 38, d.b, 4);
    return pb_raw(b, FW_LINKTYPE_ETHERNET, f, sizeof f);
}
