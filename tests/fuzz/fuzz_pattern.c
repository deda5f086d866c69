/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the STIX pattern engine. The input is a pattern, a newline, and the objects of
 * an observation as JSON ({"0": {"type": ...}, ...}); the pattern is matched against that
 * observation seen twice, a second apart. Checks the contract: compile and match either
 * succeed or fail with a reason; a match reports members inside the observations given; the
 * observation kept as the expressions it satisfies (ruru_pattern_leaves) matches as its objects
 * do; a match shows one of the pattern's needles. */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "pattern/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does a string or number in j (at any depth) hold needle v? */
static bool holds(const json_t *j, const struct ruru_str *v)
{
    char num[64];

    if (json_is_string(j))
        return ruru_memmem(json_string_value(j), json_string_length(j), v->ptr, v->len) != NULL;
    if (json_is_integer(j) || json_is_real(j)) {
        if (json_is_integer(j))
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        else if (fabs(json_real_value(j)) < 9e18 && json_real_value(j) == floor(json_real_value(j)))
            snprintf(num, sizeof(num), "%.0f", json_real_value(j)); /* as it equals an integer */
        else
            snprintf(num, sizeof(num), "%.17g", json_real_value(j));
        return ruru_memmem(num, strlen(num), v->ptr, v->len) != NULL;
    }
    for (void *it = json_object_iter((json_t *)(uintptr_t)j); it != NULL;
         it = json_object_iter_next((json_t *)(uintptr_t)j, it))
        if (holds(json_object_iter_value(it), v))
            return true;
    for (size_t i = 0; i < json_array_size(j); i++)
        if (holds(json_array_get(j, i), v))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *nl = memchr(s, '\n', size);
    size_t plen = nl != NULL ? (size_t)(nl - s) : size;
    struct ruru_pattern *p;
    struct ruru_diag d;
    json_t *objects = NULL;
    bool matched;
    size_t members[4], n_members = 0;
    enum ruru_err rc;

    rc = ruru_pattern_compile(s, plen, &p, &d);
    if (rc != RURU_OK) {
        if (p != NULL || d.msg[0] == '\0')
            __builtin_trap();
        return 0;
    }
    if (nl != NULL)
        objects = json_loadb(nl + 1, size - plen - 1, JSON_REJECT_DUPLICATES, NULL);
    if (objects == NULL)
        objects = json_object();
    {
        struct ruru_pattern_obs o[2] = {{1000, 1000, 0, 0, 1, objects, NULL},
                                        {1001, 1001, 5, 5, 2, objects, NULL}};
        rc = ruru_pattern_match(p, o, 2, &matched, members, 4, &n_members, &d);
        if (rc == RURU_OK && matched && (n_members == 0 || n_members > 2 || members[0] > 1))
            __builtin_trap();
        if (rc != RURU_OK && (matched || d.msg[0] == '\0'))
            __builtin_trap();
        /* a pattern that matched shows one of its needles (what lets a sweep pass records by) */
        if (rc == RURU_OK && matched) {
            size_t n_needles, k = 0;
            const struct ruru_str *v = ruru_pattern_needles(p, &n_needles);
            while (k < n_needles && !holds(objects, &v[k]))
                k++;
            if (n_needles > 0 && k == n_needles)
                __builtin_trap();
        }
        /* what a sweep keeps of an observation (the expressions it satisfies) must give the
         * same answer as its objects */
        {
            uint64_t bits[RURU_PATTERN_LEAF_WORDS];
            bool any, again;
            size_t n_again;
            if (ruru_pattern_leaves(p, &o[0], bits, &any, &d) == RURU_OK) {
                struct ruru_pattern_obs k[2] = {o[0], o[1]};
                k[0].leaves = k[1].leaves = bits;
                k[0].objects = k[1].objects = NULL;
                if (rc == RURU_OK &&
                    (ruru_pattern_match(p, k, 2, &again, members, 4, &n_again, &d) != RURU_OK ||
                     again != matched))
                    __builtin_trap();
                if (any != ruru_pattern_observes(p, &o[0]))
                    __builtin_trap();
            }
        }
        (void)ruru_pattern_single(p);
    }
    json_decref(objects);
    ruru_pattern_destroy(p);
    return 0;
}
