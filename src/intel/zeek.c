/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek intel framework files (the input of Zeek's Intel::read_files): lines of fields split by
 * a separator (TAB unless "#separator" says otherwise), named by a "#fields" header. Other
 * directives: "#set_separator" (between the items of a set field), "#empty_field" (an empty
 * set or string, default "(empty)") and "#unset_field" (no value, default "-"); their values
 * may use \xHH escapes, as may fields. Every other line starting with '#' is a comment.
 * Headers may repeat mid-file (Zeek concatenates files that way) and each applies to the rows
 * after it; without any "#fields" the columns are indicator, indicator_type, meta.source.
 *
 * Each row gives one indicator. The type is Zeek's (ruru_zeek_type_resolve): Intel::URL values
 * carry no scheme and get "http://", hash types are told apart by length. Metadata: meta.source
 * is the author (created_by) and a label "zeek-source:<source>", meta.desc the description,
 * meta.url a label "ref:<url>", meta.if_in the context "if_in=<where>", meta.do_notice=T a
 * label "zeek-do-notice", meta.whitelist=T marks the value as not for detection (to_ids false,
 * label "zeek-whitelist"), meta.cif_confidence / meta.confidence the confidence and
 * meta.cif_tags / meta.tags more labels (split on the set separator).
 *
 * Example: under "#fields<TAB>indicator<TAB>indicator_type<TAB>meta.source<TAB>meta.desc", the
 * row "owa-login.example/owa/<TAB>Intel::URL<TAB>partner<TAB>-" gives the url
 * http://owa-login.example/owa/ by "partner", labelled zeek-source:partner, no description
 * ("-" is the unset marker), on the row's line.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/csv.h"
#include "intel/intel.h"
#include "intel/ioc.h"
#include "intel/zeek_types.h"

#define MAX_LINE_BYTES RURU_CSV_MAX_LINE_BYTES
/* Directive values kept: Zeek writes one-byte separators and short markers; a longer value is
 * ignored (the previous one stays) rather than cut into something else. */
#define MAX_SEP_BYTES    8
#define MAX_MARKER_BYTES 32
/* Labels from a tag set; more is no tag list. */
#define MAX_TAGS 32
/* Scratch for one text field: a field at the line cap where every byte became U+FFFD. */
#define TEXT_BYTES ((size_t)3 * MAX_LINE_BYTES + 4)

enum zcol {
    Z_INDICATOR,
    Z_TYPE,
    Z_SOURCE,
    Z_DESC,
    Z_URL,
    Z_IF_IN,
    Z_DO_NOTICE,
    Z_WHITELIST,
    Z_CONFIDENCE,
    Z_TAGS,
    Z__COUNT
};

/* Field names as "#fields" writes them (ASCII case ignored); others are read past. */
static const struct {
    const char *name;
    enum zcol col;
} FIELDS[] = {
        {"indicator", Z_INDICATOR},
        {"indicator_type", Z_TYPE},
        {"meta.source", Z_SOURCE},
        {"meta.desc", Z_DESC},
        {"meta.url", Z_URL},
        {"meta.if_in", Z_IF_IN},
        {"meta.do_notice", Z_DO_NOTICE},
        {"meta.whitelist", Z_WHITELIST},
        {"meta.cif_confidence", Z_CONFIDENCE},
        {"meta.confidence", Z_CONFIDENCE},
        {"meta.cif_tags", Z_TAGS},
        {"meta.tags", Z_TAGS},
};

struct zeek {
    const struct ruru_import_ctx *ctx;
    struct ruru_diag *diag;
    char sep[MAX_SEP_BYTES]; /* never empty */
    size_t sep_len;
    char set_sep[MAX_SEP_BYTES]; /* never empty */
    size_t set_sep_len;
    char empty[MAX_MARKER_BYTES]; /* NUL-terminated */
    char unset[MAX_MARKER_BYTES]; /* NUL-terminated */
    int col[Z__COUNT];            /* field index of each column, -1 when absent */
    size_t n_fields;              /* fields a row must have */
    uint64_t line;                /* the current line, 1-based */
    /* The current row: its copy (separators replaced by NULs) and where each column is. */
    struct ruru_buf row;
    size_t f_off[Z__COUNT], f_len[Z__COUNT];
    bool f_has[Z__COUNT];  /* the row has the column */
    bool f_done[Z__COUNT]; /* field() has unescaped and trimmed it: f_off/f_len are final */
    struct ruru_buf value, canon, by, desc, context, labels, text;
};

/* ---- directives ------------------------------------------------------------------------ */

/* Decodes \xHH escapes of p[0..n) into out (cap bytes with the NUL). Returns the length, or
 * SIZE_MAX when the value does not fit. */
static size_t unescape(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (k + 1 >= cap)
            return SIZE_MAX;
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

/* Decodes \xHH escapes in place; returns the new length. */
static size_t unescape_in_place(char *p, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 3 < n && p[i + 1] == 'x' && ruru_hexval(p[i + 2]) >= 0 &&
            ruru_hexval(p[i + 3]) >= 0) {
            p[k++] = (char)(ruru_hexval(p[i + 2]) * 16 + ruru_hexval(p[i + 3]));
            i += 3;
        } else {
            p[k++] = p[i];
        }
    }
    return k;
}

