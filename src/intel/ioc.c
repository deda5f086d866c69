/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Normalisation: one canonical text per indicator value, for intel and logs alike (ioc.h lists
 * the forms, docs/normalisation.md the examples and every reject reason). The rule behind
 * every choice: two values compare equal exactly when a careful analyst would say they name
 * the same thing, and a value that would match everything (a public suffix, a huge range,
 * loopback) is refused with a reason instead of silently flooding a sweep with false hits.
 *
 * Worked example. A feed line "hXXps://Mail.Example[.]COM:443/%7eadmin/./x%2fy#frag" goes
 * through three steps:
 *   1. ruru_ioc_refang: the scheme defang "hXXps" becomes "https" and "[.]" becomes ".", so
 *      "https://Mail.Example.COM:443/%7eadmin/./x%2fy#frag";
 *   2. ruru_ioc_infer (when the feed gave no type): a scheme followed by "://" is a URL;
 *   3. ruru_ioc_normalize as a URL, component by component (RFC 3986 §6.2.2):
 *      scheme "https" (lower case), host "mail.example.com" (lower case; a non-ASCII host
 *      would become punycode here), port 443 is https's default and is dropped, the path
 *      "/%7eadmin/./x%2fy" has "%7e" decoded (a tilde is unreserved, so the escape means
 *      nothing), "%2f" upper-cased but kept (a slash inside a segment is not a separator),
 *      and the dot segment removed: "/~admin/x%2Fy"; the fragment never reaches a server, so
 *      it goes. Result: "https://mail.example.com/~admin/x%2Fy".
 * Normalising that result again gives the same text and type (the fuzz target checks this
 * idempotence for every input it generates).
 *
 * Cost: nothing here allocates except through `out`, and libidn2 for non-ASCII host names;
 * there is no regex and no locale. A typical value takes a few hundred nanoseconds, most of
 * it the public-suffix lookup for domains (libpsl's built-in, read-only list).
 */
#include "intel/ioc.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <stdint.h>
#include <string.h>

#include "base/str.h"
#include "intel/ioc_int.h"

/* Longest value accepted: far beyond any real indicator (a 2 KiB URL is already odd), short
 * of a pasted log file that would otherwise travel through every later stage. */
#define MAX_VALUE_BYTES (64u * 1024u)
/* RFC 1035 §2.3.4 (as read by RFC 2181 §11): 63 bytes a label, 253 a name in text form. */
#define MAX_LABEL_BYTES 63u
#define MAX_NAME_BYTES  253u
/* Longest host text handed to libidn2 (or percent-decoded in a URL host): every code point
 * costs at least one byte of punycode and takes at most four bytes of UTF-8, so a longer text
 * cannot come out under MAX_NAME_BYTES; it is refused without the copy. */
#define MAX_HOST_INPUT 1024u
/* The longest scheme we look for: real ones ("svn+ssh", "chrome-extension") are far shorter;
 * the bound keeps a long "word:" from being scanned as one. */
#define MAX_SCHEME_BYTES 32u

/* ---- refang ------------------------------------------------------------------------------ */

/* Defang spellings and what they stand for; matched ASCII case-insensitively. Each starts with
 * '[', '(', '{' or '\\' (csv.c relies on that to skip values holding none of them, and on the
 * scheme defangs holding an 'x'). "[:]//" is listed before "[:]" so that the longer wins;
 * from_len is strlen(from), spelt out for the hot loop (test_refang covers every row). */
static const struct {
    const char *from;
    size_t from_len;
    const char *to;
} FANGS[] = {
        {"[://]", 5, "://"}, {"[:]//", 5, "://"}, {"[.]", 3, "."},   {"(.)", 3, "."},
        {"{.}", 3, "."},     {"[dot]", 5, "."},   {"(dot)", 5, "."}, {"{dot}", 5, "."},
        {"\\.", 2, "."},     {"[:]", 3, ":"},     {"[@]", 3, "@"},   {"[at]", 4, "@"},
        {"(at)", 4, "@"},    {"{at}", 4, "@"},    {"[/]", 3, "/"},
};

static bool ieq_at(const char *s, size_t len, size_t i, const char *lit, size_t n)
{
    return i + n <= len && ruru_str_ieq(ruru_str_make(s + i, n), lit);
}

/* Length of a defanged scheme at s[i] ("hxxp", "hXXps", "fxp"), or 0. The word must end the
 * scheme (':' or a bracketed defang follows), so "hxxpd.example" is left alone. *to gets the
 * real scheme. */
static size_t scheme_defang(const char *s, size_t len, size_t i, const char **to)
{
    size_t n = 0;

    if (ieq_at(s, len, i, "hxxps", 5)) {
        n = 5;
        *to = "https";
    } else if (ieq_at(s, len, i, "hxxp", 4)) {
        n = 4;
        *to = "http";
    } else if (ieq_at(s, len, i, "fxps", 4)) {
        n = 4;
        *to = "ftps";
    } else if (ieq_at(s, len, i, "fxp", 3)) {
        n = 3;
        *to = "ftp";
    }
    if (n == 0 || i + n >= len || (s[i + n] != ':' && s[i + n] != '['))
        return 0;
    return n;
}

enum ruru_err ruru_ioc_refang(const char *raw, size_t raw_len, struct ruru_buf *out)
{
    size_t i = 0, run = 0, n;
    const char *to;
    enum ruru_err err = RURU_OK;

    /* A scheme defang only where a scheme can be: at the start, after white space. */
    while (i < raw_len && ruru_is_space(raw[i]))
        i++;
    n = scheme_defang(raw, raw_len, i, &to);
    if (n > 0) {
        err = ruru_buf_add(out, raw, i);
        if (err == RURU_OK)
            err = ruru_buf_adds(out, to);
        i += n;
    } else {
        i = 0;
    }
    /* Copy runs of ordinary bytes whole; look closer only at the four bytes a defang starts
     * with. */
    run = i;
    while (i < raw_len && err == RURU_OK) {
        char c = raw[i];
        bool matched = false;
        if (c == '[' || c == '(' || c == '{' || c == '\\') {
            for (size_t k = 0; k < sizeof(FANGS) / sizeof(FANGS[0]); k++) {
                size_t fn = FANGS[k].from_len;
                if (ieq_at(raw, raw_len, i, FANGS[k].from, fn)) {
                    err = ruru_buf_add(out, raw + run, i - run);
                    if (err == RURU_OK)
                        err = ruru_buf_adds(out, FANGS[k].to);
                    i += fn;
                    run = i;
                    matched = true;
                    break;
                }
            }
        }
        if (!matched)
            i++;
    }
    if (err == RURU_OK)
        err = ruru_buf_add(out, raw + run, raw_len - run);
    return err;
}

/* ---- small helpers ----------------------------------------------------------------------- */

static bool out_ok(const struct ruru_buf *out)
{
    return !out->failed && out->ptr != NULL;
}

/* Appends s[0..len) lower-cased (ASCII). */
static void add_lower(struct ruru_buf *out, const char *s, size_t len)
{
    size_t start = out->len;

    if (ruru_buf_add(out, s, len) != RURU_OK)
        return;
    for (size_t i = start; i < out->len; i++)
        out->ptr[i] = ruru_lower(out->ptr[i]);
}

/* Appends the decimal text of v. */
static void add_uint(struct ruru_buf *out, uint32_t v)
{
    char tmp[10]; /* 4294967295 */
    size_t n = sizeof(tmp);

    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    ruru_buf_add(out, tmp + n, sizeof(tmp) - n);
}

static bool all_zero(const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != 0)
            return false;
    return true;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* ---- IP addresses ------------------------------------------------------------------------ */

/* Strict dotted quad: four decimal octets, no leading zeros (inet_aton would read "010" as
 * octal 8 and "1.2.3" as 1.2.0.3; an analyst reading either would not). */
static bool parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start;
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
        start = i;
        /* At most 3 digits: the loop stops at the 4th, which then fails the length test. */
        while (i < len && ruru_is_digit(s[i]) && i - start < 4)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || i - start > 3 || v > 255 || (i - start > 1 && s[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

/* IPv6 text (RFC 4291 §2.2, embedded IPv4 allowed) into 16 bytes. The characters are checked
 * first: inet_pton wants a C string, so a NUL or a zone ("%eth0") must not reach it. */
static bool parse_v6(const char *s, size_t len, uint8_t out[16])
{
    /* The longest valid text is 45 bytes ("ffff:...:ffff:255.255.255.255"). */
    char tmp[48];

    if (len < 2 || len >= sizeof(tmp))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(ruru_is_xdigit(s[i]) || s[i] == ':' || s[i] == '.'))
            return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1;
}

static void format_v4(const uint8_t a[4], struct ruru_buf *out)
{
    char text[16]; /* "255.255.255.255" */
    size_t n = 0;

    for (int i = 0; i < 4; i++) {
        if (i > 0)
            text[n++] = '.';
        if (a[i] >= 100)
            text[n++] = (char)('0' + a[i] / 100);
        if (a[i] >= 10)
            text[n++] = (char)('0' + a[i] / 10 % 10);
        text[n++] = (char)('0' + a[i] % 10);
    }
    ruru_buf_add(out, text, n);
}

/* RFC 5952 §4: lower-case hex without leading zeros; the longest run of two or more zero
 * groups written "::" (the first of equally long runs); a single zero group stays "0". */
static void format_v6(const uint8_t a[16], struct ruru_buf *out)
{
    static const char HEX[] = "0123456789abcdef";
    char text[40]; /* 8 groups of at most 4 digits and 7 separators */
    size_t n = 0;
    unsigned g[8];
    int best = -1, best_len = 1;

    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    for (int i = 0; i < 8; i++) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        if (j > i)
            i = j - 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            text[n++] = ':';
            text[n++] = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && i != best + best_len)
            text[n++] = ':';
        for (int shift = 12; shift >= 0; shift -= 4)
            if ((g[i] >> shift) != 0 || shift == 0)
                text[n++] = HEX[(g[i] >> shift) & 0xf];
    }
    ruru_buf_add(out, text, n);
}

