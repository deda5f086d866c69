/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CEF (cef.h). The header is split at unescaped '|'. The extension is the awkward part: keys
 * are not quoted and values may hold spaces, so a value ends only where a space is followed
 * by something shaped like a key and an '=':
 *
 *   msg=Login failed for bob src=10.0.0.1 request=http://x/?a\=1 b
 *       '-----------------' '------'     '-----------------------'
 *
 * Each space looks ahead over at most one word (key bytes never include a space), so the
 * scan stays linear in the line length even on hostile input.
 */
#include "logs/cef.h"

#include <string.h>

#include "base/str.h"
#include "logs/formats.h"

/* Header fields after the version, in order, with their canonical names. */
static const struct {
    const char *native;
    const char *canon;
} HEADER[6] = {
        {"deviceVendor", "observer.vendor"},
        {"deviceProduct", "observer.product"},
        {"deviceVersion", "observer.version"},
        {"deviceEventClassId", "event.code"},
        {"name", "rule.name"},
        {"severity", "event.severity"},
};

/* Extension keys (CEF key names are case-sensitive), short and long ArcSight forms. */
static const struct {
    const char *key;
    const char *canon;
} KEYS[] = {
        {"src", "source.ip"},
        {"sourceAddress", "source.ip"},
        {"dst", "destination.ip"},
        {"destinationAddress", "destination.ip"},
        {"spt", "source.port"},
        {"sourcePort", "source.port"},
        {"dpt", "destination.port"},
        {"destinationPort", "destination.port"},
        {"shost", "source.domain"},
        {"sourceHostName", "source.domain"},
        {"dhost", "destination.domain"},
        {"destinationHostName", "destination.domain"},
        {"suser", "source.user.name"},
        {"sourceUserName", "source.user.name"},
        {"duser", "destination.user.name"},
        {"destinationUserName", "destination.user.name"},
        {"smac", "source.mac"},
        {"sourceMacAddress", "source.mac"},
        {"dmac", "destination.mac"},
        {"destinationMacAddress", "destination.mac"},
        {"request", "url.original"},
        {"requestUrl", "url.original"},
        {"requestMethod", "http.request.method"},
        {"requestClientApplication", "user_agent.original"},
        {"fname", "file.name"},
        {"fileName", "file.name"},
        {"fileHash", "file.hash"},
        {"rt", "@timestamp"},
        {"receiptTime", "@timestamp"},
        {"dvchost", "host.name"},
        {"deviceHostName", "host.name"},
        {"dvc", "host.ip"},
        {"deviceAddress", "host.ip"},
        {"act", "event.action"},
        {"deviceAction", "event.action"},
        {"msg", "message"},
        {"message", "message"},
        {"proto", "network.transport"},
        {"transportProtocol", "network.transport"},
};

static void add(struct ruru_record *r, struct ruru_str name, const char *canon, struct ruru_str v)
{
    if (v.len > 0)
        ruru_record_add(r, name, canon, v);
}

/* Bytes of an extension key: ArcSight keys are alphanumeric; vendors add '_', '.', '-' and
 * brackets ("ad.user", "cs1Label", "_cefVer"). */
