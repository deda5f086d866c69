/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actor registry: one view of every actor across sources, built from the store's actor
 * entities, their aliases and the relationships between them (see actors.c for the rules).
 * Built per query (a few thousand actors take milliseconds), immutable afterwards.
 */
#ifndef RURU_INTEL_ACTORS_H
#define RURU_INTEL_ACTORS_H

#include <ruru.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One actor entity as one source describes it. */
struct ruru_actor_member {
    int64_t entity_id;
    char *ref;
    char *name;
    char *country;     /* ISO 3166-1 alpha-2 or NULL */
    char *sponsor;     /* as written, or NULL */
    char *source;      /* source name */
    char *source_type; /* "misp-galaxy:threat-actor", "intrusion-set", ... */
    int confidence;    /* or -1 */
    char **aliases;
    size_t n_aliases;
    size_t group;
};

/* The actors that the registry holds to be one. members[] index registry->members. */
struct ruru_actor_group {
    const char *name; /* display name: the name of the member with the most aliases */
    size_t *members;
    size_t n_members;
};

/* A name claimed by several actors that the registry did not merge. */
struct ruru_actor_conflict {
    char *name;     /* the name as first written */
    size_t *groups; /* the groups claiming it, ascending */
    size_t n_groups;
};

struct ruru_actor_registry;

/* Builds the registry from the store. OUT: *out (free with ruru_actors_destroy). */
enum ruru_err
ruru_actors_build(sqlite3 *db, struct ruru_actor_registry **out, struct ruru_diag *diag);
void ruru_actors_destroy(struct ruru_actor_registry *reg);

size_t ruru_actors_n_groups(const struct ruru_actor_registry *reg);
const struct ruru_actor_group *ruru_actors_group(const struct ruru_actor_registry *reg, size_t i);
const struct ruru_actor_member *ruru_actors_member(const struct ruru_actor_registry *reg, size_t i);
size_t ruru_actors_n_conflicts(const struct ruru_actor_registry *reg);
const struct ruru_actor_conflict *ruru_actors_conflict(const struct ruru_actor_registry *reg,
                                                       size_t i);

/* The group of an entity ref (an actor, or a campaign attributed to one). False if none. */
bool ruru_actors_by_ref(const struct ruru_actor_registry *reg, const char *ref, size_t *group);
/* The groups that claim `name` as a name or alias (ASCII case, spaces and punctuation
 * ignored). Returns how many (0: unknown, 1: known, more: a conflict) and points *groups at
 * them (valid while the registry lives). */
size_t
ruru_actors_by_name(const struct ruru_actor_registry *reg, const char *name, const size_t **groups);
/* Resolves a link as importers give it (intel.h): a ref when it has "--" or is a uuid,
 * else a name. Same return convention as ruru_actors_by_name. */
size_t
ruru_actors_resolve(const struct ruru_actor_registry *reg, const char *link, const size_t **groups);

/* The key names are compared by: ASCII letters lower-cased, digits and non-ASCII bytes kept,
 * everything else dropped ("TEMP.Periscope" -> "tempperiscope"). Writes at most cap-1 bytes.
 * Returns the key length (0 when nothing is left: then the raw name lower-cased is used). */
size_t ruru_actors_name_key(const char *name, char *out, size_t cap);

#endif
