/* SPDX-License-Identifier: Apache-2.0 */
/* The match index file: what a load refuses (any damaged byte, a cut or grown file, a crafted
 * structure with a right checksum), and lookups in a table of thousands of keys after a load. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "check.h"
#include "intel/store.h"
#include "match/index.h"

static char home[] = "/tmp/ruru-test-index-XXXXXX";

/* Where the header keeps what the tests need (index.c: struct header; the fuzz target knows
 * the same two places). The entries start right after the 416-byte header. */
#define HEADER_BYTES 416u
#define CHECKSUM_OFF 24u
#define SUMMED_OFF   32u
#define N_IND_OFF    32u
#define N_SLOTS_OFF  48u
#define SLOTS_OFF    56u

static void add(const struct ruru_intel_sink *s, enum ruru_ioc_type t, const char *v)
{
    struct ruru_intel_indicator ind;

    ruru_intel_indicator_init(&ind);
    ind.type = t;
    ind.value = v;
    CHECK_INT(s->indicator(s->ctx, &ind), RURU_OK);
}

/* A file of `n` domains of source `src`, the i-th pre + i + post, imported. */
static void add_domains(ruru_store *st, const char *src, const char *pre, const char *post, int n)
{
    struct ruru_store_file *f = NULL;
    bool unchanged;

    CHECK_INT(ruru_store_file_begin(st, src, "d.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    for (int i = 0; i < n; i++) {
        char v[64];
        snprintf(v, sizeof(v), "%s%d%s", pre, i, post);
        add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, v);
    }
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
}

static uint64_t get64(const unsigned char *b, size_t off)
{
    uint64_t v;

    memcpy(&v, b + off, sizeof(v));
    return v;
}

static void put32(unsigned char *b, size_t off, uint32_t v)
{
    memcpy(b + off, &v, sizeof(v));
}

/* The checksum as the format defines it, so that a crafted file gets past it. */
static void reseal(unsigned char *b, size_t size)
{
    /* the hash of the two halves' hashes, the second half from a multiple of 64 bytes */
    size_t half = SUMMED_OFF + ((size - SUMMED_OFF) / 2 & ~(size_t)63);
    uint64_t h[2] = {XXH3_64bits(b + SUMMED_OFF, half - SUMMED_OFF),
                     XXH3_64bits(b + half, size - half)};
    uint64_t sum = XXH3_64bits(h, sizeof(h));

    memcpy(b + CHECKSUM_OFF, &sum, sizeof(sum));
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    unsigned char *b;

    CHECK(f != NULL);
    CHECK(fstat(fileno(f), &st) == 0);
    *size = (size_t)st.st_size;
    b = malloc(*size + 1);
    CHECK(b != NULL);
    CHECK(fread(b, 1, *size, f) == *size);
    fclose(f);
    return b;
}

static void spill(const char *path, const unsigned char *b, size_t size)
{
    FILE *f = fopen(path, "wb");

    CHECK(f != NULL);
    CHECK(fwrite(b, 1, size, f) == size);
    fclose(f);
}

/* ruru_index_check on a copy (the blob aligned as a mapping would be): the error, and the
 * reason in msg. */
static enum ruru_err check_copy(const unsigned char *b, size_t size, char msg[256])
{
    unsigned char *c = malloc(size + 1);
    struct ruru_diag d;
    enum ruru_err err;

    memset(&d, 0, sizeof(d));
    memcpy(c, b, size);
    err = ruru_index_check(c, size, &d);
    memcpy(msg, d.msg, sizeof(d.msg));
    free(c);
    return err;
}

/* The first (or last) slot of the table in use. */
static uint64_t used_slot(const unsigned char *b, bool last)
{
    uint64_t n_slots = get64(b, N_SLOTS_OFF), used = UINT64_MAX;
    size_t slots = (size_t)get64(b, SLOTS_OFF);

    for (uint64_t k = 0; k < n_slots && used == UINT64_MAX; k++) {
        uint64_t i = last ? n_slots - 1 - k : k;
        uint32_t first;
        memcpy(&first, b + slots + i * 8 + 4, sizeof(first));
        if (first != UINT32_MAX)
            used = i;
    }
    CHECK(used != UINT64_MAX);
    return used;
}

