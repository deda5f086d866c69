/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STIX patterning (STIX 2.1 §9): a recursive-descent parser over the OASIS grammar
 * (STIXPattern.g4), lowest precedence first:
 *
 *   pattern     := obs_follow END
 *   obs_follow  := obs_or ("FOLLOWEDBY" obs_or)*
 *   obs_or      := obs_and ("OR" obs_and)*
 *   obs_and     := obs_qual ("AND" obs_qual)*
 *   obs_qual    := obs_atom (WITHIN num SECONDS | REPEATS int TIMES | START t'..' STOP t'..')*
 *   obs_atom    := "[" cmp_or "]" | "(" obs_follow ")"
 *   cmp_or      := cmp_and ("OR" cmp_and)*
 *   cmp_and     := cmp_atom ("AND" cmp_atom)*
 *   cmp_atom    := "(" cmp_or ")" | "EXISTS" path | path ["NOT"] op literal
 *   path        := type ":" (ident | 'str') ("." (ident | 'str') | "[" (int | "*") "]")*
 *
 * The lexer follows the grammar's tokens: string literals with only \' and \\ escapes,
 * t'timestamp' (checked field by field), h'hex', b'base64', signed integers and decimals,
 * true/false, = == != <> < <= > >=, keywords in upper case, white space including the
 * Unicode spaces the grammar lists, and C-style block and line comments.
 *
 * No tree is built. While parsing, the equality comparisons on paths ruru types are
 * collected, and anything that makes the pattern more than a list of alternatives (AND,
 * FOLLOWEDBY, a qualifier, NOT, another operator or literal, an untyped path) clears the
 * `simple` flag; the caller then keeps the pattern whole.
 *
 * Example: "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example']" gives
 * two values, (cidr4, "198.51.100.1") and (domain, "evil.example"); "[file:name = 'a.exe' AND
 * file:size > 10]" parses but gives none (AND); "[file:name = 'a.exe'" does not parse
 * ("expected ']'" at offset 26).
 *
 * Nesting is bounded (MAX_DEPTH) so that "((((((..." cannot exhaust the stack.
 */
#include "intel/stix_pattern.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "base/time.h"

/* Parenthesis nesting deeper than this is no real pattern (generated ones nest a few levels);
 * it is refused rather than recursed into. Each level costs three stack frames. */
#define MAX_DEPTH 64
/* AND/OR/FOLLOWEDBY chains make trees as deep as they are long, which the pattern engine walks:
 * a pattern has at most this many operators, an object path at most this many steps (a
 * hostile pattern of 50,000 ORs or a path of 5,000 steps is refused, not compiled). */
#define MAX_OPERATORS 1000
#define MAX_STEPS     64
/* Room for a normalised object path. The longest path ruru types,
 * network-traffic:extensions.http-request-ext.request_header.user-agent, is 69 bytes; a
 * longer path is simply not typed. */
#define MAX_KEY 128

enum kind {
    T_END,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_COLON,
    T_DOT,
    T_STAR,
    T_OP,    /* see enum op */
    T_STR,   /* '...' */
    T_TIME,  /* t'...' */
    T_HEX,   /* h'...' */
    T_BIN,   /* b'...' */
    T_INT,   /* [+-]digits */
    T_FLOAT, /* [+-]digits?.digits */
    T_IDENT, /* identifiers, keywords, true/false */
    T_BAD
};

enum op { OP_EQ, OP_NEQ, OP_LT, OP_LE, OP_GT, OP_GE };

/* Literal kinds for the set rule: a set holds one kind (integers and decimals are one). */
enum lit { L_NONE, L_NUM, L_STR, L_BOOL, L_BIN, L_HEX, L_TIME };

struct tok {
    enum kind kind;
    size_t start, len; /* the token's bytes, quotes and prefix included */
    enum op op;        /* T_OP */
    bool neg;          /* T_INT, T_FLOAT: written with a leading '-' */
};

struct parser {
    const char *s;
    size_t len, pos; /* pos: where the lexer continues */
    struct tok t;    /* the current token */
    int depth;
    int operators;
    bool simple, oom;
    const char *error; /* first error; lexer errors are reported when the parser meets T_BAD */
    size_t error_pos;
    const char *lex_error;
    struct ruru_stix_value *out;
    size_t n_out;
    struct ruru_buf *values;
    struct ruru_arena *arena; /* ruru_stix_parse: the tree is built here; NULL: no tree */
    /* A hash compared with a value that is no such hash: an error of the whole pattern unless
     * it is simple (the importer then refuses that value alone, "malformed hash"). */
    bool bad_hash;
    size_t bad_hash_pos;
};

static const char *const KEYWORDS[] = {"AND",     "OR",         "NOT",      "FOLLOWEDBY", "LIKE",
                                       "MATCHES", "ISSUPERSET", "ISSUBSET", "EXISTS",     "LAST",
                                       "IN",      "START",      "STOP",     "SECONDS",    "true",
                                       "false",   "WITHIN",     "REPEATS",  "TIMES"};

/* Bytes of white space at s[0..n): ASCII and the Unicode spaces of the grammar's WS rule, in
 * UTF-8 (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). */
static size_t space_len(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;

    if (n == 0)
        return 0;
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
        return 2;
    if (n < 3)
        return 0;
    if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
        (s[0] == 0xe2 && s[1] == 0x80 &&
         (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf) && s[2] >= 0x80) ||
        (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
        (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
        return 3;
    return 0;
}

static bool is_ident_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '-';
}

static unsigned two_digits(const char *s)
{
    return (unsigned)(s[0] - '0') * 10u + (unsigned)(s[1] - '0');
}

/* YYYY-MM-DDTHH:MM:SS[.fraction]Z with every field in range (a leap second allowed). */
static bool is_timestamp(const char *s, size_t n)
{
    static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    static const size_t digits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    unsigned year, month, day;
    size_t i = 19;

    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    for (size_t k = 0; k < sizeof(digits) / sizeof(digits[0]); k++)
        if (!ruru_is_digit(s[digits[k]]))
            return false;
    if (s[i] == '.') {
        size_t f = ++i;
        while (i < n && ruru_is_digit(s[i]))
            i++;
        if (i == f)
            return false;
    }
    if (i + 1 != n || s[i] != 'Z')
        return false;
    year = two_digits(s) * 100u + two_digits(s + 2);
    month = two_digits(s + 5);
    day = two_digits(s + 8);
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
        return false;
    if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
        return false;
    return two_digits(s + 11) <= 23 && two_digits(s + 14) <= 59 && two_digits(s + 17) <= 60;
}

static bool is_b64(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '+' || c == '/';
}

/* Base64 in groups of four, the last one possibly padded; at least one group. */
static bool is_base64(const char *s, size_t n)
{
    if (n == 0 || n % 4 != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (is_b64(s[i]))
            continue;
        if (s[i] == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '='))
            continue;
        return false;
    }
    return true;
}

/* The body of t'...', h'...', b'...' starting at s[i] (after the quote). */
static void prefixed_literal(struct parser *p, size_t i, char prefix)
{
    const char *s = p->s;
    size_t body = i, n;

    while (i < p->len && s[i] != '\'')
        i++;
    if (i >= p->len) {
        p->t.kind = T_BAD;
        p->lex_error = "unterminated literal";
        p->pos = i;
        return;
    }
    n = i - body;
    p->pos = i + 1;
    if (prefix == 't') {
        p->t.kind = is_timestamp(s + body, n) ? T_TIME : T_BAD;
        p->lex_error = "malformed timestamp literal";
    } else if (prefix == 'h') {
        bool ok = n % 2 == 0;
        for (size_t k = body; k < i && ok; k++)
            ok = ruru_is_xdigit(s[k]);
        p->t.kind = ok ? T_HEX : T_BAD;
        p->lex_error = "malformed hex literal";
    } else {
        p->t.kind = is_base64(s + body, n) ? T_BIN : T_BAD;
        p->lex_error = "malformed binary literal";
    }
}

/* A number: [+-]? ('0' | [1-9][0-9]*) or [+-]? [0-9]* '.' [0-9]+ (the grammar's four
 * numeric literals). */
static void number(struct parser *p, size_t i)
{
    const char *s = p->s;
    size_t int_start, n_int;

    p->t.neg = s[i] == '-';
    if (s[i] == '-' || s[i] == '+')
        i++;
    int_start = i;
    while (i < p->len && ruru_is_digit(s[i]))
        i++;
    n_int = i - int_start;
    if (i + 1 < p->len && s[i] == '.' && ruru_is_digit(s[i + 1])) {
        for (i++; i < p->len && ruru_is_digit(s[i]);)
            i++;
        p->t.kind = T_FLOAT;
    } else if (n_int == 0 || (n_int > 1 && s[int_start] == '0')) {
        p->t.kind = T_BAD;
        p->lex_error = "malformed number";
        if (i == p->t.start)
            i++;
    } else {
        p->t.kind = T_INT;
    }
    p->pos = i;
}

static void next(struct parser *p)
{
    const char *s = p->s;
    size_t i = p->pos, w;

    for (;;) {
        while (i < p->len && (w = space_len(s + i, p->len - i)) > 0)
            i += w;
        if (i + 1 < p->len && s[i] == '/' && s[i + 1] == '*') {
            const char *end = ruru_memmem(s + i + 2, p->len - i - 2, "*/", 2);
            if (end == NULL) {
                p->t.kind = T_BAD;
                p->t.start = i;
                p->t.len = p->len - i;
                p->lex_error = "unterminated comment";
                p->pos = p->len;
                return;
            }
            i = (size_t)(end - s) + 2;
        } else if (i + 1 < p->len && s[i] == '/' && s[i + 1] == '/') {
            while (i < p->len && s[i] != '\n' && s[i] != '\r')
                i++;
        } else {
            break;
        }
    }
    memset(&p->t, 0, sizeof(p->t));
    p->t.start = i;
    p->pos = i + 1;
    if (i >= p->len) {
        p->t.kind = T_END;
        p->pos = i;
        return;
    }
    switch (s[i]) {
    case '[':
        p->t.kind = T_LBRACK;
        break;
    case ']':
        p->t.kind = T_RBRACK;
        break;
    case '(':
        p->t.kind = T_LPAREN;
        break;
    case ')':
        p->t.kind = T_RPAREN;
        break;
    case ',':
        p->t.kind = T_COMMA;
        break;
    case ':':
        p->t.kind = T_COLON;
        break;
    case '*':
        p->t.kind = T_STAR;
        break;
    case '=':
        p->t.kind = T_OP;
        p->t.op = OP_EQ;
        if (i + 1 < p->len && s[i + 1] == '=')
            p->pos++;
        break;
    case '!':
        p->t.kind = T_OP;
        p->t.op = OP_NEQ;
        if (i + 1 < p->len && s[i + 1] == '=') {
            p->pos++;
        } else {
            p->t.kind = T_BAD;
            p->lex_error = "unexpected character";
        }
        break;
    case '<':
    case '>':
        p->t.kind = T_OP;
        p->t.op = s[i] == '<' ? OP_LT : OP_GT;
        if (i + 1 < p->len && s[i + 1] == '=') {
            p->t.op = s[i] == '<' ? OP_LE : OP_GE;
            p->pos++;
        } else if (s[i] == '<' && i + 1 < p->len && s[i + 1] == '>') {
            p->t.op = OP_NEQ;
            p->pos++;
        }
        break;
    case '\'':
        p->t.kind = T_STR;
        for (i++; i < p->len && s[i] != '\''; i++) {
            if (s[i] != '\\')
                continue;
            if (i + 1 < p->len && (s[i + 1] == '\'' || s[i + 1] == '\\')) {
                i++;
            } else {
                p->t.kind = T_BAD;
                p->lex_error = "invalid escape in a string literal";
                break;
            }
        }
        if (p->t.kind == T_STR && i >= p->len) {
            p->t.kind = T_BAD;
            p->lex_error = "unterminated string literal";
        }
        p->pos = i < p->len ? i + 1 : p->len;
        break;
    case '.':
        if (i + 1 < p->len && ruru_is_digit(s[i + 1]))
            number(p, i);
        else
            p->t.kind = T_DOT;
        break;
    default:
        if (ruru_is_digit(s[i]) || s[i] == '-' || s[i] == '+') {
            number(p, i);
        } else if (ruru_is_alpha(s[i]) || s[i] == '_') {
            if ((s[i] == 't' || s[i] == 'h' || s[i] == 'b') && i + 1 < p->len && s[i + 1] == '\'') {
                prefixed_literal(p, i + 2, s[i]);
                break;
            }
            while (i < p->len && is_ident_char(s[i]))
                i++;
            p->t.kind = T_IDENT;
            p->pos = i;
        } else {
            p->t.kind = T_BAD;
            p->lex_error = "unexpected character";
        }
        break;
    }
    p->t.len = p->pos - p->t.start;
}

static bool kw(const struct parser *p, const char *w)
{
    size_t n = strlen(w);

    return p->t.kind == T_IDENT && p->t.len == n && memcmp(p->s + p->t.start, w, n) == 0;
}

static bool is_keyword(const struct parser *p)
{
    for (size_t i = 0; i < sizeof(KEYWORDS) / sizeof(KEYWORDS[0]); i++)
        if (kw(p, KEYWORDS[i]))
            return true;
    return false;
}

static bool fail(struct parser *p, const char *why)
{
    if (p->error == NULL) {
        p->error = p->t.kind == T_BAD && p->lex_error != NULL ? p->lex_error : why;
        p->error_pos = p->t.start;
    }
    return false;
}

/* ---- the tree --------------------------------------------------------------------------- */

static void *tree_alloc(struct parser *p, size_t n)
{
    void *v;

    if (p->arena == NULL)
        return NULL;
    if ((v = ruru_arena_alloc(p->arena, n)) == NULL) {
        p->oom = true;
        return NULL;
    }
    memset(v, 0, n);
    return v;
}

static struct ruru_stix_node *node(struct parser *p,
                                   enum ruru_stix_node_kind kind,
                                   struct ruru_stix_node *a,
                                   struct ruru_stix_node *b)
{
    struct ruru_stix_node *n = tree_alloc(p, sizeof(*n));

    if (n != NULL) {
        n->kind = kind;
        n->a = a;
        n->b = b;
    }
    return n;
}

static int b64val(char c)
{
    return ruru_is_alpha(c)   ? (c >= 'a' ? c - 'a' + 26 : c - 'A')
           : ruru_is_digit(c) ? c - '0' + 52
           : c == '+'         ? 62
           : c == '/'         ? 63
                              : -1;
}

/* The seconds and nanoseconds of a checked timestamp body. */
static void time_of(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
    int64_t y = two_digits(s) * 100 + two_digits(s + 2);
    int64_t days = ruru_days_from_civil(y, two_digits(s + 5), two_digits(s + 8));
    int32_t ns = 0, scale = 100000000;

    *sec = days * 86400 + two_digits(s + 11) * 3600 + two_digits(s + 14) * 60 + two_digits(s + 17);
    for (size_t i = 20; s[19] == '.' && i < n && ruru_is_digit(s[i]); i++, scale /= 10)
        if (scale > 0)
            ns += (s[i] - '0') * scale;
    *nsec = ns;
}

bool ruru_stix_timestamp(const char *s, size_t n, int64_t *sec, int32_t *nsec)
{
    if (!is_timestamp(s, n))
        return false;
    time_of(s, n, sec, nsec);
    return true;
}

/* The current token as a literal (the lexer has checked its form). */
static bool lit_of(struct parser *p, struct ruru_stix_lit *l)
{
    const char *s = p->s + p->t.start;
    size_t n = p->t.len;
    char *b;

    memset(l, 0, sizeof(*l));
    switch (p->t.kind) {
    case T_STR:
        l->kind = RURU_STIX_STR;
        if ((b = tree_alloc(p, n)) == NULL)
            return p->arena == NULL;
        for (size_t i = 1; i + 1 < n; i++) {
            if (s[i] == '\\')
                i++;
            b[l->len++] = s[i];
        }
        l->s = b;
        return true;
    case T_INT: {
        char num[32];
        char *end;
        if (n >= sizeof(num))
            return fail(p, "integer out of range");
        memcpy(num, s, n);
        num[n] = '\0';
        errno = 0;
        l->kind = RURU_STIX_INT;
        l->i = strtoll(num, &end, 10);
        if (errno == ERANGE)
            return fail(p, "integer out of range");
        return true;
    }
    case T_FLOAT: {
        char num[64];
        if (n >= sizeof(num))
            return fail(p, "number too long");
        memcpy(num, s, n);
        num[n] = '\0';
        l->kind = RURU_STIX_FLOAT;
        l->f = strtod(num, NULL);
        return true;
    }
    case T_IDENT:
        l->kind = RURU_STIX_BOOL;
        l->b = kw(p, "true");
        return true;
    case T_HEX:
        l->kind = RURU_STIX_BIN;
        l->hex = true;
        if ((b = tree_alloc(p, n)) == NULL)
            return p->arena == NULL;
        for (size_t i = 2; i + 2 < n; i += 2)
            b[l->len++] = (char)(ruru_hexval(s[i]) * 16 + ruru_hexval(s[i + 1]));
        l->s = b;
        return true;
    case T_BIN: {
        uint32_t acc = 0;
        int bits = 0;
        l->kind = RURU_STIX_BIN;
        if ((b = tree_alloc(p, n)) == NULL)
            return p->arena == NULL;
        for (size_t i = 2; i + 1 < n && s[i] != '='; i++) {
            acc = acc << 6 | (uint32_t)b64val(s[i]);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                b[l->len++] = (char)(acc >> bits & 0xff);
            }
        }
        l->s = b;
        return true;
    }
    case T_TIME:
        l->kind = RURU_STIX_TIME;
        time_of(s + 2, n - 3, &l->sec, &l->nsec);
        return true;
    default:
        return fail(p, "expected a value");
    }
}

