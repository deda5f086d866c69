/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the index-file checker. The checksum is set right first (at its place in the
 * header, after magic, version, byte order and size; it covers every byte after it, as the hash
 * of its two halves' hashes), so that mutations reach the structural checks instead of
 * stopping at the checksum. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "match/index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An aligned copy, as mmap would give. */
    void *blob = malloc(size ? size : 1);

    if (blob == NULL)
        return 0;
    memcpy(blob, data, size);
    if (size >= 416) { /* sizeof(struct header) */
        const unsigned char *b = blob;
        size_t half = 32 + ((size - 32) / 2 & ~(size_t)63);
        uint64_t h[2] = {XXH3_64bits(b + 32, half - 32), XXH3_64bits(b + half, size - half)};
        uint64_t sum = XXH3_64bits(h, sizeof(h));
        memcpy((unsigned char *)blob + 24, &sum, sizeof(sum));
    }
    (void)ruru_index_check(blob, size, NULL);
    free(blob);
    return 0;
}
