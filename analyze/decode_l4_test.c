/* analyze/decode_l4_test.c: the decoder's transport layer: TCP, UDP, ICMP and ICMPv6, the
 * datagrams ICMP errors quote, and checksums. Link and IP layers are in decode_test.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analyze/decode_test.h"

#define T0 1700000000000000ull

static void tcp_fields_options_payload(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.tcp_opt_len = 12;
    b.next.set_seq = b.next.set_ack = true;
    b.next.seq = 0xdeadbeef;
    b.next.ack = 0x01020304;
    b.next.win = 512;
    b.next.payload_len = 100;
    pb_tcp(&b, DT_A4, 135, DT_B4, 49700, TH_ACK | TH_PUSH);
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.seq, 0xdeadbeef);
    assert_int_equal(p.ack, 0x01020304);
    assert_int_equal(p.win, 512);
    assert_int_equal(p.tcp_flags, TH_ACK | TH_PUSH);
    assert_int_equal(p.l4_payload_len, 100);
    assert_int_equal(p.payload_caplen, 100);
    assert_memory_equal(p.payload, "abcdefgh", 8); /* the options were skipped */
    assert_int_equal(p.l4_cksum, CKSUM_OK);
}

static void tcp_malformed_offsets(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.tcp_doff = 4;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.tcp_doff = 15; /* 60-byte header in a 20-byte segment */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.ip_len = 20 + 12; /* the datagram ends inside the TCP header */
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    for (size_t i = 0; i < 3; i++) {
        struct pkt p = dt_decode(&b, i, false);
        assert_int_equal(p.status, PKT_MALFORMED);
        assert_true(p.has_ports); /* the ports are there all the same */
        assert_false(p.l4_complete);
    }
}

static void tcp_truncated_header(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.snaplen = 14 + 20 + 6;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.snaplen = 14 + 20 + 3;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.tcp_opt_len = 20;
    b.next.snaplen = 14 + 40 + 30; /* fixed header whole, options cut */
    pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN);
    struct pkt p = dt_decode(&b, 0, false);
    assert_int_equal(p.status, PKT_TRUNCATED);
    assert_true(p.has_ports);
    assert_false(p.l4_complete);
    assert_int_equal(p.sport, 49500);
    assert_int_equal(p.dport, 6320);
    dt_assert_addr(&p.dst, DT_B4);
    p = dt_decode(&b, 1, false);
    assert_int_equal(p.status, PKT_TRUNCATED);
    assert_false(p.has_ports);
    assert_int_equal(p.sport, 0);
    p = dt_decode(&b, 2, false);
    assert_int_equal(p.status, PKT_TRUNCATED);
    assert_true(p.has_ports);
    assert_int_equal(p.tcp_flags, TH_SYN);
    assert_false(p.l4_complete);
}

static void udp_lengths(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.udp_len = 8 + 10; /* UDP length narrows a 30-byte payload to 10 */
    pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 30);
    b.next.udp_len = 7;
    pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 30);
    b.next.udp_len = 8 + 31;
    pb_udp(&b, DT_A6, 5000, DT_B6, 6325, 30);
    b.next.ip_len = 20 + 6;
    pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 30);
    struct pkt p = dt_decode(&b, 0, false);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.l4_payload_len, 10);
    assert_int_equal(p.payload_caplen, 10);
    assert_int_equal(dt_decode(&b, 1, false).status, PKT_MALFORMED);
    assert_int_equal(dt_decode(&b, 2, false).status, PKT_MALFORMED);
    p = dt_decode(&b, 3, false);
    assert_int_equal(p.status, PKT_MALFORMED);
    assert_true(p.has_ports);
}

