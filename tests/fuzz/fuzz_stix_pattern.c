/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the STIX patterning parser on arbitrary text. Checks the contract: on success
 * every value lies inside the values buffer and is NUL-terminated there; on a parse error the
 * error phrase is set and its offset lies inside the pattern. */
#include <stddef.h>
#include <stdint.h>

#include "intel/stix_pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_stix_value v[RURU_STIX_MAX_VALUES];
    struct ruru_buf b;
    size_t n = 0, pos = 0;
    const char *err = NULL;
    enum ruru_err rc;

    ruru_buf_init(&b, size + RURU_STIX_MAX_VALUES + 64);
    rc = ruru_stix_split((const char *)data, size, v, &n, &b, &err, &pos);
    if (rc == RURU_OK) {
        if (n > RURU_STIX_MAX_VALUES)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if (v[i].off + v[i].len >= b.len || b.ptr[v[i].off + v[i].len] != '\0' ||
                v[i].type >= RURU_IOC__COUNT)
                __builtin_trap();
    } else if (rc != RURU_EPARSE || err == NULL || pos > size || n != 0) {
        __builtin_trap();
    }
    ruru_buf_fini(&b);
    return 0;
}
