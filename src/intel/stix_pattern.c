/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STIX patterning (STIX 2.1 §9): a recursive-descent parser over the grammar
 *
 *   pattern     := obs_or
 *   obs_or      := obs_and ("OR" obs_and)*
 *   obs_and     := obs_follow ("AND" obs_follow)*
 *   obs_follow  := obs_qual ("FOLLOWEDBY" obs_qual)*
 *   obs_qual    := obs_atom (WITHIN n SECONDS | REPEATS n TIMES | START t'..' STOP t'..')*
 *   obs_atom    := "[" cmp_or "]" | "(" obs_or ")"
 *   cmp_or      := cmp_and ("OR" cmp_and)*
 *   cmp_and     := cmp_atom ("AND" cmp_atom)*
 *   cmp_atom    := "(" cmp_or ")" | "EXISTS" path | path ["NOT"] op value
 *
 * It builds no tree: while parsing it collects the equality comparisons and notes anything
 * that makes the pattern more than a list of alternatives (AND, FOLLOWEDBY, qualifiers, NOT,
 * other operators, paths ruru does not type). Such a pattern is kept whole.
 *
 * Example: "[ipv4-addr:value = '198.51.100.1' OR domain-name:value = 'evil.example']" gives two
 * values, ipv4 and domain; "[file:name = 'a.exe' AND file:size > 10]" gives none (AND).
 * Recursion is bounded (MAX_DEPTH) so a hostile "((((((..." cannot exhaust the stack.
 */
#include "intel/stix_pattern.h"

#include <string.h>

#include "base/str.h"

/* Nesting deeper than this is no real pattern; it is refused rather than recursed into. */
#define MAX_DEPTH 64

enum tok {
    T_END,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_OP,   /* = != < > <= >= */
    T_STR,  /* '...' */
    T_TSTR, /* t'...' h'...' b'...' */
    T_NUM,
    T_WORD, /* keywords, true/false */
    T_PATH,
    T_BAD
};

struct parser {
    const char *s;
    size_t len, pos;
    enum tok tok;
    size_t tok_start, tok_len;
    int depth;
    bool simple;
    const char *error;
    size_t error_pos;
    struct ruru_stix_value *out;
    size_t n_out;
    struct ruru_buf *values;
};

static bool is_path_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '-' || c == ':' || c == '.';
}

static void next(struct parser *p)
{
    const char *s = p->s;
    size_t i = p->pos;

    while (i < p->len && ruru_is_space(s[i]))
        i++;
    p->tok_start = i;
    if (i >= p->len) {
        p->tok = T_END;
        p->tok_len = 0;
        p->pos = i;
        return;
    }
    switch (s[i]) {
    case '[':
        p->tok = T_LBRACK;
        i++;
        break;
    case ']':
        p->tok = T_RBRACK;
        i++;
        break;
    case '(':
        p->tok = T_LPAREN;
        i++;
        break;
    case ')':
        p->tok = T_RPAREN;
        i++;
        break;
    case ',':
        p->tok = T_COMMA;
        i++;
        break;
    case '=':
        p->tok = T_OP;
        i++;
        break;
    case '!':
    case '<':
    case '>':
        p->tok = T_OP;
        i++;
        if (i < p->len && s[i] == '=')
            i++;
        else if (s[i - 1] == '!')
            p->tok = T_BAD;
        break;
    case '\'':
        p->tok = T_STR;
        for (i++; i < p->len && s[i] != '\''; i++)
            if (s[i] == '\\')
                i++;
        if (i >= p->len)
            p->tok = T_BAD;
        else
            i++;
        break;
    default:
        if ((s[i] == 't' || s[i] == 'h' || s[i] == 'b') && i + 1 < p->len && s[i + 1] == '\'') {
            p->tok = T_TSTR;
            for (i += 2; i < p->len && s[i] != '\''; i++)
                ;
            if (i >= p->len)
                p->tok = T_BAD;
            else
                i++;
        } else if (ruru_is_digit(s[i]) || s[i] == '-' || s[i] == '+') {
            p->tok = T_NUM;
            for (i++; i < p->len && (ruru_is_digit(s[i]) || s[i] == '.'); i++)
                ;
        } else if (ruru_is_alpha(s[i]) || s[i] == '_') {
            bool path = false;
            while (i < p->len) {
                if (is_path_char(s[i])) {
                    path |= s[i] == ':';
                    i++;
                } else if (s[i] == '\'' && i > 0 && s[i - 1] == '.') {
                    /* a quoted component: file:hashes.'SHA-256' */
                    for (i++; i < p->len && s[i] != '\''; i++)
                        ;
                    if (i >= p->len)
                        break;
                    i++;
                } else if (s[i] == '[' && path && i + 1 < p->len &&
                           (ruru_is_digit(s[i + 1]) || s[i + 1] == '*')) {
                    /* a list index inside a path: values[*] */
                    while (i < p->len && s[i] != ']')
                        i++;
                    if (i < p->len)
                        i++;
                } else {
                    break;
                }
            }
            p->tok = path ? T_PATH : T_WORD;
        } else {
            p->tok = T_BAD;
            i++;
        }
        break;
    }
    p->tok_len = i - p->tok_start;
    p->pos = i;
}

