/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSV and plain-text IOC lists: the format every CERT mails around, and the bulk path (the
 * benchmark imports a 1,000,000-row "type,value" list, SQLite store included, in under 10 s).
 * So the importer makes one pass over the bytes with scratch buffers reused from row to row:
 * no allocation per row once they have grown, no JSON library.
 *
 * Shape. Blank lines and comment lines ('#', '//', and ';' unless ';' is the delimiter) are
 * skipped everywhere; a UTF-8 BOM at the start is dropped. The first other line fixes the
 * shape of the file:
 *   - The delimiter is the one of , TAB ; | that occurs in it outside quotes. When several
 *     do, the one whose count stays the same over the next lines wins (a ';' separating
 *     actors in a comma file varies from row to row, the real delimiter does not); then the
 *     order above, commas and tabs being rarer inside cells than ';' and '|'. None of them: a
 *     one-value-per-line list, where "value  # comment" keeps the comment as description.
 *   - It is a header when one of its cells is a known column name (COLUMNS below) and, unless
 *     two are, no cell looks like an indicator ("5.6.7.8,info" is data). A list whose header
 *     is a comment ("# ioc_value,ioc_type,tags", abuse.ch style) takes that comment as header
 *     when it names the value column, one other column, and has the first row's cell count.
 * Rows follow RFC 4180: "..." quoting with "" escapes, delimiters and newlines inside quotes
 * (line numbers count them). A quote that never closes is read literally, so that one stray
 * quote cannot swallow the rest of the file. A row over 1 MiB is rejected and reading resumes
 * after the next newline.
 *
 * Each row yields one indicator (two for MISP's "domain|ip"): the value column's cell, or
 * without one the first cell that ruru_ioc_infer types once re-fanged; typed by the type
 * column (ruru, MISP, Zeek and vendor feeds' type names; a name ruru does not know refuses the
 * row rather than guess) or by inference (never a domain whose last label is no TLD: cmd.exe);
 * re-fanged only when it is a network value (a path such as C:\Users\x\.ssh is not);
 * normalised. Dates are read as feeds write them (csv_date.c: "2/4/2022", the order of day and
 * month decided per file); a date that cannot be read costs the indicator that date only.
 * What cannot be used goes to sink->reject with the row's first line, the column and a fixed
 * reason.
 *
 * Worked example. The bytes
 *
 *     EF BB BF "# partner list" CR LF
 *     "type;value;actor;confidence" CR LF
 *     "ip;203.0.113[.]45;\"Kryptonite Panda|Leviathan\";0.9" CR LF
 *
 * lose the BOM; line 1 is a comment; line 2 holds ';' and no other candidate, so ';' is the
 * delimiter, and "type" is a column name, so line 2 is the header. Line 3 gives the cells
 * "ip", "203.0.113[.]45", "Kryptonite Panda|Leviathan" (quotes stripped) and "0.9" (CR
 * dropped). Type "ip" leaves the family to the value; re-fanged, 203.0.113.45 is inferred
 * ipv4. The indicator: ipv4 203.0.113.45, raw "203.0.113[.]45", line 3, actors "Kryptonite
 * Panda" and "Leviathan", confidence 90 (0.9 is a fraction).
 */
#include "intel/csv.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/time.h"
#include "intel/intel.h"
#include "intel/ioc.h"
#include "intel/zeek_types.h"

#define MAX_LINE_BYTES RURU_CSV_MAX_LINE_BYTES
/* Cells kept per row; later ones are read past but not stored. Real exports stay far below
 * (MISP's CSV export has 13 columns, vendor portals about 40). */
#define MAX_CELLS 256
/* Actors or tags taken from one cell: more is a pasted paragraph, not a list. */
#define MAX_LIST 64
/* Lines after the first that the delimiter sniffer compares, and the bytes it may read in
 * them: enough to see a ';' that varies, while keeping the look-ahead negligible. */
#define SNIFF_LINES 16
#define SNIFF_BYTES ((size_t)64 * 1024)
/* Distinct type names remembered. A list uses a handful, and parsing one compares it with
 * about 110 names: the cache keeps that off the per-row path. */
#define TYPE_CACHE 8
/* A longer type cell names no type (the longest synonym is 23 bytes). */
#define TYPE_NAME_BYTES 48
/* Scratch for one text field: a cell at the line cap where every byte became U+FFFD. */
#define TEXT_BYTES ((size_t)3 * MAX_LINE_BYTES + 4)
/* A longer header cell names no column (the longest name, observable_value, is 16 bytes). */
#define COLUMN_NAME_BYTES 24

enum col {
    COL_VALUE,
    COL_TYPE,
    COL_ACTOR,
    COL_SOURCE, /* who the row comes from (an organisation, a feed) */
    COL_REPORT, /* which of its reports (a name, a reference URL) */
    COL_CONFIDENCE,
    COL_FIRST_SEEN,
    COL_DATE_ADDED, /* first seen when no first-seen column gives it */
    COL_LAST_SEEN,
    COL_VALID_FROM,
    COL_VALID_UNTIL,
    COL_DESCRIPTION,
    COL_TLP,
    COL_TAGS,
    COL_ID,
    COL_TO_IDS,
    COL_THREAT_TYPE, /* a category ("Botnet", "C2"): a label */
    COL__COUNT
};

/* Header names, in the key form column_of() compares: ASCII lower case, with '_' standing
 * for any of space, '-' and '_'. Beyond the names every list tool uses, the abuse.ch export
 * names (first_seen_utc, dateadded, confidence_level) and MISP's CSV export columns
 * (attribute_tag, to_ids) are here, so those exports map without configuration. */
static const struct {
    const char *name;
    enum col col;
} COLUMNS[] = {
        {"value", COL_VALUE},
        {"indicator", COL_VALUE},
        {"ioc", COL_VALUE},
        {"observable", COL_VALUE},
        {"ioc_value", COL_VALUE},
        {"data", COL_VALUE},
        {"indicator_value", COL_VALUE},
        {"observable_value", COL_VALUE},
        {"type", COL_TYPE},
        {"indicator_type", COL_TYPE},
        {"ioc_type", COL_TYPE},
        {"kind", COL_TYPE},
        {"observable_type", COL_TYPE},
        {"indicatortype", COL_TYPE},
        {"ioctype", COL_TYPE},
        {"actor", COL_ACTOR},
        {"threat_actor", COL_ACTOR},
        {"group", COL_ACTOR},
        {"apt", COL_ACTOR},
        {"attribution", COL_ACTOR},
        {"adversary", COL_ACTOR},
        {"actors", COL_ACTOR},
        {"threat_actors", COL_ACTOR},
        {"intrusion_set", COL_ACTOR},
        {"actor_as_named", COL_ACTOR},
        {"actor_name", COL_ACTOR},
        {"actorname", COL_ACTOR},
        {"threatactor", COL_ACTOR},
        {"threat_actor_name", COL_ACTOR},
        {"threat_group", COL_ACTOR},
        {"group_name", COL_ACTOR},
        {"attributed_to", COL_ACTOR},
        {"source", COL_SOURCE},
        {"feed", COL_SOURCE},
        {"provider", COL_SOURCE},
        {"org", COL_SOURCE},
        {"organisation", COL_SOURCE},
        {"organization", COL_SOURCE},
        {"report", COL_REPORT},
        {"reference", COL_REPORT},
        {"confidence", COL_CONFIDENCE},
        {"score", COL_CONFIDENCE},
        {"confidence_level", COL_CONFIDENCE},
        {"first_seen", COL_FIRST_SEEN},
        {"firstseen", COL_FIRST_SEEN},
        {"first_seen_utc", COL_FIRST_SEEN},
        {"date", COL_DATE_ADDED},
        {"dateadded", COL_DATE_ADDED},
        {"date_added", COL_DATE_ADDED},
        {"last_seen", COL_LAST_SEEN},
        {"lastseen", COL_LAST_SEEN},
        {"last_seen_utc", COL_LAST_SEEN},
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
        {"details", COL_DESCRIPTION},
        {"tlp", COL_TLP},
        {"tags", COL_TAGS},
        {"labels", COL_TAGS},
        {"tag", COL_TAGS},
        {"attribute_tag", COL_TAGS},
        {"id", COL_ID},
        {"uuid", COL_ID},
        {"to_ids", COL_TO_IDS},
        {"threattype", COL_THREAT_TYPE},
        {"threat_type", COL_THREAT_TYPE},
};

/* Composite MISP / abuse.ch types whose value holds two parts. */
enum split {
    SPLIT_NONE,
    SPLIT_PORT,      /* "ip-dst|port" 192.0.2.1|443, "ip:port" 192.0.2.1:443: context port=N */
    SPLIT_FILENAME,  /* "filename|md5" a.exe|<md5>: the hash, context filename=a.exe */
    SPLIT_DOMAIN_IP, /* "domain|ip" evil.example|192.0.2.1: two indicators */
};

struct type_info {
    enum ruru_ioc_type type; /* RURU_IOC_NONE: inferred from the value */
    enum split split;
    char sep;     /* what separates a composite value's parts */
    bool unknown; /* a type name ruru does not know: the row is refused, not guessed */
};

struct type_slot {
    char name[TYPE_NAME_BYTES]; /* as written in the cell; len 0: unused */
    size_t len;
    struct type_info info;
};

/* One row. Invariant: cell i is bytes.ptr[off[i] .. off[i] + len[i]), followed by a NUL. */
struct row {
    struct ruru_buf bytes; /* the kept cells' contents, unquoted */
    size_t off[MAX_CELLS];
    size_t len[MAX_CELLS];
    size_t n_cells; /* cells kept, <= MAX_CELLS */
    size_t start;   /* input offset of the row's first byte */
    uint64_t line;  /* the row's first line, 1-based */
    char empty[1];  /* what a missing cell reads as */
};

/* One value to normalise and hand over. */
struct value {
    char *v; /* trimmed, NUL-terminated in the row buffer */
    size_t n;
    uint64_t col;            /* 1-based column */
    enum ruru_ioc_type type; /* declared; RURU_IOC_NONE: inferred */
    uint32_t allowed;        /* types the result may have; 0: any */
    bool is_fanged;          /* c->fanged already holds v re-fanged */
    bool strip_colons;       /* a certificate hash written "AB:CD:..." */
    const char *context;
    const char *ref;
};

struct csv {
    const struct ruru_import_ctx *ctx;
    struct ruru_diag *diag;
    const char *data;
    size_t len;
    size_t pos;                         /* next byte to read */
    uint64_t line;                      /* line of data[pos], 1-based */
    bool started;                       /* the first data line has been seen */
    char delim;                         /* 0: one value per line */
    bool has_header;                    /* col[] comes from a header */
    int col[COL__COUNT];                /* cell index of each column, -1 when absent */
    char value_name[COLUMN_NAME_BYTES]; /* the header's value cell: skips a repeated header */
    size_t value_name_len;
    size_t comment;     /* the last comment before the first data line: its text ... */
    size_t comment_len; /* ... (marker stripped), for a commented header; len 0: none */
    struct row row;
    struct type_slot types[TYPE_CACHE];
    size_t next_slot;
    size_t n_emitted;                    /* indicators the current row gave */
    enum ruru_csv_date_order date_order; /* of slash dates; found when the first is met */
    bool has_date_order;
    struct ruru_buf fanged, canon, clean, actors, tags, techs, desc, by, report, ref, context, text;
    struct ruru_buf reason; /* a rejection's reason that is not a fixed phrase */
    const char *actor_list[MAX_LIST];
    const char *tag_list[MAX_LIST];
    const char *tech_list[MAX_LIST];
};

/* ---- reading rows ---------------------------------------------------------------------- */

/* ROW_CUT: the row ran past MAX_LINE_BYTES; its cells up to the cap are there, the last one
 * cut (a 10 MB description after the value must not drop the value). */
enum row_status { ROW_OK, ROW_UNTERMINATED, ROW_CUT };

/* Appends to the cell being built, unless the row already holds MAX_CELLS cells. */
static void cell_add(struct row *r, const char *p, size_t n)
{
    if (r->n_cells < MAX_CELLS)
        ruru_buf_add(&r->bytes, p, n);
}

/* Ends the cell that began at bytes offset `start`. */
static void cell_close(struct row *r, size_t start)
{
    if (r->n_cells >= MAX_CELLS)
        return;
    r->off[r->n_cells] = start;
    r->len[r->n_cells] = r->bytes.len - start;
    ruru_buf_addc(&r->bytes, '\0');
    r->n_cells++;
}

/* Reads the quoted part of a cell whose opening quote is at d[i - 1]: "" is a quote;
 * delimiters and newlines (counted in *lines) are content. Returns the offset after the
 * closing quote, or SIZE_MAX when none comes before `lim`. */
static size_t scan_quoted(struct row *r, const char *d, size_t i, size_t lim, uint64_t *lines)
{
    for (;;) {
        size_t k = i;
        while (k < lim && d[k] != '"') {
            *lines += d[k] == '\n';
            k++;
        }
        cell_add(r, d + i, k - i);
        if (k == lim)
            return SIZE_MAX;
        if (k + 1 < lim && d[k + 1] == '"') {
            cell_add(r, "\"", 1);
            i = k + 2;
            continue;
        }
        return k + 1;
    }
}

/* The end of unquoted text at d[i]: the delimiter, the newline, or `lim`. */
static size_t scan_plain(const char *d, size_t i, size_t lim, char delim)
{
    const char *nl;

    if (delim != 0) {
        while (i < lim && d[i] != delim && d[i] != '\n')
            i++;
        return i;
    }
    nl = memchr(d + i, '\n', lim - i);
    return nl ? (size_t)(nl - d) : lim;
}

/*
 * Splits the row starting at d[pos] (d holds `len` bytes) into c->row's cells. RFC 4180 when
 * c->delim is set and `literal` is false; a one-cell line when c->delim is 0. OUT: *next, the
 * offset after the row's newline; *lines, the newlines consumed. ROW_CUT when the row runs past
 * MAX_LINE_BYTES (the cells up to the cap are kept, the last one cut), ROW_UNTERMINATED when a
 * quote is still open at the end of the input.
 *
 * This is the hot loop of a bulk import: unquoted cells are scanned byte by byte for just the
 * delimiter and the newline (memchr for the newline alone), and copied with one memcpy each.
 */
static enum row_status scan_row(struct csv *c,
                                const char *d,
                                size_t len,
                                size_t pos,
                                bool literal,
                                size_t *next,
                                uint64_t *lines)
{
    const char delim = c->delim;
    size_t i = pos;
    size_t lim = len - pos > MAX_LINE_BYTES ? pos + MAX_LINE_BYTES + 1 : len;
    struct row *r = &c->row;

    ruru_buf_reset(&r->bytes);
    r->n_cells = 0;
    *lines = 0;
    for (;;) {
        size_t cell_start = r->bytes.len, j = i, k, e;

        /* A quote opens a quoted cell at the cell's start, blanks before it dropped. */
        while (j < lim && (d[j] == ' ' || (d[j] == '\t' && delim != '\t')))
            j++;
        if (!literal && delim != 0 && j < lim && d[j] == '"') {
            i = scan_quoted(r, d, j + 1, lim, lines);
            if (i == SIZE_MAX && lim < len) {
                cell_close(r, cell_start);
                return ROW_CUT;
            }
            if (i == SIZE_MAX)
                return ROW_UNTERMINATED;
        }
        /* Unquoted text, or what follows a closing quote (kept as written). */
        k = scan_plain(d, i, lim, delim);
        if (k == lim && lim < len) {
            cell_add(r, d + i, k - 1 - i);
            cell_close(r, cell_start);
            return ROW_CUT;
        }
        e = k;
        if (e > i && d[e - 1] == '\r' && (k == len || d[k] == '\n'))
            e--;
        cell_add(r, d + i, e - i);
        cell_close(r, cell_start);
        if (k == len || d[k] == '\n') {
            *lines += k < len;
            *next = k < len ? k + 1 : len;
            return ROW_OK;
        }
        i = k + 1;
    }
}

/* Reads the row at c->pos into c->row and moves c->pos and c->line past it. */
static enum row_status read_row(struct csv *c)
{
    size_t next = c->len;
    uint64_t lines = 0;
    enum row_status st;

    c->row.start = c->pos;
    c->row.line = c->line;
    st = scan_row(c, c->data, c->len, c->pos, false, &next, &lines);
    if (st == ROW_UNTERMINATED)
        st = scan_row(c, c->data, c->len, c->pos, true, &next, &lines);
    if (st == ROW_CUT) {
        /* Resynchronise after the next newline beyond the cap; every newline before the
         * cap lay inside quotes and is already counted. */
        size_t lim = c->pos + MAX_LINE_BYTES + 1;
        const char *nl = memchr(c->data + lim, '\n', c->len - lim);
        next = nl ? (size_t)(nl - c->data) + 1 : c->len;
        lines += nl != NULL;
    }
    c->pos = next;
    c->line += lines;
    return st;
}

/* Cell i trimmed, NUL-terminated in place (the row buffer is ours to cut); "" when absent.
 * The cell is narrowed to its trimmed span, so that calling again gives the same. */
static char *cell(struct row *r, size_t i, size_t *n)
{
    char *p, *e;

    if (i >= r->n_cells || r->bytes.ptr == NULL) {
        r->empty[0] = '\0';
        *n = 0;
        return r->empty;
    }
    p = r->bytes.ptr + r->off[i];
    e = p + r->len[i];
    while (p < e && ruru_is_space(*p))
        p++;
    while (e > p && ruru_is_space(e[-1]))
        e--;
    *e = '\0';
    *n = (size_t)(e - p);
    r->off[i] = (size_t)(p - r->bytes.ptr);
    r->len[i] = *n;
    return p;
}

static char *col_cell(struct csv *c, enum col col, size_t *n)
{
    if (c->col[col] < 0) {
        *n = 0;
        return NULL;
    }
    return cell(&c->row, (size_t)c->col[col], n);
}

/*
 * Re-fangs p[0..n) into `out` (reset first). Every defang spelling ioc.h lists holds one of
 * '[' '(' '{' '\\' or an 'x' (hxxp, fxp), and most values hold none: those are copied whole,
 * which keeps ruru_ioc_refang's byte-at-a-time appends off the bulk path (it was a sixth of
 * a 1M-row import's instructions).
 */
static enum ruru_err fang(const char *p, size_t n, struct ruru_buf *out)
{
    ruru_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '[' || ch == '(' || ch == '{' || ch == '\\' || ch == 'x' || ch == 'X')
            return ruru_ioc_refang(p, n, out);
    }
    return ruru_buf_add(out, p, n);
}

