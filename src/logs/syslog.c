/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog, RFC 5424 and RFC 3164 (syslog.h). A cursor walks the line and advances only on
 * success. After an optional <PRI>, a version digit and a space mean 5424, whose header is
 * strict (single spaces, "-" for nil, structured data in brackets); anything else is tried as
 * 3164, whose only fixed part is the time stamp:
 *
 *   <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG
 *
 * HOST, TAG and PID are each optional in the wild (a local file may lack the host, kernel
 * lines lack the pid, some daemons write no tag), so the first word after the time stamp is
 * taken as the tag rather than the host when it ends in ':' or holds a '['; a word of that
 * shape after the host is the tag; otherwise the rest is the message. Some relays write an
 * RFC 3339 time stamp in the 3164 position ("<13>2021-03-02T10:11:12+01:00 host tag: msg");
 * that is accepted too, with its offset.
 */
#include "logs/syslog.h"

#include <string.h>

#include "base/str.h"
#include "logs/formats.h"

struct cur {
    const char *p, *end;
};

/* Decimal text of the facility (0-23) and severity (0-7) codes, which PRI only implies. */
static const char *const NUMS[24] = {"0",  "1",  "2",  "3",  "4",  "5",  "6",  "7",
                                     "8",  "9",  "10", "11", "12", "13", "14", "15",
                                     "16", "17", "18", "19", "20", "21", "22", "23"};

static void add(struct ruru_record *r, const char *name, const char *canon, const char *v, size_t n)
{
    ruru_record_add(r, ruru_str_make(name, strlen(name)), canon, ruru_str_make(v, n));
}

/* A header value, left out when it is the nil value "-". */
static void add_opt(struct ruru_record *r, const char *name, const char *canon, struct ruru_str v)
{
    if (v.len > 0 && !ruru_str_eq(v, "-"))
        add(r, name, canon, v.ptr, v.len);
}

/* "<PRI>": 1 to 3 digits, at most 191 (facility 23, severity 7). */
static bool pri(struct cur *c, struct ruru_str *digits, unsigned *out)
{
    const char *p;
    unsigned v = 0;

    if (c->p >= c->end || *c->p != '<')
        return false;
    p = c->p + 1;
    while (p < c->end && p - c->p <= 3 && ruru_is_digit(*p))
        v = v * 10 + (unsigned)(*p++ - '0');
    if (p == c->p + 1 || p >= c->end || *p != '>' || v > 191)
        return false;
    *digits = ruru_str_make(c->p + 1, (size_t)(p - c->p - 1));
    *out = v;
    c->p = p + 1;
    return true;
}

/* A 5424 header field: a non-empty run of non-space bytes, then exactly one space. */
static bool field(struct cur *c, struct ruru_str *out)
{
    const char *p = c->p;

    while (p < c->end && *p != ' ')
        p++;
    if (p == c->p || p >= c->end)
        return false;
    *out = ruru_str_make(c->p, (size_t)(p - c->p));
    c->p = p + 1;
    return true;
}

/* An RFC 3339 time stamp (a date alone or epoch seconds is not one). */
static bool rfc3339(struct ruru_str s, int64_t *out)
{
    return s.len >= 19 && (s.ptr[10] == 'T' || s.ptr[10] == 't') &&
           ruru_time_parse(s.ptr, s.len, out);
}

/* The 5424 STRUCTURED-DATA: "-" or one or more [SD-ID PARAM="VALUE" ...] elements; each
 * parameter becomes a field named by PARAM, its value kept raw. Skipping the byte after every
 * '\' finds the same closing quote as RFC 5424 §6.3.3 (which escapes only '"', '\' and ']'
 * and keeps other pairs as written): only '"' ends a value, and "\"" is always an escape. */
static bool structured_data(struct cur *c, struct ruru_record *r)
{
    const char *p = c->p;

    if (p < c->end && *p == '-') {
        c->p = p + 1;
        return true;
    }
    if (p >= c->end || *p != '[')
        return false;
    while (p < c->end && *p == '[') {
        const char *id = ++p;
        while (p < c->end && *p != ' ' && *p != ']' && *p != '=' && *p != '"')
            p++;
        if (p == id)
            return false;
        while (p < c->end && *p == ' ') {
            const char *name = ++p, *val;
            while (p < c->end && *p != ' ' && *p != ']' && *p != '=' && *p != '"')
                p++;
            if (p == name || p + 1 >= c->end || p[0] != '=' || p[1] != '"')
                return false;
            {
                struct ruru_str pname = ruru_str_make(name, (size_t)(p - name));
                p += 2;
                val = p;
                while (p < c->end && *p != '"') {
                    if (*p == '\\' && p + 1 < c->end)
                        p++;
                    p++;
                }
                if (p >= c->end)
                    return false;
                ruru_record_add(r, pname, NULL, ruru_str_make(val, (size_t)(p - val)));
                p++;
            }
        }
        if (p >= c->end || *p != ']')
            return false;
        p++;
    }
    c->p = p;
    return true;
}

