/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening the register (register.c says what it keeps): on SQLite, HOME/register.db or the
 * file of a sqlite:PATH URL; on PostgreSQL, the database of a postgresql:// or postgres://
 * URL (libpq's connection URI: host, port, sslmode and the rest as libpq takes them). The
 * schema is the same on both (3); only its making and its version differ:
 *
 *   SQLite      PRAGMA user_version is the schema; a register of schema 1 (user_version 0,
 *               before organisations) or 2 (before tokens) is migrated in place in one
 *               transaction when opened, and one from a newer ruru is refused and left as it is.
 *   PostgreSQL  the table ruru_meta (key, value) holds 'schema' (3) and 'tokens', a counter
 *               bumped in the transaction of every token change (the server's cue to read the
 *               tokens again, as PRAGMA data_version is on SQLite). A database without the
 *               tables is given them at schema 3 directly, under an advisory lock so that two
 *               ruru starting at once make them once; one from a newer ruru is refused.
 *
 * Text columns on PostgreSQL compare bytewise (COLLATE "C"), as SQLite's do, so that every
 * ORDER BY gives the same order on both; integers are BIGINT, the probability DOUBLE
 * PRECISION (SQLite's REAL).
 */
#include <inttypes.h>
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "cases/incident.h"
#include "cases/rdb.h"
#include "cases/register.h"
#include "io/file.h"

struct ruru_register {
    rdb *db;
    struct ruru_case_config cfg; /* ruru_register_set_config, else the defaults */
    json_t *orgs;                /* ruru.yaml's orgs: {NAME: SECTOR or null}, NULL: none */
    char name[4096];             /* in messages: register.db, the file, or the URL without its
                                    password */
    char profiles_seen[96];      /* ruru_register_profiles_seen */
};

/* The tables as the first registers had them (schema 1, user_version 0): made when missing,
 * then brought to the current schema by MIGRATE_2. */
static const char SCHEMA_1[] =
        "CREATE TABLE IF NOT EXISTS incident (id TEXT PRIMARY KEY, asset TEXT, first TEXT,"
        " last TEXT, severity TEXT NOT NULL, serious INTEGER NOT NULL, campaign TEXT,"
        " doc TEXT NOT NULL, recorded INTEGER NOT NULL, updated INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS incident_asset ON incident (asset, first);"
        "CREATE TABLE IF NOT EXISTS judgement (incident TEXT NOT NULL REFERENCES incident(id),"
        " seq INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT, probability REAL NOT NULL,"
        " words TEXT NOT NULL, confidence TEXT NOT NULL, why TEXT NOT NULL,"
        " PRIMARY KEY (incident, seq));"
        "CREATE TABLE IF NOT EXISTS incident_actor (incident TEXT NOT NULL REFERENCES"
        " incident(id), actor TEXT NOT NULL, state TEXT, PRIMARY KEY (incident, actor));"
        "CREATE TABLE IF NOT EXISTS sighting (key TEXT PRIMARY KEY, path TEXT, off INTEGER,"
        " ord INTEGER NOT NULL, doc TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS merged (id TEXT PRIMARY KEY, into_id TEXT NOT NULL,"
        " at INTEGER NOT NULL);";

/* Schema 2: the organisation an incident and a sighting concern (NULL: the CERT's own), and
 * the organisations with their sectors. Rows kept as they are: none had an organisation. */
static const char MIGRATE_2[] =
        "ALTER TABLE incident ADD COLUMN org TEXT;"
        "ALTER TABLE sighting ADD COLUMN org TEXT;"
        "CREATE INDEX IF NOT EXISTS incident_org ON incident (org, asset, first);"
        "CREATE TABLE IF NOT EXISTS org (name TEXT PRIMARY KEY, sector TEXT,"
        " created INTEGER NOT NULL);"
        "PRAGMA user_version = 2;";

/* Schema 3: the API tokens (tokens.c), each of one organisation and role, kept as the SHA-256
 * of its text; revoked: unix seconds, NULL while it is valid. */
static const char MIGRATE_3[] =
        "CREATE TABLE IF NOT EXISTS token (id TEXT PRIMARY KEY, org TEXT NOT NULL,"
        " role TEXT NOT NULL, hash TEXT NOT NULL, label TEXT, created INTEGER NOT NULL,"
        " revoked INTEGER);"
        "PRAGMA user_version = 3;";

/* Schema 4: what a recording needs to make again only the incidents new evidence touches
 * (register.c). place: a sighting's organisation and asset, the unit incidents are made in;
 * incident_key: the distinctive indicators of each incident's evidence, the links between
 * campaigns; judged: what the incidents were last judged with (the settings, each actor's
 * profile), so that a change of either makes them all again. Filled by the first recording
 * after the migration, which makes every incident again (judged is empty). */
static const char MIGRATE_4[] =
        "ALTER TABLE sighting ADD COLUMN place TEXT;"
        "CREATE INDEX IF NOT EXISTS sighting_place ON sighting (place);"
        "CREATE TABLE IF NOT EXISTS incident_key (incident TEXT NOT NULL, key TEXT NOT NULL,"
        " kind TEXT, PRIMARY KEY (incident, key));"
        "CREATE INDEX IF NOT EXISTS incident_key_key ON incident_key (key);"
        "CREATE TABLE IF NOT EXISTS judged (what TEXT PRIMARY KEY, hash TEXT NOT NULL);"
        "PRAGMA user_version = 4;";

/* Schema 4 on PostgreSQL, made at once; PG_MIGRATE_4 brings one of schema 3 to it. */
#define T "TEXT COLLATE \"C\""
static const char PG_SCHEMA_4[] =
        "CREATE TABLE IF NOT EXISTS incident (id " T " PRIMARY KEY, asset " T ", first " T ","
        " last " T ", severity " T " NOT NULL, serious INTEGER NOT NULL, campaign " T ","
        " doc TEXT NOT NULL, recorded BIGINT NOT NULL, updated BIGINT NOT NULL, org " T ");"
        "CREATE INDEX IF NOT EXISTS incident_asset ON incident (asset, first);"
        "CREATE INDEX IF NOT EXISTS incident_org ON incident (org, asset, first);"
        "CREATE TABLE IF NOT EXISTS judgement (incident " T " NOT NULL REFERENCES incident(id),"
        " seq BIGINT NOT NULL, at BIGINT NOT NULL, actor " T ", probability DOUBLE PRECISION"
        " NOT NULL, words " T " NOT NULL, confidence " T " NOT NULL, why TEXT NOT NULL,"
        " PRIMARY KEY (incident, seq));"
        "CREATE TABLE IF NOT EXISTS incident_actor (incident " T " NOT NULL REFERENCES"
        " incident(id), actor " T " NOT NULL, state " T ", PRIMARY KEY (incident, actor));"
        "CREATE TABLE IF NOT EXISTS sighting (key " T " PRIMARY KEY, path " T ", off BIGINT,"
        " ord BIGINT NOT NULL, doc TEXT NOT NULL, org " T ", place " T ");"
        "CREATE INDEX IF NOT EXISTS sighting_place ON sighting (place);"
        "CREATE TABLE IF NOT EXISTS incident_key (incident " T " NOT NULL, key " T " NOT NULL,"
        " kind " T ", PRIMARY KEY (incident, key));"
        "CREATE INDEX IF NOT EXISTS incident_key_key ON incident_key (key);"
        "CREATE TABLE IF NOT EXISTS judged (what " T " PRIMARY KEY, hash " T " NOT NULL);"
        "CREATE TABLE IF NOT EXISTS merged (id " T " PRIMARY KEY, into_id " T " NOT NULL,"
        " at BIGINT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS org (name " T " PRIMARY KEY, sector " T ","
        " created BIGINT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS token (id " T " PRIMARY KEY, org " T " NOT NULL,"
        " role " T " NOT NULL, hash " T " NOT NULL, label " T ", created BIGINT NOT NULL,"
        " revoked BIGINT);"
        "INSERT INTO ruru_meta (key, value) VALUES ('schema', 4), ('tokens', 1)"
        " ON CONFLICT (key) DO NOTHING;";
static const char PG_MIGRATE_4[] =
        "ALTER TABLE sighting ADD COLUMN IF NOT EXISTS place " T ";"
        "CREATE INDEX IF NOT EXISTS sighting_place ON sighting (place);"
        "CREATE TABLE IF NOT EXISTS incident_key (incident " T " NOT NULL, key " T " NOT NULL,"
        " kind " T ", PRIMARY KEY (incident, key));"
        "CREATE INDEX IF NOT EXISTS incident_key_key ON incident_key (key);"
        "CREATE TABLE IF NOT EXISTS judged (what " T " PRIMARY KEY, hash " T " NOT NULL);"
        "UPDATE ruru_meta SET value = 4 WHERE key = 'schema';";
#undef T

#define SCHEMA_VERSION 4
/* The advisory lock under which the tables are made on PostgreSQL. */
#define PG_SCHEMA_LOCK "SELECT pg_advisory_xact_lock(7888501875566948353)"

static enum ruru_err db_fail(struct ruru_register *r, struct ruru_diag *d, const char *what)
{
    return ruru_register_fail(r, d, what);
}

/* A failure of the database, named "register.db" (SQLite, as ever) or "register" (the
 * PostgreSQL URL was named when it was opened). The source is a static string: the caller
 * may print it after the register is closed. */
enum ruru_err ruru_register_fail(ruru_register *r, struct ruru_diag *d, const char *what)
{
    if (rdb_nomem(r->db))
        return ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    return ruru_diag_set(d, RURU_EDB,
                         rdb_backend_of(r->db) == RDB_SQLITE ? "register.db" : "register", 0, 0,
                         "%s: %s", what, rdb_errmsg(r->db));
}

static int64_t one_int(rdb *db, const char *sql, int64_t fallback)
{
    rdb_stmt *st = rdb_prepare(db, sql);
    int64_t v = fallback;

    if (st != NULL && rdb_step(st) == RDB_ROW && !rdb_column_is_null(st, 0))
        v = rdb_column_int64(st, 0);
    rdb_finalize(st);
    return v;
}

static int user_version(rdb *db)
{
    return (int)one_int(db, "PRAGMA user_version", -1);
}

/* Brings a SQLite register to SCHEMA_VERSION in one transaction (a new one is made, an old one
 * migrated in place, all or nothing); one from a newer ruru is refused and left as it is. */
static enum ruru_err upgrade(struct ruru_register *r, struct ruru_diag *d)
{
    int v = user_version(r->db);

    if (v > SCHEMA_VERSION)
        return ruru_diag_set(d, RURU_ECORRUPT, "register.db", 0, 0,
                             "register.db is from a newer ruru (schema %d; this one knows %d)", v,
                             SCHEMA_VERSION);
    if (v == SCHEMA_VERSION)
        return RURU_OK;
    if (!rdb_begin_write(r->db))
        return db_fail(r, d, "register.db: cannot be opened");
    /* another ruru may have migrated it meanwhile */
    v = user_version(r->db);
    if (v != 0 && v != 2 && v != 3 && v != SCHEMA_VERSION) {
        rdb_rollback(r->db);
        return ruru_diag_set(d, RURU_ECORRUPT, "register.db", 0, 0,
                             "register.db: unknown schema %d", v);
    }
    /* 0 -> 1 -> 2 -> 3 -> 4, or 2 -> 3 -> 4, or 3 -> 4 */
    if ((v == 0 && (!rdb_exec(r->db, SCHEMA_1) || !rdb_exec(r->db, MIGRATE_2))) ||
        (v < 3 && !rdb_exec(r->db, MIGRATE_3)) ||
        (v < SCHEMA_VERSION && !rdb_exec(r->db, MIGRATE_4))) {
        enum ruru_err err = db_fail(r, d, "register.db: cannot be brought to schema 4");
        rdb_rollback(r->db);
        return err;
    }
    if (!rdb_commit(r->db)) {
        enum ruru_err err = db_fail(r, d, "register.db: cannot be brought to schema 4");
        rdb_rollback(r->db);
        return err;
    }
    return RURU_OK;
}

/* The schema version of a PostgreSQL register: 0 without the tables, -1 when it cannot be
 * read. */
static int64_t pg_version(rdb *db)
{
    int64_t has = one_int(db, "SELECT to_regclass('ruru_meta') IS NOT NULL", -1);

    if (has <= 0)
        return has;
    return one_int(db, "SELECT value FROM ruru_meta WHERE key = 'schema'", 0);
}

static enum ruru_err pg_schema(struct ruru_register *r, struct ruru_diag *d)
{
    int64_t v = pg_version(r->db);

    if (v < 0)
        return ruru_diag_set(d, RURU_EDB, NULL, 0, 0, "%s: cannot be read: %s", r->name,
                             rdb_errmsg(r->db));
    if (v == 0) {
        if (!rdb_begin(r->db) || !rdb_exec(r->db, PG_SCHEMA_LOCK) ||
            !rdb_exec(r->db, "CREATE TABLE IF NOT EXISTS ruru_meta (key TEXT COLLATE \"C\""
                             " PRIMARY KEY, value BIGINT NOT NULL)") ||
            (v = pg_version(r->db)) < 0 || (v == 0 && !rdb_exec(r->db, PG_SCHEMA_4)) ||
            !rdb_commit(r->db)) {
            enum ruru_err err = ruru_diag_set(d, RURU_EDB, NULL, 0, 0,
                                              "%s: cannot be given the register's"
                                              " tables: %s",
                                              r->name, rdb_errmsg(r->db));
            rdb_rollback(r->db);
            return err;
        }
        v = pg_version(r->db);
    }
    if (v == 3) {
        /* schema 3 (before places): brought to 4 in one transaction, under the lock, by the
         * first ruru that opens it */
        if (!rdb_begin(r->db) || !rdb_exec(r->db, PG_SCHEMA_LOCK) ||
            ((v = pg_version(r->db)) == 3 && !rdb_exec(r->db, PG_MIGRATE_4)) ||
            !rdb_commit(r->db)) {
            enum ruru_err err =
                    ruru_diag_set(d, RURU_EDB, NULL, 0, 0, "%s: cannot be brought to schema 4: %s",
                                  r->name, rdb_errmsg(r->db));
            rdb_rollback(r->db);
            return err;
        }
        v = pg_version(r->db);
    }
    if (v > SCHEMA_VERSION)
        return ruru_diag_set(d, RURU_ECORRUPT, NULL, 0, 0,
                             "%s is from a newer ruru (schema %" PRId64 "; this one knows %d)",
                             r->name, v, SCHEMA_VERSION);
    if (v != SCHEMA_VERSION)
        return ruru_diag_set(d, RURU_ECORRUPT, NULL, 0, 0, "%s: unknown schema %" PRId64, r->name,
                             v);
    return RURU_OK;
}

static enum ruru_err
open_sqlite(struct ruru_register *r, const char *home, const char *path, struct ruru_diag *diag)
{
    char err[512];
    const char *src = home != NULL ? home : path;
    enum ruru_err made;

    if (!rdb_open_sqlite(path, &r->db, err, sizeof(err)))
        return ruru_diag_set(diag, RURU_EDB, src, 0, 0, "register.db: cannot be opened: %s", err);
    /* a register from a newer ruru is refused before anything (the journal mode too) is set */
    if (user_version(r->db) > SCHEMA_VERSION)
        return upgrade(r, diag);
    if (!rdb_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"))
        return ruru_diag_set(diag, RURU_EDB, src, 0, 0, "register.db: cannot be opened: %s",
                             rdb_errmsg(r->db));
    if ((made = upgrade(r, diag)) != RURU_OK)
        return made;
    return RURU_OK;
}

enum ruru_err ruru_register_open(const char *home, ruru_register **out, struct ruru_diag *diag)
{
    return ruru_register_open_url(home, NULL, out, diag);
}

enum ruru_err ruru_register_open_url(const char *home,
                                     const char *url,
                                     ruru_register **out,
                                     struct ruru_diag *diag)
{
    struct ruru_register *r = ruru_calloc(1, sizeof(*r));
    char path[4096];
    enum ruru_err made = RURU_OK;

    *out = NULL;
    ruru_diag_clear(diag);
    if (r == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if (url != NULL && *url == '\0')
        url = NULL;
    if (url == NULL) {
        if ((made = ruru_make_dirs(home, diag)) == RURU_OK &&
            (size_t)snprintf(path, sizeof(path), "%s/register.db", home) >= sizeof(path))
            made = ruru_diag_set(diag, RURU_ELIMIT, home, 0, 0, "path too long");
        if (made == RURU_OK) {
            snprintf(r->name, sizeof(r->name), "%s", path);
            made = open_sqlite(r, home, path, diag);
        }
    } else if (strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0') {
        /* the path is the caller's: it outlives the diagnostic */
        snprintf(r->name, sizeof(r->name), "%s", url + 7);
        made = open_sqlite(r, NULL, url + 7, diag);
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        char err[512];
        rdb_url_safe(url, r->name, sizeof(r->name));
        if (!rdb_open_pg(url, &r->db, err, sizeof(err)))
            made = ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "%s: cannot connect: %s", r->name,
                                 err);
        else
            made = pg_schema(r, diag);
    } else {
        char safe[512];
        rdb_url_safe(url, safe, sizeof(safe));
        made = ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "the register is sqlite:PATH or a postgresql:// URL, not \"%s\"",
                             safe);
    }
    if (made != RURU_OK) {
        rdb_close(r->db);
        ruru_free(r);
        return made;
    }
    ruru_case_defaults(&r->cfg);
    *out = r;
    return RURU_OK;
}

enum ruru_err ruru_register_set_config(
        ruru_register *r, const char *yaml, size_t len, const char *file, struct ruru_diag *diag)
{
    json_t *orgs = NULL;
    enum ruru_err err;

    ruru_diag_clear(diag);
    if ((err = ruru_case_config_orgs(yaml, len, file, &orgs, diag)) != RURU_OK)
        return err;
    if ((err = ruru_case_config_load(yaml, len, file, &r->cfg, diag)) != RURU_OK) {
        json_decref(orgs);
        return err;
    }
    json_decref(r->orgs);
    r->orgs = orgs;
    return RURU_OK;
}

void ruru_register_close(ruru_register *r)
{
    if (r == NULL)
        return;
    rdb_close(r->db);
    json_decref(r->orgs);
    ruru_free(r);
}

rdb *ruru_register_rdb(ruru_register *r)
{
    return r->db;
}

const char *ruru_register_profiles_seen(const ruru_register *r)
{
    return r->profiles_seen;
}

void ruru_register_profiles_seen_set(ruru_register *r, const char *gen)
{
    snprintf(r->profiles_seen, sizeof(r->profiles_seen), "%s", gen);
}

const char *ruru_register_name(const ruru_register *r)
{
    return r->name;
}

const struct ruru_case_config *ruru_register_config(const ruru_register *r)
{
    return &r->cfg;
}

json_t *ruru_register_org_sectors(ruru_register *r)
{
    return r->orgs;
}