static bool is_comment_start(const struct csv *c, const char *p, size_t n)
{
    return p[0] == '#' || (n > 1 && p[0] == '/' && p[1] == '/') || (p[0] == ';' && c->delim != ';');
}

/* Skips blank and comment lines at c->pos, remembering the last comment before the first
 * data line. Returns false at the end of the input. */
static bool skip_noise(struct csv *c)
{
    while (c->pos < c->len) {
        const char *d = c->data + c->pos, *nl;
        size_t n = c->len - c->pos, i = 0, line_len;

        while (i < n && d[i] != '\n' && ruru_is_space(d[i]))
            i++;
        if (i < n && d[i] != '\n' && !is_comment_start(c, d + i, n - i))
            return true;
        nl = i < n ? memchr(d + i, '\n', n - i) : NULL;
        line_len = nl ? (size_t)(nl - d) : n;
        if (!c->started && i < n && d[i] != '\n') {
            size_t k = i;
            while (k < line_len && (d[k] == '#' || d[k] == '/' || d[k] == ';'))
                k++;
            c->comment = c->pos + k;
            c->comment_len = line_len - k;
        }
        c->pos += nl ? line_len + 1 : n;
        c->line++;
    }
    return false;
}

/* ---- the shape ----------------------------------------------------------------------- */

