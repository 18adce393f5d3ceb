/* analyze/decode.h: one frame's bytes in, a small struct pkt out. The decoder is the only
 * code that reads packet bytes; everything after it works on struct pkt. It leaves flows,
 * states and verdicts to others. Every read goes through a bounded cursor (common/cur.h). */
#ifndef FW_DECODE_H
#define FW_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "../capture/frame.h"
#include "addr.h"

/* Outcome of decoding one frame. Truncated (the capture stopped early) and malformed (the
 * fields contradict each other) are kept apart: both are counted, neither stops a run. */
#define PKT_STATUSES(X)                                              \
    X(PKT_OK,               "ok")                                    \
    X(PKT_TRUNCATED,        "truncated")                             \
    X(PKT_MALFORMED,        "malformed")                             \
    X(PKT_NOT_IP,           "not IP")                                \
    X(PKT_UNSUPPORTED_LINK, "unsupported link type")                 \
    X(PKT_FRAGMENT,         "IP fragment (not the first)")
#define PKT_ENUM(name, text) name,
enum pkt_status { PKT_STATUSES(PKT_ENUM) PKT_STATUS_COUNT };
#undef PKT_ENUM
const char *pkt_status_name(enum pkt_status s);

/* CKSUM_PARTIAL: wrong, and the field holds just the pseudo-header's sum: the sender left
 * the rest to its network card (checksum offload), which fills it on the way out; a capture
 * on that sender (or across a virtual link, which never fills it) sees it so. Not damage. */
enum pkt_cksum { CKSUM_UNCHECKED, CKSUM_OK, CKSUM_BAD, CKSUM_PARTIAL };

/* The datagram that an ICMP or ICMPv6 error quotes (RFC 792: IP header plus at least the
 * first 8 bytes of the transport header; RFC 4443: as much as fits). */
struct pkt_quote {
    struct fw_addr src, dst;
    uint8_t proto;   /* IPPROTO_* of the quoted transport */
    uint8_t ttl;     /* as the erroring node received it */
    uint16_t ip_id;
    bool has_ports;  /* the quote reached far enough for the two ports */
    uint16_t sport, dport;
    bool has_seq;    /* TCP: the quote includes the sequence number */
    uint32_t seq;
    uint16_t icmp_id; /* quoted ICMP echo: identifier and sequence (has_ports set too) */
    uint16_t icmp_seq;
};

struct pkt {
    enum pkt_status status;
    int linktype;
    /* Ethernet: the frame's source MAC (who put it on this link: the host itself, or the
     * router that forwarded or forged it). Other link types leave has_l2 false. */
    bool has_l2;
    uint8_t l2_src[6];
    uint8_t ip_version;   /* 4 or 6; 0 when the frame held no IP */
    struct fw_addr src, dst;
    uint8_t proto;        /* transport IPPROTO_*, after any IPv6 extension headers */
    uint8_t ttl;          /* IPv4 TTL or IPv6 hop limit */
    uint16_t ip_id;       /* IPv4 identification (0 for IPv6) */
    uint32_t ip_len;      /* datagram length the IP header claims, header included */
    bool is_fragment;     /* part of a fragmented datagram (first fragment included) */
    enum pkt_cksum ip_cksum;  /* IPv4 header checksum, if asked to verify */

    /* Transport. has_ports: at least the first 4 bytes of the transport header were
     * captured; l4_complete: the whole header was (otherwise status is PKT_TRUNCATED). */
    bool has_ports, l4_complete;
    uint16_t sport, dport;        /* TCP/UDP ports */
    uint8_t tcp_flags;            /* TH_FIN 0x01 .. TH_CWR 0x80 */
    uint32_t seq, ack;
    uint16_t win;
    uint32_t l4_payload_len;      /* payload bytes per the IP length (not the capture) */
    enum pkt_cksum l4_cksum;      /* TCP/UDP/ICMP checksum, if asked and fully captured */

    uint8_t icmp_type, icmp_code; /* ICMP or ICMPv6 */
    uint16_t icmp_id, icmp_seq;   /* echo request and reply */
    bool has_quote;               /* an ICMP error whose quoted header was decoded */
    struct pkt_quote quote;

    const uint8_t *payload;       /* transport payload, borrowed from the frame */
    uint32_t payload_caplen;      /* how much of it was captured */
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

struct decode_opts {
    bool verify_checksums; /* compute IP and transport checksums (costs time) */
};

/* Decodes f into *out (always fully written) and returns out->status. */
enum pkt_status decode_frame(const struct frame *f, const struct decode_opts *opts,
                             struct pkt *out);

/* True if decode_frame() knows how to read frames of this link type. */
bool decode_has_linktype(int linktype);

#endif
