/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules' prefilter: a rule is evaluated on a line only when the line holds one of the
 * rule's atoms, or when the rule has none (DESIGN.md §4). An atom set is a set of literals at
 * least one of which occurs in every line the rule can match:
 *
 *     atoms(a and b)  = the better of atoms(a), atoms(b)      (either is necessary)
 *     atoms(a or b)   = atoms(a) ∪ atoms(b)                   (none if either has none)
 *     atoms(not a)    = none                                  (absence proves nothing)
 *     atoms(search)   = ∪ over its groups of the best item's atoms
 *     atoms(item)     = ∪ over its values (the best one with |all) of the value's atom
 *     atom(value)     = its longest run of at least 3 bytes that the raw line holds as
 *                       they are: runs are cut at bytes that a log may write encoded ('\\',
 *                       '"', ' ', '+', control and non-ASCII bytes), and at wildcards.
 *                       Regexes, numbers compared, ranges, exists, null, fieldref and
 *                       negated values have none.
 *
 * Example: "selection: CommandLine|contains: ['-enc ', ' -e JAB']" and "filter: Image|endswith:
 * '\powershell.exe'" under "selection and not filter" give the atoms {"-enc", "JAB"} ("-e" is
 * too short): a line with neither is not asked about the rule. All atoms of all rules are one
 * Vectorscan literal database, matched without regard to case (unless |cased), one match per
 * atom per line. A JSON line with a "\u" or "\/" escape may spell an atom in escapes: every
 * rule is then a candidate (only JSON: "CONTOSO\user" in an IIS log is no escape).
 *
 * There is one database per logsource class (LS_* bit) and one for the rules whose logsource
 * ruru maps to no format; a record is scanned with those its class can see (ruru_sigma_applies
 * by class alone) and those of the rules its input is tied to, so an IIS line is not searched
 * for the atoms of Windows rules, nor a line of text for any atom unless its input is tied.
 */
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/str.h"
#include "match/literal.h"
#include "rules/sigma_int.h"

#define MIN_ATOM 3

struct atom {
    const char *s;
    size_t len;
    bool cased;
};

struct aset {
    struct atom *v;
    size_t n, cap;
    bool none; /* no atom set: the rule is always a candidate */
};

/* The rules of one logsource class (one LS_* bit), or (the last) those whose logsource ruru
 * does not map: a record is scanned with the databases of its classes only, so a web log is
 * not searched for the atoms of a thousand Windows rules. */
#define N_CLASS_BITS 9
#define G_UNMAPPED   N_CLASS_BITS
#define N_GROUPS     (N_CLASS_BITS + 1)

struct pgroup {
    hs_database_t *db;
    uint32_t *rule_of; /* pattern id -> rule index */
    uint32_t *len_of;  /* pattern id -> the atom's length */
    uint64_t *always;  /* its rules without atoms, one bit each */
};

struct ruru_prefilter {
    struct pgroup g[N_GROUPS];
    size_t n_words;
};

static void aset_free(struct aset *a)
{
    ruru_free(a->v);
    memset(a, 0, sizeof(*a));
}

static bool aset_add(struct aset *a, struct atom x)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len == x.len && a->v[i].cased == x.cased && memcmp(a->v[i].s, x.s, x.len) == 0)
            return true;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 4;
        struct atom *v = ruru_realloc(a->v, cap * sizeof(*v));
        if (v == NULL)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return true;
}

static struct aset none(void)
{
    struct aset a = {NULL, 0, 0, true};
    return a;
}

/* a ∪ b into a (b is freed). */
static void aset_union(struct aset *a, struct aset *b)
{
    if (a->none || b->none) {
        aset_free(a);
        aset_free(b);
        *a = none();
        return;
    }
    for (size_t i = 0; i < b->n; i++)
        if (!aset_add(a, b->v[i])) {
            aset_free(a);
            *a = none();
            break;
        }
    aset_free(b);
}

/* How good an atom set is: sets of fewer, longer atoms reject more lines. */
static double score(const struct aset *a)
{
    size_t shortest = (size_t)-1;

    if (a->none || a->n == 0)
        return -1;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len < shortest)
            shortest = a->v[i].len;
    return (double)(shortest > 12 ? 12 : shortest) - 0.01 * (double)a->n;
}

