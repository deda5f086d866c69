/* SPDX-License-Identifier: Apache-2.0 */
/*
 * W3C extended format (as IIS and Exchange front ends write it):
 *
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip
 *            cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken
 *   2021-03-02 10:11:12 10.0.0.5 POST /owa/auth/x.js - 443 - 203.0.113.7 Mozilla/5.0+(X) - 200 0 0
 * 15
 *
 * Columns are separated by single spaces; "-" means empty; spaces inside a value were written
 * as '+' (user agents) and are left so: normalisation of the value is the matcher's business.
 * Times are UTC (IIS always logs UTC in this format). Native names stay available for Sigma
 * rules ("cs-uri-query"); canonical names follow ECS.
 */
#include "logs/w3c.h"

#include <string.h>

#include "logs/formats.h"

/* "-": the value logs write for "none". */
static inline bool is_dash(struct ruru_str v)
{
    return v.len == 1 && v.ptr[0] == '-';
}

static const struct {
    const char *native;
    const char *canon;
} NAMES[] = {
        {"s-ip", "destination.ip"},
        {"c-ip", "source.ip"},
        {"cs-method", "http.request.method"},
        {"cs-uri-stem", "url.path"},
        {"cs-uri-query", "url.query"},
        {"s-port", "destination.port"},
        {"cs-username", "user.name"},
        {"cs(User-Agent)", "user_agent.original"},
        {"cs(Referer)", "http.request.referrer"},
        {"cs(Cookie)", "http.request.cookie"},
        {"cs-host", "url.domain"},
        {"sc-status", "http.response.status_code"},
        {"sc-bytes", "http.response.bytes"},
        {"cs-bytes", "http.request.bytes"},
        {"time-taken", "event.duration_ms"},
        {"s-computername", "host.name"},
        {"s-sitename", "service.name"},
        {"cs-version", "http.version"},
        {"X-Forwarded-For", "client.forwarded_for"},
};

void ruru_w3c_init(struct ruru_w3c *w)
{
    memset(w, 0, sizeof(*w));
    w->date_col = -1;
    w->time_col = -1;
}

static void set_fields(struct ruru_w3c *w, const char *p, size_t n)
{
    size_t i = 0;

    if (n >= sizeof(w->header))
        n = sizeof(w->header) - 1; /* a longer list keeps its first fields */
    memcpy(w->header, p, n);
    w->header[n] = '\0';
    w->n_names = 0;
    w->date_col = -1;
    w->time_col = -1;
    while (i < n && w->n_names < RURU_MAX_FIELDS) {
        size_t s;
        while (i < n && w->header[i] == ' ')
            i++;
        s = i;
        while (i < n && w->header[i] != ' ')
            i++;
        if (i > s) {
            struct ruru_str name = ruru_str_make(w->header + s, i - s);
            size_t k = w->n_names++;
            w->names[k] = name;
            w->canon[k] = NULL;
            /* IIS writes a space in a header value as '+' ("Mozilla/5.0+(Windows+NT...)"). */
            w->enc[k] = ruru_str_iprefix(name, "cs(") ? RURU_ENC_PLUS : RURU_ENC_RAW;
            for (size_t j = 0; j < sizeof(NAMES) / sizeof(NAMES[0]); j++)
                if (ruru_str_ieq(name, NAMES[j].native))
                    w->canon[k] = NAMES[j].canon;
            if (ruru_str_ieq(name, "date"))
                w->date_col = (int)k;
            else if (ruru_str_ieq(name, "time"))
                w->time_col = (int)k;
        }
    }
}

enum ruru_log_line
ruru_w3c_parse(struct ruru_w3c *w, const char *line, size_t len, struct ruru_record *r)
{
    struct ruru_str vals[RURU_MAX_FIELDS];
    size_t n = 0;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len > 0 && line[0] == '#') {
        struct ruru_str l = ruru_str_make(line, len);
        if (ruru_str_iprefix(l, "#Fields:"))
            set_fields(w, line + 8, len - 8);
        return RURU_LINE_DIRECTIVE;
    }
    if (w->n_names == 0)
        return RURU_LINE_BAD;
    n = ruru_split_byte(line, len, ' ', vals, RURU_MAX_FIELDS);
    if (n != w->n_names)
        return RURU_LINE_BAD;
    r->n_fields = 0;
    /* values past the kept columns (a header of more than RURU_MAX_FIELDS) were not split */
    r->truncated = n == RURU_MAX_FIELDS && vals[n - 1].ptr + vals[n - 1].len < line + len;
    r->subtype = NULL;
    r->time = RURU_TIME_NONE;
    r->format = RURU_LOG_W3C;
    for (size_t k = 0; k < n; k++) {
        struct ruru_field *f;
        if (is_dash(vals[k]))
            continue;
        f = &r->fields[r->n_fields++];
        f->name = w->names[k];
        f->canon = w->canon[k];
        f->value = vals[k];
        f->enc = w->enc[k];
    }
    if (w->date_col >= 0 && w->time_col >= 0) {
        const struct ruru_str *d = &vals[w->date_col], *t = &vals[w->time_col];
        char ts[40];
        int64_t when;
        if (d->len + t->len + 1 < sizeof(ts)) {
            memcpy(ts, d->ptr, d->len);
            ts[d->len] = ' ';
            memcpy(ts + d->len + 1, t->ptr, t->len);
            if (ruru_time_parse(ts, d->len + 1 + t->len, &when))
                r->time = when;
        }
    }
    return RURU_LINE_RECORD;
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection: "#Fields:" with names separated by spaces decides (IIS field names never hold a
 * comma; with commas the log is CSV, csvlog.c). Exchange writes both W3C-like and CSV logs
 * under the same "#Software: Microsoft Exchange Server" banner, so "#Software:" only hints:
 * W3C, unless a "#Fields:" line is sampled. */
static enum ruru_logfmt_claim directive(const char *line, size_t len)
{
    struct ruru_str l = ruru_str_make(line, len);

    if (ruru_str_iprefix(l, "#Fields:"))
        return memchr(line, ',', len) == NULL ? RURU_CLAIM_SURE : RURU_CLAIM_NONE;
    return ruru_str_iprefix(l, "#Software:") ? RURU_CLAIM_HINT : RURU_CLAIM_NONE;
}

static bool init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_w3c_init(state);
    return true;
}

/* The column names are slices of the header copy inside the state: the copy's point into its
 * own header. */
static bool copy(void *dst, const void *src)
{
    struct ruru_w3c *to = dst;
    const struct ruru_w3c *from = src;

    memcpy(to, from, sizeof(*to));
    for (size_t i = 0; i < to->n_names; i++)
        to->names[i].ptr = to->header + (from->names[i].ptr - from->header);
    return true;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    return ruru_w3c_parse(state, line, len, r);
}

const struct ruru_logfmt ruru_w3c_format = {
        .kind = RURU_KIND_W3C,
        .name = "w3c",
        .aliases = {"iis"},
        .directive = directive,
        .state_size = sizeof(struct ruru_w3c),
        .init = init,
        .copy = copy,
        .stateful = true,
        .parse = parse,
};
