/* analyze/diagnose/attribution_test.c: who refused, from one capture's packets
 * (attribute.c), and where the capture was taken (capture_point.c). A RST forged in the
 * target's name is named by its Ethernet source and the ARP/NDP exchange that ties that MAC to
 * an address (adjacent), by its TTL and the one router that sent ICMP errors from the same
 * distance, or by its distance alone, never "nobody"; an on-link host's RST from another MAC is
 * forged, its own RST from its own MAC is not. Captured on the source unless a test says
 * otherwise: the gateway RTR forwards the far target's packets (TTL 63, the gateway's MAC). */
#include "diag_test.h"

#define FAR "192.0.2.2"        /* a router one beyond the gateway */
#define NEAR_HOST "198.51.100.20" /* a host on the source's own link */

static uint8_t gw_mac[6];

/* The next packet is forwarded (or made) by the gateway: its MAC, and TTL ttl. */
static void via_gateway(uint8_t ttl)
{
    b.next.set_eth_src = true;
    memcpy(b.next.eth_src, gw_mac, 6);
    b.next.ttl = ttl;
}

/* An answered SYN from src to a far tgt, its SYN-ACK through the gateway with TTL ttl: the
 * host's own TTL, and the capture point on src. */
static void far_control(const char *src, uint16_t cport, const char *tgt, uint8_t ttl)
{
    pb_tcp(&b, src, cport, tgt, 445, TH_SYN);
    via_gateway(ttl);
    pb_tcp(&b, tgt, 445, src, cport, TH_SYN | TH_ACK);
    pb_tcp(&b, src, cport, tgt, 445, TH_ACK);
}

/* A SYN from src to tgt's 6320, answered by a RST in tgt's name through the gateway's MAC. */
static int syn_reset_via_gateway(const char *src, const char *tgt, uint8_t rst_ttl)
{
    int syn = pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN);
    via_gateway(rst_ttl);
    pb_tcp(&b, tgt, 6320, src, 50001, TH_RST | TH_ACK);
    return syn;
}

static void start(void)
{
    pb_init(&b, T0);
    pb_mac_of(RTR, gw_mac);
}

static void finish(const char *src, const char *tgt, uint8_t ttl)
{
    pb_wait(&b, 5 * SEC);
    far_control(src, 49401, tgt, ttl);
}

static const struct verdict_item *rejected_6320(const char *src, const char *tgt, const char *by,
                                                enum verdict_basis basis, int routers)
{
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, src, tgt, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_HIGH, by, true, "resets the connection" });
    assert_string_equal(verdict_basis_name(it->v.basis), verdict_basis_name(basis));
    assert_int_equal(it->v.routers, routers);
    assert_null(strstr(it->advice, "0 hops"));
    char text[160];
    assert_null(strstr(verdict_answered_text(it, text, sizeof text), "nobody"));
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(diag_a));
    assert_true(cp->known);
    assert_false(cp->in_path);
    return it;
}

static void gateway_named_by_its_arp_reply(void **state)
{
    (void)state;
    start();
    pb_arp(&b, 2, RTR, gw_mac, SRC);
    far_control(SRC, 49400, TGT, 63);
    syn_reset_via_gateway(SRC, TGT, 64);
    finish(SRC, TGT, 63);
    const struct verdict_item *it = rejected_6320(SRC, TGT, RTR, BASIS_LINK_LAYER, 0);
    if (strstr(it->advice, "198.51.100.1, adjacent to the capture point") == NULL)
        fail_msg("advice: %s", it->advice);
    diag_evidence_has(it, "IP ID"); /* IPv4: its IP ID is shown */
}

static void gateway_named_by_its_neighbour_advertisement(void **state)
{
    (void)state;
    start();
    pb_ndp_na(&b, "fe80::1", SRC6, "fe80::1", gw_mac); /* link-local first: the global wins */
    pb_ndp_na(&b, RTR6, SRC6, RTR6, gw_mac);
    far_control(SRC6, 49400, TGT6, 63);
    syn_reset_via_gateway(SRC6, TGT6, 64);
    finish(SRC6, TGT6, 63);
    const struct verdict_item *it = rejected_6320(SRC6, TGT6, RTR6, BASIS_LINK_LAYER, 0);
    for (int i = 0; i < it->nevidence; i++)
        assert_null(strstr(it->evidence[i], "IP ID")); /* IPv6 has none */
}

/* Nothing ties the MAC to an address: an adjacent device, said with its MAC. */
static void adjacent_device_without_arp_is_a_distance(void **state)
{
    (void)state;
    start();
    far_control(SRC, 49400, TGT, 63);
    syn_reset_via_gateway(SRC, TGT, 64);
    finish(SRC, TGT, 63);
    const struct verdict_item *it = rejected_6320(SRC, TGT, NULL, BASIS_TTL, 0);
    if (strstr(it->advice, "adjacent to the capture point (MAC 02:00:5e:10:00:01") == NULL)
        fail_msg("advice: %s", it->advice);
}

