/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Real MISP events and their STIX export, read in place (../shared/data/intel/misp-events):
 * CIRCL's Regin event, and MISP's own round-trip pair (one event of most attribute types as
 * MISP JSON and as the STIX 2.0 bundle misp2stix2 makes of it). Counts by type are exact, kept
 * apart for detection indicators and context (to_ids false), with the rejects by reason; then
 * small STIX bundles for what the pair does not hold (2.0 observed-data, 2.1 infrastructure).
 */
#include <jansson.h>
#include <ruru.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/attrib.h"
#include "check.h"
#include "intel/intel.h"
#include "shared_data.h"

#define MAX_KEYS 64

/* "<what> <count>" rows, in order of first appearance. */
struct tally {
    char key[MAX_KEYS][96];
    size_t n[MAX_KEYS], n_keys;
};

struct rec {
    struct tally ids, ctx, rej, rel, ent;
    char ind[16][400]; /* the first indicators: "<type> <value> ref=... obj=... ..." */
    size_t n_ind;
    char rej_at[16][200]; /* the first rejects: "<line>:<col> <reason> <value>" */
    size_t n_rej;
};

static void count(struct tally *t, const char *k)
{
    for (size_t i = 0; i < t->n_keys; i++)
        if (strcmp(t->key[i], k) == 0) {
            t->n[i]++;
            return;
        }
    if (t->n_keys < MAX_KEYS) {
        snprintf(t->key[t->n_keys], sizeof(t->key[0]), "%s", k);
        t->n[t->n_keys++] = 1;
    }
}

/* The tally as "k n, k n, ..." with the keys in byte order. */
static const char *show(const struct tally *t, char *out, size_t cap)
{
    size_t o = 0, order[MAX_KEYS];

    for (size_t i = 0; i < t->n_keys; i++) {
        size_t k = i;
        while (k > 0 && strcmp(t->key[order[k - 1]], t->key[i]) > 0) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    out[0] = '\0';
    for (size_t i = 0; i < t->n_keys && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s %zu", i ? ", " : "", t->key[order[i]],
                              t->n[order[i]]);
    return out;
}

static enum ruru_err on_ind(void *ctx, const struct ruru_intel_indicator *ind)
{
    struct rec *r = ctx;

    count(ind->to_ids ? &r->ids : &r->ctx, ruru_ioc_type_name(ind->type));
    if (r->n_ind < 16) {
        char actors[128] = "";
        for (size_t i = 0, o = 0; i < ind->n_actors && o < sizeof(actors); i++)
            o += (size_t)snprintf(actors + o, sizeof(actors) - o, "%s%s", i ? "|" : "",
                                  ind->actors[i]);
        snprintf(r->ind[r->n_ind++], sizeof(r->ind[0]), "%s %s ref=%s obj=%s%s%s%s%s%s%s",
                 ruru_ioc_type_name(ind->type), ind->value, ind->ref ? ind->ref : "-",
                 ind->object_ref ? ind->object_ref : "-", ind->context ? " ctx=" : "",
                 ind->context ? ind->context : "", ind->to_ids ? "" : " context",
                 ind->n_actors ? " actors=" : "", actors,
                 ind->first_seen != RURU_TIME_NONE ? " first-seen" : "");
    }
    return RURU_OK;
}

static enum ruru_err on_rej(void *ctx, const struct ruru_intel_reject *rej)
{
    struct rec *r = ctx;

    count(&r->rej, rej->reason);
    if (r->n_rej < 16)
        snprintf(r->rej_at[r->n_rej++], sizeof(r->rej_at[0]), "%llu:%llu %s %s",
                 (unsigned long long)rej->line, (unsigned long long)rej->col, rej->reason,
                 rej->value ? rej->value : "-");
    return RURU_OK;
}

static enum ruru_err on_rel(void *ctx, const struct ruru_intel_relation *rel)
{
    count(&((struct rec *)ctx)->rel, rel->type);
    return RURU_OK;
}

static enum ruru_err on_ent(void *ctx, const struct ruru_intel_entity *e)
{
    count(&((struct rec *)ctx)->ent, e->source_type != NULL ? e->source_type : "?");
    return RURU_OK;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (p = malloc((size_t)n + 1)) != NULL) {
        *len = fread(p, 1, (size_t)n, f);
    }
    fclose(f);
    return p;
}