/* The better of a and b into a (the other is freed). */
static void aset_best(struct aset *a, struct aset *b)
{
    if (score(b) > score(a)) {
        aset_free(a);
        *a = *b;
    } else {
        aset_free(b);
    }
}

static bool plain_byte(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '+';
}

static struct aset value_atoms(const struct sval *v)
{
    struct aset a = {0};
    size_t best = 0, best_len = 0;

    if (v->negate || v->len == 0 ||
        !(v->op == V_EQ || v->op == V_PREFIX || v->op == V_SUFFIX || v->op == V_CONTAINS ||
          v->op == V_GLOB))
        return none();
    for (size_t i = 0; i < v->len;) {
        size_t j = i;
        while (j < v->len && plain_byte((unsigned char)v->s[j]) && !(v->op == V_GLOB && v->wild[j]))
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j + 1;
    }
    if (best_len < MIN_ATOM)
        return none();
    {
        struct atom x = {v->s + best, best_len, v->cased};
        if (!aset_add(&a, x)) {
            aset_free(&a);
            return none();
        }
    }
    return a;
}

static struct aset item_atoms(const struct item *it)
{
    struct aset a = {0};

    if (it->n == 0)
        return none();
    if (it->all) {
        a = none();
        for (size_t i = 0; i < it->n; i++) {
            struct aset b = value_atoms(&it->v[i]);
            aset_best(&a, &b);
        }
        return a;
    }
    for (size_t i = 0; i < it->n && !a.none; i++) {
        struct aset b = value_atoms(&it->v[i]);
        aset_union(&a, &b);
    }
    return a;
}

static struct aset search_atoms(const struct search *s)
{
    struct aset a = {0};

    for (size_t g = 0; g < s->n && !a.none; g++) {
        struct aset best = none();
        for (size_t k = 0; k < s->groups[g].n; k++) {
            struct aset b = item_atoms(&s->groups[g].items[k]);
            aset_best(&best, &b);
        }
        aset_union(&a, &best);
    }
    if (s->n == 0) {
        aset_free(&a);
        return none();
    }
    return a;
}

static struct aset cond_atoms(const struct ruru_sigma_rule *r, const struct cond *c)
{
    struct aset a, b;

    switch (c->kind) {
    case C_REF:
        return search_atoms(&r->searches[c->ref]);
    case C_AND:
        a = cond_atoms(r, c->a);
        b = cond_atoms(r, c->b);
        aset_best(&a, &b);
        return a;
    case C_OR:
        a = cond_atoms(r, c->a);
        b = cond_atoms(r, c->b);
        aset_union(&a, &b);
        return a;
    case C_ONE_OF:
        memset(&a, 0, sizeof(a));
        for (size_t i = 0; i < c->n_refs && !a.none; i++) {
            b = search_atoms(&r->searches[c->refs[i]]);
            aset_union(&a, &b);
        }
        return a;
    case C_ALL_OF:
        a = none();
        for (size_t i = 0; i < c->n_refs; i++) {
            b = search_atoms(&r->searches[c->refs[i]]);
            aset_best(&a, &b);
        }
        return a;
    default:
        return none();
    }
}

static struct aset rule_atoms(const struct ruru_sigma_rule *r)
{
    struct aset a = {0};

    for (size_t i = 0; i < r->n_conds && !a.none; i++) {
        struct aset b = cond_atoms(r, r->conds[i]);
        aset_union(&a, &b);
    }
    if (r->n_conds == 0) {
        aset_free(&a);
        return none();
    }
    return a;
}

void ruru_rules_prefilter_free(struct ruru_prefilter *p)
{
    if (p == NULL)
        return;
    for (size_t g = 0; g < N_GROUPS; g++) {
        hs_free_database(p->g[g].db);
        ruru_free(p->g[g].rule_of);
        ruru_free(p->g[g].len_of);
        ruru_free(p->g[g].always);
    }
    ruru_free(p);
}

/* Is rule r (not a correlation, not a filter) in group g? */
static bool in_group(const struct ruru_sigma_rule *r, size_t g)
{
    if (r->ls_class == LS_ANY)
        return g == G_UNMAPPED;
    return g < N_CLASS_BITS && (r->ls_class >> g & 1);
}

