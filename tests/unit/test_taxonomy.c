/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru_taxonomy_import over the five real MISP taxonomies in ../shared/data/misp/taxonomies
 * (read in place) and over documents written here from the machinetag.json format.
 *
 * The expected numbers for the real files were computed with Python over the JSON, not with
 * the C code: per predicate in declaration order, one tag 'ns:predicate="value"' per entry of
 * the "values" blocks naming it, or the tag 'ns:predicate' when there are none; numerical
 * value -1 when absent. The digest is FNV-1a 64 over "tag 1F expanded 1F number LF" per tag
 * in that order (galaxy_rec.h folds the same).
 */
#include "galaxy_rec.h"
#include "shared_data.h"

#define SHARED shared_path("misp")

static void test_real_taxonomies(void)
{
    static const struct {
        const char *file;
        size_t n_tags, n_numbered;
        uint64_t digest;
    } files[] = {
            {"taxonomies/admiralty-scale/machinetag.json", 13, 13, 0x7b18a2f3f8f0cf05u},
            {"taxonomies/estimative-language/machinetag.json", 10, 10, 0x66101c42bb660a87u},
            /* 11 predicates with 31 entries, plus should-not-sync by itself: 33 tags. */
            {"taxonomies/misp/machinetag.json", 33, 13, 0xbb6147e42d7bbcd2u},
            {"taxonomies/state-responsibility/machinetag.json", 10, 0, 0x8002bc0bea12005fu},
            {"taxonomies/tlp/machinetag.json", 8, 0, 0x7eeee3b2923976ccu},
    };
    struct grec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CHECK_INT(grec_run_file(ruru_taxonomy_import, SHARED, files[i].file, &r, &d), RURU_OK);
        CHECK_INT(r.tag.n, files[i].n_tags);
        CHECK_INT(r.tag.n - grec_count_has(&r.tag, " num=-1 "), files[i].n_numbered);
        CHECK_INT(r.rej.n, 0);
        if (r.digest != files[i].digest) {
            fprintf(stderr, "%s: digest 0x%016" PRIx64 "\n", files[i].file, r.digest);
            check_failed++;
        } else {
            check_passed++;
        }
        grec_free(&r);
    }

    CHECK_INT(grec_run_file(ruru_taxonomy_import, SHARED,
                            "taxonomies/admiralty-scale/machinetag.json", &r, &d),
              RURU_OK);
    CHECK_STR(r.tag.v[1], "admiralty-scale:source-reliability=\"b\" num=75 ns=admiralty-scale "
                          "pred=source-reliability value=b expanded=Usually reliable");
    grec_free(&r);
    CHECK_INT(grec_run_file(ruru_taxonomy_import, SHARED,
                            "taxonomies/estimative-language/machinetag.json", &r, &d),
              RURU_OK);
    CHECK_STR(grec_find(&r.tag, "estimative-language:likelihood-probability=\"likely\" "),
              "estimative-language:likelihood-probability=\"likely\" num=55 "
              "ns=estimative-language pred=likelihood-probability value=likely "
              "expanded=Likely - probable (probably) - 55-80%");
    grec_free(&r);
    CHECK_INT(grec_run_file(ruru_taxonomy_import, SHARED, "taxonomies/tlp/machinetag.json", &r, &d),
              RURU_OK);
    CHECK_STR(r.tag.v[1], "tlp:amber num=-1 ns=tlp pred=amber value=- expanded=(TLP:AMBER) "
                          "Limited disclosure, recipients can only spread this on a need-to-know "
                          "basis within their organization and its clients.");
    grec_free(&r);
    CHECK_INT(
            grec_run_file(ruru_taxonomy_import, SHARED, "taxonomies/misp/machinetag.json", &r, &d),
            RURU_OK);
    CHECK_STR(grec_find(&r.tag, "misp:should-not-sync "),
              "misp:should-not-sync num=-1 ns=misp pred=should-not-sync value=- "
              "expanded=Should not sync");
    CHECK_STR(grec_find(&r.tag, "misp:confidence-level=\"completely-confident\" "),
              "misp:confidence-level=\"completely-confident\" num=100 ns=misp "
              "pred=confidence-level value=completely-confident expanded=Completely confident");
    grec_free(&r);
}

