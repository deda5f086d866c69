/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP galaxy cluster files (threat-actor.json, mitre-intrusion-set.json, ...): every value is
 * an entity - an actor, technique, malware or tool, by the galaxy's type - with its other
 * names, the state the galaxy suspects of sponsoring it, and `related` links to clusters of
 * other galaxies. Every link is handed on, whatever its type; the actor registry joins actors
 * on names and ids only and shows `similar` and the like as relations (actors.c).
 *
 * Worked example: threat-actor.json has the value
 *     {"value": "APT40", "uuid": "5b4b6980-...",
 *      "meta": {"synonyms": ["TEMP.Periscope", "Leviathan", ...],
 *               "name-attribution": ["APT40:da5c...", "GADOLINIUM:d0c3...", ...],
 *               "cfr-suspected-state-sponsor": "China", "country": "CN",
 *               "attribution-confidence": "50"},
 *      "related": [{"dest-uuid": "7113eaa5-...", "type": "similar"}, ...]}
 * which becomes the actor entity APT40 (ref 5b4b6980-..., sponsor "China", country CN,
 * confidence 50) with aliases TEMP.Periscope, Leviathan, ..., GADOLINIUM - the synonyms first,
 * then the attributed names without their ":uuid", each once ignoring ASCII case and never
 * the name itself - and the relation 5b4b6980-... similar 7113eaa5-.... In
 * mitre-intrusion-set.json, 7113eaa5-... is "Leviathan - G0065": the actor Leviathan with
 * external id G0065, whose `uses` relations point at the uuids of mitre-attack-pattern.json,
 * where "Exploit Public-Facing Application - T1190" is the technique with external id T1190.
 *
 * Aliases are made unique by sorting (key: ASCII-lower-cased text, then position) rather than
 * by comparing each with all before it, so a hostile value with a million synonyms costs
 * n log n, not n squared.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/galaxy_json.h"
#include "intel/intel.h"

/* The copies one galaxy value needs (name, aliases, ids) together; real values need a few
 * KiB, so 16 MiB only stops a hostile one, which is rejected as too large. */
#define MAX_VALUE_TEXT_BYTES (16u << 20)

/* A uuid as name-attribution appends it: "APT40:da5cdcd1-7b15-4371-b7eb-ca32916d2052". */
#define UUID_LEN 36

/*
 * cfr-suspected-state-sponsor as threat-actor.json writes it, to ISO 3166-1 alpha-2. The
 * first block is every name that occurs there (enumerated with Python over the file); the
 * rest are the usual variants of those states and the states of the galaxies' meta.country
 * codes, so that a newer galaxy that spells a state differently still maps. Compared
 * ignoring ASCII case and surrounding white space.
 */
static const struct {
    const char *name;
    char iso[3];
} SPONSORS[] = {
        /* as written in threat-actor.json */
        {"Belarus", "BY"},
        {"China", "CN"},
        {"France", "FR"},
        {"India", "IN"},
        {"Iran (Islamic Republic of)", "IR"},
        {"Israel", "IL"},
        {"Korea (Democratic People's Republic of)", "KP"},
        {"Korea (Republic of)", "KR"},
        {"Lebanon", "LB"},
        {"Pakistan", "PK"},
        {"Palestine", "PS"},
        {"People's Republic of China", "CN"},
        {"Russian Federation", "RU"},
        {"Spain", "ES"},
        {"United Arab Emirates", "AE"},
        {"United States", "US"},
        {"US", "US"},
        {"Vietnam", "VN"},
        /* variants */
        {"PRC", "CN"},
        {"Iran", "IR"},
        {"Islamic Republic of Iran", "IR"},
        {"North Korea", "KP"},
        {"DPRK", "KP"},
        {"Democratic People's Republic of Korea", "KP"},
        {"South Korea", "KR"},
        {"Republic of Korea", "KR"},
        {"Russia", "RU"},
        {"State of Palestine", "PS"},
        {"Palestine, State of", "PS"},
        {"UAE", "AE"},
        {"USA", "US"},
        {"United States of America", "US"},
        {"Viet Nam", "VN"},
        /* states of the galaxies' meta.country codes */
        {"Algeria", "DZ"},
        {"Austria", "AT"},
        {"Brazil", "BR"},
        {"Egypt", "EG"},
        {"Germany", "DE"},
        {"Indonesia", "ID"},
        {"Iraq", "IQ"},
        {"Italy", "IT"},
        {"Kazakhstan", "KZ"},
        {"Kenya", "KE"},
        {"Libya", "LY"},
        {"Malaysia", "MY"},
        {"Morocco", "MA"},
        {"Netherlands", "NL"},
        {"Nigeria", "NG"},
        {"Romania", "RO"},
        {"Saudi Arabia", "SA"},
        {"Singapore", "SG"},
        {"Syria", "SY"},
        {"Syrian Arab Republic", "SY"},
        {"Taiwan", "TW"},
        {"Tunisia", "TN"},
        {"Turkey", "TR"},
        {"Turkiye", "TR"},
        {"Ukraine", "UA"},
        {"United Kingdom", "GB"},
        {"UK", "GB"},
};

