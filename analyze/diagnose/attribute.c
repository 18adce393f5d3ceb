/* analyze/diagnose/attribute.c: who sent a refusal that met an attempt on the way, read from
 * one capture's packets only (no probe). An ICMP error names its sender by its source address.
 * A RST forged in the host's name hides its maker; the capture still tells: its TTL gives the
 * routers between the maker and the capture point (against the usual initial TTLs 64, 128,
 * 255); with none between, the frame's Ethernet source is the maker's own MAC, and the ARP or
 * NDP exchanges of the same capture name its address; farther away, a router that sent ICMP
 * errors from the same distance is probably the one. What remains unnamed is said as a
 * distance, never as "nobody". Whether the RST was forged is evidence.c's; the verdict's
 * words are the explanations'. */
#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#include "../path_clues.h"

bool diag_rst_other_mac(const struct evidence *e, const struct verdict_attempt *rst)
{
    const struct verdict_host *h = e->to_host;
    /* The host's packets at full TTL from one MAC: it is on the capture's link (or the
     * capture is its own), and its own RSTs leave from that MAC too. */
    return rst != NULL && rst->ans_has_mac && h != NULL && h->has_mac && !h->mac_mixed &&
           !h->forwarded && verdict_hops(h->ttl_max) == 0 && verdict_hops(h->ttl_min) == 0 &&
           memcmp(h->mac, rst->ans_mac, sizeof h->mac) != 0;
}

static const struct path_clues *clues_of(const struct evidence *e, const struct verdict_attempt *a)
{
    return e->clues[a->vantage == 1 ? 1 : 0];
}

void diag_attribute(const struct evidence *e, const struct verdict_attempt *a,
                    struct attribution *out)
{
    memset(out, 0, sizeof *out);
    out->routers = -1;
    if (e->combined)
        out->near = e->cell->from; /* the attempt and its refusal are the requester's view */
    switch (a->outcome) {
    case VO_ICMP_PORT:
    case VO_ICMP_PROHIB:
    case VO_ICMP_OTHER:
    case VO_ICMP_UNREACH:
        out->by = a->icmp_from;
        out->basis = out->by.family != 0 ? BASIS_ICMP_SOURCE : BASIS_NONE;
        return;
    case VO_RESET_ON_PATH:
        if (e->combined)
            return; /* its TTL is the far capture's (correlate.c): no distance from here */
        break;
    case VO_RST:
    case VO_RST_FORGED:
        break;
    default:
        return;
    }
    const struct path_clues *pc = clues_of(e, a);
    unsigned hops = verdict_hops(a->ans_ttl);
    out->routers = (int8_t)(hops > 127 ? 127 : hops);
    out->basis = BASIS_TTL;
    if (hops == 0 && a->ans_has_mac) {
        out->has_mac = true;
        memcpy(out->mac, a->ans_mac, sizeof out->mac);
        struct fw_addr by;
        if (pc != NULL && path_clues_addr_of(pc, a->ans_mac, e->cell->to.family, &by) &&
            !fw_addr_eq(&by, &e->cell->to) && !fw_addr_eq(&by, &e->cell->from)) {
            out->by = by;
            out->basis = BASIS_LINK_LAYER;
        }
    } else if (hops > 0 && pc != NULL &&
               path_clues_sender_at(pc, e->cell->to.family, hops, &out->by)) {
        out->basis = BASIS_TTL_ICMP;
    }
}

static const char *mac_text(const uint8_t m[6], char *buf, size_t len)
{
    snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

const char *diag_device_text(const struct attribution *at, char *buf, size_t len)
{
    char a[FW_ADDRSTRLEN], m[18], where[FW_ADDRSTRLEN + 8] = "the capture point";
    fw_addr_format(&at->by, a, sizeof a);
    if (at->near.family != 0)
        fw_addr_format(&at->near, where, sizeof where);
    int r = at->routers;
    switch (at->basis) {
    case BASIS_ICMP_SOURCE:
        snprintf(buf, len, "the device at %s", a);
        break;
    case BASIS_LINK_LAYER:
        snprintf(buf, len, "the router %s, adjacent to %s (MAC %s)", a, where,
                 mac_text(at->mac, m, sizeof m));
        break;
    case BASIS_TTL_ICMP:
        snprintf(buf, len, "a device %d router%s from %s, probably %s (it sent ICMP errors from "
                 "that distance)", r, r == 1 ? "" : "s", where, a);
        break;
    case BASIS_TTL:
        if (r == 0 && at->has_mac)
            snprintf(buf, len, "a device adjacent to %s (MAC %s, which no ARP or NDP exchange in "
                     "the capture names)", where, mac_text(at->mac, m, sizeof m));
        else if (r == 0)
            snprintf(buf, len, "a device adjacent to %s", where);
        else
            snprintf(buf, len, "a device %d router%s from %s (no address in the capture is "
                     "known at that distance)", r, r == 1 ? "" : "s", where);
        break;
    default:
        snprintf(buf, len, "an unknown device");
    }
    return buf;
}

const char *verdict_answered_distance(const struct verdict_item *it, char *buf, size_t len)
{
    char where[FW_ADDRSTRLEN + 8] = "the capture point";
    const struct verdict *v = &it->v;
    if (v->routers_from_requester)
        fw_addr_format(&it->from, where, sizeof where);
    if (v->routers == 0)
        snprintf(buf, len, "adjacent to %s", where);
    else if (v->routers > 0)
        snprintf(buf, len, "%d router%s from %s", v->routers, v->routers == 1 ? "" : "s", where);
    else if (len > 0)
        buf[0] = '\0';
    return buf;
}

const char *verdict_answered_text(const struct verdict_item *it, char *buf, size_t len)
{
    char a[FW_ADDRSTRLEN], far[96] = ", ";
    const struct verdict *v = &it->v;
    const char *basis = verdict_basis_name(v->basis);
    if (verdict_answered_distance(it, far + 2, sizeof far - 2)[0] == '\0')
        far[0] = '\0';
    if (v->answered_by.family != 0 && basis != NULL)
        snprintf(buf, len, "%s (%s%s)", fw_addr_format(&v->answered_by, a, sizeof a), basis,
                 far);
    else if (v->answered_by.family != 0)
        snprintf(buf, len, "%s", fw_addr_format(&v->answered_by, a, sizeof a));
    else if (basis != NULL)
        snprintf(buf, len, "an unnamed device (%s%s)", basis, far);
    else
        snprintf(buf, len, "nobody");
    return buf;
}
