/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gzip as the sweep reads it (io/gunzip.h, io/stream.h): members one after another, with every
 * optional header field, stored, fixed and dynamic blocks and an empty member, fed in pieces
 * of any size into buffers of any size, give zlib's bytes; a stream cut anywhere is truncated
 * at the byte where it ends, after a prefix of the data; a corrupt one names the byte, the
 * member and what was decoded before. Through a stream, decoding ahead on a thread gives the
 * same bytes and the same errors as decoding on the reader's thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "io/gunzip.h"
#include "io/stream.h"
#include "scratch.h"

/* Log-like lines, the same every run. OUT: the text (malloc'd), n bytes of it. */
static char *text(size_t n, unsigned seed)
{
    char *p = malloc(n + 1);
    size_t k = 0;
    unsigned x = seed;

    while (k < n) {
        char line[160];
        int len;
        x = x * 1103515245u + 12345u;
        len = snprintf(line, sizeof(line),
                       "10.%u.%u.%u - - [10/Oct/2024:13:%02u:%02u +0000] \"GET /p/%u HTTP/1.1\" "
                       "200 %u\n",
                       x >> 24, (x >> 16) & 255, (x >> 8) & 255, (x >> 4) % 60, x % 60, x % 1000,
                       x % 70000);
        if ((size_t)len > n - k)
            len = (int)(n - k);
        memcpy(p + k, line, (size_t)len);
        k += (size_t)len;
    }
    p[n] = '\0';
    return p;
}

/* The header fields of a member beyond the fixed ten bytes. */
enum { WITH_EXTRA = 1, WITH_NAME = 2, WITH_COMMENT = 4, WITH_HCRC = 8 };

/* Appends one gzip member of data[0..len) to out (at *out_len), deflated at `level` with
 * `strategy` and the header fields `with` says. */