/* When line l is the directive `name` (followed by the separator, a blank or nothing), sets
 * *rest to what follows and returns true. */
static bool
directive(const struct zeek *z, struct ruru_str l, const char *name, struct ruru_str *rest)
{
    size_t n = strlen(name);
    struct ruru_str r;

    if (!ruru_str_iprefix(l, name))
        return false;
    r = ruru_str_make(l.ptr + n, l.len - n);
    if (r.len >= z->sep_len && memcmp(r.ptr, z->sep, z->sep_len) == 0) {
        r.ptr += z->sep_len;
        r.len -= z->sep_len;
    } else if (r.len > 0 && (r.ptr[0] == ' ' || r.ptr[0] == '\t')) {
        r.ptr++;
        r.len--;
    } else if (r.len > 0) {
        return false; /* "#fieldsx": a comment */
    }
    *rest = r;
    return true;
}

static void set_fields(struct zeek *z, struct ruru_str names)
{
    size_t idx = 0, i = 0;

    for (size_t k = 0; k < Z__COUNT; k++)
        z->col[k] = -1;
    for (;;) {
        const char *e = ruru_memmem(names.ptr + i, names.len - i, z->sep, z->sep_len);
        size_t fl = e ? (size_t)(e - names.ptr) - i : names.len - i;
        struct ruru_str name = ruru_str_trim(ruru_str_make(names.ptr + i, fl));
        for (size_t k = 0; k < sizeof(FIELDS) / sizeof(FIELDS[0]); k++)
            if (ruru_str_ieq(name, FIELDS[k].name) && z->col[FIELDS[k].col] < 0)
                z->col[FIELDS[k].col] = (int)idx;
        idx++;
        if (e == NULL)
            break;
        i += fl + z->sep_len;
    }
    z->n_fields = idx;
}

/* A header or comment line (starting with '#'). */
static void header_line(struct zeek *z, struct ruru_str l)
{
    struct ruru_str v;
    char tmp[MAX_MARKER_BYTES];
    size_t n;

    if (directive(z, l, "#separator", &v)) {
        n = unescape(v.ptr, v.len, tmp, MAX_SEP_BYTES);
        if (n != SIZE_MAX && n > 0) {
            memcpy(z->sep, tmp, n);
            z->sep_len = n;
        }
    } else if (directive(z, l, "#set_separator", &v)) {
        n = unescape(v.ptr, v.len, tmp, MAX_SEP_BYTES);
        if (n != SIZE_MAX && n > 0) {
            memcpy(z->set_sep, tmp, n);
            z->set_sep_len = n;
        }
    } else if (directive(z, l, "#empty_field", &v)) {
        n = unescape(v.ptr, v.len, tmp, sizeof(tmp));
        if (n != SIZE_MAX)
            memcpy(z->empty, tmp, n + 1);
    } else if (directive(z, l, "#unset_field", &v)) {
        n = unescape(v.ptr, v.len, tmp, sizeof(tmp));
        if (n != SIZE_MAX)
            memcpy(z->unset, tmp, n + 1);
    } else if (directive(z, l, "#fields", &v)) {
        set_fields(z, v);
    }
}

/* ---- rows ------------------------------------------------------------------------------ */

