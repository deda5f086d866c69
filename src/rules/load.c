/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading Sigma rules (sigma.h): YAML documents into the model of sigma_int.h. A document is
 * a detection rule (logsource + detection), a correlation (correlation:), or a filter
 * (filter:). Each is checked as it is read; a document that cannot be used is refused with
 * its file, line, column and the reason, and the rest of the file goes on. Nothing here
 * prints: reasons go to the caller's callback.
 */
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/str.h"
#include "io/file.h"
#include "rules/sigma_int.h"

/* A rule file bigger than this is not a rule file. */
#define MAX_RULE_FILE (16u << 20)
/* Values one item may have, its written values' expansions counted (one written value expands
 * into at most 4,096: value.c): a list of hashes or user agents, not a database. */
#define MAX_ITEM_VALUES 65536u

static const char *dup(struct ruru_rules *rs, const char *s)
{
    return s != NULL ? ruru_arena_strndup(&rs->arena, s, strlen(s)) : NULL;
}

/* A refusal at a node: bad(diag, file, node, "format", args...). */
#define bad(d, file, at, ...)                                              \
    ruru_diag_set((d), RURU_EPARSE, (file), (at) != NULL ? (at)->line : 0, \
                  (at) != NULL ? (at)->col : 0, __VA_ARGS__)

/* A scalar, or NULL when absent; an error when present but not a scalar. */
static enum ruru_err opt_str(struct ruru_rules *rs,
                             const struct ruru_yaml *m,
                             const char *key,
                             const char *file,
                             const char **out,
                             struct ruru_diag *d)
{
    const struct ruru_yaml *v = ruru_yaml_get(m, key);

    *out = NULL;
    if (v == NULL || ruru_yaml_is_null(v))
        return RURU_OK;
    if (v->kind != RURU_YAML_SCALAR)
        return bad(d, file, v, "\"%s\" must be a string", key);
    if ((*out = dup(rs, v->text)) == NULL)
        return RURU_ENOMEM;
    return RURU_OK;
}

/* A list of strings (a single string counts as a list of one). */
static enum ruru_err opt_list(struct ruru_rules *rs,
                              const struct ruru_yaml *m,
                              const char *key,
                              const char *file,
                              const char ***out,
                              size_t *n,
                              struct ruru_diag *d)
{
    const struct ruru_yaml *v = ruru_yaml_get(m, key);

    *out = NULL;
    *n = 0;
    if (v == NULL || ruru_yaml_is_null(v))
        return RURU_OK;
    if (v->kind == RURU_YAML_SCALAR) {
        *out = ruru_arena_alloc(&rs->arena, sizeof(**out));
        if (*out == NULL || ((*out)[0] = dup(rs, v->text)) == NULL)
            return RURU_ENOMEM;
        *n = 1;
        return RURU_OK;
    }
    if (v->kind != RURU_YAML_SEQ)
        return bad(d, file, v, "\"%s\" must be a list of strings", key);
    if (v->n == 0)
        return RURU_OK;
    if ((*out = ruru_arena_alloc(&rs->arena, v->n * sizeof(**out))) == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->kind != RURU_YAML_SCALAR)
            return bad(d, file, v->items[i], "\"%s\" must be a list of strings", key);
        if (((*out)[i] = dup(rs, v->items[i]->text)) == NULL)
            return RURU_ENOMEM;
    }
    *n = v->n;
    return RURU_OK;
}

static int level_rank(const char *level)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};

    for (int i = 0; level != NULL && i < 5; i++)
        if (strcmp(level, names[i]) == 0)
            return i;
    return -1;
}

/* ---- detection ---------------------------------------------------------------------------- */

/* One "field|modifiers: value(s)" into an item. */
static enum ruru_err item_of(struct ruru_rules *rs,
                             const struct ruru_yaml *key,
                             const struct ruru_yaml *val,
                             const char *file,
                             struct item *it,
                             struct ruru_diag *d)
{
    const char *k = key->text, *bar = strchr(k, '|');
    struct value_mods m;
    struct ruru_vec vals;
    const char *why = NULL;
    enum ruru_err err;

