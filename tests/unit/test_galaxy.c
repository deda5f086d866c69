/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru_galaxy_import over the four real MISP galaxies in ../shared/data/misp/galaxy (read in
 * place) and over small documents written here from the galaxy format's description.
 *
 * The expected numbers for the real files were computed independently of the C code, with a
 * Python reference of the mapping (json.load over each file; name = value trimmed, with a
 * " - <ATT&CK id>" suffix moved to external_id in mitre-* galaxies; aliases = synonyms then
 * name-attribution names without ":<uuid>", trimmed, non-empty, unique ignoring ASCII case,
 * without the name; "Unknown" sponsor = none; country = ISO of the sponsor, else a two-letter
 * meta.country upper-cased; a relation per related entry with dest-uuid and type, a reject per
 * other). The digest is FNV-1a 64 over, per value, the line
 *     name 1F ref 1F external_id 1F country 1F sponsor 1F confidence 1F revoked(0/1) 1F
 *     aliases joined by 1E 1F description LF
 * followed by "src 1F type 1F dst LF" per relation, exactly as galaxy_rec.h folds them.
 */
#include "galaxy_rec.h"
#include "intel/galaxy_json.h"
#include "shared_data.h"

#define SHARED shared_path("misp")

#define APT40_REF     "5b4b6980-3bc7-11e8-84d6-879aaac37dd9"
#define LEVIATHAN_REF "7113eaa5-ba79-4fb3-b68a-398ee9cd698e"

static void test_real_galaxies(void)
{
    static const struct {
        const char *file;
        size_t n_ent, n_rel, n_rej, n_aliases, n_country, n_sponsor, n_conf, n_revoked, n_ext,
                n_desc;
        uint64_t digest;
    } files[] = {
            /* NOBELIUM has two related entries with an empty dest-uuid: the two rejects. */
            {"galaxy/microsoft-activity-group.json", 179, 92, 2, 504, 113, 0, 0, 0, 0, 174,
             0xd6a0fba393547920u},
            {"galaxy/mitre-attack-pattern.json", 1266, 773, 0, 0, 0, 0, 0, 202, 1266, 1266,
             0x4edd02bae997f7beu},
            {"galaxy/mitre-intrusion-set.json", 191, 5851, 0, 420, 0, 0, 0, 6, 191, 190,
             0x538636ebe02f5f7eu},
            /* 99 sponsors, 8 of them "Unknown"; 477 meta.country, one of them "". */
            {"galaxy/threat-actor.json", 1041, 432, 0, 1380, 476, 91, 164, 0, 0, 988,
             0x65ddfd722219e1bfu},
    };
    struct grec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        CHECK_INT(grec_run_file(ruru_galaxy_import, SHARED, files[i].file, &r, &d), RURU_OK);
        CHECK_INT(r.ent.n, files[i].n_ent);
        CHECK_INT(r.rel.n, files[i].n_rel);
        CHECK_INT(r.rej.n, files[i].n_rej);
        CHECK_INT(r.n_aliases, files[i].n_aliases);
        CHECK_INT(r.n_country, files[i].n_country);
        CHECK_INT(r.n_sponsor, files[i].n_sponsor);
        CHECK_INT(r.n_confidence, files[i].n_conf);
        CHECK_INT(r.n_revoked, files[i].n_revoked);
        CHECK_INT(r.n_external_id, files[i].n_ext);
        CHECK_INT(r.n_description, files[i].n_desc);
        if (r.digest != files[i].digest) {
            fprintf(stderr, "%s: digest 0x%016" PRIx64 "\n", files[i].file, r.digest);
            check_failed++;
        } else {
            check_passed++;
        }
        grec_free(&r);
    }
}

/* What `ruru actors GADOLINIUM` needs: APT40 with its sponsor and the names that join it to
 * GADOLINIUM and Leviathan, Leviathan's techniques, and T-numbers on the techniques. */