static enum ruru_err reject(struct zeek *z, uint64_t col, const char *v, size_t n, const char *why)
{
    return ruru_csv_reject(z->ctx, z->line, col, v, n, why, &z->text);
}

static enum ruru_err nomem(struct zeek *z)
{
    return ruru_diag_set(z->diag, RURU_ENOMEM, z->ctx->path, z->line, 0, "out of memory");
}

/* Copies the row into z->row, cutting it at the separators, and notes where each column is.
 * Returns the number of fields. */
static size_t split_row(struct zeek *z, const char *p, size_t n)
{
    size_t idx = 0, i = 0;
    char *b;

    memset(z->f_has, 0, sizeof(z->f_has));
    memset(z->f_done, 0, sizeof(z->f_done));
    ruru_buf_reset(&z->row);
    if (ruru_buf_add(&z->row, p, n) != RURU_OK)
        return SIZE_MAX;
    b = z->row.ptr;
    for (;;) {
        char *e = (char *)(uintptr_t)ruru_memmem(b + i, n - i, z->sep, z->sep_len);
        size_t fl = e ? (size_t)(e - b) - i : n - i;
        for (size_t k = 0; k < Z__COUNT; k++) {
            if (z->col[k] == (int)idx) {
                z->f_has[k] = true;
                z->f_off[k] = i;
                z->f_len[k] = fl;
            }
        }
        idx++;
        if (e == NULL)
            break;
        memset(e, '\0', z->sep_len);
        i += fl + z->sep_len;
    }
    return idx;
}

/* Column k of the row: unescaped, trimmed, NUL-terminated; NULL when the row has no such
 * column or it holds nothing (empty, or the empty or unset marker). */
static char *field(struct zeek *z, enum zcol k, size_t *n)
{
    char *p, *e;
    size_t len;

    if (!z->f_has[k])
        return NULL;
    p = z->row.ptr + z->f_off[k];
    len = z->f_len[k];
    if (z->f_done[k]) {
        *n = len;
        return len > 0 ? p : NULL;
    }
    z->f_done[k] = true;
    if (memchr(p, '\\', len) != NULL)
        len = unescape_in_place(p, len);
    p[len] = '\0';
    if (len == 0 || strcmp(p, z->empty) == 0 || strcmp(p, z->unset) == 0) {
        z->f_len[k] = 0;
        return NULL;
    }
    e = p + len;
    while (p < e && ruru_is_space(*p))
        p++;
    while (e > p && ruru_is_space(e[-1]))
        e--;
    *e = '\0';
    *n = (size_t)(e - p);
    z->f_off[k] = (size_t)(p - z->row.ptr);
    z->f_len[k] = *n;
    return *n > 0 ? p : NULL;
}

/* A text field as sink text, or NULL. *oom is set when a cleaned copy could not be made. */
static const char *text(struct zeek *z, enum zcol k, struct ruru_buf *scratch, bool *oom)
{
    size_t n = 0;
    char *p = field(z, k, &n);
    const char *t;

    if (p == NULL)
        return NULL;
    t = ruru_csv_text(p, n, TEXT_BYTES, scratch);
    *oom |= t == NULL;
    return t;
}

static bool is_true(const char *p)
{
    return p != NULL && (strcmp(p, "T") == 0 || ruru_ascii_casecmp(p, "true") == 0);
}

/* Appends one label (NUL-terminated) to z->labels, noting its offset. */
static void
add_label(struct zeek *z, size_t *offs, size_t *n, const char *prefix, const char *p, size_t len)
{
    offs[(*n)++] = z->labels.len;
    ruru_buf_adds(&z->labels, prefix);
    ruru_buf_add(&z->labels, p, len);
    ruru_buf_addc(&z->labels, '\0');
}

