/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Records as STIX cyber-observable objects (pattern/observe.h): the objects a web request, a
 * process start and a mail make, byte for byte; the subset made for a pattern's types (with
 * what those reach by reference); the types a record can show; the text the needles are
 * looked for in beside the line (the values the line does not hold as they are, decoded as
 * the objects' values are).
 */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "pattern/observe.h"
#include "pattern/pattern.h"

static void
add(struct ruru_record *r, const char *canon, const char *value, enum ruru_field_enc enc)
{
    ruru_record_add(r, ruru_str_make(canon, strlen(canon)), canon,
                    ruru_str_make(value, strlen(value)));
    r->fields[r->n_fields - 1].enc = enc;
}

/* The objects as compact JSON with sorted keys (free with free()). */
static char *dump(json_t *objects)
{
    char *s = json_dumps(objects, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(objects);
    return s;
}

static void test_web(void)
{
    struct ruru_record r;
    struct ruru_buf text;
    char *s;

    memset(&r, 0, sizeof(r));
    add(&r, "source.ip", "203.0.113.7", RURU_ENC_RAW);
    add(&r, "destination.ip", "10.0.0.5", RURU_ENC_RAW);
    add(&r, "destination.port", "443", RURU_ENC_RAW);
    add(&r, "http.request.method", "POST", RURU_ENC_RAW);
    add(&r, "url.original", "/owa/auth/x.aspx", RURU_ENC_RAW);
    add(&r, "url.domain", "mail.example.org", RURU_ENC_RAW);
    add(&r, "user_agent.original", "Mozilla/5.0+(X11)", RURU_ENC_PLUS);
    add(&r, "http.response.status_code", "200", RURU_ENC_RAW);

    s = dump(ruru_observe_record(&r));
    CHECK_STR(s, "{\"0\":{\"type\":\"ipv4-addr\",\"value\":\"203.0.113.7\"},"
                 "\"1\":{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.5\"},"
                 "\"2\":{\"dst_port\":443,\"dst_ref\":\"1\",\"extensions\":{\"http-request-ext\":"
                 "{\"request_header\":{\"Host\":\"mail.example.org\",\"User-Agent\":"
                 "\"Mozilla/5.0 (X11)\"},\"request_method\":\"POST\",\"request_value\":"
                 "\"/owa/auth/x.aspx\"}},\"src_ref\":\"0\",\"type\":\"network-traffic\"},"
                 "\"3\":{\"type\":\"url\",\"value\":\"http://mail.example.org/owa/auth/x.aspx\"},"
                 "\"4\":{\"type\":\"domain-name\",\"value\":\"mail.example.org\"}}");
    free(s);
    /* a pattern on domain names gets those alone; one on addresses gets the traffic too */
    s = dump(ruru_observe_record_of(&r, ruru_observe_type_bit("domain-name")));
    CHECK_STR(s, "{\"0\":{\"type\":\"domain-name\",\"value\":\"mail.example.org\"}}");
    free(s);
    s = dump(ruru_observe_record_of(&r, ruru_observe_type_bit("ipv4-addr")));
    CHECK(strstr(s, "\"network-traffic\"") != NULL && strstr(s, "\"url\"") == NULL);
    free(s);
    CHECK_INT(ruru_observe_types(&r),
              ruru_observe_type_bit("ipv4-addr") | ruru_observe_type_bit("ipv6-addr") |
                      ruru_observe_type_bit("network-traffic") | ruru_observe_type_bit("url") |
                      ruru_observe_type_bit("domain-name"));

    ruru_buf_init(&text, 1u << 20);
    CHECK(ruru_observe_text(&r, NULL, 0, &text));
    /* without a line: every field read, decoded ('+' is a space in W3C); the status code is
     * not read */
    CHECK_STR(ruru_buf_str(&text), "203.0.113.7\n10.0.0.5\n443\nPOST\n/owa/auth/x.aspx\n"
                                   "mail.example.org\nMozilla/5.0 (X11)\n");
    ruru_buf_fini(&text);
}

static void test_process_and_mail(void)
{
    struct ruru_record r;
    struct ruru_buf text;
    char *s;

    memset(&r, 0, sizeof(r));
    add(&r, "process.executable", "C:\\\\Windows\\\\System32\\\\cmd.exe", RURU_ENC_JSON);
    add(&r, "process.command_line", "cmd.exe /c whoami", RURU_ENC_RAW);
    add(&r, "process.pid", "4711", RURU_ENC_RAW);
    add(&r, "file.path", "C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\sh\\u0065ll.aspx",
        RURU_ENC_JSON);
    add(&r, "email.from.address", "a@evil.example", RURU_ENC_RAW);
    add(&r, "email.subject", "invoice", RURU_ENC_RAW);

    s = dump(ruru_observe_record(&r));
    CHECK_STR(s, "{\"0\":{\"path\":\"C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\",\"type\":"
                 "\"directory\"},\"1\":{\"name\":\"shell.aspx\",\"parent_directory_ref\":\"0\","
                 "\"type\":\"file\"},\"2\":{\"name\":\"cmd.exe\",\"type\":\"file\"},"
                 "\"3\":{\"command_line\":\"cmd.exe /c whoami\",\"image_ref\":\"2\",\"pid\":4711,"
                 "\"type\":\"process\"},\"4\":{\"type\":\"email-addr\",\"value\":"
                 "\"a@evil.example\"},\"5\":{\"from_ref\":\"4\",\"subject\":\"invoice\","
                 "\"type\":\"email-message\"}}");
    free(s);
    /* a pattern on files sees the process's image too (a [file:name = 'cmd.exe'] holds) */
    s = dump(ruru_observe_record_of(&r, ruru_observe_type_bit("file")));
    CHECK(strstr(s, "\"cmd.exe\"") != NULL && strstr(s, "email") == NULL);
    free(s);
    s = dump(ruru_observe_record_of(&r, ruru_observe_type_bit("email-addr")));
    CHECK_STR(s, "{\"0\":{\"type\":\"email-addr\",\"value\":\"a@evil.example\"},"
                 "\"1\":{\"from_ref\":\"0\",\"subject\":\"invoice\",\"type\":\"email-message\"}}");
    free(s);
    ruru_buf_init(&text, 1u << 20);
    CHECK(ruru_observe_text(&r, NULL, 0, &text));
    /* JSON escapes decoded: the needle "shell.aspx" is in the text as in the objects */
    CHECK(strstr(ruru_buf_str(&text), "\\aspnet_client\\shell.aspx\n") != NULL);
    CHECK(strstr(ruru_buf_str(&text), "C:\\Windows\\System32\\cmd.exe\n") != NULL);
    ruru_buf_fini(&text);
}

/* With the record's line: only what the line does not hold as it is. */
static void test_text_beside_line(void)
{
    static const char line[] = "{\"url\":{\"domain\":\"a.example\",\"path\":\"/sh\\u0065ll\"}}";
    struct ruru_record r;
    struct ruru_buf text;
    const char *dom = strstr(line, "a.example"), *path = strstr(line, "/sh");

    memset(&r, 0, sizeof(r));
    ruru_record_add(&r, ruru_str_make("url.domain", 10), "url.domain", ruru_str_make(dom, 9));
    ruru_record_add(&r, ruru_str_make("url.path", 8), "url.path", ruru_str_make(path, 11));
    r.fields[1].enc = RURU_ENC_JSON;
    add(&r, "user.name", "made-by-the-parser", RURU_ENC_RAW); /* not in the line */
    ruru_buf_init(&text, 1u << 20);
    CHECK(ruru_observe_text(&r, line, strlen(line), &text));
    CHECK_STR(ruru_buf_str(&text), "/shell\nmade-by-the-parser\n");
    ruru_buf_fini(&text);
}

/* Bytes that are not UTF-8 (the client writes its user agent) keep the field: each becomes
 * U+FFFD, the rest stays, and a pattern still sees it. */
static void test_not_utf8(void)
{
    struct ruru_record r;
    struct ruru_pattern *p;
    struct ruru_diag d;
    struct ruru_pattern_obs o;
    size_t members[1], n_members;
    bool matched = false;
    json_t *objs;
    char *s;
    static const char pat[] = "[network-traffic:extensions.'http-request-ext'.request_header."
                              "'User-Agent' LIKE 'Evil%Agent']";

    memset(&r, 0, sizeof(r));
    add(&r, "source.ip", "203.0.113.7", RURU_ENC_RAW);
    add(&r, "user_agent.original",
        "Evil\xff\xc3"
        "Agent",
        RURU_ENC_RAW);
    objs = ruru_observe_record(&r);
    s = json_dumps(objs, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    CHECK(strstr(s, "\"User-Agent\":\"Evil\\uFFFD\\uFFFDAgent\"") != NULL);
    free(s);
    CHECK_INT(ruru_pattern_compile(pat, strlen(pat), &p, &d), RURU_OK);
    memset(&o, 0, sizeof(o));
    o.count = 1;
    o.objects = objs;
    CHECK_INT(ruru_pattern_match(p, &o, 1, &matched, members, 1, &n_members, &d), RURU_OK);
    CHECK(matched);
    ruru_pattern_destroy(p);
    json_decref(objs);
}

static void test_nothing(void)
{
    struct ruru_record r;
    struct ruru_buf text;
    char *s;

    memset(&r, 0, sizeof(r));
    add(&r, "event.code", "4624", RURU_ENC_RAW);
    add(&r, "source.ip", "", RURU_ENC_RAW); /* empty: not a value */
    s = dump(ruru_observe_record(&r));
    CHECK_STR(s, "{}");
    free(s);
    CHECK_INT(ruru_observe_types(&r), 0);
    ruru_buf_init(&text, 1u << 20);
    CHECK(ruru_observe_text(&r, NULL, 0, &text));
    CHECK_INT(text.len, 0);
    ruru_buf_fini(&text);
    CHECK_INT(ruru_observe_type_bit("x509-certificate"), 0);
}

int main(void)
{
    test_web();
    test_process_and_mail();
    test_text_beside_line();
    test_not_utf8();
    test_nothing();
    return check_done();
}
