/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the index-file checker. A blob it accepts must be safe to look up in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An aligned copy, as mmap would give. */
    void *blob = malloc(size ? size : 1);

    if (blob == NULL)
        return 0;
    memcpy(blob, data, size);
    (void)ruru_index_check(blob, size, NULL);
    free(blob);
    return 0;
}
