/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek intel files (src/intel/zeek.c): directives, every Intel:: type, the metadata mapping,
 * rejections, hostile input, and every intel file of Zeek's own test suite in
 * ../shared/data/intel/zeek with exact counts. Expectations assume the real normaliser
 * (intel/ioc.h canonical forms and reason phrases).
 */
#include <stdint.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/zeek_types.h"
#include "lists_rec.h"
#include "shared_data.h"

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

static enum ruru_err run(const char *in, struct lrec *r)
{
    return lrec_run(ruru_zeek_import, in, strlen(in), r);
}

static void run_path(const char *path, struct lrec *r)
{
    size_t len = 0;
    char *data = lrec_slurp(path, &len);

    CHECK(data != NULL);
    if (data == NULL)
        fprintf(stderr, "cannot read %s\n", path);
    CHECK_INT(lrec_run(ruru_zeek_import, data ? data : "", len, r), RURU_OK);
    free(data);
}

static void
expect_lists(const struct lrec *r, const char *const *ind, const char *const *rej, const char *what)
{
    size_t n_ind = 0, n_rej = 0;

    while (ind[n_ind] != NULL)
        n_ind++;
    while (rej[n_rej] != NULL)
        n_rej++;
    if (r->ind.n != n_ind || r->rej.n != n_rej)
        fprintf(stderr, "case: %s\n", what);
    CHECK_INT(r->ind.n, n_ind);
    CHECK_INT(r->rej.n, n_rej);
    for (size_t i = 0; i < n_ind; i++)
        CHECK_STR(lrec_at(&r->ind, i), ind[i]);
    for (size_t i = 0; i < n_rej; i++)
        CHECK_STR(lrec_at(&r->rej, i), rej[i]);
}

/* Every Intel:: type and metadata field (tests/data/zeek/all-types.intel). */
static void test_all_types(void)
{
    static const char *const ind[] = {
            "ipv4 198.51.100.23 line=8 ctx=if_in=Conn::IN_RESP confidence=85 by=partner "
            "desc=staging server labels=zeek-source:partner|ref:https://cert.example/a|"
            "zeek-do-notice|c2|apt40",
            "cidr4 198.51.100.0/24 line=9 by=partner labels=zeek-source:partner",
            "cidr6 2001:db8::/32 line=10 by=partner labels=zeek-source:partner",
            "domain evil.example line=11 ctx=if_in=DNS::IN_REQUEST by=partner desc=C2 domain "
            "labels=zeek-source:partner",
            "url http://owa-login.example/owa/auth/logon.aspx line=12 "
            "raw=owa-login.example/owa/auth/logon.aspx ctx=if_in=HTTP::IN_URL by=partner "
            "desc=phishing page labels=zeek-source:partner",
            "url https://secure.evil.example/login line=13 by=partner labels=zeek-source:partner",
            "email ops@evil.example line=14 by=partner labels=zeek-source:partner",
            "md5 d41d8cd98f00b204e9800998ecf8427e line=15 by=partner labels=zeek-source:partner",
            "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 line=16 by=partner "
            "labels=zeek-source:partner",
            "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 line=17 "
            "by=partner labels=zeek-source:partner",
            "sha512 cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2"
            "b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e line=18 by=partner "
            "labels=zeek-source:partner",
            "filename invoice.pdf.exe line=19 by=partner labels=zeek-source:partner",
            "x509-sha1 abcdef0123456789abcdef0123456789abcdef01 line=20 "
            "raw=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01 by=partner "
            "labels=zeek-source:partner",
            "string putty line=21 by=partner labels=zeek-source:partner",
            "string administrator line=22 by=partner labels=zeek-source:partner",
            "string 0123456789abcdef0123456789abcdef line=23 by=partner "
            "labels=zeek-source:partner",
            "ja3 e7d705a3286e19ea42f587b344ee6865 line=24 raw=E7D705A3286E19EA42F587B344EE6865 "
            "by=partner labels=zeek-source:partner",
            "domain xn--caf-dma.example line=31 raw=caf\xc3\xa9.example by=partner "
            "desc=caf\xc3\xa9 labels=zeek-source:partner",
            "ipv4 192.0.2.77 line=33",
            NULL,
    };
    static const char *const rej[] = {
            "line=25 col=1 value=evil.example reason=value does not match type",
            "line=26 col=2 value=1.2.3.4 reason=unknown indicator type",
            "line=27 col=0 value=short\tIntel::ADDR\tpartner reason=wrong number of fields",
            "line=28 col=1 value= reason=empty value",
            "line=29 col=1 value=deadbeef reason=malformed hash",
            "line=30 col=1 value=tab\tinside.example reason=malformed domain name",
            "line=32 col=1 value=bad\xef\xbf\xbd.example reason=invalid UTF-8",
            NULL,
    };
    struct lrec r;

    run_path(RURU_OWN_DATA "/zeek/all-types.intel", &r);
    expect_lists(&r, ind, rej, "all-types.intel");
    lrec_free(&r);
}

