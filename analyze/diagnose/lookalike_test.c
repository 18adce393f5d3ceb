/* analyze/diagnose/lookalike_test.c: the host's own doings that look like a block at first
 * sight (PRODUCT.md, "Look-alikes"): a full listen backlog (explain_backlog.c), a SYN that met
 * a TIME-WAIT (explain_time_wait.c), a UDP answer from another address of the host
 * (explain_other_address.c), scanner probes (explain_not_attempt.c) and a capture that holds
 * one direction only (explain_one_way.c), each with the near miss that must not be taken for
 * it. Captured on the source unless said otherwise. */
#include "diag_test.h"

/* nconn connections to TGT's 6320 set up and left unserved (the host sends nothing), the
 * SYN-ACK of each sent again after the ACK when full; then nsyn SYNs nobody answers, each
 * retransmitted once. */
static void backlog(int nconn, bool full, int nsyn)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    uint16_t sport = 50001;
    for (int i = 0; i < nconn; i++, sport++) {
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
        b.next.ttl = 63;
        pb_tcp(&b, TGT, 6320, SRC, sport, TH_SYN | TH_ACK);
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_ACK);
        if (full) {
            b.next.ttl = 63;
            pb_tcp(&b, TGT, 6320, SRC, sport, TH_SYN | TH_ACK);
        }
    }
    for (int i = 0; i < nsyn; i++, sport++) {
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
        pb_wait(&b, SEC);
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
    }
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void synack_after_ack_then_silence_is_a_full_backlog(void **state)
{
    (void)state;
    backlog(2, true, 3);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_PARTIAL, LOOKALIKE_BACKLOG,
                                        "listen-backlog-overflow", VERDICT_CONF_HIGH, TGT, false,
                                        "no firewall rule to open" });
    assert_int_equal(it->counts.synack_after_ack, 2);
    diag_evidence_has(it, "accept queue was full");
}

static void unanswered_syns_without_a_full_queue_are_dropped(void **state)
{
    (void)state;
    /* At the requester, with no SYN-ACK after the ACK: nothing says the queue was full. */
    backlog(2, false, 3);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_PARTIAL, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_MEDIUM, TGT, true,
                                        "passes only sometimes (2 of 5 attempts)" });
}

/* Captured at the target: the source's packets arrive with 63, its own leave with 64. Two
 * connections set up, the service sends nothing, then nsyn SYNs go unanswered. */
static void backlog_at_host(int nsyn)
{
    pb_init(&b, T0);
    b.ttl = 63;
    uint16_t sport = 50001;
    for (int i = 0; i < 2; i++, sport++) {
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
        b.next.ttl = 64;
        pb_tcp(&b, TGT, 6320, SRC, sport, TH_SYN | TH_ACK);
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_ACK);
    }
    for (int i = 0; i < nsyn; i++, sport++)
        pb_tcp(&b, SRC, sport, TGT, 6320, TH_SYN);
    pb_wait(&b, 5 * SEC);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
}

static void expect_backlog_at_host(void)
{
    const struct verdict_item *it = diag_find(diag_a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_PARTIAL, LOOKALIKE_BACKLOG,
                                        "listen-backlog-overflow", VERDICT_CONF_MEDIUM, TGT,
                                        false, "check the service" });
    diag_evidence_has(it, "listen backlog overflows");
}

static void connections_left_unserved_then_silence_at_the_host_is_a_backlog(void **state)
{
    (void)state;
    backlog_at_host(2);
    diag_run(TGT);
    expect_backlog_at_host();
}

/* The same at the host, inferred: most of the capture's conversations are SYNs toward the host
 * that it never answered. They involve it all the same: the capture is the host's (a backlog
 * overflowing in a burst of 20, as the Linux kernel drops them), not one on the path. */
static void host_capture_of_mostly_unanswered_syns_is_the_hosts(void **state)
{
    (void)state;
    backlog_at_host(18);
    diag_run(NULL);
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(diag_a));
    assert_false(cp->in_path);
    assert_true(cp->known);
    char h[FW_ADDRSTRLEN];
    assert_string_equal(fw_addr_format(&cp->addr, h, sizeof h), TGT);
    expect_backlog_at_host();
}

/* A SYN from sport to TGT's 6320 answered by a bare ACK (the host's TIME-WAIT), or by a RST. */
static void stale(bool rst)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6320, SRC, 50001, rst ? TH_RST | TH_ACK : TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void syn_answered_by_a_bare_ack_met_a_time_wait(void **state)
{
    (void)state;
    stale(false);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_TIME_WAIT, "time-wait-reuse",
                                        VERDICT_CONF_MEDIUM, TGT, false,
                                        "let the client pick fresh ports" });
    diag_evidence_has(it, "met a TIME-WAIT");
}

