/* SPDX-License-Identifier: Apache-2.0 */
/* JSON positions by path (jloc.h): a skip-scanner over the raw bytes. */
#include "base/jloc.h"

#include <string.h>

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(const char *p, size_t len, struct ruru_jpos *at)
{
    while (at->off < len && is_ws(p[at->off])) {
        if (p[at->off] == '\n') {
            at->line++;
            at->line_off = at->off + 1;
        }
        at->off++;
    }
}

/* From the opening quote to just past the closing one. A JSON string holds no raw newline. */
static bool skip_string(const char *p, size_t len, struct ruru_jpos *at)
{
    for (size_t i = at->off + 1; i < len; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == '"') {
            at->off = i + 1;
            return true;
        }
    }
    return false;
}

/* From the first byte of a value to just past it. Nesting is a counter, never recursion, so a
 * document nested 100 000 deep costs a counter, not a stack. */
static bool skip_value(const char *p, size_t len, struct ruru_jpos *at)
{
    size_t depth = 0, start = at->off;

    if (at->off >= len)
        return false;
    if (p[at->off] == '"')
        return skip_string(p, len, at);
    if (p[at->off] != '{' && p[at->off] != '[') {
        /* A number, true, false or null: runs to the next delimiter. */
        while (at->off < len && !is_ws(p[at->off]) && p[at->off] != ',' && p[at->off] != ']' &&
               p[at->off] != '}')
            at->off++;
        return at->off > start;
    }
    while (at->off < len) {
        char c = p[at->off];
        if (c == '"') {
            if (!skip_string(p, len, at))
                return false;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) {
                at->off++;
                return true;
            }
        } else if (c == '\n') {
            at->line++;
            at->line_off = at->off + 1;
        }
        at->off++;
    }
    return false;
}

/* OUT: *out, where the value of member `key` of the object at *obj starts. Like jansson, the
 * last of duplicate members counts, so the whole object is read. A key written with escapes
 * is not found. */
static bool find_member(const char *p,
                        size_t len,
                        const struct ruru_jpos *obj,
                        const char *key,
                        struct ruru_jpos *out)
{
    struct ruru_jpos at = *obj;
    size_t klen = strlen(key);
    bool found = false;

    if (at.off >= len || p[at.off] != '{')
        return false;
    at.off++;
    skip_ws(p, len, &at);
    while (at.off < len && p[at.off] == '"') {
        size_t ks = at.off + 1;
        bool match;
        if (!skip_string(p, len, &at))
            break;
        match = at.off - 1 - ks == klen && memcmp(p + ks, key, klen) == 0;
        skip_ws(p, len, &at);
        if (at.off >= len || p[at.off] != ':')
            break;
        at.off++;
        skip_ws(p, len, &at);
        if (match) {
            *out = at;
            found = true;
        }
        if (!skip_value(p, len, &at))
            break;
        skip_ws(p, len, &at);
        if (at.off >= len || p[at.off] != ',')
            break;
        at.off++;
        skip_ws(p, len, &at);
    }
    return found;
}

/* OUT: *out, where element `index` of the array at *arr starts. `from`, when not NULL, is an
 * earlier element of the same array to walk on from. */
static bool find_element(const char *p,
                         size_t len,
                         const struct ruru_jpos *arr,
                         const struct ruru_jframe *from,
                         size_t index,
                         struct ruru_jpos *out)
{
    struct ruru_jpos at;
    size_t i;

    if (from != NULL) {
        at = from->pos;
        i = from->step.index;
    } else {
        at = *arr;
        if (at.off >= len || p[at.off] != '[')
            return false;
        at.off++;
        skip_ws(p, len, &at);
        if (at.off >= len || p[at.off] == ']')
            return false;
        i = 0;
    }
    for (; i < index; i++) {
        if (!skip_value(p, len, &at))
            return false;
        skip_ws(p, len, &at);
        if (at.off >= len || p[at.off] != ',')
            return false;
        at.off++;
        skip_ws(p, len, &at);
    }
    *out = at;
    return true;
}

static bool same_step(const struct ruru_jstep *a, const struct ruru_jstep *b)
{
    if (a->key == NULL || b->key == NULL)
        return a->key == b->key && a->index == b->index;
    return strcmp(a->key, b->key) == 0;
}

void ruru_jloc_find(struct ruru_jloc *m,
                    const struct ruru_jstep *path,
                    size_t depth,
                    uint64_t *line,
                    uint64_t *col)
{
    size_t k = 0;

    *line = 0;
    *col = 0;
    if (depth > RURU_JLOC_MAX_DEPTH)
        return;
    while (k < m->n_frames && k < depth && same_step(&m->frames[k].step, &path[k]))
        k++;
    for (size_t i = k; i < depth; i++) {
        const struct ruru_jpos *parent = i == 0 ? &m->root : &m->frames[i - 1].pos;
        struct ruru_jpos pos;
        bool ok;
        if (path[i].key != NULL) {
            ok = find_member(m->data, m->len, parent, path[i].key, &pos);
        } else {
            /* The same array as last time, further on: walk on from there. */
            const struct ruru_jframe *from = NULL;
            if (i == k && i < m->n_frames && m->frames[i].step.key == NULL &&
                m->frames[i].step.index <= path[i].index)
                from = &m->frames[i];
            ok = find_element(m->data, m->len, parent, from, path[i].index, &pos);
        }
        if (!ok) {
            m->n_frames = i;
            return;
        }
        m->frames[i].step = path[i];
        m->frames[i].pos = pos;
        m->n_frames = i + 1;
    }
    if (depth == 0) {
        *line = m->root.line;
        *col = m->root.off - m->root.line_off + 1;
    } else {
        *line = m->frames[depth - 1].pos.line;
        *col = m->frames[depth - 1].pos.off - m->frames[depth - 1].pos.line_off + 1;
    }
}

void ruru_jloc_init(struct ruru_jloc *l, const char *data, size_t len)
{
    memset(l, 0, sizeof(*l));
    l->data = data;
    l->len = len;
    l->root.line = 1;
    skip_ws(data, len, &l->root);
}

uint64_t ruru_jloc_line_of(const struct ruru_jloc *l, size_t off)
{
    uint64_t line = 1;
    const char *p = l->data, *end;

    if (off >= l->len)
        return 0;
    end = p + off;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}
