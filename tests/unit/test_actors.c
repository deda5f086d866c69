/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actor registry's rules (docs/internals/actors.md) on the real MISP galaxies in
 * ../shared/data/misp/galaxy, the ATT&CK STIX subset in ../shared/data/attack (read in place),
 * and a CERT's assessments file in tests/data/assessments: actors join on identity only, a
 * galaxy's "similar" links are shown and not followed, names resolve to their owner, a
 * synonym two actors share is ambiguous, and the CERT's word takes precedence.
 *
 * The counts were read off the registry once the rules were settled and checked by hand for
 * the actors named here; before them the four galaxies gave 1,042 actors and 69 disputed names
 * (APT35, Charming Kitten and APT42 were one actor with OilRig, APT17 one with APT41).
 */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "intel/actors.h"
#include "intel/actors_assess.h"
#include "intel/import.h"
#include "intel/store.h"
#include "shared_data.h"

static void import(ruru_store *s, const char *path)
{
    struct ruru_import_opts o;
    struct ruru_diag d;
    char *report = NULL;

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_intel_import(s, path, &o, &report, &d), RURU_OK);
    ruru_free(report);
}

/* The one group `name` resolves to, or SIZE_MAX (none, or ambiguous). */
static size_t one(const struct ruru_actor_registry *reg, const char *name)
{
    const size_t *g;
    size_t n = ruru_actors_by_name(reg, name, &g);

    if (n != 1) {
        fprintf(stderr, "%s: %zu actors\n", name, n);
        return SIZE_MAX;
    }
    return g[0];
}

static const char *name_of(const struct ruru_actor_registry *reg, size_t g)
{
    return g == SIZE_MAX ? "(none)" : ruru_actors_group(reg, g)->name;
}

/* Does the group hold a member named `name` from a source type ending in `type`? */
static bool
holds(const struct ruru_actor_registry *reg, size_t g, const char *name, const char *type)
{
    const struct ruru_actor_group *gr = g == SIZE_MAX ? NULL : ruru_actors_group(reg, g);

    for (size_t k = 0; gr != NULL && k < gr->n_members; k++) {
        const struct ruru_actor_member *m = ruru_actors_member(reg, gr->members[k]);
        size_t n = strlen(m->source_type), t = strlen(type);
        if (strcmp(m->name, name) == 0 && n >= t && strcmp(m->source_type + n - t, type) == 0)
            return true;
    }
    return false;
}

/* The link that joined members named a and b (made joins only), or NULL. */
static const char *join_link(const struct ruru_actor_registry *reg, const char *a, const char *b)
{
    for (size_t i = 0; i < ruru_actors_n_joins(reg); i++) {
        const struct ruru_actor_join *j = ruru_actors_join(reg, i);
        const char *x = ruru_actors_member(reg, j->a)->name,
                   *y = ruru_actors_member(reg, j->b)->name;
        if (j->refused == NULL &&
            ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a))))
            return ruru_actors_link_name(j->link);
    }
    return NULL;
}

/* Is there a relation of `type` between groups ga and gb? */
static bool related(const struct ruru_actor_registry *reg, size_t ga, size_t gb, const char *type)
{
    for (size_t i = 0; i < ruru_actors_n_relations(reg); i++) {
        const struct ruru_actor_relation *r = ruru_actors_relation(reg, i);
        size_t x = ruru_actors_member(reg, r->a)->group, y = ruru_actors_member(reg, r->b)->group;
        if (strcmp(r->type, type) == 0 && ((x == ga && y == gb) || (x == gb && y == ga)))
            return true;
    }
    return false;
}

