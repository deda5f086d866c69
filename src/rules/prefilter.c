/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules' prefilter: a rule is evaluated on a line only when the line holds one of the
 * atoms of each of the rule's atom sets, or when the rule has none (DESIGN.md §4). An atom
 * set is a set of literals at least one of which occurs in every line the rule can match; a
 * rule has up to MAX_CONJ of them, all necessary (a conjunction):
 *
 *     atoms(a and b)  = atoms(a) ∧ atoms(b)                   (both are necessary)
 *     atoms(a or b)   = ∧ over x of a, y of b of (x ∪ y)      (none if either has none)
 *     atoms(not a)    = none                                  (absence proves nothing)
 *     atoms(search)   = or over its groups of (∧ of the group's items' atoms)
 *     atoms(item)     = ∪ over its values of the value's atom (with |all, ∧ over the written
 *                       values of ∪ over what each expanded into: windash's spellings ...)
 *     atom(value)     = its longest run of at least 3 bytes that the raw line holds as
 *                       they are: runs are cut at bytes that a log may write encoded ('\\',
 *                       '"', ' ', '+', control and non-ASCII bytes), and at wildcards.
 *                       Regexes, numbers compared, ranges, exists, null, fieldref and
 *                       negated values have none.
 *
 * When a rule would have more than MAX_CONJ sets, the best are kept (fewer, longer atoms reject
 * more lines); dropping a set keeps the prefilter sound, only less selective. A rule with
 * several sets is a candidate once the line has an atom of each (settle()): the user agents
 * and "cs-uri-stem|startswith: /owa/auth/" under "and" ask the rule of the lines with both only,
 * not of every line of an Exchange server's log that names an OWA page.
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
/* Vectorscan compiles thousands of long literals that share long runs (a hostile list) in
 * seconds and hundreds of megabytes, their first 16 bytes at once: the atoms of a set of more
 * than CUT_SET, and all of a group whose atoms pass CUT_BYTES, are cut to their first CUT_LEN
 * bytes (a part of a necessary atom is necessary too). Smaller sets keep their atoms whole: a
 * whole "/owa/auth/logon.aspx" is in fewer lines than its first 16 bytes (SigmaHQ's Windows
 * rules: 2,473 atoms, 33 KB). */
#define CUT_LEN   16
#define CUT_SET   64
#define CUT_BYTES 65536

struct atom {
    const char *s;
    size_t len;
    bool cased;
};

struct aset {
    struct atom *v;
    size_t n, cap;
    bool none;  /* no atom set: the rule is always a candidate */
    bool dirty; /* may hold an atom twice (aset_append): aset_uniq before it is counted */
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
    uint8_t *conj_of;  /* pattern id -> which of its rule's sets the atom is of */
    uint64_t *always;  /* its rules without atoms, one bit each */
};

struct ruru_prefilter {
    struct pgroup g[N_GROUPS];
    size_t n_words, n_rules;
    uint8_t *n_conj; /* rule -> how many sets of atoms a line must hold one of each of */
};

static void aset_free(struct aset *a)
{
    ruru_free(a->v);
    memset(a, 0, sizeof(*a));
}

/* Room in a for n more atoms. */
static bool aset_reserve(struct aset *a, size_t n)
{
    size_t cap = a->cap ? a->cap : 4;
    struct atom *v;

    while (cap < a->n + n)
        cap *= 2;
    if (cap == a->cap)
        return true;
    if ((v = ruru_realloc(a->v, cap * sizeof(*v))) == NULL)
        return false;
    a->v = v;
    a->cap = cap;
    return true;
}

static struct aset none(void)
{
    struct aset a = {NULL, 0, 0, true, false};
    return a;
}

/* By length, case, then bytes: an order to find repeats by. */
static int atom_cmp(const void *x, const void *y)
{
    const struct atom *a = x, *b = y;

    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    if (a->cased != b->cased)
        return a->cased ? 1 : -1;
    return memcmp(a->s, b->s, a->len);
}

