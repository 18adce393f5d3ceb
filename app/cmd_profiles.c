/* app/cmd_profiles.c: `fwsight profiles [NAME|FILE]`: lists the built-in port profiles, or
 * prints one profile as a table of what must pass the firewall and why. It also loads what
 * --profile, --ports and --rpc-range name for the other commands: reading a profile file is
 * I/O, so it is done here; the format, the built-ins and the overrides are analyze/profile.c's.
 */
#include "cmd_profiles.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/exit.h"

#define TABLE_WIDTH 100
#define NCOLS 6

static const char profiles_usage[] =
    "usage: fwsight profiles [OPTIONS] [NAME|FILE]\n"
    "\n"
    "Without an argument, lists the built-in port profiles. With the name of one, or the path\n"
    "of a profile file (format: docs/profiles.md), prints what must pass the firewall: each\n"
    "service with its protocols, ports, whether it is required, and why.\n"
    "\n"
    "Options:\n"
    "  --ports LIST         show the profile as --ports LIST makes it: its TCP/UDP services\n"
    "                       replaced by these ports (\"6320,6325-6326,udp:137,tcp:135\";\n"
    "                       no prefix means TCP and UDP)\n"
    "  --rpc-range LO-HI    show it with the dynamic RPC range set in the registry\n"
    "  -h, --help           show this help\n"
    "\n"
    "Ports outside the profile are still analysed, and reported under 'other ports'.\n"
    "Exit status: 0 done, 2 usage or input error.\n";

static bool is_builtin(const char *name)
{
    const char *n;
    for (size_t i = 0; (n = profile_builtin_name(i, NULL)) != NULL; i++)
        if (strcmp(n, name) == 0)
            return true;
    return false;
}