/* A path step's name: an identifier, or a quoted string unescaped. */
static const char *step_name(struct parser *p)
{
    const char *s = p->s + p->t.start;
    size_t n = p->t.len, k = 0;
    char *b = tree_alloc(p, n + 1);

    if (b == NULL)
        return NULL;
    if (p->t.kind != T_STR) {
        memcpy(b, s, n);
        b[n] = '\0';
        return b;
    }
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\')
            i++;
        b[k++] = s[i];
    }
    b[k] = '\0';
    return b;
}

static void add_step(struct parser *p,
                     struct ruru_stix_path *path,
                     enum ruru_stix_step_kind kind,
                     const char *name,
                     int64_t index)
{
    struct ruru_stix_step *v;

    if (p->arena == NULL)
        return;
    if ((v = tree_alloc(p, (path->n_steps + 1) * sizeof(*v))) == NULL)
        return;
    if (path->n_steps > 0)
        memcpy(v, path->steps, path->n_steps * sizeof(*v));
    v[path->n_steps].kind = kind;
    v[path->n_steps].name = name;
    v[path->n_steps].index = index;
    path->steps = v;
    path->n_steps++;
}

static enum ruru_ioc_type path_type(const char *key, bool subset)
{
    static const struct {
        const char *path;
        enum ruru_ioc_type type;
    } paths[] = {
            {"ipv4-addr:value", RURU_IOC_CIDR4},
            {"ipv6-addr:value", RURU_IOC_CIDR6},
            {"domain-name:value", RURU_IOC_DOMAIN},
            {"url:value", RURU_IOC_URL},
            {"email-addr:value", RURU_IOC_EMAIL},
            {"email-message:from_ref.value", RURU_IOC_EMAIL},
            {"email-message:sender_ref.value", RURU_IOC_EMAIL},
            {"file:hashes.md5", RURU_IOC_MD5},
            {"file:hashes.sha-1", RURU_IOC_SHA1},
            {"file:hashes.sha1", RURU_IOC_SHA1},
            {"file:hashes.sha-256", RURU_IOC_SHA256},
            {"file:hashes.sha256", RURU_IOC_SHA256},
            {"file:hashes.sha-512", RURU_IOC_SHA512},
            {"file:hashes.sha512", RURU_IOC_SHA512},
            {"file:name", RURU_IOC_FILENAME},
            {"directory:path", RURU_IOC_FILEPATH},
            {"network-traffic:dst_ref.value", RURU_IOC_NONE},
            {"network-traffic:src_ref.value", RURU_IOC_NONE},
            {"x509-certificate:hashes.md5", RURU_IOC_X509_MD5},
            {"x509-certificate:hashes.sha-1", RURU_IOC_X509_SHA1},
            {"x509-certificate:hashes.sha1", RURU_IOC_X509_SHA1},
            {"x509-certificate:hashes.sha-256", RURU_IOC_X509_SHA256},
            {"x509-certificate:hashes.sha256", RURU_IOC_X509_SHA256},
            {"autonomous-system:number", RURU_IOC_ASN},
            {"mac-addr:value", RURU_IOC_MAC},
            {"mutex:name", RURU_IOC_MUTEX},
            {"windows-registry-key:key", RURU_IOC_REGKEY},
            {"email-message:additional_header_fields.reply_to", RURU_IOC_EMAIL},
            {"network-traffic:extensions.http-request-ext.request_header.user-agent",
             RURU_IOC_USER_AGENT},
    };

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (strcmp(key, paths[i].path) != 0)
            continue;
        /* ISSUBSET is a range test: it types only address paths. */
        if (subset && paths[i].type != RURU_IOC_CIDR4 && paths[i].type != RURU_IOC_CIDR6 &&
            paths[i].type != RURU_IOC_NONE)
            return RURU_IOC__COUNT;
        return paths[i].type;
    }
    return RURU_IOC__COUNT; /* no type: the pattern is kept whole */
}

