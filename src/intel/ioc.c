/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalisation: one canonical text per indicator value, for intel and logs alike (ioc.h lists
 * the forms). The rule behind every choice: two values compare equal exactly when a careful
 * analyst would say they name the same thing, and a value that would match everything (a
 * public suffix, a huge range, loopback) is refused with a reason instead of silently
 * flooding a sweep with false hits.
 *
 * Worked example: "hXXps://Mail.Example[.]COM:443/%7eadmin/./x#frag" re-fangs to
 * "https://Mail.Example.COM:443/%7eadmin/./x#frag", then normalises as a URL to
 * "https://mail.example.com/~admin/x": scheme and host lower-cased, the default port dropped,
 * "%7e" decoded (tilde is unreserved), "./" removed, the fragment dropped.
 *
 * Nothing here allocates except through `out` (and libidn2 for non-ASCII host names).
 */
#include "intel/ioc.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <inttypes.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"

/* Longest value accepted: far beyond any real indicator, short of a pasted log file. */
#define MAX_VALUE_BYTES (64u * 1024u)

static const char *const TYPE_NAMES[RURU_IOC__COUNT] = {
        [RURU_IOC_NONE] = "none",
        [RURU_IOC_IPV4] = "ipv4",
        [RURU_IOC_IPV6] = "ipv6",
        [RURU_IOC_CIDR4] = "cidr4",
        [RURU_IOC_CIDR6] = "cidr6",
        [RURU_IOC_DOMAIN] = "domain",
        [RURU_IOC_URL] = "url",
        [RURU_IOC_MD5] = "md5",
        [RURU_IOC_SHA1] = "sha1",
        [RURU_IOC_SHA256] = "sha256",
        [RURU_IOC_SHA512] = "sha512",
        [RURU_IOC_EMAIL] = "email",
        [RURU_IOC_FILENAME] = "filename",
        [RURU_IOC_FILEPATH] = "filepath",
        [RURU_IOC_USER_AGENT] = "user-agent",
        [RURU_IOC_STRING] = "string",
        [RURU_IOC_JA3] = "ja3",
        [RURU_IOC_JA3S] = "ja3s",
        [RURU_IOC_X509_MD5] = "x509-md5",
        [RURU_IOC_X509_SHA1] = "x509-sha1",
        [RURU_IOC_X509_SHA256] = "x509-sha256",
        [RURU_IOC_ASN] = "asn",
        [RURU_IOC_PATTERN] = "stix-pattern",
};

const char *ruru_ioc_type_name(enum ruru_ioc_type type)
{
    if (type < 0 || type >= RURU_IOC__COUNT)
        return "none";
    return TYPE_NAMES[type];
}

