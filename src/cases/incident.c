/* SPDX-License-Identifier: Apache-2.0 */
/* Incidents from sightings (incident.h). */
#include "cases/incident.h"

#include <libpsl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/map.h"
#include "base/time.h"

const char *ruru_severity_name(enum ruru_severity s)
{
    static const char *const names[] = {"informational", "low", "medium", "high", "critical"};
    return s <= RURU_SEV_CRITICAL ? names[s] : "?";
}

void ruru_case_defaults(struct ruru_case_config *c)
{
    memset(c, 0, sizeof(*c));
    c->gap = 86400;
    c->serious = RURU_SEV_HIGH;
    ruru_attrib_defaults(&c->attrib);
    snprintf(c->export.name, sizeof(c->export.name), "ruru");
    c->export.tlp_default = 2;
    c->export.tlp_evidence = 2;
}

/* ---- one sighting ------------------------------------------------------------------------- */

json_t *ruru_case_at(json_t *o, const char *path)
{
    char key[64];

    while (o != NULL && *path != '\0') {
        const char *dot = strchr(path, '.');
        size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = json_object_get(o, key);
        path += n + (dot != NULL);
    }
    return o;
}

static const char *str(json_t *o, const char *path)
{
    return json_string_value(ruru_case_at(o, path));
}

static int64_t time_at(json_t *o, const char *path)
{
    const char *s = str(o, path);
    int64_t t;

    return s != NULL && ruru_time_parse(s, strlen(s), &t) ? t : RURU_TIME_NONE;
}

struct cite {
    const char *path, *sha256;
    json_int_t line, offset, length;
};

struct sig {
    json_t *doc;
    int64_t time;
    const char *org;   /* the organisation it was recorded for (ruru.org), NULL: the CERT's own */
    const char *asset; /* unique within one organisation only */
    const char *key;   /* the indicator's or rule's id */
    const char *what;  /* its value or title */
    enum ruru_ev_kind kind;
    int confidence;
    int64_t since;
    char source[512];
    const char *provenance; /* the indicator's created_by: the report within the file */
    char cluster[300];
    bool warninglisted;
    bool asset_is_input; /* the record named no asset: asset is the input's path */
    char partition[300]; /* for a Kafka message's record: kafka:TOPIC/PARTITION */
    enum ruru_severity severity;
    struct cite cite;
};

static enum ruru_severity rule_severity(json_t *rule)
{
    const char *level = str(rule, "level"), *cls = str(rule, "class");
    int s = RURU_SEV_MEDIUM;

    if (level != NULL)
        s = !strcmp(level, "critical") ? RURU_SEV_CRITICAL
            : !strcmp(level, "high")   ? RURU_SEV_HIGH
            : !strcmp(level, "medium") ? RURU_SEV_MEDIUM
            : !strcmp(level, "low")    ? RURU_SEV_LOW
                                       : RURU_SEV_INFO;
    if (cls != NULL && !strcmp(cls, "success") && s < RURU_SEV_CRITICAL)
        s++;
    if (cls != NULL && !strcmp(cls, "attempt") && s > RURU_SEV_INFO)
        s--;
    return (enum ruru_severity)s;
}

static enum ruru_severity indicator_severity(const struct sig *x)
{
    int s;

    if (x->warninglisted)
        return RURU_SEV_INFO;
    switch (x->kind) {
    case RURU_EV_HASH:
    case RURU_EV_URL:
    case RURU_EV_PATTERN:
        s = RURU_SEV_HIGH;
        break;
    case RURU_EV_DOMAIN:
    case RURU_EV_EMAIL:
        s = RURU_SEV_MEDIUM;
        break;
    default:
        s = RURU_SEV_LOW;
    }
    if (x->confidence >= 0 && x->confidence < 50 && s > RURU_SEV_INFO)
        s--;
    return (enum ruru_severity)s;
}

