/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console's frame and its pages about incidents (console.h): every page is the same head
 * (one style sheet by URL, no script), a top bar (navigation, who is signed in, the sign-out
 * form), <main>, and the TLP banner of what it shows. An incident is written by the HTML
 * report's own code (ruru_html_incident_body), so that the report and the console show an
 * incident the same way: facts, judgement, hypotheses, history, timeline, assets, evidence.
 *
 * Nothing from the data reaches an attribute except through ruru_console_attr (escaped as
 * text, quotes included) or a link's path (percent-encoded): no URL is ever taken from the
 * data, so a "javascript:" in intel is text on the page.
 */
#include <string.h>

#include "base/alloc.h"
#include "intel/intel.h"
#include "serve/console_int.h"
#include "share/share.h"

/* A page is the size of what it shows; 256 MiB bounds a register gone wild. */
#define MAX_PAGE_BYTES ((size_t)1 << 28)

const char ruru_console_css[] = RURU_HTML_CSS
        "main{max-width:290mm}\n"
        ".top{background:#1d2733;color:#fff;display:flex;flex-wrap:wrap;gap:4mm;"
        "align-items:center;padding:2mm 6mm}\n"
        ".top nav{display:flex;gap:4mm;flex:1 1 auto}\n"
        ".top a{color:#fff;text-decoration:none}\n"
        ".top a.active{font-weight:bold;border-bottom:.6mm solid #FFC000}\n"
        ".top .who{font-size:9pt;color:#cfd8e3}\n"
        ".top form{margin:0}\n"
        "form.filters{display:flex;flex-wrap:wrap;gap:3mm;align-items:flex-end;margin:2mm 0 4mm}\n"
        "form.filters label,form.login label{display:flex;flex-direction:column;font-size:9pt}\n"
        "form.login{display:flex;flex-direction:column;gap:3mm;max-width:90mm}\n"
        "input,select,button{font:inherit;padding:1mm 2mm}\n"
        "button{cursor:pointer}\n"
        ".message{border-left:1.5mm solid #b00;padding-left:3mm;color:#600}\n"
        ".status{font-size:30pt;font-weight:bold;margin:4mm 0 0}\n";

/* ---- the frame ---------------------------------------------------------------------------- */

void ruru_console_attr(struct ruru_html *h, const char *s)
{
    bool plain = h->plain;

    if (s == NULL)
        return;
    h->plain = true;
    ruru_html_esc(h, s, strlen(s));
    h->plain = plain;
}

void ruru_console_pct(struct ruru_html *h, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char out[3] = {'%', 0, 0};

    for (size_t i = 0; i < len && h->err == RURU_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            h->err = ruru_buf_addc(h->out, (char)c);
        } else {
            out[1] = hex[c >> 4];
            out[2] = hex[c & 15];
            h->err = ruru_buf_add(h->out, out, 3);
        }
    }
}

void ruru_console_actor_link(struct ruru_html *h, const json_t *name)
{
    if (!json_is_string(name) || json_string_length(name) == 0) {
        ruru_html_str(h, name, "\xe2\x80\x94");
        return;
    }
    ruru_html_put(h, "<a href=\"/console/actors/");
    ruru_console_pct(h, json_string_value(name), json_string_length(name));
    ruru_html_put(h, "\">");
    ruru_html_str(h, name, "");
    ruru_html_put(h, "</a>");
}

static const struct {
    const char *key, *href, *text;
} NAV[] = {
        {"incidents", "/console/", "Incidents"},
        {"stats", "/console/stats", "National statistic"},
        {"actors", "/console/actors", "Actors"},
        {"search", "/console/search", "Intel search"},
};