/* Slot `used` of a copy of b pointed past the entries, resealed: named as damaged. */
static void check_bad_slot(const unsigned char *b, unsigned char *c, size_t size, uint64_t used)
{
    char msg[256], want[96];

    memcpy(c, b, size);
    put32(c, (size_t)get64(b, SLOTS_OFF) + (size_t)used * 8 + 4, (uint32_t)get64(b, N_IND_OFF));
    reseal(c, size);
    snprintf(want, sizeof(want), "index file slot %" PRIu64 " is damaged", used);
    CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
    CHECK_STR(msg, want);
}

/* The first entry that chains to another (two sources of one value). */
static uint32_t chained_entry(const unsigned char *b)
{
    for (uint32_t i = 0; i < get64(b, N_IND_OFF); i++) {
        struct ruru_index_ind e;
        memcpy(&e, b + HEADER_BYTES + (size_t)i * sizeof(e), sizeof(e));
        if (e.next != UINT32_MAX)
            return i;
    }
    return UINT32_MAX;
}

static void test_damage(const char *path)
{
    size_t size, accepted = 0, first_accepted = SIZE_MAX;
    unsigned char *b = slurp(path, &size), *c = malloc(size + 1);
    struct ruru_index *idx = NULL;
    struct ruru_diag d;
    char msg[256], want[256];
    uint32_t k;

    CHECK_INT(check_copy(b, size, msg), RURU_OK);
    /* One damaged byte anywhere (header, entries, table, filter, keys): refused, with a
     * reason. */
    for (size_t i = 0; i < size; i++) {
        memcpy(c, b, size);
        c[i] ^= 0x20;
        memset(&d, 0, sizeof(d));
        if (ruru_index_check(c, size, &d) != RURU_ECORRUPT || d.msg[0] == '\0') {
            if (accepted++ == 0)
                first_accepted = i;
        }
    }
    CHECK_INT(accepted, 0);
    if (accepted > 0)
        fprintf(stderr, "first damaged byte accepted: %zu of %zu\n", first_accepted, size);
    /* Past the header the reason is the checksum. */
    memcpy(c, b, size);
    c[size / 2] ^= 1;
    CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
    CHECK_STR(msg, "index file checksum mismatch");
    /* A cut file, a grown one. */
    CHECK_INT(check_copy(b, size - 1, msg), RURU_ECORRUPT);
    CHECK_STR(msg, "index file layout is damaged");
    CHECK_INT(check_copy(b, HEADER_BYTES, msg), RURU_ECORRUPT);
    CHECK_INT(check_copy(b, HEADER_BYTES - 1, msg), RURU_ECORRUPT);
    CHECK_STR(msg, "index file too short");
    memcpy(c, b, size);
    c[size] = 0;
    CHECK_INT(check_copy(c, size + 1, msg), RURU_ECORRUPT);
    CHECK_STR(msg, "index file layout is damaged");
    /* Another format version: refused by name (the cache is then rebuilt). */
    memcpy(c, b, size);
    put32(c, 8, 9);
    CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
    CHECK(strstr(msg, "index file version 9") != NULL);

    /* Crafted files, checksum right: the structure is checked on its own. */
    k = chained_entry(b);
    CHECK(k != UINT32_MAX && k > 0);
    if (k != UINT32_MAX) {
        size_t at = HEADER_BYTES + (size_t)k * sizeof(struct ruru_index_ind);
        /* a chain to a later entry (a loop once it comes back) */
        memcpy(c, b, size);
        put32(c, at + offsetof(struct ruru_index_ind, next), k);
        reseal(c, size);
        snprintf(want, sizeof(want), "index file entry %" PRIu32 " is damaged", k);
        CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
        CHECK_STR(msg, want);
        /* a key past the end of the pool, its offset near 2^64 so that the sum wraps */
        memcpy(c, b, size);
        {
            uint64_t off = UINT64_MAX - 3;
            memcpy(c + at + offsetof(struct ruru_index_ind, key_off), &off, sizeof(off));
        }
        reseal(c, size);
        CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
        CHECK_STR(msg, want);
    }
    {
        uint64_t n_slots = get64(b, N_SLOTS_OFF);
        size_t slots = (size_t)get64(b, SLOTS_OFF);
        /* a slot pointing past the entries */
        check_bad_slot(b, c, size, used_slot(b, false));
        /* no empty slot: a probe would never end */
        memcpy(c, b, size);
        for (uint64_t i = 0; i < n_slots; i++)
            put32(c, slots + (size_t)i * 8 + 4, 0);
        reseal(c, size);
        CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
        CHECK_STR(msg, "index file table is full");
    }

    /* Through the file: refused with the reason and the path, then loaded once whole again. */
    memcpy(c, b, size);
    c[size - 1] ^= 0x55;
    spill(path, c, size);
    memset(&d, 0, sizeof(d));
    CHECK_INT(ruru_index_load(path, &idx, &d), RURU_ECORRUPT);
    CHECK_STR(d.msg, "index file checksum mismatch");
    CHECK_STR(d.source, path);
    spill(path, b, size - 8);
    CHECK_INT(ruru_index_load(path, &idx, &d), RURU_ECORRUPT);
    spill(path, b, 0);
    CHECK_INT(ruru_index_load(path, &idx, &d), RURU_ECORRUPT);
    CHECK_STR(d.msg, "index file is empty");
    spill(path, b, size);
    CHECK_INT(ruru_index_load(path, &idx, &d), RURU_OK);
    if (idx != NULL) {
        /* the derived keys: a web-root file path's URL path, a URL's host */
        CHECK_INT(ruru_index_find_exact(idx, RURU_IOC_URI_PATH, "/aspnet_client/shell.aspx", 25,
                                        NULL, NULL),
                  1);
        CHECK_INT(ruru_index_find_exact(idx, RURU_IOC_URI_PATH, "/owa/auth/x.aspx", 16, NULL, NULL),
                  1);
        CHECK(ruru_index_url_host(idx, "evil.com", 8));
        CHECK_INT(ruru_index_find_domain(idx, "www.evil.com", 12, NULL, NULL), 2);
    }
    ruru_index_destroy(idx);
    free(b);
    free(c);
}