/* Synonyms as CSV headers, MISP attribute types and Zeek intel types write them. */
static const struct {
    const char *name;
    enum ruru_ioc_type type; /* RURU_IOC_NONE: the value decides */
} SYNONYMS[] = {
        {"ip", RURU_IOC_NONE},
        {"ip-src", RURU_IOC_NONE},
        {"ip-dst", RURU_IOC_NONE},
        {"ip-src|port", RURU_IOC_NONE},
        {"ip-dst|port", RURU_IOC_NONE},
        {"ipaddress", RURU_IOC_NONE},
        {"ip-address", RURU_IOC_NONE},
        {"address", RURU_IOC_NONE},
        {"addr", RURU_IOC_NONE},
        {"intel::addr", RURU_IOC_NONE},
        {"ipv4", RURU_IOC_IPV4},
        {"ip4", RURU_IOC_IPV4},
        {"ipv4-addr", RURU_IOC_IPV4},
        {"ipv6", RURU_IOC_IPV6},
        {"ip6", RURU_IOC_IPV6},
        {"ipv6-addr", RURU_IOC_IPV6},
        {"cidr", RURU_IOC_NONE},
        {"subnet", RURU_IOC_NONE},
        {"net", RURU_IOC_NONE},
        {"network", RURU_IOC_NONE},
        {"netblock", RURU_IOC_NONE},
        {"intel::subnet", RURU_IOC_NONE},
        {"cidr4", RURU_IOC_CIDR4},
        {"cidr6", RURU_IOC_CIDR6},
        {"domain", RURU_IOC_DOMAIN},
        {"hostname", RURU_IOC_DOMAIN},
        {"host", RURU_IOC_DOMAIN},
        {"fqdn", RURU_IOC_DOMAIN},
        {"domain-name", RURU_IOC_DOMAIN},
        {"domainname", RURU_IOC_DOMAIN},
        {"intel::domain", RURU_IOC_DOMAIN},
        {"url", RURU_IOC_URL},
        {"link", RURU_IOC_URL},
        {"intel::url", RURU_IOC_URL},
        {"uri", RURU_IOC_STRING},
        {"md5", RURU_IOC_MD5},
        {"sha1", RURU_IOC_SHA1},
        {"sha-1", RURU_IOC_SHA1},
        {"sha256", RURU_IOC_SHA256},
        {"sha-256", RURU_IOC_SHA256},
        {"sha512", RURU_IOC_SHA512},
        {"sha-512", RURU_IOC_SHA512},
        {"hash", RURU_IOC_NONE},
        {"filehash", RURU_IOC_NONE},
        {"file-hash", RURU_IOC_NONE},
        {"intel::file_hash", RURU_IOC_NONE},
        {"intel::cert_hash", RURU_IOC_NONE},
        {"email", RURU_IOC_EMAIL},
        {"e-mail", RURU_IOC_EMAIL},
        {"mail", RURU_IOC_EMAIL},
        {"email-src", RURU_IOC_EMAIL},
        {"email-dst", RURU_IOC_EMAIL},
        {"email-addr", RURU_IOC_EMAIL},
        {"intel::email", RURU_IOC_EMAIL},
        {"filename", RURU_IOC_FILENAME},
        {"file", RURU_IOC_FILENAME},
        {"file-name", RURU_IOC_FILENAME},
        {"intel::file_name", RURU_IOC_FILENAME},
        {"filepath", RURU_IOC_FILEPATH},
        {"path", RURU_IOC_FILEPATH},
        {"user-agent", RURU_IOC_USER_AGENT},
        {"useragent", RURU_IOC_USER_AGENT},
        {"user_agent", RURU_IOC_USER_AGENT},
        {"ua", RURU_IOC_USER_AGENT},
        {"string", RURU_IOC_STRING},
        {"text", RURU_IOC_STRING},
        {"intel::software", RURU_IOC_STRING},
        {"intel::user_name", RURU_IOC_STRING},
        {"intel::pubkey_hash", RURU_IOC_STRING},
        {"ja3", RURU_IOC_JA3},
        {"ja3-fingerprint-md5", RURU_IOC_JA3},
        {"ja3s", RURU_IOC_JA3S},
        {"ja3s-fingerprint-md5", RURU_IOC_JA3S},
        {"x509-md5", RURU_IOC_X509_MD5},
        {"x509-fingerprint-md5", RURU_IOC_X509_MD5},
        {"x509-sha1", RURU_IOC_X509_SHA1},
        {"x509-fingerprint-sha1", RURU_IOC_X509_SHA1},
        {"x509-sha256", RURU_IOC_X509_SHA256},
        {"x509-fingerprint-sha256", RURU_IOC_X509_SHA256},
        {"asn", RURU_IOC_ASN},
        {"as", RURU_IOC_ASN},
        {"stix-pattern", RURU_IOC_PATTERN},
};

enum ruru_ioc_type ruru_ioc_type_parse(const char *name, bool *needs_inference)
{
    char key[48];
    size_t n = 0;

    *needs_inference = false;
    while (ruru_is_space(*name))
        name++;
    for (; *name && n + 1 < sizeof(key); name++)
        key[n++] = ruru_lower(*name);
    while (n > 0 && ruru_is_space(key[n - 1]))
        n--;
    key[n] = '\0';
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        if (strcmp(key, TYPE_NAMES[t]) == 0)
            return (enum ruru_ioc_type)t;
    for (size_t i = 0; i < sizeof(SYNONYMS) / sizeof(SYNONYMS[0]); i++) {
        if (strcmp(key, SYNONYMS[i].name) == 0) {
            *needs_inference = SYNONYMS[i].type == RURU_IOC_NONE;
            return SYNONYMS[i].type;
        }
    }
    return RURU_IOC_NONE;
}

/* ---- refang ------------------------------------------------------------------------------ */

/* Defang spellings and what they stand for; matched ASCII case-insensitively. */
static const struct {
    const char *from;
    const char *to;
} FANGS[] = {
        {"[://]", "://"}, {"[:]//", "://"}, {"[.]", "."},   {"(.)", "."},  {"{.}", "."},
        {"[dot]", "."},   {"(dot)", "."},   {"{dot}", "."}, {"\\.", "."},  {"[:]", ":"},
        {"[@]", "@"},     {"[at]", "@"},    {"(at)", "@"},  {"{at}", "@"}, {"[/]", "/"},
};

