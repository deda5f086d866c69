/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: `ruru verify`'s report reader (ruru_verify). The input is a report (JSON, JSON
 * lines, arrays of sightings or incidents: a file someone handed over). Every verification is
 * confined with a root to an empty directory made once, so no cited file is ever opened,
 * whatever the report names (a fuzzer runs as root here: /proc files are regular files).
 * Checks the contract: a report is refused with RURU_EPARSE, or answered with a result whose
 * counts hold together and whose every failure is the refusal to read outside the root.
 */
#include <jansson.h>
#include <ruru.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/ruru-fuzz-verify-XXXXXX";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool made;
    const char *roots[1] = {root};
    char *out = NULL;
    struct ruru_diag d;
    enum ruru_err err;
    json_t *res, *f;
    size_t i;

    if (!made && mkdtemp(root) == NULL)
        return 0;
    made = true;
    err = ruru_verify((const char *)data, size, roots, 1, &out, &d);
    if (err != RURU_OK) {
        if ((err != RURU_EPARSE && err != RURU_ENOMEM) || out != NULL)
            __builtin_trap();
        return 0;
    }
    res = json_loads(out, 0, NULL);
    ruru_free(out);
    if (res == NULL)
        __builtin_trap();
    if (json_integer_value(json_object_get(res, "verified")) != 0 ||
        json_array_size(json_object_get(res, "failed")) !=
                (size_t)json_integer_value(json_object_get(res, "items")))
        __builtin_trap();
    json_array_foreach(json_object_get(res, "failed"), i, f)
    {
        const char *why = json_string_value(json_object_get(f, "reason"));
        if (why == NULL || (strcmp(why, "outside the trees given with --root: not read") != 0 &&
                            strcmp(why, "not a regular file") != 0))
            __builtin_trap();
    }
    json_decref(res);
    return 0;
}
