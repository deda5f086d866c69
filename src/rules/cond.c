/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sigma conditions: a recursive-descent parser over the grammar of the specification, with its
 * precedence (least to most binding: or, and, not, "x of", parentheses):
 *
 *     expr  := and ("or" and)*
 *     and   := not ("and" not)*
 *     not   := "not" not | atom
 *     atom  := "(" expr ")" | ("1" | "all" | "any") "of" (pattern | "them") | search
 *
 * A pattern holds '*' wildcards and names the searches it matches ("1 of selection_*");
 * "them" names every search not starting with '_'. Example: "sel and not 1 of filter_*"
 * parses to AND(REF sel, NOT(ONE_OF [filter_a, filter_b])). Sigma v1 aggregations
 * ("| count() by x > 5") and "near" are refused with the advice to write a correlation.
 * Nesting is bounded (64) so a hostile condition cannot exhaust the stack.
 */
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "base/str.h"
#include "rules/sigma_int.h"

#define MAX_NESTING 64
/* and/or chains make trees as deep as they are long, which every later walk (atoms, checks,
 * evaluation) descends: a condition has at most this many operators. */
#define MAX_OPERATORS 1000

struct parser {
    struct ruru_rules *rs;
    struct ruru_sigma_rule *r;
    const char *s, *p, *end;
    uint32_t line, col; /* of the condition's text in the file */
    struct ruru_diag *diag;
    enum ruru_err err;
    int depth;
    int operators;
};

static bool ident_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '*' || c == '-' || c == '.' ||
           (unsigned char)c >= 0x80;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* The next word (identifier or keyword) without consuming it; len 0 when none. */
static struct ruru_str peek_word(struct parser *ps)
{
    const char *q;

    skip_ws(ps);
    q = ps->p;
    while (q < ps->end && ident_char(*q))
        q++;
    return ruru_str_make(ps->p, (size_t)(q - ps->p));
}

static bool is_kw(struct ruru_str w, const char *kw)
{
    return w.len == strlen(kw) && ruru_str_iprefix(w, kw);
}

static struct cond *fail(struct parser *ps, enum ruru_err err, const char *msg)
{
    if (ps->err == RURU_OK)
        ps->err = ruru_diag_set(ps->diag, err, ps->r->file, ps->line,
                                ps->col + (uint64_t)(ps->p - ps->s), "%s", msg);
    return NULL;
}

/* A message naming a word of the condition (cut at 100 bytes). */
static struct cond *
fail_word(struct parser *ps, const char *before, struct ruru_str w, const char *after)
{
    char msg[256];

    snprintf(msg, sizeof(msg), "%s%.*s%s", before, (int)(w.len < 100 ? w.len : 100), w.ptr, after);
    return fail(ps, RURU_EPARSE, msg);
}

static struct cond *node(struct parser *ps, enum cnode kind, struct cond *a, struct cond *b)
{
    struct cond *c;

    if (b != NULL && ++ps->operators > MAX_OPERATORS)
        return fail(ps, RURU_ELIMIT, "the condition has more than 1000 and/or operators");
    c = ruru_arena_alloc(&ps->rs->arena, sizeof(*c));
    if (c == NULL)
        return fail(ps, RURU_ENOMEM, "out of memory");
    memset(c, 0, sizeof(*c));
    c->kind = (uint8_t)kind;
    c->a = a;
    c->b = b;
    return c;
}

/* '*' matches any run; everything else itself. */
static bool wild_match(const char *pat, size_t pn, const char *s)
{
    size_t sn = strlen(s), pi = 0, si = 0, star = (size_t)-1, mark = 0;

    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*')
        pi++;
    return pi == pn;
}

static struct cond *quantified(struct parser *ps, enum cnode kind)
{
    struct ruru_str w = peek_word(ps);
    struct cond *c;
    bool them;
    size_t n = 0;

    if (!is_kw(w, "of"))
        return fail(ps, RURU_EPARSE, "expected \"of\" after \"1\" / \"all\" / \"any\"");
    ps->p += w.len;
    w = peek_word(ps);
    if (w.len == 0)
        return fail(ps, RURU_EPARSE, "expected a search pattern or \"them\" after \"of\"");
    ps->p += w.len;
    them = is_kw(w, "them");
    if ((c = node(ps, kind, NULL, NULL)) == NULL)
        return NULL;
    for (size_t i = 0; i < ps->r->n_searches; i++) {
        const char *name = ps->r->searches[i].name;
        n += them ? name[0] != '_' : wild_match(w.ptr, w.len, name);
    }
    if (n == 0)
        return fail_word(ps, "no search matches \"", w, "\"");
    c->refs = ruru_arena_alloc(&ps->rs->arena, n * sizeof(*c->refs));
    if (c->refs == NULL)
        return fail(ps, RURU_ENOMEM, "out of memory");
    for (size_t i = 0; i < ps->r->n_searches; i++) {
        const char *name = ps->r->searches[i].name;
        if (them ? name[0] != '_' : wild_match(w.ptr, w.len, name))
            c->refs[c->n_refs++] = (uint32_t)i;
    }
    return c;
}

