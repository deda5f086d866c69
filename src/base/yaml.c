/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML trees from libyaml events (yaml.h). A stack holds the open sequences and maps, each
 * with a growing list of children; a closed container's children move into the arena. An
 * alias shares the anchored node (the tree becomes a DAG, read-only), and its expanded size
 * counts against the node budget, so "billion laughs" is refused instead of walked.
 */
#include "base/yaml.h"

#include <string.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/vec.h"

#define MAX_DEPTH 64
#define MAX_NODES (1u << 20)

struct open {
    struct ruru_yaml *node;
    struct ruru_vec kids; /* struct ruru_yaml * */
};

struct anchor {
    char *name;
    struct ruru_yaml *node;
    size_t weight;
};

struct loader {
    struct ruru_arena *arena;
    const char *source;
    struct ruru_diag *diag;
    struct open stack[MAX_DEPTH + 1];
    size_t depth;
    struct ruru_vec docs;    /* struct ruru_yaml * */
    struct ruru_vec anchors; /* struct anchor */
    size_t nodes;
    struct ruru_yaml *root; /* of the document being read */
};

static enum ruru_err nomem(struct loader *l)
{
    return ruru_diag_set(l->diag, RURU_ENOMEM, l->source, 0, 0, "out of memory");
}

static struct ruru_yaml *node_new(struct loader *l, enum ruru_yaml_kind kind, const yaml_mark_t *m)
{
    struct ruru_yaml *y = ruru_arena_alloc(l->arena, sizeof(*y));

    if (y == NULL)
        return NULL;
    memset(y, 0, sizeof(*y));
    y->kind = kind;
    y->line = (uint32_t)m->line + 1;
    y->col = (uint32_t)m->column + 1;
    return y;
}

static size_t weight_of(const struct ruru_yaml *y)
{
    size_t w = 1;

    if (y->kind == RURU_YAML_SCALAR)
        return 1;
    for (size_t i = 0; i < (y->kind == RURU_YAML_MAP ? 2 * y->n : y->n); i++)
        w += weight_of(y->items[i]);
    return w;
}

/* Hands a finished node to its parent (or makes it the document's root). */
static enum ruru_err attach(struct loader *l, struct ruru_yaml *y, size_t weight)
{
    if (l->nodes + weight > MAX_NODES)
        return ruru_diag_set(l->diag, RURU_ELIMIT, l->source, y->line, y->col,
                             "more than %u YAML nodes (aliases counted as expanded)", MAX_NODES);
    l->nodes += weight;
    if (l->depth == 0) {
        l->root = y;
        return RURU_OK;
    }
    return ruru_vec_push(&l->stack[l->depth - 1].kids, &y) == RURU_OK ? RURU_OK : nomem(l);
}

static enum ruru_err remember(struct loader *l, const yaml_char_t *name, struct ruru_yaml *y)
{
    struct anchor a;

    if (name == NULL)
        return RURU_OK;
    a.name = ruru_arena_strndup(l->arena, (const char *)name, strlen((const char *)name));
    a.node = y;
    a.weight = 0; /* computed when used: the node may still be open */
    if (a.name == NULL || ruru_vec_push(&l->anchors, &a) != RURU_OK)
        return nomem(l);
    return RURU_OK;
}

