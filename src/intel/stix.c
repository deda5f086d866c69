/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STIX 2.1 bundles (also a bare object or an array of objects), parsed whole with jansson and
 * read in two passes so that references resolve whatever the order of the objects. The first
 * pass indexes what other objects refer to: TLP marking definitions, the countries of
 * `location` objects and the `originates-from` relationships that give an actor its country.
 * The second pass hands each object to the sink. Indicators with simple patterns become typed
 * indicators ("[ipv4-addr:value = '198.51.100.1']" is ipv4 198.51.100.1); every other pattern
 * is kept whole (type stix-pattern) for the pattern engine (stix_pattern.c decides which).
 * Observables (observed-data, what an infrastructure consists of) are stix_observed.c's.
 * Rejects are placed at the line and column of their object (base/jloc.c).
 *
 * Example: an indicator whose pattern ORs two values yields two indicators with refs
 * "<indicator id>#1" and "#2", both with object_ref the indicator id, so that a relationship
 * "indicator --indicates--> intrusion-set" links both to the actor. An intrusion-set that
 * `originates-from` a location with country "cn" is emitted with country "CN", even when the
 * relationship and the location come after it in the bundle.
 *
 * The mapping, the rejection phrases and the limits are in docs/internals/stix.md.
 */
#include <jansson.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"
#include "intel/stix_int.h"
#include "intel/stix_pattern.h"

/* Labels kept per indicator (labels plus indicator_types). STIX producers write a handful;
 * the bound keeps the array on the stack, and labels past it are dropped. */
#define MAX_LABELS 64
/* Aliases kept per entity. The largest alias lists in public intel (MISP galaxy actors,
 * ATT&CK groups) hold a few dozen names; the bound keeps the array on the stack. */
#define MAX_ALIASES 256
/* pattern_type is a vocabulary word ("stix", "sigma", "suricata", ...); a longer one is not
 * a pattern language and would only bloat the indicator's context. */
#define MAX_PATTERN_TYPE 64

