/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token extraction (tokens.h). A line is cut into words at bytes that never occur inside an
 * address, host name, URL or hash (white space, quotes, brackets, commas, semicolons, '|',
 * '<', '>', '=' outside URLs ...). A word keeps its shape-relevant characters and loses
 * trailing sentence punctuation; then:
 *
 *   "scheme://..."          URL (to the end of the word), plus its host
 *   user@host.tld           e-mail address, plus its domain
 *   a.b.c.d[:port]          IPv4 address (strict dotted quad)
 *   [v6]:port, v6           IPv6 address (two or more ':' and hex digits)
 *   32/40/64/128 hex        md5 / sha1 / sha256 / sha512
 *   label.label[:port]      host name, when the last label is alphabetic (a TLD)
 *
 * A '+' before a word ("+http://www.google.com/bot.html" in a crawler's user agent, "+host",
 * "+1.2.3.4") is a mark, not part of the value.
 *
 * Worked example: `GET http://Evil.com:8080/x?a=1 "curl" 198.51.100.7:443` gives the URL
 * "http://Evil.com:8080/x?a=1", its host "Evil.com", and the address "198.51.100.7". Tokens
 * are not normalised here: the caller normalises what it looks up.
 */
#include "scan/tokens.h"

#include <string.h>

#include "base/simd.h"
#include "base/str.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RURU_TOKENS_AVX2 1
#else
#define RURU_TOKENS_AVX2 0
#endif

/* Per byte: S_SEP for bytes that end a word, or the marks of the shapes it takes part in.
 * Built once as a constant table: the hot loop makes one load per byte. */
#define S_SEP   0x80u
#define M_DOT   1u
#define M_COLON 2u
#define M_AT    4u
#define M_EQ    8u
#define M_SLASH 16u
static const unsigned char CLS[256] = {
        [' '] = S_SEP,  ['\t'] = S_SEP,  ['\r'] = S_SEP, ['\n'] = S_SEP, ['\v'] = S_SEP,
        ['\f'] = S_SEP, ['"'] = S_SEP,   ['\''] = S_SEP, ['`'] = S_SEP,  ['('] = S_SEP,
        [')'] = S_SEP,  ['{'] = S_SEP,   ['}'] = S_SEP,  ['<'] = S_SEP,  ['>'] = S_SEP,
        [','] = S_SEP,  [';'] = S_SEP,   ['|'] = S_SEP,  ['\\'] = S_SEP, [0] = S_SEP,
        ['.'] = M_DOT,  [':'] = M_COLON, ['@'] = M_AT,   ['='] = M_EQ,   ['/'] = M_SLASH,
};

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_xdigit(s[i]))
            return false;
    return true;
}

static bool is_v4(const char *s, size_t n, uint32_t *addr)
{
    size_t i = 0;
    uint32_t a = 0;

    for (int part = 0; part < 4; part++) {
        size_t start;
        unsigned v = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        start = i;
        while (i < n && ruru_is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        a = a << 8 | v;
    }
    *addr = a;
    return i == n;
}

static bool is_v6(const char *s, size_t n)
{
    size_t colons = 0;

    if (n < 2 || n > 45)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':')
            colons++;
        else if (!(ruru_is_xdigit(s[i]) || s[i] == '.'))
            return false;
    }
    /* "::" alone is no address worth looking up; times like 10:11:12 are not hex-only... they
     * are, so require a hex letter or "::" to tell an address from a clock. */
    if (colons < 2)
        return false;
    if (ruru_memmem(s, n, "::", 2) != NULL)
        return n > 2;
    for (size_t i = 0; i < n; i++)
        if (ruru_is_alpha(s[i]))
            return true;
    return colons == 7;
}

/* Host name shape: labels of letters, digits, '-' and '_' separated by single dots, at least
 * two labels, the last alphabetic (or "xn--"). */
