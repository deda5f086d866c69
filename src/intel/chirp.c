/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CISA CHIRP indicator files: YAML documents (separated by "---"), each one indicator of one
 * CHIRP plugin, with a name, a description, a confidence 0-10 and an `indicator` map whose
 * shape depends on `ioc_type`:
 *
 *   network   ips: a block of values, one a line (addresses, host names, URLs)
 *   yara      files: the files the rule is run on (a glob); rule: a YARA rule
 *   events    event_type: a channel; event_id; field: '== x' | '!= x' | '~= regex'
 *   registry  registry_key, key / value operators
 *
 * What ruru can sweep for becomes indicators; the rest is refused, each with its reason
 * (docs/internals/chirp.md has the table):
 *
 *   - every value of `ips` by its own type (a name is a domain, a URL a url); zero-width
 *     characters pasted after a value (U+200B-U+200D, U+2060, U+FEFF) are dropped;
 *   - a YARA rule over IIS logs (files under W3SVC) whose condition is "any of" its strings:
 *     each text string is an alternative of its own. "METHOD /path" becomes a STIX pattern (the
 *     request's method, and its path starting so: the string matched anywhere in the line
 *     goes on past the path); a regex /METHOD \/path.../ likewise with MATCHES; a user agent
 *     (a product token, "name/version...") a user-agent indicator, read as the sweep reads an
 *     IIS user agent (a '+' is a space, but before "http": "(+http://...)" is a bot's). A user
 * agent with an unclosed parenthesis is a piece of one, not a user agent, and is refused;
 *   - a YARA rule over file contents (or any other log): refused, since ruru reads logs, not
 *     files, and no indicator type holds a piece of a log line; the rule's meta `hash` (the
 *     sample's hash) is imported as a hash indicator;
 *   - events and registry indicators: refused (see the doc page for why not Sigma).
 *
 * Example: the document {name: "Malicious URL User-Agents", confidence: 7, ioc_type: "yara",
 * indicator: {files: "C:\\inetpub\\logs\\LogFiles\\W3SVC*\\*.log", rule: "rule r { strings:
 * $ua1= \"python-requests/2.19.1\" condition: any of ($ua*) }"}} gives one user-agent
 * indicator python-requests/2.19.1 at confidence 70, context "yara=r".
 */
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/yaml.h"
#include "intel/intel.h"
#include "intel/ioc.h"
#include "intel/stix_pattern.h"

/* One value or pattern built at a time: far above any real indicator, low enough for a bomb. */
#define MAX_VALUE_BYTES ((size_t)1 << 20)
/* Strings of one YARA rule that are kept; YARA itself allows 10,000 per rule. */
#define MAX_YARA_STRINGS 10000
/* Labels of one indicator: the plugin and a CVE or two from the rule's meta. */
#define MAX_LABELS 4

struct chirp {
    const struct ruru_import_ctx *ctx;
    struct ruru_buf raw, canon, text, ua;
    /* the document being read */
    const char *name;
    const char *description;
    int confidence;
    const char *labels[MAX_LABELS];
    size_t n_labels;
};

/* One string of a YARA rule: its text (escapes undone) or a regex, and where it sits. */
struct ystring {
    const char *id; /* "$ua1" */
    size_t id_len;
    char *text; /* text string or regex body, NUL-terminated, owned by the arena */
    size_t len;
    bool is_regex;
    bool is_hex;
    uint64_t line; /* in the file */
};

struct yrule {
    struct ruru_str name;
    struct ruru_str condition;
    struct ystring *strings;
    size_t n_strings;
    struct ruru_str hash; /* meta hash, or empty */
    uint64_t hash_line;
    struct ruru_str cve; /* meta cve, or empty */
};

static enum ruru_err reject(struct chirp *c, uint64_t line, const char *value, const char *reason)
{
    return ruru_intel_reject(c->ctx, line, c->name, value, reason);
}

static enum ruru_err emit(struct chirp *c, struct ruru_intel_indicator *ind)
{
    const struct ruru_intel_sink *s = c->ctx->sink;

    ind->object_ref = c->name;
    ind->description = c->description;
    ind->confidence = c->confidence;
    ind->labels = c->labels;
    ind->n_labels = c->n_labels;
    return s->indicator != NULL ? s->indicator(s->ctx, ind) : RURU_OK;
}

/* Normalises v[0..n) as `type` (RURU_IOC_NONE: inferred) and hands it over, or refuses it with
 * the normaliser's reason. written[0..written_len): the value as the file wrote it (NULL: v).
 * `allowed`: the types it may end up as (one bit per type; 0 any). */
static enum ruru_err value_out(struct chirp *c,
                               enum ruru_ioc_type type,
                               const char *v,
                               size_t n,
                               const char *written,
                               size_t written_len,
                               uint32_t allowed,
                               const char *context,
                               uint64_t line)
{
    struct ruru_intel_indicator ind;
    const char *reason = NULL;

    enum ruru_err err;

    ruru_buf_reset(&c->raw);
    ruru_buf_reset(&c->text);
    if ((err = written != NULL ? ruru_buf_add(&c->raw, written, written_len)
                               : ruru_buf_add(&c->raw, v, n)) != RURU_OK ||
        (err = ruru_ioc_refang(v, n, &c->text)) != RURU_OK)
        return err;
    if (type == RURU_IOC_NONE)
        type = ruru_ioc_infer(ruru_buf_str(&c->text), c->text.len);
    if (type == RURU_IOC_NONE)
        return reject(c, line, ruru_buf_str(&c->raw), "value of no known type");
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&c->text), c->text.len, &c->ctx->norm, &c->canon,
                            &reason)) {
        if (reason != NULL && strcmp(reason, "out of memory") == 0)
            return RURU_ENOMEM;
        return reject(c, line, ruru_buf_str(&c->raw), reason ? reason : "malformed value");
    }
    if (allowed != 0 && (allowed & (UINT32_C(1) << (unsigned)type)) == 0)
        return reject(c, line, ruru_buf_str(&c->raw), "not a network indicator");
    ruru_intel_indicator_init(&ind);
    ind.type = type;
    ind.value = ruru_buf_str(&c->canon);
    ind.raw = strcmp(ind.value, ruru_buf_str(&c->raw)) != 0 ? ruru_buf_str(&c->raw) : NULL;
    ind.context = context;
    ind.line = line;
    return emit(c, &ind);
}

