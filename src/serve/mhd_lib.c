/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd loaded when first needed (mhd_lib.h, base/dynlib.h). */
#define RURU_MHD_LOADER
#include "serve/mhd_lib.h"

#include "base/dynlib.h"

struct ruru_mhd_fns ruru_mhd;

static const char *const names[] = {RURU_MHD_FNS(RURU_DYNLIB_NAME)};
_Static_assert(sizeof(ruru_mhd) == sizeof(names) / sizeof(*names) * sizeof(void (*)(void)),
               "the table is its functions' pointers in a row");
static struct ruru_dynlib lib = {.soname = "libmicrohttpd.so.12",
                                 .what = "libmicrohttpd",
                                 .names = names,
                                 .n = sizeof(names) / sizeof(*names),
                                 .table = &ruru_mhd};

bool ruru_mhd_load(char *why, size_t cap)
{
    return ruru_dynlib_load(&lib, why, cap);
}
