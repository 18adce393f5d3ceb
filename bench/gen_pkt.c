/* bench/gen_pkt.c: frame builders for the benchmark generator. Headers are written byte by byte
 * in network order; checksums (IPv4 header, TCP, UDP, ICMP, ICMPv6 with their pseudo-headers)
 * are computed, since a tool may be asked to verify them and it costs little here. */
#include "gen_pkt.h"

#include <string.h>

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58 };

#define ETH_MIN_FRAME 60
#define IP4_HDR_LEN 20
#define IP6_HDR_LEN 40
#define TCP_HDR_LEN 20
#define TCP_SYN_OPT_LEN 20

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* RFC 1071 sum in the host's byte order: loading and storing natively gives the right bytes on
 * either endianness, and 32-bit loads into a 64-bit accumulator keep full-size segments cheap.
 * Every chunk but the last starts at an even offset and has an even length. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        sum += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        sum += h;
        p += 2;
        len -= 2;
    }
    if (len == 1) {
        uint8_t last[2] = { p[0], 0 }; /* odd tail: padded with a zero byte */
        uint16_t h;
        memcpy(&h, last, 2);
        sum += h;
    }
    return sum;
}

static void csum_store(uint8_t *at, uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t v = (uint16_t)~sum;
    memcpy(at, &v, 2);
}

/* Ethernet with addresses made from the IP addresses' last bytes, so each host keeps one MAC. */
static size_t put_eth(uint8_t *b, const struct gen_ip *ip)
{
    size_t alen = ip->v6 ? 16 : 4;
    b[0] = 0x02;
    b[1] = 0x00;
    memcpy(b + 2, ip->dst + alen - 4, 4);
    b[6] = 0x02;
    b[7] = 0x00;
    memcpy(b + 8, ip->src + alen - 4, 4);
    put16(b + 12, ip->v6 ? 0x86dd : 0x0800);
    return GEN_ETH_LEN;
}

/* Writes Ethernet and IP headers for l4_len transport bytes; returns the transport offset. */
static size_t put_ip(uint8_t *b, const struct gen_ip *ip, uint8_t proto, size_t l4_len)
{
    size_t off = put_eth(b, ip);
    uint8_t *h = b + off;
    if (ip->v6) {
        put32(h, 0x60000000);
        put16(h + 4, (uint32_t)l4_len);
        h[6] = proto;
        h[7] = ip->ttl;
        memcpy(h + 8, ip->src, 16);
        memcpy(h + 24, ip->dst, 16);
        return off + IP6_HDR_LEN;
    }
    h[0] = 0x45;
    h[1] = 0;
    put16(h + 2, (uint32_t)(IP4_HDR_LEN + l4_len));
    put16(h + 4, ip->ip_id);
    put16(h + 6, proto == PROTO_TCP ? 0x4000 : 0); /* DF on TCP, as stacks doing PMTUD set */
    h[8] = ip->ttl;
    h[9] = proto;
    h[10] = h[11] = 0;
    memcpy(h + 12, ip->src, 4);
    memcpy(h + 16, ip->dst, 4);
    csum_store(h + 10, csum_add(0, h, IP4_HDR_LEN));
    return off + IP4_HDR_LEN;
}

/* Transport checksum over the pseudo-header (RFC 793, RFC 768, RFC 8200 8.1) and l4_len bytes
 * at l4, stored at l4 + at. ICMPv4 has no pseudo-header. */
static void put_l4_csum(uint8_t *l4, size_t l4_len, size_t at, const struct gen_ip *ip,
                        uint8_t proto)
{
    uint64_t sum = 0;
    uint8_t ph[8];
    if (ip->v6) {
        sum = csum_add(sum, ip->src, 16);
        sum = csum_add(sum, ip->dst, 16);
        put32(ph, (uint32_t)l4_len);
        ph[4] = ph[5] = ph[6] = 0;
        ph[7] = proto;
        sum = csum_add(sum, ph, 8);
    } else if (proto != PROTO_ICMP) {
        sum = csum_add(sum, ip->src, 4);
        sum = csum_add(sum, ip->dst, 4);
        ph[0] = 0;
        ph[1] = proto;
        put16(ph + 2, (uint32_t)l4_len);
        sum = csum_add(sum, ph, 4);
    }
    l4[at] = l4[at + 1] = 0;
    csum_store(l4 + at, csum_add(sum, l4, l4_len));
}

