/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: refang, infer and normalise arbitrary bytes as every type; the first byte picks
 * the type. Also checks idempotence: a canonical value normalises to itself with its type.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "intel/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_buf fanged, canon, again;
    enum ruru_ioc_type t;
    const char *reason;

    if (size == 0)
        return 0;
    t = (enum ruru_ioc_type)(data[0] % RURU_IOC__COUNT);
    ruru_buf_init(&fanged, 1 << 20);
    ruru_buf_init(&canon, 1 << 20);
    ruru_buf_init(&again, 1 << 20);
    if (ruru_ioc_refang((const char *)data + 1, size - 1, &fanged) == RURU_OK) {
        (void)ruru_ioc_infer(fanged.ptr ? fanged.ptr : "", fanged.len);
        if (ruru_ioc_normalize(&t, fanged.ptr ? fanged.ptr : "", fanged.len, NULL, &canon,
                               &reason)) {
            enum ruru_ioc_type t2 = t;
            if (!ruru_ioc_normalize(&t2, canon.ptr, canon.len, NULL, &again, &reason) || t2 != t ||
                again.len != canon.len || memcmp(again.ptr, canon.ptr, canon.len) != 0)
                __builtin_trap();
        } else if (reason == NULL || strlen(reason) == 0) {
            __builtin_trap();
        }
    }
    ruru_buf_fini(&fanged);
    ruru_buf_fini(&canon);
    ruru_buf_fini(&again);
    return 0;
}