/* The extension that carries TLP 2.0 (OASIS cti-stix-common-objects, tlp-2.0). */
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* The TLP marking definitions with fixed ids: TLP 1.0 from STIX 2.1 §7.2.1.4 (white is TLP
 * 2.0's clear), TLP 2.0 from the extension's schema. Producers refer to them without
 * including them in the bundle. */
static const struct {
    const char *id;
    const char *tlp;
} TLP_IDS[] = {
        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "clear"},
        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"},
        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
        {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"},
        {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"},
        {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"},
        {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"},
        {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"},
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"},
};

/* Hands a rejection to the sink, placed at the object being read: the line and column of
 * its '{', found by the JSON locator along the object's path (objects are read in document
 * order, so all the rejects of an import cost about one pass over the bytes). */
enum ruru_err
ruru_stix_reject(struct stix *st, const char *object, const char *value, const char *reason)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_reject r;

    if (s->reject == NULL)
        return RURU_OK;
    memset(&r, 0, sizeof(r));
    if (st->placed)
        ruru_jloc_find(&st->loc, st->path, st->depth, &r.line, &r.col);
    r.object_ref = object;
    r.value = value;
    r.reason = reason;
    return s->reject(s->ctx, &r);
}

static enum ruru_err
reject(struct stix *st, const char *object, const char *value, const char *reason)
{
    return ruru_stix_reject(st, object, value, reason);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A string property that is present, a string and not empty; else NULL. */
static const char *nonempty(json_t *o, const char *k)
{
    const char *s = str(o, k);

    return s != NULL && *s != '\0' ? s : NULL;
}

/* A time property: *out stays RURU_TIME_NONE when absent; false when present but not an
 * RFC 3339 string. */
static bool time_prop(json_t *o, const char *k, int64_t *out)
{
    json_t *v = json_object_get(o, k);

    *out = RURU_TIME_NONE;
    if (v == NULL)
        return true;
    if (!json_is_string(v))
        return false;
    return ruru_time_parse(json_string_value(v), json_string_length(v), out);
}

/* `modified`, else `created` (the first version has only the latter); false when either is
 * malformed. */
static bool version_time(json_t *o, int64_t *modified)
{
    int64_t created;

    if (!time_prop(o, "created", &created) || !time_prop(o, "modified", modified))
        return false;
    if (*modified == RURU_TIME_NONE)
        *modified = created;
    return true;
}

static int confidence(json_t *o)
{
    json_t *v = json_object_get(o, "confidence");

    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100)
        return (int)json_integer_value(v);
    return -1;
}

static const char *tlp_word(const char *s)
{
    return s != NULL ? ruru_tlp_parse(s, strlen(s)) : NULL;
}

/* The most restrictive TLP among the object's markings, or NULL. */
const char *ruru_stix_object_tlp(struct stix *st, json_t *o)
{
    json_t *m;
    size_t i;
    const char *best = NULL;

    json_array_foreach(json_object_get(o, "object_marking_refs"), i, m)
    {
        const char *id = json_string_value(m), *t = NULL;
        if (id == NULL)
            continue;
        for (size_t k = 0; k < sizeof(TLP_IDS) / sizeof(TLP_IDS[0]) && t == NULL; k++)
            if (strcmp(id, TLP_IDS[k].id) == 0)
                t = TLP_IDS[k].tlp;
        if (t == NULL)
            t = json_string_value(json_object_get(st->tlp_by_id, id));
        if (t != NULL && ruru_tlp_rank(t) > ruru_tlp_rank(best))
            best = t;
    }
    return best;
}

/* The TLP a marking-definition defines: TLP 2.0 through its extension (tlp_2_0, else the
 * name "TLP:AMBER+STRICT"), TLP 1.0 through definition_type "tlp" and definition.tlp (some
 * producers write "TLP" and "TLP:AMBER"), else NULL (statements, PAP, ...). */
static const char *marking_tlp(json_t *o)
{
    json_t *ext = json_object_get(json_object_get(o, "extensions"), TLP2_EXTENSION);
    json_t *def = json_object_get(o, "definition");
    const char *dt = str(o, "definition_type"), *t;

    if (ext != NULL) {
        t = tlp_word(str(ext, "tlp_2_0"));
        return t != NULL ? t : tlp_word(str(o, "name"));
    }
    if (dt == NULL || ruru_ascii_casecmp(dt, "tlp") != 0)
        return NULL;
    t = tlp_word(str(def, "tlp"));
    if (t == NULL)
        t = tlp_word(str(def, "TLP"));
    return t != NULL ? t : tlp_word(str(o, "name"));
}

/* First pass: marking definitions, locations, originates-from. */
static void index_objects(struct stix *st)
{
    json_t *o, *origins = json_array();
    size_t i;

    json_array_foreach(st->objects, i, o)
    {
        const char *type = str(o, "type"), *id = str(o, "id");
        if (type == NULL || id == NULL)
            continue;
        ruru_stix_index_observable(st, o, type, id);
        if (strcmp(type, "marking-definition") == 0) {
            const char *t = marking_tlp(o);
            if (t != NULL)
                json_object_set_new(st->tlp_by_id, id, json_string(t));
        } else if (strcmp(type, "location") == 0) {
            /* ISO 3166-1 alpha-2; anything else (a region, "CHN") gives no country. */
            const char *c = str(o, "country");
            if (c != NULL && strlen(c) == 2 && ruru_is_alpha(c[0]) && ruru_is_alpha(c[1])) {
                char up[3] = {(char)(c[0] & ~0x20), (char)(c[1] & ~0x20), 0};
                json_object_set_new(st->country_by_loc, id, json_string(up));
            }
        } else if (strcmp(type, "relationship") == 0) {
            const char *rt = str(o, "relationship_type");
            if (rt != NULL && strcmp(rt, "originates-from") == 0 &&
                !json_is_true(json_object_get(o, "revoked")))
                json_array_append(origins, o);
        }
    }
    /* Locations may come after the relationships that name them: resolve once all are
     * known. The first relationship that leads to a country wins. */
    json_array_foreach(origins, i, o)
    {
        const char *src = str(o, "source_ref"), *dst = str(o, "target_ref"), *c;
        if (src == NULL || dst == NULL || json_object_get(st->country_by_actor, src) != NULL)
            continue;
        c = json_string_value(json_object_get(st->country_by_loc, dst));
        if (c != NULL)
            json_object_set_new(st->country_by_actor, src, json_string(c));
    }
    json_decref(origins);
}

/* Appends the strings of arr to out[n..max), skipping empty ones; returns the new count. */
static size_t string_list(json_t *arr, const char **out, size_t n, size_t max)
{
    json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s != NULL && *s != '\0' && n < max)
            out[n++] = s;
    }
    return n;
}

static enum ruru_err emit_indicator(struct stix *st, const struct ruru_intel_indicator *ind)
{
    const struct ruru_intel_sink *s = st->ctx->sink;

    return s->indicator != NULL ? s->indicator(s->ctx, ind) : RURU_OK;
}

/* A pattern kept whole: trimmed, otherwise as written (multi-line Sigma and YARA included). */
static enum ruru_err emit_whole(struct stix *st, struct ruru_intel_indicator *ind, const char *pat)
{
    struct ruru_str t = ruru_str_trim(ruru_str_make(pat, strlen(pat)));

    if (t.len == 0)
        return reject(st, ind->object_ref, NULL, "indicator without pattern");
    ruru_buf_reset(&st->canon);
    if (ruru_buf_add(&st->canon, t.ptr, t.len) != RURU_OK)
        return RURU_ENOMEM;
    ind->type = RURU_IOC_PATTERN;
    ind->ref = ind->object_ref;
    ind->value = ruru_buf_str(&st->canon);
    ind->raw = t.len != strlen(pat) ? pat : NULL;
    return emit_indicator(st, ind);
}

/* Whether a normalised value fits the path it came from: the address family of ipv4-addr /
 * ipv6-addr, and an address (or, as STIX allows for network-traffic, a host name) for
 * dst_ref / src_ref. NULL when it fits, else the rejection phrase. */
static const char *family_mismatch(enum ruru_ioc_type path, enum ruru_ioc_type got, const char *raw)
{
    bool colon = strchr(raw, ':') != NULL;

    if (path == RURU_IOC_CIDR4 && colon)
        return "malformed IPv4 address";
    if (path == RURU_IOC_CIDR6 && !colon)
        return "malformed IPv6 address";
    if (path == RURU_IOC_NONE && got != RURU_IOC_IPV4 && got != RURU_IOC_IPV6 &&
        got != RURU_IOC_CIDR4 && got != RURU_IOC_CIDR6 && got != RURU_IOC_DOMAIN)
        return "not an address";
    return NULL;
}

/* The typed values of a simple pattern, one indicator each. */
static enum ruru_err emit_values(struct stix *st,
                                 struct ruru_intel_indicator *ind,
                                 const struct ruru_stix_value *vals,
                                 size_t n_vals)
{
    const char *id = ind->object_ref;
    enum ruru_err err = RURU_OK;

    for (size_t k = 0; k < n_vals && err == RURU_OK; k++) {
        enum ruru_ioc_type t = vals[k].type;
        const char *raw = st->values.ptr + vals[k].off, *reason;
        if (!ruru_ioc_normalize(&t, raw, vals[k].len, &st->ctx->norm, &st->canon, &reason)) {
            if (strcmp(reason, "out of memory") == 0)
                return RURU_ENOMEM;
            err = reject(st, id, raw, reason);
            continue;
        }
        reason = family_mismatch(vals[k].type, t, raw);
        if (reason != NULL) {
            err = reject(st, id, raw, reason);
            continue;
        }
        ruru_buf_reset(&st->ref);
        if (n_vals == 1)
            ruru_buf_adds(&st->ref, id);
        else
            ruru_buf_addf(&st->ref, "%s#%zu", id, k + 1);
        if (st->ref.failed)
            return RURU_ENOMEM;
        ind->ref = ruru_buf_str(&st->ref);
        ind->type = t;
        ind->value = ruru_buf_str(&st->canon);
        ind->raw = strcmp(raw, ind->value) != 0 ? raw : NULL;
        err = emit_indicator(st, ind);
    }
    return err;
}

static enum ruru_err do_indicator(struct stix *st, json_t *o, const char *id)
{
    struct ruru_intel_indicator ind;
    json_t *ptype_v = json_object_get(o, "pattern_type");
    const char *pattern = str(o, "pattern"), *ptype = json_string_value(ptype_v);
    const char *labels[MAX_LABELS], *actors[MAX_LABELS], *err_text = NULL;
    struct ruru_stix_value vals[RURU_STIX_MAX_VALUES];
    size_t n_vals = 0, err_pos = 0, n_labels, n_actors = 0;
    enum ruru_err err;

    if (pattern == NULL)
        return reject(st, id, NULL, "indicator without pattern");
    if (ptype_v != NULL && (ptype == NULL || *ptype == '\0' || strlen(ptype) > MAX_PATTERN_TYPE))
        return reject(st, id, ptype, "malformed pattern_type");
    ruru_intel_indicator_init(&ind);
    ind.object_ref = id;
    if (!time_prop(o, "valid_from", &ind.valid_from) ||
        !time_prop(o, "valid_until", &ind.valid_until) || !version_time(o, &ind.modified))
        return reject(st, id, NULL, "malformed timestamp");
    ind.revoked = json_is_true(json_object_get(o, "revoked"));
    ind.confidence = confidence(o);
    ind.created_by = nonempty(o, "created_by_ref");
    ind.description = nonempty(o, "description") ? nonempty(o, "description") : nonempty(o, "name");
    ind.tlp = ruru_stix_object_tlp(st, o);
    n_labels = string_list(json_object_get(o, "labels"), labels, 0, MAX_LABELS);
    n_labels = string_list(json_object_get(o, "indicator_types"), labels, n_labels, MAX_LABELS);
    ind.labels = labels;
    ind.n_labels = n_labels;
    /* Tied to the actors that use the infrastructure it indicates (the store links the rest
     * through its relationships). */
    ruru_stix_indicated_actors(st, id, actors, &n_actors, MAX_LABELS);
    ind.actors = actors;
    ind.n_actors = n_actors;
    if (ptype != NULL && ruru_ascii_casecmp(ptype, "stix") != 0) {
        /* Sigma, YARA, Snort, Suricata, PCRE ...: kept whole, with the language noted. */
        ruru_buf_reset(&st->ctxbuf);
        if (ruru_buf_addf(&st->ctxbuf, "pattern_type=%s", ptype) != RURU_OK)
            return RURU_ENOMEM;
        ind.context = ruru_buf_str(&st->ctxbuf);
        return emit_whole(st, &ind, pattern);
    }
    err = ruru_stix_split(pattern, strlen(pattern), vals, &n_vals, &st->values, &err_text,
                          &err_pos);
    if (err == RURU_EPARSE)
        return reject(st, id, pattern,
                      strcmp(err_text, RURU_STIX_ERR_QUALIFIER_TWICE) == 0 ||
                                      strcmp(err_text, RURU_STIX_ERR_NOT_A_WINDOW) == 0 ||
                                      strcmp(err_text, RURU_STIX_ERR_BAD_HASH) == 0 ||
                                      strcmp(err_text, RURU_STIX_ERR_TOO_MANY_OPS) == 0 ||
                                      strcmp(err_text, RURU_STIX_ERR_PATH_TOO_LONG) == 0
                              ? err_text
                              : "malformed STIX pattern");
    if (err != RURU_OK)
        return err;
    if (n_vals == 0)
        return emit_whole(st, &ind, pattern);
    return emit_values(st, &ind, vals, n_vals);
}

/* Whether `s` is already among out[0..n), ASCII case ignored. */
static bool listed(const char *const *out, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (ruru_ascii_casecmp(out[i], s) == 0)
            return true;
    return false;
}

/* aliases, then ATT&CK's x_mitre_aliases (its software objects), in order, each once,
 * without the name itself. */
static size_t aliases(json_t *o, const char *name, const char **out)
{
    static const char *const keys[] = {"aliases", "x_mitre_aliases"};
    size_t n = 0;

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        json_t *v;
        size_t i;
        json_array_foreach(json_object_get(o, keys[k]), i, v)
        {
            const char *s = json_string_value(v);
            if (s != NULL && *s != '\0' && n < MAX_ALIASES && ruru_ascii_casecmp(s, name) != 0 &&
                !listed(out, n, s))
                out[n++] = s;
        }
    }
    return n;
}

static enum ruru_err
do_entity(struct stix *st, json_t *o, const char *id, const char *type, enum ruru_entity_kind kind)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_entity e;
    const char *names[MAX_ALIASES];
    json_t *ref;
    size_t i;

    ruru_intel_entity_init(&e);
    e.ref = id;
    e.kind = kind;
    e.source_type = type;
    e.name = nonempty(o, "name");
    if (e.name == NULL)
        return reject(st, id, NULL, "object without name");
    if (!version_time(o, &e.modified))
        return reject(st, id, NULL, "malformed timestamp");
    e.n_aliases = aliases(o, e.name, names);
    e.aliases = names;
    e.description = nonempty(o, "description");
    e.confidence = confidence(o);
    e.revoked = json_is_true(json_object_get(o, "revoked"));
    if (kind == RURU_ENTITY_ACTOR)
        e.country = json_string_value(json_object_get(st->country_by_actor, id));
    json_array_foreach(json_object_get(o, "external_references"), i, ref)
    {
        const char *sn = str(ref, "source_name");
        if (sn != NULL && strcmp(sn, "mitre-attack") == 0 && nonempty(ref, "external_id")) {
            e.external_id = nonempty(ref, "external_id");
            break;
        }
    }
    return s->entity != NULL ? s->entity(s->ctx, &e) : RURU_OK;
}