void ruru_console_open(struct ruru_console_page *p,
                       const struct ruru_console_ctx *c,
                       const char *title,
                       const char *active)
{
    struct ruru_html *h = &p->h;

    ruru_buf_init(&p->buf, MAX_PAGE_BYTES);
    h->out = &p->buf;
    h->err = RURU_OK;
    h->plain = false;
    ruru_html_put(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" "
                     "content=\"width=device-width, initial-scale=1\">\n<title>");
    ruru_html_put(h, title);
    ruru_html_put(h, " \xe2\x80\x94 ruru console</title>\n<link rel=\"stylesheet\" "
                     "href=\"/console/style.css\">\n</head>\n<body>\n<header class=\"top\">");
    if (c == NULL) {
        ruru_html_put(h, "<nav><a href=\"/console/login\">Sign in</a></nav>");
    } else {
        ruru_html_put(h, "<nav>");
        for (size_t i = 0; i < sizeof(NAV) / sizeof(NAV[0]); i++)
            ruru_html_putf(h, "<a href=\"%s\"%s>%s</a>", NAV[i].href,
                           active != NULL && strcmp(active, NAV[i].key) == 0 ? " class=\"active\""
                                                                             : "",
                           NAV[i].text);
        ruru_html_put(h, "</nav><span class=\"who\">");
        ruru_html_esc(h, c->org != NULL ? c->org : "", c->org != NULL ? strlen(c->org) : 0);
        ruru_html_put(h, " \xc2\xb7 ");
        ruru_html_esc(h, c->role != NULL ? c->role : "", c->role != NULL ? strlen(c->role) : 0);
        ruru_html_put(h, "</span><form method=\"post\" action=\"/console/logout\"><input "
                         "type=\"hidden\" name=\"csrf\" value=\"");
        ruru_console_attr(h, c->csrf);
        ruru_html_put(h, "\"><button type=\"submit\">Sign out</button></form>");
    }
    ruru_html_put(h, "</header>\n<main>\n");
}

char *ruru_console_close(struct ruru_console_page *p, int rank)
{
    char *page = NULL;

    ruru_html_put(&p->h, "</main>\n");
    if (rank >= 0 && rank < RURU_TLP_LEVELS)
        ruru_html_banner(&p->h, rank, "footer");
    ruru_html_put(&p->h, "</body>\n</html>\n");
    if (p->h.err == RURU_OK)
        page = ruru_buf_detach(&p->buf);
    ruru_buf_fini(&p->buf);
    return page;
}

/* ---- sign-in and errors ------------------------------------------------------------------- */

char *ruru_console_login(const char *message, const char *login_csrf)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;

    ruru_console_open(&p, NULL, "Sign in", NULL);
    ruru_html_put(h, "<h1>Sign in to the ruru console</h1>\n");
    if (message != NULL) {
        ruru_html_put(h, "<p class=\"message\">");
        ruru_html_esc(h, message, strlen(message));
        ruru_html_put(h, "</p>\n");
    }
    ruru_html_put(h, "<form class=\"login\" method=\"post\" action=\"/console/login\">"
                     "<input type=\"hidden\" name=\"csrf\" value=\"");
    ruru_console_attr(h, login_csrf);
    ruru_html_put(h, "\"><label>API token<input type=\"password\" name=\"token\" "
                     "autocomplete=\"off\" required></label><button type=\"submit\">Sign "
                     "in</button></form>\n<p class=\"note\">Sign in with the API token your "
                     "CERT gave you; the session ends when you sign out or leave it unused.</p>\n");
    return ruru_console_close(&p, -1);
}

char *ruru_console_error(const struct ruru_console_ctx *c, int status, const char *message)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;

    ruru_console_open(&p, c, "Error", NULL);
    ruru_html_putf(h, "<p class=\"status\">%d</p>\n<p class=\"message\">", status);
    if (message != NULL)
        ruru_html_esc(h, message, strlen(message));
    ruru_html_put(h, "</p>\n");
    ruru_html_put(h, c != NULL ? "<p><a href=\"/console/\">Back to the incidents</a></p>\n"
                               : "<p><a href=\"/console/login\">Sign in</a></p>\n");
    return ruru_console_close(&p, -1);
}

