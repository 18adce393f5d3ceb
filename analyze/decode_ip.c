/* analyze/decode_ip.c: IPv4 (RFC 791) and IPv6 (RFC 8200) headers, IPv6 extension headers
 * and the Internet checksum (RFC 1071). It narrows the cursor to the datagram the header
 * declares (never wider: snap length) and leaves the transport to decode_l4.c. */
#include "decode_int.h"

#define DECODE_MAX_EXT 8 /* extension headers we walk before calling the chain malformed */

uint64_t decode_sum(const struct cur *c, size_t n, uint64_t acc)
{
    const uint8_t *p = c->p;
    size_t i = 0;
    /* 32-bit big-endian words into a 64-bit accumulator: folding later gives the same
     * one's complement sum as 16-bit words (RFC 1071 2(B)) at half the additions. */
    for (; i + 4 <= n; i += 4)
        acc += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 |
               p[i + 3];
    for (; i + 2 <= n; i += 2)
        acc += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < n)
        acc += (uint32_t)p[i] << 8;
    return acc;
}

uint16_t decode_sum_fold(uint64_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

uint64_t decode_pseudo_sum(const struct pkt *p, uint8_t proto, uint32_t len)
{
    size_t n = p->ip_version == 6 ? 16 : 4;
    struct cur s = cur_make(p->src.b, n), d = cur_make(p->dst.b, n);
    return decode_sum(&s, n, decode_sum(&d, n, (uint64_t)proto + len));
}

bool decode_ip6_ext(struct cur *c, uint8_t *nh, uint16_t *frag_off, bool *is_frag)
{
    for (int i = 0; i < DECODE_MAX_EXT; i++) {
        switch (*nh) {
        case 0:   /* hop-by-hop options */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility (RFC 6275) */
        case 51:  /* AH (RFC 4302): its length counts 4-byte units, minus 2 */
        {
            uint8_t next = cur_u8(c);
            uint8_t len = cur_u8(c);
            size_t hdr_len = *nh == 51 ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
            cur_skip(c, hdr_len - 2);
            if (c->short_read)
                return false;
            *nh = next;
            break;
        }
        case 44: /* fragment: next, reserved, offset (13 bits) + M, identification */
        {
            uint8_t next = cur_u8(c);
            cur_skip(c, 1);
            uint16_t off_m = cur_be16(c);
            cur_skip(c, 4);
            if (c->short_read)
                return false;
            *nh = next;
            *frag_off = off_m >> 3;
            *is_frag = true;
            if (*frag_off != 0)
                return true; /* what follows is the middle of a datagram */
            break;
        }
        default: /* upper layer, ESP (50) or no next header (59) */
            return true;
        }
    }
    return false;
}

static enum pkt_status decode_ipv4(struct cur *c, const struct decode_opts *opts, struct pkt *p,
                                   struct decode_l4_in *in)
{
    struct cur start = *c;
    uint8_t vihl = cur_u8(c);
    cur_skip(c, 1);
    uint16_t tot_len = cur_be16(c);
    p->ip_id = cur_be16(c);
    uint16_t frag = cur_be16(c);
    p->ttl = cur_u8(c);
    p->proto = cur_u8(c);
    cur_skip(c, 2);
    uint8_t a[4];
    cur_bytes(c, a, 4);
    fw_addr_set4(&p->src, a);
    cur_bytes(c, a, 4);
    fw_addr_set4(&p->dst, a);
    if (c->short_read) {
        p->src.family = p->dst.family = 0;
        return PKT_TRUNCATED;
    }
    size_t hdr_len = (size_t)(vihl & 0x0f) * 4;
    if (hdr_len < 20)
        return PKT_MALFORMED;
    /* Total length 0 is what TCP segmentation offload (and Linux BIG TCP, beyond 64 KB)
     * leaves in captures taken on the sender: the datagram is then what was captured. */
    uint32_t dgram_len = tot_len;
    if (tot_len == 0 && start.left <= UINT32_MAX)
        dgram_len = (uint32_t)start.left;
    p->ip_len = dgram_len;
    if (dgram_len < hdr_len)
        return PKT_MALFORMED;
    cur_skip(c, hdr_len - 20); /* options: nothing we need */
    if (c->short_read)
        return PKT_TRUNCATED;
    if (opts != NULL && opts->verify_checksums)
        p->ip_cksum = decode_sum_fold(decode_sum(&start, hdr_len, 0)) == 0 ? CKSUM_OK : CKSUM_BAD;
    uint16_t frag_off = frag & 0x1fff;
    p->is_fragment = frag_off != 0 || (frag & 0x2000);
    if (frag_off != 0)
        return PKT_FRAGMENT; /* RFC 791: only the first fragment holds the transport header */
    struct cur dgram = cur_sub(&start, dgram_len);
    in->complete = tot_len != 0 && dgram.left == dgram_len; /* 0: we cannot know */
    cur_skip(&dgram, hdr_len);
    in->l4 = dgram;
    in->l4_len = dgram_len - (uint32_t)hdr_len;
    return PKT_OK;
}

static enum pkt_status decode_ipv6(struct cur *c, struct pkt *p, struct decode_l4_in *in)
{
    cur_skip(c, 4); /* version, traffic class, flow label */
    uint32_t pay_len = cur_be16(c);
    uint8_t nh = cur_u8(c);
    p->ttl = cur_u8(c);
    uint8_t a[16];
    cur_bytes(c, a, 16);
    fw_addr_set6(&p->src, a);
    cur_bytes(c, a, 16);
    fw_addr_set6(&p->dst, a);
    if (c->short_read) {
        p->src.family = p->dst.family = 0;
        p->proto = nh;
        return PKT_TRUNCATED;
    }
    /* Payload length 0: a jumbogram (RFC 2675) or segmentation offload; take the capture. */
    bool known_len = pay_len != 0;
    if (pay_len == 0 && c->left <= UINT32_MAX - 40)
        pay_len = (uint32_t)c->left;
    p->ip_len = 40 + pay_len;
    struct cur dgram = cur_sub(c, pay_len);
    in->complete = known_len && dgram.left == pay_len;
    size_t before = dgram.left;
    uint16_t frag_off = 0;
    bool ok = decode_ip6_ext(&dgram, &nh, &frag_off, &p->is_fragment);
    p->proto = nh;
    if (!ok)
        return dgram.short_read ? decode_short(in->complete) : PKT_MALFORMED;
    if (frag_off != 0)
        return PKT_FRAGMENT;
    in->l4 = dgram;
    in->l4_len = pay_len - (uint32_t)(before - dgram.left);
    return PKT_OK;
}

enum pkt_status decode_ip(struct cur *c, const struct decode_opts *opts, struct pkt *p,
                          struct decode_l4_in *in)
{
    struct cur peek = *c;
    uint8_t version = cur_u8(&peek) >> 4;
    if (peek.short_read)
        return PKT_TRUNCATED;
    p->ip_version = version;
    if (version == 4)
        return decode_ipv4(c, opts, p, in);
    if (version == 6)
        return decode_ipv6(c, p, in);
    p->ip_version = 0;
    return PKT_MALFORMED;
}
