/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sigma values and their modifiers (Sigma modifiers appendix v2.1). A value goes through the
 * modifiers in the order they are written, as the specification says:
 *
 *   1. placeholders (|expand): %name% becomes each value defined for it;
 *   2. wildcards: '*' and '?' are wildcards, "\*", "\?" and "\\" the plain characters, and any
 *      other backslash is itself ("C:\Windows" needs no doubling);
 *   3. transformations, in order: windash (every "-" or "/" that starts a word becomes each of
 *      "-", "/", en dash, em dash, horizontal bar: all permutations), utf16le / wide /
 *      utf16be / utf16 (with a byte order mark), base64, base64offset (the three shifted
 *      encodings a value has inside a longer base64 string, cut to their stable middle);
 *   4. the match type: contains / startswith / endswith add wildcards at the ends; re, cidr,
 *      gt / gte / lt / lte, exists, fieldref, the time parts (minute ... year) and null are
 *      tests of their own; cased keeps case (the default ignores ASCII case); neq negates;
 *      all makes the values of the item ANDed instead of ORed.
 *
 * Worked example: `CommandLine|windash|contains: ' -enc '` gives five values, " -enc ",
 * " /enc ", " –enc ", " —enc ", " ―enc ", each matched anywhere, without regard to case.
 * `|wide|base64offset|contains: 'ping'` gives the three base64 forms of "p\0i\0n\0g\0".
 */
#include <arpa/inet.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/str.h"
#include "rules/sigma_int.h"

/* Values one written value may expand into (windash permutations, placeholders), and their
 * bytes in all for windash: Vectorscan compiles thousands of long spellings of one value, which
 * share long runs, in seconds (a 427-byte rule of five dashes: 5.4 s). */
#define MAX_EXPANSION     4096
#define MAX_WINDASH_BYTES 65536
#define MAX_VALUE         (64u * 1024u)

enum ruru_err ruru_sigma_parse_mods(const char *mods, struct value_mods *m, const char **why)
{
    static const struct {
        const char *name;
        char xf;
    } XF[] = {{"windash", 'w'}, {"base64", 'b'},  {"base64offset", 'o'}, {"utf16le", 'l'},
              {"wide", 'l'},    {"utf16be", 'B'}, {"utf16", 'u'}};
    static const struct {
        const char *name;
        uint8_t part;
    } TIME[] = {{"minute", T_MINUTE}, {"hour", T_HOUR},   {"day", T_DAY},
                {"week", T_WEEK},     {"month", T_MONTH}, {"year", T_YEAR}};
    const char *p = mods;
    int kinds = 0;