static bool word_is(const struct parser *p, const char *w)
{
    return p->tok == T_WORD && ruru_str_eq(ruru_str_make(p->s + p->tok_start, p->tok_len), w);
}

static bool fail(struct parser *p, const char *why)
{
    if (p->error == NULL) {
        p->error = why;
        p->error_pos = p->tok_start;
    }
    return false;
}

/* A path compared without quotes and case: file:hashes.'SHA-256' == file:hashes.sha-256. */
static bool path_is(const char *path, size_t n, const char *want)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (path[i] == '\'')
            continue;
        if (want[k] == '\0' || ruru_lower(path[i]) != want[k])
            return false;
        k++;
    }
    return want[k] == '\0';
}

static enum ruru_ioc_type path_type(const char *path, size_t n, bool subset)
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
            {"network-traffic:extensions.http-request-ext.request_header.user-agent",
             RURU_IOC_USER_AGENT},
    };

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (path_is(path, n, paths[i].path)) {
            /* ISSUBSET is a range test: only for address values. */
            if (subset && paths[i].type != RURU_IOC_CIDR4 && paths[i].type != RURU_IOC_CIDR6 &&
                paths[i].type != RURU_IOC_NONE)
                return RURU_IOC__COUNT;
            return paths[i].type;
        }
    }
    return RURU_IOC__COUNT; /* no type: the pattern is kept whole */
}

static void
add_value(struct parser *p, enum ruru_ioc_type type, size_t start, size_t n, bool quoted)
{
    struct ruru_stix_value *v;

    if (p->n_out >= RURU_STIX_MAX_VALUES) {
        p->simple = false;
        return;
    }
    v = &p->out[p->n_out++];
    v->type = type;
    v->off = p->values->len;
    for (size_t i = start; i < start + n; i++) {
        if (quoted && p->s[i] == '\\' && i + 1 < start + n)
            i++;
        ruru_buf_addc(p->values, p->s[i]);
    }
    v->len = p->values->len - v->off;
    ruru_buf_addc(p->values, '\0');
}

static bool value(struct parser *p)
{
    if (p->tok == T_STR || p->tok == T_TSTR || p->tok == T_NUM || word_is(p, "true") ||
        word_is(p, "false")) {
        next(p);
        return true;
    }
    if (p->tok == T_LPAREN) {
        next(p);
        p->simple = false;
        if (!value(p))
            return false;
        while (p->tok == T_COMMA) {
            next(p);
            if (!value(p))
                return false;
        }
        if (p->tok != T_RPAREN)
            return fail(p, "expected ')' closing a set");
        next(p);
        return true;
    }
    return fail(p, "expected a value");
}

static bool cmp_or(struct parser *p);

static bool cmp_atom(struct parser *p)
{
    size_t path_start, path_len, val_start, val_len;
    bool negated = false, eq, subset;
    enum tok vt;
    enum ruru_ioc_type type;

    if (p->tok == T_LPAREN) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "pattern nested too deeply");
        next(p);
        if (!cmp_or(p))
            return false;
        if (p->tok != T_RPAREN)
            return fail(p, "expected ')'");
        next(p);
        p->depth--;
        return true;
    }
    if (word_is(p, "EXISTS")) {
        next(p);
        p->simple = false;
        if (p->tok != T_PATH)
            return fail(p, "expected an object path after EXISTS");
        next(p);
        return true;
    }
    if (p->tok != T_PATH)
        return fail(p, "expected an object path");
    path_start = p->tok_start;
    path_len = p->tok_len;
    next(p);
    if (word_is(p, "NOT")) {
        negated = true;
        next(p);
    }
    eq = p->tok == T_OP && p->tok_len == 1 && p->s[p->tok_start] == '=';
    subset = word_is(p, "ISSUBSET");
    if (p->tok != T_OP && !word_is(p, "IN") && !word_is(p, "LIKE") && !word_is(p, "MATCHES") &&
        !subset && !word_is(p, "ISSUPERSET"))
        return fail(p, "expected a comparison operator");
    next(p);
    vt = p->tok;
    val_start = p->tok_start + 1;
    val_len = p->tok_len >= 2 ? p->tok_len - 2 : 0;
    if (vt == T_NUM) {
        val_start = p->tok_start;
        val_len = p->tok_len;
    }
    if (!value(p))
        return false;
    if (negated || !(eq || subset)) {
        p->simple = false;
        return true;
    }
    type = path_type(p->s + path_start, path_len, subset);
    if (type == RURU_IOC__COUNT || (vt != T_STR && !(vt == T_NUM && type == RURU_IOC_ASN))) {
        p->simple = false;
        return true;
    }
    add_value(p, type, val_start, val_len, vt == T_STR);
    return true;
}

