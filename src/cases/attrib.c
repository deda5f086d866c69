/* SPDX-License-Identifier: Apache-2.0 */
/* Attribution of one incident (attrib.h, docs/attribution.md). */
#include "cases/attrib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

/* The probability's floor and ceiling in words and logs: no judgement is "certain". */
#define MAX_LOG_ODDS 700.0

static const char *const KIND_NAMES[RURU_EV__COUNT] = {
        "hash",       "url",    "domain", "email", "file-name", "pattern",
        "user-agent", "string", "ip",     "cidr",  "rule",      "host-artefact"};

const char *ruru_ev_kind_name(enum ruru_ev_kind k)
{
    return k < RURU_EV__COUNT ? KIND_NAMES[k] : "?";
}

enum ruru_ev_kind ruru_ev_kind_of(const char *t)
{
    static const struct {
        const char *type;
        enum ruru_ev_kind kind;
    } map[] = {{"md5", RURU_EV_HASH},
               {"sha1", RURU_EV_HASH},
               {"sha256", RURU_EV_HASH},
               {"sha512", RURU_EV_HASH},
               {"ssdeep", RURU_EV_HASH},
               {"url", RURU_EV_URL},
               {"domain", RURU_EV_DOMAIN},
               {"hostname", RURU_EV_DOMAIN},
               {"email", RURU_EV_EMAIL},
               {"filename", RURU_EV_FILENAME},
               {"file-name", RURU_EV_FILENAME},
               {"uri-path", RURU_EV_FILENAME},
               {"stix-pattern", RURU_EV_PATTERN},
               {"user-agent", RURU_EV_UA},
               {"string", RURU_EV_STRING},
               {"ipv4", RURU_EV_IP},
               {"ipv6", RURU_EV_IP},
               {"cidr4", RURU_EV_CIDR},
               {"cidr6", RURU_EV_CIDR},
               {"rule", RURU_EV_RULE},
               {"regkey", RURU_EV_HOST},
               {"mutex", RURU_EV_HOST},
               {"pipe", RURU_EV_HOST},
               {"mac", RURU_EV_HOST}};

    for (size_t i = 0; t != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].type, t) == 0)
            return map[i].kind;
    return RURU_EV_STRING;
}

void ruru_attrib_defaults(struct ruru_attrib_config *c)
{
    static const double W[RURU_EV__COUNT] = {
            [RURU_EV_HASH] = 100, [RURU_EV_URL] = 30,     [RURU_EV_DOMAIN] = 20,
            [RURU_EV_EMAIL] = 20, [RURU_EV_FILENAME] = 5, [RURU_EV_PATTERN] = 20,
            [RURU_EV_UA] = 3,     [RURU_EV_STRING] = 3,   [RURU_EV_IP] = 4,
            [RURU_EV_CIDR] = 1.5, [RURU_EV_RULE] = 1,     [RURU_EV_HOST] = 10};
    static const double H[RURU_EV__COUNT] = {
            [RURU_EV_URL] = 365, [RURU_EV_DOMAIN] = 365, [RURU_EV_EMAIL] = 365,
            [RURU_EV_UA] = 365,  [RURU_EV_IP] = 90,      [RURU_EV_CIDR] = 180};

    memset(c, 0, sizeof(*c));
    memcpy(c->weight, W, sizeof(W));
    memcpy(c->half_life_days, H, sizeof(H));
    c->prior_odds = 0.1;
    c->dependence = 0.25;
    c->default_confidence = 50;
    c->technique_weight = 0.25;
    c->technique_cap = 2;
    c->likely = 0.55;
}

const char *ruru_icd203_words(double p)
{
    if (p < 0.05)
        return "almost no chance";
    if (p < 0.20)
        return "very unlikely";
    if (p < 0.45)
        return "unlikely";
    if (p <= 0.55)
        return "roughly even chance";
    if (p < 0.80)
        return "likely";
    if (p < 0.95)
        return "very likely";
    return "almost certain";
}

