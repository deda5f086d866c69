/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The organisations the CERT serves, in the register's `org` table (name, sector, created):
 * each recording names the organisation its sightings concern (or none, the CERT's own), and
 * the statistics count per organisation and per sector. An organisation a recording names
 * and the table does not have yet is added, with the sector ruru.yaml's orgs: gives it.
 */
#include <inttypes.h>
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/register.h"

#define NAME_MAX_LEN 128

/* A name or a sector: 1 to 128 bytes, no control characters. */
static bool word_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (const char *p = s; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

enum ruru_err ruru_org_name_check(const char *name, struct ruru_diag *d)
{
    if (!word_ok(name))
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "an organisation's name is 1 to %d characters, none a control "
                             "character",
                             NAME_MAX_LEN);
    return RURU_OK;
}

bool ruru_org_ensure(rdb *db, const char *name, json_t *defaults, int64_t now)
{
    rdb_stmt *st = NULL;
    int rc;

    if ((st = rdb_prepare(db, "INSERT INTO org (name, sector, created) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (name) DO NOTHING")) == NULL)
        return false;
    rdb_bind_text(st, 1, name);
    rdb_bind_text(st, 2, json_string_value(json_object_get(defaults, name)));
    rdb_bind_int64(st, 3, now);
    rc = rdb_step(st);
    rdb_finalize(st);
    return rc == RDB_DONE;
}

static enum ruru_err fail(ruru_register *r, struct ruru_diag *d, const char *what)
{
    return ruru_register_fail(r, d, what);
}

enum ruru_err ruru_register_org_add(ruru_register *r,
                                    const char *name,
                                    const char *sector,
                                    struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    enum ruru_err err;
    int rc;

    ruru_diag_clear(diag);
    if ((err = ruru_org_name_check(name, diag)) != RURU_OK)
        return err;
    if (sector != NULL && !word_ok(sector))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "a sector is 1 to %d characters, none a control character",
                             NAME_MAX_LEN);
    /* added again: the sector given replaces the one it had */
    if ((st = rdb_prepare(db,
                          "INSERT INTO org (name, sector, created) VALUES (?1, ?2, ?3)"
                          " ON CONFLICT (name) DO UPDATE SET sector = coalesce(CAST(?2 AS TEXT),"
                          " org.sector)")) == NULL)
        return fail(r, diag, "adding the organisation");
    rdb_bind_text(st, 1, name);
    rdb_bind_text(st, 2, sector);
    rdb_bind_int64(st, 3, (int64_t)time(NULL));
    rc = rdb_step(st);
    rdb_finalize(st);
    return rc == RDB_DONE ? RURU_OK : fail(r, diag, "adding the organisation");
}

enum ruru_err ruru_register_orgs(ruru_register *r, char **json, struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    json_t *list = json_array(), *res;
    int rc;

    *json = NULL;
    ruru_diag_clear(diag);
    if (list == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if ((st = rdb_prepare(db, "SELECT o.name, o.sector, o.created, (SELECT count(*) FROM incident i"
                              " WHERE i.org = o.name), (SELECT count(*) FROM incident i WHERE"
                              " i.org = o.name AND i.serious <> 0) FROM org o ORDER BY o.name")) ==
        NULL) {
        json_decref(list);
        return fail(r, diag, "reading the organisations");
    }
    while ((rc = rdb_step(st)) == RDB_ROW) {
        char at[RURU_TIME_BUF];
        ruru_time_format(rdb_column_int64(st, 2), at);
        json_array_append_new(list, json_pack("{s:s, s:s?, s:s, s:I, s:I}", "name",
                                              rdb_column_text(st, 0), "sector",
                                              rdb_column_text(st, 1), "created", at, "incidents",
                                              (json_int_t)rdb_column_int64(st, 3), "serious",
                                              (json_int_t)rdb_column_int64(st, 4)));
    }
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        json_decref(list);
        return fail(r, diag, "reading the organisations");
    }
    res = json_pack("{s:o}", "orgs", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

enum ruru_err ruru_register_org_remove(ruru_register *r, const char *name, struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    int64_t incidents = -1, sightings = -1;
    bool known = false;
    enum ruru_err err = RURU_OK;

    ruru_diag_clear(diag);
    /* taken in turn with the recordings, which may add incidents of it */
    if (!rdb_begin_write(db))
        return fail(r, diag, "removing the organisation");
    if ((st = rdb_prepare(db, "SELECT EXISTS (SELECT 1 FROM org WHERE name = ?1), (SELECT count(*)"
                              " FROM incident WHERE org = ?1), (SELECT count(*) FROM sighting WHERE"
                              " org = ?1)")) != NULL) {
        rdb_bind_text(st, 1, name);
        if (rdb_step(st) == RDB_ROW) {
            known = (int)rdb_column_int64(st, 0) != 0;
            incidents = rdb_column_int64(st, 1);
            sightings = rdb_column_int64(st, 2);
        }
    }
    rdb_finalize(st);
    if (incidents < 0)
        err = fail(r, diag, "removing the organisation");
    else if (!known)
        err = ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no organisation \"%s\"", name);
    else if (incidents > 0 || sightings > 0)
        /* its incidents would lose whom they concern */
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                            "organisation \"%s\" is kept: %" PRId64 " incident%s and %" PRId64
                            " sighting%s of the register concern it",
                            name, incidents, incidents == 1 ? "" : "s", sightings,
                            sightings == 1 ? "" : "s");
    else if ((st = rdb_prepare(db, "DELETE FROM org WHERE name = ?1")) == NULL)
        err = fail(r, diag, "removing the organisation");
    else {
        rdb_bind_text(st, 1, name);
        if (rdb_step(st) != RDB_DONE)
            err = fail(r, diag, "removing the organisation");
        rdb_finalize(st);
    }
    if (err == RURU_OK && !rdb_commit(db))
        err = fail(r, diag, "removing the organisation");
    if (err != RURU_OK)
        rdb_rollback(db);
    return err;
}