static size_t pad_frame(uint8_t *b, size_t len)
{
    if (len >= ETH_MIN_FRAME)
        return len;
    memset(b + len, 0, ETH_MIN_FRAME - len);
    return ETH_MIN_FRAME;
}

size_t gen_pkt_tcp(uint8_t *buf, const struct gen_ip *ip, uint16_t sport, uint16_t dport,
                   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload,
                   size_t payload_len)
{
    /* A SYN carries the options Linux sends (MSS, SACK permitted, timestamps, window scale);
     * other segments carry none, so a full segment is the classic 1514-byte frame. */
    bool syn = flags & 0x02;
    size_t hlen = TCP_HDR_LEN + (syn ? TCP_SYN_OPT_LEN : 0);
    size_t l4_len = hlen + payload_len;
    size_t off = put_ip(buf, ip, PROTO_TCP, l4_len);
    uint8_t *t = buf + off;
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)(hlen / 4 << 4);
    t[13] = flags;
    put16(t + 14, syn ? 64240 : 501);
    put16(t + 18, 0);
    if (syn) {
        static const uint8_t opt_head[8] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10 };
        memcpy(t + 20, opt_head, 8);
        put32(t + 28, seq ^ 0x5a5a5a5a);
        put32(t + 32, ack ? seq ^ ack : 0);
        t[36] = 1;
        t[37] = 3;
        t[38] = 3;
        t[39] = 7;
    }
    if (payload_len)
        memcpy(t + hlen, payload, payload_len);
    put_l4_csum(t, l4_len, 16, ip, PROTO_TCP);
    return pad_frame(buf, off + l4_len);
}

size_t gen_pkt_udp(uint8_t *buf, const struct gen_ip *ip, uint16_t sport, uint16_t dport,
                   const uint8_t *payload, size_t payload_len)
{
    size_t l4_len = 8 + payload_len;
    size_t off = put_ip(buf, ip, PROTO_UDP, l4_len);
    uint8_t *u = buf + off;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint32_t)l4_len);
    memcpy(u + 8, payload, payload_len);
    put_l4_csum(u, l4_len, 6, ip, PROTO_UDP);
    if (!ip->v6 && u[6] == 0 && u[7] == 0)
        u[6] = u[7] = 0xff; /* RFC 768: a computed zero is sent as all ones */
    return pad_frame(buf, off + l4_len);
}

size_t gen_pkt_echo(uint8_t *buf, const struct gen_ip *ip, bool reply, uint16_t id,
                    uint16_t seq, const uint8_t *payload, size_t payload_len)
{
    uint8_t proto = ip->v6 ? PROTO_ICMPV6 : PROTO_ICMP;
    size_t l4_len = 8 + payload_len;
    size_t off = put_ip(buf, ip, proto, l4_len);
    uint8_t *c = buf + off;
    if (ip->v6)
        c[0] = reply ? 129 : 128;
    else
        c[0] = reply ? 0 : 8;
    c[1] = 0;
    put16(c + 4, id);
    put16(c + 6, seq);
    memcpy(c + 8, payload, payload_len);
    put_l4_csum(c, l4_len, 2, ip, proto);
    return pad_frame(buf, off + l4_len);
}

size_t gen_pkt_icmp_error(uint8_t *buf, const struct gen_ip *ip, uint8_t type, uint8_t code,
                          const uint8_t *quote, size_t quote_len)
{
    uint8_t proto = ip->v6 ? PROTO_ICMPV6 : PROTO_ICMP;
    size_t l4_len = 8 + quote_len;
    size_t off = put_ip(buf, ip, proto, l4_len);
    uint8_t *c = buf + off;
    c[0] = type;
    c[1] = code;
    put32(c + 4, 0); /* unused (or next-hop MTU for "fragmentation needed") */
    memcpy(c + 8, quote, quote_len);
    put_l4_csum(c, l4_len, 2, ip, proto);
    return pad_frame(buf, off + l4_len);
}
