/* tests/pb.c: the test packet builder. Transport header first, then the IP header around it
 * (checksums with the RFC 768/793/4443 pseudo-header, ICMPv4 without), then the link header
 * around that; the frame is copied into the builder's pool and stamped with its clock. Link
 * and pcap file output live in tests/pb_link.c. It validates nothing it builds: that is the
 * decoder's and the analyzer's business. */
#include "pb.h"

#include <string.h>

/* Headroom before the IP header for the largest link header (radiotap + 802.11 + SNAP, or
 * Ethernet with PB_MAX_TAGS tags). */
#define PB_HEADROOM 96u
#define PB_ICMP6_MTU 1280u /* RFC 4443 2.4(c): an ICMPv6 error fits the minimum MTU */

void pb_init(struct pb *b, uint64_t t0_us)
{
    memset(b, 0, sizeof *b);
    b->now_us = t0_us;
    b->step_us = PB_DEFAULT_STEP_US;
    b->linktype = FW_LINKTYPE_ETHERNET;
    b->ttl = 64;
    b->ip_id = 0x1000;
    b->win = 64240;
}

struct pb pb_start(uint64_t t0_us)
{
    struct pb b;
    pb_init(&b, t0_us);
    return b;
}

void pb_at(struct pb *b, uint64_t t_us)
{
    b->now_us = t_us;
}

void pb_wait(struct pb *b, uint64_t dt_us)
{
    b->now_us += dt_us;
}

size_t pb_count(const struct pb *b)
{
    return b->count;
}

static void pb_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void pb_put32(uint8_t *p, uint32_t v)
{
    pb_put16(p, (uint16_t)(v >> 16));
    pb_put16(p + 2, (uint16_t)v);
}