/* ruru_index_find_ip of an IPv4 address (::ffff:a.b.c.d), checked against ruru_index_find_v4
 * of the same address as an integer. */
static size_t find_v4_both(const struct ruru_index *idx, const unsigned char a[16])
{
    uint32_t v = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15];
    size_t n = ruru_index_find_ip(idx, a, NULL, NULL);

    CHECK_INT(ruru_index_find_v4(idx, v, NULL, NULL), n);
    return n;
}

/* Thousands of keys (the table wraps, keys share slots' neighbourhoods): each found after a
 * save and a load, as built, and values that are no key are not. */
static void test_many(ruru_store *st, const char *path)
{
    struct ruru_index *built = NULL, *loaded = NULL;
    struct ruru_index *both[2];
    char v[64];

    CHECK_INT(ruru_index_build(ruru_store_db(st), &built, NULL), RURU_OK);
    CHECK_INT(ruru_index_save(built, path, NULL), RURU_OK);
    CHECK_INT(ruru_index_load(path, &loaded, NULL), RURU_OK);
    both[0] = built;
    both[1] = loaded;
    for (int w = 0; w < 2; w++) {
        size_t found = 0, wrong = 0;
        struct ruru_index *idx = both[w];
        CHECK_INT(ruru_index_count(idx), 3000 + 10);
        for (int i = 0; i < 3000; i++) {
            unsigned char a[16] = {0};
            snprintf(v, sizeof(v), "host%d.example.org", i);
            found += ruru_index_find_domain(idx, v, strlen(v), NULL, NULL) == 1;
            snprintf(v, sizeof(v), "a.b.host%d.example.org", i);
            found += ruru_index_find_domain(idx, v, strlen(v), NULL, NULL) == 1;
            snprintf(v, sizeof(v), "host%d.example.com", i);
            wrong += ruru_index_find_domain(idx, v, strlen(v), NULL, NULL) != 0;
            a[10] = a[11] = 0xff;
            a[12] = 10;
            a[13] = (unsigned char)(i >> 8);
            a[14] = (unsigned char)i;
            a[15] = 1;
            wrong += find_v4_both(idx, a) != 0;
        }
        CHECK_INT(found, 6000);
        CHECK_INT(wrong, 0);
    }
    ruru_index_destroy(loaded);
    ruru_index_destroy(built);
}

