/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-name regexes (indicator type filename-regex, from Loki lists): compiled once per sweep
 * from the match index, shared by all threads, and run on file-name and path fields only.
 *
 * Loki runs every regex on every path; 3,828 of them (signature-base's filename-iocs.txt) cost
 * about 0.8 ms per path with PCRE2 on the project machine. So each regex gives an atom, the
 * longest run of literal bytes every match of it must contain ("\inetpub\wwwroot\aspnet_client\"
 * of "\\inetpub\\wwwroot\\aspnet_client\\[^\\"]{1,20}\.aspx"), and one Vectorscan scan of the
 * path for all atoms (caseless: a prefilter may say yes too often, never too seldom) names the
 * few regexes worth running, JIT-compiled. A regex without an atom of 3 bytes or more (a
 * top-level alternation, "\\[0-9]\.(exe|dll)$") is always run: 19 of signature-base's.
 * 200,000 Sysmon records with two paths each take 5.2 s with the 3,711 regexes, 0.5 s
 * without (release build, one thread).
 */
#ifndef RURU_MATCH_FNREGEX_H
#define RURU_MATCH_FNREGEX_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match/index.h"

struct ruru_fnregex;
struct ruru_fnregex_scratch;

/* Compiles the index's filename-regex indicators. OUT: *out, or NULL when the index holds
 * none (then there is nothing to run). A regex that PCRE2 refuses (the importer checked them,
 * so only a store edited by hand) is skipped and counted. On failure *out is untouched and
 * diag says why. */
enum ruru_err
ruru_fnregex_build(const struct ruru_index *idx, struct ruru_fnregex **out, struct ruru_diag *diag);
void ruru_fnregex_destroy(struct ruru_fnregex *set);
/* Regexes compiled, and (OUT, may be NULL) those that did not compile. */
size_t ruru_fnregex_count(const struct ruru_fnregex *set, size_t *n_bad);

/* Scratch for one thread. OUT: *out (ruru_fnregex_scratch_destroy). */
enum ruru_err ruru_fnregex_scratch_create(const struct ruru_fnregex *set,
                                          struct ruru_fnregex_scratch **out);
void ruru_fnregex_scratch_destroy(struct ruru_fnregex_scratch *sc);

/* Calls fn with the index entry of every regex that matches somewhere in text[0..len), in
 * index order; a non-zero return stops. Returns false when the scan could not be made (memory). */
bool ruru_fnregex_match(const struct ruru_fnregex *set,
                        struct ruru_fnregex_scratch *sc,
                        const char *text,
                        size_t len,
                        int (*fn)(uint32_t ind, void *ctx),
                        void *ctx);

/* The atom of regex re[0..n) into out (at most cap bytes; OUT: *out_len, 0 when none). For
 * tests. */
void ruru_fnregex_atom(const char *re, size_t n, char *out, size_t cap, size_t *out_len);

#endif
