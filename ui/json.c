/* ui/json.c: the JSON writer (RFC 8259). Strings are escaped byte by byte: control characters
 * as \u00XX, quote and backslash escaped, bytes >= 0x80 passed through (our strings are file
 * names and our own words; a file name that is not UTF-8 is the user's business, not worth
 * mangling), runs of plain bytes in one write. Which members a document has is decided by report.c and connlog.c. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void json_init(struct json *j, FILE *out, bool pretty)
{
    j->out = out;
    j->pretty = pretty;
    j->depth = 0;
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        j->has_items[i] = false;
}

/* Whether byte c goes out as it is. */
static bool json_plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
}

/* Runs of plain bytes go out in one write: a report of many verdicts is mostly plain text. */
static void json_write_escaped(FILE *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    fputc('"', out);
    const unsigned char *p = (const unsigned char *)s;
    while (*p != '\0') {
        const unsigned char *run = p;
        while (*p != '\0' && json_plain(*p))
            p++;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), out);
        if (*p == '\0')
            break;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (*p) {
        case '"':  esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
        }
        fwrite(esc, 1, n, out);
        p++;
    }
    fputc('"', out);
}

static void json_newline(struct json *j)
{
    if (!j->pretty)
        return;
    char buf[1 + 2 * JSON_MAX_DEPTH];
    buf[0] = '\n';
    memset(buf + 1, ' ', (size_t)(2 * j->depth));
    fwrite(buf, 1, 1 + (size_t)(2 * j->depth), j->out);
}

/* Writes the comma, the line break and the key that come before any value. */
static void json_item(struct json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->has_items[j->depth])
            fputc(',', j->out);
        j->has_items[j->depth] = true;
        json_newline(j);
    }
    if (key != NULL) {
        json_write_escaped(j->out, key);
        fputs(j->pretty ? ": " : ":", j->out);
    }
}

static void json_open(struct json *j, const char *key, char c)
{
    json_item(j, key);
    fputc(c, j->out);
    /* Deeper nesting than our documents use is a programming error; stay memory-safe. */
    if (j->depth + 1 < JSON_MAX_DEPTH)
        j->depth++;
    j->has_items[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
    bool had_items = j->has_items[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (had_items)
        json_newline(j);
    fputc(c, j->out);
    if (j->depth == 0 && j->pretty)
        fputc('\n', j->out);
}

void json_begin_object(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_end_object(struct json *j) { json_close(j, '}'); }
void json_begin_array(struct json *j, const char *key) { json_open(j, key, '['); }
void json_end_array(struct json *j) { json_close(j, ']'); }

void json_string(struct json *j, const char *key, const char *value)
{
    json_item(j, key);
    if (value == NULL)
        fputs("null", j->out);
    else
        json_write_escaped(j->out, value);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
    json_item(j, key);
    fprintf(j->out, "%" PRIu64, value);
}

void json_i64(struct json *j, const char *key, int64_t value)
{
    json_item(j, key);
    fprintf(j->out, "%" PRId64, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
    json_item(j, key);
    fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
    json_item(j, key);
    fputs("null", j->out);
}

void json_seconds(struct json *j, const char *key, uint64_t us)
{
    char frac[8];
    json_item(j, key);
    snprintf(frac, sizeof frac, "%06u", (unsigned)(us % 1000000u));
    int n = 6;
    while (n > 1 && frac[n - 1] == '0')
        n--;
    frac[n] = '\0';
    fprintf(j->out, "%" PRIu64 ".%s", us / 1000000u, frac);
}
