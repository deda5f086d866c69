/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the W3C/IIS parser fed line by line; every field must lie in its line, and a
 * line the skim takes must parse, to a record that fits, with the skim's time and a view that
 * is the line with its '+'-encoded fields decoded (a line it refuses may parse).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/w3c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_w3c *w = malloc(sizeof(*w));
    char *room = malloc(size + 1), *want = malloc(size + 1);
    struct ruru_record r;
    const char *p = (const char *)data, *end = p + size;

    if (w == NULL || room == NULL || want == NULL)
        goto out;
    ruru_w3c_init(w);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *view = NULL;
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), k = n;
        int64_t t = 0;
        /* asked before the parse: a '#' line changes the state */
        bool skim = ruru_w3c_skim(w, p, n, &t, room, &view);
        enum ruru_log_line what = ruru_w3c_parse(w, p, n, &r);
        if (skim && (what != RURU_LINE_RECORD || r.truncated || r.time != t))
            __builtin_trap();
        if (what == RURU_LINE_RECORD) {
            while (k > 0 && (p[k - 1] == '\r' || p[k - 1] == '\n'))
                k--;
            memcpy(want, p, k);
            for (size_t i = 0; i < r.n_fields; i++) {
                const struct ruru_field *f = &r.fields[i];
                if (f->value.ptr < p || f->value.ptr + f->value.len > p + n)
                    __builtin_trap();
                if (f->enc == RURU_ENC_PLUS)
                    ruru_w3c_plus_decode(f->value.ptr, f->value.len, want + (f->value.ptr - p));
            }
            if (skim && memcmp(view, want, k) != 0)
                __builtin_trap();
        }
        p += n + 1;
    }
out:
    free(want);
    free(room);
    free(w);
    return 0;
}
