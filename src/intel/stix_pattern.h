/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A STIX 2.1 patterning parser (STIX 2.1 §9 and its ANTLR grammar) that checks the whole
 * grammar but builds no tree: it only tells a "simple" pattern, a list of alternative values
 * ruru can type, from everything else, which is kept whole for the pattern engine.
 */
#ifndef RURU_INTEL_STIX_PATTERN_H
#define RURU_INTEL_STIX_PATTERN_H

#include <stddef.h>

#include "base/buf.h"
#include "intel/ioc.h"

/* At most this many values are split out of one pattern. Real OR lists (one advisory's
 * addresses) stay in the tens; a longer one is kept whole, which loses nothing (the pattern
 * engine matches it) and keeps the caller's array on the stack. */
#define RURU_STIX_MAX_VALUES 256

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

#endif
