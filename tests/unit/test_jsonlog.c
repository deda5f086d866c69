/* SPDX-License-Identifier: Apache-2.0 */
/* The zero-copy JSON line scanner: flattened names, canonical names per dialect, times,
 * Windows event data, escapes, and what it refuses. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "logs/json.h"

static struct ruru_jsonlog J;
static struct ruru_record R;

static bool parse(enum ruru_log_format f, const char *line)
{
    ruru_jsonlog_init(&J, f);
    return ruru_jsonlog_parse(&J, line, strlen(line), &R);
}

/* "name=value[canon]" of every field, space-separated. */
static const char *fields(void)
{
    static char buf[4096];
    size_t k = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < R.n_fields && k < sizeof(buf); i++) {
        const struct ruru_field *f = &R.fields[i];
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%.*s=%.*s", i ? " " : "",
                              (int)f->name.len, f->name.ptr, (int)f->value.len, f->value.ptr);
        if (f->canon != NULL && strcmp(f->canon, f->name.ptr) != 0 && k < sizeof(buf))
            k += (size_t)snprintf(buf + k, sizeof(buf) - k, "[%s]", f->canon);
    }
    return buf;
}

static void test_ecs(void)
{
    CHECK(parse(RURU_LOG_JSON,
                "{\"@timestamp\":\"2021-03-01T00:00:05.123Z\",\"host\":{\"name\":\"EXCH01\"},"
                "\"source\":{\"ip\":\"10.1.2.3\",\"port\":443},\"tags\":[\"a\",\"b\"],"
                "\"n\":null,\"ok\":true,\"x\":-1.5e3,\"e\":{}}"));
    CHECK_STR(fields(), "@timestamp=2021-03-01T00:00:05.123Z host.name=EXCH01 source.ip=10.1.2.3 "
                        "source.port=443 tags=a tags=b ok=true x=-1.5e3");
    CHECK_INT(R.time, 1614556805);
    CHECK_INT(R.format, RURU_LOG_JSON);
    /* non-ECS spellings get a canonical name */
    CHECK(parse(RURU_LOG_JSON, "{\"src_ip\":\"1.2.3.4\",\"time\":\"2021-03-01 00:00:00\"}"));
    CHECK_STR(fields(), "src_ip=1.2.3.4[source.ip] time=2021-03-01 00:00:00[@timestamp]");
    CHECK_INT(R.time, 1614556800);
}

static void test_eve_zeek(void)
{
    CHECK(parse(RURU_LOG_EVE,
                "{\"timestamp\":\"2021-03-01T13:00:00.000000+1300\","
                "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\","
                "\"dns\":{\"query\":[{\"rrname\":\"evil.example\"}]},\"flow_id\":7}"));
    CHECK_STR(fields(), "timestamp=2021-03-01T13:00:00.000000+1300[@timestamp] "
                        "event_type=dns src_ip=10.0.0.1[source.ip] "
                        "dns.query.rrname=evil.example[dns.question.name] flow_id=7");
    CHECK_INT(R.time, 1614556800);
    CHECK(parse(RURU_LOG_ZEEK_JSON, "{\"ts\":1614556800.123456,\"uid\":\"C1\",\"id.orig_h\":"
                                    "\"10.0.0.1\",\"query\":\"a.example\"}"));
    CHECK_STR(fields(), "ts=1614556800.123456[@timestamp] uid=C1 id.orig_h=10.0.0.1[source.ip] "
                        "query=a.example[dns.question.name]");
    CHECK_INT(R.time, 1614556800);
}

static void test_windows(void)
{
    CHECK(parse(RURU_LOG_JSON,
                "{\"Event\":{\"System\":{\"EventID\":3,\"TimeCreated\":{\"@SystemTime\":"
                "\"2021-03-01T00:00:01.1234567Z\"},\"Computer\":\"WS01\"},\"EventData\":{\"Data\":"
                "[{\"@Name\":\"DestinationIp\",\"#text\":\"203.0.113.9\"},{\"@Name\":\"Image\","
                "\"#text\":\"C:\\\\Windows\\\\evil.exe\"},{\"@Name\":\"Empty\"}]}}}"));
    CHECK_STR(fields(), "Event.System.EventID=3[event.code] "
                        "Event.System.TimeCreated.@SystemTime=2021-03-01T00:00:01.1234567Z"
                        "[@timestamp] Event.System.Computer=WS01[host.name] "
                        "Event.EventData.DestinationIp=203.0.113.9[destination.ip] "
                        "Event.EventData.Image=C:\\\\Windows\\\\evil.exe[process.executable] "
                        "Event.EventData.Data.@Name=Empty");
    CHECK_INT(R.time, 1614556801);
    CHECK_INT(R.fields[4].enc, RURU_ENC_JSON);
    CHECK(parse(RURU_LOG_JSON, "{\"winlog\":{\"event_data\":{\"QueryName\":\"evil.example\"}}}"));
    CHECK_STR(fields(), "winlog.event_data.QueryName=evil.example[dns.question.name]");
}

