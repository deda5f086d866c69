/* SPDX-License-Identifier: Apache-2.0 */
/* Normalisation: canonical forms, rejections with their exact reasons, refang, inference. */
#include "check.h"
#include "intel/ioc.h"

struct norm_case {
    enum ruru_ioc_type type; /* given */
    const char *raw;
    enum ruru_ioc_type want_type; /* RURU_IOC_NONE: rejected */
    const char *want;             /* canonical value, or the reason when rejected */
};

#define T(x) RURU_IOC_##x
static const struct norm_case CASES[] = {
        /* IPv4 */
        {T(IPV4), "192.0.2.1", T(IPV4), "192.0.2.1"},
        {T(IPV4), " 192.0.2.1 ", T(IPV4), "192.0.2.1"},
        {T(NONE), "192.0.2.1", T(IPV4), "192.0.2.1"},
        {T(IPV4), "192.0.2.256", T(NONE), "malformed IPv4 address"},
        {T(IPV4), "010.0.2.1", T(NONE), "malformed IPv4 address"},
        {T(IPV4), "1.2.3", T(NONE), "malformed IPv4 address"},
        {T(IPV4), "0.0.0.0", T(NONE), "unspecified address"},
        {T(IPV4), "127.0.0.1", T(NONE), "loopback address"},
        {T(IPV4), "1.2.3.4/32", T(IPV4), "1.2.3.4"},
        {T(CIDR4), "1.2.3.4", T(IPV4), "1.2.3.4"},
        {T(CIDR4), "10.0.0.0/8", T(CIDR4), "10.0.0.0/8"},
        {T(CIDR4), "10.0.0.0/7", T(NONE), "CIDR wider than the configured bound"},
        {T(CIDR4), "0.0.0.0/0", T(NONE), "CIDR wider than the configured bound"},
        {T(CIDR4), "10.1.2.3/8", T(NONE), "host bits set in CIDR"},
        {T(CIDR4), "10.0.0.0/33", T(NONE), "malformed CIDR"},
        {T(CIDR4), "10.0.0.0/", T(NONE), "malformed CIDR"},
        {T(NONE), "203.0.113.0/24", T(CIDR4), "203.0.113.0/24"},
        /* IPv6, RFC 5952 */
        {T(IPV6), "2001:0db8::0001", T(IPV6), "2001:db8::1"},
        {T(IPV6), "2001:db8:0:0:1:0:0:1", T(IPV6), "2001:db8::1:0:0:1"},
        {T(IPV6), "2001:DB8:0:1:1:1:1:1", T(IPV6), "2001:db8:0:1:1:1:1:1"},
        {T(IPV6), "[2001:db8::1]", T(IPV6), "2001:db8::1"},
        {T(IPV6), "::ffff:192.0.2.1", T(IPV4), "192.0.2.1"},
        {T(IPV6), "::1", T(NONE), "loopback address"},
        {T(IPV6), "::", T(NONE), "unspecified address"},
        {T(IPV6), "fe80::1%eth0", T(NONE), "malformed IPv6 address"},
        {T(IPV6), "2001:db8::g", T(NONE), "malformed IPv6 address"},
        {T(CIDR6), "2001:db8::/32", T(CIDR6), "2001:db8::/32"},
        {T(CIDR6), "2001::/16", T(NONE), "CIDR wider than the configured bound"},
        {T(CIDR6), "2001:db8::1/64", T(NONE), "host bits set in CIDR"},
        /* Domains */
        {T(DOMAIN), "Evil.COM.", T(DOMAIN), "evil.com"},
        {T(DOMAIN), "a.b.evil.com", T(DOMAIN), "a.b.evil.com"},
        {T(DOMAIN), "com", T(NONE), "public suffix"},
        {T(DOMAIN), "co.nz", T(NONE), "public suffix"},
        {T(DOMAIN), "govt.nz", T(NONE), "public suffix"},
        {T(DOMAIN), "github.io", T(NONE), "public suffix"},
        {T(DOMAIN), "example.co.nz", T(DOMAIN), "example.co.nz"},
        {T(DOMAIN), "localhost", T(NONE), "single-label name"},
        {T(DOMAIN),
         "b\xc3\xbc"
         "cher.example",
         T(DOMAIN), "xn--bcher-kva.example"},
        {T(DOMAIN), "under_score.example.com", T(DOMAIN), "under_score.example.com"},
        {T(DOMAIN), "bad..example.com", T(NONE), "malformed domain name"},
        {T(DOMAIN), "bad host.com", T(NONE), "malformed domain name"},
        {T(DOMAIN), "198.51.100.7", T(IPV4), "198.51.100.7"},
        /* URLs, RFC 3986 §6.2.2 */
        {T(URL), "HTTP://www.Example.com:80/%7Euser/a/../b", T(URL),
         "http://www.example.com/~user/b"},
        {T(URL), "https://Example.com:443", T(URL), "https://example.com/"},
        {T(URL), "https://example.com:8443/x?q=%2f#frag", T(URL),
         "https://example.com:8443/x?q=%2F"},
        {T(URL), "http://example.com/a/./b/../c", T(URL), "http://example.com/a/c"},
        {T(URL), "evil.com/gate.php", T(URL), "http://evil.com/gate.php"},
        {T(URL), "http://user@Evil.com/", T(URL), "http://user@evil.com/"},
        {T(URL), "http://[2001:DB8::1]:8080/x", T(URL), "http://[2001:db8::1]:8080/x"},
        {T(URL), "http://198.51.100.7/x", T(URL), "http://198.51.100.7/x"},
        {T(URL), "http://example.com/a%zz%7%37", T(URL), "http://example.com/a%25zz%2577"},
        {T(URL), "http://exa mple.com/", T(NONE), "malformed URL"},
        {T(URL), "http://example.com:99999/", T(NONE), "malformed URL"},
        {T(URL), "http:///x", T(NONE), "malformed URL"},
        {T(NONE), "ftp://files.example.com:21/a", T(URL), "ftp://files.example.com/a"},
        /* Hashes */
        {T(MD5), "5D41402ABC4B2A76B9719D911017C592", T(MD5), "5d41402abc4b2a76b9719d911017c592"},
        {T(MD5), "5d41402abc4b2a76b9719d911017c59", T(NONE), "malformed hash"},
        {T(SHA1), "zz41402abc4b2a76b9719d911017c592aaaaaaaa", T(NONE), "malformed hash"},
        {T(NONE), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", T(SHA256),
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {T(X509_SHA1), "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01", T(X509_SHA1),
         "abcdef0123456789abcdef0123456789abcdef01"},
        /* E-mail, ASN, text */
        {T(EMAIL), "Admin@Evil.COM", T(EMAIL), "Admin@evil.com"},
        {T(NONE), "x@evil.com", T(EMAIL), "x@evil.com"},
        {T(EMAIL), "no-at-sign.com", T(NONE), "malformed e-mail address"},
        {T(EMAIL), "a@localhost", T(NONE), "malformed e-mail address"},
        {T(ASN), "as13335", T(ASN), "AS13335"},
        {T(ASN), "13335", T(ASN), "AS13335"},
        {T(ASN), "AS4294967296", T(NONE), "malformed AS number"},
        {T(USER_AGENT), "  Mozilla/5.0 (X)  ", T(USER_AGENT), "Mozilla/5.0 (X)"},
        {T(FILENAME), "error3.aspx", T(FILENAME), "error3.aspx"},
        {T(STRING), "a\x1b[31mred", T(NONE), "control characters in value"},
        {T(STRING), "   ", T(NONE), "empty value"},
        {T(NONE), "just words", T(NONE), "unrecognised value"},
};

static void test_normalize(void)
{
    struct ruru_buf out;

    ruru_buf_init(&out, 1 << 20);
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
        const struct norm_case *c = &CASES[i];
        enum ruru_ioc_type t = c->type;
        const char *reason = NULL;
        bool ok = ruru_ioc_normalize(&t, c->raw, strlen(c->raw), NULL, &out, &reason);
        if (c->want_type == RURU_IOC_NONE) {
            if (ok || reason == NULL || strcmp(reason, c->want) != 0) {
                check_failed++;
                fprintf(stderr, "case %zu \"%s\": want reject \"%s\", got %s \"%s\"\n", i, c->raw,
                        c->want, ok ? "value" : "reason", ok ? ruru_buf_str(&out) : reason);
            } else {
                check_passed++;
            }
            continue;
        }
        if (!ok || t != c->want_type || strcmp(ruru_buf_str(&out), c->want) != 0) {
            check_failed++;
            fprintf(stderr, "case %zu \"%s\": want %s \"%s\", got %s \"%s\" (%s)\n", i, c->raw,
                    ruru_ioc_type_name(c->want_type), c->want, ruru_ioc_type_name(t),
                    ruru_buf_str(&out), reason ? reason : "ok");
            continue;
        }
        /* Idempotence: a canonical value normalises to itself. */
        {
            enum ruru_ioc_type t2 = t;
            struct ruru_buf again;
            const char *r2;
            ruru_buf_init(&again, 1 << 20);
            CHECK(ruru_ioc_normalize(&t2, out.ptr, out.len, NULL, &again, &r2));
            CHECK_STR(ruru_buf_str(&again), ruru_buf_str(&out));
            CHECK_INT(t2, t);
            ruru_buf_fini(&again);
        }
        check_passed++;
    }
    ruru_buf_fini(&out);
}

