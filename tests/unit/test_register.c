/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The register (ruru_register_*): recording a sweep's incidents; recording the same sightings
 * again changes nothing; new intel on the same incident updates it in place and keeps the
 * judgement's history; reports by time and actor; the statistic of serious incidents with
 * state-sponsored actors' indicators.
 */
#include <jansson.h>
#include <ruru.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "register_target.h"
#include "shared_data.h"

static char dir[64];

static json_t *sighting(const char *when,
                        const char *asset,
                        const char *id,
                        const char *type,
                        const char *value,
                        const char *actor,
                        const char *country,
                        json_int_t off)
{
    return json_pack("{s:s, s:{s:{s:s}, s:I}, s:{s:s, s:I, s:I, s:s, s:s, s:{s:s, s:s, s:s, s:s,"
                     " s:s, s:i, s:o}}}",
                     "@timestamp", when, "log", "file", "path", "logs/u_ex.log", "offset", off,
                     "ruru", "asset", asset, "line", off / 100 + 1, "length", (json_int_t)99,
                     "sha256", "ab12", "observed", value, "indicator", "id", id, "type", type,
                     "value", value, "source", "feeds", "file", id, "confidence", 85, "actors",
                     actor != NULL ? json_pack("[{s:s, s:s?}]", "name", actor, "country", country)
                                   : json_array());
}

/* The store the judgement asks about actors: the MISP threat-actor galaxy (APT40's sponsor is
 * China; criminal groups have none). */
static ruru_store *actors_store;

/* Records `docs` (json_decref'd); the result's field `key`. */
static json_int_t record(ruru_register *r, json_t *docs, const char *key)
{
    char *text = json_dumps(docs, JSON_COMPACT), *out = NULL;
    struct ruru_diag d;
    json_t *res;
    json_int_t v;

    CHECK_INT(ruru_register_record(r, actors_store, text, strlen(text), &out, &d), RURU_OK);
    free(text);
    json_decref(docs);
    res = json_loads(out, 0, NULL);
    ruru_free(out);
    v = json_integer_value(json_object_get(res, key));
    json_decref(res);
    return v;
}

static json_t *
doc_of(enum ruru_err (*fn)(
               ruru_register *, int64_t, int64_t, const char *, char **, struct ruru_diag *),
       ruru_register *r,
       int64_t since,
       const char *arg)
{
    char *out = NULL;
    struct ruru_diag d;
    json_t *doc;

    CHECK_INT(fn(r, since, INT64_MIN, arg, &out, &d), RURU_OK);
    doc = json_loads(out, 0, NULL);
    ruru_free(out);
    return doc;
}

static json_t *first_night(void)
{
    return json_pack("[o, o, o]",
                     sighting("2024-07-12T01:15:00Z", "EXCH01", "ip", "ipv4", "203.0.113.45",
                              "APT40", "CN", 100),
                     sighting("2024-07-12T01:20:00Z", "EXCH01", "dom", "domain", "c2.example",
                              "APT40", "CN", 200),
                     sighting("2024-08-03T10:00:00Z", "WEB02", "other", "ipv4", "198.51.100.9",
                              NULL, NULL, 300));
}

