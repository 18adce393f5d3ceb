/* capture/locate.c: sends the TTL-limited probe series of `fwsight test --locate` (see
 * locate.h) and reads what each TTL met from the probe's socket: IP_RECVERR / IPV6_RECVERR
 * queue the ICMP error with the address of the router that sent it (SO_EE_OFFENDER), a TCP
 * connect tells a reset from a connection, a UDP socket an answer, the echo socket a reply.
 * TCP and UDP use ordinary sockets (IP_TTL needs no privilege); each probe is a new socket
 * bound to the series' source port, so the 5-tuple stays the same. One TTL at a time, so an
 * answer belongs to the TTL in flight. Interpreting the series is analyze/locate.c's. */
#define _GNU_SOURCE /* the socket error queue: MSG_ERRQUEUE, IP_RECVERR, IPV6_RECVERR */
#include "locate.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOCATE_PAYLOAD "fwsight locate probe\n"

struct locate {
    struct sockaddr_storage peer;
    socklen_t peer_len;
    int echo_fd, echo_err;
    bool echo_raw;
    uint16_t echo_id;
};

static bool is_v6(const struct locate *l)
{
    return l->peer.ss_family == AF_INET6;
}

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
    return ntohs(ss->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)ss)->sin6_port
                                           : ((const struct sockaddr_in *)ss)->sin_port);
}

/* The TTL (hop limit) of what fd sends, and its ICMP errors queued with their sender. */
static int set_ttl_recverr(int fd, bool v6, int ttl)
{
    int on = 1;
    if (v6)
        return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0 ||
               setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) != 0 ? errno : 0;
    return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0 ||
           setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) != 0 ? errno : 0;
}

struct locate *locate_new(const struct sockaddr *peer, socklen_t peer_len, char err[FW_ERRLEN])
{
    if ((peer->sa_family != AF_INET && peer->sa_family != AF_INET6) ||
        peer_len > sizeof(struct sockaddr_storage)) {
        snprintf(err, FW_ERRLEN, "locate: the peer is not an IPv4 or IPv6 address");
        return NULL;
    }
    struct locate *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(err, FW_ERRLEN, "out of memory");
        return NULL;
    }
    memcpy(&l->peer, peer, peer_len);
    l->peer_len = peer_len;
    /* Ping sockets need no privilege where net.ipv4.ping_group_range allows our group (the
     * kernel then sets the id); a raw socket needs CAP_NET_RAW, so both are opened now. */
    int proto = is_v6(l) ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    l->echo_fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (l->echo_fd < 0) {
        l->echo_fd = socket(peer->sa_family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
        l->echo_raw = l->echo_fd >= 0;
    }
    l->echo_err = l->echo_fd < 0 ? errno : 0;
    l->echo_id = (uint16_t)(0x4000u | ((unsigned)getpid() & 0x3fffu));
    return l;
}

void locate_free(struct locate *l)
{
    if (l == NULL)
        return;
    if (l->echo_fd >= 0)
        close(l->echo_fd);
    free(l);
}

/* The ICMP error queued on fd, if any: fills h (answer, type, code, sender). */
static bool read_error(int fd, struct locate_hop *h)
{
    uint8_t data[256];
    union { char buf[512]; struct cmsghdr align; } ctl;
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf };
    if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return false;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
        bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
        bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
        struct sock_extended_err ee;
        if ((!v4 && !v6) || c->cmsg_len < CMSG_LEN(sizeof ee))
            continue;
        memcpy(&ee, CMSG_DATA(c), sizeof ee);
        if (ee.ee_origin != SO_EE_ORIGIN_ICMP && ee.ee_origin != SO_EE_ORIGIN_ICMP6)
            continue;
        h->icmp_type = ee.ee_type;
        h->icmp_code = ee.ee_code;
        bool te = ee.ee_origin == SO_EE_ORIGIN_ICMP6 ? ee.ee_type == ICMP6_TIME_EXCEEDED
                                                      : ee.ee_type == ICMP_TIME_EXCEEDED;
        h->answer = te ? LOCATE_TIME_EXCEEDED : LOCATE_UNREACH;
        /* the offender address follows the extended error in the same control message */
        size_t off = CMSG_LEN(sizeof ee) - CMSG_LEN(0), have = c->cmsg_len - CMSG_LEN(0);
        struct sockaddr_storage from;
        memset(&from, 0, sizeof from);
        if (have > off)
            memcpy(&from, CMSG_DATA(c) + off,
                   have - off < sizeof from ? have - off : sizeof from);
        if (from.ss_family == AF_INET) {
            h->family = 4;
            memcpy(h->addr, &((struct sockaddr_in *)&from)->sin_addr, 4);
        } else if (from.ss_family == AF_INET6) {
            h->family = 6;
            memcpy(h->addr, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
        }
        return true;
    }
    return false;
}

