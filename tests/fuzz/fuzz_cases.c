/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: incidents from sightings. The input is a JSON array of documents, as a saved
 * report holds them (anything may be in it: a report is a file someone handed over). Checks
 * the contract: every document is a sighting or counted as skipped; every incident is judged
 * with probabilities that sum to one.
 */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *docs = json_loadb((const char *)data, size, 0, NULL), *out = NULL, *inc;
    json_t *list[256];
    size_t n = 0, skipped = 0, i;
    struct ruru_case_config c;

    if (!json_is_array(docs)) {
        json_decref(docs);
        return 0;
    }
    for (i = 0; i < json_array_size(docs) && n < 256; i++)
        list[n++] = json_array_get(docs, i);
    ruru_case_defaults(&c);
    c.gap = 3600;
    if (ruru_cases_build(&c, list, n, NULL, 0, &out, &skipped) == RURU_OK) {
        size_t sightings = 0;
        json_array_foreach(out, i, inc)
        {
            json_t *h, *hyp = json_object_get(json_object_get(inc, "judgement"), "hypotheses");
            double sum = 0;
            size_t k;
            sightings += (size_t)json_integer_value(json_object_get(inc, "sightings"));
            json_array_foreach(hyp, k, h) sum += json_real_value(json_object_get(h, "probability"));
            if (fabs(sum - 1) > 1e-6)
                __builtin_trap();
        }
        if (sightings + skipped != n)
            __builtin_trap();
    }
    json_decref(out);
    json_decref(docs);
    return 0;
}