/* Default fields before any #fields, a '|' separator, a repeated #fields, other markers,
 * meta.whitelist, CRLF line ends (tests/data/zeek/custom.intel). */
static void test_custom_directives(void)
{
    static const char *const ind[] = {
            "ipv4 198.51.100.1 line=1 by=feed-a labels=zeek-source:feed-a",
            "ipv4 198.51.100.2 line=3 by=feed-b labels=zeek-source:feed-b",
            "ipv4 10.1.2.3 line=5 no-ids by=internal labels=zeek-source:internal|zeek-whitelist",
            "domain evil.example line=8",
            "ipv4 192.0.2.200 line=12 by=feed-c labels=zeek-source:feed-c",
            NULL,
    };
    static const char *const none[] = {NULL};
    struct lrec r;

    run_path(RURU_OWN_DATA "/zeek/custom.intel", &r);
    expect_lists(&r, ind, none, "custom.intel");
    lrec_free(&r);
}

static void test_directives_file(void)
{
    static const char *const ind[] = {
            "ipv4 198.51.100.23 line=6 by=partner desc=staging "
            "labels=zeek-source:partner|ref:https://cert.example/a",
            "url http://owa-login.example/owa/ line=7 raw=owa-login.example/owa/ by=partner "
            "labels=zeek-source:partner",
            "x509-sha1 abcdef0123456789abcdef0123456789abcdef01 line=8 "
            "raw=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01 by=partner "
            "labels=zeek-source:partner",
            "md5 d41d8cd98f00b204e9800998ecf8427e line=9 by=partner desc=empty file "
            "labels=zeek-source:partner",
            NULL,
    };
    static const char *const rej[] = {
            "line=10 col=0 value=bad\tIntel::ADDR\tpartner reason=wrong number of fields",
            "line=11 col=2 value=1.2.3.4 reason=unknown indicator type",
            NULL,
    };
    struct lrec r;

    run_path(RURU_OWN_DATA "/zeek/directives.intel", &r);
    expect_lists(&r, ind, rej, "directives.intel");
    lrec_free(&r);
}

