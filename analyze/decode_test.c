/* analyze/decode_test.c: the decoder's link layers and IP layer, on frames built with the
 * packet builder. Transport headers, ICMP quotes and checksums are in decode_l4_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analyze/decode_test.h"

#define T0 1700000000000000ull

static void ethernet_tcp_syn_fields(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.ttl = 117;
    b.next.set_ip_id = true;
    b.next.ip_id = 0x4242;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    struct pkt p = dt_decode(&b, 0, false);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.linktype, FW_LINKTYPE_ETHERNET);
    assert_int_equal(p.ip_version, 4);
    dt_assert_addr(&p.src, DT_A4);
    dt_assert_addr(&p.dst, DT_B4);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.ttl, 117);
    assert_int_equal(p.ip_id, 0x4242);
    assert_int_equal(p.ip_len, 40);
    assert_false(p.is_fragment);
    assert_true(p.has_ports && p.l4_complete);
    assert_int_equal(p.sport, 49500);
    assert_int_equal(p.dport, 6320);
    assert_int_equal(p.tcp_flags, TH_SYN);
    assert_int_equal(p.l4_payload_len, 0);
    assert_int_equal(p.ip_cksum, CKSUM_UNCHECKED);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
}

/* A UDP datagram with 11 payload bytes over link type lt, in IPv4 or IPv6. */
static void check_link(int lt, bool v6, bool swapped, bool no_addr_ctl)
{
    struct pb b = pb_start(T0);
    b.linktype = lt;
    b.null_swapped = swapped;
    b.ppp_no_addr_ctl = no_addr_ctl;
    pb_udp(&b, v6 ? DT_A6 : DT_A4, 5000, v6 ? DT_B6 : DT_B4, 6325, 11);
    struct pkt p = dt_decode(&b, 0, true);
    if (p.status != PKT_OK)
        fail_msg("link type %d, IPv%d: %s", lt, v6 ? 6 : 4, pkt_status_name(p.status));
    assert_int_equal(p.linktype, lt);
    assert_int_equal(p.ip_version, v6 ? 6 : 4);
    dt_assert_addr(&p.src, v6 ? DT_A6 : DT_A4);
    dt_assert_addr(&p.dst, v6 ? DT_B6 : DT_B4);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.dport, 6325);
    assert_int_equal(p.l4_payload_len, 11);
    assert_int_equal(p.payload_caplen, 11);
    assert_memory_equal(p.payload, "abcdefghijk", 11);
    assert_int_equal(p.l4_cksum, CKSUM_OK);
}

static void every_link_type(void **state)
{
    (void)state;
    static const int both[] = { FW_LINKTYPE_ETHERNET, FW_LINKTYPE_NULL, FW_LINKTYPE_LOOP,
                                FW_LINKTYPE_PPP, FW_LINKTYPE_RAW, 12, 14, 50,
                                FW_LINKTYPE_LINUX_SLL, FW_LINKTYPE_LINUX_SLL2,
                                FW_LINKTYPE_IEEE802_11, FW_LINKTYPE_IEEE802_11_RADIOTAP };
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
        assert_true(decode_has_linktype(both[i]));
        check_link(both[i], false, false, false);
        check_link(both[i], true, false, false);
    }
    check_link(FW_LINKTYPE_IPV4, false, false, false);
    check_link(FW_LINKTYPE_IPV6, true, false, false);
    /* BSD loopback written by a big-endian machine; PPP without address and control. */
    check_link(FW_LINKTYPE_NULL, false, true, false);
    check_link(FW_LINKTYPE_NULL, true, true, false);
    check_link(FW_LINKTYPE_PPP, false, false, true);
    check_link(FW_LINKTYPE_PPP, true, false, true);
}

