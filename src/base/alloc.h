/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every heap allocation in ruru goes through these functions, so that one hook gives memory
 * statistics and, in debug builds, failure injection: ruru_alloc_fail_at(N) makes the Nth
 * allocation from now fail (curl's torture mode), to prove that each failure path is clean.
 */
#ifndef RURU_BASE_ALLOC_H
#define RURU_BASE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *ruru_malloc(size_t size);
void *ruru_calloc(size_t n, size_t size);
void *ruru_realloc(void *ptr, size_t size);
/* Frees `ptr`; NULL is a no-op. Declared in the public header too. */
void ruru_free(void *ptr);
/* Copies of a NUL-terminated string / of `len` bytes (NUL added); NULL on failure. */
char *ruru_strdup(const char *s);
char *ruru_memdup0(const char *s, size_t len);

/* Large arrays (tens of MB and more: the match index while it is built) in mappings of their
 * own, which the kernel backs with 2 MiB pages where it can (MADV_HUGEPAGE: advice, honoured
 * when transparent huge pages are on). Touched the first time, 4 KiB pages cost a fault each,
 * and on a VM a fault is dear: 100 MB took 0.3 s in 25,600 faults and 0.02 s in 2 MiB pages
 * (measured on the project's VM). Zeroed; growing moves no bytes (mremap). The caller keeps the
 * size. Counted and failed like any other allocation. NULL on failure, when the old block of
 * ruru_realloc_huge is left as it was. ruru_free_huge(NULL, n) is a no-op. */
void *ruru_alloc_huge(size_t size);
void *ruru_realloc_huge(void *ptr, size_t old_size, size_t new_size);
void ruru_free_huge(void *ptr, size_t size);

/* Failure injection: the `n`th allocation from now (1-based) and every later one fail; 0
 * turns injection off. Not thread-safe; for tests only. */
void ruru_alloc_fail_at(uint64_t n);
/* Allocations made since the process started (counts successful calls). */
uint64_t ruru_alloc_count(void);

#endif
