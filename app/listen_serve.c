/* app/listen_serve.c: the sockets of `fwsight listen` (see listen_serve.h): one listening
 * socket per port, the accepted connections, the log lines and the summary, all in one
 * poll() loop with the caller's signalfd. Which ports, and the options, are cmd_listen.c's. */
#include "listen_serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_MAX_SOCKS 256      /* listening sockets; the built-in profile needs 19 */
#define LISTEN_IDLE_MS 5000       /* a probe connects and closes: 5 s idle is something else */
#define LISTEN_HOLD_MS 10000      /* nor is a connection kept alive with a trickle of data */
#define LISTEN_CONN_BYTES 65536   /* nor one that sends this much: read, then closed */
#define LISTEN_PER_PEER 8         /* one peer cannot take them all */
#define LISTEN_UDP_PER_S 200      /* answers per second; beyond, datagrams are counted only */
#define LISTEN_BURST 32           /* accepts or datagrams per socket per wake-up: fairness */
#define LISTEN_ANSWER "fwsight listen\n"

struct listen_sock {
    int fd;
    int proto; /* IPPROTO_TCP or IPPROTO_UDP */
    uint16_t port;
    uint64_t hits; /* connections accepted (closed at once or not) and datagrams received */
};

struct listen_conn {
    int fd;
    struct sockaddr_storage peer;
    uint16_t port;
    uint64_t idle_ms; /* closed at this time unless data comes */
    uint64_t end_ms;  /* closed at this time whatever comes */
    uint64_t bytes;   /* read so far */
};

struct listen_serve {
    size_t max_conns;
    struct listen_sock socks[LISTEN_MAX_SOCKS];
    size_t nsocks;
    struct listen_conn *conns;
    size_t nconns;
    struct pollfd *pfds;
    uint64_t udp_sec, udp_in_sec;
    uint64_t accepted, datagrams, refused, unanswered, idle, cut;
};

static uint64_t listen_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* "198.51.100.10" or "2001:db8::1"; an IPv4 peer on the dual-stack socket shows as IPv4. */
const char *listen_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
            return inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf, (socklen_t)len);
        return inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
    }
    return inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
                     (socklen_t)len);
}

static uint16_t listen_peer_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* One log line: UTC time, proto, local port, peer, what happened. */
static void listen_log(int proto, uint16_t port, const struct sockaddr_storage *peer,
                       const char *what)
{
    char when[32], addr[INET6_ADDRSTRLEN];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!listen_addr_text(peer, addr, sizeof addr))
        snprintf(addr, sizeof addr, "?");
    printf("%s.%03ldZ %s %u from %s port %u: %s\n", when, ts.tv_nsec / 1000000L,
           proto == IPPROTO_TCP ? "tcp" : "udp", port, addr, listen_peer_port(peer), what);
}

/* Opens one listening socket; a port in use or refused is reported and skipped (returns 0
 * without adding it), so one busy port does not stop the test of the others. */
