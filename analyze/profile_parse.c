/* analyze/profile_parse.c: the profile file format (docs/profiles.md): "key = value" lines,
 * whole-line '#' comments, a header (name, description) and then one block per service. Every
 * error names the file and the line. The model, the index and the built-ins are profile.c's;
 * reading the file is the caller's (app/cmd_profiles.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "profile_int.h"

/* The file format's keys. name and description come first; service starts an entry. */
enum key { K_NAME, K_DESCRIPTION, K_SERVICE, K_PROTOCOLS, K_PORTS, K_NEED, K_RPC, K_DIRECTION,
           K_PURPOSE, K_COUNT };
static const char *const key_words[] = {"name", "description", "service", "protocols", "ports",
                                        "need", "rpc", "direction", "purpose", NULL};
static const char *const proto_words[] = {"tcp", "udp", "icmp-echo", NULL};
static const char *const need_words[] = {"optional", "required", NULL};
static const char *const rpc_words[] = {"none", "endpoint-mapper", "dynamic", NULL};
static const char *const dir_words[] = {"both", "to-target", "to-source", NULL};

struct parser {
    struct profile *p;
    const char *file;
    size_t line, entry_line; /* entry_line: where the current service began, 0 before any */
    unsigned seen;           /* bits (1 << key) given in the header or the current entry */
    char *err;
};

static int word_index(const char *s, size_t n, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == n && !memcmp(words[i], s, n))
            return i;
    return -1;
}

/* Quotes at most 40 bytes of the offending text: enough to find it, short enough to read. */
#define SHOW(n) (int)((n) > 40 ? 40 : (n))

__attribute__((format(printf, 3, 4)))
static int fail_at(struct parser *ps, size_t line, const char *fmt, ...)
{
    char msg[FW_ERRLEN / 2]; /* leaves room for the file name and line */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ps->err, FW_ERRLEN, "%s:%zu: %s", ps->file, line, msg);
    return FW_EFORMAT;
}

/* Checks the entry that just ended: everything it needs is there and fits together. */
static int entry_check(struct parser *ps)
{
    const struct profile_entry *e = &ps->p->entries[ps->p->n_entries - 1];
    const char *what = NULL;
    if (!(ps->seen & 1u << K_PROTOCOLS))
        what = "has no 'protocols'";
    else if (!(ps->seen & 1u << K_PURPOSE))
        what = "has no 'purpose'";
    else if ((e->protos & PROFILE_ICMP_ECHO) && e->protos != PROFILE_ICMP_ECHO)
        what = "mixes icmp-echo with ports: give icmp-echo a service of its own";
    else if (e->protos == PROFILE_ICMP_ECHO && (ps->seen & 1u << K_PORTS))
        what = "is icmp-echo, which has no ports";
    else if (e->protos != PROFILE_ICMP_ECHO && !e->n_ranges)
        what = "has no 'ports'";
    else if (e->rpc != PROFILE_RPC_NONE && e->protos != PROFILE_TCP)
        what = "has 'rpc' but not 'protocols = tcp'";
    if (what)
        return fail_at(ps, ps->entry_line, "service '%s' %s", e->service, what);
    return 0;
}

