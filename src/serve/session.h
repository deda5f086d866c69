/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The web console's sessions, kept in memory: a signed-in API token gets a session id (the
 * value of an HttpOnly, SameSite=Strict cookie) and a CSRF token that every form of the
 * session carries. Both are 256 random bits from the kernel (getrandom), written as 64
 * lower-case hex digits. A session lasts `ttl_seconds` from its last use (sliding); past
 * `max_sessions` the oldest is dropped. Cookie values are attacker-controlled bytes: they are
 * compared in constant time, whatever their length or content.
 *
 * Every function is thread-safe (one mutex per table) and none keeps a pointer to its inputs.
 */
#ifndef RURU_SERVE_SESSION_H
#define RURU_SERVE_SESSION_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length in hex digits of a session id, a CSRF token and a login CSRF token. */
#define RURU_SESSION_HEX 64

struct ruru_sessions;

/* A table of at most max_sessions (at least 1) sessions, each living ttl_seconds (> 0) from its
 * last use; NULL when out of memory or for a bound of 0. */
struct ruru_sessions *ruru_sessions_new(unsigned max_sessions, int64_t ttl_seconds);
/* Frees the table (NULL: nothing). */
void ruru_sessions_free(struct ruru_sessions *s);

/* A new session for a signed-in token: token_id (at most 16 bytes), org (at most 128), role
 * (at most 15) are copied. OUT: sid and csrf, 64 hex digits and a NUL each. The oldest session
 * is dropped when the table is full (expired ones go first). RURU_EINVAL for a value too long
 * or NULL, RURU_EIO when the kernel gives no random bytes; then nothing has changed. */
enum ruru_err ruru_session_create(struct ruru_sessions *s,
                                  const char *token_id,
                                  const char *org,
                                  const char *role,
                                  int64_t now,
                                  char sid[65],
                                  char csrf[65]);

/* The session whose id is the `len` bytes of `sid` (a cookie's value, any bytes), when it has
 * not expired at `now`: its expiry moves to now + ttl, and OUT: org, role, token_id and csrf
 * are copied out (NUL-terminated). False otherwise (the outputs are then empty strings); an
 * expired session is dropped. */
bool ruru_session_get(struct ruru_sessions *s,
                      const char *sid,
                      size_t len,
                      int64_t now,
                      char org[129],
                      char role[16],
                      char token_id[17],
                      char csrf[65]);

/* Whether the `len` bytes of `given` (a form field, any bytes) are the CSRF token `expected`
 * (64 hex digits), compared in constant time. False when either is NULL or not 64 bytes. */
bool ruru_session_csrf_ok(const char *expected, const char *given, size_t len);

/* Ends the session whose id is the `len` bytes of `sid`, if there is one. */
void ruru_session_end(struct ruru_sessions *s, const char *sid, size_t len);

/* Ends every session of token `token_id` (a token revoked or deleted). */
void ruru_sessions_drop_token(struct ruru_sessions *s, const char *token_id);

/* 256 random bits as 64 hex digits and a NUL (OUT: hex): the login form's CSRF token, which the
 * server also sets as a short-lived cookie and compares with the form's field
 * (ruru_session_csrf_ok) when the form comes back (double submit). RURU_EIO when the kernel
 * gives no random bytes. */
enum ruru_err ruru_session_random_hex(char hex[65]);

#endif
