/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: log format detection on arbitrary bytes. */
#include <stdint.h>

#include "logs/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ruru_log_detect((const char *)data, size) >= RURU_KIND__COUNT)
        __builtin_trap();
    return 0;
}