    memset(it, 0, sizeof(*it));
    it->line = key->line;
    it->field = bar == k ? NULL
                         : ruru_arena_strndup(&rs->arena, k, bar ? (size_t)(bar - k) : strlen(k));
    it->mods = bar != NULL ? dup(rs, bar + 1) : "";
    if ((bar != k && it->field == NULL) || it->mods == NULL)
        return RURU_ENOMEM;
    if (it->field != NULL && it->field[0] == '\0')
        return bad(d, file, key, "empty field name in \"%s\"", k);
    if ((err = ruru_sigma_parse_mods(it->mods, &m, &why)) != RURU_OK)
        return ruru_diag_set(d, err, file, key->line, key->col, "%s: %s", k, why);
    if (it->field == NULL && (m.exists || m.fieldref))
        return bad(d, file, key, "\"%s\": a modifier that needs a field", k);
    /* keywords are searched for anywhere in the event unless anchored by a modifier */
    if (it->field == NULL && !m.contains && !m.startswith && !m.endswith && !m.re)
        m.contains = true;
    it->all = m.all;
    ruru_vec_init(&vals, sizeof(struct sval), 1u << 20);
    if (val->kind == RURU_YAML_SEQ) {
        if (val->n == 0) {
            ruru_vec_fini(&vals);
            return bad(d, file, val, "\"%s\" has an empty list of values", k);
        }
        for (size_t i = 0; i < val->n && err == RURU_OK; i++) {
            if (val->items[i]->kind != RURU_YAML_SCALAR) {
                ruru_vec_fini(&vals);
                return bad(d, file, val->items[i], "\"%s\": a value must be a string or a number",
                           k);
            }
            size_t from = vals.n;
            err = ruru_sigma_value(rs, &m, val->items[i], &vals, &why);
            for (size_t e = from; e < vals.n; e++)
                ((struct sval *)ruru_vec_at(&vals, e))->of = (uint32_t)i;
            if (err == RURU_OK && vals.n > MAX_ITEM_VALUES) {
                ruru_vec_fini(&vals);
                return bad(d, file, val->items[i], "\"%s\": more than %u values (as expanded)", k,
                           MAX_ITEM_VALUES);
            }
        }
    } else if (val->kind == RURU_YAML_SCALAR) {
        err = ruru_sigma_value(rs, &m, val, &vals, &why);
    } else {
        ruru_vec_fini(&vals);
        return bad(d, file, val, "\"%s\": a value must be a string, a number or a list of them", k);
    }
    if (err == RURU_OK && vals.n > 0) {
        it->n = vals.n;
        it->v = ruru_arena_alloc(&rs->arena, vals.n * sizeof(*it->v));
        if (it->v == NULL)
            err = RURU_ENOMEM;
        else
            memcpy(it->v, ruru_vec_at(&vals, 0), vals.n * sizeof(*it->v));
    }
    ruru_vec_fini(&vals);
    if (err == RURU_ENOMEM)
        return ruru_diag_set(d, err, file, key->line, key->col, "out of memory");
    if (err != RURU_OK)
        return ruru_diag_set(d, err, file, key->line, key->col, "%s: %s", k,
                             why != NULL ? why : "bad value");
    return RURU_OK;
}

static enum ruru_err group_of_map(struct ruru_rules *rs,
                                  const struct ruru_yaml *map,
                                  const char *file,
                                  struct group *g,
                                  struct ruru_diag *d)
{
    enum ruru_err err;

    g->n = map->n;
    if (map->n == 0)
        return bad(d, file, map, "%s", "an empty map in a search");
    if ((g->items = ruru_arena_alloc(&rs->arena, map->n * sizeof(*g->items))) == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < map->n; i++) {
        const struct ruru_yaml *k = map->items[2 * i];
        if (k->kind != RURU_YAML_SCALAR)
            return bad(d, file, k, "%s", "a field name must be a string");
        if ((err = item_of(rs, k, map->items[2 * i + 1], file, &g->items[i], d)) != RURU_OK)
            return err;
    }
    return RURU_OK;
}

/* Keywords: a list of strings (or one), searched in the whole event, ORed. */
static enum ruru_err group_of_keywords(struct ruru_rules *rs,
                                       const struct ruru_yaml *val,
                                       const struct ruru_yaml *at,
                                       const char *file,
                                       struct group *g,
                                       struct ruru_diag *d)
{
    struct ruru_yaml key;

    memset(&key, 0, sizeof(key));
    key.kind = RURU_YAML_SCALAR;
    key.text = "|contains";
    key.len = strlen(key.text);
    key.line = at->line;
    key.col = at->col;
    g->n = 1;
    if ((g->items = ruru_arena_alloc(&rs->arena, sizeof(*g->items))) == NULL)
        return RURU_ENOMEM;
    return item_of(rs, &key, val, file, &g->items[0], d);
}

