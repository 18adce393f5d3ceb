/* tests/faults/synflood.c: faults_synflood N writes to stdout a pcap of N TCP SYNs, each of
 * its own connection (distinct source address and port), one microsecond apart, all toward
 * 203.0.113.20 port 6320: the most flows a capture of that size can hold, to drive the flow
 * table past its cap. The first SYN is built by the packet builder; the others are that
 * frame with the source port and address (the last octet of 198.51.100.0/24) rewritten and
 * both checksums computed again. N is at most 256 * 64512 (every distinct pair). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pb.h"

#define T0 1700000000000000ull
#define PORT_FIRST 1024u
#define PORTS (65536u - PORT_FIRST)
#define ETH_LEN 14u

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the pcap header is written in host order, as libpcap does */
}

/* Rewrites the SYN in frame for connection i: source octet and port, then the checksums. */
static void synflood_patch(uint8_t *frame, uint64_t i)
{
    uint8_t *ip = frame + ETH_LEN, *tcp = ip + 20;
    ip[15] = (uint8_t)(i / PORTS);
    put16(tcp, (uint16_t)(PORT_FIRST + i % PORTS));
    put16(ip + 10, 0);
    put16(ip + 10, sum16(ip, 20, 0));
    uint32_t pseudo = 6u + 20u; /* protocol and TCP length */
    for (int k = 12; k < 20; k += 2)
        pseudo += (uint32_t)(ip[k] << 8 | ip[k + 1]);
    put16(tcp + 16, 0);
    put16(tcp + 16, sum16(tcp, 20, pseudo));
}

int main(int argc, char **argv)
{
    char *end;
    errno = 0;
    uint64_t n = argc == 2 ? strtoull(argv[1], &end, 10) : 0;
    if (argc != 2 || errno != 0 || *end != '\0' || n > 256ull * PORTS) {
        fprintf(stderr, "usage: faults_synflood N (N at most %u)\n", 256u * PORTS);
        return 2;
    }
    static struct pb b;
    pb_init(&b, T0);
    if (pb_tcp(&b, "198.51.100.0", PORT_FIRST, "203.0.113.20", 6320, TH_SYN) != 0)
        return 1;
    struct frame f = pb_frame(&b, 0);
    if (f.caplen != ETH_LEN + 40) {
        fprintf(stderr, "faults_synflood: unexpected SYN of %" PRIu32 " bytes\n", f.caplen);
        return 1;
    }
    static uint8_t buf[1u << 20];
    setvbuf(stdout, NULL, _IONBF, 0); /* buf is the buffer: whole records, large writes */
    uint8_t hdr[24];
    uint32_t words[6] = { 0xa1b2c3d4u, 2u | 4u << 16, 0, 0, 65535, FW_LINKTYPE_ETHERNET };
    for (int k = 0; k < 6; k++)
        put32le(hdr + 4 * k, words[k]);
    if (fwrite(hdr, 1, sizeof hdr, stdout) != sizeof hdr)
        return 1;
    const size_t rec_len = 16 + f.caplen;
    size_t used = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t *r = buf + used;
        uint64_t ts = T0 + i;
        put32le(r, (uint32_t)(ts / 1000000u));
        put32le(r + 4, (uint32_t)(ts % 1000000u));
        put32le(r + 8, f.caplen);
        put32le(r + 12, f.wirelen);
        memcpy(r + 16, f.bytes, f.caplen);
        synflood_patch(r + 16, i);
        used += rec_len;
        if (used + rec_len > sizeof buf || i + 1 == n) {
            if (fwrite(buf, 1, used, stdout) != used) {
                /* The reader may stop early (an error); that is its report's business. */
                return errno == EPIPE ? 0 : 1;
            }
            used = 0;
        }
    }
    return 0;
}