enum ruru_err ruru_ioc_refang(const char *raw, size_t raw_len, struct ruru_buf *out)
{
    size_t i = 0;
    enum ruru_err err = RURU_OK;

    /* Scheme defangs only at the start: hxxp, hXXps, fxp, and "http[:]//". */
    if (raw_len >= 4 && (raw[0] == 'h' || raw[0] == 'H') && (raw[1] == 'x' || raw[1] == 'X') &&
        (raw[2] == 'x' || raw[2] == 'X') && (raw[3] == 'p' || raw[3] == 'P')) {
        err = ruru_buf_add(out, "http", 4);
        i = 4;
    } else if (raw_len >= 3 && ruru_str_iprefix(ruru_str_make(raw, raw_len), "fxp") &&
               (raw_len == 3 || raw[3] == ':' || raw[3] == '[')) {
        err = ruru_buf_add(out, "ftp", 3);
        i = 3;
    }
    while (i < raw_len && err == RURU_OK) {
        bool matched = false;
        if (raw[i] == '[' || raw[i] == '(' || raw[i] == '{' || raw[i] == '\\') {
            for (size_t k = 0; k < sizeof(FANGS) / sizeof(FANGS[0]); k++) {
                size_t n = strlen(FANGS[k].from);
                if (i + n <= raw_len && ruru_str_ieq(ruru_str_make(raw + i, n), FANGS[k].from)) {
                    err = ruru_buf_adds(out, FANGS[k].to);
                    i += n;
                    matched = true;
                    break;
                }
            }
        }
        if (!matched)
            err = ruru_buf_addc(out, raw[i++]);
    }
    return err;
}

/* ---- IP addresses ------------------------------------------------------------------------ */

/* Strict dotted quad: four decimal octets, no leading zeros (010 could mean octal 8). */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return false;
            start = ++i;
        }
        while (i < len && ruru_is_digit(s[i]) && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || i - start > 3 || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

/* IPv6 text (RFC 4291 §2.2 forms, embedded IPv4 allowed) into 16 bytes. */
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
    char tmp[64];

    if (len == 0 || len >= sizeof(tmp) || memchr(s, '%', len) != NULL)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1;
}

static void format_v4(const uint8_t a[4], struct ruru_buf *out)
{
    ruru_buf_addf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* RFC 5952: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as "::"
 * (the first on a tie). */
static void format_v6(const uint8_t a[16], struct ruru_buf *out)
{
    unsigned g[8];
    int best = -1, best_len = 0;

    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            ruru_buf_adds(out, "::");
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            ruru_buf_addc(out, ':');
        ruru_buf_addf(out, "%x", g[i]);
    }
}

static bool is_mapped_v4(const uint8_t a[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    return memcmp(a, prefix, 12) == 0;
}

static bool all_zero(const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != 0)
            return false;
    return true;
}

/* Parses an address with an optional "/len"; IPv6 may be bracketed. *bits is 32 or 128, *prefix
 * the length given (or *bits). Returns false with *reason on failure. */
static bool parse_ip(const char *s,
                     size_t len,
                     uint8_t addr[16],
                     unsigned *bits,
                     unsigned *prefix,
                     bool *has_prefix,
                     const char **reason)
{
    const char *slash = memchr(s, '/', len), *end = s + len;
    size_t alen = slash ? (size_t)(slash - s) : len;

    *has_prefix = slash != NULL;
    if (alen >= 2 && s[0] == '[' && s[alen - 1] == ']') {
        s++;
        alen -= 2;
    }
    memset(addr, 0, 16);
    if (parse_v4(s, alen, addr + 12)) {
        addr[10] = addr[11] = 0xff;
        *bits = 32;
    } else if (memchr(s, ':', alen) != NULL) {
        if (!parse_v6(s, alen, addr)) {
            *reason = "malformed IPv6 address";
            return false;
        }
        *bits = 128;
        if (is_mapped_v4(addr))
            *bits = 32; /* ::ffff:a.b.c.d is the IPv4 address */
    } else {
        *reason = "malformed IPv4 address";
        return false;
    }
    *prefix = *bits;
    if (slash != NULL) {
        const char *p = slash + 1;
        unsigned v = 0;
        size_t nd = 0;
        if (p >= end) {
            *reason = "malformed CIDR";
            return false;
        }
        while (p < end && nd < 4) {
            if (!ruru_is_digit(*p)) {
                *reason = "malformed CIDR";
                return false;
            }
            v = v * 10 + (unsigned)(*p++ - '0');
            nd++;
        }
        if (p != end) {
            *reason = "malformed CIDR";
            return false;
        }
        /* A mapped address keeps its IPv6 prefix length on the wire: ::ffff:0:0/104 is /8. */
        if (*bits == 32 && alen > 0 && memchr(s, ':', alen) != NULL) {
            if (v < 96) {
                *reason = "malformed CIDR";
                return false;
            }
            v -= 96;
        }
        if (v > *bits) {
            *reason = "malformed CIDR";
            return false;
        }
        *prefix = v;
    }
    return true;
}

