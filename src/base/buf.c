/* SPDX-License-Identifier: Apache-2.0 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

void ruru_buf_init(struct ruru_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->failed = false;
}

void ruru_buf_fini(struct ruru_buf *b)
{
    ruru_free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void ruru_buf_reset(struct ruru_buf *b)
{
    b->len = 0;
    b->failed = false;
    if (b->ptr != NULL)
        b->ptr[0] = '\0';
}

static enum ruru_err grow(struct ruru_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max || b->len > b->max - extra) {
        b->failed = true;
        return RURU_ELIMIT;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return RURU_OK;
    /* Doubling from 64 bytes keeps appends amortised O(1); the first step is small because
     * most buffers hold one short value. */
    cap = b->cap == 0 ? 64 : b->cap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = ruru_realloc(b->ptr, cap);
    if (p == NULL) {
        b->failed = true;
        return RURU_ENOMEM;
    }
    b->ptr = p;
    b->cap = cap;
    return RURU_OK;
}

enum ruru_err ruru_buf_add(struct ruru_buf *b, const void *data, size_t len)
{
    enum ruru_err err = grow(b, len);

    if (err != RURU_OK)
        return err;
    if (len > 0)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return RURU_OK;
}

enum ruru_err ruru_buf_reserve(struct ruru_buf *b, size_t n)
{
    return grow(b, n);
}

enum ruru_err ruru_buf_addc(struct ruru_buf *b, char c)
{
    return ruru_buf_add(b, &c, 1);
}

enum ruru_err ruru_buf_adds(struct ruru_buf *b, const char *s)
{
    return ruru_buf_add(b, s, strlen(s));
}

enum ruru_err ruru_buf_addf(struct ruru_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum ruru_err err;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return RURU_EINVAL;
    err = grow(b, (size_t)n);
    if (err != RURU_OK)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return RURU_OK;
}

const char *ruru_buf_str(const struct ruru_buf *b)
{
    return b->ptr != NULL ? b->ptr : "";
}

char *ruru_buf_detach(struct ruru_buf *b)
{
    char *p = b->ptr;

    if (p == NULL)
        return ruru_memdup0("", 0);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
