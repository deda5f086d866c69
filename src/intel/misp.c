/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MISP events: {"Event": {...}}, a list of them, a REST response {"response": [...]}, a bare
 * event, or a feed's manifest.json (which names events and carries no indicators). Every
 * attribute — at the event's top level and inside its objects — of a type that names an IOC
 * becomes an indicator; composite types split ("domain|ip" gives a domain and an address,
 * "filename|sha256" a hash with its file name as context and a file name); other types
 * (registry keys, YARA rules, free text) are rejected as unsupported so they are counted.
 *
 * Event tags apply to every attribute, attribute tags add to them; a "tlp:" tag sets the
 * TLP (the most restrictive wins). Galaxy clusters on the event become entities and link every
 * indicator of the event to them; "misp-galaxy:threat-actor=\"APT40\"" tags link by name.
 */
#include <jansson.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/intel.h"

#define MAX_LABELS  128
#define MAX_LINKS   64
#define MAX_ALIASES 256

/* How an attribute type becomes indicators. */
enum shape {
    ONE,       /* the value is one IOC of `type` */
    IP_PORT,   /* "ip|port" */
    DOMAIN_IP, /* "domain|ip" */
    FILE_HASH, /* "filename|hash" */
};

static const struct {
    const char *name;
    enum ruru_ioc_type type;
    enum shape shape;
} TYPES[] = {
        {"ip-src", RURU_IOC_NONE, ONE},
        {"ip-dst", RURU_IOC_NONE, ONE},
        {"ip-src|port", RURU_IOC_NONE, IP_PORT},
        {"ip-dst|port", RURU_IOC_NONE, IP_PORT},
        {"domain", RURU_IOC_DOMAIN, ONE},
        {"hostname", RURU_IOC_DOMAIN, ONE},
        {"domain|ip", RURU_IOC_DOMAIN, DOMAIN_IP},
        {"hostname|port", RURU_IOC_DOMAIN, IP_PORT},
        {"url", RURU_IOC_URL, ONE},
        {"uri", RURU_IOC_STRING, ONE},
        {"email", RURU_IOC_EMAIL, ONE},
        {"email-src", RURU_IOC_EMAIL, ONE},
        {"email-dst", RURU_IOC_EMAIL, ONE},
        {"md5", RURU_IOC_MD5, ONE},
        {"sha1", RURU_IOC_SHA1, ONE},
        {"sha256", RURU_IOC_SHA256, ONE},
        {"sha512", RURU_IOC_SHA512, ONE},
        {"filename|md5", RURU_IOC_MD5, FILE_HASH},
        {"filename|sha1", RURU_IOC_SHA1, FILE_HASH},
        {"filename|sha256", RURU_IOC_SHA256, FILE_HASH},
        {"filename|sha512", RURU_IOC_SHA512, FILE_HASH},
        {"filename", RURU_IOC_FILENAME, ONE},
        {"user-agent", RURU_IOC_USER_AGENT, ONE},
        {"AS", RURU_IOC_ASN, ONE},
        {"ja3-fingerprint-md5", RURU_IOC_JA3, ONE},
        {"x509-fingerprint-md5", RURU_IOC_X509_MD5, ONE},
        {"x509-fingerprint-sha1", RURU_IOC_X509_SHA1, ONE},
        {"x509-fingerprint-sha256", RURU_IOC_X509_SHA256, ONE},
};

/* Kinds of values that are links, victims or notes, not indicators: skipped silently. */
static const char *const NOT_IOC[] = {
        "link",        "comment",        "text",       "other",           "target-email",
        "target-user", "target-machine", "target-org", "target-location", "target-external",
        "attachment",  "malware-sample"};

