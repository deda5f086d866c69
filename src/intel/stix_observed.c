/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cyber-observable objects (SCOs) as indicators: the values an `observed-data` carries, and
 * those an `infrastructure` consists of. The one idea: an observable is a value that was
 * seen, not a statement that it is malicious, so observed-data gives context (to_ids false:
 * stored, shown, never swept), while a value that an infrastructure consists of is a
 * detection indicator, tied to the actors that use the infrastructure.
 *
 * Example. A STIX 2.0 bundle from MISP holds
 *     {"type": "observed-data", "id": "observed-data--O", "first_observed": "2020-06-17T...",
 *      "objects": {"0": {"type": "ipv4-addr", "value": "198.51.100.7"},
 *                  "1": {"type": "network-traffic", "dst_ref": "0", "dst_port": 443}}}
 * and gives one context indicator, ipv4 198.51.100.7, ref "observed-data--O#0", object_ref
 * "observed-data--O", first_seen its first_observed (network-traffic names no value of its
 * own). A STIX 2.1 bundle with an infrastructure "C2" (infrastructure--I), a relationship
 * "intrusion-set--A uses infrastructure--I" and "infrastructure--I consists-of
 * ipv4-addr--X" (value 198.51.100.3) gives an indicator ipv4 198.51.100.3 with ref
 * "ipv4-addr--X", object_ref "infrastructure--I", context "infrastructure=C2" and actor
 * "intrusion-set--A"; an indicator that `indicates` infrastructure--I is tied to A too.
 */
#include <inttypes.h>
#include <string.h>

#include "base/alloc.h"
#include "base/str.h"
#include "intel/stix_int.h"

/* Values taken from one observable: a file names at most a name and four hashes. */
#define MAX_SCO_VALUES 8

struct sco_value {
    enum ruru_ioc_type type; /* what the property says; the normaliser may refine it */
    const char *raw;
    const char *suffix; /* ref suffix of a value among several ("name", "SHA-256"), or NULL */
};

static const char *sstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s != NULL && *s != '\0' ? s : NULL;
}

static void
add(struct sco_value *v, size_t *n, enum ruru_ioc_type t, const char *raw, const char *sfx)
{
    if (raw != NULL && *n < MAX_SCO_VALUES) {
        v[*n].type = t;
        v[*n].raw = raw;
        v[*n].suffix = sfx;
        (*n)++;
    }
}

/* The hashes of a file or certificate, by the names STIX (and MISP's export) writes. */
static void hashes(json_t *h, bool x509, struct sco_value *v, size_t *n)
{
    static const struct {
        const char *name;
        enum ruru_ioc_type file, cert;
    } H[] = {
            {"MD5", RURU_IOC_MD5, RURU_IOC_X509_MD5},
            {"SHA-1", RURU_IOC_SHA1, RURU_IOC_X509_SHA1},
            {"SHA-256", RURU_IOC_SHA256, RURU_IOC_X509_SHA256},
            {"SHA-512", RURU_IOC_SHA512, RURU_IOC_NONE},
            {"SHA1", RURU_IOC_SHA1, RURU_IOC_X509_SHA1},
            {"SHA256", RURU_IOC_SHA256, RURU_IOC_X509_SHA256},
            {"SHA512", RURU_IOC_SHA512, RURU_IOC_NONE},
    };
    const char *k;
    json_t *val;

    json_object_foreach(h, k, val)
    {
        for (size_t i = 0; i < sizeof(H) / sizeof(H[0]); i++) {
            enum ruru_ioc_type t = x509 ? H[i].cert : H[i].file;
            if (t != RURU_IOC_NONE && ruru_ascii_casecmp(k, H[i].name) == 0) {
                add(v, n, t, sstr(h, k), k);
                break;
            }
        }
    }
}

/* The values of one observable; `num` holds an AS number's text. Types without a value ruru
 * matches (network-traffic, process, user-account, software, ...) give none. */
