/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The export model (share.h, docs/internals/export-model.md): the incidents of the register
 * that the selection names, each with the sightings it rests on, after the TLP bound has
 * taken out what may not leave.
 *
 * TLP is decided per sighting, the unit of evidence: the most restrictive of its indicator's
 * TLP (intel without one: export.tlp_default) and of the CERT's own findings
 * (export.tlp_evidence). A sighting above the bound is withheld whole. An incident that loses
 * sightings is made again from the rest, as a recording makes incidents, and judged anew: its
 * evidence, severity and judgement are then those it has without the withheld pieces, and its
 * history, which rests on them, is left out. An incident left with none is withheld.
 *
 * An incident's sightings are those on its asset of its organisation (ruru.org; an asset's
 * name is unique within one only) within its first and last time (the undated: its input's
 * undated ones) — the grouping of incident.c, which made the register's incidents from the
 * same sightings.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/time.h"
#include "cases/incident.h"
#include "cases/register.h"
#include "intel/intel.h"
#include "io/file.h"
#include "rules/builtin.h"
#include "share/share.h"

static const char *tlp_name(int rank)
{
    static const char *const N[RURU_TLP_LEVELS] = {"clear", "green", "amber", "amber+strict",
                                                   "red"};
    return rank >= 0 && rank < RURU_TLP_LEVELS ? N[rank] : "red";
}

/* The TLP rank of one sighting. */
static int sighting_tlp(json_t *doc, const struct ruru_export_config *e)
{
    int t = e->tlp_evidence;

    if (!json_is_object(ruru_case_at(doc, "ruru.rule"))) {
        json_t *ind = ruru_case_at(doc, "ruru.indicator");
        const char *name = json_string_value(json_object_get(ind, "tlp"));
        int r = name != NULL ? ruru_tlp_rank(ruru_tlp_parse(name, strlen(name))) : -1;
        if (r < 0)
            r = e->tlp_default;
        if (r > t)
            t = r;
    }
    return t;
}

static int64_t when(json_t *o, const char *key)
{
    int64_t t;
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL && ruru_parse_time(s, &t) ? t : RURU_TIME_NONE;
}

/* Where a sighting or an incident lies, as a key of `placed`: its organisation (none: "") and
 * asset, apart by a byte no organisation's name holds. NULL when it is too long. */
static const char *place_key(char *buf, size_t cap, const char *org, const char *asset)
{
    return (size_t)snprintf(buf, cap, "%s\x1f%s", org ? org : "", asset ? asset : "") < cap ? buf
                                                                                            : NULL;
}

/* Does incident `inc` hold the sighting placed at (asset, t, path)? */
static bool holds(json_t *inc, const char *asset, int64_t t, const char *path)
{
    const char *a = json_string_value(json_object_get(inc, "asset"));
    int64_t first = when(inc, "first"), last = when(inc, "last");

    if (a == NULL || asset == NULL || strcmp(a, asset) != 0)
        return false;
    if (first == RURU_TIME_NONE)
        return t == RURU_TIME_NONE && path != NULL &&
               json_object_get(json_object_get(inc, "sources"), path) != NULL;
    return t != RURU_TIME_NONE && t >= first && t <= last;
}

/* The record a sighting cites (a pattern's or correlation's: its first member). */
static json_t *cite_of(json_t *doc)
{
    json_t *m = ruru_case_at(doc, "ruru.members");

    return json_array_size(m) > 0 ? json_array_get(m, 0) : doc;
}

static int by_time(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = when(x, "@timestamp"), ty = when(y, "@timestamp");
    const char *px = json_string_value(ruru_case_at(cite_of(x), "log.file.path"));
    const char *py = json_string_value(ruru_case_at(cite_of(y), "log.file.path"));
    json_int_t ox = json_integer_value(ruru_case_at(cite_of(x), "log.offset"));
    json_int_t oy = json_integer_value(ruru_case_at(cite_of(y), "log.offset"));
    int c;

    if (tx != ty)
        return tx < ty ? -1 : 1;
    if ((c = strcmp(px ? px : "", py ? py : "")) != 0)
        return c;
    if (ox != oy)
        return ox < oy ? -1 : 1;
    {
        /* the same record: by what matched, then the whole document */
        char *dx = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS);
        char *dy = json_dumps(y, JSON_COMPACT | JSON_SORT_KEYS);
        c = dx != NULL && dy != NULL ? strcmp(dx, dy) : 0;
        free(dx);
        free(dy);
    }
    return c;
}

