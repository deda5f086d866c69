/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/sighting.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/jsonw.h"
#include "base/str.h"
#include "base/time.h"
#include "intel/actors.h"
#include "intel/query.h"

/* A rule's text around each of its sightings, made once with jansson: what comes before
 * event.original (the event object open), what lies between it and the evidence (the event
 * closed, rule.*, threat.*), and the rule's own description (ruru.rule, last). */
struct rule_text {
    char *head, *mid, *rule;
    size_t head_len, mid_len, rule_len;
};

static void rule_text_free(struct rule_text *t)
{
    if (t != NULL) {
        free(t->head); /* from json_dumps */
        ruru_free(t->mid);
        free(t->rule); /* from json_dumps */
        ruru_free(t);
    }
}

/* The indicator as the store describes it, and the warninglists holding its value. */
struct desc {
    json_t *ind, *wl;
};
#define DESC_PAGE 256 /* descriptions a page: 4 KiB */

struct ruru_sightings {
    struct ruru_store *store;
    const struct ruru_index *idx;
    struct ruru_actor_registry *reg; /* built at the first sighting */
    bool reg_failed;
    /* Per index entry, what the store says of it: in pages made when an entry of theirs is
     * first described. A sweep meets few of the indicators, spread all over the index: a
     * table of them all would be 16 MB at a million, zeroed when allocated (calloc zeroes a
     * heap block it reuses: 5 ms of an empty sweep at 100,000) and read through when closed. */
    struct desc **pages;
    size_t n_pages;
    const struct ruru_rules *rules;
    json_t **rule_cache;          /* per rule: ruru_rules_describe */
    struct rule_text **rule_text; /* per rule: its parts of a sighting's text */
    char *text;                   /* from json_dumps */
    struct ruru_buf out;          /* a rule's sighting */
};

enum ruru_err ruru_sightings_open(struct ruru_store *store,
                                  const struct ruru_index *idx,
                                  struct ruru_sightings **out,
                                  struct ruru_diag *diag)
{
    struct ruru_sightings *s = ruru_calloc(1, sizeof(*s));
    size_t n = ruru_index_count(idx);