/* Appends one path component to key (lower-cased, quotes removed); *typed is cleared when the
 * component could be confused with another path (a quoted '.', an escape) or does not fit. */
static void key_add(const struct parser *p, char *key, size_t *k, bool *typed)
{
    const char *c = p->s + p->t.start;
    size_t n = p->t.len;

    if (p->t.kind == T_STR) {
        c++;
        n -= 2;
        if (memchr(c, '.', n) != NULL || memchr(c, '\\', n) != NULL)
            *typed = false;
    }
    if (*k + n + 1 >= MAX_KEY) {
        *typed = false;
        return;
    }
    for (size_t i = 0; i < n; i++)
        key[(*k)++] = ruru_lower(c[i]);
    key[*k] = '\0';
}

/* An object path; `key` receives its normalised form, *typed whether it may name a type,
 * `tree` (for ruru_stix_parse) its steps. */
static bool path(struct parser *p, char *key, bool *typed, struct ruru_stix_path *tree)
{
    size_t k = 0;

    *typed = true;
    key[0] = '\0';
    memset(tree, 0, sizeof(*tree));
    if (p->t.kind != T_IDENT || is_keyword(p))
        return fail(p, "expected an object path");
    key_add(p, key, &k, typed);
    tree->type = step_name(p);
    next(p);
    if (p->t.kind != T_COLON)
        return fail(p, "expected ':' in an object path");
    if (k + 1 < MAX_KEY)
        key[k++] = ':';
    key[k] = '\0';
    next(p);
    if (!((p->t.kind == T_IDENT && !is_keyword(p)) || p->t.kind == T_STR))
        return fail(p, "expected a property name");
    key_add(p, key, &k, typed);
    add_step(p, tree, RURU_STIX_PROP, step_name(p), 0);
    next(p);
    for (size_t steps = 1;; steps++) {
        if (steps > MAX_STEPS)
            return fail(p, RURU_STIX_ERR_PATH_TOO_LONG);
        if (p->t.kind == T_DOT) {
            next(p);
            if (!((p->t.kind == T_IDENT && !is_keyword(p)) || p->t.kind == T_STR))
                return fail(p, "expected a property name");
            if (k + 1 < MAX_KEY)
                key[k++] = '.';
            key[k] = '\0';
            key_add(p, key, &k, typed);
            add_step(p, tree, RURU_STIX_PROP, step_name(p), 0);
            next(p);
        } else if (p->t.kind == T_LBRACK) {
            next(p);
            if (p->t.kind != T_INT && p->t.kind != T_STAR)
                return fail(p, "expected a list index");
            if (p->t.kind == T_STAR) {
                add_step(p, tree, RURU_STIX_ANY, NULL, 0);
            } else {
                struct ruru_stix_lit l;
                if (!lit_of(p, &l))
                    return false;
                add_step(p, tree, RURU_STIX_INDEX, NULL, l.i);
            }
            next(p);
            if (p->t.kind != T_RBRACK)
                return fail(p, "expected ']' closing a list index");
            next(p);
            *typed = false; /* list steps never name a value ruru types */
        } else {
            return true;
        }
    }
}

