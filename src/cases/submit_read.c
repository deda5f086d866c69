/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading what a constituent submits (submit_int.h): every item becomes a description of what
 * was seen (values, the record, its time, the asset) and of what the constituent claims it
 * means (its indicator, its actors), kept apart so that only the CERT's intel gives meaning.
 *
 * Two dialects:
 *   - ECS sighting documents, as `ruru scan --format jsonl` writes them: the observed values
 *     are ruru.observed and threat.enrichments[].matched.atomic (in matched.field), the record
 *     event.original, the asset ruru.asset, host.name or host.ip, the claim ruru.indicator or
 *     threat.enrichments[0].indicator with threat.group.name. Names are read nested
 *     ({"host": {"name": ...}}) or dotted ({"host.name": ...}), as ECS allows both.
 *   - STIX 2.1 bundles: each `sighting` object is an item; its observed-data (`objects`, or
 *     `object_refs` to objects of the bundle) gives the values, first_seen the time,
 *     where_sighted_refs the asset (the identity's name), the indicator it is a sighting of
 *     the record text (its pattern) and the claim, with the actors it `indicates`. A sighting
 *     without observed-data gives the value of its indicator's pattern when the pattern is one
 *     comparison of a value (`[domain-name:value = 'evil.example']`): a sighting of an
 *     indicator says its pattern was seen, and one comparison says which value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/submit_int.h"
#include "intel/ioc.h"

/* ---- ECS field names ---------------------------------------------------------------------- */

/* Fields a submitted value may be written in as the submitter named them: those where the
 * sweep looks for such values (docs/scan.md), each with the kind of value it holds: 'i'
 * addresses, 'd' host names, 'a' either (DNS answers), 'u' URLs, 'h' hashes, 'e' e-mail
 * addresses, 'f' free text (paths, names, user agents). Any other name (a time, a host,
 * ruru's own) is not taken from a constituent, nor one that does not hold the value's kind (a
 * whole URL the sweep rebuilt from a log's url.path): the value's type chooses. */
static const struct {
    const char *name;
    char kind;
} FIELDS[] = {
        {"source.ip", 'i'},
        {"destination.ip", 'i'},
        {"client.ip", 'i'},
        {"server.ip", 'i'},
        {"source.address", 'a'},
        {"destination.address", 'a'},
        {"source.domain", 'd'},
        {"destination.domain", 'd'},
        {"dns.question.name", 'd'},
        {"dns.answers.data", 'a'},
        {"url.domain", 'd'},
        {"tls.client.server_name", 'd'},
        {"url.original", 'u'},
        {"url.full", 'u'},
        {"http.request.referrer", 'u'},
        {"file.hash.md5", 'h'},
        {"file.hash.sha1", 'h'},
        {"file.hash.sha256", 'h'},
        {"file.hash.sha512", 'h'},
        {"tls.client.ja3", 'h'},
        {"tls.server.ja3s", 'h'},
        {"tls.server.hash.sha1", 'h'},
        {"email.from.address", 'e'},
        {"email.to.address", 'e'},
        {"url.path", 'f'},
        {"url.query", 'f'},
        {"user_agent.original", 'f'},
        {"file.name", 'f'},
        {"file.path", 'f'},
        {"process.executable", 'f'},
        {"process.command_line", 'f'},
        {"message", 'f'},
};

/* The kind of a value, as FIELDS names kinds ('n': none of them). */
static char kind_of(enum ruru_ioc_type t)
{
    switch (t) {
    case RURU_IOC_IPV4:
    case RURU_IOC_IPV6:
        return 'i';
    case RURU_IOC_DOMAIN:
        return 'd';
    case RURU_IOC_URL:
        return 'u';
    case RURU_IOC_MD5:
    case RURU_IOC_SHA1:
    case RURU_IOC_SHA256:
    case RURU_IOC_SHA512:
        return 'h';
    case RURU_IOC_EMAIL:
        return 'e';
    default:
        return 'n';
    }
}

static bool holds(char field, char value)
{
    /* a name that looks like a host ("error3.aspx") or a hex string may be a file's name */
    return field == value || (field == 'a' && (value == 'i' || value == 'd' || value == 'n')) ||
           (field == 'f' && (value == 'd' || value == 'h' || value == 'n')) ||
           (field == 'd' && value == 'n');
}

const char *ruru_submit_field(const char *given, const char *value)
{
    enum ruru_ioc_type t = ruru_ioc_infer(value, strlen(value));
    char kind = kind_of(t);

    for (size_t i = 0; given != NULL && i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
        if (strcmp(given, FIELDS[i].name) == 0 && holds(FIELDS[i].kind, kind))
            return FIELDS[i].name;
    switch (t) {
    case RURU_IOC_IPV4:
    case RURU_IOC_IPV6:
        return "destination.ip"; /* an indicator's address is the far end */
    case RURU_IOC_DOMAIN:
        return "dns.question.name";
    case RURU_IOC_URL:
        return "url.original";
    case RURU_IOC_MD5:
        return "file.hash.md5";
    case RURU_IOC_SHA1:
        return "file.hash.sha1";
    case RURU_IOC_SHA256:
        return "file.hash.sha256";
    case RURU_IOC_SHA512:
        return "file.hash.sha512";
    case RURU_IOC_EMAIL:
        return "email.from.address";
    default:
        return "message"; /* free text: the sweep searches it for strings and user agents */
    }
}

/* ---- reading a document ------------------------------------------------------------------- */

/* o's member at a dotted path, read nested ({"a": {"b": 1}}) or dotted ({"a.b": 1}) or mixed. */
static json_t *get(json_t *o, const char *path)
{
    json_t *v;

    if (!json_is_object(o))
        return NULL;
    if ((v = json_object_get(o, path)) != NULL)
        return v;
    for (const char *dot = strchr(path, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
        size_t n = (size_t)(dot - path);
        json_t *sub = json_object_getn(o, path, n);
        if (json_is_object(sub) && (v = get(sub, dot + 1)) != NULL)
            return v;
    }
    return NULL;
}

struct reader {
    json_t *desc;
    char *why; /* the rejection reason, RURU_SUBMIT_ITEM reason[] */
    size_t why_cap;
    bool bad;
};

static void reject(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reject(struct reader *r, const char *fmt, ...)
{
    va_list ap;

    if (r->bad)
        return;
    r->bad = true;
    va_start(ap, fmt);
    vsnprintf(r->why, r->why_cap, fmt, ap);
    va_end(ap);
}

/* The string of v, "" when it is none (a key no object has). */
static const char *sv(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

/* An optional string member: NULL when absent (or null); rejects another type or a longer one. */
static const char *opt_str(struct reader *r, json_t *o, const char *name, size_t max)
{
    json_t *v = get(o, name);

    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        reject(r, "%s is not a string", name);
        return NULL;
    }
    if (json_string_length(v) > max) {
        reject(r, "%s is longer than %zu bytes", name, max);
        return NULL;
    }
    return json_string_value(v);
}

static void set_str(json_t *o, const char *key, const char *s)
{
    if (s != NULL && s[0] != '\0')
        json_object_set_new(o, key, json_string(s));
}

/* Adds an observed value (rejecting an empty or too long one); the same field and value twice
 * is one. */
static void add_value(struct reader *r, const char *name, json_t *v, const char *field)
{
    json_t *values = json_object_get(r->desc, "values"), *e;
    const char *s;
    size_t i;

    if (!json_is_string(v)) {
        reject(r, "%s is not a string", name);
        return;
    }
    s = json_string_value(v);
    if (json_string_length(v) == 0 || strspn(s, " \t\r\n") == json_string_length(v)) {
        reject(r, "%s is empty", name);
        return;
    }
    if (json_string_length(v) > RURU_SUBMIT_MAX_VALUE) {
        reject(r, "%s is longer than %u bytes", name, RURU_SUBMIT_MAX_VALUE);
        return;
    }
    if (strlen(s) != json_string_length(v)) {
        reject(r, "%s holds a NUL byte", name);
        return;
    }
    field = ruru_submit_field(field, s);
    json_array_foreach(values, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "value")), s) == 0 &&
            strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
            return;
    }
    if (json_array_size(values) >= RURU_SUBMIT_MAX_VALUES) {
        reject(r, "more than %u observed values", RURU_SUBMIT_MAX_VALUES);
        return;
    }
    json_array_append_new(values, json_pack("{s:s, s:s}", "field", field, "value", s));
}

static void add_actor(struct reader *r, json_t *name)
{
    json_t *actors = json_object_get(r->desc, "actors"), *e;
    size_t i;

    /* a claim is kept as the constituent wrote it, bounded; what is no name is no claim */
    if (!json_is_string(name) || json_string_length(name) == 0 || json_string_length(name) > 256 ||
        strlen(json_string_value(name)) != json_string_length(name) ||
        json_array_size(actors) >= RURU_SUBMIT_MAX_ACTORS)
        return;
    json_array_foreach(actors, i, e) if (json_equal(e, name)) return;
    json_array_append(actors, name);
}

static void set_time(struct reader *r, const char *name, const char *s)
{
    int64_t t;

    if (s == NULL || json_object_get(r->desc, "time") != NULL)
        return;
    if (!ruru_time_parse(s, strlen(s), &t)) {
        reject(r, "%s is not a time ruru reads", name);
        return;
    }
    json_object_set_new(r->desc, "time", json_integer((json_int_t)t));
}

static void set_asset(struct reader *r, const char *s)
{
    enum ruru_ioc_type t;

    if (s == NULL || s[0] == '\0' || json_object_get(r->desc, "asset") != NULL)
        return;
    t = ruru_ioc_infer(s, strlen(s));
    json_object_set_new(r->desc, "asset", json_string(s));
    json_object_set_new(r->desc, "asset_is_ip",
                        json_boolean(t == RURU_IOC_IPV4 || t == RURU_IOC_IPV6));
}

/* ---- ECS ---------------------------------------------------------------------------------- */

/* The ECS indicator type's ruru type, for a claim that gives only ECS. */
static const char *type_of_ecs(const char *t)
{
    static const char *const map[][2] = {{"ipv4-addr", "ipv4"},     {"ipv6-addr", "ipv6"},
                                         {"domain-name", "domain"}, {"url", "url"},
                                         {"email-addr", "email"},   {"software", "user-agent"}};

    for (size_t i = 0; t != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], t) == 0)
            return map[i][1];
    return NULL;
}

