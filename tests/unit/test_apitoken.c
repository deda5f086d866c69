/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API tokens of `ruru serve` (src/cases/tokens.c): their shape, 1000 of them distinct;
 * the register holding their SHA-256 and never their text (nor the list); finding a request's
 * token and refusing every near miss; revocation; PRAGMA data_version after another
 * connection's change; roles; what is refused; the migration of a schema-2 register.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "cases/tokens.h"
#include "check.h"
#include "register_target.h"

static char dir[64];

static ruru_register *open_in(const char *name)
{
    char home[256];
    ruru_register *r = NULL;
    struct ruru_diag d;

    snprintf(home, sizeof(home), "%s/%s", dir, name);
    CHECK_INT(reg_open(home, &r, &d), RURU_OK);
    return r;
}

/* Adds a token; its text (ruru_free) and, when js is not NULL, its JSON. */
static char *add(ruru_register *r, const char *org, const char *role, json_t **js)
{
    char *tok = NULL, *out = NULL;
    struct ruru_diag d;

    CHECK_INT(ruru_register_token_add(r, org, role, NULL, &tok, &out, &d), RURU_OK);
    if (js != NULL)
        *js = json_loads(out, 0, NULL);
    ruru_free(out);
    return tok;
}

static int count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int n = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static sqlite3 *raw_db(const char *name)
{
    char path[256];
    sqlite3 *db = NULL;

    snprintf(path, sizeof(path), "%s/%s/register.db", dir, name);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    return db;
}

/* The register's rows straight from its database, SQLite's file or PostgreSQL's. */
struct raw {
    sqlite3 *lite;
    char home[256];
};

static struct raw *raw_open(const char *name)
{
    static struct raw r;

    memset(&r, 0, sizeof(r));
    snprintf(r.home, sizeof(r.home), "%s/%s", dir, name);
    if (!reg_pg())
        r.lite = raw_db(name);
    return &r;
}

static int raw_count(struct raw *r, const char *sql)
{
    return r->lite != NULL ? count(r->lite, sql) : (int)reg_count(r->home, sql);
}

static bool raw_exec(struct raw *r, const char *sql)
{
    return r->lite != NULL ? sqlite3_exec(r->lite, sql, NULL, NULL, NULL) == SQLITE_OK
                           : reg_exec(r->home, sql);
}