static void test_real_galaxies(ruru_store *s)
{
    struct ruru_actor_registry *reg = NULL;
    const size_t *g;
    size_t apt35, apt42, oilrig, apt17, apt41, tonto;

    CHECK_INT(ruru_actors_build(ruru_store_db(s), &reg, NULL), RURU_OK);
    if (reg == NULL)
        return;
    CHECK_INT(ruru_actors_n_groups(reg), 1085);
    CHECK_INT(ruru_actors_n_conflicts(reg), 47);

    /* Five actors the similar links used to melt into two. */
    apt35 = one(reg, "APT35");
    apt42 = one(reg, "APT42");
    oilrig = one(reg, "OilRig");
    apt17 = one(reg, "APT17");
    apt41 = one(reg, "APT41");
    CHECK_STR(name_of(reg, apt35), "APT35");
    CHECK_STR(name_of(reg, apt42), "APT42");
    CHECK_STR(name_of(reg, oilrig), "OilRig");
    CHECK_STR(name_of(reg, apt17), "APT17");
    CHECK_STR(name_of(reg, apt41), "APT41");
    CHECK(apt35 != apt42 && apt35 != oilrig && apt42 != oilrig && apt17 != apt41);
    /* ... and their similar links are shown as such. */
    CHECK(related(reg, apt35, apt42, "similar"));
    CHECK(related(reg, apt35, oilrig, "similar"));
    CHECK(related(reg, apt17, apt41, "similar"));
    /* APT35 is the threat-actor cluster and ATT&CK's Magic Hound, joined by ATT&CK's id G0059
     * and ATT&CK's synonym APT35 (each names the other). */
    CHECK_INT(ruru_actors_group(reg, apt35)->n_members, 2);
    CHECK(holds(reg, apt35, "Magic Hound", "mitre-intrusion-set"));
    CHECK_STR(join_link(reg, "APT35", "Magic Hound"), "synonyms-both-ways");
    CHECK_INT(one(reg, "Magic Hound"), apt35);
    CHECK_INT(one(reg, "g0059"), apt35);

    /* Tonto Team: the threat-actor galaxy's, ATT&CK's "Tonto Team - G0131" and Microsoft's
     * Copper Typhoon (whose synonyms name Tonto Team) are one actor. */
    tonto = one(reg, "Tonto Team");
    CHECK_STR(name_of(reg, tonto), "Tonto Team");
    CHECK_INT(ruru_actors_group(reg, tonto)->n_members, 3);
    CHECK(holds(reg, tonto, "Tonto Team", "threat-actor"));
    CHECK(holds(reg, tonto, "Tonto Team", "mitre-intrusion-set"));
    CHECK(holds(reg, tonto, "Copper Typhoon", "microsoft-activity-group"));
    CHECK_INT(one(reg, "Copper Typhoon"), tonto);
    CHECK_INT(one(reg, "Tonto Team - G0131"), tonto);
    CHECK_INT(one(reg, "G0131"), tonto);
    CHECK_STR(join_link(reg, "Tonto Team", "Copper Typhoon"), "synonym-is-own-name");

    /* APT16: one actor by its name, its spacing and its ATT&CK id. */
    CHECK_STR(name_of(reg, one(reg, "APT16 - G0023")), "APT16");
    CHECK_INT(one(reg, "APT 16"), one(reg, "APT16"));
    CHECK_INT(one(reg, "g-0023"), one(reg, "APT16"));
    CHECK_INT(ruru_actors_group(reg, one(reg, "APT16"))->n_members, 2);

    /* KAOS: a synonym of Microsoft's Heart Typhoon (APT17) and of its Leopard Typhoon, which
     * nothing else joins: ambiguous, both claimants returned, nothing merged. */
    CHECK_INT(ruru_actors_by_name(reg, "KAOS", &g), 2);
    CHECK(g[0] == apt17 || g[1] == apt17);
    CHECK(holds(reg, g[0] == apt17 ? g[1] : g[0], "Leopard Typhoon", "microsoft-activity-group"));

    /* Microsoft's renamed clusters: Forest Blizzard lists its former name STRONTIUM, so the
     * galaxy's own two clusters join one actor with APT28. */
    CHECK_INT(one(reg, "Forest Blizzard"), one(reg, "APT28"));
    CHECK_INT(one(reg, "STRONTIUM"), one(reg, "APT28"));
    CHECK_INT(ruru_actors_group(reg, one(reg, "APT28"))->n_members, 4);
    ruru_actors_destroy(reg);
}

/* The ATT&CK STIX subset: its intrusion sets join the ATT&CK galaxy's clusters by object id
 * (the galaxy's uuid is the STIX id's). */
static void test_stix_object_id(ruru_store *s)
{
    struct ruru_actor_registry *reg = NULL;
    char path[512];
    size_t lev;

    snprintf(path, sizeof(path), "%s/attack/enterprise-attack-subset.json", shared_data());
    import(s, path);
    CHECK_INT(ruru_actors_build(ruru_store_db(s), &reg, NULL), RURU_OK);
    if (reg == NULL)
        return;
    lev = one(reg, "Leviathan");
    CHECK_STR(name_of(reg, lev), "APT40");
    CHECK(holds(reg, lev, "Leviathan", "intrusion-set"));
    CHECK_STR(join_link(reg, "Leviathan", "Leviathan"), "object-id");
    {
        size_t gx;
        CHECK(ruru_actors_by_ref(reg, "intrusion-set--7113eaa5-ba79-4fb3-b68a-398ee9cd698e", &gx));
        CHECK_INT(gx, lev);
    }
    /* Object ids join across sources; names do not multiply actors: the count is unchanged. */
    CHECK_INT(ruru_actors_n_groups(reg), 1085);
    ruru_actors_destroy(reg);
}

