/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STIX 2.1 pattern engine (pattern.h). docs/internals/pattern.md has the semantics; in
 * short, and as the OASIS reference matcher has them:
 *
 *  - An observation expression [...] holds for an observation when its comparison
 *    expression names at least one "root" object: a test holds for the objects of the path's
 *    type one of whose values (after _ref / _refs dereferencing, list indexes and [*]) passes;
 *    AND keeps the roots both sides hold for, OR those either holds for. So
 *    [file:name = 'a' AND file:size = 1] needs one file that has both.
 *  - An observed-data seen number_observed times is that many observations. The observation
 *    operators work on bindings, sets of distinct observations: AND and FOLLOWEDBY join a
 *    binding of each side that share no observation (FOLLOWEDBY: and whose times can be put
 *    in order), OR takes the bindings of either side, REPEATS n joins n disjoint bindings,
 *    WITHIN keeps bindings whose intervals fit in the window, START / STOP those inside
 *    [start, stop).
 *  - Equality and order compare like with like (numbers with numbers, strings with strings by
 *    code point, binary with binary, or with a string whose code points are all below 256);
 *    other pairs are unequal and unordered. A timestamp literal reads the value as a
 *    timestamp, and a value that is none makes the pattern invalid here. LIKE and MATCHES
 *    compare NFC-normalised text; = and IN compare code points as they are.
 *
 * The bindings are searched depth first and the search stops at the first binding of the whole
 * pattern, so "[a] REPEATS 10 TIMES" over many observations costs what finding ten costs; a
 * step budget bounds the search of a pattern that does not match (RURU_ELIMIT), so that a
 * hostile REPEATS cannot hold a sweep.
 */
#include "pattern/pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/stix_pattern.h"
#include "pattern/pattern_int.h"

/* Most observations (number_observed summed) one evaluation takes. */
#define MAX_OBSERVATIONS ((size_t)1 << 20)

/* ---- small helpers ---------------------------------------------------------------------- */

struct ts {
    int64_t s;
    int32_t ns;
};

static int ts_cmp(struct ts a, struct ts b)
{
    if (a.s != b.s)
        return a.s < b.s ? -1 : 1;
    return a.ns < b.ns ? -1 : a.ns > b.ns;
}

bool ruru_pattern_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The code points of UTF-8 text s[0..n) as Latin-1 bytes into out (n bytes at least); false
 * when one is 256 or more. The text is valid UTF-8 (jansson and the parser check it). */
static bool to_latin1(const unsigned char *s, size_t n, unsigned char *out, size_t *out_len)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x80) {
            out[k++] = s[i];
        } else if ((s[i] == 0xc2 || s[i] == 0xc3) && i + 1 < n) {
            out[k++] = (unsigned char)(((s[i] & 0x03) << 6) | (s[i + 1] & 0x3f));
            i++;
        } else {
            return false;
        }
    }
    *out_len = k;
    return true;
}

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* NFC of UTF-8 text; *owned is set when the result must be freed (ruru_free is free). NULL
 * when memory runs out or the text is not UTF-8. */
const char *ruru_pattern_nfc(const char *s, size_t n, size_t *out_len, char **owned)
{
    uint8_t *r;

    *owned = NULL;
    if (is_ascii(s, n)) {
        *out_len = n;
        return s;
    }
    r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, n, NULL, out_len);
    if (r == NULL && errno == EILSEQ) {
        /* not UTF-8: nothing to normalise, the bytes are compared as they are */
        *out_len = n;
        return s;
    }
    *owned = (char *)r;
    return (const char *)r;
}

/* UTF-8 to code points; out holds n entries at least. */
static size_t code_points(const unsigned char *s, size_t n, uint32_t *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n;) {
        uint32_t c = s[i];
        size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        if (i + len > n)
            len = n - i;
        if (len == 2)
            c &= 0x1f;
        else if (len == 3)
            c &= 0x0f;
        else if (len == 4)
            c &= 0x07;
        for (size_t j = 1; j < len; j++)
            c = (c << 6) | (s[i + j] & 0x3f);
        out[k++] = c;
        i += len;
    }
    return k;
}

/* SQL LIKE: % any run, _ any one character, everything else itself; the whole value. */
#define LIKE_MATCH(NAME, T)                                        \
    static bool NAME(const T *v, size_t nv, const T *p, size_t np) \
    {                                                              \
        size_t i = 0, j = 0, star = (size_t)-1, mark = 0;          \
        while (i < nv) {                                           \
            if (j < np && p[j] == '%') {                           \
                star = j++;                                        \
                mark = i;                                          \
            } else if (j < np && (p[j] == '_' || p[j] == v[i])) {  \
                i++;                                               \
                j++;                                               \
            } else if (star != (size_t)-1) {                       \
                j = star + 1;                                      \
                i = ++mark;                                        \
            } else {                                               \
                return false;                                      \
            }                                                      \
        }                                                          \
        while (j < np && p[j] == '%')                              \
            j++;                                                   \
        return j == np;                                            \
    }
LIKE_MATCH(like_cp, uint32_t)
LIKE_MATCH(like_bytes, unsigned char)

/* An address or CIDR (a plain address is its own /32 or /128). */
static bool parse_net(const char *s, size_t n, struct net *out)
{
    char buf[64];
    const char *slash;
    size_t alen;
    unsigned max;

    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    slash = strchr(buf, '/');
    alen = slash != NULL ? (size_t)(slash - buf) : n;
    buf[alen] = '\0';
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    out->prefix = max;
    if (slash != NULL) {
        const char *d = slash + 1;
        unsigned v = 0;
        if (*d == '\0' || strlen(d) > 3)
            return false;
        for (; *d != '\0'; d++) {
            if (!ruru_is_digit(*d))
                return false;
            v = v * 10 + (unsigned)(*d - '0');
        }
        if (v > max)
            return false;
        out->prefix = v;
    }
    return true;
}

