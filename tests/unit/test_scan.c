/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sweep end to end through the public API: intel imported into an in-memory store, logs
 * written to a temporary directory, sightings collected from the callback and checked field by
 * field against the matching semantics of DESIGN.md §4 and the evidence of §6.
 */
#include <fcntl.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/buf.h"
#include "check.h"
#include "match/fnregex.h"
#include "shared_data.h"

static char dir[256];

struct got {
    json_t *sightings; /* array */
    json_t *summary;
    int errors;
    char last_error[512];
    int stop_after; /* 0: never */
    /* rules: NULL for none (the indicator tests), else these paths and the built-in ones */
    const char *const *rules;
    size_t n_rules;
};

static int on_sighting(void *ctx, const char *json)
{
    struct got *g = ctx;
    json_error_t e;
    json_t *o = json_loads(json, 0, &e);

    CHECK(o != NULL);
    CHECK(strchr(json, '\n') == NULL); /* one line */
    json_array_append_new(g->sightings, o);
    return g->stop_after > 0 && (int)json_array_size(g->sightings) >= g->stop_after;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *d)
{
    struct got *g = ctx;

    (void)err;
    g->errors++;
    snprintf(g->last_error, sizeof(g->last_error), "%s: %s", d->source ? d->source : "-", d->msg);
}

static const char *path_of(const char *name)
{
    /* enough that a test's paths stay valid while it writes its files */
    static char buf[64][512];
    static int k;

    k = (k + 1) % 64;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static void write_file(const char *name, const char *data, size_t len)
{
    FILE *f = fopen(path_of(name), "wb");

    CHECK(f != NULL);
    if (f == NULL)
        return;
    fwrite(data, 1, len, f);
    fclose(f);
}

static void write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

static ruru_store *store_with(const char *name, const char *intel)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    write_text(name, intel);
    CHECK_INT(ruru_intel_import(s, path_of(name), &o, &report, &d), RURU_OK);
    ruru_free(report);
    return s;
}

static enum ruru_err
sweep(ruru_store *s, const char *const *paths, size_t n, unsigned threads, struct got *g)
{
    struct ruru_scan_opts o;
    struct ruru_diag d;
    char *summary = NULL;
    enum ruru_err err;

    memset(&o, 0, sizeof(o));
    o.threads = threads;
    o.no_builtin_rules = g->rules == NULL;
    o.rule_paths = g->rules;
    o.n_rule_paths = g->n_rules;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.ctx = g;
    g->sightings = json_array();
    g->errors = 0;
    g->last_error[0] = '\0';
    err = ruru_scan(s, paths, n, &o, &summary, &d);
    g->summary = summary ? json_loads(summary, 0, NULL) : NULL;
    ruru_free(summary);
    return err;
}

static void got_free(struct got *g)
{
    json_decref(g->sightings);
    json_decref(g->summary);
    g->sightings = g->summary = NULL;
}

/* The value at a dotted path of a sighting, as text ("" when absent). */
static const char *at(json_t *o, const char *path)
{
    static char buf[8][256];
    static int k;
    char key[64];
    const char *dot;
    json_t *v;

    while ((dot = strchr(path, '.')) != NULL) {
        size_t n = (size_t)(dot - path);
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path = dot + 1;
    }
    v = json_object_get(o, path);
    k = (k + 1) % 8;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf[k], sizeof(buf[k]), "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(buf[k], sizeof(buf[k]), "%s", json_is_true(v) ? "true" : "false");
    else
        buf[k][0] = '\0';
    return buf[k];
}

/* "line indicator observed field" of every sighting, one per line. */
static char *digest(json_t *sightings)
{
    static char buf[16384];
    size_t i, k = 0;
    json_t *s;

    buf[0] = '\0';
    json_array_foreach(sightings, i, s)
    {
        const char *field = at(s, "ruru.field.canonical");
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s %s %s %s\n", at(s, "ruru.line"),
                              at(s, "ruru.indicator.value"), at(s, "ruru.observed"),
                              *field ? field : "-");
        if (k >= sizeof(buf))
            break;
    }
    return buf;
}

static const char INTEL[] =
        "type,value,actor,confidence,valid_from,valid_until,description\n"
        "ip,203.0.113.7,APT40,80,,,an address\n"
        "cidr,198.51.100.0/24,,50,,,a range\n"
        "cidr,198.51.0.0/16,,40,,,a wider range holding it\n"
        "domain,evil.example,,70,,,a domain\n"
        "url,http://c2.example/gate.php?id=1,,70,,,a URL\n"
        "user-agent,Mozilla/5.0 (EvilBot 1.0),,60,,,a user agent\n"
        "sha256,"
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,,90,,,"
        "a hash\n"
        "ip,192.0.2.99,,60,2024-01-01,2024-02-01,only valid in January 2024\n"
        "email,boss@evil.example,,50,,,a sender\n";

static void test_apache(void)
{
    ruru_store *s = store_with("i1.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("access.log")};

    write_text(
            "access.log",
            "203.0.113.7 - - [10/Oct/2024:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 "
            "\"http://www.evil.example/\" \"curl/8\"\n"
            "198.51.100.20 - - [10/Oct/2024:13:55:37 +0000] \"GET /?q=notevil.example HTTP/1.1\" "
            "200 5 \"http://evil.example.au/\" \"curl/8\"\n"
            "192.0.2.99 - - [10/Oct/2024:13:55:38 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n");
    CHECK_INT(sweep(s, paths, 1, 2, &g), RURU_OK);
    CHECK_STR(digest(g.sightings), "1 203.0.113.7 203.0.113.7 source.address\n"
                                   "1 evil.example www.evil.example http.request.referrer\n"
                                   "2 198.51.100.0/24 198.51.100.20 source.address\n"
                                   "2 198.51.0.0/16 198.51.100.20 source.address\n");
    {
        json_t *x = json_array_get(g.sightings, 0);
        unsigned char want[32];
        char hex[65];
        const char *line1 = "203.0.113.7 - - [10/Oct/2024:13:55:36 +0000] \"GET /a HTTP/1.1\" "
                            "200 5 \"http://www.evil.example/\" \"curl/8\"";
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, strlen(line1), (const uint8_t *)line1);
        sha256_digest(&c, 32, want);
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", want[i]);
        CHECK_STR(at(x, "@timestamp"), "2024-10-10T13:55:36Z");
        CHECK_STR(at(x, "log.file.path"), path_of("access.log"));
        CHECK_STR(at(x, "log.offset"), "0");
        CHECK_STR(at(x, "event.original"), line1);
        CHECK_STR(at(x, "ruru.sha256"), hex);
        CHECK_INT(atoi(at(x, "ruru.length")), strlen(line1));
        CHECK_STR(at(x, "ruru.format"), "apache");
        CHECK_STR(at(x, "ruru.field.native"), "%h");
        CHECK_STR(at(x, "ruru.indicator.source"), "i1.csv");
        CHECK_STR(at(x, "ruru.indicator.line"), "2");
        CHECK_STR(at(x, "ruru.indicator.confidence"), "80");
        CHECK_STR(json_string_value(json_array_get(
                          json_object_get(json_object_get(json_object_get(x, "threat"), "group"),
                                          "name"),
                          0)),
                  "APT40");
        CHECK_STR(
                at(json_array_get(json_object_get(json_object_get(x, "threat"), "enrichments"), 0),
                   "matched.atomic"),
                "203.0.113.7");
        CHECK_STR(
                at(json_array_get(json_object_get(json_object_get(x, "threat"), "enrichments"), 0),
                   "indicator.type"),
                "ipv4-addr");
        CHECK_STR(
                at(json_array_get(json_object_get(json_object_get(x, "threat"), "enrichments"), 0),
                   "indicator.confidence"),
                "High");
    }
    {
        /* line 3: 192.0.2.99 only valid in January 2024; the record is from October */
        json_t *in = json_array_get(json_object_get(g.summary, "inputs"), 0);
        CHECK_STR(at(in, "format"), "apache");
        CHECK_STR(at(in, "lines"), "3");
        CHECK_STR(at(in, "parsed"), "3");
        CHECK_STR(at(in, "unparsed"), "0");
        CHECK_STR(at(in, "sightings"), "4");
        CHECK_STR(at(in, "first"), "2024-10-10T13:55:36Z");
        CHECK_STR(at(in, "last"), "2024-10-10T13:55:38Z");
        CHECK_STR(at(in, "not_in_force.expired"), "1");
    }
    got_free(&g);
    ruru_store_close(s);
}

