/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-record matching (match.h). The hot path is: decode a field only when its encoding needs
 * it, tokenize, canonicalise addresses / host names / hashes by hand (no allocation), and let
 * the index's filter reject almost every token. URLs and e-mail addresses go through the full
 * normaliser, which is slower but sees few tokens.
 */
#include "scan/match.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/str.h"
#include "logs/json.h"

/* Field values longer than this are matched as they are, without decoding. */
#define MAX_DECODE (1u << 20)

void ruru_matcher_init(struct ruru_matcher *m, const struct ruru_index *idx)
{
    memset(m, 0, sizeof(*m));
    m->idx = idx;
    ruru_buf_init(&m->observed, 64u << 20);
    ruru_buf_init(&m->decoded, MAX_DECODE + 16);
    ruru_buf_init(&m->canon, 1u << 20);
    ruru_buf_init(&m->url, 1u << 20);
}

void ruru_matcher_fini(struct ruru_matcher *m)
{
    ruru_buf_fini(&m->observed);
    ruru_buf_fini(&m->decoded);
    ruru_buf_fini(&m->canon);
    ruru_buf_fini(&m->url);
}

static int on_hit(const struct ruru_index_ind *ind, uint32_t i, void *ctx)
{
    struct ruru_matcher *m = ctx;
    struct ruru_hit *h;

    if (ind->flags & RURU_INDEX_NOT_IDS) {
        m->counts.not_ids++;
        return 0;
    }
    if (ind->flags & RURU_INDEX_REVOKED) {
        m->counts.revoked++;
        return 0;
    }
    if (m->time != RURU_TIME_NONE) {
        if (ind->valid_until != INT64_MAX && m->time >= ind->valid_until) {
            m->counts.expired++;
            return 0;
        }
        if (ind->valid_from != INT64_MIN && m->time < ind->valid_from) {
            m->counts.not_yet_valid++;
            return 0;
        }
    }
    for (size_t k = 0; k < m->n_hits; k++)
        if (m->hits[k].ind == i)
            return 0;
    if (m->n_hits == RURU_MATCH_MAX_HITS) {
        m->hits_truncated = true;
        return 1;
    }
    h = &m->hits[m->n_hits];
    h->ind = i;
    h->field = m->field;
    h->obs_off = m->observed.len;
    h->obs_len = m->obs_len;
    if (ruru_buf_add(&m->observed, m->obs, m->obs_len) != RURU_OK) {
        m->failed = true;
        return 1;
    }
    m->n_hits++;
    return 0;
}

static void
lookup_normalized(struct ruru_matcher *m, enum ruru_ioc_type type, const char *s, size_t n)
{
    static const struct ruru_norm_opts opts = {1, 1};
    enum ruru_ioc_type t = type;
    const char *reason;

    if (!ruru_ioc_normalize(&t, s, n, &opts, &m->canon, &reason))
        return;
    if (t == RURU_IOC_DOMAIN) {
        ruru_index_find_domain(m->idx, m->canon.ptr, m->canon.len, on_hit, m);
        return;
    }
    ruru_index_find_exact(m->idx, t, m->canon.ptr, m->canon.len, on_hit, m);
    if (t == RURU_IOC_URL) {
        /* A URL indicator without a query names a resource: a request for it with parameters
         * (a web shell's "?cmd=...") is a request for it. */
        const char *q = memchr(m->canon.ptr, '?', m->canon.len);
        if (q != NULL)
            ruru_index_find_exact(m->idx, t, m->canon.ptr, (size_t)(q - m->canon.ptr), on_hit, m);
    }
}

static void v4_bytes(uint32_t v4, unsigned char a[16])
{
    memset(a, 0, 10);
    a[10] = a[11] = 0xff;
    a[12] = (unsigned char)(v4 >> 24);
    a[13] = (unsigned char)(v4 >> 16);
    a[14] = (unsigned char)(v4 >> 8);
    a[15] = (unsigned char)v4;
}