static bool is_host(const char *s, size_t n)
{
    size_t dots = 0, last = 0, label = 0;

    if (n < 3 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return false;
            dots++;
            last = i + 1;
            label = 0;
        } else if (ruru_is_alpha(c) || ruru_is_digit(c) || c == '-' || c == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    if (dots == 0 || label == 0)
        return false;
    if (n - last >= 4 && ruru_str_iprefix(ruru_str_make(s + last, n - last), "xn--"))
        return true;
    if (n - last < 2)
        return false;
    for (size_t i = last; i < n; i++)
        if (!ruru_is_alpha(s[i]))
            return false;
    return true;
}

struct out {
    struct ruru_token *v;
    size_t n, max;
};

static void emit_v4(struct out *o, enum ruru_ioc_type t, size_t off, size_t len, uint32_t v4)
{
    if (o->n < o->max) {
        o->v[o->n].type = t;
        o->v[o->n].off = (uint32_t)off;
        o->v[o->n].len = (uint32_t)len;
        o->v[o->n].v4 = v4;
    }
    o->n++;
}

static void emit(struct out *o, enum ruru_ioc_type t, size_t off, size_t len)
{
    emit_v4(o, t, off, len, 0);
}

/* A host with an optional ":port" or a bracketed IPv6 address. */
static void host_token(struct out *o, const char *line, size_t off, size_t len)
{
    const char *s = line + off;
    size_t colon = len, dots = 0;
    bool v4ish = true;
    uint32_t v4;

    if (len >= 2 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close != NULL && is_v6(s + 1, (size_t)(close - s - 1)))
            emit(o, RURU_IOC_IPV6, off + 1, (size_t)(close - s - 1));
        return;
    }
    /* One look at the bytes before the first colon: dots, and whether it could be a dotted
     * quad. Every shape here has a '.' or a ':' ("Mozilla", "HTTP" of "HTTP/1.1" have
     * neither). */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ':') {
            colon = i;
            break;
        }
        if (c == '.')
            dots++;
        else if (!ruru_is_digit(c))
            v4ish = false;
    }
    if (dots == 0 && colon == len)
        return;
    if (colon < len) {
        if (is_v6(s, len)) {
            emit(o, RURU_IOC_IPV6, off, len);
            return;
        }
        /* host:port, port all digits */
        for (size_t i = colon + 1; i < len; i++)
            if (!ruru_is_digit(s[i]))
                return;
        len = colon;
    }
    if (dots == 0)
        return;
    /* Digits and dots only: an address or a number ("5.557094"), never a host name (its
     * last label is alphabetic). */
    if (v4ish) {
        if (dots == 3 && is_v4(s, len, &v4))
            emit_v4(o, RURU_IOC_IPV4, off, len, v4);
    } else if (is_host(s, len))
        emit(o, RURU_IOC_DOMAIN, off, len);
}

/* The "://" of a word, found from its colons (most colons in logs are in times). */
static const char *find_scheme(const char *s, size_t len)
{
    const char *end = s + len;

    for (const char *c = memchr(s, ':', len); c != NULL;
         c = c + 1 < end ? memchr(c + 1, ':', (size_t)(end - c - 1)) : NULL)
        if (end - c >= 3 && c[1] == '/' && c[2] == '/')
            return c;
    return NULL;
}

