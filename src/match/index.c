/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The match index (index.h), one blob:
 *
 *   header | indicators[n] | slots[n_slots] | filter bits | key pool
 *
 * Every indicator has a key: its canonical value, or for addresses and CIDRs 17 bytes (the
 * network in 128-bit space, IPv4 mapped into ::ffff:0:0/96, and the prefix length in that
 * space). Keys hash with XXH3 mixed with the type class. The slots are an open-addressing
 * table (load <= 1/2) from key to the first indicator with that key; indicators sharing a key
 * are chained through `next`. The filter is a bit array of about 8 bits per key with two bits
 * set per key: small enough to stay in cache, it rejects nearly every value that is no
 * indicator before the table is touched.
 *
 * Worked example: 203.0.113.0/24 has key (::ffff:203.0.113.0, 120). Looking up 203.0.113.9
 * walks the IPv4 prefix lengths that occur in the index (a 33-bit mask kept in the header):
 * for /24 it masks the address to 203.0.113.0, builds the key (…, 120), and finds the slot.
 * So a lookup costs one probe per prefix length in use, whatever the number of indicators,
 * and nested ranges (a /16 holding the /24) both report.
 */
#include "match/index.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/vec.h"
#include "intel/store.h"
#include "match/webpath.h"

#define MAGIC "RURUIDX"
#define VERSION                                                                    \
    9u /* 2: filter, type and label masks; 3: IPv4 /16 map; 4: URL hosts;          \
        * 5: uri-path keys in lower case; 6: STIX patterns (their text);           \
        * 7: web-root file paths as uri-path keys, derived keys' origin;           \
        * 8: type filename-regex; 9: types regkey, mutex, pipe, mac (numbers after \
        *    them moved) */
#define ENDIAN 0x01020304u
/* After the filter: one bit per IPv4 /16 holding an address or range of the index (8 KiB,
 * at home in L1), so most addresses of a log are rejected before any hashing. */
#define V4MAP_BYTES 8192u
/* Type class of address and CIDR keys (all in one 128-bit space). */
#define CLASS_IP RURU_IOC_CIDR6
/* Hosts of URL indicators, so that a sweep asks "could this URL match?" before normalising. */
#define CLASS_URL_HOST RURU_IOC__COUNT

struct header {
    char magic[8];
    uint32_t version;
    uint32_t endian;
    uint64_t size;     /* bytes in the blob, header included */
    uint64_t checksum; /* XXH3-64 of the bytes after the header */
    uint64_t n_ind, ind_off;
    uint64_t n_slots, slots_off;
    uint64_t filter_bits, filter_off;
    uint64_t pool_size, pool_off;
    uint64_t v4_prefixes;    /* bit p: some IPv4 key has prefix length p (0..32) */
    uint64_t v6_prefixes[3]; /* bit p: some IPv6 key has prefix length p (0..128) */
    uint64_t types;          /* bit t: some key is of type class t */
    uint64_t domain_labels;  /* bit k: some domain key has k labels (k > 63: bit 63) */
    /* The last entries are derived keys, no indicators of their own: the URL paths of file
     * paths under web roots (class uri-path, reported as their origin) and the hosts of URL
     * indicators (CLASS_URL_HOST). */
    uint64_t n_derived;
    /* Bit k of key_lens[t]: some key of type t is k bytes long (k > 63: bit 63). A field
     * looked up whole (a user agent, a path, any field as a string) is mostly of a length no
     * key has, and is let go without hashing. */
    uint64_t key_lens[32];
};

/* The fuzz target writes the checksum at its offset: keep the layout where it says. */
_Static_assert(sizeof(struct header) == 408, "index header layout");
_Static_assert(RURU_IOC__COUNT <= 32, "key_lens has a word per type");

struct slot {
    uint64_t hash;
    uint32_t first; /* UINT32_MAX: empty */
    uint32_t cls;
};

struct ruru_index {
    const unsigned char *blob;
    size_t size;
    bool mapped; /* munmap rather than free */
};

static const struct header *hdr(const struct ruru_index *idx)
{
    return (const struct header *)(const void *)idx->blob;
}

static const struct ruru_index_ind *inds(const struct ruru_index *idx)
{
    return (const struct ruru_index_ind *)(const void *)(idx->blob + hdr(idx)->ind_off);
}

