/* SPDX-License-Identifier: Apache-2.0 */
/* The allocation hook: plain libc underneath, with a counter and a failure injector. */
#define _GNU_SOURCE /* mremap */
#include "base/alloc.h"

#include <ruru.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* Whole pages: a mapping is made of them. */
static size_t page_round(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    if (size == 0)
        size = 1;
    return size > SIZE_MAX - page ? 0 : (size + page - 1) / page * page;
}

void *ruru_alloc_huge(size_t size)
{
    size_t len = page_round(size);
    void *p;

    if (len == 0 || should_fail())
        return NULL;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    (void)madvise(p, len, MADV_HUGEPAGE); /* advice: refused, the pages are 4 KiB */
    return p;
}

void *ruru_realloc_huge(void *ptr, size_t old_size, size_t new_size)
{
    size_t old_len = page_round(old_size), new_len = page_round(new_size);
    void *p;

    if (ptr == NULL)
        return ruru_alloc_huge(new_size);
    if (new_len == 0 || should_fail())
        return NULL;
    if (new_len == old_len)
        return ptr;
    /* the mapping keeps its advice wherever it moves */
    p = mremap(ptr, old_len, new_len, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
}

void ruru_free_huge(void *ptr, size_t size)
{
    if (ptr != NULL)
        munmap(ptr, page_round(size));
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