static void unsupported_link_and_not_ip(void **state)
{
    (void)state;
    static const uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
                                     0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1 };
    static const uint8_t lldp[20] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e, 2, 0, 0, 0, 0, 1,
                                      0x88, 0xcc };
    struct pb b = pb_start(T0);
    pb_raw(&b, FW_LINKTYPE_ETHERNET, arp, sizeof arp);
    pb_raw(&b, FW_LINKTYPE_ETHERNET, lldp, sizeof lldp);
    pb_raw(&b, 147, arp, sizeof arp);
    pb_raw(&b, FW_LINKTYPE_RAW, (const uint8_t *)"\x50\x00\x00\x14", 4);
    assert_int_equal(dt_decode(&b, 0, false).status, PKT_NOT_IP);
    assert_int_equal(dt_decode(&b, 1, false).status, PKT_NOT_IP);
    assert_int_equal(dt_decode(&b, 2, false).status, PKT_UNSUPPORTED_LINK);
    assert_false(decode_has_linktype(147));
    assert_int_equal(dt_decode(&b, 3, false).status, PKT_NOT_IP); /* version 5 */
    assert_string_equal(pkt_status_name(PKT_FRAGMENT), "IP fragment (not the first)");
    assert_string_equal(pkt_status_name(PKT_OK), "ok");
}

/* Shims that sit between Ethernet and IP in data-centre captures: Cisco FabricPath and 802.1ah
 * wrap a whole inner Ethernet header, VN-Tag adds a 4-byte tag. Each is built around a plain
 * Ethernet frame and must decode to the same TCP segment. */
static void ether_shims(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_tcp(&b, DT_A4, 40000, DT_B4, 6320, TH_SYN);
    struct frame inner = pb_frame(&b, 0);
    static const struct {
        uint16_t type;
        uint8_t shim_len; /* bytes after the type before the wrapped frame part */
        bool wraps_macs;  /* the inner frame keeps its own MAC addresses */
    } shims[] = { { 0x8903, 2, true }, { 0x88e7, 4, true }, { 0x8926, 4, false } };
    for (size_t i = 0; i < sizeof shims / sizeof shims[0]; i++) {
        uint8_t buf[256] = { 0 };
        size_t at = 12;
        buf[at++] = (uint8_t)(shims[i].type >> 8);
        buf[at++] = (uint8_t)shims[i].type;
        at += shims[i].shim_len;
        size_t from = shims[i].wraps_macs ? 0 : 12;
        assert_true(at + inner.caplen - from <= sizeof buf);
        memcpy(buf + at, inner.bytes + from, inner.caplen - from);
        int k = pb_raw(&b, FW_LINKTYPE_ETHERNET, buf, (uint32_t)(at + inner.caplen - from));
        assert_true(k > 0);
        struct pkt p = dt_decode(&b, (size_t)k, true);
        assert_int_equal(p.status, PKT_OK);
        assert_int_equal(p.sport, 40000);
        assert_int_equal(p.dport, 6320);
        assert_int_equal(p.tcp_flags, TH_SYN);
        assert_int_equal(p.l4_cksum, CKSUM_OK);
    }
}

static void vlan_stacks(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.encap.kind = PB_ENCAP_VLAN;
    b.encap.count = 1;
    b.encap.tag[0] = 100;
    pb_tcp(&b, DT_A4, 1, DT_B4, 445, TH_SYN);
    b.encap.count = 3; /* QinQ: 802.1ad outside, then 802.1Q, then the old 0x9100 */
    b.encap.tpid[0] = 0x88a8;
    b.encap.tpid[1] = 0x8100;
    b.encap.tpid[2] = 0x9100;
    pb_tcp(&b, DT_A6, 2, DT_B6, 445, TH_SYN);
    b.encap.count = PB_MAX_TAGS; /* as deep as the decoder looks */
    pb_tcp(&b, DT_A4, 3, DT_B4, 445, TH_SYN);
    for (size_t i = 0; i < 3; i++) {
        struct pkt p = dt_decode(&b, i, true);
        assert_int_equal(p.status, PKT_OK);
        assert_int_equal(p.sport, i + 1);
        assert_int_equal(p.dport, 445);
        assert_int_equal(p.l4_cksum, CKSUM_OK);
    }
    /* One tag more than that is not a frame we trust. */
    struct pb deep = pb_start(T0);
    uint8_t frame[14 + 4 * (PB_MAX_TAGS + 1) + 20] = { 0 };
    size_t at = 12;
    for (int i = 0; i <= PB_MAX_TAGS; i++, at += 4)
        frame[at] = 0x81;
    frame[at] = 0x08;
    frame[at + 2] = 0x45;
    pb_raw(&deep, FW_LINKTYPE_ETHERNET, frame, sizeof frame);
    assert_int_equal(dt_decode(&deep, 0, false).status, PKT_MALFORMED);
}