static const struct slot *slots(const struct ruru_index *idx)
{
    return (const struct slot *)(const void *)(idx->blob + hdr(idx)->slots_off);
}

static uint64_t key_hash(unsigned cls, const void *key, size_t len)
{
    return XXH3_64bits_withSeed(key, len, cls);
}

static size_t next_pow2(size_t n)
{
    size_t p = 1;

    while (p < n)
        p <<= 1;
    return p;
}

/* The two filter bits of hash h lie in one 512-bit block (one cache line): a miss costs one
 * memory access, not two. */
static void filter_pos(uint64_t bits, uint64_t h, uint64_t *a, uint64_t *b)
{
    *a = h & (bits - 1);
    *b = (*a & ~(uint64_t)511) | ((h >> 32) & 511);
}

static bool filter_test(const struct ruru_index *idx, uint64_t h)
{
    const struct header *H = hdr(idx);
    const unsigned char *f = idx->blob + H->filter_off;
    uint64_t a, b;

    filter_pos(H->filter_bits, h, &a, &b);
    return (f[a >> 3] & (1u << (a & 7))) && (f[b >> 3] & (1u << (b & 7)));
}

/* Reports the indicators under key (cls, key, len). */
static size_t lookup(const struct ruru_index *idx,
                     unsigned cls,
                     const void *key,
                     size_t len,
                     ruru_index_hit_fn fn,
                     void *ctx,
                     bool *stop)
{
    const struct header *H = hdr(idx);
    uint64_t h = key_hash(cls, key, len), mask = H->n_slots - 1;
    const struct slot *S = slots(idx);
    const struct ruru_index_ind *I = inds(idx);
    const unsigned char *pool = idx->blob + H->pool_off;
    uint64_t n_real = H->n_ind - H->n_derived;
    size_t n = 0;

    if (*stop || H->n_ind == 0 || !filter_test(idx, h))
        return 0;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
        const struct slot *s = &S[i];
        const struct ruru_index_ind *first;
        if (s->first == UINT32_MAX)
            return 0;
        if (s->hash != h || s->cls != cls)
            continue;
        first = &I[s->first];
        if (first->key_len != len || memcmp(pool + first->key_off, key, len) != 0)
            continue;
        for (uint32_t k = s->first; k != UINT32_MAX; k = I[k].next) {
            /* a derived key reports the indicator it stands for */
            uint32_t r = k < n_real ? k : I[k].origin;
            n++;
            if (fn != NULL && fn(&I[r], r, ctx) != 0) {
                *stop = true;
                break;
            }
        }
        return n;
    }
}

bool ruru_index_has_type(const struct ruru_index *idx, enum ruru_ioc_type type)
{
    if (type == RURU_IOC_IPV4 || type == RURU_IOC_IPV6 || type == RURU_IOC_CIDR4 ||
        type == RURU_IOC_CIDR6)
        type = CLASS_IP;
    return (unsigned)type < 64 && (hdr(idx)->types & (1ull << (unsigned)type)) != 0;
}

bool ruru_index_may_hold(const struct ruru_index *idx, enum ruru_ioc_type type, size_t len)
{
    return (unsigned)type < 32 && (hdr(idx)->types >> (unsigned)type & 1) &&
           (hdr(idx)->key_lens[type] >> (len > 63 ? 63 : len) & 1);
}

size_t ruru_index_count(const struct ruru_index *idx)
{
    return (size_t)(hdr(idx)->n_ind - hdr(idx)->n_derived);
}

const struct ruru_index_ind *ruru_index_at(const struct ruru_index *idx, uint32_t i)
{
    return i < ruru_index_count(idx) ? &inds(idx)[i] : NULL;
}

bool ruru_index_active(const struct ruru_index_ind *ind, int64_t t)
{
    return !(ind->flags & RURU_INDEX_REVOKED) && t >= ind->valid_from && t < ind->valid_until;
}

size_t ruru_index_find_exact(const struct ruru_index *idx,
                             enum ruru_ioc_type type,
                             const char *value,
                             size_t len,
                             ruru_index_hit_fn fn,
                             void *ctx)
{
    bool stop = false;

    if (!ruru_index_may_hold(idx, type, len))
        return 0; /* no indicator of that type and length: no hashing, no probe */
    return lookup(idx, (unsigned)type, value, len, fn, ctx, &stop);
}