/*
 * Zeek's own test files (../shared/data/intel/zeek, read in place). The expected counts were
 * worked out without ruru, by awk over the files:
 *   awk -F'\t' '/^#fields/{nf=NF-1;next} /^#/{next} NF!=nf{bad++;next}
 *               $1~/^127\./{lo++;next} {ok++}'
 * i.e. every data row has as many fields as its #fields line, and the only rows the
 * normaliser refuses are loopback addresses (127.0.0.0/8, "loopback address": they would
 * match every host's own traffic). Repeated rows are emitted each time (the store merges).
 */
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
    static const char *const cluster[] = {
            "ipv4 1.2.3.4 line=2 by=source1 desc=this host is bad "
            "labels=zeek-source:source1|ref:http://some-data-distributor.com/1",
            "ipv4 1.2.3.4 line=3 by=source2 desc=this host is bad "
            "labels=zeek-source:source2|ref:http://some-data-distributor.com/1",
            "ipv4 1.2.3.5 line=4 by=source1 desc=this host is bad "
            "labels=zeek-source:source1|ref:http://some-data-distributor.com/1",
            "cidr4 192.168.0.0/16 line=5 by=source1 desc=this network is bad "
            "labels=zeek-source:source1|ref:http://some-data-distributor.com/2",
            "string putty line=6 by=source1 desc=this software is bad "
            "labels=zeek-source:source1|ref:http://some-data-distributor.com/2",
            "string putty line=7 by=source2 desc=this software is bad "
            "labels=zeek-source:source2|ref:http://some-data-distributor.com/2",
            "string putty2 line=8 by=source3 desc=this software is bad "
            "labels=zeek-source:source3|ref:http://some-data-distributor.com/2",
            NULL,
    };
    static const char *const none[] = {NULL};
    static const char *const prefix_rej[] = {
            "line=2 col=1 value=127.0.0.1 reason=loopback address",
            "line=3 col=1 value=127.0.0.2 reason=loopback address",
            "line=4 col=1 value=127.0.0.3 reason=loopback address",
            NULL,
    };
    char path[1024];
    struct lrec r;

    for (size_t i = 0; i < N_CASES(files); i++) {
        snprintf(path, sizeof(path), "%s/intel/zeek/%s", shared_data(), files[i].file);
        run_path(path, &r);
        if (r.ind.n != files[i].n_ind || r.rej.n != files[i].n_rej)
            fprintf(stderr, "file %s\n", files[i].file);
        CHECK_INT(r.ind.n, files[i].n_ind);
        CHECK_INT(r.rej.n, files[i].n_rej);
        lrec_free(&r);
    }
    run_path(shared_path("intel/zeek/cluster-indicator-inserted-new-min-store.dat"), &r);
    expect_lists(&r, cluster, none, "cluster-indicator-inserted-new-min-store.dat");
    lrec_free(&r);
    run_path(shared_path("intel/zeek/input-prefix.dat"), &r);
    expect_lists(&r, none, prefix_rej, "input-prefix.dat");
    lrec_free(&r);
    /* "this btest " as the source: trimmed. */
    run_path(shared_path("intel/zeek/no-paths.dat"), &r);
    CHECK_STR(lrec_at(&r.rej, 2), "line=4 col=1 value=127.0.0.3 reason=loopback address");
    lrec_free(&r);
    run_path(shared_path("intel/zeek/input-and-match.dat"), &r);
    CHECK_STR(lrec_at(&r.ind, 2), "email e@mail.com line=4 by=source1 desc=Phishing email source "
                                  "labels=zeek-source:source1|ref:http://some-data-distributor."
                                  "com/100000");
    lrec_free(&r);
    run_path(shared_path("intel/zeek/match-subnet.dat"), &r);
    CHECK_STR(lrec_at(&r.ind, 4), "cidr4 192.168.142.0/26 line=6 by=source1 desc=this subnetwork "
                                  "is inside labels=zeek-source:source1|ref:http://some-data-"
                                  "distributor.com/4");
    lrec_free(&r);
    /* Headers repeat mid-file; the rows after each are read with it. meta.do_notice F adds
     * nothing, T the label. */
    run_path(shared_path("intel/zeek/updated-match.dat"), &r);
    CHECK_STR(lrec_at(&r.ind, 2), "ipv4 4.3.2.1 line=5 by=source2 desc=this host might also be "
                                  "baaad labels=zeek-source:source2|ref:http://some-data-"
                                  "distributor.com/4321");
    CHECK_STR(lrec_at(&r.ind, 4), "ipv4 4.3.2.1 line=8 by=source2 desc=this host might also be "
                                  "baaad labels=zeek-source:source2|ref:http://some-data-"
                                  "distributor.com/4321|zeek-do-notice");
    lrec_free(&r);
}

