/* SPDX-License-Identifier: Apache-2.0 */
/* Zeek intel files: directives, types, metadata, and the files of Zeek's own tests. */
#include "check.h"
#include "sink.h"

static void import_path(const char *path, struct rec *r)
{
    size_t len = 0;
    char *data = slurp(path, &len);
    struct ruru_diag d;

    CHECK(data != NULL);
    rec_init(r);
    CHECK_INT(run_importer(ruru_zeek_import, data ? data : "", len, r, &d), RURU_OK);
    free(data);
}

static void test_directives(void)
{
    struct rec r;

    import_path(RURU_TEST_DATA "/zeek/directives.intel", &r);
    CHECK_INT(r.n_ind, 4);
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 "),
              "ipv4 198.51.100.23 line=6 by=partner desc=staging "
              "labels=zeek-source:partner|ref:https://cert.example/a");
    CHECK_STR(rec_find(r.ind, r.n_ind, "url "),
              "url http://owa-login.example/owa/ line=7 by=partner labels=zeek-source:partner");
    CHECK(rec_has(r.ind, r.n_ind, "x509-sha1 abcdef0123456789abcdef0123456789abcdef01 line=8"));
    CHECK(rec_has(r.ind, r.n_ind, "md5 d41d8cd98f00b204e9800998ecf8427e line=9"));
    CHECK_INT(r.n_rej, 2);
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=10"),
              "line=10 value=bad\tIntel::ADDR\tpartner reason=wrong number of fields");
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=11"),
              "line=11 value=1.2.3.4 reason=unknown indicator type");
    rec_free(&r);
}

/* Zeek's own test files (../shared/data/intel/zeek): counts worked out by reading them. Rows
 * of loopback addresses (127.0.0.0/8) are rejected: they would match every host's own
 * traffic. */
static void test_shared(void)
{
    static const struct {
        const char *file;
        size_t n_ind, n_rej;
    } files[] = {
            {"cluster-indicator-inserted-new-min-store.dat", 7, 0},
            {"expire-item.dat", 2, 0},
            {"filter-item.dat", 2, 0},
            {"input-and-match.dat", 3, 0},
            {"input-intel-absolute-prefixes.dat", 0, 3},
            {"input-intel-relative-prefixes.dat", 0, 3},
            {"input-prefix.dat", 0, 3},
            {"match-subnet.dat", 6, 0},
            {"no-paths.dat", 0, 3},
            {"read-file-dist-cluster.dat", 3, 0},
            {"remove-non-existing.dat", 1, 0},
            {"updated-match.dat", 5, 0},
    };
    char path[1024];
    struct rec r;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/intel/zeek/%s", RURU_SHARED_DATA, files[i].file);
        import_path(path, &r);
        CHECK_INT(r.n_ind, files[i].n_ind);
        CHECK_INT(r.n_rej, files[i].n_rej);
        rec_free(&r);
    }
    snprintf(path, sizeof(path), "%s/intel/zeek/match-subnet.dat", RURU_SHARED_DATA);
    import_path(path, &r);
    CHECK(rec_has(r.ind, r.n_ind,
                  "cidr4 192.168.142.0/26 line=6 by=source1 "
                  "desc=this subnetwork is inside"));
    rec_free(&r);
    snprintf(path, sizeof(path), "%s/intel/zeek/updated-match.dat", RURU_SHARED_DATA);
    import_path(path, &r);
    /* Headers repeat mid-file; the rows after each are read with it. */
    CHECK(rec_has(r.ind, r.n_ind, "ipv4 4.3.2.1 line=5 by=source2"));
    rec_free(&r);
}

int main(void)
{
    test_directives();
    test_shared();
    return check_done();
}