/* `t`: the token (its type, and for an IPv4 address its value); s, n: its bytes. */
static void
lookup_token(struct ruru_matcher *m, const struct ruru_token *t, const char *s, size_t n)
{
    enum ruru_ioc_type type = t->type;
    unsigned char addr[16];
    char tmp[64];
    bool ascii = true;

    m->obs = s;
    m->obs_len = n;
    switch (type) {
    case RURU_IOC_IPV4:
        v4_bytes(t->v4, addr);
        ruru_index_find_ip(m->idx, addr, on_hit, m);
        return;
    case RURU_IOC_IPV6: {
        const char *pct = memchr(s, '%', n); /* fe80::1%eth0 */
        if (pct != NULL)
            n = (size_t)(pct - s);
        if (n >= sizeof(tmp))
            return;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        if (inet_pton(AF_INET6, tmp, addr) == 1)
            ruru_index_find_ip(m->idx, addr, on_hit, m);
        return;
    }
    case RURU_IOC_DOMAIN:
        while (n > 0 && s[n - 1] == '.')
            n--;
        if (n == 0 || n > 253)
            return;
        ruru_buf_reset(&m->canon);
        for (size_t i = 0; i < n; i++) {
            ascii &= (unsigned char)s[i] < 0x80;
            ruru_buf_addc(&m->canon, ruru_lower(s[i]));
        }
        if (m->canon.failed)
            return;
        /* Punycode ("xn--") is plain ASCII: lower case is its canonical form. Only a name in
         * Unicode needs the normaliser (IDNA). */
        if (!ascii) {
            lookup_normalized(m, RURU_IOC_DOMAIN, s, n);
            return;
        }
        ruru_index_find_domain(m->idx, m->canon.ptr, m->canon.len, on_hit, m);
        return;
    case RURU_IOC_MD5:
    case RURU_IOC_SHA1:
    case RURU_IOC_SHA256:
    case RURU_IOC_SHA512: {
        char hex[128];
        if (n > sizeof(hex))
            return;
        for (size_t i = 0; i < n; i++)
            hex[i] = ruru_lower(s[i]);
        ruru_index_find_exact(m->idx, type, hex, n, on_hit, m);
        /* The same shapes are TLS and certificate fingerprints. */
        if (type == RURU_IOC_MD5) {
            ruru_index_find_exact(m->idx, RURU_IOC_JA3, hex, n, on_hit, m);
            ruru_index_find_exact(m->idx, RURU_IOC_JA3S, hex, n, on_hit, m);
            ruru_index_find_exact(m->idx, RURU_IOC_X509_MD5, hex, n, on_hit, m);
        } else if (type == RURU_IOC_SHA1) {
            ruru_index_find_exact(m->idx, RURU_IOC_X509_SHA1, hex, n, on_hit, m);
        } else if (type == RURU_IOC_SHA256) {
            ruru_index_find_exact(m->idx, RURU_IOC_X509_SHA256, hex, n, on_hit, m);
        }
        return;
    }
    case RURU_IOC_URL:
    case RURU_IOC_EMAIL:
        /* The normaliser is the slow path: only when there is something to find. */
        if (ruru_index_has_type(m->idx, type))
            lookup_normalized(m, type, s, n);
        return;
    default:
        return;
    }
}

static void match_text(struct ruru_matcher *m, const char *s, size_t n)
{
    for (;;) {
        size_t count = ruru_tokens(s, n, m->tokens, RURU_MATCH_MAX_TOKENS), resume;
        if (count <= RURU_MATCH_MAX_TOKENS) {
            for (size_t i = 0; i < count; i++)
                lookup_token(m, &m->tokens[i], s + m->tokens[i].off, m->tokens[i].len);
            return;
        }
        /* More tokens than fit (a huge line): look up all but the last stored, then go on from
         * where that one starts; token offsets grow along the line, so this always advances. */
        resume = m->tokens[RURU_MATCH_MAX_TOKENS - 1].off;
        for (size_t i = 0; i + 1 < RURU_MATCH_MAX_TOKENS; i++)
            lookup_token(m, &m->tokens[i], s + m->tokens[i].off, m->tokens[i].len);
        if (resume == 0 || m->hits_truncated || m->failed)
            return;
        s += resume;
        n -= resume;
    }
}

/* The decoded value of a field: the bytes themselves, or a decoded copy in m->decoded. */
static struct ruru_str decode(struct ruru_matcher *m, const struct ruru_field *f)
{
    struct ruru_str v = f->value;

    if (f->enc == RURU_ENC_RAW || v.len > MAX_DECODE)
        return v;
    ruru_buf_reset(&m->decoded);
    /* Room for the result: decoding never makes a value longer. */
    if (v.len == 0 || ruru_buf_add(&m->decoded, v.ptr, v.len) != RURU_OK)
        return v;
    if (f->enc == RURU_ENC_JSON) {
        size_t k = ruru_json_unescape(v.ptr, v.len, m->decoded.ptr, m->decoded.len);
        if (k == (size_t)-1)
            return v;
        return ruru_str_make(m->decoded.ptr, k);
    }
    for (size_t i = 0; i < v.len; i++)
        m->decoded.ptr[i] = v.ptr[i] == '+' ? ' ' : v.ptr[i];
    return ruru_str_make(m->decoded.ptr, v.len);
}

