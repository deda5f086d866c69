/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A CERT's own actor assessments (docs/internals/actors.md, "A CERT's own assessments"): a YAML
 * file that starts with `ruru: actor-assessments` and lists actors with their aliases, country,
 * sponsor, the names the CERT holds to be the same actor or not, and its source or note.
 * Imported like any intel; the actor registry (actors.c) gives them precedence.
 */
#ifndef RURU_INTEL_ACTORS_ASSESS_H
#define RURU_INTEL_ACTORS_ASSESS_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>

#include "intel/intel.h"

/* Does the text (from its first non-blank byte) open with the `ruru: actor-assessments`
 * marker, after comments and blank lines? */
bool ruru_assess_detect(const char *data, size_t len);

/* Imports an assessments file: one actor entity (source_type RURU_ACTOR_ASSESSMENT, ref
 * "actor-assessment--<name key>") per actor, its same-as and not-same-as as relations whose
 * dst is the other actor's name. A bad field is rejected with its line and the rest of the
 * actor kept; an actor without a name, or assessed twice, is rejected whole. RURU_EPARSE for a
 * file that is not YAML or not of this format; RURU_ENOMEM. */
enum ruru_err ruru_assess_import(const char *data,
                                 size_t len,
                                 const struct ruru_import_ctx *ctx,
                                 struct ruru_diag *diag);

#endif
