/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A log record as STIX 2.1 cyber-observable objects (observe.h), so that STIX patterns can be
 * evaluated on it. The record's canonical (ECS) fields say what it observed:
 *
 *   source.ip / destination.ip (+ ports, transport)  ipv4-addr / ipv6-addr, and a
 *                                                     network-traffic with src_ref / dst_ref
 *   url.original (a full URL, or host + path)         url
 *   url.domain, dns.question.name, destination.domain domain-name
 *   http.request.method, user_agent.original, path    the network-traffic's
 *                                                     extensions.http-request-ext
 *   file.name / file.path / file.hash.*              file (hashes keyed MD5, SHA-1, SHA-256,
 *                                                     SHA-512, as STIX names them)
 *   process.executable / .command_line / .pid        process, its image_ref a file
 *   user.name                                         user-account (account_login)
 *   email.from.address / email.to.address / subject  email-message with from_ref / to_refs
 *
 * Example: an IIS line from 203.0.113.7 to 10.0.0.5:443 for /owa/auth/x.aspx gives objects
 * "0" ipv4-addr 203.0.113.7, "1" ipv4-addr 10.0.0.5, "2" network-traffic {src_ref "0",
 * dst_ref "1", dst_port 443, extensions: {http-request-ext: {request_value
 * "/owa/auth/x.aspx", ...}}}, so [network-traffic:src_ref.value = '203.0.113.7'] matches.
 */
#include "pattern/observe.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "base/alloc.h"
#include "logs/json.h"

enum {
    T_IPV4 = 1u << 0,
    T_IPV6 = 1u << 1,
    T_TRAFFIC = 1u << 2,
    T_URL = 1u << 3,
    T_DOMAIN = 1u << 4,
    T_FILE = 1u << 5,
    T_DIR = 1u << 6,
    T_PROCESS = 1u << 7,
    T_ACCOUNT = 1u << 8,
    T_MESSAGE = 1u << 9,
    T_EMAIL = 1u << 10,
};

/* The types to make for a pattern naming `types`: with them, the objects they reach by
 * reference (a network-traffic's addresses, a file's directory, a process's image, a
 * message's addresses), so that a pattern finds in the objects made all it would in all. */
static uint32_t wanted(uint32_t types)
{
    if (types & (T_IPV4 | T_IPV6 | T_TRAFFIC))
        types |= T_IPV4 | T_IPV6 | T_TRAFFIC;
    if (types & (T_FILE | T_DIR | T_PROCESS))
        types |= T_FILE | T_DIR | T_PROCESS;
    if (types & (T_MESSAGE | T_EMAIL))
        types |= T_MESSAGE | T_EMAIL;
    return types;
}

/* The canonical fields ruru_observe_record reads. */
enum read {
    R_SOURCE_IP,
    R_SOURCE_ADDRESS,
    R_SOURCE_PORT,
    R_SOURCE_DOMAIN,
    R_DESTINATION_IP,
    R_DESTINATION_PORT,
    R_DESTINATION_DOMAIN,
    R_NETWORK_TRANSPORT,
    R_HTTP_REQUEST_METHOD,
    R_HTTP_VERSION,
    R_URL_ORIGINAL,
    R_URL_PATH,
    R_URL_DOMAIN,
    R_USER_AGENT_ORIGINAL,
    R_DNS_QUESTION_NAME,
    R_FILE_HASH_MD5,
    R_FILE_HASH_SHA1,
    R_FILE_HASH_SHA256,
    R_FILE_HASH_SHA512,
    R_FILE_NAME,
    R_FILE_PATH,
    R_PROCESS_COMMAND_LINE,
    R_PROCESS_PID,
    R_PROCESS_EXECUTABLE,
    R_USER_NAME,
    R_EMAIL_FROM_ADDRESS,
    R_EMAIL_TO_ADDRESS,
    R_EMAIL_SUBJECT,
    N_READS
};

#define R(name)                \
    {                          \
        name, sizeof(name) - 1 \
    }
