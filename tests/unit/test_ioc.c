/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalisation (src/intel/ioc.c): every canonical form, every reject reason with its exact
 * phrase, defanged twins normalising to their fanged forms, inference, type names and their
 * synonyms, RFC 5952 IPv6 text, RFC 3986 §6 URLs (the RFC's own examples), public suffixes,
 * IDN, limits, NUL bytes and allocation failure. Each accepted row is normalised a second
 * time: a canonical value must come back unchanged with the same type.
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "check.h"
#include "intel/ioc.h"

#define T(x) RURU_IOC_##x

/* One normalisation: `type` and `raw` given; want_type RURU_IOC_NONE means rejected, and then
 * `want` is the reason. raw_len 0 means strlen(raw). */
struct norm_case {
    enum ruru_ioc_type type;
    const char *raw;
    enum ruru_ioc_type want_type;
    const char *want;
    size_t raw_len;
};

static bool run_case(const struct norm_case *c, const struct ruru_norm_opts *opts, int line)
{
    struct ruru_buf out, again;
    enum ruru_ioc_type t = c->type;
    const char *reason = "(unset)";
    size_t len = c->raw_len ? c->raw_len : strlen(c->raw);
    bool ok, good;

    ruru_buf_init(&out, 1 << 20);
    ruru_buf_init(&again, 1 << 20);
    ruru_buf_adds(&out, "left over from the last call");
    ok = ruru_ioc_normalize(&t, c->raw, len, opts, &out, &reason);
    if (c->want_type == RURU_IOC_NONE) {
        good = !ok && reason != NULL && strcmp(reason, c->want) == 0 && out.len == 0 &&
               t == c->type;
        if (!good)
            fprintf(stderr, "row %d: %s \"%s\": want reject \"%s\", got %s \"%s\"\n", line,
                    ruru_ioc_type_name(c->type), c->raw, c->want, ok ? "value" : "reason",
                    ok       ? ruru_buf_str(&out)
                    : reason ? reason
                             : "(null)");
    } else {
        good = ok && reason == NULL && t == c->want_type &&
               strcmp(ruru_buf_str(&out), c->want) == 0;
        if (!good) {
            fprintf(stderr, "row %d: %s \"%s\": want %s \"%s\", got %s \"%s\" (%s)\n", line,
                    ruru_ioc_type_name(c->type), c->raw, ruru_ioc_type_name(c->want_type), c->want,
                    ruru_ioc_type_name(t), ruru_buf_str(&out), reason ? reason : "ok");
        } else {
            /* Idempotence: the canonical value normalises to itself, type unchanged. */
            enum ruru_ioc_type t2 = t;
            const char *r2;
            if (!ruru_ioc_normalize(&t2, out.ptr, out.len, opts, &again, &r2) || t2 != t ||
                strcmp(ruru_buf_str(&again), ruru_buf_str(&out)) != 0) {
                fprintf(stderr, "row %d: \"%s\" is not stable: %s \"%s\"\n", line,
                        ruru_buf_str(&out), ruru_ioc_type_name(t2), ruru_buf_str(&again));
                good = false;
            }
        }
    }
    if (good)
        check_passed++;
    else
        check_failed++;
    ruru_buf_fini(&out);
    ruru_buf_fini(&again);
    return good;
}

#define N(type, raw, wtype, want)       \
    {                                   \
        T(type), raw, T(wtype), want, 0 \
    }
#define R(type, raw, reason)             \
    {                                    \
        T(type), raw, T(NONE), reason, 0 \
    }

/* ---- canonical forms --------------------------------------------------------------------- */

static const struct norm_case IP_CASES[] = {
        /* IPv4: strict dotted quad */
        N(IPV4, "192.0.2.1", IPV4, "192.0.2.1"),
        N(IPV4, " 192.0.2.1 ", IPV4, "192.0.2.1"),
        N(IPV4, "\t192.0.2.1\r\n", IPV4, "192.0.2.1"),
        N(IPV4, "255.255.255.255", IPV4, "255.255.255.255"),
        N(IPV4, "1.0.0.0", IPV4, "1.0.0.0"),
        N(IPV4, "[192.0.2.1]", IPV4, "192.0.2.1"),
        N(NONE, "192.0.2.1", IPV4, "192.0.2.1"),
        R(IPV4, "192.0.2.256", "malformed IPv4 address"),
        R(IPV4, "010.0.2.1", "malformed IPv4 address"),
        R(IPV4, "10.0.2.01", "malformed IPv4 address"),
        R(IPV4, "1.2.3", "malformed IPv4 address"),
        R(IPV4, "1.2.3.4.5", "malformed IPv4 address"),
        R(IPV4, "1..2.3", "malformed IPv4 address"),
        R(IPV4, "1.2.3.4:80", "malformed IPv4 address"),
        R(IPV4, "0x7f.0.0.1", "malformed IPv4 address"),
        R(IPV4, "3232235777", "malformed IPv4 address"),
        R(IPV4, "1.2.3.4 5", "malformed IPv4 address"),
        R(IPV4, "1111.2.3.4", "malformed IPv4 address"),
        R(IPV4, "evil.com", "malformed IPv4 address"),
        R(IPV4, "0.0.0.0", "unspecified address"),
        R(IPV4, "127.0.0.1", "loopback address"),
        R(IPV4, "127.255.255.254", "loopback address"),
        /* CIDR4 */
        N(CIDR4, "10.0.0.0/8", CIDR4, "10.0.0.0/8"),
        N(CIDR4, "203.0.113.0/24", CIDR4, "203.0.113.0/24"),
        N(CIDR4, "10.0.0.0/08", CIDR4, "10.0.0.0/8"),
        N(CIDR4, "192.0.2.128/25", CIDR4, "192.0.2.128/25"),
        N(CIDR4, "192.0.2.1/32", IPV4, "192.0.2.1"),
        N(CIDR4, "1.2.3.4", IPV4, "1.2.3.4"),
        N(IPV4, "10.0.0.0/8", CIDR4, "10.0.0.0/8"),
        N(NONE, "203.0.113.0/24", CIDR4, "203.0.113.0/24"),
        R(CIDR4, "10.0.0.0/7", "CIDR wider than the configured bound"),
        R(CIDR4, "128.0.0.0/1", "CIDR wider than the configured bound"),
        R(CIDR4, "0.0.0.0/0", "CIDR wider than the configured bound"),
        R(CIDR4, "10.1.2.3/8", "host bits set in CIDR"),
        R(CIDR4, "192.0.2.1/24", "host bits set in CIDR"),
        R(CIDR4, "10.0.0.0/33", "malformed CIDR"),
        R(CIDR4, "10.0.0.0/", "malformed CIDR"),
        R(CIDR4, "10.0.0.0/a", "malformed CIDR"),
        R(CIDR4, "10.0.0.0/-8", "malformed CIDR"),
        R(CIDR4, "10.0.0.0/0008", "malformed CIDR"),
        R(CIDR4, "10.0.0.0/8/8", "malformed CIDR"),
        R(CIDR4, "0.0.0.0/8", "unspecified address"),
        R(CIDR4, "127.0.0.0/8", "loopback address"),
        R(CIDR4, "127.1.0.0/16", "loopback address"),
        /* IPv6: RFC 5952 text */
        N(IPV6, "2001:db8::1", IPV6, "2001:db8::1"),
        N(IPV6, "2001:0db8::0001", IPV6, "2001:db8::1"),
        N(IPV6, "2001:db8:0:0:0:0:0:1", IPV6, "2001:db8::1"),
        N(IPV6, "2001:db8:0:0:1:0:0:1", IPV6, "2001:db8::1:0:0:1"),    /* §4.2.3: first on a tie */
        N(IPV6, "2001:0:0:1:0:0:0:1", IPV6, "2001:0:0:1::1"),          /* §4.2.3: the longest */
        N(IPV6, "2001:db8:0:1:1:1:1:1", IPV6, "2001:db8:0:1:1:1:1:1"), /* §4.2.2: one 0 stays */
        N(IPV6, "0:2:3:4:5:6:7:8", IPV6, "0:2:3:4:5:6:7:8"),
        N(IPV6, "::2:3:4:5:6:7:8", IPV6, "0:2:3:4:5:6:7:8"),
        N(IPV6, "1:2:3:4:5:6:7::", IPV6, "1:2:3:4:5:6:7:0"),
        N(IPV6, "1:0:0:0:0:0:0:0", IPV6, "1::"),
        N(IPV6, "2001:DB8:AC10:FE01::", IPV6, "2001:db8:ac10:fe01::"), /* §4.3: lower case */
        N(IPV6,
          "2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001",
          IPV6,
          "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"),
        N(IPV6, "fe80::0:0:1", IPV6, "fe80::1"),
        N(IPV6, "[2001:db8::1]", IPV6, "2001:db8::1"),
        N(IPV6, "::192.0.2.1", IPV6, "::c000:201"),
        N(IPV6, "64:ff9b::192.0.2.33", IPV6, "64:ff9b::c000:221"),
        N(IPV6, "::ffff:192.0.2.1", IPV4, "192.0.2.1"),
        N(IPV6, "::FFFF:c000:0201", IPV4, "192.0.2.1"),
        N(IPV6, "0:0:0:0:0:ffff:192.0.2.1", IPV4, "192.0.2.1"),
        N(IPV4, "2001:db8::1", IPV6, "2001:db8::1"),
        N(NONE, "2001:DB8::1", IPV6, "2001:db8::1"),
        R(IPV6, "::1", "loopback address"),
        R(IPV6, "0:0:0:0:0:0:0:1", "loopback address"),
        R(IPV6, "::ffff:127.0.0.1", "loopback address"),
        R(IPV6, "::", "unspecified address"),
        R(IPV6, "0:0:0:0:0:0:0:0", "unspecified address"),
        R(IPV6, "::ffff:0.0.0.0", "unspecified address"),
        R(IPV6, "fe80::1%eth0", "malformed IPv6 address"),
        R(IPV6, "fe80::1%25eth0", "malformed IPv6 address"),
        R(IPV6, "2001:db8::g", "malformed IPv6 address"),
        R(IPV6, "1::2::3", "malformed IPv6 address"),
        R(IPV6, "1:2:3:4:5:6:7:8:9", "malformed IPv6 address"),
        R(IPV6, "12345::1", "malformed IPv6 address"),
        R(IPV6, "::ffff:01.2.3.4", "malformed IPv6 address"),
        R(IPV6, "[2001:db8::1", "malformed IPv6 address"),
        R(IPV6, "2001:db8:::1", "malformed IPv6 address"),
        /* CIDR6 */
        N(CIDR6, "2001:db8::/32", CIDR6, "2001:db8::/32"),
        N(CIDR6, "2001:DB8:0:0::/48", CIDR6, "2001:db8::/48"),
        N(CIDR6, "[2001:db8::]/32", CIDR6, "2001:db8::/32"),
        N(CIDR6, "2001:db8::1/128", IPV6, "2001:db8::1"),
        N(CIDR6, "2001:db8:0:0:1::/80", CIDR6, "2001:db8:0:0:1::/80"),
        N(CIDR6, "::ffff:10.0.0.0/104", CIDR4, "10.0.0.0/8"),
        N(CIDR6, "::ffff:192.0.2.1/128", IPV4, "192.0.2.1"),
        N(NONE, "2001:db8::/48", CIDR6, "2001:db8::/48"),
        R(CIDR6, "2001::/16", "CIDR wider than the configured bound"),
        R(CIDR6, "::/0", "CIDR wider than the configured bound"),
        R(CIDR6, "2001:db8::1/64", "host bits set in CIDR"),
        R(CIDR6, "::ffff:0:0/95", "host bits set in CIDR"),
        R(CIDR6, "2001:db8::/129", "malformed CIDR"),
        R(CIDR6, "::ffff:10.0.0.0/129", "malformed CIDR"),
        R(CIDR6, "::/64", "unspecified address"),
        R(CIDR6, "::/127", "unspecified address"),
        R(CIDR6, "::ffff:0.0.0.0/104", "unspecified address"),
};

static const struct norm_case DOMAIN_CASES[] = {
        N(DOMAIN, "evil.com", DOMAIN, "evil.com"), N(DOMAIN, "Evil.COM.", DOMAIN, "evil.com"),
        N(DOMAIN, "  a.b.Evil.com  ", DOMAIN, "a.b.evil.com"),
        N(DOMAIN, "evil.com..", DOMAIN, "evil.com"),
        N(DOMAIN, "example.co.nz", DOMAIN, "example.co.nz"),
        N(DOMAIN, "evil.github.io", DOMAIN, "evil.github.io"),
        N(DOMAIN, "under_score.example.com", DOMAIN, "under_score.example.com"),
        N(DOMAIN, "_dmarc.example.com", DOMAIN, "_dmarc.example.com"),
        N(DOMAIN, "-dash-.example.com", DOMAIN, "-dash-.example.com"),
        N(DOMAIN, "3com.com", DOMAIN, "3com.com"),
        N(DOMAIN, "1.2.3.example", DOMAIN, "1.2.3.example"),
        N(DOMAIN, "file.exe", DOMAIN, "file.exe"),
        /* IDN: UTS 46 non-transitional, punycode kept */
        N(DOMAIN, "b\303\274cher.example", DOMAIN, "xn--bcher-kva.example"),
        N(DOMAIN, "B\303\234CHER.Example", DOMAIN, "xn--bcher-kva.example"),
        N(DOMAIN, "XN--BCHER-KVA.EXAMPLE", DOMAIN, "xn--bcher-kva.example"),
        N(DOMAIN, "xn--bcher-kva.example", DOMAIN, "xn--bcher-kva.example"),
        N(DOMAIN, "fa\xc3\x9f.de", DOMAIN, "xn--fa-hia.de"),
        /* only labels with non-ASCII bytes go through libidn2: the same name in Unicode and
         * in punycode comes out the same, IDNA's stricter rules or not */
        N(DOMAIN, "-x.b\303\274cher.example", DOMAIN, "-x.xn--bcher-kva.example"),
        N(DOMAIN, "-x.xn--bcher-kva.example", DOMAIN, "-x.xn--bcher-kva.example"),
        N(DOMAIN, "a_b.b\303\274cher.example", DOMAIN, "a_b.xn--bcher-kva.example"),
        N(DOMAIN, "ab--c.b\303\274cher.example.", DOMAIN, "ab--c.xn--bcher-kva.example"),
        N(DOMAIN, "B\303\234CHER.XN--P1AI", DOMAIN, "xn--bcher-kva.xn--p1ai"),
        N(DOMAIN, "b\303\274cher.example\xe3\x80\x82", DOMAIN, "xn--bcher-kva.example"),
        R(DOMAIN, "\xe2\x80\x8d.example", "malformed domain name"), /* ZWJ maps to nothing */
        N(DOMAIN,
          "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
          DOMAIN,
          "xn--e1afmkfd.xn--p1ai"),
        N(DOMAIN, "EXAMPLE.\xd1\x80\xd1\x84", DOMAIN, "example.xn--p1ai"),
        /* full-width letters and dot, ideographic full stops: UTS 46 maps them */
        N(DOMAIN,
          "\xef\xbd\x85\xef\xbd\x98\xef\xbd\x81\xef\xbd\x8d\xef\xbd\x90\xef\xbd\x8c\xef\xbd\x85"
          "\xef\xbc\x8e\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8d",
          DOMAIN,
          "example.com"),
        N(DOMAIN,
          "x\xe3\x80\x82y\xe3\x80\x82"
          "com",
          DOMAIN,
          "x.y.com"),
        /* a label of 63 and a name of 253 bytes are the limits */
        N(DOMAIN,
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
          DOMAIN,
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example"),
        R(DOMAIN,
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
          "malformed domain name"),
        /* addresses filed as host names are addresses */
        N(DOMAIN, "198.51.100.7", IPV4, "198.51.100.7"),
        N(DOMAIN, "198.51.100.7.", IPV4, "198.51.100.7"),
        N(DOMAIN, "2001:DB8::1", IPV6, "2001:db8::1"),
        N(DOMAIN, "[2001:db8::1]", IPV6, "2001:db8::1"),
        N(DOMAIN, "::ffff:198.51.100.7", IPV4, "198.51.100.7"),
        N(DOMAIN,
          "\xef\xbc\x91\xef\xbc\x8e\xef\xbc\x92\xef\xbc\x8e\xef\xbc\x93\xef\xbc\x8e\xef\xbc\x94",
          IPV4,
          "1.2.3.4"),
        R(DOMAIN, "127.0.0.1", "loopback address"), R(DOMAIN, "0.0.0.0", "unspecified address"),
        /* public suffixes (libpsl's built-in list) and single labels */
        R(DOMAIN, "com", "public suffix"), R(DOMAIN, "COM.", "public suffix"),
        R(DOMAIN, "co.nz", "public suffix"), R(DOMAIN, "govt.nz", "public suffix"),
        R(DOMAIN, "github.io", "public suffix"), R(DOMAIN, "co.uk", "public suffix"),
        R(DOMAIN, "xn--p1ai", "public suffix"), R(DOMAIN, "\xd1\x80\xd1\x84", "public suffix"),
        R(DOMAIN, "localhost", "single-label name"), R(DOMAIN, "evil", "single-label name"),
        R(DOMAIN, "intranet.", "single-label name"),
        /* syntax */
        R(DOMAIN, "bad..example.com", "malformed domain name"),
        R(DOMAIN, ".evil.com", "malformed domain name"),
        R(DOMAIN, "bad host.com", "malformed domain name"),
        R(DOMAIN, "a;b.example", "malformed domain name"),
        R(DOMAIN, "*.evil.com", "malformed domain name"),
        R(DOMAIN, "evil.com/x", "malformed domain name"),
        R(DOMAIN, "http://evil.com", "malformed domain name"),
        R(DOMAIN, "a.123", "malformed domain name"),
        R(DOMAIN, "10.0.0.0/8", "malformed domain name"), R(DOMAIN, "...", "malformed domain name"),
        R(DOMAIN, "two\nlines.example", "malformed domain name"),
        R(DOMAIN, "1.2.3", "malformed IPv4 address"),
        R(DOMAIN, "010.1.1.1", "malformed IPv4 address"),
        R(DOMAIN, "1.2.3.4.5", "malformed IPv4 address"),
        R(DOMAIN,
          "\xcc\x81"
          "a.example",
          "invalid internationalised name"),                                 /* combining mark */
        R(DOMAIN, "\xff\xfe.example", "invalid internationalised name"),     /* not UTF-8 */
        R(DOMAIN, "-\xc3\xa9.example", "invalid internationalised name"),    /* leading hyphen */
        R(DOMAIN, "\xee\x80\x80.example", "invalid internationalised name"), /* private use */
};

static const struct norm_case URL_CASES[] = {
        /* RFC 3986 §6.2.2 */
        N(URL, "HTTP://www.Example.com:80/%7Euser/a/../b", URL, "http://www.example.com/~user/b"),
        N(URL, "example://a/b/c/%7Bfoo%7D", URL, "example://a/b/c/%7Bfoo%7D"),
        N(URL, "eXAMPLE://a/./b/../b/%63/%7bfoo%7d", URL, "example://a/b/c/%7Bfoo%7D"),
        /* the worked example of ioc.c */
        N(URL,
          "https://Mail.Example.COM:443/%7eadmin/./x%2fy#frag",
          URL,
          "https://mail.example.com/~admin/x%2Fy"),
        /* §6.2.3: the same URL four ways */
        N(URL, "http://example.com", URL, "http://example.com/"),
        N(URL, "http://example.com/", URL, "http://example.com/"),
        N(URL, "http://example.com:/", URL, "http://example.com/"),
        N(URL, "http://example.com:80/", URL, "http://example.com/"),
        /* §5.2.4 dot segments */
        N(URL, "http://a.example/a/b/c/./../../g", URL, "http://a.example/a/g"),
        N(URL, "http://a.example/a/./b/../c", URL, "http://a.example/a/c"),
        N(URL, "http://a.example/../../x", URL, "http://a.example/x"),
        N(URL, "http://a.example/a/b/..", URL, "http://a.example/a/"),
        N(URL, "http://a.example/a/..", URL, "http://a.example/"),
        N(URL, "http://a.example/.", URL, "http://a.example/"),
        N(URL, "http://a.example/a/%2e%2E/b", URL, "http://a.example/b"),
        N(URL, "http://a.example/a%2e%2E/b", URL, "http://a.example/a../b"),
        N(URL, "http://a.example/.../x", URL, "http://a.example/.../x"),
        N(URL, "http://a.example//double//slash", URL, "http://a.example//double//slash"),
        /* scheme, host, port */
        N(URL, "HtTpS://Example.com:443", URL, "https://example.com/"),
        N(URL, "https://example.com:80/", URL, "https://example.com:80/"),
        N(URL, "http://example.com:443/", URL, "http://example.com:443/"),
        N(URL, "https://example.com:8443/x", URL, "https://example.com:8443/x"),
        N(URL, "http://example.com:0080/", URL, "http://example.com/"),
        N(URL, "http://example.com:00008080/", URL, "http://example.com:8080/"),
        N(URL, "ftp://files.example.com:21/a", URL, "ftp://files.example.com/a"),
        N(URL, "ftp://files.example.com", URL, "ftp://files.example.com"),
        N(URL, "ws://chat.example.com:80/", URL, "ws://chat.example.com:80/"),
        N(URL, "svn+ssh://Host.example/x", URL, "svn+ssh://host.example/x"),
        N(URL, "http://Evil.COM./x", URL, "http://evil.com/x"),
        N(URL, "http://b\303\274cher.example/x", URL, "http://xn--bcher-kva.example/x"),
        N(URL, "http://ev%69l.com/", URL, "http://evil.com/"),
        N(URL, "http://localhost/x", URL, "http://localhost/x"),
        N(URL, "http://198.51.100.7/x", URL, "http://198.51.100.7/x"),
        N(URL, "http://[2001:DB8:0:0::1]:8080/x", URL, "http://[2001:db8::1]:8080/x"),
        N(URL, "http://[2001:db8::1]", URL, "http://[2001:db8::1]/"),
        N(URL, "http://[::ffff:192.0.2.1]/", URL, "http://[::ffff:c000:201]/"),
        /* userinfo kept as written */
        N(URL, "http://user@Evil.com/", URL, "http://user@evil.com/"),
        N(URL, "http://User:Pa%73s@Evil.COM:80/", URL, "http://User:Pa%73s@evil.com/"),
        N(URL, "http://a@b@evil.com/", URL, "http://a@b@evil.com/"),
        /* percent-encoding: unreserved decoded, others upper-cased, strays and spaces and
         * non-ASCII bytes encoded */
        N(URL, "http://example.com/%41%2d%2E%5f%7E%30", URL, "http://example.com/A-._~0"),
        /* a path given as a URL or a MISP "uri": the path of any site */
        N(URL, "/owa/auth/errorEE.aspx", URI_PATH, "/owa/auth/errorEE.aspx"),
        N(URL, "/just/a/path", URI_PATH, "/just/a/path"),
        N(URI_PATH, "/?a=1", URI_PATH, "/?a=1"),
        N(URI_PATH,
          "/aspnet_client/system_web/../system_web/%7ex.aspx?a=%2f#frag",
          URI_PATH,
          "/aspnet_client/system_web/~x.aspx?a=%2F"),
        N(URI_PATH, "/a b", URI_PATH, "/a%20b"),
        N(URI_PATH, "https://Evil.com/gate.php", URL, "https://evil.com/gate.php"),
        N(URI_PATH, "evil.com/gate.php", URL, "http://evil.com/gate.php"),
        N(URL, "http://example.com/a%2fb%3F", URL, "http://example.com/a%2Fb%3F"),
        N(URL, "http://example.com/a%zz%7%37", URL, "http://example.com/a%25zz%2577"),
        N(URL, "http://example.com/%", URL, "http://example.com/%25"),
        N(URL, "http://example.com/a b.exe", URL, "http://example.com/a%20b.exe"),
        N(URL, "http://example.com/\xc3\xbc?q=\xc3\xa4", URL, "http://example.com/%C3%BC?q=%C3%A4"),
        /* query kept (escapes normalised), fragment dropped */
        N(URL, "https://example.com:8443/x?q=%2f#frag", URL, "https://example.com:8443/x?q=%2F"),
        N(URL, "http://example.com?a=1&b=%7e&c", URL, "http://example.com/?a=1&b=~&c"),
        N(URL, "http://example.com/?a=/../b", URL, "http://example.com/?a=/../b"),
        N(URL, "http://example.com/p?", URL, "http://example.com/p?"),
        N(URL, "http://example.com#frag", URL, "http://example.com/"),
        N(URL, "http://example.com/a#b?c", URL, "http://example.com/a"),
        /* no scheme: a host first means a web URL */
        N(URL, "evil.com/gate.php", URL, "http://evil.com/gate.php"),
        N(URL, "evil.com", URL, "http://evil.com/"),
        N(URL, "Evil.com:8080/x", URL, "http://evil.com:8080/x"),
        N(URL, "evil.com:80/x", URL, "http://evil.com/x"),
        N(URL, "198.51.100.7/x", URL, "http://198.51.100.7/x"),
        N(URL, "[2001:db8::1]/x", URL, "http://[2001:db8::1]/x"),
        N(NONE, "evil.com/a.php", URL, "http://evil.com/a.php"),
        N(NONE, "ftp://files.example.com:21/a", URL, "ftp://files.example.com/a"),
        /* garbage */
        R(URL, "http://exa mple.com/", "malformed URL"),
        R(URL, "http://u ser@example.com/", "malformed URL"),
        R(URL, "http://example.com:99999/", "malformed URL"),
        R(URL, "http://example.com:65536/", "malformed URL"),
        R(URL, "http://example.com:abc/", "malformed URL"),
        R(URL, "http://example.com:8080:80/", "malformed URL"),
        R(URL, "http:///x", "malformed URL"),
        R(URI_PATH, "/", "malformed URL"),
        R(URI_PATH, "/?", "path matches every request"),
        R(URI_PATH, "//evil.com/x", "malformed URL"),
        R(URI_PATH, "/a\001b", "malformed path"),
        R(URL, "http://", "malformed URL"),
        R(URL, "http://user@/x", "malformed URL"),
        R(URL, "http://[2001:db8::1]x/", "malformed URL"),
        R(URL, "http://[2001:db8::1/", "malformed URL"),
        R(URL, "http://[fe80::1%25eth0]/", "malformed URL"),
        R(URL, "http://010.1.1.1/", "malformed URL"),
        R(URL, "http://exa%2Fmple.com/", "malformed URL"),
        R(URL,
          "http://example.com/a\x01"
          "b",
          "malformed URL"),
        R(URL, "http://bad..example.com/", "malformed URL"),
        R(URL, "mailto:a@example.com", "malformed URL"),
        R(URL, "javascript:alert(1)", "malformed URL"),
        R(URL, "user@evil.com/x", "malformed URL"),
        R(URL, "localhost/x", "malformed URL"),
        R(URL, "://evil.com/", "malformed URL"),
};

static const struct norm_case OTHER_CASES[] = {
        /* hashes */
        N(MD5, "5D41402ABC4B2A76B9719D911017C592", MD5, "5d41402abc4b2a76b9719d911017c592"),
        N(SHA1,
          "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D",
          SHA1,
          "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        N(SHA256,
          "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
          SHA256,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        N(SHA512,
          "CF83E1357EEFB8BDF1542850D66D8007D620E4050B5715DC83F4A921D36CE9CE"
          "47D0D13C5D85F2B0FF8318D2877EEC2F63B931BD47417A81A538327AF927DA3E",
          SHA512,
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        N(JA3, "E7D705A3286E19EA42F587B344EE6865", JA3, "e7d705a3286e19ea42f587b344ee6865"),
        N(JA3S, "f4febc55ea12b31ae17cfb7e614afda8", JA3S, "f4febc55ea12b31ae17cfb7e614afda8"),
        N(X509_MD5,
          "0123456789ABCDEF0123456789ABCDEF",
          X509_MD5,
          "0123456789abcdef0123456789abcdef"),
        N(X509_SHA1,
          "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
          X509_SHA1,
          "abcdef0123456789abcdef0123456789abcdef01"),
        N(X509_SHA256,
          "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:"
          "45:67:89",
          X509_SHA256,
          "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
        N(X509_MD5,
          "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
          X509_MD5,
          "0123456789abcdef0123456789abcdef"),
        N(NONE, "5d41402abc4b2a76b9719d911017c592", MD5, "5d41402abc4b2a76b9719d911017c592"),
        N(NONE,
          "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
          SHA1,
          "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
        N(NONE,
          "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
          SHA256,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        R(MD5, "5d41402abc4b2a76b9719d911017c59", "malformed hash"),
        R(MD5, "5d41402abc4b2a76b9719d911017c5920", "malformed hash"),
        R(MD5, "5d41402abc4b2a76b9719d911017c59g", "malformed hash"),
        R(MD5, "0x5d41402abc4b2a76b9719d911017c592", "malformed hash"),
        R(MD5, "5d:41:40:2a:bc:4b:2a:76:b9:71:9d:91:10:17:c5:92", "malformed hash"),
        R(SHA1, "zz41402abc4b2a76b9719d911017c592aaaaaaaa", "malformed hash"),
        R(SHA1, "5d41402abc4b2a76b9719d911017c592", "malformed hash"),
        R(SHA256, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "malformed hash"),
        R(SHA512,
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "malformed hash"),
        R(JA3, "not a hash", "malformed hash"),
        R(X509_SHA1,
          "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:0G",
          "malformed hash"),
        R(X509_SHA1,
          "AB-CD-EF-01-23-45-67-89-AB-CD-EF-01-23-45-67-89-AB-CD-EF-01",
          "malformed hash"),
        R(SHA256, "5d41402abc4b2a76 9719d911017c592", "malformed hash"),
        /* e-mail */
        N(EMAIL, "Admin@Evil.COM", EMAIL, "Admin@evil.com"),
        N(EMAIL, "A@EVIL.COM.", EMAIL, "A@evil.com"),
        N(EMAIL, "first.last+tag@mail.example.co.nz", EMAIL, "first.last+tag@mail.example.co.nz"),
        N(EMAIL, "x@b\303\274cher.example", EMAIL, "x@xn--bcher-kva.example"),
        N(EMAIL, "\"a b\"@example.com", EMAIL, "\"a b\"@example.com"),
        N(EMAIL, "\"a@b\"@example.com", EMAIL, "\"a@b\"@example.com"),
        N(EMAIL, "j\xc3\xb6rg@example.com", EMAIL, "j\xc3\xb6rg@example.com"),
        N(NONE, "x@evil.com", EMAIL, "x@evil.com"),
        R(EMAIL, "no-at-sign.com", "malformed e-mail address"),
        R(EMAIL, "a@localhost", "malformed e-mail address"),
        R(EMAIL, "a@evil.", "malformed e-mail address"),
        R(EMAIL, "@evil.com", "malformed e-mail address"),
        R(EMAIL, "a@", "malformed e-mail address"),
        R(EMAIL, "a b@evil.com", "malformed e-mail address"),
        R(EMAIL, "a@b@evil.com", "malformed e-mail address"),
        R(EMAIL, "<a@evil.com>", "malformed e-mail address"),
        R(EMAIL, "a,b@evil.com", "malformed e-mail address"),
        R(EMAIL, "a@[192.0.2.1]", "malformed e-mail address"),
        R(EMAIL, "a@192.0.2.1", "malformed e-mail address"),
        R(EMAIL, "a@bad..example.com", "malformed e-mail address"),
        R(EMAIL, "a@evil.com/x", "malformed e-mail address"),
        R(EMAIL, "a\x7f@evil.com", "malformed e-mail address"),
        R(EMAIL, "mailto:a@evil.com", "malformed e-mail address"),
        R(EMAIL, "a(comment)@evil.com", "malformed e-mail address"),
        R(EMAIL, "\"a\x01\"@evil.com", "malformed e-mail address"),
        N(EMAIL, "o'brien!x#y@evil.com", EMAIL, "o'brien!x#y@evil.com"),
        /* AS numbers */
        N(ASN, "AS13335", ASN, "AS13335"),
        N(ASN, "as13335", ASN, "AS13335"),
        N(ASN, "13335", ASN, "AS13335"),
        N(ASN, "ASN13335", ASN, "AS13335"),
        N(ASN, "AS0013335", ASN, "AS13335"),
        N(ASN, "AS0", ASN, "AS0"),
        N(ASN, "AS4294967295", ASN, "AS4294967295"),
        N(ASN, "AS1.10", ASN, "AS65546"), /* asdot, RFC 5396 */
        N(ASN, "AS65535.65535", ASN, "AS4294967295"),
        N(NONE, "AS13335", ASN, "AS13335"),
        N(NONE, "as64512", ASN, "AS64512"),
        R(ASN, "AS4294967296", "malformed AS number"),
        R(ASN, "99999999999", "malformed AS number"),
        R(ASN, "AS", "malformed AS number"),
        R(ASN, "ASx1", "malformed AS number"),
        R(ASN, "AS-1", "malformed AS number"),
        R(ASN, "AS 1", "malformed AS number"),
        R(ASN, "AS1.65536", "malformed AS number"),
        R(ASN, "AS65536.1", "malformed AS number"),
        R(ASN, "AS1.2.3", "malformed AS number"),
        R(ASN, "AS.1", "malformed AS number"),
        R(ASN, "Cloudflare", "malformed AS number"),
        /* text types: trimmed, tabs inside allowed, other controls refused */
        N(USER_AGENT, "  Mozilla/5.0 (X)  ", USER_AGENT, "Mozilla/5.0 (X)"),
        N(USER_AGENT, "curl/7.88.1", USER_AGENT, "curl/7.88.1"),
        N(FILENAME, "error3.aspx", FILENAME, "error3.aspx"),
        N(FILENAME, " \xe6\x96\x87\xe4\xbb\xb6.exe ", FILENAME, "\xe6\x96\x87\xe4\xbb\xb6.exe"),
        N(FILEPATH, "C:\\Windows\\Temp\\x.exe", FILEPATH, "C:\\Windows\\Temp\\x.exe"),
        N(FILEPATH, "/tmp/.X11-unix/  x", FILEPATH, "/tmp/.X11-unix/  x"),
        N(STRING, "a\tb", STRING, "a\tb"),
        N(STRING, "\r\nkeep CASE\r\n", STRING, "keep CASE"),
        N(PATTERN,
          " [ipv4-addr:value = '198.51.100.1'] ",
          PATTERN,
          "[ipv4-addr:value = '198.51.100.1']"),
        R(STRING, "a\x1b[31mred", "control characters in value"),
        R(STRING, "line1\nline2", "control characters in value"),
        R(USER_AGENT, "Mozilla\x7f", "control characters in value"),
        R(FILENAME, "a\rb", "control characters in value"),
        R(STRING, "   ", "empty value"),
        R(STRING, "", "empty value"),
        R(DOMAIN, "\t\n", "empty value"),
        R(MD5, "", "empty value"),
        /* no type given and none fits */
        R(NONE, "just words", "unrecognised value"),
        R(NONE, "hello", "unrecognised value"),
        R(NONE, "1.2.3", "unrecognised value"),
        R(NONE, "deadbeef", "unrecognised value"),
        R(NONE, "a@b@c.com", "unrecognised value"),
        R(NONE, "C:\\Windows\\x.exe", "unrecognised value"),
};

static void run_table(const struct norm_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_case(&cases[i], NULL, (int)i);
}

/* Embedded NUL bytes: the input is (ptr, len), never a C string. */
static void test_nul_bytes(void)
{
    static const struct norm_case cases[] = {
            {T(DOMAIN), "evil.com\0.x", T(NONE), "malformed domain name", 11},
            {T(IPV4), "192.0.2.1\0", T(NONE), "malformed IPv4 address", 10},
            {T(IPV6),
             "2001:db8::1\0"
             "1",
             T(NONE), "malformed IPv6 address", 13},
            {T(URL), "http://evil.com/\0x", T(NONE), "malformed URL", 18},
            {T(MD5), "5d41402abc4b2a76b9719d911017c59\0", T(NONE), "malformed hash", 32},
            {T(STRING), "a\0b", T(NONE), "control characters in value", 3},
            {T(EMAIL), "a\0@evil.com", T(NONE), "malformed e-mail address", 11},
            {T(ASN), "AS1\0", T(NONE), "malformed AS number", 4},
            {T(DOMAIN), "b\303\274cher\0.example", T(NONE), "malformed domain name", 15},
            /* the NUL is past the given length: not part of the value */
            {T(DOMAIN), "evil.com\0junk", T(DOMAIN), "evil.com", 8},
    };
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* 64 KiB is the longest value of any type. */
static void test_limits(void)
{
    size_t max = 64u * 1024u;
    char *big = malloc(max + 2);
    struct ruru_buf out;
    enum ruru_ioc_type t;
    const char *reason;

    ruru_buf_init(&out, 1 << 20);
    memset(big, 'a', max + 1);
    big[max + 1] = '\0';
    t = RURU_IOC_STRING;
    CHECK(ruru_ioc_normalize(&t, big, max, NULL, &out, &reason));
    CHECK_INT(out.len, max);
    t = RURU_IOC_STRING;
    CHECK(!ruru_ioc_normalize(&t, big, max + 1, NULL, &out, &reason));
    CHECK_STR(reason, "value too long");
    t = RURU_IOC_DOMAIN;
    CHECK(!ruru_ioc_normalize(&t, big, max + 1, NULL, &out, &reason));
    CHECK_STR(reason, "value too long");
    t = RURU_IOC_NONE;
    CHECK(!ruru_ioc_normalize(&t, big, max + 1, NULL, &out, &reason));
    CHECK_STR(reason, "value too long");
    CHECK_INT(ruru_ioc_infer(big, max + 1), RURU_IOC_NONE);
    /* white space around does not count */
    memset(big, ' ', max + 1);
    memcpy(big + 100, "evil.com", 8);
    t = RURU_IOC_DOMAIN;
    CHECK(ruru_ioc_normalize(&t, big, max + 1, NULL, &out, &reason));
    CHECK_STR(ruru_buf_str(&out), "evil.com");
    /* a 253-byte name is the longest (63 + 1 + 63 + 1 + 63 + 1 + 57 + 4 for ".com") */
    memset(big, 'a', 253);
    big[63] = big[127] = big[191] = '.';
    memcpy(big + 249, ".com", 4);
    t = RURU_IOC_DOMAIN;
    CHECK(ruru_ioc_normalize(&t, big, 253, NULL, &out, &reason));
    CHECK_INT(out.len, 253);
    memset(big, 'a', 254);
    big[63] = big[127] = big[191] = '.';
    memcpy(big + 250, ".com", 4);
    t = RURU_IOC_DOMAIN;
    CHECK(!ruru_ioc_normalize(&t, big, 254, NULL, &out, &reason));
    CHECK_STR(reason, "malformed domain name");
    /* a long URL is fine: only the host has a length limit */
    memcpy(big, "http://evil.com/", 16);
    memset(big + 16, 'p', 60000);
    t = RURU_IOC_URL;
    CHECK(ruru_ioc_normalize(&t, big, 60016, NULL, &out, &reason));
    CHECK_INT(out.len, 60016);
    ruru_buf_fini(&out);
    free(big);
}

/* The CIDR bounds of ruru_norm_opts: 0 means the default (/8, /32). */
static void test_bounds(void)
{
    static const struct ruru_norm_opts wide = {1, 1}, narrow = {16, 48}, zero = {0, 0};
    static const struct norm_case wide_cases[] = {
            N(CIDR4, "10.0.0.0/7", CIDR4, "10.0.0.0/7"),
            N(CIDR4, "128.0.0.0/1", CIDR4, "128.0.0.0/1"),
            N(CIDR6, "2001::/16", CIDR6, "2001::/16"),
            N(CIDR6, "8000::/1", CIDR6, "8000::/1"),
            R(CIDR4, "0.0.0.0/0", "CIDR wider than the configured bound"),
            R(CIDR6, "::/0", "CIDR wider than the configured bound"),
            R(CIDR4, "0.0.0.0/1", "unspecified address"),
            R(CIDR4, "126.0.0.0/7", "loopback address"),
            R(CIDR4, "96.0.0.0/3", "loopback address"),
            R(CIDR6, "::/1", "unspecified address"),
            N(CIDR4, "128.0.0.0/2", CIDR4, "128.0.0.0/2"),
    };
    static const struct norm_case narrow_cases[] = {
            N(CIDR4, "10.1.0.0/16", CIDR4, "10.1.0.0/16"),
            R(CIDR4, "10.0.0.0/15", "CIDR wider than the configured bound"),
            R(CIDR4, "10.0.0.0/8", "CIDR wider than the configured bound"),
            N(CIDR6, "2001:db8::/48", CIDR6, "2001:db8::/48"),
            R(CIDR6, "2001:db8::/47", "CIDR wider than the configured bound"),
            N(IPV4, "10.1.2.3", IPV4, "10.1.2.3"),
            N(CIDR6, "::ffff:10.1.0.0/112", CIDR4, "10.1.0.0/16"),
            R(CIDR6, "::ffff:10.0.0.0/104", "CIDR wider than the configured bound"),
    };
    static const struct norm_case zero_cases[] = {
            N(CIDR4, "10.0.0.0/8", CIDR4, "10.0.0.0/8"),
            R(CIDR4, "10.0.0.0/7", "CIDR wider than the configured bound"),
            N(CIDR6, "2001:db8::/32", CIDR6, "2001:db8::/32"),
            R(CIDR6, "2001:db8::/31", "CIDR wider than the configured bound"),
    };
    for (size_t i = 0; i < sizeof(wide_cases) / sizeof(wide_cases[0]); i++)
        run_case(&wide_cases[i], &wide, 1000 + (int)i);
    for (size_t i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++)
        run_case(&narrow_cases[i], &narrow, 2000 + (int)i);
    for (size_t i = 0; i < sizeof(zero_cases) / sizeof(zero_cases[0]); i++)
        run_case(&zero_cases[i], &zero, 3000 + (int)i);
}

/* libpsl's built-in list, as the brief names it. */
static void test_public_suffix(void)
{
    static const char *const suffixes[] = {"com", "co.nz", "github.io", "govt.nz",
                                           "net", "co.uk", "ac.nz",     "blogspot.com"};
    static const char *const names[] = {"evil.com",    "example.co.nz", "evil.github.io",
                                        "dia.govt.nz", "example.net",   "bbc.co.uk"};
    struct ruru_buf out;
    const char *reason;

    ruru_buf_init(&out, 4096);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        enum ruru_ioc_type t = RURU_IOC_DOMAIN;
        CHECK(!ruru_ioc_normalize(&t, suffixes[i], strlen(suffixes[i]), NULL, &out, &reason));
        CHECK_STR(reason, "public suffix");
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        enum ruru_ioc_type t = RURU_IOC_DOMAIN;
        CHECK(ruru_ioc_normalize(&t, names[i], strlen(names[i]), NULL, &out, &reason));
        CHECK_STR(ruru_buf_str(&out), names[i]);
        CHECK_INT(t, RURU_IOC_DOMAIN);
    }
    ruru_buf_fini(&out);
}

/* Types outside the enum are refused, not read past the name table. */
static void test_unknown_type(void)
{
    struct ruru_buf out;
    const char *reason;
    enum ruru_ioc_type t = RURU_IOC__COUNT;

    ruru_buf_init(&out, 4096);
    CHECK(!ruru_ioc_normalize(&t, "evil.com", 8, NULL, &out, &reason));
    CHECK_STR(reason, "unknown type");
    CHECK_INT(t, RURU_IOC__COUNT);
    t = (enum ruru_ioc_type)999;
    CHECK(!ruru_ioc_normalize(&t, "evil.com", 8, NULL, &out, &reason));
    CHECK_STR(reason, "unknown type");
    CHECK_STR(ruru_ioc_type_name(RURU_IOC__COUNT), "none");
    CHECK_STR(ruru_ioc_type_name((enum ruru_ioc_type) - 1), "none");
    ruru_buf_fini(&out);
}

/* Allocation failure and a full output buffer both end in "out of memory", with `out` empty;
 * and a warmed-up buffer makes normalisation allocation-free. */
static void test_memory(void)
{
    static const char *const values[] = {
            "192.0.2.1",
            "2001:db8::1",
            "10.0.0.0/8",
            "Evil.Example.COM",
            "HTTP://www.Example.com:80/%7Euser/a/../b?q=%7e#f",
            "admin@Evil.COM",
            "5D41402ABC4B2A76B9719D911017C592",
            "AS13335",
            "https://evil.com/a b",
            "evil.com/x",
            "b\303\274cher.example",
    };
    struct ruru_buf out, small;
    const char *reason;
    enum ruru_ioc_type t = RURU_IOC_DOMAIN;
    uint64_t before;

    ruru_buf_init(&out, 1 << 20);
    ruru_alloc_fail_at(1);
    CHECK(!ruru_ioc_normalize(&t, "evil.com", 8, NULL, &out, &reason));
    ruru_alloc_fail_at(0);
    CHECK_STR(reason, "out of memory");
    CHECK_INT(t, RURU_IOC_DOMAIN);
    CHECK_INT(out.len, 0);
    t = RURU_IOC_URL;
    ruru_alloc_fail_at(1);
    CHECK(!ruru_ioc_normalize(&t, "http://evil.com/", 16, NULL, &out, &reason));
    ruru_alloc_fail_at(0);
    CHECK_STR(reason, "out of memory");
    ruru_buf_init(&small, 8);
    t = RURU_IOC_DOMAIN;
    CHECK(!ruru_ioc_normalize(&t, "evil.example.com", 16, NULL, &small, &reason));
    CHECK_STR(reason, "out of memory");
    CHECK_INT(small.len, 0);
    t = RURU_IOC_URL;
    CHECK(!ruru_ioc_normalize(&t, "http://evil.com/", 16, NULL, &small, &reason));
    CHECK_STR(reason, "out of memory");
    t = RURU_IOC_EMAIL;
    CHECK(!ruru_ioc_normalize(&t, "a@evil.com", 10, NULL, &small, &reason));
    CHECK_STR(reason, "out of memory");
    t = RURU_IOC_DOMAIN;
    CHECK(ruru_ioc_normalize(&t, "evil.com", 8, NULL, &small, &reason));
    CHECK_STR(ruru_buf_str(&small), "evil.com");
    /* the refang buffer reports its own limit */
    ruru_buf_reset(&small);
    CHECK_INT(ruru_ioc_refang("hxxp://evil[.]com", 17, &small), RURU_ELIMIT);
    ruru_buf_fini(&small);

    /* no allocation per call once `out` has grown */
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        t = RURU_IOC_NONE;
        (void)ruru_ioc_normalize(&t, values[i], strlen(values[i]), NULL, &out, &reason);
    }
    before = ruru_alloc_count();
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            t = RURU_IOC_NONE;
            CHECK(ruru_ioc_normalize(&t, values[i], strlen(values[i]), NULL, &out, &reason));
            (void)ruru_ioc_infer(values[i], strlen(values[i]));
        }
    }
    CHECK_INT(ruru_alloc_count() - before, 0);
    ruru_buf_fini(&out);
}

/* ---- refang -------------------------------------------------------------------------------- */

static void test_refang(void)
{
    static const char *const rows[][2] = {
            {"hxxp://evil[.]com/gate.php", "http://evil.com/gate.php"},
            {"hxxps://evil[.]com", "https://evil.com"},
            {"hXXps://evil(.)com", "https://evil.com"},
            {"HXXP://evil{.}com", "http://evil.com"},
            {"hxxp[://]evil[.]com", "http://evil.com"},
            {"hxxps[:]//evil[.]com", "https://evil.com"},
            {"http[:]//evil.com", "http://evil.com"},
            {"  hxxp://evil[.]com", "  http://evil.com"},
            {"fxp://files.evil[.]com", "ftp://files.evil.com"},
            {"FXP://files.evil[.]com", "ftp://files.evil.com"},
            {"fxps://files.evil[.]com", "ftps://files.evil.com"},
            {"evil[.]com", "evil.com"},
            {"evil(.)com", "evil.com"},
            {"evil{.}com", "evil.com"},
            {"evil[dot]com", "evil.com"},
            {"evil[DOT]com", "evil.com"},
            {"evil(dot)com", "evil.com"},
            {"evil(Dot)com", "evil.com"},
            {"evil{dot}com", "evil.com"},
            {"evil\\.com", "evil.com"},
            {"198.51.100[.]7", "198.51.100.7"},
            {"198[.]51[.]100[.]7", "198.51.100.7"},
            {"2001:db8[:]:1", "2001:db8::1"},
            {"admin[@]evil.com", "admin@evil.com"},
            {"admin[at]evil.com", "admin@evil.com"},
            {"admin[AT]evil.com", "admin@evil.com"},
            {"admin(at)evil.com", "admin@evil.com"},
            {"admin{at}evil.com", "admin@evil.com"},
            {"hxxp://evil[.]com[/]gate[.]php", "http://evil.com/gate.php"},
            /* left untouched */
            {"hxxpd.example", "hxxpd.example"},
            {"hxxp", "hxxp"},
            {"x hxxp://a", "x hxxp://a"},
            {"the hxxp://evil[.]com", "the hxxp://evil.com"},
            {"fxpx://a", "fxpx://a"},
            {"[2001:db8::1]", "[2001:db8::1]"},
            {"http://[2001:db8::1]:80/", "http://[2001:db8::1]:80/"},
            {"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
             "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
            {"{json}", "{json}"},
            {"evil[.com", "evil[.com"},
            {"evil[dotcom", "evil[dotcom"},
            {"a[", "a["},
            {"\\", "\\"},
            {"C:\\Temp\\x.exe", "C:\\Temp\\x.exe"},
            {"", ""},
    };
    struct ruru_buf out;

    ruru_buf_init(&out, 4096);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ruru_buf_reset(&out);
        CHECK_INT(ruru_ioc_refang(rows[i][0], strlen(rows[i][0]), &out), RURU_OK);
        CHECK_STR(ruru_buf_str(&out), rows[i][1]);
    }
    /* appends; NUL bytes pass through */
    ruru_buf_reset(&out);
    ruru_buf_adds(&out, "x=");
    CHECK_INT(ruru_ioc_refang("a\0[.]b", 6, &out), RURU_OK);
    CHECK_INT(out.len, 6);
    CHECK(memcmp(out.ptr, "x=a\0.b", 6) == 0);
    ruru_buf_fini(&out);
}

/* A defanged value and its fanged twin normalise to the same canonical value and type. */
static void test_twins(void)
{
    static const struct {
        enum ruru_ioc_type type;
        const char *defanged, *fanged, *canonical;
    } rows[] = {
            {T(NONE), "hxxp://evil[.]com/gate.php", "http://evil.com/gate.php",
             "http://evil.com/gate.php"},
            {T(NONE), "hXXps://Evil(.)COM:443", "https://evil.com", "https://evil.com/"},
            {T(URL), "hxxp[://]evil[.]com[/]x", "http://evil.com/x", "http://evil.com/x"},
            {T(URL), "evil[.]com/x", "evil.com/x", "http://evil.com/x"},
            {T(NONE), "fxp://files.evil[.]com", "ftp://files.evil.com", "ftp://files.evil.com"},
            {T(NONE), "evil[dot]com", "evil.com", "evil.com"},
            {T(DOMAIN), "Evil[.]COM[.]", "evil.com", "evil.com"},
            {T(NONE), "evil\\.com", "evil.com", "evil.com"},
            {T(NONE), "198.51.100[.]7", "198.51.100.7", "198.51.100.7"},
            {T(IPV4), "198[.]51[.]100[.]7", "198.51.100.7", "198.51.100.7"},
            {T(NONE), "203.0.113[.]0/24", "203.0.113.0/24", "203.0.113.0/24"},
            {T(NONE), "2001:db8[:]:1", "2001:db8::1", "2001:db8::1"},
            {T(NONE), "admin[@]evil{.}com", "admin@evil.com", "admin@evil.com"},
            {T(NONE), "admin[at]evil[.]com", "admin@evil.com", "admin@evil.com"},
            {T(EMAIL), "Admin(at)Evil(dot)com", "Admin@evil.com", "Admin@evil.com"},
            {T(NONE), "http[:]//evil.com", "http://evil.com", "http://evil.com/"},
            {T(NONE), "b\303\274cher[.]example", "xn--bcher-kva.example", "xn--bcher-kva.example"},
    };
    struct ruru_buf a, b, ca, cb;

    ruru_buf_init(&a, 4096);
    ruru_buf_init(&b, 4096);
    ruru_buf_init(&ca, 4096);
    ruru_buf_init(&cb, 4096);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum ruru_ioc_type ta = rows[i].type, tb = rows[i].type;
        const char *r;
        ruru_buf_reset(&a);
        ruru_buf_reset(&b);
        CHECK_INT(ruru_ioc_refang(rows[i].defanged, strlen(rows[i].defanged), &a), RURU_OK);
        CHECK_INT(ruru_ioc_refang(rows[i].fanged, strlen(rows[i].fanged), &b), RURU_OK);
        CHECK(ruru_ioc_normalize(&ta, a.ptr, a.len, NULL, &ca, &r));
        CHECK(ruru_ioc_normalize(&tb, b.ptr, b.len, NULL, &cb, &r));
        CHECK_STR(ruru_buf_str(&ca), rows[i].canonical);
        CHECK_STR(ruru_buf_str(&cb), rows[i].canonical);
        CHECK_INT(ta, tb);
    }
    ruru_buf_fini(&a);
    ruru_buf_fini(&b);
    ruru_buf_fini(&ca);
    ruru_buf_fini(&cb);
}

/* ---- inference ----------------------------------------------------------------------------- */

static void test_infer(void)
{
    static const struct {
        const char *v;
        enum ruru_ioc_type t;
    } rows[] = {
            {"192.0.2.1", T(IPV4)},
            {" 192.0.2.1\n", T(IPV4)},
            {"0.0.0.0", T(IPV4)}, /* inferred; normalisation refuses it */
            {"2001:db8::1", T(IPV6)},
            {"[2001:db8::1]", T(IPV6)},
            {"::", T(IPV6)},
            {"::ffff:192.0.2.1", T(IPV4)},
            {"10.0.0.0/8", T(CIDR4)},
            {"2001:db8::/32", T(CIDR6)},
            {"192.0.2.1/32", T(IPV4)},
            {"evil.com", T(DOMAIN)},
            {"Evil.COM.", T(DOMAIN)},
            {"192.0.2.1.", T(DOMAIN)},
            {"a.b.c.evil.co.nz", T(DOMAIN)},
            {"under_score.example", T(DOMAIN)},
            {"xn--bcher-kva.example", T(DOMAIN)},
            {"example.xn--p1ai", T(DOMAIN)},
            {"b\303\274cher.example", T(DOMAIN)},
            {"file.exe", T(DOMAIN)},
            {"http://x.com/", T(URL)},
            {"HTTPS://x.com", T(URL)},
            {"svn+ssh://host.example/x", T(URL)},
            {"evil.com/a.php", T(URL)},
            {"198.51.100.7/gate.php", T(URL)},
            {"evil.com:8080/x", T(URL)},
            {"198.51.100.7:8080/x", T(URL)},
            {"[2001:db8::1]:8080/x", T(URL)},
            {"[2001:db8::1]/x", T(URL)},
            {"http://evil.com/a.", T(URL)},
            {"evil.com/a.", T(URL)},
            {"evil.com:/x", T(NONE)},
            {"evil.com:123456/x", T(NONE)},
            {"evil.com:80a/x", T(NONE)},
            {"[2001:db8::1]x/y", T(NONE)},
            {"[zz]/x", T(NONE)},
            {"localhost/x", T(NONE)},
            {"1.2.3./", T(NONE)},
            {"a@b.com.", T(NONE)},
            {"a@b.com", T(EMAIL)},
            {"first.last+tag@mail.example.com", T(EMAIL)},
            {"AS13335", T(ASN)},
            {"as13335", T(ASN)},
            {"5d41402abc4b2a76b9719d911017c592", T(MD5)},
            {"5D41402ABC4B2A76B9719D911017C592", T(MD5)},
            {"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", T(SHA1)},
            {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", T(SHA256)},
            {"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
             "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
             T(SHA512)},
            {"12345678901234567890123456789012", T(MD5)},
            /* nothing fits */
            {"", T(NONE)},
            {"   ", T(NONE)},
            {"1.2.3", T(NONE)},
            {"010.1.1.1", T(NONE)},
            {"192.0.2.256", T(NONE)},
            {"hello", T(NONE)},
            {"localhost", T(NONE)},
            {"version 1.2", T(NONE)},
            {"a.123", T(NONE)},
            {"a..com", T(NONE)},
            {".evil.com", T(NONE)},
            {"deadbeef", T(NONE)},
            {"5d41402abc4b2a76b9719d911017c59", T(NONE)},
            {"AS", T(NONE)},
            {"AS1x", T(NONE)},
            {"a@b@c.com", T(NONE)},
            {"a b@c.com", T(NONE)},
            {"@c.com", T(NONE)},
            {"a@localhost", T(NONE)},
            {"foo bar://x", T(NONE)},
            {"1http://x.com", T(NONE)},
            {"mailto:a@b.com", T(NONE)},
            {"C:\\Windows\\x.exe", T(NONE)},
            {"/tmp/x", T(NONE)},
            {"evil.com/a b", T(NONE)},
            {"Mozilla/5.0 (X)", T(NONE)},
            {"fe80::1%eth0", T(NONE)},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum ruru_ioc_type got = ruru_ioc_infer(rows[i].v, strlen(rows[i].v));
        if (got != rows[i].t) {
            check_failed++;
            fprintf(stderr, "infer(\"%s\"): got %s, want %s\n", rows[i].v, ruru_ioc_type_name(got),
                    ruru_ioc_type_name(rows[i].t));
        } else {
            check_passed++;
        }
    }
    CHECK_INT(ruru_ioc_infer("evil.com\0x", 10), RURU_IOC_NONE);
    CHECK_INT(ruru_ioc_infer("evil.comXYZ", 8), RURU_IOC_DOMAIN);
}

/* ---- type names ---------------------------------------------------------------------------- */

static void test_type_names(void)
{
    static const char *const names[RURU_IOC__COUNT] = {
            "none",     "ipv4",      "ipv6",        "cidr4",  "cidr6",        "domain",
            "url",      "md5",       "sha1",        "sha256", "sha512",       "email",
            "filename", "filepath",  "user-agent",  "string", "ja3",          "ja3s",
            "x509-md5", "x509-sha1", "x509-sha256", "asn",    "uri-path",     "filename-regex",
            "regkey",   "mutex",     "pipe",        "mac",    "stix-pattern",
    };
    static const struct {
        const char *name;
        enum ruru_ioc_type t;
        bool infer;
    } rows[] = {
            /* ours, any case, white space around */
            {"ipv4", T(IPV4), false},
            {"IPv4", T(IPV4), false},
            {" Domain\t", T(DOMAIN), false},
            {"SHA256", T(SHA256), false},
            {"X509-SHA1", T(X509_SHA1), false},
            {"Stix-Pattern", T(PATTERN), false},
            /* the value decides */
            {"ip", T(NONE), true},
            {"IP", T(NONE), true},
            {"ip-src", T(NONE), true},
            {"ip-dst", T(NONE), true},
            {"ip-dst|port", T(NONE), true},
            {"cidr", T(NONE), true},
            {"subnet", T(NONE), true},
            {"net", T(NONE), true},
            {"network", T(NONE), true},
            {"hash", T(NONE), true},
            {"filehash", T(NONE), true},
            {"Intel::ADDR", T(NONE), true},
            {"Intel::SUBNET", T(NONE), true},
            {"Intel::FILE_HASH", T(NONE), true},
            {"Intel::CERT_HASH", T(NONE), true},
            /* MISP */
            {"hostname", T(DOMAIN), false},
            {"domain", T(DOMAIN), false},
            {"url", T(URL), false},
            {"uri", T(URI_PATH), false},
            {"link", T(URL), false},
            {"md5", T(MD5), false},
            {"sha1", T(SHA1), false},
            {"sha512", T(SHA512), false},
            {"email", T(EMAIL), false},
            {"email-src", T(EMAIL), false},
            {"email-dst", T(EMAIL), false},
            {"filename", T(FILENAME), false},
            {"user-agent", T(USER_AGENT), false},
            {"AS", T(ASN), false},
            {"ja3-fingerprint-md5", T(JA3), false},
            {"ja3s-fingerprint-md5", T(JA3S), false},
            {"x509-fingerprint-md5", T(X509_MD5), false},
            {"x509-fingerprint-sha1", T(X509_SHA1), false},
            {"x509-fingerprint-sha256", T(X509_SHA256), false},
            /* Zeek */
            {"Intel::DOMAIN", T(DOMAIN), false},
            {"Intel::URL", T(URL), false},
            {"Intel::EMAIL", T(EMAIL), false},
            {"Intel::FILE_NAME", T(FILENAME), false},
            {"Intel::SOFTWARE", T(STRING), false},
            {"Intel::USER_NAME", T(STRING), false},
            /* CSV headers */
            {"ip4", T(IPV4), false},
            {"ipv6", T(IPV6), false},
            {"ip6", T(IPV6), false},
            {"host", T(DOMAIN), false},
            {"fqdn", T(DOMAIN), false},
            {"sha-1", T(SHA1), false},
            {"SHA-256", T(SHA256), false},
            {"sha-512", T(SHA512), false},
            {"mail", T(EMAIL), false},
            {"e-mail", T(EMAIL), false},
            {"useragent", T(USER_AGENT), false},
            {"UA", T(USER_AGENT), false},
            {"file", T(FILENAME), false},
            {"filepath", T(FILEPATH), false},
            {"path", T(FILEPATH), false},
            {"asn", T(ASN), false},
            {"ja3", T(JA3), false},
            {"ja3s", T(JA3S), false},
            {"string", T(STRING), false},
            {"regkey", T(REGKEY), false},
            {"named pipe", T(PIPE), false},
            {"mutex", T(MUTEX), false},
            {"mac-address", T(MAC), false},
            {"windows-registry-key", T(REGKEY), false},
            /* unknown */
            {"ssdeep", T(NONE), false},
            {"", T(NONE), false},
            {"   ", T(NONE), false},
            {"ip-", T(NONE), false},
            {"ipv44", T(NONE), false},
            {"ip x", T(NONE), false},
            {"ip                                                        x", T(NONE), false},
            {"none", T(NONE), false},
    };
    bool infer = true;

    for (int t = 0; t < RURU_IOC__COUNT; t++)
        CHECK_STR(ruru_ioc_type_name((enum ruru_ioc_type)t), names[t]);
    for (int t = 1; t < RURU_IOC__COUNT; t++) {
        CHECK_INT(ruru_ioc_type_parse(names[t], &infer), t);
        CHECK(!infer);
    }
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum ruru_ioc_type got;
        infer = !rows[i].infer;
        got = ruru_ioc_type_parse(rows[i].name, &infer);
        if (got != rows[i].t || infer != rows[i].infer) {
            check_failed++;
            fprintf(stderr, "type_parse(\"%s\"): got %s%s\n", rows[i].name, ruru_ioc_type_name(got),
                    infer ? " (infer)" : "");
        } else {
            check_passed++;
        }
    }
    CHECK_INT(ruru_ioc_type_parse(NULL, &infer), T(NONE));
    CHECK(!infer);
    CHECK_INT(ruru_ioc_type_parse("md5", NULL), T(MD5));
}

/* Type "hash" or "ip" leaves the value to decide: a whole column of each. */
static void test_inferred_columns(void)
{
    static const struct norm_case cases[] = {
            N(NONE, "5d41402abc4b2a76b9719d911017c592", MD5, "5d41402abc4b2a76b9719d911017c592"),
            N(NONE, "AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D", SHA1,
              "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
            R(NONE, "5d41402abc4b2a76b9719d911017c5", "unrecognised value"),
            N(NONE, "198.51.100.7", IPV4, "198.51.100.7"),
            N(NONE, "2001:0DB8::7", IPV6, "2001:db8::7"),
            N(NONE, "198.51.100.0/24", CIDR4, "198.51.100.0/24"),
            N(NONE, "::ffff:198.51.100.7", IPV4, "198.51.100.7"),
            R(NONE, "127.0.0.1", "loopback address"),
            R(NONE, "10.1.2.3/8", "host bits set in CIDR"),
    };
    bool infer;

    CHECK_INT(ruru_ioc_type_parse("hash", &infer), T(NONE));
    CHECK(infer);
    run_table(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Host artefacts: registry keys without case and with the hive in full, MAC addresses in
 * every written form, mutex and pipe names as given. */
static const struct norm_case HOST_CASES[] = {
        N(REGKEY,
          "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
          REGKEY,
          "HKEY_LOCAL_MACHINE\\software\\microsoft\\windows\\currentversion\\run"),
        N(REGKEY,
          "hkey_local_machine\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\",
          REGKEY,
          "HKEY_LOCAL_MACHINE\\software\\microsoft\\windows\\currentversion\\run"),
        N(REGKEY,
          "\\REGISTRY\\MACHINE\\System\\CurrentControlSet",
          REGKEY,
          "HKEY_LOCAL_MACHINE\\system\\currentcontrolset"),
        N(REGKEY, "HKCU\\\\Software\\\\x", REGKEY, "HKEY_CURRENT_USER\\software\\x"),
        N(REGKEY, "HKU\\S-1-5-21\\Run", REGKEY, "HKEY_USERS\\s-1-5-21\\run"),
        N(REGKEY, "\\REGISTRY\\USER\\S-1-5-18", REGKEY, "HKEY_USERS\\s-1-5-18"),
        N(REGKEY, "HKCR\\CLSID", REGKEY, "HKEY_CLASSES_ROOT\\clsid"),
        N(REGKEY, "HKCC\\x", REGKEY, "HKEY_CURRENT_CONFIG\\x"),
        N(REGKEY, "Software\\Run", REGKEY, "software\\run"),
        N(REGKEY, "HKLMX\\a", REGKEY, "hklmx\\a"),
        N(REGKEY, "HKLM\\Run \\", REGKEY, "HKEY_LOCAL_MACHINE\\run"),
        R(REGKEY, "HKLM", "registry hive without a key"),
        R(URL, "/.//f", "malformed path"),
        R(URI_PATH, "/a/..//b", "malformed path"),
        R(REGKEY, "HKLM\\\\", "registry hive without a key"),
        R(REGKEY, "HKLM\\a\x01b", "control characters in value"),
        N(MAC, "5e:ff:56:a2:af:15", MAC, "5e:ff:56:a2:af:15"),
        N(MAC, "5E-FF-56-A2-AF-15", MAC, "5e:ff:56:a2:af:15"),
        N(MAC, "5eff.56a2.AF15", MAC, "5e:ff:56:a2:af:15"),
        N(MAC, "5EFF56A2AF15", MAC, "5e:ff:56:a2:af:15"),
        R(MAC, "5e:ff:56-a2:af:15", "malformed MAC address"),
        R(MAC, "5e:ff:56:a2:af", "malformed MAC address"),
        R(MAC, "5e:ff:56:a2:af:1g", "malformed MAC address"),
        R(MAC, "00:00:00:00:00:00", "null MAC address"),
        R(MAC, "FF-FF-FF-FF-FF-FF", "broadcast MAC address"),
        N(MUTEX,
          " Global\\MsWinZonesCacheCounterMutexA ",
          MUTEX,
          "Global\\MsWinZonesCacheCounterMutexA"),
        N(PIPE, "\\\\.\\pipe\\MSSE-1234-server", PIPE, "\\\\.\\pipe\\MSSE-1234-server"),
        N(PIPE, "no idea", PIPE, "no idea"),
};

int main(void)
{
    run_table(IP_CASES, sizeof(IP_CASES) / sizeof(IP_CASES[0]));
    run_table(DOMAIN_CASES, sizeof(DOMAIN_CASES) / sizeof(DOMAIN_CASES[0]));
    run_table(URL_CASES, sizeof(URL_CASES) / sizeof(URL_CASES[0]));
    run_table(OTHER_CASES, sizeof(OTHER_CASES) / sizeof(OTHER_CASES[0]));
    run_table(HOST_CASES, sizeof(HOST_CASES) / sizeof(HOST_CASES[0]));
    test_nul_bytes();
    test_limits();
    test_bounds();
    test_public_suffix();
    test_unknown_type();
    test_memory();
    test_refang();
    test_twins();
    test_infer();
    test_type_names();
    test_inferred_columns();
    return check_done();
}
