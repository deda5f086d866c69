/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API's read endpoints (docs/serve.md): lookups, incidents, statistics, actors, exports,
 * health and metrics. Each is the library call the command line makes, narrowed to what the
 * caller may see (rights.c): a constituent's lookups lose the intel it may not be given
 * before the groups are counted; its incidents are its own, exported as the export model
 * under its TLP bound, so that a judgement it reads is computed from what it may read; the
 * national statistic is counts only, never another organisation's names or assets.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "intel/query.h"
#include "intel/store.h"
#include "serve/serve_int.h"

struct visible_ctx {
    const struct serve_sharing *sharing;
    const struct caller *caller;
};

static bool visible(void *ctx, const json_t *m)
{
    const struct visible_ctx *v = ctx;

    return serve_match_visible(v->sharing, v->caller, m);
}

enum ruru_err api_search(
        struct request *q, struct handles *h, const char *value, json_t **doc, struct ruru_diag *d)
{
    struct visible_ctx v = {&q->srv->sharing, &q->caller};
    struct ruru_search_filter f = {visible, &v};

    atomic_fetch_add(&q->srv->m.lookups, 1);
    enum ruru_err err =
            ruru_query_search(ruru_store_db(h->store), h->actors, value, INT64_MIN, &f, doc, d);
    if (err == RURU_OK && json_array_size(json_object_get(*doc, "matches")) > 0)
        atomic_fetch_add(&q->srv->m.lookup_hits, 1);
    return err;
}

enum MHD_Result api_healthz(struct request *q)
{
    struct ruru_server *s = q->srv;
    int64_t now = (int64_t)time(NULL), changed;
    char gen[64];

    pthread_mutex_lock(&s->pool_lock);
    snprintf(gen, sizeof(gen), "%s", s->store_gen);
    changed = s->store_changed;
    pthread_mutex_unlock(&s->pool_lock);
    return serve_reply_json(q, 200,
                            json_pack("{s:s, s:s, s:s, s:I, s:I}", "status", "ok", "version",
                                      ruru_version(), "intel_generation", gen, "intel_age",
                                      (json_int_t)(now - changed), "uptime",
                                      (json_int_t)(now - s->started)));
}

enum MHD_Result api_metrics(struct request *q)
{
    size_t len = 0;
    char *text = metrics_text(q->srv, &len);

