/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The web console of `ruru serve`: the pages a CERT's analysts read (incidents, one incident,
 * the national statistic, actors, intel search), written as HTML from the documents the
 * library gives (docs/serve.md). Pure functions: no I/O, no clock, no global state;
 * the server decides who may see what and hands over documents already filtered for the
 * caller.
 *
 * Every page works without JavaScript and under the Content-Security-Policy the server sends
 * (`default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';
 * frame-ancestors 'none'; base-uri 'none'`): no script, no inline style (neither a style
 * attribute nor a <style> element: the look comes from ruru_console_css, served at
 * /console/style.css), charts are inline SVG with presentation attributes. Every text from
 * logs or intel is escaped (share/html_int.h, ruru_html_esc); names in links are
 * percent-encoded; every POST form carries the session's CSRF token as the hidden field
 * "csrf".
 *
 * Each page function returns a NUL-terminated page the caller frees with ruru_free, or NULL
 * when out of memory (or past the 256 MiB a page may take). Thread-safe: pages share nothing.
 */
#ifndef RURU_SERVE_CONSOLE_H
#define RURU_SERVE_CONSOLE_H

#include <jansson.h>
#include <ruru.h>

/* Who is signed in, as the session says (session.h). */
struct ruru_console_ctx {
    const char *org;  /* the signed-in token's organisation */
    const char *role; /* "read", "submit", "admin" */
    const char
            *csrf; /* this session's CSRF token: every form carries it as a hidden field "csrf" */
};

/* The sign-in form (POST /console/login, fields token and csrf), with `message` (NULL or an
 * error to show) and the login CSRF token (the value the server also sets as a cookie). */
char *ruru_console_login(const char *message, const char *login_csrf);

/* The incidents of `model` (an export model, docs/internals/export-model.md) at or above
 * `severity` (NULL or "": all; a level ruru does not know: none), with the filter form showing
 * the values given back. since, until, actor and org are the server's to apply (ruru_export's
 * options): the page only shows them in the form. */
char *ruru_console_incidents(const struct ruru_console_ctx *c,
                             const json_t *model,
                             const char *severity,
                             const char *since,
                             const char *until,
                             const char *actor,
                             const char *org);

/* One incident: the first of `model`'s incidents (an export model selecting one), with its
 * facts, judgement, competing hypotheses, history, timeline, assets and evidence with each
 * cited record, as the HTML report writes it. */
char *ruru_console_incident(const struct ruru_console_ctx *c, const json_t *model);

/* The national statistic: figures, serious incidents per month (chart and table) and by
 * sponsoring state (chart and table), from two ruru_register_stats documents ("by": "month"
 * and "by": "sponsor"). */
char *ruru_console_stats(const struct ruru_console_ctx *c,
                         const json_t *by_month,
                         const json_t *by_sponsor);

/* The actors (the document of ruru_actors with no name) and one actor (ruru_actors(name)):
 * aliases, sponsor and its claims, techniques, indicators, members, related actors. */
char *ruru_console_actors(const struct ruru_console_ctx *c, const json_t *actors);
char *ruru_console_actor(const struct ruru_console_ctx *c, const json_t *actor);

/* The intel search box (GET /console/search?q=...) and, when q is not NULL, the result: a
 * ruru_intel_search document already filtered for the caller. */
char *ruru_console_search(const struct ruru_console_ctx *c, const char *q, const json_t *result);

/* An error page: the status (404, 403, 500 ...) and a message (escaped). c is NULL when signed
 * out: the page then links to the sign-in form instead of showing the navigation. */
char *ruru_console_error(const struct ruru_console_ctx *c, int status, const char *message);

/* The style sheet of every page, served as text/css at /console/style.css. */
extern const char ruru_console_css[];

#endif
