/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: ruru.yaml. Checks the contract: loaded, or refused with a reason and the
 * settings left as they were; its logsource ties read alike (a JSON array when loaded). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cases/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ruru_case_config c, before;
    struct ruru_diag d;

    ruru_case_defaults(&c);
    before = c;
    if (ruru_case_config_load((const char *)data, size, "fuzz.yaml", &c, &d) != RURU_OK) {
        if (d.msg[0] == '\0' || c.gap != before.gap || c.serious != before.serious ||
            c.attrib.prior_odds != before.attrib.prior_odds)
            __builtin_trap();
        return 0;
    }
    if (c.gap < 0 || c.attrib.likely < 0.5 || c.attrib.likely > 1 || c.attrib.dependence < 0 ||
        c.attrib.dependence > 1)
        __builtin_trap();
    {
        char *json = NULL;
        if (ruru_config_logsources((const char *)data, size, "fuzz.yaml", &json, &d) != RURU_OK ||
            json == NULL || json[0] != '[')
            __builtin_trap(); /* the same file loaded above */
        ruru_free(json);
    }
    return 0;
}
