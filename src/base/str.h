/* SPDX-License-Identifier: Apache-2.0 */
/*
 * String slices: a pointer and a length into somebody else's buffer (picohttpparser). Nothing
 * here assumes NUL termination. All helpers are ASCII-only and locale-free on purpose: the
 * inputs are logs and intel, whose syntax is ASCII, and the C locale functions are slow and
 * depend on global state.
 */
#ifndef RURU_BASE_STR_H
#define RURU_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ruru_str {
    const char *ptr;
    size_t len;
};

static inline struct ruru_str ruru_str_make(const char *p, size_t len)
{
    struct ruru_str s = {p, len};
    return s;
}

static inline bool ruru_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static inline bool ruru_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ruru_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool ruru_is_xdigit(char c)
{
    return ruru_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline char ruru_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Value of a hex digit, or -1. */
static inline int ruru_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The slice without leading and trailing white space. */
struct ruru_str ruru_str_trim(struct ruru_str s);
/* Byte equality / ASCII case-insensitive equality with a C string. */
bool ruru_str_eq(struct ruru_str s, const char *lit);
bool ruru_str_ieq(struct ruru_str s, const char *lit);
/* ASCII case-insensitive prefix test. */
bool ruru_str_iprefix(struct ruru_str s, const char *lit);
/* ASCII case-insensitive comparison of two C strings, like strcasecmp without the locale. */
int ruru_ascii_casecmp(const char *a, const char *b);
/* How many bytes of s[0..n) are c. */
size_t ruru_count_byte(const char *s, size_t n, char c);

/* The bytes c of s[0..n) in order, found 64 at a time (AVX2, when allowed and present) and
 * kept as a bit mask: the quotes of a JSON line, where a search call per string costs more
 * than its search. Without AVX2, memchr. */
struct ruru_bytes {
    const char *s;
    size_t n;
    size_t block;  /* the offset of the 64 bytes `mask` has: a multiple of 64, or SIZE_MAX */
    uint64_t mask; /* bit i: s[block + i] is c (none past n) */
    char c;
    bool wide;
};
void ruru_bytes_init(struct ruru_bytes *it, const char *s, size_t n, char c);
/* ruru_bytes_next's way on when the block held has no byte c at or after `from`. */
const char *ruru_bytes_find(struct ruru_bytes *it, size_t from);

/* The first byte c of s[from..n), or NULL. */
static inline const char *ruru_bytes_next(struct ruru_bytes *it, size_t from)
{
    if ((from & ~(size_t)63) == it->block) {
        uint64_t m = it->mask >> (from & 63);
        if (m != 0)
            return it->s + from + (size_t)__builtin_ctzll(m);
    }
    return ruru_bytes_find(it, from);
}

/* Cuts s at every `sep` into at most `max` slices (the last runs to the end of s unless max
 * was reached first); returns how many. The log formats' hot split: 16 bytes at a time. */
size_t ruru_split_byte(const char *s, size_t n, char sep, struct ruru_str *out, size_t max);

/* First occurrence of needle in hay, or NULL (memmem without _GNU_SOURCE). */
const char *ruru_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

#endif