static enum ruru_err do_relationship(struct stix *st, json_t *o, const char *id)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_relation r;

    ruru_intel_relation_init(&r);
    r.ref = id;
    r.src = nonempty(o, "source_ref");
    r.dst = nonempty(o, "target_ref");
    r.type = nonempty(o, "relationship_type");
    if (r.src == NULL || r.dst == NULL || r.type == NULL)
        return reject(st, id, NULL, "relationship without source_ref, target_ref or type");
    if (!version_time(o, &r.modified))
        return reject(st, id, NULL, "malformed timestamp");
    r.confidence = confidence(o);
    r.revoked = json_is_true(json_object_get(o, "revoked"));
    return s->relation != NULL ? s->relation(s->ctx, &r) : RURU_OK;
}

static enum ruru_err do_object(struct stix *st, json_t *o)
{
    static const struct {
        const char *type;
        enum ruru_entity_kind kind;
    } entities[] = {
            {"intrusion-set", RURU_ENTITY_ACTOR}, {"threat-actor", RURU_ENTITY_ACTOR},
            {"campaign", RURU_ENTITY_CAMPAIGN},   {"malware", RURU_ENTITY_MALWARE},
            {"tool", RURU_ENTITY_TOOL},           {"attack-pattern", RURU_ENTITY_TECHNIQUE},
            {"identity", RURU_ENTITY_IDENTITY},   {"infrastructure", RURU_ENTITY_INFRASTRUCTURE},
    };
    const char *type = nonempty(o, "type"), *id = nonempty(o, "id");

