/* SPDX-License-Identifier: Apache-2.0 */
/* base/: buffers, arena, vectors, maps, times, strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/dynlib.h"
#include "base/map.h"
#include "base/simd.h"
#include "base/str.h"
#include "base/time.h"
#include "base/vec.h"
#include "check.h"
#include "io/file.h"

static void test_buf(void)
{
    struct ruru_buf b;
    char *s;

    ruru_buf_init(&b, 8);
    CHECK_INT(ruru_buf_adds(&b, "abcd"), RURU_OK);
    CHECK_INT(ruru_buf_adds(&b, "efghi"), RURU_ELIMIT);
    CHECK(b.failed);
    CHECK_STR(ruru_buf_str(&b), "abcd");
    ruru_buf_reset(&b);
    CHECK(!b.failed);
    CHECK_INT(ruru_buf_addf(&b, "%d-%s", 42, "x"), RURU_OK);
    s = ruru_buf_detach(&b);
    CHECK_STR(s, "42-x");
    ruru_free(s);
    CHECK_STR(ruru_buf_str(&b), "");
    /* room without content: within the cap, the bytes are the caller's to write */
    CHECK_INT(ruru_buf_reserve(&b, 7), RURU_OK);
    CHECK(b.ptr != NULL && b.cap >= 8 && b.len == 0);
    CHECK_INT(ruru_buf_reserve(&b, 9), RURU_ELIMIT);
    ruru_buf_fini(&b);
}

static void test_arena(void)
{
    struct ruru_arena a;
    char *p, *q, *big;

    ruru_arena_init(&a, 1024, 1 << 20);
    p = ruru_arena_strndup(&a, "hello", 5);
    q = ruru_arena_alloc(&a, 3);
    CHECK_STR(p, "hello");
    CHECK(((uintptr_t)q & 15) == 0);
    big = ruru_arena_alloc(&a, 4096); /* a block of its own */
    CHECK(big != NULL);
    CHECK_STR(p, "hello");
    CHECK(ruru_arena_alloc(&a, 2 << 20) == NULL); /* over the cap */
    ruru_arena_reset(&a);
    CHECK_INT(a.total, 1024);
    CHECK(ruru_arena_alloc(&a, 10) != NULL);
    ruru_arena_fini(&a);
    CHECK_INT(a.total, 0);
}

static void test_vec(void)
{
    struct ruru_vec v;
    int x;

    ruru_vec_init(&v, sizeof(int), 100);
    for (x = 0; x < 100; x++)
        CHECK_INT(ruru_vec_push(&v, &x), RURU_OK);
    CHECK_INT(ruru_vec_push(&v, &x), RURU_ELIMIT);
    CHECK_INT(*(int *)ruru_vec_at(&v, 42), 42);
    CHECK_INT(v.n, 100);
    ruru_vec_fini(&v);
}

static void test_map(void)
{
    struct ruru_map m;
    int64_t v = 0;
    char key[16];

    ruru_map_init(&m);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        CHECK_INT(ruru_map_put(&m, key, strlen(key), i), RURU_OK);
    }
    CHECK(ruru_map_get(&m, "k777", 4, &v));
    CHECK_INT(v, 777);
    CHECK(!ruru_map_get(&m, "k1000", 5, &v));
    CHECK_INT(ruru_map_put(&m, "k777", 4, -1), RURU_OK);
    CHECK(ruru_map_get(&m, "k777", 4, &v));
    CHECK_INT(v, -1);
    CHECK_INT(m.n, 1000);
    ruru_map_fini(&m);
}