static enum ruru_err search_of(struct ruru_rules *rs,
                               const struct ruru_yaml *name,
                               const struct ruru_yaml *val,
                               const char *file,
                               struct search *s,
                               struct ruru_diag *d)
{
    enum ruru_err err;

    s->name = dup(rs, name->text);
    if (s->name == NULL)
        return RURU_ENOMEM;
    if (val->kind == RURU_YAML_MAP) {
        s->n = 1;
        if ((s->groups = ruru_arena_alloc(&rs->arena, sizeof(*s->groups))) == NULL)
            return RURU_ENOMEM;
        return group_of_map(rs, val, file, &s->groups[0], d);
    }
    if (val->kind == RURU_YAML_SCALAR) {
        if (ruru_yaml_is_null(val))
            return bad(d, file, val, "search \"%s\" is empty", name->text);
        s->n = 1;
        if ((s->groups = ruru_arena_alloc(&rs->arena, sizeof(*s->groups))) == NULL)
            return RURU_ENOMEM;
        return group_of_keywords(rs, val, val, file, &s->groups[0], d);
    }
    /* a list: of maps (ORed), or of keywords; scalars among maps are keywords of their own */
    {
        size_t n_maps = 0, n_scalars = 0, k = 0;
        for (size_t i = 0; i < val->n; i++) {
            n_maps += val->items[i]->kind == RURU_YAML_MAP;
            n_scalars += val->items[i]->kind == RURU_YAML_SCALAR;
        }
        if (n_maps + n_scalars != val->n || val->n == 0)
            return bad(d, file, val, "search \"%s\" must be maps or keywords", name->text);
        if (n_maps == 0) {
            s->n = 1;
            if ((s->groups = ruru_arena_alloc(&rs->arena, sizeof(*s->groups))) == NULL)
                return RURU_ENOMEM;
            return group_of_keywords(rs, val, val, file, &s->groups[0], d);
        }
        s->n = val->n;
        if ((s->groups = ruru_arena_alloc(&rs->arena, val->n * sizeof(*s->groups))) == NULL)
            return RURU_ENOMEM;
        for (size_t i = 0; i < val->n; i++, k++) {
            const struct ruru_yaml *e = val->items[i];
            err = e->kind == RURU_YAML_MAP ? group_of_map(rs, e, file, &s->groups[k], d)
                                           : group_of_keywords(rs, e, e, file, &s->groups[k], d);
            if (err != RURU_OK)
                return err;
        }
        return RURU_OK;
    }
}

/* The searches of a `detection` (or filter) map and its condition(s). */
static enum ruru_err detection_of(struct ruru_rules *rs,
                                  struct ruru_sigma_rule *r,
                                  const struct ruru_yaml *det,
                                  const char *file,
                                  struct ruru_diag *d)
{
    const struct ruru_yaml *cond = NULL;
    size_t n = 0;
    enum ruru_err err = RURU_OK;
    struct ruru_map names;