static bool sort_array(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n + 1, sizeof(*v));

    if (v == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof(*v), by_time);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
    return true;
}

/* "verified" on each sighting: does `ruru verify` hold for the bytes it cites, now? */
static void verify_all(json_t *sightings)
{
    char *text = json_dumps(sightings, JSON_COMPACT), *res = NULL;
    struct ruru_diag d;
    json_t *r = NULL, *failed, *f, *s;
    size_t i, k;

    if (text == NULL)
        return;
    if (ruru_verify(text, strlen(text), NULL, 0, &res, &d) == RURU_OK)
        r = json_loads(res, 0, NULL);
    free(text);
    ruru_free(res);
    failed = json_object_get(r, "failed");
    json_array_foreach(sightings, i, s)
    {
        json_t *members = ruru_case_at(s, "ruru.members");
        const char *v = r == NULL ? "unreadable" : "holds";
        size_t n = json_array_size(members) > 0 ? json_array_size(members) : 1;
        for (size_t m = 0; r != NULL && m < n; m++) {
            json_t *c = json_array_size(members) > 0 ? json_array_get(members, m) : s;
            const char *path = json_string_value(ruru_case_at(c, "log.file.path"));
            json_int_t off = json_integer_value(ruru_case_at(c, "log.offset"));
            json_array_foreach(failed, k, f)
            {
                const char *fp = json_string_value(json_object_get(f, "path"));
                const char *why = json_string_value(json_object_get(f, "reason"));
                if (path == NULL || fp == NULL || strcmp(fp, path) != 0 ||
                    json_integer_value(json_object_get(f, "offset")) != off)
                    continue;
                v = why != NULL && (strncmp(why, "the bytes changed", 17) == 0 ||
                                    strncmp(why, "the input ends", 14) == 0)
                            ? "changed"
                            : "unreadable";
            }
        }
        json_object_set_new(s, "verified", json_string(v));
    }
    json_decref(r);
}

/* The text of the rule a rule sighting names: ruru's own from the library, another from its
 * file when it can still be read (at most 1 MiB) — put in ruru.rule.text. */