static void member(unsigned char *out,
                   size_t *out_len,
                   const char *data,
                   size_t len,
                   int level,
                   int strategy,
                   unsigned with)
{
    unsigned char *p = out + *out_len, *h = p;
    uLong crc = crc32(0, (const Bytef *)data, (uInt)len);
    z_stream zs;

    *p++ = 0x1f;
    *p++ = 0x8b;
    *p++ = 8;
    *p++ = (unsigned char)((with & WITH_HCRC ? 0x02 : 0) | (with & WITH_EXTRA ? 0x04 : 0) |
                           (with & WITH_NAME ? 0x08 : 0) | (with & WITH_COMMENT ? 0x10 : 0));
    memcpy(p, "\x01\x02\x03\x04\x00\x03", 6); /* MTIME, XFL, OS */
    p += 6;
    if (with & WITH_EXTRA) {
        *p++ = 5;
        *p++ = 0;
        memcpy(p, "ab\0cd", 5); /* a NUL inside: the extra field is counted, not ended */
        p += 5;
    }
    if (with & WITH_NAME) {
        memcpy(p, "access.log", 11);
        p += 11;
    }
    if (with & WITH_COMMENT) {
        memcpy(p, "rotated", 8);
        p += 8;
    }
    if (with & WITH_HCRC) {
        uLong hc = crc32(0, h, (uInt)(p - h));
        *p++ = (unsigned char)(hc & 255);
        *p++ = (unsigned char)(hc >> 8 & 255);
    }
    memset(&zs, 0, sizeof(zs));
    CHECK_INT(deflateInit2(&zs, level, Z_DEFLATED, -15, 8, strategy), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = p;
    zs.avail_out = (uInt)(len + len / 8 + 1024);
    CHECK_INT(deflate(&zs, Z_FINISH), Z_STREAM_END);
    p = zs.next_out;
    deflateEnd(&zs);
    for (int i = 0; i < 4; i++)
        *p++ = (unsigned char)(crc >> (8 * i) & 255);
    for (int i = 0; i < 4; i++)
        *p++ = (unsigned char)(len >> (8 * i) & 255);
    *out_len = (size_t)(p - out);
}

/* What zlib makes of a gzip stream: every member, inflateReset between them. OUT: the bytes
 * (malloc'd), *n of them; true when it ended between members. */
static bool zlib_gunzip(const unsigned char *in, size_t len, char **out, size_t *n)
{
    size_t cap = 1 << 20;
    z_stream zs;
    int zr = Z_OK;

    *out = malloc(cap);
    *n = 0;
    memset(&zs, 0, sizeof(zs));
    inflateInit2(&zs, 15 + 16);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    for (;;) {
        if (*n == cap)
            *out = realloc(*out, cap *= 2);
        zs.next_out = (Bytef *)*out + *n;
        zs.avail_out = (uInt)(cap - *n);
        zr = inflate(&zs, Z_NO_FLUSH);
        *n = cap - zs.avail_out;
        if (zr == Z_STREAM_END && zs.avail_in > 0) {
            inflateReset(&zs);
            continue;
        }
        if (zr != Z_OK || (zs.avail_in == 0 && zs.avail_out > 0))
            break;
    }
    inflateEnd(&zs);
    return zr == Z_STREAM_END;
}

/* Decodes in[0..len) with the decoder, fed `step` bytes at a time into buffers of `cap`.
 * OUT: the bytes (malloc'd), *n of them, and the decoder (the caller destroys it). True when
 * no fault was found. */
static bool decode(const unsigned char *in,
                   size_t len,
                   size_t step,
                   size_t cap,
                   char **out,
                   size_t *n,
                   struct ruru_gunzip **gout)
{
    struct ruru_gunzip *g = ruru_gunzip_create();
    size_t pos = 0, room = len + (1 << 20);
    bool ok = true;

    *out = malloc(room);
    *n = 0;
    CHECK(g != NULL);
    while (ok) {
        size_t take = len - pos < step ? len - pos : step, used = 0, got = 0;
        if (*n + cap > room)
            *out = realloc(*out, room = 2 * room + cap);
        ok = ruru_gunzip_run(g, in + pos, take, &used, (unsigned char *)*out + *n, cap, &got);
        pos += used;
        *n += got;
        CHECK(used <= take && got <= cap);
        if (take == 0 && got == 0)
            break; /* the end, drained */
        if (ok && used == 0 && got == 0) {
            CHECK(!"the decoder took nothing and gave nothing");
            break;
        }
    }
    *gout = g;
    return ok;
}

static const char *fail_text(const struct ruru_gunzip *g)
{
    static struct ruru_diag d;

    CHECK_INT(ruru_gunzip_fail(g, "x.gz", &d), RURU_ECORRUPT);
    CHECK_STR(d.source, "x.gz");
    return d.msg;
}

/* Four members (dynamic, stored with a name, empty with every field, fixed with every field)
 * and a fifth of 3 MB: the bytes zlib gives, however the input and output are cut. */
static void test_members(void)
{
    size_t n1 = 300000, n5 = 3u << 20, len = 0, end4, n, zn;
    char *a = text(n1, 1), *b = text(n5, 2), *want = malloc(2 * n1 + n5), *out, *zout;
    unsigned char *gz = malloc(3 * (2 * n1 + n5) + 4096);
    static const size_t steps[] = {1, 7, 4096, SIZE_MAX};
    static const size_t caps[] = {1, 3, 65536, 4u << 20};
    struct ruru_gunzip *g;

    member(gz, &len, a, n1, 6, Z_DEFAULT_STRATEGY, 0);
    member(gz, &len, a, n1 / 3, 0, Z_DEFAULT_STRATEGY, WITH_NAME);
    member(gz, &len, a, 0, 6, Z_DEFAULT_STRATEGY,
           WITH_EXTRA | WITH_NAME | WITH_COMMENT | WITH_HCRC);
    member(gz, &len, a + n1 / 3, n1 - n1 / 3, 9, Z_FIXED,
           WITH_EXTRA | WITH_NAME | WITH_COMMENT | WITH_HCRC);
    end4 = len;
    member(gz, &len, b, n5, 1, Z_DEFAULT_STRATEGY, WITH_EXTRA);
    memcpy(want, a, n1);
    memcpy(want + n1, a, n1);
    memcpy(want + 2 * n1, b, n5);
    CHECK(zlib_gunzip(gz, len, &zout, &zn));
    CHECK(zn == 2 * n1 + n5 && memcmp(zout, want, zn) == 0);
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
            /* a byte at a time, or into one byte: over the four small members only (time) */
            bool small = steps[i] < 16 || caps[k] < 16;
            size_t upto = small ? end4 : len, want_n = small ? 2 * n1 : zn;
            if (steps[i] < 16 && caps[k] < 16)
                continue;
            CHECK(decode(gz, upto, steps[i], caps[k], &out, &n, &g));
            CHECK(ruru_gunzip_complete(g));
            CHECK(n == want_n && memcmp(out, zout, n) == 0);
            ruru_gunzip_destroy(g);
            free(out);
        }
    free(a);
    free(b);
    free(want);
    free(zout);
    free(gz);
}