static bool is_mapped_v4(const uint8_t a[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    return memcmp(a, prefix, 12) == 0;
}

/* Parses an address with an optional "/len"; IPv6 may be bracketed ("[2001:db8::1]",
 * "[2001:db8::]/32"). addr gets 16 bytes (IPv4 as mapped), *bits 32 or 128, *prefix the
 * length given (or *bits), *has_prefix whether one was. Returns false with *reason. */
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
    bool is_v6_text;

    *has_prefix = slash != NULL;
    if (alen >= 2 && s[0] == '[' && s[alen - 1] == ']') {
        s++;
        alen -= 2;
    }
    /* IPv6 text has two colons at least; "192.0.2.1:80" is an IPv4 address with a port. */
    {
        const char *c1 = memchr(s, ':', alen);
        is_v6_text = c1 != NULL && memchr(c1 + 1, ':', alen - (size_t)(c1 - s) - 1) != NULL;
    }
    memset(addr, 0, 16);
    if (!is_v6_text) {
        if (!parse_v4(s, alen, addr + 12)) {
            *reason = "malformed IPv4 address";
            return false;
        }
        addr[10] = addr[11] = 0xff;
        *bits = 32;
    } else {
        if (!parse_v6(s, alen, addr)) {
            *reason = "malformed IPv6 address";
            return false;
        }
        *bits = is_mapped_v4(addr) ? 32 : 128; /* ::ffff:a.b.c.d is the IPv4 address */
    }
    *prefix = *bits;
    if (slash != NULL) {
        const char *p = slash + 1;
        unsigned v = 0;
        /* Three digits hold every valid length (up to 128); a fourth is refused below. */
        if (p >= end || end - p > 3) {
            *reason = "malformed CIDR";
            return false;
        }
        for (; p < end; p++) {
            if (!ruru_is_digit(*p)) {
                *reason = "malformed CIDR";
                return false;
            }
            v = v * 10 + (unsigned)(*p - '0');
        }
        /* A mapped network keeps its IPv6 length: ::ffff:10.0.0.0/104 is 10.0.0.0/8. Below
         * /96 the ffff of the prefix would lie in the host part. */
        if (*bits == 32 && is_v6_text) {
            if (v > 128) {
                *reason = "malformed CIDR";
                return false;
            }
            if (v < 96) {
                *reason = "host bits set in CIDR";
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
    for (unsigned b = 128 - bits + prefix; b < 128; b++)
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
    unsigned bits, prefix, min;
    bool has_prefix;

    if (!parse_ip(s, len, a, &bits, &prefix, &has_prefix, reason))
        return false;
    /* The default bounds: a /8 is already 16M addresses, an IPv6 /32 a whole ISP's
     * allocation; anything wider in an intel feed is a mistake or a list of bogons. */
    if (bits == 32)
        min = opts != NULL && opts->min_prefix_v4 != 0 ? opts->min_prefix_v4 : 8;
    else
        min = opts != NULL && opts->min_prefix_v6 != 0 ? opts->min_prefix_v6 : 32;
    if (prefix < bits) {
        if (!host_bits_zero(a, bits, prefix)) {
            *reason = "host bits set in CIDR";
            return false;
        }
        if (prefix < min) {
            *reason = "CIDR wider than the configured bound";
            return false;
        }
    }
    /* A network at address zero holds the unspecified address (0.0.0.0/8, ::/64; for IPv6
     * also ::1): never a peer in a log, and a sweep for it would hit every placeholder. */
    if (bits == 32 ? all_zero(a + 12, 4) : all_zero(a, 16)) {
        *reason = "unspecified address";
        return false;
    }
    /* 127.0.0.0/8 and anything overlapping it, ::1: every host's own traffic. */
    if (bits == 32 ? (prefix >= 8 ? a[12] == 127 : ((a[12] ^ 127u) >> (8 - prefix)) == 0)
                   : (all_zero(a, 15) && a[15] == 1)) {
        *reason = "loopback address";
        return false;
    }
    if (bits == 32)
        format_v4(a + 12, out);
    else
        format_v6(a, out);
    if (prefix < bits) {
        ruru_buf_addc(out, '/');
        add_uint(out, prefix);
        *type = bits == 32 ? RURU_IOC_CIDR4 : RURU_IOC_CIDR6;
    } else {
        *type = bits == 32 ? RURU_IOC_IPV4 : RURU_IOC_IPV6;
    }
    return true;
}

/* ---- host names -------------------------------------------------------------------------- */

/* Letters, digits, hyphen (RFC 952 "LDH") and underscore: not legal in a host name, but real
 * and malicious hosts use it ("_dmarc", "mal_ware.example") and resolvers pass it through. */
static bool is_ldh(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '-' || c == '_';
}

/* Checks labels of the host in out->ptr[start..]; returns the reason or NULL. A host whose
 * last label is all digits must be a dotted quad: "1.2.3" or "010.1.1.1" is an address typed
 * wrongly (RFC 1123 §2.1: a top-level label is never numeric), not a name. */
static const char *check_labels(const struct ruru_buf *out, size_t start)
{
    const char *h = out->ptr + start;
    size_t n = out->len - start, label = 0, last = 0;
    bool dots_digits = true, numeric = true;
    uint8_t a[4];

    if (n == 0 || n > MAX_NAME_BYTES)
        return "malformed domain name";
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? h[i] : '.';
        if (c == '.') {
            if (label == 0 || label > MAX_LABEL_BYTES)
                return "malformed domain name";
            label = 0;
            if (i < n)
                last = i + 1;
        } else if (!is_ldh(c)) {
            return "malformed domain name";
        } else {
            label++;
            dots_digits = dots_digits && ruru_is_digit(c);
        }
    }
    for (size_t i = last; i < n; i++)
        numeric = numeric && ruru_is_digit(h[i]);
    if (numeric && !parse_v4(h, n, a))
        return dots_digits ? "malformed IPv4 address" : "malformed domain name";
    return NULL;
}

/* One label holding non-ASCII bytes, converted by libidn2 and appended to out. UTS 46
 * non-transitional processing (IDNA 2008: "faß" stays "faß", as browsers resolve it today),
 * with transitional processing as the fallback for names only IDNA 2003 accepts. UTS 46 maps
 * full-width and ideographic full stops to '.', so the result may hold several labels. */
static bool idn_label(const char *s, size_t len, struct ruru_buf *out)
{
    char tmp[MAX_HOST_INPUT], *res = NULL;
    int rc;

    if (len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    rc = idn2_to_ascii_8z(tmp, &res, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        idn2_free(res);
        res = NULL;
        rc = idn2_to_ascii_8z(tmp, &res, IDN2_TRANSITIONAL | IDN2_NFC_INPUT);
    }
    if (rc != IDN2_OK || res == NULL) {
        idn2_free(res);
        return false;
    }
    add_lower(out, res, strlen(res));
    idn2_free(res);
    return true;
}

/* A name with non-ASCII bytes appended to out label by label (see norm_host). */
static bool idn_labels(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    size_t label = 0;
    bool ascii = true;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)s[i] : '.';
        if (c == '.') {
            if (ascii) {
                add_lower(out, s + label, i - label);
            } else if (!idn_label(s + label, i - label, out)) {
                *reason = "invalid internationalised name";
                return false;
            }
            if (i < len)
                ruru_buf_addc(out, '.');
            label = i + 1;
            ascii = true;
        } else if (c >= 0x80) {
            ascii = false;
        } else if (is_ctl(c)) {
            /* A NUL would cut the name short on its way through libidn2. */
            *reason = "malformed domain name";
            return false;
        }
    }
    return true;
}

/*
 * A host name appended to out: lower case, trailing dots stripped, labels with non-ASCII bytes
 * converted to punycode; then the label syntax is checked (not the public suffix list).
 * ASCII labels, "xn--" ones included, are only lower-cased: libidn2 applies IDNA's stricter
 * rules (no leading hyphen, no "--" in the third and fourth place), and the same name must
 * come out the same whether a feed wrote it in Unicode or in punycode.
 */
static bool norm_host(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    size_t start = out->len;
    bool ascii = true;

    if (len > MAX_HOST_INPUT) {
        *reason = "malformed domain name";
        return false;
    }
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    if (ascii)
        add_lower(out, s, len); /* nearly every name: one copy, checked below */
    else if (!idn_labels(s, len, out, reason))
        return false;
    if (!out_ok(out)) {
        *reason = "out of memory";
        return false;
    }
    /* "evil.com." is fully qualified, not a name with an empty last label. */
    while (out->len > start && out->ptr[out->len - 1] == '.')
        out->len--;
    out->ptr[out->len] = '\0';
    *reason = check_labels(out, start);
    return *reason == NULL;
}

static bool is_public_suffix(const char *host)
{
    const psl_ctx_t *psl = psl_builtin();

    /* NO_STAR_RULE: without it every unknown TLD ("evil", "localdomain") would be a suffix
     * by the list's implicit "*" rule. */
    return psl != NULL &&
           psl_is_public_suffix2(psl, host, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

static bool norm_domain(enum ruru_ioc_type *type,
                        const char *s,
                        size_t len,
                        const struct ruru_norm_opts *opts,
                        struct ruru_buf *out,
                        const char **reason)
{
    size_t start = out->len, n = len;
    const char *host, *r2;
    uint8_t a[16];
    unsigned bits, prefix;
    bool has_prefix;

    /* Intel often files addresses under "hostname" (and DNS writes "192.0.2.1."). */
    while (n > 0 && s[n - 1] == '.')
        n--;
    if (n > 0 && parse_ip(s, n, a, &bits, &prefix, &has_prefix, &r2) && !has_prefix)
        return norm_ip(type, s, n, opts, out, reason);
    if (!norm_host(s, len, out, reason))
        return false;
    host = out->ptr + start;
    /* Full-width digits and dots (IDN) can spell an address: then it is one. */
    if (parse_v4(host, out->len - start, a)) {
        char tmp[16]; /* "255.255.255.255" */
        size_t hl = out->len - start;
        memcpy(tmp, host, hl);
        out->len = start;
        return norm_ip(type, tmp, hl, opts, out, reason);
    }
    if (memchr(host, '.', out->len - start) == NULL) {
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

static bool is_scheme_char(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '+' || c == '-' || c == '.';
}

/* Length of "scheme" when s starts with "scheme://" (RFC 3986 §3.1), else 0. */
static size_t scheme_len(const char *s, size_t len)
{
    size_t i = 0;

    if (len == 0 || !ruru_is_alpha(s[0]))
        return 0;
    while (i < len && i <= MAX_SCHEME_BYTES && is_scheme_char(s[i]))
        i++;
    if (i > MAX_SCHEME_BYTES || len - i < 3 || memcmp(s + i, "://", 3) != 0)
        return 0;
    return i;
}

/*
 * Percent-encoding normalisation of a path or query, appended to out (RFC 3986 §6.2.2.1-2):
 * escapes of unreserved characters decoded ("%7E" is "~"), other escapes upper-cased ("%2f" is
 * "%2F"), and three things a browser would have encoded before sending, encoded: a '%' that
 * starts no escape ("%25"), a space ("%20") and bytes of 0x80 and above (UTF-8 of an IRI,
 * RFC 3987 §3.1). The stray '%' rule keeps the form idempotent: kept as written, "%7%37" would
 * become "%77" and then "w". Copies runs of ordinary bytes whole.
 */
static void norm_pct(const char *s, size_t len, struct ruru_buf *out)
{
    static const char HEX[] = "0123456789ABCDEF";
    size_t run = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[3];
        if (c != '%' && c != ' ' && c < 0x80)
            continue;
        ruru_buf_add(out, s + run, i - run);
        if (c == '%' && i + 2 < len && ruru_is_xdigit(s[i + 1]) && ruru_is_xdigit(s[i + 2])) {
            unsigned char d = (unsigned char)(ruru_hexval(s[i + 1]) * 16 + ruru_hexval(s[i + 2]));
            if (is_unreserved(d)) {
                ruru_buf_addc(out, (char)d);
            } else {
                esc[0] = '%';
                esc[1] = HEX[d >> 4];
                esc[2] = HEX[d & 0xf];
                ruru_buf_add(out, esc, 3);
            }
            i += 2;
        } else {
            esc[0] = '%';
            esc[1] = HEX[c >> 4];
            esc[2] = HEX[c & 0xf];
            ruru_buf_add(out, esc, 3);
        }
        run = i + 1;
    }
    ruru_buf_add(out, s + run, len - run);
}

/*
 * RFC 3986 §5.2.4 remove_dot_segments, in place on out->ptr[start..] (the output never
 * outruns the input, so one buffer serves as both). Example: "/a/b/../c/./d" -> "/a/c/d".
 */
static void remove_dots(struct ruru_buf *b, size_t start)
{
    char *in, *w;
    size_t n, i = 0;

    if (!out_ok(b))
        return;
    in = b->ptr + start;
    w = in;
    n = b->len - start;
    while (i < n) {
        if (n - i >= 3 && memcmp(in + i, "../", 3) == 0) { /* A */
            i += 3;
        } else if (n - i >= 2 && memcmp(in + i, "./", 2) == 0) {
            i += 2;
        } else if (n - i >= 3 && memcmp(in + i, "/./", 3) == 0) { /* B */
            i += 2;
        } else if (n - i == 2 && memcmp(in + i, "/.", 2) == 0) {
            in[i + 1] = '/';
            i += 1;
        } else if ((n - i >= 4 && memcmp(in + i, "/../", 4) == 0) ||
                   (n - i == 3 && memcmp(in + i, "/..", 3) == 0)) { /* C */
            if (n - i == 3) {
                in[i + 2] = '/';
                i += 2;
            } else {
                i += 3;
            }
            while (w > in && *--w != '/')
                ;
        } else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && memcmp(in + i, "..", 2) == 0)) {
            i = n; /* D */
        } else {   /* E: the first segment, with its leading '/' */
            do {
                *w++ = in[i++];
            } while (i < n && in[i] != '/');
        }
    }
    b->len = (size_t)(w - b->ptr);
    b->ptr[b->len] = '\0';
}

/* A URL host appended to out: an IPv6 literal in canonical form inside brackets, a dotted
 * quad, or a host name. Sets *is_dotted when the host is an address or a name with a dot. */
static bool url_host_plain(const char *h, size_t n, struct ruru_buf *out, bool *is_dotted)
{
    uint8_t a[16];
    const char *why;
    size_t start = out->len;

    *is_dotted = true;
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        if (!parse_v6(h + 1, n - 2, a))
            return false;
        ruru_buf_addc(out, '[');
        format_v6(a, out);
        ruru_buf_addc(out, ']');
        return true;
    }
    if (parse_v4(h, n, a)) {
        ruru_buf_add(out, h, n); /* parse_v4 accepts the canonical text only */
        return true;
    }
    if (!norm_host(h, n, out, &why))
        return false;
    *is_dotted = memchr(out->ptr + start, '.', out->len - start) != NULL;
    return true;
}

/* The host between "//" (or the userinfo) and ":port" or the path, with escapes of unreserved
 * characters decoded first ("ev%69l.com"), as in every other component. */
static bool url_host(const char *h, size_t n, struct ruru_buf *out, bool *is_dotted)
{
    char tmp[MAX_HOST_INPUT];
    size_t k = 0;

    if (memchr(h, '%', n) == NULL)
        return url_host_plain(h, n, out, is_dotted);
    if (n > sizeof(tmp))
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = i + 2 < n ? ruru_hexval(h[i + 1]) : -1, lo = hi >= 0 ? ruru_hexval(h[i + 2]) : -1;
        if (h[i] == '%' && lo >= 0 && is_unreserved((unsigned char)(hi * 16 + lo))) {
            tmp[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            tmp[k++] = h[i];
        }
    }
    return url_host_plain(tmp, k, out, is_dotted);
}

/* A path from the root, with its query: "/owa/auth/../auth/x.aspx?a=%7e" becomes
 * "/owa/auth/x.aspx?a=~". "/" alone would be every request for a site's root. */
static bool norm_path(enum ruru_ioc_type *type,
                      const char *s,
                      size_t len,
                      struct ruru_buf *out,
                      const char **reason)
{
    const char *frag = memchr(s, '#', len), *end = frag != NULL ? frag : s + len, *query;
    size_t start = out->len;

    *reason = "malformed path";
    if (len == 0 || s[0] != '/' || (len > 1 && s[1] == '/'))
        return false;
    query = memchr(s, '?', (size_t)(end - s));
    norm_pct(s, (size_t)((query != NULL ? query : end) - s), out);
    remove_dots(out, start);
    if (query != NULL)
        norm_pct(query, (size_t)(end - query), out);
    if (!out_ok(out)) {
        *reason = "out of memory";
        return false;
    }
    for (size_t k = start; k < out->len; k++)
        if (is_ctl((unsigned char)out->ptr[k]))
            return false;
    /* "/.//x" and "/a/..//x" lose their dot segments to "//x", which reads back as a host:
     * refused as such a path is when written so (normalising must be idempotent). */
    if (out->len - start > 1 && out->ptr[start + 1] == '/')
        return false;
    if (out->len - start == 1 || (out->len - start == 2 && out->ptr[start + 1] == '?')) {
        *reason = "path matches every request";
        return false;
    }
    *type = RURU_IOC_URI_PATH;
    *reason = NULL;
    return true;
}

static bool norm_url(enum ruru_ioc_type *type,
                     const char *s,
                     size_t len,
                     struct ruru_buf *out,
                     const char **reason)
{
    const char *p = s, *end = s + len, *auth_end, *host, *host_end, *port = NULL;
    const char *frag, *rest_end, *query, *path_end;
    size_t slen = scheme_len(s, len), sch_len = slen > 0 ? slen : 4, path_start;
    uint32_t port_num = 0;
    bool has_scheme = slen > 0, is_dotted, is_http;

    /* "/gate.php" given as a URL (MISP and CSV lists do): the path of every site's URL. */
    if (!has_scheme && len > 1 && s[0] == '/' && s[1] != '/')
        return norm_path(type, s, len, out, reason);
    *reason = "malformed URL";
    if (has_scheme) {
        add_lower(out, s, slen);
        ruru_buf_add(out, "://", 3);
        p = s + slen + 3;
    } else {
        /* "evil.com/x": a host first, so a web URL written without its scheme. */
        ruru_buf_add(out, "http://", 7);
    }
    if (!out_ok(out))
        return false;
    is_http = (out->len == 7 && memcmp(out->ptr, "http://", 7) == 0) ||
              (out->len == 8 && memcmp(out->ptr, "https://", 8) == 0);
    auth_end = p;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#')
        auth_end++;
    /* Userinfo, kept as written: up to the last '@' (a password may hold one). Without a
     * scheme it would more likely be "mailto:" or "user@host" text than a URL. */
    host = p;
    for (const char *q = p; q < auth_end; q++)
        if (*q == '@')
            host = q + 1;
    if (host > p) {
        if (!has_scheme)
            return false;
        ruru_buf_add(out, p, (size_t)(host - p));
    }
    host_end = auth_end;
    if (host < auth_end && *host == '[') {
        const char *close = memchr(host, ']', (size_t)(auth_end - host));
        if (close == NULL)
            return false;
        host_end = close + 1;
        if (host_end < auth_end) {
            if (*host_end != ':')
                return false;
            port = host_end + 1;
        }
    } else {
        const char *colon = memchr(host, ':', (size_t)(auth_end - host));
        if (colon != NULL) {
            host_end = colon;
            port = colon + 1;
        }
    }
    if (host_end == host || !url_host(host, (size_t)(host_end - host), out, &is_dotted))
        return false;
    if (!has_scheme && !is_dotted)
        return false;
    if (port != NULL && port < auth_end) { /* "host:" means the default port */
        /* Five digits hold every port; leading zeros beyond that are still the same port. */
        while (port < auth_end - 1 && *port == '0')
            port++;
        if (auth_end - port > 5)
            return false;
        for (const char *q = port; q < auth_end; q++) {
            if (!ruru_is_digit(*q))
                return false;
            port_num = port_num * 10 + (uint32_t)(*q - '0');
        }
        if (port_num > 65535)
            return false;
        /* Default ports (RFC 3986 §6.2.3); a URL without a scheme was given "http". */
        if (!((port_num == 80 && sch_len == 4 && memcmp(out->ptr, "http", 4) == 0) ||
              (port_num == 443 && sch_len == 5 && memcmp(out->ptr, "https", 5) == 0) ||
              (port_num == 21 && sch_len == 3 && memcmp(out->ptr, "ftp", 3) == 0))) {
            ruru_buf_addc(out, ':');
            add_uint(out, port_num);
        }
    }
    /* Path and query; the fragment is the client's and never reaches a server log. */
    frag = memchr(auth_end, '#', (size_t)(end - auth_end));
    rest_end = frag != NULL ? frag : end;
    query = memchr(auth_end, '?', (size_t)(rest_end - auth_end));
    path_end = query != NULL ? query : rest_end;
    path_start = out->len;
    norm_pct(auth_end, (size_t)(path_end - auth_end), out);
    if (out->len > path_start)
        remove_dots(out, path_start);
    if (out->len == path_start && is_http)
        ruru_buf_addc(out, '/');
    if (query != NULL)
        norm_pct(query, (size_t)(rest_end - query), out);
    if (!out_ok(out)) {
        *reason = "out of memory";
        return false;
    }
    for (size_t k = 0; k < out->len; k++)
        if (is_ctl((unsigned char)out->ptr[k]) || out->ptr[k] == ' ')
            return false; /* only the userinfo can still hold these */
    *type = RURU_IOC_URL;
    *reason = NULL;
    return true;
}

/* ---- hashes, e-mail, AS numbers, text ---------------------------------------------------- */

static bool all_hex(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!ruru_is_xdigit(s[i]))
            return false;
    return len > 0;
}

