/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sigma engine: one-line table tests of every modifier and condition form, refusals with
 * their exact reasons, and field lookup across log formats. Each case is a rule's detection,
 * an event as one JSON line, and whether the rule must match it.
 */
#include <jansson.h>
#include <stdlib.h>

#include "check.h"
#include "logs/detect.h"
#include "logs/json.h"
#include "rules/sigma.h"
#include "rules/sigma_int.h" /* rs->pre: the rules asked without the prefilter */

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

static uint64_t last_failed; /* ruru_rules_failed after the last eval */

/* 1 match, 0 no match, -1 the rule was refused (last_error says why). */
static int eval(const char *rule, const char *event)
{
    static const char *const ties[] = {"test=t.json"};
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_rules_input *in = NULL;
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
    /* the event's input is tied to the rules' logsource (product: test) */
    CHECK_INT(ruru_rules_input_create(rs, "t.json", RURU_KIND_JSONL, ties, 1, &in, &d), RURU_OK);
    ruru_rules_scratch_input(sc, in);
    ruru_jsonlog_init(j, RURU_LOG_JSON);
    CHECK(ruru_jsonlog_parse(j, event, strlen(event), r));
    ruru_rules_match(rs, sc, r, event, strlen(event), on_hit, &hits);
    last_failed = ruru_rules_failed(sc);
    res = hits > 0;
out:
    ruru_rules_scratch_destroy(sc);
    ruru_rules_input_destroy(in);
    ruru_rules_destroy(rs);
    free(j);
    free(r);
    return res;
}

/* A rule around a detection given as YAML lines (indented by 4 under "detection:"). Its
 * logsource is none ruru maps to a format: eval ties the event's input to it. */