static void v4(unsigned char a[16], unsigned b0, unsigned b1, unsigned b2, unsigned b3)
{
    memset(a, 0, 16);
    a[10] = a[11] = 0xff;
    a[12] = (unsigned char)b0;
    a[13] = (unsigned char)b1;
    a[14] = (unsigned char)b2;
    a[15] = (unsigned char)b3;
}

/* Enough addresses for the /24 map to be built, in many /16s, and ranges shorter and longer
 * than a /24 and a /16: found as before, built and loaded, and neighbours are not. */
static void test_slash24(void)
{
    char dir[] = "/tmp/ruru-test-index24-XXXXXX", path[128];
    ruru_store *st = NULL;
    struct ruru_store_file *f = NULL;
    struct ruru_index *both[2] = {NULL, NULL};
    bool unchanged;
    struct stat sb;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/index", dir);
    CHECK_INT(ruru_store_open(dir, &st, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "a", "a.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    for (int i = 0; i < 17000; i++) {
        char v[32];
        snprintf(v, sizeof(v), "%d.%d.%d.5", 1 + i / 256, i % 256, (i * 7) % 256);
        add(ruru_store_file_sink(f), RURU_IOC_IPV4, v);
    }
    add(ruru_store_file_sink(f), RURU_IOC_CIDR4, "100.64.0.0/10");
    add(ruru_store_file_sink(f), RURU_IOC_CIDR4, "198.18.16.0/20");
    add(ruru_store_file_sink(f), RURU_IOC_CIDR4, "192.0.2.64/26");
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(ruru_index_build(ruru_store_db(st), &both[0], NULL), RURU_OK);
    CHECK_INT(ruru_index_save(both[0], path, NULL), RURU_OK);
    CHECK(stat(path, &sb) == 0 && sb.st_size > (2 << 20)); /* the /24 map is there */
    CHECK_INT(ruru_index_load(path, &both[1], NULL), RURU_OK);
    for (int w = 0; w < 2 && both[1] != NULL; w++) {
        const struct ruru_index *idx = both[w];
        size_t found = 0, wrong = 0;
        unsigned char a[16];
        for (int i = 0; i < 17000; i++) {
            unsigned b0 = 1 + (unsigned)i / 256, b1 = (unsigned)i % 256,
                     b2 = (unsigned)(i * 7) % 256;
            v4(a, b0, b1, b2, 5);
            found += find_v4_both(idx, a) == 1;
            v4(a, b0, b1, b2, 6); /* the same /24 */
            wrong += find_v4_both(idx, a) != 0;
            v4(a, b0, b1, (b2 + 1) % 256, 5); /* the same /16 */
            wrong += find_v4_both(idx, a) != 0;
        }
        CHECK_INT(found, 17000);
        CHECK_INT(wrong, 0);
        /* the ranges' first and last addresses, and those just outside */
        static const struct {
            unsigned char b[4];
            size_t want;
        } edges[] = {
                {{100, 64, 0, 0}, 1},     {{100, 127, 255, 255}, 1}, {{100, 128, 0, 1}, 0},
                {{100, 63, 255, 255}, 0}, {{198, 18, 31, 255}, 1},   {{198, 18, 32, 0}, 0},
                {{198, 18, 15, 255}, 0},  {{192, 0, 2, 100}, 1},     {{192, 0, 2, 128}, 0},
        };
        for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
            v4(a, edges[e].b[0], edges[e].b[1], edges[e].b[2], edges[e].b[3]);
            CHECK_INT(find_v4_both(idx, a), edges[e].want);
        }
    }
    ruru_index_destroy(both[1]);
    ruru_index_destroy(both[0]);
    ruru_store_close(st);
    unlink(path);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    CHECK(system(path) == 0);
}