static enum ruru_err on_event(struct loader *l, const yaml_event_t *ev)
{
    struct ruru_yaml *y;
    enum ruru_err err;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        l->root = NULL;
        return RURU_OK;
    case YAML_DOCUMENT_END_EVENT:
        if (l->root == NULL) {
            /* an empty document ("---" alone) is an empty scalar */
            if ((l->root = node_new(l, RURU_YAML_SCALAR, &ev->start_mark)) == NULL)
                return nomem(l);
            l->root->text = "";
            l->root->plain = true;
        }
        return ruru_vec_push(&l->docs, &l->root) == RURU_OK ? RURU_OK : nomem(l);
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        if (memchr(v, '\0', n) != NULL)
            return ruru_diag_set(l->diag, RURU_EPARSE, l->source, ev->start_mark.line + 1,
                                 ev->start_mark.column + 1, "NUL byte in a YAML scalar");
        if ((y = node_new(l, RURU_YAML_SCALAR, &ev->start_mark)) == NULL ||
            (y->text = ruru_arena_strndup(l->arena, v, n)) == NULL)
            return nomem(l);
        y->len = n;
        y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if ((err = remember(l, ev->data.scalar.anchor, y)) != RURU_OK)
            return err;
        return attach(l, y, 1);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool map = ev->type == YAML_MAPPING_START_EVENT;
        if (l->depth == MAX_DEPTH)
            return ruru_diag_set(l->diag, RURU_ELIMIT, l->source, ev->start_mark.line + 1,
                                 ev->start_mark.column + 1, "YAML nested deeper than %d",
                                 MAX_DEPTH);
        if ((y = node_new(l, map ? RURU_YAML_MAP : RURU_YAML_SEQ, &ev->start_mark)) == NULL)
            return nomem(l);
        if ((err = remember(l, map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                            y)) != RURU_OK)
            return err;
        l->stack[l->depth].node = y;
        ruru_vec_init(&l->stack[l->depth].kids, sizeof(struct ruru_yaml *), MAX_NODES);
        l->depth++;
        return RURU_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        struct open *o = &l->stack[--l->depth];
        size_t n = o->kids.n;
        y = o->node;
        if (n > 0) {
            y->items = ruru_arena_alloc(l->arena, n * sizeof(*y->items));
            if (y->items == NULL) {
                ruru_vec_fini(&o->kids);
                return nomem(l);
            }
            memcpy(y->items, ruru_vec_at(&o->kids, 0), n * sizeof(*y->items));
        }
        ruru_vec_fini(&o->kids);
        y->n = y->kind == RURU_YAML_MAP ? n / 2 : n;
        /* its own node only: the children were counted as they came */
        return attach(l, y, 1);
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = l->anchors.n; i-- > 0;) {
            struct anchor *a = ruru_vec_at(&l->anchors, i);
            if (strcmp(a->name, name) != 0)
                continue;
            for (size_t d = 0; d < l->depth; d++)
                if (l->stack[d].node == a->node)
                    return ruru_diag_set(l->diag, RURU_EPARSE, l->source, ev->start_mark.line + 1,
                                         ev->start_mark.column + 1,
                                         "alias *%s refers to a node that holds it", name);
            if (a->weight == 0)
                a->weight = weight_of(a->node);
            return attach(l, a->node, a->weight);
        }
        return ruru_diag_set(l->diag, RURU_EPARSE, l->source, ev->start_mark.line + 1,
                             ev->start_mark.column + 1, "unknown alias *%s", name);
    }
    default:
        return RURU_OK;
    }
}

enum ruru_err ruru_yaml_load(const char *buf,
                             size_t len,
                             const char *source,
                             struct ruru_arena *arena,
                             struct ruru_yaml ***docs,
                             size_t *n_docs,
                             struct ruru_diag *diag)
{
    yaml_parser_t p;
    struct loader l;
    enum ruru_err err = RURU_OK;
    bool done = false;

    memset(&l, 0, sizeof(l));
    l.arena = arena;
    l.source = source;
    l.diag = diag;
    ruru_vec_init(&l.docs, sizeof(struct ruru_yaml *), 1u << 16);
    ruru_vec_init(&l.anchors, sizeof(struct anchor), 1u << 16);
    if (!yaml_parser_initialize(&p))
        return ruru_diag_set(diag, RURU_ENOMEM, source, 0, 0, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    while (!done && err == RURU_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            err = p.error == YAML_MEMORY_ERROR
                          ? ruru_diag_set(diag, RURU_ENOMEM, source, 0, 0, "out of memory")
                          : ruru_diag_set(diag, RURU_EPARSE, source, p.problem_mark.line + 1,
                                          p.problem_mark.column + 1, "YAML: %s",
                                          p.problem != NULL ? p.problem : "syntax error");
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        err = on_event(&l, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    while (l.depth > 0)
        ruru_vec_fini(&l.stack[--l.depth].kids);
    if (err == RURU_OK) {
        size_t n = l.docs.n;
        *docs = n > 0 ? ruru_arena_alloc(arena, n * sizeof(**docs)) : NULL;
        if (n > 0 && *docs == NULL)
            err = ruru_diag_set(diag, RURU_ENOMEM, source, 0, 0, "out of memory");
        else if (n > 0)
            memcpy(*docs, ruru_vec_at(&l.docs, 0), n * sizeof(**docs));
        *n_docs = n;
    }
    ruru_vec_fini(&l.docs);
    ruru_vec_fini(&l.anchors);
    return err;
}

const struct ruru_yaml *ruru_yaml_get(const struct ruru_yaml *m, const char *key)
{
    if (m == NULL || m->kind != RURU_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < m->n; i++) {
        const struct ruru_yaml *k = m->items[2 * i];
        if (k->kind == RURU_YAML_SCALAR && strcmp(k->text, key) == 0)
            return m->items[2 * i + 1];
    }
    return NULL;
}

bool ruru_yaml_is_null(const struct ruru_yaml *y)
{
    return y != NULL && y->kind == RURU_YAML_SCALAR && y->plain &&
           (y->len == 0 || strcmp(y->text, "~") == 0 || strcmp(y->text, "null") == 0 ||
            strcmp(y->text, "Null") == 0 || strcmp(y->text, "NULL") == 0);
}

const char *ruru_yaml_str(const struct ruru_yaml *y)
{
    return y != NULL && y->kind == RURU_YAML_SCALAR ? y->text : NULL;
}