/* The delimiters lists use, in the order that breaks ties (see the file comment). */
#define N_DELIMS 4
static const char DELIMS[N_DELIMS] = {',', '\t', ';', '|'};

/* Counts each candidate delimiter outside quotes in p[0..n). */
static void count_delims(const char *p, size_t n, size_t counts[N_DELIMS])
{
    bool quoted = false;

    for (size_t k = 0; k < N_DELIMS; k++)
        counts[k] = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted)
            for (size_t k = 0; k < N_DELIMS; k++)
                counts[k] += ch == DELIMS[k];
    }
}

/* The delimiter of the file whose first data line starts at c->pos (see the file comment). */
static char sniff(const struct csv *c)
{
    size_t first[N_DELIMS], counts[N_DELIMS], pos = c->pos, budget = SNIFF_BYTES, n_present = 0;
    bool steady[N_DELIMS] = {true, true, true, true};
    const char *nl;
    size_t end, lines = 0;

    end = c->len - pos > MAX_LINE_BYTES ? pos + MAX_LINE_BYTES : c->len;
    nl = memchr(c->data + pos, '\n', end - pos);
    end = nl ? (size_t)(nl - c->data) : end;
    count_delims(c->data + pos, end - pos, first);
    for (size_t k = 0; k < N_DELIMS; k++)
        n_present += first[k] > 0;
    if (n_present == 0)
        return 0;
    pos = nl ? end + 1 : c->len;
    while (n_present > 1 && lines < SNIFF_LINES && pos < c->len) {
        size_t n = c->len - pos < budget ? c->len - pos : budget, i = 0;
        const char *p = c->data + pos;
        nl = memchr(p, '\n', n);
        if (nl == NULL && n < c->len - pos)
            break; /* the budget ends inside this line: its counts would mislead */
        n = nl ? (size_t)(nl - p) : n;
        budget -= n;
        pos += n + 1;
        while (i < n && ruru_is_space(p[i]))
            i++;
        if (i == n || is_comment_start(c, p + i, n - i))
            continue;
        count_delims(p, n, counts);
        for (size_t k = 0; k < N_DELIMS; k++)
            if (counts[k] != first[k])
                steady[k] = false;
        lines++;
    }
    for (size_t k = 0; k < N_DELIMS; k++)
        if (first[k] > 0 && steady[k])
            return DELIMS[k];
    for (size_t k = 0; k < N_DELIMS; k++)
        if (first[k] > 0)
            return DELIMS[k];
    return 0;
}