typedef enum ruru_err (*import_fn)(const char *,
                                   size_t,
                                   const struct ruru_import_ctx *,
                                   struct ruru_diag *);

static void run(import_fn fn, const char *path, struct rec *r)
{
    struct ruru_intel_sink sink = {
            .ctx = r, .indicator = on_ind, .reject = on_rej, .relation = on_rel, .entity = on_ent};
    struct ruru_import_ctx ctx = {.path = path, .sink = &sink};
    size_t len = 0;
    char *data = slurp(path, &len);

    memset(r, 0, sizeof(*r));
    CHECK(data != NULL);
    if (data != NULL)
        CHECK_INT(fn(data, len, &ctx, NULL), RURU_OK);
    free(data);
}

#define EVENTS(file) shared_path("intel/misp-events/%s", file)

static void test_regin(void)
{
    struct rec r;
    char b[2048];

    run(ruru_misp_import, EVENTS("circl-osint-regin-event.json"), &r);
    /* 27 md5 and 3 registry keys for detection; the 6 file names are to_ids false */
    CHECK_STR(show(&r.ids, b, sizeof(b)), "md5 27, regkey 3");
    CHECK_INT(r.ids.n_keys, 2);
    CHECK_STR(show(&r.ctx, b, sizeof(b)), "filename 6");
    /* the F-Secure report link is kept as the event's reference */
    CHECK_STR(show(&r.rel, b, sizeof(b)), "reference 1");
    CHECK_STR(show(&r.rej, b, sizeof(b)), "unsupported attribute type 1"); /* a text */
}

static void test_misp_indicators(void)
{
    struct rec r;
    char b[2048];

    /* Counted independently from the JSON (attributes of the event and its objects, by MISP
     * type, split by to_ids): composite types give two values (domain|ip, filename|sha1,
     * malware-sample), regkey|value its key, attachment and email-attachment a file name. */
    run(ruru_misp_import, EVENTS("misp_indicators_test.json"), &r);
    CHECK_STR(show(&r.ids, b, sizeof(b)),
              "asn 1, domain 9, email 6, filename 9, ipv4 12, mac 1, md5 5, mutex 1, pipe 1, "
              "regkey 3, sha1 5, sha256 4, sha512 1, url 2, x509-md5 1, x509-sha1 2");
    CHECK_STR(show(&r.ctx, b, sizeof(b)), "asn 1, email 1, filename 3");
    CHECK_STR(show(&r.rel, b, sizeof(b)), "reference 5"); /* the links */
    /* 109 attributes of types that name nothing ruru matches (text 73, port 8, weakness 8,
     * datetime 4, ...), and ssdeep and filename|ssdeep */
    CHECK_STR(show(&r.rej, b, sizeof(b)),
              "unsupported attribute type 109, unsupported hash type 2");
    CHECK_STR(show(&r.ent, b, sizeof(b)),
              "misp-galaxy:mitre-attack-pattern 1, misp-galaxy:mitre-intrusion-set 1, "
              "misp-galaxy:mitre-malware 1, misp-galaxy:mitre-tool 1, misp-galaxy:threat-actor 1");
}