static size_t hex_len(enum ruru_ioc_type type)
{
    switch (type) {
    case RURU_IOC_MD5:
    case RURU_IOC_JA3:
    case RURU_IOC_JA3S:
    case RURU_IOC_X509_MD5:
        return 32; /* 128 bits */
    case RURU_IOC_SHA1:
    case RURU_IOC_X509_SHA1:
        return 40; /* 160 bits */
    case RURU_IOC_SHA256:
    case RURU_IOC_X509_SHA256:
        return 64;
    case RURU_IOC_SHA512:
        return 128;
    default:
        return 0;
    }
}

static bool norm_hex(enum ruru_ioc_type type,
                     const char *s,
                     size_t len,
                     struct ruru_buf *out,
                     const char **reason)
{
    size_t want = hex_len(type);

    *reason = "malformed hash";
    /* Certificate fingerprints are often written as openssl prints them: "AB:CD:...". */
    if (type >= RURU_IOC_X509_MD5 && type <= RURU_IOC_X509_SHA256 && len == want / 2 * 3 - 1) {
        for (size_t i = 0; i < len; i++) {
            if (i % 3 == 2 ? s[i] != ':' : !ruru_is_xdigit(s[i]))
                return false;
            if (i % 3 != 2)
                ruru_buf_addc(out, ruru_lower(s[i]));
        }
        return true;
    }
    if (len != want || !all_hex(s, len))
        return false;
    add_lower(out, s, len);
    return true;
}

