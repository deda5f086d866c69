/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML documents as small trees, for Sigma rules, the config file and YAML intel. libyaml does the
 * parsing (its event API); this module keeps what a rule loader needs: scalars with their
 * style (a quoted '1' is a string, a plain 1 a number; a plain null is null), sequences, maps
 * in file order, and the line and column of every node so that an error names its place.
 * Anchors and aliases are resolved by copying the reference (rules do not use them; a
 * document that aliases itself more than a few times is refused as a YAML bomb).
 *
 * All nodes of a file live in one arena owned by the caller.
 */
#ifndef RURU_BASE_YAML_H
#define RURU_BASE_YAML_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

enum ruru_yaml_kind { RURU_YAML_SCALAR, RURU_YAML_SEQ, RURU_YAML_MAP };

struct ruru_yaml {
    enum ruru_yaml_kind kind;
    uint32_t line, col; /* 1-based */
    /* scalar */
    const char *text; /* NUL-terminated (a NUL inside is refused) */
    size_t len;
    bool plain; /* unquoted, unfolded: may be null, a bool or a number */
    /* sequence: items[0..n); map: keys items[2i], values items[2i + 1], i < n */
    struct ruru_yaml **items;
    size_t n;
};

/* Parses every document of buf[0..len). OUT: *docs (an array of *n_docs trees, in the arena).
 * RURU_EPARSE with line and column in diag for a YAML error, RURU_ELIMIT for nesting deeper
 * than 64, more than 1 M nodes or alias expansion past that; RURU_ENOMEM. `source` names the
 * file in diag. */
enum ruru_err ruru_yaml_load(const char *buf,
                             size_t len,
                             const char *source,
                             struct ruru_arena *arena,
                             struct ruru_yaml ***docs,
                             size_t *n_docs,
                             struct ruru_diag *diag);

/* The value of key `key` in map `m`, or NULL (also when m is not a map). */
const struct ruru_yaml *ruru_yaml_get(const struct ruru_yaml *m, const char *key);
/* Is the node a plain scalar null ("null", "Null", "NULL", "~", or empty)? */
bool ruru_yaml_is_null(const struct ruru_yaml *y);
/* The node's text if it is a scalar, else NULL. */
const char *ruru_yaml_str(const struct ruru_yaml *y);

#endif
