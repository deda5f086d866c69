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

void ruru_record_add(struct ruru_record *r,
                     struct ruru_str name,
                     const char *canon,
                     struct ruru_str value)
{
    struct ruru_field *f;

    if (r->n_fields == RURU_MAX_FIELDS) {
        r->truncated = true;
        return;
    }
    f = &r->fields[r->n_fields++];
    f->name = name;
    f->canon = canon;
    f->value = value;
    f->enc = RURU_ENC_RAW;
}

int ruru_month_abbr(const char *m)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    for (int i = 0; i < 12; i++)
        if (memcmp(names + 3 * i, m, 3) == 0)
            return i + 1;
    return 0;
}
