/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSV and plain-text IOC lists: the format every CERT mails around. One pass over the bytes
 * with reused scratch buffers (no allocation per row), because bulk lists are large: the
 * benchmark imports 1,000,000 rows.
 *
 * Shape detection, from the first line that is not a comment (#, //, ;) or blank:
 *   - the delimiter is the first of , TAB ; | that occurs in it outside quotes (none: a
 *     one-value-per-line list, where "value  # comment" keeps the comment as description);
 *   - it is a header when one of its cells is a known column name (docs/internals/lists.md).
 * Each row then yields one indicator: the value column (or, without one, the first cell whose
 * re-fanged text looks like an IOC), typed by the type column or by inference, normalised.
 *
 * Worked example: "ip,203.0.113[.]45,Kryptonite Panda,high" under the header
 * "type,value,actor,confidence" gives ipv4 203.0.113.45, actor "Kryptonite Panda",
 * confidence 85.
 */
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"

/* A longer line is no IOC row: it is rejected and skipped up to the next newline. */
#define MAX_LINE_BYTES (1u << 20)
/* Cells beyond this are ignored: no IOC list has more columns. */
#define MAX_CELLS 64
/* Actors or tags named in one cell. */
#define MAX_LIST 32

enum col {
    COL_VALUE,
    COL_TYPE,
    COL_ACTOR,
    COL_SOURCE,
    COL_CONFIDENCE,
    COL_FIRST_SEEN,
    COL_LAST_SEEN,
    COL_VALID_FROM,
    COL_VALID_UNTIL,
    COL_DESCRIPTION,
    COL_TLP,
    COL_TAGS,
    COL_ID,
    COL__COUNT
};

static const struct {
    const char *name; /* lower case, with '_' for any of space, '-', '_' */
    enum col col;
} COLUMN_NAMES[] = {
        {"value", COL_VALUE},
        {"indicator", COL_VALUE},
        {"ioc", COL_VALUE},
        {"observable", COL_VALUE},
        {"ioc_value", COL_VALUE},
        {"data", COL_VALUE},
        {"indicator_value", COL_VALUE},
        {"type", COL_TYPE},
        {"indicator_type", COL_TYPE},
        {"ioc_type", COL_TYPE},
        {"kind", COL_TYPE},
        {"actor", COL_ACTOR},
        {"threat_actor", COL_ACTOR},
        {"group", COL_ACTOR},
        {"apt", COL_ACTOR},
        {"attribution", COL_ACTOR},
        {"adversary", COL_ACTOR},
        {"actors", COL_ACTOR},
        {"source", COL_SOURCE},
        {"feed", COL_SOURCE},
        {"provider", COL_SOURCE},
        {"confidence", COL_CONFIDENCE},
        {"score", COL_CONFIDENCE},
        {"first_seen", COL_FIRST_SEEN},
        {"firstseen", COL_FIRST_SEEN},
        {"date", COL_FIRST_SEEN},
        {"last_seen", COL_LAST_SEEN},
        {"lastseen", COL_LAST_SEEN},
        {"valid_from", COL_VALID_FROM},
        {"valid_until", COL_VALID_UNTIL},
        {"expires", COL_VALID_UNTIL},
        {"expiration", COL_VALID_UNTIL},
        {"expiry", COL_VALID_UNTIL},
        {"description", COL_DESCRIPTION},
        {"comment", COL_DESCRIPTION},
        {"comments", COL_DESCRIPTION},
        {"desc", COL_DESCRIPTION},
        {"notes", COL_DESCRIPTION},
        {"info", COL_DESCRIPTION},
        {"tlp", COL_TLP},
        {"tags", COL_TAGS},
        {"labels", COL_TAGS},
        {"tag", COL_TAGS},
        {"id", COL_ID},
        {"uuid", COL_ID},
};

struct cell {
    size_t off, len; /* into the row buffer */
};

struct row {
    struct ruru_buf bytes; /* unquoted cell contents, each NUL-terminated */
    struct cell cells[MAX_CELLS];
    size_t n_cells;
    uint64_t line; /* first line of the row */
    bool too_long;
    char empty[1]; /* what a missing cell reads as */
};

static bool is_comment(const char *p, size_t n)
{
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    return n > 0 && (p[0] == '#' || p[0] == ';' || (n > 1 && p[0] == '/' && p[1] == '/'));
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_space(p[i]))
            return false;
    return true;
}

/* Reads one row starting at *pos (RFC 4180 quoting when delim != 0). Advances *pos and *line
 * past it. Returns false at the end of input. */