static const struct {
    const char *name;
    size_t len;
} READS[N_READS] = {R("source.ip"),           R("source.address"),
                    R("source.port"),         R("source.domain"),
                    R("destination.ip"),      R("destination.port"),
                    R("destination.domain"),  R("network.transport"),
                    R("http.request.method"), R("http.version"),
                    R("url.original"),        R("url.path"),
                    R("url.domain"),          R("user_agent.original"),
                    R("dns.question.name"),   R("file.hash.md5"),
                    R("file.hash.sha1"),      R("file.hash.sha256"),
                    R("file.hash.sha512"),    R("file.name"),
                    R("file.path"),           R("process.command_line"),
                    R("process.pid"),         R("process.executable"),
                    R("user.name"),           R("email.from.address"),
                    R("email.to.address"),    R("email.subject")};
#undef R

static uint32_t field_types(const char *c);

/* The record with the first non-empty field of each name it reads found once (a record is
 * asked for about thirty names, each of which would otherwise be a walk over its fields). */
struct view {
    const struct ruru_record *r;
    int at[N_READS]; /* field index, or -1 */
};

static int read_index(const char *canon)
{
    size_t len = strlen(canon);

    for (size_t i = 0; i < N_READS; i++)
        if (READS[i].len == len && memcmp(READS[i].name, canon, len) == 0)
            return (int)i;
    return -1;
}

static void view_init(struct view *v, const struct ruru_record *r)
{
    v->r = r;
    for (size_t i = 0; i < N_READS; i++)
        v->at[i] = -1;
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        int k;
        if (f->canon == NULL || f->value.len == 0 || field_types(f->canon) == 0 ||
            (k = read_index(f->canon)) < 0 || v->at[k] >= 0)
            continue;
        v->at[k] = (int)i;
    }
}

/* s[0..n) as a JSON string. Log bytes need not be UTF-8 (a user agent is the client's to
 * write): each byte that is not part of a valid sequence becomes U+FFFD, so that the field is
 * still there for a pattern to see rather than dropped (jansson refuses invalid UTF-8), and
 * its ASCII stays where it was. */
static json_t *utf8_string(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    struct ruru_buf b;
    json_t *v;

    if (u8_check(u, n) == NULL)
        return json_stringn(s, n);
    ruru_buf_init(&b, n * 3 + 16);
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int len = u8_mbtoucr(&c, u + i, n - i);
        if (len > 0) {
            ruru_buf_add(&b, s + i, (size_t)len);
            i += (size_t)len;
        } else {
            ruru_buf_add(&b, "\xef\xbf\xbd", 3); /* U+FFFD */
            i++;
        }
    }
    v = b.failed ? NULL : json_stringn(ruru_buf_str(&b), b.len);
    ruru_buf_fini(&b);
    return v;
}

/* The decoded value of a canonical field, as a JSON string; NULL when absent or empty. */
static json_t *value(const struct view *w, enum read k)
{
    const struct ruru_field *f;
    char *tmp;
    json_t *v;

    if (w->at[k] < 0)
        return NULL;
    f = &w->r->fields[w->at[k]];
    if (f->enc == RURU_ENC_RAW)
        return utf8_string(f->value.ptr, f->value.len);
    if ((tmp = ruru_malloc(f->value.len + 1)) == NULL)
        return NULL;
    if (f->enc == RURU_ENC_JSON) {
        size_t n = ruru_json_unescape(f->value.ptr, f->value.len, tmp, f->value.len);
        v = n == (size_t)-1 ? utf8_string(f->value.ptr, f->value.len) : utf8_string(tmp, n);
    } else {
        for (size_t n = 0; n < f->value.len; n++)
            tmp[n] = f->value.ptr[n] == '+' ? ' ' : f->value.ptr[n];
        v = utf8_string(tmp, f->value.len);
    }
    ruru_free(tmp);
    return v;
}

static json_t *number(const struct view *r, enum read canon)
{
    json_t *v = value(r, canon), *n = NULL;
    char *end;
    long long x;

    if (v == NULL)
        return NULL;
    x = strtoll(json_string_value(v), &end, 10);
    if (*end == '\0' && end != json_string_value(v))
        n = json_integer(x);
    json_decref(v);
    return n;
}

struct objs {
    json_t *map;
    int next;
};

/* Adds o (consumed) under the next key ("0", "1", ...); returns the key as a JSON string
 * (for a _ref), or NULL when o is NULL. */
static json_t *add(struct objs *b, json_t *o)
{
    char key[16];

    if (o == NULL)
        return NULL;
    snprintf(key, sizeof(key), "%d", b->next++);
    json_object_set_new(b->map, key, o);
    return json_string(key);
}

