/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actor registry: which actor entities, from whichever sources, are one actor.
 *
 * Sources name actors differently: the MISP threat-actor galaxy says "APT40" with synonyms
 * Leviathan, GADOLINIUM, BRONZE MOHAWK ...; the ATT&CK galaxy says "Leviathan - G0065"; the
 * Microsoft galaxy says "GADOLINIUM"; a STIX bundle says intrusion-set "APT40"; a CSV says
 * actor "Kryptonite Panda". The registry joins members only on identity, strongest first:
 *
 *   1. the CERT's own assessment (intel/assess.c): its actor's name, aliases and same-as;
 *   2. the same object: a galaxy uuid and a STIX id ending in it, or one ref in two sources;
 *   3. a same-as relationship between two actor entities;
 *   4. the same own ATT&CK id ("APT16 - G0023" owns G0023);
 *   5. the same own name;
 *   6. each lists the other's own name or id among its synonyms;
 *   7. a synonym of one is the other's own name or id - unless another member of the lister's
 *      own source lists or owns that name too (then the name is ambiguous there).
 *
 * Never on similarity: a galaxy's `related` links ("similar", "overlaps", ...) and STIX
 * attributed-to between actors are shown as relations, not followed; two members that merely
 * share a synonym (two Microsoft groups both listing KAOS) stay apart, and the name is
 * ambiguous. Steps 3 to 7 never put two members of one *authority* (one galaxy, one feed's
 * STIX objects, one CERT's assessments) into one actor: a galaxy that keeps two clusters apart
 * holds them to be two actors, and a third source's synonyms do not overrule it. Nothing but
 * the CERT's same-as joins two actors it declares not-same-as. A join refused for either
 * reason is kept and shown, so that an analyst sees the link and why it was not followed.
 *
 * Names compare by a key that ignores case, spaces and punctuation ("TEMP.Periscope" ==
 * "temp periscope", "APT 16" == "APT16"). A name resolves to the actor that owns it (own name
 * or ATT&CK id); a name only listed as a synonym resolves to the actor listing it; a name that
 * several actors own, or several list and none owns, is a conflict: lookups return every
 * claimant and nothing is merged on its account.
 *
 * Worked example: A (threat-actor "Tonto Team", synonyms CactusPete, G0131, ...), B (ATT&CK
 * "Tonto Team - G0131": name Tonto Team, id G0131), C (Microsoft "Copper Typhoon", synonyms
 * Tonto Team, Earth Akhlut). Step 4: A lists G0131, but as a synonym, so no; step 5 joins A
 * and B (own name Tonto Team); step 7 joins C (its synonym "Tonto Team" is A's and B's own
 * name, and no other Microsoft group lists it). One actor, "Tonto Team"; the name Earth Akhlut,
 * which A, B and C all list, resolves to it.
 */
#include "intel/actors.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/str.h"
#include "intel/actors_int.h"

size_t ruru_actors_name_key(const char *name, char *out, size_t cap)
{
    size_t n = 0;

    if (cap == 0)
        return 0;
    for (const char *p = name; *p && n + 1 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80 || ruru_is_digit((char)c) || ruru_is_alpha((char)c))
            out[n++] = ruru_lower((char)c);
    }
    if (n == 0) {
        for (const char *p = name; *p && n + 1 < cap; p++)
            out[n++] = ruru_lower(*p);
    }
    out[n] = '\0';
    return n;
}

const char *ruru_actors_link_name(enum ruru_actor_link link)
{
    switch (link) {
    case RURU_ACTOR_LINK_ASSESSMENT:
        return "assessment";
    case RURU_ACTOR_LINK_OBJECT_ID:
        return "object-id";
    case RURU_ACTOR_LINK_SAME_AS:
        return "same-as";
    case RURU_ACTOR_LINK_ATTACK_ID:
        return "attack-id";
    case RURU_ACTOR_LINK_NAME:
        return "own-name";
    case RURU_ACTOR_LINK_SYNONYM_MUTUAL:
        return "synonyms-both-ways";
    case RURU_ACTOR_LINK_SYNONYM:
        return "synonym-is-own-name";
    }
    return "?";
}

/* ---- union-find, with what each group holds ---------------------------------------------- */

struct uf {
    size_t *parent;
    size_t **mem; /* per root: its members */
    size_t *n_mem;
};

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Joins the roots a and b (the smaller index becomes the root, so that the result does not
 * depend on the order of equal joins). */
static enum ruru_err uf_join(struct uf *u, size_t a, size_t b)
{
    size_t r = a < b ? a : b, o = a < b ? b : a;
    size_t *m = ruru_realloc(u->mem[r], (u->n_mem[r] + u->n_mem[o]) * sizeof(*m));

    if (m == NULL)
        return RURU_ENOMEM;
    memcpy(m + u->n_mem[r], u->mem[o], u->n_mem[o] * sizeof(*m));
    u->mem[r] = m;
    u->n_mem[r] += u->n_mem[o];
    ruru_free(u->mem[o]);
    u->mem[o] = NULL;
    u->n_mem[o] = 0;
    u->parent[o] = r;
    return RURU_OK;
}

