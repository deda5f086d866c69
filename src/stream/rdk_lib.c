/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka loaded when first needed (rdk_lib.h, base/dynlib.h). */
#define RURU_RDK_LOADER
#include "stream/rdk_lib.h"

#include "base/dynlib.h"

struct ruru_rdk_fns ruru_rdk;

static const char *const names[] = {RURU_RDK_FNS(RURU_DYNLIB_NAME)};
_Static_assert(sizeof(ruru_rdk) == sizeof(names) / sizeof(*names) * sizeof(void (*)(void)),
               "the table is its functions' pointers in a row");
static struct ruru_dynlib lib = {.soname = "librdkafka.so.1",
                                 .what = "librdkafka",
                                 .names = names,
                                 .n = sizeof(names) / sizeof(*names),
                                 .table = &ruru_rdk};

bool ruru_rdk_load(char *why, size_t cap)
{
    return ruru_dynlib_load(&lib, why, cap);
}