static void test_apt40_chain(void)
{
    struct grec ta, ms, is, ap;
    struct ruru_diag d;
    size_t uses = 0, uses_technique = 0;

    CHECK_INT(grec_run_file(ruru_galaxy_import, SHARED, "galaxy/threat-actor.json", &ta, &d),
              RURU_OK);
    CHECK_STR(grec_find(&ta.ent, "actor APT40 "),
              "actor APT40 ref=" APT40_REF " type=misp-galaxy:threat-actor country=CN "
              "sponsor=China confidence=50 modified=349 aliases=TEMP.Periscope|TEMP.Jumper|"
              "Leviathan|BRONZE MOHAWK|GADOLINIUM|KRYPTONITE PANDA|G0065|ATK29|TA423|Red Ladon|"
              "ITG09|MUDCARP|ISLANDDREAMS|Gingham Typhoon|ISLAND CASTLE");
    CHECK_INT(grec_count(&ta.rel, APT40_REF " similar " LEVIATHAN_REF " "), 1);
    /* "Unknown" is no sponsor: APT27's country is the galaxy's meta.country. */
    CHECK_STR(grec_find(&ta.ent, "actor APT27 "),
              "actor APT27 ref=834e0acd-d92a-4e38-bb14-dc4159d7cb32 type=misp-galaxy:threat-actor "
              "country=CN confidence=50 modified=349 aliases=GreedyTaotie|TG-3390|EMISSARY PANDA|"
              "TEMP.Hippo|Red Phoenix|Budworm|Group 35|ZipToken|Iron Tiger|BRONZE UNION|"
              "Lucky Mouse|G0027|Iron Taurus|Earth Smilodon|Circle Typhoon|Linen Typhoon|"
              "SHORE CASTLE");
    /* The value is " Stealth Mango and Tangelo ": names are trimmed. */
    CHECK_STR(grec_find(&ta.ent, "actor Stealth Mango and Tangelo ref="),
              "actor Stealth Mango and Tangelo ref=f82b352e-a9f8-11e8-8be8-fbcf6eddd58c "
              "type=misp-galaxy:threat-actor country=PK sponsor=Pakistan confidence=50 "
              "modified=349");

    CHECK_INT(grec_run_file(ruru_galaxy_import, SHARED, "galaxy/microsoft-activity-group.json", &ms,
                            &d),
              RURU_OK);
    CHECK_STR(grec_find(&ms.ent, "actor GADOLINIUM "),
              "actor GADOLINIUM ref=99e708f7-1c01-467d-b0da-f6cebd434abc "
              "type=misp-galaxy:microsoft-activity-group confidence=-1 modified=23");
    CHECK_STR(grec_find(&ms.rel, "99e708f7-1c01-467d-b0da-f6cebd434abc "),
              "99e708f7-1c01-467d-b0da-f6cebd434abc similar " APT40_REF " modified=23");
    /* NOBELIUM is element 69 of "values", its '{' at line 1616, column 5. */
    CHECK_STR(ms.rej.v[0], "line=1616 col=5 object=d7247cf9-13b6-4781-b789-a5f33521633b "
                           "reason=related entry without dest-uuid or type");
    CHECK_STR(ms.rej.v[1], ms.rej.v[0]);

    CHECK_INT(grec_run_file(ruru_galaxy_import, SHARED, "galaxy/mitre-intrusion-set.json", &is, &d),
              RURU_OK);
    CHECK_STR(grec_find(&is.ent, "actor Leviathan "),
              "actor Leviathan ref=" LEVIATHAN_REF
              " type=misp-galaxy:mitre-intrusion-set ext=G0065 "
              "confidence=-1 modified=40 aliases=MUDCARP|Kryptonite Panda|Gadolinium|BRONZE MOHAWK|"
              "TEMP.Jumper|APT40|TEMP.Periscope|Gingham Typhoon");

    CHECK_INT(
            grec_run_file(ruru_galaxy_import, SHARED, "galaxy/mitre-attack-pattern.json", &ap, &d),
            RURU_OK);
    CHECK_STR(
            grec_find(&ap.ent, "technique Exploit Public-Facing Application "),
            "technique Exploit Public-Facing Application ref=3f886f2a-874f-4333-b794-aa6075009b1c "
            "type=misp-galaxy:mitre-attack-pattern ext=T1190 confidence=-1 modified=36");
    CHECK(strstr(grec_find(&ap.ent, "technique Web Shell "),
                 " ref=5d0d3609-d06d-49e1-b9c9-b544e0c618cb type=misp-galaxy:mitre-attack-pattern "
                 "ext=T1505.003 ") != NULL);
    CHECK(strstr(grec_find(&ap.ent, "technique Command and Control "), " ext=TA0011 ") != NULL);

    /* Leviathan - G0065: 68 related entries, 67 of them `uses` (python: sum over its related
     * of type == "uses"), 50 of which point at a value of mitre-attack-pattern.json (the rest
     * at malware and tools of galaxies not imported here). */
    for (size_t i = 0; i < is.rel.n; i++) {
        const char *dst;
        char probe[128];
        if (strncmp(is.rel.v[i], LEVIATHAN_REF " uses ", strlen(LEVIATHAN_REF " uses ")) != 0)
            continue;
        uses++;
        dst = is.rel.v[i] + strlen(LEVIATHAN_REF " uses ");
        snprintf(probe, sizeof(probe), " ref=%.36s type=misp-galaxy:mitre-attack-pattern ext=T",
                 dst);
        uses_technique += grec_count_has(&ap.ent, probe) == 1;
    }
    CHECK_INT(uses, 67);
    CHECK_INT(uses_technique, 50);
    CHECK_INT(grec_count(&is.rel, LEVIATHAN_REF " "), 68);
    grec_free(&ta);
    grec_free(&ms);
    grec_free(&is);
    grec_free(&ap);
}

