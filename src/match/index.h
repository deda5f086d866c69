/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled match index: every matchable indicator of the store (and the STIX patterns kept
 * whole, type stix-pattern with their text as key, for the pattern engine: never looked up)
 * in one immutable blob that refers to its own parts by offset, so it is written to a file and
 * mmap'd back with no fix-ups, and shared by all scanning threads without locks (DESIGN.md §4).
 *
 * What it answers, with the semantics of DESIGN.md §4:
 *   - an address: every indicator whose address or CIDR holds it (nested ranges all report);
 *   - a host name: every domain indicator for the name or one of its parents;
 *   - any other value: the indicators of that type with that canonical value; a uri-path
 *     also finds the file-path indicators of files served there (a web shell's place on disk
 *     under IIS's or Exchange's web roots, match/webpath.h), reported as themselves.
 * The cost of a lookup does not grow with the number of indicators: a cache-resident filter
 * answers most misses, a hash table the rest.
 */
#ifndef RURU_MATCH_INDEX_H
#define RURU_MATCH_INDEX_H

#include <ruru.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/ioc.h"

/* One indicator as the index keeps it. `store_id` leads back to the full record. */
struct ruru_index_ind {
    int64_t store_id;
    int64_t valid_from;  /* INT64_MIN when open */
    int64_t valid_until; /* INT64_MAX when open */
    uint64_t key_off;    /* the key in the pool */
    uint32_t key_len;
    uint32_t next; /* next indicator with the same key, or UINT32_MAX */
    uint8_t type;  /* enum ruru_ioc_type */
    uint8_t flags; /* RURU_INDEX_REVOKED, RURU_INDEX_NOT_IDS */
    uint8_t pad[2];
    /* Derived keys only (the entries after ruru_index_count: a URL indicator's host, the URL
     * path a web-root file path is served at): the indicator they stand for. */
    uint32_t origin;
};

#define RURU_INDEX_REVOKED 1u
#define RURU_INDEX_NOT_IDS 2u

struct ruru_index;

/* Compiles the index from an intel store's database. OUT: *out (ruru_index_destroy). */
enum ruru_err ruru_index_build(sqlite3 *db, struct ruru_index **out, struct ruru_diag *diag);
/* Writes the index to `path` (via a temporary file and rename, so readers never see half). */
enum ruru_err
ruru_index_save(const struct ruru_index *idx, const char *path, struct ruru_diag *diag);
/* Maps an index file. Refuses a file with another magic, version or byte order, a bad size or
 * a bad checksum (RURU_ECORRUPT, with the reason in diag). OUT: *out. */
enum ruru_err ruru_index_load(const char *path, struct ruru_index **out, struct ruru_diag *diag);
/* Checks a blob in memory as ruru_index_load does (for the fuzz target and tests). */
enum ruru_err ruru_index_check(const void *blob, size_t size, struct ruru_diag *diag);
void ruru_index_destroy(struct ruru_index *idx);

size_t ruru_index_count(const struct ruru_index *idx);
/* Does the index hold an indicator of this type? (addresses and ranges: any IP type) */
bool ruru_index_has_type(const struct ruru_index *idx, enum ruru_ioc_type type);
const struct ruru_index_ind *ruru_index_at(const struct ruru_index *idx, uint32_t i);
/* Could a value of `len` bytes be the key of an indicator of `type`? (types looked up exactly;
 * false answers are certain, true ones say only that some key has that length) */
bool ruru_index_may_hold(const struct ruru_index *idx, enum ruru_ioc_type type, size_t len);
/* The key of an indicator (ind->key_len bytes): its canonical value; for a uri-path in lower
 * case; for an address or range 17 bytes of network and prefix. */
const char *ruru_index_key(const struct ruru_index *idx, const struct ruru_index_ind *ind);

/* Is the indicator in force at unix time t? (not revoked, inside its validity window) */
bool ruru_index_active(const struct ruru_index_ind *ind, int64_t t);

/* Called for every matching indicator; a non-zero return stops the lookup. */
typedef int (*ruru_index_hit_fn)(const struct ruru_index_ind *ind, uint32_t i, void *ctx);

/* Indicators of `type` whose canonical value is exactly `value` (already canonical). Returns
 * how many were reported. */
size_t ruru_index_find_exact(const struct ruru_index *idx,
                             enum ruru_ioc_type type,
                             const char *value,
                             size_t len,
                             ruru_index_hit_fn fn,
                             void *ctx);
/* The host of a URL ("http://u@Evil.com:8080/x": "Evil.com"; "[v6]" keeps its brackets),
 * as a slice of `url`; 0 when it has none. */
size_t ruru_url_host(const char *url, size_t len, const char **host);
/* Is `host` (lower case) the host of some URL indicator? A sweep asks before it normalises a
 * URL: most URLs in logs point elsewhere. */
bool ruru_index_url_host(const struct ruru_index *idx, const char *host, size_t len);
/* ruru_index_url_host(host) || ruru_index_find_domain(host) > 0, the filter's blocks of all
 * the keys that asks fetched at once (with a million indicators the filter is far larger than
 * the cache: the misses overlap). */
bool ruru_index_probe_host(const struct ruru_index *idx, const char *host, size_t len);
/* Domain indicators for canonical host `host` or any parent (a.b.evil.com: a.b.evil.com,
 * b.evil.com, evil.com, com). */
size_t ruru_index_find_domain(const struct ruru_index *idx,
                              const char *host,
                              size_t len,
                              ruru_index_hit_fn fn,
                              void *ctx);
/* Address and CIDR indicators holding the address (16 bytes; IPv4 as ::ffff:a.b.c.d). */
size_t ruru_index_find_ip(const struct ruru_index *idx,
                          const unsigned char addr[16],
                          ruru_index_hit_fn fn,
                          void *ctx);
/* The same for an IPv4 address a.b.c.d given as a << 24 | b << 16 | c << 8 | d (as the sweep's
 * tokens hold it): most are answered from the maps of the networks in the index without
 * making the 16 bytes. */
size_t
ruru_index_find_v4(const struct ruru_index *idx, uint32_t v4, ruru_index_hit_fn fn, void *ctx);

#endif