struct misp {
    const struct ruru_import_ctx *ctx;
    struct ruru_buf canon, ref, context, part, names;
    const char *labels[MAX_LABELS];
    size_t n_labels;
    const char *actors[MAX_LINKS];
    size_t n_actors;
    const char *techniques[MAX_LINKS];
    size_t n_techniques;
    size_t names_off[2 * MAX_LINKS]; /* names from galaxy tags, in `names` */
    char names_kind[2 * MAX_LINKS];  /* 'A' actor name, 'T' technique id */
    size_t n_names;
    /* The links handed to the sink: cluster uuids, then tag names (rebuilt per attribute,
     * because `names` may move while tags are added). */
    const char *link_actors[3 * MAX_LINKS];
    size_t n_link_actors;
    const char *link_techniques[3 * MAX_LINKS];
    size_t n_link_techniques;
    const char *event_tlp;
    const char *event_uuid;
    const char *event_info;
    const char *org;
};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The TLP a "tlp:..." tag sets, or NULL. */
static const char *tlp_of_tag(const char *tag)
{
    if (strncmp(tag, "tlp:", 4) != 0)
        return NULL;
    return ruru_tlp_parse(tag, strlen(tag));
}

static enum ruru_err
reject(struct misp *m, const char *object, const char *value, const char *reason)
{
    return ruru_intel_reject(m->ctx, 0, object, value, reason);
}

/* Tag names of an object's "Tag" array (and "EventTag"[].Tag), in order. */
static size_t tag_names(json_t *o, const char **out, size_t n, size_t max)
{
    json_t *t;
    size_t i;

    json_array_foreach(json_object_get(o, "Tag"), i, t)
    {
        if (json_is_string(json_object_get(t, "name")) && n < max)
            out[n++] = str(t, "name");
    }
    json_array_foreach(json_object_get(o, "EventTag"), i, t)
    {
        const char *name = str(json_object_get(t, "Tag"), "name");
        if (name != NULL && n < max)
            out[n++] = name;
    }
    return n;
}

/* A galaxy tag: misp-galaxy:<type>="<value>". Adds the actor name or technique id it names,
 * stored in m->names. */
static void galaxy_tag(struct misp *m, const char *tag)
{
    const char *eq, *type, *val;
    size_t tlen, vlen;

    if (strncmp(tag, "misp-galaxy:", 12) != 0 || (eq = strchr(tag, '=')) == NULL)
        return;
    type = tag + 12;
    tlen = (size_t)(eq - type);
    val = eq + 1;
    vlen = strlen(val);
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        val++;
        vlen -= 2;
    }
    if (vlen == 0 || m->n_names >= 2 * MAX_LINKS)
        return;
    {
        struct ruru_str t = ruru_str_make(type, tlen);
        bool actor = ruru_memmem(type, tlen, "threat-actor", 12) ||
                     ruru_memmem(type, tlen, "intrusion-set", 13) ||
                     ruru_memmem(type, tlen, "activity-group", 14);
        bool technique = ruru_memmem(type, tlen, "attack-pattern", 14) != NULL;
        const char *dash = NULL;
        (void)t;
        if (!actor && !technique)
            return;
        /* "Leviathan - G0065" names the actor; "Exploit ... - T1190" gives the technique. */
        for (const char *p = val; p + 3 <= val + vlen; p++)
            if (memcmp(p, " - ", 3) == 0)
                dash = p;
        if (!actor && dash == NULL)
            return;
        m->names_off[m->n_names] = m->names.len;
        m->names_kind[m->n_names++] = actor ? 'A' : 'T';
        if (actor)
            ruru_buf_add(&m->names, val, dash ? (size_t)(dash - val) : vlen);
        else
            ruru_buf_add(&m->names, dash + 3, (size_t)(val + vlen - dash - 3));
        ruru_buf_addc(&m->names, '\0');
    }
}