/* ruru_index_probe_host is ruru_index_url_host || ruru_index_find_domain, for hosts of up to
 * 14 labels under domains of 2 to 12 labels, none under another (so a host of many labels has
 * more suffixes to ask than are fetched at once, and only a short one may be an indicator). */
static void test_probe_host(void)
{
    char dir[] = "/tmp/ruru-test-indexhost-XXXXXX", path[160], v[256];
    ruru_store *st = NULL;
    struct ruru_store_file *f = NULL;
    struct ruru_index *idx = NULL;
    bool unchanged;
    size_t yes = 0, no = 0;

    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(ruru_store_open(dir, &st, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "a", "a.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    for (int l = 2; l <= 12; l++) {
        size_t k = 0;
        for (int i = 1; i < l; i++)
            k += (size_t)snprintf(v + k, sizeof(v) - k, "q.");
        snprintf(v + k, sizeof(v) - k, "t%d", l);
        add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, v); /* q.t2, q.q.t3, ... */
    }
    add(ruru_store_file_sink(f), RURU_IOC_URL, "http://u.x.t99/a");
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    for (int l = 1; l <= 14 && idx != NULL; l++) {
        for (int tld = 2; tld <= 13; tld++) {
            for (int url = 0; url < 2; url++) {
                /* l labels of which the last two or more are q's and a TLD t<tld>, or the
                 * URL's host under l - 3 more */
                size_t k = 0;
                bool want, got;
                for (int i = 0; i < l - (url ? 3 : 2); i++)
                    k += (size_t)snprintf(v + k, sizeof(v) - k, "%s.", i % 2 ? "a" : "q");
                snprintf(v + k, sizeof(v) - k, url ? "u.x.t99" : "q.t%d", tld);
                want = ruru_index_url_host(idx, v, strlen(v)) ||
                       ruru_index_find_domain(idx, v, strlen(v), NULL, NULL) > 0;
                got = ruru_index_probe_host(idx, v, strlen(v));
                CHECK(got == want);
                yes += want;
                no += !want;
            }
        }
    }
    CHECK(yes > 10 && no > 10);
    {
        /* Odd shapes (empty labels, dots first and last), hosts of dots and of many labels,
         * around 255 bytes long: the same answer as the two questions. */
        static const char *const odd[] = {"q.t2",     ".q.t2",   "q.t2.",    "..q.t2",  "a..q.t2",
                                          "q..t2",    ".",       "..",       "t2",      "q.t2..",
                                          "a.q.q.t3", "q.q.t3.", ".u.x.t99", "u..x.t99"};
        char big[600];
        size_t odd_yes = 0;
        for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]) && idx != NULL; i++) {
            bool want = ruru_index_url_host(idx, odd[i], strlen(odd[i])) ||
                        ruru_index_find_domain(idx, odd[i], strlen(odd[i]), NULL, NULL) > 0;
            CHECK(ruru_index_probe_host(idx, odd[i], strlen(odd[i])) == want);
            odd_yes += want;
        }
        CHECK_INT(odd_yes, 5); /* q.t2 after dots or empty labels, and a.q.q.t3 */
        for (size_t n = 240; n < 275 && idx != NULL; n++) {
            for (int shape = 0; shape < 3; shape++) {
                bool want;
                for (size_t i = 0; i + 5 < n; i++)
                    big[i] = shape == 0 ? "a."[i % 2] : shape == 1 ? '.' : "abcdefg."[i % 8];
                memcpy(big + n - 5, ".q.t2", 5);
                want = ruru_index_url_host(idx, big, n) ||
                       ruru_index_find_domain(idx, big, n, NULL, NULL) > 0;
                CHECK(want);
                CHECK(ruru_index_probe_host(idx, big, n) == want);
                big[n - 1] = '3'; /* q.t3: no indicator */
                want = ruru_index_url_host(idx, big, n) ||
                       ruru_index_find_domain(idx, big, n, NULL, NULL) > 0;
                CHECK(!want);
                CHECK(ruru_index_probe_host(idx, big, n) == want);
            }
        }
    }
    CHECK(ruru_index_probe_host(idx, "u.x.t99", 7));
    CHECK(ruru_index_probe_host(idx, "a.q.a.q.a.q.a.q.a.q.a.q.t2", 26));
    CHECK(!ruru_index_probe_host(idx, "a.q.a.q.a.q.a.q.a.q.a.q.t3", 26));
    /* eleven suffixes to ask, more than one batch: the one indicator is in the second */
    CHECK_INT(ruru_index_find_domain(idx, "a.q.a.q.a.q.a.q.a.q.a.q.t2", 26, NULL, NULL), 1);
    CHECK_INT(ruru_index_find_domain(idx, "q.q.q.q.q.q.q.q.q.q.q.t12", 25, NULL, NULL), 1);
    ruru_index_destroy(idx);
    ruru_store_close(st);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    CHECK(system(path) == 0);
}