static bool host_bits_zero(const uint8_t addr[16], unsigned bits, unsigned prefix)
{
    unsigned start = 128 - bits + prefix;

    for (unsigned b = start; b < 128; b++)
        if (addr[b / 8] & (0x80u >> (b % 8)))
            return false;
    return true;
}

static bool norm_ip(enum ruru_ioc_type *type,
                    const char *s,
                    size_t len,
                    const struct ruru_norm_opts *opts,
                    struct ruru_buf *out,
                    const char **reason)
{
    uint8_t a[16];
    unsigned bits, prefix, min4, min6;
    bool has_prefix;

    if (!parse_ip(s, len, a, &bits, &prefix, &has_prefix, reason))
        return false;
    min4 = opts && opts->min_prefix_v4 ? opts->min_prefix_v4 : 8;
    min6 = opts && opts->min_prefix_v6 ? opts->min_prefix_v6 : 32;
    if (has_prefix && prefix < bits) {
        if (!host_bits_zero(a, bits, prefix)) {
            *reason = "host bits set in CIDR";
            return false;
        }
        if (prefix < (bits == 32 ? min4 : min6)) {
            *reason = "CIDR wider than the configured bound";
            return false;
        }
    } else if (bits == 32 ? all_zero(a + 12, 4) : all_zero(a, 16)) {
        *reason = "unspecified address";
        return false;
    }
    if (bits == 32 ? a[12] == 127 && prefix >= 8 : (all_zero(a, 15) && a[15] == 1)) {
        *reason = "loopback address";
        return false;
    }
    if (bits == 32 && prefix == 32 && all_zero(a + 12, 4)) {
        *reason = "unspecified address";
        return false;
    }
    if (bits == 32)
        format_v4(a + 12, out);
    else
        format_v6(a, out);
    if (prefix < bits) {
        ruru_buf_addf(out, "/%u", prefix);
        *type = bits == 32 ? RURU_IOC_CIDR4 : RURU_IOC_CIDR6;
    } else {
        *type = bits == 32 ? RURU_IOC_IPV4 : RURU_IOC_IPV6;
    }
    return true;
}

/* ---- host names -------------------------------------------------------------------------- */

static bool is_ldh(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '-' || c == '_';
}

/* Lower-cased, IDN-converted, trailing-dot-stripped host name into out (appending). Checks
 * label syntax; does not consult the public suffix list. */
static bool norm_host(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    size_t start = out->len, label = 0;
    bool ascii = true;

    while (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0) {
        *reason = "empty value";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;
        else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            /* A NUL would also cut the name short on its way through libidn2. */
            *reason = "malformed domain name";
            return false;
        }
    }
    if (!ascii) {
        char tmp[1024], *res = NULL;
        int rc;
        if (len >= sizeof(tmp)) {
            *reason = "invalid internationalised name";
            return false;
        }
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        rc = idn2_to_ascii_8z(tmp, &res, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK)
            rc = idn2_to_ascii_8z(tmp, &res, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK || res == NULL) {
            *reason = "invalid internationalised name";
            return false;
        }
        ruru_buf_adds(out, res);
        idn2_free(res);
    } else {
        for (size_t i = 0; i < len; i++)
            ruru_buf_addc(out, ruru_lower(s[i]));
    }
    /* Syntax: labels of 1..63 letters, digits, '-' or '_'; 253 bytes in all. */
    if (out->len - start > 253) {
        *reason = "malformed domain name";
        return false;
    }
    for (size_t i = start; i <= out->len; i++) {
        char c = i < out->len ? out->ptr[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63) {
                *reason = "malformed domain name";
                return false;
            }
            label = 0;
        } else if (!is_ldh(c)) {
            *reason = "malformed domain name";
            return false;
        } else {
            label++;
        }
    }
    return true;
}

