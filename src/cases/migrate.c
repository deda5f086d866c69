/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Moving a register from one database to another (SQLite to PostgreSQL, back, or between two
 * of the same kind) and checking that both hold the same (docs/register.md):
 *
 *   copy     every table, row by row, in one transaction on the target, into a target that
 *            holds no rows yet (a copy never merges two registers: their incidents would have
 *            to be made again from all the sightings, which is a recording's work)
 *   compare  the rows of every table on both sides, and per incident a SHA-256 over its
 *            document, its actors (by name, with their states) and its judgement history (by
 *            sequence number: when, who, how probable to six decimals, the words, the
 *            confidence, why), computed on each side from what that side holds
 *
 * The copy is committed only when the comparison, made inside the target's transaction,
 * finds both the same. Values are carried as text (SQLite gives every column as text, and
 * PostgreSQL takes text for any column), so a source edited by hand (a number column holding
 * words, NULL where the schema wants a value) makes the target refuse the row with its
 * database's message, which is returned; nothing is assumed of a value's shape here.
 */
#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "cases/rdb.h"
#include "cases/register.h"

/* The tables in an order that satisfies the references (incident before what cites it). */
static const struct {
    const char *name, *cols;
    int n;
} TABLES[] = {
        {"incident",
         "id, asset, first, last, severity, serious, campaign, doc, recorded, updated, org", 11},
        {"judgement", "incident, seq, at, actor, probability, words, confidence, why", 8},
        {"incident_actor", "incident, actor, state", 3},
        {"incident_key", "incident, key, kind", 3},
        {"sighting", "key, path, off, ord, doc, org, place", 7},
        {"merged", "id, into_id, at", 3},
        {"org", "name, sector, created", 3},
        {"token", "id, org, role, hash, label, created, revoked", 7},
        {"judged", "what, hash", 2},
};
#define N_TABLES (sizeof(TABLES) / sizeof(TABLES[0]))

static int64_t count_rows(rdb *db, const char *table)
{
    char sql[96];
    rdb_stmt *st;
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    if ((st = rdb_prepare(db, sql)) != NULL && rdb_step(st) == RDB_ROW)
        n = rdb_column_int64(st, 0);
    rdb_finalize(st);
    return n;
}

/* Copies table t from `from` to `to`. False on a failure of either (rdb_errmsg of *which). */
static bool copy_table(rdb *from, rdb *to, size_t t, rdb **which)
{
    char sel[256], ins[512];
    rdb_stmt *src, *dst;
    int rc;
    size_t n = 0;

    snprintf(sel, sizeof(sel), "SELECT %s FROM %s", TABLES[t].cols, TABLES[t].name);
    n = (size_t)snprintf(ins, sizeof(ins), "INSERT INTO %s (%s) VALUES (", TABLES[t].name,
                         TABLES[t].cols);
    for (int i = 1; i <= TABLES[t].n && n < sizeof(ins); i++)
        n += (size_t)snprintf(ins + n, sizeof(ins) - n, "%s?%d", i > 1 ? ", " : "", i);
    if (n < sizeof(ins))
        snprintf(ins + n, sizeof(ins) - n, ")");
    *which = from;
    if ((src = rdb_prepare(from, sel)) == NULL)
        return false;
    *which = to;
    if ((dst = rdb_prepare(to, ins)) == NULL) {
        rdb_finalize(src);
        return false;
    }
    while ((rc = rdb_step(src)) == RDB_ROW) {
        rdb_clear(dst);
        for (int i = 0; i < TABLES[t].n; i++)
            rdb_bind_text(dst, i + 1, rdb_column_text(src, i));
        if (rdb_step(dst) != RDB_DONE) {
            rdb_finalize(src);
            rdb_finalize(dst);
            return false;
        }
    }
    rdb_finalize(src);
    rdb_finalize(dst);
    *which = from;
    return rc == RDB_DONE;
}

static void add_field(struct sha256_ctx *h, const char *v)
{
    /* NULL is told from "" by a byte no text of the register holds */
    if (v == NULL)
        sha256_update(h, 2, (const uint8_t *)"\001");
    else
        sha256_update(h, strlen(v) + 1, (const uint8_t *)v);
}

static void add_int(struct sha256_ctx *h, int64_t v)
{
    char b[32];

    snprintf(b, sizeof(b), "%" PRId64, v);
    add_field(h, b);
}

/* Every incident's digest: {ID: hex}. NULL on a failure. */
static json_t *digests(rdb *db)
{
    rdb_stmt *inc = rdb_prepare(db, "SELECT id, doc FROM incident ORDER BY id");
    rdb_stmt *act = rdb_prepare(db, "SELECT actor, state FROM incident_actor WHERE incident = ?1"
                                    " ORDER BY actor");
    rdb_stmt *jud = rdb_prepare(db, "SELECT seq, at, actor, probability, words, confidence, why"
                                    " FROM judgement WHERE incident = ?1 ORDER BY seq");
    json_t *out = json_object();
    int rc = RDB_ERROR;

    while (inc != NULL && act != NULL && jud != NULL && out != NULL &&
           (rc = rdb_step(inc)) == RDB_ROW) {
        const char *id = rdb_column_text(inc, 0);
        struct sha256_ctx h;
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        int r2;
        sha256_init(&h);
        add_field(&h, "doc");
        add_field(&h, rdb_column_text(inc, 1));
        add_field(&h, "actors");
        rdb_clear(act);
        rdb_bind_text(act, 1, id);
        while ((r2 = rdb_step(act)) == RDB_ROW) {
            add_field(&h, rdb_column_text(act, 0));
            add_field(&h, rdb_column_text(act, 1));
        }
        if (r2 != RDB_DONE)
            break;
        add_field(&h, "judgements");
        rdb_clear(jud);
        rdb_bind_text(jud, 1, id);
        while ((r2 = rdb_step(jud)) == RDB_ROW) {
            char p[64];
            add_int(&h, rdb_column_int64(jud, 0));
            add_int(&h, rdb_column_int64(jud, 1));
            add_field(&h, rdb_column_text(jud, 2));
            snprintf(p, sizeof(p), "%.6f", rdb_column_double(jud, 3));
            add_field(&h, p);
            for (int i = 4; i < 7; i++)
                add_field(&h, rdb_column_text(jud, i));
        }
        if (r2 != RDB_DONE)
            break;
        sha256_digest(&h, sizeof(d), d);
        for (size_t i = 0; i < sizeof(d); i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        if (json_object_set_new(out, id != NULL ? id : "", json_string(hex)) != 0)
            break;
    }
    rdb_finalize(inc);
    rdb_finalize(act);
    rdb_finalize(jud);
    if (rc != RDB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static json_t *difference(const char *id, const char *what)
{
    return json_pack("{s:s, s:s}", "incident", id, "what", what);
}

/* Compares both registers into res ("tables", "incidents", "differences", "same"). False on a
 * failure of either database (*which says whose). */
static bool compare(rdb *from, rdb *to, json_t *res, rdb **which)
{
    json_t *tables = json_array(), *diffs = json_array(), *a, *b, *v;
    const char *id;
    bool same = true;

    json_object_set_new(res, "tables", tables);
    json_object_set_new(res, "differences", diffs);
    for (size_t t = 0; t < N_TABLES; t++) {
        int64_t x = count_rows(from, TABLES[t].name), y = count_rows(to, TABLES[t].name);
        if (x < 0 || y < 0) {
            *which = x < 0 ? from : to;
            return false;
        }
        same &= x == y;
        json_array_append_new(tables, json_pack("{s:s, s:I, s:I}", "table", TABLES[t].name, "from",
                                                (json_int_t)x, "to", (json_int_t)y));
    }
    *which = from;
    if ((a = digests(from)) == NULL)
        return false;
    *which = to;
    if ((b = digests(to)) == NULL) {
        json_decref(a);
        return false;
    }
    json_object_foreach(a, id, v)
    {
        json_t *w = json_object_get(b, id);
        if (w == NULL || !json_equal(v, w)) {
            json_array_append_new(
                    diffs, difference(id, w == NULL ? "missing from the target" : "differs"));
            same = false;
        }
    }
    json_object_foreach(b, id, v)
    {
        if (json_object_get(a, id) == NULL) {
            json_array_append_new(diffs, difference(id, "missing from the source"));
            same = false;
        }
    }
    json_object_set_new(res, "incidents", json_integer((json_int_t)json_object_size(a)));
    json_object_set_new(res, "same", json_boolean(same));
    json_decref(a);
    json_decref(b);
    return true;
}

static enum ruru_err
fail_of(ruru_register *from, ruru_register *to, rdb *which, struct ruru_diag *d, const char *what)
{
    return ruru_register_fail(which == ruru_register_rdb(from) ? from : to, d, what);
}

enum ruru_err ruru_register_migrate(
        ruru_register *from, ruru_register *to, bool copy, char **json, struct ruru_diag *diag)
{
    rdb *f = ruru_register_rdb(from), *t = ruru_register_rdb(to), *which = f;
    json_t *res = json_object();
    enum ruru_err err = RURU_OK;

    *json = NULL;
    ruru_diag_clear(diag);
    if (res == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if (f == t) {
        json_decref(res);
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "the source and target are one");
    }
    /* one view of the source throughout (SQLite: a read transaction; PostgreSQL: a snapshot) */
    if (!rdb_exec(f, rdb_backend_of(f) == RDB_PG ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                                                 : "BEGIN")) {
        json_decref(res);
        return ruru_register_fail(from, diag, "reading the source");
    }
    if (copy && !rdb_begin_write(t)) {
        err = ruru_register_fail(to, diag, "writing the target");
        goto out;
    }
    if (copy) {
        int64_t held = 0;
        for (size_t k = 0; k < N_TABLES; k++) {
            int64_t n = count_rows(t, TABLES[k].name);
            if (n < 0) {
                err = ruru_register_fail(to, diag, "reading the target");
                goto out;
            }
            held += n;
        }
        if (held > 0) {
            err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                                "the target holds %" PRId64 " rows already: a register is copied"
                                " into an empty one only",
                                held);
            goto out;
        }
        for (size_t k = 0; k < N_TABLES; k++)
            if (!copy_table(f, t, k, &which)) {
                char what[96];
                snprintf(what, sizeof(what), "copying %s", TABLES[k].name);
                err = fail_of(from, to, which, diag, what);
                goto out;
            }
    }
    if (!compare(f, t, res, &which)) {
        err = fail_of(from, to, which, diag, "comparing the registers");
        goto out;
    }
    if (copy && json_is_true(json_object_get(res, "same")) && !rdb_commit(t)) {
        err = ruru_register_fail(to, diag, "committing the copy");
        goto out;
    }
    json_object_set_new(res, "copied",
                        json_boolean(copy && json_is_true(json_object_get(res, "same"))));
    if ((*json = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)) == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
out:
    rdb_rollback(t);
    rdb_rollback(f);
    json_decref(res);
    return err;
}

enum ruru_err ruru_register_info(ruru_register *r, char **json, struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    json_t *tables = json_object(), *res;

    *json = NULL;
    ruru_diag_clear(diag);
    for (size_t k = 0; tables != NULL && k < N_TABLES; k++) {
        int64_t n = count_rows(db, TABLES[k].name);
        if (n < 0) {
            json_decref(tables);
            return ruru_register_fail(r, diag, "reading the register");
        }
        json_object_set_new(tables, TABLES[k].name, json_integer((json_int_t)n));
    }
    res = json_pack("{s:s, s:s, s:i, s:o}", "backend",
                    rdb_backend_of(db) == RDB_PG ? "postgresql" : "sqlite", "where",
                    ruru_register_name(r), "schema", 3, "tables", tables);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}
