/* analyze/path_clues.c: ARP and NDP bindings and the ICMP error senders of one capture (see
 * path_clues.h). ARP is read from the frame's bytes (the decoder stops at "not IP"); NDP from
 * the decoded ICMPv6 message. Every read goes through the bounded cursor. */
#include "path_clues.h"

#include <string.h>

#include "common/cur.h"
#include "verdict.h"

void path_clues_init(struct path_clues *pc)
{
    memset(pc, 0, sizeof *pc);
}

bool path_clues_link_local(const struct fw_addr *a)
{
    return a->family == 6 && a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

static bool mac_usable(const uint8_t mac[6])
{
    static const uint8_t zero[6];
    return (mac[0] & 1) == 0 && memcmp(mac, zero, 6) != 0; /* unicast, not all zero */
}

static void bind(struct path_clues *pc, const struct fw_addr *a, const uint8_t mac[6])
{
    static const uint8_t any6[16];
    if (!mac_usable(mac) || (a->family == 4 && memcmp(a->b, any6, 4) == 0) ||
        (a->family == 6 && memcmp(a->b, any6, 16) == 0))
        return; /* an ARP probe or a solicitation from the unspecified address */
    for (uint32_t i = 0; i < pc->nbind; i++)
        if (fw_addr_eq(&pc->bind[i].addr, a) && memcmp(pc->bind[i].mac, mac, 6) == 0)
            return;
    if (pc->nbind == PATH_CLUES_MAX_BINDINGS) {
        pc->overflow++;
        return;
    }
    pc->bind[pc->nbind].addr = *a;
    memcpy(pc->bind[pc->nbind].mac, mac, 6);
    pc->nbind++;
}

/* ARP for IPv4 over Ethernet, untagged or behind one 802.1Q tag: the sender's pair. */
static void feed_arp(struct path_clues *pc, const struct frame *f)
{
    struct cur c = cur_make(f->bytes, f->bytes != NULL ? f->caplen : 0);
    cur_skip(&c, 12);
    uint16_t type = cur_be16(&c);
    if (type == 0x8100) {
        cur_skip(&c, 2);
        type = cur_be16(&c);
    }
    if (type != 0x0806)
        return;
    uint16_t htype = cur_be16(&c), ptype = cur_be16(&c);
    uint8_t hlen = cur_u8(&c), plen = cur_u8(&c);
    cur_skip(&c, 2); /* request or reply: both tell the sender's pair */
    uint8_t sha[6], spa[4];
    cur_bytes(&c, sha, sizeof sha);
    cur_bytes(&c, spa, sizeof spa);
    if (c.short_read || htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4)
        return;
    struct fw_addr a;
    fw_addr_set4(&a, spa);
    bind(pc, &a, sha);
}

/* RFC 4861 4.3, 4.4: a solicitation ties its source to its source link-layer option, an
 * advertisement its target to its target link-layer option; without the option, the frame's
 * own source MAC (the sender is the owner). Hop limit 255 only: nothing forwarded. */
static void feed_ndp(struct path_clues *pc, const struct pkt *p)
{
    if (p->ttl != 255 || (p->icmp_type != 135 && p->icmp_type != 136))
        return;
    struct cur c = cur_make(p->payload, p->payload != NULL ? p->payload_caplen : 0);
    uint8_t target[16];
    cur_bytes(&c, target, sizeof target);
    if (c.short_read)
        return;
    uint8_t want = p->icmp_type == 135 ? 1 : 2, mac[6];
    bool have = false;
    for (int n = 0; n < 16 && c.left >= 8 && !have; n++) {
        uint8_t otype = cur_u8(&c), olen = cur_u8(&c);
        if (olen == 0)
            return; /* malformed (RFC 4861 4.6): the rest cannot be read */
        if (otype == want && olen == 1) {
            cur_bytes(&c, mac, sizeof mac);
            have = !c.short_read;
        } else {
            cur_skip(&c, (size_t)olen * 8 - 2);
        }
    }
    if (!have) {
        if (!p->has_l2)
            return;
        memcpy(mac, p->l2_src, sizeof mac);
    }
    struct fw_addr a;
    if (p->icmp_type == 135)
        a = p->src;
    else
        fw_addr_set6(&a, target);
    bind(pc, &a, mac);
}

/* An ICMP error from an address other than the quoted datagram's destination: a router's. */
static void feed_error(struct path_clues *pc, const struct pkt *p)
{
    if (!p->has_quote || fw_addr_eq(&p->src, &p->quote.dst))
        return;
    uint8_t hops = (uint8_t)verdict_hops(p->ttl);
    for (uint32_t i = 0; i < pc->nsend; i++) {
        struct path_sender *s = &pc->send[i];
        if (s->hops == hops && fw_addr_eq(&s->addr, &p->src)) {
            s->errors++;
            return;
        }
    }
    if (pc->nsend == PATH_CLUES_MAX_SENDERS) {
        pc->overflow++;
        return;
    }
    pc->send[pc->nsend++] = (struct path_sender){ p->src, hops, 1 };
}

void path_clues_feed(struct path_clues *pc, const struct frame *f, const struct pkt *p)
{
    if (p->status == PKT_NOT_IP) {
        if (f->linktype == FW_LINKTYPE_ETHERNET)
            feed_arp(pc, f);
        return;
    }
    if (p->status != PKT_OK || (p->proto != 1 && p->proto != 58))
        return;
    if (p->proto == 58)
        feed_ndp(pc, p);
    feed_error(pc, p);
}

bool path_clues_addr_of(const struct path_clues *pc, const uint8_t mac[6], uint8_t family,
                        struct fw_addr *out)
{
    bool found = false;
    for (uint32_t i = 0; i < pc->nbind; i++) {
        const struct path_binding *b = &pc->bind[i];
        if (b->addr.family != family || memcmp(b->mac, mac, 6) != 0)
            continue;
        if (!found || (path_clues_link_local(out) && !path_clues_link_local(&b->addr)))
            *out = b->addr;
        found = true;
    }
    return found;
}

bool path_clues_sender_at(const struct path_clues *pc, uint8_t family, unsigned hops,
                          struct fw_addr *out)
{
    const struct fw_addr *one = NULL;
    for (uint32_t i = 0; i < pc->nsend; i++) {
        const struct path_sender *s = &pc->send[i];
        if (s->addr.family != family || s->hops != hops)
            continue;
        if (one != NULL && !fw_addr_eq(one, &s->addr))
            return false; /* *out untouched */
        one = &s->addr;
    }
    if (one != NULL)
        *out = *one;
    return one != NULL;
}
