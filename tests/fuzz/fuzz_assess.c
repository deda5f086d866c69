/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: a CERT's actor assessments (YAML) importer on arbitrary bytes, with the sink of
 * galaxy_fuzz.h checking the entity promises (country two capitals, confidence in range) as it
 * goes. Detection runs on the same bytes. */
#include "galaxy_fuzz.h"
#include "intel/actors_assess.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gfz g = {{0, 0}, data, size};
    struct ruru_intel_sink sink = {&g,        fz_indicator, gfz_entity, fz_relation,
                                   fz_reject, NULL,         NULL};
    struct ruru_import_ctx ctx;
    struct ruru_diag d;

    (void)fuzz_import; /* fuzz_common.h's runner; this target has its own sink */
    (void)gfz_run;
    (void)ruru_assess_detect((const char *)data, size);
    memset(&ctx, 0, sizeof(ctx));
    ctx.path = "fuzz";
    ctx.sink = &sink;
    memset(&d, 0, sizeof(d));
    (void)ruru_assess_import((const char *)data, size, &ctx, &d);
    return 0;
}