static size_t sco_values(json_t *o, struct sco_value *v, char num[24])
{
    const char *type = sstr(o, "type");
    size_t n = 0;

    if (type == NULL)
        return 0;
    if (strcmp(type, "ipv4-addr") == 0)
        add(v, &n, RURU_IOC_CIDR4, sstr(o, "value"), NULL);
    else if (strcmp(type, "ipv6-addr") == 0)
        add(v, &n, RURU_IOC_CIDR6, sstr(o, "value"), NULL);
    else if (strcmp(type, "domain-name") == 0)
        add(v, &n, RURU_IOC_DOMAIN, sstr(o, "value"), NULL);
    else if (strcmp(type, "url") == 0)
        add(v, &n, RURU_IOC_URL, sstr(o, "value"), NULL);
    else if (strcmp(type, "email-addr") == 0)
        add(v, &n, RURU_IOC_EMAIL, sstr(o, "value"), NULL);
    else if (strcmp(type, "mac-addr") == 0)
        add(v, &n, RURU_IOC_MAC, sstr(o, "value"), NULL);
    else if (strcmp(type, "mutex") == 0)
        add(v, &n, RURU_IOC_MUTEX, sstr(o, "name"), NULL);
    else if (strcmp(type, "windows-registry-key") == 0)
        add(v, &n, RURU_IOC_REGKEY, sstr(o, "key"), NULL);
    else if (strcmp(type, "directory") == 0)
        add(v, &n, RURU_IOC_FILEPATH, sstr(o, "path"), NULL);
    else if (strcmp(type, "file") == 0) {
        add(v, &n, RURU_IOC_FILENAME, sstr(o, "name"), "name");
        hashes(json_object_get(o, "hashes"), false, v, &n);
    } else if (strcmp(type, "x509-certificate") == 0) {
        hashes(json_object_get(o, "hashes"), true, v, &n);
    } else if (strcmp(type, "autonomous-system") == 0) {
        json_t *x = json_object_get(o, "number");
        if (json_is_integer(x) && json_integer_value(x) >= 0) {
            snprintf(num, 24, "AS%" PRId64, (int64_t)json_integer_value(x));
            add(v, &n, RURU_IOC_ASN, num, NULL);
        }
    }
    return n;
}

/* Normalises and emits the values of observable `sco`; `ref` names it (its id, or the
 * observed-data's id and its key). A refused value is rejected and the rest go on. */
static enum ruru_err
emit_sco(struct stix *st, struct ruru_intel_indicator *ind, json_t *sco, const char *ref)
{
    const struct ruru_intel_sink *s = st->ctx->sink;
    struct sco_value v[MAX_SCO_VALUES];
    char num[24];
    size_t n = sco_values(sco, v, num);
    enum ruru_err err = RURU_OK;

    for (size_t k = 0; k < n && err == RURU_OK; k++) {
        enum ruru_ioc_type t = v[k].type;
        const char *reason;
        bool colon = strchr(v[k].raw, ':') != NULL;
        if (!ruru_ioc_normalize(&t, v[k].raw, strlen(v[k].raw), &st->ctx->norm, &st->canon,
                                &reason)) {
            if (strcmp(reason, "out of memory") == 0)
                return RURU_ENOMEM;
            err = ruru_stix_reject(st, ind->object_ref, v[k].raw, reason);
            continue;
        }
        if ((v[k].type == RURU_IOC_CIDR4 && colon) || (v[k].type == RURU_IOC_CIDR6 && !colon)) {
            err = ruru_stix_reject(st, ind->object_ref, v[k].raw,
                                   colon ? "malformed IPv4 address" : "malformed IPv6 address");
            continue;
        }
        ruru_buf_reset(&st->ref);
        if (n == 1 || v[k].suffix == NULL)
            ruru_buf_adds(&st->ref, ref);
        else
            ruru_buf_addf(&st->ref, "%s#%s", ref, v[k].suffix);
        if (st->ref.failed)
            return RURU_ENOMEM;
        ind->ref = ruru_buf_str(&st->ref);
        ind->type = t;
        ind->value = ruru_buf_str(&st->canon);
        ind->raw = strcmp(v[k].raw, ind->value) != 0 ? v[k].raw : NULL;
        if (s->indicator != NULL)
            err = s->indicator(s->ctx, ind);
    }
    return err;
}

