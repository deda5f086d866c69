/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STIX 2.1 importer and patterning parser. The bundles in tests/data/stix/ were written from
 * the STIX 2.1 specification: every object type, every typed pattern path, OR splitting,
 * ISSUBSET, patterns kept whole, other pattern languages, TLP 1.0 and 2.0 markings by fixed id
 * and by in-bundle definition, an APT40-style advisory, and hostile files. Each test asserts
 * exact counts and the exact strings the recording sink makes of what the importer emits.
 * The parser is also run over the OASIS pattern-matcher vectors in ../shared/data/stix.
 */
#include <jansson.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/stix_pattern.h"
#include "shared_data.h"
#include "sink.h"

#define T0    "1704067200" /* 2024-01-01T00:00:00Z */
#define T_JUL "1720396800" /* 2024-07-08T00:00:00Z */

/* ---- the recording sink, with the fields sink.h leaves out ------------------------------ */

/* Appends `tail` to a recorded string. */
static void append(char **slot, const char *tail)
{
    size_t old = strlen(*slot), n = strlen(tail);
    char *s = realloc(*slot, old + n + 1);

    if (s == NULL)
        return;
    memcpy(s + old, tail, n + 1);
    *slot = s;
}

static enum ruru_err my_indicator(void *ctx, const struct ruru_intel_indicator *x)
{
    struct rec *r = ctx;
    size_t before = r->n_ind;
    enum ruru_err err = rec_indicator(ctx, x);
    char t[1024];

    if (x->raw != NULL && r->n_ind > before) {
        snprintf(t, sizeof(t), " raw=%s", x->raw);
        append(&r->ind[r->n_ind - 1], t);
    }
    return err;
}

static enum ruru_err my_entity(void *ctx, const struct ruru_intel_entity *x)
{
    struct rec *r = ctx;
    size_t before = r->n_ent;
    enum ruru_err err = rec_entity(ctx, x);
    char t[1024];

    if (r->n_ent > before) {
        if (x->modified != RURU_TIME_NONE) {
            snprintf(t, sizeof(t), " modified=%lld", (long long)x->modified);
            append(&r->ent[r->n_ent - 1], t);
        }
        if (x->description != NULL) {
            snprintf(t, sizeof(t), " desc=%.40s", x->description);
            append(&r->ent[r->n_ent - 1], t);
        }
    }
    return err;
}

static enum ruru_err my_relation(void *ctx, const struct ruru_intel_relation *x)
{
    struct rec *r = ctx;
    size_t before = r->n_rel;
    enum ruru_err err = rec_relation(ctx, x);
    char t[1024];

    if (r->n_rel > before) {
        snprintf(t, sizeof(t), " ref=%s", x->ref ? x->ref : "-");
        if (x->confidence >= 0)
            snprintf(t + strlen(t), sizeof(t) - strlen(t), " confidence=%d", x->confidence);
        if (x->modified != RURU_TIME_NONE)
            snprintf(t + strlen(t), sizeof(t) - strlen(t), " modified=%lld",
                     (long long)x->modified);
        if (x->revoked)
            snprintf(t + strlen(t), sizeof(t) - strlen(t), " revoked");
        append(&r->rel[r->n_rel - 1], t);
    }
    return err;
}

static void my_init(struct rec *r)
{
    rec_init(r);
    r->sink.indicator = my_indicator;
    r->sink.entity = my_entity;
    r->sink.relation = my_relation;
}

/* Imports tests/data/stix/<name>, expecting `want`. */
static void load(const char *name, struct rec *r, struct ruru_diag *d, enum ruru_err want)
{
    char path[512];
    size_t len = 0;
    char *data;

    snprintf(path, sizeof(path), "%s/stix/%s", RURU_OWN_DATA, name);
    data = slurp(path, &len);
    CHECK(data != NULL);
    my_init(r);
    CHECK_INT(run_importer(ruru_stix_import, data ? data : "", data ? len : 0, r, d), want);
    free(data);
}

/* The recorded indicator that starts with `prefix` must be exactly `want`. */
#define CHECK_REC(list, n, prefix, want) CHECK_STR(rec_find(list, n, prefix), want)

/* ---- pattern paths: every path ruru types, one indicator each --------------------------- */