static enum ruru_err
build_group(struct ruru_rules *rs, struct ruru_prefilter *p, size_t g, const struct aset *sets)
{
    struct pgroup *pg = &p->g[g];
    const char **exprs = NULL;
    size_t *lens = NULL, total = 0;
    unsigned *ids = NULL, *flags = NULL;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    if ((pg->always = ruru_calloc(p->n_words ? p->n_words : 1, sizeof(*pg->always))) == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        if (r->corr != NULL || r->filter != NULL || !in_group(r, g))
            continue; /* correlations and filters are never evaluated on a line: no bit */
        if (sets[i].none || sets[i].n == 0)
            pg->always[i / 64] |= 1ull << (i % 64);
        else
            total += sets[i].n;
    }
    if (total == 0)
        return RURU_OK;
    exprs = ruru_calloc(total, sizeof(*exprs));
    lens = ruru_calloc(total, sizeof(*lens));
    ids = ruru_calloc(total, sizeof(*ids));
    flags = ruru_calloc(total, sizeof(*flags));
    pg->rule_of = ruru_calloc(total, sizeof(*pg->rule_of));
    pg->len_of = ruru_calloc(total, sizeof(*pg->len_of));
    if (exprs == NULL || lens == NULL || ids == NULL || flags == NULL || pg->rule_of == NULL ||
        pg->len_of == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0, k = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        if (r->corr != NULL || r->filter != NULL || !in_group(r, g))
            continue;
        for (size_t j = 0; !sets[i].none && j < sets[i].n; j++, k++) {
            exprs[k] = sets[i].v[j].s;
            lens[k] = sets[i].v[j].len;
            ids[k] = (unsigned)k;
            /* every match, not the first only: a chunk of lines is scanned at once */
            flags[k] = sets[i].v[j].cased ? 0 : HS_FLAG_CASELESS;
            pg->rule_of[k] = (uint32_t)i;
            pg->len_of[k] = (uint32_t)sets[i].v[j].len;
        }
    }
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)total, HS_MODE_BLOCK, NULL, &pg->db,
                             &cerr) != HS_SUCCESS) {
        /* cannot happen for literals; without a database every rule of the group is asked */
        hs_free_compile_error(cerr);
        pg->db = NULL;
        for (size_t i = 0; i < rs->rules.n; i++) {
            const struct ruru_sigma_rule *r =
                    *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
            if (r->corr == NULL && r->filter == NULL && in_group(r, g))
                pg->always[i / 64] |= 1ull << (i % 64);
        }
    }
out:
    ruru_free(exprs);
    ruru_free(lens);
    ruru_free(ids);
    ruru_free(flags);
    return err;
}

enum ruru_err ruru_prefilter_build(struct ruru_rules *rs, struct ruru_diag *diag)
{
    struct ruru_prefilter *p = ruru_calloc(1, sizeof(*p));
    struct aset *sets = ruru_calloc(rs->rules.n + 1, sizeof(*sets));
    enum ruru_err err = RURU_OK;

    (void)diag;
    if (p == NULL || sets == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    p->n_words = (rs->rules.n + 63) / 64;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        sets[i] = r->corr != NULL || r->filter != NULL ? none() : rule_atoms(r);
    }
    for (size_t g = 0; g < N_GROUPS && err == RURU_OK; g++)
        err = build_group(rs, p, g, sets);
    if (err == RURU_OK) {
        rs->pre = p;
        p = NULL;
    }
out:
    for (size_t i = 0; sets != NULL && i < rs->rules.n; i++)
        aset_free(&sets[i]);
    ruru_free(sets);
    ruru_rules_prefilter_free(p);
    return err;
}

/* One group's atoms found in the text of ruru_prefilter_text: where each ends, sorted. */
struct tmatch {
    uint32_t to, id;
};

struct tscan {
    bool done, failed; /* scanned for this text; could not be (then lines are scanned) */
    struct tmatch *v;
    size_t n, cap;
    size_t cur; /* the first match ending after the line last asked about */
};

/* Matches kept for a text at most (a megabyte of "aaa..." and the atom "aaa"): past it, the
 * text's lines are scanned one by one. */
