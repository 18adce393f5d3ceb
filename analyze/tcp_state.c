/* analyze/tcp_state.c: Zeek's TCP connection rules, rewritten from its documented behaviour
 * (TCPSessionAdapter, TCP_Endpoint) so that conn_state and history match Zeek's conn.log.
 * Reassembly is not done, so gaps (G/g) are not reported. Where the flow lives, how the
 * first packet picks the originator and when clocks fire are left to flow_track.c and
 * flow_table.c. */
#include "tcp_state.h"

#include <string.h>

/* Zeek distrusts SYN/RST sequence jumps beyond 1 MB when tracking the last sequence. */
#define TOO_LARGE_SEQ_DELTA 1048576

/* Zeek's per-endpoint history bits (the responder's are these << 16). */
enum {
    HIST_SYN = 0x1,
    HIST_FIN = 0x2,
    HIST_RST = 0x4,
    HIST_FIN_RST = 0x8,
    HIST_DATA = 0x10,
    HIST_ACK = 0x20,
    HIST_MULTI_FLAG = 0x40,
};

#define SEQ_BASE (UINT64_C(1) << 32)

/* The 64-bit value nearest to ref64 whose low 32 bits are v: unwraps sequence numbers. */
static inline uint64_t seq_near(uint64_t ref64, uint32_t v)
{
    return ref64 + (uint64_t)(int64_t)(int32_t)(v - (uint32_t)ref64);
}

static void ep_set_state(struct tcp_ep *e, enum tcp_ep_state s)
{
    if (e->state != s) {
        e->prev_state = e->state;
        e->state = (uint8_t)s;
    }
}

/* Start (or restart) an endpoint's sequence space at start32, as if a SYN occupied it. */
static void ep_init_seq(struct tcp_ep *e, uint32_t start32, uint32_t last32)
{
    e->start_seq32 = start32;
    e->start_seq = SEQ_BASE + start32;
    e->ack_seq = e->start_seq;
    e->last_seq = seq_near(e->start_seq, last32);
}

static void init_endpoint(struct tcp_ep *e, uint8_t flags, uint32_t seq, uint32_t last32)
{
    bool syn = flags & TH_SYN;
    switch (e->state) {
    case TCP_EP_INACTIVE:
        if (syn)
            ep_init_seq(e, seq, last32);
        else
            ep_init_seq(e, seq - 1, seq); /* partial: number as if a SYN came before */
        break;
    case TCP_EP_SYN_SENT:
    case TCP_EP_SYN_ACK_SENT:
        if (syn && seq != e->start_seq32)
            ep_init_seq(e, seq, last32);
        break;
    case TCP_EP_ESTABLISHED:
    case TCP_EP_PARTIAL:
        if (syn) /* guess that this SYN is the one that really sets the connection up */
            ep_init_seq(e, seq, last32);
        break;
    case TCP_EP_RESET:
        if (syn && e->prev_state == TCP_EP_INACTIVE) /* the earlier RST may have been forged */
            ep_init_seq(e, seq, last32);
        break;
    default:
        break;
    }
}

/* flow_hist_once() for the letters of nearly every packet (D, A): after the first time only
 * a bit test, without the call into flow_track.c. */
static inline void hist_once_fast(struct flow *f, uint32_t bit, bool is_orig, char code)
{
    if (!(f->hist_seen & (is_orig ? bit : bit << 16)))
        flow_hist_once(f, bit, is_orig, code);
}