static void test_edge_cases(void)
{
    static const struct {
        const char *in;
        const char *ind[4];
        const char *rej[4];
    } cases[] = {
            /* Nothing to read. */
            {"", {NULL}, {NULL}},
            {"#fields\tindicator\n\n  \n# comment\n", {NULL}, {NULL}},
            /* "#fieldsx" is a comment, not a header. */
            {"#fieldsx\tindicator\n192.0.2.1\tIntel::ADDR\tsrc\n",
             {"ipv4 192.0.2.1 line=2 by=src labels=zeek-source:src"},
             {NULL}},
            /* #fields without an indicator column. */
            {"#fields\tmeta.source\tmeta.desc\nsrc\tdesc\n",
             {NULL},
             {"line=2 col=0 value=src\tdesc reason=no indicator field"}},
            /* Escapes in fields; a field holding the separator escaped. */
            {"#fields\tindicator\tindicator_type\tmeta.desc\n"
             "evil.example\tIntel::DOMAIN\ta\\x09b \\x5cx41\n",
             {"domain evil.example line=2 desc=a\tb \\x41"},
             {NULL}},
            /* A separator directive with an escape that does not fit is ignored. */
            {"#separator \\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\n"
             "192.0.2.1\tIntel::ADDR\tsrc\n",
             {"ipv4 192.0.2.1 line=2 by=src labels=zeek-source:src"},
             {NULL}},
            /* A multi-byte separator. */
            {"#separator ::\n#fields::indicator::meta.source\n192.0.2.1::src\n",
             {"ipv4 192.0.2.1 line=3 by=src labels=zeek-source:src"},
             {NULL}},
            /* Tags split on the set separator; a confidence fraction. */
            {"#set_separator\t;\n#fields\tindicator\tmeta.tags\tmeta.confidence\n"
             "192.0.2.1\ta; b;;c\t0.9\n",
             {"ipv4 192.0.2.1 line=3 confidence=90 labels=a|b|c"},
             {NULL}},
            /* No newline at the end; CR before it. */
            {"192.0.2.1\tIntel::ADDR\tsrc\r",
             {"ipv4 192.0.2.1 line=1 by=src labels=zeek-source:src"},
             {NULL}},
            /* A NUL in the indicator (escaped); a NUL in the description. */
            {"#fields\tindicator\tmeta.desc\n1.2.3.4\\x00\tx\n192.0.2.1\ta\\x00b\n",
             {"ipv4 192.0.2.1 line=3 desc=a\xef\xbf\xbd"
              "b"},
             {"line=2 col=1 value=1.2.3.4\xef\xbf\xbd reason=NUL byte in value"}},
    };
    struct lrec r;

    for (size_t i = 0; i < N_CASES(cases); i++) {
        size_t n_ind = 0, n_rej = 0;
        CHECK_INT(run(cases[i].in, &r), RURU_OK);
        while (cases[i].ind[n_ind] != NULL)
            n_ind++;
        while (cases[i].rej[n_rej] != NULL)
            n_rej++;
        if (r.ind.n != n_ind || r.rej.n != n_rej)
            fprintf(stderr, "case: %s\n", cases[i].in);
        CHECK_INT(r.ind.n, n_ind);
        CHECK_INT(r.rej.n, n_rej);
        for (size_t k = 0; k < n_ind; k++)
            CHECK_STR(lrec_at(&r.ind, k), cases[i].ind[k]);
        for (size_t k = 0; k < n_rej; k++)
            CHECK_STR(lrec_at(&r.rej, k), cases[i].rej[k]);
        lrec_free(&r);
    }
}

