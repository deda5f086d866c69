/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the MISP warninglist (list.json) importer on arbitrary bytes, with the sink of
 * galaxy_fuzz.h checking the importer's promises (reject positions, normalised values) as it goes.
 */
#include "galaxy_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz_import; /* fuzz_common.h's runner; this target uses gfz_run */
    return gfz_run(ruru_warninglist_import, data, size);
}
