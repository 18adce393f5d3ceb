/* bench/gen_sess.c: what each session of the benchmark generator sends, frame by frame, in the
 * two mixes (gen.c says which). "web": TCP with handshake, requests, responses of mostly
 * full-size segments, FIN or RST teardown; SYNs left unanswered, refused (RST) or blocked (an
 * ICMP admin-prohibited quoting the SYN); UDP request and answer; UDP met by a port
 * unreachable; ICMP echo. One in ten sessions is IPv6. "fw": the same kinds among a few
 * hundred hosts, with a firewall's policy per server and port deciding how an attempt fails
 * (SYNs retransmitted unanswered, resets from the host or forged by the firewall with a TTL
 * unlike the host's, ICMP admin-prohibited from a router), unanswered UDP and echo, and
 * DCE/RPC endpoint-mapper exchanges on TCP 135 followed by a connection to the dynamic port
 * named (gen_rpc.c), which the policy may block too. Frames are built by gen.c. */
#include <stdbool.h>
#include <string.h>

#include "gen_int.h"

static void sess_new_web(struct gen *g, struct sess *s)
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

/* The fw mix's hosts: client c talks to FW_PEERS servers, server s's endpoint mapper hands out
 * FW_DYN_PORTS dynamic ports, always the same ones. */
static uint16_t fw_peer(uint32_t cli, uint32_t k)
{
    return (uint16_t)((cli * 7u + k * 13u) % FW_SERVERS);
}

static uint16_t fw_dyn_port(uint32_t srv, uint32_t j)
{
    return (uint16_t)(49664u + (srv * 5u + j * 17u) % 512u);
}

/* The firewall's policy for a server and port, the same on every attempt so that a cell's
 * verdict holds still: 0-3 drops, 4-5 the host refuses, 6-7 the firewall resets in the host's
 * name, 8-9 a router answers admin-prohibited. */
static uint32_t fw_policy(uint32_t srv, uint32_t port)
{
    return (uint32_t)(mix64((uint64_t)srv << 16 | port) % 10);
}

/* A TCP session of the fw mix to port, failing as the policy says when fail is set. */
static void fw_tcp(struct gen *g, struct sess *s, uint16_t port, bool fail)
{
    s->sport = port;
    s->state = 0;
    if (!fail) {
        s->kind = S_TCP;
        s->rounds = (uint16_t)(rnd_below(g, 4) == 0 ? rnd_range(g, 1, 3) : 0);
        s->ack_every = (uint8_t)(rnd_below(g, 10) < 6 ? 2 : 1);
        uint32_t r = rnd_below(g, 100);
        s->end = r < 50 ? END_FIN_CLIENT : r < 90 ? END_FIN_SERVER : END_RST_CLIENT;
        return;
    }
    uint32_t pol = fw_policy(s->srv, port);
    s->kind = pol < 4 ? S_TCP_SILENT : pol < 8 ? S_TCP_REFUSED : S_TCP_BLOCKED;
    s->forged = pol == 6 || pol == 7;
    s->count = (uint8_t)rnd_range(g, 2, 4); /* a dropped SYN is retransmitted */
}

/* A new client port and sequence numbers, for a session or the one an exchange leads to. */
static void fw_fresh_tuple(struct gen *g, struct sess *s)
{
    s->cli_id = (uint16_t)rnd(g);
    s->srv_id = (uint16_t)rnd(g);
    s->cli_seq = (uint32_t)rnd(g);
    s->srv_seq = (uint32_t)rnd(g);
    uint16_t *next = &g->port_next[s->cli];
    s->cport = (uint16_t)(PORT_FIRST + *next);
    *next = (uint16_t)((*next + 1) % PORT_COUNT);
}

