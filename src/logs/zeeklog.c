/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zeek TSV logs (zeeklog.h). Canonical names follow ECS where the meaning is unambiguous:
 * id.orig_h/p source.ip/port, id.resp_h/p destination.ip/port, dns query dns.question.name,
 * http host url.domain, uri url.original, user_agent user_agent.original, ssl server_name
 * tls.client.server_name, files sha256 file.hash.sha256 ... Native names stay for rules.
 */
#include "logs/zeeklog.h"

#include <string.h>

#include "logs/formats.h"

static const struct {
    const char *native;
    const char *canon;
} NAMES[] = {
        {"id.orig_h", "source.ip"},
        {"id.orig_p", "source.port"},
        {"id.resp_h", "destination.ip"},
        {"id.resp_p", "destination.port"},
        {"query", "dns.question.name"},
        {"answers", "dns.answers"},
        {"method", "http.request.method"},
        {"host", "url.domain"},
        {"uri", "url.original"},
        {"referrer", "http.request.referrer"},
        {"user_agent", "user_agent.original"},
        {"status_code", "http.response.status_code"},
        {"server_name", "tls.client.server_name"},
        {"ja3", "tls.client.ja3"},
        {"ja3s", "tls.server.ja3s"},
        {"md5", "file.hash.md5"},
        {"sha1", "file.hash.sha1"},
        {"sha256", "file.hash.sha256"},
        {"filename", "file.name"},
        {"mailfrom", "email.from.address"},
        {"rcptto", "email.to.address"},
        {"fingerprint", "x509.fingerprint"},
        {"certificate.subject", "x509.subject.distinguished_name"},
        {"certificate.issuer", "x509.issuer.distinguished_name"},
        {"san.dns", "x509.alternative_names"},
};

const char *ruru_zeeklog_canon(const char *name, size_t len)
{
    for (size_t j = 0; j < sizeof(NAMES) / sizeof(NAMES[0]); j++)
        if (strlen(NAMES[j].native) == len && memcmp(NAMES[j].native, name, len) == 0)
            return NAMES[j].canon;
    return NULL;
}

void ruru_zeeklog_init(struct ruru_zeeklog *z)
{
    memset(z, 0, sizeof(*z));
    z->sep[0] = '\t';
    z->sep_len = 1;
    memcpy(z->empty, "(empty)", 8);
    memcpy(z->unset, "-", 2);
    z->empty_len = 7;
    z->unset_len = 1;
    z->ts_col = -1;
}