static bool
read_row(const char *d, size_t len, size_t *pos, uint64_t *line, char delim, struct row *r)
{
    size_t i = *pos, start;
    bool quoted = false;

    if (i >= len)
        return false;
    ruru_buf_reset(&r->bytes);
    r->n_cells = 0;
    r->line = *line;
    r->too_long = false;
    start = r->bytes.len;
    for (;;) {
        char c;
        if (i >= len || (!quoted && (d[i] == '\n' || (delim != 0 && d[i] == delim)))) {
            if (r->n_cells < MAX_CELLS) {
                r->cells[r->n_cells].off = start;
                r->cells[r->n_cells].len = r->bytes.len - start;
                r->n_cells++;
            }
            ruru_buf_addc(&r->bytes, '\0');
            start = r->bytes.len;
            if (i >= len)
                break;
            if (d[i] == '\n') {
                (*line)++;
                i++;
                break;
            }
            i++;
            /* A quote opens a quoted cell only at its start (after spaces). */
            while (i < len && d[i] == ' ' && i + 1 < len && d[i + 1] == '"')
                i++;
            if (i < len && d[i] == '"') {
                quoted = true;
                i++;
            }
            continue;
        }
        c = d[i++];
        if (delim != 0 && c == '"' && start == r->bytes.len && !quoted && r->n_cells == 0 &&
            i - 1 == *pos) {
            quoted = true;
            continue;
        }
        if (quoted && c == '"') {
            if (i < len && d[i] == '"') {
                i++;
            } else {
                quoted = false;
                continue;
            }
        }
        if (c == '\n')
            (*line)++;
        if (c == '\r' && (i >= len || d[i] == '\n') && !quoted)
            continue;
        if (r->bytes.len >= MAX_LINE_BYTES) {
            r->too_long = true;
            quoted = false; /* resynchronise at the next newline */
            continue;
        }
        ruru_buf_addc(&r->bytes, c);
    }
    *pos = i;
    return true;
}

/* Cell i, trimmed, NUL-terminated in place (the row buffer is ours to cut). */
static char *cell(struct row *r, size_t i, size_t *n)
{
    char *p, *e;

    if (i >= r->n_cells) {
        *n = 0;
        r->empty[0] = '\0';
        return r->empty;
    }
    p = r->bytes.ptr + r->cells[i].off;
    e = p + r->cells[i].len;
    while (p < e && ruru_is_space(*p))
        p++;
    while (e > p && ruru_is_space(e[-1]))
        e--;
    *e = '\0';
    *n = (size_t)(e - p);
    return p;
}

static int column_of(const char *p, size_t n)
{
    char key[32];
    size_t k = 0;

    if (n >= sizeof(key))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = ruru_lower(p[i]);
        key[k++] = (c == ' ' || c == '-') ? '_' : c;
    }
    key[k] = '\0';
    for (size_t i = 0; i < sizeof(COLUMN_NAMES) / sizeof(COLUMN_NAMES[0]); i++)
        if (strcmp(key, COLUMN_NAMES[i].name) == 0)
            return (int)COLUMN_NAMES[i].col;
    return -1;
}

static char detect_delim(const char *p, size_t n)
{
    static const char cands[] = {',', '\t', ';', '|'};
    bool quoted = false;

    for (size_t c = 0; c < sizeof(cands); c++) {
        quoted = false;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '"')
                quoted = !quoted;
            else if (!quoted && p[i] == cands[c])
                return cands[c];
        }
    }
    return 0;
}

/* Confidence as lists write it: 0-100, a fraction 0.0-1.0, or high/medium/low. */
static int parse_confidence(const char *p, size_t n)
{
    int v = 0;
    size_t i = 0;
    bool dot = false;
    int frac_digits = 0, frac = 0;

    if (n == 0)
        return -1;
    if (ruru_str_ieq(ruru_str_make(p, n), "high"))
        return 85;
    if (ruru_str_ieq(ruru_str_make(p, n), "medium"))
        return 50;
    if (ruru_str_ieq(ruru_str_make(p, n), "low"))
        return 15;
    for (; i < n; i++) {
        if (p[i] == '.' && !dot) {
            dot = true;
        } else if (ruru_is_digit(p[i])) {
            if (dot) {
                if (frac_digits < 2) {
                    frac = frac * 10 + (p[i] - '0');
                    frac_digits++;
                }
            } else if ((v = v * 10 + (p[i] - '0')) > 100) {
                return -1;
            }
        } else {
            return -1;
        }
    }
    if (dot) {
        if (v > 1 || (v == 1 && frac > 0))
            return v <= 100 ? v : -1;
        if (frac_digits == 1)
            frac *= 10;
        return v * 100 + frac;
    }
    return v;
}

/* Splits a cell into list items (on ';' '|' ',' that are not the delimiter) written into
 * `store` (NUL-separated); fills items[] with pointers into it. */