const char *ruru_confidence_name(enum ruru_confidence c)
{
    return c == RURU_CONF_HIGH ? "high" : c == RURU_CONF_MODERATE ? "moderate" : "low";
}

/* ---- dependence groups: a union-find over the evidence ------------------------------------ */

static int find(int *parent, int i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static void unite(int *parent, int a, int b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a != b)
        parent[a < b ? b : a] = a < b ? a : b;
}

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Equal strings, or both absent. */
static bool same_or_none(const char *a, const char *b)
{
    return a == NULL ? b == NULL : same(a, b);
}

static bool names(const struct ruru_evidence *e, const char *actor)
{
    for (size_t i = 0; i < e->n_actors; i++)
        if (same(e->actors[i], actor))
            return true;
    return false;
}

/* W' = W ^ (reliability × decay): what the piece says of the actors it names together. */
static double strength(const struct ruru_attrib_config *c, const struct ruru_evidence *e)
{
    double conf = e->confidence >= 0 ? e->confidence : c->default_confidence;
    double r = conf < 0 ? 0 : conf > 100 ? 1 : conf / 100.0, d = 1, hl;

    if (e->kind >= RURU_EV__COUNT)
        return 1;
    hl = c->half_life_days[e->kind];
    if (hl > 0 && e->seen != INT64_MIN && e->since != INT64_MIN && e->seen > e->since)
        d = pow(0.5, (double)(e->seen - e->since) / (hl * 86400.0));
    return pow(c->weight[e->kind] > 1 ? c->weight[e->kind] : 1, r * d);
}

static const struct ruru_actor_profile *
profile_of(const struct ruru_actor_profile *p, size_t n, const char *actor)
{
    for (size_t i = 0; actor != NULL && i < n; i++)
        if (same(p[i].name, actor))
            return &p[i];
    return NULL;
}

static bool uses(const struct ruru_actor_profile *p, const char *technique)
{
    for (size_t i = 0; p != NULL && i < p->n_techniques; i++)
        if (same(p->techniques[i], technique))
            return true;
    return false;
}

/* A probability as a reader is shown it, in whole per cent: never 0 or 100 (no judgement is
 * certain), and rounded down, so that 79.96 % reads 79 beside "likely" (55-80 %), not 80. */
static double shown(double p)
{
    double v = floor(p * 100);
    return v < 1 ? 1 : v > 99 ? 99 : v;
}

static int by_p(const void *a, const void *b)
{
    const struct ruru_hypothesis *x = a, *y = b;

    if (x->p != y->p)
        return x->p < y->p ? 1 : -1;
    if ((x->actor == NULL) != (y->actor == NULL))
        return x->actor == NULL ? 1 : -1; /* a named actor before "another" on a tie */
    return x->actor != NULL ? strcmp(x->actor, y->actor) : 0;
}

enum ruru_err ruru_attribute(const struct ruru_attrib_config *c,
                             const struct ruru_evidence *ev,
                             size_t n_ev,
                             const struct ruru_actor_profile *profiles,
                             size_t n_profiles,
                             struct ruru_judgement *out)
{
    const char **actors = NULL;
    size_t n_actors = 0, n_h, n_distinct_tech = 0;
    int *parent = NULL;
    bool *follower = NULL;
    double *logodds = NULL, *glog = NULL, *gmax = NULL, *gsum = NULL;
    const char **tech = NULL;
    enum ruru_err err = RURU_ENOMEM;