/* `marks`: which of '.', ':', '@', '=' the word holds (M_*), to skip the shapes it cannot be. */
static void word(struct out *o, const char *line, size_t off, size_t len, unsigned marks)
{
    const char *s = line + off, *at, *scheme;

again:
    s = line + off;

    /* Sentence punctuation around a word is not part of it. */
    while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ':' || s[len - 1] == '!' ||
                       s[len - 1] == '?' || s[len - 1] == ']' || s[len - 1] == '='))
        len--;
    /* A leading '+' is the bots' "+http://..." in their user agents ("(compatible;
     * Googlebot/2.1; +http://www.google.com/bot.html)"), or "+host", "+1.2.3.4": a mark
     * before the value, no part of it (no address, host name or scheme starts with one). */
    while (len > 0 && (s[0] == '[' || s[0] == '=' || s[0] == ':' || s[0] == '+') &&
           !(s[0] == '[' && memchr(s, ']', len) != NULL)) {
        s++;
        off++;
        len--;
    }
    if (len < 3)
        return;
    scheme = (marks & M_COLON) ? find_scheme(s, len) : NULL;
    if (scheme != NULL && scheme > s) {
        const char *b = scheme;
        size_t hs, he;
        while (b > s && (ruru_is_alpha(b[-1]) || ruru_is_digit(b[-1]) || b[-1] == '+' ||
                         b[-1] == '-' || b[-1] == '.'))
            b--;
        /* A scheme starts with a letter: "x-+http://h/" is the URL "http://h/" after marks,
         * as the leading '+' above is for "+http://h/" after a key ("=+http://..."). */
        while (b < scheme && !ruru_is_alpha(*b))
            b++;
        if (b == scheme)
            return;
        off += (size_t)(b - s);
        len -= (size_t)(b - s);
        s = b;
        emit(o, RURU_IOC_URL, off, len);
        hs = (size_t)(scheme - s) + 3;
        he = hs;
        while (he < len && s[he] != '/' && s[he] != '?' && s[he] != '#')
            he++;
        for (size_t k = hs; k < he; k++)
            if (s[k] == '@')
                hs = k + 1; /* userinfo */
        if (he > hs)
            host_token(o, line, off + hs, he - hs);
        return;
    }
    if (marks & (M_EQ | M_COLON)) {
        /* key=value and key:value outside URLs (CEF, syslog structured data, "sha1:..."):
         * the value is the word. A key is a plain name; "evil.com/a?x=1" and "host:443" are
         * not key=value. */
        size_t k = 0;
        while (k < len && (ruru_is_alpha(s[k]) || ruru_is_digit(s[k]) || s[k] == '_' ||
                           s[k] == '-' || s[k] == '.'))
            k++;
        if (k > 0 && k + 1 < len && s[k] == '=') {
            off += k + 1;
            len -= k + 1;
            goto again; /* a loop, not recursion: "a=a=a=..." must not grow the stack */
        }
        if (k > 0 && k + 1 < len && s[k] == ':' && !is_v6(s, len)) {
            bool name = true;
            for (size_t j = 0; j < k; j++)
                name = name && (ruru_is_alpha(s[j]) || s[j] == '_' || s[j] == '-' ||
                                (j > 0 && ruru_is_digit(s[j])));
            /* "sha1:abc..." has a name before ':'; "evil.com:443", "host:443" (a port) and
             * "fe80::1" do not. */
            if (name && !ruru_is_digit(s[k + 1])) {
                off += k + 1;
                len -= k + 1;
                goto again;
            }
        }
    }
    at = (marks & M_AT) ? memchr(s, '@', len) : NULL;
    if (at != NULL && at > s) {
        size_t dl = len - (size_t)(at - s) - 1;
        if (memchr(at + 1, '@', dl) == NULL && is_host(at + 1, dl)) {
            emit(o, RURU_IOC_EMAIL, off, len);
            emit(o, RURU_IOC_DOMAIN, off + (size_t)(at - s) + 1, dl);
        }
        return;
    }
    if ((len == 32 || len == 40 || len == 64 || len == 128) && is_hex(s, len)) {
        emit(o,
             len == 32   ? RURU_IOC_MD5
             : len == 40 ? RURU_IOC_SHA1
             : len == 64 ? RURU_IOC_SHA256
                         : RURU_IOC_SHA512,
             off, len);
        return;
    }
    if (marks & M_SLASH) {
        /* A path-like word ("host/path") starts with its host. */
        const char *slash = memchr(s, '/', len);
        if (slash != NULL && slash > s)
            len = (size_t)(slash - s);
        else if (slash == s)
            return;
    }
    host_token(o, line, off, len);
}

