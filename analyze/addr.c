/* analyze/addr.c: address comparison and text forms; inet_pton/ntop do the RFC work. */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

bool fw_addr_eq(const struct fw_addr *x, const struct fw_addr *y)
{
    return x->family == y->family && memcmp(x->b, y->b, sizeof x->b) == 0;
}

int fw_addr_cmp(const struct fw_addr *x, const struct fw_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->b, y->b, sizeof x->b);
}

void fw_addr_set4(struct fw_addr *a, const uint8_t b[4])
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    memcpy(a->b, b, 4);
}

void fw_addr_set6(struct fw_addr *a, const uint8_t b[16])
{
    a->family = 6;
    memcpy(a->b, b, 16);
}

bool fw_addr_parse(struct fw_addr *a, const char *text)
{
    uint8_t b[16];
    if (inet_pton(AF_INET, text, b) == 1) {
        fw_addr_set4(a, b);
        return true;
    }
    if (inet_pton(AF_INET6, text, b) == 1) {
        fw_addr_set6(a, b);
        return true;
    }
    return false;
}

const char *fw_addr_format(const struct fw_addr *a, char *buf, size_t len)
{
    int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : 0;
    if (af == 0 || inet_ntop(af, a->b, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "-");
    return buf;
}
