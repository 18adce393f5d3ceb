/* analyze/diagnose/refusal_test.c: who said no. A router with no route (ICMP net/host unreachable,
 * ICMPv6 address unreachable) is UNREACHABLE, not a filter (explain_unreachable.c); ICMP
 * admin-prohibited stays REJECTED (explain_fw_reject.c), as does a RST whose TTL does not fit the
 * host's, while the host's own RST is CLOSED (explain_host_closed.c); the same for ICMP and ICMPv6
 * echo. A routing code for a host that answers other ports through the same router is a filter's
 * reject rule (nftables' "reject with icmpx type no-route"): REJECTED, not UNREACHABLE. A SYN
 * proxy's handshake followed by the host's own RST before any byte is CLOSED. ICMP port
 * unreachable about TCP from the host itself is its own firewall's (REJECTED); about UDP, the
 * host's own answer (CLOSED). Captured on the source: the router next to it sends with TTL 64, the
 * target's packets arrive with 63. */
#include "diag_test.h"

#define ELSEWHERE "192.0.2.50" /* a host that answers while the target is out of reach */
#define ELSEWHERE6 "2001:db8:3::50"

/* The connections that put the capture point on src: with tgt itself (it answers another
 * port), or with a host elsewhere (nothing is heard from tgt). */
static const char *control_peer(const char *src, const char *tgt, bool tgt_answers)
{
    return tgt_answers ? tgt : strchr(src, ':') != NULL ? ELSEWHERE6 : ELSEWHERE;
}

/* A SYN from src to tgt's 6320 refused by rtr with ICMP type/code. */
static void syn_refused(const char *src, const char *tgt, const char *rtr, uint8_t type,
                            uint8_t code, bool tgt_answers)
{
    const char *ctl = control_peer(src, tgt, tgt_answers);
    pb_init(&b, T0);
    diag_control(src, 49400, ctl);
    int syn = pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN);
    assert_true(syn >= 0);
    assert_true(pb_icmp_error(&b, rtr, src, type, code, syn) >= 0);
    diag_tail(src, 49401, ctl, 5 * SEC);
}


static void expect_unreachable(const char *src, const char *tgt, const char *rtr)
{
    diag_run(NULL);
    diag_expect(diag_find(diag_a, src, tgt, 6, 6320),
                (struct diag_want){ VERDICT_UNREACHABLE, LOOKALIKE_NONE, "routing",
                                    VERDICT_CONF_HIGH, rtr, true, "says it has no way to" });
}

static void icmp_host_unreachable_is_routing(void **state)
{
    (void)state;
    syn_refused(SRC, TGT, RTR, 3, 1, false);
    expect_unreachable(SRC, TGT, RTR);
    assert_non_null(strstr(diag_find(diag_a, SRC, TGT, 6, 6320)->advice,
                           "check that 203.0.113.20 is up"));
}

static void icmpv6_address_unreachable_is_routing(void **state)
{
    (void)state;
    syn_refused(SRC6, TGT6, RTR6, 1, 3, false);
    expect_unreachable(SRC6, TGT6, RTR6);
}

/* The target answers another port through the router while the router says it has no way to
 * it for 6320: a reject rule with a routing code, not routing. Net, host unreachable; ICMPv6
 * no route, address unreachable. Time exceeded stays routing (traceroute's probes). */
static void routing_code_for_answering_host_is_rejected(void **state)
{
    (void)state;
    static const struct { const char *src, *tgt, *rtr; uint8_t type, code; } v[] = {
        { SRC, TGT, RTR, 3, 0 }, { SRC, TGT, RTR, 3, 1 },
        { SRC6, TGT6, RTR6, 1, 0 }, { SRC6, TGT6, RTR6, 1, 3 },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        syn_refused(v[i].src, v[i].tgt, v[i].rtr, v[i].type, v[i].code, true);
        diag_run(NULL);
        const struct verdict_item *it = diag_find(diag_a, v[i].src, v[i].tgt, 6, 6320);
        diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE,
                                            "firewall-reject", VERDICT_CONF_MEDIUM, v[i].rtr,
                                            true, "on the firewall at" });
        diag_evidence_has(it, "answered other requests in this capture");
    }
    syn_refused(SRC, TGT, RTR, 11, 0, true);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_UNREACHABLE);
}

