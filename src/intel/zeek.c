/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek intel framework files: a "#fields" header naming tab-separated columns (indicator,
 * indicator_type, meta.source, meta.desc, meta.url, ...), "#separator", "#set_separator",
 * "#empty_field" and "#unset_field" directives, other "#" lines as comments. Headers may repeat
 * mid-file (Zeek concatenates files that way), and each applies to the rows after it.
 *
 * Example: "1.2.3.4<TAB>Intel::ADDR<TAB>source1<TAB>bad host" gives ipv4 1.2.3.4 written by
 * "source1" with the description "bad host". Zeek URLs carry no scheme
 * ("www.example.com/path") and are read as http URLs.
 */
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"

/* Zeek itself reads no more columns than this in an intel file. */
#define MAX_FIELDS 32
/* A longer line is no intel row: it is rejected and skipped. */
#define MAX_LINE_BYTES (1u << 20)

enum zcol { Z_INDICATOR, Z_TYPE, Z_SOURCE, Z_DESC, Z_URL, Z__COUNT };

struct zeek {
    const struct ruru_import_ctx *ctx;
    char sep[8];
    size_t sep_len;
    char empty[32], unset[32];
    int col[Z__COUNT];
    size_t n_fields;
    struct ruru_buf line, fanged, canon, labels, text;
};

/* Reads a directive value with \xHH escapes ("\x09") into out. */
static size_t unescape(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        if (p[i] == '\\' && i + 3 < n && p[i + 1] == 'x' && ruru_hexval(p[i + 2]) >= 0 &&
            ruru_hexval(p[i + 3]) >= 0) {
            out[k++] = (char)(ruru_hexval(p[i + 2]) * 16 + ruru_hexval(p[i + 3]));
            i += 3;
        } else {
            out[k++] = p[i];
        }
    }
    out[k] = '\0';
    return k;
}

static void set_fields(struct zeek *z, const char *p, size_t n)
{
    size_t i = 0, idx = 0;

    for (int c = 0; c < Z__COUNT; c++)
        z->col[c] = -1;
    while (i <= n && idx < MAX_FIELDS) {
        const char *f = p + i;
        const char *e = z->sep_len ? (const char *)ruru_memmem(f, n - i, z->sep, z->sep_len) : NULL;
        size_t fl = e ? (size_t)(e - f) : n - i;
        struct ruru_str name = ruru_str_trim(ruru_str_make(f, fl));
        if (ruru_str_eq(name, "indicator"))
            z->col[Z_INDICATOR] = (int)idx;
        else if (ruru_str_eq(name, "indicator_type"))
            z->col[Z_TYPE] = (int)idx;
        else if (ruru_str_eq(name, "meta.source"))
            z->col[Z_SOURCE] = (int)idx;
        else if (ruru_str_eq(name, "meta.desc"))
            z->col[Z_DESC] = (int)idx;
        else if (ruru_str_eq(name, "meta.url"))
            z->col[Z_URL] = (int)idx;
        idx++;
        if (e == NULL)
            break;
        i += fl + z->sep_len;
    }
    z->n_fields = idx;
}

static bool is_blank_line(struct ruru_str l)
{
    return ruru_str_trim(l).len == 0;
}

static enum ruru_err
reject(struct zeek *z, uint64_t line, const char *v, size_t n, const char *reason)
{
    ruru_buf_reset(&z->text);
    ruru_buf_add(&z->text, v, n > 256 ? 256 : n);
    return ruru_intel_reject(z->ctx, line, NULL, z->text.failed ? NULL : ruru_buf_str(&z->text),
                             reason);
}

/* A field's value, or NULL when it is the empty or unset marker. */
static char *field(struct zeek *z, char **f, size_t n_f, int col)
{
    if (col < 0 || (size_t)col >= n_f || f[col] == NULL)
        return NULL;
    if (f[col][0] == '\0' || strcmp(f[col], z->empty) == 0 || strcmp(f[col], z->unset) == 0)
        return NULL;
    return f[col];
}

static enum ruru_err do_row(struct zeek *z, uint64_t line, const char *p, size_t n)
{
    const struct ruru_intel_sink *s = z->ctx->sink;
    struct ruru_intel_indicator ind;
    char *f[MAX_FIELDS], *v, *t, *src, *desc, *url;
    size_t n_f = 0;
    enum ruru_ioc_type type = RURU_IOC_NONE;
    const char *reason, *labels[2];
    size_t n_labels = 0, lab_off[2];
    bool cert = false;