/* tests/data/galaxy/edge.json: the mapping rules one by one. */
static void test_edge_file(void)
{
    static const char *const ents[] = {
            "actor Test Panda ref=00000000-0000-4000-8000-000000000001 "
            "type=misp-galaxy:threat-actor country=IR sponsor=Iran confidence=75 modified=7 "
            "aliases=Panda One|APT-T1|Tester|Kitten Zero",
            "actor Origin Only ref=00000000-0000-4000-8000-000000000002 "
            "type=misp-galaxy:threat-actor country=CN confidence=-1 modified=7",
            "actor Atlantean ref=00000000-0000-4000-8000-000000000003 "
            "type=misp-galaxy:threat-actor sponsor=Atlantis confidence=-1 modified=7",
            "actor Bad Fields ref=00000000-0000-4000-8000-000000000004 "
            "type=misp-galaxy:threat-actor confidence=-1 revoked modified=7",
            "actor Wrong Types ref=00000000-0000-4000-8000-000000000005 "
            "type=misp-galaxy:threat-actor confidence=-1 modified=7",
            "actor Attr Only ref=00000000-0000-4000-8000-000000000006 "
            "type=misp-galaxy:threat-actor confidence=100 modified=7 aliases=Name With:colon",
    };
    static const char *const rels[] = {
            "00000000-0000-4000-8000-000000000001 similar 00000000-0000-4000-8000-000000000002 "
            "modified=7",
            "00000000-0000-4000-8000-000000000001 uses 00000000-0000-4000-8000-0000000000aa "
            "modified=7",
            "00000000-0000-4000-8000-000000000004 revoked-by 00000000-0000-4000-8000-000000000001 "
            "modified=7",
    };
    static const char *const rejs[] = {
            "line=8 col=5 object=00000000-0000-4000-8000-000000000001 "
            "reason=related entry without dest-uuid or type",
            "line=8 col=5 object=00000000-0000-4000-8000-000000000001 "
            "reason=related entry without dest-uuid or type",
            "line=36 col=5 object=00000000-0000-4000-8000-000000000003 value=Atlantis "
            "reason=unknown sponsor state",
            "line=41 col=5 object=00000000-0000-4000-8000-000000000004 value=Narnia "
            "reason=malformed country code",
            "line=41 col=5 object=00000000-0000-4000-8000-000000000004 value=150 "
            "reason=malformed attribution-confidence",
            "line=48 col=5 object=00000000-0000-4000-8000-000000000005 value=meta.synonyms "
            "reason=wrong JSON type",
            "line=48 col=5 object=00000000-0000-4000-8000-000000000005 "
            "value=meta.name-attribution reason=wrong JSON type",
            "line=48 col=5 object=00000000-0000-4000-8000-000000000005 "
            "value=meta.attribution-confidence reason=wrong JSON type",
            "line=48 col=5 object=00000000-0000-4000-8000-000000000005 value=description "
            "reason=wrong JSON type",
            "line=48 col=5 object=00000000-0000-4000-8000-000000000005 value=related "
            "reason=wrong JSON type",
            "line=64 col=5 reason=galaxy value is not an object",
            "line=65 col=5 reason=galaxy value without uuid or name",
            "line=66 col=5 object=00000000-0000-4000-8000-000000000009 reason=galaxy value without "
            "uuid or name",
    };
    struct grec r;
    struct ruru_diag d;

    CHECK_INT(grec_run_file(ruru_galaxy_import, RURU_OWN_DATA, "galaxy/edge.json", &r, &d),
              RURU_OK);
    CHECK_INT(r.ent.n, sizeof(ents) / sizeof(ents[0]));
    for (size_t i = 0; i < r.ent.n && i < sizeof(ents) / sizeof(ents[0]); i++)
        CHECK_STR(r.ent.v[i], ents[i]);
    CHECK_INT(r.rel.n, sizeof(rels) / sizeof(rels[0]));
    for (size_t i = 0; i < r.rel.n && i < sizeof(rels) / sizeof(rels[0]); i++)
        CHECK_STR(r.rel.v[i], rels[i]);
    CHECK_INT(r.rej.n, sizeof(rejs) / sizeof(rejs[0]));
    for (size_t i = 0; i < r.rej.n && i < sizeof(rejs) / sizeof(rejs[0]); i++)
        CHECK_STR(r.rej.v[i], rejs[i]);
    grec_free(&r);
}