static void raw_close(struct raw *r)
{
    sqlite3_close(r->lite);
    r->lite = NULL;
}

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static void sha256_hex(const char *s, char out[65])
{
    struct sha256_ctx h;
    uint8_t dg[32];

    sha256_init(&h);
    sha256_update(&h, strlen(s), (const uint8_t *)s);
    sha256_digest(&h, 32, dg);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", dg[i]);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shape, the JSON, the hash kept; 1000 tokens, all distinct in text and id. */
static void test_shape(void)
{
    REG_SQLITE_ONLY();
    ruru_register *r = open_in("shape");
    json_t *js = NULL;
    char *tok = add(r, "Ministry-A", "submit", &js), *v[1000], want[65];
    sqlite3 *db;
    sqlite3_stmt *st;
    size_t i, distinct_text = 1, distinct_id = 1;

    CHECK_INT(strlen(tok), 86);
    CHECK_INT(RURU_TOKEN_LEN, 86);
    CHECK(strncmp(tok, "ruru_", 5) == 0);
    CHECK(tok[21] == '_');
    CHECK(lower_hex(tok + 5, 16));
    CHECK(lower_hex(tok + 22, 64));
    CHECK_INT(json_object_size(js), 5);
    CHECK(strlen(json_string_value(json_object_get(js, "id"))) == 16 &&
          strncmp(json_string_value(json_object_get(js, "id")), tok + 5, 16) == 0);
    CHECK_STR(json_string_value(json_object_get(js, "org")), "Ministry-A");
    CHECK_STR(json_string_value(json_object_get(js, "role")), "submit");
    CHECK(json_is_null(json_object_get(js, "label")));
    CHECK_INT(strlen(json_string_value(json_object_get(js, "created"))), 20); /* ...Z */
    /* the row: the SHA-256 of the whole text, the id, the role, created, not revoked */
    db = raw_db("shape");
    CHECK(sqlite3_prepare_v2(db, "SELECT id, org, role, hash, label, revoked FROM token", -1, &st,
                             NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    sha256_hex(tok, want);
    CHECK_STR((const char *)sqlite3_column_text(st, 0),
              json_string_value(json_object_get(js, "id")));
    CHECK_STR((const char *)sqlite3_column_text(st, 1), "Ministry-A");
    CHECK_STR((const char *)sqlite3_column_text(st, 2), "submit");
    CHECK_STR((const char *)sqlite3_column_text(st, 3), want);
    CHECK(sqlite3_column_type(st, 4) == SQLITE_NULL);
    CHECK(sqlite3_column_type(st, 5) == SQLITE_NULL);
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    /* the organisation was added */
    CHECK_INT(count(db, "SELECT count(*) FROM org WHERE name = 'Ministry-A'"), 1);
    sqlite3_close(db);
    json_decref(js);
    ruru_free(tok);

    for (i = 0; i < 1000; i++)
        v[i] = add(r, "Bulk", "read", NULL);
    qsort(v, 1000, sizeof(v[0]), cmp_str);
    for (i = 1; i < 1000; i++) {
        distinct_text += v[i] != NULL && v[i - 1] != NULL && strcmp(v[i], v[i - 1]) != 0;
        distinct_id += v[i] != NULL && v[i - 1] != NULL && strncmp(v[i], v[i - 1], 21) != 0;
    }
    CHECK_INT(distinct_text, 1000);
    CHECK_INT(distinct_id, 1000);
    for (i = 0; i < 1000; i++)
        ruru_free(v[i]);
    ruru_register_close(r);
}

static bool holds(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; hay != NULL && i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long len;

    *n = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)len + 1)) != NULL)
        *n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    return buf;
}

/* Neither the list nor the database's files (register.db and its WAL, as they are right after
 * the add) hold the token's text, its secret (as hex or as bytes) or, for the list, its hash. */
static void test_secret_kept_out(void)
{
    REG_SQLITE_ONLY();
    ruru_register *r = open_in("secret");
    char *tok = add(r, "Hospital-B", "admin", NULL), *out = NULL, path[256], want[65];
    uint8_t raw[32];
    const char *files[] = {"register.db", "register.db-wal"};
    struct ruru_diag d;
    json_t *doc, *t;
    size_t n_wal = 0;

    for (int i = 0; i < 32; i++) {
        char two[3] = {tok[22 + 2 * i], tok[23 + 2 * i], '\0'};
        raw[i] = (uint8_t)strtoul(two, NULL, 16);
    }
    CHECK_INT(ruru_register_tokens(r, &out, &d), RURU_OK);
    sha256_hex(tok, want);
    CHECK(!holds(out, strlen(out), tok + 22, 64));
    CHECK(!holds(out, strlen(out), tok + 22, 16)); /* not even a part of it */
    CHECK(!holds(out, strlen(out), want, 64));
    CHECK(holds(out, strlen(out), tok + 5, 16)); /* the id is there */
    doc = json_loads(out, 0, NULL);
    t = json_array_get(json_object_get(doc, "tokens"), 0);
    CHECK_INT(json_array_size(json_object_get(doc, "tokens")), 1);
    CHECK_INT(json_object_size(t), 5);
    CHECK(json_object_get(t, "hash") == NULL && json_object_get(t, "revoked") == NULL);
    json_decref(doc);
    ruru_free(out);
    for (size_t i = 0; i < 2; i++) {
        size_t n;
        char *bytes;
        snprintf(path, sizeof(path), "%s/secret/%s", dir, files[i]);
        bytes = slurp(path, &n);
        if (i == 1)
            n_wal = n;
        CHECK(!holds(bytes, n, tok, 86));
        CHECK(!holds(bytes, n, tok + 22, 64));
        CHECK(!holds(bytes, n, (const char *)raw, 32));
        free(bytes);
    }
    CHECK(n_wal > 0); /* the add is in the WAL, which was read */
    ruru_free(tok);
    ruru_register_close(r);
}