/* Emits the event's galaxy clusters as entities and records their links. */
static enum ruru_err event_galaxies(struct misp *m, json_t *ev)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    json_t *g, *c, *a;
    size_t i, j, k;
    enum ruru_err err = RURU_OK;

    json_array_foreach(json_object_get(ev, "Galaxy"), i, g)
    {
        const char *gtype = str(g, "type");
        enum ruru_entity_kind kind = 0;
        if (gtype == NULL)
            continue;
        if (strstr(gtype, "intrusion-set") || strstr(gtype, "threat-actor") ||
            strstr(gtype, "activity-group"))
            kind = RURU_ENTITY_ACTOR;
        else if (strstr(gtype, "attack-pattern"))
            kind = RURU_ENTITY_TECHNIQUE;
        else if (strstr(gtype, "malware") || strstr(gtype, "malpedia"))
            kind = RURU_ENTITY_MALWARE;
        else if (strstr(gtype, "tool"))
            kind = RURU_ENTITY_TOOL;
        if (kind == 0)
            continue;
        json_array_foreach(json_object_get(g, "GalaxyCluster"), j, c)
        {
            struct ruru_intel_entity e;
            const char *aliases[MAX_ALIASES], *value = str(c, "value"), *uuid = str(c, "uuid");
            json_t *meta = json_object_get(c, "meta");
            size_t n = 0, name_len;
            char *name;
            const char *dash = NULL;
            if (value == NULL || uuid == NULL)
                continue;
            for (const char *p = value; (p = strstr(p, " - ")) != NULL; p++)
                dash = p;
            name_len = dash ? (size_t)(dash - value) : strlen(value);
            name = ruru_memdup0(value, name_len);
            if (name == NULL)
                return RURU_ENOMEM;
            ruru_intel_entity_init(&e);
            e.ref = uuid;
            e.kind = kind;
            ruru_buf_reset(&m->part);
            ruru_buf_addf(&m->part, "misp-galaxy:%s", gtype);
            e.source_type = ruru_buf_str(&m->part);
            e.name = name;
            e.external_id = dash ? dash + 3 : NULL;
            if (json_is_array(json_object_get(meta, "external_id")))
                e.external_id =
                        json_string_value(json_array_get(json_object_get(meta, "external_id"), 0));
            json_array_foreach(json_object_get(meta, "synonyms"), k, a)
            {
                if (json_is_string(a) && n < MAX_ALIASES)
                    aliases[n++] = json_string_value(a);
            }
            e.aliases = aliases;
            e.n_aliases = n;
            e.sponsor = str(meta, "cfr-suspected-state-sponsor");
            {
                const char *cc = json_is_array(json_object_get(meta, "country"))
                                         ? json_string_value(json_array_get(
                                                   json_object_get(meta, "country"), 0))
                                         : str(meta, "country");
                char up[3];
                if (cc != NULL && strlen(cc) == 2 && ruru_is_alpha(cc[0]) && ruru_is_alpha(cc[1])) {
                    up[0] = (char)(cc[0] & ~0x20);
                    up[1] = (char)(cc[1] & ~0x20);
                    up[2] = '\0';
                    e.country = up;
                }
                e.description = str(c, "description");
                err = s->entity ? s->entity(s->ctx, &e) : RURU_OK;
            }
            if (kind == RURU_ENTITY_ACTOR && m->n_actors < MAX_LINKS)
                m->actors[m->n_actors++] = uuid;
            if (kind == RURU_ENTITY_TECHNIQUE && e.external_id && m->n_techniques < MAX_LINKS)
                m->techniques[m->n_techniques++] = e.external_id;
            ruru_free(name);
            if (err != RURU_OK)
                return err;
        }
    }
    return err;
}

