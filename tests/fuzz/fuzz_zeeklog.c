/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the Zeek TSV log parser fed line by line; every field must lie in its line, and
 * a line the skim takes must parse, to a record that fits, with the skim's time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/zeeklog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_zeeklog *z = malloc(sizeof(*z));
    struct ruru_record r;
    const char *p = (const char *)data, *end = p + size;

    if (z == NULL)
        return 0;
    ruru_zeeklog_init(z);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        int64_t t = 0;
        bool skim = ruru_zeeklog_skim(z, p, n, &t);
        enum ruru_log_line what = ruru_zeeklog_parse(z, p, n, &r);
        if (skim && (what != RURU_LINE_RECORD || r.time != t || r.truncated))
            __builtin_trap();
        if (what == RURU_LINE_RECORD)
            for (size_t i = 0; i < r.n_fields; i++)
                if (r.fields[i].value.ptr < p ||
                    r.fields[i].value.ptr + r.fields[i].value.len > p + n)
                    __builtin_trap();
        p += n + 1;
    }
    free(z);
    return 0;
}