static size_t split_list(
        const char *p, size_t n, char delim, struct ruru_buf *store, const char **items, size_t max)
{
    size_t count = 0, start = 0, offs[MAX_LIST];

    ruru_buf_reset(store);
    for (size_t i = 0; i <= n && count < max; i++) {
        if (i == n || ((p[i] == ';' || p[i] == '|' || p[i] == ',') && p[i] != delim)) {
            struct ruru_str s = ruru_str_trim(ruru_str_make(p + start, i - start));
            if (s.len > 0) {
                offs[count++] = store->len;
                ruru_buf_add(store, s.ptr, s.len);
                ruru_buf_addc(store, '\0');
            }
            start = i + 1;
        }
    }
    if (store->failed)
        return 0;
    for (size_t i = 0; i < count; i++)
        items[i] = store->ptr + offs[i];
    return count;
}

struct csv {
    const struct ruru_import_ctx *ctx;
    char delim;
    bool has_header;
    int col[COL__COUNT]; /* cell index of each column, -1 when absent */
    struct row row;
    struct ruru_buf fanged, canon, actors, tags, text;
};

static enum ruru_err
reject(struct csv *c, uint64_t line, const char *value, size_t vlen, const char *reason)
{
    /* The value as written, cut to what a report can show. */
    ruru_buf_reset(&c->text);
    ruru_buf_add(&c->text, value, vlen > 256 ? 256 : vlen);
    return ruru_intel_reject(c->ctx, line, NULL, c->text.failed ? NULL : ruru_buf_str(&c->text),
                             reason);
}

/* Looks for a time column; returns false (after rejecting) when it is malformed. */
static bool time_col(struct csv *c, enum col col, int64_t *out, bool *bad)
{
    size_t n;
    const char *p;

    *out = RURU_TIME_NONE;
    if (c->col[col] < 0)
        return true;
    p = cell(&c->row, (size_t)c->col[col], &n);
    if (n == 0)
        return true;
    if (!ruru_time_parse(p, n, out)) {
        *bad = true;
        return false;
    }
    return true;
}

static enum ruru_err do_row(struct csv *c)
{
    const struct ruru_intel_sink *s = c->ctx->sink;
    struct ruru_intel_indicator ind;
    enum ruru_ioc_type type = RURU_IOC_NONE;
    char *v = NULL;
    const char *reason, *actor_list[MAX_LIST], *tag_list[MAX_LIST];
    size_t vn = 0, n;
    char *desc_in_text = NULL;
    bool bad_time = false;

