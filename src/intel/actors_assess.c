/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A CERT's own actor assessments: what it holds of an actor where the galaxies and feeds are
 * silent or, in its judgement, wrong. One YAML document:
 *
 *     ruru: actor-assessments
 *     actors:
 *       - name: HAFNIUM
 *         aliases: [Silk Typhoon]
 *         country: CN
 *         sponsor: China            # the state the CERT holds behind it
 *         same-as: [MURKY PANDA]    # names the CERT holds to be this actor
 *         not-same-as: [APT41]      # names it holds to be another actor
 *         confidence: 80
 *         source: CERT-XX report 2021-03
 *         note: Exchange ProxyLogon campaign
 *
 * Each actor becomes an actor entity of source type RURU_ACTOR_ASSESSMENT whose ref is
 * "actor-assessment--" and the name's key (so that a second import of the same file replaces
 * it); same-as and not-same-as become relations from that ref to the other actor's *name*,
 * which the registry resolves. A field that cannot be used is rejected with its line and the
 * actor kept without it; only an actor without a name, or named twice, is dropped.
 */
#include "intel/actors_assess.h"

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/map.h"
#include "base/str.h"
#include "base/yaml.h"
#include "intel/actors.h"

/* One file's YAML: a CERT's list of actors is small; 64 MiB of nodes bounds a hostile one. */
#define MAX_YAML_BYTES ((size_t)64 << 20)

/* Names in a list field (aliases, same-as, not-same-as); a real one has a dozen. */
#define MAX_NAMES 1024

/* A ref is "actor-assessment--" and the name's key, which ruru_actors_name_key caps here. */
#define KEY_BYTES 128

bool ruru_assess_detect(const char *data, size_t len)
{
    static const char marker[] = "ruru:";
    size_t p = 0;

    while (p < len) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t end = nl ? (size_t)(nl - data) : len;
        struct ruru_str line = ruru_str_trim(ruru_str_make(data + p, end - p));
        if (line.len > 0 && line.ptr[0] != '#' && !ruru_str_eq(line, "---")) {
            struct ruru_str v;
            if (line.len < sizeof(marker) - 1 || memcmp(line.ptr, marker, sizeof(marker) - 1))
                return false;
            v = ruru_str_trim(
                    ruru_str_make(line.ptr + sizeof(marker) - 1, line.len - sizeof(marker) + 1));
            if (v.len >= 2 && (v.ptr[0] == '"' || v.ptr[0] == '\'') && v.ptr[v.len - 1] == v.ptr[0])
                v = ruru_str_make(v.ptr + 1, v.len - 2);
            return ruru_str_eq(v, "actor-assessments");
        }
        p = end + 1;
    }
    return false;
}

struct assess {
    const struct ruru_import_ctx *ctx;
    struct ruru_map seen; /* name keys already assessed */
    struct ruru_buf ref;
    const char *name; /* the actor at hand: its name is never its alias */
    const char *names[MAX_NAMES];
    size_t n_names;
};

static enum ruru_err reject_at(struct assess *a,
                               const struct ruru_yaml *y,
                               const char *ref,
                               const char *value,
                               const char *reason)
{
    return ruru_intel_reject(a->ctx, y != NULL ? y->line : 0, ref, value, reason);
}

/* A scalar's text, or NULL for null and non-scalars. */
static const char *text_of(const struct ruru_yaml *y)
{
    const char *s = ruru_yaml_str(y);

    if (s == NULL || ruru_yaml_is_null(y))
        return NULL;
    return s;
}

/* Is s already in the list, or the actor's own name (ASCII case ignored)? */
static bool listed(const struct assess *a, const char *s)
{
    if (a->name != NULL && ruru_ascii_casecmp(a->name, s) == 0)
        return true;
    for (size_t i = 0; i < a->n_names; i++)
        if (ruru_ascii_casecmp(a->names[i], s) == 0)
            return true;
    return false;
}

/* A list of names: a sequence of scalars, or one scalar. Fills a->names (pointers into the
 * tree). Bad items are rejected; returns RURU_OK or the sink's error. */