static void test_time(void)
{
    static const struct {
        const char *s;
        int64_t t;
    } ok[] = {
            {"2021-03-02T10:11:12Z", 1614679872},
            {"2021-03-02T10:11:12.123456+13:00", 1614679872 - 13 * 3600},
            {"2021-03-02 10:11:12", 1614679872},
            {"2021-03-02", 1614643200},
            {"1614679872", 1614679872},
            {"2024-02-29T00:00:00Z", 1709164800},
            {"1969-12-31T23:59:59Z", -1},
            /* the common shape with each separator, and its neighbours */
            {"2021-03-02t10:11:12", 1614679872},
            {" 2021-03-02 10:11:12 UTC ", 1614679872},
            {"2021-03-02T10:11:60Z", 1614679920},
            {"2021-03-02T10:11Z", 1614679860},
            {"2021-03-02T10:11+01:00", 1614676260},
            {"2021-03-02T10:11:12,5-0130", 1614679872 + 5400},
    };
    static const char *const bad[] = {"2021-02-29",
                                      "2021-13-01",
                                      "2021-03-02T25:00:00Z",
                                      "yesterday",
                                      "12345",
                                      "2021-03-02Tx",
                                      "2021-03-02T10:61:12Z",
                                      "2021-03-02T24:00:00",
                                      "2021-00-10T00:00:00",
                                      "2021-03-32 00:00:00",
                                      "2021-03-02T10:11:12.",
                                      "2021-03-02T10:11:12x",
                                      "2021-03-02_10:11:12",
                                      "2021-03-02T10:11:1a",
                                      "2021-03-02T10:11:12+1",
                                      ""};
    char out[RURU_TIME_BUF];
    int64_t t;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CHECK(ruru_time_parse(ok[i].s, strlen(ok[i].s), &t));
        CHECK_INT(t, ok[i].t);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(!ruru_time_parse(bad[i], strlen(bad[i]), &t));
    /* A date is read once while the times keep it (a cache of the last day): each time read
     * after one of another day, of the same day, and of a day that cannot be, in turn. */
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        for (size_t j = 0; j < sizeof(ok) / sizeof(ok[0]); j++) {
            CHECK(ruru_time_parse(ok[j].s, strlen(ok[j].s), &t));
            CHECK(!ruru_time_parse(bad[j % (sizeof(bad) / sizeof(bad[0]))],
                                   strlen(bad[j % (sizeof(bad) / sizeof(bad[0]))]), &t));
            CHECK(ruru_time_parse(ok[i].s, strlen(ok[i].s), &t));
            CHECK_INT(t, ok[i].t);
            CHECK(ruru_time_parse(ok[i].s, strlen(ok[i].s), &t));
            CHECK_INT(t, ok[i].t);
        }
    CHECK(ruru_time_parse("2021-03-03T10:11:12Z", 20, &t));
    CHECK_INT(t, 1614679872 + 86400);
    CHECK(ruru_time_parse("2024-02-29", 10, &t));
    CHECK(!ruru_time_parse("2021-02-29", 10, &t));
    CHECK(!ruru_time_parse("2024-02-2910:00", 15, &t));
    ruru_time_format(1614679872, out);
    CHECK_STR(out, "2021-03-02T10:11:12Z");
    ruru_time_format(-1, out);
    CHECK_STR(out, "1969-12-31T23:59:59Z");
}

static void test_str(void)
{
    struct ruru_str s = ruru_str_trim(ruru_str_make("  Hello \t", 9));

    CHECK_INT(s.len, 5);
    CHECK(ruru_str_ieq(s, "hELLO"));
    CHECK(ruru_str_iprefix(s, "he"));
    CHECK(!ruru_str_eq(s, "hello"));
    CHECK(ruru_memmem("abcabd", 6, "abd", 3) != NULL);
    CHECK(ruru_memmem("abcabd", 6, "abe", 3) == NULL);
    CHECK(ruru_ascii_casecmp("APT40", "apt40") == 0);
}

/* The vector split against a byte-by-byte one, at every length and separator position around
 * the 16-byte blocks, and with a limit on the number of slices. */
static void test_split_byte(void)
{
    char line[80];
    struct ruru_str got[40], want[40];
    size_t bad = 0;

    for (unsigned seed = 1; seed < 4000; seed++) {
        size_t n = seed % 70, max = seed % 9 == 0 ? 3 : 40, k = 0, start = 0, m;
        unsigned x = seed * 2654435761u;
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            line[i] = (x >> 16) % 5 == 0 ? '\t' : (char)('a' + (x >> 20) % 26);
        }
        m = ruru_split_byte(line, n, '\t', got, max);
        for (size_t i = 0; i <= n && k < max; i++)
            if (i == n || line[i] == '\t') {
                want[k++] = ruru_str_make(line + start, i - start);
                start = i + 1;
            }
        if (m != k) {
            bad++;
            continue;
        }
        for (size_t i = 0; i < m; i++)
            bad += got[i].ptr != want[i].ptr || got[i].len != want[i].len;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(ruru_split_byte("", 0, ' ', got, 40), 1);
    CHECK_INT(ruru_split_byte("a b", 3, ' ', got, 0), 0);
}

/* The vector count against a byte-by-byte one, around the 16-byte blocks and past the 255
 * blocks after which its lanes are summed. */
