/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the intel store: `intel search`, `intel stats`, `intel sources`, `intel remove`.
 * Every answer is a JSON document (docs/json.md) built with jansson; the CLI prints it or
 * renders a table from it.
 *
 * Search follows the matching semantics of DESIGN.md §4, so that it answers "what would match
 * this value in a log": an address finds the addresses and CIDR ranges holding it (16-byte
 * ranges, IPv4 mapped into ::ffff:0:0/96, compared as blobs); a host name finds its own and
 * its parent domains' indicators by walking label suffixes (a.b.evil.com -> b.evil.com ->
 * evil.com), which is why notevil.com never matches evil.com; a URL also finds its host's
 * indicators; an e-mail address its domain's.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/str.h"
#include "intel/actors.h"
#include "intel/query.h"
#include "intel/store.h"

static enum ruru_err db_fail(sqlite3 *db, struct ruru_diag *diag)
{
    return ruru_diag_set(diag, RURU_EDB, NULL, 0, 0, "store query failed: %s", sqlite3_errmsg(db));
}

json_t *ruru_query_time(int64_t t)
{
    char buf[RURU_TIME_BUF];

    ruru_time_format(t, buf);
    return json_string(buf);
}

static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_TEXT:
        return json_stringn((const char *)sqlite3_column_text(st, i),
                            (size_t)sqlite3_column_bytes(st, i));
    default:
        return json_null();
    }
}

/* Sets key to the column unless it is NULL. */
static void set_col(json_t *o, const char *key, sqlite3_stmt *st, int i)
{
    json_t *v = col_json(st, i);

    if (json_is_null(v))
        json_decref(v);
    else
        json_object_set_new(o, key, v);
}

static void set_time_col(json_t *o, const char *key, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) != SQLITE_NULL)
        json_object_set_new(o, key, ruru_query_time(sqlite3_column_int64(st, i)));
}

/* A JSON array stored as text, or an empty array. */
static json_t *col_array(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    json_t *v = s ? json_loads(s, 0, NULL) : NULL;

    if (!json_is_array(v)) {
        json_decref(v);
        v = json_array();
    }
    return v;
}

enum ruru_err ruru_query_finish(json_t *doc, char **out, struct ruru_diag *diag)
{
    *out = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (*out == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    return RURU_OK;
}

/* ---- confidence from tags ----------------------------------------------------------------- */

/* The taxonomy predicates whose numerical values speak of confidence in the information (not
 * of threat level or handling): their mean is an indicator's confidence when the source gives
 * no number. The numbers themselves come from the imported taxonomies. */
static const char *const CONFIDENCE_PREDICATES[] = {
        "misp:confidence-level=",
        "admiralty-scale:source-reliability=",
        "admiralty-scale:information-credibility=",
        "estimative-language:likelihood-probability=",
        "estimative-language:confidence-in-analytic-judgment=",
};

static bool is_confidence_tag(const char *tag)
{
    for (size_t i = 0; i < sizeof(CONFIDENCE_PREDICATES) / sizeof(CONFIDENCE_PREDICATES[0]); i++)
        if (strncmp(tag, CONFIDENCE_PREDICATES[i], strlen(CONFIDENCE_PREDICATES[i])) == 0)
            return true;
    return false;
}

/* Mean numerical value of the confidence tags among `labels`, or -1. */
int ruru_query_tag_confidence(sqlite3 *db, json_t *labels)
{
    sqlite3_stmt *st = NULL;
    size_t i;
    json_t *l;
    int64_t sum = 0, n = 0;

    if (json_array_size(labels) == 0)
        return -1;
    if ((st = ruru_stmt_get(db, "SELECT numerical_value FROM tag_meanings WHERE tag = ?1"
                                " AND numerical_value IS NOT NULL ORDER BY id LIMIT 1")) == NULL)
        return -1;
    json_array_foreach(labels, i, l)
    {
        const char *tag = json_string_value(l);
        if (tag == NULL || !is_confidence_tag(tag))
            continue;
        sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            sum += sqlite3_column_int(st, 0);
            n++;
        }
        sqlite3_reset(st);
    }
    ruru_stmt_put(st);
    return n > 0 ? (int)(sum / n) : -1;
}

/* ---- actors of an indicator --------------------------------------------------------------- */

json_t *ruru_query_actor_brief(const struct ruru_actor_registry *reg, size_t g)
{
    const struct ruru_actor_group *gr = ruru_actors_group(reg, g);
    json_t *o = json_object();
    const char *country, *sponsor;
    bool disputed, assessed;

    json_object_set_new(o, "name", json_string(gr->name));
    country = ruru_actors_group_state(reg, g, &sponsor, &disputed, &assessed);
    if (country)
        json_object_set_new(o, "country", json_string(country));
    if (sponsor)
        json_object_set_new(o, "sponsor", json_string(sponsor));
    return o;
}