static enum ruru_err
names_of(struct assess *a, const struct ruru_yaml *y, const char *ref, const char *field)
{
    a->n_names = 0;
    if (y == NULL || ruru_yaml_is_null(y))
        return RURU_OK;
    if (y->kind == RURU_YAML_SCALAR) {
        if (y->len > 0 && !listed(a, y->text))
            a->names[a->n_names++] = y->text;
        return RURU_OK;
    }
    if (y->kind != RURU_YAML_SEQ)
        return reject_at(a, y, ref, field, "a list of names is needed here");
    for (size_t i = 0; i < y->n; i++) {
        const char *s = text_of(y->items[i]);
        enum ruru_err err;
        if (s == NULL || *s == '\0') {
            err = reject_at(a, y->items[i], ref, field, "not a name");
            if (err != RURU_OK)
                return err;
            continue;
        }
        if (a->n_names == MAX_NAMES)
            return reject_at(a, y->items[i], ref, field, "too many names");
        if (!listed(a, s))
            a->names[a->n_names++] = s;
    }
    return RURU_OK;
}

/* The confidence 0..100, or -1 (absent, or rejected). */
static enum ruru_err
confidence_of(struct assess *a, const struct ruru_yaml *y, const char *ref, int *out)
{
    const char *s = text_of(y);
    int n = 0;
    size_t len;

    *out = -1;
    if (y == NULL || ruru_yaml_is_null(y))
        return RURU_OK;
    len = s ? strlen(s) : 0;
    /* Three digits reach 100; more are out of range whatever they say. */
    if (s == NULL || len == 0 || len > 3)
        return reject_at(a, y, ref, s, "confidence is a number from 0 to 100");
    for (size_t k = 0; k < len; k++) {
        if (!ruru_is_digit(s[k]))
            return reject_at(a, y, ref, s, "confidence is a number from 0 to 100");
        n = n * 10 + (s[k] - '0');
    }
    if (n > 100)
        return reject_at(a, y, ref, s, "confidence is a number from 0 to 100");
    *out = n;
    return RURU_OK;
}

static enum ruru_err
relations(struct assess *a, const struct ruru_yaml *actor, const char *ref, const char *field)
{
    const struct ruru_intel_sink *s = a->ctx->sink;
    enum ruru_err err;

    a->name = NULL; /* a same-as naming the actor itself is harmless: kept */
    err = names_of(a, ruru_yaml_get(actor, field), ref, field);

    for (size_t i = 0; i < a->n_names && err == RURU_OK; i++) {
        struct ruru_intel_relation rel;
        ruru_intel_relation_init(&rel);
        rel.src = ref;
        rel.type = field;
        rel.dst = a->names[i];
        if (s->relation != NULL)
            err = s->relation(s->ctx, &rel);
    }
    return err;
}

/* "source: X; note: Y", either alone, or NULL. OUT: *out (in buf). */
static enum ruru_err
description_of(const struct ruru_yaml *actor, struct ruru_buf *buf, const char **out)
{
    const char *src = text_of(ruru_yaml_get(actor, "source"));
    const char *note = text_of(ruru_yaml_get(actor, "note"));
    enum ruru_err err = RURU_OK;

    *out = NULL;
    if (src == NULL && note == NULL)
        return RURU_OK;
    ruru_buf_reset(buf);
    if (src != NULL) {
        err = ruru_buf_add(buf, "source: ", 8);
        if (err == RURU_OK)
            err = ruru_buf_add(buf, src, strlen(src));
    }
    if (note != NULL && err == RURU_OK) {
        if (src != NULL)
            err = ruru_buf_add(buf, "; ", 2);
        if (err == RURU_OK)
            err = ruru_buf_add(buf, note, strlen(note));
    }
    if (err == RURU_OK)
        err = ruru_buf_addc(buf, '\0');
    if (err == RURU_OK)
        *out = buf->ptr;
    return err;
}

static enum ruru_err one_actor(struct assess *a, const struct ruru_yaml *y, struct ruru_buf *desc)
{
    const struct ruru_intel_sink *s = a->ctx->sink;
    const struct ruru_yaml *country_y = ruru_yaml_get(y, "country");
    const struct ruru_yaml *sponsor_y = ruru_yaml_get(y, "sponsor");
    const char *name, *country, *sponsor;
    char key[KEY_BYTES], iso[3];
    struct ruru_intel_entity e;
    enum ruru_err err;
    size_t klen;
    int64_t dummy;

