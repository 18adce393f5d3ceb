/* analyze/addr.h: an IPv4 or IPv6 address as the analysis keeps it, compared and printed.
 * Formatting follows the usual text forms (RFC 5952 for IPv6: compressed, lower case). */
#ifndef FW_ADDR_H
#define FW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_ADDRSTRLEN 46 /* INET6_ADDRSTRLEN */

struct fw_addr {
    uint8_t family; /* 0 (none), 4 or 6 */
    uint8_t b[16];  /* IPv4 in b[0..3], the rest zero: so memcmp compares whole addresses */
};

bool fw_addr_eq(const struct fw_addr *x, const struct fw_addr *y);
int fw_addr_cmp(const struct fw_addr *x, const struct fw_addr *y); /* total order */
void fw_addr_set4(struct fw_addr *a, const uint8_t b[4]);
void fw_addr_set6(struct fw_addr *a, const uint8_t b[16]);
/* Parses "198.51.100.10" or "2001:db8::1"; false if neither. */
bool fw_addr_parse(struct fw_addr *a, const char *text);
/* Writes the text form into buf (at least FW_ADDRSTRLEN bytes); returns buf. "-" if none. */
const char *fw_addr_format(const struct fw_addr *a, char *buf, size_t len);

#endif
