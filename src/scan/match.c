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

#include "base/alloc.h"
#include "base/str.h"
#include "logs/json.h"
#include "logs/w3c.h"
#include "pattern/observe.h"

/* Does the index hold indicators of this type? (the matcher's copy of the index's mask) */
#define HAS(m, type) (((m)->types >> (type)) & 1)

/* Field values longer than this are matched as they are, without decoding. */
#define MAX_DECODE (1u << 20)

/* The quick question's window of lines: at most this many bytes, so at most this many
 * tokens (a token is three bytes or more and a separator, and a word gives two at most: a
 * URL and its host, an address and its domain). */
#define WINDOW        (16u * 1024u)
#define WINDOW_TOKENS (WINDOW / 2 + 2)

void ruru_matcher_init(struct ruru_matcher *m, const struct ruru_index *idx)
{
    memset(m, 0, sizeof(*m));
    m->idx = idx;
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        if (ruru_index_has_type(idx, (enum ruru_ioc_type)t))
            m->types |= 1ull << t;
    ruru_buf_init(&m->observed, 64u << 20);
    ruru_buf_init(&m->decoded, MAX_DECODE + 16);
    ruru_buf_init(&m->canon, 1u << 20);
    ruru_buf_init(&m->url, 1u << 20);
    ruru_buf_init(&m->plain, MAX_DECODE + 16);
    ruru_buf_init(&m->view, MAX_DECODE + 16);
}

enum ruru_err ruru_matcher_use_literals(struct ruru_matcher *m, const struct ruru_literals *lit)
{
    struct ruru_literals_scratch *sc = NULL;

    if (lit != NULL && ruru_literals_scratch_create(lit, &sc) != RURU_OK)
        return RURU_ENOMEM;
    ruru_literals_scratch_destroy(m->lit_scratch);
    m->lit = lit;
    m->lit_scratch = sc;
    return RURU_OK;
}

enum ruru_err ruru_matcher_use_fnregex(struct ruru_matcher *m, const struct ruru_fnregex *set)
{
    struct ruru_fnregex_scratch *sc = NULL;

    if (set != NULL && ruru_fnregex_scratch_create(set, &sc) != RURU_OK)
        return RURU_ENOMEM;
    ruru_fnregex_scratch_destroy(m->fnre_scratch);
    m->fnre = set;
    m->fnre_scratch = sc;
    return RURU_OK;
}

enum ruru_err ruru_matcher_use_rules(struct ruru_matcher *m, const struct ruru_rules *rules)
{
    struct ruru_rules_scratch *sc = NULL;

    if (rules != NULL && ruru_rules_scratch_create(rules, &sc) != RURU_OK)
        return RURU_ENOMEM;
    ruru_rules_scratch_destroy(m->rules_scratch);
    m->rules = rules;
    m->rules_scratch = sc;
    return RURU_OK;
}

static int on_rule(const struct ruru_rule_hit *h, void *ctx)
{
    struct ruru_matcher *m = ctx;

    if (m->n_rule_hits == RURU_MATCH_MAX_RULES) {
        m->hits_truncated = true;
        return 1;
    }
    m->rule_hits[m->n_rule_hits++] = *h;
    return 0;
}

void ruru_match_rules(struct ruru_matcher *m,
                      const struct ruru_record *r,
                      const char *line,
                      size_t len)
{
    m->n_rule_hits = 0;
    if (m->rules == NULL || m->rules_scratch == NULL)
        return;
    ruru_rules_match(m->rules, m->rules_scratch, r, line, len, on_rule, m);
}

enum ruru_err ruru_matcher_use_patterns(struct ruru_matcher *m, const struct ruru_pattern_set *set)
{
    struct ruru_pattern_scratch *sc = NULL;

    if (set != NULL && set->n > 0 && ruru_pattern_scratch_create(set, &sc) != RURU_OK)
        return RURU_ENOMEM;
    ruru_pattern_scratch_destroy(m->pattern_scratch);
    m->patterns = sc != NULL ? set : NULL;
    m->pattern_scratch = sc;
    return RURU_OK;
}

