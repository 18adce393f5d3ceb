/* analyze/path_order.c: the order of several captures along one path, and where a cell's
 * packets vanish between them (see path_order.h). Each capture keeps the packets that open or
 * answer an attempt, by key; two captures that saw the same packet tell how many routers lie
 * between them (the TTL difference). Reading the captures and the words are left to others. */
#include "path_order.h"

#include <stdlib.h>
#include <string.h>

#include "common/fw_err.h"
#include "verdict.h"

/* The fields that identify a packet: those no router rewrites. The TTL and the IPv4 header
 * checksum change at every hop, the payload may be cut by a capture's snap length: left out. */
static uint64_t path_key_of(const struct siphash_key *k, const struct pkt *p)
{
    uint8_t b[80] = {0};
    size_t n = 0;
    b[n++] = p->src.family;
    memcpy(b + n, p->src.b, 16), n += 16;
    b[n++] = p->dst.family;
    memcpy(b + n, p->dst.b, 16), n += 16;
    uint32_t w[10] = { p->proto, p->ip_id, p->ip_len, p->sport, p->dport, 0, 0, 0, 0, 0 };
    if (p->proto == 6) {
        w[5] = p->seq;
        w[6] = p->ack;
        w[7] = p->tcp_flags;
    } else if (p->proto == 1 || p->proto == 58) {
        w[5] = (uint32_t)p->icmp_type << 8 | p->icmp_code;
        w[6] = (uint32_t)p->icmp_id << 16 | p->icmp_seq;
        if (p->has_quote) {
            w[7] = (uint32_t)p->quote.sport << 16 | p->quote.dport;
            w[8] = p->quote.seq;
            w[9] = p->quote.ip_id;
        }
    }
    memcpy(b + n, w, sizeof w);
    n += sizeof w;
    return siphash13(k, b, n);
}

static uint64_t path_cell_of(const struct siphash_key *k, const struct fw_addr *from,
                             const struct fw_addr *to, uint8_t proto, uint16_t port)
{
    uint8_t b[38] = {0};
    b[0] = from->family;
    memcpy(b + 1, from->b, 16);
    b[17] = to->family;
    memcpy(b + 18, to->b, 16);
    b[34] = proto;
    b[35] = (uint8_t)(port >> 8);
    b[36] = (uint8_t)port;
    uint64_t h = siphash13(k, b, sizeof b);
    return h != 0 ? h : 1; /* 0 means none */
}

int path_set_init(struct path_set *s, size_t ncap, const struct siphash_key *key)
{
    memset(s, 0, sizeof *s);
    if (ncap > PATH_MAX_CAPTURES)
        return FW_EUSAGE;
    s->ncap = ncap;
    s->key = *key;
    return 0;
}

void path_set_fini(struct path_set *s)
{
    for (size_t i = 0; i < s->ncap; i++)
        free(s->cap[i].pk);
    memset(s, 0, sizeof *s);
}

static uint16_t path_pair_ix(struct path_set *s, const struct fw_addr *lo,
                             const struct fw_addr *hi)
{
    for (size_t i = 0; i < s->npairs; i++)
        if (fw_addr_eq(&s->pair[i].lo, lo) && fw_addr_eq(&s->pair[i].hi, hi)) {
            s->pair[i].packets++;
            return (uint16_t)i;
        }
    if (s->npairs == PATH_MAX_PAIRS)
        return PATH_MAX_PAIRS;
    s->pair[s->npairs] = (struct path_pair){ *lo, *hi, 1 };
    return (uint16_t)s->npairs++;
}

/* The cell an ICMP error's quote belongs to; 0 when the quote is too short to say. */
static uint64_t path_quoted_cell(const struct path_set *s, const struct pkt *p)
{
    const struct pkt_quote *q = &p->quote;
    if (!p->has_quote || !q->has_ports)
        return 0;
    if (q->proto == 6 || q->proto == 17)
        return path_cell_of(&s->key, &q->src, &q->dst, q->proto, q->dport);
    if (q->proto == 1 || q->proto == 58)
        return path_cell_of(&s->key, &q->src, &q->dst, VERDICT_PROTO_ECHO, 0);
    return 0;
}