    if (y->kind != RURU_YAML_MAP)
        return reject_at(a, y, NULL, NULL, "an actor is a map with a name");
    name = text_of(ruru_yaml_get(y, "name"));
    if (name == NULL || ruru_str_trim(ruru_str_make(name, strlen(name))).len == 0)
        return reject_at(a, y, NULL, NULL, "actor without a name");
    a->name = name;
    klen = ruru_actors_name_key(name, key, sizeof(key));
    if (ruru_map_get(&a->seen, key, klen, &dummy))
        return reject_at(a, y, NULL, name, "actor assessed twice in one file");
    err = ruru_map_put(&a->seen, key, klen, 1);
    ruru_buf_reset(&a->ref);
    if (err == RURU_OK)
        err = ruru_buf_add(&a->ref, "actor-assessment--", 18);
    if (err == RURU_OK)
        err = ruru_buf_add(&a->ref, key, klen);
    if (err == RURU_OK)
        err = ruru_buf_addc(&a->ref, '\0');
    if (err != RURU_OK)
        return err;
    ruru_intel_entity_init(&e);
    e.ref = a->ref.ptr;
    e.kind = RURU_ENTITY_ACTOR;
    e.source_type = RURU_ACTOR_ASSESSMENT;
    e.name = name;
    country = text_of(country_y);
    sponsor = text_of(sponsor_y);
    if (country != NULL) {
        if (strlen(country) == 2 && ruru_is_alpha(country[0]) && ruru_is_alpha(country[1])) {
            iso[0] = (char)(ruru_lower(country[0]) - 'a' + 'A');
            iso[1] = (char)(ruru_lower(country[1]) - 'a' + 'A');
            iso[2] = '\0';
            e.country = iso;
        } else if ((err = reject_at(a, country_y, e.ref, country,
                                    "country is an ISO 3166-1 alpha-2 code (CN)")) != RURU_OK) {
            return err;
        }
    }
    if (sponsor != NULL) {
        if (e.country != NULL)
            e.sponsor = sponsor;
        else if ((err = reject_at(a, sponsor_y, e.ref, sponsor,
                                  "a sponsor needs the country's code beside it")) != RURU_OK)
            return err;
    }
    err = confidence_of(a, ruru_yaml_get(y, "confidence"), e.ref, &e.confidence);
    if (err == RURU_OK)
        err = description_of(y, desc, &e.description);
    if (err == RURU_OK)
        err = names_of(a, ruru_yaml_get(y, "aliases"), e.ref, "aliases");
    if (err != RURU_OK)
        return err;
    e.aliases = a->names;
    e.n_aliases = a->n_names;
    e.line = y->line;
    if (s->entity != NULL)
        err = s->entity(s->ctx, &e);
    if (err == RURU_OK)
        err = relations(a, y, e.ref, "same-as");
    if (err == RURU_OK)
        err = relations(a, y, e.ref, "not-same-as");
    return err;
}

enum ruru_err ruru_assess_import(const char *data,
                                 size_t len,
                                 const struct ruru_import_ctx *ctx,
                                 struct ruru_diag *diag)
{
    struct ruru_arena arena;
    struct ruru_yaml **docs = NULL;
    size_t n_docs = 0;
    struct assess a;
    struct ruru_buf desc;
    enum ruru_err err;
    const struct ruru_yaml *top, *actors;

    memset(&a, 0, sizeof(a));
    a.ctx = ctx;
    ruru_map_init(&a.seen);
    ruru_buf_init(&a.ref, 4096);
    ruru_buf_init(&desc, (size_t)1 << 20);
    ruru_arena_init(&arena, 16384, MAX_YAML_BYTES);
    err = ruru_yaml_load(data, len, ctx->path, &arena, &docs, &n_docs, diag);
    if (err != RURU_OK)
        goto out;
    top = n_docs > 0 ? docs[0] : NULL;
    if (top == NULL || top->kind != RURU_YAML_MAP ||
        strcmp(text_of(ruru_yaml_get(top, "ruru")) ? text_of(ruru_yaml_get(top, "ruru")) : "",
               "actor-assessments") != 0) {
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, 1, 1,
                            "not an actor assessments file (no \"ruru: actor-assessments\")");
        goto out;
    }
    actors = ruru_yaml_get(top, "actors");
    if (actors != NULL && !ruru_yaml_is_null(actors) && actors->kind != RURU_YAML_SEQ) {
        err = ruru_diag_set(diag, RURU_EPARSE, ctx->path, actors->line, actors->col,
                            "\"actors\" is a list of actors");
        goto out;
    }
    for (size_t i = 0; actors != NULL && actors->kind == RURU_YAML_SEQ && i < actors->n; i++) {
        err = one_actor(&a, actors->items[i], &desc);
        if (err != RURU_OK)
            break;
    }
    if (err == RURU_ENOMEM || err == RURU_ELIMIT)
        ruru_diag_set(diag, err, ctx->path, 0, 0, "out of memory");
out:
    ruru_arena_fini(&arena);
    ruru_buf_fini(&desc);
    ruru_buf_fini(&a.ref);
    ruru_map_fini(&a.seen);
    return err;
}