/* A URL's host and a domain are hashed alike (one hash for a host of a log asked both ways):
 * the class still tells the entries apart, whichever of the two the index holds, or both. */
static void test_url_host_and_domain(void)
{
    char dir[] = "/tmp/ruru-test-indexurl-XXXXXX", cmd[160];
    static const struct {
        const char *host;
        bool url;
        size_t domains;
    } want[] = {{"only-url.example", true, 0},
                {"only-domain.example", false, 1},
                {"both.example", true, 1},
                {"www.both.example", false, 1}, /* under the domain; no URL has it as host */
                {"neither.example", false, 0}};
    ruru_store *st = NULL;
    struct ruru_store_file *f = NULL;
    struct ruru_index *idx = NULL;
    bool unchanged;

    CHECK(mkdtemp(dir) != NULL);
    CHECK_INT(ruru_store_open(dir, &st, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "a", "a.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    add(ruru_store_file_sink(f), RURU_IOC_URL, "http://only-url.example/a");
    add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, "only-domain.example");
    add(ruru_store_file_sink(f), RURU_IOC_URL, "http://both.example/x");
    add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, "both.example");
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && idx != NULL; i++) {
        const char *h = want[i].host;
        CHECK(ruru_index_url_host(idx, h, strlen(h)) == want[i].url);
        CHECK_INT(ruru_index_find_domain(idx, h, strlen(h), NULL, NULL), want[i].domains);
        CHECK(ruru_index_probe_host(idx, h, strlen(h)) == (want[i].url || want[i].domains > 0));
    }
    ruru_index_destroy(idx);
    ruru_store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* A file large enough to have its halves checked on two threads, its second half starting
 * among the entries: an entry on either side of it, and the one it cuts, damaged and resealed,
 * are each named; a slot of the second half too; a byte of either half changed without a
 * reseal is a checksum mismatch; the file as written loads. */