/* The whole file, NUL-terminated, at most PROFILE_FILE_MAX bytes; NULL and err otherwise. */
static char *read_file(const char *path, size_t *len, int *errnum, char err[FW_ERRLEN])
{
    FILE *f = fopen(path, "rb");
    *errnum = f ? 0 : errno;
    if (!f) {
        snprintf(err, FW_ERRLEN, "%s: %s", path, strerror(*errnum));
        return NULL;
    }
    char *buf = malloc(PROFILE_FILE_MAX + 1);
    if (!buf) {
        snprintf(err, FW_ERRLEN, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    /* One byte more than allowed tells a file at the cap from a larger one. */
    size_t n = fread(buf, 1, PROFILE_FILE_MAX + 1, f);
    int read_errno = ferror(f) ? errno : 0;
    fclose(f);
    if (read_errno || n > PROFILE_FILE_MAX) {
        if (read_errno)
            snprintf(err, FW_ERRLEN, "%s: %s", path, strerror(read_errno));
        else
            snprintf(err, FW_ERRLEN, "%s: larger than %u KiB: not a profile file", path,
                     PROFILE_FILE_MAX / 1024);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

struct profile *profile_load_arg(const char *name_or_path, char err[FW_ERRLEN])
{
    if (!strchr(name_or_path, '/') && is_builtin(name_or_path)) {
        struct profile *p = profile_builtin(name_or_path);
        if (!p)
            snprintf(err, FW_ERRLEN, "%s: out of memory", name_or_path);
        return p;
    }
    size_t len = 0;
    int errnum;
    char *text = read_file(name_or_path, &len, &errnum, err);
    if (!text) {
        if (!strchr(name_or_path, '/') && errnum == ENOENT)
            snprintf(err, FW_ERRLEN, "%s: no built-in profile and no file of that name "
                     "(built-in: see 'fwsight profiles')", name_or_path);
        return NULL;
    }
    struct profile *p = NULL;
    profile_parse(text, len, name_or_path, &p, err);
    free(text);
    return p;
}

struct profile *profile_load_args(const char *profile, const char *ports, const char *rpc_range,
                                  char err[FW_ERRLEN])
{
    struct profile_range r;
    if (ports && rpc_range) {
        snprintf(err, FW_ERRLEN, "--ports replaces every port of the profile, the dynamic RPC "
                 "range too: give that range in --ports instead of --rpc-range");
        return NULL;
    }
    if (rpc_range && profile_parse_range(rpc_range, &r, err) < 0)
        return NULL;
    struct profile *p = profile_load_arg(profile ? profile : PROFILE_DEFAULT, err);
    if (p && ((rpc_range && profile_set_rpc_range(p, r.lo, r.hi, err) < 0) ||
              (ports && profile_set_ports(p, ports, err) < 0))) {
        profile_free(p);
        return NULL;
    }
    return p;
}

/* The next piece of *s that fits width: cut at the last blank that fits, or mid-word when a
 * word is longer than the column. Advances *s past the piece and the blank. */
static int take_piece(const char **s, size_t width)
{
    size_t n = strlen(*s), cut = n, skip = n;
    if (n > width) {
        for (cut = width; cut > 0 && (*s)[cut] != ' '; cut--)
            ;
        skip = cut ? cut + 1 : width;
        cut = cut ? cut : width;
    }
    *s += skip;
    return (int)cut;
}

/* One table row; each cell wrapped to its column, the last one unpadded; width 0 hides one. */
static void print_row(FILE *out, const char *const cells[NCOLS], const size_t width[NCOLS])
{
    const char *rest[NCOLS];
    memcpy(rest, cells, sizeof rest);
    bool more = true;
    while (more) {
        more = false;
        char line[TABLE_WIDTH * 4];
        size_t len = 0;
        for (size_t c = 0; c < NCOLS; c++) {
            if (!width[c])
                continue; /* a column left out */
            const char *piece = rest[c];
            int n = take_piece(&rest[c], width[c]);
            int pad = c + 1 < NCOLS ? (int)width[c] + 2 : n;
            len += (size_t)snprintf(line + len, sizeof line - len, "%-*.*s", pad, n, piece);
            more = more || *rest[c];
        }
        while (len && line[len - 1] == ' ')
            len--;
        fprintf(out, "%.*s\n", (int)len, line);
    }
}

static const char *protos_text(unsigned protos)
{
    if ((protos & PROFILE_TCP) && (protos & PROFILE_UDP))
        return "tcp, udp";
    return protos & PROFILE_TCP ? "tcp" : protos & PROFILE_UDP ? "udp" : "icmp-echo";
}

/* "6320, 6325-6326", with the RPC role: malloc'd, NULL when out of memory. */
static char *ports_text(const struct profile_entry *e)
{
    size_t room = e->n_ranges * sizeof "65535-65535, " + sizeof " (RPC endpoint-mapper)" + 2;
    char *s = malloc(room);
    size_t n = 0;
    if (!s)
        return NULL;
    n += (size_t)snprintf(s, room, "%s", e->n_ranges ? "" : "-");
    for (size_t r = 0; r < e->n_ranges; r++) {
        n += (size_t)snprintf(s + n, room - n, r ? ", %u" : "%u", e->ranges[r].lo);
        if (e->ranges[r].hi != e->ranges[r].lo)
            n += (size_t)snprintf(s + n, room - n, "-%u", e->ranges[r].hi);
    }
    if (e->rpc != PROFILE_RPC_NONE)
        snprintf(s + n, room - n, " (%s)", e->rpc == PROFILE_RPC_MAPPER ? "RPC mapper" : "RPC");
    return s;
}

void profile_print(FILE *out, const struct profile *p)
{
    static const char *const head[NCOLS] = {"SERVICE", "PROTOCOLS", "PORTS", "NEED",
                                            "DIRECTION", "PURPOSE"};
    /* Caps leave the purpose at least 100 - (20 + 9 + 21 + 8 + 9 + 10) = 23 columns. */
    static const size_t cap[NCOLS - 1] = {20, 9, 21, 8, 9};
    size_t n = p->n_entries, width[NCOLS], used = 0;
    bool ok = false, all_both = true;
    const char *(*rows)[NCOLS] = calloc(n + 1, sizeof *rows);
    char **ports = calloc(n + 1, sizeof *ports);
    if (!rows || !ports)
        goto done;
    memcpy(rows[0], head, sizeof head);
    for (size_t i = 0; i < n; i++) {
        const struct profile_entry *e = &p->entries[i];
        if (!(ports[i] = ports_text(e)))
            goto done;
        const char *row[NCOLS] = {e->service, protos_text(e->protos), ports[i],
                                  e->required ? "required" : "optional",
                                  profile_dir_name(e->dir), e->purpose};
        memcpy(rows[i + 1], row, sizeof row);
        all_both = all_both && e->dir == PROFILE_DIR_BOTH;
    }
    for (size_t c = 0; c < NCOLS - 1; c++) {
        width[c] = 0;
        for (size_t i = 0; i <= n; i++)
            width[c] = strlen(rows[i][c]) > width[c] ? strlen(rows[i][c]) : width[c];
        width[c] = width[c] > cap[c] ? cap[c] : width[c];
        if (c == 4 && all_both)
            width[c] = 0; /* said once below instead: the purpose gets the room */
        used += width[c] ? width[c] + 2 : 0;
    }
    width[NCOLS - 1] = TABLE_WIDTH - used;
    fprintf(out, "%s: %s\n\n", p->name, p->description);
    for (size_t i = 0; i <= n; i++)
        print_row(out, rows[i], width);
    fprintf(out, "\n%sPorts outside the profile are still analysed, and reported under "
            "'other ports'.\n", all_both ? "Every service must pass in both directions.\n" : "");
    ok = true;
done:
    if (!ok)
        fprintf(out, "%s: out of memory\n", p->name);
    for (size_t i = 0; ports && i < n; i++)
        free(ports[i]);
    free(ports);
    free(rows);
}

static void print_list(FILE *out)
{
    const char *name, *description;
    fputs("Built-in port profiles (--profile NAME; 'fwsight profiles NAME' shows one):\n\n", out);
    for (size_t i = 0; (name = profile_builtin_name(i, &description)) != NULL; i++)
        fprintf(out, "  %-16s %s%s\n", name, description,
                strcmp(name, PROFILE_DEFAULT) == 0 ? " (default)" : "");
    fputs("\nA profile file of your own works too: --profile FILE (format: docs/profiles.md).\n",
          out);
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "fwsight profiles: %s '%s' (see 'fwsight profiles --help')\n", what, arg);
    return FW_EXIT_USAGE;
}

int cmd_profiles(int argc, char **argv)
{
    const char *which = NULL, *ports = NULL, *rpc_range = NULL;
    bool options = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **dst = !options ? NULL
                           : strncmp(a, "--ports", 7) == 0 ? &ports
                           : strncmp(a, "--rpc-range", 11) == 0 ? &rpc_range
                           : NULL;
        size_t opt_len = dst == &ports ? 7 : 11;
        if (dst && (a[opt_len] == '=' || a[opt_len] == '\0')) {
            if (a[opt_len] == '=')
                *dst = a + opt_len + 1;
            else if (i + 1 < argc)
                *dst = argv[++i];
            else
                return usage_error("option needs an argument:", a);
        } else if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            fputs(profiles_usage, stdout);
            return FW_EXIT_OK;
        } else if (options && strcmp(a, "--") == 0) {
            options = false;
        } else if (options && a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option", a);
        } else if (which) {
            return usage_error("one profile at a time, not also", a);
        } else {
            which = a;
        }
    }
    if (!which && !ports && !rpc_range) {
        print_list(stdout);
        return FW_EXIT_OK;
    }
    char err[FW_ERRLEN];
    struct profile *p = profile_load_args(which, ports, rpc_range, err);
    if (!p) {
        fprintf(stderr, "fwsight profiles: %s\n", err);
        return FW_EXIT_USAGE;
    }
    profile_print(stdout, p);
    profile_free(p);
    return FW_EXIT_OK;
}
