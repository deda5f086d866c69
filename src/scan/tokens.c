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
    size_t len; /* of the line: what may be read */
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
static size_t tokens_scalar(const char *line, size_t len, struct ruru_token *out, size_t max)
{
    struct out o = {out, 0, max, len};
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
 * The vector cuts (AVX2, AVX-512 BW). Most bytes of a log line belong to words that can hold no
 * indicator: they have none of '.', ':', '@', '=' and are not 32, 40, 64 or 128 bytes long. The
 * scalar cut still walks every byte of them, and its branch on each word boundary mispredicts about
 * once a word. Here 64 bytes at a time are classified into bit masks: separators with two
 * nibble-table shuffles (the classes of CLS are not ranges, so comparisons would take a dozen
 * instructions where the shuffles take two), and marks ('.', ':', '@', '=') and the other
 * bytes that decide a word's shape by comparisons:
 *
 *     class = LO[byte & 15] & HI[byte >> 4]      one bit per group of separators
 *                                                sharing a high nibble
 *
 * Only the words holding a mark, or at least 32 bytes long (a run of 32 non-separators,
 * found by halving shifts over this block and the next), are visited, each once, in line
 * order. A word of at most 64 bytes is first judged on its block's masks of its bytes (a word
 * across a block's edge, on the masks of the two blocks it lies in, shifted to its start),
 * which decide most words of logs without looking at a byte (nothing_in, is_quad,
 * host_shape) and find the host of a plain URL (url_by_masks); the others go to the same
 * word() as the scalar cut. Each block is classified once. The tokens are the same, byte for
 * byte (tests/unit/test_tokens.c and the fuzz target compare the cuts). The AVX-512 cut differs
 * only in how a block's masks are made (classify_avx512); the loop is built once for each
 * (tokens_cut.inc).
 */

/* The masks of a block of 64 bytes, one bit per byte: separators, and the bytes that decide
 * what a word can be. */
struct blk {
    uint64_t sep, mark;          /* mark: '.', ':', '=', '@' (the words worth a look) */
    uint64_t dot, colon, eq, at; /* each mark on its own */
    uint64_t slash, digit, plus;
    uint64_t alpha, hex; /* hex: hexadecimal digits */
    uint64_t name;       /* letters, digits, '-', '_', '.' (a host name's bytes) */
};
/* shifted(), the classifiers and classify64 (tokens_cut.inc) name every mask: one added here
 * is added there */
_Static_assert(sizeof(struct blk) == 12 * sizeof(uint64_t),
               "struct blk: update shifted(), classify_avx2/512(), tokens_cut.inc");

/* The vector cut's code: AVX2, and POPCNT (every AVX2 processor has it) for the counts of
 * dots and colons in a word's masks. */
#define AVX2_TARGET __attribute__((target("avx2,popcnt")))
#define AVX2_INLINE __attribute__((target("avx2,popcnt"), always_inline)) static inline

AVX2_INLINE uint64_t eq64(__m256i v0, __m256i v1, char c)
{
    __m256i k = _mm256_set1_epi8(c);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, k)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, k)) << 32;
}

/* The bytes of v0, v1 whose value minus `from` is at most `span`. */
AVX2_INLINE uint64_t range64(__m256i v0, __m256i v1, char from, char span)
{
    __m256i f = _mm256_set1_epi8(from), m = _mm256_set1_epi8(span);
    __m256i d0 = _mm256_sub_epi8(v0, f), d1 = _mm256_sub_epi8(v1, f);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(d0, m), d0)) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(d1, m), d1))
                   << 32;
}

/* The separators' nibble tables: LO[byte & 15] & HI[byte >> 4] has one bit per group of
 * separators sharing a high nibble: bit 0 = 0x00, 0x09-0x0d; bit 1 = ' ' '"' '\'' '(' ')' ',';
 * bit 2 = ';' '<' '>'; bit 3 = '\\'; bit 4 = '`'; bit 5 = '{' '|' '}'. */
#define SEP_LO 0x13, 0, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0x03, 0x01, 0x25, 0x2f, 0x21, 0x04, 0
#define SEP_HI 0x01, 0, 0x02, 0x04, 0, 0x08, 0x10, 0x20, 0, 0, 0, 0, 0, 0, 0, 0

