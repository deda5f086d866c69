/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incidents from sightings (cases/incident.h): grouping by asset and gap, undated sightings
 * apart, stable ids, distinct evidence with its cites, severity and "serious", campaigns
 * across assets sharing a distinctive indicator (not an address, not a warninglisted value),
 * and the judgement each incident carries.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cases/incident.h"
#include "check.h"
#include "shared_data.h"

/* A sighting as the sweep writes it: an indicator's. */
static json_t *ind_sighting(const char *when,
                            const char *asset,
                            const char *id,
                            const char *type,
                            const char *value,
                            int confidence,
                            const char *actor,
                            json_int_t offset)
{
    return json_pack("{s:s?, s:{s:{s:s}, s:I}, s:{s:s, s:I, s:I, s:s, s:s, s:s, s:{s:s, s:s, s:s, "
                     "s:s, s:s, s:i, s:s, s:o}}}",
                     "@timestamp", when, "log", "file", "path", "logs/u_ex.log", "offset", offset,
                     "ruru", "asset", asset, "line", offset / 100 + 1, "length", (json_int_t)99,
                     "sha256", "ab12", "observed", value, "format", "w3c", "indicator", "id", id,
                     "type", type, "value", value, "source", "advisory", "file", "apt40.json",
                     "confidence", confidence, "first_seen", "2024-07-01T00:00:00Z", "actors",
                     actor != NULL ? json_pack("[{s:s, s:s}]", "name", actor, "country", "CN")
                                   : json_array());
}

/* A rule's sighting. */
static json_t *rule_sighting(
        const char *when, const char *asset, const char *level, const char *cls, json_int_t offset)
{
    return json_pack("{s:s, s:{s:{s:s}, s:I}, s:{s:{s:[s]}}, s:{s:s, s:I, s:I, s:s, s:{s:s, s:s, "
                     "s:s, s:s}}}",
                     "@timestamp", when, "log", "file", "path", "logs/HttpProxy.LOG", "offset",
                     offset, "threat", "technique", "id", "T1190", "ruru", "asset", asset, "line",
                     offset / 100 + 1, "length", (json_int_t)120, "sha256", "cd34", "rule", "id",
                     "e12a0c0e", "title", "ProxyLogon probe", "level", level, "class", cls);
}

static const char *at(json_t *o, const char *path)
{
    static char buf[256];
    char key[64];

    while (o != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_is_array(o) ? json_array_get(o, (size_t)atoi(key)) : json_object_get(o, key);
        path += n + (dot != NULL);
    }
    if (json_is_string(o))
        return json_string_value(o);
    if (o == NULL)
        return "(none)";
    if (json_is_null(o))
        return "null";
    if (json_is_true(o) || json_is_false(o))
        return json_is_true(o) ? "true" : "false";
    snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(o));
    return buf;
}

static json_t *build(json_t **docs, size_t n, size_t *skipped)
{
    struct ruru_case_config c;
    json_t *out = NULL;

    ruru_case_defaults(&c);
    CHECK_INT(ruru_cases_build(&c, docs, n, NULL, 0, &out, skipped), RURU_OK);
    return out;
}

