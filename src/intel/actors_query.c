/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ruru actors` and `ruru actors NAME`: the actor registry (actors.c) joined with what the store
 * links to each actor — indicators (through `indicates` relationships, MISP galaxy clusters
 * and tags, CSV actor columns), ATT&CK techniques (`uses` relationships to attack patterns),
 * the sponsoring state each source claims, and the names that sources dispute.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/str.h"
#include "base/vec.h"
#include "intel/actors.h"
#include "intel/query.h"
#include "intel/store.h"

struct link {
    size_t group;
    int64_t indicator;
    int type;
    bool ambiguous; /* through a name several actors claim: one of them, not this one */
};

/* Every (actor group, indicator) link; an indicator names few actors, a store a few million
 * indicators, so 64 M links bound a hostile store. */
#define MAX_LINKS (64u << 20)

static enum ruru_err
add_link(struct ruru_vec *l, size_t group, int64_t ind, int type, bool ambiguous)
{
    struct link k = {group, ind, type, ambiguous};

    return ruru_vec_push(l, &k);
}

static int cmp_link(const void *a, const void *b)
{
    const struct link *x = a, *y = b;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->indicator != y->indicator)
        return x->indicator < y->indicator ? -1 : 1;
    return (int)x->ambiguous - (int)y->ambiguous;
}

static int type_index(const char *name)
{
    for (int t = 1; t < RURU_IOC__COUNT; t++)
        if (name && strcmp(ruru_ioc_type_name((enum ruru_ioc_type)t), name) == 0)
            return t;
    return 0;
}

/* Collects every (actor group, indicator) link, sorted and without duplicates. */
static enum ruru_err
collect_links(sqlite3 *db, const struct ruru_actor_registry *reg, struct ruru_vec *l)
{
    /* A relationship names an object (a STIX indicator); every row it gave has that object
     * (rows with an id of their own are their own object). */
    static const char *const rel_sql[] = {
            "SELECT r.dst, i.id, i.type FROM relations r JOIN indicators i"
            " ON i.object_ref = r.src WHERE r.type = 'indicates' AND NOT r.revoked",
    };
    sqlite3_stmt *st = NULL;
    enum ruru_err err = RURU_OK;
    struct link *v;
    size_t k;

    if (sqlite3_prepare_v2(db, "SELECT id, type, actors FROM indicators WHERE actors IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while (err == RURU_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *txt = (const char *)sqlite3_column_text(st, 2);
        json_t *arr = txt ? json_loads(txt, 0, NULL) : NULL, *item;
        int type = type_index((const char *)sqlite3_column_text(st, 1));
        size_t i;
        json_array_foreach(arr, i, item)
        {
            const size_t *groups;
            const char *name = json_string_value(item);
            size_t n = name ? ruru_actors_resolve(reg, name, &groups) : 0;
            for (k = 0; k < n && err == RURU_OK; k++)
                err = add_link(l, groups[k], sqlite3_column_int64(st, 0), type, n > 1);
        }
        json_decref(arr);
    }
    sqlite3_finalize(st);
    for (size_t q = 0; q < sizeof(rel_sql) / sizeof(rel_sql[0]) && err == RURU_OK; q++) {
        if (sqlite3_prepare_v2(db, rel_sql[q], -1, &st, NULL) != SQLITE_OK)
            return RURU_EDB;
        while (err == RURU_OK && sqlite3_step(st) == SQLITE_ROW) {
            const char *dst = (const char *)sqlite3_column_text(st, 0);
            size_t g;
            if (dst && ruru_actors_by_ref(reg, dst, &g))
                err = add_link(l, g, sqlite3_column_int64(st, 1),
                               type_index((const char *)sqlite3_column_text(st, 2)), false);
        }
        sqlite3_finalize(st);
    }
    if (err != RURU_OK || l->n == 0)
        return err;
    v = l->items;
    qsort(v, l->n, sizeof(*v), cmp_link);
    k = 1;
    /* One link per (group, indicator): the unambiguous one when there are both. */
    for (size_t i = 1; i < l->n; i++)
        if (v[i].group != v[k - 1].group || v[i].indicator != v[k - 1].indicator)
            v[k++] = v[i];
    l->n = k;
    return RURU_OK;
}

/* The first link of group g (links sorted by group), or l->n. */
static size_t first_link(const struct ruru_vec *l, size_t g)
{
    const struct link *v = l->items;
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].group < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static json_t *indicator_counts(const struct ruru_vec *l, size_t g, bool by_type)
{
    const struct link *v = l->items;
    uint64_t counts[RURU_IOC__COUNT] = {0}, total = 0, ambiguous = 0;
    json_t *o;

    for (size_t i = first_link(l, g); i < l->n && v[i].group == g; i++) {
        if (v[i].ambiguous) {
            ambiguous++;
            continue;
        }
        counts[v[i].type]++;
        total++;
    }
    if (!by_type)
        return json_integer((json_int_t)total);
    o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    /* Tied to a name this actor shares with others: shown, not counted as its own. */
    json_object_set_new(o, "through_ambiguous_names", json_integer((json_int_t)ambiguous));
    {
        json_t *bt = json_object();
        for (int t = 1; t < RURU_IOC__COUNT; t++)
            if (counts[t] > 0)
                json_object_set_new(bt, ruru_ioc_type_name((enum ruru_ioc_type)t),
                                    json_integer((json_int_t)counts[t]));
        json_object_set_new(o, "by_type", bt);
    }
    return o;
}

struct name_entry {
    char key[128];
    const char *name;
    const struct ruru_actor_member *m;
};

static int cmp_name_entry(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c != 0)
        return c;
    c = strcmp(x->m->source, y->m->source);
    if (c != 0)
        return c;
    return strcmp(x->name, y->name);
}

static json_t *source_label(const struct ruru_actor_member *m)
{
    json_t *o = json_object();

    json_object_set_new(o, "source", json_string(m->source));
    if (m->source_type)
        json_object_set_new(o, "via", json_string(m->source_type));
    json_object_set_new(o, "entity", json_string(m->name));
    return o;
}

/* Every name of the group but the display name, once each (by name key), with who says so. */
static json_t *
alias_list(const struct ruru_actor_registry *reg, const struct ruru_actor_group *g, bool detailed)
{
    size_t n = 0;
    struct name_entry *e;
    json_t *out = json_array();
    char gkey[128];

    for (size_t k = 0; k < g->n_members; k++)
        n += 1 + ruru_actors_member(reg, g->members[k])->n_aliases;
    e = ruru_calloc(n + 1, sizeof(*e));
    if (e == NULL)
        return out;
    n = 0;
    for (size_t k = 0; k < g->n_members; k++) {
        const struct ruru_actor_member *m = ruru_actors_member(reg, g->members[k]);
        for (size_t a = 0; a <= m->n_aliases; a++) {
            e[n].name = a == 0 ? m->name : m->aliases[a - 1];
            e[n].m = m;
            ruru_actors_name_key(e[n].name, e[n].key, sizeof(e[n].key));
            n++;
        }
    }
    qsort(e, n, sizeof(*e), cmp_name_entry);
    ruru_actors_name_key(g->name, gkey, sizeof(gkey));
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        json_t *srcs = json_array();
        for (hi = lo; hi < n && strcmp(e[hi].key, e[lo].key) == 0; hi++)
            json_array_append_new(srcs, source_label(e[hi].m));
        if (strcmp(e[lo].key, gkey) == 0) {
            json_decref(srcs);
            continue;
        }
        if (detailed) {
            json_t *o = json_object();
            const size_t *owner;
            json_object_set_new(o, "name", json_string(e[lo].name));
            json_object_set_new(o, "sources", srcs);
            /* A synonym this actor lists that is another actor's own name: the name means
             * that actor (docs/internals/actors.md, Names). */
            if (ruru_actors_by_name(reg, e[lo].name, &owner) == 1 &&
                ruru_actors_group(reg, owner[0]) != g)
                json_object_set_new(o, "resolves_to",
                                    json_string(ruru_actors_group(reg, owner[0])->name));
            json_array_append_new(out, o);
        } else {
            json_decref(srcs);
            json_array_append_new(out, json_string(e[lo].name));
        }
    }
    ruru_free(e);
    return out;
}

static json_t *
techniques(sqlite3 *db, const struct ruru_actor_registry *reg, const struct ruru_actor_group *g)
{
    sqlite3_stmt *st = NULL;
    json_t *out = json_array();
    json_t *seen = json_object();

    if (sqlite3_prepare_v2(db,
                           "SELECT e.external_id, e.name FROM relations r"
                           " JOIN entities e ON e.ref = r.dst WHERE r.src = ?1"
                           " AND r.type = 'uses' AND e.kind = 'technique' AND NOT r.revoked"
                           " AND NOT e.revoked ORDER BY e.external_id, e.name",
                           -1, &st, NULL) != SQLITE_OK) {
        json_decref(seen);
        return out;
    }
    for (size_t k = 0; k < g->n_members; k++) {
        const struct ruru_actor_member *m = ruru_actors_member(reg, g->members[k]);
        sqlite3_bind_text(st, 1, m->ref, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(st, 0);
            const char *name = (const char *)sqlite3_column_text(st, 1);
            const char *key = id ? id : name;
            json_t *o;
            if (key == NULL || json_object_get(seen, key) != NULL)
                continue;
            o = json_object();
            if (id)
                json_object_set_new(o, "id", json_string(id));
            if (name)
                json_object_set_new(o, "name", json_string(name));
            json_object_set_new(o, "via", json_string(m->name));
            json_object_set_new(seen, key, json_true());
            json_array_append_new(out, o);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    json_decref(seen);
    return out;
}

static int cmp_json_id(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));

    return strcmp(x ? x : "~", y ? y : "~");
}

static json_t *sorted_by_id(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = ruru_calloc(n + 1, sizeof(*v)), *out = json_array();

    if (v == NULL)
        return arr;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof(*v), cmp_json_id);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    ruru_free(v);
    json_decref(arr);
    return out;
}

/* "Copper Typhoon (misp-galaxy:microsoft-activity-group)". */
static json_t *member_label(const struct ruru_actor_member *m)
{
    json_t *o = json_object();

    json_object_set_new(o, "name", json_string(m->name));
    json_object_set_new(o, "source", json_string(m->source));
    if (m->source_type)
        json_object_set_new(o, "via", json_string(m->source_type));
    return o;
}

/* The joins that made member mi one with other members of its actor, and by what link. */
static json_t *member_joins(const struct ruru_actor_registry *reg, size_t mi)
{
    json_t *out = json_array();

    for (size_t i = 0; i < ruru_actors_n_joins(reg); i++) {
        const struct ruru_actor_join *j = ruru_actors_join(reg, i);
        json_t *o;
        if (j->refused != NULL || (j->a != mi && j->b != mi))
            continue;
        o = json_object();
        json_object_set_new(o, "with",
                            member_label(ruru_actors_member(reg, j->a == mi ? j->b : j->a)));
        json_object_set_new(o, "link", json_string(ruru_actors_link_name(j->link)));
        if (j->name)
            json_object_set_new(o, "name", json_string(j->name));
        json_array_append_new(out, o);
    }
    return out;
}

/* Appends o (consumed) unless an equal entry is there (two galaxies' copies of one link). */
static void append_once(json_t *arr, json_t *o)
{
    size_t i;
    json_t *x;

    json_array_foreach(arr, i, x) if (json_equal(x, o))
    {
        json_decref(o);
        return;
    }
    json_array_append_new(arr, o);
}

static int cmp_related(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = ruru_ascii_casecmp(json_string_value(json_object_get(x, "actor")),
                               json_string_value(json_object_get(y, "actor")));

    if (c != 0)
        return c;
    return strcmp(json_string_value(json_object_get(x, "relation")),
                  json_string_value(json_object_get(y, "relation")));
}

/* The related entries by actor, then relation (stable: qsort over their first positions). */
static json_t *sorted_related(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = ruru_calloc(n + 1, sizeof(*v)), *out = json_array();

    if (v == NULL) {
        json_decref(out);
        return arr;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof(*v), cmp_related);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    ruru_free(v);
    json_decref(arr);
    return out;
}

/* Actors related to group gi but not merged with it: the intel's relationships that are not
 * identity ("similar" ...), a CERT's not-same-as, and the joins the registry refused. */
static json_t *related(const struct ruru_actor_registry *reg, size_t gi)
{
    json_t *out = json_array();

    for (size_t i = 0; i < ruru_actors_n_relations(reg); i++) {
        const struct ruru_actor_relation *r = ruru_actors_relation(reg, i);
        const struct ruru_actor_member *a = ruru_actors_member(reg, r->a),
                                       *b = ruru_actors_member(reg, r->b);
        const struct ruru_actor_member *mine, *other;
        json_t *o;
        if (a->group == b->group || (a->group != gi && b->group != gi))
            continue;
        mine = a->group == gi ? a : b;
        other = a->group == gi ? b : a;
        o = json_object();
        json_object_set_new(o, "actor", json_string(ruru_actors_group(reg, other->group)->name));
        json_object_set_new(o, "relation", json_string(r->type));
        json_object_set_new(o, "direction", json_string(mine == a ? "to" : "from"));
        json_object_set_new(o, "member", member_label(mine));
        json_object_set_new(o, "other", member_label(other));
        append_once(out, o);
    }
    for (size_t i = 0; i < ruru_actors_n_joins(reg); i++) {
        const struct ruru_actor_join *j = ruru_actors_join(reg, i);
        const struct ruru_actor_member *a = ruru_actors_member(reg, j->a),
                                       *b = ruru_actors_member(reg, j->b);
        const struct ruru_actor_member *mine, *other;
        json_t *o;
        if (j->refused == NULL || a->group == b->group || (a->group != gi && b->group != gi))
            continue;
        mine = a->group == gi ? a : b;
        other = a->group == gi ? b : a;
        o = json_object();
        json_object_set_new(o, "actor", json_string(ruru_actors_group(reg, other->group)->name));
        json_object_set_new(o, "relation", json_string("not-merged"));
        json_object_set_new(o, "link", json_string(ruru_actors_link_name(j->link)));
        if (j->name)
            json_object_set_new(o, "name", json_string(j->name));
        json_object_set_new(o, "why", json_string(j->refused));
        json_object_set_new(o, "member", member_label(mine));
        json_object_set_new(o, "other", member_label(other));
        append_once(out, o);
    }
    return sorted_related(out);
}

static json_t *actor_full(sqlite3 *db,
                          const struct ruru_actor_registry *reg,
                          size_t gi,
                          const struct ruru_vec *links)
{
    const struct ruru_actor_group *g = ruru_actors_group(reg, gi);
    json_t *o = json_object(), *members = json_array(), *claims = json_array();
    json_t *conflicts = json_array();
    const char *sponsor, *country;
    bool disputed, assessed;

    json_object_set_new(o, "name", json_string(g->name));
    json_object_set_new(o, "aliases", alias_list(reg, g, true));
    country = ruru_actors_group_state(reg, gi, &sponsor, &disputed, &assessed);
    json_object_set_new(o, "country", country ? json_string(country) : json_null());
    json_object_set_new(o, "sponsor", sponsor ? json_string(sponsor) : json_null());
    json_object_set_new(o, "sponsor_disputed", json_boolean(disputed));
    json_object_set_new(o, "sponsor_assessed", json_boolean(assessed));
    for (size_t k = 0; k < g->n_members; k++) {
        const struct ruru_actor_member *m = ruru_actors_member(reg, g->members[k]);
        json_t *mo = json_object();
        json_object_set_new(mo, "ref", json_string(m->ref));
        json_object_set_new(mo, "name", json_string(m->name));
        json_object_set_new(mo, "source", json_string(m->source));
        if (m->source_type)
            json_object_set_new(mo, "via", json_string(m->source_type));
        if (m->country)
            json_object_set_new(mo, "country", json_string(m->country));
        if (m->sponsor)
            json_object_set_new(mo, "sponsor", json_string(m->sponsor));
        if (m->confidence >= 0)
            json_object_set_new(mo, "confidence", json_integer(m->confidence));
        if (m->is_assessment) {
            json_object_set_new(mo, "assessment", json_true());
            if (m->description)
                json_object_set_new(mo, "note", json_string(m->description));
        }
        json_object_set_new(mo, "joined", member_joins(reg, g->members[k]));
        json_array_append_new(members, mo);
        if (m->country || m->sponsor) {
            json_t *c = source_label(m);
            json_object_set_new(c, "country", m->country ? json_string(m->country) : json_null());
            if (m->sponsor)
                json_object_set_new(c, "sponsor", json_string(m->sponsor));
            json_array_append_new(claims, c);
        }
    }
    json_object_set_new(o, "sponsor_claims", claims);
    json_object_set_new(o, "members", members);
    json_object_set_new(o, "indicators", indicator_counts(links, gi, true));
    json_object_set_new(o, "techniques", sorted_by_id(techniques(db, reg, g)));
    for (size_t c = 0; c < ruru_actors_n_conflicts(reg); c++) {
        const struct ruru_actor_conflict *cf = ruru_actors_conflict(reg, c);
        bool mine = false;
        json_t *others;
        for (size_t k = 0; k < cf->n_groups; k++)
            mine |= cf->groups[k] == gi;
        if (!mine)
            continue;
        others = json_array();
        for (size_t k = 0; k < cf->n_groups; k++)
            if (cf->groups[k] != gi)
                json_array_append_new(others,
                                      json_string(ruru_actors_group(reg, cf->groups[k])->name));
        json_t *co = json_object();
        json_object_set_new(co, "name", json_string(cf->name));
        json_object_set_new(co, "also_claimed_by", others);
        json_array_append_new(conflicts, co);
    }
    json_object_set_new(o, "conflicts", conflicts);
    json_object_set_new(o, "related", related(reg, gi));
    return o;
}

struct order {
    const struct ruru_actor_registry *reg;
    size_t g;
};

static int cmp_group_name(const void *a, const void *b)
{
    const struct order *x = a, *y = b;
    int c = ruru_ascii_casecmp(ruru_actors_group(x->reg, x->g)->name,
                               ruru_actors_group(y->reg, y->g)->name);

    if (c != 0)
        return c;
    return x->g < y->g ? -1 : x->g > y->g;
}

enum ruru_err ruru_actors(ruru_store *store, const char *name, char **out, struct ruru_diag *diag)
{
    sqlite3 *db = ruru_store_db(store);
    struct ruru_actor_registry *reg = NULL;
    struct ruru_vec links;
    json_t *doc, *list;
    enum ruru_err err;

    ruru_diag_clear(diag);
    ruru_vec_init(&links, sizeof(struct link), MAX_LINKS);
    err = ruru_actors_build(db, &reg, diag);
    if (err != RURU_OK)
        return err;
    err = collect_links(db, reg, &links);
    if (err != RURU_OK) {
        ruru_actors_destroy(reg);
        ruru_vec_fini(&links);
        return ruru_diag_set(diag, err, NULL, 0, 0, "reading indicator links: %s",
                             err == RURU_EDB ? sqlite3_errmsg(db) : "out of memory");
    }
    doc = json_object();
    list = json_array();
    if (name != NULL) {
        const size_t *groups;
        size_t n = ruru_actors_by_name(reg, name, &groups);
        json_object_set_new(doc, "query", json_string(name));
        if (n == 0) {
            json_decref(doc);
            json_decref(list);
            ruru_actors_destroy(reg);
            ruru_vec_fini(&links);
            return ruru_diag_set(diag, RURU_ENOTFOUND, NULL, 0, 0, "no actor named \"%s\"", name);
        }
        json_object_set_new(doc, "ambiguous", json_boolean(n > 1));
        for (size_t k = 0; k < n; k++)
            json_array_append_new(list, actor_full(db, reg, groups[k], &links));
        json_object_set_new(doc, "actors", list);
    } else {
        size_t n = ruru_actors_n_groups(reg);
        struct order *ord = ruru_calloc(n + 1, sizeof(*ord));
        json_t *conflicts = json_array();
        if (ord == NULL) {
            json_decref(doc);
            json_decref(list);
            json_decref(conflicts);
            ruru_actors_destroy(reg);
            ruru_vec_fini(&links);
            return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            ord[i].reg = reg;
            ord[i].g = i;
        }
        qsort(ord, n, sizeof(*ord), cmp_group_name);
        for (size_t i = 0; i < n; i++) {
            const struct ruru_actor_group *g = ruru_actors_group(reg, ord[i].g);
            const char *sponsor, *country;
            bool disputed, assessed;
            json_t *o = json_object(), *srcs = json_array(), *seen = json_object();
            json_object_set_new(o, "name", json_string(g->name));
            json_object_set_new(o, "aliases", alias_list(reg, g, false));
            country = ruru_actors_group_state(reg, ord[i].g, &sponsor, &disputed, &assessed);
            json_object_set_new(o, "country", country ? json_string(country) : json_null());
            json_object_set_new(o, "sponsor", sponsor ? json_string(sponsor) : json_null());
            if (assessed)
                json_object_set_new(o, "assessed", json_true());
            for (size_t k = 0; k < g->n_members; k++) {
                const struct ruru_actor_member *m = ruru_actors_member(reg, g->members[k]);
                if (json_object_get(seen, m->source) == NULL) {
                    json_object_set_new(seen, m->source, json_true());
                    json_array_append_new(srcs, json_string(m->source));
                }
            }
            json_decref(seen);
            json_object_set_new(o, "sources", srcs);
            json_object_set_new(o, "indicators", indicator_counts(&links, ord[i].g, false));
            json_array_append_new(list, o);
        }
        ruru_free(ord);
        for (size_t c = 0; c < ruru_actors_n_conflicts(reg); c++) {
            const struct ruru_actor_conflict *cf = ruru_actors_conflict(reg, c);
            json_t *co = json_object(), *names = json_array();
            for (size_t k = 0; k < cf->n_groups; k++)
                json_array_append_new(names,
                                      json_string(ruru_actors_group(reg, cf->groups[k])->name));
            json_object_set_new(co, "name", json_string(cf->name));
            json_object_set_new(co, "actors", names);
            json_array_append_new(conflicts, co);
        }
        json_object_set_new(doc, "actors", list);
        json_object_set_new(doc, "conflicts", conflicts);
    }
    ruru_actors_destroy(reg);
    ruru_vec_fini(&links);
    return ruru_query_finish(doc, out, diag);
}