static bool is_public_suffix(const char *host)
{
    const psl_ctx_t *psl = psl_builtin();

    if (psl == NULL)
        return false;
    return psl_is_public_suffix2(psl, host, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

static bool norm_domain(enum ruru_ioc_type *type,
                        const char *s,
                        size_t len,
                        const struct ruru_norm_opts *opts,
                        struct ruru_buf *out,
                        const char **reason)
{
    size_t start = out->len;
    const char *host;

    /* Intel often files addresses under "hostname" (and DNS writes "192.0.2.1."). */
    {
        const char *r2;
        uint8_t a[16];
        unsigned bits, prefix;
        bool hp;
        size_t n = len;
        while (n > 0 && s[n - 1] == '.')
            n--;
        if (parse_ip(s, n, a, &bits, &prefix, &hp, &r2) && !hp)
            return norm_ip(type, s, n, opts, out, reason);
    }
    if (!norm_host(s, len, out, reason))
        return false;
    host = out->ptr + start;
    {
        /* Full-width digits and dots (IDN) can spell an address: it is one. */
        uint8_t a[4];
        size_t hl = out->len - start;
        if (parse_v4(host, hl, a)) {
            char tmp[16];
            memcpy(tmp, host, hl);
            out->len = start;
            return norm_ip(type, tmp, hl, opts, out, reason);
        }
    }
    if (strchr(host, '.') == NULL) {
        *reason = is_public_suffix(host) ? "public suffix" : "single-label name";
        return false;
    }
    if (is_public_suffix(host)) {
        *reason = "public suffix";
        return false;
    }
    *type = RURU_IOC_DOMAIN;
    return true;
}

/* ---- URLs -------------------------------------------------------------------------------- */

static bool is_unreserved(unsigned char c)
{
    return ruru_is_alpha((char)c) || ruru_is_digit((char)c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

/* Percent-encoding normalisation of a path or query into b: unreserved escapes decoded, others
 * upper-cased, and a '%' that starts no escape encoded as "%25". That last rule keeps the
 * form idempotent: kept as written, "%7%37" would become "%77" and then "w". */
static void norm_pct(const char *s, size_t len, struct ruru_buf *b)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && ruru_is_xdigit(s[i + 1]) && ruru_is_xdigit(s[i + 2])) {
            unsigned char c = (unsigned char)(ruru_hexval(s[i + 1]) * 16 + ruru_hexval(s[i + 2]));
            if (is_unreserved(c)) {
                ruru_buf_addc(b, (char)c);
            } else {
                ruru_buf_addc(b, '%');
                ruru_buf_addc(b, (char)(s[i + 1] >= 'a' ? s[i + 1] - 32 : s[i + 1]));
                ruru_buf_addc(b, (char)(s[i + 2] >= 'a' ? s[i + 2] - 32 : s[i + 2]));
            }
            i += 2;
        } else if (s[i] == '%') {
            ruru_buf_adds(b, "%25");
        } else {
            ruru_buf_addc(b, s[i]);
        }
    }
}

/* RFC 3986 §5.2.4 remove_dot_segments, in place on b->ptr[start..]. */
static void remove_dots(struct ruru_buf *b, size_t start)
{
    char *in = b->ptr + start, *w = in;
    size_t n = b->len - start, i = 0;

    while (i < n) {
        if (n - i >= 3 && memcmp(in + i, "../", 3) == 0) {
            i += 3;
        } else if (n - i >= 2 && memcmp(in + i, "./", 2) == 0) {
            i += 2;
        } else if (n - i >= 3 && memcmp(in + i, "/./", 3) == 0) {
            i += 2;
        } else if (n - i == 2 && memcmp(in + i, "/.", 2) == 0) {
            in[i + 1] = '/';
            i += 1;
        } else if ((n - i >= 4 && memcmp(in + i, "/../", 4) == 0) ||
                   (n - i == 3 && memcmp(in + i, "/..", 3) == 0)) {
            if (n - i == 3) {
                in[i + 2] = '/';
                i += 2;
            } else {
                i += 3;
            }
            while (w > in && *--w != '/')
                ;
        } else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && memcmp(in + i, "..", 2) == 0)) {
            i = n;
        } else {
            do {
                *w++ = in[i++];
            } while (i < n && in[i] != '/');
        }
    }
    b->len = (size_t)(w - b->ptr);
    b->ptr[b->len] = '\0';
}