static char *rule_of(const char *detection)
{
    static char buf[16384];

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
    /* Sigma's W3C and network names found by the taxonomy in an event of ECS names */
    MATCH("    sel:\n        cs-method: POST\n        sc-status: 200\n        dst_port: 443\n"
          "    condition: sel\n",
          "{\"http\":{\"request\":{\"method\":\"POST\"},\"response\":{\"status_code\":200}},"
          "\"destination\":{\"port\":443}}");
    NOMATCH("    sel:\n        cs-method: GET\n    condition: sel\n",
            "{\"http\":{\"request\":{\"method\":\"POST\"}}}");
    /* windash under |all: each written value by one of its spellings (" -c" as " /c") */
    MATCH("    sel:\n        CommandLine|windash|contains|all:\n            - ' -c'\n"
          "            - ' /all'\n    condition: sel\n",
          ev);
    NOMATCH("    sel:\n        CommandLine|windash|contains|all:\n            - ' -c'\n"
            "            - ' /priv'\n    condition: sel\n",
            ev);
    /* base64offset under |all: each value in one of its three shifts */
    MATCH("    sel:\n        Blob|base64offset|contains|all:\n            - whoami\n"
          "            - '-all'\n    condition: sel\n",
          "{\"Blob\":\"Y21kIC9jIHdob2FtaSAtYWxs\"}");
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

/* An item of many whole values is tested through one set (compile.c): the same answers as
 * value by value, whatever the case, with other kinds of values beside, and for values longer
 * than any in the set. */
static void test_value_sets(void)
{
    static char det[8192], long_ev[4096], long_val[2100];
    const char *ev = "{\"UA\":\"Mozilla/5.0 WinInet\",\"Other\":\"x\"}";
    size_t at = 0;

    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA:\n");
    for (int i = 0; i < 20; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'agent-%d/1.0'\n", i);
    snprintf(det + at, sizeof(det) - at,
             "            - 'M'\n            - '*zeroup*'\n"
             "    condition: sel\n");
    NOMATCH(det, ev);
    MATCH(det, "{\"UA\":\"AGENT-7/1.0\"}");    /* case ignored, as one by one */
    MATCH(det, "{\"UA\":\"m\"}");              /* a short value in the set */
    MATCH(det, "{\"UA\":\"a zeroup b\"}");     /* a wildcard value beside the set */
    NOMATCH(det, "{\"UA\":\"agent-7/1.0 \"}"); /* whole values only */
    NOMATCH(det, "{\"Other\":\"agent-7/1.0\"}");
    CHECK_INT(eval(rule_of(det), "{\"UA\":\"agent-19/1.0\"}"), 1);
    /* not: the set is asked inside a negation the same way */
    {
        static char neg[8192];
        snprintf(neg, sizeof(neg), "%s", det);
        char *c = strstr(neg, "    condition: sel\n");
        snprintf(c, sizeof(neg) - (size_t)(c - neg),
                 "    other:\n        Other: 'x'\n    condition: other and not sel\n");
        MATCH(neg, ev);
        NOMATCH(neg, "{\"UA\":\"Agent-3/1.0\",\"Other\":\"x\"}");
    }
    /* a value longer than any in the set: the other values still see it */
    memset(long_val, 'a', sizeof(long_val) - 1);
    long_val[sizeof(long_val) - 1] = '\0';
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA:\n");
    for (int i = 0; i < 9; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'v%d'\n", i);
    snprintf(det + at, sizeof(det) - at, "            - '%s*'\n    condition: sel\n", long_val);
    snprintf(long_ev, sizeof(long_ev), "{\"UA\":\"%sB\"}", long_val);
    MATCH(det, long_ev);
    MATCH(det, "{\"UA\":\"V8\"}");
    /* |cased values are not in the set: case counts */
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA|cased:\n");
    for (int i = 0; i < 10; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'Case%d'\n", i);
    snprintf(det + at, sizeof(det) - at, "    condition: sel\n");
    MATCH(det, "{\"UA\":\"Case4\"}");
    NOMATCH(det, "{\"UA\":\"case4\"}");
}

/* Regexes run in Vectorscan when it takes them and the value is ASCII, in PCRE2 otherwise:
 * the same answers either way. Vectorscan's no is not trusted (it misses some matches at the
 * end of a buffer, match/literal.h): PCRE2 decides it, and a regex that backtracks without end
 * is counted as a failure and taken as no match. */
/* An item of many substring values (contains / startswith / endswith, as wildcards or
 * modifiers) is one Vectorscan scan of the value: the same answers as value by value, a
 * prefix only at the start, a suffix only at the end, case ignored unless |cased. */
static void test_value_lits(void)
{
    static char det[8192];
    size_t at = 0;

    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA:\n");
    for (int i = 0; i < 8; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - '*frag%d*'\n", i);
    snprintf(det + at, sizeof(det) - at,
             "            - 'Start/*'\n            - '* tail'\n            - 'exact'\n"
             "    condition: sel\n");
    MATCH(det, "{\"UA\":\"x FRAG3 y\"}");     /* contains, case ignored */
    MATCH(det, "{\"UA\":\"start/1.0\"}");     /* a prefix at the start */
    NOMATCH(det, "{\"UA\":\"x start/1.0\"}"); /* ... not elsewhere */
    MATCH(det, "{\"UA\":\"a b TAIL\"}");      /* a suffix at the end */
    NOMATCH(det, "{\"UA\":\"a tail b\"}");    /* ... not elsewhere */
    MATCH(det, "{\"UA\":\"exact\"}");         /* the whole value, beside them */
    NOMATCH(det, "{\"UA\":\"frag\"}");
    NOMATCH(det, "{\"Other\":\"frag1\"}");
    /* a suffix that also occurs earlier in the value: the last occurrence counts */
    MATCH(det, "{\"UA\":\"x tail y tail\"}");
    /* |cased: case counts */
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA|contains|cased:\n");
    for (int i = 0; i < 9; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'Frag%d'\n", i);
    snprintf(det + at, sizeof(det) - at, "    condition: sel\n");
    MATCH(det, "{\"UA\":\"xFrag4y\"}");
    NOMATCH(det, "{\"UA\":\"xfrag4y\"}");
    /* |all is no list of alternatives: every value must hold */
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        UA|contains|all:\n");
    for (int i = 0; i < 9; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'p%d'\n", i);
    snprintf(det + at, sizeof(det) - at, "    condition: sel\n");
    MATCH(det, "{\"UA\":\"p0p1p2p3p4p5p6p7p8\"}");
    NOMATCH(det, "{\"UA\":\"p0p1p2p3p4p5p6p7\"}");
}

/* Values that share long runs in an item's literal database: a run found where its value is
 * not, a value found twice, cased values that differ in case only, windash's spellings of a
 * value (refused past 65,536 bytes of them: Vectorscan compiled 3,125 spellings of a 208-byte
 * value in 5.4 s) answer as value by value. */
static void test_value_lits_shared(void)
{
    static char det[8192], ev[1024];
    size_t at = 0;

    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        Image:\n");
    for (int i = 0; i < 8; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at,
                               "            - '*\\Windows\\System32\\tool%d.exe*'\n", i);
    snprintf(det + at, sizeof(det) - at,
             "            - 'C:\\Windows\\System32\\start*'\n"
             "            - '*\\Windows\\System32\\end.exe'\n"
             "            - '*abcdefghijklmnop*'\n"
             "            - '*abcdefghijklmnopXY*'\n"
             "    condition: sel\n");
    MATCH(det, "{\"Image\":\"D:\\\\windows\\\\system32\\\\TOOL5.exe -x\"}");
    NOMATCH(det, "{\"Image\":\"D:\\\\windows\\\\system32\\\\tool9.exe\"}");
    MATCH(det, "{\"Image\":\"c:\\\\windows\\\\system32\\\\startup.exe\"}");
    NOMATCH(det, "{\"Image\":\"x c:\\\\windows\\\\system32\\\\startup.exe\"}");
    MATCH(det, "{\"Image\":\"y:\\\\Windows\\\\System32\\\\end.exe\"}");
    NOMATCH(det, "{\"Image\":\"y:\\\\Windows\\\\System32\\\\end.exe2\"}");
    /* the head's last occurrence is the suffix's */
    MATCH(det, "{\"Image\":\"\\\\Windows\\\\System32\\\\e \\\\Windows\\\\System32\\\\end.exe\"}");
    /* a value of 16 bytes and a longer one that begins with it; those 16 bytes twice, the
     * longer value only after the second */
    MATCH(det, "{\"Image\":\"--ABCDEFGHIJKLMNOP--\"}");
    NOMATCH(det, "{\"Image\":\"--abcdefghijklmno--\"}");
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        Image|contains:\n");
    for (int i = 0; i < 8; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at, "            - 'abcdefghijklmnop%dXY'\n",
                               i);
    snprintf(det + at, sizeof(det) - at, "    condition: sel\n");
    MATCH(det, "{\"Image\":\"abcdefghijklmnopabcdefghijklmnop3XY\"}");
    NOMATCH(det, "{\"Image\":\"abcdefghijklmnop3abcdefghijklmnopXY\"}");
    /* |cased: heads that differ in case alone are two heads */
    at = 0;
    at += (size_t)snprintf(det + at, sizeof(det) - at, "    sel:\n        Image|contains|cased:\n");
    for (int i = 0; i < 8; i++)
        at += (size_t)snprintf(det + at, sizeof(det) - at,
                               "            - 'Program Files (x86)\\Vendor%d'\n", i);
    snprintf(det + at, sizeof(det) - at,
             "            - 'PROGRAM FILES (X86)\\Tool'\n"
             "    condition: sel\n");
    MATCH(det, "{\"Image\":\"C:\\\\Program Files (x86)\\\\Vendor3\\\\a.exe\"}");
    NOMATCH(det, "{\"Image\":\"C:\\\\program files (x86)\\\\Vendor3\\\\a.exe\"}");
    MATCH(det, "{\"Image\":\"C:\\\\PROGRAM FILES (X86)\\\\Tool\\\\a.exe\"}");
    NOMATCH(det, "{\"Image\":\"C:\\\\Program Files (x86)\\\\Tool\\\\a.exe\"}");
    /* windash: four dashes, 625 spellings of a 48-byte value, as a prefix */
    snprintf(det, sizeof(det),
             "    sel:\n        CommandLine|windash|startswith:\n"
             "            - '-%s -%s -%s -%s'\n    condition: sel\n",
             "aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd");
    snprintf(ev, sizeof(ev), "{\"CommandLine\":\"/%s \u2013%s -%s \u2015%s x\"}", "aaaaaaaaaa",
             "bbbbbbbbbb", "cccccccccc", "dddddddddd");
    MATCH(det, ev);
    /* the last dash no dash */
    snprintf(ev, sizeof(ev), "{\"CommandLine\":\"/%s \u2013%s -%s +%s x\"}", "aaaaaaaaaa",
             "bbbbbbbbbb", "cccccccccc", "dddddddddd");
    NOMATCH(det, ev);
    /* five dashes of a 208-byte value: 3,125 spellings, 680,000 bytes: refused */
    snprintf(det, sizeof(det),
             "    sel:\n        CommandLine|windash|startswith:\n"
             "            - '-%s -%s -%s -%s -%s'\n    condition: sel\n",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
             "cccccccccccccccccccccccccccccccccccccccc", "dddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    REFUSED(det, "7:9: CommandLine|windash|startswith: windash: the value's spellings come to "
                 "more than 65536 bytes");
}

static void test_regex_engines(void)
{
    static char ev[256];

    /* Vectorscan (ASCII regex, ASCII value) and PCRE2 (a UTF-8 value) on one regex */
    MATCH("    sel:\n        CommandLine|re: '-[eE][nN][cC] [A-Za-z0-9+/=]{8,}$'\n"
          "    condition: sel\n",
          "{\"CommandLine\":\"powershell -enc SQBFAFgAIAAo\"}");
    MATCH("    sel:\n        CommandLine|re: '-[eE][nN][cC] [A-Za-z0-9+/=]{8,}$'\n"
          "    condition: sel\n",
          "{\"CommandLine\":\"p\u00f6wershell -enc SQBFAFgAIAAo\"}");
    NOMATCH("    sel:\n        CommandLine|re: '-[eE][nN][cC] [A-Za-z0-9+/=]{8,}$'\n"
            "    condition: sel\n",
            "{\"CommandLine\":\"powershell -enc SQB\"}");
    /* options: i, m, s as Sigma says, on both paths */
    MATCH("    sel:\n        CommandLine|re|i: 'WHOAMI'\n    condition: sel\n",
          "{\"CommandLine\":\"cmd /c whoami\"}");
    MATCH("    sel:\n        CommandLine|re|i: 'WHOAMI'\n    condition: sel\n",
          "{\"CommandLine\":\"cmd /c wh\u00f6 whoami\"}");
    NOMATCH("    sel:\n        CommandLine|re: 'a.b'\n    condition: sel\n",
            "{\"CommandLine\":\"a\\nb\"}");
    MATCH("    sel:\n        CommandLine|re|s: 'a.b'\n    condition: sel\n",
          "{\"CommandLine\":\"a\\nb\"}");
    MATCH("    sel:\n        CommandLine|re|m: '^b$'\n    condition: sel\n",
          "{\"CommandLine\":\"a\\nb\\nc\"}");
    /* '.' is one character: on UTF-8 PCRE2 decides, and says so */
    MATCH("    sel:\n        CommandLine|re: '^caf.$'\n    condition: sel\n",
          "{\"CommandLine\":\"caf\u00e9\"}");
    /* constructs Vectorscan lacks (a look-ahead) stay with PCRE2 */
    MATCH("    sel:\n        CommandLine|re: 'cmd(?= /c)'\n    condition: sel\n",
          "{\"CommandLine\":\"cmd /c dir\"}");
    NOMATCH("    sel:\n        CommandLine|re: 'cmd(?= /c)'\n    condition: sel\n",
            "{\"CommandLine\":\"cmd /k dir\"}");
    /* a regex that backtracks without end in PCRE2: the match limit is hit, counted, and taken
     * as no match */
    snprintf(ev, sizeof(ev), "{\"CommandLine\":\"%s!\"}",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    NOMATCH("    sel:\n        CommandLine|re: '^(a+)+$'\n    condition: sel\n", ev);
    CHECK_INT(last_failed, 1);
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

/* Defender's event data names hold spaces ("Threat Name", "Source Name"); Sigma writes them
 * without, as other engines match them: in an EVTX-shaped event (its Data elements), in
 * Winlogbeat's event_data, and never a name that is another once spaces are gone. */
static void test_spaced_names(void)
{
    static const char rule[] =
            "title: Defender detection\nid: 22222222-2222-4222-8222-222222222222\n"
            "logsource:\n    product: windows\n    service: windefend\n"
            "detection:\n    sel:\n        EventID: 1116\n        ThreatName|contains: Mimikatz\n"
            "        SourceName: Real-Time Protection\n    condition: sel\n";
    static const char evtx[] =
            "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":"
            "\"Microsoft-Windows-Windows Defender\"}},\"EventID\":\"1116\",\"Channel\":"
            "\"Microsoft-Windows-Windows Defender/Operational\",\"Computer\":\"WS01\"},"
            "\"EventData\":{\"Data\":[{\"@Name\":\"Threat Name\",\"#text\":"
            "\"HackTool:Win32/Mimikatz\"},{\"@Name\":\"Source Name\",\"#text\":"
            "\"Real-Time Protection\"},{\"@Name\":\"Path\",\"#text\":\"file:_C:\\\\m.exe\"}]}}}";
    static const char winlogbeat[] =
            "{\"winlog\":{\"channel\":\"Microsoft-Windows-Windows Defender/Operational\","
            "\"event_id\":1116,\"computer_name\":\"WS01\",\"event_data\":{\"Threat Name\":"
            "\"HackTool:Win32/Mimikatz\",\"Source Name\":\"Real-Time Protection\"}}}";
    static const char other_source[] =
            "{\"winlog\":{\"channel\":\"Microsoft-Windows-Windows Defender/Operational\","
            "\"event_id\":1116,\"event_data\":{\"Threat Name\":\"HackTool:Win32/Mimikatz\","
            "\"Source Name\":\"Scheduled Scan\"}}}";
    static const char near_miss[] =
            "{\"winlog\":{\"channel\":\"Microsoft-Windows-Windows Defender/Operational\","
            "\"event_id\":1116,\"event_data\":{\"Threat Names\":\"HackTool:Win32/Mimikatz\","
            "\"Source Name\":\"Real-Time Protection\"}}}";

    CHECK_INT(eval(rule, evtx), 1);
    CHECK_INT(eval(rule, winlogbeat), 1);
    CHECK_INT(eval(rule, other_source), 0);
    CHECK_INT(eval(rule, near_miss), 0);
    /* service: windefend is the Defender channel (SigmaHQ taxonomy appendix), no other */
    {
        char other_channel[sizeof(winlogbeat) + 16];
        const char *at = strstr(winlogbeat, "Microsoft-Windows-Windows Defender/Operational");
        snprintf(other_channel, sizeof(other_channel), "%.*sSecurity%s", (int)(at - winlogbeat),
                 winlogbeat, at + strlen("Microsoft-Windows-Windows Defender/Operational"));
        CHECK_INT(eval(rule, other_channel), 0);
    }
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
    REFUSED("    sel:\n        a: 1\n    sel:\n        a: 2\n    condition: sel\n",
            "8:5: search \"sel\" given twice");
    REFUSED("    sel:\n        a|base64: 'x*'\n    condition: sel\n",
            "7:9: a|base64: wildcards cannot be encoded: escape them (\\*) or drop the encoding");
    /* and/or chains are as deep as they are long (100,000 of them overflowed the stack): 1,000
     * operators are taken, 1,001 refused */
    for (int ops = 1000; ops <= 1001; ops++) {
        static char det[12000];
        size_t n = (size_t)snprintf(det, sizeof(det), "    sel:\n        a: 1\n    condition: sel");
        for (int i = 0; i < ops; i++)
            n += (size_t)snprintf(det + n, sizeof(det) - n, " %s sel", i % 2 ? "or" : "and");
        snprintf(det + n, sizeof(det) - n, "\n");
        CHECK_INT(eval(rule_of(det), "{\"a\": 1}"), ops == 1000 ? 1 : -1);
        CHECK(ops == 1000 || strstr(last_error, ": the condition has more than 1000 and/or "
                                                "operators") != NULL);
    }
    CHECK_INT(eval("title: x\nlogsource: {product: a}\ndetection: [1]\n", "{}"), -1);
    CHECK_STR(last_error, "3:12: \"detection\" must be a map");
    CHECK_INT(eval("title: [x\n", "{}"), -1);
}

/* ---- correlations ------------------------------------------------------------------- */

static struct ruru_rules *corr_set(const char *yaml)
{
    struct ruru_rules *rs = NULL;
    struct ruru_diag d;

    last_error[0] = '\0';
    CHECK_INT(ruru_rules_create(&rs), RURU_OK);
    CHECK_INT(ruru_rules_load_buffer(rs, yaml, strlen(yaml), "c.yml", on_file, NULL, &d), RURU_OK);
    CHECK_INT(ruru_rules_compile(rs, on_file, NULL, &d), RURU_OK);
    CHECK_STR(last_error, "");
    return rs;
}

static uint32_t rule_named(struct ruru_rules *rs, const char *name)
{
    for (uint32_t i = 0; i < ruru_rules_count(rs); i++) {
        json_t *o = ruru_rules_describe(rs, i);
        bool is = json_is_string(json_object_get(o, "name")) &&
                  strcmp(json_string_value(json_object_get(o, "name")), name) == 0;
        json_decref(o);
        if (is)
            return i;
    }
    CHECK(!"no such rule");
    return 0;
}

/* Events as "rule time field=value field=value ..." lines; values placed as the rule keeps
 * them (ruru_rules_corr_fields). */
struct evs {
    struct ruru_corr_event e[64];
    const char *vals[64][8];
    char text[64][256];
    size_t n;
};

static void
ev_add(struct evs *v, struct ruru_rules *rs, const char *rule, int64_t t, const char *kv)
{
    size_t n, k = v->n++;
    const char *const *names;
    char *p;

    v->e[k].rule = rule_named(rs, rule);
    v->e[k].time = t;
    v->e[k].seq = k;
    names = ruru_rules_corr_fields(rs, v->e[k].rule, &n);
    snprintf(v->text[k], sizeof(v->text[k]), "%s", kv);
    for (size_t i = 0; i < 8; i++)
        v->vals[k][i] = NULL;
    for (p = strtok(v->text[k], " "); p != NULL; p = strtok(NULL, " ")) {
        char *eq = strchr(p, '=');
        *eq = '\0';
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], p) == 0)
                v->vals[k][i] = eq + 1;
    }
    v->e[k].values = v->vals[k];
}

static char hits_text[2048];

static int on_corr(const struct ruru_corr_hit *h, void *ctx)
{
    size_t k = strlen(hits_text);
    json_t *o = ruru_rules_describe(ctx, h->rule);

    k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, "%s",
                          json_string_value(json_object_get(o, "title")));
    json_decref(o);
    for (size_t g = 0; g < h->n_group; g++)
        k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, " %s",
                              h->group[g] ? h->group[g] : "-");
    k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, " [%lld..%lld] %g",
                          (long long)h->first, (long long)h->last, h->value);
    if (h->value_of != NULL)
        k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, " of %s", h->value_of);
    k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, " members");
    for (size_t i = 0; i < h->n_members; i++)
        k += (size_t)snprintf(hits_text + k, sizeof(hits_text) - k, " %zu", h->members[i]);
    snprintf(hits_text + k, sizeof(hits_text) - k, "\n");
    return 0;
}

static const char *correlate(struct ruru_rules *rs, struct evs *v)
{
    struct ruru_diag d;

    hits_text[0] = '\0';
    CHECK_INT(ruru_rules_correlate(rs, v->e, v->n, on_corr, rs, &d), RURU_OK);
    return hits_text;
}

#define BASE(name)                                                                               \
    "title: " name "\nname: " name "\nlogsource:\n    product: windows\n    service: security\n" \
    "detection:\n    sel:\n        EventID: 1\n    condition: sel\n"

static void test_correlations(void)
{
    struct ruru_rules *rs;
    struct evs v;

    /* event_count: 3 or more within 10 minutes, per user; one burst, one sighting */
    rs = corr_set(BASE("failed") "---\ntitle: brute\ncorrelation:\n    type: event_count\n"
                                 "    rules: [failed]\n    group-by: [User]\n    timespan: 10m\n"
                                 "    condition:\n        gte: 3\n");
    memset(&v, 0, sizeof(v));
    ev_add(&v, rs, "failed", 1000, "User=bob");
    ev_add(&v, rs, "failed", 1120, "User=bob");
    ev_add(&v, rs, "failed", 1000, "User=alice");
    ev_add(&v, rs, "failed", 1420, "User=bob");
    ev_add(&v, rs, "failed", 1500, "User=bob");
    ev_add(&v, rs, "failed", 3000, "User=bob");
    ev_add(&v, rs, "failed", 1010, "User=alice");
    ev_add(&v, rs, "failed", 1020, "Other=x"); /* no User: in no group */
    CHECK_STR(correlate(rs, &v), "brute bob [1000..1500] 4 members 0 1 3 4\n");
    CHECK(!ruru_rules_reports(rs, rule_named(rs, "failed"))); /* a part of the correlation */
    ruru_rules_destroy(rs);

    /* value_count: distinct hosts per user */
    rs = corr_set(BASE("logon") "---\ntitle: spread\ncorrelation:\n    type: value_count\n"
                                "    rules: [logon]\n    group-by: [User]\n    timespan: 1h\n"
                                "    condition:\n        field: Host\n        gte: 3\n");
    memset(&v, 0, sizeof(v));
    ev_add(&v, rs, "logon", 0, "User=bob Host=a");
    ev_add(&v, rs, "logon", 10, "User=bob Host=a");
    ev_add(&v, rs, "logon", 20, "User=bob Host=b");
    ev_add(&v, rs, "logon", 30, "User=eve Host=a");
    ev_add(&v, rs, "logon", 40, "User=bob Host=c");
    CHECK_STR(correlate(rs, &v), "spread bob [0..40] 3 members 0 1 2 4\n");
    ruru_rules_destroy(rs);

    /* temporal and temporal_ordered */
    rs = corr_set(BASE("a") "---\n" BASE(
            "b") "---\ntitle: both\ncorrelation:\n"
                 "    type: temporal\n    rules: [a, b]\n    group-by: [Host]\n"
                 "    timespan: 5m\n---\ntitle: a then b\ncorrelation:\n"
                 "    type: temporal_ordered\n    rules: [a, b]\n    group-by: [Host]\n"
                 "    timespan: 5m\n    generate: true\n");
    memset(&v, 0, sizeof(v));
    ev_add(&v, rs, "b", 100, "Host=h1");
    ev_add(&v, rs, "a", 200, "Host=h1"); /* b then a: temporal, not ordered */
    ev_add(&v, rs, "a", 1000, "Host=h2");
    ev_add(&v, rs, "b", 1100, "Host=h2"); /* a then b */
    ev_add(&v, rs, "a", 2000, "Host=h3");
    ev_add(&v, rs, "b", 2400, "Host=h3"); /* too far apart */
    CHECK_STR(correlate(rs, &v), "both h1 [100..200] 2 members 0 1\n"
                                 "both h2 [1000..1100] 2 members 2 3\n"
                                 "a then b h2 [1000..1100] 2 members 2 3\n");
    ruru_rules_destroy(rs);

    /* value_sum, value_avg, value_median, value_percentile */
    rs = corr_set(BASE("xfer") "---\ntitle: sum\ncorrelation:\n    type: value_sum\n"
                               "    rules: [xfer]\n    group-by: [Src]\n    timespan: 1h\n"
                               "    condition:\n        field: Bytes\n        gt: 1000\n"
                               "---\ntitle: avg\ncorrelation:\n    type: value_avg\n"
                               "    rules: [xfer]\n    group-by: [Src]\n    timespan: 1h\n"
                               "    condition:\n        field: Bytes\n        gte: 400\n"
                               "---\ntitle: median\ncorrelation:\n    type: value_median\n"
                               "    rules: [xfer]\n    group-by: [Src]\n    timespan: 1h\n"
                               "    condition:\n        field: Bytes\n        gt: 450\n"
                               "---\ntitle: rare\ncorrelation:\n    type: value_percentile\n"
                               "    rules: [xfer]\n    group-by: [Src]\n    timespan: 1h\n"
                               "    condition:\n        field: Proc\n        lte: 20\n");
    memset(&v, 0, sizeof(v));
    ev_add(&v, rs, "xfer", 0, "Src=s1 Bytes=100 Proc=svc");
    ev_add(&v, rs, "xfer", 60, "Src=s1 Bytes=500 Proc=svc");
    ev_add(&v, rs, "xfer", 120, "Src=s1 Bytes=600 Proc=svc");
    ev_add(&v, rs, "xfer", 180, "Src=s1 Bytes=x Proc=svc"); /* not a number: not summed */
    ev_add(&v, rs, "xfer", 240, "Src=s1 Bytes=10 Proc=evil");
    ev_add(&v, rs, "xfer", 0, "Src=s2 Bytes=400 Proc=svc");
    CHECK_STR(correlate(rs, &v), "sum s1 [0..240] 1210 members 0 1 2 3 4\n"
                                 "avg s2 [0..0] 400 members 5\n"
                                 "rare s1 [0..240] 20 of evil members 4\n"
                                 /* anchored at 60: 500, 600, 10 */
                                 "median s1 [60..240] 500 members 1 2 3 4\n");
    ruru_rules_destroy(rs);

    /* a chain: many failures, then a success, for the same user; aliases name the user
     * differently in the two rules */
    rs = corr_set(BASE("failed") "---\n" BASE(
            "success") "---\ntitle: failures\n"
                       "name: many_failed\ncorrelation:\n    type: event_count\n    rules: "
                       "[failed]\n"
                       "    group-by: [user]\n    timespan: 10m\n    condition:\n        gte: 2\n"
                       "    aliases:\n        user:\n            failed: TargetUserName\n"
                       "---\ntitle: brute force then logon\ncorrelation:\n"
                       "    type: temporal_ordered\n    rules: [many_failed, success]\n"
                       "    group-by: [user]\n    timespan: 30m\n    aliases:\n        user:\n"
                       "            success: User\n");
    memset(&v, 0, sizeof(v));
    ev_add(&v, rs, "failed", 0, "user=bob");
    ev_add(&v, rs, "failed", 60, "user=bob");
    ev_add(&v, rs, "success", 300, "user=bob");
    ev_add(&v, rs, "success", 300, "user=eve");
    CHECK_STR(correlate(rs, &v), "brute force then logon bob [0..300] 2 members 0 1 2\n");
    ruru_rules_destroy(rs);

    /* refusals */
    CHECK_INT(eval("title: c\ncorrelation:\n    type: event_count\n    rules: [x]\n"
                   "    timespan: 10m\n",
                   "{}"),
              -1);
    CHECK_STR(last_error, "3:5: correlation type event_count needs a condition (gte: N)");
    CHECK_INT(eval("title: c\ncorrelation:\n    type: value_count\n    rules: [x]\n"
                   "    timespan: 10m\n    condition:\n        gte: 2\n",
                   "{}"),
              -1);
    CHECK_STR(last_error, "3:5: correlation type value_count needs \"field\" in its condition");
    CHECK_INT(eval("title: c\ncorrelation:\n    type: nearby\n    rules: [x]\n", "{}"), -1);
    CHECK_STR(last_error, "3:11: unknown correlation type \"nearby\"");
    CHECK_INT(eval("title: c\ncorrelation:\n    type: temporal\n    rules: [x]\n"
                   "    timespan: 2 hours\n",
                   "{}"),
              -1);
    CHECK_STR(last_error,
              "5:15: a correlation needs a \"timespan\" like 10m, 1h, 2d (got \"2 hours\")");
}

static int count_hit(const struct ruru_rule_hit *h, void *ctx)
{
    (void)h;
    (*(int *)ctx)++;
    return 0;
}

/* Rules loaded and compiled, a scratch, and an input "t.json" tied to the "test" product (the
 * rules' logsource), the scratch set to it: what the prefilter tests ask with. */
static void tied_rules(const char *rules,
                       struct ruru_rules **rs,
                       struct ruru_rules_scratch **sc,
                       struct ruru_rules_input **in)
{
    static const char *const ties[] = {"test=t.json"};
    struct ruru_diag d;

    CHECK_INT(ruru_rules_create(rs), RURU_OK);
    CHECK_INT(ruru_rules_load_buffer(*rs, rules, strlen(rules), "t.yml", on_file, NULL, &d),
              RURU_OK);
    CHECK_INT(ruru_rules_compile(*rs, on_file, NULL, &d), RURU_OK);
    CHECK_INT(ruru_rules_scratch_create(*rs, sc), RURU_OK);
    CHECK_INT(ruru_rules_input_create(*rs, "t.json", RURU_KIND_JSONL, ties, 1, in, &d), RURU_OK);
    ruru_rules_scratch_input(*sc, *in);
}

/* Tied rules with a scratch, an input and a JSON parser to make records with. */
struct tied {
    struct ruru_rules *rs;
    struct ruru_rules_scratch *sc;
    struct ruru_rules_input *in;
    struct ruru_jsonlog j;
    struct ruru_record r;
};

static struct tied *tied_open(const char *rules)
{
    struct tied *t = calloc(1, sizeof(*t));

    CHECK(t != NULL);
    tied_rules(rules, &t->rs, &t->sc, &t->in);
    ruru_jsonlog_init(&t->j, RURU_LOG_JSON);
    return t;
}

static void tied_close(struct tied *t)
{
    ruru_rules_scratch_destroy(t->sc);
    ruru_rules_input_destroy(t->in);
    ruru_rules_destroy(t->rs);
    free(t);
}

/* The prefilter searching a chunk of lines at once (ruru_rules_scratch_text) asks the same
 * rules of each line as when it searches the line alone: atoms at a line's ends, across two
 * lines, in other cases, and the lines at the end of the chunk. */
static void test_prefilter_text(void)
{
    static const char *const parts[] = {"evil", "EVIL",  "ev",    "il",   "abcd", "ab", "cd",
                                        "x",    "Cased", "cased", "-enc", " ",    "zz"};
    const char *rules =
            "title: a\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n    product: test\n"
            "detection:\n    s:\n        m|contains: evil\n    condition: s\n---\n"
            "title: b\nid: 11111111-1111-4111-8111-111111111112\nlogsource:\n    product: test\n"
            "detection:\n    s:\n        m|contains|cased: Cased\n    condition: s\n---\n"
            "title: c\nid: 11111111-1111-4111-8111-111111111113\nlogsource:\n    product: test\n"
            "detection:\n    s:\n        m|endswith: abcd\n    t:\n        m|contains: '-enc'\n"
            "    condition: s or t\n";
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_rules_input *in = NULL;
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    char *text = malloc(64 * 1024);
    size_t len = 0, starts[4096], n = 0, same = 0, hits = 0, no_atom = 0, kept = 0;
    static bool may[4096];
    uint32_t seed = 7;

    tied_rules(rules, &rs, &sc, &in);
    ruru_jsonlog_init(j, RURU_LOG_JSON);
    while (len < 60 * 1024 && n < 4096) {
        starts[n++] = len;
        len += (size_t)sprintf(text + len, "{\"m\":\"");
        for (int k = (int)(seed % 5); k >= 0; k--) {
            seed = seed * 1103515245u + 12345u;
            len += (size_t)sprintf(text + len, "%s", parts[(seed >> 16) % 13]);
        }
        len += (size_t)sprintf(text + len, "\"}\n");
    }
    for (size_t i = 0; i < n; i++) {
        const char *line = text + starts[i];
        size_t ll = (i + 1 < n ? starts[i + 1] : len) - starts[i] - 1;
        int alone = 0, in_text = 0;
        bool may_alone, may_text;
        CHECK(ruru_jsonlog_parse(j, line, ll, r));
        ruru_rules_scratch_text(sc, NULL, 0);
        may_alone = ruru_rules_may_match(rs, sc, line, ll);
        ruru_rules_match(rs, sc, r, line, ll, count_hit, &alone);
        ruru_rules_scratch_text(sc, text, len);
        may_text = ruru_rules_may_match(rs, sc, line, ll);
        ruru_rules_match(rs, sc, r, line, ll, count_hit, &in_text);
        same += alone == in_text && may_alone == may_text;
        no_atom += !may_alone;
        hits += (size_t)alone;
        may[i] = may_alone;
    }
    /* The text searched once, its lines asked in order and then backwards (the matches are
     * walked from the last line's place when the line is not before it). */
    ruru_rules_scratch_text(sc, text, len);
    for (size_t i = 0; i < n; i++) {
        const char *line = text + starts[i];
        size_t ll = (i + 1 < n ? starts[i + 1] : len) - starts[i] - 1;
        CHECK(ruru_jsonlog_parse(j, line, ll, r));
        kept += ruru_rules_may_match(rs, sc, line, ll) == may[i];
        kept += ruru_rules_may_match(rs, sc, line, ll) == may[i]; /* the same line again */
    }
    for (size_t i = n; i-- > 0;) {
        const char *line = text + starts[i];
        size_t ll = (i + 1 < n ? starts[i + 1] : len) - starts[i] - 1;
        CHECK(ruru_jsonlog_parse(j, line, ll, r));
        kept += ruru_rules_may_match(rs, sc, line, ll) == may[i];
    }
    CHECK_INT(kept, 3 * n);
    ruru_rules_scratch_text(sc, NULL, 0);
    CHECK_INT(same, n);
    CHECK(hits > n / 4 && hits < n * 2 && no_atom > n / 10); /* lines hit, miss, have no atom */
    {
        /* A JSON escape can hide an atom ("\u0065vil" is "evil"): a line with "\u" or "\/"
         * is asked of every rule; other escapes hide no atom's byte. */
        static const struct {
            const char *line;
            bool may;
        } esc[] = {{"{\"m\":\"\\u0065vil\"}", true},
                   {"{\"m\":\"\\\\ux\"}", true}, /* "\\" then "u": a "\u" all the same */
                   {"{\"m\":\"x\\/y\"}", true},
                   {"{\"m\":\"a\\tb\\\\\"}", false},
                   {"{\"m\":\"ab\\\\\"}", false}};
        for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++)
            CHECK(ruru_rules_may_match(rs, sc, esc[i].line, strlen(esc[i].line)) == esc[i].may);
    }
    ruru_rules_scratch_destroy(sc);
    ruru_rules_input_destroy(in);
    ruru_rules_destroy(rs);
    free(text);
    free(j);
    free(r);
}

