/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump arena (yara's notebook): many small allocations with one lifetime, freed together.
 * Used for per-scan, per-thread scratch; reset after each chunk, never freed item by item.
 *
 * Invariant: every block holds `used <= size` bytes; allocations are aligned to 16 bytes.
 */
#ifndef RURU_BASE_ARENA_H
#define RURU_BASE_ARENA_H

#include <stddef.h>

struct ruru_arena_block;

struct ruru_arena {
    struct ruru_arena_block *head; /* the block being filled, NULL before the first alloc */
    size_t block_size;             /* size of ordinary blocks */
    size_t max_bytes;              /* total cap; an allocation past it fails */
    size_t total;                  /* bytes in all blocks */
};

/* Initialises an empty arena (the caller owns `a`): blocks of `block_size` bytes, at most
 * `max_bytes` in all. */
void ruru_arena_init(struct ruru_arena *a, size_t block_size, size_t max_bytes);
/* `size` bytes aligned to 16, valid until reset or fini; NULL when memory or the cap runs out
 * (the arena is unchanged then). */
void *ruru_arena_alloc(struct ruru_arena *a, size_t size);
/* A NUL-terminated copy of `len` bytes, or NULL. */
char *ruru_arena_strndup(struct ruru_arena *a, const char *s, size_t len);
/* Forgets every allocation, keeping the first block for reuse. */
void ruru_arena_reset(struct ruru_arena *a);
/* Frees everything; the arena is empty and usable again. */
void ruru_arena_fini(struct ruru_arena *a);

#endif
