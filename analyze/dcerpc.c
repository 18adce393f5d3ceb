/* analyze/dcerpc.c: DCE/RPC connection-oriented PDUs from a TCP 135 payload (see dcerpc.h).
 * The common header, bind and alter_context (and their acks), request and response follow
 * C706 12.6; the endpoint mapper's answers follow C706 appendix O (ept_map, ept_lookup) in NDR
 * (C706 chapter 14), the towers C706 appendix L. The bounded reassembly that hands in whole PDUs
 * is dcerpc_stream.c's; naming learned ports is rpc_ports.c's, interface names
 * dcerpc_names.c's. */
#include "dcerpc.h"

#include <string.h>

#include "common/cur.h"
#include "dcerpc_int.h"

#define PFC_FIRST_FRAG 0x01
#define PFC_LAST_FRAG 0x02
#define PT_REQUEST 0
#define PT_RESPONSE 2
#define PT_BIND 11
#define PT_BIND_ACK 12
#define PT_ALTER_CONTEXT 14
#define PT_ALTER_CONTEXT_RESP 15
#define EPM_LOOKUP 2
#define EPM_MAP 3
#define EPM_MAX_ENTRIES 500 /* C706 O: [range(0,500)] on max_towers and max_ents */
#define TOWER_MAX_FLOORS 16 /* real towers have 5; more is a lie, not a tower */

static const struct dcerpc_uuid EPMAPPER = { { 0xe1, 0xaf, 0x83, 0x08, 0x5d, 0x1f, 0x11, 0xc9,
                                               0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0,
                                               0xfa } };

const char *dcerpc_result_name(enum dcerpc_result r)
{
#define DCERPC_NAME(name, text) case name: return text;
    switch (r) {
        DCERPC_RESULTS(DCERPC_NAME)
    default: return "?";
    }
#undef DCERPC_NAME
}

/* --- integers and UUIDs in the sender's data representation ---------------------------- */

/* C706 12.6.3.1 / 14.1: drep[0] high nibble 0 is big-endian integers, 1 little-endian. */
static uint16_t rd16(struct cur *c, bool le)
{
    return le ? cur_le16(c) : cur_be16(c);
}

static uint32_t rd32(struct cur *c, bool le)
{
    return le ? cur_le32(c) : cur_be32(c);
}

/* NDR uuid_t (C706 A.1): time_low, time_mid, time_hi_and_version as integers in the sender's
 * byte order, then 8 bytes as they are. Stored in text order. */
static void rd_uuid(struct cur *c, bool le, struct dcerpc_uuid *u)
{
    uint32_t tl = rd32(c, le);
    uint16_t tm = rd16(c, le), th = rd16(c, le);
    u->b[0] = (uint8_t)(tl >> 24);
    u->b[1] = (uint8_t)(tl >> 16);
    u->b[2] = (uint8_t)(tl >> 8);
    u->b[3] = (uint8_t)tl;
    u->b[4] = (uint8_t)(tm >> 8);
    u->b[5] = (uint8_t)tm;
    u->b[6] = (uint8_t)(th >> 8);
    u->b[7] = (uint8_t)th;
    cur_bytes(c, u->b + 8, 8);
}

/* NDR aligns each primitive to its size, counted from the start of the stub (C706 14.2.2). */
static void align4(struct cur *c, size_t start_left)
{
    size_t off = start_left - c->left;
    cur_skip(c, (4 - off % 4) % 4);
}

/* --- towers (C706 appendix L) ------------------------------------------------------------ */

/* A tower's octets. Its own integers are little-endian whatever the drep (C706 L.1), except
 * the TCP port and IP address, which are big-endian (L.2). Returns DCERPC_OK with *has_tcp set
 * when it names a TCP port. The tower length is declared, so a floor that runs past it lies:
 * malformed, not truncated. */