static void ecs_claim(struct reader *r, json_t *doc)
{
    json_t *ind = get(doc, "ruru.indicator"), *enr = get(doc, "threat.enrichments");
    json_t *eind = get(json_array_get(enr, 0), "indicator"), *claim = json_object(), *a, *g;
    json_t *labels = json_object_get(ind, "labels");
    size_t i;

    if (json_is_object(ind)) {
        set_str(claim, "type", json_string_value(json_object_get(ind, "type")));
        set_str(claim, "value", json_string_value(json_object_get(ind, "value")));
        set_str(claim, "description", json_string_value(json_object_get(ind, "description")));
        set_str(claim, "tlp", json_string_value(json_object_get(ind, "tlp")));
        if (json_is_array(labels))
            json_object_set(claim, "labels", labels);
        json_array_foreach(json_object_get(ind, "actors"), i, a)
                add_actor(r, json_is_object(a) ? json_object_get(a, "name") : a);
    } else if (json_is_object(eind)) {
        const char *tlp = json_string_value(get(eind, "marking.tlp"));
        set_str(claim, "type", type_of_ecs(json_string_value(json_object_get(eind, "type"))));
        set_str(claim, "value", json_string_value(json_object_get(eind, "name")));
        set_str(claim, "description", json_string_value(json_object_get(eind, "description")));
        if (tlp != NULL && strlen(tlp) < 32) {
            char low[32];
            size_t n = strlen(tlp);
            for (size_t k = 0; k <= n; k++)
                low[k] = (char)(tlp[k] >= 'A' && tlp[k] <= 'Z' ? tlp[k] + 32 : tlp[k]);
            set_str(claim, "tlp", low);
        }
    }
    g = get(doc, "threat.group.name");
    if (json_is_string(g))
        add_actor(r, g);
    json_array_foreach(g, i, a) add_actor(r, a);
    json_object_set_new(r->desc, "claim", claim);
}

