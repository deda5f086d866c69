/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep engine: what a sweep needs loaded before it reads a line (the match index, the
 * literals, the file-name regexes, the Sigma rules, the STIX patterns and the sightings
 * writer), opened once and used by any number of sweeps one after another. ruru_scan opens
 * one, sweeps its inputs and closes it; a stream worker keeps one open across its batches and
 * opens a new one when the store's intel changed (ruru_engine_stale).
 *
 * An input of a sweep is a file path (a directory expands to its files, "-" is standard input)
 * or a buffer in memory with a name: both go through the same reader (gzip and zstd undone by
 * content, the format detected from the first block unless forced). The name of a memory input
 * is what its sightings cite as log.file.path; its syslog year is "now", as standard input's.
 *
 * Correlation rules and STIX patterns of several observations are evaluated over the records
 * of one sweep: a stream worker's correlations reach no further than one batch.
 */
#ifndef RURU_SCAN_ENGINE_H
#define RURU_SCAN_ENGINE_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>

struct ruru_engine;

/* One input of a sweep. */
struct ruru_scan_input {
    const char *path; /* a file path, or a memory input's name (its log.file.path) */
    const char *data; /* NULL: read the file at path; else the input's bytes (len of them) */
    size_t len;
    const char *format; /* the input's format (ruru_log_formats), NULL: opts->log_format, else
                           detected */
    /* A memory input of one-line records that each have a name of their own (messages joined
     * with newlines): line i + 1 is names[i], and a sighting of it is placed there (names[i],
     * line 1, offset 0). NULL: the input is one source (path). Both are borrowed for the sweep;
     * the names must number the lines. */
    const char *const *names;
    size_t n_names;
    /* OUT: the format the sweep read it as (a static name), NULL when it was not read */
    const char *detected;
};

/* Loads what the sweeps of `store` with `opts` need (both must outlive the engine). A rule of
 * opts->rule_paths that cannot be loaded is said to opts->on_error and kept as the engine's
 * load error (ruru_engine_load_error); the engine still opens. OUT: *out. RURU_EINVAL for an
 * unknown opts->log_format or a bad logsource tie. */
enum ruru_err ruru_engine_open(struct ruru_store *store,
                               const struct ruru_scan_opts *opts,
                               struct ruru_engine **out,
                               struct ruru_diag *diag);

/* True when the store's intel changed since the engine was opened (its generation moved): the
 * caller opens a new engine to sweep with the new intel. */
bool ruru_engine_stale(struct ruru_engine *e);

/* The first error of loading (a rule of opts->rule_paths refused), RURU_OK when none. */
enum ruru_err ruru_engine_load_error(const struct ruru_engine *e, struct ruru_diag *diag);

/* What a sweep read and found, over all its inputs. */
struct ruru_sweep_totals {
    uint64_t bytes, lines, unparsed, sightings;
};

/* Sweeps inputs[0..n) in order, reporting to the engine's opts callbacks (ruru_scan's
 * contract). With `load_errors`, the engine's load error is the sweep's first. OUT:
 * *summary_json (NULL: none wanted), *totals (NULL: not wanted), inputs[i].detected. Returns
 * as ruru_scan does. */
enum ruru_err ruru_engine_sweep(struct ruru_engine *e,
                                struct ruru_scan_input *inputs,
                                size_t n,
                                bool load_errors,
                                char **summary_json,
                                struct ruru_sweep_totals *totals,
                                struct ruru_diag *diag);

/* The format name of a sample of a log (the first bytes of a memory input, decoded): what a
 * sweep would detect. */
const char *ruru_engine_detect(const char *buf, size_t len);

void ruru_engine_close(struct ruru_engine *e);

#endif
