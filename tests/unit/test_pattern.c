/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STIX pattern engine: the OASIS matcher's test vectors (../shared/data/stix), every one
 * of which must come out as the reference matcher says (match, nomatch, invalid), and ruru's
 * own cases for what the vectors leave out (IPv6 blocks, the binding reported, budgets,
 * single-observation patterns).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "intel/stix_pattern.h"
#include "pattern/pattern.h"
#include "shared_data.h"

#define MAX_OBS 256

/* Compiles a NUL-terminated pattern. */
static enum ruru_err compile(const char *s, struct ruru_pattern **p, struct ruru_diag *d)
{
    return ruru_pattern_compile(s, strlen(s), p, d);
}

struct obs_set {
    struct ruru_pattern_obs o[MAX_OBS];
    size_t n;
    json_t *keep; /* owns the objects maps */
};

static bool add_sdo(struct obs_set *s, json_t *sdo, json_t *bundle_objects)
{
    json_t *objects = json_object(), *inline_objs = json_object_get(sdo, "objects");
    json_t *refs = json_object_get(sdo, "object_refs"), *e;
    const char *first = json_string_value(json_object_get(sdo, "first_observed"));
    const char *last = json_string_value(json_object_get(sdo, "last_observed"));
    struct ruru_pattern_obs *o = &s->o[s->n];
    const char *key;
    size_t i;

    if (s->n == MAX_OBS || first == NULL || last == NULL)
        return false;
    json_array_append_new(s->keep, objects);
    json_object_foreach(inline_objs, key, e) json_object_set(objects, key, e);
    json_array_foreach(refs, i, e)
    {
        json_t *target = json_object_get(bundle_objects, json_string_value(e));
        if (target != NULL)
            json_object_set(objects, json_string_value(e), target);
    }
    if (!ruru_stix_timestamp(first, strlen(first), &o->first_sec, &o->first_nsec) ||
        !ruru_stix_timestamp(last, strlen(last), &o->last_sec, &o->last_nsec))
        return false;
    o->count = json_integer_value(json_object_get(sdo, "number_observed"));
    o->objects = objects;
    s->n++;
    return true;
}

/* The observations of a vector's observed_data: bundles, or (STIX 2.0) observed-data. */
static bool observations(json_t *data, struct obs_set *s)
{
    size_t i, k;
    json_t *item, *obj;

    s->n = 0;
    s->keep = json_array();
    json_array_foreach(data, i, item)
    {
        const char *type = json_string_value(json_object_get(item, "type"));
        if (type != NULL && strcmp(type, "bundle") == 0) {
            json_t *by_id = json_object();
            json_array_append_new(s->keep, by_id);
            json_array_foreach(json_object_get(item, "objects"), k, obj)
            {
                const char *id = json_string_value(json_object_get(obj, "id"));
                if (id != NULL)
                    json_object_set(by_id, id, obj);
            }
            json_array_foreach(json_object_get(item, "objects"), k, obj)
            {
                const char *t = json_string_value(json_object_get(obj, "type"));
                if (t != NULL && strcmp(t, "observed-data") == 0 && !add_sdo(s, obj, by_id))
                    return false;
            }
        } else if (!add_sdo(s, item, NULL)) {
            return false;
        }
    }
    return true;
}

/*
 * Two kinds of vectors carry the wrong observed data, and are put right here. The original
 * test_temporal_qualifiers.py shares one list of observations (alice at 13:37:52, bob at
 * 13:37:57, carol at 13:38:02 on 1994-11-29) whose times its test_within_* tests overwrite;
 * the extraction caught that list after they ran, so every vector of that file carries the last
 * times they set (alice 2000-01-01T00:00:00 to :01, bob :04). test_temp_qual_* vectors get the
 * original times back; a test_within_match vector cannot (its intervals came from pytest
 * parameters the vector does not hold), so it is skipped, and test_within() below runs that
 * test's whole table instead.
 */
static const char *const fixture_times[] = {"1994-11-29T13:37:52Z", "1994-11-29T13:37:57Z",
                                            "1994-11-29T13:38:02Z"};

