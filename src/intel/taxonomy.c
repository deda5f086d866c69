/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP taxonomies (machinetag.json): what the tags on events mean. Each value of a predicate
 * becomes one tag meaning, 'ns:predicate="value"', with its expanded text and numerical value;
 * a predicate without values is a tag of its own, 'ns:predicate'. The numbers are what make
 * a tag such as admiralty-scale:source-reliability="b" (75) usable as a confidence.
 */
#include <jansson.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "intel/intel.h"

static int numerical(json_t *o)
{
    json_t *n = json_object_get(o, "numerical_value");

    if (json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= 1000000)
        return (int)json_integer_value(n);
    if (json_is_real(n) && json_real_value(n) >= 0 && json_real_value(n) <= 1000000)
        return (int)json_real_value(n);
    return -1;
}

static enum ruru_err emit(const struct ruru_import_ctx *ctx,
                          struct ruru_buf *tag,
                          const char *ns,
                          const char *pred,
                          const char *value,
                          const char *expanded,
                          int num)
{
    struct ruru_intel_tag_meaning tm;

    ruru_buf_reset(tag);
    if (value != NULL)
        ruru_buf_addf(tag, "%s:%s=\"%s\"", ns, pred, value);
    else
        ruru_buf_addf(tag, "%s:%s", ns, pred);
    if (tag->failed)
        return RURU_ENOMEM;
    memset(&tm, 0, sizeof(tm));
    tm.tag = tag->ptr;
    tm.ns = ns;
    tm.predicate = pred;
    tm.value = value;
    tm.expanded = expanded;
    tm.numerical_value = num;
    return ctx->sink->tag_meaning ? ctx->sink->tag_meaning(ctx->sink->ctx, &tm) : RURU_OK;
}

enum ruru_err ruru_taxonomy_import(const char *data,
                                   size_t len,
                                   const struct ruru_import_ctx *ctx,
                                   struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr), *p, *vals, *v, *e;
    const char *ns;
    struct ruru_buf tag;
    enum ruru_err err = RURU_OK;
    size_t i, j, k;

    if (root == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    ns = json_string_value(json_object_get(root, "namespace"));
    if (ns == NULL || !json_is_array(json_object_get(root, "predicates"))) {
        json_decref(root);
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, 0, 0,
                             "not a MISP taxonomy (no \"namespace\" and \"predicates\")");
    }
    /* Tags are short; 64 KiB bounds a hostile one. */
    ruru_buf_init(&tag, 65536);
    vals = json_object_get(root, "values");
    json_array_foreach(json_object_get(root, "predicates"), i, p)
    {
        const char *pred = json_string_value(json_object_get(p, "value"));
        bool has_values = false;
        if (pred == NULL)
            continue;
        json_array_foreach(vals, j, v)
        {
            const char *vp = json_string_value(json_object_get(v, "predicate"));
            if (vp == NULL || strcmp(vp, pred) != 0)
                continue;
            json_array_foreach(json_object_get(v, "entry"), k, e)
            {
                const char *val = json_string_value(json_object_get(e, "value"));
                if (val == NULL || err != RURU_OK)
                    continue;
                has_values = true;
                err = emit(ctx, &tag, ns, pred, val,
                           json_string_value(json_object_get(e, "expanded")), numerical(e));
            }
        }
        if (!has_values && err == RURU_OK)
            err = emit(ctx, &tag, ns, pred, NULL, json_string_value(json_object_get(p, "expanded")),
                       numerical(p));
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&tag);
    json_decref(root);
    return err;
}