/* One candidate alias: a trimmed slice of a JSON string, and where it came in the list. */
struct alias {
    const char *ptr;
    size_t len;
    size_t idx; /* position among the candidates */
    size_t off; /* offset of its copy in galaxy.text, once copied */
    bool keep;
};

/* One import. The scratch members are reused from value to value. */
struct galaxy {
    const struct ruru_import_ctx *ctx;
    struct ruru_galaxy_json_pos pos; /* the elements of "values", for rejects */
    const char *source_type;         /* "misp-galaxy:<type>" */
    enum ruru_entity_kind kind;
    bool is_mitre;   /* a "mitre-*" galaxy: names end in " - <ATT&CK id>" */
    int64_t version; /* the file's "version", RURU_TIME_NONE without one */
    size_t i;        /* index of the value at hand */
    const char *uuid;
    struct ruru_buf text; /* NUL-terminated copies for the entity at hand */
    struct alias *cand;
    size_t n_cand, cap_cand;
    const char **aliases;
};

static enum ruru_err reject(struct galaxy *g, const char *value, const char *reason)
{
    return ruru_galaxy_json_reject(g->ctx, &g->pos, g->i, g->uuid, value, reason);
}

/* True when `word` is one of the '-'/'_'-separated words of `type` ("rat" is in
 * "mitre-rat", not in "operation"). */
static bool has_word(const char *type, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = type; (p = strstr(p, word)) != NULL; p++) {
        bool starts = p == type || p[-1] == '-' || p[-1] == '_';
        bool ends = p[n] == '\0' || p[n] == '-' || p[n] == '_';
        if (starts && ends)
            return true;
    }
    return false;
}

/* The entity kind of a galaxy type, or 0 for a galaxy that holds no actors, techniques,
 * malware or tools (sectors, countries, ...). The order matters: "mitre-malware" is malware
 * and "mitre-tool" a tool, but an "...-intrusion-set" stays an actor whatever else it says. */
static enum ruru_entity_kind kind_of(const char *type)
{
    if (strstr(type, "intrusion-set") || strstr(type, "threat-actor") ||
        strstr(type, "activity-group"))
        return RURU_ENTITY_ACTOR;
    if (strstr(type, "attack-pattern"))
        return RURU_ENTITY_TECHNIQUE;
    if (strstr(type, "malware") || strstr(type, "malpedia") || strstr(type, "ransomware") ||
        has_word(type, "rat"))
        return RURU_ENTITY_MALWARE;
    if (strstr(type, "tool"))
        return RURU_ENTITY_TOOL;
    return 0;
}