/* ---- loading ----------------------------------------------------------------------------- */

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    return s ? ruru_strdup(s) : NULL;
}

static enum ruru_err
load_members(sqlite3 *db, struct ruru_actor_registry *reg, struct ruru_map *by_id)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    enum ruru_err err = RURU_OK;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT e.id, e.ref, e.name, e.country, e.sponsor, s.name,"
                           " e.source_type, e.confidence, e.external_id, e.description"
                           " FROM entities e JOIN sources s ON s.id = e.source_id"
                           " WHERE e.kind = 'actor' AND NOT e.revoked ORDER BY e.ref, s.name",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ruru_actor_member *m;
        int64_t id = sqlite3_column_int64(st, 0);
        if (reg->n_members == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct ruru_actor_member *nm = ruru_realloc(reg->members, ncap * sizeof(*nm));
            if (nm == NULL) {
                err = RURU_ENOMEM;
                break;
            }
            reg->members = nm;
            cap = ncap;
        }
        m = &reg->members[reg->n_members];
        memset(m, 0, sizeof(*m));
        m->entity_id = id;
        m->ref = col_dup(st, 1);
        m->name = col_dup(st, 2);
        m->country = col_dup(st, 3);
        m->sponsor = col_dup(st, 4);
        m->source = col_dup(st, 5);
        m->source_type = col_dup(st, 6);
        m->confidence = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7);
        m->external_id = col_dup(st, 8);
        m->description = col_dup(st, 9);
        m->is_assessment =
                m->source_type != NULL && strcmp(m->source_type, RURU_ACTOR_ASSESSMENT) == 0;
        reg->n_members++;
        if (m->ref == NULL || m->name == NULL || m->source == NULL ||
            ruru_map_put(by_id, (const char *)&id, sizeof(id), (int64_t)reg->n_members - 1)) {
            err = RURU_ENOMEM;
            break;
        }
    }
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = RURU_EDB;
    sqlite3_finalize(st);
    return err;
}

static enum ruru_err
load_aliases(sqlite3 *db, struct ruru_actor_registry *reg, const struct ruru_map *by_id)
{
    sqlite3_stmt *st = NULL;
    enum ruru_err err = RURU_OK;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT a.entity_id, a.alias FROM aliases a"
                           " JOIN entities e ON e.id = a.entity_id WHERE e.kind = 'actor'"
                           " ORDER BY a.entity_id, a.rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), idx;
        struct ruru_actor_member *m;
        char **na, *alias;
        if (!ruru_map_get(by_id, (const char *)&id, sizeof(id), &idx))
            continue; /* a revoked actor's alias */
        m = &reg->members[idx];
        alias = col_dup(st, 1);
        na = alias ? ruru_realloc(m->aliases, (m->n_aliases + 1) * sizeof(*na)) : NULL;
        if (na == NULL) {
            ruru_free(alias);
            err = RURU_ENOMEM;
            break;
        }
        m->aliases = na;
        m->aliases[m->n_aliases++] = alias;
    }
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = RURU_EDB;
    sqlite3_finalize(st);
    return err;
}

/* The object id of a ref: the uuid after "type--", or the ref itself (a galaxy uuid). */
static const char *object_id(const char *ref)
{
    const char *dd = strstr(ref, "--");

    return dd != NULL ? dd + 2 : ref;
}

/* Authorities: one per (source, source_type). */
static enum ruru_err assign_authorities(struct ruru_actor_registry *reg)
{
    struct ruru_map m;

    enum ruru_err err = RURU_OK;
    int64_t next = 0;

    ruru_map_init(&m);
    for (size_t i = 0; i < reg->n_members && err == RURU_OK; i++) {
        const struct ruru_actor_member *x = &reg->members[i];
        const char *t = x->source_type ? x->source_type : "";
        size_t ns = strlen(x->source), nt = strlen(t);
        char *key = ruru_malloc(ns + nt + 2);
        int64_t a;
        if (key == NULL) {
            err = RURU_ENOMEM;
            break;
        }
        memcpy(key, x->source, ns);
        key[ns] = '\x1f';
        memcpy(key + ns + 1, t, nt + 1);
        if (!ruru_map_get(&m, key, ns + nt + 1, &a)) {
            a = next++;
            err = ruru_map_put(&m, key, ns + nt + 1, a);
        }
        reg->members[i].authority = (size_t)a;
        ruru_free(key);
    }

    ruru_map_fini(&m);
    return err;
}

/* ---- relationships ----------------------------------------------------------------------- */

/* The members a relationship's end names: the member with that ref (or object id); else, for
 * a CERT assessment's same-as / not-same-as, the members owning that name, or the one member
 * listing it. Returns how many (at most cap) in out. */