static void mpls_and_pppoe(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.encap.kind = PB_ENCAP_MPLS;
    b.encap.count = 1;
    b.encap.tag[0] = 16;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.encap.count = 3;
    pb_udp(&b, DT_A6, 49500, DT_B6, 6320, 4);
    b.encap.kind = PB_ENCAP_PPPOE;
    b.next.eth_pad = 20; /* padding after the PPPoE payload is not payload */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    pb_udp(&b, DT_A6, 49500, DT_B6, 6320, 4);
    for (size_t i = 0; i < 4; i++) {
        struct pkt p = dt_decode(&b, i, true);
        assert_int_equal(p.status, PKT_OK);
        assert_int_equal(p.ip_version, i % 2 ? 6 : 4);
        assert_int_equal(p.sport, 49500);
        assert_int_equal(p.l4_payload_len, i % 2 ? 4 : 0);
        assert_int_equal(p.payload_caplen, i % 2 ? 4 : 0);
        assert_int_equal(p.l4_cksum, CKSUM_OK);
    }
    /* A PPPoE session carrying LCP is not IP. */
    *dt_ip_byte(&b, 3, -1) = 0x21; /* PPP protocol 0xc021 */
    *dt_ip_byte(&b, 3, -2) = 0xc0;
    assert_int_equal(dt_decode(&b, 3, false).status, PKT_NOT_IP);
}

static void ethernet_padding_is_not_payload(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.eth_pad = 6; /* a 54-byte frame padded to the 60-byte minimum */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_ACK);
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.ip_len, 40);
    assert_int_equal(p.l4_payload_len, 0);
    assert_int_equal(p.payload_caplen, 0);
    assert_int_equal(p.l4_cksum, CKSUM_OK);
}

static void ipv4_options_and_bad_header(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.ip_opt_len = 12;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.ip_len = 10; /* total length below the header */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    *dt_ip_byte(&b, 2, 0) = 0x44; /* IHL 4 */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    *dt_ip_byte(&b, 3, 0) = 0x65; /* IPv6 version behind the IPv4 Ethernet type */

    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.ip_len, 52);
    assert_int_equal(p.sport, 49500);
    assert_int_equal(p.ip_cksum, CKSUM_OK);
    assert_int_equal(p.l4_cksum, CKSUM_OK);
    assert_int_equal(dt_decode(&b, 1, false).status, PKT_MALFORMED);
    assert_int_equal(dt_decode(&b, 2, false).status, PKT_MALFORMED);
    assert_int_equal(dt_decode(&b, 3, false).status, PKT_MALFORMED);
}

static void ipv4_truncated_header_and_snaplen(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.snaplen = 14 + 16; /* stops before the destination address */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.payload_len = 1000;
    b.next.snaplen = 96; /* headers whole, payload cut: fine, the lengths come from IP */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_ACK);
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_TRUNCATED);
    assert_int_equal(p.ip_version, 4);
    assert_int_equal(p.src.family, 0);
    assert_false(p.has_ports);
    p = dt_decode(&b, 1, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.ip_len, 1040);
    assert_int_equal(p.l4_payload_len, 1000);
    assert_int_equal(p.payload_caplen, 96 - 54);
    assert_int_equal(p.ip_cksum, CKSUM_OK);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED); /* not all of it was captured */
}

static void ipv4_length_zero_from_segmentation_offload(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.payload_len = 100;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_ACK | TH_PUSH);
    *dt_ip_byte(&b, 0, 2) = 0;
    *dt_ip_byte(&b, 0, 3) = 0;
    struct pkt p = dt_decode(&b, 0, false);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.ip_len, 140);
    assert_int_equal(p.l4_payload_len, 100);
}

static void ipv4_fragments(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.frag_mf = true;
    b.next.udp_len = 2488; /* first fragment: the UDP length covers the whole datagram */
    pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 1472);
    b.next.frag_mf = true;
    b.next.frag_off = 185;
    pb_ip(&b, DT_A4, DT_B4, 17, 1008);
    b.next.frag_off = 370;
    pb_ip(&b, DT_A4, DT_B4, 6, 20);
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_true(p.is_fragment);
    assert_int_equal(p.sport, 5000);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
    for (size_t i = 1; i < 3; i++) {
        p = dt_decode(&b, i, true);
        assert_int_equal(p.status, PKT_FRAGMENT);
        assert_true(p.is_fragment);
        assert_false(p.has_ports);
        dt_assert_addr(&p.src, DT_A4);
        assert_int_equal(p.proto, i == 1 ? 17 : 6);
        assert_int_equal(p.ip_cksum, CKSUM_OK);
    }
}

