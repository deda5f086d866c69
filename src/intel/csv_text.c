/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers the line-based list importers share (csv.h): confidence words, UTF-8 hygiene of
 * what goes to the sink, rejections, top-level domains, regex checks, feed type names and
 * escaped backslashes. Used by csv.c, csv_loki.c and zeek.c.
 */
#include "intel/csv.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <libpsl.h>
#include <pcre2.h>
#include <string.h>

#include "base/str.h"

int ruru_csv_confidence(const char *p, size_t n)
{
    struct ruru_str s = ruru_str_trim(ruru_str_make(p, n));
    size_t i = 0;
    int whole = 0, frac = 0, frac_digits = 0, digits = 0;
    bool dot = false, percent = false;

    if (ruru_str_ieq(s, "high"))
        return 85;
    if (ruru_str_ieq(s, "medium"))
        return 50;
    if (ruru_str_ieq(s, "low"))
        return 15;
    if (s.len > 0 && s.ptr[s.len - 1] == '%') {
        percent = true;
        s.len--;
    }
    for (; i < s.len; i++) {
        char ch = s.ptr[i];
        if (ch == '.' && !dot) {
            dot = true;
        } else if (!ruru_is_digit(ch)) {
            return -1;
        } else if (dot) {
            if (frac_digits < 2) {
                frac = frac * 10 + (ch - '0');
                frac_digits++;
            }
            digits++;
        } else {
            /* Past 100 it is no confidence; stop before the int could overflow. */
            whole = whole * 10 + (ch - '0');
            if (whole > 100)
                return -1;
            digits++;
        }
    }
    if (digits == 0)
        return -1;
    if (dot && !percent && (whole == 0 || (whole == 1 && frac == 0)))
        return whole * 100 + (frac_digits == 1 ? frac * 10 : frac);
    return whole;
}

size_t ruru_csv_utf8_prefix(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;

    while (i < n) {
        unsigned char b = u[i];
        size_t need;
        uint32_t cp;
        if (b >= 0x01 && b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            need = 1;
            cp = b & 0x1fu;
        } else if (b >= 0xe0 && b <= 0xef) {
            need = 2;
            cp = b & 0x0fu;
        } else if (b >= 0xf0 && b <= 0xf4) {
            need = 3;
            cp = b & 0x07u;
        } else {
            return i; /* NUL, a continuation byte, C0/C1 (overlong), F5..FF */
        }
        if (n - i <= need)
            return i;
        for (size_t k = 1; k <= need; k++) {
            if ((u[i + k] & 0xc0u) != 0x80u)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3fu);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return i;
        i += need + 1;
    }
    return n;
}

const char *ruru_csv_text_copy(const char *p, size_t n, size_t max, struct ruru_buf *out)
{
    size_t i = 0;

    /* Nothing past max (plus one character's worth of look-ahead) can be shown. */
    if (n > max + 4)
        n = max + 4;
    ruru_buf_reset(out);
    while (i < n && out->len < max) {
        size_t ok = ruru_csv_utf8_prefix(p + i, n - i);
        if (ok > 0) {
            size_t take = ok;
            if (take > max - out->len) {
                /* Cut at a character boundary. */
                take = max - out->len;
                while (take > 0 && ((unsigned char)p[i + take] & 0xc0u) == 0x80u)
                    take--;
            }
            ruru_buf_add(out, p + i, take);
            i += take;
            if (take < ok)
                break;
            continue;
        }
        if (max - out->len < 3)
            break;
        ruru_buf_add(out, "\xef\xbf\xbd", 3); /* U+FFFD for the bad byte */
        i++;
    }
    return out->failed ? NULL : ruru_buf_str(out);
}

const char *ruru_csv_text(const char *p, size_t n, size_t max, struct ruru_buf *out)
{
    if (n <= max && ruru_csv_utf8_prefix(p, n) == n)
        return p;
    return ruru_csv_text_copy(p, n, max, out);
}

enum ruru_err ruru_csv_reject(const struct ruru_import_ctx *ctx,
                              uint64_t line,
                              uint64_t col,
                              const char *value,
                              size_t n,
                              const char *reason,
                              struct ruru_buf *scratch)
{
    struct ruru_intel_reject r;

    if (ctx->sink->reject == NULL)
        return RURU_OK;
    memset(&r, 0, sizeof(r));
    r.line = line;
    r.col = col;
    r.value = value != NULL ? ruru_csv_text_copy(value, n, RURU_CSV_REJECT_VALUE_BYTES, scratch)
                            : NULL;
    r.reason = reason;
    return ctx->sink->reject(ctx->sink->ctx, &r);
}