/* The infrastructure cluster of an observed value: its /24 (/48), its registered domain. */
static void cluster_of(struct sig *x, const char *value)
{
    x->cluster[0] = '\0';
    if (value == NULL)
        return;
    if (x->kind == RURU_EV_IP && strchr(value, ':') == NULL) {
        const char *last = strrchr(value, '.');
        if (last != NULL && (size_t)(last - value) < sizeof(x->cluster) - 8)
            snprintf(x->cluster, sizeof(x->cluster), "%.*s.0/24", (int)(last - value), value);
    } else if (x->kind == RURU_EV_IP) {
        int colons = 0;
        size_t i = 0;
        while (value[i] != '\0' && colons < 3 && i < sizeof(x->cluster) - 8)
            colons += value[i++] == ':';
        snprintf(x->cluster, sizeof(x->cluster), "%.*s:/48", (int)(i > 0 ? i - 1 : 0), value);
    } else if (x->kind == RURU_EV_DOMAIN) {
        const char *reg = psl_registrable_domain(psl_builtin(), value);
        if (reg != NULL)
            snprintf(x->cluster, sizeof(x->cluster), "%s", reg);
    }
}

/* A sighting's evidence; false for a document that is none. */
static bool read_sig(json_t *doc, struct sig *x)
{
    json_t *rule = ruru_case_at(doc, "ruru.rule"), *ind = ruru_case_at(doc, "ruru.indicator"),
           *members;
    json_t *cite = doc, *wl = ruru_case_at(doc, "ruru.warninglists");

    memset(x, 0, sizeof(*x));
    x->doc = doc;
    x->time = time_at(doc, "@timestamp");
    x->asset = str(doc, "ruru.asset");
    x->org = str(doc, "ruru.org");
    x->confidence = -1;
    x->since = RURU_TIME_NONE;
    if (json_is_object(rule)) {
        x->key = str(rule, "id");
        x->what = str(rule, "title");
        x->kind = RURU_EV_RULE;
        x->severity = rule_severity(rule);
    } else if (json_is_object(ind)) {
        json_t *conf = json_object_get(ind, "confidence");
        x->key = str(ind, "id");
        x->what = str(ind, "value");
        x->kind = ruru_ev_kind_of(str(ind, "type"));
        x->confidence = json_is_integer(conf) ? (int)json_integer_value(conf) : -1;
        x->since = time_at(ind, "first_seen");
        if (x->since == RURU_TIME_NONE)
            x->since = time_at(ind, "valid_from");
        /* the report: the intel file it came from (a source is many files), else the source */
        snprintf(x->source, sizeof(x->source), "%s",
                 str(ind, "file")     ? str(ind, "file")
                 : str(ind, "source") ? str(ind, "source")
                                      : "");
        x->provenance = str(ind, "created_by");
        x->warninglisted =
                json_array_size(wl) > 0 || (json_is_object(wl) && json_object_size(wl) > 0);
        cluster_of(x, str(doc, "ruru.observed") ? str(doc, "ruru.observed") : x->what);
        x->severity = indicator_severity(x);
    }
    if (x->key == NULL)
        return false;
    /* a pattern over several records cites its first member */
    if (json_array_size(members = ruru_case_at(doc, "ruru.members")) > 0)
        cite = json_array_get(members, 0);
    x->cite.path = str(cite, "log.file.path") ? str(cite, "log.file.path") : str(cite, "ruru.path");
    x->cite.sha256 = str(cite, "ruru.sha256");
    x->cite.line = json_integer_value(ruru_case_at(cite, "ruru.line"));
    x->cite.offset = json_integer_value(ruru_case_at(cite, "log.offset"));
    x->cite.length = json_integer_value(ruru_case_at(cite, "ruru.length"));
    if (x->asset == NULL && cite != doc)
        x->asset = str(cite, "ruru.asset");
    /* A record that names no host (a Proxifier log, a test log, a line read as text) is on
     * the machine its input came from, which is all we know: one asset per input, never one
     * for all of them. */
    if (x->asset == NULL && x->cite.path != NULL) {
        const char *slash = strrchr(x->cite.path, '/');
        x->asset = x->cite.path;
        x->asset_is_input = true;
        /* A Kafka message (ruru stream: kafka:TOPIC/PARTITION/OFFSET) is one input each; the
         * partition it came through is where its records are from, as a file is for its
         * lines. */
        if (strncmp(x->cite.path, "kafka:", 6) == 0 && slash != NULL &&
            (size_t)(slash - x->cite.path) < sizeof(x->partition)) {
            memcpy(x->partition, x->cite.path, (size_t)(slash - x->cite.path));
            x->partition[slash - x->cite.path] = '\0';
            x->asset = x->partition;
        }
    }
    return true;
}

