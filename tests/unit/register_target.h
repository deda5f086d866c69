/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register a unit test opens: SQLite under the test's home (HOME/register.db) by default;
 * with RURU_TEST_REGISTER set to a PostgreSQL maintenance database's URL (tests/pg/with_pg.sh
 * sets it), a database of its own per home (named after the home's path, which mkdtemp made
 * unique), made the first time that home is opened, by this process or a child it forked, so
 * that each test's register starts empty as a new home's does.
 * Tests of what only SQLite has (PRAGMA, the file, in-place migration) call REG_SQLITE_ONLY()
 * first: under PostgreSQL they are skipped with a note.
 */
#ifndef RURU_TEST_REGISTER_TARGET_H
#define RURU_TEST_REGISTER_TARGET_H

#include <libpq-fe.h>
#include <ruru.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *reg_base(void)
{
    const char *v = getenv("RURU_TEST_REGISTER");

    return v != NULL && *v != '\0' ? v : NULL;
}

static inline bool reg_pg(void)
{
    return reg_base() != NULL;
}

#define REG_SQLITE_ONLY()                                                                    \
    do {                                                                                     \
        if (reg_pg()) {                                                                      \
            printf("skip %s: SQLite only (the file, PRAGMA or its migrations)\n", __func__); \
            return;                                                                          \
        }                                                                                    \
    } while (0)

/* The database name of `home`: a hash of its path. */
static inline void reg_db_name(const char *home, char *out, size_t cap)
{
    uint64_t h = 1469598103934665603ULL;

    for (const unsigned char *p = (const unsigned char *)home; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(out, cap, "ruru_t_%016llx", (unsigned long long)h);
}

/* The URL of home's database (made fresh at the first call for it). */
static inline bool reg_url(const char *home, char *out, size_t cap)
{
    static char made[256][64];
    static size_t n_made;
    const char *base = reg_base();
    char name[64];
    bool known = false;

    reg_db_name(home, name, sizeof(name));
    for (size_t i = 0; i < n_made; i++)
        known |= strcmp(made[i], name) == 0;
    if (!known) {
        PGconn *c = PQconnectdb(base);
        char sql[160];
        bool ok = PQstatus(c) == CONNECTION_OK;
        if (ok) {
            /* made already: by a sibling process that opened the same home at once */
            PGresult *res;
            snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
            res = PQexec(c, sql);
            if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                PQclear(res);
                snprintf(sql, sizeof(sql), "SELECT 1 FROM pg_database WHERE datname = '%s'", name);
                res = PQexec(c, sql);
                ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
                if (!ok)
                    fprintf(stderr, "register_target: %s: %s", sql, PQerrorMessage(c));
            }
            PQclear(res);
        }
        PQfinish(c);
        if (!ok)
            return false;
        if (n_made < 256)
            snprintf(made[n_made++], sizeof(made[0]), "%s", name);
    }
    snprintf(out, cap, "%s%sdbname=%s", base, strchr(base, '?') != NULL ? "&" : "?", name);
    return true;
}

/* ruru_register_open for a test: the home's SQLite file, or its PostgreSQL database. */
static inline enum ruru_err reg_open(const char *home, ruru_register **r, struct ruru_diag *d)
{
    char url[1024];

    if (!reg_pg())
        return ruru_register_open(home, r, d);
    if (!reg_url(home, url, sizeof(url))) {
        *r = NULL;
        return RURU_EDB;
    }
    return ruru_register_open_url(home, url, r, d);
}

/* The first column of the first row of `sql` on home's register as an integer (-1: none). */
static inline int64_t reg_count(const char *home, const char *sql)
{
    char url[1024];
    int64_t n = -1;
    PGconn *c;
    PGresult *res;

    if (!reg_pg() || !reg_url(home, url, sizeof(url)))
        return -1;
    c = PQconnectdb(url);
    res = PQexec(c, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(c);
    return n;
}

/* Runs `sql` on home's PostgreSQL register. */
static inline bool reg_exec(const char *home, const char *sql)
{
    char url[1024];
    PGconn *c;
    PGresult *res;
    bool ok;

    if (!reg_pg() || !reg_url(home, url, sizeof(url)))
        return false;
    c = PQconnectdb(url);
    res = PQexec(c, sql);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    PQfinish(c);
    return ok;
}

#endif
