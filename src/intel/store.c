/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The intel store (see store.h). Writing is statement-at-a-time through prepared statements
 * inside one transaction per file: a 1,000,000-row list is one transaction, which is what makes
 * bulk import fast (SQLite's cost is per transaction, not per row, once statements are
 * prepared). Lists (labels, actors, techniques) are stored as JSON arrays in one column: they
 * are read back whole and never queried by element.
 */
#include "intel/store.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/time.h"
#include "io/file.h"

/* Bumped whenever the schema changes; an older store is migrated, a newer one refused. */
#define SCHEMA_VERSION 1

/* One statement per entry: ISO C bounds a string literal at 4095 bytes. */
static const char *const SCHEMA[] = {
        "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);\n",
        "CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
        " created INTEGER, updated INTEGER);\n",
        "CREATE TABLE IF NOT EXISTS files(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " path TEXT NOT NULL, format TEXT, hash TEXT, size INTEGER, imported INTEGER,"
        " n_indicators INTEGER DEFAULT 0, n_entities INTEGER DEFAULT 0,"
        " n_relations INTEGER DEFAULT 0, n_warninglists INTEGER DEFAULT 0,"
        " n_tag_meanings INTEGER DEFAULT 0, n_rejected INTEGER DEFAULT 0,"
        " n_older INTEGER DEFAULT 0, by_type TEXT, by_kind TEXT,"
        " UNIQUE(source_id, path));\n",
        "CREATE TABLE IF NOT EXISTS indicators(id INTEGER PRIMARY KEY, ref TEXT NOT NULL,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " type TEXT NOT NULL, value TEXT NOT NULL, raw TEXT, context TEXT, object_ref TEXT,"
        " line INTEGER, confidence INTEGER, valid_from INTEGER, valid_until INTEGER,"
        " first_seen INTEGER, last_seen INTEGER, modified INTEGER, revoked INTEGER,"
        " to_ids INTEGER, tlp TEXT, description TEXT, created_by TEXT, labels TEXT,"
        " actors TEXT, techniques TEXT, lo BLOB, hi BLOB, vhash INTEGER NOT NULL);\n",
        "CREATE INDEX IF NOT EXISTS indicators_object ON indicators(object_ref, ref)"
        " WHERE object_ref IS NOT NULL;\n",
        "CREATE INDEX IF NOT EXISTS indicators_vhash ON indicators(vhash);\n",
        "CREATE INDEX IF NOT EXISTS indicators_lo ON indicators(lo) WHERE lo IS NOT NULL;\n",
        "CREATE INDEX IF NOT EXISTS indicators_file ON indicators(file_id);\n",
        "CREATE TABLE IF NOT EXISTS entities(id INTEGER PRIMARY KEY, ref TEXT NOT NULL,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " kind TEXT NOT NULL, source_type TEXT, name TEXT NOT NULL, external_id TEXT,"
        " country TEXT, sponsor TEXT, confidence INTEGER, description TEXT, modified INTEGER,"
        " revoked INTEGER, line INTEGER, UNIQUE(ref, source_id));\n",
        "CREATE INDEX IF NOT EXISTS entities_file ON entities(file_id);\n",
        "CREATE TABLE IF NOT EXISTS aliases(entity_id INTEGER NOT NULL"
        " REFERENCES entities(id) ON DELETE CASCADE, alias TEXT NOT NULL);\n",
        "CREATE INDEX IF NOT EXISTS aliases_entity ON aliases(entity_id);\n",
        "CREATE TABLE IF NOT EXISTS relations(id INTEGER PRIMARY KEY, ref TEXT,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " src TEXT NOT NULL, type TEXT NOT NULL, dst TEXT NOT NULL, confidence INTEGER,"
        " modified INTEGER, revoked INTEGER, UNIQUE(source_id, src, type, dst));\n",
        "CREATE INDEX IF NOT EXISTS relations_src ON relations(src);\n",
        "CREATE INDEX IF NOT EXISTS relations_dst ON relations(dst);\n",
        "CREATE INDEX IF NOT EXISTS relations_file ON relations(file_id);\n",
        "CREATE TABLE IF NOT EXISTS rejects(id INTEGER PRIMARY KEY,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " line INTEGER, col INTEGER, object_ref TEXT, value TEXT, reason TEXT);\n",
        "CREATE INDEX IF NOT EXISTS rejects_file ON rejects(file_id);\n",
        "CREATE TABLE IF NOT EXISTS warninglists(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " name TEXT NOT NULL, description TEXT, type TEXT, version INTEGER,"
        " matching_attributes TEXT, n_entries INTEGER, UNIQUE(source_id, name));\n",
        "CREATE INDEX IF NOT EXISTS warninglists_file ON warninglists(file_id);\n",
        "CREATE TABLE IF NOT EXISTS warninglist_entries(list_id INTEGER NOT NULL"
        " REFERENCES warninglists(id) ON DELETE CASCADE, value TEXT NOT NULL, lo BLOB,"
        " hi BLOB);\n",
        "CREATE INDEX IF NOT EXISTS wl_entries_list ON warninglist_entries(list_id);\n",
        "CREATE INDEX IF NOT EXISTS wl_entries_value ON warninglist_entries(value);\n",
        "CREATE INDEX IF NOT EXISTS wl_entries_lo ON warninglist_entries(lo)"
        " WHERE lo IS NOT NULL;\n",
        "CREATE TABLE IF NOT EXISTS tag_meanings(id INTEGER PRIMARY KEY,"
        " source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
        " file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
        " tag TEXT NOT NULL, ns TEXT, predicate TEXT, value TEXT, expanded TEXT,"
        " numerical_value INTEGER, UNIQUE(source_id, tag));\n",
        "CREATE INDEX IF NOT EXISTS tag_meanings_tag ON tag_meanings(tag);\n",
        "CREATE INDEX IF NOT EXISTS tag_meanings_file ON tag_meanings(file_id);\n",
        /* The generation counts changes of the intel, so that a cached match index knows
         * when it is stale: every committed file and every removed source moves it on, in
         * the same transaction as the change. `instance` tells this database from one
         * created later in the same place. */
        "INSERT OR IGNORE INTO meta(key, value) VALUES('generation', '0');\n",
        "INSERT OR IGNORE INTO meta(key, value) VALUES('instance', lower(hex(randomblob(8))));\n",
        "CREATE TRIGGER IF NOT EXISTS files_generation AFTER UPDATE ON files BEGIN"
        " UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;\n",
        "CREATE TRIGGER IF NOT EXISTS sources_generation AFTER DELETE ON sources BEGIN"
        " UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'; END;\n",
};