static void read_ecs(struct reader *r, json_t *doc)
{
    json_t *obs = get(doc, "ruru.observed"), *enr = get(doc, "threat.enrichments"), *e, *hip;
    const char *asset;
    size_t i;

    if (obs != NULL && !json_is_null(obs)) {
        const char *f = json_string_value(get(doc, "ruru.field.canonical"));
        if (f == NULL)
            f = json_string_value(get(json_array_get(enr, 0), "matched.field"));
        add_value(r, "ruru.observed", obs, f);
    }
    if (enr != NULL && !json_is_array(enr) && !json_is_null(enr))
        reject(r, "threat.enrichments is not an array");
    json_array_foreach(enr, i, e)
    {
        json_t *atomic = get(e, "matched.atomic");
        if (atomic != NULL && !json_is_null(atomic))
            add_value(r, "threat.enrichments[].matched.atomic", atomic,
                      json_string_value(get(e, "matched.field")));
    }
    set_time(r, "@timestamp", opt_str(r, doc, "@timestamp", 64));
    set_str(r->desc, "original", opt_str(r, doc, "event.original", RURU_SUBMIT_MAX_ITEM_BYTES));
    set_str(r->desc, "path", opt_str(r, doc, "log.file.path", 4096));
    /* the asset: as ruru names it, else the host's name, else its (first) address */
    asset = opt_str(r, doc, "ruru.asset", 255);
    if (asset == NULL)
        asset = opt_str(r, doc, "host.name", 255);
    hip = get(doc, "host.ip");
    if (asset == NULL && json_is_array(hip))
        hip = json_array_get(hip, 0);
    if (asset == NULL && hip != NULL && !json_is_null(hip)) {
        if (!json_is_string(hip))
            reject(r, "%s is not a string", "host.ip");
        else if (json_string_length(hip) > 255)
            reject(r, "host.ip is longer than 255 bytes");
        else
            asset = json_string_value(hip);
    }
    set_asset(r, asset);
    {
        const char *tool = opt_str(r, doc, "agent.name", 256);
        if (tool == NULL)
            tool = opt_str(r, doc, "observer.product", 256);
        if (tool == NULL)
            tool = opt_str(r, doc, "observer.name", 256);
        if (tool == NULL && json_is_string(get(doc, "event.dataset")) &&
            strncmp(json_string_value(get(doc, "event.dataset")), "ruru.", 5) == 0)
            tool = "ruru";
        set_str(r->desc, "tool", tool);
    }
    set_str(r->desc, "provider",
            json_string_value(get(json_array_get(enr, 0), "indicator.provider")));
    ecs_claim(r, doc);
    if (json_array_size(json_object_get(r->desc, "values")) == 0)
        reject(r, "no observed value (ruru.observed or threat.enrichments[].matched.atomic)");
}

