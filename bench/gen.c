/* bench/gen.c: fwsight-bench-gen N OUT.pcap [--seed S] writes N frames of mixed traffic as a
 * classic microsecond pcap, the same bytes for the same N and seed. A fixed set of session
 * slots is kept busy: each frame comes from a slot drawn at random, and a session that ends is
 * replaced by a new one, so the live set stays bounded however long the file is, while the
 * number of flows grows with it. Sessions: TCP with handshake, requests, responses of mostly
 * full-size segments, FIN or RST teardown; SYNs left unanswered, refused (RST) or blocked (an
 * ICMP admin-prohibited quoting the SYN); UDP request and answer; UDP met by a port
 * unreachable; ICMP echo. One in ten sessions is IPv6. Frame building is in gen_pkt.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_pkt.h"

#define LIVE_SLOTS 4096   /* concurrent sessions: a few thousand live flows at once */
#define N_CLIENTS 4096
#define N_SERVERS 250
#define UDP_POOL 1024     /* UDP tuples are reused (resolvers, NTP) so they stay bounded too */
#define ECHO_POOL 256
#define MSS 1460
#define POOL_LEN (1u << 18)
#define OUT_BUF_LEN (4u << 20)
#define T0_US 1700000000000000ull
#define PORT_FIRST 32768  /* Linux's ephemeral range */
#define PORT_COUNT 28232

enum sess_kind { S_TCP, S_TCP_SILENT, S_TCP_REFUSED, S_TCP_BLOCKED, S_UDP, S_UDP_UNREACH, S_ECHO };

/* One session in a slot. Which step comes next is kept in state; the meaning of each state
 * depends on the kind (see sess_step). */
struct sess {
    uint8_t kind, state;
    uint8_t v6, ack_every, unacked, end, count;
    uint8_t cli_ttl, srv_ttl;
    uint16_t cli, srv, cport, sport;
    uint16_t cli_id, srv_id; /* next IPv4 identification of each side */
    uint32_t cli_seq, srv_seq;
    uint32_t left;           /* response bytes still to send in this round */
    uint16_t rounds;         /* requests after the current one */
    uint16_t echo_id, echo_seq;
    uint32_t pay_off;        /* payload of a datagram that an ICMP error will quote */
};

enum { END_FIN_CLIENT, END_FIN_SERVER, END_RST_CLIENT, END_RST_SERVER };

struct gen {
    uint64_t rng;
    uint64_t now_us;
    FILE *out;
    struct sess live[LIVE_SLOTS];
    uint16_t port_next[N_CLIENTS];
    uint16_t echo_seq[ECHO_POOL];
    uint8_t frame[GEN_FRAME_MAX];
    uint8_t scratch[GEN_FRAME_MAX];
    uint8_t pool[POOL_LEN + GEN_FRAME_MAX]; /* payload bytes, read at random offsets */
};

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast and good enough to pick traffic. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rnd(struct gen *g)
{
    g->rng += 0x9e3779b97f4a7c15ull;
    return mix64(g->rng);
}

/* Uniform in [0, n) by multiply-shift, no division. */
static uint32_t rnd_below(struct gen *g, uint32_t n)
{
    return (uint32_t)(((rnd(g) >> 32) * n) >> 32);
}

static uint32_t rnd_range(struct gen *g, uint32_t lo, uint32_t hi)
{
    return lo + rnd_below(g, hi - lo + 1);
}

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

