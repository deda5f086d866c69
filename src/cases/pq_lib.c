/* SPDX-License-Identifier: Apache-2.0 */
/* libpq loaded when first needed (pq_lib.h). */
#define RURU_PQ_LOADER
#include "cases/pq_lib.h"

#include <pthread.h>
#include <stdio.h>

#include "base/dynlib.h"

struct ruru_pq_fns ruru_pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char failed[256];

static void load(void)
{
    void *lib = ruru_dynlib_open("libpq.so.5", failed, sizeof(failed));

#define RURU_PQ_RESOLVE(f)                                                               \
    if (lib != NULL &&                                                                   \
        !ruru_dynlib_fn(lib, #f, &ruru_pq.f, sizeof(ruru_pq.f), failed, sizeof(failed))) \
        lib = NULL;
    RURU_PQ_FNS(RURU_PQ_RESOLVE)
#undef RURU_PQ_RESOLVE
    loaded = lib != NULL;
}

bool ruru_pq_load(char *why, size_t cap)
{
    pthread_once(&once, load);
    if (!loaded)
        snprintf(why, cap, "PostgreSQL's client library: %s", failed);
    return loaded;
}
