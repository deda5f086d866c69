/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sightings a constituent submits (ruru_sightings_submitted): what the constituent saw becomes
 * evidence, and only the CERT's own intel says what it means, so that the national statistic
 * is not made of the constituents' claims.
 *
 * The way: every accepted item (submit_read.c) is written as one ECS JSON line to the spool
 * file, which the CERT keeps:
 *
 *   {"@timestamp": "2024-07-12T01:00:00Z", "host": {"ip": "10.20.0.15"},
 *    "dns": {"question": {"name": "update.examplebank-update.example"}},
 *    "event": {"original": "1720746000.102030\tCa1b...\t10.20.0.15\t..."},
 *    "ruru": {"submitted": {"org": "Ministry-A", "item": 1, "tool": "ruru"}}}
 *
 * and the spool is swept like any log (ruru_scan, format jsonl, no rules) with the caller's
 * store: the CERT's indicators match it with the sweep's own semantics (validity at the
 * record's time, parent domains, address ranges, warninglists), and each sighting cites the
 * spool's bytes, so `ruru verify` checks it. Matches inside the submission's own bookkeeping
 * (ruru.submitted) are no observation and are dropped.
 *
 * A value the CERT's intel does not know is still what the constituent saw: it becomes a
 * sighting of the same shape whose indicator is the constituent's claim, marked as such
 * (source "submitted:ORG", created_by ORG, no confidence), its actors kept apart as
 * ruru.claimed_actors, so that the claim weighs on no attribution. Every sighting made here
 * carries ruru.submitted {"org", "item", ...}.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/register.h"
#include "cases/submit_int.h"
#include "intel/ioc.h"
#include "intel/query.h"
#include "intel/store.h"

/* Rejections listed in the report (all are counted): enough to fix a tool, bounded for a
 * submission of 100,000 bad lines. */
#define MAX_LISTED 1000u

/* Where an item's line is in the spool. */
struct place {
    uint64_t offset, line;
    size_t length;
    char sha256[65];
};

struct run {
    json_t *found; /* the sweep's sighting documents */
    bool failed;
};

/* Sets a.b.c = v (consumed) in o, creating the objects on the way; a second value of the same
 * name makes the member an array. */
static void put(json_t *o, const char *path, json_t *v)
{
    const char *dot;
    json_t *old;

    if (v == NULL)
        return;
    while ((dot = strchr(path, '.')) != NULL) {
        json_t *sub = json_object_getn(o, path, (size_t)(dot - path));
        if (!json_is_object(sub)) {
            sub = json_object();
            json_object_setn_new(o, path, (size_t)(dot - path), sub);
        }
        o = sub;
        path = dot + 1;
    }
    old = json_object_get(o, path);
    if (json_is_array(old)) {
        json_array_append_new(old, v);
    } else if (old != NULL) {
        json_object_set_new(o, path, json_pack("[O, o]", old, v));
    } else {
        json_object_set_new(o, path, v);
    }
}

static void hex_sha256(const char *p, size_t n, char out[65])
{
    struct sha256_ctx h;
    unsigned char d[SHA256_DIGEST_SIZE];

    sha256_init(&h);
    sha256_update(&h, n, (const uint8_t *)p);
    sha256_digest(&h, sizeof(d), d);
    for (size_t i = 0; i < sizeof(d); i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The submission's bookkeeping of an item: ruru.submitted. */
static json_t *submitted(const char *org, size_t item, json_t *desc)
{
    json_t *o = json_pack("{s:s, s:I}", "org", org, "item", (json_int_t)item);
    static const char *const KEEP[] = {"tool", "provider", "path", "count", "last_seen"};

    for (size_t i = 0; i < sizeof(KEEP) / sizeof(KEEP[0]); i++)
        if (json_object_get(desc, KEEP[i]) != NULL)
            json_object_set(o, KEEP[i], json_object_get(desc, KEEP[i]));
    return o;
}

/* The spool line of an item (without its newline), or NULL when memory ran out. */
static char *spool_line(const char *org, size_t item, json_t *desc)
{
    json_t *o = json_object(), *values = json_object_get(desc, "values"), *v, *t;
    const char *asset = json_string_value(json_object_get(desc, "asset"));
    char *text;
    size_t i;

    if (o == NULL)
        return NULL;
    if ((t = json_object_get(desc, "time")) != NULL) {
        char ts[RURU_TIME_BUF];
        ruru_time_format((int64_t)json_integer_value(t), ts);
        put(o, "@timestamp", json_string(ts));
    }
    if (asset != NULL)
        put(o, json_is_true(json_object_get(desc, "asset_is_ip")) ? "host.ip" : "host.name",
            json_string(asset));
    json_array_foreach(values, i, v) put(o, json_string_value(json_object_get(v, "field")),
                                         json_incref(json_object_get(v, "value")));
    if (json_object_get(desc, "original") != NULL)
        put(o, "event.original", json_incref(json_object_get(desc, "original")));
    put(o, "ruru.submitted", submitted(org, item, desc));
    text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static int on_sighting(void *ctx, const char *json)
{
    struct run *r = ctx;
    json_t *doc = json_loads(json, 0, NULL);

    if (doc == NULL || json_array_append_new(r->found, doc) != 0) {
        r->failed = true;
        return 1;
    }
    return 0;
}

static void on_error(void *ctx, enum ruru_err err, const struct ruru_diag *diag)
{
    (void)ctx;
    (void)err;
    (void)diag; /* the sweep's own error is returned; one input, nothing else to say */
}

/* The item (index into places) whose spool line starts at `offset`, or -1. */
static long item_at(const struct place *places, const size_t *which, size_t n, json_int_t offset)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((json_int_t)places[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && (json_int_t)places[lo].offset == offset ? (long)which[lo] : -1;
}

static const char *field_of(json_t *doc)
{
    json_t *ru = json_object_get(doc, "ruru");
    const char *f = json_string_value(json_object_get(json_object_get(ru, "field"), "canonical"));
    return f != NULL ? f
                     : json_string_value(json_object_get(json_object_get(ru, "field"), "native"));
}

/* ASCII case-insensitive equality (host names and hex differ in case only). */
static bool same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Does the CERT's sighting `doc` say what value v (of an item with `values`) is? It does when
 * it found v itself, or found something in v's field and v is the only value there, or is a
 * STIX pattern's (evaluated on the whole record). */
static bool covers(json_t *doc, json_t *v, json_t *values)
{
    const char *f = field_of(doc), *vf = json_string_value(json_object_get(v, "field"));
    size_t i, same = 0;
    json_t *w;

    if (f == NULL)
        return true;
    if (same_text(json_string_value(json_object_get(json_object_get(doc, "ruru"), "observed")),
                  json_string_value(json_object_get(v, "value"))))
        return true;
    if (strcmp(f, vf) != 0)
        return false;
    json_array_foreach(values, i, w) same +=
            strcmp(json_string_value(json_object_get(w, "field")), vf) == 0;
    return same == 1;
}

/* The ECS indicator type of a ruru type (as the sweep's sightings name them). */
static const char *ecs_type(const char *t)
{
    static const char *const map[][2] = {
            {"ipv4", "ipv4-addr"}, {"ipv6", "ipv6-addr"},   {"domain", "domain-name"},
            {"url", "url"},        {"email", "email-addr"}, {"md5", "file"},
            {"sha1", "file"},      {"sha256", "file"},      {"sha512", "file"},
            {"filename", "file"},  {"filepath", "file"},    {"user-agent", "software"},
            {"ja3", "software"},   {"ja3s", "software"},
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], t) == 0)
            return map[i][1];
    return "unknown";
}

/* The constituent's claim as an indicator: its type and value (else the observed value's), the
 * submitter as source and provenance, no confidence, no actors. */
static json_t *claim_indicator(const char *org, json_t *desc, const char *observed)
{
    json_t *claim = json_object_get(desc, "claim"), *ind;
    const char *value = json_string_value(json_object_get(claim, "value"));
    const char *tname = json_string_value(json_object_get(claim, "type"));
    enum ruru_ioc_type t = RURU_IOC_NONE;
    char source[160], id[64], hex[65];
    struct ruru_buf key;
    bool infer = false;

    if (value == NULL || value[0] == '\0' || strlen(value) > RURU_SUBMIT_MAX_VALUE) {
        value = observed;
        tname = NULL;
    }
    if (tname != NULL)
        t = ruru_ioc_type_parse(tname, &infer);
    if (t == RURU_IOC_NONE)
        t = ruru_ioc_infer(value, strlen(value));
    tname = t != RURU_IOC_NONE ? ruru_ioc_type_name(t) : "string";
    /* the same claim of one organisation is one piece of evidence, whenever it comes */
    ruru_buf_init(&key, 3 * RURU_SUBMIT_MAX_VALUE);
    if (ruru_buf_add(&key, org, strlen(org) + 1) != RURU_OK ||
        ruru_buf_add(&key, tname, strlen(tname) + 1) != RURU_OK ||
        ruru_buf_adds(&key, value) != RURU_OK) {
        ruru_buf_fini(&key);
        return NULL;
    }
    hex_sha256(key.ptr, key.len, hex);
    ruru_buf_fini(&key);
    snprintf(id, sizeof(id), "ruru-submitted--%.32s", hex);
    snprintf(source, sizeof(source), "submitted:%s", org);
    ind = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:[]}", "id", id, "type", tname, "value",
                    value, "source", source, "created_by", org, "actors", "techniques");
    if (ind == NULL)
        return NULL;
    if (json_object_get(claim, "description") != NULL)
        json_object_set(ind, "description", json_object_get(claim, "description"));
    if (json_object_get(claim, "tlp") != NULL)
        json_object_set(ind, "tlp", json_object_get(claim, "tlp"));
    if (json_is_array(json_object_get(claim, "labels")))
        json_object_set(ind, "labels", json_object_get(claim, "labels"));
    return ind;
}

/* Warninglists of the CERT's store holding an observed value. */
static json_t *warninglisted(ruru_store *store, const char *value)
{
    struct ruru_buf canon;
    struct ruru_norm_opts opts;
    enum ruru_ioc_type t = RURU_IOC_NONE;
    const char *why;
    json_t *wl = NULL;

    memset(&opts, 0, sizeof(opts));
    ruru_buf_init(&canon, 4 * RURU_SUBMIT_MAX_VALUE);
    if (ruru_ioc_normalize(&t, value, strlen(value), &opts, &canon, &why) && canon.ptr != NULL)
        wl = ruru_query_warninglists(ruru_store_db(store), t, ruru_buf_str(&canon));
    ruru_buf_fini(&canon);
    return wl;
}

/* A sighting of a value the CERT's intel does not know, citing the item's spool line. */
static json_t *claim_sighting(ruru_store *store,
                              const char *org,
                              const char *spool,
                              size_t item,
                              json_t *desc,
                              json_t *v,
                              const struct place *at,
                              const char *line)
{
    const char *value = json_string_value(json_object_get(v, "value"));
    const char *field = json_string_value(json_object_get(v, "field"));
    const char *asset = json_string_value(json_object_get(desc, "asset"));
    json_t *ind = claim_indicator(org, desc, value), *o = json_object(), *enr, *t, *wl;

    if (ind == NULL || o == NULL) {
        json_decref(ind);
        json_decref(o);
        return NULL;
    }
    if ((t = json_object_get(desc, "time")) != NULL) {
        char ts[RURU_TIME_BUF];
        ruru_time_format((int64_t)json_integer_value(t), ts);
        put(o, "@timestamp", json_string(ts));
    }
    put(o, "event.kind", json_string("enrichment"));
    put(o, "event.category", json_pack("[s]", "threat"));
    put(o, "event.type", json_pack("[s]", "indicator"));
    put(o, "event.dataset", json_string("ruru.sighting"));
    put(o, "event.original", json_stringn(line, at->length));
    put(o, "log.file.path", json_string(spool));
    put(o, "log.offset", json_integer((json_int_t)at->offset));
    if (asset != NULL)
        put(o, json_is_true(json_object_get(desc, "asset_is_ip")) ? "host.ip" : "host.name",
            json_string(asset));
    enr = json_object();
    put(enr, "indicator.type",
        json_string(ecs_type(json_string_value(json_object_get(ind, "type")))));
    put(enr, "indicator.name", json_incref(json_object_get(ind, "value")));
    put(enr, "indicator.provider", json_incref(json_object_get(ind, "source")));
    put(enr, "indicator.confidence", json_string("Not Specified"));
    put(enr, "indicator.description", json_incref(json_object_get(ind, "description")));
    put(enr, "matched.atomic", json_string(value));
    put(enr, "matched.field", json_string(field));
    put(enr, "matched.type", json_string("indicator_match_rule"));
    put(o, "threat.enrichments", json_pack("[o]", enr));
    put(o, "ruru.line", json_integer((json_int_t)at->line));
    put(o, "ruru.length", json_integer((json_int_t)at->length));
    put(o, "ruru.format", json_string("jsonl"));
    put(o, "ruru.sha256", json_string(at->sha256));
    put(o, "ruru.field.native", json_string(field));
    put(o, "ruru.field.canonical", json_string(field));
    put(o, "ruru.observed", json_string(value));
    if (asset != NULL)
        put(o, "ruru.asset", json_string(asset));
    if (t == NULL)
        put(o, "ruru.time_known", json_false());
    put(o, "ruru.indicator", ind);
    if (json_array_size(json_object_get(desc, "actors")) > 0)
        put(o, "ruru.claimed_actors", json_incref(json_object_get(desc, "actors")));
    wl = warninglisted(store, value);
    if (json_array_size(wl) > 0) {
        put(o, "ruru.warninglists", wl);
        put(o, "ruru.attribution_weight", json_false());
    } else {
        json_decref(wl);
    }
    put(o, "ruru.submitted", submitted(org, item, desc));
    return o;
}

/* The CERT's sighting of an item's line, as submitted: the organisation and item under
 * ruru.submitted, and the asset the constituent named (the sweep may have taken an address of
 * the record instead). */
static void mark_found(json_t *doc, const char *org, size_t item, json_t *desc)
{
    const char *asset = json_string_value(json_object_get(desc, "asset"));
    json_t *ru = json_object_get(doc, "ruru");

    if (!json_is_object(ru))
        json_object_set_new(doc, "ruru", ru = json_object());
    if (asset != NULL) {
        json_object_set_new(ru, "asset", json_string(asset));
        json_object_set_new(
                doc, "host",
                json_pack("{s:s}",
                          json_is_true(json_object_get(desc, "asset_is_ip")) ? "ip" : "name",
                          asset));
    }
    json_object_set_new(ru, "submitted", submitted(org, item, desc));
}

static json_int_t offset_of(json_t *doc)
{
    json_t *members = json_object_get(json_object_get(doc, "ruru"), "members");

    if (json_array_size(members) > 0)
        doc = json_array_get(members, 0); /* a pattern of several records: its first */
    return json_integer_value(json_object_get(json_object_get(doc, "log"), "offset"));
}

static enum ruru_err oom(struct ruru_diag *diag)
{
    return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Writes the spool: one line per accepted item. OUT: places[k], which[k] (the item) for the
 * k-th line, *n_lines, and lines[i] the text of item i's line (NULL when rejected). */
static enum ruru_err write_spool(const char *spool,
                                 const char *org,
                                 const struct ruru_submit_item *items,
                                 size_t n,
                                 struct place *places,
                                 size_t *which,
                                 char **lines,
                                 size_t *n_lines,
                                 struct ruru_diag *diag)
{
    FILE *f = fopen(spool, "wb");
    uint64_t off = 0;
    size_t k = 0;
    bool ok = f != NULL;

    if (f == NULL)
        return ruru_diag_set(diag, RURU_EIO, spool, 0, 0, "cannot write the spool file");
    for (size_t i = 0; ok && i < n; i++) {
        size_t len;
        if (items[i].desc == NULL)
            continue;
        if ((lines[i] = spool_line(org, i + 1, items[i].desc)) == NULL) {
            fclose(f);
            return oom(diag);
        }
        len = strlen(lines[i]);
        places[k].offset = off;
        places[k].line = k + 1;
        places[k].length = len;
        hex_sha256(lines[i], len, places[k].sha256);
        which[k++] = i;
        ok = fwrite(lines[i], 1, len, f) == len && fputc('\n', f) != EOF;
        off += len + 1;
    }
    if (fclose(f) != 0 || !ok)
        return ruru_diag_set(diag, RURU_EIO, spool, 0, 0, "cannot write the spool file");
    *n_lines = k;
    return RURU_OK;
}

static char *report_json(const struct ruru_submit_item *items,
                         size_t n,
                         size_t accepted,
                         size_t matched,
                         size_t n_sightings)
{
    json_t *rej = json_array(), *doc;
    size_t n_rej = 0;
    char *text;

    for (size_t i = 0; i < n; i++) {
        json_t *r;
        if (items[i].desc != NULL)
            continue;
        if (n_rej++ >= MAX_LISTED)
            continue;
        r = json_pack("{s:I}", "item", (json_int_t)(i + 1));
        if (items[i].line > 0)
            json_object_set_new(r, "line", json_integer((json_int_t)items[i].line));
        json_object_set_new(r, "reason", json_string(items[i].reason));
        json_array_append_new(rej, r);
    }
    doc = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "received", (json_int_t)n, "accepted",
                    (json_int_t)accepted, "matched_intel", (json_int_t)matched, "unmatched",
                    (json_int_t)(accepted - matched), "sightings", (json_int_t)n_sightings,
                    "rejected_count", (json_int_t)n_rej, "rejected", rej);
    text = doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(doc);
    return text;
}

enum ruru_err ruru_sightings_submitted(ruru_store *store,
                                       const char *org,
                                       const char *buf,
                                       size_t len,
                                       const char *spool,
                                       char **sightings,
                                       char **report,
                                       struct ruru_diag *diag)
{
    struct ruru_submit_item *items = NULL;
    struct place *places = NULL;
    size_t n = 0, n_lines = 0, *which = NULL, accepted = 0, matched = 0;
    char **lines = NULL, *out = NULL, *rep = NULL, *summary = NULL;
    json_t **per_item = NULL, *all = NULL, *doc;
    struct run run = {NULL, false};
    struct ruru_scan_opts o;
    const char *paths[1];
    enum ruru_err err;
    size_t i, k;

    ruru_diag_clear(diag);
    if (store == NULL || spool == NULL || sightings == NULL || report == NULL ||
        (buf == NULL && len > 0))
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "store, spool, sightings and report are needed");
    if (org == NULL)
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "submitted sightings name their "
                             "organisation");
    if ((err = ruru_org_name_check(org, diag)) != RURU_OK)
        return err;
    if ((err = ruru_submit_read(buf != NULL ? buf : "", len, &items, &n, diag)) != RURU_OK)
        return err;
    places = ruru_calloc(n + 1, sizeof(*places));
    which = ruru_calloc(n + 1, sizeof(*which));
    lines = ruru_calloc(n + 1, sizeof(*lines));
    per_item = ruru_calloc(n + 1, sizeof(*per_item));
    run.found = json_array();
    all = json_array();
    if (places == NULL || which == NULL || lines == NULL || per_item == NULL || run.found == NULL ||
        all == NULL) {
        err = oom(diag);
        goto out;
    }
    if ((err = write_spool(spool, org, items, n, places, which, lines, &n_lines, diag)) != RURU_OK)
        goto out;
    accepted = n_lines;
    /* The CERT's intel on what was seen, as the sweep would find it in any log. */
    memset(&o, 0, sizeof(o));
    o.log_format = "jsonl";
    o.threads = 1;
    o.no_builtin_rules = true;
    o.on_sighting = on_sighting;
    o.on_error = on_error;
    o.ctx = &run;
    paths[0] = spool;
    err = ruru_scan(store, paths, 1, &o, &summary, diag);
    ruru_free(summary);
    if (run.failed) {
        err = oom(diag);
        goto out;
    }
    if (err != RURU_OK)
        goto out;
    json_array_foreach(run.found, i, doc)
    {
        long it = item_at(places, which, n_lines, offset_of(doc));
        const char *f = field_of(doc);
        /* found in the submission's bookkeeping, not in what was seen */
        if (it < 0 || (f != NULL && strncmp(f, "ruru.", 5) == 0))
            continue;
        if (per_item[it] == NULL && (per_item[it] = json_array()) == NULL) {
            err = oom(diag);
            goto out;
        }
        mark_found(doc, org, (size_t)it + 1, items[it].desc);
        json_array_append(per_item[it], doc);
    }
    /* In item order: the CERT's sightings of an item, then the claims of what it did not know. */
    for (k = 0; k < n_lines; k++) {
        size_t it = which[k];
        json_t *values = json_object_get(items[it].desc, "values"), *v, *s;
        size_t j, q;
        matched += per_item[it] != NULL;
        json_array_foreach(per_item[it], j, s) json_array_append(all, s);
        json_array_foreach(values, j, v)
        {
            bool known = false;
            json_t *c;
            json_array_foreach(per_item[it], q, s) known |= covers(s, v, values);
            if (known)
                continue;
            c = claim_sighting(store, org, spool, it + 1, items[it].desc, v, &places[k], lines[it]);
            if (c == NULL || json_array_append_new(all, c) != 0) {
                err = oom(diag);
                goto out;
            }
        }
    }
    out = json_dumps(all, JSON_COMPACT | JSON_ENSURE_ASCII);
    rep = report_json(items, n, accepted, matched, json_array_size(all));
    if (out == NULL || rep == NULL) {
        free(out); /* from json_dumps */
        free(rep);
        err = oom(diag);
        goto out;
    }
    *sightings = out;
    *report = rep;
out:
    for (i = 0; lines != NULL && i < n; i++)
        free(lines[i]); /* from json_dumps */
    for (i = 0; per_item != NULL && i < n; i++)
        json_decref(per_item[i]);
    ruru_free(lines);
    ruru_free(per_item);
    ruru_free(places);
    ruru_free(which);
    json_decref(run.found);
    json_decref(all);
    ruru_submit_items_free(items, n);
    return err;
}