static void test_bounds(void)
{
    struct ruru_buf out;
    struct ruru_norm_opts wide = {1, 1};
    enum ruru_ioc_type t = RURU_IOC_CIDR4;
    const char *reason;

    ruru_buf_init(&out, 1 << 20);
    CHECK(ruru_ioc_normalize(&t, "10.0.0.0/7", 10, &wide, &out, &reason));
    CHECK_STR(ruru_buf_str(&out), "10.0.0.0/7");
    ruru_buf_fini(&out);
}

/* A defanged value and its fanged twin normalise to the same canonical value. */
static void test_refang(void)
{
    static const char *const pairs[][2] = {
            {"hxxp://evil[.]com/gate.php", "http://evil.com/gate.php"},
            {"hXXps://evil(.)com", "https://evil.com"},
            {"evil[dot]com", "evil.com"},
            {"198.51.100[.]7", "198.51.100.7"},
            {"admin[@]evil{.}com", "admin@evil.com"},
            {"admin[at]evil[.]com", "admin@evil.com"},
            {"http[:]//evil.com", "http://evil.com"},
            {"fxp://files.evil[.]com", "ftp://files.evil.com"},
            {"evil\\.com", "evil.com"},
    };
    struct ruru_buf a, b, ca, cb;

    ruru_buf_init(&a, 4096);
    ruru_buf_init(&b, 4096);
    ruru_buf_init(&ca, 4096);
    ruru_buf_init(&cb, 4096);
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        enum ruru_ioc_type ta = RURU_IOC_NONE, tb = RURU_IOC_NONE;
        const char *r;
        ruru_buf_reset(&a);
        ruru_buf_reset(&b);
        CHECK_INT(ruru_ioc_refang(pairs[i][0], strlen(pairs[i][0]), &a), RURU_OK);
        CHECK_STR(ruru_buf_str(&a), pairs[i][1]);
        CHECK_INT(ruru_ioc_refang(pairs[i][1], strlen(pairs[i][1]), &b), RURU_OK);
        CHECK(ruru_ioc_normalize(&ta, a.ptr, a.len, NULL, &ca, &r));
        CHECK(ruru_ioc_normalize(&tb, b.ptr, b.len, NULL, &cb, &r));
        CHECK_STR(ruru_buf_str(&ca), ruru_buf_str(&cb));
        CHECK_INT(ta, tb);
    }
    ruru_buf_fini(&a);
    ruru_buf_fini(&b);
    ruru_buf_fini(&ca);
    ruru_buf_fini(&cb);
}