/* Emits one indicator built from `value` of `type`; *k counts the parts for refs. */
static enum ruru_err emit(struct misp *m,
                          json_t *attr,
                          const char *uuid,
                          enum ruru_ioc_type type,
                          const char *value,
                          size_t vlen,
                          const char *context,
                          size_t *k,
                          size_t n_parts,
                          const char **labels,
                          size_t n_labels,
                          const char *tlp)
{
    const struct ruru_intel_sink *s = m->ctx->sink;
    struct ruru_intel_indicator ind;
    struct ruru_buf fanged;
    const char *reason;
    enum ruru_err err;

    ruru_buf_init(&fanged, 1u << 24);
    if (ruru_ioc_refang(value, vlen, &fanged) != RURU_OK) {
        ruru_buf_fini(&fanged);
        return reject(m, uuid, NULL, "value too long");
    }
    if (!ruru_ioc_normalize(&type, ruru_buf_str(&fanged), fanged.len, &m->ctx->norm, &m->canon,
                            &reason)) {
        ruru_buf_reset(&m->part);
        ruru_buf_add(&m->part, value, vlen > 256 ? 256 : vlen);
        err = reject(m, uuid, ruru_buf_str(&m->part), reason);
        ruru_buf_fini(&fanged);
        return err;
    }
    ruru_buf_fini(&fanged);
    ruru_intel_indicator_init(&ind);
    (*k)++;
    ruru_buf_reset(&m->ref);
    if (n_parts == 1)
        ruru_buf_adds(&m->ref, uuid);
    else
        ruru_buf_addf(&m->ref, "%s#%zu", uuid, *k);
    if (m->ref.failed)
        return RURU_ENOMEM;
    ind.ref = m->ref.ptr;
    ind.type = type;
    ind.value = m->canon.ptr;
    ind.context = context;
    ind.object_ref = m->event_uuid;
    ind.to_ids = !json_is_false(json_object_get(attr, "to_ids"));
    if (json_is_string(json_object_get(attr, "first_seen")))
        ruru_time_parse(str(attr, "first_seen"), strlen(str(attr, "first_seen")), &ind.first_seen);
    if (json_is_string(json_object_get(attr, "last_seen")))
        ruru_time_parse(str(attr, "last_seen"), strlen(str(attr, "last_seen")), &ind.last_seen);
    if (json_is_string(json_object_get(attr, "timestamp")))
        ruru_time_parse(str(attr, "timestamp"), strlen(str(attr, "timestamp")), &ind.modified);
    ind.description =
            str(attr, "comment") && *str(attr, "comment") ? str(attr, "comment") : m->event_info;
    ind.created_by = m->org;
    ind.tlp = tlp;
    ind.labels = labels;
    ind.n_labels = n_labels;
    ind.actors = m->link_actors;
    ind.n_actors = m->n_link_actors;
    ind.techniques = m->link_techniques;
    ind.n_techniques = m->n_link_techniques;
    return s->indicator ? s->indicator(s->ctx, &ind) : RURU_OK;
}

static void build_links(struct misp *m)
{
    m->n_link_actors = 0;
    m->n_link_techniques = 0;
    for (size_t i = 0; i < m->n_actors; i++)
        m->link_actors[m->n_link_actors++] = m->actors[i];
    for (size_t i = 0; i < m->n_techniques; i++)
        m->link_techniques[m->n_link_techniques++] = m->techniques[i];
    for (size_t i = 0; i < m->n_names && !m->names.failed; i++) {
        if (m->names_kind[i] == 'A')
            m->link_actors[m->n_link_actors++] = m->names.ptr + m->names_off[i];
        else
            m->link_techniques[m->n_link_techniques++] = m->names.ptr + m->names_off[i];
    }
}

static enum ruru_err do_attribute(struct misp *m, json_t *attr)
{
    const char *type = str(attr, "type"), *value = str(attr, "value"), *uuid = str(attr, "uuid");
    const char *labels[MAX_LABELS], *tlp = m->event_tlp, *bar;
    size_t n_labels, k = 0, ti;
    enum ruru_err err = RURU_OK;
    size_t actors_before = m->n_actors, tech_before = m->n_techniques, names_before = m->n_names;
    size_t names_len_before = m->names.len;

