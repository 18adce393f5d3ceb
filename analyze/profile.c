/* analyze/profile.c: port profiles: the model, the built-in `double-take` profile (the
 * vendor's firewall guide, seed/firewalls.txt), the --ports and --rpc-range overrides, and the
 * per-protocol port index that makes profile_lookup() one array read per connection. The file
 * format is profile_parse.c's; reading files and printing tables is ui/'s. */
#include "profile.h"
#include "profile_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IP_ICMP = 1, IP_TCP = 6, IP_UDP = 17, IP_ICMPV6 = 58 };
#define NPORTS 65536u

/* One token of a port list, with the protocols a "tcp:"/"udp:" prefix chose (--ports only). */
struct port_item {
    struct profile_range r;
    unsigned protos;
};

struct builtin_entry {
    const char *service, *ports, *purpose;
    unsigned protos;
    enum profile_rpc rpc;
    bool required;
};

/* The PRODUCT.md table, from the vendor's guide. Its wording for the monitor is kept: it says
 * what to do when ICMP cannot be opened. Keep profiles/double-take.profile in step (a unit
 * test compares them). TCP 135 comes before File share so that it names the RPC mapper. */
static const struct builtin_entry double_take[] = {
    {"Double-Take", "6320,6325-6326",
     "the product's own communications, in both directions; the ports are configurable in "
     "the product, so the profile is too (the guide names no protocol: TCP and UDP watched)",
     PROFILE_TCP | PROFILE_UDP, PROFILE_RPC_NONE, true},
    {"failover monitor", "",
     "the target pings the source to decide on failover (by default a few missed replies a "
     "few seconds apart trigger it); if ICMP is blocked, configure the product to monitor "
     "through its service instead",
     PROFILE_ICMP_ECHO, PROFILE_RPC_NONE, true},
    {"WMI / RPC", "135",
     "RPC endpoint mapper for WMI: push installs, DNS failover, Hyper-V WAN failover",
     PROFILE_TCP, PROFILE_RPC_MAPPER, false},
    {"WMI / RPC", "49152-65535",
     "dynamic RPC ports named by the endpoint mapper, current Windows default range "
     "(a range set in the registry: --rpc-range)",
     PROFILE_TCP, PROFILE_RPC_DYNAMIC, false},
    {"WMI / RPC", "1025-5000",
     "dynamic RPC ports named by the endpoint mapper, legacy Windows default range",
     PROFILE_TCP, PROFILE_RPC_DYNAMIC, false},
    {"File share", "135-139", "Microsoft File Share, for push installs",
     PROFILE_TCP | PROFILE_UDP, PROFILE_RPC_NONE, false},
    {"Directory", "445", "Microsoft Directory, for push installs",
     PROFILE_TCP | PROFILE_UDP, PROFILE_RPC_NONE, false},
    {"ESX", "443", "only with VirtualCenter or ESX hosts",
     PROFILE_TCP, PROFILE_RPC_NONE, false},
};

static const struct {
    const char *name, *description;
    const struct builtin_entry *e;
    size_t n;
} builtins[] = {
    {"double-take", "Double-Take replication between a source and a target server",
     double_take, sizeof double_take / sizeof double_take[0]},
};

char *profile_dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void profile_entry_fini(struct profile_entry *e)
{
    free(e->service);
    free(e->purpose);
    free(e->ranges);
    memset(e, 0, sizeof *e);
}

void profile_free(struct profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_entries; i++)
        profile_entry_fini(&p->entries[i]);
    free(p->entries);
    free(p->port_index);
    free(p->name);
    free(p->description);
    free(p);
}

/* A new zeroed entry at the end; NULL when out of memory. Callers check the entry cap. */
struct profile_entry *profile_entry_push(struct profile *p)
{
    struct profile_entry *e = realloc(p->entries, (p->n_entries + 1) * sizeof *e);
    if (!e)
        return NULL;
    p->entries = e;
    e = &p->entries[p->n_entries++];
    memset(e, 0, sizeof *e);
    return e;
}

