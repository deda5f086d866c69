/* SPDX-License-Identifier: Apache-2.0 */
/* The handles of rdb.h as rdb_sqlite.c and rdb_pg.c share them: one of the two backends. */
#ifndef RURU_CASES_RDB_INT_H
#define RURU_CASES_RDB_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cases/rdb.h"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
struct pg_result;

struct rdb {
    enum rdb_backend backend;
    struct sqlite3 *lite; /* RDB_SQLITE */
    struct pg_conn *pg;   /* RDB_PG */
    char err[512];        /* PostgreSQL: the last failure's message */
    int64_t changes;      /* PostgreSQL: rows the last statement changed */
    bool nomem;           /* the last failure was memory running out (rdb_nomem) */
};

struct rdb_stmt {
    enum rdb_backend backend;
    struct rdb *db;
    struct sqlite3_stmt *st; /* RDB_SQLITE */
    /* RDB_PG: the SQL with $N, the parameters as text (NULL: NULL), the result and the row
     * being read (-1 before the first step) */
    char *sql;
    int n_params;
    char **params;
    struct pg_result *res;
    int row, rows;
    bool ran;
    bool nomem; /* a parameter could not be copied: the step fails */
};

/* rdb_pg.c's halves of the calls of rdb.h. */
bool rdb_pg_exec(rdb *db, const char *sql);
rdb_stmt *rdb_pg_prepare(rdb *db, const char *sql);
void rdb_pg_bind_text(rdb_stmt *st, int i, const char *v);
enum rdb_step rdb_pg_step(rdb_stmt *st);
const char *rdb_pg_column_text(rdb_stmt *st, int i);
void rdb_pg_reset(rdb_stmt *st);
void rdb_pg_clear(rdb_stmt *st);
void rdb_pg_finalize(rdb_stmt *st);
void rdb_pg_close(rdb *db);
bool rdb_pg_begin(rdb *db, bool lock);
bool rdb_pg_in_tx(rdb *db);

#endif
