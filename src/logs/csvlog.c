/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CSV logs with a header (csvlog.h). One splitter serves the header and the data: RFC 4180
 * fields, quoted ones ending at a '"' not doubled, the rest at the next ','. A line is split
 * once; the header's names are copied into the parser (they must outlive their line), data
 * values are slices of theirs. Column counts are exact, as in W3C: a line with a different
 * count does not fit the header and is BAD rather than mislabelled.
 */
#include "logs/csvlog.h"

#include <string.h>

#include "base/str.h"
#include "logs/formats.h"

static const struct {
    const char *native;
    const char *canon;
} NAMES[] = {
        /* Exchange HttpProxy, ECP, OAB */
        {"DateTime", "@timestamp"},
        {"ClientIpAddress", "source.ip"},
        {"ServerHostName", "host.name"},
        {"UrlHost", "url.domain"},
        {"UrlStem", "url.path"},
        {"UrlQuery", "url.query"},
        {"UserAgent", "user_agent.original"},
        {"AuthenticatedUser", "user.name"},
        {"Method", "http.request.method"},
        {"HttpStatus", "http.response.status_code"},
        /* Exchange message tracking */
        {"date-time", "@timestamp"},
        {"client-ip", "source.ip"},
        {"server-ip", "destination.ip"},
        {"sender-address", "email.from.address"},
        {"recipient-address", "email.to.address"},
        {"message-subject", "email.subject"},
        {"message-id", "email.message_id"},
        {"client-hostname", "source.domain"},
        {"server-hostname", "host.name"},
        /* generic exports */
        {"src_ip", "source.ip"},
        {"source_ip", "source.ip"},
        {"src", "source.ip"},
        {"client_ip", "source.ip"},
        {"dst_ip", "destination.ip"},
        {"dest_ip", "destination.ip"},
        {"dst", "destination.ip"},
        {"destination_ip", "destination.ip"},
        {"url", "url.original"},
        {"domain", "url.domain"},
        {"hostname", "host.name"},
        {"host", "host.name"},
        {"user_agent", "user_agent.original"},
        {"useragent", "user_agent.original"},
        {"user", "user.name"},
        {"username", "user.name"},
        {"md5", "file.hash.md5"},
        {"sha1", "file.hash.sha1"},
        {"sha256", "file.hash.sha256"},
        {"timestamp", "@timestamp"},
        {"time", "@timestamp"},
        {"date", "@timestamp"},
        {"@timestamp", "@timestamp"},
};

/* Canonical names a column may already carry ("source.ip" in an ECS export). */
static const char *const CANON[] = {
        "source.ip",
        "destination.ip",
        "source.domain",
        "host.name",
        "url.original",
        "url.domain",
        "url.path",
        "url.query",
        "user.name",
        "user_agent.original",
        "http.request.method",
        "email.subject",
        "email.from.address",
        "email.to.address",
        "file.hash.md5",
        "file.hash.sha1",
        "file.hash.sha256",
        "http.response.status_code",
};

static const char *canonical(struct ruru_str name)
{
    for (size_t i = 0; i < sizeof(NAMES) / sizeof(NAMES[0]); i++)
        if (ruru_str_ieq(name, NAMES[i].native))
            return NAMES[i].canon;
    for (size_t i = 0; i < sizeof(CANON) / sizeof(CANON[0]); i++)
        if (ruru_str_ieq(name, CANON[i]))
            return CANON[i];
    return NULL;
}

void ruru_csvlog_init(struct ruru_csvlog *c)
{
    memset(c, 0, sizeof(*c));
    c->time_col = -1;
    c->date_col = -1;
    c->clock_col = -1;
}

/*
 * Splits one line into its columns. The first `cap` values go to vals (quotes removed), and
 * *n_cols is the number of columns. Returns false on an unterminated quote or on bytes after
 * a closing quote other than ',' (then nothing is reliable about the line).
 */
