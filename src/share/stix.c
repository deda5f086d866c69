/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The STIX 2.1 export (docs/export.md): one bundle of the model's incidents with their
 * evidence, every object marked with the TLP 2.0 level of what it derives from.
 *
 *   - identity: the reporting CERT (created_by_ref of everything), and one per asset
 *     (identity_class "system"), where the sightings were made; an organisation's asset is
 *     named "ASSET (ORG)" and `related-to` the organisation's identity ("organization");
 *   - per indicator the evidence rests on: an `indicator` (the intel's own STIX id when it came
 *     as STIX, else a new one with a STIX pattern of its value; a rule: pattern_type "sigma"),
 *     `indicates` each intrusion-set its intel ties it to;
 *   - per record: `observed-data` over an `artifact` holding the record and the observable
 *     that matched; per piece of evidence of an incident: a `sighting` of its indicator with
 *     the records, where it was seen, first and last time and count;
 *   - per incident: an `incident`, a `grouping` of it with everything it rests on, its
 *     attribution as an `attributed-to` relationship with the judgement's probability as
 *     confidence, and the competing hypotheses as a `note`.
 *
 * Ids are UUIDv5: cyber observables as the specification derives them, everything else from
 * ruru's namespace and a key of what the object is. Objects are sorted by id, keys by name.
 */
#include <inttypes.h>
#include <nettle/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cases/incident.h"
#include "intel/intel.h"
#include "share/share.h"

#define TLP_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define TLP_CREATOR   "identity--e50ab59c-5c4f-4d40-bf6a-d58418d89bcd"

struct stix {
    json_t *objs; /* id -> object */
    json_t *tlp;  /* id -> TLP rank of the object */
    char cert[96];
    const char *now; /* the time of objects that have none of their own */
    bool oom;
};

/* The value at a dotted path ("ruru.indicator.value"), as incidents read sightings. */
static json_t *at(json_t *o, const char *path)
{
    return ruru_case_at(o, path);
}

static const char *sat(json_t *o, const char *path)
{
    return json_string_value(at(o, path));
}

static int rank_of(const char *tlp)
{
    int r = tlp != NULL ? ruru_tlp_rank(tlp) : -1;
    return r < 0 ? RURU_TLP_LEVELS - 1 : r; /* unknown: the most restrictive */
}

/* "type--uuid5(ruru namespace, type|key)" into out. */
static void make_id(const char *type, const char *key, char out[96])
{
    char name[4096], u[37];
    int n = snprintf(name, sizeof(name), "%s|%s", type, key);

    ruru_uuid5(RURU_UUID_NAMESPACE, name,
               n < 0                      ? 0
               : (size_t)n < sizeof(name) ? (size_t)n
                                          : sizeof(name) - 1,
               u);
    snprintf(out, 96, "%s--%s", type, u);
}

/* Adds obj (stolen) under its id, or raises the TLP of the one there. */
static void put(struct stix *s, json_t *obj, int tlp)
{
    const char *id = sat(obj, "id");
    json_t *old;

    if (obj == NULL || id == NULL) {
        s->oom = true;
        json_decref(obj);
        return;
    }
    old = json_object_get(s->tlp, id);
    if (old != NULL) {
        if (tlp > json_integer_value(old))
            json_object_set_new(s->tlp, id, json_integer(tlp));
        json_decref(obj);
        return;
    }
    json_object_set_new(s->tlp, id, json_integer(tlp));
    json_object_set_new(s->objs, id, obj);
}

/* Lowers the TLP of an object shared by several things to the least restrictive of them (an
 * actor's name, known from any of them). */
static void put_least(struct stix *s, json_t *obj, int tlp)
{
    const char *id = sat(obj, "id");
    json_t *old = id != NULL ? json_object_get(s->tlp, id) : NULL;

    if (old != NULL && tlp < json_integer_value(old))
        json_object_set_new(s->tlp, id, json_integer(tlp));
    if (old != NULL) {
        json_decref(obj);
        return;
    }
    put(s, obj, tlp);
}

