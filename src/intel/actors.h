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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One actor entity as one source describes it. */
struct ruru_actor_member {
    int64_t entity_id;
    char *ref;
    char *name;
    char *external_id; /* its own ATT&CK id ("G0023"), or NULL */
    char *country;     /* ISO 3166-1 alpha-2 or NULL */
    char *sponsor;     /* as written, or NULL */
    char *source;      /* source name */
    char *source_type; /* "misp-galaxy:threat-actor", "intrusion-set", RURU_ACTOR_ASSESSMENT */
    char *description;
    int confidence; /* or -1 */
    char **aliases;
    size_t n_aliases;
    size_t group;
    size_t authority;   /* members of one authority (one galaxy, one feed's STIX objects, one
                         * CERT's assessments) share this index */
    bool is_assessment; /* the CERT's own word (source_type RURU_ACTOR_ASSESSMENT) */
};

/* The source_type of the entities a CERT's actor assessment file gives (intel/assess.c). */
#define RURU_ACTOR_ASSESSMENT "ruru:actor-assessment"

/* The actors that the registry holds to be one. members[] index registry->members. */
struct ruru_actor_group {
    const char *name; /* display name: the CERT's name when it assessed the actor, else the
                       * name of the member with the most aliases */
    size_t *members;
    size_t n_members;
};

/* A name claimed by several actors that the registry did not merge. */
struct ruru_actor_conflict {
    char *name;     /* the name as first written */
    size_t *groups; /* the groups claiming it, ascending */
    size_t n_groups;
};

/* What makes two members one actor, strongest first: the order in which the registry joins. */
enum ruru_actor_link {
    RURU_ACTOR_LINK_ASSESSMENT = 1, /* the CERT's assessment: its name, an alias, a same-as */
    RURU_ACTOR_LINK_OBJECT_ID,      /* the same STIX / MISP object id (uuid) */
    RURU_ACTOR_LINK_SAME_AS,        /* a same-as relationship in the intel */
    RURU_ACTOR_LINK_ATTACK_ID,      /* the same own ATT&CK id ("G0023") */
    RURU_ACTOR_LINK_NAME,           /* the same own name */
    RURU_ACTOR_LINK_SYNONYM_MUTUAL, /* each lists the other's own name or id as a synonym */
    RURU_ACTOR_LINK_SYNONYM,        /* a synonym of one is the other's own name or id */
};

/* "assessment", "object-id", "same-as", "attack-id", "own-name", "synonyms-both-ways",
 * "synonym-is-own-name". */
const char *ruru_actors_link_name(enum ruru_actor_link link);

/* A join the registry made between two members, or one it refused (they then stay two actors
 * and the link is shown as such). */
struct ruru_actor_join {
    size_t a, b; /* members; for a synonym link, `a` lists the name that `b` owns */
    enum ruru_actor_link link;
    const char *name;    /* the name or id that links them, or NULL (object id, same-as) */
    const char *refused; /* NULL when made; else why not, in words */
};

/* A relationship between two actors that is not identity ("similar", "overlaps",
 * "attributed-to" ... as the intel says, or a CERT's "not-same-as"). */
struct ruru_actor_relation {
    size_t a, b; /* members */
    char *type;
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

size_t ruru_actors_n_joins(const struct ruru_actor_registry *reg);
const struct ruru_actor_join *ruru_actors_join(const struct ruru_actor_registry *reg, size_t i);
size_t ruru_actors_n_relations(const struct ruru_actor_registry *reg);
const struct ruru_actor_relation *ruru_actors_relation(const struct ruru_actor_registry *reg,
                                                       size_t i);

/* The sponsoring state of a group: the CERT's assessment where it says one, else the country
 * most members name (ties: alphabetical). OUT: *sponsor (as written, of a member naming that
 * country, or NULL), *disputed (members name different countries), *assessed (the country is
 * the CERT's word). Returns the ISO code, or NULL. */
const char *ruru_actors_group_state(const struct ruru_actor_registry *reg,
                                    size_t g,
                                    const char **sponsor,
                                    bool *disputed,
                                    bool *assessed);

/* The group of an entity ref (an actor, or a campaign attributed to one). False if none. */
bool ruru_actors_by_ref(const struct ruru_actor_registry *reg, const char *ref, size_t *group);
/* The groups that claim `name` (ASCII case, spaces and punctuation ignored): the one whose
 * own name or ATT&CK id it is; else the ones that list it as a synonym. An ATT&CK galaxy name
 * "APT16 - G0023" resolves by its id first. Returns how many (0: unknown, 1: known, more: an
 * ambiguous name) and points *groups at them (valid while the registry lives). */
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
