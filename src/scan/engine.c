/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep engine (engine.h): the match index (loaded from its cache beside the store when it
 * matches the store's generation, else built and cached), the literals and file-name regexes
 * searched for in free text, the Sigma rules and the STIX patterns, loaded once for any number
 * of sweeps. What was loaded is said in the summary's "scan" object, which every sweep starts
 * from. The index is read (or built) on a thread of its own while the rules are compiled on
 * the caller's: neither needs the other (at 100,000 indicators each takes about 10 ms of an
 * empty sweep's 40).
 */
#include "scan/engine.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "intel/store.h"
#include "match/fnregex.h"
#include "match/index.h"
#include "match/literal.h"
#include "rules/sigma.h"
#include "scan/scan_int.h"
#include "scan/sighting.h"

/* ---- the index cache ----------------------------------------------------------------------- */

/* Removes the index files of older generations beside `keep` (dir_len: its directory). */
static void remove_stale(const char *keep, ptrdiff_t dir_len)
{
    char dir[4096], p[4096 + 256];
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), "%.*s", (int)dir_len, keep);
    if ((d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 11 || strncmp(e->d_name, "index-", 6) != 0 ||
            strcmp(e->d_name + n - 5, ".ruru") != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (strcmp(p, keep) != 0)
            unlink(p);
    }
    closedir(d);
}

/* The index for the store: loaded from the cache file when it matches the store's generation,
 * else built (and cached, for a store on disk). */
static enum ruru_err
store_index(struct ruru_store *store, struct ruru_index **out, json_t *info, struct ruru_diag *diag)
{
    const char *db = ruru_store_path(store);
    char gen[96], path[4096];
    const char *slash = strrchr(db, '/');
    enum ruru_err err;

    if (strcmp(db, RURU_STORE_MEMORY) == 0 || slash == NULL ||
        !ruru_store_generation(store, gen, sizeof(gen))) {
        err = ruru_index_build(ruru_store_db(store), out, diag);
        json_object_set_new(info, "index", json_string("built"));
    } else {
        struct ruru_diag ld;
        snprintf(path, sizeof(path), "%.*s/index-%s.ruru", (int)(slash - db), db, gen);
        err = ruru_index_load(path, out, &ld);
        if (err == RURU_OK) {
            json_object_set_new(info, "index", json_string("cached"));
        } else {
            err = ruru_index_build(ruru_store_db(store), out, diag);
            json_object_set_new(info, "index", json_string("built"));
            /* Caching is an optimisation: a read-only store directory still sweeps. */
            if (err == RURU_OK && ruru_index_save(*out, path, &ld) == RURU_OK)
                remove_stale(path, slash - db);
        }
    }
    if (err == RURU_OK)
        json_object_set_new(info, "indicators", json_integer((json_int_t)ruru_index_count(*out)));
    return err;
}

/* store_index on a thread of its own: its summary keys go to an object of their own (`info`
 * is the caller's meanwhile), and it reports through no callback. */
struct index_job {
    struct ruru_store *store;
    struct ruru_index *idx;
    json_t *info;
    struct ruru_diag diag;
    enum ruru_err err;
};

static void *index_thread(void *arg)
{
    struct index_job *j = arg;

    j->err = store_index(j->store, &j->idx, j->info, &j->diag);
    return NULL;
}

/* ---- rules ---------------------------------------------------------------------------------- */

struct rules_ctx {
    struct ruru_engine *s;
    size_t refused;
    bool named; /* loading what the user named (--rules), not ruru's own */
};

static void
on_rule_file(void *ctx, const char *path, size_t n, enum ruru_err err, const struct ruru_diag *why)
{
    struct rules_ctx *rc = ctx;
    struct ruru_diag d;

    (void)n;
    if (err == RURU_OK || why == NULL)
        return;
    rc->refused++;
    d = *why;
    if (d.source == NULL)
        d.source = path;
    /* a refused rule is said, and the sweep goes on with the others; one the user named is
     * an error of the sweep (what they asked for did not run) */
    if (rc->s->opts->on_error)
        rc->s->opts->on_error(rc->s->opts->ctx, err, &d);
    if (rc->named && rc->s->load_err == RURU_OK) {
        rc->s->load_err = err;
        rc->s->load_diag = d;
    }
}

/* ruru's own rules (unless told not to) and those of opts->rule_paths. */
static enum ruru_err load_rules(struct ruru_engine *s, json_t *info, struct ruru_diag *diag)
{
    struct rules_ctx rc = {s, 0, false};
    enum ruru_err err;
    size_t n;