static void update_history(struct flow *f, struct tcp_ep *e, bool is_orig, uint8_t flags,
                           int64_t rel_seq, uint32_t len)
{
    int bits = !!(flags & TH_SYN) + !!(flags & TH_FIN) + !!(flags & TH_RST);
    if (bits > 1) {
        if ((flags & TH_FIN) && (flags & TH_RST))
            flow_hist_once(f, HIST_FIN_RST, is_orig, 'I');
        else
            flow_hist_once(f, HIST_MULTI_FLAG, is_orig, 'Q');
    } else if (bits == 1) {
        /* S/H, F and R repeat only with a new sequence number (the FIN's comes after any
         * data it carries). */
        if (flags & TH_SYN) {
            char code = (flags & TH_ACK) ? 'H' : 'S';
            if (flow_hist_once(f, HIST_SYN, is_orig, code) && rel_seq != e->hist_last_syn)
                flow_hist_add(f, is_orig ? code : (char)(code + 32));
            e->hist_last_syn = rel_seq;
        }
        if (flags & TH_FIN) {
            int64_t at = rel_seq + len;
            if (flow_hist_once(f, HIST_FIN, is_orig, 'F') && at != e->hist_last_fin)
                flow_hist_add(f, is_orig ? 'F' : 'f');
            e->hist_last_fin = at;
        }
        if (flags & TH_RST) {
            if (flow_hist_once(f, HIST_RST, is_orig, 'R') && rel_seq != e->hist_last_rst)
                flow_hist_add(f, is_orig ? 'R' : 'r');
            e->hist_last_rst = rel_seq;
        }
    } else if (len > 0) {
        hist_once_fast(f, HIST_DATA, is_orig, 'D');
    } else if (flags & TH_ACK) {
        hist_once_fast(f, HIST_ACK, is_orig, 'A');
    }
}

/* Returns how far this segment moved the endpoint's last sequence (negative: behind it). */
static int64_t update_last_seq(struct flow *f, struct tcp_ep *e, bool is_orig, uint32_t end32,
                               uint8_t flags, uint32_t len)
{
    uint64_t end = seq_near(e->last_seq, end32);
    int64_t delta = (int64_t)(end - e->last_seq);
    if ((flags & (TH_SYN | TH_RST)) && (delta > TOO_LARGE_SEQ_DELTA ||
                                        delta < -TOO_LARGE_SEQ_DELTA))
        ; /* an outlandish SYN or RST: do not trust its number */
    else if ((flags & TH_FIN) && e->last_seq == e->start_seq + 1)
        e->last_seq = end; /* only SYN and FIN seen: trust the FIN (>2 GB transfers) */
    else if (e->state == TCP_EP_RESET)
        ; /* nothing after a RST is trusted */
    else if (delta > 0)
        e->last_seq = end;
    else if (len > 0)
        flow_hist_scaled(f, &e->rxmit, is_orig, 'T');
    return delta;
}

/* Zeek's state machine for one endpoint; returns whether the endpoint closed (do_close).
 * May flip the roles (a SYN answering a SYN-ACK seen first): *is_orig follows. */
