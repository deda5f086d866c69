/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sighting as the sweep reports it (DESIGN.md §6, docs/json.md "sighting"): one JSON object
 * whose names follow the Elastic Common Schema where it has them (@timestamp, log.file.path,
 * log.offset, event.original, threat.enrichments.indicator / .matched), so that a SIEM ingests
 * it as it is, and ruru's own evidence under "ruru" (line, length, format, the raw line's
 * SHA-256, native and canonical field, the indicator with its source, file and object, its
 * actors, warninglists).
 *
 * The intel details come from the store once per indicator and are cached for the sweep.
 */
#ifndef RURU_SCAN_SIGHTING_H
#define RURU_SCAN_SIGHTING_H

#include <stdbool.h>
#include <stdint.h>

#include "intel/store.h"
#include "match/index.h"
#include "rules/sigma.h"

struct ruru_sighting {
    const char *path;   /* the input as given ("-" for standard input) */
    const char *format; /* detected or forced format name */
    uint64_t line, offset;
    uint32_t length; /* bytes of the line, without its newline */
    int64_t time;    /* RURU_TIME_NONE when the record has none */
    const char *asset;
    bool asset_is_ip;
    const char *field_native, *field_canon; /* NULL for a text line */
    const char *observed;
    const char *raw; /* the line (up to RURU_SIGHTING_MAX_RAW bytes) */
    size_t raw_len;
    bool raw_truncated;
    unsigned char sha256[32]; /* of the whole line */
    uint32_t ind;             /* in the index */
    const char *observation;  /* a STIX pattern's sighting: the record as objects (JSON) */
    /* a rule's sighting instead of an indicator's (ruru_rule_sighting_json) */
    uint32_t rule;
    const char *const *matched_native, *const *matched_canon, *const *matched_value;
    size_t n_matched;
    bool keywords;
};

/* A member record of a correlation: where its evidence is. */
struct ruru_sighting_member {
    const char *path;
    uint64_t line, offset;
    uint32_t length;
    int64_t time;
    uint32_t rule;
    const char *asset;
    unsigned char sha256[32];
};

#define RURU_SIGHTING_MAX_RAW (64u * 1024u)

struct ruru_sightings;

enum ruru_err ruru_sightings_open(struct ruru_store *store,
                                  const struct ruru_index *idx,
                                  struct ruru_sightings **out,
                                  struct ruru_diag *diag);
void ruru_sightings_close(struct ruru_sightings *s);

/* The sighting as one line of JSON, NUL-terminated; owned by s, valid until the next call.
 * NULL when memory ran out. */
const char *ruru_sighting_json(struct ruru_sightings *s, const struct ruru_sighting *x);

/* Rules whose sightings s describes (before the first rule sighting). */
void ruru_sightings_set_rules(struct ruru_sightings *s, const struct ruru_rules *rules);
/* A rule's sighting (x->rule, the matched fields) as one line of JSON, like
 * ruru_sighting_json. */
const char *ruru_rule_sighting_json(struct ruru_sightings *s, const struct ruru_sighting *x);
/* A correlation's sighting: the correlation rule, its group, window and measure, and the
 * evidence of every member record. */
const char *ruru_correlation_sighting_json(struct ruru_sightings *s,
                                           const struct ruru_corr_hit *h,
                                           const struct ruru_sighting_member *members);

/* A STIX pattern of several observations matched over the sweep's records: the indicator (the
 * pattern), and the evidence of the records of the first satisfying binding, in input order. */
const char *ruru_pattern_sighting_json(struct ruru_sightings *s,
                                       uint32_t ind,
                                       const struct ruru_sighting_member *members,
                                       size_t n_members);

#endif
