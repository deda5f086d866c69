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

#include "base/alloc.h"
#include "logs/json.h"

/* The decoded value of a canonical field, as a JSON string; NULL when absent or empty. */
static json_t *value(const struct ruru_record *r, const char *canon)
{
    for (size_t i = 0; i < r->n_fields; i++) {
        const struct ruru_field *f = &r->fields[i];
        char *tmp;
        json_t *v;
        if (f->canon == NULL || strcmp(f->canon, canon) != 0 || f->value.len == 0)
            continue;
        if (f->enc == RURU_ENC_RAW)
            return json_stringn(f->value.ptr, f->value.len);
        if ((tmp = ruru_malloc(f->value.len + 1)) == NULL)
            return NULL;
        if (f->enc == RURU_ENC_JSON) {
            size_t k = ruru_json_unescape(f->value.ptr, f->value.len, tmp, f->value.len);
            v = k == (size_t)-1 ? json_stringn(f->value.ptr, f->value.len) : json_stringn(tmp, k);
        } else {
            for (size_t k = 0; k < f->value.len; k++)
                tmp[k] = f->value.ptr[k] == '+' ? ' ' : f->value.ptr[k];
            v = json_stringn(tmp, f->value.len);
        }
        ruru_free(tmp);
        return v;
    }
    return NULL;
}

static json_t *number(const struct ruru_record *r, const char *canon)
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
static json_t *address(struct objs *b, const struct ruru_record *r, const char *canon)
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

json_t *ruru_observe_record(const struct ruru_record *r)
{
    struct objs b = {json_object(), 0};
    json_t *src, *dst;
    json_t *nt, *http = json_object(), *v, *hashes = json_object(), *file = json_object();
    static const char *const DOMAINS[] = {"url.domain", "dns.question.name", "destination.domain",
                                          "source.domain"};
    static const struct {
        const char *canon, *stix;
    } HASHES[] = {{"file.hash.md5", "MD5"},
                  {"file.hash.sha1", "SHA-1"},
                  {"file.hash.sha256", "SHA-256"},
                  {"file.hash.sha512", "SHA-512"}};

    if (b.map == NULL || r == NULL) {
        json_decref(b.map);
        json_decref(http);
        json_decref(hashes);
        json_decref(file);
        return NULL;
    }
    src = address(&b, r, "source.ip");
    if (src == NULL)
        src = address(&b, r, "source.address");
    dst = address(&b, r, "destination.ip");
    /* the HTTP request, when the record is one */
    set_if(http, "request_method", value(r, "http.request.method"));
    if ((v = value(r, "url.original")) != NULL || (v = value(r, "url.path")) != NULL)
        json_object_set_new(http, "request_value", v);
    set_if(http, "request_version", value(r, "http.version"));
    if ((v = value(r, "user_agent.original")) != NULL)
        json_object_set_new(http, "request_header", json_pack("{s:o}", "User-Agent", v));
    if ((v = value(r, "url.domain")) != NULL) {
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
        set_if(nt, "src_port", number(r, "source.port"));
        set_if(nt, "dst_port", number(r, "destination.port"));
        if ((v = value(r, "network.transport")) != NULL)
            json_object_set_new(nt, "protocols", json_pack("[o]", v));
        if (json_object_size(http) > 0)
            json_object_set_new(nt, "extensions", json_pack("{s:O}", "http-request-ext", http));
        json_decref(add(&b, nt));
    }
    json_decref(src);
    json_decref(dst);
    json_decref(http);
    /* URLs: written whole, or put together from host and path */
    if ((v = value(r, "url.original")) != NULL) {
        const char *u = json_string_value(v);
        json_t *host = value(r, "url.domain");
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
    for (size_t i = 0; i < sizeof(DOMAINS) / sizeof(DOMAINS[0]); i++)
        if ((v = value(r, DOMAINS[i])) != NULL) {
            unsigned char a[16];
            if (inet_pton(AF_INET, json_string_value(v), a) == 1)
                json_decref(v);
            else
                json_decref(add(&b, json_pack("{s:s, s:o}", "type", "domain-name", "value", v)));
        }
    for (size_t i = 0; i < sizeof(HASHES) / sizeof(HASHES[0]); i++)
        set_if(hashes, HASHES[i].stix, value(r, HASHES[i].canon));
    if (json_object_size(hashes) > 0)
        json_object_set(file, "hashes", hashes);
    set_if(file, "name", value(r, "file.name"));
    if ((v = value(r, "file.path")) != NULL) {
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
    {
        json_t *proc = json_pack("{s:s}", "type", "process");
        set_if(proc, "command_line", value(r, "process.command_line"));
        set_if(proc, "pid", number(r, "process.pid"));
        if ((v = value(r, "process.executable")) != NULL) {
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
    if ((v = value(r, "user.name")) != NULL)
        json_decref(add(&b, json_pack("{s:s, s:o}", "type", "user-account", "account_login", v)));
    {
        json_t *from = value(r, "email.from.address"), *to = value(r, "email.to.address");
        json_t *subject = value(r, "email.subject");
        if (from != NULL || to != NULL || subject != NULL) {
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

/* The types a canonical field can give (observe's mapping above, loosened to a superset). */
static uint32_t field_types(const char *c)
{
    if (!strcmp(c, "source.ip") || !strcmp(c, "source.address") || !strcmp(c, "destination.ip"))
        return T_IPV4 | T_IPV6 | T_TRAFFIC;
    if (!strcmp(c, "url.original"))
        return T_URL | T_TRAFFIC;
    if (!strcmp(c, "url.domain"))
        return T_DOMAIN | T_URL | T_TRAFFIC;
    if (!strcmp(c, "url.path") || !strcmp(c, "http.request.method") || !strcmp(c, "http.version") ||
        !strcmp(c, "user_agent.original"))
        return T_TRAFFIC;
    if (!strcmp(c, "dns.question.name") || !strcmp(c, "destination.domain") ||
        !strcmp(c, "source.domain"))
        return T_DOMAIN;
    if (!strncmp(c, "file.", 5))
        return T_FILE | T_DIR;
    if (!strncmp(c, "process.", 8))
        return T_PROCESS | T_FILE;
    if (!strcmp(c, "user.name"))
        return T_ACCOUNT;
    if (!strncmp(c, "email.", 6))
        return T_MESSAGE | T_EMAIL;
    return 0;
}

uint32_t ruru_observe_types(const struct ruru_record *r)
{
    uint32_t t = 0;

    for (size_t i = 0; r != NULL && i < r->n_fields; i++)
        if (r->fields[i].canon != NULL && r->fields[i].value.len > 0)
            t |= field_types(r->fields[i].canon);
    return t;
}