static int rule_bits(const struct ruru_rule_hit *h, void *ctx)
{
    *(uint32_t *)ctx |= 1u << h->rule;
    return 0;
}

/* A rule whose condition ands several searches is asked of a line only when the line holds an
 * atom of each (the prefilter's sets, a conjunction), and never misses a match: every line is
 * asked of the rules with the prefilter and without it (every rule evaluated), rule by rule. */
static void test_prefilter_conjunction(void)
{
    static const char *const parts[] = {
            "upload", "GET", "Googlebot", "python-requests",  "alpha", "bravo", "gamma", "north",
            "south",  "200", "404",       "/owa/auth/x.aspx", "zz",    "bar22", "foo1",  "longword",
            "delta"};
#define RULE(n, det)                                                                              \
    "title: " n "\nid: 22222222-2222-4222-8222-00000000000" n "\nlogsource:\n    product: test\n" \
    "detection:\n" det "---\n"
    const char *rules =
            /* 0: and of two fields (a set each) */
            RULE("0", "    up:\n        m|contains: upload\n    agent:\n        u|contains:\n"
                      "            - Googlebot\n            - python-requests\n"
                      "    condition: up and agent\n")
            /* 1: an or of ands: (alpha or gamma) and (bravo or gamma) */
            RULE("1", "    s:\n        m|contains: alpha\n    t:\n        u|contains: bravo\n"
                      "    f:\n        n|contains: gamma\n    condition: (s and t) or f\n")
            /* 2: |all: both values */
            RULE("2", "    s:\n        m|contains|all:\n            - north\n            - south\n"
                      "    condition: s\n")
            /* 3: and not: only the positive side's atoms */
            RULE("3", "    s:\n        m|contains: delta\n    x:\n        n: '200'\n"
                      "    condition: s and not x\n")
            /* 4: all of, and a map of two items */
            RULE("4",
                 "    sel_a:\n        m|contains: foo1\n    sel_b:\n        u|contains: bar22\n"
                 "        n|endswith: '.aspx'\n    condition: all of sel_*\n")
            /* 5: a three-byte set beside a better one: only the better kept */
            RULE("5", "    s:\n        m|contains: longword\n    t:\n        n: '404'\n"
                      "    condition: s and t\n")
            /* 6: one of, each an and */
            RULE("6", "    a:\n        m|contains: GET\n        u|contains: south\n    b:\n"
                      "        n|contains: bravo\n    condition: 1 of a or b\n");
#undef RULE
    static const struct {
        const char *line;
        bool may;
    } only_one[] = {
            {"{\"m\":\"x\",\"u\":\"Googlebot\",\"n\":\"x\"}", false}, /* 0 without "upload" */
            {"{\"m\":\"upload\",\"u\":\"Googlebot\",\"n\":\"x\"}", true},
            {"{\"m\":\"alpha\",\"u\":\"x\",\"n\":\"x\"}", false}, /* 1 without bravo, gamma */
            {"{\"m\":\"alpha\",\"u\":\"bravo\",\"n\":\"x\"}", true},
            {"{\"m\":\"x\",\"u\":\"x\",\"n\":\"gamma\"}", true},
            {"{\"m\":\"north\",\"u\":\"x\",\"n\":\"x\"}", false},    /* 2 without south */
            {"{\"m\":\"foo1\",\"u\":\"bar22\",\"n\":\"x\"}", false}, /* 4 without .aspx */
            {"{\"m\":\"foo1\",\"u\":\"bar22\",\"n\":\"y.aspx\"}", true},
            {"{\"m\":\"longword\",\"u\":\"x\",\"n\":\"x\"}", true}, /* 5: '404' has no set */
    };
    struct ruru_rules *rs = NULL;
    struct ruru_rules_scratch *sc = NULL;
    struct ruru_rules_input *in = NULL;
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    struct ruru_prefilter *pre;
    uint32_t seed = 11, hit_rules = 0;
    size_t same = 0, n = 3000, asked = 0, hits = 0;
    char line[512];

    tied_rules(rules, &rs, &sc, &in);
    ruru_jsonlog_init(j, RURU_LOG_JSON);
    pre = rs->pre;
    CHECK(pre != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        uint32_t with = 0, without = 0;
        len += (size_t)sprintf(line + len, "{");
        for (int f = 0; f < 3; f++) {
            len += (size_t)sprintf(line + len, "%s\"%c\":\"", f ? "," : "", "mun"[f]);
            for (int k = 0, w = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                if ((seed >> 16) % 3 != 0)
                    len += (size_t)sprintf(line + len, "%s%s", w++ ? " " : "",
                                           parts[(seed >> 18) % 17]);
            }
            len += (size_t)sprintf(line + len, "\"");
        }
        len += (size_t)sprintf(line + len, "}");
        CHECK(ruru_jsonlog_parse(j, line, len, r));
        rs->pre = pre;
        asked += ruru_rules_may_match(rs, sc, line, len);
        ruru_rules_match(rs, sc, r, line, len, rule_bits, &with);
        rs->pre = NULL;
        ruru_rules_match(rs, sc, r, line, len, rule_bits, &without);
        same += with == without;
        hit_rules |= without;
        hits += without != 0;
    }
    rs->pre = pre;
    CHECK_INT(same, n);
    CHECK_INT(hit_rules, 0x7f); /* every rule matched some line */
    /* lines hit, and lines with atoms of some rule's sets but not of all are not asked */
    CHECK(hits > n / 10 && asked >= hits && asked < n - n / 20);
    for (size_t i = 0; i < sizeof(only_one) / sizeof(only_one[0]); i++) {
        size_t len = strlen(only_one[i].line);
        CHECK(ruru_jsonlog_parse(j, only_one[i].line, len, r));
        ruru_rules_match(rs, sc, r, only_one[i].line, len, NULL, NULL); /* the record's facts */
        if (ruru_rules_may_match(rs, sc, only_one[i].line, len) != only_one[i].may)
            fprintf(stderr, "prefilter: %s: %s\n", only_one[i].line,
                    only_one[i].may ? "not asked" : "asked");
        CHECK(ruru_rules_may_match(rs, sc, only_one[i].line, len) == only_one[i].may);
    }
    ruru_rules_scratch_destroy(sc);
    ruru_rules_input_destroy(in);
    ruru_rules_destroy(rs);
    free(j);
    free(r);
}