static uint32_t pb_sum(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

static uint16_t pb_fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

static int pb_addrs(const char *src, const char *dst, struct fw_addr *s, struct fw_addr *d)
{
    if (!fw_addr_parse(s, src) || !fw_addr_parse(d, dst) || s->family != d->family)
        return FW_EUSAGE;
    return 0;
}

/* Stores a finished frame (buf[at .. at+len), IP header at ip_at) and clears b->next. */
static int pb_store(struct pb *b, const uint8_t *buf, uint32_t at, uint32_t len, uint32_t ip_at,
                    int linktype)
{
    uint32_t caplen = len;
    if (b->next.snaplen != 0 && b->next.snaplen < caplen)
        caplen = b->next.snaplen;
    if (b->count >= PB_MAX_FRAMES || len > PB_FRAME_MAX || PB_POOL_LEN - b->pool_used < caplen)
        return FW_ENOMEM;
    struct pb_rec *r = &b->rec[b->count];
    r->off = b->pool_used;
    r->len = caplen;
    r->wirelen = len;
    r->ip_off = ip_at - at;
    r->ts_us = b->now_us;
    r->linktype = linktype;
    memcpy(b->pool + b->pool_used, buf + at, caplen);
    b->pool_used += caplen;
    b->now_us += b->step_us;
    memset(&b->next, 0, sizeof b->next);
    return (int)b->count++;
}

int pb_raw(struct pb *b, int linktype, const uint8_t *bytes, uint32_t len)
{
    return pb_store(b, bytes, 0, len, 0, linktype);
}

/* Writes the IPv6 extension headers that b->next asks for at p; returns their length and
 * chains next-header values so that the last one names proto. */
static uint32_t pb_v6_ext(const struct pb *b, uint8_t *p, uint8_t proto, uint8_t *first)
{
    uint8_t types[PB_MAX_TAGS + 1];
    int n = 0;
    for (int i = 0; i < b->next.v6_ext_count && i < PB_MAX_TAGS; i++)
        types[n++] = b->next.v6_ext[i];
    if (b->next.v6_frag_hdr || b->next.frag_off != 0 || b->next.frag_mf)
        types[n++] = 44;
    uint32_t len = 0;
    *first = n > 0 ? types[0] : proto;
    for (int i = 0; i < n; i++) {
        uint8_t *h = p + len;
        uint8_t nh = i + 1 < n ? types[i + 1] : proto;
        uint32_t hlen = types[i] == 51 ? 24u : 8u;
        memset(h, 0, hlen);
        h[0] = nh;
        if (types[i] == 51) {
            h[1] = 4; /* RFC 4302: length in 4-byte units, minus 2 */
            pb_put32(h + 4, 0x100);
        } else if (types[i] == 44) {
            pb_put16(h + 2, (uint16_t)(b->next.frag_off << 3 | (b->next.frag_mf ? 1 : 0)));
            pb_put32(h + 4, 0xabcd0000u | b->ip_id);
        } else if (types[i] == 60 || types[i] == 0) {
            h[2] = 1; /* PadN option covering the rest of the 8 bytes */
            h[3] = 4;
        }
        len += hlen;
    }
    return len;
}

/* Builds IP around the transport bytes already at buf[PB_HEADROOM + 60 + 64 ...]: l4 points
 * there. cksum_at: offset of the transport checksum in l4, or -1. */
static int pb_emit(struct pb *b, const struct fw_addr *s, const struct fw_addr *d, uint8_t proto,
                   uint8_t *l4, uint32_t l4_len, int cksum_at, uint8_t *buf)
{
    bool v6 = s->family == 6;
    uint8_t ext[PB_MAX_TAGS * 24 + 8];
    uint8_t first = proto;
    uint32_t ext_len = v6 ? pb_v6_ext(b, ext, proto, &first) : 0;
    uint32_t opt_len = v6 ? 0 : b->next.ip_opt_len;
    uint32_t hdr_len = (v6 ? 40 : 20 + opt_len) + ext_len;
    uint32_t ip_at = (uint32_t)(l4 - buf) - hdr_len;
    uint8_t *ip = buf + ip_at;
    uint8_t ttl = b->next.ttl != 0 ? b->next.ttl : b->ttl;
    uint16_t id = b->next.set_ip_id ? b->next.ip_id : b->ip_id;

    if (cksum_at >= 0) {
        uint32_t acc = 0;
        if (proto != 1) { /* pseudo-header: RFC 793/768 for IPv4, RFC 8200 8.1 for IPv6 */
            acc = pb_sum(s->b, v6 ? 16 : 4, acc);
            acc = pb_sum(d->b, v6 ? 16 : 4, acc);
            acc += proto + l4_len;
        }
        pb_put16(l4 + cksum_at, 0);
        uint16_t ck = pb_fold(pb_sum(l4, l4_len, acc));
        if (proto == 17 && ck == 0)
            ck = 0xffff; /* RFC 768: zero means "no checksum" */
        if (b->next.bad_l4_cksum)
            ck ^= 0x0f0f;
        pb_put16(l4 + cksum_at, ck);
    }
    if (v6) {
        uint16_t plen = b->next.ip_len ? b->next.ip_len : (uint16_t)(ext_len + l4_len);
        pb_put32(ip, 0x60000000u);
        pb_put16(ip + 4, plen);
        ip[6] = first;
        ip[7] = ttl;
        memcpy(ip + 8, s->b, 16);
        memcpy(ip + 24, d->b, 16);
        memcpy(ip + 40, ext, ext_len);
    } else {
        uint16_t tot = b->next.ip_len ? b->next.ip_len : (uint16_t)(hdr_len + l4_len);
        ip[0] = (uint8_t)(0x40 | (hdr_len / 4));
        ip[1] = 0;
        pb_put16(ip + 2, tot);
        pb_put16(ip + 4, id);
        pb_put16(ip + 6, (uint16_t)((b->next.frag_mf ? 0x2000 : 0) | (b->next.frag_off & 0x1fff)));
        ip[8] = ttl;
        ip[9] = proto;
        memcpy(ip + 12, s->b, 4);
        memcpy(ip + 16, d->b, 4);
        memset(ip + 20, 1, opt_len); /* NOPs ... */
        if (opt_len > 0)
            ip[20 + opt_len - 1] = 0; /* ... and EOL */
        pb_put16(ip + 10, 0);
        uint16_t ck = pb_fold(pb_sum(ip, hdr_len, 0));
        pb_put16(ip + 10, b->next.bad_ip_cksum ? (uint16_t)(ck ^ 0x0f0f) : ck);
    }
    if (!v6)
        b->ip_id++;
    uint32_t end = (uint32_t)(l4 - buf) + l4_len;
    if (b->linktype == FW_LINKTYPE_ETHERNET)
        for (uint32_t i = 0; i < b->next.eth_pad; i++)
            buf[end++] = 0;
    uint32_t at = pb_link_wrap(b, buf, ip_at, v6 ? 6 : 4);
    return pb_store(b, buf, at, end - at, ip_at, b->linktype);
}

/* Room before the transport header: link header, IPv4 options or IPv6 extension headers. */
#define PB_L4_AT (PB_HEADROOM + 64u + PB_MAX_TAGS * 24u + 8u)
#define PB_BUF_LEN (PB_L4_AT + PB_FRAME_MAX)

static void pb_fill(uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)('a' + i % 26);
}