    if (s == NULL || (s->pages = ruru_calloc(n / DESC_PAGE + 1, sizeof(*s->pages))) == NULL) {
        ruru_sightings_close(s);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    s->n_pages = n / DESC_PAGE + 1;
    s->store = store;
    s->idx = idx;
    ruru_buf_init(&s->out, SIZE_MAX);
    *out = s;
    return RURU_OK;
}

void ruru_sightings_close(struct ruru_sightings *s)
{
    if (s == NULL)
        return;
    for (size_t p = 0; p < s->n_pages; p++) {
        for (size_t k = 0; s->pages[p] != NULL && k < DESC_PAGE; k++) {
            json_decref(s->pages[p][k].ind);
            json_decref(s->pages[p][k].wl);
        }
        ruru_free(s->pages[p]);
    }
    ruru_free(s->pages);
    for (size_t i = 0; s->rule_cache != NULL && i < ruru_rules_count(s->rules); i++)
        json_decref(s->rule_cache[i]);
    for (size_t i = 0; s->rule_text != NULL && i < ruru_rules_count(s->rules); i++)
        rule_text_free(s->rule_text[i]);
    ruru_free(s->rule_cache);
    ruru_free(s->rule_text);
    ruru_actors_destroy(s->reg);
    free(s->text); /* from json_dumps */
    ruru_buf_fini(&s->out);
    ruru_free(s);
}

/* The 64 lower-case hex digits of a SHA-256 digest, NUL-terminated. */
static void hex_of(const unsigned char d[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

/* Sets a.b.c = v (consumed) in o, creating the objects on the way. */
static void put(json_t *o, const char *path, json_t *v)
{
    const char *dot;

    if (v == NULL)
        return;
    while ((dot = strchr(path, '.')) != NULL) {
        char key[64];
        size_t n = (size_t)(dot - path);
        json_t *sub;
        if (n >= sizeof(key))
            break;
        memcpy(key, path, n);
        key[n] = '\0';
        sub = json_object_get(o, key);
        if (!json_is_object(sub)) {
            sub = json_object();
            json_object_set_new(o, key, sub);
        }
        o = sub;
        path = dot + 1;
    }
    json_object_set_new(o, path, v);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : NULL;
}

/* Text that may not be UTF-8 (log lines are attacker-controlled): invalid bytes become
 * U+FFFD so that the JSON stays valid; the SHA-256 keeps the exact bytes. */
static json_t *bytes_string(const char *p, size_t n)
{
    json_t *v = json_stringn(p, n);
    char *fixed;

    if (v != NULL || n > SIZE_MAX / 3 || (fixed = ruru_malloc(n * 3 + 1)) == NULL)
        return v;
    v = json_stringn(fixed, ruru_jsonw_fix_utf8(p, n, fixed));
    ruru_free(fixed);
    return v;
}

static const char *ecs_type(const char *t)
{
    static const char *const map[][2] = {
            {"ipv4", "ipv4-addr"},
            {"cidr4", "ipv4-addr"},
            {"ipv6", "ipv6-addr"},
            {"cidr6", "ipv6-addr"},
            {"domain", "domain-name"},
            {"url", "url"},
            {"email", "email-addr"},
            {"md5", "file"},
            {"sha1", "file"},
            {"sha256", "file"},
            {"sha512", "file"},
            {"filename", "file"},
            {"filepath", "file"},
            {"user-agent", "software"},
            {"ja3", "software"},
            {"ja3s", "software"},
            {"x509-md5", "x509-certificate"},
            {"x509-sha1", "x509-certificate"},
            {"x509-sha256", "x509-certificate"},
            {"asn", "autonomous-system"},
    };

    for (size_t i = 0; t != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], t) == 0)
            return map[i][1];
    return "unknown";
}

/* ECS confidence words from 0-100, as the STIX 2.1 None/Low/Med/High scale maps them. */
static const char *ecs_confidence(json_t *c)
{
    json_int_t v;

    if (!json_is_integer(c))
        return "Not Specified";
    v = json_integer_value(c);
    return v == 0 ? "None" : v < 30 ? "Low" : v < 70 ? "Medium" : "High";
}

static json_t *ecs_indicator(json_t *ind)
{
    json_t *o = json_object();
    const char *type = json_string_value(json_object_get(ind, "type"));
    const char *value = json_string_value(json_object_get(ind, "value"));
    const char *tlp = json_string_value(json_object_get(ind, "tlp"));

    put(o, "type", json_string(ecs_type(type)));
    put(o, "name", str_or_null(value));
    put(o, "provider", json_incref(json_object_get(ind, "source")));
    put(o, "confidence", json_string(ecs_confidence(json_object_get(ind, "confidence"))));
    if (tlp != NULL) {
        char up[32];
        size_t n = strlen(tlp);
        if (n < sizeof(up)) {
            for (size_t i = 0; i <= n; i++)
                up[i] = (char)(tlp[i] >= 'a' && tlp[i] <= 'z' ? tlp[i] - 32 : tlp[i]);
            put(o, "marking.tlp", json_string(up));
        }
    }
    put(o, "description", json_incref(json_object_get(ind, "description")));
    put(o, "first_seen", json_incref(json_object_get(ind, "first_seen")));
    put(o, "last_seen", json_incref(json_object_get(ind, "last_seen")));
    if (type != NULL && value != NULL) {
        if (!strncmp(type, "ipv", 3) || !strncmp(type, "cidr", 4))
            put(o, "ip", json_string(value));
        else if (!strcmp(type, "domain"))
            put(o, "url.domain", json_string(value));
        else if (!strcmp(type, "url"))
            put(o, "url.original", json_string(value));
        else if (!strcmp(type, "email"))
            put(o, "email.address", json_string(value));
        else if (!strcmp(type, "md5") || !strcmp(type, "sha1") || !strcmp(type, "sha256") ||
                 !strcmp(type, "sha512")) {
            char path[32];
            snprintf(path, sizeof(path), "file.hash.%s", type);
            put(o, path, json_string(value));
        } else if (!strcmp(type, "filename"))
            put(o, "file.name", json_string(value));
        else if (!strcmp(type, "filepath"))
            put(o, "file.path", json_string(value));
    }
    return o;
}

/* Entry i's description; NULL when its page is not there and cannot be made (`make`) or is
 * not to be (!make). */
static struct desc *desc_at(struct ruru_sightings *s, uint32_t i, bool make)
{
    struct desc **page = &s->pages[i / DESC_PAGE];

