/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compressed inputs through the whole sweep, with ruru's own rules on: a directory of gzip
 * (several members cut mid-line, a W3C log whose header changes, JSON lines), zstd, a gzip
 * file cut short and a corrupt one, swept with 1, 2 and 3 threads (with several threads the
 * inputs are decoded ahead, each on a thread of its own), must give the same sightings, the
 * same errors and the same summary, byte for byte; the sightings of a gzip log are those of
 * the same log uncompressed; a cut input is said with the compressed byte where it ends and
 * what was decoded before it, and what was decoded is still swept.
 */
#include <jansson.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "scratch.h"

struct got {
    char *text; /* every sighting, one per line, in the order reported */
    size_t len, cap;
    json_t *summary; /* without "threads" */
    char errors[4][600];
    int n_errors;
};

static void add(struct got *g, const char *s)
{
    size_t n = strlen(s);

    if (g->len + n + 2 > g->cap) {
        g->cap = 2 * (g->len + n + 2);
        g->text = realloc(g->text, g->cap);
    }
    memcpy(g->text + g->len, s, n);
    g->len += n;
    g->text[g->len++] = '\n';
    g->text[g->len] = '\0';
}

static int on_sighting(void *ctx, const char *json)
{
    add(ctx, json);
    return 0;
}

/* Errors are said when the reader meets them, which with several threads may be before the
 * sightings of the chunks still in flight: they are kept apart. */
static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct got *g = ctx;

    if (g->n_errors < 4)
        snprintf(g->errors[g->n_errors++], sizeof(g->errors[0]), "error %d %s: %s", (int)err,
                 d->source ? d->source : "-", d->msg);
}

