/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attribution of one incident (docs/attribution.md, DESIGN.md §7): from the distinct pieces of
 * evidence an incident holds to a probability for each actor any of them points to and for
 * "unattributed / another actor", the words of ICD 203 for each, an analytic confidence, and
 * the competing-hypotheses table (evidence × hypothesis: consistent, inconsistent, neutral,
 * with the likelihood ratio each piece gave).
 *
 * The model: posterior odds of actor A against "another actor" = prior odds × the product,
 * over independent groups of evidence, of the group's likelihood ratio for A. A piece's ratio
 * for an actor it names is 1 + (W' - 1) / n, where n is the number of actors it names and
 * W' = W_kind ^ (reliability × decay): its kind's weight (a web-shell hash ≫ a domain ≫ an
 * address ≫ a CIDR), raised to its source's confidence and to its freshness at the record's
 * time; 1 for an actor it does not name, and for a warninglisted value. Pieces from one
 * report (one intel file and, where the file says where each row comes from, one provenance)
 * are one group: the group's log-ratio is its strongest piece's plus `dependence` × the
 * others'. Pieces of one infrastructure cluster (one address named by several reports, one
 * /24) count once: the strongest in full, the others at `dependence`. ATT&CK techniques seen
 * (rule tags) that an actor is known to use are one more group, weak and capped.
 *
 * Pure computation over plain structures: no store, no I/O. Weights come from
 * ruru_attrib_config (ruru_attrib_defaults, or ruru.yaml).
 */
#ifndef RURU_CASES_ATTRIB_H
#define RURU_CASES_ATTRIB_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a piece of evidence is, for its weight. */
enum ruru_ev_kind {
    RURU_EV_HASH,     /* a file hash (MD5, SHA-1, SHA-256, SHA-512) */
    RURU_EV_URL,      /* a full URL */
    RURU_EV_DOMAIN,   /* a host name */
    RURU_EV_EMAIL,    /* an e-mail address */
    RURU_EV_FILENAME, /* a file name or request path (web-shell names are reused) */
    RURU_EV_PATTERN,  /* a STIX pattern */
    RURU_EV_UA,       /* a user agent */
    RURU_EV_STRING,   /* any other string */
    RURU_EV_IP,       /* an address */
    RURU_EV_CIDR,     /* an address range */
    RURU_EV_RULE,     /* a detection rule: says what happened, not who (its techniques) */
    RURU_EV_HOST,     /* a host artefact: registry key, mutex, named pipe, MAC address */
    RURU_EV__COUNT
};

/* The kind's name as the config and the reports write it ("hash", "ip", ...). */
const char *ruru_ev_kind_name(enum ruru_ev_kind k);
/* The kind of a ruru indicator type ("sha256", "ipv4", "cidr6", "uri-path", ...). */
enum ruru_ev_kind ruru_ev_kind_of(const char *ioc_type);

/* One distinct piece of evidence (one indicator or one rule, however many records). */
struct ruru_evidence {
    const char *key;   /* identity: the indicator's or rule's id */
    const char *label; /* what a reader is shown ("sha256 2b8e…", "rule CVE-2021-26855") */
    enum ruru_ev_kind kind;
    int confidence;            /* the source's confidence in it, 0..100; -1 when not said */
    int64_t seen;              /* the record's time (its first sighting), RURU_TIME_NONE if none */
    int64_t since;             /* when the intel saw it first (first_seen / valid_from), or NONE */
    const char *source;        /* the report it came from (source and file): pieces of one report
                                * are not independent */
    const char *provenance;    /* where the intel says the row comes from within that report (a
                                * CSV's source or report column, a MISP event's Orgc, STIX
                                * created_by_ref), or NULL: rows of one file with two different
                                * provenances are two reports */
    const char *cluster;       /* an infrastructure cluster (a /24, a registered domain), or NULL */
    bool warninglisted;        /* on a warninglist: common to many, no weight */
    const char *const *actors; /* the actors it is tied to (canonical names) */
    size_t n_actors;
    const char *const *techniques; /* RURU_EV_RULE: the ATT&CK technique ids it shows */
    size_t n_techniques;
    uint64_t sightings; /* records */
};

/* What is known of an actor for technique overlap. */
struct ruru_actor_profile {
    const char *name;
    const char *const *techniques; /* ATT&CK ids it is known to use (STIX uses, MISP galaxy) */
    size_t n_techniques;
};

struct ruru_attrib_config {
    double weight[RURU_EV__COUNT];         /* W_kind: likelihood ratio at full confidence */
    double half_life_days[RURU_EV__COUNT]; /* decay of an indicator's weight; 0: none */
    double prior_odds;                     /* each actor against "another actor", before evidence */
    double dependence;         /* the share of a dependent piece's log-ratio that counts */
    double default_confidence; /* for evidence whose source says none, 0..100 */
    double technique_weight;   /* per technique shared with the actor's known ones */
    double technique_cap;      /* the most the technique group can give */
    double likely;             /* the probability an actor needs to be the verdict */
};

void ruru_attrib_defaults(struct ruru_attrib_config *c);

/* The ICD 203 words for a probability: "almost no chance" (< 5 %), "very unlikely" (5-20),
 * "unlikely" (20-45), "roughly even chance" (45-55), "likely" (55-80), "very likely"
 * (80-95), "almost certain" (95 and more). */
const char *ruru_icd203_words(double p);

enum ruru_ach { RURU_ACH_NEUTRAL, RURU_ACH_CONSISTENT, RURU_ACH_INCONSISTENT };

struct ruru_hypothesis {
    const char *actor; /* NULL: unattributed / another actor */
    double p;
    const char *words; /* ruru_icd203_words(p) */
};

enum ruru_confidence { RURU_CONF_LOW, RURU_CONF_MODERATE, RURU_CONF_HIGH };
const char *ruru_confidence_name(enum ruru_confidence c);

struct ruru_judgement {
    struct ruru_hypothesis *h; /* most probable first; "another actor" among them */
    size_t n_h;
    const char *verdict; /* the actor judged responsible, or NULL: unattributed */
    double verdict_p;    /* its probability (or the best actor's when unattributed) */
    enum ruru_confidence confidence;
    size_t n_groups; /* independent groups that point to the verdict's actor */
    /* the competing-hypotheses table: cell[e * n_h + k] for evidence e, hypothesis k */
    enum ruru_ach *cell;
    double *ratio; /* the likelihood ratio evidence e gave hypothesis k (1: none) */
    size_t n_ev;
    int *group;    /* evidence e's dependence group */
    char why[256]; /* one sentence: why the verdict is what it is */
};

/* Judges one incident. OUT: *out (ruru_judgement_fini). RURU_ENOMEM only. */
enum ruru_err ruru_attribute(const struct ruru_attrib_config *c,
                             const struct ruru_evidence *ev,
                             size_t n_ev,
                             const struct ruru_actor_profile *profiles,
                             size_t n_profiles,
                             struct ruru_judgement *out);
void ruru_judgement_fini(struct ruru_judgement *j);

#endif