static void test_count_byte(void)
{
    static char buf[16 * 600];
    size_t bad = 0;

    /* every length to 69 and some longer ones, from every start in 40 bytes (the vector
     * paths' ends: a partial block, the last block read again) */
    for (unsigned seed = 1; seed < 300; seed++) {
        size_t n = seed < 200 ? seed % 70 : (seed * 37) % (sizeof(buf) - 64), want = 0;
        unsigned x = seed * 2654435761u;
        for (size_t at = 0; at < 40; at++) {
            want = 0;
            for (size_t i = 0; i < n + 64; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (x >> 16) % 3 == 0 ? ',' : 'a';
                want += i >= at && i < at + n && buf[i] == ',';
            }
            /* with AVX-512 where the CPU has it, and with AVX2 */
            bad += ruru_count_byte(buf + at, n, ',') != want;
            ruru_avx512_off = true;
            bad += ruru_count_byte(buf + at, n, ',') != want;
            ruru_avx512_off = false;
        }
    }
    memset(buf, ',', sizeof(buf));
    bad += ruru_count_byte(buf, sizeof(buf), ',') != sizeof(buf);
    memset(buf, 0, sizeof(buf));
    bad += ruru_count_byte(buf + 1, 100, '\0') != 100; /* a masked load's zeros are not counted */
    CHECK_INT(bad, 0);
}

/* The bytes an iterator finds, walked as lines are (each search from the byte after the last
 * found) and asked from every offset, against memchr: every length to 199 and some longer,
 * from 40 starts, sparse and dense, with the byte sought just past the end (a mask that took
 * it would find it), with and without the vector path. */
static void test_bytes_iter(void)
{
    static char buf[4096 + 128];
    size_t bad = 0;

    for (int wide = 0; wide < 2; wide++) {
        ruru_simd_off = wide == 0;
        for (unsigned seed = 1; seed < 260; seed++) {
            size_t n = seed < 200 ? seed : (seed * 97) % 4096;
            unsigned x = seed * 2654435761u, every = 1 + seed % 90;
            for (size_t at = 0; at < 40; at++) {
                struct ruru_bytes it;
                const char *s = buf + at, *p;
                size_t from = 0;
                for (size_t i = 0; i < n + 80; i++) {
                    x = x * 1103515245u + 12345u;
                    buf[i] = i >= at + n || (x >> 16) % every == 0 ? '\n' : 'a';
                }
                ruru_bytes_init(&it, s, n, '\n');
                do {
                    const char *want = from < n ? memchr(s + from, '\n', n - from) : NULL;
                    p = ruru_bytes_next(&it, from);
                    bad += p != want;
                    from = p != NULL ? (size_t)(p - s) + 1 : n;
                } while (p != NULL);
                for (size_t k = 0; k <= n; k += 1 + k % 7) {
                    size_t q = (k * 31) % (n + 1); /* forwards and back */
                    bad += ruru_bytes_next(&it, q) != (q < n ? memchr(s + q, '\n', n - q) : NULL);
                }
            }
        }
    }
    ruru_simd_off = false;
    CHECK_INT(bad, 0);
}

struct walked {
    char text[2048];
    size_t len;
    const char *root;
};

static int on_file(const char *path, void *ctx)
{
    struct walked *w = ctx;
    w->len += (size_t)snprintf(w->text + w->len, sizeof(w->text) - w->len, "file %s\n",
                               path + strlen(w->root) + 1);
    return 0;
}

static void on_skip(const char *path, const char *why, void *ctx)
{
    struct walked *w = ctx;
    w->len += (size_t)snprintf(w->text + w->len, sizeof(w->text) - w->len, "skip %s: %s\n",
                               path + strlen(w->root) + 1, why);
}

/* A directory walk takes regular files and links to them; it never opens a FIFO, a device, a
 * link to one or to a directory (a walk into /dev/zero or a FIFO would never end), and says
 * what it skipped. */