    if (n > MAX_LINE_BYTES)
        return reject(z, line, p, n, "line too long");
    ruru_buf_reset(&z->line);
    ruru_buf_add(&z->line, p, n);
    if (z->line.failed)
        return RURU_ENOMEM;
    {
        char *b = z->line.ptr, *end = b + z->line.len;
        while (n_f < MAX_FIELDS) {
            char *e = z->sep_len ? (char *)(uintptr_t)ruru_memmem(b, (size_t)(end - b), z->sep,
                                                                  z->sep_len)
                                 : NULL;
            f[n_f++] = b;
            if (e == NULL)
                break;
            *e = '\0';
            b = e + z->sep_len;
        }
    }
    if (n_f != z->n_fields)
        return reject(z, line, p, n, "wrong number of fields");
    v = field(z, f, n_f, z->col[Z_INDICATOR]);
    if (v == NULL)
        return reject(z, line, p, n, "row without indicator");
    t = field(z, f, n_f, z->col[Z_TYPE]);
    if (t != NULL) {
        bool infer;
        type = ruru_ioc_type_parse(t, &infer);
        cert = strcmp(t, "Intel::CERT_HASH") == 0;
        if (type == RURU_IOC_NONE && !infer)
            return reject(z, line, v, strlen(v), "unknown indicator type");
    }
    if (cert) {
        /* Certificate hashes are x509 fingerprints, typed by length. */
        size_t hex = 0;
        for (const char *q = v; *q; q++)
            hex += ruru_is_xdigit(*q);
        type = hex == 32   ? RURU_IOC_X509_MD5
               : hex == 40 ? RURU_IOC_X509_SHA1
                           : RURU_IOC_X509_SHA256;
    }
    ruru_buf_reset(&z->fanged);
    ruru_buf_adds(&z->fanged, v);
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&z->fanged), z->fanged.len, &z->ctx->norm,
                            &z->canon, &reason))
        return reject(z, line, v, strlen(v), reason);
    ruru_intel_indicator_init(&ind);
    ind.type = type;
    ind.value = ruru_buf_str(&z->canon);
    ind.line = line;
    src = field(z, f, n_f, z->col[Z_SOURCE]);
    desc = field(z, f, n_f, z->col[Z_DESC]);
    url = field(z, f, n_f, z->col[Z_URL]);
    ind.created_by = src;
    ind.description = desc;
    ruru_buf_reset(&z->labels);
    if (src != NULL) {
        lab_off[n_labels++] = z->labels.len;
        ruru_buf_addf(&z->labels, "zeek-source:%s", src);
        ruru_buf_addc(&z->labels, '\0');
    }
    if (url != NULL) {
        lab_off[n_labels++] = z->labels.len;
        ruru_buf_addf(&z->labels, "ref:%s", url);
        ruru_buf_addc(&z->labels, '\0');
    }
    if (z->labels.failed)
        return RURU_ENOMEM;
    for (size_t i = 0; i < n_labels; i++)
        labels[i] = z->labels.ptr + lab_off[i];
    ind.labels = labels;
    ind.n_labels = n_labels;
    return s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
}

enum ruru_err ruru_zeek_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    static const char default_fields[] = "indicator\tindicator_type\tmeta.source";
    struct zeek z;
    size_t pos = 0;
    uint64_t line = 0;
    enum ruru_err err = RURU_OK;

    memset(&z, 0, sizeof(z));
    z.ctx = ctx;
    z.sep[0] = '\t';
    z.sep_len = 1;
    memcpy(z.empty, "(empty)", 8);
    memcpy(z.unset, "-", 2);
    ruru_buf_init(&z.line, MAX_LINE_BYTES + 1);
    ruru_buf_init(&z.fanged, MAX_LINE_BYTES + 1);
    ruru_buf_init(&z.canon, 4 * MAX_LINE_BYTES);
    ruru_buf_init(&z.labels, 2 * MAX_LINE_BYTES + 64);
    ruru_buf_init(&z.text, 4096);
    set_fields(&z, default_fields, sizeof(default_fields) - 1);
    while (pos < len && err == RURU_OK) {
        const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        struct ruru_str l;
        pos += n + 1;
        line++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        l = ruru_str_make(p, n);
        if (is_blank_line(l))
            continue;
        if (p[0] == '#') {
            char tmp[64];
            if (ruru_str_iprefix(l, "#separator ")) {
                z.sep_len = unescape(p + 11, n - 11, z.sep, sizeof(z.sep));
                if (z.sep_len == 0) {
                    z.sep[0] = '\t';
                    z.sep_len = 1;
                }
            } else if (ruru_str_iprefix(l, "#empty_field")) {
                unescape(p + 12, n - 12, tmp, sizeof(tmp));
                memcpy(z.empty, tmp + (tmp[0] == '\t' || tmp[0] == ' '), sizeof(z.empty) - 1);
                z.empty[sizeof(z.empty) - 1] = '\0';
            } else if (ruru_str_iprefix(l, "#unset_field")) {
                unescape(p + 12, n - 12, tmp, sizeof(tmp));
                memcpy(z.unset, tmp + (tmp[0] == '\t' || tmp[0] == ' '), sizeof(z.unset) - 1);
                z.unset[sizeof(z.unset) - 1] = '\0';
            } else if (ruru_str_iprefix(l, "#fields")) {
                size_t skip = 7;
                if (n >= skip + z.sep_len && memcmp(p + skip, z.sep, z.sep_len) == 0)
                    skip += z.sep_len;
                else
                    while (skip < n && (p[skip] == ' ' || p[skip] == '\t'))
                        skip++;
                set_fields(&z, p + skip, n - skip);
            }
            continue;
        }
        err = do_row(&z, line, p, n);
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, line, 0, "out of memory");
    ruru_buf_fini(&z.line);
    ruru_buf_fini(&z.fanged);
    ruru_buf_fini(&z.canon);
    ruru_buf_fini(&z.labels);
    ruru_buf_fini(&z.text);
    return err;
}