static void test_record(void)
{
    ruru_register *r = NULL;
    struct ruru_diag d;
    json_t *rep, *st, *inc;
    int64_t aug;
    char id[64];

    CHECK_INT(reg_open(dir, &r, &d), RURU_OK);
    CHECK_INT(record(r, first_night(), "new"), 2);
    /* the same sightings again: nothing changes */
    CHECK_INT(record(r, first_night(), "unchanged"), 2);
    CHECK_INT(record(r, first_night(), "rejudged"), 0);
    rep = doc_of(ruru_register_report, r, INT64_MIN, NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 2);
    inc = json_array_get(json_object_get(rep, "incidents"), 0);
    snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(inc, "id")));
    CHECK_INT(json_array_size(json_object_get(inc, "history")), 1);
    json_decref(rep);

    /* new intel: a web-shell hash in a record before the first one. The incident's first
     * evidence changes, and with it the id it would get; it is still the same incident */
    {
        json_t *more = first_night();
        json_array_append_new(more, sighting("2024-07-12T01:10:00Z", "EXCH01", "hash", "sha256",
                                             "9a4b", "APT40", "CN", 50));
        CHECK_INT(record(r, more, "updated"), 1);
    }
    rep = doc_of(ruru_register_report, r, INT64_MIN, NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 2);
    inc = json_array_get(json_object_get(rep, "incidents"), 0);
    CHECK_STR(json_string_value(json_object_get(inc, "id")), id);
    CHECK_STR(json_string_value(json_object_get(inc, "first")), "2024-07-12T01:10:00Z");
    CHECK_INT(json_array_size(json_object_get(inc, "history")), 2); /* judged anew, kept both */
    CHECK_STR(json_string_value(
                      json_object_get(json_array_get(json_object_get(inc, "history"), 1), "words")),
              "almost certain");
    json_decref(rep);

    /* by actor, by time */
    rep = doc_of(ruru_register_report, r, INT64_MIN, "apt40");
    CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 1);
    json_decref(rep);
    CHECK(ruru_time_from_text("2024-08-01", &aug));
    rep = doc_of(ruru_register_report, r, aug, NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 1);
    CHECK_STR(json_string_value(json_object_get(
                      json_array_get(json_object_get(rep, "incidents"), 0), "asset")),
              "WEB02");
    json_decref(rep);

    /* the statistic: one serious incident of two (the hash makes EXCH01's high), carrying the
     * indicators of an actor China sponsors */
    st = doc_of(ruru_register_stats, r, INT64_MIN, "sponsor");
    CHECK_INT(json_integer_value(json_object_get(st, "incidents")), 2);
    CHECK_INT(json_integer_value(json_object_get(st, "serious")), 1);
    CHECK_INT(json_integer_value(json_object_get(st, "state_sponsored")), 1);
    CHECK_STR(json_string_value(
                      json_object_get(json_array_get(json_object_get(st, "rows"), 0), "key")),
              "China");
    json_decref(st);
    st = doc_of(ruru_register_stats, r, INT64_MIN, "month");
    CHECK_STR(json_string_value(
                      json_object_get(json_array_get(json_object_get(st, "rows"), 0), "key")),
              "2024-07");
    json_decref(st);
    {
        char *out = NULL;
        CHECK_INT(ruru_register_stats(r, INT64_MIN, INT64_MIN, "weekday", &out, &d), RURU_EINVAL);
        CHECK_STR(d.msg, "--by takes sponsor, actor, month, asset, org or sector, not \"weekday\"");
    }
    ruru_register_close(r);
}

/* A criminal group has a country but no sponsor: its incidents are serious, not
 * state-sponsored. */
static void test_criminal(void)
{
    char cdir[128];
    ruru_register *r = NULL;
    struct ruru_diag d;
    json_t *st;

    snprintf(cdir, sizeof(cdir), "%s/criminal", dir);
    CHECK(mkdir(cdir, 0700) == 0);
    CHECK_INT(reg_open(cdir, &r, &d), RURU_OK);
    CHECK_INT(record(r,
                     json_pack("[o]", sighting("2024-09-01T10:00:00Z", "POS01", "fin7-hash",
                                               "sha256", "77aa", "FIN7", "RU", 100)),
                     "new"),
              1);
    st = doc_of(ruru_register_stats, r, INT64_MIN, "sponsor");
    CHECK_INT(json_integer_value(json_object_get(st, "serious")), 1);
    CHECK_INT(json_integer_value(json_object_get(st, "state_sponsored")), 0);
    CHECK_INT(json_array_size(json_object_get(st, "rows")), 0);
    json_decref(st);
    ruru_register_close(r);
}

/* An indicator tied to a name two actors claim (the threat-actor galaxy gives "Grizzly Steppe"
 * to APT28 and to APT29, "Andariel" to Silent Chollima and to Lazarus Group): the tie's state is
 * the one its claimants share, none when they differ. */