    memset(out, 0, sizeof(*out));
    /* the hypotheses: every actor any piece names, and another actor (last, index n_actors) */
    {
        size_t total = 0;
        for (size_t e = 0; e < n_ev; e++)
            total += ev[e].n_actors;
        if ((actors = ruru_calloc(total + 1, sizeof(*actors))) == NULL)
            goto out;
    }
    for (size_t e = 0; e < n_ev; e++)
        for (size_t a = 0; a < ev[e].n_actors; a++) {
            size_t k = 0;
            while (k < n_actors && !same(actors[k], ev[e].actors[a]))
                k++;
            if (k == n_actors && ev[e].actors[a] != NULL)
                actors[n_actors++] = ev[e].actors[a];
        }
    n_h = n_actors + 1;
    out->n_ev = n_ev;
    out->n_h = n_h;
    out->h = ruru_calloc(n_h, sizeof(*out->h));
    out->cell = ruru_calloc(n_ev * n_h + 1, sizeof(*out->cell));
    out->ratio = ruru_calloc(n_ev * n_h + 1, sizeof(*out->ratio));
    out->group = ruru_calloc(n_ev + 1, sizeof(*out->group));
    parent = ruru_calloc(n_ev + 1, sizeof(*parent));
    follower = ruru_calloc(n_ev + 1, sizeof(*follower));
    logodds = ruru_calloc(n_h, sizeof(*logodds));
    glog = ruru_calloc((n_ev + 1) * n_h, sizeof(*glog));
    gmax = ruru_calloc((n_ev + 1) * n_h, sizeof(*gmax));
    gsum = ruru_calloc((n_ev + 1) * n_h, sizeof(*gsum));
    tech = ruru_calloc(1, sizeof(*tech));
    if (out->h == NULL || out->cell == NULL || out->ratio == NULL || out->group == NULL ||
        parent == NULL || follower == NULL || logodds == NULL || glog == NULL || gmax == NULL ||
        gsum == NULL || tech == NULL)
        goto out;

    /* dependence: the pieces of one report are one group; the rules are one group (their
     * techniques). A report is an intel file, split by the provenance its rows give (three
     * advisories listed in one CSV are three reports; a file never joins another through a
     * provenance both name: a MISP feed's events, one file each, all carry the feed's Orgc).
     * A cluster (one address seen by three reports, the addresses of one /24)
     * counts once whatever reports it is in: its strongest piece in full, the others (its
     * followers) at `dependence`. Clusters do not join groups: that would make every report
     * naming one shared address one report. */
    for (size_t e = 0; e < n_ev; e++)
        parent[e] = (int)e;
    for (size_t e = 0; e < n_ev; e++)
        for (size_t f = e + 1; f < n_ev; f++)
            if ((ev[e].kind == RURU_EV_RULE) == (ev[f].kind == RURU_EV_RULE) &&
                (ev[e].kind == RURU_EV_RULE || (same(ev[e].source, ev[f].source) &&
                                                same_or_none(ev[e].provenance, ev[f].provenance))))
                unite(parent, (int)e, (int)f);
    for (size_t e = 0; e < n_ev; e++)
        out->group[e] = find(parent, (int)e);
    for (size_t e = 0; e < n_ev; e++) {
        double se = ev[e].warninglisted ? 1 : strength(c, &ev[e]);
        for (size_t f = 0; f < n_ev && !follower[e]; f++) {
            double sf;
            if (f == e || ev[f].kind == RURU_EV_RULE || !same(ev[e].cluster, ev[f].cluster))
                continue;
            sf = ev[f].warninglisted ? 1 : strength(c, &ev[f]);
            follower[e] = sf > se || (sf == se && f < e);
        }
    }

    /* each piece's ratio and verdict for each hypothesis */
    for (size_t e = 0; e < n_ev; e++) {
        const struct ruru_evidence *x = &ev[e];
        double w = x->warninglisted || x->kind == RURU_EV_RULE ? 1 : strength(c, x);
        for (size_t k = 0; k < n_h; k++) {
            enum ruru_ach *cell = &out->cell[e * n_h + k];
            double *ratio = &out->ratio[e * n_h + k];
            *ratio = 1;
            *cell = RURU_ACH_NEUTRAL;
            if (x->kind == RURU_EV_RULE) {
                const struct ruru_actor_profile *p =
                        k < n_actors ? profile_of(profiles, n_profiles, actors[k]) : NULL;
                size_t shared = 0;
                for (size_t t = 0; t < x->n_techniques; t++)
                    shared += uses(p, x->techniques[t]);
                if (shared > 0) {
                    *cell = RURU_ACH_CONSISTENT;
                    *ratio = 1 + c->technique_weight * (double)shared;
                }
                continue;
            }
            if (x->warninglisted || x->n_actors == 0)
                continue;
            if (k < n_actors && names(x, actors[k])) {
                *cell = RURU_ACH_CONSISTENT;
                *ratio = 1 + (w - 1) / (double)x->n_actors;
            } else {
                *cell = RURU_ACH_INCONSISTENT; /* it points to someone else */
            }
        }
    }

