/* analyze/decode_l4.c: transport headers, TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792) and
 * ICMPv6 (RFC 4443), their checksums, and the datagram an ICMP error quotes. It reads only
 * the cursor decode_ip.c narrowed to the datagram; what the fields mean is left to the flow
 * table. has_ports is set for TCP and UDP only: ICMP is keyed by its echo id (l4_complete). */
#include "decode_int.h"

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58

static bool decode_is_icmp_error(uint8_t proto, uint8_t type)
{
    if (proto == PROTO_ICMP)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4; /* ICMPv6: unreachable, too big, time exceeded, param */
}

static bool decode_is_echo(uint8_t proto, uint8_t type)
{
    if (proto == PROTO_ICMP)
        return type == 8 || type == 0;
    return type == 128 || type == 129;
}

/* The checksum over a fully captured transport segment of seg_len bytes (0 sums to OK). A
 * wrong one whose field, at field_at (-1: none to look at), holds the pseudo-header's sum
 * alone is what an offloading sender hands its card (Linux and Windows alike): CKSUM_PARTIAL. */
static enum pkt_cksum decode_l4_cksum(const struct pkt *p, const struct cur *seg, uint32_t seg_len,
                                      bool pseudo, int field_at)
{
    uint64_t acc = pseudo ? decode_pseudo_sum(p, p->proto, seg_len) : 0;
    if (decode_sum_fold(decode_sum(seg, seg_len, acc)) == 0)
        return CKSUM_OK;
    if (pseudo && field_at >= 0) {
        struct cur f = *seg;
        cur_skip(&f, (size_t)field_at);
        uint16_t field = cur_be16(&f);
        uint16_t partial = (uint16_t)~decode_sum_fold(acc); /* fold() gives the complement */
        if (!f.short_read && field == partial)
            return CKSUM_PARTIAL;
    }
    return CKSUM_BAD;
}

static bool decode_want_cksum(const struct decode_opts *opts, const struct pkt *p,
                              const struct cur *seg, uint32_t seg_len)
{
    return opts != NULL && opts->verify_checksums && !p->is_fragment && seg->left >= seg_len;
}

/* Reads the two ports that open a TCP or UDP header; cut short, it leaves both 0 and
 * has_ports unset and returns false. */
static bool decode_ports(struct cur *c, struct pkt *p)
{
    p->sport = cur_be16(c);
    p->dport = cur_be16(c);
    if (c->short_read) {
        p->sport = p->dport = 0;
        return false;
    }
    p->has_ports = true;
    return true;
}

static enum pkt_status decode_tcp(const struct decode_opts *opts, struct pkt *p,
                                  const struct decode_l4_in *in)
{
    struct cur c = in->l4;
    uint16_t off_flags;
    if (cur_has(&c, 20)) { /* the usual case: the fixed header with one check */
        p->sport = cur_peek_be16(&c, 0);
        p->dport = cur_peek_be16(&c, 2);
        p->seq = cur_peek_be32(&c, 4);
        p->ack = cur_peek_be32(&c, 8);
        off_flags = cur_peek_be16(&c, 12);
        p->win = cur_peek_be16(&c, 14);
        p->has_ports = true;
        cur_skip(&c, 20);
    } else {
        if (!decode_ports(&c, p))
            return decode_short(in->complete);
        p->seq = cur_be32(&c);
        p->ack = cur_be32(&c);
        off_flags = cur_be16(&c);
        p->win = cur_be16(&c);
        cur_skip(&c, 4); /* checksum, urgent pointer */
        if (c.short_read)
            return decode_short(in->complete);
    }
    uint32_t hdr_len = (uint32_t)(off_flags >> 12) * 4;
    p->tcp_flags = (uint8_t)off_flags;
    if (hdr_len < 20 || hdr_len > in->l4_len)
        return PKT_MALFORMED;
    cur_skip(&c, hdr_len - 20); /* options */
    if (c.short_read)
        return PKT_TRUNCATED;
    p->l4_complete = true;
    p->l4_payload_len = in->l4_len - hdr_len;
    p->payload = c.p;
    p->payload_caplen = (uint32_t)c.left;
    if (decode_want_cksum(opts, p, &in->l4, in->l4_len))
        p->l4_cksum = decode_l4_cksum(p, &in->l4, in->l4_len, true, 16);
    return PKT_OK;
}

static enum pkt_status decode_udp(const struct decode_opts *opts, struct pkt *p,
                                  const struct decode_l4_in *in)
{
    struct cur c = in->l4;
    if (!decode_ports(&c, p))
        return decode_short(in->complete);
    uint16_t udp_len = cur_be16(&c);
    uint16_t cksum = cur_be16(&c);
    if (c.short_read)
        return decode_short(in->complete);
    /* The 8 bytes were read from a cursor narrowed to l4_len, so l4_len >= 8 here. */
    uint32_t seg_len = in->l4_len;
    bool jumbo = udp_len == 0 && p->ip_version == 6; /* RFC 2675 4: the IP length rules */
    if (!jumbo && udp_len < 8)
        return PKT_MALFORMED;
    if (!jumbo && !p->is_fragment) { /* a first fragment's UDP length covers the datagram */
        if (udp_len > in->l4_len)
            return PKT_MALFORMED;
        seg_len = udp_len;
    }
    p->l4_complete = true;
    p->l4_payload_len = seg_len - 8;
    p->payload = c.p;
    p->payload_caplen = (uint32_t)(c.left < seg_len - 8 ? c.left : seg_len - 8);
    if (cksum == 0 && p->ip_version == 4)
        return PKT_OK; /* RFC 768: the sender computed none */
    if (decode_want_cksum(opts, p, &in->l4, seg_len))
        p->l4_cksum = decode_l4_cksum(p, &in->l4, seg_len, true, 6);
    return PKT_OK;
}

