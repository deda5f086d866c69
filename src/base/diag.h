/* SPDX-License-Identifier: Apache-2.0 */
/* Filling the caller-owned struct ruru_diag (include/ruru.h). */
#ifndef RURU_BASE_DIAG_H
#define RURU_BASE_DIAG_H

#include <ruru.h>
#include <stdint.h>

/* Sets every field of `diag` (NULL is a no-op) and returns `err`, so that a failure reads
 * `return ruru_diag_set(diag, RURU_EPARSE, path, line, col, "expected %s", what);`. */
enum ruru_err ruru_diag_set(struct ruru_diag *diag,
                            enum ruru_err err,
                            const char *source,
                            uint64_t line,
                            uint64_t col,
                            const char *fmt,
                            ...) __attribute__((format(printf, 6, 7)));

/* Clears `diag` (NULL is a no-op): empty message, no source, item -1. */
void ruru_diag_clear(struct ruru_diag *diag);

#endif
