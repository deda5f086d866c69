/* SPDX-License-Identifier: Apache-2.0 */
#include "base/arena.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

struct ruru_arena_block {
    struct ruru_arena_block *next; /* older blocks */
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void ruru_arena_init(struct ruru_arena *a, size_t block_size, size_t max_bytes)
{
    a->head = NULL;
    a->block_size = block_size < 256 ? 256 : block_size;
    a->max_bytes = max_bytes;
    a->total = 0;
}

void *ruru_arena_alloc(struct ruru_arena *a, size_t size)
{
    struct ruru_arena_block *b = a->head;
    size_t need = (size + 15) & ~(size_t)15, bsize;

    if (need < size)
        return NULL; /* overflow */
    if (b != NULL && b->size - b->used >= need) {
        void *p = b->data + b->used;
        b->used += need;
        return p;
    }
    /* A large request gets a block of its own size, so one big value does not waste a
     * block's worth of small ones. */
    bsize = need > a->block_size ? need : a->block_size;
    if (bsize > a->max_bytes || a->total > a->max_bytes - bsize || bsize > SIZE_MAX - sizeof(*b))
        return NULL;
    b = ruru_malloc(sizeof(*b) + bsize);
    if (b == NULL)
        return NULL;
    b->size = bsize;
    b->used = need;
    b->next = a->head;
    a->head = b;
    a->total += bsize;
    return b->data;
}

char *ruru_arena_strndup(struct ruru_arena *a, const char *s, size_t len)
{
    char *p = len < SIZE_MAX ? ruru_arena_alloc(a, len + 1) : NULL;

    if (p == NULL)
        return NULL;
    if (len > 0)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void ruru_arena_reset(struct ruru_arena *a)
{
    struct ruru_arena_block *b = a->head, *keep = NULL;

    /* Keep the oldest ordinary-sized block: the next scan will need one. */
    while (b != NULL) {
        struct ruru_arena_block *next = b->next;
        if (next == NULL && b->size == a->block_size) {
            keep = b;
        } else {
            a->total -= b->size;
            ruru_free(b);
        }
        b = next;
    }
    if (keep != NULL)
        keep->used = 0;
    a->head = keep;
}

void ruru_arena_fini(struct ruru_arena *a)
{
    ruru_arena_reset(a);
    if (a->head != NULL) {
        a->total -= a->head->size;
        ruru_free(a->head);
        a->head = NULL;
    }
}
