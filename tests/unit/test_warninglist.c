/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ruru_warninglist_import over all 28 real MISP warninglists in ../shared/data/misp (read in
 * place) and over lists written here from the list.json format.
 *
 * The expected numbers for the real files were computed with Python over the JSON, not with
 * the C code: cidr entries stripped and put through ipaddress.ip_network(strict=True), a
 * full-length prefix written as the plain address, loopback ranges kept as written
 * lower-cased; hostname and string entries stripped, ASCII lower-cased, trailing dots removed,
 * and leading dots too for hostname lists (".dyndns.org" is dyndns.org and its subdomains;
 * a string entry ".google.ad" stays as written); substring and regex entries as written. No real
 * entry is empty or refused, so n is len(list). The digest is FNV-1a 64 over "entry LF" per entry
 * (galaxy_rec.h folds the same).
 */
#include "galaxy_rec.h"
#include "shared_data.h"

#define SHARED shared_path("misp/warninglists")

static void test_real_lists(void)
{
    static const struct {
        const char *dir;
        size_t n;
        uint64_t digest;
        const char *first;
    } lists[] = {
            {"akamai", 268, 0x095ff8bdfebfd27eu, "103.11.223.0/24"},
            {"bank-website", 2226, 0x25267ce5141d5d2du, "02bancorp.com"}, /* ".02bancorp.com" */
            {"cisco_top1000", 1000, 0x4ce216d889c85113u, "1.connectivity-test.static.microsoft"},
            {"cloudflare-top1k", 1001, 0x5dd99f1db497b8e5u, "0xrpc.io"},
            {"cloudflare", 22, 0x3b5b19a1743c758fu, "103.21.244.0/22"},
            {"common-contact-emails", 1, 0xf0f5aab0e3a315deu,
             "/^(security|noc|soc|abuse)\\@.*\\..*$/i"},
            {"dynamic-dns", 35467, 0xd38cbfc05ba47513u, "0000000000000000000000.com"},
            {"empty-hashes", 6, 0xb726dd0ccf624cf4u, "3::"},
            {"fastly", 21, 0xdac32219f8cad3a0u, "103.244.50.0/24"},
            {"google-gmail-sending-ips", 8, 0x6b4d4a18fcbd473cu, "2001:4860:4864::/56"},
            {"google", 669, 0x624c7e1bdcc045e0u, ".google.ad"},
            {"googlebot", 65, 0xf70168b83dfb0347u, "192.178.4.0/24"},
            {"ipv6-linklocal", 1, 0x88ed74d79cc9cc5au, "fe80::/10"}, /* "FE80::/10" */
            {"microsoft-office365-ip", 82, 0xc602a1adbabafa70u, "104.146.128.0/17"},
            {"moz-top500", 500, 0x45b76cad058b85d8u, "123rf.com"},
            {"multicast", 16, 0x589f2f98fb62e5c5u, "224.0.0.0/8"},
            {"public-dns-hostname", 34783, 0x0398bc59510291b3u, "-250.starlink.ru"},
            {"public-dns-v4", 62745, 0x22047c694fd1fa9bu, "1.0.0.1"},
            {"public-dns-v6", 269, 0xf718f76d2cd9396bu, "2001:148f:fffe::1"},
            {"rfc1918", 3, 0xb1fd9755ac7fc6a1u, "10.0.0.0/8"},
            {"rfc3849", 1, 0xdd00e0eecbf43d2au, "2001:db8::/32"}, /* "2001:DB8::/32" */
            {"rfc5735", 15, 0x960d01fffc91974au, "0.0.0.0/8"},
            {"rfc6598", 1, 0xfa2df869f9e33836u, "100.64.0.0/10"},
            {"security-provider-blogpost", 647, 0x0a931f1f33d65602u, "0x1338.blogspot.be"},
            {"sinkholes", 107, 0x42a6ffcccf1db36eu, "104.155.11.149"},
            {"tlds", 1438, 0x5b3fd8b546c5a399u, "aaa"}, /* "AAA" */
            {"umbrella-blockpage-hostname", 5, 0xab3bca2e1173887bu, "hit-adult.opendns.com"},
            {"whats-my-ip", 234, 0xd9f0478167c8693au, "2ip.ru"},
    };
    static const char *const rfc5735[] = {
            "0.0.0.0/8",      "10.0.0.0/8",    "127.0.0.0/8",     "169.254.0.0/16",
            "172.16.0.0/12",  "192.0.0.0/24",  "192.0.2.0/24",    "192.168.0.0/16",
            "192.88.99.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4",    "240.0.0.0/4",   "255.255.255.255",
    };
    struct grec r;
    struct ruru_diag d;
    char rel[128];

    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        snprintf(rel, sizeof(rel), "%s/list.json", lists[i].dir);
        CHECK_INT(grec_run_file(ruru_warninglist_import, SHARED, rel, &r, &d), RURU_OK);
        CHECK_INT(r.wl.n, 1);
        CHECK_INT(r.entries.n, lists[i].n);
        CHECK_INT(r.rej.n, 0);
        CHECK_STR(r.entries.n > 0 ? r.entries.v[0] : "(none)", lists[i].first);
        if (r.digest != lists[i].digest) {
            fprintf(stderr, "%s: digest 0x%016" PRIx64 "\n", lists[i].dir, r.digest);
            check_failed++;
        } else {
            check_passed++;
        }
        grec_free(&r);
    }

    CHECK_INT(grec_run_file(ruru_warninglist_import, SHARED, "rfc5735/list.json", &r, &d), RURU_OK);
    CHECK_STR(r.wl.n == 1 ? r.wl.v[0] : "(none)",
              "List of RFC 5735 CIDR blocks type=cidr version=5 n=15 "
              "attrs=ip-src|ip-dst|domain|ip|ip-dst|port|ip-src|port desc=Event contains one or "
              "more entries part of the Special Use IPv4 Addresses CIDR blocks (RFC 5735)");
    CHECK_INT(r.entries.n, sizeof(rfc5735) / sizeof(rfc5735[0]));
    for (size_t i = 0; i < r.entries.n && i < sizeof(rfc5735) / sizeof(rfc5735[0]); i++)
        CHECK_STR(r.entries.v[i], rfc5735[i]);
    grec_free(&r);
    CHECK_INT(
            grec_run_file(ruru_warninglist_import, SHARED, "public-dns-hostname/list.json", &r, &d),
            RURU_OK);
    /* The one entry with white space: "static-185.132.201.202.andorpac.ad\\ ". */
    CHECK_INT(grec_count(&r.entries, "static-185.132.201.202.andorpac.ad\\"), 1);
    CHECK_INT(grec_count_has(&r.entries, " "), 0);
    grec_free(&r);
}

