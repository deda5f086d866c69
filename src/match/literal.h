/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Literal search with Vectorscan, for the indicator values that are not tokens: a user agent
 * holds spaces and parentheses, a string can be anything, so neither can be cut out of a line
 * and looked up; in text without fields they can only be searched for (DESIGN.md §4). The
 * database is built from the match index at the start of a sweep, only when the index holds
 * such indicators, and is shared by all threads; each thread scans with its own scratch.
 *
 * Occurrences are reported raw; the caller decides whether the bytes around one make it a
 * whole value (ruru_literal_bounded) — "curl/7.68.0" is not in "curl/7.68.01".
 */
#ifndef RURU_MATCH_LITERAL_H
#define RURU_MATCH_LITERAL_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "match/index.h"

struct ruru_literals;
struct ruru_literals_scratch;

/* Compiles the keys of the index's indicators whose type is in `types` (one bit per enum
 * ruru_ioc_type). OUT: *out, or NULL when the index holds no such indicator (then nothing is
 * to be searched). On failure *out is untouched and diag says why. */
enum ruru_err ruru_literals_build(const struct ruru_index *idx,
                                  uint64_t types,
                                  struct ruru_literals **out,
                                  struct ruru_diag *diag);
void ruru_literals_destroy(struct ruru_literals *lit);
size_t ruru_literals_count(const struct ruru_literals *lit);

/* Scratch for one thread. OUT: *out (ruru_literals_scratch_destroy). */
enum ruru_err ruru_literals_scratch_create(const struct ruru_literals *lit,
                                           struct ruru_literals_scratch **out);
void ruru_literals_scratch_destroy(struct ruru_literals_scratch *sc);

/* Called for each occurrence: `ind` is the index entry, [start, end) the bytes in the text.
 * A non-zero return stops the scan. */
typedef int (*ruru_literal_fn)(uint32_t ind, size_t start, size_t end, void *ctx);

/* Reports every occurrence of every literal in text[0..len). RURU_ESTOPPED when fn stopped
 * it; RURU_EINVAL for a text Vectorscan cannot take (over 4 GiB). */
enum ruru_err ruru_literals_scan(const struct ruru_literals *lit,
                                 struct ruru_literals_scratch *sc,
                                 const char *text,
                                 size_t len,
                                 ruru_literal_fn fn,
                                 void *ctx);

/*
 * Vectorscan 5.4.9 (Debian 12's) misses some literal matches that end in the last, partial
 * block of the buffer it scans, depending on the set of literals: {".js", ".vbs"} misses
 * ".vbs" in 4 % of its places in buffers of 68 bytes and more (measured here, AVX-512 and
 * generic targets alike; alternations of literals in regexes too). Scanning a copy followed by
 * RURU_HS_PAD NUL bytes moves every real match out of that block; matches that end past the
 * text are not reported (literals hold no NUL). Every literal scan of ruru goes through here.
 */
#define RURU_HS_PAD 64

struct hs_database;
struct hs_scratch;

/* Copies text[0..len) into `copy` followed by the padding; false when memory ran out or len is
 * over 4 GiB. Then ruru_hs_scan_pad scans it with any number of databases (len: the text's). */
bool ruru_hs_pad(struct ruru_buf *copy, const char *text, size_t len);
int ruru_hs_scan_pad(const struct hs_database *db,
                     const struct ruru_buf *padded,
                     size_t len,
                     struct hs_scratch *scratch,
                     int (*fn)(unsigned int id,
                               unsigned long long from,
                               unsigned long long to,
                               unsigned int flags,
                               void *ctx),
                     void *ctx);

/* Both at once: hs_scan of text[0..len) padded as above, with `copy` (the caller's, per thread) as
 * room. fn is Vectorscan's match handler; its `to` never exceeds len. Returns Vectorscan's result
 * (HS_SUCCESS, HS_SCAN_TERMINATED when fn stopped it), or -1 when the copy could not be made
 * (memory, or len over 4 GiB). */
int ruru_hs_scan_padded(const struct hs_database *db,
                        const char *text,
                        size_t len,
                        struct hs_scratch *scratch,
                        int (*fn)(unsigned int id,
                                  unsigned long long from,
                                  unsigned long long to,
                                  unsigned int flags,
                                  void *ctx),
                        void *ctx,
                        struct ruru_buf *copy);

/* Is text[start, end) a whole value: not glued to a letter, digit, '-', '_', '/' or '.' before
 * it, nor to a letter, digit, '-', '_' or '/' after it, nor to a '.' that goes on with one
 * ("curl/7.68.0" is not in "curl/7.68.0.1", but is in "curl/7.68.0.")? */
bool ruru_literal_bounded(const char *text, size_t len, size_t start, size_t end);

#endif