/* RFC 5322 §3.2.3 atext, plus the dots between atoms and UTF-8 (RFC 6531): what an unquoted
 * local part may hold. Everything else (white space, "(),:;<>@[\]) delimits an address. */
static bool is_local_char(unsigned char c)
{
    return c >= 0x80 || ruru_is_alpha((char)c) || ruru_is_digit((char)c) ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL);
}

static bool norm_email(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    const char *at = NULL;
    size_t local_len, dom;
    uint8_t a[4];
    bool quoted;

    *reason = "malformed e-mail address";
    for (size_t i = len; i > 0; i--) {
        if (s[i - 1] == '@') {
            at = s + i - 1;
            break;
        }
    }
    if (at == NULL || at == s || at == s + len - 1)
        return false;
    local_len = (size_t)(at - s);
    /* A quoted local part ("a b"@example.com) may hold anything but control bytes. */
    quoted = local_len >= 2 && s[0] == '"' && at[-1] == '"';
    for (size_t i = 0; i < local_len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ctl(c) || (!quoted && !is_local_char(c)))
            return false;
    }
    ruru_buf_add(out, s, local_len + 1);
    dom = out->len;
    /* The domain needs a dot once normalised ("a@b." is "a@b", a single label) and must be a
     * name: "a@[192.0.2.1]" address literals are not sent by real mail. */
    if (!norm_host(at + 1, len - local_len - 1, out, reason) ||
        memchr(out->ptr + dom, '.', out->len - dom) == NULL ||
        parse_v4(out->ptr + dom, out->len - dom, a)) {
        *reason = "malformed e-mail address"; /* or "out of memory": the caller checks */
        return false;
    }
    return true;
}