/* Is network `in` inside network `out`? */
static bool net_within(const struct net *in, const struct net *out)
{
    unsigned bits = out->prefix;

    if (in->family != out->family || in->prefix < out->prefix)
        return false;
    for (unsigned i = 0; i < bits / 8; i++)
        if (in->addr[i] != out->addr[i])
            return false;
    if (bits % 8 != 0) {
        unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));
        if ((in->addr[bits / 8] & mask) != (out->addr[bits / 8] & mask))
            return false;
    }
    return true;
}

/* ---- compiling ---------------------------------------------------------------------------- */

static pcre2_code *compile_re(const char *s, size_t n, uint32_t opts, char *why, size_t why_len)
{
    int code;
    PCRE2_SIZE at;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, n, opts, &code, &at, NULL);

    if (re == NULL) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(why, why_len, "a regular expression that does not compile: %s", (char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter if JIT fails */
    return re;
}

static bool lit_is_number(const struct ruru_stix_lit *l)
{
    return l->kind == RURU_STIX_INT || l->kind == RURU_STIX_FLOAT;
}

/* Compiles a TEST node; false with the reason in why. */
static bool
compile_test(struct ruru_pattern *p, struct ruru_stix_node *n, char *why, size_t why_len, bool *oom)
{
    struct test *t = ruru_calloc(1, sizeof(*t));
    struct test **grown;
    const struct ruru_stix_lit *l = n->n_lits > 0 ? &n->lits[0] : NULL;

    if (t == NULL || (grown = ruru_realloc(p->tests, (p->n_tests + 1) * sizeof(*grown))) == NULL) {
        ruru_free(t);
        *oom = true;
        return false;
    }
    p->tests = grown;
    p->tests[p->n_tests++] = t;
    n->aux = t;
    {
        size_t k = 0;
        while (k < p->n_types && strcmp(p->types[k], n->path.type) != 0)
            k++;
        if (k == p->n_types) {
            const char **g = ruru_realloc(p->types, (p->n_types + 1) * sizeof(*g));
            if (g == NULL) {
                *oom = true;
                return false;
            }
            p->types = g;
            p->types[p->n_types++] = n->path.type;
        }
    }

    for (size_t i = 0; i < n->path.n_steps; i++) {
        if (n->path.steps[i].kind == RURU_STIX_INDEX && n->path.steps[i].index < 0) {
            snprintf(why, why_len, "a negative list index");
            return false;
        }
    }
    switch (n->op) {
    case RURU_STIX_IN:
        for (size_t i = 1; i < n->n_lits; i++) {
            bool same =
                    n->lits[i].kind == l->kind || (lit_is_number(l) && lit_is_number(&n->lits[i]));
            if (!same) {
                snprintf(why, why_len, "a set whose members are not all of one type");
                return false;
            }
        }
        t->set_of_times = l != NULL && l->kind == RURU_STIX_TIME;
        return true;
    case RURU_STIX_LIKE:
    case RURU_STIX_MATCHES: {
        size_t len, blen;
        char *owned;
        const char *s = ruru_pattern_nfc(l->s, l->len, &len, &owned);
        unsigned char *bin;

        if (s == NULL) {
            *oom = true;
            return false;
        }
        if ((bin = ruru_malloc(len + 1)) == NULL) {
            ruru_free(owned);
            *oom = true;
            return false;
        }
        if (!to_latin1((const unsigned char *)s, len, bin, &blen)) {
            ruru_free(bin);
            bin = NULL;
        }
        if (n->op == RURU_STIX_LIKE) {
            if ((t->like = ruru_malloc((len + 1) * sizeof(uint32_t))) == NULL) {
                ruru_free(owned);
                ruru_free(bin);
                *oom = true;
                return false;
            }
            t->n_like = code_points((const unsigned char *)s, len, t->like);
            t->like_bin = bin;
            t->n_like_bin = bin != NULL ? blen : 0;
        } else {
            t->re = compile_re(s, len, PCRE2_UTF | PCRE2_UCP, why, why_len);
            if (t->re != NULL && bin != NULL)
                t->re_bin = compile_re((const char *)bin, blen, 0, why, why_len);
            ruru_free(bin);
            if (t->re == NULL || (bin != NULL && t->re_bin == NULL)) {
                ruru_free(owned);
                return false;
            }
        }
        ruru_free(owned);
        return true;
    }
    case RURU_STIX_ISSUBSET:
    case RURU_STIX_ISSUPERSET:
        if (!parse_net(l->s, l->len, &t->net)) {
            snprintf(why, why_len, "'%.*s' is no IP address or CIDR block",
                     (int)(l->len > 64 ? 64 : l->len), l->s);
            return false;
        }
        return true;
    default:
        return true;
    }
}

static bool
compile_node(struct ruru_pattern *p, struct ruru_stix_node *n, char *why, size_t why_len, bool *oom)
{
    switch (n->kind) {
    case RURU_STIX_TEST:
        return compile_test(p, n, why, why_len, oom);
    case RURU_STIX_OBSERVATION: {
        struct ruru_stix_node **grown;
        if (p->n_leaves == RURU_PATTERN_MAX_LEAVES) {
            snprintf(why, why_len, "more than %d observation expressions", RURU_PATTERN_MAX_LEAVES);
            return false;
        }
        grown = ruru_realloc(p->leaves, (p->n_leaves + 1) * sizeof(*grown));
        if (grown == NULL) {
            *oom = true;
            return false;
        }
        p->leaves = grown;
        p->leaves[p->n_leaves++] = n;
        return compile_node(p, n->a, why, why_len, oom);
    }
    case RURU_STIX_REPEATS:
        if (n->times < 1) {
            snprintf(why, why_len, "REPEATS needs a count of at least 1");
            return false;
        }
        return compile_node(p, n->a, why, why_len, oom);
    case RURU_STIX_WITHIN:
        if (!(n->seconds > 0)) {
            snprintf(why, why_len, "WITHIN needs a positive number of seconds");
            return false;
        }
        return compile_node(p, n->a, why, why_len, oom);
    default:
        if (!compile_node(p, n->a, why, why_len, oom))
            return false;
        return n->b == NULL || compile_node(p, n->b, why, why_len, oom);
    }
}

enum ruru_err ruru_pattern_compile(const char *text,
                                   size_t len,
                                   struct ruru_pattern **out,
                                   struct ruru_diag *diag)
{
    struct ruru_pattern *p = ruru_calloc(1, sizeof(*p));
    const char *error = NULL;
    size_t pos = 0;
    enum ruru_err err;
    char why[200] = "";
    bool oom = false;

    *out = NULL;
    if (p == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    ruru_arena_init(&p->arena, 4096, (size_t)64 << 20);
    err = ruru_stix_parse(text, len, &p->arena, &p->root, &error, &pos);
    if (err != RURU_OK) {
        ruru_pattern_destroy(p);
        if (err == RURU_ENOMEM)
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, pos + 1, "%s", error);
    }
    if (!compile_node(p, p->root, why, sizeof(why), &oom)) {
        ruru_pattern_destroy(p);
        if (oom)
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "%s", why);
    }
    if (!ruru_pattern_find_needles(p)) {
        ruru_pattern_destroy(p);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = p;
    return RURU_OK;
}

void ruru_pattern_destroy(struct ruru_pattern *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_tests; i++) {
        struct test *t = p->tests[i];
        pcre2_code_free(t->re);
        pcre2_code_free(t->re_bin);
        ruru_free(t->like);
        ruru_free(t->like_bin);
        ruru_free(t);
    }
    ruru_free(p->tests);
    ruru_free(p->types);
    ruru_free(p->leaves);
    ruru_arena_fini(&p->arena);
    ruru_free(p);
}

