/* capture/cap_dedup_test.c: the copies of one packet in a pcapng file (cap_dedup.c): what is
 * a copy (another interface, or pktmon's comment naming the same packet, within the window,
 * the same network-layer bytes whatever the link header and padding) and what is not (the
 * same interface without pktmon's word for it, later than the window, other bytes). Frames
 * are built with the packet builder; the end-to-end check on a pktmon-like file is
 * tests/windows_pktmon.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "capture/cap_dedup.h"
#include "capture/frame.h"
#include "tests/pb.h"

static const struct cap_dedup_key none;

/* An Ethernet frame with a TCP SYN in it, IPv4 id ip_id, copied into buf. */
static size_t syn_frame(uint8_t *buf, size_t cap, uint16_t ip_id)
{
    static struct pb b;
    pb_init(&b, 1000);
    b.next.set_ip_id = true;
    b.next.ip_id = ip_id;
    int i = pb_tcp(&b, "198.51.100.10", 47298, "203.0.113.20", 6320, TH_SYN);
    assert_true(i >= 0);
    struct frame f = pb_frame(&b, (size_t)i);
    assert_true(f.caplen <= cap && f.linktype == FW_LINKTYPE_ETHERNET);
    memcpy(buf, f.bytes, f.caplen);
    return f.caplen;
}

static void copies_at_other_interfaces_within_the_window(void **state)
{
    (void)state;
    static struct cap_dedup d;
    uint8_t f[256], padded[256];
    size_t n = syn_frame(f, sizeof f, 1);
    memset(&d, 0, sizeof d);
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 0, 1000, &none));
    /* the NIC's copy at another interface, 4 us later: a copy */
    assert_true(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 1, 1004, &none));
    /* the IP layer's copy, without the Ethernet header, in raw IP */
    assert_true(cap_dedup_is_copy(&d, f + 14, (uint32_t)n - 14, FW_LINKTYPE_RAW, 2, 1007, &none));
    /* Ethernet padding after the IP packet does not make it another packet */
    memcpy(padded, f, n);
    memset(padded + n, 0, 8);
    assert_true(cap_dedup_is_copy(&d, padded, (uint32_t)n + 8, FW_LINKTYPE_ETHERNET, 3, 1009,
                                  &none));
    /* the same interface again: a retransmission, not a copy */
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 0, 1010, &none));
    /* past the window: a retransmission seen at another interface is still a packet */
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 1,
                                   1010 + CAP_DEDUP_WINDOW_US + 1, &none));
    /* other bytes (another IP ID) at another interface: another packet */
    size_t m = syn_frame(f, sizeof f, 2);
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)m, FW_LINKTYPE_ETHERNET, 2, 1012, &none));
}

static void pktmon_comments_name_the_copies(void **state)
{
    (void)state;
    static struct cap_dedup d;
    uint8_t f[256];
    size_t n = syn_frame(f, sizeof f, 7);
    struct cap_dedup_key k1, k2, k3;
    const char *c1 = "PktGroupId 2251799813685248, PktNumber 1, Appearance 1, Direction Tx , "
                     "Type Ethernet , Component 12, Edge 1, Filter 1, OriginalSize 74, "
                     "LoggedSize 74";
    const char *c2 = "PktGroupId 2251799813685248, PktNumber 1, Appearance 2, Direction Tx , "
                     "Type Ethernet , Component 11, Edge 1, Filter 1, OriginalSize 74, "
                     "LoggedSize 74";
    const char *c3 = "PktGroupId 2251799813689344, PktNumber 1, Appearance 1, Direction Tx , "
                     "Type Ethernet , Component 12, Edge 1, Filter 1, OriginalSize 74, "
                     "LoggedSize 74";
    cap_dedup_parse_comment((const uint8_t *)c1, strlen(c1), &k1);
    cap_dedup_parse_comment((const uint8_t *)c2, strlen(c2), &k2);
    cap_dedup_parse_comment((const uint8_t *)c3, strlen(c3), &k3);
    assert_true(k1.known && k2.known && k3.known);
    assert_int_equal(k1.group, 2251799813685248u);
    assert_int_equal(k2.appearance, 2);
    memset(&d, 0, sizeof d);
    /* all on one interface, as pktmon's own conversion may write them */
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 0, 500, &k1));
    assert_true(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 0, 509, &k2));
    /* another packet for pktmon, with the same bytes: kept */
    assert_false(cap_dedup_is_copy(&d, f, (uint32_t)n, FW_LINKTYPE_ETHERNET, 0, 520, &k3));
    /* a comment that is not pktmon's, or cut short, gives no key */
    struct cap_dedup_key k;
    cap_dedup_parse_comment((const uint8_t *)"PID 4", 5, &k);
    assert_false(k.known);
    cap_dedup_parse_comment((const uint8_t *)c1, 30, &k);
    assert_false(k.known);
}

/* Frames shorter than their link header, or than an IP header, are compared as they are. */
static void short_frames_are_read_within_their_length(void **state)
{
    (void)state;
    static struct cap_dedup d;
    uint8_t f[20] = { [12] = 0x81, [13] = 0x00 };
    memset(&d, 0, sizeof d);
    for (uint32_t len = 0; len <= sizeof f; len++)
        assert_false(cap_dedup_is_copy(&d, f, len, FW_LINKTYPE_ETHERNET, 0, len, &none));
    assert_true(cap_dedup_is_copy(&d, f, 17, FW_LINKTYPE_ETHERNET, 1, 18, &none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(copies_at_other_interfaces_within_the_window),
        cmocka_unit_test(pktmon_comments_name_the_copies),
        cmocka_unit_test(short_frames_are_read_within_their_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