static void add_rule_text(json_t *doc)
{
    json_t *rule = ruru_case_at(doc, "ruru.rule");
    const char *file = json_string_value(json_object_get(rule, "file"));
    char *text = NULL;
    size_t len = 0;

    if (!json_is_object(rule) || file == NULL)
        return;
    for (size_t i = 0; i < RURU_N_BUILTIN_RULES; i++) {
        if (strcmp(RURU_BUILTIN_RULES[i].path, file) == 0) {
            json_object_set_new(
                    rule, "text",
                    json_stringn(RURU_BUILTIN_RULES[i].text, RURU_BUILTIN_RULES[i].len));
            return;
        }
    }
    if (ruru_file_read(file, (uint64_t)1 << 20, &text, &len, NULL, &(struct ruru_diag){0}) ==
        RURU_OK) {
        json_t *t = json_stringn(text, len); /* NULL when it is no UTF-8 text */
        if (t != NULL)
            json_object_set_new(rule, "text", t);
        ruru_free(text);
    }
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The values of `map`, in byte order of their keys. */
static json_t *values_by_key(json_t *map)
{
    size_t n = json_object_size(map), k = 0;
    const char **keys = calloc(n + 1, sizeof(*keys));
    json_t *out = json_array(), *v;
    const char *key;

    if (keys == NULL || out == NULL) {
        free(keys);
        json_decref(out);
        return NULL;
    }
    json_object_foreach(map, key, v) keys[k++] = key;
    qsort(keys, k, sizeof(*keys), by_str);
    for (size_t i = 0; i < k; i++)
        json_array_append(out, json_object_get(map, keys[i]));
    free(keys);
    return out;
}

/* Does the incident carry an actor a state sponsors? Its evidence's actor_states say. */
static bool state_sponsored(json_t *inc, json_t *states)
{
    size_t i, k;
    json_t *e, *a;
    bool any = false;

    json_array_foreach(json_object_get(inc, "evidence"), i, e)
    {
        json_array_foreach(json_object_get(e, "actor_states"), k, a)
        {
            const char *st = json_string_value(json_object_get(a, "state"));
            if (st == NULL)
                continue;
            any = true;
            if (states != NULL)
                json_object_set_new(states, st, json_true());
        }
    }
    return any;
}

/* `ruru stats` over the exported incidents: by sponsor, and by month. */
static void add_stats(json_t *model, json_t *incidents)
{
    json_int_t serious = 0, with = 0;
    json_t *sponsors = json_object(), *months = json_object(), *rows, *mrows, *inc, *v;
    size_t i;
    const char *key;

    json_array_foreach(incidents, i, inc)
    {
        json_t *states = json_object();
        const char *first = json_string_value(json_object_get(inc, "first"));
        bool sp;
        if (!json_is_true(json_object_get(inc, "serious"))) {
            json_decref(states);
            continue;
        }
        serious++;
        sp = state_sponsored(inc, states);
        with += sp;
        json_object_foreach(states, key, v)
        {
            json_int_t n = json_integer_value(json_object_get(sponsors, key));
            json_object_set_new(sponsors, key, json_integer(n + 1));
        }
        json_decref(states);
        if (first != NULL && strlen(first) >= 7) {
            char m[8];
            json_t *row;
            memcpy(m, first, 7);
            m[7] = '\0';
            if ((row = json_object_get(months, m)) == NULL) {
                row = json_pack("{s:s, s:I, s:I}", "key", m, "serious", (json_int_t)0,
                                "state_sponsored", (json_int_t)0);
                json_object_set_new(months, m, row);
            }
            json_object_set_new(
                    row, "serious",
                    json_integer(json_integer_value(json_object_get(row, "serious")) + 1));
            json_object_set_new(
                    row, "state_sponsored",
                    json_integer(json_integer_value(json_object_get(row, "state_sponsored")) + sp));
        }
    }
    rows = json_array();
    json_object_foreach(sponsors, key, v)
    {
        json_int_t n = json_integer_value(v);
        json_array_append_new(rows, json_pack("{s:s, s:I, s:f}", "key", key, "serious_with", n,
                                              "share", serious > 0 ? (double)n / serious : 0.0));
    }
    /* most incidents first, then by name (json objects iterate in insertion order) */
    for (size_t a = 1; a < json_array_size(rows); a++)
        for (size_t b = a; b > 0; b--) {
            json_t *x = json_array_get(rows, b - 1), *y = json_array_get(rows, b);
            json_int_t nx = json_integer_value(json_object_get(x, "serious_with"));
            json_int_t ny = json_integer_value(json_object_get(y, "serious_with"));
            if (nx > ny || (nx == ny && strcmp(json_string_value(json_object_get(x, "key")),
                                               json_string_value(json_object_get(y, "key"))) <= 0))
                break;
            json_incref(x);
            json_array_set(rows, b - 1, y);
            json_array_set_new(rows, b, x);
        }
    json_object_foreach(months, key, v)
    {
        json_int_t n = json_integer_value(json_object_get(v, "serious"));
        json_int_t w = json_integer_value(json_object_get(v, "state_sponsored"));
        json_object_set_new(v, "share", json_real(n > 0 ? (double)w / (double)n : 0.0));
    }
    mrows = values_by_key(months);
    json_object_set_new(model, "stats",
                        json_pack("{s:I, s:I, s:I, s:f, s:s, s:o}", "incidents",
                                  (json_int_t)json_array_size(incidents), "serious", serious,
                                  "state_sponsored", with, "share",
                                  serious > 0 ? (double)with / (double)serious : 0.0, "by",
                                  "sponsor", "rows", rows));
    json_object_set_new(model, "months", json_pack("{s:s, s:o}", "by", "month", "rows", mrows));
    json_decref(sponsors);
    json_decref(months);
}

/* One row per input the exported sightings cite. */
static void add_coverage(json_t *model, json_t *incidents)
{
    json_t *by = json_object(), *inc, *s;
    size_t i, k;

    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(json_object_get(inc, "sightings"), k, s)
        {
            json_t *c = cite_of(s);
            const char *path = json_string_value(ruru_case_at(c, "log.file.path"));
            const char *t = json_string_value(json_object_get(s, "@timestamp"));
            json_t *row;
            if (path == NULL)
                continue;
            if ((row = json_object_get(by, path)) == NULL) {
                const char *fmt = json_string_value(ruru_case_at(c, "ruru.format"));
                if (fmt == NULL)
                    fmt = json_string_value(ruru_case_at(s, "ruru.format"));
                row = json_pack("{s:s, s:s?, s:n, s:n, s:I}", "path", path, "format", fmt, "first",
                                "last", "sightings", (json_int_t)0);
                json_object_set_new(by, path, row);
            }
            json_object_set_new(
                    row, "sightings",
                    json_integer(json_integer_value(json_object_get(row, "sightings")) + 1));
            if (json_is_null(json_object_get(row, "format")) &&
                json_is_string(ruru_case_at(s, "ruru.format")) && c == s)
                json_object_set(row, "format", ruru_case_at(s, "ruru.format"));
            if (t != NULL) {
                const char *f = json_string_value(json_object_get(row, "first"));
                const char *l = json_string_value(json_object_get(row, "last"));
                if (f == NULL || strcmp(t, f) < 0)
                    json_object_set_new(row, "first", json_string(t));
                if (l == NULL || strcmp(t, l) > 0)
                    json_object_set_new(row, "last", json_string(t));
            }
        }
    }
    json_object_set_new(model, "coverage", values_by_key(by));
    json_decref(by);
}

