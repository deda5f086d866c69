/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sigma engine: one-line table tests of every modifier and condition form, refusals with
 * their exact reasons, and field lookup across log formats. Each case is a rule's detection,
 * an event as one JSON line, and whether the rule must match it.
 */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "logs/json.h"
#include "rules/sigma.h"

static char last_error[512];

static void
on_file(void *ctx, const char *path, size_t n, enum ruru_err err, const struct ruru_diag *why)
{
    (void)ctx;
    (void)path;
    (void)n;
    if (err != RURU_OK && why != NULL)
        snprintf(last_error, sizeof(last_error), "%" PRIu64 ":%" PRIu64 ": %s", why->line, why->col,
                 why->msg);
}

static int on_hit(const struct ruru_rule_hit *h, void *ctx)
{
    (void)h;
    (*(int *)ctx)++;
    return 0;
}

/* 1 match, 0 no match, -1 the rule was refused (last_error says why). */
static int eval(const char *rule, const char *event)
{
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_diag d;
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    int hits = 0, res;

    last_error[0] = '\0';
    CHECK_INT(ruru_rules_create(&rs), RURU_OK);
    CHECK_INT(ruru_rules_load_buffer(rs, rule, strlen(rule), "t.yml", on_file, NULL, &d), RURU_OK);
    CHECK_INT(ruru_rules_compile(rs, on_file, NULL, &d), RURU_OK);
    if (ruru_rules_count(rs) == 0) {
        res = -1;
        goto out;
    }
    CHECK_INT(ruru_rules_scratch_create(rs, &sc), RURU_OK);
    ruru_jsonlog_init(j, RURU_LOG_JSON);
    CHECK(ruru_jsonlog_parse(j, event, strlen(event), r));
    ruru_rules_match(rs, sc, r, event, strlen(event), on_hit, &hits);
    res = hits > 0;
out:
    ruru_rules_scratch_destroy(sc);
    ruru_rules_destroy(rs);
    free(j);
    free(r);
    return res;
}

/* A rule around a detection given as YAML lines (indented by 4 under "detection:"). Its
 * logsource is none ruru maps, so it sees generic JSON records (not Windows events: an event
 * with an EventID is one). */
static char *rule_of(const char *detection)
{
    static char buf[8192];

    snprintf(buf, sizeof(buf),
             "title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    product: test\n"
             "detection:\n%s",
             detection);
    return buf;
}

#define MATCH(det, ev)   CHECK_INT(eval(rule_of(det), ev), 1)
#define NOMATCH(det, ev) CHECK_INT(eval(rule_of(det), ev), 0)
#define REFUSED(det, why)                        \
    do {                                         \
        CHECK_INT(eval(rule_of(det), "{}"), -1); \
        CHECK_STR(last_error, why);              \
    } while (0)