/* The members owning key; else the one member listing it. Returns how many (at most cap). */
static size_t
members_by_key(const struct ruru_actors_claims *c, const char *key, size_t *out, size_t cap)
{
    size_t n = 0, n_syn = 0, syn = 0, lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->v[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->n && strcmp(c->v[lo].key, key) == 0; lo++) {
        if (c->v[lo].kind != RURU_ACTORS_CLAIM_SYNONYM && n < cap)
            out[n++] = c->v[lo].member;
        else if (c->v[lo].kind == RURU_ACTORS_CLAIM_SYNONYM) {
            syn = c->v[lo].member;
            n_syn++;
        }
    }
    if (n == 0 && n_syn == 1)
        out[n++] = syn;
    return n;
}

static size_t resolve_end(const struct ruru_map *ref_member,
                          const struct ruru_actors_claims *c,
                          const char *end,
                          bool by_name,
                          size_t *out,
                          size_t cap)
{
    int64_t m;
    char key[RURU_ACTORS_KEY_BYTES], buf[RURU_ACTORS_KEY_BYTES];
    size_t head, n;
    const char *id;

    if (ruru_map_get(ref_member, end, strlen(end), &m) ||
        ruru_map_get(ref_member, object_id(end), strlen(object_id(end)), &m)) {
        out[0] = (size_t)m;
        return 1;
    }
    if (!by_name)
        return 0;
    id = ruru_actors_attack_suffix(end, &head);
    if (id != NULL) {
        /* "APT16 - G0023": by the id, else by the name before it. */
        ruru_actors_name_key(id, key, sizeof(key));
        if ((n = members_by_key(c, key, out, cap)) > 0)
            return n;
        if (head >= sizeof(buf))
            head = sizeof(buf) - 1;
        memcpy(buf, end, head);
        buf[head] = '\0';
        end = buf;
    }
    ruru_actors_name_key(end, key, sizeof(key));
    return members_by_key(c, key, out, cap);
}

struct constraint {
    size_t *a, *b; /* members that must not end in one actor with each other */
    size_t n_a, n_b;
};

struct rel_state {
    struct ruru_map ref_member;
    struct constraint *cons;
    size_t n_cons;
};

static enum ruru_err
add_relation(struct ruru_actor_registry *reg, size_t a, size_t b, const char *type)
{
    struct ruru_actor_relation *v;

    for (size_t i = 0; i < reg->n_relations; i++)
        if (reg->relations[i].a == a && reg->relations[i].b == b &&
            strcmp(reg->relations[i].type, type) == 0)
            return RURU_OK;
    v = ruru_realloc(reg->relations, (reg->n_relations + 1) * sizeof(*v));
    if (v == NULL)
        return RURU_ENOMEM;
    reg->relations = v;
    v[reg->n_relations].a = a;
    v[reg->n_relations].b = b;
    v[reg->n_relations].type = ruru_strdup(type);
    if (v[reg->n_relations].type == NULL)
        return RURU_ENOMEM;
    reg->n_relations++;
    return RURU_OK;
}

/* Reads every relationship between actors: same-as joins (step 3, or step 1 for the CERT's),
 * the CERT's not-same-as become constraints, the rest are relations to show. */
static enum ruru_err load_relations(sqlite3 *db,
                                    struct ruru_actor_registry *reg,
                                    const struct ruru_actors_claims *c,
                                    struct rel_state *rs,
                                    struct ruru_actors_edges *e)
{
    sqlite3_stmt *st = NULL;
    enum ruru_err err = RURU_OK;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT src, type, dst FROM relations WHERE NOT revoked"
                           " AND type NOT IN ('indicates', 'uses', 'targets', 'delivers',"
                           " 'deploys', 'revoked-by', 'subtechnique-of', 'mitigates')"
                           " ORDER BY src, type, dst",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while (err == RURU_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        const char *dst = (const char *)sqlite3_column_text(st, 2);
        size_t a, b[RURU_ACTORS_MAX_RUN_CLAIMS], n_b;
        bool cert, same;
        if (src == NULL || type == NULL || dst == NULL ||
            resolve_end(&rs->ref_member, c, src, false, &a, 1) != 1)
            continue;
        cert = reg->members[a].is_assessment;
        same = strcmp(type, "same-as") == 0;
        n_b = resolve_end(&rs->ref_member, c, dst, cert, b, RURU_ACTORS_MAX_RUN_CLAIMS);
        if (n_b == 0)
            continue;
        if (cert && strcmp(type, "not-same-as") == 0) {
            struct constraint *cv = ruru_realloc(rs->cons, (rs->n_cons + 1) * sizeof(*cv));
            size_t own[RURU_ACTORS_MAX_RUN_CLAIMS], n_own;
            if (cv == NULL) {
                err = RURU_ENOMEM;
                break;
            }
            rs->cons = cv;
            cv = &rs->cons[rs->n_cons];
            /* This side: the CERT's actor and every member owning its name. */
            n_own = resolve_end(&rs->ref_member, c, reg->members[a].name, true, own,
                                RURU_ACTORS_MAX_RUN_CLAIMS);
            cv->a = ruru_malloc((n_own + 1) * sizeof(size_t));
            cv->b = ruru_malloc(n_b * sizeof(size_t));
            if (cv->a == NULL || cv->b == NULL) {
                ruru_free(cv->a);
                ruru_free(cv->b);
                err = RURU_ENOMEM;
                break;
            }
            cv->a[0] = a;
            memcpy(cv->a + 1, own, n_own * sizeof(size_t));
            cv->n_a = n_own + 1;
            memcpy(cv->b, b, n_b * sizeof(size_t));
            cv->n_b = n_b;
            rs->n_cons++;
        }
        for (size_t k = 0; k < n_b && err == RURU_OK; k++) {
            if (b[k] == a)
                continue;
            if (same)
                err = ruru_actors_add_edge(
                        e, a, b[k], cert ? RURU_ACTOR_LINK_ASSESSMENT : RURU_ACTOR_LINK_SAME_AS,
                        cert ? reg->members[b[k]].name : NULL);
            else
                err = add_relation(reg, a, b[k], type);
        }
    }
    sqlite3_finalize(st);
    if (err == RURU_OK && rc != SQLITE_DONE)
        err = RURU_EDB;
    return err;
}

