/* SPDX-License-Identifier: Apache-2.0 */
/* Format detection of the import driver, and reading compressed files. */
#include <jansson.h>
#include <ruru.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/import.h"
#include "intel/store.h"
#include "io/file.h"
#include "shared_data.h"

static void expect_format(const char *path, const char *data, const char *want)
{
    const char *got = ruru_intel_detect(path, data, strlen(data));

    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0)) {
        check_failed++;
        fprintf(stderr, "detect(%s): got %s, want %s\n", data, got ? got : "NULL",
                want ? want : "NULL");
    } else {
        check_passed++;
    }
}

static void test_detect(void)
{
    expect_format("b.json", "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": []}",
                  "stix");
    expect_format("b.json", "[{\"type\": \"indicator\", \"id\": \"indicator--1\"}]", "stix");
    expect_format("i.json",
                  "{\"type\": \"indicator\", \"id\": \"indicator--1\", \"spec_version\": \"2.1\"}",
                  "stix");
    expect_format("e.json", "{\"Event\": {\"Attribute\": []}}", "misp");
    expect_format("e.json", "[{\"Event\": {}}]", "misp");
    expect_format("r.json", "{\"response\": [{\"Event\": {}}]}", "misp");
    expect_format("manifest.json", "{\"5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f\": {\"info\": \"x\"}}",
                  "misp");
    expect_format("g.json", "{\"type\": \"threat-actor\", \"values\": [], \"uuid\": \"u\"}",
                  "galaxy");
    expect_format("t.json", "{\"namespace\": \"tlp\", \"predicates\": []}", "taxonomy");
    expect_format("w.json", "{\"name\": \"x\", \"type\": \"cidr\", \"list\": []}", "warninglist");
    expect_format("x.json", "{\"hello\": 1}", "json");
    expect_format("x.json", "{\"truncated\": ", "json");
    expect_format("z.dat",
                  "#fields\tindicator\tindicator_type\tmeta.source\n1.2.3.4\tIntel::ADDR\tx\n",
                  "zeek");
    expect_format("z.dat", "#separator \\x09\n#fields\tindicator\n", "zeek");
    expect_format("l.csv", "type,value\nip,1.2.3.4\n", "csv");
    expect_format("l.txt", "1.2.3.4\nevil.com\n", "csv");
    expect_format("l.txt", "# comment only\n", "csv");
    expect_format("l.txt", "\xef\xbb\xbf[1.2.3.4]\n", "csv");
    expect_format("e.txt", "", "csv");
    /* Loki / signature-base lists: by Loki's file names or their comment block */
    expect_format("sb/c2-iocs.txt", "# x\nevil.example\n", "loki");
    expect_format("sb/keywords.txt", "mimilib\n", "loki");
    expect_format("l.txt", "#\n# LOKI C2 IOCs\n#\nevil.example\n", "loki");
    {
        const char bin[] = {'a', '\0', 'b'};
        CHECK(ruru_intel_detect("b.bin", bin, sizeof(bin)) == NULL);
    }
}

static void test_gzip(void)
{
    char path[] = "/tmp/ruru-test-gz-XXXXXX";
    int fd = mkstemp(path);
    gzFile gz;
    char *data = NULL;
    size_t len = 0;
    enum ruru_compression comp = RURU_COMP_NONE;
    struct ruru_diag d;

    CHECK(fd >= 0);
    gz = gzdopen(fd, "wb");
    CHECK(gz != NULL);
    gzputs(gz, "type,value\nip,192.0.2.1\n");
    gzclose(gz);
    CHECK_INT(ruru_file_read(path, 1 << 20, &data, &len, &comp, NULL), RURU_OK);
    CHECK_INT(comp, RURU_COMP_GZIP);
    CHECK_INT(len, 24);
    CHECK(data != NULL && memcmp(data, "type,value\nip,192.0.2.1\n", 24) == 0);
    ruru_free(data);
    /* The decompressed size is what the limit bounds. */
    memset(&d, 0, sizeof(d));
    CHECK_INT(ruru_file_read(path, 10, &data, &len, &comp, &d), RURU_ELIMIT);
    CHECK(strstr(d.msg, "limit") != NULL);
    unlink(path);
    memset(&d, 0, sizeof(d));
    CHECK_INT(ruru_file_read("/nonexistent/x", 10, &data, &len, &comp, &d), RURU_EIO);
    CHECK_STR(d.source, "/nonexistent/x");
}

