/* tests/fuzz/fuzz_dcerpc.c: libFuzzer target for the DCE/RPC parser (analyze/dcerpc.c). The
 * connection is first primed with a bound endpoint-mapper context and two calls in flight
 * (ept_lookup, call 2; ept_map, call 3), little-endian, so the fuzzer reaches the tower
 * decoding quickly. The input is then cut into segments: each starts with one control byte
 * (bit 7: sent by the server; bits 0-6: length, 0 for the rest) and hands that many bytes to
 * dcerpc_segment(), half of the time with a longer wire length (a capture cut short). What
 * must hold: no crash or sanitizer report, and every endpoint reported has a port. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/dcerpc.h"

/* bind (ptype 11), context 0 = e1af8308-5d1f-11c9-91a4-08002b14a0fa v3, NDR v2. */
static const uint8_t BIND[] = {
    5, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0,
    0xb8, 0x10, 0xb8, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0,
    0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0,
    0xfa, 3, 0, 0, 0,
    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48,
    0x60, 2, 0, 0, 0,
};

/* request (ptype 0), call_id c, context 0, opnum op, no stub. */
static void request(struct dcerpc_conn *c, struct dcerpc_stats *st, uint8_t call, uint8_t op)
{
    const uint8_t r[24] = { 5, 0, 0, 3, 0x10, 0, 0, 0, 24, 0, 0, 0, call, 0, 0, 0,
                            0, 0, 0, 0, 0, 0, op, 0 };
    dcerpc_segment(c, r, sizeof r, sizeof r, 0, false, st, NULL, NULL);
}

static void on_endpoint(void *ctx, const struct dcerpc_endpoint *e)
{
    (void)ctx;
    if (e->port == 0)
        abort(); /* the parser promises a port */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dcerpc_conn c;
    struct dcerpc_stats st;
    memset(&c, 0, sizeof c);
    memset(&st, 0, sizeof st);
    dcerpc_segment(&c, BIND, sizeof BIND, sizeof BIND, 0, false, &st, NULL, NULL);
    request(&c, &st, 2, 2);
    request(&c, &st, 3, 3);
    uint32_t seq[2] = { 0, 0 };
    while (size > 0) {
        uint8_t ctl = data[0];
        data++;
        size--;
        size_t n = ctl & 0x7f;
        if (n == 0 || n > size)
            n = size;
        /* Copied, so that ASan sees a read past the segment's end as one. */
        uint8_t *seg = malloc(n > 0 ? n : 1);
        if (seg == NULL)
            return 0;
        memcpy(seg, data, n);
        size_t wire = (ctl & 1) ? n + 64 : n;
        int dir = (ctl & 0x80) != 0;
        if (ctl & 2)
            seq[dir] += 1000; /* now and then a gap: a lost segment */
        dcerpc_segment(&c, seg, n, wire, seq[dir], dir, &st, on_endpoint, NULL);
        seq[dir] += (uint32_t)wire;
        free(seg);
        data += n;
        size -= n;
    }
    return 0;
}