/* Would joining roots ra and rb put both sides of a not-same-as into one actor? */
static bool violates(const struct rel_state *rs, size_t *parent, size_t ra, size_t rb)
{
    for (size_t i = 0; i < rs->n_cons; i++) {
        const struct constraint *k = &rs->cons[i];
        bool a_in_a = false, a_in_b = false, b_in_a = false, b_in_b = false;
        for (size_t j = 0; j < k->n_a; j++) {
            size_t r = uf_find(parent, k->a[j]);
            a_in_a |= r == ra;
            a_in_b |= r == rb;
        }
        for (size_t j = 0; j < k->n_b; j++) {
            size_t r = uf_find(parent, k->b[j]);
            b_in_a |= r == ra;
            b_in_b |= r == rb;
        }
        if ((a_in_a && b_in_b) || (a_in_b && b_in_a))
            return true;
    }
    return false;
}

static enum ruru_err
record_join(struct ruru_actor_registry *reg, const struct ruru_actors_edge *x, const char *refused)
{
    struct ruru_actor_join *v = ruru_realloc(reg->joins, (reg->n_joins + 1) * sizeof(*v));

    if (v == NULL)
        return RURU_ENOMEM;
    reg->joins = v;
    v[reg->n_joins].a = x->a;
    v[reg->n_joins].b = x->b;
    v[reg->n_joins].link = x->link;
    v[reg->n_joins].name = x->name;
    v[reg->n_joins].refused = refused;
    reg->n_joins++;
    return RURU_OK;
}

/* Would joining roots ra and rb put into one actor two members that their one source keeps
 * apart (of one authority, and neither naming the other)? */
static bool kept_apart(const struct ruru_actor_registry *reg,
                       const struct ruru_actors_claims *c,
                       const struct uf *u,
                       size_t ra,
                       size_t rb)
{
    /* Real actors have a few members; a hostile store could make one of thousands, and
     * every join would compare it pairwise: such a group takes no more joins by name. */
    if (u->n_mem[ra] + u->n_mem[rb] > MAX_GROUP_MEMBERS)
        return true;
    for (size_t i = 0; i < u->n_mem[ra]; i++)
        for (size_t j = 0; j < u->n_mem[rb]; j++) {
            size_t x = u->mem[ra][i], y = u->mem[rb][j];
            if (reg->members[x].authority == reg->members[y].authority &&
                !ruru_actors_linked(c, reg, x, y))
                return true;
        }
    return false;
}

/* Makes the joins, strongest first; records each made and each refused. */
static enum ruru_err join_all(struct ruru_actor_registry *reg,
                              const struct ruru_actors_claims *c,
                              struct ruru_actors_edges *e,
                              const struct rel_state *rs,
                              struct uf *u)
{
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].link >= RURU_ACTOR_LINK_SYNONYM_MUTUAL)
            e->v[i].overlap = ruru_actors_overlap(reg, c, e->v[i].a, e->v[i].b);
    if (e->n > 0)
        qsort(e->v, e->n, sizeof(*e->v), ruru_actors_cmp_edge);
    for (size_t i = 0; i < e->n && err == RURU_OK; i++) {
        const struct ruru_actors_edge *x = &e->v[i];
        size_t ra = uf_find(u->parent, x->a), rb = uf_find(u->parent, x->b);
        if (ra == rb)
            continue;
        if (x->link > RURU_ACTOR_LINK_SAME_AS && kept_apart(reg, c, u, ra, rb)) {
            err = record_join(reg, x, RURU_ACTORS_WHY_AUTHORITY);
            continue;
        }
        if (x->link != RURU_ACTOR_LINK_ASSESSMENT && violates(rs, u->parent, ra, rb)) {
            err = record_join(reg, x, RURU_ACTORS_WHY_NOT_SAME_AS);
            continue;
        }
        err = uf_join(u, ra, rb);
        if (err == RURU_OK)
            err = record_join(reg, x, NULL);
    }
    for (size_t i = 0; i < e->n_refused && err == RURU_OK; i++) {
        struct ruru_actor_join *v;
        if (uf_find(u->parent, e->refused[i].a) == uf_find(u->parent, e->refused[i].b))
            continue; /* joined by something else */
        v = ruru_realloc(reg->joins, (reg->n_joins + 1) * sizeof(*v));
        if (v == NULL)
            return RURU_ENOMEM;
        reg->joins = v;
        v[reg->n_joins++] = e->refused[i];
    }
    return err;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* ---- groups and names --------------------------------------------------------------------- */

