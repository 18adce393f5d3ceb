/* analyze/locate.c: reads one series of TTL-limited probes of a blocked port (capture/
 * locate.c sends them, as Paris traceroute does: one flow, rising TTL). Routers answer a probe
 * whose TTL runs out with ICMP time exceeded, so the last hop that does so is the last one the
 * probes certainly got past; the TTL after it is where they die, or where the refusal (a reset,
 * an ICMP error) starts coming back. Silence at every TTL is no location at all: time exceeded
 * may be filtered, and the finding says so instead of guessing. Pure: no I/O, no clock. */
#include "locate.h"

#include <stdio.h>
#include <string.h>

#define LOCATE_NAME(name, text) text,
static const char *const how_names[] = { LOCATE_HOWS(LOCATE_NAME) };
#undef LOCATE_NAME

const char *locate_how_name(enum locate_how h)
{
    return (unsigned)h < LOCATE_HOW_COUNT ? how_names[h] : "?";
}

static void hop_addr(const struct locate_hop *h, struct fw_addr *a)
{
    memset(a, 0, sizeof *a);
    if (h->family == 4)
        fw_addr_set4(a, h->addr);
    else if (h->family == 6)
        fw_addr_set6(a, h->addr);
}

/* RFC 792 / RFC 1812 codes 9, 10, 13 (administratively prohibited); ICMPv6 (RFC 4443) type 1
 * codes 1 (administratively prohibited), 5 (failed ingress/egress policy), 6 (reject route). */
static bool is_prohibited(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == 6)
        return type == 1 && (code == 1 || code == 5 || code == 6);
    return type == 3 && (code == 9 || code == 10 || code == 13);
}

void locate_interpret(const struct locate_hop *hops, size_t n, struct locate_finding *out)
{
    memset(out, 0, sizeof *out);
    out->how = LOCATE_HOW_UNMEASURED;
    if (n == 0) {
        out->why = LOCATE_NO_HOPS;
        return;
    }
    size_t term = n; /* first hop with an answer other than time exceeded */
    uint8_t silent = 0;
    for (size_t i = 0; i < n; i++) {
        const struct locate_hop *h = &hops[i];
        out->last_ttl = h->ttl;
        if (h->answer == LOCATE_FAILED) {
            out->why = LOCATE_SEND_FAILED;
            out->err = h->err;
            return;
        }
        if (h->answer == LOCATE_TIME_EXCEEDED) {
            out->last_hop_ttl = h->ttl;
            hop_addr(h, &out->last_hop);
            out->silent_before = silent;
        } else if (h->answer == LOCATE_SILENT) {
            silent++;
        } else {
            term = i;
            break;
        }
    }
    out->blocked_after_hop = out->last_hop_ttl;
    if (term < n) {
        const struct locate_hop *t = &hops[term];
        out->first_ttl = t->ttl;
        hop_addr(t, &out->answered_by);
        out->icmp_type = t->icmp_type;
        out->icmp_code = t->icmp_code;
        switch (t->answer) {
        case LOCATE_RESET: out->how = LOCATE_HOW_RESET; break;
        case LOCATE_REPLY: out->how = LOCATE_HOW_REACHED; break;
        default:
            out->how = is_prohibited(t->family, t->icmp_type, t->icmp_code)
                           ? LOCATE_HOW_PROHIBITED : LOCATE_HOW_UNREACH;
            break;
        }
        return;
    }
    /* Nothing but time exceeded and silence: the probes die after the last hop that answered,
     * if any did. */
    if (out->last_hop_ttl == 0) {
        out->why = LOCATE_NO_TIME_EXCEEDED;
        return;
    }
    out->how = LOCATE_HOW_SILENT;
    out->first_ttl = (uint8_t)(out->last_hop_ttl + 1);
    if (out->first_ttl > out->last_ttl) {
        /* the last TTL probed still answered time exceeded: the series ran out of hops */
        out->how = LOCATE_HOW_UNMEASURED;
        out->why = LOCATE_NO_HOPS;
    }
}

static const char *prohibited_words(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == 6) {
        if (type == 1 && code == 1)
            return "ICMPv6 administratively prohibited";
        if (type == 1 && code == 4)
            return "ICMPv6 port unreachable";
        if (type == 1)
            return "ICMPv6 destination unreachable";
        return "an ICMPv6 error";
    }
    if (type == 3 && (code == 9 || code == 10 || code == 13))
        return "ICMP admin-prohibited";
    if (type == 3 && code == 3)
        return "ICMP port unreachable";
    if (type == 3)
        return "ICMP destination unreachable";
    return "an ICMP error";
}

int locate_describe(const struct locate_finding *f, const struct fw_addr *peer, char *buf,
                    size_t len)
{
    char last[FW_ADDRSTRLEN], by[FW_ADDRSTRLEN], pr[FW_ADDRSTRLEN], between[96];
    fw_addr_format(&f->last_hop, last, sizeof last);
    fw_addr_format(&f->answered_by, by, sizeof by);
    fw_addr_format(peer, pr, sizeof pr);
    if (f->how == LOCATE_HOW_UNMEASURED) {
        switch (f->why) {
        case LOCATE_NO_TIME_EXCEEDED:
            return snprintf(buf, len, "not located: no hop answered ICMP time exceeded (TTL 1 "
                            "to %u): the routers on the way do not send it, or a firewall "
                            "filters it", f->last_ttl);
        case LOCATE_SEND_FAILED:
            return snprintf(buf, len, "not located: a probe could not be sent (%s)",
                            f->err != 0 ? strerror(f->err) : "error");
        default:
            return snprintf(buf, len, "not located: hop %u (%s) still answered time "
                            "exceeded at the last TTL probed", f->last_hop_ttl, last);
        }
    }
    if (f->last_hop_ttl > 0)
        snprintf(between, sizeof between, "blocked between hop %u (%s) and hop %u",
                 f->last_hop_ttl, last, f->first_ttl);
    else
        snprintf(between, sizeof between, "blocked at hop %u, before any hop answered "
                 "time exceeded", f->first_ttl);
    switch (f->how) {
    case LOCATE_HOW_SILENT:
        return snprintf(buf, len, "%s: probes with TTL %u to %u get no answer", between,
                        f->first_ttl, f->last_ttl);
    case LOCATE_HOW_RESET:
        return snprintf(buf, len, "%s: from TTL %u on, a TCP reset comes back in %s's name",
                        between, f->first_ttl, pr);
    case LOCATE_HOW_PROHIBITED:
    case LOCATE_HOW_UNREACH:
        return snprintf(buf, len, "%s: from TTL %u on, %s comes back from %s", between,
                        f->first_ttl,
                        prohibited_words(f->answered_by.family, f->icmp_type, f->icmp_code),
                        by);
    case LOCATE_HOW_REACHED:
        return snprintf(buf, len, "not blocked for TTL-limited probes: %s answered at TTL %u "
                        "(the block may be intermittent, or only on the way back)", by,
                        f->first_ttl);
    default:
        return snprintf(buf, len, "?");
    }
}