/* A line asked of tied rules with the prefilter and with every rule asked (rs->pre taken
 * away): both must match `want` rules. */
static void both_ways(struct tied *t, const char *line, int want)
{
    size_t n = strlen(line);
    int with = 0, every = 0;
    struct ruru_prefilter *pre = t->rs->pre;

    CHECK(ruru_jsonlog_parse(&t->j, line, n, &t->r));
    ruru_rules_match(t->rs, t->sc, &t->r, line, n, count_hit, &with);
    t->rs->pre = NULL;
    ruru_rules_match(t->rs, t->sc, &t->r, line, n, count_hit, &every);
    t->rs->pre = pre;
    CHECK_INT(with, want);
    CHECK_INT(every, want);
}

/* An or of ands over long lists (past MAX_OR_ATOMS: each side's best set alone, not the
 * pairwise unions of its sets): every line is asked of the rule as with every rule asked. */
static void test_prefilter_long_or(void)
{
    struct tied *t;
    static const char *const lines[] = {
            "{\"m\":\"xa0v0001\",\"u\":\"xa1v0999\"}", /* a0 and a1 */
            "{\"m\":\"xb0v0500\",\"u\":\"xb1v0002\"}", /* b0 and b1 */
            "{\"m\":\"xa0v0001\",\"u\":\"nothing\"}",  /* a0 alone */
            "{\"m\":\"xb0v0500\",\"u\":\"xa1v0007\"}", /* b0 and a1: neither branch */
            "{\"m\":\"zz\",\"u\":\"zz\"}"};
    static const int want[] = {1, 1, 0, 0, 0};
    size_t cap = 256 * 1024, len = 0;
    char *rules = malloc(cap);

    len += (size_t)snprintf(rules + len, cap - len,
                            "title: long\nid: 33333333-3333-4333-8333-333333333333\nlogsource:\n"
                            "    product: test\ndetection:\n");
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < 2; k++) {
            len += (size_t)snprintf(rules + len, cap - len, "    %c%d:\n        %c|contains:\n",
                                    "ab"[b], k, "mu"[k]);
            for (int i = 0; i < 1100; i++)
                len += (size_t)snprintf(rules + len, cap - len, "            - 'x%c%dv%04d'\n",
                                        "ab"[b], k, i);
        }
    snprintf(rules + len, cap - len, "    condition: (a0 and a1) or (b0 and b1)\n");
    t = tied_open(rules);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        both_ways(t, lines[i], want[i]);
    tied_close(t);
    free(rules);
}

