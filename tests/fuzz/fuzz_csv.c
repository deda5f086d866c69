/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the CSV / text-list importer on arbitrary bytes, with the list oracles. */
#include "lists_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return lfz_run(ruru_csv_import, data, size);
}