static bool update_state(struct flow *f, bool *is_orig, const struct pkt *p,
                         struct tcp_result *out)
{
    uint8_t flags = p->tcp_flags;
    struct tcp_ep *e = &f->tcp.ep[*is_orig ? 0 : 1], *peer = &f->tcp.ep[*is_orig ? 1 : 0];
    bool do_close = false;
    switch (e->state) {
    case TCP_EP_INACTIVE:
        if (flags & TH_SYN) {
            if (*is_orig) {
                ep_set_state(e, (flags & TH_ACK) ? TCP_EP_SYN_ACK_SENT : TCP_EP_SYN_SENT);
                out->arm_attempt = true;
            } else {
                if (!(flags & TH_ACK) && peer->state == TCP_EP_SYN_ACK_SENT) {
                    /* SYN-ACK seen before its SYN: the roles were backwards. */
                    flow_flip(f);
                    *is_orig = true;
                    e = &f->tcp.ep[0];
                    peer = &f->tcp.ep[1];
                    ep_set_state(peer, TCP_EP_ESTABLISHED);
                }
                if (peer->state == TCP_EP_SYN_SENT)
                    ep_set_state(peer, TCP_EP_ESTABLISHED);
                ep_set_state(e, TCP_EP_ESTABLISHED);
            }
        }
        if (flags & TH_FIN) {
            ep_set_state(e, TCP_EP_CLOSED);
            do_close = true;
        }
        if (flags & TH_RST) {
            ep_set_state(e, TCP_EP_RESET);
            do_close = true;
        }
        if (e->state == TCP_EP_INACTIVE) {
            if (!*is_orig && p->l4_payload_len == 0 && f->tcp.ep[0].state == TCP_EP_SYN_SENT)
                ; /* some stacks ACK a SYN before answering it: not a partial connection */
            else if ((flags & TH_ACK) && peer->state == TCP_EP_ESTABLISHED)
                ep_set_state(e, TCP_EP_ESTABLISHED); /* its SYN was missed */
            else
                ep_set_state(e, TCP_EP_PARTIAL);
        }
        break;
    case TCP_EP_SYN_SENT:
    case TCP_EP_SYN_ACK_SENT:
        if (flags & TH_FIN) {
            ep_set_state(e, TCP_EP_CLOSED);
            do_close = true;
        }
        if (flags & TH_RST) {
            ep_set_state(e, TCP_EP_RESET);
            do_close = true;
        }
        break;
    case TCP_EP_ESTABLISHED:
    case TCP_EP_PARTIAL:
        if ((flags & TH_SYN) && !(flags & TH_ACK) && e->state == TCP_EP_PARTIAL &&
            peer->state == TCP_EP_INACTIVE)
            ep_set_state(e, TCP_EP_SYN_SENT);
        if ((flags & TH_FIN) && !(flags & TH_RST)) {
            ep_set_state(e, TCP_EP_CLOSED);
            if (peer->state == TCP_EP_RESET && peer->prev_state == TCP_EP_CLOSED)
                ep_set_state(peer, TCP_EP_CLOSED); /* FIN then RST: a normal close after all */
            do_close = true;
        }
        if (flags & TH_RST) {
            ep_set_state(e, TCP_EP_RESET);
            do_close = true;
        }
        break;
    case TCP_EP_CLOSED:
        /* After a FIN exchange a RST changes nothing; after a one-sided FIN it resets. */
        if ((flags & TH_RST) && peer->state != TCP_EP_CLOSED) {
            ep_set_state(e, TCP_EP_RESET);
            if (!e->did_close)
                do_close = true;
        }
        break;
    default:
        break;
    }
    if (do_close && !e->did_close) {
        e->did_close = true;
        if (e->state == TCP_EP_RESET || peer->did_close || peer->state == TCP_EP_INACTIVE)
            out->close_complete = true;
    }
    return do_close;
}

/* A connection left unflipped although it began with the originator's SYN-ACK: the other
 * side's first ACK or data shows who the client was. Zeek then rewrites the history to read
 * as if the flip had happened first ("H" becomes "^h"). */
static bool late_flip(struct flow *f, bool is_orig, const struct pkt *p)
{
    uint8_t fl = p->tcp_flags;
    if (is_orig || f->tcp.ep[1].state != TCP_EP_INACTIVE ||
        f->tcp.ep[0].state != TCP_EP_SYN_ACK_SENT || (fl & (TH_SYN | TH_FIN | TH_RST)) ||
        !((fl & TH_ACK) || p->l4_payload_len > 0))
        return false;
    for (int i = 0; i < f->hist_len; i++) {
        char c = f->hist[i];
        if (c >= 'a' && c <= 'z')
            f->hist[i] = (char)(c - 32);
        else if (c >= 'A' && c <= 'Z')
            f->hist[i] = (char)(c + 32);
    }
    f->hist_seen = (f->hist_seen >> 16) | (f->hist_seen << 16);
    flow_flip(f);
    /* flow_flip appended '^': move it to the front. */
    memmove(f->hist + 1, f->hist, (size_t)f->hist_len - 1);
    f->hist[0] = '^';
    ep_set_state(&f->tcp.ep[1], TCP_EP_ESTABLISHED);
    return true;
}

static void sat_inc(uint16_t *n)
{
    if (*n < UINT16_MAX)
        (*n)++;
}