/* An address object for the field's value (its type from the text); the key, or NULL. */
static json_t *address(struct objs *b, const struct view *r, enum read canon)
{
    json_t *v = value(r, canon);
    unsigned char a[16];
    const char *type, *s;

    if (v == NULL)
        return NULL;
    s = json_string_value(v);
    if (inet_pton(AF_INET, s, a) == 1)
        type = "ipv4-addr";
    else if (inet_pton(AF_INET6, s, a) == 1)
        type = "ipv6-addr";
    else {
        json_decref(v);
        return NULL;
    }
    return add(b, json_pack("{s:s, s:o}", "type", type, "value", v));
}

static void set_if(json_t *o, const char *key, json_t *v)
{
    if (v != NULL)
        json_object_set_new(o, key, v);
}

json_t *ruru_observe_record_of(const struct ruru_record *rec, uint32_t types)
{
    struct objs b = {json_object(), 0};
    struct view view, *r = &view;
    json_t *src, *dst;
    json_t *nt, *http = json_object(), *v, *hashes = json_object(), *file = json_object();
    static const enum read DOMAINS[] = {R_URL_DOMAIN, R_DNS_QUESTION_NAME, R_DESTINATION_DOMAIN,
                                        R_SOURCE_DOMAIN};
    static const struct {
        enum read canon;
        const char *stix;
    } HASHES[] = {{R_FILE_HASH_MD5, "MD5"},
                  {R_FILE_HASH_SHA1, "SHA-1"},
                  {R_FILE_HASH_SHA256, "SHA-256"},
                  {R_FILE_HASH_SHA512, "SHA-512"}};

    if (b.map == NULL || rec == NULL) {
        json_decref(b.map);
        json_decref(http);
        json_decref(hashes);
        json_decref(file);
        return NULL;
    }
    view_init(&view, rec);
    types = wanted(types);
    if (types & (T_IPV4 | T_IPV6 | T_TRAFFIC)) {
        src = address(&b, r, R_SOURCE_IP);
        if (src == NULL)
            src = address(&b, r, R_SOURCE_ADDRESS);
        dst = address(&b, r, R_DESTINATION_IP);
        /* the HTTP request, when the record is one */
        set_if(http, "request_method", value(r, R_HTTP_REQUEST_METHOD));
        if ((v = value(r, R_URL_ORIGINAL)) != NULL || (v = value(r, R_URL_PATH)) != NULL)
            json_object_set_new(http, "request_value", v);
        set_if(http, "request_version", value(r, R_HTTP_VERSION));
        if ((v = value(r, R_USER_AGENT_ORIGINAL)) != NULL)
            json_object_set_new(http, "request_header", json_pack("{s:o}", "User-Agent", v));
        if ((v = value(r, R_URL_DOMAIN)) != NULL) {
            json_t *h = json_object_get(http, "request_header");
            if (h == NULL)
                json_object_set_new(http, "request_header", h = json_object());
            json_object_set_new(h, "Host", v);
        }
        if (src != NULL || dst != NULL || json_object_size(http) > 0) {
            nt = json_pack("{s:s}", "type", "network-traffic");
            if (src != NULL)
                json_object_set(nt, "src_ref", src);
            if (dst != NULL)
                json_object_set(nt, "dst_ref", dst);
            set_if(nt, "src_port", number(r, R_SOURCE_PORT));
            set_if(nt, "dst_port", number(r, R_DESTINATION_PORT));
            if ((v = value(r, R_NETWORK_TRANSPORT)) != NULL)
                json_object_set_new(nt, "protocols", json_pack("[o]", v));
            if (json_object_size(http) > 0)
                json_object_set_new(nt, "extensions", json_pack("{s:O}", "http-request-ext", http));
            json_decref(add(&b, nt));
        }
        json_decref(src);
        json_decref(dst);
    }
    json_decref(http);
    /* URLs: written whole, or put together from host and path */
    if ((types & T_URL) && (v = value(r, R_URL_ORIGINAL)) != NULL) {
        const char *u = json_string_value(v);
        json_t *host = value(r, R_URL_DOMAIN);
        if (strstr(u, "://") != NULL) {
            json_decref(add(&b, json_pack("{s:s, s:O}", "type", "url", "value", v)));
        } else if (host != NULL && u[0] == '/') {
            char *full = ruru_malloc(strlen(u) + json_string_length(host) + 16);
            if (full != NULL) {
                snprintf(full, strlen(u) + json_string_length(host) + 16, "http://%s%s",
                         json_string_value(host), u);
                json_decref(add(&b, json_pack("{s:s, s:s}", "type", "url", "value", full)));
                ruru_free(full);
            }
        }
        json_decref(host);
        json_decref(v);
    }
    for (size_t i = 0; (types & T_DOMAIN) && i < sizeof(DOMAINS) / sizeof(DOMAINS[0]); i++)
        if ((v = value(r, DOMAINS[i])) != NULL) {
            unsigned char a[16];
            if (inet_pton(AF_INET, json_string_value(v), a) == 1)
                json_decref(v);
            else
                json_decref(add(&b, json_pack("{s:s, s:o}", "type", "domain-name", "value", v)));
        }
    for (size_t i = 0; (types & T_FILE) && i < sizeof(HASHES) / sizeof(HASHES[0]); i++)
        set_if(hashes, HASHES[i].stix, value(r, HASHES[i].canon));
    if (json_object_size(hashes) > 0)
        json_object_set(file, "hashes", hashes);
    if (types & T_FILE)
        set_if(file, "name", value(r, R_FILE_NAME));
    if ((types & T_FILE) && (v = value(r, R_FILE_PATH)) != NULL) {
        const char *p = json_string_value(v), *base = p + strlen(p);
        while (base > p && base[-1] != '/' && base[-1] != '\\')
            base--;
        if (json_object_get(file, "name") == NULL && *base != '\0')
            json_object_set_new(file, "name", json_string(base));
        if (base > p) {
            json_t *dir = json_stringn(p, (size_t)(base - p - 1));
            json_object_set_new(file, "parent_directory_ref",
                                add(&b, json_pack("{s:s, s:o}", "type", "directory", "path", dir)));
        }
        json_decref(v);
    }
    if (json_object_size(file) > 0) {
        json_object_set_new(file, "type", json_string("file"));
        json_decref(add(&b, json_incref(file)));
    }
    json_decref(hashes);
    json_decref(file);
    /* the process */
    if (types & T_PROCESS) {
        json_t *proc = json_pack("{s:s}", "type", "process");
        set_if(proc, "command_line", value(r, R_PROCESS_COMMAND_LINE));
        set_if(proc, "pid", number(r, R_PROCESS_PID));
        if ((v = value(r, R_PROCESS_EXECUTABLE)) != NULL) {
            const char *p = json_string_value(v), *base = p + strlen(p);
            while (base > p && base[-1] != '/' && base[-1] != '\\')
                base--;
            json_object_set_new(proc, "image_ref",
                                add(&b, json_pack("{s:s, s:s}", "type", "file", "name", base)));
            json_decref(v);
        }
        if (json_object_size(proc) > 1)
            json_decref(add(&b, proc));
        else
            json_decref(proc);
    }
    if ((types & T_ACCOUNT) && (v = value(r, R_USER_NAME)) != NULL)
        json_decref(add(&b, json_pack("{s:s, s:o}", "type", "user-account", "account_login", v)));
    {
        json_t *from = value(r, R_EMAIL_FROM_ADDRESS), *to = value(r, R_EMAIL_TO_ADDRESS);
        json_t *subject = value(r, R_EMAIL_SUBJECT);
        if (!(types & T_MESSAGE)) {
            json_decref(from);
            json_decref(to);
            json_decref(subject);
        } else if (from != NULL || to != NULL || subject != NULL) {
            json_t *m = json_pack("{s:s}", "type", "email-message");
            if (from != NULL)
                json_object_set_new(
                        m, "from_ref",
                        add(&b, json_pack("{s:s, s:o}", "type", "email-addr", "value", from)));
            if (to != NULL)
                json_object_set_new(
                        m, "to_refs",
                        json_pack("[o]", add(&b, json_pack("{s:s, s:o}", "type", "email-addr",
                                                           "value", to))));
            set_if(m, "subject", subject);
            json_decref(add(&b, m));
        }
    }
    return b.map;
}

