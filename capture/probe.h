/* capture/probe.h: the active probes of `fwsight test`, toward ONE peer and nothing else: per
 * port and round a non-blocking TCP connect, a UDP request, and an ICMP or ICMPv6 echo request,
 * bounded in number (items x rounds, a cap on those in flight) and in time (a timeout each).
 * No thread and no wait of its own: the caller polls the fds probe_pollfds() lists, with its
 * capture fd, until probe_deadline_ms(), then calls probe_step(). What each probe met is told
 * through a callback for the user to follow; the verdicts come from the capture of the
 * probes, not from here (a refused connect() cannot tell a firewall's forged RST from the
 * host's). Resolving the peer and finding the interface that routes to it are here too. */
#ifndef FW_PROBE_H
#define FW_PROBE_H

#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "frame.h"

enum probe_kind { PROBE_TCP, PROBE_UDP, PROBE_ECHO };

/* What the socket saw (the capture may tell more). */
enum probe_outcome {
    PROBE_OK,          /* connected, UDP answer, echo reply */
    PROBE_REFUSED,     /* TCP RST, ICMP port unreachable */
    PROBE_UNREACHABLE, /* an ICMP error other than port unreachable (admin-prohibited...) */
    PROBE_TIMEOUT,     /* nothing before the timeout */
    PROBE_FAILED,      /* could not even send (no socket, no route...): err says why */
};

struct probe_item {
    enum probe_kind kind;
    uint16_t port; /* 0 for ICMP echo */
};

/* Linux retransmits an unanswered SYN after 1 s and 3 s: 3.5 s shows three SYNs in the
 * capture, enough to tell a drop from a loss, and little enough to test many ports. */
#define PROBE_TCP_TIMEOUT_MS 3500u
#define PROBE_UDP_TIMEOUT_MS 2000u  /* answers come in milliseconds; a drop is a drop */
#define PROBE_ECHO_TIMEOUT_MS 2000u /* the failover monitor waits about as long */
#define PROBE_GAP_MS 500u           /* between rounds */
#define PROBE_MAX_ITEMS 1024u
#define PROBE_MAX_ROUNDS 100u
#define PROBE_MAX_INFLIGHT 32u      /* the peer and the firewall see a handful at once */
#define PROBE_SPACING_MS 10u        /* between two launches: no burst for rate limiters */
#define PROBE_UDP_BURST 4u          /* UDP probes at once, under Linux's burst of 6 errors */
#define PROBE_UDP_REFILL_MS 1100u   /* then one more each: the limiter's 1 s, and a margin */

struct probe_opts {
    uint32_t rounds;          /* 0: 1; at most PROBE_MAX_ROUNDS */
    uint32_t tcp_timeout_ms;  /* 0: the defaults above */
    uint32_t udp_timeout_ms;
    uint32_t echo_timeout_ms;
    uint32_t gap_ms;
    uint32_t max_inflight;    /* 0 or more than PROBE_MAX_INFLIGHT: PROBE_MAX_INFLIGHT */
};

struct probe_event {
    enum probe_kind kind;
    uint16_t port;
    uint32_t round;      /* 1-based */
    enum probe_outcome outcome;
    int err;             /* errno behind REFUSED, UNREACHABLE or FAILED; 0 otherwise */
    uint32_t elapsed_ms;
};
typedef void (*probe_event_fn)(void *ctx, const struct probe_event *ev);

struct probe_set;

/* Copies peer and items. Opens the echo socket at once (a "ping socket" when
 * net.ipv4.ping_group_range allows it, else a raw one, which needs CAP_NET_RAW): call it
 * before giving up privileges. Without one, the echo probes end PROBE_FAILED. NULL with err
 * filled on bad arguments or out of memory. */
struct probe_set *probe_new(const struct sockaddr *peer, socklen_t peer_len,
                            const struct probe_item *items, size_t nitems,
                            const struct probe_opts *o, probe_event_fn fn, void *ctx,
                            char err[FW_ERRLEN]);
void probe_free(struct probe_set *ps); /* closes what is open; NULL does nothing */

/* Writes the fds to wait on (at most max, PROBE_MAX_INFLIGHT + 1 is always enough) and
 * returns how many; probe_step() must get the same array back with its revents. */
size_t probe_pollfds(struct probe_set *ps, struct pollfd *fds, size_t max);
/* When probe_step() must run again at the latest (CLOCK_MONOTONIC ms); UINT64_MAX when done. */
uint64_t probe_deadline_ms(const struct probe_set *ps);
/* Reads the answers, expires timeouts and launches what is due. */
void probe_step(struct probe_set *ps, const struct pollfd *fds, size_t nfds, uint64_t now_ms);
bool probe_done(const struct probe_set *ps);

uint64_t probe_now_ms(void); /* CLOCK_MONOTONIC, the clock of the deadlines */
const char *probe_kind_name(enum probe_kind k);       /* "tcp", "udp", "icmp" */
const char *probe_outcome_name(enum probe_outcome o); /* "connected"... */

/* HOST (a name or an address) as a socket address, port 0. FW_EUSAGE with err if unknown. */
int probe_resolve(const char *host, struct sockaddr_storage *out, socklen_t *out_len,
                  char err[FW_ERRLEN]);
/* The local address the kernel would send from toward peer, and the interface holding it
 * (a connected UDP socket sends nothing). FW_EIO with err when there is no route. */
int probe_route(const struct sockaddr *peer, socklen_t peer_len, struct sockaddr_storage *local,
                char ifname[IF_NAMESIZE], char err[FW_ERRLEN]);

#endif
