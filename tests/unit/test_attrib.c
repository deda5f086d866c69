/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attribution (cases/attrib.h): the honesty the model owes — an actor-exclusive web-shell hash
 * makes that actor likely or better; one shared VPS address never gives more than roughly even
 * chance; warninglisted values and evidence tied to nobody leave the incident unattributed;
 * mixed evidence shows both hypotheses — and the parts of the model: dependence within a
 * report, exclusivity, decay, techniques, the ICD 203 bands and the analytic confidence.
 */
#include <math.h>
#include <stdlib.h>

#include "cases/attrib.h"
#include "check.h"

#define DAY 86400
#define T0  1720742400 /* 2024-07-12 */

static const char *const APT40[] = {"APT40"};
static const char *const APT41[] = {"APT41"};
static const char *const BOTH[] = {"APT40", "APT41"};
static const char *const FIVE[] = {"APT40", "APT41", "APT10", "Lazarus", "Turla"};

static struct ruru_evidence piece(const char *key,
                                  enum ruru_ev_kind kind,
                                  int confidence,
                                  const char *source,
                                  const char *const *actors,
                                  size_t n_actors)
{
    struct ruru_evidence e;

    memset(&e, 0, sizeof(e));
    e.key = key;
    e.label = key;
    e.kind = kind;
    e.confidence = confidence;
    e.seen = T0;
    e.since = T0 - DAY;
    e.source = source;
    e.actors = actors;
    e.n_actors = n_actors;
    e.sightings = 1;
    return e;
}

/* The probability of `actor` (NULL: another actor) in j. */
static double p_of(const struct ruru_judgement *j, const char *actor)
{
    for (size_t k = 0; k < j->n_h; k++)
        if ((actor == NULL && j->h[k].actor == NULL) ||
            (actor != NULL && j->h[k].actor != NULL && strcmp(j->h[k].actor, actor) == 0))
            return j->h[k].p;
    return -1;
}

/* The column of `actor` in the table. */
static size_t col_of(const struct ruru_judgement *j, const char *actor)
{
    for (size_t k = 0; k < j->n_h; k++)
        if (j->h[k].actor != NULL && strcmp(j->h[k].actor, actor) == 0)
            return k;
    return 0;
}

static double
judge(const struct ruru_evidence *ev, size_t n, const char *actor, struct ruru_judgement *j)
{
    struct ruru_attrib_config c;

    ruru_attrib_defaults(&c);
    CHECK_INT(ruru_attribute(&c, ev, n, NULL, 0, j), RURU_OK);
    return p_of(j, actor);
}

static void check_sums(const struct ruru_judgement *j)
{
    double sum = 0;

    for (size_t k = 0; k < j->n_h; k++) {
        sum += j->h[k].p;
        if (k > 0)
            CHECK(j->h[k - 1].p >= j->h[k].p); /* most probable first */
    }
    CHECK(fabs(sum - 1) < 1e-9);
}