static void test_w3c_json_text(void)
{
    ruru_store *s = store_with("i2.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("u_ex.log"), path_of("eve.json"), path_of("notes.txt")};

    write_text("u_ex.log",
               "#Software: Microsoft Internet Information Services 10.0\n"
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query c-ip cs-host "
               "cs(User-Agent) sc-status\n"
               "2024-03-01 10:00:00 10.0.0.5 GET /gate.php id=1 192.0.2.1 c2.example "
               "Mozilla/5.0+(EvilBot+1.0) 200\n"
               "#Fields: date time c-ip sc-status\n"
               "2024-03-01 10:00:01 203.0.113.7 200\n"
               /* found only with '+' read as a space: a host name between two of them */
               "#Fields: date time cs(User-Agent) sc-status\n"
               "2024-03-01 10:00:02 Mozilla/5.0+(compatible;+relay.evil.example+bot) 200\n");
    write_text("eve.json",
               "{\"timestamp\":\"2024-03-01T10:00:02.000000+0000\",\"event_type\":\"http\","
               "\"src_ip\":\"10.0.0.9\",\"dest_ip\":\"198.51.100.1\",\"http\":{\"hostname\":"
               "\"a.evil.example\",\"url\":\"\\/x\"}}\n"
               "{\"timestamp\":\"2024-03-01T10:00:03Z\",\"event_type\":\"fileinfo\","
               "\"fileinfo\":{\"sha256\":"
               "\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\"}}\n"
               "{not json at all, but 203.0.113.7 is in it\n");
    write_text("notes.txt", "mail from boss@evil.example about http:\\/\\/x and 203.0.113.77\n"
                            "\n"
                            "visit http://c2.example/gate.php?id=1 now\n");
    CHECK_INT(sweep(s, paths, 3, 1, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              /* u_ex.log: the URL put together from cs-host + stem + query; the UA decoded */
              "3 Mozilla/5.0 (EvilBot 1.0) Mozilla/5.0 (EvilBot 1.0) user_agent.original\n"
              "3 http://c2.example/gate.php?id=1 http://c2.example/gate.php?id=1 url.path\n"
              "5 203.0.113.7 203.0.113.7 source.ip\n"
              "7 evil.example relay.evil.example user_agent.original\n"
              /* eve.json */
              "1 198.51.100.0/24 198.51.100.1 destination.ip\n"
              "1 198.51.0.0/16 198.51.100.1 destination.ip\n"
              "1 evil.example a.evil.example url.domain\n"
              "2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 "
              "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 "
              "file.hash.sha256\n"
              "3 203.0.113.7 203.0.113.7 -\n"
              /* notes.txt: text, tokens only */
              "1 boss@evil.example boss@evil.example -\n"
              "1 evil.example evil.example -\n"
              "3 http://c2.example/gate.php?id=1 http://c2.example/gate.php?id=1 -\n");
    {
        json_t *in = json_object_get(g.summary, "inputs");
        CHECK_STR(at(json_array_get(in, 0), "format"), "w3c");
        CHECK_STR(at(json_array_get(in, 0), "parsed"), "3");
        CHECK_STR(at(json_array_get(in, 1), "format"), "eve");
        CHECK_STR(at(json_array_get(in, 1), "unparsed"), "1");
        CHECK_STR(at(json_array_get(in, 1), "first"), "2024-03-01T10:00:02Z");
        CHECK_INT(json_integer_value(json_array_get(
                          json_object_get(json_array_get(in, 1), "unparsed_lines"), 0)),
                  3);
        CHECK_STR(at(json_array_get(in, 2), "format"), "text");
        CHECK_STR(at(json_array_get(in, 2), "lines"), "3");
        /* a text line has no time: judged on revocation only, and says so */
        CHECK_STR(at(json_array_get(g.sightings, 9), "ruru.time_known"), "false");
        /* the asset of the W3C line: its internal server address */
        CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.asset"), "10.0.0.5");
        CHECK_STR(at(json_array_get(g.sightings, 0), "host.ip"), "10.0.0.5");
    }
    got_free(&g);
    ruru_store_close(s);
}

static void test_compressed_and_errors(void)
{
    ruru_store *s = store_with("i3.csv", INTEL);
    struct got g = {0};
    const char *line = "x 203.0.113.7 y\n";
    char big[64 * 1024];
    size_t n = 0;
    const char *paths[] = {path_of("a.gz"), path_of("missing.log"), path_of("b.zst"),
                           path_of("cut.gz"), path_of("sub")};

    while (n + strlen(line) < sizeof(big)) {
        memcpy(big + n, line, strlen(line));
        n += strlen(line);
    }
    {
        gzFile z = gzopen(path_of("a.gz"), "wb");
        gzwrite(z, line, (unsigned)strlen(line));
        gzclose(z);
    }
    {
        char out[4096];
        size_t zn = ZSTD_compress(out, sizeof(out), line, strlen(line), 3);
        write_file("b.zst", out, zn);
    }
    {
        /* a gzip stream cut short: what was decoded before the cut is still swept */
        char *tmp = malloc(2 * n);
        uLongf zn = (uLongf)(2 * n);
        z_stream zs;
        memset(&zs, 0, sizeof(zs));
        deflateInit2(&zs, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);
        zs.next_in = (Bytef *)big;
        zs.avail_in = (uInt)n;
        zs.next_out = (Bytef *)tmp;
        zs.avail_out = (uInt)zn;
        deflate(&zs, Z_FINISH);
        write_file("cut.gz", tmp, zs.total_out / 2);
        deflateEnd(&zs);
        free(tmp);
    }
    CHECK(mkdir(path_of("sub"), 0700) == 0 || 1);
    CHECK(mkdir(path_of("sub/deeper"), 0700) == 0 || 1);
    write_text("sub/b.log", "203.0.113.7\n");
    write_text("sub/a.log", "nothing here\n");
    write_text("sub/deeper/c.log", "again 203.0.113.7\n");
    CHECK(sweep(s, paths, 5, 2, &g) != RURU_OK);
    CHECK(g.errors == 2);
    {
        json_t *in = json_object_get(g.summary, "inputs"), *x;
        size_t i, from_cut = 0;
        CHECK_INT(json_array_size(in), 7);
        CHECK_STR(at(json_array_get(in, 0), "compression"), "gzip");
        CHECK_STR(at(json_array_get(in, 0), "sightings"), "1");
        CHECK(strstr(at(json_array_get(in, 1), "error"), "cannot open") != NULL);
        CHECK_STR(at(json_array_get(in, 2), "compression"), "zstd");
        CHECK_STR(at(json_array_get(in, 2), "sightings"), "1");
        {
            /* cut at half its length: said at that compressed byte, after what was decoded */
            struct stat st;
            char want[160];
            CHECK(stat(path_of("cut.gz"), &st) == 0);
            snprintf(want, sizeof(want),
                     "truncated gzip data at compressed byte %lld (member 1, after %s decoded "
                     "bytes)",
                     (long long)st.st_size, at(json_array_get(in, 3), "bytes"));
            CHECK_STR(at(json_array_get(in, 3), "error"), want);
        }
        /* directories in name order, recursively */
        CHECK(strstr(at(json_array_get(in, 4), "path"), "sub/a.log") != NULL);
        CHECK(strstr(at(json_array_get(in, 5), "path"), "sub/b.log") != NULL);
        CHECK(strstr(at(json_array_get(in, 6), "path"), "sub/deeper/c.log") != NULL);
        json_array_foreach(g.sightings, i, x) from_cut +=
                strstr(at(x, "log.file.path"), "cut.gz") != NULL;
        CHECK(from_cut > 100);
        CHECK_INT(json_array_size(g.sightings), 4 + from_cut);
    }
    got_free(&g);
    ruru_store_close(s);
}

/* A log of several chunks: line numbers and offsets stay exact across chunk borders, and the
 * output is the same for 1, 2 and 5 threads. */
static void test_chunks_and_threads(void)
{
    ruru_store *s = store_with("i4.csv", INTEL);
    struct got g1 = {0}, g5 = {0}, g2 = {0};
    const char *paths[] = {path_of("big.log")};
    size_t cap = 12u << 20, n = 0, line = 0;
    char *buf = malloc(cap);
    char *d1, *d5;

    while (n + 200 < cap) {
        line++;
        if (line % 9973 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "line %zu hit 198.51.100.%zu\r\n", line,
                                  line % 250);
        else
            n += (size_t)snprintf(buf + n, cap - n,
                                  "line %zu nothing to see here, just words and 10.1.2.3\n", line);
    }
    write_file("big.log", buf, n);
    CHECK_INT(sweep(s, paths, 1, 1, &g1), RURU_OK);
    CHECK_INT(sweep(s, paths, 1, 5, &g5), RURU_OK);
    CHECK_INT(sweep(s, paths, 1, 2, &g2), RURU_OK);
    d1 = strdup(digest(g1.sightings));
    d5 = strdup(digest(g5.sightings));
    CHECK_STR(d1, d5);
    CHECK_STR(d1, digest(g2.sightings));
    CHECK_INT(json_array_size(g1.sightings), 2 * (line / 9973));
    {
        size_t i;
        json_t *x;
        json_array_foreach(g1.sightings, i, x)
        {
            /* the cited bytes are the line, CR included, and its number is right */
            long long off = atoll(at(x, "log.offset")), len = atoll(at(x, "ruru.length"));
            char want[64];
            snprintf(want, sizeof(want), "line %s hit", at(x, "ruru.line"));
            CHECK(off >= 0 && off + len < (long long)n);
            CHECK(strncmp(buf + off, want, strlen(want)) == 0);
            CHECK(buf[off + len] == '\n' && buf[off + len - 1] == '\r');
        }
    }
    free(d1);
    free(d5);
    free(buf);
    got_free(&g1);
    got_free(&g5);
    got_free(&g2);
    ruru_store_close(s);
}

/* Hostile input: a 20 MB line, binary bytes, invalid UTF-8, a stop from the caller. */
static void test_hostile(void)
{
    ruru_store *s = store_with("i5.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("long.log"), path_of("bin.dat"), path_of("utf.log")};
    size_t n = 20u << 20;
    char *buf = malloc(n + 64);

    memset(buf, 'a', n);
    buf[1000] = ' ';
    memcpy(buf + n - 20, " 203.0.113.7 ", 13);
    memcpy(buf + n - 7, "\nend\n", 5);
    write_file("long.log", buf, n - 2);
    for (size_t i = 0; i < 100000; i++)
        buf[i] = (char)(i * 7919 % 251);
    memcpy(buf + 5000, " 203.0.113.7 ", 13);
    write_file("bin.dat", buf, 100000);
    write_text("utf.log", "bad \xff\xfe utf-8 \xc3 203.0.113.7 \xed\xa0\x80\n");
    CHECK_INT(sweep(s, paths, 3, 2, &g), RURU_OK);
    CHECK_INT(json_array_size(g.sightings), 3);
    CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.line"), "1");
    CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.original_truncated"), "true");
    CHECK_INT(atoll(at(json_array_get(g.sightings, 0), "ruru.length")), n - 7);
    CHECK_STR(at(json_array_get(g.sightings, 2), "event.original"),
              "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd 203.0.113.7 "
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    got_free(&g);
    g.stop_after = 1;
    CHECK_INT(sweep(s, paths, 3, 2, &g), RURU_ESTOPPED);
    CHECK_INT(json_array_size(g.sightings), 1);
    got_free(&g);
    free(buf);
    ruru_store_close(s);
}

static void test_warninglist(void)
{
    ruru_store *s = store_with("i6.csv", "type,value\nip,8.8.8.8\ncidr,9.9.9.0/24\n");
    struct got g = {0};
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;
    const char *paths[] = {path_of("dns.log")};

    memset(&o, 0, sizeof(o));
    write_text("wl.json", "{\"name\": \"Public DNS resolvers\", \"version\": 1, \"type\": \"cidr\","
                          " \"description\": \"resolvers\", \"matching_attributes\": [\"ip-dst\"],"
                          " \"list\": [\"8.8.8.8/32\", \"9.9.9.9/32\"]}\n");
    CHECK_INT(ruru_intel_import(s, path_of("wl.json"), &o, &report, &d), RURU_OK);
    ruru_free(report);
    /* one sighting per (record, indicator): the range is seen once per line */
    write_text("dns.log", "query to 8.8.8.8\nquery to 9.9.9.9 and 9.9.9.10\nquery to 9.9.9.10\n");
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_INT(json_array_size(g.sightings), 3);
    CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.attribution_weight"), "false");
    CHECK_STR(at(json_array_get(
                         json_object_get(json_object_get(json_array_get(g.sightings, 0), "ruru"),
                                         "warninglists"),
                         0),
                 "name"),
              "Public DNS resolvers");
    /* the range is not listed, but the address seen in it is */
    CHECK_STR(at(json_array_get(g.sightings, 1), "ruru.attribution_weight"), "false");
    CHECK_STR(at(json_array_get(g.sightings, 2), "ruru.attribution_weight"), "");
    got_free(&g);
    ruru_store_close(s);
}

/* JSON documents: an array of events, and pretty-printed objects one after another; each
 * element is one record, cited by the line it starts on and its exact bytes. */
static void test_json_documents(void)
{
    ruru_store *s = store_with("i7.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("arr.json"), path_of("objs.json")};
    const char *arr = "[\n  {\n    \"@timestamp\": \"2024-07-12T01:00:00Z\",\n"
                      "    \"source\": {\"ip\": \"203.0.113.7\"},\n"
                      "    \"msg\": \"a } and { in a string, and a \\\" quote\"\n  },\n"
                      "  {\"url\": {\"original\": \"http:\\/\\/c2.example\\/gate.php?id=1\"}},\n"
                      "  {\"broken\": 198.51.100.3\n]\n";

    write_text("arr.json", arr);
    write_text("objs.json", "{\n  \"Event\": {\"EventData\": {\"Data\": [\n"
                            "    {\"@Name\": \"QueryName\", \"#text\": \"x.evil.example\"}]}}\n}\n"
                            "{\n  \"a\": 1\n}\n");
    CHECK_INT(sweep(s, paths, 2, 2, &g), RURU_OK);
    CHECK_STR(digest(g.sightings), "2 203.0.113.7 203.0.113.7 source.ip\n"
                                   "7 http://c2.example/gate.php?id=1 "
                                   "http://c2.example/gate.php?id=1 url.original\n"
                                   "8 198.51.100.0/24 198.51.100.3 -\n"
                                   "8 198.51.0.0/16 198.51.100.3 -\n"
                                   "1 evil.example x.evil.example dns.question.name\n");
    {
        json_t *x = json_array_get(g.sightings, 0), *in = json_object_get(g.summary, "inputs");
        long long off = atoll(at(x, "log.offset")), len = atoll(at(x, "ruru.length"));
        CHECK_INT(off, 4);
        CHECK(len > 0 && arr[off] == '{' && arr[off + len - 1] == '}');
        CHECK_STR(at(json_array_get(in, 0), "format"), "json-document");
        CHECK_STR(at(json_array_get(in, 0), "lines"), "9");
        CHECK_STR(at(json_array_get(in, 0), "parsed"), "2");
        CHECK_STR(at(json_array_get(in, 0), "unparsed"), "1");
        CHECK_INT(json_integer_value(json_array_get(
                          json_object_get(json_array_get(in, 0), "unparsed_lines"), 0)),
                  8);
        CHECK_STR(at(json_array_get(in, 1), "parsed"), "2");
    }
    got_free(&g);
    ruru_store_close(s);
}

/* Exchange CSV logs, CSV with a header row, CEF and syslog, through the sweep. */
static void test_csv_cef_syslog(void)
{
    ruru_store *s = store_with("i8.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("HttpProxy_2024071201-1.LOG"), path_of("plain.csv"),
                           path_of("fw.cef"), path_of("messages")};

    write_text("HttpProxy_2024071201-1.LOG",
               "\xef\xbb\xbf#Software: Microsoft Exchange Server\n#Version: 15.02.1118.040\n"
               "#Log-type: HttpProxy Logs\n#Date: 2024-07-12T01:00:00.000Z\n"
               "#Fields: DateTime,RequestId,Protocol,UrlHost,UrlStem,UrlQuery,ClientIpAddress,"
               "ServerHostName,UserAgent,Method,HttpStatus\n"
               "2024-07-12T01:15:40.123Z,4b1c,Ecp,mail.contoso.example,/ecp/default.flt,,"
               "203.0.113.7,EXCH01,\"python-requests/2.31.0\",POST,200\n"
               "2024-07-12T01:16:40.123Z,4b1d,Owa,c2.example,/gate.php,\"id=1\",192.0.2.8,"
               "EXCH01,\"Mozilla/5.0 (EvilBot 1.0)\",GET,302\n");
    write_text("plain.csv", "time,src_ip,domain,note\n"
                            "2024-07-12 01:00:00,198.51.100.14,cdn.example.net,\"hello, world\"\n"
                            "2024-07-12 01:00:01,10.0.0.1,x.evil.example,ok\n");
    write_text("fw.cef", "CEF:0|Vendor|FW|1.0|100|Blocked|5|src=203.0.113.7 dst=10.0.0.5 "
                         "request=http://c2.example/gate.php?id=1&x=2 rt=1720746000000\n");
    write_text("messages",
               "Jul 12 01:00:00 gw sshd[42]: Failed password for root from "
               "203.0.113.7 port 22\n"
               "<34>1 2024-07-12T01:00:05+12:00 web01 app - ID47 [ex@1 peer=\"198.51.100.2\"] "
               "hi\n");
    CHECK_INT(sweep(s, paths, 4, 2, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              "6 203.0.113.7 203.0.113.7 source.ip\n"
              "7 Mozilla/5.0 (EvilBot 1.0) Mozilla/5.0 (EvilBot 1.0) user_agent.original\n"
              "7 http://c2.example/gate.php?id=1 http://c2.example/gate.php?id=1 url.path\n"
              "2 198.51.100.0/24 198.51.100.14 source.ip\n"
              "2 198.51.0.0/16 198.51.100.14 source.ip\n"
              "3 evil.example x.evil.example url.domain\n"
              /* another query is another URL: id=1&x=2 is not id=1 */
              "1 203.0.113.7 203.0.113.7 source.ip\n"
              "1 203.0.113.7 203.0.113.7 message\n"
              "2 198.51.100.0/24 198.51.100.2 -\n"
              "2 198.51.0.0/16 198.51.100.2 -\n");
    {
        json_t *in = json_object_get(g.summary, "inputs");
        CHECK_STR(at(json_array_get(in, 0), "format"), "csv");
        CHECK_STR(at(json_array_get(in, 0), "parsed"), "2");
        CHECK_STR(at(json_array_get(in, 0), "first"), "2024-07-12T01:15:40Z");
        CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.asset"), "EXCH01");
        CHECK_STR(at(json_array_get(in, 1), "format"), "csv");
        CHECK_STR(at(json_array_get(in, 2), "format"), "cef");
        CHECK_STR(at(json_array_get(in, 2), "first"), "2024-07-12T01:00:00Z");
        CHECK_STR(at(json_array_get(in, 3), "format"), "syslog");
        CHECK_STR(at(json_array_get(in, 3), "parsed"), "2");
        /* RFC 5424 keeps its offset: 01:00:05+12:00 is 13:00:05 the day before (the 3164
         * line has no year: the file's, this year) */
        CHECK_STR(at(json_array_get(in, 3), "first"), "2024-07-11T13:00:05Z");
    }
    got_free(&g);
    ruru_store_close(s);
}

/* RFC 3164 lines carry no year: each gets the latest that puts it no later than the file's
 * modification time (a day's slack for the writer's zone), so a log read on 5 January 2025
 * dates its December lines in 2024; ruru scan --year forces one. */
static void test_syslog_year(void)
{
    ruru_store *s = store_with("i-year.csv", INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("auth.log")};
    /* 2025-01-05T12:00:00Z */
    struct timespec mtime[2] = {{1736078400, 0}, {1736078400, 0}};
    static const char *const want[] = {
            "2024-02-01T08:00:00Z", /* after the file was written: last year's */
            "2024-12-30T23:59:00Z", "2024-12-31T23:59:59Z", "2025-01-01T00:00:10Z",
            "2025-01-05T11:00:00Z", "2025-01-05T23:30:00Z", /* 11.5 h "after": a writer at UTC+12,
                                                               the same year */
    };
    struct ruru_scan_opts o;
    struct ruru_diag d;
    char *summary = NULL;

    write_text("auth.log", "Feb  1 08:00:00 gw sshd[1]: from 203.0.113.7\n"
                           "Dec 30 23:59:00 gw sshd[2]: from 203.0.113.7\n"
                           "Dec 31 23:59:59 gw sshd[3]: from 203.0.113.7\n"
                           "Jan  1 00:00:10 gw sshd[4]: from 203.0.113.7\n"
                           "Jan  5 11:00:00 gw sshd[5]: from 203.0.113.7\n"
                           "Jan  5 23:30:00 gw sshd[6]: from 203.0.113.7\n");
    CHECK_INT(utimensat(AT_FDCWD, path_of("auth.log"), mtime, 0), 0);
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_INT(json_array_size(g.sightings), 6);
    for (size_t i = 0; i < json_array_size(g.sightings) && i < 6; i++)
        CHECK_STR(at(json_array_get(g.sightings, i), "@timestamp"), want[i]);
    got_free(&g);
    /* --year 2019: every line in 2019 */
    memset(&o, 0, sizeof(o));
    o.threads = 1;
    o.no_builtin_rules = true;
    o.syslog_year = 2019;
    o.on_sighting = on_sighting;
    o.ctx = &g;
    g.sightings = json_array();
    CHECK_INT(ruru_scan(s, paths, 1, &o, &summary, &d), RURU_OK);
    ruru_free(summary);
    CHECK_INT(json_array_size(g.sightings), 6);
    CHECK_STR(at(json_array_get(g.sightings, 1), "@timestamp"), "2019-12-30T23:59:00Z");
    CHECK_STR(at(json_array_get(g.sightings, 3), "@timestamp"), "2019-01-01T00:00:10Z");
    got_free(&g);
    ruru_store_close(s);
}

/* Crawlers name themselves in their user agents with a '+' before the URL ("(compatible;
 * Googlebot/2.1; +http://www.google.com/bot.html)", "UniversalFeedParser/4.2-pre-314-svn
 * +http://feedparser.org/"): the real Apache log's 307 and 208 such lines (grep -c) are found. */
static void test_plus_tokens(void)
{
    ruru_store *s = store_with("i-plus.csv", "type,value,confidence\n"
                                             "domain,feedparser.org,50\n"
                                             "url,http://www.google.com/bot.html,50\n");
    struct got g = {0};
    char path[512];
    const char *paths[] = {path};
    size_t n_url = 0, n_domain = 0;
    json_t *x;
    size_t i;

    snprintf(path, sizeof(path), "%s/logs/web/apache_logs.part1.log", shared_data());
    CHECK_INT(sweep(s, paths, 1, 2, &g), RURU_OK);
    json_array_foreach(g.sightings, i, x)
    {
        const char *v = at(x, "ruru.indicator.value");
        n_url += strcmp(v, "http://www.google.com/bot.html") == 0;
        n_domain += strcmp(v, "feedparser.org") == 0;
    }
    CHECK_INT(n_url, 307);
    CHECK_INT(n_domain, 208);
    got_free(&g);
    ruru_store_close(s);
}

/* URL indicators found through their own question, their hosts being no indicator: a URL
 * whose host is an address, one with a port, one behind user info, one whose host the cut
 * gives (the quick question asks that host for it), beside lines that hold their hosts
 * only. Swept by the vector and the portable cut alike. */
static void test_url_hosts(void)
{
#define REQ "192.0.2.1 - - [01/Mar/2021:00:00:02 +0000] \"GET /x HTTP/1.1\" 200 5 "
    static const char *const lines[] = {
            REQ "\"http://198.51.100.9/gate\" \"curl/8\"",
            REQ "\"-\" \"198.51.100.9 c3.example c4.example c5.example\"",
            REQ "\"http://c3.example:8080/in\" \"curl/8\"",
            REQ "\"https://u@c4.example/a\" \"curl/8\"",
            REQ "\"http://c5.example/other\" \"curl/8\"",
            REQ "\"http://c5.example/b.php\" \"curl/8\"",
    };
#undef REQ
    static const char *const want[] = {
            "http://198.51.100.9/gate", NULL, "http://c3.example:8080/in",
            "https://u@c4.example/a",   NULL, "http://c5.example/b.php"};
    ruru_store *s = store_with("i-urlhost.csv", "type,value,confidence\n"
                                                "url,http://198.51.100.9/gate,50\n"
                                                "url,http://c3.example:8080/in,50\n"
                                                "url,https://u@c4.example/a,50\n"
                                                "url,http://c5.example/b.php,50\n");
    struct got g = {0};
    const char *paths[] = {path_of("urlhost.log")};
    char text[1024] = "", offset[6][24];
    size_t off = 0;

    for (size_t i = 0; i < 6; i++) {
        snprintf(offset[i], sizeof(offset[i]), "%zu", off);
        strcat(text, lines[i]);
        strcat(text, "\n");
        off += strlen(lines[i]) + 1;
    }
    write_text("urlhost.log", text);
    for (int portable = 0; portable < 2; portable++) {
        size_t k = 0;
        ruru_set_simd(!portable);
        CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
        CHECK_INT(json_array_size(g.sightings), 4);
        for (size_t i = 0; i < 6; i++) {
            json_t *x = json_array_get(g.sightings, k);
            if (want[i] == NULL)
                continue;
            CHECK_STR(at(x, "ruru.indicator.value"), want[i]);
            CHECK_STR(at(x, "log.offset"), offset[i]);
            k++;
        }
        got_free(&g);
    }
    ruru_set_simd(true);
    ruru_store_close(s);
}

/* A log cut short while it is read (rotation, an intruder): what was read is swept, and the
 * input is reported as an error. The cut happens from the progress callback, which the
 * reader calls after its first chunk. */
static int cut_done;

static void cut_on_progress(void *ctx, uint64_t bytes, const char *path)
{
    (void)ctx;
    (void)bytes;
    if (!cut_done++)
        CHECK(truncate(path, 1000) == 0);
}

static void test_shrinking_file(void)
{
    ruru_store *s = store_with("i9.csv", INTEL);
    struct got g = {0};
    struct ruru_scan_opts o;
    struct ruru_diag d;
    char *summary = NULL;
    const char *paths[] = {path_of("shrink.log")};
    size_t n = 12u << 20;
    char *buf = malloc(n);

    for (size_t i = 0; i < n; i++)
        buf[i] = i % 100 == 99 ? '\n' : 'a';
    memcpy(buf + 100, " 203.0.113.7 ", 13);
    write_file("shrink.log", buf, n);
    memset(&o, 0, sizeof(o));
    o.threads = 2;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.on_progress = cut_on_progress;
    o.ctx = &g;
    g.sightings = json_array();
    CHECK_INT(ruru_scan(s, paths, 1, &o, &summary, &d), RURU_EIO);
    CHECK_INT(json_array_size(g.sightings), 1);
    CHECK(strstr(g.last_error, "the file shrank while it was read: 262144 of 12582912 bytes") !=
          NULL);
    ruru_free(summary);
    json_decref(g.sightings);
    free(buf);
    ruru_store_close(s);
}

/* A store on disk caches its index and rebuilds it when the intel changes. */
static void test_index_cache(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;
    struct got g = {0};
    const char *paths[] = {path_of("cache.log")};
    char cmd[600];

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(path_of("home"), &s, &d), RURU_OK);
    write_text("c1.csv", "type,value\nip,203.0.113.7\n");
    write_text("c2.csv", "type,value\ndomain,evil.example\n");
    write_text("cache.log", "203.0.113.7 asked for www.evil.example\n");
    CHECK_INT(ruru_intel_import(s, path_of("c1.csv"), &o, &report, &d), RURU_OK);
    ruru_free(report);
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(at(g.summary, "scan.index"), "built");
    CHECK_INT(json_array_size(g.sightings), 1);
    got_free(&g);
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(at(g.summary, "scan.index"), "cached");
    got_free(&g);
    CHECK_INT(ruru_intel_import(s, path_of("c2.csv"), &o, &report, &d), RURU_OK);
    ruru_free(report);
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(at(g.summary, "scan.index"), "built");
    CHECK_INT(json_array_size(g.sightings), 2);
    got_free(&g);
    /* one index file: the stale one was removed */
    snprintf(cmd, sizeof(cmd), "test $(ls '%s' | grep -c '^index-.*\\.ruru$') -eq 1",
             path_of("home"));
    CHECK(system(cmd) == 0);
    /* a corrupt cache file is rebuilt, not trusted */
    snprintf(cmd, sizeof(cmd), "for f in '%s'/index-*.ruru; do printf garbage > \"$f\"; done",
             path_of("home"));
    CHECK(system(cmd) == 0);
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(at(g.summary, "scan.index"), "built");
    CHECK_INT(json_array_size(g.sightings), 2);
    got_free(&g);
    ruru_store_close(s);
}

/* Real logs (../shared/data/logs) against indicators taken from them; counts were checked
 * by hand against the lines: e.g. 14 of the DNS lines mention "wikimedia.org", but 4 of them
 * are "upload.wikimedia.org.ncsa.uiuc.edu" (a search domain appended), which is not under
 * wikimedia.org, so 10 sightings; "cuhk.edu" must not match "proxy.cse.cuhk.edu.hk". */
static void test_real_logs(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;
    struct got g = {0};
    static const char *const names[] = {
            "loghub/Linux_2k.log",    "loghub/Proxifier_2k.log",     "loghub/Apache_2k.log",
            "loghub/Windows_2k.log",  "zeek/core.ipv6-frag_dns.log", "zeek/opt.basic_conn.log",
            "zeek/opt.basic_dns.log", "zeek/opt.basic_http.log",
    };
    static const struct {
        const char *file, *indicator, *field;
        int n;
    } want[] = {
            {"Linux_2k.log", "218.188.2.4", NULL, 14},
            {"Proxifier_2k.log", "proxy.cse.cuhk.edu.hk", NULL, 1471},
            {"core.ipv6-frag_dns.log", "2001:470:1f11::/48", "source.ip", 3},
            {"core.ipv6-frag_dns.log", "2607:f740:b::f93", "destination.ip", 3},
            {"core.ipv6-frag_dns.log", "berkeley.edu", "dns.question.name", 3},
            {"opt.basic_conn.log", "208.80.152.0/24", "destination.ip", 9},
            {"opt.basic_dns.log", "208.80.152.0/24", "dns.answers", 5},
            {"opt.basic_dns.log", "wikimedia.org", "dns.question.name", 10},
            {"opt.basic_http.log", "208.80.152.0/24", "destination.ip", 14},
            {"opt.basic_http.log",
             "Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.15) Gecko/20110303 Ubuntu/10.04 "
             "(lucid) Firefox/3.6.15",
             "user_agent.original", 14},
            {"opt.basic_http.log", "http://bits.wikimedia.org/skins-1.5/monobook/main.css",
             "url.original", 1},
            {"opt.basic_http.log", "wikimedia.org", "url.domain", 14},
    };
    const char *paths[sizeof(names) / sizeof(names[0])];
    char buf[sizeof(names) / sizeof(names[0])][512];
    size_t total = 0;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(buf[i], sizeof(buf[i]), "%s/logs/%s", shared_data(), names[i]);
        paths[i] = buf[i];
    }
    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, RURU_OWN_DATA "/scan/real-logs-intel.csv", &o, &report, &d),
              RURU_OK);
    ruru_free(report);
    CHECK_INT(sweep(s, paths, sizeof(paths) / sizeof(paths[0]), 2, &g), RURU_OK);
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        int n = 0;
        size_t i;
        json_t *x;
        json_array_foreach(g.sightings, i, x)
        {
            if (strstr(at(x, "log.file.path"), want[k].file) == NULL ||
                strcmp(at(x, "ruru.indicator.value"), want[k].indicator) != 0)
                continue;
            if (want[k].field != NULL)
                CHECK_STR(at(x, "ruru.field.canonical"), want[k].field);
            n++;
        }
        CHECK_INT(n, want[k].n);
        if (n != want[k].n)
            fprintf(stderr, "  for %s in %s\n", want[k].indicator, want[k].file);
        total += (size_t)n;
    }
    /* nothing else: no cuhk.edu, no wikimedia.org under ncsa.uiuc.edu */
    CHECK_INT(json_array_size(g.sightings), total);
    {
        json_t *in = json_object_get(g.summary, "inputs");
        /* Zeek's own test logs mask their times: XXXXXXXXXX.XXXXXX is no time */
        CHECK_STR(at(json_array_get(in, 7), "format"), "zeek");
        CHECK_STR(at(json_array_get(in, 7), "parsed"), "14");
        CHECK_STR(at(json_array_get(in, 7), "first"), "");
        CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.line"), "1");
    }
    got_free(&g);
    ruru_store_close(s);
}

/* Paths, file names, user agents and strings: matched whole in the fields where they live,
 * and in free text (text lines, syslog messages) as whole values; near misses are not. */
static void test_paths_and_literals(void)
{
    ruru_store *s = store_with("i9.csv", "type,value\n"
                                         "uri,/owa/auth/errorEE.aspx\n"
                                         "url,/aspnet_client/system_web/x.aspx?cmd=1\n"
                                         "user-agent,python-requests/2.25.1\n"
                                         "filename,shell.aspx\n"
                                         "string,DefaultAppPool\n");
    struct got g = {0};
    const char *paths[] = {path_of("p_ex.log"), path_of("p.txt"), path_of("p.syslog"),
                           path_of("p.jsonl")};

    write_text("p_ex.log",
               "#Software: Microsoft Internet Information Services 10.0\n"
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
               "c-ip cs(User-Agent) sc-status\n"
               "2021-03-03 10:00:00 10.0.0.5 POST /OWA/auth/errorEE.aspx - 443 - 198.18.0.1 "
               "python-requests/2.25.1 200\n"
               "2021-03-03 10:00:01 10.0.0.5 GET /owa/auth/errorEE.aspx.bak - 443 - 198.18.0.1 "
               "python-requests/2.25.10 404\n"
               "2021-03-03 10:00:02 10.0.0.5 GET /x/owa/auth/errorEE.aspx - 443 - 198.18.0.1 "
               "curl 404\n"
               "2021-03-03 10:00:03 10.0.0.5 GET /aspnet_client/system_web/x.aspx cmd=1 443 - "
               "198.18.0.1 curl 200\n"
               "2021-03-03 10:00:04 10.0.0.5 GET /aspnet_client/system_web/x.aspx cmd=2 443 - "
               "198.18.0.1 curl 200\n"
               "2021-03-03 10:00:05 10.0.0.5 GET /ecp/shell.aspx - 443 - 198.18.0.1 curl 200\n"
               "2021-03-03 10:00:06 10.0.0.5 GET /owa/auth/%65rrorEE.aspx - 443 - 198.18.0.1 "
               "curl 200\n");
    write_text("p.txt", "client python-requests/2.25.1 fetched /owa/auth/errorEE.aspx?x=1 and "
                        "https://mail.example.org/ecp/shell.aspx\n"
                        "agent python-requests/2.25.10, /x/owa/auth/errorEE.aspx, "
                        "DefaultAppPoolX, notshell.aspx\n"
                        "pool DefaultAppPool recycled; shell.aspx dropped\n");
    write_text("p.syslog", "<134>Mar  3 10:00:00 web01 nginx: GET /owa/auth/errorEE.aspx "
                           "ua=\"python-requests/2.25.1\"\n");
    write_text("p.jsonl", "{\"@timestamp\":\"2021-03-03T10:00:07Z\",\"url\":{\"original\":"
                          "\"https://mail.example.org/owa/auth/errorEE.aspx?a=b\"},"
                          "\"process\":{\"name\":\"DefaultAppPool\"}}\n");
    CHECK_INT(sweep(s, paths, 4, 2, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              /* p_ex.log: the path in any case; the UA whole; the path with its query put
               * together from stem and query; the web shell's name from the path; an escape
               * decoded as the indicator's was */
              "3 /owa/auth/errorEE.aspx /OWA/auth/errorEE.aspx url.path\n"
              "3 python-requests/2.25.1 python-requests/2.25.1 user_agent.original\n"
              "6 /aspnet_client/system_web/x.aspx?cmd=1 /aspnet_client/system_web/x.aspx?cmd=1 "
              "url.path\n"
              "8 shell.aspx shell.aspx url.path\n"
              "9 /owa/auth/errorEE.aspx /owa/auth/%65rrorEE.aspx url.path\n"
              /* p.txt: free text */
              "1 python-requests/2.25.1 python-requests/2.25.1 -\n"
              "1 /owa/auth/errorEE.aspx /owa/auth/errorEE.aspx?x=1 -\n"
              "1 shell.aspx shell.aspx -\n"
              "3 DefaultAppPool DefaultAppPool -\n"
              "3 shell.aspx shell.aspx -\n"
              /* p.syslog: the message is free text */
              "1 python-requests/2.25.1 python-requests/2.25.1 message\n"
              "1 /owa/auth/errorEE.aspx /owa/auth/errorEE.aspx message\n"
              /* p.jsonl: the path of a URL; a string as a whole field */
              "1 /owa/auth/errorEE.aspx /owa/auth/errorEE.aspx?a=b url.original\n"
              "1 DefaultAppPool DefaultAppPool process.name\n");
    CHECK_STR(at(g.summary, "scan.literals"), "2");
    got_free(&g);
    ruru_store_close(s);
}

/* Loki's file-name regexes (signature-base's filename-iocs.txt, read in place) run on the
 * file-name and path fields of records, and nowhere else. Which regexes match the planted
 * path was computed once with Python's re (as Loki runs them: re.search, a false-positive
 * regex excluding): lines 3500, 3504, 3511, 3725 and 4161 of the file; the benign paths match
 * none. The file holds 3,711 distinct regexes (3,828 lines). */
/* The literal run every match of a regex holds: the sweep's prefilter (match/fnregex.c). */
static void expect_atom(const char *re, const char *want)
{
    char out[256];
    size_t n;

    ruru_fnregex_atom(re, strlen(re), out, sizeof(out), &n);
    out[n] = '\0';
    if (strcmp(out, want) != 0)
        fprintf(stderr, "atom of %s\n", re);
    CHECK_STR(out, want);
}

static void test_filename_atoms(void)
{
    expect_atom("\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^\\\\\"]{1,20}\\.aspx",
                "\\inetpub\\wwwroot\\aspnet_client\\");
    expect_atom("(?i)\\\\procdump(64)?\\.exe", "\\procdump");
    expect_atom("\\\\ex[p]?[l1]orer[a-z0-9]{1,3}\\.exe", "orer");
    expect_atom("\\\\svchosts?\\.exe", "\\svchost"); /* the optional s is no part of it */
    expect_atom("a|\\\\longer_literal", "");         /* top-level alternation */
    expect_atom("\\d{8}\\.tmp", ".tmp");
    expect_atom("^(?!.*(?:(?i)(SysInternals\\\\))).*?(?:(?i)\\\\procdump(64)?\\.exe)",
                "\\procdump");
}

static void test_filename_regexes(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts io;
    char *report = NULL, path[512];
    struct got g = {0};
    const char *paths[] = {path_of("fr.jsonl")};

    memset(&io, 0, sizeof(io));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    snprintf(path, sizeof(path), "%s/intel/signature-base/filename-iocs.txt", shared_data());
    CHECK_INT(ruru_intel_import(s, path, &io, &report, &d), RURU_OK);
    ruru_free(report);
    /* Sysmon through Winlogbeat (event_data.TargetFilename is file.path); an ECS record whose
     * path and name match nothing; the same path in a message (free text: no regex runs). */
    write_text("fr.jsonl",
               "{\"@timestamp\":\"2021-03-03T10:00:00Z\",\"winlog\":{\"channel\":"
               "\"Microsoft-Windows-Sysmon/Operational\",\"event_id\":11,\"event_data\":{"
               "\"TargetFilename\":\"C:\\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\system_web\\\\"
               "shell.aspx\"}}}\n"
               "{\"@timestamp\":\"2021-03-03T10:00:01Z\",\"file\":{\"path\":"
               "\"C:\\\\Windows\\\\System32\\\\notepad.exe\",\"name\":\"shell.aspx.txt\"}}\n"
               "{\"@timestamp\":\"2021-03-03T10:00:02Z\",\"message\":\"wrote C:\\\\inetpub\\\\"
               "wwwroot\\\\aspnet_client\\\\system_web\\\\shell.aspx\"}\n");
    CHECK_INT(sweep(s, paths, 1, 2, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              "1 \\\\shell\\.aspx$ "
              "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shell.aspx file.path\n"
              "1 \\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\[^\\\\\"]{1,20}\\\\[^\\\\\"]{1,20}"
              "\\.aspx C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shell.aspx file.path\n"
              "1 \\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\system_web\\\\(shell\\.aspx|"
              "supp0rt\\.aspx|aspnet\\.aspx|aspnet_client\\.aspx|client\\.aspx|OutlookEN\\.aspx) "
              "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shell.aspx file.path\n"
              "1 \\\\inetpub\\\\wwwroot\\\\aspnet_client\\\\system_web\\\\[^\\\\\"]{1,20}\\.aspx "
              "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shell.aspx file.path\n"
              "1 \\\\aspnet_client\\\\system_web\\\\[a-zA-Z0-9_\\-]{1,16}\\.asp[x]?$ "
              "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\shell.aspx file.path\n");
    CHECK_STR(at(g.summary, "scan.filename_regexes"), "3711");
    CHECK_STR(at(json_array_get(g.sightings, 1), "ruru.indicator.line"), "3504");
    CHECK_STR(at(json_array_get(g.sightings, 1), "ruru.indicator.confidence"), "90");
    {
        json_t *ind = json_object_get(json_object_get(json_array_get(g.sightings, 1), "ruru"),
                                      "indicator");
        json_t *actor = json_array_get(json_object_get(ind, "actors"), 0);
        CHECK_STR(json_string_value(json_object_get(actor, "name")), "HAFNIUM");
    }
    got_free(&g);
    ruru_store_close(s);
}

/* STIX patterns kept whole: one observation told record by record (in force at the record's
 * time), several over the records at the end, with the evidence of each member; those naming
 * only objects no log shows, and those in another language, counted. */
static const char PATTERN_INTEL[] =
        "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": ["
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--a\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[network-traffic:src_ref.value = '203.0.113.7' AND"
        " network-traffic:extensions.'http-request-ext'.request_method = 'POST']\"},"
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--b\","
        " \"created\": \"2019-01-01T00:00:00Z\", \"modified\": \"2019-01-01T00:00:00Z\","
        " \"valid_from\": \"2019-01-01T00:00:00Z\", \"valid_until\": \"2020-01-01T00:00:00Z\","
        " \"pattern_type\": \"stix\","
        " \"pattern\": \"[network-traffic:extensions.'http-request-ext'.request_value LIKE "
        "'/log%']\"},"
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--c\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[network-traffic:extensions.'http-request-ext'.request_value = '/admin']"
        " FOLLOWEDBY [network-traffic:extensions.'http-request-ext'.request_value = '/login']"
        " WITHIN 60 SECONDS\"},"
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--d\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[x509-certificate:issuer LIKE '%Evil%']\"},"
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--e\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"sigma\","
        " \"pattern\": \"title: x\\ndetection:\\n  sel:\\n    a: b\\n  condition: sel\"}"
        "]}";

static void test_patterns(void)
{
    ruru_store *s = store_with("patterns.json", PATTERN_INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("p-access.log")};

    write_text("p-access.log",
               "203.0.113.7 - - [11/Jul/2024:10:00:00 +0000] \"POST /login HTTP/1.1\" 200 5 \"-\" "
               "\"curl/8\"\n"
               "198.51.100.1 - - [11/Jul/2024:10:00:30 +0000] \"GET /admin HTTP/1.1\" 200 5 \"-\" "
               "\"curl/8\"\n"
               "198.51.100.1 - - [11/Jul/2024:10:00:50 +0000] \"GET /login HTTP/1.1\" 200 5 \"-\" "
               "\"curl/8\"\n"
               "203.0.113.7 - - [11/Jul/2024:10:05:00 +0000] \"GET /login HTTP/1.1\" 200 5 \"-\" "
               "\"curl/8\"\n");
    for (unsigned threads = 1; threads <= 2; threads++) {
        json_t *x, *scan, *m;
        CHECK_INT(sweep(s, paths, 1, threads, &g), RURU_OK);
        scan = json_object_get(g.summary, "scan");
        CHECK_STR(at(scan, "patterns"), "3");
        CHECK_STR(at(scan, "patterns_refused"), "1");
        CHECK_STR(at(scan, "patterns_unobservable"), "1");
        CHECK_STR(at(scan, "pattern_sightings"), "2");
        CHECK_INT(json_array_size(g.sightings), 2);
        /* the one-observation pattern, on line 1 only (line 4 is a GET) */
        x = json_array_get(g.sightings, 0);
        CHECK_STR(at(x, "ruru.line"), "1");
        CHECK_STR(at(x, "ruru.indicator.type"), "stix-pattern");
        CHECK_STR(at(x, "ruru.indicator.object"), "indicator--a");
        CHECK_STR(at(x, "event.dataset"), "ruru.sighting");
        CHECK(json_is_object(json_object_get(json_object_get(x, "ruru"), "observation")));
        /* the pattern of two observations: /admin (line 2) then /login (line 3, not line 1,
         * which came before, nor line 4, past the minute) */
        x = json_array_get(g.sightings, 1);
        CHECK_STR(at(x, "event.dataset"), "ruru.pattern");
        CHECK_STR(at(x, "ruru.indicator.object"), "indicator--c");
        CHECK_STR(at(x, "@timestamp"), "2024-07-11T10:00:30Z");
        CHECK_STR(at(x, "ruru.pattern.last"), "2024-07-11T10:00:50Z");
        m = json_object_get(json_object_get(x, "ruru"), "members");
        CHECK_INT(json_array_size(m), 2);
        CHECK_STR(at(json_array_get(m, 0), "ruru.line"), "2");
        CHECK_STR(at(json_array_get(m, 1), "ruru.line"), "3");
        CHECK_INT(strlen(at(json_array_get(m, 1), "ruru.sha256")), 64);
        /* the expired pattern is counted, not reported: lines 1, 3, 4 ask for /log... */
        CHECK_STR(
                at(json_array_get(json_object_get(g.summary, "inputs"), 0), "not_in_force.expired"),
                "3");
        got_free(&g);
    }
    ruru_store_close(s);
}

/* Records are asked a pattern only when their decoded values hold one of its needles: values
 * written with JSON escapes or W3C's '+' must still be found, and a record holding a needle
 * that the pattern then refuses gives nothing. */
static const char NEEDLE_INTEL[] =
        "{\"type\": \"bundle\", \"id\": \"bundle--2\", \"objects\": ["
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--j\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[domain-name:value = 'evil.example' AND"
        " domain-name:value != 'good.example']\"},"
        "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--w\","
        " \"created\": \"2024-01-01T00:00:00Z\", \"modified\": \"2024-01-01T00:00:00Z\","
        " \"valid_from\": \"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\","
        " \"pattern\": \"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'"
        " LIKE 'Evil Agent%' AND network-traffic:dst_port = 443]\"}"
        "]}";

static void test_pattern_needles(void)
{
    ruru_store *s = store_with("needles.json", NEEDLE_INTEL);
    struct got g = {0};
    const char *paths[] = {path_of("n-app.json"), path_of("u_ex240711.log")};

    write_text("n-app.json",
               "{\"@timestamp\":\"2024-07-11T10:00:00Z\",\"source\":{\"ip\":\"203.0.113.9\"},"
               "\"url\":{\"domain\":\"ev\\u0069l.example\",\"path\":\"/x\"}}\n"
               "{\"@timestamp\":\"2024-07-11T10:00:01Z\",\"source\":{\"ip\":\"203.0.113.9\"},"
               "\"url\":{\"domain\":\"evil.example.org\",\"path\":\"/evil.example\"}}\n");
    write_text("u_ex240711.log",
               "#Software: Microsoft Internet Information Services 10.0\n"
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip "
               "cs(User-Agent) sc-status\n"
               "2024-07-11 10:00:02 10.0.0.5 GET /owa/ - 443 203.0.113.9 Evil+Agent/1.0 200\n"
               "2024-07-11 10:00:03 10.0.0.5 GET /owa/ - 80 203.0.113.9 Evil+Agent/1.0 200\n");
    for (unsigned threads = 1; threads <= 2; threads++) {
        CHECK_INT(sweep(s, paths, 2, threads, &g), RURU_OK);
        CHECK_STR(at(json_object_get(g.summary, "scan"), "pattern_sightings"), "2");
        CHECK_INT(json_array_size(g.sightings), 2);
        CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.indicator.object"), "indicator--j");
        CHECK_STR(at(json_array_get(g.sightings, 0), "ruru.line"), "1");
        CHECK_STR(at(json_array_get(g.sightings, 1), "ruru.indicator.object"), "indicator--w");
        CHECK_STR(at(json_array_get(g.sightings, 1), "ruru.line"), "3");
        got_free(&g);
    }
    ruru_store_close(s);
}

/* CISA's CHIRP file for HAFNIUM (real, read in place) over an IIS log written here: its POST
 * request strings match as STIX patterns on the method and path (a GET of the same logon page
 * does not), its user agents match the IIS user-agent field, a bot's "(+http://...)" included
 * (IIS writes its space as '+', and its own '+' as '+'). */
static void test_chirp_iis(void)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;
    struct got g = {0};
    const char *paths[] = {path_of("chirp_ex.log")};

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    CHECK_INT(ruru_intel_import(s, shared_path("intel/cisa-chirp/AA21062A.yaml"), &o, &report, &d),
              RURU_OK);
    ruru_free(report);
    write_text(
            "chirp_ex.log",
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
            "c-ip cs(User-Agent) sc-status\n"
            "2021-03-02 10:11:12 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css "
            "- 443 - 198.51.100.7 python-requests/2.25.1 200\n"
            "2021-03-02 10:11:13 10.0.0.5 GET /owa/auth/Current/themes/resources/logon.css - "
            "443 - 198.51.100.8 Mozilla/5.0+(Windows+NT+10.0) 200\n"
            "2021-03-02 10:11:14 10.0.0.5 GET /x - 443 - 198.51.100.9 "
            "DuckDuckBot/1.0;+(+http://duckduckgo.com/duckduckbot.html) 200\n"
            "2021-03-02 10:11:15 10.0.0.5 GET /y - 443 - 198.51.100.9 "
            "Mozilla/5.0+(compatible;+Baiduspider/2.0;++http://www.baidu.com/search/spider.html) "
            "200\n");
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              "2 python-requests/2.25.1 python-requests/2.25.1 user_agent.original\n"
              "2 [network-traffic:extensions.'http-request-ext'.request_method = 'POST' AND "
              "network-traffic:extensions.'http-request-ext'.request_value MATCHES "
              "'^/owa/auth/Current/themes/resources/logon\\\\.css'] [network-traffic:extensions."
              "'http-request-ext'.request_method = 'POST' AND network-traffic:extensions.'http-"
              "request-ext'.request_value MATCHES '^/owa/auth/Current/themes/resources/logon"
              "\\\\.css'] -\n"
              "2 [network-traffic:extensions.'http-request-ext'.request_method = 'POST' AND "
              "network-traffic:extensions.'http-request-ext'.request_value MATCHES "
              "'^/owa/auth/Current/'] [network-traffic:extensions.'http-request-ext'.request_"
              "method = 'POST' AND network-traffic:extensions.'http-request-ext'.request_value "
              "MATCHES '^/owa/auth/Current/'] -\n"
              "4 DuckDuckBot/1.0; (+http://duckduckgo.com/duckduckbot.html) DuckDuckBot/1.0; "
              "(+http://duckduckgo.com/duckduckbot.html) user_agent.original\n"
              "5 Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/"
              "spider.html) Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/"
              "search/spider.html) user_agent.original\n");
    got_free(&g);
    ruru_store_close(s);
}

/* Reads a whole file, NUL-terminated; NULL when it cannot. */
static char *slurp_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf != NULL) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

/* Web shells named by their place on disk, as the HAFNIUM advisories name them: the literal
 * aspnet_client and Exchange HttpProxy paths of signature-base's filename-iocs.txt (real, read
 * in place; their regex escapes \\ and \. undone) imported as file-path indicators, and an IIS
 * log written here requesting some of them. A request for the URL path a file is served at
 * cites the file-path indicator itself; case does not matter (IIS ignores it); other pages of
 * the same directories match nothing. */
static void test_webshell_paths(void)
{
    size_t len = 0, n_paths = 0;
    char *txt = slurp_file(shared_path("intel/signature-base/filename-iocs.txt"), &len);
    struct ruru_buf csv;
    ruru_store *s;
    struct got g = {0};
    const char *paths[] = {path_of("webshell_ex.log")};

    CHECK(txt != NULL);
    if (txt == NULL)
        return;
    ruru_buf_init(&csv, 1u << 20);
    ruru_buf_adds(&csv, "type,value\n");
    for (char *line = txt, *next; line != NULL && *line != '\0'; line = next) {
        char *semi, lit[512];
        size_t k = 0;
        bool ok = true;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        if (strncmp(line, "\\\\inetpub\\\\wwwroot\\\\", 19) != 0 &&
            strncmp(line, "\\\\FrontEnd\\\\HttpProxy\\\\", 21) != 0)
            continue;
        semi = strrchr(line, ';');
        if (semi == NULL)
            continue;
        for (const char *c = line; c < semi && ok && k + 1 < sizeof(lit); c++) {
            if (c[0] == '\\' && (c[1] == '\\' || c[1] == '.'))
                lit[k++] = *++c;
            else if (strchr("\\[](){}|^$*+?", *c) != NULL)
                ok = false; /* a regex, not a path */
            else
                lit[k++] = *c;
        }
        if (!ok)
            continue;
        lit[k] = '\0';
        ruru_buf_addf(&csv, "filepath,%s\n", lit);
        n_paths++;
    }
    free(txt);
    CHECK_INT(n_paths, 60); /* 54 distinct */
    s = store_with("webshells.csv", ruru_buf_str(&csv));
    ruru_buf_fini(&csv);
    write_text("webshell_ex.log",
               "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
               "c-ip cs(User-Agent) sc-status\n"
               "2021-03-03 01:00:00 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - "
               "198.51.100.7 curl/7.1 200\n"
               "2021-03-03 01:00:01 10.0.0.5 GET /owa/auth/outlookzh.aspx cmd=whoami 443 - "
               "198.51.100.7 curl/7.1 200\n"
               "2021-03-03 01:00:02 10.0.0.5 POST /OAB/log.aspx - 443 - 198.51.100.7 curl/7.1 "
               "200\n"
               "2021-03-03 01:00:03 10.0.0.5 GET /aspnet_client/system_web/log.aspx - 443 - "
               "198.51.100.7 curl/7.1 200\n"
               "2021-03-03 01:00:04 10.0.0.5 GET /owa/auth/logon.aspx - 443 - 198.51.100.8 "
               "Mozilla/5.0 200\n"
               "2021-03-03 01:00:05 10.0.0.5 GET /aspnet_client/other.aspx - 443 - "
               "198.51.100.8 Mozilla/5.0 200\n");
    CHECK_INT(sweep(s, paths, 1, 1, &g), RURU_OK);
    CHECK_STR(digest(g.sightings),
              "2 \\inetpub\\wwwroot\\aspnet_client\\shell.aspx /aspnet_client/shell.aspx "
              "url.path\n"
              "3 \\FrontEnd\\HttpProxy\\owa\\auth\\OutlookZH.aspx /owa/auth/outlookzh.aspx "
              "url.path\n"
              "4 \\FrontEnd\\HttpProxy\\OAB\\log.aspx /OAB/log.aspx url.path\n"
              "5 \\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx "
              "/aspnet_client/system_web/log.aspx url.path\n");
    {
        json_t *x = json_array_get(g.sightings, 0);
        CHECK_STR(at(x, "ruru.indicator.type"), "filepath");
        CHECK_STR(at(x, "ruru.indicator.source"), "webshells.csv");
    }
    got_free(&g);
    ruru_store_close(s);
}

/* Removes the scratch folder; the exit status. */
static int finish(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return check_done();
}

int main(int argc, char **argv)
{
    bool corpus = corpus_part(argc, argv);

    if (corpus)
        SHARED_OR_SKIP();
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-scan-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    if (corpus) {
        test_real_logs();
        test_plus_tokens();
        test_filename_regexes();
        test_chirp_iis();
        test_webshell_paths();
        return finish();
    }
    test_apache();
    test_url_hosts();
    test_w3c_json_text();
    test_compressed_and_errors();
    test_chunks_and_threads();
    test_hostile();
    test_warninglist();
    test_index_cache();
    test_json_documents();
    test_csv_cef_syslog();
    test_syslog_year();
    test_shrinking_file();
    test_paths_and_literals();
    test_filename_atoms();
    test_patterns();
    test_pattern_needles();
    return finish();
}
