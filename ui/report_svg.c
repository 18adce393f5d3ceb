/* ui/report_svg.c: the ladder diagram of one blocked path, as inline SVG for the HTML page
 * (report_html.h): three vertical lanes, the requester, the device that answered (named
 * with the basis and distance the text report gives; "?" where no packet names its address)
 * and the target; time runs down, one row per packet (rows, not a time scale: retransmissions
 * 1, 3 and 7 s apart would leave the page empty between them). Each arrow starts at its sender
 * and ends with a head where it arrived, a cross where it was lost, or a bar where the device
 * refused it. Where an arrow ends is what the captures saw: a capture on the receiver that
 * did not see it means lost; with no capture there, the attempt's fate (answered, refused,
 * silent) and the verdict decide. The margin gives the time from the first packet and the
 * frame numbers in each capture. Only geometry and words here: finding the packets is
 * cmd_analyze_html.c's. Coordinates are integers, so the same input gives the same bytes. */
#include <inttypes.h>
#include <string.h>

#include "report_html.h"

enum { SVG_W = 780, SVG_TOP = 74, SVG_ROW = 36, SVG_SLANT = 12 };
static const int lane_x[3] = { 250, 480, 710 }; /* requester, device, target; margin left */

enum svg_end { SVG_REACHED, SVG_LOST, SVG_REFUSED };

static bool svg_cap_at(const struct html_input *in, int k, const struct fw_addr *a)
{
    return in->cp[k] != NULL && in->cp[k]->known && verdict_capture_point_is(in->cp[k], a);
}

static bool svg_forged(const struct verdict_item *it, const struct html_pkt *p)
{
    return p->role == HTML_PKT_ANSWER && (p->tcp_flags & TH_RST) != 0 &&
           it->v.kind == VERDICT_REJECTED &&
           (it->counts.forged_rst > 0 || it->counts.by_outcome[VO_RST_FORGED] > 0);
}

/* The lane a packet comes from: 0 requester, 1 device, 2 target. */
static int svg_from_lane(const struct verdict_item *it, const struct html_pkt *p)
{
    if (p->role == HTML_PKT_REQUEST)
        return 0;
    if (p->role == HTML_PKT_ANSWER)
        return svg_forged(it, p) ? 1 : 2;
    return fw_addr_eq(&p->src, &it->to) ? 2 : fw_addr_eq(&p->src, &it->from) ? 0 : 1;
}

/* What happened to the other packets of p's attempt: refused by the device, or answered. */
static void svg_attempt(const struct html_ladder *l, const struct html_pkt *p, bool *refused,
                        bool *answered)
{
    *refused = *answered = false;
    for (size_t i = 0; i < l->npkts; i++) {
        const struct html_pkt *q = &l->pkts[i];
        if (q->attempt != p->attempt || q->role == HTML_PKT_REQUEST)
            continue;
        if (svg_from_lane(l->it, q) == 1)
            *refused = true;
        else
            *answered = true;
    }
}

static enum svg_end svg_end_of(const struct html_input *in, const struct html_ladder *l,
                               const struct html_pkt *p)
{
    const struct verdict_item *it = l->it;
    const struct fw_addr *dest = p->role == HTML_PKT_REQUEST ? &it->to : &it->from;
    bool dest_captured = false, refused = false, answered = false;
    for (int k = 0; k < in->ncap; k++) {
        if (!svg_cap_at(in, k, dest))
            continue;
        if (p->frame[k] != 0)
            return SVG_REACHED; /* the receiver's capture saw it arrive */
        dest_captured = true;
    }
    if (p->role == HTML_PKT_REQUEST)
        svg_attempt(l, p, &refused, &answered);
    if (refused)
        return SVG_REFUSED;     /* the device answered for the target */
    if (dest_captured)
        return SVG_LOST;        /* captured there, and never seen there */
    if (p->role != HTML_PKT_REQUEST)
        return p->role == HTML_PKT_ANSWER && it->v.kind == VERDICT_REPLY_DROPPED ? SVG_LOST
                                                                                 : SVG_REACHED;
    return answered ? SVG_REACHED : SVG_LOST;
}

static const char *svg_icmp_text(uint8_t family, uint8_t type, uint8_t code)
{
    if (family == 6 && type == 1) {
        static const char *const v6[] = { "no route", "admin-prohibited", "beyond scope",
                                          "address unreachable", "port unreachable",
                                          "source address failed policy", "reject route" };
        return code < 7 ? v6[code] : "unreachable";
    }
    if (family == 4 && type == 3) {
        switch (code) {
        case 0: return "net unreachable";
        case 1: return "host unreachable";
        case 3: return "port unreachable";
        case 4: return "fragmentation needed";
        case 9: return "net prohibited";
        case 10: return "host prohibited";
        case 13: return "admin-prohibited";
        default: return "unreachable";
        }
    }
    if ((family == 4 && type == 11) || (family == 6 && type == 3))
        return "time exceeded";
    return family == 6 && type == 2 ? "packet too big" : "error";
}