/* ---- STIX --------------------------------------------------------------------------------- */

/* The ECS field of a STIX object path's value, or NULL for one ruru does not sweep for. */
static const char *stix_field(const char *type, const char *prop)
{
    static const char *const map[][3] = {
            {"ipv4-addr", "value", "destination.ip"},
            {"ipv6-addr", "value", "destination.ip"},
            {"domain-name", "value", "dns.question.name"},
            {"url", "value", "url.original"},
            {"email-addr", "value", "email.from.address"},
            {"file", "name", "file.name"},
            {"file", "hashes.MD5", "file.hash.md5"},
            {"file", "hashes.SHA-1", "file.hash.sha1"},
            {"file", "hashes.SHA-256", "file.hash.sha256"},
            {"file", "hashes.SHA-512", "file.hash.sha512"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], type) == 0 && strcmp(map[i][1], prop) == 0)
            return map[i][2];
    return NULL;
}

static void stix_sco(struct reader *r, json_t *sco)
{
    const char *type = json_string_value(json_object_get(sco, "type"));
    json_t *hashes = json_object_get(sco, "hashes"), *v;
    const char *k;

    if (type == NULL)
        return;
    if (strcmp(type, "file") == 0) {
        json_object_foreach(hashes, k, v)
        {
            char prop[40];
            const char *f;
            /* STIX 2.0 wrote hash names as 'sha256' too */
            snprintf(prop, sizeof(prop), "hashes.%s",
                     !strcmp(k, "md5")      ? "MD5"
                     : !strcmp(k, "sha1")   ? "SHA-1"
                     : !strcmp(k, "sha256") ? "SHA-256"
                     : !strcmp(k, "sha512") ? "SHA-512"
                                            : k);
            if ((f = stix_field(type, prop)) != NULL)
                add_value(r, "file.hashes", v, f);
        }
        if (json_object_get(sco, "name") != NULL)
            add_value(r, "file.name", json_object_get(sco, "name"), "file.name");
        return;
    }
    if (stix_field(type, "value") != NULL && json_object_get(sco, "value") != NULL)
        add_value(r, "value", json_object_get(sco, "value"), stix_field(type, "value"));
}

