/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The intel store: one SQLite database (WAL) under $RURU_HOME holding every source, file,
 * indicator, entity (actor, technique, ...), relationship, rejection, warninglist and tag
 * meaning that was imported. Files are the unit of import: each is one transaction, and
 * re-importing a file replaces what that file gave before (an unchanged file, recognised by its
 * content hash, is skipped). Within a source an object keeps its ref; a newer version (by
 * `modified`) replaces an older one, an older one is ignored.
 *
 * Schema: docs/internals/store.md. The public entry points are in include/ruru.h; this header
 * is for the other intel modules (import, actors, queries).
 */
#ifndef RURU_INTEL_STORE_H
#define RURU_INTEL_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/intel.h"

struct ruru_store;

/* The store's SQLite connection (owned by the store). */
sqlite3 *ruru_store_db(struct ruru_store *store);
/* The database file, or RURU_STORE_MEMORY. */
const char *ruru_store_path(const struct ruru_store *store);
/* "<instance>-<generation>": changes whenever the intel does (a file committed, a source
 * removed). False when it cannot be read. */
bool ruru_store_generation(struct ruru_store *store, char *out, size_t cap);

/* A prepared statement of `sql` on db, kept for the connection's life, so that a query asked
 * again and again (the service's lookups) is parsed once: an idle one of the same SQL when
 * the connection has one, else a new one. Give it back with ruru_stmt_put (reset, bindings
 * cleared), never finalize it: closing the store finalizes them. Between getting it and its
 * first step, get no other statement of the same SQL. NULL when SQLite refuses the SQL. */
sqlite3_stmt *ruru_stmt_get(sqlite3 *db, const char *sql);
void ruru_stmt_put(sqlite3_stmt *st);

/* Per-file import counters, filled by the store's sink. */
struct ruru_import_stats {
    uint64_t n_by_type[RURU_IOC__COUNT]; /* indicators meant for detection (to_ids) */
    uint64_t n_indicators;               /* every indicator, context included */
    uint64_t n_context;                  /* to_ids false: stored as context, never swept */
    uint64_t n_context_by_type[RURU_IOC__COUNT];
    uint64_t n_older; /* objects ignored because the store had a newer version */
    uint64_t n_by_kind[RURU_ENTITY_INFRASTRUCTURE + 1];
    uint64_t n_entities;
    uint64_t n_relations;
    uint64_t n_warninglists;
    uint64_t n_warninglist_entries;
    uint64_t n_tag_meanings;
    uint64_t n_rejected;
};

/* One rejection as kept for the import report (the store keeps all of them). */
struct ruru_import_reject {
    uint64_t line, col;
    char *object_ref, *value, *reason;
};

/* An open file import: created by ruru_store_file_begin, ended by _commit or _rollback. */
struct ruru_store_file;

/* Starts importing `path` (as the user named it) of `format` into source `source`, whose bytes
 * hash to `hash`. OUT: *out. When the source already holds this path with the same hash,
 * returns RURU_OK with *out NULL and *unchanged true: nothing to do. A changed file replaces its
 * previous contents when committed. */
enum ruru_err ruru_store_file_begin(struct ruru_store *store,
                                    const char *source,
                                    const char *path,
                                    const char *format,
                                    const char *hash,
                                    uint64_t size,
                                    struct ruru_store_file **out,
                                    bool *unchanged,
                                    struct ruru_diag *diag);
/* The sink that writes into the open file import. */
const struct ruru_intel_sink *ruru_store_file_sink(struct ruru_store_file *f);
const struct ruru_import_stats *ruru_store_file_stats(const struct ruru_store_file *f);
/* The first rejections (at most RURU_REPORT_MAX_REJECTS), for the report. */
#define RURU_REPORT_MAX_REJECTS 1000
const struct ruru_import_reject *ruru_store_file_rejects(const struct ruru_store_file *f,
                                                         size_t *n);
/* Commits (f is freed either way). */
enum ruru_err ruru_store_file_commit(struct ruru_store_file *f, struct ruru_diag *diag);
/* Rolls back: the store is as before ruru_store_file_begin. f is freed. NULL is a no-op. */
void ruru_store_file_rollback(struct ruru_store_file *f);

/* Counts of a file row already in the store (for "unchanged" reports). */
enum ruru_err ruru_store_file_counts(struct ruru_store *store,
                                     const char *source,
                                     const char *path,
                                     struct ruru_import_stats *stats,
                                     char *format,
                                     size_t format_len);

/* The 64-bit key of the rhash and vhash columns (also the SQL function ruru_hash(text)). */
int64_t ruru_store_hash(const char *s, size_t len);

/* 16-byte range of an ipv4/ipv6/cidr4/cidr6 canonical value: IPv4 as ::ffff:a.b.c.d, so that
 * one byte-order comparison covers both families. Returns false for other values. */
bool ruru_store_ip_range(enum ruru_ioc_type type,
                         const char *value,
                         unsigned char lo[16],
                         unsigned char hi[16]);

#endif