bool ruru_case_place(json_t *doc, struct ruru_place *out)
{
    struct sig x;

    if (!read_sig(doc, &x))
        return false;
    if (x.asset == x.partition) {
        memcpy(out->partition, x.partition, sizeof(out->partition));
        out->asset = out->partition;
    } else {
        out->asset = x.asset;
    }
    out->time = x.time;
    out->path = x.cite.path;
    return true;
}

/* Same organisation (NULL is the CERT's own, apart from every named one) and asset. */
static int place_cmp(const struct sig *x, const struct sig *y)
{
    int c;

    if ((x->org == NULL) != (y->org == NULL))
        return x->org == NULL ? -1 : 1;
    if (x->org != NULL && (c = strcmp(x->org, y->org)) != 0)
        return c;
    return strcmp(x->asset ? x->asset : "", y->asset ? y->asset : "");
}

static int by_asset_time(const void *a, const void *b)
{
    const struct sig *x = a, *y = b;
    int c = place_cmp(x, y);

    if (c != 0)
        return c;
    if ((x->time == RURU_TIME_NONE) != (y->time == RURU_TIME_NONE))
        return x->time == RURU_TIME_NONE ? 1 : -1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    c = strcmp(x->cite.path ? x->cite.path : "", y->cite.path ? y->cite.path : "");
    if (c != 0)
        return c;
    if (x->cite.offset != y->cite.offset)
        return x->cite.offset < y->cite.offset ? -1 : 1;
    /* one line matching two indicators: their order (the evidence's, and so the judgement's
     * groups) must not depend on the order the sightings were recorded in */
    return strcmp(x->key ? x->key : "", y->key ? y->key : "");
}

/* ---- one incident ------------------------------------------------------------------------- */

struct piece {
    struct sig *first;
    const char **actors;
    size_t n_actors;
    const char **techniques;
    size_t n_techniques;
    uint64_t n;
    int64_t first_time, last_time;
    json_t *cites;
};

static json_t *time_json(int64_t t)
{
    char buf[RURU_TIME_BUF];

    if (t == RURU_TIME_NONE)
        return json_null();
    ruru_time_format(t, buf);
    return json_string(buf);
}

static json_t *cite_json(const struct cite *c)
{
    return json_pack("{s:s?, s:I, s:I, s:I, s:s?}", "path", c->path, "line", c->line, "offset",
                     c->offset, "length", c->length, "sha256", c->sha256);
}

static void incident_id(const struct sig *first, char out[48])
{
    struct sha256_ctx h;
    unsigned char d[32];
    char buf[64];

    sha256_init(&h);
    sha256_update(&h, strlen(first->asset ? first->asset : ""),
                  (const uint8_t *)(first->asset ? first->asset : ""));
    sha256_update(&h, 1, (const uint8_t *)"\n");
    sha256_update(&h, strlen(first->cite.path ? first->cite.path : ""),
                  (const uint8_t *)(first->cite.path ? first->cite.path : ""));
    snprintf(buf, sizeof(buf), "\n%" JSON_INTEGER_FORMAT "\n", first->cite.offset);
    sha256_update(&h, strlen(buf), (const uint8_t *)buf);
    sha256_update(&h, strlen(first->cite.sha256 ? first->cite.sha256 : ""),
                  (const uint8_t *)(first->cite.sha256 ? first->cite.sha256 : ""));
    /* an organisation's incident: its name too (the CERT's own keep the ids they had) */
    if (first->org != NULL) {
        sha256_update(&h, 5, (const uint8_t *)"\norg\n");
        sha256_update(&h, strlen(first->org), (const uint8_t *)first->org);
    }
    sha256_digest(&h, sizeof(d), d);
    memcpy(out, "ruru-incident--", 15);
    for (int i = 0; i < 8; i++)
        snprintf(out + 15 + 2 * i, 3, "%02x", d[i]);
    out[31] = '\0';
}

