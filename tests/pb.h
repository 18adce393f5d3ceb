/* tests/pb.h: a packet builder for tests. It writes whole frames (link header, IPv4 or IPv6,
 * TCP, UDP, ICMP, ICMPv6) with correct checksums into a struct pb, stamps them with a test
 * clock and hands them to any frame sink, or to a classic pcap file for golden cases. It
 * checks nothing about what it builds: decoding and analysis are left to the code under test.
 *
 *     struct pb b = pb_start(T0);                       (no pb_free: nothing is allocated)
 *     pb_tcp(&b, "198.51.100.10", 49500, "203.0.113.20", 6320, TH_SYN);
 *     b.next.ttl = 250;                                 (one-shot knob: next packet only)
 *     pb_tcp(&b, "203.0.113.20", 6320, "198.51.100.10", 49500, TH_RST | TH_ACK);
 *     pb_feed(&b, sink, ctx);                           (frames numbered 1, 2, ...)
 *
 * Addresses are text ("198.51.100.10", "2001:db8::1"); the IP version follows them. An
 * unparsable address or mixed families is a test bug: the call returns FW_EUSAGE. */
#ifndef FW_PB_H
#define FW_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/conn.h"
#include "analyze/decode.h"
#include "capture/frame.h"

#define PB_MAX_FRAMES 1024
#define PB_POOL_LEN (256u * 1024u)  /* bytes of all frames together */
#define PB_FRAME_MAX 9216u          /* one frame, link header included */
#define PB_DEFAULT_STEP_US 100000u  /* the clock advances 100 ms per frame */
#define PB_MAX_TAGS 8

/* Encapsulation between the Ethernet header and IP (persistent knob b->encap). */
enum pb_encap_kind { PB_ENCAP_NONE, PB_ENCAP_VLAN, PB_ENCAP_MPLS, PB_ENCAP_PPPOE };
struct pb_encap {
    enum pb_encap_kind kind;
    int count;                    /* VLAN tags or MPLS labels, outermost first */
    uint16_t tpid[PB_MAX_TAGS];   /* VLAN: 0x8100, 0x88a8, 0x9100 (0 means 0x8100) */
    uint32_t tag[PB_MAX_TAGS];    /* VLAN id, or MPLS label */
};

/* One-shot knobs: they apply to the next packet built and are then cleared to zero. */
struct pb_next {
    uint8_t ttl;              /* 0: b->ttl */
    bool set_ip_id;           /* use ip_id instead of b->ip_id (which still advances) */
    uint16_t ip_id;
    bool set_seq, set_ack;    /* TCP: override the automatic sequence/ack numbers */
    uint32_t seq, ack;
    uint32_t payload_len;     /* TCP/UDP/ICMP payload bytes (filled with a pattern) */
    uint16_t win;             /* 0: b->win */
    uint8_t tcp_opt_len;      /* TCP option bytes (NOPs), multiple of 4, at most 40 */
    uint8_t tcp_doff;         /* nonzero: write this data offset instead (malformed tests) */
    uint8_t ip_opt_len;       /* IPv4 option bytes (NOPs then EOL), multiple of 4, <= 40 */
    bool frag_mf;             /* IPv4 MF flag / IPv6 fragment header with M set */
    uint16_t frag_off;        /* fragment offset in 8-byte units (v6: adds a frag header) */
    bool v6_frag_hdr;         /* IPv6: add a fragment header even if offset 0 and no M */
    const uint8_t *v6_ext;    /* IPv6 extension header types to insert, in order: 0 (hop by
                               * hop), 43 (routing), 60 (destination options), 51 (AH) */
    int v6_ext_count;
    bool bad_ip_cksum, bad_l4_cksum; /* write a wrong checksum */
    uint16_t udp_len;         /* nonzero: write this UDP length field instead */
    uint16_t ip_len;          /* nonzero: write this IPv4 total / IPv6 payload length */
    uint32_t quote_len;       /* ICMP error: bytes of the quoted datagram (0: IPv4 header +
                               * 8 as RFC 792 asks; ICMPv6: all that fits in 1280) */
    uint32_t eth_pad;         /* Ethernet trailer bytes after the IP datagram */
    bool set_eth_src;         /* Ethernet: this source MAC instead of the one derived from the
                               * source address (a router forwarding or forging the packet) */
    uint8_t eth_src[6];
    uint32_t snaplen;         /* nonzero: capture only this many bytes of this frame */
};

struct pb_rec {
    uint32_t off, len, wirelen; /* where in the pool; captured and wire length */
    uint32_t ip_off;            /* offset of the IP header in the frame */
    uint64_t ts_us;
    int linktype;
};

struct pb_flow_seq { /* automatic TCP numbering, per direction */
    struct fw_addr src, dst;
    uint16_t sport, dport;
    uint32_t isn, next;
};