static void answer_from_peer(const struct locate *l, struct locate_hop *h,
                             enum locate_answer a)
{
    h->answer = a;
    if (is_v6(l)) {
        h->family = 6;
        memcpy(h->addr, &((const struct sockaddr_in6 *)&l->peer)->sin6_addr, 16);
    } else {
        h->family = 4;
        memcpy(h->addr, &((const struct sockaddr_in *)&l->peer)->sin_addr, 4);
    }
}

/* A TCP or UDP probe socket, bound to *src_port (0: any, then remembered) and connected. */
static int open_probe(struct locate *l, enum probe_kind kind, uint16_t port, int ttl,
                      uint16_t *src_port, int *fdp)
{
    int on = 1, e;
    int fd = socket(l->peer.ss_family,
                    (kind == PROBE_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (fd < 0)
        return errno;
    struct sockaddr_storage me, to = l->peer;
    memset(&me, 0, sizeof me);
    me.ss_family = l->peer.ss_family;
    set_port(&me, *src_port);
    set_port(&to, port);
    socklen_t len = l->peer_len;
    /* the previous probe's socket is closed, but SO_REUSEADDR spares any wait on its port */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (e = set_ttl_recverr(fd, is_v6(l), ttl)) != 0 ||
        bind(fd, (struct sockaddr *)&me, len) != 0 ||
        getsockname(fd, (struct sockaddr *)&me, &len) != 0)
        goto fail;
    *src_port = get_port(&me);
    if (connect(fd, (struct sockaddr *)&to, l->peer_len) != 0 && errno != EINPROGRESS)
        goto fail;
    if (kind == PROBE_UDP && send(fd, LOCATE_PAYLOAD, sizeof LOCATE_PAYLOAD - 1, 0) < 0)
        goto fail;
    *fdp = fd;
    return 0;
fail:
    e = errno;
    close(fd);
    return e;
}

static uint16_t cksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The same echo request every time (id, sequence 1, payload): the same checksum, one flow. */
static int send_echo(struct locate *l, int ttl)
{
    uint8_t pkt[8 + sizeof LOCATE_PAYLOAD - 1];
    int e = set_ttl_recverr(l->echo_fd, is_v6(l), ttl);
    if (e != 0)
        return e;
    memset(pkt, 0, 8);
    pkt[0] = is_v6(l) ? 128 : 8;
    pkt[4] = (uint8_t)(l->echo_id >> 8);
    pkt[5] = (uint8_t)l->echo_id;
    pkt[7] = 1;
    memcpy(pkt + 8, LOCATE_PAYLOAD, sizeof LOCATE_PAYLOAD - 1);
    if (!is_v6(l)) {
        uint16_t c = cksum(pkt, sizeof pkt);
        pkt[2] = (uint8_t)(c >> 8);
        pkt[3] = (uint8_t)c;
    }
    if (sendto(l->echo_fd, pkt, sizeof pkt, 0, (struct sockaddr *)&l->peer, l->peer_len) < 0)
        return errno;
    if (!l->echo_raw) { /* a ping socket's id is its port, set by the kernel */
        struct sockaddr_storage me;
        socklen_t len = sizeof me;
        if (getsockname(l->echo_fd, (struct sockaddr *)&me, &len) == 0)
            l->echo_id = get_port(&me);
    }
    return 0;
}

/* An echo reply on the echo socket (a raw IPv4 one hands over the IP header too, and every
 * ICMP message of the host: only a reply with our id counts). */
static bool read_echo_reply(struct locate *l)
{
    uint8_t buf[1500];
    ssize_t n;
    while ((n = recv(l->echo_fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0) {
        size_t off = 0;
        if (l->echo_raw && !is_v6(l)) {
            if (n < 20)
                continue;
            off = (size_t)(buf[0] & 0x0f) * 4u;
        }
        if ((size_t)n < off + 8)
            continue;
        const uint8_t *icmp = buf + off;
        if (icmp[0] != (is_v6(l) ? 129 : 0))
            continue;
        if (l->echo_raw && (uint16_t)(icmp[4] << 8 | icmp[5]) != l->echo_id)
            continue;
        return true;
    }
    return false;
}

/* Waits on fd until deadline for what the probe met; false if nothing came. */
static bool wait_answer(struct locate *l, enum probe_kind kind, int fd, uint64_t deadline_us,
                        struct locate_hop *h)
{
    for (;;) {
        uint64_t t = now_us();
        if (t >= deadline_us)
            return false;
        struct pollfd p = { fd, (short)(kind == PROBE_TCP ? POLLOUT : POLLIN), 0 };
        int ms = (int)((deadline_us - t + 999u) / 1000u);
        if (poll(&p, 1, ms) < 0 && errno != EINTR)
            return false;
        if (p.revents == 0)
            continue;
        if (read_error(fd, h))
            return true;
        if (kind == PROBE_ECHO) {
            if (read_echo_reply(l)) {
                answer_from_peer(l, h, LOCATE_REPLY);
                return true;
            }
            continue;
        }
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (kind == PROBE_UDP) {
            char b[64];
            if (recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0) {
                answer_from_peer(l, h, LOCATE_REPLY);
                return true;
            }
            soerr = errno;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) {
            soerr = errno;
        }
        if (soerr == EAGAIN || soerr == EINTR)
            continue;
        if (soerr == 0 && kind == PROBE_TCP) {
            answer_from_peer(l, h, LOCATE_REPLY);
        } else if (soerr == ECONNREFUSED) {
            answer_from_peer(l, h, kind == PROBE_TCP ? LOCATE_RESET : LOCATE_UNREACH);
        } else {
            /* an error without its ICMP message: say what the socket said, sender unknown */
            h->answer = LOCATE_UNREACH;
            h->err = soerr;
        }
        return true;
    }
}

/* One TTL: a probe, and a second one if the first got nothing in half the hop's time. */
static void probe_hop(struct locate *l, enum probe_kind kind, uint16_t port, uint8_t ttl,
                      uint16_t *src_port, struct locate_hop *h)
{
    memset(h, 0, sizeof *h);
    h->ttl = ttl;
    uint64_t start = now_us();
    struct locate_hop drain;
    if (kind == PROBE_ECHO)
        while (read_error(l->echo_fd, &drain) || read_echo_reply(l))
            ; /* late answers to the previous TTL belong to no one now */
    for (int k = 0; k < LOCATE_PROBES_PER_HOP; k++) {
        int fd = l->echo_fd, e;
        uint64_t sent = now_us();
        e = kind == PROBE_ECHO ? send_echo(l, ttl)
                               : open_probe(l, kind, port, ttl, src_port, &fd);
        if (e != 0) {
            h->answer = LOCATE_FAILED;
            h->err = e;
            return;
        }
        h->sent++;
        uint64_t deadline = start + (uint64_t)(k + 1) * LOCATE_HOP_TIMEOUT_MS * 1000u /
                                        LOCATE_PROBES_PER_HOP;
        bool got = wait_answer(l, kind, fd, deadline, h);
        if (kind != PROBE_ECHO)
            close(fd);
        if (got) {
            h->rtt_us = (uint32_t)(now_us() - sent);
            return;
        }
    }
    h->answer = LOCATE_SILENT;
}

size_t locate_series(struct locate *l, enum probe_kind kind, uint16_t port,
                     struct locate_hop *hops, size_t max, uint16_t *src_port,
                     char err[FW_ERRLEN])
{
    *src_port = 0;
    if (kind == PROBE_ECHO) {
        if (l->echo_fd < 0) {
            snprintf(err, FW_ERRLEN, "no socket for ICMP echo (%s): it needs root or "
                     "CAP_NET_RAW, or ping sockets allowed by net.ipv4.ping_group_range",
                     strerror(l->echo_err));
            return 0;
        }
        *src_port = l->echo_id;
    }
    size_t n = 0;
    int silent = 0;
    for (int ttl = 1; ttl <= LOCATE_MAX_HOPS && n < max; ttl++) {
        struct locate_hop *h = &hops[n++];
        probe_hop(l, kind, port, (uint8_t)ttl, src_port, h);
        if (kind == PROBE_ECHO)
            *src_port = l->echo_id;
        if (h->answer == LOCATE_TIME_EXCEEDED) {
            silent = 0;
            continue;
        }
        if (h->answer != LOCATE_SILENT || ++silent >= LOCATE_SILENT_STOP)
            break;
    }
    return n;
}
