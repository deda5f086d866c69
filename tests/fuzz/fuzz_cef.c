/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the CEF parser; every value, and every extension key, must lie in the line. */
#include <stdint.h>

#include "logs/cef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(struct ruru_str s, const char *line, size_t size)
{
    return s.ptr >= line && s.len <= size && s.ptr + s.len <= line + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_record r;
    const char *line = (const char *)data;

    if (!ruru_cef_parse(line, size, &r))
        return 0;
    if (r.n_fields > RURU_MAX_FIELDS || r.format != RURU_LOG_CEF)
        __builtin_trap();
    for (size_t i = 0; i < r.n_fields; i++) {
        if (!inside(r.fields[i].value, line, size) || r.fields[i].value.len == 0)
            __builtin_trap();
        /* header fields all have canonical names; an extension key without one is a slice */
        if (r.fields[i].canon == NULL && !inside(r.fields[i].name, line, size))
            __builtin_trap();
    }
    return 0;
}