static void sess_new_fw(struct gen *g, struct sess *s)
{
    static const uint16_t open_ports[] = { 443, 443, 443, 80, 22, 445, 3389, 8080, 5985, 1433 };
    static const uint16_t shut_ports[] = { 21, 23, 25, 139, 389, 445, 636, 1433, 3306, 3389,
                                           5432, 5900, 5985, 6379, 8443, 9200 };
    static const uint16_t udp_ports[] = { 53, 53, 123, 161, 389, 514, 1900, 5353 };
    uint32_t r = rnd_below(g, 1000);
    memset(s, 0, sizeof *s);
    s->v6 = rnd_below(g, 10) == 0;
    s->cli = (uint16_t)rnd_below(g, FW_CLIENTS);
    s->srv = fw_peer(s->cli, rnd_below(g, FW_PEERS));
    s->cli_ttl = s->cli % 3 == 0 ? 127 : 63;
    s->srv_ttl = (uint8_t)((s->srv % 3 == 0 ? 128 : 64) - 2 - s->srv % 7);
    fw_fresh_tuple(g, s);
    if (r < 300) {
        fw_tcp(g, s, open_ports[rnd_below(g, sizeof open_ports / sizeof open_ports[0])], false);
    } else if (r < 620) {
        fw_tcp(g, s, shut_ports[rnd_below(g, sizeof shut_ports / sizeof shut_ports[0])], true);
    } else if (r < 800) {
        uint16_t port = udp_ports[rnd_below(g, sizeof udp_ports / sizeof udp_ports[0])];
        uint32_t pol = fw_policy(s->srv, port);
        s->kind = pol < 5 ? S_UDP : pol < 9 ? S_UDP_SILENT : S_UDP_UNREACH;
        s->sport = port;
        s->count = (uint8_t)rnd_range(g, 1, 3);
    } else if (r < 890) {
        s->kind = S_ECHO;
        s->echo_id = (uint16_t)rnd(g);
        s->silent = fw_policy(s->srv, 0) < 4;
        s->count = (uint8_t)rnd_range(g, 1, 4);
    } else if (g->epm_live < FW_EPM_LIVE) {
        g->epm_slot[g->epm_live++] = (uint16_t)(s - g->live);
        s->kind = S_EPM;
        s->sport = 135;
        s->dyn_port = fw_dyn_port(s->srv, rnd_below(g, FW_DYN_PORTS));
    } else {
        /* Exchanges enough at once: an attempt on a shut port instead. */
        fw_tcp(g, s, shut_ports[rnd_below(g, sizeof shut_ports / sizeof shut_ports[0])], true);
    }
}

/* The endpoint-mapper exchange on TCP 135: handshake, bind and its acceptance, ept_map and the
 * answer naming the dynamic port, FINs. Its last ACK turns the slot into the connection to
 * that port, blocked or not as the policy says for it. */
