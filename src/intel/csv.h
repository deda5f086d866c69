/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the line-based list importers, csv.c (CSV and plain-text lists),
 * csv_loki.c (Loki / signature-base lists) and zeek.c (Zeek intel files): their common line
 * cap, the confidence words and dates lists use, and the UTF-8 hygiene of everything they
 * hand to the sink. The CSV and Zeek importers are declared in intel/intel.h, the Loki one
 * here; nothing here is public API.
 */
#ifndef RURU_INTEL_CSV_H
#define RURU_INTEL_CSV_H

#include <stdbool.h>
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
 * RURU_CSV_REJECT_VALUE_BYTES through `scratch`, `reason` a fixed phrase (or, for a regex
 * PCRE2 refuses, its message: text that lives until the call returns, which sinks copy).
 * Returns what the sink returns. */
enum ruru_err ruru_csv_reject(const struct ruru_import_ctx *ctx,
                              uint64_t line,
                              uint64_t col,
                              const char *value,
                              size_t n,
                              const char *reason,
                              struct ruru_buf *scratch);

/* Is the last label of canonical domain `domain` a top-level domain of the Public Suffix List
 * (its ICANN and private sections, without the "*" rule), or a name reserved for tests and
 * private networks (example, test, invalid, localhost, internal, local, lan, corp, home)?
 * "cmd.exe", "update.dll" end in none:
 * a value typed by inference alone is then no domain (a file name is never one). */
bool ruru_csv_known_tld(const char *domain);

/* A PCRE2 error message fits (they are under 120 bytes). */
#define RURU_CSV_REASON_BYTES 256

/* Does regex[0..n) compile with PCRE2 (as the sweep compiles filename-regex indicators)? When
 * not, `reason` (reset first) holds "regex does not compile: MESSAGE (at offset N)"; check
 * reason->failed for memory. */
bool ruru_csv_regex_ok(const char *regex, size_t n, struct ruru_buf *reason);

/* A type name ruru_ioc_type_parse does not know, looked up again with ' ' and '_' read as '-'
 * ("url path", "IP_Address") and among vendor feeds' names ("process", "AVDetection",
 * abuse.ch's "md5_hash"; docs/internals/lists.md). OUT: *type, *infer (as ruru_ioc_type_parse
 * gives them). False when it is none of them: the type is unknown. */
bool ruru_csv_feed_type(const char *name, size_t n, enum ruru_ioc_type *type, bool *infer);

/* In a file name or path whose every run of backslashes has an even length
 * ("Windows\\\\ADFS\\\\version.dll", escaped by whatever wrote the CSV), drops every second
 * backslash, in place; with any single backslash ("\\\\srv\\share", a UNC path) does nothing. */
void ruru_csv_unescape_backslashes(struct ruru_buf *f);

/* The order of day and month in a file's slash dates (csv_date.c): MDY when none of them shows
 * day first (the default: US exports), DMY when some do ("13/7/2021") and none shows month
 * first, MIXED when both are seen (then only the dates that show their order are read). */
enum ruru_csv_date_order { RURU_CSV_DATE_MDY, RURU_CSV_DATE_DMY, RURU_CSV_DATE_MIXED };

/* The order of the N/N/YYYY dates in data[0..len) (one pass over the bytes). */
enum ruru_csv_date_order ruru_csv_date_order(const char *data, size_t len);

/*
 * A date cell p[0..n) (need not be NUL-terminated) into unix seconds UTC: what
 * ruru_time_parse reads (RFC 3339, "YYYY-MM-DD[ HH:MM[:SS]]", epoch seconds), and
 * "M/D/YYYY", "D/M/YYYY" (by what the date shows, else by `order`), "D.M.YYYY",
 * "YYYY/MM/DD", each optionally followed by " HH:MM[:SS[.frac]]" with "AM"/"PM" and "Z"/"UTC".
 * A time without a zone is UTC. False when it is none of these or out of range.
 */
bool ruru_csv_date(const char *p, size_t n, enum ruru_csv_date_order order, int64_t *out);

/*
 * Loki / signature-base IOC lists (csv_loki.c; docs/internals/lists.md): "c2-iocs" (a host or
 * address per line, optionally ";score"), "hash-iocs" ("hash;[score;]description") and
 * "filename-iocs" ("regex;score[;false-positive regex]", filename-regex indicators checked
 * with PCRE2), each block tied to the report and actor its "#" header names; "keywords" lists
 * are refused line by line. The kind comes from the file name as Loki reads it, else from the
 * lines. Same contract as the importers of intel/intel.h (never RURU_EPARSE).
 */
enum ruru_err ruru_loki_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag);

/* Does data[0..len) look like a Loki list: a leading "#" comment block that names LOKI or
 * THOR (the scanners these lists are written for)? `path`'s file name also counts:
 * c2-iocs.txt, hash-iocs.txt, filename-iocs.txt, keywords.txt (signature-base's names). */
bool ruru_loki_detect(const char *path, const char *data, size_t len);

#endif