static int range_cmp(const void *x, const void *y)
{
    const struct profile_range *a = x, *b = y;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Fills the port index. Entries are written last to first, so the first one naming a port
 * wins; each entry's ranges are merged first, so a port is written at most once per entry. */
int profile_index(struct profile *p)
{
    if (!p->port_index)
        p->port_index = malloc(2 * NPORTS * sizeof *p->port_index);
    if (!p->port_index)
        return FW_ENOMEM;
    memset(p->port_index, 0, 2 * NPORTS * sizeof *p->port_index);
    p->icmp_entry = 0;
    for (size_t i = p->n_entries; i-- > 0;) {
        const struct profile_entry *e = &p->entries[i];
        if (e->protos & PROFILE_ICMP_ECHO)
            p->icmp_entry = i + 1;
        if (!e->n_ranges)
            continue;
        struct profile_range *r = malloc(e->n_ranges * sizeof *r);
        if (!r)
            return FW_ENOMEM;
        memcpy(r, e->ranges, e->n_ranges * sizeof *r);
        qsort(r, e->n_ranges, sizeof *r, range_cmp);
        uint32_t next = 0; /* ports below it are already written for this entry */
        for (size_t k = 0; k < e->n_ranges; k++) {
            uint32_t port = r[k].lo > next ? r[k].lo : next;
            for (; port <= r[k].hi; port++) {
                if (e->protos & PROFILE_TCP)
                    p->port_index[port] = (uint16_t)(i + 1);
                if (e->protos & PROFILE_UDP)
                    p->port_index[NPORTS + port] = (uint16_t)(i + 1);
            }
            next = port;
        }
        free(r);
    }
    return 0;
}

const struct profile_entry *profile_lookup(const struct profile *p, uint8_t ip_proto,
                                           uint16_t port)
{
    size_t id = 0;
    if (!p)
        return NULL;
    if (ip_proto == IP_TCP)
        id = p->port_index[port];
    else if (ip_proto == IP_UDP)
        id = p->port_index[NPORTS + port];
    else if (ip_proto == IP_ICMP || ip_proto == IP_ICMPV6)
        id = p->icmp_entry;
    return id ? &p->entries[id - 1] : NULL;
}

bool profile_is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

/* Parses a decimal port 1-65535 from s[0..n); false if it is not one. */
static bool parse_port(const char *s, size_t n, uint16_t *port)
{
    uint32_t v = 0;
    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

/* Parses one "N" or "N-M" token; where names the input in the message. */
static int parse_one_range(const char *s, size_t n, const char *where, struct profile_range *r,
                           char err[FW_ERRLEN])
{
    const char *dash = memchr(s, '-', n);
    size_t a = dash ? (size_t)(dash - s) : n;
    bool ok = parse_port(s, a, &r->lo);
    if (ok)
        ok = dash ? parse_port(dash + 1, n - a - 1, &r->hi) : (r->hi = r->lo, true);
    if (!ok) {
        snprintf(err, FW_ERRLEN, "%s: '%.*s' is not a port (1-65535) or a range LO-HI", where,
                 (int)(n > 40 ? 40 : n), s);
        return FW_EUSAGE;
    }
    if (r->lo > r->hi) {
        snprintf(err, FW_ERRLEN, "%s: range %.*s ends before it starts", where, (int)n, s);
        return FW_EUSAGE;
    }
    return 0;
}

/* Splits a port list at commas and blanks. With prefixes, "tcp:" or "udp:" may lead a token
 * (none: both); without, a prefix is an error. *out is malloc'd, also when empty. */
static int parse_ports(const char *s, size_t n, bool prefixes, const char *where,
                       struct port_item **out, size_t *n_out, char err[FW_ERRLEN])
{
    struct port_item *v = malloc((n / 2 + 1) * sizeof *v); /* a token and a separator each */
    size_t k = 0, i = 0;
    if (!v)
        return FW_ENOMEM;
    while (i < n) {
        if (profile_is_sep(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !profile_is_sep(s[j]))
            j++;
        unsigned protos = PROFILE_TCP | PROFILE_UDP;
        if (prefixes && j - i > 4 && (!strncmp(s + i, "tcp:", 4) || !strncmp(s + i, "udp:", 4))) {
            protos = s[i] == 't' ? PROFILE_TCP : PROFILE_UDP;
            i += 4;
        }
        v[k].protos = protos;
        int rc = parse_one_range(s + i, j - i, where, &v[k].r, err);
        if (rc < 0) {
            free(v);
            return rc;
        }
        k++;
        i = j;
    }
    *out = v;
    *n_out = k;
    return 0;
}

/* Sets e's ranges from a port list without prefixes. */
int profile_entry_set_ports(struct profile_entry *e, const char *s, size_t n, const char *where,
                           char err[FW_ERRLEN])
{
    struct port_item *items;
    size_t k;
    int rc = parse_ports(s, n, false, where, &items, &k, err);
    if (rc < 0)
        return rc;
    free(e->ranges);
    e->ranges = malloc((k ? k : 1) * sizeof *e->ranges);
    e->n_ranges = e->ranges ? k : 0;
    for (size_t i = 0; i < e->n_ranges; i++)
        e->ranges[i] = items[i].r;
    free(items);
    return e->ranges ? 0 : FW_ENOMEM;
}

const char *profile_builtin_name(size_t i, const char **description)
{
    if (i >= sizeof builtins / sizeof builtins[0])
        return NULL;
    if (description)
        *description = builtins[i].description;
    return builtins[i].name;
}

struct profile *profile_builtin(const char *name)
{
    char err[FW_ERRLEN];
    for (size_t b = 0; b < sizeof builtins / sizeof builtins[0]; b++) {
        if (strcmp(name, builtins[b].name) != 0)
            continue;
        struct profile *p = calloc(1, sizeof *p);
        if (!p)
            return NULL;
        p->name = profile_dup_n(name, strlen(name));
        p->description = profile_dup_n(builtins[b].description, strlen(builtins[b].description));
        if (!p->name || !p->description)
            goto fail;
        for (size_t i = 0; i < builtins[b].n; i++) {
            const struct builtin_entry *be = &builtins[b].e[i];
            struct profile_entry *e = profile_entry_push(p);
            if (!e)
                goto fail;
            e->service = profile_dup_n(be->service, strlen(be->service));
            e->purpose = profile_dup_n(be->purpose, strlen(be->purpose));
            e->protos = be->protos;
            e->rpc = be->rpc;
            e->required = be->required;
            if (!e->service || !e->purpose ||
                profile_entry_set_ports(e, be->ports, strlen(be->ports), name, err) < 0)
                goto fail;
        }
        if (profile_index(p) < 0)
            goto fail;
        return p;
    fail:
        profile_free(p);
        return NULL;
    }
    return NULL;
}

int profile_parse_range(const char *text, struct profile_range *r, char err[FW_ERRLEN])
{
    return parse_one_range(text, strlen(text), "--rpc-range", r, err);
}

int profile_set_rpc_range(struct profile *p, uint16_t lo, uint16_t hi, char err[FW_ERRLEN])
{
    size_t first = 0, n = 0; /* first: index + 1 of the first dynamic entry */
    if (lo < 1 || lo > hi) {
        snprintf(err, FW_ERRLEN, "--rpc-range: %u-%u is not a range of ports 1-65535",
                 (unsigned)lo, (unsigned)hi);
        return FW_EUSAGE;
    }
    for (size_t i = 0; i < p->n_entries && !first; i++)
        if (p->entries[i].rpc == PROFILE_RPC_DYNAMIC)
            first = i + 1;
    if (!first) {
        snprintf(err, FW_ERRLEN, "--rpc-range: profile %s has no dynamic RPC range (after "
                 "--ports it has none)", p->name);
        return FW_EUSAGE;
    }
    struct profile_entry *e = &p->entries[first - 1];
    static const char why[] = "dynamic RPC ports named by the endpoint mapper, range set in "
                              "the registry (--rpc-range)";
    char *purpose = profile_dup_n(why, strlen(why));
    if (!purpose)
        return FW_ENOMEM;
    free(e->purpose);
    e->purpose = purpose;
    e->ranges[0] = (struct profile_range){lo, hi}; /* a parsed entry has at least one range */
    e->n_ranges = 1;
    for (size_t i = 0; i < p->n_entries; i++) {
        if (i + 1 != first && p->entries[i].rpc == PROFILE_RPC_DYNAMIC)
            profile_entry_fini(&p->entries[i]);
        else
            p->entries[n++] = p->entries[i];
    }
    p->n_entries = n;
    return profile_index(p);
}

int profile_set_ports(struct profile *p, const char *list, char err[FW_ERRLEN])
{
    static const unsigned sets[3] = {PROFILE_TCP | PROFILE_UDP, PROFILE_TCP, PROFILE_UDP};
    struct port_item *items;
    size_t k, n = 0;
    int rc = parse_ports(list, strlen(list), true, "--ports", &items, &k, err);
    if (rc < 0)
        return rc;
    if (!k) {
        free(items);
        snprintf(err, FW_ERRLEN, "--ports: no port given");
        return FW_EUSAGE;
    }
    /* Build the new entries aside, so that a failure leaves the profile as it was. */
    struct profile_entry add[3];
    size_t n_add = 0;
    memset(add, 0, sizeof add);
    for (size_t s = 0; s < 3; s++) {
        struct profile_entry *e = &add[n_add];
        for (size_t i = 0; i < k; i++) {
            if (items[i].protos != sets[s])
                continue;
            if (!e->ranges && !(e->ranges = malloc(k * sizeof *e->ranges)))
                goto nomem;
            e->ranges[e->n_ranges++] = items[i].r;
        }
        if (!e->ranges)
            continue;
        e->service = profile_dup_n("ports", 5);
        e->purpose = profile_dup_n("ports given with --ports", 24);
        e->protos = sets[s];
        e->required = true;
        n_add++;
        if (!e->service || !e->purpose)
            goto nomem;
    }
    free(items);
    struct profile_entry *grown =
        realloc(p->entries, (p->n_entries + n_add) * sizeof *grown);
    if (!grown) {
        items = NULL;
        goto nomem;
    }
    p->entries = grown;
    for (size_t i = 0; i < p->n_entries; i++) {
        if (p->entries[i].protos & PROFILE_ICMP_ECHO)
            p->entries[n++] = p->entries[i]; /* ICMP echo has no ports: it stays */
        else
            profile_entry_fini(&p->entries[i]);
    }
    memcpy(&p->entries[n], add, n_add * sizeof add[0]);
    p->n_entries = n + n_add;
    return profile_index(p);
nomem:
    free(items);
    for (size_t s = 0; s < 3; s++)
        profile_entry_fini(&add[s]);
    return FW_ENOMEM;
}

const char *profile_dir_name(enum profile_dir d)
{
    switch (d) {
    case PROFILE_DIR_TO_TARGET: return "to target";
    case PROFILE_DIR_TO_SOURCE: return "to source";
    case PROFILE_DIR_BOTH: break;
    }
    return "both";
}

const char *profile_rpc_name(enum profile_rpc rpc)
{
    switch (rpc) {
    case PROFILE_RPC_MAPPER: return "endpoint-mapper";
    case PROFILE_RPC_DYNAMIC: return "dynamic";
    case PROFILE_RPC_NONE: break;
    }
    return "";
}
