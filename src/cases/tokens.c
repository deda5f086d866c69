/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API tokens of `ruru serve` (docs/serve.md), in the register's `token` table. A
 * token is one organisation's, with one role, and reads
 *
 *   ruru_0123456789abcdef_<64 hex digits>
 *         \______________/ \____________/
 *          the id: 64 random  the secret: 256
 *          bits, public       random bits
 *
 * The register keeps the id and the SHA-256 of the whole text, never the text: the token is
 * handed to its maker once. A request's token is checked by finding its id (a binary search
 * over the tokens not revoked, which the server keeps in memory) and comparing the SHA-256 of
 * its text with the one kept, in constant time. Since the secret has 256 random bits, one
 * unsalted SHA-256 is enough: no password-style stretching is needed to make guessing slow.
 */
#include "cases/tokens.h"

#include <errno.h>
#include <jansson.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/register.h"
#include "intel/store.h"

#define ID_BYTES     8  /* 64 bits: ids do not collide among the few thousand tokens a CERT makes */
#define SECRET_BYTES 32 /* 256 bits: beyond guessing, so a plain SHA-256 of it suffices */
#define PREFIX       "ruru_"
#define PREFIX_LEN   5
#define ID_HEX       (2 * ID_BYTES)
#define SECRET_AT    (PREFIX_LEN + ID_HEX + 1) /* after "ruru_", the id and "_" */
#define LABEL_MAX    256                       /* a note for people; a cap like any text's */

static const char *const ROLES[] = {"none", "read", "submit", "admin"};

const char *ruru_role_name(enum ruru_role role)
{
    return role > RURU_ROLE_NONE && role <= RURU_ROLE_ADMIN ? ROLES[role] : ROLES[0];
}

enum ruru_role ruru_role_parse(const char *name)
{
    for (int i = RURU_ROLE_READ; name != NULL && i <= RURU_ROLE_ADMIN; i++)
        if (strcmp(name, ROLES[i]) == 0)
            return (enum ruru_role)i;
    return RURU_ROLE_NONE;
}

static enum ruru_err fail(ruru_register *r, struct ruru_diag *d, const char *what)
{
    return ruru_register_fail(r, d, what);
}

/* On PostgreSQL, every change of the tokens bumps the counter ruru_register_data_version
 * reads, in the change's own transaction (SQLite's PRAGMA data_version needs none). */
static bool touch(rdb *db)
{
    return rdb_backend_of(db) != RDB_PG ||
           rdb_exec(db, "UPDATE ruru_meta SET value = value + 1 WHERE key = 'tokens'");
}

/* n bytes from the kernel's generator, or false: there is no weaker fallback, since a token
 * made of predictable bytes would open the service to anyone. getrandom blocks until the
 * generator is seeded; a signal may cut a read short. */