/* Is indicator ind in force at time t (counted when not, as on_hit does)? */
static bool in_force(struct ruru_matcher *m, const struct ruru_index_ind *ind, int64_t t)
{
    if (ind->flags & RURU_INDEX_NOT_IDS) {
        m->counts.not_ids++;
        return false;
    }
    if (ind->flags & RURU_INDEX_REVOKED) {
        m->counts.revoked++;
        return false;
    }
    if (t != RURU_TIME_NONE && ind->valid_until != INT64_MAX && t >= ind->valid_until) {
        m->counts.expired++;
        return false;
    }
    if (t != RURU_TIME_NONE && ind->valid_from != INT64_MIN && t < ind->valid_from) {
        m->counts.not_yet_valid++;
        return false;
    }
    return true;
}

void ruru_match_patterns(struct ruru_matcher *m,
                         const struct ruru_record *r,
                         const char *line,
                         size_t len)
{
    const struct ruru_pattern_set *set = m->patterns;
    struct ruru_pattern_obs o;
    const uint64_t *cand;
    uint32_t shows, wanted = 0;

    m->n_pattern_hits = 0;
    json_decref(m->observation);
    m->observation = NULL;
    if (set == NULL || r == NULL)
        return;
    if ((cand = ruru_pattern_candidates(set, m->pattern_scratch, r, line, len)) == NULL ||
        (shows = ruru_observe_types(r)) == 0)
        return;
    /* the object types the patterns still asked name: only those are made */
    for (size_t i = 0; i < set->n; i++)
        if ((set->entries[i].types & shows) != 0 && (cand[i / 64] >> (i % 64) & 1))
            wanted |= set->entries[i].types;
    if (wanted == 0)
        return;
    memset(&o, 0, sizeof(o));
    o.first_sec = o.last_sec = r->time != RURU_TIME_NONE ? r->time : INT64_MIN / 2;
    o.count = 1;
    for (size_t i = 0; i < set->n; i++) {
        const struct ruru_pattern_entry *e = &set->entries[i];
        struct ruru_pattern_hit *h;
        struct ruru_diag d;
        enum ruru_err err;
        bool matched = false;
        if ((e->types & shows) == 0)
            continue;
        if (!(cand[i / 64] >> (i % 64) & 1))
            continue;
        if (m->observation == NULL &&
            (m->observation = ruru_observe_record_of(r, wanted)) == NULL) {
            m->failed = true;
            return;
        }
        o.objects = m->observation;
        if (m->n_pattern_hits == RURU_MATCH_MAX_PATTERNS) {
            m->hits_truncated = true;
            return;
        }
        h = &m->pattern_hits[m->n_pattern_hits];
        if (e->single) {
            size_t members[1], n_members;
            err = ruru_pattern_match(e->pattern, &o, 1, &matched, members, 1, &n_members, &d);
        } else {
            err = ruru_pattern_leaves(e->pattern, &o, h->leaves, &matched, &d);
        }
        if (err != RURU_OK) {
            m->counts.pattern_errors++;
            continue;
        }
        if (!matched || !in_force(m, ruru_index_at(m->idx, e->ind), r->time))
            continue;
        h->entry = (uint32_t)i;
        h->partial = !e->single;
        m->n_pattern_hits++;
    }
}

void ruru_matcher_fini(struct ruru_matcher *m)
{
    json_decref(m->observation);
    m->observation = NULL;
    ruru_pattern_scratch_destroy(m->pattern_scratch);
    m->pattern_scratch = NULL;
    m->patterns = NULL;
    ruru_rules_scratch_destroy(m->rules_scratch);
    m->rules_scratch = NULL;
    ruru_literals_scratch_destroy(m->lit_scratch);
    m->lit_scratch = NULL;
    ruru_fnregex_scratch_destroy(m->fnre_scratch);
    m->fnre_scratch = NULL;
    m->fnre = NULL;
    ruru_buf_fini(&m->observed);
    ruru_buf_fini(&m->decoded);
    ruru_buf_fini(&m->canon);
    ruru_buf_fini(&m->url);
    ruru_buf_fini(&m->plain);
    ruru_buf_fini(&m->view);
    ruru_free(m->win_tokens);
    m->win_tokens = NULL;
}

