/* analyze/profile.h: port profiles: which protocols and ports a product needs through the
 * firewall, what each one is for, and the per-connection lookup that names a port's service.
 * The built-in `double-take` profile is here; profile files are parsed from text the caller
 * has read (docs/profiles.md has the format). Reading files and printing tables is ui/'s. */
#ifndef FW_PROFILE_H
#define FW_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/frame.h"

/* Protocol set of an entry (bits). ICMP echo stands for ICMPv6 echo too. */
enum {
    PROFILE_TCP = 1u << 0,
    PROFILE_UDP = 1u << 1,
    PROFILE_ICMP_ECHO = 1u << 2,
};

/* What an entry's ports are to RPC: the endpoint mapper names the dynamic ports, and some
 * firewalls open a dynamic port only after they see that reply, so verdicts need to know. */
enum profile_rpc {
    PROFILE_RPC_NONE = 0,
    PROFILE_RPC_MAPPER,  /* TCP 135 */
    PROFILE_RPC_DYNAMIC, /* a dynamic range; --rpc-range replaces all of them */
};

/* Which way the traffic must pass; the built-in profile needs both everywhere. */
enum profile_dir {
    PROFILE_DIR_BOTH = 0,
    PROFILE_DIR_TO_TARGET, /* source -> target */
    PROFILE_DIR_TO_SOURCE, /* target -> source */
};

struct profile_range {
    uint16_t lo, hi; /* 1 <= lo <= hi */
};

struct profile_entry {
    char *service;                /* "Double-Take"; several entries may share one */
    char *purpose;                /* why it must be open, one sentence for the user */
    unsigned protos;              /* PROFILE_TCP | PROFILE_UDP | PROFILE_ICMP_ECHO */
    enum profile_rpc rpc;
    enum profile_dir dir;
    bool required;                /* false: only some features or setups need it */
    struct profile_range *ranges; /* empty for ICMP echo */
    size_t n_ranges;
};

/* Entries are kept in file order. A port named by several entries belongs to the first
 * (the built-in profile relies on it: TCP 135 is the RPC endpoint mapper before it is File
 * share). Read the fields; change a profile only through the calls below. */
struct profile {
    char *name;
    char *description;
    struct profile_entry *entries;
    size_t n_entries;
    uint16_t *port_index; /* private: [2][65536] entry number + 1, TCP then UDP; 0 = none */
    size_t icmp_entry;    /* private: entry number + 1 of the first ICMP echo entry, 0 none */
};

#define PROFILE_DEFAULT "double-take"
#define PROFILE_MAX_ENTRIES 256 /* bounds the index build: 256 x 65536 writes at most */

/* The name of the i-th built-in profile and its one-line description; NULL past the end. */
const char *profile_builtin_name(size_t i, const char **description);
/* A new copy of the built-in profile NAME, or NULL (no such profile, or out of memory). */
struct profile *profile_builtin(const char *name);

/* Parses a profile file's text (len bytes, no NUL needed). On error returns FW_EFORMAT (or
 * FW_ENOMEM) and writes "NAME_FOR_ERRORS:LINE: what was wrong" into err. */
int profile_parse(const char *text, size_t len, const char *name_for_errors,
                  struct profile **out, char err[FW_ERRLEN]);
void profile_free(struct profile *p);

/* The entry that names this port, or NULL: the port is not in the profile ("other ports",
 * still analysed and reported). ip_proto is IPPROTO_TCP, _UDP, _ICMP or _ICMPV6; for the last
 * two the port is ignored and the answer is the ICMP echo entry. Constant time. A NULL
 * profile names nothing. */
const struct profile_entry *profile_lookup(const struct profile *p, uint8_t ip_proto,
                                           uint16_t port);

/* --ports LIST: "6320,6325-6326,udp:137,tcp:135-139". Every TCP/UDP entry of the profile is
 * replaced by a service named "ports" (a port without a prefix is both TCP and UDP, as the
 * vendor guide names no protocol); ICMP echo entries stay. FW_EUSAGE and err if LIST is bad,
 * and then the profile is unchanged. */
int profile_set_ports(struct profile *p, const char *list, char err[FW_ERRLEN]);

/* --rpc-range LO-HI: the range set in the registry replaces the dynamic RPC range(s): the
 * first dynamic entry keeps it, the others go. FW_EUSAGE if the profile has none (also after
 * --ports) or the range is bad. */
int profile_set_rpc_range(struct profile *p, uint16_t lo, uint16_t hi, char err[FW_ERRLEN]);
/* Parses "LO-HI" (as given to --rpc-range) into *r; FW_EUSAGE and err if it is not one. */
int profile_parse_range(const char *text, struct profile_range *r, char err[FW_ERRLEN]);

const char *profile_dir_name(enum profile_dir d);   /* "both", "to target", "to source" */
const char *profile_rpc_name(enum profile_rpc rpc); /* "", "endpoint-mapper", "dynamic" */

#endif