#define MAX_TEXT_MATCHES (1u << 22)

/* Lines that end this close to the end of the text are scanned alone: Vectorscan may miss a
 * match that ends in the last, partial block of what it scans (match/literal.h). */
#define TEXT_TAIL (4 * RURU_HS_PAD)

/* A thread's scratch: Vectorscan's, or none when there is no database. */
struct pscratch {
    hs_scratch_t *hs;
    struct ruru_buf copy; /* ruru_hs_scan_padded */
    const char *text;     /* ruru_prefilter_text, or NULL */
    size_t text_len;
    struct tscan t[N_GROUPS];
};

void *ruru_prefilter_scratch(const struct ruru_prefilter *p)
{
    struct pscratch *s = ruru_calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    ruru_buf_init(&s->copy, (size_t)UINT32_MAX); /* as long as any line */
    /* one scratch, grown to fit every group's database */
    for (size_t g = 0; g < N_GROUPS; g++)
        if (p->g[g].db != NULL && hs_alloc_scratch(p->g[g].db, &s->hs) != HS_SUCCESS) {
            hs_free_scratch(s->hs);
            ruru_free(s);
            return NULL;
        }
    return s;
}

void ruru_prefilter_scratch_free(void *arg)
{
    struct pscratch *s = arg;

    if (s == NULL)
        return;
    hs_free_scratch(s->hs);
    ruru_buf_fini(&s->copy);
    for (size_t g = 0; g < N_GROUPS; g++)
        ruru_free(s->t[g].v);
    ruru_free(s);
}

void ruru_prefilter_text(void *scratch, const char *text, size_t len)
{
    struct pscratch *s = scratch;

    if (s == NULL)
        return;
    s->text = text != NULL && len > TEXT_TAIL && len <= UINT32_MAX ? text : NULL;
    s->text_len = len;
    for (size_t g = 0; g < N_GROUPS; g++) {
        s->t[g].done = s->t[g].failed = false;
        s->t[g].n = s->t[g].cur = 0;
    }
}

static int on_text_atom(unsigned int id,
                        unsigned long long from,
                        unsigned long long to,
                        unsigned int flags,
                        void *arg)
{
    struct tscan *t = arg;

    (void)from;
    (void)flags;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct tmatch *v = cap <= MAX_TEXT_MATCHES ? ruru_realloc(t->v, cap * sizeof(*v)) : NULL;
        if (v == NULL) {
            t->failed = true;
            return 1;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n].to = (uint32_t)to;
    t->v[t->n].id = id;
    t->n++;
    return 0;
}

static int by_end(const void *a, const void *b)
{
    const struct tmatch *x = a, *y = b;

    return x->to < y->to ? -1 : x->to > y->to;
}

/* Scans the whole text with group g's database, once. */
static void scan_text(const struct pgroup *pg, struct pscratch *s, struct tscan *t)
{
    t->done = true;
    t->n = t->cur = 0;
    if (hs_scan(pg->db, s->text, (unsigned)s->text_len, 0, s->hs, on_text_atom, t) != HS_SUCCESS ||
        t->failed) {
        t->failed = true;
        return;
    }
    for (size_t i = 1; i < t->n; i++)
        if (t->v[i].to < t->v[i - 1].to) {
            qsort(t->v, t->n, sizeof(*t->v), by_end);
            break;
        }
}