static void test_paths(void)
{
    static const struct {
        const char *value; /* "type value" */
        const char *raw;
    } want[] = {
            {"ipv4 198.51.100.1", NULL},
            {"cidr4 198.51.100.0/24", NULL},
            {"ipv6 2001:db8::1", "2001:DB8:0:0:0:0:0:1"},
            {"cidr6 2001:db8::/32", NULL},
            {"domain evil.example", "Evil.Example."},
            {"url http://evil.example/gate.php", "HTTP://Evil.Example:80/gate.php"},
            {"email Phish@evil.example", "Phish@Evil.Example"},
            {"email from@evil.example", NULL},
            {"email sender@evil.example", NULL},
            {"md5 d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E"},
            {"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
             "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
            {"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL},
            {"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
            {"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", NULL},
            {"sha512 cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2"
             "b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
             "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE47D0D13C5D85F2B0FF"
             "8318D2877EEC2F63B931BD47417A81A538327AF927DA3E"},
            {"sha512 cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2"
             "b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
             NULL},
            {"filename error3.aspx", NULL},
            {"filepath C:\\Windows\\Temp", NULL},
            {"ipv4 192.0.2.77", NULL},
            {"ipv6 2001:db8::77", NULL},
            {"cidr4 203.0.113.0/25", NULL},
            {"x509-sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709",
             "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
            {"x509-sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"},
            {"x509-md5 d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E"},
            {"asn AS64496", "64496"},
            {"user-agent Mozilla/5.0 (compatible; Scanner/1.0)", NULL},
            {"filename it's here.exe", NULL},
            {"ipv4 198.51.100.28", NULL},
            {"domain quoted.example", NULL},
            {"asn AS64497", "64497"},
    };
    struct rec r;
    struct ruru_diag d;

    load("paths.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, sizeof(want) / sizeof(want[0]));
    CHECK_INT(r.n_rej, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && i < r.n_ind; i++) {
        char exp[1024];
        snprintf(exp, sizeof(exp),
                 "%s ref=indicator--a0000000-0000-4000-8000-%012zu object=indicator--a0000000-0000-"
                 "4000-8000-%012zu from=" T0 " modified=" T0 "%s%s",
                 want[i].value, i + 1, i + 1, want[i].raw ? " raw=" : "",
                 want[i].raw ? want[i].raw : "");
        CHECK_STR(r.ind[i], exp);
    }
    rec_free(&r);
}

/* ---- OR splitting, ISSUBSET, rejected values -------------------------------------------- */

#define OR(n) "indicator--b0000000-0000-4000-8000-00000000000" #n

static void test_or_split(void)
{
    static const char *const want[] = {
            "ipv4 198.51.100.1 ref=" OR(1) "#1 object=" OR(1),
            "domain evil.example ref=" OR(1) "#2 object=" OR(1),
            "ipv4 198.51.100.2 ref=" OR(2) "#1 object=" OR(2),
            "url http://evil.example/a ref=" OR(2) "#2 object=" OR(2),
            "md5 d41d8cd98f00b204e9800998ecf8427e ref=" OR(2) "#3 object=" OR(2),
            "domain a.example ref=" OR(3) "#1 object=" OR(3),
            "domain b.example ref=" OR(3) "#2 object=" OR(3),
            "domain c.example ref=" OR(3) "#3 object=" OR(3),
            "cidr4 203.0.113.0/24 ref=" OR(4) " object=" OR(4),
            "cidr4 203.0.113.0/24 ref=" OR(5) "#1 object=" OR(5),
            "cidr6 2001:db8:1::/48 ref=" OR(5) "#2 object=" OR(5),
            "domain ok.example ref=" OR(6) "#3 object=" OR(6),
            "domain c2.evil.example ref=" OR(8) " object=" OR(8),
            "domain x.example ref=" OR(9) "#1 object=" OR(9),
            "domain y.example ref=" OR(9) "#2 object=" OR(9),
            "domain z.example ref=" OR(9) "#3 object=" OR(9),
    };
    static const char *const rejects[] = {
            /* placed at the line of the indicator's object */
            "line=7 object=" OR(6) " value=com reason=public suffix",
            "line=7 object=" OR(6) " value=127.0.0.1 reason=loopback address",
            "line=8 object=" OR(7) " value=2001:db8::1 reason=malformed IPv4 address",
            "line=8 object=" OR(7) " value=198.51.100.9 reason=malformed IPv6 address",
            "line=8 object=" OR(7) " value=d41d8cd98f00b204e9800998ecf8427e reason=not an address",
    };
    struct rec r;
    struct ruru_diag d;

    load("or-split.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && i < r.n_ind; i++) {
        char exp[512];
        snprintf(exp, sizeof(exp), "%s from=" T0 " modified=" T0, want[i]);
        CHECK_STR(r.ind[i], exp);
    }
    CHECK_INT(r.n_rej, sizeof(rejects) / sizeof(rejects[0]));
    for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]) && i < r.n_rej; i++)
        CHECK_STR(r.rej[i], rejects[i]);
    rec_free(&r);
}

/* ---- patterns kept whole, other languages, malformed patterns --------------------------- */

#define KW(n) "indicator--c0000000-0000-4000-8000-0000000000" #n

static void test_kept_whole(void)
{
    static const char *const whole[] = {
            "[file:name = 'a.exe' AND file:size > 10]",
            "[ipv4-addr:value != '198.51.100.1']",
            "[url:value LIKE '%/owa/auth/%.aspx']",
            "[file:name MATCHES '^err[0-9]\\\\.aspx$']",
            "[url:value = 'http://a.example/'] FOLLOWEDBY [file:name = 'x.exe']",
            "[domain-name:value = 'a.example'] WITHIN 600 SECONDS",
            "[domain-name:value = 'a.example'] REPEATS 5 TIMES",
            ("[domain-name:value = 'a.example'] START t'2024-01-01T00:00:00Z' STOP "
             "t'2024-02-01T00:00:00Z'"),
            "[windows-registry-key:values[*].name = 'Run']",
            "[ipv4-addr:value = '198.51.100.1' OR process:name = 'x.exe']",
            "[domain-name:value IN ('a.example', 'b.example')]",
            "[domain-name:value NOT = 'a.example']",
            "[EXISTS file:name]",
            "[domain-name:value ISSUBSET 'a.example']",
            "[network-traffic:dst_port = 443]",
            "[domain-name:value = 'a.example'] AND [ipv4-addr:value = '198.51.100.1']",
            "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
            "[ipv4-addr:value = 42]",
    };
    struct rec r;
    struct ruru_diag d;
    char exp[1024];

    load("kept-whole.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, 26);
    CHECK_INT(r.n_rej, 8);
    for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]) && i < r.n_ind; i++) {
        snprintf(exp, sizeof(exp),
                 "stix-pattern %s ref=indicator--c0000000-0000-4000-8000-%012zu "
                 "object=indicator--c0000000-0000-4000-8000-%012zu from=" T0 " modified=" T0,
                 whole[i], i + 1, i + 1);
        CHECK_STR(r.ind[i], exp);
    }
    /* Surrounding white space is trimmed; the raw text keeps it. */
    CHECK_REC(r.ind, r.n_ind, "stix-pattern [url:value LIKE '%.php']",
              "stix-pattern [url:value LIKE '%.php'] ref=" KW(19) " object=" KW(
                      19) " from=" T0 " modified=" T0 " raw=  [url:value LIKE '%.php']\n");
    /* Other pattern languages: kept whole, the language in the context. */
    CHECK_REC(
            r.ind, r.n_ind, "stix-pattern title: OWA",
            "stix-pattern title: OWA web shell\ndetection:\n  sel:\n    cs-uri-stem|endswith: "
            "'.aspx'\n  condition: sel ref=" KW(21) " object=" KW(
                    21) " context=pattern_type=sigma from=" T0 " modified=" T0
                        " raw=title: OWA web shell\ndetection:\n  sel:\n    cs-uri-stem|endswith: "
                        "'.aspx'\n  condition: sel\n");
    CHECK_REC(r.ind, r.n_ind, "stix-pattern rule evil",
              "stix-pattern rule evil { strings: $a = \"evil\" condition: $a } ref=" KW(
                      22) " object=" KW(22) " context=pattern_type=yara from=" T0 " modified=" T0);
    CHECK(strstr(rec_find(r.ind, r.n_ind, "stix-pattern alert tcp"),
                 " ref=" KW(23) " object=" KW(23) " context=pattern_type=snort ") != NULL);
    CHECK(strstr(rec_find(r.ind, r.n_ind, "stix-pattern alert http"),
                 " context=pattern_type=suricata ") != NULL);
    CHECK_REC(r.ind, r.n_ind, "stix-pattern /evil",
              "stix-pattern /evil\\.example/i ref=" KW(25) " object=" KW(
                      25) " context=pattern_type=pcre from=" T0 " modified=" T0);
    /* pattern_type "STIX" is STIX; a 2.0 indicator has none and labels instead. */
    CHECK_REC(r.ind, r.n_ind, "domain upper.example",
              "domain upper.example ref=" KW(32) " object=" KW(32) " from=" T0 " modified=" T0);
    CHECK_REC(r.ind, r.n_ind, "domain stix20.example",
              "domain stix20.example ref=" KW(33) " object=" KW(33) " from=" T0 " modified=" T0
                                                                    " labels=malicious-activity");
    CHECK_STR(r.rej[0], "line=26 object=" KW(31) " reason=malformed pattern_type");
    CHECK_STR(r.rej[1],
              "line=29 object=" KW(
                      41) " value=[ipv4-addr:value = '198.51.100.2' reason=malformed STIX pattern");
    CHECK_STR(r.rej[2],
              "line=30 object=" KW(
                      42) " value=[directory:path = 'C:\\temp'] reason=malformed STIX pattern");
    CHECK_STR(r.rej[3], "line=31 object=" KW(43) " value= reason=malformed STIX pattern");
    CHECK(rec_has(&r.rej[4], 1, "line=32 object=" KW(44) " value=[file:name = 'a'] START t'"));
    CHECK(strstr(r.rej[4], " reason=malformed STIX pattern") != NULL);
    CHECK_STR(r.rej[5],
              "line=33 object=" KW(
                      45) " value=ipv4-addr:value = '198.51.100.3' reason=malformed STIX pattern");
    CHECK(strstr(r.rej[6], "object=" KW(46) " value=") != NULL);
    CHECK(strstr(r.rej[7], "object=" KW(47) " value=") != NULL);
    rec_free(&r);
}

