/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who names what, and the joins the names make (docs/internals/actors.md): every member claims
 * its own name and ATT&CK id and its synonyms; equal own names and ids, and synonyms that are
 * another member's own name or id, become candidate joins for actors.c to make in order. A
 * synonym that another member of the lister's own source lists too, neither naming the other,
 * is ambiguous there and joins nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/str.h"
#include "intel/actors_int.h"

/* An ATT&CK id as the mitre galaxies append it: one to three capitals and four digits
 * (G0065, S0001). */
static bool is_attack_id(const char *s, size_t n)
{
    size_t letters = 0;

    while (letters < n && letters < 3 && s[letters] >= 'A' && s[letters] <= 'Z')
        letters++;
    if (letters == 0 || n != letters + 4)
        return false;
    for (size_t k = letters; k < n; k++)
        if (!ruru_is_digit(s[k]))
            return false;
    return true;
}

/* The ATT&CK id at the end of "APT16 - G0023", or NULL. OUT: *name_len, the length of the
 * name before " - ". */
const char *ruru_actors_attack_suffix(const char *s, size_t *name_len)
{
    const char *dash = NULL;

    for (const char *p = strstr(s, " - "); p != NULL; p = strstr(p + 1, " - "))
        dash = p;
    if (dash == NULL || dash == s || !is_attack_id(dash + 3, strlen(dash + 3)))
        return NULL;
    *name_len = (size_t)(dash - s);
    return dash + 3;
}

/* ---- claims: who names what --------------------------------------------------------------- */

static int cmp_claim(const void *a, const void *b)
{
    const struct ruru_actors_claim *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    if (c != 0)
        return c;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->member < y->member ? -1 : x->member > y->member;
}

static enum ruru_err add_claim(struct ruru_actors_claims *c,
                               const char *text,
                               size_t len,
                               size_t member,
                               enum ruru_actors_claim_kind kind,
                               const char *raw)
{
    char buf[RURU_ACTORS_KEY_BYTES];

    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 1024;
        struct ruru_actors_claim *v = ruru_realloc(c->v, ncap * sizeof(*v));
        if (v == NULL)
            return RURU_ENOMEM;
        c->v = v;
        c->cap = ncap;
    }
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    ruru_actors_name_key(buf, c->v[c->n].key, sizeof(c->v[c->n].key));
    c->v[c->n].member = member;
    c->v[c->n].kind = kind;
    c->v[c->n].raw = raw;
    c->n++;
    return RURU_OK;
}

/* A name claims its key; "APT16 - G0023" claims G0023 and APT16. */
static enum ruru_err add_name(struct ruru_actors_claims *c,
                              const char *name,
                              size_t member,
                              enum ruru_actors_claim_kind name_kind,
                              enum ruru_actors_claim_kind id_kind)
{
    size_t head;
    const char *id = ruru_actors_attack_suffix(name, &head);
    enum ruru_err err;

    if (id == NULL)
        return add_claim(c, name, strlen(name), member, name_kind, name);
    err = add_claim(c, id, strlen(id), member, id_kind, name);
    return err == RURU_OK ? add_claim(c, name, head, member, name_kind, name) : err;
}

enum ruru_err ruru_actors_collect_claims(const struct ruru_actor_registry *reg,
                                         struct ruru_actors_claims *c)
{
    enum ruru_err err = RURU_OK;

    for (size_t i = 0; i < reg->n_members && err == RURU_OK; i++) {
        const struct ruru_actor_member *m = &reg->members[i];
        err = add_name(c, m->name, i, RURU_ACTORS_CLAIM_OWN_NAME, RURU_ACTORS_CLAIM_OWN_ID);
        if (err == RURU_OK && m->external_id != NULL)
            err = add_claim(c, m->external_id, strlen(m->external_id), i, RURU_ACTORS_CLAIM_OWN_ID,
                            m->external_id);
        for (size_t k = 0; k < m->n_aliases && err == RURU_OK; k++)
            err = add_name(c, m->aliases[k], i, RURU_ACTORS_CLAIM_SYNONYM,
                           RURU_ACTORS_CLAIM_SYNONYM);
    }
    if (err != RURU_OK || c->n == 0)
        return err;
    qsort(c->v, c->n, sizeof(*c->v), cmp_claim);
    /* One claim per (key, member), the strongest: a synonym equal to the member's own name
     * or id is no synonym. */
    {
        size_t k = 0;
        for (size_t i = 0; i < c->n; i++) {
            bool dup = false;
            for (size_t j = k; j-- > 0 && strcmp(c->v[j].key, c->v[i].key) == 0;)
                if (c->v[j].member == c->v[i].member) {
                    dup = true;
                    break;
                }
            if (!dup)
                c->v[k++] = c->v[i];
        }
        c->n = k;
    }
    return RURU_OK;
}