/* The portable cut: one table load per byte. */
size_t ruru_tokens_scalar(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    struct out o = {out, 0, max};
    size_t i = 0;

    if (len > UINT32_MAX)
        len = UINT32_MAX;
    while (i < len && o.n <= max) {
        size_t start, n;
        unsigned char marks = 0;
        /* hottest loop: skip separators, then run to the next one */
        while (i < len && (CLS[(unsigned char)line[i]] & S_SEP))
            i++;
        start = i;
        for (unsigned char c; i < len && !((c = CLS[(unsigned char)line[i]]) & S_SEP); i++)
            marks |= c;
        /* Most words are plain words and numbers: without '.', ':', '@' or '=' a word can only
         * be a hash, so it is looked at only when it has a hash's length. */
        n = i - start;
        if (n > 0 && ((marks & ~M_SLASH) || n == 32 || n == 40 || n == 64 || n == 128))
            word(&o, line, start, n, marks);
    }
    return o.n;
}

#if RURU_TOKENS_AVX2
#include <immintrin.h>

/* Looks at the word [start, end) as the scalar cut would. */
static void candidate(struct out *o, const char *line, size_t start, size_t end)
{
    unsigned char marks = 0;
    size_t n = end - start;

    if (n < 3)
        return; /* word() takes nothing shorter: "=", ":" between JSON keys and values */
    for (size_t i = start; i < end; i++)
        marks |= CLS[(unsigned char)line[i]];
    if ((marks & ~M_SLASH) || n == 32 || n == 40 || n == 64 || n == 128)
        word(o, line, start, n, marks);
}

/*
 * The AVX2 cut. Most bytes of a log line belong to words that can hold no indicator: they
 * have none of '.', ':', '@', '=' and are not 32, 40, 64 or 128 bytes long. The scalar cut
 * still walks every byte of them, and its branch on each word boundary mispredicts about
 * once a word. Here 64 bytes at a time are classified into two bit masks, separators and
 * marks ('.', ':', '@', '='), with two nibble-table shuffles (the classes of CLS are not
 * ranges, so comparisons would take a dozen instructions where the shuffles take two):
 *
 *     class = LO[byte & 15] & HI[byte >> 4]      one bit per group of separators
 *                                                sharing a high nibble, and two for marks
 *
 * Only the words holding a mark, or at least 32 bytes long (a run of 32 non-separators,
 * found by halving shifts over this block and the next), are visited, each once, in line
 * order, by the same word() as the scalar cut: the tokens are the same, byte for byte
 * (tests/unit/test_tokens.c and the fuzz target compare the two).
 */

/* Separator groups: bit 0 = 0x00, 0x09-0x0d; bit 1 = ' ' '"' '\'' '(' ')' ','; bit 2 = ';'
 * '<' '>'; bit 3 = '\\'; bit 4 = '`'; bit 5 = '{' '|' '}'. Marks: bit 6 = '.'; bit 7 = ':'
 * '='. '@' would need a ninth bit and is compared on its own. */
#define C_SEPS  0x3f
#define C_MARKS 0xc0

__attribute__((target("avx2"))) static inline void
classify32(const char *p, uint32_t *sep, uint32_t *mark)
{
    const __m256i lo_tab =
            _mm256_setr_epi8(0x13, 0, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0x03, (char)0x81, 0x25, 0x2f,
                             (char)0xa1, 0x44, 0, 0x13, 0, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0x03,
                             (char)0x81, 0x25, 0x2f, (char)0xa1, 0x44, 0);
    const __m256i hi_tab = _mm256_setr_epi8(0x01, 0, 0x42, (char)0x84, 0, 0x08, 0x10, 0x20, 0, 0, 0,
                                            0, 0, 0, 0, 0, 0x01, 0, 0x42, (char)0x84, 0, 0x08, 0x10,
                                            0x20, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i lo = _mm256_and_si256(v, nib);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
    __m256i c = _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, lo), _mm256_shuffle_epi8(hi_tab, hi));
    uint32_t not_sep = (uint32_t)_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_and_si256(c, _mm256_set1_epi8(C_SEPS)), zero));
    uint32_t not_mark = (uint32_t)_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_and_si256(c, _mm256_set1_epi8((char)C_MARKS)), zero));
    uint32_t at = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('@')));

    *sep = ~not_sep;
    *mark = ~not_mark | at;
}

