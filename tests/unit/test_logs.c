/* SPDX-License-Identifier: Apache-2.0 */
/* Log records: the Apache/Nginx access-log parser and its time stamps. */
#include <stdlib.h>

#include "base/buf.h"
#include "check.h"
#include "logs/apache.h"
#include "logs/record.h"
#include "logs/w3c.h"
#include "logs/zeeklog.h"
#include "record_dump.h"
#include "shared_data.h"
#include "xorshift.h"

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
    CHECK_INT(ruru_w3c_parse(&w, "2021-03-02 10:11:12 x", 21, &r), RURU_LINE_BAD);
    CHECK_INT(ruru_w3c_parse(&w, lines[0], strlen(lines[0]), &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[1], strlen(lines[1]), &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[2], strlen(lines[2]), &r), RURU_LINE_RECORD);
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
    CHECK_INT(ruru_w3c_parse(&w, lines[3], strlen(lines[3]), &r), RURU_LINE_BAD);
    /* The fields change mid-file. */
    CHECK_INT(ruru_w3c_parse(&w, lines[4], strlen(lines[4]), &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(ruru_w3c_parse(&w, lines[5], strlen(lines[5]), &r), RURU_LINE_RECORD);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "198.51.100.9");
    CHECK_STR(field(&r, "url.path", b, sizeof(b)), "/aspnet_client/shell.aspx");
    CHECK_INT(r.time, 1614679874);
}

/* The skim against the parser on one line: true exactly when the parser gives a record that
 * fits, the same time, and a view that is the line with the '+' columns decoded. */
static void w3c_skim_agrees(struct ruru_w3c *w, const char *line, size_t len)
{
    struct ruru_record r;
    enum ruru_log_line what = ruru_w3c_parse(w, line, len, &r);
    bool fits = what == RURU_LINE_RECORD && !r.truncated;
    char room[512], want[512];
    const char *view = NULL;
    int64_t t = 0;
    bool skims;
    size_t n = len;

    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
        n--;
    if (what == RURU_LINE_DIRECTIVE || len > sizeof(room))
        return;
    skims = ruru_w3c_skim(w, line, len, &t, room, &view);
    CHECK_INT(skims, fits);
    if (!skims || !fits)
        return;
    CHECK_INT(t, r.time);
    memcpy(want, line, n);
    for (size_t i = 0; i < r.n_fields; i++)
        if (r.fields[i].enc == RURU_ENC_PLUS)
            ruru_w3c_plus_decode(r.fields[i].value.ptr, r.fields[i].value.len,
                                 want + (r.fields[i].value.ptr - line));
    CHECK(view != NULL && memcmp(view, want, n) == 0);
    /* without room, a line that needs decoding is refused, one that does not is the view */
    view = NULL;
    CHECK_INT(ruru_w3c_skim(w, line, len, &t, NULL, &view), memcmp(want, line, n) == 0);
    CHECK(view == NULL || view == line);
}

