/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the W3C/IIS parser fed line by line; every field must lie in its line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/w3c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_w3c *w = malloc(sizeof(*w));
    struct ruru_record r;
    const char *p = (const char *)data, *end = p + size;

    if (w == NULL)
        return 0;
    ruru_w3c_init(w);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (ruru_w3c_parse(w, p, n, &r) == RURU_LINE_RECORD)
            for (size_t i = 0; i < r.n_fields; i++)
                if (r.fields[i].value.ptr < p ||
                    r.fields[i].value.ptr + r.fields[i].value.len > p + n)
                    __builtin_trap();
        p += n + 1;
    }
    free(w);
    return 0;
}
