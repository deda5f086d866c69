/* SPDX-License-Identifier: Apache-2.0 */
/* The register's database interface (rdb.h) on SQLite: a thin layer over sqlite3. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "cases/rdb.h"
#include "cases/rdb_int.h"

#define IS_PG(x) ((x)->backend == RDB_PG)

bool rdb_open_sqlite(const char *path, rdb **out, char *err, size_t cap)
{
    struct rdb *r = ruru_calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL) {
        snprintf(err, cap, "out of memory");
        return false;
    }
    r->backend = RDB_SQLITE;
    if (sqlite3_open_v2(path, &r->lite, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
                SQLITE_OK ||
        sqlite3_busy_timeout(r->lite, 10000) != SQLITE_OK) {
        snprintf(err, cap, "%s", r->lite ? sqlite3_errmsg(r->lite) : "out of memory");
        sqlite3_close(r->lite);
        ruru_free(r);
        return false;
    }
    *out = r;
    return true;
}

void rdb_close(rdb *db)
{
    sqlite3_stmt *st;

    if (db == NULL)
        return;
    if (IS_PG(db)) {
        rdb_pg_close(db);
        return;
    }
    /* statements kept elsewhere (ruru_stmt_get) */
    while ((st = sqlite3_next_stmt(db->lite, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(db->lite);
    ruru_free(db);
}

enum rdb_backend rdb_backend_of(const rdb *db)
{
    return db->backend;
}

const char *rdb_errmsg(rdb *db)
{
    return IS_PG(db) ? db->err : sqlite3_errmsg(db->lite);
}

bool rdb_nomem(const rdb *db)
{
    return db->nomem;
}

struct sqlite3 *rdb_sqlite_handle(rdb *db)
{
    return IS_PG(db) ? NULL : db->lite;
}

bool rdb_exec(rdb *db, const char *sql)
{
    return IS_PG(db) ? rdb_pg_exec(db, sql)
                     : sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK;
}

rdb_stmt *rdb_prepare(rdb *db, const char *sql)
{
    struct rdb_stmt *s;
    sqlite3_stmt *st = NULL;

    db->nomem = false;
    if (IS_PG(db))
        return rdb_pg_prepare(db, sql);
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    if ((s = ruru_calloc(1, sizeof(*s))) == NULL) {
        sqlite3_finalize(st);
        db->nomem = true;
        return NULL;
    }
    s->backend = RDB_SQLITE;
    s->st = st;
    s->db = db;
    return s;
}

void rdb_bind_text(rdb_stmt *st, int i, const char *v)
{
    if (IS_PG(st))
        rdb_pg_bind_text(st, i, v);
    else
        sqlite3_bind_text(st->st, i, v, -1, SQLITE_TRANSIENT);
}

void rdb_bind_int64(rdb_stmt *st, int i, int64_t v)
{
    char t[24];

    if (!IS_PG(st)) {
        sqlite3_bind_int64(st->st, i, v);
        return;
    }
    snprintf(t, sizeof(t), "%" PRId64, v);
    rdb_pg_bind_text(st, i, t);
}

void rdb_bind_null(rdb_stmt *st, int i)
{
    rdb_bind_text(st, i, NULL);
}

enum rdb_step rdb_step(rdb_stmt *st)
{
    int rc;

    if (IS_PG(st))
        return rdb_pg_step(st);
    st->db->nomem = false;
    rc = sqlite3_step(st->st);
    st->db->nomem = rc == SQLITE_NOMEM;
    return rc == SQLITE_ROW ? RDB_ROW : rc == SQLITE_DONE ? RDB_DONE : RDB_ERROR;
}

const char *rdb_column_text(rdb_stmt *st, int i)
{
    return IS_PG(st) ? rdb_pg_column_text(st, i) : (const char *)sqlite3_column_text(st->st, i);
}

int64_t rdb_column_int64(rdb_stmt *st, int i)
{
    const char *t;

    if (!IS_PG(st))
        return sqlite3_column_int64(st->st, i);
    /* PostgreSQL's text form: a number, or t/f for a boolean (EXISTS) */
    t = rdb_pg_column_text(st, i);
    if (t == NULL)
        return 0;
    if (strcmp(t, "t") == 0)
        return 1;
    return strtoll(t, NULL, 10);
}

double rdb_column_double(rdb_stmt *st, int i)
{
    const char *t;

    if (!IS_PG(st))
        return sqlite3_column_double(st->st, i);
    t = rdb_pg_column_text(st, i);
    return t != NULL ? strtod(t, NULL) : 0.0;
}

bool rdb_column_is_null(rdb_stmt *st, int i)
{
    return IS_PG(st) ? rdb_pg_column_text(st, i) == NULL
                     : sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

void rdb_reset(rdb_stmt *st)
{
    if (IS_PG(st))
        rdb_pg_reset(st);
    else
        sqlite3_reset(st->st);
}

void rdb_clear(rdb_stmt *st)
{
    if (IS_PG(st)) {
        rdb_pg_clear(st);
        return;
    }
    sqlite3_reset(st->st);
    sqlite3_clear_bindings(st->st);
}

void rdb_finalize(rdb_stmt *st)
{
    if (st == NULL)
        return;
    if (IS_PG(st)) {
        rdb_pg_finalize(st);
        return;
    }
    sqlite3_finalize(st->st);
    ruru_free(st);
}

int64_t rdb_changes(rdb *db)
{
    return IS_PG(db) ? db->changes : (int64_t)sqlite3_changes(db->lite);
}

bool rdb_begin_write(rdb *db)
{
    if (IS_PG(db))
        return rdb_pg_begin(db, true);
    return sqlite3_exec(db->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
}

bool rdb_begin(rdb *db)
{
    if (IS_PG(db))
        return rdb_pg_begin(db, false);
    return sqlite3_exec(db->lite, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
}

bool rdb_commit(rdb *db)
{
    return rdb_exec(db, "COMMIT");
}

void rdb_rollback(rdb *db)
{
    if (rdb_in_tx(db))
        rdb_exec(db, "ROLLBACK");
}

bool rdb_in_tx(rdb *db)
{
    return IS_PG(db) ? rdb_pg_in_tx(db) : !sqlite3_get_autocommit(db->lite);
}