/* A time with milliseconds, as STIX wants created and modified: "...:SSZ" gains ".000". */
static const char *milli(const char *t, char out[40])
{
    size_t n = strlen(t);

    if (n == 20 && t[19] == 'Z')
        snprintf(out, 40, "%.19s.000Z", t);
    else
        snprintf(out, 40, "%s", t);
    return out;
}

static json_t *sdo(struct stix *s, const char *type, const char *id, const char *when)
{
    char m[40];

    when = milli(when ? when : s->now, m);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type, "spec_version", "2.1", "id",
                     id, "created", when, "modified", when, "created_by_ref", s->cert);
}

/* A relationship SRO "src TYPE dst", its id (from those three) in id. */
static json_t *relationship(struct stix *s,
                            const char *type,
                            const char *src,
                            const char *dst,
                            const char *when,
                            char id[96])
{
    char key[512];
    json_t *o;

    snprintf(key, sizeof(key), "%s|%s|%s", src, type, dst);
    make_id("relationship", key, id);
    o = sdo(s, "relationship", id, when);
    json_object_set_new(o, "relationship_type", json_string(type));
    json_object_set_new(o, "source_ref", json_string(src));
    json_object_set_new(o, "target_ref", json_string(dst));
    return o;
}

/* A STIX pattern string literal: ' and \ escaped. */
static void quote(struct ruru_buf *b, const char *v)
{
    ruru_buf_addc(b, '\'');
    for (; *v != '\0'; v++) {
        if (*v == '\'' || *v == '\\')
            ruru_buf_addc(b, '\\');
        ruru_buf_addc(b, *v);
    }
    ruru_buf_addc(b, '\'');
}

/* The STIX pattern and the observable of an indicator's value by its ruru type. OUT: pattern
 * text in b; *sco_type and *sco_prop the observable that holds the value (NULL when none). */
static bool pattern_of(const char *type,
                       const char *value,
                       struct ruru_buf *b,
                       const char **sco_type,
                       const char **sco_prop)
{
    static const struct {
        const char *ruru, *path, *sco, *prop;
    } MAP[] = {
            {"ipv4", "ipv4-addr:value", "ipv4-addr", "value"},
            {"cidr4", "ipv4-addr:value", "ipv4-addr", "value"},
            {"ipv6", "ipv6-addr:value", "ipv6-addr", "value"},
            {"cidr6", "ipv6-addr:value", "ipv6-addr", "value"},
            {"domain", "domain-name:value", "domain-name", "value"},
            {"url", "url:value", "url", "value"},
            {"email", "email-addr:value", "email-addr", "value"},
            {"md5", "file:hashes.MD5", "file", "hashes.MD5"},
            {"sha1", "file:hashes.'SHA-1'", "file", "hashes.SHA-1"},
            {"sha256", "file:hashes.'SHA-256'", "file", "hashes.SHA-256"},
            {"sha512", "file:hashes.'SHA-512'", "file", "hashes.SHA-512"},
            {"filename", "file:name", "file", "name"},
            {"mutex", "mutex:name", "mutex", "name"},
            {"regkey", "windows-registry-key:key", "windows-registry-key", "key"},
            {"mac", "mac-addr:value", "mac-addr", "value"},
            {"user-agent",
             "network-traffic:extensions.'http-request-ext'.request_header."
             "'User-Agent'",
             NULL, NULL},
            {"uri-path", "network-traffic:extensions.'http-request-ext'.request_value", NULL, NULL},
            {"pipe", "file:name", "file", "name"},
            {"filepath", "file:name", "file", "name"},
            {"string", "artifact:payload_bin MATCHES", NULL, NULL},
    };

    *sco_type = *sco_prop = NULL;
    for (size_t i = 0; i < sizeof(MAP) / sizeof(MAP[0]); i++) {
        if (strcmp(type, MAP[i].ruru) != 0)
            continue;
        if (strcmp(type, "string") == 0)
            return false; /* free text is no observable: its pattern is ruru's own */
        ruru_buf_addc(b, '[');
        ruru_buf_adds(b, MAP[i].path);
        ruru_buf_adds(b, " = "); /* a range too: STIX compares addresses with CIDRs by = */
        quote(b, value);
        ruru_buf_addc(b, ']');
        *sco_type = MAP[i].sco;
        *sco_prop = MAP[i].prop;
        return true;
    }
    return false;
}

