/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of the STIX importer share: the import's state, and the observables part
 * (stix_observed.c: observed-data and the cyber-observable objects an infrastructure consists
 * of) called by the object walk (stix.c).
 */
#ifndef RURU_INTEL_STIX_INT_H
#define RURU_INTEL_STIX_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/jloc.h"
#include "intel/intel.h"

struct stix {
    const struct ruru_import_ctx *ctx;
    json_t *objects;          /* the array the second pass walks */
    json_t *tlp_by_id;        /* in-bundle marking id -> "amber" */
    json_t *country_by_loc;   /* location id -> "CN" */
    json_t *country_by_actor; /* actor id -> "CN", from originates-from */
    json_t *sco_by_id;        /* cyber-observable id -> the object (STIX 2.1 top level) */
    json_t *infra_parts;      /* infrastructure id -> [[relationship type, target id], ...] */
    json_t *infra_actors;     /* infrastructure id -> [actor id, ...] (actor uses it) */
    json_t *ind_infras;       /* indicator id -> [infrastructure id, ...] (it indicates) */
    struct ruru_buf values;   /* literals of the current pattern */
    struct ruru_buf canon;    /* the current normalised value */
    struct ruru_buf ref;      /* "<id>#k" */
    struct ruru_buf ctxbuf;   /* "pattern_type=...", "infrastructure=..." */
    /* Where rejects are placed: the path of the object being read ("objects", i; i alone for
     * a list; nothing for a bare object). depth > 0 only while an object is read. */
    struct ruru_jloc loc;
    struct ruru_jstep path[2];
    size_t depth;
    bool placed; /* an object is being read: rejects are placed at path[0..depth) */
};

/* Hands a rejection to the sink, placed at the object being read. `reason` is static. */
enum ruru_err
ruru_stix_reject(struct stix *st, const char *object, const char *value, const char *reason);

/* The most restrictive TLP among the object's markings ("amber"), or NULL. */
const char *ruru_stix_object_tlp(struct stix *st, json_t *o);

/* The first pass's share: links of relationships `rel` (infrastructure consists-of /
 * communicates-with, actor uses infrastructure, indicator indicates infrastructure) and
 * cyber-observables by id. Allocation failures leave a link out (the import goes on). */
void ruru_stix_index_observable(struct stix *st, json_t *o, const char *type, const char *id);

/* observed-data: the values of its objects (STIX 2.0 "objects" dictionary, STIX 2.1
 * "object_refs" to objects of the bundle), as context (to_ids false): what was seen, not
 * a statement that it is malicious. */
enum ruru_err ruru_stix_observed_data(struct stix *st, json_t *o, const char *id);

/* An infrastructure's values (its entity is emitted by the caller): the cyber-observables it
 * consists-of (indicators, linked to the actors that use it) and communicates-with (context,
 * to_ids false: what it talks to may be anyone's). */
enum ruru_err ruru_stix_infrastructure(struct stix *st, json_t *o, const char *id);

/* The actors that use the infrastructures indicator `id` indicates, appended to
 * actors[*n .. max). */
void ruru_stix_indicated_actors(
        struct stix *st, const char *id, const char **actors, size_t *n, size_t max);

#endif