static bool cmp_and(struct parser *p)
{
    if (!cmp_atom(p))
        return false;
    while (word_is(p, "AND")) {
        p->simple = false;
        next(p);
        if (!cmp_atom(p))
            return false;
    }
    return true;
}

static bool cmp_or(struct parser *p)
{
    if (!cmp_and(p))
        return false;
    while (word_is(p, "OR")) {
        next(p);
        if (!cmp_and(p))
            return false;
    }
    return true;
}

static bool obs_or(struct parser *p);

static bool obs_atom(struct parser *p)
{
    if (p->tok == T_LBRACK) {
        next(p);
        if (!cmp_or(p))
            return false;
        if (p->tok != T_RBRACK)
            return fail(p, "expected ']'");
        next(p);
        return true;
    }
    if (p->tok == T_LPAREN) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "pattern nested too deeply");
        next(p);
        if (!obs_or(p))
            return false;
        if (p->tok != T_RPAREN)
            return fail(p, "expected ')'");
        next(p);
        p->depth--;
        return true;
    }
    return fail(p, "expected '[' opening an observation");
}

static bool obs_qual(struct parser *p)
{
    if (!obs_atom(p))
        return false;
    for (;;) {
        if (word_is(p, "WITHIN")) {
            next(p);
            if (p->tok != T_NUM)
                return fail(p, "expected a number after WITHIN");
            next(p);
            if (!word_is(p, "SECONDS"))
                return fail(p, "expected SECONDS");
        } else if (word_is(p, "REPEATS")) {
            next(p);
            if (p->tok != T_NUM)
                return fail(p, "expected a number after REPEATS");
            next(p);
            if (!word_is(p, "TIMES"))
                return fail(p, "expected TIMES");
        } else if (word_is(p, "START")) {
            next(p);
            if (p->tok != T_TSTR)
                return fail(p, "expected a timestamp after START");
            next(p);
            if (!word_is(p, "STOP"))
                return fail(p, "expected STOP");
            next(p);
            if (p->tok != T_TSTR)
                return fail(p, "expected a timestamp after STOP");
        } else {
            return true;
        }
        p->simple = false;
        next(p);
    }
}

static bool obs_follow(struct parser *p)
{
    if (!obs_qual(p))
        return false;
    while (word_is(p, "FOLLOWEDBY")) {
        p->simple = false;
        next(p);
        if (!obs_qual(p))
            return false;
    }
    return true;
}

static bool obs_and(struct parser *p)
{
    if (!obs_follow(p))
        return false;
    while (word_is(p, "AND")) {
        p->simple = false;
        next(p);
        if (!obs_follow(p))
            return false;
    }
    return true;
}

static bool obs_or(struct parser *p)
{
    if (!obs_and(p))
        return false;
    while (word_is(p, "OR")) {
        next(p);
        if (!obs_and(p))
            return false;
    }
    return true;
}

bool ruru_stix_split(const char *pattern,
                     size_t len,
                     struct ruru_stix_value *out,
                     size_t *n_values,
                     struct ruru_buf *values,
                     const char **error,
                     size_t *error_pos)
{
    struct parser p;

    memset(&p, 0, sizeof(p));
    p.s = pattern;
    p.len = len;
    p.simple = true;
    p.out = out;
    p.values = values;
    ruru_buf_reset(values);
    next(&p);
    if (!obs_or(&p)) {
        *error = p.error;
        *error_pos = p.error_pos;
        *n_values = 0;
        return false;
    }
    if (p.tok != T_END) {
        *error = "unexpected text after the pattern";
        *error_pos = p.tok_start;
        return false;
    }
    *n_values = p.simple && !values->failed ? p.n_out : 0;
    return true;
}