/* The target answered 6325, then went down: the router tried to resolve its address for
 * the next request, gave up after 3 s (three solicitations a second apart, as Linux and RFC
 * 4861 do) and sent its routing code for the requests it had queued: UNREACHABLE, the host
 * down, whatever it answered before (and after: it may come back). A TCP client's SYN sent
 * again each second meets the error as it leaves (tests/paths/udp6_lab.sh, scenario down): the
 * delay counts from the first request. A reject rule answers at once, even when the router's
 * ICMP rate limit held the first error back to the SYN sent again a second later. */
static void late_routing_code(const char *src, const char *tgt, const char *rtr, uint8_t proto,
                              uint8_t type, uint8_t code, uint64_t late_us)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    pb_wait(&b, 2 * SEC);
    uint64_t t0 = b.now_us;
    int req = proto == 6 ? pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN)
                         : pb_udp(&b, src, 50001, tgt, 6320, 32);
    assert_true(req >= 0);
    for (uint64_t t = SEC; proto == 6 && t < late_us; t += SEC) { /* the same SYN again */
        pb_at(&b, t0 + t);
        assert_true(pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN) >= 0);
    }
    pb_at(&b, t0 + late_us);
    assert_true(pb_icmp_error(&b, rtr, src, type, code, req) >= 0);
    diag_tail(src, 49401, tgt, 5 * SEC);
}

static void late_routing_code_is_a_host_down(void **state)
{
    (void)state;
    static const struct { const char *src, *tgt, *rtr; uint8_t proto, type, code; } v[] = {
        { SRC, TGT, RTR, 6, 3, 1 }, { SRC, TGT, RTR, 17, 3, 1 },
        { SRC6, TGT6, RTR6, 6, 1, 3 }, { SRC6, TGT6, RTR6, 17, 1, 3 },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        late_routing_code(v[i].src, v[i].tgt, v[i].rtr, v[i].proto, v[i].type, v[i].code,
                          3050 * MS);
        diag_run(NULL);
        const struct verdict_item *it = diag_find(diag_a, v[i].src, v[i].tgt, v[i].proto,
                                                  6320);
        diag_expect(it, (struct diag_want){ VERDICT_UNREACHABLE, LOOKALIKE_NONE, "routing",
                                            VERDICT_CONF_HIGH, v[i].rtr, true,
                                            "after failing to resolve its address" });
        diag_evidence_has(it, "came 3.05 s after the request");
        diag_evidence_has(it, "answered earlier in this capture and went down since");
    }
    /* The ICMP limiter's one error a second: the SYN sent again a second later is refused at
     * once; still the reject rule. */
    late_routing_code(SRC, TGT, RTR, 6, 3, 1, 1000 * MS + 300);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_REJECTED);
}

/* A burst of SYNs to ports a reject rule refuses with host unreachable: the router's ICMP rate
 * limit answers six at once and then one a second (tests/paths/udp6_lab.sh, scenario
 * rejectburst), so the last ones get theirs seconds late. The router that refused 6326 at once
 * has a rule, and its late error about 6320 is that rule's: REJECTED, not a host down. The
 * same late error from another router is still a host down. */
static void late_routing_code_after_prompt_ones_is_a_rate_limit(void **state)
{
    (void)state;
    static const char *const late_from[] = { RTR, "198.51.100.2" };
    for (size_t i = 0; i < 2; i++) {
        late_routing_code(SRC, TGT, late_from[i], 6, 3, 1, 3050 * MS);
        int syn = pb_tcp(&b, SRC, 50002, TGT, 6326, TH_SYN);
        assert_true(pb_icmp_error(&b, RTR, SRC, 3, 1, syn) >= 0);
        diag_tail(SRC, 49402, TGT, 5 * SEC);
        diag_run(NULL);
        const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6326);
        assert_int_equal(it->v.kind, VERDICT_REJECTED);
        it = diag_find(diag_a, SRC, TGT, 6, 6320);
        if (i == 1) {
            assert_int_equal(it->v.kind, VERDICT_UNREACHABLE);
            continue;
        }
        diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                            VERDICT_CONF_MEDIUM, RTR, true,
                                            "on the firewall at" });
        diag_evidence_has(it, "held back by the router's ICMP rate limit");
    }
}

static void icmp_admin_prohibited_stays_rejected(void **state)
{
    (void)state;
    syn_refused(SRC, TGT, RTR, 3, 13, true);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 6, 6320),
                (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                    VERDICT_CONF_HIGH, RTR, true,
                                    "on the firewall at 198.51.100.1" });
}