    memset(m, 0, sizeof(*m));
    while (*p != '\0') {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        char w[32];
        bool known = true;
        if (n == 0 || n >= sizeof(w)) {
            *why = n == 0 ? "empty modifier" : "unknown modifier";
            return RURU_EPARSE;
        }
        memcpy(w, p, n);
        w[n] = '\0';
        if (strcmp(w, "contains") == 0)
            m->contains = true, kinds++;
        else if (strcmp(w, "startswith") == 0)
            m->startswith = true, kinds++;
        else if (strcmp(w, "endswith") == 0)
            m->endswith = true, kinds++;
        else if (strcmp(w, "all") == 0)
            m->all = true;
        else if (strcmp(w, "re") == 0)
            m->re = true;
        else if (strcmp(w, "i") == 0 && m->re)
            m->re_i = true;
        else if (strcmp(w, "m") == 0 && m->re)
            m->re_m = true;
        else if (strcmp(w, "s") == 0 && m->re)
            m->re_s = true;
        else if (strcmp(w, "cased") == 0)
            m->cased = true;
        else if (strcmp(w, "cidr") == 0)
            m->cidr = true;
        else if (strcmp(w, "exists") == 0)
            m->exists = true;
        else if (strcmp(w, "fieldref") == 0)
            m->fieldref = true;
        else if (strcmp(w, "neq") == 0)
            m->neq = true;
        else if (strcmp(w, "expand") == 0)
            m->expand = true;
        else if (strcmp(w, "gt") == 0)
            m->cmp = CMP_GT;
        else if (strcmp(w, "gte") == 0)
            m->cmp = CMP_GTE;
        else if (strcmp(w, "lt") == 0)
            m->cmp = CMP_LT;
        else if (strcmp(w, "lte") == 0)
            m->cmp = CMP_LTE;
        else
            known = false;
        for (size_t k = 0; !known && k < sizeof(XF) / sizeof(XF[0]); k++)
            if (strcmp(w, XF[k].name) == 0) {
                if (m->n_xf == sizeof(m->xf)) {
                    *why = "too many modifiers";
                    return RURU_ELIMIT;
                }
                m->xf[m->n_xf++] = (uint8_t)XF[k].xf;
                known = true;
            }
        for (size_t k = 0; !known && k < sizeof(TIME) / sizeof(TIME[0]); k++)
            if (strcmp(w, TIME[k].name) == 0) {
                m->has_time = true;
                m->part = TIME[k].part;
                known = true;
            }
        if (!known) {
            *why = strcmp(w, "i") == 0 || strcmp(w, "m") == 0 || strcmp(w, "s") == 0
                           ? "i, m and s are flags of re and come after it"
                           : "unknown modifier";
            return RURU_EPARSE;
        }
        p += n + (bar != NULL);
        if (bar != NULL && *p == '\0') {
            *why = "empty modifier";
            return RURU_EPARSE;
        }
    }
    if (kinds > 1) {
        *why = "contains, startswith and endswith exclude each other";
        return RURU_EPARSE;
    }
    if (m->re && (kinds > 0 || m->cidr || m->n_xf > 0 || m->cmp != CMP_EQ)) {
        *why = "re takes no other match modifier";
        return RURU_EPARSE;
    }
    if (m->exists && (kinds > 0 || m->re || m->cidr || m->n_xf > 0 || m->fieldref)) {
        *why = "exists takes no other modifier";
        return RURU_EPARSE;
    }
    if (m->cidr && (kinds > 0 || m->n_xf > 0)) {
        *why = "cidr takes no string modifier";
        return RURU_EPARSE;
    }
    return RURU_OK;
}

/* ---- strings with wildcards ----------------------------------------------------------------- */

/* A value as bytes, with wild[i] set where byte i is a wildcard ('*' or '?'). */
struct sstr {
    unsigned char *b, *wild;
    size_t n, cap;
};

static bool sstr_put(struct sstr *s, unsigned char c, bool wild)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        unsigned char *b, *w;
        if (cap > MAX_VALUE * 8)
            return false;
        b = ruru_realloc(s->b, cap);
        if (b == NULL)
            return false;
        s->b = b;
        w = ruru_realloc(s->wild, cap);
        if (w == NULL)
            return false;
        s->wild = w;
        s->cap = cap;
    }
    s->b[s->n] = c;
    s->wild[s->n] = wild;
    s->n++;
    return true;
}

static void sstr_free(struct sstr *s)
{
    ruru_free(s->b);
    ruru_free(s->wild);
    memset(s, 0, sizeof(*s));
}

static bool has_wild(const struct sstr *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->wild[i])
            return true;
    return false;
}

/* Step 2: wildcards and escapes. */
static bool parse_wild(const char *t, size_t n, struct sstr *out)
{
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (c == '\\' && i + 1 < n && (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\')) {
            if (!sstr_put(out, (unsigned char)t[++i], false))
                return false;
        } else if (!sstr_put(out, (unsigned char)c, c == '*' || c == '?')) {
            return false;
        }
    }
    return true;
}

struct list {
    struct sstr *v;
    size_t n, cap;
};

static bool list_add(struct list *l, struct sstr s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        struct sstr *v = ruru_realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return false;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return true;
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        sstr_free(&l->v[i]);
    ruru_free(l->v);
    memset(l, 0, sizeof(*l));
}

static bool word_char(unsigned char c)
{
    return ruru_is_alpha((char)c) || ruru_is_digit((char)c) || c == '_';
}

