/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A STIX 2.1 patterning parser (STIX 2.1 §9 and its ANTLR grammar) that checks the whole
 * grammar but builds no tree: it only tells a "simple" pattern, a list of alternative values
 * ruru can type, from everything else, which is kept whole for the pattern engine.
 */
#ifndef RURU_INTEL_STIX_PATTERN_H
#define RURU_INTEL_STIX_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "intel/ioc.h"

/* At most this many values are split out of one pattern. Real OR lists (one advisory's
 * addresses) stay in the tens; a longer one is kept whole, which loses nothing (the pattern
 * engine matches it) and keeps the caller's array on the stack. */
#define RURU_STIX_MAX_VALUES 256

/* The errors of patterns that parse but say nothing sound; the STIX importer gives them as
 * the reason of its reject (every other error is "malformed STIX pattern"). */
#define RURU_STIX_ERR_QUALIFIER_TWICE "STIX pattern repeats a qualifier"
#define RURU_STIX_ERR_NOT_A_WINDOW    "STIX pattern START is not before STOP"
#define RURU_STIX_ERR_BAD_HASH        "STIX pattern compares a hash with a malformed value"
#define RURU_STIX_ERR_TOO_MANY_OPS \
    "STIX pattern has more than 1000 AND, OR and FOLLOWEDBY operators"
#define RURU_STIX_ERR_PATH_TOO_LONG "STIX pattern has an object path of more than 64 steps"

/* One value of a simple pattern. `type` is what the object path says: RURU_IOC_CIDR4 for
 * ipv4-addr:value, RURU_IOC_CIDR6 for ipv6-addr:value (the normaliser turns a plain address
 * into ipv4/ipv6), RURU_IOC_NONE for network-traffic:dst_ref.value / src_ref.value (the value
 * decides), and the plain type for every other path. */
struct ruru_stix_value {
    enum ruru_ioc_type type;
    size_t off, len; /* the unescaped literal: values->ptr + off, NUL-terminated after len */
};

/*
 * Parses the `len` bytes of `pattern` (not NUL-terminated).
 *
 * A pattern is simple when it is observations joined only by OR, each holding comparisons
 * joined only by OR, each of them `path = 'literal'` (or `=` with a number for
 * autonomous-system:number, or `ipv4-addr:value ISSUBSET 'cidr'`) on a path ruru types (see
 * docs/internals/stix.md), with no qualifier and no NOT.
 *
 * OUT: out[0 .. *n_values) the values of a simple pattern, in pattern order; *n_values is 0
 *      when the pattern must be kept whole. `values` (reset first) receives the unescaped
 *      literals; give it a cap of at least len + RURU_STIX_MAX_VALUES bytes so that only a
 *      failed allocation can stop it.
 * OUT: *error, *error_pos (byte offset in `pattern`) on RURU_EPARSE: a static phrase.
 *
 * Returns RURU_OK, RURU_EPARSE when the pattern does not parse, or RURU_ENOMEM when `values`
 * could not grow. Reentrant; keeps no state. Recursion is bounded, so hostile nesting cannot
 * exhaust the stack.
 */
enum ruru_err ruru_stix_split(const char *pattern,
                              size_t len,
                              struct ruru_stix_value *out,
                              size_t *n_values,
                              struct ruru_buf *values,
                              const char **error,
                              size_t *error_pos);

/* ---- the syntax tree (for the pattern engine) ------------------------------------------- */

enum ruru_stix_lit_kind {
    RURU_STIX_STR,   /* '...', unescaped */
    RURU_STIX_INT,   /* i */
    RURU_STIX_FLOAT, /* f */
    RURU_STIX_BOOL,  /* b */
    RURU_STIX_BIN,   /* b'...' or h'...' (hex set), decoded bytes */
    RURU_STIX_TIME,  /* t'...': sec, nsec */
};

struct ruru_stix_lit {
    enum ruru_stix_lit_kind kind;
    const char *s; /* STR, BIN: the bytes (NUL-terminated, len bytes) */
    size_t len;
    int64_t i;
    double f;
    bool b, hex;
    int64_t sec;  /* TIME: unix seconds */
    int32_t nsec; /* TIME: nanoseconds (the fraction, cut at 9 digits) */
};

enum ruru_stix_step_kind { RURU_STIX_PROP, RURU_STIX_INDEX, RURU_STIX_ANY };

struct ruru_stix_step {
    enum ruru_stix_step_kind kind;
    const char *name; /* PROP, NUL-terminated */
    int64_t index;    /* INDEX (may be negative: from the end) */
};

struct ruru_stix_path {
    const char *type; /* the object type ("file") */
    struct ruru_stix_step *steps;
    size_t n_steps;
};

enum ruru_stix_op {
    RURU_STIX_EQ,
    RURU_STIX_NEQ,
    RURU_STIX_LT,
    RURU_STIX_LE,
    RURU_STIX_GT,
    RURU_STIX_GE,
    RURU_STIX_IN,
    RURU_STIX_LIKE,
    RURU_STIX_MATCHES,
    RURU_STIX_ISSUBSET,
    RURU_STIX_ISSUPERSET,
    RURU_STIX_EXISTS,
};

enum ruru_stix_node_kind {
    RURU_STIX_FOLLOWEDBY, /* a, b: observation expressions */
    RURU_STIX_OBS_OR,
    RURU_STIX_OBS_AND,
    RURU_STIX_WITHIN,      /* a, seconds */
    RURU_STIX_REPEATS,     /* a, times */
    RURU_STIX_STARTSTOP,   /* a, start, stop */
    RURU_STIX_OBSERVATION, /* [ a ]: a comparison expression */
    RURU_STIX_CMP_OR,
    RURU_STIX_CMP_AND,
    RURU_STIX_TEST, /* path op literal(s) */
};

struct ruru_stix_node {
    enum ruru_stix_node_kind kind;
    struct ruru_stix_node *a, *b;
    double seconds;
    int64_t times;
    struct ruru_stix_lit start, stop;
    struct ruru_stix_path path;
    enum ruru_stix_op op;
    bool negated;
    struct ruru_stix_lit *lits; /* one, or the members of IN's set */
    size_t n_lits;
    void *aux; /* NULL from the parser; the pattern engine's compiled form of a TEST */
};

/* Is s[0..n) a STIX timestamp, YYYY-MM-DDTHH:MM:SS[.fraction]Z in upper case with every field
 * in range? OUT: *sec (unix seconds), *nsec (the fraction, cut at 9 digits). */
bool ruru_stix_timestamp(const char *s, size_t n, int64_t *sec, int32_t *nsec);

/* Parses a pattern into a tree in `arena` (the grammar and errors of ruru_stix_split). OUT:
 * *out. RURU_EPARSE with *error and *error_pos; RURU_ENOMEM when the arena is full. */
enum ruru_err ruru_stix_parse(const char *pattern,
                              size_t len,
                              struct ruru_arena *arena,
                              struct ruru_stix_node **out,
                              const char **error,
                              size_t *error_pos);

#endif
