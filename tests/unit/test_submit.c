/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Submitted sightings (ruru_sightings_submitted): the CERT's own output submitted again finds
 * the same indicators; a JSON array and a STIX bundle are read; a value the CERT does not know
 * is kept as the constituent's claim with its actor only as a claim; bad items are rejected
 * with their number and reason; garbage is refused; the sightings verify against the spool and
 * make an incident of the organisation with the right actor.
 */
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "register_target.h"

static char dir[64];
static ruru_store *store;    /* tests/data/submit/intel.csv */
static ruru_store *examples; /* examples/intel */

static const char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *s;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    s = malloc((size_t)n + 1);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
    fclose(f);
    return s;
}

static ruru_store *open_with(const char *intel)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    ruru_store *s = NULL;
    char *rep = NULL;

    memset(&o, 0, sizeof(o));
    if (ruru_store_open(RURU_STORE_MEMORY, &s, &d) != RURU_OK)
        return NULL;
    if (ruru_intel_import(s, intel, &o, &rep, &d) != RURU_OK)
        fprintf(stderr, "import %s: %s\n", intel, d.msg);
    ruru_free(rep);
    return s;
}

struct result {
    enum ruru_err err;
    json_t *sightings, *report;
    char *text; /* the sightings as returned */
    struct ruru_diag d;
};

static struct result submit_to(ruru_store *st, const char *org, const char *buf, const char *spool)
{
    struct result r;
    char *s = NULL, *rep = NULL;

    memset(&r, 0, sizeof(r));
    r.err = ruru_sightings_submitted(st, org, buf, strlen(buf), path_of(spool), &s, &rep, &r.d);
    r.sightings = s ? json_loads(s, 0, NULL) : NULL;
    r.report = rep ? json_loads(rep, 0, NULL) : NULL;
    r.text = s;
    ruru_free(rep);
    return r;
}

static void done(struct result *r)
{
    json_decref(r->sightings);
    json_decref(r->report);
    ruru_free(r->text);
}

static json_t *at(json_t *o, const char *path)
{
    char key[64];
    const char *dot;

    while (o != NULL && (dot = strchr(path, '.')) != NULL) {
        snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
        o = json_object_get(o, key);
        path = dot + 1;
    }
    return json_object_get(o, path);
}

static const char *sat(json_t *o, const char *path)
{
    return json_string_value(at(o, path));
}

static long long iat(json_t *o, const char *path)
{
    return (long long)json_integer_value(at(o, path));
}

/* The CERT's own `ruru scan --format jsonl` lines (examples/logs against examples/intel),
 * submitted again: every indicator they name is found again, with the record's asset, time
 * and the item it came from, and nothing is a claim. */