/* The separators of v. */
AVX2_INLINE uint32_t sep32(__m256i v)
{
    const __m256i lo_tab = _mm256_setr_epi8(SEP_LO, SEP_LO),
                  hi_tab = _mm256_setr_epi8(SEP_HI, SEP_HI);
    const __m256i nib = _mm256_set1_epi8(0x0f);
    __m256i lo = _mm256_and_si256(v, nib);
    __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
    __m256i c = _mm256_and_si256(_mm256_shuffle_epi8(lo_tab, lo), _mm256_shuffle_epi8(hi_tab, hi));
    return ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c, _mm256_setzero_si256()));
}

/* The masks of the 64 bytes at p, with AVX2: two halves of 32 bytes. */
AVX2_INLINE void classify_avx2(const char *p, struct blk *b)
{
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
    __m256i low = _mm256_set1_epi8(0x20);

    b->sep = sep32(v0) | (uint64_t)sep32(v1) << 32;
    b->dot = eq64(v0, v1, '.');
    b->colon = eq64(v0, v1, ':');
    b->eq = eq64(v0, v1, '=');
    b->at = eq64(v0, v1, '@');
    b->slash = eq64(v0, v1, '/');
    b->plus = eq64(v0, v1, '+');
    b->digit = range64(v0, v1, '0', 9);
    b->alpha = range64(_mm256_or_si256(v0, low), _mm256_or_si256(v1, low), 'a', 25);
    b->hex = b->digit | range64(_mm256_or_si256(v0, low), _mm256_or_si256(v1, low), 'a', 5);
    b->name = b->alpha | b->digit | b->dot | eq64(v0, v1, '-') | eq64(v0, v1, '_');
    b->mark = b->dot | b->colon | b->eq | b->at;
}

/*
 * The same masks with AVX-512 BW: one register of 64 bytes, and each comparison gives its
 * 64-bit mask at once (with AVX2, two comparisons of 32 bytes, two mask moves, a shift and an
 * or). The cut that uses it is built for AVX-512 F and BW, BMI1 and BMI2 (every processor with
 * AVX-512 has them), as well as AVX2: only the classification is its own, the rest is the same
 * inline code. BMI1 matters: without its and-not, the compiler does the words' mask
 * arithmetic in the mask registers and moves it back and forth (the cut then takes 14 % more
 * time than the AVX2 one instead of 13 % less, bench/README.md).
 */
#define AVX512_TARGET __attribute__((target("avx2,popcnt,bmi,bmi2,avx512f,avx512bw")))
#define AVX512_INLINE \
    __attribute__((target("avx2,popcnt,bmi,bmi2,avx512f,avx512bw"), always_inline)) static inline

AVX512_INLINE uint64_t eq_512(__m512i v, char c)
{
    return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c));
}

/* The bytes of v whose value minus `from` is at most `span`. */
AVX512_INLINE uint64_t range_512(__m512i v, char from, char span)
{
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8(from)),
                                  _mm512_set1_epi8(span));
}

AVX512_INLINE void classify_avx512(const char *p, struct blk *b)
{
    const __m512i lo_tab = _mm512_broadcast_i32x4(_mm_setr_epi8(SEP_LO));
    const __m512i hi_tab = _mm512_broadcast_i32x4(_mm_setr_epi8(SEP_HI));
    const __m512i nib = _mm512_set1_epi8(0x0f);
    __m512i v = _mm512_loadu_si512((const void *)p);
    __m512i lo = _mm512_and_si512(v, nib), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), nib);
    __m512i c = _mm512_and_si512(_mm512_shuffle_epi8(lo_tab, lo), _mm512_shuffle_epi8(hi_tab, hi));
    __m512i lower = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

    b->sep = _mm512_test_epi8_mask(c, c);
    b->dot = eq_512(v, '.');
    b->colon = eq_512(v, ':');
    b->eq = eq_512(v, '=');
    b->at = eq_512(v, '@');
    b->slash = eq_512(v, '/');
    b->plus = eq_512(v, '+');
    b->digit = range_512(v, '0', 9);
    b->alpha = range_512(lower, 'a', 25);
    b->hex = b->digit | range_512(lower, 'a', 5);
    b->name = b->alpha | b->digit | b->dot | eq_512(v, '-') | eq_512(v, '_');
    b->mark = b->dot | b->colon | b->eq | b->at;
}