const char *ruru_index_key(const struct ruru_index *idx, const struct ruru_index_ind *ind)
{
    return (const char *)idx->blob + hdr(idx)->pool_off + ind->key_off;
}

size_t ruru_url_host(const char *url, size_t len, const char **host)
{
    const char *end = url + len, *h = ruru_memmem(url, len, "://", 3), *e;

    if (h == NULL)
        return 0;
    h += 3;
    e = h;
    while (e < end && *e != '/' && *e != '?' && *e != '#')
        e++;
    for (const char *at = e; at > h; at--)
        if (at[-1] == '@') { /* userinfo */
            h = at;
            break;
        }
    if (h < e && *h == '[') {
        const char *close = memchr(h, ']', (size_t)(e - h));
        e = close ? close + 1 : e;
    } else {
        const char *colon = memchr(h, ':', (size_t)(e - h));
        e = colon ? colon : e;
    }
    *host = h;
    return (size_t)(e - h);
}

bool ruru_index_url_host(const struct ruru_index *idx, const char *host, size_t len)
{
    bool stop = false;

    return (hdr(idx)->types >> CLASS_URL_HOST & 1) &&
           lookup(idx, CLASS_URL_HOST, host, len, NULL, NULL, &stop) > 0;
}

size_t ruru_index_find_domain(
        const struct ruru_index *idx, const char *host, size_t len, ruru_index_hit_fn fn, void *ctx)
{
    size_t n = 0, i = 0;
    bool stop = false;

    uint64_t labels_mask = hdr(idx)->domain_labels;
    unsigned labels = 1;

    if (labels_mask == 0)
        return 0;
    for (size_t k = 0; k < len; k++)
        labels += host[k] == '.';
    /* Label suffixes only: "notevil.com" never reaches "evil.com"; and only suffixes with as
     * many labels as some domain indicator has (most have two or three). */
    while (i < len && !stop) {
        if (labels_mask & (1ull << (labels > 63 ? 63 : labels)))
            n += lookup(idx, RURU_IOC_DOMAIN, host + i, len - i, fn, ctx, &stop);
        while (i < len && host[i] != '.')
            i++;
        i++;
        labels--;
    }
    return n;
}