static bool fix_vector(const char *test, struct obs_set *s)
{
    if (strstr(test, "test_temporal_qualifiers.py::test_within_match") != NULL)
        return false;
    if (strstr(test, "test_temporal_qualifiers.py::test_temp_qual_") != NULL && s->n == 3) {
        for (size_t i = 0; i < 3; i++) {
            const char *t = fixture_times[i];
            ruru_stix_timestamp(t, strlen(t), &s->o[i].first_sec, &s->o[i].first_nsec);
            s->o[i].last_sec = s->o[i].first_sec;
            s->o[i].last_nsec = s->o[i].first_nsec;
        }
    }
    return true;
}

/* Does some string value in j (at any depth) hold needle v? */
static bool holds_needle(const json_t *j, const struct ruru_str *v)
{
    size_t i;

    char num[64];

    if (json_is_string(j))
        return ruru_memmem(json_string_value(j), json_string_length(j), v->ptr, v->len) != NULL;
    if (json_is_integer(j) || json_is_real(j)) {
        if (json_is_integer(j))
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        else
            snprintf(num, sizeof(num), "%.17g", json_real_value(j));
        return ruru_memmem(num, strlen(num), v->ptr, v->len) != NULL;
    }
    for (void *it = json_object_iter((json_t *)(uintptr_t)j); it != NULL;
         it = json_object_iter_next((json_t *)(uintptr_t)j, it))
        if (holds_needle(json_object_iter_value(it), v))
            return true;
    for (i = 0; i < json_array_size(j); i++)
        if (holds_needle(json_array_get(j, i), v))
            return true;
    return false;
}

/* A pattern that matched must find one of its needles in the observations (what lets a sweep
 * pass records over): a vector that matches with none of them would be a sighting lost. */
static bool needles_present(const struct ruru_pattern *p, const struct obs_set *s)
{
    size_t n;
    const struct ruru_str *v = ruru_pattern_needles(p, &n);

    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < s->n; i++)
            if (holds_needle(s->o[i].objects, &v[k]))
                return true;
    return n == 0;
}

/* "match", "nomatch" or "invalid" for one pattern over one observation set. */
static const char *outcome(const char *pattern, const struct obs_set *s, char *why, size_t why_len)
{
    struct ruru_pattern *p;
    struct ruru_diag d;
    bool matched;
    size_t members[MAX_OBS], n_members;
    enum ruru_err err = compile(pattern, &p, &d);

    if (err != RURU_OK) {
        snprintf(why, why_len, "compile: %s", d.msg);
        return "invalid";
    }
    err = ruru_pattern_match(p, s->o, s->n, &matched, members, MAX_OBS, &n_members, &d);
    if (err == RURU_OK && matched && !needles_present(p, s)) {
        ruru_pattern_destroy(p);
        snprintf(why, why_len, "matched, but the observations hold none of its needles");
        return "lost";
    }
    ruru_pattern_destroy(p);
    if (err != RURU_OK) {
        snprintf(why, why_len, "match: %s", d.msg);
        return "invalid";
    }
    snprintf(why, why_len, "%zu members", n_members);
    return matched ? "match" : "nomatch";
}

/* Matcher vectors whose patterns the OASIS pattern validator refuses (a qualifier repeated,
 * "Duplicate qualifier type encountered"; a START/STOP that is no window): the matcher these
 * vectors come from evaluates them anyway, ruru refuses them at import and so in the pattern
 * engine, with these reasons (docs/internals/stix.md). */
static const struct {
    const char *pattern, *reason;
} VALIDATOR_REFUSES[] = {
        {"[person:age < 20] REPEATS 5 TIMES REPEATS 2 TIMES", "STIX pattern repeats a qualifier"},
        {"[person:age < 20] REPEATS 2 TIMES REPEATS 3 TIMES", "STIX pattern repeats a qualifier"},
        {"[person:age < 20] REPEATS 2 TIMES REPEATS 2 TIMES", "STIX pattern repeats a qualifier"},
        {"[person:name = 'bob'] START t'1994-11-29T13:37:59Z' STOP t'1994-11-29T13:37:58Z'",
         "STIX pattern START is not before STOP"},
        {"[person:name = 'bob'] START t'1994-11-29T13:37:58Z' STOP t'1994-11-29T13:37:58Z'",
         "STIX pattern START is not before STOP"},
};