    if (text == NULL)
        return serve_reply_error(q, 500, "out of memory");
    return serve_reply_bytes(q, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* What the answer to a lookup depends on besides the value (cache.c). */
static void caller_class(const struct request *q, char *buf, size_t cap)
{
    if (q->caller.role == RURU_ROLE_ADMIN)
        snprintf(buf, cap, "*");
    else if (q->srv->sharing.amber_all)
        snprintf(buf, cap, "c");
    else
        snprintf(buf, cap, "o:%s", q->caller.org);
}

/* The answer to one value as JSON text (ruru_free), from the cache or a search with the
 * handles *h (taken from the pool on first need; the caller gives them back). */
static char *lookup_text(struct request *q,
                         struct handles **h,
                         const char *value,
                         size_t *len,
                         bool *hit,
                         struct ruru_diag *d,
                         enum ruru_err *err)
{
    char cls[160];
    uint64_t gen;
    int64_t now = (int64_t)time(NULL);
    json_t *doc = NULL;
    char *text;

    caller_class(q, cls, sizeof(cls));
    *err = RURU_OK;
    serve_watch(q->srv);
    gen = atomic_load(&q->srv->gen);
    if ((text = serve_cache_get(q->srv->cache, cls, value, gen, now, len, hit)) != NULL) {
        atomic_fetch_add(&q->srv->m.lookups, 1);
        atomic_fetch_add(&q->srv->m.cache_hits, 1);
        if (*hit)
            atomic_fetch_add(&q->srv->m.lookup_hits, 1);
        return text;
    }
    if (*h == NULL && (*h = serve_handles_get(q->srv, d)) == NULL) {
        *err = RURU_EIO;
        return NULL;
    }
    if ((*err = api_search(q, *h, value, &doc, d)) != RURU_OK)
        return NULL;
    *hit = json_array_size(json_object_get(doc, "matches")) > 0;
    text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (text == NULL) {
        *err = ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    *len = strlen(text);
    /* made with handles of generation (*h)->gen: kept for that one */
    serve_cache_put(q->srv->cache, cls, value, (*h)->gen, now, text, *len, *hit);
    return text;
}

enum MHD_Result api_lookup_get(struct request *q)
{
    bool bad = false, hit = false;
    const char *value = serve_arg(q, "value", &bad);
    struct ruru_diag d;
    struct handles *h = NULL;
    enum ruru_err err;
    size_t len = 0;
    char *text, *t;

    if (value == NULL || *value == '\0' || bad)
        return serve_reply_error(q, 400,
                                 "value=V is needed (one value, UTF-8 text without NUL bytes)");
    if (strlen(value) > 8192)
        return serve_reply_error(q, 413, "a value of at most 8192 bytes is taken");
    text = lookup_text(q, &h, value, &len, &hit, &d, &err);
    serve_handles_put(q->srv, h);
    if (text == NULL && err == RURU_EIO)
        return serve_reply_error(q, 503, "the intel cannot be opened: %s", d.msg);
    if (text == NULL)
        return serve_reply_lib(q, err, &d);
    if ((t = ruru_realloc(text, len + 2)) == NULL) {
        ruru_free(text);
        return serve_reply_error(q, 500, "out of memory");
    }
    t[len] = '\n';
    t[len + 1] = '\0';
    return serve_reply_bytes(q, 200, "application/json", t, len + 1);
}

/* The values of a batch: {"values": [...]}, a JSON array of strings, or text, one per line.
 * NULL after replying. */
static json_t *batch_values(struct request *q, enum MHD_Result *ret)
{
    json_t *vals = NULL, *v, *doc;
    json_error_t je;
    size_t i;

    if (serve_content_is(q, "text/plain")) {
        char *p = q->body ? q->body : (char *)"", *end = p + q->body_len;
        if (memchr(p, '\0', q->body_len) != NULL) {
            *ret = serve_reply_error(q, 400, "the body holds a NUL byte");
            return NULL;
        }
        vals = json_array();
        while (p < end && vals != NULL) {
            char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
            size_t n = (size_t)(e - p);
            if (n > 0 && p[n - 1] == '\r')
                n--;
            if (n > 0 && json_array_append_new(vals, json_stringn(p, n)) != 0) {
                json_decref(vals);
                *ret = serve_reply_error(q, 400, "a line is not UTF-8 text");
                return NULL;
            }
            p = e + 1;
        }
    } else if (serve_content_is(q, "application/json")) {
        doc = json_loadb(q->body ? q->body : "", q->body_len, JSON_REJECT_DUPLICATES, &je);
        if (doc == NULL) {
            *ret = serve_reply_error(q, 400, "malformed JSON at line %d, column %d: %s", je.line,
                                     je.column, je.text);
            return NULL;
        }
        vals = json_is_array(doc) ? json_incref(doc) : json_incref(json_object_get(doc, "values"));
        json_decref(doc);
        if (!json_is_array(vals)) {
            json_decref(vals);
            *ret = serve_reply_error(q, 400,
                                     "{\"values\": [...]} or an array of strings is "
                                     "needed");
            return NULL;
        }
        json_array_foreach(vals, i, v) if (!json_is_string(v) || json_string_length(v) == 0 ||
                                           json_string_length(v) > 8192 ||
                                           strlen(json_string_value(v)) != json_string_length(v))
        {
            json_decref(vals);
            *ret = serve_reply_error(q, 400,
                                     "values[%zu]: a string of 1 to 8192 bytes "
                                     "without NUL is needed",
                                     i);
            return NULL;
        }
    } else {
        *ret = serve_reply_error(q, 415,
                                 "Content-Type application/json or text/plain is "
                                 "needed");
        return NULL;
    }
    if (json_array_size(vals) > q->srv->opts.max_batch) {
        *ret = serve_reply_error(q, 413, "a batch of %zu values: at most %u are taken",
                                 json_array_size(vals), q->srv->opts.max_batch);
        json_decref(vals);
        return NULL;
    }
    return vals;
}

enum MHD_Result api_lookup_post(struct request *q)
{
    enum MHD_Result ret = MHD_YES;
    json_t *vals = batch_values(q, &ret), *v;
    struct ruru_diag d;
    struct handles *h = NULL;
    struct ruru_buf out;
    size_t i, found = 0, n;
    enum ruru_err err = RURU_OK;
    char head[96];

    if (vals == NULL)
        return ret;
    /* the answers as they are kept, one after another: no document is parsed again */
    n = json_array_size(vals);
    ruru_buf_init(&out, (size_t)1 << 31);
    ruru_buf_adds(&out, "{\"results\":[");
    json_array_foreach(vals, i, v)
    {
        bool hit = false;
        size_t len = 0;
        char *text = lookup_text(q, &h, json_string_value(v), &len, &hit, &d, &err);
        if (text == NULL)
            break;
        found += hit;
        if (i > 0)
            ruru_buf_addc(&out, ',');
        ruru_buf_add(&out, text, len);
        ruru_free(text);
    }
    serve_handles_put(q->srv, h);
    json_decref(vals);
    if (err != RURU_OK) {
        ruru_buf_fini(&out);
        return err == RURU_EIO ? serve_reply_error(q, 503, "the intel cannot be opened: %s", d.msg)
                               : serve_reply_lib(q, err, &d);
    }
    snprintf(head, sizeof(head), "],\"values\":%zu,\"found\":%zu}\n", n, found);
    ruru_buf_adds(&out, head);
    if (out.failed) {
        ruru_buf_fini(&out);
        return serve_reply_error(q, 500, "out of memory");
    }
    n = out.len;
    return serve_reply_bytes(q, 200, "application/json", ruru_buf_detach(&out), n);
}

const char *api_org_arg(struct request *q, enum MHD_Result *ret)
{
    bool bad = false;
    const char *org = serve_arg(q, "org", &bad);

    if (bad) {
        *ret = serve_reply_error(q, 400, "org: a name UTF-8 text without NUL bytes is needed");
        return NULL;
    }
    if (q->caller.role == RURU_ROLE_ADMIN)
        return org != NULL && *org != '\0' ? org : NULL;
    if (org != NULL && strcmp(org, q->caller.org) != 0) {
        *ret = serve_reply_error(q, 403,
                                 "a constituent sees its own organisation's incidents "
                                 "only");
        return NULL;
    }
    return q->caller.org;
}

enum ruru_err serve_export_run(struct request *q,
                               const struct ruru_export_opts *o,
                               char **out,
                               size_t *len,
                               char **summary,
                               struct ruru_diag *d)
{
    struct handles *h;
    enum ruru_err err;

    if ((h = serve_handles_get(q->srv, d)) == NULL) {
        d->item = -2; /* the handles, not the export */
        return RURU_EDB;
    }
    err = ruru_export(h->reg, h->store, o, out, len, summary, d);
    serve_handles_put(q->srv, h);
    return err;
}

/* The export (format `format`) of what the caller may see, with the request's selection. */
static enum MHD_Result export_for(struct request *q,
                                  const char *format,
                                  const char *incident,
                                  char **out,
                                  size_t *len,
                                  json_t **summary)
{
    struct ruru_export_opts o;
    enum MHD_Result ret = MHD_YES;
    bool bad = false;
    const char *org;
    struct ruru_diag d;
    char *sum = NULL;
    enum ruru_err err;

    memset(&o, 0, sizeof(o));
    o.format = format;
    if (!serve_time_arg(q, "since", &o.since, &ret) || !serve_time_arg(q, "until", &o.until, &ret))
        return ret;
    o.actor = serve_arg(q, "actor", &bad);
    if (bad)
        return serve_reply_error(q, 400, "actor: a name UTF-8 text without NUL bytes is needed");
    if (o.actor != NULL && *o.actor == '\0')
        o.actor = NULL;
    org = api_org_arg(q, &ret);
    if (org == NULL && q->replied)
        return ret;
    o.org = org;
    o.tlp_max = serve_tlp_max(&q->caller);
    if (incident != NULL) {
        o.incidents = &incident;
        o.n_incidents = 1;
    }
    err = serve_export_run(q, &o, out, len, &sum, &d);
    if (err == RURU_EDB && d.item == -2)
        return serve_reply_error(q, 503, "the register cannot be opened: %s", d.msg);
    if (err == RURU_ENOTFOUND && incident != NULL)
        /* the same answer whether it does not exist or is another organisation's */
        return serve_reply_error(q, 404, "no incident %s", incident);
    if (err != RURU_OK)
        return serve_reply_lib(q, err, &d);
    *summary = sum != NULL ? json_loads(sum, 0, NULL) : NULL;
    ruru_free(sum);
    return MHD_YES;
}

enum MHD_Result api_incidents(struct request *q)
{
    char *out = NULL;
    size_t len = 0;
    json_t *summary = NULL, *model;
    enum MHD_Result ret = export_for(q, "json", NULL, &out, &len, &summary);

    if (q->replied)
        return ret;
    model = json_loadb(out, len, 0, NULL);
    ruru_free(out);
    if (model == NULL) {
        json_decref(summary);
        return serve_reply_error(q, 500, "out of memory");
    }
    json_object_set_new(model, "withheld", json_incref(json_object_get(summary, "withheld")));
    json_decref(summary);
    return serve_reply_json(q, 200, model);
}

enum MHD_Result api_incident(struct request *q, const char *id)
{
    char *out = NULL;
    size_t len = 0;
    json_t *summary = NULL, *model;
    enum MHD_Result ret;

    if (strlen(id) > 256 || strchr(id, '/') != NULL)
        return serve_reply_error(q, 404, "no incident %s", "(bad id)");
    ret = export_for(q, "json", id, &out, &len, &summary);
    if (q->replied)
        return ret;
    model = json_loadb(out, len, 0, NULL);
    ruru_free(out);
    json_decref(summary);
    if (model == NULL)
        return serve_reply_error(q, 500, "out of memory");
    if (json_array_size(json_object_get(model, "incidents")) == 0) {
        json_decref(model);
        return serve_reply_error(q, 404, "no incident %s", "(withheld or unknown)");
    }
    return serve_reply_json(q, 200, model);
}

enum MHD_Result api_export(struct request *q)
{
    bool bad = false;
    const char *format = serve_arg(q, "format", &bad), *type;
    char *out = NULL;
    size_t len = 0;
    json_t *summary = NULL;
    enum MHD_Result ret;

    if (format == NULL || bad)
        return serve_reply_error(q, 400, "format=stix|misp|html|json is needed");
    if (strcmp(format, "stix") == 0)
        type = "application/stix+json;version=2.1";
    else if (strcmp(format, "misp") == 0 || strcmp(format, "json") == 0)
        type = "application/json";
    else if (strcmp(format, "html") == 0)
        type = "text/html; charset=utf-8";
    else
        return serve_reply_error(q, 400, "format: stix, misp, html or json");
    ret = export_for(q, format, NULL, &out, &len, &summary);
    if (q->replied)
        return ret;
    json_decref(summary);
    return serve_reply_bytes(q, 200, type, out, len);
}

enum MHD_Result api_stats(struct request *q)
{
    enum MHD_Result ret = MHD_YES;
    bool bad = false;
    const char *by = serve_arg(q, "by", &bad), *scope = serve_arg(q, "scope", &bad);
    int64_t since, until;
    struct ruru_diag d;
    struct handles *h;
    char *out = NULL;
    const char *org = NULL;
    enum ruru_err err;

    if (bad)
        return serve_reply_error(q, 400, "arguments UTF-8 text without NUL bytes are needed");
    if (!serve_time_arg(q, "since", &since, &ret) || !serve_time_arg(q, "until", &until, &ret))
        return ret;
    if (by == NULL || *by == '\0')
        by = "sponsor";
    if (scope != NULL && strcmp(scope, "own") != 0 && strcmp(scope, "national") != 0)
        return serve_reply_error(q, 400, "scope: own or national");
    if (scope != NULL && strcmp(scope, "own") == 0)
        org = q->caller.org;
    if (q->caller.role != RURU_ROLE_ADMIN && org == NULL &&
        (strcmp(by, "org") == 0 || strcmp(by, "asset") == 0))
        return serve_reply_error(q, 403,
                                 "by=%s names other organisations or their assets: "
                                 "the CERT's admins only (scope=own for your own)",
                                 by);
    if ((h = serve_handles_get(q->srv, &d)) == NULL)
        return serve_reply_error(q, 503, "the register cannot be opened: %s", d.msg);
    err = ruru_register_stats_org(h->reg, since, until, by, org, &out, &d);
    serve_handles_put(q->srv, h);
    if (err != RURU_OK)
        return serve_reply_lib(q, err, &d);
    return serve_reply_bytes(q, 200, "application/json", out, strlen(out));
}

enum MHD_Result api_actors(struct request *q, const char *name)
{
    struct ruru_diag d;
    struct handles *h;
    char *out = NULL;
    enum ruru_err err;

    if (name != NULL && strlen(name) > 512)
        return serve_reply_error(q, 404, "no such actor");
    if ((h = serve_handles_get(q->srv, &d)) == NULL)
        return serve_reply_error(q, 503, "the intel cannot be opened: %s", d.msg);
    err = ruru_actors(h->store, name, &out, &d);
    serve_handles_put(q->srv, h);
    if (err != RURU_OK)
        return serve_reply_lib(q, err, &d);
    return serve_reply_bytes(q, 200, "application/json", out, strlen(out));
}