json_t *ruru_observe_record(const struct ruru_record *r)
{
    return ruru_observe_record_of(r, ~0u);
}

uint32_t ruru_observe_type_bit(const char *type)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } map[] = {{"ipv4-addr", T_IPV4},          {"ipv6-addr", T_IPV6},
               {"network-traffic", T_TRAFFIC}, {"url", T_URL},
               {"domain-name", T_DOMAIN},      {"file", T_FILE},
               {"directory", T_DIR},           {"process", T_PROCESS},
               {"user-account", T_ACCOUNT},    {"email-message", T_MESSAGE},
               {"email-addr", T_EMAIL}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].name, type) == 0)
            return map[i].bit;
    return 0;
}

/* Read by ruru_observe_record without giving a type of its own (ports, the transport). */
#define T_PART (1u << 31)

#define IS(lit)     (len == sizeof(lit) - 1 && memcmp(c, lit, sizeof(lit) - 1) == 0)
#define STARTS(lit) (len > sizeof(lit) - 1 && memcmp(c, lit, sizeof(lit) - 1) == 0)

/* The types a canonical field can give (observe's mapping above, loosened to a superset), and
 * T_PART for the fields it reads as parts of another object. Asked of every field of every
 * record while patterns are swept: the first byte picks the few names to compare. */
