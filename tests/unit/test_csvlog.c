/* SPDX-License-Identifier: Apache-2.0 */
/* CSV logs with a header: Exchange "#Fields:" logs, header rows, quoting and hostile lines. */
#include <stdlib.h>

#include "check.h"
#include "logs/csvlog.h"
#include "record_dump.h"

static enum ruru_log_line feed(struct ruru_csvlog *c, const char *line, struct ruru_record *r)
{
    return ruru_csvlog_parse(c, line, strlen(line), r);
}

static void test_httpproxy(struct ruru_csvlog *c)
{
    struct ruru_record r;
    char b[256];

    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "\xEF\xBB\xBF#Software: Microsoft Exchange Server\r\n", &r),
              RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "#Version: 15.01.2176.002", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "#Log-type: HttpProxy Logs", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "#Date: 2021-03-02T10:00:00.000Z", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c,
                   "#Fields: DateTime,RequestId,MajorVersion,Protocol,UrlHost,UrlStem,UrlQuery,"
                   "ClientIpAddress,ServerHostName,AuthenticatedUser,UserAgent,Method,HttpStatus,"
                   "BackEndCookie,ServerLocatorHost",
                   &r),
              RURU_LINE_DIRECTIVE);
    CHECK_INT(c->n_cols, 15);
    CHECK_INT(feed(c,
                   "2021-03-02T10:11:12.345Z,5e1c0a,15,Ecp,mail.example.com,"
                   "/ecp/y.js,\"a=1,b=2\",203.0.113.7,EXCH01,,\"python-requests/2.25\",POST,"
                   "200,Server~X~=,ServerLocatorHostValue\r\n",
                   &r),
              RURU_LINE_RECORD);
    CHECK_INT(r.format, RURU_LOG_CSV);
    CHECK_INT(r.time, 1614679872);
    CHECK_STR(field(&r, "@timestamp", b, sizeof(b)), "2021-03-02T10:11:12.345Z");
    CHECK_STR(field(&r, "url.domain", b, sizeof(b)), "mail.example.com");
    CHECK_STR(field(&r, "url.path", b, sizeof(b)), "/ecp/y.js");
    CHECK_STR(field(&r, "url.query", b, sizeof(b)), "a=1,b=2");
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "203.0.113.7");
    CHECK_STR(field(&r, "host.name", b, sizeof(b)), "EXCH01");
    CHECK_STR(field(&r, "user.name", b, sizeof(b)), "(none)"); /* empty */
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "python-requests/2.25");
    CHECK_STR(field(&r, "http.request.method", b, sizeof(b)), "POST");
    CHECK_STR(field(&r, "http.response.status_code", b, sizeof(b)), "200");
    CHECK_STR(native(&r, "BackEndCookie", b, sizeof(b)), "Server~X~=");
    CHECK_STR(native(&r, "ServerLocatorHost", b, sizeof(b)), "ServerLocatorHostValue");
    for (size_t i = 0; i < r.n_fields; i++)
        if (ruru_str_eq(r.fields[i].name, "BackEndCookie") ||
            ruru_str_eq(r.fields[i].name, "RequestId"))
            CHECK(r.fields[i].canon == NULL);
    CHECK_INT(r.n_fields, 14);
    CHECK(!r.truncated);
    /* Wrong column counts, broken quoting. */
    CHECK_INT(feed(c, "2021-03-02T10:11:12Z,a,b", &r), RURU_LINE_BAD);
    CHECK_INT(feed(c, "2021-03-02T10:11:12Z,,,,,,,,,,,,,,,", &r), RURU_LINE_BAD);
    CHECK_INT(feed(c, "2021-03-02T10:11:12Z,\"open,,,,,,,,,,,,,", &r), RURU_LINE_BAD);
    CHECK_INT(feed(c, "2021-03-02T10:11:12Z,\"a\"b,,,,,,,,,,,,,", &r), RURU_LINE_BAD);
    CHECK_INT(feed(c, "", &r), RURU_LINE_BAD);
    /* A doubled quote stays raw inside the slice; an unparsable time leaves none. */
    CHECK_INT(feed(c, "yesterday,,,,,,,,,,\"say \"\"hi\"\"\",,,,\"\"", &r), RURU_LINE_RECORD);
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "say \"\"hi\"\"");
    CHECK_INT(r.time, RURU_TIME_NONE);
    CHECK_INT(r.n_fields, 2);
}