static bool norm_url(enum ruru_ioc_type *type,
                     const char *s,
                     size_t len,
                     struct ruru_buf *out,
                     const char **reason)
{
    const char *p = s, *end = s + len, *colon, *auth, *auth_end, *host, *host_end, *port = NULL;
    size_t i, path_start;
    unsigned long port_num = 0;
    bool has_scheme = false;

    for (i = 0; i < len && i < 32; i++) {
        if (s[i] == ':') {
            has_scheme = i > 0 && i + 2 < len && s[i + 1] == '/' && s[i + 2] == '/';
            break;
        }
        if (!(ruru_is_alpha(s[i]) ||
              (i > 0 && (ruru_is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))))
            break;
    }
    if (has_scheme) {
        for (i = 0; s[i] != ':'; i++)
            ruru_buf_addc(out, ruru_lower(s[i]));
        ruru_buf_adds(out, "://");
        p = s + i + 3;
    } else {
        /* "evil.com/x": a host first, so a web URL written without its scheme. */
        ruru_buf_adds(out, "http://");
    }
    auth = p;
    auth_end = p;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    host = auth;
    for (const char *q = auth; q < auth_end; q++)
        if (*q == '@')
            host = q + 1;
    if (host > auth)
        ruru_buf_add(out, auth, (size_t)(host - auth)); /* userinfo kept as written */
    host_end = auth_end;
    if (host < auth_end && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(auth_end - host));
        uint8_t a[16];
        if (close == NULL || !parse_v6(host + 1, (size_t)(close - host - 1), a)) {
            *reason = "malformed URL";
            return false;
        }
        ruru_buf_addc(out, '[');
        format_v6(a, out);
        ruru_buf_addc(out, ']');
        if (close + 1 < auth_end && close[1] == ':')
            port = close + 2;
        else if (close + 1 != auth_end) {
            *reason = "malformed URL";
            return false;
        }
    } else {
        colon = memchr(host, ':', (size_t)(auth_end - host));
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
        if (host_end == host) {
            *reason = "malformed URL";
            return false;
        }
        {
            uint8_t a[4];
            if (parse_v4(host, (size_t)(host_end - host), a))
                format_v4(a, out);
            else if (!norm_host(host, (size_t)(host_end - host), out, reason)) {
                *reason = "malformed URL";
                return false;
            }
        }
    }
    if (port != NULL) {
        const char *q = port;
        if (q == auth_end) {
            port = NULL; /* "host:" is the default port */
        } else {
            while (q < auth_end && ruru_is_digit(*q) && q - port < 6)
                port_num = port_num * 10 + (unsigned long)(*q++ - '0');
            if (q != auth_end || port_num > 65535) {
                *reason = "malformed URL";
                return false;
            }
        }
    }
    if (port != NULL) {
        const char *sch = out->ptr;
        bool dflt = (port_num == 80 && strncmp(sch, "http://", 7) == 0) ||
                    (port_num == 443 && strncmp(sch, "https://", 8) == 0) ||
                    (port_num == 21 && strncmp(sch, "ftp://", 6) == 0);
        if (!dflt)
            ruru_buf_addf(out, ":%u", (unsigned)port_num);
    }
    /* Path and query; the fragment is the client's and never reaches a server log. */
    {
        const char *frag = memchr(auth_end, '#', (size_t)(end - auth_end));
        const char *rest_end = frag ? frag : end;
        const char *q = memchr(auth_end, '?', (size_t)(rest_end - auth_end));
        const char *path_end = q ? q : rest_end;
        path_start = out->len;
        norm_pct(auth_end, (size_t)(path_end - auth_end), out);
        if (out->len > path_start)
            remove_dots(out, path_start);
        if (out->len == path_start &&
            (strncmp(out->ptr, "http://", 7) == 0 || strncmp(out->ptr, "https://", 8) == 0))
            ruru_buf_addc(out, '/');
        if (q != NULL)
            norm_pct(q, (size_t)(rest_end - q), out);
    }
    for (size_t k = 0; k < out->len; k++) {
        unsigned char c = (unsigned char)out->ptr[k];
        if (c <= 0x20 || c == 0x7f) {
            *reason = "malformed URL";
            return false;
        }
    }
    *type = RURU_IOC_URL;
    return true;
}

/* ---- the rest ------------------------------------------------------------------------------ */