    if (det == NULL || det->kind != RURU_YAML_MAP)
        return bad(d, file, det, "%s", "\"detection\" must be a map");
    for (size_t i = 0; i < det->n; i++) {
        const struct ruru_yaml *k = det->items[2 * i];
        if (k->kind != RURU_YAML_SCALAR)
            return bad(d, file, k, "%s", "a search name must be a string");
        if (strcmp(k->text, "condition") == 0)
            cond = det->items[2 * i + 1];
        else if (strcmp(k->text, "timeframe") != 0 && strcmp(k->text, "rules") != 0)
            n++;
    }
    if (cond == NULL)
        return bad(d, file, det, "%s", "no \"condition\"");
    if (ruru_yaml_get(det, "timeframe") != NULL)
        return bad(d, file, ruru_yaml_get(det, "timeframe"), "%s",
                   "\"timeframe\" is Sigma v1 aggregation: write a correlation rule");
    r->n_searches = n;
    if (n > 0 && (r->searches = ruru_arena_alloc(&rs->arena, n * sizeof(*r->searches))) == NULL)
        return RURU_ENOMEM;
    n = 0;
    ruru_map_init(&names); /* a name given twice found in one lookup, not n of them */
    for (size_t i = 0; i < det->n && err == RURU_OK; i++) {
        const struct ruru_yaml *k = det->items[2 * i];
        int64_t one;
        if (strcmp(k->text, "condition") == 0 || strcmp(k->text, "timeframe") == 0 ||
            strcmp(k->text, "rules") == 0)
            continue;
        if (ruru_map_get(&names, k->text, strlen(k->text), &one)) {
            err = bad(d, file, k, "search \"%s\" given twice", k->text);
            break;
        }
        memset(&r->searches[n], 0, sizeof(r->searches[n]));
        if ((err = ruru_map_put(&names, k->text, strlen(k->text), 1)) != RURU_OK ||
            (err = search_of(rs, k, det->items[2 * i + 1], file, &r->searches[n], d)) != RURU_OK)
            break;
        n++;
    }
    ruru_map_fini(&names);
    if (err != RURU_OK)
        return err;
    /* condition: a string, or a list of them (ORed) */
    if (cond->kind == RURU_YAML_SCALAR) {
        r->n_conds = 1;
    } else if (cond->kind == RURU_YAML_SEQ && cond->n > 0) {
        r->n_conds = cond->n;
    } else {
        return bad(d, file, cond, "%s", "\"condition\" must be a string or a list of them");
    }
    if ((r->conds = ruru_arena_alloc(&rs->arena, r->n_conds * sizeof(*r->conds))) == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < r->n_conds; i++) {
        const struct ruru_yaml *c = cond->kind == RURU_YAML_SCALAR ? cond : cond->items[i];
        if (c->kind != RURU_YAML_SCALAR)
            return bad(d, file, c, "%s", "a condition must be a string");
        if ((err = ruru_sigma_cond_parse(rs, r, c->text, c->line, c->col, &r->conds[i], d)) !=
            RURU_OK) {
            if (d != NULL && d->source == NULL)
                d->source = file;
            return err;
        }
    }
    return RURU_OK;
}

/* ---- correlations and filters ------------------------------------------------------------ */

