/* analyze/decode_int.h: how the decoder's files hand work to each other. decode.c reads the
 * link layer, decode_ip.c the IPv4/IPv6 headers and checksums, decode_l4.c TCP, UDP, ICMP
 * and the datagram an ICMP error quotes. Not for use outside analyze/decode*.c. */
#ifndef FW_DECODE_INT_H
#define FW_DECODE_INT_H

#include "common/cur.h"
#include "decode.h"

/* What the IP layer hands to the transport decoder. */
struct decode_l4_in {
    struct cur l4;    /* transport header and payload: captured part of the datagram */
    uint32_t l4_len;  /* transport length as the IP header says (may exceed l4.left) */
    bool complete;    /* the whole datagram was captured: a short read is a contradiction */
};

/* A header ran past the cursor: truncated if the capture stopped early, malformed if the
 * whole datagram was captured (then its declared length is too short for the header). */
static inline enum pkt_status decode_short(bool complete)
{
    return complete ? PKT_MALFORMED : PKT_TRUNCATED;
}

/* Decodes an IPv4 or IPv6 datagram at c (version nibble decides) into p; on PKT_OK the
 * transport is left in *in for decode_l4(). */
enum pkt_status decode_ip(struct cur *c, const struct decode_opts *opts, struct pkt *p,
                          struct decode_l4_in *in);

/* Decodes the transport header (and an ICMP error's quote) into p. */
enum pkt_status decode_l4(const struct decode_opts *opts, struct pkt *p, struct decode_l4_in *in);

/* Walks IPv6 extension headers (RFC 8200 4, RFC 4302 for AH) from *nh until an upper-layer
 * protocol, ESP or no-next-header; *frag_off and *is_frag report a fragment header. False if the
 * headers ran past the cursor (short_read tells a short capture) or nested too deep. */
bool decode_ip6_ext(struct cur *c, uint8_t *nh, uint16_t *frag_off, bool *is_frag);

/* One's complement sum (RFC 1071) of the first n bytes at c, which must hold them
 * (n <= c->left); added to acc without folding. */
uint64_t decode_sum(const struct cur *c, size_t n, uint64_t acc);
/* Folds an accumulated sum to 16 bits and complements it: 0 means the checksum verified. */
uint16_t decode_sum_fold(uint64_t acc);
/* The pseudo-header sum (RFC 793/768 for IPv4, RFC 8200 8.1 for IPv6) of p's addresses. */
uint64_t decode_pseudo_sum(const struct pkt *p, uint8_t proto, uint32_t len);

#endif