/* A cyber observable holding value, its id as STIX derives it (UUIDv5 of its id contributing
 * properties). */
static json_t *sco(const char *type, const char *prop, const char *value)
{
    json_t *o = json_pack("{s:s, s:s}", "type", type, "spec_version", "2.1"), *idp;
    char id[96], u[37], *canon;
    const char *dot = strchr(prop, '.');

    if (o == NULL)
        return NULL;
    if (dot != NULL) {
        char key[32];
        snprintf(key, sizeof(key), "%.*s", (int)(dot - prop), prop);
        idp = json_pack("{s:{s:s}}", key, dot + 1, value);
    } else {
        idp = json_pack("{s:s}", prop, value);
    }
    canon = idp != NULL ? json_dumps(idp, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (canon == NULL) {
        json_decref(idp);
        json_decref(o);
        return NULL;
    }
    ruru_uuid5(RURU_STIX_SCO_NAMESPACE, canon, strlen(canon), u);
    free(canon);
    snprintf(id, sizeof(id), "%s--%s", type, u);
    json_object_update(o, idp);
    json_decref(idp);
    json_object_set_new(o, "id", json_string(id));
    return o;
}

/* The record a sighting cites as an artifact (its text, base64). */
static json_t *record_artifact(const char *text, const char *sha)
{
    size_t n = strlen(text);
    char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1);
    json_t *o;
    char id[96];

    if (b64 == NULL)
        return NULL;
    base64_encode_raw(b64, n, (const uint8_t *)text);
    b64[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
    o = json_pack("{s:s, s:s, s:s, s:s}", "type", "artifact", "spec_version", "2.1", "mime_type",
                  "text/plain", "payload_bin", b64);
    free(b64);
    make_id("artifact", sha != NULL ? sha : text, id);
    json_object_set_new(o, "id", json_string(id));
    return o;
}

/* The indicator of a sighting: its id in *id_out. */
static void indicator(struct stix *s, json_t *sg, int tlp_sighting, char id_out[96])
{
    json_t *rule = at(sg, "ruru.rule"), *ind = at(sg, "ruru.indicator"), *o, *a;
    struct ruru_buf p;
    const char *st, *sp;
    size_t i;

    ruru_buf_init(&p, (size_t)1 << 24);
    if (json_is_object(rule)) {
        const char *rid = sat(rule, "id") ? sat(rule, "id") : sat(rule, "title");
        json_t *yaml = json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "title",
                                 json_object_get(rule, "title"), "id", json_object_get(rule, "id"),
                                 "author", json_object_get(rule, "author"), "description",
                                 json_object_get(rule, "description"), "level",
                                 json_object_get(rule, "level"), "logsource",
                                 json_object_get(rule, "logsource"), "tags",
                                 json_object_get(rule, "tags"));
        char *text = yaml != NULL ? json_dumps(yaml, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
        make_id("indicator", rid ? rid : "rule", id_out);
        o = sdo(s, "indicator", id_out, NULL);
        json_object_set_new(o, "name", json_string(sat(rule, "title") ? sat(rule, "title") : rid));
        json_object_set_new(o, "pattern_type", json_string("sigma"));
        /* The rule's text; when its file is gone, a Sigma document of what the sighting
         * keeps of it (its metadata, in JSON, which is YAML). */
        json_object_set_new(o, "pattern",
                            json_string(sat(rule, "text") ? sat(rule, "text")
                                        : text != NULL    ? text
                                                          : "{}"));
        json_object_set_new(o, "valid_from", json_string(s->now));
        json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
        {
            /* the Detection Rule License and most others ask for the author to be kept */
            const char *author = sat(rule, "author"), *lic = sat(rule, "license");
            char desc[1024];
            snprintf(desc, sizeof(desc), "Sigma rule %s, author: %s%s%s.",
                     sat(rule, "file") ? sat(rule, "file") : "", author ? author : "unknown",
                     lic ? ", licence: " : "", lic ? lic : "");
            json_object_set_new(o, "description", json_string(desc));
        }
        free(text);
        json_decref(yaml);
        put(s, o, tlp_sighting); /* the rule is public: its TLP is the sighting's */
        ruru_buf_fini(&p);
        return;
    }
    {
        const char *ref = sat(ind, "object"), *type = sat(ind, "type"), *value = sat(ind, "value");
        const char *t = sat(ind, "tlp");
        int tlp = t != NULL ? rank_of(t) : tlp_sighting;
        if (t == NULL && tlp > 2)
            tlp = 2;
        if (ref != NULL && strncmp(ref, "indicator--", 11) == 0 && strlen(ref) < 96)
            snprintf(id_out, 96, "%s", ref);
        else
            make_id("indicator", sat(ind, "id") ? sat(ind, "id") : value ? value : "", id_out);
        o = sdo(s, "indicator", id_out,
                sat(ind, "valid_from") ? sat(ind, "valid_from") : sat(ind, "first_seen"));
        json_object_set_new(o, "name", json_string(value ? value : ""));
        if (type != NULL && strcmp(type, "stix-pattern") == 0) {
            json_object_set_new(o, "pattern_type", json_string("stix"));
            json_object_set_new(o, "pattern", json_string(value ? value : ""));
        } else if (type != NULL && value != NULL && pattern_of(type, value, &p, &st, &sp)) {
            json_object_set_new(o, "pattern_type", json_string("stix"));
            json_object_set_new(o, "pattern", json_string(ruru_buf_str(&p)));
        } else {
            /* no STIX observable holds it (free text, a file-name regex): ruru's own pattern */
            json_object_set_new(o, "pattern_type", json_string("ruru"));
            json_object_set_new(o, "pattern", json_string(value ? value : ""));
        }
        json_object_set_new(o, "valid_from",
                            json_string(sat(ind, "valid_from")   ? sat(ind, "valid_from")
                                        : sat(ind, "first_seen") ? sat(ind, "first_seen")
                                                                 : s->now));
        if (sat(ind, "valid_until") != NULL)
            json_object_set_new(o, "valid_until", json_string(sat(ind, "valid_until")));
        if (sat(ind, "description") != NULL)
            json_object_set_new(o, "description", json_string(sat(ind, "description")));
        if (json_is_integer(json_object_get(ind, "confidence")))
            json_object_set(o, "confidence", json_object_get(ind, "confidence"));
        json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity"));
        put(s, o, tlp);
        json_array_foreach(json_object_get(ind, "actors"), i, a)
        {
            const char *name = sat(a, "name");
            char aid[96], rid[96];
            json_t *set, *rel;
            if (name == NULL)
                continue;
            make_id("intrusion-set", name, aid);
            set = sdo(s, "intrusion-set", aid, NULL);
            json_object_set_new(set, "name", json_string(name));
            put_least(s, set, tlp);
            rel = relationship(s, "indicates", id_out, aid, NULL, rid);
            put(s, rel, tlp);
        }
    }
    ruru_buf_fini(&p);
}

/* One record of a sighting as observed-data; its id in od_out. */
static void observed(struct stix *s, json_t *sg, const char *when, int tlp, char od_out[96])
{
    json_t *rec = json_array_size(at(sg, "ruru.members")) > 0
                          ? json_array_get(at(sg, "ruru.members"), 0)
                          : sg;
    const char *sha = sat(rec, "ruru.sha256"), *text = sat(sg, "event.original");
    const char *type = sat(sg, "ruru.indicator.type"), *obs = sat(sg, "ruru.observed");
    const char *t = sat(sg, "@timestamp") ? sat(sg, "@timestamp") : when;
    json_t *refs = json_array(), *o, *x;
    struct ruru_buf p;
    const char *st, *sp;
    char key[512];

    ruru_buf_init(&p, (size_t)1 << 24);
    if (text != NULL && (x = record_artifact(text, sha)) != NULL) {
        json_array_append(refs, json_object_get(x, "id"));
        put(s, x, tlp);
    }
    if (obs == NULL)
        obs = sat(sg, "ruru.indicator.value");
    if (type != NULL && obs != NULL && pattern_of(type, obs, &p, &st, &sp) && st != NULL &&
        (x = sco(st, sp, obs)) != NULL) {
        json_array_append(refs, json_object_get(x, "id"));
        put(s, x, tlp);
    }
    if (json_array_size(refs) == 0 && (x = record_artifact(sha ? sha : "", sha)) != NULL) {
        json_array_append(refs, json_object_get(x, "id"));
        put(s, x, tlp);
    }
    snprintf(key, sizeof(key), "%s|%s|%" PRId64, sha ? sha : "",
             sat(rec, "log.file.path") ? sat(rec, "log.file.path") : "",
             (int64_t)json_integer_value(at(rec, "log.offset")));
    make_id("observed-data", key, od_out);
    o = sdo(s, "observed-data", od_out, NULL);
    json_object_set_new(o, "first_observed", json_string(t));
    json_object_set_new(o, "last_observed", json_string(t));
    json_object_set_new(o, "number_observed", json_integer(1));
    json_object_set_new(o, "object_refs", refs);
    put(s, o, tlp);
    ruru_buf_fini(&p);
}

/* What one piece of evidence of an incident gathers: its sightings' records and times. */
static void evidence_sighting(struct stix *s,
                              json_t *inc,
                              const char *inc_id,
                              const char *asset_id,
                              const char *key,
                              json_t *group,
                              json_t *members)
{
    json_t *ods = json_array(), *sg, *o;
    const char *first = NULL, *last = NULL;
    char ind_id[96] = "", sid[96], skey[512];
    int tlp = 0;
    size_t i;

    json_array_foreach(members, i, sg)
    {
        int t = rank_of(sat(sg, "tlp"));
        const char *when = sat(sg, "@timestamp");
        char od[96];
        tlp = t > tlp ? t : tlp;
        indicator(s, sg, t, ind_id);
        observed(s, sg, sat(inc, "recorded"), t, od);
        if (!json_array_size(ods) || strcmp(json_string_value(json_array_get(ods, 0)), od) != 0)
            json_array_append_new(ods, json_string(od));
        if (when != NULL && (first == NULL || strcmp(when, first) < 0))
            first = when;
        if (when != NULL && (last == NULL || strcmp(when, last) > 0))
            last = when;
    }
    snprintf(skey, sizeof(skey), "%s|%s", inc_id, key);
    make_id("sighting", skey, sid);
    o = sdo(s, "sighting", sid, sat(inc, "updated"));
    json_object_set_new(o, "sighting_of_ref", json_string(ind_id));
    json_object_set_new(o, "observed_data_refs", ods);
    json_object_set_new(o, "where_sighted_refs", json_pack("[s]", asset_id));
    json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(members)));
    if (first != NULL) {
        json_object_set_new(o, "first_seen", json_string(first));
        json_object_set_new(o, "last_seen", json_string(last));
    }
    json_array_append_new(group, json_string(sid));
    json_array_append_new(group, json_string(ind_id));
    json_array_foreach(ods, i, sg) json_array_append(group, sg);
    put(s, o, tlp);
}