/* The masks of the 64 bytes at line + base; bytes past the end count as separators. */
__attribute__((target("avx2"))) static inline void
classify64(const char *line, size_t len, size_t base, uint64_t *sep, uint64_t *mark)
{
    uint32_t s0, m0, s1, m1;

    if (base >= len) {
        *sep = ~0ull;
        *mark = 0;
        return;
    }
    if (len - base >= 64) {
        classify32(line + base, &s0, &m0);
        classify32(line + base + 32, &s1, &m1);
    } else {
        char tail[64];
        memset(tail, ' ', sizeof(tail));
        memcpy(tail, line + base, len - base);
        classify32(tail, &s0, &m0);
        classify32(tail + 32, &s1, &m1);
    }
    *sep = (uint64_t)s1 << 32 | s0;
    *mark = (uint64_t)m1 << 32 | m0;
}

__attribute__((target("avx2"))) static size_t
tokens_avx2(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    struct out o = {out, 0, max};
    size_t base = 0, done = 0, open = 0; /* open: where a word running into `base` starts */
    uint64_t s0, m0, s1, m1;

    if (len > UINT32_MAX)
        len = UINT32_MAX;
    classify64(line, len, 0, &s0, &m0);
    while (base < len && o.n <= max) {
        uint64_t lo, hi;
        uint64_t cand;

        classify64(line, len, base + 64, &s1, &m1);
        /* Bit b of lo: the 32 bytes from base + b hold no separator (halving shifts over the
         * 128 bits of this block and the next). */
        lo = ~s0;
        hi = ~s1;
        for (unsigned k = 1; k <= 16; k <<= 1) {
            lo &= lo >> k | hi << (64 - k);
            hi &= hi >> k;
        }
        cand = m0 | lo;
        if (done > base)
            cand &= ~0ull << (done - base); /* done - base < 64 here */
        while (cand != 0 && o.n <= max) {
            unsigned b = (unsigned)__builtin_ctzll(cand);
            uint64_t below = s0 & ((1ull << b) - 1), above = s0 & ~((2ull << b) - 1);
            size_t start = below ? base + 64 - (size_t)__builtin_clzll(below) : open, end;
            if (above != 0) {
                end = base + (size_t)__builtin_ctzll(above);
            } else if (s1 != 0) {
                end = base + 64 + (size_t)__builtin_ctzll(s1);
            } else {
                end = base + 128;
                while (end < len && !(CLS[(unsigned char)line[end]] & S_SEP))
                    end++;
            }
            if (end > len)
                end = len;
            candidate(&o, line, start, end);
            done = end;
            if (end >= base + 64)
                break;
            cand &= ~0ull << (end - base);
        }
        if (done > base + 64) {
            /* The last word ran past the next block: go on from the block where it ends, at
             * its separator (no other separator lies between its start and there). */
            base = done - done % 64;
            open = done + 1;
            classify64(line, len, base, &s0, &m0);
            continue;
        }
        if (s0 != 0)
            open = base + 64 - (size_t)__builtin_clzll(s0);
        base += 64;
        s0 = s1;
        m0 = m1;
    }
    return o.n;
}

bool ruru_tokens_have_simd(void)
{
    return ruru_simd_allowed() && __builtin_cpu_supports("avx2");
}

size_t ruru_tokens(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    if (ruru_simd_allowed() && __builtin_cpu_supports("avx2"))
        return tokens_avx2(line, len, out, max);
    return ruru_tokens_scalar(line, len, out, max);
}
#else
bool ruru_tokens_have_simd(void)
{
    return false;
}

size_t ruru_tokens(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    return ruru_tokens_scalar(line, len, out, max);
}
#endif