static void test_w3c_skim(void)
{
    static const char *const picked[] = {
            "2021-03-02 10:11:12 10.0.0.5 Mozilla/5.0+(compatible;+bot/2.1;++http://g.co/b)",
            "2021-03-02 10:11:12 10.0.0.5 Mozilla/5.0+(compatible) GET", /* too many */
            "2021-03-02 10:11:12 10.0.0.5 +http://a.example/ +httpx",
            "2021-03-02 10:11:12 a+b a+b\r",
            "2021-03-02 10:11:12 x+http x+httpz", /* "http" at the column's end: decoded */
            "2021-03-02 10:11:12 - -",
            "2021-03-02 10:11:12 a",     /* too few columns */
            "2021-03-02 10:11:12 a b c", /* too many */
            "2021-03-02 10:11:12  a",    /* an empty column is a column */
            "2021-02-30 10:11:12 a b",   /* no such date: no time, still a record */
            "#Fields: nothing here",
            "",
    };
    static const char *const pieces[] = {" ",
                                         "+",
                                         "+",
                                         "http",
                                         "-",
                                         "a",
                                         "7",
                                         ".",
                                         "/",
                                         "(",
                                         "+http://h.example/",
                                         "x",
                                         "2021-03-02",
                                         "10:11:12"};
    struct ruru_w3c w;
    struct ruru_record r;
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char line[200];

    ruru_w3c_init(&w);
    /* no #Fields yet: nothing skims */
    CHECK(!ruru_w3c_skim(&w, "2021-03-02 10:11:12 a b", 23, &(int64_t){0}, line,
                         &(const char *){0}));
    ruru_w3c_parse(&w, "#Fields: date time c-ip cs(User-Agent)", 38, &r);
    CHECK_INT(w.n_names, 4);
    for (size_t i = 0; i < sizeof(picked) / sizeof(picked[0]); i++)
        w3c_skim_agrees(&w, picked[i], strlen(picked[i]));
    /* Random lines under headers whose '+' columns and date and time are anywhere. */
    static const char *const headers[] = {
            "#Fields: date time c-ip cs(User-Agent) cs(Referer) cs-uri-query",
            "#Fields: cs(User-Agent) time s-ip date",
            "#Fields: cs-uri-query cs(Cookie) cs(Referer)",
            "#Fields: time cs(User-Agent)",
    };
    for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]); h++) {
        ruru_w3c_parse(&w, headers[h], strlen(headers[h]), &r);
        for (int round = 0; round < 4000; round++) {
            size_t n = 0, k;
            xorshift(&x);
            k = (size_t)(x % 24);
            for (size_t j = 0; j < k; j++) {
                const char *p;
                xorshift(&x);
                p = pieces[x % (sizeof(pieces) / sizeof(pieces[0]))];
                if (n + strlen(p) >= sizeof(line))
                    break;
                memcpy(line + n, p, strlen(p));
                n += strlen(p);
            }
            w3c_skim_agrees(&w, line, n);
        }
    }
}

/* Parses a whole Zeek log from ../shared/data/logs/zeek; counts records and bad lines and
 * returns the record for data line `keep` (1-based) in *kept (fields point into *buf). */
