/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actor registry's insides, shared by actors.c (loading, joining, groups, look-ups) and
 * actors_names.c (who claims which name, and the joins the names make).
 */
#ifndef RURU_INTEL_ACTORS_INT_H
#define RURU_INTEL_ACTORS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/map.h"
#include "intel/actors.h"

/* Names longer than this compare by their first RURU_ACTORS_KEY_BYTES - 1 key bytes. */
#define RURU_ACTORS_KEY_BYTES 128

/* Claimants of one name that the registry pairs up; real names have a handful, so 64 only
 * bounds the pairs a hostile feed naming thousands of actors alike could make. */
#define RURU_ACTORS_MAX_RUN_CLAIMS 64

/* The members an actor may reach by names (see kept_apart). */
#define MAX_GROUP_MEMBERS 1024

struct ruru_actor_registry {
    struct ruru_actor_member *members;
    size_t n_members;
    struct ruru_actor_group *groups;
    size_t n_groups;
    size_t *ident; /* ident[i] == i: lets by_name return a one-element list */
    struct ruru_actor_conflict *conflicts;
    size_t n_conflicts;
    struct ruru_actor_join *joins;
    size_t n_joins;
    bool join_names_owned; /* after settle_joins: each join's name is a copy */
    struct ruru_actor_relation *relations;
    size_t n_relations;
    struct ruru_map by_ref;  /* ref -> group */
    struct ruru_map by_name; /* name key -> group, or -(1 + conflict index) */
};

enum ruru_actors_claim_kind {
    RURU_ACTORS_CLAIM_OWN_ID,
    RURU_ACTORS_CLAIM_OWN_NAME,
    RURU_ACTORS_CLAIM_SYNONYM
};

struct ruru_actors_claim {
    char key[RURU_ACTORS_KEY_BYTES];
    size_t member;
    enum ruru_actors_claim_kind kind;
    const char *raw; /* the name as the member writes it (the whole "APT16 - G0023") */
};

struct ruru_actors_claims {
    struct ruru_actors_claim *v;
    size_t n, cap;
};

struct ruru_actors_edge {
    size_t a, b;
    enum ruru_actor_link link;
    size_t overlap; /* names the two members share: the stronger join goes first in its tier */
    const char *name;
};

struct ruru_actors_edges {
    struct ruru_actors_edge *v;
    size_t n, cap;
    struct ruru_actor_join *refused; /* refused before any join: ambiguous synonyms */
    size_t n_refused, cap_refused;
};

#define RURU_ACTORS_WHY_AMBIGUOUS   "ambiguous: another actor of the same source also claims the name"
#define RURU_ACTORS_WHY_AUTHORITY   "it would join two entries that their one source keeps apart"
#define RURU_ACTORS_WHY_NOT_SAME_AS "a CERT assessment says they are not the same actor"

/* The ATT&CK id at the end of "APT16 - G0023", or NULL. OUT: *name_len, the length of the
 * name before " - ". */
const char *ruru_actors_attack_suffix(const char *s, size_t *name_len);

/* Every member's own name, own ATT&CK id and synonyms as claims, sorted by key, one per
 * (key, member): the strongest. OUT: c (grown; free c->v). */
enum ruru_err ruru_actors_collect_claims(const struct ruru_actor_registry *reg,
                                         struct ruru_actors_claims *c);
/* Member's claim on key, or NULL. */
const struct ruru_actors_claim *
ruru_actors_find_claim(const struct ruru_actors_claims *c, const char *key, size_t member);
/* Does `lister` list an own name or id of `owner` among its synonyms? */
bool ruru_actors_lists_own(const struct ruru_actors_claims *c,
                           const struct ruru_actor_registry *reg,
                           size_t lister,
                           size_t owner);
/* Does either of two members name the other (ruru_actors_lists_own either way)? */
bool ruru_actors_linked(const struct ruru_actors_claims *c,
                        const struct ruru_actor_registry *reg,
                        size_t x,
                        size_t y);
enum ruru_err ruru_actors_add_edge(struct ruru_actors_edges *e,
                                   size_t a,
                                   size_t b,
                                   enum ruru_actor_link link,
                                   const char *name);
/* The candidate joins the names make (the CERT's names and aliases, the same own id or name,
 * synonyms that are another's own name or id), and those refused as ambiguous. */
enum ruru_err ruru_actors_name_edges(const struct ruru_actor_registry *reg,
                                     const struct ruru_actors_claims *c,
                                     struct ruru_actors_edges *e);
/* How many names of member a member b claims too (the first 257 of a's). */
size_t ruru_actors_overlap(const struct ruru_actor_registry *reg,
                           const struct ruru_actors_claims *c,
                           size_t a,
                           size_t b);
/* Sorts candidate joins: by link, then the more shared names first, then members. */
int ruru_actors_cmp_edge(const void *p, const void *q);

#endif