static enum lit literal_kind(const struct parser *p)
{
    switch (p->t.kind) {
    case T_INT:
    case T_FLOAT:
        return L_NUM;
    case T_STR:
        return L_STR;
    case T_BIN:
        return L_BIN;
    case T_HEX:
        return L_HEX;
    case T_TIME:
        return L_TIME;
    case T_IDENT:
        return kw(p, "true") || kw(p, "false") ? L_BOOL : L_NONE;
    default:
        return L_NONE;
    }
}

/* '(' [literal (',' literal)*] ')': all of one kind; the members into t->lits. */
static bool set_literal(struct parser *p, struct ruru_stix_node *t)
{
    enum lit first = L_NONE, k;

    if (p->t.kind != T_LPAREN)
        return fail(p, "expected '(' opening a set");
    next(p);
    if (p->t.kind == T_RPAREN) {
        next(p);
        return true;
    }
    for (;;) {
        k = literal_kind(p);
        if (k == L_NONE)
            return fail(p, "expected a value");
        if (first != L_NONE && k != first)
            return fail(p, "set of values of different types");
        first = k;
        if (t != NULL) {
            struct ruru_stix_lit *v = tree_alloc(p, (t->n_lits + 1) * sizeof(*v));
            if (v == NULL)
                return false;
            if (t->n_lits > 0)
                memcpy(v, t->lits, t->n_lits * sizeof(*v));
            if (!lit_of(p, &v[t->n_lits]))
                return false;
            t->lits = v;
            t->n_lits++;
        }
        next(p);
        if (p->t.kind == T_RPAREN) {
            next(p);
            return true;
        }
        if (p->t.kind != T_COMMA)
            return fail(p, "expected ',' or ')' in a set");
        next(p);
    }
}