/* The masks of the 64 bytes from bit k of block a on (k < 64), b the block after a: what
 * the classification gives for those bytes, without reading them again. */
AVX2_INLINE void shifted(const struct blk *a, const struct blk *b, unsigned k, struct blk *out)
{
    if (k == 0) {
        *out = *a;
        return;
    }
#define SHIFTED(f) out->f = a->f >> k | b->f << (64 - k)
    SHIFTED(sep);
    SHIFTED(mark);
    SHIFTED(dot);
    SHIFTED(colon);
    SHIFTED(eq);
    SHIFTED(at);
    SHIFTED(slash);
    SHIFTED(digit);
    SHIFTED(plus);
    SHIFTED(alpha);
    SHIFTED(hex);
    SHIFTED(name);
#undef SHIFTED
}

/* The M_* marks of the word of bits w, as candidate() finds them byte by byte. */
AVX2_INLINE unsigned marks_of(const struct blk *b, uint64_t w)
{
    return ((b->dot & w) ? M_DOT : 0) | ((b->colon & w) ? M_COLON : 0) | ((b->at & w) ? M_AT : 0) |
           ((b->eq & w) ? M_EQ : 0) | ((b->slash & w) ? M_SLASH : 0);
}

/* Is the word of bits w digits and three dots, ending in a digit? word() takes it for an
 * IPv4 address when is_v4 does, and for nothing else. */
AVX2_INLINE bool is_quad(const struct blk *b, uint64_t w)
{
    uint64_t dot = b->dot & w, top = w & ~(w >> 1);

    return ((b->digit | b->dot) & w) == w && (b->digit & top) != 0 &&
           __builtin_popcountll(dot) == 3;
}

/* One octet of a dotted quad, s[from, to), read with no branch on its length (most addresses'
 * octets are of three digits, a good many of two, some of one: a branch on that misses often):
 * the four bytes at s + from, shifted so that its last digit is the third, less '0' each.
 * Sets *bad when it is no octet of an address: empty, longer than three, a leading zero, or
 * above 255. Four bytes are read from `from`. */
AVX2_INLINE unsigned octet(const char *s, size_t from, size_t to, unsigned *bad)
{
    unsigned l = (unsigned)(to - from), k = (3 - l) & 3, v;
    uint32_t x, y;

    memcpy(&x, s + from, sizeof(x));
    y = x << (8 * k) & 0xffffffu; /* the first digit at byte k, little-endian */
    y -= 0x303030u & 0xffffffu << (8 * k);
    v = (y & 0xff) * 100 + (y >> 8 & 0xff) * 10 + (y >> 16);
    *bad |= (unsigned)(l - 1 > 2) | (unsigned)(l > 1 && (x & 0xff) == '0') | (unsigned)(v > 255);
    return v;
}

/* is_v4 of a word of n digits and three dots (their bits: `dots`, from the word's start), with
 * `room` bytes readable after it: octet by octet. An address is at most 15 bytes; one with
 * fewer than three bytes after it in the line is read from a copy (the octets read three bytes
 * past the last one's start). */
AVX2_INLINE bool quad_value(const char *s, size_t n, size_t room, uint64_t dots, uint32_t *addr)
{
    size_t d1 = (size_t)__builtin_ctzll(dots), d2, d3;
    unsigned bad = 0;
    char copy[15 + 3];

    if (n > 15)
        return false;
    if (room < 3) {
        memset(copy, 0, sizeof(copy));
        memcpy(copy, s, n);
        s = copy;
    }
    dots &= dots - 1;
    d2 = (size_t)__builtin_ctzll(dots);
    dots &= dots - 1;
    d3 = (size_t)__builtin_ctzll(dots);
    *addr = octet(s, 0, d1, &bad) << 24 | octet(s, d1 + 1, d2, &bad) << 16 |
            octet(s, d2 + 1, d3, &bad) << 8 | octet(s, d3 + 1, n, &bad);
    return bad == 0;
}

/* A word of bits w made of a host name's bytes with a dot, not ending in one, and not only
 * digits and dots: word() gives it to is_host and takes it for a host name when that says
 * so. 1: is_host would say yes; 0: no; 2: ask is_host (a last label that is not all letters,
 * perhaps "xn--"); -1: not such a word. */
