/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the Apache/Nginx access-log parser; every field must lie inside the line, and
 * a line the skim takes must parse, to a record that fits, with the skim's time. */
#include <stdint.h>

#include "logs/apache.h"
#include "logs/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_record r;
    const char *line = (const char *)data;
    int64_t t = 0;
    bool skim = ruru_apache_skim(line, size, &t);

    if (!ruru_apache_parse(line, size, &r)) {
        if (skim)
            __builtin_trap();
        return 0;
    }
    if (skim && (r.time != t || r.truncated))
        __builtin_trap();
    for (size_t i = 0; i < r.n_fields; i++)
        if (r.fields[i].value.ptr < line ||
            r.fields[i].value.ptr + r.fields[i].value.len > line + size)
            __builtin_trap();
    return 0;
}