bool ruru_csv_known_tld(const char *domain)
{
    const char *dot = strrchr(domain, '.');
    const char *tld = dot != NULL ? dot + 1 : domain;

    /* Names reserved for tests and private use (RFC 2606, RFC 6761, ICANN's .internal) and
     * the private ones networks use: not in the list, but domains in intel and logs. */
    static const char *const reserved[] = {"example", "test", "invalid", "localhost", "internal",
                                           "local",   "lan",  "corp",    "home"};

    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (ruru_ascii_casecmp(tld, reserved[i]) == 0)
            return true;
    /* Punycode TLDs ("xn--p1ai") are in the list as such; the star rule would take any label. */
    return tld[0] != '\0' &&
           psl_is_public_suffix2(psl_builtin(), tld, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

bool ruru_csv_regex_ok(const char *regex, size_t n, struct ruru_buf *reason)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, n, 0, &code, &off, NULL);
    PCRE2_UCHAR msg[RURU_CSV_REASON_BYTES];

    if (re != NULL) {
        pcre2_code_free(re);
        return true;
    }
    if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
        memcpy(msg, "error", 6);
    ruru_buf_reset(reason);
    ruru_buf_addf(reason, "regex does not compile: %s (at offset %zu)", (const char *)msg,
                  (size_t)off);
    return false;
}

/* Type names of vendor feeds that are no MISP, STIX or Zeek name, in the form feed_type()
 * compares (ASCII lower case, '-' for space and '_'). A process is named by its image file
 * (Microsoft's DEV-0322 list: "cmd.exe,process"); a Defender detection name ("Trojan:MSIL/
 * QuietSieve.Gen!dha", Microsoft's AVDetection) is a string a detection log holds whole. */
static const struct {
    const char *name;
    enum ruru_ioc_type type;
} FEED_TYPES[] = {
        {"process", RURU_IOC_FILENAME},        {"parentprocess", RURU_IOC_FILENAME},
        {"parent-process", RURU_IOC_FILENAME}, {"process-name", RURU_IOC_FILENAME},
        {"processname", RURU_IOC_FILENAME},    {"parent-process-name", RURU_IOC_FILENAME},
        {"urlpath", RURU_IOC_URI_PATH},        {"md5-hash", RURU_IOC_MD5}, /* abuse.ch */
        {"sha1-hash", RURU_IOC_SHA1},          {"sha256-hash", RURU_IOC_SHA256},
        {"sha512-hash", RURU_IOC_SHA512},      {"avdetection", RURU_IOC_STRING},
        {"av-detection", RURU_IOC_STRING},     {"detection-name", RURU_IOC_STRING},
};

/* A type name ruru_ioc_type_parse does not know, looked up again with ' ' and '_' read as
 * '-' ("url path", "IP_Address") and among FEED_TYPES. False when it is none of them. */
bool ruru_csv_feed_type(const char *name, size_t n, enum ruru_ioc_type *type, bool *infer)
{
    char key[64];

    if (n >= sizeof(key))
        return false;

    for (size_t i = 0; i < n; i++)
        key[i] = (char)(name[i] == ' ' || name[i] == '_' ? '-' : ruru_lower(name[i]));
    key[n] = '\0';
    *type = ruru_ioc_type_parse(key, infer);
    if (*type != RURU_IOC_NONE || *infer)
        return true;
    for (size_t i = 0; i < sizeof(FEED_TYPES) / sizeof(FEED_TYPES[0]); i++) {
        if (strcmp(key, FEED_TYPES[i].name) == 0) {
            *type = FEED_TYPES[i].type;
            return true;
        }
    }
    return false;
}

/* A value whose every run of backslashes has an even length ("Windows\\\\ADFS\\\\x.dll",
 * escaped by whatever wrote the CSV) loses every second one, in place. A value with any single
 * backslash is left as it is: "\\\\server\\share" is a UNC path, not an escape. */
void ruru_csv_unescape_backslashes(struct ruru_buf *f)
{
    size_t i = 0, k = 0;
    bool any = false;

    while (i < f->len) {
        size_t run = 0;
        while (i + run < f->len && f->ptr[i + run] == '\\')
            run++;
        if (run % 2 != 0)
            return;
        any |= run > 0;
        i += run > 0 ? run : 1;
    }
    if (!any)
        return;
    for (i = 0; i < f->len; i++) {
        f->ptr[k++] = f->ptr[i];
        if (f->ptr[i] == '\\')
            i++; /* its twin */
    }
    f->len = k;
    f->ptr[k] = '\0';
}