/* The originator's segment at seq follows its SYN: a bare ACK at exactly the SYN's next number,
 * data or a FIN (whatever was sent before it may be missing) within a quarter of the sequence
 * space after it. */
static bool past_syn(const struct flow *f, uint32_t seq, bool data_or_fin)
{
    uint32_t past = seq - (f->tcp.ep[0].start_seq32 + 1);
    return data_or_fin ? past < (1u << 30) : past == 0;
}

/* What the look-alikes and stalls are read from (diagnose/): how the handshake went (a SYN-ACK
 * repeated after the ACK: the listener's queue was full; a bare ACK answering a SYN: the host
 * still holds an earlier connection of that 5-tuple in TIME-WAIT), and after it, data sent
 * again: whether the peer had acknowledged it (its ACKs are lost after this capture point) and
 * how large it was against what got acknowledged (large segments lost, small ones passing: a
 * path-MTU black hole). Before the state machine runs, so "before" means before this packet. */
/* after_silence: p came FLOW_IDLE_MIN_US or more after the flow's last packet. */
static void tcp_evidence(struct flow *f, bool is_orig, const struct pkt *p, int64_t delta,
                         bool after_silence)
{
    uint8_t flags = p->tcp_flags;
    uint32_t len = p->l4_payload_len;
    int side = is_orig ? 0 : 1;
    if (flags & TH_RST)
        return;
    if (!is_orig && (flags & TH_SYN) && (flags & TH_ACK)) {
        if (f->synack_seen)
            sat_inc(&f->synack_rexmits);
        if (f->orig_acked)
            f->synack_after_ack = true;
        return;
    }
    if (flags & TH_SYN)
        return;
    if (is_orig && (flags & TH_ACK) && f->synack_seen)
        f->orig_acked = true;
    /* A TCP stack leaves SYN-SENT only on a SYN-ACK: a segment after the SYN, with ACK set and
     * the next sequence number, says that one came, though this capture holds none (it took
     * one direction only, or the answer came back by another path). A bare ACK must carry
     * exactly the SYN's next number: a scanner's ACK probe from the same port (nmap -sA after
     * -sS with -g, hping3) carries a random one. Data or a FIN may come further on (a capture
     * of SYN, FIN and RST alone holds only the FIN, after whatever data was sent). */
    if (is_orig && (flags & TH_ACK) && !f->synack_seen && f->side[1].pkts == 0 &&
        f->orig_syns > 0 && past_syn(f, p->seq, (flags & TH_FIN) || len > 0))
        f->acked_unseen = true;
    if (!is_orig && (flags & TH_ACK) && !f->synack_seen && f->orig_syns > 0 && len == 0)
        f->resp_bare_ack = true;
    if (flags & TH_ACK) { /* what this ACK acknowledges of the peer's last segment */
        int o = 1 - side;
        if (f->last_len[o] > 0 && (int32_t)(p->ack - f->last_end32[o]) >= 0 &&
            f->last_len[o] > f->max_acked_len[o])
            f->max_acked_len[o] = f->last_len[o];
    }
    if (len == 0 || !(f->synack_seen || f->resumed)) /* resumed: set up before the silence */
        return;
    uint16_t len16 = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
    if (delta > 0) {
        f->last_len[side] = len16;
        f->last_end32[side] = p->seq + len;
        return;
    }
    /* A Windows keepalive (RFC 1122 4.2.3.6) is one byte already acknowledged, at snd_nxt - 1,
     * on a connection with nothing in flight. The first after a silence asks for an ACK and
     * sends no data again: counted, a healthy connection with keepalives every 30 s read as a
     * stall of its ACKs. The ones that follow it a second apart (KeepAliveInterval) went
     * unanswered, and count: the idle timeout seen through its keepalives. */
    const struct tcp_ep *e = &f->tcp.ep[side];
    if (len == 1 && delta == 0 && e->ack_seq >= e->last_seq && after_silence)
        return;
    sat_inc(&f->data_rexmits[side]);
    if (f->min_rexmit_len[side] == 0 || len16 < f->min_rexmit_len[side])
        f->min_rexmit_len[side] = len16;
    if (e->ack_seq > e->start_seq && seq_near(e->ack_seq, p->seq + len) <= e->ack_seq)
        sat_inc(&f->rexmit_acked[side]);
}

