/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The zero-copy JSON line scanner (json.h). Recursive descent bounded by RURU_JSON_DEPTH; the
 * current dotted path lives in a small stack buffer, and a scalar's full name is copied into
 * the per-record name buffer only when it becomes a field.
 */
#include "logs/json.h"

#include <stdint.h>
#include <string.h>

#include "base/simd.h"
#include "base/str.h"
#include "logs/formats.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "logs/zeeklog.h"

#define PATH_MAX_LEN 512

struct parser {
    const char *p, *end;
    struct ruru_jsonlog *j;
    struct ruru_record *r;
    char path[PATH_MAX_LEN];
    size_t plen;
    int depth;
    bool emit;
};

struct alias {
    const char *native;
    size_t len; /* of native */
    const char *canon;
};

#define A(native, canon)                  \
    {                                     \
        native, sizeof(native) - 1, canon \
    }

/* Suricata EVE. */
static const struct alias EVE[] = {
        A("timestamp", "@timestamp"),
        A("src_ip", "source.ip"),
        A("src_port", "source.port"),
        A("dest_ip", "destination.ip"),
        A("dest_port", "destination.port"),
        A("proto", "network.transport"),
        A("host", "host.name"),
        A("dns.rrname", "dns.question.name"),
        A("dns.query.rrname", "dns.question.name"),
        A("dns.queries.rrname", "dns.question.name"),
        A("dns.rdata", "dns.answers.data"),
        A("dns.answers.rdata", "dns.answers.data"),
        A("dns.grouped.A", "dns.answers.data"),
        A("dns.grouped.AAAA", "dns.answers.data"),
        A("dns.grouped.CNAME", "dns.answers.data"),
        A("http.hostname", "url.domain"),
        A("http.url", "url.original"),
        A("http.http_user_agent", "user_agent.original"),
        A("http.http_method", "http.request.method"),
        A("http.http_refer", "http.request.referrer"),
        A("http.status", "http.response.status_code"),
        A("tls.sni", "tls.client.server_name"),
        A("tls.ja3.hash", "tls.client.ja3"),
        A("tls.ja3s.hash", "tls.server.ja3s"),
        A("tls.fingerprint", "tls.server.hash.sha1"),
        A("fileinfo.filename", "file.name"),
        A("fileinfo.md5", "file.hash.md5"),
        A("fileinfo.sha1", "file.hash.sha1"),
        A("fileinfo.sha256", "file.hash.sha256"),
        A("alert.signature", "rule.name"),
        A("alert.signature_id", "rule.id"),
        A("alert.category", "rule.category"),
        A("smtp.mail_from", "email.from.address"),
        A("smtp.rcpt_to", "email.to.address"),
        A("email.from", "email.from.address"),
        A("email.to", "email.to.address"),
        A("email.subject", "email.subject"),
};

/* Sysmon and Security event data names (winlog.event_data.X, Event.EventData.X). */
static const struct alias WINDOWS[] = {
        A("SourceIp", "source.ip"),
        A("SourcePort", "source.port"),
        A("SourceHostname", "source.domain"),
        A("DestinationIp", "destination.ip"),
        A("DestinationPort", "destination.port"),
        A("DestinationHostname", "destination.domain"),
        A("IpAddress", "source.ip"),
        A("IpPort", "source.port"),
        A("WorkstationName", "source.domain"),
        A("QueryName", "dns.question.name"),
        A("QueryResults", "dns.answers.data"),
        A("Image", "process.executable"),
        A("CommandLine", "process.command_line"),
        A("ParentImage", "process.parent.executable"),
        A("ParentCommandLine", "process.parent.command_line"),
        A("TargetFilename", "file.path"),
        A("ImageLoaded", "file.path"),
        A("Hashes", "file.hash.all"),
        A("Hash", "file.hash.all"),
        A("User", "user.name"),
        A("TargetUserName", "user.target.name"),
        A("SubjectUserName", "user.name"),
        A("ServiceFileName", "service.executable"),
        A("ServiceName", "service.name"),
        A("ScriptBlockText", "powershell.file.script_block_text"),
};

