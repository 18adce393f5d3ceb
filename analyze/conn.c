/* analyze/conn.c: names of conn_state and conn_end codes, protocol names and Zeek-style uids
 * for conn_record. Filling records is left to flow_track.c, writing them to ui/. */
#include "conn.h"

#include <stdio.h>

#define CONN_NAME(name, text) text,
static const char *const STATE_NAMES[] = { CONN_STATES(CONN_NAME) };
static const char *const END_NAMES[] = { CONN_ENDS(CONN_NAME) };
#undef CONN_NAME

const char *conn_state_name(enum conn_state s)
{
    return (unsigned)s < CONN_STATE_COUNT ? STATE_NAMES[s] : "?";
}

const char *conn_end_name(enum conn_end e)
{
    return (unsigned)e < CONN_END_COUNT ? END_NAMES[e] : "?";
}

const char *conn_proto_name(uint8_t ip_proto)
{
    switch (ip_proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1:
    case 58: return "icmp"; /* Zeek logs ICMPv6 as icmp too */
    default: return "unknown_transport";
    }
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h;
}

/* Zeek's uids are random; ours are a fixed mix of (seq, vantage) so that a capture gives
 * the same uids on every run, and two captures of one test do not share them. */
const char *conn_uid(const struct conn_record *r, char *buf, size_t len)
{
    static const char digits[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (len == 0)
        return buf;
    uint64_t hi = mix64(r->seq * 2 + (uint64_t)(r->vantage & 1) + 0x243f6a8885a308d3ULL);
    uint64_t lo = mix64(hi ^ 0x13198a2e03707344ULL);
    char tmp[19];
    tmp[0] = 'C';
    for (int i = 1; i <= 17; i++) {
        uint64_t *w = i <= 9 ? &hi : &lo;
        tmp[i] = digits[*w % 62];
        *w /= 62;
    }
    tmp[18] = '\0';
    snprintf(buf, len, "%s", tmp);
    return buf;
}
