/* bench/gen.c: fwsight-bench-gen N OUT.pcap [--seed S] [--mix web|fw] writes N frames of
 * traffic as a classic microsecond pcap, the same bytes for the same N, seed and mix. A fixed
 * set of session slots is kept busy: each frame comes from a slot drawn at random, and a
 * session that ends is replaced by a new one, so the live set stays bounded however long the
 * file is, while the number of flows grows with it. Which sessions (gen_sess.c): "web" (the
 * default) is mostly TCP transfers with some failures among thousands of hosts; "fw" is what
 * a firewall-heavy network shows among a few hundred hosts: many failed attempts, forged
 * resets, DCE/RPC endpoint-mapper exchanges and the dynamic ports they lead to. Here: the
 * file, the payload pool, and frames built for a session's two sides (gen_pkt.c builds them
 * byte by byte). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

#define OUT_BUF_LEN (4u << 20)
#define T0_US 1700000000000000ull

/* Payload: half random bytes (TLS-like, incompressible), half words (HTTP-like), in 1 KiB
 * blocks, so a gzip of the file is neither trivial nor useless. */
static void fill_pool(struct gen *g)
{
    static const char *const words[] = {
        "GET ", "HTTP/1.1 ", "200 OK\r\n", "Host: ", "example.net", "Content-Type: ",
        "text/html", "<div class=\"row\">", "</div>\n", "the ", "firewall ", "port ", "and ",
        "Cache-Control: max-age=3600\r\n", "{\"id\":", "\"name\":\"", "\"},\n", "0123456789",
    };
    size_t n_words = sizeof words / sizeof words[0];
    size_t len = sizeof g->pool;
    for (size_t off = 0; off < len; off += 1024) {
        size_t end = off + 1024 < len ? off + 1024 : len;
        size_t i = off;
        if ((off / 1024) % 2 == 0) {
            for (; i < end; i++)
                g->pool[i] = (uint8_t)rnd(g);
            continue;
        }
        while (i < end) {
            const char *w = words[rnd_below(g, (uint32_t)n_words)];
            for (; *w && i < end; w++, i++)
                g->pool[i] = (uint8_t)*w;
        }
    }
}

static void addr_of(uint8_t out[16], int v6, int role, uint32_t idx)
{
    /* RFC 2544 benchmarking space for IPv4, the documentation prefix for IPv6. role 0 is a
     * client, 1 a server, 2 the router that sends ICMP errors. */
    static const uint8_t v6_role[3] = { 0x0c, 0x05, 0xff };
    memset(out, 0, 16);
    if (v6) {
        out[0] = 0x20;
        out[1] = 0x01;
        out[2] = 0x0d;
        out[3] = 0xb8;
        out[5] = v6_role[role];
        out[14] = (uint8_t)(idx >> 8);
        out[15] = (uint8_t)(idx + 1);
        return;
    }
    out[0] = 198;
    out[1] = role == 0 ? 18 : 19;
    out[2] = role == 0 ? (uint8_t)(idx >> 8) : role == 1 ? 1 : 255;
    out[3] = (uint8_t)(role == 0 ? idx : idx + 1);
}

/* The IP layer of the next frame from one side; each side counts its own identification. */
void sess_ip(struct sess *s, int from_server, struct gen_ip *ip)
{
    ip->v6 = s->v6;
    addr_of(ip->src, s->v6, from_server, from_server ? s->srv : s->cli);
    addr_of(ip->dst, s->v6, !from_server, from_server ? s->cli : s->srv);
    ip->ttl = from_server ? s->srv_ttl : s->cli_ttl;
    ip->ip_id = from_server ? s->srv_id++ : s->cli_id++;
}

size_t tcp_from(struct gen *g, struct sess *s, int from_server, uint8_t flags,
                const uint8_t *pay, size_t len)
{
    struct gen_ip ip;
    sess_ip(s, from_server, &ip);
    uint32_t *seq = from_server ? &s->srv_seq : &s->cli_seq;
    uint32_t ack = flags & 0x10 ? (from_server ? s->cli_seq : s->srv_seq) : 0;
    size_t n = gen_pkt_tcp(g->frame, &ip, from_server ? s->sport : s->cport,
                           from_server ? s->cport : s->sport, *seq, ack, flags,
                           len && !pay ? payload(g) : pay, len);
    *seq += (uint32_t)len + ((flags & 0x03) ? 1u : 0u); /* SYN and FIN take a number */
    return n;
}