static bool split(const char *p, size_t len, struct ruru_str *vals, size_t cap, size_t *n_cols)
{
    size_t i = 0, n = 0;

    for (;;) {
        struct ruru_str v;
        if (i < len && p[i] == '"') {
            size_t s = ++i;
            for (;;) {
                const char *q = memchr(p + i, '"', len - i);
                if (q == NULL)
                    return false;
                i = (size_t)(q - p);
                if (i + 1 < len && p[i + 1] == '"') {
                    i += 2;
                    continue;
                }
                break;
            }
            v = ruru_str_make(p + s, i - s);
            i++;
            if (i < len && p[i] != ',')
                return false;
        } else {
            const char *comma = memchr(p + i, ',', len - i);
            size_t s = i;
            i = comma != NULL ? (size_t)(comma - p) : len;
            v = ruru_str_make(p + s, i - s);
        }
        if (n < cap)
            vals[n] = v;
        n++;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    *n_cols = n;
    return true;
}

/* Takes the header row or the "#Fields:" list as the columns of the lines after it. */
static bool set_header(struct ruru_csvlog *c, const char *p, size_t len)
{
    struct ruru_str vals[RURU_MAX_FIELDS];
    size_t n_cols, kept, used = 0;

    if (!split(p, len, vals, RURU_MAX_FIELDS, &n_cols))
        return false;
    c->n_cols = n_cols;
    c->n_names = 0;
    c->time_col = c->date_col = c->clock_col = -1;
    kept = n_cols < RURU_MAX_FIELDS ? n_cols : RURU_MAX_FIELDS;
    for (size_t k = 0; k < kept; k++) {
        struct ruru_str name = ruru_str_trim(vals[k]);
        if (name.len > sizeof(c->header) - used)
            break; /* the names that fit are kept; later columns go unnamed */
        memcpy(c->header + used, name.ptr, name.len);
        c->names[k] = ruru_str_make(c->header + used, name.len);
        used += name.len;
        c->canon[k] = canonical(name);
        c->n_names = k + 1;
        if (c->canon[k] != NULL && strcmp(c->canon[k], "@timestamp") == 0 && c->time_col < 0)
            c->time_col = (int)k;
        if (ruru_str_ieq(name, "date") && c->date_col < 0)
            c->date_col = (int)k;
        else if (ruru_str_ieq(name, "time") && c->clock_col < 0)
            c->clock_col = (int)k;
    }
    return true;
}

static int64_t record_time(const struct ruru_csvlog *c, const struct ruru_str *vals)
{
    int64_t t;

    if (c->date_col >= 0 && c->clock_col >= 0) {
        const struct ruru_str *d = &vals[c->date_col], *h = &vals[c->clock_col];
        char ts[64]; /* "2021-03-02 10:11:12.1234567+01:00" with room to spare */
        if (d->len + h->len + 1 < sizeof(ts)) {
            memcpy(ts, d->ptr, d->len);
            ts[d->len] = ' ';
            memcpy(ts + d->len + 1, h->ptr, h->len);
            if (ruru_time_parse(ts, d->len + 1 + h->len, &t))
                return t;
        }
    }
    if (c->time_col >= 0 && ruru_time_parse(vals[c->time_col].ptr, vals[c->time_col].len, &t))
        return t;
    return RURU_TIME_NONE;
}

enum ruru_log_line
ruru_csvlog_parse(struct ruru_csvlog *c, const char *line, size_t len, struct ruru_record *r)
{
    struct ruru_str vals[RURU_MAX_FIELDS];
    size_t n;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        len -= 3;
    }
    if (len > 0 && line[0] == '#') {
        struct ruru_str l = ruru_str_make(line, len);
        if (ruru_str_iprefix(l, "#Fields:")) {
            size_t i = 8;
            while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
            (void)set_header(c, line + i, len - i); /* a broken one leaves c as it was */
        }
        return RURU_LINE_DIRECTIVE;
    }
    if (len == 0)
        return RURU_LINE_BAD;
    if (c->n_cols == 0)
        return set_header(c, line, len) ? RURU_LINE_DIRECTIVE : RURU_LINE_BAD;
    if (!split(line, len, vals, RURU_MAX_FIELDS, &n) || n != c->n_cols)
        return RURU_LINE_BAD;
    r->n_fields = 0;
    r->truncated = false;
    r->subtype = NULL;
    r->format = RURU_LOG_CSV;
    for (size_t k = 0; k < n && k < RURU_MAX_FIELDS; k++) {
        struct ruru_field *f;
        if (vals[k].len == 0)
            continue;
        if (k >= c->n_names) {
            r->truncated = true;
            continue;
        }
        f = &r->fields[r->n_fields++];
        f->name = c->names[k];
        f->canon = c->canon[k];
        f->value = vals[k];
        f->enc = RURU_ENC_RAW;
    }
    if (n > RURU_MAX_FIELDS)
        r->truncated = true; /* values past the kept columns were not even split out */
    r->time = record_time(c, vals);
    return RURU_LINE_RECORD;
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection: Exchange's "#Fields:" with commas decides (W3C's names are separated by spaces,
 * and never hold a comma). */