/* Lists as long as a rule file may hold: an item of 65,536 values is taken and one of 65,537
 * refused with the reason (not "out of memory", which ended the whole file), the file's other
 * rules loaded; and past 65,536 atoms in a group's prefilter the rules whose sets would pass it
 * are asked of every line, with the same answers (a compile that grows faster than its
 * literals is bounded). */
static void test_long_lists(void)
{
    struct tied *t;
    size_t cap = 4u << 20, len = 0;
    char *rules = malloc(cap);
    struct ruru_diag d;
    static const char *const lines[] = {"{\"m\":\"-a12345-\"}", "{\"m\":\"-b29999-\"}",
                                        "{\"m\":\"-c00001-\"}", "{\"m\":\"nothing\"}"};
    static const int want[] = {1, 1, 0, 0};

    for (unsigned n = 65536; n <= 65537; n++) {
        struct ruru_rules *rs = NULL;
        len = (size_t)snprintf(rules, cap,
                               "title: long\nlogsource:\n    product: test\ndetection:\n"
                               "    s:\n        m|contains:\n");
        for (unsigned i = 0; i < n; i++)
            len += (size_t)snprintf(rules + len, cap - len, "            - 'v%05u'\n", i);
        len += (size_t)snprintf(rules + len, cap - len,
                                "    condition: s\n---\ntitle: short\nlogsource:\n"
                                "    product: test\ndetection:\n    s:\n        m: x\n"
                                "    condition: s\n");
        CHECK_INT(ruru_rules_create(&rs), RURU_OK);
        last_error[0] = '\0';
        CHECK_INT(ruru_rules_load_buffer(rs, rules, len, "t.yml", on_file, NULL, &d), RURU_OK);
        CHECK_INT(ruru_rules_count(rs), n == 65536 ? 2 : 1);
        CHECK_STR(last_error,
                  n == 65536 ? ""
                             : "65543:15: \"m|contains\": more than 65536 values (as expanded)");
        ruru_rules_destroy(rs);
    }

    /* two rules of 40,000 and 30,000 values: the second's atoms would pass the bound */
    len = 0;
    for (int k = 0; k < 2; k++) {
        len += (size_t)snprintf(rules + len, cap - len,
                                "%stitle: r%d\nlogsource:\n    product: test\ndetection:\n"
                                "    s:\n        m|contains:\n",
                                k ? "---\n" : "", k);
        for (int i = 0; i < (k ? 30000 : 40000); i++)
            len += (size_t)snprintf(rules + len, cap - len, "            - '-%c%05d-'\n", "ab"[k],
                                    i);
        len += (size_t)snprintf(rules + len, cap - len, "    condition: s\n");
    }
    t = tied_open(rules);
    CHECK_INT(ruru_rules_count(t->rs), 2);
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        /* the second rule is asked of every line: its atoms were given up */
        CHECK(ruru_rules_may_match(t->rs, t->sc, lines[i], strlen(lines[i])));
        both_ways(t, lines[i], want[i]);
    }
    tied_close(t);
    free(rules);
}