/* Directive argument with \xHH escapes, after the directive word and one separator. */
static size_t directive_value(const char *p, size_t n, char *out, size_t cap)
{
    size_t k = 0;

    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
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

/* Splits `s` at the separator into at most max slices; returns the count. */
static size_t
split(const struct ruru_zeeklog *z, const char *s, size_t n, struct ruru_str *out, size_t max)
{
    size_t count = 0, i = 0, start = 0;

    if (z->sep_len == 1)
        return ruru_split_byte(s, n, z->sep[0], out, max);
    while (count < max) {
        const char *hit = i < n ? ruru_memmem(s + i, n - i, z->sep, z->sep_len) : NULL;
        size_t end = hit ? (size_t)(hit - s) : n;
        out[count++] = ruru_str_make(s + start, end - start);
        if (hit == NULL)
            break;
        i = end + z->sep_len;
        start = i;
    }
    return count;
}

static void set_fields(struct ruru_zeeklog *z, const char *p, size_t n)
{
    struct ruru_str names[RURU_MAX_FIELDS];
    size_t k;

    if (n >= sizeof(z->header))
        n = sizeof(z->header) - 1;
    memcpy(z->header, p, n);
    z->header[n] = '\0';
    k = split(z, z->header, n, names, RURU_MAX_FIELDS);
    z->n_names = k;
    z->ts_col = -1;
    for (size_t i = 0; i < k; i++) {
        z->names[i] = names[i];
        z->canon[i] = NULL;
        for (size_t j = 0; j < sizeof(NAMES) / sizeof(NAMES[0]); j++)
            if (ruru_str_eq(names[i], NAMES[j].native))
                z->canon[i] = NAMES[j].canon;
        if (ruru_str_eq(names[i], "ts"))
            z->ts_col = (int)i;
    }
}

/* "1614679872.123456" -> 1614679872. */
static bool epoch(struct ruru_str v, int64_t *out)
{
    int64_t t = 0;
    size_t i = 0;

    if (v.len == 0 || v.len > 24)
        return false;
    /* at most 12 digits of seconds: more is no time, and would overflow */
    for (; i < v.len && i <= 12 && ruru_is_digit(v.ptr[i]); i++)
        t = t * 10 + (v.ptr[i] - '0');
    if (i == 0 || i > 12 || (i < v.len && v.ptr[i] != '.'))
        return false;
    for (size_t k = i + 1; k < v.len; k++)
        if (!ruru_is_digit(v.ptr[k]))
            return false;
    *out = t;
    return true;
}

bool ruru_zeeklog_skim(const struct ruru_zeeklog *z, const char *line, size_t len, int64_t *time)
{
    const char *p = line, *end, *ts = NULL, *ts_end = NULL;
    size_t col = 0;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    /* one-byte separators, fewer columns than a record keeps: the parser's split is exact */
    if (len == 0 || line[0] == '#' || z->sep_len != 1 || z->n_names == 0 ||
        z->n_names >= RURU_MAX_FIELDS)
        return false;
    end = line + len;
    /* the time's column, then the number of columns */
    for (; (int)col < z->ts_col; col++) {
        const char *sep = memchr(p, z->sep[0], (size_t)(end - p));
        if (sep == NULL)
            return false;
        p = sep + 1;
    }
    if (z->ts_col >= 0) {
        ts = p;
        ts_end = memchr(p, z->sep[0], (size_t)(end - p));
        if (ts_end == NULL)
            ts_end = end;
    }
    if (col + 1 + ruru_count_byte(p, (size_t)(end - p), z->sep[0]) != z->n_names)
        return false;
    *time = RURU_TIME_NONE;
    if (ts != NULL) {
        int64_t t;
        if (epoch(ruru_str_make(ts, (size_t)(ts_end - ts)), &t))
            *time = t;
    }
    return true;
}

enum ruru_log_line
ruru_zeeklog_parse(struct ruru_zeeklog *z, const char *line, size_t len, struct ruru_record *r)
{
    struct ruru_str vals[RURU_MAX_FIELDS];
    size_t n;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len > 0 && line[0] == '#') {
        struct ruru_str l = ruru_str_make(line, len);
        if (ruru_str_iprefix(l, "#separator")) {
            z->sep_len = directive_value(line + 10, len - 10, z->sep, sizeof(z->sep));
            if (z->sep_len == 0) {
                z->sep[0] = '\t';
                z->sep_len = 1;
            }
        } else if (ruru_str_iprefix(l, "#empty_field")) {
            z->empty_len = directive_value(line + 12, len - 12, z->empty, sizeof(z->empty));
        } else if (ruru_str_iprefix(l, "#unset_field")) {
            z->unset_len = directive_value(line + 12, len - 12, z->unset, sizeof(z->unset));
        } else if (ruru_str_iprefix(l, "#path")) {
            directive_value(line + 5, len - 5, z->path, sizeof(z->path));
        } else if (ruru_str_iprefix(l, "#fields")) {
            size_t skip = 7;
            if (len >= skip + z->sep_len && memcmp(line + skip, z->sep, z->sep_len) == 0)
                skip += z->sep_len;
            set_fields(z, line + skip, len - skip);
        }
        return RURU_LINE_DIRECTIVE;
    }
    if (z->n_names == 0 || len == 0)
        return RURU_LINE_BAD;
    n = split(z, line, len, vals, RURU_MAX_FIELDS);
    if (n != z->n_names)
        return RURU_LINE_BAD;
    r->n_fields = 0;
    /* values past the kept columns (a header of more than RURU_MAX_FIELDS) were not split */
    r->truncated = n == RURU_MAX_FIELDS && vals[n - 1].ptr + vals[n - 1].len < line + len;
    r->subtype = z->path[0] != '\0' ? z->path : NULL;
    r->time = RURU_TIME_NONE;
    r->format = RURU_LOG_ZEEK;
    for (size_t i = 0; i < n; i++) {
        struct ruru_field *f;
        if ((vals[i].len == z->unset_len && memcmp(vals[i].ptr, z->unset, z->unset_len) == 0) ||
            (vals[i].len == z->empty_len && memcmp(vals[i].ptr, z->empty, z->empty_len) == 0))
            continue;
        f = &r->fields[r->n_fields++];
        f->name = z->names[i];
        f->canon = z->canon[i];
        f->value = vals[i];
        f->enc = RURU_ENC_RAW;
    }
    if (z->ts_col >= 0) {
        int64_t t;
        if (epoch(vals[z->ts_col], &t))
            r->time = t;
    }
    return RURU_LINE_RECORD;
}

/* ---- the format (logs/formats.h) ----------------------------------------------------------- */

/* Detection: a Zeek header decides. ("#Fields:", which this would take too, is W3C's or CSV's,
 * and they come first in the table.) */
static enum ruru_logfmt_claim directive(const char *line, size_t len)
{
    struct ruru_str l = ruru_str_make(line, len);

    return ruru_str_iprefix(l, "#separator") || ruru_str_iprefix(l, "#fields") ? RURU_CLAIM_SURE
                                                                               : RURU_CLAIM_NONE;
}

static bool init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_zeeklog_init(state);
    return true;
}

/* The column names are slices of the header copy inside the state: the copy's point into its
 * own header. */
static bool copy(void *dst, const void *src)
{
    struct ruru_zeeklog *to = dst;
    const struct ruru_zeeklog *from = src;

    memcpy(to, from, sizeof(*to));
    for (size_t i = 0; i < to->n_names; i++)
        to->names[i].ptr = to->header + (from->names[i].ptr - from->header);
    return true;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    return ruru_zeeklog_parse(state, line, len, r);
}

/* Without #path, a record's logsource (for the rules) is told from which of its fields are
 * set: it may differ from the last record's, so such lines are parsed. */
static bool skim(const void *state, const char *line, size_t len, struct ruru_skim *out)
{
    const struct ruru_zeeklog *z = state;

    out->view = line; /* nothing to decode */
    return z->path[0] != '\0' && ruru_zeeklog_skim(z, line, len, &out->time);
}

const struct ruru_logfmt ruru_zeeklog_format = {
        .kind = RURU_KIND_ZEEK_TSV,
        .name = "zeek",
        .quiet_alias = "zeek-tsv",
        .directive = directive,
        .state_size = sizeof(struct ruru_zeeklog),
        .init = init,
        .copy = copy,
        .stateful = true,
        .parse = parse,
        .skim = skim,
};