static void icmp_echo(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.payload_len = 32;
    pb_icmp_echo(&b, DT_B4, DT_A4, false, 0x1234, 7);
    pb_icmp_echo(&b, DT_A4, DT_B4, true, 0x1234, 7);
    pb_icmp_echo(&b, DT_B6, DT_A6, false, 0x77, 1);
    pb_icmp_echo(&b, DT_A6, DT_B6, true, 0x77, 1);
    static const uint8_t types[] = { 8, 0, 128, 129 };
    for (size_t i = 0; i < 4; i++) {
        struct pkt p = dt_decode(&b, i, true);
        assert_int_equal(p.status, PKT_OK);
        assert_int_equal(p.proto, i < 2 ? 1 : 58);
        assert_int_equal(p.icmp_type, types[i]);
        assert_int_equal(p.icmp_code, 0);
        assert_int_equal(p.icmp_id, i < 2 ? 0x1234 : 0x77);
        assert_int_equal(p.icmp_seq, i < 2 ? 7 : 1);
        assert_true(p.l4_complete);
        assert_false(p.has_quote);
        assert_int_equal(p.l4_payload_len, i == 0 ? 32 : 0);
        assert_int_equal(p.l4_cksum, CKSUM_OK);
    }
}

/* An ICMP error from DT_R4 (or DT_R6) quoting frame q of b; checks the outer message. */
static struct pkt error_quoting(struct pb *b, int q, uint8_t type, uint8_t code)
{
    bool v6 = b->pool[b->rec[q].off + b->rec[q].ip_off] >> 4 == 6;
    int i = pb_icmp_error(b, v6 ? DT_R6 : DT_R4, v6 ? DT_A6 : DT_A4, type, code, q);
    assert_true(i >= 0);
    struct pkt p = dt_decode(b, (size_t)i, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.icmp_type, type);
    assert_int_equal(p.icmp_code, code);
    if (b->rec[i].len == b->rec[i].wirelen)
        assert_int_equal(p.l4_cksum, CKSUM_OK);
    dt_assert_addr(&p.src, v6 ? DT_R6 : DT_R4);
    return p;
}

static void icmp_errors_quote_tcp_udp_echo(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.ttl = 3;
    b.next.set_ip_id = true;
    b.next.ip_id = 999;
    int syn = pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.ip_opt_len = 8; /* options in the quoted header move the ports */
    int udp = pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 20);
    int echo = pb_icmp_echo(&b, DT_A4, DT_B4, false, 0x4444, 9);

    struct pkt p = error_quoting(&b, syn, 3, 13); /* communication administratively prohibited */
    assert_true(p.has_quote);
    dt_assert_addr(&p.quote.src, DT_A4);
    dt_assert_addr(&p.quote.dst, DT_B4);
    assert_int_equal(p.quote.proto, 6);
    assert_int_equal(p.quote.ttl, 3);
    assert_int_equal(p.quote.ip_id, 999);
    assert_true(p.quote.has_ports && p.quote.has_seq);
    assert_int_equal(p.quote.sport, 49500);
    assert_int_equal(p.quote.dport, 6320);
    assert_int_equal(p.quote.seq, dt_decode(&b, (size_t)syn, false).seq);
    assert_false(p.has_ports); /* the outer ICMP has no ports of its own */

    p = error_quoting(&b, udp, 3, 3);
    assert_true(p.has_quote && p.quote.has_ports);
    assert_int_equal(p.quote.proto, 17);
    assert_int_equal(p.quote.dport, 6325);
    assert_false(p.quote.has_seq);

    p = error_quoting(&b, udp, 11, 0); /* time exceeded */
    assert_true(p.has_quote && p.quote.has_ports);

    p = error_quoting(&b, echo, 3, 10);
    assert_true(p.has_quote && p.quote.has_ports);
    assert_int_equal(p.quote.proto, 1);
    assert_int_equal(p.quote.icmp_id, 0x4444);
    assert_int_equal(p.quote.icmp_seq, 9);
}