static void svg_flags(FILE *out, uint8_t f)
{
    static const struct { uint8_t bit; const char *name; } names[] = {
        { TH_SYN, "SYN" }, { TH_RST, "RST" }, { TH_FIN, "FIN" }, { TH_PUSH, "PSH" },
        { TH_ACK, "ACK" },
    };
    bool any = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (f & names[i].bit) {
            fprintf(out, "%s%s", any ? "-" : "", names[i].name);
            any = true;
        }
    if (!any)
        fputs("(no flags)", out);
}

/* The words over an arrow: what the packet is. */
static void svg_what(FILE *out, const struct verdict_item *it, const struct html_pkt *p)
{
    char a[FW_ADDRSTRLEN];
    if (p->role == HTML_PKT_ERROR) {
        fprintf(out, "ICMP%s %u/%u %s from ", it->to.family == 6 ? "v6" : "",
                (unsigned)p->icmp_type, (unsigned)p->icmp_code,
                svg_icmp_text(it->to.family, p->icmp_type, p->icmp_code));
        report_html_text(out, fw_addr_format(&p->src, a, sizeof a));
    } else if (svg_forged(it, p)) {
        svg_flags(out, p->tcp_flags);
        fputs(" in the name of ", out);
        report_html_text(out, fw_addr_format(&it->to, a, sizeof a));
    } else if (it->proto == 6) {
        svg_flags(out, p->tcp_flags);
    } else if (it->proto == 17) {
        fprintf(out, "UDP %s, %" PRIu32 " bytes",
                p->role == HTML_PKT_REQUEST ? "request" : "answer", p->len);
    } else {
        fprintf(out, "echo %s, seq %u", p->role == HTML_PKT_REQUEST ? "request" : "reply",
                (unsigned)p->echo_seq);
    }
    if (p->again)
        fputs(" (again)", out);
}

static void svg_lane_title(FILE *out, int x, const char *role, const struct fw_addr *a,
                           const char *note)
{
    char b[FW_ADDRSTRLEN];
    fprintf(out, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">", x);
    if (a != NULL)
        report_html_text(out, fw_addr_format(a, b, sizeof b));
    else
        fputs("?", out);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"34\" text-anchor=\"middle\">", x);
    report_html_text(out, role);
    fputs("</text>\n", out);
    if (note[0]) {
        fprintf(out, "<text x=\"%d\" y=\"50\" text-anchor=\"middle\" fill=\"#555\">", x);
        report_html_text(out, note);
        fputs("</text>\n", out);
    }
}

/* The device's lane, in the text report's words: its address if a packet names it, the basis
 * of that (verdict_basis_name) and how far it sat (verdict_answered_distance); where nothing
 * answered, a firewall between them, as "Change to make" says. Grouped (class "device") for
 * the page's readers and tests. */
static void svg_device_lane(FILE *out, const struct verdict_item *it)
{
    const struct fw_addr *by = &it->v.answered_by;
    bool named = by->family != 0 && !fw_addr_eq(by, &it->from) && !fw_addr_eq(by, &it->to);
    const char *basis = verdict_basis_name(it->v.basis);
    const char *who = named ? (it->v.kind == VERDICT_UNREACHABLE ? "router" : "firewall")
                      : basis != NULL ? "unnamed device" : "a firewall between them";
    char role[80], far[96];
    snprintf(role, sizeof role, basis != NULL ? "%s (%s)" : "%s", who, basis);
    verdict_answered_distance(it, far, sizeof far);
    fputs("<g class=\"device\">\n", out);
    svg_lane_title(out, lane_x[1], role, named ? by : NULL, far);
    fputs("</g>\n", out);
}

static void svg_lanes(FILE *out, const struct html_input *in, const struct html_ladder *l,
                      int height)
{
    const struct verdict_item *it = l->it;
    const char *notes[2] = { "", "" };
    static const char *const here[] = { "capture 1 taken here", "capture 2 taken here",
                                        "captures 1 and 2 here" };
    for (int side = 0; side < 2; side++) {
        int which = -1;
        for (int k = 0; k < in->ncap; k++)
            if (svg_cap_at(in, k, side == 0 ? &it->from : &it->to))
                which = which < 0 ? k : 2;
        if (which >= 0)
            notes[side] = in->ncap == 1 ? "the capture was taken here" : here[which];
    }
    svg_lane_title(out, lane_x[0], "requester", &it->from, notes[0]);
    svg_device_lane(out, it);
    svg_lane_title(out, lane_x[2], "target", &it->to, notes[1]);
    /* A capture on the path is at no lane: said in the margin, under its heading. */
    for (int k = 0; k < in->ncap; k++)
        if (in->cp[k] != NULL && in->cp[k]->in_path)
            fprintf(out, "<text x=\"8\" y=\"%d\" fill=\"#555\">%s in-path</text>\n",
                    50 + 14 * k, in->ncap == 1 ? "capture" : k == 0 ? "capture 1" : "capture 2");
    for (int i = 0; i < 3; i++)
        fprintf(out, "<line x1=\"%d\" y1=\"58\" x2=\"%d\" y2=\"%d\" stroke=\"#444\" "
                     "stroke-width=\"%d\"%s/>\n", lane_x[i], lane_x[i], height - 30,
                i == 1 ? 1 : 2, i == 1 ? " stroke-dasharray=\"4 3\"" : "");
}