static const uint8_t *payload(struct gen *g)
{
    return g->pool + rnd_below(g, POOL_LEN);
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
static void sess_ip(struct sess *s, int from_server, struct gen_ip *ip)
{
    ip->v6 = s->v6;
    addr_of(ip->src, s->v6, from_server, from_server ? s->srv : s->cli);
    addr_of(ip->dst, s->v6, !from_server, from_server ? s->cli : s->srv);
    ip->ttl = from_server ? s->srv_ttl : s->cli_ttl;
    ip->ip_id = from_server ? s->srv_id++ : s->cli_id++;
}

static size_t tcp_from(struct gen *g, struct sess *s, int from_server, uint8_t flags,
                       size_t len)
{
    struct gen_ip ip;
    sess_ip(s, from_server, &ip);
    uint32_t *seq = from_server ? &s->srv_seq : &s->cli_seq;
    uint32_t ack = flags & 0x10 ? (from_server ? s->cli_seq : s->srv_seq) : 0;
    size_t n = gen_pkt_tcp(g->frame, &ip, from_server ? s->sport : s->cport,
                           from_server ? s->cport : s->sport, *seq, ack, flags,
                           len ? payload(g) : NULL, len);
    *seq += (uint32_t)len + ((flags & 0x03) ? 1u : 0u); /* SYN and FIN take a number */
    return n;
}

static size_t udp_from(struct gen *g, struct sess *s, int from_server, const uint8_t *pay,
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
static size_t icmp_error(struct gen *g, struct sess *s, int from_router, size_t rebuilt_len)
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

static void sess_new(struct gen *g, struct sess *s)
{
    static const uint16_t open_ports[] = { 443, 443, 443, 443, 443, 443, 80, 80, 22, 8080 };
    static const uint16_t shut_ports[] = { 23, 445, 3389, 5432, 6379, 9200, 25, 8443 };
    uint32_t r = rnd_below(g, 1000);
    memset(s, 0, sizeof *s);
    /* Many short failed attempts (a firewall's daily fare, and scans) among fewer long
     * transfers: about 200k flows per 10M frames, with ~20k live at most, frames ~800 bytes. */
    s->kind = r < 500 ? S_TCP : r < 650 ? S_TCP_SILENT : r < 780 ? S_TCP_REFUSED
            : r < 800 ? S_TCP_BLOCKED : r < 920 ? S_UDP : r < 930 ? S_UDP_UNREACH : S_ECHO;
    s->v6 = rnd_below(g, 10) == 0;
    s->cli = (uint16_t)rnd_below(g, N_CLIENTS);
    s->srv = (uint16_t)rnd_below(g, N_SERVERS);
    s->cli_ttl = 63;
    s->srv_ttl = (uint8_t)((s->srv % 5 == 0 ? 128 : 64) - 3 - s->srv % 9);
    s->cli_id = (uint16_t)rnd(g);
    s->srv_id = (uint16_t)rnd(g);
    s->cli_seq = (uint32_t)rnd(g);
    s->srv_seq = (uint32_t)rnd(g);
    uint16_t *next = &g->port_next[s->cli];
    s->cport = (uint16_t)(PORT_FIRST + *next);
    *next = (uint16_t)((*next + 1) % PORT_COUNT);

    uint64_t h;
    switch (s->kind) {
    case S_TCP:
        s->sport = open_ports[rnd_below(g, sizeof open_ports / sizeof open_ports[0])];
        s->rounds = (uint16_t)(rnd_below(g, 4) == 0 ? rnd_range(g, 1, 6) : 0);
        s->ack_every = (uint8_t)(rnd_below(g, 10) < 6 ? 2 : 1);
        r = rnd_below(g, 100);
        s->end = r < 50 ? END_FIN_CLIENT : r < 88 ? END_FIN_SERVER : r < 96 ? END_RST_CLIENT
               : END_RST_SERVER;
        break;
    case S_TCP_SILENT:
        s->count = (uint8_t)rnd_range(g, 1, 3); /* the first SYN and its retransmissions */
        /* fall through */
    case S_TCP_REFUSED:
    case S_TCP_BLOCKED:
        s->sport = shut_ports[rnd_below(g, sizeof shut_ports / sizeof shut_ports[0])];
        break;
    case S_UDP:
        h = mix64(rnd_below(g, UDP_POOL) + 1);
        s->v6 = h % 10 == 0;
        s->cli = (uint16_t)(h >> 8) % N_CLIENTS;
        s->srv = (uint16_t)((h >> 24) % N_SERVERS);
        s->cport = (uint16_t)(PORT_FIRST + (h >> 40) % PORT_COUNT);
        s->sport = (h >> 56) % 4 == 0 ? 123 : 53;
        s->count = (uint8_t)rnd_range(g, 1, 3);
        break;
    case S_UDP_UNREACH:
        s->sport = (uint16_t)rnd_range(g, 33434, 33534); /* traceroute's ports */
        break;
    case S_ECHO:
        h = mix64(rnd_below(g, ECHO_POOL) + 0x100000);
        s->v6 = h % 10 == 0;
        s->cli = (uint16_t)(h >> 8) % N_CLIENTS;
        s->srv = (uint16_t)((h >> 24) % N_SERVERS);
        s->echo_id = (uint16_t)(h >> 40);
        s->count = (uint8_t)rnd_range(g, 1, 4);
        break;
    }
}

/* Response sizes: many small objects, some medium, a few large downloads. */
static uint32_t response_len(struct gen *g)
{
    uint32_t r = rnd_below(g, 100);
    if (r < 50)
        return rnd_range(g, 200, 6000);
    if (r < 88)
        return rnd_range(g, 6000, 60000);
    return rnd_range(g, 60000, 300000);
}

static size_t tcp_step(struct gen *g, struct sess *s, int *done)
{
    size_t n, len;
    switch (s->state++) {
    case 0:
        return tcp_from(g, s, 0, 0x02, 0);
    case 1:
        return tcp_from(g, s, 1, 0x12, 0);
    case 2:
        return tcp_from(g, s, 0, 0x10, 0);
    case 3: /* a request */
        s->left = response_len(g);
        return tcp_from(g, s, 0, 0x18, rnd_range(g, 80, 700));
    case 4: /* response segments until the client owes an ACK */
        len = s->left < MSS ? s->left : MSS;
        s->left -= (uint32_t)len;
        n = tcp_from(g, s, 1, s->left ? 0x10 : 0x18, len);
        if (++s->unacked < s->ack_every && s->left)
            s->state = 4;
        return n;
    case 5:
        s->unacked = 0;
        if (s->left)
            s->state = 4;
        else if (s->rounds) {
            s->rounds--;
            s->state = 3;
        }
        return tcp_from(g, s, 0, 0x10, 0);
    case 6:
        if (s->end == END_RST_CLIENT || s->end == END_RST_SERVER) {
            *done = 1;
            return tcp_from(g, s, s->end == END_RST_SERVER, 0x14, 0);
        }
        return tcp_from(g, s, s->end == END_FIN_SERVER, 0x11, 0);
    case 7:
        return tcp_from(g, s, s->end != END_FIN_SERVER, 0x11, 0);
    default:
        *done = 1;
        return tcp_from(g, s, s->end == END_FIN_SERVER, 0x10, 0);
    }
}

/* Writes the session's next frame into g->frame and returns its length; *done when the
 * session has nothing more to send. */
static size_t sess_step(struct gen *g, struct sess *s, int *done)
{
    struct gen_ip ip;
    size_t n;
    uint8_t st = s->state++;
    switch (s->kind) {
    case S_TCP:
        s->state = st;
        return tcp_step(g, s, done);
    case S_TCP_SILENT:
        *done = --s->count == 0;
        s->cli_seq--; /* a retransmission reuses the sequence number */
        return tcp_from(g, s, 0, 0x02, 0);
    case S_TCP_REFUSED:
        if (st == 0)
            return tcp_from(g, s, 0, 0x02, 0);
        *done = 1;
        sess_ip(s, 1, &ip);
        return gen_pkt_tcp(g->frame, &ip, s->sport, s->cport, 0, s->cli_seq, 0x14, NULL, 0);
    case S_TCP_BLOCKED:
        if (st == 0)
            return tcp_from(g, s, 0, 0x02, 0);
        *done = 1;
        s->cli_id--;
        s->cli_seq--;
        n = tcp_from(g, s, 0, 0x02, 0);
        memcpy(g->scratch, g->frame, n);
        return icmp_error(g, s, 1, n);
    case S_UDP:
        if (st % 2 == 0)
            return udp_from(g, s, 0, payload(g), rnd_range(g, 30, 120));
        *done = --s->count == 0;
        return udp_from(g, s, 1, payload(g), rnd_range(g, 60, 500));
    case S_UDP_UNREACH:
        if (st == 0) {
            s->left = rnd_range(g, 20, 60);
            s->pay_off = rnd_below(g, POOL_LEN);
        } else {
            s->cli_id--; /* rebuilt to be quoted: the same datagram again */
        }
        n = udp_from(g, s, 0, g->pool + s->pay_off, s->left);
        if (st == 0)
            return n;
        *done = 1;
        memcpy(g->scratch, g->frame, n);
        return icmp_error(g, s, 0, n);
    default: /* S_ECHO: request and reply, one in ten requests unanswered */
        if (st % 2 == 0) {
            s->echo_seq = ++g->echo_seq[s->echo_id % ECHO_POOL];
            sess_ip(s, 0, &ip);
            n = gen_pkt_echo(g->frame, &ip, 0, s->echo_id, s->echo_seq, payload(g), 56);
            if (rnd_below(g, 10) == 0) {
                s->state++;
                *done = --s->count == 0;
            }
            return n;
        }
        *done = --s->count == 0;
        sess_ip(s, 1, &ip);
        return gen_pkt_echo(g->frame, &ip, 1, s->echo_id, s->echo_seq, payload(g), 56);
    }
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
    fprintf(stderr, "usage: fwsight-bench-gen N OUT.pcap [--seed S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    if (argc != 3 && !(argc == 5 && strcmp(argv[3], "--seed") == 0))
        return usage();
    char *end;
    errno = 0;
    uint64_t n_frames = strtoull(argv[1], &end, 10);
    if (errno || *end || end == argv[1])
        return usage();
    if (argc == 5) {
        seed = strtoull(argv[4], &end, 10);
        if (errno || *end || end == argv[4])
            return usage();
    }

    struct gen *g = calloc(1, sizeof *g);
    static char out_buf[OUT_BUF_LEN];
    if (!g)
        return 1;
    g->rng = mix64(seed);
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
        struct sess *s = &g->live[rnd_below(g, LIVE_SLOTS)];
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
