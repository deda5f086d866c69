/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable byte buffer with a cap (curl's dynbuf). The contents are always NUL-terminated
 * so that they can be handed to C APIs, but the length is what counts: embedded NULs are kept.
 *
 * Invariant: ptr is NULL (nothing appended yet) or holds len + 1 <= cap bytes; len <= max.
 */
#ifndef RURU_BASE_BUF_H
#define RURU_BASE_BUF_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>

struct ruru_buf {
    char *ptr;   /* NULL until the first append */
    size_t len;  /* bytes held, without the NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* the most len may reach; appends past it fail with RURU_ELIMIT */
    bool failed; /* an append failed since init/reset: lets a chain of appends be checked once */
};

/* Initialises an empty buffer that may hold at most `max` bytes (the caller owns `b`). */
void ruru_buf_init(struct ruru_buf *b, size_t max);
/* Frees the contents; the buffer is empty and usable again. */
void ruru_buf_fini(struct ruru_buf *b);
/* Empties the buffer, keeping its memory. */
void ruru_buf_reset(struct ruru_buf *b);
/* Appends; on failure (RURU_ENOMEM, RURU_ELIMIT) the buffer is unchanged. */
enum ruru_err ruru_buf_add(struct ruru_buf *b, const void *data, size_t len);
/* Makes room for n more bytes (b->ptr + b->len onwards) without adding them. */
enum ruru_err ruru_buf_reserve(struct ruru_buf *b, size_t n);
enum ruru_err ruru_buf_addc(struct ruru_buf *b, char c);
enum ruru_err ruru_buf_adds(struct ruru_buf *b, const char *s);
enum ruru_err ruru_buf_addf(struct ruru_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* The contents as a C string: "" when empty, never NULL. Valid until the next change. */
const char *ruru_buf_str(const struct ruru_buf *b);
/* Hands the contents to the caller (free with ruru_free) and empties the buffer. Returns a
 * fresh "" when the buffer is empty; NULL only when that allocation fails. */
char *ruru_buf_detach(struct ruru_buf *b);

#endif
