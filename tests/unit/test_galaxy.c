/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP reference data: galaxy clusters, taxonomies and warninglists, read from the real files
 * in ../shared/data/misp. The expected counts were computed independently with Python over
 * the same JSON:
 *   galaxy: len(values) and, per value, the related entries having dest-uuid and type;
 *   taxonomy: per predicate, the number of its entries, or 1 when it has none;
 *   warninglist: list entries that are non-empty strings after trimming.
 */
#include "check.h"
#include "sink.h"

static void import_shared(const char *rel,
                          enum ruru_err (*fn)(const char *,
                                              size_t,
                                              const struct ruru_import_ctx *,
                                              struct ruru_diag *),
                          struct rec *r)
{
    char path[1024];
    size_t len = 0;
    char *data;
    struct ruru_diag d;

    snprintf(path, sizeof(path), "%s/misp/%s", RURU_SHARED_DATA, rel);
    data = slurp(path, &len);
    CHECK(data != NULL);
    rec_init(r);
    CHECK_INT(run_importer(fn, data ? data : "", len, r, &d), RURU_OK);
    free(data);
}

static void test_galaxies(void)
{
    static const struct {
        const char *file;
        size_t n_values, n_related, n_rejected;
    } files[] = {
            /* NOBELIUM has two related entries with an empty dest-uuid. */
            {"galaxy/microsoft-activity-group.json", 179, 92, 2},
            {"galaxy/mitre-attack-pattern.json", 1266, 773, 0},
            {"galaxy/mitre-intrusion-set.json", 191, 5851, 0},
            {"galaxy/threat-actor.json", 1041, 432, 0},
    };
    struct rec r;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        import_shared(files[i].file, ruru_galaxy_import, &r);
        CHECK_INT(r.n_ent, files[i].n_values);
        CHECK_INT(r.n_rel, files[i].n_related);
        CHECK_INT(r.n_rej, files[i].n_rejected);
        rec_free(&r);
    }

    import_shared("galaxy/threat-actor.json", ruru_galaxy_import, &r);
    {
        const char *apt40 = rec_find(r.ent, r.n_ent, "actor APT40 ref=5b4b6980-3bc7-11e8-84d6");
        CHECK(strstr(apt40, " type=misp-galaxy:threat-actor country=CN sponsor=China "
                            "confidence=50 ") != NULL);
        CHECK(strstr(apt40, "GADOLINIUM") != NULL);
        CHECK(strstr(apt40, "|Leviathan|") != NULL);
        /* name-attribution adds names the synonyms lack, once each. */
        CHECK(strstr(apt40, "APT40|") == NULL);
        CHECK(rec_has(r.rel, r.n_rel,
                      "5b4b6980-3bc7-11e8-84d6-879aaac37dd9 similar "
                      "7113eaa5-ba79-4fb3-b68a-398ee9cd698e"));
    }
    rec_free(&r);

    import_shared("galaxy/mitre-intrusion-set.json", ruru_galaxy_import, &r);
    CHECK(rec_has(r.ent, r.n_ent,
                  "actor Leviathan ref=7113eaa5-ba79-4fb3-b68a-398ee9cd698e "
                  "type=misp-galaxy:mitre-intrusion-set ext=G0065"));
    {
        size_t uses = 0;
        for (size_t i = 0; i < r.n_rel; i++)
            uses += strncmp(r.rel[i], "7113eaa5-ba79-4fb3-b68a-398ee9cd698e uses ", 42) == 0;
        /* Leviathan - G0065: 67 `uses` entries (techniques and software) and 1 similar. */
        CHECK_INT(uses, 67);
    }
    rec_free(&r);

    import_shared("galaxy/mitre-attack-pattern.json", ruru_galaxy_import, &r);
    CHECK(rec_has(r.ent, r.n_ent, "technique Exploit Public-Facing Application ref="));
    CHECK(strstr(rec_find(r.ent, r.n_ent, "technique Exploit Public-Facing Application ref="),
                 " ext=T1190") != NULL);
    CHECK(strstr(rec_find(r.ent, r.n_ent, "technique Web Shell ref="), " ext=T1505.003") != NULL);
    rec_free(&r);
}

