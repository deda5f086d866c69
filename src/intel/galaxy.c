/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP galaxy cluster files (threat-actor.json, mitre-intrusion-set.json, ...): each value is
 * an entity (actor, technique, malware, tool) with its synonyms, the state the galaxy suspects
 * of sponsoring it, and `related` links to other clusters (`similar` between galaxies that
 * name one actor differently, `uses` from an ATT&CK group to its techniques).
 *
 * Example: the threat-actor value "APT40" (meta.synonyms Leviathan, GADOLINIUM, ...,
 * cfr-suspected-state-sponsor "China") becomes an actor entity with country CN and those
 * aliases; its related entry {dest-uuid: <Leviathan - G0065>, type: similar} becomes a
 * relation that the actor registry uses to merge the two.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"

/* Aliases kept per cluster: far above any real one (APT groups have ~20). */
#define MAX_ALIASES 256

/* Sponsor names as MISP's cfr-suspected-state-sponsor writes them, to ISO 3166-1 alpha-2. */
static const struct {
    const char *name;
    const char *iso;
} COUNTRIES[] = {
        {"china", "CN"},
        {"people's republic of china", "CN"},
        {"prc", "CN"},
        {"russia", "RU"},
        {"russian federation", "RU"},
        {"iran", "IR"},
        {"iran (islamic republic of)", "IR"},
        {"north korea", "KP"},
        {"korea (democratic people's republic of)", "KP"},
        {"dprk", "KP"},
        {"south korea", "KR"},
        {"korea (republic of)", "KR"},
        {"united states", "US"},
        {"united states of america", "US"},
        {"us", "US"},
        {"usa", "US"},
        {"palestine", "PS"},
        {"pakistan", "PK"},
        {"india", "IN"},
        {"belarus", "BY"},
        {"france", "FR"},
        {"united arab emirates", "AE"},
        {"vietnam", "VN"},
        {"viet nam", "VN"},
        {"spain", "ES"},
        {"israel", "IL"},
        {"lebanon", "LB"},
        {"turkey", "TR"},
        {"turkiye", "TR"},
        {"ukraine", "UA"},
        {"syria", "SY"},
        {"syrian arab republic", "SY"},
        {"united kingdom", "GB"},
        {"germany", "DE"},
        {"nigeria", "NG"},
        {"egypt", "EG"},
        {"saudi arabia", "SA"},
        {"kazakhstan", "KZ"},
        {"brazil", "BR"},
        {"taiwan", "TW"},
};

/* The ISO code of a sponsor name, or NULL ("Unknown" and names not in the table). */
static const char *country_code(const char *name)
{
    for (size_t i = 0; i < sizeof(COUNTRIES) / sizeof(COUNTRIES[0]); i++)
        if (ruru_ascii_casecmp(name, COUNTRIES[i].name) == 0)
            return COUNTRIES[i].iso;
    return NULL;
}

static enum ruru_entity_kind kind_of(const char *type)
{
    if (strstr(type, "intrusion-set") || strstr(type, "threat-actor") ||
        strstr(type, "activity-group"))
        return RURU_ENTITY_ACTOR;
    if (strstr(type, "attack-pattern"))
        return RURU_ENTITY_TECHNIQUE;
    if (strstr(type, "malware") || strstr(type, "malpedia") || strstr(type, "ransomware") ||
        strcmp(type, "rat") == 0)
        return RURU_ENTITY_MALWARE;
    if (strstr(type, "tool"))
        return RURU_ENTITY_TOOL;
    return 0;
}

/* "Leviathan - G0065" -> "Leviathan" and "G0065"; "Web Shell - T1505.003" likewise. The id
 * is a capital letter, four digits and an optional ".NNN". Returns the name length. */