/* The galaxy type decides the kind; galaxies of other things are refused whole. */
static void test_kinds(void)
{
    static const struct {
        const char *type, *want;
    } cases[] = {
            {"threat-actor", "actor "},
            {"mitre-intrusion-set", "actor "},
            {"microsoft-activity-group", "actor "},
            {"mitre-mobile-attack-intrusion-set", "actor "},
            {"mitre-attack-pattern", "technique "},
            {"mitre-ics-attack-pattern", "technique "},
            {"mitre-malware", "malware "},
            {"malpedia", "malware "},
            {"ransomware", "malware "},
            {"rat", "malware "},
            {"android-rat", "malware "},
            {"mitre-tool", "tool "},
            {"tool", "tool "},
            {"sector", NULL},
            {"country", NULL},
            {"mitre-course-of-action", NULL},
            {"migration", NULL}, /* "rat" inside a word is not the rat galaxy */
            {"", NULL},
    };
    struct grec r;
    struct ruru_diag d;
    char doc[256], want[256];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "{\"type\": \"%s\", \"uuid\": \"g-1\", \"values\": [{\"uuid\": \"u\", \"value\": "
                 "\"V\"}]}",
                 cases[i].type);
        grec_init(&r);
        CHECK_INT(grec_run_str(ruru_galaxy_import, doc, &r, &d), RURU_OK);
        if (cases[i].want != NULL) {
            snprintf(want, sizeof(want),
                     "%sV ref=u type=misp-galaxy:%s confidence=-1 modified=%" PRId64, cases[i].want,
                     cases[i].type, (int64_t)RURU_TIME_NONE);
            CHECK_STR(r.ent.n == 1 ? r.ent.v[0] : "(none)", want);
            CHECK_INT(r.rej.n, 0);
        } else {
            snprintf(want, sizeof(want),
                     "line=0 col=0 object=g-1 value=%s reason=unsupported galaxy type",
                     cases[i].type);
            CHECK_INT(r.ent.n, 0);
            CHECK_STR(r.rej.n == 1 ? r.rej.v[0] : "(none)", want);
        }
        grec_free(&r);
    }
}