/* windash: the permutations of every "-" or "/" that starts a word (as \B[-/]\b would). */
static bool windash(const struct sstr *s, struct list *out, const char **why)
{
    static const char *const dash[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};
    size_t pos[16], k = 0, combos = 1;

    for (size_t i = 0; i < s->n; i++) {
        bool at_start = i == 0 || !word_char(s->b[i - 1]);
        if (!s->wild[i] && (s->b[i] == '-' || s->b[i] == '/') && at_start && i + 1 < s->n &&
            word_char(s->b[i + 1])) {
            if (k == sizeof(pos) / sizeof(pos[0]) || (combos *= 5) > MAX_EXPANSION) {
                *why = "windash: too many dashes to permute";
                return false;
            }
            pos[k++] = i;
        }
    }
    /* each spelling is the value with up to 2 more bytes a dash (an en dash is 3) */
    if (combos > 1 && combos * (s->n + 2 * k) > MAX_WINDASH_BYTES) {
        *why = "windash: the value's spellings come to more than 65536 bytes";
        return false;
    }
    for (size_t c = 0; c < combos; c++) {
        struct sstr v = {0};
        size_t code = c, j = 0;
        bool ok = true;
        for (size_t i = 0; i < s->n && ok; i++) {
            if (j < k && pos[j] == i) {
                const char *d = dash[code % 5];
                code /= 5;
                j++;
                for (; *d && ok; d++)
                    ok = sstr_put(&v, (unsigned char)*d, false);
            } else {
                ok = sstr_put(&v, s->b[i], s->wild[i] != 0);
            }
        }
        if (!ok || !list_add(out, v)) {
            sstr_free(&v);
            *why = "out of memory";
            return false;
        }
    }
    return true;
}

/* UTF-8 to UTF-16 code units; a byte that is not part of valid UTF-8 stands for itself. */
static bool utf16(const struct sstr *s, char how, struct sstr *out)
{
    bool ok = true;

    if (how == 'u')
        ok = sstr_put(out, 0xff, false) && sstr_put(out, 0xfe, false);
    for (size_t i = 0; i < s->n && ok;) {
        unsigned char c = s->b[i];
        uint32_t cp = c;
        size_t len = 1;
        if (c >= 0xc2 && c < 0xe0 && i + 1 < s->n && (s->b[i + 1] & 0xc0) == 0x80) {
            cp = (uint32_t)(c & 0x1f) << 6 | (s->b[i + 1] & 0x3f);
            len = 2;
        } else if (c >= 0xe0 && c < 0xf0 && i + 2 < s->n && (s->b[i + 1] & 0xc0) == 0x80 &&
                   (s->b[i + 2] & 0xc0) == 0x80) {
            cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s->b[i + 1] & 0x3f) << 6 |
                 (s->b[i + 2] & 0x3f);
            len = 3;
        } else if (c >= 0xf0 && c < 0xf5 && i + 3 < s->n && (s->b[i + 1] & 0xc0) == 0x80 &&
                   (s->b[i + 2] & 0xc0) == 0x80 && (s->b[i + 3] & 0xc0) == 0x80) {
            cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s->b[i + 1] & 0x3f) << 12 |
                 (uint32_t)(s->b[i + 2] & 0x3f) << 6 | (s->b[i + 3] & 0x3f);
            len = 4;
        }
        i += len;
        {
            uint16_t u[2];
            size_t nu = 1;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                u[0] = (uint16_t)(0xd800 | (cp >> 10));
                u[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
                nu = 2;
            } else {
                u[0] = (uint16_t)cp;
            }
            for (size_t k = 0; k < nu && ok; k++) {
                unsigned char lo = (unsigned char)(u[k] & 0xff), hi = (unsigned char)(u[k] >> 8);
                ok = how == 'B' ? sstr_put(out, hi, false) && sstr_put(out, lo, false)
                                : sstr_put(out, lo, false) && sstr_put(out, hi, false);
            }
        }
    }
    return ok;
}

static bool b64(const unsigned char *in, size_t n, struct sstr *out, size_t from, size_t to)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;
    char q[4];

    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t rem = n - i;
        if (rem > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (rem > 2)
            v |= in[i + 2];
        q[0] = A[v >> 18 & 63];
        q[1] = A[v >> 12 & 63];
        q[2] = rem > 1 ? A[v >> 6 & 63] : '=';
        q[3] = rem > 2 ? A[v & 63] : '=';
        for (int j = 0; j < 4; j++, k++)
            if (k >= from && k < to && !sstr_put(out, (unsigned char)q[j], false))
                return false;
    }
    return true;
}