int path_set_feed(struct path_set *s, size_t cap, const struct pkt *p)
{
    if (cap >= s->ncap || p->status != PKT_OK || p->is_fragment || p->ip_version == 0)
        return 0;
    struct path_packet pk = { .ttl = p->ttl };
    if (p->proto == 6 && (p->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN) {
        pk.role = PATH_REQUEST;
        pk.req_cell = path_cell_of(&s->key, &p->src, &p->dst, 6, p->dport);
    } else if (p->proto == 6 && (p->tcp_flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
        pk.role = PATH_ANSWER;
        pk.back_cell = path_cell_of(&s->key, &p->dst, &p->src, 6, p->sport);
    } else if (p->proto == 6 && (p->tcp_flags & TH_RST) != 0) {
        /* From the server's port back, a refusal; a client's own RST makes a cell no verdict
         * has, never asked for. */
        pk.role = PATH_RESET;
        pk.back_cell = path_cell_of(&s->key, &p->dst, &p->src, 6, p->sport);
    } else if (p->proto == 17 && p->has_ports) {
        /* Which end asked is the flows' to know: either cell, the verdict picks one. */
        pk.role = PATH_ANSWER;
        pk.req_cell = path_cell_of(&s->key, &p->src, &p->dst, 17, p->dport);
        pk.back_cell = path_cell_of(&s->key, &p->dst, &p->src, 17, p->sport);
    } else if ((p->proto == 1 && p->icmp_type == 8) || (p->proto == 58 && p->icmp_type == 128)) {
        pk.role = PATH_REQUEST;
        pk.req_cell = path_cell_of(&s->key, &p->src, &p->dst, VERDICT_PROTO_ECHO, 0);
    } else if ((p->proto == 1 && p->icmp_type == 0) || (p->proto == 58 && p->icmp_type == 129)) {
        pk.role = PATH_ANSWER;
        pk.back_cell = path_cell_of(&s->key, &p->dst, &p->src, VERDICT_PROTO_ECHO, 0);
    } else if ((p->proto == 1 && p->icmp_type == 3) || (p->proto == 58 && p->icmp_type == 1)) {
        /* Destination unreachable only: time exceeded is a traceroute's, not a refusal. */
        pk.role = PATH_ICMP_ERROR;
        pk.back_cell = path_quoted_cell(s, p);
        if (pk.back_cell == 0)
            return 0;
    } else {
        return 0;
    }
    struct path_capture *c = &s->cap[cap];
    if (c->n == PATH_MAX_PACKETS) {
        c->not_kept++;
        return 0;
    }
    if (c->pk == NULL) {
        c->pk = malloc(PATH_MAX_PACKETS * sizeof *c->pk);
        if (c->pk == NULL)
            return FW_ENOMEM;
    }
    pk.key = path_key_of(&s->key, p);
    pk.lo_to_hi = fw_addr_cmp(&p->src, &p->dst) < 0;
    pk.pair = pk.lo_to_hi ? path_pair_ix(s, &p->src, &p->dst)
                          : path_pair_ix(s, &p->dst, &p->src);
    c->pk[c->n++] = pk;
    return 0;
}

/* By key, then the highest TTL first: a capture spanning a router (both its interfaces)
 * sees a packet twice; the first sighting, as it came in, places it. */
static int path_packet_cmp(const void *x, const void *y)
{
    const struct path_packet *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (int)b->ttl - (int)a->ttl;
}

void path_set_seal(struct path_set *s)
{
    for (size_t i = 0; i < s->ncap; i++) {
        struct path_capture *c = &s->cap[i];
        if (c->n > 1)
            qsort(c->pk, c->n, sizeof *c->pk, path_packet_cmp);
        c->twice = 0;
        for (size_t k = 1; k < c->n; k++)
            c->twice += c->pk[k].key == c->pk[k - 1].key && c->pk[k].ttl != c->pk[k - 1].ttl;
    }
}

bool path_set_main_pair(const struct path_set *s, struct fw_addr *lo, struct fw_addr *hi)
{
    size_t best = s->npairs;
    for (size_t i = 0; i < s->npairs; i++)
        if (best == s->npairs || s->pair[i].packets > s->pair[best].packets ||
            (s->pair[i].packets == s->pair[best].packets &&
             fw_addr_cmp(&s->pair[i].lo, &s->pair[best].lo) < 0))
            best = i;
    if (best == s->npairs)
        return false;
    *lo = s->pair[best].lo;
    *hi = s->pair[best].hi;
    return true;
}

/* The routers from capture i to capture j along lo -> hi, as the median of the packets both
 * saw (a few odd ones do not move it); the number of such packets in *n. */
static int path_diff(const struct path_set *s, size_t i, size_t j, uint16_t pair, uint32_t *n)
{
    static const int span = 255;
    uint32_t hist[2 * 255 + 1] = {0};
    const struct path_capture *a = &s->cap[i], *b = &s->cap[j];
    size_t x = 0, y = 0;
    *n = 0;
    while (x < a->n && y < b->n) {
        uint64_t ka = a->pk[x].key, kb = b->pk[y].key;
        if (ka != kb) {
            if (ka < kb)
                x++;
            else
                y++;
            continue;
        }
        const struct path_packet *p = &a->pk[x], *q = &b->pk[y];
        /* Seen twice in one capture (it spans a router): its side nearest lo places it, the
         * first sighting going toward hi, the last coming back. */
        uint8_t tp = p->ttl, tq = q->ttl;
        for (; x < a->n && a->pk[x].key == ka; x++)
            tp = p->lo_to_hi ? tp : a->pk[x].ttl;
        for (; y < b->n && b->pk[y].key == kb; y++)
            tq = q->lo_to_hi ? tq : b->pk[y].ttl;
        if (p->pair == pair) {
            int d = p->lo_to_hi ? (int)tp - (int)tq : (int)tq - (int)tp;
            hist[d + span]++;
            (*n)++;
        }
    }
    uint32_t half = (*n + 1) / 2, sum = 0;
    for (int d = 0; d <= 2 * span; d++)
        if ((sum += hist[d]) >= half && *n > 0)
            return d - span;
    return 0;
}

static bool path_pair_find(const struct path_set *s, const struct fw_addr *lo,
                           const struct fw_addr *hi, uint16_t *ix)
{
    for (size_t i = 0; i < s->npairs; i++)
        if (fw_addr_eq(&s->pair[i].lo, lo) && fw_addr_eq(&s->pair[i].hi, hi)) {
            *ix = (uint16_t)i;
            return true;
        }
    return false;
}

void path_order_of(const struct path_set *s, const struct fw_addr *a, const struct fw_addr *b,
                   struct path_order *o)
{
    memset(o, 0, sizeof *o);
    bool a_lo = fw_addr_cmp(a, b) < 0;
    uint16_t pair;
    if (!path_pair_find(s, a_lo ? a : b, a_lo ? b : a, &pair))
        return;
    size_t m = s->ncap;
    int d[PATH_MAX_CAPTURES][PATH_MAX_CAPTURES] = {{0}};
    uint32_t n[PATH_MAX_CAPTURES][PATH_MAX_CAPTURES] = {{0}}, total[PATH_MAX_CAPTURES] = {0};
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) {
            d[i][j] = path_diff(s, i, j, pair, &n[i][j]);
            d[j][i] = -d[i][j];
            n[j][i] = n[i][j];
            total[i] += n[i][j];
            total[j] += n[i][j];
        }
    /* From the capture with the most packets in common, always along the best-supported
     * link next: a capture that shares few packets cannot misplace the others. */
    size_t root = 0;
    for (size_t i = 1; i < m; i++)
        if (total[i] > total[root])
            root = i;
    if (total[root] == 0)
        return;
    o->placed[root] = true;
    o->nplaced = 1;
    for (;;) {
        size_t bi = m, bj = m;
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < m; j++)
                if (o->placed[i] && !o->placed[j] && n[i][j] > 0 &&
                    (bi == m || n[i][j] > n[bi][bj]))
                    bi = i, bj = j;
        if (bi == m)
            break;
        o->placed[bj] = true;
        o->hop[bj] = o->hop[bi] + d[bi][bj];
        o->nplaced++;
    }
    int lo = 0;
    bool first = true;
    for (size_t i = 0; i < m; i++)
        if (o->placed[i] && (first || o->hop[i] < lo))
            lo = o->hop[i], first = false;
    for (size_t i = 0; i < m; i++) {
        o->hop[i] = o->placed[i] ? o->hop[i] - lo : -1;
        if (o->hop[i] > o->max_hop)
            o->max_hop = o->hop[i];
    }
    for (size_t i = 0; i < m; i++) {
        if (!o->placed[i])
            continue;
        for (size_t j = i + 1; j < m; j++)
            if (o->placed[j] && n[i][j] > 0) {
                o->matched += n[i][j];
                if (o->hop[j] - o->hop[i] != d[i][j])
                    o->inconsistent = true;
            }
    }
}