/* tests/data/taxonomy/edge.json: positions from Python (json raw_decode over the elements). */
static void test_edge_file(void)
{
    static const char *const tags[] = {
            "edge:scale=\"high\" num=90 ns=edge pred=scale value=high expanded=High",
            "edge:scale=\"low\" num=10 ns=edge pred=scale value=low expanded=Low",
            "edge:scale=\"odd\" num=-1 ns=edge pred=scale value=odd expanded=-",
            "edge:bare num=3 ns=edge pred=bare value=- expanded=Bare predicate",
            "edge:neg num=-1 ns=edge pred=neg value=- expanded=-",
            "edge:split=\"a\" num=-1 ns=edge pred=split value=a expanded=-",
            "edge:split=\"b\" num=-1 ns=edge pred=split value=b expanded=-",
            "edge:empty-entries num=-1 ns=edge pred=empty-entries value=- expanded=-",
    };
    static const char *const rejs[] = {
            "line=15 col=5 value=scale reason=malformed numerical_value",
            "line=23 col=5 value=ghost reason=values for an undeclared predicate",
            "line=25 col=5 reason=taxonomy values without predicate or entry list",
            "line=26 col=5 value=expanded reason=wrong JSON type",
            "line=27 col=5 value=empty-entries reason=taxonomy entry without value",
            "line=8 col=5 value=scale reason=duplicate taxonomy predicate",
            "line=9 col=5 reason=taxonomy predicate without value",
            "line=10 col=5 value=neg reason=malformed numerical_value",
    };
    struct grec r;
    struct ruru_diag d;

    CHECK_INT(grec_run_file(ruru_taxonomy_import, RURU_OWN_DATA, "taxonomy/edge.json", &r, &d),
              RURU_OK);
    CHECK_INT(r.tag.n, sizeof(tags) / sizeof(tags[0]));
    for (size_t i = 0; i < r.tag.n && i < sizeof(tags) / sizeof(tags[0]); i++)
        CHECK_STR(r.tag.v[i], tags[i]);
    CHECK_INT(r.rej.n, sizeof(rejs) / sizeof(rejs[0]));
    for (size_t i = 0; i < r.rej.n && i < sizeof(rejs) / sizeof(rejs[0]); i++)
        CHECK_STR(r.rej.v[i], rejs[i]);
    grec_free(&r);
}

static void test_shapes(void)
{
    static const struct {
        const char *doc;
        enum ruru_err err;
        uint64_t line, col;
        size_t n_tags, n_rej;
    } cases[] = {
            {"{\"namespace\": \"x\",\n \"predicates\": [\n {\"value\": ", RURU_EPARSE, 3, 11, 0, 0},
            {"{\"predicates\": []}", RURU_EPARSE, 1, 1, 0, 0},
            {"{\"namespace\": \"\", \"predicates\": []}", RURU_EPARSE, 1, 1, 0, 0},
            {"{\"namespace\": \"x\", \"predicates\": {}}", RURU_EPARSE, 1, 1, 0, 0},
            {"[{\"namespace\": \"x\", \"predicates\": []}]", RURU_EPARSE, 1, 1, 0, 0},
            {"{\"namespace\": \"x\", \"predicates\": []}", RURU_OK, 0, 0, 0, 0},
            /* "values" of the wrong type: the predicates still count, by themselves. */
            {"{\"namespace\": \"x\", \"predicates\": [{\"value\": \"p\"}], \"values\": {}}",
             RURU_OK, 0, 0, 1, 1},
            {"{\"namespace\": \"x\", \"predicates\": [1, \"p\", null, {\"value\": 2}]}", RURU_OK, 0,
             0, 0, 4},
            {"{\"namespace\": \"x\", \"predicates\": [{\"value\": \"p\"}], \"values\": [1, "
             "{\"predicate\": \"p\", \"entry\": [1, {\"value\": \"v\"}]}]}",
             RURU_OK, 0, 0, 1, 2},
    };
    struct grec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        grec_init(&r);
        CHECK_INT(grec_run_str(ruru_taxonomy_import, cases[i].doc, &r, &d), cases[i].err);
        if (cases[i].err != RURU_OK) {
            CHECK_INT(d.line, cases[i].line);
            CHECK_INT(d.col, cases[i].col);
        }
        CHECK_INT(r.tag.n, cases[i].n_tags);
        CHECK_INT(r.rej.n, cases[i].n_rej);
        grec_free(&r);
    }
}

