/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API tokens of `ruru serve` as the server checks them (tokens.c; docs/serve.md):
 * it loads the tokens not revoked into memory with ruru_register_token_entries, loads them
 * again when ruru_register_data_version says register.db changed, and finds the token of a
 * request with ruru_token_find. Adding, listing and revoking are the public API
 * (include/ruru.h, ruru_register_token_add and its neighbours).
 */
#ifndef RURU_CASES_TOKENS_H
#define RURU_CASES_TOKENS_H

#include <ruru.h>
#include <stddef.h>
#include <stdint.h>

/* What a token may do, weakest first: a role allows what every weaker one does. */
enum ruru_role {
    RURU_ROLE_NONE = 0,   /* no token, or an unknown role's name */
    RURU_ROLE_READ = 1,   /* lookups, its organisation's incidents, national aggregates */
    RURU_ROLE_SUBMIT = 2, /* read, and posting logs and sightings */
    RURU_ROLE_ADMIN = 3   /* the CERT's analysts: everything, of every organisation */
};

/* "ruru_" + 16 hex (the id) + "_" + 64 hex (the secret): the length of a token's text. */
#define RURU_TOKEN_LEN 86

/* A token that is not revoked. id and org are NUL-terminated; hash is the SHA-256 of the
 * token's whole text. */
struct ruru_token_entry {
    char id[17];   /* 16 lowercase hex digits */
    char org[129]; /* the organisation it acts for (1 to 128 bytes) */
    enum ruru_role role;
    uint8_t hash[32];
};

/* Every token not revoked, sorted by id (bytewise, as ruru_token_find searches). A row that
 * could never match (an id, role, organisation or hash of the wrong shape: the table was
 * edited by hand) is left out. OUT: *out (ruru_free; NULL when there are none), *n. On failure
 * *out and *n are untouched. */
enum ruru_err ruru_register_token_entries(ruru_register *r,
                                          struct ruru_token_entry **out,
                                          size_t *n,
                                          struct ruru_diag *diag);

/* A number that changes whenever another connection committed a change to register.db
 * (PRAGMA data_version): a `ruru tokens add` or `revoke` while the server runs. The register's
 * own changes do not change it. 0 when it cannot be read. */
uint64_t ruru_register_data_version(ruru_register *r);

/* The index in e[0..n) (sorted by id) of the entry whose token `tok` is (len bytes, any bytes:
 * it comes from a request), or -1. The id is found by binary search (it is public); the
 * SHA-256 of the whole text is then compared with the entry's in constant time, and a token
 * of unknown id, of the wrong shape or length is compared against a fixed dummy hash, so that
 * the time taken tells neither a right id from a wrong one nor how much of a secret was right.
 * Thread-safe: reads e only. */
ptrdiff_t ruru_token_find(const struct ruru_token_entry *e, size_t n, const char *tok, size_t len);

/* "read", "submit", "admin"; "none" for RURU_ROLE_NONE or another value. */
const char *ruru_role_name(enum ruru_role role);
/* The role named `name` (NULL allowed): RURU_ROLE_NONE for another word. */
enum ruru_role ruru_role_parse(const char *name);

#endif
