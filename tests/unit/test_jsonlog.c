/* SPDX-License-Identifier: Apache-2.0 */
/* The zero-copy JSON line scanner: flattened names, canonical names per dialect, times,
 * Windows event data, escapes, and what it refuses. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json_oracle.h"
#include "logs/json.h"
#include "xorshift.h"

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

/* Random JSON-like lines: keys that are times in some dialect or lead to one, values of every
 * kind (escapes, Windows Data items, nulls), white space, sometimes damaged; sometimes more
 * fields, a longer path or a deeper nesting than a record keeps. */
static uint64_t rnd;

static unsigned pick(unsigned n)
{
    return (unsigned)(xorshift(&rnd) % n);
}

static void put(char *b, size_t *k, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (*k + n < cap) {
        memcpy(b + *k, s, n);
        *k += n;
    }
}

static void gen_value(char *b, size_t *k, size_t cap, int depth);

static void gen_ws(char *b, size_t *k, size_t cap)
{
    static const char *const ws[] = {"", "", "", "", " ", "\t", " \r\n "};
    put(b, k, cap, ws[pick(7)]);
}

static void gen_object(char *b, size_t *k, size_t cap, int depth)
{
    static const char *const keys[] = {
            "@timestamp",
            "timestamp",
            "time",
            "ts",
            "Event",
            "System",
            "TimeCreated",
            "SystemTime",
            "@SystemTime",
            "#attributes",
            "a",
            "src_ip",
            "event",
            "b.c",
            "k\\u0041",
            "k\x01",
            "Data",
            "tls",
            "t",
            "E",
            "a_long_key_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    unsigned n = depth > 6 ? 0 : pick(depth == 0 ? 9 : 4);

    if (depth < 40 && pick(50) == 0)
        n = 1; /* a deep one */
    put(b, k, cap, "{");
    gen_ws(b, k, cap);
    for (unsigned i = 0; i < n; i++) {
        if (i > 0) {
            put(b, k, cap, ",");
            gen_ws(b, k, cap);
        }
        put(b, k, cap, "\"");
        put(b, k, cap, keys[pick(sizeof(keys) / sizeof(keys[0]))]);
        put(b, k, cap, "\"");
        gen_ws(b, k, cap);
        put(b, k, cap, ":");
        gen_ws(b, k, cap);
        gen_value(b, k, cap, depth + 1);
        gen_ws(b, k, cap);
    }
    put(b, k, cap, "}");
}

static void gen_value(char *b, size_t *k, size_t cap, int depth)
{
    static const char *const scalars[] = {"\"2021-03-01T00:00:02.183Z\"",
                                          "\"2021-03-01 00:00:02\"",
                                          "\"1614556800.5\"",
                                          "1614556800.25",
                                          "\"x\"",
                                          "\"\"",
                                          "\"a\\\"b\"",
                                          "\"C:\\\\x\"",
                                          "null",
                                          "true",
                                          "false",
                                          "12",
                                          "-1.5e3",
                                          "nul",
                                          "1x",
                                          "trux",
                                          "nulx",
                                          "fals",
                                          "falsy",
                                          "-",
                                          "\"\x01\"",
                                          "\"1.2.3.4\"",
                                          "0"};
    unsigned w = pick(depth > 34 ? 1 : 10);

    if (w == 0 || depth > 34) {
        put(b, k, cap, scalars[pick(sizeof(scalars) / sizeof(scalars[0]))]);
    } else if (w < 3) {
        gen_object(b, k, cap, depth);
    } else if (w < 5) {
        unsigned n = pick(5);
        put(b, k, cap, "[");
        for (unsigned i = 0; i < n; i++) {
            if (i > 0)
                put(b, k, cap, ",");
            if (pick(3) == 0)
                put(b, k, cap,
                    pick(2) ? "{\"@Name\":\"SystemTime\",\"#text\":\"2021-03-01T00:00:09Z\"}"
                            : "{\"Name\":\"x\",\"#text\":\"a\\\\b\"}");
            else
                gen_value(b, k, cap, depth + 1);
        }
        put(b, k, cap, "]");
    } else {
        put(b, k, cap, scalars[pick(sizeof(scalars) / sizeof(scalars[0]))]);
    }
}

/* The skim says yes exactly when the parse takes the line and keeps every field, the line
 * holding no backslash and no array an object, and then gives the same time. Counts in the
 * totals; false when they differ. */
static size_t skim_yes, skim_timed, skim_truncated;

static bool same_skim(const char *line, size_t k)
{
    static const enum ruru_log_format formats[] = {RURU_LOG_JSON, RURU_LOG_EVE, RURU_LOG_ZEEK_JSON};

    for (size_t f = 0; f < 3; f++) {
        int64_t t = 0;
        bool skimmed, parsed, plain = true;
        ruru_jsonlog_init(&J, formats[f]);
        skimmed = ruru_jsonlog_skim(&J, line, k, &t);
        parsed = ruru_jsonlog_parse(&J, line, k, &R);
        for (size_t i = 0; parsed && i < R.n_fields; i++)
            plain = plain && R.fields[i].enc == RURU_ENC_RAW;
        if (skimmed != (parsed && !R.truncated && plain && memchr(line, '\\', k) == NULL &&
                        !object_in_array(line, k)) ||
            (skimmed && t != R.time)) {
            check_failed++;
            fprintf(stderr,
                    "format %zu: skim %d, parse %d (truncated %d, plain %d), time %lld/%lld: "
                    "%.*s\n",
                    f, skimmed, parsed, parsed && R.truncated, plain, (long long)t,
                    (long long)R.time, (int)(k < 300 ? k : 300), line);
            return false;
        }
        skim_yes += skimmed;
        skim_timed += skimmed && t != RURU_TIME_NONE;
        skim_truncated += parsed && R.truncated;
    }
    return true;
}

/* A line of n fields "a":1 (keys of klen bytes) and then a time field. */
static void fields_then_time(char *b, size_t cap, size_t n, size_t klen, const char *last)
{
    size_t k = 0;
    char key[600];

    memset(key, 'k', klen);
    key[klen] = '\0';
    put(b, &k, cap, "{");
    for (size_t i = 0; i < n; i++) {
        put(b, &k, cap, i ? ",\"" : "\"");
        put(b, &k, cap, key);
        put(b, &k, cap, "\":1");
    }
    put(b, &k, cap, n ? "," : "");
    put(b, &k, cap, last);
    put(b, &k, cap, "}");
    b[k] = '\0';
}

static void test_skim(void)
{
    static char line[1 << 16];
    static const char *const lines[] = {
            "{\"Event\":{\"System\":{\"TimeCreated\":{\"SystemTime\":\"2021-03-01T00:00:05Z\"}}}}",
            "{\"Event\":{\"System\":{\"TimeCreated\":{\"@SystemTime\":\"2021-03-01T00:00:06Z\"}}}}",
            ("{\"@timestamp\":\"x\",\"Event\":{\"System\":{\"TimeCreated\":{\"#attributes\":"
             "{\"SystemTime\":\"2021-03-01T00:00:07Z\"}}}}}"),
            "{\"Event.System.TimeCreated.SystemTime\":\"2021-03-01T00:00:08Z\"}",
            "{\"ts\":1614556800.5,\"timestamp\":\"2021-03-01T00:00:09Z\",\"time\":\"2021-03-01\"}",
            "{\"time\":\"2021-03-01T00:00:10Z\",\"@timestamp\":\"2021-03-01T00:00:11Z\"}",
            "{\"a\":\"x\\\"y\"}",
            "{\"k\\\"\":\"v\"}",
    };
    int bad = 0;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        bad += !same_skim(lines[i], strlen(lines[i]));
    /* nesting at the deepest parse follows, and one deeper */
    for (int d = RURU_JSON_DEPTH - 1; d <= RURU_JSON_DEPTH + 1; d++) {
        for (int arr = 0; arr < 2; arr++) {
            size_t k = 0;
            for (int i = 0; i < d; i++)
                put(line, &k, sizeof(line), arr && i > 0 ? "[" : i ? "{\"a\":" : "{\"t\":");
            put(line, &k, sizeof(line), "1");
            for (int i = d - 1; i >= 0; i--)
                put(line, &k, sizeof(line), arr && i > 0 ? "]" : "}");
            line[k] = '\0';
            bad += !same_skim(line, k);
        }
    }
    /* a null is no field: the 64th field is then the time */
    fields_then_time(line, sizeof(line), RURU_MAX_FIELDS - 1, 1,
                     "\"n\":null,\"@timestamp\":\"2021-03-01T00:00:04Z\"");
    bad += !same_skim(line, strlen(line));
    /* about the record's limits: fields, name bytes, path length */
    for (size_t n = RURU_MAX_FIELDS - 2; n <= RURU_MAX_FIELDS + 1; n++) {
        fields_then_time(line, sizeof(line), n, 1, "\"@timestamp\":\"2021-03-01T00:00:02Z\"");
        bad += !same_skim(line, strlen(line));
        fields_then_time(line, sizeof(line), n, 1, "\"a\":\"x\\\\y\"");
        bad += !same_skim(line, strlen(line));
    }
    for (size_t last = 168; last <= 174; last++) {
        char key[200], tail[260];
        memset(key, 't', last);
        key[last] = '\0';
        snprintf(tail, sizeof(tail), "\"%s\":\"2021-03-01T00:00:03Z\"", key);
        /* 20 names of 401 bytes (400 and a NUL), then one of last + 1 */
        fields_then_time(line, sizeof(line), 20, 400, tail);
        bad += !same_skim(line, strlen(line));
    }
    for (size_t second = 306; second <= 312; second++) {
        char a[300], b2[320];
        memset(a, 'a', 200);
        a[200] = '\0';
        memset(b2, 'b', second);
        b2[second] = '\0';
        snprintf(line, sizeof(line), "{\"%s\":{\"%s\":1,\"c\":2}}", a, b2);
        bad += !same_skim(line, strlen(line));
    }
    /* random lines */
    rnd = 0x9e3779b97f4a7c15ull;
    for (int it = 0; it < 30000 && bad == 0; it++) {
        size_t k = 0;
        gen_ws(line, &k, sizeof(line));
        gen_object(line, &k, sizeof(line), 0);
        gen_ws(line, &k, sizeof(line));
        if (k > 0 && pick(8) == 0) {
            /* damaged: a byte changed, or the line cut */
            static const char bytes[] = "{}[]\",: \\0an";
            if (pick(2))
                line[pick((unsigned)k)] = bytes[pick(sizeof(bytes) - 1)];
            else
                k = pick((unsigned)k);
        }
        bad += !same_skim(line, k);
    }
    CHECK_INT(bad, 0);
    /* the cases are all there */
    CHECK(skim_yes > 10000);
    CHECK(skim_timed > 300);
    CHECK(skim_truncated >= 20);
}

int main(void)
{
    test_skim();
    test_lines_in_turn();
    test_ecs();
    test_eve_zeek();
    test_windows();
    test_refused();
    test_unescape();
    return check_done();
}