static int on_hit(const struct ruru_index_ind *ind, uint32_t i, void *ctx)
{
    struct ruru_matcher *m = ctx;
    struct ruru_hit *h;

    if (m->probing) {
        m->probe_hit = true;
        return 1; /* the quick question is answered */
    }
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
        ruru_index_find_v4(m->idx, t->v4, on_hit, m);
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

/* ---- paths, file names, literals ------------------------------------------------------------ */

/* The uri-path key of path[0..n): normalised as the indicators were (unless `plain`: it holds
 * no escape and no dot segment), then in lower case, in m->canon. */
static bool path_key(struct ruru_matcher *m, const char *path, size_t n, bool plain)
{
    ruru_buf_reset(&m->canon);
    if (plain) {
        if (ruru_buf_add(&m->canon, path, n) != RURU_OK)
            return false;
        for (size_t i = 0; i < n; i++)
            m->canon.ptr[i] = ruru_lower(m->canon.ptr[i]);
    } else {
        static const struct ruru_norm_opts opts = {1, 1};
        enum ruru_ioc_type t = RURU_IOC_URI_PATH;
        const char *reason;
        if (!ruru_ioc_normalize(&t, path, n, &opts, &m->canon, &reason) || t != RURU_IOC_URI_PATH)
            return false;
        for (size_t i = 0; i < m->canon.len; i++)
            m->canon.ptr[i] = ruru_lower(m->canon.ptr[i]);
    }
    return !m->canon.failed;
}

/* A request path from its '/', with any query: looked up as a uri-path without the query and
 * with it (an indicator without a query names the resource, whatever is asked of it), and its
 * last segment as a file name (the web shell "errorEE.aspx" of /owa/auth/errorEE.aspx). */
static void lookup_path(struct ruru_matcher *m, const char *p, size_t n)
{
    const char *base;
    size_t pl = n, q = n;
    bool plain = true;

    if (n == 0 || p[0] != '/')
        return;
    /* One look at the bytes: the query, the fragment, escapes and dot segments. */
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '#') {
            n = i;
            break;
        }
        if (c == '?' && q == n)
            q = i;
        else if (c == '%' || (c == '.' && p[i - 1] == '/'))
            plain = false;
    }
    if (q > n)
        q = n;
    pl = q;
    m->obs = p;
    m->obs_len = n;
    if (HAS(m, RURU_IOC_URI_PATH)) {
        /* A plain path keeps its length: one of no key's length cannot match. */
        if ((!plain || ruru_index_may_hold(m->idx, RURU_IOC_URI_PATH, pl)) &&
            path_key(m, p, pl, plain))
            ruru_index_find_exact(m->idx, RURU_IOC_URI_PATH, m->canon.ptr, m->canon.len, on_hit, m);
        if (q < n && n > pl + 1 && (!plain || ruru_index_may_hold(m->idx, RURU_IOC_URI_PATH, n)) &&
            path_key(m, p, n, plain))
            ruru_index_find_exact(m->idx, RURU_IOC_URI_PATH, m->canon.ptr, m->canon.len, on_hit, m);
    }
    if (HAS(m, RURU_IOC_FILENAME)) {
        for (base = p + pl; base > p && base[-1] != '/';)
            base--;
        if (base < p + pl) {
            m->obs = base;
            m->obs_len = (size_t)(p + pl - base);
            ruru_index_find_exact(m->idx, RURU_IOC_FILENAME, base, m->obs_len, on_hit, m);
        }
    }
}

/* The path of a URL ("http://h/a?b" gives "/a?b"), or none. */
static bool url_path(const char *u, size_t n, const char **p, size_t *pl)
{
    const char *e = u + n, *h = ruru_memmem(u, n, "://", 3);

    if (h == NULL)
        return false;
    for (h += 3; h < e && *h != '/'; h++)
        if (*h == '?' || *h == '#')
            return false;
    if (h == e)
        return false;
    *p = h;
    *pl = (size_t)(e - h);
    return true;
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '|' ||
           c == '`' || c == '\r' || c == '\n' || c == '\0';
}