/* The RST crossed one router (TTL 63) and the target is two away (62): the router that sent an
 * ICMP error from one router away is probably its maker. */
static void farther_device_named_by_its_icmp_errors(void **state)
{
    (void)state;
    start();
    pb_arp(&b, 2, RTR, gw_mac, SRC);
    far_control(SRC, 49400, TGT, 62);
    syn_reset_via_gateway(SRC, TGT, 63);
    int syn = pb_tcp(&b, SRC, 50002, TGT, 6325, TH_SYN);
    via_gateway(63);
    pb_icmp_error(&b, FAR, SRC, 3, 13, syn);
    finish(SRC, TGT, 62);
    const struct verdict_item *it = rejected_6320(SRC, TGT, FAR, BASIS_TTL_ICMP, 1);
    if (strstr(it->advice, "1 router from the capture point, probably 192.0.2.2") == NULL)
        fail_msg("advice: %s", it->advice);
    diag_evidence_has(it, "does not fit the host's own packets");
}

/* Two routers sent ICMP errors from that distance, or none did: the distance alone. */
static void distance_alone_when_no_single_sender(void **state)
{
    (void)state;
    for (int senders = 0; senders <= 2; senders += 2) {
        start();
        far_control(SRC, 49400, TGT, 62);
        syn_reset_via_gateway(SRC, TGT, 63);
        for (int i = 0; i < senders; i++) {
            int syn = pb_tcp(&b, SRC, (uint16_t)(50010 + i), TGT, 6325, TH_SYN);
            via_gateway(63);
            pb_icmp_error(&b, i == 0 ? FAR : "192.0.2.3", SRC, 3, 13, syn);
        }
        finish(SRC, TGT, 62);
        const struct verdict_item *it = rejected_6320(SRC, TGT, NULL, BASIS_TTL, 1);
        char text[160];
        assert_string_equal(verdict_answered_text(it, text, sizeof text),
                            "an unnamed device (ttl, 1 router from the capture point)");
    }
}

/* An ICMP error names its sender by its address. */
static void icmp_error_named_by_its_source(void **state)
{
    (void)state;
    start();
    far_control(SRC, 49400, TGT, 62);
    int syn = pb_tcp(&b, SRC, 50002, TGT, 6320, TH_SYN);
    via_gateway(63);
    pb_icmp_error(&b, FAR, SRC, 3, 13, syn);
    finish(SRC, TGT, 62);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_REJECTED);
    assert_string_equal(verdict_basis_name(it->v.basis), "icmp-source");
}

/* The target on the source's own link: its packets come from its own MAC with TTL 64. */
static void near_control(uint16_t cport)
{
    pb_tcp(&b, SRC, cport, NEAR_HOST, 445, TH_SYN);
    pb_tcp(&b, NEAR_HOST, 445, SRC, cport, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, cport, NEAR_HOST, 445, TH_ACK);
}

/* Same TTL as the host's own, but from the gateway's MAC: forged, and named by it. */
static void on_link_host_rst_from_another_mac_is_forged(void **state)
{
    (void)state;
    start();
    pb_arp(&b, 2, RTR, gw_mac, SRC);
    near_control(49400);
    syn_reset_via_gateway(SRC, NEAR_HOST, 64);
    pb_wait(&b, 5 * SEC);
    near_control(49401);
    const struct verdict_item *it = rejected_6320(SRC, NEAR_HOST, RTR, BASIS_LINK_LAYER, 0);
    diag_evidence_has(it, "another MAC than the packets of 198.51.100.20");
}

/* The on-link host's own RST, from its own MAC with its own TTL: closed, nothing forged. */
static void on_link_host_own_rst_is_closed(void **state)
{
    (void)state;
    start();
    pb_arp(&b, 2, RTR, gw_mac, SRC);
    near_control(49400);
    pb_tcp(&b, SRC, 50001, NEAR_HOST, 6320, TH_SYN);
    pb_tcp(&b, NEAR_HOST, 6320, SRC, 50001, TH_RST | TH_ACK);
    pb_wait(&b, 5 * SEC);
    near_control(49401);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, NEAR_HOST, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_NONE, "host-closed",
                                        VERDICT_CONF_HIGH, NEAR_HOST, false,
                                        "start the service there" });
    assert_int_equal(it->v.basis, BASIS_NONE);
}

