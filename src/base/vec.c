/* SPDX-License-Identifier: Apache-2.0 */
#include "base/vec.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

void ruru_vec_init(struct ruru_vec *v, size_t item_size, size_t max_items)
{
    v->items = NULL;
    v->n = 0;
    v->cap = 0;
    v->item_size = item_size;
    v->max_items = max_items;
}

enum ruru_err ruru_vec_push(struct ruru_vec *v, const void *item)
{
    if (v->n == v->max_items)
        return RURU_ELIMIT;
    if (v->n == v->cap) {
        /* Doubling from 16 keeps pushes amortised O(1). */
        size_t cap = v->cap == 0 ? 16 : v->cap * 2;
        void *p;
        if (cap > v->max_items)
            cap = v->max_items;
        if (v->item_size != 0 && cap > SIZE_MAX / v->item_size)
            return RURU_ENOMEM;
        p = ruru_realloc(v->items, cap * v->item_size);
        if (p == NULL)
            return RURU_ENOMEM;
        v->items = p;
        v->cap = cap;
    }
    memcpy((unsigned char *)v->items + v->n * v->item_size, item, v->item_size);
    v->n++;
    return RURU_OK;
}

void *ruru_vec_at(const struct ruru_vec *v, size_t i)
{
    return (unsigned char *)v->items + i * v->item_size;
}

void ruru_vec_reset(struct ruru_vec *v)
{
    v->n = 0;
}

void ruru_vec_fini(struct ruru_vec *v)
{
    ruru_free(v->items);
    v->items = NULL;
    v->n = 0;
    v->cap = 0;
}
