/* SPDX-License-Identifier: Apache-2.0 */
/* Log records: the Apache/Nginx access-log parser and its time stamps. */
#include "base/buf.h"
#include "check.h"
#include "logs/record.h"
#include "logs/w3c.h"

static const char *field(const struct ruru_record *r, const char *canon, char *buf, size_t cap)
{
    const struct ruru_str *v = ruru_record_get(r, canon);

    if (v == NULL)
        return "(none)";
    snprintf(buf, cap, "%.*s", (int)v->len, v->ptr);
    return buf;
}

static void test_w3c(void)
{
    static const char *const lines[] = {
            "#Software: Microsoft Internet Information Services 10.0",
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
            "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
            "2021-03-02 10:11:12 10.0.0.5 POST /owa/auth/x.js - 443 - 203.0.113.7 "
            "Mozilla/5.0+(compatible) - 200 0 0 15",
            "2021-03-02 10:11:13 10.0.0.5 GET /ecp/default.flt a=1 443",
            "#Fields: date time c-ip cs-uri-stem",
            "2021-03-02 10:11:14 198.51.100.9 /aspnet_client/shell.aspx",
    };
    struct ruru_w3c w;
    struct ruru_record r;
    char b[256];

    ruru_w3c_init(&w);
    CHECK_INT(ruru_w3c_parse(&w, "2021-03-02 10:11:12 x", 21, &r), RURU_W3C_BAD);
    CHECK_INT(ruru_w3c_parse(&w, lines[0], strlen(lines[0]), &r), RURU_W3C_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[1], strlen(lines[1]), &r), RURU_W3C_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[2], strlen(lines[2]), &r), RURU_W3C_RECORD);
    CHECK_INT(r.time, 1614679872);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "203.0.113.7");
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "10.0.0.5");
    CHECK_STR(field(&r, "url.path", b, sizeof(b)), "/owa/auth/x.js");
    CHECK_STR(field(&r, "url.query", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "Mozilla/5.0+(compatible)");
    CHECK_STR(field(&r, "http.response.status_code", b, sizeof(b)), "200");
    /* Native names stay available (Sigma rules use them). */
    for (size_t i = 0; i < r.n_fields; i++)
        if (r.fields[i].canon != NULL && strcmp(r.fields[i].canon, "url.path") == 0)
            CHECK(ruru_str_eq(r.fields[i].name, "cs-uri-stem"));
    /* Too few columns for the #Fields in force. */
    CHECK_INT(ruru_w3c_parse(&w, lines[3], strlen(lines[3]), &r), RURU_W3C_BAD);
    /* The fields change mid-file. */
    CHECK_INT(ruru_w3c_parse(&w, lines[4], strlen(lines[4]), &r), RURU_W3C_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[5], strlen(lines[5]), &r), RURU_W3C_RECORD);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "198.51.100.9");
    CHECK_STR(field(&r, "url.path", b, sizeof(b)), "/aspnet_client/shell.aspx");
    CHECK_INT(r.time, 1614679874);
}

int main(void)
{
    test_w3c();
    static const char combined[] =
            "203.0.113.5 - bob [10/Oct/2000:13:55:36 -0700] \"GET /owa/auth/x.aspx?a=1&b=\\\"2\\\" "
            "HTTP/1.1\" 200 2326 \"http://ref.example/\" \"Mozilla/5.0 (compatible; X)\"\r\n";
    static const char common[] =
            "2001:db8::7 - - [29/Feb/2024:23:59:60 +1300] \"POST / HTTP/1.0\" 404 -";
    static const char garbage_req[] =
            "198.51.100.1 - - [01/Jan/2024:00:00:00 +0000] \"\\x16\\x03\" 400 0 \"-\" \"-\"";
    static const char *const bad[] = {
            "",
            "203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\"",
            "203.0.113.5 - - [10/Foo/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1",
            "203.0.113.5 - - [10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1.1\" 200 1",
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
            "203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" abc 1",
    };
    struct ruru_record r;
    char b[256];

    CHECK(ruru_apache_parse(combined, sizeof(combined) - 1, &r));
    CHECK_INT(r.format, RURU_LOG_APACHE_COMBINED);
    CHECK_INT(r.time, 971211336);
    CHECK_STR(field(&r, "source.address", b, sizeof(b)), "203.0.113.5");
    CHECK_STR(field(&r, "user.name", b, sizeof(b)), "bob");
    CHECK_STR(field(&r, "http.request.method", b, sizeof(b)), "GET");
    CHECK_STR(field(&r, "url.original", b, sizeof(b)), "/owa/auth/x.aspx?a=1&b=\\\"2\\\"");
    CHECK_STR(field(&r, "url.path", b, sizeof(b)), "/owa/auth/x.aspx");
    CHECK_STR(field(&r, "url.query", b, sizeof(b)), "a=1&b=\\\"2\\\"");
    CHECK_STR(field(&r, "http.version", b, sizeof(b)), "HTTP/1.1");
    CHECK_STR(field(&r, "http.response.status_code", b, sizeof(b)), "200");
    CHECK_STR(field(&r, "http.response.body.bytes", b, sizeof(b)), "2326");
    CHECK_STR(field(&r, "http.request.referrer", b, sizeof(b)), "http://ref.example/");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "Mozilla/5.0 (compatible; X)");

    CHECK(ruru_apache_parse(common, sizeof(common) - 1, &r));
    CHECK_INT(r.format, RURU_LOG_APACHE_COMMON);
    /* 2024-02-29 23:59:60 +13:00 = 2024-02-29 11:00:00 UTC (the leap second rolls over). */
    CHECK_INT(r.time, 1709204400);
    CHECK_STR(field(&r, "user.name", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "http.response.body.bytes", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "(none)");

    CHECK(ruru_apache_parse(garbage_req, sizeof(garbage_req) - 1, &r));
    CHECK_STR(field(&r, "url.original", b, sizeof(b)), "\\x16\\x03");
    CHECK_STR(field(&r, "http.request.method", b, sizeof(b)), "(none)");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "(none)");

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!ruru_apache_parse(bad[i], strlen(bad[i]), &r));
    return check_done();
}