    if (*page == NULL && make)
        *page = ruru_calloc(DESC_PAGE, sizeof(**page));
    return *page != NULL ? &(*page)[i % DESC_PAGE] : NULL;
}

static json_t *indicator(struct ruru_sightings *s, uint32_t i)
{
    sqlite3 *db = ruru_store_db(s->store);
    const struct ruru_index_ind *ind = ruru_index_at(s->idx, i);
    struct desc *d = desc_at(s, i, true);

    if (d == NULL)
        return NULL; /* out of memory: the sighting goes out undescribed */
    if (d->ind != NULL)
        return d->ind;
    if (s->reg == NULL && !s->reg_failed) {
        struct ruru_diag dg;
        s->reg_failed = ruru_actors_build(db, &s->reg, &dg) != RURU_OK;
    }
    d->ind = ruru_query_indicator(db, s->reg, ind->store_id, INT64_MIN);
    if (d->ind != NULL) {
        const char *type = json_string_value(json_object_get(d->ind, "type"));
        const char *value = json_string_value(json_object_get(d->ind, "value"));
        bool infer;
        /* What a sighting does not need from the search form. */
        json_object_del(d->ind, "active");
        json_object_del(d->ind, "inactive_reason");
        if (type != NULL && value != NULL)
            d->wl = ruru_query_warninglists(db, ruru_ioc_type_parse(type, &infer), value);
    }
    return d->ind;
}

/* Warninglists of the indicator, and for addresses those holding the observed address. */
static json_t *warninglists(struct ruru_sightings *s, uint32_t i, const char *observed)
{
    const struct ruru_index_ind *ind = ruru_index_at(s->idx, i);
    const struct desc *d = desc_at(s, i, false);
    json_t *out = d != NULL && d->wl != NULL ? json_deep_copy(d->wl) : json_array();
    json_t *more = NULL, *e;
    size_t k;

    if (ind->type == RURU_IOC_CIDR4 || ind->type == RURU_IOC_CIDR6)
        more = ruru_query_warninglists(ruru_store_db(s->store),
                                       strchr(observed, ':') ? RURU_IOC_IPV6 : RURU_IOC_IPV4,
                                       observed);
    json_array_foreach(more, k, e)
    {
        bool dup = false;
        size_t j;
        json_t *x;
        json_array_foreach(out, j, x) dup |= json_equal(x, e);
        if (!dup)
            json_array_append(out, e);
    }
    json_decref(more);
    return out;
}

const char *ruru_sighting_json(struct ruru_sightings *s, const struct ruru_sighting *x)
{
    json_t *o = json_object(), *ind = indicator(s, x->ind), *wl, *enr, *actors, *names, *a;
    char hex[65], ts[RURU_TIME_BUF];
    size_t i;

    free(s->text);
    s->text = NULL;
    if (o == NULL)
        return NULL;
    if (x->time != RURU_TIME_NONE) {
        ruru_time_format(x->time, ts);
        put(o, "@timestamp", json_string(ts));
    }
    put(o, "event.kind", json_string("enrichment"));
    put(o, "event.category", json_pack("[s]", "threat"));
    put(o, "event.type", json_pack("[s]", "indicator"));
    put(o, "event.dataset", json_string("ruru.sighting"));
    put(o, "event.original", bytes_string(x->raw, x->raw_len));
    put(o, "log.file.path", bytes_string(x->path, strlen(x->path)));
    put(o, "log.offset", json_integer((json_int_t)x->offset));
    if (x->asset != NULL)
        put(o, x->asset_is_ip ? "host.ip" : "host.name", bytes_string(x->asset, strlen(x->asset)));
    enr = json_object();
    if (ind != NULL)
        json_object_set_new(enr, "indicator", ecs_indicator(ind));
    put(enr, "matched.atomic", bytes_string(x->observed, strlen(x->observed)));
    if (x->field_canon != NULL || x->field_native != NULL) {
        const char *f = x->field_canon ? x->field_canon : x->field_native;
        put(enr, "matched.field", bytes_string(f, strlen(f)));
    }
    put(enr, "matched.type", json_string("indicator_match_rule"));
    put(o, "threat.enrichments", json_pack("[o]", enr));
    actors = ind ? json_object_get(ind, "actors") : NULL;
    names = json_array();
    json_array_foreach(actors, i, a)
    {
        json_t *n = json_object_get(a, "name");
        if (json_is_string(n))
            json_array_append(names, n);
    }
    if (json_array_size(names) > 0)
        put(o, "threat.group.name", names);
    else
        json_decref(names);

    put(o, "ruru.line", json_integer((json_int_t)x->line));
    put(o, "ruru.length", json_integer((json_int_t)x->length));
    put(o, "ruru.format", json_string(x->format));
    hex_of(x->sha256, hex);
    put(o, "ruru.sha256", json_string(hex));
    if (x->raw_truncated)
        put(o, "ruru.original_truncated", json_true());
    if (x->field_native != NULL)
        put(o, "ruru.field.native", bytes_string(x->field_native, strlen(x->field_native)));
    if (x->field_canon != NULL)
        put(o, "ruru.field.canonical", json_string(x->field_canon));
    put(o, "ruru.observed", bytes_string(x->observed, strlen(x->observed)));
    if (x->observation != NULL)
        put(o, "ruru.observation", json_loads(x->observation, 0, NULL));
    if (x->asset != NULL)
        put(o, "ruru.asset", bytes_string(x->asset, strlen(x->asset)));
    if (x->time == RURU_TIME_NONE)
        put(o, "ruru.time_known", json_false());
    if (ind != NULL)
        put(o, "ruru.indicator", json_incref(ind));
    wl = warninglists(s, x->ind, x->observed);
    if (json_array_size(wl) > 0) {
        put(o, "ruru.warninglists", wl);
        /* A value on a warninglist (a public resolver, a CDN, a top site) is common to many
         * networks: it is reported, but it says nothing about who is behind an incident. */
        put(o, "ruru.attribution_weight", json_false());
    } else {
        json_decref(wl);
    }
    s->text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return s->text;
}

/* ---- rules ---------------------------------------------------------------------------- */

void ruru_sightings_set_rules(struct ruru_sightings *s, const struct ruru_rules *rules)
{
    s->rules = rules;
    if (rules != NULL) {
        s->rule_cache = ruru_calloc(ruru_rules_count(rules) + 1, sizeof(json_t *));
        s->rule_text = ruru_calloc(ruru_rules_count(rules) + 1, sizeof(struct rule_text *));
    }
}

static json_t *rule_of(struct ruru_sightings *s, uint32_t i)
{
    if (s->rule_cache == NULL)
        return NULL;
    if (s->rule_cache[i] == NULL)
        s->rule_cache[i] = ruru_rules_describe(s->rules, i);
    return s->rule_cache[i];
}

/* ECS event.severity from a Sigma level, as Elastic's detection rules number them. */
static json_t *severity(const char *level)
{
    static const struct {
        const char *level;
        int score;
    } map[] = {{"informational", 1}, {"low", 21}, {"medium", 47}, {"high", 73}, {"critical", 99}};

    for (size_t i = 0; level != NULL && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(level, map[i].level) == 0)
            return json_integer(map[i].score);
    return NULL;
}

/* The ECS rule.* and threat.technique fields of a rule (Sigma tags attack.tNNNN[.NNN]). */
static void ecs_rule(json_t *o, json_t *rule)
{
    json_t *refs = json_object_get(rule, "references"), *tags = json_object_get(rule, "tags");
    json_t *tech = json_array(), *t;
    size_t i;

    put(o, "rule.id", json_incref(json_object_get(rule, "id")));
    put(o, "rule.name", json_incref(json_object_get(rule, "title")));
    put(o, "rule.description", json_incref(json_object_get(rule, "description")));
    /* Detection Rule License: a sighting from a rule carries its author */
    put(o, "rule.author", json_incref(json_object_get(rule, "author")));
    put(o, "rule.ruleset", json_string("sigma"));
    put(o, "rule.license", json_incref(json_object_get(rule, "license")));
    if (json_array_size(refs) > 0)
        put(o, "rule.reference", json_incref(json_array_get(refs, 0)));
    json_array_foreach(tags, i, t)
    {
        const char *v = json_string_value(t);
        if (v != NULL && strncmp(v, "attack.t", 8) == 0 && ruru_is_digit(v[8])) {
            char id[32];
            size_t n = strlen(v + 7);
            if (n >= sizeof(id))
                continue;
            for (size_t k = 0; k <= n; k++)
                id[k] = (char)(v[7 + k] >= 'a' && v[7 + k] <= 'z' ? v[7 + k] - 32 : v[7 + k]);
            json_array_append_new(tech, json_string(id));
        }
    }
    if (json_array_size(tech) > 0)
        put(o, "threat.technique.id", tech);
    else
        json_decref(tech);
    put(o, "event.severity", severity(json_string_value(json_object_get(rule, "level"))));
}

/* A member record of a correlation or a pattern: where its evidence is (the same fields as a
 * sighting's own, so that ruru verify and the incidents read both alike). */
static json_t *member_json(const struct ruru_sighting_member *m)
{
    json_t *e = json_object();
    char hex[65], ts[RURU_TIME_BUF];

    put(e, "log.file.path", bytes_string(m->path, strlen(m->path)));
    put(e, "log.offset", json_integer((json_int_t)m->offset));
    put(e, "ruru.line", json_integer((json_int_t)m->line));
    put(e, "ruru.length", json_integer((json_int_t)m->length));
    hex_of(m->sha256, hex);
    put(e, "ruru.sha256", json_string(hex));
    if (m->time != RURU_TIME_NONE) {
        ruru_time_format(m->time, ts);
        put(e, "@timestamp", json_string(ts));
    }
    if (m->asset != NULL)
        put(e, "ruru.asset", bytes_string(m->asset, strlen(m->asset)));
    return e;
}

static struct rule_text *rule_text_of(struct ruru_sightings *s, uint32_t i)
{
    json_t *rule = rule_of(s, i), *o, *event;
    struct rule_text *t;
    char *all;
    size_t all_len;

