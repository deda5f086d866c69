/* SPDX-License-Identifier: Apache-2.0 */
/* A sink for fuzz targets: touches every string it is handed (so ASan sees any bad pointer)
 * and counts. No global state: the counters live in the sink context. */
#ifndef RURU_FUZZ_COMMON_H
#define RURU_FUZZ_COMMON_H

#include <stdint.h>
#include <string.h>

#include "intel/intel.h"

struct fuzz_count {
    size_t n, bytes;
};

static void touch(struct fuzz_count *c, const char *s)
{
    if (s != NULL)
        c->bytes += strlen(s);
}

static void touch_list(struct fuzz_count *c, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        touch(c, v[i]);
}

static enum ruru_err fz_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct fuzz_count *c = ctx;

    touch(c, x->ref);
    touch(c, x->value);
    touch(c, x->raw);
    touch(c, x->context);
    touch(c, x->object_ref);
    touch(c, x->tlp);
    touch(c, x->description);
    touch(c, x->created_by);
    touch_list(c, x->labels, x->n_labels);
    touch_list(c, x->actors, x->n_actors);
    touch_list(c, x->techniques, x->n_techniques);
    if (x->value == NULL || x->type <= RURU_IOC_NONE || x->type >= RURU_IOC__COUNT)
        __builtin_trap();
    c->n++;
    return RURU_OK;
}

static enum ruru_err fz_entity(void *ctx, const struct ruru_intel_entity *x)
{
    struct fuzz_count *c = ctx;

    if (x->ref == NULL || x->name == NULL)
        __builtin_trap();
    touch(c, x->ref);
    touch(c, x->name);
    touch(c, x->source_type);
    touch(c, x->external_id);
    touch(c, x->country);
    touch(c, x->sponsor);
    touch(c, x->description);
    touch_list(c, x->aliases, x->n_aliases);
    c->n++;
    return RURU_OK;
}

static enum ruru_err fz_relation(void *ctx, const struct ruru_intel_relation *x)
{
    struct fuzz_count *c = ctx;

    touch(c, x->ref);
    touch(c, x->src);
    touch(c, x->type);
    touch(c, x->dst);
    c->n++;
    return RURU_OK;
}

static enum ruru_err fz_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct fuzz_count *c = ctx;

    touch(c, x->object_ref);
    touch(c, x->value);
    if (x->reason == NULL)
        __builtin_trap();
    touch(c, x->reason);
    c->n++;
    return RURU_OK;
}

static enum ruru_err fz_warninglist(void *ctx, const struct ruru_intel_warninglist *x)
{
    struct fuzz_count *c = ctx;

    touch(c, x->name);
    touch(c, x->description);
    touch(c, x->type);
    touch_list(c, x->entries, x->n_entries);
    touch_list(c, x->matching_attributes, x->n_matching_attributes);
    c->n++;
    return RURU_OK;
}

static enum ruru_err fz_tag(void *ctx, const struct ruru_intel_tag_meaning *x)
{
    struct fuzz_count *c = ctx;

    touch(c, x->tag);
    touch(c, x->ns);
    touch(c, x->predicate);
    touch(c, x->value);
    touch(c, x->expanded);
    c->n++;
    return RURU_OK;
}

/* Runs one importer over the input with the touching sink. */
static int fuzz_import(enum ruru_err (*fn)(const char *,
                                           size_t,
                                           const struct ruru_import_ctx *,
                                           struct ruru_diag *),
                       const uint8_t *data,
                       size_t size)
{
    struct fuzz_count c = {0, 0};
    struct ruru_intel_sink sink = {&c,        fz_indicator,   fz_entity, fz_relation,
                                   fz_reject, fz_warninglist, fz_tag};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "fuzz";
    ctx.sink = &sink;
    memset(&d, 0, sizeof(d));
    (void)fn((const char *)data, size, &ctx, &d);
    return 0;
}

#endif