/* Labels and the to_ids flag from the metadata; labels[] points into z->labels. */
static size_t meta_labels(struct zeek *z, struct ruru_intel_indicator *ind, const char **labels)
{
    size_t offs[4 + MAX_TAGS], count = 0, n = 0;
    const char *url, *tags;
    char *flag;
    bool oom = false;

    ruru_buf_reset(&z->labels);
    if (ind->created_by != NULL)
        add_label(z, offs, &count, "zeek-source:", ind->created_by, strlen(ind->created_by));
    url = text(z, Z_URL, &z->text, &oom);
    if (url != NULL)
        add_label(z, offs, &count, "ref:", url, strlen(url));
    if (is_true(field(z, Z_DO_NOTICE, &n)))
        add_label(z, offs, &count, "zeek-do-notice", "", 0);
    flag = field(z, Z_WHITELIST, &n);
    if (is_true(flag)) {
        ind->to_ids = false;
        add_label(z, offs, &count, "zeek-whitelist", "", 0);
    }
    tags = text(z, Z_TAGS, &z->text, &oom);
    for (size_t i = 0, len = tags ? strlen(tags) : 0; tags != NULL && i < len;) {
        const char *e = ruru_memmem(tags + i, len - i, z->set_sep, z->set_sep_len);
        size_t tl = e ? (size_t)(e - tags) - i : len - i;
        struct ruru_str t = ruru_str_trim(ruru_str_make(tags + i, tl));
        if (t.len > 0 && count < sizeof(offs) / sizeof(offs[0]))
            add_label(z, offs, &count, "", t.ptr, t.len);
        i += tl + (e ? z->set_sep_len : 0);
    }
    if (oom || z->labels.failed)
        return SIZE_MAX;
    for (size_t i = 0; i < count; i++)
        labels[i] = z->labels.ptr + offs[i];
    return count;
}

/* The metadata of the row into ind. Returns RURU_ENOMEM when a copy cannot be made. */
static enum ruru_err meta(struct zeek *z, struct ruru_intel_indicator *ind, const char **labels)
{
    bool oom = false;
    size_t n = 0, n_labels;
    char *p;

    ind->created_by = text(z, Z_SOURCE, &z->by, &oom);
    ind->description = text(z, Z_DESC, &z->desc, &oom);
    if ((p = field(z, Z_CONFIDENCE, &n)) != NULL)
        ind->confidence = ruru_csv_confidence(p, n);
    if ((p = field(z, Z_IF_IN, &n)) != NULL) {
        const char *where = ruru_csv_text(p, n, TEXT_BYTES, &z->text);
        ruru_buf_reset(&z->context);
        ruru_buf_adds(&z->context, "if_in=");
        if (where == NULL || ruru_buf_adds(&z->context, where) != RURU_OK)
            return RURU_ENOMEM;
        ind->context = ruru_buf_str(&z->context);
    }
    if (oom)
        return RURU_ENOMEM;
    n_labels = meta_labels(z, ind, labels);
    if (n_labels == SIZE_MAX)
        return RURU_ENOMEM;
    ind->labels = n_labels > 0 ? labels : NULL;
    ind->n_labels = n_labels;
    return RURU_OK;
}

/* The value to normalise into z->value: a scheme for a URL, no colons in a certificate hash. */
static enum ruru_err
prepare(struct zeek *z, const char *v, size_t n, enum ruru_ioc_type type, bool is_cert)
{
    ruru_buf_reset(&z->value);
    if (type == RURU_IOC_URL && ruru_memmem(v, n, "://", 3) == NULL)
        ruru_buf_add(&z->value, "http://", 7);
    if (is_cert) {
        for (size_t i = 0; i < n; i++)
            if (v[i] != ':')
                ruru_buf_addc(&z->value, v[i]);
    } else {
        ruru_buf_add(&z->value, v, n);
    }
    return z->value.failed ? RURU_ENOMEM : RURU_OK;
}

static enum ruru_err do_row(struct zeek *z, const char *p, size_t n)
{
    const struct ruru_intel_sink *s = z->ctx->sink;
    struct ruru_intel_indicator ind;
    const char *labels[4 + MAX_TAGS], *reason = NULL;
    enum ruru_ioc_type type = RURU_IOC_NONE;
    uint32_t allowed = 0;
    bool is_cert = false;
    size_t n_f, vn = 0, tn = 0;
    char *v, *t;
    uint64_t vcol = (uint64_t)z->col[Z_INDICATOR] + 1;