    /* groups: the strongest piece, and a share of the others */
    for (size_t e = 0; e < n_ev; e++) {
        size_t g = (size_t)out->group[e];
        if (ev[e].kind == RURU_EV_RULE)
            continue;
        for (size_t k = 0; k < n_h; k++) {
            double l = log(out->ratio[e * n_h + k]) * (follower[e] ? c->dependence : 1);
            double *mx = &gmax[g * n_h + k], *sm = &gsum[g * n_h + k];
            if (l > *mx) {
                *sm += *mx;
                *mx = l;
            } else {
                *sm += l;
            }
        }
    }
    for (size_t g = 0; g < n_ev; g++)
        for (size_t k = 0; k < n_h; k++)
            glog[g * n_h + k] = gmax[g * n_h + k] + c->dependence * gsum[g * n_h + k];

    /* techniques: the distinct ones the rules showed, against each actor's */
    for (size_t e = 0; e < n_ev; e++)
        for (size_t t = 0; ev[e].kind == RURU_EV_RULE && t < ev[e].n_techniques; t++) {
            size_t i = 0;
            const char **g;
            while (i < n_distinct_tech && !same(tech[i], ev[e].techniques[t]))
                i++;
            if (i < n_distinct_tech)
                continue;
            if ((g = ruru_realloc(tech, (n_distinct_tech + 2) * sizeof(*g))) == NULL)
                goto out;
            tech = g;
            tech[n_distinct_tech++] = ev[e].techniques[t];
        }
    for (size_t k = 0; k < n_actors; k++) {
        const struct ruru_actor_profile *p = profile_of(profiles, n_profiles, actors[k]);
        size_t shared = 0;
        double lr;
        for (size_t i = 0; i < n_distinct_tech; i++)
            shared += uses(p, tech[i]);
        lr = 1 + c->technique_weight * (double)shared;
        if (lr > c->technique_cap)
            lr = c->technique_cap > 1 ? c->technique_cap : 1;
        logodds[k] += log(lr);
    }

    /* posterior odds against another actor, then probabilities */
    {
        double top = 0, z;
        for (size_t k = 0; k < n_actors; k++) {
            logodds[k] += log(c->prior_odds > 0 ? c->prior_odds : 1e-9);
            for (size_t g = 0; g < n_ev; g++)
                if (out->group[g] == (int)g)
                    logodds[k] += glog[g * n_h + k] - glog[g * n_h + n_actors];
            if (logodds[k] > MAX_LOG_ODDS)
                logodds[k] = MAX_LOG_ODDS;
            if (logodds[k] < -MAX_LOG_ODDS)
                logodds[k] = -MAX_LOG_ODDS;
            top = logodds[k] > top ? logodds[k] : top;
        }
        /* "another actor" has log-odds 0; everything shifted by the largest for exp() */
        z = exp(-top);
        for (size_t k = 0; k < n_actors; k++)
            z += exp(logodds[k] - top);
        for (size_t k = 0; k < n_actors; k++) {
            out->h[k].actor = actors[k];
            out->h[k].p = exp(logodds[k] - top) / z;
        }
        out->h[n_actors].actor = NULL;
        out->h[n_actors].p = exp(-top) / z;
    }