static void syn_answered_by_a_rst_stays_closed(void **state)
{
    (void)state;
    stale(true);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_CLOSED, LOOKALIKE_NONE, "host-closed",
                                        VERDICT_CONF_HIGH, TGT, false,
                                        "nothing listens on TCP 6320" });
}

/* A UDP request from 40001 to TGT's 6320, answered from TGT2's port aport to port cport. */
static void other_address(uint16_t aport, uint16_t cport)
{
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_udp(&b, SRC, 40001, TGT, 6320, 30);
    b.next.ttl = 63;
    pb_udp(&b, TGT2, aport, SRC, cport, 60);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
}

static void udp_answer_from_another_address_is_paired(void **state)
{
    (void)state;
    other_address(6320, 40001);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_OTHER_ADDR,
                                        "reply-from-other-address", VERDICT_CONF_MEDIUM, TGT2,
                                        false, "answers from its other address 203.0.113.21" });
    /* The stray answer is no attempt of its own. */
    const struct verdict_collector *vc = analyzer_verdicts(a);
    struct fw_addr t2;
    assert_true(fw_addr_parse(&t2, TGT2));
    for (size_t i = 0; i < verdict_count(vc); i++)
        assert_false(fw_addr_eq(&verdict_at(vc, i)->from, &t2));
}

static void answer_on_another_port_pair_is_not_paired(void **state)
{
    (void)state;
    static const uint16_t pairs[][2] = { { 6321, 40001 }, { 6320, 40002 } };
    for (size_t i = 0; i < 2; i++) {
        other_address(pairs[i][0], pairs[i][1]);
        struct analyzer *a = diag_run(NULL);
        const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 6320);
        diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                            VERDICT_CONF_LOW, NULL, true,
                                            "on the firewall between them" });
    }
}

static void syn_fin_probes_are_no_attempt(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN | TH_FIN);
    pb_tcp(&b, SRC, 50002, TGT, 6320, TH_SYN | TH_RST);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_INCONCLUSIVE, LOOKALIKE_NOT_ATTEMPT,
                                        "not-an-attempt", VERDICT_CONF_HIGH, NULL, false,
                                        "saw only scanner probes" });
    assert_int_equal(it->counts.by_outcome[VO_NOT_ATTEMPT], 2);
}

static void ecn_syn_is_a_real_attempt(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN | TH_ECE | TH_CWR);
    pb_wait(&b, SEC);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN | TH_ECE | TH_CWR);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_DROPPED, LOOKALIKE_NONE, "firewall-drop",
                                        VERDICT_CONF_MEDIUM, NULL, true,
                                        "on the firewall between them" });
    assert_int_equal(it->counts.retransmits, 1);
}

/* A capture that holds SRC's packets alone (a `src host` filter, a one-way SPAN, answers that
 * come back by another path): TCP 6320 set up and closed by SRC, whose ACK and FIN prove the
 * SYN-ACK came; TCP 6325 SYNs never followed up; a UDP request to 6320; an echo request. With
 * host_speaks, TGT's own request to SRC is in the capture too. */
static void one_way(bool host_speaks)
{
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_FIN | TH_ACK);
    pb_tcp(&b, SRC, 50002, TGT, 6325, TH_SYN);
    pb_wait(&b, SEC);
    pb_tcp(&b, SRC, 50002, TGT, 6325, TH_SYN);
    pb_udp(&b, SRC, 50003, TGT, 6320, 40);
    pb_icmp_echo(&b, SRC, TGT, false, 7, 1);
    if (host_speaks) {
        b.next.ttl = 63;
        pb_udp(&b, TGT, 50004, SRC, 6326, 40);
    }
    pb_wait(&b, 10 * SEC);
    pb_tcp(&b, SRC, 50005, TGT, 445, TH_SYN);
    pb_tcp(&b, SRC, 50005, TGT, 445, TH_ACK);
}