/* Appends to `out` the actors linked to the indicator (ref, object_ref, its actors column);
 * names the registry does not know are listed with "known": false. */
static void indicator_actors(sqlite3 *db,
                             const struct ruru_actor_registry *reg,
                             const char *ref,
                             const char *object_ref,
                             json_t *links,
                             json_t *out)
{
    sqlite3_stmt *st = NULL;
    size_t seen[64], n_seen = 0, i;
    json_t *l;

    /* Small: an indicator is linked to a handful of actors; 64 bounds a hostile list. */
#define ADD_GROUP(g)                                                      \
    do {                                                                  \
        bool dup_ = false;                                                \
        for (size_t k_ = 0; k_ < n_seen; k_++)                            \
            dup_ |= seen[k_] == (g);                                      \
        if (!dup_ && n_seen < 64) {                                       \
            seen[n_seen++] = (g);                                         \
            json_array_append_new(out, ruru_query_actor_brief(reg, (g))); \
        }                                                                 \
    } while (0)
    json_array_foreach(links, i, l)
    {
        const char *link = json_string_value(l);
        const size_t *groups;
        size_t n;
        if (link == NULL)
            continue;
        n = ruru_actors_resolve(reg, link, &groups);
        if (n == 0) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(link));
            json_object_set_new(o, "known", json_false());
            json_array_append_new(out, o);
        }
        if (n == 1)
            ADD_GROUP(groups[0]);
        if (n > 1) {
            /* A name several actors claim and nothing joins: the source meant one actor, so
             * the tie is one, to the name, with every claimant beside it - not one tie to
             * each claimant, which would make one actor into several hypotheses. */
            json_t *o = json_object(), *cl = json_array();
            json_object_set_new(o, "name", json_string(link));
            json_object_set_new(o, "ambiguous", json_true());
            for (size_t k = 0; k < n; k++)
                json_array_append_new(cl, json_string(ruru_actors_group(reg, groups[k])->name));
            json_object_set_new(o, "claimants", cl);
            json_array_append_new(out, o);
        }
    }
    if ((st = ruru_stmt_get(db, "SELECT dst FROM relations WHERE type = 'indicates' AND NOT"
                                " revoked AND (src = ?1 OR src = ?2) ORDER BY dst")) != NULL) {
        sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
        if (object_ref)
            sqlite3_bind_text(st, 2, object_ref, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            size_t g;
            const char *dst = (const char *)sqlite3_column_text(st, 0);
            if (dst && ruru_actors_by_ref(reg, dst, &g))
                ADD_GROUP(g);
        }
    }
#undef ADD_GROUP
    ruru_stmt_put(st);
}

/* ---- search -------------------------------------------------------------------------------- */

#define IND_COLUMNS                                                                             \
    "i.ref, i.type, i.value, s.name, f.path, i.line, i.object_ref, i.confidence, i.valid_from," \
    " i.valid_until, i.revoked, i.tlp, i.labels, i.description, i.context, i.actors,"           \
    " i.techniques, i.first_seen, i.last_seen, i.to_ids, i.created_by, i.raw"
#define IND_FROM \
    " FROM indicators i JOIN sources s ON s.id = i.source_id JOIN files f ON f.id = i.file_id"

struct search {
    sqlite3 *db;
    const struct ruru_actor_registry *reg;
    int64_t at;
    json_t *matches;
};

static json_t *
indicator_json(sqlite3 *db, const struct ruru_actor_registry *reg, sqlite3_stmt *st, int64_t at)
{
    json_t *o = json_object(), *labels, *actors = json_array();
    const char *ref = (const char *)sqlite3_column_text(st, 0);
    const char *object_ref = (const char *)sqlite3_column_text(st, 6);
    bool revoked = sqlite3_column_int(st, 10) != 0;
    const char *inactive = NULL;
    int conf;

    set_col(o, "id", st, 0);
    set_col(o, "type", st, 1);
    set_col(o, "value", st, 2);
    set_col(o, "raw", st, 21);
    set_col(o, "context", st, 14);
    set_col(o, "source", st, 3);
    set_col(o, "file", st, 4);
    set_col(o, "line", st, 5);
    set_col(o, "object", st, 6);
    labels = col_array(st, 12);
    if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
        json_object_set_new(o, "confidence", json_integer(sqlite3_column_int(st, 7)));
        json_object_set_new(o, "confidence_from", json_string("source"));
    } else if ((conf = ruru_query_tag_confidence(db, labels)) >= 0) {
        json_object_set_new(o, "confidence", json_integer(conf));
        json_object_set_new(o, "confidence_from", json_string("tags"));
    }
    set_time_col(o, "valid_from", st, 8);
    set_time_col(o, "valid_until", st, 9);
    set_time_col(o, "first_seen", st, 17);
    set_time_col(o, "last_seen", st, 18);
    json_object_set_new(o, "revoked", json_boolean(revoked));
    json_object_set_new(o, "to_ids", json_boolean(sqlite3_column_int(st, 19) != 0));
    if (revoked)
        inactive = "revoked";
    else if (sqlite3_column_type(st, 9) != SQLITE_NULL && sqlite3_column_int64(st, 9) <= at)
        inactive = "expired";
    else if (sqlite3_column_type(st, 8) != SQLITE_NULL && sqlite3_column_int64(st, 8) > at)
        inactive = "not yet valid";
    json_object_set_new(o, "active", json_boolean(inactive == NULL));
    if (inactive)
        json_object_set_new(o, "inactive_reason", json_string(inactive));
    set_col(o, "tlp", st, 11);
    json_object_set_new(o, "labels", labels);
    set_col(o, "description", st, 13);
    set_col(o, "created_by", st, 20);
    if (reg != NULL) {
        json_t *links = col_array(st, 15);
        indicator_actors(db, reg, ref ? ref : "", object_ref, links, actors);
        json_decref(links);
    }
    json_object_set_new(o, "actors", actors);
    json_object_set_new(o, "techniques", col_array(st, 16));
    return o;
}

