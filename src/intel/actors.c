/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actor registry: which actor entities, from whichever sources, are one actor.
 *
 * Sources name actors differently: the MISP threat-actor galaxy says "APT40" with synonyms
 * Leviathan, GADOLINIUM, BRONZE MOHAWK ...; the ATT&CK galaxy says "Leviathan - G0065"; the
 * Microsoft galaxy says "GADOLINIUM"; a STIX bundle says intrusion-set "APT40"; a CSV says
 * actor "Kryptonite Panda". The registry groups them with union-find, in this order:
 *
 *   1. the same ref in two sources (the same STIX id or galaxy uuid) is one actor;
 *   2. an explicit link says so: a `similar`, `same-as` or `attributed-to` relationship
 *      between two actor entities (galaxies link APT40 -> Leviathan - G0065 -> GADOLINIUM);
 *   3. entities with the same primary name are one actor;
 *   4. an entity whose primary name is an alias of exactly one other actor, and of nothing
 *      else in its own actor, joins it (a STIX intrusion-set named "Leviathan" joins the
 *      galaxy's APT40).
 *
 * Names compare by a key that ignores case, spaces and punctuation ("TEMP.Periscope" ==
 * "temp periscope"). A name that, after all that, is still claimed by two actors is a
 * conflict: it is never merged silently; lookups by that name return both, and `ruru actors`
 * shows the claims with their sources.
 *
 * Worked example: entities A (galaxy threat-actor "APT40", aliases Leviathan, GADOLINIUM),
 * B (galaxy mitre "Leviathan", aliases APT40), C (galaxy microsoft "GADOLINIUM"), D (STIX
 * intrusion-set "Kryptonite Panda"). Relations A similar B, A similar C: step 2 gives {A,B,C}.
 * D's name is no alias of anything yet... unless A lists "KRYPTONITE PANDA" (it does): step 4
 * joins D. Result: one group, displayed as "APT40" (A has the most aliases).
 */
#include "intel/actors.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/str.h"

struct ruru_actor_registry {
    struct ruru_actor_member *members;
    size_t n_members;
    struct ruru_actor_group *groups;
    size_t n_groups;
    size_t *ident; /* ident[i] == i: lets by_name return a one-element list */
    struct ruru_actor_conflict *conflicts;
    size_t n_conflicts;
    struct ruru_map by_ref;  /* ref -> group */
    struct ruru_map by_name; /* name key -> group, or -(1 + conflict index) */
};

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

/* ---- union-find -------------------------------------------------------------------------- */

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* The smaller index becomes the root, so that the result does not depend on union order. */
static void uf_union(size_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
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
                           " e.source_type, e.confidence FROM entities e"
                           " JOIN sources s ON s.id = e.source_id"
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

/* Unions actors linked by relationships that mean "the same actor". */
static enum ruru_err link_relations(sqlite3 *db, const struct ruru_map *ref_member, size_t *parent)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT src, dst FROM relations WHERE NOT revoked AND type IN"
                           " ('similar', 'same-as', 'attributed-to') ORDER BY src, dst",
                           -1, &st, NULL) != SQLITE_OK)
        return RURU_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 0);
        const char *b = (const char *)sqlite3_column_text(st, 1);
        int64_t ia, ib;
        if (a && b && ruru_map_get(ref_member, a, strlen(a), &ia) &&
            ruru_map_get(ref_member, b, strlen(b), &ib))
            uf_union(parent, (size_t)ia, (size_t)ib);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RURU_OK : RURU_EDB;
}

/* Two entities speak with one authority when they come from the same source and the same kind
 * of object there (one galaxy, or STIX intrusion-sets of one feed). Two clusters that one
 * authority keeps apart are two actors in its view, whatever names they share, so names never
 * merge them; only an explicit relationship can. */
static bool same_authority(const struct ruru_actor_member *a, const struct ruru_actor_member *b)
{
    const char *ta = a->source_type ? a->source_type : "",
               *tb = b->source_type ? b->source_type : "";

    return strcmp(a->source, b->source) == 0 && strcmp(ta, tb) == 0;
}

struct claim {
    char key[128]; /* names longer than this compare by their first 127 key bytes */
    size_t member;
    bool is_primary;
    const char *raw;
};