enum stmt_id {
    ST_SOURCE_GET,
    ST_SOURCE_ADD,
    ST_SOURCE_TOUCH,
    ST_FILE_GET,
    ST_FILE_DEL,
    ST_FILE_ADD,
    ST_FILE_DONE,
    ST_IND_FIND_OBJ,
    ST_IND_FIND_VAL,
    ST_IND_INSERT,
    ST_IND_UPDATE,
    ST_ENT_UPSERT,
    ST_ALIAS_DEL,
    ST_ALIAS_ADD,
    ST_REL_UPSERT,
    ST_REJ_ADD,
    ST_WL_UPSERT,
    ST_WL_CLEAR,
    ST_WL_ENTRY,
    ST_TAG_UPSERT,
    ST__COUNT
};

static const char *const STMT_SQL[ST__COUNT] = {
        [ST_SOURCE_GET] = "SELECT id FROM sources WHERE name = ?1",
        [ST_SOURCE_ADD] = "INSERT INTO sources(name, created, updated) VALUES(?1, ?2, ?2)",
        [ST_SOURCE_TOUCH] = "UPDATE sources SET updated = ?2 WHERE id = ?1",
        [ST_FILE_GET] = "SELECT id, hash FROM files WHERE source_id = ?1 AND path = ?2",
        [ST_FILE_DEL] = "DELETE FROM files WHERE id = ?1",
        [ST_FILE_ADD] = "INSERT INTO files(source_id, path, format, hash, size, imported)"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        [ST_FILE_DONE] = "UPDATE files SET n_indicators = ?2, n_entities = ?3, n_relations = ?4,"
                         " n_warninglists = ?5, n_tag_meanings = ?6, n_rejected = ?7,"
                         " n_older = ?8, by_type = ?9, by_kind = ?10 WHERE id = ?1",
        [ST_IND_FIND_OBJ] =
                "SELECT id, modified, actors, file_id FROM indicators WHERE object_ref = ?1"
                " AND ref = ?2 AND source_id = ?3",
        [ST_IND_FIND_VAL] = "SELECT id, modified, actors, file_id FROM indicators WHERE vhash = ?1"
                            " AND value = ?2"
                            " AND ref = ?3 AND source_id = ?4",
        [ST_IND_INSERT] =
                "INSERT INTO indicators(ref, source_id, file_id, type, value, raw, context,"
                " object_ref, line, confidence, valid_from, valid_until, first_seen, last_seen,"
                " modified, revoked, to_ids, tlp, description, created_by, labels, actors,"
                " techniques, lo, hi, vhash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
                " ?26)",
        [ST_IND_UPDATE] =
                "UPDATE indicators SET ref = ?1, source_id = ?2, file_id = ?3, type = ?4,"
                " value = ?5, raw = ?6, context = ?7, object_ref = ?8, line = ?9,"
                " confidence = ?10, valid_from = ?11, valid_until = ?12, first_seen = ?13,"
                " last_seen = ?14, modified = ?15, revoked = ?16, to_ids = ?17, tlp = ?18,"
                " description = ?19, created_by = ?20, labels = ?21, actors = ?22,"
                " techniques = ?23, lo = ?24, hi = ?25, vhash = ?26 WHERE id = ?27",
        [ST_ENT_UPSERT] =
                "INSERT INTO entities(ref, source_id, file_id, kind, source_type, name,"
                " external_id, country, sponsor, confidence, description, modified, revoked,"
                " line) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                " ON CONFLICT(ref, source_id) DO UPDATE SET file_id = excluded.file_id,"
                " kind = excluded.kind, source_type = excluded.source_type,"
                " name = excluded.name, external_id = excluded.external_id,"
                " country = excluded.country, sponsor = excluded.sponsor,"
                " confidence = excluded.confidence, description = excluded.description,"
                " modified = excluded.modified, revoked = excluded.revoked,"
                " line = excluded.line"
                " WHERE excluded.modified IS NULL OR entities.modified IS NULL"
                " OR excluded.modified >= entities.modified RETURNING id",
        [ST_ALIAS_DEL] = "DELETE FROM aliases WHERE entity_id = ?1",
        [ST_ALIAS_ADD] = "INSERT INTO aliases(entity_id, alias) VALUES(?1, ?2)",
        [ST_REL_UPSERT] =
                "INSERT INTO relations(ref, source_id, file_id, src, type, dst, confidence,"
                " modified, revoked) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                " ON CONFLICT(source_id, src, type, dst) DO UPDATE SET ref = excluded.ref,"
                " file_id = excluded.file_id, confidence = excluded.confidence,"
                " modified = excluded.modified, revoked = excluded.revoked"
                " WHERE excluded.modified IS NULL OR relations.modified IS NULL"
                " OR excluded.modified >= relations.modified",
        [ST_REJ_ADD] = "INSERT INTO rejects(file_id, line, col, object_ref, value, reason)"
                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
        [ST_WL_UPSERT] =
                "INSERT INTO warninglists(source_id, file_id, name, description, type, version,"
                " matching_attributes, n_entries) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                " ON CONFLICT(source_id, name) DO UPDATE SET file_id = excluded.file_id,"
                " description = excluded.description, type = excluded.type,"
                " version = excluded.version,"
                " matching_attributes = excluded.matching_attributes,"
                " n_entries = excluded.n_entries RETURNING id",
        [ST_WL_CLEAR] = "DELETE FROM warninglist_entries WHERE list_id = ?1",
        [ST_WL_ENTRY] = "INSERT INTO warninglist_entries(list_id, value, lo, hi)"
                        " VALUES(?1, ?2, ?3, ?4)",
        [ST_TAG_UPSERT] =
                "INSERT INTO tag_meanings(source_id, file_id, tag, ns, predicate, value,"
                " expanded, numerical_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                " ON CONFLICT(source_id, tag) DO UPDATE SET file_id = excluded.file_id,"
                " ns = excluded.ns, predicate = excluded.predicate, value = excluded.value,"
                " expanded = excluded.expanded, numerical_value = excluded.numerical_value",
};

struct ruru_store {
    sqlite3 *db;
    sqlite3_stmt *st[ST__COUNT];
    char *path; /* the database file */
};