/* ---- network ------------------------------------------------------------------------------ */

/* Length of a zero-width character (U+200B..U+200D, U+2060, U+FEFF) at p[0..n), or 0. */
static size_t zero_width(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] >= 0x8B && p[2] <= 0x8D)
        return 3;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0xA0)
        return 3;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

/* The line of the first line of a scalar's content: a block scalar ("|") starts on the line
 * after its indicator; any other scalar on its own line. */
static uint64_t content_line(const struct ruru_yaml *y)
{
    return y->line + (!y->plain && memchr(y->text, '\n', y->len) != NULL ? 1u : 0u);
}

static enum ruru_err do_network(struct chirp *c, const struct ruru_yaml *ind)
{
    static const uint32_t NET = UINT32_C(1) << RURU_IOC_IPV4 | UINT32_C(1) << RURU_IOC_IPV6 |
                                UINT32_C(1) << RURU_IOC_CIDR4 | UINT32_C(1) << RURU_IOC_CIDR6 |
                                UINT32_C(1) << RURU_IOC_DOMAIN | UINT32_C(1) << RURU_IOC_URL;
    const struct ruru_yaml *ips = ruru_yaml_get(ind, "ips");
    const char *s, *e;
    uint64_t line;
    enum ruru_err err = RURU_OK;

    if (ips == NULL || ips->kind != RURU_YAML_SCALAR)
        return reject(c, ind->line, NULL, "network indicator without ips");
    s = ips->text;
    e = s + ips->len;
    line = content_line(ips);
    /* One value a line; a line holding several (spaces, commas) gives each. */
    while (s < e && err == RURU_OK) {
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        const char *le = nl ? nl : e;
        const char *p = s;
        while (p < le && err == RURU_OK) {
            const char *vs, *ve;
            size_t z;
            while (p < le) {
                if (ruru_is_space(*p) || *p == ',')
                    p++;
                else if ((z = zero_width((const unsigned char *)p, (size_t)(le - p))) > 0)
                    p += z;
                else
                    break;
            }
            vs = p;
            while (p < le && !ruru_is_space(*p) && *p != ',')
                p++;
            ve = p;
            /* zero-width characters pasted after the value */
            while (ve - vs >= 3 && zero_width((const unsigned char *)ve - 3, 3) > 0)
                ve -= 3;
            if (ve > vs)
                err = value_out(c, RURU_IOC_NONE, vs, (size_t)(ve - vs), vs, (size_t)(p - vs), NET,
                                NULL, line);
        }
        s = nl ? nl + 1 : e;
        line++;
    }
    return err;
}