/* The column a header cell names, or -1. */
static int column_of(const char *p, size_t n)
{
    char key[COLUMN_NAME_BYTES];

    if (n == 0 || n >= sizeof(key))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char ch = ruru_lower(p[i]);
        key[i] = (char)((ch == ' ' || ch == '-') ? '_' : ch);
    }
    key[n] = '\0';
    for (size_t i = 0; i < sizeof(COLUMNS) / sizeof(COLUMNS[0]); i++)
        if (strcmp(key, COLUMNS[i].name) == 0)
            return (int)COLUMNS[i].col;
    return -1;
}

/* Maps the cells of c->row as column names into col[] (first occurrence wins). Returns the
 * number of known names; *looks_like_data is set when a cell that names no column looks like
 * an indicator. */
static size_t map_header(struct csv *c, int col[COL__COUNT], bool *looks_like_data)
{
    size_t known = 0;

    for (size_t k = 0; k < COL__COUNT; k++)
        col[k] = -1;
    *looks_like_data = false;
    for (size_t i = 0; i < c->row.n_cells; i++) {
        size_t n;
        char *p = cell(&c->row, i, &n);
        int k = column_of(p, n);
        if (k >= 0) {
            known++;
            if (col[k] < 0)
                col[k] = (int)i;
            continue;
        }
        if (n > 0 && fang(p, n, &c->fanged) == RURU_OK &&
            ruru_ioc_infer(ruru_buf_str(&c->fanged), c->fanged.len) != RURU_IOC_NONE)
            *looks_like_data = true;
    }
    return known;
}

/*
 * Decides whether the first data row (in c->row) is a header, and otherwise whether the last
 * comment before it is one. `comment_map`/`comment_known`/`comment_cells` describe that
 * comment (comment_known 0: none). Returns true when the row was a header (and is consumed).
 */
static bool take_header(struct csv *c,
                        const int comment_map[COL__COUNT],
                        size_t comment_known,
                        size_t comment_cells)
{
    int col[COL__COUNT];
    bool looks_like_data;
    size_t known = map_header(c, col, &looks_like_data);

    if (known > 0 && (known >= 2 || !looks_like_data)) {
        memcpy(c->col, col, sizeof(col));
        c->has_header = true;
        if (col[COL_VALUE] >= 0) {
            /* column_of() accepted it, so it fits. */
            const char *v = cell(&c->row, (size_t)col[COL_VALUE], &c->value_name_len);
            memcpy(c->value_name, v, c->value_name_len);
        }
        return true;
    }
    if (comment_known >= 2 && comment_map[COL_VALUE] >= 0 && comment_cells == c->row.n_cells) {
        memcpy(c->col, comment_map, sizeof(col));
        c->has_header = true;
    }
    return false;
}

/* Parses the remembered comment as a would-be header. */
static size_t comment_header(struct csv *c, int map[COL__COUNT], size_t *n_cells)
{
    size_t next;
    uint64_t lines;
    bool looks_like_data;
    size_t known;
    enum row_status st;

    *n_cells = 0;
    for (size_t k = 0; k < COL__COUNT; k++)
        map[k] = -1;
    if (c->comment_len == 0 || c->delim == 0)
        return 0;
    st = scan_row(c, c->data, c->comment + c->comment_len, c->comment, false, &next, &lines);
    if (st == ROW_UNTERMINATED)
        st = scan_row(c, c->data, c->comment + c->comment_len, c->comment, true, &next, &lines);
    if (st != ROW_OK || c->row.bytes.failed)
        return 0;
    known = map_header(c, map, &looks_like_data);
    *n_cells = c->row.n_cells;
    return known;
}

/* ---- types ----------------------------------------------------------------------------- */

static struct type_info parse_type(const char *name, size_t n)
{
    struct type_info ti = {RURU_IOC_NONE, SPLIT_NONE, 0, false};
    char buf[TYPE_NAME_BYTES];
    bool infer;
    const char *bar = memchr(name, '|', n);

    memcpy(buf, name, n);
    buf[n] = '\0';
    if (n > 5 && (name[n - 5] == '|' || name[n - 5] == ':') &&
        ruru_str_ieq(ruru_str_make(name + n - 4, 4), "port")) {
        ti.split = SPLIT_PORT;
        ti.sep = name[n - 5];
        buf[n - 5] = '\0';
    } else if (bar != NULL && ruru_str_ieq(ruru_str_make(name, (size_t)(bar - name)), "filename")) {
        ti.split = SPLIT_FILENAME;
        ti.sep = '|';
        ti.type = ruru_ioc_type_parse(bar + 1, &infer);
        return ti;
    } else if (ruru_str_ieq(ruru_str_make(name, n), "domain|ip")) {
        ti.split = SPLIT_DOMAIN_IP;
        ti.sep = '|';
        ti.type = RURU_IOC_DOMAIN;
        return ti;
    }
    ti.type = ruru_ioc_type_parse(buf, &infer);
    if (ti.type == RURU_IOC_NONE && !infer)
        ti.unknown = !ruru_csv_feed_type(buf, strlen(buf), &ti.type, &infer);
    return ti;
}

/* The type a type cell names, through the cache. */
static struct type_info lookup_type(struct csv *c, const char *name, size_t n)
{
    struct type_info none = {RURU_IOC_NONE, SPLIT_NONE, 0, false};
    struct type_slot *slot;

    if (n == 0)
        return none;
    if (n >= TYPE_NAME_BYTES) {
        none.unknown = true; /* longer than any name */
        return none;
    }
    for (size_t i = 0; i < TYPE_CACHE; i++)
        if (c->types[i].len == n && memcmp(c->types[i].name, name, n) == 0)
            return c->types[i].info;
    slot = &c->types[c->next_slot];
    c->next_slot = (c->next_slot + 1) % TYPE_CACHE;
    memcpy(slot->name, name, n);
    slot->len = n;
    slot->info = parse_type(name, n);
    return slot->info;
}

/* ---- fields ---------------------------------------------------------------------------- */

/* Date cells that say "no date". */
static bool is_null_marker(const char *p, size_t n)
{
    static const char *const words[] = {"-", "n/a", "na", "none", "null", "never"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (ruru_str_ieq(ruru_str_make(p, n), words[i]))
            return true;
    return n == 0;
}

/* A bad date's column and text, for its rejection. */
struct bad_date {
    uint64_t col; /* 1-based; 0: every date was fine */
    const char *p;
    size_t n;
};

static void date_field(struct csv *c, enum col col, int64_t *out, struct bad_date *bad)
{
    size_t n;
    char *p = col_cell(c, col, &n);

    if (p == NULL || is_null_marker(p, n))
        return;
    if (!c->has_date_order && memchr(p, '/', n) != NULL) {
        c->date_order = ruru_csv_date_order(c->data, c->len);
        c->has_date_order = true;
    }
    if (!ruru_csv_date(p, n, c->date_order, out) && bad->col == 0) {
        bad->col = (uint64_t)c->col[col] + 1;
        bad->p = p;
        bad->n = n;
    }
}

/* Items of a list cell (actors, tags, techniques), each NUL-terminated in a store buffer. */
struct items {
    size_t off[MAX_LIST];
    size_t n;
};

/* Adds p[0..n) trimmed, unless empty, already there, or the list is full. */
static void items_add(struct ruru_buf *store, struct items *it, const char *p, size_t n)
{
    struct ruru_str s = ruru_str_trim(ruru_str_make(p, n));

    if (s.len == 0 || it->n >= MAX_LIST || store->failed)
        return;
    for (size_t k = 0; k < it->n; k++) {
        const char *have = store->ptr + it->off[k];
        if (strlen(have) == s.len && memcmp(have, s.ptr, s.len) == 0)
            return;
    }
    it->off[it->n++] = store->len;
    ruru_buf_add(store, s.ptr, s.len);
    ruru_buf_addc(store, '\0');
}

/* Adds the items of a list cell, split on ';' '|' ','. */
static void items_split(struct ruru_buf *store, struct items *it, const char *p, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == ';' || p[i] == '|' || p[i] == ',') {
            items_add(store, it, p + start, i - start);
            start = i + 1;
        }
    }
}

