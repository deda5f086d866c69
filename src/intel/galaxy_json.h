/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the three importers of MISP reference data (galaxy.c, taxonomy.c, warninglist.c) share:
 * loading the document with jansson, and giving a rejected record its line and column.
 *
 * jansson keeps no positions, so a reject would only say "somewhere in threat-actor.json".
 * A locator finds them afterwards in the raw bytes: for the top-level member `key` (the
 * "values" of a galaxy, the "list" of a warninglist) it walks the array's elements with a
 * small skip-scanner that knows strings, nesting and nothing else. The document has already
 * been accepted by jansson, but the scanner does not rely on it: it stays inside `len` and
 * answers "unknown" (0, 0) on anything it does not expect. It runs only when a reject is
 * reported, and forward only, so an import with n rejects costs one extra pass at most.
 *
 * Example: in
 *     {"type": "x",\n "values": [\n  {"uuid": "a"},\n  7\n]}
 * element 1 of "values" (the 7) is at line 4, column 3.
 */
#ifndef RURU_INTEL_GALAXY_JSON_H
#define RURU_INTEL_GALAXY_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/intel.h"

/* The reason phrase for a member whose JSON type is not the one the format gives it; the
 * reject's value names the member ("meta.synonyms"). */
#define RURU_GALAXY_WRONG_TYPE "wrong JSON type"

/*
 * Cursor over the elements of the array held by the top-level member `key`.
 * Invariant: when state is WALKING, `off` is the first byte of element `index`, `line` is its
 * line and `line_off` the offset of that line's first byte.
 */
struct ruru_galaxy_json_pos {
    const char *data;
    size_t len;
    const char *key; /* member name as written (escaped names are not found) */
    enum { RURU_GALAXY_POS_NEW, RURU_GALAXY_POS_WALKING, RURU_GALAXY_POS_LOST } state;
    size_t index;
    size_t off;
    uint64_t line;
    size_t line_off;
};

/* Loads `len` bytes as one JSON object or array (not NUL-terminated; a NUL byte is a parse
 * error). OUT: *root, owned by the caller (json_decref). Returns RURU_OK, or RURU_EPARSE with
 * jansson's line, column and text in diag (source ctx->path); *root is untouched then. */
enum ruru_err ruru_galaxy_json_load(const char *data,
                                    size_t len,
                                    const struct ruru_import_ctx *ctx,
                                    json_t **root,
                                    struct ruru_diag *diag);

/* Prepares a locator for the elements of top-level member `key` (a string literal that must
 * outlive it) of `data`. Nothing is scanned until the first lookup. */
void ruru_galaxy_json_pos_init(struct ruru_galaxy_json_pos *pos,
                               const char *data,
                               size_t len,
                               const char *key);

/* OUT: *line and *col (1-based; the column counts bytes) of element `index`, or 0 and 0 when
 * the member or the element is not found. Cheapest when indexes come in increasing order;
 * an earlier index restarts the walk. */
void ruru_galaxy_json_pos_find(struct ruru_galaxy_json_pos *pos,
                               size_t index,
                               uint64_t *line,
                               uint64_t *col);

/* Hands a rejection to ctx->sink (a no-op when it takes none), positioned at element `index`
 * of `pos` (pos NULL: no position). `reason` must be a static phrase. Returns what the sink
 * returns. */
enum ruru_err ruru_galaxy_json_reject(const struct ruru_import_ctx *ctx,
                                      struct ruru_galaxy_json_pos *pos,
                                      size_t index,
                                      const char *object_ref,
                                      const char *value,
                                      const char *reason);

#endif