static int cmp_claim(const void *a, const void *b)
{
    const struct claim *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c != 0)
        return c;
    return x->member < y->member ? -1 : x->member > y->member;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* Distinct roots of claims[lo..hi) into out (sorted); returns how many. */
static size_t
run_roots(const struct claim *claims, size_t lo, size_t hi, size_t *parent, size_t *out)
{
    size_t n = 0;

    for (size_t i = lo; i < hi; i++)
        out[n++] = uf_find(parent, claims[i].member);
    qsort(out, n, sizeof(*out), cmp_size);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[k - 1] != out[i])
            out[k++] = out[i];
    return k;
}

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
            if (m->n_aliases > best->n_aliases ||
                (m->n_aliases == best->n_aliases && strcmp(m->name, best->name) < 0))
                best = m;
        }
        gr->name = best->name;
    }
    return RURU_OK;
}

static enum ruru_err
index_names(struct ruru_actor_registry *reg, struct claim *claims, size_t n_claims, size_t *scratch)
{
    for (size_t lo = 0, hi; lo < n_claims; lo = hi) {
        size_t n, *groups;
        struct ruru_actor_conflict *c;
        for (hi = lo + 1; hi < n_claims && strcmp(claims[hi].key, claims[lo].key) == 0; hi++)
            ;
        n = 0;
        for (size_t i = lo; i < hi; i++)
            scratch[n++] = reg->members[claims[i].member].group;
        qsort(scratch, n, sizeof(*scratch), cmp_size);
        {
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (k == 0 || scratch[k - 1] != scratch[i])
                    scratch[k++] = scratch[i];
            n = k;
        }
        if (n == 1) {
            if (ruru_map_put(&reg->by_name, claims[lo].key, strlen(claims[lo].key),
                             (int64_t)scratch[0]) != RURU_OK)
                return RURU_ENOMEM;
            continue;
        }
        c = ruru_realloc(reg->conflicts, (reg->n_conflicts + 1) * sizeof(*c));
        if (c == NULL)
            return RURU_ENOMEM;
        reg->conflicts = c;
        c = &reg->conflicts[reg->n_conflicts];
        groups = ruru_malloc(n * sizeof(*groups));
        c->name = ruru_strdup(claims[lo].raw);
        if (groups == NULL || c->name == NULL) {
            ruru_free(groups);
            ruru_free(c->name);
            return RURU_ENOMEM;
        }
        memcpy(groups, scratch, n * sizeof(*groups));
        c->groups = groups;
        c->n_groups = n;
        reg->n_conflicts++;
        if (ruru_map_put(&reg->by_name, claims[lo].key, strlen(claims[lo].key),
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
        ruru_free(m->country);
        ruru_free(m->sponsor);
        ruru_free(m->source);
        ruru_free(m->source_type);
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
    ruru_map_fini(&reg->by_ref);
    ruru_map_fini(&reg->by_name);
    ruru_free(reg);
}

enum ruru_err
ruru_actors_build(sqlite3 *db, struct ruru_actor_registry **out, struct ruru_diag *diag)
{
    struct ruru_actor_registry *reg = ruru_calloc(1, sizeof(*reg));
    struct ruru_map by_id, ref_member;
    size_t *parent = NULL, *scratch = NULL, n_claims = 0;
    struct claim *claims = NULL;
    enum ruru_err err;

    ruru_map_init(&by_id);
    ruru_map_init(&ref_member);
    if (reg == NULL)
        return ruru_diag_set(diag, RURU_ENOMEM, NULL, 0, 0, "out of memory");
    ruru_map_init(&reg->by_ref);
    ruru_map_init(&reg->by_name);
    err = load_members(db, reg, &by_id);
    if (err == RURU_OK)
        err = load_aliases(db, reg, &by_id);
    if (err != RURU_OK)
        goto out;
    parent = ruru_malloc((reg->n_members + 1) * sizeof(*parent));
    if (parent == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < reg->n_members; i++) {
        int64_t first;
        const char *ref = reg->members[i].ref;
        parent[i] = i;
        /* Step 1: one ref, one actor. Members are sorted by ref, so the first wins. */
        if (ruru_map_get(&ref_member, ref, strlen(ref), &first))
            uf_union(parent, (size_t)first, i);
        else if (ruru_map_put(&ref_member, ref, strlen(ref), (int64_t)i) != RURU_OK)
            err = RURU_ENOMEM;
    }
    if (err == RURU_OK)
        err = link_relations(db, &ref_member, parent); /* step 2 */
    if (err != RURU_OK)
        goto out;
    for (size_t i = 0; i < reg->n_members; i++)
        n_claims += 1 + reg->members[i].n_aliases;
    claims = ruru_calloc(n_claims + 1, sizeof(*claims));
    scratch = ruru_malloc((n_claims + 1) * sizeof(*scratch));
    if (claims == NULL || scratch == NULL) {
        err = RURU_ENOMEM;
        goto out;
    }
    n_claims = 0;
    for (size_t i = 0; i < reg->n_members; i++) {
        const struct ruru_actor_member *m = &reg->members[i];
        for (size_t k = 0; k <= m->n_aliases; k++) {
            struct claim *c = &claims[n_claims++];
            c->raw = k == 0 ? m->name : m->aliases[k - 1];
            ruru_actors_name_key(c->raw, c->key, sizeof(c->key));
            c->member = i;
            c->is_primary = k == 0;
        }
    }
    qsort(claims, n_claims, sizeof(*claims), cmp_claim);
    /* Steps 3 and 4 join entities of different authorities only (see same_authority). */
    /* Step 3: same primary name. */
    for (size_t lo = 0, hi; lo < n_claims; lo = hi) {
        size_t first = SIZE_MAX;
        for (hi = lo; hi < n_claims && strcmp(claims[hi].key, claims[lo].key) == 0; hi++) {
            if (!claims[hi].is_primary)
                continue;
            if (first == SIZE_MAX)
                first = claims[hi].member;
            else if (!same_authority(&reg->members[first], &reg->members[claims[hi].member]))
                uf_union(parent, first, claims[hi].member);
        }
    }
    /* Step 4: a primary name that is an alias of exactly one other actor joins it. */
    for (size_t lo = 0, hi; lo < n_claims; lo = hi) {
        size_t primary = SIZE_MAX, n, proot;
        bool other_source = true;
        for (hi = lo; hi < n_claims && strcmp(claims[hi].key, claims[lo].key) == 0; hi++)
            if (claims[hi].is_primary && primary == SIZE_MAX)
                primary = claims[hi].member;
        if (primary == SIZE_MAX)
            continue;
        n = run_roots(claims, lo, hi, parent, scratch);
        if (n != 2)
            continue;
        proot = uf_find(parent, primary);
        for (size_t i = lo; i < hi; i++) {
            size_t m = claims[i].member;
            if (uf_find(parent, m) != proot) {
                if (same_authority(&reg->members[m], &reg->members[primary]))
                    other_source = false;
            } else if (m != primary) {
                /* The primary's own actor already holds the name through another member:
                 * the other claimant disputes it rather than names this actor. */
                other_source = false;
            }
        }
        if (other_source)
            uf_union(parent, scratch[0], scratch[1]);
    }
    err = build_groups(reg, parent);
    if (err == RURU_OK)
        err = index_names(reg, claims, n_claims, scratch);
    for (size_t i = 0; i < reg->n_members && err == RURU_OK; i++) {
        const char *ref = reg->members[i].ref;
        if (ruru_map_put(&reg->by_ref, ref, strlen(ref), (int64_t)reg->members[i].group))
            err = RURU_ENOMEM;
    }
    if (err == RURU_OK)
        err = index_campaigns(db, reg);
out:
    ruru_free(parent);
    ruru_free(scratch);
    ruru_free(claims);
    ruru_map_fini(&by_id);
    ruru_map_fini(&ref_member);
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

bool ruru_actors_by_ref(const struct ruru_actor_registry *reg, const char *ref, size_t *group)
{
    int64_t g;

    if (!ruru_map_get(&reg->by_ref, ref, strlen(ref), &g))
        return false;
    *group = (size_t)g;
    return true;
}

size_t
ruru_actors_by_name(const struct ruru_actor_registry *reg, const char *name, const size_t **groups)
{
    char key[128];
    size_t n = ruru_actors_name_key(name, key, sizeof(key));
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
    int64_t g;

    if (strstr(link, "--") != NULL || is_uuid(link)) {
        if (!ruru_map_get(&reg->by_ref, link, strlen(link), &g))
            return 0;
        *groups = &reg->ident[g];
        return 1;
    }
    return ruru_actors_by_name(reg, link, groups);
}
