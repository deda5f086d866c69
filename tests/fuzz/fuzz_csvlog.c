/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the CSV-with-header log parser fed line by line; every value must lie in its
 * line and every native name in the parser's header copy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/csvlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_csvlog *c = malloc(sizeof(*c));
    struct ruru_record r;
    const char *p = (const char *)data, *end = p + size;

    if (c == NULL)
        return 0;
    ruru_csvlog_init(c);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (ruru_csvlog_parse(c, p, n, &r) == RURU_LINE_RECORD) {
            if (r.n_fields > RURU_MAX_FIELDS || c->n_names > c->n_cols)
                __builtin_trap();
            for (size_t i = 0; i < r.n_fields; i++) {
                const struct ruru_field *f = &r.fields[i];
                if (f->value.ptr < p || f->value.ptr + f->value.len > p + n ||
                    f->name.ptr < c->header ||
                    f->name.ptr + f->name.len > c->header + sizeof(c->header))
                    __builtin_trap();
            }
        }
        p += n + 1;
    }
    free(c);
    return 0;
}