/* Does every binding of n hold at most one observation? */
static bool single(const struct ruru_stix_node *n)
{
    switch (n->kind) {
    case RURU_STIX_OBSERVATION:
        return true;
    case RURU_STIX_OBS_OR:
        return single(n->a) && single(n->b);
    case RURU_STIX_WITHIN:
    case RURU_STIX_STARTSTOP:
        return single(n->a);
    case RURU_STIX_REPEATS:
        return n->times == 1 && single(n->a);
    default:
        return false;
    }
}

const char *const *ruru_pattern_types(const struct ruru_pattern *p, size_t *n)
{
    *n = p->n_types;
    return p->types;
}

bool ruru_pattern_single(const struct ruru_pattern *p)
{
    return single(p->root);
}

/* ---- one observation: values and tests ---------------------------------------------------- */

/* A value a path reached: JSON, bytes (a _hex / _bin property), or the objects a _refs list
 * named. */
enum vkind { V_JSON, V_BYTES, V_LIST };

struct val {
    enum vkind kind;
    const json_t *j;
    const unsigned char *b; /* V_BYTES */
    size_t n;               /* V_BYTES: length; V_LIST: entries */
    const json_t **list;    /* V_LIST */
};

struct eval {
    struct ruru_arena *scratch;
    pcre2_match_data *md;
    struct ruru_diag *diag;
    enum ruru_err err; /* the first failure; RURU_OK */
};

