/* common/cur.h: a read cursor over untrusted bytes. It knows how much was captured; a read
 * past the end returns 0 and sets short_read, which stays set (sticky), so a decoder can read a
 * whole header and check once. A length taken from the packet may narrow a cursor (cur_sub),
 * never widen it. */
#ifndef FW_CUR_H
#define FW_CUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
    const uint8_t *p;
    size_t left;
    bool short_read;
};

static inline struct cur cur_make(const uint8_t *p, size_t len)
{
    struct cur c = { p, len, false };
    return c;
}

static inline void cur_fail(struct cur *c)
{
    c->short_read = true;
    c->left = 0;
}

static inline uint8_t cur_u8(struct cur *c)
{
    if (c->left < 1) {
        cur_fail(c);
        return 0;
    }
    uint8_t v = c->p[0];
    c->p += 1;
    c->left -= 1;
    return v;
}

static inline uint16_t cur_be16(struct cur *c)
{
    if (c->left < 2) {
        cur_fail(c);
        return 0;
    }
    uint16_t v = (uint16_t)(c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->left -= 2;
    return v;
}

static inline uint16_t cur_le16(struct cur *c)
{
    if (c->left < 2) {
        cur_fail(c);
        return 0;
    }
    uint16_t v = (uint16_t)(c->p[1] << 8 | c->p[0]);
    c->p += 2;
    c->left -= 2;
    return v;
}

static inline uint32_t cur_be32(struct cur *c)
{
    if (c->left < 4) {
        cur_fail(c);
        return 0;
    }
    uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 |
                 (uint32_t)c->p[3];
    c->p += 4;
    c->left -= 4;
    return v;
}

static inline uint32_t cur_le32(struct cur *c)
{
    if (c->left < 4) {
        cur_fail(c);
        return 0;
    }
    uint32_t v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 |
                 (uint32_t)c->p[0];
    c->p += 4;
    c->left -= 4;
    return v;
}

/* Copies n bytes into dst (zero-filled on a short read). */
static inline void cur_bytes(struct cur *c, void *dst, size_t n)
{
    uint8_t *d = dst;
    if (c->left < n) {
        for (size_t i = 0; i < n; i++)
            d[i] = 0;
        cur_fail(c);
        return;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = c->p[i];
    c->p += n;
    c->left -= n;
}

static inline void cur_skip(struct cur *c, size_t n)
{
    if (c->left < n) {
        cur_fail(c);
        return;
    }
    c->p += n;
    c->left -= n;
}

/* Peeks at fixed offsets, for fast paths that check a whole header once with cur_has():
 * each peek is still bounded (0 outside the cursor; short_read is left alone), and after a
 * dominating cur_has() the compiler drops the check. They do not advance c. */
static inline bool cur_has(const struct cur *c, size_t n)
{
    return !c->short_read && c->left >= n;
}

static inline uint8_t cur_peek_u8(const struct cur *c, size_t off)
{
    return off < c->left ? c->p[off] : 0;
}

static inline uint16_t cur_peek_be16(const struct cur *c, size_t off)
{
    if (c->left < 2 || off > c->left - 2)
        return 0;
    return (uint16_t)(c->p[off] << 8 | c->p[off + 1]);
}

static inline uint32_t cur_peek_be32(const struct cur *c, size_t off)
{
    if (c->left < 4 || off > c->left - 4)
        return 0;
    return (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
           (uint32_t)c->p[off + 2] << 8 | (uint32_t)c->p[off + 3];
}

/* Copies n bytes at off into dst (zero-filled if they are not all there). */
static inline void cur_peek_bytes(const struct cur *c, size_t off, void *dst, size_t n)
{
    if (n <= c->left && off <= c->left - n)
        memcpy(dst, c->p + off, n);
    else
        memset(dst, 0, n);
}

/* A cursor over the next n bytes (or fewer, if fewer are left: the caller compares
 * sub.left with n to tell a truncated capture from a full one). Does not advance c. */
static inline struct cur cur_sub(const struct cur *c, size_t n)
{
    struct cur s = { c->p, n < c->left ? n : c->left, c->short_read };
    return s;
}

#endif