static void hypotheses_note(struct stix *s, json_t *inc, const char *inc_id, int tlp, json_t *group)
{
    json_t *j = json_object_get(inc, "judgement"), *h, *row, *c;
    struct ruru_buf b;
    char id[96];
    size_t i, k;
    json_t *o;

    ruru_buf_init(&b, (size_t)1 << 24);
    ruru_buf_addf(&b, "Competing hypotheses for %s\n\nHypothesis: probability (words)\n",
                  sat(inc, "id"));
    json_array_foreach(json_object_get(j, "hypotheses"), i, h)
    {
        ruru_buf_addf(&b, "- %s: %.4f (%s)\n", sat(h, "actor") ? sat(h, "actor") : "another actor",
                      json_number_value(json_object_get(h, "probability")),
                      sat(h, "words") ? sat(h, "words") : "");
    }
    ruru_buf_adds(&b, "\nEvidence: verdict and likelihood ratio per hypothesis, in the order"
                      " above\n");
    json_array_foreach(json_object_get(j, "table"), i, row)
    {
        /* the piece by its value (a rule: its title), as the incident's evidence names it */
        const char *key = sat(row, "evidence"), *what = key;
        json_t *e;
        json_array_foreach(json_object_get(inc, "evidence"), k, e)
        {
            if (key != NULL && sat(e, "key") != NULL && strcmp(sat(e, "key"), key) == 0 &&
                sat(e, "value") != NULL)
                what = sat(e, "value");
        }
        ruru_buf_addf(&b, "- %s (%s, group %" PRId64 "):", what != NULL ? what : "",
                      sat(row, "kind") ? sat(row, "kind") : "",
                      (int64_t)json_integer_value(json_object_get(row, "group")));
        json_array_foreach(json_object_get(row, "cells"), k, c)
        {
            ruru_buf_addf(&b, " %s %.4g;", sat(c, "verdict") ? sat(c, "verdict") : "",
                          json_number_value(json_object_get(c, "ratio")));
        }
        ruru_buf_addc(&b, '\n');
    }
    make_id("note", inc_id, id);
    o = sdo(s, "note", id, sat(inc, "updated"));
    json_object_set_new(o, "abstract", json_string("Competing hypotheses"));
    json_object_set_new(o, "content", json_string(b.failed ? "" : ruru_buf_str(&b)));
    json_object_set_new(o, "object_refs", json_pack("[s]", inc_id));
    json_array_append_new(group, json_string(id));
    put(s, o, tlp);
    ruru_buf_fini(&b);
}

