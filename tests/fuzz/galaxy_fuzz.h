/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Oracles for the fuzz targets of the MISP reference-data importers (fuzz_galaxy.c,
 * fuzz_taxonomy.c, fuzz_warninglist.c). Besides touching every string (fuzz_common.h), the
 * sink checks what the importers promise and traps when a promise breaks:
 *   - a reject with a position points into the input at the first byte of a JSON value;
 *   - an entity's aliases are non-empty, unique ignoring ASCII case, and never its name;
 *   - a hostname or string warninglist entry is non-empty, lower case, trimmed and without a
 *     trailing dot;
 *   - a tag meaning's tag starts with "ns:predicate".
 * No global state: the input and the counters live in the sink context.
 */
#ifndef RURU_FUZZ_GALAXY_FUZZ_H
#define RURU_FUZZ_GALAXY_FUZZ_H

#include "base/str.h"
#include "fuzz_common.h"

struct gfz {
    struct fuzz_count c; /* first: fuzz_common's callbacks take the context as this */
    const uint8_t *data;
    size_t size;
};

static bool gfz_ieq(const char *a, const char *b)
{
    return ruru_ascii_casecmp(a, b) == 0;
}

static enum ruru_err gfz_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct gfz *g = ctx;

    if (x->line > 0) {
        uint64_t line = 1;
        size_t off = 0;
        unsigned char c;
        while (line < x->line && off < g->size)
            if (g->data[off++] == '\n')
                line++;
        if (line != x->line || x->col == 0 || x->col - 1 >= g->size - off)
            __builtin_trap();
        off += (size_t)(x->col - 1);
        c = g->data[off];
        if (!(c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
              c == 'f' || c == 'n'))
            __builtin_trap();
    } else if (x->col != 0) {
        __builtin_trap();
    }
    return fz_reject(&g->c, x);
}

static enum ruru_err gfz_entity(void *ctx, const struct ruru_intel_entity *x)
{
    struct gfz *g = ctx;

    for (size_t i = 0; i < x->n_aliases; i++) {
        if (x->aliases[i] == NULL || x->aliases[i][0] == '\0' || gfz_ieq(x->aliases[i], x->name))
            __builtin_trap();
        for (size_t k = 0; k < i; k++)
            if (gfz_ieq(x->aliases[i], x->aliases[k]))
                __builtin_trap();
    }
    if (x->country != NULL && (strlen(x->country) != 2 || x->country[0] < 'A' ||
                               x->country[0] > 'Z' || x->country[1] < 'A' || x->country[1] > 'Z'))
        __builtin_trap();
    if (x->confidence < -1 || x->confidence > 100)
        __builtin_trap();
    return fz_entity(&g->c, x);
}

static enum ruru_err gfz_warninglist(void *ctx, const struct ruru_intel_warninglist *x)
{
    struct gfz *g = ctx;
    bool folded = strcmp(x->type, "hostname") == 0 || strcmp(x->type, "string") == 0;

    for (size_t i = 0; i < x->n_entries; i++) {
        const char *e = x->entries[i];
        size_t n = strlen(e);
        if (n == 0)
            __builtin_trap();
        if (!folded)
            continue;
        if (e[n - 1] == '.' || ruru_is_space(e[0]) || ruru_is_space(e[n - 1]))
            __builtin_trap();
        for (size_t k = 0; k < n; k++)
            if (e[k] >= 'A' && e[k] <= 'Z')
                __builtin_trap();
    }
    return fz_warninglist(&g->c, x);
}

static enum ruru_err gfz_tag(void *ctx, const struct ruru_intel_tag_meaning *x)
{
    struct gfz *g = ctx;
    size_t ns = strlen(x->ns), pred = strlen(x->predicate);

    if (strncmp(x->tag, x->ns, ns) != 0 || x->tag[ns] != ':' ||
        strncmp(x->tag + ns + 1, x->predicate, pred) != 0 || x->numerical_value < -1)
        __builtin_trap();
    return fz_tag(&g->c, x);
}

/* Runs one importer over the input with the checking sink. */
static int gfz_run(enum ruru_err (*fn)(const char *,
                                       size_t,
                                       const struct ruru_import_ctx *,
                                       struct ruru_diag *),
                   const uint8_t *data,
                   size_t size)
{
    struct gfz g = {{0, 0}, data, size};
    struct ruru_intel_sink sink = {&g,         fz_indicator,    gfz_entity, fz_relation,
                                   gfz_reject, gfz_warninglist, gfz_tag};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;
    enum ruru_err err;

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "fuzz";
    ctx.sink = &sink;
    memset(&d, 0, sizeof(d));
    err = fn((const char *)data, size, &ctx, &d);
    /* Without a sink error or a resource failure, only EPARSE can come back. */
    if (err != RURU_OK && err != RURU_EPARSE && err != RURU_ENOMEM && err != RURU_ELIMIT)
        __builtin_trap();
    if (err == RURU_EPARSE && (d.source == NULL || strcmp(d.source, "fuzz") != 0))
        __builtin_trap();
    return 0;
}

#endif