/* Other spellings seen in JSON logs that are not ECS. The names whose canonical name is
 * @timestamp, here and above, start with '@', 't' or 'E' (time_name counts on it). */
static const struct alias GENERIC[] = {
        A("src_ip", "source.ip"),
        A("srcip", "source.ip"),
        A("client_ip", "source.ip"),
        A("dest_ip", "destination.ip"),
        A("dst_ip", "destination.ip"),
        A("dstip", "destination.ip"),
        A("remote_addr", "source.ip"),
        A("timestamp", "@timestamp"),
        A("time", "@timestamp"),
        A("Event.System.TimeCreated.@SystemTime", "@timestamp"),
        A("Event.System.TimeCreated.SystemTime", "@timestamp"),
        A("Event.System.TimeCreated.#attributes.SystemTime", "@timestamp"),
        A("Event.System.Computer", "host.name"),
        A("Event.System.EventID", "event.code"),
        A("Event.System.EventID.#text", "event.code"),
        A("Event.System.Provider.@Name", "event.provider"),
        A("Event.System.Provider.#attributes.Name", "event.provider"),
        A("Event.System.Channel", "winlog.channel"),
};

static const char *lookup(const struct alias *t, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].len == len && t[i].native[0] == name[0] && memcmp(t[i].native, name, len) == 0)
            return t[i].canon;
    return NULL;
}

#define LOOKUP(t, name, len) lookup(t, sizeof(t) / sizeof(t[0]), name, len)

static const char *windows_canon(const char *name, size_t len)
{
    static const char *const prefixes[] = {"winlog.event_data.", "Event.EventData.",
                                           "Event.UserData."};

    if (len == 0 || (name[0] != 'w' && name[0] != 'E'))
        return NULL;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pl = strlen(prefixes[i]);
        if (len > pl && memcmp(name, prefixes[i], pl) == 0)
            return LOOKUP(WINDOWS, name + pl, len - pl);
    }
    return NULL;
}

static const char *canon_of(enum ruru_log_format f, const char *name, size_t len)
{
    const char *c;

    switch (f) {
    case RURU_LOG_EVE:
        return LOOKUP(EVE, name, len);
    case RURU_LOG_ZEEK_JSON:
        if (len == 2 && memcmp(name, "ts", 2) == 0)
            return "@timestamp";
        return ruru_zeeklog_canon(name, len);
    default:
        if ((c = LOOKUP(GENERIC, name, len)) != NULL || (c = windows_canon(name, len)) != NULL)
            return c;
        return NULL; /* the caller uses the name itself: ECS documents name their fields */
    }
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void ws(struct parser *p)
{
    /* most logs write JSON without white space: one test says so */
    if (p->p < p->end && (unsigned char)*p->p > ' ')
        return;
    while (p->p < p->end && is_ws(*p->p))
        p->p++;
}

/* Where a literal starting at p ends: at a ',', '}', ']', white space or the end. */
static const char *literal_end(const char *p, const char *end)
{
    while (p < end && *p != ',' && *p != '}' && *p != ']' && !is_ws(*p))
        p++;
    return p;
}

/* A literal's bytes: 0 when they are none (a number is -?digits[.digits][e[+-]digits],
 * checked loosely but never empty), 1 for null (no field), 2 for a field. */
static int literal_kind(const char *v, size_t n)
{
    if (n == 4 && memcmp(v, "null", 4) == 0)
        return 1;
    if ((n == 4 && memcmp(v, "true", 4) == 0) || (n == 5 && memcmp(v, "false", 5) == 0))
        return 2;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ruru_is_digit(v[i]) && v[i] != '-' && v[i] != '+' && v[i] != '.' && v[i] != 'e' &&
            v[i] != 'E')
            return 0;
    return 2;
}