static void add_value(struct parser *p, enum ruru_ioc_type type, const struct tok *v)
{
    struct ruru_stix_value *out;
    size_t start = v->start, end = v->start + v->len;

    if (p->n_out >= RURU_STIX_MAX_VALUES) {
        p->simple = false;
        return;
    }
    if (v->kind == T_STR) {
        start++;
        end--;
    } else if (p->s[start] == '+') {
        start++;
    }
    out = &p->out[p->n_out++];
    out->type = type;
    out->off = p->values->len;
    for (size_t i = start; i < end; i++) {
        if (v->kind == T_STR && p->s[i] == '\\')
            i++; /* the lexer admitted only \' and \\ */
        ruru_buf_addc(p->values, p->s[i]);
    }
    out->len = p->values->len - out->off;
    ruru_buf_addc(p->values, '\0');
    if (p->values->failed)
        p->oom = true;
}

static bool cmp_or(struct parser *p, struct ruru_stix_node **out);

/* path ["NOT"] op literal, after the path; t (may be NULL) the test node to fill. */
/* Hex digits of the hash algorithms the OASIS validator checks, by name without case or
 * punctuation ("SHA-256" = "sha256"); 0 for other names (SSDEEP, TLSH: not hex of one size). */
static size_t hash_hex_len(const char *name)
{
    static const struct {
        const char *name;
        size_t hex;
    } H[] = {{"md5", 32},     {"sha1", 40},     {"sha224", 56},    {"sha256", 64},
             {"sha384", 96},  {"sha512", 128},  {"sha3224", 56},   {"sha3256", 64},
             {"sha3384", 96}, {"sha3512", 128}, {"ripemd160", 40}, {"whirlpool", 128}};
    char n[16];
    size_t k = 0;

    for (; *name != '\0'; name++) {
        if (ruru_is_alpha(*name) || ruru_is_digit(*name)) {
            if (k + 1 >= sizeof(n))
                return 0;
            n[k++] = ruru_lower(*name);
        }
    }
    n[k] = '\0';
    for (size_t i = 0; i < sizeof(H) / sizeof(H[0]); i++)
        if (strcmp(n, H[i].name) == 0)
            return H[i].hex;
    return 0;
}

