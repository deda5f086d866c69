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

static enum ruru_err fail(sqlite3 *db, struct ruru_diag *d, const char *what)
{
    return ruru_diag_set(d, RURU_EDB, "register.db", 0, 0, "%s: %s", what, sqlite3_errmsg(db));
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
 * one transaction. SQLITE_CONSTRAINT when the id is taken, else the failing code. */
static int insert(ruru_register *r,
                  const char *id,
                  const char *org,
                  const char *role,
                  const char *hash,
                  const char *label,
                  int64_t now)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    int rc;

    if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
        return rc;
    if (!ruru_org_ensure(db, org, ruru_register_org_sectors(r), now))
        rc = sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : SQLITE_ERROR;
    else if ((rc = sqlite3_prepare_v2(db,
                                      "INSERT INTO token (id, org, role, hash, label, created)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                      -1, &st, NULL)) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, org, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, label, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, now);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
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
    int rc = SQLITE_CONSTRAINT;

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
    for (int tries = 0; tries < 3 && rc == SQLITE_CONSTRAINT; tries++) {
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
    if (rc != SQLITE_OK) {
        err = fail(ruru_register_db(r), diag, "adding the token");
        goto out;
    }
    doc = token_json(id, org, role, label, now);
    js = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    tok = ruru_malloc(sizeof(text));
    if (js == NULL || tok == NULL) {
        /* the token is in the register but cannot be handed over: take it out again */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(ruru_register_db(r), "DELETE FROM token WHERE id = ?1", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
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
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    json_t *list = json_array(), *res;
    int rc;

    *json = NULL;
    ruru_diag_clear(diag);
    if (list == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if (sqlite3_prepare_v2(db,
                           "SELECT id, org, role, label, created, revoked FROM token"
                           " ORDER BY org, created, id",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(list);
        return fail(db, diag, "reading the tokens");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *t = token_json(
                (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                sqlite3_column_int64(st, 4));
        if (t != NULL && sqlite3_column_type(st, 5) != SQLITE_NULL) {
            char at[RURU_TIME_BUF];
            ruru_time_format(sqlite3_column_int64(st, 5), at);
            json_object_set_new(t, "revoked", json_string(at));
        }
        json_array_append_new(list, t);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(list);
        return fail(db, diag, "reading the tokens");
    }
    res = json_pack("{s:o}", "tokens", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

enum ruru_err ruru_register_token_revoke(ruru_register *r, const char *id, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    int rc;

    ruru_diag_clear(diag);
    /* revoked again: the first time stays */
    if (sqlite3_prepare_v2(db, "UPDATE token SET revoked = coalesce(revoked, ?2) WHERE id = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        return fail(db, diag, "revoking the token");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fail(db, diag, "revoking the token");
    if (sqlite3_changes(db) == 0)
        return ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no token has the id \"%s\"", id);
    return RURU_OK;
}

/* ---- for the server (tokens.h) ------------------------------------------------------------- */

enum ruru_err ruru_register_token_entries(ruru_register *r,
                                          struct ruru_token_entry **out,
                                          size_t *n,
                                          struct ruru_diag *diag)
{
    sqlite3 *db = ruru_register_db(r);
    sqlite3_stmt *st = NULL;
    struct ruru_token_entry *v = NULL;
    size_t k = 0, cap = 0;
    int rc;

    ruru_diag_clear(diag);
    /* BINARY collation: ids in memcmp order, the order ruru_token_find searches */
    if (sqlite3_prepare_v2(db,
                           "SELECT id, org, role, hash FROM token WHERE revoked IS NULL"
                           " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return fail(db, diag, "reading the tokens");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *org = (const char *)sqlite3_column_text(st, 1);
        struct ruru_token_entry e;
        memset(&e, 0, sizeof(e));
        e.role = ruru_role_parse((const char *)sqlite3_column_text(st, 2));
        if (id == NULL || strlen(id) != ID_HEX || !all_hex(id, ID_HEX) || org == NULL ||
            ruru_org_name_check(org, NULL) != RURU_OK || e.role == RURU_ROLE_NONE ||
            !from_hex((const char *)sqlite3_column_text(st, 3), e.hash, sizeof(e.hash)))
            continue;
        memcpy(e.id, id, ID_HEX + 1);
        memcpy(e.org, org, strlen(org) + 1);
        if (k == cap) {
            size_t want = cap ? 2 * cap : 16;
            struct ruru_token_entry *g = ruru_realloc(v, want * sizeof(*g));
            if (g == NULL) {
                sqlite3_finalize(st);
                ruru_free(v);
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            }
            v = g;
            cap = want;
        }
        v[k++] = e;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        ruru_free(v);
        return fail(db, diag, "reading the tokens");
    }
    *out = v;
    *n = k;
    return RURU_OK;
}

uint64_t ruru_register_data_version(ruru_register *r)
{
    /* asked before every request the service answers: the statement is kept */
    sqlite3_stmt *st = ruru_stmt_get(ruru_register_db(r), "PRAGMA data_version");
    uint64_t v = 0;

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