/* ---- incidents ---------------------------------------------------------------------------- */

static const char *const SEVERITIES[] = {"informational", "low", "medium", "high", "critical"};
#define N_SEVERITIES (sizeof(SEVERITIES) / sizeof(SEVERITIES[0]))

/* The rank of a severity (informational 0 ... critical 4), or -1. */
static int severity_rank(const char *s)
{
    for (size_t i = 0; s != NULL && i < N_SEVERITIES; i++)
        if (strcmp(s, SEVERITIES[i]) == 0)
            return (int)i;
    return -1;
}

/* The most restrictive TLP of the model and the incidents it holds, or -1. */
static int model_rank(const json_t *model)
{
    const json_t *inc;
    size_t i;
    int rank = ruru_html_tlp_of(model);

    json_array_foreach(ruru_html_get(model, "incidents"), i, inc)
    {
        int r = ruru_html_incident_tlp(inc);
        rank = r > rank ? r : rank;
    }
    return rank;
}

static void text_input(struct ruru_html *h, const char *label, const char *name, const char *v)
{
    ruru_html_putf(h, "<label>%s<input type=\"text\" name=\"%s\" value=\"", label, name);
    ruru_console_attr(h, v);
    ruru_html_put(h, "\"></label>");
}

static void filters(struct ruru_html *h,
                    const char *severity,
                    const char *since,
                    const char *until,
                    const char *actor,
                    const char *org)
{
    ruru_html_put(h, "<form class=\"filters\" method=\"get\" action=\"/console/\">");
    text_input(h, "Since (first record)", "since", since);
    text_input(h, "Until", "until", until);
    text_input(h, "Actor", "actor", actor);
    text_input(h, "Organisation", "org", org);
    ruru_html_put(h, "<label>Severity at least<select name=\"severity\"><option value=\"\">any"
                     "</option>");
    for (size_t i = 0; i < N_SEVERITIES; i++)
        ruru_html_putf(h, "<option value=\"%s\"%s>%s</option>", SEVERITIES[i],
                       severity != NULL && strcmp(severity, SEVERITIES[i]) == 0 ? " selected" : "",
                       SEVERITIES[i]);
    ruru_html_put(h, "</select></label><button type=\"submit\">Filter</button></form>\n");
}

static void judgement_short(struct ruru_html *h, const json_t *j)
{
    if (!json_is_object(j)) {
        ruru_html_put(h, "not judged");
        return;
    }
    if (json_is_string(ruru_html_get(j, "actor")))
        ruru_console_actor_link(h, ruru_html_get(j, "actor"));
    else
        ruru_html_put(h, "another actor (unattributed)");
    ruru_html_put(h, ": ");
    ruru_html_str(h, ruru_html_get(j, "words"), "\xe2\x80\x94");
    ruru_html_put(h, " (");
    ruru_html_probability(h, ruru_html_get(j, "probability"));
    ruru_html_put(h, ")");
}

static void incident_row(struct ruru_html *h, const json_t *inc)
{
    const json_t *id = ruru_html_get(inc, "id");

    ruru_html_put(h, "<tr><td>");
    if (json_is_string(id)) {
        ruru_html_put(h, "<a href=\"/console/incidents/");
        ruru_console_pct(h, json_string_value(id), json_string_length(id));
        ruru_html_put(h, "\"><code>");
        ruru_html_str(h, id, "");
        ruru_html_put(h, "</code></a>");
    } else {
        ruru_html_put(h, "\xe2\x80\x94");
    }
    ruru_html_put(h, "</td><td>");
    ruru_html_str(h, ruru_html_get(inc, "org"), "the CERT\xe2\x80\x99s own");
    ruru_html_put(h, "</td><td>");
    ruru_html_str(h, ruru_html_get(inc, "asset"), "\xe2\x80\x94");
    ruru_html_put(h, "</td><td class=\"t\">");
    ruru_html_str(h, ruru_html_get(inc, "first"), "undated");
    ruru_html_put(h, "</td><td class=\"t\">");
    ruru_html_str(h, ruru_html_get(inc, "last"), "undated");
    ruru_html_put(h, "</td><td>");
    ruru_html_str(h, ruru_html_get(inc, "severity"), "\xe2\x80\x94");
    ruru_html_put(h, json_is_true(ruru_html_get(inc, "serious")) ? " (serious)" : "");
    ruru_html_put(h, "</td><td>");
    judgement_short(h, ruru_html_get(inc, "judgement"));
    ruru_html_put(h, "</td><td>");
    ruru_html_badge(h, ruru_html_incident_tlp(inc));
    ruru_html_put(h, "</td></tr>\n");
}