/* A tag longer than 64 KiB is rejected and the import goes on; 100 000 predicates against
 * 100 000 blocks stay fast (the match is by sorting). */
static void test_hostile(void)
{
    enum { BIG = 1 << 20, MANY = 100000 };
    char *doc = malloc(BIG + (size_t)MANY * 80 + 256);
    struct grec r;
    struct ruru_diag d;
    size_t n;

    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    n = (size_t)snprintf(doc, 256, "{\"namespace\": \"n\", \"predicates\": [{\"value\": \"");
    memset(doc + n, 'p', BIG);
    n += BIG;
    n += (size_t)snprintf(doc + n, 256, "\"}, {\"value\": \"ok\"}]}");
    grec_init(&r);
    CHECK_INT(grec_run(ruru_taxonomy_import, doc, n, &r, &d), RURU_OK);
    CHECK_INT(r.tag.n, 1);
    CHECK_STR(r.tag.n == 1 ? r.tag.v[0] : "(none)", "n:ok num=-1 ns=n pred=ok value=- expanded=-");
    CHECK_INT(r.rej.n, 1);
    CHECK(r.rej.n == 1 && strstr(r.rej.v[0], "line=1 col=35 value=pppp") == r.rej.v[0] &&
          strstr(r.rej.v[0], " reason=machine tag too long") != NULL);
    grec_free(&r);

    n = (size_t)snprintf(doc, 256, "{\"namespace\": \"n\", \"predicates\": [");
    for (size_t i = 0; i < MANY; i++)
        n += (size_t)snprintf(doc + n, 64, "%s{\"value\": \"p%zu\"}", i ? "," : "", i);
    n += (size_t)snprintf(doc + n, 64, "], \"values\": [");
    for (size_t i = 0; i < MANY; i++)
        n += (size_t)snprintf(doc + n, 80,
                              "%s{\"predicate\": \"p%zu\", \"entry\": [{\"value\": \"v\"}]}",
                              i ? "," : "", MANY - 1 - i);
    n += (size_t)snprintf(doc + n, 64, "]}");
    grec_init(&r);
    CHECK_INT(grec_run(ruru_taxonomy_import, doc, n, &r, &d), RURU_OK);
    CHECK_INT(r.tag.n, MANY);
    CHECK_STR(r.tag.n == MANY ? r.tag.v[MANY - 1] : "(none)",
              "n:p99999=\"v\" num=-1 ns=n pred=p99999 value=v expanded=-");
    grec_free(&r);
    free(doc);
}

static void test_stop_and_oom(void)
{
    static const char doc[] =
            "{\"namespace\": \"ns\", \"predicates\": [{\"value\": \"a\"}, {\"value\": \"b\"}, 5],"
            " \"values\": [{\"predicate\": \"a\", \"entry\": [{\"value\": \"1\","
            " \"numerical_value\": 10}, {\"value\": \"2\"}]}, {\"predicate\": \"zz\","
            " \"entry\": []}]}";

    /* reject (zz), a="1", a="2", b, reject (5) */
    CHECK_INT(grec_stop_each(ruru_taxonomy_import, doc), 5);
    CHECK(grec_oom_each(ruru_taxonomy_import, doc) >= 3);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_real_taxonomies();
        return check_done();
    }
    test_edge_file();
    test_shapes();
    test_hostile();
    test_stop_and_oom();
    return check_done();
}