static void test_taxonomies(void)
{
    static const struct {
        const char *file;
        size_t n;
    } files[] = {
            {"taxonomies/admiralty-scale/machinetag.json", 13},
            {"taxonomies/estimative-language/machinetag.json", 10},
            {"taxonomies/misp/machinetag.json", 33},
            {"taxonomies/state-responsibility/machinetag.json", 10},
            {"taxonomies/tlp/machinetag.json", 8},
    };
    struct rec r;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        import_shared(files[i].file, ruru_taxonomy_import, &r);
        CHECK_INT(r.n_tag, files[i].n);
        rec_free(&r);
    }
    import_shared("taxonomies/admiralty-scale/machinetag.json", ruru_taxonomy_import, &r);
    CHECK(rec_has(r.tag, r.n_tag, "admiralty-scale:source-reliability=\"b\" 75"));
    rec_free(&r);
    import_shared("taxonomies/estimative-language/machinetag.json", ruru_taxonomy_import, &r);
    CHECK(rec_has(r.tag, r.n_tag, "estimative-language:likelihood-probability=\"likely\" 55"));
    rec_free(&r);
    import_shared("taxonomies/tlp/machinetag.json", ruru_taxonomy_import, &r);
    CHECK(rec_has(r.tag, r.n_tag, "tlp:amber -1"));
    rec_free(&r);
}

static void test_warninglists(void)
{
    struct rec r;

    import_shared("warninglists/rfc1918/list.json", ruru_warninglist_import, &r);
    CHECK_INT(r.n_wl, 1);
    CHECK(rec_has(r.wl, r.n_wl, "List of RFC 1918 CIDR blocks type=cidr n=3 first=10.0.0.0/8"));
    rec_free(&r);
    import_shared("warninglists/public-dns-v4/list.json", ruru_warninglist_import, &r);
    CHECK(rec_has(r.wl, r.n_wl, "List of known IPv4 public DNS resolvers type=cidr n=62745"));
    rec_free(&r);
    import_shared("warninglists/rfc5735/list.json", ruru_warninglist_import, &r);
    /* 127.0.0.0/8 and 0.0.0.0/8 are refused as indicators but kept in the list. */
    CHECK(strstr(rec_find(r.wl, r.n_wl, "List of RFC 5735"), "n=15") != NULL);
    rec_free(&r);
}

static void test_hostile(void)
{
    struct rec r;
    struct ruru_diag d;
    static const char truncated[] = "{\"type\": \"threat-actor\",\n \"values\": [\n  {\"uuid\": ";
    static const char wrong[] = "{\"type\": \"threat-actor\", \"values\": [1, {\"uuid\": 5}, "
                                "{\"uuid\": \"u\", \"value\": \"X\", \"meta\": {\"synonyms\": "
                                "\"notalist\", \"country\": 7}, \"related\": {}}]}";
    static const char other[] = "{\"type\": \"sector\", \"uuid\": \"s\", \"values\": []}";

    rec_init(&r);
    CHECK_INT(run_importer(ruru_galaxy_import, truncated, sizeof(truncated) - 1, &r, &d),
              RURU_EPARSE);
    CHECK_INT(d.line, 3);
    CHECK(strstr(d.msg, "invalid JSON") != NULL);
    rec_free(&r);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_galaxy_import, wrong, sizeof(wrong) - 1, &r, &d), RURU_OK);
    CHECK_INT(r.n_ent, 1);
    CHECK_INT(r.n_rej, 2);
    rec_free(&r);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_galaxy_import, other, sizeof(other) - 1, &r, &d), RURU_OK);
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=0"),
              "line=0 object=s value=sector reason=unsupported galaxy type");
    rec_free(&r);
}

int main(void)
{
    test_galaxies();
    test_taxonomies();
    test_warninglists();
    test_hostile();
    return check_done();
}
