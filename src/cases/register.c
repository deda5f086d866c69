/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register (DESIGN.md §7): incidents, their evidence and the history of their judgements,
 * kept in $RURU_HOME/register.db (SQLite, WAL) or a PostgreSQL database (register_open.c,
 * docs/register.md) so that counts over months are possible.
 *
 *   incident (id, asset, first, last, severity, serious, campaign, doc, org)  doc: the incident;
 *                                             org: the organisation it concerns (NULL: none)
 *   judgement (incident, seq, at, actor, probability, words, confidence)  every judgement made
 *   incident_actor (incident, actor, state)   the actors its (not warninglisted) evidence is
 *                                             tied to, and the state sponsoring each (the
 *                                             actor registry's sponsor, NULL when none)
 *
 *   sighting (key, path, off, ord, doc, org, place)  every sighting recorded (the same record found
 *                                             by the same indicator or rule is one key; newer
 *                                             intel replaces its document), read back in the
 *                                             sweep's order: input, offset, place in its sweep
 *   merged (id, into_id, at)                  incidents that became part of another
 *   org (name, sector, created)               the organisations (orgs.c)
 *   token (id, org, role, hash, label, created, revoked)  the API tokens of `ruru serve`
 *                                             (tokens.c): the SHA-256 of each, never the token
 *
 *   incident_key (incident, key, kind)        the distinctive indicators of its evidence
 *                                             (campaigns)
 *   judged (what, hash)                       what the incidents were last judged with
 *
 * The schema is 4 (register_open.c: SQLite's in-place migrations, PostgreSQL's ruru_meta); the
 * SQL here runs on both through rdb.h. A recording for an organisation puts it into each
 * sighting (ruru.org) and its key, so that the same sighting for two organisations is two.
 *
 * Recording is one transaction: the sweep's sightings join the register's, and the incidents
 * of every place (organisation and asset) where sightings came or changed are made again from
 * all of that place's sightings; campaigns are found again among the incidents linked to those
 * (incident_key). Incidents are made per place, so this gives what making every incident
 * again from every sighting gives, at the cost of the places touched rather than of the whole
 * register; when the settings or what the store says of an actor (its sponsor, its
 * techniques) changed since the incidents were judged (`judged`), every incident is made
 * again. So two recordings of two sweeps give the incidents one recording of both gives, in
 * either order or at once; a recording killed or failing half-way (a full disk) leaves the
 * register as it was. An incident's id comes from its asset and first evidence (incident.c);
 * an old incident that a new one covers (the same id, or the same asset with times within a
 * gap: new intel found an earlier record, a new sighting bridges two) hands its judgement
 * history to the new id and is kept in `merged`. A judgement gets a new row only when it
 * changed. Recording the same sightings again changes nothing.
 */
#include "cases/register.h"

#include <inttypes.h>
#include <jansson.h>
#include <nettle/sha2.h>
#include <ruru.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/incident.h"
#include "intel/store.h"
#include "io/file.h"

static enum ruru_err db_fail(struct ruru_register *r, struct ruru_diag *d, const char *what)
{
    return ruru_register_fail(r, d, what);
}

/* ---- recording ---------------------------------------------------------------------------- */

/* What the store knows of each actor the sightings name: the techniques it uses, and the
 * state its sources say sponsors it (NULL: none says so — a criminal group has a country, not
 * a sponsor). */
struct profiles {
    struct ruru_actor_profile *v;
    const char **sponsor; /* per profile */
    size_t n;
    json_t *keep;   /* owns the strings */
    json_t *looked; /* every name asked about, known to the store or not: {NAME: true} */
};

/* The sponsor of the actors a name resolves to: of the one actor; of an ambiguous name's
 * claimants, only the sponsor they all share (NULL when they differ or one has none). */
static const char *common_sponsor(json_t *actors)
{
    const char *s = json_string_value(json_object_get(json_array_get(actors, 0), "sponsor"));
    size_t i;
    json_t *a;

    json_array_foreach(actors, i, a)
    {
        const char *x = json_string_value(json_object_get(a, "sponsor"));
        if (s == NULL || x == NULL || strcmp(s, x) != 0)
            return NULL;
    }
    return s;
}

/* Adds what the store knows of actor `name` to p (nothing when it knows nothing). */
static void add_profile(ruru_store *store, const char *name, struct profiles *p)
{
    char *js = NULL;
    struct ruru_diag d;
    json_t *doc, *tech, *t, *own;
    size_t j, m = 0;
    struct ruru_actor_profile *g;
    const char **sp, **list;

    if (p->looked != NULL) {
        if (json_object_get(p->looked, name) != NULL)
            return;
        json_object_set_new(p->looked, name, json_true());
    }
    for (j = 0; j < p->n; j++)
        if (strcmp(p->v[j].name, name) == 0)
            return;
    if (store == NULL || ruru_actors(store, name, &js, &d) != RURU_OK)
        return;
    doc = json_loads(js, 0, NULL);
    ruru_free(js);
    tech = json_object_get(json_array_get(json_object_get(doc, "actors"), 0), "techniques");
    /* the name, the technique strings and the sponsor live in doc, kept in p->keep */
    own = json_string(name);
    if (doc == NULL || own == NULL || json_object_set_new(doc, "ruru_name", own) != 0 ||
        json_array_append_new(p->keep, doc) != 0) {
        json_decref(doc);
        return;
    }
    if ((sp = ruru_realloc(p->sponsor, (p->n + 1) * sizeof(*sp))) == NULL)
        return;
    p->sponsor = sp;
    if ((g = ruru_realloc(p->v, (p->n + 1) * sizeof(*g))) == NULL)
        return;
    p->v = g;
    if ((list = ruru_calloc(json_array_size(tech) + 1, sizeof(*list))) == NULL)
        return;
    json_array_foreach(tech, j, t) if (json_is_string(json_object_get(t, "id"))) list[m++] =
            json_string_value(json_object_get(t, "id"));
    sp[p->n] = common_sponsor(json_object_get(doc, "actors"));
    g[p->n].name = json_string_value(own);
    g[p->n].techniques = list;
    g[p->n].n_techniques = m;
    p->n++;
}

static void load_profiles(ruru_store *store, json_t *const *docs, size_t n, struct profiles *p)
{
    size_t i, k;
    json_t *a;

    if (p->keep == NULL)
        p->keep = json_array();
    if (p->looked == NULL)
        p->looked = json_object();
    for (i = 0; store != NULL && i < n; i++) {
        json_array_foreach(ruru_case_at(docs[i], "ruru.indicator.actors"), k, a)
        {
            const char *name = json_string_value(json_object_get(a, "name"));
            if (name != NULL)
                add_profile(store, name, p);
        }
    }
}

/* What an actor's incidents are judged with besides their evidence, as a SHA-256 in hex: the
 * state sponsoring it and the techniques it uses (NULL profile: the store knows nothing). */
static void profile_hash(const struct ruru_actor_profile *g, const char *sponsor, char out[65])
{
    struct sha256_ctx h;
    unsigned char d[32];

    sha256_init(&h);
    if (g != NULL) {
        sha256_update(&h, 1, (const uint8_t *)(sponsor != NULL ? "s" : "-"));
        if (sponsor != NULL)
            sha256_update(&h, strlen(sponsor) + 1, (const uint8_t *)sponsor);
        for (size_t i = 0; i < g->n_techniques; i++)
            sha256_update(&h, strlen(g->techniques[i]) + 1, (const uint8_t *)g->techniques[i]);
    }
    sha256_digest(&h, sizeof(d), d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The settings incidents are made and judged with, as a SHA-256 in hex. */
static void config_hash(const struct ruru_case_config *c, char out[65])
{
    const struct ruru_attrib_config *a = &c->attrib;
    struct ruru_buf b;
    struct sha256_ctx h;
    unsigned char d[32];

    ruru_buf_init(&b, 4096);
    ruru_buf_addf(&b, "gap %" PRId64 " serious %d", c->gap, (int)c->serious);
    for (size_t i = 0; i < RURU_EV__COUNT; i++)
        ruru_buf_addf(&b, " %.17g %.17g", a->weight[i], a->half_life_days[i]);
    ruru_buf_addf(&b, " %.17g %.17g %.17g %.17g %.17g %.17g", a->prior_odds, a->dependence,
                  a->default_confidence, a->technique_weight, a->technique_cap, a->likely);
    sha256_init(&h);
    sha256_update(&h, b.len, (const uint8_t *)ruru_buf_str(&b));
    sha256_digest(&h, sizeof(d), d);
    ruru_buf_fini(&b);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void free_profiles(struct profiles *p)
{
    for (size_t i = 0; i < p->n; i++)
        ruru_free((void *)(uintptr_t)p->v[i].techniques);
    ruru_free(p->v);
    ruru_free(p->sponsor);
    json_decref(p->keep);
    json_decref(p->looked);
}

static const char *text(rdb_stmt *st, int col)
{
    return rdb_column_text(st, col);
}

/* The incidents already recorded that `inc` covers: the same id, or on the same asset of the
 * same organisation with
 * times within a gap of each other (new intel may have found an earlier first record, a new
 * sighting may bridge two). Appended to `olds` (ids as JSON strings), the first recorded
 * first. False when the register could not be read. */
static bool covered(rdb *db, json_t *inc, int64_t gap, json_t *olds)
{
    rdb_stmt *st = NULL;
    const char *id = json_string_value(json_object_get(inc, "id"));
    const char *first = json_string_value(json_object_get(inc, "first"));
    const char *last = json_string_value(json_object_get(inc, "last"));
    int64_t f = 0, l = 0;
    int rc;

    if ((st = rdb_prepare(db, "SELECT id, first, last FROM incident WHERE id = ?1 OR"
                              " (asset IS NOT DISTINCT FROM CAST(?2 AS TEXT) AND org IS NOT"
                              " DISTINCT FROM CAST(?4 AS TEXT) AND first IS NOT NULL AND"
                              " CAST(?3 AS TEXT) IS NOT NULL) ORDER BY recorded, id")) == NULL)
        return false;
    rdb_bind_text(st, 1, id);
    rdb_bind_text(st, 2, json_string_value(json_object_get(inc, "asset")));
    rdb_bind_text(st, 3, first);
    rdb_bind_text(st, 4, json_string_value(json_object_get(inc, "org")));
    if (first != NULL && last != NULL) {
        ruru_time_parse(first, strlen(first), &f);
        ruru_time_parse(last, strlen(last), &l);
    }
    while ((rc = rdb_step(st)) == RDB_ROW) {
        const char *eid = text(st, 0), *ef = text(st, 1), *el = text(st, 2);
        int64_t a, b;
        if (strcmp(eid, id) == 0 ||
            (ef != NULL && el != NULL && ruru_time_parse(ef, strlen(ef), &a) &&
             ruru_time_parse(el, strlen(el), &b) && a <= l + gap && b >= f - gap))
            json_array_append_new(olds, json_string(eid));
    }
    rdb_finalize(st);
    return rc == RDB_DONE;
}

static bool run(rdb *db, const char *sql, const char *const *args, size_t n)
{
    rdb_stmt *st = NULL;
    int rc;

    if ((st = rdb_prepare(db, sql)) == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        rdb_bind_text(st, (int)i + 1, args[i]);
    rc = rdb_step(st);
    rdb_finalize(st);
    return rc == RDB_DONE || rc == RDB_ROW;
}

/* Old incident `old` became part of `into`: its judgements join the history of `into` (after
 * the ones there), the old id stays findable in `merged`, and its row goes. */
static bool merge_into(rdb *db, const char *old, const char *into, const char *now)
{
    const char *args[] = {old, into, now};

    return run(db,
               "UPDATE judgement SET incident = ?2, seq = seq + (SELECT coalesce(max(seq), 0)"
               " FROM judgement WHERE incident = ?2) WHERE incident = ?1",
               args, 2) &&
           run(db,
               "INSERT INTO merged (id, into_id, at) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO"
               " UPDATE SET into_id = ?2, at = ?3",
               args, 3) &&
           run(db, "UPDATE merged SET into_id = ?2 WHERE into_id = ?1", args, 2) &&
           run(db, "DELETE FROM incident_actor WHERE incident = ?1", args, 1) &&
           run(db, "DELETE FROM incident_key WHERE incident = ?1", args, 1) &&
           run(db, "DELETE FROM incident WHERE id = ?1", args, 1);
}

/* Records one incident as the register's sightings now make it, under the id it already has
 * in the register (inc's "id"); the other old incidents it covers (`olds`) are merged into it.
 * OUT: what happened to it ("new", "updated", "unchanged") and whether it was judged anew. */
static bool
record_one(rdb *db, json_t *inc, json_t *olds, int64_t now, const char **what, bool *rejudged)
{
    const char *id = json_string_value(json_object_get(inc, "id"));
    json_t *j = json_object_get(inc, "judgement"), *o;
    char *doc = NULL, nowbuf[32], seqbuf[32];
    rdb_stmt *st = NULL;
    bool ok = true, had = false, merged = false, same_doc = false, same_j = false, judged = false;
    int64_t seq = 0;
    size_t i, k;
    json_t *e, *a;

    snprintf(nowbuf, sizeof(nowbuf), "%" PRId64, now);
    json_array_foreach(olds, i, o)
    {
        const char *old = json_string_value(o);
        if (strcmp(old, id) == 0)
            had = true;
        else if (ok) {
            ok = merge_into(db, old, id, nowbuf);
            merged = true;
        }
    }
    if (ok && (doc = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)) == NULL)
        ok = false;
    if (ok && had) {
        ok = (st = rdb_prepare(db, "SELECT doc FROM incident WHERE id = ?1")) != NULL;
        if (ok) {
            rdb_bind_text(st, 1, id);
            same_doc = rdb_step(st) == RDB_ROW && strcmp(text(st, 0), doc) == 0;
            rdb_finalize(st);
        }
    }
    if (ok && !same_doc) {
        const char *args[] = {id,
                              json_string_value(json_object_get(inc, "asset")),
                              json_string_value(json_object_get(inc, "first")),
                              json_string_value(json_object_get(inc, "last")),
                              json_string_value(json_object_get(inc, "severity")),
                              json_is_true(json_object_get(inc, "serious")) ? "1" : "0",
                              json_string_value(json_object_get(inc, "campaign")),
                              doc,
                              nowbuf,
                              json_string_value(json_object_get(inc, "org"))};
        ok = run(db,
                 "INSERT INTO incident (id, asset, first, last, severity, serious, campaign, doc,"
                 " recorded, updated, org) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)"
                 " ON CONFLICT (id) DO UPDATE SET asset = ?2, first = ?3, last = ?4,"
                 " severity = ?5, serious = ?6, campaign = ?7, doc = ?8, updated = ?9,"
                 " org = ?10",
                 args, 10);
        /* the actors it carries, and their states */
        if (ok)
            ok = run(db, "DELETE FROM incident_actor WHERE incident = ?1", args, 1);
        json_array_foreach(json_object_get(inc, "evidence"), i, e)
        {
            if (json_is_true(json_object_get(e, "warninglisted")))
                continue;
            json_array_foreach(json_object_get(e, "actor_states"), k, a)
            {
                const char *row[] = {args[0], json_string_value(json_object_get(a, "name")),
                                     json_string_value(json_object_get(a, "state"))};
                if (ok && row[1] != NULL)
                    ok = run(db,
                             "INSERT INTO incident_actor (incident, actor, state) VALUES"
                             " (?1, ?2, ?3) ON CONFLICT (incident, actor) DO UPDATE SET state ="
                             " coalesce(incident_actor.state, ?3)",
                             row, 3);
            }
        }
    }
    /* its distinctive indicators, which link campaigns (all_campaigns) */
    if (ok) {
        const char *args[] = {id};
        ok = run(db, "DELETE FROM incident_key WHERE incident = ?1", args, 1);
    }
    json_array_foreach(json_object_get(inc, "evidence"), i, e)
    {
        const char *row[] = {id, json_string_value(json_object_get(e, "key")),
                             json_string_value(json_object_get(e, "kind"))};
        if (ok && row[1] != NULL && ruru_case_distinctive(e))
            ok = run(db,
                     "INSERT INTO incident_key (incident, key, kind) VALUES (?1, ?2, ?3)"
                     " ON CONFLICT (incident, key) DO NOTHING",
                     row, 3);
    }
    /* the judgement: a new row when it changed */
    if (ok) {
        const char *actor = json_string_value(json_object_get(j, "actor"));
        ok = (st = rdb_prepare(db, "SELECT seq, actor, words, confidence FROM judgement WHERE"
                                   " incident = ?1 ORDER BY seq DESC LIMIT 1")) != NULL;
        if (ok) {
            rdb_bind_text(st, 1, id);
            if (rdb_step(st) == RDB_ROW) {
                judged = true;
                seq = rdb_column_int64(st, 0);
                same_j = ((actor == NULL && text(st, 1) == NULL) ||
                          (actor != NULL && text(st, 1) != NULL &&
                           strcmp(actor, text(st, 1)) == 0)) &&
                         strcmp(text(st, 2), json_string_value(json_object_get(j, "words"))) == 0 &&
                         strcmp(text(st, 3), json_string_value(json_object_get(j, "confidence"))) ==
                                 0;
            }
            rdb_finalize(st);
        }
        if (ok && !same_j) {
            char p[32];
            snprintf(seqbuf, sizeof(seqbuf), "%" PRId64, seq + 1);
            snprintf(p, sizeof(p), "%.6f", json_number_value(json_object_get(j, "probability")));
            {
                const char *args[] = {id,
                                      seqbuf,
                                      nowbuf,
                                      actor,
                                      p,
                                      json_string_value(json_object_get(j, "words")),
                                      json_string_value(json_object_get(j, "confidence")),
                                      json_string_value(json_object_get(j, "why"))};
                ok = run(db,
                         "INSERT INTO judgement (incident, seq, at, actor, probability, words,"
                         " confidence, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                         args, 8);
            }
        }
    }
    *what = !had && !merged ? "new" : same_doc && !merged ? "unchanged" : "updated";
    *rejudged = !same_j && judged;
    free(doc); /* from json_dumps */
    return ok;
}

/* A sighting's key in the register: the record it cites (input, place, digest) and what it
 * found there (the indicator, rule or pattern, the field and value, the member records). The
 * same sighting swept again, with the same or newer intel, has the same key. */
static void sighting_key(json_t *doc, char out[65])
{
    static const char *const PARTS[] = {
            "event.dataset",       "log.file.path",       "log.offset",    "ruru.length",
            "ruru.sha256",         "ruru.field.native",   "ruru.observed", "ruru.indicator.id",
            "ruru.indicator.file", "ruru.indicator.line", "rule.id",       "ruru.members"};
    struct sha256_ctx h;
    unsigned char d[32];

    sha256_init(&h);
    for (size_t i = 0; i < sizeof(PARTS) / sizeof(PARTS[0]); i++) {
        char *t = json_dumps(ruru_case_at(doc, PARTS[i]),
                             JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
        sha256_update(&h, t != NULL ? strlen(t) + 1 : 1, (const uint8_t *)(t != NULL ? t : ""));
        free(t);
    }
    /* recorded for an organisation: another sighting than the same one for another (the CERT's
     * own keep the keys they had) */
    if (json_is_string(ruru_case_at(doc, "ruru.org"))) {
        const char *org = json_string_value(ruru_case_at(doc, "ruru.org"));
        sha256_update(&h, 5, (const uint8_t *)"\norg\n");
        sha256_update(&h, strlen(org), (const uint8_t *)org);
    }
    sha256_digest(&h, sizeof(d), d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The recording's organisation into each document (ruru.org; none: taken out), so that the
 * grouping, the exports and the reports see it. False when memory ran out. */
static bool put_org(json_t *arr, const char *org)
{
    size_t i;
    json_t *doc;

    json_array_foreach(arr, i, doc)
    {
        json_t *ru = json_object_get(doc, "ruru");
        if (!json_is_object(doc))
            continue;
        if (org == NULL) {
            if (json_is_object(ru))
                json_object_del(ru, "org");
            continue;
        }
        if (!json_is_object(ru) && json_object_set_new(doc, "ruru", ru = json_object()) != 0)
            return false;
        if (json_object_set_new(ru, "org", json_string(org)) != 0)
            return false;
    }
    return true;
}

/* Where a sighting's incidents are made: its organisation and its asset as the incidents see
 * it (ruru_case_place), as one text "ORG\x1f=ASSET" ("ORG\x1f" without an asset; no ORG for
 * the CERT's own). NULL for a document that is no sighting, or when memory ran out. */
static char *place_of(json_t *doc)
{
    const char *org = json_string_value(ruru_case_at(doc, "ruru.org")), *asset;
    struct ruru_place pl;
    size_t no, na;
    char *out;

    if (!ruru_case_place(doc, &pl))
        return NULL;
    asset = pl.asset;
    no = org != NULL ? strlen(org) : 0;
    na = asset != NULL ? strlen(asset) : 0;
    if ((out = ruru_malloc(no + na + 3)) == NULL)
        return NULL;
    memcpy(out, org != NULL ? org : "", no);
    out[no] = '\x1f';
    if (asset != NULL) {
        out[no + 1] = '=';
        memcpy(out + no + 2, asset, na);
        out[no + 2 + na] = '\0';
    } else {
        out[no + 1] = '\0';
    }
    return out;
}

/* Keeps the sightings in the register (a sighting seen before with other intel takes the new
 * document). OUT: *added, how many were new or changed; `places` (an object used as a set)
 * gains the place of each. */
static bool keep_sightings(rdb *db, json_t *arr, const char *org, size_t *added, json_t *places)
{
    rdb_stmt *st = NULL;
    size_t i;
    json_t *doc, *last = json_object();
    char(*keys)[65] = ruru_calloc(json_array_size(arr) + 1, sizeof(*keys));
    bool ok;

    *added = 0;
    /* one key, one sighting: where a batch holds the same sighting twice with different
     * documents (a report edited by hand), the last one stands, as the sweep would have it */
    json_array_foreach(arr, i, doc)
    {
        if (keys != NULL)
            sighting_key(doc, keys[i]);
        if (keys == NULL || last == NULL ||
            json_object_set_new(last, keys[i], json_integer((json_int_t)i)) != 0) {
            json_decref(last);
            ruru_free(keys);
            return false;
        }
    }
    ok = (st = rdb_prepare(db, "INSERT INTO sighting (key, path, off, ord, doc, org, place) VALUES"
                               " (?1, ?3, ?4, ?5, ?2, ?6, ?7) ON CONFLICT (key) DO UPDATE SET"
                               " doc = ?2, place = ?7 WHERE sighting.doc <> ?2")) != NULL;
    json_array_foreach(arr, i, doc)
    {
        const char *key = keys[i];
        char *text, *place;
        if (!ok)
            break;
        if (json_integer_value(json_object_get(last, key)) != (json_int_t)i)
            continue;
        if ((text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)) == NULL) {
            ok = false;
            break;
        }
        rdb_reset(st);
        rdb_bind_text(st, 1, key);
        rdb_bind_text(st, 2, text);
        rdb_bind_text(st, 3, json_string_value(ruru_case_at(doc, "log.file.path")));
        rdb_bind_int64(st, 4, json_integer_value(ruru_case_at(doc, "log.offset")));
        rdb_bind_int64(st, 5, (int64_t)i);
        rdb_bind_text(st, 6, org);
        place = place_of(doc);
        rdb_bind_text(st, 7, place);
        ok = rdb_step(st) == RDB_DONE;
        if (ok && rdb_changes(db) > 0) {
            (*added)++;
            if (place != NULL)
                ok = json_object_set_new(places, place, json_true()) == 0;
        }
        ruru_free(place);
        free(text);
    }
    rdb_finalize(st);
    json_decref(last);
    ruru_free(keys);
    return ok;
}

/* Every sighting the register keeps, as documents (json_decref the array). NULL on failure. */
static json_t *all_sightings(rdb *db)
{
    rdb_stmt *st = NULL;
    json_t *all = json_array();
    int rc;

    if (all == NULL || (st = rdb_prepare(db, "SELECT doc FROM sighting ORDER BY path NULLS FIRST, "
                                             "off NULLS FIRST, ord, key")) == NULL) {
        json_decref(all);
        return NULL;
    }
    while ((rc = rdb_step(st)) == RDB_ROW) {
        json_t *d = json_loads(text(st, 0), 0, NULL);
        if (d == NULL || json_array_append_new(all, d) != 0) {
            rc = RDB_ERROR;
            break;
        }
    }
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        json_decref(all);
        return NULL;
    }
    return all;
}

/* Gives every sighting kept before places were (schema 3) its place; places: the set of
 * every place the register's sightings are in. */
static bool all_places(rdb *db, json_t *places)
{
    rdb_stmt *st = NULL, *up = NULL;
    bool ok;
    int rc;

    ok = (st = rdb_prepare(db, "SELECT key, doc FROM sighting WHERE place IS NULL")) != NULL &&
         (up = rdb_prepare(db, "UPDATE sighting SET place = ?2 WHERE key = ?1")) != NULL;
    while (ok && (rc = rdb_step(st)) == RDB_ROW) {
        json_t *doc = json_loads(text(st, 1), 0, NULL);
        char *place = doc != NULL ? place_of(doc) : NULL;
        if (place != NULL) {
            rdb_reset(up);
            rdb_bind_text(up, 1, text(st, 0));
            rdb_bind_text(up, 2, place);
            ok = rdb_step(up) == RDB_DONE;
        }
        ruru_free(place);
        json_decref(doc);
    }
    ok = ok && rc == RDB_DONE;
    rdb_finalize(st);
    rdb_finalize(up);
    st = NULL;
    ok = ok &&
         (st = rdb_prepare(db, "SELECT DISTINCT place FROM sighting WHERE place IS NOT NULL")) !=
                 NULL;
    while (ok && (rc = rdb_step(st)) == RDB_ROW)
        ok = json_object_set_new(places, text(st, 0), json_true()) == 0;
    ok = ok && rc == RDB_DONE;
    rdb_finalize(st);
    return ok;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sightings of the places in `places` (a set), as documents: place by place in text
 * order, each place's in input and offset order as all_sightings has them. NULL on failure. */
static json_t *place_sightings(rdb *db, json_t *places)
{
    rdb_stmt *st = NULL;
    json_t *out = json_array();
    const char **keys = ruru_calloc(json_object_size(places) + 1, sizeof(*keys)), *k;
    size_t n = 0;
    json_t *v;
    bool ok = out != NULL && keys != NULL &&
              (st = rdb_prepare(db, "SELECT doc FROM sighting WHERE place = ?1 ORDER BY path, off,"
                                    " ord, key")) != NULL;

    json_object_foreach(places, k, v) if (keys != NULL) keys[n++] = k;
    if (ok)
        qsort(keys, n, sizeof(*keys), by_text);
    for (size_t i = 0; ok && i < n; i++) {
        int rc;
        rdb_reset(st);
        rdb_bind_text(st, 1, keys[i]);
        while ((rc = rdb_step(st)) == RDB_ROW) {
            json_t *d = json_loads(text(st, 0), 0, NULL);
            if (d == NULL || json_array_append_new(out, d) != 0) {
                rc = RDB_ERROR;
                break;
            }
        }
        ok = rc == RDB_DONE;
    }
    rdb_finalize(st);
    ruru_free(keys);
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Whether the incidents must all be made and judged again: the settings changed, or what the
 * store says of an actor the register's incidents were judged with (looked at when this
 * handle has not yet seen the store's present generation, `gen`). False when the register
 * could not be read. */
static bool inputs_changed(struct ruru_register *r, ruru_store *store, const char *gen, bool *all)
{
    rdb_stmt *st = NULL;
    char want[65];
    int rc;
    bool ok;

    *all = true;
    config_hash(ruru_register_config(r), want);
    if ((st = rdb_prepare(ruru_register_rdb(r), "SELECT hash FROM judged WHERE what = 'config'")) ==
        NULL)
        return false;
    rc = rdb_step(st);
    ok = rc == RDB_ROW || rc == RDB_DONE;
    if (rc == RDB_ROW && strcmp(text(st, 0), want) == 0)
        *all = false;
    rdb_finalize(st);
    if (!ok || *all || strcmp(gen, ruru_register_profiles_seen(r)) == 0)
        return ok;
    if ((st = rdb_prepare(ruru_register_rdb(r),
                          "SELECT what, hash FROM judged WHERE what LIKE 'actor:%'")) == NULL)
        return false;
    while (!*all && (rc = rdb_step(st)) == RDB_ROW) {
        struct profiles one = {NULL, NULL, 0, json_array(), NULL};
        char have[65];
        add_profile(store, text(st, 0) + 6, &one);
        profile_hash(one.n > 0 ? &one.v[0] : NULL, one.n > 0 ? one.sponsor[0] : NULL, have);
        *all = strcmp(have, text(st, 1)) != 0;
        free_profiles(&one);
    }
    ok = *all || rc == RDB_DONE;
    rdb_finalize(st);
    return ok;
}

/* Keeps what the incidents just made were judged with: the settings, and the profile of each
 * actor their sightings name as the store gave it (an empty one when it knows nothing). */
static bool note_judged(rdb *db, const struct ruru_case_config *c, const struct profiles *p)
{
    char h[65], what[300];
    const char *args[] = {what, h}, *name;
    json_t *v;
    bool ok;

    config_hash(c, h);
    snprintf(what, sizeof(what), "config");
    ok = run(db,
             "INSERT INTO judged (what, hash) VALUES (?1, ?2) ON CONFLICT (what) DO UPDATE SET"
             " hash = ?2",
             args, 2);
    json_object_foreach(p->looked, name, v)
    {
        size_t i = 0;
        if (!ok)
            break;
        if ((size_t)snprintf(what, sizeof(what), "actor:%s", name) >= sizeof(what))
            continue; /* a name that long is looked at again each time */
        while (i < p->n && strcmp(p->v[i].name, name) != 0)
            i++;
        profile_hash(i < p->n ? &p->v[i] : NULL, i < p->n ? p->sponsor[i] : NULL, h);
        ok = run(db,
                 "INSERT INTO judged (what, hash) VALUES (?1, ?2) ON CONFLICT (what) DO UPDATE"
                 " SET hash = ?2",
                 args, 2);
    }
    return ok;
}

/* The campaigns of the incidents this recording made (`made`, under their final ids) and of
 * every other incident linked to them through distinctive indicators, directly or through
 * others: incident_key, whose key index leads from an indicator to the incidents holding it,
 * is walked from the made incidents' indicators (the incidents `gone` names are being
 * replaced by them and left out). A campaign no made incident is linked to cannot have
 * changed. Sets "campaign" in each of `made`; another whose campaign changed is updated in
 * place. OUT: *updated, how many others were. False when the register could not be read or
 * written. */
static bool all_campaigns(rdb *db, json_t *made, json_t *gone, int64_t now, size_t *updated)
{
    rdb_stmt *st = NULL, *up = NULL;
    json_t *all = json_array(), *others = json_object(), *mine = json_object(), *inc, *o, *e;
    json_t *todo = json_array(), *seen = json_object();
    const char *id;
    size_t i, k;
    int rc = RDB_DONE;
    bool ok = all != NULL && others != NULL && mine != NULL && todo != NULL && seen != NULL;

    *updated = 0;
    json_array_foreach(made, i, inc)
    {
        if (ok)
            ok = json_object_set(mine, json_string_value(json_object_get(inc, "id")),
                                 json_true()) == 0 &&
                 json_array_append(all, inc) == 0;
        json_array_foreach(json_object_get(inc, "evidence"), k, e)
        {
            json_t *key = json_object_get(e, "key");
            if (ok && json_is_string(key) && ruru_case_distinctive(e) &&
                json_object_get(seen, json_string_value(key)) == NULL)
                ok = json_object_set(seen, json_string_value(key), json_true()) == 0 &&
                     json_array_append(todo, key) == 0;
        }
    }
    ok = ok &&
         (st = rdb_prepare(db, "SELECT i.id, i.asset, i.org, i.campaign, b.key, b.kind FROM"
                               " incident_key a JOIN incident i ON i.id = a.incident JOIN"
                               " incident_key b ON b.incident = a.incident WHERE a.key = ?1")) !=
                 NULL;
    for (i = 0; ok && i < json_array_size(todo); i++) {
        rdb_reset(st);
        rdb_bind_text(st, 1, json_string_value(json_array_get(todo, i)));
        while ((rc = rdb_step(st)) == RDB_ROW) {
            const char *key = text(st, 4);
            id = text(st, 0);
            if (json_object_get(mine, id) != NULL || json_object_get(gone, id) != NULL)
                continue;
            if ((o = json_object_get(others, id)) == NULL) {
                o = json_pack("{s:s, s:s?, s:s?, s:s?, s:[], s:{}}", "id", id, "asset", text(st, 1),
                              "org", text(st, 2), "was", text(st, 3), "evidence", "keys");
                if (o == NULL || json_object_set_new(others, id, o) != 0 ||
                    json_array_append(all, o) != 0) {
                    rc = RDB_ERROR;
                    break;
                }
            }
            if (json_object_get(json_object_get(o, "keys"), key) != NULL)
                continue;
            if (json_object_set_new(json_object_get(o, "keys"), key, json_true()) != 0 ||
                json_array_append_new(json_object_get(o, "evidence"),
                                      json_pack("{s:s, s:s?}", "key", key, "kind", text(st, 5))) !=
                        0 ||
                (json_object_get(seen, key) == NULL &&
                 (json_object_set_new(seen, key, json_true()) != 0 ||
                  json_array_append_new(todo, json_string(key)) != 0))) {
                rc = RDB_ERROR;
                break;
            }
        }
        ok = rc == RDB_DONE;
    }
    rdb_finalize(st);
    if (ok)
        ruru_case_campaigns(all);
    ok = ok &&
         (up = rdb_prepare(db, "UPDATE incident SET campaign = ?2, doc = ?3, updated = ?4 WHERE"
                               " id = ?1")) != NULL;
    json_object_foreach(others, id, o)
    {
        json_t *camp = json_object_get(o, "campaign");
        rdb_stmt *get = NULL;
        json_t *doc = NULL;
        char *text_doc = NULL;
        if (!ok)
            break;
        if (json_equal(camp, json_object_get(o, "was")) ||
            (json_is_null(camp) && json_object_get(o, "was") == NULL))
            continue;
        /* the incident's document says its campaign too */
        ok = (get = rdb_prepare(db, "SELECT doc FROM incident WHERE id = ?1")) != NULL;
        if (ok) {
            rdb_bind_text(get, 1, id);
            ok = rdb_step(get) == RDB_ROW && (doc = json_loads(text(get, 0), 0, NULL)) != NULL &&
                 json_object_set(doc, "campaign", camp) == 0 &&
                 (text_doc = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)) !=
                         NULL;
        }
        rdb_finalize(get);
        if (ok) {
            rdb_reset(up);
            rdb_bind_text(up, 1, id);
            rdb_bind_text(up, 2, json_string_value(camp));
            rdb_bind_text(up, 3, text_doc);
            rdb_bind_int64(up, 4, now);
            ok = rdb_step(up) == RDB_DONE;
            (*updated)++;
        }
        free(text_doc);
        json_decref(doc);
    }
    rdb_finalize(up);
    json_decref(all);
    json_decref(others);
    json_decref(mine);
    json_decref(todo);
    json_decref(seen);
    return ok;
}

/* The state sponsoring each actor of an evidence piece, as the store's actor registry says
 * (NULL when no source says one does), beside the actor names. */
static void add_states(json_t *incidents, const struct profiles *p)
{
    size_t i, k, q;
    json_t *inc, *e, *a;

    json_array_foreach(incidents, i, inc)
    {
        json_array_foreach(json_object_get(inc, "evidence"), k, e)
        {
            json_t *states = json_array();
            json_array_foreach(json_object_get(e, "actors"), q, a)
            {
                const char *sponsor = NULL;
                for (size_t j = 0; j < p->n; j++)
                    if (json_is_string(a) && strcmp(p->v[j].name, json_string_value(a)) == 0)
                        sponsor = p->sponsor[j];
                json_array_append_new(states,
                                      json_pack("{s:O, s:s?}", "name", a, "state", sponsor));
            }
            json_object_set_new(e, "actor_states", states);
        }
    }
}

/* Every incident's id, by first record (undated last), then id. NULL on failure. */
static json_t *incident_ids(rdb *db)
{
    rdb_stmt *st = NULL;
    json_t *out = json_array();
    int rc = RDB_ERROR;

    if (out != NULL &&
        (st = rdb_prepare(db, "SELECT id FROM incident ORDER BY first IS NULL, first,"
                              " id")) != NULL)
        while ((rc = rdb_step(st)) == RDB_ROW)
            if (json_array_append_new(out, json_string(text(st, 0))) != 0) {
                rc = RDB_ERROR;
                break;
            }
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        json_decref(out);
        return NULL;
    }
    return out;
}

enum ruru_err ruru_register_record(ruru_register *r,
                                   ruru_store *store,
                                   const char *sightings,
                                   size_t len,
                                   char **json,
                                   struct ruru_diag *diag)
{
    return ruru_register_record_org(r, store, NULL, sightings, len, json, diag);
}

enum ruru_err ruru_register_record_org(ruru_register *r,
                                       ruru_store *store,
                                       const char *org,
                                       const char *sightings,
                                       size_t len,
                                       char **json,
                                       struct ruru_diag *diag)
{
    json_t *arr = json_loadb(sightings, len, 0, NULL), *incidents = NULL, *inc, *ids, *res;
    json_t *all = NULL, *list = NULL, *claimed, *olds, *places = NULL;
    json_t **docs = NULL;
    struct ruru_case_config c = *ruru_register_config(r);
    rdb *db = ruru_register_rdb(r);
    struct profiles prof = {NULL, NULL, 0, NULL, NULL};
    size_t n, skipped, i, added = 0, counts[4] = {0, 0, 0, 0};
    enum ruru_err err = RURU_OK;
    int64_t now = (int64_t)time(NULL);
    char gen[96];
    bool everything = false;

    *json = NULL;
    ruru_diag_clear(diag);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "sightings: not a JSON array");
    }
    if (org != NULL && (err = ruru_org_name_check(org, diag)) != RURU_OK) {
        json_decref(arr);
        return err;
    }
    if (!put_org(arr, org)) {
        json_decref(arr);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* One transaction: the sightings join the register's, and the incidents of the places
     * they touch are made again from all of those places' sightings, so that two recordings
     * of two sweeps give what one recording of both gives, in either order and when they run
     * at once (rdb_begin_write takes them in turn). */
    if ((places = json_object()) == NULL) {
        json_decref(arr);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (!rdb_begin_write(db)) {
        json_decref(arr);
        json_decref(places);
        return db_fail(r, diag, "beginning the recording");
    }
    if (org != NULL && !ruru_org_ensure(db, org, ruru_register_org_sectors(r), now)) {
        err = db_fail(r, diag, "adding the organisation");
        goto out;
    }
    if (!keep_sightings(db, arr, org, &added, places)) {
        err = db_fail(r, diag, "keeping the sightings");
        goto out;
    }
    /* The incidents made again: those of the places whose sightings came or changed; all of
     * them when the settings or an actor's profile changed since they were judged. */
    if (store == NULL || !ruru_store_generation(store, gen, sizeof(gen)))
        snprintf(gen, sizeof(gen), "%s", store == NULL ? "none" : "?");
    if (!inputs_changed(r, store, gen, &everything) || (everything && !all_places(db, places))) {
        err = db_fail(r, diag, "reading the register");
        goto out;
    }
    if ((all = place_sightings(db, places)) == NULL) {
        err = db_fail(r, diag, "reading the sightings");
        goto out;
    }
    n = json_array_size(all);
    if ((docs = ruru_calloc(n + 1, sizeof(*docs))) == NULL) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        docs[i] = json_array_get(all, i);
    load_profiles(store, docs, n, &prof);
    if (ruru_cases_build(&c, docs, n, prof.v, prof.n, &incidents, &skipped) != RURU_OK) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    add_states(incidents, &prof);
    /* An incident keeps the id it was first recorded under (an analyst's ticket cites it): of
     * the old incidents a new one covers, the first recorded gives its id, the others merge
     * into it. Ids are mapped, and campaigns found under them, before anything is written. */
    ids = json_object();
    claimed = json_object();
    olds = json_array();
    json_array_foreach(incidents, i, inc)
    {
        json_t *mine = json_array(), *o, *keep = NULL;
        size_t k;
        if (mine == NULL || !covered(db, inc, c.gap, mine)) {
            json_decref(mine);
            err = db_fail(r, diag, "reading the register");
            break;
        }
        json_array_foreach(mine, k, o)
        {
            if (json_object_get(claimed, json_string_value(o)) != NULL)
                continue;
            json_object_set_new(claimed, json_string_value(o), json_true());
            if (keep == NULL)
                keep = o;
        }
        json_object_set(ids, json_string_value(json_object_get(inc, "id")),
                        keep != NULL ? keep : json_object_get(inc, "id"));
        json_array_append_new(olds, mine);
    }
    json_array_foreach(incidents, i, inc)
    {
        json_object_set(inc, "id",
                        json_object_get(ids, json_string_value(json_object_get(inc, "id"))));
    }
    if (err == RURU_OK && json_array_size(incidents) > 0 &&
        !all_campaigns(db, incidents, claimed, now, &counts[1]))
        err = db_fail(r, diag, "reading the register");
    json_array_foreach(incidents, i, inc)
    {
        const char *what;
        bool rejudged;
        if (err != RURU_OK)
            break;
        /* SQLite ends a transaction by itself on some failures (a full disk): what follows
         * must not go on outside it, one statement at a time */
        if (!record_one(db, inc, json_array_get(olds, i), now, &what, &rejudged) ||
            !rdb_in_tx(db)) {
            err = db_fail(r, diag, "recording an incident");
            break;
        }
        counts[what[0] == 'n' ? 0 : what[0] == 'u' && what[1] == 'p' ? 1 : 2]++;
        counts[3] += rejudged;
    }
    json_decref(ids);
    json_decref(claimed);
    json_decref(olds);
    if (err == RURU_OK && !note_judged(db, &c, &prof))
        err = db_fail(r, diag, "recording an incident");
    if (err == RURU_OK && (list = incident_ids(db)) == NULL)
        err = db_fail(r, diag, "reading the register");
    if (err != RURU_OK)
        goto out;
    if (!rdb_commit(db)) {
        err = db_fail(r, diag, "committing the recording");
        goto out;
    }
    ruru_register_profiles_seen_set(r, gen);
    /* the counts are over every incident of the register: those not made again are unchanged */
    res = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:O}", "incidents",
                    (json_int_t)json_array_size(list), "new", (json_int_t)counts[0], "updated",
                    (json_int_t)counts[1], "unchanged",
                    (json_int_t)(json_array_size(list) - counts[0] - counts[1]), "rejudged",
                    (json_int_t)counts[3], "sightings_added", (json_int_t)added, "ids", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    if (*json == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
out:
    if (err != RURU_OK)
        rdb_rollback(db);
    json_decref(list);
    json_decref(places);
    free_profiles(&prof);
    json_decref(incidents);
    ruru_free(docs);
    json_decref(all);
    json_decref(arr);
    return err;
}

/* ---- reading ------------------------------------------------------------------------------ */

bool ruru_time_from_text(const char *s, int64_t *out)
{
    return s != NULL && ruru_time_parse(s, strlen(s), out);
}

/* The time filter on an incident's first record, as SQL text bounds ("" for none). */
static void bounds(int64_t since, int64_t until, char lo[RURU_TIME_BUF], char hi[RURU_TIME_BUF])
{
    lo[0] = hi[0] = '\0';
    if (since != RURU_TIME_NONE)
        ruru_time_format(since, lo);
    if (until != RURU_TIME_NONE)
        ruru_time_format(until, hi);
}

enum ruru_err ruru_register_report(ruru_register *r,
                                   int64_t since,
                                   int64_t until,
                                   const char *actor,
                                   char **json,
                                   struct ruru_diag *diag)
{
    return ruru_register_report_org(r, since, until, actor, NULL, json, diag);
}

enum ruru_err ruru_register_report_org(ruru_register *r,
                                       int64_t since,
                                       int64_t until,
                                       const char *actor,
                                       const char *org,
                                       char **json,
                                       struct ruru_diag *diag)
{
    rdb_stmt *st = NULL, *hs = NULL;
    char lo[RURU_TIME_BUF], hi[RURU_TIME_BUF];
    json_t *list = json_array(), *res;

    *json = NULL;
    ruru_diag_clear(diag);
    bounds(since, until, lo, hi);
    if ((st = rdb_prepare(ruru_register_rdb(r),
                          "SELECT i.doc, i.id FROM incident i WHERE (?1 = '' OR i.first >= ?1)"
                          " AND (?2 = '' OR i.first < ?2) AND (CAST(?3 AS TEXT) IS NULL OR"
                          " EXISTS (SELECT 1 FROM incident_actor a WHERE a.incident = i.id AND"
                          " lower(a.actor) = lower(CAST(?3 AS TEXT)))) AND (CAST(?4 AS TEXT)"
                          " IS NULL OR i.org = ?4) ORDER BY i.first IS NULL, i.first, i.id")) ==
                NULL ||
        (hs = rdb_prepare(ruru_register_rdb(r),
                          "SELECT seq, at, actor, probability, words, confidence, why FROM"
                          " judgement WHERE incident = ?1 ORDER BY seq")) == NULL) {
        rdb_finalize(st);
        json_decref(list);
        return db_fail(r, diag, "reading the register");
    }
    rdb_bind_text(st, 1, lo);
    rdb_bind_text(st, 2, hi);
    rdb_bind_text(st, 3, actor);
    rdb_bind_text(st, 4, org);
    while (rdb_step(st) == RDB_ROW) {
        json_t *inc = json_loads(text(st, 0), 0, NULL), *hist = json_array();
        rdb_reset(hs);
        rdb_bind_text(hs, 1, text(st, 1));
        while (rdb_step(hs) == RDB_ROW) {
            char at[RURU_TIME_BUF];
            ruru_time_format(rdb_column_int64(hs, 1), at);
            json_array_append_new(hist, json_pack("{s:I, s:s, s:s?, s:f, s:s, s:s, s:s}", "seq",
                                                  (json_int_t)rdb_column_int64(hs, 0), "at", at,
                                                  "actor", text(hs, 2), "probability",
                                                  rdb_column_double(hs, 3), "words", text(hs, 4),
                                                  "confidence", text(hs, 5), "why", text(hs, 6)));
        }
        if (inc != NULL) {
            json_object_set_new(inc, "history", hist);
            json_array_append_new(list, inc);
        } else {
            json_decref(hist);
        }
    }
    rdb_finalize(st);
    rdb_finalize(hs);
    res = json_pack("{s:o}", "incidents", list);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

enum ruru_err ruru_register_stats(ruru_register *r,
                                  int64_t since,
                                  int64_t until,
                                  const char *by,
                                  char **json,
                                  struct ruru_diag *diag)
{
    return ruru_register_stats_org(r, since, until, by, NULL, json, diag);
}

/* The filter of every statistic: the first record in [?1, ?2) ('' open), the organisation ?3
 * (NULL: all of them, the national figure). */
#define IN_RANGE                                                                              \
    " (?1 = '' OR i.first >= ?1) AND (?2 = '' OR i.first < ?2) AND (CAST(?3 AS TEXT) IS NULL" \
    " OR i.org = ?3)"
#define HAS_STATE \
    " EXISTS (SELECT 1 FROM incident_actor a WHERE a.incident = i.id AND a.state IS NOT NULL)"
/* 1 for an incident carrying a state's actor, else 0 (PostgreSQL sums no booleans) */
#define STATE_01 " CASE WHEN" HAS_STATE " THEN 1 ELSE 0 END"

enum ruru_err ruru_register_stats_org(ruru_register *r,
                                      int64_t since,
                                      int64_t until,
                                      const char *by,
                                      const char *org,
                                      char **json,
                                      struct ruru_diag *diag)
{
    /* per incident: its group key(s) and whether it carries a state's actor */
    static const char *const SQL[] = {
            /* sponsor */
            "SELECT a.state, count(DISTINCT i.id) FROM incident i JOIN incident_actor a ON"
            " a.incident = i.id WHERE i.serious <> 0 AND a.state IS NOT NULL AND" IN_RANGE
            " GROUP BY a.state ORDER BY 2 DESC, 1",
            /* actor */
            "SELECT a.actor, count(DISTINCT i.id) FROM incident i JOIN incident_actor a ON"
            " a.incident = i.id WHERE i.serious <> 0 AND" IN_RANGE
            " GROUP BY a.actor ORDER BY 2 DESC, 1",
            /* month */
            "SELECT substr(i.first, 1, 7), count(*), sum(" STATE_01 ") FROM incident i WHERE"
            " i.serious <> 0 AND i.first IS NOT NULL AND" IN_RANGE " GROUP BY 1 ORDER BY 1",
            /* asset */
            "SELECT coalesce(i.asset, '(unknown)'), count(*), sum(" STATE_01 ") FROM incident i"
            " WHERE i.serious <> 0 AND" IN_RANGE " GROUP BY 1 ORDER BY 2 DESC, 1",
            /* org: the CERT's own incidents are "(no org)" */
            "SELECT coalesce(i.org, '(no org)'), count(*), sum(" STATE_01 ") FROM incident i"
            " WHERE i.serious <> 0 AND" IN_RANGE " GROUP BY 1 ORDER BY 2 DESC, 1",
            /* sector: of the incident's organisation */
            "SELECT coalesce(o.sector, '(no sector)'), count(*), sum(" STATE_01 ") FROM"
            " incident i LEFT JOIN org o ON o.name = i.org WHERE i.serious <> 0 AND" IN_RANGE
            " GROUP BY 1 ORDER BY 2 DESC, 1"};
    static const char *const NAMES[] = {"sponsor", "actor", "month", "asset", "org", "sector"};
    rdb_stmt *st = NULL;
    char lo[RURU_TIME_BUF], hi[RURU_TIME_BUF];
    json_int_t serious = 0, with_state = 0, total = 0;
    size_t which = 0;
    json_t *rows = json_array(), *res;

    *json = NULL;
    ruru_diag_clear(diag);
    while (by != NULL && which < 6 && strcmp(NAMES[which], by) != 0)
        which++;
    if (which == 6) {
        json_decref(rows);
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "--by takes sponsor, actor, month, asset, org or sector, not \"%s\"",
                             by);
    }
    bounds(since, until, lo, hi);
    if ((st = rdb_prepare(ruru_register_rdb(r),
                          "SELECT count(*), coalesce(sum(i.serious), 0), coalesce(sum(CASE WHEN"
                          " i.serious <> 0 AND" HAS_STATE " THEN 1 ELSE 0 END), 0) FROM"
                          " incident i WHERE" IN_RANGE)) == NULL) {
        json_decref(rows);
        return db_fail(r, diag, "reading the register");
    }
    rdb_bind_text(st, 1, lo);
    rdb_bind_text(st, 2, hi);
    rdb_bind_text(st, 3, org);
    if (rdb_step(st) == RDB_ROW) {
        total = rdb_column_int64(st, 0);
        serious = rdb_column_int64(st, 1);
        with_state = rdb_column_int64(st, 2);
    }
    rdb_finalize(st);
    if ((st = rdb_prepare(ruru_register_rdb(r), SQL[which])) == NULL) {
        json_decref(rows);
        return db_fail(r, diag, "reading the register");
    }
    rdb_bind_text(st, 1, lo);
    rdb_bind_text(st, 2, hi);
    rdb_bind_text(st, 3, org);
    while (rdb_step(st) == RDB_ROW) {
        json_int_t n = rdb_column_int64(st, 1);
        if (which < 2) /* sponsor, actor: serious incidents carrying it, of all serious ones */
            json_array_append_new(rows, json_pack("{s:s, s:I, s:f}", "key", text(st, 0),
                                                  "serious_with", n, "share",
                                                  serious > 0 ? (double)n / (double)serious : 0.0));
        else { /* month, asset, org, sector: serious incidents there, and the share with a
                  state's actor */
            json_int_t w = rdb_column_int64(st, 2);
            json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:f}", "key", text(st, 0),
                                                  "serious", n, "state_sponsored", w, "share",
                                                  n > 0 ? (double)w / (double)n : 0.0));
        }
    }
    rdb_finalize(st);
    res = json_pack("{s:I, s:I, s:I, s:f, s:s, s:o}", "incidents", total, "serious", serious,
                    "state_sponsored", with_state, "share",
                    serious > 0 ? (double)with_state / (double)serious : 0.0, "by", NAMES[which],
                    "rows", rows);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- for the exports (register.h) ---------------------------------------------------------- */

enum ruru_err ruru_register_sightings(ruru_register *r, json_t **out, struct ruru_diag *d)
{
    ruru_diag_clear(d);
    if ((*out = all_sightings(ruru_register_rdb(r))) == NULL)
        return db_fail(r, d, "reading the sightings");
    return RURU_OK;
}

enum ruru_err ruru_register_times(ruru_register *r, json_t **out, struct ruru_diag *d)
{
    rdb_stmt *st = NULL;
    int rc;

    ruru_diag_clear(d);
    if ((*out = json_object()) == NULL)
        return ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    if ((st = rdb_prepare(ruru_register_rdb(r), "SELECT id, recorded, updated FROM incident")) ==
        NULL) {
        json_decref(*out);
        *out = NULL;
        return db_fail(r, d, "reading the register");
    }
    while ((rc = rdb_step(st)) == RDB_ROW)
        json_object_set_new(*out, text(st, 0),
                            json_pack("[I, I]", (json_int_t)rdb_column_int64(st, 1),
                                      (json_int_t)rdb_column_int64(st, 2)));
    rdb_finalize(st);
    if (rc != RDB_DONE) {
        json_decref(*out);
        *out = NULL;
        return db_fail(r, d, "reading the register");
    }
    return RURU_OK;
}

enum ruru_err ruru_register_judge(
        ruru_register *r, ruru_store *store, json_t *sightings, json_t **out, struct ruru_diag *d)
{
    size_t n = json_array_size(sightings), skipped;
    json_t **docs = ruru_calloc(n + 1, sizeof(*docs));
    struct profiles prof = {NULL, NULL, 0, NULL, NULL};
    enum ruru_err err = RURU_OK;

    ruru_diag_clear(d);
    *out = NULL;
    if (docs == NULL)
        return ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        docs[i] = json_array_get(sightings, i);
    load_profiles(store, docs, n, &prof);
    if (ruru_cases_build(ruru_register_config(r), docs, n, prof.v, prof.n, out, &skipped) !=
        RURU_OK)
        err = ruru_diag_set(d, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    else
        add_states(*out, &prof);
    free_profiles(&prof);
    ruru_free(docs);
    return err;
}
