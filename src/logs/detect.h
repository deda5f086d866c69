/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log format detection: which format an input is in, from its first lines (DESIGN.md §5).
 * Each format's entry in the table of formats (formats.h) says how it is recognised; the
 * first that claims the input wins, and plain text is the fallback, so every input is swept.
 */
#ifndef RURU_LOGS_DETECT_H
#define RURU_LOGS_DETECT_H

#include <stddef.h>

#include "logs/formats.h"

/* Looks at up to the first 64 KiB / 32 lines of `data`. */
enum ruru_log_kind ruru_log_detect(const char *data, size_t len);

#endif