/* ---- candidate joins ---------------------------------------------------------------------- */

enum ruru_err ruru_actors_add_edge(struct ruru_actors_edges *e,
                                   size_t a,
                                   size_t b,
                                   enum ruru_actor_link link,
                                   const char *name)
{
    if (e->n == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 1024;
        struct ruru_actors_edge *v = ruru_realloc(e->v, ncap * sizeof(*v));
        if (v == NULL)
            return RURU_ENOMEM;
        e->v = v;
        e->cap = ncap;
    }
    e->v[e->n].a = a;
    e->v[e->n].b = b;
    e->v[e->n].link = link;
    e->v[e->n].overlap = 0;
    e->v[e->n].name = name;
    e->n++;
    return RURU_OK;
}

int ruru_actors_cmp_edge(const void *p, const void *q)
{
    const struct ruru_actors_edge *x = p, *y = q;

    if (x->link != y->link)
        return x->link < y->link ? -1 : 1;
    if (x->overlap != y->overlap)
        return x->overlap > y->overlap ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* Does member m claim key (any kind)? Claims are sorted by key. */
const struct ruru_actors_claim *
ruru_actors_find_claim(const struct ruru_actors_claims *c, const char *key, size_t member)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->v[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < c->n && strcmp(c->v[lo].key, key) == 0; lo++)
        if (c->v[lo].member == member)
            return &c->v[lo];
    return NULL;
}

/* Does `lister` list among its synonyms an own name or id of `owner`? */
bool ruru_actors_lists_own(const struct ruru_actors_claims *c,
                           const struct ruru_actor_registry *reg,
                           size_t lister,
                           size_t owner)
{
    const struct ruru_actor_member *o = &reg->members[owner];
    char key[RURU_ACTORS_KEY_BYTES];
    const struct ruru_actors_claim *cl;
    size_t head;
    const char *id = ruru_actors_attack_suffix(o->name, &head);

    if (id != NULL) {
        ruru_actors_name_key(id, key, sizeof(key));
        cl = ruru_actors_find_claim(c, key, lister);
        if (cl != NULL && cl->kind == RURU_ACTORS_CLAIM_SYNONYM)
            return true;
    }
    ruru_actors_name_key(o->name, key, sizeof(key));
    if (id == NULL && (cl = ruru_actors_find_claim(c, key, lister)) != NULL &&
        cl->kind == RURU_ACTORS_CLAIM_SYNONYM)
        return true;
    if (o->external_id != NULL) {
        ruru_actors_name_key(o->external_id, key, sizeof(key));
        cl = ruru_actors_find_claim(c, key, lister);
        if (cl != NULL && cl->kind == RURU_ACTORS_CLAIM_SYNONYM)
            return true;
    }
    return false;
}

static enum ruru_err refuse(struct ruru_actors_edges *e,
                            size_t a,
                            size_t b,
                            enum ruru_actor_link link,
                            const char *name,
                            const char *why)
{
    if (e->n_refused == e->cap_refused) {
        size_t ncap = e->cap_refused ? e->cap_refused * 2 : 64;
        struct ruru_actor_join *v = ruru_realloc(e->refused, ncap * sizeof(*v));
        if (v == NULL)
            return RURU_ENOMEM;
        e->refused = v;
        e->cap_refused = ncap;
    }
    e->refused[e->n_refused].a = a;
    e->refused[e->n_refused].b = b;
    e->refused[e->n_refused].link = link;
    e->refused[e->n_refused].name = name;
    e->refused[e->n_refused].refused = why;
    e->n_refused++;
    return RURU_OK;
}

/* Does either of two members list the other's own name or id? Then their source itself
 * holds them to be one (Microsoft's Forest Blizzard lists its former name STRONTIUM, which
 * the galaxy keeps as a cluster of its own). */
bool ruru_actors_linked(const struct ruru_actors_claims *c,
                        const struct ruru_actor_registry *reg,
                        size_t x,
                        size_t y)
{
    return ruru_actors_lists_own(c, reg, x, y) || ruru_actors_lists_own(c, reg, y, x);
}