/* mitre-* names lose their ATT&CK id suffix; other galaxies keep their names whole. */
static void test_attack_ids(void)
{
    static const struct {
        const char *type, *value, *meta, *want;
    } cases[] = {
            {"mitre-attack-pattern", "Web Shell - T1505.003", "{}", "Web Shell ext=T1505.003"},
            {"mitre-attack-pattern", "A - B - T1059", "{}", "A - B ext=T1059"},
            {"mitre-attack-pattern", "Phishing - T1566", "{\"external_id\": \"T1566\"}",
             "Phishing ext=T1566"},
            /* meta.external_id wins over the suffix; a list gives its first element. */
            {"mitre-attack-pattern", "Odd - T1000", "{\"external_id\": [\"T2000\", \"T3000\"]}",
             "Odd ext=T2000"},
            {"mitre-tool", "Cobalt Strike - S0154", "{}", "Cobalt Strike ext=S0154"},
            {"mitre-attack-pattern", " - T1000", "{}", "- T1000"},
            {"mitre-attack-pattern", "Lower - t1000", "{}", "Lower - t1000"},
            {"mitre-attack-pattern", "Long - ABCD1000", "{}", "Long - ABCD1000"},
            {"mitre-attack-pattern", "Short - T100", "{}", "Short - T100"},
            {"mitre-attack-pattern", "Sub - T1000.01", "{}", "Sub - T1000.01"},
            {"threat-actor", "Foo - G0001", "{}", "Foo - G0001"},
    };
    struct grec r;
    struct ruru_diag d;
    char doc[512];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got;
        snprintf(doc, sizeof(doc),
                 "{\"type\": \"%s\", \"values\": [{\"uuid\": \"u\", \"value\": \"%s\", "
                 "\"meta\": %s}]}",
                 cases[i].type, cases[i].value, cases[i].meta);
        grec_init(&r);
        CHECK_INT(grec_run_str(ruru_galaxy_import, doc, &r, &d), RURU_OK);
        got = r.ent.n == 1 ? strchr(r.ent.v[0], ' ') + 1 : "(none)";
        if (strstr(cases[i].want, " ext=") != NULL) {
            char name[64];
            size_t n = (size_t)(strstr(cases[i].want, " ext=") - cases[i].want);
            snprintf(name, sizeof(name), "%.*s ref=u ", (int)n, cases[i].want);
            CHECK(strncmp(got, name, strlen(name)) == 0);
            CHECK(strstr(got, strstr(cases[i].want, " ext=")) != NULL);
        } else {
            CHECK(strncmp(got, cases[i].want, strlen(cases[i].want)) == 0 &&
                  strncmp(got + strlen(cases[i].want), " ref=u ", 7) == 0);
            CHECK(strstr(got, " ext=") == NULL);
        }
        grec_free(&r);
    }
}

/* Alias rules: synonyms first, then attributed names, each once ignoring ASCII case, never the
 * name itself, trimmed, empty ones dropped; non-ASCII letters are compared as bytes. */
static void test_aliases(void)
{
    static const char doc[] =
            "{\"type\": \"threat-actor\", \"values\": [{\"uuid\": \"u\", \"value\": \"Alpha\","
            " \"meta\": {\"synonyms\": [\"beta\", \"ALPHA\", \" Gamma \", \"BETA\", \"\", \"  \","
            " \"\xc3\x89"
            "cole\", \"\xc3\xa9"
            "cole\"],"
            " \"name-attribution\": [\"gamma:0f0e0d0c-0b0a-4909-8807-060504030201\","
            " \"Delta:not-a-uuid\", \"Epsilon:0F0E0D0C-0B0A-4909-8807-060504030201\", \":x\","
            " \"alpha:11111111-2222-4333-8444-555555555555\"]}}]}";
    struct grec r;
    struct ruru_diag d;

    grec_init(&r);
    CHECK_INT(grec_run_str(ruru_galaxy_import, doc, &r, &d), RURU_OK);
    CHECK_STR(r.ent.n == 1 ? strstr(r.ent.v[0], " aliases=") : "(none)",
              " aliases=beta|Gamma|\xc3\x89"
              "cole|\xc3\xa9"
              "cole|Delta:not-a-uuid|Epsilon|:x");
    CHECK_INT(r.n_aliases, 7);
    grec_free(&r);
}

