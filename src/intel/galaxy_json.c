/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading MISP reference documents and locating their array elements for rejects (see
 * galaxy_json.h). The skip-scanner below is the whole of the locator: it steps over one JSON
 * value by tracking string quotes, backslash escapes and bracket depth in a counter, never by
 * recursion, so a document nested 100 000 deep costs a counter, not a stack.
 *
 * Worked example, locating element 2 of "list" in
 *     {"name": "a", "list": ["x", {"y": "]"}, 7]}
 * the scanner reads the key "name", skips its value "a", reads the key "list", remembers the
 * '[' (a later "list" member would replace it, as it does in jansson), skips to the end of
 * the object, then returns to the array: element 0 "x", element 1 the object (the "]" inside
 * the string does not count), element 2 the 7, at column 41.
 */
#include "intel/galaxy_json.h"

#include <string.h>

#include "base/diag.h"

/* "No position": a scan that ran off the end or met something it did not expect. */
#define NOPE SIZE_MAX

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const char *p, size_t len, size_t i)
{
    while (i < len && is_ws(p[i]))
        i++;
    return i;
}

/* From the opening quote at i to just past the closing one, or NOPE. */
static size_t skip_string(const char *p, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return NOPE;
}

/* From the first byte of a value at i to just past it, or NOPE. */
static size_t skip_value(const char *p, size_t len, size_t i)
{
    size_t depth = 0;

    if (i >= len)
        return NOPE;
    if (p[i] == '"')
        return skip_string(p, len, i);
    if (p[i] != '{' && p[i] != '[') {
        /* A number, true, false or null: runs to the next delimiter. */
        while (i < len && !is_ws(p[i]) && p[i] != ',' && p[i] != ']' && p[i] != '}')
            i++;
        return i;
    }
    while (i < len) {
        char c = p[i];
        if (c == '"') {
            i = skip_string(p, len, i);
            if (i == NOPE)
                return NOPE;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return NOPE;
}

/* Moves the cursor to `off`, counting the lines it passes. */
static void move_to(struct ruru_galaxy_json_pos *pos, size_t off)
{
    const char *p = pos->data + pos->off, *end = pos->data + off, *nl;

    while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        pos->line++;
        pos->line_off = (size_t)(nl - pos->data) + 1;
        p = nl + 1;
    }
    pos->off = off;
}

/* Finds the array of the last top-level member named pos->key and sets the cursor on its
 * first element; the state is LOST when there is none. */
static void locate(struct ruru_galaxy_json_pos *pos)
{
    const char *p = pos->data;
    size_t len = pos->len, klen = strlen(pos->key), i, found = NOPE;

    pos->state = RURU_GALAXY_POS_LOST;
    pos->index = 0;
    pos->off = 0;
    pos->line = 1;
    pos->line_off = 0;
    i = skip_ws(p, len, 0);
    if (i >= len || p[i] != '{')
        return;
    for (i++;;) {
        size_t k0, k1;
        i = skip_ws(p, len, i);
        if (i >= len || p[i] != '"')
            break;
        k0 = i + 1;
        i = skip_string(p, len, i);
        if (i == NOPE)
            return;
        k1 = i - 1;
        i = skip_ws(p, len, i);
        if (i >= len || p[i] != ':')
            return;
        i = skip_ws(p, len, i + 1);
        if (k1 - k0 == klen && memcmp(p + k0, pos->key, klen) == 0 && i < len && p[i] == '[')
            found = i;
        i = skip_value(p, len, i);
        if (i == NOPE)
            return;
        i = skip_ws(p, len, i);
        if (i >= len || p[i] != ',')
            break;
        i++;
    }
    if (found == NOPE)
        return;
    i = skip_ws(p, len, found + 1);
    if (i >= len || p[i] == ']')
        return;
    move_to(pos, i);
    pos->state = RURU_GALAXY_POS_WALKING;
}

void ruru_galaxy_json_pos_init(struct ruru_galaxy_json_pos *pos,
                               const char *data,
                               size_t len,
                               const char *key)
{
    memset(pos, 0, sizeof(*pos));
    pos->data = data;
    pos->len = len;
    pos->key = key;
    pos->state = RURU_GALAXY_POS_NEW;
}

void ruru_galaxy_json_pos_find(struct ruru_galaxy_json_pos *pos,
                               size_t index,
                               uint64_t *line,
                               uint64_t *col)
{
    *line = 0;
    *col = 0;
    if (pos->state == RURU_GALAXY_POS_NEW ||
        (pos->state == RURU_GALAXY_POS_WALKING && index < pos->index))
        locate(pos);
    while (pos->state == RURU_GALAXY_POS_WALKING && pos->index < index) {
        size_t i = skip_value(pos->data, pos->len, pos->off);
        if (i != NOPE)
            i = skip_ws(pos->data, pos->len, i);
        if (i == NOPE || i >= pos->len || pos->data[i] != ',') {
            pos->state = RURU_GALAXY_POS_LOST;
            break;
        }
        move_to(pos, skip_ws(pos->data, pos->len, i + 1));
        pos->index++;
    }
    if (pos->state != RURU_GALAXY_POS_WALKING || pos->index != index)
        return;
    *line = pos->line;
    *col = (uint64_t)(pos->off - pos->line_off) + 1;
}

enum ruru_err ruru_galaxy_json_load(const char *data,
                                    size_t len,
                                    const struct ruru_import_ctx *ctx,
                                    json_t **root,
                                    struct ruru_diag *diag)
{
    json_error_t jerr;
    json_t *doc = json_loadb(data, len, 0, &jerr);

    if (doc == NULL)
        return ruru_diag_set(diag, RURU_EPARSE, ctx->path, jerr.line > 0 ? (uint64_t)jerr.line : 0,
                             jerr.column > 0 ? (uint64_t)jerr.column : 0, "invalid JSON: %s",
                             jerr.text);
    *root = doc;
    return RURU_OK;
}

enum ruru_err ruru_galaxy_json_reject(const struct ruru_import_ctx *ctx,
                                      struct ruru_galaxy_json_pos *pos,
                                      size_t index,
                                      const char *object_ref,
                                      const char *value,
                                      const char *reason)
{
    struct ruru_intel_reject r;

    if (ctx->sink->reject == NULL)
        return RURU_OK;
    memset(&r, 0, sizeof(r));
    if (pos != NULL)
        ruru_galaxy_json_pos_find(pos, index, &r.line, &r.col);
    r.object_ref = object_ref;
    r.value = value;
    r.reason = reason;
    return ctx->sink->reject(ctx->sink->ctx, &r);
}