/* A set of more atoms than this is given up (none: its rule is asked of every line, which is
 * sound): a hostile rule file's lists cost a sort, not a compile of millions of literals. */
#define MAX_SET_ATOMS (1u << 17)

static void aset_uniq(struct aset *a);

/* a's atoms, b's appended (b is freed), repeats not yet dropped (aset_uniq); none when either
 * is, or when a would pass MAX_SET_ATOMS with its repeats and hold more than half of it
 * without them (the same atoms in many branches of an or are one; a sort paid for by half a
 * set's worth of appends, not by every branch). */
static void aset_append(struct aset *a, struct aset *b)
{
    bool full = false;

    if (!a->none && !b->none && a->n + b->n > MAX_SET_ATOMS) {
        aset_uniq(a);
        full = a->n > MAX_SET_ATOMS / 2 || a->n + b->n > MAX_SET_ATOMS;
    }
    if (a->none || b->none || full || !aset_reserve(a, b->n)) {
        aset_free(a);
        aset_free(b);
        *a = none();
        return;
    }
    if (b->n > 0)
        memcpy(a->v + a->n, b->v, b->n * sizeof(*b->v));
    a->n += b->n;
    a->dirty = a->dirty || b->n > 0;
    aset_free(b);
}

/* a without its repeated atoms (sorted: an atom's place in a set means nothing). */
static void aset_uniq(struct aset *a)
{
    size_t k = 1;

    if (!a->dirty || a->n < 2) {
        a->dirty = false;
        return;
    }
    a->dirty = false;
    qsort(a->v, a->n, sizeof(*a->v), atom_cmp);
    for (size_t i = 1; i < a->n; i++)
        if (atom_cmp(&a->v[i], &a->v[k - 1]) != 0)
            a->v[k++] = a->v[i];
    a->n = k;
}

/* a's atoms cut to their first `len` bytes, repeats dropped. */
static void aset_cut(struct aset *a, size_t len)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len > len) {
            a->v[i].len = len;
            a->dirty = true;
        }
    aset_uniq(a);
}

/* a ∪ b into a (b is freed). */
static void aset_union(struct aset *a, struct aset *b)
{
    aset_append(a, b);
    aset_uniq(a);
}

/* The length of a set's shortest atom. */
static size_t shortest(const struct aset *a)
{
    size_t n = (size_t)-1;

    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len < n)
            n = a->v[i].len;
    return n;
}

/* How good an atom set is: sets of fewer, longer atoms reject more lines. */
static double score(struct aset *a)
{
    size_t n;

    aset_uniq(a);
    n = shortest(a);

    if (a->none || a->n == 0)
        return -1;
    return (double)(n > 12 ? 12 : n) - 0.01 * (double)a->n;
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
    if (!aset_reserve(&a, 1)) {
        aset_free(&a);
        return none();
    }
    a.v[a.n++] = (struct atom){v->s + best, best_len, v->cased};
    return a;
}

/* A conjunction of atom sets: a line the rule can match holds an atom of each (at most
 * MAX_CONJ, the best kept). None (n == 0): the rule is always a candidate. */
#define MAX_CONJ 4

struct cnf {
    struct aset s[MAX_CONJ];
    size_t n;
};

static struct cnf cnf_none(void)
{
    struct cnf c;

    memset(&c, 0, sizeof(c));
    return c;
}

static void cnf_free(struct cnf *c)
{
    for (size_t i = 0; i < c->n; i++)
        aset_free(&c->s[i]);
    c->n = 0;
}

/* The conjunction of one set (taken); none when it is none or empty. */
static struct cnf cnf_of(struct aset a)
{
    struct cnf c = cnf_none();

    if (a.none || a.n == 0)
        aset_free(&a);
    else
        c.s[c.n++] = a;
    return c;
}

/* Every match of an atom is noted, and short atoms are in a great many lines: "200" and "401"
 * in nearly every line of a web log, "POST" and "/owa" in every other line of an Exchange
 * server's. A set holding an atom shorter than this is kept only when it is a rule's best: with
 * "POST" kept beside "/owa/auth/" the bench sweep took 4 % more time, not less (bench/README.md).
 */