    if (json_is_true(json_object_get(attr, "deleted")))
        return RURU_OK;
    if (type == NULL || value == NULL)
        return reject(m, uuid, NULL, "attribute without type or value");
    if (uuid == NULL)
        uuid = m->event_uuid ? m->event_uuid : "unknown";
    for (size_t i = 0; i < sizeof(NOT_IOC) / sizeof(NOT_IOC[0]); i++)
        if (strcmp(type, NOT_IOC[i]) == 0)
            return RURU_OK;
    for (ti = 0; ti < sizeof(TYPES) / sizeof(TYPES[0]); ti++)
        if (strcmp(type, TYPES[ti].name) == 0)
            break;
    if (ti == sizeof(TYPES) / sizeof(TYPES[0]))
        return reject(m, uuid, type,
                      strncmp(type, "filename|", 9) == 0 || strcmp(type, "ssdeep") == 0 ||
                                      strcmp(type, "imphash") == 0 || strcmp(type, "tlsh") == 0 ||
                                      strcmp(type, "sha224") == 0
                              ? "unsupported hash type"
                              : "unsupported attribute type");
    /* Event labels, then the attribute's own tags. */
    memcpy(labels, m->labels, m->n_labels * sizeof(labels[0]));
    n_labels = tag_names(attr, labels, m->n_labels, MAX_LABELS);
    for (size_t i = m->n_labels; i < n_labels; i++) {
        const char *t = tlp_of_tag(labels[i]);
        if (t != NULL && ruru_tlp_rank(t) > ruru_tlp_rank(tlp == m->event_tlp ? NULL : tlp))
            tlp = t;
        galaxy_tag(m, labels[i]);
    }
    build_links(m);
    bar = strchr(value, '|');
    switch (TYPES[ti].shape) {
    case ONE:
        err = emit(m, attr, uuid, TYPES[ti].type, value, strlen(value), NULL, &k, 1, labels,
                   n_labels, tlp);
        break;
    case IP_PORT:
        if (bar == NULL) {
            err = emit(m, attr, uuid, TYPES[ti].type, value, strlen(value), NULL, &k, 1, labels,
                       n_labels, tlp);
            break;
        }
        ruru_buf_reset(&m->context);
        ruru_buf_addf(&m->context, "port=%s", bar + 1);
        err = emit(m, attr, uuid, TYPES[ti].type, value, (size_t)(bar - value),
                   ruru_buf_str(&m->context), &k, 1, labels, n_labels, tlp);
        break;
    case DOMAIN_IP:
        if (bar == NULL) {
            err = reject(m, uuid, value, "composite value without '|'");
            break;
        }
        err = emit(m, attr, uuid, RURU_IOC_DOMAIN, value, (size_t)(bar - value), NULL, &k, 2,
                   labels, n_labels, tlp);
        if (err == RURU_OK)
            err = emit(m, attr, uuid, RURU_IOC_NONE, bar + 1, strlen(bar + 1), NULL, &k, 2, labels,
                       n_labels, tlp);
        break;
    case FILE_HASH: {
        struct ruru_buf fname;
        if (bar == NULL) {
            err = reject(m, uuid, value, "composite value without '|'");
            break;
        }
        ruru_buf_init(&fname, 1u << 20);
        ruru_buf_add(&fname, value, (size_t)(bar - value));
        ruru_buf_reset(&m->context);
        ruru_buf_addf(&m->context, "filename=%s", ruru_buf_str(&fname));
        err = emit(m, attr, uuid, TYPES[ti].type, bar + 1, strlen(bar + 1),
                   ruru_buf_str(&m->context), &k, 2, labels, n_labels, tlp);
        if (err == RURU_OK && fname.len > 0)
            err = emit(m, attr, uuid, RURU_IOC_FILENAME, fname.ptr, fname.len, NULL, &k, 2, labels,
                       n_labels, tlp);
        ruru_buf_fini(&fname);
        break;
    }
    }
    m->n_actors = actors_before;
    m->n_techniques = tech_before;
    m->n_names = names_before;
    m->names.len = names_len_before;
    return err;
}

static enum ruru_err do_event(struct misp *m, json_t *ev)
{
    json_t *a, *obj;
    size_t i, j;
    enum ruru_err err;