/* What a field is to the matcher beyond its tokens, from its canonical name. */
enum role { R_NONE, R_UA, R_FILENAME, R_FILEPATH, R_HOST, R_ORIGINAL, R_PATH, R_QUERY };

static enum role role_of(const struct ruru_field *f)
{
    const char *c = f->canon;

    if (c == NULL)
        return R_NONE;
    switch (c[0]) {
    case 'u':
        if (c[1] == 's')
            return strcmp(c, "user_agent.original") == 0 ? R_UA : R_NONE;
        return c[1] != 'r'                             ? R_NONE
               : strcmp(c, "user_agent.original") == 0 ? R_UA
               : strcmp(c, "url.domain") == 0          ? R_HOST
               : strcmp(c, "url.original") == 0        ? R_ORIGINAL
               : strcmp(c, "url.path") == 0            ? R_PATH
               : strcmp(c, "url.query") == 0           ? R_QUERY
                                                       : R_NONE;
    case 'f':
        return strcmp(c, "file.name") == 0   ? R_FILENAME
               : strcmp(c, "file.path") == 0 ? R_FILEPATH
                                             : R_NONE;
    case 'p':
        return strcmp(c, "process.executable") == 0 || strcmp(c, "process.parent.executable") == 0
                       ? R_FILEPATH
                       : R_NONE;
    case 's':
        return strcmp(c, "service.executable") == 0 ? R_FILEPATH : R_NONE;
    default:
        return R_NONE;
    }
}

/* Whole-value lookups for the fields where such values live. */
static void match_whole(struct ruru_matcher *m, enum role role, struct ruru_str v)
{
    struct ruru_str t = ruru_str_trim(v);

    if (t.len == 0)
        return;
    m->obs = t.ptr;
    m->obs_len = t.len;
    if (role == R_UA) {
        ruru_index_find_exact(m->idx, RURU_IOC_USER_AGENT, t.ptr, t.len, on_hit, m);
    } else if (role == R_FILENAME) {
        ruru_index_find_exact(m->idx, RURU_IOC_FILENAME, t.ptr, t.len, on_hit, m);
    } else if (role == R_FILEPATH) {
        const char *base = t.ptr + t.len;
        ruru_index_find_exact(m->idx, RURU_IOC_FILEPATH, t.ptr, t.len, on_hit, m);
        while (base > t.ptr && base[-1] != '/' && base[-1] != '\\')
            base--;
        m->obs = base;
        m->obs_len = (size_t)(t.ptr + t.len - base);
        if (m->obs_len > 0)
            ruru_index_find_exact(m->idx, RURU_IOC_FILENAME, base, m->obs_len, on_hit, m);
    }
}

/* A URL split over fields: host + path (+ query). Looked up as http and https, since the
 * scheme is seldom logged beside them. */
static void match_split_url(struct ruru_matcher *m,
                            const struct ruru_field *host,
                            const struct ruru_field *original,
                            const struct ruru_field *pathf,
                            const struct ruru_field *query)
{
    static const char *const schemes[] = {"http://", "https://"};
    const struct ruru_field *path = original;
    bool path_has_query;

    if (host == NULL || host->enc != RURU_ENC_RAW || host->value.len == 0 ||
        !ruru_index_has_type(m->idx, RURU_IOC_URL))
        return;
    if (path == NULL || path->value.len == 0 || path->value.ptr[0] != '/')
        path = pathf;
    if (path == NULL || path->enc != RURU_ENC_RAW || path->value.len == 0 ||
        path->value.ptr[0] != '/')
        return;
    path_has_query = memchr(path->value.ptr, '?', path->value.len) != NULL;
    if (path_has_query)
        query = NULL;
    m->field = path;
    for (size_t s = 0; s < 2; s++) {
        ruru_buf_reset(&m->url);
        ruru_buf_adds(&m->url, schemes[s]);
        ruru_buf_add(&m->url, host->value.ptr, host->value.len);
        ruru_buf_add(&m->url, path->value.ptr, path->value.len);
        if (query != NULL && query->enc == RURU_ENC_RAW && query->value.len > 0) {
            ruru_buf_addc(&m->url, '?');
            ruru_buf_add(&m->url, query->value.ptr, query->value.len);
        }
        if (m->url.failed)
            return;
        /* The observed value is the URL as put together (copied on a hit). */
        m->obs = m->url.ptr;
        m->obs_len = m->url.len;
        lookup_normalized(m, RURU_IOC_URL, m->url.ptr, m->url.len);
    }
}

