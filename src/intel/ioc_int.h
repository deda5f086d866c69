/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalisers shared by the files of the ioc module (ioc.c dispatches; ioc_host.c holds the
 * host artefacts: registry keys and MAC addresses). Each appends the canonical form of
 * `s` (trimmed, not empty, at most ioc.c's value bound) to `out` and returns true, or returns
 * false with *reason set to a static phrase (docs/normalisation.md).
 */
#ifndef RURU_INTEL_IOC_INT_H
#define RURU_INTEL_IOC_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

bool ruru_ioc_norm_regkey(const char *s, size_t len, struct ruru_buf *out, const char **reason);
bool ruru_ioc_norm_mac(const char *s, size_t len, struct ruru_buf *out, const char **reason);

#endif
