/* SPDX-License-Identifier: Apache-2.0 */
/*
 * STIX 2.1 bundles (also a bare object or an array of objects). Two passes over the objects:
 * the first indexes what others refer to (TLP marking definitions, locations and the
 * `originates-from` links that give an actor its country), the second hands each object to
 * the sink. Indicators with simple patterns become typed indicators ("[ipv4-addr:value =
 * '198.51.100.1']" is ipv4 198.51.100.1); every other pattern is kept whole (type
 * stix-pattern) for the pattern engine.
 *
 * Example: an indicator whose pattern ORs two values yields two indicators with refs
 * "<indicator id>#1" and "#2", both with object_ref the indicator id, so that a relationship
 * "indicator --indicates--> intrusion-set" links both to the actor.
 */
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"
#include "intel/stix_pattern.h"

/* Labels kept per indicator: labels plus indicator_types. */
#define MAX_LABELS  64
#define MAX_ALIASES 256

/* The TLP marking definitions STIX publishes with fixed ids (TLP 1.0 in STIX 2.1 itself,
 * TLP 2.0 in the OASIS extension), most restrictive last. */
static const struct {
    const char *id;
    const char *tlp;
} TLP_IDS[] = {
        {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "clear"},
        {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear"},
        {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green"},
        {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green"},
        {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber"},
        {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber"},
        {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "amber+strict"},
        {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red"},
        {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red"},
};

static const char *tlp_word(const char *s)
{
    return s != NULL ? ruru_tlp_parse(s, strlen(s)) : NULL;
}

struct stix {
    const struct ruru_import_ctx *ctx;
    json_t *objects;
    json_t *tlp_by_id;      /* marking id -> "amber" */
    json_t *country_by_loc; /* location id -> "CN" */
    json_t *origin;         /* actor id -> location id */
    struct ruru_buf values, canon, ref, ctxbuf;
};

static enum ruru_err
reject(struct stix *st, const char *object, const char *value, const char *reason)
{
    return ruru_intel_reject(st->ctx, 0, object, value, reason);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Time property: *out stays RURU_TIME_NONE when absent; false when present but malformed. */
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

static int confidence(json_t *o)
{
    json_t *v = json_object_get(o, "confidence");

    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= 100)
        return (int)json_integer_value(v);
    return -1;
}

static const char *object_tlp(struct stix *st, json_t *o)
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

/* First pass: marking definitions, locations, originates-from. */
static void index_objects(struct stix *st)
{
    json_t *o;
    size_t i;

    json_array_foreach(st->objects, i, o)
    {
        const char *type = str(o, "type"), *id = str(o, "id");
        if (type == NULL || id == NULL)
            continue;
        if (strcmp(type, "marking-definition") == 0) {
            const char *t = NULL;
            json_t *ext;
            const char *k;
            if (strcmp(str(o, "definition_type") ? str(o, "definition_type") : "", "tlp") == 0)
                t = tlp_word(str(json_object_get(o, "definition"), "tlp"));
            json_object_foreach(json_object_get(o, "extensions"), k, ext)
            {
                if (t == NULL)
                    t = tlp_word(str(ext, "tlp_2_0"));
            }
            if (t == NULL && str(o, "name") &&
                ruru_str_iprefix(ruru_str_make(str(o, "name"), strlen(str(o, "name"))), "tlp:"))
                t = tlp_word(str(o, "name"));
            if (t != NULL)
                json_object_set_new(st->tlp_by_id, id, json_string(t));
        } else if (strcmp(type, "location") == 0) {
            const char *c = str(o, "country");
            if (c != NULL && strlen(c) == 2 && ruru_is_alpha(c[0]) && ruru_is_alpha(c[1])) {
                char up[3] = {(char)(c[0] & ~0x20), (char)(c[1] & ~0x20), 0};
                json_object_set_new(st->country_by_loc, id, json_string(up));
            }
        } else if (strcmp(type, "relationship") == 0) {
            const char *rt = str(o, "relationship_type"), *src = str(o, "source_ref"),
                       *dst = str(o, "target_ref");
            if (rt && src && dst && strcmp(rt, "originates-from") == 0)
                json_object_set_new(st->origin, src, json_string(dst));
        }
    }
}

static size_t string_list(json_t *arr, const char **out, size_t n, size_t max)
{
    json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && n < max)
            out[n++] = json_string_value(v);
    }
    return n;
}

static enum ruru_err do_indicator(struct stix *st, json_t *o, const char *id)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_indicator ind;
    const char *pattern = str(o, "pattern"), *ptype = str(o, "pattern_type"), *err_text = NULL;
    const char *labels[MAX_LABELS];
    struct ruru_stix_value vals[RURU_STIX_MAX_VALUES];
    size_t n_vals = 0, err_pos = 0, n_labels = 0;
    enum ruru_err err = RURU_OK;

    if (pattern == NULL)
        return reject(st, id, NULL, "indicator without pattern");
    ruru_intel_indicator_init(&ind);
    ind.object_ref = id;
    if (!time_prop(o, "valid_from", &ind.valid_from) ||
        !time_prop(o, "valid_until", &ind.valid_until) || !time_prop(o, "modified", &ind.modified))
        return reject(st, id, NULL, "malformed timestamp");
    if (ind.modified == RURU_TIME_NONE && !time_prop(o, "created", &ind.modified))
        return reject(st, id, NULL, "malformed timestamp");
    ind.revoked = json_is_true(json_object_get(o, "revoked"));
    ind.confidence = confidence(o);
    ind.created_by = str(o, "created_by_ref");
    ind.description = str(o, "description") ? str(o, "description") : str(o, "name");
    ind.tlp = object_tlp(st, o);
    n_labels = string_list(json_object_get(o, "labels"), labels, 0, MAX_LABELS);
    n_labels = string_list(json_object_get(o, "indicator_types"), labels, n_labels, MAX_LABELS);
    ind.labels = labels;
    ind.n_labels = n_labels;
    if (ptype != NULL && strcmp(ptype, "stix") != 0) {
        /* Sigma, YARA, Snort ...: kept whole, with its language noted. */
        ruru_buf_reset(&st->ctxbuf);
        ruru_buf_addf(&st->ctxbuf, "pattern_type=%s", ptype);
        ind.type = RURU_IOC_PATTERN;
        ind.ref = id;
        ind.value = pattern;
        ind.context = ruru_buf_str(&st->ctxbuf);
        return s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
    }
    if (!ruru_stix_split(pattern, strlen(pattern), vals, &n_vals, &st->values, &err_text, &err_pos))
        return reject(st, id, pattern, "malformed STIX pattern");
    if (n_vals == 0) {
        ind.type = RURU_IOC_PATTERN;
        ind.ref = id;
        ind.value = pattern;
        return s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
    }
    for (size_t k = 0; k < n_vals && err == RURU_OK; k++) {
        enum ruru_ioc_type t = vals[k].type;
        const char *raw = st->values.ptr + vals[k].off, *reason;
        if (!ruru_ioc_normalize(&t, raw, vals[k].len, &st->ctx->norm, &st->canon, &reason)) {
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
        ind.ref = st->ref.ptr;
        ind.type = t;
        ind.value = st->canon.ptr;
        ind.raw = strcmp(raw, st->canon.ptr) != 0 ? raw : NULL;
        err = s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
    }
    return err;
}

static enum ruru_err
do_entity(struct stix *st, json_t *o, const char *id, const char *type, enum ruru_entity_kind kind)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_entity e;
    const char *aliases[MAX_ALIASES];
    size_t n = 0;
    json_t *ref;
    size_t i;

    ruru_intel_entity_init(&e);
    e.ref = id;
    e.kind = kind;
    e.source_type = type;
    e.name = str(o, "name");
    if (e.name == NULL || *e.name == '\0')
        return reject(st, id, NULL, "object without name");
    n = string_list(json_object_get(o, "aliases"), aliases, 0, MAX_ALIASES);
    /* Keep only aliases other than the name itself. */
    for (size_t k = 0; k < n;) {
        if (ruru_ascii_casecmp(aliases[k], e.name) == 0)
            aliases[k] = aliases[--n];
        else
            k++;
    }
    e.aliases = aliases;
    e.n_aliases = n;
    e.description = str(o, "description");
    e.confidence = confidence(o);
    e.revoked = json_is_true(json_object_get(o, "revoked"));
    if (!time_prop(o, "modified", &e.modified))
        return reject(st, id, NULL, "malformed timestamp");
    if (kind == RURU_ENTITY_ACTOR) {
        const char *loc = json_string_value(json_object_get(st->origin, id));
        if (loc != NULL)
            e.country = json_string_value(json_object_get(st->country_by_loc, loc));
    }
    json_array_foreach(json_object_get(o, "external_references"), i, ref)
    {
        const char *sn = str(ref, "source_name");
        if (sn != NULL && strcmp(sn, "mitre-attack") == 0 && str(ref, "external_id") != NULL)
            e.external_id = str(ref, "external_id");
    }
    return s->entity ? s->entity(s->ctx, &e) : RURU_OK;
}

static enum ruru_err do_relationship(struct stix *st, json_t *o, const char *id)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct ruru_intel_relation r;

    ruru_intel_relation_init(&r);
    r.ref = id;
    r.src = str(o, "source_ref");
    r.dst = str(o, "target_ref");
    r.type = str(o, "relationship_type");
    if (r.src == NULL || r.dst == NULL || r.type == NULL)
        return reject(st, id, NULL, "relationship without source_ref, target_ref or type");
    r.confidence = confidence(o);
    r.revoked = json_is_true(json_object_get(o, "revoked"));
    if (!time_prop(o, "modified", &r.modified))
        return reject(st, id, NULL, "malformed timestamp");
    return s->relation ? s->relation(s->ctx, &r) : RURU_OK;
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
            {"identity", RURU_ENTITY_IDENTITY},
    };
    const char *type = str(o, "type"), *id = str(o, "id");

    if (!json_is_object(o) || type == NULL || id == NULL)
        return reject(st, id, NULL, "object without type or id");
    if (strcmp(type, "indicator") == 0)
        return do_indicator(st, o, id);
    if (strcmp(type, "relationship") == 0)
        return do_relationship(st, o, id);
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
        if (strcmp(type, entities[i].type) == 0)
            return do_entity(st, o, id, type, entities[i].kind);
    return RURU_OK; /* reports, notes, sightings, SCOs ...: not intel ruru keeps */
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
    size_t i;

    if (root == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    memset(&st, 0, sizeof(st));
    st.ctx = ctx;
    if (json_is_array(root)) {
        st.objects = json_incref(root);
    } else if (json_is_array(json_object_get(root, "objects"))) {
        st.objects = json_incref(json_object_get(root, "objects"));
    } else if (json_is_object(root) && str(root, "type") != NULL) {
        st.objects = json_array();
        json_array_append(st.objects, root);
    } else {
        json_decref(root);
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, 0, 0,
                             "not a STIX bundle, object or list of objects");
    }
    st.tlp_by_id = json_object();
    st.country_by_loc = json_object();
    st.origin = json_object();
    /* Patterns and their values: 16 MiB bounds a hostile one. */
    ruru_buf_init(&st.values, 16u << 20);
    ruru_buf_init(&st.canon, 16u << 20);
    ruru_buf_init(&st.ref, 4096);
    ruru_buf_init(&st.ctxbuf, 4096);
    index_objects(&st);
    json_array_foreach(st.objects, i, o)
    {
        err = do_object(&st, o);
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&st.values);
    ruru_buf_fini(&st.canon);
    ruru_buf_fini(&st.ref);
    ruru_buf_fini(&st.ctxbuf);
    json_decref(st.tlp_by_id);
    json_decref(st.country_by_loc);
    json_decref(st.origin);
    json_decref(st.objects);
    json_decref(root);
    return err;
}