/* Whether `value` (a string token, quotes included) fits the hash the path `key` names
 * ("file:hashes.sha-256"); true for paths that name no hash the validator checks. */
static bool hash_fits(const char *key, const char *s, const struct tok *value)
{
    const char *dot = strrchr(key, '.');
    size_t want, n = value->len - 2;

    if (dot == NULL || dot - key < 7 || memcmp(dot - 7, ":hashes", 7) != 0 ||
        (want = hash_hex_len(dot + 1)) == 0)
        return true;
    if (n != want)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_xdigit(s[value->start + 1 + i]))
            return false;
    return true;
}

static bool comparison(struct parser *p, const char *key, bool typed, struct ruru_stix_node *t)
{
    static const enum ruru_stix_op OPS[] = {RURU_STIX_EQ, RURU_STIX_NEQ, RURU_STIX_LT,
                                            RURU_STIX_LE, RURU_STIX_GT,  RURU_STIX_GE};
    bool negated = false, eq = false, subset = false;
    struct tok value;
    enum lit lk;
    enum ruru_ioc_type type;
    enum ruru_stix_op op;

    if (kw(p, "NOT")) {
        negated = true;
        next(p);
    }
    if (t != NULL)
        t->negated = negated;
    if (p->t.kind == T_OP) {
        bool order = p->t.op != OP_EQ && p->t.op != OP_NEQ;
        eq = p->t.op == OP_EQ;
        op = OPS[p->t.op];
        next(p);
        lk = literal_kind(p);
        if (lk == L_NONE || (order && lk == L_BOOL))
            return fail(p, "expected a value");
    } else if (kw(p, "IN")) {
        next(p);
        p->simple = false;
        if (t != NULL)
            t->op = RURU_STIX_IN;
        return set_literal(p, t);
    } else if (kw(p, "LIKE") || kw(p, "MATCHES") || kw(p, "ISSUBSET") || kw(p, "ISSUPERSET")) {
        subset = kw(p, "ISSUBSET");
        op = kw(p, "LIKE")      ? RURU_STIX_LIKE
             : kw(p, "MATCHES") ? RURU_STIX_MATCHES
             : subset           ? RURU_STIX_ISSUBSET
                                : RURU_STIX_ISSUPERSET;
        next(p);
        if (p->t.kind != T_STR)
            return fail(p, "expected a string literal");
        lk = L_STR;
    } else {
        return fail(p, "expected a comparison operator");
    }
    if (t != NULL) {
        t->op = op;
        if ((t->lits = tree_alloc(p, sizeof(*t->lits))) == NULL)
            return false;
        t->n_lits = 1;
        if (!lit_of(p, &t->lits[0]))
            return false;
    }
    value = p->t;
    /* As the validator: "'f00' is not a valid SHA-256 hash". */
    if (typed && (op == RURU_STIX_EQ || op == RURU_STIX_NEQ) && lk == L_STR && !p->bad_hash &&
        !hash_fits(key, p->s, &value)) {
        p->bad_hash = true;
        p->bad_hash_pos = value.start;
    }
    next(p);
    if (negated || !(eq || subset) || !typed) {
        p->simple = false;
        return true;
    }
    type = path_type(key, subset);
    if (type == RURU_IOC__COUNT ||
        !(lk == L_STR || (type == RURU_IOC_ASN && value.kind == T_INT && !value.neg))) {
        p->simple = false;
        return true;
    }
    add_value(p, type, &value);
    return true;
}

