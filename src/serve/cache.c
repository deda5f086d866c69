/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lookup cache: the answer to a value as a class of callers may see it, kept for a
 * minute. A CERT's constituents ask about the same values again and again (the same
 * indicator seen by many hosts, a SOC's enrichment of every alert), and a search is dozens of
 * queries. The class is what the answer depends on: everything for the CERT's admins, what
 * every constituent sees when AMBER goes to all of them, else per organisation. An entry
 * answers only within the server's generation it was made in (a reload or a change of the
 * intel makes every entry stale at once) and for CACHE_TTL seconds (the search judges
 * validity at the time it is made: a minute's difference at most).
 *
 * A table of CACHE_SLOTS entries, each slot its key's hash modulo the size (a newer answer
 * replaces an older one of another key in its slot), under CACHE_LOCKS striped mutexes.
 */
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "serve/serve_int.h"

#define CACHE_SLOTS    16384u
#define CACHE_LOCKS    64u
#define CACHE_TTL      60
#define CACHE_MAX_TEXT (256u * 1024u) /* larger answers are not kept */

struct entry {
    uint64_t hash, gen;
    int64_t at;
    char *key; /* class \x1f value */
    char *text;
    size_t key_len, len;
    bool hit;
};

struct serve_cache {
    pthread_mutex_t locks[CACHE_LOCKS];
    struct entry slots[CACHE_SLOTS];
};

struct serve_cache *serve_cache_new(void)
{
    struct serve_cache *c = ruru_calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    for (unsigned i = 0; i < CACHE_LOCKS; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void serve_cache_free(struct serve_cache *c)
{
    if (c == NULL)
        return;
    for (unsigned i = 0; i < CACHE_SLOTS; i++) {
        ruru_free(c->slots[i].key);
        ruru_free(c->slots[i].text);
    }
    for (unsigned i = 0; i < CACHE_LOCKS; i++)
        pthread_mutex_destroy(&c->locks[i]);
    ruru_free(c);
}

/* "class\x1fvalue" into buf (false when it does not fit). */
static bool make_key(const char *cls, const char *value, char *buf, size_t cap, size_t *len)
{
    size_t a = strlen(cls), b = strlen(value);

    if (a + 1 + b + 1 > cap)
        return false;
    memcpy(buf, cls, a);
    buf[a] = '\x1f';
    memcpy(buf + a + 1, value, b + 1);
    *len = a + 1 + b;
    return true;
}

char *serve_cache_get(struct serve_cache *c,
                      const char *cls,
                      const char *value,
                      uint64_t gen,
                      int64_t now,
                      size_t *len,
                      bool *hit)
{
    char key[8448];
    size_t kl;
    uint64_t h;
    struct entry *e;
    char *out = NULL;

    if (c == NULL || !make_key(cls, value, key, sizeof(key), &kl))
        return NULL;
    h = XXH3_64bits(key, kl);
    e = &c->slots[h % CACHE_SLOTS];
    pthread_mutex_lock(&c->locks[h % CACHE_LOCKS]);
    if (e->text != NULL && e->hash == h && e->gen == gen && now - e->at < CACHE_TTL &&
        e->key_len == kl && memcmp(e->key, key, kl) == 0 &&
        (out = ruru_malloc(e->len + 1)) != NULL) {
        memcpy(out, e->text, e->len + 1);
        *len = e->len;
        *hit = e->hit;
    }
    pthread_mutex_unlock(&c->locks[h % CACHE_LOCKS]);
    return out;
}

void serve_cache_put(struct serve_cache *c,
                     const char *cls,
                     const char *value,
                     uint64_t gen,
                     int64_t now,
                     const char *text,
                     size_t len,
                     bool hit)
{
    char key[8448];
    size_t kl;
    uint64_t h;
    struct entry *e;
    char *k, *t;

    if (c == NULL || len > CACHE_MAX_TEXT || !make_key(cls, value, key, sizeof(key), &kl))
        return;
    k = ruru_malloc(kl + 1);
    t = ruru_malloc(len + 1);
    if (k == NULL || t == NULL) {
        ruru_free(k);
        ruru_free(t);
        return;
    }
    memcpy(k, key, kl + 1);
    memcpy(t, text, len);
    t[len] = '\0';
    h = XXH3_64bits(key, kl);
    e = &c->slots[h % CACHE_SLOTS];
    pthread_mutex_lock(&c->locks[h % CACHE_LOCKS]);
    ruru_free(e->key);
    ruru_free(e->text);
    *e = (struct entry){h, gen, now, k, t, kl, len, hit};
    pthread_mutex_unlock(&c->locks[h % CACHE_LOCKS]);
}