/* The ISO code of a sponsor name, or NULL. */
static const char *sponsor_iso(struct ruru_str name)
{
    for (size_t i = 0; i < sizeof(SPONSORS) / sizeof(SPONSORS[0]); i++)
        if (ruru_str_ieq(name, SPONSORS[i].name))
            return SPONSORS[i].iso;
    return NULL;
}

/* An ATT&CK id as the mitre galaxies append it: one to three capitals and four digits, with
 * a ".NNN" for sub-techniques (G0065, T1190, T1505.003, TA0011, S0001). */
static bool is_attack_id(const char *s, size_t n)
{
    size_t letters = 0;

    while (letters < n && letters < 3 && s[letters] >= 'A' && s[letters] <= 'Z')
        letters++;
    if (letters == 0 || (n != letters + 4 && n != letters + 8))
        return false;
    for (size_t k = letters; k < letters + 4; k++)
        if (!ruru_is_digit(s[k]))
            return false;
    if (n == letters + 8)
        return s[letters + 4] == '.' && ruru_is_digit(s[letters + 5]) &&
               ruru_is_digit(s[letters + 6]) && ruru_is_digit(s[letters + 7]);
    return true;
}

/* Splits "Leviathan - G0065" into the name and the id when the last " - " is followed by an
 * ATT&CK id and preceded by a name. OUT: *id (empty when there is none). */
static struct ruru_str split_attack_id(struct ruru_str value, struct ruru_str *id)
{
    const char *dash = NULL;

    *id = ruru_str_make(value.ptr, 0);
    for (size_t k = 0; k + 3 <= value.len; k++)
        if (memcmp(value.ptr + k, " - ", 3) == 0)
            dash = value.ptr + k;
    if (dash == NULL) {
        return value;
    } else {
        struct ruru_str tail = ruru_str_make(dash + 3, value.len - (size_t)(dash + 3 - value.ptr));
        struct ruru_str head = ruru_str_trim(ruru_str_make(value.ptr, (size_t)(dash - value.ptr)));
        if (head.len == 0 || !is_attack_id(tail.ptr, tail.len))
            return value;
        *id = tail;
        return head;
    }
}

static bool is_uuid(const char *s, size_t n)
{
    if (n != UUID_LEN)
        return false;
    for (size_t k = 0; k < n; k++) {
        bool dash = k == 8 || k == 13 || k == 18 || k == 23;
        if (dash ? s[k] != '-' : !ruru_is_xdigit(s[k]))
            return false;
    }
    return true;
}