static void test_honesty(void)
{
    struct ruru_judgement j;
    struct ruru_evidence ev[2];
    double p;

    /* an actor-exclusive web-shell hash: that actor, likely or better */
    ev[0] = piece("sha256 2b8e", RURU_EV_HASH, 85, "advisory", APT40, 1);
    p = judge(ev, 1, "APT40", &j);
    CHECK(p >= 0.55);
    CHECK_STR(j.verdict, "APT40");
    CHECK_STR(j.h[0].words, "very likely");
    CHECK_INT(j.cell[0], RURU_ACH_CONSISTENT);
    check_sums(&j);
    ruru_judgement_fini(&j);

    /* one shared VPS address, at full confidence: never more than roughly even chance */
    ev[0] = piece("ipv4 203.0.113.45", RURU_EV_IP, 100, "feed", BOTH, 2);
    p = judge(ev, 1, "APT40", &j);
    CHECK(p <= 0.55);
    CHECK(j.verdict == NULL);
    CHECK(strncmp(j.why, "unattributed: no actor is likely", 32) == 0);
    CHECK_INT(j.confidence, RURU_CONF_LOW);
    ruru_judgement_fini(&j);
    /* nor an address of one actor alone */
    ev[0] = piece("ipv4 203.0.113.45", RURU_EV_IP, 100, "feed", APT40, 1);
    CHECK(judge(ev, 1, "APT40", &j) <= 0.55);
    CHECK(j.verdict == NULL);
    ruru_judgement_fini(&j);

    /* warninglisted values only: unattributed, every cell neutral */
    ev[0] = piece("domain login.microsoftonline.com", RURU_EV_DOMAIN, 90, "feed", APT40, 1);
    ev[0].warninglisted = true;
    p = judge(ev, 1, "APT40", &j);
    CHECK(j.verdict == NULL);
    CHECK(p < 0.2);
    CHECK(p_of(&j, NULL) > 0.8);
    for (size_t k = 0; k < j.n_h; k++)
        CHECK_INT(j.cell[k], RURU_ACH_NEUTRAL);
    ruru_judgement_fini(&j);

    /* evidence tied to no actor: unattributed, stated as such */
    ev[0] = piece("rule CVE-2021-26855", RURU_EV_RULE, -1, NULL, NULL, 0);
    judge(ev, 1, NULL, &j);
    CHECK(j.verdict == NULL);
    CHECK_INT(j.n_h, 1);
    CHECK_STR(j.why, "unattributed: no evidence points to an actor (1 piece)");
    ruru_judgement_fini(&j);

    /* mixed: a hash for one, a domain for another; both visible, each against the other */
    ev[0] = piece("sha256 2b8e", RURU_EV_HASH, 85, "advisory", APT40, 1);
    ev[1] = piece("domain update.example", RURU_EV_DOMAIN, 85, "vendor report", APT41, 1);
    judge(ev, 2, NULL, &j);
    CHECK_INT(j.n_h, 3);
    CHECK_STR(j.h[0].actor, "APT40");
    CHECK_STR(j.h[1].actor, "APT41");
    CHECK(j.h[1].p > 0.05);
    CHECK_INT(j.cell[0 * 3 + 0], RURU_ACH_CONSISTENT);   /* the hash, for APT40 */
    CHECK_INT(j.cell[0 * 3 + 1], RURU_ACH_INCONSISTENT); /* the hash, for APT41 */
    CHECK_INT(j.cell[1 * 3 + 1], RURU_ACH_CONSISTENT);   /* the domain, for APT41 */
    CHECK_INT(j.cell[1 * 3 + 2], RURU_ACH_INCONSISTENT); /* the domain, for another actor */
    check_sums(&j);
    ruru_judgement_fini(&j);
}