struct ruru_store_file {
    struct ruru_store *store;
    struct ruru_intel_sink sink;
    struct ruru_import_stats stats;
    int64_t source_id;
    int64_t file_id;
    const char *path;
    struct ruru_import_reject *rejects;
    size_t n_rejects;
    struct ruru_buf tmp; /* derived refs */
    bool fresh;          /* the source held no indicators before this file */
    uint64_t *seen;      /* open-addressing set of the ref keys this file inserted */
    size_t seen_cap, n_seen;
    struct ruru_buf json; /* JSON arrays of labels / actors / techniques */
};

sqlite3 *ruru_store_db(struct ruru_store *store)
{
    return store->db;
}

static enum ruru_err db_error(struct ruru_store *s, struct ruru_diag *diag, const char *what)
{
    return ruru_diag_set(diag, RURU_EDB, s->path, 0, 0, "%s: %s", what, sqlite3_errmsg(s->db));
}

int64_t ruru_store_hash(const char *s, size_t len)
{
    return (int64_t)XXH3_64bits(s, len);
}

/* SQL function ruru_hash(text): the key of the vhash column. */
static void sql_hash(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    const unsigned char *t;

    (void)argc;
    t = sqlite3_value_text(argv[0]);
    if (t == NULL)
        sqlite3_result_null(c);
    else
        sqlite3_result_int64(
                c, ruru_store_hash((const char *)t, (size_t)sqlite3_value_bytes(argv[0])));
}

static enum ruru_err exec_sql(struct ruru_store *s, const char *sql, struct ruru_diag *diag)
{
    char *msg = NULL;

    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        ruru_diag_set(diag, RURU_EDB, s->path, 0, 0, "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return RURU_EDB;
    }
    return RURU_OK;
}

static enum ruru_err check_version(struct ruru_store *s, struct ruru_diag *diag)
{
    sqlite3_stmt *st = NULL;
    enum ruru_err err = RURU_OK;
    int version = 0;

    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &st, NULL) !=
        SQLITE_OK)
        return db_error(s, diag, "reading schema version");
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > SCHEMA_VERSION)
        return ruru_diag_set(diag, RURU_ECORRUPT, s->path, 0, 0,
                             "store schema %d is newer than this ruru (%d)", version,
                             SCHEMA_VERSION);
    if (version == 0)
        err = exec_sql(s, "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '1')", diag);
    return err;
}

const char *ruru_store_path(const struct ruru_store *store)
{
    return store->path;
}

bool ruru_store_generation(struct ruru_store *s, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    bool ok = false;

    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT value FROM meta WHERE key = 'instance') || '-' ||"
                           " (SELECT value FROM meta WHERE key = 'generation')",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        ok = v != NULL && strlen(v) < cap;
        if (ok)
            memcpy(out, v, strlen(v) + 1);
    }
    sqlite3_finalize(st);
    return ok;
}