static int64_t timespan_of(const char *s)
{
    int64_t v = 0;
    size_t i = 0, n = strlen(s);

    if (n < 2)
        return -1;
    for (; i + 1 < n; i++) {
        if (!ruru_is_digit(s[i]) || v > (int64_t)1 << 40)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    switch (s[n - 1]) {
    case 's':
        return v;
    case 'm':
        return v * 60;
    case 'h':
        return v * 3600;
    case 'd':
        return v * 86400;
    case 'w':
        return v * 7 * 86400;
    default:
        return -1;
    }
}

static enum ruru_err correlation_of(struct ruru_rules *rs,
                                    struct ruru_sigma_rule *r,
                                    const struct ruru_yaml *c,
                                    const char *file,
                                    struct ruru_diag *d)
{
    static const char *const types[] = {"event_count",      "value_count", "temporal",
                                        "temporal_ordered", "value_sum",   "value_avg",
                                        "value_percentile", "value_median"};
    static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq"};
    const struct ruru_yaml *v;
    const char *type, *span;
    struct corr *k;
    enum ruru_err err;
    size_t i;

    if (c->kind != RURU_YAML_MAP)
        return bad(d, file, c, "%s", "\"correlation\" must be a map");
    if ((k = ruru_arena_alloc(&rs->arena, sizeof(*k))) == NULL)
        return RURU_ENOMEM;
    memset(k, 0, sizeof(*k));
    r->corr = k;
    if ((err = opt_str(rs, c, "type", file, &type, d)) != RURU_OK)
        return err;
    for (i = 0; type != NULL && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(type, types[i]) == 0)
            break;
    if (type == NULL || i == sizeof(types) / sizeof(types[0]))
        return bad(d, file, ruru_yaml_get(c, "type") ? ruru_yaml_get(c, "type") : c,
                   "unknown correlation type \"%s\"", type ? type : "");
    k->type = (uint8_t)i;
    if ((err = opt_list(rs, c, "rules", file, &k->rules, &k->n_rules, d)) != RURU_OK)
        return err;
    if (k->n_rules == 0)
        return bad(d, file, c, "%s", "a correlation needs \"rules\"");
    if ((err = opt_list(rs, c, "group-by", file, &k->group_by, &k->n_group_by, d)) != RURU_OK)
        return err;
    if ((err = opt_str(rs, c, "timespan", file, &span, d)) != RURU_OK)
        return err;
    if (span == NULL || (k->timespan = timespan_of(span)) <= 0)
        return bad(d, file, ruru_yaml_get(c, "timespan") ? ruru_yaml_get(c, "timespan") : c,
                   "a correlation needs a \"timespan\" like 10m, 1h, 2d (got \"%s\")",
                   span ? span : "");
    if ((v = ruru_yaml_get(c, "generate")) != NULL)
        k->generate = v->kind == RURU_YAML_SCALAR && strcmp(v->text, "true") == 0;
    v = ruru_yaml_get(c, "condition");
    if (v != NULL && v->kind != RURU_YAML_MAP)
        return bad(d, file, v, "%s", "a correlation's \"condition\" must be a map (gte: 10)");
    for (size_t j = 0; v != NULL && j < v->n; j++) {
        const struct ruru_yaml *key = v->items[2 * j], *val = v->items[2 * j + 1];
        size_t o;
        char *end;
        if (key->kind != RURU_YAML_SCALAR || val->kind != RURU_YAML_SCALAR)
            return bad(d, file, key, "%s", "a correlation condition is op: number");
        if (strcmp(key->text, "field") == 0) {
            if ((k->field = dup(rs, val->text)) == NULL)
                return RURU_ENOMEM;
            continue;
        }
        for (o = 0; o < 5; o++)
            if (strcmp(key->text, ops[o]) == 0)
                break;
        if (o == 5)
            return bad(d, file, key, "unknown correlation condition \"%s\"", key->text);
        k->bound[o] = strtod(val->text, &end);
        if (end == val->text || *end != '\0')
            return bad(d, file, val, "\"%s\" is not a number", val->text);
        k->has[o] = true;
    }
    if (k->type != CORR_TEMPORAL && k->type != CORR_TEMPORAL_ORDERED) {
        bool any = false;
        for (size_t o = 0; o < 5; o++)
            any |= k->has[o];
        if (!any)
            return bad(d, file, c, "correlation type %s needs a condition (gte: N)", type);
    }
    if (k->type != CORR_EVENT_COUNT && k->type != CORR_TEMPORAL &&
        k->type != CORR_TEMPORAL_ORDERED && k->field == NULL)
        return bad(d, file, c, "correlation type %s needs \"field\" in its condition", type);
    if ((v = ruru_yaml_get(c, "aliases")) != NULL && !ruru_yaml_is_null(v)) {
        if (v->kind != RURU_YAML_MAP)
            return bad(d, file, v, "%s", "\"aliases\" must be a map");
        k->n_aliases = v->n;
        if ((k->aliases = ruru_arena_alloc(&rs->arena, v->n * sizeof(*k->aliases))) == NULL)
            return RURU_ENOMEM;
        for (size_t j = 0; j < v->n; j++) {
            const struct ruru_yaml *an = v->items[2 * j], *am = v->items[2 * j + 1];
            struct alias *a = &k->aliases[j];
            if (an->kind != RURU_YAML_SCALAR || am->kind != RURU_YAML_MAP)
                return bad(d, file, an, "%s", "an alias maps rule names to fields");
            a->name = dup(rs, an->text);
            a->n = am->n;
            a->rules = ruru_arena_alloc(&rs->arena, (am->n + 1) * sizeof(*a->rules));
            a->fields = ruru_arena_alloc(&rs->arena, (am->n + 1) * sizeof(*a->fields));
            if (a->name == NULL || a->rules == NULL || a->fields == NULL)
                return RURU_ENOMEM;
            for (size_t q = 0; q < am->n; q++) {
                if (am->items[2 * q]->kind != RURU_YAML_SCALAR ||
                    am->items[2 * q + 1]->kind != RURU_YAML_SCALAR)
                    return bad(d, file, am, "alias \"%s\": rule: field", an->text);
                a->rules[q] = dup(rs, am->items[2 * q]->text);
                a->fields[q] = dup(rs, am->items[2 * q + 1]->text);
                if (a->rules[q] == NULL || a->fields[q] == NULL)
                    return RURU_ENOMEM;
            }
        }
    }
    return RURU_OK;
}

static enum ruru_err filter_of(struct ruru_rules *rs,
                               struct ruru_sigma_rule *r,
                               const struct ruru_yaml *f,
                               const char *file,
                               struct ruru_diag *d)
{
    struct filter_rule *fr;
    enum ruru_err err;

    if (f->kind != RURU_YAML_MAP)
        return bad(d, file, f, "%s", "\"filter\" must be a map");
    if ((fr = ruru_arena_alloc(&rs->arena, sizeof(*fr))) == NULL)
        return RURU_ENOMEM;
    memset(fr, 0, sizeof(*fr));
    r->filter = fr;
    if ((err = opt_list(rs, f, "rules", file, &fr->rules, &fr->n_rules, d)) != RURU_OK)
        return err;
    if (fr->n_rules == 0)
        return bad(d, file, f, "%s", "a filter needs \"rules\": the rules it applies to");
    return detection_of(rs, r, f, file, d);
}

/* ---- documents ---------------------------------------------------------------------------- */

enum ruru_err ruru_sigma_load_doc(struct ruru_rules *rs,
                                  const struct ruru_yaml *doc,
                                  const char *file,
                                  struct ruru_sigma_rule **out,
                                  struct ruru_diag *d)
{
    struct ruru_sigma_rule *r;
    const struct ruru_yaml *ls, *v;
    enum ruru_err err;

    if (doc->kind != RURU_YAML_MAP)
        return bad(d, file, doc, "%s", "a rule must be a YAML map");
    if ((r = ruru_arena_alloc(&rs->arena, sizeof(*r))) == NULL)
        return RURU_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->file = file;
    r->line = doc->line;
    if ((err = opt_str(rs, doc, "title", file, &r->title, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "id", file, &r->id, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "name", file, &r->name, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "status", file, &r->status, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "level", file, &r->level, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "author", file, &r->author, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "description", file, &r->description, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "date", file, &r->date, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "modified", file, &r->modified, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "license", file, &r->license, d)) != RURU_OK ||
        (err = opt_str(rs, doc, "class", file, &r->rclass, d)) != RURU_OK ||
        (err = opt_list(rs, doc, "tags", file, &r->tags, &r->n_tags, d)) != RURU_OK ||
        (err = opt_list(rs, doc, "references", file, &r->references, &r->n_references, d)) !=
                RURU_OK)
        return err;
    if (r->title == NULL)
        return bad(d, file, doc, "%s", "a rule needs a \"title\"");
    r->level_rank = level_rank(r->level);
    if (r->level != NULL && r->level_rank < 0)
        return bad(d, file, ruru_yaml_get(doc, "level"), "unknown level \"%s\"", r->level);
    if ((ls = ruru_yaml_get(doc, "logsource")) != NULL) {
        if (ls->kind != RURU_YAML_MAP)
            return bad(d, file, ls, "%s", "\"logsource\" must be a map");
        if ((err = opt_str(rs, ls, "category", file, &r->ls.category, d)) != RURU_OK ||
            (err = opt_str(rs, ls, "product", file, &r->ls.product, d)) != RURU_OK ||
            (err = opt_str(rs, ls, "service", file, &r->ls.service, d)) != RURU_OK)
            return err;
    }
    if ((v = ruru_yaml_get(doc, "correlation")) != NULL) {
        err = correlation_of(rs, r, v, file, d);
    } else if ((v = ruru_yaml_get(doc, "filter")) != NULL) {
        err = filter_of(rs, r, v, file, d);
    } else {
        if (ls == NULL)
            return bad(d, file, doc, "%s", "a rule needs a \"logsource\"");
        err = detection_of(rs, r, ruru_yaml_get(doc, "detection"), file, d);
    }
    if (err != RURU_OK)
        return err;
    r->index = (uint32_t)rs->rules.n;
    if (ruru_vec_push(&rs->rules, &r) != RURU_OK)
        return RURU_ENOMEM;
    ruru_sigma_logsource(rs, r);
    *out = r;
    return RURU_OK;
}

/* ---- the set ------------------------------------------------------------------------------ */

enum ruru_err ruru_rules_create(struct ruru_rules **out)
{
    struct ruru_rules *rs = ruru_calloc(1, sizeof(*rs));

    if (rs == NULL)
        return RURU_ENOMEM;
    ruru_arena_init(&rs->arena, 1u << 16, (size_t)1 << 32);
    ruru_vec_init(&rs->rules, sizeof(struct ruru_sigma_rule *), 1u << 20);
    ruru_vec_init(&rs->places, sizeof(const char *), 1u << 20);
    ruru_vec_init(&rs->regexes, sizeof(pcre2_code *), 1u << 24);
    ruru_vec_init(&rs->sets, sizeof(struct ruru_map *), 1u << 24);
    ruru_vec_init(&rs->hs_regexes, sizeof(hs_database_t *), 1u << 24);
    *out = rs;
    return RURU_OK;
}

void ruru_rules_destroy(struct ruru_rules *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->regexes.n; i++)
        pcre2_code_free(*(pcre2_code **)ruru_vec_at(&rs->regexes, i));
    ruru_vec_fini(&rs->regexes);
    for (size_t i = 0; i < rs->hs_regexes.n; i++)
        hs_free_database(*(hs_database_t **)ruru_vec_at(&rs->hs_regexes, i));
    ruru_vec_fini(&rs->hs_regexes);
    ruru_rules_prefilter_free(rs->pre);
    for (size_t i = 0; i < rs->sets.n; i++) {
        struct ruru_map *m = *(struct ruru_map **)ruru_vec_at(&rs->sets, i);
        ruru_map_fini(m);
        ruru_free(m);
    }
    ruru_vec_fini(&rs->sets);
    ruru_vec_fini(&rs->rules);
    ruru_vec_fini(&rs->places);
    ruru_arena_fini(&rs->arena);
    ruru_free(rs);
}