size_t udp_from(struct gen *g, struct sess *s, int from_server, const uint8_t *pay,
                size_t len)
{
    struct gen_ip ip;
    sess_ip(s, from_server, &ip);
    return gen_pkt_udp(g->frame, &ip, from_server ? s->sport : s->cport,
                       from_server ? s->cport : s->sport, pay, len);
}

/* An ICMP error about the client's last datagram, which is rebuilt (same identification) into
 * scratch to be quoted: from the router quoting the IP header and 8 bytes (RFC 792's minimum,
 * as many routers do), or from the server quoting up to 548 bytes (RFC 1812's 576 in all). */
size_t icmp_error(struct gen *g, struct sess *s, int from_router, size_t rebuilt_len)
{
    size_t ip_len = rebuilt_len - GEN_ETH_LEN;
    size_t quote_len = from_router && !s->v6 ? 28 : ip_len < 548 ? ip_len : 548;
    struct gen_ip ip;
    sess_ip(s, 1, &ip);
    if (from_router) {
        addr_of(ip.src, s->v6, 2, 0);
        ip.ttl = 254;
    }
    uint8_t type = s->v6 ? 1 : 3;
    uint8_t code = from_router ? (s->v6 ? 1 : 13) : (s->v6 ? 4 : 3);
    return gen_pkt_icmp_error(g->frame, &ip, type, code, g->scratch + GEN_ETH_LEN, quote_len);
}

/* A pcap record header in the writer's byte order, as the file header's magic announces. */
static int write_record(struct gen *g, size_t len)
{
    uint32_t hdr[4] = { (uint32_t)(g->now_us / 1000000), (uint32_t)(g->now_us % 1000000),
                        (uint32_t)len, (uint32_t)len };
    if (fwrite(hdr, sizeof hdr, 1, g->out) != 1 || fwrite(g->frame, len, 1, g->out) != 1)
        return -1;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: fwsight-bench-gen N OUT.pcap [--seed S] [--mix web|fw]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    enum gen_mix mix = MIX_WEB;
    if (argc < 3 || argc % 2 == 0)
        return usage();
    char *end;
    errno = 0;
    uint64_t n_frames = strtoull(argv[1], &end, 10);
    if (errno || *end || end == argv[1])
        return usage();
    for (int i = 3; i < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[i + 1], &end, 10);
            if (errno || *end || end == argv[i + 1])
                return usage();
        } else if (strcmp(argv[i], "--mix") == 0 && strcmp(argv[i + 1], "web") == 0) {
            mix = MIX_WEB;
        } else if (strcmp(argv[i], "--mix") == 0 && strcmp(argv[i + 1], "fw") == 0) {
            mix = MIX_FW;
        } else {
            return usage();
        }
    }

    struct gen *g = calloc(1, sizeof *g);
    static char out_buf[OUT_BUF_LEN];
    if (!g)
        return 1;
    g->rng = mix64(seed);
    g->mix = mix;
    gen_rpc_init();
    g->now_us = T0_US;
    g->out = fopen(argv[2], "wb");
    if (!g->out || setvbuf(g->out, out_buf, _IOFBF, sizeof out_buf) != 0) {
        fprintf(stderr, "fwsight-bench-gen: %s: %s\n", argv[2], strerror(errno));
        return 1;
    }
    fill_pool(g);
    for (uint32_t i = 0; i < N_CLIENTS; i++)
        g->port_next[i] = (uint16_t)rnd_below(g, PORT_COUNT);
    for (size_t i = 0; i < LIVE_SLOTS; i++)
        sess_new(g, &g->live[i]);

    /* Classic pcap header in host order: version 2.4, microseconds, snaplen 65535, Ethernet. */
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } file_hdr = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 };
    int bad = fwrite(&file_hdr, sizeof file_hdr, 1, g->out) != 1;
    uint64_t bytes = 0;
    for (uint64_t i = 0; i < n_frames && !bad; i++) {
        /* About 100k frames per second of capture time: gaps of 1 to 19 us. */
        g->now_us += rnd_range(g, 1, 19);
        struct sess *s = sess_pick(g);
        int done = 0;
        size_t len = sess_step(g, s, &done);
        if (done)
            sess_new(g, s);
        bad = write_record(g, len) != 0;
        bytes += len;
    }
    if (fclose(g->out) != 0 || bad) {
        fprintf(stderr, "fwsight-bench-gen: %s: write failed: %s\n", argv[2], strerror(errno));
        free(g);
        return 1;
    }
    fprintf(stderr, "%s: %" PRIu64 " frames, %" PRIu64 " bytes of frames, mean %.1f\n", argv[2],
            n_frames, bytes, n_frames ? (double)bytes / (double)n_frames : 0.0);
    free(g);
    return 0;
}