static enum ruru_err build_groups(struct ruru_actor_registry *reg, size_t *parent)
{
    size_t *group_of_root = ruru_malloc((reg->n_members + 1) * sizeof(size_t));

    if (group_of_root == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < reg->n_members; i++)
        group_of_root[i] = SIZE_MAX;
    reg->groups = ruru_calloc(reg->n_members + 1, sizeof(*reg->groups));
    reg->ident = ruru_malloc((reg->n_members + 1) * sizeof(size_t));
    if (reg->groups == NULL || reg->ident == NULL) {
        ruru_free(group_of_root);
        return RURU_ENOMEM;
    }
    for (size_t i = 0; i < reg->n_members; i++) {
        size_t r = uf_find(parent, i), g;
        struct ruru_actor_group *gr;
        size_t *nm;
        if (group_of_root[r] == SIZE_MAX) {
            group_of_root[r] = reg->n_groups;
            reg->ident[reg->n_groups] = reg->n_groups;
            reg->n_groups++;
        }
        g = group_of_root[r];
        gr = &reg->groups[g];
        nm = ruru_realloc(gr->members, (gr->n_members + 1) * sizeof(*nm));
        if (nm == NULL) {
            ruru_free(group_of_root);
            return RURU_ENOMEM;
        }
        gr->members = nm;
        gr->members[gr->n_members++] = i;
        reg->members[i].group = g;
    }
    ruru_free(group_of_root);
    for (size_t g = 0; g < reg->n_groups; g++) {
        struct ruru_actor_group *gr = &reg->groups[g];
        /* Every group has at least one member: it was made from one. */
        const struct ruru_actor_member *best = &reg->members[gr->members[0]];
        for (size_t k = 1; k < gr->n_members; k++) {
            const struct ruru_actor_member *m = &reg->members[gr->members[k]];
            if (m->is_assessment != best->is_assessment) {
                if (m->is_assessment)
                    best = m;
                continue;
            }
            if (m->n_aliases > best->n_aliases ||
                (m->n_aliases == best->n_aliases && strcmp(m->name, best->name) < 0))
                best = m;
        }
        gr->name = best->name;
    }
    return RURU_OK;
}

/* Distinct groups of claims[lo..hi) of the wanted kinds (own or synonym) into out, sorted;
 * returns how many. */
static size_t run_groups(const struct ruru_actor_registry *reg,
                         const struct ruru_actors_claim *v,
                         size_t lo,
                         size_t hi,
                         bool own,
                         size_t *out)
{
    size_t n = 0, k = 0;

    for (size_t i = lo; i < hi; i++)
        if ((v[i].kind != RURU_ACTORS_CLAIM_SYNONYM) == own)
            out[n++] = reg->members[v[i].member].group;
    if (n == 0)
        return 0;
    qsort(out, n, sizeof(*out), cmp_size);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[k - 1] != out[i])
            out[k++] = out[i];
    return k;
}

/* by_name: a key owned by one group is that group's; owned by none and listed by one, that
 * one's; owned by several, or listed by several and owned by none, a conflict. */
static enum ruru_err
index_names(struct ruru_actor_registry *reg, const struct ruru_actors_claims *c, size_t *scratch)
{
    for (size_t lo = 0, hi; lo < c->n; lo = hi) {
        size_t n, *groups;
        const char *raw = NULL;
        struct ruru_actor_conflict *cf;
        for (hi = lo + 1; hi < c->n && strcmp(c->v[hi].key, c->v[lo].key) == 0; hi++)
            ;
        n = run_groups(reg, c->v, lo, hi, true, scratch);
        if (n == 0)
            n = run_groups(reg, c->v, lo, hi, false, scratch);
        if (n == 1) {
            if (ruru_map_put(&reg->by_name, c->v[lo].key, strlen(c->v[lo].key),
                             (int64_t)scratch[0]) != RURU_OK)
                return RURU_ENOMEM;
            continue;
        }
        for (size_t i = lo; i < hi && raw == NULL; i++)
            if (c->v[i].kind == c->v[lo].kind)
                raw = c->v[i].raw;
        cf = ruru_realloc(reg->conflicts, (reg->n_conflicts + 1) * sizeof(*cf));
        if (cf == NULL)
            return RURU_ENOMEM;
        reg->conflicts = cf;
        cf = &reg->conflicts[reg->n_conflicts];
        groups = ruru_malloc(n * sizeof(*groups));
        cf->name = ruru_strdup(raw);
        if (groups == NULL || cf->name == NULL) {
            ruru_free(groups);
            ruru_free(cf->name);
            return RURU_ENOMEM;
        }
        memcpy(groups, scratch, n * sizeof(*groups));
        cf->groups = groups;
        cf->n_groups = n;
        reg->n_conflicts++;
        if (ruru_map_put(&reg->by_name, c->v[lo].key, strlen(c->v[lo].key),
                         -(int64_t)reg->n_conflicts) != RURU_OK)
            return RURU_ENOMEM;
    }
    return RURU_OK;
}