/* tests/data/warninglist/: every entry rule; positions from Python (json raw_decode). */
static void test_edge_files(void)
{
    static const char *const cidr[] = {
            "10.0.0.0/8",   "192.168.0.0/16", "127.0.0.0/8",   "0.0.0.0/8",
            "::1",          "::/128",         "2001:db8::/32", "fe80::/10",
            "13.107.140.6", "192.0.2.0/24",   "0.0.0.0/1",     "8.8.8.8",
    };
    static const char *const cidr_rej[] = {
            "line=19 col=5 value=1.2.3.4/24 reason=host bits set in CIDR",
            "line=20 col=5 value=not-an-ip reason=malformed IPv4 address",
            "line=21 col=5 value= reason=empty warninglist entry",
            "line=22 col=5 value=    reason=empty warninglist entry",
            "line=23 col=5 reason=warninglist entry is not a string",
            "line=24 col=5 value=0.0.0.0/0 reason=CIDR wider than the configured bound",
            "line=0 col=0 value=matching_attributes reason=wrong JSON type",
    };
    static const char *const hosts[] = {
            "example.com",
            "dns.google",
            ("vak\xc4\xb1" /* ".vakıfbank.com": the leading dot goes */
             "fbank.com"),
            "a.b",
            "xn--vakfbank-d4a.com",
            "dns.google",
    };
    static const char *const hosts_rej[] = {
            "line=12 col=5 value=. reason=empty warninglist entry",
            "line=13 col=5 value= reason=empty warninglist entry",
            "line=14 col=5 reason=warninglist entry is not a string",
    };
    struct grec r;
    struct ruru_diag d;

    CHECK_INT(
            grec_run_file(ruru_warninglist_import, RURU_OWN_DATA, "warninglist/cidr.json", &r, &d),
            RURU_OK);
    CHECK_STR(r.wl.n == 1 ? r.wl.v[0] : "(none)",
              "Edge CIDR list type=cidr version=3 n=12 attrs=ip-src|ip-dst|domain|ip desc=Written "
              "for ruru's tests from the MISP warninglist format: reserved ranges are accepted "
              "here.");
    CHECK_INT(r.entries.n, sizeof(cidr) / sizeof(cidr[0]));
    for (size_t i = 0; i < r.entries.n && i < sizeof(cidr) / sizeof(cidr[0]); i++)
        CHECK_STR(r.entries.v[i], cidr[i]);
    CHECK_INT(r.rej.n, sizeof(cidr_rej) / sizeof(cidr_rej[0]));
    for (size_t i = 0; i < r.rej.n && i < sizeof(cidr_rej) / sizeof(cidr_rej[0]); i++)
        CHECK_STR(r.rej.v[i], cidr_rej[i]);
    grec_free(&r);

    CHECK_INT(grec_run_file(ruru_warninglist_import, RURU_OWN_DATA, "warninglist/hostname.json", &r,
                            &d),
              RURU_OK);
    CHECK_STR(r.wl.n == 1 ? r.wl.v[0] : "(none)",
              "Edge host names type=hostname version=20240615 n=6 attrs=hostname|domain "
              "desc=Written for ruru's tests: case, white space and trailing dots.");
    CHECK_INT(r.entries.n, sizeof(hosts) / sizeof(hosts[0]));
    for (size_t i = 0; i < r.entries.n && i < sizeof(hosts) / sizeof(hosts[0]); i++)
        CHECK_STR(r.entries.v[i], hosts[i]);
    CHECK_INT(r.rej.n, sizeof(hosts_rej) / sizeof(hosts_rej[0]));
    for (size_t i = 0; i < r.rej.n && i < sizeof(hosts_rej) / sizeof(hosts_rej[0]); i++)
        CHECK_STR(r.rej.v[i], hosts_rej[i]);
    grec_free(&r);

    CHECK_INT(grec_run_file(ruru_warninglist_import, RURU_OWN_DATA, "warninglist/substring.json",
                            &r, &d),
              RURU_OK);
    CHECK_INT(r.entries.n, 3);
    CHECK_STR(r.entries.n == 3 ? r.entries.v[0] : "(none)", " /Admin/ ");
    CHECK_STR(r.entries.n == 3 ? r.entries.v[1] : "(none)", "CaseKept");
    CHECK_STR(r.entries.n == 3 ? r.entries.v[2] : "(none)", " ");
    CHECK_STR(r.rej.n == 1 ? r.rej.v[0] : "(none)",
              "line=7 col=37 value= reason=empty warninglist entry");
    grec_free(&r);

    CHECK_INT(
            grec_run_file(ruru_warninglist_import, RURU_OWN_DATA, "warninglist/regex.json", &r, &d),
            RURU_OK);
    CHECK_STR(r.wl.n == 1 ? r.wl.v[0] : "(none)",
              "Edge regexes type=regex version=0 n=2 attrs=email-src desc=-");
    CHECK_STR(r.entries.n == 2 ? r.entries.v[0] : "(none)",
              "/^(security|noc|soc|abuse)\\@.*\\..*$/i");
    CHECK_STR(r.entries.n == 2 ? r.entries.v[1] : "(none)", "  spaced  ");
    CHECK_INT(r.rej.n, 0);
    grec_free(&r);
}