static void ip_key(const unsigned char addr[16], unsigned prefix128, unsigned char key[17])
{
    memcpy(key, addr, 16);
    for (unsigned b = prefix128; b < 128; b++)
        key[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
    key[16] = (unsigned char)prefix128;
}

static bool is_v4(const unsigned char a[16])
{
    uint64_t lo;

    memcpy(&lo, a, 8); /* ::ffff:a.b.c.d, without a call to memcmp */
    return lo == 0 && a[8] == 0 && a[9] == 0 && a[10] == 0xff && a[11] == 0xff;
}

size_t ruru_index_find_ip(const struct ruru_index *idx,
                          const unsigned char addr[16],
                          ruru_index_hit_fn fn,
                          void *ctx)
{
    const struct header *H = hdr(idx);
    unsigned char key[17];
    size_t n = 0;
    bool stop = false;

    /* Most specific first: an address, then the narrowest range holding it. */
    if (is_v4(addr)) {
        const unsigned char *map = idx->blob + H->filter_off + H->filter_bits / 8;
        unsigned slash16 = (unsigned)addr[12] << 8 | addr[13];
        if (!(map[slash16 >> 3] & (1u << (slash16 & 7))))
            return 0;
        for (int p = 32; p >= 0 && !stop; p--)
            if (H->v4_prefixes & (1ull << p)) {
                ip_key(addr, 96u + (unsigned)p, key);
                n += lookup(idx, CLASS_IP, key, sizeof(key), fn, ctx, &stop);
            }
    } else {
        for (int p = 128; p >= 0 && !stop; p--)
            if (H->v6_prefixes[p / 64] & (1ull << (p % 64))) {
                ip_key(addr, (unsigned)p, key);
                n += lookup(idx, CLASS_IP, key, sizeof(key), fn, ctx, &stop);
            }
    }
    return n;
}

/* ---- building ------------------------------------------------------------------------------ */

/* Marks the /16s an IPv4 key (network in ::ffff:a.b.c.d form, then the prefix length in
 * 128-bit space) covers: one for a /16 or longer, all of them under a shorter range. */
static void v4map_mark(unsigned char *map, const unsigned char key[17])
{
    static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    unsigned prefix, first, count;

    if (memcmp(key, pre, 12) != 0 || key[16] < 96)
        return; /* IPv6 */
    prefix = key[16] - 96u;
    first = (unsigned)key[12] << 8 | key[13];
    count = prefix >= 16 ? 1u : 1u << (16 - prefix);
    first &= ~(count - 1);
    for (unsigned k = first; k < first + count && k < 65536; k++)
        map[k >> 3] |= (unsigned char)(1u << (k & 7));
}

struct pending {
    int64_t store_id, from, until;
    uint64_t key_off; /* into the build pool */
    uint32_t key_len;
    uint32_t origin; /* derived keys: the entry they stand for */
    uint8_t type, flags, cls;
};

/* The key of an address or CIDR value: network and prefix length in 128-bit space. */
static bool value_ip_key(enum ruru_ioc_type type,
                         const char *value,
                         unsigned char key[17],
                         unsigned *prefix,
                         bool *v4)
{
    unsigned char lo[16], hi[16];
    const char *slash = strchr(value, '/');
    unsigned p;

    if (!ruru_store_ip_range(type, value, lo, hi))
        return false;
    *v4 = type == RURU_IOC_IPV4 || type == RURU_IOC_CIDR4;
    p = *v4 ? 32 : 128;
    if (slash != NULL) {
        p = 0;
        for (const char *c = slash + 1; *c; c++)
            p = p * 10 + (unsigned)(*c - '0');
    }
    *prefix = p;
    ip_key(lo, *v4 ? 96 + p : p, key);
    return true;
}

enum ruru_err ruru_index_build(sqlite3 *db, struct ruru_index **out, struct ruru_diag *diag)
{
    sqlite3_stmt *st = NULL;
    struct ruru_vec pend;
    struct ruru_buf pool;
    struct ruru_index *idx = NULL;
    struct header H;
    unsigned char *blob = NULL;
    enum ruru_err err = RURU_OK;
    size_t n_slots, filter_bytes, size;
    int rc;

    memset(&H, 0, sizeof(H));
    /* 64 M indicators bound the index at a size a 2-core machine can still build. */
    ruru_vec_init(&pend, sizeof(struct pending), 64u << 20);
    ruru_buf_init(&pool, (size_t)4 << 30);
    if (sqlite3_prepare_v2(db,
                           "SELECT id, type, value, valid_from, valid_until, revoked, to_ids"
                           " FROM indicators ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "reading indicators: %s",
                             sqlite3_errmsg(db));
    while (err == RURU_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct pending p;
        const char *tname = (const char *)sqlite3_column_text(st, 1);
        const char *value = (const char *)sqlite3_column_text(st, 2);
        bool infer;
        enum ruru_ioc_type type = tname ? ruru_ioc_type_parse(tname, &infer) : RURU_IOC_NONE;
        if (type == RURU_IOC_NONE || value == NULL)
            continue;
        memset(&p, 0, sizeof(p));
        p.store_id = sqlite3_column_int64(st, 0);
        p.from =
                sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3);
        p.until =
                sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MAX : sqlite3_column_int64(st, 4);
        p.flags = (uint8_t)((sqlite3_column_int(st, 5) ? RURU_INDEX_REVOKED : 0) |
                            (sqlite3_column_int(st, 6) ? 0 : RURU_INDEX_NOT_IDS));
        p.type = (uint8_t)type;
        p.key_off = pool.len;
        if (type == RURU_IOC_IPV4 || type == RURU_IOC_IPV6 || type == RURU_IOC_CIDR4 ||
            type == RURU_IOC_CIDR6) {
            unsigned char key[17];
            unsigned prefix;
            bool v4;
            if (!value_ip_key(type, value, key, &prefix, &v4))
                continue;
            if (v4)
                H.v4_prefixes |= 1ull << prefix;
            else
                H.v6_prefixes[prefix / 64] |= 1ull << (prefix % 64);
            ruru_buf_add(&pool, key, sizeof(key));
            p.key_len = sizeof(key);
            p.cls = CLASS_IP;
            H.types |= 1ull << CLASS_IP;
        } else {
            size_t len = (size_t)sqlite3_column_bytes(st, 2);
            size_t at = pool.len;
            ruru_buf_add(&pool, value, len);
            /* Paths are compared without regard to ASCII case (IIS, where most web shells
             * live, ignores it): their keys are lower case, and so are the paths looked up. */
            if (type == RURU_IOC_URI_PATH && !pool.failed)
                for (size_t k = 0; k < len; k++)
                    pool.ptr[at + k] = ruru_lower(pool.ptr[at + k]);
            p.key_len = (uint32_t)len;
            p.cls = (uint8_t)type;
            H.types |= 1ull << type;
            H.key_lens[type] |= 1ull << (len > 63 ? 63 : len);
            if (type == RURU_IOC_DOMAIN) {
                unsigned labels = 1;
                for (size_t k = 0; k < len; k++)
                    labels += value[k] == '.';
                H.domain_labels |= 1ull << (labels > 63 ? 63 : labels);
            }
        }
        /* Keep keys 8-aligned so the pool can be read in words later. */
        while (pool.len % 8 != 0)
            ruru_buf_addc(&pool, '\0');
        if (pool.failed)
            err = RURU_ENOMEM;
        else
            err = ruru_vec_push(&pend, &p);
    }
    sqlite3_finalize(st);
    if (err != RURU_OK)
        goto out;
    {
        /* One more key per file path under a web root: the URL path it is served at. */
        size_t n_real = pend.n;
        struct ruru_buf web;
        ruru_buf_init(&web, 1u << 16);
        for (size_t i = 0; i < n_real && err == RURU_OK; i++) {
            struct pending p = *(const struct pending *)ruru_vec_at(&pend, i);
            char tmp[4096];
            if (p.type != RURU_IOC_FILEPATH || p.key_len > sizeof(tmp))
                continue;
            /* the pool may move as it grows: copy the value first */
            memcpy(tmp, pool.ptr + p.key_off, p.key_len);
            if (!ruru_webpath_of(tmp, p.key_len, &web) || web.len == 0)
                continue;
            for (size_t k = 0; k < web.len; k++)
                web.ptr[k] = ruru_lower(web.ptr[k]);
            p.origin = (uint32_t)i;
            p.type = RURU_IOC_URI_PATH;
            p.cls = RURU_IOC_URI_PATH;
            p.key_off = pool.len;
            p.key_len = (uint32_t)web.len;
            ruru_buf_add(&pool, web.ptr, web.len);
            while (pool.len % 8 != 0)
                ruru_buf_addc(&pool, '\0');
            H.types |= 1ull << RURU_IOC_URI_PATH;
            H.key_lens[RURU_IOC_URI_PATH] |= 1ull << (web.len > 63 ? 63 : web.len);
            err = pool.failed ? RURU_ENOMEM : ruru_vec_push(&pend, &p);
            H.n_derived++;
        }
        ruru_buf_fini(&web);
        if (err != RURU_OK)
            goto out;
        /* One more key per URL indicator: its host, after all the indicators. */
        for (size_t i = 0; i < n_real && err == RURU_OK; i++) {
            struct pending p = *(const struct pending *)ruru_vec_at(&pend, i);
            const char *v, *h, *e;
            size_t hl;
            if (p.type != RURU_IOC_URL)
                continue;
            v = (const char *)pool.ptr + p.key_off;
            if ((hl = ruru_url_host(v, p.key_len, &h)) == 0)
                continue;
            e = h + hl;
            p.key_off = pool.len;
            p.key_len = (uint32_t)(e - h);
            p.cls = CLASS_URL_HOST;
            {
                /* h points into the pool, which may move: copy first */
                char tmp[512];
                if (p.key_len == 0 || p.key_len > sizeof(tmp))
                    continue;
                memcpy(tmp, h, p.key_len);
                ruru_buf_add(&pool, tmp, p.key_len);
            }
            while (pool.len % 8 != 0)
                ruru_buf_addc(&pool, '\0');
            p.origin = (uint32_t)i;
            err = pool.failed ? RURU_ENOMEM : ruru_vec_push(&pend, &p);
            H.types |= 1ull << CLASS_URL_HOST;
            H.n_derived++;
        }
        if (err != RURU_OK)
            goto out;
    }
    /* Layout. */
    n_slots = next_pow2(pend.n * 2 < 16 ? 16 : pend.n * 2);
    H.filter_bits = next_pow2(pend.n * 8 < 65536 ? 65536 : pend.n * 8);
    filter_bytes = (size_t)(H.filter_bits / 8);
    memcpy(H.magic, MAGIC, 8);
    H.version = VERSION;
    H.endian = ENDIAN;
    H.n_ind = pend.n;
    H.ind_off = sizeof(H);
    H.n_slots = n_slots;
    H.slots_off = H.ind_off + pend.n * sizeof(struct ruru_index_ind);
    H.filter_off = H.slots_off + n_slots * sizeof(struct slot);
    H.pool_off = H.filter_off + filter_bytes + V4MAP_BYTES;
    H.pool_size = pool.len;
    size = (size_t)(H.pool_off + pool.len);
    H.size = size;
    blob = ruru_calloc(1, size);
    idx = ruru_calloc(1, sizeof(*idx));
    if (blob == NULL || idx == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    {
        struct ruru_index_ind *I = (struct ruru_index_ind *)(void *)(blob + H.ind_off);
        struct slot *S = (struct slot *)(void *)(blob + H.slots_off);
        unsigned char *F = blob + H.filter_off, *P = blob + H.pool_off;
        if (pool.len > 0)
            memcpy(P, pool.ptr, pool.len);
        for (size_t i = 0; i < n_slots; i++)
            S[i].first = UINT32_MAX;
        for (size_t i = 0; i < pend.n; i++) {
            const struct pending *p = ruru_vec_at(&pend, i);
            uint64_t h = key_hash(p->cls, P + p->key_off, p->key_len), mask = n_slots - 1;
            uint64_t a, b;
            filter_pos(H.filter_bits, h, &a, &b);
            I[i].store_id = p->store_id;
            I[i].valid_from = p->from;
            I[i].valid_until = p->until;
            I[i].key_off = p->key_off;
            I[i].key_len = p->key_len;
            I[i].type = p->type;
            I[i].flags = p->flags;
            I[i].origin = p->origin;
            I[i].next = UINT32_MAX;
            F[a >> 3] |= (unsigned char)(1u << (a & 7));
            F[b >> 3] |= (unsigned char)(1u << (b & 7));
            if (p->cls == CLASS_IP)
                v4map_mark(blob + H.filter_off + filter_bytes, P + p->key_off);
            for (uint64_t k = h & mask;; k = (k + 1) & mask) {
                if (S[k].first == UINT32_MAX) {
                    S[k].hash = h;
                    S[k].cls = p->cls;
                    S[k].first = (uint32_t)i;
                    break;
                }
                if (S[k].hash == h && S[k].cls == p->cls && I[S[k].first].key_len == p->key_len &&
                    memcmp(P + I[S[k].first].key_off, P + p->key_off, p->key_len) == 0) {
                    I[i].next = S[k].first; /* same key: chain */
                    S[k].first = (uint32_t)i;
                    break;
                }
            }
        }
    }
    H.checksum = XXH3_64bits(blob + sizeof(H), size - sizeof(H));
    memcpy(blob, &H, sizeof(H));
    idx->blob = blob;
    idx->size = size;
    *out = idx;
    blob = NULL;
    idx = NULL;
out:
    ruru_free(blob);
    ruru_free(idx);
    ruru_vec_fini(&pend);
    ruru_buf_fini(&pool);
    if (err != RURU_OK)
        return ruru_diag_set(diag, err, NULL, 0, 0, "building the match index: %s",
                             ruru_strerror(err));
    return RURU_OK;
}

/* ---- files --------------------------------------------------------------------------------- */

enum ruru_err ruru_index_check(const void *blob, size_t size, struct ruru_diag *diag)
{
    struct header H;

    if (size < sizeof(H))
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file too short");
    memcpy(&H, blob, sizeof(H));
    if (memcmp(H.magic, MAGIC, 8) != 0)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "not a ruru index file");
    if (H.endian != ENDIAN)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                             "index file written on a machine of another byte order");
    if (H.version != VERSION)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                             "index file version %" PRIu32 ", this ruru reads %u", H.version,
                             VERSION);
    if (H.size != size || H.n_slots == 0 || (H.n_slots & (H.n_slots - 1)) != 0 ||
        H.filter_bits < 8 || (H.filter_bits & (H.filter_bits - 1)) != 0 || H.n_ind >= UINT32_MAX ||
        H.n_derived > H.n_ind || H.ind_off != sizeof(H) ||
        H.slots_off != H.ind_off + H.n_ind * sizeof(struct ruru_index_ind) ||
        H.filter_off != H.slots_off + H.n_slots * sizeof(struct slot) ||
        H.pool_off != H.filter_off + H.filter_bits / 8 + V4MAP_BYTES ||
        H.pool_off + H.pool_size != size)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file layout is damaged");
    if (XXH3_64bits((const unsigned char *)blob + sizeof(H), size - sizeof(H)) != H.checksum)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file checksum mismatch");
    /* Every key and chain must stay inside the blob: checked once here, trusted after. */
    {
        const struct ruru_index_ind *I =
                (const struct ruru_index_ind *)(const void *)((const unsigned char *)blob +
                                                              H.ind_off);
        const struct slot *S =
                (const struct slot *)(const void *)((const unsigned char *)blob + H.slots_off);
        bool has_empty = false;
        for (uint64_t i = 0; i < H.n_ind; i++)
            if (I[i].key_off + I[i].key_len > H.pool_size ||
                (I[i].next != UINT32_MAX && I[i].next >= H.n_ind) || I[i].next == i ||
                (i >= H.n_ind - H.n_derived && I[i].origin >= H.n_ind - H.n_derived))
                return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                                     "index file entry %" PRIu64 " is damaged", i);
        for (uint64_t i = 0; i < H.n_slots; i++) {
            if (S[i].first == UINT32_MAX)
                has_empty = true;
            else if (S[i].first >= H.n_ind)
                return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                                     "index file slot %" PRIu64 " is damaged", i);
        }
        /* A table without an empty slot would make a lookup probe forever. */
        if (!has_empty)
            return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file table is full");
    }
    return RURU_OK;
}