/* The reason ruru refuses a matcher vector with, or NULL when it takes it. */
static const char *validator_refuses(const char *pattern)
{
    for (size_t i = 0; i < sizeof(VALIDATOR_REFUSES) / sizeof(VALIDATOR_REFUSES[0]); i++)
        if (strcmp(pattern, VALIDATOR_REFUSES[i].pattern) == 0)
            return VALIDATOR_REFUSES[i].reason;
    return NULL;
}

static void test_vectors(void)
{
    char path[512];
    json_error_t je;
    json_t *root, *v;
    size_t i, n_ok = 0, n = 0, n_skipped = 0, n_validator = 0;

    snprintf(path, sizeof(path), "%s/stix/pattern-vectors.json", shared_data());
    root = json_load_file(path, 0, &je);
    CHECK(root != NULL);
    if (root == NULL) {
        fprintf(stderr, "%s: %s\n", path, je.text);
        return;
    }
    json_array_foreach(json_object_get(root, "vectors"), i, v)
    {
        const char *pattern = json_string_value(json_object_get(v, "pattern"));
        const char *test = json_string_value(json_object_get(v, "test"));
        const char *expect = json_string_value(json_object_get(v, "expect"));
        struct obs_set *s = calloc(1, sizeof(*s));
        char why[300];
        const char *got;

        n++;
        if (!observations(json_object_get(v, "observed_data"), s)) {
            fprintf(stderr, "vector %zu: observed data not understood\n", i);
            check_failed++;
        } else if (!fix_vector(test, s)) {
            n_skipped++;
        } else {
            const char *refused = validator_refuses(pattern);
            got = outcome(pattern, s, why, sizeof(why));
            if (refused != NULL) {
                /* compiled by neither: "compile: <reason>" */
                n_validator++;
                if (strcmp(got, "invalid") == 0 && strstr(why, refused) != NULL)
                    n_ok++;
                else
                    fprintf(stderr, "vector %zu: %s: got %s (%s), want refused: %s\n", i, pattern,
                            got, why, refused);
            } else if (strcmp(got, expect) == 0) {
                n_ok++;
            } else {
                fprintf(stderr, "vector %zu (%s): %s: got %s (%s), want %s\n", i, test, pattern,
                        got, why, expect);
            }
        }
        json_decref(s->keep);
        free(s);
    }
    printf("STIX pattern vectors: %zu of %zu as the reference matcher says (%zu skipped)\n", n_ok,
           n - n_skipped, n_skipped);
    CHECK_INT(n_ok, n - n_skipped);
    CHECK(n_skipped <= 8);
    CHECK_INT(n_validator, 5);
    CHECK(n >= 300);
    json_decref(root);
}

/* One observation of `objects_json` at unix time t (count times). */
static struct ruru_pattern_obs one(const char *objects_json, int64_t t, int64_t count)
{
    struct ruru_pattern_obs o = {t, t, 0, 0, count, json_loads(objects_json, 0, NULL), NULL};
    return o;
}

static const char *
run1(const char *pattern, struct ruru_pattern_obs *o, size_t n, size_t *members, size_t *n_members)
{
    struct ruru_pattern *p;
    struct ruru_diag d;
    bool matched;
    size_t dummy[16], nd;

    if (compile(pattern, &p, &d) != RURU_OK)
        return "invalid";
    if (ruru_pattern_match(p, o, n, &matched, members ? members : dummy, 16,
                           n_members ? n_members : &nd, &d) != RURU_OK) {
        ruru_pattern_destroy(p);
        return d.msg[0] ? "error" : "invalid";
    }
    ruru_pattern_destroy(p);
    return matched ? "match" : "nomatch";
}

#define SHA256_AB "abababababababababababababababababababababababababababababababab"

