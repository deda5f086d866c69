/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru export` end to end through the library (src/share/): intel with TLP markings, logs
 * that hit it, the sweep recorded in a register, then every export format. Checks that what is
 * above --tlp-max never leaves (its value, its record, its description and the asset only it
 * names are searched as bytes in each output), that an incident losing evidence is judged
 * again without it and one left with none is withheld, that the counts withheld are right,
 * that the same register gives the same bytes, and that a STIX export imported again gives
 * back every indicator it holds, with its actor.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "register_target.h"

static char dir[64];
static char path_buf[256];

static const char *path_of(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
    return path_buf;
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "w");

    if (f == NULL) {
        CHECK(false);
        return;
    }
    fputs(text, f);
    fclose(f);
}

/* Three indicators of one actor under three TLPs; a fourth, RED, seen alone elsewhere. */
static const char INTEL[] = "type,value,actor,confidence,tlp,description\n"
                            "ipv4,198.51.100.66,APT40,90,red,partner report secret-red-source\n"
                            "domain,green-c2.example,APT40,80,green,public C2 domain\n"
                            "ipv4,203.0.113.99,APT40,70,amber+strict,strict-amber-note\n"
                            "ipv4,192.0.2.201,APT40,90,red,second secret-red-source\n";

static const char WEB_LOG[] =
        "198.51.100.66 - - [12/Jul/2024:01:00:00 +0000] \"GET /red-only-path-xyz HTTP/1.1\" 200 "
        "5 \"-\" \"curl/8\"\n"
        "10.0.0.5 - - [12/Jul/2024:01:05:00 +0000] \"GET http://green-c2.example/beacon "
        "HTTP/1.1\" 200 5 \"-\" \"curl/8\"\n"
        "203.0.113.99 - - [12/Jul/2024:01:10:00 +0000] \"GET /strict-path-abc HTTP/1.1\" 200 5 "
        "\"-\" \"curl/8\"\n";

static const char RED_LOG[] = "192.0.2.201 - - [20/Aug/2024:03:00:00 +0000] \"GET /only-red-host "
                              "HTTP/1.1\" 200 5 \"-\" \"curl/8\"\n";

static int collect(void *ctx, const char *json)
{
    json_array_append_new(ctx, json_loads(json, 0, NULL));
    return 0;
}

static void build_register(void)
{
    ruru_store *s = NULL;
    ruru_register *r = NULL;
    struct ruru_import_opts io;
    struct ruru_scan_opts so;
    struct ruru_diag d;
    char *report = NULL, *summary = NULL, *text, *res = NULL;
    json_t *all = json_array();
    char web[256], red[256];
    const char *paths[2] = {web, red};

    write_text("intel.csv", INTEL);
    write_text("web.log", WEB_LOG);
    write_text("redhost.log", RED_LOG);
    snprintf(web, sizeof(web), "%s", path_of("web.log"));
    snprintf(red, sizeof(red), "%s", path_of("redhost.log"));
    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_store_open(dir, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, path_of("intel.csv"), &io, &report, &d), RURU_OK);
    ruru_free(report);
    memset(&so, 0, sizeof(so));
    so.threads = 1;
    so.no_builtin_rules = true;
    so.on_sighting = collect;
    so.ctx = all;
    CHECK_INT(ruru_scan(s, paths, 2, &so, &summary, &d), RURU_OK);
    ruru_free(summary);
    CHECK_INT((long long)json_array_size(all), 4);
    text = json_dumps(all, JSON_COMPACT);
    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    CHECK_INT(ruru_register_record(r, s, text, strlen(text), &res, &d), RURU_OK);
    free(text);
    ruru_free(res);
    ruru_register_close(r);
    ruru_store_close(s);
    json_decref(all);
}

static char *export(const char *format, const char *tlp, json_t **summary, size_t *len)
{
    ruru_store *s = NULL;
    ruru_register *r = NULL;
    struct ruru_export_opts o;
    struct ruru_diag d;
    char *out = NULL, *sum = NULL;
    enum ruru_err err;

    memset(&o, 0, sizeof(o));
    o.since = o.until = INT64_MIN;
    o.format = format;
    o.tlp_max = tlp;
    CHECK_INT(ruru_store_open(dir, &s, &d), RURU_OK);
    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    err = ruru_export(r, s, &o, &out, len, &sum, &d);
    CHECK_INT(err, RURU_OK);
    if (err != RURU_OK)
        fprintf(stderr, "export %s: %s\n", format, d.msg);
    if (summary != NULL)
        *summary = sum != NULL ? json_loads(sum, 0, NULL) : NULL;
    ruru_free(sum);
    ruru_register_close(r);
    ruru_store_close(s);
    return out;
}

static bool has(const char *out, size_t len, const char *what)
{
    return out != NULL && memmem(out, len, what, strlen(what)) != NULL;
}

/* What is above the bound is nowhere in any format, and is there once the bound allows it. */
static void test_tlp(void)
{
    static const char *const FORMATS[] = {"json", "stix", "misp", "html"};
    static const char *const RED[] = {"198.51.100.66", "red-only-path-xyz", "secret-red-source",
                                      "192.0.2.201",   "only-red-host",     "redhost"};
    static const char *const STRICT[] = {"203.0.113.99", "strict-path-abc", "strict-amber-note"};

    for (size_t f = 0; f < sizeof(FORMATS) / sizeof(FORMATS[0]); f++) {
        size_t len = 0;
        json_t *sum = NULL;
        char *out = export(FORMATS[f], NULL, &sum, &len);
        for (size_t i = 0; i < sizeof(RED) / sizeof(RED[0]); i++)
            if (has(out, len, RED[i])) {
                fprintf(stderr, "%s export holds \"%s\" (TLP:RED)\n", FORMATS[f], RED[i]);
                CHECK(false);
            }
        for (size_t i = 0; i < sizeof(STRICT) / sizeof(STRICT[0]); i++)
            if (has(out, len, STRICT[i])) {
                fprintf(stderr, "%s export holds \"%s\" (TLP:AMBER+STRICT)\n", FORMATS[f],
                        STRICT[i]);
                CHECK(false);
            }
        CHECK(has(out, len, "green-c2.example"));
        CHECK_STR(json_string_value(json_object_get(sum, "tlp_max")), "amber");
        CHECK_INT(json_integer_value(json_object_get(sum, "incidents")), 1);
        CHECK_INT(json_integer_value(json_object_get(
                          json_object_get(json_object_get(sum, "withheld"), "sightings"), "red")),
                  2);
        CHECK_INT(json_integer_value(json_object_get(
                          json_object_get(json_object_get(sum, "withheld"), "sightings"),
                          "amber+strict")),
                  1);
        CHECK_INT(json_integer_value(json_object_get(
                          json_object_get(json_object_get(sum, "withheld"), "incidents"), "red")),
                  1);
        json_decref(sum);
        free(out);

        out = export(FORMATS[f], "amber+strict", NULL, &len);
        CHECK(has(out, len, "203.0.113.99") && !has(out, len, "198.51.100.66"));
        free(out);
        out = export(FORMATS[f], "red", NULL, &len);
        CHECK(has(out, len, "198.51.100.66") && has(out, len, "192.0.2.201"));
        free(out);
    }
}

/* The incident that lost two sightings is judged on the third alone. */
static void test_recomputed(void)
{
    size_t len = 0;
    char *out = export("json", NULL, NULL, &len);
    json_t *m = json_loads(out, 0, NULL), *inc = json_array_get(json_object_get(m, "incidents"), 0);
    json_t *all;
    char *full = export("json", "red", NULL, &len);

    CHECK(json_is_true(json_object_get(inc, "recomputed")));
    CHECK(json_object_get(inc, "history") == NULL);
    CHECK_INT((long long)json_array_size(json_object_get(inc, "sightings")), 1);
    CHECK_INT((long long)json_array_size(json_object_get(inc, "evidence")), 1);
    CHECK_STR(json_string_value(json_object_get(inc, "tlp")), "amber");
    CHECK_STR(json_string_value(json_object_get(m, "tlp")), "amber");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(m, "withheld"), "evidence")), 2);
    all = json_loads(full, 0, NULL);
    /* the register's id stays; the full judgement rests on three pieces, this one on one */
    CHECK_STR(json_string_value(json_object_get(inc, "id")),
              json_string_value(
                      json_object_get(json_array_get(json_object_get(all, "incidents"), 0), "id")));
    CHECK(json_number_value(json_object_get(json_object_get(inc, "judgement"), "probability")) <
          json_number_value(json_object_get(
                  json_object_get(json_array_get(json_object_get(all, "incidents"), 0),
                                  "judgement"),
                  "probability")));
    CHECK_INT((long long)json_array_size(json_object_get(all, "incidents")), 2);
    CHECK_STR(json_string_value(json_object_get(all, "tlp")), "red");
    json_decref(m);
    json_decref(all);
    free(out);
    free(full);
}

static void test_deterministic(void)
{
    static const char *const FORMATS[] = {"json", "stix", "misp", "html"};

    for (size_t f = 0; f < sizeof(FORMATS) / sizeof(FORMATS[0]); f++) {
        size_t a_len = 0, b_len = 0;
        char *a = export(FORMATS[f], "red", NULL, &a_len),
             *b = export(FORMATS[f], "red", NULL, &b_len);
        CHECK(a != NULL && b != NULL && a_len == b_len && memcmp(a, b, a_len) == 0);
        free(a);
        free(b);
    }
}

/* Imported again, the STIX export gives every indicator it holds, tied to its actor. */
static void test_stix_round_trip(void)
{
    static const char *const VALUES[] = {"198.51.100.66", "green-c2.example", "203.0.113.99",
                                         "192.0.2.201"};
    size_t len = 0;
    char *out = export("stix", "red", NULL, &len), *report = NULL;
    ruru_store *s = NULL;
    struct ruru_import_opts io;
    struct ruru_diag d;
    FILE *f = fopen(path_of("export.stix.json"), "wb");

    CHECK(f != NULL && fwrite(out, 1, len, f) == len);
    if (f != NULL)
        fclose(f);
    free(out);
    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, path_of("export.stix.json"), &io, &report, &d), RURU_OK);
    ruru_free(report);
    for (size_t i = 0; i < sizeof(VALUES) / sizeof(VALUES[0]); i++) {
        char *js = NULL;
        json_t *r, *m;
        size_t k;
        bool found = false;
        CHECK_INT(ruru_intel_search(s, VALUES[i], INT64_MIN, &js, &d), RURU_OK);
        r = json_loads(js, 0, NULL);
        ruru_free(js);
        json_array_foreach(json_object_get(r, "matches"), k, m)
        {
            json_t *a = json_array_get(json_object_get(m, "actors"), 0);
            found |= json_is_true(json_object_get(m, "to_ids")) &&
                     strcmp(json_string_value(json_object_get(m, "value")), VALUES[i]) == 0 &&
                     a != NULL &&
                     strcmp(json_string_value(json_object_get(a, "name")), "APT40") == 0;
        }
        if (!found)
            fprintf(stderr, "round trip lost %s\n", VALUES[i]);
        CHECK(found);
        json_decref(r);
    }
    ruru_store_close(s);
}

/* --incident: that incident only, whatever else the register holds. */
static void test_one_incident(void)
{
    ruru_register *r = NULL;
    struct ruru_export_opts o;
    struct ruru_diag d;
    char *out = NULL, *sum = NULL, *all;
    size_t len;
    json_t *m, *inc;
    const char *ids[1];

    all = export("json", "red", NULL, &len);
    m = json_loads(all, 0, NULL);
    inc = json_array_get(json_object_get(m, "incidents"), 1);
    ids[0] = json_string_value(json_object_get(inc, "id"));
    memset(&o, 0, sizeof(o));
    o.since = o.until = INT64_MIN;
    o.format = "json";
    o.tlp_max = "red";
    o.incidents = ids;
    o.n_incidents = 1;
    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_OK);
    {
        json_t *one = json_loads(out, 0, NULL);
        json_t *got = json_object_get(one, "incidents");
        CHECK_INT((long long)json_array_size(got), 1);
        CHECK_STR(json_string_value(json_object_get(json_array_get(got, 0), "id")), ids[0]);
        CHECK_STR(json_string_value(json_object_get(json_array_get(got, 0), "asset")),
                  json_string_value(json_object_get(inc, "asset")));
        json_decref(one);
    }
    ruru_free(out);
    ruru_free(sum);
    ruru_register_close(r);
    json_decref(m);
    free(all);
}

/* ruru.yaml's export: the CERT named, and the CERT's findings shared at GREEN: the sighting
 * of GREEN intel is then GREEN, and leaves under --tlp-max green. */
static void test_config(void)
{
    static const char YAML[] = "export:\n  name: CERT-EX\n  contact: cert@example.org\n"
                               "  tlp_evidence: green\n";
    ruru_register *r = NULL;
    struct ruru_export_opts o;
    struct ruru_diag d;
    char *out = NULL, *sum = NULL;
    size_t len;
    json_t *m, *inc;

    memset(&o, 0, sizeof(o));
    o.since = o.until = INT64_MIN;
    o.format = "json";
    o.tlp_max = "green";
    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    CHECK_INT(ruru_register_set_config(r, YAML, strlen(YAML), "ruru.yaml", &d), RURU_OK);
    CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_OK);
    m = json_loads(out, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(m, "cert"), "name")), "CERT-EX");
    CHECK_STR(json_string_value(json_object_get(json_object_get(m, "cert"), "contact")),
              "cert@example.org");
    CHECK_INT((long long)json_array_size(json_object_get(m, "incidents")), 1);
    inc = json_array_get(json_object_get(m, "incidents"), 0);
    CHECK_STR(json_string_value(json_object_get(inc, "tlp")), "green");
    {
        json_t *sg = json_array_get(json_object_get(inc, "sightings"), 0);
        json_t *ind = json_object_get(json_object_get(sg, "ruru"), "indicator");
        CHECK_INT((long long)json_array_size(json_object_get(inc, "sightings")), 1);
        CHECK_STR(json_string_value(json_object_get(ind, "value")), "green-c2.example");
        CHECK_STR(json_string_value(json_object_get(sg, "tlp")), "green");
    }
    json_decref(m);
    ruru_free(out);
    ruru_free(sum);
    ruru_register_close(r);
}

/* --since, --until and --actor select as ruru report does. */
static void test_selection(void)
{
    static const struct {
        const char *since, *until, *actor;
        long long want;
    } CASES[] = {
            {NULL, NULL, NULL, 2},         {"2024-08-01", NULL, NULL, 1},
            {NULL, "2024-08-01", NULL, 1}, {"2024-07-12T01:00:01Z", "2024-08-01", NULL, 0},
            {NULL, NULL, "APT40", 2},      {NULL, NULL, "Lazarus Group", 0},
    };

    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        ruru_register *r = NULL;
        struct ruru_export_opts o;
        struct ruru_diag d;
        char *out = NULL, *sum = NULL;
        size_t len;
        json_t *sj;

        memset(&o, 0, sizeof(o));
        o.since = o.until = INT64_MIN;
        o.format = "stix";
        o.tlp_max = "red";
        o.actor = CASES[i].actor;
        CHECK(CASES[i].since == NULL || ruru_time_from_text(CASES[i].since, &o.since));
        CHECK(CASES[i].until == NULL || ruru_time_from_text(CASES[i].until, &o.until));
        CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
        CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_OK);
        sj = json_loads(sum, 0, NULL);
        CHECK_INT(json_integer_value(json_object_get(sj, "incidents")), CASES[i].want);
        json_decref(sj);
        ruru_free(out);
        ruru_free(sum);
        ruru_register_close(r);
    }
}

static void test_errors(void)
{
    ruru_register *r = NULL;
    struct ruru_export_opts o;
    struct ruru_diag d;
    char *out = NULL, *sum = NULL;
    size_t len;
    const char *ids[1] = {"ruru-incident--0000000000000000"};

    memset(&o, 0, sizeof(o));
    o.since = o.until = INT64_MIN;
    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    o.format = "pdf";
    CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_EINVAL);
    CHECK_STR(d.msg, "--format takes stix, misp, html or json, not \"pdf\"");
    o.format = "stix";
    o.tlp_max = "purple";
    CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_EINVAL);
    o.tlp_max = NULL;
    o.incidents = ids;
    o.n_incidents = 1;
    CHECK_INT(ruru_export(r, NULL, &o, &out, &len, &sum, &d), RURU_ENOTFOUND);
    CHECK(out == NULL && sum == NULL);
    ruru_register_close(r);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-export-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    build_register();
    test_tlp();
    test_recomputed();
    test_deterministic();
    test_stix_round_trip();
    test_one_incident();
    test_config();
    test_selection();
    test_errors();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            CHECK(false);
    }
    return check_done();
}