sqlite3_stmt *ruru_stmt_get(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;

    for (st = sqlite3_next_stmt(db, NULL); st != NULL; st = sqlite3_next_stmt(db, st)) {
        const char *have = sqlite3_sql(st);
        if (!sqlite3_stmt_busy(st) && have != NULL && strcmp(have, sql) == 0)
            return st;
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

void ruru_stmt_put(sqlite3_stmt *st)
{
    if (st == NULL)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

void ruru_store_close(ruru_store *store)
{
    sqlite3_stmt *st;

    if (store == NULL)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(store->st[i]);
    /* and those ruru_stmt_get kept */
    while ((st = sqlite3_next_stmt(store->db, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(store->db);
    ruru_free(store->path);
    ruru_free(store);
}

enum ruru_err ruru_store_open(const char *home, ruru_store **out, struct ruru_diag *diag)
{
    struct ruru_store *s;
    struct ruru_buf p;
    enum ruru_err err;

    bool memory;

    if (home == NULL || *home == '\0')
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0, "no store directory given");
    memory = strcmp(home, RURU_STORE_MEMORY) == 0;
    if (!memory && (err = ruru_make_dirs(home, diag)) != RURU_OK)
        return err;
    s = ruru_calloc(1, sizeof(*s));
    if (s == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, home, 0, 0, "out of memory");
    ruru_buf_init(&p, 8192);
    if (ruru_buf_addf(&p, memory ? "%s" : "%s/intel.db", home) != RURU_OK) {
        ruru_free(s);
        return ruru_diag_set(diag, RURU_ELIMIT, home, 0, 0, "path too long");
    }
    s->path = ruru_buf_detach(&p);
    if (s->path == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, home, 0, 0, "out of memory");
        goto fail;
    }
    if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        err = ruru_diag_set(diag, RURU_EDB, s->path, 0, 0, "cannot open store: %s",
                            s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    if (sqlite3_create_function(s->db, "ruru_hash", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                sql_hash, NULL, NULL) != SQLITE_OK) {
        err = db_error(s, diag, "registering functions");
        goto fail;
    }
    /* Another ruru (a server, a scan) may hold the store: wait rather than fail at once. */
    sqlite3_busy_timeout(s->db, 10000);
    err = exec_sql(s,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                   " PRAGMA temp_store=MEMORY;",
                   diag);
    if (err != RURU_OK)
        goto fail;
    for (size_t i = 0; i < sizeof(SCHEMA) / sizeof(SCHEMA[0]) && err == RURU_OK; i++)
        err = exec_sql(s, SCHEMA[i], diag);
    if (err == RURU_OK)
        err = check_version(s, diag);
    if (err != RURU_OK)
        goto fail;
    for (int i = 0; i < ST__COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            err = db_error(s, diag, "preparing statement");
            goto fail;
        }
    }
    *out = s;
    return RURU_OK;
fail:
    /* the diagnostic must not point into the store about to be freed: name the home, and the
     * file in the message */
    if (diag != NULL && s->path != NULL && diag->source == s->path) {
        char msg[sizeof(diag->msg)];
        memcpy(msg, diag->msg, sizeof(msg));
        snprintf(diag->msg, sizeof(diag->msg), "%s: %.*s", memory ? "memory" : "intel.db",
                 (int)sizeof(msg) - 16, msg);
        diag->source = home;
    }
    ruru_store_close(s);
    return err;
}

/* ---- binding helpers ------------------------------------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s == NULL)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void bind_time(sqlite3_stmt *st, int i, int64_t t)
{
    if (t == RURU_TIME_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

static void bind_conf(sqlite3_stmt *st, int i, int c)
{
    if (c < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, c > 100 ? 100 : c);
}

/* Runs a statement that returns no rows; resets it. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Appends `s` as a JSON string. */
static enum ruru_err json_str(struct ruru_buf *b, const char *s)
{
    enum ruru_err err = ruru_buf_addc(b, '"');

    for (; err == RURU_OK && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            err = ruru_buf_addc(b, '\\');
            if (err == RURU_OK)
                err = ruru_buf_addc(b, (char)c);
        } else if (c < 0x20) {
            err = ruru_buf_addf(b, "\\u%04x", c);
        } else {
            err = ruru_buf_addc(b, (char)c);
        }
    }
    if (err == RURU_OK)
        err = ruru_buf_addc(b, '"');
    return err;
}

/* Writes a JSON array of `n` strings into b (reset first); NULL result for an empty list. */
static const char *json_list(struct ruru_buf *b, const char *const *v, size_t n)
{
    enum ruru_err err;

    ruru_buf_reset(b);
    if (n == 0)
        return NULL;
    err = ruru_buf_addc(b, '[');
    for (size_t i = 0; i < n && err == RURU_OK; i++) {
        if (i > 0)
            err = ruru_buf_addc(b, ',');
        if (err == RURU_OK)
            err = json_str(b, v[i] ? v[i] : "");
    }
    if (err == RURU_OK)
        err = ruru_buf_addc(b, ']');
    return err == RURU_OK ? ruru_buf_str(b) : NULL;
}

bool ruru_store_ip_range(enum ruru_ioc_type type,
                         const char *value,
                         unsigned char lo[16],
                         unsigned char hi[16])
{
    char addr[64];
    const char *slash;
    size_t alen;
    unsigned prefix, bits;
    bool v4 = type == RURU_IOC_IPV4 || type == RURU_IOC_CIDR4;

    if (!v4 && type != RURU_IOC_IPV6 && type != RURU_IOC_CIDR6)
        return false;
    slash = strchr(value, '/');
    alen = slash ? (size_t)(slash - value) : strlen(value);
    if (alen >= sizeof(addr))
        return false;
    memcpy(addr, value, alen);
    addr[alen] = '\0';
    memset(lo, 0, 16);
    if (v4) {
        lo[10] = 0xff;
        lo[11] = 0xff;
        if (inet_pton(AF_INET, addr, lo + 12) != 1)
            return false;
        bits = 32;
    } else {
        if (inet_pton(AF_INET6, addr, lo) != 1)
            return false;
        bits = 128;
    }
    prefix = bits;
    if (slash != NULL) {
        prefix = 0;
        for (const char *p = slash + 1; *p; p++) {
            if (*p < '0' || *p > '9' || prefix > bits)
                return false;
            prefix = prefix * 10 + (unsigned)(*p - '0');
        }
        if (prefix > bits)
            return false;
    }
    memcpy(hi, lo, 16);
    /* Host bits: the last (bits - prefix) bits of the address, counted from the end. */
    for (unsigned b = prefix + (128 - bits); b < 128; b++) {
        lo[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
        hi[b / 8] |= (unsigned char)(0x80u >> (b % 8));
    }
    return true;
}

/* ---- the sink --------------------------------------------------------------------------- */

static enum ruru_err sink_error(struct ruru_store_file *f)
{
    (void)f;
    return RURU_EDB;
}

/*
 * The refs a file has inserted so far, as a set of their 64-bit keys (0 stands for "empty", so
 * key 0 is stored as 1: a false "seen" only costs a lookup). While a file fills a source that
 * held no indicators, a ref not in this set cannot be in the store, and the per-row lookup is
 * skipped: that halves the B-tree work of a bulk import.
 */
static bool seen_test_and_add(struct ruru_store_file *f, uint64_t key, bool *failed)
{
    size_t mask, i;

    key = key == 0 ? 1 : key;
    if ((f->n_seen + 1) * 2 > f->seen_cap) {
        size_t cap = f->seen_cap ? f->seen_cap * 2 : 1024;
        uint64_t *n = ruru_calloc(cap, sizeof(*n));
        if (n == NULL) {
            *failed = true;
            return true;
        }
        for (size_t k = 0; k < f->seen_cap; k++) {
            if (f->seen[k] == 0)
                continue;
            for (i = (size_t)f->seen[k] & (cap - 1); n[i] != 0; i = (i + 1) & (cap - 1))
                ;
            n[i] = f->seen[k];
        }
        ruru_free(f->seen);
        f->seen = n;
        f->seen_cap = cap;
    }
    mask = f->seen_cap - 1;
    for (i = (size_t)key & mask; f->seen[i] != 0; i = (i + 1) & mask)
        if (f->seen[i] == key)
            return true;
    f->seen[i] = key;
    f->n_seen++;
    return false;
}

/* Binds every column of an indicator row to the insert or update statement (same numbering). */
static enum ruru_err bind_indicator(struct ruru_store_file *f,
                                    sqlite3_stmt *st,
                                    const struct ruru_intel_indicator *ind,
                                    const char *ref,
                                    const char *type)
{
    unsigned char lo[16], hi[16];
    const char *js;

    sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, f->source_id);
    sqlite3_bind_int64(st, 3, f->file_id);
    sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    bind_text(st, 5, ind->value);
    bind_text(st, 6, ind->raw);
    bind_text(st, 7, ind->context);
    /* A row's object is what it came from; an id of its own is its own object. */
    bind_text(st, 8, ind->object_ref ? ind->object_ref : ind->ref);
    if (ind->line > 0)
        sqlite3_bind_int64(st, 9, (sqlite3_int64)ind->line);
    bind_conf(st, 10, ind->confidence);
    bind_time(st, 11, ind->valid_from);
    bind_time(st, 12, ind->valid_until);
    bind_time(st, 13, ind->first_seen);
    bind_time(st, 14, ind->last_seen);
    bind_time(st, 15, ind->modified);
    sqlite3_bind_int(st, 16, ind->revoked);
    sqlite3_bind_int(st, 17, ind->to_ids);
    bind_text(st, 18, ind->tlp);
    bind_text(st, 19, ind->description);
    bind_text(st, 20, ind->created_by);
    js = json_list(&f->json, ind->labels, ind->n_labels);
    if (js)
        sqlite3_bind_text(st, 21, js, -1, SQLITE_TRANSIENT);
    js = json_list(&f->json, ind->actors, ind->n_actors);
    if (js)
        sqlite3_bind_text(st, 22, js, -1, SQLITE_TRANSIENT);
    js = json_list(&f->json, ind->techniques, ind->n_techniques);
    if (js)
        sqlite3_bind_text(st, 23, js, -1, SQLITE_TRANSIENT);
    if (f->json.failed)
        return RURU_ENOMEM;
    if (ruru_store_ip_range(ind->type, ind->value, lo, hi)) {
        sqlite3_bind_blob(st, 24, lo, 16, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 25, hi, 16, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int64(st, 26, ruru_store_hash(ind->value, strlen(ind->value)));
    return RURU_OK;
}

/*
 * Finding an indicator again (a re-listed value, a newer version of an object) must stay cheap
 * at a million rows, and SQLite's cost there is its B-trees: text indexes over a million
 * random refs and values took 16 s to fill (measured). So values are indexed by a 64-bit hash
 * (vhash, every lookup comparing the text too: a collision costs a row read, never a wrong
 * answer), refs of objects by (object_ref, ref) only for rows that have an object, and rows
 * whose ref is derived from their value are found through the value. While a file fills a
 * source that held no indicators, a ref it has not inserted itself cannot exist, and the
 * lookup is skipped altogether.
 */
static enum ruru_err on_reject(void *ctx, const struct ruru_intel_reject *r);

/* A description is context for a reader: past this it is dropped, the indicator kept. */
#define DESCRIPTION_MAX (64 * 1024)

static enum ruru_err store_indicator(struct ruru_store_file *f,
                                     const struct ruru_intel_indicator *ind);

/* What an importer hands over, with the parts that cannot be kept refused alone: a validity
 * window that ends before it starts (its end is dropped: the window cannot be trusted, the
 * indicator still can), a description over 64 KiB (dropped). Each is a rejection of that part,
 * with the line, and the indicator is stored. */
static enum ruru_err on_indicator(void *ctx, const struct ruru_intel_indicator *in)
{
    struct ruru_store_file *f = ctx;
    struct ruru_intel_indicator fixed;
    struct ruru_intel_reject r;
    enum ruru_err err;

    if (in->value == NULL || in->type <= RURU_IOC_NONE || in->type >= RURU_IOC__COUNT)
        return RURU_OK;
    fixed = *in;
    memset(&r, 0, sizeof(r));
    r.line = in->line;
    r.object_ref = in->object_ref ? in->object_ref : in->ref;
    r.value = in->value;
    if (in->valid_from != RURU_TIME_NONE && in->valid_until != RURU_TIME_NONE &&
        in->valid_until < in->valid_from) {
        fixed.valid_until = RURU_TIME_NONE;
        r.reason = "valid_until before valid_from: valid_until dropped, the indicator kept";
        if ((err = on_reject(f, &r)) != RURU_OK)
            return err;
    }
    if (in->description != NULL && strlen(in->description) > DESCRIPTION_MAX) {
        fixed.description = NULL;
        r.reason = "description over 64 KiB: dropped, the indicator kept";
        if ((err = on_reject(f, &r)) != RURU_OK)
            return err;
    }
    return store_indicator(f, &fixed);
}

static enum ruru_err store_indicator(struct ruru_store_file *f,
                                     const struct ruru_intel_indicator *ind)
{
    struct ruru_store *s = f->store;
    sqlite3_stmt *find, *st;
    const char *ref = ind->ref, *type = ruru_ioc_type_name(ind->type);
    int64_t id = -1;
    bool older = false;
    char *old_actors = NULL; /* the row's actors, when this file named the value before */
    enum ruru_err err;
    int rc;

    if (ind->value == NULL || ind->type <= RURU_IOC_NONE || ind->type >= RURU_IOC__COUNT)
        return RURU_OK;
    if (ref == NULL) {
        /* A list row has no id of its own: derive a stable one from what it says, so that
         * the same value from the same author in one source is one indicator however often
         * it is listed. */
        XXH64_hash_t h = XXH3_64bits_withSeed(ind->value, strlen(ind->value), 0);
        h = XXH3_64bits_withSeed(type, strlen(type), h);
        /* Two authors listing one value in one source are two claims, both kept. */
        if (ind->created_by != NULL)
            h = XXH3_64bits_withSeed(ind->created_by, strlen(ind->created_by), h);
        ruru_buf_reset(&f->tmp);
        if (ruru_buf_addf(&f->tmp, "ruru--%016" PRIx64, (uint64_t)h) != RURU_OK)
            return RURU_ENOMEM;
        ref = ruru_buf_str(&f->tmp);
    }
    if (f->fresh) {
        bool failed = false;
        if (!seen_test_and_add(f, (uint64_t)ruru_store_hash(ref, strlen(ref)), &failed))
            goto insert;
        if (failed)
            return RURU_ENOMEM;
    }
    if (ind->ref != NULL) {
        find = s->st[ST_IND_FIND_OBJ];
        sqlite3_bind_text(find, 1, ind->object_ref ? ind->object_ref : ind->ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(find, 2, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(find, 3, f->source_id);
    } else {
        find = s->st[ST_IND_FIND_VAL];
        sqlite3_bind_int64(find, 1, ruru_store_hash(ind->value, strlen(ind->value)));
        sqlite3_bind_text(find, 2, ind->value, -1, SQLITE_STATIC);
        sqlite3_bind_text(find, 3, ref, -1, SQLITE_STATIC);
        sqlite3_bind_int64(find, 4, f->source_id);
    }
    rc = sqlite3_step(find);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(find, 0);
        /* A newer version replaces an older one; without dates the latest import wins. */
        older = ind->modified != RURU_TIME_NONE && sqlite3_column_type(find, 1) != SQLITE_NULL &&
                ind->modified < sqlite3_column_int64(find, 1);
        /* The same file naming the value again (a list row per actor): its actors add up */
        if (sqlite3_column_int64(find, 3) == f->file_id && sqlite3_column_text(find, 2) != NULL) {
            const char *a = (const char *)sqlite3_column_text(find, 2);
            size_t n = strlen(a);
            if ((old_actors = ruru_malloc(n + 1)) == NULL) {
                sqlite3_reset(find);
                return RURU_ENOMEM;
            }
            memcpy(old_actors, a, n + 1);
        }
    }
    sqlite3_reset(find);
    sqlite3_clear_bindings(find);
    if ((rc != SQLITE_ROW && rc != SQLITE_DONE) || older) {
        ruru_free(old_actors);
        if (older) {
            f->stats.n_older++;
            return RURU_OK;
        }
        return sink_error(f);
    }
insert:
    st = id >= 0 ? s->st[ST_IND_UPDATE] : s->st[ST_IND_INSERT];
    err = bind_indicator(f, st, ind, ref, type);
    if (err == RURU_OK && id >= 0)
        sqlite3_bind_int64(st, 27, id);
    if (err == RURU_OK) {
        rc = sqlite3_step(st);
        err = rc == SQLITE_DONE ? RURU_OK : sink_error(f);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (err == RURU_OK && old_actors != NULL) {
        sqlite3_stmt *m = NULL;
        if (sqlite3_prepare_v2(s->db,
                               "UPDATE indicators SET actors = (SELECT json_group_array(v) FROM"
                               " (SELECT value AS v FROM json_each(?1) UNION SELECT value FROM"
                               " json_each(coalesce(actors, '[]')))) WHERE id = ?2",
                               -1, &m, NULL) != SQLITE_OK)
            err = sink_error(f);
        else {
            sqlite3_bind_text(m, 1, old_actors, -1, SQLITE_STATIC);
            sqlite3_bind_int64(m, 2, id);
            if (sqlite3_step(m) != SQLITE_DONE)
                err = sink_error(f);
        }
        sqlite3_finalize(m);
    }
    ruru_free(old_actors);
    if (err == RURU_OK) {
        f->stats.n_indicators++;
        if (ind->to_ids) {
            f->stats.n_by_type[ind->type]++;
        } else {
            f->stats.n_context++;
            f->stats.n_context_by_type[ind->type]++;
        }
    }
    return err;
}

static const char *kind_name(enum ruru_entity_kind k)
{
    switch (k) {
    case RURU_ENTITY_ACTOR:
        return "actor";
    case RURU_ENTITY_CAMPAIGN:
        return "campaign";
    case RURU_ENTITY_MALWARE:
        return "malware";
    case RURU_ENTITY_TOOL:
        return "tool";
    case RURU_ENTITY_TECHNIQUE:
        return "technique";
    case RURU_ENTITY_IDENTITY:
        return "identity";
    case RURU_ENTITY_INFRASTRUCTURE:
        return "infrastructure";
    }
    return NULL;
}

static enum ruru_err on_entity(void *ctx, const struct ruru_intel_entity *e)
{
    struct ruru_store_file *f = ctx;
    struct ruru_store *s = f->store;
    sqlite3_stmt *st = s->st[ST_ENT_UPSERT];
    const char *kind = kind_name(e->kind);
    int64_t id;
    int rc;

    if (e->ref == NULL || e->name == NULL || kind == NULL)
        return RURU_OK;
    bind_text(st, 1, e->ref);
    sqlite3_bind_int64(st, 2, f->source_id);
    sqlite3_bind_int64(st, 3, f->file_id);
    bind_text(st, 4, kind);
    bind_text(st, 5, e->source_type);
    bind_text(st, 6, e->name);
    bind_text(st, 7, e->external_id);
    bind_text(st, 8, e->country);
    bind_text(st, 9, e->sponsor);
    bind_conf(st, 10, e->confidence);
    bind_text(st, 11, e->description);
    bind_time(st, 12, e->modified);
    sqlite3_bind_int(st, 13, e->revoked);
    if (e->line > 0)
        sqlite3_bind_int64(st, 14, (sqlite3_int64)e->line);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) { /* an older version: the store keeps the newer one */
        f->stats.n_older++;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return RURU_OK;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return sink_error(f);
    }
    id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    f->stats.n_entities++;
    f->stats.n_by_kind[e->kind]++;
    sqlite3_bind_int64(s->st[ST_ALIAS_DEL], 1, id);
    if (step_done(s->st[ST_ALIAS_DEL]) != SQLITE_OK)
        return sink_error(f);
    for (size_t i = 0; i < e->n_aliases; i++) {
        if (e->aliases[i] == NULL || e->aliases[i][0] == '\0')
            continue;
        sqlite3_bind_int64(s->st[ST_ALIAS_ADD], 1, id);
        bind_text(s->st[ST_ALIAS_ADD], 2, e->aliases[i]);
        if (step_done(s->st[ST_ALIAS_ADD]) != SQLITE_OK)
            return sink_error(f);
    }
    return RURU_OK;
}

static enum ruru_err on_relation(void *ctx, const struct ruru_intel_relation *r)
{
    struct ruru_store_file *f = ctx;
    sqlite3_stmt *st = f->store->st[ST_REL_UPSERT];

    if (r->src == NULL || r->type == NULL || r->dst == NULL)
        return RURU_OK;
    bind_text(st, 1, r->ref);
    sqlite3_bind_int64(st, 2, f->source_id);
    sqlite3_bind_int64(st, 3, f->file_id);
    bind_text(st, 4, r->src);
    bind_text(st, 5, r->type);
    bind_text(st, 6, r->dst);
    bind_conf(st, 7, r->confidence);
    bind_time(st, 8, r->modified);
    sqlite3_bind_int(st, 9, r->revoked);
    if (step_done(st) != SQLITE_OK)
        return sink_error(f);
    f->stats.n_relations++;
    return RURU_OK;
}

/* Longest rejected value kept: enough to recognise it, not a copy of a 10 MB line. */
#define REJECT_VALUE_MAX 256

static enum ruru_err on_reject(void *ctx, const struct ruru_intel_reject *r)
{
    struct ruru_store_file *f = ctx;
    sqlite3_stmt *st = f->store->st[ST_REJ_ADD];
    size_t vlen = r->value ? strlen(r->value) : 0;

    sqlite3_bind_int64(st, 1, f->file_id);
    if (r->line > 0)
        sqlite3_bind_int64(st, 2, (sqlite3_int64)r->line);
    if (r->col > 0)
        sqlite3_bind_int64(st, 3, (sqlite3_int64)r->col);
    bind_text(st, 4, r->object_ref);
    if (r->value != NULL)
        sqlite3_bind_text(st, 5, r->value, (int)(vlen > REJECT_VALUE_MAX ? REJECT_VALUE_MAX : vlen),
                          SQLITE_STATIC);
    bind_text(st, 6, r->reason ? r->reason : "rejected");
    if (step_done(st) != SQLITE_OK)
        return sink_error(f);
    f->stats.n_rejected++;
    if (f->n_rejects < RURU_REPORT_MAX_REJECTS) {
        struct ruru_import_reject *kept;
        if (f->rejects == NULL) {
            f->rejects = ruru_calloc(RURU_REPORT_MAX_REJECTS, sizeof(*f->rejects));
            if (f->rejects == NULL)
                return RURU_ENOMEM;
        }
        kept = &f->rejects[f->n_rejects++];
        kept->line = r->line;
        kept->col = r->col;
        kept->object_ref = r->object_ref ? ruru_strdup(r->object_ref) : NULL;
        kept->value =
                r->value ? ruru_memdup0(r->value, vlen > REJECT_VALUE_MAX ? REJECT_VALUE_MAX : vlen)
                         : NULL;
        kept->reason = ruru_strdup(r->reason ? r->reason : "rejected");
    }
    return RURU_OK;
}

static enum ruru_err on_warninglist(void *ctx, const struct ruru_intel_warninglist *wl)
{
    struct ruru_store_file *f = ctx;
    struct ruru_store *s = f->store;
    sqlite3_stmt *st = s->st[ST_WL_UPSERT];
    const char *js;
    int64_t id;
    bool is_cidr;

    if (wl->name == NULL)
        return RURU_OK;
    sqlite3_bind_int64(st, 1, f->source_id);
    sqlite3_bind_int64(st, 2, f->file_id);
    bind_text(st, 3, wl->name);
    bind_text(st, 4, wl->description);
    bind_text(st, 5, wl->type);
    sqlite3_bind_int64(st, 6, wl->version);
    js = json_list(&f->json, wl->matching_attributes, wl->n_matching_attributes);
    if (js)
        sqlite3_bind_text(st, 7, js, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)wl->n_entries);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return sink_error(f);
    }
    id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(s->st[ST_WL_CLEAR], 1, id);
    if (step_done(s->st[ST_WL_CLEAR]) != SQLITE_OK)
        return sink_error(f);
    is_cidr = wl->type != NULL && strcmp(wl->type, "cidr") == 0;
    for (size_t i = 0; i < wl->n_entries; i++) {
        sqlite3_stmt *e = s->st[ST_WL_ENTRY];
        unsigned char lo[16], hi[16];
        const char *v = wl->entries[i];
        if (v == NULL)
            continue;
        sqlite3_bind_int64(e, 1, id);
        bind_text(e, 2, v);
        if (is_cidr &&
            (ruru_store_ip_range(strchr(v, ':') ? RURU_IOC_CIDR6 : RURU_IOC_CIDR4, v, lo, hi))) {
            sqlite3_bind_blob(e, 3, lo, 16, SQLITE_TRANSIENT);
            sqlite3_bind_blob(e, 4, hi, 16, SQLITE_TRANSIENT);
        }
        if (step_done(e) != SQLITE_OK)
            return sink_error(f);
        f->stats.n_warninglist_entries++;
    }
    f->stats.n_warninglists++;
    return RURU_OK;
}

static enum ruru_err on_tag_meaning(void *ctx, const struct ruru_intel_tag_meaning *tm)
{
    struct ruru_store_file *f = ctx;
    sqlite3_stmt *st = f->store->st[ST_TAG_UPSERT];

    if (tm->tag == NULL)
        return RURU_OK;
    sqlite3_bind_int64(st, 1, f->source_id);
    sqlite3_bind_int64(st, 2, f->file_id);
    bind_text(st, 3, tm->tag);
    bind_text(st, 4, tm->ns);
    bind_text(st, 5, tm->predicate);
    bind_text(st, 6, tm->value);
    bind_text(st, 7, tm->expanded);
    if (tm->numerical_value >= 0)
        sqlite3_bind_int(st, 8, tm->numerical_value);
    if (step_done(st) != SQLITE_OK)
        return sink_error(f);
    f->stats.n_tag_meanings++;
    return RURU_OK;
}

/* ---- file transactions ------------------------------------------------------------------ */

static enum ruru_err
source_id(struct ruru_store *s, const char *name, bool create, int64_t *id, struct ruru_diag *diag)
{
    sqlite3_stmt *st = s->st[ST_SOURCE_GET];
    int rc;

    bind_text(st, 1, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        return RURU_OK;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_error(s, diag, "looking up source");
    if (!create)
        return RURU_ENOTFOUND;
    st = s->st[ST_SOURCE_ADD];
    bind_text(st, 1, name);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    if (step_done(st) != SQLITE_OK)
        return db_error(s, diag, "adding source");
    *id = sqlite3_last_insert_rowid(s->db);
    return RURU_OK;
}

static void free_file(struct ruru_store_file *f)
{
    for (size_t i = 0; i < f->n_rejects; i++) {
        ruru_free(f->rejects[i].object_ref);
        ruru_free(f->rejects[i].value);
        ruru_free(f->rejects[i].reason);
    }
    ruru_free(f->rejects);
    ruru_free(f->seen);
    ruru_buf_fini(&f->tmp);
    ruru_buf_fini(&f->json);
    ruru_free(f);
}

enum ruru_err ruru_store_file_begin(struct ruru_store *s,
                                    const char *source,
                                    const char *path,
                                    const char *format,
                                    const char *hash,
                                    uint64_t size,
                                    struct ruru_store_file **out,
                                    bool *unchanged,
                                    struct ruru_diag *diag)
{
    struct ruru_store_file *f;
    sqlite3_stmt *st;
    enum ruru_err err;
    int rc;

    *unchanged = false;
    f = ruru_calloc(1, sizeof(*f));
    if (f == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    f->store = s;
    f->path = path;
    ruru_buf_init(&f->tmp, 4096);
    /* Lists of labels or actors are small; 16 MiB is far beyond any real one. */
    ruru_buf_init(&f->json, 16u << 20);
    if (exec_sql(s, "BEGIN IMMEDIATE", diag) != RURU_OK) {
        free_file(f);
        return RURU_EDB;
    }
    err = source_id(s, source, true, &f->source_id, diag);
    if (err != RURU_OK)
        goto fail;
    st = s->st[ST_FILE_GET];
    sqlite3_bind_int64(st, 1, f->source_id);
    bind_text(st, 2, path);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *old = (const char *)sqlite3_column_text(st, 1);
        int64_t old_id = sqlite3_column_int64(st, 0);
        if (old != NULL && strcmp(old, hash) == 0) {
            sqlite3_reset(st);
            exec_sql(s, "ROLLBACK", NULL);
            free_file(f);
            *unchanged = true;
            *out = NULL;
            return RURU_OK;
        }
        sqlite3_reset(st);
        sqlite3_bind_int64(s->st[ST_FILE_DEL], 1, old_id);
        if (step_done(s->st[ST_FILE_DEL]) != SQLITE_OK) {
            err = db_error(s, diag, "replacing file");
            goto fail;
        }
    } else {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            err = db_error(s, diag, "looking up file");
            goto fail;
        }
    }
    st = s->st[ST_FILE_ADD];
    sqlite3_bind_int64(st, 1, f->source_id);
    bind_text(st, 2, path);
    bind_text(st, 3, format);
    bind_text(st, 4, hash);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)size);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
    if (step_done(st) != SQLITE_OK) {
        err = db_error(s, diag, "adding file");
        goto fail;
    }
    f->file_id = sqlite3_last_insert_rowid(s->db);
    {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM indicators WHERE source_id = ?1 LIMIT 1", -1,
                               &q, NULL) == SQLITE_OK) {
            sqlite3_bind_int64(q, 1, f->source_id);
            f->fresh = sqlite3_step(q) == SQLITE_DONE;
        }
        sqlite3_finalize(q);
    }
    f->sink.ctx = f;
    f->sink.indicator = on_indicator;
    f->sink.entity = on_entity;
    f->sink.relation = on_relation;
    f->sink.reject = on_reject;
    f->sink.warninglist = on_warninglist;
    f->sink.tag_meaning = on_tag_meaning;
    *out = f;
    return RURU_OK;
fail:
    exec_sql(s, "ROLLBACK", NULL);
    free_file(f);
    return err;
}