struct lit_ctx {
    struct ruru_matcher *m;
    const char *text;
    size_t len;
};

static int on_literal(uint32_t i, size_t start, size_t end, void *arg)
{
    struct lit_ctx *c = arg;
    struct ruru_matcher *m = c->m;

    if (!ruru_literal_bounded(c->text, c->len, start, end))
        return 0;
    m->obs = c->text + start;
    m->obs_len = end - start;
    return on_hit(ruru_index_at(m->idx, i), i, m);
}

/* What only free text needs beyond its tokens: the literals (user agents, strings) as whole
 * values, the request paths (a word from '/', the path of a URL), and host-shaped words as
 * file names ("shell.aspx"). */
static void match_free_text(struct ruru_matcher *m, const char *s, size_t n)
{
    bool paths = HAS(m, RURU_IOC_URI_PATH) || HAS(m, RURU_IOC_FILENAME);

    if (m->lit != NULL && m->lit_scratch != NULL) {
        struct lit_ctx c = {m, s, n};
        ruru_literals_scan(m->lit, m->lit_scratch, s, n, on_literal, &c);
    }
    if (!paths)
        return;
    /* Word by word, from the first '/' of each: a word that starts with it is a path ("GET
     * /x", also "path=/x"); in any other, the path is that of a URL it holds. */
    for (const char *p = memchr(s, '/', n); p != NULL;) {
        const char *w = p, *e = p, *up;
        size_t ul;
        while (w > s && !is_sep(w[-1]))
            w--;
        while (e < s + n && !is_sep(*e))
            e++;
        if (w == p || p[-1] == '=')
            lookup_path(m, p, (size_t)(e - p));
        else if (url_path(w, (size_t)(e - w), &up, &ul))
            lookup_path(m, up, ul);
        if (m->hits_truncated || m->failed)
            return;
        p = e < s + n ? memchr(e, '/', (size_t)(s + n - e)) : NULL;
    }
    if (HAS(m, RURU_IOC_FILENAME)) {
        size_t count = ruru_tokens(s, n, m->tokens, RURU_MATCH_MAX_TOKENS);
        for (size_t i = 0; i < count && i < RURU_MATCH_MAX_TOKENS; i++) {
            if (m->tokens[i].type != RURU_IOC_DOMAIN)
                continue;
            m->obs = s + m->tokens[i].off;
            m->obs_len = m->tokens[i].len;
            ruru_index_find_exact(m->idx, RURU_IOC_FILENAME, m->obs, m->obs_len, on_hit, m);
        }
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

static bool line_order(const struct ruru_record *r, const char *line, size_t len);
static bool probe_text(struct ruru_matcher *m, const char *s, size_t n);
static bool probe_line(struct ruru_matcher *m, const char *line, size_t len);

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
    ruru_w3c_plus_decode(v.ptr, v.len, m->decoded.ptr);
    return ruru_str_make(m->decoded.ptr, v.len);
}

/* The quick question of a record with fields written with '+' for a space (W3C's cs(...)):
 * the full pass looks at those decoded and at the others as they are, so one cut of a copy of
 * the line with those fields decoded in place answers for all (fields are cut at spaces, so no
 * token runs from one into the next). False in *done when the record is not such (then the
 * caller asks as before). */
static bool probe_plus_line(struct ruru_matcher *m,
                            const struct ruru_record *r,
                            const char *line,
                            size_t len,
                            bool *done)
{
    bool plus = false;

    *done = false;
    for (size_t i = 0; i < r->n_fields; i++)
        plus |= r->fields[i].enc == RURU_ENC_PLUS;
    if (!plus || len > MAX_DECODE || !line_order(r, line, len))
        return false;
    ruru_buf_reset(&m->plain);
    if (ruru_buf_add(&m->plain, line, len) != RURU_OK)
        return false;
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        if (f->enc == RURU_ENC_PLUS)
            ruru_w3c_plus_decode(f->value.ptr, f->value.len, m->plain.ptr + (f->value.ptr - line));
    }
    *done = true;
    return probe_text(m, m->plain.ptr, len);
}