static void test_stix2_indicators(void)
{
    struct rec r;
    char b[2048];

    /* The same event's to_ids attributes as 35 STIX 2.0 indicators: 12 with one value on a
     * path ruru types (three file hashes, a domain, the e-mail source and reply-to, a URL, the
     * registry key, the mutex, the MAC address, the certificate's SHA-1, the AS), 23 kept whole
     * for the pattern engine (ANDs of several properties: objects, composite types). */
    run(ruru_stix_import, EVENTS("stix2_indicators_test.json"), &r);
    CHECK_STR(show(&r.ids, b, sizeof(b)),
              "asn 1, domain 1, email 2, mac 1, md5 1, mutex 1, regkey 1, sha1 1, sha256 1, "
              "stix-pattern 23, url 1, x509-sha1 1");
    CHECK_STR(show(&r.ctx, b, sizeof(b)), "");
    CHECK_STR(show(&r.rel, b, sizeof(b)), "targeted-by 1, weakened-by 1");
    CHECK_STR(show(&r.rej, b, sizeof(b)), "");
    CHECK_STR(show(&r.ent, b, sizeof(b)), "attack-pattern 2, identity 1, intrusion-set 1, "
                                          "malware 1, threat-actor 1, tool 1");
}

#define OD20(x) "observed-data--5abb8534-" x "-02480a00020f"

/* misp2stix2's STIX 2.0 form of to_ids false attributes: observed-data whose objects
 * dictionary carries the values. Context, never detection. */
static void test_observed_data_20(void)
{
    struct rec r;
    char b[2048];

    run(ruru_stix_import, RURU_OWN_DATA "/stix/observed-data-20.json", &r);
    CHECK_STR(show(&r.ids, b, sizeof(b)), "");
    CHECK_STR(show(&r.ctx, b, sizeof(b)),
              "asn 1, filename 1, ipv4 1, md5 1, mutex 1, regkey 1, sha256 1");
    CHECK_INT(r.n_ind, 7);
    CHECK_STR(r.ind[0], "ipv4 198.51.100.7 ref=" OD20("4f34-4d2e-a3c5") "#0 obj=" OD20(
                                "4f34-4d2e-a3c5") " context first-seen");
    CHECK_STR(r.ind[1], "filename oui.exe ref=" OD20("1c2d-4e3f-9a8b") "#0#name obj=" OD20(
                                "1c2d-4e3f-9a8b") " context first-seen");
    CHECK_STR(r.ind[2],
              "md5 b2a5abfeef9e36964281a31e17b57c97 ref=" OD20("1c2d-4e3f-9a8b") "#0#MD5 obj=" OD20(
                      "1c2d-4e3f-9a8b") " context "
                                        "first-seen");
    CHECK_STR(r.ind[4], "regkey HKEY_LOCAL_MACHINE\\software\\run ref=" OD20(
                                "1c2d-4e3f-9a8b") "#1 obj=" OD20("1c2d-4e3f-9a8b") " context "
                                                                                   "first-seen");
    CHECK_STR(r.ind[5], "mutex Global\\oui ref=" OD20("1c2d-4e3f-9a8b") "#2 obj=" OD20(
                                "1c2d-4e3f-9a8b") " context first-seen");
    CHECK_STR(r.ind[6], "asn AS64496 ref=" OD20("1c2d-4e3f-9a8b") "#4 obj=" OD20(
                                "1c2d-4e3f-9a8b") " context first-seen");
    /* "com" is refused as any value is; a non-dictionary is said so; both at their object */
    CHECK_INT(r.n_rej, 2);
    CHECK_STR(r.rej_at[0], "21:9 public suffix com");
    CHECK_STR(r.rej_at[1], "39:9 observed-data objects is not a dictionary objects");
}

#define INF(t, n) t "--a0000000-0000-4000-8000-0000000000" #n

/* A STIX 2.1 infrastructure: what it consists of becomes indicators tied to the actor that
 * uses it; what it communicates with is context; an indicator of it is tied to that actor. */