enum ruru_err
ruru_index_save(const struct ruru_index *idx, const char *path, struct ruru_diag *diag)
{
    struct ruru_buf tmp;
    FILE *f;
    enum ruru_err err = RURU_OK;

    ruru_buf_init(&tmp, 8192);
    if (ruru_buf_addf(&tmp, "%s.tmp.%d", path, (int)getpid()) != RURU_OK)
        return ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0, "path too long");
    f = fopen(tmp.ptr, "wb");
    if (f == NULL) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    if (fwrite(idx->blob, 1, idx->size, f) != idx->size || fflush(f) != 0 ||
        fsync(fileno(f)) != 0) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        fclose(f);
        unlink(tmp.ptr);
        goto out;
    }
    fclose(f);
    if (rename(tmp.ptr, path) != 0) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot rename: %s", strerror(errno));
        unlink(tmp.ptr);
    }
out:
    ruru_buf_fini(&tmp);
    return err;
}

enum ruru_err ruru_index_load(const char *path, struct ruru_index **out, struct ruru_diag *diag)
{
    struct stat stt;
    struct ruru_index *idx;
    void *map;
    enum ruru_err err;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &stt) != 0 || stt.st_size <= 0) {
        close(fd);
        return ruru_diag_set(diag, RURU_ECORRUPT, path, 0, 0, "index file is empty");
    }
    /* Populated at once: the checks below read every page, and one populate is far cheaper
     * than a fault per page. */
    map = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot map: %s", strerror(errno));
    err = ruru_index_check(map, (size_t)stt.st_size, diag);
    if (err != RURU_OK) {
        if (diag)
            diag->source = path;
        munmap(map, (size_t)stt.st_size);
        return err;
    }
    idx = ruru_calloc(1, sizeof(*idx));
    if (idx == NULL) {
        munmap(map, (size_t)stt.st_size);
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    }
    idx->blob = map;
    idx->size = (size_t)stt.st_size;
    idx->mapped = true;
    *out = idx;
    return RURU_OK;
}

void ruru_index_destroy(struct ruru_index *idx)
{
    if (idx == NULL)
        return;
    if (idx->mapped)
        munmap((void *)(uintptr_t)idx->blob, idx->size);
    else
        ruru_free((void *)(uintptr_t)idx->blob);
    ruru_free(idx);
}