static bool random_bytes(uint8_t *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
    static const char HEX[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[b[i] >> 4];
        out[2 * i + 1] = HEX[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The value of lowercase hex digit c, or -1. No branch on c's value beyond the comparisons,
 * which compile to flag arithmetic: the secret's digits go through here. */
static int hex_value(unsigned char c)
{
    int dig = (c >= '0') & (c <= '9'), low = (c >= 'a') & (c <= 'f');

    return (dig * (c - '0') + low * (c - 'a' + 10)) | ((dig | low) - 1);
}

/* True when s[0..n) is n lowercase hex digits; looks at every byte whatever it finds. */
static bool all_hex(const char *s, size_t n)
{
    int bad = 0;

    for (size_t i = 0; i < n; i++)
        bad |= hex_value((unsigned char)s[i]) < 0;
    return bad == 0;
}

static bool from_hex(const char *s, uint8_t *out, size_t n)
{
    if (s == NULL || strlen(s) != 2 * n || !all_hex(s, 2 * n))
        return false;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(hex_value((unsigned char)s[2 * i]) << 4 |
                           hex_value((unsigned char)s[2 * i + 1]));
    return true;
}

static void sha256_of(const char *s, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx h;

    sha256_init(&h);
    sha256_update(&h, len, (const uint8_t *)s);
    sha256_digest(&h, SHA256_DIGEST_SIZE, out);
}

/* A label: at most LABEL_MAX bytes, no control characters (it is shown in lists). */
static bool label_ok(const char *s)
{
    if (strlen(s) > LABEL_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* One token's JSON: {"id", "org", "role", "label" (null: none), "created"[, "revoked"]}. */
static json_t *
token_json(const char *id, const char *org, const char *role, const char *label, int64_t created)
{
    char at[RURU_TIME_BUF];

    ruru_time_format(created, at);
    return json_pack("{s:s, s:s, s:s, s:s?, s:s}", "id", id, "org", org, "role", role, "label",
                     label, "created", at);
}

/* Inserts the token of id `id` and hash `hash` for `org` (added to the register when new) in
 * one transaction. 0 when done, 1 when the id is taken, -1 on a failure. */
static int insert(ruru_register *r,
                  const char *id,
                  const char *org,
                  const char *role,
                  const char *hash,
                  const char *label,
                  int64_t now)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    int rc = -1;

    if (!rdb_begin(db))
        return -1;
    if (ruru_org_ensure(db, org, ruru_register_org_sectors(r), now) &&
        (st = rdb_prepare(db, "INSERT INTO token (id, org, role, hash, label, created)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING")) !=
                NULL) {
        rdb_bind_text(st, 1, id);
        rdb_bind_text(st, 2, org);
        rdb_bind_text(st, 3, role);
        rdb_bind_text(st, 4, hash);
        rdb_bind_text(st, 5, label);
        rdb_bind_int64(st, 6, now);
        if (rdb_step(st) == RDB_DONE)
            rc = rdb_changes(db) == 0 ? 1 : 0;
        rdb_finalize(st);
        if (rc == 0 && (!touch(db) || !rdb_commit(db)))
            rc = -1;
    }
    if (rc != 0)
        rdb_rollback(db);
    return rc;
}

enum ruru_err ruru_register_token_add(ruru_register *r,
                                      const char *org,
                                      const char *role,
                                      const char *label,
                                      char **token,
                                      char **json,
                                      struct ruru_diag *diag)
{
    uint8_t raw[ID_BYTES + SECRET_BYTES], digest[SHA256_DIGEST_SIZE];
    char text[RURU_TOKEN_LEN + 1], hash[2 * SHA256_DIGEST_SIZE + 1], id[ID_HEX + 1];
    int64_t now = (int64_t)time(NULL);
    enum ruru_err err = RURU_OK;
    json_t *doc = NULL;
    char *tok = NULL, *js = NULL;
    int rc = 1;

    *token = NULL;
    *json = NULL;
    ruru_diag_clear(diag);
    if (ruru_role_parse(role) == RURU_ROLE_NONE)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "a token's role is read, submit or admin, not \"%s\"",
                             role != NULL ? role : "");
    if ((err = ruru_org_name_check(org, diag)) != RURU_OK)
        return err;
    if (label != NULL && !label_ok(label))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "a token's label is at most %d characters, none a control character",
                             LABEL_MAX);
    /* a new id when one is taken: at 64 bits a second try is already out of reach */
    for (int tries = 0; tries < 3 && rc == 1; tries++) {
        if (!random_bytes(raw, sizeof(raw))) {
            err = ruru_diag_set(diag, RURU_EIO, NULL, 0, 0,
                                "no random bytes from the kernel (getrandom): %s", strerror(errno));
            goto out;
        }
        memcpy(text, PREFIX, PREFIX_LEN);
        to_hex(raw, ID_BYTES, text + PREFIX_LEN);
        text[PREFIX_LEN + ID_HEX] = '_';
        to_hex(raw + ID_BYTES, SECRET_BYTES, text + SECRET_AT);
        memcpy(id, text + PREFIX_LEN, ID_HEX);
        id[ID_HEX] = '\0';
        sha256_of(text, RURU_TOKEN_LEN, digest);
        to_hex(digest, sizeof(digest), hash);
        rc = insert(r, id, org, role, hash, label, now);
    }
    if (rc != 0) {
        err = fail(r, diag, "adding the token");
        goto out;
    }
    doc = token_json(id, org, role, label, now);
    js = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    tok = ruru_malloc(sizeof(text));
    if (js == NULL || tok == NULL) {
        /* the token is in the register but cannot be handed over: take it out again */
        /* no statement to allocate (memory is what ran out): the id is 16 hex digits */
        rdb *db = ruru_register_rdb(r);
        char sql[64];
        snprintf(sql, sizeof(sql), "DELETE FROM token WHERE id = '%s'", id);
        if (rdb_begin(db) && rdb_exec(db, sql) && touch(db))
            rdb_commit(db);
        rdb_rollback(db);
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    memcpy(tok, text, sizeof(text));
    *token = tok;
    *json = js;
    tok = js = NULL;
out:
    /* the secret lives on only in the caller's copy */
    explicit_bzero(raw, sizeof(raw));
    explicit_bzero(text, sizeof(text));
    json_decref(doc);
    ruru_free(js);
    ruru_free(tok);
    return err;
}

enum ruru_err ruru_register_tokens(ruru_register *r, char **json, struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    json_t *list = json_array(), *res;
    int rc;

    *json = NULL;
    ruru_diag_clear(diag);
    if (list == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if ((st = rdb_prepare(db, "SELECT id, org, role, label, created, revoked FROM token"
                              " ORDER BY org, created, id")) == NULL) {
        json_decref(list);
        return fail(r, diag, "reading the tokens");
    }
    while ((rc = rdb_step(st)) == RDB_ROW) {
        json_t *t =
                token_json(rdb_column_text(st, 0), rdb_column_text(st, 1), rdb_column_text(st, 2),
                           rdb_column_text(st, 3), rdb_column_int64(st, 4));
        if (t != NULL && !rdb_column_is_null(st, 5)) {
            char at[RURU_TIME_BUF];
            ruru_time_format(rdb_column_int64(st, 5), at);
            json_object_set_new(t, "revoked", json_string(at));
        }
        json_array_append_new(list, t);
    }
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        json_decref(list);
        return fail(r, diag, "reading the tokens");
    }
    res = json_pack("{s:o}", "tokens", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

enum ruru_err ruru_register_token_revoke(ruru_register *r, const char *id, struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    int rc;
    int64_t changed = 0;

    ruru_diag_clear(diag);
    /* revoked again: the first time stays */
    if (!rdb_begin(db))
        return fail(r, diag, "revoking the token");
    if ((st = rdb_prepare(db, "UPDATE token SET revoked = coalesce(revoked, ?2) WHERE id = ?1")) ==
        NULL) {
        enum ruru_err err = fail(r, diag, "revoking the token");
        rdb_rollback(db);
        return err;
    }
    rdb_bind_text(st, 1, id);
    rdb_bind_int64(st, 2, (int64_t)time(NULL));
    rc = rdb_step(st);
    changed = rdb_changes(db);
    rdb_finalize(st);
    if (rc != RDB_DONE || (changed > 0 && !touch(db)) || !rdb_commit(db)) {
        enum ruru_err err = fail(r, diag, "revoking the token");
        rdb_rollback(db);
        return err;
    }
    if (changed == 0)
        return ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no token has the id \"%s\"", id);
    return RURU_OK;
}

/* ---- for the server (tokens.h) ------------------------------------------------------------- */

enum ruru_err ruru_register_token_entries(ruru_register *r,
                                          struct ruru_token_entry **out,
                                          size_t *n,
                                          struct ruru_diag *diag)
{
    rdb *db = ruru_register_rdb(r);
    rdb_stmt *st = NULL;
    struct ruru_token_entry *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    ruru_diag_clear(diag);
    /* BINARY collation: ids in memcmp order, the order ruru_token_find searches */
    if ((st = rdb_prepare(db, "SELECT id, org, role, hash FROM token WHERE revoked IS NULL"
                              " ORDER BY id")) == NULL)
        return fail(r, diag, "reading the tokens");
    while ((rc = rdb_step(st)) == RDB_ROW) {
        const char *id = rdb_column_text(st, 0);
        const char *org = rdb_column_text(st, 1);
        struct ruru_token_entry e;
        memset(&e, 0, sizeof(e));
        e.role = ruru_role_parse(rdb_column_text(st, 2));
        if (id == NULL || strlen(id) != ID_HEX || !all_hex(id, ID_HEX) || org == NULL ||
            ruru_org_name_check(org, NULL) != RURU_OK || e.role == RURU_ROLE_NONE ||
            !from_hex(rdb_column_text(st, 3), e.hash, sizeof(e.hash)))
            continue;
        memcpy(e.id, id, ID_HEX + 1);
        memcpy(e.org, org, strlen(org) + 1);
        if (k == cap) {
            size_t want = cap ? 2 * cap : 16;
            struct ruru_token_entry *g = ruru_realloc(v, want * sizeof(*g));
            if (g == NULL) {
                rdb_finalize(st);
                ruru_free(v);
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            }
            v = g;
            cap = want;
        }
        v[k++] = e;
    }
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        ruru_free(v);
        return fail(r, diag, "reading the tokens");
    }
    *out = v;
    *n = k;
    return RURU_OK;
}

uint64_t ruru_register_data_version(ruru_register *r)
{
    rdb *db = ruru_register_rdb(r);
    sqlite3_stmt *st;
    rdb_stmt *q;
    uint64_t v = 0;

    if (rdb_backend_of(db) == RDB_PG) {
        /* the counter every token change bumps (tokens' touch): one small read */
        if ((q = rdb_prepare(db, "SELECT value FROM ruru_meta WHERE key = 'tokens'")) != NULL &&
            rdb_step(q) == RDB_ROW)
            v = (uint64_t)rdb_column_int64(q, 0);
        rdb_finalize(q);
        return v;
    }
    /* asked before every request the service answers: the statement is kept */
    st = ruru_stmt_get(rdb_sqlite_handle(db), "PRAGMA data_version");
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        v = (uint64_t)sqlite3_column_int64(st, 0);
    ruru_stmt_put(st);
    return v;
}

ptrdiff_t ruru_token_find(const struct ruru_token_entry *e, size_t n, const char *tok, size_t len)
{
    /* compared with when no entry is: no text is known whose SHA-256 is 32 zero bytes, and a
     * match against it is never taken anyway */
    static const uint8_t DUMMY[SHA256_DIGEST_SIZE] = {0};
    uint8_t digest[SHA256_DIGEST_SIZE];
    bool shaped = len == RURU_TOKEN_LEN && tok != NULL && memcmp(tok, PREFIX, PREFIX_LEN) == 0 &&
                  tok[PREFIX_LEN + ID_HEX] == '_';
    ptrdiff_t at = -1;
    bool same;

    if (shaped) {
        /* both looked at in full, whatever the first bad byte */
        bool id_hex = all_hex(tok + PREFIX_LEN, ID_HEX);
        bool secret_hex = all_hex(tok + SECRET_AT, 2 * SECRET_BYTES);
        shaped = id_hex && secret_hex;
    }
    if (shaped) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = memcmp(e[mid].id, tok + PREFIX_LEN, ID_HEX);
            if (c == 0) {
                at = (ptrdiff_t)mid;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    sha256_of(tok != NULL ? tok : "", tok != NULL ? len : 0, digest);
    same = memeql_sec(digest, at >= 0 ? e[at].hash : DUMMY, sizeof(digest)) != 0;
    return same && at >= 0 ? at : -1;
}