/* Where packets present in has[] stop along hops hop[] (-1: not placed): going up (requests,
 * and a refusal traced back to where it first appears) the farthest hop that saw them and
 * the next one beyond; going down (answers) the nearest and the next one before. */
static void path_passage_of(const bool has[], const int hop[], size_t m, bool up,
                            struct path_passage *ps)
{
    memset(ps, 0, sizeof *ps);
    for (size_t i = 0; i < m; i++)
        if (hop[i] >= 0 && has[i] &&
            (!ps->seen || (up ? hop[i] > ps->seen_hop : hop[i] < ps->seen_hop))) {
            ps->seen = true;
            ps->seen_hop = hop[i];
        }
    if (!ps->seen)
        return;
    uint8_t missing = 0;
    for (size_t i = 0; i < m; i++)
        if (hop[i] == ps->seen_hop) {
            if (has[i])
                ps->seen_mask |= (uint8_t)(1u << i);
            else
                missing |= (uint8_t)(1u << i);
        }
    if (missing != 0) {
        ps->tie = true;
        ps->next_hop = ps->seen_hop;
        ps->next_mask = missing;
        return;
    }
    bool next = false;
    for (size_t i = 0; i < m; i++)
        if (hop[i] >= 0 && (up ? hop[i] > ps->seen_hop : hop[i] < ps->seen_hop) &&
            (!next || (up ? hop[i] < ps->next_hop : hop[i] > ps->next_hop))) {
            next = true;
            ps->next_hop = hop[i];
        }
    if (!next)
        return;
    ps->vanish = true;
    for (size_t i = 0; i < m; i++)
        if (hop[i] == ps->next_hop)
            ps->next_mask |= (uint8_t)(1u << i);
}