/* Orders slices by their ASCII-lower-cased bytes. */
static int cmp_text(const struct alias *x, const struct alias *y)
{
    size_t n = x->len < y->len ? x->len : y->len;

    for (size_t k = 0; k < n; k++) {
        unsigned char cx = (unsigned char)ruru_lower(x->ptr[k]);
        unsigned char cy = (unsigned char)ruru_lower(y->ptr[k]);
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Orders by text, then by position, so that the first of equal texts sorts first. */
static int cmp_key(const void *a, const void *b)
{
    const struct alias *x = a, *y = b;
    int c = cmp_text(x, y);

    if (c != 0)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_idx(const void *a, const void *b)
{
    const struct alias *x = a, *y = b;

    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Adds a candidate alias (trimmed; empty ones are dropped). */
static enum ruru_err add_candidate(struct galaxy *g, struct ruru_str s)
{
    s = ruru_str_trim(s);
    if (s.len == 0)
        return RURU_OK;
    if (g->n_cand == g->cap_cand) {
        size_t cap = g->cap_cand ? g->cap_cand * 2 : 32;
        struct alias *c = ruru_realloc(g->cand, cap * sizeof(*c));
        if (c == NULL)
            return RURU_ENOMEM;
        g->cand = c;
        g->cap_cand = cap;
    }
    g->cand[g->n_cand].ptr = s.ptr;
    g->cand[g->n_cand].len = s.len;
    g->cand[g->n_cand].idx = g->n_cand;
    g->cand[g->n_cand].off = 0;
    g->cand[g->n_cand].keep = false;
    g->n_cand++;
    return RURU_OK;
}

/* Gathers meta.synonyms, then the names of meta.name-attribution ("APT40:<uuid>" gives
 * "APT40"; without a uuid after the last ':' the whole string is the name). */
static enum ruru_err gather_aliases(struct galaxy *g, json_t *meta)
{
    static const char *const fields[] = {"synonyms", "name-attribution"};
    static const char *const names[] = {"meta.synonyms", "meta.name-attribution"};
    enum ruru_err err = RURU_OK;

    g->n_cand = 0;
    for (size_t f = 0; f < 2 && err == RURU_OK; f++) {
        json_t *list = json_object_get(meta, fields[f]), *a;
        bool wrong = list != NULL && !json_is_array(list);
        size_t k;
        json_array_foreach(list, k, a)
        {
            struct ruru_str s;
            if (!json_is_string(a)) {
                wrong = true;
                continue;
            }
            s = ruru_str_make(json_string_value(a), json_string_length(a));
            if (f == 1) {
                const char *colon = NULL;
                for (size_t c = 0; c < s.len; c++)
                    if (s.ptr[c] == ':')
                        colon = s.ptr + c;
                if (colon != NULL && is_uuid(colon + 1, s.len - (size_t)(colon + 1 - s.ptr)))
                    s.len = (size_t)(colon - s.ptr);
            }
            err = add_candidate(g, s);
            if (err != RURU_OK)
                break;
        }
        if (err == RURU_OK && wrong)
            err = reject(g, names[f], RURU_GALAXY_WRONG_TYPE);
    }
    return err;
}

/* Keeps the first of each set of candidates equal ignoring ASCII case, none equal to the
 * name, and leaves them in list order. Returns how many are kept (at the front of cand). */
static size_t unique_aliases(struct galaxy *g, struct ruru_str name)
{
    struct alias self = {name.ptr, name.len, 0, 0, false};
    size_t n = 0;

    if (g->n_cand == 0)
        return 0; /* qsort wants a non-NULL base even for no elements */
    qsort(g->cand, g->n_cand, sizeof(*g->cand), cmp_key);
    for (size_t k = 0; k < g->n_cand; k++)
        g->cand[k].keep = (k == 0 || cmp_text(&g->cand[k - 1], &g->cand[k]) != 0) &&
                          cmp_text(&self, &g->cand[k]) != 0;
    qsort(g->cand, g->n_cand, sizeof(*g->cand), cmp_idx);
    for (size_t k = 0; k < g->n_cand; k++)
        if (g->cand[k].keep)
            g->cand[n++] = g->cand[k];
    return n;
}

/* attribution-confidence: 0..100 as a JSON number or a decimal string. OUT: *conf (-1 when
 * absent or malformed); returns false when present but malformed. */
static bool confidence_of(json_t *v, int *conf)
{
    *conf = -1;
    if (v == NULL)
        return true;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0 || json_integer_value(v) > 100)
            return false;
        *conf = (int)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        if (!(json_real_value(v) >= 0 && json_real_value(v) <= 100))
            return false;
        *conf = (int)json_real_value(v);
        return true;
    }
    if (json_is_string(v)) {
        struct ruru_str s =
                ruru_str_trim(ruru_str_make(json_string_value(v), json_string_length(v)));
        int n = 0;
        /* Three digits reach 100; more are out of range whatever they say. */
        if (s.len == 0 || s.len > 3)
            return false;
        for (size_t k = 0; k < s.len; k++) {
            if (!ruru_is_digit(s.ptr[k]))
                return false;
            n = n * 10 + (s.ptr[k] - '0');
        }
        if (n > 100)
            return false;
        *conf = n;
        return true;
    }
    return false;
}

/* A string member: NULL when absent; when present with another type, a reject naming
 * `field`. OUT: *err. */
static const char *
string_member(struct galaxy *g, json_t *obj, const char *key, const char *field, enum ruru_err *err)
{
    json_t *v = json_object_get(obj, key);

    if (v != NULL && !json_is_string(v)) {
        if (*err == RURU_OK)
            *err = reject(g, field, RURU_GALAXY_WRONG_TYPE);
        return NULL;
    }
    return json_string_value(v);
}

/* Appends a NUL-terminated copy to g->text. OUT: *off, where it starts. */
static enum ruru_err keep_text(struct galaxy *g, struct ruru_str s, size_t *off)
{
    enum ruru_err err;

    *off = g->text.len;
    err = ruru_buf_add(&g->text, s.ptr, s.len);
    if (err == RURU_OK)
        err = ruru_buf_addc(&g->text, '\0');
    return err;
}

/* The relations of one value; `uuid` is its ref. */
static enum ruru_err emit_relations(struct galaxy *g, json_t *v)
{
    const struct ruru_intel_sink *s = g->ctx->sink;
    json_t *related = json_object_get(v, "related"), *r;
    enum ruru_err err = RURU_OK;
    size_t k;

    if (related != NULL && !json_is_array(related))
        return reject(g, "related", RURU_GALAXY_WRONG_TYPE);
    json_array_foreach(related, k, r)
    {
        struct ruru_intel_relation rel;
        const char *dst = json_string_value(json_object_get(r, "dest-uuid"));
        const char *type = json_string_value(json_object_get(r, "type"));
        if (dst == NULL || type == NULL || *dst == '\0' || *type == '\0') {
            err = reject(g, NULL, "related entry without dest-uuid or type");
        } else if (s->relation != NULL) {
            ruru_intel_relation_init(&rel);
            rel.src = g->uuid;
            rel.type = type;
            rel.dst = dst;
            rel.modified = g->version;
            err = s->relation(s->ctx, &rel);
        }
        if (err != RURU_OK)
            break;
    }
    return err;
}

/* The name (trimmed; in mitre-* galaxies without its ATT&CK id) and the external id
 * (meta.external_id, else that ATT&CK id). OUT: *name, *id (empty: none). */
static enum ruru_err names_of(struct galaxy *g,
                              struct ruru_str value,
                              json_t *meta,
                              struct ruru_str *name,
                              struct ruru_str *id)
{
    json_t *ext = json_object_get(meta, "external_id");

    *id = ruru_str_make(value.ptr, 0);
    *name = g->is_mitre ? split_attack_id(value, id) : value;
    if (json_is_array(ext))
        ext = json_array_get(ext, 0);
    if (json_is_string(ext)) {
        struct ruru_str x =
                ruru_str_trim(ruru_str_make(json_string_value(ext), json_string_length(ext)));
        if (x.len > 0)
            *id = x;
        return RURU_OK;
    }
    return ext == NULL ? RURU_OK : reject(g, "meta.external_id", RURU_GALAXY_WRONG_TYPE);
}

/* The sponsoring state: the sponsor as written and its ISO code, or - without a sponsor - the
 * galaxy's two-letter meta.country (upper-cased into `buf`). OUT: e->sponsor, e->country. */
static enum ruru_err
state_of(struct galaxy *g, json_t *meta, struct ruru_intel_entity *e, char *buf)
{
    enum ruru_err err = RURU_OK;
    const char *sponsor = string_member(g, meta, "cfr-suspected-state-sponsor",
                                        "meta.cfr-suspected-state-sponsor", &err);
    const char *country = string_member(g, meta, "country", "meta.country", &err);
    struct ruru_str c;

    if (err != RURU_OK)
        return err;
    if (sponsor != NULL) {
        struct ruru_str sp = ruru_str_trim(ruru_str_make(sponsor, strlen(sponsor)));
        /* "Unknown" names no state: the actor then has no sponsor claim at all. */
        if (sp.len > 0 && !ruru_str_ieq(sp, "unknown")) {
            e->sponsor = sponsor;
            e->country = sponsor_iso(sp);
            return e->country != NULL ? RURU_OK : reject(g, sponsor, "unknown sponsor state");
        }
    }
    if (country == NULL)
        return RURU_OK;
    c = ruru_str_trim(ruru_str_make(country, strlen(country)));
    if (c.len == 2 && ruru_is_alpha(c.ptr[0]) && ruru_is_alpha(c.ptr[1])) {
        buf[0] = (char)(ruru_lower(c.ptr[0]) - 'a' + 'A');
        buf[1] = (char)(ruru_lower(c.ptr[1]) - 'a' + 'A');
        buf[2] = '\0';
        e->country = buf;
        return RURU_OK;
    }
    return c.len > 0 ? reject(g, country, "malformed country code") : RURU_OK;
}

/* meta.attribution-confidence. OUT: *conf, -1 when absent or unusable. */
static enum ruru_err confidence_member(struct galaxy *g, json_t *meta, int *conf)
{
    json_t *c = json_object_get(meta, "attribution-confidence");

    if (confidence_of(c, conf))
        return RURU_OK;
    if (json_is_string(c))
        return reject(g, json_string_value(c), "malformed attribution-confidence");
    if (json_is_number(c))
        return reject(g, "meta.attribution-confidence", "malformed attribution-confidence");
    return reject(g, "meta.attribution-confidence", RURU_GALAXY_WRONG_TYPE);
}

/* Copies the name, the id and the first n_aliases candidates into g->text and points the
 * entity at them. The copies come last because g->text may move while it grows. */
static enum ruru_err keep_names(struct galaxy *g,
                                struct ruru_intel_entity *e,
                                struct ruru_str name,
                                struct ruru_str id,
                                size_t n_aliases)
{
    size_t name_off, id_off = 0;
    enum ruru_err err = keep_text(g, name, &name_off);

    if (err == RURU_OK && id.len > 0)
        err = keep_text(g, id, &id_off);
    for (size_t k = 0; k < n_aliases && err == RURU_OK; k++)
        err = keep_text(g, ruru_str_make(g->cand[k].ptr, g->cand[k].len), &g->cand[k].off);
    if (err == RURU_ELIMIT)
        return reject(g, NULL, "galaxy value too large");
    if (err != RURU_OK)
        return err;
    if (n_aliases > 0) {
        const char **a = ruru_realloc(g->aliases, n_aliases * sizeof(*a));
        if (a == NULL)
            return RURU_ENOMEM;
        g->aliases = a;
        for (size_t k = 0; k < n_aliases; k++)
            a[k] = g->text.ptr + g->cand[k].off;
    }
    e->name = g->text.ptr + name_off;
    e->external_id = id.len > 0 ? g->text.ptr + id_off : NULL;
    e->aliases = g->aliases;
    e->n_aliases = n_aliases;
    return RURU_OK;
}

/* One element of "values": its rejects, its entity, its relations. Returns RURU_ENOMEM for
 * our own failures, else what the sink returned. */
static enum ruru_err one_value(struct galaxy *g, json_t *v)
{
    const struct ruru_intel_sink *s = g->ctx->sink;
    struct ruru_intel_entity e;
    json_t *meta, *revoked;
    struct ruru_str value, name, id;
    size_t n_aliases = 0;
    char country[3];
    enum ruru_err err = RURU_OK;

    g->uuid = NULL;
    if (!json_is_object(v))
        return reject(g, NULL, "galaxy value is not an object");
    g->uuid = json_string_value(json_object_get(v, "uuid"));
    value = ruru_str_trim(ruru_str_make(json_string_value(json_object_get(v, "value")),
                                        json_string_length(json_object_get(v, "value"))));
    if (g->uuid == NULL || *g->uuid == '\0' || value.len == 0)
        return reject(g, NULL, "galaxy value without uuid or name");

    ruru_intel_entity_init(&e);
    ruru_buf_reset(&g->text);
    meta = json_object_get(v, "meta");
    if (meta != NULL && !json_is_object(meta)) {
        err = reject(g, "meta", RURU_GALAXY_WRONG_TYPE);
        meta = NULL;
    }
    if (err == RURU_OK)
        err = names_of(g, value, meta, &name, &id);
    if (err == RURU_OK)
        err = gather_aliases(g, meta);
    if (err == RURU_OK) {
        n_aliases = unique_aliases(g, name);
        err = state_of(g, meta, &e, country);
    }
    if (err == RURU_OK)
        err = confidence_member(g, meta, &e.confidence);
    if (err == RURU_OK)
        e.description = string_member(g, v, "description", "description", &err);
    revoked = json_object_get(v, "revoked");
    if (err == RURU_OK && revoked != NULL && !json_is_boolean(revoked))
        err = reject(g, "revoked", RURU_GALAXY_WRONG_TYPE);
    if (err == RURU_OK)
        err = keep_names(g, &e, name, id, n_aliases);
    if (err != RURU_OK || e.name == NULL)
        return err; /* e.name NULL: the value was too large, and rejected */
    e.ref = g->uuid;
    e.kind = g->kind;
    e.source_type = g->source_type;
    e.revoked = json_is_true(revoked);
    e.modified = g->version;
    if (s->entity != NULL)
        err = s->entity(s->ctx, &e);
    if (err != RURU_OK)
        return err;
    return emit_relations(g, v);
}

enum ruru_err ruru_galaxy_import(const char *data,
                                 size_t len,
                                 const struct ruru_import_ctx *ctx,
                                 struct ruru_diag *diag)
{
    struct galaxy g;
    json_t *root = NULL, *values, *v, *version;
    const char *type;
    char *label = NULL;
    enum ruru_err err;
    size_t i;

    memset(&g, 0, sizeof(g));
    ruru_buf_init(&g.text, MAX_VALUE_TEXT_BYTES);
    err = ruru_galaxy_json_load(data, len, ctx, &root, diag);
    if (err != RURU_OK)
        goto out;
    type = json_string_value(json_object_get(root, "type"));
    values = json_object_get(root, "values");
    if (type == NULL || !json_is_array(values)) {
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, 1, 1,
                            "not a MISP galaxy cluster file (no \"type\" and \"values\")");
        goto out;
    }
    g.ctx = ctx;
    ruru_galaxy_json_pos_init(&g.pos, data, len, "values");
    g.kind = kind_of(type);
    if (g.kind == 0) {
        /* Sectors, countries, tools of influence ...: not the model's kinds, so nothing of
         * the file is imported, and one rejection says why. */
        err = ruru_galaxy_json_reject(ctx, NULL, 0,
                                      json_string_value(json_object_get(root, "uuid")), type,
                                      "unsupported galaxy type");
        goto out;
    }
    g.is_mitre = strncmp(type, "mitre-", 6) == 0;
    g.version = RURU_TIME_NONE;
    version = json_object_get(root, "version");
    if (json_is_integer(version))
        g.version = json_integer_value(version);
    else if (version != NULL)
        err = ruru_galaxy_json_reject(ctx, NULL, 0, NULL, "version", RURU_GALAXY_WRONG_TYPE);
    if (err == RURU_OK) {
        size_t n = strlen(type);
        label = ruru_malloc(sizeof("misp-galaxy:") + n);
        if (label == NULL) {
            err = RURU_ENOMEM;
        } else {
            memcpy(label, "misp-galaxy:", sizeof("misp-galaxy:") - 1);
            memcpy(label + sizeof("misp-galaxy:") - 1, type, n + 1);
        }
    }
    g.source_type = label;
    json_array_foreach(values, i, v)
    {
        if (err != RURU_OK)
            break;
        g.i = i;
        err = one_value(&g, v);
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
out:
    ruru_free(g.cand);
    ruru_free(g.aliases);
    ruru_buf_fini(&g.text);
    ruru_free(label);
    json_decref(root);
    return err;
}
