/* analyze/path_clues_test.c: what path_clues keeps of a capture: ARP and NDP bindings (and
 * what it must not bind: probes, truncated or multicast senders, forwarded NDP), the routers
 * that sent ICMP errors and from how far, and the Ethernet source the decoder hands over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/path_clues.h"
#include "tests/pb.h"

#define T0 1700000000000000ull

static struct pb b;
static struct path_clues pc;

static void feed_all(void)
{
    path_clues_init(&pc);
    for (size_t i = 0; i < pb_count(&b); i++) {
        struct frame f = pb_frame(&b, i);
        struct pkt p;
        decode_frame(&f, NULL, &p);
        path_clues_feed(&pc, &f, &p);
    }
}

static void expect_addr(const uint8_t mac[6], uint8_t family, const char *want)
{
    struct fw_addr got, w;
    if (want == NULL) {
        assert_false(path_clues_addr_of(&pc, mac, family, &got));
        return;
    }
    assert_true(path_clues_addr_of(&pc, mac, family, &got));
    assert_true(fw_addr_parse(&w, want));
    assert_true(fw_addr_eq(&got, &w));
}

static void arp_binds_its_sender(void **state)
{
    (void)state;
    uint8_t gw[6], host[6];
    pb_mac_of("198.51.100.1", gw);
    pb_mac_of("198.51.100.10", host);
    b = pb_start(T0);
    pb_arp(&b, 1, "198.51.100.10", host, "198.51.100.1"); /* request: tells the sender's */
    pb_arp(&b, 2, "198.51.100.1", gw, "198.51.100.10");   /* reply */
    feed_all();
    expect_addr(gw, 4, "198.51.100.1");
    expect_addr(host, 4, "198.51.100.10");
    expect_addr(gw, 6, NULL);
}

static void arp_probes_truncation_and_multicast_bind_nothing(void **state)
{
    (void)state;
    uint8_t gw[6], mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
    pb_mac_of("198.51.100.1", gw);
    b = pb_start(T0);
    pb_arp(&b, 1, "0.0.0.0", gw, "198.51.100.1"); /* RFC 5227 probe: no address yet */
    b.next.snaplen = 30;                           /* cut inside the sender's address */
    pb_arp(&b, 2, "198.51.100.1", gw, "198.51.100.10");
    pb_arp(&b, 2, "198.51.100.2", mcast, "198.51.100.10");
    feed_all();
    expect_addr(gw, 4, NULL);
    expect_addr(mcast, 4, NULL);
    assert_int_equal(pc.nbind, 0);
}

static void neighbour_advertisement_binds_its_target(void **state)
{
    (void)state;
    uint8_t gw[6];
    pb_mac_of("2001:db8:1::1", gw);
    b = pb_start(T0);
    pb_ndp_na(&b, "fe80::1", "2001:db8:1::10", "fe80::1", gw);
    pb_ndp_na(&b, "2001:db8:1::1", "2001:db8:1::10", "2001:db8:1::1", gw);
    pb_ndp_na(&b, "fe80::2", "2001:db8:1::10", "fe80::2", gw); /* a later link-local */
    feed_all();
    expect_addr(gw, 6, "2001:db8:1::1"); /* a global address before any link-local */
    expect_addr(gw, 4, NULL);
}

static void forwarded_advertisement_binds_nothing(void **state)
{
    (void)state;
    uint8_t gw[6];
    pb_mac_of("2001:db8:1::1", gw);
    b = pb_start(T0);
    pb_ndp_na(&b, "2001:db8:1::1", "2001:db8:1::10", "2001:db8:1::1", gw);
    /* pb_ndp_na sets hop limit 255 itself: rewrite the frame's hop limit to 254 */
    struct frame f = pb_frame(&b, 0);
    uint8_t copy[128];
    assert_true(f.caplen <= sizeof copy);
    memcpy(copy, f.bytes, f.caplen);
    copy[14 + 7] = 254;
    b = pb_start(T0);
    pb_raw(&b, FW_LINKTYPE_ETHERNET, copy, f.caplen);
    feed_all();
    expect_addr(gw, 6, NULL);
}

static void icmp_senders_by_distance(void **state)
{
    (void)state;
    struct fw_addr got, want;
    b = pb_start(T0);
    int syn = pb_tcp(&b, "198.51.100.10", 50000, "203.0.113.20", 6320, TH_SYN);
    b.next.ttl = 63;
    pb_icmp_error(&b, "192.0.2.2", "198.51.100.10", 3, 13, syn);
    b.next.ttl = 62; /* the host's own port unreachable: no router's */
    pb_icmp_error(&b, "203.0.113.20", "198.51.100.10", 3, 3, syn);
    feed_all();
    assert_true(path_clues_sender_at(&pc, 4, 1, &got));
    assert_true(fw_addr_parse(&want, "192.0.2.2"));
    assert_true(fw_addr_eq(&got, &want));
    assert_false(path_clues_sender_at(&pc, 4, 2, &got));
    assert_false(path_clues_sender_at(&pc, 6, 1, &got));
    /* a second router at the same distance: the distance names no one */
    b.next.ttl = 63;
    pb_icmp_error(&b, "192.0.2.3", "198.51.100.10", 3, 13, syn);
    feed_all();
    got = (struct fw_addr){ 0 };
    assert_false(path_clues_sender_at(&pc, 4, 1, &got));
    assert_int_equal(got.family, 0);
}

static void decoder_hands_over_the_ethernet_source(void **state)
{
    (void)state;
    uint8_t mac[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
    b = pb_start(T0);
    b.next.set_eth_src = true;
    memcpy(b.next.eth_src, mac, 6);
    pb_tcp(&b, "203.0.113.20", 6320, "198.51.100.10", 50000, TH_RST | TH_ACK);
    b.linktype = FW_LINKTYPE_RAW;
    pb_tcp(&b, "203.0.113.20", 6320, "198.51.100.10", 50000, TH_RST | TH_ACK);
    struct frame f = pb_frame(&b, 0);
    struct pkt p;
    assert_int_equal(decode_frame(&f, NULL, &p), PKT_OK);
    assert_true(p.has_l2);
    assert_memory_equal(p.l2_src, mac, 6);
    f = pb_frame(&b, 1);
    assert_int_equal(decode_frame(&f, NULL, &p), PKT_OK);
    assert_false(p.has_l2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arp_binds_its_sender),
        cmocka_unit_test(arp_probes_truncation_and_multicast_bind_nothing),
        cmocka_unit_test(neighbour_advertisement_binds_its_target),
        cmocka_unit_test(forwarded_advertisement_binds_nothing),
        cmocka_unit_test(icmp_senders_by_distance),
        cmocka_unit_test(decoder_hands_over_the_ethernet_source),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
