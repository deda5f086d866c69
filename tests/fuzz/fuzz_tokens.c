/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: token extraction; every token must lie inside the line, and the vector cut
 * must give exactly the tokens of the scalar one. */
#include <stdint.h>

#include "scan/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_token t[64], u[64];
    size_t max = size > 0 ? data[0] % 65 : 64;
    size_t n = ruru_tokens((const char *)data, size, t, max);
    size_t m = ruru_tokens_scalar((const char *)data, size, u, max);

    if (n != m)
        __builtin_trap();
    for (size_t i = 0; i < n && i < max; i++) {
        if ((size_t)t[i].off + t[i].len > size || t[i].len == 0)
            __builtin_trap();
        if (t[i].type != u[i].type || t[i].off != u[i].off || t[i].len != u[i].len ||
            t[i].v4 != u[i].v4)
            __builtin_trap();
    }
    return 0;
}
