/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sharing what the register holds (docs/export.md). model.c selects incidents and their
 * sightings from the register, withholds what is above the TLP the caller may share, and
 * gives one JSON document, the export model; each writer turns the model into one format.
 * The writers read nothing else: the same model gives the same bytes.
 *
 * The model ({"ruru_export": 1, ...}, docs/internals/export-model.md) holds the reporting
 * CERT, the TLP bound and the TLP of what is in it, the counts withheld, the period's
 * statistics and, per incident, the incident document of `ruru report` with its sightings
 * (the documents of `ruru scan --format jsonl`), each with its "tlp".
 */
#ifndef RURU_SHARE_H
#define RURU_SHARE_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* TLP levels are the names and ranks of intel/intel.h (ruru_tlp_parse, ruru_tlp_rank: clear 0,
 * green 1, amber 2, amber+strict 3, red 4). The OASIS STIX 2.1 marking-definition id of a TLP
 * 2.0 level by its rank, or NULL. */
#define RURU_TLP_LEVELS 5
const char *ruru_tlp_stix_id(int rank);

/* A name-based UUID (RFC 9562 version 5: SHA-1 of the namespace's 16 bytes and the name),
 * written as 36 lower-case characters and a NUL into out. `ns` is a UUID in text form; false
 * when it is not one. */
bool ruru_uuid5(const char *ns, const char *name, size_t len, char out[37]);
/* The namespace of the STIX 2.1 specification for deterministic cyber-observable ids. */
#define RURU_STIX_SCO_NAMESPACE "00abedb4-aa42-466c-9c01-fed23315a9b7"
/* ruru's own namespace for every other id it derives (objects of STIX and MISP exports). */
#define RURU_UUID_NAMESPACE "a3c1d4e8-5b7f-5c2a-9e0d-7f2b6c8a4e1d"

/* The export model of the register's incidents that `o` selects (docs/internals/
 * export-model.md); store: what is known of the actors, to judge again an incident that lost
 * evidence (NULL: nothing more). OUT: *model. */
enum ruru_err ruru_share_model(ruru_register *r,
                               ruru_store *store,
                               const struct ruru_export_opts *o,
                               json_t **model,
                               struct ruru_diag *d);

/* The writers: each appends one export of `model` to out. RURU_ENOMEM, or RURU_EINVAL with the
 * reason for a model that is not one. */
enum ruru_err ruru_share_stix(json_t *model, struct ruru_buf *out, struct ruru_diag *d);
enum ruru_err ruru_share_misp(json_t *model, struct ruru_buf *out, struct ruru_diag *d);
enum ruru_err ruru_share_html(json_t *model, struct ruru_buf *out, struct ruru_diag *d);

#endif
