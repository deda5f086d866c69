/* SPDX-License-Identifier: Apache-2.0 */
/* Field look-ups for the log parser tests: a record's value by canonical or native name, as
 * text in the caller's buffer ("(none)" when absent). */
#ifndef RURU_TEST_RECORD_DUMP_H
#define RURU_TEST_RECORD_DUMP_H

#include <stdio.h>
#include <string.h>

#include "base/str.h"
#include "logs/record.h"

static inline const char *
field(const struct ruru_record *r, const char *canon, char *buf, size_t cap)
{
    const struct ruru_str *v = ruru_record_get(r, canon);

    if (v == NULL)
        return "(none)";
    snprintf(buf, cap, "%.*s", (int)v->len, v->ptr);
    return buf;
}

static inline const char *
native(const struct ruru_record *r, const char *name, char *buf, size_t cap)
{
    for (size_t i = 0; i < r->n_fields; i++)
        if (ruru_str_eq(r->fields[i].name, name)) {
            snprintf(buf, cap, "%.*s", (int)r->fields[i].value.len, r->fields[i].value.ptr);
            return buf;
        }
    return "(none)";
}

/* Every value of canonical field `canon`, joined by '|' ("(none)" when there is none). */
static inline const char *
all_of(const struct ruru_record *r, const char *canon, char *buf, size_t cap)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < r->n_fields && n < cap; i++)
        if (r->fields[i].canon != NULL && strcmp(r->fields[i].canon, canon) == 0)
            n += (size_t)snprintf(buf + n, cap - n, "%s%.*s", n ? "|" : "",
                                  (int)r->fields[i].value.len, r->fields[i].value.ptr);
    return n > 0 ? buf : "(none)";
}

#endif