static void icmpv6_admin_prohibited_stays_rejected(void **state)
{
    (void)state;
    syn_refused(SRC6, TGT6, RTR6, 1, 1, true);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC6, TGT6, 6, 6320),
                (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                    VERDICT_CONF_HIGH, RTR6, true,
                                    "on the firewall at 2001:db8:1::1" });
}

/* A RST with the host's TTL (63) is the host's; one with 64 was made next to the capture. */
static void syn_reset(uint8_t ttl)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    b.next.ttl = ttl;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_RST | TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void host_rst_is_closed(void **state)
{
    (void)state;
    syn_reset(63);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC, TGT, 6, 6320),
                (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_NONE, "host-closed",
                                    VERDICT_CONF_HIGH, TGT, false, "start the service there" });
}

static void forged_rst_is_no_host_closing(void **state)
{
    (void)state;
    syn_reset(64);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_HIGH, NULL, true,
                                        "resets the connection in 203.0.113.20's name" });
    diag_evidence_has(it, "does not fit the host's own packets");
}

/* A SYN proxy next to the source (TTL 64) answers the SYN to TGT's 6320 itself, the source
 * completes the handshake, then the host's RST comes through (rst_ttl) before any byte. */
static void syn_proxied_then_reset(uint8_t rst_ttl, bool data)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
    if (data) {
        b.next.ttl = 63;
        b.next.payload_len = 100;
        pb_tcp(&b, TGT, 6320, SRC, 50001, TH_ACK | TH_PUSH);
    }
    b.next.ttl = rst_ttl;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_RST | TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void host_rst_after_a_syn_proxys_handshake_is_closed(void **state)
{
    (void)state;
    syn_proxied_then_reset(63, false);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_NONE, "host-closed",
                                        VERDICT_CONF_HIGH, TGT, false, "a SYN proxy on the way" });
    diag_evidence_has(it, "SYN-ACK came first, TTL 64 (sent with no router between)");
}

static void reset_after_the_hosts_data_stays_open(void **state)
{
    (void)state;
    /* The host served the connection, then reset it: the service answered. */
    syn_proxied_then_reset(63, true);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
    /* The same handshake and RST from one distance: the host accepted, then reset. */
    syn_proxied_then_reset(64, false);
    diag_run(NULL);
    assert_int_equal(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind, VERDICT_OPEN);
}

/* An echo request from src to tgt answered by rtr's ICMP type/code. */
static void echo_refused(const char *src, const char *tgt, const char *rtr, uint8_t type,
                         uint8_t code, bool tgt_answers)
{
    const char *ctl = control_peer(src, tgt, tgt_answers);
    pb_init(&b, T0);
    diag_control(src, 49400, ctl);
    int req = pb_icmp_echo(&b, src, tgt, false, 7, 1);
    assert_true(req >= 0);
    assert_true(pb_icmp_error(&b, rtr, src, type, code, req) >= 0);
    diag_tail(src, 49401, ctl, 5 * SEC);
}

static void echo_without_route_is_unreachable(void **state)
{
    (void)state;
    static const struct { const char *src, *tgt, *rtr; uint8_t type, code; } v[] = {
        { SRC, TGT, RTR, 3, 0 },     /* net unreachable */
        { SRC6, TGT6, RTR6, 1, 3 },  /* address unreachable */
        { SRC6, TGT6, RTR6, 1, 0 },  /* no route to destination */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        echo_refused(v[i].src, v[i].tgt, v[i].rtr, v[i].type, v[i].code, false);
        diag_run(NULL);
        diag_expect(diag_find(diag_a, v[i].src, v[i].tgt, VERDICT_PROTO_ECHO, 0),
                    (struct diag_want){ VERDICT_UNREACHABLE, LOOKALIKE_NONE, "routing",
                                        VERDICT_CONF_HIGH, v[i].rtr, true,
                                        "says it has no way to" });
    }
}

static void echo_prohibited_is_rejected(void **state)
{
    (void)state;
    echo_refused(SRC6, TGT6, RTR6, 1, 1, true);
    diag_run(NULL);
    diag_expect(diag_find(diag_a, SRC6, TGT6, VERDICT_PROTO_ECHO, 0),
                (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                    VERDICT_CONF_HIGH, RTR6, true,
                                    "the failover monitor needs ICMP echo" });
}

/* A request from src to tgt's 6320 (TCP or UDP) answered by tgt's own port unreachable, or
 * with prohibited by its admin-prohibited (firewalld's default reject). */
