/* SPDX-License-Identifier: Apache-2.0 */
/* The needles of a compiled pattern (pattern.h, ruru_pattern_needles). */
#include <string.h>

#include "base/alloc.h"
#include "pattern/pattern.h"
#include "pattern/pattern_int.h"

/* ---- needles: what a record must show to be worth asking ------------------------------------ */

/* A comparison holds on an object a record makes only if the value it reached holds the
 * literal; that value is a field's decoded value, a piece of one (a file name out of a path),
 * a constant (an object's type) or "http://" + host + path (a URL put together). So of a
 * literal compared by = or IN, and of the fixed runs of a LIKE, a run of bytes that is in
 * none of the joints is in some field's value: printable ASCII without '/' and ':' (where a
 * URL is joined) and not within "http". LIKE compares NFC forms, and NFC makes three ASCII
 * characters out of others (U+037E ';', U+1FEF '`', U+212A 'K'), so runs of a LIKE stop at
 * those too, and at non-ASCII. */
#define MAX_NEEDLES 64
#define MIN_NEEDLE  3

struct nset {
    struct ruru_str v[MAX_NEEDLES];
    size_t n;
    bool all; /* no needles: every record may hold */
};

static bool needle_byte(unsigned char c, bool like)
{
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
        return false;
    return !like || (c != '%' && c != '_' && c != ';' && c != '`' && c != 'K');
}

/* The longest run of s that can serve, into *out; false when none is MIN_NEEDLE long. */
static bool best_run(const char *s, size_t n, bool like, struct ruru_str *out)
{
    size_t best = 0, at = 0;

    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && needle_byte((unsigned char)s[j], like))
            j++;
        if (j - i > best && !(j - i <= 4 && ruru_memmem("http", 4, s + i, j - i) != NULL)) {
            best = j - i;
            at = i;
        }
        i = j + 1;
    }
    out->ptr = s + at;
    out->len = best;
    return best >= MIN_NEEDLE;
}

/* The decimal digits of an integer literal: a number an object holds came from a field's text
 * by strtoll, which takes a sign and leading zeros but never drops a digit. */
static bool int_run(struct ruru_pattern *p, int64_t i, struct ruru_str *out, bool *oom)
{
    char tmp[24], *d;
    int n;

    if (i == INT64_MIN || i == INT64_MAX)
        return false; /* what strtoll gives for any number past the range */
    n = snprintf(tmp, sizeof(tmp), "%" PRId64, i < 0 ? -i : i);
    if (n < MIN_NEEDLE)
        return false;
    if ((d = ruru_arena_alloc(&p->arena, (size_t)n + 1)) == NULL) {
        *oom = true;
        return false;
    }
    memcpy(d, tmp, (size_t)n + 1);
    out->ptr = d;
    out->len = (size_t)n;
    return true;
}

/* Past a character class starting at re[i] ('['): the index after its ']', or n when it
 * does not close. */