static void count(json_t *withheld, const char *what, int rank)
{
    json_t *o = json_object_get(withheld, what);
    const char *name = tlp_name(rank);

    json_object_set_new(o, name, json_integer(json_integer_value(json_object_get(o, name)) + 1));
}

static bool wanted(json_t *inc, const struct ruru_export_opts *o)
{
    const char *id = json_string_value(json_object_get(inc, "id"));

    if (o->n_incidents == 0)
        return true;
    for (size_t i = 0; i < o->n_incidents; i++)
        if (id != NULL && strcmp(id, o->incidents[i]) == 0)
            return true;
    return false;
}

/* Appends incident x to list with its sightings (stolen), TLP, whether it was judged again, and
 * the register's times tm ([recorded, updated]). */
static void
add_incident(json_t *list, json_t *x, json_t *sightings, int tlp, bool again, json_t *tm)
{
    json_object_set_new(x, "recomputed", json_boolean(again));
    json_object_set_new(x, "sightings", sightings);
    json_object_set_new(x, "tlp", json_string(tlp_name(tlp)));
    json_object_set(x, "recorded_at", json_array_get(tm, 0));
    json_object_set(x, "updated_at", json_array_get(tm, 1));
    json_array_append(list, x);
}

/* An export for one organisation names no other organisation's incident. The register's
 * campaign of an incident is the smallest id of every incident sharing a distinctive
 * indicator with it, whatever their organisation: here it is made again over the incidents
 * exported, the smallest id of those sharing it, and none when only one of them does (a
 * campaign of one would still say that another organisation's incident shares it). When
 * there is no memory to do so, every campaign is dropped rather than left as it was. */
static void narrow_campaigns(json_t *list)
{
    json_t *least = json_object(), *members = json_object(), *inc;
    size_t i;

    json_array_foreach(list, i, inc)
    {
        const char *c = json_string_value(json_object_get(inc, "campaign"));
        const char *id = json_string_value(json_object_get(inc, "id"));
        const char *cur;
        if (c == NULL || id == NULL || least == NULL || members == NULL)
            continue;
        cur = json_string_value(json_object_get(least, c));
        if (cur == NULL || strcmp(id, cur) < 0)
            json_object_set_new(least, c, json_string(id));
        json_object_set_new(members, c,
                            json_integer(json_integer_value(json_object_get(members, c)) + 1));
    }
    json_array_foreach(list, i, inc)
    {
        const char *c = json_string_value(json_object_get(inc, "campaign"));
        json_t *to = c != NULL ? json_object_get(least, c) : NULL;
        if (c == NULL)
            continue;
        if (json_integer_value(json_object_get(members, c)) >= 2 && json_is_string(to))
            json_object_set(inc, "campaign", to);
        else
            json_object_set_new(inc, "campaign", json_null());
    }
    json_decref(least);
    json_decref(members);
}

/* Each incident of an organisation with a sector says it ("sector"): partners read what kind
 * of body was hit without the body's name mattering to them (STIX identity sectors). Best
 * effort: an incident whose organisation cannot be looked up goes without. */
static void add_sectors(ruru_register *r, json_t *list)
{
    char *text = NULL;
    json_t *orgs, *org, *inc, *by = json_object();
    size_t i;

    if (by == NULL || ruru_register_orgs(r, &text, NULL) != RURU_OK) {
        json_decref(by);
        return;
    }
    orgs = json_loads(text, 0, NULL);
    ruru_free(text);
    json_array_foreach(json_object_get(orgs, "orgs"), i, org)
    {
        const char *name = json_string_value(json_object_get(org, "name"));
        json_t *sector = json_object_get(org, "sector");
        if (name != NULL && json_is_string(sector))
            json_object_set(by, name, sector);
    }
    json_array_foreach(list, i, inc)
    {
        const char *name = json_string_value(json_object_get(inc, "org"));
        json_t *sector = name != NULL ? json_object_get(by, name) : NULL;
        if (sector != NULL)
            json_object_set(inc, "sector", sector);
    }
    json_decref(orgs);
    json_decref(by);
}