/* Count of indicators matching an SQL condition. */
static int64_t count_where(ruru_store *st, const char *cond)
{
    char sql[512];
    sqlite3_stmt *q = NULL;
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM indicators WHERE %s", cond);
    CHECK_INT(sqlite3_prepare_v2(ruru_store_db(st), sql, -1, &q, NULL), SQLITE_OK);
    if (q != NULL && sqlite3_step(q) == SQLITE_ROW)
        n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* --actor, --tlp, --confidence: defaults for what the rows do not say, for a vendor's
 * single-actor list (Microsoft's ACTINIUM feed: 152 rows, no actor, TLP or confidence column)
 * and a multi-actor one (ESET's Exchange CSV: 35 rows name their actor, 5 a note in
 * parentheses, see test_csv.c). */
static void test_defaults(void)
{
    ruru_store *st = NULL;
    struct ruru_import_opts o;
    struct ruru_diag d;
    char *report = NULL, path[512];

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, &d), RURU_OK);
    o.actor = "ACTINIUM";
    o.tlp = "TLP:AMBER";
    o.has_confidence = true;
    o.confidence = 80;
    snprintf(path, sizeof(path), "%s/intel/mstic/ActiniumIOC.csv", shared_data());
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_OK);
    ruru_free(report);
    CHECK_INT(count_where(st, "1"), 152);
    CHECK_INT(count_where(st, "actors = '[\"ACTINIUM\"]' AND tlp = 'amber' AND confidence = 80"),
              152);
    /* The same bytes with another actor are imported again, not "unchanged". */
    o.actor = "Gamaredon";
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_OK);
    CHECK(report != NULL && strstr(report, "\"unchanged\":0") != NULL);
    ruru_free(report);
    CHECK_INT(count_where(st, "actors = '[\"Gamaredon\"]'"), 152);

    memset(&o, 0, sizeof(o));
    o.actor = "Exchange attackers";
    snprintf(path, sizeof(path), "%s/intel/eset-exchange/indicators.derived.csv", shared_data());
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_OK);
    ruru_free(report);
    CHECK_INT(count_where(st, "actors = '[\"Exchange attackers\"]'"), 5);
    CHECK_INT(count_where(st, "actors = '[\"Winnti Group\"]'"), 8);
    CHECK_INT(count_where(st, "tlp IS NOT NULL AND actors = '[\"Winnti Group\"]'"), 0);

    /* A TLP that is none, a confidence out of range: refused before anything is read. */
    memset(&o, 0, sizeof(o));
    o.tlp = "purple";
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_EINVAL);
    CHECK(strstr(d.msg, "purple") != NULL);
    memset(&o, 0, sizeof(o));
    o.has_confidence = true;
    o.confidence = 101;
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_EINVAL);
    ruru_store_close(st);
}

/* Imports the file `name` holding data[0..len) into an in-memory store; the report (free). */
static json_t *import_bytes(ruru_store *st, const char *name, const char *data, size_t len)
{
    char path[128], *report = NULL;
    struct ruru_import_opts o;
    struct ruru_diag d;
    FILE *f;
    json_t *doc;

    snprintf(path, sizeof(path), "/tmp/ruru-test-hostile-%d-%s", (int)getpid(), name);
    f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_intel_import(st, path, &o, &report, &d), RURU_OK);
    unlink(path);
    doc = json_loads(report, 0, NULL);
    ruru_free(report);
    return doc;
}

static const char *reason(json_t *doc, size_t i)
{
    return json_string_value(json_object_get(
            json_array_get(
                    json_object_get(json_array_get(json_object_get(doc, "files"), 0), "rejections"),
                    i),
            "reason"));
}

/* Intel whose metadata is hostile keeps its indicators and refuses the bad part alone: a
 * validity window that ends before it starts, a 10 MB description (in a CSV line over the
 * 1 MiB line cap, and in a STIX indicator). */
static void test_bad_parts(void)
{
    ruru_store *st = NULL;
    struct ruru_diag d;
    size_t big = 10u << 20;
    char *buf = malloc(big + 4096);
    json_t *doc;
    size_t n;

    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &st, &d), RURU_OK);
    n = (size_t)snprintf(buf, 4096,
                         "value,type,valid_from,valid_until\n"
                         "window.example,domain,2024-05-01,2024-01-01\n");
    doc = import_bytes(st, "window.csv", buf, n);
    CHECK_STR(reason(doc, 0),
              "valid_until before valid_from: valid_until dropped, the indicator kept");
    json_decref(doc);
    CHECK_INT(count_where(st, "value = 'window.example' AND valid_until IS NULL AND valid_from "
                              "IS NOT NULL"),
              1);
    n = (size_t)snprintf(buf, 4096, "value,type,description\nlong.example,domain,");
    memset(buf + n, 'x', big);
    memcpy(buf + n + big, "\nnext.example,domain,ok\n", 24);
    doc = import_bytes(st, "long.csv", buf, n + big + 24);
    CHECK_STR(reason(doc, 0), "line longer than 1 MiB: cut there, the rest of the line dropped");
    CHECK_STR(reason(doc, 1), "description over 64 KiB: dropped, the indicator kept");
    json_decref(doc);
    CHECK_INT(count_where(st, "value = 'long.example' AND description IS NULL"), 1);
    CHECK_INT(count_where(st, "value = 'next.example' AND description = 'ok'"), 1);
    n = (size_t)snprintf(buf, 4096,
                         "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [{\"type\": "
                         "\"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--1\", "
                         "\"created\": \"2024-01-01T00:00:00Z\", \"modified\": "
                         "\"2024-01-01T00:00:00Z\", \"pattern_type\": \"stix\", \"pattern\": "
                         "\"[domain-name:value = 'stix.example']\", \"valid_from\": "
                         "\"2024-05-01T00:00:00Z\", \"valid_until\": \"2024-01-01T00:00:00Z\", "
                         "\"description\": \"");
    memset(buf + n, 'y', big);
    memcpy(buf + n + big, "\"}]}", 4);
    doc = import_bytes(st, "bad.json", buf, n + big + 4);
    CHECK_STR(reason(doc, 0),
              "valid_until before valid_from: valid_until dropped, the indicator kept");
    CHECK_STR(reason(doc, 1), "description over 64 KiB: dropped, the indicator kept");
    json_decref(doc);
    CHECK_INT(count_where(st, "value = 'stix.example' AND description IS NULL AND valid_until "
                              "IS NULL"),
              1);
    ruru_store_close(st);
    free(buf);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_defaults();
        return check_done();
    }
    test_detect();
    test_gzip();
    test_bad_parts();
    return check_done();
}