static void test_grouping(void)
{
    json_t *docs[8], *inc, *again;
    size_t skipped, n = 0;
    char first_id[64];

    docs[n++] = ind_sighting("2024-07-12T01:15:41Z", "EXCH01", "ind-hash", "sha256", "9a4b", 85,
                             "APT40", 100);
    docs[n++] = rule_sighting("2024-07-12T01:15:00Z", "EXCH01", "high", "attempt", 700);
    docs[n++] = ind_sighting("2024-07-12T01:20:00Z", "EXCH01", "ind-hash", "sha256", "9a4b", 85,
                             "APT40", 200);
    docs[n++] = ind_sighting("2024-07-13T01:00:00Z", "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85,
                             "APT40", 300); /* within 24 h of the last: same incident */
    docs[n++] = ind_sighting("2024-07-16T09:00:00Z", "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85,
                             "APT40", 400); /* three days later: another */
    docs[n++] = ind_sighting("2024-07-12T02:00:00Z", "WEB02", "ind-hash", "sha256", "9a4b", 85,
                             "APT40", 500); /* another asset, the same hash: a campaign */
    docs[n++] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 600);
    docs[n++] = json_pack("{s:{s:i}}", "scan", "inputs", 3); /* a summary: no sighting */
    inc = build(docs, n, &skipped);
    CHECK_INT(skipped, 1);
    CHECK_INT(json_array_size(inc), 4);
    /* earliest first: EXCH01's first night (4 sightings, 3 pieces of evidence) */
    CHECK_STR(at(inc, "0.asset"), "EXCH01");
    CHECK_STR(at(inc, "0.first"), "2024-07-12T01:15:00Z");
    CHECK_STR(at(inc, "0.last"), "2024-07-13T01:00:00Z");
    CHECK_STR(at(inc, "0.sightings"), "4");
    CHECK_INT(json_array_size(json_object_get(json_array_get(inc, 0), "evidence")), 3);
    {
        json_t *src = json_object_get(json_array_get(inc, 0), "sources");
        CHECK_INT(json_integer_value(json_object_get(src, "logs/u_ex.log")), 3);
        CHECK_INT(json_integer_value(json_object_get(src, "logs/HttpProxy.LOG")), 1);
    }
    /* the hash, once, with both records it was seen in */
    CHECK_STR(at(inc, "0.evidence.1.key"), "ind-hash");
    CHECK_STR(at(inc, "0.evidence.1.sightings"), "2");
    CHECK_STR(at(inc, "0.evidence.1.cites.1.offset"), "200");
    CHECK_STR(at(inc, "0.evidence.1.actors.0"), "APT40");
    /* severity: a hash is high; the rule high but an attempt, so medium */
    CHECK_STR(at(inc, "0.evidence.0.severity"), "medium");
    CHECK_STR(at(inc, "0.severity"), "high");
    CHECK_STR(at(inc, "0.serious"), "true");
    /* judged: the hash makes APT40 very likely */
    CHECK_STR(at(inc, "0.judgement.actor"), "APT40");
    CHECK_STR(at(inc, "0.judgement.hypotheses.0.actor"), "APT40");
    CHECK_STR(at(inc, "0.judgement.hypotheses.1.actor"), "null");
    CHECK_STR(at(inc, "0.judgement.table.1.cells.0.verdict"), "consistent");
    /* WEB02's incident shares the hash: one campaign with EXCH01's first */
    CHECK_STR(at(inc, "1.asset"), "WEB02");
    CHECK(strcmp(at(inc, "0.campaign"), "null") != 0);
    CHECK_STR(at(inc, "0.campaign"), at(inc, "1.campaign"));
    /* three days later: the address alone, not serious, unattributed, no campaign (addresses
     * link nothing) */
    CHECK_STR(at(inc, "2.first"), "2024-07-16T09:00:00Z");
    CHECK_STR(at(inc, "2.severity"), "low");
    CHECK_STR(at(inc, "2.serious"), "false");
    CHECK_STR(at(inc, "2.judgement.actor"), "null");
    CHECK_STR(at(inc, "2.campaign"), "null");
    /* the undated sighting: its own incident, last */
    CHECK_STR(at(inc, "3.first"), "null");
    CHECK_STR(at(inc, "3.sightings"), "1");
    /* ids: stable, and the same whatever order the sightings came in */
    snprintf(first_id, sizeof(first_id), "%s", at(inc, "0.id"));
    CHECK(strncmp(first_id, "ruru-incident--", 15) == 0 && strlen(first_id) == 31);
    {
        json_t *rev[8];
        for (size_t i = 0; i < n; i++)
            rev[i] = docs[n - 1 - i];
        again = build(rev, n, &skipped);
        CHECK_STR(at(again, "0.id"), first_id);
        CHECK_INT(json_equal(inc, again), 1);
        json_decref(again);
    }
    json_decref(inc);
    for (size_t i = 0; i < n; i++)
        json_decref(docs[i]);
}