/* ruru_token_find: the right token, and every near miss refused. */
static void test_find(void)
{
    ruru_register *r = open_in("find");
    char *tok[3], bad[200];
    struct ruru_token_entry *e = NULL;
    struct ruru_diag d;
    size_t n = 0;
    ptrdiff_t at;

    tok[0] = add(r, "Ministry-A", "read", NULL);
    tok[1] = add(r, "Hospital-B", "submit", NULL);
    tok[2] = add(r, "CERT", "admin", NULL);
    CHECK_INT(ruru_register_token_entries(r, &e, &n, &d), RURU_OK);
    CHECK_INT(n, 3);
    for (size_t i = 1; i < n; i++)
        CHECK(strcmp(e[i - 1].id, e[i].id) < 0);
    for (int k = 0; k < 3; k++) {
        at = ruru_token_find(e, n, tok[k], 86);
        CHECK(at >= 0 && at < 3);
        if (at < 0)
            continue;
        CHECK(strncmp(e[at].id, tok[k] + 5, 16) == 0 && e[at].id[16] == '\0');
        CHECK_INT(e[at].role, k == 0   ? RURU_ROLE_READ
                              : k == 1 ? RURU_ROLE_SUBMIT
                                       : RURU_ROLE_ADMIN);
        CHECK_STR(e[at].org, k == 0 ? "Ministry-A" : k == 1 ? "Hospital-B" : "CERT");
    }
    /* same id, wrong secret: the last digit, the first digit changed */
    memcpy(bad, tok[0], 87);
    bad[85] = bad[85] == '0' ? '1' : '0';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    memcpy(bad, tok[0], 87);
    bad[22] = bad[22] == 'a' ? 'b' : 'a';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* another token's secret with this one's id */
    memcpy(bad, tok[0], 22);
    memcpy(bad + 22, tok[1] + 22, 65);
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* an unknown id, the right secret */
    memcpy(bad, tok[0], 87);
    bad[5] = bad[5] == 'f' ? 'e' : 'f';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* truncated, overlong */
    CHECK_INT(ruru_token_find(e, n, tok[0], 85), -1);
    CHECK_INT(ruru_token_find(e, n, tok[0], 21), -1);
    snprintf(bad, sizeof(bad), "%s0", tok[0]);
    CHECK_INT(ruru_token_find(e, n, bad, 87), -1);
    snprintf(bad, sizeof(bad), "%s\n", tok[0]);
    CHECK_INT(ruru_token_find(e, n, bad, 87), -1);
    /* not hex: a 'g', upper case (the same token otherwise) */
    memcpy(bad, tok[0], 87);
    bad[40] = 'g';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    for (int i = 5; i < 86; i++)
        bad[i] = tok[0][i] >= 'a' && tok[0][i] <= 'f' ? (char)(tok[0][i] - 32) : tok[0][i];
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* another prefix, another separator */
    memcpy(bad, tok[0], 87);
    bad[0] = 'R';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    memcpy(bad, tok[0], 87);
    bad[21] = '-';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* empty; NULL with no bytes; a NUL byte inside */
    CHECK_INT(ruru_token_find(e, n, "", 0), -1);
    CHECK_INT(ruru_token_find(e, n, NULL, 0), -1);
    memcpy(bad, tok[0], 87);
    bad[50] = '\0';
    CHECK_INT(ruru_token_find(e, n, bad, 86), -1);
    /* no entries at all */
    CHECK_INT(ruru_token_find(NULL, 0, tok[0], 86), -1);
    CHECK_INT(ruru_token_find(e, 0, tok[0], 86), -1);
    ruru_free(e);

    /* revoked: gone from the entries, found no more; twice keeps the first time */
    {
        char id[17];
        struct raw *db;
        memcpy(id, tok[1] + 5, 16);
        id[16] = '\0';
        CHECK_INT(ruru_register_token_revoke(r, id, &d), RURU_OK);
        db = raw_open("find");
        CHECK_INT(raw_count(db, "SELECT count(*) FROM token WHERE revoked IS NOT NULL"), 1);
        CHECK(raw_exec(db, "UPDATE token SET revoked = 1000 WHERE revoked IS NOT NULL"));
        CHECK_INT(ruru_register_token_revoke(r, id, &d), RURU_OK);
        CHECK_INT(raw_count(db, "SELECT revoked FROM token WHERE revoked IS NOT NULL"), 1000);
        raw_close(db);
        CHECK_INT(ruru_register_token_revoke(r, "0000000000000000", &d), RURU_ENOTFOUND);
        CHECK_STR(d.msg, "no token has the id \"0000000000000000\"");
        CHECK_INT(ruru_register_token_revoke(r, "", &d), RURU_ENOTFOUND);
        CHECK_INT(ruru_register_token_entries(r, &e, &n, &d), RURU_OK);
        CHECK_INT(n, 2);
        for (size_t i = 0; i < n; i++)
            CHECK(strcmp(e[i].id, id) != 0);
        CHECK_INT(ruru_token_find(e, n, tok[1], 86), -1);
        CHECK(ruru_token_find(e, n, tok[0], 86) >= 0);
        CHECK(ruru_token_find(e, n, tok[2], 86) >= 0);
        ruru_free(e);
    }
    /* listed: the revoked one with its time, the others without; by organisation */
    {
        char *out = NULL;
        json_t *doc, *list;
        CHECK_INT(ruru_register_tokens(r, &out, &d), RURU_OK);
        doc = json_loads(out, 0, NULL);
        ruru_free(out);
        list = json_object_get(doc, "tokens");
        CHECK_INT(json_array_size(list), 3);
        CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "org")), "CERT");
        CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "org")), "Hospital-B");
        CHECK_STR(json_string_value(json_object_get(json_array_get(list, 1), "revoked")),
                  "1970-01-01T00:16:40Z");
        CHECK_STR(json_string_value(json_object_get(json_array_get(list, 2), "org")), "Ministry-A");
        CHECK(json_object_get(json_array_get(list, 2), "revoked") == NULL);
        json_decref(doc);
    }
    /* a row edited into a wrong shape is left out of the entries, not an error */
    {
        struct raw *db = raw_open("find");
        CHECK(raw_exec(db, "INSERT INTO token VALUES ('zz', 'X', 'read', 'ab', NULL, 1, NULL);"
                           "INSERT INTO token VALUES ('00000000000000aa', 'X', 'root', '"
                           "0000000000000000000000000000000000000000000000000000000000000000',"
                           " NULL, 1, NULL);"));
        raw_close(db);
        CHECK_INT(ruru_register_token_entries(r, &e, &n, &d), RURU_OK);
        CHECK_INT(n, 2);
        ruru_free(e);
    }
    for (int k = 0; k < 3; k++)
        ruru_free(tok[k]);
    ruru_register_close(r);
}

