/* bench/gen_pkt.h: builds single Ethernet frames (IPv4 or IPv6; TCP, UDP, ICMP echo and ICMP
 * errors) with correct lengths and checksums, for the benchmark traffic generator. It knows
 * nothing of connections or files: bench/gen.c decides what to send and writes it out. */
#ifndef FW_GEN_PKT_H
#define FW_GEN_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest frame built: Ethernet (14) + a 1500-byte IP datagram. */
#define GEN_FRAME_MAX 1514

/* The IP layer of one frame: who sends to whom, and the header fields that vary. */
struct gen_ip {
    bool v6;
    uint8_t src[16], dst[16]; /* IPv4 addresses use the first 4 bytes */
    uint8_t ttl;              /* or IPv6 hop limit */
    uint16_t ip_id;           /* IPv4 only */
};

/* Each builder writes one frame into buf (GEN_FRAME_MAX bytes) and returns its length, padded
 * to Ethernet's 60-byte minimum as a tap on the wire would see it. The caller keeps payload
 * lengths within the 1500-byte MTU. */
size_t gen_pkt_tcp(uint8_t *buf, const struct gen_ip *ip, uint16_t sport, uint16_t dport,
                   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload,
                   size_t payload_len);
size_t gen_pkt_udp(uint8_t *buf, const struct gen_ip *ip, uint16_t sport, uint16_t dport,
                   const uint8_t *payload, size_t payload_len);
size_t gen_pkt_echo(uint8_t *buf, const struct gen_ip *ip, bool reply, uint16_t id,
                    uint16_t seq, const uint8_t *payload, size_t payload_len);
/* An ICMP (or ICMPv6) error quoting quote_len bytes of an earlier datagram (IP header on). */
size_t gen_pkt_icmp_error(uint8_t *buf, const struct gen_ip *ip, uint8_t type, uint8_t code,
                          const uint8_t *quote, size_t quote_len);

/* Offset of the IP header in every frame built here. */
#define GEN_ETH_LEN 14

#endif
