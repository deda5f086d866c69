/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The recording sink of the MISP reference-data tests (test_galaxy.c, test_taxonomy.c,
 * test_warninglist.c). It copies everything an importer hands over into readable lines that
 * tests look up and compare exactly, and folds the same data into an FNV-1a digest whose
 * expected value was computed with Python over the source JSON (see each test's comment), so
 * that every value of a 5 MB galaxy is checked, not a sample. It also runs inputs so that they
 * end at a PROT_NONE page (an overread faults in every build), stops the import after a
 * chosen number of sink calls, and fails allocations one by one.
 */
#ifndef RURU_TEST_GALAXY_REC_H
#define RURU_TEST_GALAXY_REC_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/intel.h"

/* FNV-1a 64: offset basis and prime. */
#define GREC_FNV_BASIS 0xcbf29ce484222325u
#define GREC_FNV_PRIME 0x100000001b3u

struct grec_list {
    char **v;
    size_t n, cap;
};

struct grec {
    struct ruru_intel_sink sink;
    struct grec_list ent, rel, rej, tag, wl;
    struct grec_list entries; /* the entries of every list, one after the other */
    uint64_t digest;          /* over entity and relation records, entries, or tags */
    size_t n_aliases, n_country, n_sponsor, n_confidence, n_revoked, n_external_id,
            n_description; /* totals over the entities */
    size_t n_calls;        /* sink calls so far */
    size_t stop_after;     /* 0: never; else the call that returns RURU_ESTOPPED */
};

static inline void grec_push(struct grec_list *l, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static inline void grec_push(struct grec_list *l, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    if (s == NULL)
        abort();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        if (l->v == NULL)
            abort();
    }
    l->v[l->n++] = s;
}

static inline void grec_list_free(struct grec_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static inline void grec_hash(struct grec *r, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        r->digest ^= *p;
        r->digest *= GREC_FNV_PRIME;
    }
}

static inline void grec_hash_sep(struct grec *r, const char *s, char sep)
{
    char end[2] = {sep, '\0'};

    grec_hash(r, s ? s : "");
    grec_hash(r, end);
}

/* Counts a sink call; true when this one is to stop the import. */
static inline int grec_stop(struct grec *r)
{
    r->n_calls++;
    return r->stop_after != 0 && r->n_calls >= r->stop_after;
}

/* "a|b|c" of a string list, into a malloc'd string. */
static inline char *grec_join(const char *const *v, size_t n)
{
    size_t len = 1;
    char *s, *p;

    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    p = s = malloc(len);
    if (s == NULL)
        abort();
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(v[i]);
        if (i > 0)
            *p++ = '|';
        memcpy(p, v[i], k + 1);
        p += k;
    }
    return s;
}

static inline enum ruru_err grec_entity(void *ctx, const struct ruru_intel_entity *x)
{
    static const char *const kinds[] = {"?",    "actor",     "campaign", "malware",
                                        "tool", "technique", "identity"};
    struct grec *r = ctx;
    char conf[16], *aliases = grec_join(x->aliases, x->n_aliases);

    if (grec_stop(r)) {
        free(aliases);
        return RURU_ESTOPPED;
    }
    grec_push(&r->ent, "%s %s ref=%s type=%s%s%s%s%s%s%s confidence=%d%s modified=%" PRId64 "%s%s",
              kinds[x->kind <= RURU_ENTITY_IDENTITY ? x->kind : 0], x->name, x->ref,
              x->source_type ? x->source_type : "-", x->external_id ? " ext=" : "",
              x->external_id ? x->external_id : "", x->country ? " country=" : "",
              x->country ? x->country : "", x->sponsor ? " sponsor=" : "",
              x->sponsor ? x->sponsor : "", x->confidence, x->revoked ? " revoked" : "",
              x->modified, x->n_aliases ? " aliases=" : "", aliases);
    r->n_aliases += x->n_aliases;
    r->n_country += x->country != NULL;
    r->n_sponsor += x->sponsor != NULL;
    r->n_confidence += x->confidence >= 0;
    r->n_revoked += x->revoked;
    r->n_external_id += x->external_id != NULL;
    r->n_description += x->description != NULL;
    /* The digest record, as the Python reference writes it: fields separated by 0x1f,
     * aliases by 0x1e, one line per entity. */
    snprintf(conf, sizeof(conf), "%d", x->confidence);
    grec_hash_sep(r, x->name, '\x1f');
    grec_hash_sep(r, x->ref, '\x1f');
    grec_hash_sep(r, x->external_id, '\x1f');
    grec_hash_sep(r, x->country, '\x1f');
    grec_hash_sep(r, x->sponsor, '\x1f');
    grec_hash_sep(r, conf, '\x1f');
    grec_hash_sep(r, x->revoked ? "1" : "0", '\x1f');
    for (size_t i = 0; i < x->n_aliases; i++) {
        if (i > 0)
            grec_hash(r, "\x1e");
        grec_hash(r, x->aliases[i]);
    }
    grec_hash(r, "\x1f");
    grec_hash_sep(r, x->description, '\n');
    free(aliases);
    return RURU_OK;
}