static void test_warninglisted_and_success(void)
{
    json_t *docs[2], *inc;
    size_t skipped;

    docs[0] = ind_sighting("2024-07-12T01:00:00Z", "EXCH01", "ind-dom", "domain",
                           "login.microsoftonline.com", 90, "APT40", 100);
    json_object_set_new(json_object_get(docs[0], "ruru"), "warninglists",
                        json_pack("[s]", "List of known Microsoft domains"));
    docs[1] = rule_sighting("2024-07-12T01:05:00Z", "EXCH01", "high", "success", 200);
    inc = build(docs, 2, &skipped);
    CHECK_INT(json_array_size(inc), 1);
    CHECK_STR(at(inc, "0.evidence.0.warninglisted"), "true");
    CHECK_STR(at(inc, "0.evidence.0.severity"), "informational");
    CHECK_STR(at(inc, "0.evidence.1.severity"), "critical"); /* high, and it worked */
    CHECK_STR(at(inc, "0.severity"), "critical");
    CHECK_STR(at(inc, "0.judgement.actor"), "null");
    CHECK_STR(at(inc, "0.judgement.table.0.cells.0.verdict"), "neutral");
    json_decref(inc);
    json_decref(docs[0]);
    json_decref(docs[1]);
}

static bool cfg_equal(const struct ruru_case_config *a, const struct ruru_case_config *b)
{
    const struct ruru_attrib_config *x = &a->attrib, *y = &b->attrib;

    for (int k = 0; k < RURU_EV__COUNT; k++)
        if (x->weight[k] != y->weight[k] || x->half_life_days[k] != y->half_life_days[k])
            return false;
    return a->gap == b->gap && a->serious == b->serious && x->prior_odds == y->prior_odds &&
           x->dependence == y->dependence && x->default_confidence == y->default_confidence &&
           x->technique_weight == y->technique_weight && x->technique_cap == y->technique_cap &&
           x->likely == y->likely;
}

