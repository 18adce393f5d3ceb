/* analyze/changes.h: "the changes to make": the settled verdicts turned into what an
 * administrator changes. The failures a firewall rule explains (DROPPED, REJECTED,
 * REPLY-DROPPED, and PARTIAL where the failing part is a firewall's) are grouped per device (the
 * firewall that refused, "a firewall between" the two hosts when nothing answered, or a host's
 * own firewall) and direction, their ports merged into lists and ranges per protocol, required
 * ports before optional ones, each rule with its verdicts and its weakest confidence. UNTESTED
 * entries are folded into one test to run per direction; dynamic RPC ports get the range they
 * come from and the advice to restrict it. Look-alikes (a full backlog, rate limits, a capture
 * cut short...) and failures no rule fixes (routing, stalls) are only counted: they are no
 * changes to make.
 *
 * Never wider than the evidence: a port is in a rule only when its own verdict found it
 * blocked, and a range is only made of ports that were each found blocked. A profile range is
 * never opened from a sample of its ports: the dynamic RPC range, where a sample is all a
 * capture can hold, gets the advice to restrict it (struct change_rpc) instead.
 *
 * Need (required, optional) is the profile's `need` (docs/profiles.md) for the entry that
 * names the port (profile_lookup()); a dynamic RPC port the endpoint mapper named outside the
 * profile's ranges takes the need of the profile's dynamic RPC entry; a port the profile's
 * `direction` does not need that way (known when --source and --target name the roles) and a
 * port outside the profile are CHANGE_OTHER.
 *
 * A pure function of the items and the profile: no I/O, no clock. Printing it as text, rules
 * (nft, iptables, Windows) or HTML is ui/'s. */
#ifndef FW_CHANGES_H
#define FW_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "profile.h"
#include "verdict.h"

enum change_need {
    CHANGE_REQUIRED, /* the profile needs it always */
    CHANGE_OPTIONAL, /* only some features or setups need it (the profile's purpose says which) */
    CHANGE_OTHER,    /* outside the profile, or not needed in this direction: attempted anyway */
};
const char *change_need_name(enum change_need n); /* "required", "optional", "other" */

enum change_device_kind {
    CHANGE_DEV_FIREWALL_AT, /* addr: the device that refused (an ICMP error's sender) */
    CHANGE_DEV_BETWEEN,     /* silent, or a reset forged on the way: a firewall between from and
                             * to; addr family 0 */
    CHANGE_DEV_HOST,        /* a host's own firewall (Windows Firewall, nftables on the host):
                             * addr: the host, the group's `to` (inbound) or `from` (outbound) */
};

struct change_device {
    enum change_device_kind kind;
    struct fw_addr addr;
};

/* A port range of one protocol; VERDICT_PROTO_ECHO: ICMP echo, lo = hi = 0. */
struct change_range {
    uint8_t proto; /* 6, 17, VERDICT_PROTO_ECHO */
    uint16_t lo, hi;
};

/* One rule to add: one protocol's ports, of one need, on the group's device and direction. */
struct change_rule {
    enum change_need need;
    uint8_t proto;                 /* 6, 17, VERDICT_PROTO_ECHO */
    struct change_range *ranges;   /* ascending, neither overlapping nor adjacent; one for echo */
    size_t nranges;
    uint32_t nports;               /* ports in the ranges (1 for echo) */
    enum verdict_conf weakest;     /* the weakest confidence of its verdicts */
    const struct verdict_item **items; /* the verdicts behind it, by port; borrowed */
    size_t nitems;
    bool rpc_dynamic;              /* some of its ports are dynamic RPC ports (struct change_rpc) */
};

/* The rules of one device and direction. */
struct change_group {
    struct change_device device;
    struct fw_addr from, to;       /* the direction of the requests */
    bool reply;                    /* the requests pass, their answers (to -> from) are lost: the
                                    * rules pass packets from to's ports back to from */
    bool outbound;                 /* CHANGE_DEV_HOST on `from`: it refuses its own requests */
    bool never_arrived;            /* CHANGE_DEV_BETWEEN: two captures saw every request leave
                                    * and none arrive, so it is not `to`'s own firewall */
    struct change_rule *rules;     /* required, optional, other; then tcp, udp, echo */
    size_t nrules;
    enum change_need need;         /* its most needed rule's (the first one's) */
    enum verdict_conf weakest;
};

/* The UNTESTED entries of one direction, and the test that would try them. */
struct change_test {
    struct fw_addr from, to;
    struct change_range *ranges;   /* tcp, udp, then echo; consecutive ports merged */
    size_t nranges;
    uint32_t nports;               /* echo counts one */
    char *command;                 /* "fwsight test --peer TO --ports LIST": run on `from`
                                    * while capturing */
};

/* Dynamic RPC ports found blocked toward one server, and the range they come from. */
struct change_rpc {
    struct fw_addr from, to;       /* the clients' direction; `to` is the RPC server */
    uint16_t lo, hi;               /* the range; 0-0: unknown (a learned port outside the
                                    * profile's ranges) */
    bool from_option;              /* --rpc-range named it (set on the server), else the
                                    * profile's (a Windows default) */
    struct change_range *ports;    /* the dynamic ports found blocked, merged like a rule's */
    size_t nranges;
    enum verdict_conf weakest;
};

struct changes {
    struct change_group *groups;   /* required first, then optional, other; ties: input order */
    size_t ngroups;
    struct change_test *tests;     /* per direction, by host pair (the collector's order) */
    size_t ntests;
    struct change_rpc *rpc;
    size_t nrpc;
    const struct verdict_item **not_rule; /* blocked verdicts no rule fixes (routing, stalls,
                                           * idle timeouts), in input order: their advice says
                                           * what to do instead (borrowed, as the items) */
    size_t not_rules;
    size_t lookalikes;             /* failures a look-alike explains: no change to make */
};

/* What the verdicts alone do not say. Every field may be NULL. */
struct changes_input {
    const struct profile *profile;          /* need and direction per port; NULL: all other */
    const struct verdict_config *verdict;   /* --source/--target, the dynamic RPC ranges */
    const struct verdict_capture_point *cp; /* where the capture was taken */
    const char *profile_arg;                /* --profile as given: repeated in test commands */
    const struct profile_range *rpc_range;  /* --rpc-range as given */
};

/* Builds the changes from n settled items (any order). The items are borrowed: they must
 * outlive out (for a collector: until its next settle). Returns 0 or FW_ENOMEM (out is then
 * empty). Release with changes_fini(), also after an error. */
int changes_build(struct changes *out, const struct verdict_item *const *items, size_t n,
                  const struct changes_input *in);
/* The same, from a collector's settled verdicts (in->cp: its capture point when NULL). */
int changes_of_collector(struct changes *out, const struct verdict_collector *vc,
                         const struct changes_input *in);
void changes_fini(struct changes *c);

/* Writes ranges as "6320,6325-6326" (with_proto: "tcp:135-139,udp:445,icmp:echo", as --ports
 * takes them, echo aside) into buf, truncated to len; returns the length it needs (snprintf). */
size_t changes_ranges_text(const struct change_range *r, size_t n, bool with_proto, char *buf,
                           size_t len);
/* The services of a rule's verdicts, each once, in port order: "WMI / RPC, File share"
 * (an endpoint mapper's long name shortened to "RPC dynamic (SAMR)"). */
size_t changes_rule_services(const struct change_rule *r, char *buf, size_t len);

#endif
