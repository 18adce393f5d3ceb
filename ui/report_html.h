/* ui/report_html.h: the HTML page of `fwsight analyze --html FILE`: one self-contained file
 * (inline CSS and SVG, no script, no external reference) for a ticket: the change to make,
 * the matrix of verdicts, and per blocked path a ladder diagram of the packets that prove it,
 * with its evidence and advice. report_html.c writes the page, report_svg.c the ladders.
 * Both only read what they are given: the settled verdicts and, per blocked path, the packets
 * that the command found for it in the captures (cmd_analyze_html.c reads them again; a view
 * never opens a capture). Everything taken from a capture or a profile is HTML-escaped. */
#ifndef FW_REPORT_HTML_H
#define FW_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analyzer.h"
#include "analyze/correlate.h"

/* Packets drawn per path, and attempts (TCP/UDP source ports, echo identifiers) they come
 * from: the first ones prove it; a scan's thousand retries would only make the page long. */
#define HTML_LADDER_PKTS 16
#define HTML_LADDER_ATTEMPTS 3
/* Blocked paths with a ladder, per set of verdicts (the text report lists 40 too). */
#define HTML_PATHS_MAX 40

enum html_pkt_role {
    HTML_PKT_REQUEST, /* SYN, UDP request, echo request: from the requester */
    HTML_PKT_ANSWER,  /* SYN-ACK, RST, UDP answer, echo reply: in the target's name */
    HTML_PKT_ERROR,   /* an ICMP error quoting a request: from whoever sent it */
};

/* One packet of a blocked path, as found in one or both captures. */
struct html_pkt {
    enum html_pkt_role role;
    struct fw_addr src;     /* as the packet says: an ICMP error's sender, a RST's claimed one */
    uint64_t frame[2];      /* its frame number in capture 1 and 2; 0: that one did not see it */
    uint64_t ts_us;         /* on capture 1's clock (capture 2's moved by the offset) */
    uint16_t attempt;       /* the requester's port (echo: the identifier) */
    uint8_t tcp_flags;
    uint8_t icmp_type, icmp_code; /* an error's; an echo's type */
    uint16_t echo_seq;
    uint32_t len;           /* transport payload, per the IP length */
    bool again;             /* the same request sent again (a SYN retransmission...) */
};

struct html_ladder {
    const struct verdict_item *it; /* the blocked path */
    size_t npkts;
    struct html_pkt pkts[HTML_LADDER_PKTS]; /* in time order */
    uint64_t more;          /* packets of the path found beyond those drawn */
};

/* One set of verdicts on the page: the combined ones of two captures, or one capture's. */
struct html_verdicts {
    const struct verdict_collector *vc;
    const char *title;               /* NULL: no heading of its own */
    const struct html_ladder *ladders; /* one per blocking item, in the collector's order */
    size_t nladders;
};

struct report_answer;
struct html_input {
    const struct fw_config *cfg;
    const struct report_answer *ans; /* the profile and options the change to make needs, as the
                                      * text report has them (report.h); NULL: none */
    int ncap;                        /* 1 or 2 */
    const char *file[2];
    uint64_t packets[2];
    const struct verdict_capture_point *cp[2]; /* each capture's own */
    const struct correlate_result *corr; /* two captures; NULL with one */
    struct html_verdicts set[2];     /* set[1].vc NULL unless two captures were not combined */
    const char *no_packets;          /* why the ladders show no packet (a capture on stdin) */
};

/* The whole page. Deterministic: the same input gives the same bytes (no time of the run). */
void report_html_print(FILE *out, const struct html_input *in);

/* Text for HTML content or a quoted attribute: & < > " ' escaped, control characters
 * replaced (U+FFFD): the bytes come from captures and profiles, which anyone may write. */
void report_html_text(FILE *out, const char *s);

/* The ladder of one path (inline <svg>): lanes for the requester, the device that answered
 * (or "?" where nothing did) and the target; an arrow per packet, ending where it arrived or
 * was lost; frame numbers (per capture) and times relative to the first packet. */
void report_svg_ladder(FILE *out, const struct html_input *in, const struct html_ladder *l);

#endif