static void test_values(void)
{
    const char *ev = "{\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":"
                     "\"cmd.exe /c whoami -all\",\"Code\":4688,\"Port\":\"8080\"}";

    /* equality ignores case; wildcards; escapes */
    MATCH("    sel:\n        Image: 'c:\\windows\\system32\\CMD.EXE'\n    condition: sel\n", ev);
    MATCH("    sel:\n        Image: 'C:\\\\Windows\\\\System32\\\\cmd.exe'\n    condition: sel\n",
          ev);
    NOMATCH("    sel:\n        Image: 'cmd.exe'\n    condition: sel\n", ev);
    MATCH("    sel:\n        Image: '*\\cmd.exe'\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Image: 'C:\\*\\cmd.exe'\n    condition: sel\n", ev); /* \* is '*' */
    MATCH("    sel:\n        Image: 'C:\\\\*\\cmd.exe'\n    condition: sel\n", ev);
    MATCH("    sel:\n        Image: 'C:\\Windows\\System??\\cmd.exe'\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Image: 'C:\\Windows\\System?\\cmd.exe'\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        CommandLine: 'cmd.exe /c whoami \\*'\n    condition: sel\n", ev);
    /* numbers and lists */
    MATCH("    sel:\n        Code: 4688\n    condition: sel\n", ev);
    MATCH("    sel:\n        Code:\n            - 1\n            - 4688\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Code: 468\n    condition: sel\n", ev);
    /* contains / startswith / endswith / all / cased */
    MATCH("    sel:\n        CommandLine|contains: WHOAMI\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        CommandLine|contains|cased: WHOAMI\n    condition: sel\n", ev);
    MATCH("    sel:\n        CommandLine|startswith: 'cmd.exe /c'\n    condition: sel\n", ev);
    MATCH("    sel:\n        CommandLine|endswith: '-ALL'\n    condition: sel\n", ev);
    MATCH("    sel:\n        CommandLine|contains|all:\n            - whoami\n            - '/c'\n"
          "    condition: sel\n",
          ev);
    NOMATCH("    sel:\n        CommandLine|contains|all:\n            - whoami\n            - "
            "net\n    condition: sel\n",
            ev);
    /* windash: "-all" also as "/all", "–all" ... */
    MATCH("    sel:\n        CommandLine|windash|contains: ' /all'\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        CommandLine|contains: ' /all'\n    condition: sel\n", ev);
    /* re with flags */
    MATCH("    sel:\n        CommandLine|re: 'who[a-z]+ -a'\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        CommandLine|re: 'WHOAMI'\n    condition: sel\n", ev);
    MATCH("    sel:\n        CommandLine|re|i: 'WHOAMI'\n    condition: sel\n", ev);
    /* numeric comparisons */
    MATCH("    sel:\n        Port|gte: 8080\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Port|gt: 8080\n    condition: sel\n", ev);
    MATCH("    sel:\n        Code|lt: 5000\n    condition: sel\n", ev);
    /* exists, null, neq */
    MATCH("    sel:\n        Image|exists: true\n    condition: sel\n", ev);
    MATCH("    sel:\n        Missing|exists: false\n    condition: sel\n", ev);
    MATCH("    sel:\n        Missing: null\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Image: null\n    condition: sel\n", ev);
    MATCH("    sel:\n        Code|neq: 1\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        Code|neq: 4688\n    condition: sel\n", ev);
    /* fieldref */
    MATCH("    sel:\n        CommandLine|fieldref|contains: Nothing\n    condition: not sel\n", ev);
    CHECK_INT(eval(rule_of("    sel:\n        A|fieldref: B\n    condition: sel\n"),
                   "{\"A\":\"x.EXE\",\"B\":\"X.exe\"}"),
              1);
    CHECK_INT(eval(rule_of("    sel:\n        A|fieldref|cased: B\n    condition: sel\n"),
                   "{\"A\":\"x.EXE\",\"B\":\"X.exe\"}"),
              0);
    /* cidr */
    CHECK_INT(eval(rule_of("    sel:\n        ip|cidr: 10.0.0.0/8\n    condition: sel\n"),
                   "{\"ip\":\"10.20.30.40\"}"),
              1);
    CHECK_INT(eval(rule_of("    sel:\n        ip|cidr: 10.0.0.0/8\n    condition: sel\n"),
                   "{\"ip\":\"11.20.30.40\"}"),
              0);
    CHECK_INT(eval(rule_of("    sel:\n        ip|cidr: 'fd00::/8'\n    condition: sel\n"),
                   "{\"ip\":\"fd12::1\"}"),
              1);
    /* time parts */
    CHECK_INT(eval(rule_of("    sel:\n        t|hour|gte: 20\n    condition: sel\n"),
                   "{\"t\":\"2024-07-12T22:15:00Z\"}"),
              1);
    CHECK_INT(eval(rule_of("    sel:\n        t|month: 7\n    condition: sel\n"),
                   "{\"t\":\"2024-07-12T22:15:00Z\"}"),
              1);
}

static void test_encodings(void)
{
    /* "ping" as UTF-16LE, base64: cGluZw== ; UTF-16LE base64: cABpAG4AZwA= */
    CHECK_INT(eval(rule_of("    sel:\n        v|base64: ping\n    condition: sel\n"),
                   "{\"v\":\"cGluZw==\"}"),
              1);
    CHECK_INT(eval(rule_of("    sel:\n        v|wide|base64: ping\n    condition: sel\n"),
                   "{\"v\":\"cABpAG4AZwA=\"}"),
              1);
    /* base64offset: "ping" inside longer base64 text at each of the three offsets */
    CHECK_INT(eval(rule_of("    sel:\n        v|base64offset|contains: ping\n    condition: sel\n"),
                   "{\"v\":\"eHBpbmd4\"}"), /* "xpingx" */
              1);
    CHECK_INT(eval(rule_of("    sel:\n        v|base64offset|contains: ping\n    condition: sel\n"),
                   "{\"v\":\"eHhwaW5neA==\"}"), /* "xxpingx" */
              1);
    CHECK_INT(eval(rule_of("    sel:\n        v|base64offset|contains: ping\n    condition: sel\n"),
                   "{\"v\":\"eHh4cGluZw==\"}"), /* "xxxping" */
              1);
    CHECK_INT(eval(rule_of("    sel:\n        v|base64offset|contains: ping\n    condition: sel\n"),
                   "{\"v\":\"eHh4cG9uZw==\"}"), /* "xxxpong" */
              0);
    /* utf16be and utf16 with BOM, on decoded JSON escapes */
    CHECK_INT(eval(rule_of("    sel:\n        v|utf16be|contains: ab\n    condition: sel\n"),
                   "{\"v\":\"\\u0000a\\u0000b\"}"),
              1);
    CHECK_INT(eval(rule_of("    sel:\n        v|utf16|base64: ab\n    condition: sel\n"),
                   "{\"v\":\"//5hAGIA\"}"),
              1);
}