/* ---- YARA --------------------------------------------------------------------------------- */

struct ycur {
    const char *p, *e;
    const char *base; /* the rule text, for line numbers */
    uint64_t line0;   /* the file line of base[0] */
};

static uint64_t line_at(const struct ycur *y, const char *at)
{
    uint64_t n = y->line0;

    for (const char *q = y->base; q < at; q++)
        n += *q == '\n';
    return n;
}

/* Skips white space and comments. */
static void skip_ws(struct ycur *y)
{
    while (y->p < y->e) {
        if (ruru_is_space(*y->p)) {
            y->p++;
        } else if (y->e - y->p >= 2 && y->p[0] == '/' && y->p[1] == '/') {
            while (y->p < y->e && *y->p != '\n')
                y->p++;
        } else if (y->e - y->p >= 2 && y->p[0] == '/' && y->p[1] == '*') {
            const char *end = ruru_memmem(y->p + 2, (size_t)(y->e - y->p - 2), "*/", 2);
            y->p = end ? end + 2 : y->e;
        } else {
            return;
        }
    }
}

static bool is_ident(char c)
{
    return ruru_is_alpha(c) || ruru_is_digit(c) || c == '_';
}

static struct ruru_str ident(struct ycur *y)
{
    const char *s = y->p;

    while (y->p < y->e && is_ident(*y->p))
        y->p++;
    return ruru_str_make(s, (size_t)(y->p - s));
}

/* Is the cursor at section keyword `kw` followed by ':'? Moves past it if so. */
static bool at_section(struct ycur *y, const char *kw)
{
    size_t n = strlen(kw);
    const char *q;

    if ((size_t)(y->e - y->p) < n || memcmp(y->p, kw, n) != 0 ||
        (y->p + n < y->e && is_ident(y->p[n])))
        return false;
    q = y->p + n;
    while (q < y->e && (*q == ' ' || *q == '\t'))
        q++;
    if (q == y->e || *q != ':')
        return false;
    y->p = q + 1;
    return true;
}

/* A YARA text string after its opening quote: escapes \" \\ \t \n \r \xHH undone, into `out`
 * (reset). False when it does not close on its line. */
static bool text_string(struct ycur *y, struct ruru_buf *out)
{
    ruru_buf_reset(out);
    while (y->p < y->e && *y->p != '"' && *y->p != '\n') {
        char c = *y->p++;
        if (c == '\\' && y->p < y->e) {
            char d = *y->p++;
            if (d == 'n')
                c = '\n';
            else if (d == 't')
                c = '\t';
            else if (d == 'r')
                c = '\r';
            else if (d == 'x' && y->e - y->p >= 2 && ruru_hexval(y->p[0]) >= 0 &&
                     ruru_hexval(y->p[1]) >= 0) {
                c = (char)(ruru_hexval(y->p[0]) * 16 + ruru_hexval(y->p[1]));
                y->p += 2;
            } else
                c = d;
        }
        ruru_buf_addc(out, c);
    }
    if (y->p == y->e || *y->p != '"')
        return false;
    y->p++;
    return !out->failed;
}

/* A YARA regex after its opening '/', as written (escapes kept: PCRE reads them alike). */
static bool regex_string(struct ycur *y, struct ruru_buf *out)
{
    ruru_buf_reset(out);
    while (y->p < y->e && *y->p != '/' && *y->p != '\n') {
        if (*y->p == '\\' && y->e - y->p >= 2) {
            ruru_buf_add(out, y->p, 2);
            y->p += 2;
            continue;
        }
        ruru_buf_addc(out, *y->p++);
    }
    if (y->p == y->e || *y->p != '/')
        return false;
    y->p++;
    while (y->p < y->e && ruru_is_alpha(*y->p)) /* i, s */
        y->p++;
    return !out->failed;
}