static void test_message_tracking(struct ruru_csvlog *c)
{
    struct ruru_record r;
    char b[256];

    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "#Software: Microsoft Exchange Server", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "#Log-type: Message Tracking Log", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c,
                   "#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,"
                   "source-context,connector-id,source,event-id,internal-message-id,message-id,"
                   "recipient-address,recipient-status,total-bytes,recipient-count,"
                   "related-recipient-address,reference,message-subject,sender-address",
                   &r),
              RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c,
                   "2021-03-02T10:11:12.123-05:00,198.51.100.4,mx.example.net,10.0.0.5,EXCH01,"
                   "08D8,Default EXCH01,SMTP,RECEIVE,1234,<abc@example.net>,"
                   "victim@example.com,,2048,1,,,\"Invoice, urgent\",billing@examplebank.example",
                   &r),
              RURU_LINE_RECORD);
    CHECK_INT(r.time, 1614697872);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "198.51.100.4");
    CHECK_STR(field(&r, "source.domain", b, sizeof(b)), "mx.example.net");
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "10.0.0.5");
    CHECK_STR(field(&r, "host.name", b, sizeof(b)), "EXCH01");
    CHECK_STR(field(&r, "email.to.address", b, sizeof(b)), "victim@example.com");
    CHECK_STR(field(&r, "email.from.address", b, sizeof(b)), "billing@examplebank.example");
    CHECK_STR(field(&r, "email.subject", b, sizeof(b)), "Invoice, urgent");
    CHECK_STR(field(&r, "email.message_id", b, sizeof(b)), "<abc@example.net>");
    CHECK_STR(native(&r, "event-id", b, sizeof(b)), "RECEIVE");
}