/* The strings of a JSON array field into a list (pointers into the documents). */
static bool add_names(const char ***list, size_t *n, json_t *arr, const char *member)
{
    size_t i;
    json_t *e;

    json_array_foreach(arr, i, e)
    {
        const char *s = member != NULL ? json_string_value(json_object_get(e, member))
                                       : json_string_value(e);
        size_t k = 0;
        const char **g;
        if (s == NULL)
            continue;
        while (k < *n && strcmp((*list)[k], s) != 0)
            k++;
        if (k < *n)
            continue;
        if ((g = ruru_realloc(*list, (*n + 1) * sizeof(*g))) == NULL)
            return false;
        *list = g;
        (*list)[(*n)++] = s;
    }
    return true;
}

static json_t *judgement_json(const struct ruru_judgement *j, const struct ruru_evidence *ev)
{
    json_t *hyp = json_array(), *table = json_array();
    static const char *const cell[] = {"neutral", "consistent", "inconsistent"};

    for (size_t k = 0; k < j->n_h; k++)
        json_array_append_new(hyp, json_pack("{s:s?, s:f, s:s}", "actor", j->h[k].actor,
                                             "probability", j->h[k].p, "words", j->h[k].words));
    for (size_t e = 0; e < j->n_ev; e++) {
        json_t *row = json_array();
        for (size_t k = 0; k < j->n_h; k++)
            json_array_append_new(row,
                                  json_pack("{s:s, s:f}", "verdict", cell[j->cell[e * j->n_h + k]],
                                            "ratio", j->ratio[e * j->n_h + k]));
        json_array_append_new(table, json_pack("{s:s, s:s, s:i, s:o}", "evidence", ev[e].key,
                                               "kind", ruru_ev_kind_name(ev[e].kind), "group",
                                               j->group[e], "cells", row));
    }
    return json_pack("{s:s?, s:f, s:s, s:s, s:s, s:o, s:o}", "actor", j->verdict, "probability",
                     j->verdict_p, "words", ruru_icd203_words(j->verdict_p), "confidence",
                     ruru_confidence_name(j->confidence), "why", j->why, "hypotheses", hyp, "table",
                     table);
}