/* base64offset: the value shifted by 0, 1 and 2 bytes, encoded, cut to the part that does
 * not depend on its neighbours. */
static bool b64offset(const struct sstr *s, struct list *out)
{
    static const size_t start[3] = {0, 2, 3};
    static const size_t cut_end[3] = {0, 3, 2};

    for (size_t i = 0; i < 3; i++) {
        struct sstr v = {0};
        unsigned char *buf = ruru_malloc(s->n + 3);
        size_t enc_len = (s->n + i + 2) / 3 * 4, end_cut = cut_end[(s->n + i) % 3];
        bool ok;
        if (buf == NULL)
            return false;
        memset(buf, ' ', i);
        memcpy(buf + i, s->b, s->n);
        ok = enc_len > start[i] + end_cut && b64(buf, s->n + i, &v, start[i], enc_len - end_cut);
        ruru_free(buf);
        if (!ok || v.n == 0) {
            sstr_free(&v);
            continue; /* too short to have a stable middle */
        }
        if (!list_add(out, v)) {
            sstr_free(&v);
            return false;
        }
    }
    return true;
}

/* Step 3 for every value of `in`; the result replaces it. */
static bool transform(char xf, struct list *in, const char **why)
{
    struct list out = {0};

    for (size_t i = 0; i < in->n; i++) {
        struct sstr *s = &in->v[i];
        if (xf != 'w' && has_wild(s)) {
            *why = "wildcards cannot be encoded: escape them (\\*) or drop the encoding";
            list_free(&out);
            return false;
        }
        if (xf == 'w') {
            if (!windash(s, &out, why)) {
                list_free(&out);
                return false;
            }
        } else if (xf == 'o') {
            if (!b64offset(s, &out)) {
                *why = "out of memory";
                list_free(&out);
                return false;
            }
        } else {
            struct sstr v = {0};
            bool ok = xf == 'b' ? b64(s->b, s->n, &v, 0, (size_t)-1) : utf16(s, xf, &v);
            if (!ok || !list_add(&out, v)) {
                sstr_free(&v);
                *why = "out of memory";
                list_free(&out);
                return false;
            }
        }
        if (out.n > MAX_EXPANSION) {
            *why = "a value expands into too many values";
            list_free(&out);
            return false;
        }
    }
    list_free(in);
    *in = out;
    return true;
}

/* Step 1: %name% placeholders (\% is a plain percent sign). */
static bool
expand(struct ruru_rules *rs, const char *t, size_t n, struct list *out, const char **why)
{
    struct list cur = {0};
    struct sstr first = {0};
    bool ok = true;

    if (!list_add(&cur, first))
        return false;
    for (size_t i = 0; i < n && ok;) {
        if (t[i] == '\\' && i + 1 < n && t[i + 1] == '%') {
            for (size_t k = 0; k < cur.n && ok; k++)
                ok = sstr_put(&cur.v[k], '\\', false) && sstr_put(&cur.v[k], '%', false);
            i += 2;
            continue;
        }
        if (t[i] == '%') {
            const char *close = memchr(t + i + 1, '%', n - i - 1);
            struct list next = {0};
            size_t nl, found = 0;
            if (close == NULL) {
                *why = "an unclosed %placeholder%";
                ok = false;
                break;
            }
            nl = (size_t)(close - t - i - 1);
            for (size_t p = 0; p + 1 < rs->places.n && ok; p += 2) {
                const char *name = *(const char **)ruru_vec_at(&rs->places, p);
                const char *val = *(const char **)ruru_vec_at(&rs->places, p + 1);
                if (strlen(name) != nl || memcmp(name, t + i + 1, nl) != 0)
                    continue;
                found++;
                for (size_t k = 0; k < cur.n && ok; k++) {
                    struct sstr v = {0};
                    for (size_t q = 0; q < cur.v[k].n && ok; q++)
                        ok = sstr_put(&v, cur.v[k].b[q], false);
                    for (const char *q = val; *q && ok; q++)
                        ok = sstr_put(&v, (unsigned char)*q, false);
                    if (!ok || !list_add(&next, v)) {
                        sstr_free(&v);
                        ok = false;
                    }
                }
            }
            list_free(&cur);
            cur = next;
            if (!ok) {
                *why = "out of memory";
                break;
            }
            if (found == 0) {
                static char msg[160];
                snprintf(msg, sizeof(msg),
                         "placeholder %%%.*s%% is not defined (define it in the config)",
                         (int)(nl > 64 ? 64 : nl), t + i + 1);
                *why = msg;
                ok = false;
                break;
            }
            if (cur.n > MAX_EXPANSION) {
                *why = "placeholders expand into too many values";
                ok = false;
                break;
            }
            i += nl + 2;
            continue;
        }
        for (size_t k = 0; k < cur.n && ok; k++)
            ok = sstr_put(&cur.v[k], (unsigned char)t[i], false);
        i++;
    }
    if (!ok) {
        list_free(&cur);
        return false;
    }
    *out = cur;
    return true;
}

