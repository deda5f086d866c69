/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the Apache/Nginx access-log parser; every field must lie inside the line. */
#include <stdint.h>

#include "logs/apache.h"
#include "logs/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_record r;
    const char *line = (const char *)data;

    if (!ruru_apache_parse(line, size, &r))
        return 0;
    for (size_t i = 0; i < r.n_fields; i++)
        if (r.fields[i].value.ptr < line ||
            r.fields[i].value.ptr + r.fields[i].value.len > line + size)
            __builtin_trap();
    return 0;
}
