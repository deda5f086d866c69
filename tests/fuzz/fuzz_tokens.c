/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: token extraction; every token must lie inside the line, and each vector cut
 * the machine runs (AVX2, AVX-512) must give exactly the tokens of the scalar one. */
#include <stdint.h>

#include "scan/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_token t[64], u[64];
    size_t max = size > 0 ? data[0] % 65 : 64;
    size_t m = ruru_tokens_scalar((const char *)data, size, u, max);

    for (size_t i = 0; i < m && i < max; i++)
        if ((size_t)u[i].off + u[i].len > size || u[i].len == 0)
            __builtin_trap();
    for (enum ruru_cut c = RURU_CUT_AVX2; c < RURU_CUT__COUNT; c++) {
        size_t n;
        if (!ruru_tokens_cut_runs(c))
            continue;
        n = ruru_tokens_cut(c, (const char *)data, size, t, max);
        if (n != m)
            __builtin_trap();
        for (size_t i = 0; i < n && i < max; i++)
            if (t[i].type != u[i].type || t[i].off != u[i].off || t[i].len != u[i].len ||
                t[i].v4 != u[i].v4)
                __builtin_trap();
    }
    return 0;
}