/* Documents that cannot be read at all: RURU_EPARSE with the position; nothing emitted. */
static void test_unparseable(void)
{
    static const struct {
        const char *doc;
        size_t len; /* 0: strlen */
        uint64_t line, col;
        const char *msg_prefix;
    } cases[] = {
            {"{\"type\": \"threat-actor\",\n \"values\": [\n  {\"uuid\": ", 0, 3, 11,
             "invalid JSON: "},
            {"", 0, 1, 0, "invalid JSON: "},
            {"{\"type\": \"threat-actor\", \"values\": []} trailing", 0, 1, 47, "invalid JSON: "},
            {"{\"type\": \"threat-actor\", \"values\": [\"a\0b\"]}", 44, 1, 38, "invalid JSON: "},
            {"{\"type\": \"threat-actor\", \"values\": [\"\xff\"]}", 0, 1, 37, "invalid JSON: "},
            {"[]", 0, 1, 1, "not a MISP galaxy cluster file"},
            {"{\"type\": \"threat-actor\"}", 0, 1, 1, "not a MISP galaxy cluster file"},
            {"{\"type\": \"threat-actor\", \"values\": {}}", 0, 1, 1,
             "not a MISP galaxy cluster file"},
            {"{\"type\": 7, \"values\": []}", 0, 1, 1, "not a MISP galaxy cluster file"},
    };
    struct grec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].doc);
        grec_init(&r);
        CHECK_INT(grec_run(ruru_galaxy_import, cases[i].doc, len, &r, &d), RURU_EPARSE);
        CHECK_INT(d.line, cases[i].line);
        CHECK_INT(d.col, cases[i].col);
        CHECK_STR(d.source, "test.json");
        CHECK(strncmp(d.msg, cases[i].msg_prefix, strlen(cases[i].msg_prefix)) == 0);
        CHECK_INT(r.ent.n + r.rel.n + r.rej.n, 0);
        grec_free(&r);
    }
}

/* Hostile shapes: nesting deeper than jansson allows, nesting it allows inside a value, and
 * strings of megabytes. */
static void test_hostile(void)
{
    enum { DEEP = 100000, BIG = 10 << 20 };
    struct grec r;
    struct ruru_diag d;
    char *doc = malloc(2 * DEEP + 5 * (size_t)BIG);
    size_t n = 0;

    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    /* 100 000 nested arrays: jansson stops at its depth limit (2048). */
    for (size_t i = 0; i < DEEP; i++)
        doc[n++] = '[';
    for (size_t i = 0; i < DEEP; i++)
        doc[n++] = ']';
    grec_init(&r);
    CHECK_INT(grec_run(ruru_galaxy_import, doc, n, &r, &d), RURU_EPARSE);
    CHECK(strstr(d.msg, "depth") != NULL);
    grec_free(&r);

    /* 1000 levels inside meta, and brackets in strings before the bad element: the reject's
     * position is still found. */
    n = (size_t)snprintf(doc, 200,
                         "{\"type\": \"tool\", \"values\": [{\"uuid\": \"a\", "
                         "\"value\": \"[{]\\\"\", \"meta\": {\"x\": ");
    for (size_t i = 0; i < 1000; i++)
        doc[n++] = '[';
    for (size_t i = 0; i < 1000; i++)
        doc[n++] = ']';
    n += (size_t)snprintf(doc + n, 100, "}},\n  5]}");
    grec_init(&r);
    CHECK_INT(grec_run(ruru_galaxy_import, doc, n, &r, &d), RURU_OK);
    CHECK_INT(r.ent.n, 1);
    CHECK_STR(r.rej.n == 1 ? r.rej.v[0] : "(none)",
              "line=2 col=3 reason=galaxy value is not an object");
    grec_free(&r);

    /* A 10 MiB name is a name; 3 x 10 MiB of synonyms exceed the 16 MiB a value may copy. */
    n = (size_t)snprintf(doc, 200,
                         "{\"type\": \"tool\", \"values\": [{\"uuid\": \"a\", \"value\": \"");
    memset(doc + n, 'x', BIG);
    n += BIG;
    n += (size_t)snprintf(doc + n, 200,
                          "\"}, {\"uuid\": \"b\", \"value\": \"B\", \"meta\": "
                          "{\"synonyms\": [\"");
    for (int k = 0; k < 3; k++) {
        memset(doc + n, (char)('a' + k), BIG - 100);
        n += BIG - 100;
        n += (size_t)snprintf(doc + n, 10, k < 2 ? "\", \"" : "\"]}}]}");
    }
    grec_init(&r);
    CHECK_INT(grec_run(ruru_galaxy_import, doc, n, &r, &d), RURU_OK);
    CHECK_INT(r.ent.n, 1);
    CHECK(r.ent.n == 1 && strlen(r.ent.v[0]) > BIG);
    CHECK_STR(r.rej.n == 1 ? r.rej.v[0] : "(none)",
              "line=1 col=10485817 object=b reason=galaxy value too large");
    grec_free(&r);
    free(doc);
}

