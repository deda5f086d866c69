/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The match index (index.h), one blob:
 *
 *   header | indicators[n] | slots[n_slots] | filter bits | IPv4 /16 map | [/24 map] | key pool
 *
 * Every indicator has a key: its canonical value, or for addresses and CIDRs 17 bytes (the
 * network in 128-bit space, IPv4 mapped into ::ffff:0:0/96, and the prefix length in that
 * space). Keys hash with XXH3 mixed with the type class. The slots are an open-addressing
 * table (load <= 0.6) from key to the first indicator with that key; indicators sharing a key
 * are chained through `next`, always to an earlier entry. A slot is 8 bytes, the high half of
 * the key's hash and the entry: the low half picks the slot (multiply-shift, so the table
 * needs no power-of-two size), and the key's class is read from its entry. The filter is a bit
 * array of about 8 bits per key with two bits set per key: small enough to stay in cache, it
 * rejects nearly every value that is no indicator before the table is touched.
 *
 * Worked example: 203.0.113.0/24 has key (::ffff:203.0.113.0, 120). Looking up 203.0.113.9
 * walks the IPv4 prefix lengths that occur in the index (a 33-bit mask kept in the header):
 * for /24 it masks the address to 203.0.113.0, builds the key (…, 120), and finds the slot.
 * So a lookup costs one probe per prefix length in use, whatever the number of indicators,
 * and nested ranges (a /16 holding the /24) both report.
 *
 * Size and speed at 1M indicators (the sweep benchmark's list): the file is ~48 B an entry,
 * ~13 B of slots, ~2 B of filter, ~2 B of the IPv4 /24 map and ~29 B of keys. The cost of a build
 * is SQLite's scan and the memory it first touches; the cost of a load is one pass over the file,
 * which checks the checksum and the structure chunk by chunk while each chunk is in cache, the
 * two halves of a large file on two threads (the checksum is made of the halves' own).
 */
#include "match/index.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
/* Inline: the streaming state then lives on the stack (its layout is no part of the shared
 * library's ABI), and nothing is allocated outside ruru_malloc. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/store.h"
#include "match/webpath.h"

#define MAGIC "RURUIDX"
#define VERSION                                                                     \
    13u /* 2: filter, type and label masks; 3: IPv4 /16 map; 4: URL hosts;          \
         * 5: uri-path keys in lower case; 6: STIX patterns (their text);           \
         * 7: web-root file paths as uri-path keys, derived keys' origin;           \
         * 8: type filename-regex; 9: types regkey, mutex, pipe, mac (numbers after \
         *    them moved); 10: 8-byte slots, any table size, chains point back;     \
         * 11: the IPv4 /24 map; 12: the checksum of two halves;                    \
         * 13: URL hosts hashed as domains */
#define ENDIAN 0x01020304u
/* After the filter: one bit per IPv4 /16 holding an address or range of the index (8 KiB,
 * at home in L1), so most addresses of a log are rejected before any hashing. */
#define V4MAP_BYTES 8192u
/* Then, when the index holds 16,384 IPv4 addresses and ranges or more, one bit per /24
 * (2 MiB, 128 B a key or less): where the /16 map lets an address through, one load instead of
 * a hash and a filter test for each prefix length in use. Addresses of a log come from the
 * networks its intel names: in the sweep benchmark's logs most pass the /16 map (2,560 /16s
 * hold all its intel's addresses), and at 1M indicators (333,000 addresses and /24s) 2 % of
 * the /24s are set. */
#define V4MAP24_BYTES (2u << 20)
#define V4MAP24_FROM  16384u /* IPv4 keys */
/* Type class of address and CIDR keys (all in one 128-bit space). */
#define CLASS_IP RURU_IOC_CIDR6
/* Hosts of URL indicators, so that a sweep asks "could this URL match?" before normalising. */
#define CLASS_URL_HOST RURU_IOC__COUNT

struct header {
    char magic[8];
    uint32_t version;
    uint32_t endian;
    uint64_t size; /* bytes in the blob, header included */
    /* Of every byte after this field, the rest of the header included (a damaged type or
     * length mask would silently lose matches): the XXH3-64 of the XXH3-64s of its two halves
     * (half_at), so that each can be checked on a thread of its own. The bytes before it are
     * checked one by one. */
    uint64_t checksum;
    uint64_t n_ind, ind_off;
    uint64_t n_slots, slots_off; /* n_slots > n_ind, < 2^32 */
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
    uint64_t v4map24_bytes; /* 0 or V4MAP24_BYTES */
};

/* The fuzz target writes the checksum at its offset: keep the layout where it says. */
_Static_assert(sizeof(struct header) == 416, "index header layout");
#define CHECKSUM_OFF 24
#define SUMMED_OFF   32 /* the checksum covers the bytes from here on */
_Static_assert(offsetof(struct header, checksum) == CHECKSUM_OFF, "index checksum place");
_Static_assert(RURU_IOC__COUNT <= 32, "key_lens has a word per type");
_Static_assert(sizeof(struct ruru_index_ind) == 48, "index entry layout");

/* Where the second half of the summed bytes of a blob of `size` bytes starts: a multiple of 64
 * bytes from SUMMED_OFF. */
static uint64_t half_at(uint64_t size)
{
    return SUMMED_OFF + ((size - SUMMED_OFF) / 2 & ~(uint64_t)63);
}

/* The checksum of the two halves' hashes. */
static uint64_t checksum_of(uint64_t h0, uint64_t h1)
{
    uint64_t both[2] = {h0, h1};

    return XXH3_64bits(both, sizeof(both));
}

/* One slot of the table. Empty: first == UINT32_MAX. */
struct slot {
    uint32_t tag;   /* the high half of the key's hash */
    uint32_t first; /* the last entry inserted with that key (the head of its chain) */
};

/* The parts of the blob, wherever they live: in one mapped file (loaded), or in the buffers
 * they were built in (built: saved part by part, never copied into one blob). */
struct ruru_index {
    struct header h;
    const struct ruru_index_ind *ind;
    const struct slot *slots;
    const unsigned char *filter; /* h.filter_bits bits, then the IPv4 /16 and /24 maps */
    const unsigned char *pool;
    void *map; /* the mapped file (map_size bytes), or NULL */
    size_t map_size;
    /* A built index owns its parts (ind, slots, filter, pool: ruru_alloc_huge), freed with
     * it. */
    struct {
        void *ptr;
        size_t size;
    } owned[4];
};

/* A key's hash, seeded with its class; a URL's host is hashed as a domain is, so that a host of
 * a log asked both ways (ruru_index_probe_host) is hashed and filtered once. Entries of the
 * two classes under the same key then share a slot's chain and its tag: the class tells them
 * apart (lookup_h). */
static unsigned hash_seed(unsigned cls)
{
    return cls == CLASS_URL_HOST ? RURU_IOC_DOMAIN : cls;
}

static uint64_t key_hash(unsigned cls, const void *key, size_t len)
{
    return XXH3_64bits_withSeed(key, len, hash_seed(cls));
}

static bool is_ip_type(unsigned type)
{
    return type == RURU_IOC_IPV4 || type == RURU_IOC_IPV6 || type == RURU_IOC_CIDR4 ||
           type == RURU_IOC_CIDR6;
}

/* The class an entry's key was hashed with: known from its type and whether it is derived
 * (a URL's host is a derived entry of type url), so no byte of the entry holds it. */
static unsigned key_class(const struct ruru_index_ind *ind, bool derived)
{
    if (is_ip_type(ind->type))
        return CLASS_IP;
    if (derived && ind->type == RURU_IOC_URL)
        return CLASS_URL_HOST;
    return ind->type;
}

/* The slot where the probe for hash h starts: the low half scaled to the table (Lemire's
 * multiply-shift; n_slots < 2^32). */
static uint64_t slot_of(uint64_t h, uint64_t n_slots)
{
    return ((h & 0xffffffffu) * n_slots) >> 32;
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
    const unsigned char *f = idx->filter;
    uint64_t a, b;

    filter_pos(idx->h.filter_bits, h, &a, &b);
    return (f[a >> 3] & (1u << (a & 7))) && (f[b >> 3] & (1u << (b & 7)));
}

/* Reports the indicators under key (cls, key, len), whose hash is h. */
static size_t lookup_h(const struct ruru_index *idx,
                       unsigned cls,
                       const void *key,
                       size_t len,
                       uint64_t h,
                       ruru_index_hit_fn fn,
                       void *ctx,
                       bool *stop)
{
    uint64_t n_slots = idx->h.n_slots;
    uint32_t tag = (uint32_t)(h >> 32);
    const struct slot *S = idx->slots;
    const struct ruru_index_ind *I = idx->ind;
    uint64_t n_real = idx->h.n_ind - idx->h.n_derived;
    size_t n = 0;

    if (*stop || idx->h.n_ind == 0 || !filter_test(idx, h))
        return 0;
    for (uint64_t i = slot_of(h, n_slots);; i = i + 1 == n_slots ? 0 : i + 1) {
        const struct slot *s = &S[i];
        const struct ruru_index_ind *first;
        if (s->first == UINT32_MAX)
            return 0;
        if (s->tag != tag)
            continue;
        first = &I[s->first];
        if (first->key_len != len || key_class(first, s->first >= n_real) != cls ||
            memcmp(idx->pool + first->key_off, key, len) != 0)
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

static size_t lookup(const struct ruru_index *idx,
                     unsigned cls,
                     const void *key,
                     size_t len,
                     ruru_index_hit_fn fn,
                     void *ctx,
                     bool *stop)
{
    return lookup_h(idx, cls, key, len, key_hash(cls, key, len), fn, ctx, stop);
}

bool ruru_index_has_type(const struct ruru_index *idx, enum ruru_ioc_type type)
{
    if (is_ip_type(type))
        type = CLASS_IP;
    return (unsigned)type < 64 && (idx->h.types & (1ull << (unsigned)type)) != 0;
}

bool ruru_index_may_hold(const struct ruru_index *idx, enum ruru_ioc_type type, size_t len)
{
    return (unsigned)type < 32 && (idx->h.types >> (unsigned)type & 1) &&
           (idx->h.key_lens[type] >> (len > 63 ? 63 : len) & 1);
}

size_t ruru_index_count(const struct ruru_index *idx)
{
    return (size_t)(idx->h.n_ind - idx->h.n_derived);
}

const struct ruru_index_ind *ruru_index_at(const struct ruru_index *idx, uint32_t i)
{
    return i < ruru_index_count(idx) ? &idx->ind[i] : NULL;
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
    return (const char *)idx->pool + ind->key_off;
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

    return (idx->h.types >> CLASS_URL_HOST & 1) &&
           lookup(idx, CLASS_URL_HOST, host, len, NULL, NULL, &stop) > 0;
}

/* A key to ask, and its hash. */
struct host_key {
    const char *key;
    size_t len;
    unsigned cls;
    uint64_t h;
};

/* Asks keys k[0..n) (any: until one is there): their hashes first and their filter blocks
 * fetched at once (with a million indicators the filter is far larger than the cache: the
 * misses overlap), then the table. */
static size_t ask(const struct ruru_index *idx,
                  struct host_key *k,
                  size_t n,
                  ruru_index_hit_fn fn,
                  void *ctx,
                  bool *stop,
                  bool any)
{
    size_t hits = 0;

    for (size_t j = 0; j < n; j++) {
        uint64_t a, b;
        if (j > 0 && k[j].key == k[j - 1].key && k[j].len == k[j - 1].len &&
            hash_seed(k[j].cls) == hash_seed(k[j - 1].cls)) {
            k[j].h = k[j - 1].h; /* the host as a URL's, then as a domain: one hash */
            continue;
        }
        k[j].h = key_hash(k[j].cls, k[j].key, k[j].len);
        filter_pos(idx->h.filter_bits, k[j].h, &a, &b);
        __builtin_prefetch(idx->filter + (a >> 3));
    }
    for (size_t j = 0; j < n && !*stop && !(any && hits > 0); j++)
        hits += lookup_h(idx, k[j].cls, k[j].key, k[j].len, k[j].h, fn, ctx, stop);
    return hits;
}

/* A host's label suffixes, longest first: "notevil.com" never reaches "evil.com"; and only
 * suffixes with as many labels as some domain indicator has (most have two or three). */
struct suffixes {
    const char *host;
    size_t len, i;
    unsigned labels; /* of the suffix at i */
    uint64_t mask;   /* domain_labels */
};

static void
suffixes_start(struct suffixes *s, const struct ruru_index *idx, const char *host, size_t len)
{
    s->host = host;
    s->len = len;
    s->i = 0;
    s->labels = 1;
    s->mask = idx->h.domain_labels;
    for (size_t k = 0; s->mask != 0 && k < len; k++)
        s->labels += host[k] == '.';
}

/* The next suffix to ask, as a domain key in *k; false after the last. */
static bool suffixes_next(struct suffixes *s, struct host_key *k)
{
    while (s->mask != 0 && s->i < s->len) {
        size_t at = s->i;
        bool plausible = (s->mask & (1ull << (s->labels > 63 ? 63 : s->labels))) != 0;
        while (s->i < s->len && s->host[s->i] != '.')
            s->i++;
        s->i++;
        s->labels--;
        if (plausible) {
            *k = (struct host_key){s->host + at, s->len - at, RURU_IOC_DOMAIN, 0};
            return true;
        }
    }
    return false;
}

#define ASK_AT_ONCE 8

size_t ruru_index_find_domain(
        const struct ruru_index *idx, const char *host, size_t len, ruru_index_hit_fn fn, void *ctx)
{
    struct suffixes s;
    struct host_key k[ASK_AT_ONCE];
    size_t n, hits = 0;
    bool stop = false;

    suffixes_start(&s, idx, host, len);
    do {
        for (n = 0; n < ASK_AT_ONCE && suffixes_next(&s, &k[n]); n++)
            ;
        hits += ask(idx, k, n, fn, ctx, &stop, false);
    } while (n == ASK_AT_ONCE && !stop);
    return hits;
}

bool ruru_index_probe_host(const struct ruru_index *idx, const char *host, size_t len)
{
    struct suffixes s;
    struct host_key k[ASK_AT_ONCE];
    size_t n = 0;
    bool stop = false;

    /* the host as a URL's, then its suffixes, in one batch */
    if (idx->h.types >> CLASS_URL_HOST & 1)
        k[n++] = (struct host_key){host, len, CLASS_URL_HOST, 0};
    suffixes_start(&s, idx, host, len);
    for (;;) {
        while (n < ASK_AT_ONCE && suffixes_next(&s, &k[n]))
            n++;
        if (ask(idx, k, n, NULL, NULL, &stop, true) > 0)
            return true;
        if (n < ASK_AT_ONCE)
            return false;
        n = 0;
    }
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

/* The address indicators and ranges holding IPv4 address a (::ffff:a.b.c.d), whose maps
 * said the index may hold some. */
static size_t find_v4_keys(const struct ruru_index *idx,
                           const unsigned char addr[16],
                           ruru_index_hit_fn fn,
                           void *ctx)
{
    unsigned char key[17];
    size_t n = 0;
    bool stop = false;

    /* Most specific first: an address, then the narrowest range holding it. */
    for (int p = 32; p >= 0 && !stop; p--)
        if (idx->h.v4_prefixes & (1ull << p)) {
            ip_key(addr, 96u + (unsigned)p, key);
            n += lookup(idx, CLASS_IP, key, sizeof(key), fn, ctx, &stop);
        }
    return n;
}

/* May the index hold a network holding IPv4 address v4: its /16, then its /24 marked in the
 * maps? */
static bool v4_mapped(const struct ruru_index *idx, uint32_t v4)
{
    const unsigned char *map = idx->filter + idx->h.filter_bits / 8;
    uint32_t slash16 = v4 >> 16, slash24 = v4 >> 8;

    return (map[slash16 >> 3] & (1u << (slash16 & 7))) &&
           (idx->h.v4map24_bytes == 0 ||
            (map[V4MAP_BYTES + (slash24 >> 3)] & (1u << (slash24 & 7))));
}

size_t
ruru_index_find_v4(const struct ruru_index *idx, uint32_t v4, ruru_index_hit_fn fn, void *ctx)
{
    unsigned char addr[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (!v4_mapped(idx, v4))
        return 0;
    addr[12] = (unsigned char)(v4 >> 24);
    addr[13] = (unsigned char)(v4 >> 16);
    addr[14] = (unsigned char)(v4 >> 8);
    addr[15] = (unsigned char)v4;
    return find_v4_keys(idx, addr, fn, ctx);
}

size_t ruru_index_find_ip(const struct ruru_index *idx,
                          const unsigned char addr[16],
                          ruru_index_hit_fn fn,
                          void *ctx)
{
    const struct header *H = &idx->h;
    unsigned char key[17];
    size_t n = 0;
    bool stop = false;

    if (is_v4(addr)) {
        uint32_t v4 = (uint32_t)addr[12] << 24 | (uint32_t)addr[13] << 16 |
                      (uint32_t)addr[14] << 8 | addr[15];
        return v4_mapped(idx, v4) ? find_v4_keys(idx, addr, fn, ctx) : 0;
    }
    /* Most specific first: an address, then the narrowest range holding it. */
    for (int p = 128; p >= 0 && !stop; p--)
        if (H->v6_prefixes[p / 64] & (1ull << (p % 64))) {
            ip_key(addr, (unsigned)p, key);
            n += lookup(idx, CLASS_IP, key, sizeof(key), fn, ctx, &stop);
        }
    return n;
}

/* ---- building ------------------------------------------------------------------------------ */

static bool is_v4_key(const unsigned char key[17])
{
    static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    return memcmp(key, pre, 12) == 0 && key[16] >= 96;
}

/* Marks the /B networks (B = 16 or 24) an IPv4 key (network in ::ffff:a.b.c.d form, then the
 * prefix length in 128-bit space) covers: one for a /B or longer, all of them under a shorter
 * range. */
static void v4map_mark(unsigned char *map, unsigned bits, const unsigned char key[17])
{
    uint32_t prefix, first, count;

    if (!is_v4_key(key))
        return; /* IPv6 */
    prefix = key[16] - 96u;
    first = ((uint32_t)key[12] << 24 | (uint32_t)key[13] << 16 | (uint32_t)key[14] << 8) >>
            (32 - bits);
    count = prefix >= bits ? 1u : 1u << (bits - prefix);
    first &= ~(count - 1);
    for (uint32_t k = first; k < first + count; k++)
        map[k >> 3] |= (unsigned char)(1u << (k & 7));
}

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

/* A growing array of the build, in a mapping of its own (ruru_alloc_huge): it is touched once,
 * in 2 MiB pages where the kernel gives them, and grows without copying. */
struct grow {
    unsigned char *ptr;
    size_t len, cap; /* bytes */
    size_t max;      /* the most len may reach: past it, RURU_ELIMIT */
};

static enum ruru_err grow_add(struct grow *g, const void *data, size_t len)
{
    if (len > g->max - g->len)
        return RURU_ELIMIT;
    if (len > g->cap - g->len) {
        /* Doubling from 64 KiB: a small store stays small, a large one grows ~log2 times. */
        size_t cap = g->cap == 0 ? (size_t)64 << 10 : g->cap;
        unsigned char *p;
        while (len > cap - g->len)
            cap = cap > g->max / 2 ? g->max : cap * 2;
        p = ruru_realloc_huge(g->ptr, g->cap, cap);
        if (p == NULL)
            return RURU_ENOMEM;
        g->ptr = p;
        g->cap = cap;
    }
    if (len > 0)
        memcpy(g->ptr + g->len, data, len);
    g->len += len;
    return RURU_OK;
}

/* What a build gathers before the table is laid out. */
struct build {
    struct header H;  /* the masks so far; sizes and offsets come with the layout */
    struct grow ind;  /* struct ruru_index_ind, in the order of the file */
    struct grow hash; /* uint64_t per entry: its key's hash, taken while the key was hot */
    struct grow pool; /* the keys, each 8-aligned so that the pool can be read in words */
    size_t n, n_real; /* entries; those before the derived ones */
};

static struct ruru_index_ind *entry(struct build *b, size_t i)
{
    return (struct ruru_index_ind *)(void *)b->ind.ptr + i;
}

/* The entry *e, whose key (len bytes) was just appended to the pool at `at`: pads the pool,
 * keeps the entry and its key's hash. On failure the entry is not added. */
static enum ruru_err
add_entry(struct build *b, struct ruru_index_ind *e, unsigned cls, size_t at, size_t len)
{
    static const char zeros[8];
    uint64_t h;
    enum ruru_err err;

    if ((err = grow_add(&b->pool, zeros, (8 - len % 8) % 8)) != RURU_OK)
        return err;
    h = key_hash(cls, b->pool.ptr + at, len);
    e->key_off = at;
    e->key_len = (uint32_t)len;
    e->next = UINT32_MAX;
    if (b->n >= UINT32_MAX - 1)
        return RURU_ELIMIT; /* entries are numbered in 32 bits, UINT32_MAX meaning none */
    if ((err = grow_add(&b->hash, &h, sizeof(h))) != RURU_OK)
        return err;
    if ((err = grow_add(&b->ind, e, sizeof(*e))) != RURU_OK) {
        b->hash.len -= sizeof(h);
        return err;
    }
    b->n++;
    return RURU_OK;
}

/* The store writes a type by its canonical name, so a scan meets a few names over and over:
 * each is parsed once (ruru_ioc_type_parse walks every name and synonym, case-insensitively). */
struct type_cache {
    size_t n;
    struct {
        char name[24];
        size_t len;
        enum ruru_ioc_type type;
    } e[16];
};

static enum ruru_ioc_type cached_type(struct type_cache *c, const char *name, size_t len)
{
    enum ruru_ioc_type t;
    bool infer;

    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].len == len && memcmp(c->e[i].name, name, len) == 0)
            return c->e[i].type;
    t = ruru_ioc_type_parse(name, &infer);
    if (len <= sizeof(c->e[0].name) && c->n < sizeof(c->e) / sizeof(c->e[0])) {
        memcpy(c->e[c->n].name, name, len);
        c->e[c->n].len = len;
        c->e[c->n].type = t;
        c->n++;
    }
    return t;
}

/* One row of SELECT id, type, value, valid_from, valid_until, revoked, to_ids. A row whose
 * type or value the index cannot key is left out. */
static enum ruru_err add_row(struct build *b, sqlite3_stmt *st, struct type_cache *tc)
{
    struct ruru_index_ind e;
    const char *tname = (const char *)sqlite3_column_text(st, 1);
    const char *value = (const char *)sqlite3_column_text(st, 2);
    enum ruru_ioc_type type =
            tname ? cached_type(tc, tname, (size_t)sqlite3_column_bytes(st, 1)) : RURU_IOC_NONE;
    size_t at = b->pool.len, len;
    unsigned cls;
    enum ruru_err err;

    if (type == RURU_IOC_NONE || value == NULL)
        return RURU_OK;
    memset(&e, 0, sizeof(e));
    e.store_id = sqlite3_column_int64(st, 0);
    e.valid_from =
            sqlite3_column_type(st, 3) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 3);
    e.valid_until =
            sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MAX : sqlite3_column_int64(st, 4);
    e.flags = (uint8_t)((sqlite3_column_int(st, 5) ? RURU_INDEX_REVOKED : 0) |
                        (sqlite3_column_int(st, 6) ? 0 : RURU_INDEX_NOT_IDS));
    e.type = (uint8_t)type;
    if (is_ip_type(type)) {
        unsigned char key[17];
        unsigned prefix;
        bool v4;
        if (!value_ip_key(type, value, key, &prefix, &v4))
            return RURU_OK;
        if (v4)
            b->H.v4_prefixes |= 1ull << prefix;
        else
            b->H.v6_prefixes[prefix / 64] |= 1ull << (prefix % 64);
        len = sizeof(key);
        cls = CLASS_IP;
        if ((err = grow_add(&b->pool, key, len)) != RURU_OK)
            return err;
    } else {
        len = (size_t)sqlite3_column_bytes(st, 2);
        cls = type;
        if ((err = grow_add(&b->pool, value, len)) != RURU_OK)
            return err;
        /* Paths are compared without regard to ASCII case (IIS, where most web shells
         * live, ignores it): their keys are lower case, and so are the paths looked up. */
        if (type == RURU_IOC_URI_PATH)
            for (size_t k = 0; k < len; k++)
                b->pool.ptr[at + k] = (unsigned char)ruru_lower((char)b->pool.ptr[at + k]);
        b->H.key_lens[type] |= 1ull << (len > 63 ? 63 : len);
        if (type == RURU_IOC_DOMAIN) {
            unsigned labels = 1;
            for (size_t k = 0; k < len; k++)
                labels += value[k] == '.';
            b->H.domain_labels |= 1ull << (labels > 63 ? 63 : labels);
        }
    }
    b->H.types |= 1ull << cls;
    return add_entry(b, &e, cls, at, len);
}

/* After the indicators, the derived keys: one per file path under a web root (the URL path it
 * is served at), then one per URL indicator (its host). */
static enum ruru_err add_derived(struct build *b)
{
    struct ruru_buf web;
    enum ruru_err err = RURU_OK;

    b->n_real = b->n;
    ruru_buf_init(&web, 1u << 16);
    for (size_t i = 0; i < b->n_real && err == RURU_OK; i++) {
        struct ruru_index_ind e;
        char tmp[4096];
        size_t at;
        if (entry(b, i)->type != RURU_IOC_FILEPATH || entry(b, i)->key_len > sizeof(tmp))
            continue;
        e = *entry(b, i);
        /* the pool may move as it grows: copy the value first */
        memcpy(tmp, b->pool.ptr + e.key_off, e.key_len);
        if (!ruru_webpath_of(tmp, e.key_len, &web) || web.len == 0)
            continue;
        for (size_t k = 0; k < web.len; k++)
            web.ptr[k] = ruru_lower(web.ptr[k]);
        e.origin = (uint32_t)i;
        e.type = RURU_IOC_URI_PATH;
        at = b->pool.len;
        if ((err = grow_add(&b->pool, web.ptr, web.len)) != RURU_OK)
            break;
        b->H.types |= 1ull << RURU_IOC_URI_PATH;
        b->H.key_lens[RURU_IOC_URI_PATH] |= 1ull << (web.len > 63 ? 63 : web.len);
        if ((err = add_entry(b, &e, RURU_IOC_URI_PATH, at, web.len)) == RURU_OK)
            b->H.n_derived++;
    }
    ruru_buf_fini(&web);
    for (size_t i = 0; i < b->n_real && err == RURU_OK; i++) {
        struct ruru_index_ind e;
        const char *h;
        char tmp[512];
        size_t hl, at;
        if (entry(b, i)->type != RURU_IOC_URL)
            continue;
        e = *entry(b, i);
        hl = ruru_url_host((const char *)b->pool.ptr + e.key_off, e.key_len, &h);
        if (hl == 0 || hl > sizeof(tmp))
            continue;
        memcpy(tmp, h, hl); /* h points into the pool, which may move: copy first */
        e.origin = (uint32_t)i;
        at = b->pool.len;
        if ((err = grow_add(&b->pool, tmp, hl)) != RURU_OK)
            break;
        b->H.types |= 1ull << CLASS_URL_HOST;
        if ((err = add_entry(b, &e, CLASS_URL_HOST, at, hl)) == RURU_OK)
            b->H.n_derived++;
    }
    return err;
}

/* The table, the filter and the IPv4 map over the gathered entries, and the header with the
 * checksum; the entries and the pool move into the index. OUT: *out. */
static enum ruru_err lay_out(struct build *b, struct ruru_index **out)
{
    static const unsigned char no_keys[8];
    struct header *H = &b->H;
    size_t n = b->n, n_slots, filter_bytes, maps;
    struct ruru_index_ind *I = (struct ruru_index_ind *)(void *)b->ind.ptr; /* NULL when n is 0 */
    const uint64_t *hs = (const uint64_t *)(const void *)b->hash.ptr;
    const unsigned char *pool = b->pool.ptr != NULL ? b->pool.ptr : no_keys;
    struct ruru_index *idx;
    struct slot *S;
    unsigned char *F;
    XXH3_state_t xs;

    /* Load at most 0.6: a hit probes ~1.8 slots, 8 to a cache line. */
    n_slots = n + n * 2 / 3 + 16;
    H->filter_bits = next_pow2(n * 8 < 65536 ? 65536 : n * 8);
    filter_bytes = (size_t)(H->filter_bits / 8);
    idx = ruru_calloc(1, sizeof(*idx));
    S = ruru_alloc_huge(n_slots * sizeof(*S));
    F = ruru_alloc_huge(filter_bytes + V4MAP_BYTES + V4MAP24_BYTES); /* zeroed */
    if (idx == NULL || S == NULL || F == NULL) {
        ruru_free(idx);
        ruru_free_huge(S, n_slots * sizeof(*S));
        ruru_free_huge(F, filter_bytes + V4MAP_BYTES + V4MAP24_BYTES);
        return RURU_ENOMEM;
    }
    /* Whether the /24 map is worth its 2 MiB. */
    for (size_t i = 0, v4 = 0; i < n && H->v4map24_bytes == 0; i++)
        if (key_class(&I[i], i >= b->n_real) == CLASS_IP && is_v4_key(pool + I[i].key_off) &&
            ++v4 >= V4MAP24_FROM)
            H->v4map24_bytes = V4MAP24_BYTES;
    maps = V4MAP_BYTES + (size_t)H->v4map24_bytes;
    memset(S, 0xff, n_slots * sizeof(*S));
    for (size_t i = 0; i < n; i++) {
        uint64_t h = hs[i], a, c;
        uint32_t tag = (uint32_t)(h >> 32);
        unsigned cls = key_class(&I[i], i >= b->n_real);
        /* The table is far larger than the cache: fetch the slot of a later key meanwhile. */
        if (i + 16 < n)
            __builtin_prefetch(&S[slot_of(hs[i + 16], n_slots)], 1);
        filter_pos(H->filter_bits, h, &a, &c);
        F[a >> 3] |= (unsigned char)(1u << (a & 7));
        F[c >> 3] |= (unsigned char)(1u << (c & 7));
        if (cls == CLASS_IP)
            v4map_mark(F + filter_bytes, 16, pool + I[i].key_off);
        if (cls == CLASS_IP && H->v4map24_bytes != 0)
            v4map_mark(F + filter_bytes + V4MAP_BYTES, 24, pool + I[i].key_off);
        for (size_t k = slot_of(h, n_slots);; k = k + 1 == n_slots ? 0 : k + 1) {
            uint32_t f = S[k].first;
            if (f == UINT32_MAX) {
                S[k].tag = tag;
                S[k].first = (uint32_t)i;
                break;
            }
            if (S[k].tag == tag && hs[f] == h && key_class(&I[f], f >= b->n_real) == cls &&
                I[f].key_len == I[i].key_len &&
                memcmp(pool + I[f].key_off, pool + I[i].key_off, I[i].key_len) == 0) {
                I[i].next = f; /* same key: chain, to an earlier entry */
                S[k].first = (uint32_t)i;
                break;
            }
        }
    }
    memcpy(H->magic, MAGIC, 8);
    H->version = VERSION;
    H->endian = ENDIAN;
    H->n_ind = n;
    H->ind_off = sizeof(*H);
    H->n_slots = n_slots;
    H->slots_off = H->ind_off + n * sizeof(*I);
    H->filter_off = H->slots_off + n_slots * sizeof(*S);
    H->pool_off = H->filter_off + filter_bytes + maps;
    H->pool_size = b->pool.len;
    H->size = H->pool_off + H->pool_size;
    {
        /* the parts in the order of the file, each half hashed over the parts it spans */
        const struct {
            const void *p;
            uint64_t len;
        } part[] = {{(const unsigned char *)H + SUMMED_OFF, sizeof(*H) - SUMMED_OFF},
                    {I, n * sizeof(*I)},
                    {S, n_slots * sizeof(*S)},
                    {F, filter_bytes + maps},
                    {pool, b->pool.len}};
        uint64_t at = SUMMED_OFF, cut = half_at(H->size), h[2] = {0, 0};
        bool split = false;
        XXH3_64bits_reset(&xs);
        for (size_t k = 0; k < sizeof(part) / sizeof(part[0]); k++) {
            const unsigned char *p = part[k].p;
            uint64_t len = part[k].len;
            if (!split && at + len >= cut) {
                split = true;
                XXH3_64bits_update(&xs, p, (size_t)(cut - at));
                h[0] = XXH3_64bits_digest(&xs);
                XXH3_64bits_reset(&xs);
                p += cut - at;
                len -= cut - at;
                at = cut;
            }
            XXH3_64bits_update(&xs, p, (size_t)len);
            at += len;
        }
        h[1] = XXH3_64bits_digest(&xs);
        H->checksum = checksum_of(h[0], h[1]);
    }
    idx->h = *H;
    idx->ind = I;
    idx->slots = S;
    idx->filter = F;
    idx->pool = pool;
    /* the entries and the pool move into the index */
    idx->owned[0].ptr = b->ind.ptr;
    idx->owned[0].size = b->ind.cap;
    idx->owned[1].ptr = S;
    idx->owned[1].size = n_slots * sizeof(*S);
    idx->owned[2].ptr = F;
    idx->owned[2].size = filter_bytes + V4MAP_BYTES + V4MAP24_BYTES;
    idx->owned[3].ptr = b->pool.ptr;
    idx->owned[3].size = b->pool.cap;
    memset(&b->ind, 0, sizeof(b->ind));
    memset(&b->pool, 0, sizeof(b->pool));
    *out = idx;
    return RURU_OK;
}

/* SQLite's page cache as the store sets it (64 MiB) only slows a scan that reads every page
 * once: each page read lands in memory touched for the first time, and the scan costs ~1.8x
 * (measured at 1M indicators). The scan runs with a few pages; the size is set back after. */
static int cache_size(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = 0;

    if (sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void set_cache_size(sqlite3 *db, int n)
{
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA cache_size=%d", n);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
}

enum ruru_err ruru_index_build(sqlite3 *db, struct ruru_index **out, struct ruru_diag *diag)
{
    sqlite3_stmt *st = NULL;
    struct build b;
    struct type_cache tc;
    enum ruru_err err = RURU_OK;
    int cache = cache_size(db), rc = SQLITE_DONE;

    memset(&b, 0, sizeof(b));
    tc.n = 0;
    /* 64 M indicators bound the index at a size a 2-core machine can still build; keys past
     * 4 GiB in all would be a dump, not intel. */
    b.ind.max = ((size_t)64 << 20) * sizeof(struct ruru_index_ind);
    b.hash.max = ((size_t)64 << 20) * sizeof(uint64_t);
    b.pool.max = (size_t)4 << 30;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, type, value, valid_from, valid_until, revoked, to_ids"
                           " FROM indicators ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "reading indicators: %s",
                             sqlite3_errmsg(db));
    if (cache != 0)
        set_cache_size(db, 16);
    while (err == RURU_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = add_row(&b, st, &tc);
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "reading indicators: %s",
                            sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (cache != 0)
        set_cache_size(db, cache);
    if (err == RURU_OK)
        err = add_derived(&b);
    if (err == RURU_OK)
        err = lay_out(&b, out);
    ruru_free_huge(b.ind.ptr, b.ind.cap);
    ruru_free_huge(b.hash.ptr, b.hash.cap);
    ruru_free_huge(b.pool.ptr, b.pool.cap);
    if (err != RURU_OK && err != RURU_EDB)
        return ruru_diag_set(diag, err, NULL, 0, 0, "building the match index: %s",
                             ruru_strerror(err));
    return err;
}

/* ---- files --------------------------------------------------------------------------------- */

/* Can entry i be followed safely? Its key inside the pool, its chain going to an earlier entry
 * (so every chain ends; next + 1 wraps "none" to 0), a derived entry's origin an indicator.
 * Bitwise, without a branch: it runs on every entry of every load. */
static bool entry_ok(const struct header *H, const struct ruru_index_ind *e, uint64_t i)
{
    uint64_t n_real = H->n_ind - H->n_derived;

    return (e->key_off <= H->pool_size) & (e->key_len <= H->pool_size - e->key_off) &
           ((uint32_t)(e->next + 1u) <= i) & ((i < n_real) | (e->origin < n_real));
}

/* Entries and slots per chunk of the check: 48 and 64 KiB, read once for the checksum and
 * the structure while they are in L2 (two passes over a 100 MB file cost ~1.5x one). */
#define CHECK_ENTRIES 1024u
#define CHECK_SLOTS   8192u
/* A file from this size on has its halves checked on two threads: the first touch of a mapped
 * page can be dear on a VM, and the pages of one half cost no more on another core. */
#define CHECK_THREADED (2u << 20)

/* The check of the bytes [from, to) of a blob whose header H was found sound: their hash, and
 * the structure of the entries and slots that start there. */
struct half {
    const struct header *H;
    const unsigned char *base;
    uint64_t from, to;
    uint64_t hash;
    uint64_t bad_entry, bad_slot; /* the first damaged, or UINT64_MAX */
    bool has_empty;               /* a slot of the half is empty */
};

/* Hashes [from, to) of h's blob into xs. */
static void hash_span(XXH3_state_t *xs, const struct half *h, uint64_t from, uint64_t to)
{
    if (to > from)
        XXH3_64bits_update(xs, h->base + from, (size_t)(to - from));
}

static void *check_half(void *arg)
{
    struct half *h = arg;
    const struct header *H = h->H;
    const struct ruru_index_ind *I =
            (const struct ruru_index_ind *)(const void *)(h->base + H->ind_off);
    const struct slot *S = (const struct slot *)(const void *)(h->base + H->slots_off);
    uint64_t at = h->from;
    XXH3_state_t xs;

    h->bad_entry = h->bad_slot = UINT64_MAX;
    h->has_empty = false;
    XXH3_64bits_reset(&xs);
    /* the header's bytes */
    if (at < H->ind_off) {
        uint64_t end = h->to < H->ind_off ? h->to : H->ind_off;
        hash_span(&xs, h, at, end);
        at = end;
    }
    /* the entries, a chunk at a time: hashed, then followed; an entry is checked by the half
     * its first byte is in */
    while (at < h->to && at < H->slots_off) {
        uint64_t i0 = (at - H->ind_off + sizeof(*I) - 1) / sizeof(*I);
        uint64_t i1 = i0 + CHECK_ENTRIES < H->n_ind ? i0 + CHECK_ENTRIES : H->n_ind;
        uint64_t end = H->ind_off + i1 * sizeof(*I);
        bool ok = true;
        if (end > h->to)
            end = h->to;
        hash_span(&xs, h, at, end);
        i1 = (end - H->ind_off + sizeof(*I) - 1) / sizeof(*I);
        for (uint64_t i = i0; i < i1; i++)
            ok &= entry_ok(H, &I[i], i);
        for (uint64_t i = i0; !ok && h->bad_entry == UINT64_MAX && i < i1; i++)
            if (!entry_ok(H, &I[i], i))
                h->bad_entry = i;
        at = end;
    }
    /* the slots, likewise */
    while (at < h->to && at < H->filter_off) {
        uint64_t i0 = (at - H->slots_off + sizeof(*S) - 1) / sizeof(*S);
        uint64_t i1 = i0 + CHECK_SLOTS < H->n_slots ? i0 + CHECK_SLOTS : H->n_slots;
        uint64_t end = H->slots_off + i1 * sizeof(*S);
        /* first + 1 wraps an empty slot to 0 and keeps an entry's 1..n_ind (n_ind is below
         * UINT32_MAX): one min and one max per slot, no branch, in vector registers */
        uint32_t lo = UINT32_MAX, hi = 0;
        if (end > h->to)
            end = h->to;
        hash_span(&xs, h, at, end);
        i1 = (end - H->slots_off + sizeof(*S) - 1) / sizeof(*S);
        for (uint64_t i = i0; i < i1; i++) {
            uint32_t v = S[i].first + 1u;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        h->has_empty |= lo == 0;
        for (uint64_t i = i0; hi > H->n_ind && h->bad_slot == UINT64_MAX && i < i1; i++)
            if (S[i].first != UINT32_MAX && S[i].first >= H->n_ind)
                h->bad_slot = i;
        at = end;
    }
    /* the filter, the maps and the pool */
    hash_span(&xs, h, at, h->to);
    h->hash = XXH3_64bits_digest(&xs);
    return NULL;
}

enum ruru_err ruru_index_check(const void *blob, size_t size, struct ruru_diag *diag)
{
    const unsigned char *base = blob;
    struct header H;
    struct half half[2];
    pthread_t th;
    bool threaded = false;

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
    /* Each offset follows from the one before (no sum overflows: n_ind and n_slots are below
     * 2^32, the filter below 2^61 bytes), and the pool ends the file. The filter holds a
     * whole 512-bit block (filter_pos). */
    if (H.size != size || H.n_ind >= UINT32_MAX || H.n_slots <= H.n_ind || H.n_slots > UINT32_MAX ||
        H.filter_bits < 512 || (H.filter_bits & (H.filter_bits - 1)) != 0 ||
        H.n_derived > H.n_ind || H.ind_off != sizeof(H) ||
        H.slots_off != H.ind_off + H.n_ind * sizeof(struct ruru_index_ind) ||
        H.filter_off != H.slots_off + H.n_slots * sizeof(struct slot) ||
        (H.v4map24_bytes != 0 && H.v4map24_bytes != V4MAP24_BYTES) ||
        H.pool_off != H.filter_off + H.filter_bits / 8 + V4MAP_BYTES + H.v4map24_bytes ||
        H.pool_off > size || H.pool_size != size - H.pool_off)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file layout is damaged");
    /* Every key and chain must stay inside the blob: checked once here, trusted after. A large
     * file's halves on two threads (on this one when none can be had). */
    for (int k = 0; k < 2; k++)
        half[k] = (struct half){.H = &H,
                                .base = base,
                                .from = k == 0 ? SUMMED_OFF : half_at(size),
                                .to = k == 0 ? half_at(size) : size};
    if (size >= CHECK_THREADED)
        threaded = pthread_create(&th, NULL, check_half, &half[1]) == 0;
    (void)check_half(&half[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        (void)check_half(&half[1]);
    /* A damaged byte is said as such even where it also breaks the structure. */
    if (checksum_of(half[0].hash, half[1].hash) != H.checksum)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file checksum mismatch");
    for (int k = 0; k < 2; k++)
        if (half[k].bad_entry != UINT64_MAX)
            return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                                 "index file entry %" PRIu64 " is damaged", half[k].bad_entry);
    for (int k = 0; k < 2; k++)
        if (half[k].bad_slot != UINT64_MAX)
            return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0,
                                 "index file slot %" PRIu64 " is damaged", half[k].bad_slot);
    /* A table without an empty slot would make a lookup probe forever. */
    if (!half[0].has_empty && !half[1].has_empty)
        return ruru_diag_set(diag, RURU_ECORRUPT, NULL, 0, 0, "index file table is full");
    return RURU_OK;
}

static bool write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

enum ruru_err
ruru_index_save(const struct ruru_index *idx, const char *path, struct ruru_diag *diag)
{
    const struct header *H = &idx->h;
    struct ruru_buf tmp;
    enum ruru_err err = RURU_OK;
    int fd;

    ruru_buf_init(&tmp, 8192);
    if (ruru_buf_addf(&tmp, "%s.tmp.%d", path, (int)getpid()) != RURU_OK)
        return ruru_diag_set(diag, RURU_ELIMIT, path, 0, 0, "path too long");
    fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        goto out;
    }
    /* The parts in the order of the file; the checksum was taken over them at build. */
    if (!write_all(fd, H, sizeof(*H)) ||
        !write_all(fd, idx->ind, (size_t)H->n_ind * sizeof(*idx->ind)) ||
        !write_all(fd, idx->slots, (size_t)H->n_slots * sizeof(*idx->slots)) ||
        !write_all(fd, idx->filter,
                   (size_t)(H->filter_bits / 8 + V4MAP_BYTES + H->v4map24_bytes)) ||
        !write_all(fd, idx->pool, (size_t)H->pool_size) || fsync(fd) != 0) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        close(fd);
        unlink(tmp.ptr);
        goto out;
    }
    if (close(fd) != 0) {
        err = ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        unlink(tmp.ptr);
        goto out;
    }
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
    unsigned char *map;
    size_t size;
    enum ruru_err err;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &stt) != 0 || stt.st_size <= 0) {
        close(fd);
        return ruru_diag_set(diag, RURU_ECORRUPT, path, 0, 0, "index file is empty");
    }
    size = (size_t)stt.st_size;
    /* Populated at once: the check below reads every page, and one populate is far cheaper
     * than a fault per page. */
    map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return ruru_diag_set(diag, RURU_EIO, path, 0, 0, "cannot map: %s", strerror(errno));
    err = ruru_index_check(map, size, diag);
    if (err != RURU_OK) {
        if (diag)
            diag->source = path;
        munmap(map, size);
        return err;
    }
    idx = ruru_calloc(1, sizeof(*idx));
    if (idx == NULL) {
        munmap(map, size);
        return ruru_diag_set(diag, RURU_ENOMEM, path, 0, 0, "out of memory");
    }
    memcpy(&idx->h, map, sizeof(idx->h));
    idx->ind = (const struct ruru_index_ind *)(const void *)(map + idx->h.ind_off);
    idx->slots = (const struct slot *)(const void *)(map + idx->h.slots_off);
    idx->filter = map + idx->h.filter_off;
    idx->pool = map + idx->h.pool_off;
    idx->map = map;
    idx->map_size = size;
    *out = idx;
    return RURU_OK;
}

void ruru_index_destroy(struct ruru_index *idx)
{
    if (idx == NULL)
        return;
    if (idx->map != NULL)
        munmap(idx->map, idx->map_size);
    for (size_t i = 0; i < sizeof(idx->owned) / sizeof(idx->owned[0]); i++)
        ruru_free_huge(idx->owned[i].ptr, idx->owned[i].size);
    ruru_free(idx);
}