/* ---- the quick question --------------------------------------------------------------------- */

/* Could this token match some indicator (in force or not)? Answers from the index's maps,
 * filter and table, without normalising, without validity, without reporting. When unsure
 * (a host that is not plain ASCII), says yes: the full pass decides. */
static bool probe_token(struct ruru_matcher *m, const struct ruru_token *t, const char *s, size_t n)
{
    enum ruru_ioc_type type = t->type;
    unsigned char addr[16];
    char tmp[256];

    switch (type) {
    case RURU_IOC_IPV4:
        v4_bytes(t->v4, addr);
        return ruru_index_find_ip(m->idx, addr, NULL, NULL) > 0;
    case RURU_IOC_IPV6: {
        const char *pct = memchr(s, '%', n);
        if (pct != NULL)
            n = (size_t)(pct - s);
        if (n >= 64)
            return false;
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        return inet_pton(AF_INET6, tmp, addr) == 1 &&
               ruru_index_find_ip(m->idx, addr, NULL, NULL) > 0;
    }
    case RURU_IOC_DOMAIN:
    case RURU_IOC_URL: {
        const char *h = s;
        size_t hl = n;
        if (type == RURU_IOC_URL) {
            if (!ruru_index_has_type(m->idx, RURU_IOC_URL))
                return false;
            hl = ruru_url_host(s, n, &h);
        }
        while (hl > 0 && h[hl - 1] == '.')
            hl--;
        if (hl == 0 || hl >= sizeof(tmp))
            return false;
        for (size_t i = 0; i < hl; i++) {
            if ((unsigned char)h[i] >= 0x80 || h[i] == '%')
                return true;
            tmp[i] = ruru_lower(h[i]);
        }
        return ruru_index_url_host(m->idx, tmp, hl) ||
               (type == RURU_IOC_DOMAIN && ruru_index_find_domain(m->idx, tmp, hl, NULL, NULL) > 0);
    }
    case RURU_IOC_MD5:
    case RURU_IOC_SHA1:
    case RURU_IOC_SHA256:
    case RURU_IOC_SHA512:
        if (n > sizeof(tmp))
            return false;
        for (size_t i = 0; i < n; i++)
            tmp[i] = ruru_lower(s[i]);
        return ruru_index_find_exact(m->idx, type, tmp, n, NULL, NULL) > 0 ||
               (type == RURU_IOC_MD5 &&
                (ruru_index_find_exact(m->idx, RURU_IOC_JA3, tmp, n, NULL, NULL) > 0 ||
                 ruru_index_find_exact(m->idx, RURU_IOC_JA3S, tmp, n, NULL, NULL) > 0 ||
                 ruru_index_find_exact(m->idx, RURU_IOC_X509_MD5, tmp, n, NULL, NULL) > 0)) ||
               (type == RURU_IOC_SHA1 &&
                ruru_index_find_exact(m->idx, RURU_IOC_X509_SHA1, tmp, n, NULL, NULL) > 0) ||
               (type == RURU_IOC_SHA256 &&
                ruru_index_find_exact(m->idx, RURU_IOC_X509_SHA256, tmp, n, NULL, NULL) > 0);
    case RURU_IOC_EMAIL:
        return ruru_index_has_type(m->idx, RURU_IOC_EMAIL);
    default:
        return false;
    }
}

static bool probe_text(struct ruru_matcher *m, const char *s, size_t n)
{
    size_t count = ruru_tokens(s, n, m->tokens, RURU_MATCH_MAX_TOKENS);

    if (count > RURU_MATCH_MAX_TOKENS)
        return true; /* a huge line: the full pass takes it in parts */
    for (size_t i = 0; i < count; i++)
        if (probe_token(m, &m->tokens[i], s + m->tokens[i].off, m->tokens[i].len))
            return true;
    return false;
}

/* Is a parsed record worth the full pass? Nearly every line of a log is not: its tokens hit
 * nothing. Fields matched whole (user agents, file names) always go the full way. */
static bool
worth_matching(struct ruru_matcher *m, const struct ruru_record *r, const char *line, size_t len)
{
    if (ruru_index_has_type(m->idx, RURU_IOC_USER_AGENT) ||
        ruru_index_has_type(m->idx, RURU_IOC_FILENAME) ||
        ruru_index_has_type(m->idx, RURU_IOC_FILEPATH))
        return true;
    if (probe_text(m, line, len))
        return true;
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        if (f->enc != RURU_ENC_RAW && f->value.len > 0) {
            struct ruru_str v = decode(m, f);
            if (probe_text(m, v.ptr, v.len))
                return true;
        }
    }
    return false;
}