static void test_infrastructure(void)
{
    struct rec r;
    char b[2048];

    run(ruru_stix_import, RURU_OWN_DATA "/stix/infrastructure.json", &r);
    CHECK_STR(show(&r.ent, b, sizeof(b)), "infrastructure 1, intrusion-set 1");
    CHECK_STR(show(&r.rel, b, sizeof(b)),
              "communicates-with 1, consists-of 3, indicates 1, uses 1");
    CHECK_STR(show(&r.ids, b, sizeof(b)), "domain 1, ipv4 1, url 1");
    CHECK_STR(show(&r.ctx, b, sizeof(b)), "domain 1");
    CHECK_INT(r.n_ind, 4);
    CHECK_STR(r.ind[0],
              "ipv4 198.51.100.3 ref=" INF("ipv4-addr", 05) " obj=" INF(
                      "infrastructure", 02) " ctx=infrastructure=Poison Ivy C2 "
                                            "actors=" INF("intrusion-set", 01) " first-seen");
    CHECK_STR(r.ind[1],
              "domain c2.evil.example ref=" INF("domain-name", 07) " obj=" INF(
                      "infrastructure", 02) " ctx=infrastructure=Poison Ivy C2 "
                                            "actors=" INF("intrusion-set", 01) " first-seen");
    CHECK_STR(r.ind[2], "domain update.example.org ref=" INF("domain-name", 09) " obj=" INF(
                                "infrastructure", 02) " ctx=infrastructure=Poison Ivy C2 context "
                                                      "first-seen");
    CHECK_STR(r.ind[3], "url http://c2.evil.example/gate.php ref=" INF("indicator", 11) " obj=" INF(
                                "indicator", 11) " actors=" INF("intrusion-set", 01));
    /* an IPv6 address filed as ipv4-addr, placed at the infrastructure that names it */
    CHECK_INT(r.n_rej, 1);
    CHECK_STR(r.rej_at[0], "6:9 malformed IPv4 address 2001:db8::7");
}

/* The MISP event imported into a store and swept over a web log: the import report counts
 * context apart, and the scan summary says which indicators no log field can hold (registry
 * keys, a mutex, a pipe, a MAC address, an AS number) and how many are context. */
static void test_scan_coverage(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts io;
    struct ruru_scan_opts so;
    char *report = NULL, *summary = NULL;
    const char *logs[] = {RURU_OWN_DATA "/../../examples/logs/access.log"};
    json_t *doc, *f, *scan;

    memset(&io, 0, sizeof(io));
    memset(&so, 0, sizeof(so));
    so.no_builtin_rules = true;
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, EVENTS("misp_indicators_test.json"), &io, &report, &d), RURU_OK);
    doc = report ? json_loads(report, 0, NULL) : NULL;
    f = json_array_get(json_object_get(doc, "files"), 0);
    CHECK_INT(json_integer_value(json_object_get(f, "indicators")), 63);
    CHECK_INT(json_integer_value(json_object_get(f, "context")), 5);
    CHECK_INT(
            json_integer_value(json_object_get(json_object_get(f, "context_by_type"), "filename")),
            3);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(doc, "totals"), "context")), 5);
    json_decref(doc);
    ruru_free(report);
    CHECK_INT(ruru_scan(s, logs, 1, &so, &summary, &d), RURU_OK);
    doc = summary ? json_loads(summary, 0, NULL) : NULL;
    scan = json_object_get(json_object_get(doc, "summary"), "scan");
    if (scan == NULL)
        scan = json_object_get(doc, "scan");
    CHECK_INT(json_integer_value(json_object_get(scan, "context")), 5);
    report = json_dumps(json_object_get(scan, "not_swept"), JSON_COMPACT | JSON_SORT_KEYS);
    CHECK_STR(report ? report : "", "{\"asn\":1,\"mac\":1,\"mutex\":1,\"pipe\":1,\"regkey\":3}");
    free(report);
    json_decref(doc);
    ruru_free(summary);
    ruru_store_close(s);
}