/* Reads the meta entries it needs (hash, cve). */
static void read_meta(struct ycur *y, struct yrule *r, struct ruru_buf *tmp, struct ruru_arena *a)
{
    for (;;) {
        struct ruru_str key;
        const char *at;
        skip_ws(y);
        if (y->p == y->e || *y->p == '}' || !is_ident(*y->p))
            return;
        at = y->p;
        key = ident(y);
        if (ruru_str_eq(key, "strings") || ruru_str_eq(key, "condition")) {
            y->p = at;
            return;
        }
        skip_ws(y);
        if (y->p == y->e || *y->p != '=')
            return;
        y->p++;
        skip_ws(y);
        if (y->p < y->e && *y->p == '"') {
            uint64_t line = line_at(y, y->p);
            y->p++;
            if (!text_string(y, tmp))
                return;
            if (ruru_str_eq(key, "hash") && r->hash.len == 0) {
                char *h = ruru_arena_strndup(a, tmp->ptr, tmp->len);
                if (h != NULL) {
                    r->hash = ruru_str_make(h, tmp->len);
                    r->hash_line = line;
                }
            } else if (ruru_str_eq(key, "cve") && r->cve.len == 0) {
                char *h = ruru_arena_strndup(a, tmp->ptr, tmp->len);
                if (h != NULL)
                    r->cve = ruru_str_make(h, tmp->len);
            }
        } else {
            while (y->p < y->e && !ruru_is_space(*y->p))
                y->p++; /* a number, true or false */
        }
    }
}

/* Skips a string's modifiers (nocase ascii wide fullword private xor(1-3) base64("...")), up
 * to the next string or section. */
static void skip_modifiers(struct ycur *y)
{
    for (;;) {
        const char *at;
        while (y->p < y->e && (*y->p == ' ' || *y->p == '\t'))
            y->p++;
        at = y->p;
        if (ident(y).len == 0)
            return;
        while (y->p < y->e && (*y->p == ' ' || *y->p == '\t'))
            y->p++;
        if (y->p < y->e && *y->p == ':') {
            y->p = at; /* a section: condition:, meta: */
            return;
        }
        if (y->p < y->e && *y->p == '(') {
            const char *close = memchr(y->p, ')', (size_t)(y->e - y->p));
            y->p = close ? close + 1 : y->e;
        }
    }
}

/* Reads the strings section. False when the rule holds more than it can keep or memory runs
 * out (the rule is then refused as a whole). */
static bool
read_strings(struct ycur *y, struct yrule *r, struct ruru_buf *tmp, struct ruru_arena *a)
{
    size_t cap = 0;

    for (;;) {
        struct ystring s;
        skip_ws(y);
        if (y->p == y->e || *y->p != '$')
            return true;
        memset(&s, 0, sizeof(s));
        s.id = y->p;
        y->p++;
        ident(y);
        s.id_len = (size_t)(y->p - s.id);
        skip_ws(y);
        if (y->p == y->e || *y->p != '=')
            return true;
        y->p++;
        skip_ws(y);
        s.line = line_at(y, y->p);
        if (y->p < y->e && *y->p == '"') {
            y->p++;
            if (!text_string(y, tmp))
                return true;
        } else if (y->p < y->e && *y->p == '/') {
            y->p++;
            if (!regex_string(y, tmp))
                return true;
            s.is_regex = true;
        } else if (y->p < y->e && *y->p == '{') {
            const char *end = memchr(y->p, '}', (size_t)(y->e - y->p));
            ruru_buf_reset(tmp);
            ruru_buf_add(tmp, y->p, end ? (size_t)(end - y->p + 1) : (size_t)(y->e - y->p));
            y->p = end ? end + 1 : y->e;
            s.is_hex = true;
        } else {
            return true;
        }
        skip_modifiers(y);
        if (tmp->failed || r->n_strings == MAX_YARA_STRINGS)
            return false;
        s.text = ruru_arena_strndup(a, ruru_buf_str(tmp), tmp->len);
        s.len = tmp->len;
        if (s.text == NULL)
            return false;
        if (r->n_strings == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct ystring *n = ruru_arena_alloc(a, ncap * sizeof(*n));
            if (n == NULL)
                return false;
            if (cap > 0)
                memcpy(n, r->strings, cap * sizeof(*n));
            r->strings = n;
            cap = ncap;
        }
        r->strings[r->n_strings++] = s;
    }
}