static void test_conditions(void)
{
    const char *ev = "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}";
    const char *sels = "    sel_a:\n        a: 1\n    sel_b:\n        b: 2\n    sel_x:\n        "
                       "x: 9\n    _hidden:\n        c: 3\n";
    char det[1024];

#define COND(c, want)                                                 \
    do {                                                              \
        snprintf(det, sizeof(det), "%s    condition: %s\n", sels, c); \
        CHECK_INT(eval(rule_of(det), ev), want);                      \
    } while (0)
    COND("sel_a and sel_b", 1);
    COND("sel_a and sel_x", 0);
    COND("sel_a or sel_x", 1);
    COND("not sel_x", 1);
    COND("sel_a and not sel_b", 0);
    COND("sel_x or sel_a and sel_b", 1); /* and binds tighter */
    COND("(sel_x or sel_a) and sel_b", 1);
    COND("not (sel_a or sel_x)", 0);
    COND("1 of sel_*", 1);
    COND("all of sel_*", 0);
    COND("any of sel_*", 1);
    COND("all of sel_a*", 1);
    COND("1 of them", 1);
    COND("all of them", 0); /* them leaves out _hidden, but holds sel_x */
    COND("_hidden and not 1 of sel_x*", 1);
    COND("sel_a AND sel_b", 1);
#undef COND
    /* a list of conditions is ORed */
    MATCH("    s1:\n        a: 9\n    s2:\n        b: 2\n    condition:\n        - s1\n        - "
          "s2\n",
          ev);
    /* list of maps: ORed; keywords */
    MATCH("    sel:\n        - a: 9\n        - b: 2\n    condition: sel\n", ev);
    NOMATCH("    sel:\n        - a: 9\n        - b: 9\n    condition: sel\n", ev);
    MATCH("    kw:\n        - 'nothing'\n        - '\"b\":\"2'\n    condition: kw\n", ev);
    MATCH("    kw:\n        '|all':\n            - '\"a\"'\n            - '\"c\"'\n    condition: "
          "kw\n",
          ev);
}

static void test_refusals(void)
{
    REFUSED("    sel:\n        a: 1\n    condition: sel and nope\n",
            "8:24: the condition names \"nope\", which is no search");
    REFUSED("    sel:\n        a: 1\n    condition: sel |\n",
            "8:20: an aggregation in the condition is Sigma v1: write a correlation rule");
    REFUSED("    sel:\n        a: 1\n    condition: 1 of x*\n", "8:23: no search matches \"x*\"");
    REFUSED("    sel:\n        a|frob: 1\n    condition: sel\n", "7:9: a|frob: unknown modifier");
    REFUSED("    sel:\n        a|re: '(unclosed'\n    condition: sel\n",
            "7:9: a|re: regular expression at offset 9: missing closing parenthesis");
    REFUSED("    sel:\n        a|contains|startswith: x\n    condition: sel\n",
            "7:9: a|contains|startswith: contains, startswith and endswith exclude each other");
    REFUSED("    sel:\n        a|expand: '%Servers%'\n    condition: sel\n",
            "7:9: a|expand: placeholder %Servers% is not defined (define it in the config)");
    REFUSED("    sel:\n        a|gt: many\n    condition: sel\n",
            "7:9: a|gt: a comparison needs a number");
    REFUSED("    sel:\n        a: 1\n", "6:5: no \"condition\"");
    REFUSED("    sel:\n        a|base64: 'x*'\n    condition: sel\n",
            "7:9: a|base64: wildcards cannot be encoded: escape them (\\*) or drop the encoding");
    CHECK_INT(eval("title: x\nlogsource: {product: a}\ndetection: [1]\n", "{}"), -1);
    CHECK_STR(last_error, "3:12: \"detection\" must be a map");
    CHECK_INT(eval("title: [x\n", "{}"), -1);
}

int main(void)
{
    test_values();
    test_encodings();
    test_conditions();
    test_refusals();
    return check_done();
}