char *ruru_console_incidents(const struct ruru_console_ctx *c,
                             const json_t *model,
                             const char *severity,
                             const char *since,
                             const char *until,
                             const char *actor,
                             const char *org)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    const json_t *incidents = ruru_html_get(model, "incidents"), *inc;
    bool any_severity = severity == NULL || severity[0] == '\0';
    int min = severity_rank(severity);
    size_t i, shown = 0;

    ruru_console_open(&p, c, "Incidents", "incidents");
    ruru_html_put(h, "<h1>Incidents</h1>\n");
    filters(h, severity, since, until, actor, org);
    if (!any_severity && min < 0) {
        ruru_html_put(h, "<p class=\"message\">Unknown severity \xe2\x80\x9c");
        ruru_html_esc(h, severity, strlen(severity));
        ruru_html_put(h, "\xe2\x80\x9d: the levels are informational, low, medium, high and "
                         "critical.</p>\n");
    }
    ruru_html_put(h, "<table><thead><tr><th>Incident</th><th>Organisation</th><th>Asset</th>"
                     "<th>First seen</th><th>Last seen</th><th>Severity</th><th>Judgement</th>"
                     "<th>TLP</th></tr></thead><tbody>\n");
    json_array_foreach(incidents, i, inc)
    {
        if (!any_severity && (min < 0 || severity_rank(ruru_html_sget(inc, "severity")) < min))
            continue;
        incident_row(h, inc);
        shown++;
    }
    ruru_html_put(h, "</tbody></table>\n");
    ruru_html_putf(h, "<p>%zu of %zu incident%s shown.</p>\n", shown, json_array_size(incidents),
                   json_array_size(incidents) == 1 ? "" : "s");
    return ruru_console_close(&p, model_rank(model));
}

char *ruru_console_incident(const struct ruru_console_ctx *c, const json_t *model)
{
    struct ruru_console_page p;
    struct ruru_html *h = &p.h;
    struct ruru_html_page pg;
    const json_t *inc = json_array_get(ruru_html_get(model, "incidents"), 0);
    int rank = model_rank(model);
    enum ruru_err err;

    ruru_console_open(&p, c, "Incident", "incidents");
    if (!json_is_object(inc)) {
        ruru_html_put(h, "<h1>Incident</h1>\n<p>No incident to show.</p>\n");
        return ruru_console_close(&p, rank);
    }
    if (rank >= 0)
        ruru_html_banner(h, rank, "div");
    ruru_html_put(h, "<h1>");
    ruru_html_badge(h, ruru_html_incident_tlp(inc));
    ruru_html_put(h, " Incident <code>");
    ruru_html_str(h, ruru_html_get(inc, "id"), "");
    ruru_html_put(h, "</code></h1>\n<p><a href=\"/console/\">All incidents</a></p>\n"
                     "<section class=\"incident-page\">\n");
    err = ruru_html_page_init(&pg, h, model);
    pg.rank = rank;
    if (err == RURU_OK)
        err = ruru_html_incident_body(&pg, inc, 0);
    ruru_html_page_fini(&pg);
    if (err != RURU_OK && h->err == RURU_OK)
        h->err = err;
    ruru_html_put(h, "</section>\n");
    return ruru_console_close(&p, rank);
}
