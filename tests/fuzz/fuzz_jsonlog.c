/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the JSON line scanner in its three dialects, and the unescaper on every string
 * field it gives. Every value must lie in the line; decoding never writes past its buffer. The
 * skim says yes exactly when the parse takes the line and keeps every field, the line holding
 * no backslash and no array an object, and gives the same time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/json_oracle.h"
#include "logs/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum ruru_log_format formats[] = {RURU_LOG_JSON, RURU_LOG_EVE, RURU_LOG_ZEEK_JSON};
    struct ruru_jsonlog *j = malloc(sizeof(*j));
    struct ruru_record *r = malloc(sizeof(*r));
    const char *p = (const char *)data;

    if (j == NULL || r == NULL)
        goto out;
    for (size_t k = 0; k < 3; k++) {
        int64_t t = 0;
        bool skimmed, parsed, plain = true;
        ruru_jsonlog_init(j, formats[k]);
        skimmed = ruru_jsonlog_skim(j, p, size, &t);
        parsed = ruru_jsonlog_parse(j, p, size, r);
        for (size_t i = 0; parsed && i < r->n_fields; i++)
            plain = plain && r->fields[i].enc == RURU_ENC_RAW;
        if ((skimmed && (!parsed || r->truncated || !plain || t != r->time)) ||
            (!skimmed && parsed && !r->truncated && memchr(p, '\\', size) == NULL &&
             !object_in_array(p, size)))
            __builtin_trap();
        if (!parsed)
            continue;
        for (size_t i = 0; i < r->n_fields; i++) {
            const struct ruru_field *f = &r->fields[i];
            char *out;
            if (f->value.ptr < p || f->value.ptr + f->value.len > p + size)
                __builtin_trap();
            if (f->name.len != strlen(f->name.ptr))
                __builtin_trap();
            if (f->enc != RURU_ENC_JSON)
                continue;
            out = malloc(f->value.len + 1);
            if (out != NULL) {
                size_t n = ruru_json_unescape(f->value.ptr, f->value.len, out, f->value.len);
                if (n != (size_t)-1 && n > f->value.len)
                    __builtin_trap(); /* decoding never grows a string */
            }
            free(out);
        }
    }
out:
    free(j);
    free(r);
    return 0;
}
