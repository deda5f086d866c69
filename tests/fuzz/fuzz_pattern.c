/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the STIX pattern engine. The input is a pattern, a newline, and the objects of
 * an observation as JSON ({"0": {"type": ...}, ...}); the pattern is matched against that
 * observation seen twice, a second apart. Checks the contract: compile and match either
 * succeed or fail with a reason; a match reports members inside the observations given. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pattern/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        struct ruru_pattern_obs o[2] = {{1000, 1000, 0, 0, 1, objects},
                                        {1001, 1001, 5, 5, 2, objects}};
        rc = ruru_pattern_match(p, o, 2, &matched, members, 4, &n_members, &d);
        if (rc == RURU_OK && matched && (n_members == 0 || n_members > 2 || members[0] > 1))
            __builtin_trap();
        if (rc != RURU_OK && (matched || d.msg[0] == '\0'))
            __builtin_trap();
        (void)ruru_pattern_observes(p, &o[0]);
        (void)ruru_pattern_single(p);
    }
    json_decref(objects);
    ruru_pattern_destroy(p);
    return 0;
}