enum ruru_err ruru_rules_placeholder(struct ruru_rules *rs, const char *name, const char *value)
{
    const char *n = dup(rs, name), *v = dup(rs, value);

    if (n == NULL || v == NULL || ruru_vec_push(&rs->places, &n) != RURU_OK ||
        ruru_vec_push(&rs->places, &v) != RURU_OK)
        return RURU_ENOMEM;
    return RURU_OK;
}

enum ruru_err ruru_rules_load_buffer(struct ruru_rules *rs,
                                     const char *buf,
                                     size_t len,
                                     const char *name,
                                     ruru_rules_file_fn fn,
                                     void *ctx,
                                     struct ruru_diag *diag)
{
    struct ruru_arena tmp;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0, loaded = 0;
    struct ruru_diag d;
    const char *file = dup(rs, name);
    enum ruru_err err;

    ruru_diag_clear(diag);
    if (file == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, name, 0, 0, "out of memory");
    if (rs->compiled)
        return ruru_diag_set(diag, RURU_EINVAL, name, 0, 0, "rules added after compiling");
    ruru_arena_init(&tmp, 1u << 16, (size_t)1 << 30);
    memset(&d, 0, sizeof(d));
    err = ruru_yaml_load(buf, len, file, &tmp, &docs, &n_docs, &d);
    if (err == RURU_ENOMEM) {
        ruru_arena_fini(&tmp);
        return ruru_diag_set(diag, RURU_ENOMEM, name, 0, 0, "out of memory");
    }
    if (err != RURU_OK) {
        if (fn != NULL)
            fn(ctx, file, 0, err, &d);
        ruru_arena_fini(&tmp);
        return RURU_OK;
    }
    for (size_t i = 0; i < n_docs; i++) {
        struct ruru_sigma_rule *r;
        memset(&d, 0, sizeof(d));
        err = ruru_sigma_load_doc(rs, docs[i], file, &r, &d);
        if (err == RURU_ENOMEM) {
            ruru_arena_fini(&tmp);
            return ruru_diag_set(diag, RURU_ENOMEM, name, 0, 0, "out of memory");
        }
        if (err != RURU_OK) {
            if (d.source == NULL)
                d.source = file;
            if (fn != NULL)
                fn(ctx, file, loaded, err, &d);
            continue;
        }
        loaded++;
    }
    ruru_arena_fini(&tmp);
    if (fn != NULL)
        fn(ctx, file, loaded, RURU_OK, NULL);
    return RURU_OK;
}