static void icmp6_errors_quote(void **state)
{
    (void)state;
    static const uint8_t ext[] = { 60 };
    struct pb b = pb_start(T0);
    b.next.v6_ext = ext;
    b.next.v6_ext_count = 1;
    int syn = pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN);
    int echo = pb_icmp_echo(&b, DT_A6, DT_B6, false, 0x99, 2);
    b.next.frag_off = 100;
    int frag = pb_ip(&b, DT_A6, DT_B6, 6, 40);

    struct pkt p = error_quoting(&b, syn, 1, 1); /* administratively prohibited */
    assert_true(p.has_quote && p.quote.has_ports && p.quote.has_seq);
    assert_int_equal(p.quote.proto, 6);
    assert_int_equal(p.quote.sport, 49500);
    dt_assert_addr(&p.quote.dst, DT_B6);
    p = error_quoting(&b, echo, 3, 0);
    assert_true(p.quote.has_ports);
    assert_int_equal(p.quote.icmp_id, 0x99);
    assert_int_equal(p.quote.icmp_seq, 2);
    p = error_quoting(&b, syn, 2, 0); /* packet too big */
    assert_true(p.quote.has_ports);
    p = error_quoting(&b, frag, 1, 4); /* a non-first fragment: addresses only */
    assert_true(p.has_quote);
    assert_false(p.quote.has_ports);
}

static void icmp_truncated_quotes(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    int syn = pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    int syn6 = pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN);
    b.next.quote_len = 20 + 2; /* IP header and half the ports */
    struct pkt p = error_quoting(&b, syn, 3, 13);
    assert_true(p.has_quote);
    dt_assert_addr(&p.quote.src, DT_A4);
    assert_false(p.quote.has_ports);
    b.next.quote_len = 20 + 4; /* ports but no sequence number */
    p = error_quoting(&b, syn, 3, 13);
    assert_true(p.quote.has_ports);
    assert_false(p.quote.has_seq);
    b.next.quote_len = 16; /* not even the addresses */
    p = error_quoting(&b, syn, 3, 13);
    assert_false(p.has_quote);
    assert_int_equal(p.quote.src.family, 0);
    b.next.quote_len = 40 + 3;
    p = error_quoting(&b, syn6, 1, 1);
    assert_true(p.has_quote);
    assert_false(p.quote.has_ports);
    /* The capture, not the sender, cut this one: the quote's addresses still count. */
    b.next.snaplen = 14 + 20 + 8 + 20 + 4;
    p = error_quoting(&b, syn, 3, 1);
    assert_true(p.has_quote && p.quote.has_ports);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
}

static void checksums(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    b.next.bad_l4_cksum = true;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.bad_ip_cksum = true;
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    b.next.bad_l4_cksum = true;
    pb_udp(&b, DT_A6, 5000, DT_B6, 6325, 3);
    b.next.bad_l4_cksum = true;
    pb_icmp_echo(&b, DT_A4, DT_B4, false, 1, 1);
    b.next.bad_l4_cksum = true;
    pb_icmp_echo(&b, DT_A6, DT_B6, false, 1, 1);
    int zero = pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 3);
    *dt_ip_byte(&b, (size_t)zero, 26) = 0; /* UDP checksum 0: none computed (RFC 768) */
    *dt_ip_byte(&b, (size_t)zero, 27) = 0;

    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.ip_cksum, CKSUM_OK);
    assert_int_equal(p.l4_cksum, CKSUM_BAD);
    assert_int_equal(p.status, PKT_OK); /* a bad checksum is counted, not fatal */
    p = dt_decode(&b, 1, true);
    assert_int_equal(p.ip_cksum, CKSUM_BAD);
    assert_int_equal(p.l4_cksum, CKSUM_OK);
    for (size_t i = 2; i < 5; i++)
        assert_int_equal(dt_decode(&b, i, true).l4_cksum, CKSUM_BAD);
    p = dt_decode(&b, (size_t)zero, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
    p = dt_decode(&b, 0, false); /* not asked */
    assert_int_equal(p.ip_cksum, CKSUM_UNCHECKED);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
}