    if (type == NULL || id == NULL)
        return reject(st, id, NULL, "object without type or id");
    if (strcmp(type, "indicator") == 0)
        return do_indicator(st, o, id);
    if (strcmp(type, "relationship") == 0)
        return do_relationship(st, o, id);
    if (strcmp(type, "observed-data") == 0)
        return ruru_stix_observed_data(st, o, id);
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
        if (strcmp(type, entities[i].type) == 0) {
            enum ruru_err err = do_entity(st, o, id, type, entities[i].kind);
            if (err == RURU_OK && entities[i].kind == RURU_ENTITY_INFRASTRUCTURE)
                err = ruru_stix_infrastructure(st, o, id);
            return err;
        }
    }
    return RURU_OK; /* locations, markings, reports, notes, sightings, SCOs ...: not emitted */
}

/* The array of objects in `root`, a new reference; NULL with *why set when root is none of
 * bundle, object, array. */
static json_t *objects_of(struct stix *st, json_t *root, const char **why)
{
    json_t *objs = json_object_get(root, "objects"), *arr;

    /* The path of object i for the locator: [i], ["objects", i], or [] for a bare object. */
    st->depth = 1;
    if (json_is_array(root))
        return json_incref(root);
    st->path[0].key = "objects";
    st->depth = 2;
    if (objs != NULL) {
        *why = "bundle without an objects array";
        return json_is_array(objs) ? json_incref(objs) : NULL;
    }
    *why = "not a STIX bundle, object or list of objects";
    st->depth = 0;
    if (!json_is_object(root) || str(root, "type") == NULL)
        return NULL;
    arr = json_array();
    if (arr != NULL && json_array_append(arr, root) != 0) {
        json_decref(arr);
        arr = NULL;
    }
    *why = "out of memory";
    return arr;
}