/* An actor cell's item that names no actor: "(unattributed ShadowPad activity)" (a note in
 * parentheses), "unattributed", "unknown", and the null words. */
static bool is_no_actor(struct ruru_str s)
{
    static const char *const words[] = {"unattributed", "unknown", "none", "n/a", "-", "null"};

    if (s.len >= 2 && s.ptr[0] == '(' && s.ptr[s.len - 1] == ')')
        return true;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (ruru_str_ieq(s, words[i]))
            return true;
    return false;
}

/* The items of an actor cell: names to `actors`, notes that name no actor to `tags` (without
 * their parentheses), so that the analyst still sees them and no actor is made of them. */
static void
actor_split(struct csv *c, struct items *actors, struct items *tags, const char *p, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i <= n; i++) {
        struct ruru_str s;
        if (i < n && p[i] != ';' && p[i] != '|' && p[i] != ',')
            continue;
        s = ruru_str_trim(ruru_str_make(p + start, i - start));
        start = i + 1;
        if (!is_no_actor(s)) {
            items_add(&c->actors, actors, s.ptr, s.len);
        } else if (s.len >= 2 && s.ptr[0] == '(') {
            items_add(&c->tags, tags, s.ptr + 1, s.len - 2);
        }
    }
}

/* Points out[] at the items; returns their number, or SIZE_MAX when the store failed. */
static size_t items_ptrs(const struct ruru_buf *store, const struct items *it, const char **out)
{
    if (store->failed)
        return SIZE_MAX;
    for (size_t i = 0; i < it->n; i++)
        out[i] = store->ptr + it->off[i];
    return it->n;
}

/*
 * A MISP galaxy tag, as MISP's CSV export writes them in attribute_tag:
 * misp-galaxy:threat-actor="APT40" links the actor (as misp.c does for events; intrusion-set
 * and activity-group galaxies too, "Leviathan - G0065" naming Leviathan), and
 * misp-galaxy:mitre-attack-pattern="Exploit Public-Facing Application - T1190" the technique.
 */
static void galaxy_tag(struct csv *c, const char *tag, struct items *actors, struct items *techs)
{
    const char *eq, *type, *val, *dash = NULL;
    size_t tlen, vlen;

    if (strncmp(tag, "misp-galaxy:", 12) != 0 || (eq = strchr(tag, '=')) == NULL)
        return;
    type = tag + 12;
    tlen = (size_t)(eq - type);
    val = eq + 1;
    vlen = strlen(val);
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        val++;
        vlen -= 2;
    }
    for (const char *q = val; q + 3 <= val + vlen; q++)
        if (memcmp(q, " - ", 3) == 0)
            dash = q;
    if (ruru_memmem(type, tlen, "threat-actor", 12) != NULL ||
        ruru_memmem(type, tlen, "intrusion-set", 13) != NULL ||
        ruru_memmem(type, tlen, "activity-group", 14) != NULL)
        items_add(&c->actors, actors, val, dash ? (size_t)(dash - val) : vlen);
    else if (ruru_memmem(type, tlen, "attack-pattern", 14) != NULL && dash != NULL)
        items_add(&c->techs, techs, dash + 3, (size_t)(val + vlen - dash - 3));
}

/* The actor, tag and technique lists of the row. Returns RURU_ENOMEM when a copy failed. */
static enum ruru_err lists(struct csv *c, struct ruru_intel_indicator *ind)
{
    struct items actors, tags, techs;
    size_t n_actors, n_tags, n_techs, n;
    char *p;
    const char *t;

    actors.n = tags.n = techs.n = 0;
    ruru_buf_reset(&c->actors);
    ruru_buf_reset(&c->tags);
    ruru_buf_reset(&c->techs);
    if ((p = col_cell(c, COL_TAGS, &n)) != NULL && n > 0) {
        if ((t = ruru_csv_text(p, n, TEXT_BYTES, &c->clean)) == NULL)
            return RURU_ENOMEM;
        items_split(&c->tags, &tags, t, strlen(t));
    }
    if ((p = col_cell(c, COL_THREAT_TYPE, &n)) != NULL && n > 0) {
        if ((t = ruru_csv_text(p, n, TEXT_BYTES, &c->clean)) == NULL)
            return RURU_ENOMEM;
        items_split(&c->tags, &tags, t, strlen(t));
    }
    if ((p = col_cell(c, COL_ACTOR, &n)) != NULL && n > 0) {
        if ((t = ruru_csv_text(p, n, TEXT_BYTES, &c->clean)) == NULL)
            return RURU_ENOMEM;
        actor_split(c, &actors, &tags, t, strlen(t));
    }
    for (size_t i = 0; i < tags.n && !c->tags.failed; i++)
        galaxy_tag(c, c->tags.ptr + tags.off[i], &actors, &techs);
    n_actors = items_ptrs(&c->actors, &actors, c->actor_list);
    n_tags = items_ptrs(&c->tags, &tags, c->tag_list);
    n_techs = items_ptrs(&c->techs, &techs, c->tech_list);
    if (n_actors == SIZE_MAX || n_tags == SIZE_MAX || n_techs == SIZE_MAX)
        return RURU_ENOMEM;
    ind->actors = n_actors > 0 ? c->actor_list : NULL;
    ind->n_actors = n_actors;
    ind->labels = n_tags > 0 ? c->tag_list : NULL;
    ind->n_labels = n_tags;
    ind->techniques = n_techs > 0 ? c->tech_list : NULL;
    ind->n_techniques = n_techs;
    return RURU_OK;
}

/* A text column as sink text (UTF-8 cleaned), or NULL when absent or empty. *oom is set when
 * the cleaning copy could not be made. */
static const char *text_field(struct csv *c, enum col col, struct ruru_buf *scratch, bool *oom)
{
    size_t n;
    char *p = col_cell(c, col, &n);
    const char *t;

    if (p == NULL || n == 0)
        return NULL;
    t = ruru_csv_text(p, n, TEXT_BYTES, scratch);
    *oom |= t == NULL;
    return t;
}

/* The row's provenance (created_by): its source column, its report column, or both as
 * "source / report"; NULL when the row names neither. The judgement takes rows of one file
 * with different provenances for different reports (docs/attribution.md). */
static const char *provenance(struct csv *c, bool *oom)
{
    const char *by = text_field(c, COL_SOURCE, &c->by, oom);
    const char *report = text_field(c, COL_REPORT, &c->report, oom);

    if (by == NULL || report == NULL)
        return by != NULL ? by : report;
    if (by != c->by.ptr) { /* the cell itself: copy it to append */
        ruru_buf_reset(&c->by);
        ruru_buf_adds(&c->by, by);
    }
    ruru_buf_adds(&c->by, " / ");
    ruru_buf_adds(&c->by, report);
    *oom |= c->by.failed;
    return c->by.failed ? NULL : c->by.ptr;
}