    ruru_intel_indicator_init(&ind);
    ind.line = c->row.line;
    if (c->col[COL_VALUE] >= 0) {
        v = cell(&c->row, (size_t)c->col[COL_VALUE], &vn);
    } else {
        /* No value column: the first cell that looks like an IOC. */
        for (size_t i = 0; i < c->row.n_cells; i++) {
            char *p = cell(&c->row, i, &n);
            if (c->delim == 0) {
                /* "value  # comment": the comment is the description. */
                for (size_t k = 1; k < n; k++) {
                    if (p[k] == '#' && (p[k - 1] == ' ' || p[k - 1] == '\t')) {
                        char *cm = p + k + 1;
                        while (*cm == ' ' || *cm == '\t')
                            cm++;
                        desc_in_text = *cm ? cm : NULL;
                        n = k;
                        while (n > 0 && ruru_is_space(p[n - 1]))
                            n--;
                        p[n] = '\0';
                        break;
                    }
                }
            }
            if (n == 0)
                continue;
            ruru_buf_reset(&c->fanged);
            ruru_ioc_refang(p, n, &c->fanged);
            if (ruru_ioc_infer(ruru_buf_str(&c->fanged), c->fanged.len) != RURU_IOC_NONE) {
                v = p;
                vn = n;
                break;
            }
            if (v == NULL) {
                v = p;
                vn = n;
            }
        }
    }
    if (v == NULL || vn == 0)
        return RURU_OK; /* an empty row */
    if (c->row.too_long)
        return reject(c, c->row.line, v, vn, "line too long");
    if (c->col[COL_TYPE] >= 0) {
        bool infer;
        char *t = cell(&c->row, (size_t)c->col[COL_TYPE], &n);
        char name[48];
        if (n > 0 && n < sizeof(name)) {
            memcpy(name, t, n);
            name[n] = '\0';
            type = ruru_ioc_type_parse(name, &infer);
        }
    }
    ruru_buf_reset(&c->fanged);
    if (ruru_ioc_refang(v, vn, &c->fanged) != RURU_OK)
        return reject(c, c->row.line, v, vn, "value too long");
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&c->fanged), c->fanged.len, &c->ctx->norm,
                            &c->canon, &reason))
        return reject(c, c->row.line, v, vn, reason);
    ind.type = type;
    ind.value = ruru_buf_str(&c->canon);
    if (c->fanged.len != vn || memcmp(c->fanged.ptr, v, vn) != 0 ||
        strcmp(ind.value, ruru_buf_str(&c->fanged)) != 0) {
        ind.raw = v;
    }
    if (!time_col(c, COL_FIRST_SEEN, &ind.first_seen, &bad_time) ||
        !time_col(c, COL_LAST_SEEN, &ind.last_seen, &bad_time) ||
        !time_col(c, COL_VALID_FROM, &ind.valid_from, &bad_time) ||
        !time_col(c, COL_VALID_UNTIL, &ind.valid_until, &bad_time))
        return reject(c, c->row.line, v, vn, "malformed date");
    /* A list's first_seen is when the value became known bad: the start of its validity. */
    if (ind.valid_from == RURU_TIME_NONE)
        ind.valid_from = ind.first_seen;
    if (c->col[COL_CONFIDENCE] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_CONFIDENCE], &n);
        ind.confidence = parse_confidence(p, n);
    }
    if (c->col[COL_TLP] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_TLP], &n);
        ind.tlp = ruru_tlp_parse(p, n);
    }
    if (c->col[COL_ACTOR] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_ACTOR], &n);
        ind.n_actors = split_list(p, n, c->delim, &c->actors, actor_list, MAX_LIST);
        ind.actors = actor_list;
    }
    if (c->col[COL_TAGS] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_TAGS], &n);
        ind.n_labels = split_list(p, n, c->delim, &c->tags, tag_list, MAX_LIST);
        ind.labels = tag_list;
    }
    if (c->col[COL_DESCRIPTION] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_DESCRIPTION], &n);
        ind.description = n > 0 ? p : NULL;
    } else {
        ind.description = desc_in_text;
    }
    if (c->col[COL_SOURCE] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_SOURCE], &n);
        ind.created_by = n > 0 ? p : NULL;
    }
    if (c->col[COL_ID] >= 0) {
        char *p = cell(&c->row, (size_t)c->col[COL_ID], &n);
        ind.ref = n > 0 ? p : NULL;
    }
    (void)bad_time;
    return s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
}

enum ruru_err ruru_csv_import(const char *data,
                              size_t len,
                              const struct ruru_import_ctx *ctx,
                              struct ruru_diag *diag)
{
    struct csv c;
    size_t pos = 0;
    uint64_t line = 1;
    enum ruru_err err = RURU_OK;
    bool first = true;

    (void)diag;
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    for (int i = 0; i < COL__COUNT; i++)
        c.col[i] = -1;
    /* Row bytes are capped by MAX_LINE_BYTES in read_row; the rest hold one value each. */
    ruru_buf_init(&c.row.bytes, MAX_LINE_BYTES + MAX_CELLS + 1);
    ruru_buf_init(&c.fanged, 4 * MAX_LINE_BYTES);
    ruru_buf_init(&c.canon, 4 * MAX_LINE_BYTES);
    ruru_buf_init(&c.actors, 64 * 1024);
    ruru_buf_init(&c.tags, 64 * 1024);
    ruru_buf_init(&c.text, 4096);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    while (pos < len && err == RURU_OK) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        if (is_blank(data + pos, end - pos) || is_comment(data + pos, end - pos)) {
            pos = end + 1;
            line++;
            continue;
        }
        if (first) {
            first = false;
            c.delim = detect_delim(data + pos, end - pos);
            if (!read_row(data, len, &pos, &line, c.delim, &c.row))
                break;
            for (size_t i = 0; i < c.row.n_cells; i++) {
                size_t n;
                char *p = cell(&c.row, i, &n);
                int col = column_of(p, n);
                if (col >= 0 && c.col[col] < 0) {
                    c.col[col] = (int)i;
                    c.has_header = true;
                }
            }
            if (c.has_header)
                continue;
            err = do_row(&c);
            continue;
        }
        if (!read_row(data, len, &pos, &line, c.delim, &c.row))
            break;
        if (c.row.bytes.failed && !c.row.too_long) {
            err = ruru_diag_set(diag, RURU_ENOMEM, ctx->path, c.row.line, 0, "out of memory");
            break;
        }
        err = do_row(&c);
    }
    ruru_buf_fini(&c.row.bytes);
    ruru_buf_fini(&c.fanged);
    ruru_buf_fini(&c.canon);
    ruru_buf_fini(&c.actors);
    ruru_buf_fini(&c.tags);
    ruru_buf_fini(&c.text);
    return err;
}
