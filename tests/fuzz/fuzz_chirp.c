/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the CISA CHIRP importer (YAML documents, embedded YARA rules) on arbitrary bytes. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(ruru_chirp_import, data, size);
}