    if (s->rule_text == NULL || rule == NULL)
        return NULL;
    if (s->rule_text[i] != NULL)
        return s->rule_text[i];
    if ((t = ruru_calloc(1, sizeof(*t))) == NULL || (o = json_object()) == NULL) {
        ruru_free(t);
        return NULL;
    }
    put(o, "event.kind", json_string("alert"));
    put(o, "event.category", json_pack("[s]", "intrusion_detection"));
    put(o, "event.dataset", json_string("ruru.rule"));
    ecs_rule(o, rule);
    event = json_object_get(o, "event");
    t->head = json_dumps(event, JSON_COMPACT | JSON_ENSURE_ASCII);
    all = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    t->rule = json_dumps(rule, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    /* all is {"event":HEAD REST}: event first, and closed by HEAD's last '}' */
    t->head_len = t->head != NULL ? strlen(t->head) : 0;
    all_len = all != NULL ? strlen(all) : 0;
    if (t->rule == NULL || t->head_len < 2 || all_len < 9 + t->head_len + 1 ||
        memcmp(all, "{\"event\":", 9) != 0 || memcmp(all + 9, t->head, t->head_len) != 0 ||
        (t->mid = ruru_malloc(all_len - 9 - t->head_len + 1)) == NULL) {
        free(all);
        rule_text_free(t);
        return NULL;
    }
    t->rule_len = strlen(t->rule);
    /* HEAD without its '}', and "}" + REST without the object's '}' */
    t->head_len--;
    t->mid[0] = '}';
    t->mid_len = all_len - 9 - t->head_len - 1;
    memcpy(t->mid + 1, all + 9 + t->head_len + 1, t->mid_len - 1);
    free(all);
    return s->rule_text[i] = t;
}

static void member_str(struct ruru_buf *b, const char *key, const char *v)
{
    /* a value that is not UTF-8 is left out, as jansson's json_string refuses it */
    if (v != NULL && ruru_jsonw_utf8_valid(v, strlen(v))) {
        ruru_buf_adds(b, key);
        ruru_jsonw_str(b, v, strlen(v));
    }
}

static void member_bytes(struct ruru_buf *b, const char *key, const char *v, size_t n)
{
    ruru_buf_adds(b, key);
    ruru_jsonw_bytes(b, v, n);
}

static void member_int(struct ruru_buf *b, const char *key, int64_t v)
{
    ruru_buf_adds(b, key);
    ruru_jsonw_int(b, v);
}

/*
 * A rule's sighting. Thousands of lines of a log can match a rule: the sighting is written
 * straight as text (base/jsonw.h) around its rule's parts, in the order and with the bytes
 * that building the object with jansson and dumping it would give (the order in which a
 * json_t's members are set is the order they are written):
 *
 *   {"event":{kind, category, dataset[, severity], original}[, rule][, threat][, @timestamp],
 *    log{file{path}, offset}[, host{ip|name}], ruru{line, length, format, sha256[,
 *    original_truncated][, asset][, time_known], matched[, matched_keywords], rule}}
 */
const char *ruru_rule_sighting_json(struct ruru_sightings *s, const struct ruru_sighting *x)
{
    struct rule_text *t = rule_text_of(s, x->rule);
    struct ruru_buf *b = &s->out;
    char hex[65], ts[RURU_TIME_BUF];

    if (t == NULL)
        return NULL;
    ruru_buf_reset(b);
    ruru_buf_add(b, "{\"event\":", 9);
    ruru_buf_add(b, t->head, t->head_len);
    member_bytes(b, ",\"original\":", x->raw, x->raw_len);
    ruru_buf_add(b, t->mid, t->mid_len);
    if (x->time != RURU_TIME_NONE) {
        ruru_time_format(x->time, ts);
        member_str(b, ",\"@timestamp\":", ts);
    }
    member_bytes(b, ",\"log\":{\"file\":{\"path\":", x->path, strlen(x->path));
    member_int(b, "},\"offset\":", (int64_t)x->offset);
    ruru_buf_addc(b, '}');
    if (x->asset != NULL) {
        member_bytes(b, x->asset_is_ip ? ",\"host\":{\"ip\":" : ",\"host\":{\"name\":", x->asset,
                     strlen(x->asset));
        ruru_buf_addc(b, '}');
    }
    member_int(b, ",\"ruru\":{\"line\":", (int64_t)x->line);
    member_int(b, ",\"length\":", (int64_t)x->length);
    member_str(b, ",\"format\":", x->format);
    hex_of(x->sha256, hex);
    member_str(b, ",\"sha256\":", hex);
    if (x->raw_truncated)
        ruru_buf_adds(b, ",\"original_truncated\":true");
    if (x->asset != NULL)
        member_bytes(b, ",\"asset\":", x->asset, strlen(x->asset));
    if (x->time == RURU_TIME_NONE)
        ruru_buf_adds(b, ",\"time_known\":false");
    ruru_buf_adds(b, ",\"matched\":[");
    for (size_t i = 0; i < x->n_matched; i++) {
        member_bytes(b, i > 0 ? ",{\"native\":" : "{\"native\":", x->matched_native[i],
                     strlen(x->matched_native[i]));
        member_str(b, ",\"canonical\":", x->matched_canon[i]);
        member_bytes(b, ",\"value\":", x->matched_value[i], strlen(x->matched_value[i]));
        ruru_buf_addc(b, '}');
    }
    ruru_buf_addc(b, ']');
    if (x->keywords)
        ruru_buf_adds(b, ",\"matched_keywords\":true");
    ruru_buf_adds(b, ",\"rule\":");
    ruru_buf_add(b, t->rule, t->rule_len);
    ruru_buf_adds(b, "}}");
    return b->failed ? NULL : ruru_buf_str(b);
}

const char *ruru_correlation_sighting_json(struct ruru_sightings *s,
                                           const struct ruru_corr_hit *h,
                                           const struct ruru_sighting_member *members)
{
    json_t *o = json_object(), *rule = rule_of(s, h->rule), *group = json_object();
    json_t *list = json_array(), *by = json_object_get(rule, "group_by");
    char ts[RURU_TIME_BUF];

    free(s->text);
    s->text = NULL;
    if (o == NULL || rule == NULL) {
        json_decref(o);
        json_decref(group);
        json_decref(list);
        return NULL;
    }
    ruru_time_format(h->first, ts);
    put(o, "@timestamp", json_string(ts));
    put(o, "event.kind", json_string("alert"));
    put(o, "event.category", json_pack("[s]", "intrusion_detection"));
    put(o, "event.dataset", json_string("ruru.correlation"));
    ecs_rule(o, rule);
    for (size_t g = 0; g < h->n_group; g++) {
        const char *name = json_string_value(json_array_get(by, g));
        if (name != NULL)
            json_object_set_new(group, name,
                                h->group[g] ? bytes_string(h->group[g], strlen(h->group[g]))
                                            : json_null());
    }
    put(o, "ruru.correlation.group", group);
    put(o, "ruru.correlation.first", json_string(ts));
    ruru_time_format(h->last, ts);
    put(o, "ruru.correlation.last", json_string(ts));
    put(o, "ruru.correlation.value", json_real(h->value));
    if (h->value_of != NULL)
        put(o, "ruru.correlation.value_of", bytes_string(h->value_of, strlen(h->value_of)));
    for (size_t i = 0; i < h->n_members; i++) {
        const struct ruru_sighting_member *m = &members[h->members[i]];
        json_t *e = member_json(m);
        put(e, "rule.id", json_incref(json_object_get(rule_of(s, m->rule), "id")));
        put(e, "rule.name", json_incref(json_object_get(rule_of(s, m->rule), "title")));
        json_array_append_new(list, e);
    }
    put(o, "ruru.members", list);
    put(o, "ruru.rule", json_incref(rule));
    s->text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return s->text;
}

/* The threat.* fields of an indicator sighting that has no single observed value. */
static void put_pattern_indicator(json_t *o, json_t *ind)
{
    json_t *enr = json_object(), *actors = ind ? json_object_get(ind, "actors") : NULL;
    json_t *names = json_array(), *a;
    size_t i;

    if (ind != NULL) {
        json_object_set_new(enr, "indicator", ecs_indicator(ind));
        put(enr, "matched.atomic", json_incref(json_object_get(ind, "value")));
    }
    put(enr, "matched.type", json_string("indicator_match_rule"));
    put(o, "threat.enrichments", json_pack("[o]", enr));
    json_array_foreach(actors, i, a)
    {
        json_t *n = json_object_get(a, "name");
        if (json_is_string(n))
            json_array_append(names, n);
    }
    if (json_array_size(names) > 0)
        put(o, "threat.group.name", names);
    else
        json_decref(names);
}

const char *ruru_pattern_sighting_json(struct ruru_sightings *s,
                                       uint32_t i,
                                       const struct ruru_sighting_member *members,
                                       size_t n_members)
{
    json_t *o = json_object(), *ind = indicator(s, i), *list = json_array();
    char ts[RURU_TIME_BUF];
    int64_t first = RURU_TIME_NONE, last = RURU_TIME_NONE;

    free(s->text);
    s->text = NULL;
    if (o == NULL || list == NULL) {
        json_decref(o);
        json_decref(list);
        return NULL;
    }
    for (size_t k = 0; k < n_members; k++) {
        int64_t t = members[k].time;
        if (t != RURU_TIME_NONE && (first == RURU_TIME_NONE || t < first))
            first = t;
        if (t != RURU_TIME_NONE && (last == RURU_TIME_NONE || t > last))
            last = t;
    }
    if (first != RURU_TIME_NONE) {
        ruru_time_format(first, ts);
        put(o, "@timestamp", json_string(ts));
        put(o, "ruru.pattern.first", json_string(ts));
        ruru_time_format(last, ts);
        put(o, "ruru.pattern.last", json_string(ts));
    }
    put(o, "event.kind", json_string("enrichment"));
    put(o, "event.category", json_pack("[s]", "threat"));
    put(o, "event.type", json_pack("[s]", "indicator"));
    put(o, "event.dataset", json_string("ruru.pattern"));
    put_pattern_indicator(o, ind);
    for (size_t k = 0; k < n_members; k++) {
        json_array_append_new(list, member_json(&members[k]));
    }
    put(o, "ruru.members", list);
    if (ind != NULL)
        put(o, "ruru.indicator", json_incref(ind));
    s->text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return s->text;
}
