/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiling a loaded rule set (sigma.h): what correlations and filters refer to is resolved
 * (by id, or by name), the fields each correlated rule must keep of its matches are listed,
 * and the prefilter is built. After this the set does not change.
 */
#include <hs/hs.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/str.h"
#include "rules/sigma_int.h"

static struct ruru_sigma_rule *at(const struct ruru_rules *rs, size_t i)
{
    return *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
}

/* The rule an id or a name refers to; -1 when none. */
static long find(const struct ruru_rules *rs, const char *ref)
{
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = at(rs, i);
        if ((r->id != NULL && strcmp(r->id, ref) == 0) ||
            (r->name != NULL && strcmp(r->name, ref) == 0))
            return (long)i;
    }
    return -1;
}

static bool has_name(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* Adds `name` to the fields rule r keeps for its correlations. */
static enum ruru_err keep_field(struct ruru_rules *rs, struct ruru_sigma_rule *r, const char *name)
{
    const char **v;

    if (has_name(r->corr_fields, r->n_corr_fields, name))
        return RURU_OK;
    v = ruru_arena_alloc(&rs->arena, (r->n_corr_fields + 1) * sizeof(*v));
    if (v == NULL)
        return RURU_ENOMEM;
    if (r->n_corr_fields > 0)
        memcpy(v, r->corr_fields, r->n_corr_fields * sizeof(*v));
    v[r->n_corr_fields++] = name;
    r->corr_fields = v;
    return RURU_OK;
}

/* Numbers the distinct field names the items ask for, so that a sweep looks each up once per
 * record however many rules ask (eval.c). */
static enum ruru_err number_fields(struct ruru_rules *rs)
{
    struct ruru_map ids;
    enum ruru_err err = RURU_OK;

    ruru_map_init(&ids);
    rs->n_field_ids = 0;
    for (size_t i = 0; i < rs->rules.n && err == RURU_OK; i++) {
        struct ruru_sigma_rule *r = at(rs, i);
        for (size_t s = 0; s < r->n_searches; s++)
            for (size_t g = 0; g < r->searches[s].n; g++)
                for (size_t k = 0; k < r->searches[s].groups[g].n && err == RURU_OK; k++) {
                    struct item *it = &r->searches[s].groups[g].items[k];
                    int64_t id;
                    if (it->field == NULL)
                        continue;
                    if (!ruru_map_get(&ids, it->field, strlen(it->field), &id)) {
                        id = ++rs->n_field_ids;
                        err = ruru_map_put(&ids, it->field, strlen(it->field), id);
                    }
                    it->field_id = (uint32_t)id;
                }
    }
    ruru_map_fini(&ids);
    return err;
}

/* Items of at least this many case-insensitive whole values get a set of them. */
#define EQ_SET_MIN     8
#define EQ_SET_MAX_LEN 1024 /* in_eq_set (eval.c) lower-cases at most this much */

/* An item's whole values (V_EQ, ASCII case ignored, not negated) in one set: a user-agent list
 * of a hundred values is one lookup instead of a hundred comparisons. */
static enum ruru_err eq_set(struct ruru_rules *rs, struct item *it)
{
    size_t n = 0;
    struct ruru_map *m;
    char low[EQ_SET_MAX_LEN];

    if (it->field == NULL || it->all || it->eq_set != NULL)
        return RURU_OK;
    for (size_t i = 0; i < it->n; i++) {
        const struct sval *v = &it->v[i];
        n += v->op == V_EQ && !v->cased && !v->negate && v->len <= EQ_SET_MAX_LEN;
    }
    if (n < EQ_SET_MIN)
        return RURU_OK;
    if ((m = ruru_malloc(sizeof(*m))) == NULL)
        return RURU_ENOMEM;
    ruru_map_init(m);
    if (ruru_vec_push(&rs->sets, &m) != RURU_OK) {
        ruru_free(m);
        return RURU_ENOMEM;
    }
    for (size_t i = 0; i < it->n; i++) {
        struct sval *v = &it->v[i];
        if (!(v->op == V_EQ && !v->cased && !v->negate && v->len <= EQ_SET_MAX_LEN))
            continue;
        for (size_t k = 0; k < v->len; k++)
            low[k] = ruru_lower(v->s[k]);
        if (ruru_map_put(m, low, v->len, 1) != RURU_OK)
            return RURU_ENOMEM;
        v->in_set = true;
    }
    it->eq_set = m;
    return RURU_OK;
}

/* An item's many substring values (contains, startswith, endswith; not negated, not empty) in
 * one literal database: a list of forty user-agent fragments is one scan of the value. Where a
 * prefix or suffix must sit is checked on each occurrence (eval.c). */
#define LITS_MIN 8

static bool lit_op(const struct sval *v)
{
    return (v->op == V_CONTAINS || v->op == V_PREFIX || v->op == V_SUFFIX) && !v->negate &&
           v->len > 0 && strlen(v->s) == v->len;
}

static enum ruru_err lits_db(struct ruru_rules *rs, struct item *it)
{
    size_t n = 0, k = 0;
    const char **exprs;
    size_t *lens;
    unsigned *ids, *flags;
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    enum ruru_err err = RURU_OK;

    if (it->field == NULL || it->all || it->lits != NULL)
        return RURU_OK;
    for (size_t i = 0; i < it->n; i++)
        n += lit_op(&it->v[i]);
    if (n < LITS_MIN)
        return RURU_OK;
    exprs = ruru_calloc(n, sizeof(*exprs));
    lens = ruru_calloc(n, sizeof(*lens));
    ids = ruru_calloc(n, sizeof(*ids));
    flags = ruru_calloc(n, sizeof(*flags));
    if (exprs == NULL || lens == NULL || ids == NULL || flags == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < it->n; i++) {
        if (!lit_op(&it->v[i]))
            continue;
        exprs[k] = it->v[i].s;
        lens[k] = it->v[i].len;
        ids[k] = (unsigned)i;
        flags[k] = it->v[i].cased ? 0 : HS_FLAG_CASELESS;
        k++;
    }
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db,
                             &cerr) != HS_SUCCESS) {
        hs_free_compile_error(cerr); /* the values are tested one by one, as before */
        goto out;
    }
    if (ruru_vec_push(&rs->hs_regexes, &db) != RURU_OK) {
        hs_free_database(db);
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < it->n; i++)
        it->v[i].in_lits = lit_op(&it->v[i]);
    it->lits = db;