/* Fields whose bytes are in the line as they are, by start: the line is tokenized once and
 * each token goes to the innermost field holding it. False when the record's fields are not
 * in line order (then each field is tokenized on its own). */
static bool line_order(const struct ruru_record *r, const char *line, size_t len)
{
    const char *prev = line;

    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        if (f->value.ptr < prev || f->value.ptr + f->value.len > line + len)
            return false;
        prev = f->value.ptr;
    }
    return true;
}

/* One pass over the line; tokens outside every field (JSON keys, punctuation), inside a time
 * or inside a field that needs decoding are not looked up here. */
static void
match_line_fields(struct ruru_matcher *m, const struct ruru_record *r, const char *line, size_t len)
{
    size_t maxend[RURU_MAX_FIELDS], k = 0, n = r->n_fields;
    const char *s = line;
    size_t rest = len;

    for (size_t i = 0; i < n; i++) {
        size_t end = (size_t)(r->fields[i].value.ptr - line) + r->fields[i].value.len;
        maxend[i] = i > 0 && maxend[i - 1] > end ? maxend[i - 1] : end;
    }
    for (;;) {
        size_t count = ruru_tokens(s, rest, m->tokens, RURU_MATCH_MAX_TOKENS), stored, resume;
        stored = count <= RURU_MATCH_MAX_TOKENS ? count : RURU_MATCH_MAX_TOKENS - 1;
        for (size_t t = 0; t < stored; t++) {
            size_t off = (size_t)(s - line) + m->tokens[t].off, end = off + m->tokens[t].len;
            const struct ruru_field *f = NULL;
            /* the last field starting at or before the token, then back while one may hold it */
            while (k + 1 < n && (size_t)(r->fields[k + 1].value.ptr - line) <= off)
                k++;
            for (size_t j = k + 1; j-- > 0;) {
                const struct ruru_field *c = &r->fields[j];
                size_t cs = (size_t)(c->value.ptr - line);
                if (maxend[j] < end)
                    break;
                if (cs <= off && cs + c->value.len >= end) {
                    f = c;
                    break;
                }
            }
            if (f == NULL || f->enc != RURU_ENC_RAW || (f->canon != NULL && f->canon[0] == '@'))
                continue;
            m->field = f;
            lookup_token(m, &m->tokens[t], line + off, m->tokens[t].len);
        }
        if (count <= RURU_MATCH_MAX_TOKENS)
            return;
        resume = m->tokens[RURU_MATCH_MAX_TOKENS - 1].off;
        if (resume == 0 || m->hits_truncated || m->failed)
            return;
        s += resume;
        rest -= resume;
    }
}

bool ruru_match_record(struct ruru_matcher *m,
                       const struct ruru_record *r,
                       const char *line,
                       size_t len)
{
    m->n_hits = 0;
    m->hits_truncated = false;
    m->failed = false;
    ruru_buf_reset(&m->observed);
    m->time = r != NULL ? r->time : RURU_TIME_NONE;
    if (r == NULL) {
        m->field = NULL;
        match_text(m, line, len);
        return !m->failed;
    }
    if (!worth_matching(m, r, line, len))
        return true;
    {
        const struct ruru_field *split[R_QUERY + 1] = {0};
        bool one_pass = line_order(r, line, len);
        if (one_pass)
            match_line_fields(m, r, line, len);
        for (size_t i = 0; i < r->n_fields; i++) {
            const struct ruru_field *f = &r->fields[i];
            enum role role;
            struct ruru_str v;
            /* Times hold no indicator: skip the most common field of all. */
            if (f->value.len == 0 || (f->canon != NULL && f->canon[0] == '@'))
                continue;
            v = decode(m, f);
            m->field = f;
            if (!one_pass || f->enc != RURU_ENC_RAW)
                match_text(m, v.ptr, v.len);
            role = role_of(f);
            if (role == R_UA || role == R_FILENAME || role == R_FILEPATH)
                match_whole(m, role, v);
            else if (role != R_NONE && split[role] == NULL)
                split[role] = f;
        }
        match_split_url(m, split[R_HOST], split[R_ORIGINAL], split[R_PATH], split[R_QUERY]);
    }
    return !m->failed;
}