/* ---- compiling one value ---------------------------------------------------------------- */

static bool num_of(const char *t, double *out)
{
    char *end;

    if (*t == '\0')
        return false;
    *out = strtod(t, &end);
    return *end == '\0';
}

static bool cidr_of(const char *t, struct sval *v)
{
    char buf[64];
    const char *slash = strchr(t, '/');
    size_t n = slash ? (size_t)(slash - t) : strlen(t);
    unsigned maxp;
    char *end;
    long p;

    if (n >= sizeof(buf))
        return false;
    memcpy(buf, t, n);
    buf[n] = '\0';
    memset(v->net, 0, sizeof(v->net));
    if (inet_pton(AF_INET, buf, v->net) == 1) {
        v->v4 = true;
        maxp = 32;
    } else if (inet_pton(AF_INET6, buf, v->net) == 1) {
        v->v4 = false;
        maxp = 128;
    } else {
        return false;
    }
    if (slash == NULL) {
        v->prefix = maxp;
        return true;
    }
    p = strtol(slash + 1, &end, 10);
    if (end == slash + 1 || *end != '\0' || p < 0 || (unsigned long)p > maxp)
        return false;
    v->prefix = (unsigned)p;
    /* the network's host bits are not looked at */
    return true;
}

static bool push(struct ruru_vec *out, const struct sval *v)
{
    return ruru_vec_push(out, v) == RURU_OK;
}

/* One string (after the transformations) under the match type. */
static bool
add_string(struct ruru_rules *rs, const struct value_mods *m, struct sstr *s, struct ruru_vec *out)
{
    struct sval v;
    size_t lead = 0, trail = 0, inner = 0, from, to;
    unsigned char *buf, *wild;

    memset(&v, 0, sizeof(v));
    v.cased = m->cased;
    v.negate = m->neq;
    if (m->contains || m->endswith)
        lead = 1;
    if (m->contains || m->startswith)
        trail = 1;
    /* wildcards the value holds at its ends count as the same */
    from = 0;
    to = s->n;
    while (from < to && s->wild[from] && s->b[from] == '*')
        from++, lead = 1;
    while (to > from && s->wild[to - 1] && s->b[to - 1] == '*')
        to--, trail = 1;
    for (size_t i = from; i < to; i++)
        inner += s->wild[i] != 0;
    if (inner > 0) {
        /* a glob: the literal with its wildcards, '*' kept at the ends it had */
        size_t n = (to - from) + lead + trail, k = 0;
        buf = ruru_arena_alloc(&rs->arena, n + 1);
        wild = ruru_arena_alloc(&rs->arena, n + 1);
        if (buf == NULL || wild == NULL)
            return false;
        if (lead)
            buf[k] = '*', wild[k++] = 1;
        for (size_t i = from; i < to; i++, k++)
            buf[k] = s->b[i], wild[k] = s->wild[i];
        if (trail)
            buf[k] = '*', wild[k++] = 1;
        buf[k] = '\0';
        v.op = V_GLOB;
        v.s = (const char *)buf;
        v.len = k;
        v.wild = wild;
        return push(out, &v);
    }
    buf = ruru_arena_alloc(&rs->arena, to - from + 1);
    if (buf == NULL)
        return false;
    if (to > from)
        memcpy(buf, s->b + from, to - from);
    buf[to - from] = '\0';
    v.s = (const char *)buf;
    v.len = to - from;
    v.op = lead && trail ? V_CONTAINS : lead ? V_SUFFIX : trail ? V_PREFIX : V_EQ;
    if (v.op == V_CONTAINS && v.len == 0) {
        /* "*" alone: any value, which Sigma means as "the field is there" */
        v.op = V_EXISTS;
        v.want = !m->neq;
        v.negate = false;
    }
    return push(out, &v);
}