static struct pb_flow_seq *pb_seq_find(struct pb *b, const struct fw_addr *s, uint16_t sport,
                                       const struct fw_addr *d, uint16_t dport, bool create)
{
    for (int i = 0; i < b->nseqs; i++) {
        struct pb_flow_seq *e = &b->seqs[i];
        if (e->sport == sport && e->dport == dport && fw_addr_eq(&e->src, s) &&
            fw_addr_eq(&e->dst, d))
            return e;
    }
    if (!create)
        return NULL;
    struct pb_flow_seq *e = &b->seqs[b->nseqs < 32 ? b->nseqs++ : 31];
    e->src = *s;
    e->dst = *d;
    e->sport = sport;
    e->dport = dport;
    e->isn = 0x10000000u + (uint32_t)b->nseqs * 0x01000000u;
    e->next = e->isn;
    return e;
}

uint32_t pb_tcp_seq(struct pb *b, const char *src, uint16_t sport, const char *dst,
                    uint16_t dport)
{
    struct fw_addr s, d;
    if (pb_addrs(src, dst, &s, &d) != 0)
        return 0;
    const struct pb_flow_seq *e = pb_seq_find(b, &s, sport, &d, dport, false);
    return e != NULL ? e->next : 0;
}

int pb_tcp(struct pb *b, const char *src, uint16_t sport, const char *dst, uint16_t dport,
           uint8_t flags)
{
    struct fw_addr s, d;
    if (pb_addrs(src, dst, &s, &d) != 0 || b->next.tcp_opt_len > 40 ||
        b->next.payload_len > PB_FRAME_MAX - 200)
        return FW_EUSAGE;
    uint8_t buf[PB_BUF_LEN];
    uint8_t *t = buf + PB_L4_AT;
    uint32_t hlen = 20u + b->next.tcp_opt_len, plen = b->next.payload_len;

    struct pb_flow_seq *e = pb_seq_find(b, &s, sport, &d, dport, true);
    struct pb_flow_seq *peer = pb_seq_find(b, &d, dport, &s, sport, false);
    uint32_t seq = (flags & TH_SYN) ? e->isn : e->next;
    e->next = seq + plen + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
    uint32_t ack = (flags & TH_ACK) && peer != NULL ? peer->next : 0;

    pb_put16(t, sport);
    pb_put16(t + 2, dport);
    pb_put32(t + 4, b->next.set_seq ? b->next.seq : seq);
    pb_put32(t + 8, b->next.set_ack ? b->next.ack : ack);
    t[12] = (uint8_t)((b->next.tcp_doff ? b->next.tcp_doff : hlen / 4) << 4);
    t[13] = flags;
    pb_put16(t + 14, b->next.win ? b->next.win : b->win);
    pb_put16(t + 16, 0);
    pb_put16(t + 18, 0);
    memset(t + 20, 1, b->next.tcp_opt_len);
    pb_fill(t + hlen, plen);
    return pb_emit(b, &s, &d, 6, t, hlen + plen, 16, buf);
}

int pb_handshake(struct pb *b, const char *client, uint16_t cport, const char *server,
                 uint16_t sport)
{
    int syn = pb_tcp(b, client, cport, server, sport, TH_SYN);
    if (syn < 0)
        return syn;
    int rc = pb_tcp(b, server, sport, client, cport, TH_SYN | TH_ACK);
    if (rc >= 0)
        rc = pb_tcp(b, client, cport, server, sport, TH_ACK);
    return rc < 0 ? rc : syn;
}

int pb_udp(struct pb *b, const char *src, uint16_t sport, const char *dst, uint16_t dport,
           uint32_t payload_len)
{
    struct fw_addr s, d;
    if (pb_addrs(src, dst, &s, &d) != 0 || payload_len > PB_FRAME_MAX - 200)
        return FW_EUSAGE;
    uint8_t buf[PB_BUF_LEN];
    uint8_t *u = buf + PB_L4_AT;
    pb_put16(u, sport);
    pb_put16(u + 2, dport);
    pb_put16(u + 4, b->next.udp_len ? b->next.udp_len : (uint16_t)(8 + payload_len));
    pb_fill(u + 8, payload_len);
    return pb_emit(b, &s, &d, 17, u, 8 + payload_len, 6, buf);
}