/* The joins that the names make (steps 4 to 7, and the CERT's name and aliases). */
enum ruru_err ruru_actors_name_edges(const struct ruru_actor_registry *reg,
                                     const struct ruru_actors_claims *c,
                                     struct ruru_actors_edges *e)
{
    enum ruru_err err = RURU_OK;

    for (size_t lo = 0, hi; lo < c->n && err == RURU_OK; lo = hi) {
        size_t own[RURU_ACTORS_MAX_RUN_CLAIMS], syn[RURU_ACTORS_MAX_RUN_CLAIMS], n_own = 0,
                                                                                 n_syn = 0;
        const char *own_raw = NULL;
        bool is_id = false;
        for (hi = lo; hi < c->n && strcmp(c->v[hi].key, c->v[lo].key) == 0; hi++) {
            if (c->v[hi].kind != RURU_ACTORS_CLAIM_SYNONYM && n_own < RURU_ACTORS_MAX_RUN_CLAIMS) {
                if (own_raw == NULL) {
                    own_raw = c->v[hi].raw;
                    is_id = c->v[hi].kind == RURU_ACTORS_CLAIM_OWN_ID;
                }
                own[n_own++] = c->v[hi].member;
            } else if (c->v[hi].kind == RURU_ACTORS_CLAIM_SYNONYM &&
                       n_syn < RURU_ACTORS_MAX_RUN_CLAIMS) {
                syn[n_syn++] = c->v[hi].member;
            }
        }
        /* the same own name or id */
        for (size_t i = 0; i < n_own && err == RURU_OK; i++)
            for (size_t j = i + 1; j < n_own && err == RURU_OK; j++) {
                const struct ruru_actor_member *x = &reg->members[own[i]],
                                               *y = &reg->members[own[j]];
                enum ruru_actor_link l = x->is_assessment || y->is_assessment
                                                 ? RURU_ACTOR_LINK_ASSESSMENT
                                         : is_id ? RURU_ACTOR_LINK_ATTACK_ID
                                                 : RURU_ACTOR_LINK_NAME;
                err = ruru_actors_add_edge(e, own[i], own[j], l, own_raw);
            }
        /* a synonym that is another's own name or id */
        for (size_t i = 0; i < n_syn && err == RURU_OK; i++) {
            const struct ruru_actor_member *s = &reg->members[syn[i]];
            bool ambiguous = false;
            /* Another member of the lister's source lists the name too, and neither names
             * the other: that source gives the name to two actors. */
            for (size_t j = 0; j < n_syn && !ambiguous; j++)
                ambiguous = j != i && reg->members[syn[j]].authority == s->authority &&
                            !ruru_actors_linked(c, reg, syn[i], syn[j]);
            for (size_t j = 0; j < n_own && err == RURU_OK; j++) {
                enum ruru_actor_link l;
                if (s->is_assessment)
                    l = RURU_ACTOR_LINK_ASSESSMENT;
                else if (ambiguous) {
                    err = refuse(e, syn[i], own[j], RURU_ACTOR_LINK_SYNONYM, own_raw,
                                 RURU_ACTORS_WHY_AMBIGUOUS);
                    continue;
                } else
                    l = ruru_actors_lists_own(c, reg, own[j], syn[i])
                                ? RURU_ACTOR_LINK_SYNONYM_MUTUAL
                                : RURU_ACTOR_LINK_SYNONYM;
                err = ruru_actors_add_edge(e, syn[i], own[j], l, own_raw);
            }
        }
    }
    return err;
}

/* How many keys two members share (their own names and synonyms), over the claims. */
size_t ruru_actors_overlap(const struct ruru_actor_registry *reg,
                           const struct ruru_actors_claims *c,
                           size_t a,
                           size_t b)
{
    const struct ruru_actor_member *m = &reg->members[a];
    size_t n = 0;
    char key[RURU_ACTORS_KEY_BYTES];

    /* Bounded: a hostile member with a million aliases costs 256 look-ups per join. */
    for (size_t k = 0; k <= m->n_aliases && k <= 256; k++) {
        const char *name = k == 0 ? m->name : m->aliases[k - 1];
        ruru_actors_name_key(name, key, sizeof(key));
        n += ruru_actors_find_claim(c, key, b) != NULL;
    }
    return n;
}
