/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: token extraction; every token must lie inside the line. */
#include <stdint.h>

#include "scan/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_token t[64];
    size_t n = ruru_tokens((const char *)data, size, t, 64);

    for (size_t i = 0; i < n && i < 64; i++)
        if ((size_t)t[i].off + t[i].len > size || t[i].len == 0)
            __builtin_trap();
    return 0;
}