static enum ruru_err run_search(struct search *s,
                                const char *sql,
                                const char *matched_on,
                                const void *a,
                                int a_len,
                                const void *b,
                                int b_len)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if ((st = ruru_stmt_get(s->db, sql)) == NULL)
        return RURU_EDB;
    if (a_len < 0)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    else
        sqlite3_bind_blob(st, 1, a, a_len, SQLITE_STATIC);
    if (b != NULL) {
        if (b_len < 0)
            sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        else
            sqlite3_bind_blob(st, 2, b, b_len, SQLITE_STATIC);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = indicator_json(s->db, s->reg, st, s->at);
        json_object_set_new(o, "matched_on", json_string(matched_on));
        json_array_append_new(s->matches, o);
    }
    ruru_stmt_put(st);
    return rc == SQLITE_DONE ? RURU_OK : RURU_EDB;
}

/* "?3, ?4, ..., ?130": the starts of the ranges that may hold a CIDR (search_cidr). */
#define P8(n)  "?" #n "0,?" #n "1,?" #n "2,?" #n "3,?" #n "4,?" #n "5,?" #n "6,?" #n "7,"
#define P10(n) P8(n) "?" #n "8,?" #n "9,"
#define STARTS                                                                                     \
    "?3,?4,?5,?6,?7,?8,?9," P10(1) P10(2) P10(3) P10(4) P10(5) P10(6) P10(7) P10(8) P10(9) P10(10) \
            P10(11) P10(12) "?130"

/*
 * The ranges a CIDR query overlaps. Ranges in the store are addresses and CIDR blocks (store.c:
 * ruru_store_ip_range), and two CIDR blocks are nested or apart: a range overlapping [lo, hi]
 * lies inside it (its start in [lo, hi]: a bounded scan of the range index) or holds it (its
 * start is lo with its last bits cleared, one of 128 values: as many exact probes). The same
 * ranges as "start <= hi AND end >= lo", which scanned the index below hi for every query.
 */
static enum ruru_err
search_cidr(struct search *s, const unsigned char lo[16], const unsigned char hi[16])
{
    static const char SQL[] = "SELECT " IND_COLUMNS IND_FROM
                              " WHERE i.lo IS NOT NULL AND ((i.lo >= ?1 AND i.lo <= ?2) OR"
                              " (i.hi >= ?2 AND i.lo IN (" STARTS ")))"
                              " ORDER BY s.name, f.path, i.line, i.ref";
    unsigned char starts[128][16];
    sqlite3_stmt *st = ruru_stmt_get(s->db, SQL);
    int rc;

    if (st == NULL)
        return RURU_EDB;
    for (unsigned p = 0; p < 128; p++) {
        memcpy(starts[p], lo, 16);
        for (unsigned b = p; b < 128; b++)
            starts[p][b / 8] &= (unsigned char)~(0x80u >> (b % 8));
    }
    sqlite3_bind_blob(st, 1, lo, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hi, 16, SQLITE_STATIC);
    for (int p = 0; p < 128; p++)
        sqlite3_bind_blob(st, 3 + p, starts[p], 16, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = indicator_json(s->db, s->reg, st, s->at);
        json_object_set_new(o, "matched_on", json_string("address"));
        json_array_append_new(s->matches, o);
    }
    ruru_stmt_put(st);
    return rc == SQLITE_DONE ? RURU_OK : RURU_EDB;
}

/*
 * An address is held by exactly the ranges "network/p" for p = 0..32 (0..128 for IPv6), and a
 * range's canonical text is unique: so the ranges holding an address are found by 33 (129)
 * exact lookups on the value index, whatever the store's size, instead of a scan of the range
 * index. A CIDR query also wants the ranges inside it, which only the range index can give.
 */
