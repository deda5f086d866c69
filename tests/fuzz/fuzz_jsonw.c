/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the sightings' JSON writer (base/jsonw) on any bytes. Its text must be what
 * jansson writes for the same string (for bytes that are not UTF-8: for the string
 * ruru_jsonw_fix_utf8 makes of them, which jansson must take), and jansson must read it back.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *fixed = malloc(3 * size + 1), *want;
    json_t *v, *back;
    struct ruru_buf b;
    size_t n = size;

    if (fixed == NULL)
        return 0;
    if (!ruru_jsonw_utf8_valid(s, size)) {
        n = ruru_jsonw_fix_utf8(s, size, fixed);
        s = fixed;
        if (!ruru_jsonw_utf8_valid(s, n))
            __builtin_trap();
    }
    if ((v = json_stringn(s, n)) == NULL)
        __builtin_trap(); /* the two disagree on what UTF-8 is */
    want = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
    ruru_buf_init(&b, SIZE_MAX);
    ruru_jsonw_bytes(&b, (const char *)data, size);
    if (want != NULL && (b.failed || strcmp(ruru_buf_str(&b), want) != 0))
        __builtin_trap();
    back = json_loads(ruru_buf_str(&b), JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (want != NULL && !json_equal(back, v))
        __builtin_trap();
    json_decref(back);
    json_decref(v);
    free(want);
    ruru_buf_fini(&b);
    free(fixed);
    return 0;
}
