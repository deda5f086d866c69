/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growable array of fixed-size items with a cap on the item count.
 *
 * Invariant: items is NULL or holds cap * item_size bytes; n <= cap <= max_items.
 */
#ifndef RURU_BASE_VEC_H
#define RURU_BASE_VEC_H

#include <ruru.h>
#include <stddef.h>

struct ruru_vec {
    void *items;
    size_t n, cap;
    size_t item_size;
    size_t max_items; /* a push past it fails with RURU_ELIMIT */
};

void ruru_vec_init(struct ruru_vec *v, size_t item_size, size_t max_items);
/* Appends a copy of *item; on failure (RURU_ENOMEM, RURU_ELIMIT) nothing changes. */
enum ruru_err ruru_vec_push(struct ruru_vec *v, const void *item);
/* Item i (no bounds check beyond an assertion of the caller's duty: i < n). */
void *ruru_vec_at(const struct ruru_vec *v, size_t i);
void ruru_vec_reset(struct ruru_vec *v);
void ruru_vec_fini(struct ruru_vec *v);

#endif
