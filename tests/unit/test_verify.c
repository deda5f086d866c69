/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru verify` (ruru_verify): fresh evidence verifies; one changed byte fails, naming the
 * item; a missing or truncated input fails with its reason; compressed inputs are read
 * decoded; every report form (JSON lines, {"sightings"}, an array of incidents) is read; a
 * file that is no report is refused.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"

static char dir[64];

static const char *path_of(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "wb");
    fputs(text, f);
    fclose(f);
}

static void sha_hex(const char *s, size_t n, char out[65])
{
    struct sha256_ctx h;
    unsigned char d[32];

    sha256_init(&h);
    sha256_update(&h, n, (const uint8_t *)s);
    sha256_digest(&h, 32, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A sighting citing bytes [off, off+len) of `text` in input `name`, line `line`. */
static char *sighting(const char *name, const char *text, int line, size_t off, size_t len)
{
    char hex[65];
    json_t *o;
    char *s;

    sha_hex(text + off, len, hex);
    o = json_pack("{s:{s:{s:s}, s:I}, s:{s:I, s:I, s:s}}", "log", "file", "path", path_of(name),
                  "offset", (json_int_t)off, "ruru", "line", (json_int_t)line, "length",
                  (json_int_t)len, "sha256", hex);
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Verifies `report`; the result document (json_decref). */
static json_t *verify(const char *report, enum ruru_err want)
{
    char *out = NULL;
    struct ruru_diag d;
    json_t *doc;

    CHECK_INT(ruru_verify(report, strlen(report), NULL, 0, &out, &d), want);
    if (want != RURU_OK)
        return NULL;
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    return doc;
}

static json_int_t num(json_t *doc, const char *key)
{
    return json_integer_value(json_object_get(doc, key));
}

static const char *failed(json_t *doc, size_t i, const char *key)
{
    json_t *v = json_object_get(json_array_get(json_object_get(doc, "failed"), i), key);
    static char buf[32];
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return buf;
    }
    return json_string_value(v);
}

static const char ZERO[] = "0000000000000000000000000000000000000000000000000000000000000000";

static const char LOG[] = "first line\nsecond line\r\nthird\n";

static void test_plain(void)
{
    char *a = sighting("app.log", LOG, 2, 11, 13), *b = sighting("app.log", LOG, 3, 24, 5);
    char report[4096];
    json_t *doc;

    write_file("app.log", LOG);
    /* JSON lines; the same record cited twice is one item */
    snprintf(report, sizeof(report), "%s\n%s\n%s\n", a, b, a);
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "items"), 2);
    CHECK_INT(num(doc, "verified"), 2);
    json_decref(doc);
    /* --format json's {"sightings": [...]} */
    snprintf(report, sizeof(report), "{\"sightings\": [%s, %s], \"summary\": {}}", a, b);
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "verified"), 2);
    json_decref(doc);
    /* one byte of the second line changed: that item fails, by name */
    write_file("app.log", "first line\nsecond linE\r\nthird\n");
    snprintf(report, sizeof(report), "%s\n%s\n", a, b);
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "verified"), 1);
    CHECK_STR(failed(doc, 0, "path"), path_of("app.log"));
    CHECK_STR(failed(doc, 0, "line"), "2");
    /* nothing of the bytes found is told: no digest of them */
    CHECK_STR(failed(doc, 0, "reason"),
              "the bytes changed: their SHA-256 is not the one the report gives");
    json_decref(doc);
    /* cut short */
    write_file("app.log", "first line\nsecond line\r\nth");
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "verified"), 1);
    CHECK_STR(failed(doc, 0, "line"), "3");
    CHECK_STR(failed(doc, 0, "reason"),
              "the input ends before the cited bytes (5 bytes at offset 24)");
    json_decref(doc);
    /* an offset far past the end is answered without reading toward it */
    {
        json_t *o = json_pack("[{s:{s:{s:s}, s:I}, s:{s:i, s:i, s:s}}]", "log", "file", "path",
                              path_of("app.log"), "offset", (json_int_t)1 << 50, "ruru", "line", 9,
                              "length", 4, "sha256", ZERO);
        char *t = json_dumps(o, JSON_COMPACT);
        json_t *r = verify(t, RURU_OK);
        CHECK_STR(failed(r, 0, "reason"),
                  "the input ends before the cited bytes (4 bytes at offset 1125899906842624)");
        json_decref(r);
        free(t);
        json_decref(o);
    }
    /* gone */
    unlink(path_of("app.log"));
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "verified"), 0);
    CHECK_INT(json_array_size(json_object_get(doc, "failed")), 2);
    CHECK_STR(failed(doc, 0, "reason"), "cannot open: no such file");
    json_decref(doc);
    /* a device or standard input is not read */
    {
        json_t *o = json_pack("[{s:{s:{s:s}, s:i}, s:{s:i, s:i, s:s}}, {s:{s:{s:s}, s:i}, "
                              "s:{s:i, s:i, s:s}}]",
                              "log", "file", "path", "/dev/zero", "offset", 1 << 30, "ruru", "line",
                              1, "length", 10, "sha256", ZERO, "log", "file", "path", "-", "offset",
                              0, "ruru", "line", 1, "length", 1, "sha256", ZERO);
        char *t = json_dumps(o, JSON_COMPACT);
        doc = verify(t, RURU_OK);
        CHECK_INT(num(doc, "verified"), 0);
        CHECK_STR(failed(doc, 0, "reason"), "not a regular file");        /* /dev/zero */
        CHECK_STR(failed(doc, 1, "reason"), "cannot open: no such file"); /* "-" is a name */
        json_decref(doc);
        free(t);
        json_decref(o);
    }
    free(a);
    free(b);
}

static void test_gzip_and_incidents(void)
{
    gzFile g = gzopen(path_of("app.log.gz"), "wb");
    char hex[65], report[4096];
    json_t *inc, *doc;
    char *s;

    gzwrite(g, LOG, (unsigned)strlen(LOG));
    gzclose(g);
    sha_hex(LOG + 11, 13, hex);
    /* an incident's cites, offsets in the decoded bytes */
    inc = json_pack("[{s:s, s:[{s:[{s:s, s:i, s:i, s:i, s:s}]}]}]", "id", "ruru-incident--1",
                    "evidence", "cites", "path", path_of("app.log.gz"), "line", 2, "offset", 11,
                    "length", 13, "sha256", hex);
    s = json_dumps(inc, JSON_COMPACT);
    doc = verify(s, RURU_OK);
    CHECK_INT(num(doc, "items"), 1);
    CHECK_INT(num(doc, "verified"), 1);
    json_decref(doc);
    free(s);
    json_decref(inc);
    /* no report at all */
    snprintf(report, sizeof(report), "this is not json\n");
    CHECK(verify(report, RURU_EPARSE) == NULL);
}

/* A cite that is not well formed makes the report malformed, naming the document and key. */
static void check_malformed(const char *report, const char *msg)
{
    char *out = NULL;
    struct ruru_diag d;

    CHECK_INT(ruru_verify(report, strlen(report), NULL, 0, &out, &d), RURU_EPARSE);
    CHECK(out == NULL);
    CHECK_STR(d.msg, msg);
}

static void test_malformed(void)
{
    char r[1024];
    const char *p = path_of("app.log");

    write_file("app.log", LOG);
    snprintf(r, sizeof(r),
             "{\"log\":{\"file\":{\"path\":\"%s\"},\"offset\":-1},"
             "\"ruru\":{\"line\":2,\"length\":13,\"sha256\":\"%s\"}}",
             p, ZERO);
    check_malformed(r, "malformed report: document 1: \"log.offset\" is not a whole number from 0");
    snprintf(r, sizeof(r),
             "{\"log\":{\"file\":{\"path\":\"%s\"},\"offset\":1.5},"
             "\"ruru\":{\"line\":2,\"length\":13,\"sha256\":\"%s\"}}",
             p, ZERO);
    check_malformed(r, "malformed report: document 1: \"log.offset\" is not a whole number from 0");
    snprintf(r, sizeof(r),
             "{\"log\":{\"file\":{\"path\":\"%s\"},\"offset\":11},"
             "\"ruru\":{\"line\":2,\"length\":\"13\",\"sha256\":\"%s\"}}",
             p, ZERO);
    check_malformed(r,
                    "malformed report: document 1: \"ruru.length\" is not a whole number from 0");
    snprintf(r, sizeof(r),
             "[{}, {\"log\":{\"file\":{\"path\":7},\"offset\":11},"
             "\"ruru\":{\"line\":2,\"length\":13,\"sha256\":\"%s\"}}]",
             ZERO);
    check_malformed(r, "malformed report: document 2: \"log.file.path\" is not a path");
    snprintf(r, sizeof(r),
             "{\"log\":{\"file\":{\"path\":\"%s\"},\"offset\":11},"
             "\"ruru\":{\"line\":2,\"length\":13,\"sha256\":\"00\"}}",
             p);
    check_malformed(r, "malformed report: document 1: \"ruru.sha256\" is not a SHA-256 in 64 "
                       "lower-case hex digits");
    snprintf(r, sizeof(r),
             "{\"log\":{\"file\":{\"path\":\"%s\"},\"offset\":11},"
             "\"ruru\":{\"line\":0,\"length\":13,\"sha256\":\"%s\"}}",
             p, ZERO);
    check_malformed(r, "malformed report: document 1: \"ruru.line\" is not a line number (a "
                       "whole number from 1)");
    check_malformed("[1]", "malformed report: document 1 is not an object");
    check_malformed("[{\"evidence\": 3}]",
                    "malformed report: document 1: \"evidence\" is not a list");
    /* an incident's cite names its keys plainly */
    snprintf(r, sizeof(r),
             "[{\"evidence\":[{\"cites\":[{\"path\":\"%s\",\"line\":2,\"offset\":11,"
             "\"length\":-13,\"sha256\":\"%s\"}]}]}]",
             p, ZERO);
    check_malformed(r, "malformed report: document 1: \"length\" is not a whole number from 0");
}

/* With --root, an input outside the roots is not read, and nothing is told about it; links
 * out of a root are followed to where they lead. */
static void test_roots(void)
{
    char *a = sighting("app.log", LOG, 2, 11, 13), sub[100], link[200], *out = NULL;
    const char *roots[1];
    struct ruru_diag d;
    json_t *doc;

    write_file("app.log", LOG);
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    CHECK(mkdir(sub, 0700) == 0);
    /* the input lies in the root */
    roots[0] = dir;
    CHECK_INT(ruru_verify(a, strlen(a), roots, 1, &out, &d), RURU_OK);
    doc = json_loads(out, 0, NULL);
    CHECK_INT(num(doc, "verified"), 1);
    json_decref(doc);
    ruru_free(out);
    /* it does not */
    roots[0] = sub;
    CHECK_INT(ruru_verify(a, strlen(a), roots, 1, &out, &d), RURU_OK);
    doc = json_loads(out, 0, NULL);
    CHECK_INT(num(doc, "verified"), 0);
    CHECK_STR(failed(doc, 0, "reason"), "outside the trees given with --root: not read");
    json_decref(doc);
    ruru_free(out);
    free(a);
    /* a link inside the root that leads out of it */
    snprintf(link, sizeof(link), "%s/escape.log", sub);
    CHECK(symlink(path_of("app.log"), link) == 0);
    a = sighting("sub/escape.log", LOG, 2, 11, 13);
    CHECK_INT(ruru_verify(a, strlen(a), roots, 1, &out, &d), RURU_OK);
    doc = json_loads(out, 0, NULL);
    CHECK_STR(failed(doc, 0, "reason"), "outside the trees given with --root: not read");
    json_decref(doc);
    ruru_free(out);
    /* a missing file outside the roots is not told apart from a present one */
    free(a);
    a = sighting("nothing-here.log", LOG, 2, 11, 13);
    CHECK_INT(ruru_verify(a, strlen(a), roots, 1, &out, &d), RURU_OK);
    doc = json_loads(out, 0, NULL);
    CHECK_STR(failed(doc, 0, "reason"), "outside the trees given with --root: not read");
    json_decref(doc);
    ruru_free(out);
    /* a root that is no directory */
    roots[0] = path_of("app.log");
    CHECK_INT(ruru_verify(a, strlen(a), roots, 1, &out, &d), RURU_EINVAL);
    CHECK_STR(d.msg, "not a directory");
    free(a);
    unlink(link);
    rmdir(sub);
}

/* A sighting `ruru stream` made from a Kafka message: not re-readable from a file, neither
 * verified nor failed, with its kept line checked against its hash (a kept line edited after
 * the fact "differs"; one cut short is "not kept whole"); a file's sighting beside it is
 * verified as ever. */
static void test_kafka(void)
{
    static const char LINE[] = "203.0.113.45 - - [12/Jul/2024:09:02:13 +1200] \"GET / HTTP/1.1\"";
    char hex[65], *file_sighting, *report;
    json_t *doc, *k, *items[3];
    const char *kept[3] = {LINE, "203.0.113.46 - - edited", NULL};

    sha_hex(LINE, strlen(LINE), hex);
    for (int i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof(path), "kafka:web-logs/%d/%d", i, 100 + i);
        items[i] =
                json_pack("{s:{s:{s:s}, s:I}, s:{s:I, s:I, s:s}, s:{s:s?}}", "log", "file", "path",
                          path, "offset", (json_int_t)0, "ruru", "line", (json_int_t)1, "length",
                          (json_int_t)strlen(LINE), "sha256", hex, "event", "original", kept[i]);
    }
    write_file("k.log", LOG);
    file_sighting = sighting("k.log", LOG, 2, 11, 11);
    {
        char *a = json_dumps(items[0], JSON_COMPACT), *b = json_dumps(items[1], JSON_COMPACT),
             *c = json_dumps(items[2], JSON_COMPACT);
        size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(file_sighting) + 8;
        report = malloc(n);
        snprintf(report, n, "%s\n%s\n%s\n%s\n", a, b, c, file_sighting);
        free(a);
        free(b);
        free(c);
    }
    doc = verify(report, RURU_OK);
    CHECK_INT(num(doc, "items"), 4);
    CHECK_INT(num(doc, "verified"), 1);
    CHECK_INT(json_array_size(json_object_get(doc, "failed")), 0);
    k = json_object_get(doc, "not_rereadable");
    CHECK_INT(json_array_size(k), 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(k, 0), "path")),
              "kafka:web-logs/0/100");
    CHECK_STR(json_string_value(json_object_get(json_array_get(k, 0), "kept_line")), "matches");
    CHECK_STR(json_string_value(json_object_get(json_array_get(k, 1), "kept_line")), "differs");
    CHECK_STR(json_string_value(json_object_get(json_array_get(k, 2), "kept_line")),
              "not kept whole");
    CHECK_STR(json_string_value(json_object_get(json_array_get(k, 0), "reason")),
              "a Kafka record: it cannot be read again from a file");
    json_decref(doc);
    for (int i = 0; i < 3; i++)
        json_decref(items[i]);
    free(report);
    free(file_sighting);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-verify-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    test_plain();
    test_gzip_and_incidents();
    test_malformed();
    test_roots();
    test_kafka();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