/* The value of a pattern that is one comparison of a value ruru sweeps for; false else. */
static bool pattern_value(const char *p, char *field_out, size_t cap, char *val, size_t vcap)
{
    const char *eq = NULL, *s, *obj, *colon;
    size_t n = 0, k = 0;
    char type[40], prop[40];
    const char *f;

    for (s = p; *s != '\0'; s++) {
        if (*s == '\'') { /* skip quoted text: an '=' inside a value is none */
            for (s++; *s != '\0' && *s != '\''; s++)
                if (*s == '\\' && s[1] != '\0')
                    s++;
            if (*s == '\0')
                return false;
            continue;
        }
        if (*s == '=' && s > p && s[-1] != '!' && s[-1] != '<' && s[-1] != '>') {
            eq = s;
            n++;
        }
    }
    if (n != 1 || (s = strchr(p, '[')) == NULL || s > eq)
        return false;
    for (obj = s + 1; *obj == ' '; obj++)
        ;
    if ((colon = strchr(obj, ':')) == NULL || colon > eq || (size_t)(colon - obj) >= sizeof(type))
        return false;
    memcpy(type, obj, (size_t)(colon - obj));
    type[colon - obj] = '\0';
    for (s = colon + 1; s < eq && *s != ' ' && k + 1 < sizeof(prop); s++)
        if (*s != '\'' && *s != '"')
            prop[k++] = *s;
    prop[k] = '\0';
    if ((f = stix_field(type, prop)) == NULL)
        return false;
    for (s = eq + 1; *s == ' '; s++)
        ;
    if (*s != '\'')
        return false;
    for (s++, k = 0; *s != '\0' && *s != '\''; s++) {
        if (*s == '\\' && s[1] != '\0')
            s++;
        if (k + 1 >= vcap)
            return false;
        val[k++] = *s;
    }
    val[k] = '\0';
    snprintf(field_out, cap, "%s", f);
    return *s == '\'' && k > 0;
}

/* The claim of a STIX sighting: its indicator (type and value from a one-comparison pattern,
 * else the pattern), with the actors the bundle says it indicates. */
static void stix_claim(struct reader *r, json_t *ind, json_t *byid, json_t *rels)
{
    json_t *claim = json_object(), *rel;
    const char *pattern = json_string_value(json_object_get(ind, "pattern"));
    const char *id = json_string_value(json_object_get(ind, "id"));
    char field[40], val[RURU_SUBMIT_MAX_VALUE + 1];
    size_t i;

    if (pattern != NULL && pattern_value(pattern, field, sizeof(field), val, sizeof(val))) {
        enum ruru_ioc_type t = ruru_ioc_infer(val, strlen(val));
        set_str(claim, "type", t != RURU_IOC_NONE ? ruru_ioc_type_name(t) : NULL);
        set_str(claim, "value", val);
    } else if (pattern != NULL && strlen(pattern) <= RURU_SUBMIT_MAX_VALUE) {
        set_str(claim, "type", "stix-pattern");
        set_str(claim, "value", pattern);
    }
    set_str(claim, "description", json_string_value(json_object_get(ind, "description")));
    if (json_is_array(json_object_get(ind, "labels")))
        json_object_set(claim, "labels", json_object_get(ind, "labels"));
    json_array_foreach(rels, i, rel)
    {
        const char *src = json_string_value(json_object_get(rel, "source_ref"));
        const char *rt = json_string_value(json_object_get(rel, "relationship_type"));
        json_t *target = json_object_get(byid, sv(json_object_get(rel, "target_ref")));
        const char *tt = json_string_value(json_object_get(target, "type"));
        if (id == NULL || src == NULL || rt == NULL || tt == NULL || strcmp(src, id) != 0 ||
            (strcmp(rt, "indicates") != 0 && strcmp(rt, "attributed-to") != 0) ||
            (strcmp(tt, "intrusion-set") != 0 && strcmp(tt, "threat-actor") != 0))
            continue;
        add_actor(r, json_object_get(target, "name"));
    }
    json_object_set_new(r->desc, "claim", claim);
}