static void test_own(void)
{
    struct ruru_pattern_obs o[4];
    size_t members[16], n_members = 0;
    struct ruru_pattern *p;
    struct ruru_diag d;

    o[0] = one("{\"0\":{\"type\":\"ipv6-addr\",\"value\":\"2001:db8::1\"},"
               "\"1\":{\"type\":\"network-traffic\",\"dst_ref\":\"0\",\"dst_port\":443}}",
               1000, 1);
    o[1] = one("{\"0\":{\"type\":\"domain-name\",\"value\":\"evil.example\"}}", 1005, 1);
    o[2] = one("{\"0\":{\"type\":\"file\",\"name\":\"x.aspx\",\"hashes\":{\"SHA-256\":\"" SHA256_AB
               "\"}}}",
               1100, 3);

    /* IPv6 blocks both ways; a v4 block never holds a v6 address */
    CHECK_STR(run1("[ipv6-addr:value ISSUBSET '2001:db8::/32']", o, 1, NULL, NULL), "match");
    CHECK_STR(run1("[ipv6-addr:value ISSUBSET '2001:db9::/32']", o, 1, NULL, NULL), "nomatch");
    CHECK_STR(run1("[ipv6-addr:value ISSUBSET '10.0.0.0/8']", o, 1, NULL, NULL), "nomatch");
    CHECK_STR(run1("[ipv6-addr:value ISSUBSET '2001:db8::/129']", o, 1, NULL, NULL), "invalid");
    /* a reference followed, and AND on one root object */
    CHECK_STR(run1("[network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = "
                   "443]",
                   o, 1, NULL, NULL),
              "match");
    CHECK_STR(run1("[network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = "
                   "80]",
                   o, 1, NULL, NULL),
              "nomatch");
    /* quoted property names with a hyphen */
    CHECK_STR(run1("[file:hashes.'SHA-256' = '" SHA256_AB "']", o + 2, 1, NULL, NULL), "match");
    /* a value that is no SHA-256 is refused, as the OASIS validator does */
    CHECK_STR(run1("[file:hashes.'SHA-256' = 'ab']", o + 2, 1, NULL, NULL), "invalid");
    /* the binding reported: the observations of the first satisfying binding, as indexes */
    CHECK_STR(run1("[domain-name:value = 'evil.example'] FOLLOWEDBY [file:name = 'x.aspx']", o, 3,
                   members, &n_members),
              "match");
    CHECK_INT(n_members, 2);
    CHECK_INT(members[0], 1);
    CHECK_INT(members[1], 2);
    /* FOLLOWEDBY keeps the order */
    CHECK_STR(run1("[file:name = 'x.aspx'] FOLLOWEDBY [domain-name:value = 'evil.example']", o, 3,
                   NULL, NULL),
              "nomatch");
    /* number_observed counts: one observed-data seen 3 times repeats 3 times, not 4 */
    CHECK_STR(run1("[file:name = 'x.aspx'] REPEATS 3 TIMES", o, 3, NULL, NULL), "match");
    CHECK_STR(run1("[file:name = 'x.aspx'] REPEATS 4 TIMES", o, 3, NULL, NULL), "nomatch");
    /* WITHIN with fractions of a second: 1000 and 1005 are 5 s apart */
    CHECK_STR(run1("([domain-name:value = 'evil.example'] AND [network-traffic:dst_port = 443]) "
                   "WITHIN 5 SECONDS",
                   o, 3, NULL, NULL),
              "match");
    CHECK_STR(run1("([domain-name:value = 'evil.example'] AND [network-traffic:dst_port = 443]) "
                   "WITHIN 4.999999999 SECONDS",
                   o, 3, NULL, NULL),
              "nomatch");
    /* the first binding is found at once; a search with none is bounded */
    {
        struct ruru_pattern_obs many[40];
        for (int i = 0; i < 40; i++)
            many[i] = one("{\"0\":{\"type\":\"x\",\"v\":1}}", 1000 + i, 1);
        CHECK_STR(run1("[x:v = 1] REPEATS 20 TIMES", many, 40, NULL, NULL), "match");
        CHECK_STR(run1("[x:v = 1] REPEATS 20 TIMES WITHIN 5 SECONDS", many, 40, NULL, NULL),
                  "error");
        CHECK_STR(run1("[x:v = 1] REPEATS 41 TIMES", many, 40, NULL, NULL), "nomatch");
        CHECK_STR(run1("[x:v = 1] REPEATS 2 TIMES WITHIN 1 SECONDS", many, 40, NULL, NULL),
                  "match");
        for (int i = 0; i < 40; i++)
            json_decref(many[i].objects);
    }
    /* single-observation patterns, and observes() */
    CHECK(compile("[a:b = 1] OR [c:d = 2] START t'2020-01-01T00:00:00Z' STOP "
                  "t'2021-01-01T00:00:00Z'",
                  &p, &d) == RURU_OK);
    CHECK(ruru_pattern_single(p));
    ruru_pattern_destroy(p);
    CHECK(compile("[file:name = 'x.aspx'] AND [domain-name:value = 'evil.example']", &p, &d) ==
          RURU_OK);
    CHECK(!ruru_pattern_single(p));
    CHECK(ruru_pattern_observes(p, &o[1]));
    CHECK(ruru_pattern_observes(p, &o[2]));
    CHECK(!ruru_pattern_observes(p, &o[0]));
    ruru_pattern_destroy(p);
    /* errors say where */
    CHECK(compile("[file:name = ", &p, &d) == RURU_EPARSE);
    CHECK(d.col > 0);
    CHECK(compile("[file:name MATCHES '(']", &p, &d) == RURU_EPARSE);
    CHECK(strstr(d.msg, "regular expression") != NULL);
    for (int i = 0; i < 3; i++)
        json_decref(o[i].objects);
}

