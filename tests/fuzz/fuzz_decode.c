/* tests/fuzz/fuzz_decode.c: libFuzzer target for the packet decoder (analyze/decode*.c).
 * Input (fuzz_common.h): a link-type byte, an options byte, the frame. With FZ_DECODE_QUOTE
 * the bytes are the datagram an ICMP (or ICMPv6) error quotes, wrapped in a valid raw IP
 * frame, so the fuzzer works on the quote decoder directly. The frame is copied to a buffer of
 * its exact size: a read past its end is an ASan report. What must hold besides no crash:
 * the payload lies inside the frame, checksum verification changes no decoded field, and a
 * quoted IPv4 header decodes to exactly what its bytes say. */
#include <stdlib.h>
#include <string.h>

#include "analyze/decode.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* A raw IPv4 datagram (or IPv6 with v6) holding an ICMP error that quotes q[0..n). */
static size_t wrap_quote(uint8_t *out, bool v6, const uint8_t *q, size_t n)
{
    size_t ip = v6 ? 40 : 20, len = ip + 8 + n;
    memset(out, 0, ip + 8);
    if (v6) {
        out[0] = 0x60;
        out[4] = (uint8_t)((8 + n) >> 8);
        out[5] = (uint8_t)(8 + n);
        out[6] = 58;
        out[7] = 64;
        out[8] = 0x20, out[9] = 0x01, out[10] = 0x0d, out[11] = 0xb8, out[23] = 1;
        out[24] = 0x20, out[25] = 0x01, out[26] = 0x0d, out[27] = 0xb8, out[39] = 2;
        out[40] = 1; /* destination unreachable */
        out[41] = 4; /* port unreachable */
    } else {
        out[0] = 0x45;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        out[8] = 64;
        out[9] = 1;
        out[12] = 192, out[13] = 0, out[14] = 2, out[15] = 1;
        out[16] = 198, out[17] = 51, out[18] = 100, out[19] = 10;
        out[20] = 3;  /* destination unreachable */
        out[21] = 13; /* administratively prohibited */
    }
    memcpy(out + ip + 8, q, n);
    return len;
}

/* An IPv4 quote: the decoder must report exactly what the quoted header says. */
static void check_quote4(const struct pkt *p, const uint8_t *q, size_t n)
{
    if (n == 0) {
        CHECK(!p->has_quote);
        return;
    }
    size_t hl = (size_t)(q[0] & 0x0f) * 4;
    bool whole = n >= 20 && q[0] >> 4 == 4 && hl >= 20;
    CHECK(p->has_quote == whole);
    if (!whole)
        return;
    CHECK(p->quote.src.family == 4 && memcmp(p->quote.src.b, q + 12, 4) == 0);
    CHECK(p->quote.dst.family == 4 && memcmp(p->quote.dst.b, q + 16, 4) == 0);
    CHECK(p->quote.proto == q[9] && p->quote.ttl == q[8]);
    bool first = (be16(q + 6) & 0x1fff) == 0;
    if ((q[9] == 6 || q[9] == 17) && first && hl + 4 <= n)
        CHECK(p->quote.has_ports && p->quote.sport == be16(q + hl) &&
              p->quote.dport == be16(q + hl + 2));
    else if (q[9] == 6 || q[9] == 17)
        CHECK(!p->quote.has_ports);
}

static void check_pkt(const struct pkt *p, const struct frame *f)
{
    CHECK((unsigned)p->status < PKT_STATUS_COUNT);
    CHECK(p->linktype == f->linktype);
    if (p->payload != NULL)
        CHECK(p->payload >= f->bytes && p->payload_caplen <= f->caplen &&
              (size_t)(p->payload - f->bytes) <= f->caplen - p->payload_caplen);
    if (p->status == PKT_OK)
        CHECK(p->ip_version == 4 || p->ip_version == 6);
    if (p->has_quote)
        CHECK(p->proto == 1 || p->proto == 58);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t opt = data[1];
    const uint8_t *body = data + 2;
    size_t n = size - 2;
    if (n > FZ_DECODE_MAX_FRAME)
        n = FZ_DECODE_MAX_FRAME;
    bool quote = opt & FZ_DECODE_QUOTE, v6 = opt & FZ_DECODE_QUOTE6;
    uint8_t *buf = malloc(n + 48 + 1);
    if (buf == NULL)
        return 0;
    struct frame f = { .ts_us = 1, .number = 1 };
    if (quote) {
        f.caplen = (uint32_t)wrap_quote(buf, v6, body, n);
        f.linktype = FW_LINKTYPE_RAW;
    } else {
        memcpy(buf, body, n);
        f.caplen = (uint32_t)n;
        f.linktype = fz_linktype_at(data[0]);
    }
    /* Exactly the frame's size, so that ASan sees the first byte past it. */
    uint8_t *exact = malloc(f.caplen ? f.caplen : 1);
    if (exact == NULL) {
        free(buf);
        return 0;
    }
    memcpy(exact, buf, f.caplen);
    free(buf);
    f.bytes = exact;
    f.wirelen = f.caplen + ((opt & FZ_DECODE_SHORT) ? 100 : 0);

    struct decode_opts plain = { .verify_checksums = false };
    struct decode_opts verify = { .verify_checksums = true };
    struct pkt a, b;
    decode_frame(&f, (opt & FZ_DECODE_CHECKSUMS) ? &verify : &plain, &a);
    check_pkt(&a, &f);
    decode_frame(&f, (opt & FZ_DECODE_CHECKSUMS) ? &plain : &verify, &b);
    check_pkt(&b, &f);
    /* Verifying checksums computes them; it must not change what was decoded. */
    CHECK(a.status == b.status && a.proto == b.proto && a.sport == b.sport &&
          a.dport == b.dport && a.has_quote == b.has_quote && a.payload == b.payload &&
          a.payload_caplen == b.payload_caplen && a.tcp_flags == b.tcp_flags);
    if (quote) {
        /* The wrapper is valid: the outer packet always decodes, as an ICMP error. */
        CHECK(a.status == PKT_OK && a.proto == (v6 ? 58 : 1));
        if (!v6)
            check_quote4(&a, body, n);
    }
    free(exact);
    return 0;
}
