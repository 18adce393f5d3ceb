/* app/listen_serve.h: the responder's sockets for `fwsight listen`: listening sockets on single
 * ports, accepted connections (read and discarded, never answered; closed when idle, held too
 * long or sending too much; capped per peer and in total), UDP answers never longer than the
 * request, one log line on stdout per connection or datagram, the poll() loop that runs
 * them until a deadline or a signal, and at the end the ports nothing reached. Choosing the
 * ports and parsing the options are cmd_listen.c's. */
#ifndef FW_LISTEN_SERVE_H
#define FW_LISTEN_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* Where to listen: an address with port 0; dual is :: with IPV6_V6ONLY off (IPv4 too). */
struct listen_bind {
    struct sockaddr_storage addr;
    socklen_t len;
    bool dual;
};

struct listen_serve;

/* At most max_conns accepted connections at once. NULL when out of memory. */
struct listen_serve *listen_serve_new(size_t max_conns);
void listen_serve_free(struct listen_serve *r); /* closes every socket; NULL does nothing */

/* Listens on proto (IPPROTO_TCP or IPPROTO_UDP) and port. A port in use or refused is reported
 * on stderr and skipped (returns 0), so one busy port does not stop the others; -1 when no
 * more sockets can be added. A port already open is not opened twice. */
int listen_serve_open(struct listen_serve *r, const struct listen_bind *b, int proto,
                      uint16_t port);
size_t listen_serve_count(const struct listen_serve *r);
void listen_serve_print_ports(const struct listen_serve *r, FILE *out); /* " tcp:6320..." */

/* Serves until duration_ms has passed or a signal is read from sigfd (a signalfd), then
 * prints the summary, and the ports that never received anything (listen_serve_print_
 * unreached). 0, or -1 if poll() failed. */
int listen_serve_run(struct listen_serve *r, int sigfd, uint64_t duration_ms);

/* "fwsight listen: never received anything: tcp:135-139,443; udp:6325-6326" (or "every
 * port received something"): the listening ports no connection and no datagram reached. */
void listen_serve_print_unreached(const struct listen_serve *r, FILE *out);

/* Writes the n ports (ascending, no repeats) as "135-139,443,6320" into buf; a list too long
 * for len ends at the last whole range that fits. Returns the length written. */
size_t listen_port_list(const uint16_t *ports, size_t n, char *buf, size_t len);

/* "198.51.100.10" or "2001:db8::1"; an IPv4-mapped address shows as IPv4. NULL on error. */
const char *listen_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
