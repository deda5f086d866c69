/* SPDX-License-Identifier: Apache-2.0 */
/* The allocation hook: plain libc underneath, with a counter and a failure injector. */
#include "base/alloc.h"

#include <ruru.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Process-wide test hooks. They are the one piece of global state in the library and exist
 * only to drive tests; nothing in the library reads them to decide behaviour. */
static _Atomic uint64_t n_allocs; /* atomic: the sweep allocates from several threads */
static _Atomic uint64_t fail_at;  /* 0: never fail */

static int should_fail(void)
{
    uint64_t n = atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed) + 1;
    uint64_t f = atomic_load_explicit(&fail_at, memory_order_relaxed);

    return f != 0 && n >= f;
}

void ruru_alloc_fail_at(uint64_t n)
{
    atomic_store(&fail_at, n == 0 ? 0 : atomic_load(&n_allocs) + n);
}

uint64_t ruru_alloc_count(void)
{
    return atomic_load(&n_allocs);
}

void *ruru_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size == 0 ? 1 : size);
}

void *ruru_calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *ruru_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size == 0 ? 1 : size);
}

void ruru_free(void *ptr)
{
    free(ptr);
}

char *ruru_memdup0(const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = ruru_malloc(len + 1);
    if (p == NULL)
        return NULL;
    if (len > 0)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *ruru_strdup(const char *s)
{
    return ruru_memdup0(s, strlen(s));
}