/* "AS13335", "as13335", "ASN13335", "13335", and asdot "AS0.13335" (RFC 5396: high.low). */
static bool norm_asn(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    uint64_t v = 0, high = 0;
    size_t i = 0, digits = 0;
    bool dot = false;

    *reason = "malformed AS number";
    if (len >= 2 && ruru_lower(s[0]) == 'a' && ruru_lower(s[1]) == 's')
        i = len >= 3 && ruru_lower(s[2]) == 'n' ? 3 : 2;
    for (; i < len; i++) {
        if (s[i] == '.' && !dot && digits > 0) {
            /* asdot: each half is 16 bits. */
            if (v > 65535)
                return false;
            high = v;
            v = 0;
            digits = 0;
            dot = true;
            continue;
        }
        /* Ten digits hold 4294967295; more (even zeros) is not a number anyone writes. */
        if (!ruru_is_digit(s[i]) || ++digits > 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (digits == 0 || (dot && v > 65535))
        return false;
    if (dot)
        v += high << 16;
    if (v > 4294967295u) /* AS numbers are 32 bits (RFC 6793) */
        return false;
    ruru_buf_add(out, "AS", 2);
    add_uint(out, (uint32_t)v);
    return true;
}

static bool norm_text(const char *s, size_t len, struct ruru_buf *out, const char **reason)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ctl(c) && c != '\t') {
            *reason = "control characters in value";
            return false;
        }
    }
    ruru_buf_add(out, s, len);
    return true;
}