static bool norm_hex(enum ruru_ioc_type type,
                     const char *s,
                     size_t len,
                     struct ruru_buf *out,
                     const char **reason)
{
    size_t want = 0;

    switch (type) {
    case RURU_IOC_MD5:
    case RURU_IOC_JA3:
    case RURU_IOC_JA3S:
    case RURU_IOC_X509_MD5:
        want = 32;
        break;
    case RURU_IOC_SHA1:
    case RURU_IOC_X509_SHA1:
        want = 40;
        break;
    case RURU_IOC_SHA256:
    case RURU_IOC_X509_SHA256:
        want = 64;
        break;
    case RURU_IOC_SHA512:
        want = 128;
        break;
    default:
        break;
    }
    /* Certificate fingerprints are often written with colons: AB:CD:... */
    if (type >= RURU_IOC_X509_MD5 && type <= RURU_IOC_X509_SHA256 && len == want / 2 * 3 - 1) {
        for (size_t i = 0; i < len; i++) {
            if (i % 3 == 2) {
                if (s[i] != ':') {
                    *reason = "malformed hash";
                    return false;
                }
                continue;
            }
            if (!ruru_is_xdigit(s[i])) {
                *reason = "malformed hash";
                return false;
            }
            ruru_buf_addc(out, ruru_lower(s[i]));
        }
        return true;
    }
    if (len != want) {
        *reason = "malformed hash";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!ruru_is_xdigit(s[i])) {
            *reason = "malformed hash";
            return false;
        }
        ruru_buf_addc(out, ruru_lower(s[i]));
    }
    return true;
}

static bool norm_email(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    const char *at = NULL;
    size_t dom;

    for (size_t i = 0; i < len; i++)
        if (s[i] == '@')
            at = s + i;
    if (at == NULL || at == s || at == s + len - 1) {
        *reason = "malformed e-mail address";
        return false;
    }
    for (const char *p = s; p < at; p++) {
        if ((unsigned char)*p <= 0x20 || *p == '<' || *p == '>' || *p == ',') {
            *reason = "malformed e-mail address";
            return false;
        }
    }
    ruru_buf_add(out, s, (size_t)(at - s + 1));
    dom = out->len;
    /* The domain needs a dot once normalised ("a@b." is "a@b", a single label). */
    if (!norm_host(at + 1, len - (size_t)(at - s) - 1, out, reason) || out->failed ||
        memchr(out->ptr + dom, '.', out->len - dom) == NULL) {
        *reason = "malformed e-mail address";
        return false;
    }
    return true;
}

static bool norm_asn(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    uint64_t v = 0;
    size_t i = 0;

    if (len >= 2 && ruru_lower(s[0]) == 'a' && ruru_lower(s[1]) == 's')
        i = 2;
    if (i == len || len - i > 10) {
        *reason = "malformed AS number";
        return false;
    }
    for (; i < len; i++) {
        if (!ruru_is_digit(s[i])) {
            *reason = "malformed AS number";
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > 4294967295u) {
        *reason = "malformed AS number";
        return false;
    }
    ruru_buf_addf(out, "AS%" PRIu64, v);
    return true;
}

static bool norm_text(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    if (len == 0) {
        *reason = "empty value";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            *reason = "control characters in value";
            return false;
        }
    }
    ruru_buf_add(out, s, len);
    return true;
}

static bool all_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!ruru_is_xdigit(s[i]))
            return false;
    return len > 0;
}

enum ruru_ioc_type ruru_ioc_infer(const char *s, size_t len)
{
    uint8_t a[16];
    unsigned bits, prefix;
    bool hp;
    const char *reason, *at;
    size_t dots = 0, last = 0;

