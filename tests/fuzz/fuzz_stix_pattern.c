/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the STIX patterning parser on arbitrary text. */
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

    ruru_buf_init(&b, 1 << 20);
    if (ruru_stix_split((const char *)data, size, v, &n, &b, &err, &pos)) {
        for (size_t i = 0; i < n; i++)
            if (v[i].off + v[i].len > b.len)
                __builtin_trap();
    } else if (err == NULL || pos > size) {
        __builtin_trap();
    }
    ruru_buf_fini(&b);
    return 0;
}
