/* capture/probe.c: the probes toward one peer (see probe.h). Rounds run one after the other:
 * a round launches every item (at most PROBE_MAX_INFLIGHT in flight, PROBE_SPACING_MS apart)
 * and ends when each has an outcome or a timeout; the next starts PROBE_GAP_MS later, so that
 * an intermittent block shows as mixed outcomes over time. Each TCP and UDP probe has its own
 * socket (its own source port: one flow each in the capture); the echo probes share one
 * socket and tell their replies apart by sequence number. Resolving the peer and finding its
 * route are probe_route.c's; reading the capture is others'. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROBE_PAYLOAD "fwsight probe\n" /* says what it is to whoever captures it */

struct probe_slot {
    bool active;
    int fd;              /* the echo socket for echo probes (not owned by the slot) */
    size_t item;
    uint16_t seq;        /* echo */
    uint64_t started_ms, deadline_ms;
};

struct probe_set {
    struct sockaddr_storage peer;
    socklen_t peer_len;
    struct probe_item *items;
    size_t nitems;
    struct probe_opts o;
    probe_event_fn fn;
    void *ctx;
    int echo_fd, echo_err;
    bool echo_raw;       /* a raw socket: IPv4 replies come with their IP header */
    uint16_t echo_id, echo_seq;
    uint32_t round;      /* 0-based, the one running */
    size_t next;         /* next item of the round to launch */
    uint64_t launch_ms;  /* not before */
    size_t inflight;
    bool done;
    uint32_t udp_tokens;   /* UDP probes that may go now (see udp_may_launch) */
    uint64_t udp_refill_ms;
    struct probe_slot slots[PROBE_MAX_INFLIGHT];
    size_t pollmap[PROBE_MAX_INFLIGHT + 1]; /* pollfd index -> slot */
    size_t npoll;
};

uint64_t probe_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *probe_kind_name(enum probe_kind k)
{
    return k == PROBE_TCP ? "tcp" : k == PROBE_UDP ? "udp" : "icmp";
}

