/* SPDX-License-Identifier: Apache-2.0 */
/* Format detection of the import driver, and reading compressed files. */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/import.h"
#include "io/file.h"

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

int main(void)
{
    test_detect();
    test_gzip();
    return check_done();
}
