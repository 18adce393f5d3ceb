/* capture/cap_dedup.h: recognises the same packet recorded more than once in one pcapng file.
 * Windows' pktmon logs a packet at every component it passes (the NIC, each filter driver,
 * the vSwitch...), two or three times with the same bytes, and Wireshark capturing several
 * interfaces of a bridge sees a frame on each; counted as they are, these copies would look
 * like retransmissions (a SYN "sent three times") and several attempts. A copy is a frame
 * whose network-layer bytes equal those of a frame read within CAP_DEDUP_WINDOW_US before or
 * after it, and that was recorded either at another interface, or at a point pktmon's packet
 * comment names as the same packet (same PktGroupId and PktNumber, a later Appearance).
 * Parsing pcapng is cap_pcapng.c's; this module sees bytes, a link type and those keys.
 * Private to capture/. */
#ifndef FW_CAP_DEDUP_H
#define FW_CAP_DEDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A packet passes pktmon's components within microseconds; a host's own retransmissions
 * come hundreds of milliseconds apart (TCP's minimum RTO is 200 ms on Linux, 300 ms on
 * Windows), so 10 ms keeps the copies together and the retransmissions apart. */
#define CAP_DEDUP_WINDOW_US 10000u
#define CAP_DEDUP_SLOTS 64u  /* frames remembered: more than a burst between two appearances */
#define CAP_DEDUP_PREFIX 128u /* bytes compared exactly; the rest through a 64-bit hash */

/* pktmon's identity of a packet, from the comment "PktGroupId G, PktNumber N, Appearance A". */
struct cap_dedup_key {
    bool known;
    uint64_t group, number, appearance;
};

struct cap_dedup_slot {
    bool used;
    uint32_t iface, len;
    uint64_t ts_us, hash;
    struct cap_dedup_key key;
    uint8_t prefix[CAP_DEDUP_PREFIX];
};

struct cap_dedup {
    struct cap_dedup_slot slot[CAP_DEDUP_SLOTS];
    unsigned next;
};

/* Reads pktmon's key from a packet comment of len bytes (not NUL-terminated); key->known
 * false when the comment is not in pktmon's form. */
void cap_dedup_parse_comment(const uint8_t *text, size_t len, struct cap_dedup_key *key);

/* True when the frame is a copy of one remembered (see above); otherwise remembers it and
 * returns false. bytes holds caplen bytes of a frame of linktype (LINKTYPE_*). */
bool cap_dedup_is_copy(struct cap_dedup *d, const uint8_t *bytes, uint32_t caplen, int linktype,
                       uint32_t iface, uint64_t ts_us, const struct cap_dedup_key *key);

#endif