/* A key becomes a field name: control bytes (NUL included), which JSON does not allow raw in
 * a string anyway, would make a name that is not the text it seems. */
static bool plain_key(struct ruru_str k)
{
    size_t i = 0;

    /* eight bytes at a time: a byte below 0x20 borrows in x - 0x20.. and had its top bit clear */
    for (; i + 8 <= k.len; i += 8) {
        uint64_t x;
        memcpy(&x, k.ptr + i, 8);
        if (((x - 0x2020202020202020ull) & ~x & 0x8080808080808080ull) != 0)
            return false;
    }
    for (; i < k.len; i++)
        if ((unsigned char)k.ptr[i] < 0x20)
            return false;
    return true;
}

/* A string; *out is its body, *esc whether it holds a backslash. */
static bool string(struct parser *p, struct ruru_str *out, bool *esc)
{
    const char *s;

    if (p->p >= p->end || *p->p != '"')
        return false;
    s = ++p->p;
    *esc = false;
    for (;;) {
        const char *q = p->p;
        /* Plain bytes first: most strings have no escapes. */
#if defined(__SSE2__)
        if (ruru_simd_allowed()) {
            const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
            while (p->end - q >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
                unsigned m = (unsigned)_mm_movemask_epi8(
                        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)));
                if (m != 0) {
                    q += __builtin_ctz(m);
                    break;
                }
                q += 16;
            }
        }
#endif
        while (q < p->end && *q != '"' && *q != '\\')
            q++;
        p->p = q;
        if (q >= p->end)
            return false;
        if (*q == '"')
            break;
        *esc = true;
        if (q + 1 >= p->end)
            return false;
        p->p = q + 2;
    }
    *out = ruru_str_make(s, (size_t)(p->p - s));
    p->p++;
    return true;
}

/* Zeek JSON writes ts as epoch seconds with a fraction (or ISO 8601 with json-iso8601). */
static bool epoch_fraction(struct ruru_str v, int64_t *out)
{
    const char *dot = memchr(v.ptr, '.', v.len);
    size_t n = dot ? (size_t)(dot - v.ptr) : v.len;
    int64_t t = 0;

    if (n == 0 || n > 11)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ruru_is_digit(v.ptr[i]))
            return false;
        t = t * 10 + (v.ptr[i] - '0');
    }
    *out = t;
    return true;
}

/* The time of a record, from its field whose canonical name is @timestamp. */
static bool time_value(struct ruru_str v, int64_t *t)
{
    return ruru_time_parse(v.ptr, v.len, t) || epoch_fraction(v, t);
}

/* Is @timestamp the canonical name of a field of this name (as add_field names it)? */
static bool time_name(enum ruru_log_format f, const char *name, size_t n)
{
    const char *c;

    if (n == 0 || (name[0] != '@' && name[0] != 't' && name[0] != 'E'))
        return false;
    c = canon_of(f, name, n);
    if (c == NULL) /* JSON lines' fields are named by themselves */
        return f == RURU_LOG_JSON && n == 10 && memcmp(name, "@timestamp", 10) == 0;
    return strcmp(c, "@timestamp") == 0;
}

/* time_name of the path of `keys` (plen bytes joined by dots), joined into `path` only when
 * its first byte could start a time's name. */
static bool is_time_path(
        enum ruru_log_format f, const struct ruru_str *keys, size_t nkeys, char *path, size_t plen)
{
    size_t at = 0;
    char first = plen > 0 && keys[0].len > 0 ? keys[0].ptr[0] : '.';

    if (first != '@' && first != 't' && first != 'E')
        return false; /* time_name's first test */
    for (size_t k = 0; k < nkeys; k++) {
        if (k > 0)
            path[at++] = '.';
        memcpy(path + at, keys[k].ptr, keys[k].len);
        at += keys[k].len;
    }
    return time_name(f, path, plen);
}

