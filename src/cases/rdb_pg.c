/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register's database interface (rdb.h) on PostgreSQL, through libpq. A statement is kept
 * as its SQL with ?N turned into $N and run with PQexecParams when first stepped: its
 * parameters go as text of no declared type, so the server infers each from where it stands
 * (a column it is compared with or stored into), and every row comes back as text. libpq's
 * notices (CREATE TABLE IF NOT EXISTS says it skipped) are dropped: the library prints
 * nothing.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "cases/pq_lib.h"
#include "cases/rdb.h"
#include "cases/rdb_int.h"

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* libpq's message, on one line: "ERROR:  " and the trailing newline taken off, the lines of
 * a multi-line one joined with "; ". */
static void set_err(rdb *db, const char *msg)
{
    size_t n = 0;

    if (msg == NULL || *msg == '\0')
        msg = "unknown PostgreSQL failure";
    if (strncmp(msg, "ERROR:  ", 8) == 0)
        msg += 8;
    for (const char *p = msg; *p != '\0' && n + 3 < sizeof(db->err); p++) {
        if (*p == '\n') {
            if (p[1] == '\0')
                break;
            db->err[n++] = ';';
            db->err[n++] = ' ';
            continue;
        }
        db->err[n++] = *p == '\t' || *p == '\r' ? ' ' : *p;
    }
    db->err[n] = '\0';
}

static void result_err(rdb *db, const PGresult *res)
{
    const char *m = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    set_err(db, m != NULL ? m : PQerrorMessage(db->pg));
}

bool rdb_open_pg(const char *conninfo, rdb **out, char *err, size_t cap)
{
    struct rdb *r = ruru_calloc(1, sizeof(*r));

    *out = NULL;
    if (r == NULL) {
        snprintf(err, cap, "out of memory");
        return false;
    }
    if (!ruru_pq_load(err, cap)) {
        ruru_free(r);
        return false;
    }
    r->backend = RDB_PG;
    r->pg = PQconnectdb(conninfo);
    if (r->pg == NULL || PQstatus(r->pg) != CONNECTION_OK) {
        set_err(r, r->pg != NULL ? PQerrorMessage(r->pg) : "out of memory");
        snprintf(err, cap, "%s", r->err);
        PQfinish(r->pg);
        ruru_free(r);
        return false;
    }
    PQsetNoticeProcessor(r->pg, quiet, NULL);
    /* the register's text is UTF-8 JSON; times and numbers are formatted by ruru itself */
    if (PQsetClientEncoding(r->pg, "UTF8") != 0) {
        set_err(r, PQerrorMessage(r->pg));
        snprintf(err, cap, "%s", r->err);
        PQfinish(r->pg);
        ruru_free(r);
        return false;
    }
    *out = r;
    return true;
}

void rdb_pg_close(rdb *db)
{
    PQfinish(db->pg);
    ruru_free(db);
}

bool rdb_pg_exec(rdb *db, const char *sql)
{
    PGresult *res = PQexec(db->pg, sql);
    ExecStatusType s = PQresultStatus(res);
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

    if (!ok)
        result_err(db, res);
    PQclear(res);
    return ok;
}

