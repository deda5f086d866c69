/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Oracles for the fuzz targets of the line-based list importers (fuzz_csv.c, fuzz_zeek.c).
 * Besides touching every string (fuzz_common.h), the sink traps when a promise breaks:
 *   - every string handed over is well-formed UTF-8 without NUL (the importers clean text
 *     and reject values that are not);
 *   - every indicator and rejection names its line (1-based: both formats are line-based),
 *     and a rejection's line and column lie within the input;
 *   - an import of any bytes returns RURU_OK: bad rows are rejections, never errors.
 * No global state: the input size and the counters live in the sink context.
 */
#ifndef RURU_FUZZ_LISTS_FUZZ_H
#define RURU_FUZZ_LISTS_FUZZ_H

#include "fuzz_common.h"
#include "intel/csv.h"

struct lfz {
    struct fuzz_count c; /* first: fuzz_common's callbacks take the context as this */
    size_t size;         /* input bytes: no line number can exceed size + 1 */
};

static void lfz_text(const char *s)
{
    if (s != NULL && ruru_csv_utf8_prefix(s, strlen(s)) != strlen(s))
        __builtin_trap();
}

static void lfz_texts(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lfz_text(v[i]);
}

static enum ruru_err lfz_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct lfz *f = ctx;

    lfz_text(x->ref);
    lfz_text(x->value);
    lfz_text(x->raw);
    lfz_text(x->context);
    lfz_text(x->tlp);
    lfz_text(x->description);
    lfz_text(x->created_by);
    lfz_texts(x->labels, x->n_labels);
    lfz_texts(x->actors, x->n_actors);
    lfz_texts(x->techniques, x->n_techniques);
    if (x->line == 0 || x->line > f->size + 1 || (x->confidence < -1 || x->confidence > 100))
        __builtin_trap();
    return fz_indicator(ctx, x);
}

static enum ruru_err lfz_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct lfz *f = ctx;

    lfz_text(x->value);
    if (x->line == 0 || x->line > f->size + 1 || x->col > f->size + 1)
        __builtin_trap();
    return fz_reject(ctx, x);
}

static int lfz_run(enum ruru_err (*fn)(const char *,
                                       size_t,
                                       const struct ruru_import_ctx *,
                                       struct ruru_diag *),
                   const uint8_t *data,
                   size_t size)
{
    struct lfz f = {{0, 0}, size};
    struct ruru_intel_sink sink = {&f,         lfz_indicator,  fz_entity, fz_relation,
                                   lfz_reject, fz_warninglist, fz_tag};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;

    (void)fuzz_import; /* fuzz_common.h's generic runner: this one checks more */
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "fuzz";
    ctx.sink = &sink;
    memset(&d, 0, sizeof(d));
    if (fn((const char *)data, size, &ctx, &d) != RURU_OK)
        __builtin_trap();
    return 0;
}

#endif