    /* the table's columns follow the hypotheses once sorted */
    {
        struct ruru_hypothesis *sorted = ruru_malloc(n_h * sizeof(*sorted));
        enum ruru_ach *cell = ruru_malloc((n_ev * n_h + 1) * sizeof(*cell));
        double *ratio = ruru_malloc((n_ev * n_h + 1) * sizeof(*ratio));
        if (sorted == NULL || cell == NULL || ratio == NULL) {
            ruru_free(sorted);
            ruru_free(cell);
            ruru_free(ratio);
            goto out;
        }
        memcpy(sorted, out->h, n_h * sizeof(*sorted));
        qsort(sorted, n_h, sizeof(*sorted), by_p);
        for (size_t k = 0; k < n_h; k++) {
            size_t from = 0;
            while (from < n_h && out->h[from].actor != sorted[k].actor)
                from++;
            for (size_t e = 0; e < n_ev; e++) {
                cell[e * n_h + k] = out->cell[e * n_h + from];
                ratio[e * n_h + k] = out->ratio[e * n_h + from];
            }
            sorted[k].words = ruru_icd203_words(sorted[k].p);
        }
        ruru_free(out->h);
        ruru_free(out->cell);
        ruru_free(out->ratio);
        out->h = sorted;
        out->cell = cell;
        out->ratio = ratio;
    }

    /* the verdict, its confidence, and why */
    {
        const struct ruru_hypothesis *best = NULL, *second = NULL;
        size_t kinds = 0, best_col = 0;
        bool kind_seen[RURU_EV__COUNT] = {false};
        for (size_t k = 0; k < n_h; k++)
            if (out->h[k].actor != NULL) {
                if (best == NULL) {
                    best = &out->h[k];
                    best_col = k;
                } else if (second == NULL) {
                    second = &out->h[k];
                }
            }
        if (best != NULL) {
            for (size_t e = 0; e < n_ev; e++) {
                if (out->group[e] != (int)e)
                    continue;
                /* a group that raised the best actor's odds */
                for (size_t f = 0; f < n_ev; f++)
                    if (out->group[f] == (int)e && out->ratio[f * n_h + best_col] > 1.0001 &&
                        ev[f].kind != RURU_EV_RULE && !follower[f]) {
                        out->n_groups++;
                        break;
                    }
            }
            for (size_t f = 0; f < n_ev; f++)
                if (out->ratio[f * n_h + best_col] > 1.0001 && ev[f].kind != RURU_EV_RULE &&
                    !kind_seen[ev[f].kind]) {
                    kind_seen[ev[f].kind] = true;
                    kinds++;
                }
        }
        out->verdict_p = best != NULL ? best->p : 0;
        if (best != NULL && best->p >= c->likely) {
            out->verdict = best->actor;
            if (out->n_groups >= 3 && kinds >= 2 && best->p >= 0.8 &&
                (second == NULL || second->p < best->p / 4))
                out->confidence = RURU_CONF_HIGH;
            else if (out->n_groups >= 2 || best->p >= 0.8)
                out->confidence = RURU_CONF_MODERATE;
            else
                out->confidence = RURU_CONF_LOW;
            snprintf(out->why, sizeof(out->why),
                     "%s: %s (%.0f %%), from %zu independent group%s of evidence", best->actor,
                     best->words, shown(best->p), out->n_groups, out->n_groups == 1 ? "" : "s");
        } else if (best != NULL) {
            out->confidence = RURU_CONF_LOW;
            snprintf(out->why, sizeof(out->why),
                     "unattributed: no actor is likely; the best, %s, is %s (%.0f %%)", best->actor,
                     best->words, shown(best->p));
        } else {
            out->confidence = RURU_CONF_LOW;
            snprintf(out->why, sizeof(out->why),
                     "unattributed: no evidence points to an actor (%zu piece%s)", n_ev,
                     n_ev == 1 ? "" : "s");
        }
    }
    err = RURU_OK;
out:
    ruru_free(actors);
    ruru_free(parent);
    ruru_free(follower);
    ruru_free(logodds);
    ruru_free(glog);
    ruru_free(gmax);
    ruru_free(gsum);
    ruru_free(tech);
    if (err != RURU_OK)
        ruru_judgement_fini(out);
    return err;
}

void ruru_judgement_fini(struct ruru_judgement *j)
{
    if (j == NULL)
        return;
    ruru_free(j->h);
    ruru_free(j->cell);
    ruru_free(j->ratio);
    ruru_free(j->group);
    memset(j, 0, sizeof(*j));
}