static bool fail(struct eval *ev, enum ruru_err err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Records the first failure of an evaluation; returns false. */
static bool fail(struct eval *ev, enum ruru_err err, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    if (ev->err != RURU_OK)
        return false;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ev->err = ruru_diag_set(ev->diag, err, NULL, 0, 0, "%s", msg);
    return false;
}

static bool hex_decode(struct eval *ev, const char *s, size_t n, struct val *out)
{
    unsigned char *b;

    if (n % 2 != 0)
        return fail(ev, RURU_EINVAL, "a _hex property that is not hex: '%s'", s);
    if ((b = ruru_arena_alloc(ev->scratch, n / 2 + 1)) == NULL)
        return fail(ev, RURU_ENOMEM, "%s", "out of memory");
    for (size_t i = 0; i < n; i += 2) {
        int hi = ruru_hexval(s[i]), lo = ruru_hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return fail(ev, RURU_EINVAL, "a _hex property that is not hex: '%s'", s);
        b[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    out->kind = V_BYTES;
    out->b = b;
    out->n = n / 2;
    return true;
}

static int b64(char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

static bool b64_decode(struct eval *ev, const char *s, size_t n, struct val *out)
{
    unsigned char *b;
    size_t k = 0, pad = 0;

    if (n % 4 != 0)
        return fail(ev, RURU_EINVAL, "a _bin property that is not base64: '%s'", s);
    if ((b = ruru_arena_alloc(ev->scratch, n / 4 * 3 + 1)) == NULL)
        return fail(ev, RURU_ENOMEM, "%s", "out of memory");
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++) {
            char c = s[i + (size_t)j];
            if (c == '=' && i + 4 == n && j >= 2 && (j == 3 || s[n - 1] == '=')) {
                v[j] = 0;
                pad++;
            } else if ((v[j] = b64(c)) < 0 || pad > 0) {
                return fail(ev, RURU_EINVAL, "a _bin property that is not base64: '%s'", s);
            }
        }
        b[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        b[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        b[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    out->kind = V_BYTES;
    out->b = b;
    out->n = k - pad;
    return true;
}

/* The timestamp a JSON string holds, for a comparison with a timestamp literal. */
static bool json_time(struct eval *ev, const json_t *j, struct ts *out)
{
    const char *s = json_string_value(j);

    if (!ruru_stix_timestamp(s, json_string_length(j), &out->s, &out->ns))
        return fail(ev, RURU_EINVAL, "a value compared with a timestamp that is none: '%s'", s);
    return true;
}

/* Equality of a value and a literal (the OASIS matcher's type table). *ok is false after a
 * failure (recorded in ev). */
static bool equal(struct eval *ev, const struct val *v, const struct ruru_stix_lit *l, bool *ok)
{
    const json_t *j = v->j;
    unsigned char tmp[256];
    size_t n;

    *ok = true;
    if (v->kind == V_LIST)
        return false;
    if (v->kind == V_BYTES) {
        if (l->kind == RURU_STIX_BIN)
            return l->len == v->n && memcmp(l->s, v->b, v->n) == 0;
        if (l->kind == RURU_STIX_STR && l->len <= sizeof(tmp) &&
            to_latin1((const unsigned char *)l->s, l->len, tmp, &n))
            return n == v->n && memcmp(tmp, v->b, n) == 0;
        if (l->kind == RURU_STIX_STR && l->len > sizeof(tmp)) {
            unsigned char *big = ruru_arena_alloc(ev->scratch, l->len);
            if (big == NULL)
                return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
            if (to_latin1((const unsigned char *)l->s, l->len, big, &n))
                return n == v->n && memcmp(big, v->b, n) == 0;
        }
        return false;
    }
    switch (l->kind) {
    case RURU_STIX_STR:
        return json_is_string(j) && json_string_length(j) == l->len &&
               memcmp(json_string_value(j), l->s, l->len) == 0;
    case RURU_STIX_INT:
        if (json_is_integer(j))
            return json_integer_value(j) == l->i;
        return json_is_real(j) && json_real_value(j) == (double)l->i;
    case RURU_STIX_FLOAT:
        return json_is_number(j) && json_number_value(j) == l->f;
    case RURU_STIX_BOOL:
        return json_is_boolean(j) && json_is_true(j) == l->b;
    case RURU_STIX_BIN: {
        unsigned char *big;
        if (!json_is_string(j))
            return false;
        if ((big = ruru_arena_alloc(ev->scratch, json_string_length(j) + 1)) == NULL)
            return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
        if (!to_latin1((const unsigned char *)json_string_value(j), json_string_length(j), big, &n))
            return false;
        return n == l->len && memcmp(big, l->s, n) == 0;
    }
    case RURU_STIX_TIME: {
        struct ts t;
        if (!json_is_string(j))
            return false;
        if (!json_time(ev, j, &t))
            return *ok = false;
        return t.s == l->sec && t.ns == l->nsec;
    }
    }
    return false;
}

static int bytes_cmp(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c != 0 ? c : na < nb ? -1 : na > nb;
}

/* The order of a value and a literal: *cmp, true when they are ordered at all. */
static bool
order(struct eval *ev, const struct val *v, const struct ruru_stix_lit *l, int *cmp, bool *ok)
{
    const json_t *j = v->j;
    unsigned char *tmp;
    size_t n;

    *ok = true;
    if (v->kind == V_LIST)
        return false;
    if (v->kind == V_BYTES) {
        if (l->kind == RURU_STIX_BIN) {
            *cmp = bytes_cmp(v->b, v->n, (const unsigned char *)l->s, l->len);
            return true;
        }
        if (l->kind != RURU_STIX_STR)
            return false;
        if ((tmp = ruru_arena_alloc(ev->scratch, l->len + 1)) == NULL)
            return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
        if (!to_latin1((const unsigned char *)l->s, l->len, tmp, &n))
            return false;
        *cmp = bytes_cmp(v->b, v->n, tmp, n);
        return true;
    }
    switch (l->kind) {
    case RURU_STIX_STR:
        if (!json_is_string(j))
            return false;
        *cmp = bytes_cmp((const unsigned char *)json_string_value(j), json_string_length(j),
                         (const unsigned char *)l->s, l->len);
        return true;
    case RURU_STIX_INT:
    case RURU_STIX_FLOAT: {
        double a, b = l->kind == RURU_STIX_INT ? (double)l->i : l->f;
        if (json_is_integer(j) && l->kind == RURU_STIX_INT) {
            json_int_t x = json_integer_value(j);
            *cmp = x < l->i ? -1 : x > l->i;
            return true;
        }
        if (!json_is_number(j))
            return false;
        a = json_number_value(j);
        *cmp = a < b ? -1 : a > b;
        return true;
    }
    case RURU_STIX_BIN:
        if (!json_is_string(j))
            return false;
        if ((tmp = ruru_arena_alloc(ev->scratch, json_string_length(j) + 1)) == NULL)
            return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
        if (!to_latin1((const unsigned char *)json_string_value(j), json_string_length(j), tmp, &n))
            return false;
        *cmp = bytes_cmp(tmp, n, (const unsigned char *)l->s, l->len);
        return true;
    case RURU_STIX_TIME: {
        struct ts t, lt = {l->sec, l->nsec};
        if (!json_is_string(j))
            return false;
        if (!json_time(ev, j, &t))
            return *ok = false;
        *cmp = ts_cmp(t, lt);
        return true;
    }
    case RURU_STIX_BOOL:
        return false;
    }
    return false;
}

static bool text_like(struct eval *ev, const struct test *t, const char *s, size_t n, bool *ok)
{
    size_t len;
    char *owned;
    const char *norm = ruru_pattern_nfc(s, n, &len, &owned);
    uint32_t *cp;
    bool r;

    *ok = true;
    if (norm == NULL ||
        (cp = ruru_arena_alloc(ev->scratch, (len + 1) * sizeof(uint32_t))) == NULL) {
        ruru_free(owned);
        return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
    }
    r = like_cp(cp, code_points((const unsigned char *)norm, len, cp), t->like, t->n_like);
    ruru_free(owned);
    return r;
}

static bool regex_search(struct eval *ev, const pcre2_code *re, const char *s, size_t n, bool *ok)
{
    int rc;

    *ok = true;
    if (ev->md == NULL && (ev->md = pcre2_match_data_create(1, NULL)) == NULL)
        return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
    rc = pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, ev->md, NULL);
    if (rc >= 0)
        return true;
    if (rc != PCRE2_ERROR_NOMATCH)
        return *ok = fail(ev, RURU_ELIMIT, "%s",
                          "a regular expression ran past PCRE2's match limit");
    return false;
}

/* The outcome of a test on one value before NOT. */
static bool
test_value(struct eval *ev, const struct ruru_stix_node *n, const struct val *v, bool *ok)
{
    const struct test *t = n->aux;
    const json_t *j = v->j;
    int cmp = 0;

    *ok = true;
    switch (n->op) {
    case RURU_STIX_EQ:
        return equal(ev, v, &n->lits[0], ok);
    case RURU_STIX_NEQ:
        return !equal(ev, v, &n->lits[0], ok);
    case RURU_STIX_LT:
    case RURU_STIX_LE:
    case RURU_STIX_GT:
    case RURU_STIX_GE:
        if (!order(ev, v, &n->lits[0], &cmp, ok))
            return false;
        return n->op == RURU_STIX_LT   ? cmp < 0
               : n->op == RURU_STIX_LE ? cmp <= 0
               : n->op == RURU_STIX_GT ? cmp > 0
                                       : cmp >= 0;
    case RURU_STIX_IN:
        for (size_t i = 0; i < n->n_lits; i++) {
            if (equal(ev, v, &n->lits[i], ok))
                return true;
            if (!*ok)
                return false;
        }
        return false;
    case RURU_STIX_LIKE:
        if (v->kind == V_BYTES)
            return t->like_bin != NULL && like_bytes(v->b, v->n, t->like_bin, t->n_like_bin);
        if (v->kind == V_JSON && json_is_string(j))
            return text_like(ev, t, json_string_value(j), json_string_length(j), ok);
        return false;
    case RURU_STIX_MATCHES:
        if (v->kind == V_BYTES)
            return t->re_bin != NULL && regex_search(ev, t->re_bin, (const char *)v->b, v->n, ok);
        if (v->kind == V_JSON && json_is_string(j)) {
            size_t len;
            char *owned;
            const char *norm =
                    ruru_pattern_nfc(json_string_value(j), json_string_length(j), &len, &owned);
            bool r;
            if (norm == NULL)
                return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
            r = regex_search(ev, t->re, norm, len, ok);
            ruru_free(owned);
            return r;
        }
        return false;
    case RURU_STIX_ISSUBSET:
    case RURU_STIX_ISSUPERSET: {
        struct net net;
        if (v->kind != V_JSON || !json_is_string(j))
            return false;
        if (!parse_net(json_string_value(j), json_string_length(j), &net))
            return *ok = fail(ev, RURU_EINVAL, "an IP address or CIDR block that is none: '%s'",
                              json_string_value(j));
        return n->op == RURU_STIX_ISSUBSET ? net_within(&net, &t->net) : net_within(&t->net, &net);
    }
    case RURU_STIX_EXISTS:
        return true;
    }
    return false;
}

/* Does one value `v` reached at path step `k` lead to a value that passes? */
static bool walk(struct eval *ev,
                 json_t *objects,
                 const struct ruru_stix_node *n,
                 const struct val *v,
                 size_t k,
                 bool *ok)
{
    const struct ruru_stix_step *st;
    struct val next = {V_JSON, NULL, NULL, 0, NULL};

    *ok = true;
    if (k == n->path.n_steps) {
        bool r = test_value(ev, n, v, ok);
        return *ok && (r != n->negated);
    }
    st = &n->path.steps[k];
    switch (st->kind) {
    case RURU_STIX_PROP: {
        const json_t *c;
        if (v->kind != V_JSON || !json_is_object(v->j) ||
            (c = json_object_get(v->j, st->name)) == NULL)
            return false;
        next.j = c;
        if (ruru_pattern_ends_with(st->name, "_hex") && json_is_string(c)) {
            if (!hex_decode(ev, json_string_value(c), json_string_length(c), &next))
                return *ok = false;
        } else if (ruru_pattern_ends_with(st->name, "_bin") && json_is_string(c)) {
            if (!b64_decode(ev, json_string_value(c), json_string_length(c), &next))
                return *ok = false;
        } else if (ruru_pattern_ends_with(st->name, "_ref")) {
            if (!json_is_string(c))
                return *ok = fail(ev, RURU_EINVAL,
                                  "the value of reference property '%s' is not a string", st->name);
            if ((next.j = json_object_get(objects, json_string_value(c))) == NULL)
                return false;
        } else if (ruru_pattern_ends_with(st->name, "_refs")) {
            size_t i, m = 0;
            const json_t *e;
            if (!json_is_array(c))
                return *ok = fail(ev, RURU_EINVAL,
                                  "the value of reference list property '%s' is not a list",
                                  st->name);
            next.kind = V_LIST;
            if ((next.list = ruru_arena_alloc(ev->scratch, (json_array_size(c) + 1) *
                                                                   sizeof(*next.list))) == NULL)
                return *ok = fail(ev, RURU_ENOMEM, "%s", "out of memory");
            json_array_foreach(c, i, e)
            {
                const json_t *o;
                if (!json_is_string(e))
                    return *ok = fail(ev, RURU_EINVAL,
                                      "a value of reference list property '%s' is not a string",
                                      st->name);
                if ((o = json_object_get(objects, json_string_value(e))) != NULL)
                    next.list[m++] = o;
            }
            if (m == 0)
                return false;
            next.n = m;
        }
        return walk(ev, objects, n, &next, k + 1, ok);
    }
    case RURU_STIX_INDEX:
        if (v->kind == V_LIST) {
            if ((size_t)st->index >= v->n)
                return false;
            next.j = v->list[st->index];
        } else if (v->kind == V_JSON && json_is_array(v->j)) {
            if ((size_t)st->index >= json_array_size(v->j))
                return false;
            next.j = json_array_get(v->j, (size_t)st->index);
        } else {
            return false;
        }
        return walk(ev, objects, n, &next, k + 1, ok);
    case RURU_STIX_ANY: {
        size_t m = v->kind == V_LIST                          ? v->n
                   : v->kind == V_JSON && json_is_array(v->j) ? json_array_size(v->j)
                                                              : 0;
        for (size_t i = 0; i < m; i++) {
            next.j = v->kind == V_LIST ? v->list[i] : json_array_get(v->j, i);
            if (walk(ev, objects, n, &next, k + 1, ok))
                return true;
            if (!*ok)
                return false;
        }
        return false;
    }
    }
    return false;
}

/* The roots (objects, by their position in `objects`) a comparison expression holds for, as
 * a bitset of `words` words; false after a failure. */
static bool
roots(struct eval *ev, const struct ruru_stix_node *n, json_t *objects, uint64_t *set, size_t words)
{
    memset(set, 0, words * sizeof(*set));
    if (n->kind == RURU_STIX_CMP_AND || n->kind == RURU_STIX_CMP_OR) {
        uint64_t *b = ruru_arena_alloc(ev->scratch, words * sizeof(*b) + 8);
        if (b == NULL)
            return fail(ev, RURU_ENOMEM, "%s", "out of memory");
        if (!roots(ev, n->a, objects, set, words) || !roots(ev, n->b, objects, b, words))
            return false;
        for (size_t i = 0; i < words; i++)
            set[i] = n->kind == RURU_STIX_CMP_AND ? set[i] & b[i] : set[i] | b[i];
        return true;
    }
    {
        const char *key;
        json_t *o;
        size_t i = 0;
        json_object_foreach(objects, key, o)
        {
            const json_t *type = json_object_get(o, "type");
            struct val v = {V_JSON, o, NULL, 0, NULL};
            bool ok;
            (void)key;
            if (json_is_string(type) && strcmp(json_string_value(type), n->path.type) == 0) {
                if (walk(ev, objects, n, &v, 0, &ok))
                    set[i / 64] |= (uint64_t)1 << (i % 64);
                if (!ok)
                    return false;
            }
            i++;
        }
    }
    return true;
}

/* Does observation o satisfy the observation expression `leaf`? */
static bool holds(struct eval *ev, const struct ruru_stix_node *leaf, json_t *objects)
{
    size_t words = (json_object_size(objects) + 63) / 64 + 1;
    uint64_t *set = ruru_arena_alloc(ev->scratch, words * sizeof(*set));

    if (objects == NULL || !json_is_object(objects))
        return false;
    if (set == NULL)
        return fail(ev, RURU_ENOMEM, "%s", "out of memory");
    if (!roots(ev, leaf->a, objects, set, words))
        return false;
    for (size_t i = 0; i < words; i++)
        if (set[i] != 0)
            return true;
    return false;
}

bool ruru_pattern_observes(const struct ruru_pattern *p, const struct ruru_pattern_obs *o)
{
    struct ruru_arena scratch;
    struct eval ev = {&scratch, NULL, NULL, RURU_OK};
    bool r = false;

    ruru_arena_init(&scratch, 4096, (size_t)64 << 20);
    for (size_t i = 0; i < p->n_leaves && !r && ev.err == RURU_OK; i++)
        r = holds(&ev, p->leaves[i], o->objects);
    pcre2_match_data_free(ev.md);
    ruru_arena_fini(&scratch);
    return r && ev.err == RURU_OK;
}

enum ruru_err ruru_pattern_leaves(const struct ruru_pattern *p,
                                  const struct ruru_pattern_obs *o,
                                  uint64_t *bits,
                                  bool *any,
                                  struct ruru_diag *diag)
{
    struct ruru_arena scratch;
    struct eval ev = {&scratch, NULL, diag, RURU_OK};

    ruru_diag_clear(diag);
    memset(bits, 0, RURU_PATTERN_LEAF_WORDS * sizeof(*bits));
    *any = false;
    ruru_arena_init(&scratch, 4096, (size_t)64 << 20);
    for (size_t i = 0; i < p->n_leaves && ev.err == RURU_OK; i++) {
        if (holds(&ev, p->leaves[i], o->objects) && ev.err == RURU_OK) {
            bits[i / 64] |= (uint64_t)1 << (i % 64);
            *any = true;
        }
        ruru_arena_reset(&scratch);
    }
    pcre2_match_data_free(ev.md);
    ruru_arena_fini(&scratch);
    if (ev.err != RURU_OK) {
        memset(bits, 0, RURU_PATTERN_LEAF_WORDS * sizeof(*bits));
        *any = false;
    }
    return ev.err;
}

/* ---- bindings ----------------------------------------------------------------------------- */

/*
 * A binding is a sorted array of observation indexes. Each node enumerates its bindings in
 * the reference matcher's order (AND: left outer, right inner; OR: left, then right; REPEATS:
 * combinations in lexicographic order) and hands each to a continuation, which says whether
 * to stop; so the search stops at the first binding of the whole pattern, and only a pattern
 * that does not match is searched through. Observations an enclosing AND, FOLLOWEDBY or
 * REPEATS has already taken cannot be in a binding it joins, so the leaves skip them (taken):
 * pruning only, since the joins check disjointness themselves.
 */

#define STEP_BUDGET 50000000u

struct run {
    const struct ruru_pattern *p;
    struct eval *ev;
    const struct ruru_pattern_obs *sdo;
    uint32_t *obs_sdo; /* observation -> its observed-data */
    size_t n_obs;
    bool *leaf_holds; /* [leaf * n_sdo + sdo] */
    size_t n_sdo;
    uint64_t *taken; /* bitmap over observations */
    uint64_t steps;
    uint32_t *found; /* the first binding of the pattern */
    size_t n_found;
};

struct kont;
typedef bool (*kont_fn)(struct run *r, struct kont *k, const uint32_t *b, size_t n);

struct kont {
    kont_fn fn;
    struct kont *next;
    const struct ruru_stix_node *node;
    const uint32_t *acc; /* AND / FOLLOWEDBY: the left binding; REPEATS: the union so far */
    size_t n_acc;
    int64_t left;   /* REPEATS: bindings still to pick */
    size_t from;    /* REPEATS: the first child binding (by its rank) this level may pick */
    size_t counter; /* REPEATS: rank of the child binding being offered */
};

static bool gen(struct run *r, const struct ruru_stix_node *n, struct kont *k);

static bool step(struct run *r)
{
    if (++r->steps <= STEP_BUDGET)
        return true;
    if (r->ev->err != RURU_OK)
        return false;
    return !fail(r->ev, RURU_ELIMIT,
                 "the pattern needs more than %u steps over these %zu observations", STEP_BUDGET,
                 r->n_obs);
}

static bool disjoint(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    size_t i = 0, j = 0;

    while (i < na && j < nb) {
        if (a[i] == b[j])
            return false;
        if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return true;
}

static void mark(struct run *r, const uint32_t *b, size_t n, bool on)
{
    for (size_t i = 0; i < n; i++) {
        if (on)
            r->taken[b[i] / 64] |= (uint64_t)1 << (b[i] % 64);
        else
            r->taken[b[i] / 64] &= ~((uint64_t)1 << (b[i] % 64));
    }
}

static struct ts first_of(const struct run *r, uint32_t o)
{
    const struct ruru_pattern_obs *s = &r->sdo[r->obs_sdo[o]];
    return (struct ts){s->first_sec, s->first_nsec};
}

static struct ts last_of(const struct run *r, uint32_t o)
{
    const struct ruru_pattern_obs *s = &r->sdo[r->obs_sdo[o]];
    return (struct ts){s->last_sec, s->last_nsec};
}

/* max(first_observed), min(last_observed) over a binding (n > 0). */
static void
span(const struct run *r, const uint32_t *a, size_t n, struct ts *max_first, struct ts *min_last)
{
    *max_first = first_of(r, a[0]);
    *min_last = last_of(r, a[0]);
    for (size_t i = 1; i < n; i++) {
        struct ts f = first_of(r, a[i]), l = last_of(r, a[i]);
        if (ts_cmp(f, *max_first) > 0)
            *max_first = f;
        if (ts_cmp(l, *min_last) < 0)
            *min_last = l;
    }
}

/* Calls k with the union of disjoint sorted a and b. */
static bool give_union(
        struct run *r, struct kont *k, const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    uint32_t small[64], *u = small;
    size_t i = 0, j = 0, m = 0;
    bool stop;

    if (na + nb > sizeof(small) / sizeof(small[0]) &&
        (u = ruru_malloc((na + nb) * sizeof(*u))) == NULL)
        return !fail(r->ev, RURU_ENOMEM, "%s", "out of memory");
    while (i < na || j < nb)
        u[m++] = j >= nb || (i < na && a[i] < b[j]) ? a[i++] : b[j++];
    stop = k->fn(r, k, u, m);
    if (u != small)
        ruru_free(u);
    return stop;
}

/* AND / FOLLOWEDBY, the right side: join it to the left binding. */
static bool join_right(struct run *r, struct kont *k, const uint32_t *b, size_t n)
{
    if (!step(r))
        return true;
    if (!disjoint(k->acc, k->n_acc, b, n))
        return false;
    if (k->node->kind == RURU_STIX_FOLLOWEDBY) {
        struct ts a_first, a_last, b_first, b_last;
        span(r, k->acc, k->n_acc, &a_first, &a_last);
        span(r, b, n, &b_first, &b_last);
        if (ts_cmp(a_first, b_last) > 0)
            return false;
    }
    return give_union(r, k->next, k->acc, k->n_acc, b, n);
}

/* AND / FOLLOWEDBY, the left side: enumerate the right side for it. */
static bool join_left(struct run *r, struct kont *k, const uint32_t *b, size_t n)
{
    struct kont right = {join_right, k->next, k->node, b, n, 0, 0, 0};
    bool stop;

    mark(r, b, n, true);
    stop = gen(r, k->node->b, &right);
    mark(r, b, n, false);
    return stop;
}

/* REPEATS: pick the child binding of rank k->counter when it is past k->from and disjoint. */
static bool repeat_pick(struct run *r, struct kont *k, const uint32_t *b, size_t n)
{
    size_t rank = k->counter++;
    uint32_t small[64], *u = small;
    size_t i = 0, j = 0, m = 0;
    bool stop;

    if (!step(r))
        return true;
    if (rank < k->from || !disjoint(k->acc, k->n_acc, b, n))
        return false;
    if (k->n_acc + n > sizeof(small) / sizeof(small[0]) &&
        (u = ruru_malloc((k->n_acc + n) * sizeof(*u))) == NULL)
        return !fail(r->ev, RURU_ENOMEM, "%s", "out of memory");
    while (i < k->n_acc || j < n)
        u[m++] = j >= n || (i < k->n_acc && k->acc[i] < b[j]) ? k->acc[i++] : b[j++];
    if (k->left == 1) {
        stop = k->next->fn(r, k->next, u, m);
    } else {
        struct kont deeper = {repeat_pick, k->next, k->node, u, m, k->left - 1, rank + 1, 0};
        stop = gen(r, k->node->a, &deeper);
    }
    if (u != small)
        ruru_free(u);
    return stop;
}

/* WITHIN and START / STOP: pass the bindings that fit. */
static bool filter_time(struct run *r, struct kont *k, const uint32_t *b, size_t n)
{
    const struct ruru_stix_node *q = k->node;

    if (!step(r))
        return true;
    if (q->kind == RURU_STIX_WITHIN) {
        struct ts max_first, min_last, d = {(int64_t)floor(q->seconds), 0};
        if (q->seconds > 1e15)
            d.s = (int64_t)1e15;
        else
            d.ns = (int32_t)llround((q->seconds - floor(q->seconds)) * 1e9);
        span(r, b, n, &max_first, &min_last);
        min_last.s += d.s;
        min_last.ns += d.ns;
        if (min_last.ns >= 1000000000) {
            min_last.s++;
            min_last.ns -= 1000000000;
        }
        if (ts_cmp(max_first, min_last) > 0)
            return false;
    } else {
        struct ts start = {q->start.sec, q->start.nsec}, stop = {q->stop.sec, q->stop.nsec};
        for (size_t i = 0; i < n; i++)
            if (ts_cmp(first_of(r, b[i]), stop) >= 0 || ts_cmp(last_of(r, b[i]), start) < 0)
                return false;
    }
    return k->next->fn(r, k->next, b, n);
}

static bool gen(struct run *r, const struct ruru_stix_node *n, struct kont *k)
{
    switch (n->kind) {
    case RURU_STIX_OBSERVATION: {
        size_t leaf = 0;
        while (r->p->leaves[leaf] != n)
            leaf++;
        for (uint32_t o = 0; o < r->n_obs; o++) {
            if (!r->leaf_holds[leaf * r->n_sdo + r->obs_sdo[o]] ||
                (r->taken[o / 64] >> (o % 64) & 1) != 0)
                continue;
            if (!step(r) || k->fn(r, k, &o, 1))
                return true;
        }
        return false;
    }
    case RURU_STIX_OBS_OR:
        return gen(r, n->a, k) || gen(r, n->b, k);
    case RURU_STIX_OBS_AND:
    case RURU_STIX_FOLLOWEDBY: {
        struct kont left = {join_left, k, n, NULL, 0, 0, 0, 0};
        return gen(r, n->a, &left);
    }
    case RURU_STIX_REPEATS: {
        struct kont first = {repeat_pick, k, n, NULL, 0, n->times, 0, 0};
        if (n->times == 1)
            return gen(r, n->a, k);
        if ((uint64_t)n->times > r->n_obs)
            return false; /* n disjoint non-empty bindings need n observations */
        return gen(r, n->a, &first);
    }
    case RURU_STIX_WITHIN:
    case RURU_STIX_STARTSTOP: {
        struct kont f = {filter_time, k, n, NULL, 0, 0, 0, 0};
        if (n->kind == RURU_STIX_STARTSTOP && ts_cmp((struct ts){n->start.sec, n->start.nsec},
                                                     (struct ts){n->stop.sec, n->stop.nsec}) >= 0)
            return false;
        return gen(r, n->a, &f);
    }
    default:
        return !fail(r->ev, RURU_EINVAL, "%s", "not an observation expression");
    }
}

/* The root's continuation: keep the first binding, stop. */
static bool found(struct run *r, struct kont *k, const uint32_t *b, size_t n)
{
    (void)k;
    if ((r->found = ruru_malloc((n + 1) * sizeof(*r->found))) == NULL)
        return !fail(r->ev, RURU_ENOMEM, "%s", "out of memory");
    memcpy(r->found, b, n * sizeof(*b));
    r->n_found = n;
    return true;
}

enum ruru_err ruru_pattern_match(const struct ruru_pattern *p,
                                 const struct ruru_pattern_obs *obs,
                                 size_t n,
                                 bool *matched,
                                 size_t *members,
                                 size_t max_members,
                                 size_t *n_members,
                                 struct ruru_diag *diag)
{
    struct ruru_arena scratch;
    struct eval ev = {&scratch, NULL, diag, RURU_OK};
    struct run r = {p, &ev, obs, NULL, 0, NULL, n, NULL, 0, NULL, 0};
    struct kont root = {found, NULL, NULL, NULL, 0, 0, 0, 0};
    size_t total = 0;

    *matched = false;
    if (n_members != NULL)
        *n_members = 0;
    ruru_diag_clear(diag);
    for (size_t i = 0; i < n; i++) {
        int64_t c = obs[i].count < 1 ? 1 : obs[i].count;
        if ((uint64_t)c > MAX_OBSERVATIONS || total + (size_t)c > MAX_OBSERVATIONS)
            return ruru_diag_set(diag, RURU_ELIMIT, NULL, 0, 0, "more than %zu observations",
                                 MAX_OBSERVATIONS);
        total += (size_t)c;
    }
    r.obs_sdo = ruru_malloc((total + 1) * sizeof(*r.obs_sdo));
    r.leaf_holds = ruru_calloc(p->n_leaves * n + 1, sizeof(bool));
    r.taken = ruru_calloc(total / 64 + 1, sizeof(uint64_t));
    if (r.obs_sdo == NULL || r.leaf_holds == NULL || r.taken == NULL) {
        ruru_free(r.obs_sdo);
        ruru_free(r.leaf_holds);
        ruru_free(r.taken);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (int64_t c = obs[i].count < 1 ? 1 : obs[i].count; c > 0; c--)
            r.obs_sdo[r.n_obs++] = (uint32_t)i;
    ruru_arena_init(&scratch, 4096, (size_t)256 << 20);
    /* every test on every observation, as the reference matcher does: an invalid comparison
     * anywhere makes the pattern invalid here */
    for (size_t leaf = 0; leaf < p->n_leaves && ev.err == RURU_OK; leaf++) {
        for (size_t i = 0; i < n && ev.err == RURU_OK; i++) {
            r.leaf_holds[leaf * n + i] =
                    obs[i].leaves != NULL ? (obs[i].leaves[leaf / 64] >> (leaf % 64) & 1) != 0
                                          : holds(&ev, p->leaves[leaf], obs[i].objects);
            ruru_arena_reset(&scratch);
        }
    }
    if (ev.err == RURU_OK && gen(&r, p->root, &root) && ev.err == RURU_OK && r.found != NULL) {
        *matched = true;
        for (size_t k = 0; n_members != NULL && k < r.n_found; k++) {
            size_t s = r.obs_sdo[r.found[k]];
            if (*n_members > 0 && members[*n_members - 1] == s)
                continue;
            if (*n_members < max_members)
                members[(*n_members)++] = s;
        }
    }
    pcre2_match_data_free(ev.md);
    ruru_arena_fini(&scratch);
    ruru_free(r.obs_sdo);
    ruru_free(r.leaf_holds);
    ruru_free(r.taken);
    ruru_free(r.found);
    if (ev.err != RURU_OK)
        *matched = false;
    return ev.err;
}
