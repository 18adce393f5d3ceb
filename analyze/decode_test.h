/* analyze/decode_test.h: what the decoder's unit tests share (include after <cmocka.h>).
 * dt_decode() decodes a frame the packet builder made, after decoding every prefix of it
 * (caplen 0 .. n-1), each from an exact-size heap copy so that ASan sees any read past the
 * capture, and checks that a prefix never claims more than was captured. */
#ifndef FW_DECODE_TEST_H
#define FW_DECODE_TEST_H

#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "tests/pb.h"

#define DT_A4 "198.51.100.10"
#define DT_B4 "203.0.113.20"
#define DT_R4 "192.0.2.1"
#define DT_A6 "2001:db8::10"
#define DT_B6 "2001:db8:1::20"
#define DT_R6 "2001:db8:ff::1"

static inline enum pkt_status dt_decode_copy(const struct frame *f, uint32_t caplen,
                                             bool cksum, struct pkt *out)
{
    uint8_t *copy = malloc(caplen > 0 ? caplen : 1);
    assert_non_null(copy);
    memcpy(copy, f->bytes, caplen);
    struct frame g = *f;
    g.bytes = copy;
    g.caplen = caplen;
    struct decode_opts opts = { .verify_checksums = cksum };
    enum pkt_status st = decode_frame(&g, &opts, out);
    assert_int_equal(st, out->status);
    assert_true((unsigned)st < PKT_STATUS_COUNT);
    if (out->payload != NULL) { /* the payload lies inside what was captured */
        assert_true(out->payload >= copy && out->payload <= copy + caplen);
        assert_true(out->payload_caplen <= (uint32_t)(copy + caplen - out->payload));
    } else {
        assert_int_equal(out->payload_caplen, 0);
    }
    free(copy);
    out->payload = NULL; /* it pointed into the copy */
    return st;
}

/* Decodes frame i of b (checksums verified if cksum); returns the full frame's result with
 * payload pointing into b. Every prefix must decode to the full frame's status or to
 * PKT_TRUNCATED, never to something else (a short capture is not a malformed packet), and
 * any ports it reports must be the right ones. */
static inline struct pkt dt_decode(const struct pb *b, size_t i, bool cksum)
{
    struct frame f = pb_frame(b, i);
    struct pkt full, part;
    dt_decode_copy(&f, f.caplen, cksum, &full);
    for (uint32_t n = 0; n < f.caplen; n++) {
        enum pkt_status st = dt_decode_copy(&f, n, cksum, &part);
        if (st != full.status && st != PKT_TRUNCATED)
            fail_msg("prefix of %u bytes: %s, full frame: %s", n, pkt_status_name(st),
                     pkt_status_name(full.status));
        if (part.has_ports) {
            assert_int_equal(part.sport, full.sport);
            assert_int_equal(part.dport, full.dport);
        }
        if (part.l4_cksum == CKSUM_BAD)
            assert_int_equal(full.l4_cksum, CKSUM_BAD);
    }
    struct decode_opts opts = { .verify_checksums = cksum };
    decode_frame(&f, &opts, &full);
    return full;
}

static inline struct fw_addr dt_addr(const char *text)
{
    struct fw_addr a;
    assert_true(fw_addr_parse(&a, text));
    return a;
}

static inline void dt_assert_addr(const struct fw_addr *a, const char *text)
{
    struct fw_addr want = dt_addr(text);
    assert_true(fw_addr_eq(a, &want));
}

/* A byte of frame i at offset off from its IP header (negative: into the link header). */
static inline uint8_t *dt_ip_byte(struct pb *b, size_t i, int off)
{
    return &b->pool[(int64_t)b->rec[i].off + b->rec[i].ip_off + off];
}

#endif
