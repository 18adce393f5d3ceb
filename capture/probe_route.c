/* capture/probe_route.c: which address HOST is, and which local address and interface the
 * kernel would use toward it (see probe.h): what `fwsight test` captures on and calls the
 * capture point. Nothing is sent: a UDP connect() only asks the routing table. */
#include "probe.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int probe_resolve(const char *host, struct sockaddr_storage *out, socklen_t *out_len,
                  char err[FW_ERRLEN])
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL || res->ai_addrlen > sizeof *out) {
        snprintf(err, FW_ERRLEN, "%s: %s", host, rc ? gai_strerror(rc) : "no address");
        if (res)
            freeaddrinfo(res);
        return FW_EUSAGE;
    }
    memset(out, 0, sizeof *out);
    memcpy(out, res->ai_addr, res->ai_addrlen); /* the first address only: one peer */
    *out_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static bool probe_same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
    if (a == NULL || a->sa_family != b->ss_family)
        return false;
    if (a->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

int probe_route(const struct sockaddr *peer, socklen_t peer_len, struct sockaddr_storage *local,
                char ifname[IF_NAMESIZE], char err[FW_ERRLEN])
{
    struct sockaddr_storage to;
    struct ifaddrs *ifs = NULL;
    socklen_t len = sizeof *local;
    const char *what = "socket";
    memset(&to, 0, sizeof to);
    memcpy(&to, peer, peer_len);
    /* any port: connect() on UDP only picks the route */
    if (to.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&to)->sin6_port = htons(9);
    else
        ((struct sockaddr_in *)&to)->sin_port = htons(9);
    int fd = socket(peer->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    what = "no route to it";
    if (connect(fd, (struct sockaddr *)&to, peer_len) != 0 ||
        getsockname(fd, (struct sockaddr *)local, &len) != 0)
        goto fail;
    what = "getifaddrs";
    if (getifaddrs(&ifs) != 0)
        goto fail;
    for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
        if (probe_same_addr(i->ifa_addr, local)) {
            snprintf(ifname, IF_NAMESIZE, "%s", i->ifa_name);
            freeifaddrs(ifs);
            close(fd);
            return 0;
        }
    }
    errno = ENODEV;
    what = "no interface holds the local address";

fail:
    snprintf(err, FW_ERRLEN, "%s: %s", what, strerror(errno));
    if (ifs)
        freeifaddrs(ifs);
    if (fd >= 0)
        close(fd);
    return FW_EIO;
}