/* intel search finds host artefacts however they are written, and says context. */
static void test_search(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts io;
    char *out = NULL;
    json_t *doc, *m;

    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, EVENTS("circl-osint-regin-event.json"), &io, &out, &d), RURU_OK);
    ruru_free(out);
    /* the event writes HKLM\\System\\CurrentControlSet\\Control\\ (a trailing backslash) */
    CHECK_INT(ruru_intel_search(s, "hkey_local_machine\\SYSTEM\\CurrentControlSet\\Control",
                                INT64_MIN, &out, &d),
              RURU_OK);
    doc = out ? json_loads(out, 0, NULL) : NULL;
    CHECK_INT(json_array_size(json_object_get(doc, "matches")), 1);
    m = json_array_get(json_object_get(doc, "matches"), 0);
    CHECK_STR(json_string_value(json_object_get(m, "type")), "regkey");
    CHECK(json_is_true(json_object_get(m, "to_ids")));
    json_decref(doc);
    ruru_free(out);
    /* a driver's file name, to_ids false in the event: found, and said to be context */
    CHECK_INT(ruru_intel_search(s, "abiosdsk.sys", INT64_MIN, &out, &d), RURU_OK);
    doc = out ? json_loads(out, 0, NULL) : NULL;
    CHECK_INT(json_array_size(json_object_get(doc, "matches")), 1);
    m = json_array_get(json_object_get(doc, "matches"), 0);
    CHECK_STR(json_string_value(json_object_get(m, "type")), "filename");
    CHECK(json_is_false(json_object_get(m, "to_ids")));
    json_decref(doc);
    ruru_free(out);
    ruru_store_close(s);
}

/* Long keys and names are the document's: they fit (the buffers are bounded by its size). */
static void test_long_names(void)
{
    struct rec r;
    struct ruru_intel_sink sink = {.ctx = &r, .indicator = on_ind, .reject = on_rej};
    struct ruru_import_ctx ctx = {.path = "long", .sink = &sink};
    char key[401], doc[2048];

    memset(key, 'k', 400);
    key[400] = '\0';
    snprintf(doc, sizeof(doc),
             "[{\"type\": \"observed-data\", \"id\": \"observed-data--1\", \"objects\": "
             "{\"%s\": {\"type\": \"domain-name\", \"value\": \"evil.example\"}}},"
             "{\"type\": \"infrastructure\", \"id\": \"infrastructure--1\", \"name\": \"%s\"},"
             "{\"type\": \"relationship\", \"id\": \"relationship--1\", \"relationship_type\": "
             "\"consists-of\", \"source_ref\": \"infrastructure--1\", \"target_ref\": "
             "\"ipv4-addr--1\"},"
             "{\"type\": \"ipv4-addr\", \"id\": \"ipv4-addr--1\", \"value\": \"198.51.100.1\"}]",
             key, key);
    memset(&r, 0, sizeof(r));
    CHECK_INT(ruru_stix_import(doc, strlen(doc), &ctx, NULL), RURU_OK);
    CHECK_INT(r.n_ind, 2);
    CHECK_INT(r.n_rej, 0);

    /* a URL of 1,500 stray '%' grows to three times its size when normalised ("%25") */
    {
        size_t o = (size_t)snprintf(doc, sizeof(doc),
                                    "{\"type\": \"indicator\", \"id\": \"indicator--1\", "
                                    "\"pattern\": \"[url:value = 'http://a.example/");
        for (int i = 0; i < 1500 && o + 8 < sizeof(doc); i++)
            doc[o++] = '%';
        snprintf(doc + o, sizeof(doc) - o, "']\"}");
    }
    memset(&r, 0, sizeof(r));
    CHECK_INT(ruru_stix_import(doc, strlen(doc), &ctx, NULL), RURU_OK);
    CHECK_INT(r.n_ind, 1);
}

/* The new types carry attribution weight as host artefacts (docs/attribution.md). */
static void test_attribution_kind(void)
{
    static const char *const types[] = {"regkey", "mutex", "pipe", "mac"};
    struct ruru_attrib_config c;

    ruru_attrib_defaults(&c);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        CHECK_INT(ruru_ev_kind_of(types[i]), RURU_EV_HOST);
    CHECK_STR(ruru_ev_kind_name(RURU_EV_HOST), "host-artefact");
    CHECK(c.weight[RURU_EV_HOST] == 10);
    CHECK(c.half_life_days[RURU_EV_HOST] == 0);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_regin();
        test_misp_indicators();
        test_stix2_indicators();
        test_scan_coverage();
        test_search();
        return check_done();
    }
    test_observed_data_20();
    test_infrastructure();
    test_attribution_kind();
    test_long_names();
    return check_done();
}