/* The CERT's word: sponsors the galaxies lack, a same-as that joins, a not-same-as that keeps
 * apart a link the threat-actor galaxy makes. */
static void test_assessments(ruru_store *s)
{
    struct ruru_actor_registry *reg = NULL;
    char path[512];
    const char *sponsor, *country;
    bool disputed, assessed;
    size_t hafnium;

    snprintf(path, sizeof(path), "%s/assessments/cert-assessments.yaml", RURU_OWN_DATA);
    import(s, path);
    CHECK_INT(ruru_actors_build(ruru_store_db(s), &reg, NULL), RURU_OK);
    if (reg == NULL)
        return;
    hafnium = one(reg, "HAFNIUM");
    country = ruru_actors_group_state(reg, hafnium, &sponsor, &disputed, &assessed);
    CHECK_STR(country, "CN");
    CHECK_STR(sponsor, "China");
    CHECK(assessed);
    CHECK_INT(one(reg, "Silk Typhoon"), hafnium);
    country = ruru_actors_group_state(reg, one(reg, "Gamaredon Group"), &sponsor, &disputed,
                                      &assessed);
    CHECK_STR(country, "RU");
    CHECK_STR(sponsor, "Russian Federation");
    CHECK(assessed);
    country = ruru_actors_group_state(reg, one(reg, "Callisto"), &sponsor, &disputed, &assessed);
    CHECK_STR(sponsor, "Russian Federation");
    /* same-as: Charming Kitten joins APT35, by the CERT's word. */
    CHECK_INT(one(reg, "Charming Kitten"), one(reg, "APT35"));
    CHECK_STR(join_link(reg, "APT35", "Charming Kitten"), "assessment");
    /* not-same-as: CHRYSENE (whose synonyms name OilRig) stays another actor. */
    CHECK(one(reg, "CHRYSENE") != one(reg, "OilRig"));
    CHECK(related(reg, one(reg, "CHRYSENE"), one(reg, "OilRig"), "not-same-as"));
    CHECK_STR(name_of(reg, one(reg, "OilRig")), "OilRig");
    /* not-same-as by an ATT&CK galaxy name: resolved by its id. */
    CHECK(related(reg, one(reg, "APT17"), one(reg, "Axiom"), "not-same-as"));
    /* The CERT's actors join those they name; its same-as joins two, its not-same-as splits
     * one: 1,085 on the galaxies and the ATT&CK subset become 1,084. */
    CHECK_INT(ruru_actors_n_groups(reg), 1084);
    ruru_actors_destroy(reg);
}

