/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd loaded when first needed (mhd_lib.h). */
#define RURU_MHD_LOADER
#include "serve/mhd_lib.h"

#include <pthread.h>
#include <stdio.h>

#include "base/dynlib.h"

struct ruru_mhd_fns ruru_mhd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char failed[256];

static void load(void)
{
    void *lib = ruru_dynlib_open("libmicrohttpd.so.12", failed, sizeof(failed));

#define RURU_MHD_RESOLVE(f)                                                                \
    if (lib != NULL &&                                                                     \
        !ruru_dynlib_fn(lib, #f, &ruru_mhd.f, sizeof(ruru_mhd.f), failed, sizeof(failed))) \
        lib = NULL;
    RURU_MHD_FNS(RURU_MHD_RESOLVE)
#undef RURU_MHD_RESOLVE
    loaded = lib != NULL;
}

bool ruru_mhd_load(char *why, size_t cap)
{
    pthread_once(&once, load);
    if (!loaded)
        snprintf(why, cap, "libmicrohttpd: %s", failed);
    return loaded;
}