/* The prefilter cuts atoms to their first 16 bytes in a set of more than 64 and in a class
 * whose atoms pass 64 KiB (a hostile list's compile), and keeps them whole otherwise: a line
 * with the first 16 bytes of a value is asked of the rule in the first two cases only, and
 * every line is answered as with every rule asked. */
static void test_prefilter_cut(void)
{
    struct tied *t;
    size_t cap = 1u << 20, len = 0;
    char *rules = malloc(cap);
    static const struct {
        const char *line;
        bool may;
        int hits;
    } cases[] = {
            {"{\"m\":\"longvalue-07-abcdefghijklmnop\"}", true, 1}, /* a set of 65: cut */
            {"{\"m\":\"longvalue-07-abc\"}", true, 0},
            {"{\"u\":\"otherthing-3-qrstuvwxyz0123\"}", true, 1}, /* a set of 8: whole */
            {"{\"u\":\"otherthing-3-qrs\"}", false, 0},
            {"{\"u\":\"nothing\"}", false, 0},
    };

    for (int big = 0; big < 2; big++) {
        len = 0;
        len += (size_t)snprintf(rules + len, cap - len,
                                "title: a\nlogsource:\n    product: test\ndetection:\n"
                                "    s:\n        m|contains:\n");
        for (int i = 0; i < 65; i++)
            len += (size_t)snprintf(rules + len, cap - len,
                                    "            - 'longvalue-%02d-abcdefghijklmnop'\n", i);
        len += (size_t)snprintf(rules + len, cap - len,
                                "    condition: s\n---\ntitle: b\nlogsource:\n"
                                "    product: test\ndetection:\n    s:\n        u|contains:\n");
        for (int i = 0; i < 8; i++)
            len += (size_t)snprintf(rules + len, cap - len,
                                    "            - 'otherthing-%d-qrstuvwxyz0123'\n", i);
        len += (size_t)snprintf(rules + len, cap - len, "    condition: s\n");
        /* the second time, 40 rules of 64 values of 30 bytes: 76,800 bytes of atoms in the
         * class, every atom cut (b's too) */
        for (int k = 0; big && k < 40; k++) {
            len += (size_t)snprintf(rules + len, cap - len,
                                    "---\ntitle: c%d\nlogsource:\n    product: test\n"
                                    "detection:\n    s:\n        w|contains:\n",
                                    k);
            for (int i = 0; i < 64; i++)
                len += (size_t)snprintf(rules + len, cap - len,
                                        "            - 'filler-%02d-%02d-abcdefghijklmnopqrs'\n", k,
                                        i);
            len += (size_t)snprintf(rules + len, cap - len, "    condition: s\n");
        }
        t = tied_open(rules);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            bool may = cases[i].may || (big && i == 3);
            CHECK(ruru_rules_may_match(t->rs, t->sc, cases[i].line, strlen(cases[i].line)) == may);
            both_ways(t, cases[i].line, cases[i].hits);
        }
        tied_close(t);
    }
    free(rules);
}