/* Parses "rule NAME [: tags] { meta: ... strings: ... condition: ... }". False when it is no
 * rule or cannot be kept. */
static bool parse_rule(const struct ruru_yaml *node,
                       struct yrule *r,
                       struct ruru_buf *tmp,
                       struct ruru_arena *a)
{
    struct ycur y = {node->text, node->text + node->len, node->text, content_line(node)};
    const char *brace;

    memset(r, 0, sizeof(*r));
    skip_ws(&y);
    /* "private rule", "global private rule" */
    for (;;) {
        const char *at = y.p;
        struct ruru_str w = ident(&y);
        if (!ruru_str_eq(w, "private") && !ruru_str_eq(w, "global")) {
            y.p = at;
            break;
        }
        skip_ws(&y);
    }
    if ((size_t)(y.e - y.p) < 5 || memcmp(y.p, "rule", 4) != 0 || !ruru_is_space(y.p[4]))
        return false;
    y.p += 4;
    skip_ws(&y);
    r->name = ident(&y);
    if (r->name.len == 0)
        return false;
    brace = memchr(y.p, '{', (size_t)(y.e - y.p));
    if (brace == NULL)
        return false;
    y.p = brace + 1;
    for (;;) {
        skip_ws(&y);
        if (y.p == y.e || *y.p == '}')
            return r->condition.len > 0;
        if (at_section(&y, "meta")) {
            read_meta(&y, r, tmp, a);
        } else if (at_section(&y, "strings")) {
            if (!read_strings(&y, r, tmp, a))
                return false;
        } else if (at_section(&y, "condition")) {
            /* to the rule's closing brace (the last '}' of the text) */
            const char *end = y.e;
            while (end > y.p && end[-1] != '}')
                end--;
            if (end == y.p)
                return false;
            r->condition = ruru_str_trim(ruru_str_make(y.p, (size_t)(end - 1 - y.p)));
            y.p = end;
            return r->condition.len > 0;
        } else {
            return false;
        }
    }
}

/* Is the condition "any of them" or "any of ($prefix*)" / "any of ($a, $b)" naming every
 * string? Only then is each string an indicator of its own. */
static bool any_of_all(const struct yrule *r)
{
    char buf[256];
    size_t n = 0;
    struct ruru_str c = r->condition;

    /* white space collapsed */
    for (size_t i = 0; i < c.len; i++) {
        if (ruru_is_space(c.ptr[i]))
            continue;
        if (n + 1 >= sizeof(buf))
            return false;
        buf[n++] = c.ptr[i];
    }
    buf[n] = '\0';
    if (strcmp(buf, "anyofthem") == 0)
        return true;
    if (n < 8 || memcmp(buf, "anyof(", 6) != 0 || buf[n - 1] != ')')
        return false;
    for (size_t k = 0; k < r->n_strings; k++) {
        const struct ystring *s = &r->strings[k];
        bool named = false;
        size_t i = 6;
        while (i < n - 1 && !named) {
            size_t j = i;
            while (j < n - 1 && buf[j] != ',')
                j++;
            if (j > i && buf[j - 1] == '*')
                named = j - 1 - i <= s->id_len && memcmp(buf + i, s->id, j - 1 - i) == 0;
            else
                named = j - i == s->id_len && memcmp(buf + i, s->id, s->id_len) == 0;
            i = j + 1;
        }
        if (!named)
            return false;
    }
    return r->n_strings > 0;
}

static const char *const METHODS[] = {"GET ",    "POST ",    "PUT ",  "HEAD ",
                                      "DELETE ", "OPTIONS ", "PATCH "};

/* The length of the HTTP method and space that s starts with, or 0. */
static size_t method_len(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof(METHODS) / sizeof(METHODS[0]); i++) {
        size_t k = strlen(METHODS[i]);
        if (n > k && memcmp(s, METHODS[i], k) == 0)
            return k;
    }
    return 0;
}