static void refused_by_the_host(const char *src, const char *tgt, uint8_t proto, bool prohibited)
{
    pb_init(&b, T0);
    diag_control(src, 49400, tgt);
    int req = proto == 6 ? pb_tcp(&b, src, 50001, tgt, 6320, TH_SYN)
                         : pb_udp(&b, src, 50001, tgt, 6320, 32);
    assert_true(req >= 0);
    b.next.ttl = 63;
    bool v6 = strchr(src, ':') != NULL;
    assert_true(pb_icmp_error(&b, tgt, src, v6 ? 1 : 3,
                              prohibited ? (v6 ? 1 : 13) : (v6 ? 4 : 3), req) >= 0);
    diag_tail(src, 49401, tgt, 5 * SEC);
}

/* TCP refuses a closed port with a RST: a port unreachable about a SYN from the host itself is
 * its own firewall's reject (nftables' plain reject, iptables' REJECT), whether or not the
 * service listens: REJECTED by the host, not CLOSED. The same from a UDP port is the host
 * saying nothing listens (CLOSED). */
static void tcp_port_unreachable_from_the_host_is_its_firewall(void **state)
{
    (void)state;
    static const struct { const char *src, *tgt, *advice; } v[] = {
        { SRC, TGT, "in the firewall of 203.0.113.20 itself" },
        { SRC6, TGT6, "in the firewall of 2001:db8:2::20 itself" },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        refused_by_the_host(v[i].src, v[i].tgt, 6, false);
        diag_run(NULL);
        const struct verdict_item *it = diag_find(diag_a, v[i].src, v[i].tgt, 6, 6320);
        diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                            VERDICT_CONF_HIGH, v[i].tgt, true, v[i].advice });
        diag_evidence_has(it, "its own firewall's reject");
        /* firewalld's own reject: prohibited, from the host, names its firewall the same way */
        refused_by_the_host(v[i].src, v[i].tgt, 6, true);
        diag_run(NULL);
        diag_expect(diag_find(diag_a, v[i].src, v[i].tgt, 6, 6320),
                    (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_HIGH, v[i].tgt, true, v[i].advice });
        refused_by_the_host(v[i].src, v[i].tgt, 17, false);
        diag_run(NULL);
        diag_expect(diag_find(diag_a, v[i].src, v[i].tgt, 17, 6320),
                    (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_NONE, "host-closed",
                                        VERDICT_CONF_HIGH, v[i].tgt, false,
                                        "a reject rule in the host's own firewall" });
    }
}

/* Captured on the target (b.ttl 63: the source's packets arrive one router away): the source's
 * SYN to 6325 from cport and the target's SYN-ACK, leaving with 64; what puts the capture point
 * on the target. */
static void host_answers(uint16_t cport)
{
    pb_tcp(&b, SRC, cport, TGT, 6325, TH_SYN);
    b.next.ttl = 64;
    pb_tcp(&b, TGT, 6325, SRC, cport, TH_SYN | TH_ACK);
}

/* Captured on the target: the source's SYNs to 6320 arrive (TTL 63) and the host sends nothing
 * back, while it answers 6325. What drops them is on the host (its own firewall: a capture is
 * taken before its input chain), not a firewall between them. */
static void silence_at_the_hosts_own_capture_is_the_hosts(void **state)
{
    (void)state;
    pb_init(&b, T0);
    b.ttl = 63;
    host_answers(49400);
    pb_tcp(&b, SRC, 49400, TGT, 6325, TH_ACK);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_wait(&b, SEC);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_wait(&b, 5 * SEC);
    host_answers(49401);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_MEDIUM, NULL, true,
                                        "arrives at 203.0.113.20, which does not answer: check "
                                        "the host's own firewall" });
    assert_non_null(strstr(it->advice, "after arrival at this capture point"));
    assert_null(strstr(it->advice, "between them"));
    /* The same capture without the host's own packets (inbound only): its answer may have left
     * unseen, so nothing is said about its firewall. */
    diag_run(TGT); /* --local: nothing else names the capture point then */
    pb_init(&b, T0);
    b.ttl = 63;
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_wait(&b, SEC);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_wait(&b, 5 * SEC);
    pb_tcp(&b, SRC, 49401, TGT, 6325, TH_SYN);
    diag_run(TGT);
    it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
    assert_null(strstr(it->advice, "own firewall"));
    /* An echo request is answered by the kernel: only the host's own settings keep it silent. */
    pb_init(&b, T0);
    b.ttl = 63;
    host_answers(49400);
    for (uint16_t seq = 1; seq <= 3; seq++) {
        pb_icmp_echo(&b, SRC, TGT, false, 7, seq);
        pb_wait(&b, SEC);
    }
    pb_wait(&b, 5 * SEC);
    host_answers(49401);
    diag_run(NULL);
    it = diag_find(diag_a, SRC, TGT, VERDICT_PROTO_ECHO, 0);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
    if (strstr(it->advice, "allow echo requests in its own firewall (Windows Firewall") == NULL ||
        strstr(it->advice, "Echo Request - ICMPv4-In") == NULL)
        fail_msg("advice: %s", it->advice);
}

