/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A string -> int64 hash map (open addressing, linear probing, xxh3 hashes). Keys are copied.
 * Enough for registries of a few million keys; the scan's hot paths use the compiled index,
 * not this.
 *
 * Invariant: n <= cap * 3 / 4 (growth doubles at that load, keeping probe runs short); cap is
 * zero or a power of two.
 */
#ifndef RURU_BASE_MAP_H
#define RURU_BASE_MAP_H

#include <ruru.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ruru_map_slot {
    char *key; /* NULL: empty */
    size_t key_len;
    uint64_t hash;
    int64_t value;
};

struct ruru_map {
    struct ruru_map_slot *slots;
    size_t cap;
    size_t n;
};

void ruru_map_init(struct ruru_map *m);
void ruru_map_fini(struct ruru_map *m);
/* True and *value when `key` is present. */
bool ruru_map_get(const struct ruru_map *m, const char *key, size_t key_len, int64_t *value);
/* Sets key -> value (replacing). On failure (RURU_ENOMEM) the map is unchanged. */
enum ruru_err ruru_map_put(struct ruru_map *m, const char *key, size_t key_len, int64_t value);

#endif