/* A far host's RST comes through the gateway's MAC like all its packets: not forged. */
static void far_host_rst_through_the_gateway_is_closed(void **state)
{
    (void)state;
    start();
    pb_arp(&b, 2, RTR, gw_mac, SRC);
    far_control(SRC, 49400, TGT, 63);
    syn_reset_via_gateway(SRC, TGT, 63);
    finish(SRC, TGT, 63);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_int_equal(it->v.kind, VERDICT_CLOSED);
    assert_int_equal(it->v.basis, BASIS_NONE);
}

static void expect_in_path(const char *why)
{
    diag_run(NULL);
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(diag_a));
    assert_true(cp->in_path);
    assert_false(cp->known);
    if (strstr(cp->how, why) == NULL)
        fail_msg("why: %s", cp->how);
}

/* On the link between two routers: both hosts' packets arrive with lowered TTLs. */
static void capture_between_routers_is_in_path(void **state)
{
    (void)state;
    start();
    for (uint16_t i = 0; i < 3; i++) {
        b.next.ttl = 63;
        pb_tcp(&b, SRC, (uint16_t)(49400 + i), TGT, 445, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 445, SRC, (uint16_t)(49400 + i), TH_SYN | TH_ACK);
    }
    expect_in_path("TTLs already lowered");
}

/* A router's two interfaces in one file: every packet as sent, then one router later. */
static void capture_on_router_interfaces_is_in_path(void **state)
{
    (void)state;
    start();
    for (uint16_t i = 0; i < 3; i++) {
        uint16_t p = (uint16_t)(49400 + i);
        pb_tcp(&b, SRC, p, TGT, 445, TH_SYN);
        via_gateway(63); /* the same SYN (it carries the ISN again), one router later */
        pb_tcp(&b, SRC, p, TGT, 445, TH_SYN);
        b.next.ttl = 62;
        pb_tcp(&b, TGT, 445, SRC, p, TH_SYN | TH_ACK);
    }
    expect_in_path("one router later");
}

/* A mirror port: conversations among many hosts, none in most of them. */
static void mirror_port_is_in_path(void **state)
{
    (void)state;
    start();
    static const char *const pairs[][2] = {
        { "198.51.100.30", "198.51.100.40" }, { "198.51.100.31", "198.51.100.41" },
        { "198.51.100.32", "198.51.100.42" }, { SRC, "198.51.100.43" },
    };
    for (size_t i = 0; i < 4; i++)
        pb_handshake(&b, pairs[i][0], 49400, pairs[i][1], 445);
    expect_in_path("most conversations");
}

/* On a target whose ports are all closed: the requests come through a router (TTL 63) and the
 * target answers each with ICMP port unreachable from its own address at TTL 64. It is the
 * capture point (each refusal is a conversation it took part in), not a point between routers;
 * IPv6 the same. */
static void capture_on_refusing_target_is_the_target(void **state)
{
    (void)state;
    static const char *const pairs[][2] = { { SRC, TGT }, { SRC6, TGT6 } };
    for (size_t k = 0; k < 2; k++) {
        start();
        for (uint16_t i = 0; i < 20; i++) {
            b.next.ttl = 63;
            int req = pb_udp(&b, pairs[k][0], (uint16_t)(40000 + i), pairs[k][1], 6325, 14);
            if (i % 4 == 0) /* the rest is the host's ICMP rate limit */
                pb_icmp_error(&b, pairs[k][1], pairs[k][0], k == 0 ? 3 : 1, k == 0 ? 3 : 4, req);
            pb_wait(&b, 20 * MS);
        }
        pb_wait(&b, 3 * SEC);
        diag_run(NULL);
        const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(diag_a));
        if (cp->in_path || !cp->known)
            fail_msg("%zu: %s", k, cp->how);
        struct fw_addr t;
        assert_true(fw_addr_parse(&t, pairs[k][1]));
        assert_true(fw_addr_eq(&cp->addr, &t));
        const struct verdict_item *it = diag_find(diag_a, pairs[k][0], pairs[k][1], 17, 6325);
        assert_int_equal(it->v.kind, VERDICT_CLOSED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gateway_named_by_its_arp_reply),
        cmocka_unit_test(gateway_named_by_its_neighbour_advertisement),
        cmocka_unit_test(adjacent_device_without_arp_is_a_distance),
        cmocka_unit_test(farther_device_named_by_its_icmp_errors),
        cmocka_unit_test(distance_alone_when_no_single_sender),
        cmocka_unit_test(icmp_error_named_by_its_source),
        cmocka_unit_test(on_link_host_rst_from_another_mac_is_forged),
        cmocka_unit_test(on_link_host_own_rst_is_closed),
        cmocka_unit_test(far_host_rst_through_the_gateway_is_closed),
        cmocka_unit_test(capture_between_routers_is_in_path),
        cmocka_unit_test(capture_on_router_interfaces_is_in_path),
        cmocka_unit_test(mirror_port_is_in_path),
        cmocka_unit_test(capture_on_refusing_target_is_the_target),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