AVX2_INLINE int host_shape(const struct blk *b, uint64_t w)
{
    uint64_t dot = b->dot & w, first = w & (0 - w), top = w & ~(w >> 1), last;

    if ((b->name & w) != w || dot == 0 || (dot & top) != 0 || ((b->digit | dot) & w) == w)
        return -1;
    if ((dot & first) != 0 || (dot & (dot >> 1)) != 0)
        return 0; /* an empty label */
    last = w & ~((2ull << (63 - __builtin_clzll(dot))) - 1);
    if ((b->alpha & last) != last)
        return 2;
    return __builtin_popcountll(last) >= 2;
}

/*
 * Does the word whose bytes are the bits w of block b certainly give no token? Three shapes
 * make most of the words with a mark in logs, and word() takes nothing from them:
 *
 *   numbers     digits and dots ending in a digit, not three dots: "1614556800.123456",
 *               "0.000123", "5.0" (an address has three dots; a hash has no dot)
 *   names/...   a '/' before any '.', ':' or '=' and no ":/": "HTTP/1.1", "Mozilla/5.0",
 *               "[01/Mar/2021:00:00:02" (word() cuts a path-like word at its first '/', and
 *               what is before it has no mark; no ":/", no scheme)
 *   clocks      digits and colons, one to six colons, never two together, under 32 bytes:
 *               "00:00:02", ":443" (no IPv6 address, no "key:value", no host:port)
 *   times       a digit first (or a host name's byte, and a digit after the first colon), a
 *               letter or digit last, a byte after the first colon that is not a digit, a
 *               byte that no IPv6 address holds, and no '/' or '=': "2021-03-01T00:00:02Z",
 *               "rv:11.0" (no "key:value" to follow, no port after the colon)
 *   "a+b"       a '+' after a host name's byte, and none of ':', '=', '/': the spaces of a
 *               W3C user agent, "Windows+NT+10.0" (no address or host name holds a '+')
 *
 * and none holds an '@', but "@timestamp": an '@' first, and no '.', ':' or '=' (word() looks
 * for an '@' after the first byte). Anything else is looked at by word(), as the scalar cut
 * does.
 */
AVX2_INLINE bool nothing_in(const struct blk *b, uint64_t w, size_t n)
{
    uint64_t dot = b->dot & w, colon = b->colon & w, eq = b->eq & w, slash = b->slash & w;
    uint64_t digit = b->digit & w, first = w & (0 - w), top = w & ~(w >> 1), at = b->at & w;

    if (at != 0)
        return at == first && (dot | colon | eq) == 0;
    if (slash != 0) {
        uint64_t before = (slash & (0 - slash)) - 1;
        return ((dot | colon | eq) & before) == 0 && (colon & (b->slash >> 1)) == 0;
    }
    if (eq != 0)
        return false;
    if (colon == 0)
        return (dot != 0 && (digit | dot) == w && (digit & top) != 0 &&
                __builtin_popcountll(dot) != 3) ||
               (b->plus & w & b->name << 1) != 0;
    if (dot == 0 && (digit | colon) == w)
        return (colon & (colon >> 1)) == 0 && __builtin_popcountll(colon) < 7 && n < 32;
    colon &= 0 - colon; /* the first */
    return ((digit & first) != 0 || ((b->name & first) != 0 && (digit & colon << 1) != 0)) &&
           ((b->alpha | b->digit) & top) != 0 && (w & ~(b->hex | b->colon | b->dot)) != 0 &&
           (w & ~(colon * 2 - 1) & ~digit) != 0;
}

/* A dotted quad or a host name's shape of bits h, taken as word() and host_token take it: an
 * address when is_v4 says so, a host name when is_host does. False: neither shape (a word of
 * a host name's bytes only is then nothing to word() or host_token). */
AVX2_INLINE bool host_by_masks(
        struct out *o, const char *line, size_t start, size_t n, const struct blk *b, uint64_t h)
{
    uint32_t v4;
    int host;

    if (is_quad(b, h)) {
        if (quad_value(line + start, n, o->len - start - n, (b->dot & h) >> __builtin_ctzll(h),
                       &v4))
            emit_v4(o, RURU_IOC_IPV4, start, n, v4);
        return true;
    }
    if ((host = host_shape(b, h)) >= 0) {
        if (host == 1 || (host == 2 && is_host(line + start, n)))
            emit(o, RURU_IOC_DOMAIN, start, n);
        return true;
    }
    return false;
}