/* ---- inference --------------------------------------------------------------------------- */

/* A host name as inference sees it: two or more non-empty labels of LDH (or non-ASCII) bytes,
 * the last alphabetic (or non-ASCII, or punycode "xn--"), as top-level labels are. */
static bool looks_like_domain(const char *s, size_t len)
{
    size_t labels = 0, label = 0, last = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)s[i] : '.';
        if (c == '.') {
            if (label == 0)
                return false;
            labels++;
            label = 0;
        } else if (c >= 0x80 || is_ldh((char)c)) {
            if (label++ == 0)
                last = i;
        } else {
            return false;
        }
    }
    if (labels < 2)
        return false;
    if (len - last >= 4 && ruru_str_iprefix(ruru_str_make(s + last, len - last), "xn--"))
        return true;
    for (size_t i = last; i < len; i++)
        if (!(ruru_is_alpha(s[i]) || (unsigned char)s[i] >= 0x80))
            return false;
    return true;
}

/* "host", "host:port", "[v6]:port", with host a name as above or a dotted quad. */
static bool looks_like_web_host(const char *s, size_t len)
{
    const char *colon, *host_end;
    uint8_t a[16];

    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL || !parse_v6(s + 1, (size_t)(close - s - 1), a))
            return false;
        host_end = close + 1;
        colon = host_end < s + len ? host_end : NULL;
        if (colon != NULL && *colon != ':')
            return false;
    } else {
        colon = memchr(s, ':', len);
        host_end = colon != NULL ? colon : s + len;
        if (!looks_like_domain(s, (size_t)(host_end - s)) &&
            !parse_v4(s, (size_t)(host_end - s), a))
            return false;
    }
    if (colon == NULL)
        return true;
    /* A port: one to five digits. */
    if (s + len - colon - 1 < 1 || s + len - colon - 1 > 5)
        return false;
    for (const char *p = colon + 1; p < s + len; p++)
        if (!ruru_is_digit(*p))
            return false;
    return true;
}

