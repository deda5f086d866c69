/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: format detection of the import driver on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "intel/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *fmt = ruru_intel_detect("fuzz.json", (const char *)data, size);

    if (fmt != NULL && strlen(fmt) == 0)
        __builtin_trap();
    return 0;
}