static enum dcerpc_result tower_read(struct cur t, struct dcerpc_endpoint *e, bool *has_tcp)
{
    memset(e, 0, sizeof *e);
    *has_tcp = false;
    uint16_t floors = cur_le16(&t);
    if (t.short_read || floors == 0 || floors > TOWER_MAX_FLOORS)
        return DCERPC_MALFORMED;
    bool has_iface = false;
    for (uint16_t i = 0; i < floors; i++) {
        uint16_t lhs_len = cur_le16(&t);
        struct cur lhs = cur_sub(&t, lhs_len);
        cur_skip(&t, lhs_len);
        uint16_t rhs_len = cur_le16(&t);
        struct cur rhs = cur_sub(&t, rhs_len);
        cur_skip(&t, rhs_len);
        if (t.short_read || lhs_len == 0)
            return DCERPC_MALFORMED;
        uint8_t proto = cur_u8(&lhs);
        if (proto == 0x0d && i == 0) { /* floor 1: the interface UUID and major version */
            if (lhs_len != 19)
                return DCERPC_MALFORMED;
            rd_uuid(&lhs, true, &e->iface);
            e->iface_vers = cur_le16(&lhs);
            has_iface = true;
        } else if (proto == 0x07) { /* DOD TCP port */
            if (rhs_len != 2)
                return DCERPC_MALFORMED;
            e->port = cur_be16(&rhs);
            *has_tcp = true;
        } else if (proto == 0x09) { /* DOD IP address */
            if (rhs_len != 4)
                return DCERPC_MALFORMED;
            cur_bytes(&rhs, e->ip, 4);
            e->has_ip = true;
        }
    }
    if (!has_iface)
        return DCERPC_MALFORMED;
    if (*has_tcp && e->port == 0)
        return DCERPC_MALFORMED;
    return DCERPC_OK;
}

/* A twr_p_t's referent (C706 O: twr_t is a conformant struct): max_count, tower_length, the
 * octets, then padding to 4. */
static enum dcerpc_result tower_ref(struct cur *s, bool le, size_t start, struct dcerpc_stats *st,
                                    dcerpc_endpoint_fn fn, void *ctx)
{
    uint32_t max = rd32(s, le), len = rd32(s, le);
    if (s->short_read)
        return DCERPC_MALFORMED;
    if (len > max || len > s->left)
        return DCERPC_MALFORMED;
    struct cur t = cur_sub(s, len);
    cur_skip(s, len);
    align4(s, start);
    struct dcerpc_endpoint e;
    bool tcp;
    enum dcerpc_result r = tower_read(t, &e, &tcp);
    if (r != DCERPC_OK)
        return r;
    if (fn != NULL) {
        st->towers++;
        if (tcp)
            fn(ctx, &e);
        else
            st->towers_not_tcp++;
    }
    return DCERPC_OK;
}

/* The stub of an ept_map (opnum 3) or ept_lookup (opnum 2) response, in NDR. Called twice:
 * first with fn NULL to check it whole, then to report, so a PDU that breaks halfway yields
 * nothing. The stub's length is declared by the PDU: running short of it is malformed. */
static enum dcerpc_result epm_stub(struct cur s, bool le, uint16_t opnum, struct dcerpc_stats *st,
                                   dcerpc_endpoint_fn fn, void *ctx)
{
    size_t start = s.left;
    cur_skip(&s, 20); /* entry_handle: a context handle, 4 + 16 bytes */
    uint32_t num = rd32(&s, le);
    uint32_t max = rd32(&s, le), off = rd32(&s, le), actual = rd32(&s, le);
    if (s.short_read)
        return DCERPC_MALFORMED;
    if (max > EPM_MAX_ENTRIES || off != 0 || actual > max || actual != num)
        return DCERPC_MALFORMED;
    uint32_t refs = 0;
    for (uint32_t i = 0; i < actual; i++) {
        if (opnum == EPM_LOOKUP) { /* ept_entry_t: object, tower pointer, annotation */
            cur_skip(&s, 16);
            refs += rd32(&s, le) != 0;
            uint32_t a_off = rd32(&s, le), a_len = rd32(&s, le);
            if (s.short_read || a_off != 0 || a_len > 64)
                return DCERPC_MALFORMED;
            cur_skip(&s, a_len);
            align4(&s, start);
        } else {
            refs += rd32(&s, le) != 0;
        }
        if (s.short_read)
            return DCERPC_MALFORMED;
    }
    for (uint32_t i = 0; i < refs; i++) {
        enum dcerpc_result r = tower_ref(&s, le, start, st, fn, ctx);
        if (r != DCERPC_OK)
            return r;
    }
    rd32(&s, le); /* status */
    return s.short_read ? DCERPC_MALFORMED : DCERPC_OK;
}

/* --- the connection's memory ------------------------------------------------------------- */

static void ctx_set(struct dcerpc_conn *c, uint16_t id, const struct dcerpc_uuid *u)
{
    int slot = -1;
    for (int i = 0; i < DCERPC_MAX_CTX && slot < 0; i++)
        if (c->ctx[i].used && c->ctx[i].id == id)
            slot = i;
    if (slot < 0) {
        slot = c->ctx_next;
        c->ctx_next = (uint8_t)((c->ctx_next + 1) % DCERPC_MAX_CTX);
    }
    c->ctx[slot].used = true;
    c->ctx[slot].id = id;
    c->ctx[slot].iface = *u;
}