    n_f = split_row(z, p, n);
    if (n_f == SIZE_MAX)
        return nomem(z);
    if (n_f != z->n_fields)
        return reject(z, 0, p, n, "wrong number of fields");
    if (z->col[Z_INDICATOR] < 0)
        return reject(z, 0, p, n, "no indicator field");
    v = field(z, Z_INDICATOR, &vn);
    if (v == NULL)
        return reject(z, vcol, "", 0, "empty value");
    t = field(z, Z_TYPE, &tn);
    if (t != NULL && !ruru_zeek_type_resolve(t, tn, v, vn, &type, &allowed, &is_cert))
        return reject(z, (uint64_t)z->col[Z_TYPE] + 1, v, vn, "unknown indicator type");
    if (prepare(z, v, vn, type, is_cert) != RURU_OK)
        return nomem(z);
    if (memchr(ruru_buf_str(&z->value), '\0', z->value.len) != NULL)
        return reject(z, vcol, v, vn, "NUL byte in value");
    if (ruru_csv_utf8_prefix(ruru_buf_str(&z->value), z->value.len) != z->value.len)
        return reject(z, vcol, v, vn, "invalid UTF-8");
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&z->value), z->value.len, &z->ctx->norm, &z->canon,
                            &reason)) {
        if (reason != NULL && strcmp(reason, "out of memory") == 0)
            return nomem(z);
        return reject(z, vcol, v, vn, reason != NULL ? reason : "unrecognised value");
    }
    if (allowed != 0 && (allowed & RURU_ZEEK_TYPE_BIT(type)) == 0)
        return reject(z, vcol, v, vn, "value does not match type");
    ruru_intel_indicator_init(&ind);
    ind.type = type;
    ind.value = ruru_buf_str(&z->canon);
    ind.raw = strcmp(ind.value, v) != 0 ? v : NULL;
    ind.line = z->line;
    if (meta(z, &ind, labels) != RURU_OK)
        return nomem(z);
    return s->indicator != NULL ? s->indicator(s->ctx, &ind) : RURU_OK;
}

/* ---- the import ------------------------------------------------------------------------ */

static void zeek_init(struct zeek *z, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    static const char default_fields[] = "indicator\tindicator_type\tmeta.source";

    memset(z, 0, sizeof(*z));
    z->ctx = ctx;
    z->diag = diag;
    z->sep[0] = '\t';
    z->sep_len = 1;
    z->set_sep[0] = ',';
    z->set_sep_len = 1;
    memcpy(z->empty, "(empty)", sizeof("(empty)"));
    memcpy(z->unset, "-", sizeof("-"));
    set_fields(z, ruru_str_make(default_fields, sizeof(default_fields) - 1));
    /* Caps: a row is at most the line cap; a value grows by "http://"; the normaliser may
     * triple a URL (each stray '%' becomes %25); cleaned text may triple (U+FFFD). */
    ruru_buf_init(&z->row, MAX_LINE_BYTES + 1);
    ruru_buf_init(&z->value, MAX_LINE_BYTES + 16);
    ruru_buf_init(&z->canon, (size_t)4 * MAX_LINE_BYTES);
    ruru_buf_init(&z->by, TEXT_BYTES);
    ruru_buf_init(&z->desc, TEXT_BYTES);
    ruru_buf_init(&z->context, TEXT_BYTES + 16);
    ruru_buf_init(&z->labels, (size_t)4 * TEXT_BYTES);
    ruru_buf_init(&z->text, TEXT_BYTES);
}

static void zeek_fini(struct zeek *z)
{
    struct ruru_buf *bufs[] = {&z->row,  &z->value,   &z->canon,  &z->by,
                               &z->desc, &z->context, &z->labels, &z->text};

    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        ruru_buf_fini(bufs[i]);
    ruru_free(z);
}

enum ruru_err ruru_zeek_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    struct zeek *z = ruru_malloc(sizeof(*z));
    size_t pos = 0;
    enum ruru_err err = RURU_OK;

    if (z == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
    zeek_init(z, ctx, diag);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    while (pos < len && err == RURU_OK) {
        const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        pos += n + 1;
        z->line++;
        if (n > MAX_LINE_BYTES) {
            err = reject(z, 0, p, n, "line too long");
            continue;
        }
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (ruru_str_trim(ruru_str_make(p, n)).len == 0)
            continue;
        if (p[0] == '#')
            header_line(z, ruru_str_make(p, n));
        else
            err = do_row(z, p, n);
    }
    zeek_fini(z);
    return err;
}