/* What a field is to the matcher beyond its tokens, from its canonical name. */
enum role { R_NONE, R_UA, R_FILENAME, R_FILEPATH, R_HOST, R_ORIGINAL, R_PATH, R_QUERY, R_MESSAGE };

static enum role role_by_name(const char *c)
{
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
    case 'm':
        return strcmp(c, "message") == 0 ? R_MESSAGE : R_NONE;
    default:
        return R_NONE;
    }
}

/* The role of a field, by its canonical name. A canonical name is one of the parsers' static
 * strings, or (a JSON field without an ECS spelling) the native name itself, copied into the
 * record's scratch and gone with the line. The static ones are cached by address, which saves
 * the string compares on nearly every field of every line; the others are looked at anew. */
static enum role role_of(struct ruru_matcher *m, const struct ruru_field *f)
{
    const char *c = f->canon;
    size_t k = ((uintptr_t)c >> 4) % RURU_MATCH_ROLE_CACHE;

    if (c == NULL)
        return R_NONE;
    if (c == f->name.ptr)
        return role_by_name(c);
    if (m->role_name[k] != c) {
        m->role_name[k] = c;
        m->role[k] = (uint8_t)role_by_name(c);
    }
    return (enum role)m->role[k];
}

static int on_fnregex(uint32_t i, void *ctx)
{
    struct ruru_matcher *m = ctx;

    return on_hit(ruru_index_at(m->idx, i), i, m);
}