static const struct dcerpc_uuid *ctx_get(const struct dcerpc_conn *c, uint16_t id)
{
    for (int i = 0; i < DCERPC_MAX_CTX; i++)
        if (c->ctx[i].used && c->ctx[i].id == id)
            return &c->ctx[i].iface;
    return NULL;
}

static void ctx_drop(struct dcerpc_conn *c, uint16_t id)
{
    for (int i = 0; i < DCERPC_MAX_CTX; i++)
        if (c->ctx[i].used && c->ctx[i].id == id)
            c->ctx[i].used = false;
}

/* --- PDUs (C706 12.6.4) ------------------------------------------------------------------- */

/* bind and alter_context: the contexts offered, each an abstract syntax (the interface). */
static enum dcerpc_result pdu_bind(struct dcerpc_conn *c, struct cur *b, bool le)
{
    cur_skip(b, 8); /* max_xmit_frag, max_recv_frag, assoc_group_id */
    uint8_t n = cur_u8(b);
    cur_skip(b, 3);
    c->nbind = 0;
    for (uint8_t i = 0; i < n; i++) {
        uint16_t id = rd16(b, le);
        uint8_t n_ts = cur_u8(b);
        cur_skip(b, 1);
        struct dcerpc_uuid u;
        rd_uuid(b, le, &u);
        cur_skip(b, 4 + (size_t)n_ts * 20); /* version, transfer syntaxes */
        if (b->short_read)
            return DCERPC_MALFORMED;
        ctx_set(c, id, &u);
        if (c->nbind < DCERPC_MAX_CTX)
            c->bind_ids[c->nbind++] = id;
    }
    return DCERPC_OK;
}

/* bind_ack and alter_context_resp: one result per offered context, in the bind's order; a
 * context the server refused is forgotten. */
static enum dcerpc_result pdu_bind_ack(struct dcerpc_conn *c, struct cur *b, bool le,
                                       size_t pdu_left)
{
    cur_skip(b, 8);
    uint16_t sec_len = rd16(b, le);
    cur_skip(b, sec_len);
    align4(b, pdu_left); /* the result list is 4-aligned in the PDU */
    uint8_t n = cur_u8(b);
    cur_skip(b, 3);
    for (uint8_t i = 0; i < n; i++) {
        uint16_t result = rd16(b, le);
        cur_skip(b, 2 + 20); /* reason, transfer syntax */
        if (b->short_read)
            return DCERPC_MALFORMED;
        if (result != 0 && i < c->nbind)
            ctx_drop(c, c->bind_ids[i]);
    }
    return DCERPC_OK;
}

static enum dcerpc_result pdu_request(struct dcerpc_conn *c, struct cur *b, bool le,
                                      uint32_t call_id)
{
    cur_skip(b, 4); /* alloc_hint */
    uint16_t ctx_id = rd16(b, le), opnum = rd16(b, le);
    if (b->short_read)
        return DCERPC_MALFORMED;
    int slot = c->call_next;
    for (int i = 0; i < DCERPC_MAX_CALLS; i++)
        if (c->call[i].used && c->call[i].call_id == call_id)
            slot = i; /* a later fragment or a retransmission of the same call */
    if (slot == c->call_next)
        c->call_next = (uint8_t)((c->call_next + 1) % DCERPC_MAX_CALLS);
    c->call[slot].used = true;
    c->call[slot].call_id = call_id;
    c->call[slot].ctx_id = ctx_id;
    c->call[slot].opnum = opnum;
    return DCERPC_OK;
}

/* One RPC fragment of an endpoint-mapper answer (C706 12.6.3.1 PFC_FIRST_FRAG/LAST_FRAG): its
 * stub joins the call's; the whole stub is decoded at the last fragment, in the byte order of
 * the first. A fragment that does not continue the chain being joined (another call, no first
 * fragment seen) or a chain beyond DCERPC_STUB_CAP is counted incomplete and dropped. */