enum ruru_err ruru_share_model(ruru_register *r,
                               ruru_store *store,
                               const struct ruru_export_opts *o,
                               json_t **out,
                               struct ruru_diag *d)
{
    const struct ruru_export_config *e = &ruru_register_config(r)->export;
    int64_t since = o->since, until = o->until;
    int max = ruru_tlp_rank(ruru_tlp_parse(o->tlp_max ? o->tlp_max : "amber",
                                           strlen(o->tlp_max ? o->tlp_max : "amber")));
    char *report = NULL;
    json_t *all = NULL, *times = NULL, *rep = NULL, *list, *model = NULL, *withheld, *inc;
    json_t *placed;
    enum ruru_err err;
    int top = 0;
    int64_t updated = RURU_TIME_NONE;
    size_t i, k;

    *out = NULL;
    ruru_diag_clear(d);
    if (max < 0)
        return ruru_diag_set(d, RURU_EINVAL, NULL, 0, 0,
                             "not a TLP: \"%s\" (clear, green, amber, amber+strict, red)",
                             o->tlp_max);
    if ((err = ruru_register_report_org(r, since, until, o->actor, o->org, &report, d)) !=
                RURU_OK ||
        (err = ruru_register_sightings(r, &all, d)) != RURU_OK ||
        (err = ruru_register_times(r, &times, d)) != RURU_OK)
        goto out;
    rep = json_loads(report, 0, NULL);
    for (i = 0; i < o->n_incidents; i++) {
        bool found = false;
        json_array_foreach(json_object_get(rep, "incidents"), k, inc) found |= wanted(
                inc, &(struct ruru_export_opts){.incidents = &o->incidents[i], .n_incidents = 1});
        if (!found) {
            err = ruru_diag_set(d, RURU_ENOTFOUND, NULL, 0, 0,
                                "no incident %s in the register (or not in the period)",
                                o->incidents[i]);
            goto out;
        }
    }
    /* where each sighting lies, once, by organisation and asset: {place_key: [{t, path, tlp,
     * doc}, ...]} */
    placed = json_object();
    json_array_foreach(all, i, inc)
    {
        const char *asset, *key;
        char kb[4400]; /* an asset from an input is its path */
        json_t *on;
        struct ruru_place pl;
        if (!ruru_case_place(inc, &pl) || (asset = pl.asset) == NULL ||
            (key = place_key(kb, sizeof(kb), json_string_value(ruru_case_at(inc, "ruru.org")),
                             asset)) == NULL)
            continue;
        if ((on = json_object_get(placed, key)) == NULL)
            json_object_set_new(placed, key, on = json_array());
        json_array_append_new(on, json_pack("{s:s, s:I, s:s?, s:I, s:O}", "asset", asset, "t",
                                            (json_int_t)pl.time, "path", pl.path, "tlp",
                                            (json_int_t)sighting_tlp(inc, e), "doc", inc));
    }
    withheld = json_pack("{s:{}, s:{}, s:I}", "sightings", "incidents", "evidence", (json_int_t)0);
    list = json_array();
    json_array_foreach(json_object_get(rep, "incidents"), i, inc)
    {
        json_t *keep = json_array(), *p, *tm;
        size_t dropped = 0;
        int worst = 0, kept_tlp = 0;
        char kb[4400]; /* an asset from an input is its path */
        const char *key = place_key(kb, sizeof(kb), json_string_value(json_object_get(inc, "org")),
                                    json_string_value(json_object_get(inc, "asset")));
        if (!wanted(inc, o)) {
            json_decref(keep);
            continue;
        }
        json_array_foreach(json_object_get(placed, key != NULL ? key : ""), k, p)
        {
            int t = (int)json_integer_value(json_object_get(p, "tlp"));
            if (!holds(inc, json_string_value(json_object_get(p, "asset")),
                       json_integer_value(json_object_get(p, "t")),
                       json_string_value(json_object_get(p, "path"))))
                continue;
            if (t > worst)
                worst = t;
            if (t > max) {
                count(withheld, "sightings", t);
                dropped++;
                continue;
            }
            if (t > kept_tlp)
                kept_tlp = t;
            json_t *s = json_deep_copy(json_object_get(p, "doc"));
            json_object_set_new(s, "tlp", json_string(tlp_name(t)));
            add_rule_text(s);
            json_array_append_new(keep, s);
        }
        if (json_array_size(keep) == 0) {
            if (dropped > 0)
                count(withheld, "incidents", worst);
            json_decref(keep);
            continue;
        }
        sort_array(keep);
        tm = json_object_get(times, json_string_value(json_object_get(inc, "id")));
        if (dropped == 0) {
            json_t *x = json_deep_copy(inc);
            add_incident(list, x, keep, kept_tlp, false, tm);
            json_decref(x);
        } else {
            /* judged again without what was withheld; the register's id stays with the part
             * that keeps its first evidence, any other part says which incident it came from */
            json_t *again = NULL, *x;
            size_t q;
            if ((err = ruru_register_judge(r, store, keep, &again, d)) != RURU_OK) {
                json_decref(keep);
                goto out_list;
            }
            json_array_foreach(again, q, x)
            {
                json_t *mine = json_array(), *s;
                size_t z;
                int xt = 0;
                json_array_foreach(keep, z, s)
                {
                    struct ruru_place pl;
                    if (ruru_case_place(s, &pl) && holds(x, pl.asset, pl.time, pl.path)) {
                        int st = ruru_tlp_rank(json_string_value(json_object_get(s, "tlp")));
                        xt = st > xt ? st : xt;
                        json_array_append(mine, s);
                    }
                }
                if (q == 0) {
                    size_t before = json_array_size(json_object_get(inc, "evidence"));
                    size_t after = json_array_size(json_object_get(x, "evidence"));
                    json_object_set(x, "id", json_object_get(inc, "id"));
                    json_object_set_new(
                            withheld, "evidence",
                            json_integer(json_integer_value(json_object_get(withheld, "evidence")) +
                                         (json_int_t)(before > after ? before - after : 0)));
                } else {
                    json_object_set(x, "part_of", json_object_get(inc, "id"));
                }
                add_incident(list, x, mine, xt, true, tm);
            }
            json_decref(again);
            json_decref(keep);
        }
    }
    if (o->org != NULL)
        narrow_campaigns(list);
    add_sectors(r, list);
    /* verification, TLP and times over what is exported */
    json_array_foreach(list, i, inc)
    {
        json_t *u = json_object_get(inc, "updated_at");
        int t = ruru_tlp_rank(json_string_value(json_object_get(inc, "tlp")));
        char buf[RURU_TIME_BUF];
        verify_all(json_object_get(inc, "sightings"));
        top = t > top ? t : top;
        if (json_is_integer(u) && json_integer_value(u) > updated)
            updated = json_integer_value(u);
        ruru_time_format(json_integer_value(json_object_get(inc, "recorded_at")), buf);
        json_object_set_new(inc, "recorded", json_string(buf));
        ruru_time_format(json_integer_value(u), buf);
        json_object_set_new(inc, "updated", json_string(buf));
        json_object_del(inc, "recorded_at");
        json_object_del(inc, "updated_at");
    }
    {
        char lo[RURU_TIME_BUF], hi[RURU_TIME_BUF], up[RURU_TIME_BUF];
        if (since != INT64_MIN)
            ruru_time_format(since, lo);
        if (until != INT64_MIN)
            ruru_time_format(until, hi);
        if (updated != RURU_TIME_NONE)
            ruru_time_format(updated, up);
        model = json_pack(
                "{s:i, s:{s:s, s:s?}, s:s, s:s, s:s?, s:s?, s:s?, s:O, s:O}", "ruru_export", 1,
                "cert", "name", e->name, "contact", e->contact[0] ? e->contact : NULL, "tlp_max",
                tlp_name(max), "tlp", tlp_name(top), "since", since != INT64_MIN ? lo : NULL,
                "until", until != INT64_MIN ? hi : NULL, "updated",
                updated != RURU_TIME_NONE ? up : NULL, "withheld", withheld, "incidents", list);
    }
    if (model == NULL) {
        err = ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out_list;
    }
    add_stats(model, list);
    add_coverage(model, list);
    *out = model;
out_list:
    json_decref(list);
    json_decref(withheld);
    json_decref(placed);
out:
    ruru_free(report);
    json_decref(rep);
    json_decref(all);
    json_decref(times);
    return err;
}
