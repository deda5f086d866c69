/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One request: its route, its caller, its body within the limits, and the reply. Everything
 * a client sends is attacker-controlled: a path, an argument, a header or a body that is not
 * what the endpoint takes gets a 4xx with a JSON error body (docs/serve.md, "Errors"), never
 * a crash or a hang. The body of a log submission is written to its spool file as it
 * arrives, never held in memory whole; a JSON or text body is held up to max_json bytes, a
 * console form (which anyone may send before signing in) up to 16 KiB.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <unistr.h>

#include "base/alloc.h"
#include "base/time.h"
#include "serve/serve_int.h"

/* ---- replies ------------------------------------------------------------------------------ */

static void free_reply(void *p)
{
    ruru_free(p);
}

static const char *const SECURITY_HEADERS[][2] = {
        {"X-Content-Type-Options", "nosniff"},
        {"Cache-Control", "no-store"},
        {"Referrer-Policy", "no-referrer"},
};

enum MHD_Result
serve_reply_bytes(struct request *q, unsigned status, const char *type, char *bytes, size_t len)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer_with_free_callback(len, bytes, free_reply);
    if (r == NULL) {
        ruru_free(bytes);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    for (size_t i = 0; i < sizeof(SECURITY_HEADERS) / sizeof(SECURITY_HEADERS[0]); i++)
        MHD_add_response_header(r, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"ruru\"");
    if (status == 405)
        MHD_add_response_header(r, "Allow",
                                q->route == R_LOOKUP                              ? "GET, POST"
                                : (q->route == R_LOGS || q->route == R_SIGHTINGS) ? "POST"
                                                                                  : "GET");
    if (atomic_load(&q->srv->stopping) || status == 413 || status == 408)
        MHD_add_response_header(r, "Connection", "close");
    ret = MHD_queue_response(q->conn, status, r);
    MHD_destroy_response(r);
    q->replied = true;
    q->status = status;
    return ret;
}

enum MHD_Result serve_reply_json(struct request *q, unsigned status, json_t *doc)
{
    char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    size_t n;

