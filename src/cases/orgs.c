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
#include <sqlite3.h>
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

bool ruru_org_ensure(sqlite3 *db, const char *name, json_t *defaults, int64_t now)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "INSERT INTO org (name, sector, created) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT (name) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json_string_value(json_object_get(defaults, name)), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
}

static enum ruru_err fail(sqlite3 *db, struct ruru_diag *d, const char *what)
{
    return ruru_diag_set(d, RURU_EDB, "register.db", 0, 0, "%s: %s", what, sqlite3_errmsg(db));
}

enum ruru_err ruru_register_org_add(ruru_register *r,
                                    const char *name,
                                    const char *sector,
                                    struct ruru_diag *diag)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
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
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO org (name, sector, created) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT (name) DO UPDATE SET sector = coalesce(?2, sector)",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, diag, "adding the organisation");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sector, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RURU_OK : fail(db, diag, "adding the organisation");
}

enum ruru_err ruru_register_orgs(ruru_register *r, char **json, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    json_t *list = json_array(), *res;
    int rc;

    *json = NULL;
    ruru_diag_clear(diag);
    if (list == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if (sqlite3_prepare_v2(db,
                           "SELECT o.name, o.sector, o.created, (SELECT count(*) FROM incident i"
                           " WHERE i.org = o.name), (SELECT count(*) FROM incident i WHERE"
                           " i.org = o.name AND i.serious) FROM org o ORDER BY o.name",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(list);
        return fail(db, diag, "reading the organisations");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char at[RURU_TIME_BUF];
        ruru_time_format(sqlite3_column_int64(st, 2), at);
        json_array_append_new(list,
                              json_pack("{s:s, s:s?, s:s, s:I, s:I}", "name",
                                        (const char *)sqlite3_column_text(st, 0), "sector",
                                        (const char *)sqlite3_column_text(st, 1), "created", at,
                                        "incidents", (json_int_t)sqlite3_column_int64(st, 3),
                                        "serious", (json_int_t)sqlite3_column_int64(st, 4)));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        return fail(db, diag, "reading the organisations");
    }
    res = json_pack("{s:o}", "orgs", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

enum ruru_err ruru_register_org_remove(ruru_register *r, const char *name, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    int64_t incidents = -1, sightings = -1;
    bool known = false;
    enum ruru_err err = RURU_OK;

    ruru_diag_clear(diag);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, diag, "removing the organisation");
    if (sqlite3_prepare_v2(db,
                           "SELECT EXISTS (SELECT 1 FROM org WHERE name = ?1), (SELECT count(*)"
                           " FROM incident WHERE org = ?1), (SELECT count(*) FROM sighting WHERE"
                           " org = ?1)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            known = sqlite3_column_int(st, 0) != 0;
            incidents = sqlite3_column_int64(st, 1);
            sightings = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    if (incidents < 0)
        err = fail(db, diag, "removing the organisation");
    else if (!known)
        err = ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no organisation \"%s\"", name);
    else if (incidents > 0 || sightings > 0)
        /* its incidents would lose whom they concern */
        err = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                            "organisation \"%s\" is kept: %" PRId64 " incident%s and %" PRId64
                            " sighting%s of the register concern it",
                            name, incidents, incidents == 1 ? "" : "s", sightings,
                            sightings == 1 ? "" : "s");
    else if (sqlite3_prepare_v2(db, "DELETE FROM org WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
        err = fail(db, diag, "removing the organisation");
    else {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            err = fail(db, diag, "removing the organisation");
        sqlite3_finalize(st);
    }
    if (err == RURU_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        err = fail(db, diag, "removing the organisation");
    if (err != RURU_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}
