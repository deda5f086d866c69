/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the export writers (src/share/) on a hostile export model. What a model holds
 * comes from logs and intel an attacker wrote: any string anywhere, any shape. Each writer must
 * refuse (RURU_EINVAL) or write; the STIX and MISP exports must then be JSON that parses, and
 * the HTML report must hold no element the data could have smuggled in (no `<script`, `<img`,
 * `<iframe` or `javascript:`, which the writer itself never writes) and no byte below 0x20
 * other than tab and line ends.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "share/share.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_ci(const char *s, size_t n, const char *what)
{
    size_t w = strlen(what);

    for (size_t i = 0; i + w <= n; i++) {
        size_t k = 0;
        while (k < w && (s[i + k] | 0x20) == what[k])
            k++;
        if (k == w)
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *model = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    struct ruru_diag d;

    if (model == NULL)
        return 0;
    for (int w = 0; w < 3; w++) {
        struct ruru_buf out;
        enum ruru_err err;
        ruru_buf_init(&out, (size_t)1 << 28);
        err = w == 0   ? ruru_share_stix(model, &out, &d)
              : w == 1 ? ruru_share_misp(model, &out, &d)
                       : ruru_share_html(model, &out, &d);
        if (err != RURU_OK && err != RURU_EINVAL && err != RURU_ENOMEM)
            __builtin_trap();
        if (err == RURU_OK && w < 2) {
            json_t *j = json_loadb(out.ptr, out.len, 0, NULL);
            if (j == NULL)
                __builtin_trap();
            json_decref(j);
        }
        if (err == RURU_OK && w == 2) {
            if (has_ci(out.ptr, out.len, "<script") || has_ci(out.ptr, out.len, "<img") ||
                has_ci(out.ptr, out.len, "<iframe") || has_ci(out.ptr, out.len, "javascript:"))
                __builtin_trap();
            for (size_t i = 0; i < out.len; i++) {
                unsigned char c = (unsigned char)out.ptr[i];
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    __builtin_trap();
            }
        }
        ruru_buf_fini(&out);
    }
    json_decref(model);
    return 0;
}