static bool is_false_word(const char *p, size_t n)
{
    static const char *const words[] = {"0", "false", "no", "n", "f"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (ruru_str_ieq(ruru_str_make(p, n), words[i]))
            return true;
    return false;
}

/* The columns of a file with a header: dates, confidence, TLP, to_ids, actors, tags. */
static enum ruru_err
header_fields(struct csv *c, struct ruru_intel_indicator *ind, struct bad_date *bad)
{
    size_t n;
    char *p;

    date_field(c, COL_FIRST_SEEN, &ind->first_seen, bad);
    if (ind->first_seen == RURU_TIME_NONE)
        date_field(c, COL_DATE_ADDED, &ind->first_seen, bad);
    date_field(c, COL_LAST_SEEN, &ind->last_seen, bad);
    date_field(c, COL_VALID_FROM, &ind->valid_from, bad);
    date_field(c, COL_VALID_UNTIL, &ind->valid_until, bad);
    /* A list's first_seen is when the value became known bad: the start of its validity. */
    if (ind->valid_from == RURU_TIME_NONE)
        ind->valid_from = ind->first_seen;
    if ((p = col_cell(c, COL_CONFIDENCE, &n)) != NULL)
        ind->confidence = ruru_csv_confidence(p, n);
    if ((p = col_cell(c, COL_TLP, &n)) != NULL)
        ind->tlp = ruru_tlp_parse(p, n);
    if ((p = col_cell(c, COL_TO_IDS, &n)) != NULL)
        ind->to_ids = !is_false_word(p, n);
    if (lists(c, ind) != RURU_OK)
        return RURU_ENOMEM;
    /* Without a TLP column, a "tlp:..." tag gives the marking; the most restrictive wins. */
    for (size_t i = 0; c->col[COL_TLP] < 0 && i < ind->n_labels; i++) {
        const char *t = c->tag_list[i];
        if (ruru_str_iprefix(ruru_str_make(t, strlen(t)), "tlp:")) {
            const char *tlp = ruru_tlp_parse(t, strlen(t));
            if (ruru_tlp_rank(tlp) > ruru_tlp_rank(ind->tlp))
                ind->tlp = tlp;
        }
    }
    return RURU_OK;
}

/* Everything but the value: fills `ind` from the row's columns, or its description from the
 * note of a one-value-per-line list. Returns RURU_ENOMEM when a copy cannot be made. A
 * malformed date is only noted in *bad: the value's own rejection, if any, says more. */
static enum ruru_err
row_fields(struct csv *c, struct ruru_intel_indicator *ind, const char *note, struct bad_date *bad)
{
    bool oom = false;

    ruru_intel_indicator_init(ind);
    ind->line = c->row.line;
    bad->col = 0;
    if (c->has_header) {
        if (header_fields(c, ind, bad) != RURU_OK)
            return RURU_ENOMEM;
        ind->created_by = provenance(c, &oom);
        ind->ref = text_field(c, COL_ID, &c->ref, &oom);
        ind->description = text_field(c, COL_DESCRIPTION, &c->desc, &oom);
    }
    if (ind->description == NULL && note != NULL && note[0] != '\0') {
        ind->description = ruru_csv_text(note, strlen(note), TEXT_BYTES, &c->desc);
        oom |= ind->description == NULL;
    }
    return oom ? RURU_ENOMEM : RURU_OK;
}

/* ---- values ---------------------------------------------------------------------------- */

static enum ruru_err reject(struct csv *c, uint64_t col, const char *v, size_t n, const char *why)
{
    return ruru_csv_reject(c->ctx, c->row.line, col, v, n, why, &c->text);
}

static enum ruru_err nomem(struct csv *c)
{
    return ruru_diag_set(c->diag, RURU_ENOMEM, c->ctx->path, c->row.line, 0, "out of memory");
}

/* Values that are defanged in the wild: addresses, host names, URLs, e-mail addresses (and
 * values whose type the value itself will tell). A file path is never re-fanged: "[.]" and
 * "\\." are real in "C:\\Users\\x\\.ssh". */
static bool is_fangable(enum ruru_ioc_type t)
{
    return t == RURU_IOC_NONE || t == RURU_IOC_IPV4 || t == RURU_IOC_IPV6 || t == RURU_IOC_CIDR4 ||
           t == RURU_IOC_CIDR6 || t == RURU_IOC_DOMAIN || t == RURU_IOC_URL || t == RURU_IOC_EMAIL;
}

/* Re-fangs x->v into c->fanged (unless done) when its type may be defanged, or else copies it
 * (unescaping the backslashes of a file name or path); gives a scheme to a URL written
 * without one and drops the colons of a certificate hash. */
static enum ruru_err prepare(struct csv *c, const struct value *x)
{
    struct ruru_buf *f = &c->fanged;

    if (!is_fangable(x->type)) {
        ruru_buf_reset(f);
        if (ruru_buf_add(f, x->v, x->n) != RURU_OK)
            return RURU_ENOMEM;
        if (x->type == RURU_IOC_FILENAME || x->type == RURU_IOC_FILEPATH)
            ruru_csv_unescape_backslashes(f);
    } else if (!x->is_fanged && fang(x->v, x->n, f) != RURU_OK) {
        return RURU_ENOMEM;
    }
    if (x->type == RURU_IOC_URL && ruru_memmem(ruru_buf_str(f), f->len, "://", 3) == NULL &&
        !(f->len > 0 && f->ptr[0] == '/')) {
        /* Zeek and many lists write "evil.example/gate.php": a web URL. A path from the root
         * ("/gate.php") is left for the normaliser, which makes it a uri-path. */
        if (ruru_buf_add(f, "http://", 7) != RURU_OK)
            return RURU_ENOMEM;
        memmove(f->ptr + 7, f->ptr, f->len - 7);
        memcpy(f->ptr, "http://", 7);
    }
    if (x->strip_colons) {
        size_t k = 0;
        for (size_t i = 0; i < f->len; i++)
            if (f->ptr[i] != ':')
                f->ptr[k++] = f->ptr[i];
        f->len = k;
        if (f->ptr != NULL)
            f->ptr[k] = '\0';
    }
    return RURU_OK;
}

/* Normalises one value and hands the indicator over (or the rejection). */
static enum ruru_err emit(struct csv *c,
                          struct ruru_intel_indicator *ind,
                          const struct value *x,
                          const struct bad_date *bad)
{
    const struct ruru_intel_sink *s = c->ctx->sink;
    enum ruru_ioc_type type = x->type;
    const char *reason = NULL;
    enum ruru_err err = prepare(c, x);

    if (err != RURU_OK)
        return nomem(c);
    if (memchr(ruru_buf_str(&c->fanged), '\0', c->fanged.len) != NULL)
        return reject(c, x->col, x->v, x->n, "NUL byte in value");
    if (ruru_csv_utf8_prefix(ruru_buf_str(&c->fanged), c->fanged.len) != c->fanged.len)
        return reject(c, x->col, x->v, x->n, "invalid UTF-8");
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&c->fanged), c->fanged.len, &c->ctx->norm,
                            &c->canon, &reason)) {
        if (reason != NULL && strcmp(reason, "out of memory") == 0)
            return nomem(c);
        return reject(c, x->col, x->v, x->n, reason != NULL ? reason : "unrecognised value");
    }
    if (x->allowed != 0 && (x->allowed & RURU_ZEEK_TYPE_BIT(type)) == 0)
        return reject(c, x->col, x->v, x->n, "value does not match type");
    if (type == RURU_IOC_FILENAME_REGEX &&
        !ruru_csv_regex_ok(c->canon.ptr, c->canon.len, &c->reason))
        return c->reason.failed ? nomem(c)
                                : reject(c, x->col, x->v, x->n, ruru_buf_str(&c->reason));
    if (x->type == RURU_IOC_NONE && type == RURU_IOC_DOMAIN &&
        !ruru_csv_known_tld(ruru_buf_str(&c->canon)))
        return reject(c, x->col, x->v, x->n, "no such top-level domain (a file name? give a type)");
    (void)bad;
    ind->type = type;
    ind->value = ruru_buf_str(&c->canon);
    ind->raw = strcmp(ind->value, x->v) != 0 ? x->v : NULL;
    ind->context = x->context;
    if (x->ref != NULL)
        ind->ref = x->ref;
    c->n_emitted++;
    return s->indicator != NULL ? s->indicator(s->ctx, ind) : RURU_OK;
}