    json_decref(doc);
    if (text == NULL)
        return serve_reply_error(q, 500, "out of memory");
    n = strlen(text);
    /* a newline at the end, as the command line's documents have */
    char *t = realloc(text, n + 2);
    if (t == NULL) {
        free(text);
        return serve_reply_error(q, 500, "out of memory");
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return serve_reply_bytes(q, status, "application/json", t, n + 1);
}

/* The length of the UTF-8 sequence at p (n bytes left), 0 when none starts there: a lead byte
 * with its continuation bytes, no overlong form, no surrogate, nothing beyond U+10FFFF (what
 * jansson takes in a string). */
static size_t utf8_at(const unsigned char *p, size_t n)
{
    size_t len;
    uint32_t c;

    if (p[0] < 0x80)
        return 1;
    if (p[0] < 0xc2 || p[0] > 0xf4)
        return 0;
    len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
    c = p[0] & (0x7fu >> len);
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return len;
}

/* An error message names what the client sent (a method, a header, a path): every byte that
 * is no part of UTF-8 text, and every control character, becomes '?', so that the message
 * is a JSON string (jansson refuses others) and the error is the one meant, never a 500. */
static void message_text(char *msg)
{
    unsigned char *p = (unsigned char *)msg;
    size_t n = strlen(msg);

    while (n > 0) {
        size_t k = utf8_at(p, n);
        if (k == 0 || (k == 1 && (*p < 0x20 || *p == 0x7f))) {
            *p = '?';
            k = 1;
        }
        p += k;
        n -= k;
    }
}

enum MHD_Result serve_reply_error(struct request *q, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    json_t *doc;
    char *text;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    message_text(msg);
    doc = json_pack("{s:{s:i,s:s}}", "error", "status", (int)status, "message", msg);
    text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(doc);
    if (text == NULL) {
        static char oom[] = "{\"error\":{\"status\":500,\"message\":\"out of memory\"}}";
        struct MHD_Response *r =
                MHD_create_response_from_buffer(sizeof(oom) - 1, oom, MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret = MHD_NO;
        if (r != NULL) {
            MHD_add_response_header(r, "Content-Type", "application/json");
            ret = MHD_queue_response(q->conn, 500, r);
            MHD_destroy_response(r);
        }
        q->replied = true;
        q->status = 500;
        return ret;
    }
    return serve_reply_bytes(q, status, "application/json", text, strlen(text));
}

enum MHD_Result serve_reply_lib(struct request *q, enum ruru_err err, const struct ruru_diag *d)
{
    const char *msg = d != NULL && d->msg[0] ? d->msg : ruru_strerror(err);

    switch (err) {
    case RURU_ENOTFOUND:
        return serve_reply_error(q, 404, "%s", msg);
    case RURU_EINVAL:
    case RURU_EPARSE:
        return serve_reply_error(q, 400, "%s", msg);
    case RURU_ELIMIT:
        return serve_reply_error(q, 413, "%s", msg);
    case RURU_EUNSUPPORTED:
        return serve_reply_error(q, 415, "%s", msg);
    default:
        return serve_reply_error(q, 500, "%s", msg);
    }
}

/* ---- the request's parts ------------------------------------------------------------------ */

const char *serve_arg(struct request *q, const char *name, bool *bad)
{
    const char *v = NULL;
    size_t n = 0;

    if (MHD_lookup_connection_value_n(q->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, &n) !=
        MHD_YES)
        return NULL;
    if (v == NULL)
        return "";
    /* a NUL inside, or bytes that are no UTF-8 text: refused as arguments */
    if (strlen(v) != n || u8_check((const uint8_t *)v, n) != NULL)
        *bad = true;
    return v;
}

bool serve_time_arg(struct request *q, const char *name, int64_t *out, enum MHD_Result *ret)
{
    bool bad = false;
    const char *v = serve_arg(q, name, &bad);

    *out = INT64_MIN;
    if (v == NULL)
        return true;
    if (bad || !ruru_time_from_text(v, out)) {
        *ret = serve_reply_error(q, 400,
                                 "%s: a time is needed (2024-07-12, "
                                 "2024-07-12T01:15:00Z or unix seconds)",
                                 name);
        return false;
    }
    return true;
}

const char *serve_header(struct request *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

bool serve_content_is(struct request *q, const char *type)
{
    const char *v = serve_header(q, "Content-Type");
    size_t n = strlen(type);

    if (v == NULL)
        return false;
    while (*v == ' ')
        v++;
    return strncasecmp(v, type, n) == 0 && (v[n] == '\0' || v[n] == ';' || v[n] == ' ');
}

/* ---- routing ------------------------------------------------------------------------------ */

static enum route route_of(const char *url, const char **rest)
{
    static const struct {
        const char *path;
        enum route r;
    } EXACT[] = {
            {"/healthz", R_HEALTHZ}, {"/metrics", R_METRICS},        {"/v1/lookup", R_LOOKUP},
            {"/v1/logs", R_LOGS},    {"/v1/sightings", R_SIGHTINGS}, {"/v1/incidents", R_INCIDENTS},
            {"/v1/stats", R_STATS},  {"/v1/actors", R_ACTORS},       {"/v1/export", R_EXPORT},
    };

    *rest = NULL;
    for (size_t i = 0; i < sizeof(EXACT) / sizeof(EXACT[0]); i++)
        if (strcmp(url, EXACT[i].path) == 0)
            return EXACT[i].r;
    if (strncmp(url, "/v1/incidents/", 14) == 0 && url[14] != '\0') {
        *rest = url + 14;
        return R_INCIDENT;
    }
    if (strncmp(url, "/v1/actors/", 11) == 0 && url[11] != '\0') {
        *rest = url + 11;
        return R_ACTOR;
    }
    if (strcmp(url, "/") == 0 || strcmp(url, "/console") == 0 ||
        strncmp(url, "/console/", 9) == 0) {
        *rest = url;
        return R_CONSOLE;
    }
    return R_OTHER;
}

static bool method_ok(enum route r, const char *m)
{
    bool get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0, post = strcmp(m, "POST") == 0;

    switch (r) {
    case R_LOOKUP:
        return get || post;
    case R_LOGS:
    case R_SIGHTINGS:
        return post;
    case R_CONSOLE:
    case R_OTHER:
        return get || post;
    default:
        return get;
    }
}

/* The caller of an API request; replies 401/403 and returns false when it may not. */
static bool authorise(struct request *q, enum MHD_Result *ret)
{
    enum ruru_role need = RURU_ROLE_READ;

    if (q->route == R_HEALTHZ)
        return true;
    if (!serve_authenticate(q->srv, serve_header(q, "Authorization"), &q->caller)) {
        *ret = serve_reply_error(q, 401,
                                 "a valid token is needed (Authorization: Bearer "
                                 "TOKEN)");
        return false;
    }
    q->authed = true;
    if (q->route == R_LOGS || q->route == R_SIGHTINGS)
        need = RURU_ROLE_SUBMIT;
    if (q->route == R_METRICS)
        need = RURU_ROLE_ADMIN;
    if (q->caller.role < need) {
        *ret = serve_reply_error(q, 403, "a token of role %s is needed here (this one is %s)",
                                 ruru_role_name(need), ruru_role_name(q->caller.role));
        return false;
    }
    return true;
}

/* The console's forms (a token, a CSRF value) are small, and anyone may send them before
 * signing in: their bodies are held to this. */
#define CONSOLE_MAX_BODY 16384

/* The most bytes the request's body may have. */
static uint64_t body_limit(const struct request *q)
{
    return q->route == R_LOGS      ? q->srv->opts.max_body
           : q->route == R_CONSOLE ? CONSOLE_MAX_BODY
                                   : q->srv->opts.max_json;
}

/* The first call of a request: route, method, caller, and the body's announced size. */
static enum MHD_Result begin(struct request *q, const char *rest)
{
    enum MHD_Result ret = MHD_YES;
    const char *cl, *enc;
    bool post = strcmp(q->method, "POST") == 0;

    (void)rest;
    if (atomic_load(&q->srv->stopping))
        return serve_reply_error(q, 503, "the service is stopping");
    if (q->route == R_OTHER)
        return serve_reply_error(q, 404, "no such endpoint (docs/serve.md lists them)");
    if (!method_ok(q->route, q->method))
        return serve_reply_error(q, 405, "%s is not taken here", q->method);
    if ((cl = serve_header(q, "Content-Length")) != NULL) {
        char *end;
        unsigned long long n = strtoull(cl, &end, 10);
        if (n > body_limit(q))
            return serve_reply_error(q, 413,
                                     "the body is %" PRIu64 " bytes: at most %" PRIu64 " are taken",
                                     (uint64_t)n, body_limit(q));
    }
    if (q->route == R_CONSOLE)
        return MHD_YES; /* the console signs its callers in itself (cookies) */
    if (!authorise(q, &ret))
        return ret;
    if (!post)
        return MHD_YES;
    enc = serve_header(q, "Content-Encoding");
    if (enc != NULL && strcasecmp(enc, "identity") != 0 &&
        !(q->route == R_LOGS && (strcasecmp(enc, "gzip") == 0 || strcasecmp(enc, "zstd") == 0)))
        return serve_reply_error(q, 415,
                                 "Content-Encoding %s is not taken here (logs take "
                                 "gzip and zstd)",
                                 enc);
    if (q->route == R_LOGS) {
        /* curl --data-binary sends application/x-www-form-urlencoded: the bytes are the log
         * all the same; a multipart form wraps the file in parts the sweep would see */
        if (serve_content_is(q, "multipart/form-data"))
            return serve_reply_error(q, 415,
                                     "send the log itself as the request body "
                                     "(curl --data-binary @FILE), not a form");
        if (!api_logs_open(q))
            return q->replied ? MHD_YES : serve_reply_error(q, 500, "cannot spool the log");
    }
    return MHD_YES;
}

/* A piece of the body. */
static void take_body(struct request *q, const char *data, size_t n)
{
    uint64_t max = body_limit(q);

    q->body_bytes += n;
    atomic_fetch_add(&q->srv->m.bytes_in, n);
    if (q->too_large)
        return;
    if (q->body_bytes > max) {
        q->too_large = true;
        return;
    }
    if (q->spool != NULL) {
        sha256_update(&q->sha, n, (const uint8_t *)data);
        if (fwrite(data, 1, n, q->spool) != n)
            q->too_large = true; /* a full disk: answered as a failure at the end */
        return;
    }
    if (q->body_len + n + 1 > q->body_cap) {
        size_t cap = q->body_cap ? q->body_cap : 4096;
        while (cap < q->body_len + n + 1)
            cap *= 2;
        char *b = ruru_realloc(q->body, cap);
        if (b == NULL) {
            q->too_large = true;
            return;
        }
        q->body = b;
        q->body_cap = cap;
    }
    memcpy(q->body + q->body_len, data, n);
    q->body_len += n;
    q->body[q->body_len] = '\0';
}

static enum MHD_Result finish(struct request *q, const char *rest)
{
    if (q->too_large) {
        uint64_t max = body_limit(q);
        if (q->spool != NULL && ferror(q->spool))
            return serve_reply_error(q, 507, "the log cannot be kept: the disk is full");
        return serve_reply_error(q, 413, "the body is larger than the %" PRIu64 " bytes taken here",
                                 max);
    }
    switch (q->route) {
    case R_CONSOLE:
        return console_route(q, rest);
    case R_HEALTHZ:
        return api_healthz(q);
    case R_METRICS:
        return api_metrics(q);
    case R_LOOKUP:
        return strcmp(q->method, "POST") == 0 ? api_lookup_post(q) : api_lookup_get(q);
    case R_LOGS:
        return api_logs(q);
    case R_SIGHTINGS:
        return api_sightings(q);
    case R_INCIDENTS:
        return api_incidents(q);
    case R_INCIDENT:
        return api_incident(q, rest);
    case R_STATS:
        return api_stats(q);
    case R_ACTORS:
        return api_actors(q, NULL);
    case R_ACTOR:
        return api_actors(q, rest);
    case R_EXPORT:
        return api_export(q);
    default:
        return serve_reply_error(q, 404, "no such endpoint");
    }
}

enum MHD_Result serve_dispatch(void *cls,
                               struct MHD_Connection *conn,
                               const char *url,
                               const char *method,
                               const char *version,
                               const char *upload,
                               size_t *upload_size,
                               void **con_cls)
{
    struct ruru_server *s = cls;
    struct request *q = *con_cls;
    const char *rest = NULL;
    enum route r = route_of(url, &rest);

    (void)version;
    if (q == NULL) {
        if ((q = ruru_calloc(1, sizeof(*q))) == NULL)
            return MHD_NO;
        q->srv = s;
        q->conn = conn;
        q->method = method;
        q->url = url;
        q->route = r;
        q->started_us = serve_now_us();
        *con_cls = q;
        atomic_fetch_add(&s->m.in_flight, 1);
        return begin(q, rest);
    }
    if (q->replied) {
        *upload_size = 0; /* answered already: the rest of the body is not read */
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (serve_now_us() - q->started_us > (int64_t)s->opts.request_time * 1000000) {
            *upload_size = 0;
            return serve_reply_error(q, 408, "the request took longer than %u s to arrive",
                                     s->opts.request_time);
        }
        take_body(q, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return finish(q, rest);
}

static void sanitise(char *dst, size_t cap, const char *src)
{
    size_t i = 0;

    for (; src != NULL && *src != '\0' && i + 1 < cap; src++)
        dst[i++] = ((unsigned char)*src < 0x20 || *src == 0x7f || *src == ' ') ? '?' : *src;
    dst[i] = '\0';
}

void serve_completed(void *cls,
                     struct MHD_Connection *conn,
                     void **con_cls,
                     enum MHD_RequestTerminationCode why)
{
    struct ruru_server *s = cls;
    struct request *q = *con_cls;
    int64_t us;

    (void)conn;
    if (q == NULL)
        return;
    us = serve_now_us() - q->started_us;
    metrics_observe(&s->m, q->route, q->status, us);
    if (s->opts.on_log != NULL) {
        char path[256], org[160], line[600];
        const union MHD_ConnectionInfo *ci =
                MHD_get_connection_info(q->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        char addr[64] = "-";
        if (ci != NULL && ci->client_addr != NULL) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof(addr));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
                          sizeof(addr));
        }
        sanitise(path, sizeof(path), q->url);
        sanitise(org, sizeof(org), q->authed || q->caller.console ? q->caller.org : "-");
        snprintf(line, sizeof(line), "%s %s %s %s %u %" PRIu64 " %.3fms%s", addr, org, q->method,
                 path, q->status, q->body_bytes, (double)us / 1000.0,
                 why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut)");
        s->opts.on_log(s->opts.ctx, line);
    }
    if (q->spool != NULL)
        fclose(q->spool);
    /* a temporary spool file left: a submission that did not arrive whole, or was refused */
    if (q->spool_path[0])
        unlink(q->spool_path);
    ruru_free(q->body);
    ruru_free(q);
    *con_cls = NULL;
    atomic_fetch_sub(&s->m.in_flight, 1);
}