static enum ruru_err search_ip(struct search *s, enum ruru_ioc_type type, const char *value)
{
    unsigned char lo[16], hi[16];
    struct ruru_norm_opts wide = {1, 1};
    struct ruru_buf text, canon;
    unsigned bits = type == RURU_IOC_IPV4 ? 32 : 128;
    enum ruru_err err = RURU_OK;

    if (!ruru_store_ip_range(type, value, lo, hi))
        return RURU_OK;
    if (type == RURU_IOC_CIDR4 || type == RURU_IOC_CIDR6)
        return search_cidr(s, lo, hi);
    ruru_buf_init(&text, 256);
    ruru_buf_init(&canon, 256);
    for (unsigned p = bits + 1; p-- > 0 && err == RURU_OK;) {
        unsigned char net[16];
        char addr[64];
        enum ruru_ioc_type t = bits == 32 ? RURU_IOC_CIDR4 : RURU_IOC_CIDR6;
        const char *why;
        memcpy(net, lo, 16);
        for (unsigned b = p + (128 - bits); b < 128; b++)
            net[b / 8] &= (unsigned char)~(0x80u >> (b % 8));
        if (inet_ntop(bits == 32 ? AF_INET : AF_INET6, bits == 32 ? net + 12 : net, addr,
                      sizeof(addr)) == NULL)
            continue;
        ruru_buf_reset(&text);
        ruru_buf_addf(&text, "%s/%u", addr, p);
        /* The canonical text, exactly as an import would have stored it. */
        if (!ruru_ioc_normalize(&t, text.ptr, text.len, &wide, &canon, &why))
            continue;
        err = run_search(s,
                         "SELECT " IND_COLUMNS IND_FROM " WHERE i.vhash = ruru_hash(?1)"
                         " AND i.value = ?1 AND i.lo IS NOT NULL"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         "address", canon.ptr, -1, NULL, 0);
    }
    ruru_buf_fini(&text);
    ruru_buf_fini(&canon);
    return err;
}

static enum ruru_err search_domain(struct search *s, const char *host, const char *matched_on)
{
    enum ruru_err err = RURU_OK;

    /* Walk the label suffixes: a.b.evil.com, b.evil.com, evil.com, com. */
    for (const char *p = host; p != NULL && *p && err == RURU_OK;) {
        err = run_search(s,
                         "SELECT " IND_COLUMNS IND_FROM
                         " WHERE i.vhash = ruru_hash(?1) AND i.value = ?1 AND i.type = 'domain'"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         p == host ? matched_on : "parent domain", p, -1, NULL, 0);
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return err;
}

/* The host of a canonical URL ("http://user@host:8080/x" -> "host"), into buf. */
static bool url_host(const char *url, char *buf, size_t cap)
{
    const char *p = strstr(url, "://"), *end;
    size_t n;

    if (p == NULL)
        return false;
    p += 3;
    end = p + strcspn(p, "/?#");
    for (const char *at = p; at < end; at++)
        if (*at == '@')
            p = at + 1;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close == NULL)
            return false;
        p++;
        end = close;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        if (colon)
            end = colon;
    }
    n = (size_t)(end - p);
    if (n == 0 || n >= cap)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

/* The matches grouped by indicator (type and value), in order of first appearance: one
 * indicator published in twelve files is one group with twelve records. A group holds what
 * a reader compares at a glance - how many records and how many in force, the highest
 * confidence, every actor any record names - and one line per record: source, file, line,
 * id, whether it is in force. The matches themselves stay as they are. */
static json_t *group_matches(json_t *matches)
{
    json_t *groups = json_array(), *m;
    size_t i;

    json_array_foreach(matches, i, m)
    {
        const char *type = json_string_value(json_object_get(m, "type"));
        const char *value = json_string_value(json_object_get(m, "value"));
        json_t *g = NULL, *x, *conf = json_object_get(m, "confidence"), *rec, *a;
        size_t k;
        if (type == NULL || value == NULL)
            continue;
        json_array_foreach(groups, k, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "type")), type) == 0 &&
                strcmp(json_string_value(json_object_get(x, "value")), value) == 0) {
                g = x;
                break;
            }
        }
        if (g == NULL) {
            g = json_pack("{s:s, s:s, s:O, s:i, s:i, s:i, s:[], s:[]}", "type", type, "value",
                          value, "matched_on", json_object_get(m, "matched_on"), "records", 0,
                          "active", 0, "context", 0, "actors", "sources");
            if (g == NULL || json_array_append_new(groups, g) != 0)
                continue;
        }
        json_object_set_new(g, "records",
                            json_integer(json_integer_value(json_object_get(g, "records")) + 1));
        if (json_is_true(json_object_get(m, "active")))
            json_object_set_new(g, "active",
                                json_integer(json_integer_value(json_object_get(g, "active")) + 1));
        /* to_ids false: context, never swept */
        if (json_is_false(json_object_get(m, "to_ids")))
            json_object_set_new(
                    g, "context",
                    json_integer(json_integer_value(json_object_get(g, "context")) + 1));
        if (json_is_integer(conf) &&
            (!json_is_integer(json_object_get(g, "confidence")) ||
             json_integer_value(conf) > json_integer_value(json_object_get(g, "confidence"))))
            json_object_set(g, "confidence", conf);
        json_array_foreach(json_object_get(m, "actors"), k, a)
        {
            json_t *have, *list = json_object_get(g, "actors");
            size_t j;
            bool dup = false;
            json_array_foreach(list, j, have) dup |= json_equal(have, a);
            if (!dup)
                json_array_append(list, a);
        }
        rec = json_object();
        static const char *const keep[] = {
                "source",     "file",        "line",        "id",     "object",
                "confidence", "valid_from",  "valid_until", "active", "inactive_reason",
                "tlp",        "description", "to_ids",
        };
        for (k = 0; rec != NULL && k < sizeof(keep) / sizeof(keep[0]); k++)
            if ((x = json_object_get(m, keep[k])) != NULL)
                json_object_set(rec, keep[k], x);
        json_array_append_new(json_object_get(g, "sources"), rec);
    }
    return groups;
}