static struct cond *expr(struct parser *ps);

static struct cond *atom(struct parser *ps)
{
    struct ruru_str w;
    struct cond *c;

    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, RURU_EPARSE, "the condition ends where a search was expected");
    if (*ps->p == '(') {
        ps->p++;
        if ((c = expr(ps)) == NULL)
            return NULL;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ')')
            return fail(ps, RURU_EPARSE, "expected \")\"");
        ps->p++;
        return c;
    }
    if (*ps->p == '|')
        return fail(ps, RURU_EPARSE,
                    "an aggregation in the condition is Sigma v1: write a correlation rule");
    w = peek_word(ps);
    if (w.len == 0)
        return fail_word(ps, "unexpected \"", ruru_str_make(ps->p, 1), "\" in the condition");
    if (is_kw(w, "1") || is_kw(w, "all") || is_kw(w, "any")) {
        ps->p += w.len;
        return quantified(ps, is_kw(w, "all") ? C_ALL_OF : C_ONE_OF);
    }
    if (is_kw(w, "and") || is_kw(w, "or") || is_kw(w, "of") || is_kw(w, "them"))
        return fail(ps, RURU_EPARSE, "a search name was expected");
    if (is_kw(w, "near"))
        return fail(ps, RURU_EPARSE, "\"near\" is Sigma v1: write a temporal correlation");
    for (size_t i = 0; i < ps->r->n_searches; i++) {
        const char *name = ps->r->searches[i].name;
        if (strlen(name) == w.len && memcmp(name, w.ptr, w.len) == 0) {
            ps->p += w.len;
            if ((c = node(ps, C_REF, NULL, NULL)) != NULL)
                c->ref = (uint32_t)i;
            return c;
        }
    }
    return fail_word(ps, "the condition names \"", w, "\", which is no search");
}

static struct cond *not_e(struct parser *ps)
{
    struct ruru_str w = peek_word(ps);
    struct cond *c;

    if (!is_kw(w, "not"))
        return atom(ps);
    ps->p += w.len;
    if (++ps->depth > MAX_NESTING)
        return fail(ps, RURU_ELIMIT, "the condition is nested too deep");
    c = not_e(ps);
    ps->depth--;
    return c != NULL ? node(ps, C_NOT, c, NULL) : NULL;
}

static struct cond *and_e(struct parser *ps)
{
    struct cond *c = not_e(ps), *d;

    while (c != NULL) {
        struct ruru_str w = peek_word(ps);
        if (!is_kw(w, "and"))
            return c;
        ps->p += w.len;
        if ((d = not_e(ps)) == NULL)
            return NULL;
        c = node(ps, C_AND, c, d);
    }
    return NULL;
}

static struct cond *expr(struct parser *ps)
{
    struct cond *c, *d;

    if (++ps->depth > MAX_NESTING)
        return fail(ps, RURU_ELIMIT, "the condition is nested too deep");
    c = and_e(ps);
    while (c != NULL) {
        struct ruru_str w = peek_word(ps);
        if (!is_kw(w, "or"))
            break;
        ps->p += w.len;
        if ((d = and_e(ps)) == NULL)
            return NULL;
        c = node(ps, C_OR, c, d);
    }
    ps->depth--;
    return c;
}

enum ruru_err ruru_sigma_cond_parse(struct ruru_rules *rs,
                                    struct ruru_sigma_rule *r,
                                    const char *text,
                                    uint32_t line,
                                    uint32_t col,
                                    struct cond **out,
                                    struct ruru_diag *diag)
{
    struct parser ps;
    struct cond *c;

    memset(&ps, 0, sizeof(ps));
    ps.col = col;
    ps.rs = rs;
    ps.r = r;
    ps.s = ps.p = text;
    ps.end = text + strlen(text);
    ps.line = line;
    ps.diag = diag;
    c = expr(&ps);
    if (c != NULL) {
        skip_ws(&ps);
        if (ps.p < ps.end) {
            if (*ps.p == '|')
                fail(&ps, RURU_EPARSE,
                     "an aggregation in the condition is Sigma v1: write a correlation rule");
            else
                fail(&ps, RURU_EPARSE, "unexpected text after the condition");
            c = NULL;
        }
    }
    if (c == NULL)
        return ps.err != RURU_OK ? ps.err : RURU_EPARSE;
    *out = c;
    return RURU_OK;
}