static void add_field(
        struct parser *p, const char *name, size_t nlen, struct ruru_str v, enum ruru_field_enc enc)
{
    struct ruru_jsonlog *j = p->j;
    struct ruru_record *r = p->r;
    struct ruru_field *f;
    char *copy;

    if (!p->emit)
        return;
    if (r->n_fields == RURU_MAX_FIELDS || j->used + nlen + 1 > sizeof(j->names)) {
        r->truncated = true;
        return;
    }
    f = &r->fields[r->n_fields];
    {
        /* The lines of a log name the same fields in the same order: the n-th field of the
         * last line is kept with its canonical name, and its copy serves this line too (it
         * changes only when a later line's n-th field differs). */
        struct ruru_jsonlog_canon *c =
                r->n_fields < RURU_JSON_CANON_CACHE ? &j->canon[r->n_fields] : NULL;
        if (c != NULL && c->len == nlen && memcmp(c->name, name, nlen) == 0) {
            f->name = ruru_str_make(c->name, nlen);
            f->canon = c->self ? c->name : c->canon;
            j->used += nlen + 1; /* counted as if copied: a record keeps what it kept before */
        } else {
            copy = j->names + j->used;
            memcpy(copy, name, nlen);
            copy[nlen] = '\0';
            j->used += nlen + 1;
            f->name = ruru_str_make(copy, nlen);
            f->canon = canon_of(j->format, copy, nlen);
            if (f->canon == NULL && j->format == RURU_LOG_JSON)
                f->canon = copy;
            if (c != NULL && nlen < sizeof(c->name)) {
                memcpy(c->name, name, nlen);
                c->name[nlen] = '\0';
                c->len = (uint8_t)nlen;
                c->self = f->canon == copy;
                c->canon = c->self ? NULL : f->canon;
            }
        }
    }
    r->n_fields++;
    f->value = v;
    f->enc = enc;
}

static bool value(struct parser *p);

/* Appends ".key" (or "key" at the top) to the path; false when it does not fit. */
static bool push(struct parser *p, struct ruru_str key, size_t *saved)
{
    size_t need = key.len + (p->plen > 0);

    *saved = p->plen;
    if (p->plen + need >= sizeof(p->path))
        return false;
    if (p->plen > 0)
        p->path[p->plen++] = '.';
    memcpy(p->path + p->plen, key.ptr, key.len);
    p->plen += key.len;
    return true;
}

static bool literal(struct parser *p)
{
    const char *s = p->p;
    int kind;

    p->p = literal_end(s, p->end);
    kind = literal_kind(s, (size_t)(p->p - s));
    if (kind == 2)
        add_field(p, p->path, p->plen, ruru_str_make(s, (size_t)(p->p - s)), RURU_ENC_RAW);
    return kind != 0;
}

/* An array element that is a Windows "Data" item: {"@Name": N, "#text": V}. Consumes the
 * object and emits "<parent>.N" = V when it has that shape; otherwise leaves p untouched. */
static bool windows_data(struct parser *p)
{
    struct parser q = *p;
    struct ruru_str name = {0}, text = {0}, k, v;
    bool have_name = false, have_text = false, esc, text_esc = false;

    q.p++;
    ws(&q);
    while (q.p < q.end && *q.p != '}') {
        if (!string(&q, &k, &esc))
            return false;
        ws(&q);
        if (q.p >= q.end || *q.p != ':')
            return false;
        q.p++;
        ws(&q);
        if (q.p >= q.end || *q.p != '"')
            return false; /* only flat string members */
        if (!string(&q, &v, &esc))
            return false;
        if (ruru_str_eq(k, "@Name") || ruru_str_eq(k, "Name")) {
            if (esc || !plain_key(v))
                return false;
            name = v;
            have_name = true;
        } else if (ruru_str_eq(k, "#text") || ruru_str_eq(k, "text") || ruru_str_eq(k, "Value")) {
            text = v;
            text_esc = esc;
            have_text = true;
        }
        ws(&q);
        if (q.p < q.end && *q.p == ',') {
            q.p++;
            ws(&q);
        } else if (q.p < q.end && *q.p != '}') {
            return false;
        }
    }
    if (q.p >= q.end || !have_name || !have_text || name.len == 0)
        return false;
    q.p++;
    {
        /* "Event.EventData.Data" + Name: drop the last component ("Data"). */
        const char *dot = NULL;
        size_t base, saved;
        for (size_t i = p->plen; i > 0; i--)
            if (p->path[i - 1] == '.') {
                dot = p->path + i - 1;
                break;
            }
        base = dot ? (size_t)(dot - p->path) : 0;
        saved = p->plen;
        q.plen = base;
        if (push(&q, name, &saved))
            add_field(&q, q.path, q.plen, text, text_esc ? RURU_ENC_JSON : RURU_ENC_RAW);
        q.plen = p->plen;
        memcpy(q.path, p->path, p->plen);
    }
    *p = q;
    return true;
}

