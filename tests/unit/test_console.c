/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The web console's pages (src/serve/console*.c) and sessions (src/serve/session.c). Pages are
 * rendered from fixtures (tests/data/console/: documents of `ruru stats`, `ruru actors` and
 * `ruru intel search` on examples/, and hostile ones) and from the export models of
 * tests/data/share/. Every page: no script, no style element or attribute (the server's
 * Content-Security-Policy allows neither), links only to ruru's own pages, every POST form with
 * the CSRF field, valid UTF-8 without control bytes, and hostile strings only as text. Key
 * pieces are checked exactly. Sessions: create, get, sliding expiry, end, drop by token,
 * eviction of the oldest, cookies that are none (empty, short, long, NUL bytes), CSRF compare.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "check.h"
#include "serve/console.h"
#include "serve/session.h"

#ifndef RURU_OWN_DATA
#define RURU_OWN_DATA "tests/data"
#endif

#define CSRF "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const struct ruru_console_ctx CTX = {"Hospital-B", "read", CSRF};

static json_t *load(const char *name)
{
    char path[512];
    json_error_t e;
    json_t *j;

    snprintf(path, sizeof(path), "%s/%s", RURU_OWN_DATA, name);
    j = json_load_file(path, JSON_ALLOW_NUL, &e);
    if (j == NULL)
        fprintf(stderr, "%s:%d: %s\n", path, e.line, e.text);
    return j;
}

static bool has(const char *page, const char *needle)
{
    return page != NULL && strstr(page, needle) != NULL;
}

