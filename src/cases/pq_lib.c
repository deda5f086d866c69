/* SPDX-License-Identifier: Apache-2.0 */
/* libpq loaded when first needed (pq_lib.h, base/dynlib.h). */
#define RURU_PQ_LOADER
#include "cases/pq_lib.h"

#include "base/dynlib.h"

struct ruru_pq_fns ruru_pq;

static const char *const names[] = {RURU_PQ_FNS(RURU_DYNLIB_NAME)};
_Static_assert(sizeof(ruru_pq) == sizeof(names) / sizeof(*names) * sizeof(void (*)(void)),
               "the table is its functions' pointers in a row");
static struct ruru_dynlib lib = {.soname = "libpq.so.5",
                                 .what = "PostgreSQL's client library",
                                 .names = names,
                                 .n = sizeof(names) / sizeof(*names),
                                 .table = &ruru_pq};

bool ruru_pq_load(char *why, size_t cap)
{
    return ruru_dynlib_load(&lib, why, cap);
}
