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
/* First occurrence of needle in hay, or NULL (memmem without _GNU_SOURCE). */
/* How many bytes of s[0..n) are c. */
size_t ruru_count_byte(const char *s, size_t n, char c);

/* Cuts s at every `sep` into at most `max` slices (the last runs to the end of s unless max
 * was reached first); returns how many. The log formats' hot split: 16 bytes at a time. */
size_t ruru_split_byte(const char *s, size_t n, char sep, struct ruru_str *out, size_t max);

const char *ruru_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

#endif
