/* analyze/dcerpc_stream.c: the TCP side of DCE/RPC (see dcerpc.h): each direction's payload
 * in sequence order in a bounded buffer, retransmissions skipped, gaps dropped and counted,
 * and every whole PDU at the buffer's front handed to dcerpc.c. */
#include "dcerpc_int.h"

#include <string.h>

/* Whether bytes can start a PDU (C706 12.6.3.1): version 5, minor 0 or 1, a ptype of C706
 * 12.6.4 (0 to 19), drep integers big- or little-endian. Used to resync after a gap. */
static bool starts_pdu(struct cur s)
{
    return s.left >= DCERPC_HDR_LEN && cur_peek_u8(&s, 0) == 5 && cur_peek_u8(&s, 1) <= 1 &&
           cur_peek_u8(&s, 2) <= 19 && (cur_peek_u8(&s, 4) >> 4) <= 1;
}

/* Bytes lost or not to be trusted: the buffer goes, and from the server an answer being joined
 * from RPC fragments too (a lost fragment would otherwise join its neighbours). */
static void stream_drop(struct dcerpc_conn *c, struct dcerpc_stream *d)
{
    d->len = 0;
    d->synced = false;
    if (d == &c->dir[1])
        c->frag.active = false;
}

/* frag_length is 16 bits: whatever a header says, the PDU fits in the buffer. */
_Static_assert(DCERPC_STREAM_CAP > UINT16_MAX, "a stream buffer holds any one PDU");

/* Parse every whole PDU at the front of the buffer; keep the rest. A header that lies
 * (malformed) drops the buffer: nothing after it can be trusted to start a PDU. */
static void stream_parse(struct dcerpc_conn *c, struct dcerpc_stream *d, struct dcerpc_stats *st,
                         dcerpc_endpoint_fn fn, void *ctx)
{
    struct cur s = cur_make(d->buf, d->len);
    while (s.left >= DCERPC_HDR_LEN) {
        uint8_t drep = cur_peek_u8(&s, 4);
        bool le = (drep >> 4) == 1;
        uint16_t frag_len = cur_peek_be16(&s, 8);
        if (le)
            frag_len = (uint16_t)(frag_len << 8 | frag_len >> 8);
        enum dcerpc_result r;
        bool drop = false;
        if (cur_peek_u8(&s, 0) != 5 || cur_peek_u8(&s, 1) > 1 || (drep >> 4) > 1 ||
            frag_len < DCERPC_HDR_LEN) {
            r = DCERPC_MALFORMED;
            drop = true;
        } else if (frag_len > s.left) {
            break; /* the rest comes in later segments */
        } else {
            r = dcerpc_pdu_parse(c, cur_sub(&s, frag_len), le, st, fn, ctx);
        }
        st->pdus++;
        st->by_result[r]++;
        if (drop) {
            stream_drop(c, d);
            return;
        }
        cur_skip(&s, frag_len);
    }
    size_t rest = s.left;
    if (rest > 0 && rest < d->len)
        memmove(d->buf, d->buf + (d->len - rest), rest);
    d->len = (uint32_t)rest;
}

void dcerpc_segment(struct dcerpc_conn *c, const uint8_t *p, size_t caplen, size_t wire_len,
                    uint32_t seq, bool from_server, struct dcerpc_stats *st,
                    dcerpc_endpoint_fn fn, void *ctx)
{
    st->segments++;
    struct dcerpc_stream *d = &c->dir[from_server ? 1 : 0];
    struct cur s = cur_make(p, caplen);
    uint32_t wire = (uint32_t)(wire_len >= caplen ? wire_len : caplen);
    if (d->has_seq) {
        uint32_t behind = d->next_seq - seq; /* modulo 2^32: RFC 9293 3.4 */
        if (behind != 0 && behind <= INT32_MAX) { /* starts with bytes already seen: skip */
            st->stream_retrans++;
            if (behind >= wire)
                return;
            cur_skip(&s, behind);
            wire -= behind;
            seq = d->next_seq;
        } else if (behind != 0) { /* bytes missing from the capture */
            if (d->synced)
                st->stream_gaps++;
            if (d->len > 0)
                st->by_result[DCERPC_FRAGMENTED]++;
            stream_drop(c, d);
        }
    }
    d->has_seq = true;
    d->next_seq = seq + wire;
    size_t have = s.left; /* of the wire bytes, those captured */
    if (!d->synced) {
        if (!starts_pdu(s)) {
            st->stream_unsynced++;
            return;
        }
        d->synced = true;
        d->len = 0;
    }
    /* Append in pieces no larger than the room left, parsing between them: after a parse the
     * buffer holds at most one incomplete PDU (below 64 KiB), so there is always room. */
    while (s.left > 0 && d->synced) {
        size_t n = DCERPC_STREAM_CAP - d->len;
        if (n > s.left)
            n = s.left;
        cur_bytes(&s, d->buf + d->len, n);
        d->len += (uint32_t)n;
        stream_parse(c, d, st, fn, ctx);
    }
    if (have < wire && d->synced) { /* the capture cut the segment: its tail is a gap */
        st->pdus++;
        st->by_result[DCERPC_TRUNCATED]++;
        stream_drop(c, d);
    }
}

void dcerpc_conn_reset(struct dcerpc_conn *c)
{
    memset(c->ctx, 0, sizeof c->ctx);
    memset(c->call, 0, sizeof c->call);
    c->ctx_next = c->call_next = 0;
    memset(c->bind_ids, 0, sizeof c->bind_ids);
    c->nbind = 0;
    for (int i = 0; i < 2; i++) {
        c->dir[i].len = 0;
        c->dir[i].next_seq = 0;
        c->dir[i].has_seq = false;
        c->dir[i].synced = false;
    }
    c->frag.active = c->frag.le = false;
    c->frag.opnum = 0;
    c->frag.call_id = c->frag.len = 0;
}