static void read_stix(struct reader *r, json_t *sig, json_t *byid, json_t *rels)
{
    json_t *ind = json_object_get(byid, sv(json_object_get(sig, "sighting_of_ref")));
    json_t *odrefs = json_object_get(sig, "observed_data_refs"), *ref, *where, *who;
    const char *first = opt_str(r, sig, "first_seen", 64);
    size_t i;

    json_array_foreach(odrefs, i, ref)
    {
        json_t *od = json_object_get(byid, sv(ref)), *sco, *oref;
        const char *k;
        size_t j;
        if (!json_is_object(od))
            continue;
        if (first == NULL)
            first = json_string_value(json_object_get(od, "first_observed"));
        json_object_foreach(json_object_get(od, "objects"), k, sco) stix_sco(r, sco);
        json_array_foreach(json_object_get(od, "object_refs"), j, oref)
                stix_sco(r, json_object_get(byid, sv(oref)));
    }
    if (json_array_size(json_object_get(r->desc, "values")) == 0 && json_is_object(ind)) {
        const char *pattern = json_string_value(json_object_get(ind, "pattern"));
        char field[40], val[RURU_SUBMIT_MAX_VALUE + 1];
        if (pattern != NULL && pattern_value(pattern, field, sizeof(field), val, sizeof(val))) {
            json_t *v = json_string(val);
            add_value(r, "the indicator's pattern", v, field);
            json_decref(v);
        }
    }
    set_time(r, "first_seen", first);
    set_str(r->desc, "last_seen", opt_str(r, sig, "last_seen", 64));
    if (json_is_integer(json_object_get(sig, "count")))
        json_object_set(r->desc, "count", json_object_get(sig, "count"));
    where = json_object_get(byid,
                            sv(json_array_get(json_object_get(sig, "where_sighted_refs"), 0)));
    if (json_is_string(json_object_get(where, "name")) &&
        json_string_length(json_object_get(where, "name")) <= 255)
        set_asset(r, json_string_value(json_object_get(where, "name")));
    who = json_object_get(byid, sv(json_object_get(sig, "created_by_ref")));
    if (json_is_string(json_object_get(who, "name")))
        set_str(r->desc, "provider", json_string_value(json_object_get(who, "name")));
    if (json_is_string(json_object_get(ind, "pattern")))
        set_str(r->desc, "original", json_string_value(json_object_get(ind, "pattern")));
    else
        set_str(r->desc, "original", opt_str(r, sig, "description", RURU_SUBMIT_MAX_ITEM_BYTES));
    stix_claim(r, ind, byid, rels);
    if (json_array_size(json_object_get(r->desc, "values")) == 0)
        reject(r,
               "no observed value (observed-data with an address, domain, URL, e-mail or file, or "
               "an indicator of one such value)");
}

/* ---- the shapes --------------------------------------------------------------------------- */

/* Describes one item (an ECS document, or a STIX sighting when byid is not NULL). */
static bool describe(struct ruru_submit_item *it, json_t *doc, json_t *byid, json_t *rels)
{
    struct reader r = {NULL, it->reason, sizeof(it->reason), false};
    size_t bytes;

    if (!json_is_object(doc)) {
        snprintf(it->reason, sizeof(it->reason), "not a JSON object");
        return true;
    }
    bytes = json_dumpb(doc, NULL, 0, JSON_COMPACT);
    if (bytes > RURU_SUBMIT_MAX_ITEM_BYTES) {
        snprintf(it->reason, sizeof(it->reason), "larger than 1 MiB");
        return true;
    }
    r.desc = json_pack("{s:[], s:[]}", "values", "actors");
    if (r.desc == NULL)
        return false;
    if (byid != NULL)
        read_stix(&r, doc, byid, rels);
    else
        read_ecs(&r, doc);
    if (r.bad)
        json_decref(r.desc);
    else
        it->desc = r.desc;
    return true;
}

static bool is_bundle(json_t *doc)
{
    const char *t = json_string_value(json_object_get(doc, "type"));
    return t != NULL && strcmp(t, "bundle") == 0 && json_is_array(json_object_get(doc, "objects"));
}

static enum ruru_err too_many(struct ruru_diag *diag, size_t n)
{
    return ruru_diag_set(diag, RURU_ELIMIT, NULL, 0, 0,
                         "%zu items submitted at once: at most %u per call (send them in parts)", n,
                         RURU_SUBMIT_MAX_ITEMS);
}