/* A name's field is found once per record layout (its names, in order), for the last four
 * layouts: records of one scratch whose layouts come back, alternate, share their length or
 * differ only in order or in case are answered as each alone. */
static void test_field_layouts(void)
{
    struct tied *t;
    static const char *const rules = "title: a\nlogsource:\n    product: test\ndetection:\n    s:\n"
                                     "        CommandLine|contains: evil\n    condition: s\n";
    static const struct {
        const char *ev;
        int hits;
    } seq[] = {
            {"{\"CommandLine\":\"evil\",\"x\":\"1\"}", 1},
            {"{\"x\":\"evil\",\"CommandLine\":\"good\"}", 0}, /* the same names, reordered */
            {"{\"CommandLine\":\"good\",\"x\":\"evil\"}", 0}, /* the first layout again */
            {"{\"commandline\":\"evil\",\"x\":\"1\"}", 1},    /* case: found without it */
            {"{\"a\":\"evil\",\"b\":\"1\"}", 0},              /* none: the name is missing */
            {"{\"p.CommandLine\":\"evil\"}", 1},              /* as a suffix */
            {"{\"q\":\"1\",\"r\":\"evil\"}", 0},              /* a fifth: the first replaced */
            {"{\"x\":\"1\",\"CommandLine\":\"evil\"}", 1},
            {"{\"CommandLine\":\"evil\",\"x\":\"1\"}", 1}, /* made again */
            {"{\"CommandLinf\":\"evil\",\"x\":\"1\"}", 0}, /* one byte of a name */
            {"{\"a\":\"1\",\"b\":\"evil\"}", 0},
            {"{\"a\":\"1\",\"b\":\"2\",\"CommandLine\":\"evil\"}", 1},
    };

    t = tied_open(rules);
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
            size_t n = strlen(seq[i].ev);
            int hits = 0;
            CHECK(ruru_jsonlog_parse(&t->j, seq[i].ev, n, &t->r));
            ruru_rules_match(t->rs, t->sc, &t->r, seq[i].ev, n, count_hit, &hits);
            if (hits != seq[i].hits)
                fprintf(stderr, "round %d, %s: %d\n", round, seq[i].ev, hits);
            CHECK_INT(hits, seq[i].hits);
        }
    tied_close(t);
}

