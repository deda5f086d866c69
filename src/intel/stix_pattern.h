/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A STIX 2.1 patterning parser just deep enough to split simple patterns into typed indicators
 * and to recognise everything else as a pattern to keep whole for the pattern engine.
 */
#ifndef RURU_INTEL_STIX_PATTERN_H
#define RURU_INTEL_STIX_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "intel/ioc.h"

/* At most this many values are split out of one pattern; a larger OR list is kept whole. */
#define RURU_STIX_MAX_VALUES 256

struct ruru_stix_value {
    enum ruru_ioc_type type; /* RURU_IOC_NONE: an address of either family, by its text */
    size_t off, len;         /* the unescaped literal, in ruru_stix_split's `values` buffer */
};

/*
 * Parses `pattern`. Returns false when it does not parse (*error says where and why, a static
 * phrase). On success, *n_values is the number of typed values when the pattern is "simple" —
 * observations joined only by OR, each a comparison or OR of comparisons `path = 'literal'`
 * (or `ipv4-addr:value ISSUBSET 'cidr'`) on a path ruru types — and 0 when it must be kept
 * whole. `values` receives the unescaped literals.
 */
bool ruru_stix_split(const char *pattern,
                     size_t len,
                     struct ruru_stix_value *out,
                     size_t *n_values,
                     struct ruru_buf *values,
                     const char **error,
                     size_t *error_pos);

#endif
