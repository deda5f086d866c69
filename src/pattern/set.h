/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STIX patterns of a sweep: every indicator of the index kept whole (type stix-pattern)
 * compiled once, with what a sweep needs to know of each: whether it is one observation (told
 * record by record) or more (told over the records that observe a part of it, at the end),
 * and the object types it names, so that records which show none of them are skipped
 * cheaply, and the literals one of which a record must hold to satisfy it (ruru_pattern_needles),
 * all in one Vectorscan database, so that records which hold none are not made objects at
 * all. Patterns in another language (a Sigma or YARA rule a STIX bundle carried) or that
 * do not compile are counted, not used. Read-only once built: the sweep's threads share it.
 */
#ifndef RURU_PATTERN_SET_H
#define RURU_PATTERN_SET_H

#include <ruru.h>
#include <stdbool.h>
#include <stdint.h>

#include "logs/record.h"
#include "match/index.h"
#include "pattern/pattern.h"

struct ruru_pattern_entry {
    uint32_t ind; /* in the index */
    struct ruru_pattern *pattern;
    bool single;
    uint32_t types; /* ruru_observe_type_bit of the types it names */
    bool needles;   /* in the database: asked only of records holding one of its needles */
};

struct ruru_pattern_set {
    struct ruru_pattern_entry *entries;
    size_t n;
    size_t n_refused;      /* not STIX patterns ruru can evaluate */
    size_t n_unobservable; /* naming only object types no log record shows */
    char first_refusal[sizeof(((struct ruru_diag *)0)->msg)];
    size_t n_needles;       /* needles in the database */
    struct hs_database *db; /* their Vectorscan database (NULL when none) */
    uint64_t *always;       /* the entries without needles, as a bitset (with db) */
};

/* What one thread asks candidates with. */
struct ruru_pattern_scratch;

/* OUT: *out (ruru_pattern_set_destroy), possibly empty. RURU_ENOMEM only. */
enum ruru_err ruru_pattern_set_build(const struct ruru_index *idx,
                                     struct ruru_pattern_set **out,
                                     struct ruru_diag *diag);
void ruru_pattern_set_destroy(struct ruru_pattern_set *set);

/* OUT: *out (ruru_pattern_scratch_destroy). RURU_ENOMEM only. */
enum ruru_err ruru_pattern_scratch_create(const struct ruru_pattern_set *set,
                                          struct ruru_pattern_scratch **out);
void ruru_pattern_scratch_destroy(struct ruru_pattern_scratch *sc);

/* The entries worth asking of record r (its line line[0..len)), as a bitset of set->n bits
 * (valid until the next call): every entry without needles, and those whose needles the
 * line or the record's values not in it as they are (ruru_observe_text) hold. NULL when there
 * is none. Never fewer than hold: a record that cannot be looked at gets every entry. */
const uint64_t *ruru_pattern_candidates(const struct ruru_pattern_set *set,
                                        struct ruru_pattern_scratch *sc,
                                        const struct ruru_record *r,
                                        const char *line,
                                        size_t len);

#endif
