/* SPDX-License-Identifier: Apache-2.0 */
/* Log format detection on the shared samples and on lines of each format. */
#include <stdlib.h>

#include "check.h"
#include "logs/detect.h"
#include "shared_data.h"

static void expect(const char *data, const char *want)
{
    CHECK_STR(ruru_log_kind_name(ruru_log_detect(data, strlen(data))), want);
}

static void expect_file(const char *rel, const char *want)
{
    char path[1024];
    FILE *f;
    char *buf = malloc(70000);
    size_t n;

    snprintf(path, sizeof(path), "%s/logs/%s", shared_data(), rel);
    f = fopen(path, "rb");
    CHECK(f != NULL && buf != NULL);
    if (f == NULL || buf == NULL) {
        free(buf);
        return;
    }
    n = fread(buf, 1, 70000, f);
    fclose(f);
    CHECK_STR(ruru_log_kind_name(ruru_log_detect(buf, n)), want);
    free(buf);
}

/* The real logs, each in its format. */
static void test_real_files(void)
{
    expect_file("zeek/opt.basic_http.log", "zeek");
    expect_file("loghub/Linux_2k.log", "syslog");
    expect_file("loghub/Apache_2k.log", "text"); /* Apache *error* log: no parser, swept as text */
    expect_file("loghub/Proxifier_2k.log", "text");
    expect_file("loghub/Windows_2k.log", "text");
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_real_files();
        return check_done();
    }
    /* JSON documents, and bracketed times that are not */
    expect("[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n", "json-document");
    expect("  [{\"a\": 1}]", "json-document");
    expect("{\n  \"Event\": {}\n}\n", "json-document");
    expect("[10.30 16:49:06] chrome.exe - proxy.example:5070 open through proxy\n"
           "[10.30 16:49:07] chrome.exe - proxy.example:5070 close\n",
           "text");
    expect("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok\n", "text");

    expect("#Software: Microsoft Internet Information Services 10.0\n#Fields: date time\n", "w3c");
    expect("#separator \\x09\n#fields\tts\tuid\n", "zeek");
    expect("203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"
           "203.0.113.6 - - [10/Oct/2000:13:55:37 -0700] \"GET /a HTTP/1.1\" 404 1\n",
           "apache");
    expect("{\"timestamp\":\"2021-03-02T10:11:12Z\",\"event_type\":\"alert\",\"src_ip\":\"1.2.3."
           "4\"}\n",
           "eve");
    expect("{\"ts\":1614679872.1,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\"}\n", "zeek-json");
    expect("{\"@timestamp\":\"2021-03-02T10:11:12Z\",\"message\":\"x\"}\n", "jsonl");
    expect("<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - msg\n", "syslog");
    expect("Oct 11 22:14:15 mymachine su: 'su root' failed\n", "syslog");
    expect("CEF:0|Vendor|Product|1.0|100|name|5|src=10.0.0.1 dst=2.1.2.2\n", "cef");
    /* One banner line does not outvote the access log. */
    expect("garbage banner\n"
           "203.0.113.5 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1\n"
           "203.0.113.6 - - [10/Oct/2000:13:55:37 -0700] \"GET /a HTTP/1.1\" 404 1\n",
           "apache");
    /* Exchange: the #Fields line decides between CSV and W3C; #Software alone means W3C. */
    expect("\xEF\xBB\xBF#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
           "#Log-type: HttpProxy Logs\r\n#Date: 2021-03-02T10:00:00.000Z\r\n"
           "#Fields: DateTime,RequestId,UrlStem,ClientIpAddress\r\n"
           "2021-03-02T10:11:12.345Z,5e1c,/ecp/y.js,203.0.113.7\r\n",
           "csv");
    expect("#Software: Microsoft Exchange Server\n#Fields: date-time,client-ip,message-subject\n",
           "csv");
    expect("#Software: Microsoft Exchange Server\n#Fields: date time cs-method cs-uri-stem\n",
           "w3c");
    expect("\xEF\xBB\xBF#Software: Microsoft Internet Information Services 10.0\n", "w3c");
    expect("#Software: X\n2021-03-02 10:11:12 GET /\n", "w3c");
    /* CSV with a header row: names, then rows with as many columns (quotes respected). */
    expect("timestamp,src_ip,dst_ip,url\n"
           "2021-03-02T10:11:12Z,10.0.0.1,10.0.0.2,http://a.example/\n"
           "2021-03-02T10:11:13Z,10.0.0.1,10.0.0.3,\"http://b.example/?a=1,2\"\n"
           "2021-03-02T10:11:14Z,10.0.0.1,10.0.0.4,http://c.example/\n",
           "csv");
    expect("\"Time\",\"Source IP\",\"user.name\",\"@timestamp\"\n1,2,3,4\n", "csv");
    /* Not a header: too few columns, odd characters, numbers only, or rows that disagree. */
    expect("a,b\n1,2\n3,4\n", "text");
    expect("a=1,b,c\n1,2,3\n", "text");
    expect("1,2,3\n4,5,6\n", "text");
    expect("name,ip,port\nx,1.2.3.4\ny,5.6.7.8,9,10\nz\n", "text");
    expect("name,ip,port\n", "text"); /* a header with no rows */
    expect("just some words\nand more words 1.2.3.4\n", "text");
    expect("", "text");
    CHECK_INT(ruru_log_kind_parse("w3c"), RURU_KIND_W3C);
    CHECK_INT(ruru_log_kind_parse("nope"), RURU_KIND__COUNT);
    return check_done();
}