static json_t *build_one(const struct ruru_case_config *c,
                         struct sig *s,
                         size_t n,
                         const struct ruru_actor_profile *profiles,
                         size_t n_profiles,
                         bool *oom)
{
    struct piece *pieces = ruru_calloc(n, sizeof(*pieces));
    struct ruru_evidence *ev = ruru_calloc(n, sizeof(*ev));
    size_t n_pieces = 0;
    struct ruru_map by_key; /* evidence key -> its piece */
    enum ruru_severity sev = RURU_SEV_INFO;
    json_t *inc = NULL, *evidence = json_array(), *sources = json_object();
    struct ruru_judgement j;
    char id[48];
    int64_t first = RURU_TIME_NONE, last = RURU_TIME_NONE;

    ruru_map_init(&by_key);
    if (pieces == NULL || ev == NULL || evidence == NULL || sources == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        struct sig *x = &s[i];
        size_t k;
        int64_t at;
        json_t *cnt;
        if (ruru_map_get(&by_key, x->key, strlen(x->key), &at)) {
            k = (size_t)at;
        } else {
            k = n_pieces;
            if (ruru_map_put(&by_key, x->key, strlen(x->key), (int64_t)k) != RURU_OK)
                goto oom;
            pieces[k].first = x;
            pieces[k].first_time = x->time;
            pieces[k].cites = json_array();
            n_pieces++;
        }
        pieces[k].n++;
        pieces[k].last_time = x->time;
        if (json_array_size(pieces[k].cites) < RURU_CASE_MAX_CITES)
            json_array_append_new(pieces[k].cites, cite_json(&x->cite));
        if (!add_names(&pieces[k].actors, &pieces[k].n_actors,
                       ruru_case_at(x->doc, "ruru.indicator.actors"), "name") ||
            !add_names(&pieces[k].techniques, &pieces[k].n_techniques,
                       ruru_case_at(x->doc, "threat.technique.id"), NULL))
            goto oom;
        sev = x->severity > sev ? x->severity : sev;
        if (x->time != RURU_TIME_NONE) {
            first = first == RURU_TIME_NONE || x->time < first ? x->time : first;
            last = last == RURU_TIME_NONE || x->time > last ? x->time : last;
        }
        cnt = json_object_get(sources, x->cite.path ? x->cite.path : "-");
        json_object_set_new(sources, x->cite.path ? x->cite.path : "-",
                            json_integer(json_integer_value(cnt) + 1));
    }
    for (size_t k = 0; k < n_pieces; k++) {
        const struct sig *x = pieces[k].first;
        struct ruru_evidence *e = &ev[k];
        e->key = x->key;
        e->label = x->what != NULL ? x->what : x->key;
        e->kind = x->kind;
        e->confidence = x->confidence;
        e->seen = pieces[k].first_time;
        e->since = x->since;
        e->source = x->source[0] ? x->source : NULL;
        e->provenance = x->provenance;
        e->cluster = x->cluster[0] ? x->cluster : NULL;
        e->warninglisted = x->warninglisted;
        e->actors = pieces[k].actors;
        e->n_actors = pieces[k].n_actors;
        e->techniques = pieces[k].techniques;
        e->n_techniques = pieces[k].n_techniques;
        e->sightings = pieces[k].n;
    }
    if (ruru_attribute(&c->attrib, ev, n_pieces, profiles, n_profiles, &j) != RURU_OK)
        goto oom;
    for (size_t k = 0; k < n_pieces; k++) {
        const struct sig *x = pieces[k].first;
        json_t *actors = json_array();
        for (size_t a = 0; a < pieces[k].n_actors; a++)
            json_array_append_new(actors, json_string(pieces[k].actors[a]));
        json_array_append_new(
                evidence,
                json_pack("{s:s, s:s?, s:s, s:I, s:o, s:o, s:o, s:b, s:s?, s:s*, s:o, s:s, s:o}",
                          "key", x->key, "value", x->what, "kind", ruru_ev_kind_name(x->kind),
                          "sightings", (json_int_t)pieces[k].n, "first",
                          time_json(pieces[k].first_time), "last", time_json(pieces[k].last_time),
                          "confidence",
                          x->confidence >= 0 ? json_integer(x->confidence) : json_null(),
                          "warninglisted", x->warninglisted, "source",
                          x->source[0] ? x->source : NULL, "provenance", x->provenance, "actors",
                          actors, "severity", ruru_severity_name(x->severity), "cites",
                          json_incref(pieces[k].cites)));
    }
    incident_id(&s[0], id);
    inc = json_pack("{s:s, s:s?, s:s?, s:o, s:o, s:I, s:s, s:b, s:o, s:o, s:o}", "id", id, "org",
                    s[0].org, "asset", s[0].asset, "first", time_json(first), "last",
                    time_json(last), "sightings", (json_int_t)n, "severity",
                    ruru_severity_name(sev), "serious", sev >= c->serious, "sources", sources,
                    "evidence", evidence, "judgement", judgement_json(&j, ev));
    sources = evidence = NULL;
    ruru_judgement_fini(&j);
    if (inc != NULL && s[0].asset_is_input &&
        json_object_set_new(inc, "asset_from", json_string("input")) != 0) {
        json_decref(inc);
        inc = NULL;
    }
    if (inc == NULL)
        *oom = true;
    goto done;
oom:
    *oom = true;
done:
    ruru_map_fini(&by_key);
    for (size_t k = 0; pieces != NULL && k < n_pieces; k++) {
        ruru_free(pieces[k].actors);
        ruru_free(pieces[k].techniques);
        json_decref(pieces[k].cites);
    }
    ruru_free(pieces);
    ruru_free(ev);
    json_decref(evidence);
    json_decref(sources);
    return inc;
}