static void test_ambiguous_name(void)
{
    static const struct {
        const char *actor, *sub, *state;
        json_int_t sponsored;
    } cases[] = {{"Grizzly Steppe", "grizzly", "Russian Federation", 1},
                 {"Andariel", "andariel", NULL, 0}};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char cdir[128];
        ruru_register *r = NULL;
        struct ruru_diag d;
        json_t *st;
        snprintf(cdir, sizeof(cdir), "%s/%s", dir, cases[i].sub);
        CHECK(mkdir(cdir, 0700) == 0);
        CHECK_INT(reg_open(cdir, &r, &d), RURU_OK);
        CHECK_INT(record(r,
                         json_pack("[o]", sighting("2024-09-01T10:00:00Z", "DC01", "amb-hash",
                                                   "sha256", "88bb", cases[i].actor, NULL, 100)),
                         "new"),
                  1);
        st = doc_of(ruru_register_stats, r, INT64_MIN, "sponsor");
        CHECK_INT(json_integer_value(json_object_get(st, "serious")), 1);
        CHECK_INT(json_integer_value(json_object_get(st, "state_sponsored")), cases[i].sponsored);
        if (cases[i].state != NULL)
            CHECK_STR(json_string_value(json_object_get(
                              json_array_get(json_object_get(st, "rows"), 0), "key")),
                      cases[i].state);
        json_decref(st);
        ruru_register_close(r);
    }
}

/* A batch of 40 incidents, one per asset "B<batch>-<i>". */
static json_t *batch(int b)
{
    json_t *docs = json_array();
    char asset[32], id[32];

    for (int i = 0; i < 40; i++) {
        snprintf(asset, sizeof(asset), "B%d-%d", b, i);
        snprintf(id, sizeof(id), "ind-%d-%d", b, i);
        json_array_append_new(docs, sighting("2024-07-12T01:15:00Z", asset, id, "domain",
                                             "c2.example", "APT40", "CN", 100 + i));
    }
    return docs;
}

/* The register's incidents, without what differs by the order of recording (ids, campaign
 * ids, history, the recording times), as one canonical text (free()). */
static char *incidents_of(const char *home)
{
    ruru_register *r = NULL;
    struct ruru_diag d;
    json_t *rep, *inc;
    size_t i;
    char *out;

    CHECK_INT(reg_open(home, &r, &d), RURU_OK);
    rep = doc_of(ruru_register_report, r, INT64_MIN, NULL);
    ruru_register_close(r);
    json_array_foreach(json_object_get(rep, "incidents"), i, inc)
    {
        json_object_del(inc, "id");
        json_object_del(inc, "campaign");
        json_object_del(inc, "history");
    }
    out = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rep);
    return out;
}

/* Two sweeps near each other on one asset: H1 at noon, then a record the evening before and
 * one the next noon (each within the 24 h gap of noon). */
static json_t *sweep_a(void)
{
    return json_pack("[o]", sighting("2024-07-12T00:00:00Z", "H1", "a", "domain", "a.example",
                                     "APT40", "CN", 100));
}

static json_t *sweep_b(void)
{
    return json_pack(
            "[o, o, o]",
            sighting("2024-07-11T00:30:00Z", "H1", "b", "domain", "b.example", "APT40", "CN", 200),
            sighting("2024-07-13T00:00:00Z", "H1", "c", "domain", "c.example", "APT40", "CN", 300),
            sighting("2024-07-20T00:00:00Z", "H1", "d", "domain", "d.example", "APT40", "CN", 400));
}

/* a with b's items after its own; b is let go. */
static json_t *join(json_t *a, json_t *b)
{
    json_array_extend(a, b);
    json_decref(b);
    return a;
}

static void record_in(const char *home, json_t *docs)
{
    ruru_register *r = NULL;
    struct ruru_diag d;

    CHECK_INT(reg_open(home, &r, &d), RURU_OK);
    record(r, docs, "incidents");
    ruru_register_close(r);
}

/* Two recordings of two sweeps give the incidents one recording of both gives, in either
 * order and when they run at once: a recorded incident's evidence is merged with the new
 * sweep's, never replaced by it. */