static int64_t time_of(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    int64_t t = RURU_TIME_NONE;

    if (json_is_string(v) && !ruru_time_parse(json_string_value(v), json_string_length(v), &t))
        t = RURU_TIME_NONE;
    return t;
}

/* Labels of an SDO, as the indicator importer keeps them. */
static size_t labels_of(json_t *o, const char **out, size_t max)
{
    json_t *v;
    size_t i, n = 0;

    json_array_foreach(json_object_get(o, "labels"), i, v)
    {
        const char *s = json_string_value(v);
        if (s != NULL && *s != '\0' && n < max)
            out[n++] = s;
    }
    return n;
}

/* Labels per indicator, as in stix.c. */
#define MAX_LABELS 64

enum ruru_err ruru_stix_observed_data(struct stix *st, json_t *o, const char *id)
{
    struct ruru_intel_indicator ind;
    const char *labels[MAX_LABELS], *key;
    json_t *objs = json_object_get(o, "objects"), *refs = json_object_get(o, "object_refs"), *x;
    enum ruru_err err = RURU_OK;
    size_t i;

    ruru_intel_indicator_init(&ind);
    ind.object_ref = id;
    ind.to_ids = false;
    ind.first_seen = time_of(o, "first_observed");
    ind.last_seen = time_of(o, "last_observed");
    ind.modified = time_of(o, "modified");
    if (ind.modified == RURU_TIME_NONE)
        ind.modified = time_of(o, "created");
    ind.created_by = sstr(o, "created_by_ref");
    ind.description = sstr(o, "description");
    ind.n_labels = labels_of(o, labels, MAX_LABELS);
    ind.labels = labels;
    ind.tlp = ruru_stix_object_tlp(st, o);
    ind.revoked = json_is_true(json_object_get(o, "revoked"));
    if (objs != NULL && !json_is_object(objs))
        return ruru_stix_reject(st, id, "objects", "observed-data objects is not a dictionary");
    /* STIX 2.0: the observables live in the dictionary, named by their keys. */
    json_object_foreach(objs, key, x)
    {
        ruru_buf_reset(&st->ctxbuf);
        if (ruru_buf_addf(&st->ctxbuf, "%s#%s", id, key) != RURU_OK)
            return RURU_ENOMEM;
        /* emit_sco writes st->ref; the observed-data's ref is copied out first */
        {
            char *ref = ruru_buf_detach(&st->ctxbuf);
            if (ref == NULL)
                return RURU_ENOMEM;
            err = emit_sco(st, &ind, x, ref);
            ruru_free(ref);
        }
        if (err != RURU_OK)
            return err;
    }
    /* STIX 2.1: references to observables at the top of the bundle. */
    json_array_foreach(refs, i, x)
    {
        const char *ref = json_string_value(x);
        json_t *sco = ref != NULL ? json_object_get(st->sco_by_id, ref) : NULL;
        if (sco != NULL && (err = emit_sco(st, &ind, sco, ref)) != RURU_OK)
            return err;
    }
    return RURU_OK;
}

enum ruru_err ruru_stix_infrastructure(struct stix *st, json_t *o, const char *id)
{
    struct ruru_intel_indicator ind;
    const char *labels[MAX_LABELS], *actors[MAX_LABELS], *name = sstr(o, "name");
    json_t *part, *a;
    size_t i, n_actors = 0;
    enum ruru_err err = RURU_OK;
    char *context = NULL;