void path_segment_of(const struct path_set *s, const struct fw_addr *from,
                     const struct fw_addr *to, uint8_t proto, uint16_t port,
                     struct path_segment *out)
{
    memset(out, 0, sizeof *out);
    out->from = *from;
    out->to = *to;
    out->proto = proto;
    out->port = port;
    struct path_order o;
    path_order_of(s, from, to, &o);
    bool from_lo = fw_addr_cmp(from, to) < 0;
    for (size_t i = 0; i < PATH_MAX_CAPTURES; i++)
        out->hop[i] = i < s->ncap && o.placed[i] ? (from_lo ? o.hop[i] : o.max_hop - o.hop[i])
                                                 : -1;
    out->placed = o.nplaced >= 2;
    if (!out->placed)
        return;
    uint64_t cell = path_cell_of(&s->key, from, to, proto, port);
    bool req[PATH_MAX_CAPTURES] = {0}, ans[PATH_MAX_CAPTURES] = {0};
    bool ref[PATH_MAX_CAPTURES] = {0};
    for (size_t i = 0; i < s->ncap; i++)
        for (size_t k = 0; k < s->cap[i].n; k++) {
            const struct path_packet *p = &s->cap[i].pk[k];
            if (p->req_cell == cell)
                req[i] = true;
            if (p->back_cell != cell)
                continue;
            if (p->role == PATH_ANSWER)
                ans[i] = true;
            else if (p->role == PATH_RESET || p->role == PATH_ICMP_ERROR) {
                ref[i] = true;
                out->refusal_rst |= p->role == PATH_RESET;
            }
        }
    path_passage_of(req, out->hop, s->ncap, true, &out->req);
    path_passage_of(ans, out->hop, s->ncap, false, &out->ans);
    path_passage_of(ref, out->hop, s->ncap, true, &out->refusal);
}