const char *probe_outcome_name(enum probe_outcome o)
{
    static const char *const names[] = { "answered", "refused", "unreachable", "no answer",
                                         "failed" };
    return (size_t)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

static bool probe_is_v6(const struct probe_set *ps)
{
    return ps->peer.ss_family == AF_INET6;
}

static void probe_set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Ping sockets need no privilege but net.ipv4.ping_group_range must include our group; a
 * raw socket needs CAP_NET_RAW. Either way the kernel fills the ICMPv6 checksum. */
static void probe_open_echo(struct probe_set *ps)
{
    int fam = ps->peer.ss_family, proto = probe_is_v6(ps) ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    ps->echo_fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (ps->echo_fd < 0) {
        ps->echo_fd = socket(fam, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
        ps->echo_raw = ps->echo_fd >= 0;
    }
    ps->echo_err = ps->echo_fd < 0 ? errno : 0;
}

struct probe_set *probe_new(const struct sockaddr *peer, socklen_t peer_len,
                            const struct probe_item *items, size_t nitems,
                            const struct probe_opts *o, probe_event_fn fn, void *ctx,
                            char err[FW_ERRLEN])
{
    if ((peer->sa_family != AF_INET && peer->sa_family != AF_INET6) ||
        peer_len > sizeof(struct sockaddr_storage) || nitems == 0 ||
        nitems > PROBE_MAX_ITEMS || o->rounds > PROBE_MAX_ROUNDS) {
        snprintf(err, FW_ERRLEN, "probes: bad peer, or more than %u ports or %u rounds",
                 PROBE_MAX_ITEMS, PROBE_MAX_ROUNDS);
        return NULL;
    }
    struct probe_set *ps = calloc(1, sizeof *ps);
    if (ps == NULL || (ps->items = calloc(nitems, sizeof *items)) == NULL) {
        free(ps);
        snprintf(err, FW_ERRLEN, "probes: out of memory");
        return NULL;
    }
    memcpy(&ps->peer, peer, peer_len);
    ps->peer_len = peer_len;
    memcpy(ps->items, items, nitems * sizeof *items);
    ps->nitems = nitems;
    ps->o = *o;
    ps->o.rounds = o->rounds ? o->rounds : 1;
    ps->o.tcp_timeout_ms = o->tcp_timeout_ms ? o->tcp_timeout_ms : PROBE_TCP_TIMEOUT_MS;
    ps->o.udp_timeout_ms = o->udp_timeout_ms ? o->udp_timeout_ms : PROBE_UDP_TIMEOUT_MS;
    ps->o.echo_timeout_ms = o->echo_timeout_ms ? o->echo_timeout_ms : PROBE_ECHO_TIMEOUT_MS;
    ps->o.gap_ms = o->gap_ms ? o->gap_ms : PROBE_GAP_MS;
    ps->udp_tokens = PROBE_UDP_BURST;
    if (o->max_inflight == 0 || o->max_inflight > PROBE_MAX_INFLIGHT)
        ps->o.max_inflight = PROBE_MAX_INFLIGHT;
    ps->fn = fn;
    ps->ctx = ctx;
    ps->echo_fd = -1;
    ps->echo_id = (uint16_t)(getpid() & 0xffff); /* raw sockets only: ping sockets set it */
    for (size_t i = 0; i < nitems; i++)
        if (items[i].kind == PROBE_ECHO && ps->echo_fd < 0)
            probe_open_echo(ps);
    return ps;
}

void probe_free(struct probe_set *ps)
{
    if (ps == NULL)
        return;
    for (size_t i = 0; i < PROBE_MAX_INFLIGHT; i++)
        if (ps->slots[i].active && ps->slots[i].fd != ps->echo_fd)
            close(ps->slots[i].fd);
    if (ps->echo_fd >= 0)
        close(ps->echo_fd);
    free(ps->items);
    free(ps);
}

static void probe_finish(struct probe_set *ps, struct probe_slot *s, enum probe_outcome out,
                         int errnum, uint64_t now_ms)
{
    const struct probe_item *it = &ps->items[s->item];
    if (s->fd >= 0 && s->fd != ps->echo_fd)
        close(s->fd);
    s->active = false;
    ps->inflight--;
    struct probe_event ev = {
        .kind = it->kind, .port = it->port, .round = ps->round + 1, .outcome = out,
        .err = errnum, .elapsed_ms = (uint32_t)(now_ms - s->started_ms),
    };
    if (ps->fn)
        ps->fn(ps->ctx, &ev);
}

static enum probe_outcome probe_outcome_of(int errnum)
{
    if (errnum == 0)
        return PROBE_OK;
    if (errnum == ECONNREFUSED || errnum == ECONNRESET)
        return PROBE_REFUSED;
    if (errnum == EHOSTUNREACH || errnum == ENETUNREACH || errnum == EACCES ||
        errnum == EPERM || errnum == EPROTO || errnum == ENOPROTOOPT)
        return PROBE_UNREACHABLE;
    return PROBE_FAILED;
}

static uint16_t probe_cksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)(p[len - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int probe_send_echo(struct probe_set *ps, struct probe_slot *s)
{
    uint8_t pkt[8 + sizeof PROBE_PAYLOAD - 1];
    if (ps->echo_fd < 0)
        return ps->echo_err ? ps->echo_err : EBADF;
    s->seq = ++ps->echo_seq;
    pkt[0] = probe_is_v6(ps) ? 128 : 8; /* echo request (RFC 4443, RFC 792) */
    pkt[1] = 0;
    pkt[2] = pkt[3] = 0;
    pkt[4] = (uint8_t)(ps->echo_id >> 8);
    pkt[5] = (uint8_t)ps->echo_id;
    pkt[6] = (uint8_t)(s->seq >> 8);
    pkt[7] = (uint8_t)s->seq;
    memcpy(pkt + 8, PROBE_PAYLOAD, sizeof PROBE_PAYLOAD - 1);
    if (!probe_is_v6(ps)) {
        uint16_t c = probe_cksum(pkt, sizeof pkt);
        pkt[2] = (uint8_t)(c >> 8);
        pkt[3] = (uint8_t)c;
    }
    s->fd = ps->echo_fd;
    if (sendto(ps->echo_fd, pkt, sizeof pkt, 0, (const struct sockaddr *)&ps->peer,
               ps->peer_len) < 0)
        return errno;
    return 0;
}

/* Starts item i in slot s. Returns 0 (in flight) or an errno: the probe ended at once
 * (a loopback connect that succeeds at once returns -1: done, and OK). */
static int probe_launch(struct probe_set *ps, struct probe_slot *s, size_t i)
{
    const struct probe_item *it = &ps->items[i];
    s->item = i;
    s->fd = -1;
    if (it->kind == PROBE_ECHO)
        return probe_send_echo(ps, s);
    struct sockaddr_storage to = ps->peer;
    probe_set_port(&to, it->port);
    int type = it->kind == PROBE_TCP ? SOCK_STREAM : SOCK_DGRAM;
    s->fd = socket(to.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return errno;
    if (connect(s->fd, (struct sockaddr *)&to, ps->peer_len) != 0)
        return errno == EINPROGRESS ? 0 : errno;
    if (it->kind == PROBE_TCP)
        return -1;
    if (send(s->fd, PROBE_PAYLOAD, sizeof PROBE_PAYLOAD - 1, 0) < 0)
        return errno;
    return 0;
}

static void probe_read_echo(struct probe_set *ps, uint64_t now_ms)
{
    uint8_t buf[1500];
    for (int k = 0; k < 16; k++) {
        ssize_t n = recv(ps->echo_fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            /* A ping socket reports an ICMP error for its last echo this way. */
            int e = errno;
            for (size_t i = 0; i < PROBE_MAX_INFLIGHT; i++)
                if (ps->slots[i].active && ps->items[ps->slots[i].item].kind == PROBE_ECHO)
                    probe_finish(ps, &ps->slots[i], probe_outcome_of(e), e, now_ms);
            return;
        }
        size_t off = 0, len = (size_t)n;
        if (ps->echo_raw && !probe_is_v6(ps)) {
            if (len < 20)
                continue;
            off = (size_t)(buf[0] & 0x0f) * 4; /* IHL: the IP header precedes the ICMP one */
        }
        if (len < off + 8 || buf[off] != (probe_is_v6(ps) ? 129 : 0))
            continue;
        uint16_t id = (uint16_t)(buf[off + 4] << 8 | buf[off + 5]);
        uint16_t seq = (uint16_t)(buf[off + 6] << 8 | buf[off + 7]);
        if (ps->echo_raw && id != ps->echo_id)
            continue; /* someone else's ping */
        for (size_t i = 0; i < PROBE_MAX_INFLIGHT; i++) {
            struct probe_slot *s = &ps->slots[i];
            if (s->active && ps->items[s->item].kind == PROBE_ECHO && s->seq == seq)
                probe_finish(ps, s, PROBE_OK, 0, now_ms);
        }
    }
}

size_t probe_pollfds(struct probe_set *ps, struct pollfd *fds, size_t max)
{
    size_t n = 0;
    bool echo = false;
    for (size_t i = 0; i < PROBE_MAX_INFLIGHT && n < max; i++) {
        const struct probe_slot *s = &ps->slots[i];
        if (!s->active || s->fd < 0)
            continue;
        if (s->fd == ps->echo_fd) {
            if (echo)
                continue; /* one entry for the shared echo socket */
            echo = true;
        }
        bool tcp = ps->items[s->item].kind == PROBE_TCP;
        fds[n] = (struct pollfd){ .fd = s->fd, .events = tcp ? POLLOUT : POLLIN };
        ps->pollmap[n++] = i;
    }
    ps->npoll = n;
    return n;
}

uint64_t probe_deadline_ms(const struct probe_set *ps)
{
    if (ps->done)
        return UINT64_MAX;
    uint64_t d = ps->next < ps->nitems && ps->inflight < ps->o.max_inflight ? ps->launch_ms
                                                                             : UINT64_MAX;
    for (size_t i = 0; i < PROBE_MAX_INFLIGHT; i++)
        if (ps->slots[i].active && ps->slots[i].deadline_ms < d)
            d = ps->slots[i].deadline_ms;
    return d;
}

bool probe_done(const struct probe_set *ps)
{
    return ps->done;
}

static void probe_event_on(struct probe_set *ps, struct probe_slot *s, short revents,
                           uint64_t now_ms)
{
    int e = 0;
    socklen_t elen = sizeof e;
    uint8_t buf[512];
    switch (ps->items[s->item].kind) {
    case PROBE_TCP:
        if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
            e = errno;
        if (e == 0 && !(revents & POLLOUT))
            return;
        probe_finish(ps, s, probe_outcome_of(e), e, now_ms);
        return;
    case PROBE_UDP:
        if (recv(s->fd, buf, sizeof buf, 0) >= 0)
            probe_finish(ps, s, PROBE_OK, 0, now_ms);
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            probe_finish(ps, s, probe_outcome_of(errno), errno, now_ms);
        return;
    case PROBE_ECHO:
        probe_read_echo(ps, now_ms);
        return;
    }
}

/* A closed UDP port answers with ICMP port unreachable, and hosts limit those: Linux sends a
 * burst of 6 to one peer, then one a second (icmp_ratelimit). Probed faster, a closed port
 * would look filtered. So UDP probes take a token from a bucket that mirrors the limiter with
 * a margin (PROBE_UDP_BURST, one more each PROBE_UDP_REFILL_MS), as nmap slows down when it
 * sees the limit: the rest of a round waits for the next token. */
static bool udp_may_launch(struct probe_set *ps, uint64_t now_ms)
{
    while (ps->udp_tokens < PROBE_UDP_BURST && now_ms >= ps->udp_refill_ms) {
        ps->udp_tokens++;
        ps->udp_refill_ms += PROBE_UDP_REFILL_MS;
    }
    if (ps->udp_tokens >= PROBE_UDP_BURST)
        ps->udp_refill_ms = now_ms + PROBE_UDP_REFILL_MS;
    if (ps->udp_tokens == 0) {
        if (ps->launch_ms < ps->udp_refill_ms)
            ps->launch_ms = ps->udp_refill_ms;
        return false;
    }
    ps->udp_tokens--;
    return true;
}

static void probe_launch_due(struct probe_set *ps, uint64_t now_ms)
{
    while (!ps->done && ps->next < ps->nitems && ps->inflight < ps->o.max_inflight &&
           now_ms >= ps->launch_ms) {
        if (ps->items[ps->next].kind == PROBE_UDP && !udp_may_launch(ps, now_ms))
            break;
        struct probe_slot *s = NULL;
        for (size_t i = 0; s == NULL && i < PROBE_MAX_INFLIGHT; i++)
            s = ps->slots[i].active ? NULL : &ps->slots[i];
        const struct probe_item *it = &ps->items[ps->next];
        uint32_t tmo = it->kind == PROBE_TCP   ? ps->o.tcp_timeout_ms
                       : it->kind == PROBE_UDP ? ps->o.udp_timeout_ms
                                               : ps->o.echo_timeout_ms;
        *s = (struct probe_slot){ .active = true, .started_ms = now_ms,
                                  .deadline_ms = now_ms + tmo };
        ps->inflight++;
        int rc = probe_launch(ps, s, ps->next++);
        if (rc != 0)
            probe_finish(ps, s, rc < 0 ? PROBE_OK : probe_outcome_of(rc), rc < 0 ? 0 : rc,
                         now_ms);
        ps->launch_ms = now_ms + PROBE_SPACING_MS;
    }
    if (!ps->done && ps->next == ps->nitems && ps->inflight == 0) {
        if (++ps->round == ps->o.rounds) {
            ps->done = true;
            return;
        }
        ps->next = 0;
        ps->launch_ms = now_ms + ps->o.gap_ms;
    }
}

void probe_step(struct probe_set *ps, const struct pollfd *fds, size_t nfds, uint64_t now_ms)
{
    for (size_t k = 0; k < nfds && k < ps->npoll; k++) {
        struct probe_slot *s = &ps->slots[ps->pollmap[k]];
        if (fds[k].revents != 0 && s->active && s->fd == fds[k].fd)
            probe_event_on(ps, s, fds[k].revents, now_ms);
    }
    ps->npoll = 0;
    for (size_t i = 0; i < PROBE_MAX_INFLIGHT; i++)
        if (ps->slots[i].active && now_ms >= ps->slots[i].deadline_ms)
            probe_finish(ps, &ps->slots[i], PROBE_TIMEOUT, 0, now_ms);
    probe_launch_due(ps, now_ms);
}