/* Campaigns attributed to an actor resolve to it too (one hop). */
static enum ruru_err index_campaigns(sqlite3 *db, struct ruru_actor_registry *reg)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT r.src, r.dst FROM relations r JOIN entities e ON e.ref = r.src"
                           " WHERE r.type = 'attributed-to' AND e.kind = 'campaign'"
                           " AND NOT r.revoked ORDER BY r.src, r.dst",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *src = (const char *)sqlite3_column_text(st, 0);
        const char *dst = (const char *)sqlite3_column_text(st, 1);
        int64_t g, have;
        if (src && dst && ruru_map_get(&reg->by_ref, dst, strlen(dst), &g) &&
            !ruru_map_get(&reg->by_ref, src, strlen(src), &have) &&
            ruru_map_put(&reg->by_ref, src, strlen(src), g) != RURU_OK) {
            sqlite3_finalize(st);
            return RURU_ENOMEM;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RURU_OK : RURU_EDB;
}

void ruru_actors_destroy(struct ruru_actor_registry *reg)
{
    if (reg == NULL)
        return;
    for (size_t i = 0; i < reg->n_members; i++) {
        struct ruru_actor_member *m = &reg->members[i];
        ruru_free(m->ref);
        ruru_free(m->name);
        ruru_free(m->external_id);
        ruru_free(m->country);
        ruru_free(m->sponsor);
        ruru_free(m->source);
        ruru_free(m->source_type);
        ruru_free(m->description);
        for (size_t k = 0; k < m->n_aliases; k++)
            ruru_free(m->aliases[k]);
        ruru_free(m->aliases);
    }
    ruru_free(reg->members);
    for (size_t g = 0; g < reg->n_groups; g++)
        ruru_free(reg->groups[g].members);
    ruru_free(reg->groups);
    ruru_free(reg->ident);
    for (size_t c = 0; c < reg->n_conflicts; c++) {
        ruru_free(reg->conflicts[c].name);
        ruru_free(reg->conflicts[c].groups);
    }
    ruru_free(reg->conflicts);
    for (size_t i = 0; i < reg->n_joins && reg->join_names_owned; i++)
        ruru_free((char *)(uintptr_t)reg->joins[i].name);
    ruru_free(reg->joins);
    for (size_t i = 0; i < reg->n_relations; i++)
        ruru_free(reg->relations[i].type);
    ruru_free(reg->relations);
    ruru_map_fini(&reg->by_ref);
    ruru_map_fini(&reg->by_name);
    ruru_free(reg);
}

/* The joins' names point into claims (member strings) or relation rows: own a copy each, and
 * drop refused joins whose two ends ended in one actor anyway. */
static enum ruru_err settle_joins(struct ruru_actor_registry *reg)
{
    size_t k = 0;
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < reg->n_joins; i++) {
        struct ruru_actor_join j = reg->joins[i];
        if (j.refused != NULL && reg->members[j.a].group == reg->members[j.b].group)
            continue;
        if (j.name != NULL && err == RURU_OK) {
            j.name = ruru_strdup(j.name);
            if (j.name == NULL)
                err = RURU_ENOMEM;
        } else {
            j.name = NULL;
        }
        reg->joins[k++] = j;
    }
    reg->n_joins = k;
    reg->join_names_owned = true;
    return err;
}

static void free_rel_state(struct rel_state *rs)
{
    for (size_t i = 0; i < rs->n_cons; i++) {
        ruru_free(rs->cons[i].a);
        ruru_free(rs->cons[i].b);
    }
    ruru_free(rs->cons);
    ruru_map_fini(&rs->ref_member);
}

static enum ruru_err uf_init(struct uf *u, const struct ruru_actor_registry *reg)
{
    size_t n = reg->n_members + 1;

    u->parent = ruru_malloc(n * sizeof(*u->parent));
    u->mem = ruru_calloc(n, sizeof(*u->mem));
    u->n_mem = ruru_calloc(n, sizeof(*u->n_mem));
    if (u->parent == NULL || u->mem == NULL || u->n_mem == NULL)
        return RURU_ENOMEM;
    for (size_t i = 0; i < reg->n_members; i++) {
        u->parent[i] = i;
        if ((u->mem[i] = ruru_malloc(sizeof(size_t))) == NULL)
            return RURU_ENOMEM;
        u->mem[i][0] = i;
        u->n_mem[i] = 1;
    }
    return RURU_OK;
}