static void ipv6_extension_headers(void **state)
{
    (void)state;
    static const uint8_t chain[] = { 0, 60, 43, 51, 135 };
    struct pb b = pb_start(T0);
    b.next.v6_ext = chain;
    b.next.v6_ext_count = 4;
    b.next.payload_len = 7;
    pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_ACK | TH_PUSH);
    b.next.v6_ext = chain + 4; /* mobility header, then no next header: nothing to read */
    b.next.v6_ext_count = 1;
    pb_ip(&b, DT_A6, DT_B6, 59, 0);
    b.next.v6_ext = chain;
    b.next.v6_ext_count = 1;
    pb_ip(&b, DT_A6, DT_B6, 50, 32); /* ESP: stop there */
    b.next.v6_ext = chain;
    b.next.v6_ext_count = 2;
    b.next.ip_len = 12; /* payload length ends inside the second extension header */
    pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN);

    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.ip_len, 40 + 8 + 8 + 8 + 24 + 20 + 7);
    assert_int_equal(p.l4_payload_len, 7);
    assert_int_equal(p.sport, 49500);
    assert_int_equal(p.ttl, 64);
    assert_int_equal(p.ip_id, 0);
    assert_int_equal(p.l4_cksum, CKSUM_OK);
    p = dt_decode(&b, 1, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.proto, 59);
    assert_int_equal(p.l4_payload_len, 0);
    p = dt_decode(&b, 2, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.proto, 50);
    assert_int_equal(p.l4_payload_len, 32);
    assert_int_equal(dt_decode(&b, 3, false).status, PKT_MALFORMED);
}

static void ipv6_fragments(void **state)
{
    (void)state;
    static const uint8_t hop[] = { 0 };
    struct pb b = pb_start(T0);
    b.next.frag_mf = true;
    b.next.v6_ext = hop;
    b.next.v6_ext_count = 1;
    pb_udp(&b, DT_A6, 5000, DT_B6, 6325, 100);
    b.next.frag_off = 200;
    pb_ip(&b, DT_A6, DT_B6, 17, 100);
    b.next.v6_frag_hdr = true; /* atomic fragment (RFC 6946): offset 0, no M */
    pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN);
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_true(p.is_fragment);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 6325);
    p = dt_decode(&b, 1, true);
    assert_int_equal(p.status, PKT_FRAGMENT);
    assert_int_equal(p.proto, 17);
    dt_assert_addr(&p.dst, DT_B6);
    p = dt_decode(&b, 2, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.dport, 6320);
}

static void truncated_link_headers(void **state)
{
    (void)state;
    static const int lts[] = { FW_LINKTYPE_ETHERNET, FW_LINKTYPE_LINUX_SLL,
                               FW_LINKTYPE_LINUX_SLL2, FW_LINKTYPE_IEEE802_11_RADIOTAP };
    for (size_t i = 0; i < sizeof lts / sizeof lts[0]; i++) {
        struct pb b = pb_start(T0);
        b.linktype = lts[i];
        b.next.snaplen = 10;
        pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
        struct pkt p = dt_decode(&b, 0, false);
        assert_int_equal(p.status, PKT_TRUNCATED);
        assert_int_equal(p.ip_version, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ethernet_tcp_syn_fields),
        cmocka_unit_test(every_link_type),
        cmocka_unit_test(unsupported_link_and_not_ip),
        cmocka_unit_test(vlan_stacks),
        cmocka_unit_test(ether_shims),
        cmocka_unit_test(mpls_and_pppoe),
        cmocka_unit_test(ethernet_padding_is_not_payload),
        cmocka_unit_test(ipv4_options_and_bad_header),
        cmocka_unit_test(ipv4_truncated_header_and_snaplen),
        cmocka_unit_test(ipv4_length_zero_from_segmentation_offload),
        cmocka_unit_test(ipv4_fragments),
        cmocka_unit_test(ipv6_extension_headers),
        cmocka_unit_test(ipv6_fragments),
        cmocka_unit_test(truncated_link_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
