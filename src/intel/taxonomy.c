/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP taxonomies (machinetag.json): what the tags on events mean. A taxonomy declares a
 * namespace and its predicates; a predicate either is a tag by itself ('tlp:amber') or has
 * entries listed under "values" ('admiralty-scale:source-reliability="b"'). Each tag becomes
 * one tag meaning with its expanded text and numerical value: the numbers are what turn
 * admiralty-scale:source-reliability="b" into a confidence of 75.
 *
 * Worked example:
 *     {"namespace": "admiralty-scale",
 *      "predicates": [{"value": "source-reliability", "expanded": "Source Reliability"}],
 *      "values": [{"predicate": "source-reliability",
 *                  "entry": [{"value": "a", "expanded": "Completely reliable",
 *                             "numerical_value": 100}, ...]}]}
 * gives admiralty-scale:source-reliability="a" ("Completely reliable", 100), and so on for
 * each entry; had the predicate no entries, it would give admiralty-scale:source-reliability.
 *
 * As in MISP, entries count only under a declared predicate: a "values" block naming a
 * predicate the taxonomy does not declare is rejected. Tags come out predicate by predicate in
 * declaration order, entries in file order. Blocks are matched to predicates by sorting
 * (no predicate-times-block loop), so a hostile file with 10^5 of each stays fast.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/galaxy_json.h"
#include "intel/intel.h"

/* A machine tag is a short token that MISP users type; 64 KiB is far beyond any real one
 * and keeps a hostile predicate from growing the tag buffer without bound. */
#define MAX_TAG_BYTES (64u << 10)

/* A name and where it came from: a declared predicate, or a "values" block. */
struct named {
    const char *name;
    size_t idx;
};

struct taxonomy {
    const struct ruru_import_ctx *ctx;
    const char *ns;
    struct ruru_galaxy_json_pos pos_pred; /* elements of "predicates" */
    struct ruru_galaxy_json_pos pos_vals; /* elements of "values" */
    struct named *decl;                   /* declared predicates, sorted by name */
    size_t n_decl;
    struct named *blocks; /* usable "values" blocks, sorted by predicate, then position */
    size_t n_blocks;
    struct ruru_buf tag;
};

