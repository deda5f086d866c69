/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the store's query modules (store_query.c, actors_query.c). */
#ifndef RURU_INTEL_QUERY_H
#define RURU_INTEL_QUERY_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "intel/actors.h"
#include "intel/ioc.h"

/* RFC 3339 string of unix time t. */
json_t *ruru_query_time(int64_t t);
/* Serialises doc (consumed) into *out. */
enum ruru_err ruru_query_finish(json_t *doc, char **out, struct ruru_diag *diag);
/* {"name","country","sponsor"} of a group. */
json_t *ruru_query_actor_brief(const struct ruru_actor_registry *reg, size_t g);
/* Mean numerical value of the confidence tags among labels (a JSON array), or -1. */
int ruru_query_tag_confidence(sqlite3 *db, json_t *labels);

/* Keeps a match of a search (the indicator as search shows it) when visible() says so. */
struct ruru_search_filter {
    bool (*visible)(void *ctx, const json_t *match);
    void *ctx;
};

/* ruru_intel_search with an actor registry built once by the caller (NULL: no actors) and,
 * when filter is not NULL, only the matches it keeps (and the groups counted from them).
 * OUT: *out, the search document (json_decref it). */
enum ruru_err ruru_query_search(sqlite3 *db,
                                const struct ruru_actor_registry *reg,
                                const char *value,
                                int64_t at,
                                const struct ruru_search_filter *filter,
                                json_t **out,
                                struct ruru_diag *diag);

/* The indicator with store id `id` as search shows it (docs/json.md), active judged at `at`
 * (INT64_MIN: now), or NULL. */
json_t *
ruru_query_indicator(sqlite3 *db, const struct ruru_actor_registry *reg, int64_t id, int64_t at);
/* The warninglist entries that hold `value` (canonical, of `type`), as a JSON array. */
json_t *ruru_query_warninglists(sqlite3 *db, enum ruru_ioc_type type, const char *value);
/* Appends to `out` one {"name","source","type","entry"} per entry of a list that applies to
 * `type` (its matching_attributes) and holds `value` by the list type's semantics
 * (store_warninglist.c). Best effort: a failing query adds nothing. */
void ruru_query_warninglist_hits(sqlite3 *db,
                                 enum ruru_ioc_type type,
                                 const char *value,
                                 json_t *out);

#endif
