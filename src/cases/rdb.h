/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register's database, SQLite or PostgreSQL, behind one small interface (rdb_sqlite.c,
 * rdb_pg.c), so that the register's SQL is written once. That SQL keeps to what both accept:
 * parameters written ?1, ?2 ... (PostgreSQL's side turns them into $1, $2 ...), a parameter
 * whose type nothing around it tells written CAST(?3 AS TEXT), null-safe equality written
 * IS NOT DISTINCT FROM, counts of a condition written CASE WHEN ... THEN 1 ELSE 0 END, a flag
 * tested as `x <> 0`, a conflict target on every ON CONFLICT, NULLS FIRST where NULLs are
 * ordered. Only the schema and its version differ per backend (register_schema.c).
 *
 * A statement binds text, 64-bit integers and NULL, then steps its rows; a column reads as
 * text (NULL for NULL), a 64-bit integer or a double, whatever the backend's own type. Not
 * thread-safe: one connection, one thread at a time.
 */
#ifndef RURU_CASES_RDB_H
#define RURU_CASES_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rdb rdb;
typedef struct rdb_stmt rdb_stmt;

enum rdb_backend { RDB_SQLITE = 1, RDB_PG = 2 };

/* What rdb_step gives. */
enum rdb_step { RDB_ERROR = -1, RDB_DONE = 0, RDB_ROW = 1 };

/* Opens the SQLite file `path` (created when missing; waiting up to 10 s for a lock) or the
 * PostgreSQL database of libpq connection string or URI `conninfo`. On failure *out is NULL
 * and err (cap bytes) says why; NULL for out of memory. */
bool rdb_open_sqlite(const char *path, rdb **out, char *err, size_t cap);
bool rdb_open_pg(const char *conninfo, rdb **out, char *err, size_t cap);
void rdb_close(rdb *db);

enum rdb_backend rdb_backend_of(const rdb *db);
/* The last failure's message (never NULL). */
const char *rdb_errmsg(rdb *db);
/* True when the last failure was memory running out (a statement's own memory), not the
 * database. */
bool rdb_nomem(const rdb *db);
/* The SQLite connection (NULL for PostgreSQL): the SQLite-only schema code uses it. */
struct sqlite3 *rdb_sqlite_handle(rdb *db);

/* Runs SQL text without parameters (several statements on SQLite; one or several on
 * PostgreSQL). False on failure. */
bool rdb_exec(rdb *db, const char *sql);

/* A statement of `sql` (?N parameters), NULL on failure. */
rdb_stmt *rdb_prepare(rdb *db, const char *sql);
/* Parameter i (from 1). Text is copied (NULL binds NULL). */
void rdb_bind_text(rdb_stmt *st, int i, const char *v);
void rdb_bind_int64(rdb_stmt *st, int i, int64_t v);
void rdb_bind_null(rdb_stmt *st, int i);
/* The next row (RDB_ROW), the end (RDB_DONE) or a failure. Runs the statement at the first
 * call after prepare or reset. */
enum rdb_step rdb_step(rdb_stmt *st);
/* Column i (from 0) of the current row. Text stays valid until the next step, reset or
 * finalize. */
const char *rdb_column_text(rdb_stmt *st, int i);
int64_t rdb_column_int64(rdb_stmt *st, int i);
double rdb_column_double(rdb_stmt *st, int i);
bool rdb_column_is_null(rdb_stmt *st, int i);
/* Back to before the first step, bindings kept (rdb_clear clears them too). */
void rdb_reset(rdb_stmt *st);
void rdb_clear(rdb_stmt *st);
void rdb_finalize(rdb_stmt *st);
/* Rows the last INSERT, UPDATE or DELETE of this connection changed. */
int64_t rdb_changes(rdb *db);

/* Transactions. rdb_begin_write serialises with every other writer of the register that
 * calls it (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN, then a transaction-scoped advisory
 * lock of a fixed key, released at COMMIT or ROLLBACK). rdb_begin is a plain transaction
 * (on SQLite, BEGIN IMMEDIATE too: its writers are one at a time anyway). */
bool rdb_begin_write(rdb *db);
bool rdb_begin(rdb *db);
bool rdb_commit(rdb *db);
void rdb_rollback(rdb *db);
/* True while a transaction is open (SQLite ends one by itself on some failures). */
bool rdb_in_tx(rdb *db);

/* The key of the advisory lock that serialises recordings on PostgreSQL ("ruru" "reg"). */
#define RDB_PG_LOCK_KEY 0x7275727572656700LL

/* `url` with the password of a URI (postgresql://user:PASSWORD@...) or a password=... keyword
 * replaced by ***, for messages; cut to cap - 1 bytes. */
void rdb_url_safe(const char *url, char *out, size_t cap);

#endif