static void test_parts(void)
{
    struct ruru_judgement j;
    struct ruru_evidence ev[5];
    static const char *const sources[] = {"r1", "r2", "r3", "r4", "r5"};
    double one_report, five_reports, fresh, old, alone, shared, with_t, without_t;
    struct ruru_attrib_config c;
    static const char *const t1190[] = {"T1190", "T1505.003"};
    static const char *const known[] = {"T1190", "T1505.003", "T1059"};
    struct ruru_actor_profile prof = {"APT40", known, 3};

    /* five domains of one report count less than five from five reports */
    for (int i = 0; i < 5; i++)
        ev[i] = piece(sources[i], RURU_EV_DOMAIN, 60, "one report", APT40, 1);
    one_report = judge(ev, 5, "APT40", &j);
    CHECK_INT(j.n_groups, 1);
    ruru_judgement_fini(&j);
    for (int i = 0; i < 5; i++)
        ev[i].source = sources[i];
    five_reports = judge(ev, 5, "APT40", &j);
    CHECK_INT(j.n_groups, 5);
    ruru_judgement_fini(&j);
    CHECK(one_report < five_reports);
    CHECK(one_report > 0.1);
    /* ... and one infrastructure cluster is one group too */
    for (int i = 0; i < 5; i++)
        ev[i].cluster = "203.0.113.0/24";
    judge(ev, 5, "APT40", &j);
    CHECK_INT(j.n_groups, 1);
    ruru_judgement_fini(&j);

    /* one address named by three reports is one observation, not three */
    for (int i = 0; i < 3; i++) {
        ev[i] = piece("ipv4 203.0.113.45", RURU_EV_IP, 100, sources[i], APT40, 1);
        ev[i].cluster = "203.0.113.0/24";
    }
    alone = judge(ev, 1, "APT40", &j);
    ruru_judgement_fini(&j);
    shared = judge(ev, 3, "APT40", &j);
    CHECK_INT(j.n_groups, 1);
    CHECK(j.verdict == NULL);
    ruru_judgement_fini(&j);
    CHECK(shared > alone && shared < 0.45);
    /* ... and does not join the reports it is in: a hash of one and a domain of another stay
     * two groups (the third report, which only repeats the address, is none) */
    ev[3] = piece("sha256 2b8e", RURU_EV_HASH, 85, sources[0], APT40, 1);
    ev[4] = piece("domain a.example", RURU_EV_DOMAIN, 80, sources[1], APT40, 1);
    judge(ev, 5, "APT40", &j);
    CHECK_INT(j.n_groups, 2);
    ruru_judgement_fini(&j);

    /* an address two years after the intel saw it says less than a fresh one */
    ev[0] = piece("ipv4 203.0.113.45", RURU_EV_IP, 100, "feed", APT40, 1);
    fresh = judge(ev, 1, "APT40", &j);
    ruru_judgement_fini(&j);
    ev[0].since = T0 - 730 * DAY;
    old = judge(ev, 1, "APT40", &j);
    ruru_judgement_fini(&j);
    CHECK(old < fresh);
    CHECK(fabs(old - 0.1 / 1.1) < 0.01); /* nearly the prior: 8 half-lives */
    /* a hash does not decay */
    ev[0] = piece("sha256 2b8e", RURU_EV_HASH, 85, "advisory", APT40, 1);
    fresh = judge(ev, 1, "APT40", &j);
    ruru_judgement_fini(&j);
    ev[0].since = T0 - 730 * DAY;
    CHECK(fabs(judge(ev, 1, "APT40", &j) - fresh) < 1e-12);
    ruru_judgement_fini(&j);

    /* a hash tied to five actors says less of each than one tied to one */
    ev[0] = piece("sha256 2b8e", RURU_EV_HASH, 85, "advisory", APT40, 1);
    alone = judge(ev, 1, "APT40", &j);
    ruru_judgement_fini(&j);
    ev[0].actors = FIVE;
    ev[0].n_actors = 5;
    shared = judge(ev, 1, "APT40", &j);
    CHECK_INT(j.n_h, 6);
    CHECK(j.verdict == NULL);
    ruru_judgement_fini(&j);
    CHECK(shared < alone / 2);

    /* confidence 0 is no evidence; the default when a source says none */
    ev[0] = piece("domain x.example", RURU_EV_DOMAIN, 0, "feed", APT40, 1);
    CHECK(fabs(judge(ev, 1, "APT40", &j) - 0.1 / 1.1) < 1e-9);
    ruru_judgement_fini(&j);

    /* techniques the actor is known to use: a weak push, capped */
    ruru_attrib_defaults(&c);
    ev[0] = piece("ipv4 203.0.113.45", RURU_EV_IP, 100, "feed", APT40, 1);
    ev[1] = piece("rule webshell", RURU_EV_RULE, -1, NULL, NULL, 0);
    ev[1].techniques = t1190;
    ev[1].n_techniques = 2;
    CHECK_INT(ruru_attribute(&c, ev, 2, NULL, 0, &j), RURU_OK);
    without_t = p_of(&j, "APT40");
    ruru_judgement_fini(&j);
    CHECK_INT(ruru_attribute(&c, ev, 2, &prof, 1, &j), RURU_OK);
    with_t = p_of(&j, "APT40");
    CHECK_INT(j.cell[1 * j.n_h + col_of(&j, "APT40")], RURU_ACH_CONSISTENT);
    CHECK_STR(j.h[0].actor, NULL); /* another actor leads */
    CHECK(j.verdict == NULL);      /* an address and two techniques: still not likely */
    ruru_judgement_fini(&j);
    CHECK(with_t > without_t);
    c.technique_weight = 10; /* the cap holds */
    CHECK_INT(ruru_attribute(&c, ev, 2, &prof, 1, &j), RURU_OK);
    CHECK(p_of(&j, "APT40") <= 0.1 * 4 * 2 / (1 + 0.1 * 4 * 2) + 1e-9);
    ruru_judgement_fini(&j);

    /* analytic confidence: three independent groups of two kinds, and a clear lead */
    ev[0] = piece("sha256 2b8e", RURU_EV_HASH, 85, "advisory", APT40, 1);
    ev[1] = piece("domain a.example", RURU_EV_DOMAIN, 80, "vendor", APT40, 1);
    ev[2] = piece("url http://a.example/x", RURU_EV_URL, 80, "partner", APT40, 1);
    judge(ev, 3, "APT40", &j);
    CHECK_STR(j.verdict, "APT40");
    CHECK_INT(j.n_groups, 3);
    CHECK_INT(j.confidence, RURU_CONF_HIGH);
    CHECK_STR(j.h[0].words, "almost certain");
    ruru_judgement_fini(&j);
    judge(ev, 1, "APT40", &j);
    CHECK_INT(j.confidence, RURU_CONF_MODERATE); /* one strong piece */
    ruru_judgement_fini(&j);
}