static void test_merge_orders(void)
{
    char one[128], ab[128], ba[128], both[128];
    char *want, *got;

    snprintf(one, sizeof(one), "%s/one", dir);
    snprintf(ab, sizeof(ab), "%s/ab", dir);
    snprintf(ba, sizeof(ba), "%s/ba", dir);
    snprintf(both, sizeof(both), "%s/both", dir);
    CHECK(mkdir(one, 0700) == 0 && mkdir(ab, 0700) == 0 && mkdir(ba, 0700) == 0 &&
          mkdir(both, 0700) == 0);
    record_in(one, join(sweep_a(), sweep_b()));
    want = incidents_of(one);
    {
        json_t *rep = json_loads(want, 0, NULL), *inc;
        /* a, b and c are one incident (b and c each within a day of a); d a week later is
         * another */
        CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 2);
        inc = json_array_get(json_object_get(rep, "incidents"), 0);
        CHECK_STR(json_string_value(json_object_get(inc, "first")), "2024-07-11T00:30:00Z");
        CHECK_STR(json_string_value(json_object_get(inc, "last")), "2024-07-13T00:00:00Z");
        CHECK_INT(json_array_size(json_object_get(inc, "evidence")), 3);
        json_decref(rep);
    }
    record_in(ab, sweep_a());
    record_in(ab, sweep_b());
    got = incidents_of(ab);
    CHECK_STR(got, want);
    free(got);
    record_in(ba, sweep_b());
    record_in(ba, sweep_a());
    got = incidents_of(ba);
    CHECK_STR(got, want);
    free(got);
    /* at once: two processes, each recording one sweep */
    {
        pid_t p[2];
        for (int k = 0; k < 2; k++) {
            if ((p[k] = fork()) == 0) {
                ruru_register *r = NULL;
                struct ruru_diag d;
                json_t *docs = k == 0 ? sweep_a() : sweep_b();
                char *text = json_dumps(docs, JSON_COMPACT), *out = NULL;
                if (reg_open(both, &r, &d) != RURU_OK ||
                    ruru_register_record(r, actors_store, text, strlen(text), &out, &d) != RURU_OK)
                    _exit(1);
                _exit(0);
            }
        }
        for (int k = 0; k < 2; k++) {
            int status = -1;
            waitpid(p[k], &status, 0);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
    got = incidents_of(both);
    CHECK_STR(got, want);
    free(got);
    /* the incident keeps the id it was first recorded under; recording again changes nothing */
    {
        ruru_register *r = NULL;
        struct ruru_diag d;
        json_t *rep;
        CHECK_INT(reg_open(ab, &r, &d), RURU_OK);
        CHECK_INT(record(r, sweep_b(), "unchanged"), 2);
        rep = doc_of(ruru_register_report, r, INT64_MIN, NULL);
        CHECK_INT(json_array_size(json_object_get(
                          json_array_get(json_object_get(rep, "incidents"), 0), "history")),
                  2); /* judged when A came, again when B did */
        json_decref(rep);
        ruru_register_close(r);
    }
    free(want);
}

/* One register's report as text, without the history's recording times (`at`). */
static char *report_text(const char *home)
{
    ruru_register *r = NULL;
    struct ruru_diag d;
    json_t *rep, *inc, *h;
    size_t i, k;
    char *out;

    CHECK_INT(reg_open(home, &r, &d), RURU_OK);
    rep = doc_of(ruru_register_report, r, INT64_MIN, NULL);
    ruru_register_close(r);
    json_array_foreach(json_object_get(rep, "incidents"), i, inc)
    {
        json_array_foreach(json_object_get(inc, "history"), k, h) json_object_del(h, "at");
    }
    out = json_dumps(rep, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rep);
    return out;
}

static json_t *
on_asset(const char *asset, const char *when, const char *id, const char *value, json_int_t off)
{
    return json_pack("[o]", sighting(when, asset, id, "sha256", value, "APT40", "CN", off));
}

static long long sql_count(const char *home, const char *sql)
{
    char path[300];
    if (reg_pg())
        return reg_count(home, sql);
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    long long n = -1;

    snprintf(path, sizeof(path), "%s/register.db", home);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void sql_exec(const char *home, const char *sql)
{
    char path[300];
    sqlite3 *db;

    if (reg_pg()) {
        CHECK(reg_exec(home, sql));
        return;
    }
    snprintf(path, sizeof(path), "%s/register.db", home);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
}

/* A recording makes again only the incidents of the assets its sightings are on, and the
 * campaigns they are linked into, and gives what one recording of everything gives: the same
 * incidents, ids and campaigns. A change of the settings makes them all again. */
static void test_incremental(void)
{
    char one[128], steps[128];
    char *want, *got;
    ruru_register *r = NULL;
    struct ruru_diag d;
    json_t *rep;

    snprintf(one, sizeof(one), "%s/inc-one", dir);
    snprintf(steps, sizeof(steps), "%s/inc-steps", dir);
    CHECK(mkdir(one, 0700) == 0 && mkdir(steps, 0700) == 0);
    /* A1 and A2 share the hash h1 (a campaign), A2 and A3 the hash h2 (the same campaign,
     * through A2), A4 is alone */
    record_in(one, join(join(on_asset("A1", "2024-07-12T00:00:00Z", "k1", "h1", 100),
                             on_asset("A2", "2024-07-13T00:00:00Z", "k1", "h1", 200)),
                        join(join(on_asset("A2", "2024-07-13T01:00:00Z", "k2", "h2", 300),
                                  on_asset("A3", "2024-07-14T00:00:00Z", "k2", "h2", 400)),
                             on_asset("A4", "2024-07-15T00:00:00Z", "k4", "h4", 500))));
    want = report_text(one);
    rep = json_loads(want, 0, NULL);
    CHECK_INT(json_array_size(json_object_get(rep, "incidents")), 4);
    {
        /* A1, A2, A3 are one campaign under the smallest of their ids; A4 is in none */
        const char *camp = NULL, *least = NULL;
        size_t i;
        json_t *inc;
        json_array_foreach(json_object_get(rep, "incidents"), i, inc)
        {
            const char *asset = json_string_value(json_object_get(inc, "asset"));
            const char *id = json_string_value(json_object_get(inc, "id"));
            if (strcmp(asset, "A4") == 0) {
                CHECK(json_is_null(json_object_get(inc, "campaign")));
                continue;
            }
            if (least == NULL || strcmp(id, least) < 0)
                least = id;
            if (camp == NULL)
                camp = json_string_value(json_object_get(inc, "campaign"));
            CHECK_STR(json_string_value(json_object_get(inc, "campaign")), camp);
        }
        CHECK_STR(camp, least);
    }
    json_decref(rep);

    /* the same, one asset at a time: A3 first, A2 joins it (A3 is updated with the campaign),
     * A1 joins through A2 (A2 and A3 are updated when A1's id is the smallest) */
    CHECK_INT(reg_open(steps, &r, &d), RURU_OK);
    CHECK_INT(record(r, on_asset("A3", "2024-07-14T00:00:00Z", "k2", "h2", 400), "new"), 1);
    CHECK_INT(record(r, on_asset("A4", "2024-07-15T00:00:00Z", "k4", "h4", 500), "unchanged"), 1);
    CHECK_INT(record(r,
                     join(on_asset("A2", "2024-07-13T00:00:00Z", "k1", "h1", 200),
                          on_asset("A2", "2024-07-13T01:00:00Z", "k2", "h2", 300)),
                     "updated"),
              1); /* A3, now in a campaign */
    CHECK_INT(record(r, on_asset("A1", "2024-07-12T00:00:00Z", "k1", "h1", 100), "new"), 1);
    ruru_register_close(r);
    got = report_text(steps);
    {
        /* the campaign's name may change as incidents join it: compare without history */
        json_t *a = json_loads(want, 0, NULL), *b = json_loads(got, 0, NULL), *inc;
        size_t i;
        json_array_foreach(json_object_get(a, "incidents"), i, inc) json_object_del(inc, "history");
        json_array_foreach(json_object_get(b, "incidents"), i, inc) json_object_del(inc, "history");
        CHECK(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    free(got);
    CHECK_INT(sql_count(steps, "SELECT count(*) FROM sighting WHERE place IS NULL"), 0);
    CHECK_INT(sql_count(steps, "SELECT count(*) FROM incident_key"), 5);

    /* Only the places a recording touches are made again: A4's sighting altered in the
     * register behind ruru's back stays out of its incident while nothing new comes for A4 */
    sql_exec(steps, "UPDATE sighting SET doc = replace(doc, '2024-07-15T00:00:00Z',"
                    " '2024-07-15T09:00:00Z') WHERE place LIKE '%=A4'");
    CHECK_INT(reg_open(steps, &r, &d), RURU_OK);
    CHECK_INT(record(r, on_asset("A5", "2024-07-16T00:00:00Z", "k5", "h5", 600), "new"), 1);
    CHECK_INT(sql_count(steps, "SELECT count(*) FROM incident WHERE asset = 'A4' AND"
                               " first = '2024-07-15T00:00:00Z'"),
              1);
    /* other settings: every incident is made again, A4's from what its sighting now says */
    {
        static const char yaml[] = "incidents:\n  gap: 12h\n";
        CHECK_INT(ruru_register_set_config(r, yaml, sizeof(yaml) - 1, "ruru.yaml", &d), RURU_OK);
    }
    CHECK_INT(record(r, json_array(), "incidents"), 5);
    CHECK_INT(sql_count(steps, "SELECT count(*) FROM incident WHERE asset = 'A4' AND"
                               " first = '2024-07-15T09:00:00Z'"),
              1);
    /* and, the settings kept, the next recording of nothing new makes nothing again */
    CHECK_INT(record(r, json_array(), "unchanged"), 5);
    ruru_register_close(r);
    free(want);
}

static ruru_store *store_of(const char *path)
{
    ruru_store *s = NULL;
    struct ruru_diag d;
    struct ruru_import_opts o;
    char *report = NULL;

    memset(&o, 0, sizeof(o));
    CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &s, &d), RURU_OK);
    if (path != NULL) {
        CHECK_INT(ruru_intel_import(s, path, &o, &report, &d), RURU_OK);
        ruru_free(report);
    }
    return s;
}

/* What the store says of an actor changed (the examples' intel names the state sponsoring
 * APT40; an empty store nothing): the next recording makes every incident again, those of
 * assets it does not touch too, so the statistic follows the intel. */
static void test_actor_changed(void)
{
    char home[128], *text = NULL, *out = NULL;
    ruru_register *r = NULL;
    ruru_store *none = store_of(NULL), *examples = store_of(RURU_OWN_DATA "/../../examples/intel");
    struct ruru_diag d;
    json_t *st, *res;

    snprintf(home, sizeof(home), "%s/inc-actors", dir);
    CHECK(mkdir(home, 0700) == 0);
    CHECK_INT(reg_open(home, &r, &d), RURU_OK);
    res = on_asset("P1", "2024-07-12T00:00:00Z", "k1", "h1", 100);
    text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    CHECK_INT(ruru_register_record(r, none, text, strlen(text), &out, &d), RURU_OK);
    free(text);
    ruru_free(out);
    st = doc_of(ruru_register_stats, r, INT64_MIN, "sponsor");
    CHECK_INT(json_integer_value(json_object_get(st, "state_sponsored")), 0);
    json_decref(st);
    for (int round = 0; round < 2; round++) {
        json_t *docs = on_asset(round == 0 ? "P2" : "P3", "2024-08-12T00:00:00Z",
                                round == 0 ? "k8" : "k9", round == 0 ? "h8" : "h9", 100);
        text = json_dumps(docs, JSON_COMPACT);
        json_decref(docs);
        CHECK_INT(ruru_register_record(r, examples, text, strlen(text), &out, &d), RURU_OK);
        free(text);
        res = json_loads(out, 0, NULL);
        ruru_free(out);
        /* first with the examples' intel: P1's incident judged again with APT40's sponsor;
         * then nothing changed but P3's */
        CHECK_INT(json_integer_value(json_object_get(res, "updated")), round == 0 ? 1 : 0);
        CHECK_INT(json_integer_value(json_object_get(res, "unchanged")), round == 0 ? 0 : 2);
        json_decref(res);
        st = doc_of(ruru_register_stats, r, INT64_MIN, "sponsor");
        CHECK_INT(json_integer_value(json_object_get(st, "state_sponsored")), 2 + round);
        json_decref(st);
    }
    ruru_register_close(r);
    ruru_store_close(none);
    ruru_store_close(examples);
}

/* A full disk part-way through a recording (the register may not grow past a few pages more)
 * fails the recording as a whole: the register holds what it held before, and opens. */
static void test_full_disk(void)
{
    REG_SQLITE_ONLY();
    char fdir[128], path[160];
    struct stat st;
    pid_t pid;
    int status = -1;

    snprintf(fdir, sizeof(fdir), "%s/full", dir);
    CHECK(mkdir(fdir, 0700) == 0);
    record_in(fdir, batch(0));
    snprintf(path, sizeof(path), "%s/register.db-wal", fdir);
    if ((pid = fork()) == 0) {
        ruru_register *r = NULL;
        struct ruru_diag d;
        struct rlimit lim;
        json_t *docs = json_array();
        char *text, *out = NULL;
        for (int b = 1; b < 20; b++)
            join(docs, batch(b));
        text = json_dumps(docs, JSON_COMPACT);
        if (reg_open(fdir, &r, &d) != RURU_OK)
            _exit(3);
        /* files may grow by 64 KiB at most: a write past it fails as on a full disk */
        signal(SIGXFSZ, SIG_IGN);
        lim.rlim_cur = lim.rlim_max = (rlim_t)(stat(path, &st) == 0 ? st.st_size : 0) + 64 * 1024;
        setrlimit(RLIMIT_FSIZE, &lim);
        if (ruru_register_record(r, actors_store, text, strlen(text), &out, &d) == RURU_OK)
            _exit(4);
        ruru_register_close(r);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    {
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        snprintf(path, sizeof(path), "%s/register.db", fdir);
        CHECK(sqlite3_open(path, &db) == SQLITE_OK);
        CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM incident", -1, &q, NULL) == SQLITE_OK);
        CHECK(sqlite3_step(q) == SQLITE_ROW);
        CHECK_INT(sqlite3_column_int(q, 0), 40); /* the first batch, nothing of the second */
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    /* with room again, the same recording goes through */
    {
        json_t *docs = json_array();
        for (int b = 1; b < 20; b++)
            join(docs, batch(b));
        record_in(fdir, docs);
    }
}

/* Killing a recording (SIGKILL, mid-write) never corrupts the register nor loses an incident
 * that was reported as recorded. */
static void test_kill(void)
{
    REG_SQLITE_ONLY();
    char kdir[128];
    int fd[2], done = 0;

    snprintf(kdir, sizeof(kdir), "%s/kill", dir);
    CHECK(mkdir(kdir, 0700) == 0);
    for (int round = 0; round < 3; round++) {
        pid_t pid;
        CHECK(pipe(fd) == 0);
        if ((pid = fork()) == 0) {
            ruru_register *r = NULL;
            struct ruru_diag d;
            close(fd[0]);
            if (reg_open(kdir, &r, &d) != RURU_OK)
                _exit(3);
            for (int b = round * 1000;; b++) {
                char *text = NULL, *out = NULL;
                json_t *docs = batch(b);
                text = json_dumps(docs, JSON_COMPACT);
                json_decref(docs);
                if (ruru_register_record(r, NULL, text, strlen(text), &out, &d) != RURU_OK)
                    _exit(4);
                free(text);
                ruru_free(out);
                /* reported as recorded */
                if (write(fd[1], &b, sizeof(b)) != (ssize_t)sizeof(b))
                    _exit(5);
            }
        }
        close(fd[1]);
        {
            int b, got = 0;
            struct timespec ts = {0, (long)(3 + round * 7) * 1000000L};
            while (got < 2 && read(fd[0], &b, sizeof(b)) == (ssize_t)sizeof(b)) {
                done = b;
                got++;
            }
            nanosleep(&ts, NULL); /* somewhere inside the next recording */
            kill(pid, SIGKILL);
            while (read(fd[0], &b, sizeof(b)) == (ssize_t)sizeof(b))
                done = b; /* what it said before it died */
            waitpid(pid, NULL, 0);
            close(fd[0]);
        }
        /* the register opens, is whole, and holds every batch it said it recorded */
        {
            sqlite3 *db = NULL;
            sqlite3_stmt *st = NULL;
            char path[256], asset[32];
            snprintf(path, sizeof(path), "%s/register.db", kdir);
            CHECK(sqlite3_open(path, &db) == SQLITE_OK);
            CHECK(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
            CHECK(sqlite3_step(st) == SQLITE_ROW);
            CHECK_STR((const char *)sqlite3_column_text(st, 0), "ok");
            sqlite3_finalize(st);
            for (int b = round * 1000; b <= done; b++) {
                snprintf(asset, sizeof(asset), "B%d-39", b);
                CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM incident WHERE asset = ?1", -1,
                                         &st, NULL) == SQLITE_OK);
                sqlite3_bind_text(st, 1, asset, -1, SQLITE_STATIC);
                CHECK(sqlite3_step(st) == SQLITE_ROW);
                CHECK_INT(sqlite3_column_int(st, 0), 1);
                sqlite3_finalize(st);
            }
            /* a batch is there whole or not at all */
            CHECK(sqlite3_prepare_v2(db,
                                     "SELECT count(*) FROM (SELECT substr(asset, 1, instr(asset,"
                                     " '-')) b, count(*) n FROM incident GROUP BY b) WHERE n != 40",
                                     -1, &st, NULL) == SQLITE_OK);
            CHECK(sqlite3_step(st) == SQLITE_ROW);
            CHECK_INT(sqlite3_column_int(st, 0), 0);
            sqlite3_finalize(st);
            sqlite3_close(db);
        }
    }
}

/* A register.db that is no database is refused naming the home and the file (the source was a
 * path on the opening function's stack). */
static void test_damaged(void)
{
    REG_SQLITE_ONLY();
    char home[600], db[640];
    ruru_register *r = NULL;
    struct ruru_diag d;
    FILE *f;

    snprintf(home, sizeof(home), "%s/damaged", dir);
    CHECK(mkdir(home, 0700) == 0);
    snprintf(db, sizeof(db), "%s/register.db", home);
    f = fopen(db, "wb");
    fputs("abc", f);
    fclose(f);
    CHECK_INT(reg_open(home, &r, &d), RURU_EDB);
    CHECK(r == NULL);
    CHECK(d.source == home);
    CHECK_STR(d.msg, "register.db: cannot be opened: file is not a database");
}

int main(int argc, char **argv)
{
    bool corpus = corpus_part(argc, argv);

    if (corpus)
        SHARED_OR_SKIP();
    snprintf(dir, sizeof(dir), "/tmp/ruru-test-register-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 1;
    if (!corpus) {
        test_kill();
        test_damaged();
        test_merge_orders(); /* actors_store is NULL: no actor registry needed */
        test_incremental();
        test_actor_changed();
        test_full_disk();
    } else {
        struct ruru_diag d;
        struct ruru_import_opts o;
        char galaxy[512], *report = NULL;
        memset(&o, 0, sizeof(o));
        snprintf(galaxy, sizeof(galaxy), "%s/misp/galaxy/threat-actor.json", shared_data());
        CHECK_INT(ruru_store_open(RURU_STORE_MEMORY, &actors_store, &d), RURU_OK);
        CHECK_INT(ruru_intel_import(actors_store, galaxy, &o, &report, &d), RURU_OK);
        ruru_free(report);
        test_record();
        test_criminal();
        test_ambiguous_name();
        ruru_store_close(actors_store);
    }
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return check_done();
}