static void test_shapes(void)
{
    static const struct {
        const char *doc;
        enum ruru_err err;
        uint64_t line, col;
        size_t n_wl, n_entries, n_rej;
        const char *first_rej;
    } cases[] = {
            {"{\"name\": \"a\", \"type\": \"cidr\", \"list\": [\"10.0.0.0/8\",\n", RURU_EPARSE, 2,
             0, 0, 0, 0, NULL},
            {"{\"type\": \"cidr\", \"list\": []}", RURU_EPARSE, 1, 1, 0, 0, 0, NULL},
            {"{\"name\": \"\", \"type\": \"cidr\", \"list\": []}", RURU_EPARSE, 1, 1, 0, 0, 0,
             NULL},
            /* No "type": a string list, the format's default. */
            {"{\"name\": \"a\", \"list\": []}", RURU_OK, 0, 0, 1, 0, 0, NULL},
            {"{\"name\": \"a\", \"type\": \"cidr\", \"list\": \"10.0.0.0/8\"}", RURU_EPARSE, 1, 1,
             0, 0, 0, NULL},
            {"[\"10.0.0.0/8\"]", RURU_EPARSE, 1, 1, 0, 0, 0, NULL},
            {"{\"name\": \"a\", \"type\": \"cidr\", \"list\": []}", RURU_OK, 0, 0, 1, 0, 0, NULL},
            {"{\"name\": \"a\", \"type\": \"glob\", \"list\": [\"*\"]}", RURU_OK, 0, 0, 0, 0, 1,
             "line=0 col=0 value=glob reason=unsupported warninglist type"},
            {"{\"name\": \"a\", \"type\": \"string\", \"version\": \"3\", \"description\": [],"
             " \"matching_attributes\": \"url\", \"list\": [\"X\"]}",
             RURU_OK, 0, 0, 1, 1, 3, "line=0 col=0 value=version reason=wrong JSON type"},
            /* Duplicate keys: jansson keeps the last "list", and so do the positions. */
            {"{\"name\": \"a\", \"type\": \"string\", \"list\": [\"\"], \"list\": [\"x\", 1]}",
             RURU_OK, 0, 0, 1, 1, 1, "line=1 col=61 reason=warninglist entry is not a string"},
    };
    struct grec r;
    struct ruru_diag d;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        grec_init(&r);
        CHECK_INT(grec_run_str(ruru_warninglist_import, cases[i].doc, &r, &d), cases[i].err);
        if (cases[i].err != RURU_OK) {
            CHECK_INT(d.line, cases[i].line);
            CHECK_INT(d.col, cases[i].col);
        }
        CHECK_INT(r.wl.n, cases[i].n_wl);
        CHECK_INT(r.entries.n, cases[i].n_entries);
        CHECK_INT(r.rej.n, cases[i].n_rej);
        if (cases[i].first_rej != NULL)
            CHECK_STR(r.rej.n > 0 ? r.rej.v[0] : "(none)", cases[i].first_rej);
        grec_free(&r);
    }
}