static void test_walk(void)
{
    char dir[] = "/tmp/ruru-test-walk-XXXXXX", p[256], q[256];
    struct walked w;
    struct ruru_diag d;
    FILE *f;

    CHECK(mkdtemp(dir) != NULL);
    memset(&w, 0, sizeof(w));
    w.root = dir;
#define AT(buf, name) (snprintf(buf, sizeof(buf), "%s/%s", dir, name), buf)
    f = fopen(AT(p, "a.log"), "w");
    fputs("x\n", f);
    fclose(f);
    CHECK(mkdir(AT(p, "sub"), 0700) == 0);
    f = fopen(AT(p, "sub/b.log"), "w");
    fclose(f);
    f = fopen(AT(p, ".hidden"), "w");
    fclose(f);
    CHECK(mkfifo(AT(p, "fifo"), 0600) == 0);
    CHECK(symlink("/dev/zero", AT(p, "zero")) == 0);
    CHECK(symlink(AT(q, "fifo"), AT(p, "to-fifo")) == 0);
    CHECK(symlink(AT(q, "a.log"), AT(p, "to-a")) == 0);
    CHECK(symlink(AT(q, "sub"), AT(p, "to-sub")) == 0);
    CHECK(symlink(AT(q, "nothing"), AT(p, "dangling")) == 0);
    CHECK_INT(ruru_dir_walk_all(dir, on_file, on_skip, &w, &d), RURU_OK);
    CHECK_STR(w.text,
              "skip .hidden: hidden: not walked (name it to import it)\n"
              "file a.log\n"
              "skip dangling: a link to nothing\n"
              "skip fifo: a FIFO, not a regular file\n"
              "file sub/b.log\n"
              "file to-a\n"
              "skip to-fifo: a FIFO, not a regular file\n"
              "skip to-sub: symbolic link to a directory: not followed (name it to import it)\n"
              "skip zero: a device, not a regular file\n");
    {
        static const char *const names[] = {"a.log",   "sub/b.log", ".hidden", "fifo",     "zero",
                                            "to-fifo", "to-a",      "to-sub",  "dangling", "sub"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            CHECK(remove(AT(p, names[i])) == 0);
    }
#undef AT
    CHECK(rmdir(dir) == 0);
}

/* A library loaded when needed: found and its functions resolved, or the reason it is not. */
static void test_dynlib(void)
{
    char why[300];
    void *lib = ruru_dynlib_open("libz.so.1", why, sizeof(why));
    const char *(*version)(void) = NULL;

    CHECK(lib != NULL);
    CHECK(ruru_dynlib_fn(lib, "zlibVersion", &version, sizeof(version), why, sizeof(why)));
    CHECK(version != NULL && version()[0] >= '1');
    CHECK(!ruru_dynlib_fn(lib, "no_such_function", &version, sizeof(version), why, sizeof(why)));
    CHECK_STR(why, "the library has no no_such_function");
    CHECK(ruru_dynlib_open("libruru-no-such.so.7", why, sizeof(why)) == NULL);
    CHECK(strncmp(why, "cannot load libruru-no-such.so.7: ", 34) == 0);
}

/* A table filled once; a library that is not there said each time it is asked for. */
static void test_dynlib_table(void)
{
    static const char *const names[] = {"zlibVersion", "crc32"};
    struct {
        const char *(*zlibVersion)(void);
        unsigned long (*crc32)(unsigned long, const unsigned char *, unsigned);
    } z = {NULL, NULL};
    struct ruru_dynlib ok = {
            .soname = "libz.so.1", .what = "zlib", .names = names, .n = 2, .table = &z};
    struct ruru_dynlib missing = {.soname = "libruru-no-such.so.7",
                                  .what = "a test library",
                                  .names = names,
                                  .n = 2,
                                  .table = &z};
    static const char *const more[] = {"zlibVersion", "no_such_function"};
    struct ruru_dynlib partial = {
            .soname = "libz.so.1", .what = "zlib", .names = more, .n = 2, .table = &z};
    char why[300] = "";

    CHECK(ruru_dynlib_load(&ok, why, sizeof(why)));
    CHECK(z.zlibVersion != NULL && z.crc32 != NULL);
    CHECK_INT(z.crc32(0, (const unsigned char *)"ruru", 4), 0x8f2e8377);
    CHECK(ruru_dynlib_load(&ok, why, sizeof(why)));
    CHECK(!ruru_dynlib_load(&partial, why, sizeof(why)));
    CHECK_STR(why, "zlib: the library has no no_such_function");
    for (int i = 0; i < 2; i++) {
        CHECK(!ruru_dynlib_load(&missing, why, sizeof(why)));
        CHECK(strncmp(why, "a test library: cannot load libruru-no-such.so.7: ", 50) == 0);
    }
}

int main(void)
{
    test_dynlib();
    test_dynlib_table();
    test_split_byte();
    test_count_byte();
    test_bytes_iter();
    test_walk();
    test_buf();
    test_arena();
    test_vec();
    test_map();
    test_time();
    test_str();
    return check_done();
}