/* The items of a whole JSON document: an array, {"sightings": [...]}, a bundle or one item. */
static enum ruru_err
read_document(json_t *doc, struct ruru_submit_item **out, size_t *n_out, struct ruru_diag *diag)
{
    json_t *list = doc, *byid = NULL, *rels = NULL, *o;
    struct ruru_submit_item *v;
    size_t n = 0, i, k = 0;

    if (is_bundle(doc)) {
        byid = json_object();
        rels = json_array();
        list = json_array();
        json_array_foreach(json_object_get(doc, "objects"), i, o)
        {
            const char *t = json_string_value(json_object_get(o, "type"));
            const char *id = json_string_value(json_object_get(o, "id"));
            if (id != NULL)
                json_object_set(byid, id, o);
            if (t != NULL && strcmp(t, "relationship") == 0)
                json_array_append(rels, o);
            if (t != NULL && strcmp(t, "sighting") == 0)
                json_array_append(list, o);
        }
    } else if (json_is_object(doc) && json_is_array(json_object_get(doc, "sightings"))) {
        list = json_incref(json_object_get(doc, "sightings"));
    } else if (json_is_object(doc)) {
        list = json_pack("[O]", doc);
    } else {
        json_incref(list);
    }
    n = json_array_size(list);
    if (n > RURU_SUBMIT_MAX_ITEMS) {
        json_decref(list);
        json_decref(byid);
        json_decref(rels);
        return too_many(diag, n);
    }
    if ((v = ruru_calloc(n + 1, sizeof(*v))) == NULL) {
        json_decref(list);
        json_decref(byid);
        json_decref(rels);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (k = 0; k < n; k++)
        if (!describe(&v[k], json_array_get(list, k), byid, rels))
            break;
    json_decref(list);
    json_decref(byid);
    json_decref(rels);
    if (k < n) {
        ruru_submit_items_free(v, n);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = v;
    *n_out = n;
    return RURU_OK;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* JSON lines: one item per line that is not blank; RURU_EPARSE when no line is JSON. */
static enum ruru_err read_lines(const char *buf,
                                size_t len,
                                struct ruru_submit_item **out,
                                size_t *n_out,
                                struct ruru_diag *diag)
{
    struct ruru_submit_item *v;
    size_t n = 0, k = 0, json_lines = 0;
    uint64_t line = 0;

    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        n += !blank(buf + i, end - i);
        i = end + 1;
    }
    if (n > RURU_SUBMIT_MAX_ITEMS)
        return too_many(diag, n);
    if ((v = ruru_calloc(n + 1, sizeof(*v))) == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - buf) : len;
        struct ruru_submit_item *it;
        json_t *doc;
        line++;
        if (blank(buf + i, end - i)) {
            i = end + 1;
            continue;
        }
        it = &v[k++];
        it->line = line;
        if (end - i > RURU_SUBMIT_MAX_ITEM_BYTES) {
            snprintf(it->reason, sizeof(it->reason), "larger than 1 MiB");
        } else if ((doc = json_loadb(buf + i, end - i, 0, NULL)) == NULL) {
            snprintf(it->reason, sizeof(it->reason), "not JSON");
        } else {
            bool ok = describe(it, doc, NULL, NULL);
            json_lines++;
            json_decref(doc);
            if (!ok) {
                ruru_submit_items_free(v, n);
                return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
            }
        }
        i = end + 1;
    }
    if (json_lines == 0) {
        ruru_submit_items_free(v, n);
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 1, 0,
                             "not submitted sightings: no JSON lines, JSON array, "
                             "{\"sightings\": [...]} or STIX bundle");
    }
    *out = v;
    *n_out = n;
    return RURU_OK;
}

enum ruru_err ruru_submit_read(const char *buf,
                               size_t len,
                               struct ruru_submit_item **items,
                               size_t *n_items,
                               struct ruru_diag *diag)
{
    json_t *doc;
    size_t skip = 0;
    enum ruru_err err;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        skip = 3; /* a byte order mark some tools write */
    doc = json_loadb(buf + skip, len - skip, 0, NULL);
    if (json_is_array(doc) || json_is_object(doc)) {
        bool single = json_is_object(doc) && !is_bundle(doc) &&
                      !json_is_array(json_object_get(doc, "sightings"));
        err = read_document(doc, items, n_items, diag);
        json_decref(doc);
        if (err == RURU_OK && single && *n_items == 1) {
            /* one document: its line is where it starts */
            uint64_t line = 1;
            for (size_t i = skip; i < len && blank(buf + i, 1); i++)
                line += buf[i] == '\n';
            (*items)[0].line = line;
        }
        return err;
    }
    json_decref(doc);
    return read_lines(buf + skip, len - skip, items, n_items, diag);
}

void ruru_submit_items_free(struct ruru_submit_item *items, size_t n_items)
{
    for (size_t i = 0; items != NULL && i < n_items; i++)
        json_decref(items[i].desc);
    ruru_free(items);
}