static int cmp_named(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first element of sorted `v` named `name`, or n. */
static size_t lower_bound(const struct named *v, size_t n, const char *name)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(v[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The non-empty "value" string of a predicate or entry, or NULL. */
static const char *value_of(json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "value"));

    return s != NULL && *s != '\0' ? s : NULL;
}

/* numerical_value: an integer 0..INT_MAX (an integral real is taken too). OUT: *num, -1 when
 * absent or unusable; returns false when present but unusable. The model keeps -1 for
 * "none", so a negative value cannot be carried and counts as unusable. */
static bool numerical_of(json_t *o, int *num)
{
    json_t *n = json_object_get(o, "numerical_value");

    *num = -1;
    if (n == NULL)
        return true;
    if (json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= INT32_MAX) {
        *num = (int)json_integer_value(n);
        return true;
    }
    if (json_is_real(n) && json_real_value(n) >= 0 && json_real_value(n) <= INT32_MAX &&
        json_real_value(n) == (double)(int)json_real_value(n)) {
        *num = (int)json_real_value(n);
        return true;
    }
    return false;
}

/* Optional text member: NULL when absent or of another type (the latter reported once per
 * object through *wrong). */
static const char *text_of(json_t *o, const char *key, bool *wrong)
{
    json_t *v = json_object_get(o, key);

    if (v != NULL && !json_is_string(v))
        *wrong = true;
    return json_string_value(v);
}

/* Hands one tag meaning to the sink; a tag over MAX_TAG_BYTES is rejected instead, at
 * predicate `i`. */
static enum ruru_err emit(struct taxonomy *t,
                          size_t i,
                          const char *pred,
                          const char *value,
                          const char *expanded,
                          int num)
{
    const struct ruru_intel_sink *s = t->ctx->sink;
    struct ruru_intel_tag_meaning tm;
    enum ruru_err err;

    ruru_buf_reset(&t->tag);
    if (value != NULL)
        err = ruru_buf_addf(&t->tag, "%s:%s=\"%s\"", t->ns, pred, value);
    else
        err = ruru_buf_addf(&t->tag, "%s:%s", t->ns, pred);
    if (err == RURU_ELIMIT)
        return ruru_galaxy_json_reject(t->ctx, &t->pos_pred, i, NULL, pred, "machine tag too long");
    if (err != RURU_OK)
        return err;
    memset(&tm, 0, sizeof(tm));
    tm.tag = t->tag.ptr;
    tm.ns = t->ns;
    tm.predicate = pred;
    tm.value = value;
    tm.expanded = expanded;
    tm.numerical_value = num;
    return s->tag_meaning != NULL ? s->tag_meaning(s->ctx, &tm) : RURU_OK;
}

/* Pass 1: the declared predicates, sorted, for the blocks to be checked against. */
static enum ruru_err collect_declared(struct taxonomy *t, json_t *preds)
{
    json_t *p;
    size_t i;

    t->decl = ruru_calloc(json_array_size(preds) + 1, sizeof(*t->decl));
    if (t->decl == NULL)
        return RURU_ENOMEM;
    json_array_foreach(preds, i, p)
    {
        const char *name = value_of(p);
        if (name != NULL) {
            t->decl[t->n_decl].name = name;
            t->decl[t->n_decl].idx = i;
            t->n_decl++;
        }
    }
    qsort(t->decl, t->n_decl, sizeof(*t->decl), cmp_named);
    return RURU_OK;
}

/* Pass 2: checks every "values" block and entry in file order (so rejects carry rising
 * positions), keeping the usable blocks sorted by predicate. */
static enum ruru_err check_blocks(struct taxonomy *t, json_t *vals)
{
    enum ruru_err err = RURU_OK;
    json_t *v, *e;
    size_t i, k;

    t->blocks = ruru_calloc(json_array_size(vals) + 1, sizeof(*t->blocks));
    if (t->blocks == NULL)
        return RURU_ENOMEM;
    json_array_foreach(vals, i, v)
    {
        const char *pred = json_string_value(json_object_get(v, "predicate"));
        json_t *entries = json_object_get(v, "entry");
        size_t at;
        bool wrong = false, bad_num = false, no_value = false;
        if (pred == NULL || *pred == '\0' || !json_is_array(entries)) {
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_vals, i, NULL, NULL,
                                          "taxonomy values without predicate or entry list");
            if (err != RURU_OK)
                return err;
            continue;
        }
        at = lower_bound(t->decl, t->n_decl, pred);
        if (at == t->n_decl || strcmp(t->decl[at].name, pred) != 0) {
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_vals, i, NULL, pred,
                                          "values for an undeclared predicate");
            if (err != RURU_OK)
                return err;
            continue;
        }
        json_array_foreach(entries, k, e)
        {
            int num;
            if (value_of(e) == NULL) {
                no_value = true;
                continue;
            }
            (void)text_of(e, "expanded", &wrong);
            if (!numerical_of(e, &num))
                bad_num = true;
        }
        if (no_value)
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_vals, i, NULL, pred,
                                          "taxonomy entry without value");
        if (err == RURU_OK && bad_num)
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_vals, i, NULL, pred,
                                          "malformed numerical_value");
        if (err == RURU_OK && wrong)
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_vals, i, NULL, "expanded",
                                          RURU_GALAXY_WRONG_TYPE);
        if (err != RURU_OK)
            return err;
        t->blocks[t->n_blocks].name = pred;
        t->blocks[t->n_blocks].idx = i;
        t->n_blocks++;
    }
    qsort(t->blocks, t->n_blocks, sizeof(*t->blocks), cmp_named);
    return RURU_OK;
}

/* The entries of every block of declared predicate `pred` (predicates[i]), in file order.
 * OUT: *emitted, whether there was one. */