/* Another connection's add or revoke changes data_version; the connection's own does not. */
static void test_data_version(void)
{
    ruru_register *server = open_in("version"), *cli = open_in("version");
    struct ruru_diag d;
    uint64_t v0 = ruru_register_data_version(server), v1, v2;
    char *tok, id[17];

    CHECK(v0 != 0);
    CHECK(ruru_register_data_version(server) == v0);
    tok = add(cli, "Ministry-A", "read", NULL);
    v1 = ruru_register_data_version(server);
    CHECK(v1 != v0);
    CHECK(ruru_register_data_version(server) == v1);
    memcpy(id, tok + 5, 16);
    id[16] = '\0';
    CHECK_INT(ruru_register_token_revoke(cli, id, &d), RURU_OK);
    v2 = ruru_register_data_version(server);
    CHECK(v2 != v1);
    ruru_free(tok);
    /* the server's own change (on PostgreSQL the counter counts every change, its own too) */
    tok = add(server, "Ministry-A", "read", NULL);
    CHECK(reg_pg() ? ruru_register_data_version(server) != v2
                   : ruru_register_data_version(server) == v2);
    ruru_free(tok);
    ruru_register_close(cli);
    ruru_register_close(server);
}

static void test_roles(void)
{
    CHECK_INT(ruru_role_parse("read"), RURU_ROLE_READ);
    CHECK_INT(ruru_role_parse("submit"), RURU_ROLE_SUBMIT);
    CHECK_INT(ruru_role_parse("admin"), RURU_ROLE_ADMIN);
    CHECK_INT(ruru_role_parse("Admin"), RURU_ROLE_NONE);
    CHECK_INT(ruru_role_parse("none"), RURU_ROLE_NONE);
    CHECK_INT(ruru_role_parse("root"), RURU_ROLE_NONE);
    CHECK_INT(ruru_role_parse(""), RURU_ROLE_NONE);
    CHECK_INT(ruru_role_parse("read "), RURU_ROLE_NONE);
    CHECK_INT(ruru_role_parse(NULL), RURU_ROLE_NONE);
    CHECK_STR(ruru_role_name(RURU_ROLE_READ), "read");
    CHECK_STR(ruru_role_name(RURU_ROLE_SUBMIT), "submit");
    CHECK_STR(ruru_role_name(RURU_ROLE_ADMIN), "admin");
    CHECK_STR(ruru_role_name(RURU_ROLE_NONE), "none");
    CHECK_STR(ruru_role_name((enum ruru_role)7), "none");
    CHECK(RURU_ROLE_READ < RURU_ROLE_SUBMIT && RURU_ROLE_SUBMIT < RURU_ROLE_ADMIN);
}