static void zeek_file(const char *name,
                      size_t *records,
                      size_t *bad,
                      size_t keep,
                      struct ruru_record *kept,
                      char **buf)
{
    char path[1024];
    FILE *f;
    long n;
    struct ruru_zeeklog *z = malloc(sizeof(*z));
    struct ruru_record r;
    char *p, *end;

    snprintf(path, sizeof(path), "%s/logs/zeek/%s", shared_data(), name);
    f = fopen(path, "rb");
    CHECK(f != NULL && z != NULL);
    if (f == NULL || z == NULL)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc((size_t)n + 1);
    CHECK(fread(*buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    ruru_zeeklog_init(z);
    *records = *bad = 0;
    for (p = *buf, end = *buf + n; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        enum ruru_log_line k = ruru_zeeklog_parse(z, p, len, &r);
        if (k == RURU_LINE_RECORD && ++*records == keep)
            *kept = r;
        else if (k == RURU_LINE_BAD)
            ++*bad;
        p += len + 1;
    }
    free(z);
}

static void test_zeek(void)
{
    struct ruru_record r;
    size_t recs, bad;
    char *buf = NULL, b[256];

    /* Zeek's own test baselines: their time stamps are masked ("XXXXXXXXXX.XXXXXX"), so
     * records parse with no time. Record counts are the non-'#' lines of each file. */
    zeek_file("opt.basic_http.log", &recs, &bad, 1, &r, &buf);
    CHECK_INT(recs, 14);
    CHECK_INT(bad, 0);
    CHECK_INT(r.time, RURU_TIME_NONE);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "141.142.220.118");
    CHECK_STR(field(&r, "destination.port", b, sizeof(b)), "80");
    CHECK_STR(field(&r, "url.domain", b, sizeof(b)), "bits.wikimedia.org");
    CHECK_STR(field(&r, "url.original", b, sizeof(b)), "/skins-1.5/monobook/main.css");
    CHECK_STR(field(&r, "http.request.referrer", b, sizeof(b)), "http://www.wikipedia.org/");
    free(buf);
    zeek_file("core.ipv6-frag_dns.log", &recs, &bad, 1, &r, &buf);
    CHECK_INT(recs, 3);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "2001:470:1f11:81f:d138:5f55:6d4:1fe2");
    CHECK_STR(field(&r, "dns.question.name", b, sizeof(b)),
              "txtpadding_323.n1.netalyzr.icsi.berkeley.edu");
    free(buf);
    zeek_file("core.cisco-fabric-path_conn.log", &recs, &bad, 1, &r, &buf);
    CHECK_INT(recs, 64);
    CHECK_INT(bad, 0);
    free(buf);
    zeek_file("scripts.policy.protocols.ssl.log-certs-base64_x509.log", &recs, &bad, 1, &r, &buf);
    CHECK_INT(recs, 3);
    CHECK_STR(field(&r, "x509.fingerprint", b, sizeof(b)),
              "a97a22b691caf62c1623d14abf8a31ac915f14d87f77d8a37c47eb4785b484ad");
    free(buf);

    {
        static const char hdr[] = "#fields\tts\tid.orig_h\tquery";
        static const char line[] = "1614679872.123456\t10.0.0.1\tevil.example";
        static const char unset[] = "1614679872.5\t-\t(empty)";
        struct ruru_zeeklog z;
        ruru_zeeklog_init(&z);
        CHECK_INT(ruru_zeeklog_parse(&z, line, sizeof(line) - 1, &r), RURU_LINE_BAD);
        CHECK_INT(ruru_zeeklog_parse(&z, hdr, sizeof(hdr) - 1, &r), RURU_LINE_DIRECTIVE);
        CHECK_INT(ruru_zeeklog_parse(&z, line, sizeof(line) - 1, &r), RURU_LINE_RECORD);
        CHECK_INT(r.time, 1614679872);
        CHECK_STR(field(&r, "dns.question.name", b, sizeof(b)), "evil.example");
        CHECK_INT(ruru_zeeklog_parse(&z, unset, sizeof(unset) - 1, &r), RURU_LINE_RECORD);
        CHECK_INT(r.n_fields, 1);
        CHECK_INT(ruru_zeeklog_parse(&z, "a\tb", 3, &r), RURU_LINE_BAD);
    }
    /* The skim: the parser's verdict and time without the record, never a record it refuses */
    {
        static const char hdr[] = "#fields\tid.orig_h\tts\tquery";
        static const char line[] = "10.0.0.1\t1614679872.123456\tevil.example\r";
        static const char no_ts[] = "10.0.0.1\t-\tevil.example";
        struct ruru_zeeklog z;
        int64_t t = 0;
        ruru_zeeklog_init(&z);
        CHECK(!ruru_zeeklog_skim(&z, line, sizeof(line) - 1, &t)); /* no header yet */
        ruru_zeeklog_parse(&z, hdr, sizeof(hdr) - 1, &r);
        CHECK(ruru_zeeklog_skim(&z, line, sizeof(line) - 1, &t));
        CHECK_INT(t, 1614679872);
        CHECK(ruru_zeeklog_skim(&z, no_ts, sizeof(no_ts) - 1, &t));
        CHECK_INT(t, RURU_TIME_NONE);
        CHECK(!ruru_zeeklog_skim(&z, "a\tb", 3, &t));
        CHECK(!ruru_zeeklog_skim(&z, "a\tb\tc\td", 7, &t));
        CHECK(!ruru_zeeklog_skim(&z, hdr, sizeof(hdr) - 1, &t));
    }
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_zeek();
        return check_done();
    }
    test_w3c();
    test_w3c_skim();
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

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t;
        CHECK(!ruru_apache_parse(bad[i], strlen(bad[i]), &r));
        CHECK(!ruru_apache_skim(bad[i], strlen(bad[i]), &t));
    }
    /* The skim: the parser's verdict and time without the record; a line whose X-Forwarded-For
     * could fill the record past its fields (truncated) is left to the parser */
    {
        char many[400];
        int64_t t = 0;
        size_t k;
        CHECK(ruru_apache_skim(combined, sizeof(combined) - 1, &t));
        CHECK_INT(t, 971211336);
        CHECK(ruru_apache_skim(common, sizeof(common) - 1, &t));
        CHECK_INT(t, 1709204400);
        k = (size_t)snprintf(many, sizeof(many), "%s",
                             "10.0.0.2 - - [12/Jul/2024:01:15:00 +0000] "
                             "\"GET / HTTP/1.1\" 200 12 \"-\" \"-\" \"1");
        for (int i = 0; i < 49; i++)
            k += (size_t)snprintf(many + k, sizeof(many) - k, ",1");
        CHECK(ruru_apache_skim(many, k, &t)); /* 49 commas: 64 fields at most */
        k += (size_t)snprintf(many + k, sizeof(many) - k, ",1\"");
        CHECK(!ruru_apache_skim(many, k, &t));
        CHECK(ruru_apache_parse(many, k, &r));
        CHECK_INT(r.n_fields, 60); /* 51 addresses: it fits, but the skim cannot count them */
    }

    /* A time's day is read once while the lines keep it (a cache of the last day): the next
     * day, the day before again, a time that is wrong on a known day, a day that is wrong with
     * the known one's month and year, and a day in another year are each read as they are. */
    {
        static const struct {
            const char *t;
            bool ok;
            int64_t want;
        } seq[] = {
                {"10/Oct/2000:13:55:36 -0700", true, 971211336},
                {"10/Oct/2000:13:55:37 -0700", true, 971211337},
                {"11/Oct/2000:13:55:36 -0700", true, 971211336 + 86400},
                {"10/Oct/2000:00:00:00 +0000", true, 971136000},
                {"10/Oct/2000:24:00:00 +0000", false, 0},
                {"10/Oct/2000:23:59:59 +0000", true, 971136000 + 86399},
                {"32/Oct/2000:00:00:00 +0000", false, 0},
                {"10/Oct/2000:00:00:00 +0000", true, 971136000},
                {"10/Oct/2001:00:00:00 +0000", true, 971136000 + 365 * 86400},
                {"10/Oct/2001:00:00:00 -0130", true, 971136000 + 365 * 86400 + 5400},
                {"10/Ocx/2001:00:00:00 +0000", false, 0},
                {"00/Oct/2001:00:00:00 +0000", false, 0},
        };
        for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
            int64_t t = 0;
            CHECK_INT(ruru_apache_time(seq[i].t, strlen(seq[i].t), &t), seq[i].ok);
            if (seq[i].ok)
                CHECK_INT(t, seq[i].want);
        }
    }

    /* Nginx's "main" with $http_x_forwarded_for: the addresses behind the proxy are client.ip */
    {
        static const char xff[] = "10.0.0.2 - - [12/Jul/2024:01:15:00 +0000] \"GET /owa/ "
                                  "HTTP/1.1\" 200 12 \"-\" \"curl/8\" \"203.0.113.9, 2001:db8::5, "
                                  "10.0.0.1\"";
        static const char no_xff[] = "10.0.0.2 - - [12/Jul/2024:01:15:00 +0000] \"GET / "
                                     "HTTP/1.1\" 200 12 \"-\" \"curl/8\" \"-\"";
        static const char extra[] = "10.0.0.2 - - [12/Jul/2024:01:15:00 +0000] \"GET / HTTP/1.1\" "
                                    "200 12 \"-\" \"curl/8\" rt=0.004 uct=\"0.000\" "
                                    "upstream=backend.evil.example:8080";
        static const char common_rest[] = "10.0.0.2 - - [12/Jul/2024:01:15:00 +0000] \"GET / "
                                          "HTTP/1.1\" 200 12 0.004 cdn.example";
        char big[512];
        CHECK(ruru_apache_parse(xff, sizeof(xff) - 1, &r));
        CHECK_INT(r.format, RURU_LOG_APACHE_COMBINED);
        CHECK_STR(all_of(&r, "client.ip", big, sizeof(big)), "203.0.113.9|2001:db8::5|10.0.0.1");
        CHECK_STR(field(&r, "message", b, sizeof(b)), "(none)");
        CHECK(ruru_apache_parse(no_xff, sizeof(no_xff) - 1, &r));
        CHECK_STR(all_of(&r, "client.ip", big, sizeof(big)), "(none)");
        CHECK_STR(field(&r, "message", b, sizeof(b)), "(none)");
        /* other fields nginx adds: nothing is left unlooked at, the rest is text */
        CHECK(ruru_apache_parse(extra, sizeof(extra) - 1, &r));
        CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "curl/8");
        CHECK_STR(all_of(&r, "client.ip", big, sizeof(big)), "(none)");
        CHECK_STR(field(&r, "message", b, sizeof(b)),
                  "rt=0.004 uct=\"0.000\" upstream=backend.evil.example:8080");
        CHECK(ruru_apache_parse(common_rest, sizeof(common_rest) - 1, &r));
        CHECK_INT(r.format, RURU_LOG_APACHE_COMMON);
        CHECK_STR(field(&r, "message", b, sizeof(b)), "0.004 cdn.example");
    }
    return check_done();
}