static size_t split_attack_id(const char *v, const char **id)
{
    size_t n = strlen(v);
    const char *dash = NULL;

    *id = NULL;
    for (const char *p = v; (p = strstr(p, " - ")) != NULL; p++)
        dash = p;
    if (dash == NULL)
        return n;
    {
        const char *s = dash + 3;
        size_t k = strlen(s);
        if (!((k == 5 || k == 9) && s[0] >= 'A' && s[0] <= 'Z' && ruru_is_digit(s[1]) &&
              ruru_is_digit(s[2]) && ruru_is_digit(s[3]) && ruru_is_digit(s[4])))
            return n;
        if (k == 9 &&
            !(s[5] == '.' && ruru_is_digit(s[6]) && ruru_is_digit(s[7]) && ruru_is_digit(s[8])))
            return n;
        *id = s;
    }
    return (size_t)(dash - v);
}

static bool has_alias(const char *const *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (ruru_ascii_casecmp(v[i], name) == 0)
            return true;
    return false;
}

static enum ruru_err
reject(const struct ruru_import_ctx *ctx, const char *object, const char *value, const char *reason)
{
    return ruru_intel_reject(ctx, 0, object, value, reason);
}

/* Integer from a JSON number or numeric string, or -1. */
static int json_int_or_str(json_t *v)
{
    if (json_is_integer(v))
        return (int)json_integer_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int n = 0;
        if (*s == '\0')
            return -1;
        for (; *s; s++) {
            if (!ruru_is_digit(*s) || n > 1000)
                return -1;
            n = n * 10 + (*s - '0');
        }
        return n;
    }
    return -1;
}

static enum ruru_err one_value(const struct ruru_import_ctx *ctx,
                               const char *gtype,
                               enum ruru_entity_kind kind,
                               int64_t version,
                               json_t *v,
                               char *type_label,
                               struct ruru_buf *scratch)
{
    const struct ruru_intel_sink *s = ctx->sink;
    struct ruru_intel_entity e;
    json_t *meta = json_object_get(v, "meta"), *a, *rel;
    const char *uuid = json_string_value(json_object_get(v, "uuid"));
    const char *value = json_string_value(json_object_get(v, "value"));
    const char *aliases[MAX_ALIASES], *ext = NULL, *sponsor;
    char *name = NULL, *ext_copy = NULL;
    size_t n_aliases = 0, i, name_len;
    enum ruru_err err = RURU_OK;