static void test_hostile(void)
{
    size_t big = 10u << 20;
    char *data = malloc(big + 64);
    static const char bad[] = "\xff\xfe\t-\t\x80\n192.0.2.1\tIntel::ADDR\t\xe9t\xe9\n";
    struct lrec r;

    /* A 10 MB line between two good ones. */
    memcpy(data, "192.0.2.1\tIntel::ADDR\ts\n", 24);
    memset(data + 24, 'a', big);
    memcpy(data + 24 + big, "\n192.0.2.2\tIntel::ADDR\ts\n", 25);
    CHECK_INT(lrec_run(ruru_zeek_import, data, big + 49, &r), RURU_OK);
    CHECK_INT(r.ind.n, 2);
    CHECK_STR(lrec_at(&r.ind, 1), "ipv4 192.0.2.2 line=3 by=s labels=zeek-source:s");
    CHECK_INT(r.rej.n, 1);
    CHECK(strncmp(lrec_at(&r.rej, 0), "line=2 col=0 value=aaaa", 23) == 0);
    CHECK(strstr(lrec_at(&r.rej, 0), "reason=line too long") != NULL);
    lrec_free(&r);
    free(data);

    /* Invalid UTF-8: the indicator is rejected, the source cleaned (U+FFFD per bad byte). */
    CHECK_INT(lrec_run(ruru_zeek_import, bad, sizeof(bad) - 1, &r), RURU_OK);
    CHECK_INT(r.rej.n, 1);
    CHECK_STR(lrec_at(&r.rej, 0),
              "line=1 col=1 value=\xef\xbf\xbd\xef\xbf\xbd reason=invalid UTF-8");
    CHECK_INT(r.ind.n, 1);
    CHECK_STR(lrec_at(&r.ind, 0), "ipv4 192.0.2.1 line=2 by=\xef\xbf\xbdt\xef\xbf\xbd "
                                  "labels=zeek-source:\xef\xbf\xbdt\xef\xbf\xbd");
    lrec_free(&r);
}

static void test_type_resolve(void)
{
    static const struct {
        const char *name, *value;
        bool known;
        enum ruru_ioc_type type;
        bool any; /* no restriction on the result */
    } cases[] = {
            {"Intel::ADDR", "192.0.2.1", true, RURU_IOC_NONE, false},
            {"intel::addr", "192.0.2.1", true, RURU_IOC_NONE, false},
            {" Intel::SUBNET ", "192.0.2.0/24", true, RURU_IOC_NONE, false},
            {"Intel::URL", "x/y", true, RURU_IOC_URL, true},
            {"Intel::FILE_HASH", "d41d8cd98f00b204e9800998ecf8427e", true, RURU_IOC_MD5, true},
            {"Intel::FILE_HASH", "abc", true, RURU_IOC_SHA256, true},
            {"Intel::CERT_HASH", "d41d8cd98f00b204e9800998ecf8427e", true, RURU_IOC_X509_MD5, true},
            {"Intel::CERT_HASH", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
             true, RURU_IOC_X509_SHA256, true},
            {"Intel::JA3", "x", true, RURU_IOC_JA3, true},
            {"Intel::USER_NAME", "x", true, RURU_IOC_STRING, true},
            {"Intel::NOPE", "x", false, RURU_IOC_NONE, true},
            {"ADDR", "x", false, RURU_IOC_NONE, true},
    };

    for (size_t i = 0; i < N_CASES(cases); i++) {
        enum ruru_ioc_type type = RURU_IOC__COUNT;
        uint32_t allowed = 12345;
        bool is_cert = false;
        bool known = ruru_zeek_type_resolve(cases[i].name, strlen(cases[i].name), cases[i].value,
                                            strlen(cases[i].value), &type, &allowed, &is_cert);
        CHECK_INT(known, cases[i].known);
        if (!known) {
            CHECK_INT(type, RURU_IOC__COUNT); /* untouched */
            continue;
        }
        CHECK_INT(type, cases[i].type);
        CHECK_INT(allowed == 0, cases[i].any);
    }
}

/* Every allocation failing in turn: RURU_OK or RURU_ENOMEM, never a crash or a leak. */
static void test_oom(void)
{
    static const char in[] = "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\t"
                             "meta.url\tmeta.if_in\tmeta.cif_tags\n"
                             "192.0.2.1\tIntel::ADDR\ts\td\\xff\thttp://x/\tConn::IN_RESP\ta,b\n"
                             "x.example/a\tIntel::URL\ts\t-\t-\t-\t-\n";
    int seen = 0;

    CHECK_INT(lrec_oom(ruru_zeek_import, in, sizeof(in) - 1, &seen), 0);
    CHECK_INT(seen, 2);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_shared();
        return check_done();
    }
    test_all_types();
    test_custom_directives();
    test_directives_file();
    test_edge_cases();
    test_hostile();
    test_type_resolve();
    test_oom();
    return check_done();
}