/*
 * A URL of the common shape, "scheme://host" then nothing or a '/' and anything: the scheme
 * letters from the word's start, the host a host name's bytes. word() takes it as the word (less
 * trailing punctuation) and its host; here the host is found on the block's masks instead of
 * byte by byte. False, having emitted nothing: not of that shape (a port, user info, a '?' or
 * '#' after the host, a bracketed address, marks before the scheme), left to word().
 */
AVX2_INLINE bool url_by_masks(
        struct out *o, const char *line, size_t start, size_t n, const struct blk *b, uint64_t w)
{
    const char *s = line + start;
    unsigned ws = (unsigned)__builtin_ctzll(w), c, hs, he;
    uint64_t colon = b->colon & w, first, stop, host;
    size_t len = n;

    if (colon == 0)
        return false;
    first = colon & (0 - colon);
    c = (unsigned)__builtin_ctzll(first);
    /* letters up to the first colon (at least one), then "//" */
    if (c == ws || (b->alpha & (first - 1) & w) != ((first - 1) & w) ||
        (b->slash & w & first << 1) == 0 || (b->slash & w & first << 2) == 0)
        return false;
    while (len > 0 && (s[len - 1] == '.' || s[len - 1] == ':' || s[len - 1] == '!' ||
                       s[len - 1] == '?' || s[len - 1] == ']' || s[len - 1] == '='))
        len--;
    hs = c + 3;
    he = ws + (unsigned)len;
    if (he < hs)
        return false; /* the "//" trimmed: word() finds no scheme there */
    /* The host runs to the first byte that no host name holds; it must be a '/' or the end. */
    stop = hs < 64 ? (w & ~b->name) >> hs << hs : 0;
    if (stop != 0 && (unsigned)__builtin_ctzll(stop) < he) {
        unsigned at = (unsigned)__builtin_ctzll(stop);
        if ((b->slash >> at & 1) == 0)
            return false;
        he = at;
    }
    emit(o, RURU_IOC_URL, start, len);
    if (he > hs) {
        host = ((1ull << (he - hs)) - 1) << hs; /* he - hs < 61: hs > ws + 3 */
        (void)host_by_masks(o, line, start + (hs - ws), he - hs, b, host);
    }
    return true;
}

/* The word [start, start + n) whose bytes are the bits w of block b (n <= 64), as candidate()
 * takes it. */
AVX2_INLINE void
by_masks(struct out *o, const char *line, size_t start, size_t n, const struct blk *b, uint64_t w)
{
    unsigned marks;

    if (host_by_masks(o, line, start, n, b, w) || nothing_in(b, w, n))
        return;
    marks = marks_of(b, w);
    if ((marks & M_COLON) && url_by_masks(o, line, start, n, b, w))
        return;
    if (marks & ~M_SLASH)
        word(o, line, start, n, marks);
    else if ((n == 32 || n == 40 || n == 64) && (b->hex & w) == w)
        emit(o, n == 32 ? RURU_IOC_MD5 : n == 40 ? RURU_IOC_SHA1 : RURU_IOC_SHA256, start, n);
    else if (n == 32 || n == 40 || n == 64)
        word(o, line, start, n, marks); /* a hash within: "++++d41d...", "d41d...!!!!" */
    /* else word() would take nothing: no mark, and not of a hash's length */
}

/* The bits of the runs of `z` (within the words of bits e starting at bits st) from each
 * word's start to its first byte outside z: the bytes before a word's first byte of another
 * kind. One addition: a carry from each start runs through the word's first bytes in z and
 * stops at the first byte that is not. */
AVX2_INLINE uint64_t leading(uint64_t z, uint64_t st)
{
    return z & ~(z + (st & z));
}

/*
 * The candidates (marks and runs of 32) of block b0 that need no visit: those of a word whose
 * first '.', ':', '=', '@' or '/' is a '/' and that holds no '@' and no ":/" up to them.
 * nothing_in takes such a word for nothing (a name or path before its marks: "HTTP/1.1",
 * "Mozilla/5.0", "[01/Mar/2021:00:00:02"); so does word(), for a word longer than a block. A
 * word with an '@' or a ":/" after its first '/' keeps its candidates from there, and is
 * visited whole. A word that started in an earlier block is judged on its bytes in this one:
 * had those before held a mark or 32 bytes, it was visited from there.
 */