static enum ruru_logfmt_claim directive(const char *line, size_t len)
{
    return ruru_str_iprefix(ruru_str_make(line, len), "#Fields:") && memchr(line, ',', len) != NULL
                   ? RURU_CLAIM_SURE
                   : RURU_CLAIM_NONE;
}

/* The number of CSV columns of a line (RFC 4180 quotes respected); false on an unterminated
 * quote. */
static bool columns(const char *p, size_t n, size_t *out)
{
    size_t cols = 1;
    bool in_quotes = false;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            in_quotes = !in_quotes; /* "" inside quotes flips twice */
        else if (p[i] == ',' && !in_quotes)
            cols++;
    }
    *out = cols;
    return !in_quotes;
}

/* A header row: at least three columns, each a name of [A-Za-z0-9_ .@-] (quotes allowed
 * around it), with a letter somewhere so that a row of numbers is not taken for names. */
static bool header_row(const char *p, size_t n, size_t *cols)
{
    bool has_alpha = false;

    if (!columns(p, n, cols) || *cols < 3)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (ruru_is_alpha(c))
            has_alpha = true;
        else if (!ruru_is_digit(c) && c != '_' && c != ' ' && c != '.' && c != '@' && c != '-' &&
                 c != ',' && c != '"')
            return false;
    }
    return has_alpha;
}

/* Detection: a CSV export without directives, its first line a row of column names and most
 * of the lines after it with as many columns. */
static bool sample(const struct ruru_str *lines, size_t n_lines)
{
    size_t header_cols, n_same = 0;

    if (n_lines < 2 || !header_row(lines[0].ptr, lines[0].len, &header_cols))
        return false;
    for (size_t i = 1; i < n_lines; i++) {
        size_t cols;
        if (columns(lines[i].ptr, lines[i].len, &cols) && cols == header_cols)
            n_same++;
    }
    return n_same * 2 > n_lines - 1;
}

static bool init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_csvlog_init(state);
    return true;
}

/* The column names are slices of the header copy inside the state: the copy's point into its
 * own header. */
static bool copy(void *dst, const void *src)
{
    struct ruru_csvlog *to = dst;
    const struct ruru_csvlog *from = src;

    memcpy(to, from, sizeof(*to));
    for (size_t i = 0; i < to->n_names; i++)
        to->names[i].ptr = to->header + (from->names[i].ptr - from->header);
    return true;
}

/* Without "#Fields:", the first row names the columns. */
static bool header_pending(const void *state)
{
    return ((const struct ruru_csvlog *)state)->n_cols == 0;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    return ruru_csvlog_parse(state, line, len, r);
}

const struct ruru_logfmt ruru_csvlog_format = {
        .kind = RURU_KIND_CSV,
        .name = "csv",
        .aliases = {"exchange"},
        .directive = directive,
        .sample = sample,
        .state_size = sizeof(struct ruru_csvlog),
        .init = init,
        .copy = copy,
        .stateful = true,
        .header_pending = header_pending,
        .parse = parse,
};
