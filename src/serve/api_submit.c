/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Submissions (docs/serve.md): a constituent's logs, swept as `ruru scan --record --org` would
 * sweep them, and the sightings its own tools found. The body of a log submission goes to a
 * file under the spool as it arrives (never held in memory whole) and is kept there: it is
 * the evidence its sightings cite, so `ruru verify` can re-read their bytes later. gzip and
 * zstd bodies are kept as they came; the sweep undoes them by content, as it does for files.
 *
 *   SPOOL/ORG/SHA256.log      a log, named by the SHA-256 of the bytes received (a retry or
 *                             the same file sent again is the same file: the same evidence)
 *   SPOOL/ORG/SHA256.jsonl    submitted sightings as the records they cite (submit.c)
 *   SPOOL/ORG/.incoming-ID    a body still arriving
 *
 * ORG with every byte outside [A-Za-z0-9._-] as %XX ("_cert" for the CERT's own).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "io/file.h"
#include "serve/serve_int.h"
#include "serve/session.h"

/* The most sightings a reply lists (all are recorded and counted). */
#define REPLY_SIGHTINGS 1000

static void org_dir(const char *org, char *out, size_t cap)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t n = 0;

    if (org == NULL || *org == '\0') {
        snprintf(out, cap, "_cert");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)org; *p != '\0' && n + 4 < cap; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || (*p == '.' && n > 0);
        if (plain) {
            out[n++] = (char)*p;
        } else {
            out[n++] = '%';
            out[n++] = HEX[*p >> 4];
            out[n++] = HEX[*p & 15];
        }
    }
    out[n] = '\0';
}

/* The spool directory of the request's organisation, made when missing. */
static bool spool_dir(struct request *q, char *dir, size_t cap)
{
    char od[400];
    struct ruru_diag d;

    org_dir(q->target_org, od, sizeof(od));
    return (size_t)snprintf(dir, cap, "%s/%s", q->srv->spool, od) < cap &&
           ruru_make_dirs(dir, &d) == RURU_OK;
}

/* A temporary spool file for the body as it arrives (named by its SHA-256 at the end). */
static bool spool_open(struct request *q)
{
    char dir[4096], rnd[RURU_SESSION_HEX + 1];
    int fd;

    if (!spool_dir(q, dir, sizeof(dir)) || ruru_session_random_hex(rnd) != RURU_OK)
        return false;
    if ((size_t)snprintf(q->spool_path, sizeof(q->spool_path), "%s/.incoming-%.16s", dir, rnd) >=
        sizeof(q->spool_path)) {
        q->spool_path[0] = '\0';
        return false;
    }
    fd = open(q->spool_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || (q->spool = fdopen(fd, "wb")) == NULL) {
        if (fd >= 0)
            close(fd);
        unlink(q->spool_path);
        q->spool_path[0] = '\0';
        return false;
    }
    sha256_init(&q->sha);
    return true;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The spooled body under its content's name, SPOOL/ORG/SHA256.EXT: the same bytes submitted
 * again are the same file, so their sightings are the same and recording them again changes
 * nothing (a client may retry a submission safely). */
static bool spool_keep(struct request *q, const char *ext, char *final, size_t cap)
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    char dir[4096], h[2 * SHA256_DIGEST_SIZE + 1];

    sha256_digest(&q->sha, sizeof(digest), digest);
    hex(digest, sizeof(digest), h);
    if (!spool_dir(q, dir, sizeof(dir)) ||
        (size_t)snprintf(final, cap, "%s/%s.%s", dir, h, ext) >= cap)
        return false;
    if (link(q->spool_path, final) != 0 && errno != EEXIST)
        return false;
    unlink(q->spool_path);
    q->spool_path[0] = '\0';
    return true;
}

/* The organisation of a submission: the caller's own, or for the CERT's admins ?org= (none:
 * the CERT's own). False after replying. */
static bool target(struct request *q)
{
    enum MHD_Result ret;
    const char *org = api_org_arg(q, &ret);

    if (org == NULL && q->replied)
        return false;
    snprintf(q->target_org, sizeof(q->target_org), "%s", org ? org : "");
    return true;
}

bool api_logs_open(struct request *q)
{
    return target(q) && spool_open(q);
}

struct collect {
    json_t *sightings;
    json_t *errors;
};

static int on_sighting(void *ctx, const char *json)
{
    struct collect *c = ctx;
    json_t *doc = json_loads(json, 0, NULL);

    return doc == NULL || json_array_append_new(c->sightings, doc) != 0;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct collect *c = ctx;

    if (json_array_size(c->errors) < 100)
        json_array_append_new(c->errors, json_pack("{s:s, s:I, s:s}", "error", ruru_strerror(err),
                                                   "line", (json_int_t)d->line, "message", d->msg));
}