#define MIN_EXTRA_ATOM 5

/* The best set of c first. */
static void cnf_best_first(struct cnf *c)
{
    for (size_t i = 1; i < c->n; i++)
        if (score(&c->s[i]) > score(&c->s[0])) {
            struct aset t = c->s[0];
            c->s[0] = c->s[i];
            c->s[i] = t;
        }
}

/* c less its sets that reject too few lines to pay for their matches (its best kept). */
static void cnf_prune(struct cnf *c)
{
    size_t k = 1;

    for (size_t i = 0; i < c->n; i++) {
        aset_uniq(&c->s[i]);
        if (c->s[i].n > CUT_SET)
            aset_cut(&c->s[i], CUT_LEN);
    }
    cnf_best_first(c);
    for (size_t i = 1; i < c->n; i++) {
        if (shortest(&c->s[i]) >= MIN_EXTRA_ATOM)
            c->s[k++] = c->s[i];
        else
            aset_free(&c->s[i]);
    }
    if (c->n > 0)
        c->n = k;
}

/* A set into c, the worst of c's dropped when c is full (fewer sets: still necessary). */
static void cnf_add(struct cnf *c, struct aset a)
{
    size_t worst = 0;

    if (c->n < MAX_CONJ) {
        c->s[c->n++] = a;
        return;
    }
    for (size_t i = 1; i < c->n; i++)
        if (score(&c->s[i]) < score(&c->s[worst]))
            worst = i;
    if (score(&a) > score(&c->s[worst])) {
        aset_free(&c->s[worst]);
        c->s[worst] = a;
    } else {
        aset_free(&a);
    }
}

/* a and b: the sets of both (b is emptied). */
static void cnf_and(struct cnf *a, struct cnf *b)
{
    for (size_t i = 0; i < b->n; i++)
        cnf_add(a, b->s[i]);
    b->n = 0;
}

static struct aset aset_copy(const struct aset *a)
{
    struct aset c = {0};

    if (a->none || !aset_reserve(&c, a->n)) {
        aset_free(&c);
        return none();
    }
    if (a->n > 0)
        memcpy(c.v, a->v, a->n * sizeof(*c.v));
    c.n = a->n;
    c.dirty = a->dirty;
    return c;
}

/* The atoms an or's unions may take in all: past it, each side's best set alone. */
#define MAX_OR_ATOMS 4096

/* a or b: a line of either holds, for every set x of a and y of b, an atom of x ∪ y (b is
 * emptied). None when either is. */
static void cnf_or(struct cnf *a, struct cnf *b)
{
    struct cnf c = cnf_none();
    size_t atoms = 0;

    if (a->n == 1 && b->n == 1) {
        /* one set a side (the many searches of "1 of sel*"): b's atoms appended, their
         * repeats dropped once the set is counted, not at every branch */
        aset_append(&a->s[0], &b->s[0]);
        b->n = 0;
        if (a->s[0].none)
            cnf_free(a);
        return;
    }
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            atoms += a->s[i].n + b->s[j].n;
    if (atoms > MAX_OR_ATOMS) {
        /* sides of long lists: each side's best set only, one union (the pairs' unions are
         * copies, and a rule file may be hostile) */
        cnf_best_first(a);
        cnf_best_first(b);
        while (a->n > 1)
            aset_free(&a->s[--a->n]);
        while (b->n > 1)
            aset_free(&b->s[--b->n]);
    }
    if (a->n > 0 && b->n > 0)
        for (size_t i = 0; i < a->n; i++)
            for (size_t j = 0; j < b->n; j++) {
                struct aset x = aset_copy(&a->s[i]), y = aset_copy(&b->s[j]);
                aset_union(&x, &y);
                if (x.none) {
                    cnf_free(&c); /* out of memory: no atoms, the rule always asked */
                    goto out;
                }
                cnf_add(&c, x);
            }
out:
    cnf_free(a);
    cnf_free(b);
    *a = c;
}

