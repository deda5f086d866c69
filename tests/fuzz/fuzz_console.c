/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the web console's pages (src/serve/console*.c) on a hostile document. The same
 * JSON is handed to every page as whatever it takes (an export model, a stats, actors or search
 * document), and its first string as the filter and query values. Each page must be written
 * (or NULL for memory) and hold no element the data could have smuggled in: no `<script`,
 * `<style`, `<img`, `<iframe`; in the tags (read attribute by attribute, so that the words
 * "style=" or "href=" in text or inside a quoted value are no attribute) no style attribute,
 * no event handler and no link to anything but ruru's pages; and no byte below 0x20 other
 * than tab and line feed.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "serve/console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_ci(const char *s, const char *what)
{
    size_t w = strlen(what);

    for (; *s != '\0'; s++) {
        size_t k = 0;
        while (k < w && (s[k] | 0x20) == what[k])
            k++;
        if (k == w)
            return true;
    }
    return false;
}

/* Whether the attributes of every tag are safe: no style attribute, no event handler (on...),
 * and every link (href) to ruru's pages or an anchor. Tags are read as the pages write them:
 * text holds no '<' (escaped), and an attribute's value is quoted with '"' and holds none (the
 * words "style=" or "href=" in text or inside a value are no attribute). */
static bool attributes_safe(const char *page)
{
    for (const char *p = strchr(page, '<'); p != NULL; p = strchr(p, '<')) {
        p++;
        while (*p != '\0' && *p != '>' && *p != ' ')
            p++; /* the tag's name */
        while (*p == ' ') {
            const char *name = ++p, *value = NULL;
            size_t n;
            while (*p != '\0' && *p != '=' && *p != ' ' && *p != '>')
                p++;
            n = (size_t)(p - name);
            if (*p == '=' && p[1] == '"') {
                value = p + 2;
                if ((p = strchr(value, '"')) == NULL)
                    return false;
                p++;
            }
            if ((n == 5 && strncasecmp(name, "style", 5) == 0) ||
                (n > 2 && strncasecmp(name, "on", 2) == 0))
                return false;
            if (n == 4 && strncasecmp(name, "href", 4) == 0 &&
                (value == NULL || (strncmp(value, "/console/", 9) != 0 && value[0] != '#')))
                return false;
        }
        if (*p == '\0')
            break;
    }
    return true;
}

static void check(char *page)
{
    if (page == NULL)
        return;
    if (has_ci(page, "<script") || has_ci(page, "<style") || has_ci(page, "<img") ||
        has_ci(page, "<iframe") || !attributes_safe(page))
        __builtin_trap();
    for (const char *p = page; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            __builtin_trap();
    }
    ruru_free(page);
}

/* The first string anywhere in j (depth-first), or NULL. */
static const char *first_string(const json_t *j, int depth)
{
    const char *key, *s;
    json_t *v;
    size_t i;

    if (json_is_string(j))
        return json_string_value(j);
    if (depth > 8)
        return NULL;
    json_array_foreach((json_t *)(uintptr_t)j, i, v)
    {
        if ((s = first_string(v, depth + 1)) != NULL)
            return s;
    }
    json_object_foreach((json_t *)(uintptr_t)j, key, v)
    {
        if ((s = first_string(v, depth + 1)) != NULL)
            return s;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ruru_console_ctx ctx = {
            "org", "read", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"};
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    const char *s;

    if (j == NULL)
        return 0;
    s = first_string(j, 0);
    check(ruru_console_incidents(&ctx, j, s, s, s, s, s));
    check(ruru_console_incidents(&ctx, j, "high", NULL, NULL, NULL, NULL));
    check(ruru_console_incident(&ctx, j));
    check(ruru_console_stats(&ctx, j, j));
    check(ruru_console_actors(&ctx, j));
    check(ruru_console_actor(&ctx, j));
    check(ruru_console_search(&ctx, s != NULL ? s : "", j));
    check(ruru_console_login(s, s));
    check(ruru_console_error(&ctx, 500, s));
    json_decref(j);
    return 0;
}