static void test_refused(void)
{
    static const char *const bad[] = {
            "",
            "[]",
            "{",
            "{\"a\":}",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{\"a\":\"x}",
            "{\"a\":1} x",
            "{\"a\":[1,2}",
            "{\"a\":tru e}",
            "{'a':1}",
            "{\"a\":1 \"b\":2}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(!parse(RURU_LOG_JSON, bad[i]));
        if (parse(RURU_LOG_JSON, bad[i]))
            fprintf(stderr, "accepted: %s\n", bad[i]);
    }
    /* nesting deeper than RURU_JSON_DEPTH is refused, not followed */
    CHECK(!parse(
            RURU_LOG_JSON,
            "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"));
    /* more fields than a record holds: kept up to the limit, flagged */
    {
        char line[8192];
        size_t k = 0;
        k += (size_t)snprintf(line + k, sizeof(line) - k, "{");
        for (int i = 0; i < 100; i++)
            k += (size_t)snprintf(line + k, sizeof(line) - k, "%s\"k%d\":%d", i ? "," : "", i, i);
        snprintf(line + k, sizeof(line) - k, "}");
        CHECK(parse(RURU_LOG_JSON, line));
        CHECK_INT(R.n_fields, RURU_MAX_FIELDS);
        CHECK(R.truncated);
    }
}

static void test_unescape(void)
{
    char out[64];
    size_t n;

    n = ruru_json_unescape("http:\\/\\/a\\u00e9\\n\\\"", 20, out, sizeof(out));
    CHECK_INT(n, 12);
    CHECK(n == 12 && memcmp(out, "http://a\xc3\xa9\n\"", 12) == 0);
    n = ruru_json_unescape("\\ud83d\\ude00", 12, out, sizeof(out)); /* U+1F600 */
    CHECK(n == 4 && memcmp(out, "\xf0\x9f\x98\x80", 4) == 0);
    n = ruru_json_unescape("\\ud83dx", 7, out, sizeof(out)); /* lone surrogate */
    CHECK(n == 4 && memcmp(out, "\xef\xbf\xbdx", 4) == 0);
    CHECK(ruru_json_unescape("\\q", 2, out, sizeof(out)) == (size_t)-1);
    CHECK(ruru_json_unescape("\\u12", 4, out, sizeof(out)) == (size_t)-1);
    CHECK(ruru_json_unescape("abc", 3, out, 2) == (size_t)-1);
}

/* Lines of one log parsed in turn: a field's canonical name is its own, whatever the field
 * at its place in the line before was called. */
static void test_lines_in_turn(void)
{
    static const struct {
        enum ruru_log_format f;
        const char *line, *want;
    } lines[] = {
            {RURU_LOG_JSON, "{\"a\":1,\"src_ip\":\"1.2.3.4\"}", "a=1 src_ip=1.2.3.4[source.ip]"},
            {RURU_LOG_JSON, "{\"a\":1,\"src_ip\":\"1.2.3.5\"}", "a=1 src_ip=1.2.3.5[source.ip]"},
            {RURU_LOG_JSON, "{\"a\":1,\"dst_ip\":\"1.2.3.6\"}",
             "a=1 dst_ip=1.2.3.6[destination.ip]"},
            {RURU_LOG_JSON, "{\"b\":1,\"src_ipx\":\"1.2.3.7\"}", "b=1 src_ipx=1.2.3.7"},
            {RURU_LOG_JSON, "{\"b\":2,\"src_ip\":\"1.2.3.8\"}", "b=2 src_ip=1.2.3.8[source.ip]"},
            {RURU_LOG_JSON, "{\"b\":2,\"src_ip\":{\"x\":1}}", "b=2 src_ip.x=1"},
    };

    ruru_jsonlog_init(&J, RURU_LOG_JSON);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        CHECK(ruru_jsonlog_parse(&J, lines[i].line, strlen(lines[i].line), &R));
        CHECK_STR(fields(), lines[i].want);
        /* a name that is its own canonical name points at this line's copy */
        for (size_t k = 0; k < R.n_fields; k++)
            if (strcmp(R.fields[k].canon, R.fields[k].name.ptr) == 0)
                CHECK(R.fields[k].canon == R.fields[k].name.ptr);
    }
    ruru_jsonlog_init(&J, RURU_LOG_EVE);
    CHECK(ruru_jsonlog_parse(&J, "{\"src_ip\":\"1.1.1.1\"}", 20, &R));
    CHECK_STR(fields(), "src_ip=1.1.1.1[source.ip]");
    CHECK(ruru_jsonlog_parse(&J, "{\"dest_ip\":\"1.1.1.2\"}", 21, &R));
    CHECK_STR(fields(), "dest_ip=1.1.1.2[destination.ip]");
}

int main(void)
{
    test_lines_in_turn();
    test_ecs();
    test_eve_zeek();
    test_windows();
    test_refused();
    test_unescape();
    return check_done();
}
