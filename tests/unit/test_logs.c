/* SPDX-License-Identifier: Apache-2.0 */
/* Log records: the Apache/Nginx access-log parser and its time stamps. */
#include "base/buf.h"
#include "check.h"
#include "logs/record.h"

static const char *field(const struct ruru_record *r, const char *canon, char *buf, size_t cap)
{
    const struct ruru_str *v = ruru_record_get(r, canon);

    if (v == NULL)
        return "(none)";
    snprintf(buf, cap, "%.*s", (int)v->len, v->ptr);
    return buf;
}

int main(void)
{
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
