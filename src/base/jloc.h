/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Positions in a JSON document that was parsed by a library keeping none (jansson). The
 * caller names a value by its path from the root ("response", 3, "Event", "Attribute", 0) and
 * gets its line and column, found by a skip-scanner over the raw bytes that knows strings,
 * escapes and bracket depth (a counter, so deep nesting costs no stack). The locator remembers
 * where each step of the last path ended; paths asked for in document order walk on from there,
 * so all the lookups of one import cost about one pass over the bytes.
 *
 * Like jansson, the last of duplicate members is the one found; a member name written with
 * escapes is not found (the lookup answers 0, 0).
 */
#ifndef RURU_BASE_JLOC_H
#define RURU_BASE_JLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest path looked up: the MISP importer needs 8 ("response", i, "Event", "Object", j,
 * "Attribute", k, "Tag"); deeper paths answer 0, 0. */
#define RURU_JLOC_MAX_DEPTH 10

/* A byte of the document with its line: `line` is 1-based, `line_off` the offset of its first
 * byte, so the column is off - line_off + 1. */
struct ruru_jpos {
    size_t off;
    uint64_t line;
    size_t line_off;
};

/* One step of a path: a member (key != NULL; it must outlive the locator's next call) or an
 * array element. */
struct ruru_jstep {
    const char *key;
    size_t index;
};

/* A step already followed, and where its value starts. */
struct ruru_jframe {
    struct ruru_jstep step;
    struct ruru_jpos pos;
};

/* Invariant: frames[0..n_frames) are a path from the root, each frame's pos the start of its
 * step's value. The document is borrowed. */
struct ruru_jloc {
    const char *data;
    size_t len;
    struct ruru_jpos root; /* the document's first value */
    struct ruru_jframe frames[RURU_JLOC_MAX_DEPTH];
    size_t n_frames;
};

void ruru_jloc_init(struct ruru_jloc *l, const char *data, size_t len);
/* OUT: *line, *col (1-based; the column counts bytes) of the value at path[0..depth), or 0, 0
 * when it cannot be found. */
void ruru_jloc_find(struct ruru_jloc *l,
                    const struct ruru_jstep *path,
                    size_t depth,
                    uint64_t *line,
                    uint64_t *col);
/* The line (1-based) of byte `off`, counted from the start: for a value found by other means
 * (a search for its text). 0 when off is past the end. */
uint64_t ruru_jloc_line_of(const struct ruru_jloc *l, size_t off);

#endif
