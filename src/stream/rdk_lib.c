/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka loaded when first needed (rdk_lib.h, base/dynlib.h). */
#define RURU_RDK_LOADER
#include "stream/rdk_lib.h"

#include "base/dynlib.h"

RURU_DYNLIB_DEFINE(ruru_rdk, RURU_RDK_FNS, ruru_rdk_load, "librdkafka.so.1", "librdkafka")
