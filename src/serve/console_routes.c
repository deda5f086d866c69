/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console's routes (docs/serve.md, "The console"): server-rendered pages (console*.c)
 * over the same library calls as the API, for the same tokens. Signing in takes a token in a
 * form and gives a session: an HttpOnly, SameSite=Strict cookie (Secure under TLS) holding
 * 256 random bits, and a CSRF value every form carries back. The login form itself carries
 * a value also set as a short-lived cookie (double submit), so another site cannot sign a
 * browser in. A session ends at logout, after 8 idle hours, or when its token is revoked.
 * Every page is sent with a Content-Security-Policy that allows no script at all.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "serve/console.h"
#include "serve/serve_int.h"
#include "serve/session.h"

static const char CSP[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

#define SESSION_COOKIE "ruru_session"
#define LOGIN_COOKIE   "ruru_login"

/* Sends `html` (taken) with the console's headers and, when set, a cookie. */
static enum MHD_Result page(struct request *q, unsigned status, char *html, const char *cookie)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (html == NULL)
        return serve_reply_error(q, 500, "out of memory");
    r = MHD_create_response_from_buffer_with_free_callback(strlen(html), html, ruru_free);
    if (r == NULL) {
        ruru_free(html);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Content-Security-Policy", CSP);
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (cookie != NULL)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    ret = MHD_queue_response(q->conn, status, r);
    MHD_destroy_response(r);
    q->replied = true;
    q->status = status;
    return ret;
}

static enum MHD_Result redirect(struct request *q, const char *to, const char *cookie)
{
    static char empty[1];
    struct MHD_Response *r = MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Location", to);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (cookie != NULL)
        MHD_add_response_header(r, "Set-Cookie", cookie);
    ret = MHD_queue_response(q->conn, 303, r);
    MHD_destroy_response(r);
    q->replied = true;
    q->status = 303;
    return ret;
}

static void cookie_text(struct request *q,
                        char *buf,
                        size_t cap,
                        const char *name,
                        const char *value,
                        int64_t max_age)
{
    snprintf(buf, cap, "%s=%s; Path=/console; HttpOnly; SameSite=Strict; Max-Age=%" PRId64 "%s",
             name, value, max_age, q->srv->tls_cert != NULL ? "; Secure" : "");
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The value of field `name` of the urlencoded form body, decoded into buf. */
static bool form_field(struct request *q, const char *name, char *buf, size_t cap)
{
    const char *p = q->body ? q->body : "", *end = p + q->body_len;
    size_t nl = strlen(name);

    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *e = amp ? amp : end;
        if ((size_t)(e - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t n = 0;
            for (const char *v = p + nl + 1; v < e; v++) {
                int c = (unsigned char)*v;
                if (c == '+') {
                    c = ' ';
                } else if (c == '%' && e - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
                    c = hexval(v[1]) * 16 + hexval(v[2]);
                    v += 2;
                }
                if (c == 0 || n + 1 >= cap)
                    return false;
                buf[n++] = (char)c;
            }
            buf[n] = '\0';
            return true;
        }
        p = e + 1;
    }
    return false;
}

static enum MHD_Result login_page(struct request *q, unsigned status, const char *message)
{
    char value[RURU_SESSION_HEX + 1], cookie[256];

    if (ruru_session_random_hex(value) != RURU_OK)
        return serve_reply_error(q, 500, "no randomness");
    cookie_text(q, cookie, sizeof(cookie), LOGIN_COOKIE, value, 600);
    return page(q, status, ruru_console_login(message, value), cookie);
}

static enum MHD_Result login(struct request *q)
{
    const char *want = MHD_lookup_connection_value(q->conn, MHD_COOKIE_KIND, LOGIN_COOKIE);
    char csrf[80], tok[256], sid[65], scsrf[65], cookie[256];
    struct caller c;

    if (!serve_content_is(q, "application/x-www-form-urlencoded") ||
        !form_field(q, "csrf", csrf, sizeof(csrf)) || want == NULL ||
        !ruru_session_csrf_ok(want, csrf, strlen(csrf)))
        return login_page(q, 403, "The form had expired: please sign in again.");
    if (!form_field(q, "token", tok, sizeof(tok)) ||
        !serve_token_caller(q->srv, tok, strlen(tok), &c))
        return login_page(q, 401, "That token is not valid.");
    if (ruru_session_create(q->srv->sessions, c.token_id, c.org, ruru_role_name(c.role),
                            (int64_t)time(NULL), sid, scsrf) != RURU_OK)
        return serve_reply_error(q, 500, "out of memory");
    cookie_text(q, cookie, sizeof(cookie), SESSION_COOKIE, sid, 8 * 3600);
    return redirect(q, "/console/", cookie);
}

/* The signed-in caller of a console request; false when there is none (or its token was
 * revoked since). */
static bool session(struct request *q, struct ruru_console_ctx *ctx, char *sid_out, size_t cap)
{
    const char *sid = MHD_lookup_connection_value(q->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    char role[16];

    if (sid == NULL || !ruru_session_get(q->srv->sessions, sid, strlen(sid), (int64_t)time(NULL),
                                         q->caller.org, role, q->caller.token_id, q->caller.csrf))
        return false;
    if (!serve_token_live(q->srv, q->caller.token_id)) {
        ruru_sessions_drop_token(q->srv->sessions, q->caller.token_id);
        return false;
    }
    q->caller.role = ruru_role_parse(role);
    q->caller.console = true;
    ctx->org = q->caller.org;
    ctx->role = ruru_role_name(q->caller.role);
    ctx->csrf = q->caller.csrf;
    snprintf(sid_out, cap, "%s", sid);
    return true;
}

static const char *arg(struct request *q, const char *name)
{
    bool bad = false;
    const char *v = serve_arg(q, name, &bad);

    return bad || v == NULL || *v == '\0' ? NULL : v;
}

static enum MHD_Result
error_page(struct request *q, const struct ruru_console_ctx *c, unsigned status, const char *msg)
{
    return page(q, status, ruru_console_error(c, (int)status, msg), NULL);
}

/* The export model of what the caller may see, with the page's filters. */
static enum MHD_Result
incidents(struct request *q, const struct ruru_console_ctx *c, const char *id)
{
    struct ruru_export_opts o;
    const char *org = arg(q, "org");
    char *out = NULL, *sum = NULL;
    size_t len = 0;
    struct ruru_diag d;
    enum ruru_err err;
    json_t *model;
    char *html;

    memset(&o, 0, sizeof(o));
    o.format = "json";
    o.since = o.until = INT64_MIN;
    if ((arg(q, "since") && !ruru_time_from_text(arg(q, "since"), &o.since)) ||
        (arg(q, "until") && !ruru_time_from_text(arg(q, "until"), &o.until)))
        return error_page(q, c, 400, "since and until take a date (2024-07-12) or a time.");
    o.actor = arg(q, "actor");
    if (q->caller.role != RURU_ROLE_ADMIN) {
        if (org != NULL && strcmp(org, q->caller.org) != 0)
            return error_page(q, c, 403, "A constituent sees its own incidents only.");
        org = q->caller.org;
    }
    o.org = org;
    o.tlp_max = serve_tlp_max(&q->caller);
    if (id != NULL) {
        o.incidents = &id;
        o.n_incidents = 1;
    }
    err = serve_export_run(q, &o, &out, &len, &sum, &d);
    ruru_free(sum);
    if (err == RURU_ENOTFOUND)
        return error_page(q, c, 404, "No such incident.");
    if (err != RURU_OK)
        return error_page(q, c, err == RURU_EINVAL ? 400 : 500, d.msg);
    model = json_loadb(out, len, 0, NULL);
    ruru_free(out);
    if (model == NULL)
        return error_page(q, c, 500, "Out of memory.");
    if (id != NULL && json_array_size(json_object_get(model, "incidents")) == 0) {
        json_decref(model);
        return error_page(q, c, 404, "No such incident.");
    }
    html = id != NULL ? ruru_console_incident(c, model)
                      : ruru_console_incidents(c, model, arg(q, "severity"), arg(q, "since"),
                                               arg(q, "until"), o.actor, org);
    json_decref(model);
    return page(q, 200, html, NULL);
}

static enum MHD_Result stats(struct request *q, const struct ruru_console_ctx *c)
{
    struct ruru_diag d;
    struct handles *h = serve_handles_get(q->srv, &d);
    char *month = NULL, *sponsor = NULL;
    enum ruru_err err;
    json_t *m, *s;
    char *html;

    if (h == NULL)
        return error_page(q, c, 503, d.msg);
    err = ruru_register_stats(h->reg, INT64_MIN, INT64_MIN, "month", &month, &d);
    if (err == RURU_OK)
        err = ruru_register_stats(h->reg, INT64_MIN, INT64_MIN, "sponsor", &sponsor, &d);
    serve_handles_put(q->srv, h);
    if (err != RURU_OK) {
        ruru_free(month);
        return error_page(q, c, 500, d.msg);
    }
    m = json_loads(month, 0, NULL);
    s = json_loads(sponsor, 0, NULL);
    ruru_free(month);
    ruru_free(sponsor);
    html = m && s ? ruru_console_stats(c, m, s) : NULL;
    json_decref(m);
    json_decref(s);
    return page(q, 200, html, NULL);
}

static enum MHD_Result actors(struct request *q, const struct ruru_console_ctx *c, const char *name)
{
    struct ruru_diag d;
    struct handles *h = serve_handles_get(q->srv, &d);
    char *out = NULL, *html;
    enum ruru_err err;
    json_t *doc;

    if (h == NULL)
        return error_page(q, c, 503, d.msg);
    err = ruru_actors(h->store, name, &out, &d);
    serve_handles_put(q->srv, h);
    if (err == RURU_ENOTFOUND)
        return error_page(q, c, 404, "No actor of that name.");
    if (err != RURU_OK)
        return error_page(q, c, 500, d.msg);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    html = doc == NULL    ? NULL
           : name != NULL ? ruru_console_actor(c, doc)
                          : ruru_console_actors(c, doc);
    json_decref(doc);
    return page(q, 200, html, NULL);
}

static enum MHD_Result search(struct request *q, const struct ruru_console_ctx *c)
{
    const char *value = arg(q, "q");
    struct ruru_diag d;
    struct handles *h;
    json_t *doc = NULL;
    enum ruru_err err;
    char *html;

    if (value == NULL)
        return page(q, 200, ruru_console_search(c, NULL, NULL), NULL);
    if (strlen(value) > 8192)
        return error_page(q, c, 413, "A value of at most 8192 bytes is taken.");
    if ((h = serve_handles_get(q->srv, &d)) == NULL)
        return error_page(q, c, 503, d.msg);
    err = api_search(q, h, value, &doc, &d);
    serve_handles_put(q->srv, h);
    if (err != RURU_OK)
        return error_page(q, c, 400, d.msg);
    html = ruru_console_search(c, value, doc);
    json_decref(doc);
    return page(q, 200, html, NULL);
}

enum MHD_Result console_route(struct request *q, const char *path)
{
    struct ruru_console_ctx c;
    char sid[128], csrf[80], cookie[256];
    bool post = strcmp(q->method, "POST") == 0;

    memset(&c, 0, sizeof(c));
    if (strcmp(path, "/") == 0 || strcmp(path, "/console") == 0)
        return redirect(q, "/console/", NULL);
    if (strcmp(path, "/console/style.css") == 0) {
        size_t n = strlen(ruru_console_css);
        char *css = ruru_malloc(n + 1);
        if (css == NULL)
            return MHD_NO;
        memcpy(css, ruru_console_css, n + 1);
        return serve_reply_bytes(q, 200, "text/css; charset=utf-8", css, n);
    }
    if (strcmp(path, "/console/login") == 0)
        return post ? login(q) : login_page(q, 200, NULL);
    if (!session(q, &c, sid, sizeof(sid)))
        return post ? login_page(q, 401, "Please sign in.") : redirect(q, "/console/login", NULL);
    if (post) {
        /* every form that changes something carries the session's CSRF value */
        if (!serve_content_is(q, "application/x-www-form-urlencoded") ||
            !form_field(q, "csrf", csrf, sizeof(csrf)) ||
            !ruru_session_csrf_ok(q->caller.csrf, csrf, strlen(csrf)))
            return error_page(q, &c, 403, "The form's CSRF value is missing or wrong.");
        if (strcmp(path, "/console/logout") == 0) {
            ruru_session_end(q->srv->sessions, sid, strlen(sid));
            cookie_text(q, cookie, sizeof(cookie), SESSION_COOKIE, "", 0);
            return redirect(q, "/console/login", cookie);
        }
        return error_page(q, &c, 405, "Nothing to post here.");
    }
    if (strcmp(path, "/console/") == 0)
        return incidents(q, &c, NULL);
    if (strncmp(path, "/console/incidents/", 19) == 0 && path[19] != '\0' && strlen(path) < 300)
        return incidents(q, &c, path + 19);
    if (strcmp(path, "/console/stats") == 0)
        return stats(q, &c);
    if (strcmp(path, "/console/actors") == 0)
        return actors(q, &c, NULL);
    if (strncmp(path, "/console/actors/", 16) == 0 && path[16] != '\0' && strlen(path) < 600)
        return actors(q, &c, path + 16);
    if (strcmp(path, "/console/search") == 0)
        return search(q, &c);
    return error_page(q, &c, 404, "No such page.");
}