/* Host artefacts are written in many ways (HKLM\x = HKEY_LOCAL_MACHINE\X, 5E-FF-... =
 * 5e:ff:...): a query that reads as one is also looked for in its canonical form, and a file
 * name that inference takes for a host name ("abiosdsk.sys") as the file name it may be. */
static enum ruru_err search_also(struct search *s, enum ruru_ioc_type inferred, const char *v)
{
    static const enum ruru_ioc_type ALSO[] = {RURU_IOC_REGKEY, RURU_IOC_MAC, RURU_IOC_FILENAME};
    struct ruru_buf b;
    enum ruru_err err = RURU_OK;

    ruru_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof(ALSO) / sizeof(ALSO[0]) && err == RURU_OK; i++) {
        enum ruru_ioc_type t = ALSO[i];
        const char *why;
        if (t == inferred || (t == RURU_IOC_FILENAME && inferred != RURU_IOC_DOMAIN))
            continue;
        if (!ruru_ioc_normalize(&t, v, strlen(v), NULL, &b, &why) ||
            (t == RURU_IOC_REGKEY && strncmp(ruru_buf_str(&b), "HKEY_", 5) != 0) ||
            (t != RURU_IOC_FILENAME && strcmp(ruru_buf_str(&b), v) == 0))
            continue; /* not one, or already looked for as written */
        err = run_search(s,
                         "SELECT " IND_COLUMNS IND_FROM
                         " WHERE i.vhash = ruru_hash(?1) AND i.value = ?1 AND i.type = ?2"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         "value", ruru_buf_str(&b), -1, ruru_ioc_type_name(t), -1);
    }
    ruru_buf_fini(&b);
    return err;
}

enum ruru_err ruru_query_search(sqlite3 *db,
                                const struct ruru_actor_registry *reg,
                                const char *value,
                                int64_t at,
                                const struct ruru_search_filter *filter,
                                json_t **out,
                                struct ruru_diag *diag)
{
    struct ruru_buf refanged, canon;
    struct ruru_norm_opts opts = {1, 1};
    enum ruru_ioc_type type = RURU_IOC_NONE;
    const char *reason = NULL, *canonical;
    struct search s;
    json_t *doc, *wl;
    enum ruru_err err = RURU_OK;
    char host[512];
    sqlite3_stmt *st_begin = NULL;
    bool in_txn = false;