void tcp_state_packet(struct flow *f, bool is_orig, const struct pkt *p, bool bad_cksum,
                      uint64_t now_us, struct tcp_result *out)
{
    memset(out, 0, sizeof *out);
    out->is_orig = is_orig;
    struct tcp_ep *e = &f->tcp.ep[is_orig ? 0 : 1];
    if (bad_cksum) {
        flow_hist_scaled(f, &e->cksum, is_orig, 'C');
        return;
    }
    if (!p->l4_complete)
        return; /* the header was cut short: the flow exists, the packet is not analysed */
    if (late_flip(f, is_orig, p)) {
        is_orig = true;
        e = &f->tcp.ep[0];
    }
    struct tcp_ep *peer = &f->tcp.ep[is_orig ? 1 : 0];
    uint8_t flags = p->tcp_flags;
    uint32_t len = p->l4_payload_len;
    uint32_t seg_len = len + !!(flags & TH_SYN) + !!(flags & TH_FIN);
    if (flags & TH_RST)
        seg_len -= len; /* a RST's payload is not part of the stream */
    bool same_isn = e->state != TCP_EP_INACTIVE && p->seq == e->start_seq32;
    init_endpoint(e, flags, p->seq, p->seq + seg_len);
    int64_t rel_seq = (int64_t)(seq_near(e->last_seq, p->seq) - e->start_seq);
    update_history(f, e, is_orig, flags, rel_seq, len);
    if (p->win == 0 && !(flags & TH_RST) && peer->state != TCP_EP_CLOSED &&
        e->state != TCP_EP_RESET)
        flow_hist_scaled(f, &e->zero_win, is_orig, 'W');

    /* No stack opens with SYN and FIN or RST, and every segment after a SYN carries ACK (a
     * bare RST aside): a SYN+FIN, a null, FIN or Xmas segment without ACK from the originator
     * is a scanner's probe. */
    bool syn = flags & TH_SYN;
    if (is_orig && !(flags & TH_ACK) &&
        (syn ? (flags & (TH_FIN | TH_RST)) != 0 : !(flags & TH_RST))) {
        if (f->orig_probes < UINT16_MAX)
            f->orig_probes++;
    } else if (syn && !(flags & TH_ACK) && is_orig) {
        if (same_isn)
            f->orig_syn_rexmits++;
        f->orig_syns++;
    }
    if ((flags & TH_FIN) && e->fin_cnt < UINT8_MAX)
        e->fin_cnt++;
    if (flags & TH_ACK) {
        if (peer->state == TCP_EP_INACTIVE) {
            ep_init_seq(peer, p->ack - 1, p->ack - 1);
        } else if (!(flags & TH_RST)) {
            uint64_t ack = seq_near(peer->ack_seq, p->ack);
            int64_t d = (int64_t)(ack - peer->ack_seq);
            bool underflow = ack < peer->start_seq;
            if (!underflow && d > 0 && !(p->ack == 0 && d > TOO_LARGE_SEQ_DELTA))
                peer->ack_seq = ack; /* acks in RSTs are not trusted */
        }
    }
    int64_t delta = update_last_seq(f, e, is_orig, p->seq + seg_len, flags, len);
    bool after_silence = f->side[0].pkts + f->side[1].pkts > 0 &&
                         now_us >= f->last_us + FLOW_IDLE_MIN_US;
    tcp_evidence(f, is_orig, p, delta, after_silence);
    update_state(f, &is_orig, p, out);
    if (!is_orig && (flags & TH_SYN) && (flags & TH_ACK))
        f->synack_seen = true;
    out->counted = true;
    out->is_orig = is_orig;
}

