/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register (DESIGN.md §7): incidents, their evidence and the history of their judgements,
 * kept in $RURU_HOME/register.db (SQLite, WAL) so that counts over months are possible.
 *
 *   incident (id, asset, first, last, severity, serious, campaign, doc)   doc: the incident
 *   judgement (incident, seq, at, actor, probability, words, confidence)  every judgement made
 *   incident_actor (incident, actor, state)   the actors its (not warninglisted) evidence is
 *                                             tied to, and the state sponsoring each (the
 *                                             actor registry's sponsor, NULL when none)
 *
 * Recording is one transaction: a sweep's incidents are all in the register or none is, so a
 * recording killed half-way loses nothing that was reported as recorded. An incident already
 * there (the same id, or on the same asset with overlapping times: new intel may have found an
 * earlier first record) is updated in place; its judgement gets a new row only when it
 * changed. Recording the same sightings again changes nothing.
 */
#include <inttypes.h>
#include <jansson.h>
#include <ruru.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/time.h"
#include "cases/incident.h"
#include "io/file.h"

struct ruru_register {
    sqlite3 *db;
    struct ruru_case_config cfg; /* ruru_register_set_config, else the defaults */
};

static const char SCHEMA[] =
        "CREATE TABLE IF NOT EXISTS incident (id TEXT PRIMARY KEY, asset TEXT, first TEXT,"
        " last TEXT, severity TEXT NOT NULL, serious INTEGER NOT NULL, campaign TEXT,"
        " doc TEXT NOT NULL, recorded INTEGER NOT NULL, updated INTEGER NOT NULL);"
        "CREATE INDEX IF NOT EXISTS incident_asset ON incident (asset, first);"
        "CREATE TABLE IF NOT EXISTS judgement (incident TEXT NOT NULL REFERENCES incident(id),"
        " seq INTEGER NOT NULL, at INTEGER NOT NULL, actor TEXT, probability REAL NOT NULL,"
        " words TEXT NOT NULL, confidence TEXT NOT NULL, why TEXT NOT NULL,"
        " PRIMARY KEY (incident, seq));"
        "CREATE TABLE IF NOT EXISTS incident_actor (incident TEXT NOT NULL REFERENCES"
        " incident(id), actor TEXT NOT NULL, state TEXT, PRIMARY KEY (incident, actor));";

static enum ruru_err db_fail(struct ruru_register *r, struct ruru_diag *d, const char *what)
{
    return ruru_diag_set(d, RURU_EDB, "register.db", 0, 0, "%s: %s", what, sqlite3_errmsg(r->db));
}

enum ruru_err ruru_register_open(const char *home, ruru_register **out, struct ruru_diag *diag)
{
    struct ruru_register *r = ruru_calloc(1, sizeof(*r));
    char path[4096];

    *out = NULL;
    ruru_diag_clear(diag);
    if (r == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    enum ruru_err made;

    if ((made = ruru_make_dirs(home, diag)) != RURU_OK) {
        ruru_free(r);
        return made;
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/register.db", home) >= sizeof(path)) {
        ruru_free(r);
        return ruru_diag_set(diag, RURU_ELIMIT, home, 0, 0, "path too long");
    }
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
                SQLITE_OK ||
        sqlite3_busy_timeout(r->db, 10000) != SQLITE_OK ||
        sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(r->db, SCHEMA, NULL, NULL, NULL) != SQLITE_OK) {
        enum ruru_err err =
                ruru_diag_set(diag, RURU_EDB, home, 0, 0, "register.db: cannot be opened: %s",
                              r->db ? sqlite3_errmsg(r->db) : "out of memory");
        sqlite3_close(r->db);
        ruru_free(r);
        return err;
    }
    ruru_case_defaults(&r->cfg);
    *out = r;
    return RURU_OK;
}

enum ruru_err ruru_register_set_config(
        ruru_register *r, const char *yaml, size_t len, const char *file, struct ruru_diag *diag)
{
    ruru_diag_clear(diag);
    return ruru_case_config_load(yaml, len, file, &r->cfg, diag);
}

void ruru_register_close(ruru_register *r)
{
    if (r == NULL)
        return;
    sqlite3_close(r->db);
    ruru_free(r);
}

/* ---- recording ---------------------------------------------------------------------------- */

/* What the store knows of each actor the sightings name: the techniques it uses, and the
 * state its sources say sponsors it (NULL: none says so — a criminal group has a country, not
 * a sponsor). */
struct profiles {
    struct ruru_actor_profile *v;
    const char **sponsor; /* per profile */
    size_t n;
    json_t *keep; /* owns the strings */
};

static void load_profiles(ruru_store *store, json_t *const *docs, size_t n, struct profiles *p)
{
    size_t i, k;
    json_t *a;

    p->keep = json_array();
    for (i = 0; store != NULL && i < n; i++) {
        json_array_foreach(ruru_case_at(docs[i], "ruru.indicator.actors"), k, a)
        {
            const char *name = json_string_value(json_object_get(a, "name"));
            char *js = NULL;
            struct ruru_diag d;
            json_t *doc, *tech, *t;
            size_t j, m = 0;
            bool known = false;
            struct ruru_actor_profile *g;
            for (j = 0; name != NULL && j < p->n; j++)
                known |= strcmp(p->v[j].name, name) == 0;
            if (name == NULL || known || ruru_actors(store, name, &js, &d) != RURU_OK)
                continue;
            doc = json_loads(js, 0, NULL);
            ruru_free(js);
            tech = json_object_get(json_array_get(json_object_get(doc, "actors"), 0), "techniques");
            {
                const char **sp = ruru_realloc(p->sponsor, (p->n + 1) * sizeof(*sp));
                if (sp == NULL) {
                    json_decref(doc);
                    continue;
                }
                p->sponsor = sp;
                sp[p->n] = json_string_value(json_object_get(
                        json_array_get(json_object_get(doc, "actors"), 0), "sponsor"));
            }
            if ((g = ruru_realloc(p->v, (p->n + 1) * sizeof(*g))) == NULL) {
                json_decref(doc);
                continue;
            }
            p->v = g;
            g = &p->v[p->n];
            g->name = json_string_value(json_object_get(a, "name"));
            {
                const char **list = ruru_calloc(json_array_size(tech) + 1, sizeof(*list));
                json_array_foreach(tech, j,
                                   t) if (list != NULL && json_is_string(json_object_get(t, "id")))
                        list[m++] = json_string_value(json_object_get(t, "id"));
                g->techniques = list;
            }
            g->n_techniques = m;
            json_array_append_new(p->keep, doc); /* the technique strings live in doc */
            p->n++;
        }
    }
}

static void free_profiles(struct profiles *p)
{
    for (size_t i = 0; i < p->n; i++)
        ruru_free((void *)(uintptr_t)p->v[i].techniques);
    ruru_free(p->v);
    ruru_free(p->sponsor);
    json_decref(p->keep);
}

static const char *text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* The id of an incident already recorded for this one: the same id, or on the same asset with
 * times within a gap of each other, and not taken by another incident of this recording
 * (`taken`: two new incidents a gap apart must not both become one old one). NULL when none
 * (the string is the caller's to free). */
static char *existing(sqlite3 *db, json_t *inc, int64_t gap, json_t *taken)
{
    sqlite3_stmt *st = NULL;
    char *id = NULL;
    const char *first = json_string_value(json_object_get(inc, "first"));
    const char *last = json_string_value(json_object_get(inc, "last"));
    int64_t f = 0, l = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT id, first, last FROM incident WHERE id = ?1 OR"
                           " (asset IS ?2 AND first IS NOT NULL AND ?3 IS NOT NULL)"
                           " ORDER BY id = ?1 DESC, first",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, json_string_value(json_object_get(inc, "id")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json_string_value(json_object_get(inc, "asset")), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, first, -1, SQLITE_STATIC);
    if (first != NULL && last != NULL) {
        ruru_time_parse(first, strlen(first), &f);
        ruru_time_parse(last, strlen(last), &l);
    }
    while (id == NULL && sqlite3_step(st) == SQLITE_ROW) {
        const char *eid = text(st, 0), *ef = text(st, 1), *el = text(st, 2);
        int64_t a, b;
        if (json_object_get(taken, eid) != NULL)
            continue;
        if (strcmp(eid, json_string_value(json_object_get(inc, "id"))) == 0 ||
            (ef != NULL && el != NULL && ruru_time_parse(ef, strlen(ef), &a) &&
             ruru_time_parse(el, strlen(el), &b) && a <= l + gap && b >= f - gap)) {
            size_t n = strlen(eid);
            if ((id = ruru_malloc(n + 1)) != NULL)
                memcpy(id, eid, n + 1);
        }
    }
    sqlite3_finalize(st);
    return id;
}

static bool run(sqlite3 *db, const char *sql, const char *const *args, size_t n)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    for (size_t i = 0; i < n; i++)
        sqlite3_bind_text(st, (int)i + 1, args[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

/* Records one incident. OUT: what happened to it ("new", "updated", "unchanged") and whether
 * it was judged anew. */
static bool record_one(sqlite3 *db,
                       json_t *inc,
                       int64_t gap,
                       int64_t now,
                       json_t *taken,
                       const char **what,
                       bool *rejudged)
{
    char *old_id = existing(db, inc, gap, taken), *doc, nowbuf[32], seqbuf[32];
    json_t *j = json_object_get(inc, "judgement");
    sqlite3_stmt *st = NULL;
    bool ok = true, same_doc = false, same_j = false;
    int64_t seq = 0;
    size_t i, k;
    json_t *e, *a;

    if (old_id != NULL)
        json_object_set_new(inc, "id", json_string(old_id));
    json_object_set_new(taken, json_string_value(json_object_get(inc, "id")), json_true());
    doc = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (doc == NULL) {
        ruru_free(old_id);
        return false;
    }
    snprintf(nowbuf, sizeof(nowbuf), "%" PRId64, now);
    if (old_id != NULL && sqlite3_prepare_v2(db, "SELECT doc FROM incident WHERE id = ?1", -1, &st,
                                             NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, old_id, -1, SQLITE_STATIC);
        same_doc = sqlite3_step(st) == SQLITE_ROW && strcmp(text(st, 0), doc) == 0;
        sqlite3_finalize(st);
    }
    if (!same_doc) {
        const char *args[] = {json_string_value(json_object_get(inc, "id")),
                              json_string_value(json_object_get(inc, "asset")),
                              json_string_value(json_object_get(inc, "first")),
                              json_string_value(json_object_get(inc, "last")),
                              json_string_value(json_object_get(inc, "severity")),
                              json_is_true(json_object_get(inc, "serious")) ? "1" : "0",
                              json_string_value(json_object_get(inc, "campaign")),
                              doc,
                              nowbuf};
        ok = run(db,
                 "INSERT INTO incident (id, asset, first, last, severity, serious, campaign, doc,"
                 " recorded, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
                 " ON CONFLICT (id) DO UPDATE SET asset = ?2, first = ?3, last = ?4,"
                 " severity = ?5, serious = ?6, campaign = ?7, doc = ?8, updated = ?9",
                 args, 9);
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
                             " (?1, ?2, ?3) ON CONFLICT DO UPDATE SET state = coalesce(state, ?3)",
                             row, 3);
            }
        }
    }
    /* the judgement: a new row when it changed */
    if (ok && sqlite3_prepare_v2(db,
                                 "SELECT seq, actor, words, confidence FROM judgement WHERE"
                                 " incident = ?1 ORDER BY seq DESC LIMIT 1",
                                 -1, &st, NULL) == SQLITE_OK) {
        const char *actor = json_string_value(json_object_get(j, "actor"));
        sqlite3_bind_text(st, 1, json_string_value(json_object_get(inc, "id")), -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            seq = sqlite3_column_int64(st, 0);
            same_j = ((actor == NULL && text(st, 1) == NULL) ||
                      (actor != NULL && text(st, 1) != NULL && strcmp(actor, text(st, 1)) == 0)) &&
                     strcmp(text(st, 2), json_string_value(json_object_get(j, "words"))) == 0 &&
                     strcmp(text(st, 3), json_string_value(json_object_get(j, "confidence"))) == 0;
        }
        sqlite3_finalize(st);
        if (!same_j) {
            char p[32];
            snprintf(seqbuf, sizeof(seqbuf), "%" PRId64, seq + 1);
            snprintf(p, sizeof(p), "%.6f", json_number_value(json_object_get(j, "probability")));
            {
                const char *args[] = {json_string_value(json_object_get(inc, "id")),
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
    *what = old_id == NULL ? "new" : same_doc ? "unchanged" : "updated";
    *rejudged = !same_j && old_id != NULL;
    free(doc); /* from json_dumps */
    ruru_free(old_id);
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

enum ruru_err ruru_register_record(ruru_register *r,
                                   ruru_store *store,
                                   const char *sightings,
                                   size_t len,
                                   char **json,
                                   struct ruru_diag *diag)
{
    json_t *arr = json_loadb(sightings, len, 0, NULL), *incidents = NULL, *inc, *ids, *res;
    json_t *taken = NULL;
    json_t **docs = NULL;
    struct ruru_case_config c = r->cfg;
    struct profiles prof = {NULL, NULL, 0, NULL};
    size_t n, skipped, i, counts[4] = {0, 0, 0, 0};
    enum ruru_err err = RURU_OK;
    int64_t now = (int64_t)time(NULL);

    *json = NULL;
    ruru_diag_clear(diag);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return ruru_diag_set(diag, RURU_EPARSE, NULL, 0, 0, "sightings: not a JSON array");
    }
    n = json_array_size(arr);
    if ((docs = ruru_calloc(n + 1, sizeof(*docs))) == NULL) {
        json_decref(arr);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (i = 0; i < n; i++)
        docs[i] = json_array_get(arr, i);
    load_profiles(store, docs, n, &prof);
    if (ruru_cases_build(&c, docs, n, prof.v, prof.n, &incidents, &skipped) != RURU_OK) {
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    add_states(incidents, &prof);
    ids = json_array();
    taken = json_object();
    if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        err = db_fail(r, diag, "beginning the recording");
        json_decref(ids);
        goto out;
    }
    json_array_foreach(incidents, i, inc)
    {
        const char *what;
        bool rejudged;
        if (!record_one(r->db, inc, c.gap, now, taken, &what, &rejudged)) {
            err = db_fail(r, diag, "recording an incident");
            break;
        }
        counts[what[0] == 'n' ? 0 : what[0] == 'u' && what[1] == 'p' ? 1 : 2]++;
        counts[3] += rejudged;
        json_array_append(ids, json_object_get(inc, "id"));
    }
    if (err != RURU_OK || sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        if (err == RURU_OK)
            err = db_fail(r, diag, "committing the recording");
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        json_decref(ids);
        goto out;
    }
    res = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "incidents",
                    (json_int_t)json_array_size(incidents), "new", (json_int_t)counts[0], "updated",
                    (json_int_t)counts[1], "unchanged", (json_int_t)counts[2], "rejudged",
                    (json_int_t)counts[3], "ids", ids);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    if (*json == NULL)
        err = ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
out:
    json_decref(taken);
    free_profiles(&prof);
    json_decref(incidents);
    ruru_free(docs);
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
    sqlite3_stmt *st = NULL, *hs = NULL;
    char lo[RURU_TIME_BUF], hi[RURU_TIME_BUF];
    json_t *list = json_array(), *res;

    *json = NULL;
    ruru_diag_clear(diag);
    bounds(since, until, lo, hi);
    if (sqlite3_prepare_v2(r->db,
                           "SELECT doc, id FROM incident WHERE (?1 = '' OR first >= ?1) AND"
                           " (?2 = '' OR first < ?2) AND (?3 IS NULL OR EXISTS (SELECT 1 FROM"
                           " incident_actor a WHERE a.incident = id AND a.actor = ?3 COLLATE"
                           " NOCASE)) ORDER BY first IS NULL, first, id",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db,
                           "SELECT seq, at, actor, probability, words, confidence, why FROM"
                           " judgement WHERE incident = ?1 ORDER BY seq",
                           -1, &hs, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        json_decref(list);
        return db_fail(r, diag, "reading the register");
    }
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *inc = json_loads(text(st, 0), 0, NULL), *hist = json_array();
        sqlite3_reset(hs);
        sqlite3_bind_text(hs, 1, text(st, 1), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(hs) == SQLITE_ROW) {
            char at[RURU_TIME_BUF];
            ruru_time_format(sqlite3_column_int64(hs, 1), at);
            json_array_append_new(hist,
                                  json_pack("{s:I, s:s, s:s?, s:f, s:s, s:s, s:s}", "seq",
                                            (json_int_t)sqlite3_column_int64(hs, 0), "at", at,
                                            "actor", text(hs, 2), "probability",
                                            sqlite3_column_double(hs, 3), "words", text(hs, 4),
                                            "confidence", text(hs, 5), "why", text(hs, 6)));
        }
        if (inc != NULL) {
            json_object_set_new(inc, "history", hist);
            json_array_append_new(list, inc);
        } else {
            json_decref(hist);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(hs);
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
    /* per incident: its group key(s) and whether it carries a state's actor */
    static const char *const SQL[] = {
            /* sponsor */
            "SELECT a.state, count(DISTINCT i.id) FROM incident i JOIN incident_actor a ON"
            " a.incident = i.id WHERE i.serious AND a.state IS NOT NULL AND (?1 = '' OR i.first"
            " >= ?1) AND (?2 = '' OR i.first < ?2) GROUP BY a.state ORDER BY 2 DESC, 1",
            /* actor */
            "SELECT a.actor, count(DISTINCT i.id) FROM incident i JOIN incident_actor a ON"
            " a.incident = i.id WHERE i.serious AND (?1 = '' OR i.first >= ?1) AND (?2 = '' OR"
            " i.first < ?2) GROUP BY a.actor ORDER BY 2 DESC, 1",
            /* month */
            "SELECT substr(i.first, 1, 7), count(*), sum(EXISTS (SELECT 1 FROM incident_actor a"
            " WHERE a.incident = i.id AND a.state IS NOT NULL)) FROM incident i WHERE i.serious"
            " AND i.first IS NOT NULL AND (?1 = '' OR i.first >= ?1) AND (?2 = '' OR i.first <"
            " ?2) GROUP BY 1 ORDER BY 1",
            /* asset */
            "SELECT coalesce(i.asset, '(unknown)'), count(*), sum(EXISTS (SELECT 1 FROM"
            " incident_actor a WHERE a.incident = i.id AND a.state IS NOT NULL)) FROM incident i"
            " WHERE i.serious AND (?1 = '' OR i.first >= ?1) AND (?2 = '' OR i.first < ?2)"
            " GROUP BY 1 ORDER BY 2 DESC, 1"};
    static const char *const NAMES[] = {"sponsor", "actor", "month", "asset"};
    sqlite3_stmt *st = NULL;
    char lo[RURU_TIME_BUF], hi[RURU_TIME_BUF];
    json_int_t serious = 0, with_state = 0, total = 0;
    size_t which = 0;
    json_t *rows = json_array(), *res;

    *json = NULL;
    ruru_diag_clear(diag);
    while (by != NULL && which < 4 && strcmp(NAMES[which], by) != 0)
        which++;
    if (which == 4) {
        json_decref(rows);
        return ruru_diag_set(diag, RURU_EINVAL, NULL, 0, 0,
                             "--by takes sponsor, actor, month or asset, not \"%s\"", by);
    }
    bounds(since, until, lo, hi);
    if (sqlite3_prepare_v2(r->db,
                           "SELECT count(*), sum(serious), sum(serious AND EXISTS (SELECT 1 FROM"
                           " incident_actor a WHERE a.incident = i.id AND a.state IS NOT NULL))"
                           " FROM incident i WHERE (?1 = '' OR first >= ?1) AND (?2 = '' OR first"
                           " < ?2)",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(rows);
        return db_fail(r, diag, "reading the register");
    }
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        total = sqlite3_column_int64(st, 0);
        serious = sqlite3_column_int64(st, 1);
        with_state = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(r->db, SQL[which], -1, &st, NULL) != SQLITE_OK) {
        json_decref(rows);
        return db_fail(r, diag, "reading the register");
    }
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_int_t n = sqlite3_column_int64(st, 1);
        if (which < 2) /* sponsor, actor: serious incidents carrying it, of all serious ones */
            json_array_append_new(rows, json_pack("{s:s, s:I, s:f}", "key", text(st, 0),
                                                  "serious_with", n, "share",
                                                  serious > 0 ? (double)n / (double)serious : 0.0));
        else { /* month, asset: serious incidents there, and the share with a state's actor */
            json_int_t w = sqlite3_column_int64(st, 2);
            json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:f}", "key", text(st, 0),
                                                  "serious", n, "state_sponsored", w, "share",
                                                  n > 0 ? (double)w / (double)n : 0.0));
        }
    }
    sqlite3_finalize(st);
    res = json_pack("{s:I, s:I, s:I, s:f, s:s, s:o}", "incidents", total, "serious", serious,
                    "state_sponsored", with_state, "share",
                    serious > 0 ? (double)with_state / (double)serious : 0.0, "by", NAMES[which],
                    "rows", rows);
    *json = res != NULL ? json_dumps(res, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(res);
    return *json != NULL ? RURU_OK : ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
}