    ruru_diag_clear(diag);
    *out = NULL;
    if (at == INT64_MIN)
        at = (int64_t)time(NULL);
    ruru_buf_init(&refanged, 1 << 20);
    ruru_buf_init(&canon, 1 << 20);
    if (ruru_ioc_refang(value, strlen(value), &refanged) != RURU_OK) {
        ruru_buf_fini(&refanged);
        return ruru_diag_set(diag, RURU_ELIMIT, NULL, 0, 0, "search value too long");
    }
    /* One read transaction for the search's dozens of queries: one snapshot of the intel,
     * and the WAL's locks taken once instead of per query. */
    if (sqlite3_get_autocommit(db) && (st_begin = ruru_stmt_get(db, "BEGIN")) != NULL &&
        sqlite3_step(st_begin) == SQLITE_DONE)
        in_txn = true;
    ruru_stmt_put(st_begin);
    if (ruru_ioc_normalize(&type, refanged.ptr ? refanged.ptr : "", refanged.len, &opts, &canon,
                           &reason)) {
        canonical = ruru_buf_str(&canon);
    } else {
        /* Not a value of any IOC type: still look for it as written (names, strings). */
        type = RURU_IOC_NONE;
        canonical = ruru_buf_str(&refanged);
    }
    memset(&s, 0, sizeof(s));
    s.db = db;
    s.reg = reg;
    s.at = at;
    s.matches = json_array();
    doc = json_object();
    json_object_set_new(doc, "query", json_string(value));
    json_object_set_new(doc, "type",
                        json_string(type == RURU_IOC_NONE ? "unknown" : ruru_ioc_type_name(type)));
    json_object_set_new(doc, "canonical", json_string(canonical));
    if (reason != NULL && type == RURU_IOC_NONE)
        json_object_set_new(doc, "note", json_string(reason));
    json_object_set_new(doc, "at", ruru_query_time(at));
    json_object_set_new(doc, "matches", s.matches);
    switch (type) {
    case RURU_IOC_IPV4:
    case RURU_IOC_IPV6:
    case RURU_IOC_CIDR4:
    case RURU_IOC_CIDR6:
        err = search_ip(&s, type, canonical);
        break;
    case RURU_IOC_DOMAIN:
        err = search_domain(&s, canonical, "value");
        break;
    case RURU_IOC_URL:
        err = run_search(&s,
                         "SELECT " IND_COLUMNS IND_FROM
                         " WHERE i.vhash = ruru_hash(?1) AND i.value = ?1 AND i.type = 'url'"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         "value", canonical, -1, NULL, 0);
        if (err == RURU_OK && url_host(canonical, host, sizeof(host))) {
            enum ruru_ioc_type ht = RURU_IOC_NONE;
            struct ruru_buf hb;
            const char *why;
            ruru_buf_init(&hb, sizeof(host));
            if (ruru_ioc_normalize(&ht, host, strlen(host), &opts, &hb, &why)) {
                if (ht == RURU_IOC_DOMAIN)
                    err = search_domain(&s, ruru_buf_str(&hb), "host");
                else if (ht == RURU_IOC_IPV4 || ht == RURU_IOC_IPV6)
                    err = search_ip(&s, ht, ruru_buf_str(&hb));
            }
            ruru_buf_fini(&hb);
        }
        break;
    case RURU_IOC_EMAIL:
        err = run_search(&s,
                         "SELECT " IND_COLUMNS IND_FROM
                         " WHERE i.vhash = ruru_hash(?1) AND i.value = ?1 AND i.type = 'email'"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         "value", canonical, -1, NULL, 0);
        if (err == RURU_OK && strchr(canonical, '@'))
            err = search_domain(&s, strrchr(canonical, '@') + 1, "e-mail domain");
        break;
    default:
        err = run_search(&s,
                         "SELECT " IND_COLUMNS IND_FROM
                         " WHERE i.vhash = ruru_hash(?1) AND i.value = ?1"
                         " ORDER BY s.name, f.path, i.line, i.ref",
                         "value", canonical, -1, NULL, 0);
        break;
    }
    if (err == RURU_OK)
        err = search_also(&s, type, ruru_buf_str(&refanged));
    if (err != RURU_OK) {
        json_decref(doc);
        err = db_fail(db, diag);
        goto out;
    }
    if (filter != NULL) {
        /* what the reader may not see is gone before the groups are counted */
        for (size_t i = json_array_size(s.matches); i-- > 0;)
            if (!filter->visible(filter->ctx, json_array_get(s.matches, i)))
                json_array_remove(s.matches, i);
    }
    wl = json_array();
    json_object_set_new(doc, "indicators", group_matches(s.matches));
    ruru_query_warninglist_hits(db, type, canonical, wl);
    json_object_set_new(doc, "warninglists", wl);
    *out = doc;
out:
    if (in_txn) {
        sqlite3_stmt *st_end = ruru_stmt_get(db, "COMMIT");
        if (st_end == NULL || sqlite3_step(st_end) != SQLITE_DONE)
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        ruru_stmt_put(st_end);
    }
    ruru_buf_fini(&refanged);
    ruru_buf_fini(&canon);
    return err;
}

enum ruru_err ruru_intel_search(
        ruru_store *store, const char *value, int64_t at, char **out, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(store);
    struct ruru_actor_registry *reg = NULL;
    json_t *doc = NULL;
    enum ruru_err err;

    ruru_diag_clear(diag);
    if ((err = ruru_actors_build(db, &reg, diag)) != RURU_OK)
        return err;
    err = ruru_query_search(db, reg, value, at, NULL, &doc, diag);
    ruru_actors_destroy(reg);
    return err == RURU_OK ? ruru_query_finish(doc, out, diag) : err;
}

/* ---- for the sweep -------------------------------------------------------------------------- */

json_t *
ruru_query_indicator(sqlite3 *db, const struct ruru_actor_registry *reg, int64_t id, int64_t at)
{
    /* kept prepared: a sweep asks this once for every indicator it sights */
    sqlite3_stmt *st = ruru_stmt_get(db, "SELECT " IND_COLUMNS IND_FROM " WHERE i.id = ?1");
    json_t *o = NULL;

    if (st == NULL)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = indicator_json(db, reg, st, at == INT64_MIN ? (int64_t)time(NULL) : at);
    ruru_stmt_put(st);
    return o;
}