/* What is refused adds nothing, not even the organisation; a new organisation gets the sector
 * ruru.yaml gives; a label is kept. */
static void test_refused(void)
{
    ruru_register *r = open_in("refused");
    static const char yaml[] = "orgs:\n  Water-E:\n    sector: water\n";
    char *tok = NULL, *out = NULL, long_org[200];
    struct ruru_diag d;
    struct raw *db;

    memset(long_org, 'a', 129);
    long_org[129] = '\0';
    CHECK_INT(ruru_register_token_add(r, "Ministry-A", "root", NULL, &tok, &out, &d), RURU_EINVAL);
    CHECK_STR(d.msg, "a token's role is read, submit or admin, not \"root\"");
    CHECK_INT(ruru_register_token_add(r, "Ministry-A", NULL, NULL, &tok, &out, &d), RURU_EINVAL);
    CHECK_INT(ruru_register_token_add(r, "", "read", NULL, &tok, &out, &d), RURU_EINVAL);
    CHECK_STR(d.msg, "an organisation's name is 1 to 128 characters, none a control character");
    CHECK_INT(ruru_register_token_add(r, NULL, "read", NULL, &tok, &out, &d), RURU_EINVAL);
    CHECK_INT(ruru_register_token_add(r, long_org, "read", NULL, &tok, &out, &d), RURU_EINVAL);
    CHECK_INT(ruru_register_token_add(r, "bad\x1b[2Jname", "read", NULL, &tok, &out, &d),
              RURU_EINVAL);
    CHECK_INT(ruru_register_token_add(r, "Ministry-A", "read", "line\nbreak", &tok, &out, &d),
              RURU_EINVAL);
    CHECK(tok == NULL && out == NULL);
    long_org[128] = '\0'; /* 128 bytes: allowed */
    CHECK_INT(ruru_register_token_add(r, long_org, "read", "ok", &tok, &out, &d), RURU_OK);
    ruru_free(tok);
    ruru_free(out);
    db = raw_open("refused");
    CHECK_INT(raw_count(db, "SELECT count(*) FROM token"), 1);
    CHECK_INT(raw_count(db, "SELECT count(*) FROM org"), 1);
    raw_close(db);

    CHECK_INT(ruru_register_set_config(r, yaml, strlen(yaml), "ruru.yaml", &d), RURU_OK);
    CHECK_INT(ruru_register_token_add(r, "Water-E", "submit", "the pumping station's collector",
                                      &tok, &out, &d),
              RURU_OK);
    {
        json_t *js = json_loads(out, 0, NULL);
        CHECK_STR(json_string_value(json_object_get(js, "label")),
                  "the pumping station's collector");
        json_decref(js);
    }
    ruru_free(tok);
    ruru_free(out);
    CHECK_INT(ruru_register_orgs(r, &out, &d), RURU_OK);
    CHECK(strstr(out, "{\"name\":\"Water-E\",\"sector\":\"water\"") != NULL);
    ruru_free(out);
    ruru_register_close(r);
}