static void test_header_row(struct ruru_csvlog *c)
{
    struct ruru_record r;
    char b[256];

    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "1,2,3", &r), RURU_LINE_DIRECTIVE); /* the first line is the header */
    CHECK_INT(feed(c, "a,b,c", &r), RURU_LINE_RECORD);
    CHECK_STR(native(&r, "2", b, sizeof(b)), "b");

    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "# exported by a tool", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "", &r), RURU_LINE_BAD); /* an empty line is not a header */
    CHECK_INT(feed(c,
                   "Timestamp, SRC_IP ,Dest_IP,URL,Domain,Hostname,User_Agent,MD5,SHA1,SHA256,"
                   "\"note\",source.ip",
                   &r),
              RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c,
                   "1614679872,10.0.0.1,10.0.0.2,http://evil.example/x,evil.example,ws1,"
                   "curl/8,d41d8cd98f00b204e9800998ecf8427e,"
                   "da39a3ee5e6b4b0d3255bfef95601890afd80709,"
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,hi,1.1.1.1",
                   &r),
              RURU_LINE_RECORD);
    CHECK_INT(r.time, 1614679872);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "10.0.0.1");
    CHECK_STR(native(&r, "SRC_IP", b, sizeof(b)), "10.0.0.1"); /* names are trimmed */
    CHECK_STR(field(&r, "destination.ip", b, sizeof(b)), "10.0.0.2");
    CHECK_STR(field(&r, "url.original", b, sizeof(b)), "http://evil.example/x");
    CHECK_STR(field(&r, "url.domain", b, sizeof(b)), "evil.example");
    CHECK_STR(field(&r, "host.name", b, sizeof(b)), "ws1");
    CHECK_STR(field(&r, "user_agent.original", b, sizeof(b)), "curl/8");
    CHECK_STR(field(&r, "file.hash.md5", b, sizeof(b)), "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_STR(field(&r, "file.hash.sha1", b, sizeof(b)),
              "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    CHECK_STR(field(&r, "file.hash.sha256", b, sizeof(b)),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_STR(native(&r, "note", b, sizeof(b)), "hi");
    CHECK_STR(native(&r, "source.ip", b, sizeof(b)), "1.1.1.1");
    /* A "#Fields:" directive replaces the header mid-file; "date" and "time" are joined. */
    CHECK_INT(feed(c, "#Fields: date,time,client_ip", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(feed(c, "2021-03-02,10:11:12,192.0.2.1", &r), RURU_LINE_RECORD);
    CHECK_INT(r.time, 1614679872);
    CHECK_STR(field(&r, "source.ip", b, sizeof(b)), "192.0.2.1");
    CHECK_INT(feed(c, "2021-03-02,,192.0.2.1", &r), RURU_LINE_RECORD);
    CHECK_INT(r.time, 1614643200); /* the date alone */
    /* A broken #Fields leaves the header as it was. */
    CHECK_INT(feed(c, "#Fields: \"a,b", &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(c->n_cols, 3);
    /* A broken header row is BAD and does not become the header. */
    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "\"a,b", &r), RURU_LINE_BAD);
    CHECK_INT(c->n_cols, 0);
}

static void test_hostile(struct ruru_csvlog *c)
{
    struct ruru_record r;
    char b[64];
    size_t n = 0, cap = 1 << 20;
    char *big = malloc(cap);

    CHECK(big != NULL);
    if (big == NULL)
        return;
    /* Embedded NULs are ordinary bytes. */
    ruru_csvlog_init(c);
    {
        static const char hdr[] = "src_ip,na\0me,x";
        static const char line[] = "1.2\0.3.4,\"q\0,\",z";
        CHECK_INT(ruru_csvlog_parse(c, hdr, sizeof(hdr) - 1, &r), RURU_LINE_DIRECTIVE);
        CHECK_INT(ruru_csvlog_parse(c, line, sizeof(line) - 1, &r), RURU_LINE_RECORD);
        CHECK_INT(ruru_record_get(&r, "source.ip")->len, 8);
        CHECK_INT(r.fields[1].name.len, 5);
        CHECK_INT(r.fields[1].value.len, 3);
    }
    /* 100 columns: the first RURU_MAX_FIELDS are kept and the record says it lost some. */
    ruru_csvlog_init(c);
    n = (size_t)snprintf(big, cap, "#Fields: c0");
    for (int i = 1; i < 100; i++)
        n += (size_t)snprintf(big + n, cap - n, ",c%d", i);
    CHECK_INT(ruru_csvlog_parse(c, big, n, &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(c->n_cols, 100);
    CHECK_INT(c->n_names, RURU_MAX_FIELDS);
    n = (size_t)snprintf(big, cap, "v0");
    for (int i = 1; i < 100; i++)
        n += (size_t)snprintf(big + n, cap - n, ",v%d", i);
    CHECK_INT(ruru_csvlog_parse(c, big, n, &r), RURU_LINE_RECORD);
    CHECK(r.truncated);
    CHECK_INT(r.n_fields, RURU_MAX_FIELDS);
    CHECK_STR(native(&r, "c63", b, sizeof(b)), "v63");
    /* A header longer than the copy keeps the names that fit. */
    ruru_csvlog_init(c);
    memset(big, 'n', 5000);
    big[5000] = ',';
    memset(big + 5001, 'm', 5000);
    big[10001] = ',';
    big[10002] = 'k';
    CHECK_INT(ruru_csvlog_parse(c, big, 10003, &r), RURU_LINE_DIRECTIVE);
    CHECK_INT(c->n_cols, 3);
    CHECK_INT(c->n_names, 1);
    CHECK_INT(feed(c, "a,b,c", &r), RURU_LINE_RECORD);
    CHECK(r.truncated);
    CHECK_INT(r.n_fields, 1);
    /* A megabyte line: one quoted value, an unterminated quote, a million commas. */
    ruru_csvlog_init(c);
    CHECK_INT(feed(c, "a,b", &r), RURU_LINE_DIRECTIVE);
    memset(big, 'x', cap);
    big[0] = '"';
    big[cap - 3] = '"';
    big[cap - 2] = ',';
    CHECK_INT(ruru_csvlog_parse(c, big, cap, &r), RURU_LINE_RECORD);
    CHECK_INT(r.fields[0].value.len, cap - 4);
    CHECK_INT(r.n_fields, 2);
    big[cap - 3] = 'x';
    CHECK_INT(ruru_csvlog_parse(c, big, cap, &r), RURU_LINE_BAD);
    memset(big, ',', cap);
    CHECK_INT(ruru_csvlog_parse(c, big, cap, &r), RURU_LINE_BAD);
    memset(big, '"', cap); /* an even number of quotes: one value of doubled quotes */
    CHECK_INT(ruru_csvlog_parse(c, big, cap, &r), RURU_LINE_BAD);
    {
        static const char line[] = "\"a,\"\"b\",c";
        for (size_t k = 0; k <= sizeof(line) - 1; k++) {
            char *cut = malloc(k ? k : 1);
            memcpy(cut, line, k);
            (void)ruru_csvlog_parse(c, cut, k, &r);
            free(cut);
        }
    }
    free(big);
}

int main(void)
{
    /* The parser holds an 8 KiB header copy: on the heap, as a sweep thread would keep it. */
    struct ruru_csvlog *c = malloc(sizeof(*c));

    CHECK(c != NULL);
    if (c == NULL)
        return check_done();
    test_httpproxy(c);
    test_message_tracking(c);
    test_header_row(c);
    test_hostile(c);
    free(c);
    return check_done();
}
