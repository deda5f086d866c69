/* SPDX-License-Identifier: Apache-2.0 */
#include "base/map.h"

#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"

void ruru_map_init(struct ruru_map *m)
{
    memset(m, 0, sizeof(*m));
}

void ruru_map_fini(struct ruru_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        ruru_free(m->slots[i].key);
    ruru_free(m->slots);
    memset(m, 0, sizeof(*m));
}

static struct ruru_map_slot *
find(const struct ruru_map *m, const char *key, size_t key_len, uint64_t h)
{
    size_t mask = m->cap - 1;

    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        struct ruru_map_slot *s = &m->slots[i];
        if (s->key == NULL)
            return s;
        if (s->hash == h && s->key_len == key_len && memcmp(s->key, key, key_len) == 0)
            return s;
    }
}

bool ruru_map_get(const struct ruru_map *m, const char *key, size_t key_len, int64_t *value)
{
    struct ruru_map_slot *s;

    if (m->cap == 0)
        return false;
    s = find(m, key, key_len, XXH3_64bits(key, key_len));
    if (s->key == NULL)
        return false;
    *value = s->value;
    return true;
}

static enum ruru_err grow(struct ruru_map *m)
{
    size_t cap = m->cap == 0 ? 16 : m->cap * 2;
    struct ruru_map_slot *old = m->slots, *slots;
    size_t old_cap = m->cap;

    slots = ruru_calloc(cap, sizeof(*slots));
    if (slots == NULL)
        return RURU_ENOMEM;
    m->slots = slots;
    m->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != NULL)
            *find(m, old[i].key, old[i].key_len, old[i].hash) = old[i];
    ruru_free(old);
    return RURU_OK;
}

enum ruru_err ruru_map_put(struct ruru_map *m, const char *key, size_t key_len, int64_t value)
{
    uint64_t h = XXH3_64bits(key, key_len);
    struct ruru_map_slot *s;

    if ((m->n + 1) * 4 > m->cap * 3 && grow(m) != RURU_OK)
        return RURU_ENOMEM;
    s = find(m, key, key_len, h);
    if (s->key == NULL) {
        s->key = ruru_memdup0(key, key_len);
        if (s->key == NULL)
            return RURU_ENOMEM;
        s->key_len = key_len;
        s->hash = h;
        m->n++;
    }
    s->value = value;
    return RURU_OK;
}