out:
    ruru_free(exprs);
    ruru_free(lens);
    ruru_free(ids);
    ruru_free(flags);
    return err;
}

static enum ruru_err eq_sets(struct ruru_rules *rs)
{
    for (size_t i = 0; i < rs->rules.n; i++) {
        struct ruru_sigma_rule *r = at(rs, i);
        for (size_t s = 0; s < r->n_searches; s++)
            for (size_t g = 0; g < r->searches[s].n; g++)
                for (size_t k = 0; k < r->searches[s].groups[g].n; k++)
                    if (eq_set(rs, &r->searches[s].groups[g].items[k]) != RURU_OK ||
                        lits_db(rs, &r->searches[s].groups[g].items[k]) != RURU_OK)
                        return RURU_ENOMEM;
    }
    return RURU_OK;
}

enum ruru_err
ruru_rules_compile(struct ruru_rules *rs, ruru_rules_file_fn fn, void *ctx, struct ruru_diag *diag)
{
    enum ruru_err err;

    ruru_diag_clear(diag);
    if (rs->compiled)
        return RURU_OK;
    for (size_t i = 0; i < rs->rules.n; i++) {
        struct ruru_sigma_rule *r = at(rs, i);
        struct corr *c = r->corr;
        bool ok = true;
        if (c == NULL)
            continue;
        c->rule_idx = ruru_arena_alloc(&rs->arena, c->n_rules * sizeof(*c->rule_idx));
        if (c->rule_idx == NULL)
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        for (size_t k = 0; k < c->n_rules && ok; k++) {
            long j = find(rs, c->rules[k]);
            if (j < 0 || (size_t)j == i) {
                struct ruru_diag d;
                ruru_diag_set(&d, RURU_EPARSE, r->file, r->line, 0,
                              "correlation \"%s\" refers to rule \"%s\", which is not loaded",
                              r->title, c->rules[k]);
                if (fn != NULL)
                    fn(ctx, r->file, 0, RURU_EPARSE, &d);
                ok = false;
                break;
            }
            c->rule_idx[k] = (uint32_t)j;
        }
        if (!ok) {
            c->n_rules = 0; /* dropped: it can never fire */
            continue;
        }
        for (size_t k = 0; k < c->n_rules; k++) {
            struct ruru_sigma_rule *base = at(rs, c->rule_idx[k]);
            if (!c->generate)
                base->referenced = true;
            for (size_t g = 0; g < c->n_group_by; g++)
                if ((err = keep_field(rs, base, c->group_by[g])) != RURU_OK)
                    return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
            if (c->field != NULL && (err = keep_field(rs, base, c->field)) != RURU_OK)
                return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
        }
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        struct ruru_sigma_rule *f = at(rs, i);
        if (f->filter == NULL)
            continue;
        for (size_t k = 0; k < f->filter->n_rules; k++) {
            long j = find(rs, f->filter->rules[k]);
            struct ruru_sigma_rule *r;
            uint32_t *v;
            if (j < 0)
                continue; /* a filter for rules not loaded filters nothing */
            r = at(rs, (size_t)j);
            v = ruru_arena_alloc(&rs->arena, (r->n_filters + 1) * sizeof(*v));
            if (v == NULL)
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            if (r->n_filters > 0)
                memcpy(v, r->filters, r->n_filters * sizeof(*v));
            v[r->n_filters++] = (uint32_t)i;
            r->filters = v;
            r->has_filters = true;
        }
    }
    if ((err = ruru_prefilter_build(rs, diag)) != RURU_OK)
        return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    if (number_fields(rs) != RURU_OK || eq_sets(rs) != RURU_OK)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    rs->compiled = true;
    return RURU_OK;
}

const char *const *ruru_rules_corr_fields(const struct ruru_rules *rs, uint32_t rule, size_t *n)
{
    const struct ruru_sigma_rule *r = at(rs, rule);

    *n = r->n_corr_fields;
    return r->corr_fields;
}

bool ruru_rules_correlated(const struct ruru_rules *rs, uint32_t rule)
{
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct corr *c = at(rs, i)->corr;
        for (size_t k = 0; c != NULL && k < c->n_rules; k++)
            if (c->rule_idx != NULL && c->rule_idx[k] == rule)
                return true;
    }
    return false;
}