AVX2_INLINE uint64_t after_slash(const struct blk *b0, const struct blk *b1, uint64_t s0)
{
    uint64_t w = ~s0, st, first, fs, odd;

    if ((b0->slash & w) == 0)
        return 0;
    st = w & ~(w << 1);
    /* each word's first '.', ':', '=', '@' or '/' */
    first = (b0->mark | b0->slash) & w;
    first &= st | leading(w & ~first, st) << 1;
    fs = first & b0->slash;
    /* from that '/' on, up to the first '@' or ":/" */
    odd = (b0->at | (b0->colon & (b0->slash >> 1 | b1->slash << 63))) & w;
    return w & ~leading(w & ~fs, st) & leading(w & ~odd, st);
}

/*
 * Numbers: a word of digits, one '.' and digits ("1614556800.123456", "0.001", "5.0", "12.")
 * gives no token (an address has three dots, a host name a last label of letters, a hash no
 * dot). The candidates of block b0, less the dot that follows each word's leading digits; the
 * byte after the digits that follow that dot becomes one instead, when the word goes on
 * ("1.2.3.4", "1.5x", "10.evil": visited whole, from there). A dot whose digits run to the
 * block's end is kept: what follows is not known here. A word that started in an earlier
 * block is judged on its bytes here, as after_slash says.
 */
AVX2_INLINE uint64_t numbers(const struct blk *b0, uint64_t s0, uint64_t cand)
{
    uint64_t w = ~s0, st = w & ~(w << 1), dg = b0->digit & w, dot, run;

    dot = ((st & ~dg) | leading(dg, st) << 1) & b0->dot & w;
    if (dot == 0)
        return cand;
    run = leading(dg, dot << 1);
    if ((dot | run) >> 63)
        dot &= ~(1ull << (63 - __builtin_clzll(dot))); /* the last word's: it goes on */
    return (cand & ~dot) | ((dot << 1 | run << 1) & ~dg & w);
}

/* The loop, for each instruction set (tokens_cut.inc). */
#define CUT_FN          tokens_avx2
#define CUT_TARGET      AVX2_TARGET
#define CUT_INLINE      AVX2_INLINE
#define CUT_CLASSIFY_AT classify_avx2
#define CUT_CLASSIFY64  classify64_avx2
#include "scan/tokens_cut.inc"

#define CUT_FN          tokens_avx512
#define CUT_TARGET      AVX512_TARGET
#define CUT_INLINE      AVX512_INLINE
#define CUT_CLASSIFY_AT classify_avx512
#define CUT_CLASSIFY64  classify64_avx512
#include "scan/tokens_cut.inc"

#endif

bool ruru_tokens_can(enum ruru_cut c)
{
    switch (c) {
    case RURU_CUT_SCALAR:
        return true;
    case RURU_CUT_AVX2:
        return RURU_TOKENS_AVX2 && ruru_simd_avx2();
    case RURU_CUT_AVX512:
        return RURU_TOKENS_AVX2 && ruru_simd_avx512();
    }
    return false;
}

const char *ruru_tokens_cut_name(enum ruru_cut c)
{
    return c == RURU_CUT_AVX512 ? "AVX-512 BW" : c == RURU_CUT_AVX2 ? "AVX2" : "scalar";
}

size_t
ruru_tokens_with(enum ruru_cut c, const char *line, size_t len, struct ruru_token *out, size_t max)
{
#if RURU_TOKENS_AVX2
    if (c == RURU_CUT_AVX512 && ruru_tokens_can(c))
        return tokens_avx512(line, len, out, max);
    if (c == RURU_CUT_AVX2 && ruru_tokens_can(c))
        return tokens_avx2(line, len, out, max);
#endif
    (void)c;
    return tokens_scalar(line, len, out, max);
}

size_t ruru_tokens(const char *line, size_t len, struct ruru_token *out, size_t max)
{
#if RURU_TOKENS_AVX2
    if (ruru_simd_avx512())
        return tokens_avx512(line, len, out, max);
    if (ruru_simd_avx2())
        return tokens_avx2(line, len, out, max);
#endif
    return tokens_scalar(line, len, out, max);
}