int listen_serve_open(struct listen_serve *r, const struct listen_bind *b, int proto,
                      uint16_t port)
{
    for (size_t i = 0; i < r->nsocks; i++)
        if (r->socks[i].proto == proto && r->socks[i].port == port)
            return 0; /* a port named by two entries (TCP 135) */
    if (r->nsocks == LISTEN_MAX_SOCKS) {
        fprintf(stderr, "fwsight listen: more than %d ports: %s %u and later ones skipped\n",
                LISTEN_MAX_SOCKS, proto == IPPROTO_TCP ? "tcp" : "udp", port);
        return -1;
    }
    struct sockaddr_storage ss = b->addr;
    if (ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    int type = (proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
    int fd = socket(ss.ss_family, type, 0), one = 1, zero = 0;
    const char *what = "socket";
    if (fd < 0)
        goto fail;
    /* TIME-WAIT connections of an earlier run must not keep the port. */
    what = "setsockopt";
    if (proto == IPPROTO_TCP && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        goto fail;
    if (b->dual && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)
        goto fail;
    what = "bind";
    if (bind(fd, (struct sockaddr *)&ss, b->len) != 0)
        goto fail;
    what = "listen";
    if (proto == IPPROTO_TCP && listen(fd, 64) != 0)
        goto fail;
    r->socks[r->nsocks++] = (struct listen_sock){ .fd = fd, .proto = proto, .port = port };
    return 0;

fail:
    fprintf(stderr, "fwsight listen: %s %u: %s: %s%s: skipped\n",
            proto == IPPROTO_TCP ? "tcp" : "udp", port, what, strerror(errno),
            errno == EADDRINUSE ? " (something else listens there)" : "");
    if (fd >= 0)
        close(fd);
    return 0;
}

static bool listen_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return false;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

static void listen_accept(struct listen_serve *r, struct listen_sock *s, uint64_t now_ms)
{
    for (int i = 0; i < LISTEN_BURST; i++) {
        struct listen_conn c = { .port = s->port, .idle_ms = now_ms + LISTEN_IDLE_MS,
                                 .end_ms = now_ms + LISTEN_HOLD_MS };
        socklen_t len = sizeof c.peer;
        c.fd = accept(s->fd, (struct sockaddr *)&c.peer, &len);
        if (c.fd < 0)
            return; /* EAGAIN, or the peer gave up (ECONNABORTED): nothing to log */
        s->hits++;
        if (fcntl(c.fd, F_SETFL, O_NONBLOCK) != 0) {
            close(c.fd);
            continue;
        }
        size_t same = 0;
        for (size_t k = 0; k < r->nconns; k++)
            same += listen_same_host(&r->conns[k].peer, &c.peer);
        if (r->nconns >= r->max_conns || same >= LISTEN_PER_PEER) {
            char what[96];
            if (same >= LISTEN_PER_PEER)
                snprintf(what, sizeof what, "accepted and closed: connection limit (%d per "
                         "peer)", LISTEN_PER_PEER);
            else
                snprintf(what, sizeof what, "accepted and closed: connection limit "
                         "(--max-conns %zu)", r->max_conns);
            listen_log(IPPROTO_TCP, s->port, &c.peer, what);
            close(c.fd);
            r->refused++;
            continue;
        }
        listen_log(IPPROTO_TCP, s->port, &c.peer, "accepted");
        r->conns[r->nconns++] = c;
        r->accepted++;
    }
}

static void listen_datagrams(struct listen_serve *r, struct listen_sock *s, uint64_t now_ms)
{
    static const char answer[] = LISTEN_ANSWER;
    uint8_t buf[2048];
    for (int i = 0; i < LISTEN_BURST; i++) {
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        ssize_t n = recvfrom(s->fd, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&peer, &len);
        if (n < 0)
            return;
        r->datagrams++;
        s->hits++;
        if (now_ms / 1000 != r->udp_sec) {
            r->udp_sec = now_ms / 1000;
            r->udp_in_sec = 0;
        }
        if (r->udp_in_sec++ >= LISTEN_UDP_PER_S) {
            r->unanswered++; /* a flood is not logged line by line either */
            continue;
        }
        /* Never more than the request: an answer cannot amplify a spoofed datagram. */
        size_t alen = (size_t)n < sizeof answer - 1 ? (size_t)n : sizeof answer - 1;
        bool sent = sendto(s->fd, answer, alen, 0, (struct sockaddr *)&peer, len) >= 0;
        char what[64];
        snprintf(what, sizeof what, "%zd bytes, %s", n, sent ? "answered" : "answer failed");
        listen_log(IPPROTO_UDP, s->port, &peer, what);
    }
}

/* Whether a limit closes the connection, and why (logged, and counted). */
static bool listen_conn_limit(struct listen_serve *r, const struct listen_conn *c,
                              uint64_t now_ms, char *why, size_t len)
{
    if (c->bytes > LISTEN_CONN_BYTES) {
        snprintf(why, len, "closed: more than %d bytes received (byte limit)",
                 LISTEN_CONN_BYTES);
        r->cut++;
    } else if (now_ms >= c->end_ms) {
        snprintf(why, len, "closed: open for %d s (time limit)", LISTEN_HOLD_MS / 1000);
        r->cut++;
    } else if (now_ms >= c->idle_ms) {
        snprintf(why, len, "closed: idle for %d s", LISTEN_IDLE_MS / 1000);
        r->idle++;
    } else {
        return false;
    }
    return true;
}

/* Reads and discards what a connection sends, never answering it; closes it at its end, on
 * an error, or at a limit (idle, time, bytes). */
static void listen_conns(struct listen_serve *r, const struct pollfd *pfds, uint64_t now_ms)
{
    uint8_t buf[4096];
    for (size_t i = r->nconns; i-- > 0;) {
        struct listen_conn *c = &r->conns[i];
        bool done = false;
        if (pfds[i].revents != 0) {
            ssize_t n = recv(c->fd, buf, sizeof buf, 0);
            if (n > 0) {
                c->idle_ms = now_ms + LISTEN_IDLE_MS;
                c->bytes += (uint64_t)n;
            } else {
                done = n == 0 || (errno != EAGAIN && errno != EINTR);
            }
        }
        char why[80];
        bool cut = !done && listen_conn_limit(r, c, now_ms, why, sizeof why);
        if (cut)
            listen_log(IPPROTO_TCP, c->port, &c->peer, why);
        if (done || cut) {
            close(c->fd);
            r->conns[i] = r->conns[--r->nconns]; /* the moved one was handled already */
        }
    }
}

int listen_serve_run(struct listen_serve *r, int sigfd, uint64_t duration_ms)
{
    uint64_t end_ms = listen_now_ms() + duration_ms;
    int signo = 0;
    for (;;) {
        uint64_t now = listen_now_ms(), next = end_ms;
        if (now >= end_ms)
            break;
        size_t n = 0;
        r->pfds[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
        for (size_t i = 0; i < r->nsocks; i++)
            r->pfds[n++] = (struct pollfd){ .fd = r->socks[i].fd, .events = POLLIN };
        for (size_t i = 0; i < r->nconns; i++) {
            r->pfds[n++] = (struct pollfd){ .fd = r->conns[i].fd, .events = POLLIN };
            next = r->conns[i].idle_ms < next ? r->conns[i].idle_ms : next;
            next = r->conns[i].end_ms < next ? r->conns[i].end_ms : next;
        }
        int rc = poll(r->pfds, (nfds_t)n, next > now ? (int)(next - now) : 0);
        if (rc < 0 && errno != EINTR) {
            fprintf(stderr, "fwsight listen: poll: %s\n", strerror(errno));
            return -1;
        }
        now = listen_now_ms();
        if (rc > 0 && (r->pfds[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                signo = (int)si.ssi_signo;
                break;
            }
        }
        /* Connections first: accepting appends to the array the pollfds index. */
        listen_conns(r, r->pfds + 1 + r->nsocks, now);
        for (size_t i = 0; rc > 0 && i < r->nsocks; i++) {
            if (!(r->pfds[1 + i].revents & POLLIN))
                continue;
            if (r->socks[i].proto == IPPROTO_TCP)
                listen_accept(r, &r->socks[i], now);
            else
                listen_datagrams(r, &r->socks[i], now);
        }
    }
    printf("fwsight listen: stopped (%s): %llu TCP connections accepted, %llu closed at once "
           "over the limits, %llu closed idle, %llu closed at the time or byte limit, %llu UDP "
           "datagrams (%llu not answered: rate limit)\n",
           signo ? strsignal(signo) : "duration over", (unsigned long long)r->accepted,
           (unsigned long long)r->refused, (unsigned long long)r->idle,
           (unsigned long long)r->cut, (unsigned long long)r->datagrams,
           (unsigned long long)r->unanswered);
    listen_serve_print_unreached(r, stdout);
    return 0;
}

size_t listen_port_list(const uint16_t *ports, size_t n, char *buf, size_t len)
{
    size_t used = 0;
    if (len > 0)
        buf[0] = '\0';
    for (size_t i = 0; i < n && len > 0;) {
        size_t hi = i; /* a run of consecutive ports */
        while (hi + 1 < n && ports[hi + 1] == ports[hi] + 1)
            hi++;
        int w = hi == i ? snprintf(buf + used, len - used, "%s%u", i ? "," : "", ports[i])
                        : snprintf(buf + used, len - used, "%s%u-%u", i ? "," : "", ports[i],
                                   ports[hi]);
        if (w < 0 || (size_t)w >= len - used) {
            buf[used] = '\0'; /* what fits, whole ranges only */
            break;
        }
        used += (size_t)w;
        i = hi + 1;
    }
    return used;
}

static int listen_port_cmp(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* The ports nothing reached, per protocol as ranges, in the words of --ports: where the
 * other side's test never arrived, or was never run. */
void listen_serve_print_unreached(const struct listen_serve *r, FILE *out)
{
    static const int protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
    uint16_t ports[LISTEN_MAX_SOCKS];
    char list[2][1024];
    size_t total = 0;
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        for (size_t i = 0; i < r->nsocks; i++)
            if (r->socks[i].proto == protos[k] && r->socks[i].hits == 0)
                ports[n++] = r->socks[i].port;
        qsort(ports, n, sizeof ports[0], listen_port_cmp);
        listen_port_list(ports, n, list[k], sizeof list[k]);
        total += n;
    }
    if (total == 0) {
        fprintf(out, "fwsight listen: every port received something\n");
        return;
    }
    fprintf(out, "fwsight listen: never received anything: %s%s%s%s%s\n",
            list[0][0] ? "tcp:" : "", list[0], list[0][0] && list[1][0] ? "; " : "",
            list[1][0] ? "udp:" : "", list[1]);
}


struct listen_serve *listen_serve_new(size_t max_conns)
{
    struct listen_serve *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->max_conns = max_conns;
    r->conns = calloc(max_conns, sizeof *r->conns);
    r->pfds = calloc(1 + LISTEN_MAX_SOCKS + max_conns, sizeof *r->pfds);
    if (r->conns == NULL || r->pfds == NULL) {
        listen_serve_free(r);
        return NULL;
    }
    return r;
}

void listen_serve_free(struct listen_serve *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nconns; i++)
        close(r->conns[i].fd);
    for (size_t i = 0; i < r->nsocks; i++)
        close(r->socks[i].fd);
    free(r->pfds);
    free(r->conns);
    free(r);
}

size_t listen_serve_count(const struct listen_serve *r)
{
    return r->nsocks;
}

void listen_serve_print_ports(const struct listen_serve *r, FILE *out)
{
    for (size_t i = 0; i < r->nsocks; i++)
        fprintf(out, " %s:%u", r->socks[i].proto == IPPROTO_TCP ? "tcp" : "udp",
                r->socks[i].port);
}