static bool has_ci(const char *page, const char *needle)
{
    size_t n = strlen(needle);

    for (const char *p = page; p != NULL && *p != '\0'; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

static size_t count(const char *page, const char *needle)
{
    size_t n = 0;

    for (const char *p = page; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Valid UTF-8 without control bytes but LF and TAB. */
static bool clean_utf8(const char *page)
{
    const unsigned char *p = (const unsigned char *)page;
    size_t i = 0, len = strlen(page);

    while (i < len) {
        unsigned c = p[i], n;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
                return false;
            i++;
            continue;
        }
        n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (n == 0 || c > 0xf4 || i + n > len)
            return false;
        for (unsigned k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* What every page must be: see the file's comment. `csrf` is the value POST forms carry. */
static void check_page(const char *page, const char *csrf)
{
    const char *p;

    CHECK(page != NULL);
    if (page == NULL)
        return;
    CHECK(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
    CHECK(has(page, "<link rel=\"stylesheet\" href=\"/console/style.css\">"));
    CHECK(!has_ci(page, "<script"));
    CHECK(!has_ci(page, "<style"));
    CHECK(!has_ci(page, "style="));
    CHECK(!has_ci(page, "javascript:alert") || !has_ci(page, "href=\"javascript"));
    CHECK(!has_ci(page, "href=\"javascript"));
    CHECK(!has_ci(page, "\"onmouseover"));
    CHECK(!has_ci(page, "</textarea>"));
    CHECK(!has_ci(page, "<iframe") && !has_ci(page, "<img"));
    CHECK(clean_utf8(page));
    CHECK(has(page, "</html>\n"));
    /* every link is to ruru's own pages or to an anchor of this one */
    for (p = strstr(page, "href=\""); p != NULL; p = strstr(p + 6, "href=\""))
        CHECK(strncmp(p + 6, "/console/", 9) == 0 || p[6] == '#');
    /* every form posts to ruru and every POST form carries the CSRF token */
    for (p = strstr(page, "<form"); p != NULL; p = strstr(p + 5, "<form")) {
        const char *end = strstr(p, "</form>");
        char want[128];
        CHECK(end != NULL);
        if (end == NULL)
            break;
        CHECK(strncmp(strstr(p, "action=\""), "action=\"/console/", 17) == 0);
        if (strncmp(strstr(p, "method=\""), "method=\"post\"", 13) != 0)
            continue;
        snprintf(want, sizeof(want), "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf);
        {
            const char *at = strstr(p, want);
            CHECK(at != NULL && at < end);
        }
    }
}

/* The hostile string of the fixtures, as pages must show it in text. */
#define HOSTILE_SHOWN                                                                 \
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(2) "                \
    "x=&#39;&lt;/textarea&gt;&lt;style&gt;*{}&lt;/style&gt;javascript:alert(3)<span " \
    "class=\"ctl\">ESC</span>[31m<span class=\"ctl\">U+202E</span><span class=\"ctl\">DEL</span>"

static void test_incidents(void)
{
    json_t *m = load("share/model-examples.json");
    char *page;

    CHECK(m != NULL);
    page = ruru_console_incidents(&CTX, m, NULL, NULL, NULL, NULL, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "<p>3 of 3 incidents shown.</p>"));
    CHECK(has(page, "<span class=\"who\">Hospital-B \xc2\xb7 read</span>"));
    CHECK(has(page, "<a href=\"/console/\" class=\"active\">Incidents</a>"));
    CHECK(has(page, "<form method=\"post\" action=\"/console/logout\"><input type=\"hidden\" "
                    "name=\"csrf\" value=\"" CSRF "\">"));
    CHECK(has(page, "<a href=\"/console/incidents/ruru-incident--bf5ca37c53700309\">"));
    CHECK(has(page, "<a href=\"/console/actors/APT40\">APT40</a>: likely (79\xc2\xa0%)"));
    CHECK(has(page, "<footer class=\"banner\"><b class=\"tlp-amber\">TLP:AMBER</b>"));
    CHECK(has(page, "<option value=\"\">any</option>"));
    ruru_free(page);
    /* severity filters: at or above the level given */
    page = ruru_console_incidents(&CTX, m, "critical", "2024-07-01", NULL, "APT40", "Hospital-B");
    check_page(page, CSRF);
    CHECK(has(page, "<p>1 of 3 incidents shown.</p>"));
    CHECK(has(page, "<option value=\"critical\" selected>critical</option>"));
    CHECK(has(page, "<input type=\"text\" name=\"since\" value=\"2024-07-01\">"));
    CHECK(has(page, "<input type=\"text\" name=\"org\" value=\"Hospital-B\">"));
    CHECK_INT(count(page, "<tr><td><a href=\"/console/incidents/"), 1);
    ruru_free(page);
    page = ruru_console_incidents(&CTX, m, "high", NULL, NULL, NULL, NULL);
    CHECK(has(page, "<p>2 of 3 incidents shown.</p>"));
    CHECK(!has(page, "(serious)</td>") || count(page, "(serious)</td>") == 2);
    ruru_free(page);
    page = ruru_console_incidents(&CTX, m, "informational", NULL, NULL, NULL, NULL);
    CHECK(has(page, "<p>3 of 3 incidents shown.</p>"));
    ruru_free(page);
    /* a severity ruru does not know shows none, and says so, escaped */
    page = ruru_console_incidents(&CTX, m, "<b>x", "\"><script>", NULL, NULL, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "<p>0 of 3 incidents shown.</p>"));
    CHECK(has(page, "Unknown severity \xe2\x80\x9c&lt;b&gt;x\xe2\x80\x9d"));
    CHECK(has(page, "name=\"since\" value=\"&quot;&gt;&lt;script&gt;\""));
    ruru_free(page);
    /* no model at all: an empty list, not a crash */
    page = ruru_console_incidents(&CTX, NULL, NULL, NULL, NULL, NULL, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "<p>0 of 0 incidents shown.</p>"));
    ruru_free(page);
    json_decref(m);
}

/* The model of incident i alone. */
static json_t *one_incident(json_t *m, size_t i)
{
    json_t *one = json_deep_copy(m), *list = json_array();

    json_array_append(list, json_array_get(json_object_get(m, "incidents"), i));
    json_object_set_new(one, "incidents", list);
    return one;
}

/* `s` escaped as the pages escape the fixture's record texts (quotes, <, >, &). */
static void escape_into(char *out, size_t size, const char *s)
{
    size_t k = 0;

    for (; *s != '\0' && k + 8 < size; s++) {
        const char *r = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\'' ? "&#39;"
                                     : NULL;
        if (r != NULL) {
            memcpy(out + k, r, strlen(r));
            k += strlen(r);
        } else {
            out[k++] = *s;
        }
    }
    out[k] = '\0';
}

static void test_incident(void)
{
    json_t *m = load("share/model-examples.json"), *one, *inc, *s;
    char *page, want[8192];
    size_t i;

    CHECK(m != NULL);
    one = one_incident(m, 0);
    inc = json_array_get(json_object_get(one, "incidents"), 0);
    page = ruru_console_incident(&CTX, one);
    check_page(page, CSRF);
    CHECK(has(page, "<h1><span class=\"badge tlp-amber\">TLP:AMBER</span> Incident <code>"));
    CHECK(has(page, "<div class=\"banner\"><b class=\"tlp-amber\">TLP:AMBER</b>"));
    CHECK(has(page, "<p class=\"judgement\">It is <b>likely</b> (79\xc2\xa0%) that <b>APT40</b> "
                    "is behind this incident, an actor sponsored by the state of <b>China</b>. "
                    "Analytic confidence: <b>moderate</b>.</p>"));
    CHECK(has(page, "<tr><td><a href=\"#incident-1-e1\">E1</a> ip: 203.0.113.45</td><td "
                    "class=\"n\">0</td><td class=\"consistent\">consistent \xc3\x97"
                    "2.93</td><td class=\"inconsistent\">inconsistent \xc3\x97"
                    "1.00</td></tr>"));
    CHECK(has(page, "<div class=\"evidence\" id=\"incident-1-e1\"><h4>E1. ip: "
                    "<code>203.0.113.45</code></h4>"));
    CHECK(has(page, "<h3>Timeline</h3>"));
    /* the cited line: the record of E1 (access.log, offset 138) as text */
    json_array_foreach(json_object_get(inc, "sightings"), i, s)
    {
        json_t *log = json_object_get(s, "log");
        if (json_integer_value(json_object_get(log, "offset")) == 138) {
            char text[4096];
            escape_into(
                    text, sizeof(text),
                    json_string_value(json_object_get(json_object_get(s, "event"), "original")));
            snprintf(want, sizeof(want), "<pre class=\"record\">%s</pre>", text);
        }
    }
    CHECK(has(page, "Record <code>examples/logs/access.log</code>, line 2 (111 bytes at offset "
                    "138)"));
    CHECK(has(page, want));
    CHECK(has(page, "&quot;GET /wp-login.php HTTP/1.1&quot; 404 512"));
    ruru_free(page);
    json_decref(one);
    /* a model with no incident, or none at all */
    page = ruru_console_incident(&CTX, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "<p>No incident to show.</p>"));
    ruru_free(page);
    json_decref(m);
}

static void test_hostile_model(void)
{
    json_t *m = load("share/model-hostile.json"), *one;
    char *page;

    CHECK(m != NULL);
    page = ruru_console_incidents(&CTX, m, NULL, NULL, NULL, NULL, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "&lt;"));
    CHECK(has(page, "<footer class=\"banner\"><b class=\"tlp-red\">TLP:RED</b>"));
    ruru_free(page);
    for (size_t i = 0; i < json_array_size(json_object_get(m, "incidents")); i++) {
        one = one_incident(m, i);
        page = ruru_console_incident(&CTX, one);
        check_page(page, CSRF);
        if (i == 0)
            CHECK(has(page, "Bear&lt;svg onload=alert(1)&gt; (sponsored by "
                            "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;)"));
        ruru_free(page);
        json_decref(one);
    }
    json_decref(m);
}

static void test_stats(void)
{
    json_t *mo = load("console/by_month.json"), *sp = load("console/by_sponsor.json");
    char *page = ruru_console_stats(&CTX, mo, sp);

    check_page(page, CSRF);
    CHECK(has(page, "<a href=\"/console/stats\" class=\"active\">National statistic</a>"));
    CHECK(has(page, "<div class=\"figure\"><b>2</b>serious incidents</div>"));
    CHECK(has(page, "<p class=\"statistic\">100\xc2\xa0% of serious incidents (2 of 2) carry "
                    "indicators linked to state-sponsored actors.</p>"));
    CHECK(has(page, "<title>2024-07, with state-sponsored actors\xe2\x80\x99 indicators: "
                    "2</title>"));
    CHECK(has(page, "<tr><td>2024-07</td><td class=\"n\">2</td><td class=\"n\">0</td><td "
                    "class=\"n\">2</td></tr>"));
    CHECK(has(page, "<tr><td>China</td><td class=\"n\">2</td><td class=\"n\">2</td></tr>"));
    CHECK_INT(count(page, "<svg "), 2);
    ruru_free(page);
    json_decref(mo);
    json_decref(sp);
    mo = load("console/by_month-hostile.json");
    sp = load("console/by_sponsor-hostile.json");
    page = ruru_console_stats(&CTX, mo, sp);
    check_page(page, CSRF);
    CHECK(has(page, HOSTILE_SHOWN));
    /* in SVG text controls are written as escapes, never markup */
    CHECK(has(page, "javascript:alert(3)\\x1B[31m\\u202E\\x7F"));
    /* a count below 0 is 0, one past a billion is a billion */
    CHECK(has(page, "<td class=\"n\">1000000000</td><td class=\"n\">0</td>"));
    ruru_free(page);
    /* no documents: figures are dashes */
    page = ruru_console_stats(&CTX, NULL, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "No serious incident: there is no share to give."));
    ruru_free(page);
    json_decref(mo);
    json_decref(sp);
}

static void test_actors(void)
{
    json_t *a = load("console/actors.json"), *one = load("console/actor.json");
    char *page = ruru_console_actors(&CTX, a);

    check_page(page, CSRF);
    CHECK(has(page, "<tr><td><a href=\"/console/actors/APT40\">APT40</a></td><td>Bronze Mohawk, "
                    "Gingham Typhoon, Kryptonite Panda, Leviathan</td><td>China (CN)</td><td>"
                    "intel</td><td class=\"n\">14</td></tr>"));
    ruru_free(page);
    page = ruru_console_actor(&CTX, one);
    check_page(page, CSRF);
    CHECK(has(page, "<h1>APT40</h1>\n<p>Sponsor: China (CN).</p>"));
    CHECK(has(page, "<tr><td><code>T1190</code></td><td>Exploit Public-Facing Application</td>"
                    "<td>APT40</td></tr>"));
    CHECK(has(page, "<tr><td>Leviathan</td><td>intel (misp-galaxy:threat-actor: APT40)<br>intel "
                    "(intrusion-set: APT40)</td></tr>"));
    CHECK(has(page, "<p>14 indicators tied to this actor: ipv4 3, cidr4 1,"));
    ruru_free(page);
    json_decref(a);
    json_decref(one);
    a = load("console/actors-hostile.json");
    one = load("console/actor-hostile.json");
    page = ruru_console_actors(&CTX, a);
    check_page(page, CSRF);
    CHECK(has(page, HOSTILE_SHOWN));
    /* a name in a link is percent-encoded, and its text escaped */
    CHECK(has(page, "<a href=\"/console/actors/%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22"));
    CHECK(has(page, "<a href=\"/console/actors/javascript%3Aalert%284%29\">javascript:alert(4)"
                    "</a>"));
    ruru_free(page);
    page = ruru_console_actor(&CTX, one);
    check_page(page, CSRF);
    CHECK(has(page, "<h1>" HOSTILE_SHOWN "</h1>"));
    CHECK(has(page, "<p class=\"message\">Several actors claim the name"));
    ruru_free(page);
    json_decref(a);
    json_decref(one);
    /* no actor */
    a = json_pack("{s:s, s:[]}", "query", "Nobody", "actors");
    page = ruru_console_actor(&CTX, a);
    check_page(page, CSRF);
    CHECK(has(page, "<h1>No actor named \xe2\x80\x9cNobody\xe2\x80\x9d</h1>"));
    ruru_free(page);
    json_decref(a);
}

static void test_search(void)
{
    json_t *r = load("console/search.json");
    char *page = ruru_console_search(&CTX, NULL, NULL);

    check_page(page, CSRF);
    CHECK(has(page, "<form class=\"filters\" method=\"get\" action=\"/console/search\">"));
    CHECK(has(page, "name=\"q\" value=\"\""));
    CHECK(!has(page, "<table>"));
    ruru_free(page);
    page = ruru_console_search(&CTX, "mail.examplebank-update.example", r);
    check_page(page, CSRF);
    CHECK(has(page, "name=\"q\" value=\"mail.examplebank-update.example\""));
    CHECK(has(page, "<tr><td>domain: <code>examplebank-update.example</code><br>matched on "
                    "parent domain<br>Command and control domain</td>"));
    CHECK(has(page, "<a href=\"/console/actors/APT40\">APT40</a> (China)"));
    CHECK(has(page, "<b>not in force</b>: expired"));
    CHECK(has(page, "<footer class=\"banner\"><b class=\"tlp-amber\">TLP:AMBER</b>"));
    ruru_free(page);
    json_decref(r);
    r = load("console/search-hostile.json");
    page = ruru_console_search(&CTX, "\"><script>alert(1)</script>", r);
    check_page(page, CSRF);
    CHECK(has(page, HOSTILE_SHOWN));
    CHECK(has(page, "name=\"q\" value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    CHECK(has(page, "<footer class=\"banner\"><b class=\"tlp-red\">TLP:RED</b>"));
    ruru_free(page);
    json_decref(r);
}

static void test_login_error_css(void)
{
    char *page = ruru_console_login("bad token <b>\x1b", "abc\"def");

    check_page(page, "abc&quot;def");
    CHECK(has(page, "<p class=\"message\">bad token &lt;b&gt;<span class=\"ctl\">ESC</span></p>"));
    CHECK(has(page, "<form class=\"login\" method=\"post\" action=\"/console/login\">"));
    CHECK(has(page, "<input type=\"password\" name=\"token\" autocomplete=\"off\" required>"));
    CHECK(!has(page, "/console/logout"));
    ruru_free(page);
    page = ruru_console_login(NULL, CSRF);
    check_page(page, CSRF);
    CHECK(!has(page, "class=\"message\""));
    ruru_free(page);
    page = ruru_console_error(NULL, 404, "no incident <x>");
    check_page(page, CSRF);
    CHECK(has(page, "<p class=\"status\">404</p>\n<p class=\"message\">no incident &lt;x&gt;</p>"));
    CHECK(has(page, "<a href=\"/console/login\">Sign in</a>"));
    ruru_free(page);
    page = ruru_console_error(&CTX, 403, NULL);
    check_page(page, CSRF);
    CHECK(has(page, "/console/logout"));
    ruru_free(page);
    CHECK(!has_ci(ruru_console_css, "url("));
    CHECK(!has_ci(ruru_console_css, "@import"));
    CHECK(!has_ci(ruru_console_css, "expression("));
    CHECK(has(ruru_console_css, ".top{"));
    CHECK(has(ruru_console_css, ".tlp-red{color:#FF2B2B}"));
}

/* Out of memory anywhere: NULL, no leak (ASan), no crash. */
static void test_oom(void)
{
    json_t *m = load("share/model-examples.json"), *one = one_incident(m, 1);
    json_t *mo = load("console/by_month.json"), *sp = load("console/by_sponsor.json");
    size_t nulls = 0;

    for (uint64_t n = 1; n < 400; n++) {
        char *pages[3];
        ruru_alloc_fail_at(n);
        pages[0] = ruru_console_incident(&CTX, one);
        ruru_alloc_fail_at(n);
        pages[1] = ruru_console_stats(&CTX, mo, sp);
        ruru_alloc_fail_at(n);
        pages[2] = ruru_console_incidents(&CTX, m, NULL, NULL, NULL, NULL, NULL);
        ruru_alloc_fail_at(0);
        for (int k = 0; k < 3; k++) {
            nulls += pages[k] == NULL;
            if (pages[k] != NULL)
                check_page(pages[k], CSRF);
            ruru_free(pages[k]);
        }
    }
    CHECK(nulls > 0);
    json_decref(m);
    json_decref(one);
    json_decref(mo);
    json_decref(sp);
}

/* ---- sessions ----------------------------------------------------------------------------- */

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void test_sessions(void)
{
    struct ruru_sessions *s = ruru_sessions_new(3, 100);
    char sid[65], csrf[65], sid2[65], csrf2[65], org[129], role[16], tok[17], cs[65];
    char sids[5][65], bad[200];

    CHECK(s != NULL);
    CHECK(ruru_sessions_new(0, 100) == NULL);
    CHECK(ruru_sessions_new(1, 0) == NULL);
    CHECK_INT(ruru_session_create(s, "tok-a", "Hospital-B", "read", 1000, sid, csrf), RURU_OK);
    CHECK(is_hex64(sid) && is_hex64(csrf) && strcmp(sid, csrf) != 0);
    CHECK_INT(ruru_session_create(s, "tok-b", "CERT", "admin", 1000, sid2, csrf2), RURU_OK);
    CHECK(strcmp(sid, sid2) != 0 && strcmp(csrf, csrf2) != 0);
    CHECK(ruru_session_get(s, sid, 64, 1050, org, role, tok, cs));
    CHECK_STR(org, "Hospital-B");
    CHECK_STR(role, "read");
    CHECK_STR(tok, "tok-a");
    CHECK_STR(cs, csrf);
    /* sliding: used at 1050, it lives to 1150 */
    CHECK(ruru_session_get(s, sid, 64, 1149, org, role, tok, cs));
    CHECK(!ruru_session_get(s, sid2, 64, 1100, org, role, tok, cs)); /* 1000 + 100: expired */
    CHECK_STR(org, "");
    CHECK(!ruru_session_get(s, sid2, 64, 1000, org, role, tok, cs)); /* and dropped */
    /* bad cookies: empty, short, long, NUL bytes, one digit off, upper case */
    CHECK(!ruru_session_get(s, "", 0, 1100, org, role, tok, cs));
    CHECK(!ruru_session_get(s, NULL, 0, 1100, org, role, tok, cs));
    CHECK(!ruru_session_get(s, sid, 63, 1100, org, role, tok, cs));
    memset(bad, 0, sizeof(bad));
    memcpy(bad, sid, 64);
    CHECK(!ruru_session_get(s, bad, 65, 1100, org, role, tok, cs));
    CHECK(!ruru_session_get(s, bad, 128, 1100, org, role, tok, cs));
    memset(bad, 0, sizeof(bad));
    CHECK(!ruru_session_get(s, bad, 64, 1100, org, role, tok, cs)); /* 64 NUL bytes */
    memcpy(bad, sid, 64);
    bad[10] = '\0';
    CHECK(!ruru_session_get(s, bad, 64, 1100, org, role, tok, cs));
    memcpy(bad, sid, 64);
    bad[63] = bad[63] == '0' ? '1' : '0';
    CHECK(!ruru_session_get(s, bad, 64, 1100, org, role, tok, cs));
    CHECK(ruru_session_get(s, sid, 64, 1100, org, role, tok, cs)); /* still there */
    /* too long or missing values are refused */
    CHECK_INT(ruru_session_create(s, "12345678901234567", "o", "read", 1, sid2, csrf2),
              RURU_EINVAL);
    CHECK_INT(ruru_session_create(s, "t", "o", "a-role-too-long!", 1, sid2, csrf2), RURU_EINVAL);
    CHECK_INT(ruru_session_create(s, "t", NULL, "read", 1, sid2, csrf2), RURU_EINVAL);
    /* end */
    ruru_session_end(s, sid, 64);
    CHECK(!ruru_session_get(s, sid, 64, 1100, org, role, tok, cs));
    ruru_session_end(s, "nothing", 7);
    /* eviction: past 3, the oldest goes */
    for (int i = 0; i < 5; i++)
        CHECK_INT(ruru_session_create(s, i < 2 ? "tok-x" : "tok-y", "O", "submit", 2000 + i,
                                      sids[i], csrf),
                  RURU_OK);
    CHECK(!ruru_session_get(s, sids[0], 64, 2010, org, role, tok, cs));
    CHECK(!ruru_session_get(s, sids[1], 64, 2010, org, role, tok, cs));
    for (int i = 2; i < 5; i++)
        CHECK(ruru_session_get(s, sids[i], 64, 2010, org, role, tok, cs));
    /* an expired session's slot goes before the oldest live one */
    CHECK_INT(ruru_session_create(s, "tok-z", "O", "read", 2105, sid2, csrf2), RURU_OK);
    /* all three were used at 2010: at 2105 they live; the oldest (sids[2]) went */
    CHECK(!ruru_session_get(s, sids[2], 64, 2106, org, role, tok, cs));
    CHECK(ruru_session_get(s, sids[3], 64, 2106, org, role, tok, cs));
    /* drop a token's sessions */
    ruru_sessions_drop_token(s, "tok-y");
    CHECK(!ruru_session_get(s, sids[3], 64, 2107, org, role, tok, cs));
    CHECK(!ruru_session_get(s, sids[4], 64, 2107, org, role, tok, cs));
    CHECK(ruru_session_get(s, sid2, 64, 2107, org, role, tok, cs));
    CHECK_STR(tok, "tok-z");
    ruru_sessions_free(s);
    ruru_sessions_free(NULL);
    /* CSRF compare */
    CHECK(ruru_session_csrf_ok(CSRF, CSRF, 64));
    CHECK(!ruru_session_csrf_ok(CSRF, CSRF, 63));
    CHECK(!ruru_session_csrf_ok(CSRF, CSRF "0", 65));
    CHECK(!ruru_session_csrf_ok(CSRF, "", 0));
    CHECK(!ruru_session_csrf_ok(CSRF, NULL, 0));
    CHECK(!ruru_session_csrf_ok(NULL, CSRF, 64));
    CHECK(!ruru_session_csrf_ok("", "", 0));
    CHECK(!ruru_session_csrf_ok("abc", "abc", 3));
    memcpy(bad, CSRF, 65);
    bad[0] = 'f';
    CHECK(!ruru_session_csrf_ok(CSRF, bad, 64));
    CHECK_INT(ruru_session_random_hex(sid), RURU_OK);
    CHECK_INT(ruru_session_random_hex(sid2), RURU_OK);
    CHECK(is_hex64(sid) && is_hex64(sid2) && strcmp(sid, sid2) != 0);
}

int main(void)
{
    test_incidents();
    test_incident();
    test_hostile_model();
    test_stats();
    test_actors();
    test_search();
    test_login_error_css();
    test_oom();
    test_sessions();
    return check_done();
}