/* A schema-2 register, made with the SQL of the code before tokens. */
static const char V2[] =
        "CREATE TABLE incident (id TEXT PRIMARY KEY, asset TEXT, first TEXT,"
        " last TEXT, severity TEXT NOT NULL, serious INTEGER NOT NULL, campaign TEXT,"
        " doc TEXT NOT NULL, recorded INTEGER NOT NULL, updated INTEGER NOT NULL, org TEXT);"
        "CREATE INDEX incident_asset ON incident (asset, first);"
        "CREATE TABLE judgement (incident TEXT NOT NULL REFERENCES incident(id),"
        " seq INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT, probability REAL NOT NULL,"
        " words TEXT NOT NULL, confidence TEXT NOT NULL, why TEXT NOT NULL,"
        " PRIMARY KEY (incident, seq));"
        "CREATE TABLE incident_actor (incident TEXT NOT NULL REFERENCES"
        " incident(id), actor TEXT NOT NULL, state TEXT, PRIMARY KEY (incident, actor));"
        "CREATE TABLE sighting (key TEXT PRIMARY KEY, path TEXT, off INTEGER,"
        " ord INTEGER NOT NULL, doc TEXT NOT NULL, org TEXT);"
        "CREATE TABLE merged (id TEXT PRIMARY KEY, into_id TEXT NOT NULL, at INTEGER NOT NULL);"
        "CREATE INDEX incident_org ON incident (org, asset, first);"
        "CREATE TABLE org (name TEXT PRIMARY KEY, sector TEXT, created INTEGER NOT NULL);"
        "INSERT INTO org VALUES ('Ministry-A', 'government', 1720000000);"
        "INSERT INTO incident VALUES ('ruru-incident--1', 'EXCH01', '2024-07-12T01:15:00Z',"
        " '2024-07-12T01:15:00Z', 'high', 1, NULL, '{\"id\":\"ruru-incident--1\"}', 1720000000,"
        " 1720000000, 'Ministry-A');"
        "INSERT INTO sighting VALUES ('k1', 'logs/u_ex.log', 100, 0, '{}', 'Ministry-A');"
        "PRAGMA user_version = 2;";