static bool key_byte(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_' || c == '.' || c == '-' || c == '[' ||
           c == ']';
}

/* Length of the key at p if a key and '=' start there, else 0. */
static size_t key_at(const char *p, const char *end)
{
    const char *s = p;

    while (p < end && key_byte(*p))
        p++;
    return p > s && p < end && *p == '=' ? (size_t)(p - s) : 0;
}

/* Exactly `n` digits at s[*i]; advances only on success. */
static bool digits(const char *s, size_t len, size_t *i, size_t n, unsigned *out)
{
    unsigned v = 0;

    if (len - *i < n)
        return false;
    for (size_t k = 0; k < n; k++) {
        if (!ruru_is_digit(s[*i + k]))
            return false;
        v = v * 10 + (unsigned)(s[*i + k] - '0');
    }
    *i += n;
    *out = v;
    return true;
}

/* The zone after a "MMM dd yyyy HH:mm:ss" time: nothing, UTC, GMT, Z, or +hh[:]mm. */
static bool zone(const char *s, size_t len, size_t i, int64_t *off)
{
    unsigned oh, om;
    int sign;

    *off = 0;
    if (i < len && s[i] == ' ')
        i++;
    if (i == len)
        return true;
    if (ruru_str_ieq(ruru_str_make(s + i, len - i), "UTC") ||
        ruru_str_ieq(ruru_str_make(s + i, len - i), "GMT") ||
        ruru_str_ieq(ruru_str_make(s + i, len - i), "Z"))
        return true;
    if (s[i] != '+' && s[i] != '-')
        return false; /* a named zone ("EST", "Europe/Paris"): no table of them here */
    sign = s[i++] == '-' ? -1 : 1;
    if (!digits(s, len, &i, 2, &oh))
        return false;
    if (i < len && s[i] == ':')
        i++;
    if (!digits(s, len, &i, 2, &om) || i != len || oh > 23 || om > 59)
        return false;
    *off = sign * (int64_t)(oh * 3600 + om * 60);
    return true;
}

/* rt: epoch milliseconds, "MMM dd yyyy HH:mm:ss[.SSS][ zone]", or RFC 3339. */
static bool cef_time(struct ruru_str v, int64_t *out)
{
    const char *s = v.ptr;
    size_t len = v.len, i = 0;
    unsigned mo, d, y, h, mi, sec;
    int64_t off;

    while (i < len && ruru_is_digit(s[i]))
        i++;
    if (i == len && len >= 12 && len <= 18) {
        int64_t ms = 0;
        /* Milliseconds: 12 digits reach back to 1973; 18 cannot overflow int64. Shorter
         * numbers are left to ruru_time_parse, which takes 9 to 11 digits as seconds (a
         * sender that writes seconds where CEF says milliseconds). */
        for (i = 0; i < len; i++)
            ms = ms * 10 + (s[i] - '0');
        *out = ms / 1000;
        return true;
    }
    if (len >= 20 && (mo = (unsigned)ruru_month_abbr(s)) != 0 && s[3] == ' ') {
        i = 4;
        if (!digits(s, len, &i, 2, &d) || i >= len || s[i++] != ' ' || !digits(s, len, &i, 4, &y) ||
            i >= len || s[i++] != ' ' || !digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' ||
            !digits(s, len, &i, 2, &mi) || i >= len || s[i++] != ':' ||
            !digits(s, len, &i, 2, &sec))
            return false;
        if (i + 1 < len && s[i] == '.' && ruru_is_digit(s[i + 1])) {
            i++;
            while (i < len && ruru_is_digit(s[i]))
                i++;
        }
        if (d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || !zone(s, len, i, &off))
            return false;
        *out = ruru_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
        return true;
    }
    return ruru_time_parse(s, len, out);
}

/* The start of the CEF part: "CEF:" at the line start or after a space. */
static const char *find_cef(const char *line, size_t len)
{
    const char *p = line, *end = line + len;

    while (p < end) {
        const char *h = ruru_memmem(p, (size_t)(end - p), "CEF:", 4);
        if (h == NULL)
            return NULL;
        /* after a syslog header ("host CEF:") or a bare PRI ("<134>CEF:") */
        if (h == line || h[-1] == ' ' || h[-1] == '\t' || h[-1] == '>')
            return h;
        p = h + 1;
    }
    return NULL;
}

static void extension(const char *p, const char *end, struct ruru_record *r)
{
    while (p < end) {
        struct ruru_str key, val;
        const char *v, *ve;
        size_t kl;
        while (p < end && *p == ' ')
            p++;
        kl = key_at(p, end);
        if (kl == 0)
            return;
        key = ruru_str_make(p, kl);
        v = p + kl + 1;
        /* The value: up to a space that starts " key=", skipping "\x" pairs. */
        for (p = v; p < end; p++) {
            if (*p == '\\' && p + 1 < end)
                p++;
            else if (*p == ' ' && key_at(p + 1, end) > 0)
                break;
        }
        ve = p;
        while (ve > v && ve[-1] == ' ')
            ve--;
        val = ruru_str_make(v, (size_t)(ve - v));
        {
            const char *canon = NULL;
            for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++)
                if (ruru_str_eq(key, KEYS[i].key)) {
                    canon = KEYS[i].canon;
                    break;
                }
            add(r, key, canon, val);
            if (canon != NULL && strcmp(canon, "@timestamp") == 0 && r->time == RURU_TIME_NONE) {
                int64_t t;
                if (cef_time(val, &t))
                    r->time = t;
            }
        }
    }
}

bool ruru_cef_parse(const char *line, size_t len, struct ruru_record *r)
{
    struct ruru_str hdr[7];
    const char *p, *end;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    p = find_cef(line, len);
    if (p == NULL)
        return false;
    end = line + len;
    p += 4;
    for (int k = 0; k < 7; k++) {
        const char *s = p;
        while (p < end && *p != '|') {
            if (*p == '\\' && p + 1 < end)
                p++;
            p++;
        }
        if (p >= end)
            return false;
        hdr[k] = ruru_str_make(s, (size_t)(p - s));
        p++;
    }
    /* The version is a small number ("0", "1"); anything else is not CEF. */
    if (hdr[0].len == 0 || hdr[0].len > 2 || !ruru_is_digit(hdr[0].ptr[0]) ||
        (hdr[0].len == 2 && !ruru_is_digit(hdr[0].ptr[1])))
        return false;
    r->n_fields = 0;
    r->truncated = false;
    r->subtype = NULL;
    r->time = RURU_TIME_NONE;
    r->format = RURU_LOG_CEF;
    for (int k = 0; k < 6; k++)
        add(r, ruru_str_make(HEADER[k].native, strlen(HEADER[k].native)), HEADER[k].canon,
            hdr[k + 1]);
    extension(p, end, r);
    return true;
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection: "CEF:" at the start of the line or after a space (a syslog header). */
static bool vote(const char *line, size_t len)
{
    return ruru_str_iprefix(ruru_str_make(line, len), "CEF:") ||
           ruru_memmem(line, len, " CEF:", 5) != NULL;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    (void)state;
    return ruru_cef_parse(line, len, r) ? RURU_LINE_RECORD : RURU_LINE_BAD;
}

const struct ruru_logfmt ruru_cef_format = {
        .kind = RURU_KIND_CEF,
        .name = "cef",
        .vote = vote,
        .parse = parse,
        .lines_stand_alone = true,
};
