/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru rules lint` (ruru.h): load rules as a sweep would and say, per file, what came of
 * each document, and which rules run only on inputs tied to their logsource. Also the loader
 * of ruru's built-in rules, and the sweep's account of the rules that ran on nothing.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "rules/builtin.h"
#include "rules/sigma_int.h"

enum ruru_err ruru_rules_load_builtin(struct ruru_rules *rs,
                                      ruru_rules_file_fn fn,
                                      void *ctx,
                                      struct ruru_diag *diag)
{
    for (size_t i = 0; i < RURU_N_BUILTIN_RULES; i++) {
        const struct ruru_builtin_rule *b = &RURU_BUILTIN_RULES[i];
        enum ruru_err err = ruru_rules_load_buffer(rs, b->text, b->len, b->path, fn, ctx, diag);
        if (err != RURU_OK)
            return err;
    }
    return RURU_OK;
}

struct lint {
    json_t *files; /* path -> file object */
    json_t *order; /* paths in the order seen */
    size_t refused;
};

static json_t *file_obj(struct lint *l, const char *path)
{
    json_t *f = json_object_get(l->files, path);

    if (f == NULL) {
        f = json_pack("{s:s, s:i, s:[]}", "path", path, "rules", 0, "errors");
        json_object_set_new(l->files, path, f);
        json_array_append_new(l->order, json_string(path));
    }
    return f;
}

static void
on_file(void *ctx, const char *path, size_t n, enum ruru_err err, const struct ruru_diag *why)
{
    struct lint *l = ctx;
    json_t *f = file_obj(l, path);

    if (err == RURU_OK) {
        json_object_set_new(f, "rules", json_integer((json_int_t)n));
        return;
    }
    l->refused++;
    json_array_append_new(json_object_get(f, "errors"),
                          json_pack("{s:I, s:I, s:s, s:s}", "line", (json_int_t)why->line, "col",
                                    (json_int_t)why->col, "error", ruru_strerror(err), "message",
                                    why->msg));
}

enum ruru_err ruru_rules_lint(const char *const *paths,
                              size_t n_paths,
                              bool with_builtin,
                              char **report_json,
                              struct ruru_diag *diag)
{
    struct ruru_rules *rs = NULL;
    struct lint l;
    json_t *doc, *files, *unmapped;
    enum ruru_err err;
    size_t i;
    json_t *p;

    ruru_diag_clear(diag);
    if ((err = ruru_rules_create(&rs)) != RURU_OK)
        return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    l.files = json_object();
    l.order = json_array();
    l.refused = 0;
    if (with_builtin)
        err = ruru_rules_load_builtin(rs, on_file, &l, diag);
    for (i = 0; err == RURU_OK && i < n_paths; i++)
        err = ruru_rules_load(rs, paths[i], on_file, &l, diag);
    if (err == RURU_OK)
        err = ruru_rules_compile(rs, on_file, &l, diag);
    if (err != RURU_OK) {
        json_decref(l.files);
        json_decref(l.order);
        ruru_rules_destroy(rs);
        return err;
    }
    files = json_array();
    json_array_foreach(l.order, i, p)
    {
        json_array_append(files, json_object_get(l.files, json_string_value(p)));
    }
    unmapped = json_array();
    for (i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        char ls[256];
        if (!ruru_rules_needs_tie(rs, (uint32_t)i))
            continue;
        /* they run only on inputs tied to their logsource: never on a format alone */
        ruru_rules_logsource_text(rs, (uint32_t)i, ls, sizeof(ls));
        json_array_append_new(unmapped,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s, s:i}", "title", r->title,
                                        "logsource", ls, "category", r->ls.category, "product",
                                        r->ls.product, "service", r->ls.service, "file", r->file,
                                        "line", (int)r->line));
    }
    doc = json_pack("{s:o, s:i, s:i, s:o}", "files", files, "rules", (int)rs->rules.n, "refused",
                    (int)l.refused, "unmapped", unmapped);
    *report_json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    json_decref(l.files);
    json_decref(l.order);
    ruru_rules_destroy(rs);
    return *report_json != NULL ? RURU_OK
                                : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

static int by_count(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t nx = json_integer_value(json_object_get(x, "rules"));
    json_int_t ny = json_integer_value(json_object_get(y, "rules"));

    if (nx != ny)
        return nx > ny ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "logsource")),
                  json_string_value(json_object_get(y, "logsource")));
}

json_t *ruru_rules_not_run(const struct ruru_rules *rs, const uint64_t *ran, size_t *n_out)
{
    json_t *groups = json_object(), *list = json_array(), *g;
    json_t **v = NULL;
    const char *key;
    size_t n = 0, k = 0;

    *n_out = 0;
    if (groups == NULL || list == NULL)
        goto fail;
    for (size_t i = 0; i < rs->rules.n; i++) {
        const struct ruru_sigma_rule *r = *(struct ruru_sigma_rule **)ruru_vec_at(&rs->rules, i);
        char ls[256];
        if (r->filter != NULL || (ran[i / 64] >> (i % 64) & 1))
            continue; /* filters never run alone */
        ruru_rules_logsource_text(rs, (uint32_t)i, ls, sizeof(ls));
        if ((g = json_object_get(groups, ls)) == NULL) {
            g = json_pack("{s:s, s:i, s:b, s:[]}", "logsource", ls, "rules", 0, "needs_tie",
                          ruru_rules_needs_tie(rs, (uint32_t)i), "titles");
            if (g == NULL || json_object_set_new(groups, ls, g) != 0)
                goto fail;
        }
        json_object_set_new(g, "rules",
                            json_integer(json_integer_value(json_object_get(g, "rules")) + 1));
        json_array_append_new(json_object_get(g, "titles"),
                              r->title != NULL ? json_string(r->title) : json_null());
        n++;
    }
    /* most first, then by name: the same order for the same sweep */
    if ((v = ruru_calloc(json_object_size(groups) + 1, sizeof(*v))) == NULL)
        goto fail;
    json_object_foreach(groups, key, g)
    {
        v[k++] = g;
    }
    qsort(v, k, sizeof(*v), by_count);
    for (size_t i = 0; i < k; i++)
        json_array_append(list, v[i]);
    ruru_free(v);
    json_decref(groups);
    *n_out = n;
    return list;
fail:
    json_decref(groups);
    json_decref(list);
    return NULL;
}