static inline enum ruru_err grec_relation(void *ctx, const struct ruru_intel_relation *x)
{
    struct grec *r = ctx;

    if (grec_stop(r))
        return RURU_ESTOPPED;
    grec_push(&r->rel, "%s %s %s modified=%" PRId64, x->src, x->type, x->dst, x->modified);
    grec_hash_sep(r, x->src, '\x1f');
    grec_hash_sep(r, x->type, '\x1f');
    grec_hash_sep(r, x->dst, '\n');
    return RURU_OK;
}

static inline enum ruru_err grec_reject(void *ctx, const struct ruru_intel_reject *x)
{
    struct grec *r = ctx;

    if (grec_stop(r))
        return RURU_ESTOPPED;
    grec_push(&r->rej, "line=%" PRIu64 " col=%" PRIu64 "%s%s%s%s reason=%s", x->line, x->col,
              x->object_ref ? " object=" : "", x->object_ref ? x->object_ref : "",
              x->value ? " value=" : "", x->value ? x->value : "", x->reason);
    return RURU_OK;
}

static inline enum ruru_err grec_warninglist(void *ctx, const struct ruru_intel_warninglist *x)
{
    struct grec *r = ctx;
    char *attrs;

    if (grec_stop(r))
        return RURU_ESTOPPED;
    attrs = grec_join(x->matching_attributes, x->n_matching_attributes);
    grec_push(&r->wl, "%s type=%s version=%" PRId64 " n=%zu attrs=%s desc=%s", x->name, x->type,
              x->version, x->n_entries, attrs, x->description ? x->description : "-");
    free(attrs);
    for (size_t i = 0; i < x->n_entries; i++) {
        grec_push(&r->entries, "%s", x->entries[i]);
        grec_hash_sep(r, x->entries[i], '\n');
    }
    return RURU_OK;
}

static inline enum ruru_err grec_tag(void *ctx, const struct ruru_intel_tag_meaning *x)
{
    struct grec *r = ctx;
    char num[16];

    if (grec_stop(r))
        return RURU_ESTOPPED;
    grec_push(&r->tag, "%s num=%d ns=%s pred=%s value=%s expanded=%s", x->tag, x->numerical_value,
              x->ns, x->predicate, x->value ? x->value : "-", x->expanded ? x->expanded : "-");
    snprintf(num, sizeof(num), "%d", x->numerical_value);
    grec_hash_sep(r, x->tag, '\x1f');
    grec_hash_sep(r, x->expanded, '\x1f');
    grec_hash_sep(r, num, '\n');
    return RURU_OK;
}

static inline void grec_init(struct grec *r)
{
    memset(r, 0, sizeof(*r));
    r->sink.ctx = r;
    r->sink.entity = grec_entity;
    r->sink.relation = grec_relation;
    r->sink.reject = grec_reject;
    r->sink.warninglist = grec_warninglist;
    r->sink.tag_meaning = grec_tag;
    r->digest = GREC_FNV_BASIS;
}

static inline void grec_free(struct grec *r)
{
    grec_list_free(&r->ent);
    grec_list_free(&r->rel);
    grec_list_free(&r->rej);
    grec_list_free(&r->tag);
    grec_list_free(&r->wl);
    grec_list_free(&r->entries);
}

/* The recorded line starting with `prefix`, or "(none)". */
static inline const char *grec_find(const struct grec_list *l, const char *prefix)
{
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->v[i], prefix, strlen(prefix)) == 0)
            return l->v[i];
    return "(none)";
}

/* How many recorded lines start with `prefix`. */
static inline size_t grec_count(const struct grec_list *l, const char *prefix)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++)
        n += strncmp(l->v[i], prefix, strlen(prefix)) == 0;
    return n;
}