/* A connection to TGT's 6320 set up and carrying data (acked: the target's second packet, if
 * acked), then a RST in TGT's name with TTL rst_ttl; the target's own packets arrive with 63. */
static void reset_once_connected(uint8_t rst_ttl, bool acked)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
    b.next.payload_len = 300;
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK | TH_PUSH);
    if (acked) {
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 6320, SRC, 50001, TH_ACK);
    }
    b.next.ttl = rst_ttl;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_RST | TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

/* An IPS or an application-aware firewall kills a connection for what it carries with a RST in
 * the far end's name: its TTL (64: adjacent) fits none of that end's packets (63). REJECTED by
 * a device on the way; the host's own RST (63) is the end of an OPEN connection. */
static void reset_on_the_way_once_connected_is_a_reject(void **state)
{
    (void)state;
    reset_once_connected(64, true);
    diag_run(NULL);
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_REJECTED, LOOKALIKE_NONE, "firewall-reject",
                                        VERDICT_CONF_HIGH, NULL, true,
                                        "opens, then a device adjacent to the capture point "
                                        "resets it" });
    assert_int_equal(it->counts.by_outcome[VO_RESET_ON_PATH], 1);
    /* The forged RST does not count as the host's: its TTLs stay one, no router seen spanned
     * (else the device would be put "at" a router this capture spans). */
    assert_false(verdict_capture_point(analyzer_verdicts(diag_a))->in_path);
    assert_int_equal(it->where, WHERE_AFTER);
    reset_once_connected(63, true);
    diag_run(NULL);
    assert_string_equal(verdict_name(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind), "OPEN");
    /* With the SYN-ACK alone to compare with (a capture of SYN, FIN and RST), one hop of
     * difference may be a route that changed: no verdict rests on it. */
    reset_once_connected(64, false);
    diag_run(NULL);
    assert_string_equal(verdict_name(diag_find(diag_a, SRC, TGT, 6, 6320)->v.kind), "OPEN");
    /* On the target: its data answered by a RST in SRC's name from the router next to it (64,
     * where SRC's packets arrive with 63). */
    pb_init(&b, T0);
    b.ttl = 63;
    host_answers(49400);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    b.next.ttl = 64;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
    b.next.payload_len = 100;
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK | TH_PUSH);
    b.next.ttl = 64;
    b.next.payload_len = 1024;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_ACK | TH_PUSH);
    b.next.ttl = 64;
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_RST);
    pb_wait(&b, 5 * SEC);
    host_answers(49401);
    diag_run(NULL);
    it = diag_find(diag_a, SRC, TGT, 6, 6320);
    assert_string_equal(verdict_name(it->v.kind), "REJECTED");
    assert_false(verdict_capture_point(analyzer_verdicts(diag_a))->spans_router);
    assert_int_not_equal(it->where, WHERE_AT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_rst_after_a_syn_proxys_handshake_is_closed),
        cmocka_unit_test(reset_after_the_hosts_data_stays_open),
        cmocka_unit_test(icmp_host_unreachable_is_routing),
        cmocka_unit_test(icmpv6_address_unreachable_is_routing),
        cmocka_unit_test(routing_code_for_answering_host_is_rejected),
        cmocka_unit_test(late_routing_code_is_a_host_down),
        cmocka_unit_test(tcp_port_unreachable_from_the_host_is_its_firewall),
        cmocka_unit_test(silence_at_the_hosts_own_capture_is_the_hosts),
        cmocka_unit_test(reset_on_the_way_once_connected_is_a_reject),
        cmocka_unit_test(late_routing_code_after_prompt_ones_is_a_rate_limit),
        cmocka_unit_test(icmp_admin_prohibited_stays_rejected),
        cmocka_unit_test(icmpv6_admin_prohibited_stays_rejected),
        cmocka_unit_test(host_rst_is_closed),
        cmocka_unit_test(forged_rst_is_no_host_closing),
        cmocka_unit_test(echo_without_route_is_unreachable),
        cmocka_unit_test(echo_prohibited_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