/* The arrow from (x1, y1) to (x2, y2), with its end drawn as what became of the packet. */
static void svg_arrow(FILE *out, int x1, int y1, int x2, int y2, enum svg_end end,
                      const char *colour)
{
    int dir = x2 > x1 ? 1 : -1;
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                 "stroke-width=\"2\"%s/>\n", x1, y1, x2, y2, colour,
            end == SVG_LOST ? " stroke-dasharray=\"6 3\"" : "");
    if (end == SVG_REACHED)
        fprintf(out, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", x2, y2,
                x2 - dir * 11, y2 - 6, x2 - dir * 9, y2 + 4, colour);
    else if (end == SVG_LOST)
        fprintf(out, "<path d=\"M%d %dL%d %dM%d %dL%d %d\" stroke=\"#b00020\" "
                     "stroke-width=\"3\"/>\n", x2 - 6, y2 - 6, x2 + 6, y2 + 6, x2 - 6, y2 + 6,
                x2 + 6, y2 - 6);
    else
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#b00020\" "
                     "stroke-width=\"4\"/>\n", x2, y2 - 9, x2, y2 + 9);
}

/* The left margin: time from the first packet, and the frame in each capture. */
static void svg_margin(FILE *out, const struct html_input *in, const struct html_pkt *p,
                       uint64_t t0, int y)
{
    uint64_t dt = p->ts_us >= t0 ? p->ts_us - t0 : 0;
    fprintf(out, "<text x=\"8\" y=\"%d\" class=\"mono\">+%" PRIu64 ".%06" PRIu64 " s", y,
            dt / 1000000u, dt % 1000000u);
    if (in->ncap == 1) {
        fprintf(out, "  #%" PRIu64 "</text>\n", p->frame[0]);
        return;
    }
    for (int k = 0; k < 2; k++) {
        if (p->frame[k] != 0)
            fprintf(out, "  %d:#%" PRIu64, k + 1, p->frame[k]);
        else
            fprintf(out, "  %d:&#8212;", k + 1);
    }
    fputs("</text>\n", out);
}

void report_svg_ladder(FILE *out, const struct html_input *in, const struct html_ladder *l)
{
    const struct verdict_item *it = l->it;
    size_t rows = l->npkts > 0 ? l->npkts : 1;
    int height = SVG_TOP + (int)rows * SVG_ROW + 40;
    char a[FW_ADDRSTRLEN], b[FW_ADDRSTRLEN];
    fprintf(out, "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                 "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\" "
                 "font-size=\"12\">\n<title>Packets from ", SVG_W, height, SVG_W, height);
    report_html_text(out, fw_addr_format(&it->from, a, sizeof a));
    fputs(" to ", out);
    report_html_text(out, fw_addr_format(&it->to, b, sizeof b));
    if (it->proto == VERDICT_PROTO_ECHO)
        fputs(", icmp echo", out);
    else
        fprintf(out, ", %s %u", verdict_proto_name(it->proto), (unsigned)it->port);
    fprintf(out, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fcfcfc\"/>\n", SVG_W,
            height);
    svg_lanes(out, in, l, height);
    fputs("<text x=\"8\" y=\"34\" fill=\"#555\">time, frame</text>\n", out);
    if (l->npkts == 0)
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">no packet of "
                     "this path found again in the capture</text>\n", lane_x[1], SVG_TOP + 14);
    uint64_t t0 = l->npkts > 0 ? l->pkts[0].ts_us : 0;
    for (size_t i = 0; i < l->npkts; i++) {
        const struct html_pkt *p = &l->pkts[i];
        int y = SVG_TOP + (int)i * SVG_ROW + 14;
        int from = svg_from_lane(it, p);
        int to = p->role == HTML_PKT_REQUEST ? 2 : 0;
        enum svg_end end = svg_end_of(in, l, p);
        int x2 = end == SVG_REACHED ? lane_x[to] : lane_x[1];
        if (from == 1 && end != SVG_REACHED) /* the device's own packet lost: half way */
            x2 = (lane_x[1] + lane_x[to]) / 2;
        const char *colour = p->role == HTML_PKT_REQUEST ? "#1f4e9c"
                             : from == 1                 ? "#b00020" : "#0a6b2f";
        svg_margin(out, in, p, t0, y + 4);
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">",
                (lane_x[from] + x2) / 2 + (from == 1 && to == 0 ? -10 : 0), y - 4, colour);
        svg_what(out, it, p);
        fputs("</text>\n", out);
        svg_arrow(out, lane_x[from], y, x2, y + SVG_SLANT, end, colour);
    }
    /* About 110 characters at most: the width holds them. */
    fprintf(out, "<text x=\"8\" y=\"%d\" fill=\"#555\">head: arrived; cross: lost (not seen "
                 "where due); bar: refused by the device; %s</text>\n</svg>\n", height - 10,
            in->ncap == 1 ? "frames of the capture"
                          : "frames of capture 1, 2 (&#8212;: not in it)");
}