/* The atoms of group g that lie in text[off, off + len), from the text's matches. */
static void
text_atoms(const struct pgroup *pg, struct tscan *t, size_t off, size_t len, uint64_t *bits)
{
    size_t lo = 0, hi = t->n;

    if (t->cur == 0 || t->v[t->cur - 1].to <= off) {
        /* the lines are asked in order: from the last line's place */
        lo = t->cur;
        while (lo < t->n && t->v[lo].to <= off)
            lo++;
    } else {
        while (lo < hi) { /* the first match ending after off */
            size_t mid = lo + (hi - lo) / 2;
            if (t->v[mid].to <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    t->cur = lo;
    for (size_t i = lo; i < t->n && t->v[i].to <= off + len; i++) {
        uint32_t id = t->v[i].id, r = pg->rule_of[id];
        if (t->v[i].to - pg->len_of[id] >= off)
            bits[r / 64] |= 1ull << (r % 64);
    }
}

struct cand_ctx {
    const struct pgroup *g;
    uint64_t *bits;
};

static int on_atom(unsigned int id,
                   unsigned long long from,
                   unsigned long long to,
                   unsigned int flags,
                   void *arg)
{
    struct cand_ctx *c = arg;
    uint32_t r = c->g->rule_of[id];

    (void)from;
    (void)to;
    (void)flags;
    c->bits[r / 64] |= 1ull << (r % 64);
    return 0;
}

/* The groups whose rules can apply to a record of class `cls` (ruru_sigma_applies, by class
 * alone, or by a tie), bit g for group g: the class bits and the tied groups, and the unmapped
 * group when a tie names it. None when no rule can apply. */
_Static_assert(LS_GROUP_UNMAPPED == 1u << G_UNMAPPED, "the unmapped group's bit");
static uint32_t groups_of(uint32_t cls, uint32_t tied_groups)
{
    return ((cls | tied_groups) & (LS_GROUP_UNMAPPED - 1)) | (tied_groups & LS_GROUP_UNMAPPED);
}

bool ruru_prefilter_always(const struct ruru_prefilter *p, uint32_t cls, uint32_t tied_groups)
{
    for (uint32_t gs = groups_of(cls, tied_groups); gs != 0; gs &= gs - 1) {
        const struct pgroup *pg = &p->g[__builtin_ctz(gs)];
        for (size_t w = 0; w < p->n_words; w++)
            if (pg->always[w] != 0)
                return true;
    }
    return false;
}

/* Does a JSON line hold \u or \/ (an escape that can hide an atom's bytes)? Most lines
 * hold no backslash at all: one search says so. */
static bool escapes_atoms(const char *line, size_t len)
{
    const char *end = line + len;

    for (const char *b = memchr(line, '\\', len); b != NULL && b + 1 < end;
         b = memchr(b + 1, '\\', (size_t)(end - b - 1)))
        if (b[1] == 'u' || b[1] == '/')
            return true;
    return false;
}

void ruru_prefilter_candidates(const struct ruru_prefilter *p,
                               void *hs_scratch,
                               uint32_t cls,
                               uint32_t tied_groups,
                               const char *line,
                               size_t len,
                               bool json,
                               uint64_t *bits,
                               uint64_t *failed)
{
    struct pscratch *s = hs_scratch;
    uint32_t gs = groups_of(cls, tied_groups);
    bool padded = false, in_text;

    memset(bits, 0, p->n_words * sizeof(*bits));
    if (gs == 0)
        return; /* no rule can apply: nothing to scan */
    if (len > UINT32_MAX || (json && escapes_atoms(line, len))) {
        if (len > UINT32_MAX)
            (*failed)++;
        memset(bits, 0xff, p->n_words * sizeof(*bits));
        return;
    }
    in_text = s->text != NULL && line >= s->text && len <= s->text_len - TEXT_TAIL &&
              (size_t)(line - s->text) <= s->text_len - TEXT_TAIL - len;
    for (; gs != 0; gs &= gs - 1) {
        size_t g = (size_t)__builtin_ctz(gs);
        struct cand_ctx c = {&p->g[g], bits};
        for (size_t w = 0; w < p->n_words; w++)
            bits[w] |= p->g[g].always[w];
        if (in_text && p->g[g].db != NULL) {
            /* a line of the text: its atoms are among the text's */
            if (!s->t[g].done)
                scan_text(&p->g[g], s, &s->t[g]);
            if (!s->t[g].failed) {
                text_atoms(&p->g[g], &s->t[g], (size_t)(line - s->text), len, bits);
                continue;
            }
        }
        /* the line is padded once for every database that reads it */
        if (p->g[g].db != NULL &&
            ((!padded && !(padded = ruru_hs_pad(&s->copy, line, len))) ||
             ruru_hs_scan_pad(p->g[g].db, &s->copy, len, s->hs, on_atom, &c) != HS_SUCCESS)) {
            memset(bits, 0xff, p->n_words * sizeof(*bits));
            return;
        }
    }
}