static void add_msg(struct ruru_record *r, const char *p, const char *end)
{
    /* A 5424 MSG may open with a UTF-8 byte order mark; it is not part of the text. */
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (p < end)
        add(r, "msg", "message", p, (size_t)(end - p));
}

static bool rfc5424(struct cur *c, struct ruru_record *r)
{
    struct ruru_str ts, host, app, procid, msgid;

    if (!field(c, &ts) || !field(c, &host) || !field(c, &app) || !field(c, &procid) ||
        !field(c, &msgid))
        return false;
    if (!ruru_str_eq(ts, "-")) {
        if (!rfc3339(ts, &r->time))
            return false;
        add(r, "timestamp", "@timestamp", ts.ptr, ts.len);
    }
    add_opt(r, "hostname", "host.hostname", host);
    add_opt(r, "app-name", "process.name", app);
    add_opt(r, "procid", "process.pid", procid);
    add_opt(r, "msgid", "event.code", msgid);
    if (!structured_data(c, r))
        return false;
    if (c->p < c->end) {
        if (*c->p != ' ')
            return false;
        add_msg(r, c->p + 1, c->end);
    }
    return true;
}

/* Exactly `n` digits at *p; advances only on success. */
static bool digits(const char **p, const char *end, size_t n, unsigned *out)
{
    unsigned v = 0;

    if ((size_t)(end - *p) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ruru_is_digit((*p)[i]))
            return false;
        v = v * 10 + (unsigned)((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

/* The UTC year of unix time t. */
static int64_t year_of(int64_t t)
{
    /* 365.2425 days a year: the estimate is off by one at most, near a new year. */
    int64_t y = 1970 + (t >= 0 ? t : t - 31556951) / 31556952;

    while (ruru_days_from_civil(y + 1, 1, 1) * 86400 <= t)
        y++;
    while (ruru_days_from_civil(y, 1, 1) * 86400 > t)
        y--;
    return y;
}

int ruru_syslog_infer_year(const struct ruru_syslog_year *y, unsigned mo, unsigned d, int64_t sod)
{
    int64_t year;

    if (y->year > 0)
        return y->year;
    /* A reference time no calendar holds (a corrupt mtime) gives no sensible year: 1970. */
    if (y->not_after < -62135596800 || y->not_after > 253402300799)
        return 1970;
    year = year_of(y->not_after);
    if (ruru_days_from_civil(year, mo, d) * 86400 + sod > y->not_after + RURU_SYSLOG_SLACK_S)
        year--;
    return (int)year;
}

/* "Mmm dd hh:mm:ss" (day space-padded "Oct  1" or not "Oct 1"; an optional fraction), in the
 * year `y` gives it, UTC. */
static bool
bsd_time(struct cur *c, const struct ruru_syslog_year *y, struct ruru_str *out, int64_t *t)
{
    const char *p = c->p;
    unsigned mo, d, h, mi, s;

    if (c->end - p < 14 || (mo = (unsigned)ruru_month_abbr(p)) == 0 || p[3] != ' ')
        return false;
    p += 4;
    if (*p == ' ')
        p++;
    if (!digits(&p, c->end, 2, &d) && !digits(&p, c->end, 1, &d))
        return false;
    if (p >= c->end || *p++ != ' ')
        return false;
    if (!digits(&p, c->end, 2, &h) || p >= c->end || *p++ != ':' || !digits(&p, c->end, 2, &mi) ||
        p >= c->end || *p++ != ':' || !digits(&p, c->end, 2, &s))
        return false;
    if (p + 1 < c->end && *p == '.' && ruru_is_digit(p[1])) {
        p++;
        while (p < c->end && ruru_is_digit(*p))
            p++;
    }
    /* 60 is a leap second; the arithmetic folds it into the next minute. */
    if (d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    *out = ruru_str_make(c->p, (size_t)(p - c->p));
    {
        int64_t sod = h * 3600 + mi * 60 + s;
        *t = ruru_days_from_civil(ruru_syslog_infer_year(y, mo, d, sod), mo, d) * 86400 + sod;
    }
    c->p = p;
    return true;
}

/* "TAG:", "TAG[PID]:" or "TAG[PID]" (some daemons omit the colon after a pid). */
static bool tag(struct ruru_str w, struct ruru_str *name, struct ruru_str *pid)
{
    bool has_colon = w.len > 0 && w.ptr[w.len - 1] == ':';
    const char *lb;

    if (has_colon)
        w.len--;
    lb = w.len > 0 ? memchr(w.ptr, '[', w.len) : NULL;
    if (lb != NULL && w.ptr[w.len - 1] == ']') {
        /* '[' is before the final ']', so the pid length is not negative */
        *name = ruru_str_make(w.ptr, (size_t)(lb - w.ptr));
        *pid = ruru_str_make(lb + 1, w.len - (size_t)(lb - w.ptr) - 2);
        return true;
    }
    if (!has_colon)
        return false;
    *name = w;
    *pid = ruru_str_make(w.ptr, 0);
    return true;
}

static struct ruru_str next_word(const struct cur *c)
{
    const char *p = c->p;

    while (p < c->end && *p != ' ')
        p++;
    return ruru_str_make(c->p, (size_t)(p - c->p));
}

static void skip_spaces(struct cur *c)
{
    while (c->p < c->end && *c->p == ' ')
        c->p++;
}

static bool rfc3164(struct cur *c, const struct ruru_syslog_year *year, struct ruru_record *r)
{
    struct ruru_str ts, w, name, pid;
    int64_t t;

    if (c->p < c->end && ruru_is_digit(*c->p)) {
        ts = next_word(c);
        if (!rfc3339(ts, &t))
            return false;
        c->p += ts.len;
    } else if (!bsd_time(c, year, &ts, &t)) {
        return false;
    }
    if (c->p < c->end && *c->p != ' ')
        return false;
    r->time = t;
    add(r, "timestamp", "@timestamp", ts.ptr, ts.len);
    skip_spaces(c);
    w = next_word(c);
    if (w.len > 0 && c->p + w.len < c->end && !tag(w, &name, &pid)) {
        add(r, "hostname", "host.hostname", w.ptr, w.len);
        c->p += w.len;
        skip_spaces(c);
        w = next_word(c);
    }
    if (tag(w, &name, &pid)) {
        if (name.len > 0)
            add(r, "tag", "process.name", name.ptr, name.len);
        if (pid.len > 0)
            add(r, "pid", "process.pid", pid.ptr, pid.len);
        c->p += w.len;
        if (c->p < c->end)
            c->p++;
    }
    add_msg(r, c->p, c->end);
    return true;
}

bool ruru_syslog_parse(const char *line,
                       size_t len,
                       const struct ruru_syslog_year *year,
                       struct ruru_record *r)
{
    struct cur c;
    struct ruru_str pd;
    unsigned pv;
    bool has_pri;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    c.p = line;
    c.end = line + len;
    r->n_fields = 0;
    r->truncated = false;
    r->subtype = NULL;
    r->time = RURU_TIME_NONE;
    r->format = RURU_LOG_SYSLOG;
    has_pri = pri(&c, &pd, &pv);
    if (has_pri) {
        add(r, "pri", "log.syslog.priority", pd.ptr, pd.len);
        add(r, "facility", "log.syslog.facility.code", NUMS[pv / 8], strlen(NUMS[pv / 8]));
        add(r, "severity", "log.syslog.severity.code", NUMS[pv % 8], strlen(NUMS[pv % 8]));
        /* VERSION: a non-zero digit (two at most), then a space. */
        if (c.end - c.p >= 2 && c.p[0] >= '1' && c.p[0] <= '9' &&
            (c.p[1] == ' ' || (ruru_is_digit(c.p[1]) && c.end - c.p >= 3 && c.p[2] == ' '))) {
            c.p += c.p[1] == ' ' ? 2 : 3;
            return rfc5424(&c, r);
        }
    }
    return rfc3164(&c, year, r);
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection, cheaper than a parse: "<PRI>1 2003-10-11T22:14:15Z ..." (5424), "<PRI>Oct 11
 * 22:14:15 ..." or "Oct 11 22:14:15 host ..." (3164). */
static bool vote(const char *p, size_t n)
{
    size_t i = 0;

    if (n > 0 && p[0] == '<') {
        i = 1;
        while (i < n && i < 5 && ruru_is_digit(p[i]))
            i++;
        if (i == 1 || i >= n || p[i] != '>')
            return false;
        i++;
        if (i + 2 < n && p[i] == '1' && p[i + 1] == ' ')
            return true;
    }
    return n >= i + 15 && ruru_month_abbr(p + i) != 0 && p[i + 3] == ' ' && p[i + 6] == ' ' &&
           p[i + 9] == ':' && p[i + 12] == ':';
}

static bool init(void *state, const struct ruru_logfmt_opts *opts)
{
    *(struct ruru_syslog_year *)state = opts->year;
    return true;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    return ruru_syslog_parse(line, len, state, r) ? RURU_LINE_RECORD : RURU_LINE_BAD;
}

const struct ruru_logfmt ruru_syslog_format = {
        .kind = RURU_KIND_SYSLOG,
        .name = "syslog",
        .vote = vote,
        .state_size = sizeof(struct ruru_syslog_year),
        .init = init,
        .parse = parse,
        .lines_stand_alone = true,
};