static void test_halves(void)
{
    char dir[] = "/tmp/ruru-test-halves-XXXXXX", path[128], msg[256], want[96];
    ruru_store *st = NULL;
    struct ruru_index *idx = NULL;
    unsigned char *b, *c;
    size_t size, half, cut;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/index", dir);
    CHECK_INT(ruru_store_open(dir, &st, NULL), RURU_OK);
    add_domains(st, "a", "h", ".example", 50000);
    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    CHECK_INT(ruru_index_save(idx, path, NULL), RURU_OK);
    ruru_index_destroy(idx);
    idx = NULL;
    CHECK_INT(ruru_index_load(path, &idx, NULL), RURU_OK);
    CHECK(idx != NULL && ruru_index_find_domain(idx, "h49999.example", 14, NULL, NULL) == 1);
    ruru_index_destroy(idx);
    b = slurp(path, &size);
    c = malloc(size);
    CHECK(c != NULL && size > (2u << 20)); /* two threads from 2 MiB on */
    half = SUMMED_OFF + ((size - SUMMED_OFF) / 2 & ~(size_t)63);
    CHECK(half > HEADER_BYTES && half < (size_t)get64(b, SLOTS_OFF)); /* among the entries */
    cut = (half - HEADER_BYTES) / sizeof(struct ruru_index_ind);
    CHECK((half - HEADER_BYTES) % sizeof(struct ruru_index_ind) != 0); /* it cuts one */
    for (size_t k = cut - 1; k <= cut + 1 && c != NULL; k++) {
        size_t at = HEADER_BYTES + k * sizeof(struct ruru_index_ind);
        memcpy(c, b, size);
        put32(c, at + offsetof(struct ruru_index_ind, next), (uint32_t)k); /* a loop */
        reseal(c, size);
        snprintf(want, sizeof(want), "index file entry %zu is damaged", k);
        CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
        CHECK_STR(msg, want);
    }
    if (c != NULL) {
        check_bad_slot(b, c, size, used_slot(b, true)); /* the last: in the second half */
        for (int k = 0; k < 2; k++) {
            memcpy(c, b, size);
            c[k == 0 ? half - 1 : size - 1] ^= 1;
            CHECK_INT(check_copy(c, size, msg), RURU_ECORRUPT);
            CHECK_STR(msg, "index file checksum mismatch");
        }
        CHECK_INT(check_copy(b, size, msg), RURU_OK);
    }
    free(c);
    free(b);
    ruru_store_close(st);
    snprintf(path, sizeof(path), "rm -rf %s", dir);
    CHECK(system(path) == 0);
}

int main(void)
{
    ruru_store *st = NULL;
    struct ruru_store_file *f = NULL;
    struct ruru_index *idx = NULL;
    bool unchanged;
    char path[128];

    CHECK(mkdtemp(home) != NULL);
    snprintf(path, sizeof(path), "%s/index", home);
    CHECK_INT(ruru_store_open(home, &st, NULL), RURU_OK);
    /* An empty store: an empty index, saved and loaded like any other. */
    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    CHECK_INT(ruru_index_save(idx, path, NULL), RURU_OK);
    ruru_index_destroy(idx);
    idx = NULL;
    CHECK_INT(ruru_index_load(path, &idx, NULL), RURU_OK);
    if (idx != NULL) {
        CHECK_INT(ruru_index_count(idx), 0);
        CHECK_INT(ruru_index_find_domain(idx, "evil.com", 8, NULL, NULL), 0);
        CHECK(ruru_index_at(idx, 0) == NULL);
    }
    ruru_index_destroy(idx);
    idx = NULL;
    CHECK_INT(ruru_store_file_begin(st, "a", "a.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    {
        const struct ruru_intel_sink *s = ruru_store_file_sink(f);
        add(s, RURU_IOC_DOMAIN, "evil.com");
        add(s, RURU_IOC_CIDR4, "203.0.113.0/24");
        add(s, RURU_IOC_IPV4, "198.51.100.7");
        add(s, RURU_IOC_CIDR6, "2001:db8::/32");
        add(s, RURU_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e");
        add(s, RURU_IOC_URL, "http://evil.com/x");
        add(s, RURU_IOC_URI_PATH, "/owa/auth/x.aspx");
        add(s, RURU_IOC_FILEPATH, "C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx");
        add(s, RURU_IOC_USER_AGENT, "Scanner/1.0");
    }
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);
    CHECK_INT(ruru_store_file_begin(st, "b", "b.csv", "test", "h", 1, &f, &unchanged, NULL),
              RURU_OK);
    add(ruru_store_file_sink(f), RURU_IOC_DOMAIN, "evil.com");
    CHECK_INT(ruru_store_file_commit(f, NULL), RURU_OK);

    CHECK_INT(ruru_index_build(ruru_store_db(st), &idx, NULL), RURU_OK);
    CHECK_INT(ruru_index_save(idx, path, NULL), RURU_OK);
    ruru_index_destroy(idx);
    test_damage(path);

    add_domains(st, "c", "host", ".example.org", 3000);
    test_many(st, path);
    test_slash24();
    test_halves();
    test_probe_host();
    test_url_host_and_domain();

    ruru_store_close(st);
    {
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", home);
        CHECK_INT(system(cmd), 0);
    }
    return check_done();
}