static size_t epm_step(struct gen *g, struct sess *s)
{
    size_t len;
    const uint8_t *pdu;
    switch (s->state++) {
    case 0:
        return tcp_from(g, s, 0, 0x02, NULL, 0);
    case 1:
        return tcp_from(g, s, 1, 0x12, NULL, 0);
    case 2:
        return tcp_from(g, s, 0, 0x10, NULL, 0);
    case 3:
        pdu = gen_rpc_pdu(RPC_BIND, 0, &len);
        return tcp_from(g, s, 0, 0x18, pdu, len);
    case 4:
        pdu = gen_rpc_pdu(RPC_BIND_ACK, 0, &len);
        return tcp_from(g, s, 1, 0x18, pdu, len);
    case 5:
        pdu = gen_rpc_pdu(RPC_MAP_REQ, 0, &len);
        return tcp_from(g, s, 0, 0x18, pdu, len);
    case 6:
        pdu = gen_rpc_pdu(RPC_MAP_RESP, s->dyn_port, &len);
        return tcp_from(g, s, 1, 0x18, pdu, len);
    case 7:
        return tcp_from(g, s, 0, 0x11, NULL, 0);
    case 8:
        return tcp_from(g, s, 1, 0x11, NULL, 0);
    default:
        len = tcp_from(g, s, 0, 0x10, NULL, 0);
        for (uint32_t i = 0; i < g->epm_live; i++) {
            if (g->epm_slot[i] == (uint16_t)(s - g->live)) {
                g->epm_slot[i] = g->epm_slot[--g->epm_live];
                break;
            }
        }
        fw_fresh_tuple(g, s);
        fw_tcp(g, s, s->dyn_port, fw_policy(s->srv, s->dyn_port) < 3);
        return len;
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

/* The firewall-heavy mix's transfers are short: its frames are mostly attempts. */
static uint32_t response_len_fw(struct gen *g)
{
    return rnd_below(g, 10) == 0 ? rnd_range(g, 6000, 40000) : rnd_range(g, 200, 6000);
}

static size_t tcp_step(struct gen *g, struct sess *s, int *done)
{
    size_t n, len;
    switch (s->state++) {
    case 0:
        return tcp_from(g, s, 0, 0x02, NULL, 0);
    case 1:
        return tcp_from(g, s, 1, 0x12, NULL, 0);
    case 2:
        return tcp_from(g, s, 0, 0x10, NULL, 0);
    case 3: /* a request */
        s->left = g->mix == MIX_FW ? response_len_fw(g) : response_len(g);
        return tcp_from(g, s, 0, 0x18, NULL, rnd_range(g, 80, 700));
    case 4: /* response segments until the client owes an ACK */
        len = s->left < MSS ? s->left : MSS;
        s->left -= (uint32_t)len;
        n = tcp_from(g, s, 1, s->left ? 0x10 : 0x18, NULL, len);
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
        return tcp_from(g, s, 0, 0x10, NULL, 0);
    case 6:
        if (s->end == END_RST_CLIENT || s->end == END_RST_SERVER) {
            *done = 1;
            return tcp_from(g, s, s->end == END_RST_SERVER, 0x14, NULL, 0);
        }
        return tcp_from(g, s, s->end == END_FIN_SERVER, 0x11, NULL, 0);
    case 7:
        return tcp_from(g, s, s->end != END_FIN_SERVER, 0x11, NULL, 0);
    default:
        *done = 1;
        return tcp_from(g, s, s->end == END_FIN_SERVER, 0x10, NULL, 0);
    }
}

/* Writes the session's next frame into g->frame and returns its length; *done when the
 * session has nothing more to send. */
size_t sess_step(struct gen *g, struct sess *s, int *done)
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
        return tcp_from(g, s, 0, 0x02, NULL, 0);
    case S_TCP_REFUSED:
        if (st == 0)
            return tcp_from(g, s, 0, 0x02, NULL, 0);
        *done = 1;
        sess_ip(s, 1, &ip);
        if (s->forged) /* a firewall answering in the host's name, from its own distance */
            ip.ttl = s->srv_ttl > 100 ? 62 : 253;
        return gen_pkt_tcp(g->frame, &ip, s->sport, s->cport, 0, s->cli_seq, 0x14, NULL, 0);
    case S_TCP_BLOCKED:
        if (st == 0)
            return tcp_from(g, s, 0, 0x02, NULL, 0);
        *done = 1;
        s->cli_id--;
        s->cli_seq--;
        n = tcp_from(g, s, 0, 0x02, NULL, 0);
        memcpy(g->scratch, g->frame, n);
        return icmp_error(g, s, 1, n);
    case S_UDP_SILENT: /* the request and its retransmissions, never answered */
        *done = --s->count == 0;
        return udp_from(g, s, 0, payload(g), rnd_range(g, 30, 120));
    case S_EPM:
        s->state = st;
        return epm_step(g, s);
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
    default: /* S_ECHO: request and reply, one in ten requests unanswered (all if silent) */
        if (st % 2 == 0) {
            s->echo_seq = ++g->echo_seq[s->echo_id % ECHO_POOL];
            sess_ip(s, 0, &ip);
            n = gen_pkt_echo(g->frame, &ip, 0, s->echo_id, s->echo_seq, payload(g), 56);
            if (s->silent || rnd_below(g, 10) == 0) {
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

void sess_new(struct gen *g, struct sess *s)
{
    if (g->mix == MIX_FW)
        sess_new_fw(g, s);
    else
        sess_new_web(g, s);
}

/* Mostly a slot at random; in the fw mix one frame in 16 goes to an endpoint-mapper exchange,
 * so each lasts a few hundred frames (milliseconds), as on a LAN, and fewer are open at once
 * than fwsight parses (32): a bench capture must not measure the parser's cap. */
struct sess *sess_pick(struct gen *g)
{
    if (g->mix == MIX_FW && g->epm_live > 0 && rnd_below(g, 16) == 0)
        return &g->live[g->epm_slot[rnd_below(g, g->epm_live)]];
    return &g->live[rnd_below(g, LIVE_SLOTS)];
}