static size_t skip_class(const char *re, size_t n, size_t i)
{
    i++;
    if (i < n && re[i] == '^')
        i++;
    if (i < n && re[i] == ']')
        i++;
    while (i < n && re[i] != ']') {
        if (re[i] == '\\')
            i++;
        else if (re[i] == '[' && i + 1 < n &&
                 (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
            char end = re[i + 1];
            i += 2;
            while (i + 1 < n && !(re[i] == end && re[i + 1] == ']'))
                i++;
            i++;
        }
        i++;
    }
    return i < n ? i + 1 : n;
}

/* Past a group starting at re[i] ('('): the index after its ')', or n. */
static size_t skip_group(const char *re, size_t n, size_t i)
{
    int depth = 0;

    while (i < n) {
        if (re[i] == '\\') {
            i += 2;
            continue;
        }
        if (re[i] == '[') {
            i = skip_class(re, n, i);
            continue;
        }
        if (re[i] == '(')
            depth++;
        else if (re[i] == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return n;
}

/* The longest literal run every match of a regular expression holds: its top level (no '|'
 * anywhere, no inline options) read as a sequence of items, where a literal character not
 * made optional by ?, * or {0 is part of the run and anything else (a class, a group, '.',
 * an anchor, a quantified character's repeats) ends it. Anything unusual: none. */
static bool regex_run(const char *re, size_t n, struct ruru_str *out)
{
    size_t run = 0, run_at = 0, i = 0;
    bool last_literal = false;

    out->ptr = re;
    out->len = 0;
    if (memchr(re, '|', n) != NULL)
        return false;
    for (size_t k = 0; k + 1 < n; k++)
        if (re[k] == '(' && re[k + 1] == '?' && (k + 2 >= n || re[k + 2] != ':'))
            return false;
#define END_RUN()                                                                        \
    do {                                                                                 \
        if (run > out->len && !(run <= 4 && ruru_memmem("http", 4, re + run_at, run))) { \
            out->ptr = re + run_at;                                                      \
            out->len = run;                                                              \
        }                                                                                \
        run = 0;                                                                         \
        last_literal = false;                                                            \
    } while (0)
    while (i < n) {
        unsigned char c = (unsigned char)re[i];
        if (c == '\\') {
            unsigned char e = i + 1 < n ? (unsigned char)re[i + 1] : 0;
            if (e == 0)
                return false;
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')) {
                if (strchr("dDwWsShHvVRNbBAzZG", e) == NULL)
                    return false; /* \x41, \p{..}, \Q, back references ... */
                END_RUN();
            } else {
                /* a character standing for itself, but runs are taken from the text as it is */
                END_RUN();
            }
            i += 2;
            continue;
        }
        switch (c) {
        case '[':
            END_RUN();
            if ((i = skip_class(re, n, i)) >= n && re[n - 1] != ']')
                return false;
            continue;
        case '(':
            END_RUN();
            i = skip_group(re, n, i);
            continue;
        case ')':
            return false;
        case '.':
        case '^':
        case '$':
            END_RUN();
            i++;
            continue;
        case '?':
        case '*':
            if (last_literal && run > 0)
                run--; /* that character may be absent */
            END_RUN();
            i++;
            continue;
        case '+':
            END_RUN();
            i++;
            continue;
        case '{': {
            size_t j = i + 1, min = 0;
            bool digits = false;
            while (j < n && re[j] >= '0' && re[j] <= '9') {
                min = min * 10 + (size_t)(re[j++] - '0');
                digits = true;
                if (min > 100000)
                    return false;
            }
            if (!digits)
                return false;
            if (j < n && re[j] == ',')
                for (j++; j < n && re[j] >= '0' && re[j] <= '9'; j++)
                    ;
            if (j >= n || re[j] != '}')
                return false;
            if (min == 0 && last_literal && run > 0)
                run--;
            END_RUN();
            i = j + 1;
            continue;
        }
        default:
            if (!needle_byte(c, true)) {
                END_RUN();
            } else {
                if (run == 0)
                    run_at = i;
                run++;
                last_literal = true;
            }
            i++;
        }
    }
    END_RUN();
#undef END_RUN
    return out->len >= MIN_NEEDLE;
}

static bool test_needles(struct ruru_pattern *p, const struct ruru_stix_node *n, struct nset *out)
{
    const struct test *t = n->aux;

    out->n = 0;
    out->all = true;
    if (n->negated || n->path.n_steps == 0)
        return true;
    for (size_t i = 0; i < n->path.n_steps; i++) {
        const struct ruru_stix_step *st = &n->path.steps[i];
        if (st->kind == RURU_STIX_PROP &&
            (ruru_pattern_ends_with(st->name, "_hex") || ruru_pattern_ends_with(st->name, "_bin") ||
             (i + 1 == n->path.n_steps && strcmp(st->name, "type") == 0)))
            return true;
    }
    switch (n->op) {
    case RURU_STIX_EQ:
    case RURU_STIX_IN:
        if (n->n_lits > MAX_NEEDLES)
            return true;
        for (size_t i = 0; i < n->n_lits; i++) {
            const struct ruru_stix_lit *l = &n->lits[i];
            bool oom = false;
            if (l->kind == RURU_STIX_STR) {
                if (!best_run(l->s, l->len, false, &out->v[out->n++]))
                    return true;
            } else if (l->kind == RURU_STIX_INT) {
                if (!int_run(p, l->i, &out->v[out->n++], &oom))
                    return !oom;
            } else {
                return true;
            }
        }
        break;
    case RURU_STIX_LIKE: {
        char *ascii = ruru_arena_alloc(&p->arena, t->n_like + 1);
        if (ascii == NULL)
            return false;
        for (size_t i = 0; i < t->n_like; i++)
            ascii[i] = t->like[i] < 0x80 ? (char)t->like[i] : '\0';
        out->n = 1;
        if (!best_run(ascii, t->n_like, true, &out->v[0]))
            return true;
        break;
    }
    case RURU_STIX_MATCHES: {
        size_t len;
        char *owned;
        const char *re = ruru_pattern_nfc(n->lits[0].s, n->lits[0].len, &len, &owned);
        char *copy;
        if (re == NULL)
            return false;
        out->n = 1;
        if (!regex_run(re, len, &out->v[0])) {
            ruru_free(owned);
            return true;
        }
        /* the run outlives the NFC form */
        if ((copy = ruru_arena_alloc(&p->arena, out->v[0].len + 1)) == NULL) {
            ruru_free(owned);
            return false;
        }
        memcpy(copy, out->v[0].ptr, out->v[0].len);
        copy[out->v[0].len] = '\0';
        out->v[0].ptr = copy;
        ruru_free(owned);
        break;
    }
    default:
        return true;
    }
    out->all = false;
    return true;
}

/* Is a a better choice than b for an AND (fewer needles, then longer ones)? */
static bool better(const struct nset *a, const struct nset *b)
{
    size_t ma = SIZE_MAX, mb = SIZE_MAX;

    if (a->all || b->all)
        return !a->all;
    if (a->n != b->n)
        return a->n < b->n;
    for (size_t i = 0; i < a->n; i++)
        ma = a->v[i].len < ma ? a->v[i].len : ma;
    for (size_t i = 0; i < b->n; i++)
        mb = b->v[i].len < mb ? b->v[i].len : mb;
    return ma >= mb;
}

/* OR: both sides' needles; none when either side has none. */
static void join(struct nset *a, const struct nset *b)
{
    if (a->all || b->all || a->n + b->n > MAX_NEEDLES) {
        a->all = true;
        a->n = 0;
        return;
    }
    memcpy(a->v + a->n, b->v, b->n * sizeof(b->v[0]));
    a->n += b->n;
}

/* The needles of a comparison expression; false when memory ran out. */
static bool expr_needles(struct ruru_pattern *p, const struct ruru_stix_node *n, struct nset *out)
{
    struct nset *b;
    bool ok;

    if (n->kind == RURU_STIX_TEST)
        return test_needles(p, n, out);
    if ((b = ruru_malloc(sizeof(*b))) == NULL)
        return false;
    ok = expr_needles(p, n->a, out) && expr_needles(p, n->b, b);
    if (ok && n->kind == RURU_STIX_CMP_AND) {
        if (better(b, out))
            *out = *b;
    } else if (ok) {
        join(out, b);
    }
    ruru_free(b);
    return ok;
}

/* A record observes a part of the pattern when it satisfies one of its observation
 * expressions, so the pattern's needles are those of all of them. */
bool ruru_pattern_find_needles(struct ruru_pattern *p)
{
    struct nset *all = ruru_calloc(1, sizeof(*all)), *one = ruru_malloc(sizeof(*one));
    bool ok = all != NULL && one != NULL;

    for (size_t i = 0; ok && i < p->n_leaves && !all->all; i++)
        if ((ok = expr_needles(p, p->leaves[i]->a, one)))
            join(all, one);
    if (ok && !all->all && all->n > 0) {
        if ((p->needles = ruru_arena_alloc(&p->arena, all->n * sizeof(*p->needles))) == NULL)
            ok = false;
        else {
            memcpy(p->needles, all->v, all->n * sizeof(*p->needles));
            p->n_needles = all->n;
        }
    }
    ruru_free(all);
    ruru_free(one);
    return ok;
}

const struct ruru_str *ruru_pattern_needles(const struct ruru_pattern *p, size_t *n)
{
    *n = p->n_needles;
    return p->needles;
}