    json_array_foreach(json_object_get(st->infra_actors, id), i, a)
    {
        if (n_actors < MAX_LABELS)
            actors[n_actors++] = json_string_value(a);
    }
    if (name != NULL) {
        ruru_buf_reset(&st->ctxbuf);
        if (ruru_buf_addf(&st->ctxbuf, "infrastructure=%s", name) != RURU_OK ||
            (context = ruru_buf_detach(&st->ctxbuf)) == NULL)
            return RURU_ENOMEM;
    }
    json_array_foreach(json_object_get(st->infra_parts, id), i, part)
    {
        const char *rel = json_string_value(json_array_get(part, 0));
        const char *ref = json_string_value(json_array_get(part, 1));
        json_t *sco = json_object_get(st->sco_by_id, ref);
        if (sco == NULL)
            continue; /* an SDO (another infrastructure, a malware) or not in the bundle */
        ruru_intel_indicator_init(&ind);
        ind.object_ref = id;
        ind.context = context;
        /* Its parts are the infrastructure; what it talks to may be anyone's. */
        ind.to_ids = strcmp(rel, "consists-of") == 0;
        ind.actors = actors;
        ind.n_actors = ind.to_ids ? n_actors : 0;
        ind.first_seen = time_of(o, "first_seen");
        ind.last_seen = time_of(o, "last_seen");
        ind.modified = time_of(o, "modified");
        if (ind.modified == RURU_TIME_NONE)
            ind.modified = time_of(o, "created");
        ind.created_by = sstr(o, "created_by_ref");
        ind.description = sstr(o, "description");
        ind.n_labels = labels_of(o, labels, MAX_LABELS);
        ind.labels = labels;
        ind.tlp = ruru_stix_object_tlp(st, o);
        ind.revoked = json_is_true(json_object_get(o, "revoked"));
        if ((err = emit_sco(st, &ind, sco, ref)) != RURU_OK)
            break;
    }
    ruru_free(context);
    return err;
}

/* Appends s to the array at obj[key] (created on first use). */
static void append(json_t *obj, const char *key, json_t *s)
{
    json_t *arr = json_object_get(obj, key);

    if (s == NULL)
        return;
    if (arr == NULL) {
        arr = json_array();
        if (arr == NULL || json_object_set_new(obj, key, arr) != 0) {
            json_decref(s);
            return;
        }
    }
    json_array_append_new(arr, s);
}

static bool prefixed(const char *s, const char *type)
{
    size_t n = strlen(type);
    return s != NULL && strncmp(s, type, n) == 0 && s[n] == '-' && s[n + 1] == '-';
}

/* The cyber-observable types whose values sco_values reads. */
static bool is_sco(const char *type)
{
    static const char *const T[] = {"ipv4-addr",
                                    "ipv6-addr",
                                    "domain-name",
                                    "url",
                                    "email-addr",
                                    "mac-addr",
                                    "mutex",
                                    "windows-registry-key",
                                    "directory",
                                    "file",
                                    "x509-certificate",
                                    "autonomous-system"};
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++)
        if (strcmp(type, T[i]) == 0)
            return true;
    return false;
}

void ruru_stix_index_observable(struct stix *st, json_t *o, const char *type, const char *id)
{
    const char *rt, *src, *dst;

    if (is_sco(type)) {
        json_object_set(st->sco_by_id, id, o);
        return;
    }
    if (strcmp(type, "relationship") != 0 || json_is_true(json_object_get(o, "revoked")))
        return;
    rt = sstr(o, "relationship_type");
    src = sstr(o, "source_ref");
    dst = sstr(o, "target_ref");
    if (rt == NULL || src == NULL || dst == NULL)
        return;
    if (prefixed(src, "infrastructure") &&
        (strcmp(rt, "consists-of") == 0 || strcmp(rt, "communicates-with") == 0))
        append(st->infra_parts, src, json_pack("[ss]", rt, dst));
    else if (prefixed(dst, "infrastructure") && strcmp(rt, "uses") == 0 &&
             (prefixed(src, "intrusion-set") || prefixed(src, "threat-actor")))
        append(st->infra_actors, dst, json_string(src));
    else if (prefixed(src, "indicator") && prefixed(dst, "infrastructure") &&
             strcmp(rt, "indicates") == 0)
        append(st->ind_infras, src, json_string(dst));
}

void ruru_stix_indicated_actors(
        struct stix *st, const char *id, const char **actors, size_t *n, size_t max)
{
    json_t *infra, *a;
    size_t i, k;

    json_array_foreach(json_object_get(st->ind_infras, id), i, infra)
    {
        json_array_foreach(json_object_get(st->infra_actors, json_string_value(infra)), k, a)
        {
            const char *s = json_string_value(a);
            bool seen = false;
            for (size_t j = 0; j < *n && !seen; j++)
                seen = strcmp(actors[j], s) == 0;
            if (!seen && *n < max)
                actors[(*n)++] = s;
        }
    }
}