static bool cmp_atom(struct parser *p, struct ruru_stix_node **out)
{
    char key[MAX_KEY];
    bool typed;
    struct ruru_stix_path path_tree;
    struct ruru_stix_node *t;

    *out = NULL;
    if (p->t.kind == T_LPAREN) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "pattern nested too deeply");
        next(p);
        if (!cmp_or(p, out))
            return false;
        if (p->t.kind != T_RPAREN)
            return fail(p, "expected ')'");
        next(p);
        p->depth--;
        return true;
    }
    t = node(p, RURU_STIX_TEST, NULL, NULL);
    if (p->oom)
        return false;
    if (kw(p, "EXISTS")) {
        next(p);
        p->simple = false;
        if (!path(p, key, &typed, &path_tree))
            return false;
        if (t != NULL) {
            t->op = RURU_STIX_EXISTS;
            t->path = path_tree;
        }
        *out = t;
        return true;
    }
    if (!path(p, key, &typed, &path_tree))
        return false;
    if (t != NULL)
        t->path = path_tree;
    *out = t;
    return comparison(p, key, typed, t) && !p->oom;
}

static bool cmp_and(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *b;

    if (!cmp_atom(p, out))
        return false;
    while (kw(p, "AND")) {
        if (++p->operators > MAX_OPERATORS)
            return fail(p, RURU_STIX_ERR_TOO_MANY_OPS);
        p->simple = false;
        next(p);
        if (!cmp_atom(p, &b))
            return false;
        *out = node(p, RURU_STIX_CMP_AND, *out, b);
    }
    return !p->oom;
}

static bool cmp_or(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *b;

    if (!cmp_and(p, out))
        return false;
    while (kw(p, "OR")) {
        if (++p->operators > MAX_OPERATORS)
            return fail(p, RURU_STIX_ERR_TOO_MANY_OPS);
        next(p);
        if (!cmp_and(p, &b))
            return false;
        *out = node(p, RURU_STIX_CMP_OR, *out, b);
    }
    return !p->oom;
}

static bool obs_follow(struct parser *p, struct ruru_stix_node **out);

static bool obs_atom(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *c;

    *out = NULL;
    if (p->t.kind == T_LBRACK) {
        next(p);
        if (!cmp_or(p, &c))
            return false;
        if (p->t.kind != T_RBRACK)
            return fail(p, "expected ']'");
        next(p);
        *out = node(p, RURU_STIX_OBSERVATION, c, NULL);
        return !p->oom;
    }
    if (p->t.kind == T_LPAREN) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "pattern nested too deeply");
        next(p);
        if (!obs_follow(p, out))
            return false;
        if (p->t.kind != T_RPAREN)
            return fail(p, "expected ')'");
        next(p);
        p->depth--;
        return true;
    }
    return fail(p, "expected '[' opening an observation");
}

/* START/STOP take a timestamp literal; a plain string holding one is STIX 2.0's form. */
static bool start_stop_time(struct parser *p, struct ruru_stix_lit *l)
{
    memset(l, 0, sizeof(*l));
    if (p->t.kind == T_TIME) {
        if (!lit_of(p, l))
            return false;
        next(p);
        return true;
    }
    if (p->t.kind == T_STR && is_timestamp(p->s + p->t.start + 1, p->t.len - 2)) {
        l->kind = RURU_STIX_TIME;
        time_of(p->s + p->t.start + 1, p->t.len - 2, &l->sec, &l->nsec);
        next(p);
        return true;
    }
    return fail(p, "expected a timestamp");
}

/* A qualifier may follow an observation once of each kind, as the OASIS validator has it
 * ("Duplicate qualifier type encountered"): WITHIN 5 SECONDS WITHIN 6 SECONDS says two
 * different things and neither wins. Returns false (the error set) for a repeated one. */
static bool qualifier_once(struct parser *p, unsigned *seen, unsigned kind)
{
    if (*seen & kind)
        return fail(p, RURU_STIX_ERR_QUALIFIER_TWICE);
    *seen |= kind;
    return true;
}

/* Whether START a STOP b is a window: STOP after START (the window is [a, b), so a == b holds
 * no instant). */
