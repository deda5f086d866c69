/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A recording sink for importer tests: copies every indicator, entity, relation and
 * rejection into flat strings ("ipv4 192.0.2.1 ...") that tests look up and compare.
 */
#ifndef RURU_TEST_SINK_H
#define RURU_TEST_SINK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "intel/intel.h"

#define REC_MAX 8192

struct rec {
    char *ind[REC_MAX];
    size_t n_ind;
    char *ent[REC_MAX];
    size_t n_ent;
    char *rel[REC_MAX];
    size_t n_rel;
    char *rej[REC_MAX];
    size_t n_rej;
    char *wl[REC_MAX];
    size_t n_wl;
    char *tag[REC_MAX];
    size_t n_tag;
    struct ruru_intel_sink sink;
};

static char *rec_str(struct ruru_buf *b)
{
    char *s = strdup(ruru_buf_str(b));
    ruru_buf_fini(b);
    return s;
}

static void rec_list(struct ruru_buf *b, const char *key, const char *const *v, size_t n)
{
    if (n == 0)
        return;
    ruru_buf_addf(b, " %s=", key);
    for (size_t i = 0; i < n; i++)
        ruru_buf_addf(b, "%s%s", i ? "|" : "", v[i]);
}

static enum ruru_err rec_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 24);
    ruru_buf_addf(&b, "%s %s", ruru_ioc_type_name(x->type), x->value);
    if (x->ref)
        ruru_buf_addf(&b, " ref=%s", x->ref);
    if (x->object_ref)
        ruru_buf_addf(&b, " object=%s", x->object_ref);
    if (x->context)
        ruru_buf_addf(&b, " context=%s", x->context);
    if (x->line)
        ruru_buf_addf(&b, " line=%llu", (unsigned long long)x->line);
    if (x->confidence >= 0)
        ruru_buf_addf(&b, " confidence=%d", x->confidence);
    if (x->valid_from != RURU_TIME_NONE)
        ruru_buf_addf(&b, " from=%lld", (long long)x->valid_from);
    if (x->valid_until != RURU_TIME_NONE)
        ruru_buf_addf(&b, " until=%lld", (long long)x->valid_until);
    if (x->first_seen != RURU_TIME_NONE)
        ruru_buf_addf(&b, " first=%lld", (long long)x->first_seen);
    if (x->last_seen != RURU_TIME_NONE)
        ruru_buf_addf(&b, " last=%lld", (long long)x->last_seen);
    if (x->modified != RURU_TIME_NONE)
        ruru_buf_addf(&b, " modified=%lld", (long long)x->modified);
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
    rec_list(&b, "actors", x->actors, x->n_actors);
    rec_list(&b, "techniques", x->techniques, x->n_techniques);
    rec_list(&b, "labels", x->labels, x->n_labels);
    if (r->n_ind < REC_MAX)
        r->ind[r->n_ind++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static enum ruru_err rec_entity(void *ctx, const struct ruru_intel_entity *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;
    static const char *const kinds[] = {"?",    "actor",     "campaign", "malware",
                                        "tool", "technique", "identity"};

    ruru_buf_init(&b, 1 << 24);
    ruru_buf_addf(&b, "%s %s ref=%s", kinds[x->kind <= 6 ? x->kind : 0], x->name, x->ref);
    if (x->source_type)
        ruru_buf_addf(&b, " type=%s", x->source_type);
    if (x->external_id)
        ruru_buf_addf(&b, " ext=%s", x->external_id);
    if (x->country)
        ruru_buf_addf(&b, " country=%s", x->country);
    if (x->sponsor)
        ruru_buf_addf(&b, " sponsor=%s", x->sponsor);
    if (x->confidence >= 0)
        ruru_buf_addf(&b, " confidence=%d", x->confidence);
    if (x->revoked)
        ruru_buf_adds(&b, " revoked");
    rec_list(&b, "aliases", x->aliases, x->n_aliases);
    if (r->n_ent < REC_MAX)
        r->ent[r->n_ent++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static enum ruru_err rec_relation(void *ctx, const struct ruru_intel_relation *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 20);
    ruru_buf_addf(&b, "%s %s %s", x->src, x->type, x->dst);
    if (r->n_rel < REC_MAX)
        r->rel[r->n_rel++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static enum ruru_err rec_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 20);
    ruru_buf_addf(&b, "line=%llu", (unsigned long long)x->line);
    if (x->object_ref)
        ruru_buf_addf(&b, " object=%s", x->object_ref);
    if (x->value)
        ruru_buf_addf(&b, " value=%.60s", x->value);
    ruru_buf_addf(&b, " reason=%s", x->reason);
    if (r->n_rej < REC_MAX)
        r->rej[r->n_rej++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static enum ruru_err rec_warninglist(void *ctx, const struct ruru_intel_warninglist *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 24);
    ruru_buf_addf(&b, "%s type=%s n=%zu", x->name, x->type ? x->type : "-", x->n_entries);
    if (x->n_entries > 0)
        ruru_buf_addf(&b, " first=%s", x->entries[0]);
    if (r->n_wl < REC_MAX)
        r->wl[r->n_wl++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static enum ruru_err rec_tag(void *ctx, const struct ruru_intel_tag_meaning *x)
{
    struct rec *r = ctx;
    struct ruru_buf b;

    ruru_buf_init(&b, 1 << 20);
    ruru_buf_addf(&b, "%s %d", x->tag, x->numerical_value);
    if (r->n_tag < REC_MAX)
        r->tag[r->n_tag++] = rec_str(&b);
    else
        ruru_buf_fini(&b);
    return RURU_OK;
}

static void rec_init(struct rec *r)
{
    memset(r, 0, sizeof(*r));
    r->sink.ctx = r;
    r->sink.indicator = rec_indicator;
    r->sink.entity = rec_entity;
    r->sink.relation = rec_relation;
    r->sink.reject = rec_reject;
    r->sink.warninglist = rec_warninglist;
    r->sink.tag_meaning = rec_tag;
}

static void rec_free(struct rec *r)
{
    char **lists[] = {r->ind, r->ent, r->rel, r->rej, r->wl, r->tag};
    size_t ns[] = {r->n_ind, r->n_ent, r->n_rel, r->n_rej, r->n_wl, r->n_tag};

    for (size_t l = 0; l < 6; l++)
        for (size_t i = 0; i < ns[l]; i++)
            free(lists[l][i]);
    memset(r, 0, sizeof(*r));
}

/* True when some recorded string starts with `prefix` (e.g. "ipv4 192.0.2.1 "). */
static int rec_has(char *const *v, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i], prefix, strlen(prefix)) == 0)
            return 1;
    return 0;
}

/* The recorded string starting with `prefix`, or "(none)". */
static const char *rec_find(char *const *v, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(v[i], prefix, strlen(prefix)) == 0)
            return v[i];
    return "(none)";
}

/* Reads a whole file (tests only). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static enum ruru_err run_importer(enum ruru_err (*fn)(const char *,
                                                      size_t,
                                                      const struct ruru_import_ctx *,
                                                      struct ruru_diag *),
                                  const char *data,
                                  size_t len,
                                  struct rec *r,
                                  struct ruru_diag *d)
{
    struct ruru_import_ctx ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test";
    ctx.sink = &r->sink;
    memset(d, 0, sizeof(*d));
    return fn(data, len, &ctx, d);
}

#endif