static bool object(struct parser *p)
{
    if (++p->depth > RURU_JSON_DEPTH)
        return false;
    p->p++; /* '{' */
    ws(p);
    if (p->p < p->end && *p->p == '}') {
        p->p++;
        p->depth--;
        return true;
    }
    for (;;) {
        struct ruru_str key;
        size_t saved;
        bool esc, fits;
        if (!string(p, &key, &esc) || !plain_key(key))
            return false;
        ws(p);
        if (p->p >= p->end || *p->p != ':')
            return false;
        p->p++;
        ws(p);
        fits = push(p, key, &saved);
        if (!fits) {
            bool emit = p->emit;
            p->emit = false; /* a path this deep is parsed but not kept */
            if (!value(p))
                return false;
            p->emit = emit;
            p->r->truncated = true;
        } else if (!value(p)) {
            return false;
        }
        p->plen = saved;
        ws(p);
        if (p->p >= p->end)
            return false;
        if (*p->p == ',') {
            p->p++;
            ws(p);
            continue;
        }
        if (*p->p != '}')
            return false;
        p->p++;
        p->depth--;
        return true;
    }
}

static bool array(struct parser *p)
{
    if (++p->depth > RURU_JSON_DEPTH)
        return false;
    p->p++; /* '[' */
    ws(p);
    if (p->p < p->end && *p->p == ']') {
        p->p++;
        p->depth--;
        return true;
    }
    for (;;) {
        if (p->p < p->end && *p->p == '{' && windows_data(p)) {
            /* consumed */
        } else if (!value(p)) {
            return false;
        }
        ws(p);
        if (p->p >= p->end)
            return false;
        if (*p->p == ',') {
            p->p++;
            ws(p);
            continue;
        }
        if (*p->p != ']')
            return false;
        p->p++;
        p->depth--;
        return true;
    }
}

static bool value(struct parser *p)
{
    if (p->p >= p->end)
        return false;
    switch (*p->p) {
    case '{':
        return object(p);
    case '[':
        return array(p);
    case '"': {
        struct ruru_str v;
        bool esc;
        if (!string(p, &v, &esc))
            return false;
        add_field(p, p->path, p->plen, v, esc ? RURU_ENC_JSON : RURU_ENC_RAW);
        return true;
    }
    default:
        return literal(p);
    }
}

void ruru_jsonlog_init(struct ruru_jsonlog *j, enum ruru_log_format format)
{
    j->format = format;
    j->used = 0;
    memset(j->canon, 0, sizeof(j->canon));
}