int pb_ip(struct pb *b, const char *src, const char *dst, uint8_t proto, uint32_t payload_len)
{
    struct fw_addr s, d;
    if (pb_addrs(src, dst, &s, &d) != 0 || payload_len > PB_FRAME_MAX - 200)
        return FW_EUSAGE;
    uint8_t buf[PB_BUF_LEN];
    pb_fill(buf + PB_L4_AT, payload_len);
    return pb_emit(b, &s, &d, proto, buf + PB_L4_AT, payload_len, -1, buf);
}

int pb_icmp_echo(struct pb *b, const char *src, const char *dst, bool reply, uint16_t id,
                 uint16_t seq)
{
    struct fw_addr s, d;
    uint32_t plen = b->next.payload_len;
    if (pb_addrs(src, dst, &s, &d) != 0 || plen > PB_FRAME_MAX - 200)
        return FW_EUSAGE;
    uint8_t buf[PB_BUF_LEN];
    uint8_t *m = buf + PB_L4_AT;
    bool v6 = s.family == 6;
    m[0] = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
    m[1] = 0;
    pb_put16(m + 4, id);
    pb_put16(m + 6, seq);
    pb_fill(m + 8, plen);
    return pb_emit(b, &s, &d, v6 ? 58 : 1, m, 8 + plen, 2, buf);
}

int pb_icmp_error(struct pb *b, const char *from, const char *to, uint8_t type, uint8_t code,
                  int quoted_index)
{
    struct fw_addr s, d;
    if (pb_addrs(from, to, &s, &d) != 0 || quoted_index < 0 || (size_t)quoted_index >= b->count)
        return FW_EUSAGE;
    const struct pb_rec *r = &b->rec[quoted_index];
    const uint8_t *q = b->pool + r->off + r->ip_off;
    uint32_t have = r->len - r->ip_off, want;
    bool v6 = s.family == 6;
    if (have < 20 || (q[0] >> 4) != (v6 ? 6 : 4))
        return FW_EUSAGE;
    if (v6) {
        uint32_t dgram = 40u + (uint32_t)(q[4] << 8 | q[5]);
        want = dgram < PB_ICMP6_MTU - 48 ? dgram : PB_ICMP6_MTU - 48;
    } else {
        want = (q[0] & 0x0fu) * 4u + 8u;
    }
    if (b->next.quote_len != 0)
        want = b->next.quote_len;
    if (want > have)
        want = have;
    uint8_t buf[PB_BUF_LEN];
    uint8_t *m = buf + PB_L4_AT;
    memset(m, 0, 8);
    m[0] = type;
    m[1] = code;
    if (v6 && type == 2)
        pb_put32(m + 4, 1280); /* Packet Too Big: the MTU */
    if (!v6 && type == 3 && code == 4)
        pb_put16(m + 6, 1400); /* fragmentation needed: the next hop's MTU (RFC 1191) */
    memcpy(m + 8, q, want);
    return pb_emit(b, &s, &d, v6 ? 58 : 1, m, 8 + want, 2, buf);
}

int pb_ndp_na(struct pb *b, const char *from, const char *to, const char *target,
              const uint8_t mac[6])
{
    struct fw_addr s, d, t;
    if (pb_addrs(from, to, &s, &d) != 0 || s.family != 6 || !fw_addr_parse(&t, target) ||
        t.family != 6)
        return FW_EUSAGE;
    uint8_t buf[PB_BUF_LEN];
    uint8_t *m = buf + PB_L4_AT;
    memset(m, 0, 32);
    m[0] = 136;
    m[4] = 0x60; /* solicited, override */
    memcpy(m + 8, t.b, 16);
    m[24] = 2; /* target link-layer address, 1 unit of 8 bytes */
    m[25] = 1;
    memcpy(m + 26, mac, 6);
    b->next.ttl = 255;
    b->next.set_eth_src = true;
    memcpy(b->next.eth_src, mac, 6);
    return pb_emit(b, &s, &d, 58, m, 32, 2, buf);
}

void pb_conns_sink(void *ctx, const struct conn_record *r)
{
    struct pb_conns *o = ctx;
    if (o->n < PB_CONNS_MAX)
        o->rec[o->n++] = *r;
}
