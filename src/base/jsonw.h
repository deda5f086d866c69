/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON text written straight into a buffer, for output written many times over (a sweep's
 * sightings): the bytes are those that jansson's json_dumps writes with JSON_COMPACT |
 * JSON_ENSURE_ASCII for the same value, so that text made here and text dumped from a json_t
 * can be spliced together, and both paths give the same line. tests/unit/test_base.c compares
 * the two on random strings.
 *
 *   string   '"' and '\\' escaped, \b \f \n \r \t, other bytes below 0x20 and every code point
 *            above 0x7F as "\u" and four upper-case hex digits (a UTF-16 surrogate pair above
 *            U+FFFF); '/' and 0x7F as they are
 *   integer  decimal
 *
 * The appends go through ruru_buf: a failure sets the buffer's `failed` flag, checked once at
 * the end of a chain.
 */
#ifndef RURU_BASE_JSONW_H
#define RURU_BASE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Is s[0, n) UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, nothing above
 * U+10FFFF)? NUL bytes are allowed, as jansson's json_stringn allows them. */
bool ruru_jsonw_utf8_valid(const char *s, size_t n);

/* The string s[0, n), which must be valid UTF-8 (ruru_jsonw_utf8_valid), quoted. */
void ruru_jsonw_str(struct ruru_buf *b, const char *s, size_t n);

/* Bytes that may not be UTF-8 (a log line): as they are when they are valid UTF-8; else each
 * byte that starts no valid sequence, and every NUL, becomes U+FFFD. Quoted. */
void ruru_jsonw_bytes(struct ruru_buf *b, const char *s, size_t n);

void ruru_jsonw_int(struct ruru_buf *b, int64_t v);

/* s[0, n) made UTF-8 as ruru_jsonw_bytes makes text that is not: each byte that starts no
 * valid sequence, and every NUL, becomes U+FFFD. out: room for 3n bytes; returns its length. */
size_t ruru_jsonw_fix_utf8(const char *s, size_t n, char *out);

#endif