/* How many recorded lines contain `needle`. */
static inline size_t grec_count_has(const struct grec_list *l, const char *needle)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++)
        n += strstr(l->v[i], needle) != NULL;
    return n;
}

/* Runs the importer with the input placed to end exactly at a PROT_NONE page. */
static inline enum ruru_err grec_run(enum ruru_err (*fn)(const char *,
                                                         size_t,
                                                         const struct ruru_import_ctx *,
                                                         struct ruru_diag *),
                                     const char *data,
                                     size_t len,
                                     struct grec *r,
                                     struct ruru_diag *d)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (len + page - 1) / page * page;
    struct ruru_import_ctx ctx;
    enum ruru_err err;
    char *map;

    if (span == 0)
        span = page;
    map = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + span, page, PROT_NONE) != 0)
        abort();
    if (len > 0)
        memcpy(map + span - len, data, len);
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "test.json";
    ctx.sink = &r->sink;
    memset(d, 0, sizeof(*d));
    err = fn(map + span - len, len, &ctx, d);
    munmap(map, span + page);
    return err;
}

static inline enum ruru_err grec_run_str(enum ruru_err (*fn)(const char *,
                                                             size_t,
                                                             const struct ruru_import_ctx *,
                                                             struct ruru_diag *),
                                         const char *s,
                                         struct grec *r,
                                         struct ruru_diag *d)
{
    return grec_run(fn, s, strlen(s), r, d);
}

/* Reads a whole file (tests only); NULL when it cannot. */
static inline char *grec_slurp(const char *path, size_t *len)
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
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* Imports `dir`/`rel` (dir: shared_path("misp") or RURU_OWN_DATA) into a fresh `r`. */
static inline enum ruru_err grec_run_file(enum ruru_err (*fn)(const char *,
                                                              size_t,
                                                              const struct ruru_import_ctx *,
                                                              struct ruru_diag *),
                                          const char *dir,
                                          const char *rel,
                                          struct grec *r,
                                          struct ruru_diag *d)
{
    char path[1024];
    size_t len = 0;
    char *data;
    enum ruru_err err;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    grec_init(r);
    data = grec_slurp(path, &len);
    if (data == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        check_failed++;
        return RURU_EIO;
    }
    err = grec_run(fn, data, len, r, d);
    free(data);
    return err;
}

/* Stops the import at every sink call in turn: each run must return RURU_ESTOPPED (leaks are
 * ASan's to find). Returns the number of sink calls of a full run. */
static inline size_t grec_stop_each(enum ruru_err (*fn)(const char *,
                                                        size_t,
                                                        const struct ruru_import_ctx *,
                                                        struct ruru_diag *),
                                    const char *s)
{
    struct grec r;
    struct ruru_diag d;
    size_t calls;

    grec_init(&r);
    CHECK_INT(grec_run_str(fn, s, &r, &d), RURU_OK);
    calls = r.n_calls;
    grec_free(&r);
    for (size_t k = 1; k <= calls; k++) {
        grec_init(&r);
        r.stop_after = k;
        CHECK_INT(grec_run_str(fn, s, &r, &d), RURU_ESTOPPED);
        grec_free(&r);
    }
    return calls;
}

/* Fails each library allocation of an import in turn: each run returns RURU_ENOMEM with a
 * diagnostic, or RURU_OK when the failing allocation was not needed after all. Returns the
 * number of allocations of a full run. */
static inline uint64_t grec_oom_each(enum ruru_err (*fn)(const char *,
                                                         size_t,
                                                         const struct ruru_import_ctx *,
                                                         struct ruru_diag *),
                                     const char *s)
{
    struct grec r;
    struct ruru_diag d;
    uint64_t before = ruru_alloc_count(), n;

    grec_init(&r);
    CHECK_INT(grec_run_str(fn, s, &r, &d), RURU_OK);
    grec_free(&r);
    n = ruru_alloc_count() - before;
    for (uint64_t i = 1; i <= n; i++) {
        enum ruru_err err;
        grec_init(&r);
        ruru_alloc_fail_at(i);
        err = grec_run_str(fn, s, &r, &d);
        ruru_alloc_fail_at(0);
        CHECK(err == RURU_ENOMEM || err == RURU_OK);
        if (err == RURU_ENOMEM)
            CHECK_STR(d.msg, "out of memory");
        grec_free(&r);
    }
    return n;
}

#endif