    (void)gtype;
    (void)scratch;
    if (uuid == NULL || value == NULL || *value == '\0')
        return reject(ctx, uuid, value, "galaxy value without uuid or name");
    ruru_intel_entity_init(&e);
    e.ref = uuid;
    e.kind = kind;
    e.source_type = type_label;
    name_len = split_attack_id(value, &ext);
    name = ruru_memdup0(value, name_len);
    if (name == NULL)
        return RURU_ENOMEM;
    e.name = name;
    if (json_is_string(json_object_get(meta, "external_id")))
        ext = json_string_value(json_object_get(meta, "external_id"));
    else if (json_is_array(json_object_get(meta, "external_id")))
        ext = json_string_value(json_array_get(json_object_get(meta, "external_id"), 0));
    e.external_id = ext;
    json_array_foreach(json_object_get(meta, "synonyms"), i, a)
    {
        const char *syn = json_string_value(a);
        if (syn && *syn && n_aliases < MAX_ALIASES && ruru_ascii_casecmp(syn, name) != 0 &&
            !has_alias(aliases, n_aliases, syn))
            aliases[n_aliases++] = syn;
    }
    /* "APT40:<uuid>": the names other vendors use, with the vendor's cluster id. */
    {
        char *names = NULL;
        size_t total = 0, off = 0;
        json_array_foreach(json_object_get(meta, "name-attribution"), i, a)
        {
            const char *na = json_string_value(a);
            total += na ? strlen(na) + 1 : 0;
        }
        if (total > 0 && (names = ruru_malloc(total)) == NULL) {
            ruru_free(name);
            return RURU_ENOMEM;
        }
        json_array_foreach(json_object_get(meta, "name-attribution"), i, a)
        {
            const char *na = json_string_value(a), *colon;
            size_t k;
            if (na == NULL)
                continue;
            colon = strrchr(na, ':');
            k = colon ? (size_t)(colon - na) : strlen(na);
            memcpy(names + off, na, k);
            names[off + k] = '\0';
            if (k > 0 && n_aliases < MAX_ALIASES && ruru_ascii_casecmp(names + off, name) != 0 &&
                !has_alias(aliases, n_aliases, names + off))
                aliases[n_aliases++] = names + off;
            off += k + 1;
        }
        e.aliases = aliases;
        e.n_aliases = n_aliases;
        sponsor = json_string_value(json_object_get(meta, "cfr-suspected-state-sponsor"));
        if (sponsor != NULL && *sponsor) {
            e.sponsor = sponsor;
            e.country = country_code(sponsor);
        }
        if (e.country == NULL && json_is_string(json_object_get(meta, "country"))) {
            const char *c = json_string_value(json_object_get(meta, "country"));
            if (strlen(c) == 2 && ruru_is_alpha(c[0]) && ruru_is_alpha(c[1])) {
                ext_copy = ruru_memdup0(c, 2);
                if (ext_copy == NULL) {
                    ruru_free(names);
                    ruru_free(name);
                    return RURU_ENOMEM;
                }
                ext_copy[0] = (char)(ext_copy[0] & ~0x20);
                ext_copy[1] = (char)(ext_copy[1] & ~0x20);
                e.country = ext_copy;
            }
        }
        e.confidence = json_int_or_str(json_object_get(meta, "attribution-confidence"));
        if (e.confidence > 100)
            e.confidence = -1;
        e.description = json_string_value(json_object_get(v, "description"));
        e.revoked = json_is_true(json_object_get(v, "revoked"));
        e.modified = version;
        err = s->entity ? s->entity(s->ctx, &e) : RURU_OK;
        ruru_free(names);
    }
    json_array_foreach(json_object_get(v, "related"), i, rel)
    {
        struct ruru_intel_relation r;
        const char *dst = json_string_value(json_object_get(rel, "dest-uuid"));
        const char *type = json_string_value(json_object_get(rel, "type"));
        if (err != RURU_OK)
            break;
        if (dst == NULL || type == NULL || *dst == '\0' || *type == '\0') {
            err = reject(ctx, uuid, NULL, "related entry without dest-uuid or type");
            continue;
        }
        ruru_intel_relation_init(&r);
        r.src = uuid;
        r.type = type;
        r.dst = dst;
        r.modified = version;
        err = s->relation ? s->relation(s->ctx, &r) : RURU_OK;
    }
    ruru_free(ext_copy);
    ruru_free(name);
    return err;
}

enum ruru_err ruru_galaxy_import(const char *data,
                                 size_t len,
                                 const struct ruru_import_ctx *ctx,
                                 struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr), *values, *v;
    const char *type;
    enum ruru_entity_kind kind;
    int64_t version = RURU_TIME_NONE;
    struct ruru_buf label, scratch;
    enum ruru_err err = RURU_OK;
    size_t i;

    if (root == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    type = json_string_value(json_object_get(root, "type"));
    values = json_object_get(root, "values");
    if (type == NULL || !json_is_array(values)) {
        json_decref(root);
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, 0, 0,
                             "not a MISP galaxy cluster file (no \"type\" and \"values\")");
    }
    kind = kind_of(type);
    if (kind == 0) {
        err = reject(ctx, json_string_value(json_object_get(root, "uuid")), type,
                     "unsupported galaxy type");
        json_decref(root);
        return err;
    }
    if (json_is_integer(json_object_get(root, "version")))
        version = json_integer_value(json_object_get(root, "version"));
    ruru_buf_init(&label, 1024);
    ruru_buf_init(&scratch, 1 << 20);
    ruru_buf_addf(&label, "misp-galaxy:%s", type);
    if (label.failed) {
        json_decref(root);
        return ruru_diag_set(diag, RURU_ENOMEM, ctx->path, 0, 0, "out of memory");
    }
    json_array_foreach(values, i, v)
    {
        if (!json_is_object(v)) {
            err = reject(ctx, NULL, NULL, "galaxy value is not an object");
        } else {
            err = one_value(ctx, type, kind, version, v, label.ptr, &scratch);
        }
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&label);
    ruru_buf_fini(&scratch);
    json_decref(root);
    return err;
}