/* A 10 MiB entry, and 200 000 entries of which every other one is bad: rejects keep their
 * positions without rescanning the list for each. */
static void test_hostile(void)
{
    enum { BIG = 10 << 20, MANY = 200000 };
    char *doc = malloc(BIG + (size_t)MANY * 16 + 256);
    struct grec r;
    struct ruru_diag d;
    size_t n;

    CHECK(doc != NULL);
    if (doc == NULL)
        return;
    n = (size_t)snprintf(doc, 256, "{\"name\": \"big\", \"type\": \"substring\", \"list\": [\"");
    memset(doc + n, 'A', BIG);
    n += BIG;
    n += (size_t)snprintf(doc + n, 256, "\"]}");
    grec_init(&r);
    CHECK_INT(grec_run(ruru_warninglist_import, doc, n, &r, &d), RURU_OK);
    CHECK(r.entries.n == 1 && strlen(r.entries.v[0]) == BIG);
    grec_free(&r);

    n = (size_t)snprintf(doc, 256, "{\"name\": \"many\", \"type\": \"cidr\", \"list\": [");
    for (size_t i = 0; i < MANY; i++)
        n += (size_t)snprintf(doc + n, 16, "%s%s", i ? ",\n" : "", i % 2 ? "\"\"" : "\"1.2.3.4\"");
    n += (size_t)snprintf(doc + n, 16, "]}");
    grec_init(&r);
    CHECK_INT(grec_run(ruru_warninglist_import, doc, n, &r, &d), RURU_OK);
    CHECK_INT(r.entries.n, MANY / 2);
    CHECK_INT(r.rej.n, MANY / 2);
    CHECK_STR(r.rej.n == MANY / 2 ? r.rej.v[MANY / 2 - 1] : "(none)",
              "line=200000 col=1 value= reason=empty warninglist entry");
    grec_free(&r);
    free(doc);
}

static void test_stop_and_oom(void)
{
    static const char doc[] = "{\"name\": \"s\", \"type\": \"cidr\", \"matching_attributes\": "
                              "[\"ip-src\", 1], \"list\": [\"10.0.0.0/8\", \"\", \"::1\", "
                              "\"FE80::/10\", \"1.2.3.4/8\"]}";

    /* reject "", reject host bits, reject attribute, the list */
    CHECK_INT(grec_stop_each(ruru_warninglist_import, doc), 4);
    CHECK(grec_oom_each(ruru_warninglist_import, doc) >= 3);
}

int main(int argc, char **argv)
{
    if (corpus_part(argc, argv)) {
        SHARED_OR_SKIP();
        test_real_lists();
        return check_done();
    }
    test_edge_files();
    test_shapes();
    test_hostile();
    test_stop_and_oom();
    return check_done();
}