/* ---- TLP 1.0 and 2.0: fixed ids, in-bundle definitions, the most restrictive wins ------- */

static void test_tlp(void)
{
    static const char *const want[] = {
            "clear", "green",        "amber",        "red",   "clear",        "green",
            "amber", "amber+strict", "red",          "clear", "amber+strict", "green",
            "amber", "red",          "amber+strict", NULL,    NULL,           NULL,
    };
    struct rec r;
    struct ruru_diag d;

    load("tlp.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, sizeof(want) / sizeof(want[0]));
    CHECK_INT(r.n_rej + r.n_ent + r.n_rel, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && i < r.n_ind; i++) {
        char exp[512];
        snprintf(exp, sizeof(exp),
                 "domain t%02zu.example ref=indicator--d0000000-0000-4000-8000-%012zu "
                 "object=indicator--d0000000-0000-4000-8000-%012zu from=" T0 " modified=" T0 "%s%s",
                 i + 1, i + 1, i + 1, want[i] ? " tlp=" : "", want[i] ? want[i] : "");
        CHECK_STR(r.ind[i], exp);
    }
    rec_free(&r);
}

/* ---- an APT40-style advisory ------------------------------------------------------------ */

#define APT(t, n) t "--e0000000-0000-4000-8000-00000000000" #n

static void test_apt40(void)
{
    struct rec r;
    struct ruru_diag d;

    load("apt40.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ent, 6);
    CHECK_INT(r.n_rel, 8);
    CHECK_INT(r.n_ind, 4);
    CHECK_INT(r.n_rej, 0);
    /* Country from the location the relationship before it names; aliases once, in order,
     * without the name. */
    CHECK_REC(r.ent, r.n_ent, "actor APT40 ",
              "actor APT40 ref=" APT("intrusion-set",
                                     1) " type=intrusion-set ext=G0065 "
                                        "country=CN confidence=85 aliases=Kryptonite "
                                        "Panda|Leviathan|Bronze Mohawk|Gingham "
                                        "Typhoon|TEMP.Periscope modified=" T_JUL
                                        " desc=PRC state-sponsored group, tasked by the");
    CHECK_REC(r.ent, r.n_ent, "actor Hainan",
              "actor Hainan State Security Department ref=" APT(
                      "threat-actor", 1) " type=threat-actor modified=" T0);
    CHECK_REC(r.ent, r.n_ent, "technique Exploit",
              "technique Exploit Public-Facing Application ref=" APT(
                      "attack-pattern", 1) " type=attack-pattern ext=T1190 modified=" T0);
    CHECK_REC(r.ent, r.n_ent, "technique Server",
              "technique Server Software Component: Web Shell ref=" APT(
                      "attack-pattern", 2) " type=attack-pattern ext=T1505.003 modified=" T0);
    CHECK_REC(r.ent, r.n_ent, "malware ",
              "malware China Chopper ref=" APT("malware", 1) " type=malware aliases=Chopper "
                                                             "modified=" T0);
    CHECK_REC(r.ent, r.n_ent, "identity ",
              "identity Example National CERT ref=" APT("identity", 1) " type=identity "
                                                                       "modified=" T0);
    /* Relations in bundle order, for every relationship type. */
    CHECK_STR(r.rel[0], APT("intrusion-set", 1) " originates-from " APT("location", 1) " ref=" APT(
                                "relationship", 1) " modified=" T0);
    CHECK_STR(r.rel[1], APT("indicator", 1) " indicates " APT("intrusion-set", 1) " ref=" APT(
                                "relationship", 2) " modified=" T0);
    CHECK_STR(r.rel[4], APT("intrusion-set", 1) " uses " APT("attack-pattern", 1) " ref=" APT(
                                "relationship", 5) " modified=" T0);
    CHECK_STR(r.rel[6], APT("intrusion-set", 1) " uses " APT("malware", 1) " ref=" APT(
                                "relationship", 7) " modified=" T0);
    CHECK_STR(r.rel[7],
              APT("intrusion-set", 1) " attributed-to " APT("threat-actor", 1) " ref=" APT(
                      "relationship", 8) " confidence=80 modified=" T_JUL);
    /* Indicators with every property the model takes. */
    CHECK_STR(r.ind[0], "ipv4 203.0.113.45 ref=" APT("indicator", 1) "#1 object=" APT(
                                "indicator",
                                1) " confidence=70 from=" T_JUL " modified=" T_JUL
                                   " tlp=clear by=" APT(
                                           "identity", 1) " desc=APT40 exploitation infrastructure "
                                                          "labels=malicious-activity|attribution");
    CHECK_STR(r.ind[1], "cidr4 198.51.100.0/24 ref=" APT("indicator", 1) "#2 object=" APT(
                                "indicator",
                                1) " confidence=70 from=" T_JUL " modified=" T_JUL
                                   " tlp=clear by=" APT(
                                           "identity", 1) " desc=APT40 exploitation infrastructure "
                                                          "labels=malicious-activity|attribution");
    CHECK_STR(r.ind[2],
              "sha256 9a4b8e3d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d "
              "ref=" APT("indicator", 2) " object=" APT(
                      "indicator",
                      2) " from=" T_JUL " until=1751932800 modified=" T_JUL
                         " tlp=clear by=" APT("identity",
                                              1) " desc=Web shell dropped on Exchange servers");
    CHECK_STR(r.ind[3],
              "stix-pattern [url:value LIKE '%/owa/auth/%.aspx'] FOLLOWEDBY [file:name "
              "= 'error3.aspx'] WITHIN 3600 SECONDS ref=" APT("indicator", 3) " object=" APT(
                      "indicator",
                      3) " from=" T_JUL " modified=" T_JUL
                         " tlp=clear by=" APT(
                                 "identity",
                                 1) " desc=OWA exploitation followed by web shell access");
    rec_free(&r);
}

/* ---- entities, relationships, skipped objects ------------------------------------------- */

#define ENT(t, n) t "--f0000000-0000-4000-8000-00000000000" #n

static void test_entities(void)
{
    struct rec r;
    struct ruru_diag d;

    load("entities.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ent, 9);
    CHECK_INT(r.n_rel, 7);
    /* observed-data: the address it refers to, as context (seen, not said to be malicious) */
    CHECK_INT(r.n_ind, 1);
    CHECK_STR(r.ind[0], "ipv4 198.51.100.1 ref=" ENT("ipv4-addr", 1) " object=" ENT(
                                "observed-data", 1) " first=1704067200 last=1704067200 "
                                                    "modified=1704067200 no-ids");
    CHECK_INT(r.n_rej, 5);
    /* No country: "Turkey" is not an alpha-2 code. */
    CHECK_STR(r.ent[0], "actor Sea Turtle ref=" ENT(
                                "intrusion-set",
                                1) " type=intrusion-set revoked aliases=Teal Kurma|Marbled Dust "
                                   "modified=1706745600");
    /* A revoked originates-from and a region without a country are passed over; modified
     * falls back to created. */
    CHECK_STR(r.ent[1],
              "actor OilRig ref=" ENT("intrusion-set",
                                      2) " type=intrusion-set country=IR modified=1709251200");
    /* located-at gives no country. */
    CHECK_STR(r.ent[2],
              "actor Located Actor ref=" ENT("threat-actor", 1) " type=threat-actor modified=" T0);
    CHECK_STR(r.ent[3],
              "campaign Operation Example ref=" ENT(
                      "campaign", 1) " type=campaign confidence=60 aliases=Example Op modified=" T0
                                     " desc=A campaign.");
    /* aliases then x_mitre_aliases, each once, case ignored, without the name. */
    CHECK_STR(r.ent[4], "malware PlugX ref=" ENT(
                                "malware", 1) " type=malware aliases=Korplug|Sogu modified=" T0);
    CHECK_STR(r.ent[5],
              "tool Mimikatz ref=" ENT("tool", 1) " type=tool aliases=mimikatz.exe modified=" T0);
    CHECK_STR(r.ent[6],
              "technique PowerShell ref=" ENT("attack-pattern",
                                              1) " type=attack-pattern ext=T1059.001 modified=" T0);
    CHECK_STR(r.ent[7], "technique Custom technique ref=" ENT(
                                "attack-pattern", 2) " type=attack-pattern modified=" T0);
    CHECK_STR(r.ent[8],
              "identity Example Org ref=" ENT("identity", 1) " type=identity modified=" T0);
    CHECK_STR(r.rel[0], ENT("intrusion-set", 2) " originates-from " ENT("location", 3) " ref=" ENT(
                                "relationship", 1) " modified=" T0 " revoked");
    CHECK_STR(r.rel[5], ENT("campaign", 1) " targets " ENT("identity", 1) " ref=" ENT(
                                "relationship", 6) " confidence=40 modified=1714521600 revoked");
    CHECK_STR(r.rel[6], ENT("malware", 1) " related-to " ENT("tool", 1) " ref=" ENT(
                                "relationship", 7) " modified=" T0);
    CHECK_STR(r.rej[0], "line=22 object=" ENT(
                                "relationship",
                                8) " reason=relationship without source_ref, target_ref or type");
    CHECK_STR(r.rej[1], "line=23 object=" ENT("relationship", 9) " reason=malformed timestamp");
    CHECK_STR(r.rej[2], "line=24 object=" ENT("malware", 2) " reason=object without name");
    CHECK_STR(r.rej[3], "line=25 object=" ENT("tool", 2) " reason=object without name");
    CHECK_STR(r.rej[4], "line=26 object=" ENT("campaign", 2) " reason=malformed timestamp");
    rec_free(&r);
}

/* ---- the first test bundle: every object type in one file ------------------------------- */

#define IND1 "indicator--bbbbbbbb-0000-4000-8000-000000000001"
#define IND2 "indicator--bbbbbbbb-0000-4000-8000-000000000002"

static void test_all_objects(void)
{
    struct rec r;
    struct ruru_diag d;

    load("all-objects.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ent, 7);
    CHECK_INT(r.n_rel, 5);
    CHECK_INT(r.n_ind, 21);
    CHECK_INT(r.n_rej, 6);
    CHECK_REC(r.ent, r.n_ent, "actor APT40",
              "actor APT40 ref=intrusion-set--aaaaaaaa-0000-4000-8000-000000000003 "
              "type=intrusion-set country=CN confidence=85 aliases=Leviathan|TEMP.Periscope "
              "modified=1706745600");
    CHECK_REC(r.ind, r.n_ind, "ipv4 198.51.100.1 ",
              "ipv4 198.51.100.1 ref=" IND1 "#1 object=" IND1 " confidence=90 from=" T0
              " until=1735689600 modified=1709251200 tlp=red "
              "by=identity--aaaaaaaa-0000-4000-8000-000000000001 "
              "labels=malicious-activity|attribution");
    CHECK(rec_has(r.ind, r.n_ind, "ipv6 2001:db8::1 ref=" IND1 "#2 "));
    CHECK(rec_has(r.ind, r.n_ind, "domain evil.example ref=" IND1 "#3 "));
    CHECK(rec_has(r.ind, r.n_ind, "url http://evil.example/gate.php ref=" IND1 "#4 "));
    CHECK(rec_has(r.ind, r.n_ind, "cidr4 203.0.113.0/24 ref=" IND1 "#5 "));
    CHECK(strstr(rec_find(r.ind, r.n_ind, "url http://evil.example/gate.php"),
                 " raw=HTTP://evil.example:80/a/../gate.php") != NULL);
    CHECK_REC(r.ind, r.n_ind, "user-agent ",
              "user-agent Mozilla/5.0 (compatible; Scanner/1.0) ref=" IND2 "#12 object=" IND2
              " from=" T0 " modified=" T0 " tlp=amber+strict");
    CHECK(strstr(rec_find(r.ind, r.n_ind, "stix-pattern [url:value LIKE"), " revoked") != NULL);
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=30 object=indicator--no-type"),
              "line=30 object=indicator--no-type reason=object without type or id");
    rec_free(&r);
}

/* ---- document shapes -------------------------------------------------------------------- */

static void test_shapes(void)
{
    struct rec r;
    struct ruru_diag d;

    load("single-object.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, 1);
    CHECK_STR(r.ind[0], "domain lone.example ref=indicator--90000000-0000-4000-8000-000000000001 "
                        "object=indicator--90000000-0000-4000-8000-000000000001 from=" T0
                        " modified=" T0 " desc=Lone C2 domain");
    rec_free(&r);

    load("array.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ent, 1);
    CHECK_INT(r.n_ind, 1);
    CHECK_INT(r.n_rel, 1);
    CHECK_INT(r.n_rej, 2);
    CHECK_STR(r.rej[0], "line=5 reason=object without type or id");
    CHECK_STR(r.rel[0], "indicator--90000000-0000-4000-8000-000000000003 indicates "
                        "malware--90000000-0000-4000-8000-000000000002 "
                        "ref=relationship--90000000-0000-4000-8000-000000000004 modified=" T0);
    rec_free(&r);

    load("not-stix.json", &r, &d, RURU_EPARSE);
    CHECK_STR(d.msg, "not a STIX bundle, object or list of objects");
    CHECK_INT(d.line, 1);
    CHECK_INT(d.col, 1);
    CHECK_STR(d.source, "test");
    rec_free(&r);

    load("objects-not-array.json", &r, &d, RURU_EPARSE);
    CHECK_STR(d.msg, "bundle without an objects array");
    CHECK_INT(r.n_ind + r.n_rej, 0);
    rec_free(&r);
}

/* ---- hostile input ---------------------------------------------------------------------- */

#define W(n) "indicator--90000000-0000-4000-8000-0000000000" #n

static void run_bytes(const char *data, size_t len, struct rec *r, struct ruru_diag *d)
{
    my_init(r);
    (void)run_importer(ruru_stix_import, data, len, r, d);
}

static void test_hostile(void)
{
    struct rec r;
    struct ruru_diag d;
    static const char utf8[] = "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--x\", "
                               "\"name\": \"\xff\xfe\"}";
    static const char nul[] = "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--x\", "
                              "\"name\": \"a\\u0000b\"}";
    static const char embedded[] = "{\"type\": \"bundle\", \"objects\": []}\0 trailing";
    const size_t n = 200000, big_len = 10u << 20;
    char *deep = malloc(2 * n), *big = malloc(big_len + 400);
    size_t len;

    /* Truncated: RURU_EPARSE with the position. */
    load("truncated.json", &r, &d, RURU_EPARSE);
    CHECK_INT(d.line, 4);
    CHECK(d.col > 0);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    CHECK_INT(r.n_ind + r.n_rej, 0);
    rec_free(&r);

    /* Wrong JSON types everywhere: rejected or ignored one by one. */
    load("wrong-types.json", &r, &d, RURU_OK);
    CHECK_INT(r.n_ind, 2);
    CHECK_INT(r.n_ent, 1);
    CHECK_INT(r.n_rel, 0);
    CHECK_INT(r.n_rej, 12);
    CHECK_STR(r.ind[0], "domain w17.example ref=" W(17) " object=" W(17) " labels=attribution");
    CHECK_STR(r.ind[1], "domain w18.example ref=" W(18) " object=" W(18));
    CHECK_STR(r.ent[0], "actor Wrong Types Group ref=intrusion-set--90000000-0000-4000-8000-"
                        "000000000020 type=intrusion-set ext=G9999 aliases=Alias One");
    for (size_t i = 0; i < 4; i++) {
        char want[64];
        snprintf(want, sizeof(want), "line=%zu reason=object without type or id", i + 2);
        CHECK_STR(r.rej[i], want);
    }
    CHECK_STR(r.rej[4], "line=6 object=" W(11) " reason=object without type or id");
    CHECK_STR(r.rej[5], "line=7 reason=object without type or id");
    CHECK_STR(r.rej[6], "line=8 object=" W(13) " reason=object without type or id");
    CHECK_STR(r.rej[7], "line=9 object=" W(14) " reason=indicator without pattern");
    CHECK_STR(r.rej[8], "line=10 object=" W(15) " reason=malformed timestamp");
    CHECK_STR(r.rej[9], "line=11 object=" W(16) " reason=malformed pattern_type");
    CHECK_STR(r.rej[10], "line=14 object=intrusion-set--90000000-0000-4000-8000-000000000019 "
                         "reason=object without name");
    CHECK_STR(r.rej[11], "line=16 object=relationship--90000000-0000-4000-8000-000000000021 "
                         "reason=relationship without source_ref, target_ref or type");
    rec_free(&r);

    /* Deep nesting: refused by the JSON parser's depth limit, not by the stack. */
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    run_bytes(deep, 2 * n, &r, &d);
    CHECK(strncmp(d.msg, "invalid JSON: maximum parsing depth reached", 43) == 0);
    CHECK_INT(r.n_ind + r.n_ent + r.n_rej, 0);
    rec_free(&r);
    free(deep);

    /* Invalid UTF-8, an escaped NUL, bytes after the document, nothing at all. */
    run_bytes(utf8, sizeof(utf8) - 1, &r, &d);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    CHECK_INT(r.n_ent, 0);
    rec_free(&r);
    run_bytes(nul, sizeof(nul) - 1, &r, &d);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    rec_free(&r);
    run_bytes(embedded, sizeof(embedded) - 1, &r, &d);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    rec_free(&r);
    run_bytes("", 0, &r, &d);
    CHECK(strncmp(d.msg, "invalid JSON: ", 14) == 0);
    rec_free(&r);

    /* A 10 MB name: imported as it is. */
    len = (size_t)snprintf(big, 400,
                           "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--x\", "
                           "\"name\": \"");
    memset(big + len, 'A', big_len);
    len += big_len;
    memcpy(big + len, "\"}", 2);
    run_bytes(big, len + 2, &r, &d);
    CHECK_INT(r.n_ent, 1);
    CHECK(r.n_ent == 1 && strlen(r.ent[0]) > big_len);
    rec_free(&r);

    /* A 10 MB domain in a pattern: parsed, then refused by the normaliser. */
    len = (size_t)snprintf(big, 400,
                           "{\"type\": \"indicator\", \"id\": \"indicator--x\", "
                           "\"pattern\": \"[domain-name:value = '");
    memset(big + len, 'a', big_len);
    len += big_len;
    memcpy(big + len, ".example']\"}", 12);
    run_bytes(big, len + 12, &r, &d);
    CHECK_INT(r.n_ind, 0);
    CHECK_INT(r.n_rej, 1);
    CHECK(r.n_rej == 1 && strstr(r.rej[0], " reason=value too long") != NULL);
    rec_free(&r);

    /* A 10 MB pattern kept whole. */
    len = (size_t)snprintf(big, 400,
                           "{\"type\": \"indicator\", \"id\": \"indicator--x\", "
                           "\"pattern\": \"[url:value LIKE '");
    memset(big + len, 'b', big_len);
    len += big_len;
    memcpy(big + len, "']\"}", 4);
    run_bytes(big, len + 4, &r, &d);
    CHECK_INT(r.n_ind, 1);
    CHECK(r.n_ind == 1 && strncmp(r.ind[0], "stix-pattern [url:value LIKE 'bbbb", 34) == 0 &&
          strlen(r.ind[0]) > big_len);
    rec_free(&r);
    free(big);
}

/* ---- the sink decides: stopping, missing callbacks -------------------------------------- */

static int n_seen;

static enum ruru_err stop_second(void *ctx, const struct ruru_intel_indicator *x)
{
    (void)ctx;
    (void)x;
    return ++n_seen >= 2 ? RURU_ESTOPPED : RURU_OK;
}

static void test_sink(void)
{
    struct ruru_intel_sink sink;
    struct ruru_import_ctx ctx;
    struct ruru_diag d;
    size_t len = 0;
    char *data = slurp(RURU_OWN_DATA "/stix/apt40.json", &len);

    CHECK(data != NULL);
    memset(&sink, 0, sizeof(sink));
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "apt40.json";
    ctx.sink = &sink;
    /* No callbacks at all: everything is dropped quietly. */
    CHECK_INT(ruru_stix_import(data ? data : "", len, &ctx, &d), RURU_OK);
    /* A callback that stops the import: its error comes back, nothing after it is read. */
    sink.indicator = stop_second;
    n_seen = 0;
    CHECK_INT(ruru_stix_import(data ? data : "", len, &ctx, &d), RURU_ESTOPPED);
    CHECK_INT(n_seen, 2);
    free(data);
}

/* ---- allocation failures ---------------------------------------------------------------- */

static enum ruru_err count_ind(void *ctx, const struct ruru_intel_indicator *x)
{
    (void)x;
    (*(size_t *)ctx)++;
    return RURU_OK;
}

static void test_oom(void)
{
    static const char *const files[] = {"or-split.json", "kept-whole.json", "apt40.json"};

    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        struct ruru_intel_sink sink;
        struct ruru_import_ctx ctx;
        struct ruru_diag d;
        char path[512];
        size_t len = 0, n_ok = 0, n = 0;
        uint64_t before, allocs;
        char *data;
        bool clean = true;

        snprintf(path, sizeof(path), "%s/stix/%s", RURU_OWN_DATA, files[f]);
        data = slurp(path, &len);
        CHECK(data != NULL);
        if (data == NULL)
            continue;
        memset(&sink, 0, sizeof(sink));
        memset(&ctx, 0, sizeof(ctx));
        sink.ctx = &n;
        sink.indicator = count_ind;
        ctx.path = files[f];
        ctx.sink = &sink;
        before = ruru_alloc_count();
        CHECK_INT(ruru_stix_import(data, len, &ctx, &d), RURU_OK);
        allocs = ruru_alloc_count() - before;
        n_ok = n;
        CHECK(allocs > 0);
        for (uint64_t i = 1; i <= allocs; i++) {
            enum ruru_err err;
            ruru_alloc_fail_at(i);
            err = ruru_stix_import(data, len, &ctx, &d);
            ruru_alloc_fail_at(0);
            if (err != RURU_OK && err != RURU_ENOMEM)
                clean = false;
        }
        CHECK(clean);
        n = 0;
        CHECK_INT(ruru_stix_import(data, len, &ctx, &d), RURU_OK);
        CHECK_INT(n, n_ok);
        free(data);
    }
}

/* ---- the patterning parser -------------------------------------------------------------- */

/* Splits `pattern`; `want` lists the values as "type:value|type:value" ("" for none) or is
 * NULL when the pattern must not parse. */
static void expect_split(const char *pattern, const char *want)
{
    struct ruru_stix_value v[RURU_STIX_MAX_VALUES];
    struct ruru_buf b, got;
    size_t n = 99, pos = 0;
    const char *err = NULL;
    enum ruru_err rc;

    ruru_buf_init(&b, 1 << 20);
    ruru_buf_init(&got, 1 << 20);
    rc = ruru_stix_split(pattern, strlen(pattern), v, &n, &b, &err, &pos);
    for (size_t i = 0; rc == RURU_OK && i < n; i++)
        ruru_buf_addf(&got, "%s%s:%s", i ? "|" : "", ruru_ioc_type_name(v[i].type),
                      b.ptr + v[i].off);
    if (want == NULL ? rc == RURU_EPARSE && err != NULL && pos <= strlen(pattern) && n == 0
                     : rc == RURU_OK && strcmp(ruru_buf_str(&got), want) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "split(%s): rc=%d values=\"%s\" err=%s@%zu, want %s\n", pattern, (int)rc,
                ruru_buf_str(&got), err ? err : "-", pos, want ? want : "a parse error");
    }
    ruru_buf_fini(&b);
    ruru_buf_fini(&got);
}

static void test_patterns(void)
{
    char deep[400], ok_depth[400];
    struct ruru_stix_value v[RURU_STIX_MAX_VALUES];
    struct ruru_buf b, many;
    size_t n = 0, pos = 0;
    const char *err = NULL;

    /* Simple patterns and their values, unescaped. */
    expect_split("[ipv4-addr:value = '1.2.3.4']", "cidr4:1.2.3.4");
    expect_split("[ipv6-addr:value = '::1']", "cidr6:::1");
    expect_split("([ipv4-addr:value = '1.2.3.4']) OR [domain-name:value = 'x.example']",
                 "cidr4:1.2.3.4|domain:x.example");
    expect_split("[domain-name:value = 'it\\'s.example']", "domain:it's.example");
    expect_split("[directory:path = 'C:\\\\Temp']", "filepath:C:\\Temp");
    expect_split("[network-traffic:src_ref.value = '1.2.3.4']", "none:1.2.3.4");
    expect_split("[autonomous-system:number = +64496]", "asn:64496");
    expect_split("[file:hashes.'SHA-256' = 'ab' OR file:hashes.sha256 = 'cd']",
                 "sha256:ab|sha256:cd");
    expect_split("[File:Hashes.'sha-1' = 'ab']", "sha1:ab");
    expect_split("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", "cidr4:10.0.0.0/8");
    expect_split("[ipv4-addr:value == '1.2.3.4'] /* a comment */ // and another", "cidr4:1.2.3.4");
    expect_split("[ipv4-addr:value\xc2\xa0=\xe3\x80\x80'1.2.3.4']", "cidr4:1.2.3.4");
    expect_split("[url:value = '']", "url:");
    /* Grammatical but not simple: kept whole. */
    expect_split("[ipv4-addr:value != '1.2.3.4']", "");
    expect_split("[ipv4-addr:value <> '1.2.3.4']", "");
    expect_split("[ipv4-addr:value NOT = '1.2.3.4']", "");
    expect_split("[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", "");
    expect_split("[domain-name:value ISSUPERSET 'a']", "");
    expect_split("[domain-name:value IN ('a.example', 'b.example')]", "");
    expect_split("[domain-name:value IN ()]", "");
    expect_split("[test:int IN (-4, 5, 6.6)]", "");
    expect_split("[domain-name:value MATCHES '^a']", "");
    expect_split("[file:name = 'a'] REPEATS 5 TIMES", "");
    expect_split("[file:name = 'a'] WITHIN .5 SECONDS", "");
    expect_split("[file:name = 'a'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.5Z'",
                 "");
    expect_split("[file:name = 'a'] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z'", "");
    expect_split("[a:b = 1] FOLLOWEDBY [a:b = 2] OR [a:b = 3] AND [a:b = 4]", "");
    expect_split("[x-custom:value = 'a']", "");
    expect_split("[EXISTS file:name]", "");
    expect_split("[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]", "");
    expect_split("[a:b[-1] = 'x']", "");
    expect_split("[some-type:'has-hyphen.dot' = 3]", "");
    expect_split("[domain-name:'val.ue' = 'x.example']", "");
    expect_split("[file:hashes.MD5 = h'AAbb']", "");
    expect_split("[artifact:payload_bin = b'AQIDBA==']", "");
    expect_split("[a:b = true] OR [a:b = false]", "");
    expect_split("[event:ts = t'2016-02-29T00:00:60Z']", "");
    expect_split("[domain-name:value = 'a.example' AND domain-name:value = 'b.example']", "");
    expect_split("[autonomous-system:number = -1]", "");
    /* Not STIX patterns. */
    expect_split("", NULL);
    expect_split("   ", NULL);
    expect_split("[", NULL);
    expect_split("[]", NULL);
    expect_split("[ipv4-addr:value = ]", NULL);
    expect_split("[ipv4-addr:value = '1'", NULL);
    expect_split("[a:b = 'x'] extra", NULL);
    expect_split("[a:b = 'unterminated]", NULL);
    expect_split("[a:b = 'bad \\n escape']", NULL);
    expect_split("[a:b = null]", NULL);
    expect_split("[a:b LIKE 5]", NULL);
    expect_split("[a:b > true]", NULL);
    expect_split("[a:b IN (1, true)]", NULL);
    expect_split("[a:b IN ('a' 'b')]", NULL);
    expect_split("[a:b = 007]", NULL);
    expect_split("[a:b = -]", NULL);
    expect_split("[a:b = h'abc']", NULL);
    expect_split("[a:b = b'']", NULL);
    expect_split("[a:b = b'AQI=A===']", NULL);
    expect_split("[a:b = t'2016-02-30T00:00:00Z']", NULL);
    expect_split("[a:b = t'2015-02-29T00:00:00Z']", NULL);
    expect_split("[a:b = t'2016-01-01T24:00:00Z']", NULL);
    expect_split("[a:b = t'2016-01-01 00:00:00Z']", NULL);
    expect_split("[a:b = 'x'] WITHIN -5 SECONDS", NULL);
    expect_split("[a:b = 'x'] WITHIN 5 second", NULL);
    expect_split("[a:b = 'x'] REPEATS 1.5 TIMES", NULL);
    expect_split("[a:b = 'x'] START 'yesterday' STOP 'today'", NULL);
    expect_split("[a:b = 'x'] START t'2016-01-01T00:00:00Z'", NULL);
    expect_split("[a:b = 'x'] and [a:b = 'y']", NULL);
    expect_split("[a:b = 'x'] /* unterminated", NULL);
    expect_split("[a: = 'x']", NULL);
    expect_split("[:b = 'x']", NULL);
    expect_split("[a:b. = 'x']", NULL);
    expect_split("[a:b[x] = 'x']", NULL);
    expect_split("[AND:b = 'x']", NULL);
    expect_split("[a:b = 'x' OR]", NULL);
    expect_split("([a:b = 'x']", NULL);
    expect_split("[a:b ! 'x']", NULL);
    expect_split("[a:b = 'x'] \x01", NULL);
    /* Nesting: 60 levels parse, 199 are refused without recursing that deep. */
    memset(ok_depth, 0, sizeof(ok_depth));
    memset(ok_depth, '(', 60);
    memcpy(ok_depth + 60, "[a:b = 'x']", 11);
    memset(ok_depth + 71, ')', 60);
    expect_split(ok_depth, "");
    memset(deep, 0, sizeof(deep));
    memset(deep, '(', 199);
    expect_split(deep, NULL);
    /* More than RURU_STIX_MAX_VALUES alternatives: kept whole. */
    ruru_buf_init(&b, 1 << 20);
    ruru_buf_init(&many, 1 << 20);
    ruru_buf_adds(&many, "[");
    for (int i = 0; i <= RURU_STIX_MAX_VALUES; i++)
        ruru_buf_addf(&many, "%sdomain-name:value = 'd%d.example'", i ? " OR " : "", i);
    ruru_buf_adds(&many, "]");
    CHECK_INT(ruru_stix_split(many.ptr, many.len, v, &n, &b, &err, &pos), RURU_OK);
    CHECK_INT(n, 0);
    /* Chains of operators are trees as deep as they are long, object paths are copied step by
     * step: 1,000 operators and 64 steps are taken, one more is refused with its reason
     * (50,000 ORs crashed every later sweep, a path of 5,000 steps ran it out of memory). */
    for (int ops = 1000; ops <= 1001; ops++) {
        for (int kind = 0; kind < 3; kind++) {
            static const char *const join[] = {" AND ", " OR ", " FOLLOWEDBY "};
            ruru_buf_reset(&many);
            ruru_buf_adds(&many, kind == 0 ? "[" : "");
            for (int i = 0; i <= ops; i++)
                ruru_buf_addf(&many, "%s%sdomain-name:value = 'd%d.example'%s", i ? join[kind] : "",
                              kind == 0 ? "" : "[", i, kind == 0 ? "" : "]");
            ruru_buf_adds(&many, kind == 0 ? "]" : "");
            CHECK_INT(ruru_stix_split(many.ptr, many.len, v, &n, &b, &err, &pos),
                      ops == 1000 ? RURU_OK : RURU_EPARSE);
            if (ops == 1001)
                CHECK_STR(err, RURU_STIX_ERR_TOO_MANY_OPS);
        }
    }
    for (int steps = 64; steps <= 65; steps++) {
        ruru_buf_reset(&many);
        ruru_buf_adds(&many, "[file:x");
        for (int i = 1; i < steps; i++)
            ruru_buf_adds(&many, i % 2 ? "[*]" : ".y");
        ruru_buf_adds(&many, " = 'a']");
        CHECK_INT(ruru_stix_split(many.ptr, many.len, v, &n, &b, &err, &pos),
                  steps == 64 ? RURU_OK : RURU_EPARSE);
        if (steps == 65)
            CHECK_STR(err, RURU_STIX_ERR_PATH_TOO_LONG);
    }
    /* The error position points at the offending token. */
    CHECK_INT(ruru_stix_split("[a:b = 'x'] FOO", 15, v, &n, &b, &err, &pos), RURU_EPARSE);
    CHECK_INT(pos, 12);
    CHECK_STR(err, "unexpected text after the pattern");
    CHECK_INT(ruru_stix_split("[file:name = 'a.exe'", 20, v, &n, &b, &err, &pos), RURU_EPARSE);
    CHECK_INT(pos, 20);
    CHECK_STR(err, "expected ']'");
    /* A values buffer that cannot grow is an allocation failure, not a parse error. */
    ruru_buf_fini(&b);
    ruru_buf_init(&b, 4);
    CHECK_INT(ruru_stix_split("[url:value = 'http://a.example/']", 33, v, &n, &b, &err, &pos),
              RURU_ENOMEM);
    ruru_buf_fini(&b);
    ruru_buf_fini(&many);
}

/* The OASIS pattern-matcher vectors: every pattern the matcher runs parses; every one its
 * parser refuses (test_*_error_parse, null literals, mixed sets) is refused here too. The
 * other "invalid" vectors fail at match time, on the observed data (bad timestamps in the
 * JSON, a string compared with a timestamp), and say nothing about the grammar. */
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
    json_error_t jerr;
    json_t *root = json_load_file(shared_path("stix/pattern-vectors.json"), 0, &jerr), *vec;
    size_t i, n_parse = 0, n_refuse = 0, bad = 0, n_validator = 0;

    CHECK(root != NULL);
    json_array_foreach(json_object_get(root, "vectors"), i, vec)
    {
        const char *p = json_string_value(json_object_get(vec, "pattern"));
        const char *expect = json_string_value(json_object_get(vec, "expect"));
        const char *test = json_string_value(json_object_get(vec, "test"));
        struct ruru_stix_value v[RURU_STIX_MAX_VALUES];
        struct ruru_buf b;
        size_t n = 0, pos = 0;
        const char *err = NULL;
        enum ruru_err rc;
        int want; /* 1 parses, 0 refused, -1 no say */

        if (p == NULL || expect == NULL || test == NULL)
            continue;
        if (strcmp(expect, "match") == 0 || strcmp(expect, "nomatch") == 0)
            want = 1;
        else if (strstr(test, "error_parse") != NULL || strstr(test, "test_null") != NULL ||
                 strstr(test, "set_err") != NULL)
            want = 0;
        else
            want = -1;
        ruru_buf_init(&b, strlen(p) + RURU_STIX_MAX_VALUES + 64);
        rc = ruru_stix_split(p, strlen(p), v, &n, &b, &err, &pos);
        ruru_buf_fini(&b);
        if (want == 1)
            n_parse++;
        if (want == 0)
            n_refuse++;
        if (want == 1 && validator_refuses(p) != NULL) {
            n_validator++;
            if (rc != RURU_EPARSE || strcmp(err, validator_refuses(p)) != 0) {
                bad++;
                fprintf(stderr, "vector %s: %s not refused as the validator does\n", test, p);
            }
        } else if ((want == 1 && rc != RURU_OK) || (want == 0 && rc != RURU_EPARSE)) {
            bad++;
            fprintf(stderr, "vector %s: %s -> rc=%d (%s)\n", test, p, (int)rc, err ? err : "-");
        }
    }
    json_decref(root);
    CHECK(n_parse >= 250);
    CHECK(n_refuse >= 15);
    CHECK_INT(n_validator, 5);
    CHECK_INT(bad, 0);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_vectors();
        return check_done();
    }
    test_paths();
    test_or_split();
    test_kept_whole();
    test_tlp();
    test_apt40();
    test_entities();
    test_all_objects();
    test_shapes();
    test_hostile();
    test_sink();
    test_oom();
    test_patterns();
    return check_done();
}