enum ruru_err ruru_stix_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr), *o;
    struct stix st;
    enum ruru_err err = RURU_OK;
    const char *why = NULL;
    /* Every string a buffer holds comes from the document (a pattern's literals are shorter
     * than the pattern, plus one NUL each), so the document's size bounds them all: only a
     * failed allocation can stop an append. */
    size_t cap = len + RURU_STIX_MAX_VALUES + 64;
    size_t i;

    if (root == NULL) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    }
    memset(&st, 0, sizeof(st));
    st.ctx = ctx;
    ruru_jloc_init(&st.loc, data, len);
    st.objects = objects_of(&st, root, &why);
    json_decref(root);
    if (st.objects == NULL) {
        err = strcmp(why, "out of memory") == 0 ? RURU_ENOMEM : RURU_EPARSE;
        return ruru_diag_set(diag, err, ctx->path, 1, 1, "%s", why);
    }
    st.tlp_by_id = json_object();
    st.country_by_loc = json_object();
    st.country_by_actor = json_object();
    st.sco_by_id = json_object();
    st.infra_parts = json_object();
    st.infra_actors = json_object();
    st.ind_infras = json_object();
    ruru_buf_init(&st.values, cap);
    /* A normalised URL may grow: a stray '%' becomes "%25", never more than 3x. */
    ruru_buf_init(&st.canon, 3 * cap);
    ruru_buf_init(&st.ref, cap);
    ruru_buf_init(&st.ctxbuf, cap); /* "pattern_type=", "infrastructure=", "<id>#<key>" */
    if (st.tlp_by_id == NULL || st.country_by_loc == NULL || st.country_by_actor == NULL ||
        st.sco_by_id == NULL || st.infra_parts == NULL || st.infra_actors == NULL ||
        st.ind_infras == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    index_objects(&st);
    json_array_foreach(st.objects, i, o)
    {
        if (st.depth > 0) {
            st.path[st.depth - 1].key = NULL;
            st.path[st.depth - 1].index = i;
        }
        st.placed = true;
        err = do_object(&st, o);
        st.placed = false;
        if (err != RURU_OK)
            break;
    }
out:
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&st.values);
    ruru_buf_fini(&st.canon);
    ruru_buf_fini(&st.ref);
    ruru_buf_fini(&st.ctxbuf);
    json_decref(st.tlp_by_id);
    json_decref(st.country_by_loc);
    json_decref(st.country_by_actor);
    json_decref(st.sco_by_id);
    json_decref(st.infra_parts);
    json_decref(st.infra_actors);
    json_decref(st.ind_infras);
    json_decref(st.objects);
    return err;
}