static bool is_window(const struct ruru_stix_lit *a, const struct ruru_stix_lit *b)
{
    return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

static bool obs_qual(struct parser *p, struct ruru_stix_node **out)
{
    unsigned seen = 0;

    if (!obs_atom(p, out))
        return false;
    for (;;) {
        struct ruru_stix_node *q;
        if (kw(p, "WITHIN")) {
            struct ruru_stix_lit l;
            if (!qualifier_once(p, &seen, 1))
                return false;
            next(p);
            if ((p->t.kind != T_INT && p->t.kind != T_FLOAT) || p->t.neg)
                return fail(p, "expected a positive number of seconds");
            if (!lit_of(p, &l))
                return false;
            next(p);
            if (!kw(p, "SECONDS"))
                return fail(p, "expected SECONDS");
            next(p);
            if ((q = node(p, RURU_STIX_WITHIN, *out, NULL)) != NULL)
                q->seconds = l.kind == RURU_STIX_INT ? (double)l.i : l.f;
        } else if (kw(p, "REPEATS")) {
            struct ruru_stix_lit l;
            if (!qualifier_once(p, &seen, 2))
                return false;
            next(p);
            if (p->t.kind != T_INT || p->t.neg)
                return fail(p, "expected a positive integer");
            if (!lit_of(p, &l))
                return false;
            next(p);
            if (!kw(p, "TIMES"))
                return fail(p, "expected TIMES");
            next(p);
            if ((q = node(p, RURU_STIX_REPEATS, *out, NULL)) != NULL)
                q->times = l.i;
        } else if (kw(p, "START")) {
            struct ruru_stix_lit a, b;
            size_t at;
            if (!qualifier_once(p, &seen, 4))
                return false;
            next(p);
            at = p->t.start;
            if (!start_stop_time(p, &a))
                return false;
            if (!kw(p, "STOP"))
                return fail(p, "expected STOP");
            next(p);
            if (!start_stop_time(p, &b))
                return false;
            if (!is_window(&a, &b) && p->error == NULL) {
                p->error = RURU_STIX_ERR_NOT_A_WINDOW;
                p->error_pos = at; /* START's time */
                return false;
            }
            if ((q = node(p, RURU_STIX_STARTSTOP, *out, NULL)) != NULL) {
                q->start = a;
                q->stop = b;
            }
        } else {
            return !p->oom;
        }
        *out = q;
        p->simple = false;
    }
}

static bool obs_and(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *b;

    if (!obs_qual(p, out))
        return false;
    while (kw(p, "AND")) {
        if (++p->operators > MAX_OPERATORS)
            return fail(p, RURU_STIX_ERR_TOO_MANY_OPS);
        p->simple = false;
        next(p);
        if (!obs_qual(p, &b))
            return false;
        *out = node(p, RURU_STIX_OBS_AND, *out, b);
    }
    return !p->oom;
}

static bool obs_or(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *b;

    if (!obs_and(p, out))
        return false;
    while (kw(p, "OR")) {
        if (++p->operators > MAX_OPERATORS)
            return fail(p, RURU_STIX_ERR_TOO_MANY_OPS);
        next(p);
        if (!obs_and(p, &b))
            return false;
        *out = node(p, RURU_STIX_OBS_OR, *out, b);
    }
    return !p->oom;
}

static bool obs_follow(struct parser *p, struct ruru_stix_node **out)
{
    struct ruru_stix_node *b;

    if (!obs_or(p, out))
        return false;
    while (kw(p, "FOLLOWEDBY")) {
        if (++p->operators > MAX_OPERATORS)
            return fail(p, RURU_STIX_ERR_TOO_MANY_OPS);
        p->simple = false;
        next(p);
        if (!obs_or(p, &b))
            return false;
        *out = node(p, RURU_STIX_FOLLOWEDBY, *out, b);
    }
    return !p->oom;
}

enum ruru_err ruru_stix_split(const char *pattern,
                              size_t len,
                              struct ruru_stix_value *out,
                              size_t *n_values,
                              struct ruru_buf *values,
                              const char **error,
                              size_t *error_pos)
{
    struct parser p;
    struct ruru_stix_node *root;

    memset(&p, 0, sizeof(p));
    p.s = pattern;
    p.len = len;
    p.simple = true;
    p.out = out;
    p.values = values;
    ruru_buf_reset(values);
    *n_values = 0;
    next(&p);
    if (obs_follow(&p, &root) && p.t.kind != T_END)
        fail(&p, "unexpected text after the pattern");
    if (p.error == NULL && p.bad_hash && !p.simple) {
        p.error = RURU_STIX_ERR_BAD_HASH;
        p.error_pos = p.bad_hash_pos;
    }
    if (p.error != NULL) {
        *error = p.error;
        *error_pos = p.error_pos;
        return RURU_EPARSE;
    }
    if (p.oom)
        return RURU_ENOMEM;
    *n_values = p.simple ? p.n_out : 0;
    return RURU_OK;
}

enum ruru_err ruru_stix_parse(const char *pattern,
                              size_t len,
                              struct ruru_arena *arena,
                              struct ruru_stix_node **out,
                              const char **error,
                              size_t *error_pos)
{
    struct parser p;
    struct ruru_stix_value dummy[RURU_STIX_MAX_VALUES];
    struct ruru_buf values;
    struct ruru_stix_node *root = NULL;

    memset(&p, 0, sizeof(p));
    p.s = pattern;
    p.len = len;
    p.arena = arena;
    p.out = dummy;
    ruru_buf_init(&values, len + RURU_STIX_MAX_VALUES + 16);
    p.values = &values;
    next(&p);
    if (obs_follow(&p, &root) && p.t.kind != T_END)
        fail(&p, "unexpected text after the pattern");
    if (p.error == NULL && p.bad_hash) {
        p.error = RURU_STIX_ERR_BAD_HASH;
        p.error_pos = p.bad_hash_pos;
    }
    ruru_buf_fini(&values);
    if (p.error != NULL) {
        *error = p.error;
        *error_pos = p.error_pos;
        return RURU_EPARSE;
    }
    if (p.oom || root == NULL)
        return RURU_ENOMEM;
    *out = root;
    return RURU_OK;
}