bool ruru_jsonlog_parse(struct ruru_jsonlog *j, const char *line, size_t len, struct ruru_record *r)
{
    struct parser p;

    p.p = line;
    p.end = line + len;
    p.j = j;
    p.r = r;
    p.plen = 0;
    p.depth = 0;
    p.emit = true;
    j->used = 0;
    r->n_fields = 0;
    r->truncated = false;
    r->subtype = NULL;
    r->time = RURU_TIME_NONE;
    r->format = j->format;
    ws(&p);
    if (p.p >= p.end || *p.p != '{' || !object(&p))
        return false;
    ws(&p);
    if (p.p != p.end)
        return false;
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        int64_t t;
        if (f->canon == NULL || strcmp(f->canon, "@timestamp") != 0 || f->enc != RURU_ENC_RAW)
            continue;
        if (time_value(f->value, &t)) {
            r->time = t;
            break;
        }
    }
    return true;
}

static size_t put_utf8(char *out, size_t k, size_t cap, unsigned cp)
{
    unsigned char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (k + n > cap)
        return (size_t)-1;
    memcpy(out + k, b, n);
    return k + n;
}

static bool hex4(const char *s, size_t len, size_t i, unsigned *out)
{
    unsigned v = 0;

    if (i + 4 > len)
        return false;
    for (size_t k = 0; k < 4; k++) {
        int h = ruru_hexval(s[i + k]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

size_t ruru_json_unescape(const char *s, size_t len, char *out, size_t cap)
{
    size_t k = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned cp;
        if (c != '\\') {
            if (k >= cap)
                return (size_t)-1;
            out[k++] = c;
            continue;
        }
        if (++i >= len)
            return (size_t)-1;
        switch (s[i]) {
        case '"':
            c = '"';
            break;
        case '\\':
            c = '\\';
            break;
        case '/':
            c = '/';
            break;
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            if (!hex4(s, len, i + 1, &cp))
                return (size_t)-1;
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (i + 2 < len && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                    hex4(s, len, i + 3, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            if ((k = put_utf8(out, k, cap, cp)) == (size_t)-1)
                return (size_t)-1;
            continue;
        default:
            return (size_t)-1;
        }
        if (k >= cap)
            return (size_t)-1;
        out[k++] = c;
    }
    return k;
}

/* ---- the formats (logs/formats.h) ---------------------------------------------------------- */

/* Detection: a JSON document, an array of events or an object spread over lines ("{" alone on
 * the first line, as pretty-printers write it). "[{", "[[", "[\"" or "[]" start an array;
 * "[10.30 16:49:06]" and "[Sun Dec 04 ...]" are log lines with a bracketed time. */
static bool doc_sniff(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len && ruru_is_space(data[i]))
        i++;
    if (i < len && data[i] == '[') {
        size_t j = i + 1;
        while (j < len && ruru_is_space(data[j]))
            j++;
        if (j < len && (data[j] == '{' || data[j] == '[' || data[j] == '"' || data[j] == ']'))
            return true;
    }
    if (i < len && data[i] == '{') {
        size_t j = i + 1;
        while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r'))
            j++;
        if (j < len && data[j] == '\n')
            return true;
    }
    return false;
}

static bool has_key(const char *p, size_t n, const char *key)
{
    return ruru_memmem(p, n, key, strlen(key)) != NULL;
}

/* Detection: JSON lines are told apart by their keys. Suricata EVE has "event_type", Zeek
 * JSON "uid" with "id.orig_h" (EVE's entry comes first: a line with all three is EVE's); any
 * other object is JSON lines. */
static bool eve_vote(const char *line, size_t len)
{
    return line[0] == '{' && has_key(line, len, "\"event_type\"");
}

static bool zeek_vote(const char *line, size_t len)
{
    return line[0] == '{' && has_key(line, len, "\"uid\"") && has_key(line, len, "\"id.orig_h\"");
}

static bool lines_vote(const char *line, size_t len)
{
    (void)len;
    return line[0] == '{';
}

static bool eve_init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_jsonlog_init(state, RURU_LOG_EVE);
    return true;
}

static bool zeek_init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_jsonlog_init(state, RURU_LOG_ZEEK_JSON);
    return true;
}

static bool json_init(void *state, const struct ruru_logfmt_opts *opts)
{
    (void)opts;
    ruru_jsonlog_init(state, RURU_LOG_JSON);
    return true;
}

static enum ruru_log_line parse(void *state, const char *line, size_t len, struct ruru_record *r)
{
    return ruru_jsonlog_parse(state, line, len, r) ? RURU_LINE_RECORD : RURU_LINE_BAD;
}

/*
 * The skim: the grammar of parse (object, array, value, literal, white space), walked without
 * recursion and without making fields, on lines without a backslash (any escape, in a key or a
 * value, is left to parse): a string ends at the next quote. It counts the fields parse would
 * make and the bytes of their names, keeps the path only as parse names fields, and reads the
 * time where parse would. An object in an array (a Windows Data item, which parse names its
 * own way) is left to parse too.
 */

/* Does s[0..n) hold a byte below 0x20 (a key holding one is no plain name)? */
static bool any_control(const char *s, size_t n)
{
    size_t i = 0;

#if defined(__SSE2__)
    if (ruru_simd_allowed()) {
        /* unsigned v < 0x20, as signed bytes once the top bit is flipped */
        const __m128i bias = _mm_set1_epi8((char)0x80), lim = _mm_set1_epi8((char)(0x20 ^ 0x80));
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (_mm_movemask_epi8(_mm_cmplt_epi8(_mm_xor_si128(v, bias), lim)) != 0)
                return true;
        }
    }
#endif
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return true;
    return false;
}