/* data[0..len) as gzip members cut at the given offsets (none: one member), at `level`. */
static void write_gzip(const char *name,
                       const char *data,
                       size_t len,
                       const size_t *cuts,
                       size_t n_cuts,
                       int level)
{
    unsigned char *out = malloc(len + len / 4 + 1024 * (n_cuts + 1));
    size_t n = 0, from = 0;

    for (size_t i = 0; i <= n_cuts; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        CHECK_INT(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        zs.next_in = (Bytef *)(uintptr_t)(data + from);
        zs.avail_in = (uInt)(to - from);
        zs.next_out = out + n;
        zs.avail_out = (uInt)(to - from + (to - from) / 4 + 1024);
        CHECK_INT(deflate(&zs, Z_FINISH), Z_STREAM_END);
        n += zs.total_out;
        deflateEnd(&zs);
        from = to;
    }
    write_file(name, out, n);
    free(out);
}

static size_t size_of(const char *name)
{
    struct stat st;

    return stat(path_of(name), &st) == 0 ? (size_t)st.st_size : 0;
}

/* An Apache log of `lines` lines, an intel address every 4,999th, a web shell's path every
 * 7,919th (ruru's own rules). OUT: its length. */
static char *apache_log(size_t lines, size_t *len)
{
    size_t cap = lines * 160, n = 0;
    char *p = malloc(cap);

    for (size_t i = 1; i <= lines; i++)
        n += (size_t)snprintf(
                p + n, cap - n,
                "%s - - [10/Oct/2024:13:%02zu:%02zu +0000] \"GET %s HTTP/1.1\" 200 %zu \"-\" "
                "\"Mozilla/5.0\"\n",
                i % 4999 == 0 ? "203.0.113.7" : "10.1.2.3", i / 60 % 60, i % 60,
                i % 7919 == 0 ? "/owa/auth/shell.aspx?cmd=whoami" : "/index.html", i % 9000);
    *len = n;
    return p;
}

static void
sweep(ruru_store *s, const char *const *paths, size_t n, unsigned threads, struct got *g)
{
    struct ruru_scan_opts o;
    struct ruru_diag d;
    char *summary = NULL;

    memset(&o, 0, sizeof(o));
    memset(g, 0, sizeof(*g));
    o.threads = threads;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.ctx = g;
    ruru_scan(s, paths, n, &o, &summary, &d);
    g->summary = summary ? json_loads(summary, 0, NULL) : NULL;
    CHECK(g->summary != NULL);
    json_object_del(json_object_get(g->summary, "scan"), "threads");
    ruru_free(summary);
    if (g->text == NULL)
        add(g, "");
}

static void got_free(struct got *g)
{
    free(g->text);
    json_decref(g->summary);
}

static json_t *input_named(json_t *summary, const char *name)
{
    size_t i;
    json_t *in;

    json_array_foreach(json_object_get(summary, "inputs"), i, in)
    {
        const char *p = json_string_value(json_object_get(in, "path"));
        if (p != NULL && strlen(p) >= strlen(name) &&
            strcmp(p + strlen(p) - strlen(name), name) == 0)
            return in;
    }
    return NULL;
}

/* "line offset length sha256 indicator-or-rule" of every sighting of `text` (malloc'd). */
static char *cites(const char *text)
{
    size_t cap = 1 << 16, k = 0;
    char *buf = malloc(cap);
    const char *p = text;

    buf[0] = '\0';
    while (*p == '{') {
        const char *nl = strchr(p, '\n');
        json_t *x = json_loadb(p, (size_t)(nl - p), 0, NULL), *r = json_object_get(x, "ruru");
        json_t *ind = json_object_get(r, "indicator"), *rule = json_object_get(r, "rule");
        if (k + 512 > cap)
            buf = realloc(buf, cap *= 2);
        k += (size_t)snprintf(
                buf + k, cap - k, "%lld %lld %lld %s %s\n",
                (long long)json_integer_value(json_object_get(r, "line")),
                (long long)json_integer_value(json_object_get(json_object_get(x, "log"), "offset")),
                (long long)json_integer_value(json_object_get(r, "length")),
                json_string_value(json_object_get(r, "sha256")),
                ind ? json_string_value(json_object_get(ind, "value"))
                    : json_string_value(json_object_get(rule, "id")));
        json_decref(x);
        p = nl + 1;
    }
    return buf;
}

static void test_compressed_sweep(void)
{
    static const char intel[] = "type,value,actor,confidence,valid_from,valid_until,description\n"
                                "ip,203.0.113.7,APT40,80,,,an address\n"
                                "domain,evil.example,,70,,,a domain\n";
    ruru_store *s = NULL;
    struct ruru_import_opts io;
    struct ruru_diag d;
    char *report = NULL, *access, *w3c, *jsonl;
    size_t access_len, w3c_len = 0, jsonl_len = 0, cap = 4u << 20, cut_at;
    struct got g[3], plain;
    char *logs_dir = strdup(path_of("logs")), *plain_log = strdup(path_of("access.log"));
    const char *logs[] = {logs_dir}, *plain_path[] = {plain_log};

    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    write_file("intel.csv", intel, strlen(intel));
    CHECK_INT(ruru_intel_import(s, path_of("intel.csv"), &io, &report, &d), RURU_OK);
    ruru_free(report);
    CHECK(mkdir(path_of("logs"), 0700) == 0);

    /* 10 MB of Apache lines (three chunks), as three members cut mid-line */
    access = apache_log(90000, &access_len);
    write_file("access.log", access, access_len);
    {
        size_t cuts[] = {1234567, 5555555};
        write_gzip("logs/a-access.log.gz", access, access_len, cuts, 2, 6);
    }
    /* a W3C log whose columns change half way, the change in the second member */
    w3c = malloc(cap);
    w3c_len += (size_t)snprintf(w3c + w3c_len, cap - w3c_len,
                                "#Software: Microsoft Internet Information Services 10.0\n"
                                "#Fields: date time c-ip cs-method cs-uri-stem sc-status\n");
    for (int i = 0; i < 20000; i++) {
        if (i == 10000)
            w3c_len += (size_t)snprintf(
                    w3c + w3c_len, cap - w3c_len,
                    "#Fields: date time cs-method cs-uri-stem c-ip cs(User-Agent) sc-status\n");
        w3c_len +=
                (size_t)snprintf(w3c + w3c_len, cap - w3c_len,
                                 i < 10000 ? "2024-07-12 10:00:%02d %s GET /owa/ 200\n"
                                           : "2024-07-12 11:00:%02d GET /ecp/ %s Mozilla/5.0 200\n",
                                 i % 60, i % 3001 == 0 ? "203.0.113.7" : "10.9.8.7");
    }
    {
        size_t cuts[] = {w3c_len / 2 + 17};
        write_gzip("logs/b-u_ex.log.gz", w3c, w3c_len, cuts, 1, 9);
    }
    /* JSON lines as zstd, and the same as gzip cut short and corrupt */
    jsonl = malloc(cap);
    for (int i = 0; i < 30000; i++)
        jsonl_len += (size_t)snprintf(
                jsonl + jsonl_len, cap - jsonl_len,
                "{\"@timestamp\":\"2024-07-12T10:00:%02dZ\",\"source\":{\"ip\":\"%s\"},"
                "\"dns\":{\"question\":{\"name\":\"%s\"}}}\n",
                i % 60, i % 2003 == 0 ? "203.0.113.7" : "10.0.0.1",
                i % 1999 == 0 ? "www.evil.example" : "good.example");
    {
        size_t zcap = ZSTD_compressBound(jsonl_len);
        void *z = malloc(zcap);
        size_t zn = ZSTD_compress(z, zcap, jsonl, jsonl_len, 3);
        CHECK(!ZSTD_isError(zn));
        write_file("logs/c-events.jsonl.zst", z, zn);
        free(z);
    }
    write_gzip("logs/d-cut.jsonl.gz", jsonl, jsonl_len, NULL, 0, 6);
    cut_at = size_of("logs/d-cut.jsonl.gz") / 2;
    CHECK(truncate(path_of("logs/d-cut.jsonl.gz"), (off_t)cut_at) == 0);
    {
        size_t n;
        char *bad;
        FILE *f;
        write_gzip("logs/e-bad.jsonl.gz", jsonl, jsonl_len, NULL, 0, 6);
        n = size_of("logs/e-bad.jsonl.gz");
        bad = malloc(n);
        f = fopen(path_of("logs/e-bad.jsonl.gz"), "rb");
        CHECK(f != NULL && fread(bad, 1, n, f) == n);
        fclose(f);
        bad[n / 2] ^= 0x5a;
        write_file("logs/e-bad.jsonl.gz", bad, n);
        free(bad);
    }
    /* small ones, so that several are decoded at once */
    for (int i = 0; i < 8; i++) {
        char name[64];
        snprintf(name, sizeof(name), "logs/f-small-%d.log.gz", i);
        write_gzip(name, access + i * 100000, 100000 + (size_t)i * 1000, NULL, 0, 1);
    }

    sweep(s, logs, 1, 1, &g[0]);
    sweep(s, logs, 1, 2, &g[1]);
    sweep(s, logs, 1, 3, &g[2]);
    {
        char *s0 = json_dumps(g[0].summary, JSON_SORT_KEYS);
        for (int k = 1; k < 3; k++) {
            char *sk = json_dumps(g[k].summary, JSON_SORT_KEYS);
            /* byte for byte: the sightings in order, the errors, and the summary */
            CHECK(g[k].len == g[0].len && strcmp(g[k].text, g[0].text) == 0);
            CHECK_INT(g[k].n_errors, g[0].n_errors);
            for (int e = 0; e < g[0].n_errors; e++)
                CHECK_STR(g[k].errors[e], g[0].errors[e]);
            CHECK_STR(sk, s0);
            free(sk);
        }
        free(s0);
    }
    {
        json_t *sum = g[0].summary, *cut = input_named(sum, "d-cut.jsonl.gz");
        json_t *bad = input_named(sum, "e-bad.jsonl.gz");
        char want[512];
        CHECK_STR(json_string_value(
                          json_object_get(input_named(sum, "a-access.log.gz"), "compression")),
                  "gzip");
        CHECK_STR(json_string_value(
                          json_object_get(input_named(sum, "c-events.jsonl.zst"), "compression")),
                  "zstd");
        CHECK_INT(json_integer_value(json_object_get(input_named(sum, "a-access.log.gz"), "lines")),
                  90000);
        /* cut: where the compressed input ends, and what was decoded before (and swept) */
        snprintf(want, sizeof(want),
                 "truncated gzip data at compressed byte %zu (member 1, after %lld decoded "
                 "bytes)",
                 cut_at, (long long)json_integer_value(json_object_get(cut, "bytes")));
        CHECK_STR(json_string_value(json_object_get(cut, "error")), want);
        CHECK(json_integer_value(json_object_get(cut, "bytes")) > (json_int_t)jsonl_len / 3);
        CHECK(json_integer_value(json_object_get(cut, "sightings")) > 0);
        CHECK(strncmp(json_string_value(json_object_get(bad, "error")),
                      "corrupt gzip data at compressed byte ", 37) == 0);
        CHECK_INT(g[0].n_errors, 2);
        CHECK(strstr(g[0].errors[0], "d-cut.jsonl.gz: truncated gzip data") != NULL);
        CHECK(strstr(g[0].errors[1], "e-bad.jsonl.gz: corrupt gzip data") != NULL);
        CHECK(json_integer_value(json_object_get(input_named(sum, "b-u_ex.log.gz"), "sightings")) ==
              7);
    }
    {
        /* the gzip log's sightings are the plain log's: lines, offsets, lengths, hashes */
        char *want, *got;
        const char *p = g[0].text, *end;
        sweep(s, plain_path, 1, 2, &plain);
        want = cites(plain.text);
        end = strstr(p, "b-u_ex.log.gz");
        while (end != NULL && end > p && end[-1] != '\n')
            end--;
        {
            /* the access log's sightings come first (inputs in name order) */
            char *head = strndup(p, end != NULL ? (size_t)(end - p) : strlen(p));
            got = cites(head);
            free(head);
        }
        CHECK(strlen(want) > 100);
        CHECK_STR(got, want);
        free(want);
        free(got);
        got_free(&plain);
    }
    for (int k = 0; k < 3; k++)
        got_free(&g[k]);
    free(access);
    free(w3c);
    free(jsonl);
    free(logs_dir);
    free(plain_log);
    ruru_store_close(s);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-scan-compressed-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    test_compressed_sweep();
    {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