/* ---- campaigns: incidents sharing a distinctive indicator --------------------------------- */

static int root(int *p, int i)
{
    while (p[i] != i)
        i = p[i] = p[p[i]];
    return i;
}

bool ruru_case_distinctive(json_t *e)
{
    const char *k = json_string_value(json_object_get(e, "kind"));

    return !json_is_true(json_object_get(e, "warninglisted")) && k != NULL &&
           (!strcmp(k, "hash") || !strcmp(k, "url") || !strcmp(k, "domain") ||
            !strcmp(k, "email") || !strcmp(k, "pattern"));
}

/* Incidents on different assets that share a distinctive indicator are one campaign: for each
 * such indicator, the incidents holding it are joined when they are on two assets or more.
 * Linear in the evidence (a map from indicator to its first incident). */
void ruru_case_campaigns(json_t *incidents)
{
    size_t n = json_array_size(incidents), i, k;
    int *p = ruru_calloc(n + 1, sizeof(*p)), *members = ruru_calloc(n + 1, sizeof(*members));
    const char **best = ruru_calloc(n + 1, sizeof(*best));
    struct ruru_map first, multi;
    json_t *inc, *e;

    ruru_map_init(&first);
    ruru_map_init(&multi);
    if (p == NULL || members == NULL || best == NULL)
        goto out;
    for (i = 0; i < n; i++)
        p[i] = (int)i;
    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(json_object_get(inc, "evidence"), k, e)
        {
            const char *key = json_string_value(json_object_get(e, "key"));
            int64_t f;
            if (key == NULL || !ruru_case_distinctive(e))
                continue;
            if (!ruru_map_get(&first, key, strlen(key), &f))
                (void)ruru_map_put(&first, key, strlen(key), (int64_t)i);
            else if (!json_equal(json_object_get(inc, "asset"),
                                 json_object_get(json_array_get(incidents, (size_t)f), "asset")) ||
                     !json_equal(json_object_get(inc, "org"),
                                 json_object_get(json_array_get(incidents, (size_t)f), "org")))
                (void)ruru_map_put(&multi, key, strlen(key), 1);
        }
    }
    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(json_object_get(inc, "evidence"), k, e)
        {
            const char *key = json_string_value(json_object_get(e, "key"));
            int64_t f, one;
            if (key == NULL || !ruru_case_distinctive(e) ||
                !ruru_map_get(&multi, key, strlen(key), &one) ||
                !ruru_map_get(&first, key, strlen(key), &f))
                continue;
            {
                int ra = root(p, (int)i), rb = root(p, (int)f);
                if (ra != rb)
                    p[ra > rb ? ra : rb] = ra < rb ? ra : rb;
            }
        }
    }
    /* the smallest id of each group; a group of one is no campaign */
    json_array_foreach(incidents, i, inc)
    {
        int r = root(p, (int)i);
        const char *id = json_string_value(json_object_get(inc, "id"));
        members[r]++;
        if (best[r] == NULL || strcmp(id, best[r]) < 0)
            best[r] = id;
    }
    json_array_foreach(incidents, i, inc)
    {
        int r = root(p, (int)i);
        json_object_set_new(inc, "campaign", members[r] > 1 ? json_string(best[r]) : json_null());
    }
out:
    ruru_map_fini(&first);
    ruru_map_fini(&multi);
    ruru_free(p);
    ruru_free(members);
    ruru_free(best);
}

/* Ids are the asset and the first evidence's record (incident_id). Two incidents can share that
 * record only when the sightings disagree about it (a report that dates one record two ways):
 * such ids are made unique from what else each incident holds (its times, count and evidence),
 * and where even that is the same, by order. False when memory ran out. */