/* `sql` with every ?N outside quotes as $N; *max the largest N. NULL when memory ran out. */
static char *dollars(const char *sql, int *max)
{
    size_t n = strlen(sql);
    char *out = ruru_malloc(n + 1), *o = out;
    char quote = 0;

    *max = 0;
    if (out == NULL)
        return NULL;
    for (const char *p = sql; *p != '\0'; p++) {
        if (quote != 0) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?' && isdigit((unsigned char)p[1])) {
            int v = (int)strtol(p + 1, NULL, 10);
            if (v > *max)
                *max = v;
            *o++ = '$';
            continue;
        }
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

rdb_stmt *rdb_pg_prepare(rdb *db, const char *sql)
{
    struct rdb_stmt *s = ruru_calloc(1, sizeof(*s));

    if (s == NULL || (s->sql = dollars(sql, &s->n_params)) == NULL ||
        (s->params = ruru_calloc((size_t)s->n_params + 1, sizeof(char *))) == NULL) {
        if (s != NULL)
            ruru_free(s->sql);
        ruru_free(s);
        set_err(db, "out of memory");
        db->nomem = true;
        return NULL;
    }
    s->backend = RDB_PG;
    s->db = db;
    s->row = -1;
    return s;
}

void rdb_pg_bind_text(rdb_stmt *st, int i, const char *v)
{
    if (i < 1 || i > st->n_params)
        return;
    ruru_free(st->params[i - 1]);
    st->params[i - 1] = NULL;
    if (v != NULL) {
        size_t n = strlen(v) + 1;
        if ((st->params[i - 1] = ruru_malloc(n)) != NULL)
            memcpy(st->params[i - 1], v, n);
        else
            st->nomem = true;
    }
}

enum rdb_step rdb_pg_step(rdb_stmt *st)
{
    ExecStatusType s;

    if (!st->ran && st->nomem) {
        set_err(st->db, "out of memory");
        st->db->nomem = true;
        return RDB_ERROR;
    }
    if (!st->ran) {
        st->ran = true;
        st->db->nomem = false;
        st->res = PQexecParams(st->db->pg, st->sql, st->n_params, NULL,
                               (const char *const *)st->params, NULL, NULL, 0);
        s = PQresultStatus(st->res);
        st->db->changes = 0;
        if (s == PGRES_COMMAND_OK) {
            st->db->changes = strtoll(PQcmdTuples(st->res), NULL, 10);
            st->rows = 0;
        } else if (s == PGRES_TUPLES_OK) {
            st->rows = PQntuples(st->res);
        } else {
            result_err(st->db, st->res);
            PQclear(st->res);
            st->res = NULL;
            st->rows = 0;
            return RDB_ERROR;
        }
        st->row = -1;
    }
    if (st->res == NULL)
        return RDB_ERROR;
    if (st->row + 1 >= st->rows) {
        st->row = st->rows;
        return RDB_DONE;
    }
    st->row++;
    return RDB_ROW;
}

const char *rdb_pg_column_text(rdb_stmt *st, int i)
{
    if (st->res == NULL || st->row < 0 || st->row >= st->rows || i < 0 || i >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

void rdb_pg_reset(rdb_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->ran = false;
    st->row = -1;
    st->rows = 0;
}

void rdb_pg_clear(rdb_stmt *st)
{
    rdb_pg_reset(st);
    for (int i = 0; i < st->n_params; i++) {
        ruru_free(st->params[i]);
        st->params[i] = NULL;
    }
    st->nomem = false;
}

void rdb_pg_finalize(rdb_stmt *st)
{
    rdb_pg_clear(st);
    ruru_free(st->params);
    ruru_free(st->sql);
    ruru_free(st);
}

bool rdb_pg_begin(rdb *db, bool lock)
{
    char sql[96];

    if (!rdb_pg_exec(db, "BEGIN"))
        return false;
    if (!lock)
        return true;
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%" PRId64 ")",
             (int64_t)RDB_PG_LOCK_KEY);
    if (!rdb_pg_exec(db, sql)) {
        char keep[sizeof(db->err)];
        memcpy(keep, db->err, sizeof(keep));
        rdb_pg_exec(db, "ROLLBACK");
        memcpy(db->err, keep, sizeof(keep));
        return false;
    }
    return true;
}

bool rdb_pg_in_tx(rdb *db)
{
    PGTransactionStatusType t = PQtransactionStatus(db->pg);

    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* The end of the value that starts at p: the next '&', white space or end. */
static const char *value_end(const char *p)
{
    while (*p != '\0' && *p != '&' && *p != ' ' && *p != '\t' && *p != '\n')
        p++;
    return p;
}

void rdb_url_safe(const char *url, char *out, size_t cap)
{
    const char *p = url, *auth = strstr(url, "://"), *at = NULL, *colon = NULL, *end;
    size_t n = 0;

    if (cap == 0)
        return;
#define PUT(c)              \
    do {                    \
        if (n + 1 < cap)    \
            out[n++] = (c); \
    } while (0)
#define PUTS(s)                               \
    do {                                      \
        for (const char *q_ = (s); *q_; q_++) \
            PUT(*q_);                         \
    } while (0)
    /* the user information of a URI: user[:password]@ before the host */
    if (auth != NULL) {
        auth += 3;
        for (end = auth; *end != '\0' && *end != '/' && *end != '?' && *end != '#'; end++)
            if (*end == '@')
                at = end;
        for (const char *q = auth; at != NULL && q < at; q++)
            if (*q == ':') {
                colon = q;
                break;
            }
    }
    while (*p != '\0') {
        if (colon != NULL && p == colon) {
            PUTS(":***");
            p = at;
            continue;
        }
        /* password=VALUE in a query or a keyword string */
        if (strncasecmp(p, "password=", 9) == 0 &&
            (p == url || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ' || p[-1] == '\t')) {
            PUTS("password=***");
            p = value_end(p + 9);
            continue;
        }
        PUT(*p);
        p++;
    }
    out[n] = '\0';
#undef PUT
#undef PUTS
}