    if (len == 0 || len > MAX_VALUE_BYTES)
        return RURU_IOC_NONE;
    if (s[len - 1] == '.') {
        /* A fully qualified name ("evil.com.", even "192.0.2.1."): a host name. */
        size_t n = len;
        enum ruru_ioc_type t;
        while (n > 0 && s[n - 1] == '.')
            n--;
        t = n > 0 ? ruru_ioc_infer(s, n) : RURU_IOC_NONE;
        return t == RURU_IOC_DOMAIN || t == RURU_IOC_IPV4 || t == RURU_IOC_IPV6 ? RURU_IOC_DOMAIN
                                                                                : RURU_IOC_NONE;
    }
    if (parse_ip(s, len, a, &bits, &prefix, &hp, &reason))
        return prefix < bits ? (bits == 32 ? RURU_IOC_CIDR4 : RURU_IOC_CIDR6)
                             : (bits == 32 ? RURU_IOC_IPV4 : RURU_IOC_IPV6);
    if (ruru_memmem(s, len, "://", 3) != NULL)
        return RURU_IOC_URL;
    if (all_hex(s, len)) {
        switch (len) {
        case 32:
            return RURU_IOC_MD5;
        case 40:
            return RURU_IOC_SHA1;
        case 64:
            return RURU_IOC_SHA256;
        case 128:
            return RURU_IOC_SHA512;
        default:
            break;
        }
    }
    if (len > 2 && ruru_lower(s[0]) == 'a' && ruru_lower(s[1]) == 's') {
        size_t i = 2;
        while (i < len && ruru_is_digit(s[i]))
            i++;
        if (i == len)
            return RURU_IOC_ASN;
    }
    at = memchr(s, '@', len);
    if (at != NULL && at > s && memchr(at + 1, '.', len - (size_t)(at - s) - 1) != NULL &&
        memchr(at + 1, '@', len - (size_t)(at - s) - 1) == NULL)
        return RURU_IOC_EMAIL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.') {
            dots++;
            last = i + 1;
        } else if (c == '/' && dots > 0) {
            /* "evil.com/path": a URL without a scheme. */
            size_t k = 0;
            while (k < i && s[k] != '/')
                k++;
            return k == i ? RURU_IOC_URL : RURU_IOC_NONE;
        } else if (!(c >= 0x80 || is_ldh((char)c))) {
            return RURU_IOC_NONE;
        }
    }
    if (dots == 0 || last >= len)
        return RURU_IOC_NONE;
    /* The last label must look like a TLD: letters (or punycode, or non-ASCII). */
    if (len - last >= 4 && ruru_str_iprefix(ruru_str_make(s + last, len - last), "xn--"))
        return RURU_IOC_DOMAIN;
    for (size_t i = last; i < len; i++)
        if (!(ruru_is_alpha(s[i]) || (unsigned char)s[i] >= 0x80))
            return RURU_IOC_NONE;
    return RURU_IOC_DOMAIN;
}

bool ruru_ioc_normalize(enum ruru_ioc_type *type,
                        const char *raw,
                        size_t raw_len,
                        const struct ruru_norm_opts *opts,
                        struct ruru_buf *out,
                        const char **reason)
{
    struct ruru_str v = ruru_str_trim(ruru_str_make(raw, raw_len));
    enum ruru_ioc_type t = *type;
    bool ok;

    ruru_buf_reset(out);
    *reason = NULL;
    if (v.len == 0) {
        *reason = "empty value";
        return false;
    }
    if (v.len > MAX_VALUE_BYTES) {
        *reason = "value too long";
        return false;
    }
    if (t == RURU_IOC_NONE) {
        t = ruru_ioc_infer(v.ptr, v.len);
        if (t == RURU_IOC_NONE) {
            *reason = "unrecognised value";
            return false;
        }
    }
    switch (t) {
    case RURU_IOC_IPV4:
    case RURU_IOC_IPV6:
    case RURU_IOC_CIDR4:
    case RURU_IOC_CIDR6:
        ok = norm_ip(&t, v.ptr, v.len, opts, out, reason);
        break;
    case RURU_IOC_DOMAIN:
        ok = norm_domain(&t, v.ptr, v.len, opts, out, reason);
        break;
    case RURU_IOC_URL:
        ok = norm_url(&t, v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_MD5:
    case RURU_IOC_SHA1:
    case RURU_IOC_SHA256:
    case RURU_IOC_SHA512:
    case RURU_IOC_JA3:
    case RURU_IOC_JA3S:
    case RURU_IOC_X509_MD5:
    case RURU_IOC_X509_SHA1:
    case RURU_IOC_X509_SHA256:
        ok = norm_hex(t, v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_EMAIL:
        ok = norm_email(v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_ASN:
        ok = norm_asn(v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_FILENAME:
    case RURU_IOC_FILEPATH:
    case RURU_IOC_USER_AGENT:
    case RURU_IOC_STRING:
    case RURU_IOC_PATTERN:
        ok = norm_text(v.ptr, v.len, out, reason);
        break;
    default:
        *reason = "unknown type";
        ok = false;
        break;
    }
    if (ok && (out->failed || out->ptr == NULL)) {
        *reason = "out of memory";
        ok = false;
    }
    if (!ok) {
        ruru_buf_reset(out);
        return false;
    }
    *type = t;
    return true;
}
