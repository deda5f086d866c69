/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka loaded when first needed (rdk_lib.h). */
#define RURU_RDK_LOADER
#include "stream/rdk_lib.h"

#include <pthread.h>
#include <stdio.h>

#include "base/dynlib.h"

struct ruru_rdk_fns ruru_rdk;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char failed[256];

static void load(void)
{
    void *lib = ruru_dynlib_open("librdkafka.so.1", failed, sizeof(failed));

#define RURU_RDK_RESOLVE(f)                                                                \
    if (lib != NULL &&                                                                     \
        !ruru_dynlib_fn(lib, #f, &ruru_rdk.f, sizeof(ruru_rdk.f), failed, sizeof(failed))) \
        lib = NULL;
    RURU_RDK_FNS(RURU_RDK_RESOLVE)
#undef RURU_RDK_RESOLVE
    loaded = lib != NULL;
}

bool ruru_rdk_load(char *why, size_t cap)
{
    pthread_once(&once, load);
    if (!loaded)
        snprintf(why, cap, "librdkafka: %s", failed);
    return loaded;
}