bool tcp_is_reuse(const struct flow *f, const struct pkt *p)
{
    if (!p->l4_complete || !(p->tcp_flags & TH_SYN))
        return false;
    const struct tcp_ep *o = &f->tcp.ep[0], *r = &f->tcp.ep[1], *conn_orig = o;
    if (p->tcp_flags & TH_ACK) {
        if (o->state != TCP_EP_INACTIVE)
            return false; /* reuse by SYN-ACK only for half-seen connections */
        conn_orig = r;
    }
    if (o->did_close || r->did_close)
        return true;
    if (p->seq == conn_orig->start_seq32)
        return false; /* a retransmission */
    if (!(p->tcp_flags & TH_ACK) && conn_orig->state == TCP_EP_SYN_ACK_SENT &&
        r->state == TCP_EP_INACTIVE && p->seq == r->start_seq32)
        return false; /* SYN and SYN-ACK swapped in the capture: update_state flips */
    return true;      /* a new initial sequence number on a live 5-tuple */
}

uint64_t tcp_ep_size(const struct tcp_ep *e, const struct tcp_ep *peer)
{
    if (e->state == TCP_EP_INACTIVE)
        return 0;
    bool no_data_acked = e->ack_seq == e->start_seq || e->ack_seq == e->start_seq + 1;
    if (e->prev_state == TCP_EP_SYN_SENT && e->state == TCP_EP_RESET &&
        peer->state == TCP_EP_INACTIVE && !no_data_acked)
        return 0; /* a half-open connection found and aborted: its ack is not data */
    uint64_t top = e->last_seq > e->ack_seq ? e->last_seq : e->ack_seq;
    uint64_t size = top > e->start_seq ? top - e->start_seq : 0;
    if (size != 0)
        size--; /* the SYN's sequence number */
    if (e->fin_cnt > 0 && size != 0)
        size--;
    return size;
}

/* Zeek's pattern /^\^?S[^HAFGIQ]*R.*$/: a SYN, then a RST, with no answer in between. */
static bool looks_like_syn_then_rst(const char *h)
{
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return false;
    for (; *h != '\0'; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h) != NULL)
            return false;
    }
    return false;
}

enum conn_state tcp_conn_state(const struct flow *f)
{
    const struct tcp_ep *o = &f->tcp.ep[0], *r = &f->tcp.ep[1];
    uint8_t os = o->state, rs = r->state;
    bool o_inactive = os == TCP_EP_INACTIVE || os == TCP_EP_PARTIAL;
    bool r_inactive = rs == TCP_EP_INACTIVE || rs == TCP_EP_PARTIAL;
    if (rs == TCP_EP_RESET) {
        if (os == TCP_EP_SYN_SENT || os == TCP_EP_SYN_ACK_SENT ||
            (os == TCP_EP_RESET && tcp_ep_size(o, r) == 0 && tcp_ep_size(r, o) == 0))
            return CONN_REJ;
        return o_inactive ? CONN_RSTRH : CONN_RSTR;
    }
    if (os == TCP_EP_RESET) {
        if (!r_inactive)
            return CONN_RSTO;
        char h[FLOW_HIST_MAX + 1];
        memcpy(h, f->hist, f->hist_len);
        h[f->hist_len] = '\0';
        return looks_like_syn_then_rst(h) ? CONN_RSTOS0 : CONN_OTH;
    }
    if (rs == TCP_EP_CLOSED && os == TCP_EP_CLOSED)
        return CONN_SF;
    if (os == TCP_EP_CLOSED)
        return r_inactive ? CONN_SH : CONN_S2;
    if (rs == TCP_EP_CLOSED)
        return o_inactive ? CONN_SHR : CONN_S3;
    if (os == TCP_EP_SYN_SENT && rs == TCP_EP_INACTIVE)
        return CONN_S0;
    if (os == TCP_EP_ESTABLISHED && rs == TCP_EP_ESTABLISHED)
        return CONN_S1;
    return CONN_OTH;
}
