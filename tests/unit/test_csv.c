/* SPDX-License-Identifier: Apache-2.0 */
/* CSV and text lists: shapes, columns, defanged twins, rejections with line numbers. */
#include "check.h"
#include "sink.h"

static void import_file(const char *name, struct rec *r)
{
    char path[512];
    size_t len = 0;
    char *data;
    struct ruru_diag d;

    snprintf(path, sizeof(path), "%s/csv/%s", RURU_TEST_DATA, name);
    data = slurp(path, &len);
    CHECK(data != NULL);
    rec_init(r);
    CHECK_INT(run_importer(ruru_csv_import, data ? data : "", len, r, &d), RURU_OK);
    free(data);
}

static void test_columns(void)
{
    struct rec r;

    import_file("fanged.csv", &r);
    CHECK_INT(r.n_ind, 5);
    CHECK_INT(r.n_rej, 0);
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 "),
              "ipv4 203.0.113.45 line=2 confidence=90 from=1719705600 until=1751241600 "
              "first=1719705600 tlp=amber by=partner-cert desc=scanner "
              "actors=Kryptonite Panda|Leviathan labels=exchange|scanner");
    CHECK_STR(rec_find(r.ind, r.n_ind, "domain "),
              "domain owa-login.example line=3 confidence=80 from=1719828000 first=1719828000 "
              "tlp=clear by=partner-cert desc=phishing, portal actors=Leviathan");
    CHECK_STR(rec_find(r.ind, r.n_ind, "url "),
              "url https://owa-login.example/owa/auth/logon.aspx line=4 confidence=50");
    CHECK_STR(rec_find(r.ind, r.n_ind, "email "),
              "email helpdesk@owa-login.example line=5 confidence=15");
    CHECK(rec_has(
            r.ind, r.n_ind,
            "sha256 9a4b8e3d2c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d line=6"));
    rec_free(&r);
}

/* The defanged list yields exactly the fanged list's canonical values. */
static void test_defanged_twin(void)
{
    struct rec a, b;

    import_file("fanged.csv", &a);
    import_file("defanged.csv", &b);
    CHECK_INT(a.n_ind, b.n_ind);
    for (size_t i = 0; i < a.n_ind && i < b.n_ind; i++) {
        /* Same canonical type and value (up to the first space after the value). */
        const char *sa = a.ind[i], *sb = b.ind[i];
        size_t na = strcspn(strchr(sa, ' ') + 1, " ") + (size_t)(strchr(sa, ' ') + 1 - sa);
        size_t nb = strcspn(strchr(sb, ' ') + 1, " ") + (size_t)(strchr(sb, ' ') + 1 - sb);
        CHECK(na == nb && memcmp(sa, sb, na) == 0);
    }
    rec_free(&a);
    rec_free(&b);
}

static void test_text_list(void)
{
    struct rec r;

    import_file("list.txt", &r);
    CHECK_INT(r.n_ind, 3);
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 "), "ipv4 198.51.100.7 line=2 desc=staging server");
    CHECK_STR(rec_find(r.ind, r.n_ind, "domain "), "domain evil.example line=5");
    CHECK_STR(rec_find(r.ind, r.n_ind, "cidr6 "), "cidr6 2001:db8::/32 line=6");
    CHECK_INT(r.n_rej, 2);
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=7"),
              "line=7 value=not an ioc at all reason=unrecognised value");
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=8"), "line=8 value=co.nz reason=public suffix");
    rec_free(&r);
}

static void test_quoting(void)
{
    struct rec r;

    import_file("semicolon.csv", &r);
    /* "a;b.example" is no host name: rejected, with the quoted delimiter kept in the value. */
    CHECK_INT(r.n_rej, 1);
    CHECK_STR(rec_find(r.rej, r.n_rej, "line=2"),
              "line=2 value=a;b.example reason=malformed domain name");
    CHECK_INT(r.n_ind, 2);
    CHECK_STR(rec_find(r.ind, r.n_ind, "domain "),
              "domain x.example line=3 desc=line one\nline two");
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 "),
              "ipv4 192.0.2.9 line=5 desc=after a multi-line cell");
    rec_free(&r);
    import_file("headerless.tsv", &r);
    CHECK_INT(r.n_ind, 2);
    CHECK_STR(rec_find(r.ind, r.n_ind, "ipv4 "), "ipv4 192.0.2.1 line=1");
    rec_free(&r);
}

static void test_hostile(void)
{
    struct rec r;
    struct ruru_diag d;
    size_t big = 10u << 20;
    char *data = malloc(big + 64);
    static const char bad_utf8[] = "\xff\xfe\xfd.example\n\xc3\x28\n192.0.2.5\n";
    static const char nul[] = "192.0.2.6\n\0\n192.0.2.7\n";

    /* A 10 MB line between two good ones: rejected, and both neighbours land. */
    memcpy(data, "192.0.2.1\n", 10);
    memset(data + 10, 'a', big);
    memcpy(data + 10 + big, "\n192.0.2.2\n", 11);
    rec_init(&r);
    CHECK_INT(run_importer(ruru_csv_import, data, big + 21, &r, &d), RURU_OK);
    CHECK_INT(r.n_ind, 2);
    CHECK_INT(r.n_rej, 1);
    CHECK(rec_has(r.rej, r.n_rej, "line=2 value=aaaa"));
    CHECK(strstr(rec_find(r.rej, r.n_rej, "line=2"), "reason=line too long") != NULL);
    CHECK(rec_has(r.ind, r.n_ind, "ipv4 192.0.2.2 line=3"));
    rec_free(&r);
    free(data);

    rec_init(&r);
    CHECK_INT(run_importer(ruru_csv_import, bad_utf8, sizeof(bad_utf8) - 1, &r, &d), RURU_OK);
    CHECK_INT(r.n_ind, 1);
    CHECK_INT(r.n_rej, 2);
    rec_free(&r);

    rec_init(&r);
    CHECK_INT(run_importer(ruru_csv_import, nul, sizeof(nul) - 1, &r, &d), RURU_OK);
    CHECK_INT(r.n_ind, 2);
    rec_free(&r);

    /* The benchmark corpus shape. */
    {
        static const char gen[] =
                "type,value\nipv4,5.1.2.3\nipv6,2a01:1:2::3\ncidr,45.1.2.0/24\n"
                "domain,abcdefg1.xyz\nurl,http://abcdefghi.top/gate/0a1b2c.php\n"
                "sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                "md5,d41d8cd98f00b204e9800998ecf8427e\n";
        rec_init(&r);
        CHECK_INT(run_importer(ruru_csv_import, gen, sizeof(gen) - 1, &r, &d), RURU_OK);
        CHECK_INT(r.n_ind, 7);
        CHECK_INT(r.n_rej, 0);
        CHECK(rec_has(r.ind, r.n_ind, "cidr4 45.1.2.0/24 line=4"));
        CHECK(rec_has(r.ind, r.n_ind, "ipv6 2a01:1:2::3 line=3"));
        rec_free(&r);
    }
}

int main(void)
{
    test_columns();
    test_defanged_twin();
    test_text_list();
    test_quoting();
    test_hostile();
    return check_done();
}