static void a_one_way_capture_is_not_a_drop(void **state)
{
    (void)state;
    one_way(false);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_OPEN, LOOKALIKE_ONE_WAY, "capture-one-way",
                                        VERDICT_CONF_MEDIUM, TGT, false,
                                        "no firewall rule to open" });
    diag_evidence_has(it, "TCP does only after a SYN-ACK");
    diag_evidence_has(it, "shows one direction only");
    const struct verdict_capture_point *cp = verdict_capture_point(analyzer_verdicts(a));
    assert_non_null(strstr(cp->cannot_tell, "holds one direction only: no packet of " TGT));
    it = diag_find(a, SRC, TGT, 17, 6320);
    diag_expect(it, (struct diag_want){ VERDICT_INCONCLUSIVE, LOOKALIKE_ONE_WAY,
                                        "capture-one-way", VERDICT_CONF_LOW, NULL, false,
                                        "silence proves nothing" });
    it = diag_find(a, SRC, TGT, VERDICT_PROTO_ECHO, 0);
    assert_string_equal(verdict_name(it->v.kind), "INCONCLUSIVE");
    assert_int_equal(it->lookalike, LOOKALIKE_ONE_WAY);
    /* A SYN sent again and never followed up got no SYN-ACK, whichever way: still blocked. */
    it = diag_find(a, SRC, TGT, 6, 6325);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
    assert_true(verdict_item_blocking(it));
}

/* The host's own packets are in the capture: its silence to the UDP request is its own. */
static void a_host_the_capture_hears_keeps_its_silence(void **state)
{
    (void)state;
    one_way(true);
    struct analyzer *a = diag_run(NULL);
    diag_expect(diag_find(a, SRC, TGT, 6, 6320),
                (struct diag_want){ VERDICT_OPEN, LOOKALIKE_ONE_WAY, "capture-one-way",
                                    VERDICT_CONF_MEDIUM, TGT, false, "capture both directions" });
    const struct verdict_item *it = diag_find(a, SRC, TGT, 17, 6320);
    assert_string_equal(verdict_name(it->v.kind), "DROPPED");
    assert_int_equal(it->lookalike, LOOKALIKE_NONE);
    assert_null(strstr(verdict_capture_point(analyzer_verdicts(a))->cannot_tell, "one direction"));
    assert_true(verdict_item_blocking(it));
}

/* A scanner's SYN, then its ACK probe from the same source port with a sequence number of its
 * own (nmap -sA -g, hping3): no answer is proven, the SYN stays unanswered. */
static void an_ack_probe_from_the_same_port_is_no_answer(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 40000, TGT, 6320, TH_SYN);
    pb_wait(&b, SEC);
    b.next.set_seq = true;
    b.next.seq = pb_tcp_seq(&b, SRC, 40000, TGT, 6320) + 12345;
    pb_tcp(&b, SRC, 40000, TGT, 6320, TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    assert_int_equal(it->counts.by_outcome[VO_ANSWER_UNSEEN], 0);
    assert_int_not_equal(it->lookalike, LOOKALIKE_ONE_WAY);
}

/* The SYN-ACK missing from the capture (lost by it), then the host's RST of the connection the
 * requester had gone on with: the handshake was answered, the RST refused nothing. */
static void a_reset_after_an_unseen_answer_is_no_refusal(void **state)
{
    (void)state;
    pb_init(&b, T0);
    diag_control(SRC, 49400, TGT);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_SYN);
    pb_tcp(&b, SRC, 50001, TGT, 6320, TH_ACK);
    b.next.ttl = 63;
    pb_tcp(&b, TGT, 6320, SRC, 50001, TH_RST | TH_ACK);
    diag_tail(SRC, 49401, TGT, 5 * SEC);
    struct analyzer *a = diag_run(NULL);
    const struct verdict_item *it = diag_find(a, SRC, TGT, 6, 6320);
    assert_string_equal(verdict_name(it->v.kind), "OPEN");
    assert_int_equal(it->counts.by_outcome[VO_ANSWER_UNSEEN], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(synack_after_ack_then_silence_is_a_full_backlog),
        cmocka_unit_test(unanswered_syns_without_a_full_queue_are_dropped),
        cmocka_unit_test(connections_left_unserved_then_silence_at_the_host_is_a_backlog),
        cmocka_unit_test(host_capture_of_mostly_unanswered_syns_is_the_hosts),
        cmocka_unit_test(syn_answered_by_a_bare_ack_met_a_time_wait),
        cmocka_unit_test(syn_answered_by_a_rst_stays_closed),
        cmocka_unit_test(udp_answer_from_another_address_is_paired),
        cmocka_unit_test(answer_on_another_port_pair_is_not_paired),
        cmocka_unit_test(syn_fin_probes_are_no_attempt),
        cmocka_unit_test(ecn_syn_is_a_real_attempt),
        cmocka_unit_test(a_one_way_capture_is_not_a_drop),
        cmocka_unit_test(a_host_the_capture_hears_keeps_its_silence),
        cmocka_unit_test(a_reset_after_an_unseen_answer_is_no_refusal),
        cmocka_unit_test(an_ack_probe_from_the_same_port_is_no_answer),
    };
    return cmocka_run_group_tests(tests, NULL, diag_done);
}