const struct ruru_intel_sink *ruru_store_file_sink(struct ruru_store_file *f)
{
    return &f->sink;
}

const struct ruru_import_stats *ruru_store_file_stats(const struct ruru_store_file *f)
{
    return &f->stats;
}

const struct ruru_import_reject *ruru_store_file_rejects(const struct ruru_store_file *f, size_t *n)
{
    *n = f->n_rejects;
    return f->rejects;
}

/* {"ipv4":3,...} of the non-zero counters. */
static const char *by_type_json(struct ruru_buf *b, const struct ruru_import_stats *st)
{
    bool first = true;

    ruru_buf_reset(b);
    ruru_buf_addc(b, '{');
    for (int t = 1; t < RURU_IOC__COUNT; t++) {
        if (st->n_by_type[t] == 0)
            continue;
        ruru_buf_addf(b, "%s\"%s\":%" PRIu64, first ? "" : ",",
                      ruru_ioc_type_name((enum ruru_ioc_type)t), st->n_by_type[t]);
        first = false;
    }
    ruru_buf_addc(b, '}');
    return ruru_buf_str(b);
}

static const char *by_kind_json(struct ruru_buf *b, const struct ruru_import_stats *st)
{
    bool first = true;

    ruru_buf_reset(b);
    ruru_buf_addc(b, '{');
    for (int k = RURU_ENTITY_ACTOR; k <= RURU_ENTITY_INFRASTRUCTURE; k++) {
        if (st->n_by_kind[k] == 0)
            continue;
        ruru_buf_addf(b, "%s\"%s\":%" PRIu64, first ? "" : ",", kind_name((enum ruru_entity_kind)k),
                      st->n_by_kind[k]);
        first = false;
    }
    ruru_buf_addc(b, '}');
    return ruru_buf_str(b);
}