/* An or of many branches holding the same atoms keeps them once: 20,000 searches of the same
 * seven values under "1 of" are 140,000 atoms with their repeats (past the set's bound of
 * 131,072) and seven without; a line without them is not asked of the rule. */
static void test_prefilter_repeats(void)
{
    size_t cap = 8u << 20, len = 0;
    char *rules = malloc(cap);
    struct tied *t;
    static const char *const no = "{\"m\":\"nothing\"}", *const yes = "{\"m\":\"x value-3 y\"}";

    len += (size_t)snprintf(rules + len, cap - len,
                            "title: r\nlogsource:\n    product: test\ndetection:\n");
    for (int i = 0; i < 20000; i++) {
        len += (size_t)snprintf(rules + len, cap - len, "    s%d:\n        m|contains:\n", i);
        for (int k = 0; k < 7; k++)
            len += (size_t)snprintf(rules + len, cap - len, "            - 'value-%d'\n", k);
    }
    snprintf(rules + len, cap - len, "    condition: 1 of s*\n");
    t = tied_open(rules);
    both_ways(t, no, 0); /* a record made: the next lines are asked as of its kind */
    CHECK(!ruru_rules_may_match(t->rs, t->sc, no, strlen(no)));
    CHECK(ruru_rules_may_match(t->rs, t->sc, yes, strlen(yes)));
    both_ways(t, yes, 1);
    tied_close(t);
    free(rules);
}

int main(void)
{
    test_prefilter_text();
    test_prefilter_conjunction();
    test_prefilter_long_or();
    test_long_lists();
    test_prefilter_cut();
    test_field_layouts();
    test_prefilter_repeats();
    test_values();
    test_value_sets();
    test_value_lits();
    test_value_lits_shared();
    test_regex_engines();
    test_encodings();
    test_conditions();
    test_refusals();
    test_spaced_names();
    test_correlations();
    return check_done();
}