/* Packet i's pseudo-header sum (addresses, protocol, transport length), folded: what an
 * offloading sender leaves in the checksum field for its card to complete. Its transport
 * header's offset in *l4. */
static uint16_t pseudo_sum(struct pb *b, size_t i, int *l4)
{
    const uint8_t *ip = dt_ip_byte(b, i, 0);
    bool v4 = ip[0] >> 4 == 4;
    const uint8_t *addr = v4 ? ip + 12 : ip + 8;
    *l4 = v4 ? (ip[0] & 15) * 4 : 40;
    uint32_t sum = v4 ? ip[9] + (uint32_t)(ip[2] << 8 | ip[3]) - (uint32_t)*l4
                      : ip[6] + (uint32_t)(ip[4] << 8 | ip[5]);
    for (int k = 0; k < (v4 ? 8 : 32); k += 2)
        sum += (uint32_t)(addr[k] << 8 | addr[k + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static void set_field(struct pb *b, size_t i, int off, uint16_t v)
{
    *dt_ip_byte(b, i, off) = (uint8_t)(v >> 8);
    *dt_ip_byte(b, i, off + 1) = (uint8_t)v;
}

/* Checksum offload: a field holding the pseudo-header's sum alone is the sender's card's to
 * fill (CKSUM_PARTIAL, no damage), over TCP and UDP, IPv4 and IPv6; one off by one is damage. */
static void offloaded_checksums(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_tcp(&b, DT_A4, 49500, DT_B4, 6320, TH_SYN);
    pb_tcp(&b, DT_A6, 49500, DT_B6, 6320, TH_SYN | TH_ACK);
    pb_udp(&b, DT_A4, 5000, DT_B4, 6325, 3);
    pb_udp(&b, DT_A6, 5000, DT_B6, 6325, 3);
    pb_tcp(&b, DT_A4, 49501, DT_B4, 6320, TH_SYN);
    for (size_t i = 0; i < 5; i++) {
        int l4;
        uint16_t ps = pseudo_sum(&b, i, &l4);
        set_field(&b, i, l4 + (i < 2 || i == 4 ? 16 : 6), i == 4 ? (uint16_t)(ps + 1) : ps);
    }
    for (size_t i = 0; i < 4; i++) {
        struct pkt p = dt_decode(&b, i, true);
        assert_int_equal(p.status, PKT_OK);
        assert_int_equal(p.l4_cksum, CKSUM_PARTIAL);
    }
    assert_int_equal(dt_decode(&b, 4, true).l4_cksum, CKSUM_BAD);
    assert_int_equal(dt_decode(&b, 0, false).l4_cksum, CKSUM_UNCHECKED); /* not asked */
}

static void other_protocols_pass_through(void **state)
{
    (void)state;
    struct pb b = pb_start(T0);
    pb_ip(&b, DT_A4, DT_B4, 47, 24); /* GRE: not opened, the outer packet is the packet */
    struct pkt p = dt_decode(&b, 0, true);
    assert_int_equal(p.status, PKT_OK);
    assert_int_equal(p.proto, 47);
    assert_int_equal(p.l4_payload_len, 24);
    assert_int_equal(p.payload_caplen, 24);
    assert_false(p.has_ports);
    assert_int_equal(p.l4_cksum, CKSUM_UNCHECKED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcp_fields_options_payload),
        cmocka_unit_test(tcp_malformed_offsets),
        cmocka_unit_test(tcp_truncated_header),
        cmocka_unit_test(udp_lengths),
        cmocka_unit_test(icmp_echo),
        cmocka_unit_test(icmp_errors_quote_tcp_udp_echo),
        cmocka_unit_test(icmp6_errors_quote),
        cmocka_unit_test(icmp_truncated_quotes),
        cmocka_unit_test(checksums),
        cmocka_unit_test(offloaded_checksums),
        cmocka_unit_test(other_protocols_pass_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
