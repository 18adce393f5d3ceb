/* bench/gen_int.h: what the benchmark generator's files share: the generator's state, the
 * sessions kept in its slots and the random numbers. gen.c writes the file and builds frames
 * for a session; gen_sess.c decides what each kind of session sends; gen_rpc.c holds the
 * DCE/RPC endpoint-mapper PDUs of the firewall-heavy mix. Bench code only. */
#ifndef FW_GEN_INT_H
#define FW_GEN_INT_H

#include <stdint.h>
#include <stdio.h>

#include "gen_pkt.h"

#define LIVE_SLOTS 4096   /* concurrent sessions: a few thousand live flows at once */
#define N_CLIENTS 4096
#define N_SERVERS 250
#define UDP_POOL 1024     /* UDP tuples are reused (resolvers, NTP) so they stay bounded too */
#define ECHO_POOL 256
#define MSS 1460
#define POOL_LEN (1u << 18)
#define PORT_FIRST 32768  /* Linux's ephemeral range */
#define PORT_COUNT 28232

/* The firewall-heavy mix: a few hundred hosts, each client talking to a handful of servers,
 * so that the (from, to, proto, port) cells number tens of thousands, not millions. */
#define FW_CLIENTS 320
#define FW_SERVERS 120
#define FW_PEERS 4        /* servers each client talks to */
#define FW_EPM_LIVE 16    /* endpoint-mapper exchanges at once: quick, as they are on a LAN */
#define FW_DYN_PORTS 2    /* dynamic RPC ports each server's endpoint mapper hands out */

enum gen_mix { MIX_WEB, MIX_FW };

enum sess_kind {
    S_TCP, S_TCP_SILENT, S_TCP_REFUSED, S_TCP_BLOCKED, S_UDP, S_UDP_UNREACH, S_ECHO,
    S_UDP_SILENT, S_EPM, /* the firewall-heavy mix only */
};

/* One session in a slot. Which step comes next is kept in state; the meaning of each state
 * depends on the kind (see sess_step). */
struct sess {
    uint8_t kind, state;
    uint8_t v6, ack_every, unacked, end, count;
    uint8_t cli_ttl, srv_ttl;
    uint8_t forged;          /* S_TCP_REFUSED: the RST comes from a firewall, not the host */
    uint8_t silent;          /* S_ECHO: no request is answered */
    uint16_t cli, srv, cport, sport;
    uint16_t cli_id, srv_id; /* next IPv4 identification of each side */
    uint16_t dyn_port;       /* S_EPM: the port the answer names, connected to next */
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
    enum gen_mix mix;
    FILE *out;
    struct sess live[LIVE_SLOTS];
    uint16_t epm_slot[FW_EPM_LIVE]; /* the slots holding an endpoint-mapper exchange */
    uint32_t epm_live;
    uint16_t port_next[N_CLIENTS];
    uint16_t echo_seq[ECHO_POOL];
    uint8_t frame[GEN_FRAME_MAX];
    uint8_t scratch[GEN_FRAME_MAX];
    uint8_t pool[POOL_LEN + GEN_FRAME_MAX]; /* payload bytes, read at random offsets */
};

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast and good enough to pick traffic. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rnd(struct gen *g)
{
    g->rng += 0x9e3779b97f4a7c15ull;
    return mix64(g->rng);
}

/* Uniform in [0, n) by multiply-shift, no division. */
static inline uint32_t rnd_below(struct gen *g, uint32_t n)
{
    return (uint32_t)(((rnd(g) >> 32) * n) >> 32);
}

static inline uint32_t rnd_range(struct gen *g, uint32_t lo, uint32_t hi)
{
    return lo + rnd_below(g, hi - lo + 1);
}

static inline const uint8_t *payload(struct gen *g)
{
    return g->pool + rnd_below(g, POOL_LEN);
}

/* gen.c: the next frame of a session into g->frame, its length returned. pay NULL: len
 * bytes from the payload pool. */
void sess_ip(struct sess *s, int from_server, struct gen_ip *ip);
size_t tcp_from(struct gen *g, struct sess *s, int from_server, uint8_t flags,
                const uint8_t *pay, size_t len);
size_t udp_from(struct gen *g, struct sess *s, int from_server, const uint8_t *pay,
                size_t len);
size_t icmp_error(struct gen *g, struct sess *s, int from_router, size_t rebuilt_len);

/* gen_sess.c */
void sess_new(struct gen *g, struct sess *s);
/* The slot whose session sends the next frame. */
struct sess *sess_pick(struct gen *g);
/* Writes the session's next frame into g->frame and returns its length; *done when the
 * session has nothing more to send (sess_new then makes the slot's next one). */
size_t sess_step(struct gen *g, struct sess *s, int *done);

/* gen_rpc.c: the endpoint mapper exchange, little-endian NDR: a bind to the mapper, its
 * acceptance, an ept_map request and the answer naming one TCP port (written into the
 * answer's tower). Each returns the PDU and its length. */
enum gen_rpc_pdu { RPC_BIND, RPC_BIND_ACK, RPC_MAP_REQ, RPC_MAP_RESP, RPC_PDU_COUNT };
void gen_rpc_init(void);
const uint8_t *gen_rpc_pdu(enum gen_rpc_pdu which, uint16_t port, size_t *len);

#endif
