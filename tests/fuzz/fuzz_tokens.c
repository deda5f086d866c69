/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: token extraction; every token must lie inside the line, and each vector cut
 * the processor has (AVX2, AVX-512 BW) must give exactly the tokens of the scalar one. */
#include <stdbool.h>
#include <stdint.h>

#include "scan/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A host name token: letters, digits, '-', '_' and dots, no dot first or last, at most 253
 * bytes. */
static bool host_name(const uint8_t *s, size_t n)
{
    if (n > 253 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_token t[64], u[64];
    size_t max = size > 0 ? data[0] % 65 : 64;
    size_t m = ruru_tokens_with(RURU_CUT_SCALAR, (const char *)data, size, u, max);

    for (size_t i = 0; i < m && i < max; i++) {
        if ((size_t)u[i].off + u[i].len > size || u[i].len == 0)
            __builtin_trap();
        if (u[i].type == RURU_IOC_DOMAIN && !host_name(data + u[i].off, u[i].len))
            __builtin_trap(); /* the sweep's quick question takes it as such (scan/match.c) */
    }
    for (enum ruru_cut c = RURU_CUT_AVX2; c <= RURU_CUT_AVX512; c++) {
        size_t n;
        if (!ruru_tokens_can(c))
            continue;
        n = ruru_tokens_with(c, (const char *)data, size, t, max);
        if (n != m)
            __builtin_trap();
        for (size_t i = 0; i < n && i < max; i++)
            if (t[i].type != u[i].type || t[i].off != u[i].off || t[i].len != u[i].len ||
                t[i].v4 != u[i].v4)
                __builtin_trap();
    }
    return 0;
}