static void uf_fini(struct uf *u, size_t n)
{
    for (size_t i = 0; u->mem != NULL && i < n; i++)
        ruru_free(u->mem[i]);
    ruru_free(u->mem);
    ruru_free(u->n_mem);
    ruru_free(u->parent);
}

/* Step 2: members of one object id (refs and STIX ids ending in one uuid). */
static enum ruru_err
object_edges(struct ruru_actor_registry *reg, struct rel_state *rs, struct ruru_actors_edges *e)
{
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < reg->n_members && err == RURU_OK; i++) {
        const char *ref = reg->members[i].ref, *oid = object_id(ref);
        int64_t first;
        if (ruru_map_get(&rs->ref_member, ref, strlen(ref), &first) ||
            (oid != ref && ruru_map_get(&rs->ref_member, oid, strlen(oid), &first)))
            err = ruru_actors_add_edge(e, (size_t)first, i, RURU_ACTOR_LINK_OBJECT_ID, NULL);
        if (err == RURU_OK && !ruru_map_get(&rs->ref_member, ref, strlen(ref), &first))
            err = ruru_map_put(&rs->ref_member, ref, strlen(ref), (int64_t)i);
        if (err == RURU_OK && oid != ref &&
            !ruru_map_get(&rs->ref_member, oid, strlen(oid), &first))
            err = ruru_map_put(&rs->ref_member, oid, strlen(oid), (int64_t)i);
    }
    return err;
}

