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

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

/* The time of the date and time columns (the parser's and the skim's): RURU_TIME_NONE when
 * they do not read as one. */
static int64_t w3c_time(struct ruru_str d, struct ruru_str t)
{
    char ts[40];
    int64_t when;

    if (d.len + t.len + 1 >= sizeof(ts))
        return RURU_TIME_NONE;
    memcpy(ts, d.ptr, d.len);
    ts[d.len] = ' ';
    memcpy(ts + d.len + 1, t.ptr, t.len);
    return ruru_time_parse(ts, d.len + 1 + t.len, &when) ? when : RURU_TIME_NONE;
}

void ruru_w3c_plus_decode(const char *v, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = v[i] == '+' && !(n - i > 5 && memcmp(v + i + 1, "http", 4) == 0) ? ' ' : v[i];
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
    if (w->date_col >= 0 && w->time_col >= 0)
        r->time = w3c_time(vals[w->date_col], vals[w->time_col]);
    return RURU_LINE_RECORD;
}

/* Bits of the spaces and the '+' signs of line[base, base + 32) (bytes past len: none). */
static inline void marks32(const char *line, size_t len, size_t base, uint32_t *sp, uint32_t *plus)
{
#if defined(__SSE2__)
    if (len >= 32) {
        /* the last 32 bytes of the line when fewer are left, those before base shifted out */
        size_t at = len - base >= 32 ? base : len - 32, k = base - at;
        __m128i v0 = _mm_loadu_si128((const __m128i *)(const void *)(line + at));
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(line + at + 16));
        __m128i s = _mm_set1_epi8(' '), p = _mm_set1_epi8('+');
        *sp = ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, s)) |
               (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, s)) << 16) >>
              k;
        *plus = ((uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, p)) |
                 (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v1, p)) << 16) >>
                k;
        return;
    }
#endif
    *sp = 0;
    *plus = 0;
    for (size_t i = 0; i < 32 && base + i < len; i++) {
        *sp |= (uint32_t)(line[base + i] == ' ') << i;
        *plus |= (uint32_t)(line[base + i] == '+') << i;
    }
}

/* The bits set in x, without a call (the portable build has no POPCNT instruction). */
static inline size_t bits32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

/* The date and time columns of a line (both at or before column `last`); false when the line
 * has fewer columns. */
static bool date_time(const char *line, size_t len, int date_col, int time_col, int64_t *time)
{
    struct ruru_str d = {NULL, 0}, t = {NULL, 0};
    const char *p = line, *end = line + len;
    int last = date_col > time_col ? date_col : time_col;

    for (int col = 0; col <= last; col++) {
        const char *sp = memchr(p, ' ', (size_t)(end - p)), *ve = sp != NULL ? sp : end;
        if (col == date_col)
            d = ruru_str_make(p, (size_t)(ve - p));
        else if (col == time_col)
            t = ruru_str_make(p, (size_t)(ve - p));
        if (sp == NULL && col < last)
            return false;
        p = ve + 1;
    }
    *time = w3c_time(d, t);
    return true;
}

/*
 * The columns are counted, and the '+' of the '+'-encoded columns decoded, 32 bytes at a time:
 * a '+' is in the column of the spaces before it. A '+' is kept where ruru_w3c_plus_decode
 * keeps it: "http" after it and a byte more in its column (no space in "http", so the column
 * runs on past the '+' by five bytes when the line does and the fifth is not a space).
 */
bool ruru_w3c_skim(const struct ruru_w3c *w,
                   const char *line,
                   size_t len,
                   int64_t *time,
                   char *room,
                   const char **view)
{
    size_t col = 0, n_names = w->n_names; /* col: the column at the start of the block */
    size_t given = len; /* the view is as long as the line given, its line end included */
    const char *out = line;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    /* fewer columns than a record keeps: the parser's split is exact */
    if (len == 0 || line[0] == '#' || n_names == 0 || n_names >= RURU_MAX_FIELDS)
        return false;
    for (size_t base = 0; base < len; base += 32) {
        uint32_t sp, plus;
        marks32(line, len, base, &sp, &plus);
        for (; plus != 0; plus &= plus - 1) {
            unsigned b = (unsigned)__builtin_ctz(plus);
            size_t at = base + b, c = col + bits32(sp & ((1u << b) - 1));
            if (c < n_names && w->enc[c] == RURU_ENC_PLUS &&
                !(at + 5 < len && memcmp(line + at + 1, "http", 4) == 0 && line[at + 5] != ' ')) {
                if (room == NULL)
                    return false;
                if (out == line) {
                    memcpy(room, line, given);
                    out = room;
                }
                room[at] = ' ';
            }
        }
        col += bits32(sp);
    }
    if (col + 1 != n_names)
        return false;
    *time = RURU_TIME_NONE;
    if (w->date_col >= 0 && w->time_col >= 0 &&
        !date_time(line, len, w->date_col, w->time_col, time))
        return false;
    *view = out;
    return true;
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

static bool skim(const void *state, const char *line, size_t len, struct ruru_skim *out)
{
    return ruru_w3c_skim(state, line, len, &out->time, out->room, &out->view);
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
        .skim = skim,
        .skim_decodes = true,
};