json_t *ruru_query_warninglists(sqlite3 *db, enum ruru_ioc_type type, const char *value)
{
    json_t *wl = json_array();

    if (wl != NULL)
        ruru_query_warninglist_hits(db, type, value, wl);
    return wl;
}

/* ---- stats, sources, remove ---------------------------------------------------------------- */

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static json_t *count_by(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    json_t *o = json_object();

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(st, 0);
            if (k)
                json_object_set_new(o, k, json_integer(sqlite3_column_int64(st, 1)));
        }
    }
    sqlite3_finalize(st);
    return o;
}

enum ruru_err ruru_intel_stats(ruru_store *store, char **out, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(store);
    struct ruru_actor_registry *reg = NULL;
    json_t *doc = json_object();
    enum ruru_err err;
    int64_t now = (int64_t)time(NULL);
    char sql[256];

    ruru_diag_clear(diag);
    err = ruru_actors_build(db, &reg, diag);
    if (err != RURU_OK) {
        json_decref(doc);
        return err;
    }
    json_object_set_new(doc, "sources", json_integer(scalar(db, "SELECT count(*) FROM sources")));
    json_object_set_new(doc, "files", json_integer(scalar(db, "SELECT count(*) FROM files")));
    /* Context values (to_ids false) apart, as in the import report. */
    json_object_set_new(doc, "indicators",
                        json_integer(scalar(db, "SELECT count(*) FROM indicators WHERE to_ids")));
    json_object_set_new(doc, "context",
                        json_integer(scalar(db, "SELECT count(*) FROM indicators"
                                                " WHERE NOT to_ids")));
    json_object_set_new(doc, "by_type",
                        count_by(db, "SELECT type, count(*) FROM indicators WHERE to_ids"
                                     " GROUP BY type ORDER BY type"));
    json_object_set_new(doc, "context_by_type",
                        count_by(db, "SELECT type, count(*) FROM indicators WHERE NOT to_ids"
                                     " GROUP BY type ORDER BY type"));
    json_object_set_new(doc, "revoked",
                        json_integer(scalar(db, "SELECT count(*) FROM indicators WHERE revoked")));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM indicators WHERE NOT revoked AND valid_until <= %" PRId64, now);
    json_object_set_new(doc, "expired", json_integer(scalar(db, sql)));
    json_object_set_new(doc, "entities",
                        count_by(db, "SELECT kind, count(*) FROM entities GROUP BY kind"
                                     " ORDER BY kind"));
    json_object_set_new(doc, "actors", json_integer((json_int_t)ruru_actors_n_groups(reg)));
    json_object_set_new(doc, "actor_name_conflicts",
                        json_integer((json_int_t)ruru_actors_n_conflicts(reg)));
    json_object_set_new(doc, "relations",
                        json_integer(scalar(db, "SELECT count(*) FROM relations")));
    json_object_set_new(doc, "warninglists",
                        json_integer(scalar(db, "SELECT count(*) FROM warninglists")));
    json_object_set_new(doc, "warninglist_entries",
                        json_integer(scalar(db, "SELECT count(*) FROM warninglist_entries")));
    json_object_set_new(doc, "tag_meanings",
                        json_integer(scalar(db, "SELECT count(*) FROM tag_meanings")));
    json_object_set_new(doc, "rejected", json_integer(scalar(db, "SELECT count(*) FROM rejects")));
    ruru_actors_destroy(reg);
    return ruru_query_finish(doc, out, diag);
}

/* The actors the indicators of file `file_id` are tied to, as a search shows them (through the
 * actor registry, the source's links and `indicates` relations): {"APT10": 1433, ...}, a name
 * no actor holds as "NAME (not in the registry)", an ambiguous one as "NAME (ambiguous)", and
 * indicators tied to none under "(none)". */