/* One more branch b of an or into a (the first: a is b); false once a is none, as an or with
 * none stays. */
static bool cnf_or_next(struct cnf *a, struct cnf *b, bool first)
{
    if (first)
        *a = *b;
    else
        cnf_or(a, b);
    return a->n > 0;
}

static struct cnf item_atoms(const struct item *it)
{
    struct aset a = {0};
    struct cnf c = cnf_none();

    if (it->n == 0)
        return cnf_none();
    if (it->all) {
        /* |all: every written value is in a matching line, as one of the values it expanded
         * into (windash's spellings ...): a set for each */
        for (size_t i = 0; i < it->n;) {
            uint32_t of = it->v[i].of;
            struct aset one = {0};
            struct cnf b;
            for (; i < it->n && it->v[i].of == of; i++) {
                struct aset x = value_atoms(&it->v[i]);
                aset_append(&one, &x);
            }
            aset_uniq(&one);
            b = cnf_of(one);
            cnf_and(&c, &b);
        }
        return c;
    }
    for (size_t i = 0; i < it->n && !a.none; i++) {
        struct aset b = value_atoms(&it->v[i]);
        aset_append(&a, &b);
    }
    aset_uniq(&a);
    return cnf_of(a);
}

/* A search: its groups' items all hold (and), one of its groups does (or). */
static struct cnf search_atoms(const struct search *s)
{
    struct cnf a = cnf_none();

    for (size_t g = 0; g < s->n; g++) {
        struct cnf grp = cnf_none();
        for (size_t k = 0; k < s->groups[g].n; k++) {
            struct cnf b = item_atoms(&s->groups[g].items[k]);
            cnf_and(&grp, &b);
        }
        if (!cnf_or_next(&a, &grp, g == 0))
            break;
    }
    return a;
}

static struct cnf cond_atoms(const struct ruru_sigma_rule *r, const struct cond *c)
{
    struct cnf a, b;

    switch (c->kind) {
    case C_REF:
        return search_atoms(&r->searches[c->ref]);
    case C_AND:
        a = cond_atoms(r, c->a);
        b = cond_atoms(r, c->b);
        cnf_and(&a, &b);
        return a;
    case C_OR:
        a = cond_atoms(r, c->a);
        b = cond_atoms(r, c->b);
        cnf_or(&a, &b);
        return a;
    case C_ONE_OF:
        a = cnf_none();
        for (size_t i = 0; i < c->n_refs; i++) {
            b = search_atoms(&r->searches[c->refs[i]]);
            if (!cnf_or_next(&a, &b, i == 0))
                break;
        }
        return a;
    case C_ALL_OF:
        a = cnf_none();
        for (size_t i = 0; i < c->n_refs; i++) {
            b = search_atoms(&r->searches[c->refs[i]]);
            cnf_and(&a, &b);
        }
        return a;
    default:
        return cnf_none();
    }
}

static struct cnf rule_atoms(const struct ruru_sigma_rule *r)
{
    struct cnf a = cnf_none();

    for (size_t i = 0; i < r->n_conds; i++) {
        struct cnf b = cond_atoms(r, r->conds[i]);
        if (!cnf_or_next(&a, &b, i == 0))
            break;
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
        ruru_free(p->g[g].conj_of);
        ruru_free(p->g[g].always);
    }
    ruru_free(p->n_conj);
    ruru_free(p);
}

/* Is rule r (not a correlation, not a filter) in group g? */
static bool in_group(const struct ruru_sigma_rule *r, size_t g)
{
    if (r->ls_class == LS_ANY)
        return g == G_UNMAPPED;
    return g < N_CLASS_BITS && (r->ls_class >> g & 1);
}

/* The atoms of one group's database at most: the rules whose sets would pass it are asked of
 * every line of the group instead (Vectorscan's compile grows faster than its literals). */
