/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A recording sink for the list importers' tests (test_csv.c, test_zeek.c): copies every
 * indicator and rejection into one flat line each, with times written as RFC 3339 and the
 * fields only those tests need (raw value, reject column), so that expectations read like
 *   "ipv4 203.0.113.45 line=3 raw=203.0.113[.]45 confidence=90 actors=APT40|Leviathan"
 *   "line=7 col=2 value=co.nz reason=public suffix"
 * Unbounded (the arrays grow); test code only.
 */
#ifndef RURU_TEST_LISTS_REC_H
#define RURU_TEST_LISTS_REC_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "intel/intel.h"

struct lrec_list {
    char **v;
    size_t n, cap;
};

struct lrec {
    struct lrec_list ind, rej;
    struct ruru_intel_sink sink;
};

static void lrec_push(struct lrec_list *l, struct ruru_buf *b)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        if (l->v == NULL)
            abort();
    }
    l->v[l->n++] = strdup(ruru_buf_str(b));
    ruru_buf_fini(b);
}

static void lrec_time(struct ruru_buf *b, const char *key, int64_t t)
{
    char s[RURU_TIME_BUF];

    if (t == RURU_TIME_NONE)
        return;
    ruru_time_format(t, s);
    ruru_buf_addf(b, " %s=%s", key, s);
}

static void lrec_strs(struct ruru_buf *b, const char *key, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ruru_buf_addf(b, "%s%s", i ? "|" : key, v[i]);
}

static enum ruru_err lrec_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct lrec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1u << 26);
    ruru_buf_addf(&b, "%s %s line=%" PRIu64, ruru_ioc_type_name(x->type), x->value, x->line);
    if (x->raw)
        ruru_buf_addf(&b, " raw=%s", x->raw);
    if (x->ref)
        ruru_buf_addf(&b, " ref=%s", x->ref);
    if (x->context)
        ruru_buf_addf(&b, " ctx=%s", x->context);
    if (x->object_ref)
        ruru_buf_addf(&b, " object=%s", x->object_ref);
    if (x->confidence >= 0)
        ruru_buf_addf(&b, " confidence=%d", x->confidence);
    lrec_time(&b, "from", x->valid_from);
    lrec_time(&b, "until", x->valid_until);
    lrec_time(&b, "first", x->first_seen);
    lrec_time(&b, "last", x->last_seen);
    lrec_time(&b, "modified", x->modified);
    if (x->revoked)
        ruru_buf_adds(&b, " revoked");
    if (!x->to_ids)
        ruru_buf_adds(&b, " no-ids");
    if (x->tlp)
        ruru_buf_addf(&b, " tlp=%s", x->tlp);
    if (x->created_by)
        ruru_buf_addf(&b, " by=%s", x->created_by);
    if (x->description)
        ruru_buf_addf(&b, " desc=%s", x->description);
    lrec_strs(&b, " actors=", x->actors, x->n_actors);
    lrec_strs(&b, " techniques=", x->techniques, x->n_techniques);
    lrec_strs(&b, " labels=", x->labels, x->n_labels);
    lrec_push(&r->ind, &b);
    return RURU_OK;
}

static enum ruru_err lrec_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct lrec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1u << 20);
    ruru_buf_addf(&b, "line=%" PRIu64 " col=%" PRIu64, x->line, x->col);
    if (x->object_ref)
        ruru_buf_addf(&b, " object=%s", x->object_ref);
    if (x->value)
        ruru_buf_addf(&b, " value=%s", x->value);
    ruru_buf_addf(&b, " reason=%s", x->reason);
    lrec_push(&r->rej, &b);
    return RURU_OK;
}

static void lrec_init(struct lrec *r)
{
    memset(r, 0, sizeof(*r));
    r->sink.ctx = r;
    r->sink.indicator = lrec_indicator;
    r->sink.reject = lrec_reject;
}

static void lrec_free(struct lrec *r)
{
    for (size_t i = 0; i < r->ind.n; i++)
        free(r->ind.v[i]);
    for (size_t i = 0; i < r->rej.n; i++)
        free(r->rej.v[i]);
    free(r->ind.v);
    free(r->rej.v);
    memset(r, 0, sizeof(*r));
}

/* The i-th recorded string, or "(none)". */
static inline const char *lrec_at(const struct lrec_list *l, size_t i)
{
    return i < l->n ? l->v[i] : "(none)";
}

/* The first recorded string starting with `prefix`, or "(none)". */
static inline const char *lrec_find(const struct lrec_list *l, const char *prefix)
{
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->v[i], prefix, strlen(prefix)) == 0)
            return l->v[i];
    return "(none)";
}

typedef enum ruru_err (*lrec_importer)(const char *,
                                       size_t,
                                       const struct ruru_import_ctx *,
                                       struct ruru_diag *);

/* Runs `fn` over data[0..len) into a fresh `r` (free it with lrec_free). */
static inline enum ruru_err lrec_run(lrec_importer fn, const char *data, size_t len, struct lrec *r)
{
    struct ruru_import_ctx ctx;
    struct ruru_diag d;

    lrec_init(r);
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test";
    ctx.sink = &r->sink;
    memset(&d, 0, sizeof(d));
    return fn(data, len, &ctx, &d);
}

static enum ruru_err lrec_count_one(void *ctx, const struct ruru_intel_indicator *x)
{
    (void)x;
    (*(int *)ctx)++;
    return RURU_OK;
}

/* Runs `fn` over data[0..len) once whole (OUT: *indicators, how many it gave) and then with
 * every allocation failing in turn. Returns how many of those runs ended in something other
 * than RURU_OK or RURU_ENOMEM (a crash or a leak ASan reports itself); 0 is the contract. */
static inline int lrec_oom(lrec_importer fn, const char *data, size_t len, int *indicators)
{
    struct ruru_intel_sink sink = {indicators, lrec_count_one, NULL, NULL, NULL, NULL, NULL};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;
    uint64_t before = ruru_alloc_count(), total;
    int bad = 0;

    *indicators = 0;
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test";
    ctx.sink = &sink;
    bad += fn(data, len, &ctx, &d) != RURU_OK;
    total = ruru_alloc_count() - before;
    for (uint64_t i = 1; i <= total + 1; i++) {
        enum ruru_err err;
        int ignored = 0;
        sink.ctx = &ignored;
        ruru_alloc_fail_at(i);
        err = fn(data, len, &ctx, &d);
        ruru_alloc_fail_at(0);
        bad += err != RURU_OK && err != RURU_ENOMEM;
    }
    return bad;
}

/* Reads a whole file; NULL when it cannot. */
static inline char *lrec_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

#endif