/* The quoted datagram's transport: ports and TCP sequence, or an ICMP echo's id and seq. */
static void decode_quote_l4(struct cur *q, uint8_t outer_proto, struct pkt_quote *qt)
{
    if (qt->proto == PROTO_TCP || qt->proto == PROTO_UDP) {
        uint16_t sport = cur_be16(q);
        uint16_t dport = cur_be16(q);
        if (q->short_read)
            return;
        qt->has_ports = true;
        qt->sport = sport;
        qt->dport = dport;
        if (qt->proto == PROTO_TCP) {
            uint32_t seq = cur_be32(q);
            qt->has_seq = !q->short_read;
            qt->seq = seq;
        }
    } else if (qt->proto == outer_proto) { /* ICMP in ICMP, ICMPv6 in ICMPv6 */
        uint8_t type = cur_u8(q);
        cur_skip(q, 3);
        uint16_t id = cur_be16(q);
        uint16_t seq = cur_be16(q);
        if (q->short_read || !decode_is_echo(qt->proto, type))
            return;
        qt->has_ports = true;
        qt->icmp_id = id;
        qt->icmp_seq = seq;
    }
}

/* RFC 792 / RFC 4443 2.4(c): the error carries the offending datagram's IP header and at
 * least 8 bytes after it. Its own cursor, bounded by the ICMP payload; a quote too short for
 * the ports still names the addresses. */
static void decode_quote(struct cur q, struct pkt *p)
{
    struct pkt_quote *qt = &p->quote;
    struct cur peek = q;
    if ((cur_u8(&peek) >> 4) != p->ip_version || peek.short_read)
        return;
    if (p->ip_version == 4) {
        uint8_t vihl = cur_u8(&q);
        cur_skip(&q, 3);
        qt->ip_id = cur_be16(&q);
        uint16_t frag = cur_be16(&q);
        qt->ttl = cur_u8(&q);
        qt->proto = cur_u8(&q);
        cur_skip(&q, 2);
        uint8_t a[4];
        cur_bytes(&q, a, 4);
        fw_addr_set4(&qt->src, a);
        cur_bytes(&q, a, 4);
        fw_addr_set4(&qt->dst, a);
        size_t hdr_len = (size_t)(vihl & 0x0f) * 4;
        if (q.short_read || hdr_len < 20)
            goto fail;
        p->has_quote = true;
        cur_skip(&q, hdr_len - 20);
        if (q.short_read || (frag & 0x1fff) != 0)
            return;
    } else {
        cur_skip(&q, 6);
        uint8_t nh = cur_u8(&q);
        qt->ttl = cur_u8(&q);
        uint8_t a[16];
        cur_bytes(&q, a, 16);
        fw_addr_set6(&qt->src, a);
        cur_bytes(&q, a, 16);
        fw_addr_set6(&qt->dst, a);
        if (q.short_read)
            goto fail;
        p->has_quote = true;
        uint16_t frag_off = 0;
        bool is_frag = false;
        bool ok = decode_ip6_ext(&q, &nh, &frag_off, &is_frag);
        qt->proto = nh;
        if (!ok || frag_off != 0)
            return;
    }
    decode_quote_l4(&q, p->proto, qt);
    return;
fail:
    *qt = (struct pkt_quote){ 0 };
}

static enum pkt_status decode_icmp(const struct decode_opts *opts, struct pkt *p,
                                   const struct decode_l4_in *in)
{
    struct cur c = in->l4;
    p->icmp_type = cur_u8(&c);
    p->icmp_code = cur_u8(&c);
    cur_skip(&c, 2); /* checksum */
    uint16_t id = cur_be16(&c);
    uint16_t seq = cur_be16(&c);
    if (c.short_read)
        return decode_short(in->complete);
    p->l4_complete = true;
    p->l4_payload_len = in->l4_len - 8;
    p->payload = c.p;
    p->payload_caplen = (uint32_t)c.left;
    if (decode_is_echo(p->proto, p->icmp_type)) {
        p->icmp_id = id;
        p->icmp_seq = seq;
    } else if (decode_is_icmp_error(p->proto, p->icmp_type)) {
        decode_quote(c, p);
    }
    if (decode_want_cksum(opts, p, &in->l4, in->l4_len))
        p->l4_cksum = decode_l4_cksum(p, &in->l4, in->l4_len, p->proto == PROTO_ICMP6, -1);
    return PKT_OK;
}

enum pkt_status decode_l4(const struct decode_opts *opts, struct pkt *p, struct decode_l4_in *in)
{
    switch (p->proto) {
    case PROTO_TCP:
        return decode_tcp(opts, p, in);
    case PROTO_UDP:
        return decode_udp(opts, p, in);
    case PROTO_ICMP:
    case PROTO_ICMP6:
        return decode_icmp(opts, p, in);
    default: /* GRE, ESP, SCTP...: counted as IP, the payload left alone */
        p->l4_payload_len = in->l4_len;
        p->payload = in->l4.p;
        p->payload_caplen = (uint32_t)in->l4.left;
        return PKT_OK;
    }
}