    if (s->opts->no_builtin_rules && s->opts->n_rule_paths == 0) {
        json_object_set_new(info, "rules", json_integer(0));
        return RURU_OK;
    }
    if ((err = ruru_rules_create(&s->rules)) != RURU_OK)
        return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    if (!s->opts->no_builtin_rules &&
        (err = ruru_rules_load_builtin(s->rules, on_rule_file, &rc, diag)) != RURU_OK)
        return err;
    rc.named = true;
    for (size_t i = 0; i < s->opts->n_rule_paths; i++) {
        err = ruru_rules_load(s->rules, s->opts->rule_paths[i], on_rule_file, &rc, diag);
        if (err == RURU_ENOMEM)
            return err;
        if (err != RURU_OK) {
            struct ruru_diag d = *diag;
            rc.refused++;
            if (s->opts->on_error)
                s->opts->on_error(s->opts->ctx, err, &d);
            if (s->load_err == RURU_OK) {
                s->load_err = err;
                s->load_diag = d;
            }
            ruru_diag_clear(diag);
        }
    }
    if ((err = ruru_rules_compile(s->rules, on_rule_file, &rc, diag)) != RURU_OK)
        return err;
    n = ruru_rules_count(s->rules);
    json_object_set_new(info, "rules", json_integer((json_int_t)n));
    json_object_set_new(info, "rules_refused", json_integer((json_int_t)rc.refused));
    if (n == 0) {
        ruru_rules_destroy(s->rules);
        s->rules = NULL;
        return RURU_OK;
    }
    s->correlated = ruru_calloc((n + 63) / 64, sizeof(*s->correlated));
    if (s->correlated == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (ruru_rules_correlated(s->rules, i))
            s->correlated[i / 64] |= 1ull << (i % 64);
    return RURU_OK;
}

/* What the index holds that no lookup will meet: context values (to_ids false, counted when
 * a record holds them, never reported) and indicators of types no log field carries. The
 * summary says how many of each instead of letting them pass in silence. */
static void coverage(const struct ruru_index *idx, json_t *info)
{
    uint64_t by_type[RURU_IOC__COUNT] = {0}, n_context = 0;
    json_t *ns = json_object();
    size_t n = ruru_index_count(idx);

    for (size_t i = 0; i < n; i++) {
        const struct ruru_index_ind *ind = ruru_index_at(idx, (uint32_t)i);
        if (ind->flags & RURU_INDEX_NOT_IDS)
            n_context++;
        else if (ind->type < RURU_IOC__COUNT && !ruru_match_sweeps((enum ruru_ioc_type)ind->type))
            by_type[ind->type]++;
    }
    json_object_set_new(info, "context", json_integer((json_int_t)n_context));
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        if (by_type[t] > 0)
            json_object_set_new(ns, ruru_ioc_type_name((enum ruru_ioc_type)t),
                                json_integer((json_int_t)by_type[t]));
    json_object_set_new(info, "not_swept", ns);
}

/* ---- STIX patterns ------------------------------------------------------------------------- */

/* The patterns of the index, compiled; the summary says how many, and why some are not used. */
static enum ruru_err load_patterns(struct ruru_engine *s, json_t *info, struct ruru_diag *diag)
{
    enum ruru_err err = ruru_pattern_set_build(s->idx, &s->patterns, diag);
    bool multi = false;

    if (err != RURU_OK)
        return err;
    /* "indicators" counts what is matched value by value */
    json_object_set_new(info, "indicators",
                        json_integer(json_integer_value(json_object_get(info, "indicators")) -
                                     (json_int_t)(s->patterns->n + s->patterns->n_refused +
                                                  s->patterns->n_unobservable)));
    json_object_set_new(info, "patterns", json_integer((json_int_t)s->patterns->n));
    if (s->patterns->n_refused > 0) {
        json_object_set_new(info, "patterns_refused",
                            json_integer((json_int_t)s->patterns->n_refused));
        json_object_set_new(info, "patterns_refused_first",
                            json_string(s->patterns->first_refusal));
    }
    if (s->patterns->n_unobservable > 0)
        json_object_set_new(info, "patterns_unobservable",
                            json_integer((json_int_t)s->patterns->n_unobservable));
    for (size_t i = 0; i < s->patterns->n; i++)
        multi |= !s->patterns->entries[i].single;
    s->multi_patterns = multi;
    return RURU_OK;
}

/* ---- the engine ------------------------------------------------------------------------------ */

/* The index (on a thread of its own; on this one when none can be had) and the rules (here),
 * then the literals and file-name regexes of the index. The summary's keys come in the same
 * order whichever finished first; an error of the index is returned before one of the rules
 * (the rules refused on the way have been reported to on_error by then, from this thread). The
 * store is the index thread's alone till it is joined: the rules never touch it. */
static enum ruru_err index_and_rules(struct ruru_engine *s, json_t *info, struct ruru_diag *diag)
{
    struct index_job job = {.store = s->store, .info = json_object(), .err = RURU_OK};
    json_t *rinfo = json_object();
    struct ruru_diag ld;
    enum ruru_err err = RURU_OK;
    pthread_t th;
    bool threaded = false;