/* One "key = value" line; v[0..vn) is the trimmed value, not empty. */
static int parse_field(struct parser *ps, enum key k, const char *v, size_t vn)
{
    struct profile *p = ps->p;
    struct profile_entry *e = p->n_entries ? &p->entries[p->n_entries - 1] : NULL;
    int i, rc;
    char where[FW_ERRLEN / 2];
    switch (k) {
    case K_NAME:
        for (size_t j = 0; j < vn; j++)
            if (vn > 64 || !(v[j] == '-' || v[j] == '_' || v[j] == '.' ||
                             (v[j] >= '0' && v[j] <= '9') ||
                             ((v[j] | 0x20) >= 'a' && (v[j] | 0x20) <= 'z')))
                return fail_at(ps, ps->line, "a name is up to 64 letters, digits, '-', '_', "
                               "'.', not '%.*s'", SHOW(vn), v);
        return (p->name = profile_dup_n(v, vn)) ? 0 : FW_ENOMEM;
    case K_DESCRIPTION:
        free(p->description);
        return (p->description = profile_dup_n(v, vn)) ? 0 : FW_ENOMEM;
    case K_SERVICE:
        if (e && (rc = entry_check(ps)) < 0)
            return rc;
        if (p->n_entries >= PROFILE_MAX_ENTRIES)
            return fail_at(ps, ps->line, "too many services (%d at most)", PROFILE_MAX_ENTRIES);
        if (!(e = profile_entry_push(p)))
            return FW_ENOMEM;
        ps->entry_line = ps->line;
        ps->seen = 1u << K_SERVICE;
        e->required = true;
        return (e->service = profile_dup_n(v, vn)) ? 0 : FW_ENOMEM;
    case K_PROTOCOLS:
        for (size_t j = 0, t; j < vn; j = t) {
            for (; j < vn && profile_is_sep(v[j]); j++)
                ;
            for (t = j; t < vn && !profile_is_sep(v[t]); t++)
                ;
            if (t > j && (i = word_index(v + j, t - j, proto_words)) < 0)
                return fail_at(ps, ps->line, "unknown protocol '%.*s' (tcp, udp, icmp-echo)",
                               SHOW(t - j), v + j);
            if (t > j)
                e->protos |= 1u << i;
        }
        return 0;
    case K_PORTS:
        snprintf(where, sizeof where, "%s:%zu", ps->file, ps->line);
        rc = profile_entry_set_ports(e, v, vn, where, ps->err);
        return rc == FW_EUSAGE ? FW_EFORMAT : rc;
    case K_NEED:
        if ((i = word_index(v, vn, need_words)) < 0)
            return fail_at(ps, ps->line, "need is required or optional, not '%.*s'", SHOW(vn), v);
        e->required = i == 1;
        return 0;
    case K_RPC:
        if ((i = word_index(v, vn, rpc_words)) < 0)
            return fail_at(ps, ps->line, "rpc is endpoint-mapper, dynamic or none, not '%.*s'",
                           SHOW(vn), v);
        e->rpc = (enum profile_rpc)i;
        return 0;
    case K_DIRECTION:
        if ((i = word_index(v, vn, dir_words)) < 0)
            return fail_at(ps, ps->line, "direction is both, to-target or to-source, not '%.*s'",
                           SHOW(vn), v);
        e->dir = (enum profile_dir)i;
        return 0;
    case K_PURPOSE:
        return (e->purpose = profile_dup_n(v, vn)) ? 0 : FW_ENOMEM;
    case K_COUNT:
        break;
    }
    return FW_EFORMAT;
}

/* One line, without its '\n'. Comments are whole lines, so a '#' in a text stays text. */
static int parse_line(struct parser *ps, const char *s, size_t n)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (!n || *s == '#')
        return 0;
    for (size_t j = 0; j < n; j++)
        if ((unsigned char)s[j] < 0x20 && s[j] != '\t')
            return fail_at(ps, ps->line, "control character (byte %u) in the line",
                           (unsigned)(unsigned char)s[j]);
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return fail_at(ps, ps->line, "expected 'key = value', got '%.*s'", SHOW(n), s);
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    const char *v = eq + 1;
    while (kn && (s[kn - 1] == ' ' || s[kn - 1] == '\t'))
        kn--;
    while (vn && (*v == ' ' || *v == '\t'))
        v++, vn--;
    int k = word_index(s, kn, key_words);
    if (k < 0)
        return fail_at(ps, ps->line, "unknown key '%.*s' (see docs/profiles.md)", SHOW(kn), s);
    if (!vn)
        return fail_at(ps, ps->line, "no value for '%.*s'", SHOW(kn), s);
    if (k != K_SERVICE && (ps->seen & 1u << k))
        return fail_at(ps, ps->line, "'%.*s' given twice %s", SHOW(kn), s,
                       ps->entry_line ? "for this service" : "in the header");
    if (k <= K_DESCRIPTION && ps->entry_line)
        return fail_at(ps, ps->line, "'%.*s' belongs before the first service", SHOW(kn), s);
    if (k > K_SERVICE && !ps->entry_line)
        return fail_at(ps, ps->line, "'%.*s' comes before any 'service = ...' line", SHOW(kn),
                       s);
    ps->seen |= 1u << k;
    return parse_field(ps, (enum key)k, v, vn);
}

int profile_parse(const char *text, size_t len, const char *name_for_errors,
                  struct profile **out, char err[FW_ERRLEN])
{
    struct parser ps = {.file = name_for_errors, .err = err};
    int rc = FW_ENOMEM;
    *out = NULL;
    snprintf(err, FW_ERRLEN, "%s: out of memory", name_for_errors);
    if (!(ps.p = calloc(1, sizeof *ps.p)))
        return FW_ENOMEM;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        ps.line++;
        if ((rc = parse_line(&ps, text + i, end - i)) < 0)
            goto fail;
        i = end + 1;
    }
    rc = FW_EFORMAT;
    if (!ps.p->name) {
        snprintf(err, FW_ERRLEN, "%s: no 'name = ...' line", name_for_errors);
        goto fail;
    }
    if (!ps.p->n_entries) {
        snprintf(err, FW_ERRLEN, "%s: no 'service = ...' line", name_for_errors);
        goto fail;
    }
    if ((rc = entry_check(&ps)) < 0)
        goto fail;
    if (!ps.p->description && !(ps.p->description = profile_dup_n("", 0)))
        rc = FW_ENOMEM;
    if (rc < 0 || (rc = profile_index(ps.p)) < 0)
        goto fail;
    *out = ps.p;
    return 0;
fail:
    profile_free(ps.p);
    return rc;
}