static void one_incident(struct stix *s, json_t *inc)
{
    const char *rid = sat(inc, "id"), *asset = sat(inc, "asset"), *org = sat(inc, "org");
    json_t *j = json_object_get(inc, "judgement"), *group = json_array(), *keys = json_object();
    json_t *o, *sg, *members;
    int tlp = rank_of(sat(inc, "tlp"));
    char inc_id[96], asset_id[96], gid[96], akey[512], aname[512];
    const char *key;
    size_t i;

    make_id("incident", rid ? rid : "", inc_id);
    /* an asset's name is unique within one organisation only: an organisation's asset is
     * another identity, named "ASSET (ORG)" (the CERT's own keep their ids and names) */
    if (org != NULL) {
        snprintf(akey, sizeof(akey), "asset|%s|%s", org, asset ? asset : "");
        snprintf(aname, sizeof(aname), "%s (%s)", asset ? asset : "(unknown)", org);
    } else {
        snprintf(akey, sizeof(akey), "asset|%s", asset ? asset : "");
        snprintf(aname, sizeof(aname), "%s", asset ? asset : "(unknown)");
    }
    make_id("identity", akey, asset_id);
    o = sdo(s, "identity", asset_id, NULL);
    json_object_set_new(o, "name", json_string(aname));
    json_object_set_new(o, "identity_class", json_string("system"));
    put(s, o, tlp);
    /* the organisation the asset belongs to: an identity of its own, the asset related to it */
    if (org != NULL) {
        char oid[96], relid[96], rk[512];
        snprintf(rk, sizeof(rk), "org|%s", org);
        make_id("identity", rk, oid);
        o = sdo(s, "identity", oid, NULL);
        json_object_set_new(o, "name", json_string(org));
        json_object_set_new(o, "identity_class", json_string("organization"));
        /* industry-sector-ov is an open vocabulary: the sector as ruru orgs has it */
        if (sat(inc, "sector") != NULL)
            json_object_set_new(o, "sectors", json_pack("[s]", sat(inc, "sector")));
        put(s, o, tlp);
        o = relationship(s, "related-to", asset_id, oid, NULL, relid);
        put(s, o, tlp);
        json_array_append_new(group, json_string(oid));
        json_array_append_new(group, json_string(relid));
    }

    o = sdo(s, "incident", inc_id, sat(inc, "recorded"));
    {
        char m[40];
        json_object_set_new(
                o, "modified",
                json_string(milli(sat(inc, "updated") ? sat(inc, "updated") : s->now, m)));
    }
    {
        char name[1024], desc[2048];
        snprintf(name, sizeof(name), "%s on %s", rid ? rid : "incident",
                 org     ? aname
                 : asset ? asset
                         : "?");
        snprintf(desc, sizeof(desc),
                 "Severity %s%s, %s to %s, %zu sightings. Judgement: %s (analytic confidence %s).",
                 sat(inc, "severity") ? sat(inc, "severity") : "?",
                 json_is_true(json_object_get(inc, "serious")) ? " (serious)" : "",
                 sat(inc, "first") ? sat(inc, "first") : "undated",
                 sat(inc, "last") ? sat(inc, "last") : "undated",
                 json_array_size(json_object_get(inc, "sightings")),
                 sat(j, "why") ? sat(j, "why") : "none",
                 sat(j, "confidence") ? sat(j, "confidence") : "?");
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "description", json_string(desc));
    }
    json_object_set_new(
            o, "external_references",
            json_pack("[{s:s, s:s}]", "source_name", "ruru", "external_id", rid ? rid : ""));
    put(s, o, tlp);
    json_array_append_new(group, json_string(inc_id));

    /* the sightings, by the piece of evidence they are */
    json_array_foreach(json_object_get(inc, "sightings"), i, sg)
    {
        const char *k = sat(sg, "ruru.rule.id")      ? sat(sg, "ruru.rule.id")
                        : sat(sg, "ruru.rule.title") ? sat(sg, "ruru.rule.title")
                                                     : sat(sg, "ruru.indicator.id");
        if (k == NULL)
            continue;
        if ((members = json_object_get(keys, k)) == NULL)
            json_object_set_new(keys, k, members = json_array());
        json_array_append(members, sg);
    }
    json_object_foreach(keys, key, members)
            evidence_sighting(s, inc, inc_id, asset_id, key, group, members);

    if (sat(j, "actor") != NULL) {
        char aid[96], relid[96], desc[2048];
        double p = json_number_value(json_object_get(j, "probability"));
        make_id("intrusion-set", sat(j, "actor"), aid);
        o = sdo(s, "intrusion-set", aid, NULL);
        json_object_set_new(o, "name", json_string(sat(j, "actor")));
        put_least(s, o, tlp);
        o = relationship(s, "attributed-to", inc_id, aid, sat(inc, "updated"), relid);
        json_object_set_new(o, "confidence", json_integer((json_int_t)(p * 100 + 0.5)));
        snprintf(desc, sizeof(desc), "%s: %s (%.0f %%), analytic confidence %s. %s",
                 sat(j, "actor"), sat(j, "words") ? sat(j, "words") : "", p * 100,
                 sat(j, "confidence") ? sat(j, "confidence") : "?",
                 sat(j, "why") ? sat(j, "why") : "");
        json_object_set_new(o, "description", json_string(desc));
        put(s, o, tlp);
        json_array_append_new(group, json_string(relid));
        json_array_append_new(group, json_string(aid));
    }
    if (json_array_size(json_object_get(j, "hypotheses")) > 0)
        hypotheses_note(s, inc, inc_id, tlp, group);

    make_id("grouping", inc_id, gid);
    o = sdo(s, "grouping", gid, sat(inc, "updated"));
    json_object_set_new(o, "name", json_string(rid ? rid : "incident"));
    json_object_set_new(o, "context", json_string("suspicious-activity"));
    {
        /* sorted, each once */
        json_t *seen = json_object(), *refs = json_array(), *r;
        json_array_foreach(group, i, r) json_object_set(seen, json_string_value(r), json_true());
        json_object_foreach(seen, key, r) json_array_append_new(refs, json_string(key));
        json_decref(seen);
        json_object_set_new(o, "object_refs", refs);
    }
    put(s, o, tlp);
    json_decref(group);
    json_decref(keys);
}