enum ruru_err ruru_store_file_commit(struct ruru_store_file *f, struct ruru_diag *diag)
{
    struct ruru_store *s = f->store;
    sqlite3_stmt *st = s->st[ST_FILE_DONE];
    const struct ruru_import_stats *n = &f->stats;
    enum ruru_err err;

    sqlite3_bind_int64(st, 1, f->file_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)n->n_indicators);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)n->n_entities);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)n->n_relations);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)n->n_warninglists);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)n->n_tag_meanings);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)n->n_rejected);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)n->n_older);
    sqlite3_bind_text(st, 9, by_type_json(&f->tmp, n), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, by_kind_json(&f->tmp, n), -1, SQLITE_TRANSIENT);
    if (step_done(st) != SQLITE_OK) {
        err = db_error(s, diag, "recording file");
        exec_sql(s, "ROLLBACK", NULL);
        free_file(f);
        return err;
    }
    sqlite3_bind_int64(s->st[ST_SOURCE_TOUCH], 1, f->source_id);
    sqlite3_bind_int64(s->st[ST_SOURCE_TOUCH], 2, (sqlite3_int64)time(NULL));
    step_done(s->st[ST_SOURCE_TOUCH]);
    err = exec_sql(s, "COMMIT", diag);
    if (err != RURU_OK)
        exec_sql(s, "ROLLBACK", NULL);
    free_file(f);
    return err;
}