    ruru_diag_clear(&job.diag);
    if (job.info == NULL || rinfo == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    else
        threaded = pthread_create(&th, NULL, index_thread, &job) == 0;
    if (err == RURU_OK)
        err = load_rules(s, rinfo, diag);
    if (threaded)
        pthread_join(th, NULL);
    else if (job.info != NULL && rinfo != NULL)
        (void)index_thread(&job);
    s->idx = job.idx;
    if (job.err != RURU_OK) {
        *diag = job.diag;
        err = job.err;
    }
    if (err != RURU_OK) {
        json_decref(job.info);
        json_decref(rinfo);
        return err;
    }
    json_object_update(info, job.info);
    json_decref(job.info);
    /* User agents and strings, searched for in free text. A list too big to compile is said
     * in the summary; the rest of the sweep goes on. */
    if (ruru_literals_build(s->idx, 1ull << RURU_IOC_USER_AGENT | 1ull << RURU_IOC_STRING, &s->lit,
                            &ld) != RURU_OK)
        json_object_set_new(info, "literals_error", json_string(ld.msg));
    json_object_set_new(info, "literals", json_integer((json_int_t)ruru_literals_count(s->lit)));
    /* File-name regexes (Loki lists), compiled once and shared by the threads. */
    if (ruru_fnregex_build(s->idx, &s->fnre, &ld) != RURU_OK)
        json_object_set_new(info, "filename_regexes_error", json_string(ld.msg));
    if (s->fnre != NULL)
        json_object_set_new(info, "filename_regexes",
                            json_integer((json_int_t)ruru_fnregex_count(s->fnre, NULL)));
    json_object_update(info, rinfo);
    json_decref(rinfo);
    return RURU_OK;
}

enum ruru_err ruru_engine_open(struct ruru_store *store,
                               const struct ruru_scan_opts *opts,
                               struct ruru_engine **out,
                               struct ruru_diag *diag)
{
    static const struct ruru_scan_opts none;
    struct ruru_engine *s = ruru_calloc(1, sizeof(*s));
    json_t *info = json_object();
    enum ruru_err err = RURU_OK;

    ruru_diag_clear(diag);
    if (s == NULL || info == NULL) {
        ruru_free(s);
        json_decref(info);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    s->store = store;
    s->opts = opts ? opts : &none;
    s->info = info;
    if (s->opts->log_format != NULL &&
        ruru_log_kind_parse(s->opts->log_format) == RURU_KIND__COUNT) {
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "unknown log format \"%s\" (one of: %s)",
                            s->opts->log_format, ruru_log_formats());
        goto fail;
    }
    for (size_t i = 0; i < s->opts->n_logsources; i++)
        if ((err = ruru_rules_tie_check(s->opts->logsources[i], diag)) != RURU_OK)
            goto fail;
    /* the generation the intel is at before the index is read: a change after it makes the
     * engine stale, never one before it */
    s->has_gen = ruru_store_generation(store, s->gen, sizeof(s->gen));
    if ((err = index_and_rules(s, info, diag)) != RURU_OK)
        goto fail;
    if ((err = load_patterns(s, info, diag)) != RURU_OK)
        goto fail;
    coverage(s->idx, info);
    if ((err = ruru_sightings_open(store, s->idx, &s->sightings, diag)) != RURU_OK)
        goto fail;
    ruru_sightings_set_rules(s->sightings, s->rules);
    *out = s;
    return RURU_OK;
fail:
    ruru_engine_close(s);
    return err;
}

bool ruru_engine_stale(struct ruru_engine *e)
{
    char gen[sizeof(e->gen)];

    if (!e->has_gen || !ruru_store_generation(e->store, gen, sizeof(gen)))
        return false;
    return strcmp(gen, e->gen) != 0;
}

enum ruru_err ruru_engine_load_error(const struct ruru_engine *e, struct ruru_diag *diag)
{
    if (e->load_err != RURU_OK && diag != NULL)
        *diag = e->load_diag;
    return e->load_err;
}

void ruru_engine_close(struct ruru_engine *e)
{
    if (e == NULL)
        return;
    ruru_sightings_close(e->sightings);
    ruru_free(e->correlated);
    ruru_pattern_set_destroy(e->patterns);
    ruru_rules_destroy(e->rules);
    ruru_literals_destroy(e->lit);
    ruru_fnregex_destroy(e->fnre);
    ruru_index_destroy(e->idx);
    json_decref(e->info);
    ruru_free(e);
}
