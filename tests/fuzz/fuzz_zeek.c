/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the Zeek intel importer on arbitrary bytes, with the list oracles. */
#include "lists_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return lfz_run(ruru_zeek_import, data, size);
}