void ruru_store_file_rollback(struct ruru_store_file *f)
{
    if (f == NULL)
        return;
    exec_sql(f->store, "ROLLBACK", NULL);
    free_file(f);
}

enum ruru_err ruru_store_file_counts(struct ruru_store *s,
                                     const char *source,
                                     const char *path,
                                     struct ruru_import_stats *stats,
                                     char *format,
                                     size_t format_len)
{
    sqlite3_stmt *st = NULL;
    enum ruru_err err = RURU_ENOTFOUND;

    memset(stats, 0, sizeof(*stats));
    if (sqlite3_prepare_v2(s->db,
                           "SELECT f.n_indicators, f.n_entities, f.n_relations, f.n_warninglists,"
                           " f.n_tag_meanings, f.n_rejected, f.format FROM files f"
                           " JOIN sources s ON s.id = f.source_id"
                           " WHERE s.name = ?1 AND f.path = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    bind_text(st, 1, source);
    bind_text(st, 2, path);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *fmt = (const char *)sqlite3_column_text(st, 6);
        stats->n_indicators = (uint64_t)sqlite3_column_int64(st, 0);
        stats->n_entities = (uint64_t)sqlite3_column_int64(st, 1);
        stats->n_relations = (uint64_t)sqlite3_column_int64(st, 2);
        stats->n_warninglists = (uint64_t)sqlite3_column_int64(st, 3);
        stats->n_tag_meanings = (uint64_t)sqlite3_column_int64(st, 4);
        stats->n_rejected = (uint64_t)sqlite3_column_int64(st, 5);
        snprintf(format, format_len, "%s", fmt ? fmt : "");
        err = RURU_OK;
    }
    sqlite3_finalize(st);
    if (err == RURU_OK &&
        sqlite3_prepare_v2(s->db,
                           "SELECT count(*) FROM indicators i JOIN files f ON f.id = i.file_id"
                           " JOIN sources s ON s.id = f.source_id"
                           " WHERE s.name = ?1 AND f.path = ?2 AND NOT i.to_ids",
                           -1, &st, NULL) == SQLITE_OK) {
        bind_text(st, 1, source);
        bind_text(st, 2, path);
        if (sqlite3_step(st) == SQLITE_ROW)
            stats->n_context = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return err;
}