/* Appends s[0..n) to a STIX string literal ('\\' and '\'' escaped). */
static void stix_quote(struct ruru_buf *b, const char *s, size_t n)
{
    ruru_buf_addc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '\'')
            ruru_buf_addc(b, '\\');
        ruru_buf_addc(b, s[i]);
    }
    ruru_buf_addc(b, '\'');
}

/* A request "METHOD /path" (or the regex /METHOD \/path.../) as a STIX pattern on the HTTP
 * request: its method, and its path starting with what the string names. */
static enum ruru_err request_pattern(struct chirp *c, const struct ystring *s, const char *ctx)
{
    size_t m = method_len(s->text, s->len);
    struct ruru_buf *b = &c->canon;
    struct ruru_intel_indicator ind;
    const char *rest = s->text + m;
    size_t rest_len = s->len - m;

    ruru_buf_reset(&c->text); /* the regex of the path */
    ruru_buf_addc(&c->text, '^');
    if (s->is_regex) {
        if (rest_len >= 2 && rest[0] == '\\' && rest[1] == '/') {
            rest++;
            rest_len--;
        }
        ruru_buf_add(&c->text, rest, rest_len);
    } else {
        for (size_t i = 0; i < rest_len; i++) {
            if (strchr("\\^$.|?*+()[]{}", rest[i]) != NULL)
                ruru_buf_addc(&c->text, '\\');
            ruru_buf_addc(&c->text, rest[i]);
        }
    }
    ruru_buf_reset(b);
    ruru_buf_adds(b, "[network-traffic:extensions.'http-request-ext'.request_method = ");
    stix_quote(b, s->text, m - 1);
    ruru_buf_adds(b, " AND network-traffic:extensions.'http-request-ext'.request_value MATCHES ");
    stix_quote(b, c->text.ptr, c->text.len);
    ruru_buf_addc(b, ']');
    if (b->failed || c->text.failed)
        return RURU_ENOMEM;
    {
        /* Checked as the STIX importer checks patterns: a regex that is no STIX string (a NUL
         * in it) is refused here rather than at sweep time. */
        struct ruru_arena a;
        struct ruru_stix_node *root;
        const char *error = NULL;
        size_t pos = 0;
        enum ruru_err err;
        ruru_arena_init(&a, 4096, MAX_VALUE_BYTES * 4);
        err = ruru_stix_parse(b->ptr, b->len, &a, &root, &error, &pos);
        ruru_arena_fini(&a);
        if (err == RURU_ENOMEM)
            return err;
        if (err != RURU_OK)
            return reject(c, s->line, s->text, "YARA request string that makes no STIX pattern");
    }
    ruru_intel_indicator_init(&ind);
    ind.type = RURU_IOC_PATTERN;
    ind.value = ruru_buf_str(b);
    ind.raw = s->text;
    ind.context = ctx;
    ind.line = s->line;
    return emit(c, &ind);
}

/* A product token at the start: "name/version" (python-requests/2.19.1, Mozilla/5.0+(...)). */
static bool looks_like_ua(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0 || !ruru_is_alpha(s[0]))
        return false;
    while (i < n && (is_ident(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '!'))
        i++;
    if (i == n || s[i] != '/' || i + 1 == n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')
            return false; /* IIS writes no space in a field */
    return true;
}

static enum ruru_err iis_string(struct chirp *c, const struct ystring *s, const char *ctx)
{
    size_t m;
    int depth = 0;

    if (s->is_hex)
        return reject(c, s->line, s->text, "YARA hex string over a log");
    if (strlen(s->text) != s->len)
        return reject(c, s->line, NULL, "YARA string with a NUL byte");
    m = method_len(s->text, s->len);
    if (m > 0 && (s->text[m] == '/' || (s->is_regex && s->text[m] == '\\')))
        return request_pattern(c, s, ctx);
    if (s->is_regex || !looks_like_ua(s->text, s->len))
        return reject(c, s->line, s->text,
                      "YARA string of an IIS log that is neither a request nor a user agent");
    for (size_t i = 0; i < s->len; i++) {
        depth += s->text[i] == '(';
        depth -= s->text[i] == ')';
    }
    if (depth != 0)
        return reject(c, s->line, s->text,
                      "user agent cut short (unbalanced parentheses): part of one, not one");
    /* As the sweep reads an IIS user agent: a '+' is a space, but for the one of a bot's
     * "+http://" (IIS writes "; +http" as ";++http"). */
    ruru_buf_reset(&c->ua);
    if (ruru_buf_add(&c->ua, s->text, s->len) != RURU_OK)
        return RURU_ENOMEM;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '+' && !(s->len - i > 5 && memcmp(s->text + i + 1, "http", 4) == 0))
            c->ua.ptr[i] = ' ';
    return value_out(c, RURU_IOC_USER_AGENT, c->ua.ptr, s->len, s->text, s->len, 0, ctx, s->line);
}