/* Without a value column: the first candidate cell (one that names no known column) whose
 * re-fanged text ruru_ioc_infer types; c->fanged then holds it. Returns false, with the first
 * non-empty candidate in *x for the rejection, when none does; *oom is set when re-fanging
 * ran out of memory. */
static bool find_value(struct csv *c, struct value *x, bool *oom)
{
    bool found_any = false;

    for (size_t i = 0; i < c->row.n_cells; i++) {
        size_t n;
        char *p;
        bool named = false;
        for (size_t k = 0; k < COL__COUNT && c->has_header; k++)
            named |= c->col[k] == (int)i;
        if (named)
            continue;
        p = cell(&c->row, i, &n);
        if (n == 0)
            continue;
        if (!found_any) {
            x->v = p;
            x->n = n;
            x->col = i + 1;
            found_any = true;
        }
        if (fang(p, n, &c->fanged) != RURU_OK) {
            *oom = true;
            return false;
        }
        if (ruru_ioc_infer(ruru_buf_str(&c->fanged), c->fanged.len) != RURU_IOC_NONE) {
            x->v = p;
            x->n = n;
            x->col = i + 1;
            x->is_fanged = true;
            return true;
        }
    }
    return false;
}

/* The value part of a one-value-per-line list's line: "value  # note" leaves the value in
 * p[0..*n) and the note (trimmed, NUL-terminated) in *note. */
static void split_note(char *p, size_t *n, const char **note)
{
    *note = NULL;
    for (size_t i = 1; i < *n; i++) {
        if (p[i] == '#' && (p[i - 1] == ' ' || p[i - 1] == '\t')) {
            size_t b = i + 1, e = *n;
            while (b < e && ruru_is_space(p[b]))
                b++;
            while (e > b && ruru_is_space(p[e - 1]))
                e--;
            p[e] = '\0';
            *note = p + b;
            e = i;
            while (e > 0 && ruru_is_space(p[e - 1]))
                e--;
            p[e] = '\0';
            *n = e;
            return;
        }
    }
}

/* A value in quotes loses them. */
static void unquote(char **p, size_t *n)
{
    if (*n >= 2 && (*p)[0] == '"' && (*p)[*n - 1] == '"') {
        (*p)[*n - 1] = '\0';
        (*p)++;
        *n -= 2;
    }
}

/* Applies the type cell to x: the declared type, or a Zeek type resolved for the value.
 * ti.unknown when the cell names no type ruru knows. A file name holding a directory is a
 * path ("C:\\Windows\\cmd.exe" as a "process"). */
static struct type_info apply_type(struct csv *c, struct value *x)
{
    struct type_info ti = {RURU_IOC_NONE, SPLIT_NONE, 0, false};
    size_t n;
    char *t = col_cell(c, COL_TYPE, &n);

    if (t == NULL || n == 0)
        return ti;
    if (ruru_str_iprefix(ruru_str_make(t, n), "intel::")) {
        enum ruru_ioc_type type;
        uint32_t allowed;
        bool is_cert;
        if (ruru_zeek_type_resolve(t, n, x->v, x->n, &type, &allowed, &is_cert)) {
            x->type = type;
            x->allowed = allowed;
            x->strip_colons = is_cert;
        } else {
            ti.unknown = true;
        }
        return ti;
    }
    ti = lookup_type(c, t, n);
    x->type = ti.type;
    if (x->type == RURU_IOC_FILENAME && ti.split == SPLIT_NONE &&
        (memchr(x->v, '\\', x->n) != NULL || memchr(x->v, '/', x->n) != NULL))
        x->type = RURU_IOC_FILEPATH;
    return ti;
}

/* Last occurrence of ch in p[0..n). */
static char *last_of(char *p, size_t n, char ch)
{
    while (n > 0)
        if (p[--n] == ch)
            return p + n;
    return NULL;
}

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_digit(p[i]))
            return false;
    return n > 0;
}

/* Emits both parts of a "domain|ip" value, told apart by "#1" / "#2" on an id from the file
 * (as misp.c does). */
static enum ruru_err emit_pair(struct csv *c,
                               struct ruru_intel_indicator *ind,
                               struct value *left,
                               struct value *right,
                               const struct bad_date *bad)
{
    const char *base = ind->ref;
    enum ruru_err err = RURU_OK;

    right->type = RURU_IOC_NONE;
    right->allowed = RURU_ZEEK_TYPE_BIT(RURU_IOC_IPV4) | RURU_ZEEK_TYPE_BIT(RURU_IOC_IPV6);
    for (int part = 1; part <= 2 && err == RURU_OK; part++) {
        struct value *y = part == 1 ? left : right;
        if (base != NULL) {
            ruru_buf_reset(&c->context);
            ruru_buf_addf(&c->context, "%s#%d", base, part);
            if (c->context.failed)
                return nomem(c);
            y->ref = ruru_buf_str(&c->context);
        }
        err = emit(c, ind, y, bad);
        ind->ref = base;
    }
    return err;
}

/* Emits a composite value ("a|b", "host:port") as its type says. */
static enum ruru_err emit_split(struct csv *c,
                                struct ruru_intel_indicator *ind,
                                struct value *x,
                                struct type_info ti,
                                const struct bad_date *bad)
{
    char *sep = last_of(x->v, x->n, ti.sep);
    struct value left = *x, right = *x;
    struct ruru_str l, r;

    if (sep == NULL)
        return emit(c, ind, x, bad);
    l = ruru_str_trim(ruru_str_make(x->v, (size_t)(sep - x->v)));
    r = ruru_str_trim(ruru_str_make(sep + 1, x->n - (size_t)(sep + 1 - x->v)));
    if (ti.split == SPLIT_PORT) {
        /* "host:port" holds an IPv6 address only in brackets: "[2001:db8::1]:443". */
        bool v6 = ti.sep == ':' && l.len >= 2 && l.ptr[0] == '[' && l.ptr[l.len - 1] == ']';
        if (!all_digits(r.ptr, r.len) || r.len > 5 || l.len == 0 ||
            (ti.sep == ':' && !v6 && memchr(l.ptr, ':', l.len) != NULL))
            return emit(c, ind, x, bad); /* no port after all ("2001:db8::1"): all of it */
        if (v6) {
            l.ptr++;
            l.len -= 2;
        }
        ruru_buf_reset(&c->context);
        ruru_buf_adds(&c->context, "port=");
        ruru_buf_add(&c->context, r.ptr, r.len);
        if (c->context.failed)
            return nomem(c);
        left.context = ruru_buf_str(&c->context);
    }
    /* Cut the parts in the row buffer: both are within x->v. c->fanged may hold all of x
     * (found by inference): each part is re-fanged on its own. */
    left.is_fanged = right.is_fanged = false;
    left.v = x->v + (l.ptr - x->v);
    left.n = l.len;
    left.v[left.n] = '\0';
    right.v = x->v + (r.ptr - x->v);
    right.n = r.len;
    right.v[right.n] = '\0';
    if (ti.split == SPLIT_PORT)
        return emit(c, ind, &left, bad);
    if (ti.split == SPLIT_FILENAME) {
        const char *name = ruru_csv_text(left.v, left.n, TEXT_BYTES, &c->clean);
        ruru_buf_reset(&c->context);
        if (name == NULL || ruru_buf_adds(&c->context, "filename=") != RURU_OK ||
            ruru_buf_adds(&c->context, name) != RURU_OK)
            return nomem(c);
        right.context = ruru_buf_str(&c->context);
        return emit(c, ind, &right, bad);
    }
    return emit_pair(c, ind, &left, &right, bad);
}