/* test_within_match / test_within_nomatch of the reference suite: alice over interval 1, bob
 * over interval 2, ([person:name='alice'] AND [person:name='bob']) WITHIN d SECONDS. */
static void test_within(void)
{
    static const struct {
        int a0, a1, b0, b1, d;
        bool match;
    } cases[] = {
            {0, 0, 0, 0, 1, true},  {0, 0, 0, 1, 1, true},  {0, 0, 0, 1, 2, true},
            {0, 1, 1, 2, 1, true},  {0, 1, 2, 3, 1, true},  {0, 3, 1, 2, 1, true},
            {0, 2, 1, 3, 1, true},  {0, 1, 3, 4, 2, true},  {0, 1, 3, 4, 1, false},
            {0, 0, 3, 4, 2, false}, {0, 1, 4, 4, 2, false},
    };
    const int64_t base = 946684800; /* 2000-01-01T00:00:00Z */

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ruru_pattern_obs o[2] = {
                one("{\"0\":{\"type\":\"person\",\"name\":\"alice\"}}", 0, 1),
                one("{\"0\":{\"type\":\"person\",\"name\":\"bob\"}}", 0, 1),
        };
        char pattern[128];
        o[0].first_sec = base + cases[i].a0;
        o[0].last_sec = base + cases[i].a1;
        o[1].first_sec = base + cases[i].b0;
        o[1].last_sec = base + cases[i].b1;
        snprintf(pattern, sizeof(pattern),
                 "([person:name='alice'] AND [person:name='bob']) WITHIN %d SECONDS", cases[i].d);
        CHECK_STR(run1(pattern, o, 2, NULL, NULL), cases[i].match ? "match" : "nomatch");
        json_decref(o[0].objects);
        json_decref(o[1].objects);
    }
}