static void test_infer_and_names(void)
{
    static const struct {
        const char *v;
        enum ruru_ioc_type t;
    } inf[] = {
            {"192.0.2.1", T(IPV4)},
            {"2001:db8::1", T(IPV6)},
            {"10.0.0.0/8", T(CIDR4)},
            {"evil.com", T(DOMAIN)},
            {"xn--bcher-kva.example", T(DOMAIN)},
            {"http://x.com/", T(URL)},
            {"evil.com/a.php", T(URL)},
            {"a@b.com", T(EMAIL)},
            {"AS13335", T(ASN)},
            {"5d41402abc4b2a76b9719d911017c592", T(MD5)},
            {"1.2.3", T(NONE)},
            {"hello", T(NONE)},
            {"version 1.2", T(NONE)},
            {"file.exe", T(DOMAIN)},
    };
    bool inferred;

    for (size_t i = 0; i < sizeof(inf) / sizeof(inf[0]); i++) {
        enum ruru_ioc_type got = ruru_ioc_infer(inf[i].v, strlen(inf[i].v));
        if (got != inf[i].t) {
            check_failed++;
            fprintf(stderr, "infer(%s): got %s, want %s\n", inf[i].v, ruru_ioc_type_name(got),
                    ruru_ioc_type_name(inf[i].t));
        } else {
            check_passed++;
        }
    }
    CHECK_INT(ruru_ioc_type_parse("ip-dst", &inferred), T(NONE));
    CHECK(inferred);
    CHECK_INT(ruru_ioc_type_parse(" Hostname ", &inferred), T(DOMAIN));
    CHECK(!inferred);
    CHECK_INT(ruru_ioc_type_parse("Intel::ADDR", &inferred), T(NONE));
    CHECK(inferred);
    CHECK_INT(ruru_ioc_type_parse("SHA-256", &inferred), T(SHA256));
    CHECK_INT(ruru_ioc_type_parse("ja3-fingerprint-md5", &inferred), T(JA3));
    CHECK_INT(ruru_ioc_type_parse("cidr6", &inferred), T(CIDR6));
    CHECK_INT(ruru_ioc_type_parse("regkey", &inferred), T(NONE));
    CHECK(!inferred);
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        CHECK_INT(ruru_ioc_type_parse(ruru_ioc_type_name((enum ruru_ioc_type)t), &inferred), t);
}

int main(void)
{
    test_normalize();
    test_bounds();
    test_refang();
    test_infer_and_names();
    return check_done();
}
