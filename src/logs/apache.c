/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Apache and Nginx access logs, "common" and "combined":
 *
 *   %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]
 *   203.0.113.5 - bob [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "-" "curl/8"
 *
 * A cursor walks the line and advances only on success; quoted fields honour backslash
 * escapes (Apache writes \" and \\ inside them). The request splits into method, target
 * (url.original, url.path, url.query) and protocol; a request that is not three words (a
 * scanner sending garbage) is kept whole as url.original.
 *
 * Nginx's usual variants add fields after "combined": "$http_x_forwarded_for" (the client's
 * address behind a proxy, a comma list) is read as client.ip, one field per address; whatever
 * else follows (request times, upstream names, other headers) is kept as `message`, which the
 * sweep searches as free text: no byte of a line goes unlooked at.
 */
#include "logs/apache.h"

#include <stddef.h>
#include <string.h>

#include "base/str.h"
#include "logs/formats.h"

/* "-": the value logs write for "none". */
static inline bool is_dash(struct ruru_str v)
{
    return v.len == 1 && v.ptr[0] == '-';
}

struct cur {
    const char *p, *end;
};

/* `name` is a string literal: its length is known at compile time. */
#define ADD(r, name, canon, v, n) \
    ruru_record_add((r), ruru_str_make((name), sizeof(name) - 1), (canon), ruru_str_make((v), (n)))

/* A space-delimited word; advances past it and one following space. The words of a line's
 * head are short (an address, "-", a status): a loop beats a search call. */
static bool word(struct cur *c, struct ruru_str *out)
{
    const char *s = c->p;

    while (c->p < c->end && *c->p != ' ')
        c->p++;
    if (c->p == s)
        return false;
    *out = ruru_str_make(s, (size_t)(c->p - s));
    if (c->p < c->end)
        c->p++;
    return true;
}

/* A delimited field: [..] or "..." with backslash escapes (a quote after an odd number of
 * backslashes is escaped). The close is found with memchr: user agents and requests are long. */
static bool delimited(struct cur *c, char open, char close, struct ruru_str *out)
{
    const char *s, *q;

    if (c->p >= c->end || *c->p != open)
        return false;
    s = ++c->p;
    for (q = memchr(s, close, (size_t)(c->end - s)); q != NULL;
         q = memchr(q + 1, close, (size_t)(c->end - q - 1))) {
        size_t bs = 0;
        if (close != '"')
            break;
        while (q - bs > s && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            break;
    }
    if (q == NULL) {
        c->p = c->end;
        return false;
    }
    *out = ruru_str_make(s, (size_t)(q - s));
    c->p = q + 1;
    if (c->p < c->end && *c->p == ' ')
        c->p++;
    return true;
}

static bool num(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (!ruru_is_digit(s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return n > 0;
}

/* The day of the last time this thread read ("10/Oct/2000"), and its days since 1970: the
 * lines of a log share their day, and the day is most of the reading (the month's name, the
 * calendar). Zeroed, it matches no time (a time has a '/' at 2). */
static _Thread_local struct {
    char date[11];
    int64_t days;
} last_day;

bool ruru_apache_time(const char *s, size_t len, int64_t *out)
{
    int d, mo, y, h, mi, se, oh, om;
    int64_t days;

    /* 10/Oct/2000:13:55:36 -0700 */
    if (len != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' ||
        s[20] != ' ' || (s[21] != '+' && s[21] != '-'))
        return false;
    if (memcmp(s, last_day.date, sizeof(last_day.date)) == 0) {
        days = last_day.days;
    } else {
        if (!num(s, 2, &d) || (mo = ruru_month_abbr(s + 3)) == 0 || !num(s + 7, 4, &y) || d < 1 ||
            d > 31)
            return false;
        days = ruru_days_from_civil(y, (unsigned)mo, (unsigned)d);
        memcpy(last_day.date, s, sizeof(last_day.date));
        last_day.days = days;
    }
    if (!num(s + 12, 2, &h) || !num(s + 15, 2, &mi) || !num(s + 18, 2, &se) ||
        !num(s + 22, 2, &oh) || !num(s + 24, 2, &om))
        return false;
    if (h > 23 || mi > 59 || se > 60 || oh > 23 || om > 59)
        return false;
    *out = days * 86400 + h * 3600 + mi * 60 + se - (s[21] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return true;
}

/* An X-Forwarded-For value: "-", or addresses (IPv4, IPv6, "unknown") separated by commas. */
static bool is_xff(struct ruru_str v)
{
    size_t item = 0;

    if (is_dash(v))
        return true;
    for (size_t i = 0; i < v.len; i++) {
        char ch = v.ptr[i];
        if (ch == ',') {
            if (item == 0)
                return false;
            item = 0;
        } else if (ch == ' ') {
            continue;
        } else if (ruru_is_xdigit(ch) || ch == '.' || ch == ':' || ch == '[' || ch == ']') {
            if (++item > 47)
                return false;
        } else {
            return false;
        }
    }
    return item > 0;
}

/* The addresses of an X-Forwarded-For value, each a client.ip field. */
static void add_xff(struct ruru_record *r, struct ruru_str v)
{
    const char *p = v.ptr, *end = v.ptr + v.len;

    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p)), *e = comma ? comma : end;
        struct ruru_str a = ruru_str_trim(ruru_str_make(p, (size_t)(e - p)));
        if (a.len > 0)
            ADD(r, "%{X-Forwarded-For}i", "client.ip", a.ptr, a.len);
        p = e + (comma != NULL);
    }
}

/* What makes a line an access log line: host, ident, user, [time], "request", status and
 * bytes, the status three digits and the time one ruru_apache_time reads. The parser and the
 * skim both ask this, so they cannot disagree. */
struct head {
    struct ruru_str host, ident, user, t, req, status, bytes;
    int64_t time;
};

static bool head(struct cur *c, struct head *h)
{
    return word(c, &h->host) && word(c, &h->ident) && word(c, &h->user) &&
           delimited(c, '[', ']', &h->t) && delimited(c, '"', '"', &h->req) &&
           word(c, &h->status) && word(c, &h->bytes) && h->status.len == 3 &&
           ruru_is_digit(h->status.ptr[0]) && ruru_apache_time(h->t.ptr, h->t.len, &h->time);
}

/* A line gives at most 14 fields (host, user, time, the request line and its five parts,
 * status, bytes, referrer, user agent, the rest as message) and its X-Forwarded-For addresses,
 * at most one more than its commas: a line with at most this many commas after its head always
 * fits a record. */
#define SKIM_MAX_COMMAS (RURU_MAX_FIELDS - 15)

bool ruru_apache_skim(const char *line, size_t len, int64_t *time)
{
    struct cur c = {line, line + len};
    struct head h;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        c.end = line + --len;
    if (!head(&c, &h))
        return false;
    if ((size_t)(c.end - c.p) > SKIM_MAX_COMMAS &&
        ruru_count_byte(c.p, (size_t)(c.end - c.p), ',') > SKIM_MAX_COMMAS)
        return false;
    *time = h.time;
    return true;
}

bool ruru_apache_parse(const char *line, size_t len, struct ruru_record *r)
{
    struct cur c = {line, line + len};
    struct head h;
    struct ruru_str ref, ua;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        c.end = line + --len;
    r->n_fields = 0;
    r->truncated = false;
    r->subtype = NULL;
    r->time = RURU_TIME_NONE;
    if (!head(&c, &h))
        return false;
    r->time = h.time;
    r->format = RURU_LOG_APACHE_COMMON;
    ADD(r, "%h", "source.address", h.host.ptr, h.host.len);
    if (!is_dash(h.user))
        ADD(r, "%u", "user.name", h.user.ptr, h.user.len);
    ADD(r, "%t", "@timestamp", h.t.ptr, h.t.len);
    ADD(r, "%r", "http.request.line", h.req.ptr, h.req.len);
    {
        /* "GET /path?q HTTP/1.1" */
        const char *sp1 = memchr(h.req.ptr, ' ', h.req.len), *sp2;
        sp2 = sp1 ? memchr(sp1 + 1, ' ', h.req.len - (size_t)(sp1 + 1 - h.req.ptr)) : NULL;
        if (sp1 != NULL && sp2 != NULL &&
            memchr(sp2 + 1, ' ', h.req.len - (size_t)(sp2 + 1 - h.req.ptr)) == NULL) {
            const char *target = sp1 + 1, *q;
            size_t tl = (size_t)(sp2 - target);
            ADD(r, "method", "http.request.method", h.req.ptr, (size_t)(sp1 - h.req.ptr));
            ADD(r, "target", "url.original", target, tl);
            q = memchr(target, '?', tl);
            ADD(r, "path", "url.path", target, q ? (size_t)(q - target) : tl);
            if (q != NULL)
                ADD(r, "query", "url.query", q + 1, tl - (size_t)(q - target) - 1);
            ADD(r, "protocol", "http.version", sp2 + 1, h.req.len - (size_t)(sp2 + 1 - h.req.ptr));
        } else {
            ADD(r, "target", "url.original", h.req.ptr, h.req.len);
        }
    }
    ADD(r, "%>s", "http.response.status_code", h.status.ptr, h.status.len);
    if (!is_dash(h.bytes))
        ADD(r, "%b", "http.response.body.bytes", h.bytes.ptr, h.bytes.len);
    {
        struct cur back = c;
        if (delimited(&c, '"', '"', &ref) && delimited(&c, '"', '"', &ua)) {
            struct ruru_str xff;
            r->format = RURU_LOG_APACHE_COMBINED;
            if (!is_dash(ref))
                ADD(r, "%{Referer}i", "http.request.referrer", ref.ptr, ref.len);
            if (!is_dash(ua))
                ADD(r, "%{User-agent}i", "user_agent.original", ua.ptr, ua.len);
            back = c;
            if (delimited(&c, '"', '"', &xff) && is_xff(xff)) {
                if (!is_dash(xff))
                    add_xff(r, xff);
            } else {
                c = back;
            }
        } else {
            c = back;
        }
    }
    /* the rest of the line, whatever it holds, is searched as text */
    {
        struct ruru_str rest = ruru_str_trim(ruru_str_make(c.p, (size_t)(c.end - c.p)));
        if (rest.len > 0)
            ADD(r, "rest", "message", rest.ptr, rest.len);
    }
    return true;
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection: a line the parser takes is a vote. */
static bool vote(const char *line, size_t len)
{
    struct ruru_record r;

    return ruru_apache_parse(line, len, &r);
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    (void)state;
    return ruru_apache_parse(line, len, r) ? RURU_LINE_RECORD : RURU_LINE_BAD;
}

static bool skim(const void *state, const char *line, size_t len, struct ruru_skim *out)
{
    (void)state;
    out->view = line; /* nothing to decode */
    return ruru_apache_skim(line, len, &out->time);
}

const struct ruru_logfmt ruru_apache_format = {
        .kind = RURU_KIND_APACHE,
        .name = "apache",
        .aliases = {"nginx"},
        .vote = vote,
        .parse = parse,
        .skim = skim,
        .lines_stand_alone = true,
};