/* Does the glob name IIS logs (under W3SVC), another log, or other files? */
enum target { T_IIS, T_LOG, T_FILES };

static enum target target_of(const char *files)
{
    struct ruru_str f = ruru_str_trim(ruru_str_make(files, strlen(files)));

    for (size_t i = 0; i + 5 <= f.len; i++)
        if (ruru_str_iprefix(ruru_str_make(f.ptr + i, f.len - i), "w3svc"))
            return T_IIS;
    if (f.len >= 4 && ruru_str_ieq(ruru_str_make(f.ptr + f.len - 4, 4), ".log"))
        return T_LOG;
    return T_FILES;
}

static enum ruru_err do_yara(struct chirp *c, const struct ruru_yaml *ind, struct ruru_arena *a)
{
    const struct ruru_yaml *files = ruru_yaml_get(ind, "files");
    const struct ruru_yaml *rule = ruru_yaml_get(ind, "rule");
    struct yrule r;
    enum target t;
    enum ruru_err err = RURU_OK;
    char *ctx;

    if (files == NULL || rule == NULL || files->kind != RURU_YAML_SCALAR ||
        rule->kind != RURU_YAML_SCALAR)
        return reject(c, ind->line, NULL, "yara indicator without files or rule");
    if (!parse_rule(rule, &r, &c->text, a))
        return reject(c, content_line(rule), NULL, "malformed YARA rule");
    ctx = ruru_arena_alloc(a, r.name.len + 6);
    if (ctx == NULL)
        return RURU_ENOMEM;
    memcpy(ctx, "yara=", 5);
    memcpy(ctx + 5, r.name.ptr, r.name.len);
    ctx[5 + r.name.len] = '\0';
    if (r.cve.len > 0 && c->n_labels < MAX_LABELS) {
        char *l = ruru_arena_strndup(a, r.cve.ptr, r.cve.len);
        if (l == NULL)
            return RURU_ENOMEM;
        c->labels[c->n_labels++] = l;
    }
    t = target_of(files->text);
    if (r.hash.len > 0) {
        /* The sample the rule was written from: a hash to find wherever logs name hashes. */
        struct ruru_str h = ruru_str_trim(r.hash);
        enum ruru_ioc_type ht = h.len == 32    ? RURU_IOC_MD5
                                : h.len == 40  ? RURU_IOC_SHA1
                                : h.len == 64  ? RURU_IOC_SHA256
                                : h.len == 128 ? RURU_IOC_SHA512
                                               : RURU_IOC_NONE;
        if (ht == RURU_IOC_NONE)
            err = reject(c, r.hash_line, r.hash.ptr, "malformed hash");
        else
            err = value_out(c, ht, h.ptr, h.len, NULL, 0, 0, ctx, r.hash_line);
    }
    if (err != RURU_OK)
        return err;
    if (t == T_FILES)
        return reject(c, content_line(rule), ctx,
                      "YARA rule over file contents: ruru sweeps logs, not files");
    if (!any_of_all(&r))
        return reject(c, content_line(rule), ctx,
                      "YARA condition other than any of its strings: no string stands alone");
    for (size_t i = 0; i < r.n_strings && err == RURU_OK; i++) {
        if (t == T_IIS)
            err = iis_string(c, &r.strings[i], ctx);
        else
            err = reject(c, r.strings[i].line, r.strings[i].text,
                         "YARA string inside lines of a log ruru reads no field of");
    }
    return err;
}