struct walk {
    struct ruru_rules *rs;
    ruru_rules_file_fn fn;
    void *ctx;
    struct ruru_diag *diag;
    enum ruru_err err;
};

static bool is_yaml(const char *path)
{
    size_t n = strlen(path);

    return (n > 4 && strcmp(path + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(path + n - 5, ".yaml") == 0);
}

static enum ruru_err load_file(struct ruru_rules *rs,
                               const char *path,
                               ruru_rules_file_fn fn,
                               void *ctx,
                               struct ruru_diag *diag)
{
    char *buf = NULL;
    size_t len = 0;
    struct ruru_diag d;
    enum ruru_err err = ruru_file_read(path, MAX_RULE_FILE, &buf, &len, NULL, &d);

    if (err == RURU_ENOMEM)
        return ruru_diag_set(diag, err, path, 0, 0, "out of memory");
    if (err != RURU_OK) {
        if (fn != NULL)
            fn(ctx, path, 0, err, &d);
        return err;
    }
    err = ruru_rules_load_buffer(rs, buf, len, path, fn, ctx, diag);
    ruru_free(buf);
    return err;
}

static int walk_one(const char *path, void *arg)
{
    struct walk *w = arg;
    enum ruru_err err;

    if (!is_yaml(path))
        return 0;
    err = load_file(w->rs, path, w->fn, w->ctx, w->diag);
    if (err == RURU_ENOMEM) {
        w->err = err;
        return 1;
    }
    return 0;
}

enum ruru_err ruru_rules_load(struct ruru_rules *rs,
                              const char *path,
                              ruru_rules_file_fn fn,
                              void *ctx,
                              struct ruru_diag *diag)
{
    struct walk w = {rs, fn, ctx, diag, RURU_OK};
    enum ruru_err err;

    ruru_diag_clear(diag);
    if (!ruru_is_dir(path)) {
        err = load_file(rs, path, fn, ctx, diag);
        if (err != RURU_OK && err != RURU_ENOMEM)
            return ruru_diag_set(diag, err, path, 0, 0, "cannot read the rule file");
        return err;
    }
    err = ruru_dir_walk(path, walk_one, &w, diag);
    if (w.err != RURU_OK)
        return w.err;
    return err == RURU_ESTOPPED ? RURU_OK : err;
}

size_t ruru_rules_count(const struct ruru_rules *rs)
{
    return rs->rules.n;
}

size_t ruru_rules_unmapped(const struct ruru_rules *rs)
{
    return rs->n_unmapped;
}

static const struct ruru_sigma_rule *at(const struct ruru_rules *rs, uint32_t i)
{
    return *(struct ruru_sigma_rule *const *)ruru_vec_at(&rs->rules, i);
}

bool ruru_rules_reports(const struct ruru_rules *rs, uint32_t i)
{
    const struct ruru_sigma_rule *r = at(rs, i);

    /* `referenced` is set only by correlations that do not ask to generate their parts */
    return r->filter == NULL && !r->referenced;
}

static json_t *strs(const char *const *v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static void put_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, key, json_string(v));
}