bool ruru_jsonlog_skim(const struct ruru_jsonlog *j, const char *line, size_t len, int64_t *time)
{
    const char *p = line, *end = line + len;
    struct {
        size_t plen; /* the path's length where the container started */
        size_t nkeys;
        bool array;
    } st[RURU_JSON_DEPTH + 1];
    /* The path is its keys in the line, joined only to ask whether it names the time. */
    struct ruru_str keys[RURU_JSON_DEPTH + 1];
    char path[PATH_MAX_LEN];
    size_t plen = 0, nkeys = 0, n = 0, used = 0;
    int depth = 0;
    int64_t t = RURU_TIME_NONE;
    struct ruru_bytes quotes; /* a string ends at the next quote: no backslash */
    bool controls;            /* a byte below 0x20 somewhere: the keys are looked at */

#define SKIP_WS()                    \
    do {                             \
        while (p < end && is_ws(*p)) \
            p++;                     \
    } while (0)
    /* a field of the path, value [vp, vp + vn): counted as parse keeps it, its time read */
#define FIELD(vp, vn)                                                                  \
    do {                                                                               \
        int64_t t_;                                                                    \
        if (n == RURU_MAX_FIELDS || used + plen + 1 > RURU_JSON_NAMES)                 \
            return false; /* a record parse truncates */                               \
        n++;                                                                           \
        used += plen + 1;                                                              \
        if (t == RURU_TIME_NONE && is_time_path(j->format, keys, nkeys, path, plen) && \
            time_value(ruru_str_make((vp), (vn)), &t_))                                \
            t = t_;                                                                    \
    } while (0)

    if (memchr(line, '\\', len) != NULL)
        return false;
    ruru_bytes_init(&quotes, line, len, '"');
    controls = any_control(line, len);
    SKIP_WS();
    if (p >= end || *p != '{')
        return false;
open:
    /* at '{' or '[' */
    if (++depth > RURU_JSON_DEPTH)
        return false;
    st[depth].plen = plen;
    st[depth].nkeys = nkeys;
    st[depth].array = *p == '[';
    p++;
    SKIP_WS();
    if (p < end && *p == (st[depth].array ? ']' : '}')) {
        p++;
        goto close;
    }
    if (st[depth].array)
        goto element;
member:
    if (p >= end || *p != '"')
        return false;
    {
        const char *q = ruru_bytes_next(&quotes, (size_t)(p + 1 - line));
        size_t klen;
        if (q == NULL)
            return false; /* unterminated */
        klen = (size_t)(q - p - 1);
        if (controls && any_control(p + 1, klen))
            return false; /* a key that is no plain name */
        if (plen + klen + (plen > 0) >= sizeof(path))
            return false; /* a path parse does not keep */
        plen += klen + (plen > 0);
        keys[nkeys++] = ruru_str_make(p + 1, klen);
        p = q + 1;
    }
    SKIP_WS();
    if (p >= end || *p != ':')
        return false;
    p++;
    SKIP_WS();
    goto value;
element:
    if (p < end && *p == '{')
        return false; /* parse's (a Windows Data item, perhaps) */
value:
    if (p >= end)
        return false;
    if (*p == '{' || *p == '[')
        goto open;
    if (*p == '"') {
        const char *q = ruru_bytes_next(&quotes, (size_t)(p + 1 - line));
        if (q == NULL)
            return false;
        FIELD(p + 1, (size_t)(q - p - 1));
        p = q + 1;
    } else {
        const char *v = p;
        int kind;
        p = literal_end(p, end);
        kind = literal_kind(v, (size_t)(p - v));
        if (kind == 0)
            return false;
        if (kind == 2)
            FIELD(v, (size_t)(p - v));
    }
next:
    /* after a value of the container at depth */
    plen = st[depth].plen;
    nkeys = st[depth].nkeys;
    SKIP_WS();
    if (p >= end)
        return false;
    if (*p == ',') {
        p++;
        SKIP_WS();
        if (st[depth].array)
            goto element;
        goto member;
    }
    if (*p != (st[depth].array ? ']' : '}'))
        return false;
    p++;
close:
    plen = st[depth].plen;
    nkeys = st[depth].nkeys;
    if (--depth > 0)
        goto next;
    SKIP_WS();
    if (p != end)
        return false;
    *time = t;
    return true;
#undef FIELD
#undef SKIP_WS
}