/* The regex in Vectorscan too, when it is ASCII and Vectorscan can express it (no back
 * references, lookarounds, possessive quantifiers ...): on an ASCII value the two agree,
 * and Vectorscan never backtracks, so a hostile value cannot make a rule's regex run long.
 * NULL when not: PCRE2 alone then. */
static hs_database_t *
vectorscan_re(struct ruru_rules *rs, const char *t, size_t len, const struct value_mods *m)
{
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    unsigned flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;

    if (strlen(t) != len)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)t[i] >= 0x80)
            return NULL;
    flags |= (m->re_i ? HS_FLAG_CASELESS : 0) | (m->re_m ? HS_FLAG_MULTILINE : 0) |
             (m->re_s ? HS_FLAG_DOTALL : 0);
    if (hs_compile(t, flags, HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
        hs_free_compile_error(cerr);
        return NULL;
    }
    if (ruru_vec_push(&rs->hs_regexes, &db) != RURU_OK) {
        hs_free_database(db);
        return NULL;
    }
    return db;
}

enum ruru_err ruru_sigma_value(struct ruru_rules *rs,
                               const struct value_mods *m,
                               const struct ruru_yaml *y,
                               struct ruru_vec *out,
                               const char **why)
{
    struct sval v;
    const char *t = y->text;

    memset(&v, 0, sizeof(v));
    v.cased = m->cased;
    v.negate = m->neq;
    if (y->len > MAX_VALUE) {
        *why = "a value longer than 64 KiB";
        return RURU_ELIMIT;
    }
    if (m->exists) {
        if (strcmp(t, "true") != 0 && strcmp(t, "false") != 0) {
            *why = "exists takes true or false";
            return RURU_EPARSE;
        }
        v.op = V_EXISTS;
        v.want = strcmp(t, "true") == 0;
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    if (ruru_yaml_is_null(y)) {
        v.op = V_NULL;
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    if (m->cmp != CMP_EQ || m->has_time) {
        v.op = m->has_time ? V_TIME : V_NUM;
        v.cmp = m->cmp;
        v.part = m->part;
        if (!num_of(t, &v.num)) {
            *why = "a comparison needs a number";
            return RURU_EPARSE;
        }
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    if (m->cidr) {
        v.op = V_CIDR;
        if (!cidr_of(t, &v)) {
            *why = "not an address range (10.0.0.0/8, fd00::/8)";
            return RURU_EPARSE;
        }
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    if (m->re) {
        int code;
        PCRE2_SIZE at;
        uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
        if (m->re_i)
            opts |= PCRE2_CASELESS;
        if (m->re_m)
            opts |= PCRE2_MULTILINE;
        if (m->re_s)
            opts |= PCRE2_DOTALL;
        v.op = V_RE;
        v.re = pcre2_compile((PCRE2_SPTR)t, y->len, opts, &code, &at, NULL);
        if (v.re == NULL) {
            static char msg[200];
            PCRE2_UCHAR err[120];
            pcre2_get_error_message(code, err, sizeof(err));
            snprintf(msg, sizeof(msg), "regular expression at offset %zu: %s", (size_t)at,
                     (const char *)err);
            *why = msg;
            return RURU_EPARSE;
        }
        (void)pcre2_jit_compile(v.re, PCRE2_JIT_COMPLETE); /* the interpreter if JIT fails */
        /* owned by the set, whatever becomes of the rule */
        if (ruru_vec_push(&rs->regexes, &v.re) != RURU_OK) {
            pcre2_code_free(v.re);
            return RURU_ENOMEM;
        }
        v.hs = vectorscan_re(rs, t, y->len, m);
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    if (m->fieldref) {
        v.op = V_FIELDREF;
        v.ref_op = m->contains     ? V_CONTAINS
                   : m->startswith ? V_PREFIX
                   : m->endswith   ? V_SUFFIX
                                   : V_EQ;
        v.s = ruru_arena_strndup(&rs->arena, t, y->len);
        v.len = y->len;
        if (v.s == NULL)
            return RURU_ENOMEM;
        return push(out, &v) ? RURU_OK : RURU_ENOMEM;
    }
    {
        struct list vals = {0};
        enum ruru_err err = RURU_OK;
        if (m->expand) {
            struct list raw = {0};
            if (!expand(rs, t, y->len, &raw, why))
                return strstr(*why, "memory") ? RURU_ENOMEM : RURU_EPARSE;
            for (size_t i = 0; i < raw.n && err == RURU_OK; i++) {
                struct sstr s = {0};
                if (!parse_wild((const char *)raw.v[i].b, raw.v[i].n, &s) || !list_add(&vals, s)) {
                    sstr_free(&s);
                    err = RURU_ENOMEM;
                }
            }
            list_free(&raw);
        } else {
            struct sstr s = {0};
            if (!parse_wild(t, y->len, &s) || !list_add(&vals, s)) {
                sstr_free(&s);
                err = RURU_ENOMEM;
            }
        }
        for (size_t k = 0; k < m->n_xf && err == RURU_OK; k++)
            if (!transform((char)m->xf[k], &vals, why))
                err = strcmp(*why, "out of memory") == 0 ? RURU_ENOMEM : RURU_EPARSE;
        for (size_t i = 0; i < vals.n && err == RURU_OK; i++)
            if (!add_string(rs, m, &vals.v[i], out))
                err = RURU_ENOMEM;
        list_free(&vals);
        return err;
    }
}

/* ---- matching strings --------------------------------------------------------------------- */

static inline unsigned char fold(unsigned char c, bool cased)
{
    return cased ? c : (unsigned char)ruru_lower((char)c);
}

static bool eq_at(const char *s, const char *p, size_t n, bool cased)
{
    if (cased)
        return memcmp(s, p, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (ruru_lower(s[i]) != ruru_lower(p[i]))
            return false;
    return true;
}

static bool find(const char *s, size_t n, const char *p, size_t m, bool cased)
{
    unsigned char f0, f1;

    if (m == 0)
        return true;
    if (m > n)
        return false;
    if (cased)
        return ruru_memmem(s, n, p, m) != NULL;
    f0 = (unsigned char)ruru_lower(p[0]);
    f1 = (unsigned char)(f0 >= 'a' && f0 <= 'z' ? f0 - 32 : f0);
    for (size_t i = 0; i + m <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c == f0 || c == f1) && eq_at(s + i + 1, p + 1, m - 1, false))
            return true;
    }
    return false;
}

bool ruru_sigma_glob(const struct sval *v, const char *s, size_t n)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    const unsigned char *p = (const unsigned char *)v->s;

    while (si < n) {
        if (pi < v->len && v->wild[pi] && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < v->len &&
                   ((v->wild[pi] && p[pi] == '?') ||
                    (!v->wild[pi] &&
                     fold(p[pi], v->cased) == fold((unsigned char)s[si], v->cased)))) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < v->len && v->wild[pi] && p[pi] == '*')
        pi++;
    return pi == v->len;
}

bool ruru_sigma_str_match(const struct sval *v, const char *s, size_t n)
{
    switch (v->op) {
    case V_EQ:
        return n == v->len && eq_at(s, v->s, n, v->cased);
    case V_PREFIX:
        return n >= v->len && eq_at(s, v->s, v->len, v->cased);
    case V_SUFFIX:
        return n >= v->len && eq_at(s + n - v->len, v->s, v->len, v->cased);
    case V_CONTAINS:
        return find(s, n, v->s, v->len, v->cased);
    case V_GLOB:
        return ruru_sigma_glob(v, s, n);
    default:
        return false;
    }
}