/* The needles of a pattern, joined with '|', or "-" for none. */
static const char *needles_of(const char *pattern, char *out, size_t cap)
{
    struct ruru_pattern *p;
    struct ruru_diag d;
    const struct ruru_str *v;
    size_t n, at = 0;

    if (compile(pattern, &p, &d) != RURU_OK)
        return "invalid";
    v = ruru_pattern_needles(p, &n);
    snprintf(out, cap, "-");
    for (size_t i = 0; i < n && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%.*s", i ? "|" : "", (int)v[i].len, v[i].ptr);
    ruru_pattern_destroy(p);
    return out;
}

static void test_needles(void)
{
    static const struct {
        const char *pattern, *needles;
    } cases[] = {
            /* each side of an OR; runs of a URL between its joints; the longest */
            {"[domain-name:value = 'evil.example' OR url:value LIKE 'http://%/owa/auth/%.aspx']",
             "evil.example|.aspx"},
            {"[url:value = 'http://bad.example:8080/a/index.php']", "bad.example"},
            /* the string side of an AND; the better (longer) of two */
            {"[file:name = 'a.exe' AND file:size > 10]", "a.exe"},
            {"[file:name = 'abc.dll' AND file:type = 'file']", "abc.dll"},
            {"[file:name = 'abcdef.dll' AND file:parent_directory_ref.path = 'C:\\\\tmp']",
             "abcdef.dll"},
            {"[file:name IN ('shell.aspx', 'error3.aspx')]", "shell.aspx|error3.aspx"},
            /* every observation of a pattern of several */
            {"[domain-name:value = 'x.example'] FOLLOWEDBY [ipv4-addr:value = '203.0.113.7']",
             "x.example|203.0.113.7"},
            /* none: a negation, an order, a regex, a number, too short, a constant, bytes */
            {"[ipv4-addr:value != '203.0.113.7']", "-"},
            {"[file:name NOT = 'abcdef']", "-"},
            {"[file:name > 'abc']", "-"},
            {"[network-traffic:dst_port = 4444]", "4444"},
            {"[network-traffic:dst_port IN (4444, -8080)]", "4444|8080"},
            {"[network-traffic:dst_port IN (4444, 80)]", "-"},
            {"[network-traffic:dst_port = 4444 AND network-traffic:dst_ref.value ISSUBSET "
             "'10.0.0.0/8']",
             "4444"},
            /* a regular expression's literal run that every match holds */
            {"[domain-name:value MATCHES '^[a-z0-9]{30,}\\\\.example$']", "example"},
            {"[file:name MATCHES '^abc']", "abc"},
            {"[file:name MATCHES 'shell(ab)?cmd\\\\.aspx']", "shell"},
            {"[file:name MATCHES 'webshelx?\\\\.aspx']", "webshel"},
            {"[file:name MATCHES 'webshel{0,1}l']", "webshe"},
            {"[file:name MATCHES 'webshel+l.aspx']", "webshel"},
            {"[file:name MATCHES 'a[bc]defghi*']", "defgh"},
            {"[file:name MATCHES 'evil|good']", "-"},
            {"[file:name MATCHES '(?i)evilname']", "-"},
            {"[file:name MATCHES '\\\\x41bcdef']", "-"},
            {"[file:name MATCHES '^.{3}$']", "-"},
            {"[file:name MATCHES 'ab']", "-"},
            {"[url:value = 'http://ab/']", "-"},
            {"[file:type = 'file']", "-"},
            {"[file:name_hex = h'616263646566']", "-"},
            {"[domain-name:value = 'x.example'] FOLLOWEDBY [file:name MATCHES 'a']", "-"},
            {"[ipv4-addr:value ISSUBSET '203.0.113.0/24']", "-"},
            {"[file:name = 'abcdef' OR file:size = 3]", "-"},
            /* NFC turns U+212A into K, U+037E into ';': a LIKE's runs stop there */
            {"[file:name LIKE '%Kit%']", "-"},
            {"[file:name LIKE 'evil;Kpayload%']", "payload"},
            {"[file:name = 'evilKpayload']", "evilKpayload"},
            /* non-ASCII ends a run (NFC), '_' is a LIKE wildcard */
            {"[file:name LIKE 'caf\u00e9_menu.pdf']", "menu.pdf"},
            {"[file:name LIKE '\u00e9t\u00e9']", "-"},
    };
    char buf[512];

    /* (the \u00e9 of a case is U+00E9 in UTF-8, as C writes it) */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = needles_of(cases[i].pattern, buf, sizeof(buf));
        if (strcmp(got, cases[i].needles) != 0) {
            fprintf(stderr, "%s: needles %s, want %s\n", cases[i].pattern, got, cases[i].needles);
            check_failed++;
        }
    }
}

/* Hostile sizes are refused with the reason, never compiled: 50,000 ORed observations (the
 * compiler recursed once per operator and overflowed the stack of every sweep) and an object
 * path of 5,000 steps (copied step by step: out of memory). */
static void test_hostile_sizes(void)
{
    struct ruru_pattern *p = NULL;
    struct ruru_diag d;
    size_t cap = 50000 * 64 + 16, n = 0;
    char *s = malloc(cap);

    for (int i = 0; i < 50000; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s[domain-name:value = 'a%d.example']",
                              i ? " OR " : "", i);
    CHECK_INT(compile(s, &p, &d), RURU_EPARSE);
    CHECK(p == NULL);
    CHECK(strstr(d.msg, "more than 1000 AND, OR and FOLLOWEDBY operators") != NULL);
    n = (size_t)snprintf(s, cap, "[file:name");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(s + n, cap - n, ".parent_directory_ref");
    snprintf(s + n, cap - n, " = 'x']");
    CHECK_INT(compile(s, &p, &d), RURU_EPARSE);
    CHECK(strstr(d.msg, "object path of more than 64 steps") != NULL);
    free(s);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_vectors();
        return check_done();
    }
    test_hostile_sizes();
    test_needles();
    test_within();
    test_own();
    return check_done();
}