static int by_id(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "id")),
                  json_string_value(json_object_get(*(json_t *const *)b, "id")));
}

enum ruru_err ruru_share_stix(json_t *model, struct ruru_buf *out, struct ruru_diag *d)
{
    struct stix s;
    json_t *inc, *o, *bundle, *objs;
    bool used[RURU_TLP_LEVELS] = {false};
    const char *id;
    char *text;
    size_t i, n = 0;
    json_t **v;

    if (!json_is_object(model) || !json_is_array(json_object_get(model, "incidents")))
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0, "not an export model");
    memset(&s, 0, sizeof(s));
    s.objs = json_object();
    s.tlp = json_object();
    s.now = sat(model, "updated") ? sat(model, "updated") : "1970-01-01T00:00:00Z";
    {
        const char *name = sat(model, "cert.name") ? sat(model, "cert.name") : "ruru";
        make_id("identity", name, s.cert);
        o = sdo(&s, "identity", s.cert, NULL);
        json_object_set_new(o, "name", json_string(name));
        json_object_set_new(o, "identity_class", json_string("organization"));
        if (sat(model, "cert.contact") != NULL)
            json_object_set_new(o, "contact_information", json_string(sat(model, "cert.contact")));
        put(&s, o, 0);
    }
    json_array_foreach(json_object_get(model, "incidents"), i, inc) one_incident(&s, inc);

    /* markings: the TLP of each object, and the definitions of those used */
    json_object_foreach(s.objs, id, o)
    {
        int t = (int)json_integer_value(json_object_get(s.tlp, id));
        used[t] = true;
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", ruru_tlp_stix_id(t)));
    }
    for (int t = 0; t < RURU_TLP_LEVELS; t++) {
        static const char *const NAMES[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER",
                                            "TLP:AMBER+STRICT", "TLP:RED"};
        static const char *const LEVELS[] = {"clear", "green", "amber", "amber+strict", "red"};
        if (!used[t])
            continue;
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
                      "marking-definition", "spec_version", "2.1", "id", ruru_tlp_stix_id(t),
                      "created", "2022-10-01T00:00:00.000Z", "created_by_ref", TLP_CREATOR, "name",
                      NAMES[t], "extensions", TLP_EXTENSION, "extension_type", "property-extension",
                      "tlp_2_0", LEVELS[t]);
        if (o == NULL)
            s.oom = true;
        else
            json_object_set_new(s.objs, ruru_tlp_stix_id(t), o);
    }
    v = calloc(json_object_size(s.objs) + 1, sizeof(*v));
    objs = json_array();
    if (v == NULL || objs == NULL)
        s.oom = true;
    json_object_foreach(s.objs, id, o) if (v != NULL) v[n++] = o;
    if (v != NULL)
        qsort(v, n, sizeof(*v), by_id);
    for (i = 0; v != NULL && i < n; i++)
        json_array_append(objs, v[i]);
    free(v);
    {
        /* the bundle is named by the ids it holds (not their times: the same incidents,
         * changed, keep one bundle id) */
        struct ruru_buf ids;
        char bid[96], u[37];
        json_t *x;
        ruru_buf_init(&ids, (size_t)1 << 30);
        json_array_foreach(objs, i, x) ruru_buf_addf(&ids, "%s\n", sat(x, "id"));
        ruru_uuid5(RURU_UUID_NAMESPACE, ids.failed ? "" : ruru_buf_str(&ids),
                   ids.failed ? 0 : ids.len, u);
        ruru_buf_fini(&ids);
        snprintf(bid, sizeof(bid), "bundle--%s", u);
        bundle = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bid, "objects", objs);
    }
    text = bundle != NULL ? json_dumps(bundle, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
                          : NULL;
    if (text == NULL || s.oom || ruru_buf_adds(out, text) != RURU_OK ||
        ruru_buf_addc(out, '\n') != RURU_OK) {
        free(text);
        json_decref(bundle);
        json_decref(s.objs);
        json_decref(s.tlp);
        return ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    free(text);
    json_decref(bundle);
    json_decref(s.objs);
    json_decref(s.tlp);
    return RURU_OK;
}