struct pb {
    uint8_t pool[PB_POOL_LEN];
    uint32_t pool_used;
    struct pb_rec rec[PB_MAX_FRAMES];
    size_t count;
    uint64_t now_us;          /* time stamp of the next frame */
    uint64_t step_us;         /* added after each frame */
    /* Persistent knobs. */
    int linktype;             /* FW_LINKTYPE_*: ETHERNET (default), RAW, IPV4, IPV6, NULL,
                               * LOOP, PPP, LINUX_SLL, LINUX_SLL2, IEEE802_11(_RADIOTAP) */
    struct pb_encap encap;    /* Ethernet only */
    bool null_swapped;        /* LINKTYPE_NULL: write the family in big-endian order */
    bool ppp_no_addr_ctl;     /* LINKTYPE_PPP: omit the ff 03 bytes */
    uint8_t ttl;              /* default 64 */
    uint16_t ip_id;           /* next IPv4 id, advances by one per IPv4 packet */
    uint16_t win;             /* default 64240 */
    int vantage;              /* put into every frame handed out */
    struct pb_next next;
    struct pb_flow_seq seqs[32];
    int nseqs;
};

/* A builder at time t0_us with default knobs. Large (about 300 KB): fine on a test's stack. */
struct pb pb_start(uint64_t t0_us);
void pb_init(struct pb *b, uint64_t t0_us);

/* Each returns the 0-based index of the frame it built (its frame number is index + 1), or
 * a negative FW_E* code. TCP sequence numbers are automatic unless b->next says otherwise:
 * each direction starts from a fixed ISN, SYN always carries the ISN (so a repeated SYN is a
 * retransmission), SYN/FIN/payload advance it, and ACK carries the peer's next number. */
int pb_tcp(struct pb *b, const char *src, uint16_t sport, const char *dst, uint16_t dport,
           uint8_t flags);
int pb_udp(struct pb *b, const char *src, uint16_t sport, const char *dst, uint16_t dport,
           uint32_t payload_len);
/* The sequence number the next segment from src:sport to dst:dport gets (0: none sent yet).
 * To send a segment again, set b->next.set_seq to it before the first sending; the automatic
 * numbering still moves on with every segment, so send nothing new on that side afterwards. */
uint32_t pb_tcp_seq(struct pb *b, const char *src, uint16_t sport, const char *dst,
                    uint16_t dport);
/* The three-way handshake SYN, SYN-ACK, ACK between client:cport and server:sport, built with
 * pb_tcp(); returns the index of the SYN or the first negative FW_E* code. */
int pb_handshake(struct pb *b, const char *client, uint16_t cport, const char *server,
                 uint16_t sport);
/* ICMP echo (8/0) or ICMPv6 echo (128/129). */
int pb_icmp_echo(struct pb *b, const char *src, const char *dst, bool reply, uint16_t id,
                 uint16_t seq);
/* An ICMP (or ICMPv6, by family) error from `from` to `to`, quoting frame quoted_index.
 * "Fragmentation needed" (3/4) carries a next-hop MTU of 1400, "packet too big" 1280. */
int pb_icmp_error(struct pb *b, const char *from, const char *to, uint8_t type, uint8_t code,
                  int quoted_index);
/* An IP packet of any protocol with payload_len bytes of pattern after the IP header. */
int pb_ip(struct pb *b, const char *src, const char *dst, uint8_t proto, uint32_t payload_len);
/* The MAC pb derives from an address on Ethernet (02:00:5e:10:00:<its last byte>): whose frame
 * it is unless b->next.eth_src says otherwise. */
void pb_mac_of(const char *addr, uint8_t mac[6]);
/* ARP over Ethernet (RFC 826): a reply "ip is-at mac" to `to` (op 2), or a request from ip/mac
 * for `to` (op 1, broadcast). */
int pb_arp(struct pb *b, uint16_t op, const char *ip, const uint8_t mac[6], const char *to);
/* An IPv6 neighbour advertisement (RFC 4861 4.4, hop limit 255) from `from` to `to` for
 * target, with its target link-layer address option mac; the frame leaves from mac. */
int pb_ndp_na(struct pb *b, const char *from, const char *to, const char *target,
              const uint8_t mac[6]);
/* A frame of exactly these bytes (link header included), e.g. ARP or a hand-made oddity. */
int pb_raw(struct pb *b, int linktype, const uint8_t *bytes, uint32_t len);

void pb_at(struct pb *b, uint64_t t_us);    /* the next frame is stamped t_us */
void pb_wait(struct pb *b, uint64_t dt_us); /* the clock moves on by dt_us */

size_t pb_count(const struct pb *b);
/* Frame i (0-based) as a source would hand it over: number i + 1, b->vantage. */
struct frame pb_frame(const struct pb *b, size_t i);
/* Hands every frame to fn, in order. */
void pb_feed(const struct pb *b, frame_sink_fn fn, void *ctx);
/* Classic pcap, microsecond stamps, snaplen 65535; all frames must share one link type. */
int pb_write_pcap(const struct pb *b, const char *path);

/* The connection records an analysis ended, for tests to inspect: pass pb_conns_sink and a
 * zeroed struct pb_conns to analyzer_new(). The first PB_CONNS_MAX are kept, n of them. */
#define PB_CONNS_MAX 8
struct pb_conns {
    struct conn_record rec[PB_CONNS_MAX];
    int n;
};
void pb_conns_sink(void *ctx, const struct conn_record *r);

/* Internal to pb.c and pb_link.c: writes the link header that ends at buf[ip_at] for the
 * IP datagram there; returns where the frame starts. */
uint32_t pb_link_wrap(const struct pb *b, uint8_t *buf, uint32_t ip_at, uint8_t version);

#endif