json_t *ruru_rules_describe(const struct ruru_rules *rs, uint32_t i)
{
    const struct ruru_sigma_rule *r = at(rs, i);
    json_t *o = json_object(), *ls = json_object();

    put_str(o, "id", r->id);
    put_str(o, "name", r->name);
    put_str(o, "title", r->title);
    put_str(o, "level", r->level);
    put_str(o, "status", r->status);
    put_str(o, "author", r->author);
    put_str(o, "description", r->description);
    put_str(o, "date", r->date);
    put_str(o, "modified", r->modified);
    json_object_set_new(o, "tags", strs(r->tags, r->n_tags));
    json_object_set_new(o, "references", strs(r->references, r->n_references));
    put_str(ls, "category", r->ls.category);
    put_str(ls, "product", r->ls.product);
    put_str(ls, "service", r->ls.service);
    json_object_set_new(o, "logsource", ls);
    put_str(o, "license", r->license);
    put_str(o, "class", r->rclass);
    if (r->corr != NULL) {
        static const char *const types[] = {"event_count",      "value_count", "temporal",
                                            "temporal_ordered", "value_sum",   "value_avg",
                                            "value_percentile", "value_median"};
        static const char *const ops[] = {"gt", "gte", "lt", "lte", "eq"};
        json_t *c = json_object(), *cond = json_object();
        json_object_set_new(c, "type", json_string(types[r->corr->type]));
        json_object_set_new(c, "rules", strs(r->corr->rules, r->corr->n_rules));
        json_object_set_new(c, "timespan", json_integer(r->corr->timespan));
        for (size_t k = 0; k < 5; k++)
            if (r->corr->has[k])
                json_object_set_new(cond, ops[k], json_real(r->corr->bound[k]));
        put_str(cond, "field", r->corr->field);
        json_object_set_new(c, "condition", cond);
        json_object_set_new(o, "correlation", c);
        json_object_set_new(o, "group_by", strs(r->corr->group_by, r->corr->n_group_by));
    }
    json_object_set_new(o, "kind",
                        json_string(r->corr     ? "correlation"
                                    : r->filter ? "filter"
                                                : "detection"));
    put_str(o, "file", r->file);
    json_object_set_new(o, "line", json_integer(r->line));
    return o;
}