static void test_migration(void)
{
    REG_SQLITE_ONLY();
    char path[256];
    sqlite3 *db;
    ruru_register *r;
    char *tok;

    snprintf(path, sizeof(path), "%s/v2", dir);
    CHECK(mkdir(path, 0700) == 0);
    db = raw_db("v2");
    CHECK(sqlite3_exec(db, V2, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    r = open_in("v2");
    db = raw_db("v2");
    CHECK_INT(count(db, "PRAGMA user_version"), 4);
    CHECK_INT(count(db, "SELECT count(*) FROM incident WHERE org = 'Ministry-A'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM sighting WHERE org = 'Ministry-A'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM org WHERE sector = 'government'"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM token"), 0);
    sqlite3_close(db);
    tok = add(r, "Ministry-A", "read", NULL);
    CHECK(tok != NULL);
    ruru_free(tok);
    ruru_register_close(r);
    /* opened again: nothing more to do, the token kept */
    r = open_in("v2");
    db = raw_db("v2");
    CHECK_INT(count(db, "PRAGMA user_version"), 4);
    CHECK_INT(count(db, "SELECT count(*) FROM token"), 1);
    CHECK_INT(count(db, "SELECT count(*) FROM org"), 1);
    sqlite3_close(db);
    ruru_register_close(r);
    /* a made-up schema between known ones is refused */
    snprintf(path, sizeof(path), "%s/v1x", dir);
    CHECK(mkdir(path, 0700) == 0);
    db = raw_db("v1x");
    CHECK(sqlite3_exec(db, "CREATE TABLE x (y); PRAGMA user_version = 1;", NULL, NULL, NULL) ==
          SQLITE_OK);
    sqlite3_close(db);
    {
        struct ruru_diag d;
        snprintf(path, sizeof(path), "%s/v1x", dir);
        r = NULL;
        CHECK_INT(reg_open(path, &r, &d), RURU_ECORRUPT);
        CHECK_STR(d.msg, "register.db: unknown schema 1");
        CHECK(r == NULL);
    }
}

/* Each allocation of an add, a list and the entries failing in turn: RURU_OK or RURU_ENOMEM,
 * and an add that failed left no token behind and handed out nothing. */
static void test_oom(void)
{
    REG_SQLITE_ONLY();
    ruru_register *r = open_in("oom");
    sqlite3 *db = raw_db("oom");
    struct ruru_diag d;
    uint64_t before = ruru_alloc_count(), n;
    char *tok = add(r, "Ministry-A", "read", NULL), *out = NULL;
    struct ruru_token_entry *e = NULL;
    size_t k = 0;

    n = ruru_alloc_count() - before;
    CHECK(n > 0);
    ruru_free(tok);
    for (uint64_t i = 1; i <= n + 1; i++) {
        int had = count(db, "SELECT count(*) FROM token");
        enum ruru_err err;
        tok = out = NULL;
        ruru_alloc_fail_at(i);
        err = ruru_register_token_add(r, "Ministry-A", "read", "x", &tok, &out, &d);
        ruru_alloc_fail_at(0);
        CHECK(err == RURU_OK || err == RURU_ENOMEM);
        CHECK_INT(count(db, "SELECT count(*) FROM token"), had + (err == RURU_OK));
        CHECK(err == RURU_OK ? tok != NULL && out != NULL : tok == NULL && out == NULL);
        ruru_free(tok);
        ruru_free(out);
        ruru_alloc_fail_at(i);
        err = ruru_register_tokens(r, &out, &d);
        ruru_alloc_fail_at(0);
        CHECK(err == RURU_OK || err == RURU_ENOMEM);
        ruru_free(out);
        out = NULL;
        ruru_alloc_fail_at(i);
        err = ruru_register_token_entries(r, &e, &k, &d);
        ruru_alloc_fail_at(0);
        CHECK(err == RURU_OK || err == RURU_ENOMEM);
        if (err == RURU_OK)
            ruru_free(e);
    }
    sqlite3_close(db);
    ruru_register_close(r);
}

int main(void)
{
    /* tmpfs when there is one: 1000 adds are 1000 synchronous commits */
    snprintf(dir, sizeof(dir), "%s/ruru-test-apitoken-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    test_shape();
    test_secret_kept_out();
    test_find();
    test_data_version();
    test_roles();
    test_refused();
    test_migration();
    test_oom();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