enum ruru_err
ruru_actors_build(sqlite3 *db, struct ruru_actor_registry **out, struct ruru_diag *diag)
{
    struct ruru_actor_registry *reg = ruru_calloc(1, sizeof(*reg));
    struct ruru_map by_id;
    struct ruru_actors_claims c = {NULL, 0, 0};
    struct ruru_actors_edges e;
    struct rel_state rs;
    struct uf u = {NULL, NULL, NULL};
    size_t *scratch = NULL;
    enum ruru_err err;

    memset(&e, 0, sizeof(e));
    memset(&rs, 0, sizeof(rs));
    ruru_map_init(&by_id);
    ruru_map_init(&rs.ref_member);
    if (reg == NULL) {
        ruru_map_fini(&rs.ref_member);
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ruru_map_init(&reg->by_ref);
    ruru_map_init(&reg->by_name);
    err = load_members(db, reg, &by_id);
    if (err == RURU_OK)
        err = load_aliases(db, reg, &by_id);
    if (err == RURU_OK)
        err = assign_authorities(reg);
    if (err == RURU_OK)
        err = ruru_actors_collect_claims(reg, &c);
    if (err == RURU_OK)
        err = object_edges(reg, &rs, &e);
    if (err == RURU_OK)
        err = load_relations(db, reg, &c, &rs, &e);
    if (err == RURU_OK)
        err = ruru_actors_name_edges(reg, &c, &e);
    if (err == RURU_OK)
        err = uf_init(&u, reg);
    if (err == RURU_OK)
        err = join_all(reg, &c, &e, &rs, &u);
    if (err == RURU_OK)
        err = build_groups(reg, u.parent);
    if (err == RURU_OK)
        err = settle_joins(reg);
    if (err == RURU_OK && (scratch = ruru_malloc((c.n + 1) * sizeof(*scratch))) == NULL)
        err = RURU_ENOMEM;
    if (err == RURU_OK)
        err = index_names(reg, &c, scratch);
    for (size_t i = 0; i < reg->n_members && err == RURU_OK; i++) {
        const char *ref = reg->members[i].ref;
        if (ruru_map_put(&reg->by_ref, ref, strlen(ref), (int64_t)reg->members[i].group))
            err = RURU_ENOMEM;
    }
    if (err == RURU_OK)
        err = index_campaigns(db, reg);
    ruru_free(scratch);
    ruru_free(c.v);
    ruru_free(e.v);
    ruru_free(e.refused);
    uf_fini(&u, reg->n_members);
    free_rel_state(&rs);
    ruru_map_fini(&by_id);
    if (err != RURU_OK) {
        ruru_actors_destroy(reg);
        if (err == RURU_EDB)
            return ruru_diag_set(diag, err, NULL, 0, 0, "reading actors: %s", sqlite3_errmsg(db));
        return ruru_diag_set(diag, err, NULL, 0, 0, "out of memory");
    }
    *out = reg;
    return RURU_OK;
}

size_t ruru_actors_n_groups(const struct ruru_actor_registry *reg)
{
    return reg->n_groups;
}

const struct ruru_actor_group *ruru_actors_group(const struct ruru_actor_registry *reg, size_t i)
{
    return i < reg->n_groups ? &reg->groups[i] : NULL;
}

const struct ruru_actor_member *ruru_actors_member(const struct ruru_actor_registry *reg, size_t i)
{
    return i < reg->n_members ? &reg->members[i] : NULL;
}

size_t ruru_actors_n_conflicts(const struct ruru_actor_registry *reg)
{
    return reg->n_conflicts;
}

const struct ruru_actor_conflict *ruru_actors_conflict(const struct ruru_actor_registry *reg,
                                                       size_t i)
{
    return i < reg->n_conflicts ? &reg->conflicts[i] : NULL;
}

size_t ruru_actors_n_joins(const struct ruru_actor_registry *reg)
{
    return reg->n_joins;
}

const struct ruru_actor_join *ruru_actors_join(const struct ruru_actor_registry *reg, size_t i)
{
    return i < reg->n_joins ? &reg->joins[i] : NULL;
}

size_t ruru_actors_n_relations(const struct ruru_actor_registry *reg)
{
    return reg->n_relations;
}

const struct ruru_actor_relation *ruru_actors_relation(const struct ruru_actor_registry *reg,
                                                       size_t i)
{
    return i < reg->n_relations ? &reg->relations[i] : NULL;
}

const char *ruru_actors_group_state(const struct ruru_actor_registry *reg,
                                    size_t gi,
                                    const char **sponsor,
                                    bool *disputed,
                                    bool *assessed)
{
    const struct ruru_actor_group *g = &reg->groups[gi];
    const char *best = NULL;
    size_t best_n = 0;

    *sponsor = NULL;
    *disputed = false;
    *assessed = false;
    for (size_t k = 0; k < g->n_members; k++) {
        const struct ruru_actor_member *m = &reg->members[g->members[k]];
        size_t n = 0;
        if (m->country == NULL)
            continue;
        if (best != NULL && strcmp(best, m->country) != 0)
            *disputed = true;
        if (*assessed)
            continue;
        if (m->is_assessment) {
            /* The CERT's word takes precedence where it speaks. */
            best = m->country;
            *sponsor = m->sponsor;
            *assessed = true;
            continue;
        }
        for (size_t j = 0; j < g->n_members; j++) {
            const struct ruru_actor_member *o = &reg->members[g->members[j]];
            if (o->country && strcmp(o->country, m->country) == 0)
                n++;
        }
        if (n > best_n || (n == best_n && best && strcmp(m->country, best) < 0)) {
            best = m->country;
            best_n = n;
        }
    }
    if (*assessed) {
        for (size_t k = 0; k < g->n_members; k++) {
            const char *c = reg->members[g->members[k]].country;
            if (c != NULL && strcmp(c, best) != 0)
                *disputed = true;
        }
        return best;
    }
    for (size_t k = 0; k < g->n_members && best; k++) {
        const struct ruru_actor_member *m = &reg->members[g->members[k]];
        if (m->sponsor && m->country && strcmp(m->country, best) == 0) {
            *sponsor = m->sponsor;
            break;
        }
    }
    return best;
}

bool ruru_actors_by_ref(const struct ruru_actor_registry *reg, const char *ref, size_t *group)
{
    int64_t g;
    const char *oid = object_id(ref);

    if (!ruru_map_get(&reg->by_ref, ref, strlen(ref), &g) &&
        (oid == ref || !ruru_map_get(&reg->by_ref, oid, strlen(oid), &g)))
        return false;
    *group = (size_t)g;
    return true;
}

static size_t
by_key(const struct ruru_actor_registry *reg, const char *key, size_t n, const size_t **groups)
{
    int64_t v;

    if (!ruru_map_get(&reg->by_name, key, n, &v))
        return 0;
    if (v >= 0) {
        *groups = &reg->ident[v];
        return 1;
    }
    *groups = reg->conflicts[-v - 1].groups;
    return reg->conflicts[-v - 1].n_groups;
}

size_t
ruru_actors_by_name(const struct ruru_actor_registry *reg, const char *name, const size_t **groups)
{
    char key[RURU_ACTORS_KEY_BYTES], buf[RURU_ACTORS_KEY_BYTES];
    size_t head, n;
    const char *id = ruru_actors_attack_suffix(name, &head);

    if (id != NULL) {
        n = by_key(reg, key, ruru_actors_name_key(id, key, sizeof(key)), groups);
        if (n > 0)
            return n;
        if (head >= sizeof(buf))
            head = sizeof(buf) - 1;
        memcpy(buf, name, head);
        buf[head] = '\0';
        name = buf;
    }
    return by_key(reg, key, ruru_actors_name_key(name, key, sizeof(key)), groups);
}

/* A uuid: 8-4-4-4-12 hex digits. */
static bool is_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    size_t n = strlen(s);

    if (n != 36)
        return false;
    for (size_t i = 0, d = 0; i < n; i++) {
        if (d < 4 && (int)i == dash[d]) {
            if (s[i] != '-')
                return false;
            d++;
        } else if (!ruru_is_xdigit(s[i])) {
            return false;
        }
    }
    return true;
}

size_t
ruru_actors_resolve(const struct ruru_actor_registry *reg, const char *link, const size_t **groups)
{
    size_t g;

    if (strstr(link, "--") != NULL || is_uuid(link)) {
        if (!ruru_actors_by_ref(reg, link, &g))
            return 0;
        *groups = &reg->ident[g];
        return 1;
    }
    return ruru_actors_by_name(reg, link, groups);
}