static enum dcerpc_result frag_add(struct dcerpc_conn *c, struct cur *b, bool le, uint16_t opnum,
                                   uint32_t call_id, uint8_t flags, struct dcerpc_stats *st,
                                   dcerpc_endpoint_fn fn, void *ctx)
{
    if (flags & PFC_FIRST_FRAG) {
        c->frag.active = true;
        c->frag.le = le;
        c->frag.opnum = opnum;
        c->frag.call_id = call_id;
        c->frag.len = 0;
    } else if (!c->frag.active || c->frag.call_id != call_id) {
        return DCERPC_FRAGMENTED;
    }
    if (b->left > DCERPC_STUB_CAP - c->frag.len) {
        c->frag.active = false;
        st->frag_overflows++;
        return DCERPC_FRAGMENTED;
    }
    size_t n = b->left;
    cur_bytes(b, c->frag.buf + c->frag.len, n);
    c->frag.len += (uint32_t)n;
    if (!(flags & PFC_LAST_FRAG))
        return DCERPC_OK;
    c->frag.active = false;
    struct cur s = cur_make(c->frag.buf, c->frag.len);
    enum dcerpc_result r = epm_stub(s, c->frag.le, c->frag.opnum, st, NULL, NULL);
    if (r != DCERPC_OK)
        return r;
    st->epm_answers++;
    st->frag_joined++;
    return epm_stub(s, c->frag.le, c->frag.opnum, st, fn, ctx);
}

static enum dcerpc_result pdu_response(struct dcerpc_conn *c, struct cur *b, bool le,
                                       uint32_t call_id, uint8_t flags, struct dcerpc_stats *st,
                                       dcerpc_endpoint_fn fn, void *ctx)
{
    cur_skip(b, 4); /* alloc_hint */
    uint16_t ctx_id = rd16(b, le);
    cur_skip(b, 2); /* cancel_count, reserved */
    if (b->short_read)
        return DCERPC_MALFORMED;
    int slot = -1;
    for (int i = 0; i < DCERPC_MAX_CALLS && slot < 0; i++)
        if (c->call[i].used && c->call[i].call_id == call_id)
            slot = i;
    if (slot < 0) {
        st->unmatched_responses++;
        return DCERPC_OK;
    }
    uint16_t opnum = c->call[slot].opnum;
    if (flags & PFC_LAST_FRAG)
        c->call[slot].used = false;
    const struct dcerpc_uuid *u = ctx_get(c, ctx_id);
    if (u == NULL || !dcerpc_is_epmapper(u) || (opnum != EPM_MAP && opnum != EPM_LOOKUP))
        return DCERPC_OK;
    if ((flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG)) != (PFC_FIRST_FRAG | PFC_LAST_FRAG))
        return frag_add(c, b, le, opnum, call_id, flags, st, fn, ctx);
    enum dcerpc_result r = epm_stub(*b, le, opnum, st, NULL, NULL);
    if (r != DCERPC_OK)
        return r;
    st->epm_answers++;
    return epm_stub(*b, le, opnum, st, fn, ctx);
}

/* One PDU, its length checked (see dcerpc_int.h). */
enum dcerpc_result dcerpc_pdu_parse(struct dcerpc_conn *c, struct cur s, bool le,
                                    struct dcerpc_stats *st, dcerpc_endpoint_fn fn, void *ctx)
{
    size_t pdu_left = s.left;
    cur_skip(&s, 2); /* version, checked by the caller */
    uint8_t ptype = cur_u8(&s), flags = cur_u8(&s);
    cur_skip(&s, 4 + 2); /* drep, frag_length */
    uint16_t auth_len = rd16(&s, le);
    uint32_t call_id = rd32(&s, le);
    /* C706 12.6.3.1: the auth verifier (an 8-byte sec_trailer and auth_length bytes) ends
     * the PDU; the body is what comes before it. */
    size_t trailer = auth_len > 0 ? (size_t)auth_len + 8 : 0;
    if (s.short_read || trailer > s.left)
        return DCERPC_MALFORMED;
    struct cur b = cur_sub(&s, s.left - trailer);
    switch (ptype) {
    case PT_BIND:
    case PT_ALTER_CONTEXT:
        st->binds++;
        return pdu_bind(c, &b, le);
    case PT_BIND_ACK:
    case PT_ALTER_CONTEXT_RESP:
        st->bind_acks++;
        return pdu_bind_ack(c, &b, le, pdu_left);
    case PT_REQUEST:
        st->requests++;
        return pdu_request(c, &b, le, call_id);
    case PT_RESPONSE:
        st->responses++;
        return pdu_response(c, &b, le, call_id, flags, st, fn, ctx);
    default:
        st->other_ptypes++;
        return DCERPC_OK;
    }
}

/* --- the endpoint mapper (other names: dcerpc_names.c) ------------------------------- */

bool dcerpc_is_epmapper(const struct dcerpc_uuid *u)
{
    return memcmp(u->b, EPMAPPER.b, sizeof u->b) == 0;
}
