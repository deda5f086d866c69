/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the register gives the rest of the library besides its public API (include/ruru.h):
 * the exports (src/share/) read its sightings and incidents through these.
 */
#ifndef RURU_CASES_REGISTER_H
#define RURU_CASES_REGISTER_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stdint.h>

#include "cases/incident.h"
#include "cases/rdb.h"

/* The settings the register judges with (ruru_register_set_config, else the defaults). */
const struct ruru_case_config *ruru_register_config(const ruru_register *r);

/* Every sighting the register keeps, in input and offset order. OUT: *out, a JSON array. */
enum ruru_err ruru_register_sightings(ruru_register *r, json_t **out, struct ruru_diag *d);

/* When each incident was first recorded and last changed. OUT: *out {"ID": [recorded,
 * updated]}, unix seconds. */
enum ruru_err ruru_register_times(ruru_register *r, json_t **out, struct ruru_diag *d);

/* The incidents `sightings` (a JSON array of sighting documents) make, judged as a recording
 * judges them (with what `store` knows of the actors; NULL: nothing more), the register left
 * as it is. OUT: *out, a JSON array of incident documents. RURU_ENOMEM only. */
enum ruru_err ruru_register_judge(
        ruru_register *r, ruru_store *store, json_t *sightings, json_t **out, struct ruru_diag *d);

/* The register's database (register_open.c), for the organisations (orgs.c), the tokens
 * (tokens.c) and the copy between registers (migrate.c). */
rdb *ruru_register_rdb(ruru_register *r);
/* The store generation whose actor profiles this handle last compared with the ones the
 * incidents were judged with ("" until the first recording), and setting it after one
 * (register.c). */
const char *ruru_register_profiles_seen(const ruru_register *r);
void ruru_register_profiles_seen_set(ruru_register *r, const char *gen);
/* What names the register in messages: register.db, the file of sqlite:PATH, or the
 * PostgreSQL URL with its password as ***. */
const char *ruru_register_name(const ruru_register *r);
/* RURU_EDB "WHAT: the database's message", its source "register.db" (SQLite) or "register". */
enum ruru_err ruru_register_fail(ruru_register *r, struct ruru_diag *d, const char *what);

/* ruru.yaml's orgs: ({NAME: SECTOR or null}; NULL: none), the sectors of organisations a
 * recording or a token adds (ruru_org_ensure). Owned by the register. */
json_t *ruru_register_org_sectors(ruru_register *r);

/* RURU_EINVAL unless `name` is an organisation's name: 1 to 128 bytes, no control characters. */
enum ruru_err ruru_org_name_check(const char *name, struct ruru_diag *d);

/* Adds organisation `name` when the org table does not have it, with the sector `defaults`
 * ({NAME: SECTOR or null}, ruru.yaml's orgs:; may be NULL) gives it. False on a database
 * failure. Inside the caller's transaction. */
bool ruru_org_ensure(rdb *db, const char *name, json_t *defaults, int64_t now);

#endif