bool ruru_match_sweeps(enum ruru_ioc_type type)
{
    switch (type) {
    case RURU_IOC_NONE:
    case RURU_IOC_ASN:
    case RURU_IOC_REGKEY:
    case RURU_IOC_MUTEX:
    case RURU_IOC_PIPE:
    case RURU_IOC_MAC:
        return false;
    default:
        return true; /* the pattern engine takes RURU_IOC_PATTERN */
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
    /* File-name regexes (Loki's), on the whole name or path, as Loki runs them. */
    if (m->fnre != NULL && (role == R_FILENAME || role == R_FILEPATH)) {
        m->obs = t.ptr;
        m->obs_len = t.len;
        if (!ruru_fnregex_match(m->fnre, m->fnre_scratch, t.ptr, t.len, on_fnregex, m))
            m->failed = true;
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

    if (host == NULL || host->enc != RURU_ENC_RAW || host->value.len == 0 || !HAS(m, RURU_IOC_URL))
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

/* The lookups of a field's whole value, by what the field holds: a user agent, a file name or
 * path, a request path, free text; and any field as a string indicator. */
static void match_field_whole(struct ruru_matcher *m, const struct ruru_field *f, struct ruru_str v)
{
    enum role role;

    if (f->canon != NULL && f->canon[0] == '@')
        return; /* times hold nothing */
    role = role_of(m, f);
    if (role == R_UA || role == R_FILENAME || role == R_FILEPATH) {
        match_whole(m, role, v);
    } else if (role == R_PATH || role == R_ORIGINAL) {
        const char *p;
        size_t pl;
        bool paths = HAS(m, RURU_IOC_URI_PATH) || HAS(m, RURU_IOC_FILENAME);
        if (paths && v.len > 0 && v.ptr[0] == '/')
            lookup_path(m, v.ptr, v.len);
        else if (paths && role == R_ORIGINAL && url_path(v.ptr, v.len, &p, &pl))
            lookup_path(m, p, pl);
        /* An absolute URL is looked up whole: the words of free text end at bytes a URL may
         * hold ("/p?q=a(1)", "<", "'"), so its words alone would miss it. */
        if (role == R_ORIGINAL && HAS(m, RURU_IOC_URL) && v.len > 3 &&
            ruru_url_host(v.ptr, v.len, &p) > 0) {
            m->obs = v.ptr;
            m->obs_len = v.len;
            lookup_normalized(m, RURU_IOC_URL, v.ptr, v.len);
        }
    } else if (role == R_MESSAGE) {
        match_free_text(m, v.ptr, v.len);
    }
    if (HAS(m, RURU_IOC_STRING)) {
        struct ruru_str t = ruru_str_trim(v);
        if (t.len > 0) {
            m->obs = t.ptr;
            m->obs_len = t.len;
            ruru_index_find_exact(m->idx, RURU_IOC_STRING, t.ptr, t.len, on_hit, m);
        }
    }
}

/* A path and its query in two fields (IIS cs-uri-stem and cs-uri-query): put together for the
 * uri-path indicators that name a query. */
static void match_split_path(struct ruru_matcher *m,
                             const struct ruru_field *path,
                             const struct ruru_field *query)
{
    if (path == NULL || query == NULL || path->enc != RURU_ENC_RAW || query->enc != RURU_ENC_RAW ||
        path->value.len == 0 || path->value.ptr[0] != '/' || query->value.len == 0 ||
        memchr(path->value.ptr, '?', path->value.len) != NULL || !HAS(m, RURU_IOC_URI_PATH))
        return;
    ruru_buf_reset(&m->url);
    ruru_buf_add(&m->url, path->value.ptr, path->value.len);
    ruru_buf_addc(&m->url, '?');
    ruru_buf_add(&m->url, query->value.ptr, query->value.len);
    if (m->url.failed)
        return;
    m->field = path;
    lookup_path(m, m->url.ptr, m->url.len);
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
        return ruru_index_find_v4(m->idx, t->v4, NULL, NULL) > 0;
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
        /* The cut gives a host name as is_host takes it: letters, digits, '-', '_' and inner
         * dots, at most 253 bytes (tokens.c; fuzz_tokens checks it). Lowered with no branch
         * on its bytes. */
        if (n >= sizeof(tmp))
            return true;
        for (size_t i = 0; i < n; i++)
            tmp[i] = (char)((unsigned char)s[i] + (((unsigned char)(s[i] - 'A') < 26) << 5));
        return ruru_index_probe_host(m->idx, tmp, n);
    case RURU_IOC_URL: {
        const char *h;
        size_t hl;
        if (!HAS(m, RURU_IOC_URL))
            return false;
        hl = ruru_url_host(s, n, &h);
        while (hl > 0 && h[hl - 1] == '.')
            hl--;
        if (hl == 0 || hl >= sizeof(tmp))
            return false;
        for (size_t i = 0; i < hl; i++) {
            if ((unsigned char)h[i] >= 0x80 || h[i] == '%')
                return true;
            tmp[i] = ruru_lower(h[i]);
        }
        return ruru_index_url_host(m->idx, tmp, hl);
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
        return HAS(m, RURU_IOC_EMAIL);
    default:
        return false;
    }
}

/* Is token i a URL whose host is the next token, a host name? The host's question (a URL's
 * host, or a domain) holds the URL's (its host), so the URL need not be asked: the cut
 * gives a URL's host right after it (tokens.c), the same bytes ruru_url_host finds, and a
 * host name it gives has no trailing dot, '%' or byte above 0x7f. A host alone is asked as a
 * URL's host too: a record may join it with a path from another field into a URL (Zeek's
 * http.log: golden case 029). */
static bool host_follows(const struct ruru_token *t, size_t i, size_t end)
{
    return t[i].type == RURU_IOC_URL && i + 1 < end && t[i + 1].type == RURU_IOC_DOMAIN &&
           t[i + 1].off > t[i].off && t[i + 1].off + t[i + 1].len <= t[i].off + t[i].len;
}

static bool probe_text(struct ruru_matcher *m, const char *s, size_t n)
{
    size_t count = ruru_tokens(s, n, m->tokens, RURU_MATCH_MAX_TOKENS);

    if (count > RURU_MATCH_MAX_TOKENS)
        return true; /* a huge line: the full pass takes it in parts */
    for (size_t i = 0; i < count; i++)
        if (!host_follows(m->tokens, i, count) &&
            probe_token(m, &m->tokens[i], s + m->tokens[i].off, m->tokens[i].len))
            return true;
    return false;
}

/* Does the index hold values that are matched whole or searched in free text? Then a record's
 * fields are asked about those too before its line is let go. */
static bool has_whole_values(const struct ruru_matcher *m)
{
    return m->lit != NULL || m->fnre != NULL || HAS(m, RURU_IOC_USER_AGENT) ||
           HAS(m, RURU_IOC_FILENAME) || HAS(m, RURU_IOC_FILEPATH) || HAS(m, RURU_IOC_URI_PATH) ||
           HAS(m, RURU_IOC_STRING);
}

static void
match_field_whole(struct ruru_matcher *m, const struct ruru_field *f, struct ruru_str v);

/* What ruru_match_may_hit said of the line about to be matched: not asked, or its tokens could
 * hit (yes) or not (no; the record is made for the rules). */
enum asked { ASKED_NOT, ASKED_YES, ASKED_NO };

/* Is a parsed record worth the full pass? Nearly every line of a log is not: its tokens hit
 * nothing. Whole values (user agents, paths, file names, strings, free text) are asked by the
 * full pass's own functions in probing mode, which stop at the first indicator of any kind. */
static bool worth_matching(struct ruru_matcher *m,
                           const struct ruru_record *r,
                           const char *line,
                           size_t len,
                           enum asked asked)
{
    bool whole = has_whole_values(m);
    const struct ruru_field *path = NULL, *query = NULL;
    bool plus_done = false;

    if (asked == ASKED_YES)
        return true;
    if (asked == ASKED_NO)
        plus_done = true; /* the skim's view held the line's tokens, '+' fields decoded */
    else if (probe_plus_line(m, r, line, len, &plus_done) ||
             (!plus_done && probe_line(m, line, len)))
        return true;
    m->probe_hit = false;
    for (size_t i = 0; i < r->n_fields && !m->probe_hit; i++) {
        const struct ruru_field *f = &r->fields[i];
        struct ruru_str v;
        bool asked_as_is = f->enc == RURU_ENC_RAW || (f->enc == RURU_ENC_PLUS && plus_done);
        if (f->value.len == 0 || (asked_as_is && !whole))
            continue;
        v = decode(m, f);
        if (!asked_as_is && probe_text(m, v.ptr, v.len))
            return true;
        if (whole) {
            enum role role = role_of(m, f);
            path = role == R_PATH && path == NULL ? f : path;
            query = role == R_QUERY && query == NULL ? f : query;
            m->probing = true;
            m->field = f;
            match_field_whole(m, f, v);
            m->probing = false;
        }
    }
    if (whole && !m->probe_hit) {
        m->probing = true;
        match_split_path(m, path, query);
        m->probing = false;
    }
    return m->probe_hit;
}

bool ruru_match_can_skim(const struct ruru_matcher *m)
{
    return !has_whole_values(m) && m->patterns == NULL &&
           (m->rules == NULL || m->rules_scratch == NULL ||
            !ruru_rules_always(m->rules, m->rules_scratch));
}

char *ruru_match_view_room(struct ruru_matcher *m, size_t *len)
{
    if (*len > MAX_DECODE)
        *len = MAX_DECODE;
    ruru_buf_reset(&m->view);
    if (ruru_buf_reserve(&m->view, *len) != RURU_OK)
        return NULL;
    return m->view.ptr;
}

void ruru_match_text(struct ruru_matcher *m, const char *text, size_t len)
{
    m->text = text;
    m->text_len = len;
    m->win = NULL;
}

/* The quick question of a line of the text from the tokens of its window: false when the line
 * has no window (a line longer than one, memory out), then the caller cuts it alone. */
static bool probe_window(struct ruru_matcher *m, const char *line, size_t len, bool *hit)
{
    size_t off, first, k;

    if (m->win == NULL || line < m->win || line + len > m->win_end) {
        const char *end = m->text + m->text_len, *nl = end;
        if (m->win_tokens == NULL &&
            (m->win_tokens = ruru_malloc(WINDOW_TOKENS * sizeof(*m->win_tokens))) == NULL)
            return false;
        m->win = NULL;
        if ((size_t)(end - line) > WINDOW) {
            /* the window ends with the last whole line in WINDOW bytes */
            nl = line + WINDOW;
            while (nl > line && nl[-1] != '\n')
                nl--;
            if (nl == line)
                return false;
            nl--;
        }
        if (nl < line + len)
            return false;
        m->n_win = ruru_tokens(line, (size_t)(nl - line), m->win_tokens, WINDOW_TOKENS);
        if (m->n_win > WINDOW_TOKENS)
            return false;
        m->win = line;
        m->win_end = nl;
        m->win_cur = 0;
    }
    /* the lines are asked in order: the tokens of those before are passed once */
    off = (size_t)(line - m->win);
    if (m->win_cur > 0 && m->win_tokens[m->win_cur - 1].off >= off)
        m->win_cur = 0;
    while (m->win_cur < m->n_win && m->win_tokens[m->win_cur].off < off)
        m->win_cur++;
    first = m->win_cur;
    for (k = first; k < m->n_win && m->win_tokens[k].off < off + len; k++)
        ;
    *hit = false;
    if (k - first > RURU_MATCH_MAX_TOKENS) {
        *hit = true; /* as probe_text: a huge line goes to the full pass */
        return true;
    }
    for (size_t i = first; i < k && !*hit; i++)
        *hit = !host_follows(m->win_tokens, i, k) &&
               probe_token(m, &m->win_tokens[i], m->win + m->win_tokens[i].off,
                           m->win_tokens[i].len);
    return true;
}

/* The quick question of a line as it is: from its window when it is a line of the text. */
static bool probe_line(struct ruru_matcher *m, const char *line, size_t len)
{
    bool hit;

    if (m->text == NULL || line < m->text || line + len > m->text + m->text_len ||
        !probe_window(m, line, len, &hit))
        hit = probe_text(m, line, len);
    return hit;
}

bool ruru_match_may_hit(struct ruru_matcher *m, const char *view, const char *line, size_t len)
{
    bool hit;

    m->asked_line = NULL;
    if (has_whole_values(m) || m->patterns != NULL)
        return true;
    /* the rules' atoms hold no '+' or space (rules/prefilter.c): they are looked for in the
     * line as it is */
    hit = view == line ? probe_line(m, line, len) : probe_text(m, view, len);
    if (!hit && (m->rules == NULL || m->rules_scratch == NULL ||
                 !ruru_rules_may_match(m->rules, m->rules_scratch, line, len)))
        return false; /* let go: the record is not made */
    /* The record will be made and matched (for its tokens or for the rules): worth_matching
     * takes the quick question's answer instead of asking again. */
    m->asked_line = line;
    m->asked_len = len;
    m->asked_hit = hit;
    return true;
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
    /* the quick question's answer holds for the line it was asked of, once */
    enum asked asked = m->asked_line != line || m->asked_len != len ? ASKED_NOT
                       : m->asked_hit                               ? ASKED_YES
                                                                    : ASKED_NO;

    m->asked_line = NULL;
    m->n_hits = 0;
    m->hits_truncated = false;
    m->failed = false;
    ruru_buf_reset(&m->observed);
    m->time = r != NULL ? r->time : RURU_TIME_NONE;
    if (r == NULL) {
        m->field = NULL;
        match_text(m, line, len);
        match_free_text(m, line, len);
        return !m->failed;
    }
    if (worth_matching(m, r, line, len, asked)) {
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
            match_field_whole(m, f, v);
            role = role_of(m, f);
            if (role >= R_HOST && role <= R_QUERY && split[role] == NULL)
                split[role] = f;
        }
        match_split_url(m, split[R_HOST], split[R_ORIGINAL], split[R_PATH], split[R_QUERY]);
        match_split_path(m, split[R_PATH], split[R_QUERY]);
    }
    if (r->truncated && !m->hits_truncated && !m->failed) {
        /* More fields than a record keeps (logs/record.h): those past the limit were never
         * split out, so the whole line is looked at as text too. An indicator already found
         * in a kept field keeps that field (a line holds each indicator once). */
        m->field = NULL;
        match_text(m, line, len);
        match_free_text(m, line, len);
    }
    return !m->failed;
}