    if (!json_is_object(ev))
        return reject(m, NULL, NULL, "event is not an object");
    m->event_uuid = str(ev, "uuid");
    m->event_info = str(ev, "info");
    m->org = str(json_object_get(ev, "Orgc"), "name");
    if (m->org == NULL)
        m->org = str(json_object_get(ev, "Org"), "name");
    m->n_labels = tag_names(ev, m->labels, 0, MAX_LABELS);
    m->event_tlp = NULL;
    m->n_actors = 0;
    m->n_techniques = 0;
    m->n_names = 0;
    ruru_buf_reset(&m->names);
    for (size_t k = 0; k < m->n_labels; k++) {
        const char *t = tlp_of_tag(m->labels[k]);
        if (t != NULL && ruru_tlp_rank(t) > ruru_tlp_rank(m->event_tlp))
            m->event_tlp = t;
        galaxy_tag(m, m->labels[k]);
    }
    err = event_galaxies(m, ev);
    if (err != RURU_OK)
        return err;
    json_array_foreach(json_object_get(ev, "Attribute"), i, a)
    {
        if ((err = do_attribute(m, a)) != RURU_OK)
            return err;
    }
    json_array_foreach(json_object_get(ev, "Object"), j, obj)
    {
        if (json_is_true(json_object_get(obj, "deleted")))
            continue;
        json_array_foreach(json_object_get(obj, "Attribute"), i, a)
        {
            if ((err = do_attribute(m, a)) != RURU_OK)
                return err;
        }
    }
    return RURU_OK;
}

/* A feed manifest maps event uuids to summaries ({"info", "Orgc", "timestamp", ...}). */
static bool is_manifest(json_t *root)
{
    const char *k;
    json_t *v;

    if (!json_is_object(root) || json_object_size(root) == 0)
        return false;
    json_object_foreach(root, k, v)
    {
        if (!json_is_object(v) || json_object_get(v, "info") == NULL)
            return false;
    }
    return true;
}

enum ruru_err ruru_misp_import(const char *data,
                               size_t len,
                               const struct ruru_import_ctx *ctx,
                               struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr), *list = NULL, *e;
    struct misp m;
    enum ruru_err err = RURU_OK;
    size_t i;

    if (root == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, (uint64_t)jerr.line,
                             (uint64_t)jerr.column, "invalid JSON: %s", jerr.text);
    if (json_is_object(root) && json_object_get(root, "Event") != NULL) {
        list = json_array();
        json_array_append(list, root);
    } else if (json_is_array(json_object_get(root, "response"))) {
        list = json_incref(json_object_get(root, "response"));
    } else if (json_is_array(root)) {
        list = json_incref(root);
    } else if (json_is_object(root) &&
               (json_object_get(root, "Attribute") != NULL ||
                (json_object_get(root, "uuid") != NULL && json_object_get(root, "info") != NULL))) {
        list = json_array();
        json_array_append_new(list, json_pack("{sO}", "Event", root));
    } else if (is_manifest(root)) {
        json_decref(root);
        return RURU_OK;
    } else {
        json_decref(root);
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, 0, 0, "not a MISP event");
    }
    memset(&m, 0, sizeof(m));
    m.ctx = ctx;
    ruru_buf_init(&m.canon, 1u << 24);
    ruru_buf_init(&m.ref, 4096);
    ruru_buf_init(&m.context, 1u << 20);
    ruru_buf_init(&m.part, 1u << 20);
    ruru_buf_init(&m.names, 1u << 20);
    json_array_foreach(list, i, e)
    {
        json_t *ev = json_object_get(e, "Event");
        err = do_event(&m, ev ? ev : e);
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_ENOMEM)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
    ruru_buf_fini(&m.canon);
    ruru_buf_fini(&m.ref);
    ruru_buf_fini(&m.context);
    ruru_buf_fini(&m.part);
    ruru_buf_fini(&m.names);
    json_decref(list);
    json_decref(root);
    return err;
}