/* An indicator tied to an ambiguous name is one tie, to the name, with its claimants. */
static void test_ambiguous_tie(ruru_store *s, const char *dir)
{
    char path[512], *out = NULL;
    json_t *doc, *actors;
    FILE *f;

    snprintf(path, sizeof(path), "%s/kaos.csv", dir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fputs("type,value,actor\ndomain,kaos.example,KAOS\ndomain,tonto.example,Copper Typhoon\n", f);
    fclose(f);
    import(s, path);
    CHECK_INT(ruru_intel_search(s, "kaos.example", INT64_MIN, &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    actors = json_object_get(json_array_get(json_object_get(doc, "matches"), 0), "actors");
    CHECK_INT(json_array_size(actors), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(actors, 0), "name")), "KAOS");
    CHECK(json_is_true(json_object_get(json_array_get(actors, 0), "ambiguous")));
    CHECK_INT(json_array_size(json_object_get(json_array_get(actors, 0), "claimants")), 2);
    json_decref(doc);
    /* ruru actors APT17 shows the KAOS indicator apart, not as its own. */
    CHECK_INT(ruru_actors(s, "APT17", &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    {
        json_t *ind =
                json_object_get(json_array_get(json_object_get(doc, "actors"), 0), "indicators");
        CHECK_INT(json_integer_value(json_object_get(ind, "total")), 0);
        CHECK_INT(json_integer_value(json_object_get(ind, "through_ambiguous_names")), 1);
    }
    json_decref(doc);
    /* Copper Typhoon is Tonto Team: one actor, not ambiguous. */
    CHECK_INT(ruru_intel_search(s, "tonto.example", INT64_MIN, &out, NULL), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    actors = json_object_get(json_array_get(json_object_get(doc, "matches"), 0), "actors");
    CHECK_INT(json_array_size(actors), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(actors, 0), "name")), "Tonto Team");
    json_decref(doc);
}

/* The format: detected by its marker; bad fields rejected with their line, the actor kept. */
static void test_assess_format(const char *dir)
{
    static const char bad[] = "# comment\n"
                              "ruru: 'actor-assessments'\n"
                              "actors:\n"
                              "  - name: Alpha\n"                          /* 4 */
                              "    country: China\n"                       /* 5: not two letters */
                              "    sponsor: China\n"                       /* 6: then no country */
                              "    confidence: 101\n"                      /* 7 */
                              "    aliases: [Alpha, beta, BETA, {x: 1}]\n" /* 8 */
                              "  - country: CN\n"                          /* 9: no name */
                              "  - name: ALPHA\n";                         /* 10: twice */
    ruru_store *s = NULL;
    char path[512], *report = NULL;
    struct ruru_import_opts o;
    struct ruru_diag d;
    json_t *doc, *file, *rej;
    struct ruru_actor_registry *reg = NULL;
    FILE *f;

    CHECK(ruru_assess_detect(bad, sizeof(bad) - 1));
    CHECK(!ruru_assess_detect("ruru: other\n", 12));
    CHECK(!ruru_assess_detect("title: x\nruru: actor-assessments\n", 33));
    CHECK_STR(ruru_intel_detect("x.yaml", bad, sizeof(bad) - 1), "assessment");
    snprintf(path, sizeof(path), "%s/bad.yaml", dir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fputs(bad, f);
    fclose(f);
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, NULL), RURU_OK);
    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_intel_import(s, path, &o, &report, &d), RURU_OK);
    doc = json_loads(report, 0, NULL);
    ruru_free(report);
    file = json_array_get(json_object_get(doc, "files"), 0);
    CHECK_STR(json_string_value(json_object_get(file, "format")), "assessment");
    CHECK_INT(json_integer_value(json_object_get(file, "entities")), 1);
    CHECK_INT(json_integer_value(json_object_get(file, "rejected")), 6);
    rej = json_object_get(file, "rejections");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(rej, 0), "line")), 5);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rej, 0), "reason")),
              "country is an ISO 3166-1 alpha-2 code (CN)");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(rej, 1), "line")), 6);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(rej, 2), "line")), 7);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(rej, 3), "line")), 8);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rej, 4), "reason")),
              "actor without a name");
    CHECK_STR(json_string_value(json_object_get(json_array_get(rej, 5), "reason")),
              "actor assessed twice in one file");
    json_decref(doc);
    CHECK_INT(ruru_actors_build(ruru_store_db(s), &reg, NULL), RURU_OK);
    if (reg != NULL) {
        const struct ruru_actor_member *m = ruru_actors_member(reg, 0);
        CHECK_STR(m->name, "Alpha");
        CHECK(m->is_assessment);
        CHECK(m->country == NULL && m->sponsor == NULL && m->confidence == -1);
        CHECK_INT(m->n_aliases, 1); /* beta, once; never its own name */
        CHECK_STR(m->aliases[0], "beta");
        ruru_actors_destroy(reg);
    }
    ruru_store_close(s);
    unlink(path);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/ruru-test-actors-XXXXXX", path[512];
    ruru_store *s = NULL;
    static const char *const galaxies[] = {"threat-actor.json", "mitre-intrusion-set.json",
                                           "microsoft-activity-group.json"};
    bool corpus = corpus_part(argc, argv);

    if (corpus)
        SHARED_OR_SKIP();
    if (mkdtemp(dir) == NULL)
        return 1;
    if (!corpus) {
        test_assess_format(dir);
        rmdir(dir);
        return check_done();
    }
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, NULL), RURU_OK);
    for (size_t i = 0; i < sizeof(galaxies) / sizeof(galaxies[0]); i++) {
        snprintf(path, sizeof(path), "%s/misp/galaxy/%s", shared_data(), galaxies[i]);
        import(s, path);
    }
    test_real_galaxies(s);
    test_ambiguous_tie(s, dir);
    test_stix_object_id(s);
    test_assessments(s);
    ruru_store_close(s);
    snprintf(path, sizeof(path), "%s/kaos.csv", dir);
    unlink(path);
    rmdir(dir);
    return check_done();
}
