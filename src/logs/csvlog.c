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