/* ruru.yaml: the shipped file is the defaults; keys and values are checked. */
static void test_config(void)
{
    struct ruru_case_config def, c;
    struct ruru_diag d;
    char path[512], *buf;
    FILE *f;
    long n;

    ruru_case_defaults(&def);
    snprintf(path, sizeof(path), "%s/../../ruru.yaml", RURU_OWN_DATA);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    CHECK(fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    memset(&c, 0, sizeof(c));
    CHECK_INT(ruru_case_config_load(buf, (size_t)n, "ruru.yaml", &c, &d), RURU_OK);
    CHECK(cfg_equal(&c, &def)); /* the shipped file says the defaults */

    c = def;
    {
        static const char y[] = "incidents:\n  gap: 6h\n  serious: medium\nattribution:\n"
                                "  weights:\n    ip: 2\n";
        CHECK_INT(ruru_case_config_load(y, strlen(y), "x.yaml", &c, &d), RURU_OK);
    }
    CHECK_INT(c.gap, 6 * 3600);
    {
        /* logsources: ties of Sigma logsources to inputs, beside the judgement's settings */
        static const char y[] = "incidents:\n  gap: 6h\nlogsources:\n"
                                "  cisco/aaa: /var/log/net/router-*.log\n"
                                "  category:application,product:jvm: [app/, '*.jvm.log']\n";
        char *json = NULL;
        struct ruru_case_config c2 = def;
        CHECK_INT(ruru_case_config_load(y, strlen(y), "x.yaml", &c2, &d), RURU_OK);
        CHECK_INT(c2.gap, 6 * 3600);
        CHECK_INT(ruru_config_logsources(y, strlen(y), "x.yaml", &json, &d), RURU_OK);
        CHECK_STR(json, "[\"cisco/aaa=/var/log/net/router-*.log\","
                        "\"category:application,product:jvm=app/\","
                        "\"category:application,product:jvm=*.jvm.log\"]");
        ruru_free(json);
        /* the shipped file ties nothing */
        json = NULL;
        CHECK_INT(ruru_config_logsources(buf, (size_t)n, "ruru.yaml", &json, &d), RURU_OK);
        CHECK_STR(json, "[]");
        ruru_free(json);
    }
    free(buf);
    CHECK_INT(c.serious, RURU_SEV_MEDIUM);
    CHECK(c.attrib.weight[RURU_EV_IP] == 2 && c.attrib.weight[RURU_EV_HASH] == 100);
    {
        static const struct {
            const char *yaml, *error;
        } bad[] = {
                {"attribution:\n  priors: 1\n",
                 "x.yaml:2:3: unknown setting (docs/attribution.md lists them)"},
                {"attribution:\n  likely: 0.3\n",
                 "x.yaml:2:11: a value in range is needed here (ruru.yaml shows the defaults)"},
                {"attribution:\n  weights:\n    sha: 9\n",
                 "x.yaml:3:5: not a kind of indicator: hash, url, domain, email, file-name, "
                 "pattern, user-agent, string, ip, cidr, rule"},
                {"incidents:\n  serious: grave\n",
                 "x.yaml:2:12: a value in range is needed here (ruru.yaml shows the defaults)"},
                {"alerts: 1\n",
                 "x.yaml:1:1: unknown section: ruru.yaml has incidents, attribution, "
                 "logsources, export, orgs, register and serve"},
                {"orgs:\n  A: {sector: x, size: 3}\n",
                 "x.yaml:2:18: unknown setting: an organisation has a sector"},
                {"orgs: [A]\n",
                 "x.yaml:1:7: a map of organisations is needed here (EXAMPLE-ORG: {sector: X})"},
                {"orgs:\n  A: {sector: \"\"}\n",
                 "x.yaml:2:15: a sector is needed here (1 to 128 characters, no control "
                 "characters)"},
                {"export:\n  tlp_default: purple\n",
                 "x.yaml:2:16: a TLP is needed here: clear, green, amber, amber+strict or red"},
                {"export:\n  owner: x\n",
                 "x.yaml:2:3: unknown setting: export has name, contact, tlp_default and "
                 "tlp_evidence"},
                {"export:\n  name: \"\"\n", "x.yaml:2:9: a text is needed here"},
                {"export: [1]\n",
                 "x.yaml:1:9: a map is needed here (name, contact, tlp_default, tlp_evidence)"},
                {"logsources:\n  cisco:aaa: /var/log/r.log\n",
                 "x.yaml:2:3: logsource tie \"cisco:aaa=/var/log/r.log\": each part is "
                 "category:NAME, product:NAME or service:NAME (PRODUCT[/SERVICE], or "
                 "category:C,product:P,service:S)"},
                {"logsources:\n  cisco/aaa: [a.log, {x: 1}]\n",
                 "x.yaml:2:22: a path, a directory or a glob is needed here"},
                {"logsources: [cisco/aaa]\n",
                 "x.yaml:1:13: a map of logsources to paths is needed here (cisco/aaa: "
                 "/var/log/net/*.log)"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char msg[512];
            c = def;
            CHECK_INT(ruru_case_config_load(bad[i].yaml, strlen(bad[i].yaml), "x.yaml", &c, &d),
                      RURU_EPARSE);
            snprintf(msg, sizeof(msg), "%s:%" PRIu64 ":%" PRIu64 ": %s", d.source, d.line, d.col,
                     d.msg);
            CHECK_STR(msg, bad[i].error);
            CHECK(cfg_equal(&c, &def)); /* left as it was */
        }
    }
}

static int collect(void *ctx, const char *json)
{
    json_array_append_new(ctx, json_loads(json, 0, NULL));
    return 0;
}

/* Records that name no asset and carry no time - the real Proxifier log (no year, no host)
 * and a Zeek test log (timestamps written XXXXXXXXXX) - are on their inputs: two incidents,
 * each on its input's path, never one lumped across both. */
static void test_undated_inputs(void)
{
    char dir[] = "/tmp/ruru-test-cases-XXXXXX", csv[64], cmd[96], proxifier[512], zeek[512];
    const char *inputs[] = {proxifier, zeek};
    struct ruru_import_opts io;
    struct ruru_scan_opts so;
    struct ruru_diag d;
    ruru_store *st = NULL;
    json_t *sightings = json_array(), *inc = NULL, **docs;
    char *report = NULL, *summary = NULL;
    size_t skipped, n;
    FILE *f;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(csv, sizeof(csv), "%s/intel.csv", dir);
    f = fopen(csv, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fputs("type,value,actor,confidence\n"
          "domain,proxy.cse.cuhk.edu.hk,APT40,80\n"
          "domain,www.google.com,APT41,80\n",
          f);
    fclose(f);
    snprintf(proxifier, sizeof(proxifier), "%s/logs/loghub/Proxifier_2k.log", shared_data());
    snprintf(zeek, sizeof(zeek), "%s/logs/zeek/scripts.base.protocols.http.http-methods_http.log",
             shared_data());
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, &d), RURU_OK);
    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_intel_import(st, csv, &io, &report, &d), RURU_OK);
    ruru_free(report);
    memset(&so, 0, sizeof(so));
    so.threads = 1;
    so.on_sighting = collect;
    so.ctx = sightings;
    CHECK_INT(ruru_scan(st, inputs, 2, &so, &summary, &d), RURU_OK);
    ruru_free(summary);
    n = json_array_size(sightings);
    CHECK_INT(n, 1497 + 26);
    docs = calloc(n + 1, sizeof(*docs));
    for (size_t i = 0; docs != NULL && i < n; i++)
        docs[i] = json_array_get(sightings, i);
    inc = build(docs, n, &skipped);
    free(docs);
    CHECK_INT(json_array_size(inc), 2);
    /* undated, both: ordered by id; find each by its asset */
    for (size_t i = 0; i < json_array_size(inc); i++) {
        json_t *x = json_array_get(inc, i);
        const char *asset = json_string_value(json_object_get(x, "asset"));
        bool is_proxifier = asset != NULL && strcmp(asset, proxifier) == 0;
        CHECK(asset != NULL && (is_proxifier || strcmp(asset, zeek) == 0));
        CHECK_STR(json_string_value(json_object_get(x, "asset_from")), "input");
        CHECK(json_is_null(json_object_get(x, "first")));
        CHECK_INT(json_integer_value(json_object_get(x, "sightings")), is_proxifier ? 1497 : 26);
        CHECK_INT(json_object_size(json_object_get(x, "sources")), 1);
    }
    json_decref(inc);
    json_decref(sightings);
    ruru_store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

/* Undated sightings on one named asset but from two inputs are two incidents. */
static void test_undated_same_asset(void)
{
    json_t *docs[3], *inc;
    size_t skipped;

    docs[0] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 100);
    docs[1] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 200);
    docs[2] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 300);
    json_object_set_new(json_object_get(json_object_get(docs[2], "log"), "file"), "path",
                        json_string("logs/other.log"));
    inc = build(docs, 3, &skipped);
    CHECK_INT(json_array_size(inc), 2);
    CHECK_STR(at(inc, "0.asset"), "EXCH01");
    CHECK_STR(at(inc, "0.asset_from"), "(none)");
    CHECK_STR(at(inc, "1.asset"), "EXCH01");
    CHECK_INT(atoi(at(inc, "0.sightings")) + atoi(at(inc, "1.sightings")), 3);
    CHECK(strcmp(at(inc, "0.sightings"), "1") == 0 || strcmp(at(inc, "1.sightings"), "1") == 0);
    json_decref(inc);
    for (size_t i = 0; i < 3; i++)
        json_decref(docs[i]);
}