static bool row_is_blank(struct csv *c)
{
    for (size_t i = 0; i < c->row.n_cells; i++) {
        size_t n;
        (void)cell(&c->row, i, &n);
        if (n > 0)
            return false;
    }
    return true;
}

static enum ruru_err do_row(struct csv *c)
{
    struct ruru_intel_indicator ind;
    struct value x;
    struct bad_date bad;
    struct type_info ti;
    const char *note = NULL;
    enum ruru_err err;
    bool oom = false;

    if (row_is_blank(c))
        return RURU_OK; /* ",,,": an empty spreadsheet row */
    memset(&x, 0, sizeof(x));
    if (c->delim == 0 && c->row.n_cells > 0) {
        size_t n;
        char *p = cell(&c->row, 0, &n);
        split_note(p, &n, &note);
        unquote(&p, &n);
        c->row.off[0] = (size_t)(p - c->row.bytes.ptr);
        c->row.len[0] = n;
    }
    if (c->col[COL_VALUE] >= 0) {
        x.v = cell(&c->row, (size_t)c->col[COL_VALUE], &x.n);
        x.col = (uint64_t)c->col[COL_VALUE] + 1;
        if (x.n == 0)
            return reject(c, x.col, "", 0, "empty value");
        if (x.n == c->value_name_len && ruru_str_ieq(ruru_str_make(x.v, x.n), c->value_name))
            return RURU_OK; /* the header again: files concatenated with `cat` */
    } else if (!find_value(c, &x, &oom)) {
        if (oom)
            return nomem(c);
        if (x.v == NULL)
            return reject(c, 0, "", 0, "empty value"); /* only named columns are filled */
        return reject(c, x.col, x.v, x.n, "unrecognised value");
    }
    ti = apply_type(c, &x);
    if (ti.unknown) {
        size_t n;
        char *t = col_cell(c, COL_TYPE, &n);
        return reject(c, (uint64_t)c->col[COL_TYPE] + 1, t, n, "unknown indicator type");
    }
    err = row_fields(c, &ind, note, &bad);
    if (err != RURU_OK)
        return nomem(c);
    c->n_emitted = 0;
    if (ti.split != SPLIT_NONE)
        err = emit_split(c, &ind, &x, ti, &bad);
    else
        err = emit(c, &ind, &x, &bad);
    /* A date that could not be read costs the indicator that date, never the indicator. */
    if (err == RURU_OK && bad.col != 0 && c->n_emitted > 0)
        err = reject(c, bad.col, bad.p, bad.n, "malformed date (indicator kept without it)");
    return err;
}

/* ---- the import ------------------------------------------------------------------------ */

static void csv_fini(struct csv *c)
{
    struct ruru_buf *bufs[] = {&c->row.bytes, &c->fanged,  &c->canon, &c->clean, &c->actors,
                               &c->tags,      &c->techs,   &c->desc,  &c->by,    &c->report,
                               &c->ref,       &c->context, &c->text,  &c->reason};

    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
        ruru_buf_fini(bufs[i]);
    ruru_free(c);
}

static struct csv *
csv_create(const char *data, size_t len, const struct ruru_import_ctx *ctx, struct ruru_diag *diag)
{
    struct csv *c = ruru_calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->ctx = ctx;
    c->diag = diag;
    c->data = data;
    c->len = len;
    c->line = 1;
    for (size_t k = 0; k < COL__COUNT; k++)
        c->col[k] = -1;
    /* Caps: a row holds at most the line cap plus one NUL per kept cell; a value grows by
     * "http://" at most in re-fanging; the normaliser may triple a URL (each stray '%'
     * becomes %25); cleaned text may triple (each bad byte becomes U+FFFD). */
    ruru_buf_init(&c->row.bytes, MAX_LINE_BYTES + MAX_CELLS + 2);
    ruru_buf_init(&c->fanged, MAX_LINE_BYTES + 16);
    ruru_buf_init(&c->canon, (size_t)4 * MAX_LINE_BYTES);
    ruru_buf_init(&c->clean, TEXT_BYTES);
    ruru_buf_init(&c->actors, TEXT_BYTES + MAX_LIST);
    ruru_buf_init(&c->tags, TEXT_BYTES + MAX_LIST);
    ruru_buf_init(&c->techs, TEXT_BYTES + MAX_LIST);
    ruru_buf_init(&c->desc, TEXT_BYTES);
    /* the source and the report cells joined: together at most a row's bytes, tripled */
    ruru_buf_init(&c->by, TEXT_BYTES + 4);
    ruru_buf_init(&c->report, TEXT_BYTES);
    ruru_buf_init(&c->ref, TEXT_BYTES);
    ruru_buf_init(&c->context, TEXT_BYTES + 32);
    ruru_buf_init(&c->text, RURU_CSV_REJECT_VALUE_BYTES + 4);
    ruru_buf_init(&c->reason, RURU_CSV_REASON_BYTES + 64);
    return c;
}

enum ruru_err ruru_csv_import(const char *data,
                              size_t len,
                              const struct ruru_import_ctx *ctx,
                              struct ruru_diag *diag)
{
    struct csv *c = csv_create(data, len, ctx, diag);
    enum ruru_err err = RURU_OK;
    bool first = true;

    if (c == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        c->pos = 3;
    while (err == RURU_OK && skip_noise(c)) {
        int comment_map[COL__COUNT];
        size_t comment_known = 0, comment_cells = 0;
        enum row_status st;

        if (first) {
            c->started = true;
            c->delim = sniff(c);
            comment_known = comment_header(c, comment_map, &comment_cells);
        }
        st = read_row(c);
        if (c->row.bytes.failed) {
            err = nomem(c);
            break;
        }
        if (st == ROW_CUT) {
            /* the cells before the cap still say what they say: the indicator is kept, the
             * rest of its line is refused */
            err = reject(c, 0, data + c->row.start + MAX_LINE_BYTES, 64,
                         "line longer than 1 MiB: cut there, the rest of the line dropped");
            if (err != RURU_OK)
                break;
        }
        if (first) {
            first = false;
            if (take_header(c, comment_map, comment_known, comment_cells))
                continue;
        }
        err = do_row(c);
    }
    csv_fini(c);
    return err;
}
