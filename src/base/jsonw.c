/* SPDX-License-Identifier: Apache-2.0 */
#include "base/jsonw.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bytes written as they are inside a string: printable ASCII but '"' and '\\'. */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The length of the valid UTF-8 sequence at s (n > 0 bytes left), its code point in *cp; 0
 * when none starts there. */
static size_t seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t v, min;
    size_t len;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        v = s[0] & 0x1Fu;
        min = 0x80;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        v = s[0] & 0x0Fu;
        min = 0x800;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        v = s[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong ASCII) or F5 and above */
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

bool ruru_jsonw_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;

    while (i < n) {
        size_t k;
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        if ((k = seq(u + i, n - i, &cp)) == 0)
            return false;
        i += k;
    }
    return true;
}

static void u_escape(struct ruru_buf *b, uint32_t cp)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[6] = {'\\', 'u', hex[cp >> 12 & 15], hex[cp >> 8 & 15], hex[cp >> 4 & 15], hex[cp & 15]};

    ruru_buf_add(b, e, sizeof(e));
}

/* One code point that is not plain(). */
static void escaped(struct ruru_buf *b, uint32_t cp)
{
    switch (cp) {
    case '"':
        ruru_buf_add(b, "\\\"", 2);
        return;
    case '\\':
        ruru_buf_add(b, "\\\\", 2);
        return;
    case '\b':
        ruru_buf_add(b, "\\b", 2);
        return;
    case '\f':
        ruru_buf_add(b, "\\f", 2);
        return;
    case '\n':
        ruru_buf_add(b, "\\n", 2);
        return;
    case '\r':
        ruru_buf_add(b, "\\r", 2);
        return;
    case '\t':
        ruru_buf_add(b, "\\t", 2);
        return;
    default:
        break;
    }
    if (cp < 0x10000) {
        u_escape(b, cp);
    } else {
        cp -= 0x10000;
        u_escape(b, 0xD800 | cp >> 10);
        u_escape(b, 0xDC00 | (cp & 0x3FF));
    }
}

/* The string's bytes, without quotes; `fix`: invalid sequences and NUL become U+FFFD. */
static void body(struct ruru_buf *b, const char *s, size_t n, bool fix)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        size_t run = i, k;
        uint32_t cp;
        while (run < n && plain(u[run]))
            run++;
        if (run > i)
            ruru_buf_add(b, u + i, run - i);
        if ((i = run) >= n)
            break;
        k = seq(u + i, n - i, &cp);
        if (fix && (k == 0 || cp == 0)) {
            cp = 0xFFFD;
            k = 1;
        } else if (k == 0) {
            cp = 0xFFFD; /* not valid UTF-8, as the caller promised: never more than a byte */
            k = 1;
        }
        escaped(b, cp);
        i += k;
    }
}

void ruru_jsonw_str(struct ruru_buf *b, const char *s, size_t n)
{
    ruru_buf_addc(b, '"');
    body(b, s, n, false);
    ruru_buf_addc(b, '"');
}

void ruru_jsonw_bytes(struct ruru_buf *b, const char *s, size_t n)
{
    ruru_buf_addc(b, '"');
    body(b, s, n, !ruru_jsonw_utf8_valid(s, n));
    ruru_buf_addc(b, '"');
}

void ruru_jsonw_int(struct ruru_buf *b, int64_t v)
{
    char d[24];
    int k = snprintf(d, sizeof(d), "%" PRId64, v);

    if (k > 0)
        ruru_buf_add(b, d, (size_t)k);
}

size_t ruru_jsonw_fix_utf8(const char *s, size_t n, char *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k = 0;

    while (i < n) {
        uint32_t cp;
        size_t len = seq(u + i, n - i, &cp);
        if (len == 0 || cp == 0) {
            memcpy(out + k, "\xEF\xBF\xBD", 3);
            k += 3;
            i++;
        } else {
            memcpy(out + k, s + i, len);
            k += len;
            i += len;
        }
    }
    return k;
}