/* Two members cut at every byte: truncated where the input ends (complete only at the end of
 * the first member), after a prefix of the data. */
static void test_truncated(void)
{
    char *a = text(3000, 3), *out;
    unsigned char gz[8192];
    size_t len = 0, end1, n;
    struct ruru_gunzip *g;
    char want[160];

    member(gz, &len, a, 1500, 6, Z_DEFAULT_STRATEGY, WITH_NAME);
    end1 = len;
    member(gz, &len, a + 1500, 1500, 9, Z_DEFAULT_STRATEGY, WITH_HCRC | WITH_COMMENT);
    for (size_t cut = 1; cut < len; cut++) {
        CHECK(decode(gz, cut, cut % 2 ? 5 : SIZE_MAX, 1000, &out, &n, &g));
        CHECK(n <= 3000 && memcmp(out, a, n) == 0);
        if (cut == end1) {
            CHECK(ruru_gunzip_complete(g));
            CHECK_INT(n, 1500);
        } else {
            CHECK(!ruru_gunzip_complete(g));
            snprintf(want, sizeof(want),
                     "truncated gzip data at compressed byte %zu (member %d, after %zu decoded "
                     "bytes)",
                     cut, cut < end1 ? 1 : 2, n);
            CHECK_STR(fail_text(g), want);
        }
        ruru_gunzip_destroy(g);
        free(out);
    }
    /* nothing at all is no gzip stream either */
    CHECK(decode(gz, 0, 1, 1, &out, &n, &g));
    CHECK(!ruru_gunzip_complete(g));
    ruru_gunzip_destroy(g);
    free(out);
    free(a);
}

/* Corrupt members: what is wrong, at which compressed byte, after how much data. */
static void test_corrupt(void)
{
    char *a = text(20000, 4), *out;
    unsigned char good[16384], gz[16384 + 16];
    size_t len = 0, n;
    struct ruru_gunzip *g;
    char want[200];
    struct {
        const char *what;
        size_t at;          /* byte changed (SIZE_MAX: bytes appended) */
        unsigned char xor_; /* changed by */
        size_t fault_at;    /* expected position (SIZE_MAX: not checked) */
        size_t decoded;     /* expected decoded bytes (SIZE_MAX: not checked) */
        const char *reason;
    } cases[] = {
            {"method", 2, 8 ^ 7, 2, 0, "unknown compression method"},
            {"reserved flag", 3, 0x20, 3, 0, "unknown header flags set"},
            {"magic", 1, 1, 1, 0, "not a gzip member"},
            {"header crc", 0, 0, 0, 0, "header crc mismatch"},    /* filled below */
            {"data crc", 0, 1, 0, 20000, "incorrect data check"}, /* at the trailer */
            {"length", 0, 1, 0, 20000, "incorrect data check"},
            {"garbage after", SIZE_MAX, 0, 0, 20000, "not a gzip member"},
            {"block type 3", 10, 0, 10, 0, "invalid block"},
    };
    size_t hcrc_at;

    member(good, &len, a, 20000, 6, Z_DEFAULT_STRATEGY, WITH_HCRC);
    hcrc_at = 11; /* the second byte of the header's CRC-16, after the ten fixed bytes */
    cases[3].at = hcrc_at;
    cases[3].xor_ = 0x40;
    cases[3].fault_at = hcrc_at;
    cases[4].at = cases[4].fault_at = len - 8;
    cases[5].at = len - 4;
    cases[5].fault_at = len - 8;
    cases[6].fault_at = len;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t glen = len;
        memcpy(gz, good, len);
        if (cases[i].at == SIZE_MAX) {
            memcpy(gz + len, "\0\0\0\0", 4); /* trailing zeros, as some tape tools pad */
            glen += 4;
        } else if (i == 7) {
            gz[12] = 0x07; /* BFINAL, BTYPE 11: reserved (after the header and its CRC) */
            cases[i].fault_at = 12;
        } else {
            gz[cases[i].at] ^= cases[i].xor_;
        }
        for (size_t step = 1; step <= glen; step = step * 13 + 1) {
            CHECK(!decode(gz, glen, step, 4096, &out, &n, &g));
            CHECK(memcmp(out, a, n) == 0);
            if (cases[i].decoded != SIZE_MAX)
                CHECK_INT(n, cases[i].decoded);
            if (cases[i].fault_at != SIZE_MAX) {
                snprintf(want, sizeof(want),
                         "corrupt gzip data at compressed byte %zu (member 1, after %zu decoded "
                         "bytes): %s",
                         cases[i].fault_at, n, cases[i].reason);
                CHECK_STR(fail_text(g), want);
            } else {
                CHECK(strncmp(fail_text(g), "corrupt gzip data at compressed byte ", 37) == 0);
                CHECK(strstr(fail_text(g), cases[i].reason) != NULL);
            }
            {
                /* a decoder at fault stays so */
                size_t used = 1, got = 1;
                CHECK(!ruru_gunzip_run(g, gz, glen, &used, (unsigned char *)out, 1, &got));
                CHECK(used == 0 && got == 0);
            }
            ruru_gunzip_destroy(g);
            free(out);
        }
    }
    ruru_gunzip_destroy(NULL);
    free(a);
}

