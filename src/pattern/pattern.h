/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STIX 2.1 pattern engine: a pattern (parsed by intel/stix_pattern.h) evaluated against
 * observations — observed-data objects, or log records seen as cyber-observables
 * (observe.h). Every comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET,
 * ISSUPERSET, EXISTS, NOT), AND / OR inside an observation, the observation operators AND, OR,
 * FOLLOWEDBY and the qualifiers WITHIN, REPEATS, START / STOP; object paths with list indexes,
 * [*], quoted names and _ref / _refs dereferencing. docs/internals/pattern.md has the
 * semantics, and tests/unit/test_pattern.c runs the OASIS matcher's test vectors.
 */
#ifndef RURU_PATTERN_PATTERN_H
#define RURU_PATTERN_PATTERN_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct ruru_pattern;

/* The most observation expressions ([...]) a pattern may have. */
#define RURU_PATTERN_MAX_LEAVES 256
#define RURU_PATTERN_LEAF_WORDS (RURU_PATTERN_MAX_LEAVES / 64)

/* One observation: its time span, how often it was seen, and its objects (a JSON object of
 * key or id -> cyber-observable object; _ref properties name those keys) or, instead of the
 * objects, which observation expressions they satisfy (ruru_pattern_leaves): what a sweep
 * keeps of a record for a pattern of several observations. */
struct ruru_pattern_obs {
    int64_t first_sec, last_sec;
    int32_t first_nsec, last_nsec;
    int64_t count; /* number_observed, at least 1 */
    json_t *objects;
    const uint64_t *leaves; /* when not NULL: bit k for expression k; objects not looked at */
};

/* Compiles a pattern. OUT: *out (ruru_pattern_destroy). RURU_EPARSE with the reason and
 * byte offset in diag (col) for a pattern that does not parse or cannot be evaluated (a
 * regex that does not compile, a CIDR that is none). */
enum ruru_err ruru_pattern_compile(const char *text,
                                   size_t len,
                                   struct ruru_pattern **out,
                                   struct ruru_diag *diag);
void ruru_pattern_destroy(struct ruru_pattern *p);

/* The object types the pattern's comparisons name ("file", "ipv4-addr", ...), each once, in
 * pattern order; valid while p is. Every observation expression needs an object of one of its
 * types, which lets a sweep skip records that show none. */
const char *const *ruru_pattern_types(const struct ruru_pattern *p, size_t *n);

/* Is the pattern one observation (its sightings can be told record by record)? */
bool ruru_pattern_single(const struct ruru_pattern *p);

/* Does observation `o` satisfy one of the pattern's observation expressions ([...])? A
 * sweep keeps such observations for the whole pattern. */
bool ruru_pattern_observes(const struct ruru_pattern *p, const struct ruru_pattern_obs *o);

/* Which of the pattern's observation expressions, in pattern order, o's objects satisfy: bit k
 * of bits[0..RURU_PATTERN_LEAF_WORDS) for expression k. OUT: *any, whether one does.
 * RURU_EINVAL with the reason in diag when a comparison cannot be evaluated on them (the
 * observation is then no use to the pattern), RURU_ENOMEM. */
enum ruru_err ruru_pattern_leaves(const struct ruru_pattern *p,
                                  const struct ruru_pattern_obs *o,
                                  uint64_t *bits,
                                  bool *any,
                                  struct ruru_diag *diag);

/* Literals of which a record must show one, in the decoded value of a field it is observed
 * from, to satisfy any observation expression of the pattern: the longest run of each string
 * compared by = or IN and of each LIKE's fixed text that no object made of a record could
 * hold split (printable ASCII without '/' and ':'), the better side of an AND, both sides of
 * an OR. Records showing none need not be made objects. NULL with *n = 0 when the pattern
 * has none (a NOT, an order, a regular expression, a number ...): every record must then be
 * asked. Valid while p is.
 * Example: [domain-name:value = 'evil.example' OR url:value LIKE 'http://%/owa/auth/%.aspx']
 * gives "evil.example" and ".aspx". */
const struct ruru_str *ruru_pattern_needles(const struct ruru_pattern *p, size_t *n);

/* Evaluates the pattern over obs[0..n). OUT: *matched; when it matched, the observations of
 * one satisfying binding into members[0..*n_members) (at most max_members, in index order).
 * RURU_EINVAL with the reason in diag when the pattern cannot be evaluated against these
 * observations (a timestamp comparison with a value that is no timestamp ...): the OASIS
 * matcher's "invalid". */
enum ruru_err ruru_pattern_match(const struct ruru_pattern *p,
                                 const struct ruru_pattern_obs *obs,
                                 size_t n,
                                 bool *matched,
                                 size_t *members,
                                 size_t max_members,
                                 size_t *n_members,
                                 struct ruru_diag *diag);

#endif
