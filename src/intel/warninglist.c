/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP warninglists (list.json): values known to be benign or shared — public resolvers, CDN
 * ranges, top sites, sinkholes. A sighting of a warninglisted value is kept but carries no
 * attribution weight. CIDR entries are normalised (with no width bound: rfc1918 is exactly
 * the kind of range these lists exist for), host names lower-cased without a trailing dot,
 * substring and regex entries kept as written.
 */
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"

static enum ruru_err
reject(const struct ruru_import_ctx *ctx, const char *value, const char *reason)
{
    return ruru_intel_reject(ctx, 0, NULL, value, reason);
}

enum ruru_err ruru_warninglist_import(const char *data,
                                      size_t len,
                                      const struct ruru_import_ctx *ctx,
                                      struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr), *list, *v;
    struct ruru_intel_warninglist wl;
    const char **entries = NULL, **attrs = NULL;
    struct ruru_buf store, canon;
    size_t *offs = NULL, n = 0, i;
    const char *type;
    enum ruru_err err = RURU_OK;
    struct ruru_norm_opts wide = {1, 1};

    if (root == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    list = json_object_get(root, "list");
    type = json_string_value(json_object_get(root, "type"));
    if (!json_is_array(list) || type == NULL ||
        json_string_value(json_object_get(root, "name")) == NULL) {
        json_decref(root);
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, 0, 0,
                             "not a MISP warninglist (no \"name\", \"type\" and \"list\")");
    }
    ruru_buf_init(&store, SIZE_MAX / 2);
    ruru_buf_init(&canon, 1 << 20);
    offs = ruru_calloc(json_array_size(list) + 1, sizeof(*offs));
    entries = ruru_calloc(json_array_size(list) + 1, sizeof(*entries));
    attrs = ruru_calloc(json_array_size(json_object_get(root, "matching_attributes")) + 1,
                        sizeof(*attrs));
    if (offs == NULL || entries == NULL || attrs == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    json_array_foreach(list, i, v)
    {
        const char *raw = json_string_value(v), *reason;
        struct ruru_str s;
        if (raw == NULL) {
            err = reject(ctx, NULL, "warninglist entry is not a string");
            if (err != RURU_OK)
                goto out;
            continue;
        }
        s = ruru_str_trim(ruru_str_make(raw, strlen(raw)));
        if (s.len == 0) {
            err = reject(ctx, raw, "empty warninglist entry");
            if (err != RURU_OK)
                goto out;
            continue;
        }
        offs[n] = store.len;
        if (strcmp(type, "cidr") == 0) {
            enum ruru_ioc_type t = RURU_IOC_NONE;
            if (ruru_ioc_normalize(&t, s.ptr, s.len, &wide, &canon, &reason)) {
                ruru_buf_add(&store, canon.ptr, canon.len);
            } else {
                /* Loopback and unspecified ranges are refused as indicators but belong in
                 * these lists: keep them as written. */
                for (size_t k = 0; k < s.len; k++)
                    ruru_buf_addc(&store, ruru_lower(s.ptr[k]));
            }
        } else if (strcmp(type, "hostname") == 0 || strcmp(type, "string") == 0) {
            while (s.len > 0 && s.ptr[s.len - 1] == '.')
                s.len--;
            for (size_t k = 0; k < s.len; k++)
                ruru_buf_addc(&store, ruru_lower(s.ptr[k]));
        } else {
            ruru_buf_add(&store, s.ptr, s.len);
        }
        ruru_buf_addc(&store, '\0');
        n++;
    }
    if (store.failed) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++)
        entries[i] = store.ptr + offs[i];
    memset(&wl, 0, sizeof(wl));
    wl.name = json_string_value(json_object_get(root, "name"));
    wl.description = json_string_value(json_object_get(root, "description"));
    wl.type = type;
    wl.version = json_is_integer(json_object_get(root, "version"))
                         ? json_integer_value(json_object_get(root, "version"))
                         : 0;
    wl.entries = entries;
    wl.n_entries = n;
    json_array_foreach(json_object_get(root, "matching_attributes"), i, v)
    {
        if (json_is_string(v))
            attrs[wl.n_matching_attributes++] = json_string_value(v);
    }
    wl.matching_attributes = attrs;
    err = ctx->sink->warninglist ? ctx->sink->warninglist(ctx->sink->ctx, &wl) : RURU_OK;
out:
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_free(offs);
    ruru_free(entries);
    ruru_free(attrs);
    ruru_buf_fini(&store);
    ruru_buf_fini(&canon);
    json_decref(root);
    return err;
}
