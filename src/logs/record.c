/* SPDX-License-Identifier: Apache-2.0 */
#include "logs/record.h"

#include <string.h>

const struct ruru_str *ruru_record_get(const struct ruru_record *r, const char *canon)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (r->fields[i].canon != NULL && strcmp(r->fields[i].canon, canon) == 0)
            return &r->fields[i].value;
    return NULL;
}