static bool unique_ids(json_t **list, size_t n)
{
    struct ruru_map seen;
    bool ok = true;

    for (int pass = 0; pass < 2 && ok; pass++) {
        bool again = false;
        ruru_map_init(&seen);
        for (size_t i = 0; i < n && ok; i++) {
            const char *id = json_string_value(json_object_get(list[i], "id"));
            int64_t k;
            if (!ruru_map_get(&seen, id, strlen(id), &k)) {
                ok = ruru_map_put(&seen, id, strlen(id), 1) == RURU_OK;
                continue;
            }
            ok = ruru_map_put(&seen, id, strlen(id), k + 1) == RURU_OK;
            again = true;
            {
                struct sha256_ctx h;
                unsigned char d[32];
                char buf[48], *what;
                /* first pass: what the incident holds; second: its order as well */
                json_t *part = json_pack(
                        "[s, O, O, O, O, I]", id, json_object_get(list[i], "first"),
                        json_object_get(list[i], "last"), json_object_get(list[i], "sightings"),
                        json_object_get(list[i], "evidence"),
                        pass == 0 ? (json_int_t)0 : (json_int_t)k);
                what = part != NULL ? json_dumps(part, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
                json_decref(part);
                if (what == NULL) {
                    ok = false;
                    break;
                }
                sha256_init(&h);
                sha256_update(&h, strlen(what), (const uint8_t *)what);
                free(what);
                sha256_digest(&h, sizeof(d), d);
                memcpy(buf, "ruru-incident--", 15);
                for (int b = 0; b < 8; b++)
                    snprintf(buf + 15 + 2 * b, 3, "%02x", d[b]);
                json_object_set_new(list[i], "id", json_string(buf));
            }
        }
        ruru_map_fini(&seen);
        if (!again)
            break;
    }
    return ok;
}

static int by_first(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *fx = json_string_value(json_object_get(x, "first"));
    const char *fy = json_string_value(json_object_get(y, "first"));
    int c;

    if ((fx == NULL) != (fy == NULL))
        return fx == NULL ? 1 : -1;
    if (fx != NULL && (c = strcmp(fx, fy)) != 0)
        return c;
    return strcmp(json_string_value(json_object_get(x, "id")),
                  json_string_value(json_object_get(y, "id")));
}

enum ruru_err ruru_cases_build(const struct ruru_case_config *c,
                               json_t *const *sightings,
                               size_t n,
                               const struct ruru_actor_profile *profiles,
                               size_t n_profiles,
                               json_t **out,
                               size_t *skipped)
{
    struct sig *s = ruru_calloc(n + 1, sizeof(*s));
    json_t **list = NULL;
    size_t m = 0, n_inc = 0;
    bool oom = false;

    *out = NULL;
    *skipped = 0;
    if (s == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (read_sig(sightings[i], &s[m]))
            m++;
        else
            (*skipped)++;
    }
    qsort(s, m, sizeof(*s), by_asset_time);
    if ((list = ruru_calloc(m + 1, sizeof(*list))) == NULL) {
        ruru_free(s);
        return RURU_ENOMEM;
    }
    for (size_t i = 0; i < m && !oom;) {
        size_t k = i + 1;
        /* Undated records join only within one input: nothing says that two inputs' undated
         * records are one event, and the sort puts each input's together. */
        while (k < m && place_cmp(&s[k], &s[i]) == 0 &&
               (s[k].time == RURU_TIME_NONE) == (s[i].time == RURU_TIME_NONE) &&
               (s[k].time == RURU_TIME_NONE ? strcmp(s[k].cite.path ? s[k].cite.path : "",
                                                     s[i].cite.path ? s[i].cite.path : "") == 0
                                            : s[k].time - s[k - 1].time <= c->gap))
            k++;
        if ((list[n_inc] = build_one(c, &s[i], k - i, profiles, n_profiles, &oom)) != NULL)
            n_inc++;
        i = k;
    }
    if (!oom && !unique_ids(list, n_inc))
        oom = true;
    if (!oom) {
        qsort(list, n_inc, sizeof(*list), by_first);
        *out = json_array();
        for (size_t i = 0; *out != NULL && i < n_inc; i++)
            json_array_append(*out, list[i]);
        if (*out == NULL)
            oom = true;
        else
            ruru_case_campaigns(*out);
    }
    for (size_t i = 0; i < n_inc; i++)
        json_decref(list[i]);
    ruru_free(list);
    ruru_free(s);
    return oom ? RURU_ENOMEM : RURU_OK;
}