static bool skim(const void *state, const char *line, size_t len, struct ruru_skim *out)
{
    return ruru_jsonlog_skim(state, line, len, &out->time);
}

const struct ruru_logfmt ruru_jsonlog_eve_format = {
        .kind = RURU_KIND_EVE,
        .name = "eve",
        .aliases = {"suricata"},
        .vote = eve_vote,
        .state_size = sizeof(struct ruru_jsonlog),
        .init = eve_init,
        .parse = parse,
        .skim = skim,
        .lines_stand_alone = true,
};

const struct ruru_logfmt ruru_jsonlog_zeek_format = {
        .kind = RURU_KIND_ZEEK_JSON,
        .name = "zeek-json",
        .vote = zeek_vote,
        .state_size = sizeof(struct ruru_jsonlog),
        .init = zeek_init,
        .parse = parse,
        .skim = skim,
        .lines_stand_alone = true,
};

const struct ruru_logfmt ruru_jsonlog_lines_format = {
        .kind = RURU_KIND_JSONL,
        .name = "jsonl",
        .aliases = {"json", "ecs"},
        .vote = lines_vote,
        .state_size = sizeof(struct ruru_jsonlog),
        .init = json_init,
        .parse = parse,
        .skim = skim,
        .lines_stand_alone = true,
};

/* The reader cuts a JSON document into its elements (scan/input.c), each parsed as a line. */
const struct ruru_logfmt ruru_jsonlog_doc_format = {
        .kind = RURU_KIND_JSON_DOC,
        .name = "json-document",
        .aliases = {"json-array"},
        .unlisted = true,
        .sniff = doc_sniff,
        .state_size = sizeof(struct ruru_jsonlog),
        .init = json_init,
        .parse = parse,
};

/* Told by the file's signature, by the reader, which renders each record as a JSON line. */
const struct ruru_logfmt ruru_jsonlog_evtx_format = {
        .kind = RURU_KIND_EVTX,
        .name = "evtx",
        .unlisted = true,
        .state_size = sizeof(struct ruru_jsonlog),
        .init = json_init,
        .parse = parse,
};