enum ruru_ioc_type ruru_ioc_infer(const char *value, size_t len)
{
    struct ruru_str v = ruru_str_trim(ruru_str_make(value, len));
    const char *s = v.ptr, *at, *slash;
    uint8_t a[16];
    unsigned bits, prefix;
    bool has_prefix;
    const char *reason;

    len = v.len;
    if (len == 0 || len > MAX_VALUE_BYTES)
        return RURU_IOC_NONE;
    if (s[len - 1] == '.') {
        /* A fully qualified name ("evil.com.", even "192.0.2.1."): a host name. */
        size_t n = len;
        enum ruru_ioc_type t;
        while (n > 0 && s[n - 1] == '.')
            n--;
        t = n > 0 ? ruru_ioc_infer(s, n) : RURU_IOC_NONE;
        if (t == RURU_IOC_DOMAIN || t == RURU_IOC_IPV4 || t == RURU_IOC_IPV6)
            return RURU_IOC_DOMAIN;
        /* else "http://evil.com/a." and the like: the dot is no FQDN's */
    }
    if ((ruru_is_xdigit(s[0]) || s[0] == ':' || s[0] == '[') &&
        parse_ip(s, len, a, &bits, &prefix, &has_prefix, &reason))
        return prefix < bits ? (bits == 32 ? RURU_IOC_CIDR4 : RURU_IOC_CIDR6)
                             : (bits == 32 ? RURU_IOC_IPV4 : RURU_IOC_IPV6);
    if (scheme_len(s, len) > 0)
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
            return RURU_IOC_NONE;
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
    if (at != NULL) {
        size_t local_len = (size_t)(at - s);
        if (local_len == 0 || memchr(at + 1, '@', len - local_len - 1) != NULL)
            return RURU_IOC_NONE;
        for (size_t i = 0; i < local_len; i++)
            if (!is_local_char((unsigned char)s[i]))
                return RURU_IOC_NONE;
        return looks_like_domain(at + 1, len - local_len - 1) ? RURU_IOC_EMAIL : RURU_IOC_NONE;
    }
    if (looks_like_domain(s, len))
        return RURU_IOC_DOMAIN;
    /* "evil.com/gate.php", "198.51.100.7:8080/x": a host and a path, a URL without its
     * scheme. */
    slash = memchr(s, '/', len);
    if (slash == NULL || slash == s)
        return RURU_IOC_NONE;
    for (const char *p = slash; p < s + len; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return RURU_IOC_NONE;
    return looks_like_web_host(s, (size_t)(slash - s)) ? RURU_IOC_URL : RURU_IOC_NONE;
}

/* ---- the entry point --------------------------------------------------------------------- */

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
    case RURU_IOC_URI_PATH:
        /* A "uri" written with a scheme or host is a URL: norm_url decides, and sends a path
         * from the root to norm_path. */
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
    case RURU_IOC_REGKEY:
        ok = ruru_ioc_norm_regkey(v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_MAC:
        ok = ruru_ioc_norm_mac(v.ptr, v.len, out, reason);
        break;
    case RURU_IOC_MUTEX:
    case RURU_IOC_PIPE:
    case RURU_IOC_FILENAME:
    case RURU_IOC_FILEPATH:
    case RURU_IOC_USER_AGENT:
    case RURU_IOC_STRING:
    case RURU_IOC_FILENAME_REGEX:
    case RURU_IOC_PATTERN:
        ok = norm_text(v.ptr, v.len, out, reason);
        break;
    default:
        *reason = "unknown type";
        ok = false;
        break;
    }
    if (ok && !out_ok(out)) {
        *reason = "out of memory";
        ok = false;
    }
    if (!ok) {
        /* A failed append can leave any reason behind it: the buffer's failure wins. */
        if (out->failed)
            *reason = "out of memory";
        ruru_buf_reset(out);
        return false;
    }
    *reason = NULL;
    *type = t;
    return true;
}