/* The locator on its own: the worked examples of galaxy_json.h and galaxy_json.c, a walk
 * backwards, and the cases it answers "unknown". */
static void test_locator(void)
{
    static const struct {
        const char *doc, *key;
        size_t index;
        uint64_t line, col;
    } cases[] = {
            {"{\"type\": \"x\",\n \"values\": [\n  {\"uuid\": \"a\"},\n  7\n]}", "values", 1, 4, 3},
            {"{\"type\": \"x\",\n \"values\": [\n  {\"uuid\": \"a\"},\n  7\n]}", "values", 0, 3, 3},
            {"{\"name\": \"a\", \"list\": [\"x\", {\"y\": \"]\"}, 7]}", "list", 2, 1, 41},
            {"{\"name\": \"a\", \"list\": [\"x\", {\"y\": \"]\"}, 7]}", "list", 3, 0, 0},
            {"{\"name\": \"a\", \"list\": [\"x\", {\"y\": \"]\"}, 7]}", "values", 0, 0, 0},
            {"{\"list\": []}", "list", 0, 0, 0},
            {"{\"list\": {\"a\": 1}}", "list", 0, 0, 0},
            {"{\"li\\u0073t\": [1]}", "list", 0, 0, 0}, /* escaped names are not found */
            {"[1, 2]", "list", 0, 0, 0},
            {"{\"list\": [\"unterminated", "list", 1, 0, 0},
            {"{\"a\": \"\\\"\", \"list\": [true, null]}", "list", 1, 1, 28},
    };
    struct ruru_galaxy_json_pos pos;
    uint64_t line, col;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ruru_galaxy_json_pos_init(&pos, cases[i].doc, strlen(cases[i].doc), cases[i].key);
        ruru_galaxy_json_pos_find(&pos, cases[i].index, &line, &col);
        CHECK_INT(line, cases[i].line);
        CHECK_INT(col, cases[i].col);
    }
    /* Forward, then back to the start: the walk restarts. */
    ruru_galaxy_json_pos_init(&pos, cases[2].doc, strlen(cases[2].doc), "list");
    ruru_galaxy_json_pos_find(&pos, 2, &line, &col);
    CHECK_INT(col, 41);
    ruru_galaxy_json_pos_find(&pos, 0, &line, &col);
    CHECK_INT(col, 24);
    ruru_galaxy_json_pos_find(&pos, 1, &line, &col);
    CHECK_INT(col, 29);
}

/* A sink that stops at any call stops the import there; allocation failures anywhere give
 * RURU_ENOMEM and leak nothing. */
static void test_stop_and_oom(void)
{
    static const char doc[] =
            "{\"type\": \"threat-actor\", \"version\": 2, \"values\": [\n"
            " {\"uuid\": \"a\", \"value\": \"A\", \"meta\": {\"synonyms\": [\"B\", \"C\"],"
            " \"name-attribution\": [\"D:0f0e0d0c-0b0a-4909-8807-060504030201\"],"
            " \"country\": \"XXX\"}, \"related\": [{\"dest-uuid\": \"b\", \"type\": \"similar\"},"
            " {\"type\": \"uses\"}]},\n"
            " 3,\n"
            " {\"uuid\": \"b\", \"value\": \"Z - G0001\", \"related\": [{\"dest-uuid\": \"a\","
            " \"type\": \"similar\"}]}]}";

    /* entity A, reject (country), relation, reject (related), reject (3), entity Z, relation */
    CHECK_INT(grec_stop_each(ruru_galaxy_import, doc), 7);
    CHECK(grec_oom_each(ruru_galaxy_import, doc) >= 4);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_real_galaxies();
        test_apt40_chain();
        return check_done();
    }
    test_edge_file();
    test_kinds();
    test_attack_ids();
    test_aliases();
    test_unparseable();
    test_hostile();
    test_locator();
    test_stop_and_oom();
    return check_done();
}