/* Reads a stream to its end or error, in reads of varying size. OUT: the bytes (malloc'd), *n
 * of them, and the error's text, "SOURCE: MESSAGE" ("" at a clean end). */
static enum ruru_err
read_all(struct ruru_stream *s, size_t cap, char **out, size_t *n, char msg[600])
{
    struct ruru_diag d;
    size_t room = 1 << 20, got = 0, turn = 0;
    enum ruru_err err;

    *out = malloc(room);
    *n = 0;
    msg[0] = '\0';
    do {
        size_t want = cap + turn++ % 3 * 1000;
        if (*n + want > room)
            *out = realloc(*out, room = 2 * room + want);
        err = ruru_stream_read(s, *out + *n, want, &got, &d);
        *n += got;
    } while (err == RURU_OK && got > 0);
    if (err != RURU_OK)
        snprintf(msg, 600, "%s: %s", d.source, d.msg);
    return err;
}

/* A file of several members (20 MB: the decoding thread's blocks go round several times) read
 * through a stream with and without decoding ahead, from a file and from memory; cut short,
 * and corrupt; and zstd cut short: the same bytes, the same errors. */
static void test_stream(void)
{
    size_t n1 = 12u << 20, n2 = 8u << 20, len = 0, zlen;
    char *a = text(n1, 5), *b = text(n2, 6), *want = malloc(n1 + n2);
    unsigned char *gz = malloc(n1 + n2), *zst;
    struct {
        const char *name;
        size_t len;
        const char *error; /* the start of the error, or NULL */
    } files[] = {
            {"ok.gz", 0, NULL},
            {"cut.gz", 0, "truncated gzip data at compressed byte "},
            {"bad.gz", 0, "corrupt gzip data at compressed byte "},
            {"cut.zst", 0, "truncated zstd data at compressed byte "},
            {"bad.zst", 0, "corrupt zstd data at compressed byte "},
    };

    memcpy(want, a, n1);
    memcpy(want + n1, b, n2);
    member(gz, &len, a, n1, 6, Z_DEFAULT_STRATEGY, WITH_NAME);
    member(gz, &len, b, n2, 6, Z_DEFAULT_STRATEGY, 0);
    files[0].len = len;
    write_file("ok.gz", gz, len);
    files[1].len = len - len / 3;
    write_file("cut.gz", gz, files[1].len);
    files[2].len = len;
    gz[len / 2] ^= 0x55;
    write_file("bad.gz", gz, len);
    gz[len / 2] ^= 0x55;
    zst = malloc(ZSTD_compressBound(n1 + n2));
    {
        /* with a checksum, so that a corrupt block is always found */
        ZSTD_CCtx *cc = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
        zlen = ZSTD_compress2(cc, zst, ZSTD_compressBound(n1 + n2), want, n1 + n2);
        ZSTD_freeCCtx(cc);
    }
    files[3].len = zlen - 100;
    write_file("cut.zst", zst, files[3].len);
    files[4].len = zlen;
    zst[zlen / 2] ^= 0x55;
    write_file("bad.zst", zst, zlen);
    zst[zlen / 2] ^= 0x55;
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char *out[3];
        size_t n[3];
        char msg[3][600];
        enum ruru_err err[3];
        for (int how = 0; how < 3; how++) {
            /* 0: the reader decodes; 1: a thread decodes ahead; 2: from memory */
            struct ruru_stream *s = NULL;
            struct ruru_diag d;
            if (how < 2) {
                CHECK_INT(ruru_stream_open(path_of(files[f].name), &s, &d), RURU_OK);
            } else {
                const void *src = f >= 3 ? (const void *)zst : (const void *)gz;
                if (f == 2)
                    gz[len / 2] ^= 0x55;
                if (f == 4)
                    zst[zlen / 2] ^= 0x55;
                CHECK_INT(ruru_stream_open_mem(path_of(files[f].name), src, files[f].len, &s, &d),
                          RURU_OK);
            }
            CHECK_INT(ruru_stream_compression(s), f >= 3 ? RURU_COMP_ZSTD : RURU_COMP_GZIP);
            if (how == 1)
                CHECK(ruru_stream_decode_ahead(s));
            err[how] = read_all(s, 100000 + 77 * (size_t)how, &out[how], &n[how], msg[how]);
            ruru_stream_close(s);
            if (how == 2 && f == 2)
                gz[len / 2] ^= 0x55;
            if (how == 2 && f == 4)
                zst[zlen / 2] ^= 0x55;
        }
        for (int how = 0; how < 3; how++) {
            /* (a corrupt member decodes to wrong bytes until its check says so) */
            CHECK(n[how] <= n1 + n2 && (f == 2 || f == 4 || memcmp(out[how], want, n[how]) == 0));
            CHECK(memcmp(out[how], out[0], n[how] < n[0] ? n[how] : n[0]) == 0);
            if (files[f].error == NULL) {
                CHECK_INT(err[how], RURU_OK);
                CHECK_INT(n[how], n1 + n2);
            } else {
                CHECK_INT(err[how], RURU_ECORRUPT);
                CHECK(strstr(msg[how], files[f].error) != NULL);
                CHECK(strstr(msg[how], files[f].name) != NULL);
            }
            /* the same bytes and the same error, with or without a thread (and from memory,
             * but for corrupt data: what ISA-L and libzstd give just before a fault depends on
             * the room they have, which a file's blocks fix and a memory input's reads do not) */
            if ((f == 2 || f == 4) && how == 2)
                continue;
            CHECK_INT(n[how], n[0]);
            CHECK_STR(msg[how], msg[0]);
        }
        for (int how = 0; how < 3; how++)
            free(out[how]);
    }
    {
        /* closed while the decoding thread waits for room: it stops */
        struct ruru_stream *s = NULL;
        struct ruru_diag d;
        char buf[4096];
        size_t got = 0;
        CHECK_INT(ruru_stream_open(path_of("ok.gz"), &s, &d), RURU_OK);
        CHECK(ruru_stream_decode_ahead(s));
        CHECK(!ruru_stream_decode_ahead(s)); /* once */
        CHECK_INT(ruru_stream_read(s, buf, sizeof(buf), &got, &d), RURU_OK);
        CHECK(got == sizeof(buf) && memcmp(buf, want, got) == 0);
        usleep(100000);
        CHECK(ruru_stream_raw_bytes(s) > 0);
        ruru_stream_close(s);
    }
    {
        /* a plain file is not decoded ahead: it is read straight into the caller's buffer */
        struct ruru_stream *s = NULL;
        struct ruru_diag d;
        write_file("plain.log", a, 1000);
        CHECK_INT(ruru_stream_open(path_of("plain.log"), &s, &d), RURU_OK);
        CHECK(!ruru_stream_decode_ahead(s));
        ruru_stream_close(s);
    }
    free(a);
    free(b);
    free(want);
    free(gz);
    free(zst);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-gunzip-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    test_members();
    test_truncated();
    test_corrupt();
    test_stream();
    {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
