/* capture/cap_dedup.c: the copies of one packet in a pcapng file (see cap_dedup.h). Frames
 * are compared from their network layer on, so that a copy logged with an Ethernet header at
 * the NIC and without one higher in the stack (pktmon's IP-level components) still matches,
 * and an IPv4 or IPv6 packet only up to its own length, so that Ethernet padding does not
 * count. Every read is bounded by the captured length. */
#include "cap_dedup.h"

#include <stddef.h>
#include <string.h>

#include "frame.h"

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* Where the network layer starts: past the link header, and past VLAN tags on Ethernet.
 * Link types without a fixed header are compared whole (copies are then equal frames). */
static uint32_t l3_offset(const uint8_t *b, uint32_t caplen, int linktype)
{
    uint32_t off;
    switch (linktype) {
    case FW_LINKTYPE_ETHERNET:
        off = 14;
        while (off + 4 <= caplen &&
               (be16(b + off - 2) == 0x8100 || be16(b + off - 2) == 0x88a8))
            off += 4;
        break;
    case FW_LINKTYPE_NULL: case FW_LINKTYPE_LOOP: off = 4; break;
    case FW_LINKTYPE_LINUX_SLL: off = 16; break;
    case FW_LINKTYPE_LINUX_SLL2: off = 20; break;
    default: off = 0; break;
    }
    return off <= caplen ? off : caplen;
}

/* The bytes that make the packet: an IP packet up to its total length (no link padding). */
static uint32_t l3_length(const uint8_t *p, uint32_t avail)
{
    uint32_t n = avail;
    if (avail >= 20 && p[0] >> 4 == 4 && be16(p + 2) >= 20)
        n = be16(p + 2);
    else if (avail >= 40 && p[0] >> 4 == 6 && be16(p + 4) > 0)
        n = 40u + be16(p + 4);
    return n < avail ? n : avail;
}

static uint64_t fnv1a(const uint8_t *p, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

/* A decimal number right after word in [s, end); false when absent. */
static bool number_after(const char *s, const char *end, const char *word, uint64_t *out)
{
    size_t wl = strlen(word);
    for (const char *p = s; end - p >= (ptrdiff_t)wl; p++) {
        if (memcmp(p, word, wl) != 0)
            continue;
        p += wl;
        while (p < end && *p == ' ')
            p++;
        uint64_t v = 0;
        int digits = 0;
        for (; p < end && *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
            v = v * 10 + (uint64_t)(*p - '0');
        *out = v;
        return digits > 0;
    }
    return false;
}

void cap_dedup_parse_comment(const uint8_t *text, size_t len, struct cap_dedup_key *key)
{
    const char *s = (const char *)text, *end = s + len;
    memset(key, 0, sizeof *key);
    key->known = number_after(s, end, "PktGroupId", &key->group) &&
                 number_after(s, end, "PktNumber", &key->number) &&
                 number_after(s, end, "Appearance", &key->appearance);
}

static bool same_packet(const struct cap_dedup_slot *s, uint32_t iface, uint64_t ts_us,
                        const struct cap_dedup_key *key)
{
    uint64_t gap = ts_us > s->ts_us ? ts_us - s->ts_us : s->ts_us - ts_us;
    if (!s->used || gap > CAP_DEDUP_WINDOW_US)
        return false;
    if (key->known && s->key.known)
        return key->group == s->key.group && key->number == s->key.number &&
               key->appearance != s->key.appearance;
    return iface != s->iface;
}

bool cap_dedup_is_copy(struct cap_dedup *d, const uint8_t *bytes, uint32_t caplen, int linktype,
                       uint32_t iface, uint64_t ts_us, const struct cap_dedup_key *key)
{
    uint32_t off = l3_offset(bytes, caplen, linktype);
    const uint8_t *p = bytes + off;
    uint32_t len = l3_length(p, caplen - off);
    uint32_t pre = len < CAP_DEDUP_PREFIX ? len : CAP_DEDUP_PREFIX;
    uint64_t hash = fnv1a(p + pre, len - pre);
    for (unsigned i = 0; i < CAP_DEDUP_SLOTS; i++) {
        const struct cap_dedup_slot *s = &d->slot[i];
        if (s->len == len && s->hash == hash && same_packet(s, iface, ts_us, key) &&
            memcmp(s->prefix, p, pre) == 0)
            return true;
    }
    struct cap_dedup_slot *s = &d->slot[d->next];
    d->next = (d->next + 1) % CAP_DEDUP_SLOTS;
    s->used = true;
    s->iface = iface;
    s->len = len;
    s->ts_us = ts_us;
    s->hash = hash;
    s->key = *key;
    memcpy(s->prefix, p, pre);
    return false;
}