/* Records `sightings` for the request's organisation and replies with what happened. */
static enum MHD_Result
record_reply(struct request *q, struct handles *h, json_t *sightings, json_t *reply)
{
    struct ruru_diag d;
    char *text = json_dumps(sightings, JSON_COMPACT), *res = NULL;
    enum ruru_err err;
    size_t n = json_array_size(sightings);
    json_t *listed;

    if (text == NULL) {
        json_decref(reply);
        return serve_reply_error(q, 500, "out of memory");
    }
    err = ruru_register_record_org(h->reg, h->store, q->target_org[0] ? q->target_org : NULL, text,
                                   strlen(text), &res, &d);
    free(text);
    if (err != RURU_OK) {
        json_decref(reply);
        return serve_reply_lib(q, err, &d);
    }
    atomic_fetch_add(&q->srv->m.sightings, n);
    json_object_set_new(reply, "recorded", json_loads(res, 0, NULL));
    atomic_fetch_add(&q->srv->m.incidents,
                     (uint64_t)json_integer_value(
                             json_object_get(json_object_get(reply, "recorded"), "incidents")));
    ruru_free(res);
    json_object_set_new(reply, "org", q->target_org[0] ? json_string(q->target_org) : json_null());
    json_object_set_new(reply, "sightings_total", json_integer((json_int_t)n));
    listed = json_array();
    for (size_t i = 0; i < n && i < REPLY_SIGHTINGS; i++)
        json_array_append(listed, json_array_get(sightings, i));
    json_object_set_new(reply, "sightings", listed);
    return serve_reply_json(q, 200, reply);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

enum MHD_Result api_logs(struct request *q)
{
    bool bad = false;
    const char *format = serve_arg(q, "format", &bad);
    struct collect c = {json_array(), json_array()};
    struct ruru_scan_opts o;
    char kept[4096];
    const char *path = kept;
    struct ruru_diag d;
    struct handles *h;
    char *summary = NULL;
    enum ruru_err err;
    json_t *reply;
    enum MHD_Result ret;

    if (bad || (format != NULL && strlen(format) > 32)) {
        ret = serve_reply_error(q, 400, "format: a log format's name is needed");
        goto out;
    }
    if (format != NULL && (*format == '\0' || strcmp(format, "auto") == 0))
        format = NULL;
    if (q->spool == NULL || fflush(q->spool) != 0 || fsync(fileno(q->spool)) != 0) {
        ret = serve_reply_error(q, 507, "the log cannot be kept");
        goto out;
    }
    fclose(q->spool);
    q->spool = NULL;
    if (q->body_bytes == 0) {
        ret = serve_reply_error(q, 400, "an empty body: send the log as the request body");
        goto out;
    }
    if (!spool_keep(q, "log", kept, sizeof(kept))) {
        ret = serve_reply_error(q, 507, "the log cannot be kept");
        goto out;
    }
    if ((h = serve_handles_get(q->srv, &d)) == NULL) {
        ret = serve_reply_error(q, 503, "the intel cannot be opened: %s", d.msg);
        goto out;
    }
    memset(&o, 0, sizeof(o));
    o.log_format = format;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.ctx = &c;
    err = ruru_scan(h->store, &path, 1, &o, &summary, &d);
    if (err == RURU_EINVAL || err == RURU_EUNSUPPORTED) {
        ruru_free(summary);
        serve_handles_put(q->srv, h);
        ret = serve_reply_error(q, 400, "%s", d.msg[0] ? d.msg : ruru_strerror(err));
        goto out;
    }
    reply = json_pack("{s:{s:s, s:I}, s:o, s:O}", "submission", "id", base_name(kept), "bytes",
                      (json_int_t)q->body_bytes, "scan",
                      summary ? json_loads(summary, 0, NULL) : json_null(), "errors", c.errors);
    ruru_free(summary);
    ret = record_reply(q, h, c.sightings, reply);
    serve_handles_put(q->srv, h);
out:
    json_decref(c.sightings);
    json_decref(c.errors);
    return ret;
}

enum MHD_Result api_sightings(struct request *q)
{
    char kept[4096];
    struct ruru_diag d;
    struct handles *h;
    char *sightings = NULL, *report = NULL;
    enum ruru_err err;
    json_t *list, *reply;
    enum MHD_Result ret;

    if (!serve_content_is(q, "application/json") && !serve_content_is(q, "application/x-ndjson") &&
        !serve_content_is(q, "application/jsonl") && !serve_content_is(q, "application/stix+json"))
        return serve_reply_error(q, 415,
                                 "Content-Type application/json, application/x-ndjson "
                                 "or application/stix+json is needed");
    if (q->body_len == 0)
        return serve_reply_error(q, 400,
                                 "an empty body: send the sightings as the request "
                                 "body");
    if (!target(q))
        return MHD_YES;
    {
        /* named by the body's SHA-256, as a log is: the same submission is the same file */
        uint8_t digest[SHA256_DIGEST_SIZE];
        char dir[4096], name[2 * SHA256_DIGEST_SIZE + 1];
        sha256_init(&q->sha);
        sha256_update(&q->sha, q->body_len, (const uint8_t *)q->body);
        sha256_digest(&q->sha, sizeof(digest), digest);
        hex(digest, sizeof(digest), name);
        if (!spool_dir(q, dir, sizeof(dir)) ||
            (size_t)snprintf(kept, sizeof(kept), "%s/%s.jsonl", dir, name) >= sizeof(kept))
            return serve_reply_error(q, 507, "the sightings cannot be kept");
    }
    if ((h = serve_handles_get(q->srv, &d)) == NULL)
        return serve_reply_error(q, 503, "the intel cannot be opened: %s", d.msg);
    err = ruru_sightings_submitted(h->store, q->target_org[0] ? q->target_org : NULL, q->body,
                                   q->body_len, kept, &sightings, &report, &d);
    if (err != RURU_OK) {
        serve_handles_put(q->srv, h);
        return serve_reply_lib(q, err, &d);
    }
    list = json_loads(sightings, 0, NULL);
    reply = json_pack("{s:{s:s, s:I}, s:o}", "submission", "id", base_name(kept), "bytes",
                      (json_int_t)q->body_len, "report",
                      report ? json_loads(report, 0, NULL) : json_null());
    ruru_free(sightings);
    ruru_free(report);
    if (list == NULL || reply == NULL) {
        serve_handles_put(q->srv, h);
        json_decref(list);
        json_decref(reply);
        return serve_reply_error(q, 500, "out of memory");
    }
    ret = record_reply(q, h, list, reply);
    serve_handles_put(q->srv, h);
    json_decref(list);
    return ret;
}