static void test_provenance(void)
{
    struct ruru_judgement j;
    struct ruru_evidence ev[3];
    static const char *const keys[] = {"domain a.example", "domain b.example", "domain c.example"};
    static const char *const reports[] = {"CISA AA21-200A", "NCSC UK", "ASD ACSC"};
    double w = pow(20, 0.8); /* a domain at confidence 80, fresh */

    /* three domains of one CSV, whose rows say nothing of where they come from: one report,
     * the strongest in full and the others at `dependence` (0.25): 0.1 × W^1.5 = 3.64, 78 % */
    for (int i = 0; i < 3; i++) {
        ev[i] = piece(keys[i], RURU_EV_DOMAIN, 80, "intel/advisories.csv", APT40, 1);
        ev[i].since = INT64_MIN;
    }
    CHECK(fabs(judge(ev, 3, "APT40", &j) - 0.1 * pow(w, 1.5) / (1 + 0.1 * pow(w, 1.5))) < 1e-9);
    CHECK(fabs(p_of(&j, "APT40") - 0.7845) < 1e-4);
    CHECK_INT(j.n_groups, 1);
    CHECK_INT(j.confidence, RURU_CONF_LOW);
    ruru_judgement_fini(&j);
    /* the same rows from three advisories (a report column): three reports, three groups:
     * 0.1 × W^3 = 132.6, 99 % */
    for (int i = 0; i < 3; i++)
        ev[i].provenance = reports[i];
    CHECK(fabs(judge(ev, 3, "APT40", &j) - 0.1 * pow(w, 3) / (1 + 0.1 * pow(w, 3))) < 1e-9);
    CHECK(fabs(p_of(&j, "APT40") - 0.9925) < 1e-4);
    CHECK_INT(j.n_groups, 3);
    CHECK(j.group[0] != j.group[1] && j.group[1] != j.group[2] && j.group[0] != j.group[2]);
    CHECK_STR(j.verdict, "APT40");
    ruru_judgement_fini(&j);
    /* two rows of one advisory and one of another: two groups, 0.1 × W^1.25 × W, 95 % */
    ev[1].provenance = reports[0];
    CHECK(fabs(judge(ev, 3, "APT40", &j) - 0.1 * pow(w, 2.25) / (1 + 0.1 * pow(w, 2.25))) < 1e-9);
    CHECK_INT(j.n_groups, 2);
    CHECK_INT(j.group[0], j.group[1]);
    ruru_judgement_fini(&j);
    /* a row that names no provenance is the file's own report, apart from those that do */
    ev[1].provenance = NULL;
    judge(ev, 3, "APT40", &j);
    CHECK_INT(j.n_groups, 3);
    ruru_judgement_fini(&j);
    /* one provenance in two files is two reports: a provenance splits a file, never joins
     * two (a MISP feed's events, a file each, all carry the feed's organisation) */
    for (int i = 0; i < 3; i++)
        ev[i].provenance = "CIRCL";
    ev[1].source = "feed/event-2.json";
    judge(ev, 3, "APT40", &j);
    CHECK_INT(j.n_groups, 2);
    CHECK_INT(j.group[0], j.group[2]);
    ruru_judgement_fini(&j);
}

static void test_words(void)
{
    static const struct {
        double p;
        const char *words;
    } bands[] = {{0.0, "almost no chance"},
                 {0.049, "almost no chance"},
                 {0.05, "very unlikely"},
                 {0.19, "very unlikely"},
                 {0.2, "unlikely"},
                 {0.449, "unlikely"},
                 {0.45, "roughly even chance"},
                 {0.55, "roughly even chance"},
                 {0.551, "likely"},
                 {0.79, "likely"},
                 {0.8, "very likely"},
                 {0.949, "very likely"},
                 {0.95, "almost certain"},
                 {1.0, "almost certain"}};

    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
        CHECK_STR(ruru_icd203_words(bands[i].p), bands[i].words);
    CHECK_STR(ruru_ev_kind_name(ruru_ev_kind_of("sha256")), "hash");
    CHECK_STR(ruru_ev_kind_name(ruru_ev_kind_of("cidr4")), "cidr");
    CHECK_STR(ruru_ev_kind_name(ruru_ev_kind_of("uri-path")), "file-name");
    CHECK_STR(ruru_confidence_name(RURU_CONF_MODERATE), "moderate");
}

int main(void)
{
    test_honesty();
    test_parts();
    test_provenance();
    test_words();
    return check_done();
}