/* ---- documents ---------------------------------------------------------------------------- */

/* A scalar's text trimmed, in the arena; NULL when absent or empty. */
static const char *trimmed(const struct ruru_yaml *y, struct ruru_arena *a)
{
    struct ruru_str t;

    if (y == NULL || y->kind != RURU_YAML_SCALAR || ruru_yaml_is_null(y))
        return NULL;
    t = ruru_str_trim(ruru_str_make(y->text, y->len));
    return t.len > 0 ? ruru_arena_strndup(a, t.ptr, t.len) : NULL;
}

static enum ruru_err do_document(struct chirp *c, const struct ruru_yaml *d, struct ruru_arena *a)
{
    const struct ruru_yaml *type = ruru_yaml_get(d, "ioc_type");
    const struct ruru_yaml *ind = ruru_yaml_get(d, "indicator");
    const struct ruru_yaml *conf = ruru_yaml_get(d, "confidence");
    const char *t;

    c->name = trimmed(ruru_yaml_get(d, "name"), a);
    c->description = trimmed(ruru_yaml_get(d, "description"), a);
    c->confidence = -1;
    c->n_labels = 0;
    if (conf != NULL && conf->kind == RURU_YAML_SCALAR && conf->plain) {
        int v = 0;
        size_t i = 0;
        while (i < conf->len && i < 3 && ruru_is_digit(conf->text[i]))
            v = v * 10 + (conf->text[i++] - '0');
        if (i > 0 && i == conf->len && v <= 10)
            c->confidence = v * 10; /* CHIRP's 0-10 scale */
    }
    t = ruru_yaml_str(type);
    if (t == NULL || ind == NULL || ind->kind != RURU_YAML_MAP)
        return reject(c, d->line, NULL, "CHIRP indicator without ioc_type or indicator map");
    if (strcmp(t, "network") == 0) {
        c->labels[c->n_labels++] = "chirp:network";
        return do_network(c, ind);
    }
    if (strcmp(t, "yara") == 0) {
        c->labels[c->n_labels++] = "chirp:yara";
        return do_yara(c, ind, a);
    }
    if (strcmp(t, "events") == 0)
        return reject(c, d->line, NULL,
                      "CHIRP events indicator: a regular expression over whole events, "
                      "not imported (write it as a Sigma rule)");
    if (strcmp(t, "registry") == 0)
        return reject(c, d->line, NULL,
                      "CHIRP registry indicator: ruru sweeps logs, not registries");
    return reject(c, type->line, t, "unknown CHIRP ioc_type");
}

enum ruru_err ruru_chirp_import(const char *data,
                                size_t len,
                                const struct ruru_import_ctx *ctx,
                                struct ruru_diag *diag)
{
    struct ruru_arena a;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0;
    struct chirp c;
    enum ruru_err err;

    ruru_arena_init(&a, 1u << 16, (size_t)1 << 32);
    memset(&c, 0, sizeof(c));
    c.ctx = ctx;
    ruru_buf_init(&c.raw, MAX_VALUE_BYTES);
    ruru_buf_init(&c.canon, MAX_VALUE_BYTES);
    ruru_buf_init(&c.text, MAX_VALUE_BYTES);
    ruru_buf_init(&c.ua, MAX_VALUE_BYTES);
    err = ruru_yaml_load(data, len, ctx->path, &a, &docs, &n_docs, diag);
    for (size_t i = 0; err == RURU_OK && i < n_docs; i++) {
        const struct ruru_yaml *d = docs[i];
        if (d == NULL || ruru_yaml_is_null(d))
            continue; /* an empty document ("---" at the end) */
        if (d->kind != RURU_YAML_MAP) {
            c.name = NULL;
            err = reject(&c, d->line, NULL, "CHIRP document that is not a map");
            continue;
        }
        err = do_document(&c, d, &a);
        if (err == RURU_ELIMIT)
            err = reject(&c, d->line, NULL, "value too long");
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&c.raw);
    ruru_buf_fini(&c.canon);
    ruru_buf_fini(&c.text);
    ruru_buf_fini(&c.ua);
    ruru_arena_fini(&a);
    return err;
}
