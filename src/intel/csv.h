/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the two line-based list importers, csv.c (CSV and plain-text lists) and
 * zeek.c (Zeek intel files): their common line cap, the confidence words lists use, and the
 * UTF-8 hygiene of everything they hand to the sink. The importers themselves are declared in
 * intel/intel.h; nothing here is public API.
 */
#ifndef RURU_INTEL_CSV_H
#define RURU_INTEL_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "intel/intel.h"

/* A longer line is no indicator row: both importers reject it ("line too long") and carry on
 * after the next newline. 1 MiB is ~500 times the longest real indicator (a 2 KiB URL) and
 * keeps every per-row buffer bounded. */
#define RURU_CSV_MAX_LINE_BYTES (1u << 20)

/* What a rejection shows of the offending value: enough to find it in the file. */
#define RURU_CSV_REJECT_VALUE_BYTES 256u

/*
 * Confidence as lists write it, in 0..100, or -1 when `p` (n bytes, need not be
 * NUL-terminated) is none of these:
 *   "80", "80%"            whole numbers 0..100 (a fraction part is truncated: "80.9" -> 80)
 *   "0.8", "1.0"           a number in [0, 1] written with a dot is a fraction: 80, 100
 *                          (beyond two decimals truncated: "0.855" -> 85)
 *   "high" "medium" "low"  85, 50, 15 (ASCII case ignored): the middle of ICD 203's "very
 *                          likely" band, an even chance, and "very unlikely".
 */
int ruru_csv_confidence(const char *p, size_t n);

/* The length of the longest prefix of `p` that is well-formed UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) and holds no NUL byte. n means all of it. */
size_t ruru_csv_utf8_prefix(const char *p, size_t n);

/*
 * `p` as sink text: NUL-terminated, well-formed UTF-8 of at most `max` bytes. Returns `p`
 * itself when it already is all that (`p[n]` must then be readable and NUL: callers pass cells
 * of their own NUL-terminated buffers); otherwise a copy in `out` (reset first) where each
 * invalid byte and each NUL became U+FFFD and the text was cut at a character boundary.
 * Returns NULL only when `out` cannot grow (out of memory).
 */
const char *ruru_csv_text(const char *p, size_t n, size_t max, struct ruru_buf *out);

/* Like ruru_csv_text, but always copies: for bytes straight from the input, which are not
 * NUL-terminated. */
const char *ruru_csv_text_copy(const char *p, size_t n, size_t max, struct ruru_buf *out);

/* Hands a rejection to ctx->sink (a no-op when it takes none): `line` and `col` 1-based (0:
 * unknown), the value (n bytes from the input) shown cleaned and cut to
 * RURU_CSV_REJECT_VALUE_BYTES through `scratch`, `reason` a static phrase. Returns what the
 * sink returns. */
enum ruru_err ruru_csv_reject(const struct ruru_import_ctx *ctx,
                              uint64_t line,
                              uint64_t col,
                              const char *value,
                              size_t n,
                              const char *reason,
                              struct ruru_buf *scratch);

#endif