static enum ruru_err
emit_entries(struct taxonomy *t, size_t i, const char *pred, json_t *vals, bool *emitted)
{
    json_t *e;
    size_t k;

    *emitted = false;
    for (size_t at = lower_bound(t->blocks, t->n_blocks, pred);
         at < t->n_blocks && strcmp(t->blocks[at].name, pred) == 0; at++) {
        json_t *entries = json_object_get(json_array_get(vals, t->blocks[at].idx), "entry");
        json_array_foreach(entries, k, e)
        {
            bool ignored = false; /* reported in pass 2 */
            enum ruru_err err;
            int num;
            if (value_of(e) == NULL)
                continue;
            (void)numerical_of(e, &num);
            err = emit(t, i, pred, value_of(e), text_of(e, "expanded", &ignored), num);
            if (err != RURU_OK)
                return err;
            *emitted = true;
        }
    }
    return RURU_OK;
}

/* Predicate i as a tag by itself. */
static enum ruru_err emit_bare(struct taxonomy *t, size_t i, const char *pred, json_t *p)
{
    bool wrong = false;
    const char *expanded = text_of(p, "expanded", &wrong);
    enum ruru_err err = RURU_OK;
    int num;

    if (!numerical_of(p, &num))
        err = ruru_galaxy_json_reject(t->ctx, &t->pos_pred, i, NULL, pred,
                                      "malformed numerical_value");
    if (err == RURU_OK && wrong)
        err = ruru_galaxy_json_reject(t->ctx, &t->pos_pred, i, NULL, "expanded",
                                      RURU_GALAXY_WRONG_TYPE);
    if (err == RURU_OK)
        err = emit(t, i, pred, NULL, expanded, num);
    return err;
}

/* Pass 3: each predicate in declaration order, with its entries or by itself. */
static enum ruru_err emit_predicates(struct taxonomy *t, json_t *preds, json_t *vals)
{
    enum ruru_err err = RURU_OK;
    json_t *p;
    size_t i;

    json_array_foreach(preds, i, p)
    {
        const char *pred = value_of(p);
        bool emitted;
        if (pred == NULL) {
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_pred, i, NULL, NULL,
                                          "taxonomy predicate without value");
        } else if (t->decl[lower_bound(t->decl, t->n_decl, pred)].idx != i) {
            /* A second declaration of a name adds nothing: its entries came with the first. */
            err = ruru_galaxy_json_reject(t->ctx, &t->pos_pred, i, NULL, pred,
                                          "duplicate taxonomy predicate");
        } else {
            err = emit_entries(t, i, pred, vals, &emitted);
            if (err == RURU_OK && !emitted)
                err = emit_bare(t, i, pred, p);
        }
        if (err != RURU_OK)
            return err;
    }
    return RURU_OK;
}

enum ruru_err ruru_taxonomy_import(const char *data,
                                   size_t len,
                                   const struct ruru_import_ctx *ctx,
                                   struct ruru_diag *diag)
{
    struct taxonomy t;
    json_t *root = NULL, *preds, *vals;
    enum ruru_err err;

    memset(&t, 0, sizeof(t));
    ruru_buf_init(&t.tag, MAX_TAG_BYTES);
    err = ruru_galaxy_json_load(data, len, ctx, &root, diag);
    if (err != RURU_OK)
        goto out;
    t.ctx = ctx;
    t.ns = json_string_value(json_object_get(root, "namespace"));
    preds = json_object_get(root, "predicates");
    vals = json_object_get(root, "values");
    if (t.ns == NULL || *t.ns == '\0' || !json_is_array(preds)) {
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, 1, 1,
                            "not a MISP taxonomy (no \"namespace\" and \"predicates\")");
        goto out;
    }
    ruru_galaxy_json_pos_init(&t.pos_pred, data, len, "predicates");
    ruru_galaxy_json_pos_init(&t.pos_vals, data, len, "values");
    if (vals != NULL && !json_is_array(vals)) {
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, "values", RURU_GALAXY_WRONG_TYPE);
        vals = NULL;
    }
    if (err == RURU_OK)
        err = collect_declared(&t, preds);
    if (err == RURU_OK)
        err = check_blocks(&t, vals);
    if (err == RURU_OK)
        err = emit_predicates(&t, preds, vals);
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
out:
    ruru_free(t.decl);
    ruru_free(t.blocks);
    ruru_buf_fini(&t.tag);
    json_decref(root);
    return err;
}