#define MAX_GROUP_ATOMS 65536u

static enum ruru_err
build_group(struct ruru_rules *rs, struct ruru_prefilter *p, size_t g, struct cnf *sets)
{
    struct pgroup *pg = &p->g[g];
    const char **exprs = NULL;
    size_t *lens = NULL, total = 0, bytes = 0, cut;
    unsigned *ids = NULL, *flags = NULL;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    if ((pg->always = ruru_calloc(p->n_words ? p->n_words : 1, sizeof(*pg->always))) == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        if (r->corr != NULL || r->filter != NULL || !in_group(r, g))
            continue; /* correlations and filters are never evaluated on a line: no bit */
        size_t atoms = 0, len = 0;
        for (size_t c = 0; c < sets[i].n; c++) {
            atoms += sets[i].s[c].n;
            for (size_t k = 0; k < sets[i].s[c].n; k++)
                len += sets[i].s[c].v[k].len;
        }
        if (total + atoms > MAX_GROUP_ATOMS)
            cnf_free(&sets[i]); /* past the bound: asked of every line of the group */
        if (sets[i].n == 0) {
            pg->always[i / 64] |= 1ull << (i % 64);
        } else {
            total += atoms;
            bytes += len;
        }
    }
    if (total == 0)
        return RURU_OK;
    cut = bytes > CUT_BYTES ? CUT_LEN : SIZE_MAX;
    exprs = ruru_calloc(total, sizeof(*exprs));
    lens = ruru_calloc(total, sizeof(*lens));
    ids = ruru_calloc(total, sizeof(*ids));
    flags = ruru_calloc(total, sizeof(*flags));
    pg->rule_of = ruru_calloc(total, sizeof(*pg->rule_of));
    pg->len_of = ruru_calloc(total, sizeof(*pg->len_of));
    pg->conj_of = ruru_calloc(total, sizeof(*pg->conj_of));
    if (exprs == NULL || lens == NULL || ids == NULL || flags == NULL || pg->rule_of == NULL ||
        pg->len_of == NULL || pg->conj_of == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0, k = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        if (r->corr != NULL || r->filter != NULL || !in_group(r, g))
            continue;
        for (size_t c = 0; c < sets[i].n; c++)
            for (size_t j = 0; j < sets[i].s[c].n; j++, k++) {
                const struct atom *x = &sets[i].s[c].v[j];
                exprs[k] = x->s;
                lens[k] = x->len < cut ? x->len : cut;
                ids[k] = (unsigned)k;
                /* every match, not the first only: a chunk of lines is scanned at once */
                flags[k] = x->cased ? 0 : HS_FLAG_CASELESS;
                pg->rule_of[k] = (uint32_t)i;
                pg->len_of[k] = (uint32_t)lens[k];
                pg->conj_of[k] = (uint8_t)c;
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
    struct cnf *sets = ruru_calloc(rs->rules.n + 1, sizeof(*sets));
    enum ruru_err err = RURU_OK;

    (void)diag;
    if (p == NULL || sets == NULL ||
        (p->n_conj = ruru_calloc(rs->rules.n + 1, sizeof(*p->n_conj))) == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    p->n_words = (rs->rules.n + 63) / 64;
    p->n_rules = rs->rules.n;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        sets[i] = r->corr != NULL || r->filter != NULL ? cnf_none() : rule_atoms(r);
        cnf_prune(&sets[i]);
        p->n_conj[i] = (uint8_t)sets[i].n;
    }
    for (size_t g = 0; g < N_GROUPS && err == RURU_OK; g++)
        err = build_group(rs, p, g, sets);
    if (err == RURU_OK) {
        rs->pre = p;
        p = NULL;
    }
out:
    for (size_t i = 0; sets != NULL && i < rs->rules.n; i++)
        cnf_free(&sets[i]);
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
    /* The line's atoms of the rules with several sets: which sets (bit c: set c) of each rule
     * the line holds an atom of, and the rules with any (every other seen[] is 0). */
    uint8_t *seen;
    uint32_t *touched;
    size_t n_touched;
};

void *ruru_prefilter_scratch(const struct ruru_prefilter *p)
{
    struct pscratch *s = ruru_calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->seen = ruru_calloc(p->n_rules + 1, sizeof(*s->seen));
    s->touched = ruru_calloc(p->n_rules + 1, sizeof(*s->touched));
    if (s->seen == NULL || s->touched == NULL) {
        ruru_free(s->seen);
        ruru_free(s->touched);
        ruru_free(s);
        return NULL;
    }
    ruru_buf_init(&s->copy, (size_t)UINT32_MAX); /* as long as any line */
    /* one scratch, grown to fit every group's database */
    for (size_t g = 0; g < N_GROUPS; g++)
        if (p->g[g].db != NULL && hs_alloc_scratch(p->g[g].db, &s->hs) != HS_SUCCESS) {
            hs_free_scratch(s->hs);
            ruru_free(s->seen);
            ruru_free(s->touched);
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
    ruru_free(s->seen);
    ruru_free(s->touched);
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

/* Atom `id` of group pg is in the line: its rule is a candidate when the rule has one set of
 * atoms, else the atom's set is noted (settle() decides). */
static inline void found(const struct ruru_prefilter *p,
                         struct pscratch *s,
                         const struct pgroup *pg,
                         uint32_t id,
                         uint64_t *bits)
{
    uint32_t r = pg->rule_of[id];

    if (p->n_conj[r] <= 1) {
        bits[r / 64] |= 1ull << (r % 64);
        return;
    }
    if (s->seen[r] == 0)
        s->touched[s->n_touched++] = r;
    s->seen[r] |= (uint8_t)(1u << pg->conj_of[id]);
}

/* The rules with several sets whose every set has an atom in the line are candidates; the
 * notes are cleared for the next line. */
static void settle(const struct ruru_prefilter *p, struct pscratch *s, uint64_t *bits)
{
    for (size_t i = 0; i < s->n_touched; i++) {
        uint32_t r = s->touched[i];
        if (s->seen[r] == (1u << p->n_conj[r]) - 1)
            bits[r / 64] |= 1ull << (r % 64);
        s->seen[r] = 0;
    }
    s->n_touched = 0;
}

/* The atoms of group pg that lie in text[off, off + len), from the text's matches. */
static void text_atoms(const struct ruru_prefilter *p,
                       struct pscratch *s,
                       const struct pgroup *pg,
                       struct tscan *t,
                       size_t off,
                       size_t len,
                       uint64_t *bits)
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
        uint32_t id = t->v[i].id;
        if (t->v[i].to - pg->len_of[id] >= off)
            found(p, s, pg, id, bits);
    }
}

struct cand_ctx {
    const struct ruru_prefilter *p;
    struct pscratch *s;
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

    (void)from;
    (void)to;
    (void)flags;
    found(c->p, c->s, c->g, id, c->bits);
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
        struct cand_ctx c = {p, s, &p->g[g], bits};
        for (size_t w = 0; w < p->n_words; w++)
            bits[w] |= p->g[g].always[w];
        if (in_text && p->g[g].db != NULL) {
            /* a line of the text: its atoms are among the text's */
            if (!s->t[g].done)
                scan_text(&p->g[g], s, &s->t[g]);
            if (!s->t[g].failed) {
                text_atoms(p, s, &p->g[g], &s->t[g], (size_t)(line - s->text), len, bits);
                continue;
            }
        }
        /* the line is padded once for every database that reads it */
        if (p->g[g].db != NULL &&
            ((!padded && !(padded = ruru_hs_pad(&s->copy, line, len))) ||
             ruru_hs_scan_pad(p->g[g].db, &s->copy, len, s->hs, on_atom, &c) != HS_SUCCESS)) {
            settle(p, s, bits);
            memset(bits, 0xff, p->n_words * sizeof(*bits));
            return;
        }
    }
    settle(p, s, bits);
}