/* One record dated two ways (a report someone edited: the same cite, one sighting dated, one
 * not) makes two incidents that start at the same record; their ids must still differ (found
 * by fuzz_register: the register merged them into one row). */
static void test_ids_unique(void)
{
    json_t *docs[3], *out;
    size_t skipped = 0;

    docs[0] = ind_sighting("2024-07-12T01:15:41Z", "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85,
                           "APT40", 100);
    docs[1] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 100);
    docs[2] = ind_sighting(NULL, "EXCH01", "ind-ip", "ipv4", "203.0.113.45", 85, "APT40", 100);
    out = build(docs, 3, &skipped);
    CHECK_INT(json_array_size(out), 2);
    CHECK(strcmp(at(out, "0.id"), "(none)") != 0);
    {
        char a[64];
        snprintf(a, sizeof(a), "%s", at(out, "0.id"));
        CHECK(strcmp(a, at(out, "1.id")) != 0);
    }
    json_decref(out);
    for (size_t i = 0; i < 3; i++)
        json_decref(docs[i]);
}

/* The dependence group of the first incident's evidence row e. */
static json_int_t group_of(json_t *incidents, size_t e)
{
    json_t *j = json_object_get(json_array_get(incidents, 0), "judgement");

    return json_integer_value(
            json_object_get(json_array_get(json_object_get(j, "table"), e), "group"));
}

