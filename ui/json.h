/* ui/json.h: a small streaming JSON writer for the JSON report and the JSON-lines conn.log.
 * It escapes strings, writes numbers exactly (timestamps from integer microseconds, never
 * through a double) and keeps track of commas and nesting; what to write is left to the
 * callers. Output goes straight to a FILE: nothing is buffered here, so memory stays flat. */
#ifndef FW_JSON_H
#define FW_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
    FILE *out;
    bool pretty;                   /* newlines and two-space indents; else one line */
    int depth;
    bool has_items[JSON_MAX_DEPTH]; /* a comma is due before the next item at this depth */
};

void json_init(struct json *j, FILE *out, bool pretty);

/* key is the member name inside an object, NULL inside an array or at the top level. */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);

void json_string(struct json *j, const char *key, const char *value); /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t value);
void json_i64(struct json *j, const char *key, int64_t value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* Seconds from microseconds, exact, trailing zeros dropped: 1700000000.25, 0.000001, 3.0 */
void json_seconds(struct json *j, const char *key, uint64_t us);

#endif