static uint32_t field_types(const char *c)
{
    size_t len = strlen(c);

    switch (c[0]) {
    case 's':
        if (IS("source.ip") || IS("source.address"))
            return T_IPV4 | T_IPV6 | T_TRAFFIC;
        if (IS("source.domain"))
            return T_DOMAIN;
        return IS("source.port") ? T_PART : 0;
    case 'd':
        if (IS("destination.ip"))
            return T_IPV4 | T_IPV6 | T_TRAFFIC;
        if (IS("dns.question.name") || IS("destination.domain"))
            return T_DOMAIN;
        return IS("destination.port") ? T_PART : 0;
    case 'u':
        if (IS("url.original"))
            return T_URL | T_TRAFFIC;
        if (IS("url.domain"))
            return T_DOMAIN | T_URL | T_TRAFFIC;
        if (IS("url.path") || IS("user_agent.original"))
            return T_TRAFFIC;
        return IS("user.name") ? T_ACCOUNT : 0;
    case 'h':
        return IS("http.request.method") || IS("http.version") ? T_TRAFFIC : 0;
    case 'f':
        return STARTS("file.") ? T_FILE | T_DIR : 0;
    case 'p':
        return STARTS("process.") ? T_PROCESS | T_FILE : 0;
    case 'e':
        return STARTS("email.") ? T_MESSAGE | T_EMAIL : 0;
    case 'n':
        return IS("network.transport") ? T_PART : 0;
    default:
        return 0;
    }
}

#undef IS
#undef STARTS

uint32_t ruru_observe_types(const struct ruru_record *r)
{
    uint32_t t = 0;

    for (size_t i = 0; r != NULL && i < r->n_fields; i++)
        if (r->fields[i].canon != NULL && r->fields[i].value.len > 0)
            t |= field_types(r->fields[i].canon);
    return t & ~T_PART;
}

bool ruru_observe_text(const struct ruru_record *r,
                       const char *line,
                       size_t len,
                       struct ruru_buf *out)
{
    ruru_buf_reset(out);
    for (size_t i = 0; r != NULL && i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        size_t at = out->len, k;
        bool in_line = line != NULL && f->value.ptr >= line && f->value.len <= len &&
                       (size_t)(f->value.ptr - line) <= len - f->value.len;
        bool escaped = f->enc == RURU_ENC_JSON && memchr(f->value.ptr, '\\', f->value.len) != NULL;
        /* a value in the line as it is needs no copy (W3C's '+' for a space changes no
         * needle: needles hold no space) */
        if (f->canon == NULL || f->value.len == 0 || (in_line && !escaped) ||
            field_types(f->canon) == 0)
            continue;
        if (ruru_buf_add(out, f->value.ptr, f->value.len) != RURU_OK ||
            ruru_buf_addc(out, '\n') != RURU_OK)
            return false;
        /* decoded in place: never longer than the bytes it came from */
        if (escaped && (k = ruru_json_unescape(f->value.ptr, f->value.len, out->ptr + at,
                                               f->value.len)) != (size_t)-1) {
            out->ptr[at + k] = '\n';
            out->len = at + k + 1;
            out->ptr[out->len] = '\0';
        } else if (f->enc == RURU_ENC_PLUS) {
            for (k = at; k < out->len; k++)
                if (out->ptr[k] == '+')
                    out->ptr[k] = ' ';
        }
    }
    return true;
}
