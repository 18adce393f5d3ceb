/* tests/golden/mkcases.c: writes the capture of every golden case (tests/golden/<case>/
 * capture.pcap) with the packet builder, so that each scenario is readable here as code
 * rather than as hex. The expected outputs beside them are fwsight's, reviewed by a human and
 * refreshed by regen.sh; run.sh compares. Usage: golden_mkcases DIR (the tests/golden dir). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/pb.h"

#define T0 1700000000000000ull /* 2023-11-14 22:13:20 UTC */
#define SRC "198.51.100.10"     /* the replication source */
#define TGT "203.0.113.20"      /* the target */
#define FW "203.0.113.1"        /* a router/firewall on the target's side */

static struct pb b; /* about 300 KB: static, reused by each case */

static int mkcases_write(const char *dir, const char *name, long cut_bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s/capture.pcap", dir, name);
    if (pb_write_pcap(&b, path) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        return -1;
    }
    if (cut_bytes > 0) {
        struct stat st;
        if (stat(path, &st) != 0 || truncate(path, st.st_size - cut_bytes) != 0) {
            perror(path);
            return -1;
        }
    }
    return 0;
}

/* A SYN that nobody answers, retransmitted after 1 s and 2 s more: S0, a drop. */
static void mkcases_syn_unanswered(void)
{
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_wait(&b, 1000000);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
    pb_wait(&b, 2000000);
    pb_tcp(&b, SRC, 49500, TGT, 6320, TH_SYN);
}

/* The target itself answers RST: REJ, nothing listens on the port. */
static void mkcases_rst_from_host(void)
{
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49501, TGT, 6325, TH_SYN);
    pb_tcp(&b, TGT, 6325, SRC, 49501, TH_RST | TH_ACK);
}

/* A router refuses with ICMP admin-prohibited (type 3, code 13), quoting the SYN, twice. */
static void mkcases_icmp_admin_prohibited(void)
{
    pb_init(&b, T0);
    int syn = pb_tcp(&b, SRC, 49502, TGT, 6326, TH_SYN);
    b.next.ttl = 254;
    pb_icmp_error(&b, FW, SRC, 3, 13, syn);
    pb_wait(&b, 1000000);
    syn = pb_tcp(&b, SRC, 49502, TGT, 6326, TH_SYN);
    b.next.ttl = 254;
    pb_icmp_error(&b, FW, SRC, 3, 13, syn);
}

/* The ICMP error quotes the IP header and only 2 bytes of TCP: no ports to match a flow. */
static void mkcases_icmp_truncated_quote(void)
{
    pb_init(&b, T0);
    int syn = pb_tcp(&b, SRC, 49503, TGT, 445, TH_SYN);
    b.next.quote_len = 22;
    pb_icmp_error(&b, FW, SRC, 3, 13, syn);
}

/* A complete TCP connection: handshake, 100 bytes each way, FINs from both sides: SF. */
static void mkcases_handshake_fin(void)
{
    pb_init(&b, T0);
    pb_tcp(&b, SRC, 49504, TGT, 6320, TH_SYN);
    pb_tcp(&b, TGT, 6320, SRC, 49504, TH_SYN | TH_ACK);
    pb_tcp(&b, SRC, 49504, TGT, 6320, TH_ACK);
    b.next.payload_len = 100;
    pb_tcp(&b, SRC, 49504, TGT, 6320, TH_PUSH | TH_ACK);
    b.next.payload_len = 100;
    pb_tcp(&b, TGT, 6320, SRC, 49504, TH_PUSH | TH_ACK);
    pb_tcp(&b, SRC, 49504, TGT, 6320, TH_FIN | TH_ACK);
    pb_tcp(&b, TGT, 6320, SRC, 49504, TH_FIN | TH_ACK);
    pb_tcp(&b, SRC, 49504, TGT, 6320, TH_ACK);
}

/* A DNS-like UDP query and its answer: SF. */
static void mkcases_udp_query_answer(void)
{
    pb_init(&b, T0);
    pb_udp(&b, SRC, 53000, "203.0.113.53", 53, 40);
    pb_udp(&b, "203.0.113.53", 53, SRC, 53000, 120);
}

/* Three pings without reply: the failover monitor's echo is blocked. */
static void mkcases_echo_unanswered(void)
{
    pb_init(&b, T0);
    for (uint16_t seq = 1; seq <= 3; seq++) {
        pb_icmp_echo(&b, TGT, SRC, false, 0x4d2, seq);
        pb_wait(&b, 1000000);
    }
}

/* An IPv6 connection refused by the host: addresses in their compressed form. */
static void mkcases_ipv6_rej(void)
{
    pb_init(&b, T0);
    pb_tcp(&b, "2001:db8::10", 49505, "2001:db8:1::20", 135, TH_SYN);
    pb_tcp(&b, "2001:db8:1::20", 135, "2001:db8::10", 49505, TH_RST | TH_ACK);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: golden_mkcases DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    int rc = 0;
    mkcases_syn_unanswered();
    rc |= mkcases_write(dir, "syn-unanswered", 0);
    mkcases_rst_from_host();
    rc |= mkcases_write(dir, "rst-from-host", 0);
    mkcases_icmp_admin_prohibited();
    rc |= mkcases_write(dir, "icmp-admin-prohibited", 0);
    mkcases_icmp_truncated_quote();
    rc |= mkcases_write(dir, "icmp-truncated-quote", 0);
    mkcases_handshake_fin();
    rc |= mkcases_write(dir, "handshake-fin", 0);
    mkcases_udp_query_answer();
    rc |= mkcases_write(dir, "udp-query-answer", 0);
    mkcases_echo_unanswered();
    rc |= mkcases_write(dir, "echo-unanswered", 0);
    mkcases_ipv6_rej();
    rc |= mkcases_write(dir, "ipv6-rej", 0);
    /* The complete connection again, its file cut 10 bytes into the last record. */
    mkcases_handshake_fin();
    rc |= mkcases_write(dir, "truncated-file", 10);
    return rc == 0 ? 0 : 1;
}