static void test_own_output(void)
{
    size_t len, i, k;
    char *lines = slurp(RURU_OWN_DATA "/submit/examples-sightings.jsonl", &len);
    json_t *want = json_object(), *got = json_object(), *s;
    struct result r;
    char *line, *save = NULL;
    const char *key;
    json_t *v;

    CHECK(lines != NULL);
    if (lines == NULL)
        return;
    for (line = strtok_r(lines, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        json_t *d = json_loads(line, 0, NULL);
        json_object_set_new(want, sat(d, "ruru.indicator.id"), json_true());
        json_decref(d);
    }
    free(lines);
    lines = slurp(RURU_OWN_DATA "/submit/examples-sightings.jsonl", &len);
    r = submit_to(examples, "Ministry-A", lines, "own.jsonl");
    CHECK_INT(r.err, RURU_OK);
    CHECK_INT(iat(r.report, "received"), 9);
    CHECK_INT(iat(r.report, "accepted"), 9);
    CHECK_INT(iat(r.report, "matched_intel"), 9);
    CHECK_INT(iat(r.report, "unmatched"), 0);
    CHECK_INT(json_array_size(at(r.report, "rejected")), 0);
    json_array_foreach(r.sightings, i, s)
    {
        CHECK(sat(s, "ruru.indicator.source") != NULL &&
              strncmp(sat(s, "ruru.indicator.source"), "submitted:", 10) != 0);
        CHECK_STR(sat(s, "ruru.submitted.org"), "Ministry-A");
        CHECK_STR(sat(s, "log.file.path"), path_of("own.jsonl"));
        json_object_set_new(got, sat(s, "ruru.indicator.id"), json_true());
        if (iat(s, "ruru.submitted.item") == 1) {
            CHECK_STR(sat(s, "ruru.asset"), "10.20.0.15");
            CHECK_STR(sat(s, "host.ip"), "10.20.0.15");
            CHECK_STR(sat(s, "@timestamp"), "2024-07-12T01:00:00Z");
            CHECK_STR(sat(s, "ruru.submitted.tool"), "ruru");
        }
    }
    k = 0;
    json_object_foreach(want, key, v)
    {
        CHECK(json_object_get(got, key) != NULL);
        k++;
    }
    CHECK_INT(k, json_object_size(got));
    /* the first item (update.examplebank-update.example in dns.question.name) finds its three
     * domain indicators in the field it was seen in */
    k = 0;
    json_array_foreach(r.sightings, i, s) k +=
            iat(s, "ruru.submitted.item") == 1 &&
            strcmp(sat(s, "ruru.field.canonical"), "dns.question.name") == 0 &&
            strcmp(sat(s, "ruru.observed"), "update.examplebank-update.example") == 0;
    CHECK_INT(k, 3);
    json_decref(want);
    json_decref(got);
    free(lines);
    done(&r);
}

/* A JSON array of plain ECS documents; the spool holds them as ECS lines. */
static void test_array(void)
{
    const char *buf =
            "[{\"@timestamp\": \"2024-08-01T10:00:00Z\", \"host\": {\"name\": \"WEB01\"},"
            " \"event\": {\"original\": \"GET http://evil-c2.example/x 200\"},"
            " \"threat\": {\"enrichments\": [{\"matched\": {\"atomic\": \"www.evil-c2.example\","
            " \"field\": \"dns.question.name\"}}]}, \"agent\": {\"name\": \"edr-x\"}},"
            " {\"host.name\": \"WEB02\", \"ruru.observed\": \"203.0.113.7\"}]";
    struct result r = submit_to(store, "Hospital-B", buf, "array.jsonl");
    size_t len;
    char *spool = slurp(path_of("array.jsonl"), &len);
    json_t *first;

    CHECK_INT(r.err, RURU_OK);
    CHECK_INT(iat(r.report, "received"), 2);
    CHECK_INT(iat(r.report, "matched_intel"), 2);
    CHECK_INT(json_array_size(r.sightings), 2);
    first = json_array_get(r.sightings, 0);
    CHECK_STR(sat(first, "ruru.indicator.value"), "evil-c2.example");
    CHECK_STR(sat(first, "ruru.observed"), "www.evil-c2.example");
    CHECK_STR(sat(first, "ruru.field.canonical"), "dns.question.name");
    CHECK_STR(sat(first, "ruru.asset"), "WEB01");
    CHECK_STR(sat(first, "threat.group.name"), NULL);
    CHECK_STR(json_string_value(json_array_get(at(first, "threat.group.name"), 0)), "APT40");
    CHECK_INT(iat(first, "ruru.submitted.item"), 1);
    CHECK_STR(sat(first, "ruru.submitted.tool"), "edr-x");
    CHECK_STR(sat(json_array_get(r.sightings, 1), "ruru.indicator.value"), "203.0.113.7");
    CHECK_STR(sat(json_array_get(r.sightings, 1), "ruru.asset"), "WEB02");
    CHECK_STR(sat(json_array_get(r.sightings, 1), "ruru.field.canonical"), "destination.ip");
    CHECK_INT(iat(json_array_get(r.sightings, 1), "ruru.submitted.item"), 2);
    CHECK_STR(spool, "{\"@timestamp\":\"2024-08-01T10:00:00Z\",\"host\":{\"name\":\"WEB01\"},"
                     "\"dns\":{\"question\":{\"name\":\"www.evil-c2.example\"}},"
                     "\"event\":{\"original\":\"GET http://evil-c2.example/x 200\"},"
                     "\"ruru\":{\"submitted\":{\"org\":\"Hospital-B\",\"item\":1,\"tool\":"
                     "\"edr-x\"}}}\n"
                     "{\"host\":{\"name\":\"WEB02\"},\"destination\":{\"ip\":\"203.0.113.7\"},"
                     "\"ruru\":{\"submitted\":{\"org\":\"Hospital-B\",\"item\":2}}}\n");
    free(spool);
    done(&r);
}

static const char BUNDLE[] =
        "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": ["
        "{\"type\": \"identity\", \"id\": \"identity--a\", \"name\": \"MAIL01\","
        " \"identity_class\": \"system\"},"
        "{\"type\": \"identity\", \"id\": \"identity--b\", \"name\": \"Hospital-B SOC\"},"
        "{\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[ipv4-addr:value = '203.0.113.7']\"},"
        "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--1\", \"name\": \"APT40\"},"
        "{\"type\": \"relationship\", \"id\": \"relationship--1\", \"relationship_type\":"
        " \"indicates\", \"source_ref\": \"indicator--1\", \"target_ref\": \"intrusion-set--1\"},"
        "{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\", \"value\": \"203.0.113.7\"},"
        "{\"type\": \"observed-data\", \"id\": \"observed-data--1\", \"first_observed\":"
        " \"2024-08-02T08:00:00Z\", \"last_observed\": \"2024-08-02T09:00:00Z\","
        " \"number_observed\": 3, \"object_refs\": [\"ipv4-addr--1\"]},"
        "{\"type\": \"sighting\", \"id\": \"sighting--1\", \"created_by_ref\": \"identity--b\","
        " \"sighting_of_ref\": \"indicator--1\", \"observed_data_refs\": [\"observed-data--1\"],"
        " \"where_sighted_refs\": [\"identity--a\"], \"first_seen\": \"2024-08-02T08:00:00Z\","
        " \"last_seen\": \"2024-08-02T09:00:00Z\", \"count\": 3}]}";

static void test_stix(void)
{
    struct result r = submit_to(store, "Hospital-B", BUNDLE, "stix.jsonl");
    json_t *s = json_array_get(r.sightings, 0);

    CHECK_INT(r.err, RURU_OK);
    CHECK_INT(iat(r.report, "received"), 1);
    CHECK_INT(iat(r.report, "matched_intel"), 1);
    CHECK_INT(json_array_size(r.sightings), 1);
    CHECK_STR(sat(s, "ruru.indicator.value"), "203.0.113.7");
    CHECK_STR(sat(s, "ruru.indicator.source"), "intel.csv");
    CHECK_STR(sat(s, "ruru.asset"), "MAIL01");
    CHECK_STR(sat(s, "@timestamp"), "2024-08-02T08:00:00Z");
    CHECK_STR(sat(s, "ruru.submitted.provider"), "Hospital-B SOC");
    CHECK_INT(iat(s, "ruru.submitted.count"), 3);
    CHECK_STR(sat(s, "ruru.submitted.last_seen"), "2024-08-02T09:00:00Z");
    done(&r);
}

/* A value the CERT's intel does not know: the constituent's claim, its actor only claimed. */
static void test_unknown(void)
{
    const char *buf = "{\"@timestamp\": \"2024-08-03T00:00:00Z\", \"host\": {\"name\": \"PC7\"},"
                      " \"ruru\": {\"observed\": \"unknown-c2.example\", \"indicator\":"
                      " {\"type\": \"domain\", \"value\": \"unknown-c2.example\", \"confidence\":"
                      " 95, \"actors\": [{\"name\": \"APT28\"}]}},"
                      " \"threat\": {\"group\": {\"name\": [\"APT28\"]}}}\n";
    struct result r = submit_to(store, "Hospital-B", buf, "unknown.jsonl");
    json_t *s = json_array_get(r.sightings, 0);

    CHECK_INT(r.err, RURU_OK);
    CHECK_INT(iat(r.report, "matched_intel"), 0);
    CHECK_INT(iat(r.report, "unmatched"), 1);
    CHECK_INT(json_array_size(r.sightings), 1);
    CHECK_STR(sat(s, "ruru.indicator.source"), "submitted:Hospital-B");
    CHECK_STR(sat(s, "ruru.indicator.created_by"), "Hospital-B");
    CHECK_STR(sat(s, "ruru.indicator.type"), "domain");
    CHECK_STR(sat(s, "ruru.indicator.value"), "unknown-c2.example");
    CHECK(at(s, "ruru.indicator.confidence") == NULL);
    CHECK_INT(json_array_size(at(s, "ruru.indicator.actors")), 0);
    CHECK(at(s, "threat.group") == NULL);
    CHECK_STR(json_string_value(json_array_get(at(s, "ruru.claimed_actors"), 0)), "APT28");
    CHECK_STR(sat(s, "ruru.observed"), "unknown-c2.example");
    CHECK_STR(sat(s, "ruru.field.canonical"), "dns.question.name");
    CHECK_STR(sat(s, "ruru.asset"), "PC7");
    CHECK_INT(iat(s, "log.offset"), 0);
    CHECK_INT(iat(s, "ruru.line"), 1);
    CHECK_INT(iat(s, "ruru.submitted.item"), 1);
    CHECK(strncmp(sat(s, "ruru.indicator.id"), "ruru-submitted--", 16) == 0);
    /* the cite verifies against the spool */
    {
        char *res = NULL;
        struct ruru_diag d;
        json_t *v;
        CHECK_INT(ruru_verify(r.text, strlen(r.text), NULL, 0, &res, &d), RURU_OK);
        v = json_loads(res, 0, NULL);
        CHECK_INT(iat(v, "items"), 1);
        CHECK_INT(iat(v, "verified"), 1);
        json_decref(v);
        ruru_free(res);
    }
    done(&r);
}

static void test_bad_items(void)
{
    char big[1100 * 1024 + 64];
    const char *buf = "[1]\n"
                      "{\"host.name\": \"A\"}\n"
                      "\n"
                      "{\"ruru.observed\": 42}\n"
                      "not json at all\n"
                      "{\"ruru.observed\": \"203.0.113.7\", \"host\": {\"name\": [\"x\"]}}\n"
                      "{\"ruru.observed\": \"203.0.113.7\", \"@timestamp\": \"yesterday\"}\n"
                      "{\"ruru.observed\": \"203.0.113.7\"}\n";
    struct result r = submit_to(store, "Hospital-B", buf, "bad.jsonl");
    json_t *rej = at(r.report, "rejected");
    static const struct {
        int item, line;
        const char *reason;
    } want[] = {
            {1, 1, "not a JSON object"},
            {2, 2, "no observed value (ruru.observed or threat.enrichments[].matched.atomic)"},
            {3, 4, "ruru.observed is not a string"},
            {4, 5, "not JSON"},
            {5, 6, "host.name is not a string"},
            {6, 7, "@timestamp is not a time ruru reads"},
    };

    CHECK_INT(r.err, RURU_OK);
    CHECK_INT(iat(r.report, "received"), 7);
    CHECK_INT(iat(r.report, "accepted"), 1);
    CHECK_INT(iat(r.report, "rejected_count"), 6);
    CHECK_INT(json_array_size(rej), 6);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        json_t *e = json_array_get(rej, i);
        CHECK_INT(iat(e, "item"), want[i].item);
        CHECK_INT(iat(e, "line"), want[i].line);
        CHECK_STR(sat(e, "reason"), want[i].reason);
    }
    CHECK_INT(iat(json_array_get(r.sightings, 0), "ruru.submitted.item"), 7);
    done(&r);

    /* an item over 1 MiB, a value over 8 KiB */
    memset(big, 'a', sizeof(big));
    memcpy(big, "{\"message\": \"", 13);
    memcpy(big + sizeof(big) - 4, "\"}\n", 4);
    r = submit_to(store, "Hospital-B", big, "big.jsonl");
    CHECK_INT(r.err, RURU_OK);
    CHECK_STR(sat(json_array_get(at(r.report, "rejected"), 0), "reason"), "larger than 1 MiB");
    done(&r);
    memset(big, 'a', 9000);
    memcpy(big, "{\"ruru.observed\": \"", 19);
    memcpy(big + 9000, "\"}", 3);
    r = submit_to(store, "Hospital-B", big, "big.jsonl");
    CHECK_STR(sat(json_array_get(at(r.report, "rejected"), 0), "reason"),
              "ruru.observed is longer than 8192 bytes");
    done(&r);
}

static void test_refused(void)
{
    struct result r = submit_to(store, "Hospital-B", "hello\nworld\n", "garbage.jsonl");
    char *many;
    size_t n = 100001;

    CHECK_INT(r.err, RURU_EPARSE);
    CHECK(r.text == NULL && r.report == NULL);
    done(&r);
    r = submit_to(store, "Hospital-B", "", "empty.jsonl");
    CHECK_INT(r.err, RURU_EPARSE);
    done(&r);
    r = submit_to(store, "bad\norg", "{}", "org.jsonl");
    CHECK_INT(r.err, RURU_EINVAL);
    done(&r);
    many = malloc(n * 3 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(many + 3 * i, "{}\n", 3);
    many[n * 3] = '\0';
    r = submit_to(store, "Hospital-B", many, "many.jsonl");
    CHECK_INT(r.err, RURU_ELIMIT);
    CHECK_STR(r.d.msg,
              "100001 items submitted at once: at most 100000 per call (send them in parts)");
    done(&r);
    free(many);
}

/* Recorded for the organisation: an incident of Hospital-B on MAIL01 that points to APT40 (the
 * CERT's intel), never to the actor a constituent only claimed. */
static void test_record(void)
{
    const char *claims = "{\"@timestamp\": \"2024-08-02T08:30:00Z\", \"host\": {\"name\":"
                         " \"MAIL01\"}, \"ruru.observed\": \"claimed-only.example\","
                         " \"threat.group.name\": [\"APT28\"]}\n"
                         "{\"@timestamp\": \"2024-08-02T08:40:00Z\", \"host\": {\"name\":"
                         " \"MAIL01\"}, \"ruru.observed\": \"e3b0c44298fc1c149afbf4c8996fb924"
                         "27ae41e4649b934ca495991b7852b855\"}\n";
    struct result a = submit_to(store, "Hospital-B", BUNDLE, "rec1.jsonl");
    struct result b = submit_to(store, "Hospital-B", claims, "rec2.jsonl");
    ruru_register *reg = NULL;
    struct ruru_diag d;
    char *js = NULL, *rep = NULL;
    json_t *all = json_array(), *doc, *inc, *e;
    size_t i;
    bool apt28 = false;

    CHECK_INT(reg_open(path_of("reg"), &reg, &d), RURU_OK);
    json_array_extend(all, a.sightings);
    json_array_extend(all, b.sightings);
    CHECK_INT(json_array_size(all), 3);
    js = json_dumps(all, JSON_COMPACT);
    CHECK_INT(ruru_register_record_org(reg, store, "Hospital-B", js, strlen(js), &rep, &d),
              RURU_OK);
    free(js);
    ruru_free(rep);
    CHECK_INT(ruru_register_report_org(reg, INT64_MIN, INT64_MIN, NULL, "Hospital-B", &rep, &d),
              RURU_OK);
    doc = json_loads(rep, 0, NULL);
    CHECK_INT(json_array_size(at(doc, "incidents")), 1);
    inc = json_array_get(at(doc, "incidents"), 0);
    CHECK_STR(sat(inc, "org"), "Hospital-B");
    CHECK_STR(sat(inc, "asset"), "MAIL01");
    CHECK_STR(sat(inc, "judgement.actor"), "APT40");
    json_array_foreach(at(inc, "evidence"), i, e)
    {
        size_t k;
        json_t *a2;
        json_array_foreach(json_object_get(e, "actors"), k, a2) apt28 |=
                strcmp(json_string_value(a2), "APT28") == 0;
    }
    CHECK(!apt28);
    CHECK_INT(json_array_size(at(inc, "evidence")), 3);
    json_decref(doc);
    ruru_free(rep);
    /* every produced sighting verifies against its spool */
    js = json_dumps(all, JSON_COMPACT);
    CHECK_INT(ruru_verify(js, strlen(js), NULL, 0, &rep, &d), RURU_OK);
    doc = json_loads(rep, 0, NULL);
    CHECK_INT(iat(doc, "items"), 3);
    CHECK_INT(iat(doc, "verified"), 3);
    json_decref(doc);
    ruru_free(rep);
    free(js);
    json_decref(all);
    ruru_register_close(reg);
    done(&a);
    done(&b);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-submit-%ld", (long)getpid());
    if (mkdir(dir, 0700) != 0)
        return 1;
    store = open_with(RURU_OWN_DATA "/submit/intel.csv");
    examples = open_with(RURU_OWN_DATA "/../../examples/intel");
    if (store == NULL || examples == NULL)
        return 1;
    test_own_output();
    test_array();
    test_stix();
    test_unknown();
    test_bad_items();
    test_refused();
    test_record();
    ruru_store_close(store);
    ruru_store_close(examples);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    return check_done();
}