/* The intel's provenance (ruru.indicator.created_by: a CSV's source or report column, a MISP
 * event's Orgc) splits one intel file into reports: three domains from three advisories
 * listed in one CSV are three independent groups, the same rows without it one. */
static void test_provenance(void)
{
    static const char *const domains[] = {"a.example", "b.example", "c.example"};
    static const char *const ids[] = {"ind-a", "ind-b", "ind-c"};
    static const char *const reports[] = {"CISA AA21-200A", "NCSC UK", "ASD ACSC"};
    json_t *docs[3], *one, *three;
    size_t skipped;
    double p_one, p_three;

    for (size_t i = 0; i < 3; i++)
        docs[i] = ind_sighting("2024-07-12T01:00:00Z", "WEB01", ids[i], "domain", domains[i], 80,
                               "APT40", (json_int_t)(100 * (i + 1)));
    one = build(docs, 3, &skipped);
    for (size_t i = 0; i < 3; i++)
        json_object_set_new(json_object_get(json_object_get(docs[i], "ruru"), "indicator"),
                            "created_by", json_string(reports[i]));
    three = build(docs, 3, &skipped);
    /* one report: one group */
    CHECK_INT(group_of(one, 0), group_of(one, 1));
    CHECK_INT(group_of(one, 1), group_of(one, 2));
    CHECK_STR(at(one, "0.evidence.0.provenance"), "(none)");
    CHECK(strstr(at(one, "0.judgement.why"), "from 1 independent group of") != NULL);
    /* three reports: three groups, the provenance beside the file in the evidence */
    CHECK(group_of(three, 0) != group_of(three, 1) && group_of(three, 1) != group_of(three, 2) &&
          group_of(three, 0) != group_of(three, 2));
    CHECK_STR(at(three, "0.evidence.0.source"), "apt40.json");
    CHECK_STR(at(three, "0.evidence.0.provenance"), "CISA AA21-200A");
    CHECK_STR(at(three, "0.evidence.2.provenance"), "ASD ACSC");
    CHECK(strstr(at(three, "0.judgement.why"), "from 3 independent groups of") != NULL);
    p_one = json_number_value(
            json_object_get(json_object_get(json_array_get(one, 0), "judgement"), "probability"));
    p_three = json_number_value(
            json_object_get(json_object_get(json_array_get(three, 0), "judgement"), "probability"));
    CHECK(p_one > 0.7 && p_one < 0.8);
    CHECK(p_three > 0.99 && p_three < 1);
    json_decref(one);
    json_decref(three);
    for (size_t i = 0; i < 3; i++)
        json_decref(docs[i]);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_undated_inputs();
        return check_done();
    }
    test_ids_unique();
    test_undated_same_asset();
    test_config();
    test_grouping();
    test_warninglisted_and_success();
    test_provenance();
    return check_done();
}