static json_t *file_actors(sqlite3 *db, const struct ruru_actor_registry *reg, int64_t file_id)
{
    sqlite3_stmt *st = NULL;
    json_t *counts = json_object();

    if (sqlite3_prepare_v2(db, "SELECT ref, object_ref, actors FROM indicators WHERE file_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return counts;
    sqlite3_bind_int64(st, 1, file_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *ref = (const char *)sqlite3_column_text(st, 0);
        json_t *links = col_array(st, 2), *tied = json_array(), *a;
        size_t i;
        indicator_actors(db, reg, ref ? ref : "", (const char *)sqlite3_column_text(st, 1), links,
                         tied);
        if (json_array_size(tied) == 0)
            json_array_append_new(tied, json_pack("{s:s}", "name", "(none)"));
        json_array_foreach(tied, i, a)
        {
            char key[512];
            const char *name = json_string_value(json_object_get(a, "name"));
            snprintf(key, sizeof(key), "%s%s", name ? name : "?",
                     json_is_true(json_object_get(a, "ambiguous")) ? " (ambiguous)"
                     : json_is_false(json_object_get(a, "known"))  ? " (not in the registry)"
                                                                   : "");
            json_object_set_new(counts, key,
                                json_integer(json_integer_value(json_object_get(counts, key)) + 1));
        }
        json_decref(tied);
        json_decref(links);
    }
    sqlite3_finalize(st);
    return counts;
}

enum ruru_err
ruru_intel_sources(ruru_store *store, bool with_actors, char **out, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(store);
    sqlite3_stmt *st = NULL, *fst = NULL;
    json_t *doc = json_object(), *list = json_array();
    struct ruru_actor_registry *reg = NULL;
    enum ruru_err err;
    int rc;

    ruru_diag_clear(diag);
    if (with_actors && (err = ruru_actors_build(db, &reg, diag)) != RURU_OK) {
        json_decref(doc);
        json_decref(list);
        return err;
    }
    json_object_set_new(doc, "sources", list);
    if (sqlite3_prepare_v2(db, "SELECT id, name, created, updated FROM sources ORDER BY name", -1,
                           &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT path, format, imported, n_indicators, n_entities, n_relations,"
                           " n_warninglists, n_tag_meanings, n_rejected, by_type, id FROM files"
                           " WHERE source_id = ?1 ORDER BY path",
                           -1, &fst, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        json_decref(doc);
        ruru_actors_destroy(reg);
        return db_fail(db, diag);
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *src = json_object(), *files = json_array();
        int64_t n_ind = 0, n_ent = 0, n_rel = 0, n_rej = 0;
        set_col(src, "name", st, 1);
        set_time_col(src, "created", st, 2);
        set_time_col(src, "updated", st, 3);
        sqlite3_bind_int64(fst, 1, sqlite3_column_int64(st, 0));
        while (sqlite3_step(fst) == SQLITE_ROW) {
            json_t *f = json_object();
            const char *bt = (const char *)sqlite3_column_text(fst, 9);
            set_col(f, "path", fst, 0);
            set_col(f, "format", fst, 1);
            set_time_col(f, "imported", fst, 2);
            set_col(f, "indicators", fst, 3);
            json_object_set_new(f, "by_type", bt ? json_loads(bt, 0, NULL) : json_object());
            set_col(f, "entities", fst, 4);
            set_col(f, "relations", fst, 5);
            set_col(f, "warninglists", fst, 6);
            set_col(f, "tag_meanings", fst, 7);
            set_col(f, "rejected", fst, 8);
            if (reg != NULL)
                json_object_set_new(f, "actors",
                                    file_actors(db, reg, sqlite3_column_int64(fst, 10)));
            n_ind += sqlite3_column_int64(fst, 3);
            n_ent += sqlite3_column_int64(fst, 4);
            n_rel += sqlite3_column_int64(fst, 5);
            n_rej += sqlite3_column_int64(fst, 8);
            json_array_append_new(files, f);
        }
        sqlite3_reset(fst);
        json_object_set_new(src, "indicators", json_integer(n_ind));
        json_object_set_new(src, "entities", json_integer(n_ent));
        json_object_set_new(src, "relations", json_integer(n_rel));
        json_object_set_new(src, "rejected", json_integer(n_rej));
        json_object_set_new(src, "files", files);
        json_array_append_new(list, src);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(fst);
    ruru_actors_destroy(reg);
    if (rc != SQLITE_DONE) {
        json_decref(doc);
        return db_fail(db, diag);
    }
    return ruru_query_finish(doc, out, diag);
}

enum ruru_err
ruru_intel_remove(ruru_store *store, const char *source, char **out, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(store);
    sqlite3_stmt *st = NULL;
    json_t *doc;
    int64_t id = -1, n_ind = 0, n_ent = 0, n_files = 0;

    ruru_diag_clear(diag);
    if (sqlite3_prepare_v2(db,
                           "SELECT s.id, (SELECT count(*) FROM indicators WHERE source_id = s.id),"
                           " (SELECT count(*) FROM entities WHERE source_id = s.id),"
                           " (SELECT count(*) FROM files WHERE source_id = s.id)"
                           " FROM sources s WHERE s.name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, diag);
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        n_ind = sqlite3_column_int64(st, 1);
        n_ent = sqlite3_column_int64(st, 2);
        n_files = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (id < 0)
        return ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no source named \"%s\"", source);
    if (sqlite3_prepare_v2(db, "DELETE FROM sources WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, diag);
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE) {
        sqlite3_finalize(st);
        return db_fail(db, diag);
    }
    sqlite3_finalize(st);
    doc = json_object();
    json_object_set_new(doc, "removed", json_string(source));
    json_object_set_new(doc, "files", json_integer(n_files));
    json_object_set_new(doc, "indicators", json_integer(n_ind));
    json_object_set_new(doc, "entities", json_integer(n_ent));
    return ruru_query_finish(doc, out, diag);
}
